/* scenario_docs.h — documentation generated from the scenario key tables (scn_docs.c).
 *
 * Used by tools/docs_gen.c (`make docs`), which writes scenarios/schema.json and the key
 * tables of scenarios/README.md between their markers.
 */
#ifndef PAINSIM_SCENARIO_DOCS_H
#define PAINSIM_SCENARIO_DOCS_H

#include <stdio.h>

struct scn_section;

/* The section whose id is id ("time", "cell_types[i].states[j]", ...), or NULL. */
const struct scn_section *scenario_docs_section(const char *id);

/* The same within another format built from the key tables (the sweep file: sweep_format()). */
const struct scn_section *scenario_docs_section_in(const struct scn_section *root, const char *id);

/* Its markdown key table: | key | type | unit | default | range | meaning |. */
void scenario_docs_table(FILE *f, const struct scn_section *sec);

/* The perturbation kinds: | kind | keys | what it does |. */
void scenario_docs_perturbation_kinds(FILE *f);

/* The whole format as a draft-07 JSON Schema; malloc'd text, NULL when out of memory. */
char *scenario_schema_json(void);

#endif
