/* cellist.cl — the uniform-grid cell list: agents binned by the field voxel they sit in.
 *
 * Positions are always whole-tissue coordinates; under domain decomposition a rank's grid
 * holds planes zoff .. zoff + nz - 1 of the tissue's nz_global (its slab and halo).
 *
 * count (atomic, integer) -> exclusive scan (scan.cl) -> scatter -> sort each bin by
 * agent id. The last step makes the order inside a bin independent of thread timing,
 * so every sum over a bin (secretion, repulsion) is bit-reproducible. Bins hold a few
 * cells (soft-sphere repulsion keeps them apart), so insertion sort is the right tool.
 *
 * Cost follows the agents, not the voxels: apart from the scan (8 B per voxel), every
 * kernel runs one work-item per agent. The scatter writes key[g], the voxel of the g-th
 * entry of the list (the sorted keys); the first entry of each bin (g == 0 or key[g-1] !=
 * key[g]) does that bin's work: sorting, packing, and at the end of the list's lifetime
 * (cellist_clear) zeroing its count, so counts are zero between steps without a pass over
 * empty voxels. The compaction (compact.cl) writes the survivors in list order, so the
 * slots themselves stay sorted by voxel, one step stale, and the list's gathers read
 * nearly consecutive memory. The sort also packs each entry's position and radius into nbp[g]
 * (float4, list order): neighbour loops read strips of consecutive bins from it
 * (agents_move.cl) instead of gathering through order[].
 */
#include "common.cl"

__kernel void cellist_count(__global ulong *counters,
                            __global const float *px, __global const float *py,
                            __global const float *pz, __global uint *voxel_of,
                            volatile __global uint *bin_count,
                            int nx, int ny, int nz, float inv_dx, int zoff, int nz_global)
{
    uint i = get_global_id(0);
    if (i == 0u) counters[CTR_N_BINNED] = counters[CTR_N_AGENTS];
    if (i >= (uint)counters[CTR_N_AGENTS]) return;
    int x = ps_voxel_axis(px[i], inv_dx, nx);
    int y = ps_voxel_axis(py[i], inv_dx, ny);
    /* positions are tissue coordinates; a decomposed rank's grid starts at plane zoff */
    int z = clamp(ps_voxel_axis(pz[i], inv_dx, nz_global) - zoff, 0, nz - 1);
    uint v = (uint)((z * ny + y) * nx + x);
    voxel_of[i] = v;
    atomic_inc(&bin_count[v]);
}

__kernel void cellist_scatter(__global const ulong *counters, __global const uint *voxel_of,
                              __global const uint *bin_start, volatile __global uint *bin_fill,
                              __global uint *order, __global uint *key)
{
    uint i = get_global_id(0);
    if (i >= (uint)counters[CTR_N_AGENTS]) return;
    uint v = voxel_of[i];
    uint g = bin_start[v] + atomic_inc(&bin_fill[v]);
    order[g] = i;
    key[g] = v;
}

__kernel void cellist_sort_bins(__global const ulong *counters, __global const uint *key,
                                __global const uint *bin_count, __global const ulong *id,
                                __global uint *order, __global const float *px,
                                __global const float *py, __global const float *pz,
                                __global const uchar *type, __global const float *tparams,
                                __global float4 *nbp)
{
    uint s = get_global_id(0);
    if (s >= (uint)counters[CTR_N_AGENTS] || !ps_first_of_bin(key, s)) return;
    uint n = bin_count[key[s]];
    for (uint a = 1; a < n; a++) {
        uint k = order[s + a];
        ulong kid = id[k];
        uint b = a;
        while (b > 0 && id[order[s + b - 1]] > kid) {
            order[s + b] = order[s + b - 1];
            b--;
        }
        order[s + b] = k;
    }
    for (uint a = 0; a < n; a++) {
        uint j = order[s + a];
        nbp[s + a] = (float4)(px[j], py[j], pz[j], tparams[(uint)type[j] * TP_COUNT + TP_RADIUS]);
    }
}

/* The end of the list's lifetime: the counts and fill counters of the occupied voxels
 * back to zero (every other voxel already is). */
__kernel void cellist_clear(__global const ulong *counters, __global const uint *key,
                            __global uint *bin_count, __global uint *bin_fill)
{
    uint g = get_global_id(0);
    if (g >= (uint)counters[CTR_N_BINNED] || !ps_first_of_bin(key, g)) return;
    bin_count[key[g]] = 0u;
    bin_fill[key[g]] = 0u;
}
