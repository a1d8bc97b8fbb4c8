/* output_table.c — a table of named columns written as CSV and as HDF5 (sweep.csv and
 * sweep.h5: one row per sweep member). Text cells are quoted only when they must be;
 * a missing number (NaN) is an empty CSV cell and stays NaN in HDF5.
 */
#include "output.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "h5io.h"
#include "textbuf.h"

/* title and columns attributes, then one dataset per column. */
static ps_status output_write_table_file(hid_t file, const char *title, size_t n_rows, int n_cols,
                                         const output_column *cols, ps_err *err)
{
    hsize_t n = n_rows;
    const char *tt[1] = {title ? title : ""};
    PS_TRY(h5io_attr_str(file, "title", tt, 1, 0, err));
    const char **names = malloc(((size_t)n_cols + 1) * sizeof *names);
    if (!names) return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    for (int c = 0; c < n_cols; c++) names[c] = cols[c].name;
    ps_status st = h5io_attr_str(file, "columns", names, (hsize_t)n_cols, 1, err);
    free(names);
    PS_TRY(st);
    for (int c = 0; c < n_cols; c++) {
        const output_column *col = &cols[c];
        if (col->num)
            PS_TRY(h5io_dataset(file, col->name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, &n, col->num,
                                col->units, err));
        else
            PS_TRY(h5io_dataset_str(file, col->name, col->text, n, err));
    }
    return PS_OK;
}

ps_status output_table_write(const char *csv_path, const char *h5_path, const char *title,
                             size_t n_rows, int n_cols, const output_column *cols, ps_err *err)
{
    for (int c = 0; c < n_cols; c++)
        if (!h5io_name_ok(cols[c].name))
            return ps_err_set(err, PS_ERR_INTERNAL, "%s: column name '%s' cannot be an HDF5 dataset name",
                              h5_path, cols[c].name);
    textbuf b;
    memset(&b, 0, sizeof b);
    for (int c = 0; c < n_cols; c++) {
        textbuf_printf(&b, "%s", c ? "," : "");
        textbuf_csv(&b, cols[c].name);
    }
    textbuf_printf(&b, "\n");
    for (size_t r = 0; r < n_rows; r++) {
        for (int c = 0; c < n_cols; c++) {
            textbuf_printf(&b, "%s", c ? "," : "");
            if (!cols[c].num) textbuf_csv(&b, cols[c].text[r]);
            else if (!isnan(cols[c].num[r])) textbuf_printf(&b, "%.9g", cols[c].num[r]);
        }
        textbuf_printf(&b, "\n");
    }
    ps_status st = textbuf_write(&b, csv_path, 1, err);
    textbuf_free(&b);
    PS_TRY(st);
    h5io_file f;
    ps_status built = h5io_create(&f, h5_path, "cannot write", H5P_DEFAULT, MPI_COMM_NULL);
    f.sync = 1;
    if (built == PS_OK) built = output_write_table_file(f.id, title, n_rows, n_cols, cols, &f.why);
    return h5io_finish(&f, built, err);
}
