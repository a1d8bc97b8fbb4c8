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
/* Repair hazard (1/min) sensed by each neuron's soma (written by agents_signal). */
cl_mem neurons_repair_buffer(const neurons *n);

/* Checkpoints: the number of neurons, and their whole state (injury, lesion flags,
 * repair signals; arrays of max(count, 1)) read from or written to the device. */
size_t neurons_count(const neurons *n);
ps_status neurons_state(neurons *n, int write, float *injury, uint32_t *lesion, float *repair,
                        ps_err *err);

/* Fraction of neurons with injury > 0.5 (blocking read; 0 when disabled). */
ps_status neurons_injured_fraction(neurons *n, double *fraction, ps_err *err);

/* The NP_* table of kernels/params.h for tissue t (terms filtered by the scenario's sex). */
void neurons_table(const scenario *s, int t, const field_params *fp, float *np);

/* Id of compartment c (0 soma, 1 peripheral, 2 central) of neuron k in tissue t. */
uint64_t neurons_compartment_id(int t, int k, int c);

#endif
