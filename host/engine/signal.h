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

/* rows: [SCN_MAX_PERTURBATIONS][PT_SIZE]; returns how many apply to tissue t. */
int signal_perturbation_rows(const scenario *s, int t, const field_params *fp, float *rows);

#endif
