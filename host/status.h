/* status.h — status codes and the error record every fallible function fills.
 *
 * One X-macro list holds each code, its process exit status and its text, so the CLI,
 * the log and the tests agree on what a failure means (SUNDIALS SUN_ERR_CODE_LIST).
 * A function that can fail returns a ps_status and, on failure, writes a full,
 * user-facing sentence into a ps_err supplied by the caller. No MPI here: the MPI
 * helpers (ps_status_agree, CHECK_MPI) are in run/mpi_util.h.
 */
#ifndef PAINSIM_STATUS_H
#define PAINSIM_STATUS_H

#include <stddef.h>

/*        code            exit  text */
#define PS_STATUS_LIST(X)                                          \
    X(PS_OK,              0,    "success")                          \
    X(PS_ERR_USAGE,       2,    "bad command line")                 \
    X(PS_ERR_INPUT,       2,    "invalid scenario input")           \
    X(PS_ERR_IO,          3,    "file input/output failed")         \
    X(PS_ERR_DEVICE,      4,    "OpenCL device error")              \
    X(PS_ERR_MEMORY,      5,    "out of memory")                    \
    X(PS_ERR_NUMERIC,     6,    "numerical failure")                \
    X(PS_ERR_MPI,         7,    "MPI error")                        \
    X(PS_ERR_INTERNAL,    8,    "internal error")                   \
    X(PS_ERR_SWEEP_MEMBERS, 9,  "some sweep members failed")          \
    X(PS_ERR_INTERRUPTED, 130,  "stopped by a signal (checkpoint written)")

typedef enum {
#define PS_STATUS_ENUM(name, exitcode, text) name,
    PS_STATUS_LIST(PS_STATUS_ENUM)
#undef PS_STATUS_ENUM
    PS_STATUS_COUNT
} ps_status;

#define PS_ERR_MSG_MAX 4096

/* The error record: a status and one message. The first error set wins, so a
 * low-level message is not overwritten by the caller's more generic one. */
typedef struct {
    ps_status code;
    char msg[PS_ERR_MSG_MAX];
} ps_err;

/* Clears the record (code PS_OK, empty message). */
void ps_err_clear(ps_err *e);

/* Sets code and a printf-style message if no error is recorded yet; returns code.
 * e may be NULL (the message is then dropped). */
ps_status ps_err_set(ps_err *e, ps_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Appends text to an already recorded message (used to add context such as a file). */
void ps_err_append(ps_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Name ("PS_ERR_INPUT"), description and process exit status of a code. */
const char *ps_status_name(ps_status code);
const char *ps_status_text(ps_status code);
int ps_status_exit_code(ps_status code);

/* Propagates a failing status: PS_TRY(f(x, err)); */
#define PS_TRY(expr)                          \
    do {                                      \
        ps_status ps_try_s_ = (expr);         \
        if (ps_try_s_ != PS_OK) return ps_try_s_; \
    } while (0)

#endif
