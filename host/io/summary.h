/* summary.h — the summary columns as a table: one row per column family.
 *
 * A family is a name pattern (tissue.celltype.state, tissue.mediator.mean_nM, ...), its
 * unit, its meaning, the scope it is enumerated over (per tissue and cell type, per
 * tissue and field, per drug and tissue, per tissue and mediator, or once), how many
 * columns it has at each place of that scope (from the scenario), and how each value is
 * read from the interval's reductions (a summary_sample the simulation fills on the
 * device). One walker over the table gives the header, each row and the documentation,
 * so they cannot disagree; a new column family is one row of summary.c.
 *
 * Column order (summary.csv bytes depend on it): for each tissue, for each cell type the
 * per-type families, then for each field the per-field families; then for each drug and
 * tissue; then for each tissue and mediator; then the once families. Within a place,
 * families follow the table.
 */
#ifndef PAINSIM_SUMMARY_H
#define PAINSIM_SUMMARY_H

#include <stdio.h>

#include "output.h"
#include "scenario.h"
#include "status.h"

/* Which mediators a tissue's fields hold: field l of tissue t is mediator mediator_of[t][l]
 * (a tissue has fields only for the mediators present in it). */
typedef struct {
    int n_fields[SCN_MAX_TISSUES];
    int mediator_of[SCN_MAX_TISSUES][SCN_MAX_MEDIATORS];
} summary_layout;

/* pain.source.SOURCE columns: intrinsic, soma, peripheral, priming, central, memory. */
#define SUMMARY_N_SOURCES 6

/* One output interval's reductions (the device summary), combined over the ranks of a
 * decomposed run by the simulation. Indices as in the scenario; fields by layer. */
typedef struct {
    double cells[SCN_MAX_TISSUES][SCN_MAX_TYPES][SCN_MAX_STATES];   /* live cells per state */
    double pstat3_mean[SCN_MAX_TISSUES][SCN_MAX_TYPES];             /* 0..1, per type */
    double field_mean_nM[SCN_MAX_TISSUES][SCN_MAX_MEDIATORS];       /* voxel mean, nM */
    double field_max_nM[SCN_MAX_TISSUES][SCN_MAX_MEDIATORS];        /* voxel maximum, nM */
    double exposure_nM[SCN_MAX_DRUGS][SCN_MAX_TISSUES];             /* drug d in tissue t, nM */
    double signal_kept[SCN_MAX_TISSUES][SCN_MAX_MEDIATORS];         /* J, 0..1 */
    /* the pain readout, means over neurons (neurons.h neurons_readout_t): S and its
       additive sources, mean drive D, central gain G and memory M, and each mediator's
       amplified terms */
    double pain_S;
    double pain_source[SUMMARY_N_SOURCES]; /* intrinsic, soma, peripheral, priming, central, memory */
    double pain_drive, pain_gain, pain_memory, pain_priming;
    double pain_by_mediator[SCN_MAX_MEDIATORS];
    double injured_fraction;        /* of the nociceptor neurons, 0..1 */
} summary_sample;

typedef struct summary summary;

/* Enumerates the columns of scenario s with fields laid out as lay (both copied or
 * kept: s must outlive the object). PS_ERR_MEMORY when out of host memory. */
ps_status summary_create(summary **out, const scenario *s, const summary_layout *lay, ps_err *err);
void summary_destroy(summary *sm);

/* The layout a simulation of s creates (field_params_init_grid: a field for each
 * mediator present in the tissue, in mediator order), for naming a scenario's columns
 * without a device (`painsim calibrate` checks its targets against them). */
void summary_layout_of(const scenario *s, summary_layout *lay);

/* The columns (without time_h): their number, names and units. */
int summary_n_columns(const summary *sm);
const char *const *summary_names(const summary *sm);
const char *const *summary_units(const summary *sm);

/* Declares the columns and their units in o (output_summary_columns and
 * output_summary_set_units). */
ps_status summary_declare(const summary *sm, output *o, ps_err *err);

/* Fills the values of one row (summary_n_columns of them, pointer owned by sm, valid
 * until the next call) from x. Every family must write as many values as it declared
 * columns; a mismatch is PS_ERR_INTERNAL naming the family. */
ps_status summary_fill(summary *sm, const summary_sample *x, const double **values, ps_err *err);

/* Writes the families as a markdown table (name pattern | unit | meaning), time_h first,
 * for the README's column list. */
void summary_doc_markdown(FILE *f);

#endif
