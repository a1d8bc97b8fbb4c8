/* test.h — a minimal self-test harness (Redis test_cond style).
 * Each test program calls TEST_CHECK for every assertion and returns test_report(). */
#ifndef PAINSIM_TEST_H
#define PAINSIM_TEST_H

#include <stdio.h>

static int test_passed_count;
static int test_failed_count;

#define TEST_CHECK(cond, ...)                                              \
    do {                                                                   \
        if (cond) {                                                        \
            test_passed_count++;                                           \
        } else {                                                           \
            test_failed_count++;                                           \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                  \
            fprintf(stderr, "\n");                                         \
        }                                                                  \
    } while (0)

static inline int test_report(const char *name)
{
    printf("%s: %d checks passed, %d failed\n", name, test_passed_count, test_failed_count);
    return test_failed_count == 0 ? 0 : 1;
}

#endif
