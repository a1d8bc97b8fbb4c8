/* fields.cl — diffusing mediators on a tissue's uniform grid.
 *
 * One step of length dt (min) is split (Lie splitting):
 *   1. reaction, solved exactly per voxel: dC/dt = S - k C, with S = region sources +
 *      agent secretion (nM/min) and k = decay + region sinks + agent uptake (1/min);
 *   2. diffusion, locally one-dimensional backward Euler: one tridiagonal solve per grid
 *      line along x, then y, then z (Thomas algorithm).
 * Backward Euler is unconditionally stable, so dt can be minutes while a voxel
 * equilibrates in under a second. The flux form with face coefficients
 * D_face = D * harmonic_mean(m_left, m_right) conserves mass to round-off with no-flux
 * faces and lets D vary per region (m = region diffusion multiplier).
 *
 * Memory traffic is what bounds this solve, so each value is read once and written once
 * per sweep:
 *   - the Thomas factors (1/denominator and modified upper diagonal) depend only on a
 *     line's D-multiplier profile, alpha and the boundary kinds, never on the values: the
 *     host computes them once (field.c) for each distinct profile, and the sweeps read a
 *     few kilobytes of them from cache instead of dividing three times per voxel;
 *   - the reaction is folded into the x sweep, applied as each value is loaded: regions
 *     are a combination id per voxel and a table of sources and sinks per combination;
 *     the agent secretion/uptake buffers are read only where the cell list counts agents;
 *   - a work-item keeps its lines' forward-elimination values (and, along x, the reacted
 *     values) in private arrays of PS_NMAX entries, so no scratch array goes to memory;
 *     the back substitution writes the result.
 * The sweep kernels solve four lines per work-item: along x four y-neighbours (loads
 * gathered at stride nx, each lane walking its own contiguous line), along y and z four
 * x-neighbours, whose loads and stores are one float4 per plane. A group that runs past
 * the grid's edge repeats its last line in the extra lanes and stores nothing from them.
 * Every lane does the one-line solve's operations in the same order, and
 * FP_CONTRACT is off, so the bits are those of the plain-C reference (field_step_ref) and,
 * along z, of the decomposed sweep (field_sweep_z_fwd/back) at any split.
 *
 * Layout: conc[f * nvox + (z * ny + y) * nx + x], x fastest. Factor tables: fac
 * [nf][nprof][fac_n] float4 (a_right, 1/denom, c, 0), bfac [nf][nprof] float2 (b_lo, b_hi).
 */
#include "common.cl"

#pragma OPENCL FP_CONTRACT OFF

/* Helpers that take or return vectors are always inlined: an out-of-line float16 on a
 * machine without AVX-512 goes through memory (and clang warns that the ABI changes). */
#define PS_VINLINE inline __attribute__((always_inline))

#ifndef PS_NMAX
#define PS_NMAX 512                 /* longest grid line; the host sets it per tissue */
#endif

/* Per-field reaction constants for voxels where k is the field's decay alone (no region
 * sink, no agent uptake) -- most voxels: e = exp(-k dt) and (1 - e)/k, computed once with
 * exactly the expressions ps_react_one uses per voxel, so both paths give the same bits. */
__kernel void field_react_consts(__global const float *decay, uint nf, float dt,
                                 __global float *rc)
{
    size_t f = get_global_id(0);
    if (f >= nf) return;
    float k = decay[f];
    if (k > 0.0f) {
        float kdt = k * dt;
        rc[2 * f] = exp(-kdt);
        rc[2 * f + 1] = -expm1(-kdt) / k;
    } else {
        rc[2 * f] = 1.0f;
        rc[2 * f + 1] = dt;
    }
}

/* The reaction of one value (k = decay + sink + uptake); rc0, rc1: the field's constants. */
inline float ps_react_one(float c, float s, float kd, float sink, float upt, float rc0,
                          float rc1, float dt)
{
    if (sink == 0.0f && upt == 0.0f && kd > 0.0f)
        return c * rc0 + s * rc1;                      /* k == decay exactly: no exp */
    float k = kd + sink + upt;
    if (k > 0.0f) {
        float kdt = k * dt;
        float e = exp(-kdt);
        /* (1 - e)/k via expm1 keeps full precision when k*dt is tiny */
        return c * e + s * (-expm1(-kdt) / k);
    }
    return c + s * dt;
}

/* Lanes per work-item: PS_WX lines of the x sweep, PS_WYZ lines of the y and z sweeps
 * (1, 4, 8 or 16; the host picks them per device type: 16 on CPUs, where one work-item's
 * vector fills a cache line and SIMD registers; 1 on GPUs, where neighbouring work-items
 * take neighbouring lines and their loads coalesce along y and z). */
#ifndef PS_WX
#define PS_WX 8
#endif
#ifndef PS_WYZ
#define PS_WYZ 16
#endif
#define PS_CAT_(a, b) a##b
#define PS_CAT(a, b) PS_CAT_(a, b)
#if PS_WX == 1
#define PS_TX float
#define PS_VLOADX(i, p) ((p)[i])
#define PS_VSTOREX(v, i, p) ((p)[i] = (v))
#else
#define PS_TX PS_CAT(float, PS_WX)
#define PS_VLOADX PS_CAT(vload, PS_WX)
#define PS_VSTOREX PS_CAT(vstore, PS_WX)
#endif
#if PS_WYZ == 1
#define PS_TYZ float
#define PS_VLOADYZ(i, p) ((p)[i])
#define PS_VSTOREYZ(v, i, p) ((p)[i] = (v))
#else
#define PS_TYZ PS_CAT(float, PS_WYZ)
#define PS_VLOADYZ PS_CAT(vload, PS_WYZ)
#define PS_VSTOREYZ PS_CAT(vstore, PS_WYZ)
#endif

/* One row of the forward elimination with precomputed factors: the increment form's
 * right-hand side A u + b, then d_i = (rhs + a_left d_{i-1}) / denom_i. One text for one
 * line (float) and for a work-item's lines (vector), the same operations in the same order. */
#define PS_DEFINE_FWD_ROW(NAME, T)                                                          \
    PS_VINLINE T NAME(T a_left, T a_right, T r, T u_left, T u_i, T u_right, int first, int last, \
                  T b_lo, float v_lo, T b_hi, float v_hi, T dprev)                          \
    {                                                                                       \
        T rhs = a_left * (u_left - u_i) + a_right * (u_right - u_i);                        \
        if (first) rhs += b_lo * (v_lo - u_i);                                              \
        if (last) rhs += b_hi * (v_hi - u_i);                                               \
        return (rhs + a_left * dprev) * r;                                                  \
    }
PS_DEFINE_FWD_ROW(ps_fwd_row, float)
PS_DEFINE_FWD_ROW(ps_fwd_row_x, PS_TX)
PS_DEFINE_FWD_ROW(ps_fwd_row_yz, PS_TYZ)

/* The factors of W lines at row i: a_right (component 0), 1/denom (1) or c (2) of each
 * lane's profile, as one vector; one load broadcast when the lanes share a profile (most
 * lines). F[l] points at lane l's factor vector. */
#define PS_DEFINE_FAC(NAME, T, W, VLOAD)                                                    \
    PS_VINLINE T NAME(__global const float4 *const *F, int same, int i, int comp)           \
    {                                                                                       \
        if (same) {                                                                         \
            float4 q = F[0][i];                                                             \
            return (T)(comp == 0 ? q.x : comp == 1 ? q.y : q.z);                            \
        }                                                                                   \
        float t[W];                                                                         \
        for (int l = 0; l < W; l++) {                                                       \
            float4 q = F[l][i];                                                             \
            t[l] = comp == 0 ? q.x : comp == 1 ? q.y : q.z;                                 \
        }                                                                                   \
        return VLOAD(0, t);                                                                 \
    }
PS_DEFINE_FAC(ps_fac_x, PS_TX, PS_WX, PS_VLOADX)
PS_DEFINE_FAC(ps_fac_yz, PS_TYZ, PS_WYZ, PS_VLOADYZ)

/* The reaction of one voxel v of field f from scratch (region terms of its combination,
 * agent terms where the cell list counts agents): ps_react_one's arguments gathered. */
PS_VINLINE float ps_react_voxel(float c, uint v, uint f, uint nf, uint nvox,
                            __global const ushort *combo, __global const uint *occ, uint use_occ,
                            __global const float *csrc, __global const float *csink,
                            __global const float *asrc, __global const float *aupt, float kd,
                            float rc0, float rc1, float dt)
{
    uint q = combo[v];
    float s = csrc[q * nf + f], u = 0.0f;
    if (use_occ && occ[v] != 0u) {
        s += asrc[(size_t)f * nvox + v];
        u = aupt[(size_t)f * nvox + v];
    }
    return ps_react_one(c, s, kd, csink[q * nf + f], u, rc0, rc1, dt);
}

/* The reaction and the implicit sweep along x, every field, for PS_WX lines y0.. of one z
 * plane per work-item. Each line is read once, contiguously, reacted, and transposed into
 * the private array ub (lane l of row i at ub[i * PS_WX + l]); the sweep then runs on
 * vectors of PS_WX lanes entirely in private memory, and each line is written back once,
 * contiguously. occ: the cell list's counts per voxel (use_occ 0: no agent terms); fagent:
 * per field, 1 where agents can secrete or take it up (all_fields 1: every field). */
__kernel void field_sweep_x(__global float *conc, __global const float *asrc,
                            __global const float *aupt, __global const uint *occ, uint use_occ,
                            __global const uchar *fagent, uint all_fields, __global const ushort *combo,
                            __global const uchar *cspecial, __global const uchar *fregion,
                            __global const float *csrc, __global const float *csink,
                            __global const float *decay, __global const float *rc,
                            __global const float4 *fac, __global const float2 *bfac,
                            __global const uint *prof, uint nprof,
                            __global const float *bc_value, int nx, int ny, int nz, uint nf,
                            float dt)
{
    size_t g = get_global_id(0);
    int nyq = (ny + PS_WX - 1) / PS_WX;
    if (g >= (size_t)nz * nyq) return;
    int z = (int)(g / (size_t)nyq), y0 = (int)(g % (size_t)nyq) * PS_WX;
    int nl = min(PS_WX, ny - y0), n = nx;
    uint nvox = (uint)nx * (uint)ny * (uint)nz;
    uint o[PS_WX], pr[PS_WX];
    int same = 1;
    for (int l = 0; l < PS_WX; l++) {
        uint line = (uint)z * (uint)ny + (uint)min(y0 + l, ny - 1);   /* extra lanes repeat */
        o[l] = line * (uint)nx;
        pr[l] = prof[line];
        same = same && pr[l] == pr[0];
    }
    /* the voxels whose reaction is more than the field's decay: agents there, or a region
       combination with a source or sink (cspecial); the same for every field */
    ushort sp_i[PS_WX * PS_NMAX];
    uchar sp_l[PS_WX * PS_NMAX];
    int nsp = 0;
    for (int l = 0; l < nl; l++)
        for (int i = 0; i < n; i++) {
            uint v = o[l] + (uint)i;
            if (cspecial[combo[v]] || (use_occ && occ[v] != 0u)) {
                sp_i[nsp] = (ushort)i;
                sp_l[nsp++] = (uchar)l;
            }
        }
    float ub[PS_WX * PS_NMAX];
    PS_TX db[PS_NMAX];
    for (uint f = 0; f < nf; f++) {
        __global float *u = conc + (size_t)f * nvox;
        float kd = decay[f], rc0 = rc[2 * f], rc1 = rc[2 * f + 1];
        __global const float4 *F[PS_WX];
        float blo[PS_WX], bhi[PS_WX];
        for (int l = 0; l < PS_WX; l++) {
            F[l] = fac + ((size_t)f * nprof + pr[l]) * (size_t)n;
            float2 q = bfac[(size_t)f * nprof + pr[l]];
            blo[l] = q.x;
            bhi[l] = q.y;
        }
        PS_TX b_lo = PS_VLOADX(0, blo), b_hi = PS_VLOADX(0, bhi);
        float v_lo = bc_value[f * 6], v_hi = bc_value[f * 6 + 1];
        /* agent terms only for the fields agents can secrete or take up (all_fields: every
           field may have them): for the others the buffers hold zeros, and s + 0, u = 0
           are the values without them */
        uint occ_f = use_occ && (all_fields || fagent[f]);
        /* the reaction, transposed into ub (lane l of row i at ub[i * PS_WX + l]): decay
           alone everywhere (c rc0 + 0 rc1, ps_react_one's value for no source, sink or
           uptake), then the special voxels from scratch, unless this field has neither
           region nor agent terms (then from scratch is decay alone there too) */
        if (kd > 0.0f) {
            float zs = 0.0f * rc1;
            for (int l = 0; l < PS_WX; l++) {
                __global const float *ul = u + o[l];
                for (int i = 0; i < n; i++) ub[i * PS_WX + l] = ul[i] * rc0 + zs;
            }
            int nsp_f = occ_f || fregion[f] ? nsp : 0;
            for (int k = 0; k < nsp_f; k++) {
                int i = sp_i[k], l = sp_l[k];
                uint v = o[l] + (uint)i;
                ub[i * PS_WX + l] = ps_react_voxel(u[v], v, f, nf, nvox, combo, occ, occ_f, csrc,
                                                   csink, asrc, aupt, kd, rc0, rc1, dt);
            }
        } else {
            for (int l = 0; l < PS_WX; l++)
                for (int i = 0; i < n; i++) {
                    uint v = o[l] + (uint)i;
                    ub[i * PS_WX + l] = ps_react_voxel(u[v], v, f, nf, nvox, combo, occ, occ_f,
                                                       csrc, csink, asrc, aupt, kd, rc0, rc1, dt);
                }
        }
        PS_TX u_i = PS_VLOADX(0, ub), a_left = (PS_TX)(0.0f), u_left = (PS_TX)(0.0f);
        PS_TX dprev = (PS_TX)(0.0f);
        for (int i = 0; i < n; i++) {
            PS_TX u_right = i + 1 < n ? PS_VLOADX(i + 1, ub) : (PS_TX)(0.0f);
            PS_TX A = ps_fac_x(F, same, i, 0), R = ps_fac_x(F, same, i, 1);
            dprev = ps_fwd_row_x(a_left, A, R, u_left, u_i, u_right, i == 0, i == n - 1, b_lo, v_lo,
                                 b_hi, v_hi, dprev);
            db[i] = dprev;
            a_left = A;
            u_left = u_i;
            u_i = u_right;
        }
        PS_TX next = db[n - 1];
        PS_VSTOREX(PS_VLOADX(n - 1, ub) + next, n - 1, ub);
        for (int i = n - 2; i >= 0; i--) {
            next = db[i] - ps_fac_x(F, same, i, 2) * next;
            PS_VSTOREX(PS_VLOADX(i, ub) + next, i, ub);
        }
        for (int l = 0; l < nl; l++)
            for (int i = 0; i < n; i++) u[o[l] + i] = ub[i * PS_WX + l];
    }
}

/* The implicit sweep along y (axis 1) or z (axis 2) of one field for xpi groups of PS_WYZ
 * neighbouring lines per work-item (a whole row on a CPU, one group on a GPU): per group
 * one vector load or store per plane, a whole cache line at 16 lanes (a row whose width
 * is not a multiple of PS_WYZ ends in a group that gathers, its extra lanes repeating the
 * last line). Along z the factor rows are tissue planes, local
 * plane i + zoff. */
__kernel void field_sweep_yz(__global float *conc, __global const float4 *fac,
                             __global const float2 *bfac, __global const uint *prof, uint nprof,
                             int fac_n, __global const float *bc_value, int nx, int ny, int nz,
                             uint nf, int xpi, int axis, int zoff)
{
    size_t g = get_global_id(0);
    int nxq = (nx + PS_WYZ - 1) / PS_WYZ, nxc = (nxq + xpi - 1) / xpi;
    int n, stride, rows;
    if (axis == 1) { n = ny; stride = nx; rows = nz; }
    else { n = nz; stride = nx * ny; rows = ny; }
    size_t ngroups = (size_t)rows * (size_t)nxc;
    if (g >= ngroups * nf) return;
    uint f = (uint)(g / ngroups);
    size_t q = g % ngroups;
    int row = (int)(q / (size_t)nxc), xc = (int)(q % (size_t)nxc);
    size_t nvox = (size_t)nx * ny * nz;
    size_t base = axis == 1 ? (size_t)row * nx * ny : (size_t)row * nx;
    PS_TYZ db[PS_NMAX], ubz[PS_NMAX];
    float t[PS_WYZ];
    for (int xg = xc * xpi; xg < min(nxq, (xc + 1) * xpi); xg++) {
        int x0 = xg * PS_WYZ;
        int nl = min(PS_WYZ, nx - x0);
        uint pr[PS_WYZ];
        int same = 1;
        for (int l = 0; l < PS_WYZ; l++) {
            pr[l] = prof[(uint)row * (uint)nx + (uint)min(x0 + l, nx - 1)];
            same = same && pr[l] == pr[0];
        }
        __global float *u = conc + f * nvox + base + (size_t)x0;
        __global const float4 *F[PS_WYZ];
        float blo[PS_WYZ], bhi[PS_WYZ];
        for (int l = 0; l < PS_WYZ; l++) {
            F[l] = fac + ((size_t)f * nprof + pr[l]) * (size_t)fac_n + (axis == 2 ? zoff : 0);
            float2 b = bfac[(size_t)f * nprof + pr[l]];
            blo[l] = b.x;
            bhi[l] = b.y;
        }
        PS_TYZ b_lo = PS_VLOADYZ(0, blo), b_hi = PS_VLOADYZ(0, bhi);
        float v_lo = bc_value[f * 6 + 2 * axis], v_hi = bc_value[f * 6 + 2 * axis + 1];
#define PS_LDG(dst, off)                                                                    \
    do {                                                                                    \
        if (nl == PS_WYZ) dst = PS_VLOADYZ(0, u + (off));                                   \
        else {                                                                              \
            for (int l_ = 0; l_ < PS_WYZ; l_++) t[l_] = u[(off) + (size_t)min(l_, nl - 1)]; \
            dst = PS_VLOADYZ(0, t);                                                         \
        }                                                                                   \
    } while (0)
#define PS_STG(v, off)                                                                      \
    do {                                                                                    \
        if (nl == PS_WYZ) PS_VSTOREYZ((v), 0, u + (off));                                   \
        else {                                                                              \
            PS_VSTOREYZ((v), 0, t);                                                         \
            for (int l_ = 0; l_ < nl; l_++) u[(off) + (size_t)l_] = t[l_];                  \
        }                                                                                   \
    } while (0)
        PS_TYZ u_i, a_left = (PS_TYZ)(0.0f), u_left = (PS_TYZ)(0.0f), dprev = (PS_TYZ)(0.0f);
        PS_LDG(u_i, 0);
        for (int i = 0; i < n; i++) {
            size_t oi = (size_t)i * stride;
            PS_TYZ u_right = (PS_TYZ)(0.0f);
            if (i + 1 < n) PS_LDG(u_right, oi + stride);
            PS_TYZ A = ps_fac_yz(F, same, i, 0), R = ps_fac_yz(F, same, i, 1);
            dprev = ps_fwd_row_yz(a_left, A, R, u_left, u_i, u_right, i == 0, i == n - 1, b_lo,
                                  v_lo, b_hi, v_hi, dprev);
            db[i] = dprev;
            ubz[i] = u_i;
            a_left = A;
            u_left = u_i;
            u_i = u_right;
        }
        PS_TYZ next = db[n - 1], un;
        size_t ol = (size_t)(n - 1) * stride;
        un = ubz[n - 1] + next;
        PS_STG(un, ol);
        for (int i = n - 2; i >= 0; i--) {
            size_t oi = (size_t)i * stride;
            next = db[i] - ps_fac_yz(F, same, i, 2) * next;
            un = ubz[i] + next;
            PS_STG(un, oi);
        }
#undef PS_LDG
#undef PS_STG
    }
}

/* Per-work-group partial sum and max of field f (summary statistics). The host adds the
 * partials in group order, so the mean is the same on every run. */
__kernel void field_stats(__global const float *conc, uint nvox, uint f,
                          __global float *partial_sum, __global float *partial_max,
                          __local float *lsum, __local float *lmax, uint v0, uint vcount)
{
    uint lid = get_local_id(0), wg = get_local_size(0);
    size_t gid = get_global_id(0), gsz = get_global_size(0);
    __global const float *c = conc + (size_t)f * nvox + v0;    /* owned voxels [v0, v0 + vcount) */
    float s = 0.0f, mx = -INFINITY;
    for (size_t i = gid; i < vcount; i += gsz) {
        float v = c[i];
        s += v;
        mx = fmax(mx, v);
    }
    lsum[lid] = s;
    lmax[lid] = mx;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (uint off = wg / 2; off > 0; off >>= 1) {
        if (lid < off) {
            lsum[lid] += lsum[lid + off];
            lmax[lid] = fmax(lmax[lid], lmax[lid + off]);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0) {
        partial_sum[get_group_id(0)] = lsum[0];
        partial_max[get_group_id(0)] = lmax[0];
    }
}

/* Domain decomposition along z: the z sweep split at rank borders, with the arithmetic,
 * and so every bit, of the one-rank sweep (ps_fwd_row; the factors are the tissue's, row
 * = tissue plane). This rank holds local planes [i0, i1) of a line of n_global planes,
 * starting at tissue plane i0 + zoff. Forward elimination continues the previous rank's
 * d, which the host placed in scratch_d at plane i0 - 1 (a halo plane); back substitution
 * starts from the increment of plane i1 placed by the host in scratch_d at plane i1, and
 * leaves the increment of plane i0 in scratch_d at plane i0 for the rank below. */
__kernel void field_sweep_z_fwd(__global const float *conc, __global float *scratch_d,
                                __global const float4 *fac, __global const float2 *bfac,
                                __global const uint *prof, uint nprof,
                                __global const float *bc_value, int nx, int ny, int nz,
                                uint nf, int i0, int i1, int zoff, int n_global)
{
    size_t g = get_global_id(0);
    int stride = nx * ny;
    size_t nlines = (size_t)nx * ny, nvox = (size_t)nx * ny * nz;
    if (g >= nlines * nf) return;
    uint f = (uint)(g / nlines);
    size_t line = g % nlines;
    __global const float *u = conc + f * nvox + line;
    __global float *dp = scratch_d + f * nvox + line;
    uint pr = prof[line];
    __global const float4 *F = fac + ((size_t)f * nprof + pr) * (size_t)n_global;
    float2 b = bfac[(size_t)f * nprof + pr];
    float v_lo = bc_value[f * 6 + 4], v_hi = bc_value[f * 6 + 5];
    float a_left = 0.0f, u_left = 0.0f, dprev = 0.0f;
    if (i0 + zoff > 0) {                               /* continue the rank below */
        size_t o = (size_t)(i0 - 1) * stride;
        a_left = F[i0 - 1 + zoff].x;
        u_left = u[o];
        dprev = dp[o];
    }
    float u_i = u[(size_t)i0 * stride];
    for (int i = i0; i < i1; i++) {
        size_t o = (size_t)i * stride;
        int ig = i + zoff;
        float4 q = F[ig];
        float u_right = (ig + 1 < n_global) ? u[o + stride] : 0.0f;
        dprev = ps_fwd_row(a_left, q.x, q.y, u_left, u_i, u_right, ig == 0, ig == n_global - 1,
                           b.x, v_lo, b.y, v_hi, dprev);
        dp[o] = dprev;
        a_left = q.x;
        u_left = u_i;
        u_i = u_right;
    }
}

__kernel void field_sweep_z_back(__global float *conc, __global float *scratch_d,
                                 __global const float4 *fac, __global const uint *prof,
                                 uint nprof, int nx, int ny, int nz, uint nf, int i0, int i1,
                                 int zoff, int n_global)
{
    size_t g = get_global_id(0);
    int stride = nx * ny;
    size_t nlines = (size_t)nx * ny, nvox = (size_t)nx * ny * nz;
    if (g >= nlines * nf) return;
    uint f = (uint)(g / nlines);
    size_t line = g % nlines;
    __global float *u = conc + f * nvox + line;
    __global float *dp = scratch_d + f * nvox + line;
    __global const float4 *F = fac + ((size_t)f * nprof + prof[line]) * (size_t)n_global;
    int top = i1 - 1;
    float next;
    if (top + zoff == n_global - 1) {                  /* the last plane of the line */
        next = dp[(size_t)top * stride];
        u[(size_t)top * stride] += next;
    } else {                                           /* continue the rank above */
        next = dp[(size_t)i1 * stride];
        size_t o = (size_t)top * stride;
        next = dp[o] - F[top + zoff].z * next;
        u[o] += next;
    }
    for (int i = top - 1; i >= i0; i--) {
        size_t o = (size_t)i * stride;
        next = dp[o] - F[i + zoff].z * next;
        u[o] += next;
    }
    dp[(size_t)i0 * stride] = next;                    /* for the rank below */
}
