/* test_kernels.c — `make kernels`: every .cl file in kernels/ built for more than one vendor.
 *
 * Each program is built with every -D set painsim builds it with (the table below, one
 * row per device_build call in host/ and bench/), with the options device_build passes
 * (-cl-std=CL1.2 -I <kernel dir> -I <Random123 dir> <set>), by:
 *  1. clang's OpenCL C 1.2 front end and back end for NVIDIA (nvptx64-nvidia-nvcl, PTX)
 *     and AMD (amdgcn-amd-amdhsa, an object), as a device with no optional extension
 *     (-cl-ext=-all: no cl_khr_fp64, so a stray double constant, which PoCL computes in
 *     double and a device without fp64 in float, is an error), with the host's warning
 *     policy (-Wall -Wextra -Wno-unused-parameter -Werror);
 *  2. every OpenCL device present (PoCL in CI; the GPU's own compiler where there is
 *     one), through clBuildProgram; a warning in the build log fails too.
 * A failure prints the compiler's whole output (file:line: error: ...). A negative
 * control per compiler checks that a bad program does fail, naming its file and line,
 * and every .cl file in kernels/ must have a row in the table.
 *
 * clang is $CLANG, else clang. Run from the repository root (make kernels, make test).
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agents.h"
#include "device.h"
#include "test.h"

#define KC_STR2(x) #x
#define KC_STR(x) KC_STR2(x)

/* One build painsim does: the file, its -D set, and where it is built. */
typedef struct {
    const char *file;
    const char *options;
    const char *caller;
} kc_build;

/* scan.cl: scan_create passes -DSCAN_WG=256, or the largest power of two up to the
 * device's max work-group size when that is smaller (the row's options are replaced). */
#define KC_SCAN_WG 256

static const kc_build kc_builds[] = {
    {"cellist.cl", "-DPS_NVARS=" KC_STR(AGENTS_NVARS), "host/agents.c"},
    {"agents_secrete.cl", "-DPS_NVARS=" KC_STR(AGENTS_NVARS), "host/agents.c"},
    {"agents_signal.cl", "-DPS_NVARS=" KC_STR(AGENTS_NVARS), "host/agents.c"},
    {"agents_move.cl", "-DPS_NVARS=" KC_STR(AGENTS_NVARS), "host/agents.c"},
    {"compact.cl", "-DPS_NVARS=" KC_STR(AGENTS_NVARS), "host/agents.c"},
    {"summary.cl", "-DPS_NVARS=" KC_STR(AGENTS_NVARS), "host/agents.c"},
    {"recruit.cl", "-DPS_NVARS=" KC_STR(AGENTS_NVARS), "host/agents.c"},
    {"contacts.cl", "-DPS_NVARS=" KC_STR(AGENTS_NVARS), "host/agents.c"},
    {"guards.cl", "-DPS_NVARS=" KC_STR(AGENTS_NVARS), "host/agents.c"},
    {"guards.cl", "", "host/field.c"},
    /* fields.cl: field_create_grid passes the longest line rounded up to 64 and the
       lanes, the device's float vector width on a CPU (8 with AVX2; 16 with AVX-512,
       where it builds cleanly) and 1 on a GPU */
    {"fields.cl", "-DPS_NMAX=256 -DPS_WX=8 -DPS_WYZ=8", "host/engine/field.c"},
    {"fields.cl", "-DPS_NMAX=256 -DPS_WX=1 -DPS_WYZ=1", "host/engine/field.c"},
    {"neurons.cl", "", "host/neurons.c"},
    {"pk.cl", "", "host/pk.c"},
    {"scan.cl", "-DSCAN_WG=" KC_STR(KC_SCAN_WG), "host/scan.c"},
    {"bench.cl", "", "bench/bench.c"},
    /* included by every other file; built alone to check that it stands by itself */
    {"common.cl", "", "#include in every file"},
};
#define KC_NBUILDS (sizeof kc_builds / sizeof kc_builds[0])

/* The clang targets: a name and the flags (-S: PTX text, -c: an object; neither links). */
typedef struct {
    const char *name;
    const char *flags;
} kc_target;

static const kc_target kc_targets[] = {
    {"nvptx64 (NVIDIA)", "-target nvptx64-nvidia-nvcl -march=sm_70 -S"},
    {"amdgcn (AMD)", "-target amdgcn-amd-amdhsa -mcpu=gfx90a -nogpulib -c"},
};
#define KC_NTARGETS (sizeof kc_targets / sizeof kc_targets[0])

/* clang defines __OPENCL_C_VERSION__ but not __OPENCL_VERSION__, which every OpenCL
 * runtime (PoCL, NVIDIA, AMD) defines and Random123 needs to pick its OpenCL settings. */
#define KC_CLANG_FLAGS                                                                      \
    "-x cl -D__OPENCL_VERSION__=120 -Xclang -finclude-default-header -Xclang -cl-ext=-all " \
    "-Wall -Wextra -Wno-unused-parameter -Werror -o /dev/null"

typedef struct {
    char kernel_dir[1024];
    char r123_dir[1024];
    const char *clang;
} kc_ctx;

/* The options device_build passes for one -D set. */
static void kc_options(const kc_ctx *c, const char *set, char *out, size_t n)
{
    snprintf(out, n, "-cl-std=CL1.2 -I %s -I %s %s", c->kernel_dir, c->r123_dir, set);
}

/* Runs a shell command, returns its exit status, its stdout+stderr in *text (malloc'd). */
static int kc_run(const char *cmd, char **text)
{
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    FILE *p = popen(cmd, "r");
    if (!buf || !p) {
        free(buf);
        if (p) pclose(p);
        *text = NULL;
        return -1;
    }
    size_t got;
    while ((got = fread(buf + len, 1, cap - len - 1, p)) > 0) {
        len += got;
        if (cap - len < 2) {
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) break;
            buf = bigger;
            cap *= 2;
        }
    }
    buf[len] = '\0';
    *text = buf;
    int st = pclose(p);
    return st == -1 ? -1 : WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* clang on one source for one target: 0 when it compiled without a warning, else the
 * exit status with the whole output in *text. */
static int kc_clang(const kc_ctx *c, const kc_target *t, const char *path, const char *opts,
                    char **text)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "%s %s %s %s %s 2>&1", c->clang, t->flags, KC_CLANG_FLAGS, opts,
             path);
    int rc = kc_run(cmd, text);
    if (rc == 0 && *text && (strstr(*text, "warning:") || strstr(*text, "error:"))) rc = 1;
    return rc;
}

static void kc_clang_all(const kc_ctx *c)
{
    for (size_t t = 0; t < KC_NTARGETS; t++) {
        int ok = 0;
        for (size_t i = 0; i < KC_NBUILDS; i++) {
            const kc_build *b = &kc_builds[i];
            char path[1100], opts[2200];
            snprintf(path, sizeof path, "%s/%s", c->kernel_dir, b->file);
            kc_options(c, b->options, opts, sizeof opts);
            char *text = NULL;
            int rc = kc_clang(c, &kc_targets[t], path, opts, &text);
            TEST_CHECK(rc == 0, "clang %s: %s [%s] (as %s builds it) failed (exit %d):\n%s",
                       kc_targets[t].name, path, b->options, b->caller, rc,
                       text ? text : "(no output)");
            ok += rc == 0;
            free(text);
        }
        printf("clang %s: %d of %zu builds compiled\n", kc_targets[t].name, ok, KC_NBUILDS);
    }
}

/* A bad program must fail on every clang target, naming its file and line: a double
 * constant (rejected without cl_khr_fp64) on line 2. */
static void kc_clang_control(const kc_ctx *c)
{
    char dir[] = "/tmp/painsim_kernels_XXXXXX", path[sizeof dir + 16];
    TEST_CHECK(mkdtemp(dir) != NULL, "cannot create a temporary folder");
    snprintf(path, sizeof path, "%s/bad.cl", dir);
    FILE *f = fopen(path, "w");
    TEST_CHECK(f != NULL, "cannot write %s", path);
    if (!f) return;
    fputs("#include \"common.cl\"\n"
          "__kernel void k(__global float *a) { a[0] = a[0] * 1.5; }\n", f);
    fclose(f);
    char want[64 + sizeof path], opts[2200];
    snprintf(want, sizeof want, "%s:2:", path);
    kc_options(c, "", opts, sizeof opts);
    for (size_t t = 0; t < KC_NTARGETS; t++) {
        char *text = NULL;
        int rc = kc_clang(c, &kc_targets[t], path, opts, &text);
        int caught = rc != 0 && text && strstr(text, want);
        TEST_CHECK(caught,
                   "clang %s: the negative control (a double constant on line 2) was not "
                   "reported as %s... (exit %d):\n%s",
                   kc_targets[t].name, want, rc, text ? text : "(no output)");
        if (caught) printf("clang %s: a bad program is rejected at %s\n", kc_targets[t].name, want);
        free(text);
    }
    unlink(path);
    rmdir(dir);
}

/* Builds source on the device with options; returns the CL status, the log in *log. */
static cl_int kc_cl_build(device *d, const char *src, const char *opts, char **log)
{
    cl_int rc;
    const char *srcs[] = {src};
    cl_device_id id = device_get_info(d)->id;
    cl_program prog = clCreateProgramWithSource(device_context(d), 1, srcs, NULL, &rc);
    *log = NULL;
    if (rc != CL_SUCCESS) return rc;
    rc = clBuildProgram(prog, 1, &id, opts, NULL, NULL);
    size_t len = 0;
    if (clGetProgramBuildInfo(prog, id, CL_PROGRAM_BUILD_LOG, 0, NULL, &len) == CL_SUCCESS &&
        (*log = malloc(len + 1)) != NULL) {
        if (clGetProgramBuildInfo(prog, id, CL_PROGRAM_BUILD_LOG, len, *log, NULL) != CL_SUCCESS)
            len = 0;
        (*log)[len] = '\0';
    }
    clReleaseProgram(prog);
    return rc;
}

/* The source of path, after a #line that makes the build log name path (PoCL compiles
 * the text from a temporary file): the lines are the file's own. */
static char *kc_read(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    size_t head = strlen(path) + 16;
    char *buf = len >= 0 ? malloc(head + (size_t)len + 1) : NULL;
    if (buf) {
        int n = snprintf(buf, head, "#line 1 \"%s\"\n", path);
        if (fread(buf + n, 1, (size_t)len, f) == (size_t)len) {
            buf[n + len] = '\0';
        } else {
            free(buf);
            buf = NULL;
        }
    }
    fclose(f);
    return buf;
}

static void kc_device(const kc_ctx *c, int index)
{
    ps_err err;
    ps_err_clear(&err);
    device *d = NULL;
    TEST_CHECK(device_open(&d, index, &err) == PS_OK, "device %d: %s", index, err.msg);
    if (!d) return;
    const char *name = device_description(d);
    int ok = 0;
    for (size_t i = 0; i < KC_NBUILDS; i++) {
        const kc_build *b = &kc_builds[i];
        char path[1100], opts[2200], set[64];
        snprintf(path, sizeof path, "%s/%s", c->kernel_dir, b->file);
        snprintf(set, sizeof set, "%s", b->options);
        if (strncmp(set, "-DSCAN_WG=", 10) == 0) {
            size_t wg = KC_SCAN_WG;
            while (wg > device_get_info(d)->max_work_group && wg > 1) wg >>= 1;
            snprintf(set, sizeof set, "-DSCAN_WG=%zu", wg);
        }
        kc_options(c, set, opts, sizeof opts);
        char *src = kc_read(path);
        TEST_CHECK(src != NULL, "cannot read %s", path);
        if (!src) continue;
        char *log = NULL;
        cl_int rc = kc_cl_build(d, src, opts, &log);
        int clean = rc == CL_SUCCESS &&
                    !(log && (strstr(log, "warning:") || strstr(log, "error:")));
        TEST_CHECK(clean,
                   "%s: building %s [%s] (as %s builds it) %s (CL status %d)\n  options: %s\n"
                   "--- build log ---\n%s\n--- end of build log ---",
                   name, path, set, b->caller, rc == CL_SUCCESS ? "warned" : "failed", (int)rc,
                   opts, log ? log : "(no log)");
        ok += clean;
        free(log);
        free(src);
    }
    printf("%s: %d of %zu builds compiled\n", name, ok, KC_NBUILDS);

    /* negative control: an undeclared identifier on line 2 must fail, with a line number */
    char opts[2200], *log = NULL;
    kc_options(c, "", opts, sizeof opts);
    fflush(stderr);
    int saved = dup(2), null = open("/dev/null", O_WRONLY);  /* PoCL echoes to stderr too */
    if (saved >= 0 && null >= 0) dup2(null, 2);
    cl_int rc = kc_cl_build(d,
                            "#line 1 \"control.cl\"\n"
                            "#include \"common.cl\"\n"
                            "__kernel void k(__global float *a) { a[0] = not_declared; }\n",
                            opts, &log);
    if (saved >= 0 && null >= 0) dup2(saved, 2);
    if (saved >= 0) close(saved);
    if (null >= 0) close(null);
    int caught = rc != CL_SUCCESS && log && strstr(log, "control.cl:2:") &&
                 strstr(log, "not_declared");
    TEST_CHECK(caught,
               "%s: the negative control (an undeclared identifier on line 2) was not reported "
               "as control.cl:2: (CL status %d):\n%s",
               name, (int)rc, log ? log : "(no log)");
    if (caught) printf("%s: a bad program is rejected at control.cl:2\n", name);
    free(log);
    device_close(d);
}

/* Every .cl file in kernels/ has a row in kc_builds. */
static void kc_coverage(const kc_ctx *c)
{
    DIR *dir = opendir(c->kernel_dir);
    TEST_CHECK(dir != NULL, "cannot list %s", c->kernel_dir);
    if (!dir) return;
    struct dirent *e;
    int n = 0;
    while ((e = readdir(dir)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 4 || strcmp(e->d_name + len - 3, ".cl") != 0) continue;
        int found = 0;
        for (size_t i = 0; i < KC_NBUILDS; i++) found |= strcmp(kc_builds[i].file, e->d_name) == 0;
        TEST_CHECK(found, "%s/%s is not in tests/test_kernels.c's table: add a row per "
                   "device_build call that builds it, with its -D options", c->kernel_dir,
                   e->d_name);
        n++;
    }
    closedir(dir);
    printf("%s: %d .cl files, %zu builds\n", c->kernel_dir, n, KC_NBUILDS);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);   /* in order with the compilers' stderr */
    kc_ctx c;
    /* as device_find_paths: $PAINSIM_KERNELS, $PAINSIM_RANDOM123_INCLUDE, else the defaults
     * of a run from the repository root */
    const char *env = getenv("PAINSIM_KERNELS");
    snprintf(c.kernel_dir, sizeof c.kernel_dir, "%s", env && *env ? env : "kernels");
    env = getenv("PAINSIM_RANDOM123_INCLUDE");
    snprintf(c.r123_dir, sizeof c.r123_dir, "%s", env && *env ? env : "/usr/include");
    env = getenv("CLANG");
    c.clang = env && *env ? env : "clang";

    kc_coverage(&c);
    char *text = NULL;
    char cmd[1100];
    snprintf(cmd, sizeof cmd, "%s --version 2>&1", c.clang);
    int rc = kc_run(cmd, &text);
    TEST_CHECK(rc == 0, "%s not found (exit %d): install clang (make deps) or set CLANG",
               c.clang, rc);
    if (rc == 0) {
        printf("%.*s\n", (int)strcspn(text, "\n"), text);
        kc_clang_all(&c);
        kc_clang_control(&c);
    }
    free(text);

    ps_err err;
    ps_err_clear(&err);
    device_info *list = NULL;
    int n = 0;
    TEST_CHECK(device_list(&list, &n, &err) == PS_OK && n > 0, "no OpenCL device: %s",
               err.msg);
    for (int i = 0; i < n; i++) kc_device(&c, list[i].index);
    free(list);
    return test_report("test_kernels");
}
