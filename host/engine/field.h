/* field.h — the diffusing mediators of one tissue, on the device (kernels/fields.cl).
 *
 * A field_set owns, for the nf mediators present in its tissue, the concentrations
 * (nM, float32, [nf][nz][ny][nx]), the regions (a region-combination id per voxel and a
 * small table of each combination's sources and sinks), the Thomas factors of the
 * implicit sweeps (one factor vector per distinct line profile of the D multiplier, per
 * axis and field), and the per-step agent secretion/uptake buffers that the agents module
 * fills, for the voxels that hold agents, before field_step. field_step_ref is the
 * plain-C reference of one step, used by tests.
 */
#ifndef PAINSIM_FIELD_H
#define PAINSIM_FIELD_H

#include "device.h"
#include "scenario.h"
#include "tissue.h"

typedef struct field_set field_set;

/* Host copy of everything one step needs; also the input of field_step_ref. */
typedef struct {
    tissue_grid grid;                    /* this rank's grid (whole tissue, or slab + halo) */
    int nf;                              /* fields present in the tissue */
    int dims[3];
    size_t nvox;
    double dt_min;
    int mediator_of[SCN_MAX_MEDIATORS];  /* local field -> mediator index */
    int local_of[SCN_MAX_MEDIATORS];     /* mediator index -> local field, -1 absent */
    float alpha[SCN_MAX_MEDIATORS];      /* dt * D / dx², per local field */
    float decay[SCN_MAX_MEDIATORS];      /* 1/min */
    int bc_kind[SCN_MAX_MEDIATORS * 6];
    float bc_value[SCN_MAX_MEDIATORS * 6];
    uint32_t *region_mask;               /* [nvox] bit r: voxel centre in region r */
    float *src;                          /* [nf][nvox] nM/min */
    float *sink;                         /* [nf][nvox] 1/min */
    /* regions as data the kernels read: voxels with the same region mask share sources,
       sinks and D multiplier, so a voxel carries only its combination's id */
    int n_combo;
    uint16_t *combo;                     /* [nvox] region combination of the voxel */
    float *combo_src;                    /* [n_combo][nf] nM/min */
    float *combo_sink;                   /* [n_combo][nf] 1/min */
    float *combo_dmul;                   /* [n_combo] D multiplier */
    /* Thomas factors of the implicit sweep along each axis. A line's factors depend only
       on its D-multiplier profile, the field's alpha and the axis's boundary kinds, so
       lines with the same profile share them. Line numbering: x lines z*ny + y, y lines
       z*nx + x, z lines y*nx + x. fac[a] [nf][n_prof[a]][fac_n[a]] of (a_right, 1/denom,
       c, 0); bfac[a] [nf][n_prof[a]] of (b_lo, b_hi), the fixed-face coefficients. Along
       z the table covers the whole tissue (fac_n[2] = nz_global), indexed by tissue plane,
       so a decomposed rank's factors are those of the one-rank solve. */
    int n_lines[3], n_prof[3], fac_n[3];
    uint32_t *line_prof[3];              /* [n_lines[a]] profile of each line */
    float *fac[3];                       /* [nf][n_prof][fac_n][4] */
    float *bfac[3];                      /* [nf][n_prof][2] */
} field_params;

/* Builds the parameters of tissue t of s for step dt (allocates the maps). */
ps_status field_params_init(field_params *p, const scenario *s, int t, ps_err *err);
/* Same on a given grid (a decomposed rank's slab and halo planes). */
ps_status field_params_init_grid(field_params *p, const scenario *s, int t, const tissue_grid *g,
                                 ps_err *err);
void field_params_free(field_params *p);

/* Creates the device buffers and kernels for tissue t, with initial concentrations. */
ps_status field_create(field_set **fs, device *d, const scenario *s, int t, ps_err *err);
ps_status field_create_grid(field_set **fs, device *d, const scenario *s, int t,
                            const tissue_grid *g, ps_err *err);
/* How the x sweep runs (with the reaction): FIELD_X_SPLIT, its own pass (field_sweep_x);
 * FIELD_X_XY, with the y sweep, a z plane per work-item in local memory (CPUs:
 * field_sweep_xy), and then z from a y row's slab in local memory where it fits
 * (field_sweep_z_slab); FIELD_X_TILE, a work-group's lines loaded and stored together through
 * local memory (GPUs: field_sweep_x_tile, the group size = lines per tile). */
enum { FIELD_X_SPLIT, FIELD_X_XY, FIELD_X_TILE };
/* Same with the sweeps' lanes (1, 4, 8 or 16 lines per work-item of the x sweep and of
 * the y and z sweeps), work-group size (0: the driver's choice) and x mode given (refused
 * where the device's local memory is too small for it), instead of the defaults for the
 * device type (tests run every layout on a CPU this way). */
ps_status field_create_lanes(field_set **fs, device *d, const scenario *s, int t,
                             const tissue_grid *g, int wx, int wyz, int wg, int xmode,
                             ps_err *err);
/* How many times a step's sweeps read and write every value: 2 where x and y are swept
 * together (then z), 3 where each axis is its own pass. */
int field_memory_passes(const field_set *fs);
/* The local memory (bytes) that field_sweep_xy needs for an nx x ny plane at wx lanes,
 * and that field_sweep_x_tile needs for tiles of wg lines of nx. */
size_t field_xy_local_bytes(int nx, int ny, int wx);
size_t field_tile_local_bytes(int nx, int wg);
/* ... and that field_sweep_z_slab needs for a y row of nx x nz values. */
size_t field_zslab_local_bytes(int nx, int nz);
void field_destroy(field_set *fs);

const field_params *field_get_params(const field_set *fs);
cl_mem field_conc_buffer(const field_set *fs);
cl_mem field_agent_src_buffer(const field_set *fs);   /* [nf][nvox] nM/min, read where occupied */
cl_mem field_agent_upt_buffer(const field_set *fs);   /* [nf][nvox] 1/min, read where occupied */
/* The per-voxel agent counts ([nvox] uint, the cell list's bin counts) that say where the
 * agent buffers hold this step's values: voxels with a zero count get no agent terms,
 * whatever their buffer holds. NULL (the default): no agent terms anywhere. fields: [nf]
 * uchar, 1 for the fields agents can secrete or take up (the others get no agent terms
 * and their buffers are not read), or NULL: every field. */
void field_set_occupancy(field_set *fs, cl_mem counts, cl_mem fields);
cl_mem field_region_mask_buffer(const field_set *fs); /* [nvox] uint, bit r = in region r */

/* Enqueues one step of length dt: exact reaction folded into the x sweep, then the y and
 * z sweeps. */
ps_status field_step(field_set *fs, ps_err *err);
/* The reaction and the first n_axes sweeps (domain decomposition: 2, then the z sweep
 * in parts across ranks with the functions below). */
ps_status field_step_axes(field_set *fs, int n_axes, ps_err *err);

/* Domain decomposition: forward elimination and back substitution of the z sweep over
 * this rank's owned planes (see field_sweep_z_fwd in kernels/fields.cl for where the
 * carries from the neighbouring ranks live). */
ps_status field_sweep_z_forward(field_set *fs, ps_err *err);
ps_status field_sweep_z_back(field_set *fs, ps_err *err);

/* Copies `count` local planes from plane z of the concentrations or of the decomposed z
 * sweep's forward-elimination array, every field, between the device and host
 * [nf][count][ny][nx] (blocking). */
enum { FIELD_CONC, FIELD_SCRATCH_D };
ps_status field_planes(field_set *fs, int which, int write, int z, int count, float *host,
                       ps_err *err);

/* Copies concentrations between host ([nf][nvox]) and device (blocking). */
ps_status field_download(field_set *fs, float *host, ps_err *err);
ps_status field_upload(field_set *fs, const float *host, ps_err *err);

/* Sum and max of each field (nf values each) over the voxels this rank owns (all of
 * them without domain decomposition), reduced on the device in a fixed order. */
ps_status field_stats_sums(field_set *fs, double *sum, double *max, ps_err *err);

/* Numerical guard over the owned voxels: *bad_field gets the first field (local index)
 * with a value that is NaN, infinite or below -neg_tol nM, *bad_voxel its voxel (local
 * index) and *value the value; *bad_field = -1 when all are fine. */
ps_status field_check(field_set *fs, float neg_tol, int *bad_field, size_t *bad_voxel, float *value,
                      ps_err *err);

/* Device bytes a tissue's fields need (for the memory estimate). */
size_t field_device_bytes(const scenario *s, int t);

/* Plain-C reference of one field_step on host arrays: conc [nf][nvox] in place, with
 * dense agent source/uptake arrays (may be NULL for none). Same arithmetic as the kernels,
 * from the dense region maps and the same Thomas factors. */
void field_step_ref(const field_params *p, float *conc, const float *agent_src,
                    const float *agent_upt);

#endif
