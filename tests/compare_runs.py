#!/usr/bin/python3
"""compare_runs.py A B — compares two run folders of the same scenario, written by a
single-rank run and a domain-decomposed run (agents in a different order).

For every snapshot present in both: every field must be bitwise equal; the agents, sorted
by id, must have bitwise equal ids, types, states, positions and variables. For
summary.csv: integer columns (cell counts) must be equal and every other column within a
relative tolerance (--rtol, default 1e-5: sums of floats reduced across ranks round
differently; see scenarios/README.md, "Domain decomposition").
Prints one line per check and exits 1 on any difference.
"""
import argparse
import csv
import glob
import os
import sys

import h5py
import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--rtol", type=float, default=1e-5)
    args = ap.parse_args()
    bad = 0
    snaps = sorted(os.path.basename(p) for p in glob.glob(os.path.join(args.a, "snapshots", "*.h5")))
    if not snaps:
        print(f"no snapshots in {args.a}")
        return 1
    n_agents = n_fields = 0
    max_field_diff = 0.0
    for name in snaps:
        pb = os.path.join(args.b, "snapshots", name)
        if not os.path.exists(pb):
            print(f"FAIL {name}: missing in {args.b}")
            bad += 1
            continue
        with h5py.File(os.path.join(args.a, "snapshots", name), "r") as fa, h5py.File(pb, "r") as fb:
            for t in fa["tissues"]:
                ga, gb = fa["tissues"][t], fb["tissues"][t]
                for f in ga["fields"]:
                    x, y = ga["fields"][f][...], gb["fields"][f][...]
                    n_fields += 1
                    if x.shape != y.shape or not np.array_equal(x.view(np.uint32), y.view(np.uint32)):
                        d = float(np.max(np.abs(x - y))) if x.shape == y.shape else float("inf")
                        max_field_diff = max(max_field_diff, d)
                        print(f"FAIL {name} {t} field {f}: not bitwise equal (max |diff| {d:g} nM)")
                        bad += 1
                ia, ib = ga["agents"]["id"][...], gb["agents"]["id"][...]
                oa, ob = np.argsort(ia), np.argsort(ib)
                if not np.array_equal(ia[oa], ib[ob]):
                    print(f"FAIL {name} {t}: agent ids differ ({len(ia)} vs {len(ib)} agents)")
                    bad += 1
                    continue
                n_agents += len(ia)
                for k in ga["agents"]:
                    x, y = ga["agents"][k][...][oa], gb["agents"][k][...][ob]
                    if x.dtype.kind == "f":
                        same = np.array_equal(x.view(np.uint32), y.view(np.uint32))
                    else:
                        same = np.array_equal(x, y)
                    if not same:
                        print(f"FAIL {name} {t} agents/{k}: not bitwise equal")
                        bad += 1
    print(f"snapshots: {len(snaps)} compared, {n_fields} field arrays and {n_agents} agent records "
          f"bitwise{' equal' if bad == 0 else ': differences above'}")
    ra = list(csv.reader(open(os.path.join(args.a, "summary.csv"))))
    rb = list(csv.reader(open(os.path.join(args.b, "summary.csv"))))
    if ra[0] != rb[0] or len(ra) != len(rb):
        print("FAIL summary.csv: different columns or rows")
        return 1
    worst, worst_col, exact_cols = 0.0, "", 0
    for j, col in enumerate(ra[0]):
        x = np.array([float(r[j]) for r in ra[1:]])
        y = np.array([float(r[j]) for r in rb[1:]])
        if np.all(x == np.round(x)) and np.all(y == np.round(y)) and not col.endswith(("_nM", "_mean")):
            exact_cols += 1
            if not np.array_equal(x, y):
                print(f"FAIL summary {col}: counts differ")
                bad += 1
            continue
        scale = np.maximum(np.maximum(np.abs(x), np.abs(y)), 1e-30)
        rel = float(np.max(np.abs(x - y) / scale))
        if rel > worst:
            worst, worst_col = rel, col
        if rel > args.rtol:
            print(f"FAIL summary {col}: relative difference {rel:.3g} > {args.rtol:g}")
            bad += 1
    print(f"summary: {len(ra) - 1} rows; {exact_cols} integer columns equal; largest relative "
          f"difference elsewhere {worst:.3g} ({worst_col or 'none'})")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
