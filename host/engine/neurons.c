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
    cl_mem injury, lesion, repair;
    float *host;
};

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
    n->host = malloc(m * sizeof(float));
    ps_status st = n->host ? PS_OK : ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    if (st == PS_OK) st = device_alloc(d, m * sizeof(float), "neuron injury", &n->injury, err);
    if (st == PS_OK) st = device_alloc(d, m * sizeof(cl_uint), "neuron lesion flags", &n->lesion, err);
    if (st == PS_OK) st = device_fill_zero(d, n->injury, m * sizeof(float), err);
    if (st == PS_OK) st = device_fill_zero(d, n->lesion, m * sizeof(cl_uint), err);
    if (st == PS_OK) st = device_alloc(d, m * sizeof(float), "neuron repair signal", &n->repair, err);
    if (st == PS_OK) st = device_fill_zero(d, n->repair, m * sizeof(float), err);
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

ps_status neurons_state(neurons *n, int write, float *injury, uint32_t *lesion, float *repair,
                        ps_err *err)
{
    size_t m = n->n ? n->n : 1;
    if (write) {
        PS_TRY(device_write(n->dev, n->injury, 0, m * sizeof(float), injury, err));
        PS_TRY(device_write(n->dev, n->lesion, 0, m * sizeof(cl_uint), lesion, err));
        return device_write(n->dev, n->repair, 0, m * sizeof(float), repair, err);
    }
    PS_TRY(device_read(n->dev, n->injury, 0, m * sizeof(float), injury, err));
    PS_TRY(device_read(n->dev, n->lesion, 0, m * sizeof(cl_uint), lesion, err));
    return device_read(n->dev, n->repair, 0, m * sizeof(float), repair, err);
}

void neurons_destroy(neurons *n)
{
    if (!n) return;
    device_release(&n->injury);
    device_release(&n->lesion);
    device_release(&n->repair);
    if (n->k) clReleaseKernel(n->k);
    if (n->prog) clReleaseProgram(n->prog);
    free(n->host);
    free(n);
}

cl_mem neurons_injury_buffer(const neurons *n) { return n->injury; }
cl_mem neurons_lesion_buffer(const neurons *n) { return n->lesion; }
cl_mem neurons_repair_buffer(const neurons *n) { return n->repair; }

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
    SETARG(k, 9, cl_mem, n->repair, err);
    SETARG(k, 10, cl_int, (cl_int)sn->lesion_permanent, err);
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
    int n = 0;
    for (int k = 0; k < p->n_terms && n < NP_MAX_TERMS; k++) {
        const scn_pain_term *pt = &p->terms[k];
        if ((pt->sex == 1 && s->sex != SCN_SEX_MALE) || (pt->sex == 2 && s->sex != SCN_SEX_FEMALE))
            continue;
        float *r = np + NP_TERMS + n * PN_SIZE;
        r[PN_CENTRAL] = (float)pt->central;
        r[PN_FIELD] = (float)fp->local_of[pt->mediator];
        r[PN_MED] = (float)pt->mediator;
        r[PN_EC50] = (float)pt->EC50_nM;
        r[PN_HILL] = (float)(pt->hill > 0 ? pt->hill : 1.0);
        r[PN_WEIGHT] = (float)pt->weight;
        n++;
    }
    np[NP_NTERMS] = (float)n;
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
