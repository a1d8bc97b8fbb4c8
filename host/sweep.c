/* sweep.c — parameter sweeps over MPI ranks (see sweep.h).
 *
 * The trade-off: rank 0 both coordinates and computes. A dedicated coordinator would
 * waste one GPU per sweep, and MPI one-sided counters need the target's progress engine
 * on some networks; instead rank 0 polls for requests (MPI_Iprobe) after every step of
 * its own member, which costs microseconds per step and answers within one step.
 * Metrics are read back from each member's summary.csv by rank 0, so a resumed sweep
 * (members finished by an earlier command) gets them by the same path.
 */
#include "sweep.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "checkpoint.h"
#include "device.h"
#include "job.h"
#include "output.h"
#include "scenario.h"
#include "sim.h"

#define SWEEP_MAX_PARAMS 16
#define SWEEP_MAX_BASES 16
#define SWEEP_MAX_FIXED 64
#define SWEEP_MAX_VALUES 10000
#define SWEEP_MAX_MEMBERS 1000000L
#define SWEEP_MAX_METRIC_TYPES (SCN_MAX_TYPES * SWEEP_MAX_BASES)
#define SWEEP_PATH 1024
#define SWEEP_KEY 256
#define SWEEP_ERR PS_ERR_MSG_MAX
#define SWEEP_MAX_SEED 9007199254740991.0   /* 2^53 - 1, exact in JSON */

#define SWEEP_TAG_DONE 701      /* worker -> rank 0: result of the last member + request */
#define SWEEP_TAG_WORK 702      /* rank 0 -> worker: member index, or -1: stop */

enum { SWEEP_PENDING = 0, SWEEP_RUNNING, SWEEP_DONE, SWEEP_FAILED };
static const char *const sweep_status_names[] = {"pending", "running", "completed", "failed"};

/* Fixed metrics, then two per cell type (peak count, day of the peak). */
enum { M_MIN_THR, M_MIN_THR_DAY, M_AUC, M_FINAL, SWEEP_FIXED_METRICS };

typedef struct {
    char key[SWEEP_KEY];
    int n;
    char **set_text;            /* right-hand side of --set (JSON text) */
    char **label;               /* text for sweep.csv */
    double *num;                /* the number, or NaN for text values */
    int numeric;                /* every value a number: a numeric column */
} sweep_param;

typedef struct {
    int base;
    long combo;                 /* parameter combination */
    int seed_index;             /* into seeds[], or -1: the scenario's own seed */
    double seed;                /* as run (from the loaded scenario) */
    int status;
    char *error;
    double wall_s;
    int rank;                   /* that ran it (-1: an earlier command) */
    double *metrics;            /* [n_metrics] */
} sweep_member;

typedef struct {
    char path[SWEEP_PATH];
    char name[SCN_NAME_MAX];
    int n_bases;
    char base_path[SWEEP_MAX_BASES][SWEEP_PATH];   /* as opened (relative to the cwd) */
    int n_params;
    sweep_param p[SWEEP_MAX_PARAMS];
    int zip;
    int n_fixed;
    char *fixed[SWEEP_MAX_FIXED];                  /* "key=json" */
    int n_seeds;
    uint64_t *seeds;
    long n_combos, n_members;
    sweep_member *m;
    int n_types;                                   /* union over the bases, first seen first */
    char type_names[SWEEP_MAX_METRIC_TYPES][SCN_NAME_MAX];
    int n_metrics;
    char outdir[SWEEP_PATH];
    const log_ctx *log;
} sweep;

/* ---- errors ------------------------------------------------------------------------ */

static ps_status sweep_fail(ps_err *err, const char *file, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static ps_status sweep_fail(ps_err *err, const char *file, const char *path, const char *fmt, ...)
{
    char msg[PS_ERR_MSG_MAX - 2 * SWEEP_PATH];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return ps_err_set(err, PS_ERR_INPUT, "%s: %s: %s", file, path && *path ? path : "(top level)", msg);
}

static const char *sweep_kind(const cJSON *v)
{
    if (!v) return "nothing";
    if (cJSON_IsNumber(v)) return "a number";
    if (cJSON_IsString(v)) return "a string";
    if (cJSON_IsBool(v)) return "a boolean";
    if (cJSON_IsNull(v)) return "null";
    if (cJSON_IsArray(v)) return "an array";
    return "an object";
}

static ps_status sweep_check_keys(const char *file, const char *path, const cJSON *obj,
                                  const char *const *keys, int n, ps_err *err)
{
    for (const cJSON *it = obj->child; it; it = it->next) {
        int known = 0;
        for (int i = 0; i < n && !known; i++) known = strcmp(it->string, keys[i]) == 0;
        if (known) continue;
        char sugg[128], list[512] = "";
        scenario_suggest(sugg, sizeof sugg, it->string, keys, n);
        for (int i = 0; i < n; i++) {
            size_t l = strlen(list);
            snprintf(list + l, sizeof list - l, "%s\"%s\"", i ? ", " : "", keys[i]);
        }
        char where[SWEEP_KEY + 64];
        snprintf(where, sizeof where, "%s%s%s", path, *path ? "." : "", it->string);
        return sweep_fail(err, file, where, "unknown key%s; expected one of %s", sugg, list);
    }
    return PS_OK;
}

/* A number at obj.key within [lo, hi] (integer when integral). */
static ps_status sweep_number(const char *file, const char *path, const cJSON *obj, const char *key,
                              double lo, double hi, int integral, double *out, ps_err *err)
{
    char where[SWEEP_KEY + 64];
    snprintf(where, sizeof where, "%s%s%s", path, *path ? "." : "", key);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) return sweep_fail(err, file, where, "missing; expected a number");
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
        return sweep_fail(err, file, where, "expected a number, got %s", sweep_kind(v));
    double x = v->valuedouble;
    if (integral && x != floor(x))
        return sweep_fail(err, file, where, "expected an integer, got %.17g", x);
    if (x < lo || x > hi)
        return sweep_fail(err, file, where, "expected a value in [%.17g, %.17g], got %.17g", lo, hi, x);
    *out = x;
    return PS_OK;
}

/* ---- parsing ----------------------------------------------------------------------- */

static void sweep_free(sweep *sw)
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

static ps_status sweep_parse_param(sweep *sw, const cJSON *pj, int idx, ps_err *err)
{
    const char *file = sw->path;
    char path[64];
    snprintf(path, sizeof path, "parameters[%d]", idx);
    if (!cJSON_IsObject(pj))
        return sweep_fail(err, file, path, "expected an object {\"key\": ..., \"values\": [...]} "
                          "(or \"linear\" / \"log\" instead of \"values\"), got %s", sweep_kind(pj));
    static const char *const keys[] = {"key", "values", "linear", "log"};
    PS_TRY(sweep_check_keys(file, path, pj, keys, 4, err));
    sweep_param *p = &sw->p[idx];
    const cJSON *k = cJSON_GetObjectItemCaseSensitive(pj, "key");
    char kp[96];
    snprintf(kp, sizeof kp, "%s.key", path);
    if (!cJSON_IsString(k) || !k->valuestring[0])
        return sweep_fail(err, file, kp, "expected a scenario key path such as "
                          "\"drugs[0].doses[0].mg_per_kg\", got %s", sweep_kind(k));
    if (strlen(k->valuestring) >= SWEEP_KEY)
        return sweep_fail(err, file, kp, "the key path is longer than %d characters", SWEEP_KEY - 1);
    if (strchr(k->valuestring, '=') || strchr(k->valuestring, ','))
        return sweep_fail(err, file, kp, "a key path has no '=' or ',' (got \"%s\")", k->valuestring);
    if (strcmp(k->valuestring, "seed") == 0)
        return sweep_fail(err, file, kp, "seeds are given by \"seeds\" or \"replicates\", not as a parameter");
    snprintf(p->key, sizeof p->key, "%s", k->valuestring);
    for (int j = 0; j < idx; j++)
        if (strcmp(sw->p[j].key, p->key) == 0)
            return sweep_fail(err, file, kp, "\"%s\" is already varied by parameters[%d]", p->key, j);
    const cJSON *vals = cJSON_GetObjectItemCaseSensitive(pj, "values");
    const cJSON *lin = cJSON_GetObjectItemCaseSensitive(pj, "linear");
    const cJSON *lg = cJSON_GetObjectItemCaseSensitive(pj, "log");
    if ((vals != NULL) + (lin != NULL) + (lg != NULL) != 1)
        return sweep_fail(err, file, path, "give exactly one of \"values\" (a list), \"linear\" or "
                          "\"log\" ({\"from\": A, \"to\": B, \"count\": N})");
    if (vals) {
        char vp[96];
        snprintf(vp, sizeof vp, "%s.values", path);
        int n = cJSON_IsArray(vals) ? cJSON_GetArraySize(vals) : -1;
        if (n < 1 || n > SWEEP_MAX_VALUES)
            return sweep_fail(err, file, vp, "expected a list of 1 to %d values, got %s",
                              SWEEP_MAX_VALUES, n == 0 ? "an empty list" : sweep_kind(vals));
        PS_TRY(sweep_param_alloc(p, n, err));
        p->numeric = 1;
        int i = 0;
        for (const cJSON *v = vals->child; v; v = v->next, i++) {
            char ep[128];
            snprintf(ep, sizeof ep, "%s[%d]", vp, i);
            if (cJSON_IsNumber(v)) {
                if (!isfinite(v->valuedouble)) return sweep_fail(err, file, ep, "expected a finite number");
                p->num[i] = v->valuedouble;
                p->set_text[i] = sweep_fmt_num(v->valuedouble);
                p->label[i] = sweep_fmt_num(v->valuedouble);
            } else if (cJSON_IsString(v) || cJSON_IsBool(v)) {
                p->numeric = 0;
                p->num[i] = NAN;
                p->set_text[i] = cJSON_PrintUnformatted(v);
                p->label[i] = strdup(cJSON_IsString(v) ? v->valuestring
                                                              : cJSON_IsTrue(v) ? "true" : "false");
            } else {
                return sweep_fail(err, file, ep, "expected a number, a string or a boolean, got %s",
                                  sweep_kind(v));
            }
            if (!p->set_text[i] || !p->label[i]) return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
        }
        return PS_OK;
    }
    const cJSON *r = lin ? lin : lg;
    char rp[96];
    snprintf(rp, sizeof rp, "%s.%s", path, lin ? "linear" : "log");
    if (!cJSON_IsObject(r))
        return sweep_fail(err, file, rp, "expected {\"from\": A, \"to\": B, \"count\": N}, got %s", sweep_kind(r));
    static const char *const rkeys[] = {"from", "to", "count"};
    PS_TRY(sweep_check_keys(file, rp, r, rkeys, 3, err));
    double lo = lin ? -1e300 : 1e-300, from, to, count;
    PS_TRY(sweep_number(file, rp, r, "from", lo, 1e300, 0, &from, err));
    PS_TRY(sweep_number(file, rp, r, "to", lo, 1e300, 0, &to, err));
    PS_TRY(sweep_number(file, rp, r, "count", 1, SWEEP_MAX_VALUES, 1, &count, err));
    if (count == 1 && from != to)
        return sweep_fail(err, file, rp, "count 1 needs from == to (got %.17g and %.17g)", from, to);
    int n = (int)count;
    PS_TRY(sweep_param_alloc(p, n, err));
    p->numeric = 1;
    for (int i = 0; i < n; i++) {
        double f = n > 1 ? (double)i / (double)(n - 1) : 0.0, x;
        if (lin) x = from + f * (to - from);
        else x = exp(log(from) + f * (log(to) - log(from)));
        if (i == 0) x = from;               /* the end points exactly as written */
        if (i == n - 1) x = to;
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

static ps_status sweep_parse(const char *path, sweep **out, ps_err *err)
{
    *out = NULL;
    cJSON *root = NULL;
    PS_TRY(scenario_json_file(path, "sweep", &root, err));
    sweep *sw = calloc(1, sizeof *sw);
    if (!sw) {
        cJSON_Delete(root);
        return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    }
    snprintf(sw->path, sizeof sw->path, "%s", path);
    ps_status st = PS_OK;
    const char *file = path;
    static const char *const keys[] = {"name", "description", "scenarios", "parameters", "combine",
                                       "set", "seeds", "replicates"};
    st = sweep_check_keys(file, "", root, keys, 8, err);
    /* name */
    const cJSON *nm = cJSON_GetObjectItemCaseSensitive(root, "name");
    if (st == PS_OK) {
        if (!cJSON_IsString(nm))
            st = sweep_fail(err, file, "name", "expected the sweep's name (a string such as \"jak_dose\"; "
                            "it names the output folder), got %s", sweep_kind(nm));
        else {
            const char *s = nm->valuestring;
            int ok = s[0] && strlen(s) < SCN_NAME_MAX &&
                     ((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z'));
            for (const char *q = s; ok && *q; q++)
                ok = (*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') ||
                     *q == '_' || *q == '-';
            if (!ok)
                st = sweep_fail(err, file, "name", "expected a name of letters, digits, '_' and '-' "
                                "starting with a letter, at most %d characters, got \"%s\"",
                                SCN_NAME_MAX - 1, s);
            else snprintf(sw->name, sizeof sw->name, "%s", s);
        }
    }
    const cJSON *desc = cJSON_GetObjectItemCaseSensitive(root, "description");
    if (st == PS_OK && desc && !cJSON_IsString(desc))
        st = sweep_fail(err, file, "description", "expected a string, got %s", sweep_kind(desc));
    /* scenarios, relative to the sweep file's folder */
    const cJSON *sc = cJSON_GetObjectItemCaseSensitive(root, "scenarios");
    if (st == PS_OK) {
        int n = cJSON_IsArray(sc) ? cJSON_GetArraySize(sc) : -1;
        if (n < 1 || n > SWEEP_MAX_BASES)
            st = sweep_fail(err, file, "scenarios", "expected a list of 1 to %d scenario files (paths "
                            "relative to the sweep file), got %s", SWEEP_MAX_BASES,
                            n == 0 ? "an empty list" : sweep_kind(sc));
        char dir[SWEEP_PATH];
        sweep_dirname(path, dir, sizeof dir);
        int i = 0;
        for (const cJSON *v = st == PS_OK ? sc->child : NULL; v && st == PS_OK; v = v->next, i++) {
            char ep[64];
            snprintf(ep, sizeof ep, "scenarios[%d]", i);
            if (!cJSON_IsString(v) || !v->valuestring[0]) {
                st = sweep_fail(err, file, ep, "expected a scenario file path, got %s", sweep_kind(v));
                break;
            }
            const char *b = v->valuestring;
            int n2 = b[0] == '/' || strcmp(dir, ".") == 0
                         ? snprintf(sw->base_path[i], SWEEP_PATH, "%s", b)
                         : snprintf(sw->base_path[i], SWEEP_PATH, "%s/%s", dir, b);
            if (n2 >= SWEEP_PATH) st = sweep_fail(err, file, ep, "the path is too long");
            for (int j = 0; j < i && st == PS_OK; j++)
                if (strcmp(sw->base_path[j], sw->base_path[i]) == 0)
                    st = sweep_fail(err, file, ep, "\"%s\" is listed twice (scenarios[%d])", b, j);
            sw->n_bases = i + 1;
        }
    }
    /* parameters */
    const cJSON *ps = cJSON_GetObjectItemCaseSensitive(root, "parameters");
    if (st == PS_OK && ps) {
        int n = cJSON_IsArray(ps) ? cJSON_GetArraySize(ps) : -1;
        if (n < 0 || n > SWEEP_MAX_PARAMS)
            st = sweep_fail(err, file, "parameters", "expected a list of at most %d parameters, got %s",
                            SWEEP_MAX_PARAMS, sweep_kind(ps));
        int i = 0;
        for (const cJSON *v = st == PS_OK ? ps->child : NULL; v && st == PS_OK; v = v->next, i++) {
            sw->n_params = i + 1;
            st = sweep_parse_param(sw, v, i, err);
        }
    }
    /* combine */
    const cJSON *cb = cJSON_GetObjectItemCaseSensitive(root, "combine");
    if (st == PS_OK && cb) {
        if (!cJSON_IsString(cb) || (strcmp(cb->valuestring, "grid") && strcmp(cb->valuestring, "zip")))
            st = sweep_fail(err, file, "combine", "expected \"grid\" (every combination, the default) or "
                            "\"zip\" (the i-th value of every parameter together), got %s%s%s",
                            cJSON_IsString(cb) ? "\"" : sweep_kind(cb),
                            cJSON_IsString(cb) ? cb->valuestring : "", cJSON_IsString(cb) ? "\"" : "");
        else sw->zip = strcmp(cb->valuestring, "zip") == 0;
    }
    if (st == PS_OK) {
        sw->n_combos = 1;
        for (int i = 0; i < sw->n_params; i++) {
            if (sw->zip) {
                if (sw->p[i].n != sw->p[0].n) {
                    char ep[64];
                    snprintf(ep, sizeof ep, "parameters[%d]", i);
                    st = sweep_fail(err, file, ep, "\"combine\": \"zip\" needs lists of one length: "
                                    "parameters[0] has %d values, this one %d", sw->p[0].n, sw->p[i].n);
                    break;
                }
                sw->n_combos = sw->p[0].n;
            } else if ((double)sw->n_combos * sw->p[i].n > SWEEP_MAX_MEMBERS) {
                st = sweep_fail(err, file, "parameters", "the grid has more than %ld combinations",
                                SWEEP_MAX_MEMBERS);
                break;
            } else {
                sw->n_combos *= sw->p[i].n;
            }
        }
    }
    /* fixed overrides */
    const cJSON *fx = cJSON_GetObjectItemCaseSensitive(root, "set");
    if (st == PS_OK && fx) {
        if (!cJSON_IsObject(fx))
            st = sweep_fail(err, file, "set", "expected an object of fixed overrides "
                            "{\"time.duration_h\": 48, ...}, got %s", sweep_kind(fx));
        for (const cJSON *v = st == PS_OK ? fx->child : NULL; v && st == PS_OK; v = v->next) {
            char ep[SWEEP_KEY + 8];
            snprintf(ep, sizeof ep, "set.%s", v->string);
            if (sw->n_fixed == SWEEP_MAX_FIXED) {
                st = sweep_fail(err, file, "set", "at most %d fixed overrides", SWEEP_MAX_FIXED);
                break;
            }
            if (!cJSON_IsNumber(v) && !cJSON_IsString(v) && !cJSON_IsBool(v)) {
                st = sweep_fail(err, file, ep, "expected a number, a string or a boolean, got %s",
                                sweep_kind(v));
                break;
            }
            if (strcmp(v->string, "seed") == 0) {
                st = sweep_fail(err, file, ep, "seeds are given by \"seeds\" or \"replicates\"");
                break;
            }
            for (int i = 0; i < sw->n_params; i++)
                if (strcmp(sw->p[i].key, v->string) == 0)
                    st = sweep_fail(err, file, ep, "\"%s\" is also varied by parameters[%d]", v->string, i);
            if (st != PS_OK) break;
            char *val = cJSON_PrintUnformatted(v);
            size_t len = strlen(v->string) + (val ? strlen(val) : 0) + 2;
            sw->fixed[sw->n_fixed] = val ? malloc(len) : NULL;
            if (!sw->fixed[sw->n_fixed]) {
                free(val);
                st = ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
                break;
            }
            snprintf(sw->fixed[sw->n_fixed++], len, "%s=%s", v->string, val);
            free(val);
        }
    }
    /* seeds */
    const cJSON *sd = cJSON_GetObjectItemCaseSensitive(root, "seeds");
    const cJSON *rp = cJSON_GetObjectItemCaseSensitive(root, "replicates");
    if (st == PS_OK && sd && rp)
        st = sweep_fail(err, file, "replicates", "give \"seeds\" (a list) or \"replicates\" "
                        "({\"count\": N, \"first_seed\": S}), not both");
    if (st == PS_OK && sd) {
        int n = cJSON_IsArray(sd) ? cJSON_GetArraySize(sd) : -1;
        if (n < 1 || n > SWEEP_MAX_VALUES)
            st = sweep_fail(err, file, "seeds", "expected a list of 1 to %d seeds, got %s", SWEEP_MAX_VALUES,
                            n == 0 ? "an empty list" : sweep_kind(sd));
        sw->seeds = st == PS_OK ? calloc((size_t)n, sizeof *sw->seeds) : NULL;
        if (st == PS_OK && !sw->seeds) st = ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
        int i = 0;
        for (const cJSON *v = st == PS_OK ? sd->child : NULL; v && st == PS_OK; v = v->next, i++) {
            char ep[32];
            snprintf(ep, sizeof ep, "seeds[%d]", i);
            if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > SWEEP_MAX_SEED ||
                v->valuedouble != floor(v->valuedouble)) {
                st = sweep_fail(err, file, ep, "expected an integer seed in [0, 2^53 - 1]");
                break;
            }
            sw->seeds[i] = (uint64_t)v->valuedouble;
            for (int j = 0; j < i; j++)
                if (sw->seeds[j] == sw->seeds[i])
                    st = sweep_fail(err, file, ep, "seed %" PRIu64 " is listed twice", sw->seeds[i]);
            sw->n_seeds = i + 1;
        }
    }
    if (st == PS_OK && rp) {
        if (!cJSON_IsObject(rp))
            st = sweep_fail(err, file, "replicates", "expected {\"count\": N, \"first_seed\": S}, got %s",
                            sweep_kind(rp));
        static const char *const rkeys[] = {"count", "first_seed"};
        if (st == PS_OK) st = sweep_check_keys(file, "replicates", rp, rkeys, 2, err);
        double count = 0, first = 1;
        if (st == PS_OK)
            st = sweep_number(file, "replicates", rp, "count", 1, SWEEP_MAX_VALUES, 1, &count, err);
        if (st == PS_OK && cJSON_GetObjectItemCaseSensitive(rp, "first_seed"))
            st = sweep_number(file, "replicates", rp, "first_seed", 0, SWEEP_MAX_SEED - SWEEP_MAX_VALUES, 1,
                              &first, err);
        if (st == PS_OK) {
            sw->n_seeds = (int)count;
            sw->seeds = calloc((size_t)sw->n_seeds, sizeof *sw->seeds);
            if (!sw->seeds) st = ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
            for (int i = 0; st == PS_OK && i < sw->n_seeds; i++) sw->seeds[i] = (uint64_t)first + (uint64_t)i;
        }
    }
    cJSON_Delete(root);
    if (st == PS_OK) {
        double total = (double)sw->n_bases * (double)sw->n_combos * (sw->n_seeds ? sw->n_seeds : 1);
        if (total > SWEEP_MAX_MEMBERS)
            st = sweep_fail(err, file, "parameters", "the sweep has %.0f members, more than %ld", total,
                            SWEEP_MAX_MEMBERS);
        sw->n_members = (long)total;
    }
    if (st == PS_OK) {
        sw->m = calloc((size_t)sw->n_members, sizeof *sw->m);
        if (!sw->m) st = ps_err_set(err, PS_ERR_MEMORY, "out of host memory for %ld members", sw->n_members);
    }
    if (st != PS_OK) {
        sweep_free(sw);
        return st;
    }
    long i = 0;
    int ns = sw->n_seeds ? sw->n_seeds : 1;
    for (int b = 0; b < sw->n_bases; b++)
        for (long c = 0; c < sw->n_combos; c++)
            for (int k = 0; k < ns; k++, i++) {
                sw->m[i].base = b;
                sw->m[i].combo = c;
                sw->m[i].seed_index = sw->n_seeds ? k : -1;
                sw->m[i].seed = NAN;
                sw->m[i].wall_s = NAN;
                sw->m[i].rank = -1;
            }
    *out = sw;
    return PS_OK;
}

/* Index of parameter p's value in combination c. */
static int sweep_value_index(const sweep *sw, long c, int p)
{
    if (sw->zip) return (int)c;
    long stride = 1;
    for (int q = sw->n_params - 1; q > p; q--) stride *= sw->p[q].n;
    return (int)((c / stride) % sw->p[p].n);
}

/* Member i's --set list, in buf (cap bytes); sets[] point into it. */
static ps_status sweep_member_sets(const sweep *sw, long i, char *buf, size_t cap, const char **sets,
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

#define SWEEP_SETS_CAP (SWEEP_MAX_FIXED + SWEEP_MAX_PARAMS + 1)
#define SWEEP_SETS_BYTES 65536

static ps_status sweep_load_member(const sweep *sw, long i, scenario *s, ps_err *err)
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

static void sweep_member_dir(const sweep *sw, long i, char *buf, size_t cap)
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

/* ---- metrics from a member's summary.csv -------------------------------------------- */

/* Reads summary.csv of dir into a column-major table. */
typedef struct {
    int n_cols;
    long n_rows;
    char **names;
    double *v;                  /* [n_cols][n_rows] */
} sweep_csv;

static void sweep_csv_free(sweep_csv *t)
{
    for (int c = 0; c < t->n_cols; c++) free(t->names[c]);
    free(t->names);
    free(t->v);
    memset(t, 0, sizeof *t);
}

static ps_status sweep_csv_read(const char *path, sweep_csv *t, ps_err *err)
{
    memset(t, 0, sizeof *t);
    FILE *f = fopen(path, "r");
    if (!f) return ps_err_set(err, PS_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long rows_cap = 0;
    ps_status st = PS_OK;
    while (st == PS_OK && (len = getline(&line, &cap, f)) > 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
        if (!t->names) {
            int n = 1;
            for (char *q = line; *q; q++) n += *q == ',';
            t->names = calloc((size_t)n, sizeof(char *));
            if (!t->names) {
                st = ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
                break;
            }
            char *save = NULL;
            for (char *tok = strtok_r(line, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
                t->names[t->n_cols++] = strdup(tok);
            continue;
        }
        if (t->n_rows == rows_cap) {
            rows_cap = rows_cap ? 2 * rows_cap : 256;
            double *nv = malloc((size_t)rows_cap * (size_t)t->n_cols * sizeof *nv);
            if (!nv) {
                st = ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
                break;
            }
            for (int c = 0; c < t->n_cols && t->v; c++)
                memcpy(nv + (size_t)c * (size_t)rows_cap, t->v + (size_t)c * (size_t)(rows_cap / 2),
                       (size_t)t->n_rows * sizeof *nv);
            free(t->v);
            t->v = nv;
        }
        char *p = line;
        for (int c = 0; c < t->n_cols; c++) {
            char *end = NULL;
            double x = strtod(p, &end);
            if (end == p) {
                st = ps_err_set(err, PS_ERR_IO, "%s: row %ld, column %d is not a number", path, t->n_rows + 2, c + 1);
                break;
            }
            t->v[(size_t)c * (size_t)rows_cap + (size_t)t->n_rows] = x;
            p = end + (*end == ',');
        }
        t->n_rows++;
    }
    free(line);
    fclose(f);
    if (st == PS_OK && (!t->names || t->n_rows == 0))
        st = ps_err_set(err, PS_ERR_IO, "%s: no summary rows", path);
    if (st == PS_OK && rows_cap != t->n_rows) {   /* compact to [n_cols][n_rows] */
        for (int c = 1; c < t->n_cols; c++)
            memmove(t->v + (size_t)c * (size_t)t->n_rows, t->v + (size_t)c * (size_t)rows_cap,
                    (size_t)t->n_rows * sizeof *t->v);
    }
    if (st != PS_OK) sweep_csv_free(t);
    return st;
}

static const double *sweep_csv_col(const sweep_csv *t, const char *name)
{
    for (int c = 0; c < t->n_cols; c++)
        if (strcmp(t->names[c], name) == 0) return t->v + (size_t)c * (size_t)t->n_rows;
    return NULL;
}

static int sweep_type_slot(const sweep *sw, const char *name)
{
    for (int k = 0; k < sw->n_types; k++)
        if (strcmp(sw->type_names[k], name) == 0) return k;
    return -1;
}

/* Metrics of member i (completed) from its summary.csv; s is its loaded scenario. */
static ps_status sweep_metrics(sweep *sw, long i, const scenario *s, ps_err *err)
{
    sweep_member *m = &sw->m[i];
    if (!m->metrics) m->metrics = malloc((size_t)sw->n_metrics * sizeof(double));
    if (!m->metrics) return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    for (int k = 0; k < sw->n_metrics; k++) m->metrics[k] = NAN;
    char dir[SWEEP_PATH], path[SWEEP_PATH + 32];
    sweep_member_dir(sw, i, dir, sizeof dir);
    snprintf(path, sizeof path, "%s/summary.csv", dir);
    sweep_csv t;
    PS_TRY(sweep_csv_read(path, &t, err));
    const double *time_h = sweep_csv_col(&t, "time_h");
    const double *thr = sweep_csv_col(&t, "pain.withdrawal_threshold_g");
    const double *pain = sweep_csv_col(&t, "pain.index");
    long n = t.n_rows;
    if (time_h && thr) {
        long best = 0;
        for (long r = 1; r < n; r++)
            if (thr[r] < thr[best]) best = r;
        m->metrics[M_MIN_THR] = thr[best];
        m->metrics[M_MIN_THR_DAY] = time_h[best] / 24.0;
    }
    if (time_h && pain) {
        double auc = 0;
        for (long r = 1; r < n; r++) auc += 0.5 * (pain[r] + pain[r - 1]) * (time_h[r] - time_h[r - 1]) / 24.0;
        m->metrics[M_AUC] = auc;
        m->metrics[M_FINAL] = pain[n - 1];
    }
    double *total = calloc((size_t)n, sizeof *total);
    if (!total) {
        sweep_csv_free(&t);
        return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    }
    for (int ty = 0; ty < s->n_types && time_h; ty++) {
        int slot = sweep_type_slot(sw, s->types[ty].name);
        if (slot < 0) continue;
        memset(total, 0, (size_t)n * sizeof *total);
        int found = 0;
        for (int ti = 0; ti < s->n_tissues; ti++) {
            char col[2 * SCN_NAME_MAX + 2];
            snprintf(col, sizeof col, "%s.%s", s->tissues[ti].name, s->types[ty].name);
            const double *v = sweep_csv_col(&t, col);
            if (!v) continue;
            found = 1;
            for (long r = 0; r < n; r++) total[r] += v[r];
        }
        if (!found) continue;
        long best = 0;
        for (long r = 1; r < n; r++)
            if (total[r] > total[best]) best = r;
        m->metrics[SWEEP_FIXED_METRICS + 2 * slot] = total[best];
        m->metrics[SWEEP_FIXED_METRICS + 2 * slot + 1] = time_h[best] / 24.0;
    }
    free(total);
    sweep_csv_free(&t);
    return PS_OK;
}

/* ---- sweep.csv / sweep.h5 ----------------------------------------------------------- */

static ps_status sweep_write_table(const sweep *sw, ps_err *err)
{
    long n = sw->n_members;
    int n_cols = 9 + sw->n_params + sw->n_metrics;
    output_column *cols = calloc((size_t)n_cols, sizeof *cols);
    double *num = calloc((size_t)n * (size_t)(4 + sw->n_params + sw->n_metrics) + 1, sizeof *num);
    const char **text = calloc((size_t)n * (size_t)(5 + sw->n_params) + 1, sizeof *text);
    char *names = calloc((size_t)sw->n_metrics + 1, 2 * SCN_NAME_MAX + 16);
    char *cmds = calloc((size_t)n + 1, 2048);
    char *setbuf = malloc(SWEEP_SETS_BYTES);
    ps_status st = PS_OK;
    if (!cols || !num || !text || !names || !cmds || !setbuf) {
        st = ps_err_set(err, PS_ERR_MEMORY, "out of host memory writing sweep.csv");
        goto done;
    }
    int c = 0;
    double *nx = num;
    const char **tx = text;
#define NUM_COL(nm, units_)                                                       \
    cols[c] = (output_column){.name = (nm), .num = nx, .units = (units_)};        \
    c++;                                                                          \
    nx += n
#define TEXT_COL(nm)                                                              \
    cols[c] = (output_column){.name = (nm), .text = tx};                          \
    c++;                                                                          \
    tx += n
    double *member = nx;
    NUM_COL("member", NULL);
    const char **dir = tx;
    TEXT_COL("dir");
    const char **base = tx;
    TEXT_COL("scenario");
    double *pnum[SWEEP_MAX_PARAMS];
    const char **ptext[SWEEP_MAX_PARAMS];
    for (int p = 0; p < sw->n_params; p++) {
        if (sw->p[p].numeric) {
            pnum[p] = nx;
            NUM_COL(sw->p[p].key, NULL);
        } else {
            ptext[p] = tx;
            TEXT_COL(sw->p[p].key);
        }
    }
    double *seed = nx;
    NUM_COL("seed", NULL);
    const char **status = tx;
    TEXT_COL("status");
    const char **error = tx;
    TEXT_COL("error");
    double *wall = nx;
    NUM_COL("wall_s", "s");
    double *rank = nx;
    NUM_COL("rank", NULL);
    static const char *const fixed_names[] = {"min_threshold_g", "min_threshold_day",
                                              "pain_auc_index_day", "final_pain_index"};
    static const char *const fixed_units[] = {"g", "day", "day", "1"};
    double *metric0 = nx;
    for (int k = 0; k < sw->n_metrics; k++) {
        char *nm = names + (size_t)k * (2 * SCN_NAME_MAX + 16);
        if (k < SWEEP_FIXED_METRICS) {
            snprintf(nm, 2 * SCN_NAME_MAX + 16, "%s", fixed_names[k]);
            NUM_COL(nm, fixed_units[k]);
        } else {
            int slot = (k - SWEEP_FIXED_METRICS) / 2;
            int day = (k - SWEEP_FIXED_METRICS) % 2;
            snprintf(nm, 2 * SCN_NAME_MAX + 16, "peak_%s%s", sw->type_names[slot], day ? "_day" : "");
            NUM_COL(nm, day ? "day" : "cells");
        }
    }
    const char **cmd = tx;
    TEXT_COL("command");
#undef NUM_COL
#undef TEXT_COL
    for (long i = 0; i < n; i++) {
        const sweep_member *m = &sw->m[i];
        char *cmdline = cmds + (size_t)i * 2048;
        member[i] = (double)i;
        char d[SWEEP_PATH];
        sweep_member_dir(sw, i, d, sizeof d);
        snprintf(cmdline, 2048, "%s", d);           /* dir, relative to the sweep folder */
        dir[i] = cmdline + strlen(sw->outdir) + 1;
        base[i] = sw->base_path[m->base];
        for (int p = 0; p < sw->n_params; p++) {
            int vi = sweep_value_index(sw, m->combo, p);
            if (sw->p[p].numeric) pnum[p][i] = sw->p[p].num[vi];
            else ptext[p][i] = sw->p[p].label[vi];
        }
        seed[i] = m->seed;
        status[i] = sweep_status_names[m->status];
        error[i] = m->error ? m->error : "";
        wall[i] = m->wall_s;
        rank[i] = m->rank >= 0 ? (double)m->rank : NAN;
        for (int k = 0; k < sw->n_metrics; k++)
            metric0[(size_t)k * (size_t)n + (size_t)i] = m->metrics ? m->metrics[k] : NAN;
        /* the equivalent single run, after the directory (kept in the same buffer) */
        size_t used = strlen(cmdline) + 1;
        char *cl = cmdline + used;
        size_t left = 2048 - used;
        const char *sets[SWEEP_SETS_CAP];
        int ns = 0;
        if (sweep_member_sets(sw, i, setbuf, SWEEP_SETS_BYTES, sets, &ns, err) != PS_OK) {
            st = err->code;
            goto done;
        }
        int w = snprintf(cl, left, "painsim run %s", sw->base_path[m->base]);
        for (int k = 0; k < ns && w >= 0 && (size_t)w < left; k++)
            w += snprintf(cl + w, left - (size_t)w, " --set '%s'", sets[k]);
        if (w >= 0 && (size_t)w < left) snprintf(cl + w, left - (size_t)w, " --out %s", d);
        cmd[i] = cl;
    }
    char csv[SWEEP_PATH + 16], h5[SWEEP_PATH + 16];
    snprintf(csv, sizeof csv, "%s/sweep.csv", sw->outdir);
    snprintf(h5, sizeof h5, "%s/sweep.h5", sw->outdir);
    st = output_table_write(csv, h5, sw->name, (size_t)n, c, cols, err);
done:
    free(cols);
    free(num);
    free(text);
    free(names);
    free(cmds);
    free(setbuf);
    return st;
}

/* ---- the queue ---------------------------------------------------------------------- */

typedef struct {
    int32_t member;             /* finished member, -1: none yet, -2: this rank retires */
    int32_t code;               /* ps_status of the member */
    double wall_s;
    char error[SWEEP_ERR];
} sweep_msg;

typedef struct {
    sweep *sw;
    MPI_Comm comm;
    int rank, size;
    long next;                  /* next member index to consider */
    int active;                 /* workers (ranks > 0) not yet told to stop */
    long finished, failed;
    int stopped;                /* a member was interrupted by a signal: hand out no more */
    volatile sig_atomic_t *stop;
    ps_err table_err;           /* first failure to write sweep.csv */
} sweep_queue;

static long sweep_take(sweep_queue *q)
{
    if (q->stopped || (q->stop && *q->stop)) return -1;
    while (q->next < q->sw->n_members && q->sw->m[q->next].status != SWEEP_PENDING) q->next++;
    if (q->next == q->sw->n_members) return -1;
    q->sw->m[q->next].status = SWEEP_RUNNING;
    return q->next++;
}

/* Records the result of member i, run on rank r. */
static void sweep_record(sweep_queue *q, long i, int r, int code, double wall_s, const char *error)
{
    sweep *sw = q->sw;
    sweep_member *m = &sw->m[i];
    m->rank = r;
    m->wall_s = wall_s;
    if (code == PS_ERR_INTERRUPTED) {   /* checkpointed: the next command continues it */
        m->status = SWEEP_PENDING;
        q->stopped = 1;
        log_warn(sw->log, "member %ld of %ld stopped by a signal on rank %d (checkpoint written)", i,
                 sw->n_members, r);
        ps_err e;
        ps_err_clear(&e);
        if (sweep_write_table(sw, &e) != PS_OK && q->table_err.code == PS_OK) q->table_err = e;
        return;
    }
    if (code == PS_OK) {
        scenario *s = calloc(1, sizeof *s);
        ps_err err;
        ps_err_clear(&err);
        ps_status st = s ? sweep_load_member(sw, i, s, &err) : ps_err_set(&err, PS_ERR_MEMORY, "out of host memory");
        if (st == PS_OK) st = sweep_metrics(sw, i, s, &err);
        free(s);
        if (st == PS_OK) {
            m->status = SWEEP_DONE;
        } else {
            m->status = SWEEP_FAILED;
            free(m->error);
            m->error = strdup(err.msg);
        }
    } else {
        m->status = SWEEP_FAILED;
        free(m->error);
        m->error = strdup(error);
    }
    q->finished++;
    if (m->status == SWEEP_FAILED) q->failed++;
    if (m->status == SWEEP_DONE)
        log_info(sw->log, "member %ld of %ld done on rank %d in %.1f s (%ld finished, %ld failed)", i,
                 sw->n_members, r, wall_s, q->finished, q->failed);
    else
        log_warn(sw->log, "member %ld of %ld failed on rank %d: %s", i, sw->n_members, r,
                 m->error ? m->error : "");
    ps_err e;
    ps_err_clear(&e);
    if (sweep_write_table(sw, &e) != PS_OK && q->table_err.code == PS_OK) q->table_err = e;
}

/* Rank 0: answers every pending request; block: wait for at least one. */
static void sweep_serve(sweep_queue *q, int block)
{
    for (;;) {
        int flag = 0;
        MPI_Status mst;
        if (block) {
            MPI_Probe(MPI_ANY_SOURCE, SWEEP_TAG_DONE, q->comm, &mst);
            flag = 1;
            block = 0;
        } else {
            MPI_Iprobe(MPI_ANY_SOURCE, SWEEP_TAG_DONE, q->comm, &flag, &mst);
        }
        if (!flag) return;
        sweep_msg msg;
        MPI_Recv(&msg, (int)sizeof msg, MPI_BYTE, mst.MPI_SOURCE, SWEEP_TAG_DONE, q->comm, MPI_STATUS_IGNORE);
        msg.error[SWEEP_ERR - 1] = '\0';
        if (msg.member >= 0) sweep_record(q, msg.member, mst.MPI_SOURCE, msg.code, msg.wall_s, msg.error);
        if (msg.member == -2) {
            log_warn(q->sw->log, "rank %d takes no members: %s", mst.MPI_SOURCE, msg.error);
            q->active--;
            continue;
        }
        int32_t next = (int32_t)sweep_take(q);
        MPI_Send(&next, 1, MPI_INT32_T, mst.MPI_SOURCE, SWEEP_TAG_WORK, q->comm);
        if (next < 0) q->active--;
    }
}

static void sweep_poll(void *arg)
{
    sweep_serve(arg, 0);
}

static int sweep_file_exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* Runs member i on this rank's device (from its checkpoint when it has one). */
static ps_status sweep_run_member(sweep *sw, long i, const sim_ctx *ctx, double *wall_s, ps_err *err)
{
    *wall_s = 0;
    scenario *s = calloc(1, sizeof *s);
    if (!s) return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    char dir[SWEEP_PATH];
    sweep_member_dir(sw, i, dir, sizeof dir);
    log_info(sw->log, "member %ld of %ld starts on rank %d: %s", i, sw->n_members, ctx->rank, dir);
    ps_status st = sweep_load_member(sw, i, s, err);
    char ck[SWEEP_PATH + 32];
    long step = 0;
    double every = 0;
    ps_err none;
    ps_err_clear(&none);
    if (st == PS_OK && sweep_file_exists(dir) && checkpoint_find(dir, s, ck, sizeof ck, &step, &every, &none) == PS_OK) {
        log_info(sw->log, "member %ld continues from its checkpoint at step %ld", i, step);
        st = job_resume(ctx, s, dir, wall_s, err);
    } else if (st == PS_OK) {
        st = job_run(ctx, s, dir, 1, wall_s, err);
    }
    free(s);
    return st;
}

/* ---- set-up on rank 0: validation, output folder, resume ------------------------------- */

/* 1 when dir holds a completed run of exactly the resolved scenario text `resolved`. */
static int sweep_member_complete(const char *dir, const char *resolved, double *wall_s)
{
    char path[SWEEP_PATH + 32];
    snprintf(path, sizeof path, "%s/run.json", dir);
    cJSON *run = NULL;
    ps_err e;
    ps_err_clear(&e);
    if (!sweep_file_exists(path) || scenario_json_file(path, "run", &run, &e) != PS_OK) return 0;
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(run, "status");
    const cJSON *wall = cJSON_GetObjectItemCaseSensitive(run, "wall_s");
    int ok = cJSON_IsString(status) && strcmp(status->valuestring, "completed") == 0;
    if (ok && cJSON_IsNumber(wall)) *wall_s = wall->valuedouble;
    cJSON_Delete(run);
    if (!ok) return 0;
    snprintf(path, sizeof path, "%s/scenario.resolved.json", dir);
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    size_t n = strlen(resolved);
    char *buf = malloc(n + 2);
    size_t got = buf ? fread(buf, 1, n + 1, f) : 0;
    fclose(f);
    ok = buf && got == n && memcmp(buf, resolved, n) == 0;
    free(buf);
    return ok;
}

static ps_status sweep_prepare(sweep *sw, long *n_resumed, ps_err *err)
{
    *n_resumed = 0;
    scenario *s = calloc(1, sizeof *s);
    if (!s) return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    /* 1. every member's scenario loads (nothing written yet) */
    long n_bad = 0;
    ps_err first;
    ps_err_clear(&first);
    for (long i = 0; i < sw->n_members; i++) {
        ps_err e;
        ps_err_clear(&e);
        if (sweep_load_member(sw, i, s, &e) != PS_OK) {
            if (e.code != PS_ERR_INPUT) {           /* unreadable base file, memory: stop */
                free(s);
                return ps_err_set(err, e.code, "%s", e.msg);
            }
            sw->m[i].status = SWEEP_FAILED;
            sw->m[i].error = strdup(e.msg);
            if (!n_bad++) first = e;
            continue;
        }
        sw->m[i].seed = (double)s->seed;
        for (int t = 0; t < s->n_types; t++)
            if (sweep_type_slot(sw, s->types[t].name) < 0 && sw->n_types < SWEEP_MAX_METRIC_TYPES)
                snprintf(sw->type_names[sw->n_types++], SCN_NAME_MAX, "%s", s->types[t].name);
    }
    if (n_bad == sw->n_members) {
        free(s);
        return ps_err_set(err, PS_ERR_INPUT, "%s: no member of the sweep is a valid scenario; the first: %s",
                          sw->path, first.msg);
    }
    if (n_bad > 0)
        log_warn(sw->log, "%ld of %ld members are not valid scenarios and are recorded as failed; "
                 "the first: %s", n_bad, sw->n_members, first.msg);
    sw->n_metrics = SWEEP_FIXED_METRICS + 2 * sw->n_types;
    /* 2. the output folder: new, or an earlier run of a sweep */
    char path[SWEEP_PATH + 32];
    struct stat sb;
    if (stat(sw->outdir, &sb) == 0) {
        if (!S_ISDIR(sb.st_mode)) {
            free(s);
            return ps_err_set(err, PS_ERR_IO, "%s: exists and is not a folder; choose another --out", sw->outdir);
        }
        char members[SWEEP_PATH + 32];
        snprintf(members, sizeof members, "%s/members", sw->outdir);
        static const char *const single[] = {"run.json", "summary.csv", "snapshots", "scenario.resolved.json"};
        int is_run = 0;
        for (int k = 0; k < 4; k++) {
            snprintf(path, sizeof path, "%s/%s", sw->outdir, single[k]);
            is_run |= sweep_file_exists(path);
        }
        snprintf(path, sizeof path, "%s/sweep.csv", sw->outdir);
        if (is_run && !sweep_file_exists(path) && !sweep_file_exists(members)) {
            free(s);
            return ps_err_set(err, PS_ERR_IO, "%s: holds a single run, not a sweep (no sweep.csv); "
                              "choose another --out", sw->outdir);
        }
    }
    snprintf(path, sizeof path, "%s/members", sw->outdir);
    ps_status st = output_make_folder(path, err);
    /* 3. resume: members already completed with the same resolved scenario */
    for (long i = 0; st == PS_OK && i < sw->n_members; i++) {
        if (sw->m[i].status != SWEEP_PENDING) continue;
        char dir[SWEEP_PATH];
        sweep_member_dir(sw, i, dir, sizeof dir);
        if (!sweep_file_exists(dir)) continue;
        ps_err e;
        ps_err_clear(&e);
        if (sweep_load_member(sw, i, s, &e) != PS_OK) continue;
        char *resolved = scenario_to_json(s);
        double wall = NAN;
        int done = resolved && sweep_member_complete(dir, resolved, &wall);
        free(resolved);
        if (!done) continue;
        if (sweep_metrics(sw, i, s, &e) != PS_OK) continue;    /* unreadable summary: run again */
        sw->m[i].status = SWEEP_DONE;
        sw->m[i].wall_s = wall;
        (*n_resumed)++;
    }
    free(s);
    if (st == PS_OK) st = sweep_write_table(sw, err);
    return st;
}

/* ---- the whole sweep ------------------------------------------------------------------ */

ps_status sweep_run(const sweep_args *a, MPI_Comm comm, const log_ctx *lg, ps_err *err)
{
    int rank = 0, size = 1;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    int local_rank = device_node_rank(comm);

    sweep *sw = NULL;
    ps_status st = sweep_parse(a->path, &sw, err);
    if (st == PS_OK) {
        sw->log = lg;
        int w = a->out ? snprintf(sw->outdir, sizeof sw->outdir, "%s", a->out)
                       : snprintf(sw->outdir, sizeof sw->outdir, "runs/%s", sw->name);
        size_t l = strlen(sw->outdir);
        while (l > 1 && sw->outdir[l - 1] == '/') sw->outdir[--l] = '\0';
        if (w >= (int)sizeof sw->outdir - 40)
            st = ps_err_set(err, PS_ERR_USAGE, "--out %s: the path is too long", sw->outdir);
    }
    /* rank 0 checks members and the folder; every rank gets the same answer */
    long resumed = 0;
    if (rank == 0 && st == PS_OK) st = sweep_prepare(sw, &resumed, err);
    st = ps_status_agree(comm, st, err);
    if (st != PS_OK) {
        sweep_free(sw);
        return st;
    }
    if (rank == 0) {                /* only rank 0 keeps members' statuses: it hands them out */
        long pending = 0;
        for (long i = 0; i < sw->n_members; i++) pending += sw->m[i].status == SWEEP_PENDING;
        log_info(lg, "sweep %s: %ld members (%ld to run, %ld already complete), %d rank%s, output %s",
                 sw->name, sw->n_members, pending, resumed, size, size > 1 ? "s" : "", sw->outdir);
    }

    /* each rank's device: node-local rank picks among the node's GPUs */
    device *dev = NULL;
    ps_err derr;
    ps_err_clear(&derr);
    ps_status dst = device_open_local(&dev, a->device, local_rank, &derr);
    if (dst == PS_OK) log_info(lg, "rank %d (node-local %d): device %s", rank, local_rank, device_description(dev));
    else log_error(lg, "rank %d: no device: %s", rank, derr.msg);
    log_ctx member_log = *lg;
    if (!a->verbose) member_log.quiet = 1;
    sim_ctx ctx = {.comm = MPI_COMM_SELF, .rank = rank, .size = size, .log = member_log, .dev = dev,
                   .checkpoint_every_h = a->checkpoint_every_h, .stop = a->stop};

    sweep_queue q = {.sw = sw, .comm = comm, .rank = rank, .size = size, .active = size - 1,
                     .stop = a->stop};
    ps_err_clear(&q.table_err);
    if (rank == 0) {
        for (long i = 0; i < sw->n_members; i++) {
            q.finished += sw->m[i].status == SWEEP_DONE || sw->m[i].status == SWEEP_FAILED;
            q.failed += sw->m[i].status == SWEEP_FAILED;
        }
        if (size > 1) {
            ctx.poll = sweep_poll;
            ctx.poll_arg = &q;
        }
        long i;
        while (dst == PS_OK && (i = sweep_take(&q)) >= 0) {
            ps_err e;
            ps_err_clear(&e);
            double wall = 0;
            ps_status ms = sweep_run_member(sw, i, &ctx, &wall, &e);
            sweep_record(&q, i, 0, ms, wall, e.msg);
            if (size > 1) sweep_serve(&q, 0);
        }
        while (q.active > 0) sweep_serve(&q, 1);
    } else {
        sweep_msg msg;
        memset(&msg, 0, sizeof msg);
        msg.member = dst == PS_OK ? -1 : -2;
        if (dst != PS_OK) snprintf(msg.error, sizeof msg.error, "%s", derr.msg);
        for (;;) {
            MPI_Send(&msg, (int)sizeof msg, MPI_BYTE, 0, SWEEP_TAG_DONE, comm);
            if (msg.member == -2) break;
            int32_t next = -1;
            MPI_Recv(&next, 1, MPI_INT32_T, 0, SWEEP_TAG_WORK, comm, MPI_STATUS_IGNORE);
            if (next < 0) break;
            ps_err e;
            ps_err_clear(&e);
            double wall = 0;
            ps_status ms = sweep_run_member(sw, next, &ctx, &wall, &e);
            memset(&msg, 0, sizeof msg);
            msg.member = next;
            msg.code = (int32_t)ms;
            msg.wall_s = wall;
            snprintf(msg.error, sizeof msg.error, "%s", e.msg);
        }
    }
    device_close(dev);

    /* the outcome, the same on every rank */
    long counts[3] = {0, 0, 0};     /* failed, pending, done */
    if (rank == 0) {
        for (long i = 0; i < sw->n_members; i++) {
            counts[0] += sw->m[i].status == SWEEP_FAILED;
            counts[1] += sw->m[i].status == SWEEP_PENDING || sw->m[i].status == SWEEP_RUNNING;
            counts[2] += sw->m[i].status == SWEEP_DONE;
        }
        if (q.table_err.code != PS_OK) st = ps_err_set(err, q.table_err.code, "%s", q.table_err.msg);
        else if (counts[1] > 0 && (q.stopped || (a->stop && *a->stop)))
            st = ps_err_set(err, PS_ERR_INTERRUPTED, "sweep stopped by a signal: %ld of %ld members "
                            "not finished (interrupted ones have checkpoints); run the same command "
                            "again to continue", counts[1], sw->n_members);
        else if (counts[1] > 0)
            st = ps_err_set(err, PS_ERR_DEVICE, "%ld of %ld members did not run: no rank could open an "
                            "OpenCL device (%s)", counts[1], sw->n_members, derr.msg);
        else if (counts[0] > 0) {
            long first = 0;
            while (sw->m[first].status != SWEEP_FAILED) first++;
            st = ps_err_set(err, PS_ERR_SWEEP_MEMBERS, "%ld of %ld members failed (see %s/sweep.csv); "
                            "member %ld: %s", counts[0], sw->n_members, sw->outdir, first,
                            sw->m[first].error ? sw->m[first].error : "");
        } else {
            log_info(lg, "sweep %s: all %ld members completed; results in %s/sweep.csv and sweep.h5",
                     sw->name, sw->n_members, sw->outdir);
        }
    }
    sweep_free(sw);
    int code = (int)st;
    MPI_Bcast(&code, 1, MPI_INT, 0, comm);
    if (rank != 0 && code != PS_OK) ps_err_set(err, (ps_status)code, "%s", "");
    return (ps_status)code;
}
