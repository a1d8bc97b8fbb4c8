/* test_output.c — the run folder: snapshots read back bit-exact with the HDF5 C API,
 * the XDMF index, summary CSV/HDF5, run.json, --force semantics, unwritable paths and
 * HDF5 failures turned into messages, no *.tmp left behind.
 *
 * Leaves tests/out/test_output_run in place (3 snapshots; at the last one 6 agents:
 * nerve 2 and drg 4; the middle one has no drg agents) for
 *   /usr/bin/python3 viz/headless.py pvpython tests/check_paraview.py tests/out/test_output_run --agents 6 \
 *       --fields TNF,IL10 --tissues nerve,drg --times 3 --agents-per-time 8,7,6
 */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../kernels/params.h"

#include "output.h"
#include "test.h"
#include "test_common.h"
#include "version.h"

#define RUN "tests/out/test_output_run"
#define FORCE_DIR "tests/out/test_output_force"
#define AFILE "tests/out/test_output_afile"

/* ---- the scenario and the data ----------------------------------------------------- */

/* The seed run.json is written with: above 2^53, so run.json must keep every digit (a
 * JSON number through a double would lose them). A scenario's seed is at most 2^53 - 1
 * (the loader's range), so this one goes in through output_run_info, not the scenario;
 * the scenario carries the largest seed the loader accepts. */
#define BIG_SEED 18446744073709551557ULL

/* The scenario through the loader (tests/test_common.h): two mediators, one cell type
 * and two tissues. nerve: 4 x 3 x 2 voxels of 10 um at the origin; drg: 3 x 2 x 2 voxels
 * of 20 um, placed at (100, 30, 50) so that an x/z mix-up in the XDMF shows. The cell
 * type has no chemotaxis (its hand-built predecessor also set a Kd of 1 nM and a half
 * gradient of 0.01/um, unread without a chemotaxis mediator; the loader leaves them 0). */
static void make_scenario(scenario *s)
{
    TEST_SCENARIO(s, "tests/test_output.c", NULL, 0,
                  "{'name':'test_output','seed':9007199254740991,"
                  "'time':{'duration_h':1,'dt_min':1,'output_interval_h':0.25,'snapshot_interval_h':0.5},"
                  "'engine':{'agent_capacity_factor':2},"
                  "'mediators':[{'name':'TNF','D_um2_per_s':50,'half_life_min':20,'kDa':17},"
                  "{'name':'IL10','D_um2_per_s':50,'half_life_min':20,'kDa':17}],"
                  "'cell_types':[{'name':'macrophage','radius_um':5,'speed_um_per_min':0,'persistence_min':5,"
                  "'repulsion_um_per_min':0,'states':[{'name':'resting'}]}],"
                  "'tissues':[{'name':'nerve','size_um':[40,30,20],'voxel_um':10,'origin_um':[0,0,0],"
                  "'tortuosity':1.6},"
                  "{'name':'drg','size_um':[60,40,40],'voxel_um':20,'origin_um':[100,30,50],"
                  "'tortuosity':1.6}]}");
}

#define MAXA 16
#define MAXV 64

/* One tissue's snapshot data, generated from (tissue, snapshot) so it can be checked. */
typedef struct {
    float field[2][MAXV];
    float pos[MAXA * 3];
    uint64_t id[MAXA];
    int32_t type[MAXA], state[MAXA];
    float age[MAXA], pstat3[MAXA];
    const char *fnames[2];
    const float *fptr[2];
    const float *vptr[2];
} tissue_data;

static const char *const var_names[2] = {"age_h", "pstat3"};
static const char *const var_units[2] = {"h", "1"};

static void make_tissue(const scenario *s, int t, int k, size_t n, tissue_data *d, output_tissue *ot)
{
    memset(d, 0, sizeof *d);
    const scn_tissue *ts = &s->tissues[t];
    int dims[3];
    scenario_tissue_dims(ts, dims);
    int nv = dims[0] * dims[1] * dims[2];
    for (int m = 0; m < 2; m++) {
        for (int v = 0; v < nv; v++)
            d->field[m][v] = (float)(1.0 / (1 + v + 10 * m + 100 * k + 1000 * t)); /* not round */
        d->fnames[m] = s->mediators[m].name;
        d->fptr[m] = d->field[m];
    }
    for (size_t i = 0; i < n; i++) {
        for (int a = 0; a < 3; a++)
            d->pos[3 * i + a] = (float)(ts->origin_um[a] + ts->size_um[a] * (0.1 + 0.8 * (double)(i + 1) / (double)(n + 1)) + 0.001 * k);
        d->id[i] = PS_ID_MAKE(t, 100 * k + (int)i);
        d->type[i] = 0;
        d->state[i] = (int32_t)(i % 2);
        d->age[i] = 0.5f * (float)i + (float)k / 3.0f;
        d->pstat3[i] = (float)(i + 1) / 7.0f;
    }
    d->vptr[0] = d->age;
    d->vptr[1] = d->pstat3;
    *ot = (output_tissue){.tissue = ts, .n_fields = 2, .field_names = d->fnames, .fields = d->fptr,
                          .n_agents = n, .position_um = d->pos, .id = d->id, .type = d->type,
                          .state = d->state, .n_vars = 2, .var_names = var_names,
                          .var_units = var_units, .vars = d->vptr};
}

/* agents per (snapshot, tissue); snapshot 1 has none in the drg */
static const size_t n_agents[3][2] = {{5, 3}, {7, 0}, {2, 4}};
static const long steps[3] = {0, 30, 60};
static const double times_h[3] = {0.0, 0.5, 1.0};

/* ---- small helpers ----------------------------------------------------------------- */

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)n + 1);
    if (p && fread(p, 1, (size_t)n, f) != (size_t)n) {
        free(p);
        p = NULL;
    }
    if (p) p[n] = '\0';
    fclose(f);
    return p;
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle)) n++;
    return n;
}

/* Number of *.tmp files in dir and dir/snapshots. */
static int count_tmp(const char *dir)
{
    int n = 0;
    char sub[512];
    snprintf(sub, sizeof sub, "%s/snapshots", dir);
    const char *dirs[2] = {dir, sub};
    for (int k = 0; k < 2; k++) {
        DIR *d = opendir(dirs[k]);
        if (!d) continue;
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            size_t l = strlen(e->d_name);
            if (l > 4 && strcmp(e->d_name + l - 4, ".tmp") == 0) n++;
        }
        closedir(d);
    }
    return n;
}

/* Removes dir's files and dir/snapshots' files (one level each), then the folders. */
static void remove_run(const char *dir)
{
    char sub[512];
    snprintf(sub, sizeof sub, "%s/snapshots", dir);
    const char *dirs[2] = {sub, dir};
    for (int k = 0; k < 2; k++) {
        DIR *d = opendir(dirs[k]);
        if (!d) continue;
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
            char f[1024];
            snprintf(f, sizeof f, "%s/%s", dirs[k], e->d_name);
            unlink(f);
        }
        closedir(d);
        rmdir(dirs[k]);
    }
}

/* ---- HDF5 readers (return 0 on success) -------------------------------------------- */

static int h5_attr_double(hid_t obj, const char *name, double *v, int n)
{
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    if (a < 0) return -1;
    hid_t sp = H5Aget_space(a);
    hssize_t np = H5Sget_simple_extent_npoints(sp);
    int rc = (np == n && H5Aread(a, H5T_NATIVE_DOUBLE, v) >= 0) ? 0 : -1;
    H5Sclose(sp);
    H5Aclose(a);
    return rc;
}

static int h5_attr_scalar_kind(hid_t obj, const char *name)
{
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    if (a < 0) return -1;
    hid_t sp = H5Aget_space(a);
    int k = (int)H5Sget_simple_extent_type(sp);
    H5Sclose(sp);
    H5Aclose(a);
    return k;
}

static int h5_attr_llong(hid_t obj, const char *name, long long *v, int n)
{
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    if (a < 0) return -1;
    hid_t sp = H5Aget_space(a);
    hssize_t np = H5Sget_simple_extent_npoints(sp);
    int rc = (np == n && H5Aread(a, H5T_NATIVE_LLONG, v) >= 0) ? 0 : -1;
    H5Sclose(sp);
    H5Aclose(a);
    return rc;
}

/* String attribute (scalar or array) joined with ',' into out. */
static int h5_attr_strings(hid_t obj, const char *name, char *out, size_t len)
{
    out[0] = '\0';
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    if (a < 0) return -1;
    hid_t sp = H5Aget_space(a);
    hssize_t np = H5Sget_simple_extent_npoints(sp);
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    int rc = -1;
    char **v = calloc(np > 0 ? (size_t)np : 1, sizeof *v);
    if (v && (np == 0 || H5Aread(a, t, v) >= 0)) {
        rc = 0;
        for (hssize_t i = 0; i < np; i++) {
            size_t l = strlen(out);
            snprintf(out + l, len - l, "%s%s", i ? "," : "", v[i] ? v[i] : "(null)");
        }
        if (np > 0) H5Dvlen_reclaim(t, sp, H5P_DEFAULT, v);
    }
    free(v);
    H5Tclose(t);
    H5Sclose(sp);
    H5Aclose(a);
    return rc;
}

/* Dataset dims (rank returned, -1 on failure) and its file type class/size. */
static int h5_dims(hid_t loc, const char *name, hsize_t dims[3], H5T_class_t *cls, size_t *size,
                   H5T_sign_t *sign)
{
    hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
    if (d < 0) return -1;
    hid_t sp = H5Dget_space(d), t = H5Dget_type(d);
    int r = H5Sget_simple_extent_dims(sp, dims, NULL);
    *cls = H5Tget_class(t);
    *size = H5Tget_size(t);
    *sign = *cls == H5T_INTEGER ? H5Tget_sign(t) : H5T_SGN_NONE;
    H5Tclose(t);
    H5Sclose(sp);
    H5Dclose(d);
    return r;
}

static int h5_read(hid_t loc, const char *name, hid_t mem_type, void *buf)
{
    hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
    if (d < 0) return -1;
    int rc = H5Dread(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0 ? -1 : 0;
    H5Dclose(d);
    return rc;
}

/* ---- checks ------------------------------------------------------------------------ */

static void check_snapshot(const scenario *s, int k)
{
    char path[256];
    snprintf(path, sizeof path, RUN "/snapshots/snap_%06ld.h5", steps[k]);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    TEST_CHECK(f >= 0, "%s opens", path);
    if (f < 0) return;
    double th = -1, tm = -1;
    long long step = -1;
    char text[512];
    TEST_CHECK(h5_attr_double(f, "time_h", &th, 1) == 0 && th == times_h[k], "time_h %g", th);
    TEST_CHECK(h5_attr_double(f, "time_min", &tm, 1) == 0 && tm == 60 * times_h[k], "time_min %g", tm);
    TEST_CHECK(h5_attr_scalar_kind(f, "time_h") == H5S_SCALAR, "time_h is a scalar attribute");
    TEST_CHECK(h5_attr_llong(f, "step", &step, 1) == 0 && step == steps[k], "step %lld", step);
    TEST_CHECK(h5_attr_strings(f, "painsim_version", text, sizeof text) == 0 &&
               strcmp(text, painsim_version()) == 0, "painsim_version '%s'", text);
    TEST_CHECK(h5_attr_strings(f, "scenario_name", text, sizeof text) == 0 &&
               strcmp(text, "test_output") == 0, "scenario_name '%s'", text);
    TEST_CHECK(h5_attr_strings(f, "cell_type_names", text, sizeof text) == 0 &&
               strcmp(text, "macrophage") == 0, "cell_type_names '%s'", text);
    TEST_CHECK(h5_attr_strings(f, "mediator_names", text, sizeof text) == 0 &&
               strcmp(text, "TNF,IL10") == 0, "mediator_names '%s'", text);

    for (int t = 0; t < 2; t++) {
        const scn_tissue *ts = &s->tissues[t];
        tissue_data want;
        output_tissue ot;
        make_tissue(s, t, k, n_agents[k][t], &want, &ot);
        char gname[64];
        snprintf(gname, sizeof gname, "/tissues/%s", ts->name);
        hid_t g = H5Gopen2(f, gname, H5P_DEFAULT);
        TEST_CHECK(g >= 0, "%s: group %s", path, gname);
        if (g < 0) continue;
        double origin[3], size[3], vox = 0;
        long long dims[3];
        TEST_CHECK(h5_attr_double(g, "origin_um", origin, 3) == 0 && origin[0] == ts->origin_um[0] &&
                   origin[1] == ts->origin_um[1] && origin[2] == ts->origin_um[2], "%s origin_um", gname);
        TEST_CHECK(h5_attr_double(g, "size_um", size, 3) == 0 && size[0] == ts->size_um[0] &&
                   size[2] == ts->size_um[2], "%s size_um", gname);
        TEST_CHECK(h5_attr_double(g, "voxel_um", &vox, 1) == 0 && vox == ts->voxel_um, "%s voxel_um", gname);
        int sd[3];
        scenario_tissue_dims(ts, sd);
        TEST_CHECK(h5_attr_llong(g, "dims", dims, 3) == 0 && dims[0] == sd[0] && dims[1] == sd[1] &&
                   dims[2] == sd[2], "%s dims (nx, ny, nz)", gname);

        hsize_t d[3];
        H5T_class_t cls;
        size_t sz;
        H5T_sign_t sign;
        for (int m = 0; m < 2; m++) {
            char fn[64];
            snprintf(fn, sizeof fn, "fields/%s", s->mediators[m].name);
            int r = h5_dims(g, fn, d, &cls, &sz, &sign);
            TEST_CHECK(r == 3 && d[0] == (hsize_t)sd[2] && d[1] == (hsize_t)sd[1] && d[2] == (hsize_t)sd[0] &&
                       cls == H5T_FLOAT && sz == 4, "%s/%s is float32 [nz][ny][nx]", gname, fn);
            float got[MAXV];
            memset(got, 0, sizeof got);
            TEST_CHECK(h5_read(g, fn, H5T_NATIVE_FLOAT, got) == 0 &&
                       memcmp(got, want.field[m], (size_t)(sd[0] * sd[1] * sd[2]) * sizeof(float)) == 0,
                       "%s/%s values bit-exact", gname, fn);
            hid_t ds = H5Dopen2(g, fn, H5P_DEFAULT);
            TEST_CHECK(h5_attr_strings(ds, "units", text, sizeof text) == 0 && strcmp(text, "nM") == 0,
                       "%s/%s units '%s'", gname, fn, text);
            H5Dclose(ds);
        }
        hsize_t n = n_agents[k][t];
        int r = h5_dims(g, "agents/position", d, &cls, &sz, &sign);
        TEST_CHECK(r == 2 && d[0] == n && d[1] == 3 && cls == H5T_FLOAT && sz == 4,
                   "%s position [%llu][3] float32 (rank %d, %llu x %llu)", gname, (unsigned long long)n,
                   r, (unsigned long long)d[0], (unsigned long long)d[1]);
        r = h5_dims(g, "agents/id", d, &cls, &sz, &sign);
        TEST_CHECK(r == 1 && d[0] == n && cls == H5T_INTEGER && sz == 8 && sign == H5T_SGN_NONE,
                   "%s id uint64 [%llu]", gname, (unsigned long long)n);
        r = h5_dims(g, "agents/state", d, &cls, &sz, &sign);
        TEST_CHECK(r == 1 && d[0] == n && cls == H5T_INTEGER && sz == 4 && sign == H5T_SGN_2,
                   "%s state int32", gname);
        r = h5_dims(g, "agents/age_h", d, &cls, &sz, &sign);
        TEST_CHECK(r == 1 && d[0] == n && cls == H5T_FLOAT && sz == 4, "%s age_h float32", gname);
        hid_t ds = H5Dopen2(g, "agents/age_h", H5P_DEFAULT);
        TEST_CHECK(h5_attr_strings(ds, "units", text, sizeof text) == 0 && strcmp(text, "h") == 0,
                   "%s age_h units '%s'", gname, text);
        H5Dclose(ds);
        if (n > 0) {
            float pos[MAXA * 3], age[MAXA], ps3[MAXA];
            uint64_t id[MAXA];
            int32_t type[MAXA], state[MAXA];
            TEST_CHECK(h5_read(g, "agents/position", H5T_NATIVE_FLOAT, pos) == 0 &&
                       memcmp(pos, want.pos, n * 3 * sizeof(float)) == 0, "%s positions bit-exact", gname);
            TEST_CHECK(h5_read(g, "agents/id", H5T_NATIVE_UINT64, id) == 0 &&
                       memcmp(id, want.id, n * sizeof(uint64_t)) == 0, "%s ids exact", gname);
            TEST_CHECK(h5_read(g, "agents/type", H5T_NATIVE_INT32, type) == 0 &&
                       memcmp(type, want.type, n * sizeof(int32_t)) == 0, "%s types", gname);
            TEST_CHECK(h5_read(g, "agents/state", H5T_NATIVE_INT32, state) == 0 &&
                       memcmp(state, want.state, n * sizeof(int32_t)) == 0, "%s states", gname);
            TEST_CHECK(h5_read(g, "agents/age_h", H5T_NATIVE_FLOAT, age) == 0 &&
                       memcmp(age, want.age, n * sizeof(float)) == 0, "%s age_h bit-exact", gname);
            TEST_CHECK(h5_read(g, "agents/pstat3", H5T_NATIVE_FLOAT, ps3) == 0 &&
                       memcmp(ps3, want.pstat3, n * sizeof(float)) == 0, "%s pstat3 bit-exact", gname);
        }
        H5Gclose(g);
    }
    H5Fclose(f);
}

static const char *const col_names[2] = {"nerve.macrophage", "drg.TNF.mean_nM"};
static const double rows[4][3] = {{0, 5, 0},
                                  {0.25, 7, 1.0 / 3.0},
                                  {0.5, 7, 12345678901.0},
                                  {0.75, -2.5e-7, 0.001}};
static const char *const csv_want = "time_h,nerve.macrophage,drg.TNF.mean_nM\n"
                                    "0,5,0\n"
                                    "0.25,7,0.333333333\n"
                                    "0.5,7,1.23456789e+10\n"
                                    "0.75,-2.5e-07,0.001\n";

static void check_summary(void)
{
    char *csv = read_text(RUN "/summary.csv");
    TEST_CHECK(csv && strcmp(csv, csv_want) == 0, "summary.csv is\n%s\nwant\n%s", csv ? csv : "(none)", csv_want);
    free(csv);
    hid_t f = H5Fopen(RUN "/summary.h5", H5F_ACC_RDONLY, H5P_DEFAULT);
    TEST_CHECK(f >= 0, "summary.h5 opens");
    if (f < 0) return;
    const char *names[3] = {"time_h", col_names[0], col_names[1]};
    for (int c = 0; c < 3; c++) {
        hsize_t d[3];
        H5T_class_t cls;
        size_t sz;
        H5T_sign_t sign;
        double v[4] = {0};
        int r = h5_dims(f, names[c], d, &cls, &sz, &sign);
        TEST_CHECK(r == 1 && d[0] == 4 && cls == H5T_FLOAT && sz == 8, "summary.h5 %s float64 [4]", names[c]);
        TEST_CHECK(h5_read(f, names[c], H5T_NATIVE_DOUBLE, v) == 0 && v[0] == rows[0][c] &&
                   v[1] == rows[1][c] && v[2] == rows[2][c] && v[3] == rows[3][c],
                   "summary.h5 %s values exact", names[c]);
    }
    hsize_t d[3];
    H5T_class_t cls;
    size_t sz;
    H5T_sign_t sign;
    double table[4][3];
    TEST_CHECK(h5_dims(f, "table", d, &cls, &sz, &sign) == 2 && d[0] == 4 && d[1] == 3, "table [4][3]");
    TEST_CHECK(h5_read(f, "table", H5T_NATIVE_DOUBLE, table) == 0 &&
               memcmp(table, rows, sizeof table) == 0, "table values exact");
    hid_t ds = H5Dopen2(f, "table", H5P_DEFAULT);
    char text[512];
    TEST_CHECK(h5_attr_strings(ds, "columns", text, sizeof text) == 0 &&
               strcmp(text, "time_h,nerve.macrophage,drg.TNF.mean_nM") == 0, "table columns '%s'", text);
    H5Dclose(ds);
    H5Fclose(f);
}

static void check_xmf(void)
{
    char *x = read_text(RUN "/snapshots.xmf");
    TEST_CHECK(x != NULL, "snapshots.xmf exists");
    if (!x) return;
    TEST_CHECK(count(x, "CollectionType=\"Temporal\"") == 1, "one temporal collection");
    TEST_CHECK(count(x, "CollectionType=\"Spatial\"") == 3, "3 temporal grids");
    TEST_CHECK(count(x, "<Time Value=") == 3 && strstr(x, "<Time Value=\"0.5\" />"), "3 times in h");
    TEST_CHECK(count(x, "Name=\"nerve_fields\"") == 3 && count(x, "Name=\"drg_fields\"") == 3,
               "field grids per tissue and time");
    TEST_CHECK(count(x, "Name=\"nerve_agents\"") == 3 && count(x, "Name=\"drg_agents\"") == 2,
               "the drg without agents has no agent grid at 0.5 h");
    TEST_CHECK(strstr(x, "Dimensions=\"3 4 5\"") != NULL, "nerve topology nz+1 ny+1 nx+1");
    TEST_CHECK(strstr(x, ">50 30 100</DataItem>") != NULL, "drg origin in z y x order");
    TEST_CHECK(strstr(x, "snapshots/snap_000030.h5:/tissues/drg/fields/IL10") != NULL, "relative HDF paths");
    TEST_CHECK(strstr(x, "NumberType=\"Int\" Precision=\"8\" Format=\"HDF\">snapshots/snap_000060.h5:"
                         "/tissues/drg/agents/id") != NULL, "ids read as 64-bit integers");
    TEST_CHECK(strstr(x, "NumberOfElements=\"4\"") != NULL, "drg agents at 1 h");
    free(x);
}

static void check_run_json(void)
{
    char *text = read_text(RUN "/run.json");
    TEST_CHECK(text != NULL, "run.json exists");
    if (!text) return;
    TEST_CHECK(strstr(text, "18446744073709551557") != NULL, "seed written exactly");
    cJSON *j = cJSON_Parse(text);
    TEST_CHECK(j != NULL, "run.json parses");
    const char *keys[] = {"painsim_version", "git_hash", "scenario", "scenario_file", "device", "seed",
                          "steps", "simulated_h", "wall_s", "agents_end", "status", "hostname",
                          "started_utc"};
    for (size_t i = 0; j && i < sizeof keys / sizeof keys[0]; i++)
        TEST_CHECK(cJSON_GetObjectItemCaseSensitive(j, keys[i]) != NULL, "run.json has %s", keys[i]);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "steps");
    TEST_CHECK(cJSON_IsNumber(v) && v->valuedouble == 60, "steps 60");
    v = cJSON_GetObjectItemCaseSensitive(j, "status");
    TEST_CHECK(cJSON_IsString(v) && strcmp(v->valuestring, "completed") == 0, "status");
    v = cJSON_GetObjectItemCaseSensitive(j, "scenario_file");
    TEST_CHECK(cJSON_IsString(v) && strcmp(v->valuestring, "tests/test_output.c") == 0, "scenario_file");
    v = cJSON_GetObjectItemCaseSensitive(j, "started_utc");
    TEST_CHECK(cJSON_IsString(v) && strlen(v->valuestring) == 20 && v->valuestring[10] == 'T' &&
               v->valuestring[19] == 'Z', "started_utc ISO 8601 '%s'", cJSON_IsString(v) ? v->valuestring : "");
    cJSON_Delete(j);
    free(text);
}

/* ---- the tests --------------------------------------------------------------------- */

static void test_run(const scenario *s)
{
    ps_err err;
    ps_err_clear(&err);
    output *o = NULL;
    ps_status st = output_open(&o, RUN, 1, s, &err);
    TEST_CHECK(st == PS_OK, "open %s: %s", RUN, err.msg);
    if (st != PS_OK) return;
    TEST_CHECK(exists(RUN "/scenario.resolved.json") && exists(RUN "/snapshots"), "folder prepared");
    char *json = read_text(RUN "/scenario.resolved.json");
    TEST_CHECK(json && strstr(json, "test_output") != NULL, "scenario.resolved.json names the scenario");
    free(json);

    st = output_summary_row(o, 0, rows[0] + 1, &err);
    TEST_CHECK(st == PS_ERR_INTERNAL, "a row before the columns is refused (%s)", err.msg);
    ps_err_clear(&err);
    st = output_summary_columns(o, 2, col_names, &err);
    TEST_CHECK(st == PS_OK, "columns: %s", err.msg);

    for (int k = 0; k < 3; k++) {
        tissue_data d[2];
        output_tissue ot[2];
        for (int t = 0; t < 2; t++) make_tissue(s, t, k, n_agents[k][t], &d[t], &ot[t]);
        st = output_snapshot(o, steps[k], times_h[k], 2, ot, &err);
        TEST_CHECK(st == PS_OK, "snapshot %d: %s", k, err.msg);
        for (int r = (k == 0 ? 0 : k + 1); r <= k + 1 && r < 4; r++) {
            st = output_summary_row(o, rows[r][0], rows[r] + 1, &err);
            TEST_CHECK(st == PS_OK, "summary row %d: %s", r, err.msg);
        }
    }
    output_run_info info = {.device = "test / none", .seed = BIG_SEED, .steps = 60, .simulated_h = 1,
                            .wall_s = 0.25, .agents_end = 6, .status = "completed"};
    st = output_run_info_write(o, &info, &err);
    TEST_CHECK(st == PS_OK, "run info: %s", err.msg);
    output_close(o);

    for (int k = 0; k < 3; k++) check_snapshot(s, k);
    check_summary();
    check_xmf();
    check_run_json();
    TEST_CHECK(count_tmp(RUN) == 0, "no *.tmp left in %s", RUN);
}

static void test_force(const scenario *s)
{
    ps_err err;
    ps_err_clear(&err);
    remove_run(FORCE_DIR);
    output *o = NULL;
    ps_status st = output_open(&o, FORCE_DIR "/", 0, s, &err);  /* trailing slash is fine */
    TEST_CHECK(st == PS_OK, "open a new folder: %s", err.msg);
    if (st != PS_OK) return;
    tissue_data d[2];
    output_tissue ot[2];
    for (int t = 0; t < 2; t++) make_tissue(s, t, 0, 1, &d[t], &ot[t]);
    TEST_CHECK(output_snapshot(o, 5, 0.1, 2, ot, &err) == PS_OK, "snapshot: %s", err.msg);
    TEST_CHECK(output_summary_columns(o, 2, col_names, &err) == PS_OK, "columns: %s", err.msg);
    TEST_CHECK(output_summary_row(o, 0, rows[0] + 1, &err) == PS_OK, "row: %s", err.msg);
    output_close(o);
    write_file(FORCE_DIR "/notes.txt", "mine\n");
    write_file(FORCE_DIR "/snapshots/keep.txt", "mine too\n");
    write_file(FORCE_DIR "/checkpoint_000005.h5", "old\n");
    write_file(FORCE_DIR "/stale.tmp", "half\n");

    o = NULL;
    st = output_open(&o, FORCE_DIR, 0, s, &err);
    TEST_CHECK(st == PS_ERR_IO && o == NULL, "a non-empty folder without force is refused");
    TEST_CHECK(strstr(err.msg, FORCE_DIR) && strstr(err.msg, "--force") && strstr(err.msg, "not empty"),
               "message: %s", err.msg);
    TEST_CHECK(exists(FORCE_DIR "/snapshots/snap_000005.h5"), "nothing removed without force");
    printf("  non-empty folder: %s\n", err.msg);

    ps_err_clear(&err);
    st = output_open(&o, FORCE_DIR, 1, s, &err);
    TEST_CHECK(st == PS_OK, "force: %s", err.msg);
    TEST_CHECK(!exists(FORCE_DIR "/snapshots/snap_000005.h5"), "old snapshot removed");
    TEST_CHECK(!exists(FORCE_DIR "/snapshots.xmf") && !exists(FORCE_DIR "/summary.csv") &&
               !exists(FORCE_DIR "/summary.h5") && !exists(FORCE_DIR "/checkpoint_000005.h5") &&
               !exists(FORCE_DIR "/stale.tmp"), "old painsim files removed");
    TEST_CHECK(exists(FORCE_DIR "/notes.txt") && exists(FORCE_DIR "/snapshots/keep.txt"),
               "the user's own files stay");
    TEST_CHECK(exists(FORCE_DIR "/scenario.resolved.json"), "scenario.resolved.json rewritten");

    /* a write failure (the snapshots folder vanished) becomes a message, leaves no tmp;
       the file is built in memory, so the failing call is the write of its image */
    unlink(FORCE_DIR "/snapshots/keep.txt");
    rmdir(FORCE_DIR "/snapshots");
    H5E_auto2_t before_func = NULL, after_func = NULL;
    void *before_data = NULL, *after_data = NULL;
    H5Eget_auto2(H5E_DEFAULT, &before_func, &before_data);
    st = output_snapshot(o, 7, 0.2, 2, ot, &err);
    H5Eget_auto2(H5E_DEFAULT, &after_func, &after_data);
    TEST_CHECK(st == PS_ERR_IO, "snapshot into a missing folder fails");
    TEST_CHECK(strstr(err.msg, FORCE_DIR "/snapshots/snap_000007.h5: cannot write: ") != NULL,
               "message names the file: %s", err.msg);
    TEST_CHECK(strstr(err.msg, "No such file or directory") != NULL, "and the reason: %s", err.msg);
    printf("  write failure: %s\n", err.msg);
    TEST_CHECK(before_func == after_func && before_data == after_data, "HDF5 error printing restored");
    TEST_CHECK(!exists(FORCE_DIR "/snapshots.xmf"), "no index for a failed snapshot");
    output_close(o);
    TEST_CHECK(count_tmp(FORCE_DIR) == 0, "no *.tmp left in %s", FORCE_DIR);
    remove_run(FORCE_DIR);
}

/* Data rows of dir/summary.csv (-1 when it does not exist). */
static int csv_rows(const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/summary.csv", dir);
    char *text = read_text(path);
    int n = text ? count(text, "\n") - 1 : -1;
    free(text);
    return n;
}

static void test_pacing(const scenario *s)
{
    ps_err err;
    ps_err_clear(&err);
    output *o = NULL;
    ps_status st = output_open(&o, FORCE_DIR, 1, s, &err);
    TEST_CHECK(st == PS_OK, "open: %s", err.msg);
    if (st != PS_OK) return;
    output_summary_set_min_interval(o, 3600);
    TEST_CHECK(output_summary_columns(o, 2, col_names, &err) == PS_OK, "columns: %s", err.msg);
    for (int r = 0; r < 3; r++)
        TEST_CHECK(output_summary_row(o, rows[r][0], rows[r] + 1, &err) == PS_OK, "row %d: %s", r, err.msg);
    TEST_CHECK(csv_rows(FORCE_DIR) == 1, "paced: the first row is written, the next wait (%d)", csv_rows(FORCE_DIR));
    TEST_CHECK(output_summary_flush(o, &err) == PS_OK && csv_rows(FORCE_DIR) == 3, "flush writes all rows");
    TEST_CHECK(output_summary_row(o, rows[3][0], rows[3] + 1, &err) == PS_OK && csv_rows(FORCE_DIR) == 3,
               "the next row waits");
    output_run_info info = {.device = "test", .seed = 1, .status = "completed"};
    TEST_CHECK(output_run_info_write(o, &info, &err) == PS_OK && csv_rows(FORCE_DIR) == 4,
               "run info flushes the summary: %s", err.msg);
    TEST_CHECK(output_summary_row(o, 1.0, rows[3] + 1, &err) == PS_OK && csv_rows(FORCE_DIR) == 4, "paced");
    output_close(o);
    TEST_CHECK(csv_rows(FORCE_DIR) == 5, "close flushes the summary (%d rows)", csv_rows(FORCE_DIR));
    hid_t f = H5Fopen(FORCE_DIR "/summary.h5", H5F_ACC_RDONLY, H5P_DEFAULT);
    hsize_t d[3] = {0};
    H5T_class_t cls;
    size_t sz;
    H5T_sign_t sign;
    TEST_CHECK(f >= 0 && h5_dims(f, "time_h", d, &cls, &sz, &sign) == 1 && d[0] == 5, "summary.h5 has 5 rows");
    if (f >= 0) H5Fclose(f);
    TEST_CHECK(count_tmp(FORCE_DIR) == 0, "no *.tmp left");
    remove_run(FORCE_DIR);
}

static void test_bad_paths(const scenario *s)
{
    ps_err err;
    ps_err_clear(&err);
    write_file(AFILE, "a regular file\n");
    output *o = NULL;
    ps_status st = output_open(&o, AFILE "/sub", 1, s, &err);
    TEST_CHECK(st == PS_ERR_IO && o == NULL, "a folder under a regular file is refused");
    TEST_CHECK(strstr(err.msg, AFILE "/sub") && strstr(err.msg, "Not a directory"), "message: %s", err.msg);
    printf("  path under a file: %s\n", err.msg);
    ps_err_clear(&err);
    st = output_open(&o, AFILE, 1, s, &err);
    TEST_CHECK(st == PS_ERR_IO && strstr(err.msg, AFILE) && strstr(err.msg, "not a folder"),
               "a regular file as the folder: %s", err.msg);
    char *text = read_text(AFILE);
    TEST_CHECK(text && strcmp(text, "a regular file\n") == 0, "the file is untouched");
    free(text);
    unlink(AFILE);

    ps_err_clear(&err);
    st = output_write_file_atomic("tests/out/test_output_missing/x.txt", "x", 1, &err);
    TEST_CHECK(st == PS_ERR_IO && strstr(err.msg, "tests/out/test_output_missing/x.txt: cannot write: "
                                                  "No such file or directory"),
               "atomic write into a missing folder: %s", err.msg);

    /* parents are created (mkdir -p) */
    ps_err_clear(&err);
    st = output_open(&o, "tests/out/test_output_deep/a/b", 0, s, &err);
    TEST_CHECK(st == PS_OK && exists("tests/out/test_output_deep/a/b/snapshots"), "parents created: %s", err.msg);
    output_close(o);
    remove_run("tests/out/test_output_deep/a/b");
    rmdir("tests/out/test_output_deep/a");
    rmdir("tests/out/test_output_deep");

    /* column names that cannot be a CSV cell or a dataset name */
    ps_err_clear(&err);
    st = output_open(&o, FORCE_DIR, 1, s, &err);
    TEST_CHECK(st == PS_OK, "open: %s", err.msg);
    const char *bad[2] = {"a", "table"};
    TEST_CHECK(o && output_summary_columns(o, 2, bad, &err) == PS_ERR_INTERNAL, "reserved column refused");
    output_close(o);
    remove_run(FORCE_DIR);
}

int main(void)
{
    mkdir("tests/out", 0777);
    scenario *s = calloc(1, sizeof *s);
    if (!s) return 1;
    make_scenario(s);
    test_run(s);
    test_force(s);
    test_pacing(s);
    test_bad_paths(s);
    free(s);
    return test_report("test_output");
}
