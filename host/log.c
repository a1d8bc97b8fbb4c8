/* log.c — see log.h. */
#include "log.h"

#include <stdarg.h>

void log_init(log_ctx *lg, int rank, int size, int quiet)
{
    lg->rank = rank;
    lg->size = size;
    lg->quiet = quiet;
    lg->stream = stderr;
}

static void log_vprint(const log_ctx *lg, const char *level, const char *fmt, va_list ap)
{
    FILE *f = lg && lg->stream ? lg->stream : stderr;
    if (!fmt) fmt = "(no message)";
    if (lg && lg->size > 1)
        fprintf(f, "painsim[%d]: %s", lg->rank, level);
    else
        fprintf(f, "painsim: %s", level);
    vfprintf(f, fmt, ap);
    fputc('\n', f);
    fflush(f);
}

void log_info(const log_ctx *lg, const char *fmt, ...)
{
    if (lg && lg->quiet) return;
    va_list ap;
    va_start(ap, fmt);
    log_vprint(lg, "", fmt, ap);
    va_end(ap);
}

void log_warn(const log_ctx *lg, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vprint(lg, "warning: ", fmt, ap);
    va_end(ap);
}

void log_error(const log_ctx *lg, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vprint(lg, "error: ", fmt, ap);
    va_end(ap);
}
