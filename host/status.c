/* status.c — the status table and the error record. */
#include "status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    int exit_code;
    const char *text;
} status_table[] = {
#define PS_STATUS_ROW(name, exitcode, text) {#name, exitcode, text},
    PS_STATUS_LIST(PS_STATUS_ROW)
#undef PS_STATUS_ROW
};

void ps_err_clear(ps_err *e)
{
    if (!e) return;
    e->code = PS_OK;
    e->msg[0] = '\0';
}

ps_status ps_err_set(ps_err *e, ps_status code, const char *fmt, ...)
{
    if (!e || e->code != PS_OK) return code;
    e->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return code;
}

void ps_err_append(ps_err *e, const char *fmt, ...)
{
    if (!e) return;
    size_t len = strlen(e->msg);
    if (len + 1 >= sizeof e->msg) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg + len, sizeof e->msg - len, fmt, ap);
    va_end(ap);
}

const char *ps_status_name(ps_status code)
{
    return (code >= 0 && code < PS_STATUS_COUNT) ? status_table[code].name : "PS_ERR_UNKNOWN";
}

const char *ps_status_text(ps_status code)
{
    return (code >= 0 && code < PS_STATUS_COUNT) ? status_table[code].text : "unknown error";
}

int ps_status_exit_code(ps_status code)
{
    return (code >= 0 && code < PS_STATUS_COUNT) ? status_table[code].exit_code : 1;
}
