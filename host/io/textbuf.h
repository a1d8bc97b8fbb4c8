/* textbuf.h — a growable text buffer for the files composed in memory (XDMF, CSV).
 *
 * Appending never fails loudly: an allocation failure sets oom and stops appending, and
 * textbuf_write then reports it, so composing code needs no error path per line.
 */
#ifndef PAINSIM_TEXTBUF_H
#define PAINSIM_TEXTBUF_H

#include <stddef.h>

#include "status.h"

typedef struct {
    char *p;                        /* NUL-terminated text, or NULL while empty */
    size_t len, cap;                /* bytes used (without the NUL) and allocated */
    int oom;                        /* an allocation failed: the text is incomplete */
} textbuf;

/* Appends printf-style text. */
void textbuf_printf(textbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends s with the XML special characters escaped (attribute values and text). */
void textbuf_xml(textbuf *b, const char *s);

/* Appends t as one CSV field: quoted (with "" for ") when it holds a comma, a quote or a
 * line break; NULL is the empty field. */
void textbuf_csv(textbuf *b, const char *t);

/* Frees the text and empties b. */
void textbuf_free(textbuf *b);

/* Writes the text to path atomically (atomic.h; sync: fsync first). PS_ERR_MEMORY naming
 * path when an append ran out of memory. */
ps_status textbuf_write(const textbuf *b, const char *path, int sync, ps_err *err);

#endif
