/* scan.cl — exclusive prefix sum of uint arrays (cell-list offsets, compaction slots).
 *
 * Three phases driven by host/scan.c: each work-group scans SCAN_WG*SCAN_ITEMS
 * consecutive elements and writes its total; the totals are scanned recursively; the
 * scanned totals are added back. Integer sums: the result is exact and independent of
 * scheduling. SCAN_WG and SCAN_ITEMS (elements per work-item) are -D options chosen by the
 * host (host/engine/scan.c): on GPUs groups of 256 (within the device's limit) of 4
 * elements each; on CPUs one work-item per group scanning 1024 elements serially.
 */
#include "common.cl"

#ifndef SCAN_WG
#define SCAN_WG 256
#endif
#ifndef SCAN_ITEMS
#define SCAN_ITEMS 4
#endif

__kernel __attribute__((reqd_work_group_size(SCAN_WG, 1, 1)))
void scan_block(__global const uint *in, __global uint *out, __global uint *block_sums, uint n)
{
    __local uint tmp[SCAN_WG];
    uint lid = get_local_id(0);
    uint base = (get_group_id(0) * SCAN_WG + lid) * SCAN_ITEMS;
    uint v[SCAN_ITEMS];
    uint sum = 0;
    for (uint k = 0; k < SCAN_ITEMS; k++) {
        uint idx = base + k;
        v[k] = idx < n ? in[idx] : 0u;
        sum += v[k];
    }
    tmp[lid] = sum;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (uint off = 1; off < SCAN_WG; off <<= 1) {
        uint t = lid >= off ? tmp[lid - off] : 0u;
        barrier(CLK_LOCAL_MEM_FENCE);
        tmp[lid] += t;
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    uint running = tmp[lid] - sum;
    for (uint k = 0; k < SCAN_ITEMS; k++) {
        uint idx = base + k;
        if (idx < n) out[idx] = running;
        running += v[k];
    }
    if (lid == SCAN_WG - 1) block_sums[get_group_id(0)] = tmp[lid];
}

__kernel __attribute__((reqd_work_group_size(SCAN_WG, 1, 1)))
void scan_add(__global uint *out, __global const uint *block_offsets, uint n)
{
    uint base = (get_group_id(0) * SCAN_WG + get_local_id(0)) * SCAN_ITEMS;
    uint add = block_offsets[get_group_id(0)];
    for (uint k = 0; k < SCAN_ITEMS; k++) {
        uint idx = base + k;
        if (idx < n) out[idx] += add;
    }
}
