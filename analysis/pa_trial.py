"""pa_trial — `painsim trial`: an in-silico preclinical trial.

Arms (each a set of scenario overrides: vehicle, doses, timings, perturbations) x sexes x
N animals per arm and sex. Every animal has its own seed (first_seed + its number) and
its own draws of the variability keys (a multiplicative factor on the key's value in
the scenario, log-normal or normal with the coefficient of variation as data, drawn
from design_seed), so arms differ as cohorts of animals do. All animals run as one zip
sweep into DIR. Writes DIR/animals.csv (per animal), DIR/trial.csv (per arm and sex
against the control arm: difference in means with a bootstrap interval, Cohen's d with
a bootstrap interval, animals per arm for the requested power), DIR/trial.h5 and
DIR/figures/trial.png (threshold against day, mean +- SEM per arm, treatment windows
shaded, the effect table beside it).
"""
import json
import math
import os
import types

import numpy as np

import pa_common as pc
import pa_spec
from pa_spec import Failed

KEYS = {"name": pa_spec.REQUIRED, "description": "", "scenario": pa_spec.REQUIRED, "set": {},
        "arms": pa_spec.REQUIRED, "control": None, "animals_per_arm": pa_spec.REQUIRED,
        "sexes": ["male"], "first_seed": 1, "variability": [], "metrics": ["pain_auc_index_day",
                                                                          "min_threshold_g"],
        "design_seed": 1, "bootstrap": 2000, "confidence": 0.95, "power": 0.8, "alpha": 0.05,
        "readout": "pain.withdrawal_threshold_g"}
ARM = {"name": pa_spec.REQUIRED, "set": {}, "windows_day": [], "perturbations": []}
VAR = {"key": pa_spec.REQUIRED, "distribution": "lognormal", "cv": pa_spec.REQUIRED}


def prepare(doc, bridge, work):
    k, p, columns, resolved = pc.read_head(doc, bridge, KEYS, "trial")
    if "sex" in p.base.fixed:
        doc.fail("set.sex", None, raw="the sex of the animals is given by \"sexes\"")
    p.metrics = pc.read_metrics(doc, "metrics", k["metrics"], columns, resolved, p.duration_h)
    p.readout = pa_spec.string(doc, k["readout"], "readout")
    if p.readout not in columns:
        doc.fail("readout", None, raw=pc.no_column(p.readout, columns))
    p.n = pa_spec.number(doc, k["animals_per_arm"], "animals_per_arm", 2, 1000, integer=True)
    sexes = pa_spec.array(doc, k["sexes"], "sexes", 1, 2)
    p.sexes = [pa_spec.string(doc, s, "sexes[%d]" % i, ["male", "female"]) for i, s in enumerate(sexes)]
    if len(set(p.sexes)) != len(p.sexes):
        doc.fail("sexes", None, raw="a sex is listed twice")
    p.first_seed = pa_spec.number(doc, k["first_seed"], "first_seed", 0, 2 ** 53 - 1e6, integer=True)
    p.design_seed = pa_spec.number(doc, k["design_seed"], "design_seed", 0, 2 ** 32 - 1, integer=True)
    p.bootstrap = pa_spec.number(doc, k["bootstrap"], "bootstrap", 100, 100000, integer=True)
    p.confidence = pa_spec.number(doc, k["confidence"], "confidence", 0.5, 0.999)
    p.power = pa_spec.number(doc, k["power"], "power", 0.5, 0.999)
    p.alpha = pa_spec.number(doc, k["alpha"], "alpha", 1e-6, 0.5)
    p.arms = []
    for i, a in enumerate(pa_spec.array(doc, k["arms"], "arms", 2, 32)):
        jp = "arms[%d]" % i
        ak = pa_spec.keys(doc, a, jp, ARM)
        arm = types.SimpleNamespace(name=pa_spec.name(doc, ak["name"], jp + ".name"),
                                    set=pa_spec.overrides(doc, ak["set"], jp + ".set"), windows=[],
                                    perturbations=pa_spec.array(doc, ak["perturbations"], jp + ".perturbations",
                                                                0, 32), jpath=jp)
        for j, x in enumerate(arm.perturbations):
            if not isinstance(x, dict):
                doc.fail("%s.perturbations[%d]" % (jp, j), "a perturbation object (scenarios/README.md, "
                         "\"Perturbations\")", x)
        if arm.name in [x.name for x in p.arms]:
            doc.fail(jp + ".name", None, raw="arm \"%s\" is named twice" % arm.name)
        for key in arm.set:
            if key in p.base.fixed:
                doc.fail(jp + ".set." + key, None, raw="\"%s\" is also fixed by the top-level \"set\"" % key)
            if key == "sex":
                doc.fail(jp + ".set.sex", None, raw="the sex of the animals is given by \"sexes\"")
        for j, w in enumerate(pa_spec.array(doc, ak["windows_day"], jp + ".windows_day", 0, 32)):
            w = pa_spec.array(doc, w, "%s.windows_day[%d]" % (jp, j), 2, 2)
            lo = pa_spec.number(doc, w[0], "%s.windows_day[%d][0]" % (jp, j), 0, p.duration_h / 24)
            hi = pa_spec.number(doc, w[1], "%s.windows_day[%d][1]" % (jp, j), lo, p.duration_h / 24)
            arm.windows.append((lo, hi))
        p.arms.append(arm)
    for a in p.arms:
        if not a.windows and not a.perturbations:
            a.windows = dose_windows(p, bridge, work, a)
    names = [a.name for a in p.arms]
    p.control = names[0] if k["control"] is None else pa_spec.string(doc, k["control"], "control", names)
    p.var = []
    for i, v in enumerate(pa_spec.array(doc, k["variability"], "variability", 0, 30)):
        jp = "variability[%d]" % i
        vk = pa_spec.keys(doc, v, jp, VAR)
        key = pa_spec.scenario_key(doc, vk["key"], jp + ".key")
        if key in p.base.fixed or any(key in a.set for a in p.arms) or key in ("seed", "sex"):
            doc.fail(jp + ".key", None, raw="\"%s\" is also set by \"set\", an arm, or the trial itself: an "
                     "animal's factor would be overwritten" % key)
        if key in [x.key for x in p.var]:
            doc.fail(jp + ".key", None, raw="\"%s\" is listed twice" % key)
        try:
            base_value = pc.key_value(resolved, key)
        except (KeyError, IndexError, TypeError):
            doc.fail(jp + ".key", None, raw="the scenario has no key \"%s\"" % key)
        if isinstance(base_value, bool) or not isinstance(base_value, (int, float)):
            doc.fail(jp + ".key", None, raw="\"%s\" is not a number in the scenario (it is %s)"
                     % (key, json.dumps(base_value)[:60]))
        dist = pa_spec.string(doc, vk["distribution"], jp + ".distribution", ["lognormal", "normal"])
        cv = pa_spec.number(doc, vk["cv"], jp + ".cv", 0, 3 if dist == "lognormal" else 0.5)
        p.var.append(types.SimpleNamespace(key=key, dist=dist, cv=cv, base=float(base_value)))
    design(p, resolved)
    groups(p)
    for g in p.groups:
        g.scenario = write_group_scenario(p, g, work)
        sweep_path = os.path.join(work, "sweep_%s.json" % g.name)
        write_design_sweep(p, g, sweep_path)
        try:
            pc.check_design(bridge, doc, g.jpath, sweep_path)
        except pa_spec.InputError as e:
            raise pa_spec.InputError(str(e).replace(g.scenario, "the scenario with %s" % g.jpath))
    return p


def groups(p):
    """Arms that add perturbations run from their own scenario file (the base with the
    perturbations appended: --set cannot add array elements), each group as its own
    sweep; the others together from the base, in DIR itself."""
    p.groups = []
    base = types.SimpleNamespace(name="base", arm=None, animals=[], jpath="arms", subdir="")
    p.groups.append(base)
    for a in p.arms:
        if a.perturbations:
            p.groups.append(types.SimpleNamespace(name="arm_" + a.name, arm=a, animals=[],
                                                  jpath=a.jpath + ".perturbations", subdir="arm_" + a.name))
    by_arm = {g.arm.name: g for g in p.groups[1:]}
    for i, an in enumerate(p.animals):
        (by_arm.get(an.arm) or base).animals.append(i)
    p.groups = [g for g in p.groups if g.animals]


def write_group_scenario(p, g, folder):
    """The base scenario file of group g in folder (the base itself for the base group)."""
    if g.arm is None:
        return p.base.path
    with open(p.base.path) as f:
        scen = json.load(f)
    scen.setdefault("perturbations", [])
    scen["perturbations"] = list(scen["perturbations"]) + list(g.arm.perturbations)
    path = os.path.join(folder, "%s.scenario.json" % g.name)
    pc.atomic_write(path, json.dumps(scen, indent=1) + "\n")
    return os.path.abspath(path)


def dose_windows(p, bridge, work, arm):
    """An arm's treatment windows when it names none: from the first to the end of the last
    dose (plus its infusion) of every drug course with a dose > 0 in the arm's scenario,
    in days, merged where they overlap."""
    path = os.path.join(work, "arm_resolved.json")
    try:
        bridge.resolve(p.base.path, path, p.base.sets(["%s=%s" % (k, pc.set_text(v)) for k, v in arm.set.items()]))
    except pc.BridgeError as e:
        p.doc.fail(arm.jpath + ".set", None, raw="the arm's scenario does not load: " + e.message)
    with open(path) as f:
        scen = json.load(f)
    spans = []
    for d in scen.get("drugs", []):
        for c in d.get("doses", []):
            if c.get("mg_per_kg", 0) > 0 and c.get("count", 0) > 0:
                t0 = float(c["start_h"])
                t1 = t0 + (int(c["count"]) - 1) * float(c.get("every_h", 0)) + float(c.get("infusion_h", 0) or 0)
                spans.append([t0 / 24.0, min(max(t1, t0 + 1.0), p.duration_h) / 24.0])
    spans.sort()
    out = []
    for w in spans:
        if out and w[0] <= out[-1][1]:
            out[-1][1] = max(out[-1][1], w[1])
        else:
            out.append(w)
    return [tuple(w) for w in out]


def design(p, resolved):
    """p.animals: one record per member (arm-major, then sex, then animal)."""
    rng = np.random.default_rng(p.design_seed)
    p.animals = []
    arm_keys = []
    for a in p.arms:
        for key in a.set:
            if key not in arm_keys:
                arm_keys.append(key)
    p.arm_keys = arm_keys
    p.arm_default = {}
    for key in arm_keys:
        try:
            p.arm_default[key] = pc.key_value(resolved, key)
        except (KeyError, IndexError, TypeError):
            p.arm_default[key] = None       # only some arms set it: the check names the arm
    number = 0
    for a in p.arms:
        for s in p.sexes:
            for j in range(p.n):
                factors = {}
                for v in p.var:
                    z = rng.standard_normal()
                    if v.dist == "lognormal":          # mean 1, CV as given
                        sg = math.sqrt(math.log(1 + v.cv ** 2))
                        f = math.exp(sg * z - 0.5 * sg * sg)
                    else:
                        f = max(1 + v.cv * z, 0.0)
                    factors[v.key] = f
                p.animals.append(types.SimpleNamespace(arm=a.name, sex=s, animal=j, number=number,
                                                       seed=p.first_seed + number, factors=factors,
                                                       set=a.set))
                number += 1


def write_design_sweep(p, g, path):
    params = []
    animals = [p.animals[i] for i in g.animals]
    for key in p.arm_keys:
        vals = []
        for an in animals:
            v = an.set.get(key, p.arm_default[key])
            if v is None:
                raise pa_spec.InputError("%s: arms: \"%s\" is set by some arms and has no value in the scenario "
                                         "for the others; set it in every arm" % (p.doc.path, key))
            vals.append(v)
        params.append((key, vals))
    for v in p.var:
        params.append((v.key, [v.base * an.factors[v.key] for an in animals]))
    params.append(("sex", [an.sex for an in animals]))
    params.append(("seed", [an.seed for an in animals]))
    base = pc.Base(p.doc, g.scenario, p.base.fixed)
    pc.write_sweep(path, p.name, base, params, "painsim trial of %s" % p.base.path)


def execute(p, bridge, out, log):
    pc.atomic_write(os.path.join(out, "analysis.json"), json.dumps(p.doc.root, indent=1) + "\n")
    log("%d arms x %d sex(es) x %d animals = %d members" % (len(p.arms), len(p.sexes), p.n, len(p.animals)))
    rows = [None] * len(p.animals)
    for g in p.groups:
        gdir = os.path.join(out, g.subdir) if g.subdir else out
        os.makedirs(gdir, exist_ok=True)
        g.scenario = write_group_scenario(p, g, gdir)
        sweep_path = os.path.join(gdir, "sweep.json")
        write_design_sweep(p, g, sweep_path)
        for i, r in zip(g.animals, pc.run_sweep(bridge, sweep_path, gdir, log)):
            r["dir"] = os.path.join(g.subdir, r["dir"]) if g.subdir else r["dir"]
            rows[i] = r
    Y = pc.member_metrics(out, rows, p.metrics)
    head = ["animal", "arm", "sex", "index_in_arm", "seed", "status", "dir"] + [v.key for v in p.var] + \
        [m.name for m in p.metrics]
    pc.write_csv(os.path.join(out, "animals.csv"), head,
                 [[an.number, an.arm, an.sex, an.animal, an.seed, rows[i]["status"], rows[i]["dir"]] +
                  [v.base * an.factors[v.key] for v in p.var] + list(Y[i]) for i, an in enumerate(p.animals)])
    failed = [r["dir"] for r in rows if r["status"] != "completed"]
    effects = effect_table(p, Y)
    header = ["arm", "control", "sex", "metric", "n_control", "n_arm", "mean_control", "mean_arm", "difference",
              "difference_ci_low", "difference_ci_high", "cohens_d", "cohens_d_ci_low", "cohens_d_ci_high",
              "n_per_arm_for_power"]
    pc.write_csv(os.path.join(out, "trial.csv"), header, effects)
    curves = time_courses(p, out, rows)
    write_h5(p, out, Y, curves)
    figure(p, out, curves, effects)
    if failed:
        raise Failed(9, "%d animals failed (see %s/sweep.csv); the effects use the others; the same command "
                     "again reruns the failed ones" % (len(failed), out))
    log("done: %s/trial.csv, %s/animals.csv" % (out, out))


def cohen_d(a, b):
    na, nb = len(a), len(b)
    if na < 2 or nb < 2:
        return math.nan
    sp = math.sqrt(((na - 1) * np.var(a, ddof=1) + (nb - 1) * np.var(b, ddof=1)) / (na + nb - 2))
    return (np.mean(b) - np.mean(a)) / sp if sp > 0 else (0.0 if np.mean(b) == np.mean(a) else math.copysign(
        math.inf, np.mean(b) - np.mean(a)))


def n_for_power(d, alpha, power):
    """Animals per arm for a two-sided two-sample t test to reach power at alpha when the
    true standardized effect is d (noncentral t)."""
    import warnings
    from scipy import stats
    warnings.filterwarnings("ignore", category=RuntimeWarning)
    if not math.isfinite(d) or d == 0:
        return math.nan if d == 0 or math.isnan(d) else 2
    for n in range(2, 100001):
        df = 2 * n - 2
        nc = abs(d) * math.sqrt(n / 2.0)
        t = stats.t.ppf(1 - alpha / 2, df)
        pw = 1 - stats.nct.cdf(t, df, nc) + stats.nct.cdf(-t, df, nc)
        if pw >= power:
            return n
        if n > 50 and pw < 1e-3:
            break
    return math.nan


def effect_table(p, Y):
    rng = np.random.default_rng(p.design_seed + 1)
    a_lo, a_hi = (1 - p.confidence) / 2, 1 - (1 - p.confidence) / 2
    rows = []
    groups = (["all"] if len(p.sexes) > 1 else []) + p.sexes
    for arm in p.arms:
        if arm.name == p.control:
            continue
        for sex in groups:
            def sel(name):
                return np.array([i for i, an in enumerate(p.animals) if an.arm == name and
                                 (sex == "all" or an.sex == sex)], int)
            ic, ia = sel(p.control), sel(arm.name)
            for j, m in enumerate(p.metrics):
                c = Y[ic, j][~np.isnan(Y[ic, j])]
                a = Y[ia, j][~np.isnan(Y[ia, j])]
                if len(c) < 2 or len(a) < 2:
                    rows.append([arm.name, p.control, sex, m.name, len(c), len(a)] + [math.nan] * 9)
                    continue
                diff = float(np.mean(a) - np.mean(c))
                d = cohen_d(c, a)
                bc = c[rng.integers(0, len(c), (p.bootstrap, len(c)))]
                ba = a[rng.integers(0, len(a), (p.bootstrap, len(a)))]
                bdiff = ba.mean(1) - bc.mean(1)
                sp = np.sqrt(((len(c) - 1) * bc.var(1, ddof=1) + (len(a) - 1) * ba.var(1, ddof=1)) /
                             (len(c) + len(a) - 2))
                with np.errstate(divide="ignore", invalid="ignore"):
                    bd = np.where(sp > 0, bdiff / sp, 0.0)
                rows.append([arm.name, p.control, sex, m.name, len(c), len(a), float(np.mean(c)), float(np.mean(a)),
                             diff, float(np.quantile(bdiff, a_lo)), float(np.quantile(bdiff, a_hi)), float(d),
                             float(np.quantile(bd, a_lo)), float(np.quantile(bd, a_hi)),
                             n_for_power(d, p.alpha, p.power)])
    return rows


def time_courses(p, out, rows):
    """{(arm, sex): (days, mean, sem, n)} of the readout column."""
    res = {}
    for a in p.arms:
        for s in p.sexes:
            series = []
            t = None
            for i, an in enumerate(p.animals):
                if an.arm != a.name or an.sex != s or rows[i]["status"] != "completed":
                    continue
                tab = pc.read_summary(os.path.join(out, rows[i]["dir"], "summary.csv"))
                t = tab["time_h"] / 24.0
                series.append(tab[p.readout])
            if not series:
                continue
            Yt = np.array(series)
            sem = Yt.std(0, ddof=1) / math.sqrt(len(series)) if len(series) > 1 else np.zeros(len(t))
            res[(a.name, s)] = (t, Yt.mean(0), sem, len(series))
    return res


def write_h5(p, out, Y, curves):
    import h5py

    def write(tmp):
        with h5py.File(tmp, "w") as f:
            f.attrs["scenario"] = p.base.path
            f.attrs["control"] = p.control
            f.attrs["readout"] = p.readout
            f["animals/arm"] = [an.arm for an in p.animals]
            f["animals/sex"] = [an.sex for an in p.animals]
            f["animals/seed"] = [an.seed for an in p.animals]
            for j, m in enumerate(p.metrics):
                f["animals/" + m.name.replace("/", "_")] = Y[:, j]
            for (arm, sex), (t, mu, sem, n) in curves.items():
                g = f.create_group("time_course/%s/%s" % (arm, sex))
                g["day"] = t
                g["mean"] = mu
                g["sem"] = sem
                g.attrs["n"] = n
    pc.atomic_file(os.path.join(out, "trial.h5"), write)


def figure(p, out, curves, effects):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    os.makedirs(os.path.join(out, "figures"), exist_ok=True)
    ns = len(p.sexes)
    fig = plt.figure(figsize=(5.5 * ns + 7, 5.2))
    gs = fig.add_gridspec(1, ns + 1, width_ratios=[1] * ns + [1.15])
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for si, s in enumerate(p.sexes):
        ax = fig.add_subplot(gs[0, si])
        for ai, a in enumerate(p.arms):
            col = colors[ai % len(colors)]
            for lo, hi in a.windows:
                ax.axvspan(lo, hi, color=col, alpha=0.08, lw=0)
            if (a.name, s) not in curves:
                continue
            t, mu, sem, n = curves[(a.name, s)]
            ax.fill_between(t, mu - sem, mu + sem, color=col, alpha=0.25, lw=0)
            ax.plot(t, mu, color=col, lw=1.4, label="%s (n = %d)" % (a.name, n))
        ax.set_xlabel("day after start")
        ax.set_ylabel(p.readout + (" (g)" if p.readout.endswith("_g") else ""))
        ax.set_title("%s, mean ± SEM" % s, fontsize=10)
        ax.legend(fontsize=8)
    ax = fig.add_subplot(gs[0, ns])
    ax.axis("off")
    cells = []
    shown = [m.name for m in p.metrics[:4]]
    for r in effects:
        if r[3] not in shown:
            continue
        cells.append([r[0], r[2], r[3].replace("_index_day", ""), "%s [%s, %s]" % (pc.fmt(r[8]), pc.fmt(r[9]),
                     pc.fmt(r[10])), pc.fmt(r[11], 2), "—" if r[14] != r[14] else "%d" % r[14]])
    if cells:
        tb = ax.table(cellText=cells, colLabels=["arm", "sex", "metric", "Δ vs %s [%d%% CI]" % (
            p.control, round(100 * p.confidence)), "d", "n/arm*"], loc="center", cellLoc="left")
        tb.auto_set_font_size(False)
        tb.set_fontsize(8)
        tb.scale(1, 1.25)
        tb.auto_set_column_width(list(range(6)))
        ax.set_title("Effects against %s (bootstrap intervals)\n*animals per arm for %d%% power, α = %g%s"
                     % (p.control, round(100 * p.power), p.alpha,
                        "" if len(p.metrics) <= 4 else "; first 4 metrics (all in trial.csv)"), fontsize=9)
    fig.tight_layout()
    pc.atomic_savefig(fig, os.path.join(out, "figures", "trial.png"), dpi=130)
    plt.close(fig)
