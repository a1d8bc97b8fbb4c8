/* decomp.h — domain decomposition: each tissue's grid split over MPI ranks in slabs
 * along z (`painsim run --decompose` under mpirun).
 *
 * Rank p owns tissue planes [z0, z1) and holds H halo planes on each side (H covers the
 * reach of repulsion, twice that of contacts, and the chemotaxis stencil). Agents always
 * carry tissue coordinates; each step the host
 *   - migrates agents to the rank owning their plane and copies the agents of the halo
 *     planes in as ghosts (MPI_Alltoallv), owned agents sorted by id;
 *   - exchanges field halo planes after the x and y sweeps and after the z sweep, and
 *     runs the implicit z sweep as a pipelined Thomas solve across ranks (forward
 *     elimination up the ranks, back substitution down), with the same arithmetic as
 *     one rank;
 *   - drops the ghosts before deaths and divisions, and numbers daughters and entries
 *     from the blood in the order one rank would (MPI_Allgather of the dividing cells'
 *     ids and of the entries per rule);
 *   - merges the nociceptor neurons' lesion flags and soma repair signals.
 * Ids and Philox keys travel with the agents, so the decomposed run reproduces the
 * single-rank run bit for bit (tests/test_mpi_decompose.sh); only sums reduced across
 * ranks for the summary (field means, mean pSTAT3 and excitability) differ by float
 * rounding. The host staging costs a copy of every agent per step: correct first, the
 * device-side packing of border agents is future work.
 */
#ifndef PAINSIM_DECOMP_H
#define PAINSIM_DECOMP_H

#include <mpi.h>

#include "agents.h"
#include "field.h"
#include "neurons.h"
#include "scenario.h"
#include "tissue.h"

typedef struct decomp decomp;

/* Plans the slabs of every tissue of s over the ranks of comm. Fails with PS_ERR_INPUT,
 * naming the tissue, when a tissue has fewer planes than ranks x halo width. */
ps_status decomp_create(decomp **dc, MPI_Comm comm, const scenario *s, ps_err *err);
void decomp_destroy(decomp *dc);

/* This rank's grid of tissue t (slab plus halo planes). */
void decomp_grid(const decomp *dc, int t, tissue_grid *g);

/* From the whole initial population of tissue t (the same on every rank) keeps the
 * agents this rank owns, sorted by id, in *owned; records the tissue's next free id. */
ps_status decomp_initial(decomp *dc, int t, const agents_host *all, agents_host *owned, ps_err *err);
uint64_t decomp_next_id(const decomp *dc, int t);
void decomp_set_next_id(decomp *dc, int t, uint64_t id);   /* from a checkpoint */

/* The step's hooks (sim_step calls them in this order; collective where noted). With
 * dc NULL — a run that is not decomposed — each does the single-rank operation, or
 * nothing, so the one step sequence of sim.c serves both. */

/* Start of a step: clears the record of which neurons' somas this rank owns (NULL:
 * nothing). */
void decomp_begin_step(decomp *dc);

/* Start of tissue t's step: migration and ghosts (collective; NULL: nothing). */
ps_status decomp_exchange_agents(decomp *dc, int t, agents *a, ps_err *err);

/* Tissue t's field step: reaction, x and y sweeps, halos, the z sweep across ranks,
 * halos (collective; NULL: field_step). */
ps_status decomp_field_step(decomp *dc, int t, field_set *fs, ps_err *err);

/* Drops the ghosts, then deaths and divisions with daughters numbered across ranks
 * (collective; NULL: agents_compact). */
ps_status decomp_compact(decomp *dc, int t, agents *a, uint32_t step, ps_err *err);

/* Entries from the blood, numbered across ranks (collective; NULL: agents_recruit). */
ps_status decomp_recruit(decomp *dc, int t, agents *a, const field_set *fs, cl_mem J,
                         uint32_t step, ps_err *err);

/* End of a step: lesion flags (any rank) and soma repair signals (the owning rank)
 * (collective; NULL: nothing). */
ps_status decomp_merge_neurons(decomp *dc, neurons *n, device *dev, ps_err *err);

#endif
