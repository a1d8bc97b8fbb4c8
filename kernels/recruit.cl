/* recruit.cl — circulating cells entering a tissue at vessel voxels.
 *
 * recruit_count: for every (rule, voxel) a Poisson number of entries with mean
 *   lambda = rate * barrier * H(C_chemokine * J * receptor kept) * dt
 * drawn by inversion from one Philox uniform keyed by (rule, voxel, step), so the result
 * is independent of scheduling (at most RC_MAX_PER_VOXEL per step: P(more) < 1e-9 for
 * lambda < 0.5); a uniform below RC_NONE_BELOW (the CDF at 0 of the largest lambda any
 * drive gives, less a margin) enters nothing, so the drive is not computed for it. An
 * exclusive scan of the counts gives each entry its slot and id; recruit_place appends the cells after the population; recruit_finish updates the
 * counters. Entries without a free slot are counted as dropped (capacity grows at the
 * next output interval).
 * Under domain decomposition a rank counts only the voxels it owns [own_lo, own_hi), keys
 * draws by the tissue-wide voxel index (v + vox_off) and numbers its entries after those
 * of the ranks below (id_delta per rule, from the host), so ids and draws are those of
 * the single-rank run.
 */
#include "common.cl"

__kernel void recruit_count(__global const float *rules, uint nrules,
                            __global const uint *region_mask, __global const float *conc,
                            __global const float *Jall, uint jrow, uint nvox,
                            __global uint *births, __global const float *pert, uint npert,
                            uint seed_lo, uint seed_hi, uint tissue, uint step, float dt,
                            float t_min, uint vox_off, uint own_lo, uint own_hi)
{
    size_t g = get_global_id(0);
    if (g >= (size_t)nrules * nvox) return;
    __global const float *J = Jall + jrow;
    uint r = (uint)(g / nvox), v = (uint)(g % nvox);
    __global const float *rc = rules + r * RC_SIZE;
    int region = (int)rc[RC_REGION];
    uint k = 0;
    if (v >= own_lo && v < own_hi && (region < 0 || ((region_mask[v] >> region) & 1u)) &&
        rc[RC_RATE] > 0.0f) {
        /* keyed like an agent id: the tissue in the top bits */
        ulong key = PS_ID_MAKE(tissue, ((ulong)r << 40) | (ulong)(v + vox_off));
        float u = ps_rand4(seed_lo, seed_hi, key, step, RNG_RECRUIT).x;
        /* most draws enter nothing whatever the drive (lambda <= rate dt, RC_NONE_BELOW):
           the drive, a pow per voxel, is computed only for the others; the counts are
           those of computing it everywhere */
        if (u >= rc[RC_NONE_BELOW]) {
            float drive = 1.0f;
            int f = (int)rc[RC_FIELD];
            if (f >= 0)     /* sensed through the entering type's receptor (blocks, knockouts) */
                drive = ps_hill(conc[(size_t)f * nvox + v] * J[(int)rc[RC_MED]] *
                                    ps_receptor_kept(pert, npert, f, (int)rc[RC_TYPE], t_min),
                                rc[RC_EC50], rc[RC_HILL]);
            float peak = rc[RC_PRIME_PEAK];
            if (peak > 0.0f) {      /* primed circulating pool: a gamma pulse after the trigger */
                float tau = (t_min - rc[RC_PRIME_FROM]) / peak;
                drive *= tau > 0.0f ? tau * exp(1.0f - tau) : 0.0f;
            }
            float lambda = rc[RC_RATE] * drive * dt;
            if (lambda > 0.0f) {
                float p = exp(-lambda), F = p;
                while (u > F && k < RC_MAX_PER_VOXEL) {
                    k++;
                    p *= lambda / (float)k;
                    F += p;
                }
            }
        }
    }
    births[g] = k;
}

__kernel void recruit_place(__global const ulong *counters, __global const float *rules,
                            uint nrules, __global const uint *births,
                            __global const uint *offsets, uint nvox, uint cap,
                            int nx, int ny, float dx, float sx, float sy, float sz,
                            __global float *px, __global float *py, __global float *pz,
                            __global float *ux, __global float *uy, __global float *uz,
                            __global ulong *id, __global uchar *type, __global uchar *state,
                            __global float *vars, uint seed_lo, uint seed_hi, uint step,
                            int zoff, __global const ulong *id_delta, int use_delta)
{
    size_t g = get_global_id(0);
    if (g >= (size_t)nrules * nvox) return;
    uint k = births[g];
    if (k == 0) return;
    uint r = (uint)(g / nvox), v = (uint)(g % nvox);
    __global const float *rc = rules + r * RC_SIZE;
    uint n = (uint)counters[CTR_N_AGENTS];
    ulong next = counters[CTR_NEXT_ID] + (use_delta ? id_delta[r] : 0ul);
    int x = (int)(v % (uint)nx), y = (int)((v / (uint)nx) % (uint)ny), z = (int)(v / ((uint)nx * ny)) + zoff;
    for (uint j = 0; j < k; j++) {
        uint o = offsets[g] + j;
        uint slot = n + o;
        if (slot >= cap) return;
        ulong nid = next + o;
        float4 a = ps_rand4(seed_lo, seed_hi, nid, step, RNG_ENTRY);
        float4 b = ps_rand4(seed_lo, seed_hi, nid, step, RNG_ENTRY + 16u);
        px[slot] = clamp((x + a.x) * dx, 0.0f, sx);
        py[slot] = clamp((y + a.y) * dx, 0.0f, sy);
        pz[slot] = clamp((z + a.z) * dx, 0.0f, sz);
        float3 d = ps_unit_vector(b.x, b.y);
        ux[slot] = d.x; uy[slot] = d.y; uz[slot] = d.z;
        id[slot] = nid;
        type[slot] = (uchar)(int)rc[RC_TYPE];
        state[slot] = (uchar)(int)rc[RC_STATE];
        for (uint q = 0; q < PS_NVARS; q++) vars[(size_t)q * cap + slot] = 0.0f;
    }
}

__kernel void recruit_finish(__global ulong *counters, __global const uint *births,
                             __global const uint *offsets, uint total_slots, uint cap)
{
    if (get_global_id(0) != 0) return;
    ulong total = offsets[total_slots - 1] + births[total_slots - 1];
    ulong n = counters[CTR_N_AGENTS];
    ulong room = cap > n ? cap - n : 0;
    ulong placed = total < room ? total : room;
    counters[CTR_N_AGENTS] = n + placed;
    counters[CTR_NEXT_ID] += total;
    counters[CTR_BIRTHS_DROPPED] += total - placed;
    counters[CTR_RECRUITED] += placed;
}
