/* device.c — OpenCL discovery, selection, program build and launch helpers.
 *
 * One in-order queue per device: every step's kernels are enqueued back to back and
 * the host only waits when it reads output, so a GPU never idles on the host.
 */
#include "device.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct device {
    device_info info;
    cl_context ctx;
    cl_command_queue queue;
    char kernel_dir[PATH_MAX];
    char r123_dir[PATH_MAX];
    char description[512];
    device_transfers xfer;          /* host <-> device copies so far */
    /* $PAINSIM_KERNEL_PROFILE set: every launch is timed by its event (which serialises
       the queue) and the totals per kernel go to stderr when the device closes */
    int profile;
#define DEVICE_PROF_MAX 64          /* kernels profiled by name; the rest are pooled */
    struct {
        char name[48];
        double ms;
        long launches;
    } prof[DEVICE_PROF_MAX];
    int n_prof;
};

const char *device_cl_error_string(cl_int code)
{
    switch (code) {
#define E(x) case x: return #x;
    E(CL_SUCCESS) E(CL_DEVICE_NOT_FOUND) E(CL_DEVICE_NOT_AVAILABLE) E(CL_COMPILER_NOT_AVAILABLE)
    E(CL_MEM_OBJECT_ALLOCATION_FAILURE) E(CL_OUT_OF_RESOURCES) E(CL_OUT_OF_HOST_MEMORY)
    E(CL_PROFILING_INFO_NOT_AVAILABLE) E(CL_MEM_COPY_OVERLAP) E(CL_IMAGE_FORMAT_MISMATCH)
    E(CL_IMAGE_FORMAT_NOT_SUPPORTED) E(CL_BUILD_PROGRAM_FAILURE) E(CL_MAP_FAILURE)
    E(CL_MISALIGNED_SUB_BUFFER_OFFSET) E(CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST)
    E(CL_COMPILE_PROGRAM_FAILURE) E(CL_LINKER_NOT_AVAILABLE) E(CL_LINK_PROGRAM_FAILURE)
    E(CL_DEVICE_PARTITION_FAILED) E(CL_KERNEL_ARG_INFO_NOT_AVAILABLE) E(CL_INVALID_VALUE)
    E(CL_INVALID_DEVICE_TYPE) E(CL_INVALID_PLATFORM) E(CL_INVALID_DEVICE) E(CL_INVALID_CONTEXT)
    E(CL_INVALID_QUEUE_PROPERTIES) E(CL_INVALID_COMMAND_QUEUE) E(CL_INVALID_HOST_PTR)
    E(CL_INVALID_MEM_OBJECT) E(CL_INVALID_IMAGE_FORMAT_DESCRIPTOR) E(CL_INVALID_IMAGE_SIZE)
    E(CL_INVALID_SAMPLER) E(CL_INVALID_BINARY) E(CL_INVALID_BUILD_OPTIONS) E(CL_INVALID_PROGRAM)
    E(CL_INVALID_PROGRAM_EXECUTABLE) E(CL_INVALID_KERNEL_NAME) E(CL_INVALID_KERNEL_DEFINITION)
    E(CL_INVALID_KERNEL) E(CL_INVALID_ARG_INDEX) E(CL_INVALID_ARG_VALUE) E(CL_INVALID_ARG_SIZE)
    E(CL_INVALID_KERNEL_ARGS) E(CL_INVALID_WORK_DIMENSION) E(CL_INVALID_WORK_GROUP_SIZE)
    E(CL_INVALID_WORK_ITEM_SIZE) E(CL_INVALID_GLOBAL_OFFSET) E(CL_INVALID_EVENT_WAIT_LIST)
    E(CL_INVALID_EVENT) E(CL_INVALID_OPERATION) E(CL_INVALID_GL_OBJECT) E(CL_INVALID_BUFFER_SIZE)
    E(CL_INVALID_MIP_LEVEL) E(CL_INVALID_GLOBAL_WORK_SIZE) E(CL_INVALID_PROPERTY)
    E(CL_INVALID_IMAGE_DESCRIPTOR) E(CL_INVALID_COMPILER_OPTIONS) E(CL_INVALID_LINKER_OPTIONS)
    E(CL_INVALID_DEVICE_PARTITION_COUNT)
#undef E
    case -1001: return "CL_PLATFORM_NOT_FOUND_KHR (no OpenCL platform: is an ICD such as pocl-opencl-icd installed?)";
    default: return "unknown OpenCL error";
    }
}

const char *device_type_string(cl_device_type t)
{
    if (t & CL_DEVICE_TYPE_GPU) return "GPU";
    if (t & CL_DEVICE_TYPE_ACCELERATOR) return "accelerator";
    if (t & CL_DEVICE_TYPE_CPU) return "CPU";
    return "other";
}

static void device_trim(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\n')) s[--n] = '\0';
}

ps_status device_list(device_info **list, int *n, ps_err *err)
{
    *list = NULL;
    *n = 0;
    cl_uint np = 0;
    cl_int rc = clGetPlatformIDs(0, NULL, &np);
    if (rc == -1001 || np == 0)
        return ps_err_set(err, PS_ERR_DEVICE,
                          "no OpenCL platform found: install an OpenCL driver (on Debian: "
                          "`make deps` installs pocl-opencl-icd for CPUs; GPU vendors ship "
                          "their own ICD in /etc/OpenCL/vendors)");
    CHECK_CL(rc, err);
    cl_platform_id *plats = calloc(np, sizeof *plats);
    if (!plats) return ps_err_set(err, PS_ERR_MEMORY, "out of host memory listing platforms");
    rc = clGetPlatformIDs(np, plats, NULL);
    if (rc != CL_SUCCESS) {
        free(plats);
        CHECK_CL(rc, err);
    }
    int cap = 0;
    device_info *out = NULL;
    for (cl_uint p = 0; p < np; p++) {
        cl_uint nd = 0;
        if (clGetDeviceIDs(plats[p], CL_DEVICE_TYPE_ALL, 0, NULL, &nd) != CL_SUCCESS || nd == 0)
            continue;
        cl_device_id *ids = calloc(nd, sizeof *ids);
        if (!ids) break;
        clGetDeviceIDs(plats[p], CL_DEVICE_TYPE_ALL, nd, ids, NULL);
        for (cl_uint d = 0; d < nd; d++) {
            if (*n == cap) {
                cap = cap ? 2 * cap : 8;
                device_info *grown = realloc(out, (size_t)cap * sizeof *out);
                if (!grown) {
                    free(ids);
                    free(plats);
                    free(out);
                    return ps_err_set(err, PS_ERR_MEMORY, "out of host memory listing devices");
                }
                out = grown;
            }
            device_info *di = &out[*n];
            memset(di, 0, sizeof *di);
            di->index = *n;
            di->platform_index = (int)p;
            di->id = ids[d];
            di->platform_id = plats[p];
            clGetPlatformInfo(plats[p], CL_PLATFORM_NAME, sizeof di->platform - 1, di->platform, NULL);
            clGetDeviceInfo(ids[d], CL_DEVICE_NAME, sizeof di->name - 1, di->name, NULL);
            clGetDeviceInfo(ids[d], CL_DEVICE_VENDOR, sizeof di->vendor - 1, di->vendor, NULL);
            clGetDeviceInfo(ids[d], CL_DEVICE_VERSION, sizeof di->version - 1, di->version, NULL);
            clGetDeviceInfo(ids[d], CL_DEVICE_TYPE, sizeof di->type, &di->type, NULL);
            clGetDeviceInfo(ids[d], CL_DEVICE_GLOBAL_MEM_SIZE, sizeof di->global_mem_bytes,
                            &di->global_mem_bytes, NULL);
            clGetDeviceInfo(ids[d], CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof di->max_alloc_bytes,
                            &di->max_alloc_bytes, NULL);
            clGetDeviceInfo(ids[d], CL_DEVICE_MAX_COMPUTE_UNITS, sizeof di->compute_units,
                            &di->compute_units, NULL);
            clGetDeviceInfo(ids[d], CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof di->max_work_group,
                            &di->max_work_group, NULL);
            if (clGetDeviceInfo(ids[d], CL_DEVICE_LOCAL_MEM_SIZE, sizeof di->local_mem_bytes,
                                &di->local_mem_bytes, NULL) != CL_SUCCESS)
                di->local_mem_bytes = 0;
            device_trim(di->platform);
            device_trim(di->name);
            (*n)++;
        }
        free(ids);
    }
    free(plats);
    if (*n == 0) {
        free(out);
        return ps_err_set(err, PS_ERR_DEVICE, "OpenCL platforms found, but no device on any of them");
    }
    *list = out;
    return PS_OK;
}

/* The folder holding the executable, for finding kernels/ next to bin/. */
static void device_exe_dir(char *buf, size_t n)
{
    ssize_t len = readlink("/proc/self/exe", buf, n - 1);
    if (len <= 0) {
        snprintf(buf, n, ".");
        return;
    }
    buf[len] = '\0';
    char *slash = strrchr(buf, '/');
    if (slash) *slash = '\0';
}

static int device_is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static ps_status device_find_paths(device *d, ps_err *err)
{
    const char *env = getenv("PAINSIM_KERNELS");
    char probe[PATH_MAX + 32];
    if (env && *env) {
        snprintf(d->kernel_dir, sizeof d->kernel_dir, "%s", env);
    } else {
        char exe[PATH_MAX - 64];
        device_exe_dir(exe, sizeof exe);
        snprintf(d->kernel_dir, sizeof d->kernel_dir, "%s/../kernels", exe);
        snprintf(probe, sizeof probe, "%s/common.cl", d->kernel_dir);
        if (!device_is_file(probe)) snprintf(d->kernel_dir, sizeof d->kernel_dir, "kernels");
    }
    snprintf(probe, sizeof probe, "%s/common.cl", d->kernel_dir);
    if (!device_is_file(probe))
        return ps_err_set(err, PS_ERR_IO,
                          "kernel folder '%s' has no common.cl: set PAINSIM_KERNELS to painsim's "
                          "kernels/ folder", d->kernel_dir);
    if (strchr(d->kernel_dir, ' '))
        return ps_err_set(err, PS_ERR_IO,
                          "kernel folder '%s' contains a space, which OpenCL build options cannot "
                          "carry: set PAINSIM_KERNELS to a path without spaces", d->kernel_dir);
    env = getenv("PAINSIM_RANDOM123_INCLUDE");
    snprintf(d->r123_dir, sizeof d->r123_dir, "%s", env && *env ? env : "/usr/include");
    snprintf(probe, sizeof probe, "%s/Random123/philox.h", d->r123_dir);
    if (!device_is_file(probe))
        return ps_err_set(err, PS_ERR_IO,
                          "Random123 headers not found at %s: install librandom123-dev (make deps) "
                          "or set PAINSIM_RANDOM123_INCLUDE to the folder holding Random123/",
                          probe);
    return PS_OK;
}

/* The best kind present (GPU, then accelerator, then CPU); among the k devices of that
 * kind, number local_rank % k, so the ranks of one node spread over its GPUs. */
static int device_default_index(const device_info *list, int n, int local_rank)
{
    static const cl_device_type order[] = {CL_DEVICE_TYPE_GPU, CL_DEVICE_TYPE_ACCELERATOR,
                                           CL_DEVICE_TYPE_CPU};
    for (size_t o = 0; o < sizeof order / sizeof order[0]; o++) {
        int k = 0;
        for (int i = 0; i < n; i++) k += (list[i].type & order[o]) != 0;
        if (k == 0) continue;
        int want = (local_rank < 0 ? 0 : local_rank) % k;
        for (int i = 0; i < n; i++)
            if ((list[i].type & order[o]) && want-- == 0) return i;
    }
    return 0;
}

ps_status device_open(device **out, int index, ps_err *err)
{
    return device_open_local(out, index, 0, err);
}

ps_status device_open_local(device **out, int index, int local_rank, ps_err *err)
{
    *out = NULL;
    device_info *list = NULL;
    int n = 0;
    PS_TRY(device_list(&list, &n, err));
    if (index < 0) {
        const char *env = getenv("PAINSIM_DEVICE");
        if (env && *env) {
            char *end = NULL;
            long v = strtol(env, &end, 10);
            if (*end != '\0' || v < 0) {
                free(list);
                return ps_err_set(err, PS_ERR_USAGE,
                                  "PAINSIM_DEVICE='%s': expected a device index from "
                                  "`painsim devices`", env);
            }
            index = (int)v;
        } else {
            index = device_default_index(list, n, local_rank);
        }
    }
    if (index >= n) {
        free(list);
        return ps_err_set(err, PS_ERR_USAGE,
                          "device %d does not exist: there are %d OpenCL device(s); "
                          "`painsim devices` lists them", index, n);
    }
    device *d = calloc(1, sizeof *d);
    if (!d) {
        free(list);
        return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    }
    d->info = list[index];
    free(list);
    ps_status s = device_find_paths(d, err);
    if (s != PS_OK) {
        free(d);
        return s;
    }
    cl_int rc;
    cl_context_properties props[] = {CL_CONTEXT_PLATFORM, (cl_context_properties)d->info.platform_id, 0};
    d->ctx = clCreateContext(props, 1, &d->info.id, NULL, NULL, &rc);
    if (rc != CL_SUCCESS) {
        free(d);
        CHECK_CL(rc, err);
    }
    const char *pe = getenv("PAINSIM_KERNEL_PROFILE");
    d->profile = pe && *pe && strcmp(pe, "0") != 0;
    d->queue = clCreateCommandQueue(d->ctx, d->info.id,
                                    d->profile ? CL_QUEUE_PROFILING_ENABLE : 0, &rc);
    if (rc != CL_SUCCESS) {
        clReleaseContext(d->ctx);
        free(d);
        CHECK_CL(rc, err);
    }
    snprintf(d->description, sizeof d->description, "%s / %s (%s, %llu MiB)", d->info.platform,
             d->info.name, device_type_string(d->info.type),
             (unsigned long long)(d->info.global_mem_bytes >> 20));
    *out = d;
    return PS_OK;
}

/* Adds one launch of `name` taking `ms` to the profile (names past 64 are pooled). */
static void device_profile_add(device *d, const char *name, double ms)
{
    int i = 0;
    while (i < d->n_prof && strcmp(d->prof[i].name, name) != 0) i++;
    if (i == d->n_prof) {
        if (d->n_prof == DEVICE_PROF_MAX) {
            i = d->n_prof - 1;
            snprintf(d->prof[i].name, sizeof d->prof[i].name, "(others)");
        } else {
            snprintf(d->prof[i].name, sizeof d->prof[i].name, "%s", name);
            d->prof[i].ms = 0.0;
            d->prof[i].launches = 0;
            d->n_prof++;
        }
    }
    d->prof[i].ms += ms;
    d->prof[i].launches++;
}

static void device_profile_print(const device *d)
{
    double total = 0.0;
    for (int i = 0; i < d->n_prof; i++) total += d->prof[i].ms;
    fprintf(stderr, "kernel profile ($PAINSIM_KERNEL_PROFILE): %d kernels, %.1f ms in all\n",
            d->n_prof, total);
    fprintf(stderr, "  %-30s %10s %12s %10s %6s\n", "kernel", "launches", "ms", "ms/launch",
            "share");
    int done[DEVICE_PROF_MAX] = {0};
    for (int r = 0; r < d->n_prof; r++) {          /* largest first */
        int b = -1;
        for (int i = 0; i < d->n_prof; i++)
            if (!done[i] && (b < 0 || d->prof[i].ms > d->prof[b].ms)) b = i;
        done[b] = 1;
        fprintf(stderr, "  %-30s %10ld %12.2f %10.3f %5.1f%%\n", d->prof[b].name,
                d->prof[b].launches, d->prof[b].ms, d->prof[b].ms / (double)d->prof[b].launches,
                total > 0.0 ? 100.0 * d->prof[b].ms / total : 0.0);
    }
}

void device_close(device *d)
{
    if (!d) return;
    if (d->profile && d->n_prof > 0) device_profile_print(d);
    if (d->queue) clReleaseCommandQueue(d->queue);
    if (d->ctx) clReleaseContext(d->ctx);
    free(d);
}

const device_info *device_get_info(const device *d) { return &d->info; }
cl_context device_context(const device *d) { return d->ctx; }
cl_command_queue device_queue(const device *d) { return d->queue; }
const char *device_kernel_dir(const device *d) { return d->kernel_dir; }
const char *device_description(const device *d) { return d->description; }

static char *device_read_text(const char *path, ps_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        ps_err_set(err, PS_ERR_IO, "%s: cannot open kernel source: %s", path, strerror(errno));
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = len >= 0 ? malloc((size_t)len + 1) : NULL;
    if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
        free(buf);
        fclose(f);
        ps_err_set(err, PS_ERR_IO, "%s: cannot read kernel source", path);
        return NULL;
    }
    buf[len] = '\0';
    fclose(f);
    return buf;
}

ps_status device_build(device *d, const char *file, const char *options, cl_program *out,
                       ps_err *err)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s", d->kernel_dir, file);
    char *src = device_read_text(path, err);
    if (!src) return err ? err->code : PS_ERR_IO;
    cl_int rc;
    const char *srcs[] = {src};
    cl_program prog = clCreateProgramWithSource(d->ctx, 1, srcs, NULL, &rc);
    free(src);
    CHECK_CL(rc, err);
    size_t optlen = strlen(options) + 2 * PATH_MAX + 64;
    char *opts = malloc(optlen);
    if (!opts) {
        clReleaseProgram(prog);
        return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    }
    snprintf(opts, optlen, "-cl-std=CL1.2 -I %s -I %s %s", d->kernel_dir, d->r123_dir, options);
    rc = clBuildProgram(prog, 1, &d->info.id, opts, NULL, NULL);
    if (rc != CL_SUCCESS) {
        size_t loglen = 0;
        clGetProgramBuildInfo(prog, d->info.id, CL_PROGRAM_BUILD_LOG, 0, NULL, &loglen);
        char *log = malloc(loglen + 1);
        if (log) {
            clGetProgramBuildInfo(prog, d->info.id, CL_PROGRAM_BUILD_LOG, loglen, log, NULL);
            log[loglen] = '\0';
        }
        ps_err_set(err, PS_ERR_DEVICE,
                   "building kernel file %s failed (%s)\n  options: %s\n  device: %s\n"
                   "--- build log ---\n%s\n--- end of build log ---",
                   path, device_cl_error_string(rc), opts, d->description,
                   log ? log : "(no log)");
        free(log);
        free(opts);
        clReleaseProgram(prog);
        return PS_ERR_DEVICE;
    }
    free(opts);
    *out = prog;
    return PS_OK;
}

ps_status device_kernel(cl_program prog, const char *name, cl_kernel *out, ps_err *err)
{
    cl_int rc;
    *out = clCreateKernel(prog, name, &rc);
    if (rc != CL_SUCCESS)
        return ps_err_set(err, PS_ERR_DEVICE, "creating kernel '%s' failed: %s", name,
                          device_cl_error_string(rc));
    return PS_OK;
}

ps_status device_launch(device *d, cl_kernel k, const char *name, size_t global, size_t local,
                        ps_err *err)
{
    if (global == 0) return PS_OK;
    if (local > 0) {
        /* at most what this kernel allows on this device (registers, private memory):
           the largest power of two within it */
        size_t kmax = 0;
        if (clGetKernelWorkGroupInfo(k, d->info.id, CL_KERNEL_WORK_GROUP_SIZE, sizeof kmax, &kmax,
                                     NULL) == CL_SUCCESS && kmax > 0 && local > kmax) {
            size_t p = 1;
            while (2 * p <= kmax) p *= 2;
            local = p;
        }
        global = (global + local - 1) / local * local;
    }
    cl_event ev = NULL;
    cl_int rc = clEnqueueNDRangeKernel(d->queue, k, 1, NULL, &global, local > 0 ? &local : NULL,
                                       0, NULL, d->profile ? &ev : NULL);
    if (rc != CL_SUCCESS)
        return ps_err_set(err, PS_ERR_DEVICE,
                          "launching kernel '%s' (%zu work-items, local %zu) failed: %s", name,
                          global, local, device_cl_error_string(rc));
    if (ev) {
        cl_ulong t0 = 0, t1 = 0;
        if (clWaitForEvents(1, &ev) == CL_SUCCESS &&
            clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_START, sizeof t0, &t0, NULL) == CL_SUCCESS &&
            clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_END, sizeof t1, &t1, NULL) == CL_SUCCESS)
            device_profile_add(d, name, (double)(t1 - t0) * 1e-6);
        clReleaseEvent(ev);
    }
    return PS_OK;
}

ps_status device_alloc(device *d, size_t bytes, const char *what, cl_mem *out, ps_err *err)
{
    cl_int rc;
    *out = NULL;
    if (bytes == 0) bytes = 16;
    if (bytes > d->info.max_alloc_bytes)
        return ps_err_set(err, PS_ERR_MEMORY,
                          "%s needs %.1f MiB in one buffer, more than device '%s' allows "
                          "(%.1f MiB per buffer); reduce the scenario size or pick another "
                          "device (--device; on PoCL raise POCL_MEMORY_LIMIT)",
                          what, bytes / 1048576.0, d->info.name,
                          d->info.max_alloc_bytes / 1048576.0);
    *out = clCreateBuffer(d->ctx, CL_MEM_READ_WRITE, bytes, NULL, &rc);
    if (rc != CL_SUCCESS)
        return ps_err_set(err, PS_ERR_MEMORY, "allocating %s (%.1f MiB) on '%s' failed: %s", what,
                          bytes / 1048576.0, d->info.name, device_cl_error_string(rc));
    return PS_OK;
}

ps_status device_write(device *d, cl_mem m, size_t offset, size_t bytes, const void *src,
                       ps_err *err)
{
    if (bytes == 0) return PS_OK;
    CHECK_CL(clEnqueueWriteBuffer(d->queue, m, CL_TRUE, offset, bytes, src, 0, NULL, NULL), err);
    d->xfer.writes++;
    d->xfer.bytes_written += bytes;
    return PS_OK;
}

ps_status device_read(device *d, cl_mem m, size_t offset, size_t bytes, void *dst, ps_err *err)
{
    if (bytes == 0) return PS_OK;
    CHECK_CL(clEnqueueReadBuffer(d->queue, m, CL_TRUE, offset, bytes, dst, 0, NULL, NULL), err);
    d->xfer.reads++;
    d->xfer.bytes_read += bytes;
    return PS_OK;
}

device_transfers device_transfer_counts(const device *d) { return d->xfer; }

void device_transfers_add(device_transfers *sum, device_transfers after, device_transfers before)
{
    sum->reads += after.reads - before.reads;
    sum->writes += after.writes - before.writes;
    sum->bytes_read += after.bytes_read - before.bytes_read;
    sum->bytes_written += after.bytes_written - before.bytes_written;
}

ps_status device_fill_zero(device *d, cl_mem m, size_t bytes, ps_err *err)
{
    if (bytes == 0) return PS_OK;
    const cl_uchar zero = 0;
    CHECK_CL(clEnqueueFillBuffer(d->queue, m, &zero, 1, 0, bytes, 0, NULL, NULL), err);
    return PS_OK;
}

ps_status device_copy(device *d, cl_mem src, cl_mem dst, size_t bytes, ps_err *err)
{
    if (bytes == 0) return PS_OK;
    CHECK_CL(clEnqueueCopyBuffer(d->queue, src, dst, 0, 0, bytes, 0, NULL, NULL), err);
    return PS_OK;
}

ps_status device_finish(device *d, ps_err *err)
{
    CHECK_CL(clFinish(d->queue), err);
    return PS_OK;
}

void device_release(cl_mem *m)
{
    if (m && *m) {
        clReleaseMemObject(*m);
        *m = NULL;
    }
}
