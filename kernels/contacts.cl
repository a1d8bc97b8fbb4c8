/* contacts.cl — contact-dependent events through the cell list (phagocytosis of
 * apoptotic cells, T cell–macrophage contact), after agents_signal and before the move.
 *
 * Every rule names an actor type (and state), a partner type (and state), a range and a
 * hazard per pair in contact. Each pair's event is one Philox draw keyed by both ids, the
 * step and the rule, so the outcome does not depend on the order work-items run:
 *   contact_prey   — a partner that can be eaten collects the actors whose draw fired and
 *                    goes to the one with the lowest id (eaten[i] = its index); it dies;
 *   contact_actor  — an actor counts its meals (eaten[j] == self) or, for rules without
 *                    eating, draws each partner in range; the first rule that fired and has
 *                    a `to` state gives its new state (written to next_state);
 *   contact_apply  — states are switched after every actor has read the old ones.
 */
#include "common.cl"

inline ulong ct_pair(ulong a, ulong b) { return a * 0x9E3779B97F4A7C15ul ^ b; }

inline int ct_in_range(__global const float *rule, __global const float *tparams, uchar ta,
                       uchar tb, float3 pa, float3 pb)
{
    float r = rule[CT_RANGE];
    if (r <= 0.0f) r = tparams[(uint)ta * TP_COUNT + TP_RADIUS] + tparams[(uint)tb * TP_COUNT + TP_RADIUS];
    float3 d = pa - pb;
    return dot(d, d) < r * r;
}

/* The reach of a rule: its range, else the sum of the two types' radii (ct_in_range). */
inline float ct_reach(__global const float *rule, __global const float *tparams, uchar ta,
                      int tb)
{
    float r = rule[CT_RANGE];
    return r > 0.0f ? r : tparams[(uint)ta * TP_COUNT + TP_RADIUS] + tparams[(uint)tb * TP_COUNT + TP_RADIUS];
}

/* The neighbourhood as strips: the bins of one row are consecutive in the list; only the
 * voxels within REACH of the cell (ps_reach_box: none that holds a partner in range is
 * left out, so the outcome is that of the full neighbourhood). */
#define CT_NEIGHBOURS_BEGIN(REACH)                                                          \
    uint v = voxel_of[i];                                                                   \
    int x = (int)(v % (uint)nx), y = (int)((v / (uint)nx) % (uint)ny), z = (int)(v / ((uint)nx * ny)); \
    int2 bx_ = ps_reach_box(pi.x, inv_dx, dx, nb, (REACH));                                 \
    int2 by_ = ps_reach_box(pi.y, inv_dx, dx, nb, (REACH));                                 \
    int2 bz_ = ps_reach_box(pi.z, inv_dx, dx, nb, (REACH));                                 \
    int x0 = max(x + bx_.x, 0), x1 = min(x + bx_.y, nx - 1);                                \
    for (int zz = max(z + bz_.x, 0); zz <= min(z + bz_.y, nz - 1); zz++)                    \
        for (int yy = max(y + by_.x, 0); yy <= min(y + by_.y, ny - 1); yy++) {              \
            uint row = (uint)((zz * ny + yy) * nx);                                         \
            uint k1 = bin_start[row + (uint)x1] + bin_count[row + (uint)x1];                \
            for (uint k = bin_start[row + (uint)x0]; k < k1; k++) {                         \
                uint j = order[k];                                                          \
                if (j == i) continue;
#define CT_NEIGHBOURS_END }}

__kernel void contact_prey(__global const ulong *counters, __global const ulong *id,
                           __global const uchar *type, __global const uchar *state,
                           __global const float *px, __global const float *py,
                           __global const float *pz, __global const uint *voxel_of,
                           __global const uint *bin_start, __global const uint *bin_count,
                           __global const uint *order, __global const float *tparams,
                           __global const float *rules, uint nrules, __global uint *eaten,
                           __global uchar *flag, int nx, int ny, int nz, int nb,
                           uint seed_lo, uint seed_hi, uint step, float dx, float inv_dx,
                           float max_reach)
{
    uint g = get_global_id(0);                 /* cell-list order, as in agents_move */
    if (g >= (uint)counters[CTR_N_AGENTS]) return;
    uint i = order[g];
    uchar ti = type[i], si = state[i];
    ulong idi = id[i];
    float3 pi = (float3)(px[i], py[i], pz[i]);
    uint best = 0xffffffffu;
    ulong best_id = 0;
    for (uint r = 0; r < nrules; r++) {
        __global const float *rule = rules + r * CT_SIZE;
        if (rule[CT_EAT] == 0.0f || (int)rule[CT_PARTNER] != (int)ti) continue;
        if (rule[CT_PSTATE] >= 0.0f && (int)rule[CT_PSTATE] != (int)si) continue;
        int actor = (int)rule[CT_ACTOR], from = (int)rule[CT_FROM];
        CT_NEIGHBOURS_BEGIN(ct_reach(rule, tparams, ti, actor))
            if ((int)type[j] != actor || (from >= 0 && (int)state[j] != from)) continue;
            if (!ct_in_range(rule, tparams, ti, type[j], pi, (float3)(px[j], py[j], pz[j]))) continue;
            ulong idj = id[j];
            float u = ps_rand4(seed_lo, seed_hi, ct_pair(idi, idj), step, RNG_CONTACT + r).x;
            if (u < rule[CT_P] && (best == 0xffffffffu || idj < best_id)) {
                best = j;
                best_id = idj;
            }
        CT_NEIGHBOURS_END
    }
    eaten[i] = best;
    if (best != 0xffffffffu) flag[i] = AF_DEAD;
}

__kernel void contact_actor(__global const ulong *counters, __global const ulong *id,
                            __global const uchar *type, __global const uchar *state,
                            __global const float *px, __global const float *py,
                            __global const float *pz, __global const uint *voxel_of,
                            __global const uint *bin_start, __global const uint *bin_count,
                            __global const uint *order, __global const float *tparams,
                            __global const float *rules, uint nrules,
                            __global const uint *eaten, __global uint *next_state,
                            int nx, int ny, int nz, int nb, uint seed_lo, uint seed_hi, uint step,
                            float dx, float inv_dx, float max_reach)
{
    uint g = get_global_id(0);                 /* cell-list order, as in agents_move */
    if (g >= (uint)counters[CTR_N_AGENTS]) return;
    uint i = order[g];
    uchar ti = type[i], si = state[i];
    ulong idi = id[i];
    float3 pi = (float3)(px[i], py[i], pz[i]);
    uint next = 0xffffffffu;
    for (uint r = 0; r < nrules && next == 0xffffffffu; r++) {
        __global const float *rule = rules + r * CT_SIZE;
        if ((int)rule[CT_ACTOR] != (int)ti || rule[CT_TO] < 0.0f) continue;
        if (rule[CT_FROM] >= 0.0f && (int)rule[CT_FROM] != (int)si) continue;
        int partner = (int)rule[CT_PARTNER], pstate = (int)rule[CT_PSTATE];
        int eat = rule[CT_EAT] != 0.0f, fired = 0;
        /* a meal may have been taken under another eating rule of this pair: any reach */
        CT_NEIGHBOURS_BEGIN(eat ? max_reach : ct_reach(rule, tparams, ti, partner))
            if (fired || (int)type[j] != partner || (pstate >= 0 && (int)state[j] != pstate)) continue;
            if (eat) {
                fired = eaten[j] == i;
            } else if (ct_in_range(rule, tparams, ti, type[j], pi, (float3)(px[j], py[j], pz[j]))) {
                float u = ps_rand4(seed_lo, seed_hi, ct_pair(idi, id[j]), step, RNG_CONTACT + 8u + r).x;
                fired = u < rule[CT_P];
            }
        CT_NEIGHBOURS_END
        if (fired) next = (uint)rule[CT_TO];
    }
    next_state[i] = next;
}

__kernel void contact_apply(__global const ulong *counters, __global const uint *next_state,
                            __global uchar *state)
{
    uint i = get_global_id(0);
    if (i >= (uint)counters[CTR_N_AGENTS]) return;
    uint s = next_state[i];
    if (s != 0xffffffffu) state[i] = (uchar)s;
}
