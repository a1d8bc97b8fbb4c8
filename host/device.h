/* device.h — the OpenCL device: discovery, selection, program builds, launches.
 *
 * painsim runs unchanged on a CPU through PoCL and on NVIDIA/AMD GPUs: nothing here
 * assumes a device type. Kernels are .cl files under the kernel folder, loaded at run
 * time and specialised with -D options; the folder is $PAINSIM_KERNELS, else
 * <dir of the executable>/../kernels. Random123's headers are found under
 * $PAINSIM_RANDOM123_INCLUDE, else /usr/include.
 */
#ifndef PAINSIM_DEVICE_H
#define PAINSIM_DEVICE_H

#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
#include <stddef.h>

#include "status.h"

typedef struct {
    int index;                  /* global index across platforms, as `painsim devices` prints */
    int platform_index;
    char platform[128];
    char name[128];
    char vendor[128];
    char version[128];
    cl_device_type type;
    cl_ulong global_mem_bytes;
    cl_ulong max_alloc_bytes;
    cl_uint compute_units;
    size_t max_work_group;
    cl_ulong local_mem_bytes;   /* CL_DEVICE_LOCAL_MEM_SIZE (0 if the driver does not say) */
    cl_device_id id;
    cl_platform_id platform_id;
} device_info;

typedef struct device device;

/* Fills *list (malloc'd, caller frees) with every device of every platform. */
ps_status device_list(device_info **list, int *n, ps_err *err);

/* Opens device `index` (from device_list), or when index < 0: $PAINSIM_DEVICE if set,
 * else the first GPU, else the first accelerator, else the first CPU device. */
ps_status device_open(device **d, int index, ps_err *err);

/* Same, for one of several ranks on a node: without an index or $PAINSIM_DEVICE, takes
 * device number local_rank % k among the k devices of the best kind present, so ranks
 * 0..k-1 of a node get k different GPUs (CPU devices when there is no GPU). */
ps_status device_open_local(device **d, int index, int local_rank, ps_err *err);

void device_close(device *d);

const device_info *device_get_info(const device *d);
cl_context device_context(const device *d);
cl_command_queue device_queue(const device *d);
const char *device_kernel_dir(const device *d);

/* "platform / device (type, N MiB)" for logs and run.json. */
const char *device_description(const device *d);

/* Builds kernels/<file> with `options` (the -I paths are added). On failure the message
 * names the file, the options and carries the whole build log. */
ps_status device_build(device *d, const char *file, const char *options, cl_program *out,
                       ps_err *err);

/* Creates kernel `name` from program. */
ps_status device_kernel(cl_program prog, const char *name, cl_kernel *out, ps_err *err);

/* Enqueues a 1-D launch of `global` work-items (rounded up to a multiple of `local`
 * when local > 0; kernels check their bounds). A local size above what the kernel allows
 * on the device becomes the largest power of two it allows. Names the kernel on failure. */
/* Work-group size of the one-work-item-per-agent kernels: coalesced on GPUs, and on PoCL
 * 1.7-2.3 x faster for agents_move than the driver's own choice (measured: 1e5 agents,
 * PhysiCell's agents benchmark, 2-core EPYC, 33-40 against 16-19 ms). */
#define DEVICE_WG_ITEMS 64

ps_status device_launch(device *d, cl_kernel k, const char *name, size_t global, size_t local,
                        ps_err *err);

/* Buffer helpers; a failed allocation names `what` and the size. */
ps_status device_alloc(device *d, size_t bytes, const char *what, cl_mem *out, ps_err *err);
ps_status device_write(device *d, cl_mem m, size_t offset, size_t bytes, const void *src,
                       ps_err *err);
ps_status device_read(device *d, cl_mem m, size_t offset, size_t bytes, void *dst, ps_err *err);
ps_status device_fill_zero(device *d, cl_mem m, size_t bytes, ps_err *err);

/* Host <-> device copies made through device_read / device_write so far (make bench
 * shows that a step makes none outside output and the periodic capacity check). */
typedef struct {
    unsigned long long reads, writes, bytes_read, bytes_written;
} device_transfers;
device_transfers device_transfer_counts(const device *d);
/* sum += after - before */
void device_transfers_add(device_transfers *sum, device_transfers after, device_transfers before);
ps_status device_copy(device *d, cl_mem src, cl_mem dst, size_t bytes, ps_err *err);
ps_status device_finish(device *d, ps_err *err);
void device_release(cl_mem *m);

/* Text of an OpenCL error code ("CL_OUT_OF_RESOURCES"). */
const char *device_cl_error_string(cl_int code);
const char *device_type_string(cl_device_type t);

/* Turns an OpenCL return code into a PS_ERR_DEVICE with file, line and the call. */
#define CHECK_CL(call, err)                                                           \
    do {                                                                              \
        cl_int check_cl_rc_ = (call);                                                 \
        if (check_cl_rc_ != CL_SUCCESS)                                               \
            return ps_err_set((err), PS_ERR_DEVICE, "%s:%d: %s failed: %s (%d)",      \
                              __FILE__, __LINE__, #call,                              \
                              device_cl_error_string(check_cl_rc_), check_cl_rc_);    \
    } while (0)

/* Sets kernel argument i from a value: SETARG(k, i, cl_mem, buf, err). */
#define SETARG(k, i, T, v, err)                                                       \
    do {                                                                              \
        T setarg_v_ = (v);                                                            \
        CHECK_CL(clSetKernelArg((k), (i), sizeof(T), &setarg_v_), (err));            \
    } while (0)

#endif
