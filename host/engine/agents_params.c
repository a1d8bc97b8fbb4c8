/* agents_params.c — the scenario's cell types as the float tables the kernels read
 * (layouts in kernels/params.h): per-type movement and fate, per-(type, state)
 * secretion and uptake in the tissue's voxel units, contact and recruitment rules, and
 * the halo width they imply for domain decomposition. Units are converted here, once
 * (1/h -> 1/min, molecules -> nM of one voxel).
 */
#include "agents_impl.h"

#include <math.h>
#include <string.h>

/* host/device layout equalities (kernels/params.h) */
_Static_assert(PS_MAX_STATES == SCN_MAX_STATES, "state tables: PS_MAX_STATES must equal SCN_MAX_STATES");
_Static_assert(PS_MAX_TYPES == SCN_MAX_TYPES, "type tables: PS_MAX_TYPES must equal SCN_MAX_TYPES");
_Static_assert(CT_MAX == SCN_MAX_TYPES * SCN_MAX_CONTACTS,
               "contact rules: CT_MAX must equal SCN_MAX_TYPES x SCN_MAX_CONTACTS");
_Static_assert(AGENTS_NVARS == PS_NVARS_DEFAULT, "per-agent variables: AGENTS_NVARS is PS_NVARS_DEFAULT");
_Static_assert(sizeof(cl_ulong) == sizeof(uint64_t) && sizeof(cl_uint) == sizeof(uint32_t),
               "ids and counters are copied between uint64_t/uint32_t and cl_ulong/cl_uint arrays");

static const char *const agents_var_names[AGENTS_NVARS] = {"age_h", "pstat3", "socs3",
                                                            "injury", "excitability", "activity"};
static const char *const agents_var_units[AGENTS_NVARS] = {"h", "1", "1", "1", "1", "1"};

const char *agents_var_name(int k) { return agents_var_names[k]; }
const char *agents_var_unit(int k) { return agents_var_units[k]; }

void agents_type_table(const scenario *s, int t, const field_params *fp, double dt_min,
                       float *tp)
{
    (void)t;
    for (int ty = 0; ty < s->n_types; ty++) {
        const scn_cell_type *c = &s->types[ty];
        float *row = tp + ty * TP_COUNT;
        row[TP_SPEED] = (float)c->speed_um_per_min;
        row[TP_P_TURN] = (float)(-expm1(-dt_min / c->persistence_min));
        row[TP_REPULSION] = (float)c->repulsion_um_per_min;
        row[TP_RADIUS] = (float)c->radius_um;
        row[TP_DEATH_RATE] = (float)(c->death_rate_per_h / 60.0);
        row[TP_DIVIDE_RATE] = (float)(c->division_rate_per_h / 60.0);
        int m = c->chemotaxis_mediator;
        row[TP_CHEMO_FIELD] = (float)(m >= 0 ? fp->local_of[m] : -1);
        row[TP_CHEMO_SPEED] = (float)c->chemotaxis_speed_um_per_min;
        row[TP_CHEMO_KD] = (float)(c->chemotaxis_Kd_nM > 0 ? c->chemotaxis_Kd_nM : 1.0);
        row[TP_CHEMO_HALF] = (float)(c->chemotaxis_half_gradient_per_um > 0
                                         ? c->chemotaxis_half_gradient_per_um : 1.0);
    }
}

void agents_rate_tables(const scenario *s, int t, const field_params *fp, float *sec, float *upt)
{
    const scn_tissue *ts = &s->tissues[t];
    double vvox_um3 = ts->voxel_um * ts->voxel_um * ts->voxel_um;
    /* molecules -> nM in one voxel: n / (N_A * V[L]) * 1e9, V[L] = V[µm³] * 1e-15 */
    double molecules_to_nM = 1e9 / (6.02214076e23 * vvox_um3 * 1e-15);
    int nf = fp->nf;
    for (int ty = 0; ty < s->n_types; ty++)
        for (int st = 0; st < PS_MAX_STATES; st++)
            for (int f = 0; f < nf; f++) {
                size_t o = ((size_t)ty * PS_MAX_STATES + st) * nf + f;
                sec[o] = 0.0f;
                upt[o] = 0.0f;
                if (st >= s->types[ty].n_states) continue;
                const scn_state *S = &s->types[ty].states[st];
                int m = fp->mediator_of[f];
                sec[o] = (float)(S->secretion_molecules_per_min[m] * molecules_to_nM);
                upt[o] = (float)(S->uptake_um3_per_min[m] / vvox_um3);
            }
}

void agents_release_table(const scenario *s, int t, const field_params *fp, float *rel)
{
    const scn_tissue *ts = &s->tissues[t];
    double vvox_um3 = ts->voxel_um * ts->voxel_um * ts->voxel_um;
    double molecules_to_nM = 1e9 / (6.02214076e23 * vvox_um3 * 1e-15);
    int nf = fp->nf;
    memset(rel, 0, (size_t)(s->n_types > 0 ? s->n_types : 1) * (size_t)(nf > 0 ? nf : 1) * REL_SIZE * sizeof(float));
    const scn_neurons *n = &s->neurons;
    if (!n->enabled) return;
    const scn_compartment *site[3] = {&n->soma, &n->peripheral, &n->central};
    for (int k = 0; k < n->n_release; k++) {
        const scn_release *r = &n->release[k];
        const scn_compartment *c = site[r->site];
        int f = fp->local_of[r->mediator];
        if (c->tissue != t || f < 0) continue;
        float *o = rel + ((size_t)c->type * nf + f) * REL_SIZE;   /* one release per (site, mediator) */
        o[REL_INJURY] = (float)(r->per_injury_molecules_per_min * molecules_to_nM);
        o[REL_ACTIVITY] = (float)(r->per_activity_molecules_per_min * molecules_to_nM);
        o[REL_STAT3_GAIN] = (float)r->stat3_gain;
    }
}

/* The fields agents of this tissue can secrete or take up: on[f] = 1 where any (type,
 * state) of the rate tables or any neuronal release has a non-zero rate for f (a gain only
 * scales a secretion, a knockout only removes one), and their indices in list[]; returns
 * how many. The secretion kernel sums only those, the field solve reads agent terms only
 * for them. */
int agents_field_list(const scenario *s, int nf, const float *sec, const float *upt,
                      const float *rel, unsigned char *on, unsigned int *list)
{
    int n = 0;
    for (int f = 0; f < nf; f++) {
        on[f] = 0;
        for (int ty = 0; ty < s->n_types && !on[f]; ty++) {
            const float *r = rel + ((size_t)ty * nf + f) * REL_SIZE;
            if (r[REL_INJURY] != 0.0f || r[REL_ACTIVITY] != 0.0f) on[f] = 1;
            for (int st = 0; st < PS_MAX_STATES; st++) {
                size_t o = ((size_t)ty * PS_MAX_STATES + st) * nf + f;
                if (sec[o] != 0.0f || upt[o] != 0.0f) on[f] = 1;
            }
        }
        if (on[f]) list[n++] = (unsigned int)f;
    }
    return n;
}

/* CT_* rows of every type's contact rules; returns their number and the largest range
 * (µm, a rule without one reaches the sum of the two radii). */
int agents_contact_rules(const scenario *s, double dt_min, float *rows, double *reach)
{
    int n = 0;
    double rmax = 0;
    for (int ty = 0; ty < s->n_types; ty++)
        if (s->types[ty].radius_um > rmax) rmax = s->types[ty].radius_um;
    *reach = 0;
    for (int ty = 0; ty < s->n_types; ty++) {
        const scn_cell_type *ct = &s->types[ty];
        for (int k = 0; k < ct->n_contacts && n < CT_MAX; k++, n++) {
            const scn_contact *c = &ct->contacts[k];
            float *r = rows + (size_t)n * CT_SIZE;
            r[CT_ACTOR] = (float)ty;
            r[CT_FROM] = (float)c->from;
            r[CT_PARTNER] = (float)c->partner;
            r[CT_PSTATE] = (float)c->partner_state;
            r[CT_RANGE] = (float)c->range_um;
            r[CT_P] = (float)-expm1(-c->rate_per_h / 60.0 * dt_min);
            r[CT_EAT] = (float)c->eat;
            r[CT_TO] = (float)c->to;
            double reach_k = c->range_um > 0 ? c->range_um : 2.0 * rmax;
            if (reach_k > *reach) *reach = reach_k;
        }
    }
    return n;
}

/* RC_* rows of tissue t's recruitment rules; returns their number. */
int agents_recruit_rules(const scenario *s, int t, const field_params *fp, float *rows)
{
    const scn_tissue *ts = &s->tissues[t];
    double vvox_mm3 = ts->voxel_um * ts->voxel_um * ts->voxel_um * 1e-9;
    for (int k = 0; k < ts->n_recruitments; k++) {
        const scn_recruitment *rc = &ts->recruitments[k];
        float *r = rows + (size_t)k * RC_SIZE;
        r[RC_TYPE] = (float)rc->type;
        r[RC_STATE] = (float)rc->state;
        r[RC_REGION] = (float)rc->region;
        double fsex = s->sex == SCN_SEX_FEMALE ? rc->female_rate_factor : 1.0;
        r[RC_RATE] = (float)(rc->rate_per_mm3_per_h * fsex * vvox_mm3 * rc->barrier_permeability / 60.0);
        int m = rc->chemokine.mediator;
        r[RC_FIELD] = (float)(m >= 0 ? fp->local_of[m] : -1);
        r[RC_MED] = (float)(m >= 0 ? m : 0);
        r[RC_EC50] = (float)(rc->chemokine.EC50_nM > 0 ? rc->chemokine.EC50_nM : 1.0);
        r[RC_HILL] = (float)(rc->chemokine.hill > 0 ? rc->chemokine.hill : 1.0);
        r[RC_PRIME_FROM] = (float)(rc->priming_from_h * 60.0);
        r[RC_PRIME_PEAK] = (float)(rc->priming_peak_h * 60.0);
        /* The drive is at most 1, so lambda <= rate dt (with 0.1 % for rounding): a draw u
           below exp(-rate dt) - 1e-6 (the margin covers the kernel's exp, 3 ulp) lies below
           the Poisson CDF at 0 for any drive, and the kernel need not compute the drive. */
        r[RC_NONE_BELOW] = (float)(exp(-(double)r[RC_RATE] * s->dt_min * 1.001) - 1e-6);
    }
    return ts->n_recruitments;
}

int agents_halo_planes(const scenario *s, int t)
{
    double h = s->tissues[t].voxel_um, rmax = 0, reach = 0;
    for (int ty = 0; ty < s->n_types; ty++)
        if (s->types[ty].radius_um > rmax) rmax = s->types[ty].radius_um;
    float rows[CT_MAX * CT_SIZE];
    int nrules = agents_contact_rules(s, s->dt_min, rows, &reach);
    int nb_range = (int)ceil(2.0 * rmax / h), nb_contact = (int)ceil(reach / h);
    if (nb_range < 1) nb_range = 1;
    if (nb_contact < 1) nb_contact = 1;
    int H = nb_range;
    if (nrules > 0 && 2 * nb_contact > H) H = 2 * nb_contact;
    return H;
}
