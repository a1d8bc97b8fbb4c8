/* agents.h — one tissue's cells on the device, as a struct of arrays.
 *
 * Each agent: position (µm, tissue-local), unit direction of its random walk, a stable
 * unique 64-bit id (tissue index in the top 8 bits: PS_ID_* in kernels/params.h), type, state and AGENTS_NVARS float
 * variables (VAR_AGE in min, VAR_PSTAT3, VAR_SOCS3: kernels/params.h). The population lives on the device: its size is a
 * device counter, and kernels run over the capacity and stop at that size, so a step
 * never waits for the host. The host reads the counters at output intervals only and
 * grows the capacity there.
 *
 * A step, in order: agents_bin (cell list) -> agents_secrete (fills the field set's
 * agent source/uptake buffers) -> field_step -> agents_signal (sense, JAK/STAT3, state
 * transitions, fate) -> agents_move -> agents_compact -> agents_recruit.
 *
 * Implemented by concern in host/engine/: agents.c (the population: buffers, capacity,
 * counters, restore), agents_kernels.c, agents_params.c (scenario -> kernel tables),
 * agents_seed.c (initial placement), agents_host.c (host copies), agents_step.c (cell
 * list .. move), agents_compact.c, agents_recruit.c, agents_stats.c (summary reductions,
 * guard), agents_ref.c (plain-C reference of the move); private state in agents_impl.h.
 */
#ifndef PAINSIM_AGENTS_H
#define PAINSIM_AGENTS_H

#include <stdint.h>

#include "../kernels/params.h"
#include "device.h"
#include "field.h"
#include "scan.h"
#include "scenario.h"
#include "tissue.h"

#define AGENTS_NVARS PS_NVARS_DEFAULT

typedef struct agents agents;

/* Programs shared by every tissue's population. */
typedef struct agents_kernels agents_kernels;
ps_status agents_kernels_create(agents_kernels **k, device *d, ps_err *err);
void agents_kernels_destroy(agents_kernels *k);

/* Host copy of a population (for output and tests). Arrays have n entries;
 * vars is [AGENTS_NVARS][n]. */
typedef struct {
    size_t n;
    float *pos;        /* [n][3], tissue-local µm */
    float *dir;        /* [n][3] */
    uint64_t *id;
    uint8_t *type;
    uint8_t *state;
    float *vars;
} agents_host;

void agents_host_free(agents_host *h);
/* Allocates h's arrays for n agents (h->n = n). */
ps_status agents_host_alloc(agents_host *h, size_t n, ps_err *err);

/* Names and units of the per-agent variables, for output. */
const char *agents_var_name(int k);
const char *agents_var_unit(int k);

/* Per-type parameter table [n_types][TP_COUNT] and per-(type,state) secretion/uptake
 * tables [n_types][PS_MAX_STATES][nf] for tissue t (converted to its voxel volume). */
void agents_type_table(const scenario *s, int t, const field_params *fp, double dt_min,
                       float *tparams);
void agents_rate_tables(const scenario *s, int t, const field_params *fp, float *sec, float *upt);
int agents_field_list(const scenario *s, int nf, const float *sec, const float *upt,
                      const float *rel, unsigned char *on, unsigned int *list);
/* rel: [n_types][nf][2] neuronal release per unit lagged injury and per unit activity,
 * nM/min in tissue t's voxel (scn_neurons.release on the compartment types). */
void agents_release_table(const scenario *s, int t, const field_params *fp, float *rel);

/* Places the tissue's initial cells, then the nociceptor compartments that live in it
 * (Philox keyed by seed and id: reproducible). */
ps_status agents_initial(const scenario *s, int t, agents_host *h, ps_err *err);

/* Creates the device population for tissue t from h (capacity: factor x n, >= 1024). */
ps_status agents_create(agents **a, device *d, agents_kernels *k, const scenario *s, int t,
                        const field_set *fs, const agents_host *h, ps_err *err);
void agents_destroy(agents *a);

/* Same on a given grid (a decomposed rank's slab and halo; NULL: the whole tissue).
 * With a grid, daughters and entries take the ids the host gives (agents_compact_end,
 * agents_recruit_place). */
ps_status agents_create_grid(agents **a, device *d, agents_kernels *k, const scenario *s, int t,
                             const field_set *fs, const agents_host *h, const tissue_grid *g,
                             ps_err *err);
const tissue_grid *agents_grid(const agents *a);
int agents_n_rules(const agents *a);   /* recruitment rules of the tissue */

/* Halo planes a decomposed rank needs around its slab of tissue t: the cell-list reach
 * of repulsion, twice that of contact rules (a prey at the border sees all its actors),
 * at least 1 (the chemotaxis gradient). */
int agents_halo_planes(const scenario *s, int t);

ps_status agents_bin(agents *a, ps_err *err);
/* t_min: simulated time at the start of the step (perturbation windows). */
ps_status agents_secrete(agents *a, field_set *fs, double t_min, ps_err *err);
/* J: the JAK-factor table of pk.h (a row of pk_jak_row_stride per tissue); injury, lesion, nsig
 * (signals) and nstate: the neuron buffers of neurons.h. */
ps_status agents_signal(agents *a, const field_set *fs, cl_mem J, cl_mem injury, cl_mem lesion,
                        cl_mem nsig, cl_mem nstate, uint32_t step, double t_min, ps_err *err);
/* Contact-dependent events (cell_types[i].contacts): eating and contact-driven state
 * changes, after agents_signal (which set this step's fates) and before agents_move. */
ps_status agents_contact(agents *a, uint32_t step, ps_err *err);
ps_status agents_move(agents *a, const field_set *fs, uint32_t step, ps_err *err);
/* Entries from the blood (after agents_compact); J as for agents_signal. */
ps_status agents_recruit(agents *a, const field_set *fs, cl_mem J, uint32_t step, ps_err *err);
ps_status agents_compact(agents *a, uint32_t step, ps_err *err);

/* agents_compact and agents_recruit in parts, for domain decomposition, where daughters
 * and entries are numbered across ranks by the host:
 *   agents_compact_begin (flags and scans), agents_dividers (ids of the dividing cells in
 *   slot order, malloc'd), agents_compact_end (div_ids[k]: id of the k-th daughter; NULL:
 *   next_id + k as in agents_compact);
 *   agents_recruit_count, agents_recruit_totals (entries per rule on this rank),
 *   agents_recruit_place (id_delta[r] added to rule r's ids; NULL: none). */
ps_status agents_compact_begin(agents *a, ps_err *err);
ps_status agents_dividers(agents *a, uint64_t **ids, size_t *n, ps_err *err);
ps_status agents_compact_end(agents *a, const uint64_t *div_ids, size_t n_div, uint32_t step,
                             ps_err *err);
ps_status agents_recruit_count(agents *a, const field_set *fs, cl_mem J, uint32_t step, ps_err *err);
ps_status agents_recruit_totals(agents *a, uint64_t *per_rule, ps_err *err);
ps_status agents_recruit_place(agents *a, const uint64_t *id_delta, uint32_t step, ps_err *err);

/* Domain decomposition: replaces the population by h (growing capacity to twice its size
 * when needed; the bookkeeping counters stay), sets the live count (ghost cells are
 * dropped by lowering it) or the next free id. */
ps_status agents_replace(agents *a, const agents_host *h, ps_err *err);
ps_status agents_set_count(agents *a, size_t n, ps_err *err);

/* Checkpoints: restores a population exactly — capacity cap, agents in h's slot order,
 * every counter (ctr[CTR_COUNT]). */
ps_status agents_restore(agents *a, const agents_host *h, size_t cap, const uint64_t *ctr,
                         ps_err *err);
ps_status agents_set_next_id(agents *a, uint64_t next_id, ps_err *err);

/* Per-type sums of per-agent variable var (partial sums reduced in a fixed order), and the
 * means agents_var_means makes of them with the counts ([n_types][PS_MAX_STATES]). */
ps_status agents_var_sums(agents *a, int var, double *sums, ps_err *err);
void agents_means_from_sums(int n_types, const uint32_t *counts, const double *sums, double *means);

/* Reads the device counters (blocking). */
ps_status agents_counters(agents *a, uint64_t ctr[CTR_COUNT], ps_err *err);

/* Grows the capacity when the population passed half of it; returns in *dropped the
 * births lost for lack of room since the last call and, when n_agents is not NULL, the
 * live agents (one counter read serves both). */
ps_status agents_check_capacity(agents *a, uint64_t *dropped, uint64_t *n_agents, ps_err *err);
size_t agents_capacity(const agents *a);

/* Numerical guard: *bad gets the slot of the first agent with a non-finite position or
 * variable or a position outside the tissue box (-1: none), and one (allocated) a copy
 * of it for the message. */
ps_status agents_check(agents *a, long *bad, agents_host *one, ps_err *err);

/* Counts per (type, state), [n_types][PS_MAX_STATES] (blocking). */
ps_status agents_count_states(agents *a, uint32_t *counts, ps_err *err);

/* Mean of per-agent variable `var` by type ([n_types]; 0 where a type has no cells),
 * given the counts from agents_count_states. Reduced on the device (blocking). */
ps_status agents_var_means(agents *a, int var, const uint32_t *counts, double *means, ps_err *err);

/* Copies the population to the host (allocates h's arrays). */
ps_status agents_download(agents *a, agents_host *h, ps_err *err);

/* Device bytes per unit of capacity. */
size_t agents_bytes_per_agent(void);

/* Plain-C reference of agents_move for one step on host arrays (brute-force neighbours):
 * writes the new positions and directions into out_pos/out_dir. */
void agents_move_ref(const scenario *s, int t, const field_params *fp, const float *conc,
                     const agents_host *h, uint32_t step, float *out_pos, float *out_dir);

#endif
