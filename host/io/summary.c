/* summary.c — the summary column families (see summary.h).
 *
 * Each family says how many columns it has at a place (count) and writes their values
 * there (fill). The two are separate code on purpose: the walker checks, for every
 * place of every row, that fill wrote exactly count values, and that the row has as many
 * values as the header has columns, so a family whose condition changed in one of them
 * fails with PS_ERR_INTERNAL instead of shifting every later column of summary.csv.
 */
#include "summary.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef enum {
    SUMMARY_TISSUE_TYPE,            /* for each tissue, for each cell type */
    SUMMARY_TISSUE_FIELD,           /* for each tissue, for each of its fields */
    SUMMARY_DRUG_TISSUE,            /* for each drug, for each tissue */
    SUMMARY_TISSUE_MEDIATOR,        /* for each tissue, for each mediator */
    SUMMARY_MEDIATOR,               /* for each mediator */
    SUMMARY_ONCE                    /* once per row */
} summary_scope;

/* A place of the walk (-1: not part of this scope) and a column there. */
typedef struct {
    int t, ty, l, m, d;             /* tissue, cell type, field, mediator, drug */
    int k;                          /* column within the family here (the state) */
} summary_at;

/* The most columns one family has at one place (a state per column). */
#define SUMMARY_PLACE_MAX SCN_MAX_STATES

typedef struct {
    const char *pattern;            /* name: tissue, celltype, state, mediator and drug are
                                       replaced by the names of the place */
    const char *unit;
    const char *meaning;            /* one line, for the docs */
    summary_scope scope;
    int (*count)(const scenario *s, const summary_at *at);
    /* writes the values at this place into out[SUMMARY_PLACE_MAX]; returns how many */
    int (*fill)(const scenario *s, const summary_sample *x, const summary_at *at, double *out);
} summary_family;

/* ---- the families ------------------------------------------------------------------ */

static int summary_one(const scenario *s, const summary_at *at) { return 1; }

static int summary_fill_cells(const scenario *s, const summary_sample *x, const summary_at *at, double *out)
{
    double total = 0;
    for (int st = 0; st < s->types[at->ty].n_states; st++) total += x->cells[at->t][at->ty][st];
    out[0] = total;
    return 1;
}

static int summary_count_states(const scenario *s, const summary_at *at)
{
    int n = s->types[at->ty].n_states;
    return n > 1 ? n : 0;
}

static int summary_fill_states(const scenario *s, const summary_sample *x, const summary_at *at, double *out)
{
    int n = s->types[at->ty].n_states;
    if (n <= 1) return 0;
    for (int st = 0; st < n; st++) out[st] = x->cells[at->t][at->ty][st];
    return n;
}

static int summary_count_jak(const scenario *s, const summary_at *at)
{
    return s->types[at->ty].jak_stat3.enabled ? 1 : 0;
}

static int summary_fill_pstat3(const scenario *s, const summary_sample *x, const summary_at *at, double *out)
{
    if (!s->types[at->ty].jak_stat3.enabled) return 0;
    out[0] = x->pstat3_mean[at->t][at->ty];
    return 1;
}

static int summary_fill_mean(const scenario *s, const summary_sample *x, const summary_at *at, double *out)
{
    out[0] = x->field_mean_nM[at->t][at->l];
    return 1;
}

static int summary_fill_max(const scenario *s, const summary_sample *x, const summary_at *at, double *out)
{
    out[0] = x->field_max_nM[at->t][at->l];
    return 1;
}

static int summary_fill_exposure(const scenario *s, const summary_sample *x, const summary_at *at, double *out)
{
    out[0] = x->exposure_nM[at->d][at->t];
    return 1;
}

static int summary_count_drugs(const scenario *s, const summary_at *at) { return s->n_drugs > 0; }

static int summary_fill_kept(const scenario *s, const summary_sample *x, const summary_at *at, double *out)
{
    if (s->n_drugs <= 0) return 0;
    out[0] = x->signal_kept[at->t][at->m];
    return 1;
}

static int summary_count_neurons(const scenario *s, const summary_at *at) { return s->neurons.enabled; }

/* The pain readout (scenarios/README.md "The pain readout"): S, mean over neurons. */
static int summary_fill_threshold(const scenario *s, const summary_sample *x, const summary_at *at, double *out)
{
    if (!s->neurons.enabled) return 0;
    out[0] = s->pain.baseline_threshold_g * exp(-x->pain_S);
    return 1;
}

static int summary_fill_index(const scenario *s, const summary_sample *x, const summary_at *at, double *out)
{
    if (!s->neurons.enabled) return 0;
    out[0] = 1.0 - exp(-x->pain_S);
    return 1;
}

static int summary_fill_sens(const scenario *s, const summary_sample *x, const summary_at *at, double *out)
{
    if (!s->neurons.enabled) return 0;
    out[0] = x->pain_S;
    return 1;
}

static int summary_count_sources(const scenario *s, const summary_at *at)
{
    return s->neurons.enabled ? SUMMARY_N_SOURCES : 0;
}

static int summary_fill_sources(const scenario *s, const summary_sample *x, const summary_at *at, double *out)
{
    if (!s->neurons.enabled) return 0;
    for (int k = 0; k < SUMMARY_N_SOURCES; k++) out[k] = x->pain_source[k];
    return SUMMARY_N_SOURCES;
}

static int summary_fill_drive(const scenario *s, const summary_sample *x, const summary_at *at, double *out)
{
    if (!s->neurons.enabled) return 0;
    out[0] = x->pain_drive;
    return 1;
}

static int summary_fill_gain(const scenario *s, const summary_sample *x, const summary_at *at, double *out)
{
    if (!s->neurons.enabled) return 0;
    out[0] = x->pain_gain;
    return 1;
}

static int summary_fill_memory(const scenario *s, const summary_sample *x, const summary_at *at, double *out)
{
    if (!s->neurons.enabled) return 0;
    out[0] = x->pain_memory;
    return 1;
}

static int summary_fill_priming(const scenario *s, const summary_sample *x, const summary_at *at, double *out)
{
    if (!s->neurons.enabled) return 0;
    out[0] = x->pain_priming;
    return 1;
}

/* Column names of pain.source.SOURCE, in summary_sample.pain_source order. */
static const char *const summary_source_names[SUMMARY_N_SOURCES] = {"intrinsic", "soma", "peripheral", "priming",
                                                                    "central", "memory"};

/* A mediator column when some pain term of this scenario's sex reads it. */
static int summary_count_pain_mediator(const scenario *s, const summary_at *at)
{
    if (!s->neurons.enabled) return 0;
    for (int k = 0; k < s->pain.n_terms; k++)
        if (scenario_pain_term_acts(s, k) && s->pain.terms[k].mediator == at->m) return 1;
    return 0;
}

static int summary_fill_pain_mediator(const scenario *s, const summary_sample *x, const summary_at *at, double *out)
{
    if (!summary_count_pain_mediator(s, at)) return 0;
    out[0] = x->pain_by_mediator[at->m];
    return 1;
}

static int summary_fill_injured(const scenario *s, const summary_sample *x, const summary_at *at, double *out)
{
    if (!s->neurons.enabled) return 0;
    out[0] = x->injured_fraction;
    return 1;
}

static const summary_family summary_families[] = {
    {"tissue.celltype", "cells", "live cells of the type in the tissue, all states",
     SUMMARY_TISSUE_TYPE, summary_one, summary_fill_cells},
    {"tissue.celltype.state", "cells", "live cells of the type in that state (types with more "
     "than one state)", SUMMARY_TISSUE_TYPE, summary_count_states, summary_fill_states},
    {"tissue.celltype.pstat3_mean", "1", "mean pSTAT3 (0..1) of the type's cells (types with "
     "`jak_stat3`)", SUMMARY_TISSUE_TYPE, summary_count_jak, summary_fill_pstat3},
    {"tissue.mediator.mean_nM", "nM", "voxel mean of the mediator's field (mediators present in "
     "the tissue)", SUMMARY_TISSUE_FIELD, summary_one, summary_fill_mean},
    {"tissue.mediator.max_nM", "nM", "voxel maximum of the mediator's field",
     SUMMARY_TISSUE_FIELD, summary_one, summary_fill_max},
    {"tissue.drug.exposure_nM", "nM", "exposure C_T of the drug in the tissue (with drugs)",
     SUMMARY_DRUG_TISSUE, summary_one, summary_fill_exposure},
    {"tissue.mediator.signal_kept", "1", "J: share of the mediator's signalling the drugs leave "
     "in the tissue during the step that just ended, read from the device (1 = untouched, "
     "0 = fully blocked; with drugs)", SUMMARY_TISSUE_MEDIATOR, summary_count_drugs, summary_fill_kept},
    {"pain.withdrawal_threshold_g", "g", "von Frey-like withdrawal threshold, "
     "`baseline_threshold_g`·exp(−S) (with neurons)", SUMMARY_ONCE, summary_count_neurons,
     summary_fill_threshold},
    {"pain.index", "1", "pain index 1 − exp(−S) (with neurons)", SUMMARY_ONCE, summary_count_neurons,
     summary_fill_index},
    {"pain.sensitization", "1", "sensitization S = D (direct_weight + G + memory_weight M), mean over neurons; the sum "
     "of the six pain.source columns (with neurons)", SUMMARY_ONCE, summary_count_neurons, summary_fill_sens},
    {"pain.source.SOURCE", "1", "S split by source, each mean over neurons: `intrinsic` (direct_weight "
     "injury_weight L, immune-independent), `soma` (direct_weight E_soma, DRG ectopic activity), `peripheral` "
     "(direct_weight E_peripheral), `priming` (direct_weight times the part of E_soma + E_peripheral that the primed "
     "state adds, (E_soma + E_peripheral) w_P P / (1 + w_P P); soma and peripheral are without it), `central` (D G, "
     "dorsal-horn amplification), `memory` (D memory_weight M) "
     "(with neurons)",
     SUMMARY_ONCE, summary_count_sources, summary_fill_sources},
    {"pain.drive", "1", "mean afferent drive D = intrinsic + E_soma + E_peripheral (with neurons)",
     SUMMARY_ONCE, summary_count_neurons, summary_fill_drive},
    {"pain.central_gain", "1", "mean central gain G (with neurons)", SUMMARY_ONCE, summary_count_neurons,
     summary_fill_gain},
    {"pain.memory", "1", "mean slow sensitized state M, 0..1 (with neurons)", SUMMARY_ONCE, summary_count_neurons,
     summary_fill_memory},
    {"pain.priming", "1", "mean primed state P of the primary afferents, 0..1 (with neurons)", SUMMARY_ONCE,
     summary_count_neurons, summary_fill_priming},
    {"pain.by_mediator.mediator", "1", "a mediator's share of S: its soma and peripheral excitability terms (primed) times (direct_weight "
     "+ G + memory_weight M) plus its central terms times D, mean over neurons (mediators read by a pain term of the "
     "scenario's sex)", SUMMARY_MEDIATOR, summary_count_pain_mediator, summary_fill_pain_mediator},
    {"neurons.injured_fraction", "1", "fraction of nociceptor neurons with injury > 0.5 "
     "(with neurons)", SUMMARY_ONCE, summary_count_neurons, summary_fill_injured},
};

#define SUMMARY_N_FAMILIES ((int)(sizeof summary_families / sizeof summary_families[0]))

/* ---- the walk ---------------------------------------------------------------------- */

/* Called for every family at every place of its scope, in column order. */
typedef ps_status (*summary_visit)(void *arg, const summary_family *fam, const summary_at *at,
                                   ps_err *err);

static ps_status summary_place(summary_scope scope, const summary_at *at, summary_visit visit,
                               void *arg, ps_err *err)
{
    for (int f = 0; f < SUMMARY_N_FAMILIES; f++)
        if (summary_families[f].scope == scope) PS_TRY(visit(arg, &summary_families[f], at, err));
    return PS_OK;
}

static ps_status summary_walk(const scenario *s, const summary_layout *lay, summary_visit visit,
                              void *arg, ps_err *err)
{
    for (int t = 0; t < s->n_tissues; t++) {
        for (int ty = 0; ty < s->n_types; ty++) {
            summary_at at = {t, ty, -1, -1, -1, 0};
            PS_TRY(summary_place(SUMMARY_TISSUE_TYPE, &at, visit, arg, err));
        }
        for (int l = 0; l < lay->n_fields[t]; l++) {
            summary_at at = {t, -1, l, lay->mediator_of[t][l], -1, 0};
            PS_TRY(summary_place(SUMMARY_TISSUE_FIELD, &at, visit, arg, err));
        }
    }
    for (int d = 0; d < s->n_drugs; d++)
        for (int t = 0; t < s->n_tissues; t++) {
            summary_at at = {t, -1, -1, -1, d, 0};
            PS_TRY(summary_place(SUMMARY_DRUG_TISSUE, &at, visit, arg, err));
        }
    for (int t = 0; t < s->n_tissues; t++)
        for (int m = 0; m < s->n_mediators; m++) {
            summary_at at = {t, -1, -1, m, -1, 0};
            PS_TRY(summary_place(SUMMARY_TISSUE_MEDIATOR, &at, visit, arg, err));
        }
    summary_at at = {-1, -1, -1, -1, -1, 0};
    PS_TRY(summary_place(SUMMARY_ONCE, &at, visit, arg, err));
    for (int m = 0; m < s->n_mediators; m++) {
        summary_at am = {-1, -1, -1, m, -1, 0};
        PS_TRY(summary_place(SUMMARY_MEDIATOR, &am, visit, arg, err));
    }
    return PS_OK;
}

/* The column name of fam at `at`: the pattern with its place words replaced. */
static void summary_name(const scenario *s, const summary_family *fam, const summary_at *at,
                         char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = '\0';
    for (const char *p = fam->pattern; *p;) {
        size_t len = strcspn(p, ".");
        const char *word = NULL;
        if (len == 6 && strncmp(p, "tissue", 6) == 0) word = s->tissues[at->t].name;
        else if (len == 8 && strncmp(p, "celltype", 8) == 0) word = s->types[at->ty].name;
        else if (len == 5 && strncmp(p, "state", 5) == 0) word = s->types[at->ty].states[at->k].name;
        else if (len == 8 && strncmp(p, "mediator", 8) == 0) word = s->mediators[at->m].name;
        else if (len == 4 && strncmp(p, "drug", 4) == 0) word = s->drugs[at->d].name;
        else if (len == 6 && strncmp(p, "SOURCE", 6) == 0) word = summary_source_names[at->k];
        int w = word ? snprintf(buf + n, cap - n, "%s", word)
                     : snprintf(buf + n, cap - n, "%.*s", (int)len, p);
        if (w < 0 || (size_t)w >= cap - n) return;
        n += (size_t)w;
        p += len;
        if (*p == '.') {
            if (n + 1 >= cap) return;
            buf[n++] = '.';
            buf[n] = '\0';
            p++;
        }
    }
}

struct summary {
    const scenario *s;
    summary_layout lay;
    int n;                          /* columns */
    char **names;                   /* [n] */
    const char **units;             /* [n], the families' (static) units */
    double *row;                    /* [n], summary_fill's values */
    int filled;                     /* values written so far in summary_fill */
    const summary_sample *x;        /* the sample being written */
};

/* Header: counts (names NULL) or names the columns. */
static ps_status summary_visit_header(void *arg, const summary_family *fam, const summary_at *at,
                                      ps_err *err)
{
    summary *sm = arg;
    int n = fam->count(sm->s, at);
    for (int k = 0; k < n; k++, sm->n++) {
        if (!sm->names) continue;
        summary_at here = *at;
        here.k = k;
        char buf[3 * SCN_NAME_MAX + 32];
        summary_name(sm->s, fam, &here, buf, sizeof buf);
        sm->names[sm->n] = strdup(buf);
        sm->units[sm->n] = fam->unit;
        if (!sm->names[sm->n]) return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    }
    return PS_OK;
}

/* A row: each family's values at each place, checked against its column count. */
static ps_status summary_visit_fill(void *arg, const summary_family *fam, const summary_at *at,
                                    ps_err *err)
{
    summary *sm = arg;
    double out[SUMMARY_PLACE_MAX];
    int want = fam->count(sm->s, at);
    int got = fam->fill(sm->s, sm->x, at, out);
    if (got != want || sm->filled + got > sm->n)
        return ps_err_set(err, PS_ERR_INTERNAL, "summary: family %s wrote %d values at column %d, "
                          "its header has %d there (%d columns in all)", fam->pattern, got,
                          sm->filled + 1, want, sm->n);
    memcpy(sm->row + sm->filled, out, (size_t)got * sizeof *out);
    sm->filled += got;
    return PS_OK;
}

ps_status summary_create(summary **out, const scenario *s, const summary_layout *lay, ps_err *err)
{
    *out = NULL;
    summary *sm = calloc(1, sizeof *sm);
    if (!sm) return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    sm->s = s;
    sm->lay = *lay;
    ps_status st = summary_walk(s, &sm->lay, summary_visit_header, sm, err);   /* count */
    int n = sm->n;
    if (st == PS_OK) {
        sm->names = calloc((size_t)n + 1, sizeof *sm->names);
        sm->units = calloc((size_t)n + 1, sizeof *sm->units);
        sm->row = calloc((size_t)n + 1, sizeof *sm->row);
        if (!sm->names || !sm->units || !sm->row) st = ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    }
    sm->n = 0;
    if (st == PS_OK) st = summary_walk(s, &sm->lay, summary_visit_header, sm, err);  /* name */
    if (st == PS_OK && sm->n != n)
        st = ps_err_set(err, PS_ERR_INTERNAL, "summary: %d columns counted, %d named", n, sm->n);
    if (st != PS_OK) {
        summary_destroy(sm);
        return st;
    }
    *out = sm;
    return PS_OK;
}

void summary_layout_of(const scenario *s, summary_layout *lay)
{
    memset(lay, 0, sizeof *lay);
    for (int t = 0; t < s->n_tissues; t++)
        for (int m = 0; m < s->n_mediators; m++)
            if (s->tissues[t].fields[m].present) lay->mediator_of[t][lay->n_fields[t]++] = m;
}

void summary_destroy(summary *sm)
{
    if (!sm) return;
    if (sm->names)
        for (int i = 0; i < sm->n; i++) free(sm->names[i]);
    free(sm->names);
    free(sm->units);
    free(sm->row);
    free(sm);
}

int summary_n_columns(const summary *sm) { return sm->n; }
const char *const *summary_names(const summary *sm) { return (const char *const *)sm->names; }
const char *const *summary_units(const summary *sm) { return sm->units; }

ps_status summary_declare(const summary *sm, output *o, ps_err *err)
{
    PS_TRY(output_summary_columns(o, sm->n, summary_names(sm), err));
    return output_summary_set_units(o, sm->n, sm->units, err);
}

ps_status summary_fill(summary *sm, const summary_sample *x, const double **values, ps_err *err)
{
    sm->x = x;
    sm->filled = 0;
    *values = sm->row;
    PS_TRY(summary_walk(sm->s, &sm->lay, summary_visit_fill, sm, err));
    if (sm->filled != sm->n)
        return ps_err_set(err, PS_ERR_INTERNAL, "summary: a row has %d values, the header %d columns",
                          sm->filled, sm->n);
    return PS_OK;
}

void summary_doc_markdown(FILE *f)
{
    fprintf(f, "| name pattern | unit | meaning |\n|---|---|---|\n");
    fprintf(f, "| `time_h` | h | simulated time of the row |\n");
    for (int i = 0; i < SUMMARY_N_FAMILIES; i++) {
        const summary_family *fam = &summary_families[i];
        fprintf(f, "| `%s` | %s | %s |\n", fam->pattern, fam->unit, fam->meaning);
    }
}
