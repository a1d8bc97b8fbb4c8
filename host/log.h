/* log.h — messages to stderr, tagged with the MPI rank when there is more than one.
 * Progress lines are throttled by the caller; --quiet silences info and progress but
 * never warnings or errors. */
#ifndef PAINSIM_LOG_H
#define PAINSIM_LOG_H

#include <stdio.h>

typedef struct {
    int rank;       /* MPI rank of this process */
    int size;       /* number of ranks */
    int quiet;      /* 1: no info/progress */
    FILE *stream;   /* stderr unless a test redirects it */
} log_ctx;

void log_init(log_ctx *lg, int rank, int size, int quiet);
void log_info(const log_ctx *lg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_warn(const log_ctx *lg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_error(const log_ctx *lg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
