/* checkpoint.c — see checkpoint.h.
 *
 * Layout of a checkpoint (HDF5, through h5io.h: built in memory, written with one
 * fsynced atomic write):
 *   root attributes: format (3), painsim_version, scenario_hash, step, time_h, every_h,
 *                    n_tissues
 *   /tissue_K   attributes capacity, decomp_next_id, counters[CTR_COUNT]; datasets
 *               pos [n][3], dir [n][3], id, type (u8), state (u8), vars [NVARS][n],
 *               conc [nf][nvox] (slot order)
 *   /neurons    injury, lesion, signals [NS_COUNT][n], state [NX_COUNT][n]
 *   /output     rows [n_rows][n_cols], xmf (the snapshot index text, bytes); attributes
 *               n_rows, n_cols, n_snaps
 * Native types in the file: a checkpoint is read back by the build that wrote it.
 */
#include "checkpoint.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../../kernels/params.h"
#include "h5io.h"
#include "mpi_util.h"
#include "version.h"

#define CHECKPOINT_FORMAT 3     /* 2: neuron signals and state (pain readout of issue 14); 3: neuron pSTAT3 */

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

/* ---- the two files ----------------------------------------------------------------- */

/* Step of a complete checkpoint at path, or -1 when it is missing, unreadable or not
 * this scenario's (a missing attribute keeps its default and so fails the match). */
static long checkpoint_step_of(const char *path, uint64_t hash, double *every_h)
{
    struct stat sb;
    if (stat(path, &sb) != 0) return -1;
    long step = -1;
    h5io_file f;
    ps_err ignore;
    ps_err_clear(&ignore);
    if (h5io_open(&f, path, "cannot read the checkpoint") == PS_OK) {
        int fmt = 0;
        uint64_t h = 0;
        long long st = -1;
        double ev = 0;
        char ver[64] = "";
        h5io_attr_read(f.id, "format", H5T_NATIVE_INT, &fmt, &ignore);
        h5io_attr_read(f.id, "scenario_hash", H5T_NATIVE_UINT64, &h, &ignore);
        h5io_attr_read(f.id, "step", H5T_NATIVE_LLONG, &st, &ignore);
        h5io_attr_read(f.id, "every_h", H5T_NATIVE_DOUBLE, &ev, &ignore);
        h5io_attr_read_text(f.id, "painsim_version", ver, sizeof ver, &ignore);
        if (fmt == CHECKPOINT_FORMAT && h == hash && strcmp(ver, painsim_version()) == 0) {
            step = (long)st;
            if (every_h) *every_h = ev;
        }
    }
    h5io_close(&f, PS_OK, &ignore);
    return step;
}

/* The two files of this process: checkpoint_{a,b}.h5, or under domain decomposition
 * (rank >= 0 with size > 1, or rank -1: one decomposed rank) checkpoint_{a,b}.rank<R>.h5
 * (each rank its slab; `size` ranks resume together). */
static void checkpoint_paths(const char *dir, int rank, int size, char a[PATH_MAX], char b[PATH_MAX])
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

/* This process's rank and size for the file names (see checkpoint_paths). */
static ps_status checkpoint_rank(MPI_Comm comm, int *rank, int *size, ps_err *err)
{
    *rank = 0;
    *size = 1;
    if (comm == MPI_COMM_NULL) return PS_OK;
    CHECK_MPI(MPI_Comm_rank(comm, rank), err);
    CHECK_MPI(MPI_Comm_size(comm, size), err);
    if (*size == 1) *rank = -1;                 /* one decomposed rank: still per-rank names */
    return PS_OK;
}

/* Steps of files a and b that every rank of comm has (-1: missing somewhere). */
static ps_status checkpoint_agree(MPI_Comm comm, long *sa, long *sb, ps_err *err)
{
    long in[2] = {*sa, *sb}, out[2];
    CHECK_MPI(MPI_Allreduce(in, out, 2, MPI_LONG, MPI_MIN, comm), err);
    long in2[2] = {*sa, *sb}, out2[2];
    CHECK_MPI(MPI_Allreduce(in2, out2, 2, MPI_LONG, MPI_MAX, comm), err);
    *sa = out[0] == out2[0] ? out[0] : -1;      /* every rank at the same step */
    *sb = out[1] == out2[1] ? out[1] : -1;
    return PS_OK;
}

/* ---- one tissue -------------------------------------------------------------------- */

/* The datasets of a tissue group, shared by writing and reading. */
typedef struct {
    const char *name;
    hid_t type;
    void *data;
    hsize_t n;
} checkpoint_item;

#define CHECKPOINT_TISSUE_ITEMS 7

static void checkpoint_tissue_items(agents_host *h, float *conc, size_t nc,
                                    checkpoint_item it[CHECKPOINT_TISSUE_ITEMS])
{
    hsize_t n = h->n;
    it[0] = (checkpoint_item){"pos", H5T_NATIVE_FLOAT, h->pos, 3 * n};
    it[1] = (checkpoint_item){"dir", H5T_NATIVE_FLOAT, h->dir, 3 * n};
    it[2] = (checkpoint_item){"id", H5T_NATIVE_UINT64, h->id, n};
    it[3] = (checkpoint_item){"type", H5T_NATIVE_UINT8, h->type, n};
    it[4] = (checkpoint_item){"state", H5T_NATIVE_UINT8, h->state, n};
    it[5] = (checkpoint_item){"vars", H5T_NATIVE_FLOAT, h->vars, (hsize_t)AGENTS_NVARS * n};
    it[6] = (checkpoint_item){"conc", H5T_NATIVE_FLOAT, conc, nc};
}

/* A 1-D dataset of n values in the native type (file and memory alike). */
static ps_status checkpoint_data(hid_t loc, const char *name, hid_t type, const void *v, hsize_t n,
                                 ps_err *err)
{
    return h5io_dataset(loc, name, type, type, 1, &n, v, NULL, err);
}

/* An attribute in the native type: a scalar when n == 0. */
static ps_status checkpoint_attr(hid_t obj, const char *name, hid_t type, const void *v, hsize_t n,
                                 ps_err *err)
{
    return h5io_attr_num(obj, name, type, type, v, n, err);
}

/* /tissue_<t>: HDF5 failures into f->why, the device's into err. */
static ps_status checkpoint_write_tissue(h5io_file *f, const checkpoint_tissue *ct, int t, ps_err *err)
{
    ps_status st = PS_OK;
    hid_t g = -1;
    agents_host h;
    memset(&h, 0, sizeof h);
    float *conc = NULL;
    char name[32];
    snprintf(name, sizeof name, "tissue_%d", t);
    const field_params *fp = field_get_params(ct->fields);
    uint64_t ctr[CTR_COUNT];
    if ((st = agents_counters(ct->agents, ctr, err)) || (st = agents_download(ct->agents, &h, err)))
        goto done;
    size_t nc = (size_t)fp->nf * fp->nvox;
    conc = malloc((nc ? nc : 1) * sizeof(float));
    if (!conc) {
        st = ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
        goto done;
    }
    if ((st = field_download(ct->fields, conc, err))) goto done;
    uint64_t cap = agents_capacity(ct->agents);
    if ((st = h5io_group_create(f->id, name, &g, &f->why)) ||
        (st = checkpoint_attr(g, "capacity", H5T_NATIVE_UINT64, &cap, 0, &f->why)) ||
        (st = checkpoint_attr(g, "decomp_next_id", H5T_NATIVE_UINT64, &ct->next_id, 0, &f->why)) ||
        (st = checkpoint_attr(g, "counters", H5T_NATIVE_UINT64, ctr, CTR_COUNT, &f->why)))
        goto done;
    checkpoint_item it[CHECKPOINT_TISSUE_ITEMS];
    checkpoint_tissue_items(&h, conc, nc, it);
    for (int k = 0; k < CHECKPOINT_TISSUE_ITEMS && st == PS_OK; k++)
        st = checkpoint_data(g, it[k].name, it[k].type, it[k].data, it[k].n, &f->why);
done:
    h5io_group_close(&g);
    agents_host_free(&h);
    free(conc);
    return st;
}

static ps_status checkpoint_read_tissue(h5io_file *f, checkpoint_tissue *ct, int t, ps_err *err)
{
    ps_status st = PS_OK;
    hid_t g = -1;
    agents_host h;
    memset(&h, 0, sizeof h);
    float *conc = NULL;
    char name[32];
    snprintf(name, sizeof name, "tissue_%d", t);
    const field_params *fp = field_get_params(ct->fields);
    uint64_t cap = 0, ctr[CTR_COUNT];
    hsize_t n = 0;
    if ((st = h5io_group_open(f->id, name, &g, &f->why)) ||
        (st = h5io_attr_read(g, "capacity", H5T_NATIVE_UINT64, &cap, &f->why)) ||
        (st = h5io_attr_read(g, "counters", H5T_NATIVE_UINT64, ctr, &f->why)) ||
        (st = h5io_attr_read(g, "decomp_next_id", H5T_NATIVE_UINT64, &ct->next_id, &f->why)))
        goto done;
    ps_err none;
    ps_err_clear(&none);
    if (h5io_dataset_len(g, "id", &n, &none) != PS_OK) {
        st = ps_err_set(&f->why, PS_ERR_IO, "%s has no agent ids", name);
        goto done;
    }
    if ((st = agents_host_alloc(&h, (size_t)n, err))) goto done;
    size_t nc = (size_t)fp->nf * fp->nvox;
    conc = malloc((nc ? nc : 1) * sizeof(float));
    if (!conc) {
        st = ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
        goto done;
    }
    checkpoint_item it[CHECKPOINT_TISSUE_ITEMS];
    checkpoint_tissue_items(&h, conc, nc, it);
    for (int k = 0; k < CHECKPOINT_TISSUE_ITEMS && st == PS_OK; k++)
        st = h5io_dataset_read(g, it[k].name, it[k].type, it[k].data, it[k].n, &f->why);
    if (st == PS_OK) st = agents_restore(ct->agents, &h, (size_t)cap, ctr, err);
    if (st == PS_OK) st = field_upload(ct->fields, conc, err);
done:
    h5io_group_close(&g);
    agents_host_free(&h);
    free(conc);
    return st;
}

/* ---- the neurons and the output state ---------------------------------------------- */

typedef struct {
    float *injury, *sig, *state;
    uint32_t *lesion;
    size_t n;                       /* >= 1: an empty population still has one slot */
} checkpoint_neurons;

static ps_status checkpoint_neurons_alloc(checkpoint_neurons *cn, const neurons *nr, ps_err *err)
{
    cn->n = neurons_count(nr) ? neurons_count(nr) : 1;
    cn->injury = malloc(cn->n * sizeof *cn->injury);
    cn->sig = malloc(cn->n * NS_COUNT * sizeof *cn->sig);
    cn->state = malloc(cn->n * NX_COUNT * sizeof *cn->state);
    cn->lesion = malloc(cn->n * sizeof *cn->lesion);
    if (!cn->injury || !cn->sig || !cn->state || !cn->lesion)
        return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    return PS_OK;
}

static void checkpoint_neurons_free(checkpoint_neurons *cn)
{
    free(cn->injury);
    free(cn->sig);
    free(cn->state);
    free(cn->lesion);
}

static ps_status checkpoint_write_neurons(h5io_file *f, neurons *nr, ps_err *err)
{
    checkpoint_neurons cn = {0};
    hid_t g = -1;
    ps_status st = checkpoint_neurons_alloc(&cn, nr, err);
    if (st == PS_OK) st = neurons_state(nr, 0, cn.injury, cn.lesion, cn.sig, cn.state, err);
    if (st == PS_OK) st = h5io_group_create(f->id, "neurons", &g, &f->why);
    if (st == PS_OK) st = checkpoint_data(g, "injury", H5T_NATIVE_FLOAT, cn.injury, cn.n, &f->why);
    if (st == PS_OK) st = checkpoint_data(g, "lesion", H5T_NATIVE_UINT32, cn.lesion, cn.n, &f->why);
    if (st == PS_OK) st = checkpoint_data(g, "signals", H5T_NATIVE_FLOAT, cn.sig, cn.n * NS_COUNT, &f->why);
    if (st == PS_OK) st = checkpoint_data(g, "state", H5T_NATIVE_FLOAT, cn.state, cn.n * NX_COUNT, &f->why);
    h5io_group_close(&g);
    checkpoint_neurons_free(&cn);
    return st;
}

static ps_status checkpoint_read_neurons(h5io_file *f, neurons *nr, ps_err *err)
{
    checkpoint_neurons cn = {0};
    hid_t g = -1;
    ps_status st = checkpoint_neurons_alloc(&cn, nr, err);
    if (st == PS_OK) st = h5io_group_open(f->id, "neurons", &g, &f->why);
    if (st == PS_OK) st = h5io_dataset_read(g, "injury", H5T_NATIVE_FLOAT, cn.injury, cn.n, &f->why);
    if (st == PS_OK) st = h5io_dataset_read(g, "lesion", H5T_NATIVE_UINT32, cn.lesion, cn.n, &f->why);
    if (st == PS_OK) st = h5io_dataset_read(g, "signals", H5T_NATIVE_FLOAT, cn.sig, cn.n * NS_COUNT, &f->why);
    if (st == PS_OK) st = h5io_dataset_read(g, "state", H5T_NATIVE_FLOAT, cn.state, cn.n * NX_COUNT, &f->why);
    h5io_group_close(&g);
    if (st == PS_OK) st = neurons_state(nr, 1, cn.injury, cn.lesion, cn.sig, cn.state, err);
    checkpoint_neurons_free(&cn);
    return st;
}

static ps_status checkpoint_write_output(h5io_file *f, const output *o)
{
    size_t n_rows;
    int n_cols, n_snaps;
    const double *rows;
    const char *xmf;
    output_state(o, &n_rows, &n_cols, &rows, &xmf, &n_snaps);
    ps_err *err = &f->why;
    hid_t g = -1;
    uint64_t nr = n_rows;
    ps_status st = h5io_group_create(f->id, "output", &g, err);
    if (st == PS_OK) st = checkpoint_attr(g, "n_rows", H5T_NATIVE_UINT64, &nr, 0, err);
    if (st == PS_OK) st = checkpoint_attr(g, "n_cols", H5T_NATIVE_INT, &n_cols, 0, err);
    if (st == PS_OK) st = checkpoint_attr(g, "n_snaps", H5T_NATIVE_INT, &n_snaps, 0, err);
    if (st == PS_OK)
        st = checkpoint_data(g, "rows", H5T_NATIVE_DOUBLE, rows, (hsize_t)n_rows * (hsize_t)n_cols, err);
    if (st == PS_OK) st = checkpoint_data(g, "xmf", H5T_NATIVE_CHAR, xmf, strlen(xmf), err);
    h5io_group_close(&g);
    return st;
}

static ps_status checkpoint_read_output(h5io_file *f, output *o, ps_err *err)
{
    uint64_t n_rows = 0;
    int n_cols = 0, n_snaps = 0;
    hid_t g = -1;
    double *rows = NULL;
    char *xmf = NULL;
    hsize_t xl = 0;
    ps_status st = h5io_group_open(f->id, "output", &g, &f->why);
    if (st == PS_OK) st = h5io_attr_read(g, "n_rows", H5T_NATIVE_UINT64, &n_rows, &f->why);
    if (st == PS_OK) st = h5io_attr_read(g, "n_cols", H5T_NATIVE_INT, &n_cols, &f->why);
    if (st == PS_OK) st = h5io_attr_read(g, "n_snaps", H5T_NATIVE_INT, &n_snaps, &f->why);
    if (st == PS_OK) {
        size_t have_rows;
        int have_cols, have_snaps;
        const double *r0;
        const char *x0;
        output_state(o, &have_rows, &have_cols, &r0, &x0, &have_snaps);
        if (n_cols != have_cols)
            st = ps_err_set(&f->why, PS_ERR_IO, "%d summary columns, the scenario has %d", n_cols,
                            have_cols);
    }
    if (st == PS_OK) {
        ps_err none;
        ps_err_clear(&none);
        if (h5io_dataset_len(g, "xmf", &xl, &none) != PS_OK)
            st = ps_err_set(&f->why, PS_ERR_IO, "no snapshot index");
    }
    if (st == PS_OK) {
        rows = malloc(((size_t)n_rows * (size_t)n_cols + 1) * sizeof *rows);
        xmf = calloc((size_t)xl + 1, 1);
        if (!rows || !xmf) st = ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    }
    if (st == PS_OK)
        st = h5io_dataset_read(g, "rows", H5T_NATIVE_DOUBLE, rows, (hsize_t)n_rows * (hsize_t)n_cols,
                               &f->why);
    if (st == PS_OK) st = h5io_dataset_read(g, "xmf", H5T_NATIVE_CHAR, xmf, xl, &f->why);
    h5io_group_close(&g);
    if (st == PS_OK) st = output_restore(o, (size_t)n_rows, rows, xmf, n_snaps, err);
    free(rows);
    free(xmf);
    return st;
}

/* ---- writing and reading ----------------------------------------------------------- */

ps_status checkpoint_write(const checkpoint_state *cs, output *o, double every_h, char *path,
                           size_t path_cap, ps_err *err)
{
    const scenario *s = cs->s;
    uint64_t hash = checkpoint_scenario_hash(s, err);
    if (err->code != PS_OK) return err->code;
    char pa[PATH_MAX], pb[PATH_MAX];
    int rank, nranks;
    PS_TRY(checkpoint_rank(cs->comm, &rank, &nranks, err));
    checkpoint_paths(output_dir(o), rank, nranks, pa, pb);
    long sa = checkpoint_step_of(pa, hash, NULL), sb = checkpoint_step_of(pb, hash, NULL);
    if (cs->comm != MPI_COMM_NULL) PS_TRY(checkpoint_agree(cs->comm, &sa, &sb, err));
    const char *target = sa <= sb ? pa : pb;       /* the older (or missing) one */
    snprintf(path, path_cap, "%s", target);

    h5io_file f;
    ps_status st = h5io_create(&f, target, "cannot write the checkpoint", H5P_DEFAULT, MPI_COMM_NULL);
    f.sync = 1;                     /* durable before it replaces the older checkpoint */
    if (st == PS_OK) {
        int fmt = CHECKPOINT_FORMAT;
        long long step = cs->step;
        double time_h = cs->time_h;
        int nt = s->n_tissues;
        ps_err *w = &f.why;
        st = checkpoint_attr(f.id, "format", H5T_NATIVE_INT, &fmt, 0, w);
        if (st == PS_OK) st = checkpoint_attr(f.id, "scenario_hash", H5T_NATIVE_UINT64, &hash, 0, w);
        if (st == PS_OK) st = checkpoint_attr(f.id, "step", H5T_NATIVE_LLONG, &step, 0, w);
        if (st == PS_OK) st = checkpoint_attr(f.id, "time_h", H5T_NATIVE_DOUBLE, &time_h, 0, w);
        if (st == PS_OK) st = checkpoint_attr(f.id, "every_h", H5T_NATIVE_DOUBLE, &every_h, 0, w);
        if (st == PS_OK) st = checkpoint_attr(f.id, "n_tissues", H5T_NATIVE_INT, &nt, 0, w);
        if (st == PS_OK) st = h5io_attr_text(f.id, "painsim_version", painsim_version(), w);
    }
    for (int t = 0; t < s->n_tissues && st == PS_OK; t++)
        st = checkpoint_write_tissue(&f, &cs->tissue[t], t, err);
    if (st == PS_OK) st = checkpoint_write_neurons(&f, cs->neurons, err);
    if (st == PS_OK) st = checkpoint_write_output(&f, o);
    ps_status built = st;
    st = h5io_finish(&f, built, err);
    if (st != PS_OK && built == PS_OK && f.why.code == PS_OK)   /* the write of the image */
        ps_err_append(err, " (writing the checkpoint)");
    return st;
}

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
    int rank, size;
    PS_TRY(checkpoint_rank(comm, &rank, &size, err));
    checkpoint_paths(dir, rank, size, pa, pb);
    double ea = 0, eb = 0;
    long sa = checkpoint_step_of(pa, hash, &ea), sb = checkpoint_step_of(pb, hash, &eb);
    if (comm != MPI_COMM_NULL) PS_TRY(checkpoint_agree(comm, &sa, &sb, err));
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

ps_status checkpoint_read(checkpoint_state *cs, output *o, const char *path, ps_err *err)
{
    const scenario *s = cs->s;
    long long step = 0;
    int nt = 0;
    h5io_file f;
    ps_status st = h5io_open(&f, path, "cannot read the checkpoint");
    if (st == PS_OK) st = h5io_attr_read(f.id, "step", H5T_NATIVE_LLONG, &step, &f.why);
    if (st == PS_OK) st = h5io_attr_read(f.id, "n_tissues", H5T_NATIVE_INT, &nt, &f.why);
    if (st == PS_OK && nt != s->n_tissues)
        st = ps_err_set(&f.why, PS_ERR_IO, "%d tissues, the scenario has %d", nt, s->n_tissues);
    for (int t = 0; t < nt && st == PS_OK; t++) st = checkpoint_read_tissue(&f, &cs->tissue[t], t, err);
    if (st == PS_OK) st = checkpoint_read_neurons(&f, cs->neurons, err);
    if (st == PS_OK) st = checkpoint_read_output(&f, o, err);
    if (st == PS_OK) cs->step = (long)step;
    return h5io_close(&f, st, err);
}
