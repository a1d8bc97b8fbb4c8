/* decomp.c — domain decomposition in slabs along z (see decomp.h).
 *
 * Why slabs along z: the z sweep of the implicit diffusion solve is the only one that
 * crosses rank borders, and it can be pipelined through the ranks with exactly the
 * single-rank arithmetic; and a slab's voxels are one contiguous range of the tissue's
 * voxel index, so entries from the blood keep their single-rank numbering with one
 * offset per rule. The price is a surface of nx*ny per border instead of a cube's, and a
 * z solve that is sequential across ranks.
 */
#include "decomp.h"

#include "mpi_util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DECOMP_TAG_HALO 801
#define DECOMP_TAG_FWD 802
#define DECOMP_TAG_BACK 803

typedef struct {
    int H;                          /* halo planes */
    int nz;                         /* planes of the tissue */
    int *z0, *z1;                   /* [size] owned planes of each rank */
    int *ze0, *ze1;                 /* [size] held planes (owned + halo) of each rank */
    int *owner;                     /* [nz] rank owning each plane */
    uint64_t next_id;               /* next free agent id of the tissue (all ranks agree) */
    size_t n_owned;                 /* owned agents after the last exchange */
    float inv_dx;                   /* as the cell-list kernel computes it */
} decomp_tissue;

struct decomp {
    MPI_Comm comm;
    int rank, size;
    const scenario *s;
    int n_tissues;
    decomp_tissue t[SCN_MAX_TISSUES];
    int n_neurons;
    unsigned char *soma_owned;      /* [3 n_neurons]: this rank owns compartment 3k + c */
};

/* One agent on the wire. */
typedef struct {
    float pos[3], dir[3];
    float vars[AGENTS_NVARS];
    uint64_t id;
    uint8_t type, state, ghost, pad[5];
} decomp_rec;

ps_status decomp_create(decomp **out, MPI_Comm comm, const scenario *s, ps_err *err)
{
    *out = NULL;
    decomp *dc = calloc(1, sizeof *dc);
    if (!dc) return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    dc->comm = comm;
    ps_status st = PSMPI_CALL(MPI_Comm_rank(comm, &dc->rank), err);
    if (st == PS_OK) st = PSMPI_CALL(MPI_Comm_size(comm, &dc->size), err);
    dc->s = s;
    dc->n_tissues = s->n_tissues;
    int P = dc->size;
    for (int t = 0; t < s->n_tissues && st == PS_OK; t++) {
        decomp_tissue *T = &dc->t[t];
        int dims[3];
        scenario_tissue_dims(&s->tissues[t], dims);
        T->nz = dims[2];
        T->H = agents_halo_planes(s, t);
        T->inv_dx = (float)(1.0 / s->tissues[t].voxel_um);
        if (T->nz < P * T->H) {
            st = ps_err_set(err, PS_ERR_INPUT,
                            "%s: tissues[%d] (%s) has %d planes along z, too few to split over %d "
                            "ranks with %d halo plane(s) each (a slab needs at least the halo "
                            "width): run on at most %d ranks, or refine the grid (voxel_um)",
                            s->source_path, t, s->tissues[t].name, T->nz, P, T->H,
                            T->nz / T->H > 0 ? T->nz / T->H : 1);
            break;
        }
        T->z0 = calloc((size_t)P, sizeof(int));
        T->z1 = calloc((size_t)P, sizeof(int));
        T->ze0 = calloc((size_t)P, sizeof(int));
        T->ze1 = calloc((size_t)P, sizeof(int));
        T->owner = calloc((size_t)T->nz, sizeof(int));
        if (!T->z0 || !T->z1 || !T->ze0 || !T->ze1 || !T->owner) {
            st = ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
            break;
        }
        for (int p = 0; p < P; p++) {
            T->z0[p] = (int)((long)T->nz * p / P);
            T->z1[p] = (int)((long)T->nz * (p + 1) / P);
            T->ze0[p] = T->z0[p] - T->H < 0 ? 0 : T->z0[p] - T->H;
            T->ze1[p] = T->z1[p] + T->H > T->nz ? T->nz : T->z1[p] + T->H;
            for (int z = T->z0[p]; z < T->z1[p]; z++) T->owner[z] = p;
        }
    }
    if (st == PS_OK && s->neurons.enabled) {
        dc->n_neurons = s->neurons.count;
        dc->soma_owned = calloc(3 * (size_t)dc->n_neurons + 1, 1);
        if (!dc->soma_owned) st = ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    }
    if (st != PS_OK) {
        decomp_destroy(dc);
        return st;
    }
    *out = dc;
    return PS_OK;
}

void decomp_destroy(decomp *dc)
{
    if (!dc) return;
    for (int t = 0; t < SCN_MAX_TISSUES; t++) {
        free(dc->t[t].z0);
        free(dc->t[t].z1);
        free(dc->t[t].ze0);
        free(dc->t[t].ze1);
        free(dc->t[t].owner);
    }
    free(dc->soma_owned);
    free(dc);
}

void decomp_grid(const decomp *dc, int t, tissue_grid *g)
{
    const decomp_tissue *T = &dc->t[t];
    int p = dc->rank;
    tissue_grid_init_slab(g, &dc->s->tissues[t], T->ze0[p], T->ze1[p], T->z0[p], T->z1[p]);
}

uint64_t decomp_next_id(const decomp *dc, int t) { return dc->t[t].next_id; }
void decomp_set_next_id(decomp *dc, int t, uint64_t id) { dc->t[t].next_id = id; }

/* The tissue plane of a z coordinate, as cellist_count computes it. */
static int decomp_plane(const decomp_tissue *T, float z)
{
    int i = (int)floorf(z * T->inv_dx);
    return i < 0 ? 0 : i > T->nz - 1 ? T->nz - 1 : i;
}

static void decomp_pack(const agents_host *h, size_t i, int ghost, decomp_rec *r)
{
    memset(r, 0, sizeof *r);
    for (int a = 0; a < 3; a++) {
        r->pos[a] = h->pos[3 * i + a];
        r->dir[a] = h->dir[3 * i + a];
    }
    for (int v = 0; v < AGENTS_NVARS; v++) r->vars[v] = h->vars[(size_t)v * h->n + i];
    r->id = h->id[i];
    r->type = h->type[i];
    r->state = h->state[i];
    r->ghost = (uint8_t)ghost;
}

static void decomp_unpack(const decomp_rec *r, agents_host *h, size_t i)
{
    for (int a = 0; a < 3; a++) {
        h->pos[3 * i + a] = r->pos[a];
        h->dir[3 * i + a] = r->dir[a];
    }
    for (int v = 0; v < AGENTS_NVARS; v++) h->vars[(size_t)v * h->n + i] = r->vars[v];
    h->id[i] = r->id;
    h->type[i] = r->type;
    h->state[i] = r->state;
}

static int decomp_cmp_rec(const void *a, const void *b)
{
    uint64_t x = ((const decomp_rec *)a)->id, y = ((const decomp_rec *)b)->id;
    return x < y ? -1 : x > y;
}

static int decomp_cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Marks the nociceptor compartments among owned agents (ids, kernels/params.h). */
static void decomp_mark_somas(decomp *dc, const decomp_rec *r, size_t n)
{
    if (!dc->soma_owned) return;
    for (size_t i = 0; i < n; i++) {
        if (!PS_ID_IS_NEURON(r[i].id)) continue;
        uint64_t code = PS_ID_NEURON_CODE(r[i].id);
        if (code < 3 * (uint64_t)dc->n_neurons) dc->soma_owned[code] = 1;
    }
}

ps_status decomp_initial(decomp *dc, int t, const agents_host *all, agents_host *owned, ps_err *err)
{
    decomp_tissue *T = &dc->t[t];
    uint64_t max_local = 0;
    size_t n = 0;
    for (size_t i = 0; i < all->n; i++) {
        uint64_t local = PS_ID_LOCAL(all->id[i]);
        if (!PS_ID_IS_NEURON(all->id[i]) && local + 1 > max_local) max_local = local + 1;
        n += T->owner[decomp_plane(T, all->pos[3 * i + 2])] == dc->rank;
    }
    T->next_id = PS_ID_MAKE(t, max_local);
    decomp_rec *r = malloc((n ? n : 1) * sizeof *r);
    if (!r) return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    size_t k = 0;
    for (size_t i = 0; i < all->n; i++)
        if (T->owner[decomp_plane(T, all->pos[3 * i + 2])] == dc->rank) decomp_pack(all, i, 0, &r[k++]);
    qsort(r, n, sizeof *r, decomp_cmp_rec);
    ps_status st = agents_host_alloc(owned, n, err);
    for (size_t i = 0; st == PS_OK && i < n; i++) decomp_unpack(&r[i], owned, i);
    free(r);
    T->n_owned = n;
    return st;
}

void decomp_begin_step(decomp *dc)
{
    if (dc && dc->soma_owned) memset(dc->soma_owned, 0, 3 * (size_t)dc->n_neurons);
}

ps_status decomp_exchange_agents(decomp *dc, int t, agents *a, ps_err *err)
{
    if (!dc) return PS_OK;          /* one rank: every agent is owned, no ghosts */
    decomp_tissue *T = &dc->t[t];
    int P = dc->size, me = dc->rank;
    agents_host h;
    memset(&h, 0, sizeof h);
    PS_TRY(agents_download(a, &h, err));
    int *scount = calloc((size_t)P, sizeof(int)), *rcount = calloc((size_t)P, sizeof(int));
    int *sdisp = calloc((size_t)P + 1, sizeof(int)), *rdisp = calloc((size_t)P + 1, sizeof(int));
    int *plane = malloc((h.n ? h.n : 1) * sizeof(int));
    decomp_rec *send = NULL, *recv = NULL, *keep = NULL;
    ps_status st = PS_OK;
    if (!scount || !rcount || !sdisp || !rdisp || !plane) {
        st = ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
        goto done;
    }
    /* who gets each agent: its owner (as owned) and every other rank holding its plane
       (as a ghost); this rank keeps what it owns and its own ghosts like the others */
    size_t nkeep = 0;
    for (size_t i = 0; i < h.n; i++) {
        int z = plane[i] = decomp_plane(T, h.pos[3 * i + 2]);
        for (int q = 0; q < P; q++) {
            int owned = T->owner[z] == q, held = z >= T->ze0[q] && z < T->ze1[q];
            if (!owned && !held) continue;
            if (q == me) nkeep++;
            else scount[q]++;
        }
    }
    for (int q = 0; q < P; q++) sdisp[q + 1] = sdisp[q] + scount[q];
    send = malloc(((size_t)sdisp[P] + 1) * sizeof *send);
    keep = malloc((nkeep + 1) * sizeof *keep);
    if (!send || !keep) {
        st = ps_err_set(err, PS_ERR_MEMORY, "out of host memory for %zu migrating agents", (size_t)sdisp[P]);
        goto done;
    }
    {
        int *fill = calloc((size_t)P, sizeof(int));
        if (!fill) {
            st = ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
            goto done;
        }
        size_t k = 0;
        for (size_t i = 0; i < h.n; i++) {
            int z = plane[i];
            for (int q = 0; q < P; q++) {
                int owned = T->owner[z] == q, held = z >= T->ze0[q] && z < T->ze1[q];
                if (!owned && !held) continue;
                if (q == me) decomp_pack(&h, i, !owned, &keep[k++]);
                else decomp_pack(&h, i, !owned, &send[sdisp[q] + fill[q]++]);
            }
        }
        free(fill);
    }
    st = PSMPI_CALL(MPI_Alltoall(scount, 1, MPI_INT, rcount, 1, MPI_INT, dc->comm), err);
    if (st != PS_OK) goto done;
    for (int q = 0; q < P; q++) rdisp[q + 1] = rdisp[q] + rcount[q];
    recv = malloc(((size_t)rdisp[P] + 1) * sizeof *recv);
    if (!recv) {
        st = ps_err_set(err, PS_ERR_MEMORY, "out of host memory for %d arriving agents", rdisp[P]);
        goto done;
    }
    {
        /* counts in bytes for MPI_BYTE */
        int *sb = malloc(4 * (size_t)P * sizeof(int));
        if (!sb) {
            st = ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
            goto done;
        }
        int *sd = sb + P, *rb = sb + 2 * P, *rd = sb + 3 * P;
        for (int q = 0; q < P; q++) {
            sb[q] = scount[q] * (int)sizeof(decomp_rec);
            sd[q] = sdisp[q] * (int)sizeof(decomp_rec);
            rb[q] = rcount[q] * (int)sizeof(decomp_rec);
            rd[q] = rdisp[q] * (int)sizeof(decomp_rec);
        }
        st = PSMPI_CALL(MPI_Alltoallv(send, sb, sd, MPI_BYTE, recv, rb, rd, MPI_BYTE, dc->comm), err);
        free(sb);
        if (st != PS_OK) goto done;
    }
    {
        size_t n_all = nkeep + (size_t)rdisp[P], n_own = 0;
        decomp_rec *all = malloc((n_all + 1) * sizeof *all);
        if (!all) {
            st = ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
            goto done;
        }
        /* owned first (sorted by id: the single-rank slot order), then ghosts */
        for (size_t i = 0; i < nkeep; i++)
            if (!keep[i].ghost) all[n_own++] = keep[i];
        for (int i = 0; i < rdisp[P]; i++)
            if (!recv[i].ghost) all[n_own++] = recv[i];
        size_t n = n_own;
        for (size_t i = 0; i < nkeep; i++)
            if (keep[i].ghost) all[n++] = keep[i];
        for (int i = 0; i < rdisp[P]; i++)
            if (recv[i].ghost) all[n++] = recv[i];
        qsort(all, n_own, sizeof *all, decomp_cmp_rec);
        qsort(all + n_own, n - n_own, sizeof *all, decomp_cmp_rec);
        decomp_mark_somas(dc, all, n_own);
        agents_host_free(&h);
        st = agents_host_alloc(&h, n, err);
        for (size_t i = 0; st == PS_OK && i < n; i++) decomp_unpack(&all[i], &h, i);
        free(all);
        if (st == PS_OK) st = agents_replace(a, &h, err);
        T->n_owned = n_own;
    }
done:
    agents_host_free(&h);
    free(scount);
    free(rcount);
    free(sdisp);
    free(rdisp);
    free(plane);
    free(send);
    free(recv);
    free(keep);
    return st;
}

/* ---- fields ------------------------------------------------------------------------ */

/* Fills the halo planes of every field from the neighbouring ranks' owned planes. */
static ps_status decomp_halo(decomp *dc, int t, field_set *fs, ps_err *err)
{
    const field_params *p = field_get_params(fs);
    if (p->nf == 0 || dc->size == 1) return PS_OK;
    const decomp_tissue *T = &dc->t[t];
    int me = dc->rank, zoff = T->ze0[me];
    size_t plane = (size_t)p->dims[0] * (size_t)p->dims[1] * (size_t)p->nf;
    /* planes going down: mine that rank me-1 holds, [z0_me, ze1_{me-1}); coming up:
       rank me-1's that I hold, [ze0_me, z0_me); and the same upwards */
    int nd_send = me > 0 ? T->ze1[me - 1] - T->z0[me] : 0;
    int nd_recv = me > 0 ? T->z0[me] - T->ze0[me] : 0;
    int nu_send = me < dc->size - 1 ? T->z1[me] - T->ze0[me + 1] : 0;
    int nu_recv = me < dc->size - 1 ? T->ze1[me] - T->z1[me] : 0;
    int most = nd_send > nd_recv ? nd_send : nd_recv;
    if (nu_send > most) most = nu_send;
    if (nu_recv > most) most = nu_recv;
    float *sbuf = malloc(((size_t)most * plane + 1) * sizeof(float));
    float *rbuf = malloc(((size_t)most * plane + 1) * sizeof(float));
    ps_status st = (sbuf && rbuf) ? PS_OK : ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    /* upwards: send my top planes to me+1, receive my bottom halo from me-1 */
    if (st == PS_OK && nu_send > 0)
        st = field_planes(fs, FIELD_CONC, 0, T->ze0[me + 1] - zoff, nu_send, sbuf, err);
    if (st == PS_OK) {
        st = PSMPI_CALL(MPI_Sendrecv(sbuf, (int)((size_t)nu_send * plane), MPI_FLOAT,
                                     nu_send ? me + 1 : MPI_PROC_NULL, DECOMP_TAG_HALO, rbuf,
                                     (int)((size_t)nd_recv * plane), MPI_FLOAT,
                                     nd_recv ? me - 1 : MPI_PROC_NULL, DECOMP_TAG_HALO, dc->comm,
                                     MPI_STATUS_IGNORE), err);
        if (st == PS_OK && nd_recv > 0) st = field_planes(fs, FIELD_CONC, 1, T->ze0[me] - zoff, nd_recv, rbuf, err);
    }
    /* downwards */
    if (st == PS_OK && nd_send > 0) st = field_planes(fs, FIELD_CONC, 0, T->z0[me] - zoff, nd_send, sbuf, err);
    if (st == PS_OK) {
        st = PSMPI_CALL(MPI_Sendrecv(sbuf, (int)((size_t)nd_send * plane), MPI_FLOAT,
                                     nd_send ? me - 1 : MPI_PROC_NULL, DECOMP_TAG_HALO + 1, rbuf,
                                     (int)((size_t)nu_recv * plane), MPI_FLOAT,
                                     nu_recv ? me + 1 : MPI_PROC_NULL, DECOMP_TAG_HALO + 1, dc->comm,
                                     MPI_STATUS_IGNORE), err);
        if (st == PS_OK && nu_recv > 0) st = field_planes(fs, FIELD_CONC, 1, T->z1[me] - zoff, nu_recv, rbuf, err);
    }
    free(sbuf);
    free(rbuf);
    return st;
}

ps_status decomp_field_step(decomp *dc, int t, field_set *fs, ps_err *err)
{
    if (!dc) return field_step(fs, err);
    const field_params *p = field_get_params(fs);
    if (p->nf == 0) return PS_OK;
    PS_TRY(field_step_axes(fs, 2, err));
    PS_TRY(decomp_halo(dc, t, fs, err));
    const decomp_tissue *T = &dc->t[t];
    int me = dc->rank, P = dc->size, zoff = T->ze0[me];
    int lo = T->z0[me] - zoff, hi = T->z1[me] - zoff;
    size_t plane = (size_t)p->dims[0] * (size_t)p->dims[1] * (size_t)p->nf;
    float *c = malloc(plane * sizeof(float));
    if (!c) return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    ps_status st = PS_OK;
    /* forward elimination, rank by rank upwards: d of the plane below (the factors are
       the tissue's, so d is the whole carry) */
    if (me > 0) {
        st = PSMPI_CALL(MPI_Recv(c, (int)plane, MPI_FLOAT, me - 1, DECOMP_TAG_FWD, dc->comm,
                                 MPI_STATUS_IGNORE), err);
        if (st == PS_OK) st = field_planes(fs, FIELD_SCRATCH_D, 1, lo - 1, 1, c, err);
    }
    if (st == PS_OK) st = field_sweep_z_forward(fs, err);
    if (st == PS_OK && me < P - 1) {
        st = field_planes(fs, FIELD_SCRATCH_D, 0, hi - 1, 1, c, err);
        PSMPI_ALWAYS(st, MPI_Send(c, (int)plane, MPI_FLOAT, me + 1, DECOMP_TAG_FWD, dc->comm), err);
    }
    /* back substitution, rank by rank downwards: the increment of the plane above */
    if (st == PS_OK && me < P - 1) {
        st = PSMPI_CALL(MPI_Recv(c, (int)plane, MPI_FLOAT, me + 1, DECOMP_TAG_BACK, dc->comm,
                                 MPI_STATUS_IGNORE), err);
        if (st == PS_OK) st = field_planes(fs, FIELD_SCRATCH_D, 1, hi, 1, c, err);
    }
    if (st == PS_OK) st = field_sweep_z_back(fs, err);
    if (st == PS_OK && me > 0) {
        st = field_planes(fs, FIELD_SCRATCH_D, 0, lo, 1, c, err);
        PSMPI_ALWAYS(st, MPI_Send(c, (int)plane, MPI_FLOAT, me - 1, DECOMP_TAG_BACK, dc->comm), err);
    }
    free(c);
    PS_TRY(st);
    return decomp_halo(dc, t, fs, err);
}

/* ---- births ------------------------------------------------------------------------ */

ps_status decomp_compact(decomp *dc, int t, agents *a, uint32_t step, ps_err *err)
{
    if (!dc) return agents_compact(a, step, err);
    decomp_tissue *T = &dc->t[t];
    int P = dc->size;
    PS_TRY(agents_set_count(a, T->n_owned, err));      /* ghosts go */
    PS_TRY(agents_compact_begin(a, err));
    uint64_t *mine = NULL, *all = NULL, *ids = NULL;
    size_t n = 0;
    PS_TRY(agents_dividers(a, &mine, &n, err));
    int cnt = (int)n;
    int *counts = calloc((size_t)P, sizeof(int)), *disp = calloc((size_t)P + 1, sizeof(int));
    ps_status st = (counts && disp) ? PS_OK : ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    if (st == PS_OK) st = PSMPI_CALL(MPI_Allgather(&cnt, 1, MPI_INT, counts, 1, MPI_INT, dc->comm), err);
    if (st == PS_OK) {
        for (int q = 0; q < P; q++) disp[q + 1] = disp[q] + counts[q];
        all = malloc(((size_t)disp[P] + 1) * sizeof *all);
        ids = malloc((n + 1) * sizeof *ids);
        if (!all || !ids) st = ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    }
    if (st == PS_OK)
        st = PSMPI_CALL(MPI_Allgatherv(mine, cnt, MPI_UINT64_T, all, counts, disp, MPI_UINT64_T,
                                       dc->comm), err);
    if (st == PS_OK) {
        /* daughter k of this rank: next_id + the rank of its parent's id among every
           dividing cell (ids are unique) */
        qsort(all, (size_t)disp[P], sizeof *all, decomp_cmp_u64);
        for (size_t k = 0; k < n; k++) {
            size_t lo = 0, hi = (size_t)disp[P];
            while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (all[mid] < mine[k]) lo = mid + 1;
                else hi = mid;
            }
            ids[k] = T->next_id + lo;
        }
        st = agents_compact_end(a, n ? ids : NULL, n, step, err);
        T->next_id += (uint64_t)disp[P];
    }
    if (st == PS_OK) st = agents_set_next_id(a, T->next_id, err);
    free(mine);
    free(all);
    free(ids);
    free(counts);
    free(disp);
    return st;
}

ps_status decomp_recruit(decomp *dc, int t, agents *a, const field_set *fs, cl_mem J,
                         uint32_t step, ps_err *err)
{
    if (!dc) return agents_recruit(a, fs, J, step, err);
    int nr = agents_n_rules(a);
    if (nr == 0) return PS_OK;
    decomp_tissue *T = &dc->t[t];
    int P = dc->size, me = dc->rank;
    PS_TRY(agents_recruit_count(a, fs, J, step, err));
    uint64_t local[SCN_MAX_RECRUITMENTS], delta[SCN_MAX_RECRUITMENTS];
    PS_TRY(agents_recruit_totals(a, local, err));
    uint64_t *c = malloc((size_t)P * (size_t)nr * sizeof *c);
    if (!c) return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    ps_status st = PSMPI_CALL(MPI_Allgather(local, nr, MPI_UINT64_T, c, nr, MPI_UINT64_T, dc->comm), err);
    if (st != PS_OK) {
        free(c);
        return st;
    }
    /* one rank numbers entries rule by rule, voxel by voxel; this rank's voxels of rule r
       come after every entry of rules < r and after the lower ranks' of rule r */
    uint64_t total = 0;
    for (int r = 0; r < nr; r++) {
        uint64_t before = 0, mine_before = 0, all_r = 0;
        for (int r2 = 0; r2 < r; r2++) {
            for (int q = 0; q < P; q++) before += c[(size_t)q * nr + r2];
            mine_before += c[(size_t)me * nr + r2];
        }
        for (int q = 0; q < me; q++) before += c[(size_t)q * nr + r];
        for (int q = 0; q < P; q++) all_r += c[(size_t)q * nr + r];
        delta[r] = before - mine_before;
        total += all_r;
    }
    free(c);
    PS_TRY(agents_set_next_id(a, T->next_id, err));
    PS_TRY(agents_recruit_place(a, delta, step, err));
    T->next_id += total;
    return agents_set_next_id(a, T->next_id, err);
}

/* ---- neurons ------------------------------------------------------------------------- */

ps_status decomp_merge_neurons(decomp *dc, neurons *nr, device *dev, ps_err *err)
{
    if (!dc) return PS_OK;
    int n = dc->n_neurons;
    if (n == 0 || dc->size == 1) return PS_OK;
    size_t ns = (size_t)n * NS_COUNT;
    uint32_t *flag = malloc((size_t)n * sizeof *flag), *flag_all = malloc((size_t)n * sizeof *flag);
    float *sig = malloc(ns * sizeof *sig), *sig_all = malloc(ns * sizeof *sig);
    ps_status st = (flag && flag_all && sig && sig_all) ? PS_OK
                                                        : ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    cl_mem fb = neurons_lesion_buffer(nr), sb = neurons_signal_buffer(nr);
    if (st == PS_OK) st = device_read(dev, fb, 0, (size_t)n * sizeof *flag, flag, err);
    if (st == PS_OK) st = device_read(dev, sb, 0, ns * sizeof *sig, sig, err);
    if (st == PS_OK) {
        /* a lesion flag set on any rank; each signal row as the owner of the compartment
           that writes it computed it (every other rank offers -inf) */
        st = PSMPI_CALL(MPI_Allreduce(flag, flag_all, n, MPI_UINT32_T, MPI_MAX, dc->comm), err);
        for (int r = 0; r < NS_COUNT; r++) {
            int c = neurons_signal_compartment(nr, r);
            for (int k = 0; k < n; k++)
                if (c < 0 || !dc->soma_owned[3 * (size_t)k + (size_t)c]) sig[(size_t)r * n + k] = -INFINITY;
        }
        if (st == PS_OK) st = PSMPI_CALL(MPI_Allreduce(sig, sig_all, (int)ns, MPI_FLOAT, MPI_MAX, dc->comm), err);
        for (size_t k = 0; k < ns && st == PS_OK; k++)
            if (sig_all[k] == -INFINITY) sig_all[k] = 0.0f;     /* no such compartment anywhere */
        if (st == PS_OK) st = device_write(dev, fb, 0, (size_t)n * sizeof *flag, flag_all, err);
        if (st == PS_OK) st = device_write(dev, sb, 0, ns * sizeof *sig, sig_all, err);
    }
    free(flag);
    free(flag_all);
    free(sig);
    free(sig_all);
    return st;
}
