/* fuzz_sweep.c — libFuzzer harness for the sweep-file loader (parse, validate, expand).
 *
 * The input is written to a file (the loader reads paths) and expanded; it must succeed
 * or fail with a message, never crash, leak or read out of bounds.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "sweep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/painsim_fuzz_sweep_%d.json", (int)getpid());
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    ps_err err;
    ps_err_clear(&err);
    long n = 0;
    ps_status st = sweep_expand(path, &n, NULL, &err);
    if (st == PS_OK && n > 0 && n <= 4096) {
        char **lines = calloc((size_t)n, sizeof *lines);
        if (lines && sweep_expand(path, &n, lines, &err) != PS_OK) abort();
        for (long i = 0; lines && i < n; i++) free(lines[i]);
        free(lines);
    } else if (st != PS_OK && !err.msg[0]) {
        abort();
    }
    unlink(path);
    return 0;
}
