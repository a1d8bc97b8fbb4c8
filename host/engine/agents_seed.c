/* agents_seed.c — the initial population on the host: each seeding's cells and the
 * nociceptor compartments, placed uniformly in their region by rejection with the same
 * Philox stream the kernels use (keyed by seed and agent id), so placement does not
 * depend on the order of placing nor on the rank count.
 */
#include "agents_impl.h"

#include "neurons.h"

#include <Random123/philox.h>
#include <math.h>
#include <stdio.h>

float agents_u01(uint32_t x) { return ((float)(x >> 8) + 0.5f) * (1.0f / 16777216.0f); }

void agents_rand4(uint32_t seed_lo, uint32_t seed_hi, uint64_t id, uint32_t step,
                         uint32_t purpose, float out[4])
{
    philox4x32_ctr_t c = {{(uint32_t)id, (uint32_t)(id >> 32), step, purpose}};
    philox4x32_key_t k = {{seed_lo, seed_hi}};
    philox4x32_ctr_t r = philox4x32(c, k);
    for (int i = 0; i < 4; i++) out[i] = agents_u01(r.v[i]);
}

void agents_unit_vector(float u1, float u2, float v[3])
{
    float z = 2.0f * u1 - 1.0f;
    float r = sqrtf(fmaxf(0.0f, 1.0f - z * z));
    float phi = 6.28318530717958647692f * u2;
    v[0] = r * cosf(phi);
    v[1] = r * sinf(phi);
    v[2] = z;
}

static void agents_region_bounds(const scn_tissue *ts, const scn_region *r, double lo[3],
                                 double hi[3])
{
    for (int a = 0; a < 3; a++) {
        lo[a] = 0.0;
        hi[a] = ts->size_um[a];
        if (!r) continue;
        double rl, rh;
        if (r->shape == SCN_SHAPE_BOX) {
            rl = r->min_um[a];
            rh = r->max_um[a];
        } else if (r->shape == SCN_SHAPE_CYLINDER && a == r->axis) {
            rl = r->center_um[a] - 0.5 * r->length_um;
            rh = r->center_um[a] + 0.5 * r->length_um;
        } else {
            rl = r->center_um[a] - r->radius_um;
            rh = r->center_um[a] + r->radius_um;
        }
        if (rl > lo[a]) lo[a] = rl;
        if (rh < hi[a]) hi[a] = rh;
    }
}

/* One cell: id, type, state, a uniform position in region r (or the tissue). */
static ps_status agents_place(const scenario *s, int t, const scn_region *r, uint64_t id,
                              int type, int state, agents_host *h, size_t n, const char *what,
                              ps_err *err)
{
    const scn_tissue *ts = &s->tissues[t];
    uint32_t seed_lo = (uint32_t)s->seed, seed_hi = (uint32_t)(s->seed >> 32);
    double lo[3], hi[3];
    agents_region_bounds(ts, r, lo, hi);
    float u[4];
    double p[3] = {0, 0, 0};
    int placed = 0;
    for (uint32_t attempt = 0; attempt < 10000 && !placed; attempt++) {
        agents_rand4(seed_lo, seed_hi, id, attempt, RNG_PLACE, u);
        for (int a = 0; a < 3; a++) p[a] = lo[a] + (hi[a] - lo[a]) * u[a];
        placed = !r || scenario_region_contains(r, p);
    }
    if (!placed)
        return ps_err_set(err, PS_ERR_INPUT,
                          "%s: %s: could not place a cell inside region '%s' after 10000 tries: "
                          "is the region inside the tissue?", s->source_path, what, r ? r->name : "");
    float d[3];
    agents_unit_vector(u[3], agents_u01((uint32_t)(id * 2654435761u)), d);
    for (int a = 0; a < 3; a++) {
        h->pos[3 * n + a] = (float)p[a];
        h->dir[3 * n + a] = d[a];
    }
    h->id[n] = id;
    h->type[n] = (uint8_t)type;
    h->state[n] = (uint8_t)state;
    for (int v = 0; v < AGENTS_NVARS; v++) h->vars[(size_t)v * h->n + n] = 0.0f;
    return PS_OK;
}

ps_status agents_initial(const scenario *s, int t, agents_host *h, ps_err *err)
{
    const scn_tissue *ts = &s->tissues[t];
    const scn_neurons *sn = &s->neurons;
    const scn_compartment *comp[3] = {&sn->soma, &sn->peripheral, &sn->central};
    int64_t total = 0;
    for (int k = 0; k < ts->n_seedings; k++) total += ts->seedings[k].count;
    for (int c = 0; c < 3; c++)
        if (sn->enabled && comp[c]->tissue == t) total += sn->count;
    PS_TRY(agents_host_alloc(h, (size_t)total, err));
    size_t n = 0;
    char what[64];
    for (int k = 0; k < ts->n_seedings; k++) {
        const scn_seeding *sd = &ts->seedings[k];
        const scn_region *r = sd->region >= 0 ? &ts->regions[sd->region] : NULL;
        snprintf(what, sizeof what, "tissues[%d].cells[%d]", t, k);
        for (int64_t c = 0; c < sd->count; c++, n++) {
            uint64_t id = PS_ID_MAKE(t, n);
            PS_TRY(agents_place(s, t, r, id, sd->type, sd->state, h, n, what, err));
        }
    }
    static const char *const comp_names[3] = {"soma", "peripheral", "central"};
    for (int c = 0; c < 3 && sn->enabled; c++) {
        if (comp[c]->tissue != t) continue;
        const scn_region *r = comp[c]->region >= 0 ? &ts->regions[comp[c]->region] : NULL;
        snprintf(what, sizeof what, "neurons.%s", comp_names[c]);
        for (int k = 0; k < sn->count; k++, n++)
            PS_TRY(agents_place(s, t, r, neurons_compartment_id(t, k, c), comp[c]->type, 0, h, n,
                                what, err));
    }
    return PS_OK;
}
