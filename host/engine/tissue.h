/* tissue.h — geometry of a tissue: grid dimensions, voxel volume, region membership,
 * and the sub-domain this rank owns (the whole grid until domain decomposition). */
#ifndef PAINSIM_TISSUE_H
#define PAINSIM_TISSUE_H

#include <stddef.h>
#include <stdint.h>

#include "scenario.h"

typedef struct {
    int dims[3];            /* voxels along x, y, z of this rank's grid (the whole tissue,
                               or under decomposition its slab plus halo planes) */
    int lo[3], hi[3];       /* local voxel range [lo, hi) this rank owns */
    int zoff;               /* tissue plane of local plane 0 */
    int nz_global;          /* planes of the whole tissue */
    double voxel_um;
    double voxel_volume_um3;
    double size_um[3];      /* the whole tissue, µm (agent positions are tissue coordinates) */
} tissue_grid;

void tissue_grid_init(tissue_grid *g, const scn_tissue *t);

/* Domain decomposition along z: this rank holds tissue planes [ze0, ze1) and owns
 * [z0, z1) of them (ze0 <= z0 < z1 <= ze1). */
void tissue_grid_init_slab(tissue_grid *g, const scn_tissue *t, int ze0, int ze1, int z0, int z1);
size_t tissue_grid_nvox(const tissue_grid *g);

/* The regions a voxel's centre lies in: bit r of the mask for region r. Voxel (x, y, z)
 * of grid g, z a local plane (tissue plane z + zoff). */
uint32_t tissue_voxel_mask(const scn_tissue *t, double voxel_um, int x, int y, int z_tissue);

/* The properties the regions give a voxel with region mask `mask`: the last region it
 * lies in overrides the earlier ones (none: multiplier 1, no sources or sinks). Returns
 * that region's index, or -1. */
int tissue_mask_region(uint32_t mask);
float tissue_mask_dmul(const scn_tissue *t, uint32_t mask);

/* The region mask of every voxel of grid g: mask[nvox], bit r set when the voxel centre
 * lies in region r. */
void tissue_region_mask(const scn_tissue *t, const tissue_grid *g, uint32_t *mask);

#endif
