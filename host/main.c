/* main.c — the painsim command line.
 *
 *   painsim devices
 *   painsim run SCENARIO.json [--out DIR] [--device N] [--seed S] [--set key.path=value]...
 *                             [--force] [--quiet] [--decompose]
 *   painsim sweep SWEEP.json [--out DIR] [--device N] [--verbose] [--quiet] [--dry-run]
 *   painsim resume RUN [--device N] [--quiet]
 *   painsim report RUN | plot RUN... | plot SWEEP | render RUN   (viz/ tools, report.h)
 *   painsim version | help
 *
 * Input is validated completely before anything is written: a bad scenario or option
 * exits with status 2 and leaves no output folder behind.
 */
#include <mpi.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "device.h"
#include "log.h"
#include "mpi_util.h"
#include "report.h"
#include "job.h"
#include "scenario.h"
#include "sim.h"
#include "sweep.h"
#include "version.h"

#define MAIN_MAX_SETS 256

/* The one file-scope variable: a signal handler can only set a flag, and it cannot be
 * handed a context. sim_run polls it through sim_ctx.stop after every step. */
static volatile sig_atomic_t main_stop_flag;

static void main_on_signal(int sig)
{
    main_stop_flag = sig;
}

/* SIGINT and SIGTERM finish the current step and write a checkpoint; a write past a
 * file-size limit fails with EFBIG (and a clear message) instead of killing the process. */
static void main_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = main_on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGXFSZ, SIG_IGN);
}

static int main_parse_hours(const char *s, double *v)
{
    char *end = NULL;
    *v = strtod(s, &end);
    return end != s && *end == '\0' && *v > 0 && *v < 1e7;
}

static void main_usage(FILE *f)
{
    fprintf(f,
            "painsim %s — GPU agent-based simulator of neuroimmune pain\n"
            "\n"
            "usage:\n"
            "  painsim devices                 list OpenCL devices (index, type, memory)\n"
            "  painsim run SCENARIO.json [options]\n"
            "      --out DIR          run folder (default runs/<scenario name>)\n"
            "      --device N         OpenCL device index (default: $PAINSIM_DEVICE, else the\n"
            "                         first GPU, else the first CPU device)\n"
            "      --seed S           random seed (same as --set seed=S)\n"
            "      --set KEY=VALUE    override a scenario value, e.g. --set time.duration_h=48\n"
            "                         or --set tissues.nerve.voxel_um=10 (repeatable)\n"
            "      --force            overwrite an existing run folder\n"
            "      --quiet            no progress messages\n"
            "      --checkpoint-every H   write a checkpoint every H simulated hours (two\n"
            "                         alternating files in the run folder); SIGINT/SIGTERM\n"
            "                         always finish the step and write one\n"
            "      --decompose        under mpirun: split every tissue over the ranks (slabs\n"
            "                         along z), one device per rank, one output folder\n"
            "  [mpirun -np N] painsim resume RUN [--device N] [--quiet] [--decompose]\n"
            "                         continue a stopped run from its newest checkpoint\n"
            "  [mpirun -np N] painsim sweep SWEEP.json [options]\n"
            "      --out DIR          sweep folder (default runs/<sweep name>); running the\n"
            "                         same command again skips completed members\n"
            "      --device N         OpenCL device index for every rank (default: each rank\n"
            "                         takes a GPU by its node-local rank, else a CPU device)\n"
            "      --verbose          the members' own progress lines too\n"
            "      --dry-run          list the members (scenario|--set overrides) and stop\n"
            "      --checkpoint-every H   members write checkpoints; a stopped sweep continues\n"
            "                         them when the command is run again\n"
            "      --quiet            no progress messages\n",
            painsim_version());
    fprintf(f,
            "  [mpirun -np N] painsim sensitivity FILE.json --out DIR\n"
            "                         Morris screening and Sobol indices of sweep metrics\n"
            "                         (SALib); the members run as a sweep\n"
            "  [mpirun -np N] painsim trial FILE.json --out DIR\n"
            "                         in-silico preclinical trial: arms x sexes x animals,\n"
            "                         effect sizes, power\n"
            "  [mpirun -np N] painsim calibrate FILE.json --out DIR\n"
            "                         ABC-SMC (pyabc) fit of scenario keys to target data\n"
            "      (these three take --device, --verbose, --quiet, --checkpoint-every as sweep\n"
            "       does; the same command again reuses finished members; the file formats are\n"
            "       in scenarios/README.md, \"Analyses\"; FILE --help for each)\n"
            "  painsim plot RUN [RUN ...] [--out DIR]\n"
            "                         time-course figures (PNG, SVG) into RUN/figures;\n"
            "                         replicate seeds as mean +- SD (viz/plot_summary.py)\n"
            "  painsim plot SWEEP [--out DIR]\n"
            "                         dose-response and start-day figures of sweep.csv\n"
            "  painsim render RUN [--field TNF] [--mode slice|volume] [--movie] [--times last]\n"
            "                         ParaView frames, movie and state into RUN/paraview\n"
            "                         (pvbatch viz/paraview_render.py; without a display on a\n"
            "                         private Xvfb through viz/headless.py)\n"
            "  painsim report RUN [RUN ...] [--validation FILE] [--render] [--out FILE]\n"
            "                         self-contained HTML report into RUN/report.html\n"
            "                         (viz/report.py; --help of each tool lists its options)\n"
            "  painsim version\n"
            "\n"
            "environment: PAINSIM_DEVICE, PAINSIM_KERNELS (kernel folder),\n"
            "             PAINSIM_RANDOM123_INCLUDE, POCL_MEMORY_LIMIT (GiB, PoCL only),\n"
            "             PAINSIM_VIZ (viz folder), PAINSIM_ANALYSIS (analysis folder),\n"
            "             PAINSIM_PYTHON (default: the project's .venv, else /usr/bin/python3)\n");
}

static int main_devices(const log_ctx *lg)
{
    ps_err err;
    ps_err_clear(&err);
    device_info *list = NULL;
    int n = 0;
    if (device_list(&list, &n, &err) != PS_OK) {
        log_error(lg, "%s", err.msg);
        return ps_status_exit_code(err.code);
    }
    printf("%-5s %-12s %-40s %-28s %10s %6s\n", "index", "type", "device", "platform", "memory",
           "units");
    for (int i = 0; i < n; i++)
        printf("%-5d %-12s %-40.40s %-28.28s %7.1f GiB %6u\n", list[i].index,
               device_type_string(list[i].type), list[i].name, list[i].platform,
               list[i].global_mem_bytes / 1073741824.0, list[i].compute_units);
    free(list);
    return 0;
}

typedef struct {
    const char *scenario;
    const char *out;
    int device;
    int force;
    int quiet;
    int decompose;
    double checkpoint_every_h;
    int n_sets;
    const char *sets[MAIN_MAX_SETS];
    char seed_set[64];
} main_run_args;

static int main_parse_int(const char *s, long *v)
{
    char *end = NULL;
    *v = strtol(s, &end, 10);
    return end != s && *end == '\0';
}

static ps_status main_parse_run(int argc, char **argv, main_run_args *a, ps_err *err)
{
    memset(a, 0, sizeof *a);
    a->device = -1;
    for (int i = 2; i < argc; i++) {
        const char *o = argv[i];
        int has_next = i + 1 < argc;
        if (strcmp(o, "--out") == 0 && has_next) {
            a->out = argv[++i];
        } else if (strcmp(o, "--device") == 0 && has_next) {
            long v;
            if (!main_parse_int(argv[++i], &v) || v < 0)
                return ps_err_set(err, PS_ERR_USAGE, "--device %s: expected a device index "
                                  "(0, 1, ...) from `painsim devices`", argv[i]);
            a->device = (int)v;
        } else if (strcmp(o, "--seed") == 0 && has_next) {
            long v;
            if (!main_parse_int(argv[++i], &v) || v < 0)
                return ps_err_set(err, PS_ERR_USAGE, "--seed %s: expected a non-negative integer",
                                  argv[i]);
            snprintf(a->seed_set, sizeof a->seed_set, "seed=%ld", v);
        } else if (strcmp(o, "--set") == 0 && has_next) {
            if (a->n_sets >= MAIN_MAX_SETS - 1)
                return ps_err_set(err, PS_ERR_USAGE, "too many --set options (at most %d)",
                                  MAIN_MAX_SETS - 1);
            a->sets[a->n_sets++] = argv[++i];
        } else if (strcmp(o, "--force") == 0) {
            a->force = 1;
        } else if (strcmp(o, "--quiet") == 0) {
            a->quiet = 1;
        } else if (strcmp(o, "--decompose") == 0) {
            a->decompose = 1;
        } else if (strcmp(o, "--checkpoint-every") == 0 && has_next) {
            if (!main_parse_hours(argv[++i], &a->checkpoint_every_h))
                return ps_err_set(err, PS_ERR_USAGE, "--checkpoint-every %s: expected simulated hours "
                                  "between checkpoints (a number > 0)", argv[i]);
        } else if (o[0] == '-') {
            return ps_err_set(err, PS_ERR_USAGE, "unknown option '%s'%s (see `painsim help`)", o,
                              (strcmp(o, "--out") == 0 || strcmp(o, "--device") == 0 ||
                               strcmp(o, "--seed") == 0 || strcmp(o, "--set") == 0 ||
                               strcmp(o, "--checkpoint-every") == 0)
                                  ? " needs a value" : "");
        } else if (!a->scenario) {
            a->scenario = o;
        } else {
            return ps_err_set(err, PS_ERR_USAGE, "unexpected argument '%s': one scenario file per run",
                              o);
        }
    }
    if (!a->scenario)
        return ps_err_set(err, PS_ERR_USAGE, "run: missing the scenario file (painsim run "
                          "SCENARIO.json --out DIR)");
    if (a->seed_set[0]) a->sets[a->n_sets++] = a->seed_set;
    return PS_OK;
}

static int main_run(int argc, char **argv, log_ctx *lg, MPI_Comm comm, int rank, int size)
{
    ps_err err;
    ps_err_clear(&err);
    main_run_args a;
    if (main_parse_run(argc, argv, &a, &err) != PS_OK) {
        log_error(lg, "%s", err.msg);
        return ps_status_exit_code(err.code);
    }
    lg->quiet = a.quiet;
    if (size > 1 && !a.decompose) {
        if (rank == 0)
            log_error(lg, "run: %d MPI ranks: give --decompose to split the tissues over them, or use "
                      "`painsim sweep` to run many scenarios", size);
        return ps_status_exit_code(PS_ERR_USAGE);
    }
    if (a.decompose && rank != 0) lg->quiet = 1;      /* rank 0 reports progress */
    scenario *s = calloc(1, sizeof *s);
    if (!s) {
        log_error(lg, "out of host memory");
        return ps_status_exit_code(PS_ERR_MEMORY);
    }
    device *dev = NULL;
    char outdir[1024];
    ps_status st = scenario_load(a.scenario, a.sets, a.n_sets, s, &err);
    if (st == PS_OK) {
        if (a.out)
            snprintf(outdir, sizeof outdir, "%s", a.out);
        else
            snprintf(outdir, sizeof outdir, "runs/%s", s->name);
        /* one GPU per rank of a node */
        int local_rank = 0;
        if (a.decompose) st = psmpi_node_rank(comm, &local_rank, &err);
        if (st == PS_OK) st = device_open_local(&dev, a.device, local_rank, &err);
    }
    if (a.decompose) st = ps_status_agree(comm, st, &err);  /* before the collective part */
    if (st == PS_OK) {
        log_info(lg, "device: %s", device_description(dev));
        sim_ctx ctx = {.comm = comm, .rank = rank, .size = size, .log = *lg, .dev = dev,
                       .decompose = a.decompose, .checkpoint_every_h = a.checkpoint_every_h,
                       .stop = &main_stop_flag};
        if (a.decompose) log_info(lg, "domain decomposition: every tissue split along z over %d rank%s",
                                  size, size > 1 ? "s" : "");
        st = job_run(&ctx, s, outdir, a.force, NULL, &err);
    }
    if (st != PS_OK && err.msg[0]) log_error(lg, "%s", err.msg);
    device_close(dev);
    free(s);
    return ps_status_exit_code(st);
}

static int main_resume(int argc, char **argv, log_ctx *lg, MPI_Comm comm, int rank, int size)
{
    ps_err err;
    ps_err_clear(&err);
    const char *dir = NULL;
    int device_index = -1, decompose = 0;
    ps_status st = PS_OK;
    for (int i = 2; i < argc && st == PS_OK; i++) {
        const char *o = argv[i];
        long v;
        if (strcmp(o, "--device") == 0 && i + 1 < argc) {
            if (!main_parse_int(argv[++i], &v) || v < 0)
                st = ps_err_set(&err, PS_ERR_USAGE, "--device %s: expected a device index", argv[i]);
            device_index = (int)v;
        } else if (strcmp(o, "--quiet") == 0) {
            lg->quiet = 1;
        } else if (strcmp(o, "--decompose") == 0) {
            decompose = 1;
        } else if (o[0] == '-') {
            st = ps_err_set(&err, PS_ERR_USAGE, "unknown option '%s' (see `painsim help`)", o);
        } else if (!dir) {
            dir = o;
        } else {
            st = ps_err_set(&err, PS_ERR_USAGE, "unexpected argument '%s': one run folder", o);
        }
    }
    if (st == PS_OK && !dir) st = ps_err_set(&err, PS_ERR_USAGE, "resume: missing the run folder (painsim resume RUN)");
    if (st == PS_OK && size > 1 && !decompose)
        st = ps_err_set(&err, PS_ERR_USAGE, "resume: %d MPI ranks: give --decompose to continue a "
                        "decomposed run (on as many ranks as it ran)", size);
    if (decompose && rank != 0) lg->quiet = 1;
    scenario *s = st == PS_OK ? calloc(1, sizeof *s) : NULL;
    if (st == PS_OK && !s) st = ps_err_set(&err, PS_ERR_MEMORY, "out of host memory");
    char path[1200];
    if (st == PS_OK) {
        snprintf(path, sizeof path, "%s/scenario.resolved.json", dir);
        st = scenario_load(path, NULL, 0, s, &err);
    }
    device *dev = NULL;
    int local_rank = 0;
    ps_status nst = decompose ? psmpi_node_rank(comm, &local_rank, &err) : PS_OK;
    if (st == PS_OK) st = nst;
    if (st == PS_OK) st = device_open_local(&dev, device_index, local_rank, &err);
    if (decompose) st = ps_status_agree(comm, st, &err);
    if (st == PS_OK) {
        log_info(lg, "device: %s", device_description(dev));
        sim_ctx ctx = {.comm = comm, .rank = rank, .size = size, .log = *lg, .dev = dev,
                       .stop = &main_stop_flag, .decompose = decompose};
        st = job_resume(&ctx, s, dir, NULL, &err);
    }
    if (st != PS_OK && err.msg[0]) log_error(lg, "%s", err.msg);
    device_close(dev);
    free(s);
    return ps_status_exit_code(st);
}

/* The options of the members of a sweep (painsim sweep, sensitivity, trial, calibrate):
 * --device N, --verbose, --checkpoint-every H, --quiet. *used is set when argv[*i] was one
 * (*i then points at its last word). */
static ps_status main_member_option(int argc, char **argv, int *i, sweep_args *a, log_ctx *lg, int *used,
                                    ps_err *err)
{
    const char *o = argv[*i];
    int has_next = *i + 1 < argc;
    *used = 1;
    if (strcmp(o, "--device") == 0 && has_next) {
        long v;
        if (!main_parse_int(argv[++*i], &v) || v < 0)
            return ps_err_set(err, PS_ERR_USAGE, "--device %s: expected a device index "
                              "(0, 1, ...) from `painsim devices`", argv[*i]);
        a->device = (int)v;
    } else if (strcmp(o, "--verbose") == 0) {
        a->verbose = 1;
    } else if (strcmp(o, "--checkpoint-every") == 0 && has_next) {
        if (!main_parse_hours(argv[++*i], &a->checkpoint_every_h))
            return ps_err_set(err, PS_ERR_USAGE, "--checkpoint-every %s: expected simulated hours "
                              "between checkpoints (a number > 0)", argv[*i]);
    } else if (strcmp(o, "--quiet") == 0) {
        lg->quiet = 1;
    } else {
        *used = 0;
    }
    return PS_OK;
}

static int main_sweep(int argc, char **argv, log_ctx *lg, MPI_Comm comm)
{
    ps_err err;
    ps_err_clear(&err);
    sweep_args a = {.device = -1, .stop = &main_stop_flag};
    ps_status st = PS_OK;
    int dry = 0, rank = 0;
    st = PSMPI_CALL(MPI_Comm_rank(comm, &rank), &err);
    for (int i = 2; i < argc && st == PS_OK; i++) {
        const char *o = argv[i];
        int has_next = i + 1 < argc, used = 0;
        st = main_member_option(argc, argv, &i, &a, lg, &used, &err);
        if (st != PS_OK || used) continue;
        if (strcmp(o, "--out") == 0 && has_next) {
            a.out = argv[++i];
        } else if (strcmp(o, "--dry-run") == 0) {
            dry = 1;
        } else if (o[0] == '-') {
            st = ps_err_set(&err, PS_ERR_USAGE, "unknown option '%s'%s (see `painsim help`)", o,
                            (strcmp(o, "--out") == 0 || strcmp(o, "--device") == 0) ? " needs a value" : "");
        } else if (!a.path) {
            a.path = o;
        } else {
            st = ps_err_set(&err, PS_ERR_USAGE, "unexpected argument '%s': one sweep file", o);
        }
    }
    if (st == PS_OK && !a.path)
        st = ps_err_set(&err, PS_ERR_USAGE, "sweep: missing the sweep file (painsim sweep SWEEP.json --out DIR)");
    if (st == PS_OK && dry) {
        /* members and their overrides, one per line; nothing is run or written */
        long n = 0;
        st = sweep_expand(a.path, &n, NULL, &err);
        char **lines = st == PS_OK ? calloc((size_t)n + 1, sizeof *lines) : NULL;
        if (st == PS_OK && !lines) st = ps_err_set(&err, PS_ERR_MEMORY, "out of host memory");
        if (st == PS_OK) st = sweep_expand(a.path, &n, lines, &err);
        for (long i = 0; st == PS_OK && rank == 0 && i < n; i++) printf("%ld %s\n", i, lines[i]);
        if (st == PS_OK && rank == 0) printf("%ld members\n", n);
        for (long i = 0; lines && i < n; i++) free(lines[i]);
        free(lines);
    } else if (st == PS_OK) {
        st = sweep_run(&a, comm, lg, &err);
    }
    /* collective failures carry the message on rank 0 only */
    if (st != PS_OK && err.msg[0]) log_error(lg, "%s", err.msg);
    return ps_status_exit_code(st);
}

/* sensitivity, trial, calibrate: the members' options are read here, everything goes on
 * to the Python driver too (analysis.h), which owns the rest of the command line */
static int main_analysis(int argc, char **argv, log_ctx *lg, MPI_Comm comm)
{
    ps_err err;
    ps_err_clear(&err);
    sweep_args a = {.device = -1, .stop = &main_stop_flag};
    int size = 1, help = 0;
    ps_status st = PSMPI_CALL(MPI_Comm_size(comm, &size), &err);
    for (int i = 2; i < argc && st == PS_OK; i++) {
        int used = 0;
        help |= strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0;
        st = main_member_option(argc, argv, &i, &a, lg, &used, &err);
    }
    if (st == PS_OK && help && size > 1)
        st = ps_err_set(&err, PS_ERR_USAGE, "%s --help: run it without mpirun", argv[1]);
    if (st != PS_OK) {
        log_error(lg, "%s", err.msg);
        return ps_status_exit_code(st);
    }
    return analysis_main(argc, argv, &a, comm, lg);
}

int main(int argc, char **argv)
{
    /* report, plot, render: viz/ tools in a child process, no MPI, no device (report.h) */
    if (argc >= 2 && report_is_command(argv[1])) return report_main(argc, argv);
    log_ctx lg;
    log_init(&lg, 0, 1, 0);
    if (MPI_Init(&argc, &argv) != MPI_SUCCESS) {
        log_error(&lg, "MPI_Init failed: is painsim started by a working MPI (mpirun)?");
        return ps_status_exit_code(PS_ERR_MPI);
    }
    /* from here MPI errors come back as codes (CHECK_MPI) and exit with status 7 */
    int rank = 0, size = 1;
    ps_err merr;
    ps_err_clear(&merr);
    ps_status mst = psmpi_errors_return(&merr);
    if (mst == PS_OK) mst = PSMPI_CALL(MPI_Comm_rank(MPI_COMM_WORLD, &rank), &merr);
    if (mst == PS_OK) mst = PSMPI_CALL(MPI_Comm_size(MPI_COMM_WORLD, &size), &merr);
    log_init(&lg, rank, size, 0);
    if (mst != PS_OK) {
        log_error(&lg, "%s", merr.msg);
        MPI_Finalize();
        return ps_status_exit_code(mst);
    }
    main_signals();
    int rc;
    if (argc < 2 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "-h") == 0) {
        main_usage(argc < 2 ? stderr : stdout);
        rc = argc < 2 ? 2 : 0;
    } else if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
        printf("painsim %s (git %s)\n", painsim_version(), painsim_git_hash());
        rc = 0;
    } else if (strcmp(argv[1], "devices") == 0) {
        rc = main_devices(&lg);
    } else if (strcmp(argv[1], "run") == 0) {
        rc = main_run(argc, argv, &lg, MPI_COMM_WORLD, rank, size);
    } else if (strcmp(argv[1], "resume") == 0) {
        rc = main_resume(argc, argv, &lg, MPI_COMM_WORLD, rank, size);
    } else if (strcmp(argv[1], "sweep") == 0) {
        rc = main_sweep(argc, argv, &lg, MPI_COMM_WORLD);
    } else if (analysis_is_command(argv[1])) {
        rc = main_analysis(argc, argv, &lg, MPI_COMM_WORLD);
    } else {
        log_error(&lg, "unknown command '%s' (commands: run, resume, sweep, sensitivity, trial, calibrate, report, plot, render, devices, version, help)", argv[1]);
        rc = 2;
    }
    ps_err_clear(&merr);
    if (PSMPI_CALL(MPI_Finalize(), &merr) != PS_OK && rc == 0) {
        log_error(&lg, "%s", merr.msg);
        rc = ps_status_exit_code(PS_ERR_MPI);
    }
    return rc;
}
