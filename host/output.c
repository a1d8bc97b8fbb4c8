/* output.c — the run folder: HDF5 snapshots with an XDMF index, the summary time
 * series (CSV and HDF5), the resolved scenario and run metadata.
 *
 * Every file is written under NAME.tmp in its final folder and renamed when complete,
 * so a reader (ParaView, a plotting script, a killed run's post-mortem) never meets a
 * half-written file under a final name. The summary and the XDMF index are rewritten
 * whole each time: they are small, and rewriting keeps them valid at every moment.
 * HDF5 is used serially here; the file-access property list is made in one place
 * (output_fapl) so that a parallel (MPI-IO) list can replace it.
 */
#include "output.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "version.h"

typedef struct {
    long step;
    double time_h;
    size_t n_agents[SCN_MAX_TISSUES];
} output_snap_rec;

struct output {
    char dir[PATH_MAX];
    const scenario *s;
    char started[32];
    /* snapshots written so far (for the XDMF index) */
    output_snap_rec *snaps;
    int n_snaps, cap_snaps;
    int n_fields[SCN_MAX_TISSUES];
    const char *field_names[SCN_MAX_TISSUES][SCN_MAX_MEDIATORS];
    int n_vars;
    char var_names[16][SCN_NAME_MAX];
    /* summary */
    int n_cols;
    char **cols;
    double *rows;
    int n_rows, cap_rows;
};

/* ---- small helpers ----------------------------------------------------------------- */

/* The innermost HDF5 error description, for messages. */
static herr_t output_h5_walk(unsigned n, const H5E_error2_t *e, void *data)
{
    char *buf = data;
    if (n == 0 && e && e->desc) snprintf(buf, 256, "%s (in %s)", e->desc, e->func_name);
    return 0;
}

static const char *output_h5_reason(char *buf)
{
    buf[0] = '\0';
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, output_h5_walk, buf);
    if (!buf[0]) snprintf(buf, 256, "HDF5 error");
    if (errno) {
        size_t len = strlen(buf);
        snprintf(buf + len, 256 - len, "; %s", strerror(errno));
    }
    return buf;
}

static ps_status output_path(const output *o, char *buf, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static ps_status output_path(const output *o, char *buf, size_t n, const char *fmt, ...)
{
    int len = snprintf(buf, n, "%s/", o->dir);
    va_list ap;
    va_start(ap, fmt);
    int more = vsnprintf(buf + len, n - (size_t)len, fmt, ap);
    va_end(ap);
    return (len < 0 || more < 0 || (size_t)(len + more) >= n) ? PS_ERR_IO : PS_OK;
}

static ps_status output_mkdir_p(const char *path, ps_err *err)
{
    char buf[PATH_MAX];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return ps_err_set(err, PS_ERR_IO, "%s: path too long", path);
    for (char *p = buf + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (mkdir(buf, 0777) != 0 && errno != EEXIST)
                return ps_err_set(err, PS_ERR_IO, "%s: cannot create folder %s: %s", path, buf,
                                  strerror(errno));
            struct stat st;
            if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode))
                return ps_err_set(err, PS_ERR_IO, "%s: cannot create the output folder: %s is not "
                                  "a folder", path, buf);
            *p = c;
            if (c == '\0') break;
        }
    }
    return PS_OK;
}

ps_status output_write_file_atomic(const char *path, const void *data, size_t len, ps_err *err)
{
    char tmp[PATH_MAX + 8];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0666);
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
    if (fsync(fd) != 0 || close(fd) != 0) {
        int e = errno;
        unlink(tmp);
        return ps_err_set(err, PS_ERR_IO, "%s: cannot write: %s", path, strerror(e));
    }
    if (rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return ps_err_set(err, PS_ERR_IO, "%s: cannot rename the finished file into place: %s",
                          path, strerror(e));
    }
    return PS_OK;
}

/* A growable text buffer for XDMF, CSV and JSON. */
typedef struct {
    char *p;
    size_t len, cap;
    int oom;
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

static ps_status output_buf_write(output_buf *b, const char *path, ps_err *err)
{
    ps_status s = b->oom ? ps_err_set(err, PS_ERR_MEMORY, "%s: out of memory composing the file", path)
                         : output_write_file_atomic(path, b->p ? b->p : "", b->len, err);
    free(b->p);
    memset(b, 0, sizeof *b);
    return s;
}

/* ---- open / close ------------------------------------------------------------------ */

static int output_is_ours(const char *name)
{
    static const char *const exact[] = {"scenario.resolved.json", "run.json", "summary.csv",
                                        "summary.h5", "snapshots.xmf", "snapshots"};
    for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++)
        if (strcmp(name, exact[i]) == 0) return 1;
    size_t n = strlen(name);
    if (n > 4 && strcmp(name + n - 4, ".tmp") == 0) return 1;
    if (strncmp(name, "checkpoint_", 11) == 0) return 1;
    return 0;
}

/* Removes painsim's files from an existing run folder (for --force). */
static ps_status output_clear(const char *dir, ps_err *err)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/snapshots", dir);
    DIR *d = opendir(path);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            size_t n = strlen(e->d_name);
            int snap = strncmp(e->d_name, "snap_", 5) == 0 &&
                       ((n > 3 && strcmp(e->d_name + n - 3, ".h5") == 0) ||
                        (n > 7 && strcmp(e->d_name + n - 7, ".h5.tmp") == 0));
            if (!snap) continue;
            char f[PATH_MAX + 256];
            snprintf(f, sizeof f, "%s/%s", path, e->d_name);
            if (unlink(f) != 0) {
                closedir(d);
                return ps_err_set(err, PS_ERR_IO, "%s: cannot remove the old snapshot: %s", f,
                                  strerror(errno));
            }
        }
        closedir(d);
    }
    d = opendir(dir);
    if (!d) return ps_err_set(err, PS_ERR_IO, "%s: cannot read the folder: %s", dir, strerror(errno));
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, "snapshots") == 0 || !output_is_ours(e->d_name)) continue;
        char f[PATH_MAX + 256];
        snprintf(f, sizeof f, "%s/%s", dir, e->d_name);
        if (unlink(f) != 0) {
            closedir(d);
            return ps_err_set(err, PS_ERR_IO, "%s: cannot remove the old file: %s", f, strerror(errno));
        }
    }
    closedir(d);
    return PS_OK;
}

static int output_dir_has_entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return 0;
    struct dirent *e;
    int any = 0;
    while (!any && (e = readdir(d)) != NULL)
        any = strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return any;
}

ps_status output_open(output **out, const char *dir, int force, const scenario *s, ps_err *err)
{
    *out = NULL;
    if (!dir || !*dir) return ps_err_set(err, PS_ERR_IO, "empty output folder name");
    if (strlen(dir) > PATH_MAX - 64) return ps_err_set(err, PS_ERR_IO, "%s: path too long", dir);
    struct stat st;
    if (stat(dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode))
            return ps_err_set(err, PS_ERR_IO, "%s: exists and is not a folder", dir);
        if (output_dir_has_entries(dir)) {
            if (!force)
                return ps_err_set(err, PS_ERR_IO,
                                  "%s: output folder exists and is not empty; use --force to "
                                  "overwrite it, or choose another --out", dir);
            PS_TRY(output_clear(dir, err));
        }
    }
    PS_TRY(output_mkdir_p(dir, err));
    output *o = calloc(1, sizeof *o);
    if (!o) return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    snprintf(o->dir, sizeof o->dir, "%s", dir);
    o->s = s;
    time_t now = time(NULL);
    struct tm tmv;
    gmtime_r(&now, &tmv);
    strftime(o->started, sizeof o->started, "%Y-%m-%dT%H:%M:%SZ", &tmv);
    char path[PATH_MAX];
    ps_status st2 = PS_OK;
    output_path(o, path, sizeof path, "snapshots");
    st2 = output_mkdir_p(path, err);
    if (st2 == PS_OK) {
        /* a probe proves the folder is writable before any simulation time is spent */
        output_path(o, path, sizeof path, ".write_probe.tmp");
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
        if (fd < 0)
            st2 = ps_err_set(err, PS_ERR_IO, "%s: output folder is not writable: %s", dir,
                             strerror(errno));
        else {
            close(fd);
            unlink(path);
        }
    }
    if (st2 == PS_OK) {
        char *json = scenario_to_json(s);
        if (!json) st2 = ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
        else {
            output_path(o, path, sizeof path, "scenario.resolved.json");
            size_t n = strlen(json);
            st2 = output_write_file_atomic(path, json, n, err);
            free(json);
        }
    }
    if (st2 != PS_OK) {
        output_close(o);
        return st2;
    }
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    *out = o;
    return PS_OK;
}

void output_close(output *o)
{
    if (!o) return;
    for (int i = 0; i < o->n_cols; i++) free(o->cols[i]);
    free(o->cols);
    free(o->rows);
    free(o->snaps);
    free(o);
}

/* ---- HDF5 helpers ------------------------------------------------------------------ */

static hid_t output_fapl(void)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl >= 0) H5Pset_libver_bounds(fapl, H5F_LIBVER_EARLIEST, H5F_LIBVER_LATEST);
    return fapl;
}

static hid_t output_h5_create(const char *tmp)
{
    hid_t fapl = output_fapl();
    if (fapl < 0) return -1;
    hid_t f = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    H5Pclose(fapl);
    return f;
}

static int output_attr_double(hid_t obj, const char *name, const double *v, hsize_t n)
{
    hid_t sp = H5Screate_simple(1, &n, NULL);
    hid_t a = H5Acreate2(obj, name, H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
    int rc = (sp < 0 || a < 0 || H5Awrite(a, H5T_NATIVE_DOUBLE, v) < 0) ? -1 : 0;
    if (a >= 0) H5Aclose(a);
    if (sp >= 0) H5Sclose(sp);
    return rc;
}

static int output_attr_int64(hid_t obj, const char *name, const long long *v, hsize_t n)
{
    hid_t sp = H5Screate_simple(1, &n, NULL);
    hid_t a = H5Acreate2(obj, name, H5T_STD_I64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
    int rc = (sp < 0 || a < 0 || H5Awrite(a, H5T_NATIVE_LLONG, v) < 0) ? -1 : 0;
    if (a >= 0) H5Aclose(a);
    if (sp >= 0) H5Sclose(sp);
    return rc;
}

/* A string (n == 0) or an array of n strings, as variable-length UTF-8. */
static int output_attr_strings(hid_t obj, const char *name, const char *const *v, hsize_t n,
                               int scalar)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    hid_t sp = scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, NULL);
    hid_t a = H5Acreate2(obj, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
    int rc = (t < 0 || sp < 0 || a < 0 || H5Awrite(a, t, v) < 0) ? -1 : 0;
    if (a >= 0) H5Aclose(a);
    if (sp >= 0) H5Sclose(sp);
    if (t >= 0) H5Tclose(t);
    return rc;
}

static int output_dataset(hid_t loc, const char *name, hid_t file_type, hid_t mem_type, int rank,
                          const hsize_t *dims, const void *data, const char *units)
{
    hid_t sp = H5Screate_simple(rank, dims, NULL);
    hid_t d = sp >= 0 ? H5Dcreate2(loc, name, file_type, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT) : -1;
    hsize_t total = 1;
    for (int i = 0; i < rank; i++) total *= dims[i];
    int rc = d < 0 ? -1 : 0;
    if (rc == 0 && total > 0 && H5Dwrite(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) rc = -1;
    if (rc == 0 && units) {
        const char *u[1] = {units};
        rc = output_attr_strings(d, "units", u, 1, 1);
    }
    if (d >= 0) H5Dclose(d);
    if (sp >= 0) H5Sclose(sp);
    return rc;
}

/* Closes the file, renames tmp into place; on failure removes tmp. */
static ps_status output_h5_finish(hid_t f, int ok, const char *tmp, const char *path, ps_err *err)
{
    char why[256];
    if (!ok) output_h5_reason(why);
    if (f >= 0 && H5Fclose(f) < 0 && ok) {
        ok = 0;
        output_h5_reason(why);
    }
    if (!ok) {
        unlink(tmp);
        return ps_err_set(err, PS_ERR_IO, "%s: cannot write: %s", path, why);
    }
    if (rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return ps_err_set(err, PS_ERR_IO, "%s: cannot rename the finished file into place: %s",
                          path, strerror(e));
    }
    return PS_OK;
}

/* ---- snapshots --------------------------------------------------------------------- */

static int output_write_tissue(hid_t f, const output_tissue *t)
{
    int dims[3];
    scenario_tissue_dims(t->tissue, dims);
    char gname[SCN_NAME_MAX + 16];
    snprintf(gname, sizeof gname, "/tissues/%s", t->tissue->name);
    hid_t g = H5Gcreate2(f, gname, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) return -1;
    double dd[3] = {dims[0], dims[1], dims[2]};
    long long di[3] = {dims[0], dims[1], dims[2]};
    int rc = output_attr_double(g, "origin_um", t->tissue->origin_um, 3);
    rc |= output_attr_double(g, "voxel_um", &t->tissue->voxel_um, 1);
    rc |= output_attr_double(g, "size_um", t->tissue->size_um, 3);
    rc |= output_attr_int64(g, "dims", di, 3);
    (void)dd;
    hid_t gf = H5Gcreate2(g, "fields", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hsize_t fd[3] = {(hsize_t)dims[2], (hsize_t)dims[1], (hsize_t)dims[0]};
    for (int i = 0; rc == 0 && gf >= 0 && i < t->n_fields; i++)
        rc |= output_dataset(gf, t->field_names[i], H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 3, fd,
                             t->fields[i], "nM");
    if (gf >= 0) H5Gclose(gf);
    else rc = -1;
    hid_t ga = H5Gcreate2(g, "agents", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hsize_t n = t->n_agents, p[2] = {n, 3};
    if (ga >= 0 && rc == 0) {
        rc |= output_dataset(ga, "position", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 2, p, t->position_um, "um");
        rc |= output_dataset(ga, "id", H5T_STD_U64LE, H5T_NATIVE_UINT64, 1, &n, t->id, NULL);
        rc |= output_dataset(ga, "type", H5T_STD_I32LE, H5T_NATIVE_INT32, 1, &n, t->type, NULL);
        rc |= output_dataset(ga, "state", H5T_STD_I32LE, H5T_NATIVE_INT32, 1, &n, t->state, NULL);
        for (int k = 0; k < t->n_vars; k++)
            rc |= output_dataset(ga, t->var_names[k], H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 1, &n,
                                 t->vars[k], t->var_units[k]);
    }
    if (ga >= 0) H5Gclose(ga);
    else rc = -1;
    H5Gclose(g);
    return rc;
}

static ps_status output_write_xdmf(output *o, ps_err *err);

ps_status output_snapshot(output *o, long step, double time_h, int n_tissues,
                          const output_tissue *tissues, ps_err *err)
{
    char path[PATH_MAX], tmp[PATH_MAX + 8];
    if (output_path(o, path, sizeof path, "snapshots/snap_%06ld.h5", step) != PS_OK)
        return ps_err_set(err, PS_ERR_IO, "%s: path too long", o->dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    const scenario *s = o->s;
    errno = 0;
    hid_t f = output_h5_create(tmp);
    int ok = f >= 0;
    if (ok) {
        double tm = time_h * 60.0;
        long long st = step;
        const char *ver[1] = {painsim_version()}, *name[1] = {s->name};
        const char *types[SCN_MAX_TYPES], *meds[SCN_MAX_MEDIATORS];
        for (int i = 0; i < s->n_types; i++) types[i] = s->types[i].name;
        for (int i = 0; i < s->n_mediators; i++) meds[i] = s->mediators[i].name;
        ok = output_attr_double(f, "time_h", &time_h, 1) == 0 &&
             output_attr_double(f, "time_min", &tm, 1) == 0 &&
             output_attr_int64(f, "step", &st, 1) == 0 &&
             output_attr_strings(f, "painsim_version", ver, 1, 1) == 0 &&
             output_attr_strings(f, "scenario_name", name, 1, 1) == 0 &&
             (s->n_types == 0 || output_attr_strings(f, "cell_type_names", types, (hsize_t)s->n_types, 0) == 0) &&
             output_attr_strings(f, "mediator_names", meds, (hsize_t)s->n_mediators, 0) == 0;
        hid_t g = ok ? H5Gcreate2(f, "/tissues", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT) : -1;
        if (g < 0) ok = 0;
        else H5Gclose(g);
        for (int t = 0; ok && t < n_tissues; t++) ok = output_write_tissue(f, &tissues[t]) == 0;
    }
    PS_TRY(output_h5_finish(f, ok, tmp, path, err));
    /* remember the layout for the index */
    if (o->n_snaps == o->cap_snaps) {
        int nc = o->cap_snaps ? 2 * o->cap_snaps : 64;
        output_snap_rec *ns = realloc(o->snaps, (size_t)nc * sizeof *ns);
        if (!ns) return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
        o->snaps = ns;
        o->cap_snaps = nc;
    }
    output_snap_rec *r = &o->snaps[o->n_snaps++];
    memset(r, 0, sizeof *r);
    r->step = step;
    r->time_h = time_h;
    for (int t = 0; t < n_tissues; t++) {
        r->n_agents[t] = tissues[t].n_agents;
        o->n_fields[t] = tissues[t].n_fields;
        for (int i = 0; i < tissues[t].n_fields; i++) o->field_names[t][i] = tissues[t].field_names[i];
    }
    o->n_vars = n_tissues > 0 ? tissues[0].n_vars : 0;
    if (o->n_vars > 16) o->n_vars = 16;
    for (int k = 0; k < o->n_vars; k++)
        snprintf(o->var_names[k], SCN_NAME_MAX, "%s", tissues[0].var_names[k]);
    return output_write_xdmf(o, err);
}

static void output_xdmf_item(output_buf *b, const char *dims, const char *type, int prec,
                             long step, const char *tissue, const char *path)
{
    output_bprintf(b,
                   "          <DataItem Dimensions=\"%s\" NumberType=\"%s\" Precision=\"%d\" "
                   "Format=\"HDF\">snapshots/snap_%06ld.h5:/tissues/%s/%s</DataItem>\n",
                   dims, type, prec, step, tissue, path);
}

static ps_status output_write_xdmf(output *o, ps_err *err)
{
    const scenario *s = o->s;
    output_buf b = {0};
    output_bprintf(&b, "<?xml version=\"1.0\" ?>\n<!DOCTYPE Xdmf SYSTEM \"Xdmf.dtd\" []>\n"
                       "<Xdmf Version=\"2.0\">\n <Domain>\n"
                       "  <Grid Name=\"%s\" GridType=\"Collection\" CollectionType=\"Temporal\">\n",
                   s->name);
    for (int k = 0; k < o->n_snaps; k++) {
        const output_snap_rec *r = &o->snaps[k];
        output_bprintf(&b, "   <Grid Name=\"step_%06ld\" GridType=\"Collection\" CollectionType=\"Spatial\">\n"
                           "    <Time Value=\"%.9g\" />\n", r->step, r->time_h);
        for (int t = 0; t < s->n_tissues; t++) {
            const scn_tissue *ts = &s->tissues[t];
            int d[3];
            scenario_tissue_dims(ts, d);
            char dims[64];
            snprintf(dims, sizeof dims, "%d %d %d", d[2], d[1], d[0]);
            output_bprintf(&b,
                           "    <Grid Name=\"%s_fields\" GridType=\"Uniform\">\n"
                           "     <Topology TopologyType=\"3DCoRectMesh\" Dimensions=\"%d %d %d\" />\n"
                           "     <Geometry GeometryType=\"ORIGIN_DXDYDZ\">\n"
                           "      <DataItem Dimensions=\"3\" NumberType=\"Float\" Precision=\"8\" Format=\"XML\">%.9g %.9g %.9g</DataItem>\n"
                           "      <DataItem Dimensions=\"3\" NumberType=\"Float\" Precision=\"8\" Format=\"XML\">%.9g %.9g %.9g</DataItem>\n"
                           "     </Geometry>\n",
                           ts->name, d[2] + 1, d[1] + 1, d[0] + 1, ts->origin_um[2],
                           ts->origin_um[1], ts->origin_um[0], ts->voxel_um, ts->voxel_um,
                           ts->voxel_um);
            for (int i = 0; i < o->n_fields[t]; i++) {
                char p[SCN_NAME_MAX + 16];
                snprintf(p, sizeof p, "fields/%s", o->field_names[t][i]);
                output_bprintf(&b, "     <Attribute Name=\"%s\" AttributeType=\"Scalar\" Center=\"Cell\">\n",
                               o->field_names[t][i]);
                output_xdmf_item(&b, dims, "Float", 4, r->step, ts->name, p);
                output_bprintf(&b, "     </Attribute>\n");
            }
            output_bprintf(&b, "    </Grid>\n");
            size_t n = r->n_agents[t];
            if (n == 0) continue;   /* ParaView's reader rejects empty point sets: no block */
            char nd[32], n3[48];
            snprintf(nd, sizeof nd, "%zu", n);
            snprintf(n3, sizeof n3, "%zu 3", n);
            output_bprintf(&b,
                           "    <Grid Name=\"%s_agents\" GridType=\"Uniform\">\n"
                           "     <Topology TopologyType=\"Polyvertex\" NumberOfElements=\"%zu\" NodesPerElement=\"1\" />\n"
                           "     <Geometry GeometryType=\"XYZ\">\n",
                           ts->name, n);
            output_xdmf_item(&b, n3, "Float", 4, r->step, ts->name, "agents/position");
            output_bprintf(&b, "     </Geometry>\n");
            static const struct {
                const char *name, *type;
                int prec;
            } attrs[] = {{"id", "UInt", 8}, {"type", "Int", 4}, {"state", "Int", 4}};
            for (size_t a = 0; a < sizeof attrs / sizeof attrs[0]; a++) {
                char p[64];
                snprintf(p, sizeof p, "agents/%s", attrs[a].name);
                output_bprintf(&b, "     <Attribute Name=\"%s\" AttributeType=\"Scalar\" Center=\"Node\">\n",
                               attrs[a].name);
                output_xdmf_item(&b, nd, attrs[a].type, attrs[a].prec, r->step, ts->name, p);
                output_bprintf(&b, "     </Attribute>\n");
            }
            for (int v = 0; v < o->n_vars; v++) {
                char p[SCN_NAME_MAX + 16];
                snprintf(p, sizeof p, "agents/%s", o->var_names[v]);
                output_bprintf(&b, "     <Attribute Name=\"%s\" AttributeType=\"Scalar\" Center=\"Node\">\n",
                               o->var_names[v]);
                output_xdmf_item(&b, nd, "Float", 4, r->step, ts->name, p);
                output_bprintf(&b, "     </Attribute>\n");
            }
            output_bprintf(&b, "    </Grid>\n");
        }
        output_bprintf(&b, "   </Grid>\n");
    }
    output_bprintf(&b, "  </Grid>\n </Domain>\n</Xdmf>\n");
    char path[PATH_MAX];
    output_path(o, path, sizeof path, "snapshots.xmf");
    return output_buf_write(&b, path, err);
}

/* ---- summary ----------------------------------------------------------------------- */

ps_status output_summary_columns(output *o, int n, const char *const *names, ps_err *err)
{
    o->cols = calloc((size_t)n + 1, sizeof(char *));
    if (!o->cols) return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    o->cols[0] = strdup("time_h");
    for (int i = 0; i < n; i++) o->cols[i + 1] = strdup(names[i]);
    o->n_cols = n + 1;
    for (int i = 0; i < o->n_cols; i++)
        if (!o->cols[i]) return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    return PS_OK;
}

static ps_status output_summary_h5(output *o, ps_err *err)
{
    char path[PATH_MAX], tmp[PATH_MAX + 8];
    output_path(o, path, sizeof path, "summary.h5");
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    errno = 0;
    hid_t f = output_h5_create(tmp);
    int ok = f >= 0;
    size_t nr = (size_t)o->n_rows, nc = (size_t)o->n_cols;
    double *col = malloc((nr ? nr : 1) * sizeof(double));
    if (!col) ok = 0;
    for (size_t c = 0; ok && c < nc; c++) {
        for (size_t r = 0; r < nr; r++) col[r] = o->rows[r * nc + c];
        hsize_t d = nr;
        ok = output_dataset(f, o->cols[c], H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, &d, col,
                            c == 0 ? "h" : NULL) == 0;
    }
    free(col);
    if (ok) {
        hsize_t d[2] = {nr, nc};
        ok = output_dataset(f, "table", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, d, o->rows, NULL) == 0;
        hid_t ds = ok ? H5Dopen2(f, "table", H5P_DEFAULT) : -1;
        if (ds >= 0) {
            ok = output_attr_strings(ds, "columns", (const char *const *)o->cols, nc, 0) == 0;
            H5Dclose(ds);
        }
    }
    return output_h5_finish(f, ok, tmp, path, err);
}

ps_status output_summary_row(output *o, double time_h, const double *values, ps_err *err)
{
    if (o->n_cols == 0) return ps_err_set(err, PS_ERR_INTERNAL, "summary columns not declared");
    if (o->n_rows == o->cap_rows) {
        int nc = o->cap_rows ? 2 * o->cap_rows : 256;
        double *nr = realloc(o->rows, (size_t)nc * (size_t)o->n_cols * sizeof(double));
        if (!nr) return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
        o->rows = nr;
        o->cap_rows = nc;
    }
    double *row = o->rows + (size_t)o->n_rows * (size_t)o->n_cols;
    row[0] = time_h;
    memcpy(row + 1, values, (size_t)(o->n_cols - 1) * sizeof(double));
    o->n_rows++;
    output_buf b = {0};
    for (int c = 0; c < o->n_cols; c++) output_bprintf(&b, "%s%s", c ? "," : "", o->cols[c]);
    output_bprintf(&b, "\n");
    for (int r = 0; r < o->n_rows; r++) {
        const double *v = o->rows + (size_t)r * (size_t)o->n_cols;
        for (int c = 0; c < o->n_cols; c++) output_bprintf(&b, "%s%.9g", c ? "," : "", v[c]);
        output_bprintf(&b, "\n");
    }
    char path[PATH_MAX];
    output_path(o, path, sizeof path, "summary.csv");
    PS_TRY(output_buf_write(&b, path, err));
    return output_summary_h5(o, err);
}

/* ---- run.json ---------------------------------------------------------------------- */

ps_status output_run_info_write(output *o, const output_run_info *info, ps_err *err)
{
    cJSON *j = cJSON_CreateObject();
    char host[256] = "unknown";
    gethostname(host, sizeof host - 1);
    cJSON_AddStringToObject(j, "painsim_version", painsim_version());
    cJSON_AddStringToObject(j, "git_hash", painsim_git_hash());
    cJSON_AddStringToObject(j, "scenario", o->s->name);
    cJSON_AddStringToObject(j, "scenario_file", o->s->source_path);
    cJSON_AddStringToObject(j, "device", info->device ? info->device : "");
    cJSON_AddNumberToObject(j, "seed", (double)info->seed);
    cJSON_AddNumberToObject(j, "steps", (double)info->steps);
    cJSON_AddNumberToObject(j, "simulated_h", info->simulated_h);
    cJSON_AddNumberToObject(j, "wall_s", info->wall_s);
    cJSON_AddNumberToObject(j, "agents_end", (double)info->agents_end);
    cJSON_AddNumberToObject(j, "snapshots", o->n_snaps);
    cJSON_AddNumberToObject(j, "summary_rows", o->n_rows);
    cJSON_AddStringToObject(j, "status", info->status ? info->status : "");
    cJSON_AddStringToObject(j, "host", host);
    cJSON_AddStringToObject(j, "started_utc", o->started);
    char *text = cJSON_Print(j);
    cJSON_Delete(j);
    if (!text) return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    char path[PATH_MAX];
    output_path(o, path, sizeof path, "run.json");
    size_t n = strlen(text);
    text[n] = '\0';
    ps_status s = output_write_file_atomic(path, text, n, err);
    free(text);
    return s;
}
