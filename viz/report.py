#!/usr/bin/python3
"""report.py — a self-contained HTML report of a painsim run (what `painsim report` runs).

Usage:
    /usr/bin/python3 viz/report.py RUN [RUN ...] [--out FILE] [--validation FILE]
                                   [--paraview DIR | --no-paraview]

Writes FILE (default RUN/report.html, the first RUN) with:
  - the scenario summary: name, description, duration and steps, sex and seed, tissues
    (size, voxel, cells seeded), cell types and states, mediators, drug courses and
    perturbations with their windows;
  - key numbers from summary.csv: lowest withdrawal threshold and its day, final pain
    index, area under the pain index, peak of each cell type and its day;
  - the figures of plot_summary.py (cells, mediators, pain) of all RUNs given (further
    RUNs are overlaid; replicate seeds drawn as mean ± SD), as embedded PNG;
  - the last ParaView frame of DIR (default RUN/paraview, as written by
    paraview_render.py) when it exists, embedded;
  - the validation table: from --validation FILE (a report.md of `make validate`), else
    RUN/validation.md, else the report.md next to the run folder when that folder is a
    `make validate` output (it has report.md and report.csv); none otherwise (the
    report says so);
  - run metadata (run.json) and links to the run's files, relative to the report.
A folder made by `painsim sensitivity`, `trial` or `calibrate` gets its own sections
instead (report_analysis.py: indices, effects or posterior, with their figures).
Every image is a base64 data URI: the HTML file alone is the report. It is written under
a temporary name and renamed. Exit status: 0, 2 bad input, 3 file error.
"""
import argparse
import base64
import datetime
import html
import io
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import plot_summary  # noqa: E402
import report_analysis  # noqa: E402
import vizlib  # noqa: E402
from vizlib import VizError  # noqa: E402

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:1200px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.4}
h1{font-size:1.6em;margin-bottom:0.2em}h2{border-bottom:1px solid #ccc;padding-bottom:0.2em;margin-top:1.6em}
table{border-collapse:collapse;margin:0.6em 0;font-size:0.92em}th,td{border:1px solid #ccc;padding:3px 8px;
text-align:left;vertical-align:top}th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}
img{max-width:100%;border:1px solid #ddd;margin:0.4em 0}.muted{color:#777}.pass{color:#1a7f37}.fail{color:#c62828}
nav a{margin-right:1em}code{background:#f5f5f5;padding:0 3px}
"""


def esc(v):
    return html.escape(str(v), quote=True)


def png_uri_of_figure(fig):
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def png_uri_of_file(path):
    with open(path, "rb") as f:
        return "data:image/png;base64," + base64.b64encode(f.read()).decode("ascii")


def table(headers, rows, num_cols=()):
    out = ["<table><tr>" + "".join(f"<th>{esc(h)}</th>" for h in headers) + "</tr>"]
    for r in rows:
        cells = []
        for i, v in enumerate(r):
            cls = ' class="num"' if i in num_cols else ""
            cells.append(f"<td{cls}>{v}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def fmt(v, digits=4):
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return "—"
    if isinstance(v, float):
        return f"{v:.{digits}g}"
    return str(v)


def scenario_section(run):
    s = run.scen
    t = s["time"]
    parts = [f"<p>{esc(s.get('description', ''))}</p>" if s.get("description") else ""]
    rows = [
        ("scenario", esc(s.get("name", ""))),
        ("scenario file", esc(run.meta.get("scenario_file", "—"))),
        ("duration", f"{fmt(float(t['duration_h']) / 24)} days ({fmt(float(t['duration_h']))} h), "
                     f"step {fmt(float(t['dt_min']))} min, summary every {fmt(float(t['output_interval_h']))} h, "
                     f"snapshot every {fmt(float(t.get('snapshot_interval_h', 0)))} h"),
        ("sex", esc(s.get("sex", "—"))),
        ("seed", esc(run.seed)),
    ]
    parts.append(table(["", ""], rows))
    trows = []
    for ti in s["tissues"]:
        seeded = ", ".join(f"{c.get('count', '?')} {c['type']}" + (f" {c['state']}" if c.get("state") else "")
                           for c in ti.get("cells", []))
        trows.append([esc(ti["name"]), esc(" × ".join(fmt(float(v)) for v in ti["size_um"])) + " µm",
                      esc(fmt(float(ti["voxel_um"]))) + " µm", esc(seeded or "—")])
    parts.append("<h3>Tissues</h3>" + table(["tissue", "size", "voxel", "cells seeded"], trows))
    crows = [[esc(c["name"]), esc(", ".join(st["name"] for st in c.get("states", [])) or "—"),
              esc(fmt(float(c.get("radius_um", float("nan")))))] for c in s["cell_types"]]
    parts.append("<h3>Cell types</h3>" + table(["type", "states", "radius (µm)"], crows))
    meds = ", ".join(m["name"] for m in s.get("mediators", []))
    parts.append(f"<h3>Mediators</h3><p>{esc(meds) or '—'}</p>")
    wins = run.windows()
    if wins:
        wrows = [[esc(kind), esc(label), f"{fmt(a / 24)}–{fmt(b / 24)}"] for a, b, label, kind in wins]
        parts.append("<h3>Treatments and perturbations</h3>" + table(["kind", "what", "days"], wrows)
                     + '<p class="muted">Shaded in the figures. A drug course is shaded from its first '
                       "dose to one dosing interval after its last dose given.</p>")
    else:
        parts.append("<h3>Treatments and perturbations</h3><p>none</p>")
    return "\n".join(parts)


def key_numbers(run):
    rows = []
    d = run.days
    if run.has_pain():
        thr = run.col("pain.withdrawal_threshold_g")
        pi = run.col("pain.index")
        k = int(np.nanargmin(thr))
        rows.append(["baseline withdrawal threshold", f"{fmt(float(thr[0]))} g", "day 0"])
        rows.append(["lowest withdrawal threshold", f"{fmt(float(thr[k]))} g ({fmt(float(thr[k] / thr[0]) if thr[0] else float('nan'), 2)} × baseline)",
                     f"day {fmt(float(d[k]), 3)}"])
        auc = float(np.sum((pi[1:] + pi[:-1]) * np.diff(d)) / 2.0) if len(d) > 1 else 0.0
        rows.append(["area under the pain index", f"{fmt(auc)} index × day", f"days 0–{fmt(float(d[-1]), 3)}"])
        rows.append(["final pain index", fmt(float(pi[-1]), 3), f"day {fmt(float(d[-1]), 3)}"])
    for c in run.types:
        total = sum(run.col(f"{t}.{c}") for t in run.tissues)
        k = int(np.nanargmax(total))
        rows.append([f"peak {c} (all tissues)", f"{int(total[k])} cells", f"day {fmt(float(d[k]), 3)}"])
    return table(["quantity", "value", "when"], [[esc(a), esc(b), esc(c)] for a, b, c in rows])


def find_validation(run, explicit):
    """(path, why) of the validation report to include, or (None, why not)."""
    if explicit:
        if not os.path.isfile(explicit):
            raise VizError(f"--validation {explicit}: not found (expected a report.md written by "
                           f"'make validate')", 3)
        return explicit, "given with --validation"
    own = os.path.join(run.path, "validation.md")
    if os.path.isfile(own):
        return own, "validation.md in the run folder"
    parent = os.path.dirname(os.path.abspath(run.path))
    rep = os.path.join(parent, "report.md")
    if os.path.isfile(rep) and os.path.isfile(os.path.join(parent, "report.csv")):
        return rep, f"this run is part of the 'make validate' output {parent}"
    return None, ("no validation report: give one with --validation FILE, put a validation.md in "
                  "the run folder, or run 'make validate' (runs/validate/report.md)")


def markdown_to_html(text):
    """The subset make validate writes: paragraphs and pipe tables; cells with yes/no
    in the last column get a pass/fail class."""
    out, tab = [], []

    def flush():
        if not tab:
            return
        rows = [[c.strip() for c in line.strip().strip("|").split("|")] for line in tab]
        rows = [r for r in rows if not all(re.fullmatch(r":?-{3,}:?", c) for c in r)]
        head, body = rows[0], rows[1:]
        html_rows = []
        for r in body:
            cells = []
            for c in r:
                cls = ' class="pass"' if c == "yes" else (' class="fail"' if c == "no" else "")
                cells.append(f"<td{cls}>{esc(c)}</td>")
            html_rows.append("<tr>" + "".join(cells) + "</tr>")
        out.append("<table><tr>" + "".join(f"<th>{esc(h)}</th>" for h in head) + "</tr>"
                   + "".join(html_rows) + "</table>")
        tab.clear()

    for line in text.splitlines():
        if line.strip().startswith("|"):
            tab.append(line)
            continue
        flush()
        if line.strip().startswith("#"):
            out.append(f"<h3>{esc(line.strip().lstrip('#').strip())}</h3>")
        elif line.strip():
            out.append(f"<p>{esc(line.strip())}</p>")
    flush()
    return "\n".join(out)


def render_paraview(run, out_dir):
    viz = os.path.dirname(os.path.abspath(__file__))
    cmd = ["pvbatch", os.path.join(viz, "paraview_render.py"), run.path,
           "--out", out_dir, "--times", "last"]
    if not os.environ.get("DISPLAY"):  # a private Xvfb, as `painsim render` does
        cmd = [sys.executable, os.path.join(viz, "headless.py")] + cmd
    print("report: " + " ".join(cmd), file=sys.stderr)
    r = subprocess.run(cmd)
    if r.returncode != 0:
        raise VizError(f"{out_dir}: paraview_render.py failed (exit {r.returncode})", 4)


def analysis_report(args):
    """The report of a sensitivity, trial or calibrate folder (report_analysis.py)."""
    path = args.runs[0]
    out = args.out or os.path.join(path, "report.html")
    if not out.endswith((".html", ".htm")):
        raise VizError(f"--out {out}: expected a file name ending in .html")
    sections, nav = [], []

    def section(anchor, title, body):
        nav.append(f'<a href="#{anchor}">{esc(title)}</a>')
        sections.append(f'<h2 id="{anchor}">{esc(title)}</h2>\n{body}')

    report_analysis.analysis_sections(path, section, esc, table, fmt, png_uri_of_file)
    kind = report_analysis.kind_of(path)
    return write_page(out, f"painsim {kind} report: {os.path.basename(os.path.abspath(path))}",
                      os.path.abspath(path), nav, sections)


def write_page(out, title, subtitle, nav, sections):
    """The HTML page: title, a muted subtitle line (the write time appended), the section
    links and the sections; written under a temporary name and renamed."""
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    doc = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{esc(title)}</title>
<style>{CSS}</style></head><body>
<h1>{esc(title)}</h1>
<p class="muted">{esc(subtitle)} · written {now}</p>
<nav>{' '.join(nav)}</nav>
{chr(10).join(sections)}
</body></html>
"""
    vizlib.atomic_write_text(out, doc)
    print(out)
    return 0


def main():
    ap = argparse.ArgumentParser(prog="report", description=__doc__.split("\n")[0])
    ap.add_argument("runs", nargs="+", metavar="RUN")
    ap.add_argument("--out", default=None, help="HTML file (default RUN/report.html)")
    ap.add_argument("--validation", default=None, help="a validation report.md to include")
    ap.add_argument("--paraview", default=None, help="folder of paraview_render.py frames (default RUN/paraview)")
    ap.add_argument("--render", action="store_true", help="run paraview_render.py first (last time only)")
    ap.add_argument("--no-paraview", action="store_true", help="leave the ParaView picture out")
    args = ap.parse_args()
    if report_analysis.kind_of(args.runs[0]):
        return analysis_report(args)
    runs = [vizlib.Run(p) for p in args.runs]
    run = runs[0]
    out = args.out or os.path.join(run.path, "report.html")
    if not out.endswith((".html", ".htm")):
        raise VizError(f"--out {out}: expected a file name ending in .html")
    out_dir = os.path.dirname(os.path.abspath(out))
    if not os.path.isdir(out_dir):
        raise VizError(f"{out}: the folder {out_dir} does not exist", 3)
    groups = vizlib.group_replicates(runs)

    sections = []
    nav = []

    def section(anchor, title, body):
        nav.append(f'<a href="#{anchor}">{esc(title)}</a>')
        sections.append(f'<h2 id="{anchor}">{esc(title)}</h2>\n{body}')

    section("scenario", "Scenario", scenario_section(run))
    section("numbers", "Key numbers", key_numbers(run)
            + '<p class="muted">From summary.csv of ' + esc(run.name) + ".</p>")
    figs = []
    for stem, maker, needed in (("pain", plot_summary.fig_pain, any(r.has_pain() for r in runs)),
                                ("cells", plot_summary.fig_cells, True),
                                ("mediators", plot_summary.fig_mediators, True)):
        if not needed:
            figs.append('<p class="muted">No pain readout: the scenario has no neurons.</p>')
            continue
        figs.append(f'<h3>{esc(stem)}</h3><img alt="{esc(stem)}" src="{png_uri_of_figure(maker(groups))}">')
    if len(runs) > 1:
        figs.insert(0, "<p>Runs: " + esc("; ".join(vizlib.group_label(g) for g in groups)) + "</p>")
    section("figures", "Time courses", "\n".join(figs))

    if not args.no_paraview:
        pv_dir = args.paraview or os.path.join(run.path, "paraview")
        if args.render:
            render_paraview(run, pv_dir)
        frames = sorted(f for f in os.listdir(pv_dir) if re.fullmatch(r"frame_\d{4}\.png", f)) \
            if os.path.isdir(pv_dir) else []
        if frames:
            body = (f'<img alt="ParaView frame {esc(frames[-1])}" src="{png_uri_of_file(os.path.join(pv_dir, frames[-1]))}">'
                    f'<p class="muted">{esc(os.path.join(pv_dir, frames[-1]))}; open the same view in ParaView with '
                    f'<code>paraview --state={esc(os.path.join(pv_dir, "paraview_state.pvsm"))}</code>.</p>')
        else:
            body = (f'<p class="muted">No ParaView frames in {esc(pv_dir)}: make them with '
                    f'<code>painsim render {esc(run.path)}</code> '
                    f'(or <code>painsim report {esc(run.path)} --render</code>).</p>')
        section("paraview", "ParaView", body)

    vpath, why = find_validation(run, args.validation)
    if vpath:
        with open(vpath) as f:
            vbody = markdown_to_html(f.read())
        section("validation", "Validation", f'<p class="muted">From {esc(vpath)} ({esc(why)}).</p>\n{vbody}')
    else:
        section("validation", "Validation", f'<p class="muted">{esc(why)}.</p>')

    meta_rows = [[esc(k), esc(v)] for k, v in run.meta.items()] or [["—", "no run.json"]]
    links = []
    for name in ("scenario.resolved.json", "run.json", "summary.csv", "summary.h5", "snapshots.xmf"):
        p = os.path.join(run.path, name)
        if os.path.isfile(p):
            links.append(f'<a href="{esc(os.path.relpath(os.path.abspath(p), out_dir))}">{esc(name)}</a>')
    section("metadata", "Run metadata", table(["key", "value"], meta_rows)
            + "<p>Files: " + " · ".join(links) + "</p>")

    status = run.meta.get("status", "unknown")
    return write_page(out, f"painsim report: {run.name}",
                      f"{run.scen.get('name', '')} · status {status} · {os.path.abspath(run.path)}", nav, sections)


if __name__ == "__main__":
    vizlib.main_wrapper("report", main)
