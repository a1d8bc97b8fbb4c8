/* scn_json.c — JSON text for the scenario and sweep loaders: files read whole, and
 * syntax errors reported as FILE:LINE:COLUMN with a snippet.
 *
 * cJSON says only where it stopped; a small scanner in front of it walks the same
 * grammar once more to name what was wrong (an unterminated string, a trailing comma,
 * a bare word), so a user with a typo in a 900-line scenario finds it at once.
 */
#include "scn_impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
    return p;
}

/* "FILE:LINE:COLUMN" of pos in text (1-based; columns count UTF-8 characters). */
static void locate(char *buf, size_t cap, const char *file, const char *text, const char *pos)
{
    int line = 1, col = 1;
    for (const char *p = text; p < pos && *p; p++) {
        if (*p == '\n') {
            line++;
            col = 1;
        } else if (((unsigned char)*p & 0xC0) != 0x80) {
            col++;
        }
    }
    snprintf(buf, cap, "%s:%d:%d", file, line, col);
}

/* "near 'xxx'" (the rest of the line, shortened) or "at the end of the input". */
static void snippet(char *buf, size_t cap, const char *pos)
{
    char snip[SCN_SNIPPET_CHARS * 4 + 8];
    size_t n = 0;
    int chars = 0;
    if (*skip_ws(pos) == '\0') {
        snprintf(buf, cap, "at the end of the input");
        return;
    }
    if (*pos == '\n' || *pos == '\r') {
        snprintf(buf, cap, "at the end of the line");
        return;
    }
    for (const char *p = pos; *p && *p != '\n' && *p != '\r' && n + 5 < sizeof snip; p++) {
        if (((unsigned char)*p & 0xC0) != 0x80 && ++chars > SCN_SNIPPET_CHARS) break;
        snip[n++] = *p == '\t' ? ' ' : *p;
    }
    snip[n] = '\0';
    snprintf(buf, cap, "near '%s'", snip);
}

/* A strict RFC 8259 syntax check that stops at the first error with its position and a
 * reason. cJSON reports only a position, and for a bad key or an unterminated string
 * one character past the culprit; this scan gives the user the exact place and why.
 * cJSON then parses text that is known to be well formed. */
#define SCAN_MAX_DEPTH 256 /* below cJSON's CJSON_NESTING_LIMIT; a scenario nests about 8 */

typedef struct {
    const char *p;
    const char *err_pos;
    const char *err_why;
    int depth;
} json_scan;

static int scan_error(json_scan *s, const char *pos, const char *why)
{
    s->err_pos = pos;
    s->err_why = why;
    return 0;
}

static int is_hex(int ch)
{
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

static unsigned hex4(const char *p)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        int ch = p[i];
        v = v * 16 + (unsigned)(ch <= '9' ? ch - '0' : (ch | 0x20) - 'a' + 10);
    }
    return v;
}

static int scan_string(json_scan *s)
{
    const char *start = s->p++;
    for (;;) {
        unsigned char ch = (unsigned char)*s->p;
        if (ch == '\0') return scan_error(s, start, "unterminated string (missing closing '\"')");
        if (ch == '"') {
            s->p++;
            return 1;
        }
        if (ch == '\n' || ch == '\r')
            return scan_error(s, s->p, "line break inside a string (is the closing '\"' missing?)");
        if (ch < 0x20) return scan_error(s, s->p, "control character in a string (write \\n, \\t, ...)");
        if (ch != '\\') {
            s->p++;
            continue;
        }
        char esc = s->p[1];
        if (esc == 'u') {
            for (int i = 2; i < 6; i++)
                if (!is_hex((unsigned char)s->p[i])) return scan_error(s, s->p, "expected 4 hex digits after \\u");
            unsigned cp = hex4(s->p + 2);
            if (cp >= 0xDC00 && cp <= 0xDFFF) return scan_error(s, s->p, "unpaired UTF-16 low surrogate");
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (s->p[6] != '\\' || s->p[7] != 'u' || !is_hex((unsigned char)s->p[8]) ||
                    !is_hex((unsigned char)s->p[9]) || !is_hex((unsigned char)s->p[10]) ||
                    !is_hex((unsigned char)s->p[11]) || hex4(s->p + 8) < 0xDC00 || hex4(s->p + 8) > 0xDFFF)
                    return scan_error(s, s->p, "unpaired UTF-16 high surrogate");
                s->p += 6;
            }
            s->p += 6;
        } else if (esc && strchr("\"\\/bfnrt", esc)) {
            s->p += 2;
        } else {
            return scan_error(s, s->p, "invalid escape sequence (valid: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
        }
    }
}

static int scan_digits(json_scan *s)
{
    if (*s->p < '0' || *s->p > '9') return 0;
    while (*s->p >= '0' && *s->p <= '9') s->p++;
    return 1;
}

static int scan_number(json_scan *s)
{
    const char *start = s->p;
    static const char *const bad = "invalid number (JSON numbers look like -12, 0.5, 1e-3)";
    if (*s->p == '-') s->p++;
    if (*s->p == '0') {
        s->p++;
        if (*s->p >= '0' && *s->p <= '9') return scan_error(s, start, "invalid number (no leading zeros)");
    } else if (!scan_digits(s)) {
        return scan_error(s, start, bad);
    }
    if (*s->p == '.') {
        s->p++;
        if (!scan_digits(s)) return scan_error(s, start, bad);
    }
    if (*s->p == 'e' || *s->p == 'E') {
        s->p++;
        if (*s->p == '+' || *s->p == '-') s->p++;
        if (!scan_digits(s)) return scan_error(s, start, bad);
    }
    return 1;
}

static int scan_value(json_scan *s);

static int scan_container(json_scan *s, char close)
{
    int object = close == '}';
    const char *open = s->p++;
    if (++s->depth > SCAN_MAX_DEPTH) return scan_error(s, open, "nesting deeper than 256 levels");
    s->p = skip_ws(s->p);
    if (*s->p == close) {
        s->p++;
        s->depth--;
        return 1;
    }
    for (int first = 1;; first = 0) {
        s->p = skip_ws(s->p);
        if (object) {
            if (*s->p != '"') {
                if (*s->p == '\0') return scan_error(s, s->p, "missing '}'");
                if (*s->p == '\'') return scan_error(s, s->p, "expected a key in double quotes (JSON has no single quotes)");
                if (!first && *s->p == '}') return scan_error(s, s->p, "expected a key after ',' (JSON allows no trailing comma)");
                return scan_error(s, s->p, first ? "expected a key in double quotes or '}'" : "expected a key in double quotes after ','");
            }
            if (!scan_string(s)) return 0;
            s->p = skip_ws(s->p);
            if (*s->p != ':') return scan_error(s, s->p, "expected ':' after the key");
            s->p++;
        } else if (!first && *s->p == ']') {
            return scan_error(s, s->p, "expected a value after ',' (JSON allows no trailing comma)");
        }
        if (!scan_value(s)) return 0;
        s->p = skip_ws(s->p);
        if (*s->p == ',') {
            s->p++;
            continue;
        }
        if (*s->p == close) {
            s->p++;
            s->depth--;
            return 1;
        }
        if (*s->p == '\0')
            return scan_error(s, s->p, object ? "missing '}'" : "missing ']'");
        return scan_error(s, s->p, object ? "expected ',' or '}' after the value (a missing comma?)"
                                          : "expected ',' or ']' after the value (a missing comma?)");
    }
}

static int scan_value(json_scan *s)
{
    static const char *const words[] = {"true", "false", "null"};
    s->p = skip_ws(s->p);
    char ch = *s->p;
    if (ch == '{') return scan_container(s, '}');
    if (ch == '[') return scan_container(s, ']');
    if (ch == '"') return scan_string(s);
    if (ch == '-' || (ch >= '0' && ch <= '9')) return scan_number(s);
    for (int i = 0; i < 3; i++) {
        size_t n = strlen(words[i]);
        if (strncmp(s->p, words[i], n) == 0) {
            s->p += n;
            return 1;
        }
    }
    if (ch == '\0') return scan_error(s, s->p, "expected a value");
    if (ch == '\'') return scan_error(s, s->p, "expected a value (strings use double quotes in JSON)");
    if (ch == '/') return scan_error(s, s->p, "expected a value (JSON has no comments)");
    return scan_error(s, s->p, "expected a value (an object, array, string, number, true, false or null)");
}

static ps_status syntax_error(ps_err *err, const char *file, const char *text, const char *pos,
                              const char *why)
{
    char where[SCN_PATH_CAP + 64], snip[256];
    locate(where, sizeof where, file, text, pos);
    snippet(snip, sizeof snip, pos);
    return ps_err_set(err, PS_ERR_INPUT, "%s: JSON syntax error %s: %s", where, snip, why);
}

ps_status scn_parse_text(const char *file, const char *text, cJSON **out, ps_err *err)
{
    const char *p = text;
    *out = NULL;
    if ((unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB && (unsigned char)p[2] == 0xBF)
        p += 3; /* UTF-8 byte order mark */
    if (*skip_ws(p) == '\0')
        return ps_err_set(err, PS_ERR_INPUT, "%s: expected a JSON object, got an empty file", file);
    json_scan sc = {p, NULL, NULL, 0};
    if (!scan_value(&sc)) return syntax_error(err, file, p, sc.err_pos, sc.err_why);
    const char *end = skip_ws(sc.p);
    if (*end != '\0')
        return syntax_error(err, file, p, end, "unexpected text after the end of the top-level value");
    cJSON *root = cJSON_ParseWithOpts(p, &end, 0);
    if (!root) {
        /* Well-formed but refused by cJSON: out of memory. */
        return ps_err_set(err, PS_ERR_MEMORY, "%s: out of memory parsing the JSON text", file);
    }
    if (!cJSON_IsObject(root)) {
        char got[320];
        scn_describe(got, sizeof got, root);
        cJSON_Delete(root);
        return ps_err_set(err, PS_ERR_INPUT, "%s: expected a JSON object at the top level, got %s",
                          file, got);
    }
    *out = root;
    return PS_OK;
}

/* Reads path whole into *text (malloc'd, NUL-terminated); what names the file's role in
 * messages ("scenario", "sweep"). */
ps_status scn_read_text_file(const char *path, const char *what, char **text, ps_err *err)
{
    *text = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return ps_err_set(err, PS_ERR_IO, "%s: cannot open the %s file: %s", path, what, strerror(errno));
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    ps_status st = PS_OK;
    while (buf) {
        if (len + 1 >= cap) {
            if (cap > (size_t)SCN_MAX_FILE_BYTES) {
                st = ps_err_set(err, PS_ERR_INPUT, "%s: the %s file is larger than %ld MiB",
                                path, what, SCN_MAX_FILE_BYTES >> 20);
                break;
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + len, 1, cap - 1 - len, f);
        len += got;
        if (got == 0) {
            if (ferror(f))
                st = ps_err_set(err, PS_ERR_IO, "%s: cannot read the %s file: %s", path, what, strerror(errno));
            break;
        }
    }
    fclose(f);
    if (!buf) return ps_err_set(err, PS_ERR_MEMORY, "%s: out of memory reading the %s file", path, what);
    if (st == PS_OK) {
        buf[len] = '\0';
        if (strlen(buf) != len) {
            char where[SCN_PATH_CAP + 64];
            locate(where, sizeof where, path, buf, buf + strlen(buf));
            st = ps_err_set(err, PS_ERR_INPUT, "%s: JSON syntax error: a NUL byte in the file", where);
        }
    }
    if (st != PS_OK) {
        free(buf);
        return st;
    }
    *text = buf;
    return PS_OK;
}

ps_status scenario_read_text(const char *path, const char *what, char **text, ps_err *err)
{
    return scn_read_text_file(path, what, text, err);
}

ps_status scenario_json_file(const char *path, const char *what, cJSON **root, ps_err *err)
{
    *root = NULL;
    char *buf = NULL;
    PS_TRY(scn_read_text_file(path, what, &buf, err));
    ps_status st = scn_parse_text(path, buf, root, err);
    free(buf);
    return st;
}

void scenario_format_number(char *buf, size_t cap, double v)
{
    scn_fmt_num(buf, cap, v);
}

void scenario_suggest(char *buf, size_t cap, const char *s, const char *const *cands, int n)
{
    scn_suggestion(buf, cap, s, cands, n);
}
