/* fuzz_scenario.c — libFuzzer harness for the scenario loader and --set parsing.
 *
 * Input: a scenario JSON text, optionally followed by NUL-separated --set specs
 * ("key.path=value"). The loader must return a status and a message, never crash,
 * leak or read out of bounds (built with AddressSanitizer and UBSan); every accepted
 * scenario must survive the round trip scenario_to_json -> scenario_load_string into a
 * byte-identical structure (the loader's documented property), else the harness aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

#define FUZZ_MAX_SETS 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1);
    if (!buf) return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    const char *sets[FUZZ_MAX_SETS];
    int n = 0;
    for (size_t i = 0; i < size && n < FUZZ_MAX_SETS; i++)
        if (buf[i] == '\0' && i + 1 < size) sets[n++] = buf + i + 1;
    scenario *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b);
    ps_err err;
    ps_err_clear(&err);
    if (a && b && scenario_load_string(buf, "fuzz.json", sets, n, a, &err) == PS_OK) {
        char *json = scenario_to_json(a);
        ps_err e2;
        ps_err_clear(&e2);
        if (json) {
            if (scenario_load_string(json, "fuzz.resolved.json", NULL, 0, b, &e2) != PS_OK) abort();
            /* the source path differs by name only */
            memcpy(b->source_path, a->source_path, sizeof a->source_path);
            if (memcmp(a, b, sizeof *a) != 0) abort();
            free(json);
        }
    } else if (err.code == PS_OK || !err.msg[0]) {
        abort();                    /* a failure must say why */
    }
    free(a);
    free(b);
    free(buf);
    return 0;
}
