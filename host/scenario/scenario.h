/* scenario.h — the scenario: what a user asks painsim to simulate, as plain C data.
 *
 * scenario_load() reads a JSON file, applies --set overrides, validates every key
 * strictly and fills this structure with defaults resolved, so that no other module
 * touches JSON. Units are fixed here and named in every field: µm, min, h, nM,
 * µm²/s, molecules/min. Sizes are fixed arrays: a scenario is small, and fixed
 * arrays keep the struct copyable and trivially checkpointable.
 *
 * Conventions:
 *  - Every name (mediator, cell type, state, tissue, region) is unique within its list,
 *    matches [A-Za-z][A-Za-z0-9_-]* and is at most SCN_NAME_MAX-1 characters.
 *  - Indices into other lists (mediator, cell type, state, region) are resolved at
 *    load time; -1 means "none".
 *  - Tissue coordinates are local: (0,0,0) is the low corner of the tissue box,
 *    x in [0, size_um[0]]; origin_um only places the tissue for display.
 */
#ifndef PAINSIM_SCENARIO_H
#define PAINSIM_SCENARIO_H

#include <stdint.h>

#include "status.h"

#define SCN_NAME_MAX 48
#define SCN_TEXT_MAX 512
#define SCN_PATH_MAX 1024
#define SCN_MAX_MEDIATORS 24
#define SCN_MAX_TYPES 12
#define SCN_MAX_STATES 6
#define SCN_MAX_TISSUES 6
#define SCN_MAX_REGIONS 16
#define SCN_MAX_SEEDINGS 24
#define SCN_MAX_TRANSITIONS 8
#define SCN_MAX_CONTACTS 4              /* contact rules per cell type */
#define SCN_MAX_DRIVERS 6
#define SCN_MAX_GATES 2                 /* gates per transition: signals it requires */
#define SCN_MAX_DRUGS 4
#define SCN_MAX_DOSES 8
#define SCN_MAX_PERTURBATIONS 16

/* The Janus kinases, in this order everywhere ("JAK1", "JAK2", "JAK3", "TYK2"). */
typedef enum { SCN_JAK1 = 0, SCN_JAK2, SCN_JAK3, SCN_TYK2, SCN_N_JAKS } scn_jak;

/* Faces of a tissue box, in this order everywhere (boundary arrays, XDMF, docs). */
typedef enum { SCN_X_MIN = 0, SCN_X_MAX, SCN_Y_MIN, SCN_Y_MAX, SCN_Z_MIN, SCN_Z_MAX, SCN_FACES } scn_face;

typedef enum { SCN_BC_NO_FLUX = 0, SCN_BC_FIXED = 1 } scn_bc_kind;

typedef struct {
    scn_bc_kind kind;
    double value_nM;            /* concentration held at the face when kind == SCN_BC_FIXED */
} scn_bc;

/* A saturating response to a mediator sensed in the cell's voxel:
 * H = x^hill / (x^hill + EC50^hill), x = C * J (J: share of signalling left by JAK inhibitors). */
typedef struct {
    int mediator;                   /* index into mediators */
    double EC50_nM;                 /* > 0 */
    double hill;                    /* Hill coefficient, [0.1, 8], default 1 */
    double rate_per_h;              /* hazard added at full response, 1/h (transitions, division) */
    int via_jak;                    /* transitions, division: 0 none, else 1 + the JAK (scn_jak_names)
                                       that relays the response: x is also scaled by 1 - I of it */
} scn_driver;

/* A diffusing mediator (cytokine, chemokine, damage signal), defined once. */
typedef struct {
    char name[SCN_NAME_MAX];
    double D_um2_per_s;         /* free diffusion coefficient in water, µm²/s (> 0) */
    double half_life_min;       /* first-order decay half-life, min; 0 = does not decay */
    double kDa;                 /* molecular mass, kDa: only used to convert nM <-> pg/mL in output */
    int jak[SCN_N_JAKS];        /* 1 where the receptor uses that JAK (biology.md §4) */
    int jak_limiting;           /* scn_jak whose inhibition the signal follows (the non-redundant one); -1 = none */
} scn_mediator;

/* A mediator as it exists in one tissue. Resolved: D is the effective coefficient. */
typedef struct {
    int present;                /* 1 if this tissue carries the field */
    double D_um2_per_s;         /* effective D in this tissue = free D / tortuosity², unless overridden */
    double half_life_min;       /* 0 = no decay */
    double initial_nM;          /* uniform initial concentration */
    scn_bc bc[SCN_FACES];       /* per-face boundary condition */
} scn_field;

typedef enum { SCN_SHAPE_BOX = 0, SCN_SHAPE_SPHERE, SCN_SHAPE_CYLINDER } scn_shape;

/* A region of a tissue: a box, sphere or cylinder carrying properties. A voxel belongs
 * to a region when its centre is inside the shape; later regions win where they overlap. */
typedef struct {
    char name[SCN_NAME_MAX];
    scn_shape shape;
    double min_um[3], max_um[3];   /* box: low and high corners */
    double center_um[3];           /* sphere and cylinder: centre */
    double radius_um;              /* sphere and cylinder */
    int axis;                      /* cylinder: 0 = x, 1 = y, 2 = z */
    double length_um;              /* cylinder: length along axis, centred on center_um */
    double diffusion_multiplier;   /* multiplies every field's D inside the region (> 0), default 1 */
    double source_nM_per_min[SCN_MAX_MEDIATORS]; /* zero-order production per voxel, indexed by mediator */
    double sink_per_min[SCN_MAX_MEDIATORS];      /* extra first-order clearance, indexed by mediator */
} scn_region;

/* Initial cells placed in a tissue. */
typedef struct {
    int type;                   /* index into scenario.types */
    int state;                  /* index into that type's states */
    int64_t count;              /* number of cells (>= 0) */
    int region;                 /* index into the tissue's regions; -1 = whole tissue */
} scn_seeding;

#define SCN_MAX_RECRUITMENTS 6

/* Entry of circulating cells into a tissue at vessel voxels (the blood is an unlimited
 * reservoir: an assumption). In every voxel of the vessel region, cells of `type` enter
 * in state `state` as a Poisson process of rate
 *   rate_per_mm3_per_h * F_sex * V_voxel[mm³] * barrier_permeability * H(C_chemokine),
 * with H = 1 when no chemokine is given and F_sex = female_rate_factor in a female
 * scenario (1 in a male one). With priming, the rate is further multiplied by the
 * primed circulating pool P(tau) = (tau/peak) e^(1 - tau/peak), tau = t - from >= 0
 * (0 before the trigger; 1 at the peak). */
typedef struct {
    int type;
    int state;
    int region;                     /* vessel region; -1 = every voxel */
    double rate_per_mm3_per_h;      /* >= 0 */
    double barrier_permeability;    /* [0, 1], default 1 */
    double female_rate_factor;      /* > 0, default 1 */
    double priming_from_h;          /* primed pool: trigger time (h) */
    double priming_peak_h;          /* > 0: rate x P(t - from); 0 = no priming (P = 1) */
    scn_driver chemokine;           /* mediator -1 = constant rate; rate_per_h unused */
} scn_recruitment;

typedef struct {
    char name[SCN_NAME_MAX];
    char description[SCN_TEXT_MAX];
    double size_um[3];          /* box edge lengths, µm (each a multiple of voxel_um) */
    double voxel_um;            /* cubic voxel edge, µm */
    double origin_um[3];        /* display placement of the low corner (XDMF, world positions) */
    double tortuosity;          /* λ; D_eff = D_free / λ² (Syková & Nicholson 2008), default 1.6 */
    scn_field fields[SCN_MAX_MEDIATORS]; /* indexed by mediator */
    int n_regions;
    scn_region regions[SCN_MAX_REGIONS];
    int n_seedings;
    scn_seeding seedings[SCN_MAX_SEEDINGS];
    int n_recruitments;
    scn_recruitment recruitments[SCN_MAX_RECRUITMENTS];
} scn_tissue;

/* One state of a cell type: what the cell secretes and takes up while in it. */
typedef struct {
    char name[SCN_NAME_MAX];
    double secretion_molecules_per_min[SCN_MAX_MEDIATORS]; /* indexed by mediator, >= 0 */
    double uptake_um3_per_min[SCN_MAX_MEDIATORS];          /* clearance volume rate, >= 0:
                                                               dC/dt = -C * uptake / V_voxel */
    double division_factor;                                /* multiplies the type's division hazard */
} scn_state;

/* Inhibition by a sensed mediator: factor 1 / (1 + C * J / IC50). */
typedef struct {
    int mediator;
    double IC50_nM;                 /* > 0 */
} scn_inhibitor;

/* A state change with hazard
 *   h = (rate + sum_d rate_d * H_d + pstat3_rate * pSTAT3) * prod_i 1/(1 + C_i J_i / IC50_i) * prod_g H_g
 * (gates g: signals the change requires; their rate_per_h is unused). */
typedef struct {
    int from, to;                   /* state indices of the type, from != to */
    double rate_per_h;              /* base hazard, 1/h, >= 0 */
    double pstat3_rate_per_h;       /* hazard per unit pSTAT3 (0..1), 1/h, >= 0 */
    int n_drivers;
    scn_driver drivers[SCN_MAX_DRIVERS];
    int n_inhibitors;
    scn_inhibitor inhibitors[SCN_MAX_DRIVERS];
    int n_gates;
    scn_driver gates[SCN_MAX_GATES];
} scn_transition;

/* Intracellular JAK/STAT3 signalling (seed 001), integrated every step per cell:
 *   A = 1 - prod_a (1 - H_a)                       activators (IL-6, GM-CSF ...), JAK-gated
 *   dP/dt = k_on A (1 - P) / ((1 + S/socs_K)(1 + C_inh J_inh / IC50_inh)) - k_off P
 *   dS/dt = socs_synthesis P - socs_decay S
 * P = pSTAT3 fraction (0..1), S = SOCS3 level (dimensionless). Secretion of mediator m in
 * every state is multiplied by (1 + secretion_gain[m] * P). */
typedef struct {
    int enabled;
    int n_activators;
    scn_driver activators[SCN_MAX_DRIVERS];   /* rate_per_h unused */
    double k_on_per_min;            /* default 0.05 */
    double k_off_per_min;           /* default 0.02 */
    double socs_synthesis_per_min;  /* default 0.01 */
    double socs_decay_per_min;      /* default 0.005 */
    double socs_K;                  /* default 0.5 */
    int inhibitor_mediator;         /* -1 = none (e.g. IL10) */
    double inhibitor_IC50_nM;
    double secretion_gain[SCN_MAX_MEDIATORS]; /* >= 0, indexed by mediator */
} scn_jak_stat3;

/* A contact-dependent event (cell list): while in state `from` (-1: any), a cell of this
 * type meets every cell of type `partner` (in `partner_state`, -1: any) closer than
 * range_um (0: the sum of the two radii); each such pair fires with hazard rate_per_h.
 * With `eat`, the partner is removed (a partner eaten by several cells in one step goes to
 * the one with the lowest id); with `to` >= 0 the cell switches to state `to` when at
 * least one of its pairs fired (e.g. efferocytosis pushes a macrophage to resolving). */
typedef struct {
    int partner;                    /* cell type index */
    int partner_state;              /* -1 = any */
    int from;                       /* -1 = any */
    int to;                         /* -1 = no state change */
    int eat;                        /* 1: the partner is removed */
    double range_um;                /* >= 0; 0 = sum of radii */
    double rate_per_h;              /* hazard per pair in contact, 1/h */
} scn_contact;

#define SCN_MAX_RECEPTORS 12

/* A receptor a cell type carries: a mediator acts on a cell of the type only through
 * one of its receptors (drivers, inhibitors, JAK/STAT3, chemotaxis, recruitment, pain
 * terms). Receptor blocks and knockouts (perturbations) act on the receptor by name;
 * female_expression scales what the receptor senses in a female scenario (e.g. P2X4 is
 * not upregulated in female microglia, Mapplebeck 2018). */
typedef struct {
    char name[SCN_NAME_MAX];        /* e.g. "CCR2"; unique within the type */
    int mediator;                   /* the ligand; one receptor per mediator per type */
    double female_expression;       /* [0, 1], default 1 */
} scn_receptor;

typedef struct {
    char name[SCN_NAME_MAX];
    double radius_um;               /* cell radius, µm (> 0) */
    double speed_um_per_min;        /* random-walk speed, µm/min (>= 0) */
    double persistence_min;         /* mean time between direction changes, min (> 0) */
    double repulsion_um_per_min;    /* soft-sphere push speed at full overlap, µm/min (>= 0) */
    double death_rate_per_h;        /* per-cell death hazard, 1/h (>= 0) */
    double division_rate_per_h;     /* per-cell division hazard, 1/h (>= 0) */
    int chemotaxis_mediator;        /* index into mediators, -1 = none */
    double chemotaxis_speed_um_per_min;   /* maximal chemotactic drift speed, µm/min */
    double chemotaxis_Kd_nM;              /* receptor dissociation constant, nM (> 0) */
    double chemotaxis_half_gradient_per_um; /* receptor-occupancy gradient giving half-maximal drift, 1/µm (> 0) */
    int n_states;
    scn_state states[SCN_MAX_STATES];
    int n_transitions;
    scn_transition transitions[SCN_MAX_TRANSITIONS];
    int n_division_drivers;
    scn_driver division_drivers[SCN_MAX_DRIVERS];  /* add rate_per_h * H to division_rate_per_h */
    scn_jak_stat3 jak_stat3;
    int n_contacts;
    scn_contact contacts[SCN_MAX_CONTACTS];
    int n_receptors;
    scn_receptor receptors[SCN_MAX_RECEPTORS];
} scn_cell_type;

typedef enum { SCN_ROUTE_SYSTEMIC = 0, SCN_ROUTE_INTRATHECAL } scn_route;

/* A course of doses: count doses, every every_h hours from start_h. The amount is mg_per_kg for
 * a systemic drug, ug_per_animal for an intrathecal one (the other is 0). A dose with
 * infusion_h > 0 runs at a constant rate for that long (osmotic minipump, infusion). */
typedef struct {
    double start_h;                 /* >= 0 */
    double every_h;                 /* > 0, default 24 */
    int count;                      /* >= 1, default 1 */
    double mg_per_kg;               /* systemic dose, mg per kg body weight (>= 0) */
    double ug_per_animal;           /* intrathecal bolus into the CSF, µg per animal (>= 0) */
    double infusion_h;              /* 0 = bolus (or oral, with ka_per_h); > 0: zero-order over this, h */
} scn_dose;

/* A drug with one-compartment pharmacokinetics (host/engine/pk.h has the formulas):
 * systemic: plasma C(t) from F, Vd, t_half, optional first-order absorption ka; unbound
 *   C_u = fraction_unbound * C; tissue T sees C_T = tissue_fraction[T] * C_u (Kp,uu).
 * intrathecal: a bolus (or infusion) into a CSF volume csf_volume_uL, cleared with
 *   csf_half_life_h; C_T = tissue_fraction[T] * C_CSF in the tissues listed, 0 elsewhere.
 * Per-JAK inhibition I = C_T/(C_T + IC50), IC50 cellular (against unbound drug). */
typedef struct {
    char name[SCN_NAME_MAX];
    double mw_g_per_mol;            /* > 0 */
    double half_life_h;             /* plasma elimination half-life, h (> 0) */
    double bioavailability;         /* (0, 1], default 1 */
    double Vd_L_per_kg;             /* > 0 */
    double fraction_unbound;        /* fu in plasma, (0, 1], default 1 */
    double ka_per_h;                /* first-order absorption rate, 1/h; 0 = instantaneous */
    double csf_volume_uL;           /* intrathecal: CSF volume the bolus mixes into, µL */
    double csf_half_life_h;         /* intrathecal: clearance half-life from the CSF, h */
    double ic50_nM[SCN_N_JAKS];     /* cellular IC50 vs unbound drug, nM; 0 = does not inhibit that JAK */
    scn_route route;
    double tissue_fraction[SCN_MAX_TISSUES]; /* Kp,uu in [0, 1]; default 1 everywhere for systemic */
    int n_doses;
    scn_dose doses[SCN_MAX_DOSES];
} scn_drug;

typedef enum {
    SCN_PERTURB_DEPLETION = 0,      /* extra death hazard rate_per_h for type in tissue */
    SCN_PERTURB_KNOCKOUT,           /* type secretes none of mediator */
    SCN_PERTURB_RECEPTOR_BLOCK,     /* cells carrying receptor sense (1 - fraction) through it */
    SCN_PERTURB_RECEPTOR_KNOCKOUT,  /* type senses nothing through receptor, whole run */
    SCN_N_PERTURB_KINDS
} scn_perturb_kind;

/* One row per perturbation kind, in scn_perturb_kind order: its name in scenarios and
 * what it does (the docs are generated from it; its keys are the rows of the
 * perturbation table that name the kind). */
typedef struct {
    const char *name;
    const char *doc;
    int device_code;                /* PTK_* of kernels/params.h: the code the kernels test */
    const char *kernel;             /* where it acts on the device */
} scn_perturb_kind_info;
extern const scn_perturb_kind_info scn_perturb_kinds[SCN_N_PERTURB_KINDS];

typedef struct {
    scn_perturb_kind kind;
    int type;                       /* cell type; -1 = every type carrying the receptor (block) */
    int tissue;                     /* -1 = every tissue */
    int mediator;                   /* knockout; -1 otherwise */
    char receptor[SCN_NAME_MAX];    /* receptor block and knockout: receptor name */
    double start_h, stop_h;         /* active for start_h <= t < stop_h; stop default = duration */
    double rate_per_h;              /* depletion hazard, 1/h */
    double fraction;                /* receptor block, [0, 1] */
} scn_perturbation;

/* One compartment of the nociceptors: where it lives and as which cell type. The type
 * must have a state named "injured" (resolved into injured_state). */
typedef struct {
    int tissue;                     /* index into tissues */
    int type;                       /* index into cell_types */
    int region;                     /* region of that tissue to place in; -1 = whole tissue */
    int injured_state;              /* state index of "injured" in that type */
} scn_compartment;

#define SCN_MAX_RELEASE 24

/* Neuronal release, graded by injury and by activity: each compartment of the site
 * secretes the mediator at  (per_injury * L + per_activity * A) * (1 + stat3_gain * P)
 * molecules/min, L its lagged injury (0..1), A its neuron's afferent activity (the drive D
 * of the pain readout), P its neuron's pSTAT3 (computed by the soma's jak_stat3, received
 * by the terminals through the transport lag). site: 0 soma, 1 peripheral terminal,
 * 2 central terminal. */
typedef struct {
    int site;
    int mediator;
    double per_injury_molecules_per_min;
    double per_activity_molecules_per_min;
    double stat3_gain;
} scn_release;

/* Nociceptor neurons: each has a soma (DRG), a peripheral terminal (injury site) and a
 * central terminal (dorsal horn), placed as immotile cells. Injury I (0..1) belongs to
 * the neuron: a lesion at lesion_h injures (I = 1) every neuron whose peripheral terminal
 * lies in the lesion region; a neurotoxic drug injures at
 *   dI/dt = toxin_rate * H(C_soma; toxin_EC50, 1) (1 - I) - repair I,
 * repair = repair_per_h + sum of repair_drivers rate * H(mediator at the soma); a
 * permanent lesion keeps its neurons at I = 1.
 * Each compartment follows I through a first-order lag of transport_delay_h and is in
 * its "injured" state while its lagged injury exceeds 0.5. */
typedef struct {
    int enabled;
    int count;                      /* neurons (>= 1 when enabled) */
    scn_compartment soma, peripheral, central;
    double transport_delay_h;       /* > 0 */
    int lesion_region;              /* region of the peripheral tissue, -1 = no lesion */
    double lesion_h;                /* time of the lesion */
    int toxin_drug;                 /* drug index, -1 = none */
    double toxin_EC50_nM;
    double toxin_rate_per_h;
    double repair_per_h;            /* >= 0 */
    int lesion_permanent;           /* 1: lesioned neurons keep I = 1 (no repair) */
    scn_driver repair_drivers[SCN_MAX_DRIVERS];  /* sensed at the soma: add rate * H to repair */
    int n_repair_drivers;
    int n_release;
    scn_release release[SCN_MAX_RELEASE];        /* neuron -> immune signalling */
} scn_neurons;

#define SCN_MAX_PAIN_TERMS 24

/* Where a pain term acts (scn_pain_term.site). */
typedef enum { SCN_SITE_PERIPHERAL = 0, SCN_SITE_SOMA, SCN_SITE_CENTRAL, SCN_N_SITES } scn_site;

/* A pain term: weight * H(x; EC50, hill), x the concentration the compartment senses
 * through its receptor for the mediator (JAK factor, receptor blocks and knockouts
 * applied) at the peripheral terminal, the soma (DRG) or the central terminal (dorsal
 * horn). Negative weights desensitize (IL-10). sex: 0 both, 1 male only, 2 female only. */
typedef struct {
    int site;                       /* scn_site */
    int mediator;
    double EC50_nM;
    double hill;
    double weight;
    int sex;
    int role;                       /* scn_term_role */
} scn_pain_term;

/* What a pain term does: adds excitability (E) at its site, or triggers the primed state P
 * of its neuron (soma and peripheral sites only). */
typedef enum { SCN_ROLE_EXCITABILITY = 0, SCN_ROLE_PRIMING } scn_term_role;

/* The pain readout (scenarios/README.md "The pain readout"), per neuron n:
 *   afferent drive  D = injury_weight * L_soma + E_soma + E_peripheral
 *     E_soma -> max(0, sum of soma terms) * (u + (1 - u) L_soma)   ectopic activity, u =
 *               soma_uninjured_response (immune signals start and sustain it in injured neurons)
 *     E_peripheral -> max(0, sum of peripheral terms)
 *   central gain    G -> max(0, sum of central terms + activity_gain * D / (D + activity_K_))
 *   memory          dM/dt = induction * G^n/(G^n + memory_K^n) (1 - M) - decay * M, n = memory_hill
 *   priming         dP/dt = priming_induction * T (1 - P) - priming_decay * P, T = sum of the
 *                   priming terms' weight * H; E_soma and E_peripheral's mediator terms are
 *                   multiplied by 1 + priming_weight * P
 *   S = D (direct_weight + G + memory_weight * M); threshold = baseline * exp(-S); index = 1 - exp(-S),
 * E and G relaxing with time_constant_h; the readout is the mean of S over neurons.
 * immune_terms 0 removes every mediator term (the negative control of make validate). */
typedef struct {
    double baseline_threshold_g;    /* von Frey threshold without sensitization, g */
    double time_constant_h;         /* > 0 */
    double injury_weight;           /* >= 0: injury-intrinsic drive per unit lagged injury */
    double soma_uninjured_response; /* [0, 1] */
    double central_activity_gain;   /* >= 0 */
    double central_activity_K;      /* > 0 */
    double memory_induction_per_h;  /* >= 0 */
    double memory_decay_per_h;      /* >= 0 */
    double memory_K;                /* > 0 */
    double memory_hill;             /* Hill coefficient of the induction, > 0 */
    double memory_weight;           /* >= 0 */
    double direct_weight;           /* >= 0: weight of D itself in S, without central amplification */
    double priming_induction_per_h; /* >= 0: induction of P per unit trigger T */
    double priming_decay_per_h;     /* >= 0 */
    double priming_weight;          /* >= 0: gain of the soma and peripheral mediator terms at P = 1 */
    int immune_terms;               /* 1: the mediator terms act (default) */
    int n_terms;
    scn_pain_term terms[SCN_MAX_PAIN_TERMS];
} scn_pain;

typedef enum { SCN_SEX_MALE = 0, SCN_SEX_FEMALE = 1 } scn_sex;

typedef struct {
    char name[SCN_NAME_MAX];
    char description[SCN_TEXT_MAX];
    char source_path[SCN_PATH_MAX];   /* file it was loaded from */
    scn_sex sex;                      /* selects pain terms by sex */
    uint64_t seed;                    /* Philox key; same seed => bit-identical output */

    double duration_h;                /* simulated time, h (> 0) */
    double dt_min;                    /* step length for agents and fields, min (> 0) */
    double output_interval_h;         /* summary rows, h (> 0) */
    double snapshot_interval_h;       /* HDF5 snapshots, h (> 0) */

    double agent_capacity_factor;     /* device capacity = factor x initial agents, grown as needed (>= 1.1) */

    int n_mediators;
    scn_mediator mediators[SCN_MAX_MEDIATORS];
    int n_types;
    scn_cell_type types[SCN_MAX_TYPES];
    int n_tissues;
    scn_tissue tissues[SCN_MAX_TISSUES];
    int n_drugs;
    scn_drug drugs[SCN_MAX_DRUGS];
    int n_perturbations;
    scn_perturbation perturbations[SCN_MAX_PERTURBATIONS];
    scn_neurons neurons;
    scn_pain pain;
} scenario;

/* Loads and validates path, then applies each "key.path=value" override in sets (in
 * order, each validated like the file), then fills defaults and resolves indices.
 * On failure returns PS_ERR_INPUT (or PS_ERR_IO when the file cannot be read) with
 * err->msg of the form  "FILE: json.path: expected ..., got ..."  (with line:column
 * for syntax errors) and leaves *out unspecified. Writes nothing to disk. */
ps_status scenario_load(const char *path, const char *const *sets, int n_sets,
                        scenario *out, ps_err *err);

/* 1 when pain term k acts in this scenario: the immune terms are on and the term's sex
 * (both, male, female) matches the scenario's. */
int scenario_pain_term_acts(const scenario *s, int k);

/* The receptor of cell type ct for mediator m (index into ct->receptors), or -1. */
int scenario_receptor_for(const scn_cell_type *ct, int mediator);
/* The receptor of ct named name, or -1. */
int scenario_receptor_named(const scn_cell_type *ct, const char *name);

/* Same as scenario_load, from an in-memory JSON text; name is used in messages. */
ps_status scenario_load_string(const char *text, const char *name, const char *const *sets,
                               int n_sets, scenario *out, ps_err *err);

/* Reads a JSON file that must hold one object (the sweep loader uses it): syntax errors
 * read "FILE:LINE:COLUMN: JSON syntax error ...", duplicate keys are errors. what names
 * the file's role in messages ("sweep"). *root is the caller's to cJSON_Delete. */
struct cJSON;
ps_status scenario_json_file(const char *path, const char *what, struct cJSON **root, ps_err *err);

/* Reads a text file whole into *text (malloc'd, NUL-terminated; the caller frees): a file
 * that cannot be read is PS_ERR_IO naming it and what ("scenario", "README"); a NUL byte
 * or more than 16 MiB is PS_ERR_INPUT. */
ps_status scenario_read_text(const char *path, const char *what, char **text, ps_err *err);

/* v as the resolved scenario writes numbers: the shortest of %.15g, %.16g, %.17g that
 * reads back to the same double. */
void scenario_format_number(char *buf, size_t cap, double v);

/* buf gets " (did you mean \"X\"?)" when s is a near miss of one of cands, else "". */
void scenario_suggest(char *buf, size_t cap, const char *s, const char *const *cands, int n);

/* The fully resolved scenario as JSON text (every default written out) that
 * scenario_load accepts and turns back into an identical structure. malloc'd; the
 * caller frees. NULL only when out of memory. */
char *scenario_to_json(const scenario *s);

/* Number of voxels of a tissue along each axis. */
void scenario_tissue_dims(const scn_tissue *t, int dims[3]);

/* Index of a mediator, cell type or tissue by name, or -1. */
int scenario_mediator_index(const scenario *s, const char *name);
int scenario_type_index(const scenario *s, const char *name);
int scenario_tissue_index(const scenario *s, const char *name);

/* 1 when the point p_um (tissue-local µm) is inside the region, boundaries included:
 * box min <= p <= max on every axis; sphere |p - centre| <= radius; cylinder
 * |p_axis - centre_axis| <= length/2 and radial distance <= radius. The one definition
 * of "a voxel belongs to a region" (test its centre); the loader uses it to reject
 * regions that contain no voxel centre. */
int scenario_region_contains(const scn_region *r, const double p_um[3]);

#endif
