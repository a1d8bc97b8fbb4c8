/* agents_impl.h — the population's private state, shared by the agents_*.c files of
 * host/engine (SUNDIALS cvode_impl.h style): the struct behind the opaque agents and
 * agents_kernels handles of agents.h, and the internal helpers one file defines for
 * another. Nothing outside host/engine/agents_*.c includes it.
 */
#ifndef PAINSIM_AGENTS_IMPL_H
#define PAINSIM_AGENTS_IMPL_H

#include "agents.h"
#include "pk.h"

/* the per-type variable sums: work-group size and number of partial sums */
#define AGENTS_SUM_WG 64
#define AGENTS_SUM_GROUPS 32

struct agents_kernels {
    device *dev;
    cl_program p_cellist, p_secrete, p_signal, p_move, p_compact, p_summary, p_recruit, p_contact,
        p_guard;
    cl_kernel k_count, k_scatter, k_sort, k_clear, k_secrete, k_signal, k_move, k_flags, k_cscatter,
        k_finish, k_summary, k_var_sums, k_rcount, k_rplace, k_rfinish, k_cprey, k_cactor,
        k_capply, k_clist, k_guard;
};

typedef struct {
    cl_mem px, py, pz, ux, uy, uz;  /* float */
} agents_pos_bufs;

typedef struct {
    cl_mem id;     /* ulong */
    cl_mem type;   /* uchar */
    cl_mem state;  /* uchar */
    cl_mem vars;   /* float [NVARS][cap] */
} agents_id_bufs;

struct agents {
    device *dev;
    agents_kernels *k;
    scan_plan *scan;
    const scenario *s;
    int tissue;
    tissue_grid grid;
    size_t nvox;
    size_t cap;
    int n_types;
    int nb_range;
    double partner_rmax_um;          /* largest radius of a type that can be in this tissue, µm */
    uint32_t seed_lo, seed_hi;
    agents_pos_bufs A, S;
    agents_id_bufs I, J;
    cl_mem flag, voxel_of, order, alive, alive_pos, divides, div_pos;
    cl_mem bin_count, bin_start, bin_fill;
    /* 1 from agents_bin until the list's counts are zeroed again (agents_unbin). While the
       list lives, its sorted keys (uint) and packed positions (float4) are kept in the
       compaction's destination buffers J.id and J.vars, which nothing else uses between
       the binning and the compaction (agents_list_key, agents_list_nbp). */
    int binned;
    /* 1 from agents_bin until the slots change (compaction, upload, growth): order[] is
       then the list of the current slots, and the compaction writes them in its order */
    int list_valid;
    cl_mem counters, tparams, sec, upt, state_counts, sig, gain, pert, rel, var_partial, np;
    int npert;
    cl_mem fagent, flist;            /* [nf] uchar: fields agents touch; [nfa] uint: their indices */
    int nfa;
    int nrules;                      /* recruitment rules of this tissue */
    cl_mem rules, births, offsets;   /* [nrules][nvox] counts and their scan */
    int ncontacts;                   /* contact rules (all types) */
    int nb_contact;                  /* cell-list reach of the contact rules, voxels */
    double contact_reach_um;         /* largest contact range of the rules, µm */
    cl_mem contacts;
    uint64_t dropped_seen;
    /* domain decomposition: daughter ids and per-rule entry id offsets from the host */
    cl_mem div_ids, div_list, id_delta;
    size_t div_cap;                  /* entries of div_ids / div_list */
};

/* ---- internal helpers ---------------------------------------------------------------- */

/* agents_seed.c: the kernels' Philox stream on the host (common.cl ps_u01, ps_rand4,
 * ps_unit_vector). */
float agents_u01(uint32_t x);
void agents_rand4(uint32_t seed_lo, uint32_t seed_hi, uint64_t id, uint32_t step,
                  uint32_t purpose, float out[4]);
void agents_unit_vector(float u1, float u2, float v[3]);

/* agents_params.c: CT_* rows of every type's contact rules (returns their number; *reach
 * the largest range, µm) and RC_* rows of tissue t's recruitment rules (returns their
 * number). */
int agents_contact_rules(const scenario *s, double dt_min, float *rows, double *reach);
int agents_recruit_rules(const scenario *s, int t, const field_params *fp, float *rows);

/* agents_step.c: the cell list's sorted keys and packed positions (aliases, above), and
 * the end of its lifetime: counts of the occupied voxels zeroed, by agent, from the keys
 * and the count binned (CTR_N_BINNED); a no-op when no list lives. Called before anything
 * that writes J (the compaction), reallocates it (growth) or resets the counters (upload). */
cl_mem agents_list_key(const agents *a);
cl_mem agents_list_nbp(const agents *a);
ps_status agents_unbin(agents *a, ps_err *err);

/* agents_host.c: writes h into the device buffers as slots 0..n-1 and resets the
 * counters (live count n, next id after the largest non-neuron id of h). */
ps_status agents_upload(agents *a, const agents_host *h, ps_err *err);

#endif
