/* agents_compact.c — deaths and divisions: flags, two scans and a scatter that writes
 * the survivors in cell-list order (so the slots stay sorted by voxel) and appends the
 * daughters. In parts for domain
 * decomposition, where the host numbers daughters across ranks (agents_dividers,
 * agents_compact_end with ids).
 */
#include "agents_impl.h"

#include <stdlib.h>

ps_status agents_compact(agents *a, uint32_t step, ps_err *err)
{
    PS_TRY(agents_compact_begin(a, err));
    return agents_compact_end(a, NULL, 0, step, err);
}

ps_status agents_compact_begin(agents *a, ps_err *err)
{
    agents_kernels *k = a->k;
    cl_uint cap = (cl_uint)a->cap;
    /* the cell list ends here: the scatter writes J, where its keys are kept */
    PS_TRY(agents_unbin(a, err));
    SETARG(k->k_flags, 0, cl_mem, a->counters, err);
    SETARG(k->k_flags, 1, cl_mem, a->order, err);
    SETARG(k->k_flags, 2, cl_int, a->list_valid, err);
    SETARG(k->k_flags, 3, cl_mem, a->flag, err);
    SETARG(k->k_flags, 4, cl_mem, a->alive, err);
    SETARG(k->k_flags, 5, cl_mem, a->divides, err);
    SETARG(k->k_flags, 6, cl_uint, cap, err);
    PS_TRY(device_launch(a->dev, k->k_flags, "compact_flags", a->cap, DEVICE_WG_ITEMS, err));
    PS_TRY(scan_exclusive(a->scan, a->alive, a->alive_pos, a->cap, err));
    return scan_exclusive(a->scan, a->divides, a->div_pos, a->cap, err);
}

/* (Re)allocates the host-numbered daughter ids for n entries. */
static ps_status agents_div_room(agents *a, size_t n, ps_err *err)
{
    if (n <= a->div_cap) return PS_OK;
    size_t cap = a->div_cap;
    while (cap < n) cap *= 2;
    device_release(&a->div_ids);
    a->div_cap = cap;
    return device_alloc(a->dev, cap * sizeof(cl_ulong), "daughter ids", &a->div_ids, err);
}

/* The dividing cells' ids in list order (div_list[div_pos[g]]). */
static ps_status agents_list_dividers(agents *a, ps_err *err)
{
    cl_kernel c = a->k->k_clist;
    SETARG(c, 0, cl_mem, a->counters, err);
    SETARG(c, 1, cl_mem, a->order, err);
    SETARG(c, 2, cl_int, a->list_valid, err);
    SETARG(c, 3, cl_mem, a->divides, err);
    SETARG(c, 4, cl_mem, a->div_pos, err);
    SETARG(c, 5, cl_mem, a->I.id, err);
    SETARG(c, 6, cl_mem, a->div_list, err);
    SETARG(c, 7, cl_uint, (cl_uint)a->cap, err);
    return device_launch(a->dev, c, "compact_list_dividers", a->cap, DEVICE_WG_ITEMS, err);
}

ps_status agents_dividers(agents *a, uint64_t **ids, size_t *n, ps_err *err)
{
    *ids = NULL;
    *n = 0;
    cl_uint last[2];
    size_t c1 = a->cap - 1;
    PS_TRY(device_read(a->dev, a->div_pos, c1 * sizeof(cl_uint), sizeof(cl_uint), &last[0], err));
    PS_TRY(device_read(a->dev, a->divides, c1 * sizeof(cl_uint), sizeof(cl_uint), &last[1], err));
    size_t nd = (size_t)last[0] + last[1];
    if (nd == 0) return PS_OK;
    PS_TRY(agents_list_dividers(a, err));
    uint64_t *v = malloc(nd * sizeof *v);
    if (!v) return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    ps_status st = device_read(a->dev, a->div_list, 0, nd * sizeof(cl_ulong), v, err);
    if (st != PS_OK) {
        free(v);
        return st;
    }
    *ids = v;
    *n = nd;
    return PS_OK;
}

ps_status agents_compact_end(agents *a, const uint64_t *div_ids, size_t n_div, uint32_t step,
                             ps_err *err)
{
    agents_kernels *k = a->k;
    cl_uint cap = (cl_uint)a->cap;
    if (div_ids && n_div > 0) {
        PS_TRY(agents_div_room(a, n_div, err));
        PS_TRY(device_write(a->dev, a->div_ids, 0, n_div * sizeof(cl_ulong), div_ids, err));
    }
    /* without host-numbered ids the scatter ranks the parents in the dividers' id list */
    if (!div_ids) PS_TRY(agents_list_dividers(a, err));
    cl_kernel c = k->k_cscatter;
    int i = 0;
    SETARG(c, i++, cl_mem, a->counters, err);
    SETARG(c, i++, cl_mem, a->order, err);
    SETARG(c, i++, cl_int, a->list_valid, err);
    SETARG(c, i++, cl_mem, a->div_list, err);
    cl_mem b1[] = {a->alive, a->alive_pos, a->divides, a->div_pos};
    for (size_t b = 0; b < 4; b++) SETARG(c, i++, cl_mem, b1[b], err);
    SETARG(c, i++, cl_uint, cap, err);
    cl_mem b2[] = {a->S.px, a->S.py, a->S.pz, a->S.ux, a->S.uy, a->S.uz, a->I.id, a->I.type,
                   a->I.state, a->I.vars, a->A.px, a->A.py, a->A.pz, a->A.ux, a->A.uy, a->A.uz,
                   a->J.id, a->J.type, a->J.state, a->J.vars, a->tparams};
    for (size_t b = 0; b < sizeof b2 / sizeof b2[0]; b++) SETARG(c, i++, cl_mem, b2[b], err);
    SETARG(c, i++, cl_float, (cl_float)a->grid.size_um[0], err);
    SETARG(c, i++, cl_float, (cl_float)a->grid.size_um[1], err);
    SETARG(c, i++, cl_float, (cl_float)a->grid.size_um[2], err);
    SETARG(c, i++, cl_uint, a->seed_lo, err);
    SETARG(c, i++, cl_uint, a->seed_hi, err);
    SETARG(c, i++, cl_uint, step, err);
    SETARG(c, i++, cl_float, (cl_float)a->s->dt_min, err);
    SETARG(c, i++, cl_mem, a->div_ids, err);
    SETARG(c, i++, cl_int, div_ids != NULL, err);
    PS_TRY(device_launch(a->dev, c, "compact_scatter", a->cap, DEVICE_WG_ITEMS, err));
    SETARG(k->k_finish, 0, cl_mem, a->counters, err);
    SETARG(k->k_finish, 1, cl_mem, a->alive, err);
    SETARG(k->k_finish, 2, cl_mem, a->alive_pos, err);
    SETARG(k->k_finish, 3, cl_mem, a->divides, err);
    SETARG(k->k_finish, 4, cl_mem, a->div_pos, err);
    SETARG(k->k_finish, 5, cl_uint, cap, err);
    PS_TRY(device_launch(a->dev, k->k_finish, "compact_finish", 1, 0, err));
    a->list_valid = 0;           /* order[] named the old slots */
    agents_id_bufs tmp = a->I;
    a->I = a->J;
    a->J = tmp;
    return PS_OK;
}
