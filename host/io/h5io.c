/* h5io.c — HDF5 files, attributes and datasets with one error path (see h5io.h).
 *
 * Contiguous and uncompressed: snapshot speed first. The core driver grows its image in
 * 1 MiB steps and keeps no backing store; the finished image is copied out once and
 * written by atomic_write.
 */
#include "h5io.h"

#include "mpi_util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic.h"

/* ---- CHECK_H5 ---------------------------------------------------------------------- */

typedef struct {
    char outer[256], inner[512];
} h5io_descs;

static herr_t h5io_walk(unsigned n, const H5E_error2_t *e, void *data)
{
    h5io_descs *d = data;
    if (!e || !e->desc) return 0;
    if (n == 0) snprintf(d->outer, sizeof d->outer, "%s", e->desc);
    snprintf(d->inner, sizeof d->inner, "%s", e->desc);
    return 0;
}

ps_status h5io_fail(ps_err *err, const char *call, const char *file, int line, const char *func)
{
    char name[64] = "HDF5 call";
    const char *p = strstr(call, "H5");
    if (p) {
        size_t n = strcspn(p, "(");
        if (n >= sizeof name) n = sizeof name - 1;
        memcpy(name, p, n);
        name[n] = '\0';
    }
    h5io_descs d = {"", ""};
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, h5io_walk, &d);
    H5Eclear2(H5E_DEFAULT);
    char *noise = strstr(d.inner, ", flags = ");  /* open(2) flags: noise in a message */
    if (noise) *noise = '\0';
    if (!d.outer[0])
        return ps_err_set(err, PS_ERR_IO, "%s failed [%s:%d %s]", name, file, line, func);
    if (strcmp(d.outer, d.inner) == 0)
        return ps_err_set(err, PS_ERR_IO, "%s failed: %s [%s:%d %s]", name, d.outer, file, line, func);
    return ps_err_set(err, PS_ERR_IO, "%s failed: %s: %s [%s:%d %s]", name, d.outer, d.inner, file,
                      line, func);
}

/* ---- files ------------------------------------------------------------------------- */

static void h5io_begin(h5io_file *f, const char *path, const char *verb)
{
    memset(f, 0, sizeof *f);
    f->path = path;
    f->verb = verb;
    f->id = -1;
    f->comm = MPI_COMM_NULL;
    ps_err_clear(&f->why);
    H5Eget_auto2(H5E_DEFAULT, &f->old_func, &f->old_data);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    H5Eclear2(H5E_DEFAULT);
}

static void h5io_end(h5io_file *f)
{
    if (f->core > 0) H5Pclose(f->core);
    f->core = 0;
    H5Eset_auto2(H5E_DEFAULT, f->old_func, f->old_data);
}

/* The message of a failed file: f->why's with path and verb, or (built failed elsewhere)
 * the failure already in err. */
static ps_status h5io_failed(const h5io_file *f, ps_status built, ps_err *err)
{
    if (f->why.code != PS_OK)
        return ps_err_set(err, PS_ERR_IO, "%s: %s: %s", f->path, f->verb, f->why.msg);
    return built;
}

ps_status h5io_create(h5io_file *f, const char *path, const char *verb, hid_t fapl, MPI_Comm comm)
{
    h5io_begin(f, path, verb);
    f->comm = fapl == H5P_DEFAULT ? MPI_COMM_NULL : comm;
    ps_status st = PS_OK;
    ps_err *err = &f->why;
    if (snprintf(f->tmp, sizeof f->tmp, "%s.tmp", path) >= (int)sizeof f->tmp)
        return ps_err_set(err, PS_ERR_IO, "path too long");
    if (fapl == H5P_DEFAULT) {
        CHECK_H5(f->core = H5Pcreate(H5P_FILE_ACCESS));
        CHECK_H5(H5Pset_fapl_core(f->core, 1 << 20, 0));
        fapl = f->core;
    }
    CHECK_H5(f->id = H5Fcreate(f->tmp, H5F_ACC_TRUNC, H5P_DEFAULT, fapl));
done:
    return st;
}

/* Closes f->id (if open), recording a failure in f->why. */
static void h5io_close_id(h5io_file *f)
{
    ps_status st = PS_OK;
    ps_err *err = &f->why;
    hid_t id = f->id;
    f->id = -1;
    if (id >= 0) CHECK_H5(H5Fclose(id));
done:
    (void)st;
}

ps_status h5io_finish(h5io_file *f, ps_status built, ps_err *err)
{
    void *image = NULL;
    ssize_t size = 0;
    int ok = built == PS_OK && f->why.code == PS_OK;
    if (f->id >= 0 && f->core > 0 && ok) {
        if (H5Fflush(f->id, H5F_SCOPE_GLOBAL) < 0 || (size = H5Fget_file_image(f->id, NULL, 0)) < 0 ||
            !(image = malloc((size_t)size + 1)) || H5Fget_file_image(f->id, image, (size_t)size) != size)
            ps_err_set(&f->why, PS_ERR_IO, "cannot build the file image in memory");
    }
    h5io_close_id(f);
    int in_memory = f->core > 0;
    h5io_end(f);
    ok = built == PS_OK && f->why.code == PS_OK;
    if (in_memory || f->tmp[0] == '\0') {
        ps_status st = ok ? atomic_write(f->path, image, (size_t)size, f->sync, err)
                          : h5io_failed(f, built, err);
        free(image);
        return st;
    }
    if (f->comm != MPI_COMM_NULL) {     /* a parallel file: every rank agrees, rank 0 renames */
        int bad = !ok, any = 0, rank = 0;
        CHECK_MPI(MPI_Allreduce(&bad, &any, 1, MPI_INT, MPI_MAX, f->comm), err);
        CHECK_MPI(MPI_Comm_rank(f->comm, &rank), err);
        if (any) {
            if (rank == 0) unlink(f->tmp);
            if (bad) return h5io_failed(f, built, err);
            return ps_err_set(err, PS_ERR_IO, "%s: %s: another rank failed to write its part",
                              f->path, f->verb);
        }
        if (rank != 0) return PS_OK;
    }
    if (!ok) {
        unlink(f->tmp);
        return h5io_failed(f, built, err);
    }
    if (rename(f->tmp, f->path) != 0) {
        int e = errno;
        unlink(f->tmp);
        return ps_err_set(err, PS_ERR_IO, "%s: cannot move the finished file into place: %s",
                          f->path, strerror(e));
    }
    return PS_OK;
}

ps_status h5io_open(h5io_file *f, const char *path, const char *verb)
{
    h5io_begin(f, path, verb);
    ps_status st = PS_OK;
    ps_err *err = &f->why;
    CHECK_H5(f->id = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT));
done:
    return st;
}

ps_status h5io_close(h5io_file *f, ps_status built, ps_err *err)
{
    h5io_close_id(f);
    h5io_end(f);
    if (built == PS_OK && f->why.code == PS_OK) return PS_OK;
    return h5io_failed(f, built, err);
}

/* ---- attributes -------------------------------------------------------------------- */

ps_status h5io_attr_num(hid_t obj, const char *name, hid_t file_type, hid_t mem_type,
                        const void *v, hsize_t n, ps_err *err)
{
    ps_status st = PS_OK;
    hid_t sp = -1, a = -1;
    CHECK_H5(sp = n ? H5Screate_simple(1, &n, NULL) : H5Screate(H5S_SCALAR));
    CHECK_H5(a = H5Acreate2(obj, name, file_type, sp, H5P_DEFAULT, H5P_DEFAULT));
    CHECK_H5(H5Awrite(a, mem_type, v));
done:
    if (a >= 0) H5Aclose(a);
    if (sp >= 0) H5Sclose(sp);
    return st;
}

ps_status h5io_attr_str(hid_t obj, const char *name, const char *const *v, hsize_t n, int array,
                        ps_err *err)
{
    ps_status st = PS_OK;
    hid_t t = -1, sp = -1, a = -1;
    CHECK_H5(t = H5Tcopy(H5T_C_S1));
    CHECK_H5(H5Tset_size(t, H5T_VARIABLE));
    CHECK_H5(H5Tset_cset(t, H5T_CSET_UTF8));
    CHECK_H5(sp = array ? H5Screate_simple(1, &n, NULL) : H5Screate(H5S_SCALAR));
    CHECK_H5(a = H5Acreate2(obj, name, t, sp, H5P_DEFAULT, H5P_DEFAULT));
    if (!array || n > 0) CHECK_H5(H5Awrite(a, t, v));
done:
    if (a >= 0) H5Aclose(a);
    if (sp >= 0) H5Sclose(sp);
    if (t >= 0) H5Tclose(t);
    return st;
}

ps_status h5io_attr_text(hid_t obj, const char *name, const char *s, ps_err *err)
{
    ps_status st = PS_OK;
    hid_t t = -1;
    CHECK_H5(t = H5Tcopy(H5T_C_S1));
    CHECK_H5(H5Tset_size(t, strlen(s) + 1));
    st = h5io_attr_num(obj, name, t, t, s, 0, err);
done:
    if (t >= 0) H5Tclose(t);
    return st;
}

ps_status h5io_attr_read(hid_t obj, const char *name, hid_t mem_type, void *v, ps_err *err)
{
    ps_status st = PS_OK;
    hid_t a = -1;
    CHECK_H5(a = H5Aopen(obj, name, H5P_DEFAULT));
    CHECK_H5(H5Aread(a, mem_type, v));
done:
    if (a >= 0) H5Aclose(a);
    return st;
}

ps_status h5io_attr_read_text(hid_t obj, const char *name, char *buf, size_t cap, ps_err *err)
{
    ps_status st = PS_OK;
    hid_t t = -1;
    if (cap == 0) return PS_OK;
    CHECK_H5(t = H5Tcopy(H5T_C_S1));
    CHECK_H5(H5Tset_size(t, cap));
    st = h5io_attr_read(obj, name, t, buf, err);
    buf[cap - 1] = '\0';
done:
    if (t >= 0) H5Tclose(t);
    return st;
}

/* ---- groups ------------------------------------------------------------------------ */

ps_status h5io_group_create(hid_t loc, const char *name, hid_t *g, ps_err *err)
{
    ps_status st = PS_OK;
    CHECK_H5(*g = H5Gcreate2(loc, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
done:
    return st;
}

ps_status h5io_group_open(hid_t loc, const char *name, hid_t *g, ps_err *err)
{
    ps_status st = PS_OK;
    CHECK_H5(*g = H5Gopen2(loc, name, H5P_DEFAULT));
done:
    return st;
}

void h5io_group_close(hid_t *g)
{
    if (*g >= 0) H5Gclose(*g);
    *g = -1;
}

/* ---- datasets ---------------------------------------------------------------------- */

/* The "units" attribute of a dataset (nothing when units is NULL). */
static ps_status h5io_units(hid_t d, const char *units, ps_err *err)
{
    if (!units) return PS_OK;
    const char *u[1] = {units};
    return h5io_attr_str(d, "units", u, 1, 0, err);
}

ps_status h5io_dataset(hid_t loc, const char *name, hid_t file_type, hid_t mem_type, int rank,
                       const hsize_t *dims, const void *data, const char *units, ps_err *err)
{
    ps_status st = PS_OK;
    hid_t sp = -1, d = -1;
    hsize_t total = 1;
    for (int i = 0; i < rank; i++) total *= dims[i];
    CHECK_H5(sp = H5Screate_simple(rank, dims, NULL));
    CHECK_H5(d = H5Dcreate2(loc, name, file_type, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    if (total > 0) CHECK_H5(H5Dwrite(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data));
    st = h5io_units(d, units, err);
done:
    if (d >= 0) H5Dclose(d);
    if (sp >= 0) H5Sclose(sp);
    return st;
}

ps_status h5io_dataset_part(hid_t loc, const char *name, hid_t file_type, hid_t mem_type, int rank,
                            const hsize_t *dims, const hsize_t *start, const hsize_t *count,
                            const void *data, const char *units, hid_t dxpl, ps_err *err)
{
    if (!start) return h5io_dataset(loc, name, file_type, mem_type, rank, dims, data, units, err);
    ps_status st = PS_OK;
    hid_t sp = -1, d = -1, ms = -1;
    hsize_t n = 1;
    for (int i = 0; i < rank; i++) n *= count[i];
    CHECK_H5(sp = H5Screate_simple(rank, dims, NULL));
    CHECK_H5(d = H5Dcreate2(loc, name, file_type, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    CHECK_H5(ms = H5Screate_simple(rank, count, NULL));
    if (n > 0) {
        CHECK_H5(H5Sselect_hyperslab(sp, H5S_SELECT_SET, start, NULL, count, NULL));
    } else {
        CHECK_H5(H5Sselect_none(sp));
        CHECK_H5(H5Sselect_none(ms));
    }
    CHECK_H5(H5Dwrite(d, mem_type, ms, sp, dxpl, data));
    st = h5io_units(d, units, err);
done:
    if (ms >= 0) H5Sclose(ms);
    if (d >= 0) H5Dclose(d);
    if (sp >= 0) H5Sclose(sp);
    return st;
}

ps_status h5io_dataset_str(hid_t loc, const char *name, const char *const *text, hsize_t n,
                           ps_err *err)
{
    ps_status st = PS_OK;
    hid_t t = -1, sp = -1, d = -1;
    CHECK_H5(t = H5Tcopy(H5T_C_S1));
    CHECK_H5(H5Tset_size(t, H5T_VARIABLE));
    CHECK_H5(H5Tset_cset(t, H5T_CSET_UTF8));
    CHECK_H5(sp = H5Screate_simple(1, &n, NULL));
    CHECK_H5(d = H5Dcreate2(loc, name, t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    if (n > 0) CHECK_H5(H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, text));
done:
    if (d >= 0) H5Dclose(d);
    if (sp >= 0) H5Sclose(sp);
    if (t >= 0) H5Tclose(t);
    return st;
}

ps_status h5io_dataset_read(hid_t loc, const char *name, hid_t mem_type, void *v, hsize_t n,
                            ps_err *err)
{
    ps_status st = PS_OK;
    hid_t d = -1, sp = -1;
    hssize_t have = 0;
    CHECK_H5(d = H5Dopen2(loc, name, H5P_DEFAULT));
    CHECK_H5(sp = H5Dget_space(d));
    CHECK_H5(have = H5Sget_simple_extent_npoints(sp));
    if (have != (hssize_t)n) {
        st = ps_err_set(err, PS_ERR_IO, "dataset %s has %lld values, expected %llu", name,
                        (long long)have, (unsigned long long)n);
        goto done;
    }
    if (n > 0) CHECK_H5(H5Dread(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v));
done:
    if (sp >= 0) H5Sclose(sp);
    if (d >= 0) H5Dclose(d);
    return st;
}

ps_status h5io_dataset_len(hid_t loc, const char *name, hsize_t *n, ps_err *err)
{
    ps_status st = PS_OK;
    hid_t d = -1, sp = -1;
    hssize_t have = 0;
    *n = 0;
    CHECK_H5(d = H5Dopen2(loc, name, H5P_DEFAULT));
    CHECK_H5(sp = H5Dget_space(d));
    CHECK_H5(have = H5Sget_simple_extent_npoints(sp));
    *n = (hsize_t)have;
done:
    if (sp >= 0) H5Sclose(sp);
    if (d >= 0) H5Dclose(d);
    return st;
}

int h5io_name_ok(const char *name)
{
    return name && *name && strcmp(name, ".") != 0 && !strchr(name, '/');
}
