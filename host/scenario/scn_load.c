/* scn_load.c — the scenario module's entry points: load a file or a string (syntax,
 * duplicate keys, --set overrides, then the table walk), the "scale" rule, region
 * geometry and name lookups.
 *
 * The struct is zeroed before it is filled and only members are assigned (never whole
 * structs from locals), so padding stays zero and a load -> scenario_to_json -> load
 * round trip gives a byte-identical structure.
 */
#include "scn_impl.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ps_status load_text(const char *text, const char *file, const char *const *sets, int n_sets,
                           scenario *out, ps_err *err)
{
    cJSON *root = NULL;
    memset(out, 0, sizeof *out);
    if (n_sets > 0 && !sets) return ps_err_set(err, PS_ERR_INTERNAL, "scenario_load: sets is NULL");
    ps_status st = scn_parse_text(file, text, &root, err);
    if (st != PS_OK) return st;

    scn_ctx *c = calloc(1, sizeof *c);
    if (!c) {
        cJSON_Delete(root);
        return ps_err_set(err, PS_ERR_MEMORY, "%s: out of memory", file);
    }
    c->file = file;
    c->err = err;
    st = scn_check_duplicates(c, root);
    if (st == PS_OK && n_sets > 0) {
        c->set_paths = calloc((size_t)n_sets, sizeof *c->set_paths);
        if (!c->set_paths) st = ps_err_set(err, PS_ERR_MEMORY, "%s: out of memory", file);
        for (int i = 0; i < n_sets && st == PS_OK; i++) {
            if (!sets[i]) st = ps_err_set(err, PS_ERR_INTERNAL, "scenario_load: sets[%d] is NULL", i);
            else st = scn_apply_set(root, sets[i], &c->set_paths[i], err);
        }
        c->sets = sets;
        c->n_sets = c->set_paths ? n_sets : 0;
        if (st == PS_OK) st = scn_check_duplicates(c, root);
    }
    if (st == PS_OK) st = scn_read_scenario(c, root, out);
    if (st == PS_OK) st = scn_check_receptors(c, out);
    if (st == PS_OK) scn_copy_str(out->source_path, sizeof out->source_path, file);

    if (c->set_paths)
        for (int i = 0; i < n_sets; i++) free(c->set_paths[i]);
    free(c->set_paths);
    free(c);
    cJSON_Delete(root);
    return st;
}

ps_status scenario_load_string(const char *text, const char *name, const char *const *sets,
                               int n_sets, scenario *out, ps_err *err)
{
    if (!text || !out) return ps_err_set(err, PS_ERR_INTERNAL, "scenario_load_string: NULL argument");
    return load_text(text, name ? name : "(scenario)", sets, n_sets, out, err);
}


ps_status scenario_load(const char *path, const char *const *sets, int n_sets, scenario *out,
                        ps_err *err)
{
    if (!path || !out) return ps_err_set(err, PS_ERR_INTERNAL, "scenario_load: NULL argument");
    char *buf = NULL;
    PS_TRY(scn_read_text_file(path, "scenario", &buf, err));
    ps_status st = load_text(buf, path, sets, n_sets, out, err);
    free(buf);
    return st;
}

int scenario_pain_term_acts(const scenario *s, int k)
{
    const scn_pain_term *pt = &s->pain.terms[k];
    if (!s->pain.immune_terms) return 0;
    return !((pt->sex == 1 && s->sex != SCN_SEX_MALE) || (pt->sex == 2 && s->sex != SCN_SEX_FEMALE));
}

int scenario_receptor_for(const scn_cell_type *ct, int mediator)
{
    for (int k = 0; k < ct->n_receptors; k++)
        if (ct->receptors[k].mediator == mediator) return k;
    return -1;
}

int scenario_receptor_named(const scn_cell_type *ct, const char *name)
{
    for (int k = 0; k < ct->n_receptors; k++)
        if (strcmp(ct->receptors[k].name, name) == 0) return k;
    return -1;
}

/* One sensed mediator: the type must carry a receptor for it. The path (pushed by the
 * caller up to the object) gets the key; the message names the type's receptors. */
static ps_status receptor_needed(scn_ctx *c, const scenario *s, int type, int mediator, const char *key,
                                 int type_index_for_hint)
{
    if (mediator < 0 || type < 0) return PS_OK;
    const scn_cell_type *ct = &s->types[type];
    if (scenario_receptor_for(ct, mediator) >= 0) return PS_OK;
    const char *rn[SCN_MAX_RECEPTORS];
    char list[1024];
    for (int k = 0; k < ct->n_receptors; k++) rn[k] = ct->receptors[k].name;
    scn_join(list, sizeof list, rn, ct->n_receptors, SCN_MAX_RECEPTORS);
    scn_path_key(c, key);
    return scn_fail(c, "expected a mediator that cell type %s senses through one of its receptors (%s), got \"%s\": "
                       "add a receptor for it to cell_types[%d].receptors", ct->name,
                    ct->n_receptors ? list : "it carries none", s->mediators[mediator].name, type_index_for_hint);
}

/* The mediator of each of the n elements of the list `key` (elements of `stride` bytes
 * from base, the int mediator at offset med_off): each needs a receptor of type t. */
static ps_status receptor_list(scn_ctx *c, const scenario *s, int t, const char *key, int n, const void *base,
                               size_t stride, size_t med_off)
{
    for (int d = 0; d < n; d++) {
        size_t m = scn_path_key(c, key);
        scn_path_index(c, d);
        int med = *(const int *)(const void *)((const char *)base + (size_t)d * stride + med_off);
        PS_TRY(receptor_needed(c, s, t, med, "mediator", t));
        scn_path_pop(c, m);
    }
    return PS_OK;
}

/* Every mediator a cell type senses goes through a receptor of that type. */
ps_status scn_check_receptors(scn_ctx *c, const scenario *s)
{
    for (int t = 0; t < s->n_types; t++) {
        const scn_cell_type *ct = &s->types[t];
        size_t m0 = scn_path_key(c, "cell_types");
        scn_path_index(c, t);
        for (int k = 0; k < ct->n_transitions; k++) {
            const scn_transition *tr = &ct->transitions[k];
            size_t m1 = scn_path_key(c, "transitions");
            scn_path_index(c, k);
            PS_TRY(receptor_list(c, s, t, "drivers", tr->n_drivers, tr->drivers, sizeof tr->drivers[0],
                                 offsetof(scn_driver, mediator)));
            PS_TRY(receptor_list(c, s, t, "inhibitors", tr->n_inhibitors, tr->inhibitors, sizeof tr->inhibitors[0],
                                 offsetof(scn_inhibitor, mediator)));
            PS_TRY(receptor_list(c, s, t, "requires", tr->n_gates, tr->gates, sizeof tr->gates[0],
                                 offsetof(scn_driver, mediator)));
            scn_path_pop(c, m1);
        }
        PS_TRY(receptor_list(c, s, t, "division_drivers", ct->n_division_drivers, ct->division_drivers,
                             sizeof ct->division_drivers[0], offsetof(scn_driver, mediator)));
        if (ct->jak_stat3.enabled) {
            size_t m1 = scn_path_key(c, "jak_stat3");
            PS_TRY(receptor_list(c, s, t, "activators", ct->jak_stat3.n_activators, ct->jak_stat3.activators,
                                 sizeof ct->jak_stat3.activators[0], offsetof(scn_driver, mediator)));
            size_t m2 = scn_path_key(c, "inhibitor");
            PS_TRY(receptor_needed(c, s, t, ct->jak_stat3.inhibitor_mediator, "mediator", t));
            scn_path_pop(c, m2);
            scn_path_pop(c, m1);
        }
        size_t m1 = scn_path_key(c, "chemotaxis");
        PS_TRY(receptor_needed(c, s, t, ct->chemotaxis_mediator, "mediator", t));
        scn_path_pop(c, m1);
        scn_path_pop(c, m0);
    }
    for (int i = 0; i < s->n_tissues; i++) {
        const scn_tissue *ts = &s->tissues[i];
        for (int r = 0; r < ts->n_recruitments; r++) {
            size_t m0 = scn_path_key(c, "tissues");
            scn_path_index(c, i);
            scn_path_key(c, "recruitment");
            scn_path_index(c, r);
            scn_path_key(c, "chemokine");
            const scn_recruitment *rc = &ts->recruitments[r];
            PS_TRY(receptor_needed(c, s, rc->type, rc->chemokine.mediator, "mediator", rc->type));
            scn_path_pop(c, m0);
        }
    }
    if (!s->neurons.enabled) return PS_OK;
    const scn_neurons *n = &s->neurons;
    const int site_type[SCN_N_SITES] = {n->peripheral.type, n->soma.type, n->central.type};
    for (int k = 0; k < s->pain.n_terms; k++) {
        size_t m0 = scn_path_key(c, "pain");
        scn_path_key(c, "terms");
        scn_path_index(c, k);
        int ty = site_type[s->pain.terms[k].site];
        PS_TRY(receptor_needed(c, s, ty, s->pain.terms[k].mediator, "mediator", ty));
        scn_path_pop(c, m0);
    }
    size_t m0 = scn_path_key(c, "neurons");
    PS_TRY(receptor_list(c, s, n->soma.type, "repair_drivers", n->n_repair_drivers, n->repair_drivers,
                         sizeof n->repair_drivers[0], offsetof(scn_driver, mediator)));
    static const char *const site_name[3] = {"soma", "peripheral", "central"};
    for (int k = 0; k < n->n_release; k++) {
        const scn_release *r = &n->release[k];
        size_t m1 = scn_path_key(c, "release");
        scn_path_index(c, k);
        for (int j = 0; j < k; j++)
            if (n->release[j].site == r->site && n->release[j].mediator == r->mediator)
                return scn_fail(c, "expected one release per site and mediator, got a second %s %s "
                                   "(the first is neurons.release[%d])",
                                site_name[r->site], s->mediators[r->mediator].name, j);
        if (r->stat3_gain > 0 && n->soma.type >= 0 && !s->types[n->soma.type].jak_stat3.enabled) {
            scn_path_key(c, "stat3_gain");
            return scn_fail(c, "expected 0 while the soma's cell type %s has no jak_stat3 block (the gain "
                               "multiplies the release by the neuron's pSTAT3, which that block computes), got %g: "
                               "add cell_types[%d].jak_stat3",
                            s->types[n->soma.type].name, r->stat3_gain, n->soma.type);
        }
        scn_path_pop(c, m1);
    }
    scn_path_pop(c, m0);
    return PS_OK;
}

int scenario_region_contains(const scn_region *r, const double p_um[3])
{
    double d2 = 0.0;
    switch (r->shape) {
    case SCN_SHAPE_BOX:
        for (int a = 0; a < 3; a++)
            if (p_um[a] < r->min_um[a] || p_um[a] > r->max_um[a]) return 0;
        return 1;
    case SCN_SHAPE_SPHERE:
        for (int a = 0; a < 3; a++) d2 += (p_um[a] - r->center_um[a]) * (p_um[a] - r->center_um[a]);
        return d2 <= r->radius_um * r->radius_um;
    case SCN_SHAPE_CYLINDER:
        for (int a = 0; a < 3; a++) {
            double d = p_um[a] - r->center_um[a];
            if (a == r->axis) {
                if (fabs(d) > 0.5 * r->length_um) return 0;
            } else {
                d2 += d * d;
            }
        }
        return d2 <= r->radius_um * r->radius_um;
    }
    return 0;
}

/* 1 when some voxel centre ((i+0.5)*voxel) of the tissue lies in the region. Every shape
 * is a product of per-axis conditions around a centre point (the box's middle, the
 * sphere's or cylinder's centre), so the voxel centre nearest to that point along each
 * axis is inside whenever any voxel centre is. */
int scn_region_has_voxel(const scn_tissue *t, const scn_region *r)
{
    int dims[3];
    double p[3];
    scenario_tissue_dims(t, dims);
    for (int a = 0; a < 3; a++) {
        double target = r->shape == SCN_SHAPE_BOX ? 0.5 * (r->min_um[a] + r->max_um[a]) : r->center_um[a];
        double i = floor(target / t->voxel_um);
        if (i < 0.0) i = 0.0;
        if (i > dims[a] - 1) i = dims[a] - 1;
        p[a] = (i + 0.5) * t->voxel_um;
    }
    return scenario_region_contains(r, p);
}

/* "scale": every tissue grows by scale^(1/3) along each axis (rounded to whole voxels),
 * regions and display origins with it, seeded cells by the tissue's volume ratio and
 * neurons by scale, so that densities, concentrations and time courses stay those of the
 * scenario while the number of agents grows (or shrinks) about scale-fold. The resolved
 * scenario holds the scaled values. */
ps_status scn_apply_scale(scn_ctx *c, double scale, scenario *s)
{
    if (scale == 1.0) return PS_OK;
    double L = cbrt(scale);
    for (int t = 0; t < s->n_tissues; t++) {
        scn_tissue *ts = &s->tissues[t];
        double f[3], vol = 1;
        for (int a = 0; a < 3; a++) {
            double n = ts->size_um[a] / ts->voxel_um, n2 = fmax(1.0, round(n * L));
            if (n2 > SCN_MAX_AXIS_VOXELS) {
                scn_path_key(c, "scale");
                return scn_fail(c, "expected a scale that keeps every tissue within %d voxels per axis: "
                               "tissue \"%s\" would have %.0f", SCN_MAX_AXIS_VOXELS, ts->name, n2);
            }
            f[a] = n2 / n;
            vol *= f[a];
            ts->size_um[a] = n2 * ts->voxel_um;
            ts->origin_um[a] *= f[a];
        }
        for (int r = 0; r < ts->n_regions; r++) {
            scn_region *g = &ts->regions[r];
            double fr = 0;
            int np = 0;
            for (int a = 0; a < 3; a++) {
                g->min_um[a] *= f[a];
                g->max_um[a] *= f[a];
                g->center_um[a] *= f[a];
                if (g->shape == SCN_SHAPE_SPHERE || a != g->axis) {
                    fr += f[a];
                    np++;
                }
            }
            g->radius_um *= np ? fr / np : L;
            if (g->shape == SCN_SHAPE_CYLINDER) g->length_um *= f[g->axis];
        }
        for (int k = 0; k < ts->n_seedings; k++)
            ts->seedings[k].count = (int64_t)llround((double)ts->seedings[k].count * vol);
    }
    if (s->neurons.enabled) {
        double n = round((double)s->neurons.count * scale);
        s->neurons.count = (int)fmax(1.0, fmin(n, 1e7));
    }
    return PS_OK;
}

void scenario_tissue_dims(const scn_tissue *t, int dims[3])
{
    for (int a = 0; a < 3; a++) dims[a] = t->voxel_um > 0.0 ? (int)lround(t->size_um[a] / t->voxel_um) : 0;
}

int scenario_mediator_index(const scenario *s, const char *name)
{
    for (int i = 0; i < s->n_mediators; i++)
        if (strcmp(s->mediators[i].name, name) == 0) return i;
    return -1;
}

int scenario_type_index(const scenario *s, const char *name)
{
    for (int i = 0; i < s->n_types; i++)
        if (strcmp(s->types[i].name, name) == 0) return i;
    return -1;
}

int scenario_tissue_index(const scenario *s, const char *name)
{
    for (int i = 0; i < s->n_tissues; i++)
        if (strcmp(s->tissues[i].name, name) == 0) return i;
    return -1;
}
