/* neurons.c — see neurons.h. */
#include "neurons.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../kernels/params.h"

/* host/device layout equalities (kernels/params.h) */
_Static_assert(NP_MAX_TERMS == SCN_MAX_PAIN_TERMS, "pain terms: NP_MAX_TERMS must equal SCN_MAX_PAIN_TERMS");
_Static_assert(NP_MAX_REPAIR == SCN_MAX_DRIVERS, "repair drivers: NP_MAX_REPAIR must equal SCN_MAX_DRIVERS");
#include "agents.h"

struct neurons {
    device *dev;
    const scenario *s;
    size_t n;
    cl_program prog;
    cl_kernel k;
    cl_mem injury, lesion, nsig, nstate;
    float *host;
    float *sig_host, *state_host;   /* readout copies [NS_COUNT][n], [NX_COUNT][n] */
    int term_of[NP_MAX_TERMS];      /* np term k -> index into s->pain.terms */
    int n_terms;
    cl_uint prime_mask;             /* bit k: np term k is a priming trigger */
};

/* The pain terms that act in this scenario (scenario_pain_term_acts), in NP table order. */
static int neurons_active_terms(const scenario *s, int *term_of)
{
    int n = 0;
    for (int k = 0; k < s->pain.n_terms && n < NP_MAX_TERMS; k++)
        if (scenario_pain_term_acts(s, k)) term_of[n++] = k;
    return n;
}

static const int neurons_site_comp[SCN_N_SITES] = {NC_PERIPHERAL, NC_SOMA, NC_CENTRAL};

uint64_t neurons_compartment_id(int t, int k, int c)
{
    return PS_ID_NEURON(t, 3 * (int64_t)k + c);
}

ps_status neurons_create(neurons **out, device *d, const scenario *s, ps_err *err)
{
    *out = NULL;
    neurons *n = calloc(1, sizeof *n);
    if (!n) return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    n->dev = d;
    n->s = s;
    n->n = s->neurons.enabled ? (size_t)s->neurons.count : 0;
    size_t m = n->n ? n->n : 1;
    n->n_terms = neurons_active_terms(s, n->term_of);
    for (int j = 0; j < n->n_terms; j++)
        if (s->pain.terms[n->term_of[j]].role == SCN_ROLE_PRIMING) n->prime_mask |= 1u << j;
    n->host = malloc(m * sizeof(float));
    n->sig_host = malloc(m * NS_COUNT * sizeof(float));
    n->state_host = malloc(m * NX_COUNT * sizeof(float));
    ps_status st = n->host && n->sig_host && n->state_host ? PS_OK
                                                           : ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    if (st == PS_OK) st = device_alloc(d, m * sizeof(float), "neuron injury", &n->injury, err);
    if (st == PS_OK) st = device_alloc(d, m * sizeof(cl_uint), "neuron lesion flags", &n->lesion, err);
    if (st == PS_OK) st = device_fill_zero(d, n->injury, m * sizeof(float), err);
    if (st == PS_OK) st = device_fill_zero(d, n->lesion, m * sizeof(cl_uint), err);
    if (st == PS_OK) st = device_alloc(d, m * NS_COUNT * sizeof(float), "neuron signals", &n->nsig, err);
    if (st == PS_OK) st = device_fill_zero(d, n->nsig, m * NS_COUNT * sizeof(float), err);
    if (st == PS_OK) st = device_alloc(d, m * NX_COUNT * sizeof(float), "neuron state", &n->nstate, err);
    if (st == PS_OK) st = device_fill_zero(d, n->nstate, m * NX_COUNT * sizeof(float), err);
    if (st == PS_OK) st = device_build(d, "neurons.cl", "", &n->prog, err);
    if (st == PS_OK) st = device_kernel(n->prog, "neurons_update", &n->k, err);
    if (st != PS_OK) {
        neurons_destroy(n);
        return st;
    }
    *out = n;
    return PS_OK;
}

size_t neurons_count(const neurons *n) { return n->n; }

ps_status neurons_state(neurons *n, int write, float *injury, uint32_t *lesion, float *sig,
                        float *state, ps_err *err)
{
    size_t m = n->n ? n->n : 1;
    if (write) {
        PS_TRY(device_write(n->dev, n->injury, 0, m * sizeof(float), injury, err));
        PS_TRY(device_write(n->dev, n->lesion, 0, m * sizeof(cl_uint), lesion, err));
        PS_TRY(device_write(n->dev, n->nsig, 0, m * NS_COUNT * sizeof(float), sig, err));
        return device_write(n->dev, n->nstate, 0, m * NX_COUNT * sizeof(float), state, err);
    }
    PS_TRY(device_read(n->dev, n->injury, 0, m * sizeof(float), injury, err));
    PS_TRY(device_read(n->dev, n->lesion, 0, m * sizeof(cl_uint), lesion, err));
    PS_TRY(device_read(n->dev, n->nsig, 0, m * NS_COUNT * sizeof(float), sig, err));
    return device_read(n->dev, n->nstate, 0, m * NX_COUNT * sizeof(float), state, err);
}

int neurons_signal_compartment(const neurons *n, int row)
{
    if (row == NS_REPAIR || row == NS_INTRINSIC || row == NS_ESOMA || row == NS_STAT3) return NC_SOMA;
    if (row == NS_EPER) return NC_PERIPHERAL;
    if (row == NS_GAIN) return NC_CENTRAL;
    int k = row - NS_TERM0;
    if (k >= 0 && k < n->n_terms) return neurons_site_comp[n->s->pain.terms[n->term_of[k]].site];
    return -1;                      /* an unused term row: never written */
}

ps_status neurons_readout(neurons *n, neurons_readout_t *r, ps_err *err)
{
    memset(r, 0, sizeof *r);
    if (n->n == 0) return PS_OK;
    size_t m = n->n;
    PS_TRY(device_read(n->dev, n->nsig, 0, m * NS_COUNT * sizeof(float), n->sig_host, err));
    PS_TRY(device_read(n->dev, n->nstate, 0, m * NX_COUNT * sizeof(float), n->state_host, err));
    const scn_pain *p = &n->s->pain;
    const float *g = n->sig_host, *x = n->state_host;
    for (size_t i = 0; i < m; i++) {
        double intr = g[NS_INTRINSIC * m + i], es = g[NS_ESOMA * m + i], ep = g[NS_EPER * m + i];
        double G = g[NS_GAIN * m + i], M = x[NX_MEMORY * m + i], P = x[NX_PRIME * m + i];
        double D = intr + es + ep, amp = p->direct_weight + G + p->memory_weight * M;
        double f = p->priming_weight * P / (1.0 + p->priming_weight * P);  /* primed share of E */
        r->sensitization += D * amp;
        r->intrinsic += p->direct_weight * intr;
        r->soma += p->direct_weight * es * (1.0 - f);
        r->peripheral += p->direct_weight * ep * (1.0 - f);
        r->priming += p->direct_weight * (es + ep) * f;
        r->central += D * G;
        r->memory += D * p->memory_weight * M;
        r->drive += D;
        r->gain += G;
        r->memory_state += M;
        r->priming_state += P;
        for (int k = 0; k < n->n_terms; k++) {
            const scn_pain_term *pt = &p->terms[n->term_of[k]];
            if ((n->prime_mask >> k) & 1u) continue;        /* a trigger, not a part of S */
            double c = g[(NS_TERM0 + k) * m + i];
            r->by_mediator[pt->mediator] += pt->site == SCN_SITE_CENTRAL ? c * D : c * amp;
        }
    }
    double inv = 1.0 / (double)m;
    r->sensitization *= inv;
    r->intrinsic *= inv;
    r->soma *= inv;
    r->peripheral *= inv;
    r->central *= inv;
    r->memory *= inv;
    r->priming *= inv;
    r->drive *= inv;
    r->gain *= inv;
    r->memory_state *= inv;
    r->priming_state *= inv;
    for (int k = 0; k < SCN_MAX_MEDIATORS; k++) r->by_mediator[k] *= inv;
    return PS_OK;
}

void neurons_destroy(neurons *n)
{
    if (!n) return;
    device_release(&n->injury);
    device_release(&n->lesion);
    device_release(&n->nsig);
    device_release(&n->nstate);
    free(n->sig_host);
    free(n->state_host);
    if (n->k) clReleaseKernel(n->k);
    if (n->prog) clReleaseProgram(n->prog);
    free(n->host);
    free(n);
}

cl_mem neurons_injury_buffer(const neurons *n) { return n->injury; }
cl_mem neurons_lesion_buffer(const neurons *n) { return n->lesion; }
cl_mem neurons_signal_buffer(const neurons *n) { return n->nsig; }
cl_mem neurons_state_buffer(const neurons *n) { return n->nstate; }

ps_status neurons_update(neurons *n, cl_mem exposure, ps_err *err)
{
    if (n->n == 0) return PS_OK;
    const scn_neurons *sn = &n->s->neurons;
    cl_int toxin = sn->toxin_drug >= 0 ? sn->toxin_drug * n->s->n_tissues + sn->soma.tissue : -1;
    cl_kernel k = n->k;
    SETARG(k, 0, cl_mem, n->injury, err);
    SETARG(k, 1, cl_mem, n->lesion, err);
    SETARG(k, 2, cl_uint, (cl_uint)n->n, err);
    SETARG(k, 3, cl_mem, exposure, err);
    SETARG(k, 4, cl_int, toxin, err);
    SETARG(k, 5, cl_float, (cl_float)(sn->toxin_EC50_nM > 0 ? sn->toxin_EC50_nM : 1.0), err);
    SETARG(k, 6, cl_float, (cl_float)(sn->toxin_rate_per_h / 60.0), err);
    SETARG(k, 7, cl_float, (cl_float)(sn->repair_per_h / 60.0), err);
    SETARG(k, 8, cl_float, (cl_float)n->s->dt_min, err);
    const scn_pain *p = &n->s->pain;
    SETARG(k, 9, cl_mem, n->nsig, err);
    SETARG(k, 10, cl_mem, n->nstate, err);
    SETARG(k, 11, cl_int, (cl_int)sn->lesion_permanent, err);
    SETARG(k, 12, cl_float, (cl_float)(p->memory_induction_per_h / 60.0), err);
    SETARG(k, 13, cl_float, (cl_float)(p->memory_decay_per_h / 60.0), err);
    SETARG(k, 14, cl_float, (cl_float)p->memory_K, err);
    SETARG(k, 15, cl_float, (cl_float)p->memory_hill, err);
    SETARG(k, 16, cl_uint, n->prime_mask, err);
    SETARG(k, 17, cl_float, (cl_float)(p->priming_induction_per_h / 60.0), err);
    SETARG(k, 18, cl_float, (cl_float)(p->priming_decay_per_h / 60.0), err);
    return device_launch(n->dev, k, "neurons_update", n->n, 0, err);
}

ps_status neurons_injured_fraction(neurons *n, double *fraction, ps_err *err)
{
    *fraction = 0;
    if (n->n == 0) return PS_OK;
    PS_TRY(device_read(n->dev, n->injury, 0, n->n * sizeof(float), n->host, err));
    size_t k = 0;
    for (size_t i = 0; i < n->n; i++) k += n->host[i] > 0.5f;
    *fraction = (double)k / (double)n->n;
    return PS_OK;
}

void neurons_table(const scenario *s, int t, const field_params *fp, float *np)
{
    memset(np, 0, NP_COUNT * sizeof(float));
    const scn_neurons *sn = &s->neurons;
    if (!sn->enabled) return;
    np[NP_ENABLED] = 1.0f;
    np[NP_LAG_RATE] = (float)(1.0 / (sn->transport_delay_h * 60.0));
    const scn_compartment *c[3] = {&sn->soma, &sn->peripheral, &sn->central};
    for (int k = 0; k < 3; k++) {
        np[NP_INJURED + k] = (float)c[k]->injured_state;
        np[NP_INTACT + k] = 0.0f;
    }
    np[NP_LESION_REGION] = (float)(sn->lesion_region >= 0 && sn->peripheral.tissue == t
                                       ? sn->lesion_region : -1);
    np[NP_LESION_MIN] = (float)(sn->lesion_h * 60.0);
    const scn_pain *p = &s->pain;
    np[NP_E_RATE] = (float)(1.0 / ((p->time_constant_h > 0 ? p->time_constant_h : 1.0) * 60.0));
    np[NP_INJURY_WEIGHT] = (float)p->injury_weight;
    np[NP_UNINJURED] = (float)p->soma_uninjured_response;
    np[NP_ACT_GAIN] = (float)p->central_activity_gain;
    np[NP_ACT_K] = (float)p->central_activity_K;
    int term_of[NP_MAX_TERMS];
    int n = neurons_active_terms(s, term_of);
    for (int k = 0; k < n; k++) {
        const scn_pain_term *pt = &p->terms[term_of[k]];
        float *r = np + NP_TERMS + k * PN_SIZE;
        r[PN_SITE] = (float)neurons_site_comp[pt->site];
        r[PN_FIELD] = (float)fp->local_of[pt->mediator];
        r[PN_MED] = (float)pt->mediator;
        r[PN_EC50] = (float)pt->EC50_nM;
        r[PN_HILL] = (float)(pt->hill > 0 ? pt->hill : 1.0);
        r[PN_WEIGHT] = (float)pt->weight;
        r[PN_ROLE] = (float)pt->role;
    }
    np[NP_NTERMS] = (float)n;
    np[NP_PRIME_WEIGHT] = (float)p->priming_weight;
    for (int k = 0; k < sn->n_repair_drivers; k++) {
        const scn_driver *d = &sn->repair_drivers[k];
        float *r = np + NP_REPAIR + k * PN_SIZE;
        r[PN_FIELD] = (float)fp->local_of[d->mediator];
        r[PN_MED] = (float)d->mediator;
        r[PN_EC50] = (float)d->EC50_nM;
        r[PN_HILL] = (float)(d->hill > 0 ? d->hill : 1.0);
        r[PN_WEIGHT] = (float)(d->rate_per_h / 60.0);
    }
    np[NP_NREPAIR] = (float)sn->n_repair_drivers;
}
