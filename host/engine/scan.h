/* scan.h — exclusive prefix sums of device uint arrays (kernels/scan.cl).
 * A plan holds the per-level scratch buffers for arrays up to max_n elements, so
 * a scan inside the step loop allocates nothing. */
#ifndef PAINSIM_SCAN_H
#define PAINSIM_SCAN_H

#include "device.h"

typedef struct scan_plan scan_plan;

/* Builds kernels/scan.cl and allocates scratch for arrays of up to max_n elements. */
ps_status scan_create(scan_plan **p, device *d, size_t max_n, ps_err *err);
void scan_destroy(scan_plan *p);

/* out[i] = sum of in[0..i-1] for i < n (in may equal out). Enqueued only: no wait. */
ps_status scan_exclusive(scan_plan *p, cl_mem in, cl_mem out, size_t n, ps_err *err);

/* Elements one work-group scans (for sizing). */
size_t scan_block_elems(const scan_plan *p);

#endif
