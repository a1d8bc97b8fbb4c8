/* tissue.c — see tissue.h. Region maps are built once on the host at start-up. */
#include "tissue.h"

#include <stddef.h>

void tissue_grid_init(tissue_grid *g, const scn_tissue *t)
{
    scenario_tissue_dims(t, g->dims);
    for (int a = 0; a < 3; a++) {
        g->lo[a] = 0;
        g->hi[a] = g->dims[a];
        g->size_um[a] = t->size_um[a];
    }
    g->zoff = 0;
    g->nz_global = g->dims[2];
    g->voxel_um = t->voxel_um;
    g->voxel_volume_um3 = t->voxel_um * t->voxel_um * t->voxel_um;
}

void tissue_grid_init_slab(tissue_grid *g, const scn_tissue *t, int ze0, int ze1, int z0, int z1)
{
    tissue_grid_init(g, t);
    g->dims[2] = ze1 - ze0;
    g->zoff = ze0;
    g->lo[2] = z0 - ze0;
    g->hi[2] = z1 - ze0;
}

size_t tissue_grid_nvox(const tissue_grid *g)
{
    return (size_t)g->dims[0] * (size_t)g->dims[1] * (size_t)g->dims[2];
}

void tissue_region_maps(const scn_tissue *t, const tissue_grid *g, const int *local_of,
                        int n_mediators, float *dmul, float *src, float *sink, uint32_t *mask)
{
    size_t nvox = tissue_grid_nvox(g);
    double h = g->voxel_um;
    for (size_t v = 0; v < nvox; v++) {
        dmul[v] = 1.0f;
        mask[v] = 0;
    }
    for (int m = 0; m < n_mediators; m++) {
        int f = local_of[m];
        if (f < 0) continue;
        for (size_t v = 0; v < nvox; v++) {
            src[(size_t)f * nvox + v] = 0.0f;
            sink[(size_t)f * nvox + v] = 0.0f;
        }
    }
    for (int z = 0; z < g->dims[2]; z++)
        for (int y = 0; y < g->dims[1]; y++)
            for (int x = 0; x < g->dims[0]; x++) {
                size_t v = ((size_t)z * g->dims[1] + y) * g->dims[0] + x;
                for (int r = 0; r < t->n_regions; r++) {
                    const scn_region *reg = &t->regions[r];
                    const double c[3] = {(x + 0.5) * h, (y + 0.5) * h, (z + g->zoff + 0.5) * h};
                    if (!scenario_region_contains(reg, c)) continue;
                    mask[v] |= 1u << r;
                    dmul[v] = (float)reg->diffusion_multiplier;
                    for (int m = 0; m < n_mediators; m++) {
                        int f = local_of[m];
                        if (f < 0) continue;
                        src[(size_t)f * nvox + v] = (float)reg->source_nM_per_min[m];
                        sink[(size_t)f * nvox + v] = (float)reg->sink_per_min[m];
                    }
                }
            }
}
