"""pa_sensitivity — `painsim sensitivity`: Morris screening and Sobol indices (SALib).

The design is made in unit coordinates u in [0, 1]^k (log-scaled keys in log space), so
elementary effects are per whole range and comparable between keys. Members run as one
zip sweep into DIR (DIR/sweep.json, DIR/members/); the design is deterministic (the
file's design_seed), so the same command again reruns only unfinished members.
Writes DIR/sensitivity.csv, DIR/sensitivity.h5, DIR/design.csv and DIR/figures/.
"""
import json
import math
import os

import numpy as np

import pa_common as pc
import pa_spec
from pa_spec import Failed

KEYS = {"name": pa_spec.REQUIRED, "description": "", "scenario": pa_spec.REQUIRED, "set": {},
        "seed": None, "method": pa_spec.REQUIRED, "parameters": pa_spec.REQUIRED,
        "metrics": pa_spec.REQUIRED, "morris": {}, "sobol": {}, "design_seed": 1,
        "bootstrap": 1000, "confidence": 0.95}
MORRIS = {"trajectories": 10, "levels": 4}
SOBOL = {"base_samples": 64}


def prepare(doc, bridge, work):
    k, p, columns, resolved = pc.read_head(doc, bridge, KEYS, "sensitivity")
    duration_h = p.duration_h
    p.seed = None if k["seed"] is None else pa_spec.number(doc, k["seed"], "seed", 0, 2 ** 53 - 1, integer=True)
    p.method = pa_spec.string(doc, k["method"], "method", ["morris", "sobol"])
    p.metrics = pc.read_metrics(doc, "metrics", k["metrics"], columns, resolved, duration_h)
    p.ranges = pc.read_ranges(doc, "parameters", k["parameters"], bridge, p.base, work, p.name,
                              lo_n=2)
    p.design_seed = pa_spec.number(doc, k["design_seed"], "design_seed", 0, 2 ** 32 - 1, integer=True)
    p.bootstrap = pa_spec.number(doc, k["bootstrap"], "bootstrap", 100, 100000, integer=True)
    p.confidence = pa_spec.number(doc, k["confidence"], "confidence", 0.5, 0.999)
    nk = len(p.ranges)
    if p.method == "morris":
        if k["sobol"]:
            doc.fail("sobol", None, raw="\"sobol\" settings are given but \"method\" is \"morris\"")
        m = pa_spec.keys(doc, k["morris"], "morris", MORRIS)
        # sigma needs two effects per key, and its bootstrap interval a few more
        p.trajectories = pa_spec.number(doc, m["trajectories"], "morris.trajectories", 3, 1000, integer=True)
        p.levels = pa_spec.number(doc, m["levels"], "morris.levels", 2, 64, integer=True)
        if p.levels % 2:
            doc.fail("morris.levels", "an even number of levels (Morris' design jumps by levels/2)", p.levels)
        n = p.trajectories * (nk + 1)
    else:
        if k["morris"]:
            doc.fail("morris", None, raw="\"morris\" settings are given but \"method\" is \"sobol\"")
        s = pa_spec.keys(doc, k["sobol"], "sobol", SOBOL)
        p.base_samples = pa_spec.number(doc, s["base_samples"], "sobol.base_samples", 16, 8192, integer=True)
        if p.base_samples & (p.base_samples - 1):
            doc.fail("sobol.base_samples", "a power of 2 >= 16 (Saltelli's design on the Sobol' sequence)",
                     p.base_samples)
        n = p.base_samples * (nk + 2)
    if n > pc.MAX_MEMBERS:
        doc.fail("parameters", None, raw="the design has %d members, more than a sweep's %d; fewer keys, "
                 "trajectories or base samples" % (n, pc.MAX_MEMBERS))
    p.problem = {"num_vars": nk, "names": [r.key for r in p.ranges], "bounds": [[0.0, 1.0]] * nk}
    p.U = design(p)
    p.X = np.array([[r.value(u) for r, u in zip(p.ranges, row)] for row in p.U])
    sweep_path = os.path.join(work, "sweep.json")
    write_design_sweep(p, sweep_path)
    pc.check_design(bridge, doc, "parameters", sweep_path)
    return p


def design(p):
    if p.method == "morris":
        from SALib.sample import morris as ms
        return ms.sample(p.problem, p.trajectories, num_levels=p.levels, seed=p.design_seed)
    from SALib.sample import saltelli
    return saltelli.sample(p.problem, p.base_samples, calc_second_order=False)


def write_design_sweep(p, path):
    params = [(r.key, [float(x) for x in p.X[:, j]]) for j, r in enumerate(p.ranges)]
    if p.seed is not None:
        params.append(("seed", [p.seed] * len(p.X)))
    pc.write_sweep(path, p.name, p.base, params, "painsim sensitivity (%s) of %s" % (p.method, p.base.path))


def execute(p, bridge, out, log):
    pc.atomic_write(os.path.join(out, "analysis.json"), json.dumps(p.doc.root, indent=1) + "\n")
    pc.write_csv(os.path.join(out, "design.csv"), ["member"] + ["u." + r.key for r in p.ranges] +
                 [r.key for r in p.ranges], [[i] + list(p.U[i]) + list(p.X[i]) for i in range(len(p.X))])
    sweep_path = os.path.join(out, "sweep.json")
    write_design_sweep(p, sweep_path)
    log("%s design: %d keys, %d members" % (p.method, len(p.ranges), len(p.X)))
    rows = pc.run_sweep(bridge, sweep_path, out, log)
    Y = pc.member_metrics(out, rows, p.metrics)
    bad = [i for i in range(len(rows)) if np.isnan(Y[i]).any()]
    if bad:
        raise Failed(9, "%d members have no value of some metric (failed members, or a window without rows): "
                     "%s; see %s/sweep.csv; the same command again reruns failed members"
                     % (len(bad), ", ".join("m%d" % i for i in bad[:10]), out))
    results = analyze(p, Y)
    write_results(p, out, Y, results)
    figures(p, out, results)
    wall = sum(float(r["wall_s"]) for r in rows if r.get("wall_s"))
    log("done: %s/sensitivity.csv (%d members, %.0f s of member wall time)" % (out, len(rows), wall))


def analyze(p, Y):
    """{metric: {index: (values, ci_low, ci_high)}} per key."""
    res = {}
    for j, m in enumerate(p.metrics):
        y = np.ascontiguousarray(Y[:, j])
        if p.method == "morris":
            res[m.name] = morris(p, y)
        else:
            res[m.name] = sobol(p, y)
    return res


def morris(p, y):
    from SALib.analyze import morris as ma
    si = ma.analyze(p.problem, p.U, y, num_resamples=p.bootstrap, conf_level=p.confidence,
                    num_levels=p.levels, seed=p.design_seed + 1)
    mu_star = np.asarray(si["mu_star"], float)
    conf = np.asarray(si["mu_star_conf"], float)
    mu = np.asarray(si["mu"], float)
    sigma = np.asarray(si["sigma"], float)
    # sigma's interval: the same bootstrap over trajectories that SALib does for mu*,
    # on SALib's elementary effects
    delta = p.levels / (2.0 * (p.levels - 1))
    ee = ma._compute_elementary_effects(p.U, y, len(p.ranges) + 1, delta)   # [k][r]
    rng = np.random.default_rng(p.design_seed + 2)
    r = ee.shape[1]
    idx = rng.integers(0, r, size=(p.bootstrap, r))
    boot = ee[:, idx].std(axis=2, ddof=1)                                   # [k][B]
    a = (1 - p.confidence) / 2
    s_lo, s_hi = np.quantile(boot, a, axis=1), np.quantile(boot, 1 - a, axis=1)
    mu_b = ee[:, idx].mean(axis=2)
    return {"mu_star": (mu_star, np.maximum(mu_star - conf, 0), mu_star + conf),
            "sigma": (sigma, s_lo, s_hi),
            "mu": (mu, np.quantile(mu_b, a, axis=1), np.quantile(mu_b, 1 - a, axis=1))}


def sobol(p, y):
    from SALib.analyze import sobol as sa
    k = len(p.ranges)
    if not np.var(y) > 0:
        nan = np.full(k, math.nan)
        return {"S1": (nan, nan, nan), "ST": (nan, nan, nan)}
    si = sa.analyze(p.problem, y, calc_second_order=False, num_resamples=p.bootstrap,
                    conf_level=p.confidence, seed=p.design_seed + 1)
    out = {}
    for ix in ("S1", "ST"):
        v = np.asarray(si[ix], float)
        c = np.asarray(si[ix + "_conf"], float)
        out[ix] = (v, v - c, v + c)
    return out


def write_results(p, out, Y, results):
    rows = []
    for m in p.metrics:
        for ix, (v, lo, hi) in results[m.name].items():
            for j, r in enumerate(p.ranges):
                rows.append([m.name, r.key, p.method, ix, float(v[j]), float(lo[j]), float(hi[j])])
    pc.write_csv(os.path.join(out, "sensitivity.csv"),
                 ["metric", "parameter", "method", "index", "value", "ci_low", "ci_high"], rows)
    import h5py

    def write(tmp):
        with h5py.File(tmp, "w") as f:
            f.attrs["method"] = p.method
            f.attrs["scenario"] = p.base.path
            f.attrs["parameters"] = [r.key for r in p.ranges]
            f.attrs["scales"] = [r.scale for r in p.ranges]
            f.attrs["confidence"] = p.confidence
            f.attrs["bootstrap"] = p.bootstrap
            f["design/unit"] = p.U
            f["design/values"] = p.X
            f["design/lo"] = [r.lo for r in p.ranges]
            f["design/hi"] = [r.hi for r in p.ranges]
            for j, m in enumerate(p.metrics):
                g = f.create_group("metrics/" + m.name.replace("/", "_"))
                g["output"] = Y[:, j]
                for ix, (v, lo, hi) in results[m.name].items():
                    g[ix] = v
                    g[ix + "_ci_low"] = lo
                    g[ix + "_ci_high"] = hi
    pc.atomic_file(os.path.join(out, "sensitivity.h5"), write)


def figures(p, out, results):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fd = os.path.join(out, "figures")
    os.makedirs(fd, exist_ok=True)
    keys = [r.label for r in p.ranges]
    for m in p.metrics:
        res = results[m.name]
        safe = m.name.replace("/", "_")
        if p.method == "morris":
            v, lo, hi = res["mu_star"]
            s, slo, shi = res["sigma"]
            fig, ax = plt.subplots(figsize=(7, 5.5))
            ax.errorbar(v, s, xerr=[v - lo, hi - v], yerr=[s - slo, shi - s], fmt="o", ms=5, capsize=2,
                        color="tab:blue", ecolor="0.6")
            for j in np.argsort(-v)[:8]:
                ax.annotate(keys[j], (v[j], s[j]), fontsize=7, xytext=(4, 3), textcoords="offset points")
            top = max(float(np.nanmax(hi)) if len(hi) else 1, float(np.nanmax(shi)) if len(shi) else 1, 1e-12)
            ax.plot([0, top], [0, top], ls=":", color="0.5", lw=0.8, label="σ = μ*")
            ax.set_xlabel("μ* (mean |elementary effect| per whole range), %s" % m.name)
            ax.set_ylabel("σ (spread of the effects: interactions, nonlinearity)")
            ax.set_title("Morris screening, %d trajectories × %d levels (%d%% intervals)"
                         % (p.trajectories, p.levels, round(100 * p.confidence)), fontsize=10)
            ax.set_xlim(left=0)
            ax.set_ylim(bottom=0)
            ax.legend(fontsize=8, loc="upper left")
            fig.tight_layout()
            pc.atomic_savefig(fig, os.path.join(fd, "morris_%s.png" % safe), dpi=130)
            plt.close(fig)
            tv, tlo, thi = res["mu"]
            label = "μ (signed mean elementary effect per whole range)"
        else:
            v1, lo1, hi1 = res["S1"]
            vt, lot, hit = res["ST"]
            fig, ax = plt.subplots(figsize=(7, 0.5 + 0.45 * len(keys) + 1))
            y = np.arange(len(keys))
            ax.barh(y - 0.2, v1, 0.4, xerr=[v1 - lo1, hi1 - v1], label="first order S1", color="tab:blue",
                    capsize=2)
            ax.barh(y + 0.2, vt, 0.4, xerr=[vt - lot, hit - vt], label="total ST", color="tab:orange", capsize=2)
            ax.set_yticks(y, keys, fontsize=8)
            ax.invert_yaxis()
            ax.axvline(0, color="0.3", lw=0.8)
            ax.set_xlabel("Sobol index of %s (%d%% intervals)" % (m.name, round(100 * p.confidence)))
            ax.set_title("Sobol indices, Saltelli design N = %d (%d members)" % (p.base_samples, len(p.X)),
                         fontsize=10)
            ax.legend(fontsize=8)
            fig.tight_layout()
            pc.atomic_savefig(fig, os.path.join(fd, "sobol_%s.png" % safe), dpi=130)
            plt.close(fig)
            v, tv, tlo, thi = vt, vt, lot, hit
            label = "total Sobol index ST"
        order = np.argsort(-np.nan_to_num(np.abs(tv)))[:10]
        fig, ax = plt.subplots(figsize=(7, 0.6 + 0.42 * len(order) + 1))
        yy = np.arange(len(order))
        colors = ["tab:red" if tv[j] > 0 else "tab:blue" for j in order]
        ax.barh(yy, tv[order], color=colors, xerr=[tv[order] - tlo[order], thi[order] - tv[order]], capsize=2)
        ax.set_yticks(yy, [keys[j] for j in order], fontsize=8)
        ax.invert_yaxis()
        ax.axvline(0, color="0.3", lw=0.8)
        ax.set_xlabel(label)
        ax.set_title("Top keys for %s (red: raises it, blue: lowers it)" % m.name if p.method == "morris"
                     else "Top keys for %s" % m.name, fontsize=10)
        fig.tight_layout()
        pc.atomic_savefig(fig, os.path.join(fd, "tornado_%s.png" % safe), dpi=130)
        plt.close(fig)
