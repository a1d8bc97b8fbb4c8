/* fields.cl — diffusing mediators on a tissue's uniform grid.
 *
 * One step of length dt (min) is split (Lie splitting):
 *   1. reaction, solved exactly per voxel: dC/dt = S - k C, with S = region sources +
 *      agent secretion (nM/min) and k = decay + region sinks + agent uptake (1/min);
 *   2. diffusion, locally one-dimensional backward Euler: one tridiagonal solve per grid
 *      line along x, then y, then z (Thomas algorithm; field_sweep4x / field_sweep4 solve
 *      four lines of one field per work-item).
 * Backward Euler is unconditionally stable, so dt can be minutes while a voxel
 * equilibrates in under a second. The flux form with face coefficients
 * D_face = D * harmonic_mean(m_left, m_right) conserves mass to round-off with no-flux
 * faces and lets D vary per region (m = region diffusion multiplier).
 *
 * Layout: conc[f * nvox + (z * ny + y) * nx + x], x fastest.
 */
#include "common.cl"

/* Per-field reaction constants for voxels where k is the field's decay alone (no region
 * sink, no agent uptake) -- most voxels: e = exp(-k dt) and (1 - e)/k, computed once with
 * exactly the expressions field_react uses per voxel, so both paths give the same bits. */
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

__kernel void field_react(__global float *conc,
                          __global const float *src_region,   /* [nf][nvox] nM/min */
                          __global const float *sink_region,  /* [nf][nvox] 1/min */
                          __global const float *src_agents,   /* [nf][nvox] nM/min */
                          __global const float *upt_agents,   /* [nf][nvox] 1/min */
                          __global const float *decay,        /* [nf] 1/min */
                          __global const float *rc,           /* [nf][2] field_react_consts */
                          uint nvox, uint nf, float dt)
{
    /* one work-item per four voxels, looping over the fields: float4 loads and stores
       (no index division per value); where all four voxels decay only -- most of the
       tissue -- the update is one vector expression with the field's constants, else
       each value goes through ps_react_one. Same bits either way. */
    size_t v0 = get_global_id(0) * 4;
    if (v0 >= nvox) return;
    int full = v0 + 4 <= nvox;
    for (uint f = 0; f < nf; f++) {
        size_t g = (size_t)f * nvox + v0;
        float kd = decay[f], rc0 = rc[2 * f], rc1 = rc[2 * f + 1];
        if (full) {
            float4 sink = vload4(0, sink_region + g), upt = vload4(0, upt_agents + g);
            float4 s = vload4(0, src_region + g) + vload4(0, src_agents + g);
            float4 c = vload4(0, conc + g);
            if (kd > 0.0f && all(sink == 0.0f) && all(upt == 0.0f)) {
                c = c * rc0 + s * rc1;
            } else {
                c = (float4)(ps_react_one(c.s0, s.s0, kd, sink.s0, upt.s0, rc0, rc1, dt),
                             ps_react_one(c.s1, s.s1, kd, sink.s1, upt.s1, rc0, rc1, dt),
                             ps_react_one(c.s2, s.s2, kd, sink.s2, upt.s2, rc0, rc1, dt),
                             ps_react_one(c.s3, s.s3, kd, sink.s3, upt.s3, rc0, rc1, dt));
            }
            vstore4(c, 0, conc + g);
        } else {
            for (size_t i = g; i < (size_t)f * nvox + nvox; i++)
                conc[i] = ps_react_one(conc[i], src_region[i] + src_agents[i], kd, sink_region[i],
                                       upt_agents[i], rc0, rc1, dt);
        }
    }
}

inline float ps_harmonic(float a, float b)
{
    float s = a + b;
    return s > 0.0f ? 2.0f * a * b / s : 0.0f;
}

/* One row of the forward elimination: (cprev, dprev) of the row below in, this row's out.
 * lower = -a_left, upper = -a_right; a fixed-value face adds b to the diagonal. One text
 * defines it for one line (float: ps_sweep_line, field_sweep_z_fwd) and four lines at once
 * (float4: field_sweep4, field_sweep4x): the same operations in the same order, so every
 * lane has the bits of the scalar solve and a decomposed z sweep those of one rank. */
#define PS_DEFINE_THOMAS_ROW(NAME, T)                                                       \
    inline void NAME(T a_left, T a_right, T u_left, T u_i, T u_right, int first, int last,  \
                     T b_lo, float v_lo, T b_hi, float v_hi, T *cprev, T *dprev)            \
    {                                                                                       \
        T diag = 1.0f + a_left + a_right;                                                   \
        T rhs = a_left * (u_left - u_i) + a_right * (u_right - u_i);                        \
        if (first) { diag += b_lo; rhs += b_lo * (v_lo - u_i); }                            \
        if (last) { diag += b_hi; rhs += b_hi * (v_hi - u_i); }                             \
        T denom = diag + a_left * *cprev;                                                   \
        T c_i = -a_right / denom;                                                           \
        T d_i = (rhs + a_left * *dprev) / denom;                                            \
        *cprev = c_i;                                                                       \
        *dprev = d_i;                                                                       \
    }
PS_DEFINE_THOMAS_ROW(ps_thomas_row, float)
PS_DEFINE_THOMAS_ROW(ps_thomas_row4, float4)

/* Backward-Euler diffusion along one axis, one grid line of n voxels at the given stride:
 * forward elimination, then back substitution of the increment. The four-line kernels
 * below have its bits and use it for the lines of a row that do not fill a group of four.
 * alpha[f] = dt * D_f / dx² (dimensionless); bc_kind/bc_value [nf][6] in face order
 * x_min, x_max, y_min, y_max, z_min, z_max.
 * Solved in increment form: (I - A) d = A u + b, u <- u + d. A uniform field then has a
 * zero right-hand side and stays exactly uniform, and float rounding acts on the small
 * increment rather than on u itself (a plain Thomas solve for u drifts by ~1e-6 of u per
 * sweep at large alpha). cp and dp hold the modified upper diagonal and right-hand side. */
inline void ps_sweep_line(__global float *u, __global float *cp, __global float *dp,
                          __global const float *m, int n, int stride, float a, float b_lo,
                          float v_lo, float b_hi, float v_hi)
{
    /* forward elimination */
    float a_left = 0.0f;                               /* coefficient of the face below i */
    float u_left = 0.0f, u_i = u[0];
    float cprev = 0.0f, dprev = 0.0f;
    for (int i = 0; i < n; i++) {
        size_t o = (size_t)i * stride;
        float u_right = (i + 1 < n) ? u[o + stride] : 0.0f;
        float a_right = (i + 1 < n) ? a * ps_harmonic(m[o], m[o + stride]) : 0.0f;
        ps_thomas_row(a_left, a_right, u_left, u_i, u_right, i == 0, i == n - 1, b_lo, v_lo,
                      b_hi, v_hi, &cprev, &dprev);
        cp[o] = cprev;
        dp[o] = dprev;
        a_left = a_right;
        u_left = u_i;
        u_i = u_right;
    }
    /* back substitution of the increment */
    float next = dp[(size_t)(n - 1) * stride];
    u[(size_t)(n - 1) * stride] += next;
    for (int i = n - 2; i >= 0; i--) {
        size_t o = (size_t)i * stride;
        next = dp[o] - cp[o] * next;
        u[o] += next;
    }
}

/* ps_harmonic on four lines at once, lane by lane the scalar's operations. */
inline float4 ps_harmonic4(float4 a, float4 b)
{
    float4 s = a + b;
    return select((float4)(0.0f), 2.0f * a * b / s, s > 0.0f);
}

/* The implicit sweep along y (axis 1) or z (axis 2) for four neighbouring lines per work-item:
 * lines x0 .. x0+3 of one row are adjacent in memory, so every plane is one float4 load
 * or store per array -- contiguous for a CPU's vector unit and for a GPU's memory
 * transactions, where one work-item per line walks memory at the line's stride. A row
 * whose width nx is not a multiple of 4 ends in a group solved line by line. Each lane
 * does the scalar solve's operations in the same order: the bits are ps_sweep_line's. */
__kernel void field_sweep4(__global float *conc, __global float *scratch_c,
                           __global float *scratch_d, __global const float *dmul,
                           __global const float *alpha, __global const int *bc_kind,
                           __global const float *bc_value, int nx, int ny, int nz, uint nf,
                           int axis)
{
    size_t g = get_global_id(0);
    int nxq = (nx + 3) / 4;
    int n, stride;
    size_t rows;
    if (axis == 1) { n = ny; stride = nx; rows = (size_t)nz; }
    else { n = nz; stride = nx * ny; rows = (size_t)ny; }
    size_t ngroups = rows * (size_t)nxq;
    if (g >= ngroups * nf) return;
    uint f = (uint)(g / ngroups);
    size_t q = g % ngroups, row = q / (size_t)nxq;
    int x0 = (int)(q % (size_t)nxq) * 4;
    size_t nvox = (size_t)nx * ny * nz;
    size_t base = axis == 1 ? row * (size_t)nx * ny + (size_t)x0 : row * (size_t)nx + (size_t)x0;
    __global float *u = conc + f * nvox + base;
    __global float *cp = scratch_c + f * nvox + base;
    __global float *dp = scratch_d + f * nvox + base;
    __global const float *m = dmul + base;
    float a = alpha[f];
    int lo = 2 * axis, hi = 2 * axis + 1;
    int fix_lo = bc_kind[f * 6 + lo] == BC_FIXED, fix_hi = bc_kind[f * 6 + hi] == BC_FIXED;
    float v_lo = bc_value[f * 6 + lo], v_hi = bc_value[f * 6 + hi];
    size_t last_o = (size_t)(n - 1) * stride;
    if (x0 + 4 > nx) {                                 /* the row's last, partial group */
        for (int l = 0; l < nx - x0; l++)
            ps_sweep_line(u + l, cp + l, dp + l, m + l, n, stride, a,
                          fix_lo ? 2.0f * a * m[l] : 0.0f, v_lo,
                          fix_hi ? 2.0f * a * m[last_o + l] : 0.0f, v_hi);
        return;
    }
    float4 b_lo = fix_lo ? 2.0f * a * vload4(0, m) : (float4)(0.0f);
    float4 b_hi = fix_hi ? 2.0f * a * vload4(0, m + last_o) : (float4)(0.0f);
    float4 a_left = (float4)(0.0f), u_left = (float4)(0.0f), u_i = vload4(0, u);
    float4 cprev = (float4)(0.0f), dprev = (float4)(0.0f);
    for (int i = 0; i < n; i++) {
        size_t o = (size_t)i * stride;
        float4 u_right = (float4)(0.0f), a_right = (float4)(0.0f);
        if (i + 1 < n) {
            u_right = vload4(0, u + o + stride);
            a_right = a * ps_harmonic4(vload4(0, m + o), vload4(0, m + o + stride));
        }
        ps_thomas_row4(a_left, a_right, u_left, u_i, u_right, i == 0, i == n - 1, b_lo, v_lo,
                       b_hi, v_hi, &cprev, &dprev);
        vstore4(cprev, 0, cp + o);
        vstore4(dprev, 0, dp + o);
        a_left = a_right;
        u_left = u_i;
        u_i = u_right;
    }
    float4 next = vload4(0, dp + last_o);
    vstore4(vload4(0, u + last_o) + next, 0, u + last_o);
    for (int i = n - 2; i >= 0; i--) {
        size_t o = (size_t)i * stride;
        next = vload4(0, dp + o) - vload4(0, cp + o) * next;
        vstore4(vload4(0, u + o) + next, 0, u + o);
    }
}

/* The implicit sweep along x for four lines y0 .. y0+3 of one z plane per work-item: each lane
 * walks its own contiguous line (loads gathered at stride nx), and the arithmetic, three
 * divisions per voxel, runs four lanes wide. Same bits as ps_sweep_line. */
#define PS_LD4(p, ls) ((float4)((p)[0], (p)[(ls)], (p)[2 * (ls)], (p)[3 * (ls)]))
#define PS_ST4(v, p, ls) do { (p)[0] = (v).s0; (p)[(ls)] = (v).s1; (p)[2 * (ls)] = (v).s2; (p)[3 * (ls)] = (v).s3; } while (0)
__kernel void field_sweep4x(__global float *conc, __global float *scratch_c,
                            __global float *scratch_d, __global const float *dmul,
                            __global const float *alpha, __global const int *bc_kind,
                            __global const float *bc_value, int nx, int ny, int nz, uint nf)
{
    size_t g = get_global_id(0);
    int nyq = (ny + 3) / 4;
    size_t ngroups = (size_t)nz * nyq;
    if (g >= ngroups * nf) return;
    uint f = (uint)(g / ngroups);
    size_t q = g % ngroups, z = q / (size_t)nyq;
    int y0 = (int)(q % (size_t)nyq) * 4;
    size_t nvox = (size_t)nx * ny * nz;
    size_t base = (z * ny + (size_t)y0) * nx;
    __global float *u = conc + f * nvox + base;
    __global float *cp = scratch_c + f * nvox + base;
    __global float *dp = scratch_d + f * nvox + base;
    __global const float *m = dmul + base;
    float a = alpha[f];
    int fix_lo = bc_kind[f * 6] == BC_FIXED, fix_hi = bc_kind[f * 6 + 1] == BC_FIXED;
    float v_lo = bc_value[f * 6], v_hi = bc_value[f * 6 + 1];
    int n = nx, ls = nx;
    if (y0 + 4 > ny) {                                 /* the plane's last, partial group */
        for (int l = 0; l < ny - y0; l++) {
            size_t lo = (size_t)l * nx;
            ps_sweep_line(u + lo, cp + lo, dp + lo, m + lo, n, 1, a,
                          fix_lo ? 2.0f * a * m[lo] : 0.0f, v_lo,
                          fix_hi ? 2.0f * a * m[lo + n - 1] : 0.0f, v_hi);
        }
        return;
    }
    float4 b_lo = fix_lo ? 2.0f * a * PS_LD4(m, ls) : (float4)(0.0f);
    float4 b_hi = fix_hi ? 2.0f * a * PS_LD4(m + n - 1, ls) : (float4)(0.0f);
    float4 a_left = (float4)(0.0f), u_left = (float4)(0.0f), u_i = PS_LD4(u, ls);
    float4 cprev = (float4)(0.0f), dprev = (float4)(0.0f);
    for (int i = 0; i < n; i++) {
        float4 u_right = (float4)(0.0f), a_right = (float4)(0.0f);
        if (i + 1 < n) {
            u_right = PS_LD4(u + i + 1, ls);
            a_right = a * ps_harmonic4(PS_LD4(m + i, ls), PS_LD4(m + i + 1, ls));
        }
        ps_thomas_row4(a_left, a_right, u_left, u_i, u_right, i == 0, i == n - 1, b_lo, v_lo,
                       b_hi, v_hi, &cprev, &dprev);
        PS_ST4(cprev, cp + i, ls);
        PS_ST4(dprev, dp + i, ls);
        a_left = a_right;
        u_left = u_i;
        u_i = u_right;
    }
    float4 next = PS_LD4(dp + n - 1, ls);
    float4 un = PS_LD4(u + n - 1, ls) + next;
    PS_ST4(un, u + n - 1, ls);
    for (int i = n - 2; i >= 0; i--) {
        next = PS_LD4(dp + i, ls) - PS_LD4(cp + i, ls) * next;
        un = PS_LD4(u + i, ls) + next;
        PS_ST4(un, u + i, ls);
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

/* Domain decomposition along z: the z sweep of ps_sweep_line, split at rank borders so
 * that the arithmetic, and so every bit, is that of the single-rank sweep. This rank
 * holds local planes [i0, i1) of a line of n_global planes, starting at global plane
 * i0 + zoff. Forward elimination continues the previous rank's (cp, dp), which the host
 * placed in the scratch arrays at plane i0 - 1 (a halo plane); back substitution starts
 * from the increment of plane i1 placed by the host in dp at plane i1, and leaves the
 * increment of plane i0 in dp at plane i0 for the rank below. The arithmetic is
 * shared with ps_sweep_line (ps_thomas_row) or written exactly as there. */
__kernel void field_sweep_z_fwd(__global float *conc, __global float *scratch_c,
                                __global float *scratch_d, __global const float *dmul,
                                __global const float *alpha, __global const int *bc_kind,
                                __global const float *bc_value, int nx, int ny, int nz,
                                uint nf, int i0, int i1, int zoff, int n_global)
{
    size_t g = get_global_id(0);
    int stride = nx * ny;
    size_t nlines = (size_t)nx * ny, nvox = (size_t)nx * ny * nz;
    if (g >= nlines * nf) return;
    uint f = (uint)(g / nlines);
    size_t base = g % nlines;
    __global float *u = conc + f * nvox + base;
    __global float *cp = scratch_c + f * nvox + base;
    __global float *dp = scratch_d + f * nvox + base;
    __global const float *m = dmul + base;
    float a = alpha[f];
    int lo = 4, hi = 5;
    int last = n_global - 1 - zoff;                    /* local index of the last global plane */
    float b_lo = bc_kind[f * 6 + lo] == BC_FIXED ? 2.0f * a * m[0] : 0.0f;
    float b_hi = (bc_kind[f * 6 + hi] == BC_FIXED && last < nz) ? 2.0f * a * m[(size_t)last * stride] : 0.0f;
    float v_lo = bc_value[f * 6 + lo], v_hi = bc_value[f * 6 + hi];

    float a_left = 0.0f, u_left = 0.0f, cprev = 0.0f, dprev = 0.0f;
    if (i0 + zoff > 0) {                               /* continue the rank below */
        size_t o = (size_t)(i0 - 1) * stride;
        a_left = a * ps_harmonic(m[o], m[o + stride]);
        u_left = u[o];
        cprev = cp[o];
        dprev = dp[o];
    }
    float u_i = u[(size_t)i0 * stride];
    for (int i = i0; i < i1; i++) {
        size_t o = (size_t)i * stride;
        int ig = i + zoff;
        float u_right = (ig + 1 < n_global) ? u[o + stride] : 0.0f;
        float a_right = (ig + 1 < n_global) ? a * ps_harmonic(m[o], m[o + stride]) : 0.0f;
        ps_thomas_row(a_left, a_right, u_left, u_i, u_right, ig == 0, ig == n_global - 1, b_lo,
                      v_lo, b_hi, v_hi, &cprev, &dprev);
        cp[o] = cprev;
        dp[o] = dprev;
        a_left = a_right;
        u_left = u_i;
        u_i = u_right;
    }
}

__kernel void field_sweep_z_back(__global float *conc, __global const float *scratch_c,
                                 __global float *scratch_d, int nx, int ny, int nz, uint nf,
                                 int i0, int i1, int zoff, int n_global)
{
    size_t g = get_global_id(0);
    int stride = nx * ny;
    size_t nlines = (size_t)nx * ny, nvox = (size_t)nx * ny * nz;
    if (g >= nlines * nf) return;
    uint f = (uint)(g / nlines);
    size_t base = g % nlines;
    __global float *u = conc + f * nvox + base;
    __global const float *cp = scratch_c + f * nvox + base;
    __global float *dp = scratch_d + f * nvox + base;
    int top = i1 - 1;
    float next;
    if (top + zoff == n_global - 1) {                  /* the last plane of the line */
        next = dp[(size_t)top * stride];
        u[(size_t)top * stride] += next;
    } else {                                           /* continue the rank above */
        next = dp[(size_t)i1 * stride];
        size_t o = (size_t)top * stride;
        next = dp[o] - cp[o] * next;
        u[o] += next;
    }
    for (int i = top - 1; i >= i0; i--) {
        size_t o = (size_t)i * stride;
        next = dp[o] - cp[o] * next;
        u[o] += next;
    }
    dp[(size_t)i0 * stride] = next;                    /* for the rank below */
}
