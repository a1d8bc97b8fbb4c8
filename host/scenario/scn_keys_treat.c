/* scn_keys_treat.c — key tables of what is done to the animal and what is read out:
 * drugs (PK, JAK IC50s, doses), perturbations (one row per kind), nociceptor neurons
 * (compartments, lesion, toxin, repair) and the pain readout.
 */
#include "scn_table.h"

#include "../kernels/params.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const route_names[] = {"systemic", "intrathecal"};
static const char *const site_names[SCN_N_SITES] = {"peripheral", "soma", "central"};
static const char *const release_site_names[3] = {"soma", "peripheral", "central"};
static const char *const term_sex_names[] = {"both", "male", "female"};
static const char *const term_role_names[] = {"excitability", "priming"};

/* ------------------------------------------------------------------------------------
 * drugs[i]
 * ---------------------------------------------------------------------------------- */

static ps_status dose_start(scn_walk *w, const cJSON *obj, void *dst)
{
    (void)obj;
    return scn_check_starts_in_time(w, ((const scn_dose *)dst)->start_h, "dose course");
}

/* A course of infusions must not overlap (one running at a time: kernels/pk.cl). */
static ps_status dose_infusion(scn_walk *w, const cJSON *obj, void *dst)
{
    const scn_dose *o = dst;
    (void)obj;
    if (o->count == 1 || o->infusion_h <= o->every_h) return PS_OK;
    char every[40], got[40];
    scn_fmt_num(every, sizeof every, o->every_h);
    scn_fmt_num(got, sizeof got, o->infusion_h);
    scn_path_key(w->c, "infusion_h");
    return scn_fail(w->c, "expected a number <= every_h (%s) when count > 1 (infusions of a course do not overlap), "
                          "got %s", every, got);
}

static const scn_key dose_keys[] = {
    K_NUM("start_h", scn_dose, start_h, SKF_REQUIRED, 0, NONNEG(8760.0), "h", "Time of the first dose.",
          .check = dose_start, .range_doc = "< time.duration_h"),
    K_NUM("every_h", scn_dose, every_h, 0, 24.0, POS(8760.0), "h", "Interval between doses."),
    K_INT("count", scn_dose, count, 0, 1.0, INT_RANGE(1.0, 10000.0), "Number of doses."),
    K_NUM("mg_per_kg", scn_dose, mg_per_kg, 0, 0, NONNEG(1e4), "mg/kg",
          "Each dose of a systemic drug (per kg body weight).",
          .def_doc = "required for a systemic drug; absent (0) for an intrathecal one"),
    K_NUM("ug_per_animal", scn_dose, ug_per_animal, 0, 0, NONNEG(1e4), "µg",
          "Each dose of an intrathecal drug: a bolus into the CSF (`csf_volume_uL`), per animal.",
          .def_doc = "required for an intrathecal drug; absent (0) for a systemic one"),
    K_NUM("infusion_h", scn_dose, infusion_h, 0, 0, NONNEG(8760.0), "h",
          "Each dose runs at a constant rate for this long (osmotic minipump, infusion); `0`: a bolus (oral with "
          "`ka_per_h`).", .check = dose_infusion, .range_doc = "<= every_h when count > 1"),
};
SECTION(scn_sec_dose, "drugs[i].doses[j]", "an object with start_h and mg_per_kg or ug_per_animal", dose_keys,
        .init = NULL);

#define IC50_ROW(j)                                                                                         \
    {.name = #j, .type = SK_NUM, .off = offsetof(scn_drug, ic50_nM[SCN_##j]), .flags = SKF_NONZERO,          \
     .rule = POS(1e9), .unit = "nM", .doc = "IC50 against " #j "; absent = does not inhibit it."}
static const scn_key ic50_keys[] = {IC50_ROW(JAK1), IC50_ROW(JAK2), IC50_ROW(JAK3), IC50_ROW(TYK2)};
SECTION(scn_sec_ic50, "drugs[i].ic50_nM", "an object {JAK name: IC50 in nM} with keys among JAK1, JAK2, JAK3, TYK2",
        ic50_keys, .init = NULL);

static ps_status read_tissue_fraction(scn_walk *w, const cJSON *e, const scn_key *k, void *dst)
{
    static const char *const want_it =
        "an object {tissue name: fraction in [0, 1]} naming at least one tissue (an intrathecal drug reaches "
        "only the tissues listed)";
    scn_ctx *c = w->c;
    const scenario *s = w->s;
    scn_drug *dr = dst;
    const char *names[SCN_MAX_TISSUES];
    const cJSON *o;
    int it = dr->route == SCN_ROUTE_INTRATHECAL;
    scn_tissue_names(s, names);
    PS_TRY(scn_read_object(c, e, k->name, it, it ? want_it : "an object {tissue name: fraction in [0, 1]}", &o));
    for (int i = 0; i < s->n_tissues; i++) dr->tissue_fraction[i] = it ? 0.0 : 1.0;
    if (!o) return PS_OK;
    size_t m = scn_path_key(c, k->name);
    if (it && !o->child) return scn_expect_type_fail(c, want_it, o);
    for (const cJSON *v = o->child; v; v = v->next) {
        int idx = -1;
        size_t mk = scn_path_key(c, v->string);
        PS_TRY(scn_name_ref(c, NULL, v->string, "a tissue", names, s->n_tissues, &idx));
        PS_TRY(scn_num_value(c, v, (num_rule)RANGE(0.0, 1.0), &dr->tissue_fraction[idx]));
        scn_path_pop(c, mk);
    }
    scn_path_pop(c, m);
    return PS_OK;
}

static int write_tissue_fraction(scn_walk *w, cJSON *o, const scn_key *k, const void *dst)
{
    const scn_drug *dr = dst;
    cJSON *tf = scn_put(w, o, k->name, cJSON_CreateObject());
    for (int i = 0; tf && i < w->s->n_tissues; i++)
        scn_put(w, tf, w->s->tissues[i].name, scn_jnum(dr->tissue_fraction[i]));
    return !w->oom;
}

/* The amount key of each dose matches the route; absorption only for systemic boluses,
 * and distinct from elimination (the closed form divides by ka - ke). */
static ps_status drug_post(scn_walk *w, const cJSON *obj, void *dst)
{
    scn_ctx *c = w->c;
    const scn_drug *dr = dst;
    int it = dr->route == SCN_ROUTE_INTRATHECAL;
    const char *want = it ? "ug_per_animal" : "mg_per_kg", *other = it ? "mg_per_kg" : "ug_per_animal";
    const cJSON *doses = cJSON_GetObjectItemCaseSensitive(obj, "doses");
    for (int j = 0; j < dr->n_doses; j++) {
        const cJSON *o = cJSON_GetArrayItem(doses, j);
        const cJSON *ov = cJSON_GetObjectItemCaseSensitive(o, other);
        double ov_n = it ? dr->doses[j].mg_per_kg : dr->doses[j].ug_per_animal;
        size_t m = scn_path_key(c, "doses");
        scn_path_index(c, j);
        if (ov && ov_n != 0) {
            char got[40];
            scn_fmt_num(got, sizeof got, ov_n);
            scn_path_key(c, other);
            return scn_fail(c, "expected 0 or no %s for %s drug (its doses are %s), got %s", other,
                            it ? "an intrathecal" : "a systemic", want, got);
        }
        if (!cJSON_GetObjectItemCaseSensitive(o, want))
            return scn_missing(c, want, it ? "a number >= 0 and <= 10000: an intrathecal drug's dose, µg per animal"
                                           : "a number >= 0 and <= 10000: a systemic drug's dose, mg/kg");
        if (dr->ka_per_h > 0 && dr->doses[j].infusion_h > 0) {
            scn_path_key(c, "infusion_h");
            return scn_fail(c, "expected 0 (a bolus) for a drug with ka_per_h (absorption is for oral doses), got %g",
                            dr->doses[j].infusion_h);
        }
        scn_path_pop(c, m);
    }
    if (dr->ka_per_h > 0) {
        double ke = log(2.0) / dr->half_life_h;
        if (it) {
            scn_path_key(c, "ka_per_h");
            return scn_fail(c, "expected no ka_per_h for an intrathecal drug (absorption applies to systemic "
                               "oral doses), got %g", dr->ka_per_h);
        }
        if (fabs(dr->ka_per_h - ke) < 0.1 * ke) {
            scn_path_key(c, "ka_per_h");
            return scn_fail(c, "expected a rate at least 10%% away from the elimination rate ln2/half_life_h "
                               "(%.4g /h), got %g", ke, dr->ka_per_h);
        }
    }
    return PS_OK;
}

static const scn_key drug_keys[] = {
    K_NAME("name", scn_drug, name, SKF_UNIQUE, "e.g. `baricitinib`."),
    K_NUM("mw_g_per_mol", scn_drug, mw_g_per_mol, SKF_REQUIRED, 0, POS(1e6), "g/mol", "Molar mass."),
    K_NUM("half_life_h", scn_drug, half_life_h, SKF_REQUIRED, 0, POS(1e4), "h",
          "Plasma elimination half-life (of the species simulated)."),
    K_NUM("bioavailability", scn_drug, bioavailability, 0, 1.0, POS(1.0), NULL,
          "Fraction F of a systemic dose that reaches the plasma."),
    K_NUM("Vd_L_per_kg", scn_drug, Vd_L_per_kg, SKF_REQUIRED, 0, POS(1e4), "L/kg", "Volume of distribution."),
    K_NUM("fraction_unbound", scn_drug, fraction_unbound, 0, 1.0, POS(1.0), NULL,
          "Fraction fu of the plasma level not bound to plasma proteins; tissues see fu · C (systemic)."),
    K_NUM("ka_per_h", scn_drug, ka_per_h, 0, 0.0, NONNEG(1000.0), "1/h",
          "First-order absorption rate of oral (bolus) doses; `0`: instantaneous. Systemic drugs only.",
          .range_doc = "not within 10 % of ln2/half_life_h"),
    K_NUM("csf_volume_uL", scn_drug, csf_volume_uL, 0, 40.0, POS(1e6), "µL",
          "Intrathecal: CSF volume a bolus mixes into (mouse: 40, Yaksh 2017)."),
    K_NUM("csf_half_life_h", scn_drug, csf_half_life_h, 0, 1.4, POS(1e4), "h",
          "Intrathecal: clearance half-life from the CSF (mouse bulk flow: ln2 · 40 µL / 20 µL/h, Yaksh 2017)."),
    K_FLAT("ic50_nM", 0, scn_sec_ic50, "an object {JAK name: IC50 in nM} with keys among JAK1, JAK2, JAK3, TYK2",
           "Per-JAK cellular IC50 (nM, against unbound drug) of signalling limited by that JAK; a JAK not listed "
           "is not inhibited.", .def_doc = "`{}` (inhibits no JAK)"),
    K_ENUM("route", scn_drug, route, 0, 0, route_names,
           "`systemic`: every tissue sees the unbound plasma level times its fraction; `intrathecal`: a bolus "
           "into the CSF that only the tissues listed in `tissue_fraction` see (no systemic exposure)."),
    K_CUSTOM("tissue_fraction", 0, read_tissue_fraction, write_tissue_fraction, "object {tissue: number}",
             "{\"type\": \"object\", \"additionalProperties\": {\"type\": \"number\", \"minimum\": 0, \"maximum\": 1}}",
             "Exposure of each tissue relative to the unbound plasma level (Kp,uu; systemic) or to the CSF "
             "(intrathecal), in [0, 1].",
             .def_doc = "1 in every tissue (systemic); required for intrathecal"),
    K_LIST("doses", scn_drug, doses, n_doses, SKF_REQUIRED, scn_sec_dose, 1, SCN_MAX_DOSES, "dose courses",
           "Courses of doses."),
};
SECTION(scn_sec_drug, "drugs[i]", "an object with name, mw_g_per_mol, half_life_h, Vd_L_per_kg, ic50_nM and doses",
        drug_keys, .post = drug_post,
        .schema_extra = "{\"if\": {\"required\": [\"route\"], \"properties\": {\"route\": {\"const\": "
                        "\"intrathecal\"}}}, \"then\": {\"required\": [\"tissue_fraction\"], \"properties\": "
                        "{\"tissue_fraction\": {\"minProperties\": 1}, \"ka_per_h\": {\"const\": 0}, "
                        "\"doses\": {\"items\": {\"required\": [\"ug_per_animal\"], \"properties\": "
                        "{\"mg_per_kg\": {\"const\": 0}}}}}}, \"else\": {\"properties\": {\"doses\": "
                        "{\"items\": {\"required\": [\"mg_per_kg\"], \"properties\": {\"ug_per_animal\": "
                        "{\"const\": 0}}}}}}}");

/* ------------------------------------------------------------------------------------
 * perturbations[i]: one row per kind in scn_perturb_kinds, the keys name their kinds.
 * ---------------------------------------------------------------------------------- */

#define DEPLETION (1u << SCN_PERTURB_DEPLETION)
#define KNOCKOUT (1u << SCN_PERTURB_KNOCKOUT)
#define BLOCK (1u << SCN_PERTURB_RECEPTOR_BLOCK)
#define RKO (1u << SCN_PERTURB_RECEPTOR_KNOCKOUT)

/* The kinds, in scn_perturb_kind order: name and what it does on the device. */
const scn_perturb_kind_info scn_perturb_kinds[SCN_N_PERTURB_KINDS] = {
    {"depletion", "Adds `rate_per_h` to the death hazard of the cells of `type` in `tissue` (e.g. an antibody or "
                  "toxin that depletes macrophages).",
     PTK_DEPLETION, "agents_signal.cl: added to the death hazard"},
    {"knockout", "Zeroes the secretion of `mediator` by cells of `type` (a conditional knockout), in every state, "
                 "whatever `jak_stat3.secretion_gain` says.",
     PTK_KNOCKOUT, "agents_secrete.cl: secretion skipped"},
    {"receptor_block", "Scales what cells of `type` (every type carrying it, when `type` is not given) sense "
                       "through `receptor` by (1 − `fraction`) during the window (an antagonist or a neutralising "
                       "antibody): everything the receptor drives — recruitment, chemotaxis, transitions, "
                       "division, JAK/STAT3, repair and pain terms.",
     PTK_BLOCK, "agents_signal.cl, agents_move.cl, recruit.cl: sensed concentration scaled"},
    {"receptor_knockout", "Cells of `type` sense nothing through `receptor` during the window (a germline "
                          "knockout with the defaults, from t = 0 to the end; an inducible one from `start_h`): "
                          "a receptor block of fraction 1 on one type.",
     PTK_BLOCK, "agents_signal.cl, agents_move.cl, recruit.cl: sensed concentration zero"},
};
static const char *const perturb_kind_names[SCN_N_PERTURB_KINDS] = {"depletion", "knockout", "receptor_block",
                                                                    "receptor_knockout"};
_Static_assert(COUNT(perturb_kind_names) == COUNT(scn_perturb_kinds), "one name per perturbation kind");

static void perturbation_init(scn_walk *w, void *dst)
{
    ((scn_perturbation *)dst)->stop_h = w->s->duration_h;
}

static ps_status perturbation_start(scn_walk *w, const cJSON *obj, void *dst)
{
    (void)obj;
    return scn_check_starts_in_time(w, ((const scn_perturbation *)dst)->start_h, "perturbation");
}

static ps_status perturbation_stop(scn_walk *w, const cJSON *obj, void *dst)
{
    const scn_perturbation *p = dst;
    (void)obj;
    if (p->stop_h > p->start_h) return PS_OK;
    char lo[40], got[40];
    scn_fmt_num(lo, sizeof lo, p->start_h);
    scn_fmt_num(got, sizeof got, p->stop_h);
    scn_path_key(w->c, "stop_h");
    return scn_fail(w->c, "expected a number > start_h (%s), got %s", lo, got);
}

/* type is required except for a receptor block (every type carrying the receptor). */
static ps_status perturbation_type(scn_walk *w, const cJSON *obj, void *dst)
{
    const scn_perturbation *p = dst;
    if (p->type >= 0 || p->kind == SCN_PERTURB_RECEPTOR_BLOCK) return PS_OK;
    return scn_missing(w->c, "type", "the name of a cell type");
}

/* The receptor must be carried by the perturbation's type (or, without a type, by some type). */
static ps_status perturbation_receptor(scn_walk *w, const cJSON *obj, void *dst)
{
    const scn_perturbation *p = dst;
    (void)obj;
    if (p->kind != SCN_PERTURB_RECEPTOR_BLOCK && p->kind != SCN_PERTURB_RECEPTOR_KNOCKOUT) return PS_OK;
    const scenario *s = w->s;
    if (p->type >= 0) {
        const scn_cell_type *ct = &s->types[p->type];
        if (scenario_receptor_named(ct, p->receptor) >= 0) return PS_OK;
        const char *rn[SCN_MAX_RECEPTORS];
        char list[1024];
        for (int k = 0; k < ct->n_receptors; k++) rn[k] = ct->receptors[k].name;
        scn_join(list, sizeof list, rn, ct->n_receptors, SCN_MAX_RECEPTORS);
        scn_path_key(w->c, "receptor");
        return scn_fail(w->c, "expected a receptor that %s carries (%s), got \"%s\"", ct->name,
                        ct->n_receptors ? list : "it carries none", p->receptor);
    }
    for (int t = 0; t < s->n_types; t++)
        if (scenario_receptor_named(&s->types[t], p->receptor) >= 0) return PS_OK;
    scn_path_key(w->c, "receptor");
    return scn_fail(w->c, "expected a receptor that some cell type carries (cell_types[i].receptors), got \"%s\"",
                    p->receptor);
}

static const scn_key perturbation_keys[] = {
    K_ENUM("kind", scn_perturbation, kind, SKF_REQUIRED, 0, perturb_kind_names,
           "What is done (see the kinds below)."),
    K_REF("type", scn_perturbation, type, 0, -1, SR_TYPE, "Cell type depleted, knocked out or whose receptor is "
          "blocked.", .check = perturbation_type, .def_doc = "required, except for receptor_block: every type "
          "carrying `receptor`"),
    {.name = "receptor", .type = SK_NAME, .off = offsetof(scn_perturbation, receptor), .flags = SKF_REQUIRED,
     .kinds = BLOCK | RKO, .pass = 1, .check = perturbation_receptor,
     .doc = "Receptor blocked or knocked out, by name (cell_types[i].receptors)."},
    K_REF("tissue", scn_perturbation, tissue, 0, -1, SR_TISSUE, "Tissue it acts in.", .pass = 1,
          .def_doc = "every tissue"),
    K_REF("mediator", scn_perturbation, mediator, SKF_REQUIRED, -1, SR_MEDIATOR,
          "Mediator knocked out.", .kinds = KNOCKOUT),
    K_NUM("start_h", scn_perturbation, start_h, 0, 0.0, NONNEG(8760.0), "h", "Start of the active window.",
          .pass = 1, .check = perturbation_start, .range_doc = "< time.duration_h"),
    K_NUM("stop_h", scn_perturbation, stop_h, SKF_PRESET, 0, POS(INFINITY), "h", "End of the active window.",
          .pass = 1, .check = perturbation_stop, .def_doc = "time.duration_h", .range_doc = "> start_h"),
    K_NUM("rate_per_h", scn_perturbation, rate_per_h, SKF_REQUIRED, 0, POS(1000.0), "1/h",
          "Added death hazard.", .kinds = DEPLETION, .pass = 1),
    K_NUM("fraction", scn_perturbation, fraction, SKF_REQUIRED, 0, RANGE(0.0, 1.0), NULL,
          "Share of the signal blocked.", .kinds = BLOCK, .pass = 1),
};
SECTION(scn_sec_perturbation, "perturbations[i]", "an object with kind", perturbation_keys, .disc = 0,
        .disc_noun = "kind", .disc_verb = "takes", .disc_common = 1, .init = perturbation_init);

/* ------------------------------------------------------------------------------------
 * neurons
 * ---------------------------------------------------------------------------------- */

/* The first state is the intact one; "injured" must be another. */
static ps_status compartment_type(scn_walk *w, const cJSON *obj, void *dst)
{
    scn_compartment *cp = dst;
    const scn_cell_type *ct = &w->s->types[cp->type];
    (void)obj;
    cp->injured_state = -1;
    for (int i = 1; i < ct->n_states; i++)
        if (strcmp(ct->states[i].name, "injured") == 0) cp->injured_state = i;
    if (cp->injured_state >= 0) return PS_OK;
    char states[1024];
    const char *sn[SCN_MAX_STATES];
    for (int i = 0; i < ct->n_states; i++) sn[i] = ct->states[i].name;
    scn_join(states, sizeof states, sn, ct->n_states, SCN_MAX_STATES);
    scn_path_key(w->c, "type");
    return scn_fail(w->c, "expected a cell type with a state named \"injured\" that is not its first state, "
                          "got \"%s\" (states: %s)", ct->name, states);
}

static const scn_key compartment_keys[] = {
    K_REF("tissue", scn_compartment, tissue, SKF_REQUIRED, -1, SR_TISSUE, "Tissue of the compartment."),
    K_REF("type", scn_compartment, type, SKF_REQUIRED, -1, SR_TYPE,
          "Cell type it is placed as; needs a state `injured` that is not its first.", .check = compartment_type),
    K_REF("region", scn_compartment, region, SKF_CROSS, -1, SR_REGION_OF, "Region to place in.",
          .ref_of = offsetof(scn_compartment, tissue), .def_doc = "the whole tissue"),
};
SECTION(scn_sec_compartment, "neurons.soma, .peripheral, .central", "an object with tissue and type",
        compartment_keys, .init = NULL);

static ps_status lesion_at(scn_walk *w, const cJSON *obj, void *dst)
{
    const scn_neurons *n = dst;
    (void)obj;
    if (n->lesion_h < w->s->duration_h) return PS_OK;
    char dur[40], got[40];
    scn_fmt_num(dur, sizeof dur, w->s->duration_h);
    scn_fmt_num(got, sizeof got, n->lesion_h);
    scn_path_key(w->c, "at_h");
    return scn_fail(w->c, "expected a number < time.duration_h (%s h), got %s: the lesion comes after the end "
                          "of the simulation", dur, got);
}

static int lesion_present(const scn_walk *w, const void *dst)
{
    (void)w;
    return ((const scn_neurons *)dst)->lesion_region >= 0;
}

static const scn_key lesion_keys[] = {
    K_REF("region", scn_neurons, lesion_region, SKF_REQUIRED | SKF_CROSS, -1, SR_REGION_OF,
          "Region of the peripheral tissue: every neuron whose peripheral terminal lies in it is injured.",
          .ref_of = offsetof(scn_neurons, peripheral.tissue), .what = "a region of the peripheral tissue"),
    K_NUM("at_h", scn_neurons, lesion_h, 0, 0.0, NONNEG(8760.0), "h", "Time of the lesion.", .check = lesion_at,
          .range_doc = "< time.duration_h"),
    K_BOOL("permanent", scn_neurons, lesion_permanent, 1, "Lesioned neurons keep I = 1 (no repair)."),
};
SECTION(scn_sec_lesion, "neurons.lesion", "an object with region", lesion_keys, .write_if = lesion_present);

static int toxin_present(const scn_walk *w, const void *dst)
{
    (void)w;
    return ((const scn_neurons *)dst)->toxin_drug >= 0;
}

static const scn_key toxin_keys[] = {
    K_REF("drug", scn_neurons, toxin_drug, SKF_REQUIRED, -1, SR_DRUG, "The neurotoxic drug (e.g. paclitaxel)."),
    K_NUM("EC50_nM", scn_neurons, toxin_EC50_nM, SKF_REQUIRED, 0, POS(1e9), "nM",
          "Concentration at the soma giving half the injury rate."),
    K_NUM("rate_per_h", scn_neurons, toxin_rate_per_h, SKF_REQUIRED, 0, POS(100.0), "1/h",
          "Injury rate at full response: dI/dt = rate · H(C) · (1 − I) − repair · I."),
};
SECTION(scn_sec_toxin, "neurons.toxin", "an object with drug, EC50_nM and rate_per_h", toxin_keys,
        .write_if = toxin_present);

static void release_init(scn_walk *w, void *dst)
{
    (void)w;
    ((scn_release *)dst)->mediator = -1;
}

static const scn_key release_keys[] = {
    K_ENUM("site", scn_release, site, SKF_REQUIRED, 0, release_site_names, "The compartment that releases."),
    K_REF("mediator", scn_release, mediator, SKF_REQUIRED, -1, SR_MEDIATOR, "The mediator released."),
    K_NUM("per_injury_molecules_per_min", scn_release, per_injury_molecules_per_min, 0, 0.0, NONNEG(1e9),
          "molecules/min", "Release per compartment at full lagged injury (L = 1)."),
    K_NUM("per_activity_molecules_per_min", scn_release, per_activity_molecules_per_min, 0, 0.0, NONNEG(1e9),
          "molecules/min", "Release per compartment per unit afferent activity A (the drive D of the pain "
          "readout)."),
    K_NUM("stat3_gain", scn_release, stat3_gain, 0, 0.0, NONNEG(1e3), "1",
          "Transcriptional gain by the neuron's pSTAT3 P (0..1): the release is multiplied by 1 + stat3_gain·P. "
          "P is computed by the soma's cell type (its jak_stat3: gp130 cytokines → JAK → STAT3 in the injured "
          "neuron, so a JAK inhibitor lowers it) and reaches the terminals through the transport delay. "
          "Needs a jak_stat3 block on the soma's type when above 0."),
};
SECTION(scn_sec_release, "neurons.release[k]", "an object with site and mediator", release_keys,
        .init = release_init);

static void neurons_init(scn_walk *w, void *dst)
{
    scn_neurons *n = dst;
    (void)w;
    n->lesion_region = -1;
    n->toxin_drug = -1;
    n->soma.region = n->peripheral.region = n->central.region = -1;
}

static const scn_key neuron_keys[] = {
    K_INT("count", scn_neurons, count, SKF_REQUIRED, 0, INT_RANGE(1.0, 1e7), "Number of nociceptor neurons."),
    K_OBJ("soma", scn_neurons, soma, SKF_REQUIRED, scn_sec_compartment, "an object with tissue and type",
          "Where the cell bodies are (DRG)."),
    K_OBJ("peripheral", scn_neurons, peripheral, SKF_REQUIRED, scn_sec_compartment, "an object with tissue and type",
          "Where the peripheral terminals are (injury site, skin)."),
    K_OBJ("central", scn_neurons, central, SKF_REQUIRED, scn_sec_compartment, "an object with tissue and type",
          "Where the central terminals are (dorsal horn)."),
    K_NUM("transport_delay_h", scn_neurons, transport_delay_h, 0, 12.0, POS(1000.0), "h",
          "Lag of the first-order follow of injury by each compartment."),
    K_FLAT("lesion", 0, scn_sec_lesion, "an object with region", "A nerve lesion.", .def_doc = "absent (no lesion)"),
    K_FLAT("toxin", 0, scn_sec_toxin, "an object with drug, EC50_nM and rate_per_h", "A neurotoxic drug.",
           .def_doc = "absent"),
    K_NUM("repair_per_h", scn_neurons, repair_per_h, 0, 0.0, NONNEG(100.0), "1/h", "Base repair rate of injury."),
    K_LIST("repair_drivers", scn_neurons, repair_drivers, n_repair_drivers, 0, scn_sec_driver100, 0, SCN_MAX_DRIVERS,
           "repair drivers", "Mediators sensed at the soma that add rate · H to repair."),
    K_LIST("release", scn_neurons, release, n_release, 0, scn_sec_release, 0, SCN_MAX_RELEASE, "releases",
           "Neuron → immune signalling: what each compartment releases, graded by injury, activity and the "
           "neuron's pSTAT3: (per_injury · L + per_activity · A) · (1 + stat3_gain · P) molecules/min; one per "
           "site and mediator."),
};
SECTION(scn_sec_neurons, "neurons", "an object with count, soma, peripheral and central", neuron_keys,
        .has_present = 1, .present_off = offsetof(scn_neurons, enabled), .init = neurons_init);

/* ------------------------------------------------------------------------------------
 * pain
 * ---------------------------------------------------------------------------------- */

static const scn_key term_keys[] = {
    K_ENUM("site", scn_pain_term, site, SKF_REQUIRED, 0, site_names,
           "Where the term acts: `peripheral` terminal excitability, `soma` (DRG) ectopic activity, or "
           "`central` gain (dorsal horn)."),
    K_REF("mediator", scn_pain_term, mediator, SKF_REQUIRED, -1, SR_MEDIATOR,
          "Mediator sensed, through the compartment type's receptor for it."),
    K_NUM("EC50_nM", scn_pain_term, EC50_nM, SKF_REQUIRED, 0, POS(1e9), "nM", "Half-maximal concentration."),
    K_NUM("hill", scn_pain_term, hill, 0, 1.0, RANGE(0.1, 8.0), NULL, "Hill coefficient."),
    K_NUM("weight", scn_pain_term, weight, SKF_REQUIRED, 0, RANGE(-100.0, 100.0), NULL,
          "Excitability at full response; negative desensitizes (IL-10)."),
    K_ENUM("sex", scn_pain_term, sex, 0, 0, term_sex_names, "Sex in which the term acts."),
    K_ENUM("role", scn_pain_term, role, 0, 0, term_role_names,
           "`excitability`: weight · H adds to E at its site. `priming`: weight · H is a trigger T that "
           "induces the neuron's primed state P (see pain.priming_induction_per_h) and adds nothing to E "
           "itself; soma and peripheral sites only."),
};

static ps_status term_post(scn_walk *w, const cJSON *obj, void *dst)
{
    (void)obj;
    const scn_pain_term *pt = dst;
    if (pt->role != SCN_ROLE_PRIMING || pt->site != SCN_SITE_CENTRAL) return PS_OK;
    scn_path_key(w->c, "role");
    return scn_fail(w->c, "expected \"excitability\" at site \"central\": priming is a state of the primary "
                    "afferent (site \"soma\" or \"peripheral\")");
}
SECTION(scn_sec_term, "pain.terms[k]", "an object with terminal, mediator, EC50_nM and weight", term_keys,
        .init = NULL, .post = term_post);

static ps_status pain_pre(scn_walk *w, const cJSON *obj, void *dst)
{
    (void)obj;
    (void)dst;
    if (w->s->neurons.enabled) return PS_OK;
    return scn_fail(w->c, "expected a neurons section (the pain readout is computed from nociceptor terminals)");
}

static int pain_written(const scn_walk *w, const void *dst)
{
    (void)dst;
    return w->s->neurons.enabled;
}

static const scn_key pain_keys[] = {
    K_NUM("baseline_threshold_g", scn_pain, baseline_threshold_g, 0, 4.0, POS(300.0), "g",
          "von Frey withdrawal threshold without sensitization."),
    K_NUM("time_constant_h", scn_pain, time_constant_h, 0, 6.0, POS(1000.0), "h",
          "Time constant with which E_soma, E_peripheral and the central gain G follow their targets."),
    K_NUM("injury_weight", scn_pain, injury_weight, 0, 0.0, NONNEG(100.0), NULL,
          "Injury-intrinsic drive per unit lagged injury of the soma (immune-independent)."),
    K_NUM("soma_uninjured_response", scn_pain, soma_uninjured_response, 0, 0.2, RANGE(0.0, 1.0), NULL,
          "Share of the soma terms an uninjured neuron responds with (injured: all)."),
    K_NUM("central_activity_gain", scn_pain, central_activity_gain, 0, 0.0, NONNEG(100.0), NULL,
          "Activity-dependent central gain at saturating afferent drive (immune-independent)."),
    K_NUM("central_activity_K", scn_pain, central_activity_K, 0, 1.0, POS(100.0), NULL,
          "Afferent drive D giving half the activity-dependent central gain."),
    K_NUM("memory_induction_per_h", scn_pain, memory_induction_per_h, 0, 0.0, NONNEG(100.0), "1/h",
          "Rate at which central gain induces the slow sensitized state M."),
    K_NUM("memory_decay_per_h", scn_pain, memory_decay_per_h, 0, 0.0, NONNEG(100.0), "1/h",
          "Decay rate of M."),
    K_NUM("memory_K", scn_pain, memory_K, 0, 1.0, POS(100.0), NULL, "Central gain G giving half-maximal "
          "induction of M."),
    K_NUM("memory_hill", scn_pain, memory_hill, 0, 1.0, RANGE(0.1, 8.0), NULL,
          "Hill coefficient n of the induction of M, u = Gⁿ / (Gⁿ + memory_Kⁿ): above 1, a low central gain "
          "(the activity-dependent part alone) induces little lasting sensitization."),
    K_NUM("memory_weight", scn_pain, memory_weight, 0, 0.0, NONNEG(100.0), NULL,
          "Central gain added at M = 1."),
    K_NUM("direct_weight", scn_pain, direct_weight, 0, 1.0, NONNEG(100.0), NULL,
          "Weight of the afferent drive D itself in S = D (direct_weight + G + memory_weight M): the part "
          "of the allodynia that needs no central amplification."),
    K_NUM("priming_induction_per_h", scn_pain, priming_induction_per_h, 0, 0.0, NONNEG(100.0), "1/h",
          "Rate at which a unit priming trigger T (the sum of the `priming` terms' weight · H) induces the "
          "primed state P of a neuron: dP/dt = k · T · (1 − P) − priming_decay_per_h · P."),
    K_NUM("priming_decay_per_h", scn_pain, priming_decay_per_h, 0, 0.0, NONNEG(100.0), "1/h",
          "Decay rate of P."),
    K_NUM("priming_weight", scn_pain, priming_weight, 0, 0.0, NONNEG(100.0), NULL,
          "Gain of the primary afferent's mediator terms at P = 1: the soma and peripheral excitability "
          "terms are multiplied by 1 + priming_weight · P (a primed neuron responds more to the same "
          "mediators)."),
    K_BOOL("immune_terms", scn_pain, immune_terms, 1, "`false` removes every mediator term (soma, peripheral and "
           "central): the negative control of the validation suite."),
    K_LIST("terms", scn_pain, terms, n_terms, 0, scn_sec_term, 0, SCN_MAX_PAIN_TERMS, "pain terms",
           "Mediator terms of the readout."),
};
SECTION(scn_sec_pain, "pain", "an object", pain_keys, .pre = pain_pre, .write_if = pain_written);
