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

/* One tissue of side um (voxel 20 µm) with one mediator X; n_eat eaters (hungry) and
 * n_prey prey in state prey_state (0 alive, 1 apoptotic), immotile, of radius 2 µm; one
 * contact rule: a hungry eater meeting apoptotic prey within range_um (0: the sum of the
 * radii) fires at rate_per_h, eats the prey when eat is 1, and becomes fed. */
static void base(scenario *s, double side, int64_t n_eat, int64_t n_prey, int prey_state, int eat,
                 double range, double rate)
{
    TEST_SCENARIO(s, "test", NULL, 0,
                  "{'name':'contacts','seed':11,"
                  "'time':{'duration_h':1,'dt_min':5,'output_interval_h':1,'snapshot_interval_h':1},"
                  "'engine':{'agent_capacity_factor':2},"
                  "'mediators':[{'name':'X','D_um2_per_s':10,'kDa':10}],"
                  "'cell_types':[{'name':'eater','radius_um':2,'speed_um_per_min':0,'persistence_min':5,"
                  "'repulsion_um_per_min':0,'states':[{'name':'hungry'},{'name':'fed'}],"
                  "'contacts':[{'partner':'prey','partner_state':'apoptotic','from':'hungry','to':'fed',"
                  "'eat':%s,'range_um':%.17g,'rate_per_h':%.17g}]},"
                  "{'name':'prey','radius_um':2,'speed_um_per_min':0,'persistence_min':5,"
                  "'repulsion_um_per_min':0,'states':[{'name':'alive'},{'name':'apoptotic'}]}],"
                  "'tissues':[{'name':'box','size_um':[%.17g,%.17g,%.17g],'voxel_um':20,'tortuosity':1,"
                  "'cells':[{'type':'eater','state':'hungry','count':%lld},"
                  "{'type':'prey','state':'%s','count':%lld}]}]}",
                  eat ? "true" : "false", range, rate, side, side, side, (long long)n_eat,
                  prey_state ? "apoptotic" : "alive", (long long)n_prey);
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

static void test_eat_all(const sim_ctx *ctx)
{
    scenario *s = calloc(1, sizeof *s);
    uint32_t c[2][2];
    base(s, 60, 1, 200, 1, 1, 200, 1000);   /* p = 1 - exp(-1000/60*5) = 1 */
    run(ctx, s, 1, c);
    printf("  one eater, 200 apoptotic prey in range, certain hazard: %u prey left, eater %s\n",
           c[PREY][1], c[EATER][1] == 1 ? "fed" : "hungry");
    TEST_CHECK(c[PREY][0] + c[PREY][1] == 0 && c[EATER][1] == 1, "prey left %u, fed eaters %u",
               c[PREY][1], c[EATER][1]);
    base(s, 60, 1, 200, 0, 1, 200, 1000);   /* prey alive: the rule names apoptotic prey */
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
    base(s, 60, 1, N, 1, 1, 200, rate);
    run(ctx, s, 1, c);
    double expect = N * p, sd = sqrt(N * p * (1 - p));
    printf("  one eater, %d prey, p = %.4f: %u eaten (expected %.1f +- %.1f)\n", N, p, N - c[PREY][1],
           expect, sd);
    TEST_CHECK(fabs((N - c[PREY][1]) - expect) < 5 * sd, "eaten %u, expected %.1f", N - c[PREY][1], expect);
    run(ctx, s, 1, c2);
    TEST_CHECK(c2[PREY][1] == c[PREY][1], "same seed, different outcome: %u vs %u", c2[PREY][1], c[PREY][1]);
    /* 50 eaters, every prey in range of all: eaten with 1 - (1 - p)^50, each once */
    base(s, 60, 50, N, 1, 1, 200, rate);
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
    base(s, 60, M, K, 1, 0, 200, rate);
    run(ctx, s, 1, c);
    double q = 1 - pow(1 - p, K), expect = M * q, sd = sqrt(M * q * (1 - q));
    printf("  contact without eating: %u of %d cells switched (expected %.1f +- %.1f), partners %u\n",
           c[EATER][1], M, expect, sd, c[PREY][1]);
    TEST_CHECK(fabs(c[EATER][1] - expect) < 5 * sd, "switched %u, expected %.1f", c[EATER][1], expect);
    TEST_CHECK(c[PREY][1] == (uint32_t)K, "partners %u, expected %d", c[PREY][1], K);
    /* default range: radii 2 + 2 µm; cells spread over a 2 mm box rarely touch */
    base(s, 2000, 20, 20, 1, 1, 0, 1000);
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
