/* agents_recruit.c — entries from the blood: counts per (rule, voxel), a scan for their
 * slots and ids, placement after the population. In parts for domain decomposition,
 * where each rank's entries are numbered after the lower ranks' (id_delta per rule).
 */
#include "agents_impl.h"

ps_status agents_recruit(agents *a, const field_set *fs, cl_mem J, uint32_t step, ps_err *err)
{
    PS_TRY(agents_recruit_count(a, fs, J, step, err));
    return agents_recruit_place(a, NULL, step, err);
}

ps_status agents_recruit_count(agents *a, const field_set *fs, cl_mem J, uint32_t step, ps_err *err)
{
    if (a->nrules == 0) return PS_OK;
    agents_kernels *k = a->k;
    size_t slots = (size_t)a->nrules * a->nvox;
    int i = 0;
    cl_kernel c = k->k_rcount;
    SETARG(c, i++, cl_mem, a->rules, err);
    SETARG(c, i++, cl_uint, (cl_uint)a->nrules, err);
    SETARG(c, i++, cl_mem, field_region_mask_buffer(fs), err);
    SETARG(c, i++, cl_mem, field_conc_buffer(fs), err);
    SETARG(c, i++, cl_mem, J, err);
    SETARG(c, i++, cl_uint, (cl_uint)(a->tissue * pk_jak_row_stride(a->s->n_mediators)), err);
    SETARG(c, i++, cl_uint, (cl_uint)a->nvox, err);
    SETARG(c, i++, cl_mem, a->births, err);
    SETARG(c, i++, cl_mem, a->pert, err);
    SETARG(c, i++, cl_uint, (cl_uint)a->npert, err);
    SETARG(c, i++, cl_uint, a->seed_lo, err);
    SETARG(c, i++, cl_uint, a->seed_hi, err);
    SETARG(c, i++, cl_uint, (cl_uint)a->tissue, err);
    SETARG(c, i++, cl_uint, step, err);
    SETARG(c, i++, cl_float, (cl_float)a->s->dt_min, err);
    SETARG(c, i++, cl_float, (cl_float)((double)(step - 1) * a->s->dt_min), err);
    size_t plane = (size_t)a->grid.dims[0] * (size_t)a->grid.dims[1];
    SETARG(c, i++, cl_uint, (cl_uint)(plane * (size_t)a->grid.zoff), err);
    SETARG(c, i++, cl_uint, (cl_uint)(plane * (size_t)a->grid.lo[2]), err);
    SETARG(c, i++, cl_uint, (cl_uint)(plane * (size_t)a->grid.hi[2]), err);
    PS_TRY(device_launch(a->dev, c, "recruit_count", slots, DEVICE_WG_ITEMS, err));
    return scan_exclusive(a->scan, a->births, a->offsets, slots, err);
}

ps_status agents_recruit_totals(agents *a, uint64_t *per_rule, ps_err *err)
{
    for (int r = 0; r < a->nrules; r++) {
        cl_uint first[2], last[2];
        size_t lo = (size_t)r * a->nvox, hi = lo + a->nvox - 1;
        PS_TRY(device_read(a->dev, a->offsets, lo * sizeof(cl_uint), sizeof(cl_uint), &first[0], err));
        PS_TRY(device_read(a->dev, a->offsets, hi * sizeof(cl_uint), sizeof(cl_uint), &last[0], err));
        PS_TRY(device_read(a->dev, a->births, hi * sizeof(cl_uint), sizeof(cl_uint), &last[1], err));
        per_rule[r] = (uint64_t)last[0] + last[1] - first[0];
    }
    return PS_OK;
}

ps_status agents_recruit_place(agents *a, const uint64_t *id_delta, uint32_t step, ps_err *err)
{
    if (a->nrules == 0) return PS_OK;
    agents_kernels *k = a->k;
    size_t slots = (size_t)a->nrules * a->nvox;
    int i = 0;
    cl_kernel c;
    if (id_delta) {
        cl_ulong d[SCN_MAX_RECRUITMENTS];
        for (int r = 0; r < a->nrules; r++) d[r] = id_delta[r];
        PS_TRY(device_write(a->dev, a->id_delta, 0, (size_t)a->nrules * sizeof(cl_ulong), d, err));
    }
    c = k->k_rplace;
    i = 0;
    SETARG(c, i++, cl_mem, a->counters, err);
    SETARG(c, i++, cl_mem, a->rules, err);
    SETARG(c, i++, cl_uint, (cl_uint)a->nrules, err);
    SETARG(c, i++, cl_mem, a->births, err);
    SETARG(c, i++, cl_mem, a->offsets, err);
    SETARG(c, i++, cl_uint, (cl_uint)a->nvox, err);
    SETARG(c, i++, cl_uint, (cl_uint)a->cap, err);
    SETARG(c, i++, cl_int, a->grid.dims[0], err);
    SETARG(c, i++, cl_int, a->grid.dims[1], err);
    SETARG(c, i++, cl_float, (cl_float)a->grid.voxel_um, err);
    SETARG(c, i++, cl_float, (cl_float)a->grid.size_um[0], err);
    SETARG(c, i++, cl_float, (cl_float)a->grid.size_um[1], err);
    SETARG(c, i++, cl_float, (cl_float)a->grid.size_um[2], err);
    cl_mem b[] = {a->A.px, a->A.py, a->A.pz, a->A.ux, a->A.uy, a->A.uz, a->I.id, a->I.type,
                  a->I.state, a->I.vars};
    for (size_t q = 0; q < sizeof b / sizeof b[0]; q++) SETARG(c, i++, cl_mem, b[q], err);
    SETARG(c, i++, cl_uint, a->seed_lo, err);
    SETARG(c, i++, cl_uint, a->seed_hi, err);
    SETARG(c, i++, cl_uint, step, err);
    SETARG(c, i++, cl_int, a->grid.zoff, err);
    SETARG(c, i++, cl_mem, a->id_delta, err);
    SETARG(c, i++, cl_int, id_delta != NULL, err);
    PS_TRY(device_launch(a->dev, c, "recruit_place", slots, DEVICE_WG_ITEMS, err));
    c = k->k_rfinish;
    SETARG(c, 0, cl_mem, a->counters, err);
    SETARG(c, 1, cl_mem, a->births, err);
    SETARG(c, 2, cl_mem, a->offsets, err);
    SETARG(c, 3, cl_uint, (cl_uint)slots, err);
    SETARG(c, 4, cl_uint, (cl_uint)a->cap, err);
    return device_launch(a->dev, c, "recruit_finish", 1, 0, err);
}
