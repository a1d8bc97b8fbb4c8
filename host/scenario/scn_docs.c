/* scn_docs.c — documentation generated from the key tables: the markdown key tables of
 * scenarios/README.md and the JSON Schema scenarios/schema.json (for editors), so the
 * docs, the schema and the loader are one declaration and cannot drift. `make docs`
 * writes them (tools/docs_gen.c); tests/test_docs.sh fails when the committed copies
 * differ from what it writes.
 */
#include "scenario_docs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scn_table.h"

/* ------------------------------------------------------------------------------------
 * Markdown
 * ---------------------------------------------------------------------------------- */

static void num_text(char *buf, size_t cap, double v)
{
    if (v == 1e9) snprintf(buf, cap, "10⁹");
    else if (v == 1e6) snprintf(buf, cap, "10⁶");
    else scn_fmt_num(buf, cap, v);
}

/* "(0, 60]", "[0, 1]", "> 0", "≥ 0", "" */
static void range_text(char *buf, size_t cap, num_rule r)
{
    char lo[40], hi[40];
    num_text(lo, sizeof lo, r.lo);
    num_text(hi, sizeof hi, r.hi);
    if (isfinite(r.lo) && isfinite(r.hi)) snprintf(buf, cap, "%s%s, %s]", r.lo_open ? "(" : "[", lo, hi);
    else if (isfinite(r.lo)) snprintf(buf, cap, "%s %s", r.lo_open ? ">" : "≥", lo);
    else if (isfinite(r.hi)) snprintf(buf, cap, "≤ %s", hi);
    else buf[0] = '\0';
    if (r.integer && buf[0]) {
        size_t n = strlen(buf);
        snprintf(buf + n, cap - n, ", integer");
    }
}

static const char *ref_words(scn_ref_kind r)
{
    switch (r) {
    case SR_MEDIATOR: return "a mediator";
    case SR_TYPE: return "a cell type";
    case SR_TISSUE: return "a tissue";
    case SR_DRUG: return "a drug";
    case SR_STATE: return "a state of this type";
    case SR_STATE_OF: return "a state of that type";
    case SR_REGION: return "a region of this tissue";
    case SR_REGION_OF: return "a region of that tissue";
    }
    return "";
}

static void type_text(char *buf, size_t cap, const scn_key *k)
{
    size_t n = 0;
    switch (k->type) {
    case SK_NUM: snprintf(buf, cap, "number"); break;
    case SK_INT:
    case SK_INT64:
    case SK_SEED: snprintf(buf, cap, "integer"); break;
    case SK_BOOL: snprintf(buf, cap, "boolean"); break;
    case SK_NAME:
    case SK_REF: snprintf(buf, cap, "name"); break;
    case SK_TEXT: snprintf(buf, cap, "string"); break;
    case SK_ENUM:
        buf[0] = '\0';
        for (int i = 0; i < k->n_opts && n < cap; i++)
            n += (size_t)snprintf(buf + n, cap - n, "%s`\"%s\"`", i == 0 ? "" : i == k->n_opts - 1 ? " or " : ", ",
                                  k->opts[i]);
        break;
    case SK_VEC3: snprintf(buf, cap, "[x, y, z]"); break;
    case SK_MEDMAP: snprintf(buf, cap, "object {mediator: number}"); break;
    case SK_OBJECT: snprintf(buf, cap, "object"); break;
    case SK_LIST: snprintf(buf, cap, "array"); break;
    case SK_CUSTOM: snprintf(buf, cap, "%s", k->type_doc ? k->type_doc : ""); break;
    }
}

static void default_text(char *buf, size_t cap, const scn_key *k)
{
    char v[40];
    if (k->flags & SKF_REQUIRED) {
        snprintf(buf, cap, "required");
        return;
    }
    if (k->def_doc) {
        snprintf(buf, cap, "%s", k->def_doc);
        return;
    }
    switch (k->type) {
    case SK_NUM:
    case SK_INT:
    case SK_INT64:
    case SK_SEED:
    case SK_CUSTOM:
        scn_fmt_num(v, sizeof v, k->def);
        snprintf(buf, cap, "`%s`", v);
        break;
    case SK_BOOL: snprintf(buf, cap, "`%s`", k->def != 0.0 ? "true" : "false"); break;
    case SK_ENUM: snprintf(buf, cap, "`\"%s\"`", k->opts[(int)k->def]); break;
    case SK_TEXT: snprintf(buf, cap, "`\"\"`"); break;
    case SK_MEDMAP: snprintf(buf, cap, "`{}` (none)"); break;
    case SK_LIST: snprintf(buf, cap, "`[]`"); break;
    case SK_REF: snprintf(buf, cap, "none"); break;
    default: snprintf(buf, cap, "absent"); break;
    }
}

static void range_col(char *buf, size_t cap, const scn_key *k)
{
    buf[0] = '\0';
    switch (k->type) {
    case SK_NUM:
    case SK_INT:
    case SK_INT64:
    case SK_SEED:
    case SK_VEC3:
        range_text(buf, cap, k->rule);
        if (k->type == SK_VEC3 && buf[0]) {
            char t[200];
            snprintf(t, sizeof t, "each %s", buf);
            snprintf(buf, cap, "%s", t);
        }
        break;
    case SK_CUSTOM:
        if (k->type_doc && strcmp(k->type_doc, "number") == 0) range_text(buf, cap, k->rule);
        break;
    case SK_MEDMAP: {
        char r[160];
        range_text(r, sizeof r, k->rule);
        snprintf(buf, cap, "each %s%s", r, (k->flags & SKF_FIELDS_ONLY) ? ", mediators of the tissue" : "");
        break;
    }
    case SK_NAME: snprintf(buf, cap, "%s", (k->flags & SKF_UNIQUE) ? "unique" : "name rules"); break;
    case SK_REF: snprintf(buf, cap, "%s", ref_words(k->ref)); break;
    case SK_LIST:
        if (k->min_items == k->max_items) snprintf(buf, cap, "%d elements", k->min_items);
        else snprintf(buf, cap, "%d … %d elements", k->min_items, k->max_items);
        break;
    case SK_TEXT: snprintf(buf, cap, "≤ %d bytes", SCN_TEXT_MAX - 1); break;
    default: break;
    }
    if (k->range_doc && k->type == SK_NAME) {
        snprintf(buf, cap, "%s", k->range_doc); /* a name's rule in words replaces "unique" */
    } else if (k->range_doc) {
        size_t n = strlen(buf);
        snprintf(buf + n, cap - n, "%s%s", n ? "; " : "", k->range_doc);
    }
}

static void kinds_text(char *buf, size_t cap, const scn_section *sec, const scn_key *k)
{
    buf[0] = '\0';
    if (!k->kinds || !sec->disc_noun) return;
    const scn_key *disc = &sec->keys[sec->disc];
    size_t n = (size_t)snprintf(buf, cap, " Only for %s ", sec->disc_noun);
    int first = 1;
    for (int i = 0; i < disc->n_opts && n < cap; i++) {
        if (!(k->kinds & (1u << i))) continue;
        n += (size_t)snprintf(buf + n, cap - n, "%s`%s`", first ? "" : ", ", disc->opts[i]);
        first = 0;
    }
    if (n < cap) snprintf(buf + n, cap - n, ".");
}

void scenario_docs_table(FILE *f, const scn_section *sec)
{
    fprintf(f, "| key | type | unit | default | range | meaning |\n|---|---|---|---|---|---|\n");
    for (int i = 0; i < sec->n_keys; i++) {
        const scn_key *k = &sec->keys[i];
        char type[200], def[200], range[300], kinds[200];
        type_text(type, sizeof type, k);
        default_text(def, sizeof def, k);
        range_col(range, sizeof range, k);
        kinds_text(kinds, sizeof kinds, sec, k);
        fprintf(f, "| `%s` | %s | %s | %s | %s | %s%s |\n", k->name, type, k->unit ? k->unit : "—", def, range,
                k->doc ? k->doc : "", kinds);
    }
}

/* Every section reachable from the root, each once, in document order. */
static int collect(const scn_section *sec, const scn_section **out, int n, int cap)
{
    for (int i = 0; i < n; i++)
        if (out[i] == sec) return n;
    if (n < cap) out[n++] = sec;
    for (int i = 0; i < sec->n_keys; i++)
        if (sec->keys[i].sub) n = collect(sec->keys[i].sub, out, n, cap);
    return n;
}

static int all_sections(const scn_section **out, int cap)
{
    int n = collect(&scn_sec_root, out, 0, cap);
    return collect(&scn_sec_field, out, n, cap);
}

const scn_section *scenario_docs_section_in(const scn_section *root, const char *id)
{
    const scn_section *all[64];
    int n = root ? collect(root, all, 0, 64) : all_sections(all, 64);
    for (int i = 0; i < n; i++)
        if (strcmp(all[i]->id, id) == 0) return all[i];
    return NULL;
}

const scn_section *scenario_docs_section(const char *id)
{
    return scenario_docs_section_in(NULL, id);
}

void scenario_docs_perturbation_kinds(FILE *f)
{
    const scn_section *sec = &scn_sec_perturbation;
    fprintf(f, "| kind | keys | what it does | on the device |\n|---|---|---|---|\n");
    for (int kd = 0; kd < SCN_N_PERTURB_KINDS; kd++) {
        char keys[400] = "";
        size_t n = 0;
        for (int i = 0; i < sec->n_keys && n < sizeof keys; i++) {
            const scn_key *k = &sec->keys[i];
            if (i == sec->disc || (k->kinds && !(k->kinds & (1u << kd)))) continue;
            n += (size_t)snprintf(keys + n, sizeof keys - n, "%s`%s`", n ? ", " : "", k->name);
        }
        fprintf(f, "| `%s` | %s | %s | %s |\n", scn_perturb_kinds[kd].name, keys, scn_perturb_kinds[kd].doc,
                scn_perturb_kinds[kd].kernel);
    }
}

/* ------------------------------------------------------------------------------------
 * JSON Schema (draft-07)
 * ---------------------------------------------------------------------------------- */

static void def_name(char *buf, size_t cap, const char *id)
{
    size_t n = 0;
    for (const char *p = id; *p && n + 1 < cap; p++) {
        int ch = (unsigned char)*p;
        int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
        if (ok) buf[n++] = (char)ch;
        else if (n && buf[n - 1] != '_') buf[n++] = '_';
    }
    while (n && buf[n - 1] == '_') n--;
    buf[n] = '\0';
}

static cJSON *num_schema(num_rule r, const char *type)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "type", r.integer ? "integer" : type);
    if (isfinite(r.lo)) cJSON_AddNumberToObject(o, r.lo_open ? "exclusiveMinimum" : "minimum", r.lo);
    if (isfinite(r.hi)) cJSON_AddNumberToObject(o, "maximum", r.hi);
    return o;
}

static cJSON *ref_to(const scn_section *sub)
{
    char name[160], ref[200];
    def_name(name, sizeof name, sub->id);
    snprintf(ref, sizeof ref, "#/definitions/%s", name);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "$ref", ref);
    return o;
}

static cJSON *key_schema(const scn_key *k)
{
    cJSON *o = NULL, *a;
    switch (k->type) {
    case SK_NUM:
        o = num_schema(k->rule, "number");
        if (!(k->flags & (SKF_REQUIRED | SKF_PRESET))) cJSON_AddNumberToObject(o, "default", k->def);
        break;
    case SK_INT:
    case SK_INT64:
    case SK_SEED:
        o = num_schema(k->rule, "integer");
        if (!(k->flags & SKF_REQUIRED)) cJSON_AddNumberToObject(o, "default", k->def);
        break;
    case SK_BOOL:
        o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "type", "boolean");
        cJSON_AddBoolToObject(o, "default", k->def != 0.0);
        break;
    case SK_NAME:
    case SK_REF:
        o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "$ref", "#/definitions/name");
        break;
    case SK_TEXT:
        o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "$ref", "#/definitions/text");
        break;
    case SK_ENUM:
        o = cJSON_CreateObject();
        a = cJSON_AddArrayToObject(o, "enum");
        for (int i = 0; i < k->n_opts; i++) cJSON_AddItemToArray(a, cJSON_CreateString(k->opts[i]));
        break;
    case SK_VEC3:
        o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "type", "array");
        cJSON_AddNumberToObject(o, "minItems", 3);
        cJSON_AddNumberToObject(o, "maxItems", 3);
        cJSON_AddItemToObject(o, "items", num_schema(k->rule, "number"));
        break;
    case SK_MEDMAP:
        o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "type", "object");
        cJSON_AddItemToObject(o, "additionalProperties", num_schema(k->rule, "number"));
        break;
    case SK_OBJECT:
        o = ref_to(k->sub);
        break;
    case SK_LIST:
        o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "type", "array");
        if (k->min_items) cJSON_AddNumberToObject(o, "minItems", k->min_items);
        cJSON_AddNumberToObject(o, "maxItems", k->max_items);
        cJSON_AddItemToObject(o, "items", ref_to(k->sub));
        break;
    case SK_CUSTOM:
        o = cJSON_Parse(k->schema ? k->schema : "{}");
        break;
    }
    if (o && k->doc) cJSON_AddStringToObject(o, "description", k->doc);
    return o;
}

static cJSON *section_schema(const scn_section *sec)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "type", "object");
    cJSON_AddBoolToObject(o, "additionalProperties", 0);
    cJSON *req = cJSON_CreateArray(), *props = cJSON_AddObjectToObject(o, "properties");
    for (int i = 0; i < sec->n_keys; i++) {
        const scn_key *k = &sec->keys[i];
        cJSON_AddItemToObject(props, k->name, key_schema(k));
        if ((k->flags & SKF_REQUIRED) && !k->kinds) cJSON_AddItemToArray(req, cJSON_CreateString(k->name));
    }
    if (cJSON_GetArraySize(req)) cJSON_AddItemToObject(o, "required", req);
    else cJSON_Delete(req);
    if (sec->disc_noun) {
        const scn_key *disc = &sec->keys[sec->disc];
        cJSON *all = cJSON_AddArrayToObject(o, "allOf");
        for (int kd = 0; kd < disc->n_opts; kd++) {
            cJSON *c = cJSON_CreateObject(), *ifo = cJSON_AddObjectToObject(c, "if");
            cJSON *ip = cJSON_AddObjectToObject(ifo, "properties"), *kc = cJSON_AddObjectToObject(ip, disc->name);
            cJSON_AddStringToObject(kc, "const", disc->opts[kd]);
            cJSON *then = cJSON_AddObjectToObject(c, "then"), *treq = cJSON_CreateArray();
            cJSON *tprops = cJSON_AddObjectToObject(then, "properties");
            for (int i = 0; i < sec->n_keys; i++) {
                const scn_key *k = &sec->keys[i];
                if (!k->kinds) continue;
                if (!(k->kinds & (1u << kd))) cJSON_AddItemToObject(tprops, k->name, cJSON_CreateFalse());
                else if (k->flags & SKF_REQUIRED) cJSON_AddItemToArray(treq, cJSON_CreateString(k->name));
            }
            if (cJSON_GetArraySize(treq)) cJSON_AddItemToObject(then, "required", treq);
            else cJSON_Delete(treq);
            cJSON_AddItemToArray(all, c);
        }
    }
    if (sec->schema_extra) {
        cJSON *extra = cJSON_Parse(sec->schema_extra);
        for (cJSON *it = extra ? extra->child : NULL; it; it = it->next) {
            cJSON_DeleteItemFromObjectCaseSensitive(o, it->string);
            cJSON_AddItemToObject(o, it->string, cJSON_Duplicate(it, 1));
        }
        cJSON_Delete(extra);
    }
    return o;
}

char *scenario_schema_json(void)
{
    const scn_section *all[64];
    int n = all_sections(all, 64);
    cJSON *root = section_schema(&scn_sec_root);
    cJSON *top = cJSON_CreateObject();
    cJSON_AddStringToObject(top, "$schema", "http://json-schema.org/draft-07/schema#");
    cJSON_AddStringToObject(top, "$id", "https://painsim.invalid/schemas/scenario.json");
    cJSON_AddStringToObject(top, "title", "painsim scenario");
    cJSON_AddStringToObject(top, "description",
                            "A painsim scenario file. Generated by `make docs` from the key tables in host/scenario/ "
                            "(do not edit). The loader also checks what a schema cannot: unique names, name "
                            "references, multiples of dt_min and voxel_um, grid limits, regions containing a voxel "
                            "centre, transition states of their own type and from != to, dose courses and "
                            "perturbations starting before time.duration_h, stop_h > start_h. See "
                            "scenarios/README.md.");
    for (cJSON *it = root->child; it; it = it->next) cJSON_AddItemToObject(top, it->string, cJSON_Duplicate(it, 1));
    cJSON_Delete(root);
    cJSON *defs = cJSON_AddObjectToObject(top, "definitions");
    cJSON *name = cJSON_AddObjectToObject(defs, "name");
    cJSON_AddStringToObject(name, "type", "string");
    cJSON_AddStringToObject(name, "pattern", "^[A-Za-z][A-Za-z0-9_-]{0,46}$");
    cJSON *text = cJSON_AddObjectToObject(defs, "text");
    cJSON_AddStringToObject(text, "type", "string");
    cJSON_AddNumberToObject(text, "maxLength", SCN_TEXT_MAX - 1);
    for (int i = 1; i < n; i++) {
        char dn[160];
        def_name(dn, sizeof dn, all[i]->id);
        cJSON_AddItemToObject(defs, dn, section_schema(all[i]));
    }
    char *out = cJSON_Print(top);
    cJSON_Delete(top);
    return out;
}
