/* params.h — layouts shared by host C code and OpenCL kernels.
 *
 * Included by host/ (C11) and kernels/ (OpenCL C 1.2): plain #defines only. Per-type
 * parameters travel as one float table [n_types][TP_COUNT]; per-(type,state) secretion
 * and uptake as [n_types][PS_MAX_STATES][n_fields] tables already converted to the
 * tissue's voxel volume. Changing a layout here changes both sides at once.
 */
#ifndef PAINSIM_PARAMS_H
#define PAINSIM_PARAMS_H

#define PS_MAX_STATES 6      /* = SCN_MAX_STATES */
#define PS_MAX_FIELDS 24     /* = SCN_MAX_MEDIATORS */

/* Per-type parameter table columns (all float). */
#define TP_SPEED        0   /* random-walk speed, µm/min */
#define TP_P_TURN       1   /* probability of a new direction per step = 1 - exp(-dt/persistence) */
#define TP_REPULSION    2   /* soft-sphere push speed at full overlap, µm/min */
#define TP_RADIUS       3   /* µm */
#define TP_P_DEATH      4   /* per-step death probability = 1 - exp(-rate dt) */
#define TP_P_DIVIDE     5   /* per-step division probability */
#define TP_CHEMO_FIELD  6   /* tissue-local field index, or -1 */
#define TP_CHEMO_SPEED  7   /* µm/min */
#define TP_CHEMO_KD     8   /* nM */
#define TP_CHEMO_HALF   9   /* occupancy gradient for half-maximal drift, 1/µm */
#define TP_COUNT        10

/* Device counters, one ulong each. */
#define CTR_N_AGENTS        0   /* live agents */
#define CTR_NEXT_ID         1   /* next unused agent id */
#define CTR_BIRTHS_DROPPED  2   /* divisions that found no capacity (host grows capacity) */
#define CTR_BIRTHS          3   /* total divisions placed */
#define CTR_DEATHS          4   /* total deaths */
#define CTR_COUNT           8

/* Agent step outcome flags. */
#define AF_DEAD    0u
#define AF_ALIVE   1u
#define AF_DIVIDE  2u

/* Philox "purpose" words: each random decision has its own stream. */
#define RNG_PLACE    1u     /* initial placement (host) */
#define RNG_TURN     2u
#define RNG_FATE     3u     /* death and division */
#define RNG_DAUGHTER 4u

/* Boundary condition kinds (= scn_bc_kind). */
#define BC_NO_FLUX 0
#define BC_FIXED   1

#endif
