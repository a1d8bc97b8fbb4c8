/* test_contacts.c — contact-dependent events through the cell list, on the device.
 *  1. eating with certainty: one eater in range of every prey eats all of them in one
 *     step and switches to its `to` state; prey of another state are left alone;
 *  2. eating at a finite hazard: each prey in range of one eater is eaten with
 *     p = 1 - exp(-rate dt) per step (binomial count within 5 sigma), and never by two
 *     eaters (prey eaten + prey left = prey before, whatever the number of eaters);
 *  3. contact without eating: a cell with K partners in range switches with probability
 *     1 - (1 - p)^K (binomial within 5 sigma), and partners stay;
 *  4. range: with the default range (sum of radii) cells farther apart never meet;
 *  5. the same seed gives the same outcome.
 */
#include <math.h>
#include <mpi.h>

#include "../kernels/params.h"
#include "sim.h"
#include "test.h"
#include "test_common.h"

enum { EATER, PREY };

static void add_type(scenario *s, const char *name, const char *s0, const char *s1)
{
    scn_cell_type *c = &s->types[s->n_types++];
    memset(c, 0, sizeof *c);
    snprintf(c->name, SCN_NAME_MAX, "%s", name);
    c->radius_um = 2;
    c->persistence_min = 5;
    c->chemotaxis_mediator = -1;
    c->jak_stat3.inhibitor_mediator = -1;
    c->n_states = 2;
    snprintf(c->states[0].name, SCN_NAME_MAX, "%s", s0);
    snprintf(c->states[1].name, SCN_NAME_MAX, "%s", s1);
}

/* One tissue of side um (voxel 20 µm), n_eat eaters and n_prey prey in state prey_state. */
static void base(scenario *s, double side, int64_t n_eat, int64_t n_prey, int prey_state)
{
    memset(s, 0, sizeof *s);
    snprintf(s->name, SCN_NAME_MAX, "contacts");
    snprintf(s->source_path, SCN_PATH_MAX, "test");
    s->seed = 11;
    s->dt_min = 5;
    s->duration_h = 1;
    s->output_interval_h = 1;
    s->snapshot_interval_h = 1;
    s->agent_capacity_factor = 2;
    s->n_mediators = 1;
    snprintf(s->mediators[0].name, SCN_NAME_MAX, "X");
    s->mediators[0].D_um2_per_s = 10;
    s->mediators[0].kDa = 10;
    scn_tissue *t = &s->tissues[s->n_tissues++];
    snprintf(t->name, SCN_NAME_MAX, "box");
    t->size_um[0] = t->size_um[1] = t->size_um[2] = side;
    t->voxel_um = 20;
    t->tortuosity = 1;
    t->fields[0].present = 1;
    t->fields[0].D_um2_per_s = 10;
    t->n_seedings = 2;
    t->seedings[0] = (scn_seeding){.type = EATER, .state = 0, .count = n_eat, .region = -1};
    t->seedings[1] = (scn_seeding){.type = PREY, .state = prey_state, .count = n_prey, .region = -1};
    add_type(s, "eater", "hungry", "fed");
    add_type(s, "prey", "alive", "apoptotic");
    s->neurons.lesion_region = -1;
    s->neurons.toxin_drug = -1;
}

/* Counts by type and state after `steps` steps. */
static void run(const sim_ctx *ctx, const scenario *s, int steps, uint32_t out[2][2])
{
    ps_err err;
    ps_err_clear(&err);
    sim *sm = NULL;
    TEST_CHECK(sim_create(&sm, ctx, s, &err) == PS_OK, "%s", err.msg);
    if (!sm) return;
    for (int k = 0; k < steps; k++) sim_step(sm, &err);
    TEST_CHECK(err.code == PS_OK, "%s", err.msg);
    uint32_t counts[SCN_MAX_TYPES * PS_MAX_STATES];
    agents_count_states(sim_agents(sm, 0), counts, &err);
    for (int t = 0; t < 2; t++)
        for (int st = 0; st < 2; st++) out[t][st] = counts[t * PS_MAX_STATES + st];
    sim_destroy(sm);
}

static void set_rule(scenario *s, int eat, double range, double rate)
{
    scn_cell_type *e = &s->types[EATER];
    e->n_contacts = 1;
    e->contacts[0] = (scn_contact){.partner = PREY, .partner_state = 1, .from = 0, .to = 1,
                                   .eat = eat, .range_um = range, .rate_per_h = rate};
}

static void test_eat_all(const sim_ctx *ctx)
{
    scenario *s = calloc(1, sizeof *s);
    uint32_t c[2][2];
    base(s, 60, 1, 200, 1);
    set_rule(s, 1, 200, 1000);         /* p = 1 - exp(-1000/60*5) = 1 */
    run(ctx, s, 1, c);
    printf("  one eater, 200 apoptotic prey in range, certain hazard: %u prey left, eater %s\n",
           c[PREY][1], c[EATER][1] == 1 ? "fed" : "hungry");
    TEST_CHECK(c[PREY][0] + c[PREY][1] == 0 && c[EATER][1] == 1, "prey left %u, fed eaters %u",
               c[PREY][1], c[EATER][1]);
    base(s, 60, 1, 200, 0);            /* prey alive: the rule names apoptotic prey */
    set_rule(s, 1, 200, 1000);
    run(ctx, s, 1, c);
    TEST_CHECK(c[PREY][0] == 200 && c[EATER][0] == 1, "living prey eaten: %u left, eater state %u",
               c[PREY][0], c[EATER][1]);
    free(s);
}

static void test_eat_rate(const sim_ctx *ctx)
{
    scenario *s = calloc(1, sizeof *s);
    uint32_t c[2][2], c2[2][2];
    const int N = 4000;
    double rate = 1.2, p = -expm1(-rate / 60.0 * 5.0);   /* 0.095 per step */
    base(s, 60, 1, N, 1);
    set_rule(s, 1, 200, rate);
    run(ctx, s, 1, c);
    double expect = N * p, sd = sqrt(N * p * (1 - p));
    printf("  one eater, %d prey, p = %.4f: %u eaten (expected %.1f +- %.1f)\n", N, p, N - c[PREY][1],
           expect, sd);
    TEST_CHECK(fabs((N - c[PREY][1]) - expect) < 5 * sd, "eaten %u, expected %.1f", N - c[PREY][1], expect);
    run(ctx, s, 1, c2);
    TEST_CHECK(c2[PREY][1] == c[PREY][1], "same seed, different outcome: %u vs %u", c2[PREY][1], c[PREY][1]);
    /* 50 eaters, every prey in range of all: eaten with 1 - (1 - p)^50, each once */
    base(s, 60, 50, N, 1);
    set_rule(s, 1, 200, rate);
    run(ctx, s, 1, c);
    double q = 1 - pow(1 - p, 50);
    expect = N * q;
    sd = sqrt(N * q * (1 - q));
    printf("  50 eaters: %u of %d prey eaten (expected %.1f +- %.1f), %u eaters fed\n", N - c[PREY][1], N,
           expect, sd, c[EATER][1]);
    TEST_CHECK(fabs((N - c[PREY][1]) - expect) < 5 * sd + 1, "eaten %u, expected %.1f", N - c[PREY][1],
               expect);
    TEST_CHECK(c[EATER][0] + c[EATER][1] == 50, "eaters %u", c[EATER][0] + c[EATER][1]);
    free(s);
}

static void test_contact(const sim_ctx *ctx)
{
    scenario *s = calloc(1, sizeof *s);
    uint32_t c[2][2];
    const int M = 3000, K = 3;
    double rate = 0.6, p = -expm1(-rate / 60.0 * 5.0);
    base(s, 60, M, K, 1);
    set_rule(s, 0, 200, rate);
    run(ctx, s, 1, c);
    double q = 1 - pow(1 - p, K), expect = M * q, sd = sqrt(M * q * (1 - q));
    printf("  contact without eating: %u of %d cells switched (expected %.1f +- %.1f), partners %u\n",
           c[EATER][1], M, expect, sd, c[PREY][1]);
    TEST_CHECK(fabs(c[EATER][1] - expect) < 5 * sd, "switched %u, expected %.1f", c[EATER][1], expect);
    TEST_CHECK(c[PREY][1] == (uint32_t)K, "partners %u, expected %d", c[PREY][1], K);
    /* default range: radii 2 + 2 µm; cells spread over a 2 mm box rarely touch */
    base(s, 2000, 20, 20, 1);
    set_rule(s, 1, 0, 1000);
    run(ctx, s, 1, c);
    printf("  default range in a 2 mm box: %u of 20 prey eaten\n", 20 - c[PREY][1]);
    TEST_CHECK(c[PREY][1] >= 19, "prey eaten at a distance: %u left", c[PREY][1]);
    free(s);
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    sim_ctx ctx = {.comm = MPI_COMM_WORLD, .rank = 0, .size = 1};
    log_init(&ctx.log, 0, 1, 1);
    ctx.dev = test_open_device();
    printf("test_contacts on %s\n", device_description(ctx.dev));
    test_eat_all(&ctx);
    test_eat_rate(&ctx);
    test_contact(&ctx);
    device_close(ctx.dev);
    int rc = test_report("test_contacts");
    MPI_Finalize();
    return rc;
}
