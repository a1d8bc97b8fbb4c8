"""pa_common — what the three analyses share: the base scenario and its overrides, scenario
key ranges, metrics of a member, sweep files, results, atomic writes.

Metrics (the "metrics" list of an analysis file), one per member:
  - a sweep.csv metric column by name: min_threshold_g, min_threshold_day,
    pain_auc_index_day, final_pain_index, peak_<cell type>, peak_<cell type>_day
    (scenarios/README.md, "Sweeps");
  - {"column": C, "stat": S, "from_day": A, "to_day": B, "name": N}: statistic S (mean,
    max, min, final, auc) of summary.csv column C over days A..B (rows with A <= day <= B;
    auc by trapezoids, in column units x day). N defaults to S_C_dA_B.
"""
import csv
import difflib
import json
import math
import os
import re
import tempfile

import numpy as np

import pa_spec
from pa_bridge import BridgeError

SWEEP_METRICS = ["min_threshold_g", "min_threshold_day", "pain_auc_index_day", "final_pain_index"]
STATS = ["mean", "max", "min", "final", "auc"]
MAX_MEMBERS = 10000          # a sweep's zip lists hold at most this many values


def atomic_file(path, write):
    """Calls write(tmp) on a temporary name in path's folder, then renames it to path: a
    reader sees the old file or the whole new one, never a part."""
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".tmp.", suffix=os.path.splitext(path)[1])
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def atomic_write(path, data):
    def write(tmp):
        with open(tmp, "w") as f:
            f.write(data)
    atomic_file(path, write)


def atomic_savefig(fig, path, **kw):
    atomic_file(path, lambda tmp: fig.savefig(tmp, **kw))


def write_csv(path, header, rows):
    import io
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow(["" if (isinstance(x, float) and math.isnan(x)) else
                    (repr(x) if isinstance(x, float) else x) for x in r])
    atomic_write(path, buf.getvalue())


def set_text(v):
    """A value as --set (and a sweep's values list) takes it: JSON text."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v) if math.isfinite(v) else "null"
    return json.dumps(v)


class Base:
    """The base scenario of an analysis and its fixed overrides."""

    def __init__(self, doc, scenario, fixed):
        self.doc = doc
        self.path = doc.rel(scenario)
        self.fixed = fixed

    def sets(self, extra=()):
        return ["%s=%s" % (k, set_text(v)) for k, v in self.fixed.items()] + list(extra)


def read_head(doc, bridge, keys, kind):
    """The keys every analysis file starts with: k (all keys of the table keys), the plan
    p (name, base scenario with "set"), the scenario's summary columns and resolved JSON."""
    import types
    k = pa_spec.keys(doc, doc.root, "", keys)
    p = types.SimpleNamespace(doc=doc, kind=kind)
    p.name = pa_spec.name(doc, k["name"], "name")
    p.base = Base(doc, pa_spec.string(doc, k["scenario"], "scenario", max_len=1023),
                  pa_spec.overrides(doc, k["set"], "set"))
    columns, resolved = check_base(bridge, p.base, "scenario")
    p.duration_h = float(resolved["time"]["duration_h"])
    return k, p, columns, resolved


def check_base(bridge, base, jpath_scenario):
    """The base scenario with the fixed overrides loads: its summary columns (and the
    resolved scenario as a dict)."""
    if not os.path.isfile(base.path):
        base.doc.fail(jpath_scenario, None, raw="scenario file %s not found" % base.path)
    try:
        cols = bridge.columns(base.path, base.sets())
        with tempfile.TemporaryDirectory() as td:
            out = os.path.join(td, "resolved.json")
            bridge.resolve(base.path, out, base.sets())
            with open(out) as f:
                resolved = json.load(f)
    except BridgeError as e:
        base.doc.fail(jpath_scenario, None, raw="the scenario with \"set\" does not load: " + e.message)
    return cols, resolved


def key_value(resolved, key):
    """The value of a --set key path in a resolved scenario (arrays of named objects by
    name or index, as --set addresses them), or raises KeyError."""
    cur = resolved
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", key):
        if part.startswith("["):
            cur = cur[int(part[1:-1])]
        elif isinstance(cur, dict):
            cur = cur[part]
        elif isinstance(cur, list):
            hit = [x for x in cur if isinstance(x, dict) and x.get("name") == part]
            if not hit:
                raise KeyError(part)
            cur = hit[0]
        else:
            raise KeyError(part)
    return cur


def check_values(bridge, base, doc, jpath, key, values, workdir, name):
    """Each value of key loads in the base scenario; a failure names the analysis file,
    jpath and the scenario loader's message."""
    sw = os.path.join(workdir, "check.json")
    atomic_write(sw, json.dumps({"name": name, "scenarios": [base.path],
                                 "parameters": [{"key": key, "values": list(values)}],
                                 "combine": "zip", "set": base.fixed}))
    try:
        bridge.check(sw)
    except BridgeError as e:
        msg = e.message
        # the sweep loader names its own temporary file: keep the scenario's words
        msg = msg.replace(sw + ": ", "")
        doc.fail(jpath, None, raw="%s = %s is not a value the scenario accepts: %s"
                 % (key, " or ".join(pa_spec.fmt_value(v) for v in values), msg))


class Metric:
    def __init__(self, name, column=None, stat=None, lo=None, hi=None):
        self.name, self.column, self.stat, self.lo, self.hi = name, column, stat, lo, hi

    def from_summary(self, table):
        t = table["time_h"] / 24.0
        y = table[self.column]
        sel = (t >= self.lo - 1e-9) & (t <= self.hi + 1e-9)
        if not sel.any():
            return math.nan
        ts, ys = t[sel], y[sel]
        if self.stat == "mean":
            return float(ys.mean())
        if self.stat == "max":
            return float(ys.max())
        if self.stat == "min":
            return float(ys.min())
        if self.stat == "final":
            return float(ys[-1])
        return float(np.sum(0.5 * (ys[1:] + ys[:-1]) * np.diff(ts))) if len(ts) > 1 else 0.0


def no_column(col, columns):
    """The message for a summary column the scenario does not write, with a near miss."""
    near = difflib.get_close_matches(col, columns, n=1)
    return "the scenario writes no summary column \"%s\"%s" % (col, " (did you mean \"%s\"?)" % near[0] if near else "")


def read_metrics(doc, jpath, v, columns, resolved, duration_h):
    """The metrics list: Metric objects, checked against the scenario's columns."""
    types = [c["name"] for c in resolved.get("cell_types", [])]
    sweep_names = SWEEP_METRICS + ["peak_" + t for t in types] + ["peak_%s_day" % t for t in types]
    has_pain = "pain.index" in columns
    out = []
    for i, m in enumerate(pa_spec.array(doc, v, jpath, 1, 64)):
        jp = pa_spec.join(jpath, i)
        if isinstance(m, str):
            if m not in sweep_names:
                near = difflib.get_close_matches(m, sweep_names, n=1)
                if near:
                    doc.fail(jp, None, raw="unknown metric \"%s\" (did you mean \"%s\"?)" % (m, near[0]))
                doc.fail(jp, "a sweep metric (%s) or an object {\"column\", \"stat\", \"from_day\", \"to_day\"}"
                         % ", ".join(SWEEP_METRICS + ["peak_<type>", "peak_<type>_day"]), m)
            if m in SWEEP_METRICS and not has_pain:
                doc.fail(jp, None, raw="metric \"%s\" needs the pain readout, and the scenario has no neurons" % m)
            out.append(Metric(m))
            continue
        k = pa_spec.keys(doc, m, jp, {"column": pa_spec.REQUIRED, "stat": "mean", "from_day": 0.0,
                                      "to_day": duration_h / 24.0, "name": None})
        col = pa_spec.string(doc, k["column"], pa_spec.join(jp, "column"))
        if col not in columns:
            doc.fail(pa_spec.join(jp, "column"), None, raw=no_column(col, columns))
        stat = pa_spec.string(doc, k["stat"], pa_spec.join(jp, "stat"), STATS)
        lo = pa_spec.number(doc, k["from_day"], pa_spec.join(jp, "from_day"), 0, duration_h / 24.0)
        hi = pa_spec.number(doc, k["to_day"], pa_spec.join(jp, "to_day"), lo, duration_h / 24.0)
        nm = k["name"] if k["name"] is not None else "%s_%s_d%g_%g" % (stat, col, lo, hi)
        nm = pa_spec.string(doc, nm, pa_spec.join(jp, "name"), max_len=120)
        out.append(Metric(nm, col, stat, lo, hi))
    names = [m.name for m in out]
    for i, n in enumerate(names):
        if n in names[:i]:
            doc.fail(pa_spec.join(jpath, i), None, raw="metric \"%s\" is listed twice" % n)
    return out


def read_summary(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    head = rows[0]
    data = np.array([[float(x) if x != "" else math.nan for x in r] for r in rows[1:]], dtype=float)
    return {h: data[:, i] for i, h in enumerate(head)}


def read_sweep_csv(out):
    with open(os.path.join(out, "sweep.csv"), newline="") as f:
        return list(csv.DictReader(f))


def member_metrics(out, rows, metrics):
    """[members][metrics] from sweep.csv rows (NaN for a failed member or missing value)."""
    Y = np.full((len(rows), len(metrics)), math.nan)
    for i, r in enumerate(rows):
        if r["status"] != "completed":
            continue
        table = None
        for j, m in enumerate(metrics):
            if m.column is None:
                v = r.get(m.name, "")
                Y[i, j] = float(v) if v not in ("", None) else math.nan
            else:
                if table is None:
                    table = read_summary(os.path.join(out, r["dir"], "summary.csv"))
                Y[i, j] = m.from_summary(table)
    return Y


def write_sweep(path, name, base, params, description=""):
    """A zip sweep of base: params is [(key, [values])], all one length."""
    doc = {"name": name, "description": description[:500], "scenarios": [base.path],
           "parameters": [{"key": k, "values": list(v)} for k, v in params], "combine": "zip"}
    if base.fixed:
        doc["set"] = base.fixed
    atomic_write(path, json.dumps(doc, indent=1) + "\n")


def run_sweep(bridge, sweep_path, out, log):
    """Runs the sweep; returns its rows. Failed members are reported, not fatal here."""
    try:
        bridge.sweep(sweep_path, out)
    except BridgeError as e:
        if e.code != 9:
            raise
        log("some members failed (their errors are in %s/sweep.csv)" % out)
    return read_sweep_csv(out)


def fmt(v, digits=3):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    if v == 0:
        return "0"
    a = abs(v)
    if a >= 1e4 or a < 1e-3:
        return "%.*e" % (digits - 1, v)
    return "%.*g" % (digits, v)


class Range:
    """A scenario key varied over [lo, hi], evenly (linear) or in log (log)."""

    def __init__(self, key, lo, hi, scale):
        self.key, self.lo, self.hi, self.scale = key, lo, hi, scale

    def value(self, u):
        """The key's value at unit coordinate u in [0, 1]."""
        if self.scale == "log":
            return float(math.exp(math.log(self.lo) + u * (math.log(self.hi) - math.log(self.lo))))
        return float(self.lo + u * (self.hi - self.lo))


def short_label(key):
    """A figure label for a key path: without the section words, at most 40 characters."""
    s = key
    for a, b in (("tissues.", ""), ("cell_types.", ""), ("rate_per_mm3_per_h", "rate"), ("recruitment", "recruit")):
        s = s.replace(a, b)
    return s if len(s) <= 40 else s[:18] + "…" + s[-21:]


def read_ranges(doc, jpath, v, bridge, base, workdir, name, lo_n=1):
    """parameters: [{"key", "range": [lo, hi], "scale": "linear"|"log"}]; each end is
    loaded in the base scenario, so a range outside a key's validated range is refused."""
    out = []
    table = {"key": pa_spec.REQUIRED, "range": pa_spec.REQUIRED, "scale": "linear", "label": None}
    for i, p in enumerate(pa_spec.array(doc, v, jpath, lo_n, 30)):
        jp = pa_spec.join(jpath, i)
        k = pa_spec.keys(doc, p, jp, table)
        key = pa_spec.scenario_key(doc, k["key"], pa_spec.join(jp, "key"))
        if key == "seed":
            doc.fail(pa_spec.join(jp, "key"), None, raw="the seed cannot be a parameter here (it is given by \"seed\")")
        if key in base.fixed:
            doc.fail(pa_spec.join(jp, "key"), None, raw="\"%s\" is also fixed by \"set\"" % key)
        if key in [r.key for r in out]:
            doc.fail(pa_spec.join(jp, "key"), None, raw="\"%s\" is varied twice" % key)
        scale = pa_spec.string(doc, k["scale"], pa_spec.join(jp, "scale"), ["linear", "log"])
        rg = pa_spec.array(doc, k["range"], pa_spec.join(jp, "range"), 2, 2)
        lo = pa_spec.number(doc, rg[0], pa_spec.join(jp, "range[0]"), 0 if scale == "log" else -1e300, 1e300,
                            lo_open=scale == "log")
        hi = pa_spec.number(doc, rg[1], pa_spec.join(jp, "range[1]"), lo, 1e300, lo_open=True)
        for e, x in enumerate((lo, hi)):
            check_values(bridge, base, doc, pa_spec.join(jp, "range[%d]" % e), key, [x], workdir, name)
        r = Range(key, lo, hi, scale)
        r.label = short_label(key) if k["label"] is None else \
            pa_spec.string(doc, k["label"], pa_spec.join(jp, "label"), max_len=80)
        out.append(r)
    return out


def check_design(bridge, doc, jpath, sweep_path):
    try:
        return bridge.check(sweep_path)
    except BridgeError as e:
        doc.fail(jpath, None, raw="a member of the design does not load: " + e.message.replace(sweep_path + ": ", ""))
