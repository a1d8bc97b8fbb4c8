/* agents_host.c — host copies of a population (agents_host, struct of arrays with
 * interleaved xyz) and the copies between them and the device's per-axis buffers.
 */
#include "agents_impl.h"

#include <stdlib.h>
#include <string.h>

void agents_host_free(agents_host *h)
{
    free(h->pos);
    free(h->dir);
    free(h->id);
    free(h->type);
    free(h->state);
    free(h->vars);
    memset(h, 0, sizeof *h);
}

ps_status agents_host_alloc(agents_host *h, size_t n, ps_err *err)
{
    memset(h, 0, sizeof *h);
    size_t m = n ? n : 1;
    h->n = n;
    h->pos = malloc(3 * m * sizeof(float));
    h->dir = malloc(3 * m * sizeof(float));
    h->id = malloc(m * sizeof(uint64_t));
    h->type = malloc(m);
    h->state = malloc(m);
    h->vars = calloc(AGENTS_NVARS * m, sizeof(float));
    if (!h->pos || !h->dir || !h->id || !h->type || !h->state || !h->vars) {
        agents_host_free(h);
        return ps_err_set(err, PS_ERR_MEMORY, "out of host memory for %zu agents", n);
    }
    return PS_OK;
}

ps_status agents_upload(agents *a, const agents_host *h, ps_err *err)
{
    device *d = a->dev;
    size_t n = h->n;
    /* cells put in from the host (a checkpoint, a test's population, cells migrating
       between ranks) may be of types the tissue neither seeds nor recruits */
    for (size_t i = 0; i < n; i++)
        if (h->type[i] < a->s->n_types && a->s->types[h->type[i]].radius_um > a->partner_rmax_um)
            a->partner_rmax_um = a->s->types[h->type[i]].radius_um;
    PS_TRY(agents_unbin(a, err));
    a->list_valid = 0;
    float *tmp = malloc((n ? n : 1) * sizeof(float));
    if (!tmp) return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    cl_mem pos[] = {a->A.px, a->A.py, a->A.pz}, dir[] = {a->A.ux, a->A.uy, a->A.uz};
    ps_status s = PS_OK;
    for (int c = 0; c < 3 && s == PS_OK; c++) {
        for (size_t i = 0; i < n; i++) tmp[i] = h->pos[3 * i + c];
        s = device_write(d, pos[c], 0, n * sizeof(float), tmp, err);
        for (size_t i = 0; i < n && s == PS_OK; i++) tmp[i] = h->dir[3 * i + c];
        if (s == PS_OK) s = device_write(d, dir[c], 0, n * sizeof(float), tmp, err);
    }
    free(tmp);
    PS_TRY(s);
    PS_TRY(device_write(d, a->I.id, 0, n * sizeof(cl_ulong), h->id, err));
    PS_TRY(device_write(d, a->I.type, 0, n, h->type, err));
    PS_TRY(device_write(d, a->I.state, 0, n, h->state, err));
    for (int v = 0; v < AGENTS_NVARS; v++)
        PS_TRY(device_write(d, a->I.vars, (size_t)v * a->cap * sizeof(float), n * sizeof(float),
                            h->vars + (size_t)v * n, err));
    cl_ulong ctr[CTR_COUNT] = {0};
    ctr[CTR_N_AGENTS] = n;
    uint64_t max_local = 0;
    for (size_t i = 0; i < n; i++) {
        if (PS_ID_IS_NEURON(h->id[i])) continue;   /* nociceptor compartments */
        uint64_t local = PS_ID_LOCAL(h->id[i]);
        if (local + 1 > max_local) max_local = local + 1;
    }
    ctr[CTR_NEXT_ID] = PS_ID_MAKE(a->tissue, max_local);
    return device_write(d, a->counters, 0, sizeof ctr, ctr, err);
}

ps_status agents_download(agents *a, agents_host *h, ps_err *err)
{
    uint64_t ctr[CTR_COUNT];
    PS_TRY(agents_counters(a, ctr, err));
    size_t n = (size_t)ctr[CTR_N_AGENTS];
    PS_TRY(agents_host_alloc(h, n, err));
    float *tmp = malloc((n ? n : 1) * sizeof(float));
    if (!tmp) return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    cl_mem pos[] = {a->A.px, a->A.py, a->A.pz}, dir[] = {a->A.ux, a->A.uy, a->A.uz};
    ps_status s = PS_OK;
    for (int c = 0; c < 3 && s == PS_OK; c++) {
        s = device_read(a->dev, pos[c], 0, n * sizeof(float), tmp, err);
        for (size_t i = 0; i < n && s == PS_OK; i++) h->pos[3 * i + c] = tmp[i];
        if (s == PS_OK) s = device_read(a->dev, dir[c], 0, n * sizeof(float), tmp, err);
        for (size_t i = 0; i < n && s == PS_OK; i++) h->dir[3 * i + c] = tmp[i];
    }
    free(tmp);
    if (s == PS_OK) s = device_read(a->dev, a->I.id, 0, n * sizeof(cl_ulong), h->id, err);
    if (s == PS_OK) s = device_read(a->dev, a->I.type, 0, n, h->type, err);
    if (s == PS_OK) s = device_read(a->dev, a->I.state, 0, n, h->state, err);
    for (int v = 0; v < AGENTS_NVARS && s == PS_OK; v++)
        s = device_read(a->dev, a->I.vars, (size_t)v * a->cap * sizeof(float), n * sizeof(float),
                        h->vars + (size_t)v * n, err);
    if (s != PS_OK) agents_host_free(h);
    return s;
}
