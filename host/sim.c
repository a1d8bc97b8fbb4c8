/* sim.c — the step loop.
 *
 * Per step and tissue, all enqueued on one in-order queue with no host wait:
 *   drug exposure (pk) -> bin agents (cell list) -> secretion/uptake gather -> field
 *   step (reaction + implicit diffusion) -> signal (JAK/STAT3, state transitions, fate)
 *   -> move (walk, chemotaxis, repulsion) -> compact (deaths, divisions) -> recruit
 *   (entries from the blood).
 * The sequence is written once (sim_step); a decomposed run adds the exchanges of
 * decomp.h at their places (migration before the cell list, halos and the z solve in
 * the field step, numbering of births and entries across ranks, the neurons' merge),
 * and those hooks reduce to the single-rank calls when there is no decomposition.
 * The host touches the device only at output intervals: it reads the counters (and
 * grows capacity), reduces the summary on the device, and at snapshot intervals copies
 * fields and agents out for HDF5.
 */
#include "sim.h"

#include "checkpoint.h"
#include "decomp.h"
#include "summary.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SIM_PROGRESS_S 3.0
/* capacity is checked (one small counter read per tissue) at least this often, so a
   burst of entries from the blood or of divisions finds room before it fills the pool */
#define SIM_CAPACITY_CHECK_STEPS 8

typedef struct {
    field_set *fields;
    agents *agents;
    uint64_t last_count;
} sim_tissue;

struct sim {
    sim_ctx ctx;
    const scenario *s;
    agents_kernels *ak;
    pk *pk;
    neurons *neurons;
    sim_tissue t[SCN_MAX_TISSUES];
    decomp *dc;                     /* domain decomposition, or NULL */
    int prof_on;                    /* phase profiling (make bench) */
    double output_s;                /* wall time of summary and snapshot writing, always kept */
    device_transfers xfer_step;     /* host <-> device copies inside sim_step */
    device_transfers xfer_check;    /* ... in the capacity checks between steps */
    long n_checks;
    double prof_s[SIM_PH_COUNT];
    long prof_n[SIM_PH_COUNT];
    long step;
    long n_steps, out_every, snap_every;
    summary *summary;               /* the summary columns (summary.h) */
};

static double sim_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static long sim_steps_of(double hours, double dt_min)
{
    return lround(hours * 60.0 / dt_min);
}

size_t sim_device_bytes(const scenario *s)
{
    size_t total = 0;
    for (int t = 0; t < s->n_tissues; t++) {
        const scn_tissue *ts = &s->tissues[t];
        int64_t n = 0;
        for (int k = 0; k < ts->n_seedings; k++) n += ts->seedings[k].count;
        double cap = s->agent_capacity_factor * (double)n;
        if (cap < 1024) cap = 1024;
        int dims[3];
        scenario_tissue_dims(ts, dims);
        size_t nvox = (size_t)dims[0] * dims[1] * dims[2];
        total += field_device_bytes(s, t);
        total += (size_t)cap * agents_bytes_per_agent();
        total += 3 * nvox * sizeof(cl_uint);                  /* cell list */
        total += (size_t)((cap > (double)nvox ? cap : (double)nvox) / 1024 + 64) * 4;  /* scan */
    }
    return total;
}

/* The summary columns of the tissues' fields as created (summary.h). */
static ps_status sim_summary_create(sim *sm, ps_err *err)
{
    summary_layout lay;
    memset(&lay, 0, sizeof lay);
    for (int t = 0; t < sm->s->n_tissues; t++) {
        const field_params *fp = field_get_params(sm->t[t].fields);
        lay.n_fields[t] = fp->nf;
        for (int l = 0; l < fp->nf; l++) lay.mediator_of[t][l] = fp->mediator_of[l];
    }
    return summary_create(&sm->summary, sm->s, &lay, err);
}

ps_status sim_create(sim **out, const sim_ctx *ctx, const scenario *s, ps_err *err)
{
    *out = NULL;
    const device_info *di = device_get_info(ctx->dev);
    size_t need = sim_device_bytes(s);
    if (ctx->decompose && ctx->size > 1) need /= (size_t)ctx->size;   /* about a slab's share */
    if ((double)need > 0.9 * (double)di->global_mem_bytes)
        return ps_err_set(err, PS_ERR_MEMORY,
                          "%s: scenario needs about %.1f MiB of device memory, device '%s' has "
                          "%.1f MiB (90%% usable): make the grids coarser (voxel_um), the tissues "
                          "smaller or the populations smaller, or choose a larger device "
                          "(--device; on PoCL raise POCL_MEMORY_LIMIT, in GiB)",
                          s->source_path, need / 1048576.0, di->name,
                          di->global_mem_bytes / 1048576.0);
    sim *sm = calloc(1, sizeof *sm);
    if (!sm) return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    sm->ctx = *ctx;
    sm->s = s;
    sm->n_steps = sim_steps_of(s->duration_h, s->dt_min);
    sm->out_every = sim_steps_of(s->output_interval_h, s->dt_min);
    sm->snap_every = sim_steps_of(s->snapshot_interval_h, s->dt_min);
    if (sm->out_every < 1) sm->out_every = 1;
    if (sm->snap_every < 1) sm->snap_every = 1;
    ps_status st = PS_OK;
    if (ctx->decompose) st = decomp_create(&sm->dc, ctx->comm, s, err);
    if (st == PS_OK) st = agents_kernels_create(&sm->ak, ctx->dev, err);
    if (st == PS_OK) st = pk_create(&sm->pk, ctx->dev, s, err);
    if (st == PS_OK) st = neurons_create(&sm->neurons, ctx->dev, s, err);
    for (int t = 0; t < s->n_tissues && st == PS_OK; t++) {
        tissue_grid g;
        if (sm->dc) decomp_grid(sm->dc, t, &g);
        else tissue_grid_init(&g, &s->tissues[t]);
        st = field_create_grid(&sm->t[t].fields, ctx->dev, s, t, &g, err);
        agents_host h, own;
        memset(&h, 0, sizeof h);
        memset(&own, 0, sizeof own);
        if (st == PS_OK) st = agents_initial(s, t, &h, err);
        if (st == PS_OK && sm->dc) st = decomp_initial(sm->dc, t, &h, &own, err);
        if (st == PS_OK)
            st = agents_create_grid(&sm->t[t].agents, ctx->dev, sm->ak, s, t, sm->t[t].fields,
                                    sm->dc ? &own : &h, sm->dc ? &g : NULL, err);
        if (st == PS_OK && sm->dc) st = agents_set_next_id(sm->t[t].agents, decomp_next_id(sm->dc, t), err);
        sm->t[t].last_count = sm->dc ? own.n : h.n;
        agents_host_free(&h);
        agents_host_free(&own);
    }
    if (st == PS_OK) st = sim_summary_create(sm, err);
    if (st != PS_OK) {
        sim_destroy(sm);
        return st;
    }
    *out = sm;
    return PS_OK;
}

void sim_destroy(sim *sm)
{
    if (!sm) return;
    for (int t = 0; t < SCN_MAX_TISSUES; t++) {
        agents_destroy(sm->t[t].agents);
        field_destroy(sm->t[t].fields);
    }
    agents_kernels_destroy(sm->ak);
    decomp_destroy(sm->dc);
    pk_destroy(sm->pk);
    neurons_destroy(sm->neurons);
    summary_destroy(sm->summary);
    free(sm);
}

long sim_step_index(const sim *sm) { return sm->step; }
void sim_set_step(sim *sm, long step) { sm->step = step; }
const scenario *sim_scenario(const sim *sm) { return sm->s; }
struct decomp *sim_decomp(sim *sm) { return sm->dc; }
MPI_Comm sim_comm(const sim *sm) { return sm->ctx.comm; }
double sim_time_h(const sim *sm) { return (double)sm->step * sm->s->dt_min / 60.0; }
field_set *sim_fields(sim *sm, int t) { return sm->t[t].fields; }
agents *sim_agents(sim *sm, int t) { return sm->t[t].agents; }
neurons *sim_neurons(sim *sm) { return sm->neurons; }

static const char *const sim_phase_names[SIM_PH_COUNT] = {
    "cell list", "secretion/uptake", "field solve", "signalling ODEs", "agent step (move)",
    "compaction", "summary", "snapshot"};

const char *sim_phase_name(int phase) { return sim_phase_names[phase]; }

void sim_profile_enable(sim *sm)
{
    sm->prof_on = 1;
    memset(sm->prof_s, 0, sizeof sm->prof_s);
    memset(sm->prof_n, 0, sizeof sm->prof_n);
}

void sim_profile(const sim *sm, double seconds[SIM_PH_COUNT], long calls[SIM_PH_COUNT])
{
    for (int p = 0; p < SIM_PH_COUNT; p++) {
        seconds[p] = sm->prof_s[p];
        calls[p] = sm->prof_n[p];
    }
}

double sim_output_seconds(const sim *sm) { return sm->output_s; }

void sim_transfers(const sim *sm, device_transfers *in_steps, device_transfers *in_checks,
                   long *n_checks)
{
    *in_steps = sm->xfer_step;
    *in_checks = sm->xfer_check;
    *n_checks = sm->n_checks;
}

/* Runs `call`, timed (device idle before and after) when profiling -- as phase ph -- or
 * when total is not NULL, which then accumulates the seconds. */
#define SIM_TIMED(sm, ph, call, total)                                                \
    do {                                                                              \
        double *sim_tot_ = (total);                                                   \
        int sim_timed_ = (sm)->prof_on || sim_tot_ != NULL;                           \
        double sim_t0_ = 0;                                                           \
        if (sim_timed_) {                                                             \
            PS_TRY(device_finish((sm)->ctx.dev, err));                                \
            sim_t0_ = sim_now();                                                      \
        }                                                                             \
        PS_TRY(call);                                                                 \
        if (sim_timed_) {                                                             \
            PS_TRY(device_finish((sm)->ctx.dev, err));                                \
            double sim_dt_ = sim_now() - sim_t0_;                                     \
            if (sim_tot_) *sim_tot_ += sim_dt_;                                       \
            if ((sm)->prof_on) {                                                      \
                (sm)->prof_s[ph] += sim_dt_;                                          \
                (sm)->prof_n[ph]++;                                                   \
            }                                                                         \
        }                                                                             \
    } while (0)

/* Runs `call`, timed as phase ph when profiling. */
#define SIM_PHASE(sm, ph, call) SIM_TIMED(sm, ph, call, NULL)

/* Runs an output call (summary or snapshot), timed always into run.json "output_s" (the
 * device drained first, so queued steps are not counted as output); phase ph too when
 * profiling. */
#define SIM_OUTPUT(sm, ph, call) SIM_TIMED(sm, ph, call, &(sm)->output_s)

/* The step sequence, written once. The decomposition hooks (decomp.h: migration and
 * ghosts, the field step with halos and the z solve across ranks, births and entries
 * numbered across ranks, the neurons' merge) do the single-rank operation, or nothing,
 * when the run is not decomposed (sm->dc NULL). */
ps_status sim_step(sim *sm, ps_err *err)
{
    uint32_t step = (uint32_t)(sm->step + 1);
    double t_min = (double)sm->step * sm->s->dt_min;   /* time at the start of the step */
    decomp *dc = sm->dc;
    PS_TRY(pk_update(sm->pk, t_min, err));
    PS_TRY(neurons_update(sm->neurons, pk_exposure(sm->pk), err));
    decomp_begin_step(dc);
    for (int t = 0; t < sm->s->n_tissues; t++) {
        sim_tissue *T = &sm->t[t];
        PS_TRY(decomp_exchange_agents(dc, t, T->agents, err));
        SIM_PHASE(sm, SIM_PH_CELLLIST, agents_bin(T->agents, err));
        SIM_PHASE(sm, SIM_PH_SECRETE, agents_secrete(T->agents, T->fields, t_min, err));
        SIM_PHASE(sm, SIM_PH_FIELD, decomp_field_step(dc, t, T->fields, err));
        SIM_PHASE(sm, SIM_PH_SIGNAL,
                  agents_signal(T->agents, T->fields, pk_jak_factors(sm->pk),
                                neurons_injury_buffer(sm->neurons), neurons_lesion_buffer(sm->neurons),
                                neurons_signal_buffer(sm->neurons), neurons_state_buffer(sm->neurons), step, t_min, err));
        SIM_PHASE(sm, SIM_PH_SIGNAL, agents_contact(T->agents, step, err));
        SIM_PHASE(sm, SIM_PH_MOVE, agents_move(T->agents, T->fields, step, err));
        SIM_PHASE(sm, SIM_PH_COMPACT, decomp_compact(dc, t, T->agents, step, err));
        SIM_PHASE(sm, SIM_PH_COMPACT,
                  decomp_recruit(dc, t, T->agents, T->fields, pk_jak_factors(sm->pk), step, err));
    }
    PS_TRY(decomp_merge_neurons(dc, sm->neurons, sm->ctx.dev, err));
    sm->step++;
    return PS_OK;
}

/* Summary reductions: this rank's values, combined over the ranks when decomposed
 * (counts exactly; sums of floats in rank order, so they differ from one rank's sums by
 * rounding). */
static ps_status sim_count_states(sim *sm, int t, uint32_t *counts, ps_err *err)
{
    PS_TRY(agents_count_states(sm->t[t].agents, counts, err));
    if (sm->dc) CHECK_MPI(MPI_Allreduce(MPI_IN_PLACE, counts, SCN_MAX_TYPES * PS_MAX_STATES, MPI_UINT32_T,
                                        MPI_SUM, sm->ctx.comm), err);
    return PS_OK;
}

static ps_status sim_var_means(sim *sm, int t, int var, const uint32_t *counts, double *means,
                               ps_err *err)
{
    int nt = sm->s->n_types;
    double sums[SCN_MAX_TYPES] = {0};
    if (nt == 0) return PS_OK;
    PS_TRY(agents_var_sums(sm->t[t].agents, var, sums, err));
    if (sm->dc) CHECK_MPI(MPI_Allreduce(MPI_IN_PLACE, sums, nt, MPI_DOUBLE, MPI_SUM, sm->ctx.comm), err);
    agents_means_from_sums(nt, counts, sums, means);
    return PS_OK;
}

static ps_status sim_field_stats(sim *sm, int t, double *mean, double *max, ps_err *err)
{
    field_set *fs = sm->t[t].fields;
    const field_params *fp = field_get_params(fs);
    PS_TRY(field_stats_sums(fs, mean, max, err));
    if (sm->dc) {
        CHECK_MPI(MPI_Allreduce(MPI_IN_PLACE, mean, fp->nf, MPI_DOUBLE, MPI_SUM, sm->ctx.comm), err);
        CHECK_MPI(MPI_Allreduce(MPI_IN_PLACE, max, fp->nf, MPI_DOUBLE, MPI_MAX, sm->ctx.comm), err);
    }
    double nvox = (double)fp->dims[0] * fp->dims[1] * fp->grid.nz_global;
    for (int l = 0; l < fp->nf; l++) mean[l] /= nvox;
    return PS_OK;
}

/* Summary row: the interval's reductions (counts per type and state, mean pSTAT3, mean
 * and max per field, drug exposure and J, the pain readout) into a summary_sample, which
 * the summary table (summary.h) turns into the row. */
static ps_status sim_summary(sim *sm, output *o, ps_err *err)
{
    const scenario *s = sm->s;
    summary_sample x;
    memset(&x, 0, sizeof x);
    uint32_t counts[SCN_MAX_TYPES * PS_MAX_STATES];
    double p3[SCN_MAX_TYPES];
    for (int t = 0; t < s->n_tissues; t++) {
        PS_TRY(sim_count_states(sm, t, counts, err));
        PS_TRY(sim_var_means(sm, t, VAR_PSTAT3, counts, p3, err));
        for (int ty = 0; ty < s->n_types; ty++) {
            for (int st = 0; st < s->types[ty].n_states; st++)
                x.cells[t][ty][st] = counts[ty * PS_MAX_STATES + st];
            x.pstat3_mean[t][ty] = p3[ty];
        }
        PS_TRY(sim_field_stats(sm, t, x.field_mean_nM[t], x.field_max_nM[t], err));
    }
    /* drug exposure per tissue from the double-precision reference (the kernels use
     * the same formula in float; tests/test_signal.c holds them within 1e-4) */
    for (int d = 0; d < s->n_drugs; d++)
        for (int t = 0; t < s->n_tissues; t++)
            x.exposure_nM[d][t] = pk_exposure_nM_ref(s, d, t, sim_time_h(sm));
    if (s->n_drugs > 0) {           /* the device's own J table, as the kernels use it */
        float J[SCN_MAX_TISSUES * SCN_MAX_MEDIATORS], ex[SCN_MAX_DRUGS * SCN_MAX_TISSUES];
        PS_TRY(pk_read(sm->pk, J, ex, err));
        for (int t = 0; t < s->n_tissues; t++)
            for (int m = 0; m < s->n_mediators; m++) x.signal_kept[t][m] = J[t * s->n_mediators + m];
    }
    if (s->neurons.enabled) {
        neurons_readout_t r;
        PS_TRY(neurons_readout(sm->neurons, &r, err));
        x.pain_S = r.sensitization;
        double src[SUMMARY_N_SOURCES] = {r.intrinsic, r.soma, r.peripheral, r.priming, r.central, r.memory};
        memcpy(x.pain_source, src, sizeof src);
        x.pain_drive = r.drive;
        x.pain_gain = r.gain;
        x.pain_memory = r.memory_state;
        x.pain_priming = r.priming_state;
        memcpy(x.pain_by_mediator, r.by_mediator, sizeof r.by_mediator);
        PS_TRY(neurons_injured_fraction(sm->neurons, &x.injured_fraction, err));
    }
    const double *row = NULL;
    PS_TRY(summary_fill(sm->summary, &x, &row, err));
    return output_summary_row(o, sim_time_h(sm), row, err);
}

static ps_status sim_snapshot(sim *sm, output *o, ps_err *err)
{
    const scenario *s = sm->s;
    int nt = s->n_tissues;
    output_tissue ot[SCN_MAX_TISSUES];
    agents_host ah[SCN_MAX_TISSUES];
    float *conc[SCN_MAX_TISSUES];
    float *world[SCN_MAX_TISSUES];
    int32_t *types[SCN_MAX_TISSUES], *states[SCN_MAX_TISSUES];
    const char *fnames[SCN_MAX_TISSUES][SCN_MAX_MEDIATORS];
    const float *fptr[SCN_MAX_TISSUES][SCN_MAX_MEDIATORS];
    const char *vnames[AGENTS_NVARS], *vunits[AGENTS_NVARS];
    const float *vptr[SCN_MAX_TISSUES][AGENTS_NVARS];
    float *vscaled[SCN_MAX_TISSUES];
    memset(ah, 0, sizeof ah);
    memset(conc, 0, sizeof conc);
    memset(world, 0, sizeof world);
    memset(types, 0, sizeof types);
    memset(states, 0, sizeof states);
    memset(vscaled, 0, sizeof vscaled);
    for (int k = 0; k < AGENTS_NVARS; k++) {
        vnames[k] = agents_var_name(k);
        vunits[k] = agents_var_unit(k);
    }
    ps_status st = PS_OK;
    for (int t = 0; t < nt && st == PS_OK; t++) {
        const scn_tissue *ts = &s->tissues[t];
        const field_params *fp = field_get_params(sm->t[t].fields);
        size_t fn = (size_t)fp->nf * fp->nvox;
        conc[t] = malloc((fn ? fn : 1) * sizeof(float));
        if (!conc[t]) st = ps_err_set(err, PS_ERR_MEMORY, "out of host memory for a snapshot");
        if (st == PS_OK) st = field_download(sm->t[t].fields, conc[t], err);
        if (st == PS_OK) st = agents_download(sm->t[t].agents, &ah[t], err);
        if (st != PS_OK) break;
        size_t n = ah[t].n, m = n ? n : 1;
        world[t] = malloc(3 * m * sizeof(float));
        types[t] = malloc(m * sizeof(int32_t));
        states[t] = malloc(m * sizeof(int32_t));
        vscaled[t] = malloc(AGENTS_NVARS * m * sizeof(float));
        if (!world[t] || !types[t] || !states[t] || !vscaled[t]) {
            st = ps_err_set(err, PS_ERR_MEMORY, "out of host memory for a snapshot");
            break;
        }
        for (size_t i = 0; i < n; i++) {
            for (int a = 0; a < 3; a++)
                world[t][3 * i + a] = (float)(ts->origin_um[a] + ah[t].pos[3 * i + a]);
            types[t][i] = ah[t].type[i];
            states[t][i] = ah[t].state[i];
        }
        /* var 0 is the age, kept in minutes on the device, written in hours */
        for (size_t i = 0; i < n; i++) vscaled[t][i] = ah[t].vars[i] / 60.0f;
        for (int k = 1; k < AGENTS_NVARS; k++)
            memcpy(vscaled[t] + (size_t)k * n, ah[t].vars + (size_t)k * n, n * sizeof(float));
        for (int l = 0; l < fp->nf; l++) {
            fnames[t][l] = s->mediators[fp->mediator_of[l]].name;
            fptr[t][l] = conc[t] + (size_t)l * fp->nvox;
        }
        for (int k = 0; k < AGENTS_NVARS; k++) vptr[t][k] = vscaled[t] + (size_t)k * n;
        int part = sm->dc != NULL, z0 = 0, nzp = 0;
        uint64_t off = 0, total = n;
        if (part) {                 /* this rank's planes and agent rows of the tissue */
            const tissue_grid *g = &fp->grid;
            size_t plane = (size_t)fp->dims[0] * (size_t)fp->dims[1];
            for (int l = 0; l < fp->nf; l++) fptr[t][l] = conc[t] + (size_t)l * fp->nvox + plane * (size_t)g->lo[2];
            z0 = g->zoff + g->lo[2];
            nzp = g->hi[2] - g->lo[2];
            uint64_t mine = n;
            st = PSMPI_CALL(MPI_Exscan(&mine, &off, 1, MPI_UINT64_T, MPI_SUM, sm->ctx.comm), err);
            if (sm->ctx.rank == 0) off = 0;
            if (st == PS_OK)
                st = PSMPI_CALL(MPI_Allreduce(&mine, &total, 1, MPI_UINT64_T, MPI_SUM, sm->ctx.comm), err);
            if (st != PS_OK) break;
        }
        ot[t] = (output_tissue){
            .part = part, .z0 = z0, .nz_part = nzp, .agent_offset = off, .n_agents_total = total,
            .tissue = ts, .n_fields = fp->nf, .field_names = fnames[t], .fields = fptr[t],
            .n_agents = n, .position_um = world[t], .id = ah[t].id, .type = types[t],
            .state = states[t], .n_vars = AGENTS_NVARS, .var_names = vnames,
            .var_units = vunits, .vars = vptr[t]};
    }
    if (st == PS_OK) st = output_snapshot(o, sm->step, sim_time_h(sm), nt, ot, err);
    for (int t = 0; t < nt; t++) {
        agents_host_free(&ah[t]);
        free(conc[t]);
        free(world[t]);
        free(types[t]);
        free(states[t]);
        free(vscaled[t]);
    }
    return st;
}

/* Numerical guards at output intervals: any NaN, infinity or negative concentration, and
 * any agent with a non-finite state or outside its tissue, stops the run with where it
 * is and the likely cause. Never a silent clamp. In a decomposed run every rank learns
 * of a failure on any rank (the rank that found it has the message). */
#define SIM_NEG_TOL_NM 1e-5f

static ps_status sim_guard(sim *sm, ps_err *err)
{
    const scenario *s = sm->s;
    ps_status st = PS_OK;
    /* the first bad field value and the first bad cell: either can be the cause of the
       other (a NaN field makes NaN signals; a NaN cell secretes NaN), so both are named */
    char fmsg[1024] = "", amsg[1024] = "";
    for (int t = 0; t < s->n_tissues && st == PS_OK && !fmsg[0]; t++) {
        field_set *fs = sm->t[t].fields;
        const field_params *fp = field_get_params(fs);
        int f = -1;
        size_t v = 0;
        float val = 0;
        st = field_check(fs, SIM_NEG_TOL_NM, &f, &v, &val, err);
        if (st != PS_OK || f < 0) continue;
        int nx = fp->dims[0], ny = fp->dims[1];
        int x = (int)(v % (size_t)nx), y = (int)(v / (size_t)nx % (size_t)ny);
        int z = (int)(v / ((size_t)nx * ny)) + fp->grid.zoff;
        const char *what = isnan(val) ? "NaN" : isinf(val) ? "infinite" : "negative";
        if (isnan(val)) val = NAN;          /* print "nan", not "-nan" */
        snprintf(fmsg, sizeof fmsg, "tissue %s, field %s is %s (%.3g nM) at voxel (%d, %d, %d): %s",
                 s->tissues[t].name, s->mediators[fp->mediator_of[f]].name, what, (double)val, x, y, z,
                 isnan(val) || isinf(val)
                     ? "the concentration overflowed; likely a secretion rate or a region source "
                       "(sources_nM_per_min) far too high for this grid, or a state that adds "
                       "without limit"
                     : "a negative concentration means a sink or uptake removed more than there "
                       "was; likely an uptake or sink rate too high for time.dt_min, or a negative "
                       "initial value");
    }
    for (int t = 0; t < s->n_tissues && st == PS_OK && !amsg[0]; t++) {
        long bad = -1;
        agents_host one;
        memset(&one, 0, sizeof one);
        st = agents_check(sm->t[t].agents, &bad, &one, err);
        if (st == PS_OK && bad >= 0) {
            int finite_pos = isfinite(one.pos[0]) && isfinite(one.pos[1]) && isfinite(one.pos[2]);
            snprintf(amsg, sizeof amsg,
                     "tissue %s, agent %llu (a %s) %s: position (%g, %g, %g) um, pstat3 %g, socs3 %g: %s",
                     s->tissues[t].name, (unsigned long long)one.id[0],
                     s->types[one.type[0] < s->n_types ? one.type[0] : 0].name,
                     finite_pos ? "has a non-finite variable or lies outside the tissue"
                                : "has a non-finite position",
                     (double)one.pos[0], (double)one.pos[1], (double)one.pos[2],
                     (double)(isnan(one.vars[VAR_PSTAT3]) ? NAN : one.vars[VAR_PSTAT3]),
                     (double)(isnan(one.vars[VAR_SOCS3]) ? NAN : one.vars[VAR_SOCS3]),
                     finite_pos ? "likely a signalling rate (jak_stat3) too high for time.dt_min, "
                                  "or the NaN field it senses"
                                : "likely a speed or chemotaxis speed too high, or a field that "
                                  "overflowed (its gradient steers cells)");
        }
        agents_host_free(&one);
    }
    if (st == PS_OK && (fmsg[0] || amsg[0]))
        st = ps_err_set(err, PS_ERR_NUMERIC, "step %ld (t = %.2f h): %s%s%s", sm->step, sim_time_h(sm),
                        fmsg, fmsg[0] && amsg[0] ? "; and " : "", amsg);
    return sm->dc ? ps_status_agree(sm->ctx.comm, st, err) : st;
}

/* Every few steps and at outputs: read counters, grow capacity, warn about dropped births. */
static ps_status sim_check_agents(sim *sm, uint64_t *total, ps_err *err)
{
    *total = 0;
    for (int t = 0; t < sm->s->n_tissues; t++) {
        uint64_t dropped = 0, n = 0;
        PS_TRY(agents_check_capacity(sm->t[t].agents, &dropped, &n, err));
        if (dropped > 0)
            log_warn(&sm->ctx.log,
                     "tissue %s: %llu cell divisions or entries from the blood before t = %.2f h found no free slot and were "
                     "skipped; capacity has grown, raise engine.agent_capacity_factor to avoid it",
                     sm->s->tissues[t].name, (unsigned long long)dropped, sim_time_h(sm));
        sm->t[t].last_count = n;
        *total += n;
    }
    if (sm->dc) {
        uint64_t mine = *total;
        CHECK_MPI(MPI_Allreduce(&mine, total, 1, MPI_UINT64_T, MPI_SUM, sm->ctx.comm), err);
    }
    return PS_OK;
}

static void sim_progress(const sim *sm, double t0, uint64_t agents_now)
{
    double el = sim_now() - t0;
    double rate = el > 0 ? (double)sm->step / el : 0;
    double eta = rate > 0 ? (double)(sm->n_steps - sm->step) / rate : 0;
    log_info(&sm->ctx.log,
             "t = %.2f h of %.2f h (%.0f%%), %.1f steps/s, %llu agents, elapsed %.0f s, ETA %.0f s",
             sim_time_h(sm), sm->s->duration_h, 100.0 * (double)sm->step / (double)sm->n_steps,
             rate, (unsigned long long)agents_now, el, eta);
}

/* The state a checkpoint saves (checkpoint.h): this run's modules, step and next ids. */
static void sim_checkpoint_state(sim *sm, checkpoint_state *cs)
{
    memset(cs, 0, sizeof *cs);
    cs->s = sm->s;
    for (int t = 0; t < sm->s->n_tissues; t++) {
        cs->tissue[t].agents = sm->t[t].agents;
        cs->tissue[t].fields = sm->t[t].fields;
        cs->tissue[t].next_id = sm->dc ? decomp_next_id(sm->dc, t) : 0;
    }
    cs->neurons = sm->neurons;
    cs->step = sm->step;
    cs->time_h = sim_time_h(sm);
    cs->comm = sm->dc ? sm->ctx.comm : MPI_COMM_NULL;
}

ps_status sim_checkpoint_read(sim *sm, output *o, const char *path, ps_err *err)
{
    checkpoint_state cs;
    sim_checkpoint_state(sm, &cs);
    PS_TRY(checkpoint_read(&cs, o, path, err));
    if (sm->dc)
        for (int t = 0; t < sm->s->n_tissues; t++) decomp_set_next_id(sm->dc, t, cs.tissue[t].next_id);
    sm->step = cs.step;
    return PS_OK;
}

ps_status sim_output_columns(sim *sm, output *o, ps_err *err)
{
    return summary_declare(sm->summary, o, err);
}

ps_status sim_run(sim *sm, output *o, ps_err *err)
{
    double t0 = sim_now(), last_print = t0;
    uint64_t total = 0;
    long first = sm->step;
    PS_TRY(sim_check_agents(sm, &total, err));
    if (first == 0) {               /* a resumed run has these rows and snapshots already */
        PS_TRY(sim_output_columns(sm, o, err));
        SIM_OUTPUT(sm, SIM_PH_SUMMARY, sim_summary(sm, o, err));
        SIM_OUTPUT(sm, SIM_PH_SNAPSHOT, sim_snapshot(sm, o, err));
    }
    long ck_every = sm->ctx.checkpoint_every_h > 0 ? sim_steps_of(sm->ctx.checkpoint_every_h, sm->s->dt_min) : 0;
    if (sm->ctx.checkpoint_every_h > 0 && ck_every < 1) ck_every = 1;
    log_info(&sm->ctx.log, "running %s: %.2f h in %ld steps of %.3g min on %s%s",
             sm->s->name, sm->s->duration_h, sm->n_steps, sm->s->dt_min,
             device_description(sm->ctx.dev), first > 0 ? " (resumed)" : "");
    if (first > 0)
        log_info(&sm->ctx.log, "resuming at step %ld, t = %.2f h", first, sim_time_h(sm));
    while (sm->step < sm->n_steps) {
        device_transfers x0 = device_transfer_counts(sm->ctx.dev);
        PS_TRY(sim_step(sm, err));
        device_transfers_add(&sm->xfer_step, device_transfer_counts(sm->ctx.dev), x0);
        if (sm->ctx.poll) sm->ctx.poll(sm->ctx.poll_arg);
        int last = sm->step == sm->n_steps;
        int out_now = sm->step % sm->out_every == 0 || last;
        int snap_now = sm->step % sm->snap_every == 0 || last;
        if (out_now || sm->step % SIM_CAPACITY_CHECK_STEPS == 0) {
            x0 = device_transfer_counts(sm->ctx.dev);
            PS_TRY(sim_check_agents(sm, &total, err));
            device_transfers_add(&sm->xfer_check, device_transfer_counts(sm->ctx.dev), x0);
            sm->n_checks++;
        }
        if (out_now) PS_TRY(sim_guard(sm, err));
        if (out_now) SIM_OUTPUT(sm, SIM_PH_SUMMARY, sim_summary(sm, o, err));
        if (snap_now) SIM_OUTPUT(sm, SIM_PH_SNAPSHOT, sim_snapshot(sm, o, err));
        int stop = sm->ctx.stop && *sm->ctx.stop;
        if (sm->dc) {               /* ranks see a signal at different steps: agree */
            int any = 0;
            CHECK_MPI(MPI_Allreduce(&stop, &any, 1, MPI_INT, MPI_MAX, sm->ctx.comm), err);
            stop = any;
        }
        if (!last && ((ck_every > 0 && sm->step % ck_every == 0) || stop)) {
            char path[4096];
            checkpoint_state cs;
            sim_checkpoint_state(sm, &cs);
            PS_TRY(checkpoint_write(&cs, o, sm->ctx.checkpoint_every_h, path, sizeof path, err));
            if (stop) {
                PS_TRY(output_summary_flush(o, err));
                return ps_err_set(err, PS_ERR_INTERRUPTED,
                                  "stopped by a signal after step %ld (t = %.2f h of %.2f h); the "
                                  "state is in %s: continue with `painsim resume %s`", sm->step,
                                  sim_time_h(sm), sm->s->duration_h, path, output_dir(o));
            }
        }
        double now = sim_now();
        if (now - last_print >= SIM_PROGRESS_S || last) {
            if (!out_now) PS_TRY(device_finish(sm->ctx.dev, err));
            sim_progress(sm, t0, total);
            last_print = sim_now();
        }
    }
    PS_TRY(device_finish(sm->ctx.dev, err));
    double wall = sim_now() - t0;
    output_run_info info = {.device = device_description(sm->ctx.dev), .seed = sm->s->seed,
                            .steps = sm->step, .simulated_h = sim_time_h(sm), .wall_s = wall,
                            .output_s = sm->output_s, .agents_end = (long)total,
                            .status = "completed"};
    PS_TRY(output_run_info_write(o, &info, err));
    log_info(&sm->ctx.log,
             "done: %ld steps in %.1f s (%.1f steps/s; writing summary and snapshots %.1f s, %.1f%%), "
             "%llu agents at the end", sm->step, wall, wall > 0 ? (double)sm->step / wall : 0.0,
             sm->output_s, wall > 0 ? 100.0 * sm->output_s / wall : 0.0, (unsigned long long)total);
    return PS_OK;
}
