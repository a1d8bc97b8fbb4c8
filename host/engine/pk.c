/* pk.c — drug tables for kernels/pk.cl and the double-precision reference.
 *
 * The reference sums the doses one by one (plain, obviously right); the kernel uses the
 * closed-form geometric series per course. tests/test_signal.c holds them within 1e-4. */
#include "pk.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../kernels/params.h"

/* host/device layout equalities (kernels/params.h) */
_Static_assert(PK_MAX_DRUGS == SCN_MAX_DRUGS, "drug table rows: PK_MAX_DRUGS must equal SCN_MAX_DRUGS");
_Static_assert(PK_MAX_COURSES == SCN_MAX_DOSES, "dose table rows: PK_MAX_COURSES must equal SCN_MAX_DOSES");
_Static_assert(PK_N_JAKS == SCN_N_JAKS, "per-JAK columns: PK_N_JAKS must equal SCN_N_JAKS");

struct pk {
    device *dev;
    const scenario *s;
    cl_program prog;
    cl_kernel k;
    cl_mem drugs, courses, tfrac, medjak, J, conc;
};

/* nM unbound in the dosing compartment per unit dose. Systemic: mg/kg / (L/kg) = mg/L;
 * mg/L / (g/mol) * 1e6 = nM, times F and fu. Intrathecal: µg / µL = g/L; / (g/mol) * 1e9 = nM. */
static double pk_factor(const scn_drug *d)
{
    if (d->route == SCN_ROUTE_INTRATHECAL) return 1e9 / (d->csf_volume_uL * d->mw_g_per_mol);
    return d->fraction_unbound * d->bioavailability * 1e6 / (d->Vd_L_per_kg * d->mw_g_per_mol);
}

/* elimination rate from the dosing compartment, 1/h */
static double pk_ke(const scn_drug *d)
{
    return log(2.0) / (d->route == SCN_ROUTE_INTRATHECAL ? d->csf_half_life_h : d->half_life_h);
}

static double pk_amount(const scn_drug *d, const scn_dose *o)
{
    return d->route == SCN_ROUTE_INTRATHECAL ? o->ug_per_animal : o->mg_per_kg;
}

/* One dose given tau hours ago (tau >= 0), per unit dose and compartment factor. */
static double pk_one_dose(const scn_drug *d, const scn_dose *o, double tau)
{
    double ke = pk_ke(d), T = o->infusion_h;
    if (T > 0) {
        if (tau < T) return -expm1(-ke * tau) / (ke * T);
        return -expm1(-ke * T) / (ke * T) * exp(-ke * (tau - T));
    }
    if (d->ka_per_h > 0) {
        double ka = d->ka_per_h;
        return ka / (ka - ke) * (exp(-ke * tau) - exp(-ka * tau));
    }
    return exp(-ke * tau);
}

double pk_plasma_nM_ref(const scn_drug *d, double t_h)
{
    double c = 0;
    for (int k = 0; k < d->n_doses; k++) {
        const scn_dose *o = &d->doses[k];
        for (int j = 0; j < o->count; j++) {
            double tk = o->start_h + j * o->every_h;
            if (tk > t_h) break;
            c += pk_amount(d, o) * pk_one_dose(d, o, t_h - tk);
        }
    }
    return pk_factor(d) * c;
}

double pk_exposure_nM_ref(const scenario *s, int d, int t, double t_h)
{
    return s->drugs[d].tissue_fraction[t] * pk_plasma_nM_ref(&s->drugs[d], t_h);
}

double pk_jak_factor_ref(const scenario *s, int t, int m, double t_h)
{
    int lim = s->mediators[m].jak_limiting;
    if (lim < 0) return 1;
    double keep = 1;
    for (int d = 0; d < s->n_drugs; d++) {
        double ct = pk_exposure_nM_ref(s, d, t, t_h), ic50 = s->drugs[d].ic50_nM[lim];
        if (ic50 > 0) keep *= ic50 / (ct + ic50);
    }
    return keep;
}

ps_status pk_create(pk **out, device *d, const scenario *s, ps_err *err)
{
    *out = NULL;
    pk *p = calloc(1, sizeof *p);
    if (!p) return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    p->dev = d;
    p->s = s;
    size_t nt = (size_t)s->n_tissues, nm = (size_t)s->n_mediators, nd = (size_t)s->n_drugs;
    float dg[PK_MAX_DRUGS * DG_SIZE] = {0}, co[PK_MAX_DRUGS * PK_MAX_COURSES * CO_SIZE] = {0};
    float tf[PK_MAX_DRUGS * SCN_MAX_TISSUES] = {0};
    int mj[SCN_MAX_MEDIATORS] = {0};
    size_t nrow = (size_t)pk_jak_row_stride((int)nm);
    float *ones = malloc(nt * nrow * sizeof(float));
    if (!ones) {
        free(p);
        return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    }
    for (size_t i = 0; i < nt * nrow; i++) ones[i] = 1.0f;
    for (size_t k = 0; k < nd; k++) {
        const scn_drug *g = &s->drugs[k];
        dg[k * DG_SIZE + DG_FACTOR] = (float)pk_factor(g);
        double ke = pk_ke(g) / 60.0, ka = g->route == SCN_ROUTE_SYSTEMIC ? g->ka_per_h / 60.0 : 0.0;
        dg[k * DG_SIZE + DG_KE] = (float)ke;
        dg[k * DG_SIZE + DG_NCOURSES] = (float)g->n_doses;
        dg[k * DG_SIZE + DG_KA] = (float)ka;
        dg[k * DG_SIZE + DG_AMP] = (float)(ka > 0 ? ka / (ka - ke) : 1.0);
        for (int j = 0; j < SCN_N_JAKS; j++) dg[k * DG_SIZE + DG_IC50 + j] = (float)g->ic50_nM[j];
        for (int c = 0; c < g->n_doses; c++) {
            float *r = co + (k * PK_MAX_COURSES + (size_t)c) * CO_SIZE;
            r[CO_START] = (float)(g->doses[c].start_h * 60.0);
            r[CO_EVERY] = (float)(g->doses[c].every_h * 60.0);
            r[CO_COUNT] = (float)g->doses[c].count;
            r[CO_DOSE] = (float)pk_amount(g, &g->doses[c]);
            r[CO_INFUSION] = (float)(g->doses[c].infusion_h * 60.0);
        }
        for (size_t t = 0; t < nt; t++) tf[k * nt + t] = (float)g->tissue_fraction[t];
    }
    for (size_t m = 0; m < nm; m++)
        mj[m] = s->mediators[m].jak_limiting;
    ps_status st = device_alloc(d, sizeof dg, "drug table", &p->drugs, err);
    if (st == PS_OK) st = device_alloc(d, sizeof co, "dose table", &p->courses, err);
    if (st == PS_OK) st = device_alloc(d, sizeof tf, "drug tissue fractions", &p->tfrac, err);
    if (st == PS_OK) st = device_alloc(d, sizeof mj, "mediator JAK table", &p->medjak, err);
    if (st == PS_OK) st = device_alloc(d, nt * nrow * sizeof(float), "JAK factors", &p->J, err);
    if (st == PS_OK) st = device_alloc(d, (nd ? nd : 1) * nt * sizeof(float), "drug exposure", &p->conc, err);
    if (st == PS_OK) st = device_write(d, p->drugs, 0, sizeof dg, dg, err);
    if (st == PS_OK) st = device_write(d, p->courses, 0, sizeof co, co, err);
    if (st == PS_OK) st = device_write(d, p->tfrac, 0, sizeof tf, tf, err);
    if (st == PS_OK) st = device_write(d, p->medjak, 0, sizeof mj, mj, err);
    if (st == PS_OK) st = device_write(d, p->J, 0, nt * nrow * sizeof(float), ones, err);
    if (st == PS_OK) st = device_fill_zero(d, p->conc, (nd ? nd : 1) * nt * sizeof(float), err);
    if (st == PS_OK) st = device_build(d, "pk.cl", "", &p->prog, err);
    if (st == PS_OK) st = device_kernel(p->prog, "pk_factors", &p->k, err);
    free(ones);
    if (st != PS_OK) {
        pk_destroy(p);
        return st;
    }
    *out = p;
    return PS_OK;
}

void pk_destroy(pk *p)
{
    if (!p) return;
    cl_mem *m[] = {&p->drugs, &p->courses, &p->tfrac, &p->medjak, &p->J, &p->conc};
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) device_release(m[i]);
    if (p->k) clReleaseKernel(p->k);
    if (p->prog) clReleaseProgram(p->prog);
    free(p);
}

ps_status pk_update(pk *p, double t_min, ps_err *err)
{
    if (p->s->n_drugs == 0) return PS_OK;
    cl_kernel k = p->k;
    SETARG(k, 0, cl_mem, p->drugs, err);
    SETARG(k, 1, cl_mem, p->courses, err);
    SETARG(k, 2, cl_mem, p->tfrac, err);
    SETARG(k, 3, cl_mem, p->medjak, err);
    SETARG(k, 4, cl_uint, (cl_uint)p->s->n_drugs, err);
    SETARG(k, 5, cl_uint, (cl_uint)p->s->n_tissues, err);
    SETARG(k, 6, cl_uint, (cl_uint)p->s->n_mediators, err);
    SETARG(k, 7, cl_float, (cl_float)t_min, err);
    SETARG(k, 8, cl_mem, p->J, err);
    SETARG(k, 9, cl_mem, p->conc, err);
    return device_launch(p->dev, k, "pk_factors", 1, 0, err);
}

cl_mem pk_jak_factors(const pk *p) { return p->J; }
cl_mem pk_exposure(const pk *p) { return p->conc; }

ps_status pk_read(pk *p, float *J, float *conc, ps_err *err)
{
    size_t nt = (size_t)p->s->n_tissues, nm = (size_t)p->s->n_mediators;
    size_t nrow = (size_t)pk_jak_row_stride((int)nm);
    for (size_t t = 0; t < nt; t++)   /* the mediators' part of each tissue's row */
        PS_TRY(device_read(p->dev, p->J, t * nrow * sizeof(float), nm * sizeof(float), J + t * nm, err));
    if (conc && p->s->n_drugs > 0)
        PS_TRY(device_read(p->dev, p->conc, 0, (size_t)p->s->n_drugs * nt * sizeof(float), conc, err));
    return PS_OK;
}
