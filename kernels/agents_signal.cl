/* agents_signal.cl — what each cell senses and decides, once per step.
 *
 * Per cell, from the concentrations in its voxel (after this step's field update):
 *   sensed x = C * J[m] * (1 - receptor block), J = JAK factor from pk.cl (times 1 - I of the
 *     relaying JAK for a driver with via_jak);
 *   JAK/STAT3 (types with it enabled), linearly implicit so any dt is stable:
 *     A = 1 - prod_a (1 - H_a),  g = 1 / ((1 + S/K)(1 + x_inh/IC50))
 *     P <- (P + dt k_on A g) / (1 + dt (k_on A g + k_off))
 *     S <- (S + dt syn P) / (1 + dt dec)
 *   state transitions: competing hazards from the current state,
 *     h_k = (rate + sum_d rate_d H_d + pstat3_rate P) * prod_i 1/(1 + x_i/IC50_i) * prod_g H_g,
 *     one fires with probability 1 - exp(-dt sum h), chosen in proportion to h_k;
 *   fate: death hazard (type + active depletions), division hazard (type + drivers, times the
 *     division_factor of the cell's state after this step's transition),
 *     drawn as in the previous engine step (RNG_FATE).
 *   Both draws are made first: the Hill terms of transitions and division are evaluated
 *   only when the draw lies below the firing probability of the rates alone (an upper
 *   bound of the hazard), so most cells skip them and the outcome is the same bits.
 *   nociceptor compartments (ids with NEURON_ID_BIT): the peripheral terminal flags its
 *     neuron when the lesion happens inside the lesion region; every compartment follows
 *     its neuron's injury through a first-order lag (transport delay), is "injured" while
 *     that exceeds 0.5 and copies its neuron's afferent activity A (for activity-graded
 *     release); the soma publishes its pSTAT3 and the terminals follow it through the same
 *     lag (for STAT3-graded release); each relaxes its part of the pain readout with the
 *     pain time constant:
 *       soma        E_soma -> max(0, (u + (1 - u) L) (1 + w_P P) sum_soma w H(x)), and injury_weight L
 *       peripheral  E_per  -> max(0, (1 + w_P P) sum_peripheral w H(x))
 *       central     G      -> max(0, act_gain A / (A + act_K) + sum_central w H(x))
 *     with P its neuron's primed state (w_P = NP_PRIME_WEIGHT); terms with the priming role
 *     add nothing to E: their w H(x) (ungated) is the trigger neurons_update induces P with.
 *     Each writes E, with each term's current value, to its neuron's signal rows (nsig,
 *     read by neurons_update next step).
 * Each work-item writes only its own cell (and its own neuron's rows for its compartment):
 * order-free.
 */
#include "common.cl"

/* Sensed concentration of tissue-local field f (mediator m) for this cell. */
inline float ps_sense_field(int f, int m, __global const float *conc, uint v, uint nvox,
                            __global const float *J, __global const float *pert, uint npert,
                            float t_min, int type)
{
    if (f < 0) return 0.0f;
    float x = conc[(size_t)f * nvox + v] * J[m] * ps_receptor_kept(pert, npert, f, type, t_min);
    return fmax(x, 0.0f);
}

/* Sensed concentration of a driver record; a driver relayed by a JAK (DR_JROW >= 0) is
   scaled by 1 - I of that JAK too. */
inline float ps_sense(__global const float *dr, __global const float *conc, uint v, uint nvox,
                      __global const float *J, __global const float *pert, uint npert,
                      float t_min, int type)
{
    int jr = (int)dr[DR_JROW];
    return ps_sense_field((int)dr[DR_FIELD], (int)dr[DR_MED], conc, v, nvox, J, pert, npert,
                          t_min, type) * (jr >= 0 ? J[jr] : 1.0f);
}

__kernel void agents_signal(__global const ulong *counters, __global const ulong *id,
                            __global const uchar *type, __global uchar *state,
                            __global float *vars, uint cap, __global const uint *voxel_of,
                            __global const float *conc, uint nvox,
                            __global const float *Jall, uint jrow, __global const float *sig,
                            __global const float *tparams, __global const float *pert,
                            uint npert, __global uchar *flag, __global const float *np,
                            __global const float *neuron_injury, __global uint *lesion_flag,
                            __global float *nsig, __global const float *nstate, uint nn,
                            __global const uint *region_mask,
                            uint seed_lo, uint seed_hi, uint step, float t_min, float dt)
{
    uint i = get_global_id(0);
    if (i >= (uint)counters[CTR_N_AGENTS]) return;
    __global const float *J = Jall + jrow;
    int t = type[i];
    int s = state[i];
    uint v = voxel_of[i];
    ulong myid = id[i];
    __global const float *st = sig + t * ST_COUNT;
    __global const float *tp = tparams + t * TP_COUNT;

    /* JAK/STAT3 */
    float P = vars[(size_t)VAR_PSTAT3 * cap + i];
    if (st[ST_JAK_ON] > 0.0f) {
        float S = vars[(size_t)VAR_SOCS3 * cap + i];
        float none = 1.0f;
        int na = (int)st[ST_JAK_NACT];
        for (int a = 0; a < na; a++) {
            __global const float *dr = st + ST_JAK_ACT + a * DR_SIZE;
            float x = ps_sense(dr, conc, v, nvox, J, pert, npert, t_min, t);
            none *= 1.0f - ps_hill(x, dr[DR_EC50], dr[DR_HILL]);
        }
        float A = 1.0f - none;
        float g = 1.0f / (1.0f + S / st[ST_SOCS_K]);
        __global const float *inh = st + ST_JAK_INH;
        if ((int)inh[DR_FIELD] >= 0)
            g /= 1.0f + ps_sense(inh, conc, v, nvox, J, pert, npert, t_min, t) / inh[DR_EC50];
        float on = st[ST_KON] * A * g;
        P = (P + dt * on) / (1.0f + dt * (on + st[ST_KOFF]));
        S = (S + dt * st[ST_SOCS_SYN] * P) / (1.0f + dt * st[ST_SOCS_DEC]);
        vars[(size_t)VAR_PSTAT3 * cap + i] = P;
        vars[(size_t)VAR_SOCS3 * cap + i] = S;
    }

    /* state transitions. The drivers (Hill terms) are evaluated only when the draw could
       fire one: every factor of a hazard is at most 1 (H, 1/(1 + x/IC50), gates) and its
       rates are not negative, so htot <= hmax, the sum of the rates alone in the same
       order, exactly in floats; a draw at or above 1 - exp(-hmax dt) (widened by 1e-5
       for expm1's error) fires nothing whatever the drivers, as the full computation would
       find. */
    int ntr = (int)st[ST_NTR];
    float hmax = 0.0f;
    int bounded = 1, terms = 0;
    for (int k = 0; k < ntr; k++) {
        __global const float *tr = st + ST_TR + k * TR_SIZE;
        if ((int)tr[TR_FROM] != s) continue;
        terms += (int)tr[TR_NDR] + (int)tr[TR_NIN] + (int)tr[TR_NGT];
        float rm = tr[TR_RATE] + tr[TR_PSTAT3] * P;
        for (int d = 0; d < (int)tr[TR_NDR]; d++) {
            float dr_rate = tr[TR_DRIVERS + d * DR_SIZE + DR_RATE];
            bounded = bounded && dr_rate >= 0.0f;
            rm += dr_rate;
        }
        bounded = bounded && tr[TR_RATE] >= 0.0f && tr[TR_PSTAT3] >= 0.0f && P >= 0.0f;
        hmax += rm;
    }
    /* no hazard at all (no transition from this state): no draw either, as before */
    float4 rs = (float4)(0.0f);
    if (bounded && hmax == 0.0f) ntr = 0;
    else rs = ps_rand4(seed_lo, seed_hi, myid, step, RNG_SWITCH);
    if (bounded && terms > 0 && rs.x >= -expm1(-hmax * dt) * (1.0f + 1e-5f)) ntr = 0;
    float htot = 0.0f;
    float h[MAX_TR];
    for (int k = 0; k < ntr; k++) {
        __global const float *tr = st + ST_TR + k * TR_SIZE;
        h[k] = 0.0f;
        if ((int)tr[TR_FROM] != s) continue;
        float rate = tr[TR_RATE] + tr[TR_PSTAT3] * P;
        int nd = (int)tr[TR_NDR], ni = (int)tr[TR_NIN];
        for (int d = 0; d < nd; d++) {
            __global const float *dr = tr + TR_DRIVERS + d * DR_SIZE;
            rate += dr[DR_RATE] * ps_hill(ps_sense(dr, conc, v, nvox, J, pert, npert, t_min, t),
                                          dr[DR_EC50], dr[DR_HILL]);
        }
        for (int d = 0; d < ni; d++) {
            __global const float *dr = tr + TR_INHIB + d * DR_SIZE;
            rate /= 1.0f + ps_sense(dr, conc, v, nvox, J, pert, npert, t_min, t) / dr[DR_EC50];
        }
        for (int d = 0; d < (int)tr[TR_NGT]; d++) {
            __global const float *dr = tr + TR_GATES + d * DR_SIZE;
            rate *= ps_hill(ps_sense(dr, conc, v, nvox, J, pert, npert, t_min, t), dr[DR_EC50], dr[DR_HILL]);
        }
        h[k] = rate;
        htot += rate;
    }
    if (htot > 0.0f) {
        float4 r = rs;
        if (r.x < -expm1(-htot * dt)) {
            float pick = r.y * htot, acc = 0.0f;
            int chosen = -1;
            for (int k = 0; k < ntr && chosen < 0; k++) {
                acc += h[k];
                if (h[k] > 0.0f && pick <= acc) chosen = k;
            }
            if (chosen < 0) {            /* rounding at the top end: last firing one */
                for (int k = ntr - 1; k >= 0 && chosen < 0; k--)
                    if (h[k] > 0.0f) chosen = k;
            }
            state[i] = (uchar)(int)st[ST_TR + chosen * TR_SIZE + TR_TO];
        }
    }

    /* fate */
    float hd = tp[TP_DEATH_RATE];
    for (uint k = 0; k < npert; k++) {
        __global const float *p = pert + k * PT_SIZE;
        if ((int)p[PT_KIND] == PTK_DEPLETION && (int)p[PT_TYPE] == t && t_min >= p[PT_START] &&
            t_min < p[PT_STOP])
            hd += p[PT_RATE];
    }
    float4 f = ps_rand4(seed_lo, seed_hi, myid, step, RNG_FATE);
    uchar fl = AF_ALIVE;
    if (f.x < -expm1(-hd * dt)) {
        fl = AF_DEAD;
    } else {
        /* division: the drivers only when the draw could divide, bounded as above */
        int ndiv = (int)st[ST_NDIV];
        float dfac = st[ST_DIV_FACTOR + state[i]];   /* the state after this step's transition */
        int need = 1;
        if (ndiv > 0) {     /* without drivers there is nothing to skip */
            float hvmax = tp[TP_DIVIDE_RATE];
            int dbounded = hvmax >= 0.0f && dfac >= 0.0f;
            for (int d = 0; d < ndiv; d++) {
                float dr_rate = st[ST_DIV + d * DR_SIZE + DR_RATE];
                dbounded = dbounded && dr_rate >= 0.0f;
                hvmax += dr_rate;
            }
            need = !(dbounded && f.y >= -expm1(-(hvmax * dfac) * dt) * (1.0f + 1e-5f));
        }
        if (need) {
            float hv = tp[TP_DIVIDE_RATE];
            for (int d = 0; d < ndiv; d++) {
                __global const float *dr = st + ST_DIV + d * DR_SIZE;
                hv += dr[DR_RATE] * ps_hill(ps_sense(dr, conc, v, nvox, J, pert, npert, t_min, t),
                                            dr[DR_EC50], dr[DR_HILL]);
            }
            hv *= dfac;
            if (f.y < -expm1(-hv * dt)) fl = AF_DIVIDE;
        }
    }
    flag[i] = fl;

    /* nociceptor compartments */
    if (np[NP_ENABLED] == 0.0f || PS_ID_IS_NEURON(myid) == 0ul) return;
    uint code = (uint)PS_ID_NEURON_CODE(myid);
    uint neuron = code / 3u, comp = code % 3u;
    int lesion = (int)np[NP_LESION_REGION];
    float lesion_t = np[NP_LESION_MIN];
    if (comp == NC_PERIPHERAL && lesion >= 0 && t_min <= lesion_t && lesion_t < t_min + dt &&
        ((region_mask[v] >> lesion) & 1u))
        lesion_flag[neuron] = 1u;
    float L = vars[(size_t)VAR_INJURY * cap + i];
    L += (neuron_injury[neuron] - L) * -expm1(-dt * np[NP_LAG_RATE]);
    vars[(size_t)VAR_INJURY * cap + i] = L;
    state[i] = (uchar)(int)(L > 0.5f ? np[NP_INJURED + comp] : np[NP_INTACT + comp]);
    float A = nstate[NX_ACTIVITY * nn + neuron];
    vars[(size_t)VAR_ACTIVITY * cap + i] = A;
    if (comp == NC_SOMA) {          /* the soma senses what repairs its neuron */
        nsig[NS_STAT3 * nn + neuron] = P;   /* and publishes its pSTAT3 (0 without jak_stat3) */
        float rep = 0.0f;
        int nrep = (int)np[NP_NREPAIR];
        for (int k = 0; k < nrep; k++) {
            __global const float *pr = np + NP_REPAIR + k * PN_SIZE;
            float x = ps_sense_field((int)pr[PN_FIELD], (int)pr[PN_MED], conc, v, nvox, J, pert,
                                     npert, t_min, t);
            rep += pr[PN_WEIGHT] * ps_hill(x, pr[PN_EC50], pr[PN_HILL]);
        }
        nsig[NS_REPAIR * nn + neuron] = rep;
        nsig[NS_INTRINSIC * nn + neuron] = np[NP_INJURY_WEIGHT] * L;
    } else if (st[ST_JAK_ON] == 0.0f) {     /* terminals: the soma's pSTAT3, through the lag */
        P += (nstate[NX_STAT3 * nn + neuron] - P) * -expm1(-dt * np[NP_LAG_RATE]);
        vars[(size_t)VAR_PSTAT3 * cap + i] = P;
    }
    /* this compartment's terms: soma ectopic activity is gated by injury (uninjured
       neurons respond with NP_UNINJURED of it); the central gain adds the
       activity-dependent part */
    float gate = comp == NC_SOMA ? np[NP_UNINJURED] + (1.0f - np[NP_UNINJURED]) * L : 1.0f;
    if (comp != NC_CENTRAL) gate *= 1.0f + np[NP_PRIME_WEIGHT] * nstate[NX_PRIME * nn + neuron];
    float target = comp == NC_CENTRAL ? np[NP_ACT_GAIN] * A / (A + np[NP_ACT_K]) : 0.0f;
    int nterms = (int)np[NP_NTERMS];
    for (int k = 0; k < nterms; k++) {
        __global const float *pt = np + NP_TERMS + k * PN_SIZE;
        if ((uint)pt[PN_SITE] != comp) continue;
        float x = ps_sense_field((int)pt[PN_FIELD], (int)pt[PN_MED], conc, v, nvox, J, pert,
                                 npert, t_min, t);
        float h = pt[PN_WEIGHT] * ps_hill(x, pt[PN_EC50], pt[PN_HILL]);
        if (pt[PN_ROLE] != 0.0f) {  /* a priming trigger: read by neurons_update only */
            nsig[(NS_TERM0 + k) * nn + neuron] = h;
            continue;
        }
        float c = gate * h;
        nsig[(NS_TERM0 + k) * nn + neuron] = c;
        target += c;
    }
    target = fmax(target, 0.0f);
    float E = vars[(size_t)VAR_EXCIT * cap + i];
    E += (target - E) * -expm1(-dt * np[NP_E_RATE]);
    vars[(size_t)VAR_EXCIT * cap + i] = E;
    nsig[(comp == NC_SOMA ? NS_ESOMA : comp == NC_PERIPHERAL ? NS_EPER : NS_GAIN) * nn + neuron] = E;
}
