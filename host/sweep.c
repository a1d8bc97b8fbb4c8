/* sweep.c — the sweep file: parsing, validation and expansion into members (see
 * sweep.h). The format is key tables walked by the scenario's walker (scn_table.h), so a
 * sweep file gets the scenario's checks and messages ("FILE: json.path: expected X, got
 * Y", unknown keys with suggestions) and its keys are documented by `make docs`. Running the members is the run driver's (run/sweep_queue.c: the MPI queue,
 * resume; run/sweep_table.c: metrics, sweep.csv and sweep.h5); the shared struct is in
 * run/sweep_impl.h.
 */
#include "sweep_impl.h"
#include "scn_table.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- parsing ----------------------------------------------------------------------- */

void sweep_free(sweep *sw)
{
    if (!sw) return;
    for (int i = 0; i < sw->n_params; i++) {
        sweep_param *p = &sw->p[i];
        for (int k = 0; k < p->n; k++) {
            if (p->set_text) free(p->set_text[k]);
            if (p->label) free(p->label[k]);
        }
        free(p->set_text);
        free(p->label);
        free(p->num);
    }
    for (int i = 0; i < sw->n_fixed; i++) free(sw->fixed[i]);
    if (sw->m)
        for (long i = 0; i < sw->n_members; i++) {
            free(sw->m[i].error);
            free(sw->m[i].metrics);
        }
    free(sw->m);
    free(sw->seeds);
    free(sw);
}

/* A number as the resolved scenario writes it (text that reads back to the same double). */
static char *sweep_fmt_num(double x)
{
    char buf[40];
    scenario_format_number(buf, sizeof buf, x);
    return strdup(buf);
}

static ps_status sweep_param_alloc(sweep_param *p, int n, ps_err *err)
{
    p->n = n;
    p->set_text = calloc((size_t)n, sizeof(char *));
    p->label = calloc((size_t)n, sizeof(char *));
    p->num = calloc((size_t)n, sizeof(double));
    if (!p->set_text || !p->label || !p->num) return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    return PS_OK;
}

/* ---- the sweep file as key tables (the scenario's table walker, scn_table.h) -------- */

/* A range of values: count values from `from` to `to`, evenly spaced (log: in log). */
typedef struct {
    int present;
    double from, to;
    int count;
} sweep_range;

typedef struct {
    char key[SWEEP_KEY];
    const cJSON *values;        /* the checked "values" list, or NULL */
    sweep_range linear, log;
} sweep_param_spec;

typedef struct {
    char name[SCN_NAME_MAX];
    char description[SCN_TEXT_MAX];
    const cJSON *scenarios;     /* checked list of paths */
    int n_params;
    sweep_param_spec params[SWEEP_MAX_PARAMS];
    int combine;                /* 0 grid, 1 zip */
    const cJSON *set;           /* checked object of fixed overrides, or NULL */
    const cJSON *seeds;         /* checked list of seeds, or NULL */
    struct {
        int present;
        int count;
        double first_seed;
    } replicates;
} sweep_spec;

static const char *const combine_names[] = {"grid", "zip"};

/* obj.key as a JSON array of min..max elements (what: "seeds"), each accepted by ok or
 * refused as "expected WANT, got ..."; *out = NULL when absent and optional. */
static ps_status sweep_list(scn_walk *w, const cJSON *obj, const scn_key *k, int min, int max, const char *what,
                            int (*ok)(const cJSON *), const char *want, const cJSON **out)
{
    int n;
    PS_TRY(scn_read_array(w->c, obj, k->name, (k->flags & SKF_REQUIRED) != 0, min, max, what, out, &n));
    if (!*out || !ok) return PS_OK;
    size_t m = scn_path_key(w->c, k->name);
    int i = 0;
    for (const cJSON *v = (*out)->child; v; v = v->next, i++) {
        if (ok(v)) continue;
        scn_path_index(w->c, i);
        return scn_expect_type_fail(w->c, want, v);
    }
    scn_path_pop(w->c, m);
    return PS_OK;
}

static int is_scalar(const cJSON *v)
{
    return (cJSON_IsNumber(v) && isfinite(v->valuedouble)) || cJSON_IsString(v) || cJSON_IsBool(v);
}

static int is_path(const cJSON *v)
{
    return cJSON_IsString(v) && v->valuestring[0];
}

/* parameters[i].values: 1 to SWEEP_MAX_VALUES numbers, strings or booleans. */
static ps_status read_values(scn_walk *w, const cJSON *obj, const scn_key *k, void *dst)
{
    sweep_param_spec *p = dst;
    return sweep_list(w, obj, k, 1, SWEEP_MAX_VALUES, "values (numbers, strings or booleans)", is_scalar,
                      "a finite number, a string or a boolean", &p->values);
}

/* scenarios: 1 to SWEEP_MAX_BASES non-empty paths. */
static ps_status read_scenarios(scn_walk *w, const cJSON *obj, const scn_key *k, void *dst)
{
    sweep_spec *sp = dst;
    return sweep_list(w, obj, k, 1, SWEEP_MAX_BASES, "scenario files (paths relative to the sweep file)", is_path,
                      "a scenario file path", &sp->scenarios);
}

/* set: {scenario key path: number, string or boolean}. */
static ps_status read_fixed(scn_walk *w, const cJSON *obj, const scn_key *k, void *dst)
{
    sweep_spec *sp = dst;
    PS_TRY(scn_read_object(w->c, obj, k->name, 0, "an object of fixed overrides {\"time.duration_h\": 48, ...}",
                           &sp->set));
    if (!sp->set) return PS_OK;
    size_t m = scn_path_key(w->c, k->name);
    if (cJSON_GetArraySize(sp->set) > SWEEP_MAX_FIXED)
        return scn_fail(w->c, "expected at most %d fixed overrides, got %d", SWEEP_MAX_FIXED,
                        cJSON_GetArraySize(sp->set));
    for (const cJSON *v = sp->set->child; v; v = v->next) {
        size_t mk = scn_path_key(w->c, v->string);
        if (!cJSON_IsNumber(v) && !cJSON_IsString(v) && !cJSON_IsBool(v))
            return scn_expect_type_fail(w->c, "a number, a string or a boolean", v);
        if (strcmp(v->string, "seed") == 0)
            return scn_fail(w->c, "expected a scenario key other than seed (seeds are given by \"seeds\" or "
                                  "\"replicates\")");
        scn_path_pop(w->c, mk);
    }
    scn_path_pop(w->c, m);
    return PS_OK;
}

/* seeds: 1 to SWEEP_MAX_VALUES distinct integers in [0, 2^53 - 1]. */
static ps_status read_seeds(scn_walk *w, const cJSON *obj, const scn_key *k, void *dst)
{
    sweep_spec *sp = dst;
    PS_TRY(sweep_list(w, obj, k, 1, SWEEP_MAX_VALUES, "seeds", NULL, NULL, &sp->seeds));
    if (!sp->seeds) return PS_OK;
    size_t m = scn_path_key(w->c, k->name), list_len = w->c->len;
    int i = 0;
    for (const cJSON *v = sp->seeds->child; v; v = v->next, i++) {
        double x;
        size_t mi = scn_path_index(w->c, i);
        PS_TRY(scn_num_value(w->c, v, (num_rule)INT_RANGE(0.0, SWEEP_MAX_SEED), &x));
        int j = 0;
        for (const cJSON *u = sp->seeds->child; u != v; u = u->next, j++)
            if (u->valuedouble == x)
                return scn_fail(w->c, "expected a seed not listed before, got %.0f (%.*s[%d] is the same)", x,
                                (int)list_len, w->c->path, j);
        scn_path_pop(w->c, mi);
    }
    scn_path_pop(w->c, m);
    return PS_OK;
}

static ps_status range_count(scn_walk *w, const cJSON *obj, void *dst)
{
    const sweep_range *r = dst;
    (void)obj;
    if (r->count != 1 || r->from == r->to) return PS_OK;
    char a[40], b[40];
    scn_fmt_num(a, sizeof a, r->from);
    scn_fmt_num(b, sizeof b, r->to);
    scn_path_key(w->c, "count");
    return scn_fail(w->c, "expected a count > 1 when from (%s) and to (%s) differ, got 1", a, b);
}

static const scn_key linear_keys[] = {
    K_NUM("from", sweep_range, from, SKF_REQUIRED, 0, RANGE(-1e300, 1e300), NULL, "First value (included)."),
    K_NUM("to", sweep_range, to, SKF_REQUIRED, 0, RANGE(-1e300, 1e300), NULL, "Last value (included)."),
    K_INT("count", sweep_range, count, SKF_REQUIRED, 0, INT_RANGE(1.0, SWEEP_MAX_VALUES), "Number of values."),
};
static const scn_key log_keys[] = {
    K_NUM("from", sweep_range, from, SKF_REQUIRED, 0, POS(1e300), NULL, "First value (included), > 0."),
    K_NUM("to", sweep_range, to, SKF_REQUIRED, 0, POS(1e300), NULL, "Last value (included), > 0."),
    K_INT("count", sweep_range, count, SKF_REQUIRED, 0, INT_RANGE(1.0, SWEEP_MAX_VALUES), "Number of values."),
};
SECTION(sweep_sec_linear, "sweep parameters[i].linear", "an object {\"from\": A, \"to\": B, \"count\": N}",
        linear_keys, .has_present = 1, .present_off = offsetof(sweep_range, present), .post = range_count);
SECTION(sweep_sec_log, "sweep parameters[i].log", "an object {\"from\": A, \"to\": B, \"count\": N} with A, B > 0",
        log_keys, .has_present = 1, .present_off = offsetof(sweep_range, present), .post = range_count);

static ps_status param_post(scn_walk *w, const cJSON *obj, void *dst)
{
    const sweep_param_spec *p = dst;
    (void)obj;
    const char *want = "a scenario key path as --set takes it, such as \"drugs[0].doses[0].mg_per_kg\"";
    if (!p->key[0]) return scn_missing(w->c, "key", want);
    if (strchr(p->key, '=') || strchr(p->key, ',')) {
        scn_path_key(w->c, "key");
        return scn_fail(w->c, "expected %s (no '=' or ','), got \"%s\"", want, p->key);
    }
    if ((p->values != NULL) + p->linear.present + p->log.present != 1)
        return scn_fail(w->c, "expected exactly one of \"values\" (a list), \"linear\" or \"log\" "
                              "({\"from\": A, \"to\": B, \"count\": N})");
    return PS_OK;
}

static const scn_key param_keys[] = {
    {.name = "key", .type = SK_TEXT, .off = offsetof(sweep_param_spec, key), .cap = SWEEP_KEY,
     .doc = "Any scenario key path exactly as `--set` takes it (`tissues.nerve.voxel_um`, "
            "`drugs[0].doses[0].start_h`, `cell_types.macrophage.speed_um_per_min`). `seed` too, when "
            "neither `seeds` nor `replicates` is given: each member then runs with its own seed (with "
            "`\"combine\": \"zip\"`, one seed per animal of an in-silico trial).",
     .def_doc = "required"},
    K_CUSTOM("values", 0, read_values, NULL, "list",
             "{\"type\": \"array\", \"minItems\": 1, \"items\": {\"type\": [\"number\", \"string\", \"boolean\"]}}",
             "The values, numbers, strings or booleans (one of `values`, `linear`, `log`).",
             .range_doc = "1 … 10000 elements"),
    K_OBJ("linear", sweep_param_spec, linear, 0, sweep_sec_linear, "an object {\"from\": A, \"to\": B, \"count\": N}",
          "`count` values evenly spaced from `from` to `to`, both ends included."),
    K_OBJ("log", sweep_param_spec, log, 0, sweep_sec_log,
          "an object {\"from\": A, \"to\": B, \"count\": N} with A, B > 0",
          "`count` values evenly spaced in log from `from` to `to` (both > 0), both ends included."),
};
SECTION(sweep_sec_param, "sweep parameters[i]",
        "an object {\"key\": ..., \"values\": [...]} (or \"linear\" / \"log\" instead of \"values\")", param_keys,
        .post = param_post);

static const scn_key replicates_keys[] = {
    K_INT("count", sweep_spec, replicates.count, SKF_REQUIRED, 0, INT_RANGE(1.0, SWEEP_MAX_VALUES),
          "Number of replicate seeds."),
    K_NUM("first_seed", sweep_spec, replicates.first_seed, 0, 1.0, INT_RANGE(0.0, SWEEP_MAX_SEED - SWEEP_MAX_VALUES),
          NULL, "The first seed; the others follow it."),
};
SECTION(sweep_sec_replicates, "sweep replicates", "an object {\"count\": N, \"first_seed\": S}", replicates_keys,
        .has_present = 1, .present_off = offsetof(sweep_spec, replicates.present));

/* Cross-key rules of the whole file: each key varied once; seeds or replicates; a key not
 * both fixed and varied. */
static ps_status sweep_post(scn_walk *w, const cJSON *obj, void *dst)
{
    const sweep_spec *sp = dst;
    (void)obj;
    for (int i = 0; i < sp->n_params; i++)
        for (int j = 0; j < i; j++)
            if (strcmp(sp->params[j].key, sp->params[i].key) == 0) {
                scn_path_key(w->c, "parameters");
                scn_path_index(w->c, i);
                scn_path_key(w->c, "key");
                return scn_fail(w->c, "expected a key not varied before, got \"%s\" (parameters[%d] varies it)",
                                sp->params[i].key, j);
            }
    for (int i = 0; i < sp->n_params; i++)
        if (strcmp(sp->params[i].key, "seed") == 0 && (sp->seeds || sp->replicates.present)) {
            scn_path_key(w->c, "parameters");
            scn_path_index(w->c, i);
            scn_path_key(w->c, "key");
            return scn_fail(w->c, "expected a scenario key other than seed when \"%s\" gives the seeds (vary "
                                  "\"seed\" as a parameter, for one seed per member, or give seeds, not both)",
                            sp->seeds ? "seeds" : "replicates");
        }
    if (sp->seeds && sp->replicates.present) {
        scn_path_key(w->c, "replicates");
        return scn_fail(w->c, "expected \"seeds\" (a list) or \"replicates\" ({\"count\": N, \"first_seed\": S}), "
                              "not both");
    }
    for (const cJSON *v = sp->set ? sp->set->child : NULL; v; v = v->next)
        for (int i = 0; i < sp->n_params; i++)
            if (strcmp(sp->params[i].key, v->string) == 0) {
                scn_path_key(w->c, "set");
                scn_path_key(w->c, v->string);
                return scn_fail(w->c, "expected a key that no parameter varies, got \"%s\" (parameters[%d] varies "
                                      "it)", v->string, i);
            }
    return PS_OK;
}

static const scn_key sweep_keys[] = {
    K_NAME("name", sweep_spec, name, 0, "Names the output folder `runs/<name>`."),
    K_TEXT("description", sweep_spec, description, "Free text."),
    K_CUSTOM("scenarios", SKF_REQUIRED, read_scenarios, NULL, "list of paths",
             "{\"type\": \"array\", \"minItems\": 1, \"maxItems\": 16, \"items\": {\"type\": \"string\"}}",
             "Base scenario files, **relative to the sweep file's folder** (or absolute). Each is one more outer "
             "axis of the sweep.", .range_doc = "1 … 16 elements"),
    K_LIST("parameters", sweep_spec, params, n_params, 0, sweep_sec_param, 0, SWEEP_MAX_PARAMS, "parameters",
           "The parameters varied (see below)."),
    K_ENUM("combine", sweep_spec, combine, 0, 0, combine_names,
           "`grid`: every combination. `zip`: the i-th values of all parameters together (all lists of one "
           "length)."),
    K_CUSTOM("set", 0, read_fixed, NULL, "object {key path: value}",
             "{\"type\": \"object\", \"additionalProperties\": {\"type\": [\"number\", \"string\", \"boolean\"]}}",
             "Fixed overrides for every member, `{\"time.duration_h\": 336}`. A key may not be both fixed and "
             "varied.", .def_doc = "`{}`", .range_doc = "at most 64 keys"),
    K_CUSTOM("seeds", 0, read_seeds, NULL, "list of integers",
             "{\"type\": \"array\", \"minItems\": 1, \"items\": {\"type\": \"integer\", \"minimum\": 0}}",
             "Replicate seeds, each once.", .def_doc = "the scenario's own seed",
             .range_doc = "each [0, 2⁵³ − 1]"),
    K_FLAT("replicates", 0, sweep_sec_replicates, "an object {\"count\": N, \"first_seed\": S}",
           "Shorthand for seeds `first_seed` … `first_seed + count − 1`; not with `seeds`.", .def_doc = "absent"),
};
SECTION(sweep_sec_root, "sweep", "an object", sweep_keys, .post = sweep_post);

/* ---- from the checked spec to the sweep ---------------------------------------------- */

static ps_status sweep_fail(ps_err *err, const char *file, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* "FILE: PATH: message" for the rules that need the expanded sweep (zip lengths, sizes). */
static ps_status sweep_fail(ps_err *err, const char *file, const char *path, const char *fmt, ...)
{
    char msg[PS_ERR_MSG_MAX - 2 * SWEEP_PATH];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return ps_err_set(err, PS_ERR_INPUT, "%s: %s: %s", file, path, msg);
}

static ps_status sweep_param_from(sweep_param *p, const sweep_param_spec *ps, ps_err *err)
{
    snprintf(p->key, sizeof p->key, "%s", ps->key);
    if (ps->values) {
        int n = cJSON_GetArraySize(ps->values);
        PS_TRY(sweep_param_alloc(p, n, err));
        p->numeric = 1;
        int i = 0;
        for (const cJSON *v = ps->values->child; v; v = v->next, i++) {
            if (cJSON_IsNumber(v)) {
                p->num[i] = v->valuedouble;
                p->set_text[i] = sweep_fmt_num(v->valuedouble);
                p->label[i] = sweep_fmt_num(v->valuedouble);
            } else {
                p->numeric = 0;
                p->num[i] = NAN;
                p->set_text[i] = cJSON_PrintUnformatted(v);
                p->label[i] = strdup(cJSON_IsString(v) ? v->valuestring : cJSON_IsTrue(v) ? "true" : "false");
            }
            if (!p->set_text[i] || !p->label[i]) return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
        }
        return PS_OK;
    }
    const sweep_range *r = ps->linear.present ? &ps->linear : &ps->log;
    int n = r->count, lin = ps->linear.present;
    PS_TRY(sweep_param_alloc(p, n, err));
    p->numeric = 1;
    for (int i = 0; i < n; i++) {
        double f = n > 1 ? (double)i / (double)(n - 1) : 0.0, x;
        if (lin) x = r->from + f * (r->to - r->from);
        else x = exp(log(r->from) + f * (log(r->to) - log(r->from)));
        if (i == 0) x = r->from;            /* the end points exactly as written */
        if (i == n - 1) x = r->to;
        p->num[i] = x;
        p->set_text[i] = sweep_fmt_num(x);
        p->label[i] = sweep_fmt_num(x);
        if (!p->set_text[i] || !p->label[i]) return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    }
    return PS_OK;
}

static void sweep_dirname(const char *path, char *dir, size_t cap)
{
    const char *slash = strrchr(path, '/');
    if (!slash) snprintf(dir, cap, ".");
    else if (slash == path) snprintf(dir, cap, "/");
    else snprintf(dir, cap, "%.*s", (int)(slash - path), path);
}

/* The sweep from its checked spec: base paths, values, fixed overrides, seeds, members. */
static ps_status sweep_build(sweep *sw, const sweep_spec *sp, ps_err *err)
{
    const char *file = sw->path;
    snprintf(sw->name, sizeof sw->name, "%s", sp->name);
    char dir[SWEEP_PATH];
    sweep_dirname(file, dir, sizeof dir);
    int i = 0;
    for (const cJSON *v = sp->scenarios->child; v; v = v->next, i++) {
        char ep[64];
        snprintf(ep, sizeof ep, "scenarios[%d]", i);
        const char *b = v->valuestring;
        int n2 = b[0] == '/' || strcmp(dir, ".") == 0 ? snprintf(sw->base_path[i], SWEEP_PATH, "%s", b)
                                                     : snprintf(sw->base_path[i], SWEEP_PATH, "%s/%s", dir, b);
        if (n2 >= SWEEP_PATH)
            return sweep_fail(err, file, ep, "expected a path of at most %d characters", SWEEP_PATH - 1);
        for (int j = 0; j < i; j++)
            if (strcmp(sw->base_path[j], sw->base_path[i]) == 0)
                return sweep_fail(err, file, ep, "expected a scenario file not listed before, got \"%s\" "
                                  "(scenarios[%d] is the same)", b, j);
        sw->n_bases = i + 1;
    }
    for (int p = 0; p < sp->n_params; p++) {
        sw->n_params = p + 1;
        PS_TRY(sweep_param_from(&sw->p[p], &sp->params[p], err));
    }
    sw->zip = sp->combine == 1;
    sw->n_combos = 1;
    for (int p = 0; p < sw->n_params; p++) {
        if (sw->zip) {
            if (sw->p[p].n != sw->p[0].n) {
                char ep[64];
                snprintf(ep, sizeof ep, "parameters[%d]", p);
                return sweep_fail(err, file, ep, "expected %d values (\"combine\": \"zip\" needs lists of one "
                                  "length: parameters[0] has %d), got %d", sw->p[0].n, sw->p[0].n, sw->p[p].n);
            }
            sw->n_combos = sw->p[0].n;
        } else if ((double)sw->n_combos * sw->p[p].n > SWEEP_MAX_MEMBERS) {
            return sweep_fail(err, file, "parameters", "expected at most %ld combinations in the grid, got more",
                              SWEEP_MAX_MEMBERS);
        } else {
            sw->n_combos *= sw->p[p].n;
        }
    }
    for (const cJSON *v = sp->set ? sp->set->child : NULL; v; v = v->next) {
        char *val = cJSON_PrintUnformatted(v);
        size_t len = strlen(v->string) + (val ? strlen(val) : 0) + 2;
        sw->fixed[sw->n_fixed] = val ? malloc(len) : NULL;
        if (!sw->fixed[sw->n_fixed]) {
            free(val);
            return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
        }
        snprintf(sw->fixed[sw->n_fixed++], len, "%s=%s", v->string, val);
        free(val);
    }
    if (sp->seeds) sw->n_seeds = cJSON_GetArraySize(sp->seeds);
    if (sp->replicates.present) sw->n_seeds = sp->replicates.count;
    if (sw->n_seeds) {
        sw->seeds = calloc((size_t)sw->n_seeds, sizeof *sw->seeds);
        if (!sw->seeds) return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
        i = 0;
        for (const cJSON *v = sp->seeds ? sp->seeds->child : NULL; v; v = v->next, i++)
            sw->seeds[i] = (uint64_t)v->valuedouble;
        for (i = 0; sp->replicates.present && i < sw->n_seeds; i++)
            sw->seeds[i] = (uint64_t)sp->replicates.first_seed + (uint64_t)i;
    }
    double total = (double)sw->n_bases * (double)sw->n_combos * (sw->n_seeds ? sw->n_seeds : 1);
    if (total > SWEEP_MAX_MEMBERS)
        return sweep_fail(err, file, "parameters", "expected at most %ld members, got %.0f", SWEEP_MAX_MEMBERS,
                          total);
    sw->n_members = (long)total;
    sw->m = calloc((size_t)sw->n_members, sizeof *sw->m);
    if (!sw->m) return ps_err_set(err, PS_ERR_MEMORY, "out of host memory for %ld members", sw->n_members);
    long k = 0;
    int ns = sw->n_seeds ? sw->n_seeds : 1;
    for (int b = 0; b < sw->n_bases; b++)
        for (long c = 0; c < sw->n_combos; c++)
            for (int s = 0; s < ns; s++, k++) {
                sw->m[k].base = b;
                sw->m[k].combo = c;
                sw->m[k].seed_index = sw->n_seeds ? s : -1;
                sw->m[k].seed = NAN;
                sw->m[k].wall_s = NAN;
                sw->m[k].rank = -1;
            }
    return PS_OK;
}

ps_status sweep_parse(const char *path, sweep **out, ps_err *err)
{
    *out = NULL;
    cJSON *root = NULL;
    PS_TRY(scenario_json_file(path, "sweep", &root, err));
    sweep *sw = calloc(1, sizeof *sw);
    sweep_spec *sp = calloc(1, sizeof *sp);
    ps_status st = PS_OK;
    if (!sw || !sp) st = ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    if (st == PS_OK) {
        snprintf(sw->path, sizeof sw->path, "%s", path);
        st = scn_walk_document(path, root, &sweep_sec_root, sp, err);
    }
    if (st == PS_OK) st = sweep_build(sw, sp, err);
    cJSON_Delete(root);
    free(sp);
    if (st != PS_OK) {
        sweep_free(sw);
        return st;
    }
    *out = sw;
    return PS_OK;
}

const struct scn_section *sweep_format(void)
{
    return &sweep_sec_root;
}


/* Index of parameter p's value in combination c. */
int sweep_value_index(const sweep *sw, long c, int p)
{
    if (sw->zip) return (int)c;
    long stride = 1;
    for (int q = sw->n_params - 1; q > p; q--) stride *= sw->p[q].n;
    return (int)((c / stride) % sw->p[p].n);
}

/* Member i's --set list, in buf (cap bytes); sets[] point into it. */
ps_status sweep_member_sets(const sweep *sw, long i, char *buf, size_t cap, const char **sets,
                            int *n, ps_err *err)
{
    const sweep_member *m = &sw->m[i];
    size_t used = 0;
    *n = 0;
    for (int k = 0; k < sw->n_fixed + sw->n_params + 1; k++) {
        int w;
        if (k < sw->n_fixed) {
            w = snprintf(buf + used, cap - used, "%s", sw->fixed[k]);
        } else if (k < sw->n_fixed + sw->n_params) {
            const sweep_param *p = &sw->p[k - sw->n_fixed];
            w = snprintf(buf + used, cap - used, "%s=%s", p->key,
                         p->set_text[sweep_value_index(sw, m->combo, k - sw->n_fixed)]);
        } else {
            if (m->seed_index < 0) break;
            w = snprintf(buf + used, cap - used, "seed=%" PRIu64, sw->seeds[m->seed_index]);
        }
        if (w < 0 || (size_t)w >= cap - used)
            return ps_err_set(err, PS_ERR_INPUT, "%s: member %ld: the overrides are too long", sw->path, i);
        sets[(*n)++] = buf + used;
        used += (size_t)w + 1;
    }
    return PS_OK;
}

ps_status sweep_load_member(const sweep *sw, long i, scenario *s, ps_err *err)
{
    char *buf = malloc(SWEEP_SETS_BYTES);
    const char *sets[SWEEP_SETS_CAP];
    int n = 0;
    if (!buf) return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    ps_status st = sweep_member_sets(sw, i, buf, SWEEP_SETS_BYTES, sets, &n, err);
    if (st == PS_OK) st = scenario_load(sw->base_path[sw->m[i].base], sets, n, s, err);
    free(buf);
    return st;
}

void sweep_member_dir(const sweep *sw, long i, char *buf, size_t cap)
{
    int width = sw->n_members > 10000 ? (sw->n_members > 100000 ? 7 : 5) : 4;
    if (snprintf(buf, cap, "%s/members/m%0*ld", sw->outdir, width, i) >= (int)cap) buf[cap - 1] = '\0';
}

ps_status sweep_expand(const char *path, long *n_members, char **sets_out, ps_err *err)
{
    sweep *sw = NULL;
    PS_TRY(sweep_parse(path, &sw, err));
    *n_members = sw->n_members;
    char buf[SWEEP_SETS_BYTES / 4];
    for (long i = 0; sets_out && i < sw->n_members; i++) {
        const char *sets[SWEEP_SETS_CAP];
        int n = 0;
        ps_status st = sweep_member_sets(sw, i, buf, sizeof buf, sets, &n, err);
        if (st != PS_OK) {
            sweep_free(sw);
            return st;
        }
        size_t len = strlen(sw->base_path[sw->m[i].base]) + 2;
        for (int k = 0; k < n; k++) len += strlen(sets[k]) + 1;
        sets_out[i] = malloc(len);
        if (!sets_out[i]) {
            sweep_free(sw);
            return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
        }
        snprintf(sets_out[i], len, "%s", sw->base_path[sw->m[i].base]);
        for (int k = 0; k < n; k++) {
            strcat(sets_out[i], "|");
            strcat(sets_out[i], sets[k]);
        }
    }
    sweep_free(sw);
    return PS_OK;
}

ps_status sweep_check(const char *path, long *n_members, ps_err *err)
{
    sweep *sw = NULL;
    PS_TRY(sweep_parse(path, &sw, err));
    *n_members = sw->n_members;
    scenario *s = malloc(sizeof *s);
    ps_status st = s ? PS_OK : ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    for (long i = 0; st == PS_OK && i < sw->n_members; i++) st = sweep_load_member(sw, i, s, err);
    free(s);
    sweep_free(sw);
    return st;
}
