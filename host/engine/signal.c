/* signal.c — see signal.h. Rates are converted from 1/h to 1/min here, once. */
#include "signal.h"

#include <string.h>

#include "../kernels/params.h"
#include "pk.h"

/* host/device layout equalities (kernels/params.h): the table has room for every driver,
 * inhibitor and transition a scenario may declare */
_Static_assert(MAX_DR == SCN_MAX_DRIVERS, "driver records: MAX_DR must equal SCN_MAX_DRIVERS");
_Static_assert(MAX_GT == SCN_MAX_GATES, "gate records: MAX_GT must equal SCN_MAX_GATES");
_Static_assert(MAX_TR == SCN_MAX_TRANSITIONS, "transition records: MAX_TR must equal SCN_MAX_TRANSITIONS");
_Static_assert(PS_MAX_TYPES == SCN_MAX_TYPES, "type tables: PS_MAX_TYPES must equal SCN_MAX_TYPES");

static void signal_driver(const scn_driver *d, const field_params *fp, int n_mediators, float *out)
{
    out[DR_FIELD] = (float)fp->local_of[d->mediator];
    out[DR_MED] = (float)d->mediator;
    out[DR_EC50] = (float)d->EC50_nM;
    out[DR_HILL] = (float)(d->hill > 0 ? d->hill : 1.0);
    out[DR_RATE] = (float)(d->rate_per_h / 60.0);
    out[DR_JROW] = (float)(d->via_jak > 0 ? pk_jak_row_index(n_mediators, d->via_jak - 1) : -1);
}

static void signal_inhibitor(int mediator, double ic50, const field_params *fp, float *out)
{
    out[DR_FIELD] = (float)(mediator >= 0 ? fp->local_of[mediator] : -1);
    out[DR_MED] = (float)(mediator >= 0 ? mediator : 0);
    out[DR_EC50] = (float)(ic50 > 0 ? ic50 : 1.0);
    out[DR_HILL] = 1.0f;
    out[DR_RATE] = 0.0f;
    out[DR_JROW] = -1.0f;
}

void signal_type_table(const scenario *s, const field_params *fp, float *sig)
{
    memset(sig, 0, (size_t)(s->n_types > 0 ? s->n_types : 1) * ST_COUNT * sizeof(float));
    for (int ty = 0; ty < s->n_types; ty++) {
        const scn_cell_type *c = &s->types[ty];
        float *st = sig + (size_t)ty * ST_COUNT;
        st[ST_NTR] = (float)c->n_transitions;
        for (int k = 0; k < c->n_transitions; k++) {
            const scn_transition *tr = &c->transitions[k];
            float *r = st + ST_TR + k * TR_SIZE;
            r[TR_FROM] = (float)tr->from;
            r[TR_TO] = (float)tr->to;
            r[TR_RATE] = (float)(tr->rate_per_h / 60.0);
            r[TR_PSTAT3] = (float)(tr->pstat3_rate_per_h / 60.0);
            r[TR_NDR] = (float)tr->n_drivers;
            r[TR_NIN] = (float)tr->n_inhibitors;
            for (int d = 0; d < tr->n_drivers; d++)
                signal_driver(&tr->drivers[d], fp, s->n_mediators, r + TR_DRIVERS + d * DR_SIZE);
            for (int d = 0; d < tr->n_inhibitors; d++)
                signal_inhibitor(tr->inhibitors[d].mediator, tr->inhibitors[d].IC50_nM, fp,
                                 r + TR_INHIB + d * DR_SIZE);
            r[TR_NGT] = (float)tr->n_gates;
            for (int d = 0; d < tr->n_gates; d++)
                signal_driver(&tr->gates[d], fp, s->n_mediators, r + TR_GATES + d * DR_SIZE);
        }
        st[ST_NDIV] = (float)c->n_division_drivers;
        for (int d = 0; d < c->n_division_drivers; d++)
            signal_driver(&c->division_drivers[d], fp, s->n_mediators, st + ST_DIV + d * DR_SIZE);
        for (int k = 0; k < c->n_states && k < PS_MAX_STATES; k++)
            st[ST_DIV_FACTOR + k] = (float)c->states[k].division_factor;
        const scn_jak_stat3 *j = &c->jak_stat3;
        st[ST_JAK_ON] = j->enabled ? 1.0f : 0.0f;
        signal_inhibitor(-1, 1.0, fp, st + ST_JAK_INH);
        if (!j->enabled) continue;
        st[ST_JAK_NACT] = (float)j->n_activators;
        for (int a = 0; a < j->n_activators; a++)
            signal_driver(&j->activators[a], fp, s->n_mediators, st + ST_JAK_ACT + a * DR_SIZE);
        st[ST_KON] = (float)j->k_on_per_min;
        st[ST_KOFF] = (float)j->k_off_per_min;
        st[ST_SOCS_SYN] = (float)j->socs_synthesis_per_min;
        st[ST_SOCS_DEC] = (float)j->socs_decay_per_min;
        st[ST_SOCS_K] = (float)j->socs_K;
        if (j->inhibitor_mediator >= 0)
            signal_inhibitor(j->inhibitor_mediator, j->inhibitor_IC50_nM, fp, st + ST_JAK_INH);
    }
}

void signal_gain_table(const scenario *s, const field_params *fp, float *gain)
{
    for (int ty = 0; ty < s->n_types; ty++)
        for (int f = 0; f < fp->nf; f++) {
            const scn_jak_stat3 *j = &s->types[ty].jak_stat3;
            gain[(size_t)ty * fp->nf + f] =
                j->enabled ? (float)j->secretion_gain[fp->mediator_of[f]] : 0.0f;
        }
}

static float *signal_row(float *rows, int *n, int kind, int type, int field, double start_min,
                         double stop_min)
{
    float *r = rows + (size_t)(*n)++ * PT_SIZE;
    r[PT_KIND] = (float)kind;
    r[PT_TYPE] = (float)type;
    r[PT_FIELD] = (float)field;
    r[PT_START] = (float)start_min;
    r[PT_STOP] = (float)stop_min;
    r[PT_RATE] = 0.0f;
    r[PT_FRACTION] = 0.0f;
    return r;
}

int signal_perturbation_rows(const scenario *s, int t, const field_params *fp, float *rows)
{
    int n = 0;
    const float forever = 3.0e38f;
    for (int k = 0; k < s->n_perturbations; k++) {
        const scn_perturbation *p = &s->perturbations[k];
        if (p->tissue >= 0 && p->tissue != t) continue;
        int code = scn_perturb_kinds[p->kind].device_code;
        if (p->kind == SCN_PERTURB_RECEPTOR_BLOCK || p->kind == SCN_PERTURB_RECEPTOR_KNOCKOUT) {
            int ko = p->kind == SCN_PERTURB_RECEPTOR_KNOCKOUT;
            for (int ty = 0; ty < s->n_types; ty++) {
                if (p->type >= 0 && ty != p->type) continue;
                int r = scenario_receptor_named(&s->types[ty], p->receptor);
                if (r < 0) continue;
                int f = fp->local_of[s->types[ty].receptors[r].mediator];
                if (f < 0) continue;        /* its ligand does not exist in this tissue */
                float *row = signal_row(rows, &n, code, ty, f, p->start_h * 60.0, p->stop_h * 60.0);
                row[PT_FRACTION] = ko ? 1.0f : (float)p->fraction;
            }
            continue;
        }
        float *r = signal_row(rows, &n, code, p->type, p->mediator >= 0 ? fp->local_of[p->mediator] : -1,
                              p->start_h * 60.0, p->stop_h * 60.0);
        r[PT_RATE] = (float)(p->rate_per_h / 60.0);
    }
    if (s->sex == SCN_SEX_FEMALE)
        for (int ty = 0; ty < s->n_types; ty++)
            for (int k = 0; k < s->types[ty].n_receptors; k++) {
                const scn_receptor *rc = &s->types[ty].receptors[k];
                int f = fp->local_of[rc->mediator];
                if (rc->female_expression >= 1.0 || f < 0) continue;
                float *row = signal_row(rows, &n, PTK_BLOCK, ty, f, 0.0, forever);
                row[PT_FRACTION] = (float)(1.0 - rc->female_expression);
            }
    return n;
}
