/* agents_step.c — the per-step kernel launches of a population before compaction: the
 * cell list (agents_bin, and agents_unbin at the end of its lifetime), the secretion/uptake gather, signalling and fate, contact
 * events and movement. Each only enqueues; nothing waits for the device.
 */
#include "agents_impl.h"

cl_mem agents_list_key(const agents *a) { return a->J.id; }
cl_mem agents_list_nbp(const agents *a) { return a->J.vars; }

ps_status agents_unbin(agents *a, ps_err *err)
{
    if (!a->binned) return PS_OK;
    cl_kernel c = a->k->k_clear;
    SETARG(c, 0, cl_mem, a->counters, err);
    SETARG(c, 1, cl_mem, agents_list_key(a), err);
    SETARG(c, 2, cl_mem, a->bin_count, err);
    SETARG(c, 3, cl_mem, a->bin_fill, err);
    PS_TRY(device_launch(a->dev, c, "cellist_clear", a->cap, DEVICE_WG_ITEMS, err));
    a->binned = 0;
    return PS_OK;
}

/* Counts and fill counters are zero on entry (agents_unbin, or the allocation); only the
 * scan passes over every voxel. */
/* 1 / voxel edge as the binning uses it: the neighbour searches (ps_reach_box) find a
   cell's voxel again from its position and must get the binning's answer bit for bit. */
static cl_float agents_inv_dx(const agents *a) { return (cl_float)(1.0 / a->grid.voxel_um); }

ps_status agents_bin(agents *a, ps_err *err)
{
    agents_kernels *k = a->k;
    PS_TRY(agents_unbin(a, err));
    cl_int nx = a->grid.dims[0], ny = a->grid.dims[1], nz = a->grid.dims[2];
    cl_float inv_dx = agents_inv_dx(a);
    SETARG(k->k_count, 10, cl_int, a->grid.zoff, err);
    SETARG(k->k_count, 11, cl_int, a->grid.nz_global, err);
    SETARG(k->k_count, 0, cl_mem, a->counters, err);
    SETARG(k->k_count, 1, cl_mem, a->A.px, err);
    SETARG(k->k_count, 2, cl_mem, a->A.py, err);
    SETARG(k->k_count, 3, cl_mem, a->A.pz, err);
    SETARG(k->k_count, 4, cl_mem, a->voxel_of, err);
    SETARG(k->k_count, 5, cl_mem, a->bin_count, err);
    SETARG(k->k_count, 6, cl_int, nx, err);
    SETARG(k->k_count, 7, cl_int, ny, err);
    SETARG(k->k_count, 8, cl_int, nz, err);
    SETARG(k->k_count, 9, cl_float, inv_dx, err);
    PS_TRY(device_launch(a->dev, k->k_count, "cellist_count", a->cap, DEVICE_WG_ITEMS, err));
    a->binned = 1;
    a->list_valid = 1;
    PS_TRY(scan_exclusive(a->scan, a->bin_count, a->bin_start, a->nvox, err));
    SETARG(k->k_scatter, 0, cl_mem, a->counters, err);
    SETARG(k->k_scatter, 1, cl_mem, a->voxel_of, err);
    SETARG(k->k_scatter, 2, cl_mem, a->bin_start, err);
    SETARG(k->k_scatter, 3, cl_mem, a->bin_fill, err);
    SETARG(k->k_scatter, 4, cl_mem, a->order, err);
    SETARG(k->k_scatter, 5, cl_mem, agents_list_key(a), err);
    PS_TRY(device_launch(a->dev, k->k_scatter, "cellist_scatter", a->cap, DEVICE_WG_ITEMS, err));
    int i = 0;
    cl_mem sb[] = {a->counters, agents_list_key(a), a->bin_count, a->I.id, a->order, a->A.px,
                   a->A.py, a->A.pz, a->I.type, a->tparams, agents_list_nbp(a)};
    for (size_t b = 0; b < sizeof sb / sizeof sb[0]; b++) SETARG(k->k_sort, i++, cl_mem, sb[b], err);
    return device_launch(a->dev, k->k_sort, "cellist_sort_bins", a->cap, DEVICE_WG_ITEMS, err);
}

ps_status agents_secrete(agents *a, field_set *fs, double t_min, ps_err *err)
{
    const field_params *fp = field_get_params(fs);
    if (fp->nf == 0) return PS_OK;
    cl_kernel k = a->k->k_secrete;
    int i = 0;
    SETARG(k, i++, cl_mem, a->counters, err);
    SETARG(k, i++, cl_mem, agents_list_key(a), err);
    SETARG(k, i++, cl_mem, a->bin_count, err);
    SETARG(k, i++, cl_mem, a->order, err);
    SETARG(k, i++, cl_mem, a->I.type, err);
    SETARG(k, i++, cl_mem, a->I.state, err);
    SETARG(k, i++, cl_mem, a->I.vars, err);
    SETARG(k, i++, cl_uint, (cl_uint)a->cap, err);
    SETARG(k, i++, cl_mem, a->sec, err);
    SETARG(k, i++, cl_mem, a->upt, err);
    SETARG(k, i++, cl_mem, a->gain, err);
    SETARG(k, i++, cl_mem, a->rel, err);
    SETARG(k, i++, cl_mem, a->pert, err);
    SETARG(k, i++, cl_uint, (cl_uint)a->npert, err);
    SETARG(k, i++, cl_float, (cl_float)t_min, err);
    SETARG(k, i++, cl_mem, field_agent_src_buffer(fs), err);
    SETARG(k, i++, cl_mem, field_agent_upt_buffer(fs), err);
    SETARG(k, i++, cl_uint, (cl_uint)a->nvox, err);
    SETARG(k, i++, cl_uint, (cl_uint)fp->nf, err);
    SETARG(k, i++, cl_mem, a->flist, err);
    SETARG(k, i++, cl_uint, (cl_uint)a->nfa, err);
    /* the kernel writes the voxels that hold agents only, and only the fields agents
       touch; the field solve reads the buffers there and nowhere else */
    field_set_occupancy(fs, a->bin_count, a->fagent);
    return device_launch(a->dev, k, "agents_secrete", a->cap, DEVICE_WG_ITEMS, err);
}

ps_status agents_signal(agents *a, const field_set *fs, cl_mem J, cl_mem injury, cl_mem lesion,
                        cl_mem nsig, cl_mem nstate, uint32_t step, double t_min, ps_err *err)
{
    cl_kernel k = a->k->k_signal;
    int i = 0;
    SETARG(k, i++, cl_mem, a->counters, err);
    SETARG(k, i++, cl_mem, a->I.id, err);
    SETARG(k, i++, cl_mem, a->I.type, err);
    SETARG(k, i++, cl_mem, a->I.state, err);
    SETARG(k, i++, cl_mem, a->I.vars, err);
    SETARG(k, i++, cl_uint, (cl_uint)a->cap, err);
    SETARG(k, i++, cl_mem, a->voxel_of, err);
    SETARG(k, i++, cl_mem, field_conc_buffer(fs), err);
    SETARG(k, i++, cl_uint, (cl_uint)a->nvox, err);
    SETARG(k, i++, cl_mem, J, err);
    SETARG(k, i++, cl_uint, (cl_uint)(a->tissue * pk_jak_row_stride(a->s->n_mediators)), err);
    SETARG(k, i++, cl_mem, a->sig, err);
    SETARG(k, i++, cl_mem, a->tparams, err);
    SETARG(k, i++, cl_mem, a->pert, err);
    SETARG(k, i++, cl_uint, (cl_uint)a->npert, err);
    SETARG(k, i++, cl_mem, a->flag, err);
    SETARG(k, i++, cl_mem, a->np, err);
    SETARG(k, i++, cl_mem, injury, err);
    SETARG(k, i++, cl_mem, lesion, err);
    SETARG(k, i++, cl_mem, nsig, err);
    SETARG(k, i++, cl_mem, nstate, err);
    SETARG(k, i++, cl_uint, (cl_uint)(a->s->neurons.enabled ? a->s->neurons.count : 1), err);
    SETARG(k, i++, cl_mem, field_region_mask_buffer(fs), err);
    SETARG(k, i++, cl_uint, a->seed_lo, err);
    SETARG(k, i++, cl_uint, a->seed_hi, err);
    SETARG(k, i++, cl_uint, step, err);
    SETARG(k, i++, cl_float, (cl_float)t_min, err);
    SETARG(k, i++, cl_float, (cl_float)a->s->dt_min, err);
    return device_launch(a->dev, k, "agents_signal", a->cap, DEVICE_WG_ITEMS, err);
}

ps_status agents_contact(agents *a, uint32_t step, ps_err *err)
{
    if (a->ncontacts == 0) return PS_OK;
    agents_kernels *k = a->k;
    /* the compaction scratch arrays are free until agents_compact: alive holds who ate
       each cell, divides the next states */
    cl_mem eaten = a->alive, next = a->divides;
    cl_mem common[] = {a->counters, a->I.id, a->I.type, a->I.state, a->A.px, a->A.py, a->A.pz,
                       a->voxel_of, a->bin_start, a->bin_count, a->order, a->tparams, a->contacts};
    cl_kernel ks[2] = {k->k_cprey, k->k_cactor};
    for (int q = 0; q < 2; q++) {
        cl_kernel c = ks[q];
        int i = 0;
        for (size_t b = 0; b < sizeof common / sizeof common[0]; b++) SETARG(c, i++, cl_mem, common[b], err);
        SETARG(c, i++, cl_uint, (cl_uint)a->ncontacts, err);
        SETARG(c, i++, cl_mem, eaten, err);
        SETARG(c, i++, cl_mem, q == 0 ? a->flag : next, err);
        SETARG(c, i++, cl_int, a->grid.dims[0], err);
        SETARG(c, i++, cl_int, a->grid.dims[1], err);
        SETARG(c, i++, cl_int, a->grid.dims[2], err);
        SETARG(c, i++, cl_int, a->nb_contact, err);
        SETARG(c, i++, cl_uint, a->seed_lo, err);
        SETARG(c, i++, cl_uint, a->seed_hi, err);
        SETARG(c, i++, cl_uint, step, err);
        SETARG(c, i++, cl_float, (cl_float)a->grid.voxel_um, err);
        SETARG(c, i++, cl_float, agents_inv_dx(a), err);
        SETARG(c, i++, cl_float, (cl_float)a->contact_reach_um, err);
        PS_TRY(device_launch(a->dev, c, q == 0 ? "contact_prey" : "contact_actor", a->cap, DEVICE_WG_ITEMS, err));
    }
    SETARG(k->k_capply, 0, cl_mem, a->counters, err);
    SETARG(k->k_capply, 1, cl_mem, next, err);
    SETARG(k->k_capply, 2, cl_mem, a->I.state, err);
    return device_launch(a->dev, k->k_capply, "contact_apply", a->cap, DEVICE_WG_ITEMS, err);
}

ps_status agents_move(agents *a, const field_set *fs, uint32_t step, ps_err *err)
{
    cl_kernel k = a->k->k_move;
    int i = 0;
    cl_mem in[] = {a->counters, a->A.px, a->A.py, a->A.pz, a->A.ux, a->A.uy, a->A.uz,
                   a->I.id, a->I.type, a->voxel_of, a->bin_start, a->bin_count, a->order,
                   agents_list_nbp(a), field_conc_buffer(fs), a->tparams, a->S.px, a->S.py, a->S.pz, a->S.ux,
                   a->S.uy, a->S.uz};
    for (size_t b = 0; b < sizeof in / sizeof in[0]; b++) SETARG(k, i++, cl_mem, in[b], err);
    SETARG(k, i++, cl_int, a->grid.dims[0], err);
    SETARG(k, i++, cl_int, a->grid.dims[1], err);
    SETARG(k, i++, cl_int, a->grid.dims[2], err);
    SETARG(k, i++, cl_float, (cl_float)a->grid.voxel_um, err);
    SETARG(k, i++, cl_float, (cl_float)a->grid.size_um[0], err);
    SETARG(k, i++, cl_float, (cl_float)a->grid.size_um[1], err);
    SETARG(k, i++, cl_float, (cl_float)a->grid.size_um[2], err);
    SETARG(k, i++, cl_int, a->nb_range, err);
    SETARG(k, i++, cl_float, (cl_float)a->partner_rmax_um, err);
    SETARG(k, i++, cl_float, agents_inv_dx(a), err);
    SETARG(k, i++, cl_uint, a->seed_lo, err);
    SETARG(k, i++, cl_uint, a->seed_hi, err);
    SETARG(k, i++, cl_uint, step, err);
    SETARG(k, i++, cl_float, (cl_float)a->s->dt_min, err);
    SETARG(k, i++, cl_mem, a->pert, err);
    SETARG(k, i++, cl_uint, (cl_uint)a->npert, err);
    SETARG(k, i++, cl_float, (cl_float)((double)(step - 1) * a->s->dt_min), err);
    return device_launch(a->dev, k, "agents_move", a->cap, DEVICE_WG_ITEMS, err);
}
