/* pk.cl — drug exposure and JAK inhibition, computed on the device every step.
 *
 * One work-item evaluates, for time t, each drug's unbound concentration in the
 * compartment it is given into (plasma water for a systemic drug, CSF for an intrathecal
 * one; one compartment), each tissue's exposure C_T = fraction * C, the per-JAK
 * inhibition I = C_T / (C_T + IC50) combined over drugs as 1 - prod(1 - I), and for every
 * mediator the share of its signalling left: J = 1 - I of its rate-limiting JAK, followed in
 * the tissue's row by 1 - I of each JAK (for drivers relayed by a JAK, via_jak). Kernels
 * that sense mediators multiply by J. A course of `count` doses every `every` minutes sums
 * as a geometric series per exponential (closed form, no loop over doses): a bolus is
 * e^{-ke tau}, an oral dose with absorption ka/(ka-ke) (e^{-ke tau} - e^{-ka tau}), an
 * infusion of length T (1 - e^{-ke tau})/(ke T) while it runs and decays after it ends.
 * Tiny work, but it keeps the step free of host-to-device copies. pk.c has the same
 * formulas in double precision (pk_plasma_nM_ref).
 */
#include "common.cl"

/* sum over the m doses of a course, the last at t_last, of e^{-k (t - t_j)} */
static float pk_series(float k, float t, float t_last, float every, float m)
{
    if (m <= 0.0f) return 0.0f;
    float r = exp(-k * every);
    float series = r < 1.0f ? (1.0f - pow(r, m)) / (1.0f - r) : m;
    return exp(-k * (t - t_last)) * series;
}

__kernel void pk_factors(__global const float *drugs, __global const float *courses,
                         __global const float *tfrac, __global const int *medjak,
                         uint nd, uint nt, uint nmed, float t_min,
                         __global float *J, __global float *conc)
{
    if (get_global_id(0) != 0) return;
    float c[PK_MAX_DRUGS];
    for (uint d = 0; d < nd; d++) {
        __global const float *dg = drugs + d * DG_SIZE;
        float ke = dg[DG_KE], ka = dg[DG_KA], amp = dg[DG_AMP], sum = 0.0f;
        int nco = (int)dg[DG_NCOURSES];
        for (int k = 0; k < nco; k++) {
            __global const float *co = courses + (d * PK_MAX_COURSES + k) * CO_SIZE;
            float start = co[CO_START], every = co[CO_EVERY], count = co[CO_COUNT], T = co[CO_INFUSION];
            if (t_min < start) continue;
            float m = fmin(count, floor((t_min - start) / every) + 1.0f);
            float t_last = start + (m - 1.0f) * every;
            float tau = t_min - t_last;
            if (T > 0.0f) {
                /* doses whose infusion has ended act as boluses given at their end */
                float done = tau >= T ? m : m - 1.0f;
                float t_end = (tau >= T ? t_last : t_last - every) + T;
                float whole = -expm1(-ke * T) / (ke * T);
                float running = tau < T ? -expm1(-ke * tau) / (ke * T) : 0.0f;
                sum += co[CO_DOSE] * (whole * pk_series(ke, t_min, t_end, every, done) + running);
            } else {
                float s = pk_series(ke, t_min, t_last, every, m);
                if (ka > 0.0f) s = amp * (s - pk_series(ka, t_min, t_last, every, m));
                sum += co[CO_DOSE] * s;
            }
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
        uint row = t * (nmed + PK_N_JAKS);     /* J of each mediator, then 1 - I of each JAK */
        for (uint m = 0; m < nmed; m++) {
            int j = medjak[m];
            J[row + m] = j >= 0 ? keep[j] : 1.0f;
        }
        for (int j = 0; j < PK_N_JAKS; j++) J[row + nmed + j] = keep[j];
    }
}
