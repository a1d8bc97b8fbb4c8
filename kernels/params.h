/* params.h — layouts shared by host C code and OpenCL kernels.
 *
 * Included by host/ (C11) and kernels/ (OpenCL C 1.2): #defines only (PS_U64 is the
 * 64-bit unsigned type of either side, for the agent-id macros). Per-type
 * parameters travel as one float table [n_types][TP_COUNT]; per-(type,state) secretion
 * and uptake as [n_types][PS_MAX_STATES][n_fields] tables already converted to the
 * tissue's voxel volume. Changing a layout here changes both sides at once; where a
 * size must equal a scenario limit (the "= SCN_..." notes), a _Static_assert in the
 * host module that builds the table checks it.
 */
#ifndef PAINSIM_PARAMS_H
#define PAINSIM_PARAMS_H

#ifdef __OPENCL_VERSION__
#define PS_U64 ulong
#else
#include <stdint.h>
#define PS_U64 uint64_t
#endif

#define PS_MAX_STATES 6      /* = SCN_MAX_STATES */
#define PS_MAX_FIELDS 24     /* = SCN_MAX_MEDIATORS */
#define PS_MAX_TYPES 12      /* = SCN_MAX_TYPES */

/* Per-type parameter table columns (all float). */
#define TP_SPEED        0   /* random-walk speed, µm/min */
#define TP_P_TURN       1   /* probability of a new direction per step = 1 - exp(-dt/persistence) */
#define TP_REPULSION    2   /* soft-sphere push speed at full overlap, µm/min */
#define TP_RADIUS       3   /* µm */
#define TP_DEATH_RATE   4   /* death hazard, 1/min */
#define TP_DIVIDE_RATE  5   /* division hazard, 1/min */
#define TP_CHEMO_FIELD  6   /* tissue-local field index, or -1 */
#define TP_CHEMO_SPEED  7   /* µm/min */
#define TP_CHEMO_KD     8   /* nM */
#define TP_CHEMO_HALF   9   /* occupancy gradient for half-maximal drift, 1/µm */
#define TP_COUNT        10

/* Signalling table [n_types][ST_COUNT] (floats), built per tissue by host/signal.c.
 * A "driver" is a sensed mediator: tissue-local field (-1 absent), mediator index (for the
 * JAK factor), EC50 (or IC50 for inhibitors), Hill coefficient, hazard rate (1/min). */
#define MAX_DR          6
#define DR_FIELD        0
#define DR_MED          1
#define DR_EC50         2
#define DR_HILL         3
#define DR_RATE         4
#define DR_JROW         5   /* index into the tissue's JAK-factor row of the JAK relaying it, -1 none */
#define DR_SIZE         6
#define MAX_TR          8
#define TR_FROM         0
#define TR_TO           1
#define TR_RATE         2   /* base hazard, 1/min */
#define TR_PSTAT3       3   /* hazard per unit pSTAT3, 1/min */
#define TR_NDR          4
#define TR_NIN          5
#define TR_NGT          6
#define MAX_GT          2   /* gates per transition (= SCN_MAX_GATES) */
#define TR_DRIVERS      7
#define TR_INHIB        (TR_DRIVERS + MAX_DR * DR_SIZE)
#define TR_GATES        (TR_INHIB + MAX_DR * DR_SIZE)
#define TR_SIZE         (TR_GATES + MAX_GT * DR_SIZE)
#define ST_NTR          0
#define ST_TR           1
#define ST_NDIV         (ST_TR + MAX_TR * TR_SIZE)
#define ST_DIV          (ST_NDIV + 1)
#define ST_JAK_ON       (ST_DIV + MAX_DR * DR_SIZE)
#define ST_JAK_NACT     (ST_JAK_ON + 1)
#define ST_JAK_ACT      (ST_JAK_NACT + 1)
#define ST_KON          (ST_JAK_ACT + MAX_DR * DR_SIZE)   /* 1/min */
#define ST_KOFF         (ST_KON + 1)
#define ST_SOCS_SYN     (ST_KON + 2)
#define ST_SOCS_DEC     (ST_KON + 3)
#define ST_SOCS_K       (ST_KON + 4)
#define ST_JAK_INH      (ST_KON + 5)                      /* one driver record (IC50 in EC50) */
#define ST_DIV_FACTOR   (ST_JAK_INH + DR_SIZE)            /* per state: division hazard factor */
#define ST_COUNT        (ST_DIV_FACTOR + PS_MAX_STATES)

/* Perturbation rows [n][PT_SIZE] (floats) active in a tissue, times in minutes. */
#define PT_KIND         0   /* PTK_* */
#define PT_TYPE         1   /* cell type, -1 = all */
#define PT_FIELD        2   /* tissue-local field, -1 = none */
#define PT_START        3
#define PT_STOP         4
#define PT_RATE         5   /* depletion hazard, 1/min */
#define PT_FRACTION     6   /* receptor block: share blocked */
#define PT_SIZE         7
#define PTK_DEPLETION   0
#define PTK_KNOCKOUT    1
#define PTK_BLOCK       2

/* Per-agent variables (float, [var][capacity]). */
#define VAR_AGE         0   /* min */
#define VAR_PSTAT3      1   /* pSTAT3 fraction, 0..1 */
#define VAR_SOCS3       2   /* SOCS3 level, dimensionless */
#define VAR_INJURY      3   /* nociceptor compartment: lagged injury of its neuron, 0..1 */
#define VAR_EXCIT       4   /* nociceptor compartment: E_soma, E_peripheral or central gain G */
#define VAR_ACTIVITY    5   /* nociceptor compartment: its neuron's afferent activity D */
#define PS_NVARS_DEFAULT 6

/* Agent ids (64 bits, unique for a run): the tissue index in the top 8 bits, a
 * tissue-local number below. Nociceptor compartments carry ids whose tissue-local part
 * has bit NEURON_ID_BIT set; the rest is 3 * neuron + compartment (0 soma, 1 peripheral
 * terminal, 2 central). Compose and split ids only with these macros. */
#define PS_ID_TISSUE_SHIFT 56
#define NEURON_ID_BIT   55
#define PS_ID_MAKE(tissue, local) (((PS_U64)(tissue) << PS_ID_TISSUE_SHIFT) | (PS_U64)(local))
#define PS_ID_LOCAL(id)  ((PS_U64)(id) & ((((PS_U64)1) << PS_ID_TISSUE_SHIFT) - (PS_U64)1))
#define PS_ID_IS_NEURON(id) ((PS_ID_LOCAL(id) >> NEURON_ID_BIT) & (PS_U64)1)
/* 3 * neuron + compartment of a nociceptor compartment's id */
#define PS_ID_NEURON_CODE(id) ((PS_U64)(id) & ((((PS_U64)1) << NEURON_ID_BIT) - (PS_U64)1))
#define PS_ID_NEURON(tissue, code) PS_ID_MAKE(tissue, (((PS_U64)1) << NEURON_ID_BIT) | (PS_U64)(code))

/* Neuron and pain parameters for agents_signal (floats), built per tissue. */
#define NP_ENABLED      0
#define NP_LAG_RATE     1   /* 1/min: 1 / transport delay */
#define NP_INJURED      2   /* 3 values: injured state of soma, peripheral, central type */
#define NP_INTACT       5   /* 3 values: intact (first) state */
#define NP_LESION_REGION 8  /* region bit in this tissue, -1 none */
#define NP_LESION_MIN   9
#define NP_E_RATE       10  /* 1/min: 1 / time constant of E_soma, E_peripheral, G */
#define NP_INJURY_WEIGHT 11 /* injury-intrinsic drive per unit lagged injury */
#define NP_UNINJURED    12  /* soma terms: share an uninjured neuron responds with */
#define NP_ACT_GAIN     13  /* activity-dependent central gain at saturation */
#define NP_ACT_K        14  /* drive giving half of it */
#define NP_NTERMS       15
#define NP_TERMS        16
#define PN_SITE         0   /* 0 peripheral terminal, 1 soma, 2 central terminal (scn_site) */
#define PN_FIELD        1
#define PN_MED          2
#define PN_EC50         3
#define PN_HILL         4
#define PN_WEIGHT       5
#define PN_ROLE         6   /* pain terms: 0 excitability, 1 priming trigger (scn_term_role) */
#define PN_SIZE         7
#define NP_MAX_TERMS    24  /* = SCN_MAX_PAIN_TERMS */
/* repair drivers sensed by the soma: PN_* layout, PN_WEIGHT = rate (1/min) */
#define NP_NREPAIR      (NP_TERMS + NP_MAX_TERMS * PN_SIZE)
#define NP_REPAIR       (NP_NREPAIR + 1)
#define NP_MAX_REPAIR   6   /* = SCN_MAX_DRIVERS */
#define NP_PRIME_WEIGHT (NP_REPAIR + NP_MAX_REPAIR * PN_SIZE)  /* excitability gain at P = 1 */
#define NP_COUNT        (NP_PRIME_WEIGHT + 1)

/* Neuronal release table rel[(type * nf + field) * REL_SIZE] (agents_secrete.cl): */
#define REL_INJURY      0   /* nM/min per unit lagged injury L */
#define REL_ACTIVITY    1   /* nM/min per unit afferent activity A */
#define REL_STAT3_GAIN  2   /* multiplier 1 + gain * P, P the neuron's pSTAT3 */
#define REL_SIZE        3

/* Compartment codes (PS_ID_NEURON_CODE % 3). */
#define NC_SOMA         0
#define NC_PERIPHERAL   1
#define NC_CENTRAL      2

/* Per-neuron signals [NS_COUNT][n] (floats), each row written in agents_signal by one
 * compartment of the neuron and read by neurons_update at the start of the next step
 * (and by the summary): */
#define NS_REPAIR       0   /* soma: repair hazard sensed, 1/min */
#define NS_INTRINSIC    1   /* soma: injury_weight * L */
#define NS_ESOMA        2   /* soma: E_soma */
#define NS_EPER         3   /* peripheral terminal: E_peripheral */
#define NS_GAIN         4   /* central terminal: G */
#define NS_STAT3        5   /* soma: its pSTAT3 (the neuron's, for stat3-graded release) */
#define NS_TERM0        6   /* NP_MAX_TERMS rows: term k's current weight * H (target units) */
#define NS_COUNT        (NS_TERM0 + NP_MAX_TERMS)
/* Per-neuron state [NX_COUNT][n] (floats), written by neurons_update: */
#define NX_ACTIVITY     0   /* afferent drive D = intrinsic + E_soma + E_peripheral */
#define NX_MEMORY       1   /* slow sensitized state M, 0..1 */
#define NX_STAT3        2   /* the soma's pSTAT3 of the previous step (terminals lag toward it) */
#define NX_PRIME        3   /* primed state P of the primary afferent, 0..1 */
#define NX_COUNT        4

/* Drug tables for kernels/pk.cl. */
#define PK_MAX_DRUGS    4   /* = SCN_MAX_DRUGS */
#define PK_MAX_COURSES  8   /* = SCN_MAX_DOSES */
#define DG_FACTOR       0   /* nM unbound in the dosing compartment per unit dose (mg/kg or µg) */
#define DG_KE           1   /* elimination rate, 1/min */
#define DG_NCOURSES     2
#define DG_KA           3   /* first-order absorption rate, 1/min; 0 = instantaneous */
#define DG_AMP          4   /* ka / (ka - ke) with absorption, else 1 */
#define PK_N_JAKS       4   /* = SCN_N_JAKS: JAK1, JAK2, JAK3, TYK2 */
#define DG_IC50         5   /* PK_N_JAKS values: JAK1, JAK2, JAK3, TYK2 (0 = none), nM unbound */
#define DG_SIZE         (DG_IC50 + PK_N_JAKS)
#define CO_START        0   /* min */
#define CO_EVERY        1   /* min */
#define CO_COUNT        2
#define CO_DOSE         3   /* mg/kg (systemic) or µg (intrathecal) */
#define CO_INFUSION     4   /* min; 0 = bolus */
#define CO_SIZE         5

/* Device counters, one ulong each. */
#define CTR_N_AGENTS        0   /* live agents */
#define CTR_NEXT_ID         1   /* next unused agent id */
#define CTR_BIRTHS_DROPPED  2   /* divisions that found no capacity (host grows capacity) */
#define CTR_BIRTHS          3   /* total divisions placed */
#define CTR_DEATHS          4   /* total deaths */
#define CTR_RECRUITED       5   /* total cells entered from the blood */
#define CTR_N_BINNED        6   /* live agents when the cell list was built (its length) */
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
#define RNG_SWITCH   5u     /* state transitions */
#define RNG_RECRUIT  6u     /* entries from the blood (keyed by rule and voxel) */
#define RNG_ENTRY    7u     /* position and direction of an entering cell */
#define RNG_CONTACT  16u    /* + rule (eat, prey side) or + 8 + rule (contact, actor side) */

/* Contact rules [n][CT_SIZE] (floats), all cell types together. */
#define CT_ACTOR    0
#define CT_FROM     1       /* -1 any */
#define CT_PARTNER  2
#define CT_PSTATE   3       /* -1 any */
#define CT_RANGE    4       /* um, 0 = sum of radii */
#define CT_P        5       /* probability per pair and step, 1 - exp(-rate dt) */
#define CT_EAT      6
#define CT_TO       7       /* -1 none */
#define CT_SIZE     8
#define CT_MAX      48      /* = SCN_MAX_TYPES x SCN_MAX_CONTACTS */

/* Recruitment rules [n][RC_SIZE] (floats), built per tissue. */
#define RC_TYPE     0
#define RC_STATE    1
#define RC_REGION   2       /* region bit, -1 = every voxel */
#define RC_RATE     3       /* expected entries per voxel per minute at full drive */
#define RC_FIELD    4       /* chemokine, tissue-local field or -1 */
#define RC_MED      5
#define RC_EC50     6
#define RC_HILL     7
#define RC_PRIME_FROM 8     /* min: trigger of the primed pool */
#define RC_PRIME_PEAK 9     /* min: its peak after the trigger; 0 = no priming */
#define RC_NONE_BELOW 10    /* a draw below this enters no cell at any drive (recruit.cl) */
#define RC_SIZE     11
#define RC_MAX_PER_VOXEL 8  /* entries per rule, voxel and step at most (Poisson tail cut) */

/* Boundary condition kinds (= scn_bc_kind). */
#define BC_NO_FLUX 0
#define BC_FIXED   1

#endif
