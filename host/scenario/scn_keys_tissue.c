/* scn_keys_tissue.c — key tables of tissues: the grid, fields (per-mediator diffusion,
 * decay, boundary conditions), regions, seeded cells and entry from the blood, with the
 * grid and geometry checks beside them.
 */
#include "scn_table.h"

#include <stdio.h>
#include <string.h>

const char *const scn_face_names[SCN_FACES] = {"x_min", "x_max", "y_min", "y_max", "z_min", "z_max"};
const char *const scn_bc_types[2] = {"no_flux", "fixed"};
static const char *const boundary_keys[] = {"all", "x_min", "x_max", "y_min", "y_max", "z_min", "z_max"};
static const char *const bc_keys[] = {"type", "value_nM"};
static const char *const shape_names[] = {"box", "sphere", "cylinder"};
static const char *const axis_names[] = {"x", "y", "z"};

/* ------------------------------------------------------------------------------------
 * tissues[i].fields.MEDIATOR and its boundary
 * ---------------------------------------------------------------------------------- */

/* A boundary condition {"type": ..., "value_nM": ...} at the current path. */
static ps_status read_bc(scn_ctx *c, const cJSON *v, scn_bc *bc)
{
    int kind = 0;
    PS_TRY(scn_expect_object(c, v, "an object {\"type\": \"no_flux\"} or {\"type\": \"fixed\", \"value_nM\": number}"));
    PS_TRY(scn_check_keys(c, v, bc_keys, COUNT(bc_keys)));
    PS_TRY(scn_read_enum(c, v, "type", scn_bc_types, 2, &kind));
    if (kind == SCN_BC_NO_FLUX) {
        if (cJSON_GetObjectItemCaseSensitive(v, "value_nM")) {
            scn_path_key(c, "value_nM");
            return scn_fail(c, "key not allowed for type \"no_flux\" (only a \"fixed\" boundary has a value)");
        }
        bc->kind = SCN_BC_NO_FLUX;
        bc->value_nM = 0.0;
        return PS_OK;
    }
    bc->kind = SCN_BC_FIXED;
    return scn_read_num(c, v, "value_nM", 1, 0.0, (num_rule)NONNEG(INFINITY), &bc->value_nM);
}

static ps_status read_boundary(scn_walk *w, const cJSON *fo, const scn_key *k, void *dst)
{
    scn_ctx *c = w->c;
    scn_field *f = dst;
    const cJSON *b;
    PS_TRY(scn_read_object(c, fo, k->name, 0, "an object keyed by all, x_min, ..., z_max", &b));
    if (!b) return PS_OK;
    size_t m = scn_path_key(c, k->name);
    PS_TRY(scn_check_keys(c, b, boundary_keys, COUNT(boundary_keys)));
    const cJSON *all = cJSON_GetObjectItemCaseSensitive(b, "all");
    if (all) {
        scn_bc bc;
        memset(&bc, 0, sizeof bc);
        size_t ma = scn_path_key(c, "all");
        PS_TRY(read_bc(c, all, &bc));
        scn_path_pop(c, ma);
        for (int face = 0; face < SCN_FACES; face++) {
            f->bc[face].kind = bc.kind;
            f->bc[face].value_nM = bc.value_nM;
        }
    }
    for (int face = 0; face < SCN_FACES; face++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(b, scn_face_names[face]);
        if (!v) continue;
        size_t mf = scn_path_key(c, scn_face_names[face]);
        PS_TRY(read_bc(c, v, &f->bc[face]));
        scn_path_pop(c, mf);
    }
    scn_path_pop(c, m);
    return PS_OK;
}

static int write_boundary(scn_walk *w, cJSON *o, const scn_key *k, const void *dst)
{
    const scn_field *f = dst;
    cJSON *b = scn_put(w, o, k->name, cJSON_CreateObject());
    for (int face = 0; b && face < SCN_FACES; face++) {
        cJSON *bo = scn_put(w, b, scn_face_names[face], cJSON_CreateObject());
        if (!bo) break;
        scn_put(w, bo, "type", cJSON_CreateString(scn_bc_types[f->bc[face].kind == SCN_BC_FIXED]));
        if (f->bc[face].kind == SCN_BC_FIXED) scn_put(w, bo, "value_nM", scn_jnum(f->bc[face].value_nM));
    }
    return !w->oom;
}

#define BC_SCHEMA                                                                                            \
    "{\"type\": \"object\", \"required\": [\"type\"], \"additionalProperties\": false, \"properties\": "     \
    "{\"type\": {\"enum\": [\"no_flux\", \"fixed\"]}, \"value_nM\": {\"type\": \"number\", \"minimum\": 0}}, " \
    "\"if\": {\"properties\": {\"type\": {\"const\": \"fixed\"}}}, \"then\": {\"required\": [\"value_nM\"]}, " \
    "\"else\": {\"properties\": {\"value_nM\": false}}}"

static const scn_key field_keys[] = {
    K_NUM("D_um2_per_s", scn_field, D_um2_per_s, SKF_PRESET, 0, POS(INFINITY), "µm²/s",
          "Effective diffusion coefficient in this tissue.", .def_doc = "mediator's D / tortuosity²"),
    K_NUM("half_life_min", scn_field, half_life_min, SKF_PRESET, 0, NONNEG(INFINITY), "min",
          "Decay half-life in this tissue; `0` = no decay.", .def_doc = "the mediator's"),
    K_NUM("initial_nM", scn_field, initial_nM, 0, 0.0, NONNEG(1e6), "nM", "Uniform initial concentration."),
    K_CUSTOM("boundary", 0, read_boundary, write_boundary, "object",
             "{\"type\": \"object\", \"additionalProperties\": false, \"properties\": {\"all\": " BC_SCHEMA
             ", \"x_min\": " BC_SCHEMA ", \"x_max\": " BC_SCHEMA ", \"y_min\": " BC_SCHEMA ", \"y_max\": " BC_SCHEMA
             ", \"z_min\": " BC_SCHEMA ", \"z_max\": " BC_SCHEMA "}}",
             "Per-face boundary conditions keyed by `all`, `x_min`, …, `z_max` (faces override `all`): "
             "`{\"type\": \"no_flux\"}` or `{\"type\": \"fixed\", \"value_nM\": C}` (C ≥ 0).",
             .def_doc = "no flux on every face"),
};
SECTION(scn_sec_field, "tissues[i].fields.MEDIATOR", "an object (may be empty: {})", field_keys, .init = NULL);

static void default_field(scn_field *f, const scn_mediator *md, double tortuosity)
{
    f->present = 1;
    f->D_um2_per_s = md->D_um2_per_s / (tortuosity * tortuosity);
    f->half_life_min = md->half_life_min;
    f->initial_nM = 0.0;
    for (int face = 0; face < SCN_FACES; face++) {
        f->bc[face].kind = SCN_BC_NO_FLUX;
        f->bc[face].value_nM = 0.0;
    }
}

/* tissues[i].fields: {mediator name: field}; absent = every mediator with defaults. */
static ps_status read_fields(scn_walk *w, const cJSON *to, const scn_key *k, void *dst)
{
    scn_ctx *c = w->c;
    const scenario *s = w->s;
    scn_tissue *t = dst;
    const cJSON *fs;
    PS_TRY(scn_read_object(c, to, k->name, 0, "an object keyed by mediator name", &fs));
    if (!fs) {
        for (int i = 0; i < s->n_mediators; i++) default_field(&t->fields[i], &s->mediators[i], t->tortuosity);
        return PS_OK;
    }
    const char *names[SCN_MAX_MEDIATORS];
    scn_mediator_names(s, names);
    size_t m = scn_path_key(c, k->name);
    for (const cJSON *it = fs->child; it; it = it->next) {
        int idx = -1;
        size_t mk = scn_path_key(c, it->string);
        PS_TRY(scn_name_ref(c, NULL, it->string, "a mediator", names, s->n_mediators, &idx));
        PS_TRY(scn_expect_object(c, it, scn_sec_field.want));
        default_field(&t->fields[idx], &s->mediators[idx], t->tortuosity);
        PS_TRY(scn_walk_object(w, &scn_sec_field, it, &t->fields[idx]));
        scn_path_pop(c, mk);
    }
    scn_path_pop(c, m);
    return PS_OK;
}

static int write_fields(scn_walk *w, cJSON *o, const scn_key *k, const void *dst)
{
    const scn_tissue *t = dst;
    cJSON *fs = scn_put(w, o, k->name, cJSON_CreateObject());
    for (int i = 0; fs && i < w->s->n_mediators; i++) {
        if (!t->fields[i].present) continue;
        cJSON *fo = scn_put(w, fs, w->s->mediators[i].name, cJSON_CreateObject());
        if (!fo || !scn_write_object(w, &scn_sec_field, fo, &t->fields[i])) break;
    }
    return !w->oom;
}

/* ------------------------------------------------------------------------------------
 * tissues[i].regions[j]
 * ---------------------------------------------------------------------------------- */

#define BOX (1u << SCN_SHAPE_BOX)
#define SPHERE (1u << SCN_SHAPE_SPHERE)
#define CYLINDER (1u << SCN_SHAPE_CYLINDER)

static ps_status region_max(scn_walk *w, const cJSON *obj, void *dst)
{
    const scn_region *r = dst;
    (void)obj;
    for (int a = 0; a < 3; a++) {
        if (r->max_um[a] > r->min_um[a]) continue;
        char lo[40], hi[40];
        scn_fmt_num(lo, sizeof lo, r->min_um[a]);
        scn_fmt_num(hi, sizeof hi, r->max_um[a]);
        scn_path_key(w->c, "max_um");
        scn_path_index(w->c, a);
        return scn_fail(w->c, "expected a number > min_um[%d] (%s), got %s", a, lo, hi);
    }
    return PS_OK;
}

static ps_status region_post(scn_walk *w, const cJSON *obj, void *dst)
{
    const scn_region *r = dst;
    const scn_tissue *t = w->tissue;
    (void)obj;
    if (scn_region_has_voxel(t, r)) return PS_OK;
    int dims[3];
    char lo[3][40], hi[3][40];
    scenario_tissue_dims(t, dims);
    for (int a = 0; a < 3; a++) {
        scn_fmt_num(lo[a], sizeof lo[a], 0.5 * t->voxel_um);
        scn_fmt_num(hi[a], sizeof hi[a], (dims[a] - 0.5) * t->voxel_um);
    }
    return scn_fail(w->c,
                    "expected a region that contains at least one voxel centre of the tissue grid "
                    "(centres at (i+0.5)*voxel_um: x %s..%s, y %s..%s, z %s..%s µm), got a %s "
                    "that contains none",
                    lo[0], hi[0], lo[1], hi[1], lo[2], hi[2], shape_names[r->shape]);
}

static const scn_key region_keys[] = {
    K_NAME("name", scn_region, name, SKF_UNIQUE, "Unique within the tissue; used by seedings, recruitment and "
                                                 "neurons."),
    K_ENUM("shape", scn_region, shape, SKF_REQUIRED, 0, shape_names,
           "`box` (min_um, max_um), `sphere` (center_um, radius_um) or `cylinder` (center_um, radius_um, axis, "
           "length_um)."),
    K_VEC3("min_um", scn_region, min_um, SKF_REQUIRED, ANY_NUM, "µm", "Low corner of a box.", .kinds = BOX),
    K_VEC3("max_um", scn_region, max_um, SKF_REQUIRED, ANY_NUM, "µm", "High corner of a box.", .kinds = BOX,
           .check = region_max, .range_doc = "> min_um on every axis"),
    K_VEC3("center_um", scn_region, center_um, SKF_REQUIRED, ANY_NUM, "µm", "Centre of a sphere or cylinder.",
           .kinds = SPHERE | CYLINDER),
    K_NUM("radius_um", scn_region, radius_um, SKF_REQUIRED, 0, POS(INFINITY), "µm", "Radius.",
          .kinds = SPHERE | CYLINDER),
    K_ENUM("axis", scn_region, axis, SKF_REQUIRED, 0, axis_names, "Axis of a cylinder.", .kinds = CYLINDER),
    K_NUM("length_um", scn_region, length_um, SKF_REQUIRED, 0, POS(INFINITY), "µm",
          "Length of a cylinder along its axis, centred on center_um.", .kinds = CYLINDER),
    K_NUM("diffusion_multiplier", scn_region, diffusion_multiplier, 0, 1.0, POS(100.0), NULL,
          "Multiplies every field's D inside the region."),
    K_MAP("sources_nM_per_min", scn_region, source_nM_per_min, SKF_FIELDS_ONLY, NONNEG(INFINITY), "nM/min",
          "Zero-order production per voxel, for mediators present in the tissue."),
    K_MAP("sinks_per_min", scn_region, sink_per_min, SKF_FIELDS_ONLY, NONNEG(INFINITY), "1/min",
          "Extra first-order clearance, for mediators present in the tissue."),
};
SECTION(scn_sec_region, "tissues[i].regions[j]", "an object with name and shape", region_keys, .disc = 1,
        .disc_noun = "shape", .disc_verb = "is given by", .post = region_post);

/* ------------------------------------------------------------------------------------
 * tissues[i].cells[j], tissues[i].recruitment[j]
 * ---------------------------------------------------------------------------------- */

static const scn_key seeding_keys[] = {
    K_REF("type", scn_seeding, type, SKF_REQUIRED, -1, SR_TYPE, "Cell type placed."),
    K_REF("state", scn_seeding, state, 0, 0, SR_STATE_OF, "State the cells start in.",
          .ref_of = offsetof(scn_seeding, type), .def_doc = "the type's first state"),
    {.name = "count", .type = SK_INT64, .off = offsetof(scn_seeding, count), .flags = SKF_REQUIRED,
     .rule = INT_RANGE(0.0, 1e9), .doc = "Number of cells, placed uniformly at random (Philox)."},
    K_REF("region", scn_seeding, region, 0, -1, SR_REGION, "Region to place them in.",
          .def_doc = "the whole tissue"),
};
SECTION(scn_sec_seeding, "tissues[i].cells[j]", "an object with type and count", seeding_keys, .init = NULL);

static int priming_present(const scn_walk *w, const void *dst)
{
    (void)w;
    return ((const scn_recruitment *)dst)->priming_peak_h > 0;
}

static const scn_key priming_keys[] = {
    K_NUM("from_h", scn_recruitment, priming_from_h, 0, 0.0, NONNEG(8760.0), "h", "Trigger time of the primed pool."),
    K_NUM("peak_h", scn_recruitment, priming_peak_h, SKF_REQUIRED, 0, POS(8760.0), "h",
          "Time after the trigger at which the primed pool peaks."),
};
SECTION(scn_sec_priming, "tissues[i].recruitment[j].priming", "an object with from_h and peak_h", priming_keys,
        .write_if = priming_present);


static const scn_key recruitment_keys[] = {
    K_REF("type", scn_recruitment, type, SKF_REQUIRED, -1, SR_TYPE, "Cell type entering from the blood."),
    K_REF("state", scn_recruitment, state, 0, 0, SR_STATE_OF, "State it enters in.",
          .ref_of = offsetof(scn_recruitment, type), .def_doc = "the type's first state"),
    K_REF("region", scn_recruitment, region, 0, -1, SR_REGION, "Vessel region.", .def_doc = "every voxel"),
    K_NUM("rate_per_mm3_per_h", scn_recruitment, rate_per_mm3_per_h, SKF_REQUIRED, 0, NONNEG(1e9), "1/(mm³·h)",
          "Entry rate per tissue volume of the vessel region at full chemokine response."),
    K_NUM("barrier_permeability", scn_recruitment, barrier_permeability, 0, 1.0, RANGE(0.0, 1.0), NULL,
          "Share of the rate the tissue barrier lets through (blood–nerve, blood–spinal-cord)."),
    K_NUM("female_rate_factor", scn_recruitment, female_rate_factor, 0, 1.0, POS(1000.0), NULL,
          "Multiplies the rate in a female scenario."),
    K_OBJ("chemokine", scn_recruitment, chemokine, 0, scn_sec_activator, "an object with mediator and EC50_nM",
          "The rate follows H(C) of this chemokine at each vessel voxel.", .def_doc = "absent (constant rate)"),
    K_FLAT("priming", 0, scn_sec_priming, "an object with from_h and peak_h",
           "A primed circulating pool P(τ) = (τ/peak) e^(1 − τ/peak), τ = t − from_h, multiplies the rate.",
           .def_doc = "absent (P = 1)"),
};
SECTION(scn_sec_recruitment, "tissues[i].recruitment[j]", "an object with type and rate_per_mm3_per_h",
        recruitment_keys, .init = NULL);

/* ------------------------------------------------------------------------------------
 * tissues[i]
 * ---------------------------------------------------------------------------------- */

/* Default display placement: laid along x after the previous tissue. */
static void tissue_init(scn_walk *w, void *dst)
{
    scn_tissue *t = dst;
    int k = w->index;
    t->origin_um[0] = t->origin_um[1] = t->origin_um[2] = 0.0;
    if (k > 0) t->origin_um[0] = w->s->tissues[k - 1].origin_um[0] + w->s->tissues[k - 1].size_um[0] + SCN_TISSUE_GAP_UM;
}

/* Grid: each edge a whole number of voxels, 1..1024 per axis, 2^27 in all. */
static ps_status tissue_grid(scn_walk *w, const cJSON *obj, void *dst)
{
    scn_ctx *c = w->c;
    const scn_tissue *t = dst;
    double total = 1.0;
    char vox[40], sz[40];
    (void)obj;
    scn_fmt_num(vox, sizeof vox, t->voxel_um);
    for (int a = 0; a < 3; a++) {
        double ratio = t->size_um[a] / t->voxel_um;
        double n = nearbyint(ratio);
        scn_fmt_num(sz, sizeof sz, t->size_um[a]);
        if (n < 1.0 || fabs(ratio - n) > SCN_MULTIPLE_RTOL * ratio) {
            scn_path_key(c, "size_um");
            scn_path_index(c, a);
            return scn_fail(c, "expected a multiple of voxel_um (%s µm), got %s", vox, sz);
        }
        if (n > SCN_MAX_AXIS_VOXELS) {
            scn_path_key(c, "size_um");
            scn_path_index(c, a);
            return scn_fail(c, "expected at most %d voxels along %s (voxel_um %s µm), got %s µm = %.0f voxels",
                            SCN_MAX_AXIS_VOXELS, axis_names[a], vox, sz, n);
        }
        total *= n;
    }
    if (total > (double)SCN_MAX_TOTAL_VOXELS) {
        int dims[3];
        scenario_tissue_dims(t, dims);
        scn_path_key(c, "size_um");
        return scn_fail(c, "expected at most %ld voxels in total, got %d x %d x %d = %.0f voxels "
                           "(use a larger voxel_um or a smaller tissue)",
                        SCN_MAX_TOTAL_VOXELS, dims[0], dims[1], dims[2], total);
    }
    return PS_OK;
}

static const scn_key tissue_keys[] = {
    K_NAME("name", scn_tissue, name, SKF_UNIQUE, "e.g. `nerve`."),
    K_TEXT("description", scn_tissue, description, "Free text."),
    K_VEC3("size_um", scn_tissue, size_um, SKF_REQUIRED, POS(INFINITY), "µm",
           "Edge lengths of the box, each a whole number of voxels (≤ 1024 per axis, 2²⁷ voxels in all)."),
    K_NUM("voxel_um", scn_tissue, voxel_um, SKF_REQUIRED, 0, POS(1000.0), "µm", "Edge of the cubic voxels.",
          .check = tissue_grid),
    K_VEC3("origin_um", scn_tissue, origin_um, SKF_PRESET, ANY_NUM, "µm",
           "Where the low corner is drawn (XDMF, world positions); only for display.",
           .def_doc = "after the previous tissue along x, 100 µm apart"),
    K_NUM("tortuosity", scn_tissue, tortuosity, 0, 1.6, RANGE(1.0, 10.0), NULL,
          "λ: every mediator's effective D in the tissue is its free D / λ² (Syková & Nicholson 2008)."),
    K_CUSTOM("fields", 0, read_fields, write_fields, "object {mediator: field}",
             "{\"type\": \"object\", \"additionalProperties\": {\"$ref\": \"#/definitions/tissues_i_fields_MEDIATOR\"}}",
             "The mediators this tissue carries, each with optional overrides (see fields.MEDIATOR).",
             .def_doc = "every mediator, with defaults"),
    K_LIST("regions", scn_tissue, regions, n_regions, 0, scn_sec_region, 0, SCN_MAX_REGIONS, "regions",
           "Boxes, spheres and cylinders carrying properties; later regions win where they overlap."),
    K_LIST("cells", scn_tissue, seedings, n_seedings, 0, scn_sec_seeding, 0, SCN_MAX_SEEDINGS, "cell seedings",
           "Cells placed at t = 0."),
    K_LIST("recruitment", scn_tissue, recruitments, n_recruitments, 0, scn_sec_recruitment, 0, SCN_MAX_RECRUITMENTS,
           "recruitment rules", "Entry of circulating cells at vessel voxels."),
};
SECTION(scn_sec_tissue, "tissues[i]", "an object with name, size_um and voxel_um", tissue_keys,
        .scope = SCOPE_TISSUE, .init = tissue_init);
