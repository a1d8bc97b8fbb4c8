/* field.c — device fields of a tissue: buffers, kernels, and the C reference.
 *
 * Per step: field_sweep_x (the exact reaction applied as the values are loaded, then the
 * implicit sweep along x; on a GPU field_sweep_x_tile, through local memory) and
 * field_sweep_yz along y and z -- on a CPU, where the plane fits local memory,
 * field_sweep_xy (reaction, x and y for one z plane in local memory) and z from a y row's
 * slab in local memory (field_sweep_z_slab) -- with the Thomas factors built
 * here once per distinct line profile (field_factors). The reference implementation below
 * does the kernels' float arithmetic in the same order, from the same factors.
 */
#include "field.h"

#include "../kernels/params.h"

/* host/device layout equalities (kernels/params.h) */
_Static_assert(BC_NO_FLUX == SCN_BC_NO_FLUX && BC_FIXED == SCN_BC_FIXED,
               "boundary kinds: BC_* must equal scn_bc_kind");
_Static_assert(PS_MAX_FIELDS == SCN_MAX_MEDIATORS, "fields per tissue: PS_MAX_FIELDS must equal SCN_MAX_MEDIATORS");

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIELD_STATS_WG 64
#define FIELD_STATS_GROUPS 64
#define FIELD_MAX_COMBOS 65535
/* Lanes (lines per work-item) of the x sweep and of the y and z sweeps, and the sweeps'
   work-group size, per device type (fields.cl PS_WX, PS_WYZ). On a CPU a work-item's
   lanes fill the vector registers (16 lanes: a cache line), and groups of one work-item keep
   the private line arrays (PS_NMAX entries) on the thread's stack and in cache (PoCL's
   work-group loops hold them for every item of a group at once: groups of 8 were 1.3 x
   slower, of 32 1.4 x). The lanes are the device's preferred float vector width (8 with
   AVX2, 16 with AVX-512; wider vectors than the registers are passed through memory).
   On a GPU one lane per work-item: neighbouring work-items take neighbouring lines, so
   the y and z sweeps' loads coalesce. Measured on PoCL only. */
#define FIELD_CPU_WG 1
/* On a CPU the x and y sweeps run together, a z plane per work-item kept in local memory
   (field_sweep_xy), when the plane and its list of special voxels take at most this share
   of the device's local memory (PoCL: 1 MiB, held per thread in its cache): a 256 x 256
   plane needs 512 KiB. Larger planes, and GPUs, sweep x and y apart. */
#define FIELD_XY_LOCAL_SHARE 0.75
#define FIELD_GPU_WX 1
#define FIELD_GPU_WYZ 1
#define FIELD_GPU_WG 64
/* On a GPU the x sweep's lines go through local memory in tiles of this many lines, one per
   work-item of a group (field_sweep_x_tile): 32 lines of 256 floats take 32 KiB; lines of
   more than 383 floats in 48 KiB get tiles of 16 or 8. */
#define FIELD_GPU_TILE 32

struct field_set {
    device *dev;
    field_params p;
    int wx, wyz, wg;    /* lanes of the sweeps and their work-group size (see above) */
    int xmode;          /* FIELD_X_SPLIT, FIELD_X_XY or FIELD_X_TILE (field.h) */
    int zslab;          /* 1: z from a y row's slab in local memory (field_sweep_z_slab) */
    cl_program prog;
    cl_kernel k_consts, k_sweepx, k_sweepyz, k_sweepxy, k_sweepxt, k_sweepzs, k_stats, k_zfwd, k_zback, k_guard;
    cl_program guard_prog;
    cl_mem guard_first;
    cl_mem conc, scratch_d, asrc, aupt, decay, bc_value, mask, combo, cspecial, csrc, csink;
    cl_mem fregion;     /* [nf] uchar: 1 where a region combination has a source or sink of the field */
    cl_mem occ_fields;  /* not owned: [nf] uchar, 1 where agents can secrete or take up the field */
    cl_mem fac[3], bfac[3], prof[3];
    cl_mem occ;         /* not owned: the cell list's counts, or NULL */
    cl_mem psum, pmax;
    cl_mem rc;          /* [nf][2] reaction constants of decay-only voxels */
};

static ps_status field_react_consts(field_set *fs, ps_err *err);
static ps_status field_need_scratch(field_set *fs, ps_err *err);

ps_status field_params_init(field_params *p, const scenario *s, int t, ps_err *err)
{
    tissue_grid g;
    tissue_grid_init(&g, &s->tissues[t]);
    return field_params_init_grid(p, s, t, &g, err);
}

static float field_harmonic(float a, float b)
{
    float s = a + b;
    return s > 0.0f ? 2.0f * a * b / s : 0.0f;
}

/* The D multiplier along line `line` of axis a (numbering in field.h), n values, from the
 * voxels' region combinations. Along z the line is the tissue's whole column, so that
 * every rank of a decomposed run gets the factors of the one-rank solve: a slab's rank
 * finds the planes it does not hold from the regions. */
static void field_line_dmul(const field_params *p, const scn_tissue *ts, int a, size_t line,
                            float *out)
{
    size_t nx = (size_t)p->dims[0], ny = (size_t)p->dims[1];
    int n = a == 0 ? p->dims[0] : a == 1 ? p->dims[1] : p->grid.nz_global;
    size_t base = a == 0 ? line * nx : a == 1 ? (line / nx) * nx * ny + line % nx : line;
    size_t stride = a == 0 ? 1 : a == 1 ? nx : nx * ny;
    int slab = a == 2 && (p->grid.zoff != 0 || p->dims[2] != p->grid.nz_global);
    for (int i = 0; i < n; i++)
        out[i] = slab ? tissue_mask_dmul(ts, tissue_voxel_mask(ts, p->grid.voxel_um, (int)(line % nx),
                                                               (int)(line / nx), i))
                      : p->combo_dmul[p->combo[base + (size_t)i * stride]];
}

static uint64_t field_hash(const float *v, int n)
{
    uint64_t h = 1469598103934665603ull;
    const unsigned char *b = (const unsigned char *)v;
    for (size_t i = 0; i < (size_t)n * sizeof(float); i++) h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

/* The Thomas factors of one line of n voxels with D-multiplier profile m, for a field of
 * coefficient alpha and boundary kinds fix_lo, fix_hi: per voxel (a_right, 1/denom, c, 0)
 * and the fixed-face coefficients (b_lo, b_hi). The forward elimination of the increment
 * form (I - A) d = A u + b has denominators that do not depend on u:
 *   denom_i = 1 + a_left + a_right (+ b at a fixed face) + a_left c_{i-1},
 *   c_i = -a_right / denom_i. */
static void field_line_factors(const float *m, int n, float alpha, int fix_lo, int fix_hi,
                               float *fac, float *bfac)
{
    float b_lo = fix_lo ? 2.0f * alpha * m[0] : 0.0f;
    float b_hi = fix_hi ? 2.0f * alpha * m[n - 1] : 0.0f;
    float a_left = 0.0f, cprev = 0.0f;
    for (int i = 0; i < n; i++) {
        float a_right = (i + 1 < n) ? alpha * field_harmonic(m[i], m[i + 1]) : 0.0f;
        float diag = 1.0f + a_left + a_right;
        if (i == 0) diag += b_lo;
        if (i == n - 1) diag += b_hi;
        float denom = diag + a_left * cprev;
        float r = 1.0f / denom;
        float c = -a_right * r;
        fac[4 * i] = a_right;
        fac[4 * i + 1] = r;
        fac[4 * i + 2] = c;
        fac[4 * i + 3] = 0.0f;
        cprev = c;
        a_left = a_right;
    }
    bfac[0] = b_lo;
    bfac[1] = b_hi;
}

/* Profiles and factors of axis a: lines with the same D-multiplier profile (found by
 * hashing it) share one factor vector per field. */
static ps_status field_factors(field_params *p, const scn_tissue *ts, int a, ps_err *err)
{
    int nx = p->dims[0], ny = p->dims[1], nz = p->dims[2];
    int n = a == 0 ? nx : a == 1 ? ny : p->grid.nz_global;
    size_t nlines = a == 0 ? (size_t)ny * nz : a == 1 ? (size_t)nx * nz : (size_t)nx * ny;
    p->n_lines[a] = (int)nlines;
    p->fac_n[a] = n;
    p->line_prof[a] = malloc(nlines * sizeof(uint32_t));
    size_t tsize = 64;
    while (tsize < 2 * nlines) tsize *= 2;
    uint32_t *table = malloc(tsize * sizeof(uint32_t));    /* profile + 1, 0 = empty */
    uint64_t *hashes = NULL;
    float *prof = NULL, *line = malloc((size_t)n * sizeof(float));
    size_t nprof = 0, cap = 0;
    ps_status st = (p->line_prof[a] && table && line) ? PS_OK : PS_ERR_MEMORY;
    if (table) memset(table, 0, tsize * sizeof(uint32_t));
    for (size_t l = 0; st == PS_OK && l < nlines; l++) {
        field_line_dmul(p, ts, a, l, line);
        uint64_t h = field_hash(line, n);
        size_t slot = (size_t)h & (tsize - 1);
        uint32_t id = 0;
        for (;;) {
            uint32_t e = table[slot];
            if (e == 0) break;
            if (hashes[e - 1] == h && memcmp(prof + (size_t)(e - 1) * n, line, (size_t)n * sizeof(float)) == 0) {
                id = e;
                break;
            }
            slot = (slot + 1) & (tsize - 1);
        }
        if (id == 0) {
            if (nprof == cap) {
                cap = cap ? 2 * cap : 8;
                float *np = realloc(prof, cap * (size_t)n * sizeof(float));
                uint64_t *nh = realloc(hashes, cap * sizeof(uint64_t));
                if (np) prof = np;
                if (nh) hashes = nh;
                if (!np || !nh) { st = PS_ERR_MEMORY; break; }
            }
            memcpy(prof + nprof * (size_t)n, line, (size_t)n * sizeof(float));
            hashes[nprof] = h;
            id = (uint32_t)++nprof;
            table[slot] = id;
        }
        p->line_prof[a][l] = id - 1;
    }
    size_t nf = p->nf > 0 ? (size_t)p->nf : 1;
    if (st == PS_OK) {
        p->n_prof[a] = (int)nprof;
        p->fac[a] = malloc(nf * nprof * (size_t)n * 4 * sizeof(float));
        p->bfac[a] = malloc(nf * nprof * 2 * sizeof(float));
        if (!p->fac[a] || !p->bfac[a]) st = PS_ERR_MEMORY;
    }
    for (int f = 0; st == PS_OK && f < p->nf; f++) {
        int fix_lo = p->bc_kind[f * 6 + 2 * a] == BC_FIXED, fix_hi = p->bc_kind[f * 6 + 2 * a + 1] == BC_FIXED;
        for (size_t q = 0; q < nprof; q++)
            field_line_factors(prof + q * (size_t)n, n, p->alpha[f], fix_lo, fix_hi,
                               p->fac[a] + (((size_t)f * nprof + q) * (size_t)n) * 4,
                               p->bfac[a] + ((size_t)f * nprof + q) * 2);
    }
    free(table);
    free(hashes);
    free(prof);
    free(line);
    if (st != PS_OK)
        return ps_err_set(err, PS_ERR_MEMORY, "out of host memory for the diffusion factors of tissue %s",
                          ts->name);
    return PS_OK;
}

/* Region combinations: voxels with the same region mask share sources, sinks and D
 * multiplier (the last region they lie in decides: tissue_mask_dmul, tissue_mask_region). */
static ps_status field_combos(field_params *p, const scn_tissue *ts, ps_err *err)
{
    int n = 0;
    uint32_t last_mask = 0;
    int last = -1;
    p->combo = malloc(p->nvox * sizeof(uint16_t));
    uint32_t *masks = malloc(FIELD_MAX_COMBOS * sizeof(uint32_t));
    if (!masks) {
        free(p->combo);
        p->combo = NULL;
    }
    if (!p->combo) return ps_err_set(err, PS_ERR_MEMORY, "out of host memory for the region map of tissue %s", ts->name);
    for (size_t v = 0; v < p->nvox; v++) {
        uint32_t m = p->region_mask[v];
        if (last < 0 || m != last_mask) {
            last = -1;
            for (int c = 0; c < n; c++)
                if (masks[c] == m) { last = c; break; }
            if (last < 0) {
                if (n == FIELD_MAX_COMBOS) {
                    free(masks);
                    return ps_err_set(err, PS_ERR_INPUT,
                                      "tissue %s: more than %d distinct combinations of overlapping regions",
                                      ts->name, FIELD_MAX_COMBOS);
                }
                masks[n] = m;
                last = n++;
            }
            last_mask = m;
        }
        p->combo[v] = (uint16_t)last;
    }
    size_t nf = p->nf > 0 ? (size_t)p->nf : 1;
    p->n_combo = n;
    p->combo_src = calloc((size_t)n * nf, sizeof(float));
    p->combo_sink = calloc((size_t)n * nf, sizeof(float));
    p->combo_dmul = malloc((size_t)n * sizeof(float));
    if (!p->combo_src || !p->combo_sink || !p->combo_dmul) {
        free(masks);
        return ps_err_set(err, PS_ERR_MEMORY, "out of host memory for the region table of tissue %s", ts->name);
    }
    for (int c = 0; c < n; c++) {
        p->combo_dmul[c] = tissue_mask_dmul(ts, masks[c]);
        int r = tissue_mask_region(masks[c]);
        if (r < 0) continue;
        for (int f = 0; f < p->nf; f++) {
            int m = p->mediator_of[f];
            p->combo_src[(size_t)c * nf + f] = (float)ts->regions[r].source_nM_per_min[m];
            p->combo_sink[(size_t)c * nf + f] = (float)ts->regions[r].sink_per_min[m];
        }
    }
    free(masks);
    return PS_OK;
}

ps_status field_params_init_grid(field_params *p, const scenario *s, int t, const tissue_grid *grid,
                                 ps_err *err)
{
    memset(p, 0, sizeof *p);
    const scn_tissue *ts = &s->tissues[t];
    tissue_grid g = *grid;
    p->grid = g;
    for (int a = 0; a < 3; a++) p->dims[a] = g.dims[a];
    p->nvox = tissue_grid_nvox(&g);
    p->dt_min = s->dt_min;
    double dx2 = g.voxel_um * g.voxel_um;
    for (int m = 0; m < s->n_mediators; m++) {
        p->local_of[m] = -1;
        const scn_field *f = &ts->fields[m];
        if (!f->present) continue;
        int l = p->nf++;
        p->local_of[m] = l;
        p->mediator_of[l] = m;
        /* D in µm²/s, dt in min: dt * 60 s/min * D / dx² */
        p->alpha[l] = (float)(s->dt_min * 60.0 * f->D_um2_per_s / dx2);
        p->decay[l] = f->half_life_min > 0 ? (float)(log(2.0) / f->half_life_min) : 0.0f;
        for (int face = 0; face < 6; face++) {
            p->bc_kind[l * 6 + face] = f->bc[face].kind == SCN_BC_FIXED ? BC_FIXED : BC_NO_FLUX;
            p->bc_value[l * 6 + face] = (float)f->bc[face].value_nM;
        }
    }
    p->region_mask = malloc(p->nvox * sizeof(uint32_t));
    if (!p->region_mask) {
        field_params_free(p);
        return ps_err_set(err, PS_ERR_MEMORY, "out of host memory for the region maps of tissue %s",
                          ts->name);
    }
    tissue_region_mask(ts, &g, p->region_mask);
    ps_status st = field_combos(p, ts, err);
    for (int a = 0; st == PS_OK && a < 3; a++) st = field_factors(p, ts, a, err);
    if (st != PS_OK) field_params_free(p);
    return st;
}

void field_params_free(field_params *p)
{
    free(p->region_mask);
    free(p->combo);
    free(p->combo_src);
    free(p->combo_sink);
    free(p->combo_dmul);
    p->region_mask = NULL;
    p->combo = NULL;
    p->combo_src = p->combo_sink = p->combo_dmul = NULL;
    for (int a = 0; a < 3; a++) {
        free(p->line_prof[a]);
        free(p->fac[a]);
        free(p->bfac[a]);
        p->line_prof[a] = NULL;
        p->fac[a] = p->bfac[a] = NULL;
    }
}

size_t field_device_bytes(const scenario *s, int t)
{
    int dims[3];
    scenario_tissue_dims(&s->tissues[t], dims);
    size_t nvox = (size_t)dims[0] * dims[1] * dims[2];
    size_t nf = 0;
    for (int m = 0; m < s->n_mediators; m++) nf += s->tissues[t].fields[m].present ? 1 : 0;
    /* conc, agent src, agent upt per field; region mask (4 B) and combination (2 B) per
       voxel; a decomposed rank adds one z-sweep array per field. The factor tables
       (16 B per voxel of a line, per distinct profile and field) are small beside these
       unless the D multiplier varies from line to line; they are counted for one
       profile per axis. */
    size_t lines = (size_t)dims[0] + dims[1] + dims[2];
    return (3 * nf) * nvox * sizeof(float) + 6 * nvox + nf * lines * 16 +
           4 * ((size_t)dims[0] * dims[1] + (size_t)dims[1] * dims[2] + (size_t)dims[0] * dims[2]);
}

static ps_status field_upload_params(field_set *fs, ps_err *err)
{
    device *d = fs->dev;
    field_params *p = &fs->p;
    size_t nf = p->nf > 0 ? (size_t)p->nf : 1;
    size_t fbytes = nf * p->nvox * sizeof(float);
    PS_TRY(device_alloc(d, fbytes, "field concentrations", &fs->conc, err));
    PS_TRY(device_alloc(d, fbytes, "agent secretion", &fs->asrc, err));
    PS_TRY(device_alloc(d, fbytes, "agent uptake", &fs->aupt, err));
    PS_TRY(device_alloc(d, nf * sizeof(float), "field decay", &fs->decay, err));
    PS_TRY(device_alloc(d, nf * 6 * sizeof(float), "boundary values", &fs->bc_value, err));
    PS_TRY(device_alloc(d, FIELD_STATS_GROUPS * sizeof(float), "field stats", &fs->psum, err));
    PS_TRY(device_alloc(d, FIELD_STATS_GROUPS * sizeof(float), "field stats", &fs->pmax, err));
    PS_TRY(device_alloc(d, p->nvox * sizeof(cl_uint), "region mask", &fs->mask, err));
    PS_TRY(device_alloc(d, (p->nvox + 1) * sizeof(cl_ushort), "region combinations", &fs->combo, err));
    size_t cbytes = (size_t)p->n_combo * nf * sizeof(float);
    PS_TRY(device_alloc(d, cbytes, "region sources", &fs->csrc, err));
    PS_TRY(device_alloc(d, cbytes, "region sinks", &fs->csink, err));
    PS_TRY(device_alloc(d, nf * 2 * sizeof(float), "reaction constants", &fs->rc, err));
    PS_TRY(device_write(d, fs->mask, 0, p->nvox * sizeof(cl_uint), p->region_mask, err));
    PS_TRY(device_write(d, fs->combo, 0, p->nvox * sizeof(cl_ushort), p->combo, err));
    PS_TRY(device_write(d, fs->csrc, 0, cbytes, p->combo_src, err));
    /* a combination is special when any field has a source or sink there: its voxels
       react from scratch, the others by the field's decay alone; and per field, whether
       any combination has a source or sink of it (a field with none, and no agent terms,
       reacts by its decay alone in every voxel) */
    unsigned char *sp = calloc((size_t)p->n_combo + 1, 1), *fr = calloc(nf, 1);
    ps_status sst = sp && fr ? PS_OK : ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    for (int c = 0; c < p->n_combo && sst == PS_OK; c++)
        for (int f = 0; f < p->nf; f++)
            if (p->combo_src[(size_t)c * nf + f] != 0.0f || p->combo_sink[(size_t)c * nf + f] != 0.0f)
                sp[c] = fr[f] = 1;
    if (sst == PS_OK) sst = device_alloc(d, (size_t)p->n_combo + 1, "region combinations", &fs->cspecial, err);
    if (sst == PS_OK) sst = device_write(d, fs->cspecial, 0, (size_t)p->n_combo + 1, sp, err);
    if (sst == PS_OK) sst = device_alloc(d, nf, "fields with region terms", &fs->fregion, err);
    if (sst == PS_OK) sst = device_write(d, fs->fregion, 0, nf, fr, err);
    free(sp);
    free(fr);
    PS_TRY(sst);
    PS_TRY(device_write(d, fs->csink, 0, cbytes, p->combo_sink, err));
    PS_TRY(device_fill_zero(d, fs->asrc, fbytes, err));
    PS_TRY(device_fill_zero(d, fs->aupt, fbytes, err));
    PS_TRY(device_write(d, fs->decay, 0, (size_t)p->nf * sizeof(float), p->decay, err));
    PS_TRY(device_write(d, fs->bc_value, 0, (size_t)p->nf * 6 * sizeof(float), p->bc_value, err));
    for (int a = 0; a < 3; a++) {
        size_t np = (size_t)p->n_prof[a];
        size_t fb = nf * np * (size_t)p->fac_n[a] * 4 * sizeof(float);
        PS_TRY(device_alloc(d, fb, "diffusion factors", &fs->fac[a], err));
        PS_TRY(device_alloc(d, nf * np * 2 * sizeof(float), "diffusion factors", &fs->bfac[a], err));
        PS_TRY(device_alloc(d, (size_t)p->n_lines[a] * sizeof(cl_uint), "line profiles", &fs->prof[a], err));
        if (p->nf > 0) {
            PS_TRY(device_write(d, fs->fac[a], 0, fb, p->fac[a], err));
            PS_TRY(device_write(d, fs->bfac[a], 0, nf * np * 2 * sizeof(float), p->bfac[a], err));
        }
        PS_TRY(device_write(d, fs->prof[a], 0, (size_t)p->n_lines[a] * sizeof(cl_uint), p->line_prof[a], err));
    }
    return PS_OK;
}

ps_status field_create(field_set **out, device *d, const scenario *s, int t, ps_err *err)
{
    tissue_grid g;
    tissue_grid_init(&g, &s->tissues[t]);
    return field_create_grid(out, d, s, t, &g, err);
}

ps_status field_create_grid(field_set **out, device *d, const scenario *s, int t,
                            const tissue_grid *grid, ps_err *err)
{
    const device_info *di = device_get_info(d);
    cl_ulong lmem = di->local_mem_bytes;
    if (di->type & CL_DEVICE_TYPE_GPU) {
        /* x in tiles of FIELD_GPU_TILE lines, fewer (down to 8) where long lines would not
           fit the local memory or the group size, else a line per work-item, uncoalesced */
        int T = FIELD_GPU_TILE;
        while (T > 8 && ((size_t)T > di->max_work_group || field_tile_local_bytes(grid->dims[0], T) > lmem))
            T /= 2;
        int tile = (size_t)T <= di->max_work_group && field_tile_local_bytes(grid->dims[0], T) <= lmem;
        return field_create_lanes(out, d, s, t, grid, FIELD_GPU_WX, FIELD_GPU_WYZ,
                                  tile ? T : FIELD_GPU_WG, tile ? FIELD_X_TILE : FIELD_X_SPLIT, err);
    }
    cl_uint vw = 0;
    if (clGetDeviceInfo(di->id, CL_DEVICE_PREFERRED_VECTOR_WIDTH_FLOAT, sizeof vw, &vw, NULL) != CL_SUCCESS)
        vw = 4;
    int w = vw >= 16 ? 16 : vw >= 8 ? 8 : 4;
    int xy = (double)field_xy_local_bytes(grid->dims[0], grid->dims[1], w) <=
             FIELD_XY_LOCAL_SHARE * (double)lmem;
    return field_create_lanes(out, d, s, t, grid, w, w, FIELD_CPU_WG, xy ? FIELD_X_XY : FIELD_X_SPLIT,
                              err);
}

int field_memory_passes(const field_set *fs) { return fs->xmode == FIELD_X_XY ? 2 : 3; }

/* A tile's rows ts floats apart, ts odd (field_sweep_x_tile). */
static int field_tile_stride(int nx) { return nx % 2 ? nx : nx + 1; }

size_t field_zslab_local_bytes(int nx, int nz)
{
    return (size_t)nx * (size_t)nz * sizeof(cl_float);
}

size_t field_tile_local_bytes(int nx, int wg)
{
    return (size_t)wg * (size_t)field_tile_stride(nx) * sizeof(cl_float);
}

size_t field_xy_local_bytes(int nx, int ny, int wx)
{
    size_t plane = (size_t)nx * (size_t)ny;
    size_t groups = ((size_t)ny + (size_t)wx - 1) / (size_t)wx;
    return plane * sizeof(cl_float) + plane * sizeof(cl_uint) + (groups + 1) * sizeof(cl_uint);
}

ps_status field_create_lanes(field_set **out, device *d, const scenario *s, int t,
                             const tissue_grid *grid, int wx, int wyz, int wg, int xmode,
                             ps_err *err)
{
    *out = NULL;
    if (!((wx == 1 || wx == 4 || wx == 8 || wx == 16) && (wyz == 1 || wyz == 4 || wyz == 8 || wyz == 16)))
        return ps_err_set(err, PS_ERR_INTERNAL, "field sweep lanes %d, %d: expected 1, 4, 8 or 16", wx, wyz);
    field_set *fs = calloc(1, sizeof *fs);
    if (!fs) return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    fs->dev = d;
    fs->wx = wx;
    fs->wyz = wyz;
    fs->wg = wg;
    fs->xmode = xmode;
    ps_status st = field_params_init_grid(&fs->p, s, t, grid, err);
    if (st == PS_OK && xmode != FIELD_X_SPLIT) {
        /* the plane (one work-item per group) or the tile (the group's lines) in local
           memory: it must fit */
        const device_info *di = device_get_info(d);
        cl_ulong lmem = di->local_mem_bytes;
        if (xmode == FIELD_X_XY) {
            size_t need = field_xy_local_bytes(fs->p.dims[0], fs->p.dims[1], wx);
            if (wg != 1 || need > lmem)
                st = ps_err_set(err, PS_ERR_INTERNAL,
                                "x and y swept together need groups of 1 and %zu bytes of local "
                                "memory (groups of %d, %llu bytes)", need, wg, (unsigned long long)lmem);
            /* and z from a slab where one fits as well */
            fs->zslab = (double)field_zslab_local_bytes(fs->p.dims[0], fs->p.dims[2]) <=
                        FIELD_XY_LOCAL_SHARE * (double)lmem;
        } else {
            size_t need = wg > 0 ? field_tile_local_bytes(fs->p.dims[0], wg) : 0;
            if (wx != 1 || wg < 1 || (size_t)wg > di->max_work_group || need > lmem)
                st = ps_err_set(err, PS_ERR_INTERNAL,
                                "x tiles need one lane, groups of 1 to %zu lines and %zu bytes of "
                                "local memory (%d lanes, groups of %d, %llu bytes)",
                                di->max_work_group, need, wx, wg, (unsigned long long)lmem);
        }
    }
    if (st == PS_OK) st = field_upload_params(fs, err);
    /* a slab of the tissue solves z in parts: its array now, with the others */
    if (st == PS_OK && (grid->zoff != 0 || grid->dims[2] != grid->nz_global)) st = field_need_scratch(fs, err);
    if (st == PS_OK) {
        /* the sweeps keep a line in private arrays of PS_NMAX entries: the longest line,
           rounded up to a multiple of 64 so that tissues of similar size share a build */
        int nmax = fs->p.dims[0];
        if (fs->p.dims[1] > nmax) nmax = fs->p.dims[1];
        if (fs->p.dims[2] > nmax) nmax = fs->p.dims[2];
        nmax = (nmax + 63) / 64 * 64;
        char opts[96];
        snprintf(opts, sizeof opts, "-DPS_NMAX=%d -DPS_WX=%d -DPS_WYZ=%d", nmax, fs->wx, fs->wyz);
        st = device_build(d, "fields.cl", opts, &fs->prog, err);
    }
    if (st == PS_OK) st = device_kernel(fs->prog, "field_react_consts", &fs->k_consts, err);
    if (st == PS_OK) st = field_react_consts(fs, err);
    if (st == PS_OK) st = device_kernel(fs->prog, "field_sweep_x", &fs->k_sweepx, err);
    if (st == PS_OK) st = device_kernel(fs->prog, "field_sweep_yz", &fs->k_sweepyz, err);
    if (st == PS_OK) st = device_kernel(fs->prog, "field_sweep_xy", &fs->k_sweepxy, err);
    if (st == PS_OK) st = device_kernel(fs->prog, "field_sweep_x_tile", &fs->k_sweepxt, err);
    if (st == PS_OK) st = device_kernel(fs->prog, "field_sweep_z_slab", &fs->k_sweepzs, err);
    if (st == PS_OK && xmode == FIELD_X_TILE) {
        /* a kernel may allow smaller groups than the device (registers): smaller tiles then */
        size_t kwg = 0;
        if (clGetKernelWorkGroupInfo(fs->k_sweepxt, device_get_info(d)->id, CL_KERNEL_WORK_GROUP_SIZE,
                                     sizeof kwg, &kwg, NULL) == CL_SUCCESS && kwg > 0)
            while ((size_t)fs->wg > kwg && fs->wg > 1) fs->wg /= 2;
    }
    if (st == PS_OK) st = device_kernel(fs->prog, "field_stats", &fs->k_stats, err);
    if (st == PS_OK) st = device_kernel(fs->prog, "field_sweep_z_fwd", &fs->k_zfwd, err);
    if (st == PS_OK) st = device_kernel(fs->prog, "field_sweep_z_back", &fs->k_zback, err);
    if (st == PS_OK) st = device_build(d, "guards.cl", "", &fs->guard_prog, err);
    if (st == PS_OK) st = device_kernel(fs->guard_prog, "guard_fields", &fs->k_guard, err);
    if (st == PS_OK) st = device_alloc(d, sizeof(cl_uint), "guard result", &fs->guard_first, err);
    if (st == PS_OK) {
        /* initial concentrations: uniform per field */
        const scn_tissue *ts = &s->tissues[t];
        size_t n = (size_t)fs->p.nf * fs->p.nvox;
        float *init = malloc((n ? n : 1) * sizeof(float));
        if (!init) st = ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
        for (int l = 0; st == PS_OK && l < fs->p.nf; l++) {
            float c0 = (float)ts->fields[fs->p.mediator_of[l]].initial_nM;
            for (size_t v = 0; v < fs->p.nvox; v++) init[(size_t)l * fs->p.nvox + v] = c0;
        }
        if (st == PS_OK) st = field_upload(fs, init, err);
        free(init);
    }
    if (st != PS_OK) {
        field_destroy(fs);
        return st;
    }
    *out = fs;
    return PS_OK;
}

/* The per-field reaction constants of decay-only voxels (fields.cl field_react_consts),
 * computed on the device so that they are the bits ps_react_one would compute per voxel. */
static ps_status field_react_consts(field_set *fs, ps_err *err)
{
    const field_params *p = &fs->p;
    if (p->nf == 0) return PS_OK;
    cl_kernel k = fs->k_consts;
    SETARG(k, 0, cl_mem, fs->decay, err);
    SETARG(k, 1, cl_uint, (cl_uint)p->nf, err);
    SETARG(k, 2, cl_float, (cl_float)p->dt_min, err);
    SETARG(k, 3, cl_mem, fs->rc, err);
    return device_launch(fs->dev, k, "field_react_consts", (size_t)p->nf, 0, err);
}

void field_destroy(field_set *fs)
{
    if (!fs) return;
    cl_mem *bufs[] = {&fs->conc, &fs->scratch_d, &fs->asrc, &fs->aupt, &fs->decay, &fs->bc_value,
                      &fs->psum, &fs->pmax, &fs->mask, &fs->combo, &fs->cspecial, &fs->fregion, &fs->csrc, &fs->csink, &fs->rc,
                      &fs->fac[0], &fs->fac[1], &fs->fac[2], &fs->bfac[0], &fs->bfac[1], &fs->bfac[2],
                      &fs->prof[0], &fs->prof[1], &fs->prof[2]};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) device_release(bufs[i]);
    cl_kernel ks[] = {fs->k_consts, fs->k_sweepx, fs->k_sweepyz, fs->k_sweepxy, fs->k_sweepxt, fs->k_sweepzs, fs->k_stats, fs->k_zfwd, fs->k_zback, fs->k_guard};
    for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++)
        if (ks[i]) clReleaseKernel(ks[i]);
    if (fs->guard_prog) clReleaseProgram(fs->guard_prog);
    device_release(&fs->guard_first);
    if (fs->prog) clReleaseProgram(fs->prog);
    field_params_free(&fs->p);
    free(fs);
}

const field_params *field_get_params(const field_set *fs) { return &fs->p; }
cl_mem field_conc_buffer(const field_set *fs) { return fs->conc; }
cl_mem field_agent_src_buffer(const field_set *fs) { return fs->asrc; }
cl_mem field_agent_upt_buffer(const field_set *fs) { return fs->aupt; }
cl_mem field_region_mask_buffer(const field_set *fs) { return fs->mask; }
void field_set_occupancy(field_set *fs, cl_mem counts, cl_mem fields)
{
    fs->occ = counts;
    fs->occ_fields = fields;
}

ps_status field_step(field_set *fs, ps_err *err)
{
    return field_step_axes(fs, 3, err);
}

ps_status field_step_axes(field_set *fs, int n_axes, ps_err *err)
{
    const field_params *p = &fs->p;
    if (p->nf == 0) return PS_OK;
    cl_uint nf = (cl_uint)p->nf;
    cl_kernel k = fs->xmode == FIELD_X_XY ? fs->k_sweepxy
                  : fs->xmode == FIELD_X_TILE ? fs->k_sweepxt : fs->k_sweepx;
    int i = 0;
    SETARG(k, i++, cl_mem, fs->conc, err);
    SETARG(k, i++, cl_mem, fs->asrc, err);
    SETARG(k, i++, cl_mem, fs->aupt, err);
    SETARG(k, i++, cl_mem, fs->occ ? fs->occ : fs->mask, err);   /* any buffer when unused */
    SETARG(k, i++, cl_uint, fs->occ ? 1u : 0u, err);
    SETARG(k, i++, cl_mem, fs->occ_fields ? fs->occ_fields : fs->fregion, err);   /* any buffer when unused */
    SETARG(k, i++, cl_uint, fs->occ_fields ? 0u : 1u, err);
    SETARG(k, i++, cl_mem, fs->combo, err);
    SETARG(k, i++, cl_mem, fs->cspecial, err);
    SETARG(k, i++, cl_mem, fs->fregion, err);
    SETARG(k, i++, cl_mem, fs->csrc, err);
    SETARG(k, i++, cl_mem, fs->csink, err);
    SETARG(k, i++, cl_mem, fs->decay, err);
    SETARG(k, i++, cl_mem, fs->rc, err);
    SETARG(k, i++, cl_mem, fs->fac[0], err);
    SETARG(k, i++, cl_mem, fs->bfac[0], err);
    SETARG(k, i++, cl_mem, fs->prof[0], err);
    SETARG(k, i++, cl_uint, (cl_uint)p->n_prof[0], err);
    if (fs->xmode == FIELD_X_XY) {
        SETARG(k, i++, cl_mem, fs->fac[1], err);
        SETARG(k, i++, cl_mem, fs->bfac[1], err);
        SETARG(k, i++, cl_mem, fs->prof[1], err);
        SETARG(k, i++, cl_uint, (cl_uint)p->n_prof[1], err);
    }
    SETARG(k, i++, cl_mem, fs->bc_value, err);
    SETARG(k, i++, cl_int, p->dims[0], err);
    SETARG(k, i++, cl_int, p->dims[1], err);
    SETARG(k, i++, cl_int, p->dims[2], err);
    SETARG(k, i++, cl_uint, nf, err);
    SETARG(k, i++, cl_float, (cl_float)p->dt_min, err);
    size_t nxq = ((size_t)p->dims[0] + (size_t)fs->wyz - 1) / (size_t)fs->wyz;
    size_t nyq = ((size_t)p->dims[1] + (size_t)fs->wx - 1) / (size_t)fs->wx;
    int axis0 = 1;
    if (fs->xmode == FIELD_X_TILE) {
        /* a group of wg lines per tile, one tile per group */
        size_t T = (size_t)fs->wg, nyt = ((size_t)p->dims[1] + T - 1) / T;
        CHECK_CL(clSetKernelArg(k, (cl_uint)i++, field_tile_local_bytes(p->dims[0], fs->wg), NULL), err);
        SETARG(k, i++, cl_int, field_tile_stride(p->dims[0]), err);
        PS_TRY(device_launch(fs->dev, k, "field_sweep_x_tile", (size_t)p->dims[2] * nyt * T, T, err));
    } else if (fs->xmode == FIELD_X_XY) {
        size_t plane = (size_t)p->dims[0] * (size_t)p->dims[1];
        CHECK_CL(clSetKernelArg(k, (cl_uint)i++, plane * sizeof(cl_float), NULL), err);
        CHECK_CL(clSetKernelArg(k, (cl_uint)i++, plane * sizeof(cl_uint), NULL), err);
        CHECK_CL(clSetKernelArg(k, (cl_uint)i++, (nyq + 1) * sizeof(cl_uint), NULL), err);
        PS_TRY(device_launch(fs->dev, k, "field_sweep_xy", (size_t)p->dims[2], 1, err));
        axis0 = 2;
    } else {
        PS_TRY(device_launch(fs->dev, k, "field_sweep_x", (size_t)p->dims[2] * nyq, (size_t)fs->wg,
                             err));
    }
    if (fs->zslab && n_axes == 3) {
        k = fs->k_sweepzs;
        i = 0;
        SETARG(k, i++, cl_mem, fs->conc, err);
        SETARG(k, i++, cl_mem, fs->fac[2], err);
        SETARG(k, i++, cl_mem, fs->bfac[2], err);
        SETARG(k, i++, cl_mem, fs->prof[2], err);
        SETARG(k, i++, cl_uint, (cl_uint)p->n_prof[2], err);
        SETARG(k, i++, cl_int, p->fac_n[2], err);
        SETARG(k, i++, cl_mem, fs->bc_value, err);
        SETARG(k, i++, cl_int, p->dims[0], err);
        SETARG(k, i++, cl_int, p->dims[1], err);
        SETARG(k, i++, cl_int, p->dims[2], err);
        SETARG(k, i++, cl_uint, nf, err);
        SETARG(k, i++, cl_int, p->grid.zoff, err);
        CHECK_CL(clSetKernelArg(k, (cl_uint)i++, field_zslab_local_bytes(p->dims[0], p->dims[2]), NULL),
                 err);
        return device_launch(fs->dev, k, "field_sweep_z_slab", (size_t)p->dims[1] * p->nf, 1, err);
    }
    /* a CPU work-item walks a whole row of line groups (neighbouring groups share the
       cache lines where rows are not 64-byte aligned); a GPU work-item one group */
    k = fs->k_sweepyz;
    size_t xpi = fs->wyz > 1 ? nxq : 1;
    for (int axis = axis0; axis < n_axes; axis++) {
        i = 0;
        SETARG(k, i++, cl_mem, fs->conc, err);
        SETARG(k, i++, cl_mem, fs->fac[axis], err);
        SETARG(k, i++, cl_mem, fs->bfac[axis], err);
        SETARG(k, i++, cl_mem, fs->prof[axis], err);
        SETARG(k, i++, cl_uint, (cl_uint)p->n_prof[axis], err);
        SETARG(k, i++, cl_int, p->fac_n[axis], err);
        SETARG(k, i++, cl_mem, fs->bc_value, err);
        SETARG(k, i++, cl_int, p->dims[0], err);
        SETARG(k, i++, cl_int, p->dims[1], err);
        SETARG(k, i++, cl_int, p->dims[2], err);
        SETARG(k, i++, cl_uint, nf, err);
        SETARG(k, i++, cl_int, (cl_int)xpi, err);
        SETARG(k, i++, cl_int, axis, err);
        SETARG(k, i++, cl_int, p->grid.zoff, err);
        size_t items = (size_t)p->dims[axis == 1 ? 2 : 1] * ((nxq + xpi - 1) / xpi) * (size_t)p->nf;
        PS_TRY(device_launch(fs->dev, k, "field_sweep_yz", items, (size_t)fs->wg, err));
    }
    return PS_OK;
}

ps_status field_download(field_set *fs, float *host, ps_err *err)
{
    return device_read(fs->dev, fs->conc, 0, (size_t)fs->p.nf * fs->p.nvox * sizeof(float), host,
                       err);
}

ps_status field_upload(field_set *fs, const float *host, ps_err *err)
{
    return device_write(fs->dev, fs->conc, 0, (size_t)fs->p.nf * fs->p.nvox * sizeof(float), host,
                        err);
}

ps_status field_stats_sums(field_set *fs, double *sum, double *max, ps_err *err)
{
    float ps[FIELD_STATS_GROUPS], pm[FIELD_STATS_GROUPS];
    cl_kernel k = fs->k_stats;
    cl_uint nvox = (cl_uint)fs->p.nvox;
    size_t plane = (size_t)fs->p.dims[0] * (size_t)fs->p.dims[1];
    cl_uint v0 = (cl_uint)(plane * (size_t)fs->p.grid.lo[2]);
    cl_uint vcount = (cl_uint)(plane * (size_t)(fs->p.grid.hi[2] - fs->p.grid.lo[2]));
    SETARG(k, 7, cl_uint, v0, err);
    SETARG(k, 8, cl_uint, vcount, err);
    SETARG(k, 0, cl_mem, fs->conc, err);
    SETARG(k, 1, cl_uint, nvox, err);
    SETARG(k, 3, cl_mem, fs->psum, err);
    SETARG(k, 4, cl_mem, fs->pmax, err);
    CHECK_CL(clSetKernelArg(k, 5, FIELD_STATS_WG * sizeof(float), NULL), err);
    CHECK_CL(clSetKernelArg(k, 6, FIELD_STATS_WG * sizeof(float), NULL), err);
    for (int l = 0; l < fs->p.nf; l++) {
        SETARG(k, 2, cl_uint, (cl_uint)l, err);
        PS_TRY(device_launch(fs->dev, k, "field_stats", FIELD_STATS_WG * FIELD_STATS_GROUPS,
                             FIELD_STATS_WG, err));
        PS_TRY(device_read(fs->dev, fs->psum, 0, sizeof ps, ps, err));
        PS_TRY(device_read(fs->dev, fs->pmax, 0, sizeof pm, pm, err));
        double s = 0, mx = -INFINITY;
        for (int g = 0; g < FIELD_STATS_GROUPS; g++) {
            s += ps[g];
            if (pm[g] > mx) mx = pm[g];
        }
        sum[l] = s;
        max[l] = mx;
    }
    return PS_OK;
}

/* ---- numerical guard ------------------------------------------------------------------ */

ps_status field_check(field_set *fs, float neg_tol, int *bad_field, size_t *bad_voxel, float *value,
                      ps_err *err)
{
    *bad_field = -1;
    const field_params *p = &fs->p;
    if (p->nf == 0) return PS_OK;
    size_t plane = (size_t)p->dims[0] * (size_t)p->dims[1];
    cl_uint v0 = (cl_uint)(plane * (size_t)p->grid.lo[2]);
    cl_uint vcount = (cl_uint)(plane * (size_t)(p->grid.hi[2] - p->grid.lo[2]));
    cl_uint none = 0xffffffffu, first;
    PS_TRY(device_write(fs->dev, fs->guard_first, 0, sizeof none, &none, err));
    cl_kernel k = fs->k_guard;
    SETARG(k, 0, cl_mem, fs->conc, err);
    SETARG(k, 1, cl_uint, (cl_uint)p->nvox, err);
    SETARG(k, 2, cl_uint, (cl_uint)p->nf, err);
    SETARG(k, 3, cl_uint, v0, err);
    SETARG(k, 4, cl_uint, vcount, err);
    SETARG(k, 5, cl_float, neg_tol, err);
    SETARG(k, 6, cl_mem, fs->guard_first, err);
    PS_TRY(device_launch(fs->dev, k, "guard_fields", (size_t)p->nf * vcount, 0, err));
    PS_TRY(device_read(fs->dev, fs->guard_first, 0, sizeof first, &first, err));
    if (first == none) return PS_OK;
    *bad_field = (int)(first / vcount);
    *bad_voxel = v0 + first % vcount;
    return device_read(fs->dev, fs->conc, ((size_t)*bad_field * p->nvox + *bad_voxel) * sizeof(float),
                       sizeof(float), value, err);
}

/* ---- domain decomposition: the z sweep in parts, plane copies ----------------------- */

static ps_status field_z_args(field_set *fs, cl_kernel k, int first, ps_err *err)
{
    const field_params *p = &fs->p;
    int i = first;
    SETARG(k, i++, cl_int, p->dims[0], err);
    SETARG(k, i++, cl_int, p->dims[1], err);
    SETARG(k, i++, cl_int, p->dims[2], err);
    SETARG(k, i++, cl_uint, (cl_uint)p->nf, err);
    SETARG(k, i++, cl_int, p->grid.lo[2], err);
    SETARG(k, i++, cl_int, p->grid.hi[2], err);
    SETARG(k, i++, cl_int, p->grid.zoff, err);
    SETARG(k, i++, cl_int, p->grid.nz_global, err);
    return PS_OK;
}

/* The forward-elimination array of the z sweep in parts: allocated with the fields on a
 * slab grid, and on first use otherwise (a decomposed run on one rank). */
static ps_status field_need_scratch(field_set *fs, ps_err *err)
{
    if (fs->scratch_d) return PS_OK;
    size_t nf = fs->p.nf > 0 ? (size_t)fs->p.nf : 1;
    return device_alloc(fs->dev, nf * fs->p.nvox * sizeof(float), "decomposed z-sweep array", &fs->scratch_d, err);
}

ps_status field_sweep_z_forward(field_set *fs, ps_err *err)
{
    if (fs->p.nf == 0) return PS_OK;
    PS_TRY(field_need_scratch(fs, err));
    cl_kernel k = fs->k_zfwd;
    int i = 0;
    SETARG(k, i++, cl_mem, fs->conc, err);
    SETARG(k, i++, cl_mem, fs->scratch_d, err);
    SETARG(k, i++, cl_mem, fs->fac[2], err);
    SETARG(k, i++, cl_mem, fs->bfac[2], err);
    SETARG(k, i++, cl_mem, fs->prof[2], err);
    SETARG(k, i++, cl_uint, (cl_uint)fs->p.n_prof[2], err);
    SETARG(k, i++, cl_mem, fs->bc_value, err);
    PS_TRY(field_z_args(fs, k, i, err));
    size_t lines = (size_t)fs->p.dims[0] * (size_t)fs->p.dims[1];
    return device_launch(fs->dev, k, "field_sweep_z_fwd", lines * (size_t)fs->p.nf, 0, err);
}

ps_status field_sweep_z_back(field_set *fs, ps_err *err)
{
    if (fs->p.nf == 0) return PS_OK;
    PS_TRY(field_need_scratch(fs, err));
    cl_kernel k = fs->k_zback;
    int i = 0;
    SETARG(k, i++, cl_mem, fs->conc, err);
    SETARG(k, i++, cl_mem, fs->scratch_d, err);
    SETARG(k, i++, cl_mem, fs->fac[2], err);
    SETARG(k, i++, cl_mem, fs->prof[2], err);
    SETARG(k, i++, cl_uint, (cl_uint)fs->p.n_prof[2], err);
    PS_TRY(field_z_args(fs, k, i, err));
    size_t lines = (size_t)fs->p.dims[0] * (size_t)fs->p.dims[1];
    return device_launch(fs->dev, k, "field_sweep_z_back", lines * (size_t)fs->p.nf, 0, err);
}

ps_status field_planes(field_set *fs, int which, int write, int z, int count, float *host, ps_err *err)
{
    if (which == FIELD_SCRATCH_D) PS_TRY(field_need_scratch(fs, err));
    cl_mem m = which == FIELD_CONC ? fs->conc : fs->scratch_d;
    size_t plane = (size_t)fs->p.dims[0] * (size_t)fs->p.dims[1];
    size_t bytes = plane * (size_t)count * sizeof(float);
    for (int l = 0; l < fs->p.nf; l++) {
        size_t off = ((size_t)l * fs->p.nvox + (size_t)z * plane) * sizeof(float);
        float *h = host + (size_t)l * plane * (size_t)count;
        if (write) PS_TRY(device_write(fs->dev, m, off, bytes, h, err));
        else PS_TRY(device_read(fs->dev, m, off, bytes, h, err));
    }
    return PS_OK;
}

/* ---- plain-C reference ------------------------------------------------------------- */

/* One line of the sweep along axis a: n values at stride `stride` from u, the factors of
 * its profile (rows from toff), the kernels' operations in their order. */
static void field_sweep_line_ref(float *u, size_t stride, int n, const float *F, const float *B,
                                 float v_lo, float v_hi, float *d)
{
    float a_left = 0.0f, u_left = 0.0f, dprev = 0.0f;
    for (int i = 0; i < n; i++) {
        float u_i = u[(size_t)i * stride];
        float u_right = (i + 1 < n) ? u[(size_t)(i + 1) * stride] : 0.0f;
        float a_right = F[4 * i], r = F[4 * i + 1];
        float rhs = a_left * (u_left - u_i) + a_right * (u_right - u_i);
        if (i == 0) rhs += B[0] * (v_lo - u_i);
        if (i == n - 1) rhs += B[1] * (v_hi - u_i);
        dprev = (rhs + a_left * dprev) * r;
        d[i] = dprev;
        a_left = a_right;
        u_left = u_i;
    }
    float next = d[n - 1];
    u[(size_t)(n - 1) * stride] += next;
    for (int i = n - 2; i >= 0; i--) {
        next = d[i] - F[4 * i + 2] * next;
        u[(size_t)i * stride] += next;
    }
}

static void field_sweep_ref(const field_params *p, float *conc, float *d, int axis)
{
    int nx = p->dims[0], ny = p->dims[1];
    int n = p->dims[axis];
    size_t stride = axis == 0 ? 1 : axis == 1 ? (size_t)nx : (size_t)nx * ny;
    size_t nlines = p->nvox / (size_t)n, np = (size_t)p->n_prof[axis];
    int toff = axis == 2 ? p->grid.zoff : 0;
    for (int f = 0; f < p->nf; f++) {
        for (size_t line = 0; line < nlines; line++) {
            size_t base;
            if (axis == 0) base = line * (size_t)nx;
            else if (axis == 1) base = (line / (size_t)nx) * (size_t)nx * ny + line % (size_t)nx;
            else base = line;
            size_t q = p->line_prof[axis][line];
            const float *F = p->fac[axis] + (((size_t)f * np + q) * (size_t)p->fac_n[axis] + (size_t)toff) * 4;
            const float *B = p->bfac[axis] + ((size_t)f * np + q) * 2;
            field_sweep_line_ref(conc + (size_t)f * p->nvox + base, stride, n, F, B,
                                 p->bc_value[f * 6 + 2 * axis], p->bc_value[f * 6 + 2 * axis + 1], d);
        }
    }
}

void field_step_ref(const field_params *p, float *conc, const float *agent_src,
                    const float *agent_upt)
{
    float dt = (float)p->dt_min;
    size_t nf = p->nf > 0 ? (size_t)p->nf : 1;
    for (int f = 0; f < p->nf; f++)
        for (size_t v = 0; v < p->nvox; v++) {
            size_t g = (size_t)f * p->nvox + v, cb = p->combo[v];
            float k = p->decay[f] + p->combo_sink[cb * nf + f] + (agent_upt ? agent_upt[g] : 0.0f);
            float s = p->combo_src[cb * nf + f] + (agent_src ? agent_src[g] : 0.0f);
            float c = conc[g];
            if (k > 0.0f) {
                float kdt = k * dt;
                c = c * expf(-kdt) + s * (-expm1f(-kdt) / k);
            } else {
                c = c + s * dt;
            }
            conc[g] = c;
        }
    int nmax = p->dims[0];
    if (p->dims[1] > nmax) nmax = p->dims[1];
    if (p->dims[2] > nmax) nmax = p->dims[2];
    float *d = malloc((size_t)nmax * sizeof(float));
    if (d)
        for (int axis = 0; axis < 3; axis++) field_sweep_ref(p, conc, d, axis);
    free(d);
}
