#!/usr/bin/python3
"""check_schema.py — keeps scenarios/schema.json and the C loader (host/scenario.c) in sync.

Run from the repository root with Debian's Python (python3-jsonschema):
    /usr/bin/python3 tests/check_schema.py

Checks:
  1. schema.json is a valid draft-07 schema;
  2. every scenarios/*.json (except schema.json), scenarios/scale/*.json and
     tests/data/scenario_*.json validates;
  3. when bin/test_scenario exists, the loader accepts each of those files too, and the
     resolved JSON it writes (every default filled in) validates against the schema:
     so the schema knows every key the loader writes;
  4. known-bad documents are rejected by the schema and, when bin/test_scenario exists,
     by the loader as well.
Prints "check_schema: N passed, M failed"; exits 1 on any failure.
"""
import copy
import glob
import json
import os
import subprocess
import sys
import tempfile

try:
    import jsonschema
except ImportError:
    sys.exit("check_schema: python3-jsonschema is missing (apt-get install -y python3-jsonschema)")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHEMA = os.path.join(ROOT, "scenarios", "schema.json")
LOADER = os.path.join(ROOT, "bin", "test_scenario")

passed = 0
failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL " + what)


def schema_errors(validator, doc):
    return sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))


def loader_resolve(path):
    """(exit status, stdout, stderr) of the C loader on path."""
    r = subprocess.run([LOADER, "--resolve", path], capture_output=True, text=True, cwd=ROOT)
    return r.returncode, r.stdout, r.stderr


MIN = {
    "name": "bad",
    "time": {"duration_h": 2},
    "mediators": [{"name": "TNF", "D_um2_per_s": 100}],
    "cell_types": [{"name": "m"}],
    "tissues": [{"name": "skin", "size_um": [100, 100, 20], "voxel_um": 10}],
}


def bad(edit):
    doc = copy.deepcopy(MIN)
    edit(doc)
    return doc


def region(**kw):
    return lambda d: d["tissues"][0].__setitem__("regions", [dict(name="r", **kw)])


AB = [{"name": "a"}, {"name": "b"}]
ACT = [{"mediator": "TNF", "EC50_nM": 1}]
DRUG = {"name": "tofa", "mw_g_per_mol": 312, "half_life_h": 3, "Vd_L_per_kg": 1.2, "ic50_nM": {"JAK1": 56},
        "doses": [{"start_h": 0, "mg_per_kg": 1}]}


def typ(**kw):
    """The cell type with keys set."""
    return bad(lambda d: d["cell_types"][0].update(kw))


def drug(**kw):
    """One drug with keys set (None removes a key)."""
    dr = dict(DRUG, **kw)
    for k in [k for k, v in dr.items() if v is None]:
        del dr[k]
    return bad(lambda d: d.__setitem__("drugs", [dr]))


COMP = {"tissue": "skin", "type": "n"}
NEUR = {"count": 2, "soma": COMP, "peripheral": COMP, "central": COMP}
TERM = {"site": "central", "mediator": "TNF", "EC50_nM": 1, "weight": 1}
# A valid base with neurons and pain: a type n with states intact/injured, a region
# "cut" of the skin, a drug taxol (no ic50_nM) for the toxin.
MIN_N = copy.deepcopy(MIN)
MIN_N["cell_types"].append({"name": "n", "states": [{"name": "intact"}, {"name": "injured"}],
                            "receptors": [{"name": "TNFR1", "mediator": "TNF"}]})
MIN_N["tissues"][0]["regions"] = [{"name": "cut", "shape": "box", "min_um": [0, 0, 0], "max_um": [50, 100, 20]}]
MIN_N["drugs"] = [{"name": "taxol", "mw_g_per_mol": 854, "half_life_h": 20, "Vd_L_per_kg": 5,
                   "doses": [{"start_h": 0, "mg_per_kg": 1}]}]
MIN_N["sex"] = "female"
MIN_N["neurons"] = dict(NEUR, lesion={"region": "cut", "at_h": 1},
                        toxin={"drug": "taxol", "EC50_nM": 10, "rate_per_h": 0.1})
MIN_N["pain"] = {"terms": [dict(TERM, sex="male")]}


def neur(edit):
    """MIN_N with edit applied (to the document)."""
    doc = copy.deepcopy(MIN_N)
    edit(doc)
    return doc


def nkey(**kw):
    """MIN_N with neurons keys set (None removes a key)."""
    def edit(d):
        d["neurons"].update(kw)
        for k in [k for k, v in kw.items() if v is None]:
            del d["neurons"][k]
    return neur(edit)


def pkey(**kw):
    """MIN_N with pain keys set."""
    return neur(lambda d: d["pain"].update(kw))


def term(**kw):
    """MIN_N with one pain term whose keys are set (None removes a key)."""
    t = dict(TERM, **kw)
    for k in [k for k, v in t.items() if v is None]:
        del t[k]
    return neur(lambda d: d["pain"].__setitem__("terms", [t]))


def pert(**kw):
    return bad(lambda d: d.__setitem__("perturbations", [kw]))


# Each is invalid for the schema and for the loader alike.
BAD = {
    "unknown top-level key": bad(lambda d: d.__setitem__("sed", 3)),
    "missing name": bad(lambda d: d.pop("name")),
    "bad name": bad(lambda d: d.__setitem__("name", "my scen")),
    "name too long": bad(lambda d: d.__setitem__("name", "a" * 48)),
    "negative seed": bad(lambda d: d.__setitem__("seed", -1)),
    "fractional seed": bad(lambda d: d.__setitem__("seed", 1.5)),
    "seed above 2^53-1": bad(lambda d: d.__setitem__("seed", 9007199254740992)),
    "missing time": bad(lambda d: d.pop("time")),
    "missing duration": bad(lambda d: d["time"].pop("duration_h")),
    "dt_min 0": bad(lambda d: d["time"].__setitem__("dt_min", 0)),
    "dt_min > 60": bad(lambda d: d["time"].__setitem__("dt_min", 61)),
    "duration > 8760": bad(lambda d: d["time"].__setitem__("duration_h", 9000)),
    "unknown time key": bad(lambda d: d["time"].__setitem__("duraton_h", 1)),
    "dt as string": bad(lambda d: d["time"].__setitem__("dt_min", "1")),
    "capacity factor 1": bad(lambda d: d.__setitem__("engine", {"agent_capacity_factor": 1})),
    "no mediators": bad(lambda d: d.__setitem__("mediators", [])),
    "25 mediators": bad(lambda d: d.__setitem__(
        "mediators", [{"name": "M%d" % i, "D_um2_per_s": 1} for i in range(25)])),
    "mediator without D": bad(lambda d: d["mediators"][0].pop("D_um2_per_s")),
    "negative half-life": bad(lambda d: d["mediators"][0].__setitem__("half_life_min", -1)),
    "kDa 0": bad(lambda d: d["mediators"][0].__setitem__("kDa", 0)),
    "radius 0": bad(lambda d: d["cell_types"][0].__setitem__("radius_um", 0)),
    "speed 101": bad(lambda d: d["cell_types"][0].__setitem__("speed_um_per_min", 101)),
    "chemotaxis without speed": bad(lambda d: d["cell_types"][0].__setitem__(
        "chemotaxis", {"mediator": "TNF"})),
    "chemotaxis Kd 0": bad(lambda d: d["cell_types"][0].__setitem__(
        "chemotaxis", {"mediator": "TNF", "speed_um_per_min": 1, "Kd_nM": 0})),
    "empty states": bad(lambda d: d["cell_types"][0].__setitem__("states", [])),
    "7 states": bad(lambda d: d["cell_types"][0].__setitem__(
        "states", [{"name": "s%d" % i} for i in range(7)])),
    "negative secretion": bad(lambda d: d["cell_types"][0].__setitem__(
        "states", [{"name": "s", "secretion_molecules_per_min": {"TNF": -1}}])),
    "secretion above 1e9": bad(lambda d: d["cell_types"][0].__setitem__(
        "states", [{"name": "s", "uptake_um3_per_min": {"TNF": 2e9}}])),
    "no tissues": bad(lambda d: d.__setitem__("tissues", [])),
    "size of 2": bad(lambda d: d["tissues"][0].__setitem__("size_um", [100, 100])),
    "size 0": bad(lambda d: d["tissues"][0].__setitem__("size_um", [0, 100, 20])),
    "voxel 0": bad(lambda d: d["tissues"][0].__setitem__("voxel_um", 0)),
    "tortuosity 0.5": bad(lambda d: d["tissues"][0].__setitem__("tortuosity", 0.5)),
    "field unknown key": bad(lambda d: d["tissues"][0].__setitem__("fields", {"TNF": {"D": 1}})),
    "initial above 1e6": bad(lambda d: d["tissues"][0].__setitem__(
        "fields", {"TNF": {"initial_nM": 2e6}})),
    "bad boundary type": bad(lambda d: d["tissues"][0].__setitem__(
        "fields", {"TNF": {"boundary": {"x_min": {"type": "fixd"}}}})),
    "fixed without value": bad(lambda d: d["tissues"][0].__setitem__(
        "fields", {"TNF": {"boundary": {"all": {"type": "fixed"}}}})),
    "no_flux with value": bad(lambda d: d["tissues"][0].__setitem__(
        "fields", {"TNF": {"boundary": {"all": {"type": "no_flux", "value_nM": 1}}}})),
    "unknown face": bad(lambda d: d["tissues"][0].__setitem__(
        "fields", {"TNF": {"boundary": {"x_mn": {"type": "no_flux"}}}})),
    "bad shape": bad(region(shape="cone")),
    "box with radius": bad(region(shape="box", min_um=[0, 0, 0], max_um=[50, 50, 10], radius_um=3)),
    "sphere with min_um": bad(region(shape="sphere", center_um=[5, 5, 5], radius_um=5, min_um=[0, 0, 0])),
    "sphere without radius": bad(region(shape="sphere", center_um=[5, 5, 5])),
    "cylinder without axis": bad(region(shape="cylinder", center_um=[5, 5, 5], radius_um=5, length_um=5)),
    "cylinder axis w": bad(region(shape="cylinder", center_um=[5, 5, 5], radius_um=5, axis="w",
                                  length_um=5)),
    "diffusion multiplier 0": bad(region(shape="sphere", center_um=[5, 5, 5], radius_um=5,
                                         diffusion_multiplier=0)),
    "negative source": bad(region(shape="sphere", center_um=[5, 5, 5], radius_um=5,
                                  sources_nM_per_min={"TNF": -1})),
    "fractional count": bad(lambda d: d["tissues"][0].__setitem__(
        "cells", [{"type": "m", "count": 2.5}])),
    "count above 1e9": bad(lambda d: d["tissues"][0].__setitem__(
        "cells", [{"type": "m", "count": 2000000000}])),
    "seeding without count": bad(lambda d: d["tissues"][0].__setitem__("cells", [{"type": "m"}])),
    "seeding unknown key": bad(lambda d: d["tissues"][0].__setitem__(
        "cells", [{"type": "m", "count": 1, "where": "r"}])),
    # mediators[i].jak
    "unknown JAK": bad(lambda d: d["mediators"][0].__setitem__("jak", ["JAK5"])),
    "JAK listed twice": bad(lambda d: d["mediators"][0].__setitem__("jak", ["JAK1", "JAK1"])),
    "jak as a string": bad(lambda d: d["mediators"][0].__setitem__("jak", "JAK1")),
    # cell_types[i].transitions, division_drivers, jak_stat3
    "transition without to": typ(states=AB, transitions=[{"from": "a"}]),
    "transition rate above 1000": typ(states=AB, transitions=[{"from": "a", "to": "b", "rate_per_h": 2000}]),
    "transition unknown key": typ(states=AB, transitions=[{"from": "a", "to": "b", "rate": 1}]),
    "pstat3 rate without jak_stat3": typ(states=AB, transitions=[{"from": "a", "to": "b",
                                                                  "pstat3_rate_per_h": 1}]),
    "9 transitions": typ(states=AB, transitions=[{"from": "a", "to": "b"}] * 9),
    "driver without rate": typ(states=AB, transitions=[{"from": "a", "to": "b", "drivers": [
        {"mediator": "TNF", "EC50_nM": 1}]}]),
    "driver EC50 0": typ(states=AB, transitions=[{"from": "a", "to": "b", "drivers": [
        {"mediator": "TNF", "EC50_nM": 0, "rate_per_h": 1}]}]),
    "driver hill 9": typ(states=AB, transitions=[{"from": "a", "to": "b", "drivers": [
        {"mediator": "TNF", "EC50_nM": 1, "hill": 9, "rate_per_h": 1}]}]),
    "7 drivers": typ(states=AB, transitions=[{"from": "a", "to": "b", "drivers": [
        {"mediator": "TNF", "EC50_nM": 1, "rate_per_h": 1}] * 7}]),
    "driver via an unknown JAK": typ(states=AB, transitions=[{"from": "a", "to": "b", "drivers": [
        {"mediator": "TNF", "EC50_nM": 1, "rate_per_h": 1, "via_jak": "JAK9"}]}]),
    "inhibitor IC50 0": typ(states=AB, transitions=[{"from": "a", "to": "b", "inhibitors": [
        {"mediator": "TNF", "IC50_nM": 0}]}]),
    "inhibitor with EC50": typ(states=AB, transitions=[{"from": "a", "to": "b", "inhibitors": [
        {"mediator": "TNF", "EC50_nM": 1}]}]),
    "division driver rate 200": typ(division_drivers=[{"mediator": "TNF", "EC50_nM": 1, "rate_per_h": 200}]),
    "jak_stat3 without activators": typ(jak_stat3={}),
    "jak_stat3 empty activators": typ(jak_stat3={"activators": []}),
    "activator with a rate": typ(jak_stat3={"activators": [{"mediator": "TNF", "EC50_nM": 1, "rate_per_h": 1}]}),
    "k_on 0": typ(jak_stat3={"activators": ACT, "k_on_per_min": 0}),
    "socs_decay 0": typ(jak_stat3={"activators": ACT, "socs_decay_per_min": 0}),
    "socs_K above 1000": typ(jak_stat3={"activators": ACT, "socs_K": 2000}),
    "jak_stat3 inhibitor without IC50": typ(jak_stat3={"activators": ACT, "inhibitor": {"mediator": "TNF"}}),
    "secretion gain above 1000": typ(jak_stat3={"activators": ACT, "secretion_gain": {"TNF": 2000}}),
    "jak_stat3 unknown key": typ(jak_stat3={"activators": ACT, "k_of_per_min": 1}),
    # drugs
    "drug without doses": drug(doses=None),
    "drug ic50 not an object": drug(ic50_nM=[56]),
    # sex, neurons, pain
    "sex not an enum": bad(lambda d: d.__setitem__("sex", "m")),
    "sex a number": bad(lambda d: d.__setitem__("sex", 1)),
    "pain without neurons": bad(lambda d: d.__setitem__("pain", {})),
    "pain without neurons (with terms)": neur(lambda d: d.pop("neurons")),
    "neurons not an object": neur(lambda d: d.__setitem__("neurons", [])),
    "neurons without soma": nkey(soma=None),
    "neurons without count": nkey(count=None),
    "neurons count 0": nkey(count=0),
    "neurons count 1.5": nkey(count=1.5),
    "neurons count 10^7+1": nkey(count=10000001),
    "neurons unknown key": nkey(delay_h=3),
    "compartment without type": nkey(central={"tissue": "skin"}),
    "compartment without tissue": nkey(central={"type": "n"}),
    "compartment unknown key": nkey(peripheral=dict(COMP, regoin="cut")),
    "compartment not an object": nkey(soma="skin"),
    "transport delay 0": nkey(transport_delay_h=0),
    "transport delay 1001": nkey(transport_delay_h=1001),
    "repair negative": nkey(repair_per_h=-1),
    "repair 101": nkey(repair_per_h=101),
    "lesion without region": nkey(lesion={"at_h": 1}),
    "lesion negative at_h": nkey(lesion={"region": "cut", "at_h": -1}),
    "lesion unknown key": nkey(lesion={"region": "cut", "at": 1}),
    "toxin without drug": nkey(toxin={"EC50_nM": 1, "rate_per_h": 1}),
    "toxin without EC50": nkey(toxin={"drug": "taxol", "rate_per_h": 1}),
    "toxin without rate": nkey(toxin={"drug": "taxol", "EC50_nM": 1}),
    "toxin EC50 0": nkey(toxin={"drug": "taxol", "EC50_nM": 0, "rate_per_h": 1}),
    "toxin rate 101": nkey(toxin={"drug": "taxol", "EC50_nM": 1, "rate_per_h": 101}),
    "toxin unknown key": nkey(toxin={"drug": "taxol", "EC50_nM": 1, "rate_per_h": 1, "hill": 2}),
    "pain unknown key": pkey(baseline_threshold=3),
    "pain baseline 0": pkey(baseline_threshold_g=0),
    "pain baseline 301": pkey(baseline_threshold_g=301),
    "pain time constant 0": pkey(time_constant_h=0),
    "pain injury weight negative": pkey(injury_weight=-1),
    "pain injury weight 101": pkey(injury_weight=101),
    "pain terms not an array": pkey(terms={}),
    "25 pain terms": pkey(terms=[TERM] * 25),
    "pain term bad site": term(site="centre"),
    "pain term without site": term(site=None),
    "pain term without mediator": term(mediator=None),
    "pain term without EC50": term(EC50_nM=None),
    "pain term without weight": term(weight=None),
    "pain term EC50 0": term(EC50_nM=0),
    "pain term hill 9": term(hill=9),
    "pain term hill 0.05": term(hill=0.05),
    "pain term weight out of range": term(weight=200),
    "pain term weight below -100": term(weight=-101),
    "pain term bad sex": term(sex="females"),
    "pain term unknown key": term(Sex="male"),
    "recruitment negative rate": bad(lambda d: d["tissues"][0].__setitem__(
        "recruitment", [{"type": "m", "rate_per_mm3_per_h": -1}])),
    "recruitment barrier above 1": bad(lambda d: d["tissues"][0].__setitem__(
        "recruitment", [{"type": "m", "rate_per_mm3_per_h": 1, "barrier_permeability": 2}])),
    "drug unknown JAK": drug(ic50_nM={"JAK4": 1}),
    "drug IC50 0": drug(ic50_nM={"JAK1": 0}),
    "bioavailability 1.5": drug(bioavailability=1.5),
    "bioavailability 0": drug(bioavailability=0),
    "Vd 0": drug(Vd_L_per_kg=0),
    "route oral": drug(route="oral"),
    "intrathecal without tissue_fraction": drug(route="intrathecal"),
    "intrathecal with empty tissue_fraction": drug(route="intrathecal", tissue_fraction={}),
    "tissue fraction 1.5": drug(tissue_fraction={"skin": 1.5}),
    "empty doses": drug(doses=[]),
    "9 doses": drug(doses=[{"start_h": 0, "mg_per_kg": 1}] * 9),
    "dose count 0": drug(doses=[{"start_h": 0, "mg_per_kg": 1, "count": 0}]),
    "dose count 1.5": drug(doses=[{"start_h": 0, "mg_per_kg": 1, "count": 1.5}]),
    "dose every 0 h": drug(doses=[{"start_h": 0, "mg_per_kg": 1, "every_h": 0}]),
    "dose without mg_per_kg": drug(doses=[{"start_h": 0}]),
    "dose negative start": drug(doses=[{"start_h": -1, "mg_per_kg": 1}]),
    "drug unknown key": drug(dose_mg=5),
    "5 drugs": bad(lambda d: d.__setitem__("drugs", [dict(DRUG, name="d%d" % i) for i in range(5)])),
    # perturbations
    "perturbation without kind": pert(type="m", rate_per_h=1),
    "perturbation kind typo": pert(kind="knockot", type="m", mediator="TNF"),
    "depletion with fraction": pert(kind="depletion", type="m", rate_per_h=1, fraction=0.5),
    "depletion without rate": pert(kind="depletion", type="m"),
    "depletion rate 0": pert(kind="depletion", type="m", rate_per_h=0),
    "knockout with rate": pert(kind="knockout", type="m", mediator="TNF", rate_per_h=1),
    "knockout without mediator": pert(kind="knockout", type="m"),
    "receptor block with type": pert(kind="receptor_block", type="m", mediator="TNF", fraction=0.5),
    "receptor block fraction 1.2": pert(kind="receptor_block", mediator="TNF", fraction=1.2),
    "receptor block without fraction": pert(kind="receptor_block", mediator="TNF"),
    "perturbation negative start": pert(kind="receptor_block", mediator="TNF", fraction=1, start_h=-1),
    "perturbation unknown key": pert(kind="receptor_block", mediator="TNF", fraction=1, strat_h=1),
}


def main():
    with open(SCHEMA, encoding="utf-8") as f:
        schema = json.load(f)
    cls = jsonschema.Draft7Validator
    try:
        cls.check_schema(schema)
        check(True, "")
    except jsonschema.SchemaError as e:
        check(False, "schema.json is not a valid draft-07 schema: %s" % e.message)
        print("check_schema: %d passed, %d failed" % (passed, failed))
        return 1
    validator = cls(schema)
    have_loader = os.access(LOADER, os.X_OK)
    if not have_loader:
        print("check_schema: note: %s not built; checking the schema only" % os.path.relpath(LOADER, ROOT))

    files = sorted(p for p in glob.glob(os.path.join(ROOT, "scenarios", "*.json"))
                   if os.path.basename(p) != "schema.json")
    files += sorted(glob.glob(os.path.join(ROOT, "scenarios", "scale", "*.json")))
    files += sorted(glob.glob(os.path.join(ROOT, "tests", "data", "scenario_*.json")))
    check(len(files) > 0, "no scenario files found")
    for path in files:
        rel = os.path.relpath(path, ROOT)
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        errs = schema_errors(validator, doc)
        check(not errs, "%s: schema: %s" % (rel, "; ".join(
            "%s: %s" % ("/".join(map(str, e.absolute_path)), e.message) for e in errs[:3])))
        if not have_loader:
            continue
        rc, out, err = loader_resolve(rel)
        check(rc == 0, "%s: the loader refuses it: %s" % (rel, err.strip()))
        if rc != 0:
            continue
        resolved = json.loads(out)
        errs = schema_errors(validator, resolved)
        check(not errs, "%s: resolved JSON fails the schema: %s" % (rel, "; ".join(
            "%s: %s" % ("/".join(map(str, e.absolute_path)), e.message) for e in errs[:3])))

    # The base of the bad documents must itself be valid, or the checks prove nothing.
    check(not schema_errors(validator, MIN), "the base document of the bad cases fails the schema")
    check(not schema_errors(validator, MIN_N), "the neurons base document of the bad cases fails the schema")
    with tempfile.TemporaryDirectory() as tmp:
        if have_loader:
            base = os.path.join(tmp, "base.json")
            with open(base, "w", encoding="utf-8") as f:
                json.dump(MIN, f)
            rc, _, err = loader_resolve(base)
            check(rc == 0, "the loader refuses the base document of the bad cases: %s" % err.strip())
            with open(base, "w", encoding="utf-8") as f:
                json.dump(MIN_N, f)
            rc, _, err = loader_resolve(base)
            check(rc == 0, "the loader refuses the neurons base document of the bad cases: %s" % err.strip())
        for what, doc in BAD.items():
            check(bool(schema_errors(validator, doc)), "schema accepts a bad document: %s" % what)
            if have_loader:
                path = os.path.join(tmp, "bad.json")
                with open(path, "w", encoding="utf-8") as f:
                    json.dump(doc, f)
                rc, _, err = loader_resolve(path)
                check(rc != 0 and err.strip() != "", "loader accepts a bad document: %s" % what)

    print("check_schema: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
