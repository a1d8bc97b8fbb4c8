/* pk.h — drugs: one-compartment pharmacokinetics and JAK inhibition.
 *
 * The device evaluates exposures every step (kernels/pk.cl) into a table of JAK factors
 * J[tissue][mediator]: the share of a mediator's signalling that the drugs leave, 1 - I of
 * the mediator's rate-limiting JAK (1 when it has none or no drug is given). The same
 * formulas in double precision on the host (pk_*_ref) give the summary columns and check
 * the kernel. Exposures are unbound concentrations: the IC50s are cellular ones.
 */
#ifndef PAINSIM_PK_H
#define PAINSIM_PK_H

#include "device.h"
#include "scenario.h"

typedef struct pk pk;

ps_status pk_create(pk **p, device *d, const scenario *s, ps_err *err);
void pk_destroy(pk *p);

/* Enqueues the exposure update for time t_min (no-op without drugs). */
ps_status pk_update(pk *p, double t_min, ps_err *err);

/* Device table of JAK factors, one row of pk_jak_row_stride(n_mediators) floats per
 * tissue: J of each mediator, then 1 - I of each JAK (JAK1, JAK2, JAK3, TYK2) for drivers
 * relayed by a JAK (via_jak). */
cl_mem pk_jak_factors(const pk *p);
static inline int pk_jak_row_stride(int n_mediators) { return n_mediators + SCN_N_JAKS; }
static inline int pk_jak_row_index(int n_mediators, int jak) { return n_mediators + jak; }
/* Device table of tissue exposures [n_drugs][n_tissues] (nM). */
cl_mem pk_exposure(const pk *p);

/* Reads J ([n_tissues][n_mediators]) and the tissue exposures ([n_drugs][n_tissues], nM). */
ps_status pk_read(pk *p, float *J, float *conc, ps_err *err);

/* Host reference: the unbound concentration (nM) of drug d at t_h hours in the compartment
 * it is given into, the one tissue_fraction scales: plasma water (fraction_unbound times
 * the total plasma level) for a systemic drug, the CSF for an intrathecal one. Tissue T's
 * exposure is tissue_fraction[T] times this (pk_exposure_nM_ref). */
double pk_plasma_nM_ref(const scn_drug *d, double t_h);
/* Host reference: exposure C_T (nM, unbound) of drug d in tissue t at t_h hours. */
double pk_exposure_nM_ref(const scenario *s, int d, int t, double t_h);
/* Host reference: J of mediator m in tissue t at t_h hours. */
double pk_jak_factor_ref(const scenario *s, int t, int m, double t_h);

#endif
