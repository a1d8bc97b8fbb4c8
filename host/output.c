/* output.c — the run folder: HDF5 snapshots with an XDMF index, the summary time
 * series (CSV and HDF5), the resolved scenario and run metadata.
 *
 * Every file is written under NAME.tmp in its final folder and renamed when complete,
 * so a reader (ParaView, a plotting script, a killed run's post-mortem) never meets a
 * half-written file under a final name. The summary and the XDMF index are rewritten
 * whole each time: they are small, and rewriting keeps them valid at every moment. To
 * keep that cheap, their text is kept in memory and only appended to (a rewrite is one
 * write(), no reformatting), and the summary values are kept as one row-major table.
 * The summary is not fsync'ed (it is rewritten after every row; the rename still makes
 * each version appear whole), and output_summary_set_min_interval can pace its
 * rewrites for runs with thousands of rows.
 *
 * HDF5 is used serially, contiguous and uncompressed (snapshot speed first). Every HDF5
 * call goes through CHECK_H5, which turns a failure into a message naming the final
 * file, the failing call and HDF5's own reason; HDF5's automatic error printing is
 * switched off only while this file's calls run. The file-access property list is one
 * field (output.fapl) so that an MPI-IO list can replace the serial default later.
 *
 * XDMF choices, checked with ParaView 5.11's "Xdmf Reader" (XDMF 2, XDMFReader proxy):
 *  - agent ids are uint64 in HDF5 but described as NumberType="Int" Precision="8": the
 *    reader maps "UInt" Precision="8" to a 32-bit unsigned array and clamps every id
 *    above 2^32 (all ids outside tissue 0), while "Int" 8 gives an exact int64 array
 *    (ids stay below 2^63: the tissue index sits in the top 8 bits);
 *  - a tissue without agents at a time has no "<tissue>_agents" grid at that time (the
 *    reader fails on an empty Polyvertex); spatial collections may differ between
 *    times, which the reader handles.
 * Xdmf3ReaderS reads the same file but drops the block names, so the legacy reader is
 * the one to choose in ParaView.
 */
#include "output.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mpi_util.h"
#include "version.h"

/* ---- growable text buffer (XDMF, CSV) ---------------------------------------------- */

typedef struct {
    char *p;
    size_t len, cap;
    int oom;                        /* an allocation failed: the text is incomplete */
} output_buf;

static void output_bprintf(output_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void output_bprintf(output_buf *b, const char *fmt, ...)
{
    if (b->oom) return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->oom = 1;
            return;
        }
        if (b->p && b->len + (size_t)n < b->cap) {
            b->len += (size_t)n;
            return;
        }
        size_t ncap = (b->cap ? 2 * b->cap : 4096) + (size_t)n;
        char *np = realloc(b->p, ncap);
        if (!np) {
            b->oom = 1;
            return;
        }
        b->p = np;
        b->cap = ncap;
    }
}

/* Appends s with the XML special characters escaped (for attribute values and text). */
static void output_bxml(output_buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': output_bprintf(b, "&amp;"); break;
        case '<': output_bprintf(b, "&lt;"); break;
        case '>': output_bprintf(b, "&gt;"); break;
        case '"': output_bprintf(b, "&quot;"); break;
        case '\'': output_bprintf(b, "&apos;"); break;
        default: output_bprintf(b, "%c", *s); break;
        }
    }
}

static void output_buf_free(output_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

/* ---- the output object ------------------------------------------------------------- */

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
    output_buf xmf;
    int n_snaps;
    /* summary: n_cols names (time_h first), n_rows x n_cols values row-major, and the
       CSV text of everything so far */
    int n_cols;
    char **cols;
    double *rows;
    double *column;                 /* scratch, cap_rows: one column for summary.h5 */
    size_t n_rows, cap_rows;
    output_buf csv;
    size_t n_rows_written;          /* rows in the summary files on disk */
    double summary_min_interval_s;  /* pacing of the rewrites, 0 = after every row */
    double summary_written_at_s;    /* monotonic clock at the last rewrite, s */
};

static double output_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* "dir/<fmt>" into buf; PS_ERR_IO when it does not fit. */
static ps_status output_path(const output *o, char *buf, size_t n, ps_err *err, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static ps_status output_path(const output *o, char *buf, size_t n, ps_err *err, const char *fmt, ...)
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

/* ---- plain files ------------------------------------------------------------------- */

/* Writes path via path.tmp + rename; sync: fsync before the rename (durable across a
 * power loss; skipped for the summary, rewritten after every row, where it would cost
 * more than the rest of the write). */
static ps_status output_write_atomic(const char *path, const void *data, size_t len, int sync,
                                     ps_err *err)
{
    char tmp[PATH_MAX + 8];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return ps_err_set(err, PS_ERR_IO, "%s: cannot write: path too long", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) return ps_err_set(err, PS_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
    const char *p = data;
    size_t left = len;
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0) {
            if (errno == EINTR) continue;
            int e = errno;
            close(fd);
            unlink(tmp);
            return ps_err_set(err, PS_ERR_IO, "%s: cannot write: %s", path, strerror(e));
        }
        p += w;
        left -= (size_t)w;
    }
    if (sync && fsync(fd) != 0) {
        int e = errno;
        close(fd);
        unlink(tmp);
        return ps_err_set(err, PS_ERR_IO, "%s: cannot write: %s", path, strerror(e));
    }
    if (close(fd) != 0) {
        int e = errno;
        unlink(tmp);
        return ps_err_set(err, PS_ERR_IO, "%s: cannot write: %s", path, strerror(e));
    }
    if (rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return ps_err_set(err, PS_ERR_IO, "%s: cannot move the finished file into place: %s",
                          path, strerror(e));
    }
    return PS_OK;
}

ps_status output_write_file_atomic(const char *path, const void *data, size_t len, ps_err *err)
{
    return output_write_atomic(path, data, len, 1, err);
}

static ps_status output_buf_write(const output_buf *b, const char *path, int sync, ps_err *err)
{
    if (b->oom) return ps_err_set(err, PS_ERR_MEMORY, "%s: out of host memory composing the file", path);
    return output_write_atomic(path, b->p ? b->p : "", b->len, sync, err);
}

/* ---- the run folder ---------------------------------------------------------------- */

/* Creates path and its missing parents (mkdir -p). *created gets the length of the
 * shortest prefix of path that this call created, or 0 if it created nothing. */
static ps_status output_mkdir_p(const char *path, size_t *created, ps_err *err)
{
    char buf[PATH_MAX];
    *created = 0;
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return ps_err_set(err, PS_ERR_IO, "%s: path too long", path);
    for (char *p = buf + 1;; p++) {
        if (*p != '/' && *p != '\0') continue;
        if (p[-1] != '/') {         /* skip the empty components of "a//b" and "a/" */
            char c = *p;
            *p = '\0';
            if (mkdir(buf, 0777) == 0) {
                if (!*created) *created = strlen(buf);
            } else if (errno != EEXIST) {
                int e = errno;
                if (strcmp(buf, path) == 0)
                    return ps_err_set(err, PS_ERR_IO, "%s: cannot create the folder: %s", path,
                                      strerror(e));
                return ps_err_set(err, PS_ERR_IO, "%s: cannot create the folder: %s: %s", path,
                                  buf, strerror(e));
            } else {
                struct stat st;
                if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode))
                    return ps_err_set(err, PS_ERR_IO, "%s: cannot create the folder: %s: %s",
                                      path, buf, strerror(ENOTDIR));
            }
            *p = c;
        }
        if (*p == '\0') break;
    }
    return PS_OK;
}

/* Undoes output_mkdir_p: removes path and its parents down to the prefix it created
 * (rmdir only: a folder that is no longer empty stays). */
ps_status output_make_folder(const char *path, ps_err *err)
{
    size_t created = 0;
    return output_mkdir_p(path, &created, err);
}

static void output_rmdir_created(const char *path, size_t created)
{
    if (!created) return;
    char buf[PATH_MAX];
    snprintf(buf, sizeof buf, "%s", path);
    for (;;) {
        size_t n = strlen(buf);
        while (n > 1 && buf[n - 1] == '/') buf[--n] = '\0';
        if (n < created || rmdir(buf) != 0) return;
        char *slash = strrchr(buf, '/');
        if (!slash || (size_t)(slash - buf) < created) return;
        *slash = '\0';
    }
}

static int output_ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* painsim's files in the run folder (top = 1) or in RUN/snapshots (top = 0). */
static int output_is_ours(const char *name, int top)
{
    if (output_ends_with(name, ".tmp")) return 1;
    if (!top) return strncmp(name, "snap_", 5) == 0 && output_ends_with(name, ".h5");
    static const char *const exact[] = {"scenario.resolved.json", "run.json", "summary.csv",
                                        "summary.h5", "snapshots.xmf"};
    for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++)
        if (strcmp(name, exact[i]) == 0) return 1;
    return strncmp(name, "checkpoint_", 11) == 0 && output_ends_with(name, ".h5");
}

/* Removes painsim's files from folder dir (top: the run folder, else its snapshots/). */
static ps_status output_clear_folder(const char *dir, int top, ps_err *err)
{
    DIR *d = opendir(dir);
    if (!d) {
        if (!top && errno == ENOENT) return PS_OK;
        return ps_err_set(err, PS_ERR_IO, "%s: cannot read the folder: %s", dir, strerror(errno));
    }
    ps_status st = PS_OK;
    struct dirent *e;
    while (st == PS_OK && (e = readdir(d)) != NULL) {
        if (!output_is_ours(e->d_name, top)) continue;
        char f[PATH_MAX + 256];
        snprintf(f, sizeof f, "%s/%s", dir, e->d_name);
        if (unlink(f) != 0)
            st = ps_err_set(err, PS_ERR_IO, "%s: cannot remove the old file: %s", f, strerror(errno));
    }
    closedir(d);
    return st;
}

/* 1 when dir holds any entry; -1 (errno set) when it cannot be read. */
static int output_dir_has_entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return -1;
    struct dirent *e;
    int any = 0;
    while (!any && (e = readdir(d)) != NULL)
        any = strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return any;
}

/* Prepares an existing folder: refuses a non-empty one without force, else clears it. */
static ps_status output_prepare_existing(const char *dir, int force, ps_err *err)
{
    struct stat st;
    if (stat(dir, &st) != 0) {
        if (errno == ENOENT || errno == ENOTDIR) return PS_OK; /* output_mkdir_p explains */
        return ps_err_set(err, PS_ERR_IO, "%s: cannot use as the output folder: %s", dir,
                          strerror(errno));
    }
    if (!S_ISDIR(st.st_mode))
        return ps_err_set(err, PS_ERR_IO, "%s: cannot use as the output folder: it exists and "
                          "is not a folder", dir);
    int any = output_dir_has_entries(dir);
    if (any < 0)
        return ps_err_set(err, PS_ERR_IO, "%s: cannot read the folder: %s", dir, strerror(errno));
    if (!any) return PS_OK;
    if (!force)
        return ps_err_set(err, PS_ERR_IO, "%s: output folder exists and is not empty; use --force "
                          "to overwrite it, or choose another --out", dir);
    char snaps[PATH_MAX + 16];
    snprintf(snaps, sizeof snaps, "%s/snapshots", dir);
    PS_TRY(output_clear_folder(snaps, 0, err));
    return output_clear_folder(dir, 1, err);
}

ps_status output_reopen(output **out, const char *dir, const scenario *s, ps_err *err);

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
    MPI_Comm_rank(comm, &rank);
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
    PS_TRY(output_prepare_existing(dir, force, err));
    size_t created = 0, created_snaps = 0;
    PS_TRY(output_mkdir_p(dir, &created, err));

    output *o = NULL;
    PS_TRY(output_new(&o, dir, s, err));
    if (!o) {
        output_rmdir_created(dir, created);
        return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    }
    char path[PATH_MAX];
    ps_status st = output_path(o, path, sizeof path, err, "snapshots");
    if (st == PS_OK) st = output_mkdir_p(path, &created_snaps, err);
    if (st == PS_OK) {
        /* a probe proves the folder writable before any simulation time is spent */
        st = output_path(o, path, sizeof path, err, ".write_probe.tmp");
        int fd = st == PS_OK ? open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666) : -1;
        if (st == PS_OK && fd < 0)
            st = ps_err_set(err, PS_ERR_IO, "%s: the output folder is not writable: %s", dir,
                            strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(path);
        }
    }
    if (st == PS_OK) {
        char *json = scenario_to_json(s);
        if (!json) st = ps_err_set(err, PS_ERR_MEMORY, "out of host memory writing the resolved scenario");
        if (st == PS_OK) st = output_path(o, path, sizeof path, err, "scenario.resolved.json");
        if (st == PS_OK) st = output_write_file_atomic(path, json, strlen(json), err);
        free(json);
    }
    if (st != PS_OK) {
        if (created_snaps) {
            char snaps[PATH_MAX + 16];
            snprintf(snaps, sizeof snaps, "%s/snapshots", dir);
            rmdir(snaps);
        }
        output_rmdir_created(dir, created);
        output_close(o);
        return st;
    }
    *out = o;
    return PS_OK;
}

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
    for (int i = 0; i < o->n_cols; i++) free(o->cols[i]);
    free(o->cols);
    free(o->rows);
    free(o->column);
    output_buf_free(&o->csv);
    output_buf_free(&o->xmf);
    free(o);
}

/* ---- HDF5 -------------------------------------------------------------------------- */

/* One HDF5 file being written: created as path.tmp, renamed to path when complete. */
typedef struct {
    const char *path;               /* final name, for messages */
    char tmp[PATH_MAX + 8];
    hid_t file;
    H5E_auto2_t old_func;           /* HDF5's error printer, restored at the end */
    void *old_data;
    char why[1024];                 /* the first failure, "" while all is well */
    MPI_Comm comm;                  /* a parallel file's ranks, or MPI_COMM_NULL */
    hid_t core_fapl;                /* > 0: built in memory, written by output_write_atomic */
    int sync;                       /* fsync the file before the rename */
} output_h5;

typedef struct {
    char outer[256], inner[512];
} output_h5_descs;

static herr_t output_h5_walk(unsigned n, const H5E_error2_t *e, void *data)
{
    output_h5_descs *d = data;
    if (!e || !e->desc) return 0;
    if (n == 0) snprintf(d->outer, sizeof d->outer, "%s", e->desc);
    snprintf(d->inner, sizeof d->inner, "%s", e->desc);
    return 0;
}

/* Records the first failure of w: the call (from the CHECK_H5 text), HDF5's outermost
 * and innermost error descriptions, and where in this file. */
static void output_h5_fail(output_h5 *w, const char *expr, const char *func, int line)
{
    if (w->why[0]) return;
    char call[64] = "HDF5 call";
    const char *p = strstr(expr, "H5");
    if (p) {
        size_t n = strcspn(p, "(");
        if (n >= sizeof call) n = sizeof call - 1;
        memcpy(call, p, n);
        call[n] = '\0';
    }
    output_h5_descs d = {"", ""};
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, output_h5_walk, &d);
    H5Eclear2(H5E_DEFAULT);
    char *noise = strstr(d.inner, ", flags = ");  /* open(2) flags: noise in a message */
    if (noise) *noise = '\0';
    if (!d.outer[0])
        snprintf(w->why, sizeof w->why, "%s failed [%s:%d %s]", call, __FILE__, line, func);
    else if (strcmp(d.outer, d.inner) == 0)
        snprintf(w->why, sizeof w->why, "%s failed: %s [%s:%d %s]", call, d.outer, __FILE__, line, func);
    else
        snprintf(w->why, sizeof w->why, "%s failed: %s: %s [%s:%d %s]", call, d.outer, d.inner,
                 __FILE__, line, func);
}

/* Runs an HDF5 call; on a negative result records why and jumps to `done`. */
#define CHECK_H5(w, expr)                                    \
    do {                                                     \
        if ((expr) < 0) {                                    \
            output_h5_fail((w), #expr, __func__, __LINE__);  \
            goto done;                                       \
        }                                                    \
    } while (0)

/* Starts writing path: silences HDF5's printer and creates path.tmp. Returns 0, or -1
 * with w->why set (output_h5_finish still has to be called). */
static int output_h5_start_fapl(output_h5 *w, hid_t fapl, const char *path);
static int output_h5_start(output_h5 *w, const output *o, const char *path)
{
    int rc = output_h5_start_fapl(w, o->fapl, path);
    w->comm = o->parallel ? o->comm : MPI_COMM_NULL;
    return rc;
}

static int output_h5_start_fapl(output_h5 *w, hid_t fapl, const char *path)
{
    memset(w, 0, sizeof *w);
    w->path = path;
    w->file = -1;
    w->comm = MPI_COMM_NULL;
    H5Eget_auto2(H5E_DEFAULT, &w->old_func, &w->old_data);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    H5Eclear2(H5E_DEFAULT);
    int rc = -1;
    if (snprintf(w->tmp, sizeof w->tmp, "%s.tmp", path) >= (int)sizeof w->tmp) {
        snprintf(w->why, sizeof w->why, "path too long");
        return -1;
    }
    if (fapl == H5P_DEFAULT) {
        /* a serial file is built in memory (HDF5's core driver) and written by
           output_write_atomic: a full disk or an I/O error then fails one write(2) that
           we handle, never an HDF5 flush that leaves the library unable to close */
        CHECK_H5(w, w->core_fapl = H5Pcreate(H5P_FILE_ACCESS));
        CHECK_H5(w, H5Pset_fapl_core(w->core_fapl, 1 << 20, 0));
        fapl = w->core_fapl;
    }
    CHECK_H5(w, w->file = H5Fcreate(w->tmp, H5F_ACC_TRUNC, H5P_DEFAULT, fapl));
    rc = 0;
done:
    return rc;
}

/* Closes the file and renames it into place, or (on any failure) removes path.tmp and
 * returns PS_ERR_IO naming path and the reason. Restores HDF5's error printer. */
static ps_status output_h5_finish(output_h5 *w, ps_err *err)
{
    void *image = NULL;
    ssize_t size = 0;
    if (w->file >= 0) {
        hid_t f = w->file;
        w->file = -1;
        if (w->core_fapl > 0 && !w->why[0]) {
            if (H5Fflush(f, H5F_SCOPE_GLOBAL) < 0 || (size = H5Fget_file_image(f, NULL, 0)) < 0 ||
                !(image = malloc((size_t)size + 1)) || H5Fget_file_image(f, image, (size_t)size) != size)
                snprintf(w->why, sizeof w->why, "cannot build the file image in memory");
        }
        CHECK_H5(w, H5Fclose(f));
    }
done:
    if (w->core_fapl > 0) {
        H5Pclose(w->core_fapl);
        w->core_fapl = 0;
        H5Eset_auto2(H5E_DEFAULT, w->old_func, w->old_data);
        ps_status st = w->why[0] ? ps_err_set(err, PS_ERR_IO, "%s: cannot write: %s", w->path, w->why)
                                 : output_write_atomic(w->path, image, (size_t)size, w->sync, err);
        free(image);
        return st;
    }
    H5Eset_auto2(H5E_DEFAULT, w->old_func, w->old_data);
    if (w->comm != MPI_COMM_NULL) {     /* a parallel file: every rank agrees, rank 0 renames */
        int bad = w->why[0] != 0, any = 0, rank = 0;
        MPI_Allreduce(&bad, &any, 1, MPI_INT, MPI_MAX, w->comm);
        MPI_Comm_rank(w->comm, &rank);
        if (any) {
            if (rank == 0) unlink(w->tmp);
            return ps_err_set(err, PS_ERR_IO, "%s: cannot write: %s", w->path,
                              bad ? w->why : "another rank failed to write its part");
        }
        if (rank != 0) return PS_OK;
    }
    if (w->why[0]) {
        unlink(w->tmp);
        return ps_err_set(err, PS_ERR_IO, "%s: cannot write: %s", w->path, w->why);
    }
    if (rename(w->tmp, w->path) != 0) {
        int e = errno;
        unlink(w->tmp);
        return ps_err_set(err, PS_ERR_IO, "%s: cannot move the finished file into place: %s",
                          w->path, strerror(e));
    }
    return PS_OK;
}

/* A numeric attribute: a scalar when n == 0, else a 1-D array of n. */
static int output_attr_num(output_h5 *w, hid_t obj, const char *name, hid_t file_type,
                           hid_t mem_type, const void *v, hsize_t n)
{
    int rc = -1;
    hid_t sp = -1, a = -1;
    CHECK_H5(w, sp = n ? H5Screate_simple(1, &n, NULL) : H5Screate(H5S_SCALAR));
    CHECK_H5(w, a = H5Acreate2(obj, name, file_type, sp, H5P_DEFAULT, H5P_DEFAULT));
    CHECK_H5(w, H5Awrite(a, mem_type, v));
    rc = 0;
done:
    if (a >= 0) H5Aclose(a);
    if (sp >= 0) H5Sclose(sp);
    return rc;
}

/* A variable-length UTF-8 string attribute: a scalar (array == 0) or n strings. */
static int output_attr_str(output_h5 *w, hid_t obj, const char *name, const char *const *v,
                           hsize_t n, int array)
{
    int rc = -1;
    hid_t t = -1, sp = -1, a = -1;
    CHECK_H5(w, t = H5Tcopy(H5T_C_S1));
    CHECK_H5(w, H5Tset_size(t, H5T_VARIABLE));
    CHECK_H5(w, H5Tset_cset(t, H5T_CSET_UTF8));
    CHECK_H5(w, sp = array ? H5Screate_simple(1, &n, NULL) : H5Screate(H5S_SCALAR));
    CHECK_H5(w, a = H5Acreate2(obj, name, t, sp, H5P_DEFAULT, H5P_DEFAULT));
    if (!array || n > 0) CHECK_H5(w, H5Awrite(a, t, v));
    rc = 0;
done:
    if (a >= 0) H5Aclose(a);
    if (sp >= 0) H5Sclose(sp);
    if (t >= 0) H5Tclose(t);
    return rc;
}

/* A contiguous dataset of rank dims (a zero extent is fine: nothing is stored), with
 * an optional units attribute. */
static int output_dataset(output_h5 *w, hid_t loc, const char *name, hid_t file_type,
                          hid_t mem_type, int rank, const hsize_t *dims, const void *data,
                          const char *units)
{
    int rc = -1;
    hid_t sp = -1, d = -1;
    hsize_t total = 1;
    for (int i = 0; i < rank; i++) total *= dims[i];
    CHECK_H5(w, sp = H5Screate_simple(rank, dims, NULL));
    CHECK_H5(w, d = H5Dcreate2(loc, name, file_type, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    if (total > 0) CHECK_H5(w, H5Dwrite(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data));
    if (units) {
        const char *u[1] = {units};
        if (output_attr_str(w, d, "units", u, 1, 0) != 0) goto done;
    }
    rc = 0;
done:
    if (d >= 0) H5Dclose(d);
    if (sp >= 0) H5Sclose(sp);
    return rc;
}

/* A dataset of full extent dims of which this process writes the block at start of size
 * count (every process of a parallel file calls it, collectively; a serial file writes
 * everything: start NULL). */
static int output_dataset_part(output_h5 *w, const output *o, hid_t loc, const char *name,
                               hid_t file_type, hid_t mem_type, int rank, const hsize_t *dims,
                               const hsize_t *start, const hsize_t *count, const void *data,
                               const char *units)
{
    if (!start) return output_dataset(w, loc, name, file_type, mem_type, rank, dims, data, units);
    int rc = -1;
    hid_t sp = -1, d = -1, ms = -1;
    hsize_t n = 1;
    for (int i = 0; i < rank; i++) n *= count[i];
    CHECK_H5(w, sp = H5Screate_simple(rank, dims, NULL));
    CHECK_H5(w, d = H5Dcreate2(loc, name, file_type, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    CHECK_H5(w, ms = H5Screate_simple(rank, count, NULL));
    if (n > 0) {
        CHECK_H5(w, H5Sselect_hyperslab(sp, H5S_SELECT_SET, start, NULL, count, NULL));
    } else {
        CHECK_H5(w, H5Sselect_none(sp));
        CHECK_H5(w, H5Sselect_none(ms));
    }
    CHECK_H5(w, H5Dwrite(d, mem_type, ms, sp, o->dxpl, data));
    if (units) {
        const char *u[1] = {units};
        if (output_attr_str(w, d, "units", u, 1, 0) != 0) goto done;
    }
    rc = 0;
done:
    if (ms >= 0) H5Sclose(ms);
    if (d >= 0) H5Dclose(d);
    if (sp >= 0) H5Sclose(sp);
    return rc;
}

/* ---- snapshots --------------------------------------------------------------------- */

/* 1 when name can be an HDF5 link name and an XDMF/ParaView array name. */
static int output_name_ok(const char *name)
{
    return name && *name && strcmp(name, ".") != 0 && !strchr(name, '/');
}

/* Checks the caller's description of a snapshot (programming errors: PS_ERR_INTERNAL). */
static ps_status output_check_tissues(int n_tissues, const output_tissue *ts, ps_err *err)
{
    if (n_tissues < 0 || n_tissues > SCN_MAX_TISSUES || (n_tissues > 0 && !ts))
        return ps_err_set(err, PS_ERR_INTERNAL, "output_snapshot: %d tissues", n_tissues);
    for (int t = 0; t < n_tissues; t++) {
        const output_tissue *x = &ts[t];
        if (!x->tissue || !output_name_ok(x->tissue->name))
            return ps_err_set(err, PS_ERR_INTERNAL, "output_snapshot: tissue %d has no valid name", t);
        const char *tn = x->tissue->name;
        for (int u = 0; u < t; u++)
            if (strcmp(ts[u].tissue->name, tn) == 0)
                return ps_err_set(err, PS_ERR_INTERNAL, "output_snapshot: tissue %s given twice", tn);
        int dims[3];
        scenario_tissue_dims(x->tissue, dims);
        if (dims[0] <= 0 || dims[1] <= 0 || dims[2] <= 0)
            return ps_err_set(err, PS_ERR_INTERNAL, "output_snapshot: tissue %s has %d x %d x %d voxels",
                              tn, dims[0], dims[1], dims[2]);
        if (x->n_fields < 0 || (x->n_fields > 0 && (!x->field_names || !x->fields)))
            return ps_err_set(err, PS_ERR_INTERNAL, "output_snapshot: tissue %s: bad field list", tn);
        for (int i = 0; i < x->n_fields; i++) {
            if (!output_name_ok(x->field_names[i]) || !x->fields[i])
                return ps_err_set(err, PS_ERR_INTERNAL, "output_snapshot: tissue %s: field %d has "
                                  "no valid name or no data", tn, i);
            for (int j = 0; j < i; j++)
                if (strcmp(x->field_names[i], x->field_names[j]) == 0)
                    return ps_err_set(err, PS_ERR_INTERNAL, "output_snapshot: tissue %s: field %s "
                                      "given twice", tn, x->field_names[i]);
        }
        if (x->n_agents > 0 && (!x->position_um || !x->id || !x->type || !x->state))
            return ps_err_set(err, PS_ERR_INTERNAL, "output_snapshot: tissue %s: %zu agents "
                              "without data", tn, x->n_agents);
        if (x->n_vars < 0 || (x->n_vars > 0 && (!x->var_names || !x->vars)))
            return ps_err_set(err, PS_ERR_INTERNAL, "output_snapshot: tissue %s: bad variable list", tn);
        for (int k = 0; k < x->n_vars; k++) {
            const char *v = x->var_names[k];
            int clash = v && (strcmp(v, "position") == 0 || strcmp(v, "id") == 0 ||
                              strcmp(v, "type") == 0 || strcmp(v, "state") == 0);
            for (int j = 0; v && j < k; j++) clash |= strcmp(v, x->var_names[j]) == 0;
            if (!output_name_ok(v) || clash || (x->n_agents > 0 && !x->vars[k]))
                return ps_err_set(err, PS_ERR_INTERNAL, "output_snapshot: tissue %s: agent variable "
                                  "%d (%s) is unnamed, repeated, reserved or without data", tn, k,
                                  v ? v : "null");
        }
    }
    return PS_OK;
}

static int output_write_tissue(output_h5 *w, const output *o, hid_t tissues, const output_tissue *x)
{
    int rc = -1;
    hid_t g = -1, gf = -1, ga = -1;
    const scn_tissue *ts = x->tissue;
    int d[3];
    scenario_tissue_dims(ts, d);
    long long dims[3] = {d[0], d[1], d[2]};
    CHECK_H5(w, g = H5Gcreate2(tissues, ts->name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    if (output_attr_num(w, g, "origin_um", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, ts->origin_um, 3) ||
        output_attr_num(w, g, "voxel_um", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &ts->voxel_um, 0) ||
        output_attr_num(w, g, "dims", H5T_STD_I64LE, H5T_NATIVE_LLONG, dims, 3) ||
        output_attr_num(w, g, "size_um", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, ts->size_um, 3))
        goto done;

    CHECK_H5(w, gf = H5Gcreate2(g, "fields", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    hsize_t fd[3] = {(hsize_t)d[2], (hsize_t)d[1], (hsize_t)d[0]};
    /* a decomposed rank writes its planes [z0, z0 + nz_part) and its agents' rows */
    hsize_t f0[3] = {(hsize_t)x->z0, 0, 0}, fc[3] = {(hsize_t)x->nz_part, fd[1], fd[2]};
    const hsize_t *fs = x->part ? f0 : NULL;
    for (int i = 0; i < x->n_fields; i++)
        if (output_dataset_part(w, o, gf, x->field_names[i], H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 3, fd,
                                fs, fc, x->fields[i], "nM"))
            goto done;

    CHECK_H5(w, ga = H5Gcreate2(g, "agents", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    hsize_t n = x->part ? x->n_agents_total : x->n_agents, p[2] = {n, 3};
    hsize_t a0[2] = {x->agent_offset, 0}, ac[2] = {x->n_agents, 3};
    const hsize_t *as = x->part ? a0 : NULL;
    if (output_dataset_part(w, o, ga, "position", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 2, p, as, ac,
                            x->position_um, "um") ||
        output_dataset_part(w, o, ga, "id", H5T_STD_U64LE, H5T_NATIVE_UINT64, 1, &n, as, ac, x->id, NULL) ||
        output_dataset_part(w, o, ga, "type", H5T_STD_I32LE, H5T_NATIVE_INT32, 1, &n, as, ac, x->type, NULL) ||
        output_dataset_part(w, o, ga, "state", H5T_STD_I32LE, H5T_NATIVE_INT32, 1, &n, as, ac, x->state, NULL))
        goto done;
    for (int k = 0; k < x->n_vars; k++) {
        const char *units = x->var_units && x->var_units[k] ? x->var_units[k] : "1";
        if (output_dataset_part(w, o, ga, x->var_names[k], H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 1, &n,
                                as, ac, x->vars[k], units))
            goto done;
    }
    rc = 0;
done:
    if (ga >= 0) H5Gclose(ga);
    if (gf >= 0) H5Gclose(gf);
    if (g >= 0) H5Gclose(g);
    return rc;
}

static int output_write_snapshot_file(output_h5 *w, const output *o, long step, double time_h,
                                      int n_tissues, const output_tissue *ts)
{
    int rc = -1;
    hid_t g = -1;
    double time_min = time_h * 60.0;
    long long st = step;
    const char *ver[1] = {painsim_version()}, *name[1] = {o->scenario_name};
    const char *types[SCN_MAX_TYPES], *meds[SCN_MAX_MEDIATORS];
    for (int i = 0; i < o->n_types; i++) types[i] = o->type_names[i];
    for (int i = 0; i < o->n_mediators; i++) meds[i] = o->mediator_names[i];
    if (output_attr_num(w, w->file, "time_h", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &time_h, 0) ||
        output_attr_num(w, w->file, "time_min", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &time_min, 0) ||
        output_attr_num(w, w->file, "step", H5T_STD_I64LE, H5T_NATIVE_LLONG, &st, 0) ||
        output_attr_str(w, w->file, "painsim_version", ver, 1, 0) ||
        output_attr_str(w, w->file, "scenario_name", name, 1, 0) ||
        output_attr_str(w, w->file, "cell_type_names", types, (hsize_t)o->n_types, 1) ||
        output_attr_str(w, w->file, "mediator_names", meds, (hsize_t)o->n_mediators, 1))
        goto done;
    CHECK_H5(w, g = H5Gcreate2(w->file, "tissues", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    for (int t = 0; t < n_tissues; t++)
        if (output_write_tissue(w, o, g, &ts[t])) goto done;
    rc = 0;
done:
    if (g >= 0) H5Gclose(g);
    return rc;
}

/* One DataItem pointing into a snapshot file. */
static void output_xmf_item(output_buf *b, const char *dims, const char *type, int prec, long step,
                            const char *tissue, const char *group, const char *name)
{
    output_bprintf(b, "      <DataItem Dimensions=\"%s\" NumberType=\"%s\" Precision=\"%d\" "
                      "Format=\"HDF\">snapshots/snap_%06ld.h5:/tissues/", dims, type, prec, step);
    output_bxml(b, tissue);
    output_bprintf(b, "/%s/", group);
    output_bxml(b, name);
    output_bprintf(b, "</DataItem>\n");
}

static void output_xmf_attr_open(output_buf *b, const char *name, const char *center)
{
    output_bprintf(b, "     <Attribute Name=\"");
    output_bxml(b, name);
    output_bprintf(b, "\" AttributeType=\"Scalar\" Center=\"%s\">\n", center);
}

/* Appends the spatial collection of one snapshot to the XDMF body. */
static void output_xmf_snapshot(output_buf *b, long step, double time_h, int n_tissues,
                                const output_tissue *ts)
{
    output_bprintf(b, "   <Grid Name=\"step_%06ld\" GridType=\"Collection\" CollectionType=\"Spatial\">\n"
                      "    <Time Value=\"%.9g\" />\n", step, time_h);
    for (int t = 0; t < n_tissues; t++) {
        const output_tissue *x = &ts[t];
        const scn_tissue *tis = x->tissue;
        int d[3];
        scenario_tissue_dims(tis, d);
        char dims[64];
        snprintf(dims, sizeof dims, "%d %d %d", d[2], d[1], d[0]);
        output_bprintf(b, "    <Grid Name=\"");
        output_bxml(b, tis->name);
        output_bprintf(b, "_fields\" GridType=\"Uniform\">\n"
                          "     <Topology TopologyType=\"3DCoRectMesh\" Dimensions=\"%d %d %d\" />\n"
                          "     <Geometry GeometryType=\"ORIGIN_DXDYDZ\">\n"
                          "      <DataItem Dimensions=\"3\" NumberType=\"Float\" Precision=\"8\" "
                          "Format=\"XML\">%.17g %.17g %.17g</DataItem>\n"
                          "      <DataItem Dimensions=\"3\" NumberType=\"Float\" Precision=\"8\" "
                          "Format=\"XML\">%.17g %.17g %.17g</DataItem>\n"
                          "     </Geometry>\n",
                       d[2] + 1, d[1] + 1, d[0] + 1, tis->origin_um[2], tis->origin_um[1],
                       tis->origin_um[0], tis->voxel_um, tis->voxel_um, tis->voxel_um);
        for (int i = 0; i < x->n_fields; i++) {
            output_xmf_attr_open(b, x->field_names[i], "Cell");
            output_xmf_item(b, dims, "Float", 4, step, tis->name, "fields", x->field_names[i]);
            output_bprintf(b, "     </Attribute>\n");
        }
        output_bprintf(b, "    </Grid>\n");
        /* the reader fails on an empty Polyvertex: a tissue without agents has no block */
        size_t na = x->part ? (size_t)x->n_agents_total : x->n_agents;
        if (na == 0) continue;
        char nd[32], n3[48];
        snprintf(nd, sizeof nd, "%zu", na);
        snprintf(n3, sizeof n3, "%zu 3", na);
        output_bprintf(b, "    <Grid Name=\"");
        output_bxml(b, tis->name);
        output_bprintf(b, "_agents\" GridType=\"Uniform\">\n"
                          "     <Topology TopologyType=\"Polyvertex\" NumberOfElements=\"%zu\" "
                          "NodesPerElement=\"1\" />\n"
                          "     <Geometry GeometryType=\"XYZ\">\n", na);
        output_xmf_item(b, n3, "Float", 4, step, tis->name, "agents", "position");
        output_bprintf(b, "     </Geometry>\n");
        /* id: uint64 in the file, read as int64 (see the file header) */
        static const struct {
            const char *name, *type;
            int prec;
        } fixed[] = {{"id", "Int", 8}, {"type", "Int", 4}, {"state", "Int", 4}};
        for (size_t a = 0; a < sizeof fixed / sizeof fixed[0]; a++) {
            output_xmf_attr_open(b, fixed[a].name, "Node");
            output_xmf_item(b, nd, fixed[a].type, fixed[a].prec, step, tis->name, "agents", fixed[a].name);
            output_bprintf(b, "     </Attribute>\n");
        }
        for (int v = 0; v < x->n_vars; v++) {
            output_xmf_attr_open(b, x->var_names[v], "Node");
            output_xmf_item(b, nd, "Float", 4, step, tis->name, "agents", x->var_names[v]);
            output_bprintf(b, "     </Attribute>\n");
        }
        output_bprintf(b, "    </Grid>\n");
    }
    output_bprintf(b, "   </Grid>\n");
}

static ps_status output_write_xmf(const output *o, ps_err *err)
{
    char path[PATH_MAX];
    PS_TRY(output_path(o, path, sizeof path, err, "snapshots.xmf"));
    output_buf b = {0};
    output_bprintf(&b, "<?xml version=\"1.0\" ?>\n<!DOCTYPE Xdmf SYSTEM \"Xdmf.dtd\" []>\n"
                       "<Xdmf Version=\"2.0\">\n <Domain>\n  <Grid Name=\"");
    output_bxml(&b, o->scenario_name);
    output_bprintf(&b, "\" GridType=\"Collection\" CollectionType=\"Temporal\">\n");
    if (o->xmf.oom) b.oom = 1;
    else if (o->xmf.len) output_bprintf(&b, "%s", o->xmf.p);
    output_bprintf(&b, "  </Grid>\n </Domain>\n</Xdmf>\n");
    ps_status st = output_buf_write(&b, path, 1, err);
    output_buf_free(&b);
    return st;
}

ps_status output_snapshot(output *o, long step, double time_h, int n_tissues,
                          const output_tissue *tissues, ps_err *err)
{
    if (step < 0) return ps_err_set(err, PS_ERR_INTERNAL, "output_snapshot: step %ld < 0", step);
    PS_TRY(output_check_tissues(n_tissues, tissues, err));
    char path[PATH_MAX];
    PS_TRY(output_path(o, path, sizeof path, err, "snapshots/snap_%06ld.h5", step));
    output_h5 w;
    if (output_h5_start(&w, o, path) == 0) {
        w.sync = 1;
        output_write_snapshot_file(&w, o, step, time_h, n_tissues, tissues);
    }
    PS_TRY(output_h5_finish(&w, err));
    output_xmf_snapshot(&o->xmf, step, time_h, n_tissues, tissues);
    o->n_snaps++;
    if (o->parallel && o->rank != 0) return PS_OK;
    return output_write_xmf(o, err);
}

/* ---- summary ----------------------------------------------------------------------- */

ps_status output_summary_columns(output *o, int n, const char *const *names, ps_err *err)
{
    if (o->cols) return ps_err_set(err, PS_ERR_INTERNAL, "output_summary_columns: called twice");
    if (n < 0 || (n > 0 && !names))
        return ps_err_set(err, PS_ERR_INTERNAL, "output_summary_columns: %d columns", n);
    for (int i = 0; i < n; i++) {
        const char *c = names[i];
        /* a column becomes a CSV header cell and an HDF5 dataset name */
        int bad = !output_name_ok(c) || strpbrk(c, ",\"\r\n") != NULL ||
                  strcmp(c, "time_h") == 0 || strcmp(c, "table") == 0;
        for (int j = 0; !bad && j < i; j++) bad = strcmp(c, names[j]) == 0;
        if (bad)
            return ps_err_set(err, PS_ERR_INTERNAL, "output_summary_columns: column %d (%s) is "
                              "empty, repeated, reserved or holds one of / , \" or a line break",
                              i, c ? c : "null");
    }
    o->cols = calloc((size_t)n + 1, sizeof *o->cols);
    if (!o->cols) return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    o->n_cols = n + 1;
    o->cols[0] = strdup("time_h");
    for (int i = 0; i < n; i++) o->cols[i + 1] = strdup(names[i]);
    for (int i = 0; i < o->n_cols; i++)
        if (!o->cols[i]) return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    for (int c = 0; c < o->n_cols; c++) output_bprintf(&o->csv, "%s%s", c ? "," : "", o->cols[c]);
    output_bprintf(&o->csv, "\n");
    return PS_OK;
}

static int output_write_summary_file(output_h5 *w, const output *o)
{
    int rc = -1;
    hid_t ds = -1;
    size_t nr = o->n_rows, nc = (size_t)o->n_cols;
    hsize_t d1 = nr;
    for (size_t c = 0; c < nc; c++) {
        for (size_t r = 0; r < nr; r++) o->column[r] = o->rows[r * nc + c];
        if (output_dataset(w, w->file, o->cols[c], H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, &d1,
                           o->column, c == 0 ? "h" : NULL))
            goto done;
    }
    hsize_t d2[2] = {nr, nc};
    if (output_dataset(w, w->file, "table", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, d2, o->rows, NULL))
        goto done;
    CHECK_H5(w, ds = H5Dopen2(w->file, "table", H5P_DEFAULT));
    if (output_attr_str(w, ds, "columns", (const char *const *)o->cols, nc, 1)) goto done;
    rc = 0;
done:
    if (ds >= 0) H5Dclose(ds);
    return rc;
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
    for (size_t c = 0; c < nc; c++) output_bprintf(&o->csv, "%s%.9g", c ? "," : "", row[c]);
    output_bprintf(&o->csv, "\n");
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
    PS_TRY(output_buf_write(&o->csv, path, 0, err));
    PS_TRY(output_path(o, path, sizeof path, err, "summary.h5"));
    output_h5 w;                    /* a serial file, even when snapshots are parallel */
    if (output_h5_start_fapl(&w, H5P_DEFAULT, path) == 0) output_write_summary_file(&w, o);
    PS_TRY(output_h5_finish(&w, err));
    o->n_rows_written = o->n_rows;
    o->summary_written_at_s = output_now_s();
    return PS_OK;
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
    output_buf_free(&o->xmf);
    output_bprintf(&o->xmf, "%s", xmf);
    o->n_snaps = n_snaps;
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
    char path[PATH_MAX];
    ps_status rc = output_path(o, path, sizeof path, err, ".write_probe.tmp");
    int fd = rc == PS_OK ? open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666) : -1;
    if (rc == PS_OK && fd < 0)
        rc = ps_err_set(err, PS_ERR_IO, "%s: the run folder is not writable: %s", dir, strerror(errno));
    if (fd >= 0) {
        close(fd);
        unlink(path);
    }
    if (rc != PS_OK) {
        output_close(o);
        return rc;
    }
    *out = o;
    return PS_OK;
}

const char *output_dir(const output *o) { return o->dir; }

void output_summary_set_min_interval(output *o, double min_interval_s)
{
    if (o) o->summary_min_interval_s = min_interval_s > 0 ? min_interval_s : 0;
}

/* ---- run.json ---------------------------------------------------------------------- */

ps_status output_run_info_write(output *o, const output_run_info *info, ps_err *err)
{
    /* rows held back by pacing; run.json is written even when that fails */
    ps_status flushed = output_summary_flush(o, err);
    if (o->parallel && o->rank != 0) return PS_OK;
    char path[PATH_MAX];
    PS_TRY(output_path(o, path, sizeof path, err, "run.json"));
    char host[256] = "unknown";
    if (gethostname(host, sizeof host) != 0) snprintf(host, sizeof host, "unknown");
    host[sizeof host - 1] = '\0';
    char now[32], seed[32];
    time_t t = time(NULL);
    struct tm tmv;
    gmtime_r(&t, &tmv);
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tmv);
    /* the seed as an exact integer: a JSON number through a double loses bits above 2^53 */
    snprintf(seed, sizeof seed, "%" PRIu64, info->seed);

    cJSON *j = cJSON_CreateObject();
    int ok = j != NULL;
    ok = ok && cJSON_AddStringToObject(j, "painsim_version", painsim_version());
    ok = ok && cJSON_AddStringToObject(j, "git_hash", painsim_git_hash());
    ok = ok && cJSON_AddStringToObject(j, "scenario", o->scenario_name);
    ok = ok && cJSON_AddStringToObject(j, "scenario_file", o->source_path);
    ok = ok && cJSON_AddStringToObject(j, "device", info->device ? info->device : "");
    ok = ok && cJSON_AddRawToObject(j, "seed", seed);
    ok = ok && cJSON_AddNumberToObject(j, "steps", (double)info->steps);
    ok = ok && cJSON_AddNumberToObject(j, "simulated_h", info->simulated_h);
    ok = ok && cJSON_AddNumberToObject(j, "wall_s", info->wall_s);
    ok = ok && cJSON_AddNumberToObject(j, "output_s", info->output_s);
    ok = ok && cJSON_AddNumberToObject(j, "agents_end", (double)info->agents_end);
    ok = ok && cJSON_AddNumberToObject(j, "snapshots", o->n_snaps);
    ok = ok && cJSON_AddNumberToObject(j, "summary_rows", (double)o->n_rows);
    ok = ok && cJSON_AddStringToObject(j, "status", info->status ? info->status : "");
    ok = ok && cJSON_AddStringToObject(j, "hostname", host);
    ok = ok && cJSON_AddStringToObject(j, "started_utc", o->started_utc);
    ok = ok && cJSON_AddStringToObject(j, "written_utc", now);
    char *text = ok ? cJSON_Print(j) : NULL;
    cJSON_Delete(j);
    if (!text) return ps_err_set(err, PS_ERR_MEMORY, "%s: out of host memory composing the file", path);
    size_t n = strlen(text);
    char *nl = realloc(text, n + 2);  /* end with a newline, like every text file */
    if (nl) {
        text = nl;
        text[n++] = '\n';
        text[n] = '\0';
    }
    ps_status st = output_write_file_atomic(path, text, n, err);
    free(text);
    return flushed != PS_OK ? flushed : st;
}

/* ---- tables (sweep.csv / sweep.h5) ------------------------------------------------- */

/* CSV field: quoted (with "" for ") when it holds a comma, quote or line break. */
static void output_csv_text(output_buf *b, const char *t)
{
    if (!t) t = "";
    if (strpbrk(t, ",\"\r\n") == NULL) {
        output_bprintf(b, "%s", t);
        return;
    }
    output_bprintf(b, "\"");
    for (const char *p = t; *p; p++) output_bprintf(b, *p == '"' ? "\"\"" : "%c", *p);
    output_bprintf(b, "\"");
}

static int output_write_table_file(output_h5 *w, const char *title, size_t n_rows, int n_cols,
                                   const output_column *cols)
{
    int rc = -1;
    hid_t t = -1, sp = -1, d = -1;
    hsize_t n = n_rows;
    const char *tt[1] = {title ? title : ""};
    if (output_attr_str(w, w->file, "title", tt, 1, 0)) goto done;
    const char **names = malloc(((size_t)n_cols + 1) * sizeof *names);
    if (!names) {
        snprintf(w->why, sizeof w->why, "out of host memory");
        goto done;
    }
    for (int c = 0; c < n_cols; c++) names[c] = cols[c].name;
    int bad = output_attr_str(w, w->file, "columns", names, (hsize_t)n_cols, 1);
    free(names);
    if (bad) goto done;
    CHECK_H5(w, t = H5Tcopy(H5T_C_S1));
    CHECK_H5(w, H5Tset_size(t, H5T_VARIABLE));
    CHECK_H5(w, H5Tset_cset(t, H5T_CSET_UTF8));
    for (int c = 0; c < n_cols; c++) {
        const output_column *col = &cols[c];
        if (col->num) {
            if (output_dataset(w, w->file, col->name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, &n,
                               col->num, col->units))
                goto done;
            continue;
        }
        CHECK_H5(w, sp = H5Screate_simple(1, &n, NULL));
        CHECK_H5(w, d = H5Dcreate2(w->file, col->name, t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
        if (n_rows > 0) CHECK_H5(w, H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, col->text));
        H5Dclose(d);
        d = -1;
        H5Sclose(sp);
        sp = -1;
    }
    rc = 0;
done:
    if (d >= 0) H5Dclose(d);
    if (sp >= 0) H5Sclose(sp);
    if (t >= 0) H5Tclose(t);
    return rc;
}

ps_status output_table_write(const char *csv_path, const char *h5_path, const char *title,
                             size_t n_rows, int n_cols, const output_column *cols, ps_err *err)
{
    for (int c = 0; c < n_cols; c++)
        if (!output_name_ok(cols[c].name))
            return ps_err_set(err, PS_ERR_INTERNAL, "%s: column name '%s' cannot be an HDF5 dataset name",
                              h5_path, cols[c].name);
    output_buf b;
    memset(&b, 0, sizeof b);
    for (int c = 0; c < n_cols; c++) {
        output_bprintf(&b, "%s", c ? "," : "");
        output_csv_text(&b, cols[c].name);
    }
    output_bprintf(&b, "\n");
    for (size_t r = 0; r < n_rows; r++) {
        for (int c = 0; c < n_cols; c++) {
            output_bprintf(&b, "%s", c ? "," : "");
            if (!cols[c].num) output_csv_text(&b, cols[c].text[r]);
            else if (!isnan(cols[c].num[r])) output_bprintf(&b, "%.9g", cols[c].num[r]);
        }
        output_bprintf(&b, "\n");
    }
    ps_status st = output_buf_write(&b, csv_path, 1, err);
    output_buf_free(&b);
    PS_TRY(st);
    output_h5 w;
    if (output_h5_start_fapl(&w, H5P_DEFAULT, h5_path) == 0 && (w.sync = 1))
        output_write_table_file(&w, title, n_rows, n_cols, cols);
    return output_h5_finish(&w, err);
}
