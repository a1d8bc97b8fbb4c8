#!/usr/bin/python3
"""plot_summary.py — time-course figures of one or more painsim runs (PNG and SVG).

Usage:
    /usr/bin/python3 viz/plot_summary.py RUN [RUN ...] [--out DIR] [--formats png,svg]

Writes into DIR (default: RUN/figures for one run, the first RUN's figures/ otherwise):
  cells.png/.svg      per tissue, counts of each cell type (left) and of each state of
                      the types with several states (right) against days
  mediators.png/.svg  per tissue, voxel-mean concentration of each mediator (nM, log)
  pain.png/.svg       withdrawal threshold (g) and pain index against days (runs with
                      neurons only)
  pain_sources.png/.svg  why a run is in pain: the sensitization S split by source
                      (pain.source.intrinsic / soma / peripheral / priming / central /
                      memory, stacked, they add up to S) for each run or replicate group
Drug courses and perturbations of the runs are shaded, labelled in the legend. Several
runs are overlaid; runs whose resolved scenarios differ only in the seed are replicates,
drawn as their mean with a band of ± one standard deviation. Prints the paths written.
Exit status: 0, 2 bad input (e.g. a summary without the expected columns), 3 file error.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
import numpy as np  # noqa: E402

import vizlib  # noqa: E402
from vizlib import VizError  # noqa: E402

LINESTYLES = ["-", "--", ":", "-."]
GROUP_COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"]
WINDOW_COLORS = {"drug": "#4c9be8", "perturbation": "#f2a541"}


def shade_windows(ax, groups, handles=None):
    """Shades each distinct treatment/perturbation window of the runs; adds a legend
    handle per window to handles (a dict label -> Patch) when given. A window that only
    some of the overlaid runs have names them in its label."""
    owners = {}
    for g in groups:
        for start, stop, label, kind in g[0].windows():
            owners.setdefault((start, stop, label, kind), []).append(vizlib.group_label(g).split(" (")[0])
    for k, ((start, stop, label, kind), names) in enumerate(owners.items()):
        color = WINDOW_COLORS[kind]
        ax.axvspan(start / 24.0, stop / 24.0, color=color, alpha=0.13 + 0.05 * (k % 2), lw=0, zorder=0)
        if handles is not None:
            who = f" — {', '.join(names)} only" if len(names) < len(groups) else ""
            handles.setdefault(f"{label} (days {start / 24:g}-{stop / 24:g}){who}",
                               Patch(color=color, alpha=0.3))


def plot_line(ax, days, mean, sd, color, ls, label=None, lw=1.6):
    ax.plot(days, mean, color=color, ls=ls, lw=lw, label=label)
    if sd is not None:
        ax.fill_between(days, mean - sd, mean + sd, color=color, alpha=0.2, lw=0)


def group_styles(groups):
    return [LINESTYLES[i % len(LINESTYLES)] for i in range(len(groups))]


def finish_legend(fig, line_handles, window_handles, group_handles):
    handles = list(line_handles.values()) + list(group_handles.values()) + list(window_handles.values())
    labels = list(line_handles) + list(group_handles) + list(window_handles)
    if handles:
        fig.legend(handles, labels, loc="center left", bbox_to_anchor=(0.995, 0.5), fontsize=8, frameon=False)


def fig_cells(groups):
    r0 = groups[0][0]
    tissues = r0.tissues
    colors = vizlib.type_colors(r0.types)
    multi = [t for t in r0.types if len(r0.states[t]) > 1]
    fig, axes = plt.subplots(len(tissues), 2, figsize=(12, 2.9 * len(tissues)), squeeze=False, sharex=True)
    lines, state_lines, windows, ghandles = {}, {}, {}, {}
    styles = group_styles(groups)
    for row, tissue in enumerate(tissues):
        ax_t, ax_s = axes[row]
        for gi, g in enumerate(groups):
            for t in g[0].types:
                s = vizlib.group_series(g, f"{tissue}.{t}")
                if s is None or not np.nanmax(s[1]) > 0:
                    continue
                plot_line(ax_t, *s, colors.get(t, "k"), styles[gi])
                lines.setdefault(t, plt.Line2D([], [], color=colors.get(t, "k"), lw=2))
            for t in multi:
                n = len(g[0].states[t])
                for j, st in enumerate(g[0].states[t]):
                    s = vizlib.group_series(g, f"{tissue}.{t}.{st}")
                    if s is None or not np.nanmax(s[1]) > 0:
                        continue
                    c = vizlib.state_color(colors.get(t, (0, 0, 0)), j, n)
                    plot_line(ax_s, *s, c, styles[gi], lw=1.3)
                    state_lines.setdefault(f"{t} {st}", plt.Line2D([], [], color=c, lw=2))
        for ax in (ax_t, ax_s):
            shade_windows(ax, groups, windows)
            if ax.has_data():
                ax.set_yscale("symlog", linthresh=1)
            ax.set_ylim(bottom=0)
            ax.grid(alpha=0.3)
        ax_t.set_ylabel(f"{tissue}\ncells")
        ax_t.set_title(f"{tissue}: cells by type", fontsize=10)
        ax_s.set_title(f"{tissue}: cells by state", fontsize=10)
    for ax in axes[-1]:
        ax.set_xlabel("day")
    if len(groups) > 1:
        for gi, g in enumerate(groups):
            ghandles[vizlib.group_label(g)] = plt.Line2D([], [], color="k", ls=styles[gi])
    elif len(groups[0]) > 1:
        ghandles[vizlib.group_label(groups[0])] = Patch(color="0.6", alpha=0.4)
    # types in scenario order, then states (the right-hand panels)
    order = {t: i for i, t in enumerate(r0.types)}
    lines = dict(sorted(lines.items(), key=lambda kv: order.get(kv[0], 1 << 20)))
    def state_key(label):
        t, _, st = label.partition(" ")
        sts = r0.states.get(t, [])
        return order.get(t, 1 << 20), sts.index(st) if st in sts else 1 << 20
    lines.update(sorted(state_lines.items(), key=lambda kv: state_key(kv[0])))
    finish_legend(fig, lines, windows, ghandles)
    fig.suptitle(title_of(groups), fontsize=11)
    fig.tight_layout()
    return fig


def fig_mediators(groups):
    r0 = groups[0][0]
    tissues = r0.tissues
    meds = [m["name"] for m in r0.scen.get("mediators", [])]
    cmap = plt.get_cmap("tab20")
    mcolor = {m: cmap(i % 20) for i, m in enumerate(meds)}
    fig, axes = plt.subplots(len(tissues), 1, figsize=(10, 2.7 * len(tissues)), squeeze=False, sharex=True)
    lines, windows, ghandles = {}, {}, {}
    styles = group_styles(groups)
    drawn = 0
    for row, tissue in enumerate(tissues):
        ax = axes[row][0]
        for gi, g in enumerate(groups):
            for m in g[0].mediators_in(tissue):
                s = vizlib.group_series(g, f"{tissue}.{m}.mean_nM")
                if s is None or not np.nanmax(s[1]) > 0:
                    continue
                plot_line(ax, *s, mcolor.get(m, "k"), styles[gi])
                lines.setdefault(m, plt.Line2D([], [], color=mcolor.get(m, "k"), lw=2))
                drawn += 1
        shade_windows(ax, groups, windows)
        if ax.has_data():
            ax.set_yscale("log")
        ax.set_ylabel(f"{tissue}\nmean nM")
        ax.set_title(f"{tissue}: mediators (voxel mean)", fontsize=10)
        ax.grid(alpha=0.3, which="both")
    axes[-1][0].set_xlabel("day")
    if drawn == 0:
        raise VizError(f"{r0.summary_path}: no <tissue>.<mediator>.mean_nM column with a value > 0 "
                       f"(expected mediator columns for the scenario's mediators)")
    if len(groups) > 1:
        for gi, g in enumerate(groups):
            ghandles[vizlib.group_label(g)] = plt.Line2D([], [], color="k", ls=styles[gi])
    finish_legend(fig, lines, windows, ghandles)
    fig.suptitle(title_of(groups), fontsize=11)
    fig.tight_layout()
    return fig


def fig_pain(groups):
    fig, (ax_g, ax_i) = plt.subplots(2, 1, figsize=(9, 6.2), sharex=True)
    windows, ghandles = {}, {}
    for gi, g in enumerate(groups):
        color = GROUP_COLORS[gi % len(GROUP_COLORS)]
        for ax, colname in ((ax_g, "pain.withdrawal_threshold_g"), (ax_i, "pain.index")):
            s = vizlib.group_series(g, colname)
            if s is not None:
                plot_line(ax, *s, color, "-", lw=2)
        ghandles[vizlib.group_label(g)] = plt.Line2D([], [], color=color, lw=2)
    for ax in (ax_g, ax_i):
        shade_windows(ax, groups, windows)
        ax.grid(alpha=0.3)
    ax_g.set_ylabel("withdrawal threshold (g)")
    ax_g.set_ylim(bottom=0)
    ax_g.set_title("von Frey-like withdrawal threshold (lower = more pain)", fontsize=10)
    ax_i.set_ylabel("pain index")
    ax_i.set_ylim(0, 1)
    ax_i.set_title("pain index (0 = baseline, 1 = maximal)", fontsize=10)
    ax_i.set_xlabel("day")
    finish_legend(fig, {}, windows, ghandles)
    fig.suptitle(title_of(groups), fontsize=11)
    fig.tight_layout()
    return fig


PAIN_SOURCES = ("intrinsic", "soma", "peripheral", "priming", "central", "memory")
SOURCE_COLORS = ("#999999", "#d95f02", "#1b9e77", "#e6ab02", "#7570b3", "#e7298a")


def fig_pain_sources(groups):
    n = len(groups)
    fig, axes = plt.subplots(n, 1, figsize=(9, 2.6 * n + 0.8), sharex=True, squeeze=False)
    windows = {}
    for gi, g in enumerate(groups):
        ax = axes[gi][0]
        series = [vizlib.group_series(g, f"pain.source.{k}") for k in PAIN_SOURCES]
        if any(sr is None for sr in series):
            raise VizError(f"{g[0].summary_path}: no pain.source.* columns (expected {', '.join(PAIN_SOURCES)}: "
                           f"written by painsim 0.1 with the immune-causal readout)")
        t = series[0][0]
        ax.stackplot(t, *[sr[1] for sr in series], labels=PAIN_SOURCES, colors=SOURCE_COLORS, alpha=0.85)
        shade_windows(ax, [g], windows)
        ax.set_ylabel("S")
        ax.set_title(f"{vizlib.group_label(g)}: sensitization by source", fontsize=10)
        ax.grid(alpha=0.3)
    axes[0][0].legend(loc="upper right", fontsize=8, ncol=6)
    axes[-1][0].set_xlabel("day")
    fig.suptitle(title_of(groups), fontsize=11)
    fig.tight_layout()
    return fig


def title_of(groups):
    names = sorted({g[0].scen.get("name", "?") for g in groups})
    return "painsim: " + ", ".join(names)


def main():
    ap = argparse.ArgumentParser(prog="plot_summary", description=__doc__.split("\n")[0])
    ap.add_argument("runs", nargs="+", metavar="RUN")
    ap.add_argument("--out", default=None, help="output folder (default RUN/figures of the first run)")
    ap.add_argument("--formats", default="png,svg", help="comma-separated matplotlib formats (png,svg)")
    args = ap.parse_args()
    formats = vizlib.parse_formats(args.formats)
    runs = [vizlib.Run(p) for p in args.runs]
    groups = vizlib.group_replicates(runs)
    for g in groups:
        print(f"plot_summary: {len(g)} run(s) drawn as {vizlib.group_label(g)}: {', '.join(r.path for r in g)}")
    out = args.out or os.path.join(runs[0].path, "figures")
    vizlib.make_out_dir(out)
    written = []
    for stem, maker, needed in (("cells", fig_cells, True), ("mediators", fig_mediators, True),
                                ("pain", fig_pain, any(r.has_pain() for r in runs)),
                                ("pain_sources", fig_pain_sources, any(r.has_pain() for r in runs))):
        if not needed:
            print(f"plot_summary: no pain columns (pain.withdrawal_threshold_g, pain.index) in "
                  f"{', '.join(r.summary_path for r in runs)}: scenario without neurons, no pain figure")
            continue
        fig = maker(groups)
        written += vizlib.save_figure(fig, out, stem, formats)
        plt.close(fig)
    for p in written:
        print(p)
    return 0


if __name__ == "__main__":
    vizlib.main_wrapper("plot_summary", main)
