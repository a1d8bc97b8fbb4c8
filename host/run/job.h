/* job.h — one run of one loaded scenario into one run folder: the part that `painsim
 * run` and every member of a sweep share, so that a sweep member's output is exactly
 * what a single run of the same scenario and seed writes.
 */
#ifndef PAINSIM_JOB_H
#define PAINSIM_JOB_H

#include "scenario.h"
#include "sim.h"
#include "status.h"

/* Builds the simulation on ctx->dev, opens outdir (force: replace painsim's files in
 * it), runs s to the end and writes run.json. Everything that can be checked before
 * writing (device memory, kernels) is checked before outdir is created. On a failure
 * after outdir exists, run.json records the failure text as its status. *wall_s gets
 * the run's wall time (may be NULL). */
ps_status job_run(const sim_ctx *ctx, const scenario *s, const char *outdir, int force,
                  double *wall_s, ps_err *err);

/* Continues the run in folder dir from its newest checkpoint (checkpoint.h); s is the
 * run's scenario (dir/scenario.resolved.json). Checkpoints keep their interval unless
 * ctx sets one. */
ps_status job_resume(const sim_ctx *ctx, const scenario *s, const char *dir, double *wall_s,
                     ps_err *err);

#endif
