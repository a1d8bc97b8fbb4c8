/* field.c — device fields of a tissue: buffers, kernels, and the C reference.
 *
 * Per step: field_react (exact linear reaction) then the implicit sweeps along x, y and z
 * (field_sweep4x, field_sweep4: four lines per work-item, the bits of the one-line
 * solve ps_sweep_line).
 * The reference implementation below mirrors the kernels' float arithmetic so the
 * tests can compare a step to round-off.
 */
#include "field.h"

#include "../kernels/params.h"

/* host/device layout equalities (kernels/params.h) */
_Static_assert(BC_NO_FLUX == SCN_BC_NO_FLUX && BC_FIXED == SCN_BC_FIXED,
               "boundary kinds: BC_* must equal scn_bc_kind");
_Static_assert(PS_MAX_FIELDS == SCN_MAX_MEDIATORS, "fields per tissue: PS_MAX_FIELDS must equal SCN_MAX_MEDIATORS");

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define FIELD_STATS_WG 64
#define FIELD_STATS_GROUPS 64

struct field_set {
    device *dev;
    field_params p;
    cl_program prog;
    cl_kernel k_react, k_consts, k_sweep4, k_sweep4x, k_stats, k_zfwd, k_zback, k_guard;
    cl_program guard_prog;
    cl_mem guard_first;
    cl_mem conc, scratch, scratch_d, dmul, src, sink, asrc, aupt, alpha, decay, bc_kind, bc_value, mask;
    cl_mem psum, pmax;
    cl_mem rc;          /* [nf][2] reaction constants of decay-only voxels */
};

static ps_status field_react_consts(field_set *fs, ps_err *err);

ps_status field_params_init(field_params *p, const scenario *s, int t, ps_err *err)
{
    tissue_grid g;
    tissue_grid_init(&g, &s->tissues[t]);
    return field_params_init_grid(p, s, t, &g, err);
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
    size_t nf = p->nf > 0 ? (size_t)p->nf : 1;
    p->dmul = malloc(p->nvox * sizeof(float));
    p->src = calloc(nf * p->nvox, sizeof(float));
    p->sink = calloc(nf * p->nvox, sizeof(float));
    p->region_mask = malloc(p->nvox * sizeof(uint32_t));
    if (!p->dmul || !p->src || !p->sink || !p->region_mask) {
        field_params_free(p);
        return ps_err_set(err, PS_ERR_MEMORY, "out of host memory for the region maps of tissue %s",
                          ts->name);
    }
    tissue_region_maps(ts, &g, p->local_of, s->n_mediators, p->dmul, p->src, p->sink,
                       p->region_mask);
    return PS_OK;
}

void field_params_free(field_params *p)
{
    free(p->dmul);
    free(p->src);
    free(p->sink);
    free(p->region_mask);
    p->dmul = p->src = p->sink = NULL;
    p->region_mask = NULL;
}

size_t field_device_bytes(const scenario *s, int t)
{
    int dims[3];
    scenario_tissue_dims(&s->tissues[t], dims);
    size_t nvox = (size_t)dims[0] * dims[1] * dims[2];
    size_t nf = 0;
    for (int m = 0; m < s->n_mediators; m++) nf += s->tissues[t].fields[m].present ? 1 : 0;
    /* conc, two scratch, src, sink, agent src, agent upt per field; dmul and mask once */
    return (7 * nf + 2) * nvox * sizeof(float);
}

static ps_status field_upload_params(field_set *fs, ps_err *err)
{
    device *d = fs->dev;
    field_params *p = &fs->p;
    size_t nf = p->nf > 0 ? (size_t)p->nf : 1;
    size_t fbytes = nf * p->nvox * sizeof(float);
    PS_TRY(device_alloc(d, fbytes, "field concentrations", &fs->conc, err));
    PS_TRY(device_alloc(d, fbytes, "field solver scratch", &fs->scratch, err));
    PS_TRY(device_alloc(d, fbytes, "field solver scratch", &fs->scratch_d, err));
    PS_TRY(device_alloc(d, p->nvox * sizeof(float), "diffusion multiplier map", &fs->dmul, err));
    PS_TRY(device_alloc(d, fbytes, "region sources", &fs->src, err));
    PS_TRY(device_alloc(d, fbytes, "region sinks", &fs->sink, err));
    PS_TRY(device_alloc(d, fbytes, "agent secretion", &fs->asrc, err));
    PS_TRY(device_alloc(d, fbytes, "agent uptake", &fs->aupt, err));
    PS_TRY(device_alloc(d, nf * sizeof(float), "field alpha", &fs->alpha, err));
    PS_TRY(device_alloc(d, nf * sizeof(float), "field decay", &fs->decay, err));
    PS_TRY(device_alloc(d, nf * 6 * sizeof(int), "boundary kinds", &fs->bc_kind, err));
    PS_TRY(device_alloc(d, nf * 6 * sizeof(float), "boundary values", &fs->bc_value, err));
    PS_TRY(device_alloc(d, FIELD_STATS_GROUPS * sizeof(float), "field stats", &fs->psum, err));
    PS_TRY(device_alloc(d, FIELD_STATS_GROUPS * sizeof(float), "field stats", &fs->pmax, err));
    PS_TRY(device_alloc(d, p->nvox * sizeof(cl_uint), "region mask", &fs->mask, err));
    PS_TRY(device_alloc(d, nf * 2 * sizeof(float), "reaction constants", &fs->rc, err));
    PS_TRY(device_write(d, fs->mask, 0, p->nvox * sizeof(cl_uint), p->region_mask, err));
    PS_TRY(device_write(d, fs->dmul, 0, p->nvox * sizeof(float), p->dmul, err));
    PS_TRY(device_write(d, fs->src, 0, fbytes, p->src, err));
    PS_TRY(device_write(d, fs->sink, 0, fbytes, p->sink, err));
    PS_TRY(device_fill_zero(d, fs->asrc, fbytes, err));
    PS_TRY(device_fill_zero(d, fs->aupt, fbytes, err));
    PS_TRY(device_write(d, fs->alpha, 0, (size_t)p->nf * sizeof(float), p->alpha, err));
    PS_TRY(device_write(d, fs->decay, 0, (size_t)p->nf * sizeof(float), p->decay, err));
    PS_TRY(device_write(d, fs->bc_kind, 0, (size_t)p->nf * 6 * sizeof(int), p->bc_kind, err));
    PS_TRY(device_write(d, fs->bc_value, 0, (size_t)p->nf * 6 * sizeof(float), p->bc_value, err));
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
    *out = NULL;
    field_set *fs = calloc(1, sizeof *fs);
    if (!fs) return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    fs->dev = d;
    ps_status st = field_params_init_grid(&fs->p, s, t, grid, err);
    if (st == PS_OK) st = field_upload_params(fs, err);
    if (st == PS_OK) st = device_build(d, "fields.cl", "", &fs->prog, err);
    if (st == PS_OK) st = device_kernel(fs->prog, "field_react", &fs->k_react, err);
    if (st == PS_OK) st = device_kernel(fs->prog, "field_react_consts", &fs->k_consts, err);
    if (st == PS_OK) st = field_react_consts(fs, err);
    if (st == PS_OK) st = device_kernel(fs->prog, "field_sweep4", &fs->k_sweep4, err);
    if (st == PS_OK) st = device_kernel(fs->prog, "field_sweep4x", &fs->k_sweep4x, err);
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
 * computed on the device so that they are the bits field_react would compute per voxel. */
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
    cl_mem *bufs[] = {&fs->conc, &fs->scratch, &fs->scratch_d, &fs->dmul, &fs->src, &fs->sink, &fs->asrc,
                      &fs->aupt, &fs->alpha, &fs->decay, &fs->bc_kind, &fs->bc_value,
                      &fs->psum, &fs->pmax, &fs->mask, &fs->rc};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) device_release(bufs[i]);
    if (fs->k_react) clReleaseKernel(fs->k_react);
    if (fs->k_consts) clReleaseKernel(fs->k_consts);
    if (fs->k_sweep4) clReleaseKernel(fs->k_sweep4);
    if (fs->k_sweep4x) clReleaseKernel(fs->k_sweep4x);
    if (fs->k_stats) clReleaseKernel(fs->k_stats);
    if (fs->k_zfwd) clReleaseKernel(fs->k_zfwd);
    if (fs->k_zback) clReleaseKernel(fs->k_zback);
    if (fs->k_guard) clReleaseKernel(fs->k_guard);
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

/* Arguments 0-6 of field_sweep4, field_sweep4x and field_sweep_z_fwd: the arrays. */
static ps_status field_sweep_args(field_set *fs, cl_kernel k, ps_err *err)
{
    cl_mem m[] = {fs->conc, fs->scratch, fs->scratch_d, fs->dmul, fs->alpha, fs->bc_kind, fs->bc_value};
    for (int i = 0; i < 7; i++) SETARG(k, i, cl_mem, m[i], err);
    return PS_OK;
}

ps_status field_step(field_set *fs, ps_err *err)
{
    return field_step_axes(fs, 3, err);
}

ps_status field_step_axes(field_set *fs, int n_axes, ps_err *err)
{
    const field_params *p = &fs->p;
    if (p->nf == 0) return PS_OK;
    cl_uint nvox = (cl_uint)p->nvox, nf = (cl_uint)p->nf;
    cl_float dt = (cl_float)p->dt_min;
    cl_kernel k = fs->k_react;
    SETARG(k, 0, cl_mem, fs->conc, err);
    SETARG(k, 1, cl_mem, fs->src, err);
    SETARG(k, 2, cl_mem, fs->sink, err);
    SETARG(k, 3, cl_mem, fs->asrc, err);
    SETARG(k, 4, cl_mem, fs->aupt, err);
    SETARG(k, 5, cl_mem, fs->decay, err);
    SETARG(k, 6, cl_mem, fs->rc, err);
    SETARG(k, 7, cl_uint, nvox, err);
    SETARG(k, 8, cl_uint, nf, err);
    SETARG(k, 9, cl_float, dt, err);
    PS_TRY(device_launch(fs->dev, k, "field_react", (p->nvox + 3) / 4, 0, err));
    /* four lines per work-item: along x four y-neighbours (field_sweep4x), along y and
       z four x-neighbours, whose loads and stores are contiguous (field_sweep4); the
       arithmetic, and so the bits, are ps_sweep_line's */
    size_t nxq = ((size_t)p->dims[0] + 3) / 4, nyq = ((size_t)p->dims[1] + 3) / 4;
    for (int axis = 0; axis < n_axes; axis++) {
        k = axis == 0 ? fs->k_sweep4x : fs->k_sweep4;
        PS_TRY(field_sweep_args(fs, k, err));
        SETARG(k, 7, cl_int, p->dims[0], err);
        SETARG(k, 8, cl_int, p->dims[1], err);
        SETARG(k, 9, cl_int, p->dims[2], err);
        SETARG(k, 10, cl_uint, nf, err);
        if (axis > 0) SETARG(k, 11, cl_int, axis, err);
        size_t items = axis == 0 ? (size_t)p->dims[2] * nyq : (size_t)p->dims[axis == 1 ? 2 : 1] * nxq;
        PS_TRY(device_launch(fs->dev, k, axis == 0 ? "field_sweep4x" : "field_sweep4", items * p->nf, 0, err));
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

ps_status field_sweep_z_forward(field_set *fs, ps_err *err)
{
    if (fs->p.nf == 0) return PS_OK;
    cl_kernel k = fs->k_zfwd;
    PS_TRY(field_sweep_args(fs, k, err));
    PS_TRY(field_z_args(fs, k, 7, err));
    size_t lines = (size_t)fs->p.dims[0] * (size_t)fs->p.dims[1];
    return device_launch(fs->dev, k, "field_sweep_z_fwd", lines * (size_t)fs->p.nf, 0, err);
}

ps_status field_sweep_z_back(field_set *fs, ps_err *err)
{
    if (fs->p.nf == 0) return PS_OK;
    cl_kernel k = fs->k_zback;
    SETARG(k, 0, cl_mem, fs->conc, err);
    SETARG(k, 1, cl_mem, fs->scratch, err);
    SETARG(k, 2, cl_mem, fs->scratch_d, err);
    PS_TRY(field_z_args(fs, k, 3, err));
    size_t lines = (size_t)fs->p.dims[0] * (size_t)fs->p.dims[1];
    return device_launch(fs->dev, k, "field_sweep_z_back", lines * (size_t)fs->p.nf, 0, err);
}

ps_status field_planes(field_set *fs, int which, int write, int z, int count, float *host, ps_err *err)
{
    cl_mem m = which == FIELD_CONC ? fs->conc : which == FIELD_SCRATCH_C ? fs->scratch : fs->scratch_d;
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

static float field_harmonic_ref(float a, float b)
{
    float s = a + b;
    return s > 0.0f ? 2.0f * a * b / s : 0.0f;
}

static void field_sweep_ref(const field_params *p, float *conc, float *cp, float *dp, int axis)
{
    int nx = p->dims[0], ny = p->dims[1];
    int n = p->dims[axis];
    size_t stride = axis == 0 ? 1 : axis == 1 ? (size_t)nx : (size_t)nx * ny;
    size_t nlines = p->nvox / (size_t)n;
    for (int f = 0; f < p->nf; f++) {
        for (size_t line = 0; line < nlines; line++) {
            size_t base;
            if (axis == 0) base = line * (size_t)nx;
            else if (axis == 1) base = (line / (size_t)nx) * (size_t)nx * ny + line % (size_t)nx;
            else base = line;
            float *u = conc + (size_t)f * p->nvox + base;
            float *c = cp + base, *d = dp + base;
            const float *m = p->dmul + base;
            float a = p->alpha[f];
            int lo = 2 * axis, hi = lo + 1;
            float b_lo = p->bc_kind[f * 6 + lo] == 1 ? 2.0f * a * m[0] : 0.0f;
            float b_hi = p->bc_kind[f * 6 + hi] == 1 ? 2.0f * a * m[(size_t)(n - 1) * stride] : 0.0f;
            float a_left = 0.0f, u_left = 0.0f, cprev = 0.0f, dprev = 0.0f;
            for (int i = 0; i < n; i++) {
                size_t o = (size_t)i * stride;
                float u_i = u[o], u_right = (i + 1 < n) ? u[o + stride] : 0.0f;
                float a_right = (i + 1 < n) ? a * field_harmonic_ref(m[o], m[o + stride]) : 0.0f;
                float diag = 1.0f + a_left + a_right;
                float rhs = a_left * (u_left - u_i) + a_right * (u_right - u_i);
                if (i == 0) { diag += b_lo; rhs += b_lo * (p->bc_value[f * 6 + lo] - u_i); }
                if (i == n - 1) { diag += b_hi; rhs += b_hi * (p->bc_value[f * 6 + hi] - u_i); }
                float denom = diag + a_left * cprev;
                c[o] = -a_right / denom;
                d[o] = (rhs + a_left * dprev) / denom;
                cprev = c[o];
                dprev = d[o];
                a_left = a_right;
                u_left = u_i;
            }
            float next = d[(size_t)(n - 1) * stride];
            u[(size_t)(n - 1) * stride] += next;
            for (int i = n - 2; i >= 0; i--) {
                size_t o = (size_t)i * stride;
                next = d[o] - c[o] * next;
                u[o] += next;
            }
        }
    }
}

void field_step_ref(const field_params *p, float *conc, const float *agent_src,
                    const float *agent_upt)
{
    float dt = (float)p->dt_min;
    for (int f = 0; f < p->nf; f++)
        for (size_t v = 0; v < p->nvox; v++) {
            size_t g = (size_t)f * p->nvox + v;
            float k = p->decay[f] + p->sink[g] + (agent_upt ? agent_upt[g] : 0.0f);
            float s = p->src[g] + (agent_src ? agent_src[g] : 0.0f);
            float c = conc[g];
            if (k > 0.0f) {
                float kdt = k * dt;
                c = c * expf(-kdt) + s * (-expm1f(-kdt) / k);
            } else {
                c = c + s * dt;
            }
            conc[g] = c;
        }
    float *cp = malloc(p->nvox * sizeof(float)), *dp = malloc(p->nvox * sizeof(float));
    if (cp && dp)
        for (int axis = 0; axis < 3; axis++) field_sweep_ref(p, conc, cp, dp, axis);
    free(cp);
    free(dp);
}
