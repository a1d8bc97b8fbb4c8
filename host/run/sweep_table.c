/* sweep_table.c — a sweep's results: each completed member's metrics, read back from
 * its summary.csv (so members finished by an earlier command get them by the same
 * path), and sweep.csv / sweep.h5, one row per member, rewritten after every member.
 */
#include "sweep_impl.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "output.h"

static const char *const sweep_status_names[] = {"pending", "running", "completed", "failed"};

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

int sweep_type_slot(const sweep *sw, const char *name)
{
    for (int k = 0; k < sw->n_types; k++)
        if (strcmp(sw->type_names[k], name) == 0) return k;
    return -1;
}

/* Metrics of member i (completed) from its summary.csv; s is its loaded scenario. */
ps_status sweep_metrics(sweep *sw, long i, const scenario *s, ps_err *err)
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

ps_status sweep_write_table(const sweep *sw, ps_err *err)
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
        pnum[p] = NULL;
        ptext[p] = NULL;
        if (strcmp(sw->p[p].key, "seed") == 0) {
            /* a varied seed is the seed column */
        } else if (sw->p[p].numeric) {
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
            if (pnum[p]) pnum[p][i] = sw->p[p].num[vi];
            else if (ptext[p]) ptext[p][i] = sw->p[p].label[vi];
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
