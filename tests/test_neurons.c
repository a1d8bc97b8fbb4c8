/* test_neurons.c — nociceptor neurons across three tissues, through the real step loop.
 *  1. a nerve lesion injures exactly the neurons whose peripheral terminal lies in the
 *     lesion region; every compartment (terminal, soma in the DRG, central terminal in
 *     the dorsal horn) turns "injured" only after the transport delay (lag > 0.5 at
 *     delay * ln 2), and stays intact before;
 *  2. terminal excitability relaxes to weight * H(TNF) with its time constant, and a
 *     female-only term counts only in a female scenario;
 *  3. a neurotoxic drug injures every neuron once I = 1 - exp(-k t) passes 0.5;
 *  4. repair: a mediator sensed at the soma (repair driver) repairs lesioned neurons at
 *     rate * H, I = (1 + dt k)^-n, so they leave the injured state between 7.5 and 9.5 h
 *     after a lesion at 1 h (k = 0.1/h crosses 0.5 at 8.0 h); without the driver they
 *     stay injured; a permanent lesion stays injured even at repair_per_h = 1/h;
 *  5. STAT3-graded release: a soma with a jak_stat3 block (IL-6 held at its EC50) holds
 *     P* = k_on H / (k_on H + k_off) = 1/3; the central terminals follow it through the
 *     transport lag, P = P* (1 - exp(-t / delay)); a release with stat3_gain g multiplies
 *     the CSF1 the injured somata put into the DRG by exactly 1 + g P* against g = 0;
 *  6. the slow state M under a constant central gain follows its implicit integration,
 *     with the induction's Hill coefficient (memory_hill); the primed state P under a
 *     constant priming trigger follows its own, and multiplies the terminal's excitability
 *     terms by 1 + priming_weight P (the trigger itself adds nothing); a TNFR1 knockout of
 *     the terminal prevents it;
 *  7. sex and priming: entries from the blood at a constant rate follow rate * V * t
 *     (Poisson, within 5 sigma) in a male scenario, twice that with female_rate_factor 2
 *     in a female one, and the integral of the primed pool's gamma pulse with priming.
 */
#include <math.h>
#include <mpi.h>

#include "../kernels/params.h"
#include "neurons.h"
#include "sim.h"
#include "test.h"
#include "test_common.h"

enum { NERVE, DRG, DH };
enum { SOMA, TERM, CTERM };

/* A cell type of radius 3 µm, immotile, with states intact and injured (JSON). */
#define TYPE(name) "{'name':'" name "','radius_um':3,'speed_um_per_min':0,'persistence_min':5," \
                   "'repulsion_um_per_min':0,'receptors':[{'name':'TNFR1','mediator':'TNF'}]," \
                   "'states':[{'name':'intact'},{'name':'injured'}]}"
/* A tissue of sx x 100 x 100 µm in voxels of 20 µm, drawn at x = origin_x (JSON, open:
 * the tissue's extra keys and the closing brace follow). */
#define TISSUE(name, sx, origin_x) "{'name':'" name "','size_um':[" #sx ",100,100],'voxel_um':20," \
                                   "'origin_um':[" #origin_x ",0,0],'tortuosity':1"

/* What a test adds to base()'s scenario: JSON text ("" or NULL, else starting with a
 * comma) appended to the cell types, inside the nerve, inside neurons, inside pain and at
 * the top level, and --set overrides. */
typedef struct {
    const char *types, *nerve, *neurons, *pain, *top;
    const char *const *sets;
    int n_sets;
} extras;

/* count neurons: somata in the DRG, peripheral terminals in the nerve, central terminals
 * in the dorsal horn (types soma, terminal, central_terminal); one mediator TNF; 24 h in
 * 5-min steps; transport delay 6 h; pain baseline 4 g, time constant 2 h. */
static void base(scenario *s, int count, extras x)
{
#define X(f) (x.f ? x.f : "")
    TEST_SCENARIO(s, "test", x.sets, x.n_sets,
                  "{'name':'neurons','seed':3,"
                  "'time':{'duration_h':24,'dt_min':5,'output_interval_h':1,'snapshot_interval_h':24},"
                  "'engine':{'agent_capacity_factor':2},"
                  "'mediators':[{'name':'TNF','D_um2_per_s':50,'kDa':17}],"
                  "'cell_types':[" TYPE("soma") "," TYPE("terminal") "," TYPE("central_terminal") "%s],"
                  "'tissues':[" TISSUE("nerve", 200, 0) "%s}," TISSUE("drg", 100, 300) "},"
                  TISSUE("dh", 100, 600) "}],"
                  "'neurons':{'count':%d,'soma':{'tissue':'drg','type':'soma'},"
                  "'peripheral':{'tissue':'nerve','type':'terminal'},"
                  "'central':{'tissue':'dh','type':'central_terminal'},'transport_delay_h':6%s},"
                  "'pain':{'baseline_threshold_g':4,'time_constant_h':2%s}%s}",
                  X(types), X(nerve), count, X(neurons), X(pain), X(top));
#undef X
}

static void run_to(sim *sm, double t_h)
{
    ps_err err;
    ps_err_clear(&err);
    while (sim_time_h(sm) < t_h - 1e-9) sim_step(sm, &err);
    TEST_CHECK(err.code == PS_OK, "%s", err.msg);
}

/* A simulation of s run to t_h hours; NULL (s freed) when it cannot be created. */
static sim *started(const sim_ctx *ctx, scenario *s, double t_h)
{
    ps_err err;
    ps_err_clear(&err);
    sim *sm = NULL;
    TEST_CHECK(sim_create(&sm, ctx, s, &err) == PS_OK, "%s", err.msg);
    if (!sm) {
        free(s);
        return NULL;
    }
    run_to(sm, t_h);
    return sm;
}

static uint32_t injured_count(sim *sm, int t, int type)
{
    uint32_t counts[SCN_MAX_TYPES * PS_MAX_STATES];
    ps_err err;
    ps_err_clear(&err);
    agents_count_states(sim_agents(sm, t), counts, &err);
    return counts[type * PS_MAX_STATES + 1];
}

/* A lesion at 1 h over the nerve's x < 80 µm: the nerve's region and the neurons' key. */
#define LESION_REGION ",'regions':[{'name':'lesion','shape':'box','min_um':[0,0,0],'max_um':[80,100,100]}]"
#define LESION ",'lesion':{'region':'lesion','at_h':1,'permanent':false}"

/* Terminals inside the lesion region: voxel centres with x < 80 µm, i.e. x in [0, 80). */
static uint32_t lesioned_terminals(sim *sm)
{
    ps_err err;
    ps_err_clear(&err);
    agents_host h;
    agents_download(sim_agents(sm, NERVE), &h, &err);
    uint32_t n = 0;
    for (size_t i = 0; i < h.n; i++) n += h.pos[3 * i] < 80.0f;
    agents_host_free(&h);
    return n;
}

static void test_lesion(const sim_ctx *ctx)
{
    scenario *s = calloc(1, sizeof *s);
    const int N = 400;
    base(s, N, (extras){.nerve = LESION_REGION, .neurons = LESION});
    ps_err err;
    ps_err_clear(&err);
    sim *sm = NULL;
    TEST_CHECK(sim_create(&sm, ctx, s, &err) == PS_OK, "%s", err.msg);
    if (!sm) return;
    uint32_t expect = lesioned_terminals(sm);
    run_to(sm, 5.0);   /* lag passes 0.5 at 1 h + 6 h ln 2 = 5.16 h */
    uint32_t early = injured_count(sm, NERVE, TERM) + injured_count(sm, DRG, SOMA) +
                     injured_count(sm, DH, CTERM);
    double frac = 0;
    neurons_injured_fraction(sim_neurons(sm), &frac, &err);
    run_to(sm, 12.0);
    uint32_t t_n = injured_count(sm, NERVE, TERM), t_d = injured_count(sm, DRG, SOMA),
             t_c = injured_count(sm, DH, CTERM);
    printf("  lesion at 1 h over %u of %d terminals: neurons injured %.3f at 5 h; injured "
           "compartments %u before the delay, %u/%u/%u (terminal/soma/central) at 12 h\n",
           expect, N, frac, early, t_n, t_d, t_c);
    TEST_CHECK(expect > 100 && expect < 300, "lesion region holds %u of %d terminals", expect, N);
    TEST_CHECK(fabs(frac - (double)expect / N) < 1e-12, "injured neurons %.4f vs %.4f", frac,
               (double)expect / N);
    TEST_CHECK(early == 0, "%u compartments injured before the transport delay", early);
    TEST_CHECK(t_n == expect && t_d == expect && t_c == expect,
               "injured compartments %u/%u/%u, expected %u each", t_n, t_d, t_c, expect);
    sim_destroy(sm);
    free(s);
}

static void test_excitability(const sim_ctx *ctx)
{
    for (int female = 0; female < 2; female++) {
        scenario *s = calloc(1, sizeof *s);
        /* uniform 1 nM TNF in the nerve, no decay: H = 0.5 */
        const char *sets[] = {female ? "sex=female" : "sex=male", "tissues.nerve.fields.TNF.initial_nM=1"};
        base(s, 300, (extras){.pain = ",'terms':["
                                      "{'site':'peripheral','mediator':'TNF','EC50_nM':1,'hill':1,"
                                      "'weight':1,'sex':'both'},"
                                      "{'site':'peripheral','mediator':'TNF','EC50_nM':1,'hill':1,"
                                      "'weight':2,'sex':'female'}]",
                              .sets = sets, .n_sets = 2});
        ps_err err;
        ps_err_clear(&err);
        sim *sm = NULL;
        TEST_CHECK(sim_create(&sm, ctx, s, &err) == PS_OK, "%s", err.msg);
        if (!sm) return;
        uint32_t counts[SCN_MAX_TYPES * PS_MAX_STATES];
        double means[SCN_MAX_TYPES];
        run_to(sm, 12.0);
        agents_count_states(sim_agents(sm, NERVE), counts, &err);
        agents_var_means(sim_agents(sm, NERVE), VAR_EXCIT, counts, means, &err);
        double w = female ? 3.0 : 1.0;
        double expect = w * 0.5 * (1 - exp(-12.0 / 2.0));
        printf("  excitability (%s) after 12 h in 1 nM TNF: %.5f, expected %.5f\n",
               female ? "female" : "male", means[TERM], expect);
        /* float relaxation in 144 steps: a few ulps per step */
        TEST_CHECK(fabs(means[TERM] - expect) < 1e-5, "excitability %.6f vs %.6f", means[TERM], expect);
        sim_destroy(sm);
        free(s);
    }
}

/* A simulation of s run to t_h hours and its pain readout there; NULL as started(). */
static sim *read_out(const sim_ctx *ctx, scenario *s, double t_h, neurons_readout_t *r)
{
    sim *sm = started(ctx, s, t_h);
    if (!sm) return NULL;
    ps_err err;
    ps_err_clear(&err);
    TEST_CHECK(neurons_readout(sim_neurons(sm), r, &err) == PS_OK, "%s", err.msg);
    return sm;
}

/* The pain readout with TNF held at 1 nM (H = 0.5 at EC50 1 nM) in every tissue and no
 * injury: E_soma -> u * 0.5 * w_soma (u = soma_uninjured_response, 0.2), E_per -> 0.5 * w_per,
 * G -> 0.5 * w_cen, each relaxed exactly as 1 - exp(-t / 2 h) per constant target, and
 * S = (E_soma + E_per) (w0 + G), w0 = pain.direct_weight (1 by default; the soma and
 * peripheral sources are w0 times E). A receptor knockout of the soma's TNFR1 removes E_soma,
 * a female expression of 0.5 on the central receptor halves what G senses (H = 1/3), and
 * pain.immune_terms = false leaves nothing; the sources always add up to S. */
static void test_pain_readout(const sim_ctx *ctx)
{
    const double f = 1.0 - exp(-12.0 / 2.0), ws = 1.0, wp = 0.4, wc = 2.0;
    struct {
        const char *name, *set, *top;
        double soma, per, gain, w0;
    } v[] = {
        {"untreated", "sex=male", "", 0.2 * 0.5 * ws, 0.5 * wp, 0.5 * wc, 1.0},
        {"soma TNFR1 knocked out", "sex=male",
         ",'perturbations':[{'kind':'receptor_knockout','type':'soma','receptor':'TNFR1'}]", 0.0, 0.5 * wp, 0.5 * wc,
         1.0},
        {"female, central TNFR1 at half expression", "sex=female", "", 0.2 * 0.5 * ws, 0.5 * wp, wc / 3.0, 1.0},
        {"immune terms removed", "pain.immune_terms=false", "", 0.0, 0.0, 0.0, 1.0},
        {"direct weight 0.3", "pain.direct_weight=0.3", "", 0.2 * 0.5 * ws, 0.5 * wp, 0.5 * wc, 0.3},
    };
    for (size_t k = 0; k < sizeof v / sizeof v[0]; k++) {
        scenario *s = calloc(1, sizeof *s);
        const char *sets[] = {v[k].set, "tissues.nerve.fields.TNF.initial_nM=1", "tissues.drg.fields.TNF.initial_nM=1",
                              "tissues.dh.fields.TNF.initial_nM=1",
                              "cell_types.central_terminal.receptors.0.female_expression=0.5"};
        base(s, 50, (extras){.pain = ",'terms':["
                                     "{'site':'soma','mediator':'TNF','EC50_nM':1,'weight':1},"
                                     "{'site':'peripheral','mediator':'TNF','EC50_nM':1,'weight':0.4},"
                                     "{'site':'central','mediator':'TNF','EC50_nM':1,'weight':2}]",
                             .top = v[k].top, .sets = sets, .n_sets = 5});
        neurons_readout_t r;
        sim *sm = read_out(ctx, s, 12.0, &r);
        if (!sm) return;
        double es = v[k].soma * f, ep = v[k].per * f, g = v[k].gain * f;
        double S = (es + ep) * (v[k].w0 + g);
        es *= v[k].w0;                  /* the soma and peripheral sources of S */
        ep *= v[k].w0;
        printf("  pain readout, %s: S %.6f (expected %.6f), soma %.5f, peripheral %.5f, G %.5f\n", v[k].name,
               r.sensitization, S, r.soma, r.peripheral, r.gain);
        /* float relaxation over 144 steps and float Hill values: 1e-5 absolute */
        TEST_CHECK(fabs(r.soma - es) < 1e-5 && fabs(r.peripheral - ep) < 1e-5 && fabs(r.gain - g) < 1e-5,
                   "%s: soma %.6f/%.6f peripheral %.6f/%.6f G %.6f/%.6f", v[k].name, r.soma, es, r.peripheral, ep,
                   r.gain, g);
        TEST_CHECK(fabs(r.sensitization - S) < 1e-5, "%s: S %.6f vs %.6f", v[k].name, r.sensitization, S);
        double sum = r.intrinsic + r.soma + r.peripheral + r.priming + r.central + r.memory;
        TEST_CHECK(fabs(sum - r.sensitization) < 1e-9 * (1 + r.sensitization), "%s: sources sum %.9f, S %.9f",
                   v[k].name, sum, r.sensitization);
        sim_destroy(sm);
        free(s);
    }
}

/* The slow state M under a constant central gain G* = 2 H(TNF at its EC50) = 1 (time
 * constant 0.01 h: G is at G* from the first steps), memory_K 2, induction 1/h, no decay:
 * M = 1 - (1 + dt u)^-(n-1) (the first step sees G = 0) with u = induction * G*^h / (G*^h + K^h):
 * 1/3 of it at Hill 1, 1/9 at Hill 3 (memory_hill). */
static void test_memory(const sim_ctx *ctx)
{
    const double hills[] = {1.0, 3.0}, hfrac[] = {1.0 / 3.0, 1.0 / 9.0};
    for (int k = 0; k < 2; k++) {
        scenario *s = calloc(1, sizeof *s);
        char hill[64];
        snprintf(hill, sizeof hill, "pain.memory_hill=%g", hills[k]);
        const char *sets[] = {"tissues.dh.fields.TNF.initial_nM=1", "tissues.dh.fields.TNF.half_life_min=0",
                              "pain.time_constant_h=0.01", "pain.memory_K=2", "pain.memory_induction_per_h=1",
                              hill};
        base(s, 50, (extras){.pain = ",'terms':[{'site':'central','mediator':'TNF','EC50_nM':1,'weight':2}]",
                             .sets = sets, .n_sets = 6});
        neurons_readout_t r;
        sim *sm = read_out(ctx, s, 12.0, &r);
        if (!sm) return;
        double u = hfrac[k] / 60.0, expect = 1.0 - pow(1.0 + 5.0 * u, -143.0);
        printf("  memory at Hill %g after 12 h: M %.5f (expected %.5f), G %.5f (expected 1)\n", hills[k],
               r.memory_state, expect, r.gain);
        /* 143 of the 144 steps: the first sees G from the step before (0); float: 2e-4 */
        TEST_CHECK(fabs(r.memory_state - expect) < 2e-4, "Hill %g: M %.5f vs %.5f", hills[k], r.memory_state, expect);
        TEST_CHECK(fabs(r.gain - 1.0) < 1e-4, "G %.5f vs 1", r.gain);
        sim_destroy(sm);
        free(s);
    }
}

/* The primed state P under a constant trigger: TNF held at 1 nM in the nerve, a priming
 * term of weight 2 at EC50 1 nM (T = 1) and an excitability term of weight 0.4 (0.2 at the
 * EC50), induction 0.1 /h, no decay, priming_weight 1, time constant 0.01 h:
 * P = 1 - (1 + dt k T)^-(n-1) (143 of 144 steps: the first sees the trigger row of the step
 * before, 0), E_peripheral = 0.2 (1 + P) (P of the step before: 0.0025 less), so the
 * peripheral and priming sources are 0.2 and 0.2 P; with the terminal's TNFR1 knocked out
 * nothing is sensed: P = 0 and E = 0. */
static void test_priming(const sim_ctx *ctx)
{
    for (int ko = 0; ko < 2; ko++) {
        scenario *s = calloc(1, sizeof *s);
        const char *sets[] = {"tissues.nerve.fields.TNF.initial_nM=1", "tissues.nerve.fields.TNF.half_life_min=0",
                              "pain.time_constant_h=0.01", "pain.priming_induction_per_h=0.1",
                              "pain.priming_weight=1"};
        base(s, 50, (extras){.pain = ",'terms':[{'site':'peripheral','mediator':'TNF','EC50_nM':1,'weight':2,"
                                     "'role':'priming'},{'site':'peripheral','mediator':'TNF','EC50_nM':1,"
                                     "'weight':0.4}]",
                             .top = ko ? ",'perturbations':[{'kind':'receptor_knockout','type':'terminal',"
                                         "'receptor':'TNFR1'}]" : NULL,
                             .sets = sets, .n_sets = 5});
        neurons_readout_t r;
        sim *sm = read_out(ctx, s, 12.0, &r);
        if (!sm) return;
        double P = ko ? 0.0 : 1.0 - pow(1.0 + 5.0 * 0.1 / 60.0, -143.0), E = ko ? 0.0 : 0.2 * (1.0 + P);
        printf("  priming%s after 12 h: P %.5f (expected %.5f), peripheral %.5f + priming %.5f = E %.5f "
               "(expected %.5f)\n", ko ? " (TNFR1 knocked out)" : "", r.priming_state, P, r.peripheral, r.priming,
               r.peripheral + r.priming, E);
        /* float implicit steps: 2e-4; E lags P by one step (dP 0.0025 per step): 1e-3 */
        TEST_CHECK(fabs(r.priming_state - P) < 2e-4, "P %.5f vs %.5f", r.priming_state, P);
        TEST_CHECK(fabs(r.peripheral + r.priming - E) < 1e-3, "E %.5f vs %.5f", r.peripheral + r.priming, E);
        TEST_CHECK(fabs(r.peripheral - (ko ? 0.0 : 0.2)) < 1e-3, "unprimed part %.5f vs 0.2", r.peripheral);
        TEST_CHECK(fabs(r.by_mediator[0] - (r.peripheral + r.priming)) < 1e-3,
                   "by_mediator TNF %.5f: the excitability term only, amplified, %.5f", r.by_mediator[0],
                   r.peripheral + r.priming);
        sim_destroy(sm);
        free(s);
    }
}

static void test_toxin(const sim_ctx *ctx)
{
    scenario *s = calloc(1, sizeof *s);
    /* exposure at c nM, held by a half-life of 1e4 h (the loader's maximum: the hand-built
     * drug this replaces had 1e5 h, which it refuses); over 12 h it falls by 0.08 %, which
     * delays the crossing of 0.5 by about 3 s (and its tissue_fraction is 1 in the three
     * tissues only, not in unused slots). Toxin EC50 = c is half-maximal: k = rate / 2 */
    double c = 1e6 / 853.9;               /* nM */
    char toxin[256];
    snprintf(toxin, sizeof toxin, ",'toxin':{'drug':'toxin','EC50_nM':%.17g,'rate_per_h':0.2}", c);
    const char *set[] = {"neurons.transport_delay_h=1"};
    base(s, 200, (extras){.top = ",'drugs':[{'name':'toxin','mw_g_per_mol':853.9,'half_life_h':1e4,"
                                 "'bioavailability':1,'Vd_L_per_kg':1,'doses':[{'start_h':0,'mg_per_kg':1}]}]",
                          .neurons = toxin, .sets = set, .n_sets = 1});
    ps_err err;
    ps_err_clear(&err);
    sim *sm = NULL;
    TEST_CHECK(sim_create(&sm, ctx, s, &err) == PS_OK, "%s", err.msg);
    if (!sm) return;
    /* I = 1 - exp(-0.1 t) passes 0.5 at 6.93 h (implicit Euler at 5-min steps: 6.95 h) */
    double f6 = 0, f8 = 0;
    run_to(sm, 6.5);
    neurons_injured_fraction(sim_neurons(sm), &f6, &err);
    run_to(sm, 7.5);
    neurons_injured_fraction(sim_neurons(sm), &f8, &err);
    run_to(sm, 12.0);
    uint32_t somata = injured_count(sm, DRG, SOMA);
    printf("  neurotoxic drug at EC50: injured neurons %.2f at 6.5 h, %.2f at 7.5 h; %u/200 "
           "somata injured at 12 h\n", f6, f8, somata);
    TEST_CHECK(f6 == 0.0 && f8 == 1.0, "injured fraction %.2f at 6.5 h, %.2f at 7.5 h", f6, f8);
    TEST_CHECK(somata == 200, "%u somata injured", somata);
    sim_destroy(sm);
    free(s);
}

/* Fraction of injured neurons at 7.5, 9.5 and 12 h after a lesion at 1 h over x < 80 µm. */
static void repair_run(const sim_ctx *ctx, int driver, int permanent, double repair_per_h,
                       double frac[3], double *lesioned)
{
    scenario *s = calloc(1, sizeof *s);
    const int N = 300;
    char nkeys[512];
    snprintf(nkeys, sizeof nkeys, ",'lesion':{'region':'lesion','at_h':1,'permanent':%s},'repair_per_h':%.17g%s",
             permanent ? "true" : "false", repair_per_h,
             driver ? ",'repair_drivers':[{'mediator':'TNF','EC50_nM':1,'hill':1,'rate_per_h':0.2}]" : "");
    const char *set[] = {"tissues.drg.fields.TNF.initial_nM=1"};   /* uniform TNF at the somata: H = 0.5 */
    base(s, N, (extras){.nerve = LESION_REGION, .neurons = nkeys, .sets = set, .n_sets = 1});
    ps_err err;
    ps_err_clear(&err);
    sim *sm = NULL;
    TEST_CHECK(sim_create(&sm, ctx, s, &err) == PS_OK, "%s", err.msg);
    if (!sm) return;
    uint32_t expect = lesioned_terminals(sm);
    *lesioned = (double)expect / N;
    const double at[3] = {7.5, 9.5, 12.0};
    for (int k = 0; k < 3; k++) {
        run_to(sm, at[k]);
        neurons_injured_fraction(sim_neurons(sm), &frac[k], &err);
    }
    sim_destroy(sm);
    free(s);
}

static void test_repair(const sim_ctx *ctx)
{
    double f[3], ctl[3], perm[3], les = 0;
    repair_run(ctx, 1, 0, 0.0, f, &les);
    repair_run(ctx, 0, 0, 0.0, ctl, &les);
    repair_run(ctx, 1, 1, 1.0, perm, &les);
    printf("  repair driver (0.1/h at the soma): injured %.3f/%.3f at 7.5/9.5 h (lesioned %.3f); "
           "no driver %.3f at 12 h; permanent lesion at repair 1/h %.3f at 12 h\n",
           f[0], f[1], les, ctl[2], perm[2]);
    TEST_CHECK(les > 0.25 && les < 0.75, "lesioned fraction %.3f", les);
    TEST_CHECK(fabs(f[0] - les) < 1e-12 && f[1] == 0.0,
               "with the repair driver: %.3f at 7.5 h (expected %.3f), %.3f at 9.5 h (expected 0)",
               f[0], les, f[1]);
    TEST_CHECK(fabs(ctl[2] - les) < 1e-12, "without the driver: %.3f at 12 h, expected %.3f", ctl[2], les);
    TEST_CHECK(fabs(perm[2] - les) < 1e-12, "permanent lesion: %.3f at 12 h, expected %.3f", perm[2], les);
}

/* Two mediators (IL-6 held at 1 nM in every tissue, CSF1 from 0; neither decays), somata
 * with neuronal JAK/STAT3 on IL-6 (EC50 1 nM, k_on = k_off = 0.1/min, no SOCS3), a
 * permanent lesion at 1 h; soma and central terminal release CSF1 at 100 molecules/min per
 * unit injury with stat3_gain g. */
static void stat3_run(const sim_ctx *ctx, double gain, double *drg_csf1, double *p_soma, double *p_cen,
                      double *lag_injured)
{
    scenario *s = calloc(1, sizeof *s);
    char rel[400];
    snprintf(rel, sizeof rel, ",'release':[{'site':'soma','mediator':'CSF1','per_injury_molecules_per_min':100,"
             "'stat3_gain':%g},{'site':'central','mediator':'CSF1','per_injury_molecules_per_min':100,"
             "'stat3_gain':%g}],'lesion':{'region':'lesion','at_h':1,'permanent':true}", gain, gain);
    const char *sets[] = {"tissues.nerve.fields.IL6.initial_nM=1", "tissues.drg.fields.IL6.initial_nM=1",
                          "tissues.dh.fields.IL6.initial_nM=1"};
#define STYPE(name, extra) "{'name':'" name "','radius_um':3,'speed_um_per_min':0,'persistence_min':5," \
                           "'repulsion_um_per_min':0,'receptors':[{'name':'IL6R','mediator':'IL6'}]," \
                           "'states':[{'name':'intact'},{'name':'injured'}]" extra "}"
    TEST_SCENARIO(s, "test", sets, 3,
                  "{'name':'stat3','seed':3,"
                  "'time':{'duration_h':24,'dt_min':5,'output_interval_h':1,'snapshot_interval_h':24},"
                  "'engine':{'agent_capacity_factor':2},"
                  "'mediators':[{'name':'IL6','D_um2_per_s':50,'kDa':21},{'name':'CSF1','D_um2_per_s':50,'kDa':60}],"
                  "'cell_types':[" STYPE("soma", ",'jak_stat3':{'activators':[{'mediator':'IL6','EC50_nM':1}],"
                                                 "'k_on_per_min':0.1,'k_off_per_min':0.1,'socs_synthesis_per_min':0}")
                  "," STYPE("terminal", "") "," STYPE("central_terminal", "") "],"
                  "'tissues':[" TISSUE("nerve", 200, 0) LESION_REGION "}," TISSUE("drg", 100, 300) "},"
                  TISSUE("dh", 100, 600) "}],"
                  "'neurons':{'count':200,'soma':{'tissue':'drg','type':'soma'},"
                  "'peripheral':{'tissue':'nerve','type':'terminal'},"
                  "'central':{'tissue':'dh','type':'central_terminal'},'transport_delay_h':6%s},"
                  "'pain':{'baseline_threshold_g':4,'time_constant_h':2}}", rel);
#undef STYPE
    ps_err err;
    ps_err_clear(&err);
    sim *sm = started(ctx, s, 12.0);
    if (!sm) return;
    double sum[PS_MAX_FIELDS], mx[PS_MAX_FIELDS], means[SCN_MAX_TYPES];
    uint32_t counts[SCN_MAX_TYPES * PS_MAX_STATES];
    field_stats_sums(sim_fields(sm, DRG), sum, mx, &err);
    *drg_csf1 = sum[1];
    agents_count_states(sim_agents(sm, DRG), counts, &err);
    agents_var_means(sim_agents(sm, DRG), VAR_PSTAT3, counts, means, &err);
    *p_soma = means[SOMA];
    agents_count_states(sim_agents(sm, DH), counts, &err);
    agents_var_means(sim_agents(sm, DH), VAR_PSTAT3, counts, means, &err);
    *p_cen = means[CTERM];
    *lag_injured = injured_count(sm, DH, CTERM);
    TEST_CHECK(err.code == PS_OK, "%s", err.msg);
    sim_destroy(sm);
    free(s);
}

static void test_stat3_release(const sim_ctx *ctx)
{
    double c0, c3, p0, p3, q0, q3, n0, n3;
    stat3_run(ctx, 0.0, &c0, &p0, &q0, &n0);
    stat3_run(ctx, 3.0, &c3, &p3, &q3, &n3);
    double pstar = 1.0 / 3.0, qexp = pstar * (1.0 - exp(-12.0 / 6.0));
    printf("  neuronal pSTAT3: soma %.5f (P* %.5f), central terminal at 12 h %.5f (lag %.5f); DRG CSF1 "
           "with gain 3 / without %.5f (1 + 3 P* = 2)\n", p3, pstar, q3, qexp, c3 / c0);
    TEST_CHECK(c0 > 0, "no CSF1 released by the injured somata");
    TEST_CHECK(fabs(p3 - pstar) < 1e-3 && fabs(p0 - pstar) < 1e-3, "soma pSTAT3 %.5f / %.5f vs %.5f", p0, p3, pstar);
    /* the soma reaches P* within ~20 min and the terminals read it a step late: 2 % */
    TEST_CHECK(fabs(q3 - qexp) < 0.02 * qexp, "central-terminal pSTAT3 %.5f vs %.5f", q3, qexp);
    TEST_CHECK(fabs(c3 / c0 - (1.0 + 3.0 * pstar)) < 2e-3, "release ratio %.5f vs %.5f", c3 / c0,
               1.0 + 3.0 * pstar);
}

static void test_recruitment_sex(const sim_ctx *ctx)
{
    double n[3] = {0, 0, 0};
    for (int run = 0; run < 3; run++) {
        int female = run == 1;
        scenario *s = calloc(1, sizeof *s);
        /* T cells (type 3) enter the whole nerve; with priming, from a primed pool peaking
         * 1 h after a trigger at 0.5 h */
        char nerve[512];
        snprintf(nerve, sizeof nerve, ",'recruitment':[{'type':'t_cell','state':'intact','rate_per_mm3_per_h':1e5,"
                                      "'barrier_permeability':0.5,'female_rate_factor':2%s}]",
                 run == 2 ? ",'priming':{'from_h':0.5,'peak_h':1}" : "");
        const char *set[] = {female ? "sex=female" : "sex=male"};
        base(s, 10, (extras){.types = "," TYPE("t_cell"), .nerve = nerve, .sets = set, .n_sets = 1});
        ps_err err;
        ps_err_clear(&err);
        sim *sm = NULL;
        TEST_CHECK(sim_create(&sm, ctx, s, &err) == PS_OK, "%s", err.msg);
        if (!sm) return;
        run_to(sm, 2.0);
        uint32_t counts[SCN_MAX_TYPES * PS_MAX_STATES];
        agents_count_states(sim_agents(sm, NERVE), counts, &err);
        n[run] = counts[3 * PS_MAX_STATES];
        sim_destroy(sm);
        free(s);
    }
    /* 1e5 /mm³/h x 0.002 mm³ x 0.5 x 2 h = 200 (male), 400 (female); the pool holds 1024 */
    printf("  entries from the blood in 2 h: %.0f (male, expected 200), %.0f (female, expected 400)\n",
           n[0], n[1]);
    TEST_CHECK(fabs(n[0] - 200) < 5 * sqrt(200.0), "male entries %.0f, expected 200", n[0]);
    TEST_CHECK(fabs(n[1] - 400) < 5 * sqrt(400.0), "female entries %.0f, expected 400", n[1]);
    /* primed: 100/h x sum over 5-min steps of P(t_start - 0.5 h) x 1/12 h */
    double e = 0;
    for (int k = 0; k < 24; k++) {
        double tau = (k * 5.0 / 60.0 - 0.5) / 1.0;
        if (tau > 0) e += 100.0 * tau * exp(1.0 - tau) / 12.0;
    }
    printf("  primed pool (trigger 0.5 h, peak 1 h later): %.0f entries in 2 h, expected %.1f\n", n[2], e);
    TEST_CHECK(fabs(n[2] - e) < 5 * sqrt(e), "primed entries %.0f, expected %.1f", n[2], e);
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    sim_ctx ctx = {.comm = MPI_COMM_WORLD, .rank = 0, .size = 1};
    log_init(&ctx.log, 0, 1, 1);
    ctx.dev = test_open_device();
    printf("test_neurons on %s\n", device_description(ctx.dev));
    test_lesion(&ctx);
    test_excitability(&ctx);
    test_pain_readout(&ctx);
    test_memory(&ctx);
    test_priming(&ctx);
    test_toxin(&ctx);
    test_repair(&ctx);
    test_stat3_release(&ctx);
    test_recruitment_sex(&ctx);
    device_close(ctx.dev);
    int rc = test_report("test_neurons");
    MPI_Finalize();
    return rc;
}
