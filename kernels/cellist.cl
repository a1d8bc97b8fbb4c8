/* cellist.cl — the uniform-grid cell list: agents binned by the field voxel they sit in.
 *
 * Positions are always whole-tissue coordinates; under domain decomposition a rank's grid
 * holds planes zoff .. zoff + nz - 1 of the tissue's nz_global (its slab and halo).
 *
 * count (atomic, integer) -> exclusive scan (scan.cl) -> scatter -> sort each bin by
 * agent id. The last step makes the order inside a bin independent of thread timing,
 * so every sum over a bin (secretion, repulsion) is bit-reproducible. Bins hold a few
 * cells (soft-sphere repulsion keeps them apart), so insertion sort is the right tool.
 */
#include "common.cl"

__kernel void cellist_count(__global const ulong *counters,
                            __global const float *px, __global const float *py,
                            __global const float *pz, __global uint *voxel_of,
                            volatile __global uint *bin_count,
                            int nx, int ny, int nz, float inv_dx, int zoff, int nz_global)
{
    uint i = get_global_id(0);
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
                              __global uint *order)
{
    uint i = get_global_id(0);
    if (i >= (uint)counters[CTR_N_AGENTS]) return;
    uint v = voxel_of[i];
    order[bin_start[v] + atomic_inc(&bin_fill[v])] = i;
}

__kernel void cellist_sort_bins(__global const uint *bin_start, __global const uint *bin_count,
                                __global const ulong *id, __global uint *order, uint nvox)
{
    uint v = get_global_id(0);
    if (v >= nvox) return;
    uint s = bin_start[v], n = bin_count[v];
    for (uint a = 1; a < n; a++) {
        uint key = order[s + a];
        ulong kid = id[key];
        uint b = a;
        while (b > 0 && id[order[s + b - 1]] > kid) {
            order[s + b] = order[s + b - 1];
            b--;
        }
        order[s + b] = key;
    }
}
