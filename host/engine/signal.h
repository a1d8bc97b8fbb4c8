/* signal.h — the tables that turn a scenario's biology into data for the kernels:
 * per-type sensing, state transitions, division drivers and JAK/STAT3 parameters
 * (kernels/agents_signal.cl), secretion gains by pSTAT3 and the perturbation rows
 * active in a tissue. Layouts are in kernels/params.h. Built once per tissue. */
#ifndef PAINSIM_SIGNAL_H
#define PAINSIM_SIGNAL_H

#include "field.h"
#include "scenario.h"

/* sig: [n_types][ST_COUNT]. */
void signal_type_table(const scenario *s, const field_params *fp, float *sig);

/* gain: [n_types][nf], secretion multiplier slope per unit pSTAT3. */
void signal_gain_table(const scenario *s, const field_params *fp, float *gain);

/* The most PT_* rows a tissue can get: every perturbation expanded over every type,
 * plus one sex-expression row per receptor of every type. */
#define SIGNAL_MAX_PERT_ROWS (SCN_MAX_PERTURBATIONS * SCN_MAX_TYPES + SCN_MAX_TYPES * SCN_MAX_RECEPTORS)

/* rows: [SIGNAL_MAX_PERT_ROWS][PT_SIZE]; returns how many apply to tissue t. Depletions
 * and mediator knockouts give one row each; a receptor block or knockout gives a PTK_BLOCK
 * row for each type carrying the receptor (the named type, or every type), on the field
 * of the receptor's ligand; in a female scenario every receptor with female_expression
 * < 1 gives a permanent block of 1 - female_expression. */
int signal_perturbation_rows(const scenario *s, int t, const field_params *fp, float *rows);

#endif
