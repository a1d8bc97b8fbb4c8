/* sweep.h — parameter sweeps: many runs of scenarios with varied values and seeds,
 * spread over MPI ranks by a dynamic work queue.
 *
 * A sweep file (JSON, documented in scenarios/README.md, "Sweeps") names base scenarios,
 * parameters (any scenario key path, as --set writes it) with a list of values or a
 * linear or logarithmic range, whether parameters combine as a full grid or are zipped,
 * fixed overrides and replicate seeds. Members are numbered base-major, then parameters
 * (the first one outermost), then seeds; member i runs exactly what
 *   painsim run BASE --set K=V ... --seed S --out OUT/members/mNNNN
 * runs, so its output equals that single run.
 *
 * Rank 0 coordinates: it answers work requests from the other ranks between the steps
 * of the member it runs itself, records each result and rewrites OUT/sweep.csv and
 * OUT/sweep.h5 after every member. A failing member is recorded with its error; the
 * others go on. A member whose folder holds a completed run of the same resolved
 * scenario is not run again, and one with a checkpoint of it continues from there, so
 * repeating the command resumes an interrupted sweep member by member.
 * The output folder must be visible to every rank (a cluster's shared file system).
 */
#ifndef PAINSIM_SWEEP_H
#define PAINSIM_SWEEP_H

#include <mpi.h>
#include <signal.h>

#include "log.h"
#include "status.h"

typedef struct {
    const char *path;       /* sweep file */
    const char *out;        /* output folder (default runs/<sweep name>) */
    int device;             /* OpenCL device index, or -1: by node-local rank */
    int verbose;            /* 1: members' own progress lines too */
    double checkpoint_every_h;          /* members write checkpoints (0: none) */
    volatile sig_atomic_t *stop;        /* set by SIGINT/SIGTERM: members checkpoint, the
                                           queue stops, the sweep exits 130 */
} sweep_args;

/* Runs the whole sweep on every rank of comm (collective). Returns PS_OK when every
 * member completed; PS_ERR_SWEEP_MEMBERS when some failed (their errors are in
 * sweep.csv and err); another code, with nothing run, when the sweep file or the
 * output folder is unusable. */
ps_status sweep_run(const sweep_args *a, MPI_Comm comm, const log_ctx *lg, ps_err *err);

/* For tests: parses and expands path; *n_members gets the member count, and when
 * sets_out is not NULL, member i's base file and --set list are written into it as one
 * line "BASE|K=V|K=V|seed=S". Returns the first validation error. */
ps_status sweep_expand(const char *path, long *n_members, char **sets_out, ps_err *err);

/* Parses path and loads every member's scenario (nothing is run or written): the first
 * error, as the sweep would record it for that member, or PS_OK with *n_members set. */
ps_status sweep_check(const char *path, long *n_members, ps_err *err);

/* The sweep file format's key tables (for `make docs`). */
struct scn_section;
const struct scn_section *sweep_format(void);

#endif
