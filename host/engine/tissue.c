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

uint32_t tissue_voxel_mask(const scn_tissue *t, double h, int x, int y, int z_tissue)
{
    const double c[3] = {(x + 0.5) * h, (y + 0.5) * h, (z_tissue + 0.5) * h};
    uint32_t mask = 0;
    for (int r = 0; r < t->n_regions; r++)
        if (scenario_region_contains(&t->regions[r], c)) mask |= 1u << r;
    return mask;
}

int tissue_mask_region(uint32_t mask)
{
    int r = -1;
    for (int b = 0; b < 32; b++)
        if (mask & (1u << b)) r = b;
    return r;
}

float tissue_mask_dmul(const scn_tissue *t, uint32_t mask)
{
    int r = tissue_mask_region(mask);
    return r < 0 ? 1.0f : (float)t->regions[r].diffusion_multiplier;
}

void tissue_region_mask(const scn_tissue *t, const tissue_grid *g, uint32_t *mask)
{
    for (int z = 0; z < g->dims[2]; z++)
        for (int y = 0; y < g->dims[1]; y++)
            for (int x = 0; x < g->dims[0]; x++) {
                size_t v = ((size_t)z * g->dims[1] + y) * g->dims[0] + x;
                mask[v] = tissue_voxel_mask(t, g->voxel_um, x, y, z + g->zoff);
            }
}
