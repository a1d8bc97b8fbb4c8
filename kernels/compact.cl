/* compact.cl — deaths and births by stream compaction, without a host round trip.
 *
 * Survivors are written in cell-list order (order[g], the list of this step's binning:
 * sorted by voxel, then id), so the slots stay sorted by voxel and every later gather
 * reads nearly consecutive memory; daughters are appended after them in the same order.
 * Without a list (use_order 0) the slot order is kept instead. Nothing the model computes
 * depends on the slot order: draws are keyed by ids, sums over bins run in id order, and a
 * daughter takes id next_id + the rank of its parent's id among this step's dividing
 * cells, counted over the list of their ids (list[div_pos[g]]). A daughter that finds no
 * free slot is dropped and counted in CTR_BIRTHS_DROPPED; the host grows capacity at the
 * next output interval. Ids stay unique either way (next_id advances by every division
 * attempted). Under domain decomposition daughters take their ids from div_ids (numbered
 * by the host in id order of the parents over all ranks, the same rule). The flags, their
 * scans and div_pos are indexed by list position g.
 * Per-agent variables: vars[k * cap + i], k < PS_NVARS; var 0 is the age in minutes.
 */
#include "common.cl"

#ifndef PS_NVARS
#define PS_NVARS 1
#endif

/* The slot at list position g (or slot g without a list); cap past the list's end. */
inline uint cp_slot(__global const ulong *counters, __global const uint *order, int use_order,
                    uint g)
{
    uint nb = (uint)counters[use_order ? CTR_N_BINNED : CTR_N_AGENTS];
    return g < nb ? (use_order ? order[g] : g) : 0xffffffffu;
}

__kernel void compact_flags(__global const ulong *counters, __global const uint *order,
                            int use_order, __global const uchar *flag,
                            __global uint *alive, __global uint *divides, uint cap)
{
    uint g = get_global_id(0);
    if (g >= cap) return;
    uint i = cp_slot(counters, order, use_order, g);
    /* slots at or past the live count (ghosts of a decomposed rank) go */
    uchar f = i < (uint)counters[CTR_N_AGENTS] ? flag[i] : AF_DEAD;
    alive[g] = f != AF_DEAD ? 1u : 0u;
    divides[g] = f == AF_DIVIDE ? 1u : 0u;
}

__kernel void compact_scatter(__global const ulong *counters, __global const uint *order,
                              int use_order, __global const ulong *list,
                              __global const uint *alive, __global const uint *alive_pos,
                              __global const uint *divides, __global const uint *div_pos,
                              uint cap,
                              __global const float *spx, __global const float *spy,
                              __global const float *spz, __global const float *sux,
                              __global const float *suy, __global const float *suz,
                              __global const ulong *sid, __global const uchar *stype,
                              __global const uchar *sstate, __global const float *svars,
                              __global float *dpx, __global float *dpy, __global float *dpz,
                              __global float *dux, __global float *duy, __global float *duz,
                              __global ulong *did, __global uchar *dtype,
                              __global uchar *dstate, __global float *dvars,
                              __global const float *tparams, float sx, float sy, float sz,
                              uint seed_lo, uint seed_hi, uint step, float dt,
                              __global const ulong *div_ids, int use_div_ids)
{
    uint g = get_global_id(0);
    if (g >= cap || !alive[g]) return;
    uint i = cp_slot(counters, order, use_order, g);
    uint n_alive = alive_pos[cap - 1] + alive[cap - 1];
    uint o = alive_pos[g];
    int div = divides[g] != 0u;
    dpx[o] = spx[i]; dpy[o] = spy[i]; dpz[o] = spz[i];
    dux[o] = sux[i]; duy[o] = suy[i]; duz[o] = suz[i];
    did[o] = sid[i]; dtype[o] = stype[i]; dstate[o] = sstate[i];
    for (uint k = 0; k < PS_NVARS; k++) dvars[(size_t)k * cap + o] = svars[(size_t)k * cap + i];
    dvars[o] = div ? 0.0f : svars[i] + dt;          /* age: a division makes two new cells */
    if (!div) return;
    uint slot = n_alive + div_pos[g];
    if (slot >= cap) return;
    ulong nid;
    if (use_div_ids) {
        nid = div_ids[div_pos[g]];
    } else {      /* the rank of the parent's id among the dividing cells' */
        uint nd = div_pos[cap - 1] + divides[cap - 1], r = 0;
        ulong me = sid[i];
        for (uint e = 0; e < nd; e++) r += list[e] < me ? 1u : 0u;
        nid = counters[CTR_NEXT_ID] + r;
    }
    float4 r = ps_rand4(seed_lo, seed_hi, sid[i], step, RNG_DAUGHTER);
    float3 off = ps_unit_vector(r.x, r.y);
    float3 d = ps_unit_vector(r.z, r.w);
    float half_r = 0.5f * tparams[(uint)stype[i] * TP_COUNT + TP_RADIUS];
    float ddx = d.x, ddy = d.y, ddz = d.z;
    dpx[slot] = ps_reflect(spx[i] + half_r * off.x, sx, &ddx);
    dpy[slot] = ps_reflect(spy[i] + half_r * off.y, sy, &ddy);
    dpz[slot] = ps_reflect(spz[i] + half_r * off.z, sz, &ddz);
    dux[slot] = ddx; duy[slot] = ddy; duz[slot] = ddz;
    did[slot] = nid; dtype[slot] = stype[i]; dstate[slot] = sstate[i];
    for (uint k = 1; k < PS_NVARS; k++) dvars[(size_t)k * cap + slot] = svars[(size_t)k * cap + i];
    dvars[slot] = 0.0f;
}

/* The ids of the dividing cells, in list order (list[div_pos[g]]): the scatter ranks
 * daughters' parents in it; under domain decomposition the host numbers daughters across
 * ranks from it. */
__kernel void compact_list_dividers(__global const ulong *counters, __global const uint *order,
                                    int use_order, __global const uint *divides,
                                    __global const uint *div_pos, __global const ulong *sid,
                                    __global ulong *list, uint cap)
{
    uint g = get_global_id(0);
    if (g >= cap || !divides[g]) return;
    list[div_pos[g]] = sid[cp_slot(counters, order, use_order, g)];
}

/* One work-item: new population size and bookkeeping counters. */
__kernel void compact_finish(__global ulong *counters, __global const uint *alive,
                             __global const uint *alive_pos, __global const uint *divides,
                             __global const uint *div_pos, uint cap)
{
    if (get_global_id(0) != 0) return;
    ulong n_old = counters[CTR_N_AGENTS];
    ulong n_alive = alive_pos[cap - 1] + alive[cap - 1];
    ulong n_div = div_pos[cap - 1] + divides[cap - 1];
    ulong room = cap - n_alive;
    ulong placed = n_div < room ? n_div : room;
    counters[CTR_N_AGENTS] = n_alive + placed;
    counters[CTR_NEXT_ID] += n_div;
    counters[CTR_BIRTHS_DROPPED] += n_div - placed;
    counters[CTR_BIRTHS] += placed;
    counters[CTR_DEATHS] += n_old - n_alive;
}
