/* test_common.h — helpers for the C tests: open the test device, and build scenarios the
 * way painsim does, through the loader (scenario_load_string), from JSON text. Tests run
 * on whatever painsim would pick (PoCL in CI).
 *
 * Tests never fill scenario structs by hand: the loader is the one place that knows the
 * defaults, ranges and resolved indices, so a test's scenario is always one a user could
 * write (and a new key's default reaches the tests without editing them).
 *
 * The tests once filled their scenario structs by hand; each scenario now loads to the
 * struct its hand-built predecessor held (compared member by member when they were
 * converted), except where a test notes otherwise, and except for blocks the scenario
 * does not have: without "neurons" and "jak_stat3" their index members are -1 ("none")
 * and "pain" holds its defaults, where the hand-built structs left 0; neither is read
 * when the block is absent. */
#ifndef PAINSIM_TEST_COMMON_H
#define PAINSIM_TEST_COMMON_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device.h"
#include "scenario.h"

static inline device *test_open_device(void)
{
    ps_err err;
    ps_err_clear(&err);
    device *d = NULL;
    if (device_open(&d, -1, &err) != PS_OK) {
        fprintf(stderr, "cannot open an OpenCL device: %s\n", err.msg);
        exit(1);
    }
    return d;
}

/* Loads *s from the JSON document fmt (printf-style; written with ' for " to keep the
 * documents readable in C strings, as tests/test_scenario.c does) under the name `name`
 * (it becomes s->source_path), then applies the --set overrides sets[0..n_sets), exactly
 * as `painsim run FILE --set ...` would. Numbers computed by a test go in with %.17g,
 * which reads back to the same double. A document the loader refuses is a broken test:
 * the program stops with the loader's message, where it was called, and the document. */
#define TEST_SCENARIO(s, name, sets, n_sets, ...) \
    test_scenario_load(__FILE__, __LINE__, (s), (name), (sets), (n_sets), __VA_ARGS__)

static inline void test_scenario_load(const char *file, int line, scenario *s, const char *name,
                                      const char *const *sets, int n_sets, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

static inline void test_scenario_load(const char *file, int line, scenario *s, const char *name,
                                      const char *const *sets, int n_sets, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *text = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (!text) {
        fprintf(stderr, "FAIL %s:%d: out of memory for a test scenario\n", file, line);
        exit(1);
    }
    va_start(ap, fmt);
    vsnprintf(text, (size_t)n + 1, fmt, ap);
    va_end(ap);
    for (char *p = text; *p; p++)
        if (*p == '\'') *p = '"';
    ps_err err;
    ps_err_clear(&err);
    if (scenario_load_string(text, name, sets, n_sets, s, &err) != PS_OK) {
        fprintf(stderr, "FAIL %s:%d: the test scenario does not load: %s\ndocument: %s\n", file, line,
                err.msg, text);
        free(text);
        exit(1);
    }
    free(text);
}

/* A scenario with one box tissue of nx x ny x nz voxels of edge h (µm), tortuosity 1,
 * and one mediator M (D in µm²/s, half-life in min, 17 kDa); 1 h with output and
 * snapshots every hour, seed 1. tissue_extra is appended inside the tissue object and
 * top_extra at the top level (each "" or starting with a comma), sets are --set
 * overrides. */
static inline void test_one_tissue(scenario *s, int nx, int ny, int nz, double h, double dt_min,
                                   double D_um2_per_s, double half_life_min, const char *tissue_extra,
                                   const char *top_extra, const char *const *sets, int n_sets)
{
    TEST_SCENARIO(s, "test", sets, n_sets,
                  "{'name':'test','seed':1,"
                  "'time':{'duration_h':1,'dt_min':%.17g,'output_interval_h':1,'snapshot_interval_h':1},"
                  "'engine':{'agent_capacity_factor':2},"
                  "'mediators':[{'name':'M','D_um2_per_s':%.17g,'half_life_min':%.17g,'kDa':17}],"
                  "'tissues':[{'name':'box','size_um':[%.17g,%.17g,%.17g],'voxel_um':%.17g,"
                  "'tortuosity':1%s}]%s}",
                  dt_min, D_um2_per_s, half_life_min, nx * h, ny * h, nz * h, h, tissue_extra, top_extra);
}

#endif
