/* checkpoint.h — the whole state of a run in a file, and a run continued from it.
 *
 * RUN/checkpoint_a.h5 and RUN/checkpoint_b.h5 are written in turn, each under a
 * temporary name, flushed to disk and renamed into place, so a kill at any moment leaves
 * at least one complete checkpoint. A checkpoint holds every tissue's agents (slot order,
 * capacity, every per-agent variable including the intracellular ODE state, the device
 * counters with the next agent id), every field, the neurons' injury, lesion flags and
 * repair signals, the step, the simulated time, the summary rows and snapshot index
 * written so far, the checkpoint interval, a hash of the resolved scenario and the
 * painsim version. Under domain decomposition each rank writes its own pair
 * (checkpoint_{a,b}.rank<R>.h5: its slab, its cells, the tissues' next ids) and a run
 * resumes on the same number of ranks. Random numbers are Philox counters keyed by seed, agent id and step,
 * and drug exposure and recruitment priming are functions of time, so that is all the
 * state there is: a resumed run writes the same bits as an uninterrupted one.
 *
 * The module does not know the simulation: the caller (sim.c) describes the state in a
 * checkpoint_state (the modules' handles, the step, the decomposition's next ids), so
 * checkpoint depends on agents, fields and neurons, and sim on checkpoint, not back.
 */
#ifndef PAINSIM_CHECKPOINT_H
#define PAINSIM_CHECKPOINT_H

#include <mpi.h>
#include <stdint.h>

#include "agents.h"
#include "field.h"
#include "neurons.h"
#include "output.h"
#include "scenario.h"

/* One tissue of the state. */
typedef struct {
    agents *agents;
    field_set *fields;
    uint64_t next_id;               /* decomposed run: the tissue's next agent id
                                       (decomp.h); written, and set by checkpoint_read */
} checkpoint_tissue;

/* What a checkpoint saves and restores, filled by the simulation. */
typedef struct {
    const scenario *s;
    checkpoint_tissue tissue[SCN_MAX_TISSUES];  /* [s->n_tissues] */
    neurons *neurons;
    long step;                      /* steps taken; set by checkpoint_read */
    double time_h;                  /* simulated time, h (recorded) */
    MPI_Comm comm;                  /* decomposed run: its ranks (each writes its own pair
                                       of files); MPI_COMM_NULL for a single-rank run */
} checkpoint_state;

/* FNV-1a 64 of the resolved scenario text: a checkpoint belongs to one scenario. */
uint64_t checkpoint_scenario_hash(const scenario *s, ps_err *err);

/* Writes cs (and o's summary rows and snapshot index) into the older of the two
 * checkpoint files of o's folder; *path gets the file written. every_h is recorded for
 * `painsim resume`. Collective over cs->comm when it is not MPI_COMM_NULL. A failure
 * leaves the other checkpoint as it was. */
ps_status checkpoint_write(const checkpoint_state *cs, output *o, double every_h, char *path,
                           size_t path_cap, ps_err *err);

/* Finds the newest complete checkpoint of run folder dir that belongs to s (same hash
 * and painsim version); *step and *every_h get its step and interval. PS_ERR_IO with a
 * message saying what was found when there is none. */
ps_status checkpoint_find(const char *dir, const scenario *s, char *path, size_t path_cap,
                          long *step, double *every_h, ps_err *err);

/* Domain decomposition: each rank of comm (collective) finds its own file
 * (checkpoint_{a,b}.rank<R>.h5) of the newest step that every rank has. */
ps_status checkpoint_find_mpi(const char *dir, const scenario *s, MPI_Comm comm, char *path,
                              size_t path_cap, long *step, double *every_h, ps_err *err);

/* Restores the agents, fields and neurons of cs (created from the same scenario) and o
 * (reopened, summary columns declared) from the checkpoint at path; sets cs->step and
 * every cs->tissue[t].next_id for the caller to apply. */
ps_status checkpoint_read(checkpoint_state *cs, output *o, const char *path, ps_err *err);

#endif
