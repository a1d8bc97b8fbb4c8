#!/usr/bin/python3
"""dose_response.py — the dose-response of a one-parameter painsim sweep and its ED50.

Usage:
    /usr/bin/python3 viz/dose_response.py SWEEP --control RUN [RUN ...]
        [--column pain.index] [--window 10,28] [--out FILE.csv]

SWEEP is a sweep folder (sweep.csv and members/); its one numeric parameter is the dose.
RUN are untreated runs of the same scenario (dose 0; several seeds are averaged). For each
dose the script takes the mean of COLUMN over the days of WINDOW in every completed
member (replicate seeds averaged) and the effect

    effect(dose) = (value_control - value_dose) / value_control

(the share of the untreated value removed; for pain.index, the share of pain relieved).
It prints the table, the direction of the response (relief or worsening, by the largest
|effect|), whether it is monotonic in dose, the maximal effect, and the ED50: the dose giving half the maximal effect, by linear interpolation in log(dose)
between the two doses that bracket it (undefined when no two doses do). Writes the table
to FILE.csv when asked. Exit status: 0, 2 bad input (missing columns, no completed member,
more than one numeric parameter), 3 file error.
"""
import argparse
import csv
import math
import os
import sys


def fail(code, msg):
    print(f"dose_response: {msg}", file=sys.stderr)
    sys.exit(code)


def window_mean(path, column, d0, d1):
    try:
        with open(path) as f:
            rows = list(csv.DictReader(f))
    except OSError as e:
        fail(3, f"{path}: {e.strerror}")
    if not rows or column not in rows[0]:
        fail(2, f"{path}: no column {column} (expected a painsim summary.csv with neurons)")
    vals = [float(r[column]) for r in rows if d0 <= float(r["time_h"]) / 24.0 <= d1]
    if not vals:
        fail(2, f"{path}: no rows between day {d0} and day {d1}")
    return sum(vals) / len(vals)


def main():
    ap = argparse.ArgumentParser(prog="dose_response", description=__doc__.split("\n")[0])
    ap.add_argument("sweep")
    ap.add_argument("--control", nargs="+", required=True, metavar="RUN")
    ap.add_argument("--column", default="pain.index")
    ap.add_argument("--window", default="10,28", help="days FROM,TO (inclusive)")
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    d0, d1 = (float(x) for x in a.window.split(","))
    table = os.path.join(a.sweep, "sweep.csv")
    try:
        with open(table) as f:
            members = list(csv.DictReader(f))
    except OSError as e:
        fail(3, f"{table}: {e.strerror}")
    cols = list(members[0].keys()) if members else []
    if "scenario" not in cols or "seed" not in cols:
        fail(2, f"{table}: expected the columns of a painsim sweep table (scenario ... seed)")
    params = cols[cols.index("scenario") + 1:cols.index("seed")]
    if len(params) != 1:
        fail(2, f"{table}: expected one varied parameter (the dose), got {len(params)}: {', '.join(params)}")
    key = params[0]
    by_dose = {}
    for m in members:
        if m.get("status") != "completed":
            continue
        mdir = os.path.join(a.sweep, m["dir"]) if m.get("dir") else None
        if not mdir or not os.path.isdir(mdir):
            fail(2, f"{table}: member folder {mdir} not found")
        by_dose.setdefault(float(m[key]), []).append(window_mean(os.path.join(mdir, "summary.csv"), a.column, d0, d1))
    if not by_dose:
        fail(2, f"{table}: no completed member")
    ctrl = sum(window_mean(os.path.join(r, "summary.csv"), a.column, d0, d1) for r in a.control) / len(a.control)
    doses = sorted(by_dose)
    rows = []
    for d in doses:
        v = sum(by_dose[d]) / len(by_dose[d])
        rows.append((d, v, (ctrl - v) / ctrl if ctrl != 0 else float("nan"), len(by_dose[d])))
    print(f"{key}: mean {a.column} over days {d0:g}-{d1:g}; control {ctrl:.4f} ({len(a.control)} run(s))")
    print("dose | value | effect | members")
    for d, v, e, n in rows:
        print(f"{d:g} | {v:.4f} | {e:.3f} | {n}")
    eff = [r[2] for r in rows]
    # the direction of the response: relief (effect > 0) or worsening (< 0), by the largest one
    sign = 1.0 if max(eff, key=abs) >= 0 else -1.0
    se = [sign * e for e in eff]
    mono = all(se[i] <= se[i + 1] + 1e-9 for i in range(len(se) - 1))
    emax = max(se)
    half = emax / 2
    ed50 = None
    for (da, ea), (db, eb) in zip(zip(doses, se), zip(doses[1:], se[1:])):
        if ea <= half <= eb and eb > ea and da > 0:
            f = (half - ea) / (eb - ea)
            ed50 = math.exp(math.log(da) + f * (math.log(db) - math.log(da)))
            break
    what = "relief" if sign > 0 else "worsening (effect < 0: the value rises with dose)"
    print(f"direction: {what}; monotonic: {'yes' if mono else 'no'}; maximal effect {sign * emax:.3f} at "
          f"{doses[se.index(emax)]:g}; ED50 (half of it) {'%.3g' % ed50 if ed50 else 'undefined (not bracketed by two doses)'}")
    if a.out:
        with open(a.out, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["dose", a.column, "effect", "members"])
            w.writerows(rows)
            w.writerow(["ed50", ed50 if ed50 else "", "monotonic", int(mono)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
