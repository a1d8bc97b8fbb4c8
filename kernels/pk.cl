/* pk.cl — drug exposure and JAK inhibition, computed on the device every step.
 *
 * One work-item evaluates, for time t, each drug's plasma concentration (one
 * compartment, instantaneous absorption; a course of `count` doses every `every`
 * minutes sums as a geometric series), each tissue's exposure C_T = fraction * C, the
 * per-JAK inhibition I = C_T / (C_T + IC50) combined over drugs as 1 - prod(1 - I), and
 * for every mediator the share of its signalling left: J = prod over the JAKs it needs
 * of (1 - I). Kernels that sense mediators multiply by J. Tiny work, but it keeps the
 * step free of host-to-device copies.
 */
#include "common.cl"

__kernel void pk_factors(__global const float *drugs, __global const float *courses,
                         __global const float *tfrac, __global const int *medjak,
                         uint nd, uint nt, uint nmed, float t_min,
                         __global float *J, __global float *conc)
{
    if (get_global_id(0) != 0) return;
    float c[PK_MAX_DRUGS];
    for (uint d = 0; d < nd; d++) {
        __global const float *dg = drugs + d * DG_SIZE;
        float ke = dg[DG_KE], sum = 0.0f;
        int nco = (int)dg[DG_NCOURSES];
        for (int k = 0; k < nco; k++) {
            __global const float *co = courses + (d * PK_MAX_COURSES + k) * CO_SIZE;
            float start = co[CO_START], every = co[CO_EVERY], count = co[CO_COUNT];
            if (t_min < start) continue;
            float m = fmin(count, floor((t_min - start) / every) + 1.0f);
            float t_last = start + (m - 1.0f) * every;
            float r = exp(-ke * every);
            float series = r < 1.0f ? (1.0f - pow(r, m)) / (1.0f - r) : m;
            sum += co[CO_DOSE] * exp(-ke * (t_min - t_last)) * series;
        }
        c[d] = dg[DG_FACTOR] * sum;
    }
    for (uint t = 0; t < nt; t++) {
        float keep[PK_N_JAKS] = {1.0f, 1.0f, 1.0f, 1.0f};   /* 1 - I per JAK */
        for (uint d = 0; d < nd; d++) {
            float ct = tfrac[d * nt + t] * c[d];
            conc[d * nt + t] = ct;
            for (int j = 0; j < PK_N_JAKS; j++) {
                float ic50 = drugs[d * DG_SIZE + DG_IC50 + j];
                if (ic50 > 0.0f) keep[j] *= ic50 / (ct + ic50);
            }
        }
        for (uint m = 0; m < nmed; m++) {
            float f = 1.0f;
            for (int j = 0; j < PK_N_JAKS; j++)
                if (medjak[m * PK_N_JAKS + j]) f *= keep[j];
            J[t * nmed + m] = f;
        }
    }
}
