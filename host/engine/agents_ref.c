/* agents_ref.c — the plain-C reference of agents_move on host arrays (brute-force
 * neighbours instead of the cell list), for tests: the same float arithmetic and Philox
 * draws as kernels/agents_move.cl, so a step compares to round-off.
 */
#include "agents_impl.h"

#include <math.h>

static float agents_reflect_ref(float x, float len, float *dir)
{
    if (x < 0.0f) {
        x = -x;
        *dir = -*dir;
    } else if (x > len) {
        x = 2.0f * len - x;
        *dir = -*dir;
    }
    return x < 0.0f ? 0.0f : x > len ? len : x;
}

static int agents_voxel_axis_ref(float x, float inv_dx, int n)
{
    int i = (int)floorf(x * inv_dx);
    return i < 0 ? 0 : i > n - 1 ? n - 1 : i;
}

void agents_move_ref(const scenario *s, int t, const field_params *fp, const float *conc,
                     const agents_host *h, uint32_t step, float *out_pos, float *out_dir)
{
    tissue_grid g;
    tissue_grid_init(&g, &s->tissues[t]);
    float tp[SCN_MAX_TYPES * TP_COUNT];
    agents_type_table(s, t, fp, s->dt_min, tp);
    uint32_t seed_lo = (uint32_t)s->seed, seed_hi = (uint32_t)(s->seed >> 32);
    int nx = g.dims[0], ny = g.dims[1], nz = g.dims[2];
    float dx = (float)g.voxel_um, dt = (float)s->dt_min, inv_dx = (float)(1.0 / g.voxel_um);
    for (size_t i = 0; i < h->n; i++) {
        const float *row = tp + h->type[i] * TP_COUNT;
        float pos[3] = {h->pos[3 * i], h->pos[3 * i + 1], h->pos[3 * i + 2]};
        float dir[3] = {h->dir[3 * i], h->dir[3 * i + 1], h->dir[3 * i + 2]};
        float r[4];
        agents_rand4(seed_lo, seed_hi, h->id[i], step, RNG_TURN, r);
        if (r[0] < row[TP_P_TURN]) agents_unit_vector(r[1], r[2], dir);
        float vel[3];
        for (int a = 0; a < 3; a++) vel[a] = row[TP_SPEED] * dir[a];
        int x = agents_voxel_axis_ref(pos[0], inv_dx, nx);
        int y = agents_voxel_axis_ref(pos[1], inv_dx, ny);
        int z = agents_voxel_axis_ref(pos[2], inv_dx, nz);
        int cf = (int)row[TP_CHEMO_FIELD];
        if (cf >= 0 && row[TP_CHEMO_SPEED] > 0.0f) {
            const float *c = conc + (size_t)cf * g.dims[0] * g.dims[1] * g.dims[2];
#define AT(X, Y, Z) c[((size_t)(Z) * ny + (Y)) * nx + (X)]
            int lo[3] = {x > 0 ? x - 1 : 0, y > 0 ? y - 1 : 0, z > 0 ? z - 1 : 0};
            int hi[3] = {x < nx - 1 ? x + 1 : nx - 1, y < ny - 1 ? y + 1 : ny - 1,
                         z < nz - 1 ? z + 1 : nz - 1};
            float gr[3] = {0, 0, 0};
            if (hi[0] > lo[0]) gr[0] = (AT(hi[0], y, z) - AT(lo[0], y, z)) / ((hi[0] - lo[0]) * dx);
            if (hi[1] > lo[1]) gr[1] = (AT(x, hi[1], z) - AT(x, lo[1], z)) / ((hi[1] - lo[1]) * dx);
            if (hi[2] > lo[2]) gr[2] = (AT(x, y, hi[2]) - AT(x, y, lo[2])) / ((hi[2] - lo[2]) * dx);
            float c0 = AT(x, y, z);
#undef AT
            float kd = row[TP_CHEMO_KD];
            float den = fmaxf(c0, 0.0f) + kd;
            float sc = kd / (den * den);
            float gf[3] = {gr[0] * sc, gr[1] * sc, gr[2] * sc};
            float gn = sqrtf(gf[0] * gf[0] + gf[1] * gf[1] + gf[2] * gf[2]);
            if (gn > 0.0f)
                for (int a = 0; a < 3; a++)
                    vel[a] += row[TP_CHEMO_SPEED] * (gn / (gn + row[TP_CHEMO_HALF])) * (gf[a] / gn);
        }
        float ri = row[TP_RADIUS], rep = row[TP_REPULSION];
        if (rep > 0.0f) {
            float push[3] = {0, 0, 0};
            for (size_t j = 0; j < h->n; j++) {
                if (j == i) continue;
                float rsum = ri + tp[h->type[j] * TP_COUNT + TP_RADIUS];
                float d[3] = {pos[0] - h->pos[3 * j], pos[1] - h->pos[3 * j + 1],
                              pos[2] - h->pos[3 * j + 2]};
                float d2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
                if (d2 >= rsum * rsum) continue;
                float dist = sqrtf(d2);
                float u[3] = {h->id[i] < h->id[j] ? -1.0f : 1.0f, 0, 0};
                if (dist > 1e-4f)
                    for (int a = 0; a < 3; a++) u[a] = d[a] / dist;
                for (int a = 0; a < 3; a++) push[a] += rep * (1.0f - dist / rsum) * u[a];
            }
            float pl = sqrtf(push[0] * push[0] + push[1] * push[1] + push[2] * push[2]) * dt;
            if (pl > ri)
                for (int a = 0; a < 3; a++) push[a] *= ri / pl;
            for (int a = 0; a < 3; a++) vel[a] += push[a];
        }
        for (int a = 0; a < 3; a++) {
            float np = pos[a] + dt * vel[a];
            out_pos[3 * i + a] = agents_reflect_ref(np, (float)g.size_um[a], &dir[a]);
            out_dir[3 * i + a] = dir[a];
        }
    }
}
