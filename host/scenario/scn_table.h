/* scn_table.h — the scenario format as declarative tables.
 *
 * Every scenario key is one scn_key row: its name, type, unit, default, allowed range,
 * the kinds it belongs to (perturbation kinds, region shapes), the name list it refers
 * to, where it lives in the C struct and a one-line meaning. A JSON object is one
 * scn_section: a list of rows plus the few hooks for rules that span keys. One walker
 * (scn_walk.c) validates a document against these tables, fills defaults, writes the
 * resolved JSON and lists the keys for the generated docs (scn_docs.c), so adding a
 * key is one row here plus its struct field and its use. The sweep file format
 * (host/sweep.c) is declared with the same rows and walked by the same walker.
 *
 * Order: rows are listed in the order the docs and "expected one of ..." messages name
 * them; `pass` (0, 1, 2) lets a row be read and written after the rows of lower pass
 * when it needs them (transitions need jak_stat3 to be known).
 */
#ifndef PAINSIM_SCN_TABLE_H
#define PAINSIM_SCN_TABLE_H

#include "scn_impl.h"

typedef enum {
    SK_NUM,        /* double */
    SK_INT,        /* int, from an integral number */
    SK_INT64,      /* int64_t, from an integral number */
    SK_SEED,       /* uint64_t, from an integral number */
    SK_BOOL,       /* int 0/1, from true/false */
    SK_NAME,       /* char[SCN_NAME_MAX], a name (unique within its list with SKF_UNIQUE) */
    SK_TEXT,       /* char[SCN_TEXT_MAX], free text */
    SK_ENUM,       /* int, index into opts */
    SK_VEC3,       /* double[3] */
    SK_MEDMAP,     /* double[SCN_MAX_MEDIATORS]: {mediator name: number} */
    SK_REF,        /* int index into a name list (refs), -1 = none */
    SK_OBJECT,     /* a nested object (sub) stored at off */
    SK_LIST,       /* an array of objects (sub), items of item_size at off, count at count_off */
    SK_CUSTOM      /* read/written by hooks */
} scn_key_type;

/* Flags of a row. */
#define SKF_REQUIRED   0x001u   /* must be present (where its kinds apply) */
#define SKF_PRESET     0x002u   /* default: the value the section's init hook placed */
#define SKF_NOWRITE    0x004u   /* not written to the resolved scenario */
#define SKF_UNIQUE     0x008u   /* name unique within its list */
#define SKF_NONZERO    0x010u   /* written only when non-zero */
#define SKF_OMIT_EMPTY 0x020u   /* list written only when it has elements */
#define SKF_DEFERRED   0x040u   /* list rows read after every element of the enclosing list */
#define SKF_DEFAULTS   0x080u   /* object: when absent, its keys still get their defaults */
#define SKF_FIELDS_ONLY 0x100u  /* medmap: only mediators present in the current tissue */
#define SKF_CROSS      0x200u   /* region ref: a name of another tissue's region is told apart */
#define SKF_ARRAY      0x400u   /* SK_CUSTOM: the value is a JSON array (--set cannot create it) */

struct scn_walk;
struct scn_section;
struct scn_key;

/* Where a name reference points. */
typedef enum {
    SR_MEDIATOR,        /* a mediator */
    SR_TYPE,            /* a cell type */
    SR_TISSUE,          /* a tissue */
    SR_DRUG,            /* a drug */
    SR_STATE,           /* a state of the cell type being read */
    SR_STATE_OF,        /* a state of the cell type whose index is the int at ref_of */
    SR_REGION,          /* a region of the tissue being read */
    SR_REGION_OF        /* a region of the tissue whose index is the int at ref_of */
} scn_ref_kind;

typedef ps_status (*scn_check_fn)(struct scn_walk *w, const cJSON *obj, void *dst);
typedef ps_status (*scn_read_fn)(struct scn_walk *w, const cJSON *obj, const struct scn_key *k, void *dst);
typedef int (*scn_write_fn)(struct scn_walk *w, cJSON *parent, const struct scn_key *k, const void *dst);
typedef int (*scn_if_fn)(const struct scn_walk *w, const void *dst);

typedef struct scn_key {
    const char *name;
    scn_key_type type;
    size_t off;                 /* offset of the value in the section's struct */
    unsigned flags;
    double def;                 /* default (numbers, ints, bools, enum index, ref: -1 or 0) */
    num_rule rule;              /* numbers, ints, vec3 elements, medmap values */
    const char *unit;           /* "µm", "1/h", ... ; NULL: dimensionless or not a number */
    const char *doc;            /* one-line meaning */
    const char *def_doc;        /* the default in words, where a value does not say it */
    const char *range_doc;      /* extra words for the range column ("unique", "≠ from") */
    size_t cap;                 /* SK_TEXT: buffer size (0: SCN_TEXT_MAX) */
    /* enums */
    const char *const *opts;
    int n_opts;
    /* refs */
    scn_ref_kind ref;
    size_t ref_of;              /* SR_STATE_OF, SR_REGION_OF: offset of the int index */
    const char *what;           /* region refs: "a region of the peripheral tissue" (then the name) */
    /* objects and lists */
    const struct scn_section *sub;
    size_t count_off;           /* lists: offset of the int element count */
    size_t item_size;           /* lists: size of one element */
    int min_items, max_items;   /* lists */
    const char *items;          /* lists: "cell types", in "an array of 0 to 12 cell types" */
    const char *want;           /* objects: "an object with mediator and EC50_nM" */
    /* kinds: bit k set = the row belongs to kind k of the section's discriminator */
    unsigned kinds;
    int pass;
    scn_check_fn check;         /* after the value is read or defaulted */
    scn_read_fn read;           /* SK_CUSTOM */
    scn_write_fn write;         /* SK_CUSTOM */
    const char *type_doc;       /* SK_CUSTOM: the type in words for the docs */
    const char *schema;         /* SK_CUSTOM: the JSON Schema of the value (JSON text) */
} scn_key;

typedef enum { SCOPE_NONE = 0, SCOPE_TYPE, SCOPE_TISSUE } scn_scope;

typedef struct scn_section {
    const char *id;             /* docs: "cell_types[i]", "tissues[i].regions[j]" */
    const char *want;           /* "an object with name and D_um2_per_s" (list elements) */
    const scn_key *keys;
    int n_keys;
    int disc;                   /* row index of the kind discriminator (an enum), when disc_noun */
    const char *disc_noun;      /* "kind", "shape" */
    const char *disc_verb;      /* "takes", "is given by" */
    int disc_common;            /* 1: "a X takes" also lists the rows common to all kinds */
    int has_present;            /* 1: the int at present_off is set to 1 when the object is present */
    size_t present_off;
    scn_scope scope;            /* the struct is the current cell type / tissue */
    void (*init)(struct scn_walk *w, void *dst);   /* always, before anything (refs -1, dynamic defaults) */
    scn_check_fn pre;           /* present objects: after the type check, before the key check */
    scn_check_fn post;          /* after every row (present or defaulted) */
    scn_if_fn write_if;         /* objects: written only when this says 1; NULL = always */
    const char *schema_extra;   /* JSON Schema members for the cross-key rules of the hooks */
} scn_section;

/* The state of one walk (reading or writing). */
typedef struct scn_walk {
    scn_ctx *c;                 /* reading: messages; NULL when writing */
    scenario *s;
    scn_cell_type *type;        /* the cell type being read, or NULL */
    scn_tissue *tissue;         /* the tissue being read, or NULL */
    int index;                  /* index of the list element being read */
    size_t list_len;            /* path length of that list (for "has the same name") */
    const void *list_base;      /* that list's first element, and the size of one */
    size_t item_size;
    int oom;                    /* writing: an allocation failed */
} scn_walk;

/* The whole document. */
extern const scn_section scn_sec_root;

/* The tables of the parts, defined in scn_keys_*.c. */
extern const scn_section scn_sec_time, scn_sec_engine, scn_sec_mediator;
extern const scn_section scn_sec_cell_type, scn_sec_tissue, scn_sec_drug, scn_sec_perturbation;
extern const scn_section scn_sec_neurons, scn_sec_pain;
extern const scn_section scn_sec_activator, scn_sec_driver100;
extern const scn_section scn_sec_field;   /* tissues[i].fields.MEDIATOR, reached through a custom row */

/* Option lists shared by tables, writers and docs. */
extern const char *const scn_jak_names[SCN_N_JAKS];
extern const char *const scn_face_names[SCN_FACES];
extern const char *const scn_bc_types[2];

/* The walker (scn_walk.c). scn_walk_document walks a whole document of another format
 * built from these tables (the sweep file) with the scenario's messages. */
ps_status scn_walk_document(const char *file, const cJSON *root, const scn_section *sec, void *dst, ps_err *err);
ps_status scn_walk_object(scn_walk *w, const scn_section *sec, const cJSON *obj, void *dst);
int scn_write_object(scn_walk *w, const scn_section *sec, cJSON *o, const void *dst);
cJSON *scn_jnum(double v);
cJSON *scn_put(scn_walk *w, cJSON *parent, const char *key, cJSON *item);
void scn_mediator_names(const scenario *s, const char *names[SCN_MAX_MEDIATORS]);
void scn_tissue_names(const scenario *s, const char *names[SCN_MAX_TISSUES]);

/* Hooks shared by several tables (scn_keys_core.c). */
ps_status scn_check_starts_in_time(scn_walk *w, double start_h, const char *what);

/* Typed access to a row's value. */
#define SCN_AT(dst, off, T) ((T *)(void *)((char *)(dst) + (off)))
#define SCN_CAT(dst, off, T) ((const T *)(const void *)((const char *)(dst) + (off)))

/* Row constructors: designated initializers keep each row one readable line. */
#define K_NUM(nm, st, fld, fl, d, r, u, ...) \
    {.name = nm, .type = SK_NUM, .off = offsetof(st, fld), .flags = fl, .def = d, .rule = r, .unit = u, \
     .doc = __VA_ARGS__}
#define K_INT(nm, st, fld, fl, d, r, ...) \
    {.name = nm, .type = SK_INT, .off = offsetof(st, fld), .flags = fl, .def = d, .rule = r, .doc = __VA_ARGS__}
#define K_BOOL(nm, st, fld, d, ...) \
    {.name = nm, .type = SK_BOOL, .off = offsetof(st, fld), .def = d, .doc = __VA_ARGS__}
#define K_NAME(nm, st, fld, fl, ...) \
    {.name = nm, .type = SK_NAME, .off = offsetof(st, fld), .flags = (fl) | SKF_REQUIRED, .doc = __VA_ARGS__}
#define K_TEXT(nm, st, fld, ...) \
    {.name = nm, .type = SK_TEXT, .off = offsetof(st, fld), .doc = __VA_ARGS__}
#define K_ENUM(nm, st, fld, fl, d, op, ...) \
    {.name = nm, .type = SK_ENUM, .off = offsetof(st, fld), .flags = fl, .def = d, .opts = op, \
     .n_opts = COUNT(op), .doc = __VA_ARGS__}
#define K_VEC3(nm, st, fld, fl, r, u, ...) \
    {.name = nm, .type = SK_VEC3, .off = offsetof(st, fld), .flags = fl, .rule = r, .unit = u, .doc = __VA_ARGS__}
#define K_MAP(nm, st, fld, fl, r, u, ...) \
    {.name = nm, .type = SK_MEDMAP, .off = offsetof(st, fld), .flags = fl, .rule = r, .unit = u, .doc = __VA_ARGS__}
#define K_REF(nm, st, fld, fl, d, rk, ...) \
    {.name = nm, .type = SK_REF, .off = offsetof(st, fld), .flags = fl, .def = d, .ref = rk, .doc = __VA_ARGS__}
#define K_OBJ(nm, st, fld, fl, sb, wnt, ...) \
    {.name = nm, .type = SK_OBJECT, .off = offsetof(st, fld), .flags = fl, .sub = &(sb), .want = wnt, \
     .doc = __VA_ARGS__}
/* An object whose keys are fields of the enclosing struct itself (chemotaxis, lesion). */
#define K_FLAT(nm, fl, sb, wnt, ...) \
    {.name = nm, .type = SK_OBJECT, .off = 0, .flags = fl, .sub = &(sb), .want = wnt, .doc = __VA_ARGS__}
#define K_LIST(nm, st, fld, cnt, fl, sb, mn, mx, its, ...) \
    {.name = nm, .type = SK_LIST, .off = offsetof(st, fld), .count_off = offsetof(st, cnt), \
     .item_size = sizeof(((st *)0)->fld[0]), .flags = fl, .sub = &(sb), .min_items = mn, .max_items = mx, \
     .items = its, .doc = __VA_ARGS__}
#define K_CUSTOM(nm, fl, rd, wr, tdoc, sch, ...) \
    {.name = nm, .type = SK_CUSTOM, .flags = fl, .read = rd, .write = wr, .type_doc = tdoc, .schema = sch, \
     .doc = __VA_ARGS__}

/* SECTION(var, id, want, rows, .hook = ...): at least one designated member after rows. */
#define SECTION(var, idtext, wnt, rows, ...) \
    const scn_section var = {.id = idtext, .want = wnt, .keys = rows, .n_keys = COUNT(rows), __VA_ARGS__}

#endif
