/* test_scenario.c — self-tests of the scenario loader: defaults, the resolved JSON round
 * trip, one bad document per kind of user error (each message checked for its JSON path
 * and its "expected" part), --set overrides, and file errors. Runs from the repository
 * root (it reads tests/data/scenario_full.json); well under a second.
 *
 *   bin/test_scenario                          run the tests
 *   bin/test_scenario --resolve FILE [SET...]  print FILE's resolved JSON (or the error);
 *                                              tests/check_schema.py uses this
 */
#include "pk.h"
#include "scenario.h"
#include "test.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Documents are written with ' for " to keep them readable; this swaps them back. */
static char *dq(const char *s)
{
    size_t n = strlen(s);
    char *t = malloc(n + 1);
    if (!t) abort();
    for (size_t i = 0; i <= n; i++) t[i] = s[i] == '\'' ? '"' : s[i];
    return t;
}

/* Loads a '-quoted document under the name "scen.json". */
static ps_status load_doc(const char *doc, const char *const *sets, int n_sets, scenario *s, ps_err *e)
{
    char *text = dq(doc);
    ps_err_clear(e);
    ps_status st = scenario_load_string(text, "scen.json", sets, n_sets, s, e);
    free(text);
    return st;
}

#define TIME "'time':{'duration_h':2}"
#define MEDS "'mediators':[{'name':'TNF','D_um2_per_s':100},{'name':'IL10','D_um2_per_s':90}]"
#define TYPES "'cell_types':[{'name':'macrophage','states':[{'name':'resting'},{'name':'active'}]," \
              "'receptors':[{'name':'TNFR1','mediator':'TNF'}]}]"
#define SKIN "'name':'skin','size_um':[100,100,20],'voxel_um':10"
/* A valid document whose single tissue gets extra keys. */
#define DOC_T(extra) "{'name':'t'," TIME "," MEDS "," TYPES ",'tissues':[{" SKIN extra "}]}"
/* A valid document with a replaced time object. */
#define DOC_TIME(time) "{'name':'t','time':" time "," MEDS ",'tissues':[{" SKIN "}]}"
/* A valid document with replaced cell types. */
#define DOC_TYPES(types) "{'name':'t'," TIME "," MEDS ",'cell_types':" types ",'tissues':[{" SKIN "}]}"

/* A valid document with extra top-level keys (drugs, perturbations). */
#define DOC_TOP(extra) "{'name':'t'," TIME "," MEDS "," TYPES ",'tissues':[{" SKIN "}]" extra "}"
/* A valid document with replaced mediators. */
#define DOC_MEDS(meds) "{'name':'t'," TIME ",'mediators':" meds ",'tissues':[{" SKIN "}]}"
/* A cell type with two states a, b and extra keys. */
#define TYPE_AB(extra) "[{'name':'m','states':[{'name':'a'},{'name':'b'}]" extra "}]"
/* One transition a -> b with extra keys. */
#define TR_AB(extra) TYPE_AB(",'transitions':[{'from':'a','to':'b'" extra "}]")
/* A jak_stat3 block with extra keys after a valid activator list. */
#define JS(extra) TYPE_AB(",'jak_stat3':{'activators':[{'mediator':'TNF','EC50_nM':1}]" extra "}")
/* A drug named tofa whose keys after name are given. */
#define DRUG_KEYS(keys) "{'name':'tofa','mw_g_per_mol':312,'half_life_h':3,'Vd_L_per_kg':1.2," keys "}"
#define IC50 "'ic50_nM':{'JAK1':56}"
#define DOSES "'doses':[{'start_h':0,'mg_per_kg':1}]"
/* One drug with extra keys. */
#define DRUG(extra) DOC_TOP(",'drugs':[" DRUG_KEYS(IC50 "," DOSES extra) "]")
/* One perturbation (the whole object given). */
#define PERT(obj) DOC_TOP(",'perturbations':[" obj "]")
/* Neurons: a type n with states intact/injured, a tissue with a region "cut". */
#define NTYPES "'cell_types':[{'name':'macrophage','states':[{'name':'resting'},{'name':'active'}]," \
               "'receptors':[{'name':'TNFR1','mediator':'TNF'}]}," \
               "{'name':'n','states':[{'name':'intact'},{'name':'injured'}]," \
               "'receptors':[{'name':'TNFR1','mediator':'TNF'},{'name':'IL10R','mediator':'IL10'}]}]"
#define SKINR SKIN ",'regions':[{'name':'cut','shape':'box','min_um':[0,0,0],'max_um':[50,100,20]}]"
#define COMP "{'tissue':'skin','type':'n'}"
#define NEUR(extra) "'neurons':{'count':5,'soma':" COMP ",'peripheral':" COMP ",'central':" COMP extra "}"
#define DOC_N(extra) "{'name':'t'," TIME "," MEDS "," NTYPES ",'tissues':[{" SKINR "}]," extra "}"
/* Two tissues with one region each (skin: cut, drg: ganglion), types whose "injured" state
 * is missing (macrophage), first (first) or alone (lone), and a drug taxol without IC50s. */
#define NTYPES2 "'cell_types':[{'name':'macrophage','states':[{'name':'resting'},{'name':'active'}]}," \
                "{'name':'n','states':[{'name':'intact'},{'name':'injured'}]," \
                "'receptors':[{'name':'TNFR1','mediator':'TNF'},{'name':'IL10R','mediator':'IL10'}]}," \
                "{'name':'first','states':[{'name':'injured'},{'name':'intact'}]}," \
                "{'name':'lone','states':[{'name':'injured'}]}]"
#define DRGR "'name':'drg','size_um':[100,100,20],'voxel_um':10," \
             "'regions':[{'name':'ganglion','shape':'box','min_um':[0,0,0],'max_um':[100,100,20]}]"
#define TAXOL "'drugs':[{'name':'taxol','mw_g_per_mol':854,'half_life_h':20,'Vd_L_per_kg':5," DOSES "}]"
#define DOC_N2(extra) "{'name':'t'," TIME "," MEDS "," NTYPES2 ",'tissues':[{" SKINR "},{" DRGR "}]," TAXOL "," \
                      extra "}"
#define SOMA2 "{'tissue':'drg','type':'n'}"
#define PERI2 "{'tissue':'skin','type':'n'}"
/* Neurons with soma in drg, both terminals in skin; the compartments given whole. */
#define NEUR2C(soma, peri, cent, extra) "'neurons':{'count':5,'soma':" soma ",'peripheral':" peri ",'central':" cent extra "}"
#define NEUR2(extra) NEUR2C(SOMA2, PERI2, PERI2, extra)
#define TERM(extra) "'pain':{'terms':[{'site':'central','mediator':'TNF','EC50_nM':1,'weight':1" extra "}]}"

static const char *const minimal = DOC_T("");

static void test_defaults(void)
{
    scenario *s = malloc(sizeof *s);
    ps_err e;
    ps_status st = load_doc(minimal, NULL, 0, s, &e);
    TEST_CHECK(st == PS_OK, "minimal scenario: %s", e.msg);
    if (st != PS_OK) {
        free(s);
        return;
    }
    TEST_CHECK(strcmp(s->name, "t") == 0 && s->description[0] == '\0', "name/description");
    TEST_CHECK(strcmp(s->source_path, "scen.json") == 0, "source_path %s", s->source_path);
    TEST_CHECK(s->seed == 1, "default seed %llu", (unsigned long long)s->seed);
    TEST_CHECK(s->duration_h == 2 && s->dt_min == 1 && s->output_interval_h == 1 &&
                   s->snapshot_interval_h == 6,
               "time defaults");
    TEST_CHECK(s->agent_capacity_factor == 2, "capacity factor default");
    TEST_CHECK(s->n_mediators == 2 && s->mediators[1].half_life_min == 0 && s->mediators[1].kDa == 17,
               "mediator defaults");
    TEST_CHECK(s->n_types == 1, "one cell type");
    const scn_cell_type *ct = &s->types[0];
    TEST_CHECK(ct->radius_um == 5 && ct->speed_um_per_min == 0 && ct->persistence_min == 5 &&
                   ct->repulsion_um_per_min == 1 && ct->death_rate_per_h == 0 &&
                   ct->division_rate_per_h == 0,
               "cell type defaults");
    TEST_CHECK(ct->chemotaxis_mediator == -1 && ct->chemotaxis_speed_um_per_min == 0 &&
                   ct->chemotaxis_Kd_nM == 0 && ct->chemotaxis_half_gradient_per_um == 0,
               "no chemotaxis");
    TEST_CHECK(ct->n_states == 2 && strcmp(ct->states[1].name, "active") == 0, "states");
    TEST_CHECK(s->n_tissues == 1, "one tissue");
    const scn_tissue *t = &s->tissues[0];
    int dims[3];
    scenario_tissue_dims(t, dims);
    TEST_CHECK(dims[0] == 10 && dims[1] == 10 && dims[2] == 2, "dims %d %d %d", dims[0], dims[1], dims[2]);
    TEST_CHECK(t->tortuosity == 1.6 && t->origin_um[0] == 0 && t->n_regions == 0 && t->n_seedings == 0,
               "tissue defaults");
    for (int m = 0; m < 2; m++) {
        const scn_field *f = &t->fields[m];
        TEST_CHECK(f->present, "field %d present by default", m);
        TEST_CHECK(f->D_um2_per_s == s->mediators[m].D_um2_per_s / (1.6 * 1.6), "D_eff = D/1.6^2: %g",
                   f->D_um2_per_s);
        TEST_CHECK(fabs(f->D_um2_per_s - s->mediators[m].D_um2_per_s / 2.56) < 1e-9, "D_eff value");
        TEST_CHECK(f->initial_nM == 0 && f->half_life_min == 0, "field defaults");
        for (int face = 0; face < SCN_FACES; face++)
            TEST_CHECK(f->bc[face].kind == SCN_BC_NO_FLUX, "no-flux default");
    }
    TEST_CHECK(!t->fields[2].present, "no third field");
    TEST_CHECK(scenario_mediator_index(s, "IL10") == 1 && scenario_mediator_index(s, "X") == -1, "mediator index");
    TEST_CHECK(scenario_type_index(s, "macrophage") == 0 && scenario_type_index(s, "x") == -1, "type index");
    TEST_CHECK(scenario_tissue_index(s, "skin") == 0 && scenario_tissue_index(s, "x") == -1, "tissue index");
    for (int k = 0; k < SCN_N_JAKS; k++)
        TEST_CHECK(s->mediators[0].jak[k] == 0 && s->mediators[1].jak[k] == 0, "no JAKs by default");
    TEST_CHECK(ct->n_transitions == 0 && ct->n_division_drivers == 0, "no transitions, no division drivers");
    TEST_CHECK(!ct->jak_stat3.enabled && ct->jak_stat3.inhibitor_mediator == -1 &&
                   ct->jak_stat3.n_activators == 0 && ct->jak_stat3.k_on_per_min == 0 &&
                   ct->jak_stat3.secretion_gain[0] == 0,
               "no jak_stat3");
    TEST_CHECK(s->n_drugs == 0 && s->n_perturbations == 0, "no drugs, no perturbations");
    const scn_neurons *nr = &s->neurons;
    TEST_CHECK(s->sex == SCN_SEX_MALE, "sex male by default");
    TEST_CHECK(!nr->enabled && nr->count == 0 && nr->transport_delay_h == 0 && nr->lesion_region == -1 &&
                   nr->lesion_h == 0 && nr->toxin_drug == -1 && nr->toxin_EC50_nM == 0 &&
                   nr->toxin_rate_per_h == 0 && nr->repair_per_h == 0,
               "no neurons");
    TEST_CHECK(nr->soma.region == -1 && nr->peripheral.region == -1 && nr->central.region == -1 &&
                   nr->soma.tissue == 0 && nr->soma.type == 0 && nr->central.injured_state == 0,
               "no neurons: compartments zero, regions -1");
    TEST_CHECK(s->pain.baseline_threshold_g == 4 && s->pain.time_constant_h == 6 && s->pain.injury_weight == 0 &&
                   s->pain.n_terms == 0,
               "pain defaults without a pain section");
    TEST_CHECK(s->tissues[0].n_recruitments == 0, "no recruitment");

    /* Default origins: side by side along x with 100 µm gaps. */
    st = load_doc("{'name':'t'," TIME "," MEDS ",'tissues':[{" SKIN "},{'name':'b','size_um':[50,50,50],"
                  "'voxel_um':5},{'name':'c','size_um':[10,10,10],'voxel_um':5,'origin_um':[1,2,3]},"
                  "{'name':'d','size_um':[10,10,10],'voxel_um':5}]}",
                  NULL, 0, s, &e);
    TEST_CHECK(st == PS_OK, "four tissues: %s", e.msg);
    if (st == PS_OK) {
        TEST_CHECK(s->tissues[1].origin_um[0] == 200 && s->tissues[1].origin_um[1] == 0, "origin 1: %g",
                   s->tissues[1].origin_um[0]);
        TEST_CHECK(s->tissues[2].origin_um[0] == 1 && s->tissues[2].origin_um[2] == 3, "explicit origin");
        TEST_CHECK(s->tissues[3].origin_um[0] == 111, "origin after explicit: %g", s->tissues[3].origin_um[0]);
    }

    /* A listed field set: only those present, overrides and boundary resolution. */
    st = load_doc(DOC_T(",'tortuosity':2,'fields':{'IL10':{'half_life_min':3,'boundary':{'all':{'type':"
                        "'fixed','value_nM':2},'x_min':{'type':'no_flux'}}}}"),
                  NULL, 0, s, &e);
    TEST_CHECK(st == PS_OK, "fields: %s", e.msg);
    if (st == PS_OK) {
        const scn_field *f = &s->tissues[0].fields[1];
        TEST_CHECK(!s->tissues[0].fields[0].present && f->present, "only IL10 present");
        TEST_CHECK(f->D_um2_per_s == 90.0 / 4.0 && f->half_life_min == 3, "IL10 D %g", f->D_um2_per_s);
        TEST_CHECK(f->bc[SCN_X_MIN].kind == SCN_BC_NO_FLUX && f->bc[SCN_X_MAX].kind == SCN_BC_FIXED &&
                       f->bc[SCN_Z_MAX].value_nM == 2,
                   "all, then faces");
    }
    free(s);
}

/* load -> to_json -> load gives the same bytes. */
static void check_round_trip(const scenario *a, const char *what)
{
    scenario *b = malloc(sizeof *b);
    ps_err e;
    ps_err_clear(&e);
    char *json = scenario_to_json(a);
    TEST_CHECK(json != NULL, "%s: to_json", what);
    if (!json) {
        free(b);
        return;
    }
    ps_status st = scenario_load_string(json, "resolved.json", NULL, 0, b, &e);
    TEST_CHECK(st == PS_OK, "%s: resolved JSON reloads: %s", what, e.msg);
    if (st == PS_OK) {
        memcpy(b->source_path, a->source_path, sizeof b->source_path);
        TEST_CHECK(memcmp(a, b, sizeof *a) == 0, "%s: round trip gives an identical struct", what);
        char *json2 = scenario_to_json(b);
        TEST_CHECK(json2 && strcmp(json, json2) == 0, "%s: resolved JSON is a fixed point", what);
        free(json2);
    }
    free(json);
    free(b);
}

/* The JAK, transition, drug and perturbation keys of tests/data/scenario_full.json. */
static void check_full_signalling(const scenario *s)
{
    const scn_mediator *il10 = &s->mediators[2], *il6 = &s->mediators[4];
    TEST_CHECK(il10->jak[SCN_JAK1] && !il10->jak[SCN_JAK2] && !il10->jak[SCN_JAK3] && il10->jak[SCN_TYK2],
               "IL10 JAK1/TYK2");
    TEST_CHECK(il6->jak[SCN_JAK1] && il6->jak[SCN_JAK2] && !il6->jak[SCN_JAK3] && il6->jak[SCN_TYK2],
               "IL6 JAK1/JAK2/TYK2 (listed out of order)");
    TEST_CHECK(il6->jak_limiting == SCN_JAK2 && il10->jak_limiting == SCN_JAK1 && s->mediators[3].jak_limiting == -1 &&
                   s->mediators[0].jak_limiting == -1,
               "jak_limiting: given (IL6), default JAK1 (IL10), none without jak (CCL2, TNF)");
    TEST_CHECK(!s->mediators[0].jak[SCN_JAK1] && !s->mediators[3].jak[SCN_JAK2], "TNF, CCL2 none");

    const scn_cell_type *m = &s->types[0];
    const scn_jak_stat3 *js = &m->jak_stat3;
    TEST_CHECK(js->enabled && js->n_activators == 2 && js->activators[0].mediator == 4 &&
                   js->activators[0].EC50_nM == 0.05 && js->activators[0].hill == 1.5 &&
                   js->activators[0].rate_per_h == 0 && js->activators[1].mediator == 0 &&
                   js->activators[1].hill == 1,
               "jak_stat3 activators");
    TEST_CHECK(js->k_on_per_min == 0.06 && js->k_off_per_min == 0.03 && js->socs_synthesis_per_min == 0.02 &&
                   js->socs_decay_per_min == 0.01 && js->socs_K == 0.4,
               "jak_stat3 constants");
    TEST_CHECK(js->inhibitor_mediator == 2 && js->inhibitor_IC50_nM == 0.2, "jak_stat3 inhibitor");
    TEST_CHECK(js->secretion_gain[4] == 3 && js->secretion_gain[0] == 1 && js->secretion_gain[1] == 0,
               "secretion gain by mediator index");
    TEST_CHECK(m->n_transitions == 3, "three transitions");
    const scn_transition *t0 = &m->transitions[0], *t1 = &m->transitions[1], *t2 = &m->transitions[2];
    TEST_CHECK(t0->from == 0 && t0->to == 1 && t0->rate_per_h == 0.01 && t0->pstat3_rate_per_h == 0.5,
               "transition 0");
    TEST_CHECK(t0->n_drivers == 1 && t0->drivers[0].mediator == 0 && t0->drivers[0].EC50_nM == 0.1 &&
                   t0->drivers[0].hill == 2 && t0->drivers[0].rate_per_h == 0.3,
               "transition 0 driver");
    TEST_CHECK(t0->n_inhibitors == 1 && t0->inhibitors[0].mediator == 2 && t0->inhibitors[0].IC50_nM == 0.3,
               "transition 0 inhibitor");
    TEST_CHECK(t1->from == 1 && t1->to == 2 && t1->rate_per_h == 0 && t1->pstat3_rate_per_h == 0 &&
                   t1->n_drivers == 1 && t1->drivers[0].hill == 1 && t1->n_inhibitors == 0,
               "transition 1 defaults");
    TEST_CHECK(t2->from == 2 && t2->to == 0 && t2->rate_per_h == 0.05 && t2->n_drivers == 0, "transition 2");
    TEST_CHECK(m->n_division_drivers == 1 && m->division_drivers[0].mediator == 3 &&
                   m->division_drivers[0].hill == 0.5 && m->division_drivers[0].rate_per_h == 0.02,
               "division driver");
    const scn_jak_stat3 *jn = &s->types[1].jak_stat3;
    TEST_CHECK(jn->enabled && jn->n_activators == 1 && jn->k_on_per_min == 0.05 && jn->k_off_per_min == 0.02 &&
                   jn->socs_synthesis_per_min == 0.01 && jn->socs_decay_per_min == 0.005 && jn->socs_K == 0.5 &&
                   jn->inhibitor_mediator == -1 && jn->inhibitor_IC50_nM == 0,
               "jak_stat3 defaults");
    TEST_CHECK(!s->types[2].jak_stat3.enabled && s->types[2].jak_stat3.inhibitor_mediator == -1,
               "keratinocyte: no jak_stat3");

    TEST_CHECK(s->n_drugs == 3, "three drugs");
    const scn_drug *tofa = &s->drugs[0], *bari = &s->drugs[1];
    TEST_CHECK(strcmp(tofa->name, "tofacitinib") == 0 && tofa->mw_g_per_mol == 312.37 && tofa->half_life_h == 3.2 &&
                   tofa->bioavailability == 0.74 && tofa->Vd_L_per_kg == 1.2,
               "tofacitinib PK");
    TEST_CHECK(tofa->ic50_nM[SCN_JAK1] == 56 && tofa->ic50_nM[SCN_JAK2] == 1377 && tofa->ic50_nM[SCN_JAK3] == 56 &&
                   tofa->ic50_nM[SCN_TYK2] == 0,
               "tofacitinib IC50 (TYK2 absent: 0)");
    TEST_CHECK(tofa->route == SCN_ROUTE_SYSTEMIC && tofa->tissue_fraction[0] == 1 && tofa->tissue_fraction[1] == 0.5,
               "systemic: default 1, listed override");
    TEST_CHECK(tofa->n_doses == 2 && tofa->doses[0].start_h == 1 && tofa->doses[0].every_h == 12 &&
                   tofa->doses[0].count == 2 && tofa->doses[0].mg_per_kg == 0.07 && tofa->doses[1].every_h == 24 &&
                   tofa->doses[1].count == 1,
               "doses");
    TEST_CHECK(bari->bioavailability == 1 && bari->route == SCN_ROUTE_INTRATHECAL && bari->tissue_fraction[0] == 0 &&
                   bari->tissue_fraction[1] == 1 && bari->tissue_fraction[2] == 0 && bari->ic50_nM[SCN_TYK2] == 53,
               "intrathecal: tissues not listed get 0");
    TEST_CHECK(bari->doses[0].ug_per_animal == 0.5 && bari->doses[0].mg_per_kg == 0 && bari->csf_volume_uL == 40 &&
                   bari->csf_half_life_h == 1.4 && bari->doses[0].infusion_h == 0,
               "intrathecal: dose in µg per animal, mouse CSF defaults");
    TEST_CHECK(tofa->fraction_unbound == 0.6 && tofa->ka_per_h == 4 && bari->fraction_unbound == 1 &&
                   bari->ka_per_h == 0,
               "fraction_unbound and ka_per_h (defaults 1 and 0)");
    const scn_drug *ptx = &s->drugs[2];
    TEST_CHECK(ptx->ic50_nM[SCN_JAK1] == 0 && ptx->ic50_nM[SCN_JAK2] == 0 && ptx->ic50_nM[SCN_JAK3] == 0 &&
                   ptx->ic50_nM[SCN_TYK2] == 0 && ptx->tissue_fraction[2] == 1 && ptx->n_doses == 1 &&
                   ptx->doses[0].count == 2,
               "paclitaxel: no ic50_nM (inhibits no JAK), systemic");

    TEST_CHECK(s->n_perturbations == 3, "three perturbations");
    const scn_perturbation *p0 = &s->perturbations[0], *p1 = &s->perturbations[1], *p2 = &s->perturbations[2];
    TEST_CHECK(p0->kind == SCN_PERTURB_DEPLETION && p0->type == 1 && p0->tissue == 0 && p0->mediator == -1 &&
                   p0->start_h == 1 && p0->stop_h == 6 && p0->rate_per_h == 0.5 && p0->fraction == 0,
               "depletion");
    TEST_CHECK(p1->kind == SCN_PERTURB_KNOCKOUT && p1->type == 0 && p1->mediator == 0 && p1->tissue == -1 &&
                   p1->start_h == 0 && p1->stop_h == 12 && p1->rate_per_h == 0,
               "knockout defaults: every tissue, whole run");
    TEST_CHECK(p2->kind == SCN_PERTURB_RECEPTOR_BLOCK && p2->type == -1 && strcmp(p2->receptor, "R_IL1b") == 0 && p2->tissue == 1 &&
                   p2->fraction == 0.8 && p2->start_h == 2 && p2->stop_h == 12,
               "receptor block");
}

/* The sex, neurons, pain and recruitment keys of tests/data/scenario_full.json. */
static void check_full_neurons(const scenario *s)
{
    const scn_cell_type *mac = &s->types[0];
    TEST_CHECK(mac->n_contacts == 2 && mac->contacts[0].partner == 1 && mac->contacts[0].partner_state == 0 &&
                   mac->contacts[0].eat == 1 && mac->contacts[0].from == 1 && mac->contacts[0].to == 2 &&
                   mac->contacts[0].range_um == 0 && mac->contacts[0].rate_per_h == 2,
               "contact 0: eats active neutrophils, M1 -> M2");
    TEST_CHECK(mac->contacts[1].partner == 2 && mac->contacts[1].partner_state == -1 && mac->contacts[1].eat == 0 &&
                   mac->contacts[1].from == -1 && mac->contacts[1].to == 1 && mac->contacts[1].range_um == 15,
               "contact 1: keratinocyte contact -> M1, forward reference");
    TEST_CHECK(s->types[1].n_contacts == 0, "no contacts by default");
    TEST_CHECK(s->sex == SCN_SEX_FEMALE, "sex female");
    const scn_neurons *n = &s->neurons;
    TEST_CHECK(n->enabled && n->count == 200 && n->transport_delay_h == 24 && n->repair_per_h == 0.01, "neurons");
    TEST_CHECK(n->soma.tissue == 1 && n->soma.type == 3 && n->soma.region == -1 && n->soma.injured_state == 1,
               "soma: drg, nociceptor_soma, whole tissue");
    TEST_CHECK(n->peripheral.tissue == 0 && n->peripheral.type == 4 && n->peripheral.region == 2 &&
                   n->peripheral.injured_state == 1,
               "peripheral: skin, nerve_terminal, epidermis");
    TEST_CHECK(n->central.tissue == 2 && n->central.type == 4 && n->central.region == 0 &&
                   n->central.injured_state == 1,
               "central: dorsal_horn, nerve_terminal, lamina_I");
    TEST_CHECK(n->lesion_region == 0 && n->lesion_h == 2 && !n->lesion_permanent,
               "lesion in the skin's wound at 2 h, not permanent");
    TEST_CHECK(n->n_repair_drivers == 1 && n->repair_drivers[0].EC50_nM == 0.05 &&
                   n->repair_drivers[0].rate_per_h == 0.02 && n->repair_drivers[0].hill == 1 &&
                   strcmp(s->mediators[n->repair_drivers[0].mediator].name, "IL10") == 0,
               "repair driver IL10");
    TEST_CHECK(n->toxin_drug == 2 && n->toxin_EC50_nM == 50 && n->toxin_rate_per_h == 0.05, "toxin paclitaxel");
    const scn_pain *p = &s->pain;
    TEST_CHECK(p->baseline_threshold_g == 4.5 && p->time_constant_h == 8 && p->injury_weight == 1.5 &&
                   p->n_terms == 4,
               "pain");
    const scn_pain_term *t = p->terms;
    TEST_CHECK(t[0].site == SCN_SITE_PERIPHERAL && t[0].mediator == 0 && t[0].EC50_nM == 0.5 && t[0].hill == 1 &&
                   t[0].weight == 0.8 && t[0].sex == 0,
               "term 0: peripheral TNF, defaults");
    TEST_CHECK(t[1].site == SCN_SITE_PERIPHERAL && t[1].mediator == 4 && t[1].hill == 1.5 && t[1].sex == 0, "term 1");
    TEST_CHECK(t[2].site == SCN_SITE_CENTRAL && t[2].mediator == 1 && t[2].hill == 2 && t[2].weight == 0.6 && t[2].sex == 1,
               "term 2: central IL1b, male");
    TEST_CHECK(t[3].site == SCN_SITE_CENTRAL && t[3].mediator == 2 && t[3].weight == -0.5 && t[3].sex == 2,
               "term 3: central IL10, female, negative weight");
    const scn_tissue *skin = &s->tissues[0], *drg = &s->tissues[1];
    TEST_CHECK(skin->n_recruitments == 1 && skin->recruitments[0].type == 1 && skin->recruitments[0].state == 0 &&
                   skin->recruitments[0].region == 1 && skin->recruitments[0].rate_per_mm3_per_h == 20 &&
                   skin->recruitments[0].barrier_permeability == 0.5 &&
                   skin->recruitments[0].chemokine.mediator == 3 && skin->recruitments[0].chemokine.hill == 2 &&
                   skin->recruitments[0].female_rate_factor == 2 && skin->recruitments[0].priming_from_h == 1 &&
                   skin->recruitments[0].priming_peak_h == 96,
               "skin recruitment");
    TEST_CHECK(drg->n_recruitments == 1 && drg->recruitments[0].type == 0 && drg->recruitments[0].region == -1 &&
                   drg->recruitments[0].barrier_permeability == 1 && drg->recruitments[0].chemokine.mediator == -1 &&
                   drg->recruitments[0].female_rate_factor == 1 && drg->recruitments[0].priming_peak_h == 0,
               "drg recruitment defaults");
    TEST_CHECK(s->tissues[2].n_recruitments == 0 && s->tissues[2].fields[4].present, "dorsal horn defaults");
}

static void test_round_trip(void)
{
    scenario *s = malloc(sizeof *s);
    ps_err e;
    ps_status st = load_doc(minimal, NULL, 0, s, &e);
    TEST_CHECK(st == PS_OK, "minimal: %s", e.msg);
    if (st == PS_OK) check_round_trip(s, "minimal");

    /* scale: 8 = twice along each axis; densities kept */
    {
        scenario *z = malloc(sizeof *z);
        const char *sets[] = {"scale=8"};
        ps_err_clear(&e);
        ps_status sz = scenario_load("tests/data/scenario_full.json", NULL, 0, s, &e);
        if (sz == PS_OK) sz = scenario_load("tests/data/scenario_full.json", sets, 1, z, &e);
        TEST_CHECK(sz == PS_OK, "scale=8: %s", e.msg);
        if (sz == PS_OK) {
            const scn_tissue *a = &s->tissues[0], *b = &z->tissues[0];
            TEST_CHECK(b->size_um[0] == 2 * a->size_um[0] && b->size_um[2] == 2 * a->size_um[2] &&
                           b->voxel_um == a->voxel_um,
                       "scaled size %g x %g x %g", b->size_um[0], b->size_um[1], b->size_um[2]);
            TEST_CHECK(b->regions[0].radius_um == 2 * a->regions[0].radius_um &&
                           b->regions[0].center_um[2] == 2 * a->regions[0].center_um[2] &&
                           b->regions[1].length_um == 2 * a->regions[1].length_um &&
                           b->regions[2].min_um[2] == 2 * a->regions[2].min_um[2],
                       "scaled regions");
            TEST_CHECK(b->seedings[0].count == 8 * a->seedings[0].count &&
                           b->seedings[3].count == 8 * a->seedings[3].count,
                       "scaled counts %lld", (long long)b->seedings[0].count);
            TEST_CHECK(z->neurons.count == 8 * s->neurons.count, "scaled neurons %d", z->neurons.count);
        }
        const char *bad[] = {"scale=1e5"};
        sz = scenario_load("tests/data/scenario_full.json", bad, 1, z, &e);
        TEST_CHECK(sz != PS_OK && strstr(e.msg, "scale: expected a number >= 0.001 and <= 10000"), "%s", e.msg);
        const char *big[] = {"scale=9000"};
        ps_err_clear(&e);
        sz = scenario_load("tests/data/scenario_full.json", big, 1, z, &e);
        TEST_CHECK(sz != PS_OK && strstr(e.msg, "scale: expected a scale that keeps every tissue within 1024 "
                                                "voxels per axis"), "%s", e.msg);
        free(z);
    }

    ps_err_clear(&e);
    st = scenario_load("tests/data/scenario_full.json", NULL, 0, s, &e);
    TEST_CHECK(st == PS_OK, "scenario_full.json: %s", e.msg);
    if (st == PS_OK) {
        TEST_CHECK(strcmp(s->source_path, "tests/data/scenario_full.json") == 0, "source path");
        TEST_CHECK(s->seed == 20240601 && s->dt_min == 0.5 && s->agent_capacity_factor == 3, "top level");
        TEST_CHECK(s->n_mediators == 5 && s->n_types == 5 && s->n_tissues == 3, "counts");
        const scn_cell_type *m = &s->types[0];
        TEST_CHECK(m->chemotaxis_mediator == 3 && m->chemotaxis_Kd_nM == 0.5, "chemotaxis");
        TEST_CHECK(s->types[1].chemotaxis_Kd_nM == 1 && s->types[1].chemotaxis_half_gradient_per_um == 0.001,
                   "chemotaxis defaults");
        TEST_CHECK(m->states[1].secretion_molecules_per_min[0] == 2000 && m->states[1].uptake_um3_per_min[2] == 80,
                   "state maps by mediator index");
        TEST_CHECK(s->types[2].n_states == 1 && strcmp(s->types[2].states[0].name, "default") == 0,
                   "default state");
        const scn_tissue *t = &s->tissues[0];
        TEST_CHECK(t->n_regions == 3 && t->regions[1].shape == SCN_SHAPE_CYLINDER && t->regions[1].axis == 0,
                   "regions");
        TEST_CHECK(t->regions[0].source_nM_per_min[3] == 0.02 && t->regions[1].sink_per_min[0] == 0.1,
                   "region maps by mediator index");
        TEST_CHECK(t->fields[0].bc[SCN_Z_MAX].kind == SCN_BC_FIXED && t->fields[0].bc[SCN_Z_MIN].kind == SCN_BC_NO_FLUX,
                   "TNF boundary");
        TEST_CHECK(t->fields[2].D_um2_per_s == 40 && t->fields[1].D_um2_per_s == 130 / (1.6 * 1.6), "field D");
        TEST_CHECK(t->n_seedings == 4 && t->seedings[1].state == 1 && t->seedings[1].region == 0 &&
                       t->seedings[0].region == -1 && t->seedings[3].count == 2000,
                   "seedings");
        TEST_CHECK(s->tissues[1].origin_um[0] == 1100, "second tissue origin %g", s->tissues[1].origin_um[0]);
        TEST_CHECK(s->tissues[1].fields[0].present && !s->tissues[1].fields[1].present, "drg fields");
        check_full_signalling(s);
        check_full_neurons(s);
        check_round_trip(s, "scenario_full.json");
    }
    free(s);
}

typedef struct {
    const char *doc;      /* ' stands for " */
    const char *expect;   /* substring of the message */
} bad_case;

static const bad_case bad_cases[] = {
    /* syntax */
    {"{\n 'name': 't',\n 'seed': 1,,\n}", "scen.json:3:12: JSON syntax error near ','"},
    {"{\n  'name': 't\n}", "scen.json:2:13: JSON syntax error at the end of the line: line break inside a string"},
    {"{'name':'t'} x", "scen.json:1:14: JSON syntax error near 'x': unexpected text after the end"},
    {"{'name':'t',}", "scen.json:1:13: JSON syntax error near '}': expected a key after ','"},
    {"", "scen.json: expected a JSON object, got an empty file"},
    {"[1, 2]", "scen.json: expected a JSON object at the top level, got an array of 2 elements"},
    {"{'a': 1", "scen.json:1:8: JSON syntax error at the end of the input: missing '}'"},
    /* duplicate and unknown keys */
    {DOC_TIME("{'duration_h':2,'dt_min':1,'dt_min':2}"), "scen.json: time: duplicate key \"dt_min\""},
    {DOC_TIME("{'duraton_h':2}"),
     "scen.json: time.duraton_h: unknown key (did you mean \"duration_h\"?); expected one of duration_h, "
     "dt_min, output_interval_h, snapshot_interval_h"},
    {"{'name':'t','sed':3}", "scen.json: sed: unknown key (did you mean \"seed\"?)"},
    {"{'name':'t','foo':3}", "scen.json: foo: unknown key; expected one of name, description, seed"},
    /* types */
    {DOC_TIME("{'duration_h':2,'dt_min':'abc'}"),
     "scen.json: time.dt_min: expected a number > 0 and <= 60, got string \"abc\""},
    {DOC_TIME("5"), "scen.json: time: expected an object with duration_h, got number 5"},
    {DOC_TYPES("[{'name':'m','states':{}}]"),
     "cell_types[0].states: expected an array of 1 to 6 states, got an empty object"},
    {DOC_T(",'fields':{'TNF':{'initial_nM':true}}"),
     "tissues[0].fields.TNF.initial_nM: expected a number >= 0 and <= 1000000, got true"},
    {"{'name':'t','seed':null}", "seed: expected an integer >= 0 and <= 9007199254740991, got null"},
    /* missing required */
    {DOC_TIME("{'dt_min':1}"), "scen.json: time.duration_h: missing required key"},
    {"{'name':'t'," TIME "," MEDS "}", "scen.json: tissues: missing required key"},
    {"{" TIME "}", "scen.json: name: missing required key"},
    /* ranges */
    {DOC_TIME("{'duration_h':2,'dt_min':-1}"), "scen.json: time.dt_min: expected a number > 0 and <= 60, got -1"},
    {"{'name':'t','seed':-1}", "seed: expected an integer >= 0 and <= 9007199254740991, got -1"},
    {"{'name':'t','seed':1.5}", "seed: expected an integer >= 0 and <= 9007199254740991, got 1.5"},
    {"{'name':'t'," TIME ",'engine':{'agent_capacity_factor':1}}",
     "engine.agent_capacity_factor: expected a number >= 1.1 and <= 100, got 1"},
    {DOC_T(",'tortuosity':0.5"), "tissues[0].tortuosity: expected a number >= 1 and <= 10, got 0.5"},
    {DOC_TYPES("[{'name':'m','speed_um_per_min':-2}]"),
     "cell_types[0].speed_um_per_min: expected a number >= 0 and <= 100, got -2"},
    /* non-finite, non-integer */
    {"{'name':'t'," TIME ",'mediators':[{'name':'TNF','D_um2_per_s':1e999}]}",
     "mediators[0].D_um2_per_s: expected a finite number"},
    {DOC_T(",'cells':[{'type':'macrophage','count':2.5}]"),
     "tissues[0].cells[0].count: expected an integer >= 0 and <= 1000000000, got 2.5"},
    /* name references */
    {DOC_TYPES("[{'name':'m','chemotaxis':{'mediator':'TFN','speed_um_per_min':1}}]"),
     "scen.json: cell_types[0].chemotaxis.mediator: expected the name of a mediator (TNF, IL10), got \"TFN\" "
     "(did you mean \"TNF\"?)"},
    {DOC_TYPES("[{'name':'m','states':[{'name':'s','secretion_molecules_per_min':{'IL1O':5}}]}]"),
     "cell_types[0].states[0].secretion_molecules_per_min.IL1O: expected the name of a mediator (TNF, IL10), "
     "got \"IL1O\" (did you mean \"IL10\"?)"},
    {DOC_T(",'fields':{'tnf':{}}"),
     "tissues[0].fields.tnf: expected the name of a mediator (TNF, IL10), got \"tnf\" (did you mean \"TNF\"?)"},
    {DOC_T(",'cells':[{'type':'macrophag','count':1}]"),
     "tissues[0].cells[0].type: expected the name of a cell type (macrophage), got \"macrophag\" (did you "
     "mean \"macrophage\"?)"},
    {DOC_T(",'cells':[{'type':'macrophage','state':'activ','count':1}]"),
     "tissues[0].cells[0].state: expected the name of a state of cell type \"macrophage\" (resting, active), "
     "got \"activ\" (did you mean \"active\"?)"},
    {DOC_T(",'cells':[{'type':'macrophage','count':1,'region':'core'}]"),
     "tissues[0].cells[0].region: expected the name of a region of tissue \"skin\" (none is defined), got "
     "\"core\""},
    {DOC_T(",'fields':{'TNF':{}},'regions':[{'name':'r','shape':'sphere','center_um':[50,50,10],"
           "'radius_um':20,'sources_nM_per_min':{'IL10':1}}]"),
     "tissues[0].regions[0].sources_nM_per_min.IL10: expected the name of a mediator present in tissue "
     "\"skin\" (TNF), got \"IL10\""},
    /* grid and time multiples */
    {"{'name':'t'," TIME "," MEDS ",'tissues':[{'name':'s','size_um':[105,100,20],'voxel_um':10}]}",
     "tissues[0].size_um[0]: expected a multiple of voxel_um (10 µm), got 105"},
    {"{'name':'t'," TIME "," MEDS ",'tissues':[{'name':'s','size_um':[100,20000,20],'voxel_um':10}]}",
     "tissues[0].size_um[1]: expected at most 1024 voxels along y"},
    {"{'name':'t'," TIME "," MEDS ",'tissues':[{'name':'s','size_um':[1024,1024,256],'voxel_um':1}]}",
     "tissues[0].size_um: expected at most 134217728 voxels in total, got 1024 x 1024 x 256"},
    {DOC_TIME("{'duration_h':2,'output_interval_h':0.01}"),
     "scen.json: time.output_interval_h: expected a multiple of time.dt_min (1 min), got 0.01"},
    {DOC_TIME("{'duration_h':2,'dt_min':7}"),
     "time.duration_h: expected a multiple of time.dt_min (7 min), got 2 (120 min)"},
    {DOC_TIME("{'duration_h':7,'dt_min':7}"),
     "time.output_interval_h: expected a multiple of time.dt_min (7 min), got 1 (60 min, the default)"},
    /* regions */
    {DOC_T(",'regions':[{'name':'r','shape':'sphere','center_um':[-50,-50,-50],'radius_um':10}]"),
     "tissues[0].regions[0]: expected a region that contains at least one voxel centre of the tissue grid "
     "(centres at (i+0.5)*voxel_um: x 5..95, y 5..95, z 5..15 µm), got a sphere that contains none"},
    {DOC_T(",'regions':[{'name':'r','shape':'box','min_um':[0,0,0],'max_um':[4,4,4]}]"),
     "tissues[0].regions[0]: expected a region that contains at least one voxel centre"},
    {DOC_T(",'regions':[{'name':'r','shape':'box','min_um':[0,0,0],'max_um':[10,10,10],'radius_um':3}]"),
     "tissues[0].regions[0].radius_um: key not allowed for shape \"box\" (it belongs to sphere, cylinder)"},
    {DOC_T(",'regions':[{'name':'r','shape':'box','min_um':[0,50,0],'max_um':[10,20,10]}]"),
     "tissues[0].regions[0].max_um[1]: expected a number > min_um[1] (50), got 20"},
    {DOC_T(",'regions':[{'name':'r','shape':'cylinder','center_um':[50,50,10],'radius_um':5,'axis':'w',"
           "'length_um':10}]"),
     "tissues[0].regions[0].axis: expected one of \"x\", \"y\", \"z\", got \"w\""},
    {DOC_T(",'regions':[{'name':'r','shape':'cone'}]"),
     "tissues[0].regions[0].shape: expected one of \"box\", \"sphere\", \"cylinder\", got \"cone\""},
    {DOC_T(",'regions':[{'name':'r','shape':'sphere','center_um':[50,50],'radius_um':5}]"),
     "tissues[0].regions[0].center_um: expected an array of 3 numbers [x, y, z], each a number, got an array "
     "of 2 elements"},
    /* boundaries */
    {DOC_T(",'fields':{'TNF':{'boundary':{'x_min':{'type':'fixd'}}}}"),
     "scen.json: tissues[0].fields.TNF.boundary.x_min.type: expected one of \"no_flux\", \"fixed\", got "
     "\"fixd\""},
    {DOC_T(",'fields':{'TNF':{'boundary':{'x_max':{'type':'fixed'}}}}"),
     "tissues[0].fields.TNF.boundary.x_max.value_nM: missing required key"},
    {DOC_T(",'fields':{'TNF':{'boundary':{'all':{'type':'no_flux','value_nM':1}}}}"),
     "tissues[0].fields.TNF.boundary.all.value_nM: key not allowed for type \"no_flux\""},
    {DOC_T(",'fields':{'TNF':{'boundary':{'x_mn':{'type':'no_flux'}}}}"),
     "tissues[0].fields.TNF.boundary.x_mn: unknown key (did you mean \"x_min\"?)"},
    /* sizes of lists, names */
    {"{'name':'t'," TIME ",'mediators':[]}", "mediators: expected an array of 1 to 24 mediators, got an empty array"},
    {DOC_TYPES("[{'name':'m','states':[{'name':'a'},{'name':'b'},{'name':'c'},{'name':'d'},{'name':'e'},"
               "{'name':'f'},{'name':'g'}]}]"),
     "cell_types[0].states: expected an array of 1 to 6 states, got an array of 7 elements"},
    {"{'name':'t'," TIME ",'mediators':[{'name':'','D_um2_per_s':1}]}",
     "mediators[0].name: expected a name (1 to 47 characters: a letter, then letters, digits, '_' or '-'), got "
     "\"\""},
    {"{'name':'my scen'}", "scen.json: name: expected a name (1 to 47 characters"},
    {"{'name':'t'," TIME ",'mediators':[{'name':'TNF','D_um2_per_s':1},{'name':'TNF','D_um2_per_s':2}]}",
     "mediators[1].name: expected a unique name, got \"TNF\" (mediators[0] has the same name)"},
    {DOC_TYPES("[{'name':'m','states':[{'name':'a'},{'name':'a'}]}]"),
     "cell_types[0].states[1].name: expected a unique name, got \"a\" (cell_types[0].states[0] has the same name)"},
    {"{'name':'t'," TIME "," MEDS ",'tissues':[{" SKIN "},{" SKIN "}]}",
     "tissues[1].name: expected a unique name, got \"skin\" (tissues[0] has the same name)"},
    {DOC_T(",'regions':[{'name':'r','shape':'sphere','center_um':[5,5,5],'radius_um':5},"
           "{'name':'r','shape':'sphere','center_um':[5,5,5],'radius_um':5}]"),
     "tissues[0].regions[1].name: expected a unique name, got \"r\" (tissues[0].regions[0] has the same name)"},
    {"{'name':'t','time':{'duration_h':1},'mediators':[{'name':3,'D_um2_per_s':1}]}",
     "mediators[0].name: expected a name (1 to 47 characters: a letter, then letters, digits, '_' or '-'), got "
     "number 3"},

    /* mediators[i].jak */
    {DOC_MEDS("[{'name':'IL6','D_um2_per_s':1,'jak':['JAK1','JAK5']}]"),
     "scen.json: mediators[0].jak[1]: expected one of \"JAK1\", \"JAK2\", \"JAK3\", \"TYK2\", got \"JAK5\" (did "
     "you mean \"JAK1\"?)"},
    {DOC_MEDS("[{'name':'IL6','D_um2_per_s':1,'jak':['JAK1','TYK2','JAK1']}]"),
     "mediators[0].jak[2]: expected a JAK not listed before, got \"JAK1\" (mediators[0].jak[0] is the same)"},
    {DOC_MEDS("[{'name':'IL6','D_um2_per_s':1,'jak':'JAK1'}]"),
     "mediators[0].jak: expected an array of at most 4 unique JAK names (\"JAK1\", \"JAK2\", \"JAK3\", \"TYK2\"), "
     "got string \"JAK1\""},
    {DOC_MEDS("[{'name':'IL6','D_um2_per_s':1,'jak':['tyk2']}]"),
     "mediators[0].jak[0]: expected one of \"JAK1\", \"JAK2\", \"JAK3\", \"TYK2\", got \"tyk2\" (did you mean "
     "\"TYK2\"?)"},
    {DOC_MEDS("[{'name':'IL6','D_um2_per_s':1,'jak':['JAK1','TYK2'],'jak_limiting':'JAK2'}]"),
     "mediators[0].jak_limiting: expected one of the JAKs in this mediator's jak (JAK1, TYK2), got \"JAK2\""},
    {DOC_MEDS("[{'name':'IL6','D_um2_per_s':1,'jak_limiting':'JAK1'}]"),
     "mediators[0].jak_limiting: expected no jak_limiting for a mediator whose jak is [] (JAK-independent), got "
     "\"JAK1\""},
    {DOC_MEDS("[{'name':'IL6','D_um2_per_s':1,'jak':['JAK1'],'jak_limiting':'jak1'}]"),
     "mediators[0].jak_limiting: expected one of \"JAK1\", \"JAK2\", \"JAK3\", \"TYK2\", got \"jak1\""},
    {DOC_MEDS("[{'name':'IL6','D_um2_per_s':1,'jaks':[]}]"),
     "mediators[0].jaks: unknown key (did you mean \"jak\"?)"},

    /* cell_types[i].transitions */
    {DOC_TYPES(TYPE_AB(",'transitions':[{'from':'a','to':'a'}]")),
     "scen.json: cell_types[0].transitions[0].to: expected a state other than from (\"a\"), got \"a\""},
    {DOC_TYPES(TYPE_AB(",'transitions':[{'from':'a','to':'c'}]")),
     "cell_types[0].transitions[0].to: expected the name of a state of cell type \"m\" (a, b), got \"c\""},
    {DOC_TYPES(TYPE_AB(",'transitions':[{'from':'A','to':'b'}]")),
     "cell_types[0].transitions[0].from: expected the name of a state of cell type \"m\" (a, b), got \"A\" (did "
     "you mean \"a\"?)"},
    {DOC_TYPES(TYPE_AB(",'transitions':[{'to':'b'}]")),
     "cell_types[0].transitions[0].from: missing required key (expected a state of cell type \"m\")"},
    {DOC_TYPES(TR_AB(",'pstat3_rate_per_h':0.5")),
     "cell_types[0].transitions[0].pstat3_rate_per_h: expected 0 when the type has no jak_stat3 block"},
    {DOC_TYPES(TR_AB(",'rate_per_h':2000")),
     "cell_types[0].transitions[0].rate_per_h: expected a number >= 0 and <= 1000, got 2000"},
    {DOC_TYPES(TR_AB(",'rate':1")),
     "cell_types[0].transitions[0].rate: unknown key; expected one of from, to, rate_per_h, pstat3_rate_per_h, "
     "drivers, inhibitors"},
    {DOC_TYPES(TR_AB(",'drivers':[{'mediator':'TNF','rate_per_h':1}]")),
     "cell_types[0].transitions[0].drivers[0].EC50_nM: missing required key (expected a number > 0 and <= 1000000)"},
    {DOC_TYPES(TR_AB(",'drivers':[{'mediator':'TNF','EC50_nM':1,'hill':9,'rate_per_h':1}]")),
     "cell_types[0].transitions[0].drivers[0].hill: expected a number >= 0.1 and <= 8, got 9"},
    {DOC_TYPES(TR_AB(",'drivers':[{'mediator':'TFN','EC50_nM':1,'rate_per_h':1}]")),
     "cell_types[0].transitions[0].drivers[0].mediator: expected the name of a mediator (TNF, IL10), got \"TFN\" "
     "(did you mean \"TNF\"?)"},
    {DOC_TYPES(TR_AB(",'drivers':[{'mediator':'TNF','EC50_nM':1}]")),
     "cell_types[0].transitions[0].drivers[0].rate_per_h: missing required key (expected a number >= 0 and <= 1000)"},
    {DOC_TYPES(TR_AB(",'drivers':[{'mediator':'TNF','EC50_nM':0,'rate_per_h':1}]")),
     "cell_types[0].transitions[0].drivers[0].EC50_nM: expected a number > 0 and <= 1000000, got 0"},
    {DOC_TYPES(TR_AB(",'inhibitors':[{'mediator':'IL10','IC50_nM':0}]")),
     "cell_types[0].transitions[0].inhibitors[0].IC50_nM: expected a number > 0 and <= 1000000, got 0"},
    {DOC_TYPES(TR_AB(",'inhibitors':[{'mediator':'IL10','EC50_nM':1}]")),
     "cell_types[0].transitions[0].inhibitors[0].EC50_nM: unknown key (did you mean \"IC50_nM\"?); expected one "
     "of mediator, IC50_nM"},
    {DOC_TYPES(TR_AB(",'inhibitors':{'mediator':'IL10'}")),
     "cell_types[0].transitions[0].inhibitors: expected an array of at most 6 inhibitors, got an object"},
    {DOC_TYPES(TYPE_AB(",'transitions':[{'from':'a','to':'b'},{'from':'a','to':'b'},{'from':'a','to':'b'},"
                       "{'from':'a','to':'b'},{'from':'a','to':'b'},{'from':'a','to':'b'},{'from':'a','to':'b'},"
                       "{'from':'a','to':'b'},{'from':'a','to':'b'}]")),
     "cell_types[0].transitions: expected an array of at most 8 transitions, got an array of 9 elements"},
    {DOC_TYPES("[{'name':'m','transitions':[{'from':'default','to':'default'}]}]"),
     "cell_types[0].transitions[0].to: expected a state other than from (\"default\"), got \"default\""},

    /* cell_types[i].division_drivers */
    {DOC_TYPES(TYPE_AB(",'division_drivers':[{'mediator':'TNF','EC50_nM':1,'rate_per_h':200}]")),
     "cell_types[0].division_drivers[0].rate_per_h: expected a number >= 0 and <= 100, got 200"},
    {DOC_TYPES(TYPE_AB(",'division_drivers':[{'EC50_nM':1,'rate_per_h':1}]")),
     "cell_types[0].division_drivers[0].mediator: missing required key (expected the name of a mediator)"},
    {DOC_TYPES(TYPE_AB(",'division_driver':[]")),
     "cell_types[0].division_driver: unknown key (did you mean \"division_drivers\"?)"},

    /* cell_types[i].jak_stat3 */
    {DOC_TYPES(TYPE_AB(",'jak_stat3':{}")),
     "cell_types[0].jak_stat3.activators: missing required key (expected an array of 1 to 6 activators)"},
    {DOC_TYPES(TYPE_AB(",'jak_stat3':{'activators':[]}")),
     "cell_types[0].jak_stat3.activators: expected an array of 1 to 6 activators, got an empty array"},
    {DOC_TYPES(TYPE_AB(",'jak_stat3':true")),
     "cell_types[0].jak_stat3: expected an object with activators, got true"},
    {DOC_TYPES(TYPE_AB(",'jak_stat3':{'activators':[{'mediator':'TNF','EC50_nM':1,'rate_per_h':1}]}")),
     "cell_types[0].jak_stat3.activators[0].rate_per_h: unknown key; expected one of mediator, EC50_nM, hill"},
    {DOC_TYPES(JS(",'k_on_per_min':0")), "cell_types[0].jak_stat3.k_on_per_min: expected a number > 0 and <= 10, got 0"},
    {DOC_TYPES(JS(",'socs_synthesis_per_min':-1")),
     "cell_types[0].jak_stat3.socs_synthesis_per_min: expected a number >= 0 and <= 10, got -1"},
    {DOC_TYPES(JS(",'socs_K':2000")), "cell_types[0].jak_stat3.socs_K: expected a number > 0 and <= 1000, got 2000"},
    {DOC_TYPES(JS(",'inhibitor':{'mediator':'IL10'}")),
     "cell_types[0].jak_stat3.inhibitor.IC50_nM: missing required key (expected a number > 0 and <= 1000000)"},
    {DOC_TYPES(JS(",'inhibitor':{'mediator':'IL1O','IC50_nM':1}")),
     "cell_types[0].jak_stat3.inhibitor.mediator: expected the name of a mediator (TNF, IL10), got \"IL1O\" (did "
     "you mean \"IL10\"?)"},
    {DOC_TYPES(JS(",'secretion_gain':{'IL6':1}")),
     "cell_types[0].jak_stat3.secretion_gain.IL6: expected the name of a mediator (TNF, IL10), got \"IL6\""},
    {DOC_TYPES(JS(",'secretion_gain':{'TNF':2000}")),
     "cell_types[0].jak_stat3.secretion_gain.TNF: expected a number >= 0 and <= 1000, got 2000"},
    {DOC_TYPES(JS(",'k_offf_per_min':1")),
     "cell_types[0].jak_stat3.k_offf_per_min: unknown key (did you mean \"k_off_per_min\"?)"},

    /* drugs */
    {DOC_TOP(",'drugs':[" DRUG_KEYS(IC50 "," DOSES) "," DRUG_KEYS(IC50 "," DOSES) "]"),
     "scen.json: drugs[1].name: expected a unique name, got \"tofa\" (drugs[0] has the same name)"},
    {DOC_TOP(",'drugs':[" DRUG_KEYS("'ic50_nM':{'JAK4':1}," DOSES) "]"),
     "drugs[0].ic50_nM.JAK4: unknown key (did you mean \"JAK1\"?); expected one of JAK1, JAK2, JAK3, TYK2"},
    {DOC_TOP(",'drugs':[" DRUG_KEYS("'ic50_nM':{'JAK2':0}," DOSES) "]"),
     "drugs[0].ic50_nM.JAK2: expected a number > 0 and <= 1000000000, got 0"},
    {DOC_TOP(",'drugs':[" DRUG_KEYS("'ic50_nM':[]," DOSES) "]"), "drugs[0].ic50_nM: expected an object {JAK name"},

    /* contacts */
    {DOC_TYPES("[{'name':'m','states':[{'name':'a'}],'contacts':[{'partner':'n','eat':true,'rate_per_h':1}]}]"),
     "cell_types[0].contacts[0].partner: expected the name of a cell type (m), got \"n\""},
    {DOC_TYPES("[{'name':'m','states':[{'name':'a'}],'contacts':[{'partner':'m','rate_per_h':1}]}]"),
     "cell_types[0].contacts[0]: expected \"eat\": true or a state \"to\": the rule would do nothing"},
    {DOC_TYPES("[{'name':'m','states':[{'name':'a'}],'contacts':[{'partner':'m','to':'b','rate_per_h':1}]}]"),
     "cell_types[0].contacts[0].to: expected the name of a state of cell type \"m\" (a), got \"b\""},
    {DOC_TYPES("[{'name':'m','states':[{'name':'a'}],'contacts':[{'partner':'m','eat':1,'rate_per_h':1}]}]"),
     "cell_types[0].contacts[0].eat: expected true or false, got number 1"},

    /* sex, neurons, pain, recruitment */
    {DOC_TOP(",'sex':'m'"), "sex: expected one of \"male\", \"female\", got \"m\""},
    {DOC_N(NEUR(",'lesion':{'region':'cuts'}")),
     "neurons.lesion.region: expected the name of a region of the peripheral tissue \"skin\" (cut), got "
     "\"cuts\" (did you mean \"cut\"?)"},
    {DOC_N(NEUR(",'lesion':{'region':'cut','at_h':2}")),
     "neurons.lesion.at_h: expected a number < time.duration_h (2 h), got 2: the lesion comes after the end of "
     "the simulation"},
    {DOC_N(NEUR(",'lesion':{'region':'cut','permanent':'yes'}")),
     "neurons.lesion.permanent: expected true or false, got string \"yes\""},
    {DOC_N(NEUR(",'repair_drivers':[{'mediator':'TNF','EC50_nM':1}]")),
     "neurons.repair_drivers[0].rate_per_h: missing required key (expected a number >= 0 and <= 100)"},
    {DOC_N(NEUR(",'toxin':{'drug':'taxol','EC50_nM':1,'rate_per_h':1}")),
     "neurons.toxin.drug: expected the name of a drug (none is defined), got \"taxol\""},
    {DOC_N("'neurons':{'count':5,'soma':{'tissue':'skin','type':'macrophage'},'peripheral':" COMP
           ",'central':" COMP "}"),
     "neurons.soma.type: expected a cell type with a state named \"injured\" that is not its first state, got "
     "\"macrophage\" (states: resting, active)"},
    {DOC_N("'neurons':{'count':5,'soma':{'tisue':'skin','type':'n'},'peripheral':" COMP ",'central':" COMP "}"),
     "neurons.soma.tisue: unknown key (did you mean \"tissue\"?)"},
    {DOC_N("'neurons':{'count':5,'peripheral':" COMP ",'central':" COMP "}"), "neurons.soma: missing required key"},
    {DOC_N("'neurons':{'count':0,'soma':" COMP ",'peripheral':" COMP ",'central':" COMP "}"),
     "neurons.count: expected an integer"},
    {DOC_N(NEUR(",'transport_delay_h':0")), "neurons.transport_delay_h: expected a number > 0"},
    {DOC_TOP(",'pain':{}"), "scen.json: pain: expected a neurons section (the pain readout is computed from "
                            "nociceptor terminals)"},
    /* names: tissues, types, regions (also of the wrong tissue), drugs, mediators */
    {DOC_N2(NEUR2C("{'tissue':'drgg','type':'n'}", PERI2, PERI2, "")),
     "scen.json: neurons.soma.tissue: expected the name of a tissue (skin, drg), got \"drgg\" (did you mean "
     "\"drg\"?)"},
    {DOC_N2(NEUR2C(SOMA2, "{'tissue':'skin','type':'N'}", PERI2, "")),
     "neurons.peripheral.type: expected the name of a cell type (macrophage, n, first, lone), got \"N\" (did you "
     "mean \"n\"?)"},
    {DOC_N2(NEUR2C(SOMA2, PERI2, "{'tissue':'skin','type':'n','region':'cat'}", "")),
     "neurons.central.region: expected the name of a region of tissue \"skin\" (cut), got \"cat\" (did you mean "
     "\"cut\"?)"},
    {DOC_N2(NEUR2C(SOMA2, "{'tissue':'skin','type':'n','region':'ganglion'}", PERI2, "")),
     "neurons.peripheral.region: expected the name of a region of tissue \"skin\" (cut), got \"ganglion\", a "
     "region of tissue \"drg\""},
    {DOC_N2(NEUR2(",'lesion':{'region':'ganglion'}")),
     "neurons.lesion.region: expected the name of a region of the peripheral tissue \"skin\" (cut), got "
     "\"ganglion\", a region of tissue \"drg\""},
    {DOC_N2(NEUR2C(SOMA2, PERI2, "{'tissue':'skin','type':'first'}", "")),
     "neurons.central.type: expected a cell type with a state named \"injured\" that is not its first state, got "
     "\"first\" (states: injured, intact)"},
    {DOC_N2(NEUR2C("{'tissue':'drg','type':'lone'}", PERI2, PERI2, "")),
     "neurons.soma.type: expected a cell type with a state named \"injured\" that is not its first state, got "
     "\"lone\" (states: injured)"},
    {DOC_N2(NEUR2(",'toxin':{'drug':'taxl','EC50_nM':1,'rate_per_h':1}")),
     "neurons.toxin.drug: expected the name of a drug (taxol), got \"taxl\" (did you mean \"taxol\"?)"},
    {DOC_N2(NEUR2("") ",'pain':{'terms':[{'site':'central','mediator':'IL-10','EC50_nM':1,'weight':1}]}"),
     "pain.terms[0].mediator: expected the name of a mediator (TNF, IL10), got \"IL-10\" (did you mean \"IL10\"?)"},
    /* shapes, required keys, unknown and duplicate keys */
    {DOC_N2("'neurons':[]"), "neurons: expected an object with count, soma, peripheral and central, got an empty array"},
    {DOC_N2(NEUR2C("'drg'", PERI2, PERI2, "")), "neurons.soma: expected an object with tissue and type, got "
                                                "string \"drg\""},
    {DOC_N2(NEUR2C(SOMA2, PERI2, "{'tissue':'skin'}", "")),
     "neurons.central.type: missing required key (expected the name of a cell type)"},
    {DOC_N2("'neurons':{'count':5,'count':6,'soma':" SOMA2 ",'peripheral':" PERI2 ",'central':" PERI2 "}"),
     "scen.json: neurons: duplicate key \"count\""},
    {DOC_N2(NEUR2(",'lesion':{'at_h':1}")),
     "neurons.lesion.region: missing required key (expected the name of a region of the peripheral tissue"},
    {DOC_N2(NEUR2(",'toxin':{'drug':'taxol','rate_per_h':1}")),
     "neurons.toxin.EC50_nM: missing required key (expected a number > 0 and <= 1000000000)"},
    {DOC_N2(NEUR2(",'toxin':{'drug':'taxol','ec50_nM':1,'rate_per_h':1}")),
     "neurons.toxin.ec50_nM: unknown key (did you mean \"EC50_nM\"?); expected one of drug, EC50_nM, rate_per_h"},
    {DOC_N2(NEUR2(",'lesion':{'region':'cut','at_hr':1}")),
     "neurons.lesion.at_hr: unknown key (did you mean \"at_h\"?); expected one of region, at_h"},
    {DOC_N2(NEUR2("") ",'pain':{'baseline_threshold':3}"),
     "pain.baseline_threshold: unknown key (did you mean \"baseline_threshold_g\"?)"},
    {DOC_N2(NEUR2("") ",'pain':{'terms':[1]}"),
     "pain.terms[0]: expected an object with terminal, mediator, EC50_nM and weight, got number 1"},
    {DOC_N2(NEUR2("") ",'pain':{'terms':{}}"), "pain.terms: expected an array of at most 24 pain terms, got an "
                                              "empty object"},
    {DOC_N2(NEUR2("") ",'pain':{'terms':[{'mediator':'TNF','EC50_nM':1,'weight':1}]}"),
     "pain.terms[0].site: missing required key (expected one of \"peripheral\", \"soma\", \"central\")"},
    {DOC_N2(NEUR2("") ",'pain':{'terms':[{'site':'central','mediator':'TNF','EC50_nM':1}]}"),
     "pain.terms[0].weight: missing required key (expected a number >= -100 and <= 100)"},
    {DOC_N2(NEUR2("") ",'pain':{'terms':[{'site':'central','mediator':'TNF','EC50_nM':1,'weight':1,"
                      "'Sex':'male'}]}"),
     "pain.terms[0].Sex: unknown key (did you mean \"sex\"?)"},
    /* enums */
    {DOC_TOP(",'sex':'Female'"), "sex: expected one of \"male\", \"female\", got \"Female\" (did you mean "
                                 "\"female\"?)"},
    {DOC_TOP(",'sex':1"), "scen.json: sex: expected one of \"male\", \"female\", got number 1"},
    {DOC_N2(NEUR2("") "," TERM(",'sex':'all'")), "pain.terms[0].sex: expected one of \"both\", \"male\", "
                                                  "\"female\", got \"all\""},
    {DOC_N2(NEUR2("") "," TERM(",'role':'priming'")), "pain.terms[0].role: expected \"excitability\" at site "
                                                       "\"central\": priming is a state of the primary afferent "
                                                       "(site \"soma\" or \"peripheral\")"},
    {DOC_N2(NEUR2("") "," TERM(",'role':'prime'")), "pain.terms[0].role: expected one of \"excitability\", "
                                                     "\"priming\", got \"prime\""},
    {DOC_N2(NEUR2("") ",'pain':{'terms':[{'site':1,'mediator':'TNF','EC50_nM':1,'weight':1}]}"),
     "pain.terms[0].site: expected one of \"peripheral\", \"soma\", \"central\", got number 1"},
    /* ranges */
    {DOC_N2("'neurons':{'count':1.5,'soma':" SOMA2 ",'peripheral':" PERI2 ",'central':" PERI2 "}"),
     "neurons.count: expected an integer >= 1 and <= 10000000, got 1.5"},
    {DOC_N2("'neurons':{'count':10000001,'soma':" SOMA2 ",'peripheral':" PERI2 ",'central':" PERI2 "}"),
     "neurons.count: expected an integer >= 1 and <= 10000000, got 10000001"},
    {DOC_N2(NEUR2(",'transport_delay_h':1001")), "neurons.transport_delay_h: expected a number > 0 and <= 1000, got "
                                                 "1001"},
    {DOC_N2(NEUR2(",'repair_per_h':-0.1")), "neurons.repair_per_h: expected a number >= 0 and <= 100, got -0.1"},
    {DOC_N2(NEUR2(",'lesion':{'region':'cut','at_h':-1}")),
     "neurons.lesion.at_h: expected a number >= 0 and <= 8760, got -1"},
    {DOC_N2(NEUR2(",'lesion':{'region':'cut','at_h':5}")),
     "neurons.lesion.at_h: expected a number < time.duration_h (2 h), got 5: the lesion comes after the end"},
    {DOC_N2(NEUR2(",'toxin':{'drug':'taxol','EC50_nM':0,'rate_per_h':1}")),
     "neurons.toxin.EC50_nM: expected a number > 0 and <= 1000000000, got 0"},
    {DOC_N2(NEUR2(",'toxin':{'drug':'taxol','EC50_nM':1,'rate_per_h':101}")),
     "neurons.toxin.rate_per_h: expected a number > 0 and <= 100, got 101"},
    {DOC_N2(NEUR2("") ",'pain':{'time_constant_h':0}"), "pain.time_constant_h: expected a number > 0 and <= 1000, got 0"},
    {DOC_N2(NEUR2("") ",'pain':{'injury_weight':-1}"), "pain.injury_weight: expected a number >= 0 and <= 100, got -1"},
    {DOC_N2(NEUR2("") ",'pain':{'baseline_threshold_g':301}"),
     "pain.baseline_threshold_g: expected a number > 0 and <= 300, got 301"},
    {DOC_N2(NEUR2("") "," TERM(",'hill':9")), "pain.terms[0].hill: expected a number >= 0.1 and <= 8, got 9"},
    {DOC_N2(NEUR2(",'release':[{'site':'axon','mediator':'TNF'}]")),
     "neurons.release[0].site: expected one of \"soma\", \"peripheral\", \"central\", got \"axon\""},
    {DOC_N2(NEUR2(",'release':[{'site':'soma','mediator':'TNF','per_activity_molecules_per_min':-1}]")),
     "neurons.release[0].per_activity_molecules_per_min: expected a number >= 0 and <= 1000000000, got -1"},
    {DOC_N2(NEUR2(",'release':[{'site':'soma','mediator':'TNF','stat3_gain':2}]")),
     "neurons.release[0].stat3_gain: expected 0 while the soma's cell type n has no jak_stat3 block"},
    {DOC_N2(NEUR2(",'release':[{'site':'soma','mediator':'TNF'},{'site':'soma','mediator':'TNF'}]")),
     "neurons.release[1]: expected one release per site and mediator, got a second soma TNF (the first is "
     "neurons.release[0])"},
    {DOC_N2(NEUR2("") ",'pain':{'soma_uninjured_response':1.5}"),
     "pain.soma_uninjured_response: expected a number >= 0 and <= 1, got 1.5"},
    {DOC_N2(NEUR2("") ",'pain':{'immune_terms':0}"), "pain.immune_terms: expected true or false, got number 0"},
    {DOC_N2(NEUR2("") ",'pain':{'terms':[{'site':'central','mediator':'TNF','EC50_nM':0,'weight':1}]}"),
     "pain.terms[0].EC50_nM: expected a number > 0 and <= 1000000000, got 0"},
    {DOC_N2(NEUR2("") ",'pain':{'terms':[{'site':'central','mediator':'TNF','EC50_nM':1,'weight':-101}]}"),
     "pain.terms[0].weight: expected a number >= -100 and <= 100, got -101"},
    {DOC_N(NEUR("") ",'pain':{'terms':[{'site':'centre','mediator':'TNF','EC50_nM':1,'weight':1}]}"),
     "pain.terms[0].site: expected one of \"peripheral\", \"soma\", \"central\", got \"centre\" (did you mean "
     "\"central\"?)"},
    {DOC_N(NEUR("") ",'pain':{'terms':[{'site':'central','mediator':'TNF','EC50_nM':1,'weight':200}]}"),
     "pain.terms[0].weight: expected a number >= -100 and <= 100, got 200"},
    {DOC_N(NEUR("") ",'pain':{'terms':[{'site':'central','mediator':'TNF','EC50_nM':1,'weight':1,"
                    "'sex':'females'}]}"),
     "pain.terms[0].sex: expected one of \"both\", \"male\", \"female\", got \"females\""},
    {DOC_N(NEUR("") ",'pain':{'baseline_threshold_g':0}"), "pain.baseline_threshold_g: expected a number > 0"},
    {DOC_T(",'recruitment':[{'type':'macrophage','rate_per_mm3_per_h':-1}]"),
     "tissues[0].recruitment[0].rate_per_mm3_per_h: expected a number >= 0"},
    {DOC_T(",'recruitment':[{'type':'macrophage','rate_per_mm3_per_h':1,'region':'vessel'}]"),
     "tissues[0].recruitment[0].region: expected the name of a region of tissue \"skin\" (none is defined), "
     "got \"vessel\""},
    {DOC_T(",'recruitment':[{'type':'macrophage','rate_per_mm3_per_h':1,'priming':{'from_h':1}}]"),
     "tissues[0].recruitment[0].priming.peak_h: missing required key"},
    {DOC_T(",'recruitment':[{'type':'macrophage','rate_per_mm3_per_h':1,'female_rate_factor':0}]"),
     "tissues[0].recruitment[0].female_rate_factor: expected a number > 0"},
    {DOC_T(",'recruitment':[{'type':'macrophage','rate_per_mm3_per_h':1,'barrier_permeability':2}]"),
     "tissues[0].recruitment[0].barrier_permeability: expected a number >= 0 and <= 1, got 2"},
    {DOC_T(",'recruitment':[{'type':'macrophage','state':'activ','rate_per_mm3_per_h':1}]"),
     "tissues[0].recruitment[0].state: expected the name of a state of cell type \"macrophage\" (resting, "
     "active), got \"activ\" (did you mean \"active\"?)"},
    {DOC_T(",'recruitment':[{'type':'macrophage','rate_per_mm3_per_h':1,'chemokine':{'mediator':'CCL2',"
           "'EC50_nM':1}}]"),
     "tissues[0].recruitment[0].chemokine.mediator: expected the name of a mediator (TNF, IL10), got \"CCL2\""},
    {DOC_TOP(",'drugs':[{'name':'tofa','half_life_h':3,'Vd_L_per_kg':1.2," IC50 "," DOSES "}]"),
     "drugs[0].mw_g_per_mol: missing required key (expected a number > 0 and <= 1000000)"},
    {DRUG(",'bioavailability':1.5"), "drugs[0].bioavailability: expected a number > 0 and <= 1, got 1.5"},
    {DRUG(",'bioavailability':0"), "drugs[0].bioavailability: expected a number > 0 and <= 1, got 0"},
    {DRUG(",'route':'oral'"), "drugs[0].route: expected one of \"systemic\", \"intrathecal\", got \"oral\""},
    {DRUG(",'route':'intrathecal'"),
     "drugs[0].tissue_fraction: missing required key (expected an object {tissue name: fraction in [0, 1]} naming "
     "at least one tissue (an intrathecal drug reaches only the tissues listed))"},
    {DRUG(",'route':'intrathecal','tissue_fraction':{}"),
     "drugs[0].tissue_fraction: expected an object {tissue name: fraction in [0, 1]} naming at least one tissue (an "
     "intrathecal drug reaches only the tissues listed), got an empty object"},
    {DRUG(",'tissue_fraction':{'skn':0.5}"),
     "drugs[0].tissue_fraction.skn: expected the name of a tissue (skin), got \"skn\" (did you mean \"skin\"?)"},
    {DRUG(",'tissue_fraction':{'skin':1.5}"),
     "drugs[0].tissue_fraction.skin: expected a number >= 0 and <= 1, got 1.5"},
    {DOC_TOP(",'drugs':[" DRUG_KEYS(IC50 ",'doses':[{'start_h':5,'mg_per_kg':1}]") "]"),
     "drugs[0].doses[0].start_h: expected a number < time.duration_h (2 h), got 5: the dose course starts after the "
     "end of the simulation"},
    {DOC_TOP(",'drugs':[" DRUG_KEYS(IC50 ",'doses':[{'start_h':0,'mg_per_kg':1},{'start_h':2,'mg_per_kg':1}]") "]"),
     "drugs[0].doses[1].start_h: expected a number < time.duration_h (2 h), got 2: the dose course starts after the "
     "end of the simulation"},
    {DOC_TOP(",'drugs':[" DRUG_KEYS(IC50 ",'doses':[]") "]"),
     "drugs[0].doses: expected an array of 1 to 8 dose courses, got an empty array"},
    {DOC_TOP(",'drugs':[" DRUG_KEYS(IC50 ",'doses':[{'start_h':0,'count':0,'mg_per_kg':1}]") "]"),
     "drugs[0].doses[0].count: expected an integer >= 1 and <= 10000, got 0"},
    {DOC_TOP(",'drugs':[" DRUG_KEYS(IC50 ",'doses':[{'start_h':0,'count':1.5,'mg_per_kg':1}]") "]"),
     "drugs[0].doses[0].count: expected an integer >= 1 and <= 10000, got 1.5"},
    {DOC_TOP(",'drugs':[" DRUG_KEYS(IC50 ",'doses':[{'start_h':0,'every_h':0,'mg_per_kg':1}]") "]"),
     "drugs[0].doses[0].every_h: expected a number > 0 and <= 8760, got 0"},
    {DOC_TOP(",'drugs':[" DRUG_KEYS(IC50 ",'doses':[{'start_h':0}]") "]"),
     "drugs[0].doses[0].mg_per_kg: missing required key (expected a number >= 0 and <= 10000: a systemic drug's "
     "dose, mg/kg)"},
    {DOC_TOP(",'drugs':[" DRUG_KEYS(IC50 ",'doses':[{'start_h':0,'mg_per_kg':1,'ug_per_animal':2}]") "]"),
     "drugs[0].doses[0].ug_per_animal: expected 0 or no ug_per_animal for a systemic drug (its doses are "
     "mg_per_kg), got 2"},
    {DOC_TOP(",'drugs':[" DRUG_KEYS(IC50 ",'route':'intrathecal','tissue_fraction':{'skin':1},"
                                         "'doses':[{'start_h':0,'mg_per_kg':1}]") "]"),
     "drugs[0].doses[0].mg_per_kg: expected 0 or no mg_per_kg for an intrathecal drug (its doses are "
     "ug_per_animal), got 1"},
    {DOC_TOP(",'drugs':[" DRUG_KEYS(IC50 ",'route':'intrathecal','tissue_fraction':{'skin':1},"
                                         "'doses':[{'start_h':0}]") "]"),
     "drugs[0].doses[0].ug_per_animal: missing required key (expected a number >= 0 and <= 10000: an intrathecal "
     "drug's dose, µg per animal)"},
    {DOC_TOP(",'drugs':[" DRUG_KEYS(IC50 ",'route':'intrathecal','tissue_fraction':{'skin':1},'ka_per_h':2,"
                                         "'doses':[{'start_h':0,'ug_per_animal':1}]") "]"),
     "drugs[0].ka_per_h: expected no ka_per_h for an intrathecal drug (absorption applies to systemic oral "
     "doses), got 2"},
    {DRUG(",'ka_per_h':0.24"),
     "drugs[0].ka_per_h: expected a rate at least 10% away from the elimination rate ln2/half_life_h (0.231 /h), "
     "got 0.24"},
    {DOC_TOP(",'drugs':[" DRUG_KEYS(IC50 ",'ka_per_h':2,'doses':[{'start_h':0,'mg_per_kg':1,'infusion_h':4}]") "]"),
     "drugs[0].doses[0].infusion_h: expected 0 (a bolus) for a drug with ka_per_h (absorption is for oral doses), "
     "got 4"},
    {DOC_TOP(",'drugs':[" DRUG_KEYS(IC50 ",'doses':[{'start_h':0,'every_h':12,'count':2,'mg_per_kg':1,"
                                         "'infusion_h':13}]") "]"),
     "drugs[0].doses[0].infusion_h: expected a number <= every_h (12) when count > 1 (infusions of a course do not "
     "overlap), got 13"},
    {DRUG(",'fraction_unbound':0"), "drugs[0].fraction_unbound: expected a number > 0 and <= 1, got 0"},
    {DRUG(",'csf_volume_uL':-1"), "drugs[0].csf_volume_uL: expected a number > 0 and <= 1000000, got -1"},
    {DOC_TOP(",'drugs':[" DRUG_KEYS(IC50 ",'doses':[{'mg_per_kg':1}]") "]"),
     "drugs[0].doses[0].start_h: missing required key"},
    {DOC_TOP(",'drugs':[" DRUG_KEYS(IC50 ",'doses':[{'start_h':0,'mg_per_kg':1,'dose_mg':3}]") "]"),
     "drugs[0].doses[0].dose_mg: unknown key; expected one of start_h, every_h, count, mg_per_kg"},
    {DOC_TOP(",'drugs':{}"), "scen.json: drugs: expected an array of at most 4 drugs, got an empty object"},
    {DOC_TOP(",'drugz':[]"), "scen.json: drugz: unknown key (did you mean \"drugs\"?)"},

    /* perturbations */
    {PERT("{'type':'macrophage','rate_per_h':1}"),
     "perturbations[0].kind: missing required key (expected one of \"depletion\", \"knockout\", \"receptor_block\", \"receptor_knockout\")"},
    {PERT("{'kind':'knockot','type':'macrophage','mediator':'TNF'}"),
     "perturbations[0].kind: expected one of \"depletion\", \"knockout\", \"receptor_block\", \"receptor_knockout\", got \"knockot\" "
     "(did you mean \"knockout\"?)"},
    {PERT("{'kind':'depletion','type':'macrophage','rate_per_h':1,'fraction':0.5}"),
     "scen.json: perturbations[0].fraction: key not allowed for kind \"depletion\" (it belongs to receptor_block); a "
     "depletion takes rate_per_h, type, tissue, start_h, stop_h"},
    {PERT("{'kind':'receptor_block','type':'macrophage','mediator':'TNF','fraction':0.5}"),
     "perturbations[0].mediator: key not allowed for kind \"receptor_block\" (it belongs to knockout); a "
     "receptor_block takes receptor, fraction, type, tissue, start_h, stop_h"},
    {PERT("{'kind':'receptor_block','receptor':'CCR2','fraction':0.5}"),
     "perturbations[0].receptor: expected a receptor that some cell type carries (cell_types[i].receptors), got "
     "\"CCR2\""},
    {PERT("{'kind':'receptor_knockout','receptor':'TNFR1'}"),
     "perturbations[0].type: missing required key (expected the name of a cell type)"},
    {PERT("{'kind':'receptor_knockout','type':'macrophage','receptor':'TNFR2'}"),
     "perturbations[0].receptor: expected a receptor that macrophage carries (TNFR1), got \"TNFR2\""},
    {PERT("{'kind':'receptor_knockout','type':'macrophage','receptor':'TNFR1','fraction':1}"),
     "perturbations[0].fraction: key not allowed for kind \"receptor_knockout\" (it belongs to receptor_block)"},
    {DOC_TYPES("[{'name':'m','receptors':[{'name':'A','mediator':'TNF'},{'name':'B','mediator':'TNF'}]}]"),
     "cell_types[0].receptors[1].mediator: expected a mediator no other receptor of the type binds, got \"TNF\" "
     "(also bound by receptors[0] \"A\")"},
    {DOC_TYPES("[{'name':'m','receptors':[{'name':'A','mediator':'TNF'},{'name':'A','mediator':'IL10'}]}]"),
     "cell_types[0].receptors[1].name"},
    {DOC_TYPES("[{'name':'m','receptors':[{'name':'A','mediator':'TNF','female_expression':2}]}]"),
     "cell_types[0].receptors[0].female_expression: expected a number >= 0 and <= 1, got 2"},
    {DOC_TYPES("[{'name':'m','receptors':[{'name':'A','mediator':'TNF'}],'division_drivers':[{'mediator':'IL10',"
               "'EC50_nM':1,'rate_per_h':1}]}]"),
     "cell_types[0].division_drivers[0].mediator: expected a mediator that cell type m senses through one of its "
     "receptors (A), got \"IL10\": add a receptor for it to cell_types[0].receptors"},
    {PERT("{'kind':'knockout','type':'macrophage','mediator':'TNF','rate_per_h':1}"),
     "perturbations[0].rate_per_h: key not allowed for kind \"knockout\" (it belongs to depletion)"},
    {PERT("{'kind':'depletion','type':'macrophage','mediator':'TNF','rate_per_h':1}"),
     "perturbations[0].mediator: key not allowed for kind \"depletion\" (it belongs to knockout)"},
    {PERT("{'kind':'depletion','type':'macrophage'}"),
     "perturbations[0].rate_per_h: missing required key (expected a number > 0 and <= 1000)"},
    {PERT("{'kind':'depletion','type':'macrophage','rate_per_h':0}"),
     "perturbations[0].rate_per_h: expected a number > 0 and <= 1000, got 0"},
    {PERT("{'kind':'depletion','rate_per_h':1}"),
     "perturbations[0].type: missing required key (expected the name of a cell type)"},
    {PERT("{'kind':'knockout','type':'macrophage'}"),
     "perturbations[0].mediator: missing required key (expected the name of a mediator)"},
    {PERT("{'kind':'knockout','type':'macrofage','mediator':'TNF'}"),
     "perturbations[0].type: expected the name of a cell type (macrophage), got \"macrofage\" (did you mean "
     "\"macrophage\"?)"},
    {PERT("{'kind':'receptor_block','receptor':'TNFR1'}"),
     "perturbations[0].fraction: missing required key (expected a number >= 0 and <= 1)"},
    {PERT("{'kind':'receptor_block','receptor':'TNFR1','fraction':1.2}"),
     "perturbations[0].fraction: expected a number >= 0 and <= 1, got 1.2"},
    {PERT("{'kind':'receptor_block','receptor':'TNFR1','fraction':1,'tissue':'skn'}"),
     "perturbations[0].tissue: expected the name of a tissue (skin), got \"skn\" (did you mean \"skin\"?)"},
    {PERT("{'kind':'receptor_block','receptor':'TNFR1','fraction':1,'start_h':1,'stop_h':1}"),
     "perturbations[0].stop_h: expected a number > start_h (1), got 1"},
    {PERT("{'kind':'receptor_block','receptor':'TNFR1','fraction':1,'start_h':3}"),
     "perturbations[0].start_h: expected a number < time.duration_h (2 h), got 3: the perturbation starts after the "
     "end of the simulation"},
    {PERT("{'kind':'receptor_block','receptor':'TNFR1','fraction':1,'strat_h':1}"),
     "perturbations[0].strat_h: unknown key (did you mean \"start_h\"?)"},
    {PERT("'knockout'"), "perturbations[0]: expected an object with kind, got string \"knockout\""},
};

static void test_bad_inputs(void)
{
    scenario *s = malloc(sizeof *s);
    ps_err e;
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        ps_status st = load_doc(bad_cases[i].doc, NULL, 0, s, &e);
        TEST_CHECK(st == PS_ERR_INPUT, "bad case %zu loaded (status %s)", i, ps_status_name(st));
        TEST_CHECK(strstr(e.msg, bad_cases[i].expect) != NULL, "bad case %zu:\n  got:    %s\n  wanted: %s", i,
                   e.msg, bad_cases[i].expect);
    }

    /* Generated: too many mediators, too long a description. */
    char *doc = malloc(8192);
    size_t n = (size_t)snprintf(doc, 8192, "{'name':'t'," TIME ",'mediators':[");
    for (int i = 0; i <= SCN_MAX_MEDIATORS; i++)
        n += (size_t)snprintf(doc + n, 8192 - n, "%s{'name':'M%d','D_um2_per_s':1}", i ? "," : "", i);
    snprintf(doc + n, 8192 - n, "]}");
    ps_status st = load_doc(doc, NULL, 0, s, &e);
    TEST_CHECK(st == PS_ERR_INPUT && strstr(e.msg, "scen.json: mediators: expected an array of 1 to 24 mediators, "
                                                   "got an array of 25 elements"),
               "too many mediators: %s", e.msg);
    n = (size_t)snprintf(doc, 8192, "{'name':'t','description':'");
    memset(doc + n, 'x', 600);
    snprintf(doc + n + 600, 8192 - n - 600, "'}");
    st = load_doc(doc, NULL, 0, s, &e);
    TEST_CHECK(st == PS_ERR_INPUT && strstr(e.msg, "scen.json: description: expected a string of at most 511 "
                                                   "bytes, got a string of 600 bytes"),
               "long description: %s", e.msg);
    free(doc);
    free(s);
}

static void test_overrides(void)
{
    scenario *s = malloc(sizeof *s);
    ps_err e;
    const char *ok_sets[] = {
        "seed=7",
        "time.dt_min=2",
        "name=renamed",
        "engine.agent_capacity_factor=3",
        "tissues.skin.voxel_um=5",
        "tissues[0].fields.TNF.initial_nM=3",
        "tissues.0.tortuosity=2",
        "cell_types.macrophage.states.active.secretion_molecules_per_min.TNF=100",
        "tissues.skin.fields.IL10.boundary.all={\"type\":\"fixed\",\"value_nM\":1}",
    };
    ps_status st = load_doc(minimal, ok_sets, (int)(sizeof ok_sets / sizeof ok_sets[0]), s, &e);
    TEST_CHECK(st == PS_OK, "overrides: %s", e.msg);
    if (st == PS_OK) {
        const scn_tissue *t = &s->tissues[0];
        TEST_CHECK(s->seed == 7 && s->dt_min == 2 && strcmp(s->name, "renamed") == 0, "top-level overrides");
        TEST_CHECK(s->agent_capacity_factor == 3, "engine object created");
        TEST_CHECK(t->voxel_um == 5 && t->tortuosity == 2, "by-name and .0 addressing");
        TEST_CHECK(t->fields[0].present && t->fields[0].initial_nM == 3, "created fields object");
        TEST_CHECK(t->fields[0].D_um2_per_s == 100.0 / 4.0, "created field keeps resolved defaults");
        TEST_CHECK(t->fields[1].present && t->fields[1].bc[SCN_Y_MAX].kind == SCN_BC_FIXED &&
                       t->fields[1].bc[SCN_Y_MAX].value_nM == 1,
                   "object value; other mediators stay present");
        TEST_CHECK(s->types[0].states[1].secretion_molecules_per_min[0] == 100, "state by name");
    }

    static const struct {
        const char *set;
        const char *expect;
    } bad_sets[] = {
        {"seed", "--set seed: expected KEY.PATH=VALUE"},
        {"=3", "--set =3: expected KEY.PATH=VALUE"},
        {"time..dt_min=3", "--set time..dt_min=3: empty key in the key path"},
        {"tissues.skn.voxel_um=5",
         "--set tissues.skn.voxel_um=5: tissues has no element named \"skn\" (did you mean \"skin\"?); names: skin"},
        {"tissues[3].voxel_um=5", "--set tissues[3].voxel_um=5: tissues has 1 element, so there is no [3]"},
        {"time.duration_h.x=5", "--set time.duration_h.x=5: time.duration_h is number 2, not an object or array"},
        {"time[0]=5", "--set time[0]=5: time is an object; address its keys as .KEY, not [0]"},
        {"tissues.skin.regions.r.radius_um=5", "--set tissues.skin.regions.r.radius_um=5: tissues[0].regions does "
                                               "not exist"},
        {"time.dt_min=-1",
         "scen.json (with --set time.dt_min=-1): time.dt_min: expected a number > 0 and <= 60, got -1"},
        {"time.dt_min=7", "scen.json (with --set time.dt_min=7): time.duration_h: expected a multiple of "
                          "time.dt_min (7 min)"},
        {"tissues.skin.voxel_um=15", "scen.json (with --set tissues.skin.voxel_um=15): tissues[0].size_um[0]: "
                                     "expected a multiple of voxel_um (15 µm), got 100"},
        {"time.dt_mn=2", "scen.json (with --set time.dt_mn=2): time.dt_mn: unknown key (did you mean \"dt_min\"?)"},
        {"name=my scen", "scen.json (with --set name=my scen): name: expected a name"},
        {"tissues[0].fields={\"TNF\":{},\"TNF\":{}}", "tissues[0].fields: duplicate key \"TNF\""},
    };
    for (size_t i = 0; i < sizeof bad_sets / sizeof bad_sets[0]; i++) {
        st = load_doc(minimal, &bad_sets[i].set, 1, s, &e);
        TEST_CHECK(st == PS_ERR_INPUT && strstr(e.msg, bad_sets[i].expect),
                   "bad --set %zu:\n  got:    %s\n  wanted: %s", i, e.msg, bad_sets[i].expect);
    }
    /* An error the override did not touch still says overrides were applied. */
    const char *two[] = {"seed=3", "time.dt_min=7"};
    st = load_doc(DOC_TIME("{'duration_h':2,'dt_min':-1}"), two, 1, s, &e);
    TEST_CHECK(st == PS_ERR_INPUT && strstr(e.msg, "scen.json (after --set overrides): time.dt_min"), "%s", e.msg);
    st = load_doc(DOC_TIME("{'duration_h':2,'dt_min':-1}"), two, 2, s, &e);
    TEST_CHECK(st == PS_ERR_INPUT && strstr(e.msg, "with --set time.dt_min=7"), "%s", e.msg);
    free(s);
}

/* A document with JAKs, a JAK/STAT3 type with transitions, a drug and perturbations,
 * each mostly at its defaults. */
#define DOC_SIG                                                                                          \
    "{'name':'t','time':{'duration_h':4}"                                                                \
    ",'mediators':[{'name':'TNF','D_um2_per_s':100},{'name':'IL6','D_um2_per_s':90,'jak':['JAK1','JAK2']}]" \
    ",'cell_types':[{'name':'macrophage','states':[{'name':'resting'},{'name':'active'}]"               \
    ",'receptors':[{'name':'IL6R','mediator':'IL6'}]"                                                    \
    ",'jak_stat3':{'activators':[{'mediator':'IL6','EC50_nM':1}]}"                                       \
    ",'transitions':[{'from':'resting','to':'active','pstat3_rate_per_h':2}]}]"                         \
    ",'tissues':[{'name':'skin','size_um':[100,100,20],'voxel_um':10},"                                 \
    "{'name':'drg','size_um':[100,100,20],'voxel_um':10}]"                                              \
    ",'drugs':[{'name':'tofacitinib','mw_g_per_mol':312.37,'half_life_h':3,'Vd_L_per_kg':1.2,"          \
    "'ic50_nM':{'JAK1':56},'doses':[{'start_h':1,'mg_per_kg':0.07}]}]"                                   \
    ",'perturbations':[{'kind':'depletion','type':'macrophage','rate_per_h':1},"                        \
    "{'kind':'receptor_block','receptor':'IL6R','fraction':0.5,'stop_h':3}]}"

static void test_signalling(void)
{
    scenario *s = malloc(sizeof *s);
    ps_err e;
    ps_status st = load_doc(DOC_SIG, NULL, 0, s, &e);
    TEST_CHECK(st == PS_OK, "signalling document: %s", e.msg);
    if (st == PS_OK) {
        TEST_CHECK(s->mediators[1].jak[SCN_JAK1] && s->mediators[1].jak[SCN_JAK2] && !s->mediators[1].jak[SCN_TYK2],
                   "IL6 JAKs");
        const scn_transition *tr = &s->types[0].transitions[0];
        TEST_CHECK(tr->from == 0 && tr->to == 1 && tr->rate_per_h == 0 && tr->pstat3_rate_per_h == 2 &&
                       tr->n_drivers == 0 && tr->n_inhibitors == 0,
                   "transition defaults");
        const scn_drug *d = &s->drugs[0];
        TEST_CHECK(d->bioavailability == 1 && d->route == SCN_ROUTE_SYSTEMIC && d->tissue_fraction[0] == 1 &&
                       d->tissue_fraction[1] == 1 && d->tissue_fraction[2] == 0,
                   "drug defaults: systemic, every tissue 1");
        TEST_CHECK(d->ic50_nM[SCN_JAK1] == 56 && d->ic50_nM[SCN_JAK2] == 0 && d->ic50_nM[SCN_JAK3] == 0 &&
                       d->ic50_nM[SCN_TYK2] == 0,
                   "IC50 not listed: 0");
        TEST_CHECK(d->n_doses == 1 && d->doses[0].every_h == 24 && d->doses[0].count == 1, "dose defaults");
        const scn_perturbation *p = &s->perturbations[0];
        TEST_CHECK(p->kind == SCN_PERTURB_DEPLETION && p->tissue == -1 && p->mediator == -1 && p->start_h == 0 &&
                       p->stop_h == 4 && p->fraction == 0,
                   "depletion defaults: every tissue, whole run");
        TEST_CHECK(s->perturbations[1].type == -1 && s->perturbations[1].stop_h == 3, "receptor block");
        check_round_trip(s, "signalling document");
    }

    /* --set into the new arrays, by name and by index; stop_h follows a changed duration. */
    const char *ok_sets[] = {
        "drugs.tofacitinib.doses.0.mg_per_kg=0",
        "drugs.tofacitinib.doses.0.ug_per_animal=10",
        "cell_types.macrophage.transitions.0.rate_per_h=1",
        "mediators.TNF.jak=[\"TYK2\"]",
        "drugs[0].ic50_nM.TYK2=30",
        "drugs.tofacitinib.tissue_fraction.drg=0.25",
        "cell_types.macrophage.jak_stat3.secretion_gain.TNF=2",
        "cell_types.macrophage.jak_stat3.activators.0.hill=2",
        "perturbations.1.fraction=0.9",
        "time.duration_h=6",
        "drugs.tofacitinib.route=intrathecal",
    };
    st = load_doc(DOC_SIG, ok_sets, (int)(sizeof ok_sets / sizeof ok_sets[0]), s, &e);
    TEST_CHECK(st == PS_OK, "signalling overrides: %s", e.msg);
    if (st == PS_OK) {
        const scn_drug *d = &s->drugs[0];
        TEST_CHECK(d->doses[0].ug_per_animal == 10 && d->ic50_nM[SCN_TYK2] == 30, "drug by name");
        TEST_CHECK(d->route == SCN_ROUTE_INTRATHECAL && d->tissue_fraction[0] == 0 && d->tissue_fraction[1] == 0.25,
                   "intrathecal by --set: only the listed tissue");
        TEST_CHECK(s->types[0].transitions[0].rate_per_h == 1, "transition by index");
        TEST_CHECK(s->mediators[0].jak[SCN_TYK2] && !s->mediators[0].jak[SCN_JAK1], "jak list");
        TEST_CHECK(s->types[0].jak_stat3.secretion_gain[0] == 2 && s->types[0].jak_stat3.activators[0].hill == 2,
                   "jak_stat3 by --set");
        TEST_CHECK(s->perturbations[1].fraction == 0.9, "perturbation by index");
        TEST_CHECK(s->perturbations[0].stop_h == 6 && s->perturbations[1].stop_h == 3,
                   "default stop_h is the new duration; explicit stays");
        check_round_trip(s, "signalling overrides");
    }

    static const struct {
        const char *set;
        const char *expect;
    } bad_sets[] = {
        {"drugs.tofacitinib.doses.0.mg_per_kg=-1",
         "scen.json (with --set drugs.tofacitinib.doses.0.mg_per_kg=-1): drugs[0].doses[0].mg_per_kg: expected a "
         "number >= 0 and <= 10000, got -1"},
        {"drugs.tofacitnib.doses.0.mg_per_kg=1",
         "--set drugs.tofacitnib.doses.0.mg_per_kg=1: drugs has no element named \"tofacitnib\" (did you mean "
         "\"tofacitinib\"?); names: tofacitinib"},
        {"drugs.tofacitinib.doses.1.mg_per_kg=1",
         "--set drugs.tofacitinib.doses.1.mg_per_kg=1: drugs[0].doses has 1 element, so there is no [1]"},
        {"cell_types.macrophage.transitions.0.to=resting",
         "scen.json (with --set cell_types.macrophage.transitions.0.to=resting): cell_types[0].transitions[0].to: "
         "expected a state other than from (\"resting\"), got \"resting\""},
        {"cell_types.macrophage.transitions.0.drivers.0.rate_per_h=1",
         "--set cell_types.macrophage.transitions.0.drivers.0.rate_per_h=1: cell_types[0].transitions[0].drivers does "
         "not exist, and --set cannot create array elements"},
        {"cell_types.macrophage.jak_stat3.k_on_per_min=0",
         "(with --set cell_types.macrophage.jak_stat3.k_on_per_min=0): cell_types[0].jak_stat3.k_on_per_min: "
         "expected a number > 0 and <= 10, got 0"},
        {"perturbations.0.fraction=0.5",
         "(with --set perturbations.0.fraction=0.5): perturbations[0].fraction: key not allowed for kind "
         "\"depletion\""},
        {"time.duration_h=1",
         "scen.json (after --set overrides): drugs[0].doses[0].start_h: expected a number < time.duration_h (1 h), got "
         "1: the dose course starts after the end of the simulation"},
        {"mediators.TNF.jak.x=1",
         "--set mediators.TNF.jak.x=1: mediators[0].jak does not exist, and --set cannot create array elements"},
        {"mediators.IL6.jak=[\"JAK1\",\"JAK1\"]",
         "(with --set mediators.IL6.jak=[\"JAK1\",\"JAK1\"]): mediators[1].jak[1]: expected a JAK not listed before"},
        {"drugs.tofacitinib.route=intrathecal",
         "(with --set drugs.tofacitinib.route=intrathecal): drugs[0].tissue_fraction: missing required key"},
    };
    for (size_t i = 0; i < sizeof bad_sets / sizeof bad_sets[0]; i++) {
        st = load_doc(DOC_SIG, &bad_sets[i].set, 1, s, &e);
        TEST_CHECK(st == PS_ERR_INPUT && strstr(e.msg, bad_sets[i].expect),
                   "bad signalling --set %zu:\n  got:    %s\n  wanted: %s", i, e.msg, bad_sets[i].expect);
    }
    free(s);
}

static void test_neurons_pain_recruitment(void)
{
    scenario *s = malloc(sizeof *s);
    ps_err e;
    ps_status st = load_doc(DOC_N(NEUR(",'lesion':{'region':'cut','at_h':1},'transport_delay_h':6")
                                  ",'sex':'female','pain':{'injury_weight':0.5,'terms':[{'site':'central',"
                                  "'mediator':'IL10','EC50_nM':0.1,'weight':-1,'sex':'female'}]}"),
                            NULL, 0, s, &e);
    TEST_CHECK(st == PS_OK, "neurons document: %s", e.msg);
    if (st == PS_OK) {
        const scn_neurons *n = &s->neurons;
        TEST_CHECK(n->enabled && n->count == 5 && n->soma.type == 1 && n->soma.injured_state == 1 &&
                       n->peripheral.region == -1 && n->lesion_region == 0 && n->lesion_h == 1 &&
                       n->transport_delay_h == 6 && n->toxin_drug == -1 && n->repair_per_h == 0,
                   "neurons resolved");
        TEST_CHECK(s->sex == SCN_SEX_FEMALE && s->pain.baseline_threshold_g == 4 && s->pain.time_constant_h == 6 &&
                       s->pain.injury_weight == 0.5 && s->pain.n_terms == 1 && s->pain.terms[0].site == SCN_SITE_CENTRAL &&
                       s->pain.terms[0].mediator == 1 && s->pain.terms[0].hill == 1 && s->pain.terms[0].sex == 2,
                   "pain resolved");
        check_round_trip(s, "neurons document");
    }
    ps_err_clear(&e);
    st = load_doc(DOC_T(",'regions':[{'name':'vessel','shape':'box','min_um':[0,0,0],'max_um':[100,100,10]}],"
                        "'recruitment':[{'type':'macrophage','state':'active','region':'vessel',"
                        "'rate_per_mm3_per_h':50,'chemokine':{'mediator':'TNF','EC50_nM':0.5}},"
                        "{'type':'macrophage','rate_per_mm3_per_h':5,'barrier_permeability':0.2}]"),
                  NULL, 0, s, &e);
    TEST_CHECK(st == PS_OK, "recruitment document: %s", e.msg);
    if (st == PS_OK) {
        const scn_tissue *t = &s->tissues[0];
        TEST_CHECK(t->n_recruitments == 2 && t->recruitments[0].state == 1 && t->recruitments[0].region == 0 &&
                       t->recruitments[0].chemokine.mediator == 0 && t->recruitments[0].chemokine.hill == 1 &&
                       t->recruitments[0].barrier_permeability == 1 && t->recruitments[1].state == 0 &&
                       t->recruitments[1].region == -1 && t->recruitments[1].chemokine.mediator == -1 &&
                       t->recruitments[1].barrier_permeability == 0.2,
                   "recruitment resolved");
        TEST_CHECK(!s->neurons.enabled && s->sex == SCN_SEX_MALE && s->pain.baseline_threshold_g == 4,
                   "defaults without neurons");
        check_round_trip(s, "recruitment document");
    }
    /* --set reaches the new sections */
    const char *sets[] = {"neurons.lesion.at_h=1.5", "pain.terms.0.weight=0.25"};
    ps_err_clear(&e);
    st = load_doc(DOC_N(NEUR(",'lesion':{'region':'cut'}") ",'pain':{'terms':[{'site':'peripheral',"
                        "'mediator':'TNF','EC50_nM':1,'weight':1}]}"),
                  sets, 2, s, &e);
    TEST_CHECK(st == PS_OK && s->neurons.lesion_h == 1.5 && s->pain.terms[0].weight == 0.25,
               "--set into neurons and pain: %s", e.msg);

    /* Neurons without a pain section: neuron defaults, pain defaults, toxin; round trip. */
    st = load_doc(DOC_N2(NEUR2C(SOMA2, "{'tissue':'skin','type':'n','region':'cut'}",
                                "{'tissue':'drg','type':'n','region':'ganglion'}",
                                ",'toxin':{'drug':'taxol','EC50_nM':20,'rate_per_h':0.1}")),
                  NULL, 0, s, &e);
    TEST_CHECK(st == PS_OK, "neurons without pain: %s", e.msg);
    if (st == PS_OK) {
        const scn_neurons *n = &s->neurons;
        TEST_CHECK(n->enabled && n->soma.tissue == 1 && n->soma.region == -1 && n->peripheral.tissue == 0 &&
                       n->peripheral.region == 0 && n->central.tissue == 1 && n->central.region == 0 &&
                       n->central.type == 1 && n->central.injured_state == 1,
                   "compartments resolved");
        TEST_CHECK(n->transport_delay_h == 12 && n->repair_per_h == 0 && n->lesion_region == -1 && n->lesion_h == 0,
                   "neuron defaults");
        TEST_CHECK(n->toxin_drug == 0 && n->toxin_EC50_nM == 20 && n->toxin_rate_per_h == 0.1, "toxin");
        TEST_CHECK(s->sex == SCN_SEX_MALE && s->pain.baseline_threshold_g == 4 && s->pain.time_constant_h == 6 &&
                       s->pain.injury_weight == 0 && s->pain.n_terms == 0,
                   "pain defaults with neurons");
        check_round_trip(s, "neurons without pain");
    }
    const char *set_sex[] = {"sex=female", "neurons.repair_per_h=0.5"};
    st = load_doc(DOC_N2(NEUR2("")), set_sex, 2, s, &e);
    TEST_CHECK(st == PS_OK && s->sex == SCN_SEX_FEMALE && s->neurons.repair_per_h == 0.5, "--set sex: %s", e.msg);

    /* Bad overrides into the new sections name the override and the path. */
    static const struct {
        const char *set;
        const char *expect;
    } bad_sets[] = {
        {"neurons.lesion.at_h=2", "scen.json (with --set neurons.lesion.at_h=2): neurons.lesion.at_h: expected a "
                                  "number < time.duration_h (2 h), got 2: the lesion comes after the end"},
        {"neurons.lesion.at_h=-3", "scen.json (with --set neurons.lesion.at_h=-3): neurons.lesion.at_h: expected a "
                                   "number >= 0 and <= 8760, got -3"},
        {"pain.terms.0.weight=101", "scen.json (with --set pain.terms.0.weight=101): pain.terms[0].weight: expected "
                                    "a number >= -100 and <= 100, got 101"},
        {"pain.terms[0].sex=\"femal\"", "pain.terms[0].sex: expected one of \"both\", \"male\", \"female\", got "
                                        "\"femal\" (did you mean \"female\"?)"},
        {"pain.terms.2.weight=1", "--set pain.terms.2.weight=1: pain.terms has 1 element, so there is no [2]"},
        {"neurons.soma.type=macrophage",
         "scen.json (with --set neurons.soma.type=macrophage): neurons.soma.type: expected a cell type with a state "
         "named \"injured\" that is not its first state, got \"macrophage\""},
        {"neurons.lesion.region=ganglion", "neurons.lesion.region: expected the name of a region of the peripheral "
                                           "tissue \"skin\" (cut), got \"ganglion\", a region of tissue \"drg\""},
        {"sex=other", "scen.json (with --set sex=other): sex: expected one of \"male\", \"female\", got \"other\""},
        {"time.duration_h=1", "scen.json (after --set overrides): neurons.lesion.at_h: expected a number < "
                              "time.duration_h (1 h), got 1"},
    };
    for (size_t i = 0; i < sizeof bad_sets / sizeof bad_sets[0]; i++) {
        st = load_doc(DOC_N2(NEUR2(",'lesion':{'region':'cut','at_h':1}") "," TERM("")), &bad_sets[i].set, 1, s,
                      &e);
        TEST_CHECK(st == PS_ERR_INPUT && strstr(e.msg, bad_sets[i].expect),
                   "bad --set into neurons/pain %zu:\n  got:    %s\n  wanted: %s", i, e.msg, bad_sets[i].expect);
    }
    free(s);
}

static void test_files(void)
{
    scenario *s = malloc(sizeof *s);
    ps_err e;
    ps_err_clear(&e);
    ps_status st = scenario_load("tests/data/no_such_scenario.json", NULL, 0, s, &e);
    TEST_CHECK(st == PS_ERR_IO && strstr(e.msg, "tests/data/no_such_scenario.json") &&
                   strstr(e.msg, "No such file or directory"),
               "missing file: %s %s", ps_status_name(st), e.msg);
    ps_err_clear(&e);
    st = scenario_load("tests/data", NULL, 0, s, &e);
    TEST_CHECK(st == PS_ERR_IO && strstr(e.msg, "tests/data:"), "directory: %s %s", ps_status_name(st), e.msg);
    ps_err_clear(&e);
    st = scenario_load("tests/data/scenario_min.json", NULL, 0, s, &e);
    TEST_CHECK(st == PS_OK, "scenario_min.json: %s", e.msg);
    /* The shipped scenarios load (every new key is optional) and round-trip. */
    static const char *const shipped[] = {"scenarios/nerve_injury.json", "scenarios/sham.json",
                                          "scenarios/cipn.json", "scenarios/jak_inhibition.json",
                                          "tests/data/tiny.json"};
    for (int i = 0; i < 5; i++) {
        ps_err_clear(&e);
        st = scenario_load(shipped[i], NULL, 0, s, &e);
        TEST_CHECK(st == PS_OK, "%s: %s", shipped[i], e.msg);
        if (st == PS_OK) check_round_trip(s, shipped[i]);
    }
    free(s);
}

static int resolve(const char *path, const char *const *sets, int n_sets)
{
    scenario *s = malloc(sizeof *s);
    ps_err e;
    ps_err_clear(&e);
    ps_status st = scenario_load(path, sets, n_sets, s, &e);
    if (st != PS_OK) {
        fprintf(stderr, "%s\n", e.msg);
        free(s);
        return ps_status_exit_code(st);
    }
    char *json = scenario_to_json(s);
    free(s);
    if (!json) return ps_status_exit_code(PS_ERR_MEMORY);
    puts(json);
    free(json);
    return 0;
}

/* The drug entries of scenarios/README.md ("JAK pharmacology": tofacitinib by pump,
 * intrathecal baricitinib) each replace the drug of scenarios/jak_inhibition.json and load;
 * the host PK reference gives the IL-6 signal kept they are documented for. */
static void test_readme_drugs(void)
{
    char *readme = NULL;
    cJSON *root = NULL;
    ps_err e;
    ps_err_clear(&e);
    TEST_CHECK(scenario_read_text("scenarios/README.md", "README", &readme, &e) == PS_OK, "%s", e.msg);
    TEST_CHECK(scenario_json_file("scenarios/jak_inhibition.json", "scenario", &root, &e) == PS_OK, "%s", e.msg);
    const char *sec = readme ? strstr(readme, "#### JAK pharmacology") : NULL;
    TEST_CHECK(sec != NULL, "README has the JAK pharmacology section");
    if (!sec || !root) {
        free(readme);
        cJSON_Delete(root);
        return;
    }
    /* the shipped dose keeps tests/validate.py's check: IL-6 signal kept < 0.1 in every
     * tissue over days 7.5-27 */
    scenario *sh = malloc(sizeof *sh);
    ps_err_clear(&e);
    if (sh && scenario_load("scenarios/jak_inhibition.json", NULL, 0, sh, &e) == PS_OK) {
        int il6 = -1;
        double worst = 0;
        for (int m = 0; m < sh->n_mediators; m++)
            if (strcmp(sh->mediators[m].name, "IL6") == 0) il6 = m;
        for (double t = 180; il6 >= 0 && t <= 648; t += 1)
            for (int ti = 0; ti < sh->n_tissues; ti++) worst = fmax(worst, pk_jak_factor_ref(sh, ti, il6, t));
        TEST_CHECK(il6 >= 0 && worst < 0.1, "shipped jak_inhibition.json: IL-6 signal kept up to %g", worst);
        printf("  shipped jak_inhibition.json: IL-6 signal kept <= %.4f in every tissue, days 7.5-27\n", worst);
    } else {
        TEST_CHECK(0, "scenarios/jak_inhibition.json: %s", e.msg);
    }
    free(sh);
    const char *names[] = {"tofacitinib", "baricitinib_it"};
    const char *at = sec;
    for (int q = 0; q < 2; q++) {
        const char *b = strstr(at, "```json\n"), *end = b ? strstr(b + 8, "```") : NULL;
        TEST_CHECK(b && end, "README drug example %d", q);
        if (!b || !end) break;
        cJSON *drug = cJSON_ParseWithLength(b + 8, (size_t)(end - b - 8));
        at = end + 3;
        TEST_CHECK(drug != NULL, "README drug example %d parses", q);
        if (!drug) continue;
        cJSON *doc = cJSON_Duplicate(root, 1), *drugs = cJSON_CreateArray();
        cJSON_AddItemToArray(drugs, drug);
        cJSON_ReplaceItemInObjectCaseSensitive(doc, "drugs", drugs);
        char *text = cJSON_PrintUnformatted(doc);
        scenario *sc = malloc(sizeof *sc);
        ps_err_clear(&e);
        ps_status st = scenario_load_string(text, "jak_inhibition.json+README", NULL, 0, sc, &e);
        TEST_CHECK(st == PS_OK, "README drug %s: %s", names[q], e.msg);
        if (st == PS_OK) {
            int il6 = -1, nerve = -1, drg = -1, dh = -1;
            for (int m = 0; m < sc->n_mediators; m++)
                if (strcmp(sc->mediators[m].name, "IL6") == 0) il6 = m;
            for (int t = 0; t < sc->n_tissues; t++) {
                if (strcmp(sc->tissues[t].name, "nerve") == 0) nerve = t;
                if (strcmp(sc->tissues[t].name, "drg") == 0) drg = t;
                if (strcmp(sc->tissues[t].name, "dorsal_horn") == 0) dh = t;
            }
            TEST_CHECK(strcmp(sc->drugs[0].name, names[q]) == 0 && il6 >= 0 && drg >= 0 && dh >= 0, "%s", names[q]);
            if (q == 0 && il6 >= 0 && drg >= 0 && dh >= 0) {
                /* pump steady state on day 10: 0.6 * 50/24 / (ln2/0.5 * 1.2) mg/L unbound */
                double cu = 0.6 * (50.0 / 24.0) / (log(2.0) / 0.5 * 1.2) / 312.4 * 1e6;
                double jd = pk_jak_factor_ref(sc, drg, il6, 240), jh = pk_jak_factor_ref(sc, dh, il6, 240);
                TEST_CHECK(fabs(jd - 244 / (cu + 244)) < 1e-6 && fabs(jh - 244 / (0.3 * cu + 244)) < 1e-6,
                           "tofacitinib pump: IL-6 kept %g (DRG), %g (dorsal horn)", jd, jh);
                printf("  README tofacitinib (pump 50 mg/kg/day): IL-6 signal kept DRG %.3f, dorsal horn %.3f\n", jd,
                       jh);
            }
            if (q == 1 && il6 >= 0 && nerve >= 0 && drg >= 0 && dh >= 0) {
                double jn = pk_jak_factor_ref(sc, nerve, il6, 169), jd = pk_jak_factor_ref(sc, drg, il6, 169),
                       jh = pk_jak_factor_ref(sc, dh, il6, 169), j24 = pk_jak_factor_ref(sc, dh, il6, 192);
                TEST_CHECK(jn == 1 && jd == 1 && jh < 0.01 && j24 > 0.9,
                           "intrathecal: nerve %g, DRG %g untouched; dorsal horn %g at 1 h, %g at 24 h", jn, jd, jh,
                           j24);
                printf("  README intrathecal baricitinib 5 ug: dorsal-horn IL-6 kept %.4f at 1 h, %.3f at 24 h; "
                       "nerve and DRG 1\n", jh, j24);
            }
        }
        free(sc);
        free(text);
        cJSON_Delete(doc);
    }
    free(readme);
    cJSON_Delete(root);
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "--resolve") == 0)
        return resolve(argv[2], (const char *const *)(argv + 3), argc - 3);
    test_defaults();
    test_round_trip();
    test_bad_inputs();
    test_overrides();
    test_signalling();
    test_neurons_pain_recruitment();
    test_files();
    test_readme_drugs();
    return test_report("test_scenario");
}
