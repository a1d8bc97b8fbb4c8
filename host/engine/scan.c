/* scan.c — multi-level exclusive scan driver. Levels: n -> n/B -> n/B² ... until one
 * block, B = work-group size x 4 elements. */
#include "scan.h"

#include <stdio.h>
#include <stdlib.h>

#define SCAN_MAX_LEVELS 8
/* On CPU devices a work-item scans a chunk of its own, serially: the work-group scan's
 * barrier rounds are what costs there (8 M elements on PoCL, 2-core EPYC: 27 ms with
 * groups of 256 x 4 elements, 8.6 ms with one work-item per 1024). */
#ifndef SCAN_WG_CPU
#define SCAN_WG_CPU 1
#endif
#ifndef SCAN_ITEMS_CPU
#define SCAN_ITEMS_CPU 1024
#endif

struct scan_plan {
    device *dev;
    cl_program prog;
    cl_kernel k_block, k_add;
    size_t wg, block;           /* work-group size, elements per block */
    size_t max_n;
    int n_levels;
    cl_mem sums[SCAN_MAX_LEVELS];  /* block totals per level */
    cl_mem dummy;                  /* block sums target for the last level */
};

size_t scan_block_elems(const scan_plan *p) { return p->block; }

ps_status scan_create(scan_plan **out, device *d, size_t max_n, ps_err *err)
{
    *out = NULL;
    scan_plan *p = calloc(1, sizeof *p);
    if (!p) return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    p->dev = d;
    int cpu = (device_get_info(d)->type & CL_DEVICE_TYPE_CPU) != 0;
    size_t wg = cpu ? SCAN_WG_CPU : 256;
    size_t dev_wg = device_get_info(d)->max_work_group;
    while (wg > dev_wg && wg > 1) wg >>= 1;
    p->wg = wg;
    size_t items = cpu ? SCAN_ITEMS_CPU : 4;
    p->block = wg * items;
    p->max_n = max_n < 1 ? 1 : max_n;
    char opts[64];
    snprintf(opts, sizeof opts, "-DSCAN_WG=%zu -DSCAN_ITEMS=%zu", wg, items);
    ps_status s = device_build(d, "scan.cl", opts, &p->prog, err);
    if (s == PS_OK) s = device_kernel(p->prog, "scan_block", &p->k_block, err);
    if (s == PS_OK) s = device_kernel(p->prog, "scan_add", &p->k_add, err);
    size_t n = p->max_n;
    while (s == PS_OK && n > 1 && p->n_levels < SCAN_MAX_LEVELS) {
        size_t nb = (n + p->block - 1) / p->block;
        s = device_alloc(d, nb * sizeof(cl_uint), "scan block sums", &p->sums[p->n_levels], err);
        p->n_levels++;
        n = nb;
    }
    if (s == PS_OK) s = device_alloc(d, sizeof(cl_uint), "scan total", &p->dummy, err);
    if (s != PS_OK) {
        scan_destroy(p);
        return s;
    }
    *out = p;
    return PS_OK;
}

void scan_destroy(scan_plan *p)
{
    if (!p) return;
    for (int i = 0; i < p->n_levels; i++) device_release(&p->sums[i]);
    device_release(&p->dummy);
    if (p->k_block) clReleaseKernel(p->k_block);
    if (p->k_add) clReleaseKernel(p->k_add);
    if (p->prog) clReleaseProgram(p->prog);
    free(p);
}

static ps_status scan_level(scan_plan *p, cl_mem in, cl_mem out, size_t n, int level, ps_err *err)
{
    size_t nb = (n + p->block - 1) / p->block;
    cl_mem sums = nb > 1 ? p->sums[level] : p->dummy;
    if (nb > 1 && level >= p->n_levels)
        return ps_err_set(err, PS_ERR_INTERNAL, "scan of %zu elements exceeds its plan (%zu)", n,
                          p->max_n);
    cl_uint nn = (cl_uint)n;
    SETARG(p->k_block, 0, cl_mem, in, err);
    SETARG(p->k_block, 1, cl_mem, out, err);
    SETARG(p->k_block, 2, cl_mem, sums, err);
    SETARG(p->k_block, 3, cl_uint, nn, err);
    PS_TRY(device_launch(p->dev, p->k_block, "scan_block", nb * p->wg, p->wg, err));
    if (nb == 1) return PS_OK;
    PS_TRY(scan_level(p, sums, sums, nb, level + 1, err));
    SETARG(p->k_add, 0, cl_mem, out, err);
    SETARG(p->k_add, 1, cl_mem, sums, err);
    SETARG(p->k_add, 2, cl_uint, nn, err);
    return device_launch(p->dev, p->k_add, "scan_add", nb * p->wg, p->wg, err);
}

ps_status scan_exclusive(scan_plan *p, cl_mem in, cl_mem out, size_t n, ps_err *err)
{
    if (n == 0) return PS_OK;
    if (n > p->max_n || n > 0xffffffffu)
        return ps_err_set(err, PS_ERR_INTERNAL, "scan of %zu elements exceeds its plan (%zu)", n,
                          p->max_n);
    return scan_level(p, in, out, n, 0, err);
}
