/* test_common.h — helpers for device tests: open the test device, build a one-tissue
 * scenario in memory. Tests run on whatever painsim would pick (PoCL in CI). */
#ifndef PAINSIM_TEST_COMMON_H
#define PAINSIM_TEST_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device.h"
#include "scenario.h"

static inline device *test_open_device(void)
{
    ps_err err;
    ps_err_clear(&err);
    device *d = NULL;
    if (device_open(&d, -1, &err) != PS_OK) {
        fprintf(stderr, "cannot open an OpenCL device: %s\n", err.msg);
        exit(1);
    }
    return d;
}

/* A scenario with one cubic tissue of n voxels of edge h (µm) and one mediator. */
static inline void test_one_tissue(scenario *s, int nx, int ny, int nz, double h, double dt_min,
                                   double D_um2_per_s, double half_life_min)
{
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "test");
    snprintf(s->source_path, sizeof s->source_path, "test");
    s->seed = 1;
    s->dt_min = dt_min;
    s->duration_h = 1;
    s->output_interval_h = 1;
    s->snapshot_interval_h = 1;
    s->agent_capacity_factor = 2;
    s->n_mediators = 1;
    snprintf(s->mediators[0].name, SCN_NAME_MAX, "M");
    s->mediators[0].D_um2_per_s = D_um2_per_s;
    s->mediators[0].half_life_min = half_life_min;
    s->mediators[0].kDa = 17;
    s->n_tissues = 1;
    scn_tissue *t = &s->tissues[0];
    snprintf(t->name, SCN_NAME_MAX, "box");
    t->size_um[0] = nx * h;
    t->size_um[1] = ny * h;
    t->size_um[2] = nz * h;
    t->voxel_um = h;
    t->tortuosity = 1;
    t->fields[0].present = 1;
    t->fields[0].D_um2_per_s = D_um2_per_s;
    t->fields[0].half_life_min = half_life_min;
}

#endif
