/* scn_walk.c — the one walker over the scenario key tables (scn_table.h).
 *
 * Reading: for each section it checks the JSON type, rejects unknown keys (with a
 * suggestion), reads every row by its type with its rule and default, resolves names
 * into indices, checks the kind a row belongs to, and runs the section's hooks for the
 * rules that span keys. Writing: the same rows, in the same order, give the resolved
 * scenario. Messages keep the loader's one form: "FILE: json.path: expected X, got Y".
 */
#include "scn_table.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAMES_MAX 64

static const cJSON scn_empty_object = {0};

void scn_mediator_names(const scenario *s, const char *names[SCN_MAX_MEDIATORS])
{
    for (int i = 0; i < s->n_mediators; i++) names[i] = s->mediators[i].name;
}

void scn_tissue_names(const scenario *s, const char *names[SCN_MAX_TISSUES])
{
    for (int i = 0; i < s->n_tissues; i++) names[i] = s->tissues[i].name;
}

/* The names a reference may take, and what they are in words. Returns their number;
 * *tissue gets the tissue of a region reference (else -1). */
static int ref_names(const scn_walk *w, const scn_key *k, const void *dst, const char **names, char *what,
                     size_t cap, int *tissue)
{
    const scenario *s = w->s;
    const scn_cell_type *ct = NULL;
    const scn_tissue *t = NULL;
    int n = 0;
    *tissue = -1;
    switch (k->ref) {
    case SR_MEDIATOR:
        scn_mediator_names(s, names);
        snprintf(what, cap, "a mediator");
        return s->n_mediators;
    case SR_TYPE:
        for (int i = 0; i < s->n_types; i++) names[i] = s->types[i].name;
        snprintf(what, cap, "a cell type");
        return s->n_types;
    case SR_TISSUE:
        scn_tissue_names(s, names);
        snprintf(what, cap, "a tissue");
        return s->n_tissues;
    case SR_DRUG:
        for (int i = 0; i < s->n_drugs; i++) names[i] = s->drugs[i].name;
        snprintf(what, cap, "a drug");
        return s->n_drugs;
    case SR_STATE:
    case SR_STATE_OF:
        ct = k->ref == SR_STATE ? w->type : &s->types[*SCN_CAT(dst, k->ref_of, int)];
        for (int i = 0; i < ct->n_states; i++) names[n++] = ct->states[i].name;
        snprintf(what, cap, "a state of cell type \"%s\"", ct->name);
        return n;
    case SR_REGION:
    case SR_REGION_OF:
        if (k->ref == SR_REGION) {
            t = w->tissue;
            *tissue = (int)(t - s->tissues);
        } else {
            *tissue = *SCN_CAT(dst, k->ref_of, int);
            t = &s->tissues[*tissue];
        }
        for (int i = 0; i < t->n_regions; i++) names[n++] = t->regions[i].name;
        if (k->what) snprintf(what, cap, "%s \"%s\"", k->what, t->name);
        else snprintf(what, cap, "a region of tissue \"%s\"", t->name);
        return n;
    }
    return 0;
}

/* A region name that belongs to another tissue is told apart from a typo. */
static ps_status cross_region(scn_walk *w, const cJSON *v, const scn_key *k, int tissue, const char *const *names,
                              int n, const char *what)
{
    const scenario *s = w->s;
    if (!v || !cJSON_IsString(v)) return PS_OK;
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], v->valuestring) == 0) return PS_OK;
    for (int j = 0; j < s->n_tissues; j++) {
        const scn_tissue *o = &s->tissues[j];
        for (int i = 0; i < o->n_regions; i++) {
            if (j == tissue || strcmp(o->regions[i].name, v->valuestring) != 0) continue;
            char list[1024], got[256];
            if (n) scn_join(list, sizeof list, names, n, 10);
            else snprintf(list, sizeof list, "none is defined");
            scn_quote(got, sizeof got, v->valuestring);
            scn_path_key(w->c, k->name);
            return scn_fail(w->c, "expected the name of %s (%s), got %s, a region of tissue \"%s\"", what, list,
                            got, o->name);
        }
    }
    return PS_OK;
}

static ps_status read_ref(scn_walk *w, const cJSON *obj, const scn_key *k, void *dst)
{
    const char *names[NAMES_MAX];
    char what[200];
    int tissue;
    int n = ref_names(w, k, dst, names, what, sizeof what, &tissue);
    int *out = SCN_AT(dst, k->off, int);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, k->name);
    if (k->flags & SKF_CROSS) PS_TRY(cross_region(w, v, k, tissue, names, n, what));
    if (!v) {
        *out = (int)k->def;
        if (!(k->flags & SKF_REQUIRED)) return PS_OK;
        char want[240];
        snprintf(want, sizeof want, k->ref == SR_STATE ? "%s" : "the name of %s", what);
        return scn_missing(w->c, k->name, want);
    }
    size_t m = scn_path_key(w->c, k->name);
    PS_TRY(scn_name_ref(w->c, v, NULL, what, names, n, out));
    scn_path_pop(w->c, m);
    return PS_OK;
}

/* obj.key as {mediator name: number}; entries not listed stay 0. With SKF_FIELDS_ONLY
 * every mediator named must be present in the tissue being read. */
static ps_status read_medmap(scn_walk *w, const cJSON *obj, const scn_key *k, void *dst)
{
    scn_ctx *c = w->c;
    const scenario *s = w->s;
    const scn_tissue *only_in = (k->flags & SKF_FIELDS_ONLY) ? w->tissue : NULL;
    double *out = SCN_AT(dst, k->off, double);
    const cJSON *map;
    PS_TRY(scn_read_object(c, obj, k->name, 0, "an object {mediator name: number}", &map));
    if (!map) return PS_OK;
    const char *names[SCN_MAX_MEDIATORS];
    scn_mediator_names(s, names);
    size_t m = scn_path_key(c, k->name);
    for (const cJSON *it = map->child; it; it = it->next) {
        int idx = -1;
        size_t mk = scn_path_key(c, it->string);
        PS_TRY(scn_name_ref(c, NULL, it->string, "a mediator", names, s->n_mediators, &idx));
        if (only_in && !only_in->fields[idx].present) {
            const char *present[SCN_MAX_MEDIATORS] = {0};
            int np = 0;
            char list[1024];
            for (int j = 0; j < s->n_mediators; j++)
                if (only_in->fields[j].present) present[np++] = names[j];
            scn_join(list, sizeof list, present, np, 10);
            return scn_fail(c,
                            "expected the name of a mediator present in tissue \"%s\" (%s), got \"%s\" "
                            "(it is not listed in the tissue's fields)",
                            only_in->name, np ? list : "none", it->string);
        }
        PS_TRY(scn_num_value(c, it, k->rule, &out[idx]));
        scn_path_pop(c, mk);
    }
    scn_path_pop(c, m);
    return PS_OK;
}

static ps_status read_list(scn_walk *w, const cJSON *obj, const scn_key *k, void *dst);

static ps_status read_object_row(scn_walk *w, const cJSON *obj, const scn_key *k, void *dst)
{
    const scn_section *sub = k->sub;
    void *sd = SCN_AT(dst, k->off, char);
    if (sub->init) sub->init(w, sd);
    const cJSON *o;
    PS_TRY(scn_read_object(w->c, obj, k->name, (k->flags & SKF_REQUIRED) != 0, k->want, &o));
    if (!o) {
        if (k->flags & SKF_DEFAULTS) return scn_walk_object(w, sub, NULL, sd);
        return PS_OK;
    }
    size_t m = scn_path_key(w->c, k->name);
    if (sub->has_present) *SCN_AT(sd, sub->present_off, int) = 1;
    if (sub->pre) PS_TRY(sub->pre(w, o, sd));
    PS_TRY(scn_walk_object(w, sub, o, sd));
    scn_path_pop(w->c, m);
    return PS_OK;
}

/* Reads one row of sec from obj into dst (obj: the empty object when defaulting). */
static ps_status read_row(scn_walk *w, const scn_key *k, const cJSON *obj, void *dst)
{
    scn_ctx *c = w->c;
    int req = (k->flags & SKF_REQUIRED) != 0;
    double x = 0.0;
    switch (k->type) {
    case SK_NUM: {
        double *out = SCN_AT(dst, k->off, double);
        PS_TRY(scn_read_num(c, obj, k->name, req, (k->flags & SKF_PRESET) ? *out : k->def, k->rule, out));
        break;
    }
    case SK_INT:
        PS_TRY(scn_read_num(c, obj, k->name, req, k->def, k->rule, &x));
        *SCN_AT(dst, k->off, int) = (int)x;
        break;
    case SK_INT64:
        PS_TRY(scn_read_num(c, obj, k->name, req, k->def, k->rule, &x));
        *SCN_AT(dst, k->off, int64_t) = (int64_t)x;
        break;
    case SK_SEED:
        PS_TRY(scn_read_num(c, obj, k->name, req, k->def, k->rule, &x));
        *SCN_AT(dst, k->off, uint64_t) = (uint64_t)x;
        break;
    case SK_BOOL:
        PS_TRY(scn_read_bool(c, obj, k->name, (int)k->def, SCN_AT(dst, k->off, int)));
        break;
    case SK_NAME: {
        char *name = SCN_AT(dst, k->off, char);
        PS_TRY(scn_read_name(c, obj, k->name, name));
        if (k->flags & SKF_UNIQUE) {
            const char *names[NAMES_MAX];
            for (int j = 0; j < w->index && j < NAMES_MAX; j++)
                names[j] = SCN_CAT((const char *)w->list_base + (size_t)j * w->item_size, k->off, char);
            PS_TRY(scn_check_unique(c, name, names, w->index, w->list_len));
        }
        break;
    }
    case SK_TEXT:
        PS_TRY(scn_read_text(c, obj, k->name, SCN_AT(dst, k->off, char), k->cap ? k->cap : SCN_TEXT_MAX));
        break;
    case SK_ENUM: {
        int *out = SCN_AT(dst, k->off, int);
        *out = (int)k->def;
        if (req || cJSON_GetObjectItemCaseSensitive(obj, k->name))
            PS_TRY(scn_read_enum(c, obj, k->name, k->opts, k->n_opts, out));
        break;
    }
    case SK_VEC3: {
        double *out = SCN_AT(dst, k->off, double), def[3] = {out[0], out[1], out[2]};
        PS_TRY(scn_read_vec3(c, obj, k->name, req, def, k->rule, out));
        break;
    }
    case SK_MEDMAP:
        PS_TRY(read_medmap(w, obj, k, dst));
        break;
    case SK_REF:
        PS_TRY(read_ref(w, obj, k, dst));
        break;
    case SK_OBJECT:
        PS_TRY(read_object_row(w, obj, k, dst));
        break;
    case SK_LIST:
        PS_TRY(read_list(w, obj, k, dst));
        break;
    case SK_CUSTOM:
        PS_TRY(k->read(w, obj, k, dst));
        break;
    }
    if (k->check) PS_TRY(k->check(w, obj, dst));
    return PS_OK;
}

/* A key of another kind is an error naming the kinds it belongs to and what this kind takes. */
static ps_status check_kind(scn_walk *w, const scn_section *sec, const cJSON *obj, int kind)
{
    const scn_key *disc = &sec->keys[sec->disc];
    for (int i = 0; i < sec->n_keys; i++) {
        const scn_key *k = &sec->keys[i];
        if (!k->kinds || (k->kinds & (1u << kind)) || !cJSON_GetObjectItemCaseSensitive(obj, k->name)) continue;
        const char *owners[16], *wanted[32];
        int no = 0, nw = 0;
        char olist[200], wlist[400];
        for (int kd = 0; kd < disc->n_opts && no < 16; kd++)
            if (k->kinds & (1u << kd)) owners[no++] = disc->opts[kd];
        for (int j = 0; j < sec->n_keys && nw < 32; j++)
            if (sec->keys[j].kinds & (1u << kind)) wanted[nw++] = sec->keys[j].name;
        for (int j = 0; sec->disc_common && j < sec->n_keys && nw < 32; j++)
            if (!sec->keys[j].kinds && j != sec->disc) wanted[nw++] = sec->keys[j].name;
        scn_join(olist, sizeof olist, owners, no, no);
        scn_join(wlist, sizeof wlist, wanted, nw, nw);
        scn_path_key(w->c, k->name);
        return scn_fail(w->c, "key not allowed for %s \"%s\" (it belongs to %s); a %s %s %s", sec->disc_noun,
                        disc->opts[kind], olist, disc->opts[kind], sec->disc_verb, wlist);
    }
    return PS_OK;
}

ps_status scn_walk_object(scn_walk *w, const scn_section *sec, const cJSON *obj, void *dst)
{
    const char *names[NAMES_MAX];
    int kind = -1;
    if (!obj) obj = &scn_empty_object;
    if (obj->child) {
        int n = 0;
        for (int i = 0; i < sec->n_keys && n < NAMES_MAX; i++) names[n++] = sec->keys[i].name;
        PS_TRY(scn_check_keys(w->c, obj, names, n));
    }
    for (int pass = 0; pass <= 2; pass++) {
        for (int i = 0; i < sec->n_keys; i++) {
            const scn_key *k = &sec->keys[i];
            if (k->pass != pass || (k->flags & SKF_DEFERRED)) continue;
            if (k->kinds && kind >= 0 && !(k->kinds & (1u << kind))) {
                if (k->type == SK_REF) *SCN_AT(dst, k->off, int) = (int)k->def;
                continue;
            }
            PS_TRY(read_row(w, k, obj, dst));
            if (sec->disc_noun && i == sec->disc) {
                kind = *SCN_AT(dst, k->off, int);
                PS_TRY(check_kind(w, sec, obj, kind));
            }
        }
    }
    if (sec->post) PS_TRY(sec->post(w, obj, dst));
    return PS_OK;
}

static int has_deferred(const scn_section *sec)
{
    for (int i = 0; i < sec->n_keys; i++)
        if (sec->keys[i].flags & SKF_DEFERRED) return 1;
    return 0;
}

static void enter_scope(scn_walk *w, const scn_section *sec, void *elem)
{
    if (sec->scope == SCOPE_TYPE) w->type = elem;
    if (sec->scope == SCOPE_TISSUE) w->tissue = elem;
}

static ps_status read_list(scn_walk *w, const cJSON *obj, const scn_key *k, void *dst)
{
    scn_ctx *c = w->c;
    const scn_section *sub = k->sub;
    const cJSON *a;
    int n;
    int *count = SCN_AT(dst, k->count_off, int);
    char *base = SCN_AT(dst, k->off, char);
    PS_TRY(scn_read_array(c, obj, k->name, (k->flags & SKF_REQUIRED) != 0, k->min_items, k->max_items, k->items,
                          &a, &n));
    *count = 0;
    if (!a) return PS_OK;
    scn_walk saved = *w;
    size_t m = scn_path_key(c, k->name);
    w->list_len = c->len;
    w->list_base = base;
    w->item_size = k->item_size;
    int i = 0;
    for (const cJSON *e = a->child; e; e = e->next, i++) {
        void *elem = base + (size_t)i * k->item_size;
        size_t mi = scn_path_index(c, i);
        w->index = i;
        enter_scope(w, sub, elem);
        PS_TRY(scn_expect_object(c, e, sub->want));
        if (sub->init) sub->init(w, elem);
        if (sub->pre) PS_TRY(sub->pre(w, e, elem));
        PS_TRY(scn_walk_object(w, sub, e, elem));
        scn_path_pop(c, mi);
        *count = i + 1;
    }
    if (has_deferred(sub)) {
        i = 0;
        for (const cJSON *e = a->child; e; e = e->next, i++) {
            void *elem = base + (size_t)i * k->item_size;
            size_t mi = scn_path_index(c, i);
            w->index = i;
            enter_scope(w, sub, elem);
            for (int r = 0; r < sub->n_keys; r++)
                if (sub->keys[r].flags & SKF_DEFERRED) PS_TRY(read_row(w, &sub->keys[r], e, elem));
            scn_path_pop(c, mi);
        }
    }
    scn_path_pop(c, m);
    *w = saved; /* the enclosing list's scope and element */
    return PS_OK;
}

ps_status scn_read_scenario(scn_ctx *c, const cJSON *root, scenario *s)
{
    scn_walk w = {.c = c, .s = s};
    if (scn_sec_root.init) scn_sec_root.init(&w, s);
    return scn_walk_object(&w, &scn_sec_root, root, s);
}

ps_status scn_walk_document(const char *file, const cJSON *root, const scn_section *sec, void *dst, ps_err *err)
{
    scn_ctx *c = calloc(1, sizeof *c);
    if (!c) return ps_err_set(err, PS_ERR_MEMORY, "%s: out of memory", file);
    c->file = file;
    c->err = err;
    scn_walk w = {.c = c};
    if (sec->init) sec->init(&w, dst);
    ps_status st = scn_walk_object(&w, sec, root, dst);
    free(c);
    return st;
}

static int is_array_in(const scn_section *sec, const char *name, int depth)
{
    if (depth > 8) return 0;
    for (int i = 0; i < sec->n_keys; i++) {
        const scn_key *k = &sec->keys[i];
        if ((k->type == SK_LIST || k->type == SK_VEC3 || (k->flags & SKF_ARRAY)) && strcmp(k->name, name) == 0)
            return 1;
        if (k->sub && is_array_in(k->sub, name, depth + 1)) return 1;
    }
    return 0;
}

int scn_key_is_array(const char *name)
{
    return is_array_in(&scn_sec_root, name, 0);
}

/* ------------------------------------------------------------------------------------
 * Writing the resolved scenario.
 * ---------------------------------------------------------------------------------- */

cJSON *scn_jnum(double v)
{
    char buf[40];
    if (!isfinite(v)) return cJSON_CreateNull();
    scn_fmt_num(buf, sizeof buf, v);
    return cJSON_CreateRaw(buf);
}

static cJSON *jvec3(const double v[3])
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; a && i < 3; i++) {
        cJSON *n = scn_jnum(v[i]);
        if (!n || !cJSON_AddItemToArray(a, n)) {
            cJSON_Delete(n);
            cJSON_Delete(a);
            return NULL;
        }
    }
    return a;
}

/* Adds item under key (or to an array when key is NULL); records failure. */
cJSON *scn_put(scn_walk *w, cJSON *parent, const char *key, cJSON *item)
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

static cJSON *jraw(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static cJSON *jraw(const char *fmt, ...)
{
    char num[40];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(num, sizeof num, fmt, ap);
    va_end(ap);
    return cJSON_CreateRaw(num);
}

static int write_row(scn_walk *w, const scn_key *k, cJSON *o, const void *dst)
{
    const scenario *s = w->s;
    switch (k->type) {
    case SK_NUM: {
        double v = *SCN_CAT(dst, k->off, double);
        if (!(k->flags & SKF_NONZERO) || v != 0.0) scn_put(w, o, k->name, scn_jnum(v));
        break;
    }
    case SK_INT:
        scn_put(w, o, k->name, jraw("%d", *SCN_CAT(dst, k->off, int)));
        break;
    case SK_INT64:
        scn_put(w, o, k->name, jraw("%" PRId64, *SCN_CAT(dst, k->off, int64_t)));
        break;
    case SK_SEED:
        scn_put(w, o, k->name, jraw("%" PRIu64, *SCN_CAT(dst, k->off, uint64_t)));
        break;
    case SK_BOOL:
        scn_put(w, o, k->name, cJSON_CreateBool(*SCN_CAT(dst, k->off, int)));
        break;
    case SK_NAME:
    case SK_TEXT:
        scn_put(w, o, k->name, cJSON_CreateString(SCN_CAT(dst, k->off, char)));
        break;
    case SK_ENUM:
        scn_put(w, o, k->name, cJSON_CreateString(k->opts[*SCN_CAT(dst, k->off, int)]));
        break;
    case SK_VEC3:
        scn_put(w, o, k->name, jvec3(SCN_CAT(dst, k->off, double)));
        break;
    case SK_MEDMAP: {
        const double *v = SCN_CAT(dst, k->off, double);
        cJSON *m = scn_put(w, o, k->name, cJSON_CreateObject());
        for (int i = 0; m && i < s->n_mediators; i++)
            if (v[i] != 0.0) scn_put(w, m, s->mediators[i].name, scn_jnum(v[i]));
        break;
    }
    case SK_REF: {
        int v = *SCN_CAT(dst, k->off, int);
        if (v < 0) break;
        const char *names[NAMES_MAX];
        char what[200];
        int tissue;
        ref_names(w, k, dst, names, what, sizeof what, &tissue);
        scn_put(w, o, k->name, cJSON_CreateString(names[v]));
        break;
    }
    case SK_OBJECT: {
        const scn_section *sub = k->sub;
        const void *sd = SCN_CAT(dst, k->off, char);
        if (sub->has_present && !*SCN_CAT(sd, sub->present_off, int)) break;
        if (sub->write_if && !sub->write_if(w, sd)) break;
        cJSON *so = scn_put(w, o, k->name, cJSON_CreateObject());
        if (so) scn_write_object(w, sub, so, sd);
        break;
    }
    case SK_LIST: {
        int n = *SCN_CAT(dst, k->count_off, int);
        if ((k->flags & SKF_OMIT_EMPTY) && n == 0) break;
        cJSON *a = scn_put(w, o, k->name, cJSON_CreateArray());
        scn_walk saved = *w;
        for (int i = 0; a && i < n; i++) {
            const void *elem = SCN_CAT(dst, k->off + (size_t)i * k->item_size, char);
            enter_scope(w, k->sub, (void *)(uintptr_t)elem);
            cJSON *eo = scn_put(w, a, NULL, cJSON_CreateObject());
            if (!eo) break;
            scn_write_object(w, k->sub, eo, elem);
        }
        w->type = saved.type;
        w->tissue = saved.tissue;
        break;
    }
    case SK_CUSTOM:
        if (k->write) k->write(w, o, k, dst);
        break;
    }
    return !w->oom;
}

int scn_write_object(scn_walk *w, const scn_section *sec, cJSON *o, const void *dst)
{
    int kind = sec->disc_noun ? *SCN_CAT(dst, sec->keys[sec->disc].off, int) : -1;
    for (int pass = 0; pass <= 2; pass++) {
        for (int i = 0; i < sec->n_keys; i++) {
            const scn_key *k = &sec->keys[i];
            if (k->pass != pass || (k->flags & SKF_NOWRITE)) continue;
            if (k->kinds && !(k->kinds & (1u << kind))) continue;
            if (!write_row(w, k, o, dst)) return 0;
        }
    }
    return !w->oom;
}

char *scenario_to_json(const scenario *s)
{
    scn_walk w = {.s = (scenario *)(uintptr_t)s};
    cJSON *root = cJSON_CreateObject();
    if (!root) return NULL;
    scn_write_object(&w, &scn_sec_root, root, s);
    char *text = w.oom ? NULL : cJSON_Print(root);
    cJSON_Delete(root);
    return text;
}
