#!/usr/bin/python3
"""plot_sweep.py — dose-response and start-day curves of a painsim sweep (PNG and SVG).

Usage:
    /usr/bin/python3 viz/plot_sweep.py SWEEP [--out DIR] [--formats png,svg]

SWEEP is a sweep folder (with sweep.csv) or a sweep.csv file. For every numeric
parameter of the sweep (a column between `scenario` and `seed`) one figure
sweep_<parameter>.png/.svg puts that parameter on the x axis (a key ending in `start_h`
or `_h` is shown in days) with one row per pain metric (min_threshold_g,
min_threshold_day, pain_auc_index_day, final_pain_index) and one column per sex (when
`sex` is a parameter); one line per combination of the other numeric parameters, at the
mean over replicate seeds with ± SD bars and each seed as a dot. Only completed members
are drawn; failed or pending ones are counted in the title. DIR defaults to
SWEEP/figures. Exit status: 0, 2 bad input (e.g. no pain metrics), 3 file error.
"""
import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import vizlib  # noqa: E402
from vizlib import VizError  # noqa: E402

METRICS = [
    ("min_threshold_g", "min. withdrawal\nthreshold (g)"),
    ("min_threshold_day", "day of min.\nthreshold"),
    ("pain_auc_index_day", "pain AUC\n(index x day)"),
    ("final_pain_index", "final\npain index"),
]
COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]


def short(key):
    """A readable name of a parameter key path: drugs.baricitinib.doses[0].mg_per_kg ->
    'baricitinib dose (mg/kg)'."""
    m = re.search(r"drugs\.([^.\[]+).*\.mg_per_kg$", key)
    if m:
        return f"{m.group(1)} dose (mg/kg)"
    m = re.search(r"drugs\.([^.\[]+).*\.start_h$", key)
    if m:
        return f"{m.group(1)} start day"
    if key.endswith("_h"):
        return f"{key[:-2]} (day)"
    return key


def stem_of(key):
    m = re.search(r"(mg_per_kg|start_h|every_h|count)$", key)
    if m and key.startswith("drugs."):
        return {"mg_per_kg": "dose", "start_h": "start_day"}.get(m.group(1), m.group(1))
    return re.sub(r"[^A-Za-z0-9]+", "_", key).strip("_")


def load(path):
    csv_path = os.path.join(path, "sweep.csv") if os.path.isdir(path) else path
    if not os.path.exists(csv_path):
        raise VizError(f"{csv_path}: not found (expected a sweep folder written by 'painsim sweep', "
                       f"with sweep.csv)", 3)
    header, num, text = vizlib.read_csv_columns(csv_path, required=("member", "scenario", "seed", "status"))
    present = [m for m, _ in METRICS if m in header]
    if not present:
        raise VizError(f"{csv_path}: none of the pain metric columns {', '.join(m for m, _ in METRICS)}")
    params = header[header.index("scenario") + 1:header.index("seed")]
    return csv_path, header, num, text, params


def fig_for(xkey, csv_path, num, text, params, done):
    numeric = [p for p in params if p != "sex" and np.isfinite(num[p][done]).all()]
    others = [p for p in numeric if p != xkey]
    sexes = sorted(set(text["sex"][i] for i in np.flatnonzero(done))) if "sex" in params else [None]
    if len(text.get("scenario", [])) and len(set(text["scenario"])) > 1:
        others_scen = True
    else:
        others_scen = False
    metrics = [(m, lab) for m, lab in METRICS if m in num and np.isfinite(num[m][done]).any()]
    if not metrics:
        raise VizError(f"{csv_path}: the completed members have no pain metric values "
                       f"(scenario without neurons?)")
    xscale = 24.0 if xkey.endswith("_h") else 1.0
    fig, axes = plt.subplots(len(metrics), len(sexes), figsize=(4.2 * len(sexes) + 2.5, 2.3 * len(metrics) + 0.8),
                             squeeze=False, sharex=True, sharey="row")
    combos = sorted({tuple(num[p][i] for p in others) + ((text["scenario"][i],) if others_scen else ())
                     for i in np.flatnonzero(done)})
    handles = {}
    xs_all = np.unique(num[xkey][done]) / xscale
    for ci, combo in enumerate(combos):
        color, marker = COLORS[ci % len(COLORS)], MARKERS[ci % len(MARKERS)]
        parts = [f"{short(p)} = {v / (24.0 if p.endswith('_h') else 1.0):.3g}" for p, v in zip(others, combo)]
        if others_scen:
            parts.append(os.path.basename(combo[-1]))
        label = ", ".join(parts) or "all members"
        for si, sex in enumerate(sexes):
            sel = done.copy()
            for p, v in zip(others, combo):
                sel &= num[p] == v
            if others_scen:
                sel &= np.asarray(text["scenario"]) == combo[-1]
            if sex is not None:
                sel &= np.asarray(text["sex"]) == sex
            xv = np.unique(num[xkey][sel])
            for mi, (m, _) in enumerate(metrics):
                ax = axes[mi][si]
                means, sds = [], []
                for x in xv:
                    y = num[m][sel & (num[xkey] == x)]
                    y = y[np.isfinite(y)]
                    ax.plot(np.full(len(y), x / xscale), y, ls="none", marker=marker, ms=3.5,
                            color=color, alpha=0.45)
                    means.append(np.mean(y) if len(y) else np.nan)
                    sds.append(np.std(y) if len(y) > 1 else 0.0)
                ax.errorbar(xv / xscale, means, yerr=sds, color=color, marker=marker, ms=5, lw=1.6, capsize=3)
        handles[label] = plt.Line2D([], [], color=color, marker=marker, lw=1.6)
    for si, sex in enumerate(sexes):
        axes[0][si].set_title(f"sex: {sex}" if sex is not None else "", fontsize=10)
        axes[-1][si].set_xlabel(short(xkey))
        for mi, (m, lab) in enumerate(metrics):
            ax = axes[mi][si]
            ax.grid(alpha=0.3)
            if xs_all.min() == 0 and len(xs_all) > 2 and xs_all.max() / max(xs_all[xs_all > 0].min(), 1e-300) > 20:
                ax.set_xscale("symlog", linthresh=xs_all[xs_all > 0].min())
            ax.set_xticks(xs_all)
            ax.set_xticklabels([f"{x:.3g}" for x in xs_all])
            if si == 0:
                ax.set_ylabel(lab, fontsize=9)
    n_all = len(done)
    n_done = int(done.sum())
    title = f"{os.path.basename(os.path.dirname(os.path.abspath(csv_path)))}: pain metrics against {short(xkey)}"
    title += f" ({n_done} of {n_all} members completed; mean ± SD over seeds, dots = seeds)"
    fig.suptitle(title, fontsize=10)
    fig.legend(list(handles.values()), list(handles), loc="center left", bbox_to_anchor=(1.0, 0.5),
               fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def main():
    ap = argparse.ArgumentParser(prog="plot_sweep", description=__doc__.split("\n")[0])
    ap.add_argument("sweep", metavar="SWEEP")
    ap.add_argument("--out", default=None, help="output folder (default SWEEP/figures)")
    ap.add_argument("--formats", default="png,svg")
    args = ap.parse_args()
    formats = vizlib.parse_formats(args.formats)
    csv_path, header, num, text, params = load(args.sweep)
    done = np.asarray([s == "completed" for s in text["status"]])
    if not done.any():
        raise VizError(f"{csv_path}: no completed member (statuses: "
                       f"{', '.join(sorted(set(text['status'])))}); nothing to draw")
    xkeys = [p for p in params if p != "sex" and np.isfinite(num[p][done]).all()
             and len(np.unique(num[p][done])) > 1]
    if not xkeys:
        raise VizError(f"{csv_path}: no numeric parameter with more than one value among the columns "
                       f"{', '.join(params) or '(none)'} (expected e.g. a dose or a start time)")
    out = args.out or os.path.join(os.path.dirname(os.path.abspath(csv_path)), "figures")
    vizlib.make_out_dir(out)
    written = []
    for xkey in xkeys:
        fig = fig_for(xkey, csv_path, num, text, params, done)
        written += vizlib.save_figure(fig, out, f"sweep_{stem_of(xkey)}", formats)
        plt.close(fig)
    for p in written:
        print(p)
    return 0


if __name__ == "__main__":
    vizlib.main_wrapper("plot_sweep", main)
