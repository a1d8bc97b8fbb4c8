/* output.c — the run folder object: opening a new run's folder (or reopening one to
 * resume), the parallel set-up for decomposed runs, and closing.
 *
 * The files are written by the other output_*.c files (output_impl.h): snapshots and
 * their XDMF index (output_snapshot.c), the summary (output_summary.c), run.json
 * (output_runinfo.c) and sweep tables (output_table.c). Every file is written whole
 * under a temporary name and renamed (atomic.h); every HDF5 call goes through h5io.h.
 * The file-access property list is one field (output.fapl) so that the MPI-IO list of a
 * decomposed run replaces the serial default without touching the writers.
 */
#include "output_impl.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <errno.h>
#include <time.h>
#include <unistd.h>

#include "mpi_util.h"
#include "atomic.h"
#include "folder.h"

ps_status output_path(const output *o, char *buf, size_t n, ps_err *err, const char *fmt, ...)
{
    int len = snprintf(buf, n, "%s/", o->dir);
    if (len < 0 || (size_t)len >= n) return ps_err_set(err, PS_ERR_IO, "%s: path too long", o->dir);
    va_list ap;
    va_start(ap, fmt);
    int more = vsnprintf(buf + len, n - (size_t)len, fmt, ap);
    va_end(ap);
    if (more < 0 || (size_t)(len + more) >= n)
        return ps_err_set(err, PS_ERR_IO, "%s: path too long", o->dir);
    return PS_OK;
}

ps_status output_write_file_atomic(const char *path, const void *data, size_t len, ps_err *err)
{
    return atomic_write(path, data, len, 1, err);
}

ps_status output_make_folder(const char *path, ps_err *err)
{
    size_t created = 0;
    return folder_mkdir_p(path, &created, err);
}

/* The object without touching the disk (*o NULL when out of memory). */
static ps_status output_new(output **out, const char *dir, const scenario *s, ps_err *err)
{
    output *o = calloc(1, sizeof *o);
    *out = o;
    if (!o) return PS_OK;
    snprintf(o->dir, sizeof o->dir, "%s", dir);
    o->fapl = H5P_DEFAULT;
    o->dxpl = H5P_DEFAULT;
    o->comm = MPI_COMM_SELF;
    snprintf(o->scenario_name, sizeof o->scenario_name, "%s", s->name);
    snprintf(o->source_path, sizeof o->source_path, "%s", s->source_path);
    o->n_types = s->n_types < 0 ? 0 : s->n_types > SCN_MAX_TYPES ? SCN_MAX_TYPES : s->n_types;
    o->n_mediators = s->n_mediators < 0 ? 0
                     : s->n_mediators > SCN_MAX_MEDIATORS ? SCN_MAX_MEDIATORS : s->n_mediators;
    for (int i = 0; i < o->n_types; i++)
        snprintf(o->type_names[i], SCN_NAME_MAX, "%s", s->types[i].name);
    for (int i = 0; i < o->n_mediators; i++)
        snprintf(o->mediator_names[i], SCN_NAME_MAX, "%s", s->mediators[i].name);
    time_t now = time(NULL);
    struct tm tmv;
    gmtime_r(&now, &tmv);
    strftime(o->started_utc, sizeof o->started_utc, "%Y-%m-%dT%H:%M:%SZ", &tmv);
    (void)err;
    return PS_OK;
}

ps_status output_open_mpi(output **out, const char *dir, int force, const scenario *s,
                          MPI_Comm comm, ps_err *err)
{
    return output_open_mpi_mode(out, dir, force, 0, s, comm, err);
}

ps_status output_open_mpi_mode(output **out, const char *dir, int force, int reopen,
                               const scenario *s, MPI_Comm comm, ps_err *err)
{
    *out = NULL;
    int rank = 0;
    CHECK_MPI(MPI_Comm_rank(comm, &rank), err);
    ps_status st = PS_OK;
    output *o = NULL;
    if (rank == 0) st = reopen ? output_reopen(&o, dir, s, err) : output_open(&o, dir, force, s, err);
    st = ps_status_agree(comm, st, err);            /* rank 0's outcome, on every rank */
    if (st != PS_OK) return st;
    if (rank != 0) {
        st = output_new(&o, dir, s, err);
        if (!o) st = ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    }
    if (st == PS_OK) {
        o->parallel = 1;
        o->comm = comm;
        o->rank = rank;
        o->fapl = H5Pcreate(H5P_FILE_ACCESS);
        o->dxpl = H5Pcreate(H5P_DATASET_XFER);
        if (o->fapl < 0 || o->dxpl < 0 || H5Pset_fapl_mpio(o->fapl, comm, MPI_INFO_NULL) < 0 ||
            H5Pset_dxpl_mpio(o->dxpl, H5FD_MPIO_COLLECTIVE) < 0)
            st = ps_err_set(err, PS_ERR_IO, "%s: cannot set up parallel HDF5 (MPI-IO)", dir);
    }
    st = ps_status_agree(comm, st, err);
    if (st != PS_OK) {
        output_close(o);
        return st;
    }
    *out = o;
    return PS_OK;
}

ps_status output_open(output **out, const char *dir, int force, const scenario *s, ps_err *err)
{
    *out = NULL;
    if (!dir || !*dir) return ps_err_set(err, PS_ERR_IO, "the output folder name is empty");
    if (strlen(dir) > PATH_MAX - 128) return ps_err_set(err, PS_ERR_IO, "%s: path too long", dir);
    if (!s) return ps_err_set(err, PS_ERR_INTERNAL, "output_open: no scenario");
    PS_TRY(folder_prepare(dir, force, err));
    size_t created = 0, created_snaps = 0;
    PS_TRY(folder_mkdir_p(dir, &created, err));

    output *o = NULL;
    PS_TRY(output_new(&o, dir, s, err));
    if (!o) {
        folder_rmdir_created(dir, created);
        return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    }
    char path[PATH_MAX];
    ps_status st = output_path(o, path, sizeof path, err, "snapshots");
    if (st == PS_OK) st = folder_mkdir_p(path, &created_snaps, err);
    /* a probe proves the folder writable before any simulation time is spent */
    if (st == PS_OK) st = folder_probe(dir, "output", err);
    if (st == PS_OK) {
        char *json = scenario_to_json(s);
        if (!json) st = ps_err_set(err, PS_ERR_MEMORY, "out of host memory writing the resolved scenario");
        if (st == PS_OK) st = output_path(o, path, sizeof path, err, "scenario.resolved.json");
        if (st == PS_OK) st = atomic_write(path, json, strlen(json), 1, err);
        free(json);
    }
    if (st != PS_OK) {
        if (created_snaps) {
            char snaps[PATH_MAX + 16];
            snprintf(snaps, sizeof snaps, "%s/snapshots", dir);
            rmdir(snaps);
        }
        folder_rmdir_created(dir, created);
        output_close(o);
        return st;
    }
    *out = o;
    return PS_OK;
}

ps_status output_reopen(output **out, const char *dir, const scenario *s, ps_err *err)
{
    *out = NULL;
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return ps_err_set(err, PS_ERR_IO, "%s: not a run folder: %s", dir,
                          errno ? strerror(errno) : "not a folder");
    output *o = NULL;
    PS_TRY(output_new(&o, dir, s, err));
    if (!o) return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    ps_status rc = folder_probe(dir, "run", err);
    if (rc != PS_OK) {
        output_close(o);
        return rc;
    }
    *out = o;
    return PS_OK;
}

const char *output_dir(const output *o) { return o->dir; }

void output_close(output *o)
{
    if (!o) return;
    if (o->parallel) {
        if (o->fapl >= 0 && o->fapl != H5P_DEFAULT) H5Pclose(o->fapl);
        if (o->dxpl >= 0 && o->dxpl != H5P_DEFAULT) H5Pclose(o->dxpl);
    }
    if (o->n_rows > o->n_rows_written) {   /* paced rows: best effort, close cannot fail */
        ps_err ignore;
        ps_err_clear(&ignore);
        output_summary_flush(o, &ignore);
    }
    output_summary_free(o);
    textbuf_free(&o->xmf);
    free(o);
}
