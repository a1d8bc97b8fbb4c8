/* h5io.h — the one HDF5 layer of painsim: snapshots, summary.h5, sweep tables and
 * checkpoints all go through it.
 *
 * One CHECK_H5 turns a failing HDF5 call into a ps_err naming the call, HDF5's own
 * reason (the outermost and innermost descriptions of its error stack) and where it was
 * made (file:line function). A file being written is an h5io_file: built in memory with
 * HDF5's core driver and written with one atomic, optionally fsynced write (atomic.h), so
 * a full disk fails a write(2) that painsim reports, never an HDF5 flush that leaves the
 * library unable to close; or, for a parallel snapshot (MPI-IO), created in place under
 * PATH.tmp by every rank and renamed by rank 0. HDF5's automatic error printing is off
 * while a file is open (restored when it is finished or closed).
 *
 * The helpers below return a ps_status and record HDF5 failures in the ps_err they are
 * given; the code filling a file passes &f->why, so that h5io_finish / h5io_close can
 * say "PATH: cannot write: REASON" once, and keeps its own ps_err for everything else.
 */
#ifndef PAINSIM_H5IO_H
#define PAINSIM_H5IO_H

#include <hdf5.h>
#include <limits.h>
#include <mpi.h>

#include "status.h"

/* Runs an HDF5 call; a negative result sets st to PS_ERR_IO, records the failure in err
 * ("H5Dcreate2 failed: REASON [host/io/x.c:LINE function]"; the first failure wins) and
 * jumps to done. The calling function has `ps_status st`, `ps_err *err` and `done:`. */
#define CHECK_H5(call)                                                        \
    do {                                                                      \
        if ((call) < 0) {                                                     \
            st = h5io_fail(err, #call, __FILE__, __LINE__, __func__);         \
            goto done;                                                        \
        }                                                                     \
    } while (0)

/* What CHECK_H5 does on a failure: records it in err (see above), clears HDF5's error
 * stack and returns PS_ERR_IO. */
ps_status h5io_fail(ps_err *err, const char *call, const char *file, int line, const char *func);

/* One file being written (h5io_create ... h5io_finish) or read (h5io_open ... h5io_close). */
typedef struct {
    const char *path;               /* final name, for messages */
    const char *verb;               /* the message after "PATH: ", e.g. "cannot write" */
    int sync;                       /* fsync the written file before the rename (default 0) */
    hid_t id;                       /* the open file, or -1 */
    ps_err why;                     /* HDF5 failures while it is open (helpers get &f->why) */
    /* private */
    char tmp[PATH_MAX + 8];         /* PATH.tmp */
    hid_t core;                     /* > 0: the core-driver list of a file built in memory */
    MPI_Comm comm;                  /* parallel file: its ranks, else MPI_COMM_NULL */
    H5E_auto2_t old_func;           /* HDF5's error printer, restored at the end */
    void *old_data;
} h5io_file;

/* Starts writing path. fapl H5P_DEFAULT: the file is built in memory; an MPI-IO list
 * (with comm, every rank calling): PATH.tmp is created collectively. Returns
 * f->why.code; h5io_finish must be called either way. */
ps_status h5io_create(h5io_file *f, const char *path, const char *verb, hid_t fapl, MPI_Comm comm);

/* Ends a file from h5io_create. built: the outcome of the code that filled it (PS_OK, or
 * its failure, recorded in f->why for HDF5 or in err). All well: the file is moved into
 * place (rank 0 renames a parallel file, once every rank has written its part) and PS_OK
 * returned. Otherwise nothing is left under path or PATH.tmp and the failure returned:
 * f->why's as "PATH: VERB: REASON" (PS_ERR_IO) in err. f->why stays readable. */
ps_status h5io_finish(h5io_file *f, ps_status built, ps_err *err);

/* Opens path read-only (HDF5 printing off until h5io_close). Returns f->why.code;
 * h5io_close must be called either way. */
ps_status h5io_open(h5io_file *f, const char *path, const char *verb);

/* Closes a file from h5io_open; as h5io_finish for the outcome and the message. */
ps_status h5io_close(h5io_file *f, ps_status built, ps_err *err);

/* ---- attributes (on a file, group or dataset) ---- */

/* A numeric attribute: a scalar when n == 0, else a 1-D array of n. */
ps_status h5io_attr_num(hid_t obj, const char *name, hid_t file_type, hid_t mem_type,
                        const void *v, hsize_t n, ps_err *err);

/* Variable-length UTF-8 strings: a scalar (array == 0, v[0]) or a 1-D array of n. */
ps_status h5io_attr_str(hid_t obj, const char *name, const char *const *v, hsize_t n, int array,
                        ps_err *err);

/* A fixed-length C string scalar (strlen + 1 bytes, NUL included). */
ps_status h5io_attr_text(hid_t obj, const char *name, const char *s, ps_err *err);

/* Reads a numeric attribute (all of it) into v as mem_type. */
ps_status h5io_attr_read(hid_t obj, const char *name, hid_t mem_type, void *v, ps_err *err);

/* Reads a fixed-length string attribute into buf (cap bytes, NUL-terminated). */
ps_status h5io_attr_read_text(hid_t obj, const char *name, char *buf, size_t cap, ps_err *err);

/* ---- groups ---- */

ps_status h5io_group_create(hid_t loc, const char *name, hid_t *g, ps_err *err);
ps_status h5io_group_open(hid_t loc, const char *name, hid_t *g, ps_err *err);
void h5io_group_close(hid_t *g);    /* closes *g when open and sets it to -1 */

/* ---- datasets (contiguous, uncompressed) ---- */

/* A dataset of rank dims (a zero extent stores nothing), with an optional "units"
 * attribute (a scalar string). */
ps_status h5io_dataset(hid_t loc, const char *name, hid_t file_type, hid_t mem_type, int rank,
                       const hsize_t *dims, const void *data, const char *units, ps_err *err);

/* A dataset of full extent dims of which this process writes the block at start of size
 * count, with transfer list dxpl (every rank of a parallel file calls it collectively).
 * start NULL: the whole dataset, as h5io_dataset. */
ps_status h5io_dataset_part(hid_t loc, const char *name, hid_t file_type, hid_t mem_type, int rank,
                            const hsize_t *dims, const hsize_t *start, const hsize_t *count,
                            const void *data, const char *units, hid_t dxpl, ps_err *err);

/* A 1-D dataset of n variable-length UTF-8 strings. */
ps_status h5io_dataset_str(hid_t loc, const char *name, const char *const *text, hsize_t n,
                           ps_err *err);

/* Reads dataset name (exactly n values, else PS_ERR_IO "dataset NAME has M values,
 * expected N") into v as mem_type. */
ps_status h5io_dataset_read(hid_t loc, const char *name, hid_t mem_type, void *v, hsize_t n,
                            ps_err *err);

/* The number of values of dataset name. */
ps_status h5io_dataset_len(hid_t loc, const char *name, hsize_t *n, ps_err *err);

/* 1 when name can be an HDF5 link name (and an XDMF / ParaView array name). */
int h5io_name_ok(const char *name);

#endif
