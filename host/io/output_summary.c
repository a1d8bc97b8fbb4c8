/* output_summary.c — summary.csv and summary.h5: one row per output interval.
 *
 * Both files are rewritten whole (atomic.h) after each row, so they are valid at every
 * moment. To keep that cheap the values are one row-major table in memory and the CSV
 * text is only appended to (a rewrite is one write(), no reformatting). summary.csv is
 * not fsync'ed (the rename still makes each version appear whole), and
 * output_summary_set_min_interval paces the rewrites for runs with thousands of rows.
 * Which columns a run has, and their units, is the summary module's table (summary.h).
 *
 * summary.h5: one float64 dataset per column (attribute "units" where the column has
 * one; time_h in h) and /table [rows][columns] with attributes "columns" and, when
 * units were declared, "units" (one per column, "" for none).
 */
#include "output_impl.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "h5io.h"

static double output_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

ps_status output_summary_columns(output *o, int n, const char *const *names, ps_err *err)
{
    if (o->cols) return ps_err_set(err, PS_ERR_INTERNAL, "output_summary_columns: called twice");
    if (n < 0 || (n > 0 && !names))
        return ps_err_set(err, PS_ERR_INTERNAL, "output_summary_columns: %d columns", n);
    for (int i = 0; i < n; i++) {
        const char *c = names[i];
        /* a column becomes a CSV header cell and an HDF5 dataset name */
        int bad = !h5io_name_ok(c) || strpbrk(c, ",\"\r\n") != NULL ||
                  strcmp(c, "time_h") == 0 || strcmp(c, "table") == 0;
        for (int j = 0; !bad && j < i; j++) bad = strcmp(c, names[j]) == 0;
        if (bad)
            return ps_err_set(err, PS_ERR_INTERNAL, "output_summary_columns: column %d (%s) is "
                              "empty, repeated, reserved or holds one of / , \" or a line break",
                              i, c ? c : "null");
    }
    o->cols = calloc((size_t)n + 1, sizeof *o->cols);
    o->units = calloc((size_t)n + 1, sizeof *o->units);
    if (!o->cols || !o->units) return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    o->n_cols = n + 1;
    o->cols[0] = strdup("time_h");
    o->units[0] = strdup("h");
    for (int i = 0; i < n; i++) o->cols[i + 1] = strdup(names[i]);
    for (int i = 0; i < o->n_cols; i++)
        if (!o->cols[i] || (i == 0 && !o->units[0]))
            return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    for (int c = 0; c < o->n_cols; c++) textbuf_printf(&o->csv, "%s%s", c ? "," : "", o->cols[c]);
    textbuf_printf(&o->csv, "\n");
    return PS_OK;
}

ps_status output_summary_set_units(output *o, int n, const char *const *units, ps_err *err)
{
    if (!o->cols) return ps_err_set(err, PS_ERR_INTERNAL, "output_summary_set_units: columns not declared");
    if (n != o->n_cols - 1 || (n > 0 && !units))
        return ps_err_set(err, PS_ERR_INTERNAL, "output_summary_set_units: %d units for %d columns", n,
                          o->n_cols - 1);
    for (int i = 0; i < n; i++) {
        free(o->units[i + 1]);
        o->units[i + 1] = units[i] ? strdup(units[i]) : NULL;
        if (units[i] && !o->units[i + 1]) return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    }
    return PS_OK;
}

/* The datasets of summary.h5 (see the file header). */
static ps_status output_write_summary_file(hid_t file, const output *o, ps_err *err)
{
    ps_status st = PS_OK;
    hid_t ds = -1;
    size_t nr = o->n_rows, nc = (size_t)o->n_cols;
    hsize_t d1 = nr;
    int any_units = 0;
    for (size_t c = 1; c < nc; c++) any_units |= o->units[c] != NULL;
    for (size_t c = 0; c < nc; c++) {
        for (size_t r = 0; r < nr; r++) o->column[r] = o->rows[r * nc + c];
        if ((st = h5io_dataset(file, o->cols[c], H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, &d1, o->column,
                               o->units[c], err)))
            goto done;
    }
    hsize_t d2[2] = {nr, nc};
    if ((st = h5io_dataset(file, "table", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, d2, o->rows, NULL, err)))
        goto done;
    CHECK_H5(ds = H5Dopen2(file, "table", H5P_DEFAULT));
    if ((st = h5io_attr_str(ds, "columns", (const char *const *)o->cols, nc, 1, err))) goto done;
    if (any_units) {
        const char **u = malloc(nc * sizeof *u);
        if (!u) {
            st = ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
            goto done;
        }
        for (size_t c = 0; c < nc; c++) u[c] = o->units[c] ? o->units[c] : "";
        st = h5io_attr_str(ds, "units", u, nc, 1, err);
        free(u);
    }
done:
    if (ds >= 0) H5Dclose(ds);
    return st;
}

ps_status output_summary_row(output *o, double time_h, const double *values, ps_err *err)
{
    if (!o->cols) return ps_err_set(err, PS_ERR_INTERNAL, "output_summary_row: columns not declared");
    if (o->n_cols > 1 && !values) return ps_err_set(err, PS_ERR_INTERNAL, "output_summary_row: no values");
    size_t nc = (size_t)o->n_cols;
    if (o->n_rows == o->cap_rows) {
        size_t cap = o->cap_rows ? 2 * o->cap_rows : 256;
        double *rows = realloc(o->rows, cap * nc * sizeof *rows);
        if (!rows) return ps_err_set(err, PS_ERR_MEMORY, "out of host memory for the summary");
        o->rows = rows;
        double *col = realloc(o->column, cap * sizeof *col);
        if (!col) return ps_err_set(err, PS_ERR_MEMORY, "out of host memory for the summary");
        o->column = col;
        o->cap_rows = cap;
    }
    double *row = o->rows + o->n_rows * nc;
    row[0] = time_h;
    if (nc > 1) memcpy(row + 1, values, (nc - 1) * sizeof *row);
    o->n_rows++;
    for (size_t c = 0; c < nc; c++) textbuf_printf(&o->csv, "%s%.9g", c ? "," : "", row[c]);
    textbuf_printf(&o->csv, "\n");
    if (o->summary_min_interval_s > 0 && o->n_rows_written > 0 &&
        output_now_s() - o->summary_written_at_s < o->summary_min_interval_s)
        return PS_OK;               /* paced: written by a later row or a flush */
    return output_summary_flush(o, err);
}

ps_status output_summary_flush(output *o, ps_err *err)
{
    if (!o || o->n_rows == o->n_rows_written) return PS_OK;
    if (o->parallel && o->rank != 0) return PS_OK;     /* rank 0 writes the summary */
    char path[PATH_MAX];
    PS_TRY(output_path(o, path, sizeof path, err, "summary.csv"));
    PS_TRY(textbuf_write(&o->csv, path, 0, err));
    PS_TRY(output_path(o, path, sizeof path, err, "summary.h5"));
    h5io_file f;                    /* a serial file, even when snapshots are parallel */
    ps_status built = h5io_create(&f, path, "cannot write", H5P_DEFAULT, MPI_COMM_NULL);
    if (built == PS_OK) built = output_write_summary_file(f.id, o, &f.why);
    PS_TRY(h5io_finish(&f, built, err));
    o->n_rows_written = o->n_rows;
    o->summary_written_at_s = output_now_s();
    return PS_OK;
}

void output_summary_set_min_interval(output *o, double min_interval_s)
{
    if (o) o->summary_min_interval_s = min_interval_s > 0 ? min_interval_s : 0;
}

void output_state(const output *o, size_t *n_rows, int *n_cols, const double **rows,
                  const char **xmf, int *n_snaps)
{
    *n_rows = o->n_rows;
    *n_cols = o->n_cols;
    *rows = o->rows;
    *xmf = o->xmf.p ? o->xmf.p : "";
    *n_snaps = o->n_snaps;
}

ps_status output_restore(output *o, size_t n_rows, const double *rows, const char *xmf, int n_snaps,
                         ps_err *err)
{
    if (!o->cols) return ps_err_set(err, PS_ERR_INTERNAL, "output_restore: columns not declared");
    double saved = o->summary_min_interval_s;
    o->summary_min_interval_s = 1e300;          /* rows in memory only, written with the next */
    o->n_rows_written = 1;
    for (size_t r = 0; r < n_rows; r++)
        PS_TRY(output_summary_row(o, rows[r * (size_t)o->n_cols], rows + r * (size_t)o->n_cols + 1, err));
    o->summary_min_interval_s = saved;
    o->n_rows_written = 0;
    textbuf_free(&o->xmf);
    textbuf_printf(&o->xmf, "%s", xmf);
    o->n_snaps = n_snaps;
    return PS_OK;
}

void output_summary_free(output *o)
{
    for (int i = 0; i < o->n_cols; i++) {
        free(o->cols[i]);
        if (o->units) free(o->units[i]);
    }
    free(o->cols);
    free(o->units);
    free(o->rows);
    free(o->column);
    textbuf_free(&o->csv);
}
