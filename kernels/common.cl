/* common.cl — the prelude every kernel file includes: shared layouts, index math, the
 * Hill function and counter-based random numbers (Random123 Philox4x32-10).
 *
 * Randomness is keyed by (seed) and counted by (agent id, step, purpose), so the
 * number an agent draws does not depend on which work-item, work-group or MPI rank
 * runs it, nor on the order agents are stored in.
 */
#ifndef PS_COMMON_CL
#define PS_COMMON_CL

#include "params.h"
#include <Random123/philox.h>

/* 32 random bits to a float in (0, 1): never 0, never 1. */
inline float ps_u01(uint x)
{
    return ((float)(x >> 8) + 0.5f) * (1.0f / 16777216.0f);
}

/* Four uniform (0,1) numbers for (agent id, step, purpose) under key seed. */
inline float4 ps_rand4(uint seed_lo, uint seed_hi, ulong id, uint step, uint purpose)
{
    philox4x32_ctr_t c = {{(uint)id, (uint)(id >> 32), step, purpose}};
    philox4x32_key_t k = {{seed_lo, seed_hi}};
    philox4x32_ctr_t r = philox4x32(c, k);
    return (float4)(ps_u01(r.v[0]), ps_u01(r.v[1]), ps_u01(r.v[2]), ps_u01(r.v[3]));
}

/* A direction uniform on the unit sphere from two uniforms. */
inline float3 ps_unit_vector(float u1, float u2)
{
    float z = 2.0f * u1 - 1.0f;
    float r = sqrt(fmax(0.0f, 1.0f - z * z));
    float phi = 6.28318530717958647692f * u2;
    return (float3)(r * cos(phi), r * sin(phi), z);
}

/* 1 when entry g of the cell list is the first of its bin: key[g] is the voxel of entry g
 * and the keys are sorted (cellist.cl). */
inline int ps_first_of_bin(__global const uint *key, uint g)
{
    return g == 0u || key[g - 1u] != key[g];
}

/* Voxel index of a point (µm, tissue-local); points on the far face map to the last voxel. */
inline int ps_voxel_axis(float x, float inv_dx, int n)
{
    int i = (int)floor(x * inv_dx);
    return clamp(i, 0, n - 1);
}

/* The neighbour voxels a cell at p (µm, tissue coordinate, voxel index x along this axis
 * in the local grid of n) must search for partners within `reach`: [x + lo, x + hi],
 * lo in [-nb, 0], hi in [0, nb]. A voxel is left out only when every point of it is
 * farther than reach from p, with a margin (reach plus 1e-3 voxel, and relative 1e-4) far
 * above the rounding of the position arithmetic, so no partner in range is ever missed;
 * the offsets are taken relative to the cell's own voxel, which the binning found with
 * the same ps_voxel_axis expression (so a decomposed rank's local index needs no offset). */
inline int2 ps_reach_box(float p, float inv_dx, float dx, int nb, float reach)
{
    float m = reach * 1.0001f + 1e-3f * dx;
    int c = (int)floor(p * inv_dx);
    int lo = (int)floor((p - m) * inv_dx) - c, hi = (int)floor((p + m) * inv_dx) - c;
    return (int2)(clamp(lo, -nb, 0), clamp(hi, 0, nb));
}

/* Hill activation x^n / (EC50^n + x^n) as (x/EC50)^n / (1 + (x/EC50)^n); 0 for x <= 0
 * (a mediator that is absent or was clipped at zero drives nothing). The one definition
 * every kernel uses: receptor drives, recruitment chemokines, pain terms. */
inline float ps_hill(float x, float ec50, float n)
{
    if (x <= 0.0f) return 0.0f;
    /* n = 1 (most receptor drives) skips pow, the costliest call of the agent kernels on
       PoCL: pow(r, 1) is r for every positive float there (checked exhaustively), so the
       bits are unchanged */
    float r = n == 1.0f ? x / ec50 : pow(x / ec50, n);
    return r / (1.0f + r);
}

/* Share of tissue-local field f that a cell of `type` senses through its receptor for it
 * at time t_min: the product of (1 - fraction) over the active receptor-block rows for
 * that (type, field). The host expands receptor blocks, receptor knockouts and
 * sex-specific receptor expression into such rows (host/engine/signal.c); a row of type
 * -1 acts on every type. */
inline float ps_receptor_kept(__global const float *pert, uint npert, int f, int type, float t_min)
{
    float kept = 1.0f;
    for (uint k = 0; k < npert; k++) {
        __global const float *p = pert + k * PT_SIZE;
        if ((int)p[PT_KIND] == PTK_BLOCK && (int)p[PT_FIELD] == f && t_min >= p[PT_START] &&
            t_min < p[PT_STOP] && ((int)p[PT_TYPE] < 0 || (int)p[PT_TYPE] == type))
            kept *= 1.0f - p[PT_FRACTION];
    }
    return kept;
}

/* Reflects a coordinate into [0, len] (one mirror bounce, then clamped for huge steps);
 * flips *dir when a bounce happened. */
inline float ps_reflect(float x, float len, float *dir)
{
    if (x < 0.0f) {
        x = -x;
        *dir = -*dir;
    } else if (x > len) {
        x = 2.0f * len - x;
        *dir = -*dir;
    }
    return clamp(x, 0.0f, len);
}

#endif
