"""validate.py — run the shipped biology scenarios and check their time courses against
the literature (shared biology.md §3), writing a report table to the run folder.

    /usr/bin/python3 tests/validate.py [--out runs/validate] [--seeds 1,2] [--fast]

Each scenario runs once per seed (bin/painsim on the default device); every check is
made on the mean over seeds of the summary time series (6-hourly rows) and reported as:
check, expected, measured, pass — in OUT/report.md and OUT/report.csv. The expected
windows and their reasons are listed in scenarios/README.md ("Validation").

--fast is the subset that `make test` runs: nerve injury and sham over their first
4 days at the shipped size, one seed (about a minute on 2 cores).

Variants are made from the shipped files, never edited in place: the CD8-depleted CIPN
run adds a depletion perturbation to cipn.json (written to OUT/cipn_cd8_depleted.json),
the low-dose JAK run uses --set on the dose, the female run --set sex=female.
Exit status 1 when any check fails.
"""
import argparse
import csv
import json
import os
import subprocess
import sys

import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("--out", default="runs/validate")
ap.add_argument("--seeds", default="1,2")
ap.add_argument("--fast", action="store_true")
ap.add_argument("--painsim", default="bin/painsim")
args = ap.parse_args()
seeds = [int(s) for s in args.seeds.split(",")]
if args.fast:
    seeds = seeds[:1]
os.makedirs(args.out, exist_ok=True)

LOW_DOSE = 0.01      # mg/kg of baricitinib; the shipped dose is 0.1 mg/kg


def run(scenario, tag, sets=()):
    """Runs scenario for every seed; returns {column: mean over seeds (array)}."""
    tables = []
    for seed in seeds:
        out = f"{args.out}/{tag}_s{seed}"
        cmd = [args.painsim, "run", scenario, "--out", out, "--force", "--quiet", "--seed", str(seed)]
        for s in sets:
            cmd += ["--set", s]
        if args.fast:
            cmd += ["--set", "time.duration_h=96"]
        print("validate:", " ".join(cmd), flush=True)
        subprocess.run(cmd, check=True)
        with open(f"{out}/summary.csv") as f:
            rows = list(csv.DictReader(f))
        tables.append({k: np.array([float(r[k]) for r in rows]) for k in rows[0]})
    return {k: np.mean([t[k] for t in tables], axis=0) for k in tables[0]}


checks = []


def check(name, expected, measured, ok):
    """A check: ok None marks an informational row (not counted)."""
    checks.append((name, expected, measured, bool(ok)))
    print(f"  {'PASS' if ok else 'FAIL'}  {name}: expected {expected}; measured {measured}", flush=True)


def days(t):
    return t["time_h"] / 24.0


def peak_day(t, series):
    return float(days(t)[int(np.argmax(series))])


def at_day(t, series, d):
    return float(np.interp(d * 24.0, t["time_h"], series))


def window(t, d0, d1):
    return (days(t) >= d0) & (days(t) <= d1)


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
    act = ni["dorsal_horn.microglia.activated"] / np.maximum(mg, 1)
    ap_ = peak_day(ni, act)
    check("dorsal-horn microglia activation peaks at day 7-14", "6 <= peak day of the activated fraction <= 15",
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
    checks.append(("(information) nerve IL-17A level under the inhibitor", "not a check: IL-17A is JAK-independent, "
                   "but fewer Th17 cells enter when JAK-dependent CCL2 falls",
                   f"{il17(jak_hi):.3g} vs {il17(ni):.3g} nM ({100 * rel:+.0f} %)", None))

with open(f"{args.out}/report.md", "w") as f:
    f.write(f"Seeds: {', '.join(map(str, seeds))}{' (fast subset)' if args.fast else ''}; every value is "
            "the mean over seeds.\n\n")
    f.write("| check | expected | measured | pass |\n|---|---|---|---|\n")
    for c in checks:
        f.write(f"| {c[0]} | {c[1]} | {c[2]} | {'—' if c[3] is None else 'yes' if c[3] else 'NO'} |\n")
with open(f"{args.out}/report.csv", "w", newline="") as f:
    wcsv = csv.writer(f)
    wcsv.writerow(["check", "expected", "measured", "pass"])
    wcsv.writerows(checks)
counted = [c for c in checks if c[3] is not None]
npass = sum(bool(c[3]) for c in counted)
print(f"validate: {npass} passed, {len(counted) - npass} failed (report: {args.out}/report.md)")
sys.exit(0 if npass == len(counted) else 1)
