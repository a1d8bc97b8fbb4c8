/* summary.cl — per-(type, state) cell counts for the summary time series. Integer
 * atomics: the counts are exact whatever the order. */
#include "common.cl"

__kernel void summary_count(__global const ulong *counters, __global const uchar *type,
                            __global const uchar *state, volatile __global uint *counts)
{
    uint i = get_global_id(0);
    if (i >= (uint)counters[CTR_N_AGENTS]) return;
    atomic_inc(&counts[(uint)type[i] * PS_MAX_STATES + (uint)state[i]]);
}

/* Per-work-group sums of one per-agent variable by type: partial[group][n_types]. Each
 * work-item accumulates a strided range, then the group adds its items in a fixed tree;
 * the host adds the groups in order, so the result is the same every run. */
__kernel void summary_var_sums(__global const ulong *counters, __global const uchar *type,
                               __global const float *vars, uint cap, uint var, uint n_types,
                               __global float *partial, __local float *scratch)
{
    uint lid = get_local_id(0), wg = get_local_size(0);
    uint n = (uint)counters[CTR_N_AGENTS];
    float acc[PS_MAX_TYPES];
    for (uint t = 0; t < n_types; t++) acc[t] = 0.0f;
    for (uint i = get_global_id(0); i < n; i += get_global_size(0))
        acc[type[i]] += vars[(size_t)var * cap + i];
    for (uint t = 0; t < n_types; t++) scratch[t * wg + lid] = acc[t];
    barrier(CLK_LOCAL_MEM_FENCE);
    for (uint off = wg / 2; off > 0; off >>= 1) {
        if (lid < off)
            for (uint t = 0; t < n_types; t++) scratch[t * wg + lid] += scratch[t * wg + lid + off];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0)
        for (uint t = 0; t < n_types; t++) partial[get_group_id(0) * n_types + t] = scratch[t * wg];
}
