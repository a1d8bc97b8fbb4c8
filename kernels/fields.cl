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
 * The sweep kernels solve PS_WX or PS_WYZ lines per work-item (16, 8 or 4 on a CPU, one
 * per vector lane; 1 on a GPU): along x y-neighbours (each lane walking its own contiguous
 * line), along y and z x-neighbours, whose loads and stores are one vector per plane. A
 * group that runs past the grid's edge repeats its last line in the extra lanes and stores
 * nothing from them. On a CPU, where a z plane fits local memory (which PoCL keeps per
 * thread, in cache), field_sweep_xy does x and then y for one plane per work-item, so a
 * value crosses memory twice per step (x and y, then z) instead of three times; and a
 * work-item walks two groups at once, so that two chains of dependent operations overlap.
 * On a GPU, where a line per work-item would make neighbouring work-items read values nx
 * apart, field_sweep_x_tile loads and stores a group's lines through local memory, so
 * neighbouring work-items touch neighbouring values; y and z read a line per work-item,
 * neighbouring work-items taking neighbouring x, which coalesces as it is.
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

/* The result of an x group (ub, lane l of row i at ub[i * PS_WX + l]) written to its nl
 * lines, line l at dst[off[l] ...], n values each; one text for global memory (field_sweep_x)
 * and for local memory (field_sweep_xy's plane). (A transpose in registers, 16 x 16 blocks
 * in four rounds of shuffles, instead of these scalar stores and the scalar loads of the
 * reaction was slower: 67-78 against 56-59 ms for the x and y sweeps of 200^3 x 8.) */
#define PS_DEFINE_X_STORE(NAME, DAS)                                                        \
    PS_VINLINE void NAME(DAS float *dst, const uint *off, int nl, int n, const float *ub)    \
    {                                                                                       \
        for (int l = 0; l < nl; l++)                                                        \
            for (int i = 0; i < n; i++) dst[off[l] + i] = ub[i * PS_WX + l];                \
    }
PS_DEFINE_X_STORE(ps_x_store, __global)
PS_DEFINE_X_STORE(ps_x_store_local, __local)

/* The reaction of one field for the PS_WX lines of a group (lane l at offset o[l] of field
 * u): each line is read once, contiguously, reacted, and transposed into the private array
 * ub (lane l of row i at ub[i * PS_WX + l]). sp_i, sp_l: the group's nsp voxels whose
 * reaction is more than the field's decay. */
PS_VINLINE void ps_x_react(__global const float *u, const uint *o, int n, const ushort *sp_i,
                           const uchar *sp_l, int nsp, uint f, uint nf, uint nvox, float kd,
                           float rc0, float rc1, float dt, uint occ_f, int freg,
                           __global const ushort *combo, __global const uint *occ,
                           __global const float *csrc, __global const float *csink,
                           __global const float *asrc, __global const float *aupt, float *ub)
{
    /* decay alone everywhere (c rc0 + 0 rc1, ps_react_one's value for no source, sink or
       uptake), then the special voxels from scratch, unless this field has neither region
       nor agent terms (then from scratch is decay alone there too) */
    if (kd > 0.0f) {
        float zs = 0.0f * rc1;
        for (int l = 0; l < PS_WX; l++) {
            __global const float *ul = u + o[l];
            for (int i = 0; i < n; i++) ub[i * PS_WX + l] = ul[i] * rc0 + zs;
        }
        int nsp_f = occ_f || freg ? nsp : 0;
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
}

/* The implicit sweep along x of a group's reacted lines in ub, on vectors of PS_WX lanes in
 * private memory; the result is left in ub. */
PS_VINLINE void ps_x_solve(int n, __global const float4 *const *F, int same, PS_TX b_lo,
                           PS_TX b_hi, float v_lo, float v_hi, float *ub)
{
    PS_TX db[PS_NMAX];
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
}

/* Two groups' sweeps at once (ua with factors Fa, ub with Fb), each with exactly
 * ps_x_solve's arithmetic: two interleaved chains of dependent operations instead of one
 * (see ps_yz_pair). */
PS_VINLINE void ps_x_solve_pair(int n, __global const float4 *const *Fa, int same_a, PS_TX bla,
                                PS_TX bha, __global const float4 *const *Fb, int same_b,
                                PS_TX blb, PS_TX bhb, float v_lo, float v_hi, float *ua,
                                float *ub)
{
    PS_TX dba[PS_NMAX], dbb[PS_NMAX];
    PS_TX ui_a = PS_VLOADX(0, ua), al_a = (PS_TX)(0.0f), ul_a = (PS_TX)(0.0f), dp_a = (PS_TX)(0.0f);
    PS_TX ui_b = PS_VLOADX(0, ub), al_b = (PS_TX)(0.0f), ul_b = (PS_TX)(0.0f), dp_b = (PS_TX)(0.0f);
    for (int i = 0; i < n; i++) {
        PS_TX ur_a = (PS_TX)(0.0f), ur_b = (PS_TX)(0.0f);
        if (i + 1 < n) {
            ur_a = PS_VLOADX(i + 1, ua);
            ur_b = PS_VLOADX(i + 1, ub);
        }
        PS_TX Aa = ps_fac_x(Fa, same_a, i, 0), Ra = ps_fac_x(Fa, same_a, i, 1);
        PS_TX Ab = ps_fac_x(Fb, same_b, i, 0), Rb = ps_fac_x(Fb, same_b, i, 1);
        dp_a = ps_fwd_row_x(al_a, Aa, Ra, ul_a, ui_a, ur_a, i == 0, i == n - 1, bla, v_lo, bha,
                            v_hi, dp_a);
        dp_b = ps_fwd_row_x(al_b, Ab, Rb, ul_b, ui_b, ur_b, i == 0, i == n - 1, blb, v_lo, bhb,
                            v_hi, dp_b);
        dba[i] = dp_a;
        dbb[i] = dp_b;
        al_a = Aa;
        ul_a = ui_a;
        ui_a = ur_a;
        al_b = Ab;
        ul_b = ui_b;
        ui_b = ur_b;
    }
    PS_TX na = dba[n - 1], nb = dbb[n - 1];
    PS_VSTOREX(PS_VLOADX(n - 1, ua) + na, n - 1, ua);
    PS_VSTOREX(PS_VLOADX(n - 1, ub) + nb, n - 1, ub);
    for (int i = n - 2; i >= 0; i--) {
        na = dba[i] - ps_fac_x(Fa, same_a, i, 2) * na;
        nb = dbb[i] - ps_fac_x(Fb, same_b, i, 2) * nb;
        PS_VSTOREX(PS_VLOADX(i, ua) + na, i, ua);
        PS_VSTOREX(PS_VLOADX(i, ub) + nb, i, ub);
    }
}

/* A group's lanes (the lines y0 .. y0 + PS_WX - 1 of plane z; extra lanes repeat the last
 * line): their offsets, x profiles, and whether they share one profile. */
PS_VINLINE int ps_x_lanes(int z, int y0, int nx, int ny, __global const uint *prof, uint *o,
                          uint *pr)
{
    int same = 1;
    for (int l = 0; l < PS_WX; l++) {
        uint line = (uint)z * (uint)ny + (uint)min(y0 + l, ny - 1);
        o[l] = line * (uint)nx;
        pr[l] = prof[line];
        same = same && pr[l] == pr[0];
    }
    return same;
}

/* The factor vectors and boundary factors of a group's lanes for field f along x. */
PS_VINLINE void ps_x_factors(uint f, const uint *pr, uint nprof, int n,
                             __global const float4 *fac, __global const float2 *bfac,
                             __global const float4 **F, PS_TX *b_lo, PS_TX *b_hi)
{
    float blo[PS_WX], bhi[PS_WX];
    for (int l = 0; l < PS_WX; l++) {
        F[l] = fac + ((size_t)f * nprof + pr[l]) * (size_t)n;
        float2 q = bfac[(size_t)f * nprof + pr[l]];
        blo[l] = q.x;
        bhi[l] = q.y;
    }
    *b_lo = PS_VLOADX(0, blo);
    *b_hi = PS_VLOADX(0, bhi);
}

/* A voxel's reaction is more than its field's decay: agents there, or a region combination
 * with a source or sink (cspecial); the same for every field. */
#define PS_SPECIAL(v) (cspecial[combo[v]] || (use_occ && occ[v] != 0u))

/* The reaction and the implicit sweep along x, every field, for PS_WX lines y0.. of one z
 * plane per work-item, each line written back once, contiguously. occ: the cell list's
 * counts per voxel (use_occ 0: no agent terms); fagent: per field, 1 where agents can
 * secrete or take it up (all_fields 1: every field). */
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
    int same = ps_x_lanes(z, y0, nx, ny, prof, o, pr);
    ushort sp_i[PS_WX * PS_NMAX];
    uchar sp_l[PS_WX * PS_NMAX];
    int nsp = 0;
    for (int l = 0; l < nl; l++)
        for (int i = 0; i < n; i++) {
            uint v = o[l] + (uint)i;
            if (PS_SPECIAL(v)) {
                sp_i[nsp] = (ushort)i;
                sp_l[nsp++] = (uchar)l;
            }
        }
    float ub[PS_WX * PS_NMAX];
    for (uint f = 0; f < nf; f++) {
        __global float *u = conc + (size_t)f * nvox;
        __global const float4 *F[PS_WX];
        PS_TX b_lo, b_hi;
        ps_x_factors(f, pr, nprof, n, fac, bfac, F, &b_lo, &b_hi);
        /* agent terms only for the fields agents can secrete or take up (all_fields: every
           field may have them): for the others the buffers hold zeros, and s + 0, u = 0
           are the values without them */
        uint occ_f = use_occ && (all_fields || fagent[f]);
        ps_x_react(u, o, n, sp_i, sp_l, nsp, f, nf, nvox, decay[f], rc[2 * f], rc[2 * f + 1], dt,
                   occ_f, fregion[f], combo, occ, csrc, csink, asrc, aupt, ub);
        ps_x_solve(n, F, same, b_lo, b_hi, bc_value[f * 6], bc_value[f * 6 + 1], ub);
        ps_x_store(u, o, nl, n, ub);
    }
}

/* The reaction and the implicit sweep along x, every field, for GPUs: a work-group of T
 * work-items takes T neighbouring lines of one z plane (T = the group size), which lie
 * one after the other in memory. The group loads them into local memory together, so that
 * neighbouring work-items read neighbouring values (coalesced), reacting each value as it
 * comes; each work-item then solves its own line in local memory (rows ts floats apart, ts
 * odd, so that the lanes' rows fall in different banks) and the group writes the lines back
 * together. The arithmetic of field_sweep_x with one lane, and so the same bits. tile: T *
 * ts floats. */
__kernel void field_sweep_x_tile(__global float *conc, __global const float *asrc,
                                 __global const float *aupt, __global const uint *occ,
                                 uint use_occ, __global const uchar *fagent, uint all_fields,
                                 __global const ushort *combo, __global const uchar *cspecial,
                                 __global const uchar *fregion, __global const float *csrc,
                                 __global const float *csink, __global const float *decay,
                                 __global const float *rc, __global const float4 *fac,
                                 __global const float2 *bfac, __global const uint *prof,
                                 uint nprof, __global const float *bc_value, int nx, int ny,
                                 int nz, uint nf, float dt, __local float *tile, int ts)
{
    int T = (int)get_local_size(0), lid = (int)get_local_id(0);
    int nyt = (ny + T - 1) / T;
    size_t grp = get_group_id(0);
    if (grp >= (size_t)nz * (size_t)nyt) return;       /* the whole group: no barrier skipped */
    int z = (int)(grp / (size_t)nyt), y0 = (int)(grp % (size_t)nyt) * T;
    int nl = min(T, ny - y0), n = nx;
    uint nvox = (uint)nx * (uint)ny * (uint)nz;
    uint base = ((uint)z * (uint)ny + (uint)y0) * (uint)nx;
    int have = lid < nl;
    uint pr = prof[(uint)z * (uint)ny + (uint)min(y0 + lid, ny - 1)];
    __local float *row = tile + lid * ts;
    float db[PS_NMAX];
    for (uint f = 0; f < nf; f++) {
        __global float *u = conc + (size_t)f * nvox;
        float kd = decay[f], rc0 = rc[2 * f], rc1 = rc[2 * f + 1], zs = 0.0f * rc1;
        uint occ_f = use_occ && (all_fields || fagent[f]);     /* as in field_sweep_x */
        int scratch_sp = occ_f || fregion[f];
        for (int k = lid; k < nl * n; k += T) {
            int l = k / n, i = k - l * n;
            uint v = base + (uint)k;
            float c = u[v];
            tile[l * ts + i] = kd > 0.0f && !(scratch_sp && PS_SPECIAL(v))
                                   ? c * rc0 + zs
                                   : ps_react_voxel(c, v, f, nf, nvox, combo, occ, occ_f, csrc,
                                                    csink, asrc, aupt, kd, rc0, rc1, dt);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        if (have) {
            __global const float4 *F = fac + ((size_t)f * nprof + pr) * (size_t)n;
            float2 b = bfac[(size_t)f * nprof + pr];
            float v_lo = bc_value[f * 6], v_hi = bc_value[f * 6 + 1];
            float u_i = row[0], a_left = 0.0f, u_left = 0.0f, dprev = 0.0f;
            for (int i = 0; i < n; i++) {
                float u_right = i + 1 < n ? row[i + 1] : 0.0f;
                float4 q = F[i];
                dprev = ps_fwd_row(a_left, q.x, q.y, u_left, u_i, u_right, i == 0, i == n - 1,
                                   b.x, v_lo, b.y, v_hi, dprev);
                db[i] = dprev;
                a_left = q.x;
                u_left = u_i;
                u_i = u_right;
            }
            float next = db[n - 1];
            row[n - 1] = row[n - 1] + next;
            for (int i = n - 2; i >= 0; i--) {
                next = db[i] - F[i].z * next;
                row[i] = row[i] + next;
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int k = lid; k < nl * n; k += T) {
            int l = k / n, i = k - l * n;
            u[base + (uint)k] = tile[l * ts + i];
        }
        barrier(CLK_LOCAL_MEM_FENCE);                     /* before the next field's loads */
    }
}

/* The implicit sweep of one group of PS_WYZ neighbouring lines along y or z: row i of lane
 * l read at src[i * stride + l] and its result written at dst[i * dstride + l] (src may be
 * dst), one vector load or store per row when the group is whole (nl == PS_WYZ); a group
 * at a row's end gathers, its extra lanes repeating the last line. One text for sources in
 * global memory (field_sweep_yz) and in local memory (field_sweep_xy's plane). */
#define PS_DEFINE_YZ_GROUP(NAME, SAS)                                                       \
    PS_VINLINE void NAME(SAS const float *src, __global float *dst, size_t stride,            \
                         size_t dstride, int n, int nl, __global const float4 *const *F,      \
                         int same, PS_TYZ b_lo,                                               \
                         float v_lo, PS_TYZ b_hi, float v_hi)                                 \
    {                                                                                       \
        PS_TYZ db[PS_NMAX], ubz[PS_NMAX];                                                   \
        float t[PS_WYZ];                                                                    \
        PS_TYZ u_i, a_left = (PS_TYZ)(0.0f), u_left = (PS_TYZ)(0.0f), dprev = (PS_TYZ)(0.0f); \
        PS_YZ_LD(u_i, 0);                                                                   \
        for (int i = 0; i < n; i++) {                                                       \
            size_t oi = (size_t)i * stride;                                                 \
            PS_TYZ u_right = (PS_TYZ)(0.0f);                                                \
            if (i + 1 < n) PS_YZ_LD(u_right, oi + stride);                                  \
            PS_TYZ A = ps_fac_yz(F, same, i, 0), R = ps_fac_yz(F, same, i, 1);              \
            dprev = ps_fwd_row_yz(a_left, A, R, u_left, u_i, u_right, i == 0, i == n - 1,     \
                                  b_lo, v_lo, b_hi, v_hi, dprev);                           \
            db[i] = dprev;                                                                  \
            ubz[i] = u_i;                                                                   \
            a_left = A;                                                                     \
            u_left = u_i;                                                                   \
            u_i = u_right;                                                                  \
        }                                                                                   \
        PS_TYZ next = db[n - 1], un;                                                        \
        un = ubz[n - 1] + next;                                                             \
        PS_YZ_ST(un, (size_t)(n - 1) * dstride);                                             \
        for (int i = n - 2; i >= 0; i--) {                                                  \
            next = db[i] - ps_fac_yz(F, same, i, 2) * next;                                 \
            un = ubz[i] + next;                                                             \
            PS_YZ_ST(un, (size_t)i * dstride);                                               \
        }                                                                                   \
    }
#define PS_YZ_LD(dst_, off)                                                                 \
    do {                                                                                    \
        if (nl == PS_WYZ) dst_ = PS_VLOADYZ(0, src + (off));                                \
        else {                                                                              \
            for (int l_ = 0; l_ < PS_WYZ; l_++) t[l_] = src[(off) + (size_t)min(l_, nl - 1)]; \
            dst_ = PS_VLOADYZ(0, t);                                                        \
        }                                                                                   \
    } while (0)
#define PS_YZ_ST(v, off)                                                                    \
    do {                                                                                    \
        if (nl == PS_WYZ) PS_VSTOREYZ((v), 0, dst + (off));                                 \
        else {                                                                              \
            PS_VSTOREYZ((v), 0, t);                                                         \
            for (int l_ = 0; l_ < nl; l_++) dst[(off) + (size_t)l_] = t[l_];                \
        }                                                                                   \
    } while (0)
PS_DEFINE_YZ_GROUP(ps_yz_group, __global)
PS_DEFINE_YZ_GROUP(ps_yz_group_local, __local)
#undef PS_YZ_LD
#undef PS_YZ_ST

/* Two whole neighbouring groups (lanes 0 .. 2 PS_WYZ - 1 of src and dst) at once, each with
 * exactly the one-group arithmetic: a group's forward elimination is a chain of dependent
 * operations (a multiply, an add and a multiply per row), so a work-item that walks one
 * group waits on it; two interleaved chains keep the vector units busy and read two
 * neighbouring cache lines per row (z sweep on 2 cores: 29-34 -> 24 ms per step). */
#define PS_DEFINE_YZ_PAIR(NAME, SAS)                                                        \
    PS_VINLINE void NAME(SAS const float *src, __global float *dst, size_t stride,            \
                         size_t dstride, int n, __global const float4 *const *Fa, int same_a, \
                         PS_TYZ bla, PS_TYZ bha,                                              \
                         __global const float4 *const *Fb, int same_b, PS_TYZ blb, PS_TYZ bhb, \
                         float v_lo, float v_hi)                                              \
    {                                                                                       \
        PS_TYZ dba[PS_NMAX], dbb[PS_NMAX], uba[PS_NMAX], ubb[PS_NMAX];                      \
        PS_TYZ ui_a = PS_VLOADYZ(0, src), ui_b = PS_VLOADYZ(1, src);                        \
        PS_TYZ al_a = (PS_TYZ)(0.0f), ul_a = (PS_TYZ)(0.0f), dp_a = (PS_TYZ)(0.0f);         \
        PS_TYZ al_b = (PS_TYZ)(0.0f), ul_b = (PS_TYZ)(0.0f), dp_b = (PS_TYZ)(0.0f);         \
        for (int i = 0; i < n; i++) {                                                       \
            size_t oi = (size_t)i * stride;                                                 \
            PS_TYZ ur_a = (PS_TYZ)(0.0f), ur_b = (PS_TYZ)(0.0f);                            \
            if (i + 1 < n) {                                                                \
                ur_a = PS_VLOADYZ(0, src + oi + stride);                                    \
                ur_b = PS_VLOADYZ(1, src + oi + stride);                                    \
            }                                                                               \
            PS_TYZ Aa = ps_fac_yz(Fa, same_a, i, 0), Ra = ps_fac_yz(Fa, same_a, i, 1);      \
            PS_TYZ Ab = ps_fac_yz(Fb, same_b, i, 0), Rb = ps_fac_yz(Fb, same_b, i, 1);      \
            dp_a = ps_fwd_row_yz(al_a, Aa, Ra, ul_a, ui_a, ur_a, i == 0, i == n - 1, bla, v_lo, \
                                 bha, v_hi, dp_a);                                          \
            dp_b = ps_fwd_row_yz(al_b, Ab, Rb, ul_b, ui_b, ur_b, i == 0, i == n - 1, blb, v_lo, \
                                 bhb, v_hi, dp_b);                                          \
            dba[i] = dp_a;                                                                  \
            dbb[i] = dp_b;                                                                  \
            uba[i] = ui_a;                                                                  \
            ubb[i] = ui_b;                                                                  \
            al_a = Aa;                                                                      \
            ul_a = ui_a;                                                                    \
            ui_a = ur_a;                                                                    \
            al_b = Ab;                                                                      \
            ul_b = ui_b;                                                                    \
            ui_b = ur_b;                                                                    \
        }                                                                                   \
        PS_TYZ na = dba[n - 1], nb = dbb[n - 1];                                            \
        size_t ol = (size_t)(n - 1) * dstride;                                              \
        PS_VSTOREYZ(uba[n - 1] + na, 0, dst + ol);                                          \
        PS_VSTOREYZ(ubb[n - 1] + nb, 1, dst + ol);                                          \
        for (int i = n - 2; i >= 0; i--) {                                                  \
            size_t oi = (size_t)i * dstride;                                                \
            na = dba[i] - ps_fac_yz(Fa, same_a, i, 2) * na;                                 \
            nb = dbb[i] - ps_fac_yz(Fb, same_b, i, 2) * nb;                                 \
            PS_VSTOREYZ(uba[i] + na, 0, dst + oi);                                          \
            PS_VSTOREYZ(ubb[i] + nb, 1, dst + oi);                                          \
        }                                                                                   \
    }
PS_DEFINE_YZ_PAIR(ps_yz_pair, __global)
PS_DEFINE_YZ_PAIR(ps_yz_pair_local, __local)

/* The factor vectors and boundary factors of a y or z group's lanes (x0 .. x0 + PS_WYZ - 1
 * of row `row`, extra lanes repeating the last), field f; returns whether they share one
 * profile. Along z the factor rows are tissue planes: local plane i + zoff. */
PS_VINLINE int ps_yz_factors(uint f, int row, int x0, int nx, __global const uint *prof,
                             uint nprof, int fac_n, int zoff, __global const float4 *fac,
                             __global const float2 *bfac, __global const float4 **F,
                             PS_TYZ *b_lo, PS_TYZ *b_hi)
{
    uint pr[PS_WYZ];
    int same = 1;
    for (int l = 0; l < PS_WYZ; l++) {
        pr[l] = prof[(uint)row * (uint)nx + (uint)min(x0 + l, nx - 1)];
        same = same && pr[l] == pr[0];
    }
    float blo[PS_WYZ], bhi[PS_WYZ];
    for (int l = 0; l < PS_WYZ; l++) {
        F[l] = fac + ((size_t)f * nprof + pr[l]) * (size_t)fac_n + zoff;
        float2 b = bfac[(size_t)f * nprof + pr[l]];
        blo[l] = b.x;
        bhi[l] = b.y;
    }
    *b_lo = PS_VLOADYZ(0, blo);
    *b_hi = PS_VLOADYZ(0, bhi);
    return same;
}

/* The groups xg0 .. xg_end - 1 of one y or z row (row `row` of the factor profiles, zoff
 * the factor tables' plane offset), two whole groups at a time and the rest alone: lane l of
 * group xg, row i, read at src[i * stride + xg * PS_WYZ + l] and written at
 * dst[i * dstride + ...]. One text for sources in global memory (field_sweep_yz) and in
 * local memory (field_sweep_xy's plane, field_sweep_z_slab's slab). */
#define PS_DEFINE_YZ_ROW(NAME, SAS, GROUP, PAIR)                                            \
    PS_VINLINE void NAME(SAS const float *src, __global float *dst, size_t stride,            \
                         size_t dstride, int n, int xg0, int xg_end, uint f, int row, int nx,  \
                         __global const uint *prof, uint nprof, int fac_n, int zoff,          \
                         __global const float4 *fac, __global const float2 *bfac, float v_lo, \
                         float v_hi)                                                          \
    {                                                                                       \
        for (int xg = xg0; xg < xg_end;) {                                                  \
            int x0 = xg * PS_WYZ;                                                           \
            __global const float4 *F[PS_WYZ];                                               \
            PS_TYZ b_lo, b_hi;                                                              \
            int same = ps_yz_factors(f, row, x0, nx, prof, nprof, fac_n, zoff, fac, bfac, F,  \
                                     &b_lo, &b_hi);                                         \
            if (xg + 1 < xg_end && x0 + 2 * PS_WYZ <= nx) {          /* two whole groups */ \
                __global const float4 *G[PS_WYZ];                                           \
                PS_TYZ c_lo, c_hi;                                                          \
                int same_b = ps_yz_factors(f, row, x0 + PS_WYZ, nx, prof, nprof, fac_n, zoff, \
                                           fac, bfac, G, &c_lo, &c_hi);                     \
                PAIR(src + x0, dst + x0, stride, dstride, n, F, same, b_lo, b_hi, G, same_b,  \
                     c_lo, c_hi, v_lo, v_hi);                                               \
                xg += 2;                                                                    \
            } else {                                                                        \
                GROUP(src + x0, dst + x0, stride, dstride, n, min(PS_WYZ, nx - x0), F, same,  \
                      b_lo, v_lo, b_hi, v_hi);                                              \
                xg += 1;                                                                    \
            }                                                                               \
        }                                                                                   \
    }
PS_DEFINE_YZ_ROW(ps_yz_row, __global, ps_yz_group, ps_yz_pair)
PS_DEFINE_YZ_ROW(ps_yz_row_local, __local, ps_yz_group_local, ps_yz_pair_local)

/* The implicit sweep along y (axis 1) or z (axis 2) of one field for xpi groups of PS_WYZ
 * neighbouring lines per work-item (a whole row on a CPU, one group on a GPU): per group
 * one vector load or store per plane, a whole cache line at 16 lanes. */
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
    float v_lo = bc_value[f * 6 + 2 * axis], v_hi = bc_value[f * 6 + 2 * axis + 1];
    __global float *u = conc + f * nvox + base;
    ps_yz_row(u, u, (size_t)stride, (size_t)stride, n, xc * xpi, min(nxq, (xc + 1) * xpi), f, row,
              nx, prof, nprof, fac_n, axis == 2 ? zoff : 0, fac, bfac, v_lo, v_hi);
}

/* The implicit sweep along z for CPUs: a work-item takes one y row of one field (every x,
 * every plane), copies its nz rows of nx values into local memory (nx * nz floats, so in
 * cache) with contiguous loads, and solves its groups from there, two at a time, writing
 * the results to the field. Reading each plane's whole row at once instead of a group's
 * 64 bytes per plane lets the hardware prefetch it (z sweep of 200^3 x 8 on 2 cores:
 * 25-29 -> 22.9-24.5 ms). The arithmetic of field_sweep_yz along z, so the same bits.
 * slab: nx * nz floats. */
__kernel void field_sweep_z_slab(__global float *conc, __global const float4 *fac,
                                 __global const float2 *bfac, __global const uint *prof,
                                 uint nprof, int fac_n, __global const float *bc_value, int nx,
                                 int ny, int nz, uint nf, int zoff, __local float *slab)
{
    size_t g = get_global_id(0);
    if (g >= (size_t)ny * nf) return;
    uint f = (uint)(g / (size_t)ny);
    int row = (int)(g % (size_t)ny), n = nz, nxq = (nx + PS_WYZ - 1) / PS_WYZ;
    size_t stride = (size_t)nx * ny, nvox = stride * nz;
    __global float *ur = conc + f * nvox + (size_t)row * nx;
    for (int i = 0; i < n; i++) {
        __global const float *s_ = ur + (size_t)i * stride;
        __local float *d_ = slab + (size_t)i * nx;
        for (int x = 0; x < nx; x++) d_[x] = s_[x];
    }
    ps_yz_row_local(slab, ur, (size_t)nx, stride, n, 0, nxq, f, row, nx, prof, nprof, fac_n, zoff,
                    fac, bfac, bc_value[f * 6 + 4], bc_value[f * 6 + 5]);
}

/* The reaction and the sweeps along x and y of every field for one z plane per work-item
 * (CPUs): per field, the x sweep of each group of PS_WX rows leaves its result in the
 * plane's copy in local memory (nx * ny floats, in cache), and the y sweep reads it from
 * there and writes the plane back once, so each value crosses memory once per step for
 * both sweeps instead of twice. The arithmetic, and so the bits, of field_sweep_x followed
 * by field_sweep_yz along y. plane: nx * ny floats; spl: the plane's special voxels
 * (lane << 16 | x, by group and lane: nx * ny entries at most), spo: each group's first
 * entry (nyq + 1). */
__kernel void field_sweep_xy(__global float *conc, __global const float *asrc,
                             __global const float *aupt, __global const uint *occ, uint use_occ,
                             __global const uchar *fagent, uint all_fields,
                             __global const ushort *combo, __global const uchar *cspecial,
                             __global const uchar *fregion, __global const float *csrc,
                             __global const float *csink, __global const float *decay,
                             __global const float *rc, __global const float4 *fac,
                             __global const float2 *bfac, __global const uint *prof, uint nprof,
                             __global const float4 *facy, __global const float2 *bfacy,
                             __global const uint *profy, uint nprofy,
                             __global const float *bc_value, int nx, int ny, int nz, uint nf,
                             float dt, __local float *plane, __local uint *spl,
                             __local uint *spo)
{
    size_t g = get_global_id(0);
    if (g >= (size_t)nz) return;
    int z = (int)g, n = nx;
    int nyq = (ny + PS_WX - 1) / PS_WX, nxq = (nx + PS_WYZ - 1) / PS_WYZ;
    uint nvox = (uint)nx * (uint)ny * (uint)nz;
    uint o[PS_WX], pr[PS_WX];
    /* the special voxels of the whole plane, once for every field */
    uint ns = 0;
    for (int q = 0; q < nyq; q++) {
        int y0 = q * PS_WX, nl = min(PS_WX, ny - y0);
        ps_x_lanes(z, y0, nx, ny, prof, o, pr);
        spo[q] = ns;
        for (int l = 0; l < nl; l++)
            for (int i = 0; i < n; i++) {
                uint v = o[l] + (uint)i;
                if (PS_SPECIAL(v)) spl[ns++] = (uint)l << 16 | (uint)i;
            }
    }
    spo[nyq] = ns;
    float ub[2 * PS_WX * PS_NMAX];                         /* two groups' lines */
    ushort sp_i[PS_WX * PS_NMAX];
    uchar sp_l[PS_WX * PS_NMAX];
    for (uint f = 0; f < nf; f++) {
        __global float *u = conc + (size_t)f * nvox;
        uint occ_f = use_occ && (all_fields || fagent[f]);   /* as in field_sweep_x */
        float kd = decay[f], rc0 = rc[2 * f], rc1 = rc[2 * f + 1];
        float x_lo = bc_value[f * 6], x_hi = bc_value[f * 6 + 1];
        /* the groups two at a time (ps_x_solve_pair), the last alone when their number is odd */
        for (int q = 0; q < nyq;) {
            int m = q + 1 < nyq ? 2 : 1;
            int same[2];
            __global const float4 *F[2][PS_WX];
            PS_TX b_lo[2], b_hi[2];
            for (int h = 0; h < m; h++) {
                int y0 = (q + h) * PS_WX;
                same[h] = ps_x_lanes(z, y0, nx, ny, prof, o, pr);
                int nsp = (int)(spo[q + h + 1] - spo[q + h]);
                for (int k = 0; k < nsp; k++) {
                    uint e = spl[spo[q + h] + (uint)k];
                    sp_i[k] = (ushort)(e & 0xffffu);
                    sp_l[k] = (uchar)(e >> 16);
                }
                ps_x_factors(f, pr, nprof, n, fac, bfac, F[h], &b_lo[h], &b_hi[h]);
                ps_x_react(u, o, n, sp_i, sp_l, nsp, f, nf, nvox, kd, rc0, rc1, dt, occ_f,
                           fregion[f], combo, occ, csrc, csink, asrc, aupt, ub + h * PS_WX * PS_NMAX);
            }
            if (m == 2)
                ps_x_solve_pair(n, F[0], same[0], b_lo[0], b_hi[0], F[1], same[1], b_lo[1],
                                b_hi[1], x_lo, x_hi, ub, ub + PS_WX * PS_NMAX);
            else
                ps_x_solve(n, F[0], same[0], b_lo[0], b_hi[0], x_lo, x_hi, ub);
            for (int h = 0; h < m; h++) {
                int y0 = (q + h) * PS_WX, nl = min(PS_WX, ny - y0);
                uint po[PS_WX];
                for (int l = 0; l < PS_WX; l++) po[l] = (uint)(y0 + l) * (uint)nx;
                ps_x_store_local(plane, po, nl, n, ub + h * PS_WX * PS_NMAX);
            }
            q += m;
        }
        ps_yz_row_local(plane, u + (size_t)z * nx * ny, (size_t)nx, (size_t)nx, ny, 0, nxq, f, z, nx,
                        profy, nprofy, ny, 0, facy, bfacy, bc_value[f * 6 + 2], bc_value[f * 6 + 3]);
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
