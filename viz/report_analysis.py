"""report_analysis.py — the sections `painsim report` writes for a folder made by
`painsim sensitivity`, `painsim trial` or `painsim calibrate` (report.py calls
analysis_sections when the folder holds analysis.json and one of sensitivity.csv,
trial.csv, posterior.csv):
  - sensitivity: the method and design, per metric the indices table (keys ordered by
    mu* or by the total index, with intervals) and the figures (Morris mu*-sigma, Sobol
    bars, tornado);
  - trial: the arms and their overrides, the per-animal count, the effect table (difference
    in means with its interval, Cohen's d, animals per arm for the power asked) and the
    trial figure;
  - calibrate: the posterior summary (mean, median, 90 % interval against the prior range),
    the generations (epsilon, simulations, acceptance) and the figures (marginals, pairs,
    posterior predictive with the targets);
  - the members: how many completed and failed, and their wall time.
"""
import csv
import glob
import json
import os

KINDS = (("sensitivity.csv", "sensitivity"), ("trial.csv", "trial"), ("posterior.csv", "calibrate"))


def kind_of(path):
    if not os.path.isfile(os.path.join(path, "analysis.json")):
        return None
    for f, k in KINDS:
        if os.path.isfile(os.path.join(path, f)):
            return k
    return None


def _rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def _num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return float("nan")


def _members(path):
    files = [os.path.join(path, "sweep.csv")] + sorted(glob.glob(os.path.join(path, "sweeps", "b*", "sweep.csv")))
    done = failed = 0
    wall = 0.0
    for f in files:
        if not os.path.isfile(f):
            continue
        for r in _rows(f):
            done += r["status"] == "completed"
            failed += r["status"] == "failed"
            w = _num(r.get("wall_s"))
            wall += w if w == w else 0.0
    return done, failed, wall


def analysis_sections(path, section, esc, table, fmt, png_uri_of_file):
    """Adds the sections of the analysis folder path through section(anchor, title, body)."""
    kind = kind_of(path)
    with open(os.path.join(path, "analysis.json")) as f:
        spec = json.load(f)
    figs = sorted(glob.glob(os.path.join(path, "figures", "*.png")))

    def images(names=None):
        out = []
        for p in figs:
            if names is None or any(os.path.basename(p).startswith(n) for n in names):
                out.append(f'<h3>{esc(os.path.basename(p))}</h3><img alt="{esc(os.path.basename(p))}" '
                           f'src="{png_uri_of_file(p)}">')
        return "\n".join(out) or '<p class="muted">No figures.</p>'

    head = (f"<p>painsim {esc(kind)} of <code>{esc(spec.get('scenario', ''))}</code>"
            + (f" with <code>{esc(json.dumps(spec.get('set')))}</code>" if spec.get("set") else "")
            + f". {esc(spec.get('description', ''))}</p>")
    if kind == "sensitivity":
        rows = _rows(os.path.join(path, "sensitivity.csv"))
        method = rows[0]["method"] if rows else spec.get("method", "")
        body = [head, f"<p>Method: {esc(method)}; {len(spec.get('parameters', []))} keys.</p>"]
        main = "mu_star" if method == "morris" else "ST"
        for m in dict.fromkeys(r["metric"] for r in rows):
            mine = [r for r in rows if r["metric"] == m]
            keys = sorted({r["parameter"] for r in mine},
                          key=lambda k: -_num([r for r in mine if r["parameter"] == k and r["index"] == main][0]["value"]))
            idx = list(dict.fromkeys(r["index"] for r in mine))
            trs = []
            for k in keys:
                cells = [f"<code>{esc(k)}</code>"]
                for ix in idx:
                    r = [x for x in mine if x["parameter"] == k and x["index"] == ix][0]
                    cells.append(f"{fmt(_num(r['value']), 3)} [{fmt(_num(r['ci_low']), 3)}, {fmt(_num(r['ci_high']), 3)}]")
                trs.append(cells)
            body.append(f"<h3>{esc(m)}</h3>" + table(["key"] + [f"{i} [interval]" for i in idx], trs))
        section("indices", "Sensitivity indices", "\n".join(body))
        section("sensitivity_figures", "Sensitivity figures", images())
    elif kind == "trial":
        rows = _rows(os.path.join(path, "trial.csv"))
        animals = _rows(os.path.join(path, "animals.csv"))
        arms = spec.get("arms", [])
        arm_rows = [[esc(a.get("name")), f"<code>{esc(json.dumps(a.get('set', {})))}</code>",
                     str(sum(1 for x in animals if x["arm"] == a.get("name")))] for a in arms]
        body = [head, table(["arm", "overrides", "animals"], arm_rows)]
        trs = [[esc(r["arm"]), esc(r["sex"]), esc(r["metric"]), fmt(_num(r["mean_control"]), 3), fmt(_num(r["mean_arm"]), 3),
                f"{fmt(_num(r['difference']), 3)} [{fmt(_num(r['difference_ci_low']), 3)}, {fmt(_num(r['difference_ci_high']), 3)}]",
                f"{fmt(_num(r['cohens_d']), 3)} [{fmt(_num(r['cohens_d_ci_low']), 3)}, {fmt(_num(r['cohens_d_ci_high']), 3)}]",
                fmt(_num(r["n_per_arm_for_power"]))] for r in rows]
        body.append(table(["arm", "sex", "metric", "control mean", "arm mean", "difference [interval]",
                           "Cohen's d [interval]", "animals per arm for the power asked"], trs))
        section("trial", "Trial: arms and effects", "\n".join(body))
        section("trial_figures", "Trial figure", images())
    elif kind == "calibrate":
        summ = _rows(os.path.join(path, "posterior_summary.csv"))
        gens = _rows(os.path.join(path, "generations.csv"))
        trs = [[f"<code>{esc(r['parameter'])}</code>", fmt(_num(r["mean"]), 4), fmt(_num(r["median"]), 4),
                f"[{fmt(_num(r['q05']), 4)}, {fmt(_num(r['q95']), 4)}]",
                f"[{fmt(_num(r['prior_lo']), 4)}, {fmt(_num(r['prior_hi']), 4)}]"] for r in summ]
        body = [head, f"<p>Targets: <code>{esc(spec.get('targets', ''))}</code>.</p>",
                table(["key", "posterior mean", "median", "90 % interval", "prior range"], trs),
                "<h3>Generations</h3>" + table(["generation", "epsilon", "simulations", "acceptance"],
                                               [[r["generation"], fmt(_num(r["epsilon"]), 4), r["simulations"],
                                                 fmt(_num(r["acceptance_rate"]), 3)] for r in gens])]
        section("posterior", "Posterior", "\n".join(body))
        section("calibrate_figures", "Posterior figures", images())
    done, failed, wall = _members(path)
    section("members", "Members", f"<p>{done} completed, {failed} failed; {wall:.0f} s of member wall time "
            f"(sum over members). Each member is a run folder under <code>members/</code>"
            f"{' (per batch, under <code>sweeps/</code>)' if kind == 'calibrate' else ''}.</p>")
