/* scn_impl.h — internals of the scenario module (host/scenario/), shared by its files only.
 *
 *   scn_msg.c     the validation context (JSON path, --set attribution) and the typed
 *                 readers that turn every failure into "FILE: json.path: expected X, got Y"
 *   scn_json.c    JSON text: reading files, syntax errors with line:column
 *   scn_set.c     --set key.path=value overrides, applied to the tree before validation
 *   scn_table.h   the declarative key tables: one row per scenario key
 *   scn_walk.c    the one walker over those tables: validate + fill defaults, write the
 *                 resolved JSON, list the keys for docs
 *   scn_keys_*.c  the tables themselves, one file per part of the scenario, with the
 *                 cross-field hooks beside them
 *   scn_docs.c    markdown key tables and JSON Schema generated from the tables
 *   scn_load.c    the public entry points, scale, lookups
 */
#ifndef PAINSIM_SCN_IMPL_H
#define PAINSIM_SCN_IMPL_H

#include <cjson/cJSON.h>
#include <math.h>
#include <stddef.h>

#include "scenario.h"

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

#define SCN_PATH_CAP 1024            /* JSON paths in messages */
#define SCN_SNIPPET_CHARS 24         /* characters shown after a syntax error */
#define SCN_QUOTE_CHARS 60           /* characters of a string value quoted in a message */
#define SCN_MAX_FILE_BYTES (16L << 20)
#define SCN_MAX_SEED 9007199254740991.0 /* 2^53 - 1: every integer below is exact in JSON */
#define SCN_MAX_AXIS_VOXELS 1024
#define SCN_MAX_TOTAL_VOXELS (1L << 27)
#define SCN_MULTIPLE_RTOL 1e-9
#define SCN_TISSUE_GAP_UM 100.0      /* default spacing between tissues laid along x */

/* Validation context: where we are in the document and how to label messages. */
typedef struct {
    const char *file;          /* FILE part of messages */
    ps_err *err;
    char path[SCN_PATH_CAP];   /* JSON path of the value being read */
    size_t len;
    const char *const *sets;   /* --set overrides (for attribution), after they are applied */
    char **set_paths;          /* canonical JSON path each override wrote */
    int n_sets;
} scn_ctx;

/* A numeric rule: lo < or <= value <= hi, optionally integral. */
typedef struct {
    double lo, hi;             /* bounds; -INFINITY / INFINITY when open-ended */
    int lo_open;               /* 1: value > lo, 0: value >= lo */
    int integer;               /* value must be integral */
} num_rule;

/* Brace lists, for tables (.rule = POS(60.0)); in an expression write (num_rule)POS(60.0). */
#define ANY_NUM {-INFINITY, INFINITY, 0, 0}
#define POS(hi) {0.0, (hi), 1, 0}
#define NONNEG(hi) {0.0, (hi), 0, 0}
#define RANGE(lo, hi) {(lo), (hi), 0, 0}
#define INT_RANGE(lo, hi) {(lo), (hi), 0, 1}

#define NAME_RULE "a name (1 to 47 characters: a letter, then letters, digits, '_' or '-')"

/* Path handling: push a key or index (returns the mark to pop back to). */
size_t scn_path_key(scn_ctx *c, const char *key);
size_t scn_path_index(scn_ctx *c, int i);
void scn_path_pop(scn_ctx *c, size_t mark);

/* "LABEL: PATH: message" into c->err (PS_ERR_INPUT); returns PS_ERR_INPUT. */
ps_status scn_fail(scn_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Describing values in messages. */
void scn_fmt_num(char *buf, size_t cap, double v);
void scn_quote(char *buf, size_t cap, const char *s);
void scn_describe(char *buf, size_t cap, const cJSON *v);
void scn_join(char *buf, size_t cap, const char *const *items, int n, int max_items);
void scn_suggestion(char *buf, size_t cap, const char *s, const char *const *cands, int n);
void scn_rule_text(char *buf, size_t cap, num_rule r);

/* Typed readers: each pushes its key while it checks and pops it on success; after a
 * failure the path names the culprit. */
ps_status scn_expect_type_fail(scn_ctx *c, const char *want, const cJSON *v);
ps_status scn_num_value(scn_ctx *c, const cJSON *v, num_rule r, double *out);
ps_status scn_missing(scn_ctx *c, const char *key, const char *want);
ps_status scn_read_num(scn_ctx *c, const cJSON *obj, const char *key, int required, double def,
                       num_rule r, double *out);
ps_status scn_read_bool(scn_ctx *c, const cJSON *obj, const char *key, int def, int *out);
ps_status scn_read_vec3(scn_ctx *c, const cJSON *obj, const char *key, int required,
                        const double def[3], num_rule r, double out[3]);
int scn_valid_name(const char *s);
void scn_copy_str(char *dst, size_t cap, const char *src);
ps_status scn_read_name(scn_ctx *c, const cJSON *obj, const char *key, char out[SCN_NAME_MAX]);
ps_status scn_check_unique(scn_ctx *c, const char *name, const char *const *names, int n,
                           size_t list_len);
ps_status scn_read_text(scn_ctx *c, const cJSON *obj, const char *key, char *out, size_t cap);
ps_status scn_enum_value(scn_ctx *c, const cJSON *v, const char *const *opts, int n, int *out);
ps_status scn_read_enum(scn_ctx *c, const cJSON *obj, const char *key, const char *const *opts,
                        int n, int *out);
ps_status scn_expect_object(scn_ctx *c, const cJSON *v, const char *want);
ps_status scn_read_object(scn_ctx *c, const cJSON *obj, const char *key, int required,
                          const char *want, const cJSON **out);
ps_status scn_read_array(scn_ctx *c, const cJSON *obj, const char *key, int required, int min,
                         int max, const char *what, const cJSON **out, int *n);
ps_status scn_check_keys(scn_ctx *c, const cJSON *obj, const char *const *keys, int n);
ps_status scn_name_ref(scn_ctx *c, const cJSON *v, const char *s, const char *what,
                       const char *const *names, int n, int *out);
ps_status scn_check_duplicates(scn_ctx *c, const cJSON *v);

/* JSON text (scn_json.c). */
ps_status scn_parse_text(const char *file, const char *text, cJSON **out, ps_err *err);
ps_status scn_read_text_file(const char *path, const char *what, char **text, ps_err *err);

/* --set (scn_set.c): applies one "key.path=value" to the tree; *canon_out = malloc'd
 * canonical path of the value it wrote. */
ps_status scn_apply_set(cJSON *root, const char *spec, char **canon_out, ps_err *err);

/* The walker (scn_walk.c): reads root into s through the tables. */
ps_status scn_read_scenario(scn_ctx *c, const cJSON *root, scenario *s);

/* Every mediator a cell type senses has a receptor on that type (scn_load.c). */
ps_status scn_check_receptors(scn_ctx *c, const scenario *s);

/* 1 when a key of that name holds an array somewhere in the scenario format. */
int scn_key_is_array(const char *name);

/* Geometry shared by the loader and the scale rule (scn_load.c). */
int scn_region_has_voxel(const scn_tissue *t, const scn_region *r);

/* The "scale" rule (scn_load.c), applied after everything is read. */
ps_status scn_apply_scale(scn_ctx *c, double scale, scenario *s);

#endif
