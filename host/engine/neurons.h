/* neurons.h — nociceptor neurons: placement of their compartments, their shared injury
 * state on the device (kernels/neurons.cl) and the per-tissue neuron/pain table that
 * kernels/agents_signal.cl reads. */
#ifndef PAINSIM_NEURONS_H
#define PAINSIM_NEURONS_H

#include <stdint.h>

#include "device.h"
#include "field.h"
#include "scenario.h"

typedef struct neurons neurons;

/* Buffers for s->neurons.count neurons (one element when disabled, so kernels always
 * get valid arguments). */
ps_status neurons_create(neurons **n, device *d, const scenario *s, ps_err *err);
void neurons_destroy(neurons *n);

/* Enqueues the injury update; exposure is pk's [n_drugs][n_tissues] buffer. */
ps_status neurons_update(neurons *n, cl_mem exposure, ps_err *err);

cl_mem neurons_injury_buffer(const neurons *n);
cl_mem neurons_lesion_buffer(const neurons *n);
/* Per-neuron signals [NS_COUNT][n] written by the compartments in agents_signal, and the
 * neuron state [NX_COUNT][n] written by neurons_update (layouts in kernels/params.h). */
cl_mem neurons_signal_buffer(const neurons *n);
cl_mem neurons_state_buffer(const neurons *n);
/* The compartment (NC_*) that writes signal row `row`, or -1 for an unused row. */
int neurons_signal_compartment(const neurons *n, int row);

/* Checkpoints: the number of neurons, and their whole state (injury, lesion flags,
 * signals [NS_COUNT][m], state [NX_COUNT][m]; m = max(count, 1)) read from or written
 * to the device. */
size_t neurons_count(const neurons *n);
ps_status neurons_state(neurons *n, int write, float *injury, uint32_t *lesion, float *sig,
                        float *state, ps_err *err);

/* The pain readout (means over neurons, scenarios/README.md "The pain readout"):
 * S = intrinsic + soma + peripheral + priming + central + memory, each the share of that
 * source (priming: what the primed state adds to the soma and peripheral terms);
 * by_mediator[m]: the mediator's excitability terms, amplified as they enter S (blocking read). */
typedef struct {
    double sensitization;
    double intrinsic, soma, peripheral, priming, central, memory;
    double drive, gain, memory_state, priming_state;     /* mean D, G, M and P */
    double by_mediator[SCN_MAX_MEDIATORS];
} neurons_readout_t;
ps_status neurons_readout(neurons *n, neurons_readout_t *r, ps_err *err);

/* Fraction of neurons with injury > 0.5 (blocking read; 0 when disabled). */
ps_status neurons_injured_fraction(neurons *n, double *fraction, ps_err *err);

/* The NP_* table of kernels/params.h for tissue t (terms filtered by the scenario's sex). */
void neurons_table(const scenario *s, int t, const field_params *fp, float *np);

/* Id of compartment c (0 soma, 1 peripheral, 2 central) of neuron k in tissue t. */
uint64_t neurons_compartment_id(int t, int k, int c);

#endif
