/* scn_set.c — --set key.path=value overrides.
 *
 * An override edits the JSON tree before validation, so it is checked exactly like the
 * file and its messages name the file's JSON path. Arrays of named objects are addressed
 * by name (tissues.nerve.voxel_um) or index; --set never creates array elements (which
 * keys hold arrays comes from the key tables, scn_key_is_array).
 */
#include "scn_impl.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SET_MAX_SEGS 32
#define SET_KEY_MAX 256

typedef struct {
    char key[SET_KEY_MAX];   /* key, or "" for a bracket index */
    long index;              /* bracket index, or -1 */
} set_seg;

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
ps_status scn_apply_set(cJSON *root, const char *spec, char **canon_out, ps_err *err)
{
    set_seg segs[SET_MAX_SEGS];
    int n_segs = 0;
    char canon[SCN_PATH_CAP] = "";
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
                is_array = scn_key_is_array(sg->key);
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
                    scn_join(list, sizeof list, names, nn, 10);
                    scn_suggestion(sugg, sizeof sugg, sg->key, names, nn);
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
            scn_describe(got, sizeof got, node);
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
