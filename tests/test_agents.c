/* test_agents.c — agents on the device.
 *  1. one step (bin, secrete, fields, move, compact) equals the plain-C reference of the
 *     move rule (brute-force neighbours, so the cell list is checked too);
 *  2. the persistent random walk's mean squared displacement equals its closed form;
 *  3. chemotaxis drifts up a fixed linear gradient at the speed the rule implies;
 *  4. division and death: population follows (1 + p_div - p_death)^steps, ids stay unique,
 *     capacity grows;
 *  5. secretion: a resting population adds exactly its molecules to the field;
 *  6. a field no agent touches evolves bit for bit as without agents.
 */
#include <math.h>

#include "agents.h"
#include "field.h"
#include "neurons.h"
#include "pk.h"
#include "scan.h"
#include "test.h"
#include "test_common.h"

/* Appends a cell type "cellN" (N its number) with one state "default" and the keys of
 * extra ("" or starting with a comma) to types, the JSON text ",'cell_types':[...]"
 * (empty before the first type) that goes at the top level. */
/* The slot of the agent with this id in h, or h->n. */
static size_t test_find_id(const agents_host *h, uint64_t id)
{
    for (size_t j = 0; j < h->n; j++)
        if (h->id[j] == id) return j;
    return h->n;
}

static void test_add_type(char *types, size_t cap, double radius, double speed, double persistence,
                          double repulsion, const char *extra)
{
    size_t len = strlen(types);
    int n = 1;
    for (const char *p = types; (p = strstr(p, "'name':'cell")) != NULL; p++) n++;
    if (len == 0) len = (size_t)snprintf(types, cap, ",'cell_types':[");
    else types[len - 1] = ',';   /* the closing ] becomes the separator */
    snprintf(types + len, cap - len,
             "{'name':'cell%d','radius_um':%.17g,'speed_um_per_min':%.17g,'persistence_min':%.17g,"
             "'repulsion_um_per_min':%.17g%s}]", n, radius, speed, persistence, repulsion, extra);
}

/* n agents uniformly in [lo, hi]^3 (deterministic), types alternating over n_types. */
static void test_population(agents_host *h, size_t n, double lo, double hi, int n_types)
{
    memset(h, 0, sizeof *h);
    h->n = n;
    h->pos = malloc(3 * n * sizeof(float));
    h->dir = malloc(3 * n * sizeof(float));
    h->id = malloc(n * sizeof(uint64_t));
    h->type = malloc(n);
    h->state = calloc(n, 1);
    h->vars = calloc(AGENTS_NVARS * n, sizeof(float));
    uint64_t x = 88172645463325252ull;
    for (size_t i = 0; i < n; i++) {
        double u[5];
        for (int k = 0; k < 5; k++) {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            u[k] = (double)(x >> 11) / 9007199254740992.0;
        }
        for (int a = 0; a < 3; a++) h->pos[3 * i + a] = (float)(lo + (hi - lo) * u[a]);
        double z = 2 * u[3] - 1, r = sqrt(1 - z * z), phi = 6.283185307179586 * u[4];
        h->dir[3 * i] = (float)(r * cos(phi));
        h->dir[3 * i + 1] = (float)(r * sin(phi));
        h->dir[3 * i + 2] = (float)z;
        h->id[i] = 1000 + 3 * i;          /* ids need not be dense */
        h->type[i] = (uint8_t)(i % (size_t)n_types);
    }
}

typedef struct {
    field_set *fs;
    agents_kernels *k;
    agents *a;
    pk *pk;
    neurons *nr;
} test_world;

static int test_world_create(test_world *w, device *d, const scenario *s, const agents_host *h)
{
    ps_err err;
    ps_err_clear(&err);
    memset(w, 0, sizeof *w);
    if (field_create(&w->fs, d, s, 0, &err) != PS_OK || agents_kernels_create(&w->k, d, &err) != PS_OK ||
        agents_create(&w->a, d, w->k, s, 0, w->fs, h, &err) != PS_OK ||
        pk_create(&w->pk, d, s, &err) != PS_OK || neurons_create(&w->nr, d, s, &err) != PS_OK) {
        TEST_CHECK(0, "setting up: %s", err.msg);
        return 0;
    }
    return 1;
}

static void test_world_destroy(test_world *w)
{
    agents_destroy(w->a);
    agents_kernels_destroy(w->k);
    pk_destroy(w->pk);
    neurons_destroy(w->nr);
    field_destroy(w->fs);
}

static ps_status test_step(test_world *w, uint32_t step, ps_err *err)
{
    PS_TRY(agents_bin(w->a, err));
    PS_TRY(agents_secrete(w->a, w->fs, 0.0, err));
    PS_TRY(field_step(w->fs, err));
    PS_TRY(agents_signal(w->a, w->fs, pk_jak_factors(w->pk), neurons_injury_buffer(w->nr),
                         neurons_lesion_buffer(w->nr), neurons_signal_buffer(w->nr), neurons_state_buffer(w->nr), step, 0.0, err));
    PS_TRY(agents_move(w->a, w->fs, step, err));
    return agents_compact(w->a, step, err);
}

static void test_reference(device *d)
{
    scenario s;
    char types[1024] = "";
    test_add_type(types, sizeof types, 8.0, 3.0, 4.0, 5.0, "");
    test_add_type(types, sizeof types, 5.0, 10.0, 2.0, 2.0,
                  ",'receptors':[{'name':'RM','mediator':'M'}],'chemotaxis':{'mediator':'M','speed_um_per_min':4,'Kd_nM':2,'half_gradient_per_um':0.002}");
    test_one_tissue(&s, 10, 8, 6, 20.0, 1.0, 50.0, 0.0,
                    ",'fields':{'M':{'boundary':{'x_max':{'type':'fixed','value_nM':10}}}}", types, NULL, 0);
    agents_host h;
    test_population(&h, 600, 0.0, 120.0, 2);   /* crowded: many overlaps */
    test_world w;
    if (!test_world_create(&w, d, &s, &h)) return;
    ps_err err;
    ps_err_clear(&err);
    /* a few steps to build a gradient, then one compared step */
    for (uint32_t k = 1; k <= 5; k++) test_step(&w, k, &err);
    agents_host before, after;
    TEST_CHECK(agents_download(w.a, &before, &err) == PS_OK, "%s", err.msg);
    const field_params *fp = field_get_params(w.fs);
    float *conc_after = malloc(fp->nvox * sizeof(float));
    /* the move of step 6 reads the fields after step 6's field update */
    agents_bin(w.a, &err);
    agents_secrete(w.a, w.fs, 0.0, &err);
    field_step(w.fs, &err);
    field_download(w.fs, conc_after, &err);
    agents_signal(w.a, w.fs, pk_jak_factors(w.pk), neurons_injury_buffer(w.nr),
                  neurons_lesion_buffer(w.nr), neurons_signal_buffer(w.nr), neurons_state_buffer(w.nr), 6, 0.0, &err);
    agents_move(w.a, w.fs, 6, &err);
    agents_compact(w.a, 6, &err);
    TEST_CHECK(agents_download(w.a, &after, &err) == PS_OK, "%s", err.msg);
    float *rp = malloc(3 * before.n * sizeof(float)), *rd = malloc(3 * before.n * sizeof(float));
    agents_move_ref(&s, 0, fp, conc_after, &before, 6, rp, rd);
    TEST_CHECK(after.n == before.n, "population changed: %zu -> %zu", before.n, after.n);
    double worst = 0;
    int ids_ok = 1, moved = 0;
    /* the compaction writes the slots in cell-list order: agents are matched by id */
    for (size_t i = 0; i < before.n && i < after.n; i++) {
        size_t j = test_find_id(&after, before.id[i]);
        ids_ok &= j < after.n;
        if (j >= after.n) continue;
        for (int a = 0; a < 3; a++) {
            double e = fabs((double)after.pos[3 * j + a] - rp[3 * i + a]);
            if (e > worst) worst = e;
            moved |= after.pos[3 * j + a] != before.pos[3 * i + a];
        }
    }
    printf("  one step vs plain-C reference, 600 crowded agents: max position difference %.2e µm\n",
           worst);
    TEST_CHECK(ids_ok, "an agent's id is missing after the step");
    TEST_CHECK(moved, "no agent moved");
    /* float32 positions near 100 µm carry ~1e-5 µm; sums of neighbour pushes in another
     * order and device vs libm transcendental functions add a few ulps */
    TEST_CHECK(worst < 1e-3, "device and reference positions differ by %.3e µm", worst);
    free(rp);
    free(rd);
    free(conc_after);
    agents_host_free(&before);
    agents_host_free(&after);
    agents_host_free(&h);
    test_world_destroy(&w);
}

static void test_msd(device *d)
{
    const double speed = 2.0, tau = 5.0, dt = 1.0;
    const int steps = 40;
    const size_t n = 10000;
    scenario s;
    char types[512] = "";
    test_add_type(types, sizeof types, 5.0, speed, tau, 0.0, "");
    test_one_tissue(&s, 10, 10, 10, 1000.0, dt, 50.0, 0.0, "", types, NULL, 0);
    agents_host h;
    test_population(&h, n, 4990.0, 5010.0, 1);
    test_world w;
    if (!test_world_create(&w, d, &s, &h)) return;
    ps_err err;
    ps_err_clear(&err);
    for (uint32_t k = 1; k <= (uint32_t)steps; k++) test_step(&w, k, &err);
    agents_host e;
    TEST_CHECK(agents_download(w.a, &e, &err) == PS_OK, "%s", err.msg);
    double msd = 0;
    size_t lost = 0;
    for (size_t i = 0; i < n; i++) {
        size_t j = test_find_id(&e, h.id[i]);      /* slots are in cell-list order */
        lost += j >= e.n;
        if (j >= e.n) continue;
        for (int a = 0; a < 3; a++) {
            double dd = (double)e.pos[3 * j + a] - h.pos[3 * i + a];
            msd += dd * dd;
        }
    }
    msd /= (double)n;
    TEST_CHECK(lost == 0, "%zu agents lost", lost);
    /* per-step turning probability p; direction correlation after m steps q^m, q = 1-p */
    double q = exp(-dt / tau), expect = steps;
    for (int m = 1; m < steps; m++) expect += 2.0 * (steps - m) * pow(q, m);
    expect *= speed * speed * dt * dt;
    double rel = fabs(msd - expect) / expect;
    printf("  random walk, %zu agents, %d steps: MSD %.1f µm², closed form %.1f µm² (rel diff %.3f)\n",
           n, steps, msd, expect, rel);
    /* the relative standard error of an MSD over n walkers is about sqrt(2/3)/sqrt(n)
     * = 0.8 %; 4 % is five standard errors */
    TEST_CHECK(rel < 0.04, "MSD %.2f vs %.2f", msd, expect);
    agents_host_free(&e);
    agents_host_free(&h);
    test_world_destroy(&w);
}

static void test_chemotaxis(device *d)
{
    const double vmax = 0.8, Kd = 1000.0, half = 1e-4, grad = 0.1; /* nM/µm */
    const int steps = 30, nx = 40;
    const double h_um = 20.0;
    scenario s;
    char types[512] = "", chemotaxis[256], faces[256];
    snprintf(chemotaxis, sizeof chemotaxis, ",'receptors':[{'name':'RM','mediator':'M'}],'chemotaxis':{'mediator':'M','speed_um_per_min':%.17g,"
                                            "'Kd_nM':%.17g,'half_gradient_per_um':%.17g}", vmax, Kd, half);
    test_add_type(types, sizeof types, 5.0, 1.0, 5.0, 0.0, chemotaxis);
    /* a steady linear profile: fixed faces at x = 0 and x = L hold C = grad * x */
    snprintf(faces, sizeof faces, ",'fields':{'M':{'boundary':{'x_min':{'type':'fixed','value_nM':0},"
                                  "'x_max':{'type':'fixed','value_nM':%.17g}}}}", grad * nx * h_um);
    test_one_tissue(&s, nx, 10, 10, h_um, 1.0, 50.0, 0.0, faces, types, NULL, 0);
    agents_host h;
    const size_t n = 4000;
    test_population(&h, n, 300.0, 340.0, 1);
    for (size_t i = 0; i < n; i++) h.pos[3 * i + 1] = h.pos[3 * i + 2] = 100.0f;
    test_world w;
    if (!test_world_create(&w, d, &s, &h)) return;
    ps_err err;
    ps_err_clear(&err);
    const field_params *fp = field_get_params(w.fs);
    float *c = malloc(fp->nvox * sizeof(float));
    for (size_t v = 0; v < fp->nvox; v++) c[v] = (float)(grad * ((double)(v % nx) + 0.5) * h_um);
    field_upload(w.fs, c, &err);
    for (uint32_t k = 1; k <= (uint32_t)steps; k++) test_step(&w, k, &err);
    agents_host e;
    agents_download(w.a, &e, &err);
    double mx = 0, my = 0, mz = 0, sxx = 0, expect = 0;
    for (size_t i = 0; i < n; i++) {
        double dx = e.pos[3 * i] - h.pos[3 * i];
        mx += dx;
        sxx += dx * dx;
        my += e.pos[3 * i + 1] - h.pos[3 * i + 1];
        mz += e.pos[3 * i + 2] - h.pos[3 * i + 2];
        /* expected drift at the agent's mid-path concentration */
        double cm = grad * 0.5 * (e.pos[3 * i] + h.pos[3 * i]);
        double gf = grad * Kd / ((cm + Kd) * (cm + Kd));
        expect += vmax * gf / (gf + half);
    }
    mx /= n; my /= n; mz /= n; expect /= n;
    double sd = sqrt(sxx / n - mx * mx) / sqrt((double)n);
    double vx = mx / steps, ve = expect;
    printf("  chemotaxis up a %.2f nM/µm gradient: drift %.4f µm/min along x (expected %.4f), "
           "y %.3f µm, z %.3f µm (standard error %.3f µm)\n", grad, vx, ve, my, mz, sd);
    /* the rule is evaluated on voxel values, so the drift is exact up to the random
     * walk's noise: standard error of the mean displacement is sd (~0.2 µm of ~20 µm) */
    TEST_CHECK(fabs(mx - ve * steps) < 5 * sd + 0.01 * ve * steps, "drift %.3f vs %.3f µm", mx, ve * steps);
    TEST_CHECK(fabs(my) < 5 * sd && fabs(mz) < 5 * sd, "sideways drift %.3f %.3f", my, mz);
    free(c);
    agents_host_free(&e);
    agents_host_free(&h);
    test_world_destroy(&w);
}

/* Births and deaths of one type whose only state has division_factor `factor` (< 0: the key
   left out, factor 1): the population follows the birth-death expectation with the
   division hazard times the factor. */
static void test_birth_death(device *d, double factor)
{
    const double div_h = 0.6, death_h = 0.1, dt = 1.0;
    const int steps = 120;
    const size_t n0 = 1000;
    scenario s;
    char types[512] = "", rates[256];
    int nr = snprintf(rates, sizeof rates, ",'division_rate_per_h':%.17g,'death_rate_per_h':%.17g", div_h, death_h);
    if (factor >= 0)
        snprintf(rates + nr, sizeof rates - (size_t)nr, ",'states':[{'name':'s','division_factor':%.17g}]", factor);
    test_add_type(types, sizeof types, 5.0, 1.0, 5.0, 0.5, rates);
    test_one_tissue(&s, 20, 20, 20, 50.0, dt, 50.0, 0.0, "", types, NULL, 0);
    agents_host h;
    test_population(&h, n0, 0.0, 1000.0, 1);
    test_world w;
    if (!test_world_create(&w, d, &s, &h)) return;
    ps_err err;
    ps_err_clear(&err);
    size_t cap0 = agents_capacity(w.a);
    for (uint32_t k = 1; k <= (uint32_t)steps; k++) {
        test_step(&w, k, &err);
        if (k % 30 == 0) {
            uint64_t dropped = 0;
            TEST_CHECK(agents_check_capacity(w.a, &dropped, NULL, &err) == PS_OK, "%s", err.msg);
        }
    }
    agents_host e;
    agents_download(w.a, &e, &err);
    double f = factor >= 0 ? factor : 1.0;
    double pd = -expm1(-death_h * dt / 60), pv = -expm1(-f * div_h * dt / 60);
    double expect = n0 * pow(1 - pd + (1 - pd) * pv, steps);
    double rel = fabs((double)e.n - expect) / expect;
    printf("  birth/death over %d steps, division factor %g: %zu agents, expected %.0f (rel diff %.3f); "
           "capacity %zu -> %zu\n", steps, f, e.n, expect, rel, cap0, agents_capacity(w.a));
    /* a birth-death process from 1000 cells: relative SD ≈ sqrt((λ+μ)/(λ-μ) (e^{(λ-μ)t}-1)
     * / (n0 e^{(λ-μ)t})) ≈ 4 % at factor 1, 3 % at 0.5 (and the pure-death binomial, 1.3 %, at 0);
     * 16 % is four SD or more. The three expectations (2686, 1487, 819 agents) are more than
     * 16 % apart, so a factor that were ignored fails. */
    TEST_CHECK(rel < 0.16, "population %zu vs expected %.0f", e.n, expect);
    uint64_t ctr0[CTR_COUNT];
    agents_counters(w.a, ctr0, &err);
    if (f == 0) TEST_CHECK(ctr0[CTR_BIRTHS] == 0, "%llu births at division factor 0", (unsigned long long)ctr0[CTR_BIRTHS]);
    else TEST_CHECK(agents_capacity(w.a) > cap0, "capacity did not grow");
    int unique = 1;
    for (size_t i = 1; i < e.n; i++)
        for (size_t j = 0; j < i && unique; j++) unique &= e.id[i] != e.id[j];
    TEST_CHECK(unique, "duplicate agent ids");
    uint64_t ctr[CTR_COUNT];
    agents_counters(w.a, ctr, &err);
    TEST_CHECK(ctr[CTR_N_AGENTS] == n0 + ctr[CTR_BIRTHS] - ctr[CTR_DEATHS],
               "counters: n %llu, births %llu, deaths %llu", (unsigned long long)ctr[CTR_N_AGENTS],
               (unsigned long long)ctr[CTR_BIRTHS], (unsigned long long)ctr[CTR_DEATHS]);
    agents_host_free(&e);
    agents_host_free(&h);
    test_world_destroy(&w);
}

static void test_secretion(device *d)
{
    const double rate = 6.0e4; /* molecules/min per cell */
    const double h_um = 20.0;
    scenario s;
    char types[512] = "", states[128];
    snprintf(states, sizeof states, ",'states':[{'name':'default','secretion_molecules_per_min':{'M':%.17g}}]",
             rate);
    test_add_type(types, sizeof types, 5.0, 0.0, 5.0, 0.0, states);
    test_one_tissue(&s, 8, 8, 8, h_um, 1.0, 50.0, 0.0, "", types, NULL, 0);
    agents_host h;
    const size_t n = 50;
    test_population(&h, n, 0.0, 160.0, 1);
    test_world w;
    if (!test_world_create(&w, d, &s, &h)) return;
    ps_err err;
    ps_err_clear(&err);
    const int steps = 10;
    for (uint32_t k = 1; k <= (uint32_t)steps; k++) test_step(&w, k, &err);
    const field_params *fp = field_get_params(w.fs);
    float *c = malloc(fp->nvox * sizeof(float));
    field_download(w.fs, c, &err);
    double total_nM_vox = 0;
    for (size_t v = 0; v < fp->nvox; v++) total_nM_vox += c[v];
    /* molecules = sum(C) * N_A * V_voxel */
    double molecules = total_nM_vox * 1e-9 * 6.02214076e23 * h_um * h_um * h_um * 1e-15;
    double expect = rate * (double)n * steps;
    double rel = fabs(molecules - expect) / expect;
    printf("  secretion: %.4g molecules in the field, %.4g secreted (rel diff %.2e)\n", molecules,
           expect, rel);
    TEST_CHECK(rel < 1e-5, "secreted amount off by %.3e", rel);
    free(c);
    agents_host_free(&h);
    test_world_destroy(&w);
}

/* Fields no agent touches: with mediators Q (no agent term), S (secreted) and U (taken
 * up), agents_field_list marks S and U only, and the secretion and field solve give Q
 * exactly the values of a field set stepped without agents (bit for bit: an agent term
 * written into Q's buffers, or read from them, would change them), while S gains exactly
 * the molecules secreted and U ends below the agent-free run. Q is the first field, so a
 * kernel that confused the list position with the field index would write S's sums
 * into it. */
static void test_quiet_fields(device *d)
{
    const double rate = 3.0e4, h_um = 20.0;
    const int nside = 8;
    scenario s;
    TEST_SCENARIO(&s, "test", NULL, 0,
                  "{'name':'test','seed':1,"
                  "'time':{'duration_h':1,'dt_min':1,'output_interval_h':1,'snapshot_interval_h':1},"
                  "'mediators':[{'name':'Q','D_um2_per_s':40,'half_life_min':30,'kDa':17},"
                  "{'name':'S','D_um2_per_s':50,'kDa':17},{'name':'U','D_um2_per_s':60,'half_life_min':60,'kDa':17}],"
                  "'cell_types':[{'name':'cell0','radius_um':5,'speed_um_per_min':1,'persistence_min':5,"
                  "'states':[{'name':'default','secretion_molecules_per_min':{'S':%.17g},"
                  "'uptake_um3_per_min':{'U':2000}}]}],"
                  "'tissues':[{'name':'box','size_um':[%.17g,%.17g,%.17g],'voxel_um':%.17g,'tortuosity':1,"
                  "'fields':{'Q':{'initial_nM':2},'S':{},'U':{'initial_nM':1}}}]}",
                  rate, nside * h_um, nside * h_um, nside * h_um, h_um);
    agents_host h;
    const size_t n = 60;
    test_population(&h, n, 0.0, nside * h_um, 1);
    test_world w;
    if (!test_world_create(&w, d, &s, &h)) return;
    ps_err err;
    ps_err_clear(&err);
    field_set *bare = NULL;
    TEST_CHECK(field_create(&bare, d, &s, 0, &err) == PS_OK, "agent-free field set: %s", err.msg);
    const field_params *fp = field_get_params(w.fs);
    TEST_CHECK(fp->nf == 3, "%d fields, expected 3", fp->nf);
    /* the list, from the tables the device got */
    size_t ntab = (size_t)PS_MAX_STATES * (size_t)fp->nf;
    float *sec = calloc(ntab, sizeof(float)), *upt = calloc(ntab, sizeof(float));
    float *rel = calloc((size_t)fp->nf * REL_SIZE, sizeof(float));
    unsigned char on[3] = {9, 9, 9};
    unsigned int list[3] = {9, 9, 9};
    agents_rate_tables(&s, 0, fp, sec, upt);
    agents_release_table(&s, 0, fp, rel);
    int nfa = agents_field_list(&s, fp->nf, sec, upt, rel, on, list);
    TEST_CHECK(nfa == 2 && on[0] == 0 && on[1] == 1 && on[2] == 1 && list[0] == 1 && list[1] == 2,
               "fields agents touch: %d (on %d %d %d), expected S and U only", nfa, on[0], on[1], on[2]);
    const int steps = 12;
    for (uint32_t k = 1; k <= (uint32_t)steps && bare; k++) {
        test_step(&w, k, &err);
        field_step(bare, &err);
    }
    size_t nv = fp->nvox;
    float *c = malloc(3 * nv * sizeof(float)), *b = malloc(3 * nv * sizeof(float));
    if (fp->nf == 3 && bare && c && b && field_download(w.fs, c, &err) == PS_OK && field_download(bare, b, &err) == PS_OK) {
        size_t qdiff = 0;
        double sum_s = 0, sum_u = 0, sum_ub = 0;
        for (size_t v = 0; v < nv; v++) {
            qdiff += memcmp(&c[v], &b[v], sizeof(float)) != 0;
            sum_s += c[nv + v];
            sum_u += c[2 * nv + v];
            sum_ub += b[2 * nv + v];
        }
        double molecules = sum_s * 1e-9 * 6.02214076e23 * h_um * h_um * h_um * 1e-15;
        double expect = rate * (double)n * steps, rel_s = fabs(molecules - expect) / expect;
        printf("  quiet fields: Q differs from the agent-free run in %zu of %zu voxels; S %.4g "
               "molecules (%.4g secreted, rel diff %.2e); U %.4g vs %.4g without agents\n",
               qdiff, nv, molecules, expect, rel_s, sum_u, sum_ub);
        TEST_CHECK(qdiff == 0, "the untouched field differs from the agent-free run in %zu voxels", qdiff);
        TEST_CHECK(rel_s < 1e-5, "secreted amount off by %.3e", rel_s);
        /* 60 cells clearing 2000 um^3/min each from 512 voxels of 8000 um^3: a few % per
           step, so after 12 steps U is clearly below the agent-free run */
        TEST_CHECK(sum_u < 0.9 * sum_ub, "uptake: U %.6g, agent-free %.6g", sum_u, sum_ub);
    } else {
        TEST_CHECK(0, "downloading the fields: %s", err.msg);
    }
    free(c);
    free(b);
    free(sec);
    free(upt);
    free(rel);
    field_destroy(bare);
    agents_host_free(&h);
    test_world_destroy(&w);
}

/* The exclusive scan (cell list, compaction, entries) against a host prefix sum: sizes
 * around the block sizes of both layouts (CPU: 1024 per work-item; GPU: 256 x 4) and
 * several levels, out of place and in place. Integer sums: exact equality. */
static void test_scan(device *d)
{
    static const size_t sizes[] = {1, 5, 1023, 1024, 1025, 4097, 1048577, 3000007};
    const size_t nmax = 3000007;
    scan_plan *p = NULL;
    ps_err err;
    ps_err_clear(&err);
    cl_uint *h = malloc(nmax * sizeof *h), *got = malloc(nmax * sizeof *got);
    cl_mem a = NULL, b = NULL;
    int ok = h && got && scan_create(&p, d, nmax, &err) == PS_OK &&
             device_alloc(d, nmax * sizeof(cl_uint), "scan test in", &a, &err) == PS_OK &&
             device_alloc(d, nmax * sizeof(cl_uint), "scan test out", &b, &err) == PS_OK;
    TEST_CHECK(ok, "scan set-up: %s", err.msg);
    for (size_t s = 0; ok && s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s];
        uint32_t x = 12345u + (uint32_t)n;
        for (size_t i = 0; i < n; i++) {
            x = x * 1664525u + 1013904223u;
            h[i] = (x >> 28) & 7u;
        }
        for (int inplace = 0; inplace < 2; inplace++) {
            cl_mem out = inplace ? a : b;
            ps_status st = device_write(d, a, 0, n * sizeof(cl_uint), h, &err);
            if (st == PS_OK) st = scan_exclusive(p, a, out, n, &err);
            if (st == PS_OK) st = device_read(d, out, 0, n * sizeof(cl_uint), got, &err);
            size_t bad = 0;
            cl_uint run = 0;
            for (size_t i = 0; i < n && st == PS_OK; i++) {
                bad += got[i] != run;
                run += h[i];
            }
            TEST_CHECK(st == PS_OK && bad == 0, "scan of %zu (%s): %zu wrong, %s", n,
                       inplace ? "in place" : "out of place", bad, err.msg);
        }
    }
    printf("  exclusive scan: %zu sizes from 1 to %zu, in and out of place, equal to the host's\n",
           sizeof sizes / sizeof sizes[0], nmax);
    device_release(&a);
    device_release(&b);
    scan_destroy(p);
    free(h);
    free(got);
}

int main(void)
{
    device *d = test_open_device();
    printf("test_agents on %s\n", device_description(d));
    test_reference(d);
    test_msd(d);
    test_chemotaxis(d);
    test_birth_death(d, -1.0);
    test_birth_death(d, 0.5);
    test_birth_death(d, 0.0);
    test_secretion(d);
    test_quiet_fields(d);
    test_scan(d);
    device_close(d);
    return test_report("test_agents");
}
