/* output_impl.h — the run-folder object, shared by the files of the output module:
 * output.c (the folder), output_snapshot.c (HDF5 + XDMF), output_summary.c (CSV +
 * summary.h5), output_runinfo.c (run.json). Not for other modules: they see output.h.
 */
#ifndef PAINSIM_OUTPUT_IMPL_H
#define PAINSIM_OUTPUT_IMPL_H

#include <hdf5.h>
#include <limits.h>

#include "output.h"
#include "textbuf.h"

struct output {
    char dir[PATH_MAX];
    hid_t fapl;                     /* file-access list of snapshots: H5P_DEFAULT (serial)
                                       or MPI-IO (domain decomposition) */
    hid_t dxpl;                     /* dataset transfer: H5P_DEFAULT or collective MPI-IO */
    int parallel;                   /* 1: snapshots written collectively by every rank of
                                       comm; other files by rank 0 alone */
    MPI_Comm comm;
    int rank;
    /* what the files need of the scenario, copied: o does not keep s */
    char scenario_name[SCN_NAME_MAX];
    char source_path[SCN_PATH_MAX];
    int n_types, n_mediators;
    char type_names[SCN_MAX_TYPES][SCN_NAME_MAX];
    char mediator_names[SCN_MAX_MEDIATORS][SCN_NAME_MAX];
    char started_utc[32];           /* ISO 8601, when output_open ran */
    /* snapshots: the XDMF <Grid> of each one written so far */
    textbuf xmf;
    int n_snaps;
    /* summary: n_cols names and units (time_h first), n_rows x n_cols values row-major,
       and the CSV text of everything so far */
    int n_cols;
    char **cols;
    char **units;                   /* [n_cols], NULL entries: no unit declared */
    double *rows;
    double *column;                 /* scratch, cap_rows: one column for summary.h5 */
    size_t n_rows, cap_rows;
    textbuf csv;
    size_t n_rows_written;          /* rows in the summary files on disk */
    double summary_min_interval_s;  /* pacing of the rewrites, 0 = after every row */
    double summary_written_at_s;    /* monotonic clock at the last rewrite, s */
};

/* "dir/<fmt>" into buf; PS_ERR_IO when it does not fit. */
ps_status output_path(const output *o, char *buf, size_t n, ps_err *err, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Frees the summary part of o (output_close). */
void output_summary_free(output *o);

#endif
