/* guards.cl — numerical guards, run at output intervals: the first bad value is found
 * with an integer atomic_min, so the report is the same whatever the work-item order.
 *   guard_fields: a concentration that is NaN, infinite or below -neg_tol nM (the
 *     reaction and diffusion steps keep concentrations non-negative up to rounding);
 *   guard_agents: a position or per-agent variable that is not finite, or a position
 *     outside the tissue box [0, size] (the move reflects at the faces).
 * first[0] starts at 0xffffffff; the host reads it and reports index, value and cause.
 */
#include "common.cl"

#ifndef PS_NVARS
#define PS_NVARS 1
#endif

__kernel void guard_fields(__global const float *conc, uint nvox, uint nf, uint v0, uint vcount,
                           float neg_tol, volatile __global uint *first)
{
    size_t g = get_global_id(0);
    if (g >= (size_t)nf * vcount) return;
    uint f = (uint)(g / vcount), v = v0 + (uint)(g % vcount);
    float c = conc[(size_t)f * nvox + v];
    if (!isfinite(c) || c < -neg_tol) atomic_min(first, (uint)g);
}

__kernel void guard_agents(__global const ulong *counters, __global const float *px,
                           __global const float *py, __global const float *pz,
                           __global const float *vars, uint cap, float sx, float sy, float sz,
                           volatile __global uint *first)
{
    uint i = get_global_id(0);
    if (i >= (uint)counters[CTR_N_AGENTS]) return;
    float x = px[i], y = py[i], z = pz[i];
    int bad = !(x >= 0.0f && x <= sx && y >= 0.0f && y <= sy && z >= 0.0f && z <= sz);
    for (uint k = 0; k < PS_NVARS; k++) bad |= !isfinite(vars[(size_t)k * cap + i]);
    if (bad) atomic_min(first, i);
}
