/* docs_gen.c — `make docs`: writes scenarios/schema.json and the generated tables of
 * scenarios/README.md from the scenario key tables (host/scenario/).
 *
 *   bin/docs_gen SCHEMA_OUT README_IN README_OUT
 *
 * In the README every block between
 *   <!-- BEGIN GENERATED keys SECTION-ID -->   and   <!-- END GENERATED -->
 * is replaced by that section's key table, and <!-- BEGIN GENERATED perturbation-kinds -->
 * by the table of perturbation kinds, <!-- BEGIN GENERATED summary-columns --> by the
 * summary column families (host/io/summary.c); the prose around them is left as written. An
 * unknown section id is an error (exit 2), so a renamed section cannot leave a stale
 * table behind. Output files are written under a temporary name and renamed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"
#include "scenario_docs.h"
#include "summary.h"
#include "sweep.h"

#define BEGIN "<!-- BEGIN GENERATED "
#define END "<!-- END GENERATED -->"

static int finish(FILE *f, const char *tmp, const char *path)
{
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        fprintf(stderr, "docs_gen: %s: %s\n", path, strerror(errno));
        remove(tmp);
        return 3;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: docs_gen SCHEMA_OUT README_IN README_OUT\n");
        return 2;
    }
    char tmp[4096];
    char *schema = scenario_schema_json();
    if (!schema) return 5;
    snprintf(tmp, sizeof tmp, "%s.tmp", argv[1]);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        fprintf(stderr, "docs_gen: %s: %s\n", tmp, strerror(errno));
        return 3;
    }
    fprintf(f, "%s\n", schema);
    free(schema);
    int rc = finish(f, tmp, argv[1]);
    if (rc) return rc;

    char *text = NULL;
    ps_err rerr;
    ps_err_clear(&rerr);
    if (scenario_read_text(argv[2], "README", &text, &rerr) != PS_OK) {
        fprintf(stderr, "docs_gen: %s\n", rerr.msg);
        return ps_status_exit_code(rerr.code);
    }
    snprintf(tmp, sizeof tmp, "%s.tmp", argv[3]);
    f = fopen(tmp, "w");
    if (!f) {
        fprintf(stderr, "docs_gen: %s: %s\n", tmp, strerror(errno));
        free(text);
        return 3;
    }
    const char *p = text;
    int blocks = 0;
    for (;;) {
        const char *b = strstr(p, BEGIN);
        if (!b) break;
        const char *eol = strchr(b, '\n');
        const char *e = eol ? strstr(eol, END) : NULL;
        if (!eol || !e) {
            fprintf(stderr, "docs_gen: %s: a BEGIN GENERATED marker without its END\n", argv[2]);
            rc = 2;
            break;
        }
        fwrite(p, 1, (size_t)(eol + 1 - p), f);
        char what[256];
        size_t len = (size_t)(eol - (b + strlen(BEGIN)));
        if (len >= sizeof what) len = sizeof what - 1;
        memcpy(what, b + strlen(BEGIN), len);
        what[len] = '\0';
        char *close = strstr(what, " -->");
        if (close) *close = '\0';
        if (strcmp(what, "perturbation-kinds") == 0) {
            scenario_docs_perturbation_kinds(f);
        } else if (strcmp(what, "summary-columns") == 0) {
            summary_doc_markdown(f);
        } else if (strncmp(what, "keys ", 5) == 0 && scenario_docs_section(what + 5)) {
            scenario_docs_table(f, scenario_docs_section(what + 5));
        } else if (strncmp(what, "keys ", 5) == 0 && scenario_docs_section_in(sweep_format(), what + 5)) {
            scenario_docs_table(f, scenario_docs_section_in(sweep_format(), what + 5));
        } else {
            fprintf(stderr, "docs_gen: %s: unknown generated block \"%s\"\n", argv[2], what);
            rc = 2;
            break;
        }
        blocks++;
        p = e;
    }
    if (!rc) fputs(p, f);
    free(text);
    if (rc) {
        fclose(f);
        remove(tmp);
        return rc;
    }
    rc = finish(f, tmp, argv[3]);
    if (!rc) fprintf(stderr, "docs_gen: %s (schema) and %d generated blocks of %s\n", argv[1], blocks, argv[3]);
    return rc;
}
