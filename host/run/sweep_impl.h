/* sweep_impl.h — a parsed sweep, shared by the sweep-file parser (sweep.c) and the run
 * driver (run/sweep_queue.c, run/sweep_table.c): limits, the member and parameter
 * records, and the functions one side defines for the other. Private to those files.
 */
#ifndef PAINSIM_SWEEP_IMPL_H
#define PAINSIM_SWEEP_IMPL_H

#include <stdint.h>

#include "log.h"
#include "scenario.h"
#include "status.h"
#include "sweep.h"

#define SWEEP_MAX_PARAMS 32
#define SWEEP_MAX_BASES 16
#define SWEEP_MAX_FIXED 64
#define SWEEP_MAX_VALUES 10000
#define SWEEP_MAX_MEMBERS 1000000L
#define SWEEP_MAX_METRIC_TYPES (SCN_MAX_TYPES * SWEEP_MAX_BASES)
#define SWEEP_PATH 1024
#define SWEEP_KEY 256
#define SWEEP_ERR PS_ERR_MSG_MAX
#define SWEEP_MAX_SEED 9007199254740991.0   /* 2^53 - 1, exact in JSON */

enum { SWEEP_PENDING = 0, SWEEP_RUNNING, SWEEP_DONE, SWEEP_FAILED };

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

/* ---- sweep.c: parsing and expansion --------------------------------------------------- */

/* Member i's --set list: at most SWEEP_SETS_CAP entries in a buffer of SWEEP_SETS_BYTES. */
#define SWEEP_SETS_CAP (SWEEP_MAX_FIXED + SWEEP_MAX_PARAMS + 1)
#define SWEEP_SETS_BYTES 65536

/* Parses and validates the sweep file path into a new *out (sweep_free it); every
 * member pending. */
ps_status sweep_parse(const char *path, sweep **out, ps_err *err);
void sweep_free(sweep *sw);
/* Index of parameter p's value in combination c. */
int sweep_value_index(const sweep *sw, long c, int p);
/* Member i's --set list, in buf (cap bytes); sets[] point into it, *n of them. */
ps_status sweep_member_sets(const sweep *sw, long i, char *buf, size_t cap, const char **sets,
                            int *n, ps_err *err);
/* Loads member i's scenario (its base with its --set list) into s. */
ps_status sweep_load_member(const sweep *sw, long i, scenario *s, ps_err *err);
/* Member i's run folder, OUT/members/mNNNN. */
void sweep_member_dir(const sweep *sw, long i, char *buf, size_t cap);

/* ---- run/sweep_table.c: metrics and the sweep table ---------------------------------- */

/* Slot of cell type name among the sweep's metric types, or -1. */
int sweep_type_slot(const sweep *sw, const char *name);
/* Metrics of member i (completed) from its summary.csv; s is its loaded scenario. */
ps_status sweep_metrics(sweep *sw, long i, const scenario *s, ps_err *err);
/* Rewrites OUT/sweep.csv and OUT/sweep.h5 from every member's record. */
ps_status sweep_write_table(const sweep *sw, ps_err *err);

#endif
