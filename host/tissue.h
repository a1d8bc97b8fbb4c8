/* tissue.h — geometry of a tissue: grid dimensions, voxel volume, region membership,
 * and the sub-domain this rank owns (the whole grid until domain decomposition). */
#ifndef PAINSIM_TISSUE_H
#define PAINSIM_TISSUE_H

#include <stddef.h>
#include <stdint.h>

#include "scenario.h"

typedef struct {
    int dims[3];            /* voxels along x, y, z (whole tissue) */
    int lo[3], hi[3];       /* voxel range [lo, hi) owned by this rank */
    double voxel_um;
    double voxel_volume_um3;
    double size_um[3];
} tissue_grid;

void tissue_grid_init(tissue_grid *g, const scn_tissue *t);
size_t tissue_grid_nvox(const tissue_grid *g);

/* Per-voxel property maps from the regions (later regions override earlier ones):
 * dmul[nvox] diffusion multiplier; for every mediator index m present in the tissue,
 * src[local_f][nvox] (nM/min) and sink[local_f][nvox] (1/min); mask[nvox] has bit r set
 * when the voxel centre lies in region r. local_of[m] maps a mediator index to the
 * tissue-local field index (-1 absent). */
void tissue_region_maps(const scn_tissue *t, const tissue_grid *g, const int *local_of,
                        int n_mediators, float *dmul, float *src, float *sink, uint32_t *mask);

#endif
