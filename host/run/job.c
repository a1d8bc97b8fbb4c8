/* job.c — one scenario, one run folder (see job.h). */
#include "job.h"

#include <time.h>

#include "checkpoint.h"
#include "output.h"

static double job_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Runs sm to the end into o; a failure (not a stop by a signal, which leaves a
 * checkpoint) is recorded as run.json's status. */
static ps_status job_finish(const sim_ctx *ctx, const scenario *s, sim *sm, output *o, double t0,
                            ps_err *err)
{
    /* summary.csv/.h5 are rewritten whole: at most every 2 s of wall time, so that runs
       with thousands of rows stay linear (the end of the run writes all rows) */
    output_summary_set_min_interval(o, 2.0);
    ps_status st = sim_run(sm, o, err);
    if (st != PS_OK && st != PS_ERR_INTERRUPTED) {
        output_run_info info = {.device = device_description(ctx->dev), .seed = s->seed,
                                .steps = sim_step_index(sm), .simulated_h = sim_time_h(sm),
                                .wall_s = job_now() - t0, .agents_end = -1, .status = err->msg};
        ps_err ignore;
        ps_err_clear(&ignore);
        output_run_info_write(o, &info, &ignore);
    }
    return st;
}

ps_status job_run(const sim_ctx *ctx, const scenario *s, const char *outdir, int force,
                  double *wall_s, ps_err *err)
{
    double t0 = job_now();
    sim *sm = NULL;
    output *o = NULL;
    ps_status st = sim_create(&sm, ctx, s, err);
    /* Everything that can be checked before writing has been: now the run folder. */
    if (st == PS_OK)
        st = ctx->decompose ? output_open_mpi(&o, outdir, force, s, ctx->comm, err)
                            : output_open(&o, outdir, force, s, err);
    if (st == PS_OK) {
        log_info(&ctx->log, "output: %s", outdir);
        st = job_finish(ctx, s, sm, o, t0, err);
    }
    output_close(o);
    sim_destroy(sm);
    if (wall_s) *wall_s = job_now() - t0;
    return st;
}

ps_status job_resume(const sim_ctx *ctx, const scenario *s, const char *dir, double *wall_s,
                     ps_err *err)
{
    double t0 = job_now();
    char path[4096];
    long step = 0;
    double every_h = 0;
    if (ctx->decompose)
        PS_TRY(checkpoint_find_mpi(dir, s, ctx->comm, path, sizeof path, &step, &every_h, err));
    else
        PS_TRY(checkpoint_find(dir, s, path, sizeof path, &step, &every_h, err));
    sim_ctx c = *ctx;
    if (c.checkpoint_every_h <= 0) c.checkpoint_every_h = every_h;
    sim *sm = NULL;
    output *o = NULL;
    ps_status st = sim_create(&sm, &c, s, err);
    if (st == PS_OK)
        st = ctx->decompose ? output_open_mpi_mode(&o, dir, 0, 1, s, ctx->comm, err)
                            : output_reopen(&o, dir, s, err);
    if (st == PS_OK) st = sim_output_columns(sm, o, err);
    if (st == PS_OK) st = sim_checkpoint_read(sm, o, path, err);
    if (st == PS_OK) {
        log_info(&ctx->log, "resuming %s from %s (step %ld)", dir, path, step);
        st = job_finish(ctx, s, sm, o, t0, err);
    }
    output_close(o);
    sim_destroy(sm);
    if (wall_s) *wall_s = job_now() - t0;
    return st;
}
