/* agents.c — device populations: buffers, initial placement, the step kernels, growth,
 * and the plain-C reference of the move rule.
 *
 * Buffers ping-pong so that no kernel reads what another work-item writes:
 * positions/directions A -> S (agents_move) -> A (agents_compact); id, type, state and
 * variables A -> B (agents_compact), then A and B swap.
 */
#include "agents.h"

#include "neurons.h"
#include "signal.h"

#include <Random123/philox.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* host/device layout equalities (kernels/params.h) */
_Static_assert(PS_MAX_STATES == SCN_MAX_STATES, "state tables: PS_MAX_STATES must equal SCN_MAX_STATES");
_Static_assert(PS_MAX_TYPES == SCN_MAX_TYPES, "type tables: PS_MAX_TYPES must equal SCN_MAX_TYPES");
_Static_assert(CT_MAX == SCN_MAX_TYPES * SCN_MAX_CONTACTS,
               "contact rules: CT_MAX must equal SCN_MAX_TYPES x SCN_MAX_CONTACTS");
_Static_assert(AGENTS_NVARS == PS_NVARS_DEFAULT, "per-agent variables: AGENTS_NVARS is PS_NVARS_DEFAULT");
_Static_assert(sizeof(cl_ulong) == sizeof(uint64_t) && sizeof(cl_uint) == sizeof(uint32_t),
               "ids and counters are copied between uint64_t/uint32_t and cl_ulong/cl_uint arrays");

#define AGENTS_MIN_CAPACITY 1024
#define AGENTS_SUM_WG 64
#define AGENTS_SUM_GROUPS 32

struct agents_kernels {
    device *dev;
    cl_program p_cellist, p_secrete, p_signal, p_move, p_compact, p_summary, p_recruit, p_contact,
        p_guard;
    cl_kernel k_count, k_scatter, k_sort, k_secrete, k_signal, k_move, k_flags, k_cscatter,
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
    uint32_t seed_lo, seed_hi;
    agents_pos_bufs A, S;
    agents_id_bufs I, J;
    cl_mem flag, voxel_of, order, alive, alive_pos, divides, div_pos;
    cl_mem bin_count, bin_start, bin_fill;
    cl_mem counters, tparams, sec, upt, state_counts, sig, gain, pert, var_partial, np;
    int npert;
    int nrules;                      /* recruitment rules of this tissue */
    cl_mem rules, births, offsets;   /* [nrules][nvox] counts and their scan */
    int ncontacts;                   /* contact rules (all types) */
    int nb_contact;                  /* cell-list reach of the contact rules, voxels */
    cl_mem contacts;
    uint64_t dropped_seen;
    /* domain decomposition: daughter ids and per-rule entry id offsets from the host */
    cl_mem div_ids, div_list, id_delta;
    size_t div_cap;                  /* entries of div_ids / div_list */
};

static const char *const agents_var_names[AGENTS_NVARS] = {"age_h", "pstat3", "socs3",
                                                            "injury", "excitability"};
static const char *const agents_var_units[AGENTS_NVARS] = {"h", "1", "1", "1", "1"};

const char *agents_var_name(int k) { return agents_var_names[k]; }
const char *agents_var_unit(int k) { return agents_var_units[k]; }

size_t agents_bytes_per_agent(void)
{
    /* A + S positions (2 x 24), id/type/state/vars twice (2 x (8 + 2 + 4 NVARS)),
     * flag 1, voxel 4 and order 4 (which the compaction reuses for its two scan
     * outputs), compaction and division flags 8 */
    return 2 * 24 + 2 * (8 + 2 + 4 * AGENTS_NVARS) + 1 + 4 + 4 + 8;
}

void agents_host_free(agents_host *h)
{
    free(h->pos);
    free(h->dir);
    free(h->id);
    free(h->type);
    free(h->state);
    free(h->vars);
    memset(h, 0, sizeof *h);
}

ps_status agents_host_alloc(agents_host *h, size_t n, ps_err *err)
{
    memset(h, 0, sizeof *h);
    size_t m = n ? n : 1;
    h->n = n;
    h->pos = malloc(3 * m * sizeof(float));
    h->dir = malloc(3 * m * sizeof(float));
    h->id = malloc(m * sizeof(uint64_t));
    h->type = malloc(m);
    h->state = malloc(m);
    h->vars = calloc(AGENTS_NVARS * m, sizeof(float));
    if (!h->pos || !h->dir || !h->id || !h->type || !h->state || !h->vars) {
        agents_host_free(h);
        return ps_err_set(err, PS_ERR_MEMORY, "out of host memory for %zu agents", n);
    }
    return PS_OK;
}

/* ---- host-side random numbers: the same Philox stream the kernels use ------------- */

static float agents_u01(uint32_t x) { return ((float)(x >> 8) + 0.5f) * (1.0f / 16777216.0f); }

static void agents_rand4(uint32_t seed_lo, uint32_t seed_hi, uint64_t id, uint32_t step,
                         uint32_t purpose, float out[4])
{
    philox4x32_ctr_t c = {{(uint32_t)id, (uint32_t)(id >> 32), step, purpose}};
    philox4x32_key_t k = {{seed_lo, seed_hi}};
    philox4x32_ctr_t r = philox4x32(c, k);
    for (int i = 0; i < 4; i++) out[i] = agents_u01(r.v[i]);
}

static void agents_unit_vector(float u1, float u2, float v[3])
{
    float z = 2.0f * u1 - 1.0f;
    float r = sqrtf(fmaxf(0.0f, 1.0f - z * z));
    float phi = 6.28318530717958647692f * u2;
    v[0] = r * cosf(phi);
    v[1] = r * sinf(phi);
    v[2] = z;
}

/* ---- parameter tables -------------------------------------------------------------- */

void agents_type_table(const scenario *s, int t, const field_params *fp, double dt_min,
                       float *tp)
{
    (void)t;
    for (int ty = 0; ty < s->n_types; ty++) {
        const scn_cell_type *c = &s->types[ty];
        float *row = tp + ty * TP_COUNT;
        row[TP_SPEED] = (float)c->speed_um_per_min;
        row[TP_P_TURN] = (float)(-expm1(-dt_min / c->persistence_min));
        row[TP_REPULSION] = (float)c->repulsion_um_per_min;
        row[TP_RADIUS] = (float)c->radius_um;
        row[TP_DEATH_RATE] = (float)(c->death_rate_per_h / 60.0);
        row[TP_DIVIDE_RATE] = (float)(c->division_rate_per_h / 60.0);
        int m = c->chemotaxis_mediator;
        row[TP_CHEMO_FIELD] = (float)(m >= 0 ? fp->local_of[m] : -1);
        row[TP_CHEMO_SPEED] = (float)c->chemotaxis_speed_um_per_min;
        row[TP_CHEMO_KD] = (float)(c->chemotaxis_Kd_nM > 0 ? c->chemotaxis_Kd_nM : 1.0);
        row[TP_CHEMO_HALF] = (float)(c->chemotaxis_half_gradient_per_um > 0
                                         ? c->chemotaxis_half_gradient_per_um : 1.0);
    }
}

void agents_rate_tables(const scenario *s, int t, const field_params *fp, float *sec, float *upt)
{
    const scn_tissue *ts = &s->tissues[t];
    double vvox_um3 = ts->voxel_um * ts->voxel_um * ts->voxel_um;
    /* molecules -> nM in one voxel: n / (N_A * V[L]) * 1e9, V[L] = V[µm³] * 1e-15 */
    double molecules_to_nM = 1e9 / (6.02214076e23 * vvox_um3 * 1e-15);
    int nf = fp->nf;
    for (int ty = 0; ty < s->n_types; ty++)
        for (int st = 0; st < PS_MAX_STATES; st++)
            for (int f = 0; f < nf; f++) {
                size_t o = ((size_t)ty * PS_MAX_STATES + st) * nf + f;
                sec[o] = 0.0f;
                upt[o] = 0.0f;
                if (st >= s->types[ty].n_states) continue;
                const scn_state *S = &s->types[ty].states[st];
                int m = fp->mediator_of[f];
                sec[o] = (float)(S->secretion_molecules_per_min[m] * molecules_to_nM);
                upt[o] = (float)(S->uptake_um3_per_min[m] / vvox_um3);
            }
}

/* ---- initial placement ------------------------------------------------------------- */

static void agents_region_bounds(const scn_tissue *ts, const scn_region *r, double lo[3],
                                 double hi[3])
{
    for (int a = 0; a < 3; a++) {
        lo[a] = 0.0;
        hi[a] = ts->size_um[a];
        if (!r) continue;
        double rl, rh;
        if (r->shape == SCN_SHAPE_BOX) {
            rl = r->min_um[a];
            rh = r->max_um[a];
        } else if (r->shape == SCN_SHAPE_CYLINDER && a == r->axis) {
            rl = r->center_um[a] - 0.5 * r->length_um;
            rh = r->center_um[a] + 0.5 * r->length_um;
        } else {
            rl = r->center_um[a] - r->radius_um;
            rh = r->center_um[a] + r->radius_um;
        }
        if (rl > lo[a]) lo[a] = rl;
        if (rh < hi[a]) hi[a] = rh;
    }
}

/* One cell: id, type, state, a uniform position in region r (or the tissue). */
static ps_status agents_place(const scenario *s, int t, const scn_region *r, uint64_t id,
                              int type, int state, agents_host *h, size_t n, const char *what,
                              ps_err *err)
{
    const scn_tissue *ts = &s->tissues[t];
    uint32_t seed_lo = (uint32_t)s->seed, seed_hi = (uint32_t)(s->seed >> 32);
    double lo[3], hi[3];
    agents_region_bounds(ts, r, lo, hi);
    float u[4];
    double p[3] = {0, 0, 0};
    int placed = 0;
    for (uint32_t attempt = 0; attempt < 10000 && !placed; attempt++) {
        agents_rand4(seed_lo, seed_hi, id, attempt, RNG_PLACE, u);
        for (int a = 0; a < 3; a++) p[a] = lo[a] + (hi[a] - lo[a]) * u[a];
        placed = !r || scenario_region_contains(r, p);
    }
    if (!placed)
        return ps_err_set(err, PS_ERR_INPUT,
                          "%s: %s: could not place a cell inside region '%s' after 10000 tries: "
                          "is the region inside the tissue?", s->source_path, what, r ? r->name : "");
    float d[3];
    agents_unit_vector(u[3], agents_u01((uint32_t)(id * 2654435761u)), d);
    for (int a = 0; a < 3; a++) {
        h->pos[3 * n + a] = (float)p[a];
        h->dir[3 * n + a] = d[a];
    }
    h->id[n] = id;
    h->type[n] = (uint8_t)type;
    h->state[n] = (uint8_t)state;
    for (int v = 0; v < AGENTS_NVARS; v++) h->vars[(size_t)v * h->n + n] = 0.0f;
    return PS_OK;
}

ps_status agents_initial(const scenario *s, int t, agents_host *h, ps_err *err)
{
    const scn_tissue *ts = &s->tissues[t];
    const scn_neurons *sn = &s->neurons;
    const scn_compartment *comp[3] = {&sn->soma, &sn->peripheral, &sn->central};
    int64_t total = 0;
    for (int k = 0; k < ts->n_seedings; k++) total += ts->seedings[k].count;
    for (int c = 0; c < 3; c++)
        if (sn->enabled && comp[c]->tissue == t) total += sn->count;
    PS_TRY(agents_host_alloc(h, (size_t)total, err));
    size_t n = 0;
    char what[64];
    for (int k = 0; k < ts->n_seedings; k++) {
        const scn_seeding *sd = &ts->seedings[k];
        const scn_region *r = sd->region >= 0 ? &ts->regions[sd->region] : NULL;
        snprintf(what, sizeof what, "tissues[%d].cells[%d]", t, k);
        for (int64_t c = 0; c < sd->count; c++, n++) {
            uint64_t id = PS_ID_MAKE(t, n);
            PS_TRY(agents_place(s, t, r, id, sd->type, sd->state, h, n, what, err));
        }
    }
    static const char *const comp_names[3] = {"soma", "peripheral", "central"};
    for (int c = 0; c < 3 && sn->enabled; c++) {
        if (comp[c]->tissue != t) continue;
        const scn_region *r = comp[c]->region >= 0 ? &ts->regions[comp[c]->region] : NULL;
        snprintf(what, sizeof what, "neurons.%s", comp_names[c]);
        for (int k = 0; k < sn->count; k++, n++)
            PS_TRY(agents_place(s, t, r, neurons_compartment_id(t, k, c), comp[c]->type, 0, h, n,
                                what, err));
    }
    return PS_OK;
}

/* ---- kernels ----------------------------------------------------------------------- */

ps_status agents_kernels_create(agents_kernels **out, device *d, ps_err *err)
{
    *out = NULL;
    agents_kernels *k = calloc(1, sizeof *k);
    if (!k) return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    k->dev = d;
    char opts[64];
    snprintf(opts, sizeof opts, "-DPS_NVARS=%d", AGENTS_NVARS);
    ps_status s = device_build(d, "cellist.cl", opts, &k->p_cellist, err);
    if (s == PS_OK) s = device_build(d, "agents_secrete.cl", opts, &k->p_secrete, err);
    if (s == PS_OK) s = device_build(d, "agents_signal.cl", opts, &k->p_signal, err);
    if (s == PS_OK) s = device_build(d, "agents_move.cl", opts, &k->p_move, err);
    if (s == PS_OK) s = device_build(d, "compact.cl", opts, &k->p_compact, err);
    if (s == PS_OK) s = device_build(d, "summary.cl", opts, &k->p_summary, err);
    if (s == PS_OK) s = device_build(d, "recruit.cl", opts, &k->p_recruit, err);
    if (s == PS_OK) s = device_build(d, "contacts.cl", opts, &k->p_contact, err);
    if (s == PS_OK) s = device_build(d, "guards.cl", opts, &k->p_guard, err);
    if (s == PS_OK) s = device_kernel(k->p_guard, "guard_agents", &k->k_guard, err);
    if (s == PS_OK) s = device_kernel(k->p_contact, "contact_prey", &k->k_cprey, err);
    if (s == PS_OK) s = device_kernel(k->p_contact, "contact_actor", &k->k_cactor, err);
    if (s == PS_OK) s = device_kernel(k->p_contact, "contact_apply", &k->k_capply, err);
    if (s == PS_OK) s = device_kernel(k->p_recruit, "recruit_count", &k->k_rcount, err);
    if (s == PS_OK) s = device_kernel(k->p_recruit, "recruit_place", &k->k_rplace, err);
    if (s == PS_OK) s = device_kernel(k->p_recruit, "recruit_finish", &k->k_rfinish, err);
    if (s == PS_OK) s = device_kernel(k->p_cellist, "cellist_count", &k->k_count, err);
    if (s == PS_OK) s = device_kernel(k->p_cellist, "cellist_scatter", &k->k_scatter, err);
    if (s == PS_OK) s = device_kernel(k->p_cellist, "cellist_sort_bins", &k->k_sort, err);
    if (s == PS_OK) s = device_kernel(k->p_secrete, "agents_secrete", &k->k_secrete, err);
    if (s == PS_OK) s = device_kernel(k->p_signal, "agents_signal", &k->k_signal, err);
    if (s == PS_OK) s = device_kernel(k->p_move, "agents_move", &k->k_move, err);
    if (s == PS_OK) s = device_kernel(k->p_compact, "compact_flags", &k->k_flags, err);
    if (s == PS_OK) s = device_kernel(k->p_compact, "compact_scatter", &k->k_cscatter, err);
    if (s == PS_OK) s = device_kernel(k->p_compact, "compact_finish", &k->k_finish, err);
    if (s == PS_OK) s = device_kernel(k->p_compact, "compact_list_dividers", &k->k_clist, err);
    if (s == PS_OK) s = device_kernel(k->p_summary, "summary_count", &k->k_summary, err);
    if (s == PS_OK) s = device_kernel(k->p_summary, "summary_var_sums", &k->k_var_sums, err);
    if (s != PS_OK) {
        agents_kernels_destroy(k);
        return s;
    }
    *out = k;
    return PS_OK;
}

void agents_kernels_destroy(agents_kernels *k)
{
    if (!k) return;
    cl_kernel ks[] = {k->k_count, k->k_scatter, k->k_sort, k->k_secrete, k->k_signal,
                      k->k_move, k->k_flags, k->k_cscatter, k->k_finish, k->k_summary,
                      k->k_var_sums, k->k_rcount, k->k_rplace, k->k_rfinish, k->k_cprey,
                      k->k_cactor, k->k_capply, k->k_clist, k->k_guard};
    for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++)
        if (ks[i]) clReleaseKernel(ks[i]);
    cl_program ps[] = {k->p_cellist, k->p_secrete, k->p_signal, k->p_move, k->p_compact,
                       k->p_summary, k->p_recruit, k->p_contact, k->p_guard};
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++)
        if (ps[i]) clReleaseProgram(ps[i]);
    free(k);
}

/* ---- buffers ----------------------------------------------------------------------- */

static ps_status agents_alloc_pos(device *d, agents_pos_bufs *b, size_t cap, ps_err *err)
{
    cl_mem *m[] = {&b->px, &b->py, &b->pz, &b->ux, &b->uy, &b->uz};
    for (size_t i = 0; i < 6; i++)
        PS_TRY(device_alloc(d, cap * sizeof(float), "agent positions", m[i], err));
    return PS_OK;
}

static void agents_release_pos(agents_pos_bufs *b)
{
    cl_mem *m[] = {&b->px, &b->py, &b->pz, &b->ux, &b->uy, &b->uz};
    for (size_t i = 0; i < 6; i++) device_release(m[i]);
}

static ps_status agents_alloc_id(device *d, agents_id_bufs *b, size_t cap, ps_err *err)
{
    PS_TRY(device_alloc(d, cap * sizeof(cl_ulong), "agent ids", &b->id, err));
    PS_TRY(device_alloc(d, cap, "agent types", &b->type, err));
    PS_TRY(device_alloc(d, cap, "agent states", &b->state, err));
    PS_TRY(device_alloc(d, cap * AGENTS_NVARS * sizeof(float), "agent variables", &b->vars, err));
    return PS_OK;
}

static void agents_release_id(agents_id_bufs *b)
{
    device_release(&b->id);
    device_release(&b->type);
    device_release(&b->state);
    device_release(&b->vars);
}

static ps_status agents_alloc_scratch(agents *a, ps_err *err)
{
    device *d = a->dev;
    size_t cap = a->cap;
    PS_TRY(agents_alloc_pos(d, &a->A, cap, err));
    PS_TRY(agents_alloc_pos(d, &a->S, cap, err));
    PS_TRY(agents_alloc_id(d, &a->I, cap, err));
    PS_TRY(agents_alloc_id(d, &a->J, cap, err));
    PS_TRY(device_alloc(d, cap, "agent flags", &a->flag, err));
    PS_TRY(device_alloc(d, cap * sizeof(cl_uint), "agent voxels", &a->voxel_of, err));
    PS_TRY(device_alloc(d, cap * sizeof(cl_uint), "cell list order", &a->order, err));
    PS_TRY(device_alloc(d, cap * sizeof(cl_uint), "compaction flags", &a->alive, err));
    PS_TRY(device_alloc(d, cap * sizeof(cl_uint), "division flags", &a->divides, err));
    /* The cell list (voxel_of, order) is built at the start of a step and last read by
     * agents_move; the compaction after it writes its scan outputs into the same memory,
     * and the next step's agents_bin rebuilds the list. 8 bytes per agent less. */
    if (clRetainMemObject(a->voxel_of) != CL_SUCCESS || clRetainMemObject(a->order) != CL_SUCCESS)
        return ps_err_set(err, PS_ERR_DEVICE, "retaining the cell list buffers failed");
    a->alive_pos = a->voxel_of;
    a->div_pos = a->order;
    return PS_OK;
}

static void agents_release_scratch(agents *a)
{
    agents_release_pos(&a->A);
    agents_release_pos(&a->S);
    agents_release_id(&a->I);
    agents_release_id(&a->J);
    cl_mem *m[] = {&a->flag, &a->voxel_of, &a->order, &a->alive, &a->alive_pos, &a->divides,
                   &a->div_pos};
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) device_release(m[i]);
}

static ps_status agents_upload(agents *a, const agents_host *h, ps_err *err)
{
    device *d = a->dev;
    size_t n = h->n;
    float *tmp = malloc((n ? n : 1) * sizeof(float));
    if (!tmp) return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    cl_mem pos[] = {a->A.px, a->A.py, a->A.pz}, dir[] = {a->A.ux, a->A.uy, a->A.uz};
    ps_status s = PS_OK;
    for (int c = 0; c < 3 && s == PS_OK; c++) {
        for (size_t i = 0; i < n; i++) tmp[i] = h->pos[3 * i + c];
        s = device_write(d, pos[c], 0, n * sizeof(float), tmp, err);
        for (size_t i = 0; i < n && s == PS_OK; i++) tmp[i] = h->dir[3 * i + c];
        if (s == PS_OK) s = device_write(d, dir[c], 0, n * sizeof(float), tmp, err);
    }
    free(tmp);
    PS_TRY(s);
    PS_TRY(device_write(d, a->I.id, 0, n * sizeof(cl_ulong), h->id, err));
    PS_TRY(device_write(d, a->I.type, 0, n, h->type, err));
    PS_TRY(device_write(d, a->I.state, 0, n, h->state, err));
    for (int v = 0; v < AGENTS_NVARS; v++)
        PS_TRY(device_write(d, a->I.vars, (size_t)v * a->cap * sizeof(float), n * sizeof(float),
                            h->vars + (size_t)v * n, err));
    cl_ulong ctr[CTR_COUNT] = {0};
    ctr[CTR_N_AGENTS] = n;
    uint64_t max_local = 0;
    for (size_t i = 0; i < n; i++) {
        if (PS_ID_IS_NEURON(h->id[i])) continue;   /* nociceptor compartments */
        uint64_t local = PS_ID_LOCAL(h->id[i]);
        if (local + 1 > max_local) max_local = local + 1;
    }
    ctr[CTR_NEXT_ID] = PS_ID_MAKE(a->tissue, max_local);
    return device_write(d, a->counters, 0, sizeof ctr, ctr, err);
}

/* The longest array this population scans: capacity, voxels, or rules x voxels. */
static size_t agents_scan_size(const agents *a)
{
    size_t n = a->cap > a->nvox ? a->cap : a->nvox;
    size_t r = a->nvox * (size_t)(a->nrules > 0 ? a->nrules : 1);
    return r > n ? r : n;
}

/* CT_* rows of every type's contact rules; returns their number and the largest range
 * (µm, a rule without one reaches the sum of the two radii). */
static int agents_contact_rules(const scenario *s, double dt_min, float *rows, double *reach)
{
    int n = 0;
    double rmax = 0;
    for (int ty = 0; ty < s->n_types; ty++)
        if (s->types[ty].radius_um > rmax) rmax = s->types[ty].radius_um;
    *reach = 0;
    for (int ty = 0; ty < s->n_types; ty++) {
        const scn_cell_type *ct = &s->types[ty];
        for (int k = 0; k < ct->n_contacts && n < CT_MAX; k++, n++) {
            const scn_contact *c = &ct->contacts[k];
            float *r = rows + (size_t)n * CT_SIZE;
            r[CT_ACTOR] = (float)ty;
            r[CT_FROM] = (float)c->from;
            r[CT_PARTNER] = (float)c->partner;
            r[CT_PSTATE] = (float)c->partner_state;
            r[CT_RANGE] = (float)c->range_um;
            r[CT_P] = (float)-expm1(-c->rate_per_h / 60.0 * dt_min);
            r[CT_EAT] = (float)c->eat;
            r[CT_TO] = (float)c->to;
            double reach_k = c->range_um > 0 ? c->range_um : 2.0 * rmax;
            if (reach_k > *reach) *reach = reach_k;
        }
    }
    return n;
}

/* RC_* rows of tissue t's recruitment rules; returns their number. */
static int agents_recruit_rules(const scenario *s, int t, const field_params *fp, float *rows)
{
    const scn_tissue *ts = &s->tissues[t];
    double vvox_mm3 = ts->voxel_um * ts->voxel_um * ts->voxel_um * 1e-9;
    for (int k = 0; k < ts->n_recruitments; k++) {
        const scn_recruitment *rc = &ts->recruitments[k];
        float *r = rows + (size_t)k * RC_SIZE;
        r[RC_TYPE] = (float)rc->type;
        r[RC_STATE] = (float)rc->state;
        r[RC_REGION] = (float)rc->region;
        double fsex = s->sex == SCN_SEX_FEMALE ? rc->female_rate_factor : 1.0;
        r[RC_RATE] = (float)(rc->rate_per_mm3_per_h * fsex * vvox_mm3 * rc->barrier_permeability / 60.0);
        int m = rc->chemokine.mediator;
        r[RC_FIELD] = (float)(m >= 0 ? fp->local_of[m] : -1);
        r[RC_MED] = (float)(m >= 0 ? m : 0);
        r[RC_EC50] = (float)(rc->chemokine.EC50_nM > 0 ? rc->chemokine.EC50_nM : 1.0);
        r[RC_HILL] = (float)(rc->chemokine.hill > 0 ? rc->chemokine.hill : 1.0);
        r[RC_PRIME_FROM] = (float)(rc->priming_from_h * 60.0);
        r[RC_PRIME_PEAK] = (float)(rc->priming_peak_h * 60.0);
    }
    return ts->n_recruitments;
}

ps_status agents_create(agents **out, device *d, agents_kernels *k, const scenario *s, int t,
                        const field_set *fs, const agents_host *h, ps_err *err)
{
    return agents_create_grid(out, d, k, s, t, fs, h, NULL, err);
}

ps_status agents_create_grid(agents **out, device *d, agents_kernels *k, const scenario *s, int t,
                             const field_set *fs, const agents_host *h, const tissue_grid *g,
                             ps_err *err)
{
    *out = NULL;
    agents *a = calloc(1, sizeof *a);
    if (!a) return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    a->dev = d;
    a->k = k;
    a->s = s;
    a->tissue = t;
    if (g) a->grid = *g;
    else tissue_grid_init(&a->grid, &s->tissues[t]);
    a->nvox = tissue_grid_nvox(&a->grid);
    a->n_types = s->n_types;
    a->seed_lo = (uint32_t)s->seed;
    a->seed_hi = (uint32_t)(s->seed >> 32);
    double want = s->agent_capacity_factor * (double)h->n;
    a->cap = want > AGENTS_MIN_CAPACITY ? (size_t)ceil(want) : AGENTS_MIN_CAPACITY;
    double rmax = 0;
    for (int ty = 0; ty < s->n_types; ty++)
        if (s->types[ty].radius_um > rmax) rmax = s->types[ty].radius_um;
    a->nb_range = (int)ceil(2.0 * rmax / a->grid.voxel_um);
    if (a->nb_range < 1) a->nb_range = 1;

    const field_params *fp = field_get_params(fs);
    size_t nt = s->n_types > 0 ? (size_t)s->n_types : 1;
    size_t ntab = nt * PS_MAX_STATES * (size_t)(fp->nf > 0 ? fp->nf : 1);
    size_t nf = (size_t)(fp->nf > 0 ? fp->nf : 1);
    float *tp = calloc(nt * TP_COUNT, sizeof(float));
    float *sec = calloc(ntab, sizeof(float)), *upt = calloc(ntab, sizeof(float));
    float *sig = calloc(nt * ST_COUNT, sizeof(float)), *gain = calloc(nt * nf, sizeof(float));
    float pert[SCN_MAX_PERTURBATIONS * PT_SIZE] = {0};
    float np[NP_COUNT];
    float rules[SCN_MAX_RECRUITMENTS * RC_SIZE] = {0};
    float contacts[CT_MAX * CT_SIZE] = {0};
    ps_status st = (tp && sec && upt && sig && gain) ? PS_OK
                                                     : ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    if (st == PS_OK) {
        agents_type_table(s, t, fp, s->dt_min, tp);
        agents_rate_tables(s, t, fp, sec, upt);
        signal_type_table(s, fp, sig);
        signal_gain_table(s, fp, gain);
        a->npert = signal_perturbation_rows(s, t, fp, pert);
        neurons_table(s, t, fp, np);
        a->nrules = agents_recruit_rules(s, t, fp, rules);
        double reach = 0;
        a->ncontacts = agents_contact_rules(s, s->dt_min, contacts, &reach);
        a->nb_contact = (int)ceil(reach / a->grid.voxel_um);
        if (a->nb_contact < 1) a->nb_contact = 1;
        st = agents_alloc_scratch(a, err);
    }
    if (st == PS_OK)
        st = device_alloc(d, AGENTS_SUM_GROUPS * nt * sizeof(float), "summary partial sums",
                          &a->var_partial, err);
    if (st == PS_OK) st = device_alloc(d, nt * ST_COUNT * sizeof(float), "signalling table", &a->sig, err);
    if (st == PS_OK) st = device_alloc(d, nt * nf * sizeof(float), "secretion gains", &a->gain, err);
    if (st == PS_OK) st = device_alloc(d, sizeof pert, "perturbations", &a->pert, err);
    if (st == PS_OK) st = device_write(d, a->sig, 0, nt * ST_COUNT * sizeof(float), sig, err);
    if (st == PS_OK) st = device_write(d, a->gain, 0, nt * nf * sizeof(float), gain, err);
    if (st == PS_OK) st = device_write(d, a->pert, 0, sizeof pert, pert, err);
    size_t rslots = a->nvox * (size_t)(a->nrules > 0 ? a->nrules : 1);
    if (st == PS_OK) st = device_alloc(d, sizeof rules, "recruitment rules", &a->rules, err);
    if (st == PS_OK) st = device_write(d, a->rules, 0, sizeof rules, rules, err);
    if (st == PS_OK) st = device_alloc(d, rslots * sizeof(cl_uint), "recruitment counts", &a->births, err);
    if (st == PS_OK) st = device_alloc(d, rslots * sizeof(cl_uint), "recruitment slots", &a->offsets, err);
    if (st == PS_OK) st = device_alloc(d, sizeof contacts, "contact rules", &a->contacts, err);
    if (st == PS_OK) st = device_alloc(d, SCN_MAX_RECRUITMENTS * sizeof(cl_ulong), "entry id offsets", &a->id_delta, err);
    if (st == PS_OK) st = device_fill_zero(d, a->id_delta, SCN_MAX_RECRUITMENTS * sizeof(cl_ulong), err);
    a->div_cap = 1;
    if (st == PS_OK) st = device_alloc(d, sizeof(cl_ulong), "daughter ids", &a->div_ids, err);
    if (st == PS_OK) st = device_alloc(d, sizeof(cl_ulong), "dividing cells", &a->div_list, err);
    if (st == PS_OK) st = device_write(d, a->contacts, 0, sizeof contacts, contacts, err);
    if (st == PS_OK) st = device_alloc(d, sizeof np, "neuron table", &a->np, err);
    if (st == PS_OK) st = device_write(d, a->np, 0, sizeof np, np, err);
    if (st == PS_OK) st = device_alloc(d, a->nvox * sizeof(cl_uint), "cell list counts", &a->bin_count, err);
    if (st == PS_OK) st = device_alloc(d, a->nvox * sizeof(cl_uint), "cell list starts", &a->bin_start, err);
    if (st == PS_OK) st = device_alloc(d, a->nvox * sizeof(cl_uint), "cell list fill", &a->bin_fill, err);
    if (st == PS_OK) st = device_alloc(d, CTR_COUNT * sizeof(cl_ulong), "agent counters", &a->counters, err);
    if (st == PS_OK) st = device_alloc(d, nt * TP_COUNT * sizeof(float), "type table", &a->tparams, err);
    if (st == PS_OK) st = device_alloc(d, ntab * sizeof(float), "secretion table", &a->sec, err);
    if (st == PS_OK) st = device_alloc(d, ntab * sizeof(float), "uptake table", &a->upt, err);
    if (st == PS_OK) st = device_alloc(d, nt * PS_MAX_STATES * sizeof(cl_uint), "state counts", &a->state_counts, err);
    if (st == PS_OK) st = device_write(d, a->tparams, 0, nt * TP_COUNT * sizeof(float), tp, err);
    if (st == PS_OK) st = device_write(d, a->sec, 0, ntab * sizeof(float), sec, err);
    if (st == PS_OK) st = device_write(d, a->upt, 0, ntab * sizeof(float), upt, err);
    if (st == PS_OK) st = scan_create(&a->scan, d, agents_scan_size(a), err);
    if (st == PS_OK) st = agents_upload(a, h, err);
    free(tp);
    free(sec);
    free(upt);
    free(sig);
    free(gain);
    if (st != PS_OK) {
        agents_destroy(a);
        return st;
    }
    *out = a;
    return PS_OK;
}

void agents_destroy(agents *a)
{
    if (!a) return;
    agents_release_scratch(a);
    cl_mem *m[] = {&a->bin_count, &a->bin_start, &a->bin_fill, &a->counters, &a->tparams,
                   &a->sec, &a->upt, &a->state_counts, &a->sig, &a->gain, &a->pert,
                   &a->var_partial, &a->np, &a->rules, &a->births, &a->offsets, &a->contacts,
                   &a->div_ids, &a->div_list, &a->id_delta};
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) device_release(m[i]);
    scan_destroy(a->scan);
    free(a);
}

size_t agents_capacity(const agents *a) { return a->cap; }

/* ---- step kernels ------------------------------------------------------------------ */

ps_status agents_bin(agents *a, ps_err *err)
{
    agents_kernels *k = a->k;
    size_t vbytes = a->nvox * sizeof(cl_uint);
    PS_TRY(device_fill_zero(a->dev, a->bin_count, vbytes, err));
    PS_TRY(device_fill_zero(a->dev, a->bin_fill, vbytes, err));
    cl_int nx = a->grid.dims[0], ny = a->grid.dims[1], nz = a->grid.dims[2];
    cl_float inv_dx = (cl_float)(1.0 / a->grid.voxel_um);
    SETARG(k->k_count, 10, cl_int, a->grid.zoff, err);
    SETARG(k->k_count, 11, cl_int, a->grid.nz_global, err);
    SETARG(k->k_count, 0, cl_mem, a->counters, err);
    SETARG(k->k_count, 1, cl_mem, a->A.px, err);
    SETARG(k->k_count, 2, cl_mem, a->A.py, err);
    SETARG(k->k_count, 3, cl_mem, a->A.pz, err);
    SETARG(k->k_count, 4, cl_mem, a->voxel_of, err);
    SETARG(k->k_count, 5, cl_mem, a->bin_count, err);
    SETARG(k->k_count, 6, cl_int, nx, err);
    SETARG(k->k_count, 7, cl_int, ny, err);
    SETARG(k->k_count, 8, cl_int, nz, err);
    SETARG(k->k_count, 9, cl_float, inv_dx, err);
    PS_TRY(device_launch(a->dev, k->k_count, "cellist_count", a->cap, 0, err));
    PS_TRY(scan_exclusive(a->scan, a->bin_count, a->bin_start, a->nvox, err));
    SETARG(k->k_scatter, 0, cl_mem, a->counters, err);
    SETARG(k->k_scatter, 1, cl_mem, a->voxel_of, err);
    SETARG(k->k_scatter, 2, cl_mem, a->bin_start, err);
    SETARG(k->k_scatter, 3, cl_mem, a->bin_fill, err);
    SETARG(k->k_scatter, 4, cl_mem, a->order, err);
    PS_TRY(device_launch(a->dev, k->k_scatter, "cellist_scatter", a->cap, 0, err));
    SETARG(k->k_sort, 0, cl_mem, a->bin_start, err);
    SETARG(k->k_sort, 1, cl_mem, a->bin_count, err);
    SETARG(k->k_sort, 2, cl_mem, a->I.id, err);
    SETARG(k->k_sort, 3, cl_mem, a->order, err);
    SETARG(k->k_sort, 4, cl_uint, (cl_uint)a->nvox, err);
    return device_launch(a->dev, k->k_sort, "cellist_sort_bins", a->nvox, 0, err);
}

ps_status agents_secrete(agents *a, field_set *fs, double t_min, ps_err *err)
{
    const field_params *fp = field_get_params(fs);
    if (fp->nf == 0) return PS_OK;
    cl_kernel k = a->k->k_secrete;
    int i = 0;
    SETARG(k, i++, cl_mem, a->bin_start, err);
    SETARG(k, i++, cl_mem, a->bin_count, err);
    SETARG(k, i++, cl_mem, a->order, err);
    SETARG(k, i++, cl_mem, a->I.type, err);
    SETARG(k, i++, cl_mem, a->I.state, err);
    SETARG(k, i++, cl_mem, a->I.vars, err);
    SETARG(k, i++, cl_uint, (cl_uint)a->cap, err);
    SETARG(k, i++, cl_mem, a->sec, err);
    SETARG(k, i++, cl_mem, a->upt, err);
    SETARG(k, i++, cl_mem, a->gain, err);
    SETARG(k, i++, cl_mem, a->pert, err);
    SETARG(k, i++, cl_uint, (cl_uint)a->npert, err);
    SETARG(k, i++, cl_float, (cl_float)t_min, err);
    SETARG(k, i++, cl_mem, field_agent_src_buffer(fs), err);
    SETARG(k, i++, cl_mem, field_agent_upt_buffer(fs), err);
    SETARG(k, i++, cl_uint, (cl_uint)a->nvox, err);
    SETARG(k, i++, cl_uint, (cl_uint)fp->nf, err);
    return device_launch(a->dev, k, "agents_secrete", a->nvox, 0, err);
}

ps_status agents_signal(agents *a, const field_set *fs, cl_mem J, cl_mem injury, cl_mem lesion,
                        cl_mem repair, uint32_t step, double t_min, ps_err *err)
{
    cl_kernel k = a->k->k_signal;
    int i = 0;
    SETARG(k, i++, cl_mem, a->counters, err);
    SETARG(k, i++, cl_mem, a->I.id, err);
    SETARG(k, i++, cl_mem, a->I.type, err);
    SETARG(k, i++, cl_mem, a->I.state, err);
    SETARG(k, i++, cl_mem, a->I.vars, err);
    SETARG(k, i++, cl_uint, (cl_uint)a->cap, err);
    SETARG(k, i++, cl_mem, a->voxel_of, err);
    SETARG(k, i++, cl_mem, field_conc_buffer(fs), err);
    SETARG(k, i++, cl_uint, (cl_uint)a->nvox, err);
    SETARG(k, i++, cl_mem, J, err);
    SETARG(k, i++, cl_uint, (cl_uint)(a->tissue * a->s->n_mediators), err);
    SETARG(k, i++, cl_mem, a->sig, err);
    SETARG(k, i++, cl_mem, a->tparams, err);
    SETARG(k, i++, cl_mem, a->pert, err);
    SETARG(k, i++, cl_uint, (cl_uint)a->npert, err);
    SETARG(k, i++, cl_mem, a->flag, err);
    SETARG(k, i++, cl_mem, a->np, err);
    SETARG(k, i++, cl_mem, injury, err);
    SETARG(k, i++, cl_mem, lesion, err);
    SETARG(k, i++, cl_mem, repair, err);
    SETARG(k, i++, cl_mem, field_region_mask_buffer(fs), err);
    SETARG(k, i++, cl_uint, a->seed_lo, err);
    SETARG(k, i++, cl_uint, a->seed_hi, err);
    SETARG(k, i++, cl_uint, step, err);
    SETARG(k, i++, cl_float, (cl_float)t_min, err);
    SETARG(k, i++, cl_float, (cl_float)a->s->dt_min, err);
    return device_launch(a->dev, k, "agents_signal", a->cap, 0, err);
}

ps_status agents_contact(agents *a, uint32_t step, ps_err *err)
{
    if (a->ncontacts == 0) return PS_OK;
    agents_kernels *k = a->k;
    /* the compaction scratch arrays are free until agents_compact: alive holds who ate
       each cell, divides the next states */
    cl_mem eaten = a->alive, next = a->divides;
    cl_mem common[] = {a->counters, a->I.id, a->I.type, a->I.state, a->A.px, a->A.py, a->A.pz,
                       a->voxel_of, a->bin_start, a->bin_count, a->order, a->tparams, a->contacts};
    cl_kernel ks[2] = {k->k_cprey, k->k_cactor};
    for (int q = 0; q < 2; q++) {
        cl_kernel c = ks[q];
        int i = 0;
        for (size_t b = 0; b < sizeof common / sizeof common[0]; b++) SETARG(c, i++, cl_mem, common[b], err);
        SETARG(c, i++, cl_uint, (cl_uint)a->ncontacts, err);
        SETARG(c, i++, cl_mem, eaten, err);
        SETARG(c, i++, cl_mem, q == 0 ? a->flag : next, err);
        SETARG(c, i++, cl_int, a->grid.dims[0], err);
        SETARG(c, i++, cl_int, a->grid.dims[1], err);
        SETARG(c, i++, cl_int, a->grid.dims[2], err);
        SETARG(c, i++, cl_int, a->nb_contact, err);
        SETARG(c, i++, cl_uint, a->seed_lo, err);
        SETARG(c, i++, cl_uint, a->seed_hi, err);
        SETARG(c, i++, cl_uint, step, err);
        PS_TRY(device_launch(a->dev, c, q == 0 ? "contact_prey" : "contact_actor", a->cap, 0, err));
    }
    SETARG(k->k_capply, 0, cl_mem, a->counters, err);
    SETARG(k->k_capply, 1, cl_mem, next, err);
    SETARG(k->k_capply, 2, cl_mem, a->I.state, err);
    return device_launch(a->dev, k->k_capply, "contact_apply", a->cap, 0, err);
}

ps_status agents_move(agents *a, const field_set *fs, uint32_t step, ps_err *err)
{
    cl_kernel k = a->k->k_move;
    int i = 0;
    cl_mem in[] = {a->counters, a->A.px, a->A.py, a->A.pz, a->A.ux, a->A.uy, a->A.uz,
                   a->I.id, a->I.type, a->voxel_of, a->bin_start, a->bin_count, a->order,
                   field_conc_buffer(fs), a->tparams, a->S.px, a->S.py, a->S.pz, a->S.ux,
                   a->S.uy, a->S.uz};
    for (size_t b = 0; b < sizeof in / sizeof in[0]; b++) SETARG(k, i++, cl_mem, in[b], err);
    SETARG(k, i++, cl_int, a->grid.dims[0], err);
    SETARG(k, i++, cl_int, a->grid.dims[1], err);
    SETARG(k, i++, cl_int, a->grid.dims[2], err);
    SETARG(k, i++, cl_float, (cl_float)a->grid.voxel_um, err);
    SETARG(k, i++, cl_float, (cl_float)a->grid.size_um[0], err);
    SETARG(k, i++, cl_float, (cl_float)a->grid.size_um[1], err);
    SETARG(k, i++, cl_float, (cl_float)a->grid.size_um[2], err);
    SETARG(k, i++, cl_int, a->nb_range, err);
    SETARG(k, i++, cl_uint, a->seed_lo, err);
    SETARG(k, i++, cl_uint, a->seed_hi, err);
    SETARG(k, i++, cl_uint, step, err);
    SETARG(k, i++, cl_float, (cl_float)a->s->dt_min, err);
    return device_launch(a->dev, k, "agents_move", a->cap, 0, err);
}

ps_status agents_compact(agents *a, uint32_t step, ps_err *err)
{
    PS_TRY(agents_compact_begin(a, err));
    return agents_compact_end(a, NULL, 0, step, err);
}

ps_status agents_compact_begin(agents *a, ps_err *err)
{
    agents_kernels *k = a->k;
    cl_uint cap = (cl_uint)a->cap;
    SETARG(k->k_flags, 0, cl_mem, a->counters, err);
    SETARG(k->k_flags, 1, cl_mem, a->flag, err);
    SETARG(k->k_flags, 2, cl_mem, a->alive, err);
    SETARG(k->k_flags, 3, cl_mem, a->divides, err);
    SETARG(k->k_flags, 4, cl_uint, cap, err);
    PS_TRY(device_launch(a->dev, k->k_flags, "compact_flags", a->cap, 0, err));
    PS_TRY(scan_exclusive(a->scan, a->alive, a->alive_pos, a->cap, err));
    return scan_exclusive(a->scan, a->divides, a->div_pos, a->cap, err);
}

/* (Re)allocates the daughter id buffers for n entries. */
static ps_status agents_div_room(agents *a, size_t n, ps_err *err)
{
    if (n <= a->div_cap) return PS_OK;
    size_t cap = a->div_cap;
    while (cap < n) cap *= 2;
    device_release(&a->div_ids);
    device_release(&a->div_list);
    a->div_cap = cap;
    PS_TRY(device_alloc(a->dev, cap * sizeof(cl_ulong), "daughter ids", &a->div_ids, err));
    return device_alloc(a->dev, cap * sizeof(cl_ulong), "dividing cells", &a->div_list, err);
}

ps_status agents_dividers(agents *a, uint64_t **ids, size_t *n, ps_err *err)
{
    *ids = NULL;
    *n = 0;
    cl_uint last[2];
    size_t c1 = a->cap - 1;
    PS_TRY(device_read(a->dev, a->div_pos, c1 * sizeof(cl_uint), sizeof(cl_uint), &last[0], err));
    PS_TRY(device_read(a->dev, a->divides, c1 * sizeof(cl_uint), sizeof(cl_uint), &last[1], err));
    size_t nd = (size_t)last[0] + last[1];
    if (nd == 0) return PS_OK;
    PS_TRY(agents_div_room(a, nd, err));
    cl_kernel c = a->k->k_clist;
    SETARG(c, 0, cl_mem, a->counters, err);
    SETARG(c, 1, cl_mem, a->divides, err);
    SETARG(c, 2, cl_mem, a->div_pos, err);
    SETARG(c, 3, cl_mem, a->I.id, err);
    SETARG(c, 4, cl_mem, a->div_list, err);
    PS_TRY(device_launch(a->dev, c, "compact_list_dividers", a->cap, 0, err));
    uint64_t *v = malloc(nd * sizeof *v);
    if (!v) return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    ps_status st = device_read(a->dev, a->div_list, 0, nd * sizeof(cl_ulong), v, err);
    if (st != PS_OK) {
        free(v);
        return st;
    }
    *ids = v;
    *n = nd;
    return PS_OK;
}

ps_status agents_compact_end(agents *a, const uint64_t *div_ids, size_t n_div, uint32_t step,
                             ps_err *err)
{
    agents_kernels *k = a->k;
    cl_uint cap = (cl_uint)a->cap;
    if (div_ids && n_div > 0) {
        PS_TRY(agents_div_room(a, n_div, err));
        PS_TRY(device_write(a->dev, a->div_ids, 0, n_div * sizeof(cl_ulong), div_ids, err));
    }
    cl_kernel c = k->k_cscatter;
    int i = 0;
    cl_mem b1[] = {a->counters, a->alive, a->alive_pos, a->divides, a->div_pos};
    for (size_t b = 0; b < 5; b++) SETARG(c, i++, cl_mem, b1[b], err);
    SETARG(c, i++, cl_uint, cap, err);
    cl_mem b2[] = {a->S.px, a->S.py, a->S.pz, a->S.ux, a->S.uy, a->S.uz, a->I.id, a->I.type,
                   a->I.state, a->I.vars, a->A.px, a->A.py, a->A.pz, a->A.ux, a->A.uy, a->A.uz,
                   a->J.id, a->J.type, a->J.state, a->J.vars, a->tparams};
    for (size_t b = 0; b < sizeof b2 / sizeof b2[0]; b++) SETARG(c, i++, cl_mem, b2[b], err);
    SETARG(c, i++, cl_float, (cl_float)a->grid.size_um[0], err);
    SETARG(c, i++, cl_float, (cl_float)a->grid.size_um[1], err);
    SETARG(c, i++, cl_float, (cl_float)a->grid.size_um[2], err);
    SETARG(c, i++, cl_uint, a->seed_lo, err);
    SETARG(c, i++, cl_uint, a->seed_hi, err);
    SETARG(c, i++, cl_uint, step, err);
    SETARG(c, i++, cl_float, (cl_float)a->s->dt_min, err);
    SETARG(c, i++, cl_mem, a->div_ids, err);
    SETARG(c, i++, cl_int, div_ids != NULL, err);
    PS_TRY(device_launch(a->dev, c, "compact_scatter", a->cap, 0, err));
    SETARG(k->k_finish, 0, cl_mem, a->counters, err);
    SETARG(k->k_finish, 1, cl_mem, a->alive, err);
    SETARG(k->k_finish, 2, cl_mem, a->alive_pos, err);
    SETARG(k->k_finish, 3, cl_mem, a->divides, err);
    SETARG(k->k_finish, 4, cl_mem, a->div_pos, err);
    SETARG(k->k_finish, 5, cl_uint, cap, err);
    PS_TRY(device_launch(a->dev, k->k_finish, "compact_finish", 1, 0, err));
    agents_id_bufs tmp = a->I;
    a->I = a->J;
    a->J = tmp;
    return PS_OK;
}

ps_status agents_recruit(agents *a, const field_set *fs, cl_mem J, uint32_t step, ps_err *err)
{
    PS_TRY(agents_recruit_count(a, fs, J, step, err));
    return agents_recruit_place(a, NULL, step, err);
}

ps_status agents_recruit_count(agents *a, const field_set *fs, cl_mem J, uint32_t step, ps_err *err)
{
    if (a->nrules == 0) return PS_OK;
    agents_kernels *k = a->k;
    size_t slots = (size_t)a->nrules * a->nvox;
    int i = 0;
    cl_kernel c = k->k_rcount;
    SETARG(c, i++, cl_mem, a->rules, err);
    SETARG(c, i++, cl_uint, (cl_uint)a->nrules, err);
    SETARG(c, i++, cl_mem, field_region_mask_buffer(fs), err);
    SETARG(c, i++, cl_mem, field_conc_buffer(fs), err);
    SETARG(c, i++, cl_mem, J, err);
    SETARG(c, i++, cl_uint, (cl_uint)(a->tissue * a->s->n_mediators), err);
    SETARG(c, i++, cl_uint, (cl_uint)a->nvox, err);
    SETARG(c, i++, cl_mem, a->births, err);
    SETARG(c, i++, cl_uint, a->seed_lo, err);
    SETARG(c, i++, cl_uint, a->seed_hi, err);
    SETARG(c, i++, cl_uint, (cl_uint)a->tissue, err);
    SETARG(c, i++, cl_uint, step, err);
    SETARG(c, i++, cl_float, (cl_float)a->s->dt_min, err);
    SETARG(c, i++, cl_float, (cl_float)((double)(step - 1) * a->s->dt_min), err);
    size_t plane = (size_t)a->grid.dims[0] * (size_t)a->grid.dims[1];
    SETARG(c, i++, cl_uint, (cl_uint)(plane * (size_t)a->grid.zoff), err);
    SETARG(c, i++, cl_uint, (cl_uint)(plane * (size_t)a->grid.lo[2]), err);
    SETARG(c, i++, cl_uint, (cl_uint)(plane * (size_t)a->grid.hi[2]), err);
    PS_TRY(device_launch(a->dev, c, "recruit_count", slots, 0, err));
    return scan_exclusive(a->scan, a->births, a->offsets, slots, err);
}

ps_status agents_recruit_totals(agents *a, uint64_t *per_rule, ps_err *err)
{
    for (int r = 0; r < a->nrules; r++) {
        cl_uint first[2], last[2];
        size_t lo = (size_t)r * a->nvox, hi = lo + a->nvox - 1;
        PS_TRY(device_read(a->dev, a->offsets, lo * sizeof(cl_uint), sizeof(cl_uint), &first[0], err));
        PS_TRY(device_read(a->dev, a->offsets, hi * sizeof(cl_uint), sizeof(cl_uint), &last[0], err));
        PS_TRY(device_read(a->dev, a->births, hi * sizeof(cl_uint), sizeof(cl_uint), &last[1], err));
        per_rule[r] = (uint64_t)last[0] + last[1] - first[0];
    }
    return PS_OK;
}

ps_status agents_recruit_place(agents *a, const uint64_t *id_delta, uint32_t step, ps_err *err)
{
    if (a->nrules == 0) return PS_OK;
    agents_kernels *k = a->k;
    size_t slots = (size_t)a->nrules * a->nvox;
    int i = 0;
    cl_kernel c;
    if (id_delta) {
        cl_ulong d[SCN_MAX_RECRUITMENTS];
        for (int r = 0; r < a->nrules; r++) d[r] = id_delta[r];
        PS_TRY(device_write(a->dev, a->id_delta, 0, (size_t)a->nrules * sizeof(cl_ulong), d, err));
    }
    c = k->k_rplace;
    i = 0;
    SETARG(c, i++, cl_mem, a->counters, err);
    SETARG(c, i++, cl_mem, a->rules, err);
    SETARG(c, i++, cl_uint, (cl_uint)a->nrules, err);
    SETARG(c, i++, cl_mem, a->births, err);
    SETARG(c, i++, cl_mem, a->offsets, err);
    SETARG(c, i++, cl_uint, (cl_uint)a->nvox, err);
    SETARG(c, i++, cl_uint, (cl_uint)a->cap, err);
    SETARG(c, i++, cl_int, a->grid.dims[0], err);
    SETARG(c, i++, cl_int, a->grid.dims[1], err);
    SETARG(c, i++, cl_float, (cl_float)a->grid.voxel_um, err);
    SETARG(c, i++, cl_float, (cl_float)a->grid.size_um[0], err);
    SETARG(c, i++, cl_float, (cl_float)a->grid.size_um[1], err);
    SETARG(c, i++, cl_float, (cl_float)a->grid.size_um[2], err);
    cl_mem b[] = {a->A.px, a->A.py, a->A.pz, a->A.ux, a->A.uy, a->A.uz, a->I.id, a->I.type,
                  a->I.state, a->I.vars};
    for (size_t q = 0; q < sizeof b / sizeof b[0]; q++) SETARG(c, i++, cl_mem, b[q], err);
    SETARG(c, i++, cl_uint, a->seed_lo, err);
    SETARG(c, i++, cl_uint, a->seed_hi, err);
    SETARG(c, i++, cl_uint, step, err);
    SETARG(c, i++, cl_int, a->grid.zoff, err);
    SETARG(c, i++, cl_mem, a->id_delta, err);
    SETARG(c, i++, cl_int, id_delta != NULL, err);
    PS_TRY(device_launch(a->dev, c, "recruit_place", slots, 0, err));
    c = k->k_rfinish;
    SETARG(c, 0, cl_mem, a->counters, err);
    SETARG(c, 1, cl_mem, a->births, err);
    SETARG(c, 2, cl_mem, a->offsets, err);
    SETARG(c, 3, cl_uint, (cl_uint)slots, err);
    SETARG(c, 4, cl_uint, (cl_uint)a->cap, err);
    return device_launch(a->dev, c, "recruit_finish", 1, 0, err);
}

ps_status agents_counters(agents *a, uint64_t ctr[CTR_COUNT], ps_err *err)
{
    cl_ulong c[CTR_COUNT];
    PS_TRY(device_read(a->dev, a->counters, 0, sizeof c, c, err));
    for (int i = 0; i < CTR_COUNT; i++) ctr[i] = c[i];
    return PS_OK;
}

/* Reallocates every per-agent buffer at new_cap, keeping the first n agents. */
static ps_status agents_grow(agents *a, size_t n, size_t new_cap, ps_err *err)
{
    device *d = a->dev;
    agents_pos_bufs oldA = a->A;
    agents_id_bufs oldI = a->I;
    size_t old_cap = a->cap;
    memset(&a->A, 0, sizeof a->A);
    memset(&a->I, 0, sizeof a->I);
    agents_release_pos(&a->S);
    agents_release_id(&a->J);
    cl_mem *m[] = {&a->flag, &a->voxel_of, &a->order, &a->alive, &a->alive_pos, &a->divides,
                   &a->div_pos};
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) device_release(m[i]);
    a->cap = new_cap;
    ps_status s = agents_alloc_scratch(a, err);
    cl_mem src[] = {oldA.px, oldA.py, oldA.pz, oldA.ux, oldA.uy, oldA.uz};
    cl_mem dst[] = {a->A.px, a->A.py, a->A.pz, a->A.ux, a->A.uy, a->A.uz};
    for (int i = 0; i < 6 && s == PS_OK; i++) s = device_copy(d, src[i], dst[i], n * sizeof(float), err);
    if (s == PS_OK) s = device_copy(d, oldI.id, a->I.id, n * sizeof(cl_ulong), err);
    if (s == PS_OK) s = device_copy(d, oldI.type, a->I.type, n, err);
    if (s == PS_OK) s = device_copy(d, oldI.state, a->I.state, n, err);
    for (int v = 0; v < AGENTS_NVARS && s == PS_OK && n > 0; v++)
        CHECK_CL(clEnqueueCopyBuffer(device_queue(d), oldI.vars, a->I.vars,
                                     (size_t)v * old_cap * sizeof(float),
                                     (size_t)v * new_cap * sizeof(float), n * sizeof(float), 0,
                                     NULL, NULL), err);
    if (s == PS_OK) s = device_finish(d, err);
    agents_release_pos(&oldA);
    agents_release_id(&oldI);
    if (s == PS_OK) {
        scan_destroy(a->scan);
        a->scan = NULL;
        s = scan_create(&a->scan, d, agents_scan_size(a), err);
    }
    return s;
}

ps_status agents_check_capacity(agents *a, uint64_t *dropped, uint64_t *n_agents, ps_err *err)
{
    uint64_t ctr[CTR_COUNT];
    PS_TRY(agents_counters(a, ctr, err));
    if (n_agents) *n_agents = ctr[CTR_N_AGENTS];
    *dropped = ctr[CTR_BIRTHS_DROPPED] - a->dropped_seen;
    a->dropped_seen = ctr[CTR_BIRTHS_DROPPED];
    /* keep engine.agent_capacity_factor x n slots (room for the births and entries of
       the steps until the next check); grow by at least half when short */
    size_t n = (size_t)ctr[CTR_N_AGENTS];
    double f = a->s->agent_capacity_factor;
    if (f * (double)n <= (double)a->cap && *dropped == 0) return PS_OK;
    size_t new_cap = a->cap + a->cap / 2;
    if ((double)new_cap < ceil(f * (double)n)) new_cap = (size_t)ceil(f * (double)n);
    if (new_cap > 0xffffffffu / 2)
        return ps_err_set(err, PS_ERR_MEMORY,
                          "tissue %s: %zu agents exceed what one device population can index",
                          a->s->tissues[a->tissue].name, n);
    return agents_grow(a, n, new_cap, err);
}

ps_status agents_count_states(agents *a, uint32_t *counts, ps_err *err)
{
    size_t nt = a->n_types > 0 ? (size_t)a->n_types : 1;
    size_t bytes = nt * PS_MAX_STATES * sizeof(cl_uint);
    PS_TRY(device_fill_zero(a->dev, a->state_counts, bytes, err));
    cl_kernel k = a->k->k_summary;
    SETARG(k, 0, cl_mem, a->counters, err);
    SETARG(k, 1, cl_mem, a->I.type, err);
    SETARG(k, 2, cl_mem, a->I.state, err);
    SETARG(k, 3, cl_mem, a->state_counts, err);
    PS_TRY(device_launch(a->dev, k, "summary_count", a->cap, 0, err));
    return device_read(a->dev, a->state_counts, 0, bytes, counts, err);
}

ps_status agents_var_means(agents *a, int var, const uint32_t *counts, double *means, ps_err *err)
{
    size_t nt = (size_t)a->n_types;
    if (nt == 0) return PS_OK;
    double sums[SCN_MAX_TYPES];
    PS_TRY(agents_var_sums(a, var, sums, err));
    agents_means_from_sums((int)nt, counts, sums, means);
    return PS_OK;
}

void agents_means_from_sums(int n_types, const uint32_t *counts, const double *sums, double *means)
{
    for (int t = 0; t < n_types; t++) {
        uint32_t n = 0;
        for (int st = 0; st < PS_MAX_STATES; st++) n += counts[t * PS_MAX_STATES + st];
        means[t] = n > 0 ? sums[t] / n : 0.0;
    }
}

ps_status agents_download(agents *a, agents_host *h, ps_err *err)
{
    uint64_t ctr[CTR_COUNT];
    PS_TRY(agents_counters(a, ctr, err));
    size_t n = (size_t)ctr[CTR_N_AGENTS];
    PS_TRY(agents_host_alloc(h, n, err));
    float *tmp = malloc((n ? n : 1) * sizeof(float));
    if (!tmp) return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    cl_mem pos[] = {a->A.px, a->A.py, a->A.pz}, dir[] = {a->A.ux, a->A.uy, a->A.uz};
    ps_status s = PS_OK;
    for (int c = 0; c < 3 && s == PS_OK; c++) {
        s = device_read(a->dev, pos[c], 0, n * sizeof(float), tmp, err);
        for (size_t i = 0; i < n && s == PS_OK; i++) h->pos[3 * i + c] = tmp[i];
        if (s == PS_OK) s = device_read(a->dev, dir[c], 0, n * sizeof(float), tmp, err);
        for (size_t i = 0; i < n && s == PS_OK; i++) h->dir[3 * i + c] = tmp[i];
    }
    free(tmp);
    if (s == PS_OK) s = device_read(a->dev, a->I.id, 0, n * sizeof(cl_ulong), h->id, err);
    if (s == PS_OK) s = device_read(a->dev, a->I.type, 0, n, h->type, err);
    if (s == PS_OK) s = device_read(a->dev, a->I.state, 0, n, h->state, err);
    for (int v = 0; v < AGENTS_NVARS && s == PS_OK; v++)
        s = device_read(a->dev, a->I.vars, (size_t)v * a->cap * sizeof(float), n * sizeof(float),
                        h->vars + (size_t)v * n, err);
    if (s != PS_OK) agents_host_free(h);
    return s;
}

/* ---- numerical guard ------------------------------------------------------------------ */

ps_status agents_check(agents *a, long *bad, agents_host *one, ps_err *err)
{
    *bad = -1;
    cl_uint none = 0xffffffffu, first;
    /* the recruitment offsets array is free between steps: its first entry is the result */
    PS_TRY(device_write(a->dev, a->offsets, 0, sizeof none, &none, err));
    cl_kernel k = a->k->k_guard;
    cl_mem m[] = {a->counters, a->A.px, a->A.py, a->A.pz, a->I.vars};
    for (int i = 0; i < 5; i++) SETARG(k, i, cl_mem, m[i], err);
    SETARG(k, 5, cl_uint, (cl_uint)a->cap, err);
    SETARG(k, 6, cl_float, (cl_float)a->grid.size_um[0], err);
    SETARG(k, 7, cl_float, (cl_float)a->grid.size_um[1], err);
    SETARG(k, 8, cl_float, (cl_float)a->grid.size_um[2], err);
    SETARG(k, 9, cl_mem, a->offsets, err);
    PS_TRY(device_launch(a->dev, k, "guard_agents", a->cap, 0, err));
    PS_TRY(device_read(a->dev, a->offsets, 0, sizeof first, &first, err));
    if (first == none) return PS_OK;
    *bad = (long)first;
    agents_host h;
    memset(&h, 0, sizeof h);
    PS_TRY(agents_download(a, &h, err));
    ps_status st = agents_host_alloc(one, 1, err);
    if (st == PS_OK) {
        for (int c = 0; c < 3; c++) {
            one->pos[c] = h.pos[3 * first + c];
            one->dir[c] = h.dir[3 * first + c];
        }
        one->id[0] = h.id[first];
        one->type[0] = h.type[first];
        one->state[0] = h.state[first];
        for (int v = 0; v < AGENTS_NVARS; v++) one->vars[v] = h.vars[(size_t)v * h.n + first];
    }
    agents_host_free(&h);
    return st;
}

/* ---- domain decomposition ---------------------------------------------------------- */

const tissue_grid *agents_grid(const agents *a) { return &a->grid; }
int agents_n_rules(const agents *a) { return a->nrules; }

int agents_halo_planes(const scenario *s, int t)
{
    double h = s->tissues[t].voxel_um, rmax = 0, reach = 0;
    for (int ty = 0; ty < s->n_types; ty++)
        if (s->types[ty].radius_um > rmax) rmax = s->types[ty].radius_um;
    float rows[CT_MAX * CT_SIZE];
    int nrules = agents_contact_rules(s, s->dt_min, rows, &reach);
    int nb_range = (int)ceil(2.0 * rmax / h), nb_contact = (int)ceil(reach / h);
    if (nb_range < 1) nb_range = 1;
    if (nb_contact < 1) nb_contact = 1;
    int H = nb_range;
    if (nrules > 0 && 2 * nb_contact > H) H = 2 * nb_contact;
    return H;
}

static ps_status agents_write_counter(agents *a, int which, uint64_t v, ps_err *err)
{
    cl_ulong x = v;
    return device_write(a->dev, a->counters, (size_t)which * sizeof(cl_ulong), sizeof x, &x, err);
}

ps_status agents_restore(agents *a, const agents_host *h, size_t cap, const uint64_t *ctr,
                         ps_err *err)
{
    if (cap < h->n || cap > 0xffffffffu / 2)
        return ps_err_set(err, PS_ERR_INPUT, "tissue %s: a checkpoint's capacity %zu cannot hold its "
                          "%zu agents", a->s->tissues[a->tissue].name, cap, h->n);
    if (cap != a->cap) PS_TRY(agents_grow(a, 0, cap, err));
    PS_TRY(agents_upload(a, h, err));
    cl_ulong c[CTR_COUNT];
    for (int i = 0; i < CTR_COUNT; i++) c[i] = ctr[i];
    a->dropped_seen = ctr[CTR_BIRTHS_DROPPED];
    return device_write(a->dev, a->counters, 0, sizeof c, c, err);
}

ps_status agents_set_count(agents *a, size_t n, ps_err *err)
{
    return agents_write_counter(a, CTR_N_AGENTS, n, err);
}

ps_status agents_set_next_id(agents *a, uint64_t next_id, ps_err *err)
{
    return agents_write_counter(a, CTR_NEXT_ID, next_id, err);
}

ps_status agents_replace(agents *a, const agents_host *h, ps_err *err)
{
    if (2 * h->n > a->cap) {
        size_t cap = a->cap;
        while (2 * h->n > cap) cap *= 2;
        if (cap > 0xffffffffu / 2)
            return ps_err_set(err, PS_ERR_MEMORY, "tissue %s: %zu agents exceed what one device "
                              "population can index", a->s->tissues[a->tissue].name, h->n);
        PS_TRY(agents_grow(a, 0, cap, err));
    }
    uint64_t ctr[CTR_COUNT];
    PS_TRY(agents_counters(a, ctr, err));
    PS_TRY(agents_upload(a, h, err));
    /* agents_upload reset the counters: keep the bookkeeping, set the population */
    ctr[CTR_N_AGENTS] = h->n;
    cl_ulong c[CTR_COUNT];
    for (int i = 0; i < CTR_COUNT; i++) c[i] = ctr[i];
    return device_write(a->dev, a->counters, 0, sizeof c, c, err);
}

ps_status agents_var_sums(agents *a, int var, double *sums, ps_err *err)
{
    size_t nt = (size_t)a->n_types;
    if (nt == 0) return PS_OK;
    cl_kernel k = a->k->k_var_sums;
    SETARG(k, 0, cl_mem, a->counters, err);
    SETARG(k, 1, cl_mem, a->I.type, err);
    SETARG(k, 2, cl_mem, a->I.vars, err);
    SETARG(k, 3, cl_uint, (cl_uint)a->cap, err);
    SETARG(k, 4, cl_uint, (cl_uint)var, err);
    SETARG(k, 5, cl_uint, (cl_uint)nt, err);
    SETARG(k, 6, cl_mem, a->var_partial, err);
    CHECK_CL(clSetKernelArg(k, 7, AGENTS_SUM_WG * nt * sizeof(float), NULL), err);
    PS_TRY(device_launch(a->dev, k, "summary_var_sums", AGENTS_SUM_WG * AGENTS_SUM_GROUPS,
                         AGENTS_SUM_WG, err));
    float part[AGENTS_SUM_GROUPS * SCN_MAX_TYPES];
    PS_TRY(device_read(a->dev, a->var_partial, 0, AGENTS_SUM_GROUPS * nt * sizeof(float), part, err));
    for (size_t t = 0; t < nt; t++) {
        double sum = 0;
        for (size_t g = 0; g < AGENTS_SUM_GROUPS; g++) sum += part[g * nt + t];
        sums[t] = sum;
    }
    return PS_OK;
}

/* ---- plain-C reference of agents_move ---------------------------------------------- */

static float agents_reflect_ref(float x, float len, float *dir)
{
    if (x < 0.0f) {
        x = -x;
        *dir = -*dir;
    } else if (x > len) {
        x = 2.0f * len - x;
        *dir = -*dir;
    }
    return x < 0.0f ? 0.0f : x > len ? len : x;
}

static int agents_voxel_axis_ref(float x, float inv_dx, int n)
{
    int i = (int)floorf(x * inv_dx);
    return i < 0 ? 0 : i > n - 1 ? n - 1 : i;
}

void agents_move_ref(const scenario *s, int t, const field_params *fp, const float *conc,
                     const agents_host *h, uint32_t step, float *out_pos, float *out_dir)
{
    tissue_grid g;
    tissue_grid_init(&g, &s->tissues[t]);
    float tp[SCN_MAX_TYPES * TP_COUNT];
    agents_type_table(s, t, fp, s->dt_min, tp);
    uint32_t seed_lo = (uint32_t)s->seed, seed_hi = (uint32_t)(s->seed >> 32);
    int nx = g.dims[0], ny = g.dims[1], nz = g.dims[2];
    float dx = (float)g.voxel_um, dt = (float)s->dt_min, inv_dx = (float)(1.0 / g.voxel_um);
    for (size_t i = 0; i < h->n; i++) {
        const float *row = tp + h->type[i] * TP_COUNT;
        float pos[3] = {h->pos[3 * i], h->pos[3 * i + 1], h->pos[3 * i + 2]};
        float dir[3] = {h->dir[3 * i], h->dir[3 * i + 1], h->dir[3 * i + 2]};
        float r[4];
        agents_rand4(seed_lo, seed_hi, h->id[i], step, RNG_TURN, r);
        if (r[0] < row[TP_P_TURN]) agents_unit_vector(r[1], r[2], dir);
        float vel[3];
        for (int a = 0; a < 3; a++) vel[a] = row[TP_SPEED] * dir[a];
        int x = agents_voxel_axis_ref(pos[0], inv_dx, nx);
        int y = agents_voxel_axis_ref(pos[1], inv_dx, ny);
        int z = agents_voxel_axis_ref(pos[2], inv_dx, nz);
        int cf = (int)row[TP_CHEMO_FIELD];
        if (cf >= 0 && row[TP_CHEMO_SPEED] > 0.0f) {
            const float *c = conc + (size_t)cf * g.dims[0] * g.dims[1] * g.dims[2];
#define AT(X, Y, Z) c[((size_t)(Z) * ny + (Y)) * nx + (X)]
            int lo[3] = {x > 0 ? x - 1 : 0, y > 0 ? y - 1 : 0, z > 0 ? z - 1 : 0};
            int hi[3] = {x < nx - 1 ? x + 1 : nx - 1, y < ny - 1 ? y + 1 : ny - 1,
                         z < nz - 1 ? z + 1 : nz - 1};
            float gr[3] = {0, 0, 0};
            if (hi[0] > lo[0]) gr[0] = (AT(hi[0], y, z) - AT(lo[0], y, z)) / ((hi[0] - lo[0]) * dx);
            if (hi[1] > lo[1]) gr[1] = (AT(x, hi[1], z) - AT(x, lo[1], z)) / ((hi[1] - lo[1]) * dx);
            if (hi[2] > lo[2]) gr[2] = (AT(x, y, hi[2]) - AT(x, y, lo[2])) / ((hi[2] - lo[2]) * dx);
            float c0 = AT(x, y, z);
#undef AT
            float kd = row[TP_CHEMO_KD];
            float den = fmaxf(c0, 0.0f) + kd;
            float sc = kd / (den * den);
            float gf[3] = {gr[0] * sc, gr[1] * sc, gr[2] * sc};
            float gn = sqrtf(gf[0] * gf[0] + gf[1] * gf[1] + gf[2] * gf[2]);
            if (gn > 0.0f)
                for (int a = 0; a < 3; a++)
                    vel[a] += row[TP_CHEMO_SPEED] * (gn / (gn + row[TP_CHEMO_HALF])) * (gf[a] / gn);
        }
        float ri = row[TP_RADIUS], rep = row[TP_REPULSION];
        if (rep > 0.0f) {
            float push[3] = {0, 0, 0};
            for (size_t j = 0; j < h->n; j++) {
                if (j == i) continue;
                float rsum = ri + tp[h->type[j] * TP_COUNT + TP_RADIUS];
                float d[3] = {pos[0] - h->pos[3 * j], pos[1] - h->pos[3 * j + 1],
                              pos[2] - h->pos[3 * j + 2]};
                float d2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
                if (d2 >= rsum * rsum) continue;
                float dist = sqrtf(d2);
                float u[3] = {h->id[i] < h->id[j] ? -1.0f : 1.0f, 0, 0};
                if (dist > 1e-4f)
                    for (int a = 0; a < 3; a++) u[a] = d[a] / dist;
                for (int a = 0; a < 3; a++) push[a] += rep * (1.0f - dist / rsum) * u[a];
            }
            float pl = sqrtf(push[0] * push[0] + push[1] * push[1] + push[2] * push[2]) * dt;
            if (pl > ri)
                for (int a = 0; a < 3; a++) push[a] *= ri / pl;
            for (int a = 0; a < 3; a++) vel[a] += push[a];
        }
        for (int a = 0; a < 3; a++) {
            float np = pos[a] + dt * vel[a];
            out_pos[3 * i + a] = agents_reflect_ref(np, (float)g.size_um[a], &dir[a]);
            out_dir[3 * i + a] = dir[a];
        }
    }
}
