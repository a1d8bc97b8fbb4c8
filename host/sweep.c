/* sweep.c — the sweep file: parsing, validation and expansion into members (see
 * sweep.h). Running the members is the run driver's (run/sweep_queue.c: the MPI queue,
 * resume; run/sweep_table.c: metrics, sweep.csv and sweep.h5); the shared struct is in
 * run/sweep_impl.h.
 */
#include "sweep_impl.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

ps_status sweep_parse(const char *path, sweep **out, ps_err *err)
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
