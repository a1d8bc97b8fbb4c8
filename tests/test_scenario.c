/* test_scenario.c — self-tests of the scenario loader: defaults, the resolved JSON round
 * trip, one bad document per kind of user error (each message checked for its JSON path
 * and its "expected" part), --set overrides, and file errors. Runs from the repository
 * root (it reads tests/data/scenario_full.json); well under a second.
 *
 *   bin/test_scenario                          run the tests
 *   bin/test_scenario --resolve FILE [SET...]  print FILE's resolved JSON (or the error);
 *                                              tests/check_schema.py uses this
 */
#include "scenario.h"
#include "test.h"

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
#define TYPES "'cell_types':[{'name':'macrophage','states':[{'name':'resting'},{'name':'active'}]}]"
#define SKIN "'name':'skin','size_um':[100,100,20],'voxel_um':10"
/* A valid document whose single tissue gets extra keys. */
#define DOC_T(extra) "{'name':'t'," TIME "," MEDS "," TYPES ",'tissues':[{" SKIN extra "}]}"
/* A valid document with a replaced time object. */
#define DOC_TIME(time) "{'name':'t','time':" time "," MEDS ",'tissues':[{" SKIN "}]}"
/* A valid document with replaced cell types. */
#define DOC_TYPES(types) "{'name':'t'," TIME "," MEDS ",'cell_types':" types ",'tissues':[{" SKIN "}]}"

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

static void test_round_trip(void)
{
    scenario *s = malloc(sizeof *s);
    ps_err e;
    ps_status st = load_doc(minimal, NULL, 0, s, &e);
    TEST_CHECK(st == PS_OK, "minimal: %s", e.msg);
    if (st == PS_OK) check_round_trip(s, "minimal");

    ps_err_clear(&e);
    st = scenario_load("tests/data/scenario_full.json", NULL, 0, s, &e);
    TEST_CHECK(st == PS_OK, "scenario_full.json: %s", e.msg);
    if (st == PS_OK) {
        TEST_CHECK(strcmp(s->source_path, "tests/data/scenario_full.json") == 0, "source path");
        TEST_CHECK(s->seed == 20240601 && s->dt_min == 0.5 && s->agent_capacity_factor == 3, "top level");
        TEST_CHECK(s->n_mediators == 4 && s->n_types == 3 && s->n_tissues == 2, "counts");
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

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "--resolve") == 0)
        return resolve(argv[2], (const char *const *)(argv + 3), argc - 3);
    test_defaults();
    test_round_trip();
    test_bad_inputs();
    test_overrides();
    test_files();
    return test_report("test_scenario");
}
