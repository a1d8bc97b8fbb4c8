/* agents_kernels.c — the OpenCL programs and kernels every tissue's population shares:
 * built once per run (with -DPS_NVARS), released at the end.
 */
#include "agents_impl.h"

#include <stdio.h>
#include <stdlib.h>

ps_status agents_kernels_create(agents_kernels **out, device *d, ps_err *err)
{
    *out = NULL;
    agents_kernels *k = calloc(1, sizeof *k);
    if (!k) return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    k->dev = d;
    char opts[64];
    snprintf(opts, sizeof opts, "-DPS_NVARS=%d", AGENTS_NVARS);
    ps_status s = device_build(d, "cellist.cl", opts, &k->p_cellist, err);
    if (s == PS_OK) s = device_build(d, "agents_secrete.cl", opts, &k->p_secrete, err);
    if (s == PS_OK) s = device_build(d, "agents_signal.cl", opts, &k->p_signal, err);
    if (s == PS_OK) s = device_build(d, "agents_move.cl", opts, &k->p_move, err);
    if (s == PS_OK) s = device_build(d, "compact.cl", opts, &k->p_compact, err);
    if (s == PS_OK) s = device_build(d, "summary.cl", opts, &k->p_summary, err);
    if (s == PS_OK) s = device_build(d, "recruit.cl", opts, &k->p_recruit, err);
    if (s == PS_OK) s = device_build(d, "contacts.cl", opts, &k->p_contact, err);
    if (s == PS_OK) s = device_build(d, "guards.cl", opts, &k->p_guard, err);
    if (s == PS_OK) s = device_kernel(k->p_guard, "guard_agents", &k->k_guard, err);
    if (s == PS_OK) s = device_kernel(k->p_contact, "contact_prey", &k->k_cprey, err);
    if (s == PS_OK) s = device_kernel(k->p_contact, "contact_actor", &k->k_cactor, err);
    if (s == PS_OK) s = device_kernel(k->p_contact, "contact_apply", &k->k_capply, err);
    if (s == PS_OK) s = device_kernel(k->p_recruit, "recruit_count", &k->k_rcount, err);
    if (s == PS_OK) s = device_kernel(k->p_recruit, "recruit_place", &k->k_rplace, err);
    if (s == PS_OK) s = device_kernel(k->p_recruit, "recruit_finish", &k->k_rfinish, err);
    if (s == PS_OK) s = device_kernel(k->p_cellist, "cellist_count", &k->k_count, err);
    if (s == PS_OK) s = device_kernel(k->p_cellist, "cellist_scatter", &k->k_scatter, err);
    if (s == PS_OK) s = device_kernel(k->p_cellist, "cellist_sort_bins", &k->k_sort, err);
    if (s == PS_OK) s = device_kernel(k->p_cellist, "cellist_clear", &k->k_clear, err);
    if (s == PS_OK) s = device_kernel(k->p_secrete, "agents_secrete", &k->k_secrete, err);
    if (s == PS_OK) s = device_kernel(k->p_signal, "agents_signal", &k->k_signal, err);
    if (s == PS_OK) s = device_kernel(k->p_move, "agents_move", &k->k_move, err);
    if (s == PS_OK) s = device_kernel(k->p_compact, "compact_flags", &k->k_flags, err);
    if (s == PS_OK) s = device_kernel(k->p_compact, "compact_scatter", &k->k_cscatter, err);
    if (s == PS_OK) s = device_kernel(k->p_compact, "compact_finish", &k->k_finish, err);
    if (s == PS_OK) s = device_kernel(k->p_compact, "compact_list_dividers", &k->k_clist, err);
    if (s == PS_OK) s = device_kernel(k->p_summary, "summary_count", &k->k_summary, err);
    if (s == PS_OK) s = device_kernel(k->p_summary, "summary_var_sums", &k->k_var_sums, err);
    if (s != PS_OK) {
        agents_kernels_destroy(k);
        return s;
    }
    *out = k;
    return PS_OK;
}

void agents_kernels_destroy(agents_kernels *k)
{
    if (!k) return;
    cl_kernel ks[] = {k->k_count, k->k_scatter, k->k_sort, k->k_clear, k->k_secrete, k->k_signal,
                      k->k_move, k->k_flags, k->k_cscatter, k->k_finish, k->k_summary,
                      k->k_var_sums, k->k_rcount, k->k_rplace, k->k_rfinish, k->k_cprey,
                      k->k_cactor, k->k_capply, k->k_clist, k->k_guard};
    for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++)
        if (ks[i]) clReleaseKernel(ks[i]);
    cl_program ps[] = {k->p_cellist, k->p_secrete, k->p_signal, k->p_move, k->p_compact,
                       k->p_summary, k->p_recruit, k->p_contact, k->p_guard};
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++)
        if (ps[i]) clReleaseProgram(ps[i]);
    free(k);
}
