/* sim.h — the simulation: per-tissue fields and agents on one device, the step loop,
 * summary reductions and snapshots.
 *
 * The context (sim_ctx) is what every run shares and passes down: the MPI
 * communicator and rank, the logger and the OpenCL device. A tissue's sub-domain
 * bounds live in its tissue_grid (the whole grid until domain decomposition).
 */
#ifndef PAINSIM_SIM_H
#define PAINSIM_SIM_H

#include <signal.h>
#include <stdint.h>

#include "agents.h"
#include "device.h"
#include "field.h"
#include "log.h"
#include "mpi_util.h"
#include "neurons.h"
#include "output.h"
#include "pk.h"
#include "scenario.h"

typedef struct {
    MPI_Comm comm;
    int rank, size;
    log_ctx log;
    device *dev;
    /* Optional: called on the host after every step of sim_run (not timed, no device
     * wait). A sweep's coordinating rank answers work requests from it while it runs a
     * member itself. */
    void (*poll)(void *arg);
    void *poll_arg;
    /* 1: every tissue split over the ranks of comm (decomp.h); every rank calls sim_*
     * collectively and rank 0 writes the summary and run.json */
    int decompose;
    /* Checkpoints every this many simulated hours (0: none; checkpoint.h), and a flag a
     * signal handler sets: sim_run then finishes the step, writes a checkpoint and
     * returns PS_ERR_INTERRUPTED. */
    double checkpoint_every_h;
    volatile sig_atomic_t *stop;
} sim_ctx;

typedef struct sim sim;

/* Estimated device bytes for s (fields, agents at initial capacity, cell lists). */
size_t sim_device_bytes(const scenario *s);

/* Builds kernels, places the initial cells and uploads everything. Refuses with
 * PS_ERR_MEMORY, naming needed and available amounts, when s does not fit the device. */
ps_status sim_create(sim **out, const sim_ctx *ctx, const scenario *s, ps_err *err);
void sim_destroy(sim *sm);

/* Enqueues one step of every tissue (no host wait). */
ps_status sim_step(sim *sm, ps_err *err);

long sim_step_index(const sim *sm);   /* steps taken */
void sim_set_step(sim *sm, long step); /* steps taken, set (a checkpoint's step) */
const scenario *sim_scenario(const sim *sm);
/* The domain decomposition (NULL for a single-rank run) and the run's communicator. */
struct decomp *sim_decomp(sim *sm);
MPI_Comm sim_comm(const sim *sm);
double sim_time_h(const sim *sm);

/* Runs the whole scenario, writing summary rows, snapshots and run.json into o; from the
 * step a checkpoint restored (no new initial row or snapshot then). */
ps_status sim_run(sim *sm, output *o, ps_err *err);

/* Declares the summary columns in o (sim_run does it for a new run; a resumed run needs
 * them before sim_checkpoint_read restores the rows). */
ps_status sim_output_columns(sim *sm, output *o, ps_err *err);

/* Resume: restores sm (created from the same scenario) and o (reopened, summary columns
 * declared) from the checkpoint at path (checkpoint.h), step included. */
ps_status sim_checkpoint_read(sim *sm, output *o, const char *path, ps_err *err);

/* Phase profiling for `make bench`: when enabled, every phase of sim_step (and the
 * summary and snapshot of sim_run) is bracketed by device_finish and its wall time
 * summed; calls[] counts how often each ran. Costs the pipelining of an unprofiled step. */
enum {
    SIM_PH_CELLLIST, SIM_PH_SECRETE, SIM_PH_FIELD, SIM_PH_SIGNAL, SIM_PH_MOVE,
    SIM_PH_COMPACT, SIM_PH_SUMMARY, SIM_PH_SNAPSHOT, SIM_PH_COUNT
};
void sim_profile_enable(sim *sm);
void sim_profile(const sim *sm, double seconds[SIM_PH_COUNT], long calls[SIM_PH_COUNT]);

/* Wall seconds spent writing summary rows and snapshots so far (run.json "output_s"). */
double sim_output_seconds(const sim *sm);

/* Host <-> device copies made inside steps, and in the n_checks capacity checks between
 * steps (every SIM_CAPACITY_CHECK_STEPS steps and at outputs); output's own copies are in
 * neither. */
void sim_transfers(const sim *sm, device_transfers *in_steps, device_transfers *in_checks,
                   long *n_checks);
const char *sim_phase_name(int phase);

/* Access for tests: tissue t's fields and agents. */
field_set *sim_fields(sim *sm, int t);
agents *sim_agents(sim *sm, int t);
neurons *sim_neurons(sim *sm);

#endif
