/* textbuf.c — growable text buffer (see textbuf.h). */
#include "textbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic.h"

void textbuf_printf(textbuf *b, const char *fmt, ...)
{
    if (b->oom) return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->oom = 1;
            return;
        }
        if (b->p && b->len + (size_t)n < b->cap) {
            b->len += (size_t)n;
            return;
        }
        size_t ncap = (b->cap ? 2 * b->cap : 4096) + (size_t)n;
        char *np = realloc(b->p, ncap);
        if (!np) {
            b->oom = 1;
            return;
        }
        b->p = np;
        b->cap = ncap;
    }
}

void textbuf_xml(textbuf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': textbuf_printf(b, "&amp;"); break;
        case '<': textbuf_printf(b, "&lt;"); break;
        case '>': textbuf_printf(b, "&gt;"); break;
        case '"': textbuf_printf(b, "&quot;"); break;
        case '\'': textbuf_printf(b, "&apos;"); break;
        default: textbuf_printf(b, "%c", *s); break;
        }
    }
}

void textbuf_csv(textbuf *b, const char *t)
{
    if (!t) t = "";
    if (strpbrk(t, ",\"\r\n") == NULL) {
        textbuf_printf(b, "%s", t);
        return;
    }
    textbuf_printf(b, "\"");
    for (const char *p = t; *p; p++) textbuf_printf(b, *p == '"' ? "\"\"" : "%c", *p);
    textbuf_printf(b, "\"");
}

void textbuf_free(textbuf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

ps_status textbuf_write(const textbuf *b, const char *path, int sync, ps_err *err)
{
    if (b->oom) return ps_err_set(err, PS_ERR_MEMORY, "%s: out of host memory composing the file", path);
    return atomic_write(path, b->p ? b->p : "", b->len, sync, err);
}
