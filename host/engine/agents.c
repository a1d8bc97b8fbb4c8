/* agents.c — a tissue's device population: its buffers, their creation from a host
 * copy, capacity growth, the device counters, and the restores and replacements that
 * checkpoints and domain decomposition make.
 *
 * Buffers ping-pong so that no kernel reads what another work-item writes:
 * positions/directions A -> S (agents_move) -> A (agents_compact); id, type, state and
 * variables A -> B (agents_compact), then A and B swap. Capacity grows only between
 * steps (agents_check_capacity), by reallocating every per-agent buffer: a step never
 * waits for the host.
 */
#include "agents_impl.h"

#include "neurons.h"
#include "signal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define AGENTS_MIN_CAPACITY 1024

size_t agents_bytes_per_agent(void)
{
    /* A + S positions (2 x 24), id/type/state/vars twice (2 x (8 + 2 + 4 NVARS)),
     * flag 1, voxel 4 (which the compaction reuses for its survivors' scan) and order 4,
     * compaction and division flags 8, the dividers' scan 4 and id list 8 */
    return 2 * 24 + 2 * (8 + 2 + 4 * AGENTS_NVARS) + 1 + 4 + 4 + 8 + 4 + 8;
}

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
    PS_TRY(device_alloc(d, cap * sizeof(cl_uint), "division scan", &a->div_pos, err));
    PS_TRY(device_alloc(d, cap * sizeof(cl_ulong), "dividing cells", &a->div_list, err));
    /* voxel_of is last read by agents_move; the compaction after it writes its survivors'
     * scan into the same memory (it reads order[], which keeps its own), and the next
     * step's agents_bin rebuilds both. 4 bytes per agent less. */
    if (clRetainMemObject(a->voxel_of) != CL_SUCCESS)
        return ps_err_set(err, PS_ERR_DEVICE, "retaining the cell list buffers failed");
    a->alive_pos = a->voxel_of;
    a->list_valid = 0;
    return PS_OK;
}

static void agents_release_scratch(agents *a)
{
    agents_release_pos(&a->A);
    agents_release_pos(&a->S);
    agents_release_id(&a->I);
    agents_release_id(&a->J);
    cl_mem *m[] = {&a->flag, &a->voxel_of, &a->order, &a->alive, &a->alive_pos, &a->divides,
                   &a->div_pos, &a->div_list};
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) device_release(m[i]);
}

/* The longest array this population scans: capacity, voxels, or rules x voxels. */
static size_t agents_scan_size(const agents *a)
{
    size_t n = a->cap > a->nvox ? a->cap : a->nvox;
    size_t r = a->nvox * (size_t)(a->nrules > 0 ? a->nrules : 1);
    return r > n ? r : n;
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
    /* the largest radius of the types that can be in this tissue (seeded, entering, or a
       neuron compartment placed here; divisions keep the type; agents_upload adds the
       types of cells put in from the host): a cell's repulsion partners are within its
       radius plus this */
    double rmax_t = 0;
    const scn_tissue *ts = &s->tissues[t];
    for (int q = 0; q < ts->n_seedings; q++)
        rmax_t = fmax(rmax_t, s->types[ts->seedings[q].type].radius_um);
    for (int q = 0; q < ts->n_recruitments; q++)
        rmax_t = fmax(rmax_t, s->types[ts->recruitments[q].type].radius_um);
    if (s->neurons.enabled) {
        const scn_compartment *cp[3] = {&s->neurons.soma, &s->neurons.peripheral, &s->neurons.central};
        for (int q = 0; q < 3; q++)
            if (cp[q]->tissue == t) rmax_t = fmax(rmax_t, s->types[cp[q]->type].radius_um);
    }
    a->partner_rmax_um = rmax_t;
    a->nb_range = (int)ceil(2.0 * rmax / a->grid.voxel_um);
    if (a->nb_range < 1) a->nb_range = 1;

    const field_params *fp = field_get_params(fs);
    size_t nt = s->n_types > 0 ? (size_t)s->n_types : 1;
    size_t ntab = nt * PS_MAX_STATES * (size_t)(fp->nf > 0 ? fp->nf : 1);
    size_t nf = (size_t)(fp->nf > 0 ? fp->nf : 1);
    float *tp = calloc(nt * TP_COUNT, sizeof(float));
    float *sec = calloc(ntab, sizeof(float)), *upt = calloc(ntab, sizeof(float));
    float *sig = calloc(nt * ST_COUNT, sizeof(float)), *gain = calloc(nt * nf, sizeof(float));
    float *pert = calloc(SIGNAL_MAX_PERT_ROWS * PT_SIZE, sizeof(float));
    float *rel = calloc(nt * nf * REL_SIZE, sizeof(float));
    unsigned char *fon = calloc(nf, 1);
    cl_uint *flist = calloc(nf, sizeof(cl_uint));
    float np[NP_COUNT];
    float rules[SCN_MAX_RECRUITMENTS * RC_SIZE] = {0};
    float contacts[CT_MAX * CT_SIZE] = {0};
    ps_status st = (tp && sec && upt && sig && gain && pert && rel && fon && flist) ? PS_OK
                                                     : ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    if (st == PS_OK) {
        agents_type_table(s, t, fp, s->dt_min, tp);
        agents_rate_tables(s, t, fp, sec, upt);
        agents_release_table(s, t, fp, rel);
        a->nfa = agents_field_list(s, fp->nf, sec, upt, rel, fon, flist);
        signal_type_table(s, fp, sig);
        signal_gain_table(s, fp, gain);
        a->npert = signal_perturbation_rows(s, t, fp, pert);
        neurons_table(s, t, fp, np);
        a->nrules = agents_recruit_rules(s, t, fp, rules);
        double reach = 0;
        a->ncontacts = agents_contact_rules(s, s->dt_min, contacts, &reach);
        a->contact_reach_um = reach;
        a->nb_contact = (int)ceil(reach / a->grid.voxel_um);
        if (a->nb_contact < 1) a->nb_contact = 1;
        st = agents_alloc_scratch(a, err);
    }
    if (st == PS_OK)
        st = device_alloc(d, AGENTS_SUM_GROUPS * nt * sizeof(float), "summary partial sums",
                          &a->var_partial, err);
    if (st == PS_OK) st = device_alloc(d, nt * ST_COUNT * sizeof(float), "signalling table", &a->sig, err);
    if (st == PS_OK) st = device_alloc(d, nt * nf * sizeof(float), "secretion gains", &a->gain, err);
    size_t pbytes = (size_t)(a->npert > 0 ? a->npert : 1) * PT_SIZE * sizeof(float);
    if (st == PS_OK) st = device_alloc(d, pbytes, "perturbations", &a->pert, err);
    if (st == PS_OK) st = device_alloc(d, nt * nf * REL_SIZE * sizeof(float), "neuronal release", &a->rel, err);
    if (st == PS_OK) st = device_write(d, a->rel, 0, nt * nf * REL_SIZE * sizeof(float), rel, err);
    if (st == PS_OK) st = device_alloc(d, nf, "fields agents touch", &a->fagent, err);
    if (st == PS_OK) st = device_write(d, a->fagent, 0, nf, fon, err);
    if (st == PS_OK) st = device_alloc(d, nf * sizeof(cl_uint), "list of fields agents touch", &a->flist, err);
    if (st == PS_OK) st = device_write(d, a->flist, 0, nf * sizeof(cl_uint), flist, err);
    if (st == PS_OK) st = device_write(d, a->sig, 0, nt * ST_COUNT * sizeof(float), sig, err);
    if (st == PS_OK) st = device_write(d, a->gain, 0, nt * nf * sizeof(float), gain, err);
    if (st == PS_OK) st = device_write(d, a->pert, 0, pbytes, pert, err);
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
    if (st == PS_OK) st = device_write(d, a->contacts, 0, sizeof contacts, contacts, err);
    if (st == PS_OK) st = device_alloc(d, sizeof np, "neuron table", &a->np, err);
    if (st == PS_OK) st = device_write(d, a->np, 0, sizeof np, np, err);
    if (st == PS_OK) st = device_alloc(d, a->nvox * sizeof(cl_uint), "cell list counts", &a->bin_count, err);
    if (st == PS_OK) st = device_alloc(d, a->nvox * sizeof(cl_uint), "cell list starts", &a->bin_start, err);
    if (st == PS_OK) st = device_alloc(d, a->nvox * sizeof(cl_uint), "cell list fill", &a->bin_fill, err);
    /* zero once: afterwards the cell list zeroes what it filled (agents_unbin) */
    if (st == PS_OK) st = device_fill_zero(d, a->bin_count, a->nvox * sizeof(cl_uint), err);
    if (st == PS_OK) st = device_fill_zero(d, a->bin_fill, a->nvox * sizeof(cl_uint), err);
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
    free(pert);
    free(rel);
    free(fon);
    free(flist);
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
                   &a->sec, &a->upt, &a->state_counts, &a->sig, &a->gain, &a->pert, &a->rel,
                   &a->var_partial, &a->np, &a->rules, &a->births, &a->offsets, &a->contacts,
                   &a->div_ids, &a->id_delta, &a->fagent, &a->flist};
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) device_release(m[i]);
    scan_destroy(a->scan);
    free(a);
}

size_t agents_capacity(const agents *a) { return a->cap; }

const tissue_grid *agents_grid(const agents *a) { return &a->grid; }
int agents_n_rules(const agents *a) { return a->nrules; }

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
    PS_TRY(agents_unbin(a, err));
    agents_pos_bufs oldA = a->A;
    agents_id_bufs oldI = a->I;
    size_t old_cap = a->cap;
    memset(&a->A, 0, sizeof a->A);
    memset(&a->I, 0, sizeof a->I);
    agents_release_pos(&a->S);
    agents_release_id(&a->J);
    cl_mem *m[] = {&a->flag, &a->voxel_of, &a->order, &a->alive, &a->alive_pos, &a->divides,
                   &a->div_pos, &a->div_list};
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
