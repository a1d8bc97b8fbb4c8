/* scn_keys_core.c — key tables of the top level, time, engine, mediators and cell types
 * (states, chemotaxis, transitions, drivers and inhibitors, JAK/STAT3, contacts), with
 * the hooks for the rules that span keys beside the rows they check.
 */
#include "scn_table.h"

#include <stdio.h>
#include <string.h>

const char *const scn_jak_names[SCN_N_JAKS] = {"JAK1", "JAK2", "JAK3", "TYK2"};
static const char *const sex_names[] = {"male", "female"};

/* ------------------------------------------------------------------------------------
 * Shared hooks.
 * ---------------------------------------------------------------------------------- */

/* A start time (already read) must lie before the end of the simulation. */
ps_status scn_check_starts_in_time(scn_walk *w, double start_h, const char *what)
{
    const scenario *s = w->s;
    if (start_h < s->duration_h) return PS_OK;
    char dur[40], got[40];
    scn_fmt_num(dur, sizeof dur, s->duration_h);
    scn_fmt_num(got, sizeof got, start_h);
    scn_path_key(w->c, "start_h");
    return scn_fail(w->c, "expected a number < time.duration_h (%s h), got %s: the %s starts after the end of the "
                          "simulation", dur, got, what);
}

/* ------------------------------------------------------------------------------------
 * time, engine
 * ---------------------------------------------------------------------------------- */

/* The value (h) must be a whole number (>= 1) of steps of dt_min. */
static ps_status step_multiple(scn_walk *w, const cJSON *obj, const char *key, double value_h)
{
    double dt_min = w->s->dt_min;
    double ratio = value_h * 60.0 / dt_min;
    double k = nearbyint(ratio);
    if (k >= 1.0 && fabs(ratio - k) <= SCN_MULTIPLE_RTOL * ratio) return PS_OK;
    char dt[40], v[40], vmin[40];
    scn_fmt_num(dt, sizeof dt, dt_min);
    scn_fmt_num(v, sizeof v, value_h);
    scn_fmt_num(vmin, sizeof vmin, value_h * 60.0);
    scn_path_key(w->c, key);
    return scn_fail(w->c, "expected a multiple of time.dt_min (%s min), got %s (%s min%s)", dt, v, vmin,
                    cJSON_GetObjectItemCaseSensitive(obj, key) ? "" : ", the default");
}

static ps_status time_post(scn_walk *w, const cJSON *obj, void *dst)
{
    scenario *s = dst;
    PS_TRY(step_multiple(w, obj, "duration_h", s->duration_h));
    PS_TRY(step_multiple(w, obj, "output_interval_h", s->output_interval_h));
    return step_multiple(w, obj, "snapshot_interval_h", s->snapshot_interval_h);
}

static const scn_key time_keys[] = {
    K_NUM("duration_h", scenario, duration_h, SKF_REQUIRED, 0, POS(8760.0), "h", "Simulated time."),
    K_NUM("dt_min", scenario, dt_min, 0, 1.0, POS(60.0), "min", "Time step of agents and fields."),
    K_NUM("output_interval_h", scenario, output_interval_h, 0, 1.0, POS(INFINITY), "h",
          "Interval of summary rows (`summary.csv`)."),
    K_NUM("snapshot_interval_h", scenario, snapshot_interval_h, 0, 6.0, POS(INFINITY), "h",
          "Interval of full snapshots (HDF5 + XDMF)."),
};
SECTION(scn_sec_time, "time", "an object with duration_h", time_keys, .post = time_post);

static const scn_key engine_keys[] = {
    K_NUM("agent_capacity_factor", scenario, agent_capacity_factor, 0, 2.0, RANGE(1.1, 100.0), NULL,
          "Agent slots kept per live cell: device memory is sized for this many times the initial number of "
          "cells, and grows (to at least this factor, by at least half) when a check — every 8 steps and at "
          "every output — finds fewer. A slot costs 125 bytes of device memory. Results do not depend on it "
          "unless births are skipped (with a warning)."),
};
SECTION(scn_sec_engine, "engine", "an object", engine_keys, .init = NULL);

/* ------------------------------------------------------------------------------------
 * mediators[i]
 * ---------------------------------------------------------------------------------- */

/* mediators[i].jak: unique JAK names; sets jak[] to 1 for each. */
static ps_status read_jaks(scn_walk *w, const cJSON *e, const scn_key *k, void *dst)
{
    scn_ctx *c = w->c;
    scn_mediator *md = dst;
    const cJSON *a;
    int n;
    PS_TRY(scn_read_array(c, e, k->name, 0, 0, SCN_N_JAKS,
                          "unique JAK names (\"JAK1\", \"JAK2\", \"JAK3\", \"TYK2\")", &a, &n));
    if (!a) return PS_OK;
    size_t m = scn_path_key(c, k->name), list_len = c->len;
    int first[SCN_N_JAKS] = {-1, -1, -1, -1};
    int i = 0;
    for (const cJSON *v = a->child; v; v = v->next, i++) {
        int j = 0;
        size_t mi = scn_path_index(c, i);
        PS_TRY(scn_enum_value(c, v, scn_jak_names, SCN_N_JAKS, &j));
        if (first[j] >= 0)
            return scn_fail(c, "expected a JAK not listed before, got \"%s\" (%.*s[%d] is the same)",
                            scn_jak_names[j], (int)list_len, c->path, first[j]);
        first[j] = i;
        md->jak[j] = 1;
        scn_path_pop(c, mi);
    }
    scn_path_pop(c, m);
    return PS_OK;
}

static int write_jaks(scn_walk *w, cJSON *o, const scn_key *k, const void *dst)
{
    const scn_mediator *md = dst;
    cJSON *ja = scn_put(w, o, k->name, cJSON_CreateArray());
    for (int j = 0; ja && j < SCN_N_JAKS; j++)
        if (md->jak[j]) scn_put(w, ja, NULL, cJSON_CreateString(scn_jak_names[j]));
    return !w->oom;
}

/* mediators[i].jak_limiting: a JAK of its `jak` list; absent: JAK1 if listed, else the
 * first listed (every JAK1-using receptor of biology.md §4 is JAK1-limited: Rodig 1998;
 * a JAK2-only receptor is JAK2-limited); -1 without `jak`. Reads after `jak` (row order). */
static ps_status read_jak_limiting(scn_walk *w, const cJSON *e, const scn_key *k, void *dst)
{
    scn_ctx *c = w->c;
    scn_mediator *md = dst;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, k->name);
    char listed[64] = "";
    const char *names[SCN_N_JAKS];
    int n = 0;
    md->jak_limiting = -1;
    for (int j = SCN_N_JAKS - 1; j >= 0; j--)
        if (md->jak[j]) md->jak_limiting = j;
    for (int j = 0; j < SCN_N_JAKS; j++)
        if (md->jak[j]) names[n++] = scn_jak_names[j];
    if (!v) return PS_OK;
    size_t m = scn_path_key(c, k->name);
    int j = 0;
    PS_TRY(scn_enum_value(c, v, scn_jak_names, SCN_N_JAKS, &j));
    if (!md->jak[j]) {
        if (n == 0)
            return scn_fail(c, "expected no jak_limiting for a mediator whose jak is [] (JAK-independent), got "
                               "\"%s\"", scn_jak_names[j]);
        scn_join(listed, sizeof listed, names, n, SCN_N_JAKS);
        return scn_fail(c, "expected one of the JAKs in this mediator's jak (%s), got \"%s\"", listed,
                        scn_jak_names[j]);
    }
    md->jak_limiting = j;
    scn_path_pop(c, m);
    return PS_OK;
}

static int write_jak_limiting(scn_walk *w, cJSON *o, const scn_key *k, const void *dst)
{
    const scn_mediator *md = dst;
    if (md->jak_limiting < 0) return 1;
    scn_put(w, o, k->name, cJSON_CreateString(scn_jak_names[md->jak_limiting]));
    return !w->oom;
}

static const scn_key mediator_keys[] = {
    K_NAME("name", scn_mediator, name, SKF_UNIQUE, "e.g. `TNF`."),
    K_NUM("D_um2_per_s", scn_mediator, D_um2_per_s, SKF_REQUIRED, 0, POS(10000.0), "µm²/s",
          "Free diffusion coefficient (in water). Tissues divide it by their tortuosity squared."),
    K_NUM("half_life_min", scn_mediator, half_life_min, 0, 0.0, NONNEG(INFINITY), "min",
          "First-order decay half-life; `0` means no decay."),
    K_NUM("kDa", scn_mediator, kDa, 0, 17.0, POS(1000.0), "kDa",
          "Molecular mass; only used to convert nM to pg/mL in outputs."),
    K_CUSTOM("jak", SKF_ARRAY, read_jaks, write_jaks, "array of strings",
             "{\"type\": \"array\", \"maxItems\": 4, \"uniqueItems\": true, \"items\": {\"enum\": "
             "[\"JAK1\", \"JAK2\", \"JAK3\", \"TYK2\"]}}",
             "The Janus kinases its receptor uses. A mediator with `[]` is untouched by every drug.",
             .def_doc = "`[]` (JAK-independent)", .range_doc = "each `\"JAK1\"`, `\"JAK2\"`, `\"JAK3\"` or "
                                                               "`\"TYK2\"`, no repeats"),
    K_CUSTOM("jak_limiting", 0, read_jak_limiting, write_jak_limiting, "string",
             "{\"enum\": [\"JAK1\", \"JAK2\", \"JAK3\", \"TYK2\"]}",
             "The rate-limiting (non-redundant) JAK of its receptor: a JAK inhibitor (see drugs) leaves J = 1 − I "
             "of this JAK of what cells sense of the mediator; the other JAKs of `jak` are treated as redundant.",
             .def_doc = "`JAK1` if `jak` lists it, else the first listed; none when `jak` is `[]`",
             .range_doc = "one of the mediator's `jak`"),
};
SECTION(scn_sec_mediator, "mediators[i]", "an object with name and D_um2_per_s", mediator_keys, .init = NULL);

/* ------------------------------------------------------------------------------------
 * Drivers and inhibitors (transitions, division, JAK/STAT3, recruitment, repair)
 * ---------------------------------------------------------------------------------- */

static void driver_init(scn_walk *w, void *dst)
{
    (void)w;
    ((scn_driver *)dst)->mediator = -1;
}

/* An optional driver object (recruitment.chemokine) is written only when given. */
static int driver_present(const scn_walk *w, const void *dst)
{
    (void)w;
    return ((const scn_driver *)dst)->mediator >= 0;
}

#define DRIVER_ROWS                                                                                         \
    K_REF("mediator", scn_driver, mediator, SKF_REQUIRED, -1, SR_MEDIATOR, "The signal sensed."),           \
        K_NUM("EC50_nM", scn_driver, EC50_nM, SKF_REQUIRED, 0, POS(1e6), "nM",                             \
              "Effective signal x giving half the response."),                                              \
        K_NUM("hill", scn_driver, hill, 0, 1.0, RANGE(0.1, 8.0), NULL,                                      \
              "Hill coefficient n of H = xⁿ / (xⁿ + EC50ⁿ).")
#define DRIVER_RATE(hi)                                                                                     \
    K_NUM("rate_per_h", scn_driver, rate_per_h, SKF_REQUIRED, 0, NONNEG(hi), "1/h",                         \
          "Hazard added at full response (H = 1).")

static const char *const via_jak_names[1 + SCN_N_JAKS] = {"none", "JAK1", "JAK2", "JAK3", "TYK2"};
#define DRIVER_VIA_JAK                                                                                      \
    K_ENUM("via_jak", scn_driver, via_jak, 0, 0, via_jak_names,                                             \
           "The JAK that relays this response inside the cell, when the mediator's own receptor does not "  \
           "use one: an autocrine JAK-dependent loop (e.g. TNF → IRF1 → IFN-β → JAK1/TYK2 → STAT1, which "  \
           "sustains TNF-driven macrophage activation; Yarilina 2008). A JAK inhibitor scales the sensed x " \
           "by 1 − I of this JAK as well; `none`: the response needs no JAK beyond the mediator's own.")
static const scn_key activator_keys[] = {DRIVER_ROWS};
static const scn_key driver1000_keys[] = {DRIVER_ROWS, DRIVER_RATE(1000.0), DRIVER_VIA_JAK};
static const scn_key driver_division_keys[] = {DRIVER_ROWS, DRIVER_RATE(100.0), DRIVER_VIA_JAK};
static const scn_key driver100_keys[] = {DRIVER_ROWS, DRIVER_RATE(100.0)};
SECTION(scn_sec_activator, "activator", "an object with mediator and EC50_nM", activator_keys,
        .init = driver_init, .write_if = driver_present);
SECTION(scn_sec_driver1000, "driver (transitions)", "an object with mediator, EC50_nM and rate_per_h",
        driver1000_keys, .init = driver_init);
SECTION(scn_sec_driver_division, "driver (division)", "an object with mediator, EC50_nM and rate_per_h",
        driver_division_keys, .init = driver_init);
SECTION(scn_sec_driver100, "driver (repair)", "an object with mediator, EC50_nM and rate_per_h",
        driver100_keys, .init = driver_init);
static const scn_key gate_keys[] = {DRIVER_ROWS, DRIVER_VIA_JAK};
SECTION(scn_sec_gate, "gate", "an object with mediator and EC50_nM", gate_keys, .init = driver_init);

#define INHIBITOR_ROWS(st, med, ic)                                                                         \
    K_REF("mediator", st, med, SKF_REQUIRED, -1, SR_MEDIATOR, "The inhibiting signal (e.g. `IL10`)."),     \
        K_NUM("IC50_nM", st, ic, SKF_REQUIRED, 0, POS(1e6), "nM", "Effective signal x that halves the rate.")
static const scn_key inhibitor_keys[] = {INHIBITOR_ROWS(scn_inhibitor, mediator, IC50_nM)};
SECTION(scn_sec_inhibitor, "inhibitor", "an object with mediator and IC50_nM", inhibitor_keys, .init = NULL);

/* ------------------------------------------------------------------------------------
 * cell_types[i]
 * ---------------------------------------------------------------------------------- */

static void chemotaxis_init(scn_walk *w, void *dst)
{
    (void)w;
    ((scn_cell_type *)dst)->chemotaxis_mediator = -1;
}

static int chemotaxis_present(const scn_walk *w, const void *dst)
{
    (void)w;
    return ((const scn_cell_type *)dst)->chemotaxis_mediator >= 0;
}

static const scn_key chemotaxis_keys[] = {
    K_REF("mediator", scn_cell_type, chemotaxis_mediator, SKF_REQUIRED, -1, SR_MEDIATOR, "The attractant."),
    K_NUM("speed_um_per_min", scn_cell_type, chemotaxis_speed_um_per_min, SKF_REQUIRED, 0, NONNEG(100.0),
          "µm/min", "Maximal chemotactic drift speed."),
    K_NUM("Kd_nM", scn_cell_type, chemotaxis_Kd_nM, 0, 1.0, POS(INFINITY), "nM",
          "Receptor dissociation constant: occupancy = C / (C + Kd)."),
    K_NUM("half_gradient_per_um", scn_cell_type, chemotaxis_half_gradient_per_um, 0, 0.001, POS(INFINITY), "1/µm",
          "Occupancy gradient that gives half the maximal drift."),
};
SECTION(scn_sec_chemotaxis, "cell_types[i].chemotaxis", "an object with mediator and speed_um_per_min",
        chemotaxis_keys, .init = chemotaxis_init, .write_if = chemotaxis_present);

static const scn_key state_keys[] = {
    K_NAME("name", scn_state, name, SKF_UNIQUE, "e.g. `resting`, `M1`.", .range_doc = "unique within the type"),
    K_MAP("secretion_molecules_per_min", scn_state, secretion_molecules_per_min, 0, NONNEG(1e9), "molecules/min",
          "Secretion rate per cell."),
    K_MAP("uptake_um3_per_min", scn_state, uptake_um3_per_min, 0, NONNEG(1e9), "µm³/min",
          "Clearance: the volume cleared per minute; in the cell's voxel dC/dt = −C · uptake / V_voxel."),
    K_NUM("division_factor", scn_state, division_factor, 0, 1.0, NONNEG(100.0), NULL,
          "Multiplies the type's whole division hazard (`division_rate_per_h` and `division_drivers`) "
          "while a cell is in this state, e.g. for a growth-factor receptor up-regulated in an "
          "activated state; 0: cells in this state do not divide."),
};
SECTION(scn_sec_state, "cell_types[i].states[j]", "an object with a name", state_keys, .init = NULL);

/* No states listed: one state named "default". */
static ps_status states_default(scn_walk *w, const cJSON *obj, void *dst)
{
    scn_cell_type *ct = dst;
    (void)w;
    (void)obj;
    if (ct->n_states > 0) return PS_OK;
    ct->n_states = 1;
    scn_copy_str(ct->states[0].name, SCN_NAME_MAX, "default");
    ct->states[0].division_factor = 1.0;
    return PS_OK;
}

static ps_status transition_to(scn_walk *w, const cJSON *obj, void *dst)
{
    const scn_transition *tr = dst;
    (void)obj;
    if (tr->to != tr->from) return PS_OK;
    scn_path_key(w->c, "to");
    return scn_fail(w->c, "expected a state other than from (\"%s\"), got \"%s\"", w->type->states[tr->from].name,
                    w->type->states[tr->to].name);
}

static ps_status transition_pstat3(scn_walk *w, const cJSON *obj, void *dst)
{
    const scn_transition *tr = dst;
    (void)obj;
    if (tr->pstat3_rate_per_h == 0.0 || w->type->jak_stat3.enabled) return PS_OK;
    char got[40];
    scn_fmt_num(got, sizeof got, tr->pstat3_rate_per_h);
    scn_path_key(w->c, "pstat3_rate_per_h");
    return scn_fail(w->c, "expected 0 when the type has no jak_stat3 block (pSTAT3 is 0 without one), got %s", got);
}

static const scn_key transition_keys[] = {
    K_REF("from", scn_transition, from, SKF_REQUIRED, -1, SR_STATE, "State the cell leaves."),
    K_REF("to", scn_transition, to, SKF_REQUIRED, -1, SR_STATE, "State the cell enters.", .check = transition_to,
          .range_doc = "≠ `from`"),
    K_NUM("rate_per_h", scn_transition, rate_per_h, 0, 0.0, NONNEG(1000.0), "1/h", "Base hazard."),
    K_NUM("pstat3_rate_per_h", scn_transition, pstat3_rate_per_h, 0, 0.0, NONNEG(1000.0), "1/h",
          "Hazard per unit pSTAT3 (P in 0 … 1). Only allowed (non-zero) when the type has a `jak_stat3` block.",
          .check = transition_pstat3),
    K_LIST("drivers", scn_transition, drivers, n_drivers, 0, scn_sec_driver1000, 0, SCN_MAX_DRIVERS, "drivers",
           "Mediators that raise the hazard (drivers with `rate_per_h` in [0, 1000])."),
    K_LIST("inhibitors", scn_transition, inhibitors, n_inhibitors, 0, scn_sec_inhibitor, 0, SCN_MAX_DRIVERS,
           "inhibitors", "Mediators that lower it (inhibitors)."),
    K_LIST("requires", scn_transition, gates, n_gates, 0, scn_sec_gate, 0, SCN_MAX_GATES, "gates",
           "Signals the change requires (gates): the hazard is multiplied by H of each, so it is 0 without "
           "them (e.g. a second ligand that only acts together with the first)."),
};
SECTION(scn_sec_transition, "cell_types[i].transitions[j]", "an object with from and to", transition_keys, .init = NULL);

static void jak_stat3_init(scn_walk *w, void *dst)
{
    (void)w;
    ((scn_jak_stat3 *)dst)->inhibitor_mediator = -1;
}

static int jak_inhibitor_present(const scn_walk *w, const void *dst)
{
    (void)w;
    return ((const scn_jak_stat3 *)dst)->inhibitor_mediator >= 0;
}

static const scn_key jak_inhibitor_keys[] = {INHIBITOR_ROWS(scn_jak_stat3, inhibitor_mediator, inhibitor_IC50_nM)};
SECTION(scn_sec_jak_inhibitor, "cell_types[i].jak_stat3.inhibitor", "an object with mediator and IC50_nM",
        jak_inhibitor_keys, .write_if = jak_inhibitor_present);

static const scn_key jak_stat3_keys[] = {
    K_LIST("activators", scn_jak_stat3, activators, n_activators, SKF_REQUIRED, scn_sec_activator, 1,
           SCN_MAX_DRIVERS, "activators",
           "Signals that phosphorylate STAT3 (IL-6, GM-CSF, …): drivers without `rate_per_h`; JAK-gated through "
           "their mediator's `jak`."),
    K_NUM("k_on_per_min", scn_jak_stat3, k_on_per_min, 0, 0.05, POS(10.0), "1/min",
          "Phosphorylation rate at full activation."),
    K_NUM("k_off_per_min", scn_jak_stat3, k_off_per_min, 0, 0.02, POS(10.0), "1/min", "Dephosphorylation rate."),
    K_NUM("socs_synthesis_per_min", scn_jak_stat3, socs_synthesis_per_min, 0, 0.01, NONNEG(10.0), "1/min",
          "SOCS3 synthesis per unit pSTAT3."),
    K_NUM("socs_decay_per_min", scn_jak_stat3, socs_decay_per_min, 0, 0.005, POS(10.0), "1/min",
          "SOCS3 decay rate."),
    K_NUM("socs_K", scn_jak_stat3, socs_K, 0, 0.5, POS(1e3), NULL, "SOCS3 level that halves phosphorylation."),
    K_FLAT("inhibitor", 0, scn_sec_jak_inhibitor, "an object with mediator and IC50_nM",
           "A signal that damps phosphorylation (e.g. IL-10): an inhibitor.", .def_doc = "absent (none)"),
    K_MAP("secretion_gain", scn_jak_stat3, secretion_gain, 0, NONNEG(1000.0), NULL,
          "Secretion of each listed mediator, in every state, is multiplied by (1 + gain · P)."),
};
SECTION(scn_sec_jak_stat3, "cell_types[i].jak_stat3", "an object with activators", jak_stat3_keys,
        .has_present = 1, .present_off = offsetof(scn_jak_stat3, enabled), .init = jak_stat3_init);

static ps_status contact_post(scn_walk *w, const cJSON *obj, void *dst)
{
    const scn_contact *k = dst;
    (void)obj;
    if (!k->eat && k->to < 0) return scn_fail(w->c, "expected \"eat\": true or a state \"to\": the rule would do nothing");
    return PS_OK;
}

static const scn_key contact_keys[] = {
    K_REF("partner", scn_contact, partner, SKF_REQUIRED, -1, SR_TYPE, "The other cell of the pair.",
          .range_doc = "a cell type (any, also one defined later)"),
    K_REF("partner_state", scn_contact, partner_state, 0, -1, SR_STATE_OF, "e.g. `\"apoptotic\"`.",
          .ref_of = offsetof(scn_contact, partner), .def_doc = "any state"),
    K_REF("from", scn_contact, from, 0, -1, SR_STATE, "State in which the rule applies.", .def_doc = "any state"),
    K_REF("to", scn_contact, to, 0, -1, SR_STATE, "State after a contact that fired.", .def_doc = "no change"),
    K_BOOL("eat", scn_contact, eat, 0, "The partner is removed. A rule needs `eat` or `to`."),
    K_NUM("range_um", scn_contact, range_um, 0, 0.0, NONNEG(1000.0), "µm", "Contact distance between centres.",
          .def_doc = "`0`: sum of the two radii"),
    K_NUM("rate_per_h", scn_contact, rate_per_h, SKF_REQUIRED, 0, POS(1000.0), "1/h", "Hazard per pair in contact."),
};
SECTION(scn_sec_contact, "cell_types[i].contacts[j]", "an object with partner and rate_per_h", contact_keys,
        .post = contact_post);

/* cell_types[i].receptors[j] */
static void receptor_init(scn_walk *w, void *dst)
{
    (void)w;
    scn_receptor *r = dst;
    r->mediator = -1;
    r->female_expression = 1.0;
}

/* One receptor per mediator within a type (each sensed mediator has one receptor). */
static ps_status receptor_post(scn_walk *w, const cJSON *obj, void *dst)
{
    const scn_receptor *r = dst;
    const scn_receptor *first = w->list_base;
    (void)obj;
    for (int k = 0; k < w->index; k++)
        if (first[k].mediator == r->mediator) {
            scn_path_key(w->c, "mediator");
            return scn_fail(w->c, "expected a mediator no other receptor of the type binds, got \"%s\" (also "
                                  "bound by receptors[%d] \"%s\")", w->s->mediators[r->mediator].name, k,
                            first[k].name);
        }
    return PS_OK;
}

static const scn_key receptor_keys[] = {
    K_NAME("name", scn_receptor, name, SKF_UNIQUE, "Receptor name, e.g. `CCR2`, `TNFR1`, `P2X4`.",
           .range_doc = "unique within the type"),
    K_REF("mediator", scn_receptor, mediator, SKF_REQUIRED, -1, SR_MEDIATOR, "The ligand it senses."),
    K_NUM("female_expression", scn_receptor, female_expression, SKF_PRESET, 1.0, RANGE(0.0, 1.0), NULL,
          "Expression in a female scenario relative to a male one: scales what the receptor senses."),
};
SECTION(scn_sec_receptor, "cell_types[i].receptors[j]", "an object with name and mediator", receptor_keys,
        .init = receptor_init, .post = receptor_post);

static const scn_key cell_type_keys[] = {
    K_NAME("name", scn_cell_type, name, SKF_UNIQUE, "e.g. `macrophage`."),
    K_NUM("radius_um", scn_cell_type, radius_um, 0, 5.0, POS(100.0), "µm", "Cell radius."),
    K_NUM("speed_um_per_min", scn_cell_type, speed_um_per_min, 0, 0.0, NONNEG(100.0), "µm/min",
          "Random-walk speed; `0` = immotile."),
    K_NUM("persistence_min", scn_cell_type, persistence_min, 0, 5.0, POS(10000.0), "min",
          "Mean time between changes of direction of the random walk."),
    K_NUM("repulsion_um_per_min", scn_cell_type, repulsion_um_per_min, 0, 1.0, NONNEG(100.0), "µm/min",
          "Speed at which overlapping cells push apart, at full overlap."),
    K_NUM("death_rate_per_h", scn_cell_type, death_rate_per_h, 0, 0.0, NONNEG(100.0), "1/h",
          "Death hazard per cell."),
    K_NUM("division_rate_per_h", scn_cell_type, division_rate_per_h, 0, 0.0, NONNEG(100.0), "1/h",
          "Division hazard per cell."),
    K_FLAT("chemotaxis", 0, scn_sec_chemotaxis, "an object with mediator and speed_um_per_min",
           "Directed drift up the gradient of one mediator, on top of the random walk.",
           .def_doc = "absent (no chemotaxis)"),
    K_LIST("states", scn_cell_type, states, n_states, 0, scn_sec_state, 1, SCN_MAX_STATES, "states",
           "What a cell secretes and takes up in each state; seedings start cells in the first unless told.",
           .check = states_default, .def_doc = "`[{\"name\": \"default\"}]`"),
    K_LIST("transitions", scn_cell_type, transitions, n_transitions, 0, scn_sec_transition, 0, SCN_MAX_TRANSITIONS,
           "transitions", "State transitions.", .pass = 1, .def_doc = "`[]` (no state changes)"),
    K_LIST("division_drivers", scn_cell_type, division_drivers, n_division_drivers, 0, scn_sec_driver_division, 0,
           SCN_MAX_DRIVERS, "division drivers",
           "Mediators that raise the division hazard: drivers with `rate_per_h` in [0, 100].", .pass = 1),
    K_LIST("contacts", scn_cell_type, contacts, n_contacts, SKF_DEFERRED | SKF_OMIT_EMPTY, scn_sec_contact, 0,
           SCN_MAX_CONTACTS, "contact rules",
           "Contact-dependent events: eating, contact-driven state changes.", .pass = 1),
    K_OBJ("jak_stat3", scn_cell_type, jak_stat3, 0, scn_sec_jak_stat3, "an object with activators",
          "Intracellular JAK/STAT3 signalling.", .def_doc = "absent (no JAK/STAT3 signalling; pSTAT3 = 0)"),
    K_LIST("receptors", scn_cell_type, receptors, n_receptors, 0, scn_sec_receptor, 0, SCN_MAX_RECEPTORS,
           "receptors", "The receptors the type carries: every mediator the type senses (drivers, inhibitors, "
           "JAK/STAT3, chemotaxis, recruitment chemokine, pain terms, repair) needs one.",
           .def_doc = "`[]` (senses nothing)"),
};
SECTION(scn_sec_cell_type, "cell_types[i]", "an object with a name", cell_type_keys, .scope = SCOPE_TYPE,
        .schema_extra = "{\"if\": {\"not\": {\"required\": [\"jak_stat3\"]}}, \"then\": {\"properties\": "
                        "{\"transitions\": {\"items\": {\"properties\": {\"pstat3_rate_per_h\": "
                        "{\"const\": 0}}}}}}}");

/* ------------------------------------------------------------------------------------
 * The top level
 * ---------------------------------------------------------------------------------- */

/* "scale" is applied to the resolved scenario after every other key (scn_apply_scale). */
static ps_status read_scale(scn_walk *w, const cJSON *root, const scn_key *k, void *dst)
{
    double scale;
    PS_TRY(scn_read_num(w->c, root, k->name, 0, k->def, k->rule, &scale));
    if (scale == 1.0) return PS_OK;
    return scn_apply_scale(w->c, scale, dst);
}

static const scn_key root_keys[] = {
    K_NAME("name", scenario, name, 0, "Name of the scenario; shown in outputs."),
    K_TEXT("description", scenario, description, "Free text."),
    {.name = "seed", .type = SK_SEED, .off = offsetof(scenario, seed), .def = 1.0,
     .rule = INT_RANGE(0.0, SCN_MAX_SEED),
     .doc = "Random seed. The same scenario and seed give bit-identical output."},
    K_FLAT("time", SKF_REQUIRED, scn_sec_time, "an object with duration_h",
           "Simulated time, step and output intervals."),
    K_FLAT("engine", SKF_DEFAULTS, scn_sec_engine, "an object", "Engine settings.", .def_doc = "`{}`"),
    K_LIST("mediators", scenario, mediators, n_mediators, SKF_REQUIRED, scn_sec_mediator, 1, SCN_MAX_MEDIATORS,
           "mediators", "Diffusing signals, defined once and used by name everywhere else."),
    K_LIST("cell_types", scenario, types, n_types, 0, scn_sec_cell_type, 0, SCN_MAX_TYPES, "cell types",
           "Cell types."),
    K_LIST("tissues", scenario, tissues, n_tissues, SKF_REQUIRED, scn_sec_tissue, 1, SCN_MAX_TISSUES, "tissues",
           "Tissues, each a box on its own voxel grid."),
    K_LIST("drugs", scenario, drugs, n_drugs, 0, scn_sec_drug, 0, SCN_MAX_DRUGS, "drugs",
           "Drugs with pharmacokinetics (JAK inhibitors, neurotoxic chemotherapy)."),
    K_LIST("perturbations", scenario, perturbations, n_perturbations, 0, scn_sec_perturbation, 0,
           SCN_MAX_PERTURBATIONS, "perturbations", "Depletions, knockouts, receptor blocks."),
    K_ENUM("sex", scenario, sex, 0, 0, sex_names,
           "Selects the sex-specific pain terms and `female_rate_factor` of recruitment."),
    K_OBJ("neurons", scenario, neurons, 0, scn_sec_neurons, "an object with count, soma, peripheral and central",
          "Nociceptor neurons.", .def_doc = "absent (no neurons)"),
    K_OBJ("pain", scenario, pain, SKF_DEFAULTS, scn_sec_pain, "an object", "The pain readout.",
          .def_doc = "defaults below", .range_doc = "needs `neurons`"),
    K_CUSTOM("scale", SKF_NOWRITE, read_scale, NULL, "number",
             "{\"type\": \"number\", \"minimum\": 0.001, \"maximum\": 10000}",
             "Grows every tissue by scale^(1/3) along each axis (whole voxels), its regions and display origin "
             "with it, seeded cells by the tissue's volume ratio and neurons by `scale`: densities, "
             "concentrations and time courses stay, the number of agents grows about scale-fold. The resolved "
             "scenario holds the scaled values (and no `scale`).",
             .def = 1.0, .rule = RANGE(1e-3, 1e4)),
};
SECTION(scn_sec_root, "top level", "an object", root_keys,
        .schema_extra = "{\"dependencies\": {\"pain\": [\"neurons\"]}}");
