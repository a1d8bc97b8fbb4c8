/* agents_move.cl — one step of every agent: sense, decide, move.
 *
 * Velocity = persistent random walk + chemotaxis + soft-sphere repulsion:
 *   - random walk: speed * d, where the unit direction d is redrawn uniformly with
 *     probability p_turn = 1 - exp(-dt/persistence) per step;
 *   - chemotaxis up the gradient of receptor occupancy f = C/(C+Kd):
 *     v = v_max * |∇f|/(|∇f| + g_half) * ∇f/|∇f|, ∇f = Kd/(C+Kd)² ∇C, with ∇C by
 *     central differences of the voxel values (one-sided at faces), C scaled by what
 *     receptor blocks leave (ps_receptor_kept);
 *   - repulsion from every neighbour j closer than r_i + r_j (cell list, ±nb_range
 *     voxels): rep_i * (1 - dist/(r_i+r_j)) along x_i - x_j, at most r_i per step;
 *     neighbours are read from the list's packed positions (cellist.cl nbp), a strip of
 *     consecutive bins per row, over the voxels of that range within r_i + the largest
 *     radius in the tissue of the cell (ps_reach_box).
 * Positions reflect at the tissue faces. Fate (death, division) is decided in
 * agents_signal.cl. Reads the old positions, writes new arrays, so the result does not
 * depend on the order work-items run; they run in cell-list order for cache locality.
 */
#include "common.cl"

inline float ps_field_at(__global const float *c, int x, int y, int z, int nx, int ny)
{
    return c[((size_t)z * ny + y) * nx + x];
}

__kernel void agents_move(__global const ulong *counters,
                          __global const float *px, __global const float *py,
                          __global const float *pz, __global const float *ux,
                          __global const float *uy, __global const float *uz,
                          __global const ulong *id, __global const uchar *type,
                          __global const uint *voxel_of, __global const uint *bin_start,
                          __global const uint *bin_count, __global const uint *order,
                          __global const float4 *nbp, __global const float *conc, __global const float *tparams,
                          __global float *npx, __global float *npy, __global float *npz,
                          __global float *nux, __global float *nuy, __global float *nuz,
                          int nx, int ny, int nz, float dx, float sx, float sy, float sz,
                          int nb_range, float partner_rmax, float inv_dx, uint seed_lo, uint seed_hi, uint step, float dt,
                          __global const float *pert, uint npert, float t_min)
{
    /* Work-items take agents in cell-list order (order[] is a permutation of the live
       slots, sorted by voxel), so neighbouring work-items read the same neighbour bins
       and cache lines; each agent's result does not depend on which work-item runs it. */
    uint g = get_global_id(0);
    if (g >= (uint)counters[CTR_N_AGENTS]) return;
    uint i = order[g];
    __global const float *tp = tparams + (uint)type[i] * TP_COUNT;
    ulong myid = id[i];
    float3 pos = (float3)(px[i], py[i], pz[i]);
    float3 dir = (float3)(ux[i], uy[i], uz[i]);

    /* random walk: maybe turn */
    float4 r = ps_rand4(seed_lo, seed_hi, myid, step, RNG_TURN);
    if (r.x < tp[TP_P_TURN]) dir = ps_unit_vector(r.y, r.z);
    float3 vel = tp[TP_SPEED] * dir;

    /* chemotaxis */
    uint v = voxel_of[i];
    int x = (int)(v % (uint)nx), y = (int)((v / (uint)nx) % (uint)ny), z = (int)(v / ((uint)nx * ny));
    int cf = (int)tp[TP_CHEMO_FIELD];
    if (cf >= 0 && tp[TP_CHEMO_SPEED] > 0.0f) {
        __global const float *c = conc + (size_t)cf * nx * ny * nz;
        float c0 = ps_field_at(c, x, y, z, nx, ny);
        int xl = max(x - 1, 0), xr = min(x + 1, nx - 1);
        int yl = max(y - 1, 0), yr = min(y + 1, ny - 1);
        int zl = max(z - 1, 0), zr = min(z + 1, nz - 1);
        float3 grad = (float3)(0.0f);
        if (xr > xl) grad.x = (ps_field_at(c, xr, y, z, nx, ny) - ps_field_at(c, xl, y, z, nx, ny)) / ((xr - xl) * dx);
        if (yr > yl) grad.y = (ps_field_at(c, x, yr, z, nx, ny) - ps_field_at(c, x, yl, z, nx, ny)) / ((yr - yl) * dx);
        if (zr > zl) grad.z = (ps_field_at(c, x, y, zr, nx, ny) - ps_field_at(c, x, y, zl, nx, ny)) / ((zr - zl) * dx);
        /* sensed through the receptor: a block scales C (and its gradient) */
        float q = ps_receptor_kept(pert, npert, cf, (int)type[i], t_min);
        c0 *= q;
        grad *= q;
        float kd = tp[TP_CHEMO_KD];
        float denom = fmax(c0, 0.0f) + kd;
        float3 gf = grad * (kd / (denom * denom));
        float gn = length(gf);
        if (gn > 0.0f) vel += tp[TP_CHEMO_SPEED] * (gn / (gn + tp[TP_CHEMO_HALF])) * (gf / gn);
    }

    /* soft-sphere repulsion from neighbours in the cell list: the bins of one row of the
       neighbourhood are consecutive in the list, so each row is one strip of nbp
       (position, radius), read in the order the bins and their ids give */
    float ri = tp[TP_RADIUS];
    float rep = tp[TP_REPULSION];
    if (rep > 0.0f) {
        float3 push = (float3)(0.0f);
        /* only the voxels within contact reach of the cell itself (its radius plus the
           largest radius of a type that can be in this tissue): in a coarse grid (40-µm
           voxels, 13-µm contacts for a neutrophil in the nerve) most of the 27 are too far
           for any partner, and leaving them out changes no sum (ps_reach_box never drops
           a partner in range) */
        float reach = ri + partner_rmax;
        int2 bx = ps_reach_box(pos.x, inv_dx, dx, nb_range, reach);
        int2 by = ps_reach_box(pos.y, inv_dx, dx, nb_range, reach);
        int2 bz = ps_reach_box(pos.z, inv_dx, dx, nb_range, reach);
        int x0 = max(x + bx.x, 0), x1 = min(x + bx.y, nx - 1);
        for (int zz = max(z + bz.x, 0); zz <= min(z + bz.y, nz - 1); zz++)
            for (int yy = max(y + by.x, 0); yy <= min(y + by.y, ny - 1); yy++) {
                uint row = (uint)((zz * ny + yy) * nx);
                uint k0 = bin_start[row + (uint)x0];
                uint k1 = bin_start[row + (uint)x1] + bin_count[row + (uint)x1];
                for (uint k = k0; k < k1; k++) {
                    if (k == g) continue;
                    float4 q = nbp[k];
                    float rsum = ri + q.w;
                    float3 d = pos - q.xyz;
                    float d2 = dot(d, d);
                    if (d2 >= rsum * rsum) continue;
                    float dist = sqrt(d2);
                    float3 u;
                    if (dist > 1e-4f) u = d / dist;
                    else u = (float3)(myid < id[order[k]] ? -1.0f : 1.0f, 0.0f, 0.0f);
                    push += rep * (1.0f - dist / rsum) * u;
                }
            }
        float pl = length(push) * dt;
        if (pl > ri) push *= ri / pl;
        vel += push;
    }

    /* move and reflect */
    float3 np = pos + dt * vel;
    float ddx = dir.x, ddy = dir.y, ddz = dir.z;
    npx[i] = ps_reflect(np.x, sx, &ddx);
    npy[i] = ps_reflect(np.y, sy, &ddy);
    npz[i] = ps_reflect(np.z, sz, &ddz);
    nux[i] = ddx; nuy[i] = ddy; nuz[i] = ddz;
}
