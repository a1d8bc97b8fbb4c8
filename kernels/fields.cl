/* fields.cl — diffusing mediators on a tissue's uniform grid.
 *
 * One step of length dt (min) is split (Lie splitting):
 *   1. reaction, solved exactly per voxel: dC/dt = S - k C, with S = region sources +
 *      agent secretion (nM/min) and k = decay + region sinks + agent uptake (1/min);
 *   2. diffusion, locally one-dimensional backward Euler: one tridiagonal solve per grid
 *      line along x, then y, then z (Thomas algorithm, one work-item per line and field).
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

__kernel void field_react(__global float *conc,
                          __global const float *src_region,   /* [nf][nvox] nM/min */
                          __global const float *sink_region,  /* [nf][nvox] 1/min */
                          __global const float *src_agents,   /* [nf][nvox] nM/min */
                          __global const float *upt_agents,   /* [nf][nvox] 1/min */
                          __global const float *decay,        /* [nf] 1/min */
                          __global const float *rc,           /* [nf][2] field_react_consts */
                          uint nvox, uint nf, float dt)
{
    size_t g = get_global_id(0);
    if (g >= (size_t)nvox * nf) return;
    uint f = (uint)(g / nvox);
    float sink = sink_region[g], upt = upt_agents[g];
    float s = src_region[g] + src_agents[g];
    float c = conc[g];
    float kd = decay[f];
    if (sink == 0.0f && upt == 0.0f && kd > 0.0f) {
        /* k == decay exactly: the field's constants (no exp per voxel) */
        c = c * rc[2 * f] + s * rc[2 * f + 1];
    } else {
        float k = kd + sink + upt;
        if (k > 0.0f) {
            float kdt = k * dt;
            float e = exp(-kdt);
            /* (1 - e)/k via expm1 keeps full precision when k*dt is tiny */
            c = c * e + s * (-expm1(-kdt) / k);
        } else {
            c = c + s * dt;
        }
    }
    conc[g] = c;
}

inline float ps_harmonic(float a, float b)
{
    float s = a + b;
    return s > 0.0f ? 2.0f * a * b / s : 0.0f;
}

/* One row of the forward elimination: (cprev, dprev) of the row below in, this row's out.
 * lower = -a_left, upper = -a_right; a fixed-value face adds b to the diagonal. Shared by
 * field_sweep and field_sweep_z_fwd so that a decomposed z sweep gives the same bits. */
inline void ps_thomas_row(float a_left, float a_right, float u_left, float u_i, float u_right,
                          int first, int last, float b_lo, float v_lo, float b_hi, float v_hi,
                          float *cprev, float *dprev)
{
    float diag = 1.0f + a_left + a_right;
    float rhs = a_left * (u_left - u_i) + a_right * (u_right - u_i);
    if (first) { diag += b_lo; rhs += b_lo * (v_lo - u_i); }
    if (last) { diag += b_hi; rhs += b_hi * (v_hi - u_i); }
    float denom = diag + a_left * *cprev;
    float c_i = -a_right / denom;
    float d_i = (rhs + a_left * *dprev) / denom;
    *cprev = c_i;
    *dprev = d_i;
}

/* Backward-Euler diffusion along one axis for every grid line of every field.
 * alpha[f] = dt * D_f / dx² (dimensionless); bc_kind/bc_value [nf][6] in face order
 * x_min, x_max, y_min, y_max, z_min, z_max.
 * Solved in increment form: (I - A) d = A u + b, u <- u + d. A uniform field then has a
 * zero right-hand side and stays exactly uniform, and float rounding acts on the small
 * increment rather than on u itself (a plain Thomas solve for u drifts by ~1e-6 of u per
 * sweep at large alpha). cp and dp hold the modified upper diagonal and right-hand side. */
__kernel void field_sweep(__global float *conc, __global float *scratch_c,
                          __global float *scratch_d,
                          __global const float *dmul,         /* [nvox] region D multiplier */
                          __global const float *alpha,        /* [nf] */
                          __global const int *bc_kind,        /* [nf][6] */
                          __global const float *bc_value,     /* [nf][6] nM */
                          int nx, int ny, int nz, uint nf, int axis)
{
    size_t g = get_global_id(0);
    int n, stride;
    size_t nlines, base;
    size_t nvox = (size_t)nx * ny * nz;
    if (axis == 0) {
        n = nx; stride = 1; nlines = (size_t)ny * nz;
    } else if (axis == 1) {
        n = ny; stride = nx; nlines = (size_t)nx * nz;
    } else {
        n = nz; stride = nx * ny; nlines = (size_t)nx * ny;
    }
    if (g >= nlines * nf) return;
    uint f = (uint)(g / nlines);
    size_t line = g % nlines;
    if (axis == 0) {
        base = line * nx;                              /* line = z*ny + y */
    } else if (axis == 1) {
        size_t x = line % nx, z = line / nx;
        base = z * nx * ny + x;
    } else {
        base = line;                                   /* line = y*nx + x */
    }
    __global float *u = conc + f * nvox + base;
    __global float *cp = scratch_c + f * nvox + base;
    __global float *dp = scratch_d + f * nvox + base;
    __global const float *m = dmul + base;
    float a = alpha[f];
    int lo = 2 * axis, hi = 2 * axis + 1;
    float b_lo = bc_kind[f * 6 + lo] == BC_FIXED ? 2.0f * a * m[0] : 0.0f;
    float b_hi = bc_kind[f * 6 + hi] == BC_FIXED ? 2.0f * a * m[(size_t)(n - 1) * stride] : 0.0f;
    float v_lo = bc_value[f * 6 + lo], v_hi = bc_value[f * 6 + hi];

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

/* Domain decomposition along z: the z sweep of field_sweep, split at rank borders so
 * that the arithmetic, and so every bit, is that of the single-rank sweep. This rank
 * holds local planes [i0, i1) of a line of n_global planes, starting at global plane
 * i0 + zoff. Forward elimination continues the previous rank's (cp, dp), which the host
 * placed in the scratch arrays at plane i0 - 1 (a halo plane); back substitution starts
 * from the increment of plane i1 placed by the host in dp at plane i1, and leaves the
 * increment of plane i0 in dp at plane i0 for the rank below. The arithmetic is
 * shared with field_sweep (ps_thomas_row) or written exactly as there. */
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
