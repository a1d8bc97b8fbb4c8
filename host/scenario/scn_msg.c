/* scn_msg.c — the validation context and typed readers of the scenario loader.
 *
 * The scenario is the user interface of the simulator, so the trade-off here is
 * message quality over brevity: every value is read through a handful of helpers that
 * know the JSON path of the value, the rule it must satisfy and how to describe what
 * was found, so each failure reads "FILE: json.path: expected WHAT, got WHAT". Unknown
 * keys get a spelling suggestion; duplicate keys (cJSON keeps them silently) are errors.
 */
#include "scn_impl.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------------------
 * Validation context: where we are in the document and how to label messages.
 * ---------------------------------------------------------------------------------- */


size_t scn_path_key(scn_ctx *c, const char *key)
{
    size_t mark = c->len;
    int n = snprintf(c->path + c->len, SCN_PATH_CAP - c->len, "%s%s", c->len ? "." : "", key);
    if (n > 0) c->len = (c->len + (size_t)n < SCN_PATH_CAP) ? c->len + (size_t)n : SCN_PATH_CAP - 1;
    return mark;
}

size_t scn_path_index(scn_ctx *c, int i)
{
    size_t mark = c->len;
    int n = snprintf(c->path + c->len, SCN_PATH_CAP - c->len, "[%d]", i);
    if (n > 0) c->len = (c->len + (size_t)n < SCN_PATH_CAP) ? c->len + (size_t)n : SCN_PATH_CAP - 1;
    return mark;
}

void scn_path_pop(scn_ctx *c, size_t mark)
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
static void make_label(const scn_ctx *c, char *buf, size_t cap)
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

ps_status scn_fail(scn_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

ps_status scn_fail(scn_ctx *c, const char *fmt, ...)
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
void scn_fmt_num(char *buf, size_t cap, double v)
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
void scn_quote(char *buf, size_t cap, const char *s)
{
    size_t n = 0;
    int chars = 0;
    if (cap < 8) {
        if (cap) buf[0] = '\0';
        return;
    }
    buf[n++] = '"';
    for (const unsigned char *p = (const unsigned char *)s; *p && n + 8 < cap; p++) {
        if ((*p & 0xC0) != 0x80 && ++chars > SCN_QUOTE_CHARS) {
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
void scn_describe(char *buf, size_t cap, const cJSON *v)
{
    char tmp[256];
    if (cJSON_IsNumber(v)) {
        if (!isfinite(v->valuedouble)) {
            snprintf(buf, cap, "a number too large for a double (it overflows to infinity)");
        } else {
            scn_fmt_num(tmp, sizeof tmp, v->valuedouble);
            snprintf(buf, cap, "number %s", tmp);
        }
    } else if (cJSON_IsString(v)) {
        scn_quote(tmp, sizeof tmp, v->valuestring);
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
void scn_join(char *buf, size_t cap, const char *const *items, int n, int max_items)
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
void scn_suggestion(char *buf, size_t cap, const char *s, const char *const *cands, int n)
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


void scn_rule_text(char *buf, size_t cap, num_rule r)
{
    char lo[40], hi[40];
    scn_fmt_num(lo, sizeof lo, r.lo);
    scn_fmt_num(hi, sizeof hi, r.hi);
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

ps_status scn_expect_type_fail(scn_ctx *c, const char *want, const cJSON *v)
{
    char got[320];
    scn_describe(got, sizeof got, v);
    return scn_fail(c, "expected %s, got %s", want, got);
}

/* Checks the value at the current path against r and stores it (-0 becomes +0). */
ps_status scn_num_value(scn_ctx *c, const cJSON *v, num_rule r, double *out)
{
    char want[160], got[64];
    scn_rule_text(want, sizeof want, r);
    if (!cJSON_IsNumber(v)) return scn_expect_type_fail(c, want, v);
    double x = v->valuedouble;
    if (!isfinite(x))
        return scn_fail(c, "expected a finite number (%s), got a number too large for a double", want);
    scn_fmt_num(got, sizeof got, x);
    if (r.integer && x != floor(x)) return scn_fail(c, "expected %s, got %s", want, got);
    if (x < r.lo || (r.lo_open && x <= r.lo) || x > r.hi)
        return scn_fail(c, "expected %s, got %s", want, got);
    *out = x + 0.0;
    return PS_OK;
}

ps_status scn_missing(scn_ctx *c, const char *key, const char *want)
{
    size_t m = scn_path_key(c, key);
    ps_status st = scn_fail(c, "missing required key (expected %s)", want);
    scn_path_pop(c, m);
    return st;
}

/* obj.key as a number: required, or def when absent. */
ps_status scn_read_num(scn_ctx *c, const cJSON *obj, const char *key, int required, double def,
                          num_rule r, double *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) {
        if (required) {
            char want[160];
            scn_rule_text(want, sizeof want, r);
            return scn_missing(c, key, want);
        }
        *out = def;
        return PS_OK;
    }
    size_t m = scn_path_key(c, key);
    PS_TRY(scn_num_value(c, v, r, out));
    scn_path_pop(c, m);
    return PS_OK;
}

/* obj.key as true or false; def when absent. */
ps_status scn_read_bool(scn_ctx *c, const cJSON *obj, const char *key, int def, int *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) {
        *out = def;
        return PS_OK;
    }
    if (!cJSON_IsBool(v)) {
        char got[120];
        scn_describe(got, sizeof got, v);
        scn_path_key(c, key);
        return scn_fail(c, "expected true or false, got %s", got);
    }
    *out = cJSON_IsTrue(v) ? 1 : 0;
    return PS_OK;
}

/* obj.key as [x, y, z]; def (may be NULL when required) when absent. */
ps_status scn_read_vec3(scn_ctx *c, const cJSON *obj, const char *key, int required,
                           const double def[3], num_rule r, double out[3])
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    char want[200], each[160];
    scn_rule_text(each, sizeof each, r);
    snprintf(want, sizeof want, "an array of 3 numbers [x, y, z], each %s", each);
    if (!v) {
        if (required) return scn_missing(c, key, want);
        for (int i = 0; i < 3; i++) out[i] = def[i];
        return PS_OK;
    }
    size_t m = scn_path_key(c, key);
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != 3) return scn_expect_type_fail(c, want, v);
    int i = 0;
    for (const cJSON *e = v->child; e; e = e->next, i++) {
        size_t mi = scn_path_index(c, i);
        PS_TRY(scn_num_value(c, e, r, &out[i]));
        scn_path_pop(c, mi);
    }
    scn_path_pop(c, m);
    return PS_OK;
}

int scn_valid_name(const char *s)
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


/* Copies a checked string (length < cap) including its terminator; the tail stays zero. */
void scn_copy_str(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap) n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* obj.key as a name (required). */
ps_status scn_read_name(scn_ctx *c, const cJSON *obj, const char *key, char out[SCN_NAME_MAX])
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) return scn_missing(c, key, NAME_RULE);
    size_t m = scn_path_key(c, key);
    if (!cJSON_IsString(v)) return scn_expect_type_fail(c, NAME_RULE, v);
    if (!scn_valid_name(v->valuestring)) {
        char got[256];
        scn_quote(got, sizeof got, v->valuestring);
        if (strlen(v->valuestring) > SCN_NAME_MAX - 1)
            return scn_fail(c, "expected %s, got a string of %zu characters", NAME_RULE,
                        strlen(v->valuestring));
        return scn_fail(c, "expected %s, got %s", NAME_RULE, got);
    }
    scn_copy_str(out, SCN_NAME_MAX, v->valuestring);
    scn_path_pop(c, m);
    return PS_OK;
}

/* Name at the current element path (..[i]) must differ from names[0..n-1]; list_len is
 * the path length of the list itself, so the message can name the other element. */
ps_status scn_check_unique(scn_ctx *c, const char *name, const char *const *names, int n,
                              size_t list_len)
{
    for (int j = 0; j < n; j++) {
        if (strcmp(names[j], name) != 0) continue;
        scn_path_key(c, "name");
        return scn_fail(c, "expected a unique name, got \"%s\" (%.*s[%d] has the same name)", name,
                    (int)list_len, c->path, j);
    }
    return PS_OK;
}

/* obj.key as free text of at most cap-1 bytes; "" when absent. */
ps_status scn_read_text(scn_ctx *c, const cJSON *obj, const char *key, char *out, size_t cap)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) {
        out[0] = '\0';
        return PS_OK;
    }
    char want[80];
    snprintf(want, sizeof want, "a string of at most %zu bytes", cap - 1);
    size_t m = scn_path_key(c, key);
    if (!cJSON_IsString(v)) return scn_expect_type_fail(c, want, v);
    if (strlen(v->valuestring) > cap - 1)
        return scn_fail(c, "expected %s, got a string of %zu bytes", want, strlen(v->valuestring));
    scn_copy_str(out, cap, v->valuestring);
    scn_path_pop(c, m);
    return PS_OK;
}

/* String value at the current path that must be one of opts[]; *out = its index. */
ps_status scn_enum_value(scn_ctx *c, const cJSON *v, const char *const *opts, int n, int *out)
{
    char want[200];
    size_t len = (size_t)snprintf(want, sizeof want, "one of ");
    for (int i = 0; i < n && len < sizeof want; i++)
        len += (size_t)snprintf(want + len, sizeof want - len, "%s\"%s\"", i ? ", " : "", opts[i]);
    if (!cJSON_IsString(v)) return scn_expect_type_fail(c, want, v);
    for (int i = 0; i < n; i++) {
        if (strcmp(v->valuestring, opts[i]) == 0) {
            *out = i;
            return PS_OK;
        }
    }
    char got[256], sugg[128];
    scn_quote(got, sizeof got, v->valuestring);
    scn_suggestion(sugg, sizeof sugg, v->valuestring, opts, n);
    return scn_fail(c, "expected %s, got %s%s", want, got, sugg);
}

ps_status scn_read_enum(scn_ctx *c, const cJSON *obj, const char *key, const char *const *opts,
                           int n, int *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) {
        char want[200];
        size_t len = (size_t)snprintf(want, sizeof want, "one of ");
        for (int i = 0; i < n && len < sizeof want; i++)
            len += (size_t)snprintf(want + len, sizeof want - len, "%s\"%s\"", i ? ", " : "", opts[i]);
        return scn_missing(c, key, want);
    }
    size_t m = scn_path_key(c, key);
    PS_TRY(scn_enum_value(c, v, opts, n, out));
    scn_path_pop(c, m);
    return PS_OK;
}

/* The value at the current path must be an object. */
ps_status scn_expect_object(scn_ctx *c, const cJSON *v, const char *want)
{
    if (!cJSON_IsObject(v)) return scn_expect_type_fail(c, want ? want : "an object", v);
    return PS_OK;
}

/* obj.key as an object; *out = NULL when absent and optional. */
ps_status scn_read_object(scn_ctx *c, const cJSON *obj, const char *key, int required,
                             const char *want, const cJSON **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    *out = NULL;
    if (!v) return required ? scn_missing(c, key, want) : PS_OK;
    size_t m = scn_path_key(c, key);
    PS_TRY(scn_expect_object(c, v, want));
    scn_path_pop(c, m);
    *out = v;
    return PS_OK;
}

/* obj.key as an array of min..max elements (what: "mediators"); *out = NULL, *n = 0 when
 * absent and optional. */
ps_status scn_read_array(scn_ctx *c, const cJSON *obj, const char *key, int required, int min,
                            int max, const char *what, const cJSON **out, int *n)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    char want[160];
    if (min > 0) snprintf(want, sizeof want, "an array of %d to %d %s", min, max, what);
    else snprintf(want, sizeof want, "an array of at most %d %s", max, what);
    *out = NULL;
    *n = 0;
    if (!v) return required ? scn_missing(c, key, want) : PS_OK;
    size_t m = scn_path_key(c, key);
    if (!cJSON_IsArray(v)) return scn_expect_type_fail(c, want, v);
    int size = cJSON_GetArraySize(v);
    if (size < min || size > max) return scn_expect_type_fail(c, want, v);
    scn_path_pop(c, m);
    *out = v;
    *n = size;
    return PS_OK;
}

/* Every key of obj must be in keys[]; otherwise an "unknown key" error with a suggestion. */
ps_status scn_check_keys(scn_ctx *c, const cJSON *obj, const char *const *keys, int n)
{
    for (const cJSON *it = obj->child; it; it = it->next) {
        int known = 0;
        for (int i = 0; i < n && !known; i++) known = strcmp(it->string, keys[i]) == 0;
        if (known) continue;
        char sugg[128], list[1024];
        scn_suggestion(sugg, sizeof sugg, it->string, keys, n);
        scn_join(list, sizeof list, keys, n, n);
        scn_path_key(c, it->string);
        return scn_fail(c, "unknown key%s; expected one of %s", sugg, list);
    }
    return PS_OK;
}

/* The string s at the current path must name one of names[] (what: "a mediator"); v is
 * the JSON value for type errors (NULL when s is an object key). *out = its index. */
ps_status scn_name_ref(scn_ctx *c, const cJSON *v, const char *s, const char *what,
                          const char *const *names, int n, int *out)
{
    char list[1024], want[1200];
    if (n == 0) {
        snprintf(want, sizeof want, "the name of %s (none is defined)", what);
    } else {
        scn_join(list, sizeof list, names, n, 10);
        snprintf(want, sizeof want, "the name of %s (%s)", what, list);
    }
    if (v && !cJSON_IsString(v)) return scn_expect_type_fail(c, want, v);
    if (v) s = v->valuestring;
    for (int i = 0; i < n; i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = i;
            return PS_OK;
        }
    }
    char got[256], sugg[128];
    scn_quote(got, sizeof got, s);
    scn_suggestion(sugg, sizeof sugg, s, names, n);
    return scn_fail(c, "expected %s, got %s%s", want, got, sugg);
}

/* ------------------------------------------------------------------------------------
 * Duplicate keys (cJSON keeps both silently).
 * ---------------------------------------------------------------------------------- */

ps_status scn_check_duplicates(scn_ctx *c, const cJSON *v)
{
    if (cJSON_IsObject(v)) {
        for (const cJSON *a = v->child; a; a = a->next) {
            for (const cJSON *b = v->child; b != a; b = b->next) {
                if (strcmp(a->string, b->string) == 0) {
                    char q[256];
                    scn_quote(q, sizeof q, a->string);
                    return scn_fail(c, "duplicate key %s", q);
                }
            }
            size_t m = scn_path_key(c, a->string);
            PS_TRY(scn_check_duplicates(c, a));
            scn_path_pop(c, m);
        }
    } else if (cJSON_IsArray(v)) {
        int i = 0;
        for (const cJSON *e = v->child; e; e = e->next, i++) {
            size_t m = scn_path_index(c, i);
            PS_TRY(scn_check_duplicates(c, e));
            scn_path_pop(c, m);
        }
    }
    return PS_OK;
}
