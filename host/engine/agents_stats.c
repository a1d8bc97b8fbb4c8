/* agents_stats.c — what the summary and the numerical guard read from a population:
 * counts per (type, state), per-type sums and means of a variable (partial sums on the
 * device, reduced on the host in a fixed order), and the first agent with a non-finite
 * or out-of-tissue state.
 */
#include "agents_impl.h"

#include <string.h>

ps_status agents_count_states(agents *a, uint32_t *counts, ps_err *err)
{
    size_t nt = a->n_types > 0 ? (size_t)a->n_types : 1;
    size_t bytes = nt * PS_MAX_STATES * sizeof(cl_uint);
    PS_TRY(device_fill_zero(a->dev, a->state_counts, bytes, err));
    cl_kernel k = a->k->k_summary;
    SETARG(k, 0, cl_mem, a->counters, err);
    SETARG(k, 1, cl_mem, a->I.type, err);
    SETARG(k, 2, cl_mem, a->I.state, err);
    SETARG(k, 3, cl_mem, a->state_counts, err);
    PS_TRY(device_launch(a->dev, k, "summary_count", a->cap, DEVICE_WG_ITEMS, err));
    return device_read(a->dev, a->state_counts, 0, bytes, counts, err);
}

ps_status agents_var_sums(agents *a, int var, double *sums, ps_err *err)
{
    size_t nt = (size_t)a->n_types;
    if (nt == 0) return PS_OK;
    cl_kernel k = a->k->k_var_sums;
    SETARG(k, 0, cl_mem, a->counters, err);
    SETARG(k, 1, cl_mem, a->I.type, err);
    SETARG(k, 2, cl_mem, a->I.vars, err);
    SETARG(k, 3, cl_uint, (cl_uint)a->cap, err);
    SETARG(k, 4, cl_uint, (cl_uint)var, err);
    SETARG(k, 5, cl_uint, (cl_uint)nt, err);
    SETARG(k, 6, cl_mem, a->var_partial, err);
    CHECK_CL(clSetKernelArg(k, 7, AGENTS_SUM_WG * nt * sizeof(float), NULL), err);
    PS_TRY(device_launch(a->dev, k, "summary_var_sums", AGENTS_SUM_WG * AGENTS_SUM_GROUPS,
                         AGENTS_SUM_WG, err));
    float part[AGENTS_SUM_GROUPS * SCN_MAX_TYPES];
    PS_TRY(device_read(a->dev, a->var_partial, 0, AGENTS_SUM_GROUPS * nt * sizeof(float), part, err));
    for (size_t t = 0; t < nt; t++) {
        double sum = 0;
        for (size_t g = 0; g < AGENTS_SUM_GROUPS; g++) sum += part[g * nt + t];
        sums[t] = sum;
    }
    return PS_OK;
}

ps_status agents_var_means(agents *a, int var, const uint32_t *counts, double *means, ps_err *err)
{
    size_t nt = (size_t)a->n_types;
    if (nt == 0) return PS_OK;
    double sums[SCN_MAX_TYPES];
    PS_TRY(agents_var_sums(a, var, sums, err));
    agents_means_from_sums((int)nt, counts, sums, means);
    return PS_OK;
}

void agents_means_from_sums(int n_types, const uint32_t *counts, const double *sums, double *means)
{
    for (int t = 0; t < n_types; t++) {
        uint32_t n = 0;
        for (int st = 0; st < PS_MAX_STATES; st++) n += counts[t * PS_MAX_STATES + st];
        means[t] = n > 0 ? sums[t] / n : 0.0;
    }
}

ps_status agents_check(agents *a, long *bad, agents_host *one, ps_err *err)
{
    *bad = -1;
    cl_uint none = 0xffffffffu, first;
    /* the recruitment offsets array is free between steps: its first entry is the result */
    PS_TRY(device_write(a->dev, a->offsets, 0, sizeof none, &none, err));
    cl_kernel k = a->k->k_guard;
    cl_mem m[] = {a->counters, a->A.px, a->A.py, a->A.pz, a->I.vars};
    for (int i = 0; i < 5; i++) SETARG(k, i, cl_mem, m[i], err);
    SETARG(k, 5, cl_uint, (cl_uint)a->cap, err);
    SETARG(k, 6, cl_float, (cl_float)a->grid.size_um[0], err);
    SETARG(k, 7, cl_float, (cl_float)a->grid.size_um[1], err);
    SETARG(k, 8, cl_float, (cl_float)a->grid.size_um[2], err);
    SETARG(k, 9, cl_mem, a->offsets, err);
    PS_TRY(device_launch(a->dev, k, "guard_agents", a->cap, DEVICE_WG_ITEMS, err));
    PS_TRY(device_read(a->dev, a->offsets, 0, sizeof first, &first, err));
    if (first == none) return PS_OK;
    *bad = (long)first;
    agents_host h;
    memset(&h, 0, sizeof h);
    PS_TRY(agents_download(a, &h, err));
    ps_status st = agents_host_alloc(one, 1, err);
    if (st == PS_OK) {
        for (int c = 0; c < 3; c++) {
            one->pos[c] = h.pos[3 * first + c];
            one->dir[c] = h.dir[3 * first + c];
        }
        one->id[0] = h.id[first];
        one->type[0] = h.type[first];
        one->state[0] = h.state[first];
        for (int v = 0; v < AGENTS_NVARS; v++) one->vars[v] = h.vars[(size_t)v * h.n + first];
    }
    agents_host_free(&h);
    return st;
}
