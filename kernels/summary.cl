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
