/* scenario.c — reads, validates and resolves a scenario JSON file; writes it back out.
 *
 * The scenario is the user interface of the simulator, so the trade-off here is
 * message quality over brevity: every value is read through a handful of helpers that
 * know the JSON path of the value, the rule it must satisfy and how to describe what
 * was found, so each failure reads "FILE: json.path: expected WHAT, got WHAT". The
 * parse is one strict pass over a cJSON tree: unknown keys (with a spelling
 * suggestion), duplicate keys (cJSON keeps them silently), wrong types, ranges and
 * cross references are all errors, never warnings. --set overrides edit the tree
 * before that pass, so an override is validated exactly like the file.
 *
 * The struct is zeroed before it is filled and only members are assigned (never whole
 * structs from locals), so padding stays zero and a load -> scenario_to_json -> load
 * round trip gives a byte-identical structure.
 */
#include "scenario.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

#define PATH_CAP 1024             /* JSON paths in messages */
#define SNIPPET_CHARS 24          /* characters shown after a syntax error */
#define QUOTE_CHARS 60            /* characters of a string value quoted in a message */
#define MAX_FILE_BYTES (16L << 20)
#define MAX_SEED 9007199254740991.0 /* 2^53 - 1: every integer below is exact in JSON */
#define MAX_AXIS_VOXELS 1024
#define MAX_TOTAL_VOXELS (1L << 27)
#define MULTIPLE_RTOL 1e-9
#define TISSUE_GAP_UM 100.0       /* default spacing between tissues laid along x */

/* ------------------------------------------------------------------------------------
 * Validation context: where we are in the document and how to label messages.
 * ---------------------------------------------------------------------------------- */

typedef struct {
    const char *file;          /* FILE part of messages */
    ps_err *err;
    char path[PATH_CAP];       /* JSON path of the value being read */
    size_t len;
    const char *const *sets;   /* --set overrides (for attribution), after they are applied */
    char **set_paths;          /* canonical JSON path each override wrote */
    int n_sets;
} ctx;

static size_t path_key(ctx *c, const char *key)
{
    size_t mark = c->len;
    int n = snprintf(c->path + c->len, PATH_CAP - c->len, "%s%s", c->len ? "." : "", key);
    if (n > 0) c->len = (c->len + (size_t)n < PATH_CAP) ? c->len + (size_t)n : PATH_CAP - 1;
    return mark;
}

static size_t path_index(ctx *c, int i)
{
    size_t mark = c->len;
    int n = snprintf(c->path + c->len, PATH_CAP - c->len, "[%d]", i);
    if (n > 0) c->len = (c->len + (size_t)n < PATH_CAP) ? c->len + (size_t)n : PATH_CAP - 1;
    return mark;
}

static void path_pop(ctx *c, size_t mark)
{
    c->len = mark;
    c->path[mark] = '\0';
}

/* 1 when one JSON path lies inside (or is) the other: "a.b" and "a.b[2].c". */
static int path_related(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la == 0 || lb == 0) return 0;
    if (la > lb) {
        const char *t = a;
        a = b;
        b = t;
        size_t tl = la;
        la = lb;
        lb = tl;
    }
    return strncmp(a, b, la) == 0 && (b[la] == '\0' || b[la] == '.' || b[la] == '[');
}

/* 1 when an override that wrote set_path is involved in an error at path: one lies
 * inside the other, or the error is on a sibling (time.dt_min=7 makes
 * time.duration_h fail; tissues[0].voxel_um makes tissues[0].size_um[0] fail). */
static int set_involved(const char *set_path, const char *path)
{
    if (path_related(set_path, path)) return 1;
    const char *dot = strrchr(set_path, '.'), *bracket = strrchr(set_path, '[');
    const char *cut = (bracket && (!dot || bracket > dot)) ? bracket : dot;
    if (!cut || cut == set_path) return 0;
    size_t n = (size_t)(cut - set_path);
    return strncmp(set_path, path, n) == 0 && (path[n] == '\0' || path[n] == '.' || path[n] == '[');
}

/* "FILE", "FILE (with --set a=1)" or "FILE (after --set overrides)". */
static void make_label(const ctx *c, char *buf, size_t cap)
{
    size_t n = (size_t)snprintf(buf, cap, "%s", c->file);
    int any = 0;
    for (int i = 0; i < c->n_sets && n < cap; i++) {
        if (!c->set_paths[i] || !set_involved(c->set_paths[i], c->path)) continue;
        n += (size_t)snprintf(buf + n, cap - n, "%s--set %s", any ? ", " : " (with ", c->sets[i]);
        any = 1;
    }
    if (n < cap && any) snprintf(buf + n, cap - n, ")");
    else if (n < cap && c->n_sets > 0) snprintf(buf + n, cap - n, " (after --set overrides)");
}

static ps_status fail(ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static ps_status fail(ctx *c, const char *fmt, ...)
{
    char msg[PS_ERR_MSG_MAX], label[PS_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    make_label(c, label, sizeof label);
    if (c->len) return ps_err_set(c->err, PS_ERR_INPUT, "%s: %s: %s", label, c->path, msg);
    return ps_err_set(c->err, PS_ERR_INPUT, "%s: %s", label, msg);
}

/* ------------------------------------------------------------------------------------
 * Describing values in messages.
 * ---------------------------------------------------------------------------------- */

/* Shortest of %.15g, %.16g, %.17g that reads back as exactly v. */
static void fmt_num(char *buf, size_t cap, double v)
{
    if (!isfinite(v)) {
        snprintf(buf, cap, "%s", isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf"));
        return;
    }
    for (int prec = 15; prec < 17; prec++) {
        snprintf(buf, cap, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) return;
    }
    snprintf(buf, cap, "%.17g", v);
}

/* s as a JSON-style quoted string, escaped and shortened for a message. */
static void quote(char *buf, size_t cap, const char *s)
{
    size_t n = 0;
    int chars = 0;
    if (cap < 8) {
        if (cap) buf[0] = '\0';
        return;
    }
    buf[n++] = '"';
    for (const unsigned char *p = (const unsigned char *)s; *p && n + 8 < cap; p++) {
        if ((*p & 0xC0) != 0x80 && ++chars > QUOTE_CHARS) {
            n += (size_t)snprintf(buf + n, cap - n, "...");
            break;
        }
        if (*p == '"' || *p == '\\') {
            buf[n++] = '\\';
            buf[n++] = (char)*p;
        } else if (*p == '\n') {
            buf[n++] = '\\';
            buf[n++] = 'n';
        } else if (*p == '\t') {
            buf[n++] = '\\';
            buf[n++] = 't';
        } else if (*p < 0x20) {
            n += (size_t)snprintf(buf + n, cap - n, "\\u%04x", *p);
        } else {
            buf[n++] = (char)*p;
        }
    }
    if (n + 2 <= cap) buf[n++] = '"';
    buf[n < cap ? n : cap - 1] = '\0';
}

/* What a JSON value is, for "got ...": 'number 3', 'string "abc"', 'an object', ... */
static void describe(char *buf, size_t cap, const cJSON *v)
{
    char tmp[256];
    if (cJSON_IsNumber(v)) {
        if (!isfinite(v->valuedouble)) {
            snprintf(buf, cap, "a number too large for a double (it overflows to infinity)");
        } else {
            fmt_num(tmp, sizeof tmp, v->valuedouble);
            snprintf(buf, cap, "number %s", tmp);
        }
    } else if (cJSON_IsString(v)) {
        quote(tmp, sizeof tmp, v->valuestring);
        snprintf(buf, cap, "string %s", tmp);
    } else if (cJSON_IsTrue(v)) {
        snprintf(buf, cap, "true");
    } else if (cJSON_IsFalse(v)) {
        snprintf(buf, cap, "false");
    } else if (cJSON_IsNull(v)) {
        snprintf(buf, cap, "null");
    } else if (cJSON_IsArray(v)) {
        int n = cJSON_GetArraySize(v);
        if (n == 0) snprintf(buf, cap, "an empty array");
        else snprintf(buf, cap, "an array of %d element%s", n, n == 1 ? "" : "s");
    } else if (cJSON_IsObject(v)) {
        snprintf(buf, cap, v->child ? "an object" : "an empty object");
    } else {
        snprintf(buf, cap, "an invalid value");
    }
}

/* "a, b, c" (at most max_items, then ", ..."). */
static void join(char *buf, size_t cap, const char *const *items, int n, int max_items)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && len < cap; i++) {
        if (i == max_items) {
            snprintf(buf + len, cap - len, ", ...");
            return;
        }
        len += (size_t)snprintf(buf + len, cap - len, "%s%s", i ? ", " : "", items[i]);
    }
}

/* ------------------------------------------------------------------------------------
 * Spelling suggestions.
 * ---------------------------------------------------------------------------------- */

static int lower(int ch)
{
    return (ch >= 'A' && ch <= 'Z') ? ch - 'A' + 'a' : ch;
}

/* Levenshtein distance, case-insensitive; large for long strings. */
static size_t edit_distance(const char *a, const char *b)
{
    enum { MAXLEN = 64 };
    size_t la = strlen(a), lb = strlen(b);
    size_t row[MAXLEN + 1];
    if (la > MAXLEN || lb > MAXLEN) return SIZE_MAX;
    for (size_t j = 0; j <= lb; j++) row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (lower((unsigned char)a[i - 1]) != lower((unsigned char)b[j - 1]));
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* The candidate closest to s when close enough (distance <= max(2, len/3) and < len),
 * else NULL. */
static const char *closest(const char *s, const char *const *cands, int n)
{
    size_t limit = strlen(s) / 3;
    if (limit < 2) limit = 2;
    const char *best = NULL;
    size_t best_d = SIZE_MAX;
    for (int i = 0; i < n; i++) {
        size_t d = edit_distance(s, cands[i]);
        if (d < best_d) {
            best_d = d;
            best = cands[i];
        }
    }
    /* Not when every character had to change ("w" is not a typo of "x"). */
    return (best_d <= limit && best_d < strlen(s)) ? best : NULL;
}

/* ' (did you mean "x"?)' or "". */
static void suggestion(char *buf, size_t cap, const char *s, const char *const *cands, int n)
{
    const char *best = closest(s, cands, n);
    if (best) snprintf(buf, cap, " (did you mean \"%s\"?)", best);
    else if (cap) buf[0] = '\0';
}

/* ------------------------------------------------------------------------------------
 * Typed readers. Each one pushes its key onto the path while it checks the value and
 * pops it on success; after a failure the path is left as it is, naming the culprit
 * (the first error is final, so nothing is unwound).
 * ---------------------------------------------------------------------------------- */

typedef struct {
    double lo, hi;             /* bounds; -INFINITY / INFINITY when open-ended */
    int lo_open;               /* 1: value > lo, 0: value >= lo */
    int integer;               /* value must be integral */
} num_rule;

#define ANY_NUM ((num_rule){-INFINITY, INFINITY, 0, 0})
#define POS(hi) ((num_rule){0.0, (hi), 1, 0})
#define NONNEG(hi) ((num_rule){0.0, (hi), 0, 0})
#define RANGE(lo, hi) ((num_rule){(lo), (hi), 0, 0})
#define INT_RANGE(lo, hi) ((num_rule){(lo), (hi), 0, 1})

static void rule_text(char *buf, size_t cap, num_rule r)
{
    char lo[40], hi[40];
    fmt_num(lo, sizeof lo, r.lo);
    fmt_num(hi, sizeof hi, r.hi);
    const char *what = r.integer ? "an integer" : "a number";
    if (isfinite(r.lo) && isfinite(r.hi))
        snprintf(buf, cap, "%s %s %s and <= %s", what, r.lo_open ? ">" : ">=", lo, hi);
    else if (isfinite(r.lo))
        snprintf(buf, cap, "%s %s %s", what, r.lo_open ? ">" : ">=", lo);
    else if (isfinite(r.hi))
        snprintf(buf, cap, "%s <= %s", what, hi);
    else
        snprintf(buf, cap, "%s", what);
}

static ps_status expect_type_fail(ctx *c, const char *want, const cJSON *v)
{
    char got[320];
    describe(got, sizeof got, v);
    return fail(c, "expected %s, got %s", want, got);
}

/* Checks the value at the current path against r and stores it (-0 becomes +0). */
static ps_status num_value(ctx *c, const cJSON *v, num_rule r, double *out)
{
    char want[160], got[64];
    rule_text(want, sizeof want, r);
    if (!cJSON_IsNumber(v)) return expect_type_fail(c, want, v);
    double x = v->valuedouble;
    if (!isfinite(x))
        return fail(c, "expected a finite number (%s), got a number too large for a double", want);
    fmt_num(got, sizeof got, x);
    if (r.integer && x != floor(x)) return fail(c, "expected %s, got %s", want, got);
    if (x < r.lo || (r.lo_open && x <= r.lo) || x > r.hi)
        return fail(c, "expected %s, got %s", want, got);
    *out = x + 0.0;
    return PS_OK;
}

static ps_status missing(ctx *c, const char *key, const char *want)
{
    size_t m = path_key(c, key);
    ps_status st = fail(c, "missing required key (expected %s)", want);
    path_pop(c, m);
    return st;
}

/* obj.key as a number: required, or def when absent. */
static ps_status read_num(ctx *c, const cJSON *obj, const char *key, int required, double def,
                          num_rule r, double *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) {
        if (required) {
            char want[160];
            rule_text(want, sizeof want, r);
            return missing(c, key, want);
        }
        *out = def;
        return PS_OK;
    }
    size_t m = path_key(c, key);
    PS_TRY(num_value(c, v, r, out));
    path_pop(c, m);
    return PS_OK;
}

/* obj.key as true or false; def when absent. */
static ps_status read_bool(ctx *c, const cJSON *obj, const char *key, int def, int *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) {
        *out = def;
        return PS_OK;
    }
    if (!cJSON_IsBool(v)) {
        char got[120];
        describe(got, sizeof got, v);
        path_key(c, key);
        return fail(c, "expected true or false, got %s", got);
    }
    *out = cJSON_IsTrue(v) ? 1 : 0;
    return PS_OK;
}

/* obj.key as [x, y, z]; def (may be NULL when required) when absent. */
static ps_status read_vec3(ctx *c, const cJSON *obj, const char *key, int required,
                           const double def[3], num_rule r, double out[3])
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    char want[200], each[160];
    rule_text(each, sizeof each, r);
    snprintf(want, sizeof want, "an array of 3 numbers [x, y, z], each %s", each);
    if (!v) {
        if (required) return missing(c, key, want);
        for (int i = 0; i < 3; i++) out[i] = def[i];
        return PS_OK;
    }
    size_t m = path_key(c, key);
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != 3) return expect_type_fail(c, want, v);
    int i = 0;
    for (const cJSON *e = v->child; e; e = e->next, i++) {
        size_t mi = path_index(c, i);
        PS_TRY(num_value(c, e, r, &out[i]));
        path_pop(c, mi);
    }
    path_pop(c, m);
    return PS_OK;
}

static int valid_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > SCN_NAME_MAX - 1) return 0;
    int ch = (unsigned char)s[0];
    if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z'))) return 0;
    for (size_t i = 1; i < n; i++) {
        ch = (unsigned char)s[i];
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '-'))
            return 0;
    }
    return 1;
}

#define NAME_RULE "a name (1 to 47 characters: a letter, then letters, digits, '_' or '-')"

/* Copies a checked string (length < cap) including its terminator; the tail stays zero. */
static void copy_str(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap) n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* obj.key as a name (required). */
static ps_status read_name(ctx *c, const cJSON *obj, const char *key, char out[SCN_NAME_MAX])
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) return missing(c, key, NAME_RULE);
    size_t m = path_key(c, key);
    if (!cJSON_IsString(v)) return expect_type_fail(c, NAME_RULE, v);
    if (!valid_name(v->valuestring)) {
        char got[256];
        quote(got, sizeof got, v->valuestring);
        if (strlen(v->valuestring) > SCN_NAME_MAX - 1)
            return fail(c, "expected %s, got a string of %zu characters", NAME_RULE,
                        strlen(v->valuestring));
        return fail(c, "expected %s, got %s", NAME_RULE, got);
    }
    copy_str(out, SCN_NAME_MAX, v->valuestring);
    path_pop(c, m);
    return PS_OK;
}

/* Name at the current element path (..[i]) must differ from names[0..n-1]; list_len is
 * the path length of the list itself, so the message can name the other element. */
static ps_status check_unique(ctx *c, const char *name, const char *const *names, int n,
                              size_t list_len)
{
    for (int j = 0; j < n; j++) {
        if (strcmp(names[j], name) != 0) continue;
        path_key(c, "name");
        return fail(c, "expected a unique name, got \"%s\" (%.*s[%d] has the same name)", name,
                    (int)list_len, c->path, j);
    }
    return PS_OK;
}

/* obj.key as free text of at most cap-1 bytes; "" when absent. */
static ps_status read_text(ctx *c, const cJSON *obj, const char *key, char *out, size_t cap)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) {
        out[0] = '\0';
        return PS_OK;
    }
    char want[80];
    snprintf(want, sizeof want, "a string of at most %zu bytes", cap - 1);
    size_t m = path_key(c, key);
    if (!cJSON_IsString(v)) return expect_type_fail(c, want, v);
    if (strlen(v->valuestring) > cap - 1)
        return fail(c, "expected %s, got a string of %zu bytes", want, strlen(v->valuestring));
    copy_str(out, cap, v->valuestring);
    path_pop(c, m);
    return PS_OK;
}

/* String value at the current path that must be one of opts[]; *out = its index. */
static ps_status enum_value(ctx *c, const cJSON *v, const char *const *opts, int n, int *out)
{
    char want[200];
    size_t len = (size_t)snprintf(want, sizeof want, "one of ");
    for (int i = 0; i < n && len < sizeof want; i++)
        len += (size_t)snprintf(want + len, sizeof want - len, "%s\"%s\"", i ? ", " : "", opts[i]);
    if (!cJSON_IsString(v)) return expect_type_fail(c, want, v);
    for (int i = 0; i < n; i++) {
        if (strcmp(v->valuestring, opts[i]) == 0) {
            *out = i;
            return PS_OK;
        }
    }
    char got[256], sugg[128];
    quote(got, sizeof got, v->valuestring);
    suggestion(sugg, sizeof sugg, v->valuestring, opts, n);
    return fail(c, "expected %s, got %s%s", want, got, sugg);
}

static ps_status read_enum(ctx *c, const cJSON *obj, const char *key, const char *const *opts,
                           int n, int *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) {
        char want[200];
        size_t len = (size_t)snprintf(want, sizeof want, "one of ");
        for (int i = 0; i < n && len < sizeof want; i++)
            len += (size_t)snprintf(want + len, sizeof want - len, "%s\"%s\"", i ? ", " : "", opts[i]);
        return missing(c, key, want);
    }
    size_t m = path_key(c, key);
    PS_TRY(enum_value(c, v, opts, n, out));
    path_pop(c, m);
    return PS_OK;
}

/* The value at the current path must be an object. */
static ps_status expect_object(ctx *c, const cJSON *v, const char *want)
{
    if (!cJSON_IsObject(v)) return expect_type_fail(c, want ? want : "an object", v);
    return PS_OK;
}

/* obj.key as an object; *out = NULL when absent and optional. */
static ps_status read_object(ctx *c, const cJSON *obj, const char *key, int required,
                             const char *want, const cJSON **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    *out = NULL;
    if (!v) return required ? missing(c, key, want) : PS_OK;
    size_t m = path_key(c, key);
    PS_TRY(expect_object(c, v, want));
    path_pop(c, m);
    *out = v;
    return PS_OK;
}

/* obj.key as an array of min..max elements (what: "mediators"); *out = NULL, *n = 0 when
 * absent and optional. */
static ps_status read_array(ctx *c, const cJSON *obj, const char *key, int required, int min,
                            int max, const char *what, const cJSON **out, int *n)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    char want[160];
    if (min > 0) snprintf(want, sizeof want, "an array of %d to %d %s", min, max, what);
    else snprintf(want, sizeof want, "an array of at most %d %s", max, what);
    *out = NULL;
    *n = 0;
    if (!v) return required ? missing(c, key, want) : PS_OK;
    size_t m = path_key(c, key);
    if (!cJSON_IsArray(v)) return expect_type_fail(c, want, v);
    int size = cJSON_GetArraySize(v);
    if (size < min || size > max) return expect_type_fail(c, want, v);
    path_pop(c, m);
    *out = v;
    *n = size;
    return PS_OK;
}

/* Every key of obj must be in keys[]; otherwise an "unknown key" error with a suggestion. */
static ps_status check_keys(ctx *c, const cJSON *obj, const char *const *keys, int n)
{
    for (const cJSON *it = obj->child; it; it = it->next) {
        int known = 0;
        for (int i = 0; i < n && !known; i++) known = strcmp(it->string, keys[i]) == 0;
        if (known) continue;
        char sugg[128], list[1024];
        suggestion(sugg, sizeof sugg, it->string, keys, n);
        join(list, sizeof list, keys, n, n);
        path_key(c, it->string);
        return fail(c, "unknown key%s; expected one of %s", sugg, list);
    }
    return PS_OK;
}

/* The string s at the current path must name one of names[] (what: "a mediator"); v is
 * the JSON value for type errors (NULL when s is an object key). *out = its index. */
static ps_status name_ref(ctx *c, const cJSON *v, const char *s, const char *what,
                          const char *const *names, int n, int *out)
{
    char list[1024], want[1200];
    if (n == 0) {
        snprintf(want, sizeof want, "the name of %s (none is defined)", what);
    } else {
        join(list, sizeof list, names, n, 10);
        snprintf(want, sizeof want, "the name of %s (%s)", what, list);
    }
    if (v && !cJSON_IsString(v)) return expect_type_fail(c, want, v);
    if (v) s = v->valuestring;
    for (int i = 0; i < n; i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = i;
            return PS_OK;
        }
    }
    char got[256], sugg[128];
    quote(got, sizeof got, s);
    suggestion(sugg, sizeof sugg, s, names, n);
    return fail(c, "expected %s, got %s%s", want, got, sugg);
}

/* ------------------------------------------------------------------------------------
 * Duplicate keys (cJSON keeps both silently).
 * ---------------------------------------------------------------------------------- */

static ps_status check_duplicates(ctx *c, const cJSON *v)
{
    if (cJSON_IsObject(v)) {
        for (const cJSON *a = v->child; a; a = a->next) {
            for (const cJSON *b = v->child; b != a; b = b->next) {
                if (strcmp(a->string, b->string) == 0) {
                    char q[256];
                    quote(q, sizeof q, a->string);
                    return fail(c, "duplicate key %s", q);
                }
            }
            size_t m = path_key(c, a->string);
            PS_TRY(check_duplicates(c, a));
            path_pop(c, m);
        }
    } else if (cJSON_IsArray(v)) {
        int i = 0;
        for (const cJSON *e = v->child; e; e = e->next, i++) {
            size_t m = path_index(c, i);
            PS_TRY(check_duplicates(c, e));
            path_pop(c, m);
        }
    }
    return PS_OK;
}

/* ------------------------------------------------------------------------------------
 * The sections.
 * ---------------------------------------------------------------------------------- */

static const char *const top_keys[] = {"name",      "description", "seed",
                                       "time",      "engine",      "mediators",
                                       "cell_types", "tissues",    "drugs",
                                       "perturbations", "sex",     "neurons",
                                       "pain",      "scale"};
static const char *const sex_names[] = {"male", "female"};
static const char *const neuron_keys[] = {"count", "soma", "peripheral", "central",
                                          "transport_delay_h", "lesion", "toxin", "repair_per_h",
                                          "repair_drivers"};
static const char *const compartment_keys[] = {"tissue", "type", "region"};
static const char *const lesion_keys[] = {"region", "at_h", "permanent"};
static const char *const toxin_keys[] = {"drug", "EC50_nM", "rate_per_h"};
static const char *const pain_keys[] = {"baseline_threshold_g", "time_constant_h", "injury_weight",
                                        "terms"};
static const char *const pain_term_keys[] = {"terminal", "mediator", "EC50_nM", "hill", "weight",
                                             "sex"};
static const char *const terminal_names[] = {"peripheral", "central"};
static const char *const term_sex_names[] = {"both", "male", "female"};
static const char *const recruitment_keys[] = {"type", "state", "region", "rate_per_mm3_per_h",
                                               "barrier_permeability", "female_rate_factor", "chemokine",
                                               "priming"};
static const char *const priming_keys[] = {"from_h", "peak_h"};
static const char *const time_keys[] = {"duration_h", "dt_min", "output_interval_h",
                                        "snapshot_interval_h"};
static const char *const engine_keys[] = {"agent_capacity_factor"};
static const char *const mediator_keys[] = {"name", "D_um2_per_s", "half_life_min", "kDa", "jak"};
static const char *const jak_names[SCN_N_JAKS] = {"JAK1", "JAK2", "JAK3", "TYK2"};
static const char *const type_keys[] = {"name",
                                        "radius_um",
                                        "speed_um_per_min",
                                        "persistence_min",
                                        "repulsion_um_per_min",
                                        "death_rate_per_h",
                                        "division_rate_per_h",
                                        "chemotaxis",
                                        "states",
                                        "transitions",
                                        "division_drivers",
                                        "jak_stat3",
                                        "contacts"};
static const char *const contact_keys[] = {"partner", "partner_state", "from", "to", "eat",
                                           "range_um", "rate_per_h"};
static const char *const transition_keys[] = {"from",    "to",        "rate_per_h", "pstat3_rate_per_h",
                                              "drivers", "inhibitors"};
static const char *const driver_keys[] = {"mediator", "EC50_nM", "hill", "rate_per_h"};
static const char *const activator_keys[] = {"mediator", "EC50_nM", "hill"};
static const char *const inhibitor_keys[] = {"mediator", "IC50_nM"};
static const char *const jak_stat3_keys[] = {"activators",         "k_on_per_min",       "k_off_per_min",
                                             "socs_synthesis_per_min", "socs_decay_per_min", "socs_K",
                                             "inhibitor",          "secretion_gain"};
static const char *const drug_keys[] = {"name",            "mw_g_per_mol", "half_life_h", "bioavailability",
                                        "Vd_L_per_kg",     "ic50_nM",      "route",       "tissue_fraction",
                                        "doses"};
static const char *const route_names[] = {"systemic", "intrathecal"};
static const char *const dose_keys[] = {"start_h", "every_h", "count", "mg_per_kg"};
static const char *const perturbation_keys[] = {"kind",   "type",   "tissue",     "mediator",
                                                "start_h", "stop_h", "rate_per_h", "fraction"};
static const char *const perturb_kinds[] = {"depletion", "knockout", "receptor_block"};

/* Kind-dependent perturbation keys and the kinds that use them (rows in scn_perturb_kind
 * order); the other keys (kind, tissue, start_h, stop_h) belong to every kind. */
static const char *const perturb_kind_keys[] = {"type", "mediator", "rate_per_h", "fraction"};
static const unsigned char perturb_used[3][4] = {
    {1, 0, 1, 0}, /* depletion: type, rate_per_h */
    {1, 1, 0, 0}, /* knockout: type, mediator */
    {0, 1, 0, 1}, /* receptor_block: mediator, fraction */
};
static const char *const chemotaxis_keys[] = {"mediator", "speed_um_per_min", "Kd_nM",
                                              "half_gradient_per_um"};
static const char *const state_keys[] = {"name", "secretion_molecules_per_min",
                                         "uptake_um3_per_min"};
static const char *const tissue_keys[] = {"name",       "description", "size_um", "voxel_um",
                                          "origin_um",  "tortuosity",  "fields",  "regions",
                                          "cells",      "recruitment"};
static const char *const field_keys[] = {"D_um2_per_s", "half_life_min", "initial_nM", "boundary"};
static const char *const boundary_keys[] = {"all",   "x_min", "x_max", "y_min",
                                            "y_max", "z_min", "z_max"};
static const char *const bc_keys[] = {"type", "value_nM"};
static const char *const bc_types[] = {"no_flux", "fixed"};
static const char *const region_keys[] = {"name",      "shape",     "min_um",
                                          "max_um",    "center_um", "radius_um",
                                          "axis",      "length_um", "diffusion_multiplier",
                                          "sources_nM_per_min", "sinks_per_min"};
static const char *const shape_names[] = {"box", "sphere", "cylinder"};
static const char *const axis_names[] = {"x", "y", "z"};
static const char *const seeding_keys[] = {"type", "state", "count", "region"};

/* Geometry keys and the shapes that use them (rows in scn_shape order). */
static const char *const geom_keys[] = {"min_um", "max_um", "center_um", "radius_um", "axis",
                                        "length_um"};
static const unsigned char geom_used[3][6] = {
    {1, 1, 0, 0, 0, 0}, /* box */
    {0, 0, 1, 1, 0, 0}, /* sphere */
    {0, 0, 1, 1, 1, 1}, /* cylinder */
};

static void mediator_names(const scenario *s, const char *names[SCN_MAX_MEDIATORS])
{
    for (int i = 0; i < s->n_mediators; i++) names[i] = s->mediators[i].name;
}

/* The value (h) must be a whole number (>= 1) of steps of dt_min. */
static ps_status check_step_multiple(ctx *c, const cJSON *obj, const char *key, double value_h,
                                     double dt_min)
{
    double ratio = value_h * 60.0 / dt_min;
    double k = nearbyint(ratio);
    if (k >= 1.0 && fabs(ratio - k) <= MULTIPLE_RTOL * ratio) return PS_OK;
    char dt[40], v[40], vmin[40];
    fmt_num(dt, sizeof dt, dt_min);
    fmt_num(v, sizeof v, value_h);
    fmt_num(vmin, sizeof vmin, value_h * 60.0);
    path_key(c, key);
    return fail(c, "expected a multiple of time.dt_min (%s min), got %s (%s min%s)", dt, v, vmin,
                cJSON_GetObjectItemCaseSensitive(obj, key) ? "" : ", the default");
}

static ps_status read_time(ctx *c, const cJSON *root, scenario *s)
{
    const cJSON *t;
    PS_TRY(read_object(c, root, "time", 1, "an object with duration_h", &t));
    size_t m = path_key(c, "time");
    PS_TRY(check_keys(c, t, time_keys, COUNT(time_keys)));
    PS_TRY(read_num(c, t, "duration_h", 1, 0.0, POS(8760.0), &s->duration_h));
    PS_TRY(read_num(c, t, "dt_min", 0, 1.0, POS(60.0), &s->dt_min));
    PS_TRY(read_num(c, t, "output_interval_h", 0, 1.0, POS(INFINITY), &s->output_interval_h));
    PS_TRY(read_num(c, t, "snapshot_interval_h", 0, 6.0, POS(INFINITY), &s->snapshot_interval_h));
    PS_TRY(check_step_multiple(c, t, "duration_h", s->duration_h, s->dt_min));
    PS_TRY(check_step_multiple(c, t, "output_interval_h", s->output_interval_h, s->dt_min));
    PS_TRY(check_step_multiple(c, t, "snapshot_interval_h", s->snapshot_interval_h, s->dt_min));
    path_pop(c, m);
    return PS_OK;
}

static ps_status read_engine(ctx *c, const cJSON *root, scenario *s)
{
    const cJSON *e;
    s->agent_capacity_factor = 2.0;
    PS_TRY(read_object(c, root, "engine", 0, "an object", &e));
    if (!e) return PS_OK;
    size_t m = path_key(c, "engine");
    PS_TRY(check_keys(c, e, engine_keys, COUNT(engine_keys)));
    PS_TRY(read_num(c, e, "agent_capacity_factor", 0, 2.0, RANGE(1.1, 100.0),
                    &s->agent_capacity_factor));
    path_pop(c, m);
    return PS_OK;
}

/* mediators[i].jak: unique JAK names; sets md->jak[] to 1 for each. */
static ps_status read_jaks(ctx *c, const cJSON *e, scn_mediator *md)
{
    const cJSON *a;
    int n;
    PS_TRY(read_array(c, e, "jak", 0, 0, SCN_N_JAKS, "unique JAK names (\"JAK1\", \"JAK2\", \"JAK3\", \"TYK2\")",
                      &a, &n));
    if (!a) return PS_OK;
    size_t m = path_key(c, "jak"), list_len = c->len;
    int first[SCN_N_JAKS] = {-1, -1, -1, -1};
    int i = 0;
    for (const cJSON *v = a->child; v; v = v->next, i++) {
        int k = 0;
        size_t mi = path_index(c, i);
        PS_TRY(enum_value(c, v, jak_names, SCN_N_JAKS, &k));
        if (first[k] >= 0)
            return fail(c, "expected a JAK not listed before, got \"%s\" (%.*s[%d] is the same)", jak_names[k],
                        (int)list_len, c->path, first[k]);
        first[k] = i;
        md->jak[k] = 1;
        path_pop(c, mi);
    }
    path_pop(c, m);
    return PS_OK;
}

static ps_status read_mediators(ctx *c, const cJSON *root, scenario *s)
{
    const cJSON *a;
    int n;
    PS_TRY(read_array(c, root, "mediators", 1, 1, SCN_MAX_MEDIATORS, "mediators", &a, &n));
    size_t m = path_key(c, "mediators"), list_len = c->len;
    const char *names[SCN_MAX_MEDIATORS];
    int i = 0;
    for (const cJSON *e = a->child; e; e = e->next, i++) {
        scn_mediator *md = &s->mediators[i];
        size_t mi = path_index(c, i);
        PS_TRY(expect_object(c, e, "an object with name and D_um2_per_s"));
        PS_TRY(check_keys(c, e, mediator_keys, COUNT(mediator_keys)));
        PS_TRY(read_name(c, e, "name", md->name));
        PS_TRY(check_unique(c, md->name, names, i, list_len));
        names[i] = md->name;
        PS_TRY(read_num(c, e, "D_um2_per_s", 1, 0.0, POS(10000.0), &md->D_um2_per_s));
        PS_TRY(read_num(c, e, "half_life_min", 0, 0.0, NONNEG(INFINITY), &md->half_life_min));
        PS_TRY(read_num(c, e, "kDa", 0, 17.0, POS(1000.0), &md->kDa));
        PS_TRY(read_jaks(c, e, md));
        path_pop(c, mi);
    }
    s->n_mediators = n;
    path_pop(c, m);
    return PS_OK;
}

/* obj.key as {mediator name: number}; entries not listed stay 0. When only_in is not
 * NULL, every mediator named must be present in that tissue. */
static ps_status read_mediator_map(ctx *c, const cJSON *obj, const char *key, const scenario *s,
                                   const scn_tissue *only_in, num_rule r,
                                   double out[SCN_MAX_MEDIATORS])
{
    const cJSON *map;
    PS_TRY(read_object(c, obj, key, 0, "an object {mediator name: number}", &map));
    if (!map) return PS_OK;
    const char *names[SCN_MAX_MEDIATORS];
    mediator_names(s, names);
    size_t m = path_key(c, key);
    for (const cJSON *it = map->child; it; it = it->next) {
        int idx = -1;
        size_t mk = path_key(c, it->string);
        PS_TRY(name_ref(c, NULL, it->string, "a mediator", names, s->n_mediators, &idx));
        if (only_in && !only_in->fields[idx].present) {
            const char *present[SCN_MAX_MEDIATORS] = {0};
            int np = 0;
            char list[1024];
            for (int j = 0; j < s->n_mediators; j++)
                if (only_in->fields[j].present) present[np++] = names[j];
            join(list, sizeof list, present, np, 10);
            return fail(c,
                        "expected the name of a mediator present in tissue \"%s\" (%s), got \"%s\" "
                        "(it is not listed in the tissue's fields)",
                        only_in->name, np ? list : "none", it->string);
        }
        PS_TRY(num_value(c, it, r, &out[idx]));
        path_pop(c, mk);
    }
    path_pop(c, m);
    return PS_OK;
}

static ps_status read_chemotaxis(ctx *c, const cJSON *e, const scenario *s, scn_cell_type *ct)
{
    const cJSON *ch;
    ct->chemotaxis_mediator = -1;
    PS_TRY(read_object(c, e, "chemotaxis", 0, "an object with mediator and speed_um_per_min", &ch));
    if (!ch) return PS_OK;
    size_t m = path_key(c, "chemotaxis");
    PS_TRY(check_keys(c, ch, chemotaxis_keys, COUNT(chemotaxis_keys)));
    const char *names[SCN_MAX_MEDIATORS];
    mediator_names(s, names);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(ch, "mediator");
    if (!v) return missing(c, "mediator", "the name of a mediator");
    size_t mm = path_key(c, "mediator");
    PS_TRY(name_ref(c, v, NULL, "a mediator", names, s->n_mediators, &ct->chemotaxis_mediator));
    path_pop(c, mm);
    PS_TRY(read_num(c, ch, "speed_um_per_min", 1, 0.0, NONNEG(100.0),
                    &ct->chemotaxis_speed_um_per_min));
    PS_TRY(read_num(c, ch, "Kd_nM", 0, 1.0, POS(INFINITY), &ct->chemotaxis_Kd_nM));
    PS_TRY(read_num(c, ch, "half_gradient_per_um", 0, 0.001, POS(INFINITY),
                    &ct->chemotaxis_half_gradient_per_um));
    path_pop(c, m);
    return PS_OK;
}

static ps_status read_states(ctx *c, const cJSON *e, const scenario *s, scn_cell_type *ct)
{
    const cJSON *a;
    int n;
    PS_TRY(read_array(c, e, "states", 0, 1, SCN_MAX_STATES, "states", &a, &n));
    if (!a) {
        ct->n_states = 1;
        copy_str(ct->states[0].name, SCN_NAME_MAX, "default");
        return PS_OK;
    }
    size_t m = path_key(c, "states"), list_len = c->len;
    const char *names[SCN_MAX_STATES];
    int i = 0;
    for (const cJSON *st = a->child; st; st = st->next, i++) {
        scn_state *sd = &ct->states[i];
        size_t mi = path_index(c, i);
        PS_TRY(expect_object(c, st, "an object with a name"));
        PS_TRY(check_keys(c, st, state_keys, COUNT(state_keys)));
        PS_TRY(read_name(c, st, "name", sd->name));
        PS_TRY(check_unique(c, sd->name, names, i, list_len));
        names[i] = sd->name;
        PS_TRY(read_mediator_map(c, st, "secretion_molecules_per_min", s, NULL, NONNEG(1e9),
                                 sd->secretion_molecules_per_min));
        PS_TRY(read_mediator_map(c, st, "uptake_um3_per_min", s, NULL, NONNEG(1e9),
                                 sd->uptake_um3_per_min));
        path_pop(c, mi);
    }
    ct->n_states = n;
    path_pop(c, m);
    return PS_OK;
}

/* obj.key (required) as the name of a mediator; *out = its index. */
static ps_status read_mediator_ref(ctx *c, const cJSON *obj, const char *key, const scenario *s, int *out)
{
    const char *names[SCN_MAX_MEDIATORS];
    mediator_names(s, names);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) return missing(c, key, "the name of a mediator");
    size_t m = path_key(c, key);
    PS_TRY(name_ref(c, v, NULL, "a mediator", names, s->n_mediators, out));
    path_pop(c, m);
    return PS_OK;
}

/* A driver {mediator, EC50_nM, hill[, rate_per_h]} at the current path; rate_max < 0:
 * an activator, which has no rate (rate_per_h stays 0). */
static ps_status read_driver(ctx *c, const cJSON *e, const scenario *s, double rate_max, scn_driver *d)
{
    int with_rate = rate_max >= 0.0;
    PS_TRY(expect_object(c, e, with_rate ? "an object with mediator, EC50_nM and rate_per_h"
                                         : "an object with mediator and EC50_nM"));
    if (with_rate) PS_TRY(check_keys(c, e, driver_keys, COUNT(driver_keys)));
    else PS_TRY(check_keys(c, e, activator_keys, COUNT(activator_keys)));
    PS_TRY(read_mediator_ref(c, e, "mediator", s, &d->mediator));
    PS_TRY(read_num(c, e, "EC50_nM", 1, 0.0, POS(1e6), &d->EC50_nM));
    PS_TRY(read_num(c, e, "hill", 0, 1.0, RANGE(0.1, 8.0), &d->hill));
    d->rate_per_h = 0.0;
    if (with_rate) PS_TRY(read_num(c, e, "rate_per_h", 1, 0.0, NONNEG(rate_max), &d->rate_per_h));
    return PS_OK;
}

/* obj.key as an array of min..SCN_MAX_DRIVERS drivers (see read_driver). */
static ps_status read_drivers(ctx *c, const cJSON *obj, const char *key, int required, int min,
                              double rate_max, const char *what, const scenario *s,
                              scn_driver out[SCN_MAX_DRIVERS], int *n_out)
{
    const cJSON *a;
    int n;
    PS_TRY(read_array(c, obj, key, required, min, SCN_MAX_DRIVERS, what, &a, &n));
    *n_out = 0;
    if (!a) return PS_OK;
    size_t m = path_key(c, key);
    int i = 0;
    for (const cJSON *e = a->child; e; e = e->next, i++) {
        size_t mi = path_index(c, i);
        PS_TRY(read_driver(c, e, s, rate_max, &out[i]));
        path_pop(c, mi);
    }
    *n_out = n;
    path_pop(c, m);
    return PS_OK;
}

/* An inhibitor {mediator, IC50_nM} at the current path. */
static ps_status read_inhibitor(ctx *c, const cJSON *e, const scenario *s, int *mediator, double *IC50_nM)
{
    PS_TRY(expect_object(c, e, "an object with mediator and IC50_nM"));
    PS_TRY(check_keys(c, e, inhibitor_keys, COUNT(inhibitor_keys)));
    PS_TRY(read_mediator_ref(c, e, "mediator", s, mediator));
    return read_num(c, e, "IC50_nM", 1, 0.0, POS(1e6), IC50_nM);
}

static ps_status read_jak_stat3(ctx *c, const cJSON *e, const scenario *s, scn_cell_type *ct)
{
    const cJSON *o;
    scn_jak_stat3 *js = &ct->jak_stat3;
    js->inhibitor_mediator = -1;
    PS_TRY(read_object(c, e, "jak_stat3", 0, "an object with activators", &o));
    if (!o) return PS_OK;
    size_t m = path_key(c, "jak_stat3");
    PS_TRY(check_keys(c, o, jak_stat3_keys, COUNT(jak_stat3_keys)));
    js->enabled = 1;
    PS_TRY(read_drivers(c, o, "activators", 1, 1, -1.0, "activators", s, js->activators, &js->n_activators));
    PS_TRY(read_num(c, o, "k_on_per_min", 0, 0.05, POS(10.0), &js->k_on_per_min));
    PS_TRY(read_num(c, o, "k_off_per_min", 0, 0.02, POS(10.0), &js->k_off_per_min));
    PS_TRY(read_num(c, o, "socs_synthesis_per_min", 0, 0.01, NONNEG(10.0), &js->socs_synthesis_per_min));
    PS_TRY(read_num(c, o, "socs_decay_per_min", 0, 0.005, POS(10.0), &js->socs_decay_per_min));
    PS_TRY(read_num(c, o, "socs_K", 0, 0.5, POS(1e3), &js->socs_K));
    const cJSON *inh;
    PS_TRY(read_object(c, o, "inhibitor", 0, "an object with mediator and IC50_nM", &inh));
    if (inh) {
        size_t mi = path_key(c, "inhibitor");
        PS_TRY(read_inhibitor(c, inh, s, &js->inhibitor_mediator, &js->inhibitor_IC50_nM));
        path_pop(c, mi);
    }
    PS_TRY(read_mediator_map(c, o, "secretion_gain", s, NULL, NONNEG(1000.0), js->secretion_gain));
    path_pop(c, m);
    return PS_OK;
}

/* obj.key (required) as the name of a state of ct; *out = its index. */
static ps_status read_state_ref(ctx *c, const cJSON *obj, const char *key, const scn_cell_type *ct, int *out)
{
    const char *names[SCN_MAX_STATES];
    char what[160];
    for (int i = 0; i < ct->n_states; i++) names[i] = ct->states[i].name;
    snprintf(what, sizeof what, "a state of cell type \"%s\"", ct->name);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) return missing(c, key, what);
    size_t m = path_key(c, key);
    PS_TRY(name_ref(c, v, NULL, what, names, ct->n_states, out));
    path_pop(c, m);
    return PS_OK;
}

static ps_status read_transition(ctx *c, const cJSON *e, const scenario *s, const scn_cell_type *ct,
                                 scn_transition *tr)
{
    PS_TRY(expect_object(c, e, "an object with from and to"));
    PS_TRY(check_keys(c, e, transition_keys, COUNT(transition_keys)));
    PS_TRY(read_state_ref(c, e, "from", ct, &tr->from));
    PS_TRY(read_state_ref(c, e, "to", ct, &tr->to));
    if (tr->to == tr->from) {
        path_key(c, "to");
        return fail(c, "expected a state other than from (\"%s\"), got \"%s\"", ct->states[tr->from].name,
                    ct->states[tr->to].name);
    }
    PS_TRY(read_num(c, e, "rate_per_h", 0, 0.0, NONNEG(1000.0), &tr->rate_per_h));
    PS_TRY(read_num(c, e, "pstat3_rate_per_h", 0, 0.0, NONNEG(1000.0), &tr->pstat3_rate_per_h));
    if (tr->pstat3_rate_per_h != 0.0 && !ct->jak_stat3.enabled) {
        char got[40];
        fmt_num(got, sizeof got, tr->pstat3_rate_per_h);
        path_key(c, "pstat3_rate_per_h");
        return fail(c, "expected 0 when the type has no jak_stat3 block (pSTAT3 is 0 without one), got %s", got);
    }
    PS_TRY(read_drivers(c, e, "drivers", 0, 0, 1000.0, "drivers", s, tr->drivers, &tr->n_drivers));
    const cJSON *a;
    int n;
    PS_TRY(read_array(c, e, "inhibitors", 0, 0, SCN_MAX_DRIVERS, "inhibitors", &a, &n));
    if (a) {
        size_t m = path_key(c, "inhibitors");
        int i = 0;
        for (const cJSON *it = a->child; it; it = it->next, i++) {
            size_t mi = path_index(c, i);
            PS_TRY(read_inhibitor(c, it, s, &tr->inhibitors[i].mediator, &tr->inhibitors[i].IC50_nM));
            path_pop(c, mi);
        }
        path_pop(c, m);
    }
    tr->n_inhibitors = n;
    return PS_OK;
}

static ps_status read_transitions(ctx *c, const cJSON *e, const scenario *s, scn_cell_type *ct)
{
    const cJSON *a;
    int n;
    PS_TRY(read_array(c, e, "transitions", 0, 0, SCN_MAX_TRANSITIONS, "transitions", &a, &n));
    if (!a) return PS_OK;
    size_t m = path_key(c, "transitions");
    int i = 0;
    for (const cJSON *t = a->child; t; t = t->next, i++) {
        size_t mi = path_index(c, i);
        PS_TRY(read_transition(c, t, s, ct, &ct->transitions[i]));
        path_pop(c, mi);
    }
    ct->n_transitions = n;
    path_pop(c, m);
    return PS_OK;
}

static ps_status read_ref(ctx *c, const cJSON *obj, const char *key, int required, const char *what,
                          const char *const *names, int n, int *out);

/* cell_types[i].contacts, read once every type is known (partners may come later). */
static ps_status read_contacts(ctx *c, const cJSON *e, const scenario *s, scn_cell_type *ct)
{
    const cJSON *a;
    int n;
    PS_TRY(read_array(c, e, "contacts", 0, 0, SCN_MAX_CONTACTS, "contact rules", &a, &n));
    ct->n_contacts = 0;
    if (!a) return PS_OK;
    const char *names[SCN_MAX_TYPES > SCN_MAX_STATES ? SCN_MAX_TYPES : SCN_MAX_STATES];
    char what[160];
    size_t m = path_key(c, "contacts");
    int i = 0;
    for (const cJSON *r = a->child; r; r = r->next, i++) {
        scn_contact *k = &ct->contacts[i];
        size_t mi = path_index(c, i);
        PS_TRY(expect_object(c, r, "an object with partner and rate_per_h"));
        PS_TRY(check_keys(c, r, contact_keys, COUNT(contact_keys)));
        for (int t = 0; t < s->n_types; t++) names[t] = s->types[t].name;
        PS_TRY(read_ref(c, r, "partner", 1, "a cell type", names, s->n_types, &k->partner));
        const scn_cell_type *pt = &s->types[k->partner];
        for (int t = 0; t < pt->n_states; t++) names[t] = pt->states[t].name;
        snprintf(what, sizeof what, "a state of cell type \"%s\"", pt->name);
        PS_TRY(read_ref(c, r, "partner_state", 0, what, names, pt->n_states, &k->partner_state));
        for (int t = 0; t < ct->n_states; t++) names[t] = ct->states[t].name;
        snprintf(what, sizeof what, "a state of cell type \"%s\"", ct->name);
        PS_TRY(read_ref(c, r, "from", 0, what, names, ct->n_states, &k->from));
        PS_TRY(read_ref(c, r, "to", 0, what, names, ct->n_states, &k->to));
        PS_TRY(read_bool(c, r, "eat", 0, &k->eat));
        PS_TRY(read_num(c, r, "range_um", 0, 0.0, NONNEG(1000.0), &k->range_um));
        PS_TRY(read_num(c, r, "rate_per_h", 1, 0.0, POS(1000.0), &k->rate_per_h));
        if (!k->eat && k->to < 0)
            return fail(c, "expected \"eat\": true or a state \"to\": the rule would do nothing");
        path_pop(c, mi);
    }
    ct->n_contacts = n;
    path_pop(c, m);
    return PS_OK;
}

static ps_status read_types(ctx *c, const cJSON *root, scenario *s)
{
    const cJSON *a;
    int n;
    PS_TRY(read_array(c, root, "cell_types", 0, 0, SCN_MAX_TYPES, "cell types", &a, &n));
    if (!a) return PS_OK;
    size_t m = path_key(c, "cell_types"), list_len = c->len;
    const char *names[SCN_MAX_TYPES];
    int i = 0;
    for (const cJSON *e = a->child; e; e = e->next, i++) {
        scn_cell_type *ct = &s->types[i];
        size_t mi = path_index(c, i);
        PS_TRY(expect_object(c, e, "an object with a name"));
        PS_TRY(check_keys(c, e, type_keys, COUNT(type_keys)));
        PS_TRY(read_name(c, e, "name", ct->name));
        PS_TRY(check_unique(c, ct->name, names, i, list_len));
        names[i] = ct->name;
        PS_TRY(read_num(c, e, "radius_um", 0, 5.0, POS(100.0), &ct->radius_um));
        PS_TRY(read_num(c, e, "speed_um_per_min", 0, 0.0, NONNEG(100.0), &ct->speed_um_per_min));
        PS_TRY(read_num(c, e, "persistence_min", 0, 5.0, POS(10000.0), &ct->persistence_min));
        PS_TRY(read_num(c, e, "repulsion_um_per_min", 0, 1.0, NONNEG(100.0),
                        &ct->repulsion_um_per_min));
        PS_TRY(read_num(c, e, "death_rate_per_h", 0, 0.0, NONNEG(100.0), &ct->death_rate_per_h));
        PS_TRY(read_num(c, e, "division_rate_per_h", 0, 0.0, NONNEG(100.0),
                        &ct->division_rate_per_h));
        PS_TRY(read_chemotaxis(c, e, s, ct));
        PS_TRY(read_states(c, e, s, ct));
        PS_TRY(read_jak_stat3(c, e, s, ct));
        PS_TRY(read_transitions(c, e, s, ct));
        PS_TRY(read_drivers(c, e, "division_drivers", 0, 0, 100.0, "division drivers", s, ct->division_drivers,
                            &ct->n_division_drivers));
        path_pop(c, mi);
    }
    s->n_types = n;
    i = 0;
    for (const cJSON *e = a->child; e; e = e->next, i++) {
        size_t mi = path_index(c, i);
        PS_TRY(read_contacts(c, e, s, &s->types[i]));
        path_pop(c, mi);
    }
    path_pop(c, m);
    return PS_OK;
}

/* A boundary condition {"type": ..., "value_nM": ...} at the current path. */
static ps_status read_bc(ctx *c, const cJSON *v, scn_bc *bc)
{
    int kind = 0;
    PS_TRY(expect_object(c, v, "an object {\"type\": \"no_flux\"} or {\"type\": \"fixed\", \"value_nM\": number}"));
    PS_TRY(check_keys(c, v, bc_keys, COUNT(bc_keys)));
    PS_TRY(read_enum(c, v, "type", bc_types, COUNT(bc_types), &kind));
    if (kind == SCN_BC_NO_FLUX) {
        if (cJSON_GetObjectItemCaseSensitive(v, "value_nM")) {
            path_key(c, "value_nM");
            return fail(c, "key not allowed for type \"no_flux\" (only a \"fixed\" boundary has a value)");
        }
        bc->kind = SCN_BC_NO_FLUX;
        bc->value_nM = 0.0;
        return PS_OK;
    }
    bc->kind = SCN_BC_FIXED;
    return read_num(c, v, "value_nM", 1, 0.0, NONNEG(INFINITY), &bc->value_nM);
}

static ps_status read_boundary(ctx *c, const cJSON *fo, scn_field *f)
{
    const cJSON *b;
    PS_TRY(read_object(c, fo, "boundary", 0, "an object keyed by all, x_min, ..., z_max", &b));
    if (!b) return PS_OK;
    size_t m = path_key(c, "boundary");
    PS_TRY(check_keys(c, b, boundary_keys, COUNT(boundary_keys)));
    const cJSON *all = cJSON_GetObjectItemCaseSensitive(b, "all");
    if (all) {
        scn_bc bc;
        memset(&bc, 0, sizeof bc);
        size_t ma = path_key(c, "all");
        PS_TRY(read_bc(c, all, &bc));
        path_pop(c, ma);
        for (int face = 0; face < SCN_FACES; face++) {
            f->bc[face].kind = bc.kind;
            f->bc[face].value_nM = bc.value_nM;
        }
    }
    for (int face = 0; face < SCN_FACES; face++) {
        const char *key = boundary_keys[1 + face];
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(b, key);
        if (!v) continue;
        size_t mf = path_key(c, key);
        PS_TRY(read_bc(c, v, &f->bc[face]));
        path_pop(c, mf);
    }
    path_pop(c, m);
    return PS_OK;
}

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

static ps_status read_fields(ctx *c, const cJSON *to, const scenario *s, scn_tissue *t)
{
    const cJSON *fs;
    PS_TRY(read_object(c, to, "fields", 0, "an object keyed by mediator name", &fs));
    if (!fs) {
        for (int i = 0; i < s->n_mediators; i++) default_field(&t->fields[i], &s->mediators[i], t->tortuosity);
        return PS_OK;
    }
    const char *names[SCN_MAX_MEDIATORS];
    mediator_names(s, names);
    size_t m = path_key(c, "fields");
    for (const cJSON *it = fs->child; it; it = it->next) {
        int idx = -1;
        size_t mk = path_key(c, it->string);
        PS_TRY(name_ref(c, NULL, it->string, "a mediator", names, s->n_mediators, &idx));
        PS_TRY(expect_object(c, it, "an object (may be empty: {})"));
        PS_TRY(check_keys(c, it, field_keys, COUNT(field_keys)));
        scn_field *f = &t->fields[idx];
        const scn_mediator *md = &s->mediators[idx];
        default_field(f, md, t->tortuosity);
        PS_TRY(read_num(c, it, "D_um2_per_s", 0, f->D_um2_per_s, POS(INFINITY), &f->D_um2_per_s));
        PS_TRY(read_num(c, it, "half_life_min", 0, md->half_life_min, NONNEG(INFINITY),
                        &f->half_life_min));
        PS_TRY(read_num(c, it, "initial_nM", 0, 0.0, NONNEG(1e6), &f->initial_nM));
        PS_TRY(read_boundary(c, it, f));
        path_pop(c, mk);
    }
    path_pop(c, m);
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
static int region_has_voxel(const scn_tissue *t, const scn_region *r)
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

static ps_status read_region(ctx *c, const cJSON *e, const scenario *s, scn_tissue *t, int i,
                             size_t list_len)
{
    scn_region *r = &t->regions[i];
    int shape = 0;
    PS_TRY(expect_object(c, e, "an object with name and shape"));
    PS_TRY(check_keys(c, e, region_keys, COUNT(region_keys)));
    PS_TRY(read_name(c, e, "name", r->name));
    const char *names[SCN_MAX_REGIONS];
    for (int j = 0; j < i; j++) names[j] = t->regions[j].name;
    PS_TRY(check_unique(c, r->name, names, i, list_len));
    PS_TRY(read_enum(c, e, "shape", shape_names, COUNT(shape_names), &shape));
    r->shape = (scn_shape)shape;
    for (int k = 0; k < COUNT(geom_keys); k++) {
        if (geom_used[shape][k] || !cJSON_GetObjectItemCaseSensitive(e, geom_keys[k])) continue;
        const char *owners[3];
        const char *wanted[6];
        int no = 0, nw = 0;
        char olist[64], wlist[128];
        for (int sh = 0; sh < 3; sh++)
            if (geom_used[sh][k]) owners[no++] = shape_names[sh];
        for (int j = 0; j < COUNT(geom_keys); j++)
            if (geom_used[shape][j]) wanted[nw++] = geom_keys[j];
        join(olist, sizeof olist, owners, no, no);
        join(wlist, sizeof wlist, wanted, nw, nw);
        path_key(c, geom_keys[k]);
        return fail(c, "key not allowed for shape \"%s\" (it belongs to %s); a %s is given by %s",
                    shape_names[shape], olist, shape_names[shape], wlist);
    }
    if (shape == SCN_SHAPE_BOX) {
        PS_TRY(read_vec3(c, e, "min_um", 1, NULL, ANY_NUM, r->min_um));
        PS_TRY(read_vec3(c, e, "max_um", 1, NULL, ANY_NUM, r->max_um));
        for (int a = 0; a < 3; a++) {
            if (r->max_um[a] > r->min_um[a]) continue;
            char lo[40], hi[40];
            fmt_num(lo, sizeof lo, r->min_um[a]);
            fmt_num(hi, sizeof hi, r->max_um[a]);
            path_key(c, "max_um");
            path_index(c, a);
            return fail(c, "expected a number > min_um[%d] (%s), got %s", a, lo, hi);
        }
    } else {
        PS_TRY(read_vec3(c, e, "center_um", 1, NULL, ANY_NUM, r->center_um));
        PS_TRY(read_num(c, e, "radius_um", 1, 0.0, POS(INFINITY), &r->radius_um));
        if (shape == SCN_SHAPE_CYLINDER) {
            PS_TRY(read_enum(c, e, "axis", axis_names, COUNT(axis_names), &r->axis));
            PS_TRY(read_num(c, e, "length_um", 1, 0.0, POS(INFINITY), &r->length_um));
        }
    }
    PS_TRY(read_num(c, e, "diffusion_multiplier", 0, 1.0, POS(100.0), &r->diffusion_multiplier));
    PS_TRY(read_mediator_map(c, e, "sources_nM_per_min", s, t, NONNEG(INFINITY), r->source_nM_per_min));
    PS_TRY(read_mediator_map(c, e, "sinks_per_min", s, t, NONNEG(INFINITY), r->sink_per_min));
    if (!region_has_voxel(t, r)) {
        int dims[3];
        char lo[3][40], hi[3][40];
        scenario_tissue_dims(t, dims);
        for (int a = 0; a < 3; a++) {
            fmt_num(lo[a], sizeof lo[a], 0.5 * t->voxel_um);
            fmt_num(hi[a], sizeof hi[a], (dims[a] - 0.5) * t->voxel_um);
        }
        return fail(c,
                    "expected a region that contains at least one voxel centre of the tissue grid "
                    "(centres at (i+0.5)*voxel_um: x %s..%s, y %s..%s, z %s..%s µm), got a %s "
                    "that contains none",
                    lo[0], hi[0], lo[1], hi[1], lo[2], hi[2], shape_names[shape]);
    }
    return PS_OK;
}

static ps_status read_seeding(ctx *c, const cJSON *e, const scenario *s, const scn_tissue *t,
                              scn_seeding *sd)
{
    const char *names[SCN_MAX_TYPES > SCN_MAX_REGIONS ? SCN_MAX_TYPES : SCN_MAX_REGIONS];
    char what[160];
    double count;
    PS_TRY(expect_object(c, e, "an object with type and count"));
    PS_TRY(check_keys(c, e, seeding_keys, COUNT(seeding_keys)));

    const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, "type");
    if (!v) return missing(c, "type", "the name of a cell type");
    for (int i = 0; i < s->n_types; i++) names[i] = s->types[i].name;
    size_t m = path_key(c, "type");
    PS_TRY(name_ref(c, v, NULL, "a cell type", names, s->n_types, &sd->type));
    path_pop(c, m);

    const scn_cell_type *ct = &s->types[sd->type];
    sd->state = 0;
    v = cJSON_GetObjectItemCaseSensitive(e, "state");
    if (v) {
        for (int i = 0; i < ct->n_states; i++) names[i] = ct->states[i].name;
        snprintf(what, sizeof what, "a state of cell type \"%s\"", ct->name);
        m = path_key(c, "state");
        PS_TRY(name_ref(c, v, NULL, what, names, ct->n_states, &sd->state));
        path_pop(c, m);
    }

    PS_TRY(read_num(c, e, "count", 1, 0.0, INT_RANGE(0.0, 1e9), &count));
    sd->count = (int64_t)count;

    sd->region = -1;
    v = cJSON_GetObjectItemCaseSensitive(e, "region");
    if (v) {
        for (int i = 0; i < t->n_regions; i++) names[i] = t->regions[i].name;
        snprintf(what, sizeof what, "a region of tissue \"%s\"", t->name);
        m = path_key(c, "region");
        PS_TRY(name_ref(c, v, NULL, what, names, t->n_regions, &sd->region));
        path_pop(c, m);
    }
    return PS_OK;
}

/* obj.key (required unless opt) naming an element of names[]; *out its index, -1 when absent. */
static ps_status read_ref(ctx *c, const cJSON *obj, const char *key, int required, const char *what,
                          const char *const *names, int n, int *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    *out = -1;
    if (!v) {
        if (!required) return PS_OK;
        char want[200];
        snprintf(want, sizeof want, "the name of %s", what);
        return missing(c, key, want);
    }
    size_t m = path_key(c, key);
    PS_TRY(name_ref(c, v, NULL, what, names, n, out));
    path_pop(c, m);
    return PS_OK;
}

static ps_status read_recruitment(ctx *c, const cJSON *e, const scenario *s, const scn_tissue *t,
                                  scn_recruitment *r)
{
    const char *names[SCN_MAX_TYPES > SCN_MAX_REGIONS ? SCN_MAX_TYPES : SCN_MAX_REGIONS];
    char what[160];
    PS_TRY(expect_object(c, e, "an object with type and rate_per_mm3_per_h"));
    PS_TRY(check_keys(c, e, recruitment_keys, COUNT(recruitment_keys)));
    for (int i = 0; i < s->n_types; i++) names[i] = s->types[i].name;
    PS_TRY(read_ref(c, e, "type", 1, "a cell type", names, s->n_types, &r->type));
    const scn_cell_type *ct = &s->types[r->type];
    for (int i = 0; i < ct->n_states; i++) names[i] = ct->states[i].name;
    snprintf(what, sizeof what, "a state of cell type \"%s\"", ct->name);
    PS_TRY(read_ref(c, e, "state", 0, what, names, ct->n_states, &r->state));
    if (r->state < 0) r->state = 0;
    for (int i = 0; i < t->n_regions; i++) names[i] = t->regions[i].name;
    snprintf(what, sizeof what, "a region of tissue \"%s\"", t->name);
    PS_TRY(read_ref(c, e, "region", 0, what, names, t->n_regions, &r->region));
    PS_TRY(read_num(c, e, "rate_per_mm3_per_h", 1, 0.0, NONNEG(1e9), &r->rate_per_mm3_per_h));
    PS_TRY(read_num(c, e, "barrier_permeability", 0, 1.0, RANGE(0.0, 1.0), &r->barrier_permeability));
    PS_TRY(read_num(c, e, "female_rate_factor", 0, 1.0, POS(1000.0), &r->female_rate_factor));
    r->chemokine.mediator = -1;
    const cJSON *o;
    PS_TRY(read_object(c, e, "chemokine", 0, "an object with mediator and EC50_nM", &o));
    if (o) {
        size_t m = path_key(c, "chemokine");
        PS_TRY(read_driver(c, o, s, -1.0, &r->chemokine));
        path_pop(c, m);
    }
    PS_TRY(read_object(c, e, "priming", 0, "an object with from_h and peak_h", &o));
    if (o) {
        size_t m = path_key(c, "priming");
        PS_TRY(check_keys(c, o, priming_keys, COUNT(priming_keys)));
        PS_TRY(read_num(c, o, "from_h", 0, 0.0, NONNEG(8760.0), &r->priming_from_h));
        PS_TRY(read_num(c, o, "peak_h", 1, 0.0, POS(8760.0), &r->priming_peak_h));
        path_pop(c, m);
    }
    return PS_OK;
}

static ps_status read_tissue(ctx *c, const cJSON *e, scenario *s, int k, size_t tissues_len)
{
    scn_tissue *t = &s->tissues[k];
    const char *names[SCN_MAX_TISSUES];
    PS_TRY(expect_object(c, e, "an object with name, size_um and voxel_um"));
    PS_TRY(check_keys(c, e, tissue_keys, COUNT(tissue_keys)));
    PS_TRY(read_name(c, e, "name", t->name));
    for (int j = 0; j < k; j++) names[j] = s->tissues[j].name;
    PS_TRY(check_unique(c, t->name, names, k, tissues_len));
    PS_TRY(read_text(c, e, "description", t->description, sizeof t->description));
    PS_TRY(read_vec3(c, e, "size_um", 1, NULL, POS(INFINITY), t->size_um));
    PS_TRY(read_num(c, e, "voxel_um", 1, 0.0, POS(1000.0), &t->voxel_um));

    /* Grid: each edge a whole number of voxels, 1..1024 per axis, 2^27 in all. */
    double total = 1.0;
    char vox[40], sz[40];
    fmt_num(vox, sizeof vox, t->voxel_um);
    for (int a = 0; a < 3; a++) {
        double ratio = t->size_um[a] / t->voxel_um;
        double n = nearbyint(ratio);
        fmt_num(sz, sizeof sz, t->size_um[a]);
        if (n < 1.0 || fabs(ratio - n) > MULTIPLE_RTOL * ratio) {
            path_key(c, "size_um");
            path_index(c, a);
            return fail(c, "expected a multiple of voxel_um (%s µm), got %s", vox, sz);
        }
        if (n > MAX_AXIS_VOXELS) {
            path_key(c, "size_um");
            path_index(c, a);
            return fail(c, "expected at most %d voxels along %s (voxel_um %s µm), got %s µm = %.0f voxels",
                        MAX_AXIS_VOXELS, axis_names[a], vox, sz, n);
        }
        total *= n;
    }
    if (total > (double)MAX_TOTAL_VOXELS) {
        int dims[3];
        scenario_tissue_dims(t, dims);
        path_key(c, "size_um");
        return fail(c, "expected at most %ld voxels in total, got %d x %d x %d = %.0f voxels "
                       "(use a larger voxel_um or a smaller tissue)",
                    MAX_TOTAL_VOXELS, dims[0], dims[1], dims[2], total);
    }

    double def_origin[3] = {0.0, 0.0, 0.0};
    if (k > 0) def_origin[0] = s->tissues[k - 1].origin_um[0] + s->tissues[k - 1].size_um[0] + TISSUE_GAP_UM;
    PS_TRY(read_vec3(c, e, "origin_um", 0, def_origin, ANY_NUM, t->origin_um));
    PS_TRY(read_num(c, e, "tortuosity", 0, 1.6, RANGE(1.0, 10.0), &t->tortuosity));
    PS_TRY(read_fields(c, e, s, t));

    const cJSON *a;
    int n;
    PS_TRY(read_array(c, e, "regions", 0, 0, SCN_MAX_REGIONS, "regions", &a, &n));
    if (a) {
        size_t m = path_key(c, "regions"), list_len = c->len;
        int i = 0;
        for (const cJSON *r = a->child; r; r = r->next, i++) {
            size_t mi = path_index(c, i);
            PS_TRY(read_region(c, r, s, t, i, list_len));
            path_pop(c, mi);
        }
        path_pop(c, m);
    }
    t->n_regions = n;

    PS_TRY(read_array(c, e, "cells", 0, 0, SCN_MAX_SEEDINGS, "cell seedings", &a, &n));
    if (a) {
        size_t m = path_key(c, "cells");
        int i = 0;
        for (const cJSON *sd = a->child; sd; sd = sd->next, i++) {
            size_t mi = path_index(c, i);
            PS_TRY(read_seeding(c, sd, s, t, &t->seedings[i]));
            path_pop(c, mi);
        }
        path_pop(c, m);
    }
    t->n_seedings = n;

    PS_TRY(read_array(c, e, "recruitment", 0, 0, SCN_MAX_RECRUITMENTS, "recruitment rules", &a, &n));
    if (a) {
        size_t m = path_key(c, "recruitment");
        int i = 0;
        for (const cJSON *r = a->child; r; r = r->next, i++) {
            size_t mi = path_index(c, i);
            PS_TRY(read_recruitment(c, r, s, t, &t->recruitments[i]));
            path_pop(c, mi);
        }
        path_pop(c, m);
    }
    t->n_recruitments = n;
    return PS_OK;
}

static ps_status read_tissues(ctx *c, const cJSON *root, scenario *s)
{
    const cJSON *a;
    int n;
    PS_TRY(read_array(c, root, "tissues", 1, 1, SCN_MAX_TISSUES, "tissues", &a, &n));
    size_t m = path_key(c, "tissues"), list_len = c->len;
    int i = 0;
    for (const cJSON *e = a->child; e; e = e->next, i++) {
        size_t mi = path_index(c, i);
        PS_TRY(read_tissue(c, e, s, i, list_len));
        path_pop(c, mi);
        s->n_tissues = i + 1;
    }
    path_pop(c, m);
    return PS_OK;
}

static void tissue_names(const scenario *s, const char *names[SCN_MAX_TISSUES])
{
    for (int i = 0; i < s->n_tissues; i++) names[i] = s->tissues[i].name;
}

/* A start time (already read into start_h) must lie before the end of the simulation. */
static ps_status check_starts_in_time(ctx *c, const scenario *s, double start_h, const char *what)
{
    if (start_h < s->duration_h) return PS_OK;
    char dur[40], got[40];
    fmt_num(dur, sizeof dur, s->duration_h);
    fmt_num(got, sizeof got, start_h);
    path_key(c, "start_h");
    return fail(c, "expected a number < time.duration_h (%s h), got %s: the %s starts after the end of the "
                   "simulation", dur, got, what);
}

static ps_status read_dose(ctx *c, const cJSON *e, const scenario *s, scn_dose *d)
{
    double count;
    PS_TRY(expect_object(c, e, "an object with start_h and mg_per_kg"));
    PS_TRY(check_keys(c, e, dose_keys, COUNT(dose_keys)));
    PS_TRY(read_num(c, e, "start_h", 1, 0.0, NONNEG(8760.0), &d->start_h));
    PS_TRY(check_starts_in_time(c, s, d->start_h, "dose course"));
    PS_TRY(read_num(c, e, "every_h", 0, 24.0, POS(8760.0), &d->every_h));
    PS_TRY(read_num(c, e, "count", 0, 1.0, INT_RANGE(1.0, 10000.0), &count));
    d->count = (int)count;
    return read_num(c, e, "mg_per_kg", 1, 0.0, NONNEG(1e4), &d->mg_per_kg);
}

static ps_status read_ic50(ctx *c, const cJSON *e, scn_drug *dr)
{
    static const char *const want = "an object {JAK name: IC50 in nM} with keys among JAK1, JAK2, JAK3, TYK2";
    const cJSON *o;
    PS_TRY(read_object(c, e, "ic50_nM", 0, want, &o));
    if (!o) return PS_OK;   /* a drug that inhibits no JAK (e.g. a chemotherapy) */
    size_t m = path_key(c, "ic50_nM");
    PS_TRY(check_keys(c, o, jak_names, SCN_N_JAKS));
    for (int k = 0; k < SCN_N_JAKS; k++)
        PS_TRY(read_num(c, o, jak_names[k], 0, 0.0, POS(1e9), &dr->ic50_nM[k]));
    path_pop(c, m);
    return PS_OK;
}

static ps_status read_tissue_fraction(ctx *c, const cJSON *e, const scenario *s, scn_drug *dr)
{
    static const char *const want_it =
        "an object {tissue name: fraction in [0, 1]} naming at least one tissue (an intrathecal drug reaches "
        "only the tissues listed)";
    const char *names[SCN_MAX_TISSUES];
    const cJSON *o;
    int it = dr->route == SCN_ROUTE_INTRATHECAL;
    tissue_names(s, names);
    PS_TRY(read_object(c, e, "tissue_fraction", it,
                       it ? want_it : "an object {tissue name: fraction in [0, 1]}", &o));
    for (int i = 0; i < s->n_tissues; i++) dr->tissue_fraction[i] = it ? 0.0 : 1.0;
    if (!o) return PS_OK;
    size_t m = path_key(c, "tissue_fraction");
    if (it && !o->child) return expect_type_fail(c, want_it, o);
    for (const cJSON *v = o->child; v; v = v->next) {
        int idx = -1;
        size_t mk = path_key(c, v->string);
        PS_TRY(name_ref(c, NULL, v->string, "a tissue", names, s->n_tissues, &idx));
        PS_TRY(num_value(c, v, RANGE(0.0, 1.0), &dr->tissue_fraction[idx]));
        path_pop(c, mk);
    }
    path_pop(c, m);
    return PS_OK;
}

static ps_status read_drug(ctx *c, const cJSON *e, scenario *s, int k, size_t list_len)
{
    scn_drug *dr = &s->drugs[k];
    const char *names[SCN_MAX_DRUGS];
    int route = 0;
    PS_TRY(expect_object(c, e, "an object with name, mw_g_per_mol, half_life_h, Vd_L_per_kg, ic50_nM and doses"));
    PS_TRY(check_keys(c, e, drug_keys, COUNT(drug_keys)));
    PS_TRY(read_name(c, e, "name", dr->name));
    for (int j = 0; j < k; j++) names[j] = s->drugs[j].name;
    PS_TRY(check_unique(c, dr->name, names, k, list_len));
    PS_TRY(read_num(c, e, "mw_g_per_mol", 1, 0.0, POS(1e6), &dr->mw_g_per_mol));
    PS_TRY(read_num(c, e, "half_life_h", 1, 0.0, POS(1e4), &dr->half_life_h));
    PS_TRY(read_num(c, e, "bioavailability", 0, 1.0, POS(1.0), &dr->bioavailability));
    PS_TRY(read_num(c, e, "Vd_L_per_kg", 1, 0.0, POS(1e4), &dr->Vd_L_per_kg));
    PS_TRY(read_ic50(c, e, dr));
    if (cJSON_GetObjectItemCaseSensitive(e, "route"))
        PS_TRY(read_enum(c, e, "route", route_names, COUNT(route_names), &route));
    dr->route = (scn_route)route;
    PS_TRY(read_tissue_fraction(c, e, s, dr));

    const cJSON *a;
    int n;
    PS_TRY(read_array(c, e, "doses", 1, 1, SCN_MAX_DOSES, "dose courses", &a, &n));
    size_t m = path_key(c, "doses");
    int i = 0;
    for (const cJSON *d = a->child; d; d = d->next, i++) {
        size_t mi = path_index(c, i);
        PS_TRY(read_dose(c, d, s, &dr->doses[i]));
        path_pop(c, mi);
    }
    dr->n_doses = n;
    path_pop(c, m);
    return PS_OK;
}

static ps_status read_drugs(ctx *c, const cJSON *root, scenario *s)
{
    const cJSON *a;
    int n;
    PS_TRY(read_array(c, root, "drugs", 0, 0, SCN_MAX_DRUGS, "drugs", &a, &n));
    if (!a) return PS_OK;
    size_t m = path_key(c, "drugs"), list_len = c->len;
    int i = 0;
    for (const cJSON *e = a->child; e; e = e->next, i++) {
        size_t mi = path_index(c, i);
        PS_TRY(read_drug(c, e, s, i, list_len));
        path_pop(c, mi);
    }
    s->n_drugs = n;
    path_pop(c, m);
    return PS_OK;
}

static ps_status read_perturbation(ctx *c, const cJSON *e, const scenario *s, scn_perturbation *p)
{
    int kind = 0;
    PS_TRY(expect_object(c, e, "an object with kind"));
    PS_TRY(check_keys(c, e, perturbation_keys, COUNT(perturbation_keys)));
    PS_TRY(read_enum(c, e, "kind", perturb_kinds, COUNT(perturb_kinds), &kind));
    p->kind = (scn_perturb_kind)kind;
    for (int k = 0; k < COUNT(perturb_kind_keys); k++) {
        if (perturb_used[kind][k] || !cJSON_GetObjectItemCaseSensitive(e, perturb_kind_keys[k])) continue;
        const char *owners[3];
        const char *wanted[8];
        int no = 0, nw = 0;
        char olist[64], wlist[160];
        for (int kd = 0; kd < 3; kd++)
            if (perturb_used[kd][k]) owners[no++] = perturb_kinds[kd];
        for (int j = 0; j < COUNT(perturb_kind_keys); j++)
            if (perturb_used[kind][j]) wanted[nw++] = perturb_kind_keys[j];
        wanted[nw++] = "tissue";
        wanted[nw++] = "start_h";
        wanted[nw++] = "stop_h";
        join(olist, sizeof olist, owners, no, no);
        join(wlist, sizeof wlist, wanted, nw, nw);
        path_key(c, perturb_kind_keys[k]);
        return fail(c, "key not allowed for kind \"%s\" (it belongs to %s); a %s takes %s", perturb_kinds[kind],
                    olist, perturb_kinds[kind], wlist);
    }
    const char *names[SCN_MAX_TYPES > SCN_MAX_TISSUES ? SCN_MAX_TYPES : SCN_MAX_TISSUES];
    p->type = -1;
    if (perturb_used[kind][0]) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, "type");
        if (!v) return missing(c, "type", "the name of a cell type");
        for (int i = 0; i < s->n_types; i++) names[i] = s->types[i].name;
        size_t m = path_key(c, "type");
        PS_TRY(name_ref(c, v, NULL, "a cell type", names, s->n_types, &p->type));
        path_pop(c, m);
    }
    p->mediator = -1;
    if (perturb_used[kind][1]) PS_TRY(read_mediator_ref(c, e, "mediator", s, &p->mediator));
    p->tissue = -1;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, "tissue");
    if (v) {
        tissue_names(s, names);
        size_t m = path_key(c, "tissue");
        PS_TRY(name_ref(c, v, NULL, "a tissue", names, s->n_tissues, &p->tissue));
        path_pop(c, m);
    }
    PS_TRY(read_num(c, e, "start_h", 0, 0.0, NONNEG(8760.0), &p->start_h));
    PS_TRY(check_starts_in_time(c, s, p->start_h, "perturbation"));
    PS_TRY(read_num(c, e, "stop_h", 0, s->duration_h, POS(INFINITY), &p->stop_h));
    if (p->stop_h <= p->start_h) {
        char lo[40], got[40];
        fmt_num(lo, sizeof lo, p->start_h);
        fmt_num(got, sizeof got, p->stop_h);
        path_key(c, "stop_h");
        return fail(c, "expected a number > start_h (%s), got %s", lo, got);
    }
    p->rate_per_h = 0.0;
    if (perturb_used[kind][2]) PS_TRY(read_num(c, e, "rate_per_h", 1, 0.0, POS(1000.0), &p->rate_per_h));
    p->fraction = 0.0;
    if (perturb_used[kind][3]) PS_TRY(read_num(c, e, "fraction", 1, 0.0, RANGE(0.0, 1.0), &p->fraction));
    return PS_OK;
}

static ps_status read_perturbations(ctx *c, const cJSON *root, scenario *s)
{
    const cJSON *a;
    int n;
    PS_TRY(read_array(c, root, "perturbations", 0, 0, SCN_MAX_PERTURBATIONS, "perturbations", &a, &n));
    if (!a) return PS_OK;
    size_t m = path_key(c, "perturbations");
    int i = 0;
    for (const cJSON *e = a->child; e; e = e->next, i++) {
        size_t mi = path_index(c, i);
        PS_TRY(read_perturbation(c, e, s, &s->perturbations[i]));
        path_pop(c, mi);
    }
    s->n_perturbations = n;
    path_pop(c, m);
    return PS_OK;
}

/* obj.key naming a region of tissue k (what: "a region of tissue \"skin\""); *out its
 * index, -1 when absent and optional. A name that belongs to a region of another tissue
 * is told apart from a typo. */
static ps_status read_region_ref(ctx *c, const cJSON *obj, const char *key, int required, const scenario *s,
                                 int k, const char *what, int *out)
{
    const scn_tissue *t = &s->tissues[k];
    const char *names[SCN_MAX_REGIONS];
    for (int i = 0; i < t->n_regions; i++) names[i] = t->regions[i].name;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (v && cJSON_IsString(v)) {
        int own = 0;
        for (int i = 0; i < t->n_regions && !own; i++) own = strcmp(names[i], v->valuestring) == 0;
        for (int j = 0; j < s->n_tissues && !own; j++) {
            const scn_tissue *o = &s->tissues[j];
            for (int i = 0; i < o->n_regions; i++) {
                if (j == k || strcmp(o->regions[i].name, v->valuestring) != 0) continue;
                char list[1024], got[256];
                if (t->n_regions) join(list, sizeof list, names, t->n_regions, 10);
                else snprintf(list, sizeof list, "none is defined");
                quote(got, sizeof got, v->valuestring);
                path_key(c, key);
                return fail(c, "expected the name of %s (%s), got %s, a region of tissue \"%s\"", what, list,
                            got, o->name);
            }
        }
    }
    return read_ref(c, obj, key, required, what, names, t->n_regions, out);
}

static ps_status read_compartment(ctx *c, const cJSON *o, const char *key, const scenario *s,
                                  scn_compartment *cp)
{
    const cJSON *e;
    const char *names[SCN_MAX_TYPES > SCN_MAX_TISSUES ? SCN_MAX_TYPES : SCN_MAX_TISSUES];
    char what[160];
    PS_TRY(read_object(c, o, key, 1, "an object with tissue and type", &e));
    size_t m = path_key(c, key);
    PS_TRY(check_keys(c, e, compartment_keys, COUNT(compartment_keys)));
    tissue_names(s, names);
    PS_TRY(read_ref(c, e, "tissue", 1, "a tissue", names, s->n_tissues, &cp->tissue));
    for (int i = 0; i < s->n_types; i++) names[i] = s->types[i].name;
    PS_TRY(read_ref(c, e, "type", 1, "a cell type", names, s->n_types, &cp->type));
    /* The first state is the intact one; "injured" must be another. */
    const scn_cell_type *ct = &s->types[cp->type];
    cp->injured_state = -1;
    for (int i = 1; i < ct->n_states; i++)
        if (strcmp(ct->states[i].name, "injured") == 0) cp->injured_state = i;
    if (cp->injured_state < 0) {
        char states[1024];
        const char *sn[SCN_MAX_STATES];
        for (int i = 0; i < ct->n_states; i++) sn[i] = ct->states[i].name;
        join(states, sizeof states, sn, ct->n_states, SCN_MAX_STATES);
        path_key(c, "type");
        return fail(c, "expected a cell type with a state named \"injured\" that is not its first state, "
                       "got \"%s\" (states: %s)", ct->name, states);
    }
    snprintf(what, sizeof what, "a region of tissue \"%s\"", s->tissues[cp->tissue].name);
    PS_TRY(read_region_ref(c, e, "region", 0, s, cp->tissue, what, &cp->region));
    path_pop(c, m);
    return PS_OK;
}

static ps_status read_neurons(ctx *c, const cJSON *root, scenario *s)
{
    scn_neurons *n = &s->neurons;
    const cJSON *o, *e;
    const char *names[SCN_MAX_DRUGS];
    char what[160];
    double count;
    n->lesion_region = -1;
    n->toxin_drug = -1;
    n->soma.region = n->peripheral.region = n->central.region = -1;
    PS_TRY(read_object(c, root, "neurons", 0, "an object with count, soma, peripheral and central", &o));
    if (!o) return PS_OK;
    size_t m = path_key(c, "neurons");
    PS_TRY(check_keys(c, o, neuron_keys, COUNT(neuron_keys)));
    n->enabled = 1;
    PS_TRY(read_num(c, o, "count", 1, 0.0, INT_RANGE(1.0, 1e7), &count));
    n->count = (int)count;
    PS_TRY(read_compartment(c, o, "soma", s, &n->soma));
    PS_TRY(read_compartment(c, o, "peripheral", s, &n->peripheral));
    PS_TRY(read_compartment(c, o, "central", s, &n->central));
    PS_TRY(read_num(c, o, "transport_delay_h", 0, 12.0, POS(1000.0), &n->transport_delay_h));
    PS_TRY(read_object(c, o, "lesion", 0, "an object with region", &e));
    if (e) {
        size_t ml = path_key(c, "lesion");
        PS_TRY(check_keys(c, e, lesion_keys, COUNT(lesion_keys)));
        snprintf(what, sizeof what, "a region of the peripheral tissue \"%s\"",
                 s->tissues[n->peripheral.tissue].name);
        PS_TRY(read_region_ref(c, e, "region", 1, s, n->peripheral.tissue, what, &n->lesion_region));
        PS_TRY(read_num(c, e, "at_h", 0, 0.0, NONNEG(8760.0), &n->lesion_h));
        PS_TRY(read_bool(c, e, "permanent", 1, &n->lesion_permanent));
        if (n->lesion_h >= s->duration_h) {
            char dur[40], got[40];
            fmt_num(dur, sizeof dur, s->duration_h);
            fmt_num(got, sizeof got, n->lesion_h);
            path_key(c, "at_h");
            return fail(c, "expected a number < time.duration_h (%s h), got %s: the lesion comes after the end "
                           "of the simulation", dur, got);
        }
        path_pop(c, ml);
    }
    PS_TRY(read_object(c, o, "toxin", 0, "an object with drug, EC50_nM and rate_per_h", &e));
    if (e) {
        size_t mt = path_key(c, "toxin");
        PS_TRY(check_keys(c, e, toxin_keys, COUNT(toxin_keys)));
        for (int i = 0; i < s->n_drugs; i++) names[i] = s->drugs[i].name;
        PS_TRY(read_ref(c, e, "drug", 1, "a drug", names, s->n_drugs, &n->toxin_drug));
        PS_TRY(read_num(c, e, "EC50_nM", 1, 0.0, POS(1e9), &n->toxin_EC50_nM));
        PS_TRY(read_num(c, e, "rate_per_h", 1, 0.0, POS(100.0), &n->toxin_rate_per_h));
        path_pop(c, mt);
    }
    PS_TRY(read_num(c, o, "repair_per_h", 0, 0.0, NONNEG(100.0), &n->repair_per_h));
    PS_TRY(read_drivers(c, o, "repair_drivers", 0, 0, 100.0, "repair drivers", s, n->repair_drivers,
                        &n->n_repair_drivers));
    path_pop(c, m);
    return PS_OK;
}

static ps_status read_pain(ctx *c, const cJSON *root, scenario *s)
{
    scn_pain *p = &s->pain;
    const cJSON *o;
    PS_TRY(read_object(c, root, "pain", 0, "an object", &o));
    static const cJSON empty = {0};
    const cJSON *src = o ? o : &empty;
    size_t m = 0;
    if (o) {
        m = path_key(c, "pain");
        if (!s->neurons.enabled)
            return fail(c, "expected a neurons section (the pain readout is computed from "
                           "nociceptor terminals)");
        PS_TRY(check_keys(c, o, pain_keys, COUNT(pain_keys)));
    }
    PS_TRY(read_num(c, src, "baseline_threshold_g", 0, 4.0, POS(300.0), &p->baseline_threshold_g));
    PS_TRY(read_num(c, src, "time_constant_h", 0, 6.0, POS(1000.0), &p->time_constant_h));
    PS_TRY(read_num(c, src, "injury_weight", 0, 0.0, NONNEG(100.0), &p->injury_weight));
    const cJSON *a;
    int n = 0;
    if (o) PS_TRY(read_array(c, o, "terms", 0, 0, SCN_MAX_PAIN_TERMS, "pain terms", &a, &n));
    else a = NULL;
    if (a) {
        size_t mt = path_key(c, "terms");
        int i = 0;
        for (const cJSON *e = a->child; e; e = e->next, i++) {
            size_t mi = path_index(c, i);
            scn_pain_term *t = &p->terms[i];
            int kind = 0, sex = 0;
            PS_TRY(expect_object(c, e, "an object with terminal, mediator, EC50_nM and weight"));
            PS_TRY(check_keys(c, e, pain_term_keys, COUNT(pain_term_keys)));
            PS_TRY(read_enum(c, e, "terminal", terminal_names, COUNT(terminal_names), &kind));
            t->central = kind;
            PS_TRY(read_mediator_ref(c, e, "mediator", s, &t->mediator));
            PS_TRY(read_num(c, e, "EC50_nM", 1, 0.0, POS(1e9), &t->EC50_nM));
            PS_TRY(read_num(c, e, "hill", 0, 1.0, RANGE(0.1, 8.0), &t->hill));
            PS_TRY(read_num(c, e, "weight", 1, 0.0, RANGE(-100.0, 100.0), &t->weight));
            if (cJSON_GetObjectItemCaseSensitive(e, "sex"))
                PS_TRY(read_enum(c, e, "sex", term_sex_names, COUNT(term_sex_names), &sex));
            t->sex = sex;
            path_pop(c, mi);
        }
        path_pop(c, mt);
    }
    p->n_terms = n;
    if (o) path_pop(c, m);
    return PS_OK;
}

/* "scale": every tissue grows by scale^(1/3) along each axis (rounded to whole voxels),
 * regions and display origins with it, seeded cells by the tissue's volume ratio and
 * neurons by scale, so that densities, concentrations and time courses stay those of the
 * scenario while the number of agents grows (or shrinks) about scale-fold. The resolved
 * scenario holds the scaled values. */
static ps_status apply_scale(ctx *c, const cJSON *root, scenario *s)
{
    double scale;
    PS_TRY(read_num(c, root, "scale", 0, 1.0, RANGE(1e-3, 1e4), &scale));
    if (scale == 1.0) return PS_OK;
    double L = cbrt(scale);
    for (int t = 0; t < s->n_tissues; t++) {
        scn_tissue *ts = &s->tissues[t];
        double f[3], vol = 1;
        for (int a = 0; a < 3; a++) {
            double n = ts->size_um[a] / ts->voxel_um, n2 = fmax(1.0, round(n * L));
            if (n2 > MAX_AXIS_VOXELS) {
                path_key(c, "scale");
                return fail(c, "expected a scale that keeps every tissue within %d voxels per axis: "
                               "tissue \"%s\" would have %.0f", MAX_AXIS_VOXELS, ts->name, n2);
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

static ps_status read_scenario(ctx *c, const cJSON *root, scenario *s)
{
    double seed;
    PS_TRY(check_keys(c, root, top_keys, COUNT(top_keys)));
    PS_TRY(read_name(c, root, "name", s->name));
    PS_TRY(read_text(c, root, "description", s->description, sizeof s->description));
    PS_TRY(read_num(c, root, "seed", 0, 1.0, INT_RANGE(0.0, MAX_SEED), &seed));
    s->seed = (uint64_t)seed;
    PS_TRY(read_time(c, root, s));
    PS_TRY(read_engine(c, root, s));
    PS_TRY(read_mediators(c, root, s));
    PS_TRY(read_types(c, root, s));
    PS_TRY(read_tissues(c, root, s));
    PS_TRY(read_drugs(c, root, s));
    PS_TRY(read_perturbations(c, root, s));
    int sex = 0;
    if (cJSON_GetObjectItemCaseSensitive(root, "sex"))
        PS_TRY(read_enum(c, root, "sex", sex_names, COUNT(sex_names), &sex));
    s->sex = (scn_sex)sex;
    PS_TRY(read_neurons(c, root, s));
    PS_TRY(read_pain(c, root, s));
    PS_TRY(apply_scale(c, root, s));
    return PS_OK;
}

/* ------------------------------------------------------------------------------------
 * JSON text: syntax errors with line:column.
 * ---------------------------------------------------------------------------------- */

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
    return p;
}

/* "FILE:LINE:COLUMN" of pos in text (1-based; columns count UTF-8 characters). */
static void locate(char *buf, size_t cap, const char *file, const char *text, const char *pos)
{
    int line = 1, col = 1;
    for (const char *p = text; p < pos && *p; p++) {
        if (*p == '\n') {
            line++;
            col = 1;
        } else if (((unsigned char)*p & 0xC0) != 0x80) {
            col++;
        }
    }
    snprintf(buf, cap, "%s:%d:%d", file, line, col);
}

/* "near 'xxx'" (the rest of the line, shortened) or "at the end of the input". */
static void snippet(char *buf, size_t cap, const char *pos)
{
    char snip[SNIPPET_CHARS * 4 + 8];
    size_t n = 0;
    int chars = 0;
    if (*skip_ws(pos) == '\0') {
        snprintf(buf, cap, "at the end of the input");
        return;
    }
    if (*pos == '\n' || *pos == '\r') {
        snprintf(buf, cap, "at the end of the line");
        return;
    }
    for (const char *p = pos; *p && *p != '\n' && *p != '\r' && n + 5 < sizeof snip; p++) {
        if (((unsigned char)*p & 0xC0) != 0x80 && ++chars > SNIPPET_CHARS) break;
        snip[n++] = *p == '\t' ? ' ' : *p;
    }
    snip[n] = '\0';
    snprintf(buf, cap, "near '%s'", snip);
}

/* A strict RFC 8259 syntax check that stops at the first error with its position and a
 * reason. cJSON reports only a position, and for a bad key or an unterminated string
 * one character past the culprit; this scan gives the user the exact place and why.
 * cJSON then parses text that is known to be well formed. */
#define SCAN_MAX_DEPTH 256 /* below cJSON's CJSON_NESTING_LIMIT; a scenario nests about 8 */

typedef struct {
    const char *p;
    const char *err_pos;
    const char *err_why;
    int depth;
} json_scan;

static int scan_error(json_scan *s, const char *pos, const char *why)
{
    s->err_pos = pos;
    s->err_why = why;
    return 0;
}

static int is_hex(int ch)
{
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

static unsigned hex4(const char *p)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        int ch = p[i];
        v = v * 16 + (unsigned)(ch <= '9' ? ch - '0' : (ch | 0x20) - 'a' + 10);
    }
    return v;
}

static int scan_string(json_scan *s)
{
    const char *start = s->p++;
    for (;;) {
        unsigned char ch = (unsigned char)*s->p;
        if (ch == '\0') return scan_error(s, start, "unterminated string (missing closing '\"')");
        if (ch == '"') {
            s->p++;
            return 1;
        }
        if (ch == '\n' || ch == '\r')
            return scan_error(s, s->p, "line break inside a string (is the closing '\"' missing?)");
        if (ch < 0x20) return scan_error(s, s->p, "control character in a string (write \\n, \\t, ...)");
        if (ch != '\\') {
            s->p++;
            continue;
        }
        char esc = s->p[1];
        if (esc == 'u') {
            for (int i = 2; i < 6; i++)
                if (!is_hex((unsigned char)s->p[i])) return scan_error(s, s->p, "expected 4 hex digits after \\u");
            unsigned cp = hex4(s->p + 2);
            if (cp >= 0xDC00 && cp <= 0xDFFF) return scan_error(s, s->p, "unpaired UTF-16 low surrogate");
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (s->p[6] != '\\' || s->p[7] != 'u' || !is_hex((unsigned char)s->p[8]) ||
                    !is_hex((unsigned char)s->p[9]) || !is_hex((unsigned char)s->p[10]) ||
                    !is_hex((unsigned char)s->p[11]) || hex4(s->p + 8) < 0xDC00 || hex4(s->p + 8) > 0xDFFF)
                    return scan_error(s, s->p, "unpaired UTF-16 high surrogate");
                s->p += 6;
            }
            s->p += 6;
        } else if (esc && strchr("\"\\/bfnrt", esc)) {
            s->p += 2;
        } else {
            return scan_error(s, s->p, "invalid escape sequence (valid: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
        }
    }
}

static int scan_digits(json_scan *s)
{
    if (*s->p < '0' || *s->p > '9') return 0;
    while (*s->p >= '0' && *s->p <= '9') s->p++;
    return 1;
}

static int scan_number(json_scan *s)
{
    const char *start = s->p;
    static const char *const bad = "invalid number (JSON numbers look like -12, 0.5, 1e-3)";
    if (*s->p == '-') s->p++;
    if (*s->p == '0') {
        s->p++;
        if (*s->p >= '0' && *s->p <= '9') return scan_error(s, start, "invalid number (no leading zeros)");
    } else if (!scan_digits(s)) {
        return scan_error(s, start, bad);
    }
    if (*s->p == '.') {
        s->p++;
        if (!scan_digits(s)) return scan_error(s, start, bad);
    }
    if (*s->p == 'e' || *s->p == 'E') {
        s->p++;
        if (*s->p == '+' || *s->p == '-') s->p++;
        if (!scan_digits(s)) return scan_error(s, start, bad);
    }
    return 1;
}

static int scan_value(json_scan *s);

static int scan_container(json_scan *s, char close)
{
    int object = close == '}';
    const char *open = s->p++;
    if (++s->depth > SCAN_MAX_DEPTH) return scan_error(s, open, "nesting deeper than 256 levels");
    s->p = skip_ws(s->p);
    if (*s->p == close) {
        s->p++;
        s->depth--;
        return 1;
    }
    for (int first = 1;; first = 0) {
        s->p = skip_ws(s->p);
        if (object) {
            if (*s->p != '"') {
                if (*s->p == '\0') return scan_error(s, s->p, "missing '}'");
                if (*s->p == '\'') return scan_error(s, s->p, "expected a key in double quotes (JSON has no single quotes)");
                if (!first && *s->p == '}') return scan_error(s, s->p, "expected a key after ',' (JSON allows no trailing comma)");
                return scan_error(s, s->p, first ? "expected a key in double quotes or '}'" : "expected a key in double quotes after ','");
            }
            if (!scan_string(s)) return 0;
            s->p = skip_ws(s->p);
            if (*s->p != ':') return scan_error(s, s->p, "expected ':' after the key");
            s->p++;
        } else if (!first && *s->p == ']') {
            return scan_error(s, s->p, "expected a value after ',' (JSON allows no trailing comma)");
        }
        if (!scan_value(s)) return 0;
        s->p = skip_ws(s->p);
        if (*s->p == ',') {
            s->p++;
            continue;
        }
        if (*s->p == close) {
            s->p++;
            s->depth--;
            return 1;
        }
        if (*s->p == '\0')
            return scan_error(s, s->p, object ? "missing '}'" : "missing ']'");
        return scan_error(s, s->p, object ? "expected ',' or '}' after the value (a missing comma?)"
                                          : "expected ',' or ']' after the value (a missing comma?)");
    }
}

static int scan_value(json_scan *s)
{
    static const char *const words[] = {"true", "false", "null"};
    s->p = skip_ws(s->p);
    char ch = *s->p;
    if (ch == '{') return scan_container(s, '}');
    if (ch == '[') return scan_container(s, ']');
    if (ch == '"') return scan_string(s);
    if (ch == '-' || (ch >= '0' && ch <= '9')) return scan_number(s);
    for (int i = 0; i < 3; i++) {
        size_t n = strlen(words[i]);
        if (strncmp(s->p, words[i], n) == 0) {
            s->p += n;
            return 1;
        }
    }
    if (ch == '\0') return scan_error(s, s->p, "expected a value");
    if (ch == '\'') return scan_error(s, s->p, "expected a value (strings use double quotes in JSON)");
    if (ch == '/') return scan_error(s, s->p, "expected a value (JSON has no comments)");
    return scan_error(s, s->p, "expected a value (an object, array, string, number, true, false or null)");
}

static ps_status syntax_error(ps_err *err, const char *file, const char *text, const char *pos,
                              const char *why)
{
    char where[PATH_CAP + 64], snip[256];
    locate(where, sizeof where, file, text, pos);
    snippet(snip, sizeof snip, pos);
    return ps_err_set(err, PS_ERR_INPUT, "%s: JSON syntax error %s: %s", where, snip, why);
}

static ps_status parse_text(const char *file, const char *text, cJSON **out, ps_err *err)
{
    const char *p = text;
    *out = NULL;
    if ((unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB && (unsigned char)p[2] == 0xBF)
        p += 3; /* UTF-8 byte order mark */
    if (*skip_ws(p) == '\0')
        return ps_err_set(err, PS_ERR_INPUT, "%s: expected a JSON object, got an empty file", file);
    json_scan sc = {p, NULL, NULL, 0};
    if (!scan_value(&sc)) return syntax_error(err, file, p, sc.err_pos, sc.err_why);
    const char *end = skip_ws(sc.p);
    if (*end != '\0')
        return syntax_error(err, file, p, end, "unexpected text after the end of the top-level value");
    cJSON *root = cJSON_ParseWithOpts(p, &end, 0);
    if (!root) {
        /* Well-formed but refused by cJSON: out of memory. */
        return ps_err_set(err, PS_ERR_MEMORY, "%s: out of memory parsing the JSON text", file);
    }
    if (!cJSON_IsObject(root)) {
        char got[320];
        describe(got, sizeof got, root);
        cJSON_Delete(root);
        return ps_err_set(err, PS_ERR_INPUT, "%s: expected a JSON object at the top level, got %s",
                          file, got);
    }
    *out = root;
    return PS_OK;
}

/* ------------------------------------------------------------------------------------
 * --set overrides.
 * ---------------------------------------------------------------------------------- */

#define SET_MAX_SEGS 32
#define SET_KEY_MAX 256

typedef struct {
    char key[SET_KEY_MAX];   /* key, or "" for a bracket index */
    long index;              /* bracket index, or -1 */
} set_seg;

/* Keys whose value is an array: --set cannot create them (only address into them). */
static const char *const array_keys[] = {"mediators",  "cell_types",       "states",     "tissues",
                                         "regions",    "cells",            "size_um",    "origin_um",
                                         "min_um",     "max_um",           "center_um",  "jak",
                                         "transitions", "division_drivers", "drivers",    "inhibitors",
                                         "activators", "drugs",            "doses",      "perturbations",
                                         "recruitment", "terms"};

static ps_status set_fail(ps_err *err, const char *spec, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static ps_status set_fail(ps_err *err, const char *spec, const char *fmt, ...)
{
    char msg[PS_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return ps_err_set(err, PS_ERR_INPUT, "--set %s: %s", spec, msg);
}

static int all_digits(const char *s)
{
    if (!*s) return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9') return 0;
    return 1;
}

/* Splits "a.b[2].c" / "a.b.2.c" into segments. */
static ps_status split_path(const char *spec, const char *path, size_t len, set_seg *segs,
                            int *n_segs, ps_err *err)
{
    size_t i = 0;
    int n = 0;
    while (i < len) {
        if (n == SET_MAX_SEGS) return set_fail(err, spec, "the key path has more than %d parts", SET_MAX_SEGS);
        set_seg *sg = &segs[n];
        sg->key[0] = '\0';
        sg->index = -1;
        if (path[i] == '[') {
            size_t j = i + 1;
            long v = 0;
            while (j < len && path[j] >= '0' && path[j] <= '9' && v < 100000000) v = v * 10 + (path[j++] - '0');
            if (j == i + 1 || j >= len || path[j] != ']')
                return set_fail(err, spec, "expected [INDEX] with a non-negative integer index at '%.*s'",
                                (int)(len - i), path + i);
            sg->index = v;
            i = j + 1;
        } else {
            size_t j = i;
            while (j < len && path[j] != '.' && path[j] != '[') j++;
            if (j == i)
                return set_fail(err, spec, "empty key in the key path '%.*s' (two dots in a row, or a "
                                           "leading or trailing dot?)", (int)len, path);
            if (j - i >= SET_KEY_MAX) return set_fail(err, spec, "a key in the path is too long");
            memcpy(sg->key, path + i, j - i);
            sg->key[j - i] = '\0';
            i = j;
        }
        n++;
        if (i < len && path[i] == '.') {
            i++;
            if (i == len)
                return set_fail(err, spec, "empty key in the key path '%.*s' (a trailing dot?)", (int)len, path);
        } else if (i < len && path[i] != '[') {
            return set_fail(err, spec, "expected '.' or '[' after ']' in the key path '%.*s'", (int)len, path);
        }
    }
    *n_segs = n;
    return PS_OK;
}

/* An absent tissue "fields" object means "every mediator, with defaults"; when --set
 * creates it, it is filled with {} for every mediator so that setting one field does
 * not remove the others from the tissue. */
static ps_status fill_default_fields(const cJSON *root, cJSON *fields)
{
    const cJSON *meds = cJSON_GetObjectItemCaseSensitive(root, "mediators");
    if (!cJSON_IsArray(meds)) return PS_OK;
    for (const cJSON *m = meds->child; m; m = m->next) {
        const cJSON *nm = cJSON_GetObjectItemCaseSensitive(m, "name");
        if (!cJSON_IsString(nm) || cJSON_GetObjectItemCaseSensitive(fields, nm->valuestring)) continue;
        if (!cJSON_AddObjectToObject(fields, nm->valuestring)) return PS_ERR_MEMORY;
    }
    return PS_OK;
}

static void canon_append(char *canon, size_t cap, const set_seg *sg, long index)
{
    size_t len = strlen(canon);
    int n;
    if (index >= 0) n = snprintf(canon + len, cap - len, "[%ld]", index);
    else n = snprintf(canon + len, cap - len, "%s%s", len ? "." : "", sg->key);
    if (n < 0 || (size_t)n >= cap - len) canon[cap - 1] = '\0'; /* truncated: only used in messages */
}

/* Applies one "key.path=value" to the tree; *canon_out = malloc'd canonical path. */
static ps_status apply_set(cJSON *root, const char *spec, char **canon_out, ps_err *err)
{
    set_seg segs[SET_MAX_SEGS];
    int n_segs = 0;
    char canon[PATH_CAP] = "";
    *canon_out = NULL;

    const char *eq = strchr(spec, '=');
    if (!eq) return set_fail(err, spec, "expected KEY.PATH=VALUE, e.g. time.duration_h=24 (no '=' found)");
    const char *b = spec, *e = eq;
    while (b < e && (*b == ' ' || *b == '\t')) b++;
    while (e > b && (e[-1] == ' ' || e[-1] == '\t')) e--;
    if (b == e) return set_fail(err, spec, "expected KEY.PATH=VALUE, e.g. time.duration_h=24 (the key path is empty)");
    PS_TRY(split_path(spec, b, (size_t)(e - b), segs, &n_segs, err));

    cJSON *node = root;
    cJSON *target = NULL; /* existing value to replace, or NULL to add under node */
    const char *add_key = NULL;
    for (int i = 0; i < n_segs; i++) {
        const set_seg *sg = &segs[i];
        int last = i == n_segs - 1;
        const char *where = canon[0] ? canon : "the top level";
        if (cJSON_IsObject(node)) {
            if (sg->index >= 0)
                return set_fail(err, spec, "%s is an object; address its keys as .KEY, not [%ld]", where, sg->index);
            cJSON *child = cJSON_GetObjectItemCaseSensitive(node, sg->key);
            canon_append(canon, sizeof canon, sg, -1);
            if (last) {
                target = child;
                add_key = sg->key;
                break;
            }
            if (!child) {
                int is_array = 0;
                for (int k = 0; k < COUNT(array_keys); k++) is_array |= strcmp(sg->key, array_keys[k]) == 0;
                if (is_array || segs[i + 1].index >= 0 || all_digits(segs[i + 1].key))
                    return set_fail(err, spec, "%s does not exist, and --set cannot create array elements "
                                               "(add them to the scenario file)", canon);
                child = cJSON_AddObjectToObject(node, sg->key);
                if (!child) return ps_err_set(err, PS_ERR_MEMORY, "--set %s: out of memory", spec);
                if (i == 2 && strcmp(sg->key, "fields") == 0 && strcmp(segs[0].key, "tissues") == 0 &&
                    fill_default_fields(root, child) != PS_OK)
                    return ps_err_set(err, PS_ERR_MEMORY, "--set %s: out of memory", spec);
            }
            node = child;
        } else if (cJSON_IsArray(node)) {
            int size = cJSON_GetArraySize(node);
            long idx = -1;
            if (sg->index >= 0 || all_digits(sg->key)) {
                idx = sg->index >= 0 ? sg->index : strtol(sg->key, NULL, 10);
                if (idx >= size)
                    return set_fail(err, spec, "%s has %d element%s, so there is no [%ld]%s", where, size,
                                    size == 1 ? "" : "s", idx,
                                    " (--set cannot add array elements)");
            } else {
                const char *names[64];
                int nn = 0, k = 0;
                for (cJSON *el = node->child; el; el = el->next, k++) {
                    const cJSON *nm = cJSON_GetObjectItemCaseSensitive(el, "name");
                    if (!cJSON_IsString(nm)) continue;
                    if (strcmp(nm->valuestring, sg->key) == 0) {
                        idx = k;
                        break;
                    }
                    if (nn < 64) names[nn++] = nm->valuestring;
                }
                if (idx < 0) {
                    char list[1024], sugg[128];
                    join(list, sizeof list, names, nn, 10);
                    suggestion(sugg, sizeof sugg, sg->key, names, nn);
                    return set_fail(err, spec, "%s has no element named \"%s\"%s; names: %s", where,
                                    sg->key, sugg, nn ? list : "(none)");
                }
            }
            canon_append(canon, sizeof canon, sg, idx);
            cJSON *child = cJSON_GetArrayItem(node, (int)idx);
            if (last) {
                target = child;
                break;
            }
            node = child;
        } else {
            char got[320];
            describe(got, sizeof got, node);
            return set_fail(err, spec, "%s is %s, not an object or array, so it has no %s%s%s", where, got,
                            sg->index >= 0 ? "elements" : "key \"", sg->index >= 0 ? "" : sg->key,
                            sg->index >= 0 ? "" : "\"");
        }
    }

    const char *value = eq + 1;
    const char *vend = NULL;
    cJSON *v = cJSON_ParseWithOpts(value, &vend, 1);
    if (!v) v = cJSON_CreateString(value);
    if (!v) return ps_err_set(err, PS_ERR_MEMORY, "--set %s: out of memory", spec);
    int ok;
    if (target && add_key) ok = cJSON_ReplaceItemInObjectCaseSensitive(node, add_key, v); /* sets the key */
    else if (target) ok = cJSON_ReplaceItemViaPointer(node, target, v);                   /* array element */
    else ok = cJSON_AddItemToObject(node, add_key, v);
    if (!ok) {
        cJSON_Delete(v);
        return ps_err_set(err, PS_ERR_MEMORY, "--set %s: out of memory", spec);
    }
    *canon_out = malloc(strlen(canon) + 1);
    if (!*canon_out) return ps_err_set(err, PS_ERR_MEMORY, "--set %s: out of memory", spec);
    memcpy(*canon_out, canon, strlen(canon) + 1);
    return PS_OK;
}

/* ------------------------------------------------------------------------------------
 * Entry points.
 * ---------------------------------------------------------------------------------- */

static ps_status load_text(const char *text, const char *file, const char *const *sets, int n_sets,
                           scenario *out, ps_err *err)
{
    cJSON *root = NULL;
    memset(out, 0, sizeof *out);
    if (n_sets > 0 && !sets) return ps_err_set(err, PS_ERR_INTERNAL, "scenario_load: sets is NULL");
    ps_status st = parse_text(file, text, &root, err);
    if (st != PS_OK) return st;

    ctx *c = calloc(1, sizeof *c);
    if (!c) {
        cJSON_Delete(root);
        return ps_err_set(err, PS_ERR_MEMORY, "%s: out of memory", file);
    }
    c->file = file;
    c->err = err;
    st = check_duplicates(c, root);
    if (st == PS_OK && n_sets > 0) {
        c->set_paths = calloc((size_t)n_sets, sizeof *c->set_paths);
        if (!c->set_paths) st = ps_err_set(err, PS_ERR_MEMORY, "%s: out of memory", file);
        for (int i = 0; i < n_sets && st == PS_OK; i++) {
            if (!sets[i]) st = ps_err_set(err, PS_ERR_INTERNAL, "scenario_load: sets[%d] is NULL", i);
            else st = apply_set(root, sets[i], &c->set_paths[i], err);
        }
        c->sets = sets;
        c->n_sets = c->set_paths ? n_sets : 0;
        if (st == PS_OK) st = check_duplicates(c, root);
    }
    if (st == PS_OK) st = read_scenario(c, root, out);
    if (st == PS_OK) copy_str(out->source_path, sizeof out->source_path, file);

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

/* Reads path whole into *text (malloc'd, NUL-terminated); what names the file's role in
 * messages ("scenario", "sweep"). */
static ps_status read_text_file(const char *path, const char *what, char **text, ps_err *err)
{
    *text = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return ps_err_set(err, PS_ERR_IO, "%s: cannot open the %s file: %s", path, what, strerror(errno));
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    ps_status st = PS_OK;
    while (buf) {
        if (len + 1 >= cap) {
            if (cap > (size_t)MAX_FILE_BYTES) {
                st = ps_err_set(err, PS_ERR_INPUT, "%s: the %s file is larger than %ld MiB",
                                path, what, MAX_FILE_BYTES >> 20);
                break;
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + len, 1, cap - 1 - len, f);
        len += got;
        if (got == 0) {
            if (ferror(f))
                st = ps_err_set(err, PS_ERR_IO, "%s: cannot read the %s file: %s", path, what, strerror(errno));
            break;
        }
    }
    fclose(f);
    if (!buf) return ps_err_set(err, PS_ERR_MEMORY, "%s: out of memory reading the %s file", path, what);
    if (st == PS_OK) {
        buf[len] = '\0';
        if (strlen(buf) != len) {
            char where[PATH_CAP + 64];
            locate(where, sizeof where, path, buf, buf + strlen(buf));
            st = ps_err_set(err, PS_ERR_INPUT, "%s: JSON syntax error: a NUL byte in the file", where);
        }
    }
    if (st != PS_OK) {
        free(buf);
        return st;
    }
    *text = buf;
    return PS_OK;
}

ps_status scenario_load(const char *path, const char *const *sets, int n_sets, scenario *out,
                        ps_err *err)
{
    if (!path || !out) return ps_err_set(err, PS_ERR_INTERNAL, "scenario_load: NULL argument");
    char *buf = NULL;
    PS_TRY(read_text_file(path, "scenario", &buf, err));
    ps_status st = load_text(buf, path, sets, n_sets, out, err);
    free(buf);
    return st;
}

ps_status scenario_json_file(const char *path, const char *what, cJSON **root, ps_err *err)
{
    *root = NULL;
    char *buf = NULL;
    PS_TRY(read_text_file(path, what, &buf, err));
    ps_status st = parse_text(path, buf, root, err);
    free(buf);
    return st;
}

void scenario_format_number(char *buf, size_t cap, double v)
{
    fmt_num(buf, cap, v);
}

void scenario_suggest(char *buf, size_t cap, const char *s, const char *const *cands, int n)
{
    suggestion(buf, cap, s, cands, n);
}

/* ------------------------------------------------------------------------------------
 * Writing the resolved scenario.
 * ---------------------------------------------------------------------------------- */

typedef struct {
    int oom;
} jw;

static cJSON *jnum(double v)
{
    char buf[40];
    if (!isfinite(v)) return cJSON_CreateNull();
    fmt_num(buf, sizeof buf, v);
    return cJSON_CreateRaw(buf);
}

static cJSON *jvec3(const double v[3])
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; a && i < 3; i++) {
        cJSON *n = jnum(v[i]);
        if (!n || !cJSON_AddItemToArray(a, n)) {
            cJSON_Delete(n);
            cJSON_Delete(a);
            return NULL;
        }
    }
    return a;
}

/* Adds item under key (or to an array when key is NULL); records failure. */
static cJSON *put(jw *w, cJSON *parent, const char *key, cJSON *item)
{
    if (!parent || !item) {
        w->oom = 1;
        cJSON_Delete(item);
        return NULL;
    }
    int ok = key ? cJSON_AddItemToObject(parent, key, item) : cJSON_AddItemToArray(parent, item);
    if (!ok) {
        w->oom = 1;
        cJSON_Delete(item);
        return NULL;
    }
    return item;
}

static void put_map(jw *w, cJSON *parent, const char *key, const scenario *s, const double *v)
{
    cJSON *o = put(w, parent, key, cJSON_CreateObject());
    for (int i = 0; o && i < s->n_mediators; i++)
        if (v[i] != 0.0) put(w, o, s->mediators[i].name, jnum(v[i]));
}

static void put_driver(jw *w, cJSON *arr, const scenario *s, const scn_driver *d, int with_rate)
{
    cJSON *o = put(w, arr, NULL, cJSON_CreateObject());
    if (!o) return;
    put(w, o, "mediator", cJSON_CreateString(s->mediators[d->mediator].name));
    put(w, o, "EC50_nM", jnum(d->EC50_nM));
    put(w, o, "hill", jnum(d->hill));
    if (with_rate) put(w, o, "rate_per_h", jnum(d->rate_per_h));
}

static void put_drivers(jw *w, cJSON *parent, const char *key, const scenario *s, const scn_driver *d, int n,
                        int with_rate)
{
    cJSON *a = put(w, parent, key, cJSON_CreateArray());
    for (int i = 0; a && i < n; i++) put_driver(w, a, s, &d[i], with_rate);
}

static void put_inhibitor(jw *w, cJSON *parent, const char *key, const scenario *s, int mediator, double IC50_nM)
{
    cJSON *o = put(w, parent, key, cJSON_CreateObject());
    if (!o) return;
    put(w, o, "mediator", cJSON_CreateString(s->mediators[mediator].name));
    put(w, o, "IC50_nM", jnum(IC50_nM));
}

/* The signalling part of a cell type: jak_stat3 (when enabled), transitions, division drivers. */
static void put_type_signalling(jw *w, cJSON *o, const scenario *s, const scn_cell_type *ct)
{
    const scn_jak_stat3 *js = &ct->jak_stat3;
    if (js->enabled) {
        cJSON *jo = put(w, o, "jak_stat3", cJSON_CreateObject());
        put_drivers(w, jo, "activators", s, js->activators, js->n_activators, 0);
        put(w, jo, "k_on_per_min", jnum(js->k_on_per_min));
        put(w, jo, "k_off_per_min", jnum(js->k_off_per_min));
        put(w, jo, "socs_synthesis_per_min", jnum(js->socs_synthesis_per_min));
        put(w, jo, "socs_decay_per_min", jnum(js->socs_decay_per_min));
        put(w, jo, "socs_K", jnum(js->socs_K));
        if (jo && js->inhibitor_mediator >= 0)
            put_inhibitor(w, jo, "inhibitor", s, js->inhibitor_mediator, js->inhibitor_IC50_nM);
        if (jo) put_map(w, jo, "secretion_gain", s, js->secretion_gain);
    }
    cJSON *ta = put(w, o, "transitions", cJSON_CreateArray());
    for (int k = 0; ta && k < ct->n_transitions; k++) {
        const scn_transition *tr = &ct->transitions[k];
        cJSON *to = put(w, ta, NULL, cJSON_CreateObject());
        if (!to) break;
        put(w, to, "from", cJSON_CreateString(ct->states[tr->from].name));
        put(w, to, "to", cJSON_CreateString(ct->states[tr->to].name));
        put(w, to, "rate_per_h", jnum(tr->rate_per_h));
        put(w, to, "pstat3_rate_per_h", jnum(tr->pstat3_rate_per_h));
        put_drivers(w, to, "drivers", s, tr->drivers, tr->n_drivers, 1);
        cJSON *ia = put(w, to, "inhibitors", cJSON_CreateArray());
        for (int i = 0; ia && i < tr->n_inhibitors; i++)
            put_inhibitor(w, ia, NULL, s, tr->inhibitors[i].mediator, tr->inhibitors[i].IC50_nM);
    }
    put_drivers(w, o, "division_drivers", s, ct->division_drivers, ct->n_division_drivers, 1);
    if (ct->n_contacts > 0) {
        cJSON *ca = put(w, o, "contacts", cJSON_CreateArray());
        for (int i = 0; ca && i < ct->n_contacts; i++) {
            const scn_contact *k = &ct->contacts[i];
            const scn_cell_type *pt = &s->types[k->partner];
            cJSON *ko = put(w, ca, NULL, cJSON_CreateObject());
            if (!ko) break;
            put(w, ko, "partner", cJSON_CreateString(pt->name));
            if (k->partner_state >= 0)
                put(w, ko, "partner_state", cJSON_CreateString(pt->states[k->partner_state].name));
            if (k->from >= 0) put(w, ko, "from", cJSON_CreateString(ct->states[k->from].name));
            if (k->to >= 0) put(w, ko, "to", cJSON_CreateString(ct->states[k->to].name));
            put(w, ko, "eat", cJSON_CreateBool(k->eat));
            put(w, ko, "range_um", jnum(k->range_um));
            put(w, ko, "rate_per_h", jnum(k->rate_per_h));
        }
    }
}

static void put_drug(jw *w, cJSON *arr, const scenario *s, const scn_drug *dr)
{
    cJSON *o = put(w, arr, NULL, cJSON_CreateObject());
    if (!o) return;
    put(w, o, "name", cJSON_CreateString(dr->name));
    put(w, o, "mw_g_per_mol", jnum(dr->mw_g_per_mol));
    put(w, o, "half_life_h", jnum(dr->half_life_h));
    put(w, o, "bioavailability", jnum(dr->bioavailability));
    put(w, o, "Vd_L_per_kg", jnum(dr->Vd_L_per_kg));
    cJSON *ic = put(w, o, "ic50_nM", cJSON_CreateObject());
    for (int k = 0; ic && k < SCN_N_JAKS; k++)
        if (dr->ic50_nM[k] != 0.0) put(w, ic, jak_names[k], jnum(dr->ic50_nM[k]));
    put(w, o, "route", cJSON_CreateString(route_names[dr->route]));
    cJSON *tf = put(w, o, "tissue_fraction", cJSON_CreateObject());
    for (int i = 0; tf && i < s->n_tissues; i++) put(w, tf, s->tissues[i].name, jnum(dr->tissue_fraction[i]));
    cJSON *da = put(w, o, "doses", cJSON_CreateArray());
    for (int i = 0; da && i < dr->n_doses; i++) {
        const scn_dose *d = &dr->doses[i];
        char num[32];
        cJSON *dobj = put(w, da, NULL, cJSON_CreateObject());
        if (!dobj) break;
        put(w, dobj, "start_h", jnum(d->start_h));
        put(w, dobj, "every_h", jnum(d->every_h));
        snprintf(num, sizeof num, "%d", d->count);
        put(w, dobj, "count", cJSON_CreateRaw(num));
        put(w, dobj, "mg_per_kg", jnum(d->mg_per_kg));
    }
}

static void put_perturbation(jw *w, cJSON *arr, const scenario *s, const scn_perturbation *p)
{
    cJSON *o = put(w, arr, NULL, cJSON_CreateObject());
    if (!o) return;
    put(w, o, "kind", cJSON_CreateString(perturb_kinds[p->kind]));
    if (p->type >= 0) put(w, o, "type", cJSON_CreateString(s->types[p->type].name));
    if (p->mediator >= 0) put(w, o, "mediator", cJSON_CreateString(s->mediators[p->mediator].name));
    if (p->tissue >= 0) put(w, o, "tissue", cJSON_CreateString(s->tissues[p->tissue].name));
    put(w, o, "start_h", jnum(p->start_h));
    put(w, o, "stop_h", jnum(p->stop_h));
    if (p->kind == SCN_PERTURB_DEPLETION) put(w, o, "rate_per_h", jnum(p->rate_per_h));
    if (p->kind == SCN_PERTURB_RECEPTOR_BLOCK) put(w, o, "fraction", jnum(p->fraction));
}

static cJSON *jbc(const scn_bc *bc)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    jw w = {0};
    put(&w, o, "type", cJSON_CreateString(bc_types[bc->kind == SCN_BC_FIXED]));
    if (bc->kind == SCN_BC_FIXED) put(&w, o, "value_nM", jnum(bc->value_nM));
    if (w.oom) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static void put_tissue(jw *w, cJSON *arr, const scenario *s, const scn_tissue *t)
{
    cJSON *o = put(w, arr, NULL, cJSON_CreateObject());
    if (!o) return;
    put(w, o, "name", cJSON_CreateString(t->name));
    put(w, o, "description", cJSON_CreateString(t->description));
    put(w, o, "size_um", jvec3(t->size_um));
    put(w, o, "voxel_um", jnum(t->voxel_um));
    put(w, o, "origin_um", jvec3(t->origin_um));
    put(w, o, "tortuosity", jnum(t->tortuosity));
    cJSON *fs = put(w, o, "fields", cJSON_CreateObject());
    for (int i = 0; fs && i < s->n_mediators; i++) {
        const scn_field *f = &t->fields[i];
        if (!f->present) continue;
        cJSON *fo = put(w, fs, s->mediators[i].name, cJSON_CreateObject());
        if (!fo) break;
        put(w, fo, "D_um2_per_s", jnum(f->D_um2_per_s));
        put(w, fo, "half_life_min", jnum(f->half_life_min));
        put(w, fo, "initial_nM", jnum(f->initial_nM));
        cJSON *b = put(w, fo, "boundary", cJSON_CreateObject());
        for (int face = 0; b && face < SCN_FACES; face++) put(w, b, boundary_keys[1 + face], jbc(&f->bc[face]));
    }
    cJSON *rs = put(w, o, "regions", cJSON_CreateArray());
    for (int i = 0; rs && i < t->n_regions; i++) {
        const scn_region *r = &t->regions[i];
        cJSON *ro = put(w, rs, NULL, cJSON_CreateObject());
        if (!ro) break;
        put(w, ro, "name", cJSON_CreateString(r->name));
        put(w, ro, "shape", cJSON_CreateString(shape_names[r->shape]));
        if (r->shape == SCN_SHAPE_BOX) {
            put(w, ro, "min_um", jvec3(r->min_um));
            put(w, ro, "max_um", jvec3(r->max_um));
        } else {
            put(w, ro, "center_um", jvec3(r->center_um));
            put(w, ro, "radius_um", jnum(r->radius_um));
            if (r->shape == SCN_SHAPE_CYLINDER) {
                put(w, ro, "axis", cJSON_CreateString(axis_names[r->axis]));
                put(w, ro, "length_um", jnum(r->length_um));
            }
        }
        put(w, ro, "diffusion_multiplier", jnum(r->diffusion_multiplier));
        put_map(w, ro, "sources_nM_per_min", s, r->source_nM_per_min);
        put_map(w, ro, "sinks_per_min", s, r->sink_per_min);
    }
    cJSON *cs = put(w, o, "cells", cJSON_CreateArray());
    for (int i = 0; cs && i < t->n_seedings; i++) {
        const scn_seeding *sd = &t->seedings[i];
        const scn_cell_type *ct = &s->types[sd->type];
        char num[32];
        cJSON *so = put(w, cs, NULL, cJSON_CreateObject());
        if (!so) break;
        put(w, so, "type", cJSON_CreateString(ct->name));
        put(w, so, "state", cJSON_CreateString(ct->states[sd->state].name));
        snprintf(num, sizeof num, "%" PRId64, sd->count);
        put(w, so, "count", cJSON_CreateRaw(num));
        if (sd->region >= 0) put(w, so, "region", cJSON_CreateString(t->regions[sd->region].name));
    }
    cJSON *ra = put(w, o, "recruitment", cJSON_CreateArray());
    for (int i = 0; ra && i < t->n_recruitments; i++) {
        const scn_recruitment *r = &t->recruitments[i];
        const scn_cell_type *ct = &s->types[r->type];
        cJSON *ro = put(w, ra, NULL, cJSON_CreateObject());
        if (!ro) break;
        put(w, ro, "type", cJSON_CreateString(ct->name));
        put(w, ro, "state", cJSON_CreateString(ct->states[r->state].name));
        if (r->region >= 0) put(w, ro, "region", cJSON_CreateString(t->regions[r->region].name));
        put(w, ro, "rate_per_mm3_per_h", jnum(r->rate_per_mm3_per_h));
        put(w, ro, "barrier_permeability", jnum(r->barrier_permeability));
        put(w, ro, "female_rate_factor", jnum(r->female_rate_factor));
        if (r->chemokine.mediator >= 0) {
            cJSON *ch = put(w, ro, "chemokine", cJSON_CreateObject());
            if (ch) {
                put(w, ch, "mediator", cJSON_CreateString(s->mediators[r->chemokine.mediator].name));
                put(w, ch, "EC50_nM", jnum(r->chemokine.EC50_nM));
                put(w, ch, "hill", jnum(r->chemokine.hill));
            }
        }
        if (r->priming_peak_h > 0) {
            cJSON *pr = put(w, ro, "priming", cJSON_CreateObject());
            put(w, pr, "from_h", jnum(r->priming_from_h));
            put(w, pr, "peak_h", jnum(r->priming_peak_h));
        }
    }
}

static void put_compartment(jw *w, cJSON *parent, const char *key, const scenario *s,
                            const scn_compartment *cp)
{
    cJSON *o = put(w, parent, key, cJSON_CreateObject());
    if (!o) return;
    put(w, o, "tissue", cJSON_CreateString(s->tissues[cp->tissue].name));
    put(w, o, "type", cJSON_CreateString(s->types[cp->type].name));
    if (cp->region >= 0)
        put(w, o, "region", cJSON_CreateString(s->tissues[cp->tissue].regions[cp->region].name));
}

static void put_neurons_pain(jw *w, cJSON *root, const scenario *s)
{
    put(w, root, "sex", cJSON_CreateString(sex_names[s->sex]));
    const scn_neurons *n = &s->neurons;
    if (n->enabled) {
        char num[32];
        cJSON *o = put(w, root, "neurons", cJSON_CreateObject());
        if (o) {
            snprintf(num, sizeof num, "%d", n->count);
            put(w, o, "count", cJSON_CreateRaw(num));
            put_compartment(w, o, "soma", s, &n->soma);
            put_compartment(w, o, "peripheral", s, &n->peripheral);
            put_compartment(w, o, "central", s, &n->central);
            put(w, o, "transport_delay_h", jnum(n->transport_delay_h));
            if (n->lesion_region >= 0) {
                cJSON *l = put(w, o, "lesion", cJSON_CreateObject());
                put(w, l, "region", cJSON_CreateString(
                                        s->tissues[n->peripheral.tissue].regions[n->lesion_region].name));
                put(w, l, "at_h", jnum(n->lesion_h));
                put(w, l, "permanent", cJSON_CreateBool(n->lesion_permanent));
            }
            if (n->toxin_drug >= 0) {
                cJSON *t = put(w, o, "toxin", cJSON_CreateObject());
                put(w, t, "drug", cJSON_CreateString(s->drugs[n->toxin_drug].name));
                put(w, t, "EC50_nM", jnum(n->toxin_EC50_nM));
                put(w, t, "rate_per_h", jnum(n->toxin_rate_per_h));
            }
            put(w, o, "repair_per_h", jnum(n->repair_per_h));
            put_drivers(w, o, "repair_drivers", s, n->repair_drivers, n->n_repair_drivers, 1);
        }
        const scn_pain *p = &s->pain;
        cJSON *po = put(w, root, "pain", cJSON_CreateObject());
        if (!po) return;
        put(w, po, "baseline_threshold_g", jnum(p->baseline_threshold_g));
        put(w, po, "time_constant_h", jnum(p->time_constant_h));
        put(w, po, "injury_weight", jnum(p->injury_weight));
        cJSON *ta = put(w, po, "terms", cJSON_CreateArray());
        for (int i = 0; ta && i < p->n_terms; i++) {
            const scn_pain_term *t = &p->terms[i];
            cJSON *to = put(w, ta, NULL, cJSON_CreateObject());
            if (!to) break;
            put(w, to, "terminal", cJSON_CreateString(terminal_names[t->central]));
            put(w, to, "mediator", cJSON_CreateString(s->mediators[t->mediator].name));
            put(w, to, "EC50_nM", jnum(t->EC50_nM));
            put(w, to, "hill", jnum(t->hill));
            put(w, to, "weight", jnum(t->weight));
            put(w, to, "sex", cJSON_CreateString(term_sex_names[t->sex]));
        }
    }
}

char *scenario_to_json(const scenario *s)
{
    jw w = {0};
    char num[32];
    cJSON *root = cJSON_CreateObject();
    if (!root) return NULL;
    put(&w, root, "name", cJSON_CreateString(s->name));
    put(&w, root, "description", cJSON_CreateString(s->description));
    snprintf(num, sizeof num, "%" PRIu64, s->seed);
    put(&w, root, "seed", cJSON_CreateRaw(num));

    cJSON *t = put(&w, root, "time", cJSON_CreateObject());
    put(&w, t, "duration_h", jnum(s->duration_h));
    put(&w, t, "dt_min", jnum(s->dt_min));
    put(&w, t, "output_interval_h", jnum(s->output_interval_h));
    put(&w, t, "snapshot_interval_h", jnum(s->snapshot_interval_h));

    cJSON *e = put(&w, root, "engine", cJSON_CreateObject());
    put(&w, e, "agent_capacity_factor", jnum(s->agent_capacity_factor));

    cJSON *ms = put(&w, root, "mediators", cJSON_CreateArray());
    for (int i = 0; ms && i < s->n_mediators; i++) {
        const scn_mediator *md = &s->mediators[i];
        cJSON *o = put(&w, ms, NULL, cJSON_CreateObject());
        put(&w, o, "name", cJSON_CreateString(md->name));
        put(&w, o, "D_um2_per_s", jnum(md->D_um2_per_s));
        put(&w, o, "half_life_min", jnum(md->half_life_min));
        put(&w, o, "kDa", jnum(md->kDa));
        cJSON *ja = put(&w, o, "jak", cJSON_CreateArray());
        for (int k = 0; ja && k < SCN_N_JAKS; k++)
            if (md->jak[k]) put(&w, ja, NULL, cJSON_CreateString(jak_names[k]));
    }

    cJSON *ts = put(&w, root, "cell_types", cJSON_CreateArray());
    for (int i = 0; ts && i < s->n_types; i++) {
        const scn_cell_type *ct = &s->types[i];
        cJSON *o = put(&w, ts, NULL, cJSON_CreateObject());
        if (!o) break;
        put(&w, o, "name", cJSON_CreateString(ct->name));
        put(&w, o, "radius_um", jnum(ct->radius_um));
        put(&w, o, "speed_um_per_min", jnum(ct->speed_um_per_min));
        put(&w, o, "persistence_min", jnum(ct->persistence_min));
        put(&w, o, "repulsion_um_per_min", jnum(ct->repulsion_um_per_min));
        put(&w, o, "death_rate_per_h", jnum(ct->death_rate_per_h));
        put(&w, o, "division_rate_per_h", jnum(ct->division_rate_per_h));
        if (ct->chemotaxis_mediator >= 0) {
            cJSON *ch = put(&w, o, "chemotaxis", cJSON_CreateObject());
            put(&w, ch, "mediator", cJSON_CreateString(s->mediators[ct->chemotaxis_mediator].name));
            put(&w, ch, "speed_um_per_min", jnum(ct->chemotaxis_speed_um_per_min));
            put(&w, ch, "Kd_nM", jnum(ct->chemotaxis_Kd_nM));
            put(&w, ch, "half_gradient_per_um", jnum(ct->chemotaxis_half_gradient_per_um));
        }
        cJSON *ss = put(&w, o, "states", cJSON_CreateArray());
        for (int k = 0; ss && k < ct->n_states; k++) {
            const scn_state *st = &ct->states[k];
            cJSON *so = put(&w, ss, NULL, cJSON_CreateObject());
            put(&w, so, "name", cJSON_CreateString(st->name));
            put_map(&w, so, "secretion_molecules_per_min", s, st->secretion_molecules_per_min);
            put_map(&w, so, "uptake_um3_per_min", s, st->uptake_um3_per_min);
        }
        put_type_signalling(&w, o, s, ct);
    }

    cJSON *tis = put(&w, root, "tissues", cJSON_CreateArray());
    for (int i = 0; tis && i < s->n_tissues; i++) put_tissue(&w, tis, s, &s->tissues[i]);

    cJSON *ds = put(&w, root, "drugs", cJSON_CreateArray());
    for (int i = 0; ds && i < s->n_drugs; i++) put_drug(&w, ds, s, &s->drugs[i]);
    cJSON *ps = put(&w, root, "perturbations", cJSON_CreateArray());
    for (int i = 0; ps && i < s->n_perturbations; i++) put_perturbation(&w, ps, s, &s->perturbations[i]);
    put_neurons_pain(&w, root, s);

    char *text = w.oom ? NULL : cJSON_Print(root);
    cJSON_Delete(root);
    return text;
}

/* ------------------------------------------------------------------------------------
 * Lookups.
 * ---------------------------------------------------------------------------------- */

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
