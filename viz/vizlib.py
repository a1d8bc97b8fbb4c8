"""vizlib.py — shared reading, checking and writing for painsim's figure scripts.

Reads a run folder (summary.csv, scenario.resolved.json, run.json) into plain numpy
arrays, finds treatment and perturbation windows in the resolved scenario, groups
replicate runs (identical resolved scenario except the seed) and writes every output
under a temporary name first, renaming it when complete, so a failed script never
leaves a half-written figure or report under its final name.

Errors a user can cause (a missing folder, a summary without the expected columns)
raise VizError with a message naming the file and what was expected; main() wrappers
print it and exit with status 2 (bad input) or 3 (file error), as bin/painsim does.
"""
import csv
import json
import os
import re
import sys

import numpy as np

# Colours of the cell types, shared by the matplotlib figures, the ParaView render and
# its legend (RGB 0-1). Types not listed take colours from FALLBACK in order.
TYPE_COLORS = {
    "debris": (0.55, 0.55, 0.55),
    "neutrophil": (0.90, 0.62, 0.00),
    "macrophage": (0.84, 0.15, 0.16),
    "microglia": (0.58, 0.40, 0.74),
    "th17": (0.00, 0.62, 0.45),
    "cd8": (0.00, 0.45, 0.70),
    "treg": (0.80, 0.47, 0.65),
    "schwann_repair": (0.60, 0.75, 0.20),
    "nociceptor_soma": (0.94, 0.89, 0.26),
    "nociceptor_terminal": (0.34, 0.71, 0.91),
    "central_terminal": (0.55, 0.34, 0.16),
}
FALLBACK = [(0.12, 0.47, 0.71), (1.0, 0.50, 0.05), (0.17, 0.63, 0.17), (0.84, 0.15, 0.16),
            (0.58, 0.40, 0.74), (0.55, 0.34, 0.29), (0.89, 0.47, 0.76), (0.50, 0.50, 0.50),
            (0.74, 0.74, 0.13), (0.09, 0.75, 0.81)]


class VizError(Exception):
    """A problem with the input a user gave; code 2 = bad input, 3 = file error."""

    def __init__(self, msg, code=2):
        super().__init__(msg)
        self.code = code


def type_colors(type_names):
    """{type: (r, g, b)} for the scenario's cell types, stable across scripts."""
    out = {t: TYPE_COLORS[t] for t in type_names if t in TYPE_COLORS}
    k = 0
    for t in type_names:
        if t in out:
            continue
        # the next fallback colour not too close to one already taken (else cycle)
        for _ in range(len(FALLBACK)):
            c = FALLBACK[k % len(FALLBACK)]
            k += 1
            if all(sum((a - b) ** 2 for a, b in zip(c, u)) > 0.06 for u in out.values()):
                break
        out[t] = c
    return {t: out[t] for t in type_names}


def state_color(rgb, j, n):
    """Colour of state j of n of a type: the type's colour, darker for later states
    (state 0 is the type colour itself, so a one-state type keeps its colour)."""
    if n <= 1 or j == 0:
        return tuple(rgb)
    f = 1.0 - 0.55 * j / (n - 1)
    return tuple(c * f for c in rgb)


def type_state_colors(scen):
    """[(code, label, rgb)] for every (type, state) of the scenario; code = type index
    * 100 + state index, as the ParaView render computes it from the snapshot arrays."""
    types = [c["name"] for c in scen["cell_types"]]
    tc = type_colors(types)
    out = []
    for i, c in enumerate(scen["cell_types"]):
        states = [s["name"] for s in c.get("states", [])] or [""]
        for j, s in enumerate(states):
            label = c["name"] if len(states) == 1 else f"{c['name']} {s}"
            out.append((i * 100 + j, label, state_color(tc[c["name"]], j, len(states))))
    return out


def read_json(path, what):
    if not os.path.isfile(path):
        raise VizError(f"{path}: not found (expected {what})", 3)
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        raise VizError(f"{path}: cannot be read as JSON ({what}): {e}", 3)


def read_csv_columns(path, required=("time_h",)):
    """(header, {column: float array}, {column: list of str}) of a CSV file; empty cells
    are NaN. Raises VizError naming the file when it is missing, empty or lacks a
    required column."""
    if not os.path.isfile(path):
        raise VizError(f"{path}: not found", 3)
    try:
        with open(path, newline="") as f:
            rows = list(csv.reader(f))
    except (OSError, UnicodeDecodeError) as e:
        raise VizError(f"{path}: cannot be read: {e}", 3)
    if not rows or not rows[0]:
        raise VizError(f"{path}: empty (expected a header line starting with {required[0]})")
    header = rows[0]
    for r in required:
        if r not in header:
            raise VizError(f"{path}: no column '{r}' (expected a painsim table with "
                           f"{', '.join(required)}; header starts {','.join(header[:4])})")
    body = [r for r in rows[1:] if r]
    text = {h: [r[i] if i < len(r) else "" for r in body] for i, h in enumerate(header)}
    num = {}
    for h in header:
        vals = []
        for v in text[h]:
            try:
                vals.append(float(v) if v != "" else np.nan)
            except ValueError:
                vals.append(np.nan)
        num[h] = np.asarray(vals, dtype=float)
    return header, num, text


class Run:
    """One run folder: .path, .name, .scen (resolved scenario), .meta (run.json or {}),
    .cols (header), .data ({column: array}), .days (time_h / 24)."""

    def __init__(self, path):
        path = path.rstrip("/") or "/"
        if not os.path.isdir(path):
            raise VizError(f"{path}: not a run folder (expected a directory written by "
                           f"'painsim run', with summary.csv and scenario.resolved.json)", 3)
        self.path = path
        self.name = os.path.basename(os.path.abspath(path))
        self.scen = read_json(os.path.join(path, "scenario.resolved.json"), "the resolved scenario of the run")
        for key in ("cell_types", "tissues", "time"):
            if key not in self.scen:
                raise VizError(f"{os.path.join(path, 'scenario.resolved.json')}: no '{key}' "
                               f"(expected a scenario resolved by painsim)")
        mp = os.path.join(path, "run.json")
        self.meta = read_json(mp, "run metadata") if os.path.isfile(mp) else {}
        sp = os.path.join(path, "summary.csv")
        self.cols, self.data, _ = read_csv_columns(sp)
        self.summary_path = sp
        if len(self.data["time_h"]) == 0:
            raise VizError(f"{sp}: no rows (the run wrote no output interval yet)")
        self.days = self.data["time_h"] / 24.0
        self.tissues = [t["name"] for t in self.scen["tissues"]]
        self.types = [c["name"] for c in self.scen["cell_types"]]
        self.states = {c["name"]: [s["name"] for s in c.get("states", [])] for c in self.scen["cell_types"]}
        # every tissue must have its count columns: a summary from another scenario or
        # a truncated header is refused here rather than drawn as empty panels
        missing = [f"{t}.{c}" for t in self.tissues for c in self.types if f"{t}.{c}" not in self.data]
        if missing:
            raise VizError(f"{sp}: lacks the count columns {', '.join(missing[:4])}"
                           f"{' ...' if len(missing) > 4 else ''} that scenario.resolved.json implies "
                           f"(expected <tissue>.<celltype> for every tissue and cell type)")

    @property
    def seed(self):
        return self.meta.get("seed", self.scen.get("seed"))

    def col(self, name):
        return self.data.get(name)

    def mediators_in(self, tissue):
        return [m["name"] for m in self.scen.get("mediators", [])
                if f"{tissue}.{m['name']}.mean_nM" in self.data]

    def has_pain(self):
        return "pain.withdrawal_threshold_g" in self.data and "pain.index" in self.data

    def windows(self):
        return scenario_windows(self.scen)

    def replicate_key(self):
        s = dict(self.scen)
        s.pop("seed", None)
        return json.dumps(s, sort_keys=True)


def _fmt(v):
    return f"{v:g}"


def scenario_windows(scen):
    """[(start_h, stop_h, label, kind)] of the drug courses (first dose to one dosing
    interval after the last given dose, clipped to the run) and perturbations
    (start_h to stop_h) of a resolved scenario; kind is 'drug' or 'perturbation'."""
    dur = float(scen["time"]["duration_h"])
    out = []
    for d in scen.get("drugs", []) or []:
        for c in d.get("doses", []):
            start = float(c["start_h"])
            every = float(c.get("every_h", 24))
            count = int(c.get("count", 1))
            given = [start + k * every for k in range(count) if start + k * every < dur]
            if not given:
                continue
            stop = min(dur, given[-1] + every)
            label = f"{d['name']} {_fmt(float(c['mg_per_kg']))} mg/kg"
            if len(given) > 1:
                label += f" every {_fmt(every)} h x{len(given)}"
            out.append((start, stop, label, "drug"))
    for p in scen.get("perturbations", []) or []:
        start = float(p.get("start_h", 0))
        stop = float(p.get("stop_h", dur))
        what = p.get("type") or p.get("mediator") or ""
        if p.get("kind") == "receptor_block":
            what = f"{p.get('mediator')} block {_fmt(float(p.get('fraction', 0)))}"
        label = f"{p.get('kind')} {what}" + (f" ({p['tissue']})" if p.get("tissue") else "")
        out.append((start, min(stop, dur), label, "perturbation"))
    return out


def group_replicates(runs):
    """Runs grouped in the order given: runs whose resolved scenarios are identical
    except the seed form one group (replicates). Returns a list of lists."""
    groups, index = [], {}
    for r in runs:
        k = r.replicate_key()
        if k in index:
            groups[index[k]].append(r)
        else:
            index[k] = len(groups)
            groups.append([r])
    return groups


def group_label(group):
    names = [r.name for r in group]
    if len(names) == 1:
        base = names[0]
    else:
        prefix = re.sub(r"[_.-](s|seed)?$", "", os.path.commonprefix(names)).rstrip("_.-")
        base = prefix or group[0].scen.get("name", names[0])
    seeds = [r.seed for r in group]
    if len(group) > 1:
        return f"{base} (mean ± SD of seeds {', '.join(str(s) for s in seeds)})"
    return f"{base} (seed {seeds[0]})" if seeds[0] is not None else base


def group_series(group, column):
    """(days, mean, sd or None) of a column over a replicate group, on the common rows
    (replicates share a time grid; a run stopped early shortens the group). Returns None
    when no run of the group has the column."""
    arrays = [r.col(column) for r in group if r.col(column) is not None]
    if not arrays:
        return None
    n = min(len(a) for a in arrays)
    days = group[0].days[:n]
    stack = np.vstack([a[:n] for a in arrays])
    mean = np.nanmean(stack, axis=0) if np.isfinite(stack).any() else stack[0]
    sd = np.nanstd(stack, axis=0) if len(arrays) > 1 else None
    return days, mean, sd


def _write_then_rename(final, tmp, write):
    """Calls write(tmp), then renames tmp to final; on failure removes tmp and raises
    VizError naming final (exit 3), so a failed write never leaves a half file."""
    try:
        write(tmp)
        os.replace(tmp, final)
    except OSError as e:
        try:
            os.remove(tmp)
        except OSError:
            pass
        raise VizError(f"{final}: cannot write: {e.strerror}", 3)


def atomic_write_text(path, text):
    def write(tmp):
        with open(tmp, "w") as f:
            f.write(text)
    _write_then_rename(path, path + ".tmp", write)


def parse_formats(text):
    """The --formats option of the plotting tools: comma-separated png, svg or pdf."""
    formats = [f for f in text.split(",") if f]
    for f in formats:
        if f not in ("png", "svg", "pdf"):
            raise VizError(f"--formats: '{f}' is not one of png, svg, pdf")
    return formats


def save_figure(fig, out_dir, stem, formats):
    """Writes fig as out_dir/stem.<fmt> for each format (temporary name, then rename).
    Returns the paths written."""
    paths = []
    for fmt in formats:
        final = os.path.join(out_dir, f"{stem}.{fmt}")
        tmp = os.path.join(out_dir, f".{stem}.{fmt}.tmp")
        _write_then_rename(final, tmp, lambda t, fmt=fmt: fig.savefig(
            t, format=fmt, dpi=110, bbox_inches="tight",
            metadata=None if fmt != "png" else {"Software": "painsim viz"}))
        paths.append(final)
    return paths


def make_out_dir(path):
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as e:
        raise VizError(f"{path}: cannot create the output folder: {e.strerror}", 3)
    if not os.access(path, os.W_OK):
        raise VizError(f"{path}: output folder is not writable", 3)


def main_wrapper(prog, fn, pvbatch=False):
    """Runs fn(); a VizError becomes 'prog: error: message' and its exit code.
    pvbatch=True: ParaView 5.11's pvbatch crashes (SIGSEGV) tearing down after a
    SystemExit, so success returns normally and a failure leaves through os._exit
    after flushing the output streams."""
    try:
        code = fn() or 0
    except VizError as e:
        print(f"{prog}: error: {e}", file=sys.stderr)
        code = e.code
    except Exception as e:  # ParaView or VTK raised: report it as a failure of ParaView
        if not pvbatch:
            raise
        import traceback
        traceback.print_exc()
        print(f"{prog}: error: ParaView failed: {e}", file=sys.stderr)
        code = 4
    if pvbatch:
        if code != 0:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
        return
    sys.exit(code)
