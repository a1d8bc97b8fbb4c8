/* checkpoint.c — see checkpoint.h.
 *
 * Layout of a checkpoint (HDF5):
 *   root attributes: format (1), painsim_version, scenario_hash, step, time_h, every_h
 *   /tissue_K   attributes capacity, counters[CTR_COUNT]; datasets pos [n][3], dir [n][3],
 *               id, type (u8), state (u8), vars [NVARS][n], conc [nf][nvox] (slot order)
 *   /neurons    injury, lesion, repair
 *   /output     rows [n_rows][n_cols], xmf (the snapshot index text, bytes); attribute
 *               n_snaps
 */
#include "checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decomp.h"
#include "version.h"

#define CHECKPOINT_FORMAT 1

typedef struct {
    char why[512];
} ck_h5;

#define CK(w, expr)                                                                  \
    do {                                                                             \
        if ((expr) < 0) {                                                            \
            if (!(w)->why[0]) snprintf((w)->why, sizeof (w)->why, "%s failed (%s:%d)", \
                                       #expr, __FILE__, __LINE__);                   \
            goto done;                                                               \
        }                                                                            \
    } while (0)

uint64_t checkpoint_scenario_hash(const scenario *s, ps_err *err)
{
    char *json = scenario_to_json(s);
    if (!json) {
        ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
        return 0;
    }
    uint64_t h = 1469598103934665603ull;
    for (const unsigned char *p = (const unsigned char *)json; *p; p++) {
        h ^= *p;
        h *= 1099511628211ull;
    }
    free(json);
    return h;
}

/* ---- writing ----------------------------------------------------------------------- */

static int ck_attr(ck_h5 *w, hid_t obj, const char *name, hid_t type, const void *v, hsize_t n)
{
    int rc = -1;
    hid_t sp = -1, a = -1;
    CK(w, sp = n ? H5Screate_simple(1, &n, NULL) : H5Screate(H5S_SCALAR));
    CK(w, a = H5Acreate2(obj, name, type, sp, H5P_DEFAULT, H5P_DEFAULT));
    CK(w, H5Awrite(a, type, v));
    rc = 0;
done:
    if (a >= 0) H5Aclose(a);
    if (sp >= 0) H5Sclose(sp);
    return rc;
}

static int ck_data(ck_h5 *w, hid_t loc, const char *name, hid_t type, const void *v, hsize_t n)
{
    int rc = -1;
    hid_t sp = -1, d = -1;
    CK(w, sp = H5Screate_simple(1, &n, NULL));
    CK(w, d = H5Dcreate2(loc, name, type, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    if (n > 0) CK(w, H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v));
    rc = 0;
done:
    if (d >= 0) H5Dclose(d);
    if (sp >= 0) H5Sclose(sp);
    return rc;
}

/* Step of a complete checkpoint at path, or -1 when it is missing, unreadable or not
 * this scenario's. */
static long ck_step_of(const char *path, uint64_t hash, double *every_h)
{
    struct stat sb;
    if (stat(path, &sb) != 0) return -1;
    H5E_auto2_t f0;
    void *d0;
    H5Eget_auto2(H5E_DEFAULT, &f0, &d0);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    long step = -1;
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f >= 0) {
        int fmt = 0;
        uint64_t h = 0;
        long long st = -1;
        double ev = 0;
        char ver[64] = "";
        hid_t a;
        if ((a = H5Aopen(f, "format", H5P_DEFAULT)) >= 0) {
            H5Aread(a, H5T_NATIVE_INT, &fmt);
            H5Aclose(a);
        }
        if ((a = H5Aopen(f, "scenario_hash", H5P_DEFAULT)) >= 0) {
            H5Aread(a, H5T_NATIVE_UINT64, &h);
            H5Aclose(a);
        }
        if ((a = H5Aopen(f, "step", H5P_DEFAULT)) >= 0) {
            H5Aread(a, H5T_NATIVE_LLONG, &st);
            H5Aclose(a);
        }
        if ((a = H5Aopen(f, "every_h", H5P_DEFAULT)) >= 0) {
            H5Aread(a, H5T_NATIVE_DOUBLE, &ev);
            H5Aclose(a);
        }
        if ((a = H5Aopen(f, "painsim_version", H5P_DEFAULT)) >= 0) {
            hid_t t = H5Tcopy(H5T_C_S1);
            H5Tset_size(t, sizeof ver);
            H5Aread(a, t, ver);
            H5Tclose(t);
            H5Aclose(a);
        }
        if (fmt == CHECKPOINT_FORMAT && h == hash && strcmp(ver, painsim_version()) == 0) {
            step = (long)st;
            if (every_h) *every_h = ev;
        }
        H5Fclose(f);
    }
    H5Eset_auto2(H5E_DEFAULT, f0, d0);
    return step;
}

/* The two files of this process: checkpoint_{a,b}.h5, or under domain decomposition
 * checkpoint_{a,b}.rank<R>.h5 (each rank its slab; `size` ranks resume together). */
static void ck_paths(const char *dir, int rank, int size, char a[PATH_MAX], char b[PATH_MAX])
{
    if (size > 1 || rank < 0) {
        int r = rank < 0 ? 0 : rank;
        snprintf(a, PATH_MAX, "%s/checkpoint_a.rank%d.h5", dir, r);
        snprintf(b, PATH_MAX, "%s/checkpoint_b.rank%d.h5", dir, r);
    } else {
        snprintf(a, PATH_MAX, "%s/checkpoint_a.h5", dir);
        snprintf(b, PATH_MAX, "%s/checkpoint_b.h5", dir);
    }
}

/* Steps of files a and b that every rank of comm has (-1: missing somewhere). */
static void ck_agree(MPI_Comm comm, long *sa, long *sb)
{
    long in[2] = {*sa, *sb}, out[2];
    MPI_Allreduce(in, out, 2, MPI_LONG, MPI_MIN, comm);
    long in2[2] = {*sa, *sb}, out2[2];
    MPI_Allreduce(in2, out2, 2, MPI_LONG, MPI_MAX, comm);
    *sa = out[0] == out2[0] ? out[0] : -1;      /* every rank at the same step */
    *sb = out[1] == out2[1] ? out[1] : -1;
}

static void ck_rank(sim *sm, int *rank, int *size, MPI_Comm *comm)
{
    *comm = sim_comm(sm);
    *rank = 0;
    *size = 1;
    if (sim_decomp(sm)) {
        MPI_Comm_rank(*comm, rank);
        MPI_Comm_size(*comm, size);
        if (*size == 1) *rank = -1;             /* one decomposed rank: still per-rank names */
    }
}

/* The datasets of a tissue group, shared by writing and reading. */
typedef struct {
    const char *name;
    hid_t type;
    void *data;
    hsize_t n;
} ck_item;

#define CK_TISSUE_ITEMS 7

static void ck_tissue_items(agents_host *h, float *conc, size_t nc, ck_item it[CK_TISSUE_ITEMS])
{
    hsize_t n = h->n;
    it[0] = (ck_item){"pos", H5T_NATIVE_FLOAT, h->pos, 3 * n};
    it[1] = (ck_item){"dir", H5T_NATIVE_FLOAT, h->dir, 3 * n};
    it[2] = (ck_item){"id", H5T_NATIVE_UINT64, h->id, n};
    it[3] = (ck_item){"type", H5T_NATIVE_UINT8, h->type, n};
    it[4] = (ck_item){"state", H5T_NATIVE_UINT8, h->state, n};
    it[5] = (ck_item){"vars", H5T_NATIVE_FLOAT, h->vars, (hsize_t)AGENTS_NVARS * n};
    it[6] = (ck_item){"conc", H5T_NATIVE_FLOAT, conc, nc};
}

static int ck_write_tissue(ck_h5 *w, hid_t file, sim *sm, int t, ps_err *err)
{
    int rc = -1;
    hid_t g = -1;
    agents_host h;
    memset(&h, 0, sizeof h);
    float *conc = NULL;
    char name[32];
    snprintf(name, sizeof name, "tissue_%d", t);
    agents *a = sim_agents(sm, t);
    field_set *fs = sim_fields(sm, t);
    const field_params *fp = field_get_params(fs);
    uint64_t ctr[CTR_COUNT];
    if (agents_counters(a, ctr, err) != PS_OK || agents_download(a, &h, err) != PS_OK) goto done;
    size_t nc = (size_t)fp->nf * fp->nvox;
    conc = malloc((nc ? nc : 1) * sizeof(float));
    if (!conc || field_download(fs, conc, err) != PS_OK) {
        if (!conc) ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
        goto done;
    }
    uint64_t cap = agents_capacity(a);
    uint64_t next_id = sim_decomp(sm) ? decomp_next_id(sim_decomp(sm), t) : 0;
    CK(w, g = H5Gcreate2(file, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    if (ck_attr(w, g, "capacity", H5T_NATIVE_UINT64, &cap, 0) ||
        ck_attr(w, g, "decomp_next_id", H5T_NATIVE_UINT64, &next_id, 0) ||
        ck_attr(w, g, "counters", H5T_NATIVE_UINT64, ctr, CTR_COUNT))
        goto done;
    ck_item it[CK_TISSUE_ITEMS];
    ck_tissue_items(&h, conc, nc, it);
    for (int k = 0; k < CK_TISSUE_ITEMS; k++)
        if (ck_data(w, g, it[k].name, it[k].type, it[k].data, it[k].n)) goto done;
    rc = 0;
done:
    if (g >= 0) H5Gclose(g);
    agents_host_free(&h);
    free(conc);
    return rc;
}

ps_status checkpoint_write(sim *sm, output *o, double every_h, char *path, size_t path_cap,
                           ps_err *err)
{
    const scenario *s = sim_scenario(sm);
    uint64_t hash = checkpoint_scenario_hash(s, err);
    if (err->code != PS_OK) return err->code;
    char pa[PATH_MAX], pb[PATH_MAX], tmp[PATH_MAX + 8];
    int rank, nranks;
    MPI_Comm comm;
    ck_rank(sm, &rank, &nranks, &comm);
    ck_paths(output_dir(o), rank, nranks, pa, pb);
    long sa = ck_step_of(pa, hash, NULL), sb = ck_step_of(pb, hash, NULL);
    if (sim_decomp(sm)) ck_agree(comm, &sa, &sb);
    const char *target = sa <= sb ? pa : pb;       /* the older (or missing) one */
    snprintf(path, path_cap, "%s", target);
    snprintf(tmp, sizeof tmp, "%s.tmp", target);    /* a name only: the file is built in memory */

    ck_h5 w = {""};
    H5E_auto2_t f0;
    void *d0;
    H5Eget_auto2(H5E_DEFAULT, &f0, &d0);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = -1, g = -1, core = -1;
    float *inj = NULL, *rep = NULL;
    uint32_t *les = NULL;
    void *image = NULL;
    ssize_t size = 0;
    ps_status st = PS_OK;
    /* built in memory and written with one atomic, fsynced write: a full disk fails a
       write(2) we report, never an HDF5 flush */
    CK(&w, core = H5Pcreate(H5P_FILE_ACCESS));
    CK(&w, H5Pset_fapl_core(core, 1 << 20, 0));
    CK(&w, f = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, core));
    {
        int fmt = CHECKPOINT_FORMAT;
        long long step = sim_step_index(sm);
        double time_h = sim_time_h(sm);
        int nt = s->n_tissues;
        hid_t vt = H5Tcopy(H5T_C_S1);
        H5Tset_size(vt, strlen(painsim_version()) + 1);
        int bad = ck_attr(&w, f, "format", H5T_NATIVE_INT, &fmt, 0) ||
                  ck_attr(&w, f, "scenario_hash", H5T_NATIVE_UINT64, &hash, 0) ||
                  ck_attr(&w, f, "step", H5T_NATIVE_LLONG, &step, 0) ||
                  ck_attr(&w, f, "time_h", H5T_NATIVE_DOUBLE, &time_h, 0) ||
                  ck_attr(&w, f, "every_h", H5T_NATIVE_DOUBLE, &every_h, 0) ||
                  ck_attr(&w, f, "n_tissues", H5T_NATIVE_INT, &nt, 0) ||
                  ck_attr(&w, f, "painsim_version", vt, painsim_version(), 0);
        H5Tclose(vt);
        if (bad) goto done;
    }
    for (int t = 0; t < s->n_tissues; t++)
        if (ck_write_tissue(&w, f, sm, t, err)) goto done;
    {
        neurons *nr = sim_neurons(sm);
        size_t m = neurons_count(nr) ? neurons_count(nr) : 1;
        inj = malloc(m * sizeof *inj);
        rep = malloc(m * sizeof *rep);
        les = malloc(m * sizeof *les);
        if (!inj || !rep || !les) {
            ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
            goto done;
        }
        if (neurons_state(nr, 0, inj, les, rep, err) != PS_OK) goto done;
        CK(&w, g = H5Gcreate2(f, "neurons", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
        if (ck_data(&w, g, "injury", H5T_NATIVE_FLOAT, inj, m) ||
            ck_data(&w, g, "lesion", H5T_NATIVE_UINT32, les, m) ||
            ck_data(&w, g, "repair", H5T_NATIVE_FLOAT, rep, m))
            goto done;
        H5Gclose(g);
        g = -1;
    }
    {
        size_t n_rows;
        int n_cols, n_snaps;
        const double *rows;
        const char *xmf;
        output_state(o, &n_rows, &n_cols, &rows, &xmf, &n_snaps);
        CK(&w, g = H5Gcreate2(f, "output", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
        uint64_t nr = n_rows;
        if (ck_attr(&w, g, "n_rows", H5T_NATIVE_UINT64, &nr, 0) ||
            ck_attr(&w, g, "n_cols", H5T_NATIVE_INT, &n_cols, 0) ||
            ck_attr(&w, g, "n_snaps", H5T_NATIVE_INT, &n_snaps, 0) ||
            ck_data(&w, g, "rows", H5T_NATIVE_DOUBLE, rows, (hsize_t)n_rows * (hsize_t)n_cols) ||
            ck_data(&w, g, "xmf", H5T_NATIVE_CHAR, xmf, strlen(xmf)))
            goto done;
    }
done:
    if (g >= 0) H5Gclose(g);
    if (f >= 0 && !w.why[0] && err->code == PS_OK) {
        if (H5Fflush(f, H5F_SCOPE_GLOBAL) < 0 || (size = H5Fget_file_image(f, NULL, 0)) < 0 ||
            !(image = malloc((size_t)size + 1)) || H5Fget_file_image(f, image, (size_t)size) != size)
            snprintf(w.why, sizeof w.why, "cannot build the file image in memory");
    }
    if (f >= 0) H5Fclose(f);
    if (core >= 0) H5Pclose(core);
    H5Eset_auto2(H5E_DEFAULT, f0, d0);
    free(inj);
    free(rep);
    free(les);
    if (err->code != PS_OK) st = err->code;
    else if (w.why[0]) st = ps_err_set(err, PS_ERR_IO, "%s: cannot write the checkpoint: %s", target, w.why);
    /* path.tmp, fsync, rename: durable before it replaces the older checkpoint */
    if (st == PS_OK) {
        st = output_write_file_atomic(target, image, (size_t)size, err);
        if (st != PS_OK) ps_err_append(err, " (writing the checkpoint)");
    }
    free(image);
    return st;
}

/* ---- finding and reading ----------------------------------------------------------- */

ps_status checkpoint_find(const char *dir, const scenario *s, char *path, size_t path_cap,
                          long *step, double *every_h, ps_err *err)
{
    return checkpoint_find_mpi(dir, s, MPI_COMM_NULL, path, path_cap, step, every_h, err);
}

ps_status checkpoint_find_mpi(const char *dir, const scenario *s, MPI_Comm comm, char *path,
                              size_t path_cap, long *step, double *every_h, ps_err *err)
{
    uint64_t hash = checkpoint_scenario_hash(s, err);
    if (err->code != PS_OK) return err->code;
    char pa[PATH_MAX], pb[PATH_MAX];
    int rank = 0, size = 1;
    if (comm != MPI_COMM_NULL) {
        MPI_Comm_rank(comm, &rank);
        MPI_Comm_size(comm, &size);
        if (size == 1) rank = -1;
    }
    ck_paths(dir, rank, size, pa, pb);
    double ea = 0, eb = 0;
    long sa = ck_step_of(pa, hash, &ea), sb = ck_step_of(pb, hash, &eb);
    if (comm != MPI_COMM_NULL) ck_agree(comm, &sa, &sb);
    if (sa < 0 && sb < 0) {
        struct stat x;
        int any = stat(pa, &x) == 0 || stat(pb, &x) == 0;
        return ps_err_set(err, PS_ERR_IO, "%s: %s", dir,
                          any ? "its checkpoints belong to another scenario or painsim version, or "
                                "are damaged; start the run again"
                              : "no checkpoint (checkpoint_a.h5 / checkpoint_b.h5) to resume from; "
                                "runs write them with --checkpoint-every HOURS or when stopped by "
                                "SIGINT/SIGTERM");
    }
    int use_a = sa > sb;
    snprintf(path, path_cap, "%s", use_a ? pa : pb);
    *step = use_a ? sa : sb;
    *every_h = use_a ? ea : eb;
    return PS_OK;
}

static int ck_read(ck_h5 *w, hid_t loc, const char *name, hid_t type, void *v, hsize_t n)
{
    int rc = -1;
    hid_t d = -1, sp = -1;
    CK(w, d = H5Dopen2(loc, name, H5P_DEFAULT));
    CK(w, sp = H5Dget_space(d));
    hssize_t have = H5Sget_simple_extent_npoints(sp);
    if (have != (hssize_t)n) {
        snprintf(w->why, sizeof w->why, "dataset %s has %lld values, expected %llu", name,
                 (long long)have, (unsigned long long)n);
        goto done;
    }
    if (n > 0) CK(w, H5Dread(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v));
    rc = 0;
done:
    if (sp >= 0) H5Sclose(sp);
    if (d >= 0) H5Dclose(d);
    return rc;
}

static hssize_t ck_len(hid_t loc, const char *name)
{
    hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
    if (d < 0) return -1;
    hid_t sp = H5Dget_space(d);
    hssize_t n = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
    if (sp >= 0) H5Sclose(sp);
    H5Dclose(d);
    return n;
}

static int ck_read_attr(ck_h5 *w, hid_t obj, const char *name, hid_t type, void *v)
{
    int rc = -1;
    hid_t a = -1;
    CK(w, a = H5Aopen(obj, name, H5P_DEFAULT));
    CK(w, H5Aread(a, type, v));
    rc = 0;
done:
    if (a >= 0) H5Aclose(a);
    return rc;
}

static int ck_read_tissue(ck_h5 *w, hid_t file, sim *sm, int t, ps_err *err)
{
    int rc = -1;
    hid_t g = -1;
    agents_host h;
    memset(&h, 0, sizeof h);
    float *conc = NULL;
    char name[32];
    snprintf(name, sizeof name, "tissue_%d", t);
    field_set *fs = sim_fields(sm, t);
    const field_params *fp = field_get_params(fs);
    uint64_t cap = 0, ctr[CTR_COUNT], next_id = 0;
    CK(w, g = H5Gopen2(file, name, H5P_DEFAULT));
    if (ck_read_attr(w, g, "capacity", H5T_NATIVE_UINT64, &cap) ||
        ck_read_attr(w, g, "counters", H5T_NATIVE_UINT64, ctr) ||
        ck_read_attr(w, g, "decomp_next_id", H5T_NATIVE_UINT64, &next_id))
        goto done;
    if (sim_decomp(sm)) decomp_set_next_id(sim_decomp(sm), t, next_id);
    hssize_t n = ck_len(g, "id");
    if (n < 0) {
        snprintf(w->why, sizeof w->why, "%s has no agent ids", name);
        goto done;
    }
    if (agents_host_alloc(&h, (size_t)n, err) != PS_OK) goto done;
    size_t nc = (size_t)fp->nf * fp->nvox;
    conc = malloc((nc ? nc : 1) * sizeof(float));
    if (!conc) {
        ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
        goto done;
    }
    ck_item it[CK_TISSUE_ITEMS];
    ck_tissue_items(&h, conc, nc, it);
    for (int k = 0; k < CK_TISSUE_ITEMS; k++)
        if (ck_read(w, g, it[k].name, it[k].type, it[k].data, it[k].n)) goto done;
    if (agents_restore(sim_agents(sm, t), &h, (size_t)cap, ctr, err) != PS_OK ||
        field_upload(fs, conc, err) != PS_OK)
        goto done;
    rc = 0;
done:
    if (g >= 0) H5Gclose(g);
    agents_host_free(&h);
    free(conc);
    return rc;
}

ps_status checkpoint_read(sim *sm, output *o, const char *path, ps_err *err)
{
    const scenario *s = sim_scenario(sm);
    ck_h5 w = {""};
    H5E_auto2_t f0;
    void *d0;
    H5Eget_auto2(H5E_DEFAULT, &f0, &d0);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = -1, g = -1;
    float *inj = NULL, *rep = NULL;
    uint32_t *les = NULL;
    double *rows = NULL;
    char *xmf = NULL;
    long long step = 0;
    int nt = 0;
    CK(&w, f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT));
    if (ck_read_attr(&w, f, "step", H5T_NATIVE_LLONG, &step) ||
        ck_read_attr(&w, f, "n_tissues", H5T_NATIVE_INT, &nt))
        goto done;
    if (nt != s->n_tissues) {
        snprintf(w.why, sizeof w.why, "%d tissues, the scenario has %d", nt, s->n_tissues);
        goto done;
    }
    for (int t = 0; t < nt; t++)
        if (ck_read_tissue(&w, f, sm, t, err)) goto done;
    {
        neurons *nr = sim_neurons(sm);
        size_t m = neurons_count(nr) ? neurons_count(nr) : 1;
        inj = malloc(m * sizeof *inj);
        rep = malloc(m * sizeof *rep);
        les = malloc(m * sizeof *les);
        if (!inj || !rep || !les) {
            ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
            goto done;
        }
        CK(&w, g = H5Gopen2(f, "neurons", H5P_DEFAULT));
        if (ck_read(&w, g, "injury", H5T_NATIVE_FLOAT, inj, m) ||
            ck_read(&w, g, "lesion", H5T_NATIVE_UINT32, les, m) ||
            ck_read(&w, g, "repair", H5T_NATIVE_FLOAT, rep, m))
            goto done;
        H5Gclose(g);
        g = -1;
        if (neurons_state(nr, 1, inj, les, rep, err) != PS_OK) goto done;
    }
    {
        uint64_t n_rows = 0;
        int n_cols = 0, n_snaps = 0;
        CK(&w, g = H5Gopen2(f, "output", H5P_DEFAULT));
        if (ck_read_attr(&w, g, "n_rows", H5T_NATIVE_UINT64, &n_rows) ||
            ck_read_attr(&w, g, "n_cols", H5T_NATIVE_INT, &n_cols) ||
            ck_read_attr(&w, g, "n_snaps", H5T_NATIVE_INT, &n_snaps))
            goto done;
        size_t have_rows;
        int have_cols, have_snaps;
        const double *r0;
        const char *x0;
        output_state(o, &have_rows, &have_cols, &r0, &x0, &have_snaps);
        if (n_cols != have_cols) {
            snprintf(w.why, sizeof w.why, "%d summary columns, the scenario has %d", n_cols, have_cols);
            goto done;
        }
        hssize_t xl = ck_len(g, "xmf");
        rows = malloc(((size_t)n_rows * (size_t)n_cols + 1) * sizeof *rows);
        xmf = calloc((size_t)(xl > 0 ? xl : 0) + 1, 1);
        if (!rows || !xmf || xl < 0) {
            if (xl < 0) snprintf(w.why, sizeof w.why, "no snapshot index");
            else ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
            goto done;
        }
        if (ck_read(&w, g, "rows", H5T_NATIVE_DOUBLE, rows, (hsize_t)n_rows * (hsize_t)n_cols) ||
            ck_read(&w, g, "xmf", H5T_NATIVE_CHAR, xmf, (hsize_t)xl))
            goto done;
        if (output_restore(o, (size_t)n_rows, rows, xmf, n_snaps, err) != PS_OK) goto done;
    }
    sim_set_step(sm, (long)step);
done:
    if (g >= 0) H5Gclose(g);
    if (f >= 0) H5Fclose(f);
    H5Eset_auto2(H5E_DEFAULT, f0, d0);
    free(inj);
    free(rep);
    free(les);
    free(rows);
    free(xmf);
    if (err->code != PS_OK) return err->code;
    if (w.why[0]) return ps_err_set(err, PS_ERR_IO, "%s: cannot read the checkpoint: %s", path, w.why);
    return PS_OK;
}
