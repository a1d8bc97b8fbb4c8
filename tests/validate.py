"""validate.py — run the shipped biology scenarios and check their time courses against
the literature (shared biology.md §3), then the perturbation suite (published rodent
experiments, tests/validation_experiments.py) with its negative control, writing one
report table to the run folder.

    /usr/bin/python3 tests/validate.py [--out runs/validate] [--seeds 1,2,3] [--fast]
                                       [--only ID,...] [--jobs N] [--no-negative]
                                       [--preflight]

Time courses (the 21 checks "tc01".."tc21"): each scenario runs once per seed (bin/painsim
on the default device); every check is made on the mean over seeds of the summary time
series (6-hourly rows). The expected windows and their reasons are listed in
scenarios/README.md ("Validation").

--fast is the subset that `make test` runs: nerve injury and sham over their first
4 days at the shipped size, one seed (about a minute on 2 cores): the first three checks.

Perturbation suite: every record of validation_experiments.EXPERIMENTS is a treated run
built from a shipped file (variants are written to OUT/<id>.json, never edited in place;
--set for sex, duration and snapshots) compared, seed by seed, with an untreated run of
the same sex and seed. The untreated runs are shared: one male and one female
nerve-injury run per seed (the time courses' own runs when those are selected), plus the
CIPN run and sham for the magnitudes. Each treated run stops at the day its metric needs.
For each check the model's value is the mean over seeds with a 95 % t-interval (n - 1
degrees of freedom); it PASSES when the mean lies within published +- tolerance.

Negative control: the suite again with --set pain.immune_terms=false on every run (its own
untreated runs too). A suite that tests immune causality must mostly FAIL then; the report
prints "negative control: k of n checks fail" (n = the suite's pain checks; the magnitude
rows do not read the pain readout and are not counted) and the exit status is 1 when
fewer than half fail. Time-course checks are not part of the negative control.

--only ID,...   suite ids (see validation_experiments.IDS), or "timecourse" for the 21
                time-course checks; default: everything.
--jobs N        painsim runs in parallel (default 1; each run uses about one core).
--no-negative   skip the negative control (for quick checks of a subset).
--plan          list the runs (scenario, --set, duration) and the run-hours, and stop.
--preflight     run every distinct variant (one seed) just past its last start time and
                report which ones painsim rejects; no checks.

Exit status 1 when any counted check fails or the negative control fails to fail; 2 when
painsim rejects or fails a run (its message is printed: interface problems fail loudly).
"""
import argparse
import concurrent.futures as cf
import copy
import csv
import json
import math
import os
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import validation_experiments as VE  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--out", default="runs/validate")
ap.add_argument("--seeds", default="1,2,3")
ap.add_argument("--fast", action="store_true")
ap.add_argument("--painsim", default="bin/painsim")
ap.add_argument("--only", default="")
ap.add_argument("--jobs", type=int, default=1)
ap.add_argument("--no-negative", action="store_true")
ap.add_argument("--preflight", action="store_true")
ap.add_argument("--plan", action="store_true")
args = ap.parse_args()
seeds = [int(s) for s in args.seeds.split(",")]
if args.fast:
    seeds = seeds[:1]
os.makedirs(args.out, exist_ok=True)
T0 = time.time()

LOW_DOSE = 1         # mg/kg/day of baricitinib; the shipped dose is 50 mg/kg/day (scenarios/sweeps/jak_dose.json: ED50 of IL-6 signalling 0.87 in the DRG, 4.35 in the dorsal horn)
THR = "pain.withdrawal_threshold_g"
NEG_SET = "pain.immune_terms=false"
SCN = {"nerve_injury": "scenarios/nerve_injury.json", "sham": "scenarios/sham.json",
       "cipn": "scenarios/cipn.json", "jak_inhibition": "scenarios/jak_inhibition.json"}

only = [s for s in args.only.split(",") if s]
unknown = [s for s in only if s != "timecourse" and s not in VE.IDS]
if unknown:
    sys.exit(f"validate: unknown --only id(s): {', '.join(unknown)} (known: timecourse, {', '.join(VE.IDS)})")
do_tc = args.fast or not only or "timecourse" in only
suite = [] if args.fast else [r for r in VE.EXPERIMENTS if not only or r["id"] in only]
mags = [] if args.fast else [r for r in VE.MAGNITUDES if not only or r["id"] in only]
do_neg = bool(suite) and not args.no_negative


# ---- runs: registered first, then executed (in parallel with --jobs), then read -------
RUNS = {}       # tag -> dict(scenario, sets, duration_h)


def load_json(path):
    with open(path) as f:
        return json.load(f)


def need(tag, scenario, sets=(), duration_h=None):
    """Registers a run (every seed). duration_h None: the file's own; a longer duration
    asked for the same tag wins. Returns tag."""
    sets = list(sets)
    if tag in RUNS:
        r = RUNS[tag]
        if r["scenario"] != scenario or r["sets"] != sets:
            raise SystemExit(f"validate: internal error: run {tag} registered twice with different settings")
        if r["duration_h"] is not None and (duration_h is None or duration_h > r["duration_h"]):
            r["duration_h"] = duration_h
        return tag
    RUNS[tag] = dict(scenario=scenario, sets=sets, duration_h=duration_h)
    return tag


def command(tag, seed, duration_h=None, snapshots_off=False):
    r = RUNS[tag]
    out = f"{args.out}/{tag}_s{seed}"
    cmd = [args.painsim, "run", r["scenario"], "--out", out, "--force", "--quiet", "--seed", str(seed)]
    for s in r["sets"]:
        cmd += ["--set", s]
    dur = duration_h if duration_h is not None else r["duration_h"]
    if args.fast:
        cmd += ["--set", "time.duration_h=96"]
    elif dur is not None:
        cmd += ["--set", f"time.duration_h={dur:g}"]
        if snapshots_off or r.get("no_snapshots"):
            cmd += ["--set", f"time.snapshot_interval_h={dur:g}"]
    return cmd, out


LIVE = set()        # painsim processes running now (stopped when another run fails)


def run_one(cmd):
    t = time.time()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    LIVE.add(p)
    text, _ = p.communicate()
    LIVE.discard(p)
    return p.returncode, text, time.time() - t


def execute(jobs_list):
    """Runs [(tag, seed, cmd, out)], --jobs at a time; any failure stops everything (exit 2)."""
    timing = []
    with cf.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futs = {}
        for tag, seed, cmd, out in jobs_list:
            print("validate:", " ".join(cmd), flush=True)
            futs[pool.submit(run_one, cmd)] = (tag, seed, cmd)
        for fu in cf.as_completed(futs):
            tag, seed, cmd = futs[fu]
            rc, text, wall = fu.result()
            timing.append((tag, seed, round(wall, 1)))
            if rc != 0:
                for other in futs:
                    other.cancel()
                for p in list(LIVE):
                    p.terminate()
                sys.stderr.write(f"validate: painsim FAILED (exit {rc}) for run {tag} seed {seed}:\n  "
                                 f"{' '.join(cmd)}\n{text}\n"
                                 "validate: a rejected key or kind means the model does not have this part of "
                                 "the interface yet (see validation_experiments.py).\n")
                pool.shutdown(wait=True, cancel_futures=True)
                sys.exit(2)
    return timing


TABLES = {}


def table(tag, seed):
    key = (tag, seed)
    if key not in TABLES:
        with open(f"{args.out}/{tag}_s{seed}/summary.csv") as f:
            rows = list(csv.DictReader(f))
        TABLES[key] = {k: np.array([float(r[k]) for r in rows]) for k in rows[0]}
    return TABLES[key]


def col(t, name, tag=""):
    if name not in t:
        near = [k for k in t if k.split(".")[-1] == name.split(".")[-1]][:6]
        raise SystemExit(f"validate: column {name!r} missing from the summary of run {tag} "
                         f"(interface change?); similar: {near}")
    return t[name]


def run(scenario, tag, sets=()):
    """The time-course checks' accessor: {column: mean over seeds} of a registered run."""
    r = RUNS.get(tag)
    if r is None or r["scenario"] != scenario or r["sets"] != list(sets):
        raise SystemExit(f"validate: internal error: time-course run {tag} was not registered as used")
    tables = [table(tag, s) for s in seeds]
    n = min(len(t["time_h"]) for t in tables)
    return {k: np.mean([t[k][:n] for t in tables], axis=0) for k in tables[0]}


checks = []     # rows: dict(id, name, source, expected, measured, seeds, ok, neg)


def check(name, expected, measured, ok):
    """A time-course check: ok None marks an informational row (not counted)."""
    checks.append(dict(id=f"tc{sum(c['id'].startswith('tc') for c in checks) + 1:02d}", name=name,
                       source="biology.md §3", expected=expected, measured=measured,
                       seeds=len(seeds), ok=None if ok is None else bool(ok), neg="—"))
    print(f"  {'----' if ok is None else 'PASS' if ok else 'FAIL'}  {name}: expected {expected}; measured {measured}",
          flush=True)


def days(t):
    return t["time_h"] / 24.0


def peak_day(t, series):
    return float(days(t)[int(np.argmax(series))])


def at_day(t, series, d):
    return float(np.interp(d * 24.0, t["time_h"], series))


def window(t, d0, d1):
    return (days(t) >= d0) & (days(t) <= d1)


# ---- planning: every run the selected checks need ----------------------------------------
CONTROL = {("nerve_injury", "male"): ("nerve_injury", SCN["nerve_injury"], []),
           ("nerve_injury", "female"): ("nerve_injury_female", SCN["nerve_injury"], ["sex=female"]),
           ("cipn", "male"): ("cipn", SCN["cipn"], [])}


def cd8_variant():
    dep = load_json(SCN["cipn"])
    dep["name"] = "cipn_cd8_depleted"
    dep.setdefault("perturbations", []).append(
        {"kind": "depletion", "type": "cd8", "tissue": "drg", "start_h": 0, "rate_per_h": 10})
    path = f"{args.out}/cipn_cd8_depleted.json"
    with open(path, "w") as f:
        json.dump(dep, f, indent=2)
    return path


def need2(tag, scenario, sets, duration_h, neg):
    """A suite run in the positive (neg False) or negative-control arm."""
    if neg:
        t = need(tag + "__neg", scenario, list(sets) + [NEG_SET], duration_h)
    else:
        t = need(tag, scenario, sets, None if tag in TC_TAGS else duration_h)
    RUNS[t].setdefault("no_snapshots", t not in TC_TAGS)
    return t


def control_tag(base, sex, duration_h, neg):
    if (base, sex) not in CONTROL:
        raise SystemExit(f"validate: no shared control for {base}/{sex}")
    tag, scn, sets = CONTROL[(base, sex)]
    return need2(tag, scn, sets, duration_h, neg)


def variant(rec):
    """Writes the treated scenario of a suite record to OUT/<id>.json; returns (path, sets)."""
    r = rec["run"]
    scn = load_json(SCN[r["base"]])
    scn["name"] = rec["id"]
    scn["description"] = f"validation variant {rec['id']}: {rec['done']} ({rec['citation']})"
    if r.get("perturbations"):
        scn.setdefault("perturbations", []).extend(copy.deepcopy(r["perturbations"]))
    if r.get("drug"):
        scn = VE.DRUG_VARIANTS[r["drug"]](scn, load_json(SCN["jak_inhibition"]))
    path = f"{args.out}/{rec['id']}.json"
    with open(path, "w") as f:
        json.dump(scn, f, indent=2)
    return path, (["sex=female"] if r["sex"] == "female" else [])


def treated_tag(rec, neg):
    r = rec["run"]
    if r.get("reuse") == "cipn_cd8_depleted":
        return need2("cipn_cd8_depleted", cd8_variant(), [], r["duration_h"], neg)
    if r.get("shipped") == "jak_inhibition":
        return need2("jak_high", SCN["jak_inhibition"], [], r["duration_h"], neg)
    path, sets = variant(rec)
    return need2(rec["id"], path, sets, r["duration_h"], neg)


TC_TAGS = set()
if do_tc:
    need("nerve_injury", SCN["nerve_injury"])
    need("sham", SCN["sham"])
    if not args.fast:
        need("nerve_injury_female", SCN["nerve_injury"], ["sex=female"])
        need("cipn", SCN["cipn"])
        need("cipn_cd8_depleted", cd8_variant())
        need("jak_high", SCN["jak_inhibition"])
        need("jak_low", SCN["jak_inhibition"], [f"drugs.baricitinib.doses.0.mg_per_kg={LOW_DOSE}"])
    TC_TAGS = set(RUNS)

PAIRS = {}      # (id, neg) -> (treated tag, control tag)
for rec in suite:
    for neg in ([False, True] if do_neg else [False]):
        r = rec["run"]
        PAIRS[(rec["id"], neg)] = (treated_tag(rec, neg), control_tag(r["base"], r["sex"], r["duration_h"], neg))
for rec in mags:
    d_h = rec["metric"]["day"] * 24.0 + 6
    PAIRS[(rec["id"], False)] = (control_tag(rec["base"], "male", d_h, False),
                                 need2("sham", SCN["sham"], [], d_h, False))

print(f"validate: {len(RUNS)} runs x {len(seeds)} seeds; suite {len(suite)} checks, magnitudes {len(mags)}, "
      f"time courses {'yes' if do_tc else 'no'}, negative control {'yes' if do_neg else 'no'}", flush=True)


def planned_hours(tag):
    r = RUNS[tag]
    if args.fast:
        return 96.0
    return r["duration_h"] if r["duration_h"] is not None else float(load_json(r["scenario"])["time"]["duration_h"])


if args.plan:
    for tag, r in RUNS.items():
        print(f"  {tag}: {r['scenario']} {' '.join('--set ' + x for x in r['sets'])} "
              f"({planned_hours(tag) / 24:g} days{', no snapshots' if r.get('no_snapshots') else ''})")
    print(f"validate: {len(RUNS)} runs x {len(seeds)} seeds = "
          f"{sum(planned_hours(t) for t in RUNS) * len(seeds) / 24:.0f} simulated days")
    sys.exit(0)

if args.preflight:
    bad = []
    jobs = []
    for tag, r in RUNS.items():
        scn = load_json(r["scenario"])
        starts = [p.get("start_h", 0) for p in scn.get("perturbations", [])]
        starts += [d["start_h"] for dr in scn.get("drugs", []) for d in dr["doses"]]
        dur = max(starts + [0]) + 6
        cmd, _ = command(tag, seeds[0], dur, snapshots_off=True)
        cmd[cmd.index("--out") + 1] = f"{args.out}/preflight/{tag}"
        jobs.append((tag, cmd))
    with cf.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        res = list(pool.map(lambda j: (j[0], j[1], run_one(j[1])), jobs))
    for tag, cmd, (rc, text, wall) in res:
        print(f"  {'OK      ' if rc == 0 else 'REJECTED'} {tag} ({wall:.0f} s)")
        if rc != 0:
            bad.append(tag)
            print("    " + " ".join(cmd) + "\n    " + "\n    ".join(text.strip().splitlines()[-4:]))
    print(f"validate: preflight: {len(jobs) - len(bad)} of {len(jobs)} runs accepted")
    sys.exit(1 if bad else 0)

jobs = sorted(((tag, s) for tag in RUNS for s in seeds), key=lambda ts: -planned_hours(ts[0]))
timing = execute([(tag, s) + command(tag, s) for tag, s in jobs])
with open(f"{args.out}/timing.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["run", "seed", "wall_s"])
    w.writerows(sorted(timing))
T_RUNS = time.time() - T0
print(f"validate: {len(timing)} painsim runs in {T_RUNS:.0f} s wall ({sum(t[2] for t in timing):.0f} s of runs, "
      f"--jobs {args.jobs})", flush=True)


# ---- the 21 time-course checks (as before; on the mean over seeds) ------------------------
def timecourse():
    ni = run("scenarios/nerve_injury.json", "nerve_injury")
    sham = run("scenarios/sham.json", "sham")
    thr = ni["pain.withdrawal_threshold_g"]
    base = float(thr[0])

    pn = peak_day(ni, ni["nerve.neutrophil"])
    check("nerve neutrophils peak within about a day", "peak day <= 1.5", f"day {pn:.2f}", pn <= 1.5)
    t3 = at_day(ni, thr, 3)
    check("withdrawal threshold falls by more than half by day 1-3", "< 0.5 x baseline at day 3",
          f"{t3 / base:.2f} x ({t3:.2f} g of {base:.2f} g)", t3 < 0.5 * base)
    smin = float(sham["pain.withdrawal_threshold_g"].min())
    check("sham stays at baseline", "> 0.9 x baseline throughout", f"min {smin / base:.2f} x", smin > 0.9 * base)

    if not args.fast:
        pm = peak_day(ni, ni["nerve.macrophage"])
        check("nerve neutrophils fall before nerve macrophages peak", "neutrophil peak day < macrophage peak day",
              f"{pn:.2f} < {pm:.2f}", pn < pm)
        check("nerve macrophages peak at day 3-7", "3 <= peak day <= 7", f"day {pm:.2f}", 3 <= pm <= 7)
        dm = ni["drg.macrophage"]
        d0, d1, d3 = (at_day(ni, dm, d) for d in (0, 1, 3))
        check("DRG macrophages rise from about day 2", "day 1 < 1.25 x day 0 and day 3 > 1.5 x day 0",
              f"day 1 {d1 / d0:.2f} x, day 3 {d3 / d0:.2f} x", d1 < 1.25 * d0 and d3 > 1.5 * d0)
        dres = at_day(ni, ni["drg.macrophage.resolving"] + ni["drg.macrophage.alternative"], 14)
        dall = at_day(ni, dm, 14)
        check("DRG macrophages mostly of a resolving phenotype", "resolving + alternative > 50 % at day 14",
              f"{100 * dres / dall:.0f} %", dres > 0.5 * dall)
        mg = ni["dorsal_horn.microglia"]
        growth = np.gradient(mg, ni["time_h"])
        gp = peak_day(ni, growth)
        check("dorsal-horn microglia proliferation peaks around day 2 (40-60 h)", "1 <= day of fastest growth <= 3.5",
              f"day {gp:.2f}", 1 <= gp <= 3.5)
        g7 = float(growth[window(ni, 7, 28)].max()) / float(growth.max())
        check("and is over by day 7", "growth rate after day 7 < 25 % of its peak", f"{100 * g7:.0f} %", g7 < 0.25)
        # activated = not resting: the activated state and the P2X4 "reactive" state (which also releases BDNF)
        act = (mg - ni["dorsal_horn.microglia.resting"]) / np.maximum(mg, 1)
        ap_ = peak_day(ni, act)
        check("dorsal-horn microglia activation peaks at day 7-14", "6 <= peak day of the activated (non-resting) fraction <= 15",
              f"day {ap_:.2f}", 6 <= ap_ <= 15)
        tc = ni["nerve.th17"] + ni["nerve.treg"] + ni["drg.cd8"] + ni["drg.th17"]
        tp = peak_day(ni, tc)
        check("T cells peak around day 7", "5 <= peak day <= 10 (nerve + DRG)", f"day {tp:.2f}", 5 <= tp <= 10)
        late = float(thr[window(ni, 3, 28)].max())
        check("allodynia stays through day 28", "< 0.5 x baseline for days 3-28", f"max {late / base:.2f} x",
              late < 0.5 * base)

        fem = run("scenarios/nerve_injury.json", "nerve_injury_female", ["sex=female"])
        tf = at_day(fem, fem["nerve.th17"] + fem["nerve.treg"] + fem["drg.cd8"] + fem["drg.th17"], 7)
        tm = at_day(ni, tc, 7)
        check("females have about twice as many T cells", "female / male at day 7 in [1.5, 2.5]",
              f"{tf / tm:.2f}", 1.5 <= tf / tm <= 2.5)
        fthr = float(fem["pain.withdrawal_threshold_g"][window(fem, 3, 28)].max())
        check("females develop allodynia too", "< 0.5 x baseline for days 3-28", f"max {fthr / base:.2f} x",
              fthr < 0.5 * base)

        cipn = run("scenarios/cipn.json", "cipn")
        with open("scenarios/cipn.json") as f:
            dep = json.load(f)
        dep["name"] = "cipn_cd8_depleted"
        dep.setdefault("perturbations", []).append(
            {"kind": "depletion", "type": "cd8", "tissue": "drg", "start_h": 0, "rate_per_h": 10})
        dep_path = f"{args.out}/cipn_cd8_depleted.json"
        with open(dep_path, "w") as f:
            json.dump(dep, f, indent=2)
        cipn_cd8 = run(dep_path, "cipn_cd8_depleted")
        cthr, dthr = cipn["pain.withdrawal_threshold_g"], cipn_cd8["pain.withdrawal_threshold_g"]
        cb = float(cthr[0])
        cmin = float(cthr.min())
        check("CIPN causes allodynia", "min threshold < 0.5 x baseline", f"{cmin / cb:.2f} x on day "
              f"{peak_day(cipn, -cthr):.1f}", cmin < 0.5 * cb)
        c28, c35 = at_day(cipn, cthr, 28), at_day(cipn, cthr, 35)
        check("CIPN allodynia resolves within about 3-4 weeks", "> 0.7 x baseline at day 28 and > 0.8 x at day 35",
              f"{c28 / cb:.2f} x, {c35 / cb:.2f} x", c28 > 0.7 * cb and c35 > 0.8 * cb)
        d28 = at_day(cipn_cd8, dthr, 28)
        check("and fails to resolve without CD8 T cells", "< 0.5 x baseline at day 28 (CD8 depleted in the DRG)",
              f"{d28 / cb:.2f} x", d28 < 0.5 * cb)
        dr6, dr10, dr0 = (at_day(cipn, cipn["drg.macrophage"], d) for d in (6, 10, 0))
        check("CIPN: DRG macrophages rise by day 6-10", "day 10 > 2 x day 0", f"day 6 {dr6 / dr0:.2f} x, day 10 "
              f"{dr10 / dr0:.2f} x", dr10 > 2 * dr0)

        jak_hi = run("scenarios/jak_inhibition.json", "jak_high")
        jak_lo = run("scenarios/jak_inhibition.json", "jak_low", [f"drugs.baricitinib.doses.0.mg_per_kg={LOW_DOSE}"])
        w = window(ni, 10, 28)
        il6 = lambda t: float(t["dorsal_horn.IL6.mean_nM"][w].mean())
        pain = lambda t: float(t["pain.index"][w].mean())
        il17 = lambda t: float(t["nerve.IL17A.mean_nM"][w].mean())
        check("JAK inhibitor lowers IL-6", "high dose < low dose < untreated (dorsal horn, mean of days 10-28)",
              f"{il6(jak_hi):.3g} < {il6(jak_lo):.3g} < {il6(ni):.3g} nM", il6(jak_hi) < il6(jak_lo) < il6(ni))
        check("JAK inhibitor lowers pain, more at the higher dose", "pain index high < low < untreated (days 10-28)",
              f"{pain(jak_hi):.3f} < {pain(jak_lo):.3f} < {pain(ni):.3f}", pain(jak_hi) < pain(jak_lo) < pain(ni))
        tissues = sorted({k.split(".")[0] for k in jak_hi if k.endswith(".signal_kept")})
        dosing = window(jak_hi, 7.5, 27)
        k17 = min(float(jak_hi[f"{t}.IL17A.signal_kept"][dosing].min()) for t in tissues)
        k6 = max(float(jak_hi[f"{t}.IL6.signal_kept"][dosing].max()) for t in tissues)
        check("IL-17A signalling is untouched by the JAK inhibitor while IL-6 signalling is blocked",
              "IL-17A signal kept = 1 in every tissue; IL-6 signal kept < 0.1 (device J, days 7.5-27, high dose)",
              f"IL-17A min {k17:.6f}, IL-6 max {k6:.4f}", k17 == 1.0 and k6 < 0.1)
        rel = (il17(jak_hi) - il17(ni)) / max(il17(ni), 1e-12)
        check("(information) nerve IL-17A level under the inhibitor", "not a check: IL-17A is JAK-independent, "
              "but fewer Th17 cells enter when JAK-dependent CCL2 falls",
              f"{il17(jak_hi):.3g} vs {il17(ni):.3g} nM ({100 * rel:+.0f} %)", None)



# ---- the perturbation suite ----------------------------------------------------------------
TQ = {}


def tq(n):
    if n not in TQ:
        try:
            from scipy.stats import t as student
            TQ[n] = float(student.ppf(0.975, n - 1))
        except ImportError:   # two-sided 95 % quantiles, n - 1 = 1..10
            TQ[n] = [math.nan, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228][min(n - 1, 10)]
    return TQ[n]


def thr_at(t, d):
    return at_day(t, t[THR], d)


def thr_mean(t, d0, d1):
    return float(np.mean([thr_at(t, d) for d in np.arange(d0, d1 + 1e-9, 0.25)]))


def seed_value(rec, tt, tc):
    """The metric of one seed: tt treated (or, for magnitudes, the injured control), tc its
    reference (the untreated control; for magnitudes sham)."""
    m = rec["metric"]
    k = m["kind"]
    if k in ("effect", "recovery_lost"):
        col(tt, THR), col(tc, THR)
        base = float(tc[THR][0])
        if "window" in m:
            c, t = thr_mean(tc, *m["window"]), thr_mean(tt, *m["window"])
            end = m["window"][1]
        else:
            c, t, end = thr_at(tc, m["day"]), thr_at(tt, m["day"]), m["day"]
        if max(days(tt)[-1], 0) + 1e-6 < end or days(tc)[-1] + 1e-6 < end:
            raise SystemExit(f"validate: {rec['id']}: a run ends before day {end}")
        if k == "effect":
            den = base - c
            return math.nan if den < 0.05 * base else (t - c) / den
        cmin = float(tc[THR][days(tc) <= end].min())
        den = c - cmin
        return math.nan if den < 0.05 * base else (c - t) / den
    if k == "fold":
        a, b = at_day(tt, col(tt, rec["column"]), m["day"]), at_day(tc, col(tc, rec["column"]), m["day"])
        return math.nan if b <= 0 else a / b
    if k == "pg_per_mL":
        kda = {x["name"]: x["kDa"] for x in load_json(SCN[rec["base"]])["mediators"]}
        if rec["mediator"] not in kda:
            raise SystemExit(f"validate: {rec['id']}: mediator {rec['mediator']} has no kDa in {SCN[rec['base']]}")
        return at_day(tt, col(tt, rec["column"]), m["day"]) * kda[rec["mediator"]] * 1000.0
    raise SystemExit(f"validate: {rec['id']}: unknown metric kind {k}")


def evaluate(rec, neg):
    tt_tag, tc_tag = PAIRS[(rec["id"], neg)]
    v = np.array([seed_value(rec, table(tt_tag, s), table(tc_tag, s)) for s in seeds])
    mean = float(np.mean(v))
    half = tq(len(v)) * float(np.std(v, ddof=1)) / math.sqrt(len(v)) if len(v) > 1 else math.nan
    win = VE.window_of(rec)
    ok = None if win is None else bool(not math.isnan(mean) and win[0] <= mean <= win[1])
    return mean, half, ok, v


def fmt(mean, half, kind="effect"):
    if math.isnan(mean):
        return ("n/a (undefined: the reference is 0)" if kind == "fold" else
                "n/a (undefined: no allodynia, or no recovery, in the control)")
    return f"{mean:.3g} [{mean - half:.3g}, {mean + half:.3g}]" if not math.isnan(half) else f"{mean:.3g}"


if do_tc:
    timecourse()

neg_rows = []
for rec in suite + mags:
    mean, half, ok, v = evaluate(rec, False)
    neg = "n/a"
    if do_neg and rec in suite:
        nm, nh, nok, _ = evaluate(rec, True)
        neg = ("pass" if nok else "FAIL") + f" ({fmt(nm, nh, rec['metric']['kind'])})"
        neg_rows.append((rec["id"], nok, bool(rec.get("null"))))
    name = rec["id"] + (f" — {rec['done']}" if "done" in rec else f" — {rec['column']} {rec['metric']['kind']} "
                                                                  f"at day {rec['metric']['day']:g}")
    metric = rec["metric"]
    mtxt = (f"{metric['kind']} at day {metric['day']:g}" if "day" in metric
            else f"{metric['kind']} over days {metric['window'][0]}-{metric['window'][1]}")
    checks.append(dict(id=rec["id"], name=name, source=f"{rec['citation']}, {rec['figure']} [{rec['verified']}]",
                       expected=f"{mtxt}: {VE.published_text(rec)}", measured=fmt(mean, half, metric["kind"]),
                       seeds=len(seeds), ok=ok, neg=neg))
    print(f"  {'PASS' if ok else '----' if ok is None else 'FAIL'}  {rec['id']}: {mtxt} published "
          f"{VE.published_text(rec)}; model {fmt(mean, half, metric['kind'])} (seeds {', '.join(f'{x:.3g}' for x in v)}); "
          f"negative control {neg}", flush=True)

neg_ok = True
if neg_rows:
    k = sum(1 for r in neg_rows if not r[1])
    n = len(neg_rows)
    neg_ok = k * 2 >= n
    neg_line = (f"negative control: {k} of {n} checks fail (pain.immune_terms=false on every run; "
                f"{sum(1 for r in neg_rows if r[2])} of the {n} expect no effect and should pass) — "
                f"{'the suite tests immune causality' if neg_ok else 'FEWER THAN HALF FAIL: the suite does not test immune causality'}")
    print(neg_line, flush=True)

with open(f"{args.out}/report.md", "w") as f:
    f.write(f"Seeds: {', '.join(map(str, seeds))}{' (fast subset)' if args.fast else ''}. Time courses (tc..) are "
            "checked on the mean over seeds; suite rows give the mean over seeds and its 95 % t-interval, "
            "and pass when the mean lies within published ± tolerance. Wall time of the runs: "
            f"{T_RUNS:.0f} s (--jobs {args.jobs}).\n\n")
    f.write("| check | source | published ± tolerance | model mean [95 % CI] | seeds | pass | negative control |\n"
            "|---|---|---|---|---|---|---|\n")
    for c in checks:
        f.write(f"| {c['id']}: {c['name']} | {c['source']} | {c['expected']} | {c['measured']} | {c['seeds']} | "
                f"{'—' if c['ok'] is None else 'yes' if c['ok'] else 'NO'} | {c['neg']} |\n")
    if neg_rows:
        f.write(f"\n{neg_line}\n")
with open(f"{args.out}/report.csv", "w", newline="") as f:
    wcsv = csv.writer(f)
    wcsv.writerow(["id", "check", "source", "expected", "measured", "seeds", "pass", "negative_control"])
    for c in checks:
        wcsv.writerow([c["id"], c["name"], c["source"], c["expected"], c["measured"], c["seeds"],
                       "" if c["ok"] is None else c["ok"], c["neg"]])
counted = [c for c in checks if c["ok"] is not None]
npass = sum(bool(c["ok"]) for c in counted)
print(f"validate: {npass} passed, {len(counted) - npass} failed (report: {args.out}/report.md); "
      f"{time.time() - T0:.0f} s in all")
sys.exit(0 if npass == len(counted) and neg_ok else 1)
