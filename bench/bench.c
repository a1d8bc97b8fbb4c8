/* bench.c — `make bench`: milliseconds per step by phase, agent- and voxel-updates per
 * second and each phase's effective bandwidth against the device's copy bandwidth, for
 * synthetic tissues from 10^4 to 10^6 agents and 64^3 to 256^3 voxels with 12 mediators,
 * plus a configuration like PhysiCell's published benchmark (200^3 voxels x 8
 * substrates; 10^5 cells with motility, chemotaxis, secretion/uptake and repulsion).
 * Prints a table and writes bench/RESULTS.md (machine, device, commit).
 *
 * Every phase is timed between two clFinish calls (sim_profile_enable), so the figures
 * are per phase, without the overlap of an unprofiled step. Bytes per phase come from a
 * model of what each kernel must read and write (see bench_bytes below): effective
 * bandwidth = modelled bytes / time, so a phase far below the copy bandwidth is either
 * compute- or launch-bound, or moves more than the model says.
 *
 * usage: bench [--quick] [--only TEXT] [--out FILE]
 *   --only TEXT   run only the configurations whose name contains TEXT
 */
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "agents.h"
#include "device.h"
#include "field.h"
#include "output.h"
#include "scenario.h"
#include "sim.h"
#include "version.h"

typedef struct {
    const char *name;
    long agents;
    int n;              /* voxels per axis */
    int nmed;           /* mediators */
    int steps;
    int full;           /* 1: signalling, division and death; 0: PhysiCell-like work only */
    int series;         /* 1: the agent-scaling series, about 0.3-0.6 agents per voxel */
    int kind;           /* BENCH_SYNTHETIC, BENCH_PC_DIFFUSION, BENCH_PC_AGENTS */
    double voxel_um;    /* 10 unless given */
} bench_cfg;

/* The configurations like PhysiCell 1.14.2's own benchmarks: its diffusion benchmark
 * (200^3 voxels of 20 um, 8 substrates, no cells) and its agents benchmark (a cube of
 * 460 um with 1e4 cells or of 1 mm with 1e5, 20 um voxels, 4 substrates; 80 % immotile
 * parenchyma secreting one substrate and taking up another, 20 % motile immune cells
 * chemotactic to the first, repulsion; no births or deaths). */
enum { BENCH_SYNTHETIC, BENCH_PC_DIFFUSION, BENCH_PC_AGENTS };

static double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Copy bandwidth (GB/s, read + write) of a float4 copy kernel over 256 MiB (or less). */
static ps_status bench_copy_bw(device *d, double *gbs, ps_err *err)
{
    const device_info *di = device_get_info(d);
    size_t bytes = (size_t)256 << 20;
    if (bytes > di->max_alloc_bytes / 2) bytes = (size_t)(di->max_alloc_bytes / 2) & ~(size_t)15;
    cl_program p = NULL;
    cl_kernel k = NULL;
    cl_mem a = NULL, b = NULL;
    PS_TRY(device_build(d, "bench.cl", "", &p, err));
    ps_status st = device_kernel(p, "bench_copy", &k, err);
    if (st == PS_OK) st = device_alloc(d, bytes, "bench source", &a, err);
    if (st == PS_OK) st = device_alloc(d, bytes, "bench destination", &b, err);
    if (st == PS_OK) st = device_fill_zero(d, a, bytes, err);
    cl_uint n = (cl_uint)(bytes / 16);
    double best = 1e30;
    for (int r = 0; r < 12 && st == PS_OK; r++) {
        if (clSetKernelArg(k, 0, sizeof a, &a) || clSetKernelArg(k, 1, sizeof b, &b) ||
            clSetKernelArg(k, 2, sizeof n, &n)) {
            st = ps_err_set(err, PS_ERR_DEVICE, "bench_copy arguments");
            break;
        }
        st = device_finish(d, err);
        double t0 = bench_now();
        if (st == PS_OK) st = device_launch(d, k, "bench_copy", n, 0, err);
        if (st == PS_OK) st = device_finish(d, err);
        double t = bench_now() - t0;
        if (r >= 2 && t < best) best = t;           /* the first runs warm up */
    }
    *gbs = 2.0 * (double)bytes / best / 1e9;
    device_release(&a);
    device_release(&b);
    if (k) clReleaseKernel(k);
    if (p) clReleaseProgram(p);
    return st;
}

/* The synthetic scenario: one cube tissue of n^3 voxels of 10 um, nmed mediators, one
 * cell type seeded uniformly; or PhysiCell's benchmarks (bench_cfg.kind). */
static char *bench_scenario(const bench_cfg *c)
{
    size_t cap = 16384;
    char *s = malloc(cap);
    if (!s) return NULL;
    int w = 0;
    double dt = 1.0, h = c->voxel_um > 0 ? c->voxel_um : 10.0;
    w += snprintf(s + w, cap - (size_t)w,
                  "{\"name\": \"bench\", \"seed\": 1,"
                  " \"time\": {\"duration_h\": %.17g, \"dt_min\": %g, \"output_interval_h\": %.17g,"
                  " \"snapshot_interval_h\": %.17g},\n \"mediators\": [",
                  c->steps * dt / 60.0, dt, (c->steps > 2 ? c->steps / 2 : 1) * dt / 60.0, c->steps * dt / 60.0);
    for (int m = 0; m < c->nmed; m++)
        w += snprintf(s + w, cap - (size_t)w, "%s{\"name\": \"M%d\", \"D_um2_per_s\": %d, \"half_life_min\": 30}",
                      m ? ", " : "", m, 50 + 10 * m);
    if (c->kind == BENCH_PC_AGENTS) {
        long immune = c->agents / 5, par = c->agents - immune;
        w += snprintf(s + w, cap - (size_t)w,
                      "],\n \"cell_types\": ["
                      "{\"name\": \"parenchyma\", \"radius_um\": 8, \"speed_um_per_min\": 0,"
                      " \"persistence_min\": 5, \"repulsion_um_per_min\": 2,"
                      " \"states\": [{\"name\": \"a\", \"secretion_molecules_per_min\": {\"M0\": 100},"
                      " \"uptake_um3_per_min\": {\"M1\": 20}}]},"
                      " {\"name\": \"immune\", \"radius_um\": 5, \"speed_um_per_min\": 2,"
                      " \"persistence_min\": 5, \"repulsion_um_per_min\": 2,"
                      " \"receptors\": [{\"name\": \"R0\", \"mediator\": \"M0\"}],"
                      " \"chemotaxis\": {\"mediator\": \"M0\", \"speed_um_per_min\": 2},"
                      " \"states\": [{\"name\": \"a\", \"uptake_um3_per_min\": {\"M0\": 10}}]}],\n"
                      " \"tissues\": [{\"name\": \"cube\", \"size_um\": [%g, %g, %g], \"voxel_um\": %g,"
                      " \"cells\": [{\"type\": \"parenchyma\", \"count\": %ld}, {\"type\": \"immune\", \"count\": %ld}]}]}\n",
                      c->n * h, c->n * h, c->n * h, h, par, immune);
        return s;
    }
    w += snprintf(s + w, cap - (size_t)w,
                  "],\n \"cell_types\": [{\"name\": \"cell\", \"radius_um\": 4, \"speed_um_per_min\": 2,"
                  " \"persistence_min\": 5, \"repulsion_um_per_min\": 2,"
                  " \"receptors\": [{\"name\": \"R0\", \"mediator\": \"M0\"}%s],"
                  " \"chemotaxis\": {\"mediator\": \"M0\", \"speed_um_per_min\": 2},"
                  " \"states\": [{\"name\": \"a\", \"secretion_molecules_per_min\": {\"M0\": 100, \"M1\": 50},"
                  " \"uptake_um3_per_min\": {\"M2\": 20}}]",
                  c->full && c->nmed > 3 ? ", {\"name\": \"R3\", \"mediator\": \"M3\"}" : "");
    if (c->full)
        w += snprintf(s + w, cap - (size_t)w,
                      ", \"death_rate_per_h\": 0.01, \"division_rate_per_h\": 0.01,"
                      " \"jak_stat3\": {\"activators\": [{\"mediator\": \"M3\", \"EC50_nM\": 0.1}],"
                      " \"secretion_gain\": {\"M1\": 1}}");
    w += snprintf(s + w, cap - (size_t)w,
                  "}],\n \"tissues\": [{\"name\": \"cube\", \"size_um\": [%g, %g, %g], \"voxel_um\": %g,"
                  " \"cells\": [{\"type\": \"cell\", \"count\": %ld}]}]}\n",
                  c->n * h, c->n * h, c->n * h, h, c->agents);
    return s;
}

/* Modelled bytes each phase reads and writes per step (see the file header):
 *   field solve: each of the 3 sweeps reads and writes every value once (8 B); the x
 *     sweep, which does the reaction, also reads each voxel's region combination (2 B)
 *     and agent count (4 B) once for all fields, and the agent secretion and uptake (8 B
 *     per field) of the voxels that hold agents (at most one per agent): 24 B per value
 *     + 6 B per voxel + 8 B per agent and field. The lower bound of any such solve is
 *     16 B per value (read and write once per step, the lines kept in cache);
 *   secretion/uptake: per agent its key and the previous one (8), slot (4), type and
 *     state (2) and three variables (12); per occupied voxel (at most one per agent) its
 *     count (4) and two floats per field written;
 *   cell list: per agent positions (12) + voxel (4, w) + counter (4); scatter: voxel,
 *     start, fill counter, slot and key (20); sort: keys (8), count (4), id (8), slot
 *     read and written (8), packed position and radius gathered (13) and written (16);
 *     clear: keys (8) and two counters per occupied voxel (8); per voxel only the scan
 *     (count read, start written: 8);
 *   signalling: per agent id, type, state (10), 5 variables read and written (40),
 *     voxel (4), flag (1), the fields it senses (4 per mediator the type reads, 2 here);
 *   agent step: per agent position and direction read and written (48), id, type,
 *     voxel, slot (17), chemotaxis stencil (7 x 4), the 9 strips' bounds (9 x 12) and
 *     the packed neighbour positions (about 8 neighbours x 16 B);
 *   compaction: per agent slot (4), flags and two scans (5 x 4), positions, directions,
 *     id, type, state and variables read and written twice (2 x 74). */
static double bench_bytes(int phase, double n_agents, double nvox, int nf, int passes)
{
    switch (phase) {
    /* each pass reads and writes every value (x and y together in one pass on a CPU where
       the plane fits local memory, field_memory_passes); the region and cell-list ids of
       every voxel once; the agent terms of occupied voxels */
    case SIM_PH_FIELD: return 8.0 * passes * nvox * nf + 6.0 * nvox + 8.0 * fmin(n_agents, nvox) * nf;
    case SIM_PH_SECRETE: return n_agents * 26.0 + fmin(n_agents, nvox) * (4.0 + 8.0 * nf);
    case SIM_PH_CELLLIST: return n_agents * (20.0 + 20.0 + 57.0 + 16.0) + nvox * 8.0;
    case SIM_PH_SIGNAL: return n_agents * (55.0 + 8.0);
    case SIM_PH_MOVE: return n_agents * (48.0 + 17.0 + 28.0 + 108.0 + 128.0);
    case SIM_PH_COMPACT: return n_agents * (24.0 + 148.0);
    default: return 0;
    }
}

typedef struct {
    double ms[SIM_PH_COUNT];        /* per call */
    long calls[SIM_PH_COUNT];
    double step_ms;                 /* sum of the per-step phases */
    double agents;                  /* at the end */
    double agent_updates_s, voxel_updates_s;
    double gbs[SIM_PH_COUNT];
    device_transfers xs, xc;        /* host <-> device copies in steps, in capacity checks */
    long steps, checks;
    int passes;                     /* the field solve's passes over memory (field_memory_passes) */
} bench_result;

/* Runs configuration c; timed = 0 is the warm-up run (3 steps) before the timed one: PoCL
 * (and some GPU drivers) compile a kernel for its launch size at its first launches, and
 * from a fresh clone the kernel cache is cold, so a first run would time compilation
 * (measured: 354 instead of 99 ms per step at 1e4 agents on 64^3 with a 1-step warm-up,
 * 99 with 3). */
static ps_status bench_run(device *d, const bench_cfg *c, int timed, bench_result *r, ps_err *err)
{
    memset(r, 0, sizeof *r);
    char *text = bench_scenario(c);
    if (!text) return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    scenario *s = calloc(1, sizeof *s);
    ps_status st = s ? scenario_load_string(text, c->name, NULL, 0, s, err)
                     : ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    free(text);
    sim *sm = NULL;
    output *o = NULL;
    log_ctx lg;
    log_init(&lg, 0, 1, 1);
    sim_ctx ctx = {.comm = MPI_COMM_SELF, .rank = 0, .size = 1, .log = lg, .dev = d};
    if (st == PS_OK) st = sim_create(&sm, &ctx, s, err);
    if (st == PS_OK) st = output_open(&o, "bench/out", 1, s, err);
    if (st == PS_OK) {
        if (timed) sim_profile_enable(sm);
        st = sim_run(sm, o, err);
    }
    if (st == PS_OK && timed) {
        double sec[SIM_PH_COUNT];
        sim_profile(sm, sec, r->calls);
        sim_transfers(sm, &r->xs, &r->xc, &r->checks);
        r->steps = r->calls[SIM_PH_FIELD];
        uint64_t ctr[CTR_COUNT];
        st = agents_counters(sim_agents(sm, 0), ctr, err);
        r->agents = (double)ctr[CTR_N_AGENTS];
        r->passes = field_memory_passes(sim_fields(sm, 0));
        double nvox = (double)c->n * c->n * c->n;
        long steps = r->calls[SIM_PH_FIELD];
        for (int p = 0; p < SIM_PH_COUNT; p++) {
            /* phases of a step are per step (signal runs twice: signalling and contacts) */
            long per = p < SIM_PH_SUMMARY ? steps : r->calls[p];
            r->ms[p] = per > 0 ? 1e3 * sec[p] / (double)per : 0;
            if (p < SIM_PH_SUMMARY) r->step_ms += r->ms[p];
            double b = bench_bytes(p, r->agents, nvox, c->nmed, r->passes);
            r->gbs[p] = r->ms[p] > 0 ? b / (r->ms[p] * 1e-3) / 1e9 : 0;
        }
        double agent_ms = r->ms[SIM_PH_CELLLIST] + r->ms[SIM_PH_SECRETE] + r->ms[SIM_PH_SIGNAL] +
                          r->ms[SIM_PH_MOVE] + r->ms[SIM_PH_COMPACT];
        r->agent_updates_s = agent_ms > 0 ? r->agents / (agent_ms * 1e-3) : 0;
        r->voxel_updates_s = r->ms[SIM_PH_FIELD] > 0 ? nvox * c->nmed / (r->ms[SIM_PH_FIELD] * 1e-3) : 0;
    }
    output_close(o);
    sim_destroy(sm);
    free(s);
    return st;
}

/* Least-squares slope of log y on log x over the points with x, y > 0 (1 = linear). */
static double bench_loglog_slope(const double *x, const double *y, int n, int *used)
{
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    int m = 0;
    for (int i = 0; i < n; i++) {
        if (!(x[i] > 0 && y[i] > 0)) continue;
        double lx = log(x[i]), ly = log(y[i]);
        sx += lx; sy += ly; sxx += lx * lx; sxy += lx * ly;
        m++;
    }
    *used = m;
    double den = m * sxx - sx * sx;
    return m >= 2 && den > 0 ? (m * sxy - sx * sy) / den : NAN;
}

/* Cost against size: the field solve against voxels x mediators over every configuration,
 * the agent phases (cell list, secretion/uptake, signalling, agent step, compaction)
 * against agents over the series at about the same density (0.3-0.6 agents per voxel:
 * 1e4 at 32^3 ... 1e7 at 256^3), so that the work per agent is the same. */
static void bench_scaling(FILE *streams[2], const bench_cfg *cfg, const bench_result *res,
                          const int *ok, int ncfg)
{
    double vx[16], vy[16], ax[16], ay[16], wx[16], wy[16];
    int nv = 0, na = 0, nw = 0;
    for (int i = 0; i < ncfg; i++) {
        if (!ok[i]) continue;
        const bench_result *r = &res[i];
        vx[nv] = (double)cfg[i].n * cfg[i].n * cfg[i].n * cfg[i].nmed;
        vy[nv++] = r->ms[SIM_PH_FIELD];
        if (cfg[i].n >= 64) {
            wx[nw] = vx[nv - 1];
            wy[nw++] = vy[nv - 1];
        }
        if (!cfg[i].series) continue;
        ax[na] = r->agents;
        ay[na++] = r->ms[SIM_PH_CELLLIST] + r->ms[SIM_PH_SECRETE] + r->ms[SIM_PH_SIGNAL] +
                   r->ms[SIM_PH_MOVE] + r->ms[SIM_PH_COMPACT];
    }
    int mv, ma, mw, mt;
    double sv = bench_loglog_slope(vx, vy, nv, &mv), sa = bench_loglog_slope(ax, ay, na, &ma);
    double sw = bench_loglog_slope(wx, wy, nw, &mw);
    /* the series' top step (its two largest sizes, in table order) */
    double st = na >= 2 ? bench_loglog_slope(ax + na - 2, ay + na - 2, 2, &mt) : NAN;
    for (int k = 0; k < 2; k++) {
        FILE *o = streams[k];
        if (!o) continue;
        fprintf(o, "\n## Scaling\n\nSlope of log(ms per step) against log(size), least squares (1.00 = cost "
                   "linear in size; below 1 = fixed costs not yet amortised):\n\n"
                   "| phase | against | configurations | slope | ns per unit at the largest |\n|---|---|---|---|---|\n");
        double lv = 0, lvy = 0, la = 0, lay = 0;
        for (int i = 0; i < nv; i++) if (vx[i] > lv) { lv = vx[i]; lvy = vy[i]; }
        for (int i = 0; i < na; i++) if (ax[i] > la) { la = ax[i]; lay = ay[i]; }
        char a[32], b[32], c[32], e[32];
        snprintf(a, sizeof a, isnan(sv) ? "- (one size)" : "%.2f", sv);
        snprintf(b, sizeof b, isnan(sa) ? "- (one size)" : "%.2f", sa);
        snprintf(c, sizeof c, isnan(sw) ? "- (one size)" : "%.2f", sw);
        snprintf(e, sizeof e, isnan(st) ? "- (one size)" : "%.2f", st);
        fprintf(o, "| field solve | voxels x mediators | %d | %s | %.1f |\n", mv, a, lv > 0 ? 1e6 * lvy / lv : 0);
        fprintf(o, "| field solve | voxels x mediators, grids of 64^3 and more | %d | %s | %.1f |\n", mw, c,
                lv > 0 ? 1e6 * lvy / lv : 0);
        fprintf(o, "| agent phases (cell list, secretion/uptake, signalling, step, compaction) | agents, at 0.3-0.6 per voxel | %d | %s | %.1f |\n",
                ma, b, la > 0 ? 1e6 * lay / la : 0);
        fprintf(o, "| agent phases | agents, the series' two largest | %d | %s | %.1f |\n", na >= 2 ? 2 : 0, e,
                la > 0 ? 1e6 * lay / la : 0);
        fflush(o);
    }
}

/* Share of wall time spent writing the summary and snapshots in the shipped scenarios, at
 * their own output intervals (the first 72 h; jak_inhibition 192 h, past its dosing
 * start), output in bench/out/<name>. */
static void bench_output_share(device *d, FILE *streams[2], int quick)
{
    static const char *const files[] = {"scenarios/nerve_injury.json", "scenarios/sham.json",
                                        "scenarios/cipn.json", "scenarios/jak_inhibition.json"};
    static const char *const hours[] = {"time.duration_h=72", "time.duration_h=72",
                                        "time.duration_h=72", "time.duration_h=192"};
    for (int k = 0; k < 2; k++)
        if (streams[k])
            fprintf(streams[k], "\n## Output share at the shipped intervals\n\n| scenario | simulated h | "
                                "output interval h | snapshot interval h | wall s | summary + snapshot s | share |\n"
                                "|---|---|---|---|---|---|---|\n");
    int n = quick ? 1 : (int)(sizeof files / sizeof files[0]);
    for (int i = 0; i < n; i++) {
        ps_err err;
        ps_err_clear(&err);
        scenario *s = calloc(1, sizeof *s);
        ps_status st = s ? scenario_load(files[i], &hours[i], 1, s, &err)
                         : ps_err_set(&err, PS_ERR_MEMORY, "out of host memory");
        sim *sm = NULL;
        output *o = NULL;
        log_ctx lg;
        log_init(&lg, 0, 1, 1);
        sim_ctx ctx = {.comm = MPI_COMM_SELF, .rank = 0, .size = 1, .log = lg, .dev = d};
        char dir[256];
        snprintf(dir, sizeof dir, "bench/out/%s", s ? s->name : "x");
        double t0 = 0, wall = 0;
        if (st == PS_OK) st = sim_create(&sm, &ctx, s, &err);
        if (st == PS_OK) st = output_open(&o, dir, 1, s, &err);
        t0 = bench_now();                  /* the run itself, as run.json's wall_s */
        if (st == PS_OK) st = sim_run(sm, o, &err);
        wall = bench_now() - t0;
        for (int k = 0; k < 2; k++) {
            if (!streams[k]) continue;
            if (st != PS_OK)
                fprintf(streams[k], "| %s | failed: %s |\n", files[i], err.msg);
            else
                fprintf(streams[k], "| %s | %.0f | %g | %g | %.1f | %.2f | %.1f%% |\n", s->name, s->duration_h,
                        s->output_interval_h, s->snapshot_interval_h, wall, sim_output_seconds(sm),
                        100.0 * sim_output_seconds(sm) / wall);
            fflush(streams[k]);
        }
        output_close(o);
        sim_destroy(sm);
        free(s);
    }
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int quick = 0;
    const char *out = "bench/RESULTS.md", *only = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0) quick = 1;
        else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) out = argv[++i];
        else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) only = argv[++i];
        else {
            fprintf(stderr, "bench: unknown argument '%s'\nusage: bench [--quick] [--only TEXT] [--out FILE]\n",
                    argv[i]);
            MPI_Finalize();
            return 2;
        }
    }
    static const bench_cfg full[] = {
        {"1e4 agents, 32^3", 10000, 32, 12, 10, 1, 1, BENCH_SYNTHETIC, 10},
        {"1e4 agents, 64^3", 10000, 64, 12, 10, 1, 0, BENCH_SYNTHETIC, 10},
        {"1e5 agents, 64^3", 100000, 64, 12, 10, 1, 1, BENCH_SYNTHETIC, 10},
        {"1e5 agents, 128^3", 100000, 128, 12, 6, 1, 0, BENCH_SYNTHETIC, 10},
        {"1e6 agents, 128^3", 1000000, 128, 12, 4, 1, 1, BENCH_SYNTHETIC, 10},
        {"1e6 agents, 256^3", 1000000, 256, 12, 3, 1, 0, BENCH_SYNTHETIC, 10},
        {"1e5 agents, 256^3 x 4", 100000, 256, 4, 3, 1, 0, BENCH_SYNTHETIC, 10},
        {"1e7 agents, 256^3 x 4", 10000000, 256, 4, 2, 1, 1, BENCH_SYNTHETIC, 10},
        {"PhysiCell diffusion: 200^3 voxels of 20 um x 8, no cells", 0, 200, 8, 5, 0, 0, BENCH_PC_DIFFUSION, 20},
        {"PhysiCell agents: 1e4 cells, 460 um cube, 20 um voxels x 4", 10000, 23, 4, 10, 0, 0, BENCH_PC_AGENTS, 20},
        {"PhysiCell agents: 1e5 cells, 1 mm cube, 20 um voxels x 4", 100000, 50, 4, 10, 0, 0, BENCH_PC_AGENTS, 20},
    };
    static const bench_cfg small[] = {
        {"1e4 agents, 64^3", 10000, 64, 12, 6, 1, 0, BENCH_SYNTHETIC, 10},
        {"1e5 agents, 64^3", 100000, 64, 12, 4, 1, 0, BENCH_SYNTHETIC, 10},
    };
    const bench_cfg *cfg = quick ? small : full;
    int ncfg = quick ? (int)(sizeof small / sizeof small[0]) : (int)(sizeof full / sizeof full[0]);
    ps_err err;
    ps_err_clear(&err);
    device *d = NULL;
    if (device_open(&d, -1, &err) != PS_OK) {
        fprintf(stderr, "bench: %s\n", err.msg);
        MPI_Finalize();
        return 1;
    }
    double copy = 0;
    if (bench_copy_bw(d, &copy, &err) != PS_OK) {
        fprintf(stderr, "bench: %s\n", err.msg);
        device_close(d);
        MPI_Finalize();
        return 1;
    }
    struct utsname u;
    uname(&u);
    char cpu[600] = "unknown";
    FILE *ci = fopen("/proc/cpuinfo", "r");
    char line[512];
    while (ci && fgets(line, sizeof line, ci))
        if (strncmp(line, "model name", 10) == 0) {
            char *c = strchr(line, ':');
            snprintf(cpu, sizeof cpu, "%s", c ? c + 2 : line);
            cpu[strcspn(cpu, "\n")] = '\0';
            break;
        }
    if (ci) fclose(ci);
    char date[32];
    time_t now = time(NULL);
    strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", gmtime(&now));
    FILE *f = fopen(out, "w");
    FILE *streams[2] = {stdout, f};
    for (int k = 0; k < 2; k++) {
        FILE *o = streams[k];
        if (!o) continue;
        fprintf(o, "# painsim bench\n\n- date: %s\n- machine: %s %s, %s, %ld cores\n- device: %s\n"
                   "- commit: %s (painsim %s)\n- copy bandwidth (float4 copy kernel, read + write): "
                   "**%.1f GB/s**\n- device memory per agent: %zu B per capacity slot; at the "
                   "default capacity factor 2, %zu B per live agent\n\n",
                date, u.sysname, u.machine, cpu, sysconf(_SC_NPROCESSORS_ONLN), device_description(d),
                painsim_git_hash(), painsim_version(), copy, agents_bytes_per_agent(),
                2 * agents_bytes_per_agent());
        fprintf(o, "| configuration | agents | ms/step |");
        for (int p = 0; p < SIM_PH_COUNT; p++) fprintf(o, " %s ms |", sim_phase_name(p));
        fprintf(o, " agent-updates/s | cell-updates/s, whole step | voxel-updates/s |");
        for (int p = 0; p < SIM_PH_SUMMARY; p++) fprintf(o, " %s GB/s (%% copy) |", sim_phase_name(p));
        fprintf(o, "\n|---|---|---|");
        for (int p = 0; p < SIM_PH_COUNT; p++) fprintf(o, "---|");
        fprintf(o, "---|---|---|");
        for (int p = 0; p < SIM_PH_SUMMARY; p++) fprintf(o, "---|");
        fprintf(o, "\n");
        fflush(o);
    }
    int failed = 0;
    bench_result res[16];
    int ok[16] = {0};
    for (int i = 0; i < ncfg; i++) {
        if (only && !strstr(cfg[i].name, only)) continue;
        bench_result r;
        ps_err_clear(&err);
        double t0 = bench_now();
        bench_cfg warm = cfg[i];
        warm.steps = 3;
        if (bench_run(d, &warm, 0, &r, &err) != PS_OK || bench_run(d, &cfg[i], 1, &r, &err) != PS_OK) {
            for (int k = 0; k < 2; k++)
                if (streams[k]) fprintf(streams[k], "| %s | failed: %s |\n", cfg[i].name, err.msg);
            failed = 1;
            continue;
        }
        for (int k = 0; k < 2; k++) {
            FILE *o = streams[k];
            if (!o) continue;
            fprintf(o, "| %s | %.0f | %.1f |", cfg[i].name, r.agents, r.step_ms);
            for (int p = 0; p < SIM_PH_COUNT; p++) fprintf(o, " %.2f |", r.ms[p]);
            fprintf(o, " %.3g | %.3g | %.3g |", r.agent_updates_s,
                    r.step_ms > 0 ? r.agents / (r.step_ms * 1e-3) : 0, r.voxel_updates_s);
            for (int p = 0; p < SIM_PH_SUMMARY; p++) fprintf(o, " %.2f (%.0f%%) |", r.gbs[p], 100 * r.gbs[p] / copy);
            fprintf(o, "\n");
            fflush(o);
        }
        fprintf(stderr, "bench: %s done in %.0f s\n", cfg[i].name, bench_now() - t0);
        res[i] = r;
        ok[i] = 1;
    }
    bench_scaling(streams, cfg, res, ok, ncfg);
    for (int k = 0; k < 2; k++) {
        FILE *o = streams[k];
        if (!o) continue;
        fprintf(o, "\n## Field solve against the bandwidth bound\n\nBytes per value (voxel x mediator) per "
                   "step: the model of what the solve moves (bench_bytes), against 16 B per value, the bound "
                   "of any solve that reads and writes every value once per step; the bound time is 16 B per "
                   "value at the copy bandwidth of this run.\n\n| configuration | values | field solve ms | "
                   "modelled B/value | GB/s (%% copy) | bound ms at 16 B/value | bound / measured |\n"
                   "|---|---|---|---|---|---|---|\n");
        for (int i = 0; i < ncfg; i++) {
            if (!ok[i]) continue;
            const bench_result *r = &res[i];
            double vals = (double)cfg[i].n * cfg[i].n * cfg[i].n * cfg[i].nmed;
            double b = bench_bytes(SIM_PH_FIELD, r->agents, (double)cfg[i].n * cfg[i].n * cfg[i].n, cfg[i].nmed,
                                   r->passes);
            double bound = 16.0 * vals / (copy * 1e9) * 1e3;
            fprintf(o, "| %s | %.3g | %.1f | %.1f | %.2f (%.0f%%) | %.1f | %.0f%% |\n", cfg[i].name, vals,
                    r->ms[SIM_PH_FIELD], b / vals, r->gbs[SIM_PH_FIELD], 100 * r->gbs[SIM_PH_FIELD] / copy,
                    bound, r->ms[SIM_PH_FIELD] > 0 ? 100 * bound / r->ms[SIM_PH_FIELD] : 0);
        }
        fflush(o);
    }
    for (int k = 0; k < 2; k++) {
        FILE *o = streams[k];
        if (!o) continue;
        fprintf(o, "\n## Host-device copies outside output\n\n| configuration | steps | copies in steps | "
                   "capacity checks | copies per check | bytes per check |\n|---|---|---|---|---|---|\n");
        for (int i = 0; i < ncfg; i++) {
            if (!ok[i]) continue;
            const bench_result *r = &res[i];
            double per = r->checks > 0 ? (double)(r->xc.reads + r->xc.writes) / (double)r->checks : 0;
            double bpc = r->checks > 0 ? (double)(r->xc.bytes_read + r->xc.bytes_written) / (double)r->checks : 0;
            fprintf(o, "| %s | %ld | %llu | %ld | %.1f | %.0f |\n", cfg[i].name, r->steps,
                    r->xs.reads + r->xs.writes, r->checks, per, bpc);
        }
        fflush(o);
    }
    if (!only) bench_output_share(d, streams, quick);
    if (f) fclose(f);
    device_close(d);
    MPI_Finalize();
    return failed;
}
