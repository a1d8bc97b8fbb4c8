"""pa_calibrate — `painsim calibrate`: ABC-SMC (pyabc) of scenario keys against target data.

Targets: a CSV with the header time_h,column,value,sd (one row per data point: a summary
column of the scenario at a time, the observed value and its uncertainty, > 0). The
distance of a simulation is the root mean square of (simulated - value) / sd over the
points, the simulated value read off summary.csv by linear interpolation in time.
Priors: uniform on [lo, hi], in log when "scale" is "log" (the sampled coordinate is then
log10 of the key). Every particle runs with the file's seed (common random numbers).

Simulations go through the sweep machinery in batches: pyabc's sequential sampler is
replayed (BatchSampler below). When a proposal's simulation is not known yet, the
sampler looks ahead from the same random state for the next `batch` proposals, runs
them as one sweep on every rank, restores the state and goes on; so the accepted
particles are exactly those a single-core pyabc run would accept, batches or ranks
change only how many extra simulations are made. Every simulation is kept
(DIR/sweeps/bNNNN/) and found again by its parameter values, so the same command again
replays the whole inference without rerunning any finished member.

Writes DIR/posterior.csv (last generation: weight, distance, keys), DIR/posterior.h5
(every generation), DIR/generations.csv (epsilon, acceptance), DIR/figures/
posterior_marginals.png, posterior_pairs.png, posterior_predictive.png.
"""
import csv
import json
import math
import os

import numpy as np

import pa_common as pc
import pa_spec

KEYS = {"name": pa_spec.REQUIRED, "description": "", "scenario": pa_spec.REQUIRED, "set": {},
        "seed": 1, "parameters": pa_spec.REQUIRED, "targets": pa_spec.REQUIRED,
        "population_size": 50, "generations": 4, "min_epsilon": 0.0, "batch": 0,
        "design_seed": 1, "predictive_quantiles": [0.05, 0.95]}


class Pending(Exception):
    """A proposal whose simulation has not been run yet."""

    def __init__(self, key):
        super().__init__("pending")
        self.key = key


def prepare(doc, bridge, work):
    k, p, columns, resolved = pc.read_head(doc, bridge, KEYS, "calibrate")
    p.seed = pa_spec.number(doc, k["seed"], "seed", 0, 2 ** 53 - 1, integer=True)
    p.ranges = pc.read_ranges(doc, "parameters", k["parameters"], bridge, p.base, work, p.name)
    p.population = pa_spec.number(doc, k["population_size"], "population_size", 4, 100000, integer=True)
    p.generations = pa_spec.number(doc, k["generations"], "generations", 1, 100, integer=True)
    p.min_epsilon = pa_spec.number(doc, k["min_epsilon"], "min_epsilon", 0, 1e300)
    p.batch = pa_spec.number(doc, k["batch"], "batch", 0, 10000, integer=True) or max(8, 4 * bridge.ranks)
    p.design_seed = pa_spec.number(doc, k["design_seed"], "design_seed", 0, 2 ** 32 - 1, integer=True)
    q = pa_spec.array(doc, k["predictive_quantiles"], "predictive_quantiles", 2, 2)
    p.quantiles = (pa_spec.number(doc, q[0], "predictive_quantiles[0]", 0, 0.5),
                   pa_spec.number(doc, q[1], "predictive_quantiles[1]", 0.5, 1))
    tpath = doc.rel(pa_spec.string(doc, k["targets"], "targets", max_len=1023))
    p.targets_path = tpath
    p.targets = read_targets(doc, tpath, columns, p.duration_h)
    return p


def read_targets(doc, path, columns, duration_h):
    try:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
    except OSError as e:
        doc.fail("targets", None, raw="cannot read %s: %s" % (path, e.strerror))
    want = ["time_h", "column", "value", "sd"]
    if not rows or [c.strip() for c in rows[0]] != want:
        doc.fail("targets", None, raw="%s:1: expected the header %s, got %s" % (path, ",".join(want),
                                 ",".join(rows[0]) if rows else "an empty file"))
    out = []
    for i, r in enumerate(rows[1:], start=2):
        if not r or all(not c.strip() for c in r):
            continue
        if len(r) != 4:
            doc.fail("targets", None, raw="%s:%d: expected 4 fields (time_h,column,value,sd), got %d" % (path, i, len(r)))
        try:
            t, v, sd = float(r[0]), float(r[2]), float(r[3])
        except ValueError:
            doc.fail("targets", None, raw="%s:%d: expected numbers in time_h, value and sd, got %s" % (path, i, ",".join(r)))
        col = r[1].strip()
        if col not in columns:
            doc.fail("targets", None, raw="%s:%d: column: %s" % (path, i, pc.no_column(col, columns)))
        if not (0 <= t <= duration_h) or not math.isfinite(v) or not (sd > 0 and math.isfinite(sd)):
            doc.fail("targets", None, raw="%s:%d: expected 0 <= time_h <= %g (the run's duration), a finite value and "
                                     "sd > 0, got %s" % (path, i, duration_h, ",".join(r)))
        out.append((t, col, v, sd))
    if not out:
        doc.fail("targets", None, raw="%s: expected at least one target row after the header" % path)
    return out


def coord_to_value(r, x):
    return float(10.0 ** x) if r.scale == "log" else float(x)


def value_key(values):
    return tuple(repr(float(v)) for v in values)


class Simulator:
    """Runs simulations in sweeps and remembers each one by its parameter values."""

    def __init__(self, p, bridge, out, log):
        self.p, self.bridge, self.out, self.log = p, bridge, out, log
        self.dir = os.path.join(out, "sweeps")
        os.makedirs(self.dir, exist_ok=True)
        self.cache = {}         # value key -> (member dir, stats dict or None when failed)
        self.n_batches = 0
        for b in sorted(os.listdir(self.dir)):
            csvp = os.path.join(self.dir, b, "sweep.csv")
            if b.startswith("b") and os.path.isfile(csvp):
                self.n_batches = max(self.n_batches, int(b[1:]) + 1)
                self._load(os.path.join(self.dir, b))

    def _load(self, sweep_dir):
        """A batch of an earlier command: its members by their exact values (keys.json;
        sweep.csv prints rounded numbers)."""
        kp = os.path.join(sweep_dir, "keys.json")
        if not os.path.isfile(kp):
            return
        with open(kp) as f:
            keys = [tuple(k) for k in json.load(f)]
        rows = pc.read_sweep_csv(sweep_dir)
        if len(rows) != len(keys):
            return
        for k, r in zip(keys, rows):
            if r["status"] == "completed":
                d = os.path.join(sweep_dir, r["dir"])
                self.cache[k] = (d, self.stats(d))

    def stats(self, member_dir):
        t = pc.read_summary(os.path.join(member_dir, "summary.csv"))
        out = {}
        for i, (th, col, _v, _sd) in enumerate(self.p.targets):
            out["y%d" % i] = float(np.interp(th, t["time_h"], t[col]))
        return out

    def run(self, keys):
        keys = [k for k in dict.fromkeys(keys) if k not in self.cache]
        if not keys:
            return
        b = os.path.join(self.dir, "b%04d" % self.n_batches)
        self.n_batches += 1
        os.makedirs(b, exist_ok=True)
        params = [(r.key, [float(k[j]) for k in keys]) for j, r in enumerate(self.p.ranges)]
        params.append(("seed", [self.p.seed] * len(keys)))
        pc.atomic_write(os.path.join(b, "keys.json"), json.dumps([list(k) for k in keys]) + "\n")
        sw = os.path.join(b, "sweep.json")
        pc.write_sweep(sw, self.p.name, self.p.base, params, "painsim calibrate batch of %s" % self.p.base.path)
        self.log("batch %d: %d simulations (%d known)" % (self.n_batches - 1, len(keys), len(self.cache)))
        rows = pc.run_sweep(self.bridge, sw, b, self.log)
        for k, r in zip(keys, rows):
            d = os.path.join(b, r["dir"])
            self.cache[k] = (d, self.stats(d) if r["status"] == "completed" else None)


def make_sampler(sim, batch):
    import pyabc

    class BatchSampler(pyabc.sampler.Sampler):
        """pyabc's single-core sampler, replayed over batched sweeps (see the module text)."""

        def _look_ahead(self, simulate_one, first):
            keys = [first]
            for _ in range(4 * batch):
                if len(keys) >= batch:
                    break
                try:
                    simulate_one()
                except Pending as e:
                    keys.append(e.key)
            sim.run(keys)

        def sample_until_n_accepted(self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False,
                                    ana_vars=None):
            sample = self._create_empty_sample()
            n_sim = 0
            accepted = 0
            while accepted < n and n_sim < max_eval:
                state = np.random.get_state()
                try:
                    new = simulate_one()
                except Pending as e:
                    self._look_ahead(simulate_one, e.key)
                    np.random.set_state(state)
                    continue
                sample.append(new)
                n_sim += 1
                if new.accepted:
                    accepted += 1
            self.nr_evaluations_ = n_sim
            if sample.n_accepted < n:
                sample.ok = False
            return sample

    return BatchSampler()


def execute(p, bridge, out, log):
    import logging
    import pyabc
    logging.getLogger("ABC").setLevel(logging.INFO if p.verbose else logging.WARNING)
    pc.atomic_write(os.path.join(out, "analysis.json"), json.dumps(p.doc.root, indent=1) + "\n")
    sim = Simulator(p, bridge, out, log)
    names = ["p%d" % i for i in range(len(p.ranges))]
    prior = pyabc.Distribution(**{
        nm: (pyabc.RV("uniform", math.log10(r.lo), math.log10(r.hi) - math.log10(r.lo)) if r.scale == "log"
             else pyabc.RV("uniform", r.lo, r.hi - r.lo)) for nm, r in zip(names, p.ranges)})
    sds = np.array([t[3] for t in p.targets])
    observed = {"y%d" % i: t[2] for i, t in enumerate(p.targets)}

    def values_of(par):
        return [coord_to_value(r, par[nm]) for nm, r in zip(names, p.ranges)]

    def model(par):
        k = value_key(values_of(par))
        if k not in sim.cache:
            raise Pending(k)
        st = sim.cache[k][1]
        if st is None:          # a failed member: infinitely far from the data
            return {y: math.inf for y in observed}
        return st

    def distance(x, x0):
        d = np.array([(x[y] - x0[y]) for y in sorted(x0, key=lambda s: int(s[1:]))]) / sds
        return float(np.sqrt(np.mean(d * d)))

    np.random.seed(p.design_seed)
    db = os.path.join(out, "abc.db")
    for f in (db, db + "-journal"):
        if os.path.exists(f):
            os.unlink(f)        # the inference is replayed from the kept simulations
    abc = pyabc.ABCSMC(model, prior, distance, population_size=p.population, sampler=make_sampler(sim, p.batch))
    abc.new("sqlite:///" + os.path.abspath(db), observed)
    log("ABC-SMC: %d keys, population %d, up to %d generations, %d targets"
        % (len(p.ranges), p.population, p.generations, len(p.targets)))
    hist = abc.run(minimum_epsilon=p.min_epsilon, max_nr_populations=p.generations)
    write_results(p, out, hist, names, sim, lambda st: distance(st, observed))
    log("done: %s/posterior.csv (%d simulations in %d batches)" % (out, len(sim.cache), sim.n_batches))


def write_results(p, out, hist, names, sim, dist_of):
    pops = hist.get_all_populations()
    gens = []
    for _, row in pops.iterrows():
        if row["t"] < 0:
            continue
        gens.append([int(row["t"]), float(row["epsilon"]), int(row["samples"]),
                     p.population / float(row["samples"]) if row["samples"] else math.nan])
    pc.write_csv(os.path.join(out, "generations.csv"), ["generation", "epsilon", "simulations", "acceptance_rate"],
                 gens)
    generations = []            # (t, weights, values in the keys' units, epsilon)
    for t in range(hist.max_t + 1):
        df, w = hist.get_distribution(m=0, t=t)
        vals = np.array([[coord_to_value(r, x) for r, x in zip(p.ranges, rowv)] for rowv in df[names].values])
        generations.append((t, w, vals, float(pops[pops["t"] == t]["epsilon"].iloc[0])))
    import h5py

    def write(tmp):
        with h5py.File(tmp, "w") as f:
            f.attrs["scenario"] = p.base.path
            f.attrs["parameters"] = [r.key for r in p.ranges]
            f.attrs["scales"] = [r.scale for r in p.ranges]
            f.attrs["targets"] = p.targets_path
            for t, w, vals, eps in generations:
                g = f.create_group("generation_%d" % t)
                g["weight"] = w
                g["values"] = vals
                g.attrs["epsilon"] = eps
    pc.atomic_file(os.path.join(out, "posterior.h5"), write)
    _, w, vals, _ = generations[-1]
    dist = []
    for x in vals:
        hit = sim.cache.get(value_key(x))
        dist.append(dist_of(hit[1]) if hit and hit[1] is not None else math.nan)
    rows = [[i, float(w[i]), float(dist[i])] + list(vals[i]) for i in range(len(w))]
    pc.write_csv(os.path.join(out, "posterior.csv"), ["particle", "weight", "distance"] + [r.key for r in p.ranges],
                 rows)
    summary = []
    for j, r in enumerate(p.ranges):
        x = vals[:, j]
        o = np.argsort(x)
        cw = np.cumsum(w[o]) / np.sum(w)
        qs = [float(x[o][np.searchsorted(cw, q)]) for q in (0.05, 0.5, 0.95)]
        mean = float(np.sum(w * x) / np.sum(w))
        summary.append([r.key, mean, qs[1], qs[0], qs[2], r.lo, r.hi])
    pc.write_csv(os.path.join(out, "posterior_summary.csv"),
                 ["parameter", "mean", "median", "q05", "q95", "prior_lo", "prior_hi"], summary)
    figures(p, out, vals, w, sim)


def figures(p, out, vals, w, sim):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fd = os.path.join(out, "figures")
    os.makedirs(fd, exist_ok=True)
    k = len(p.ranges)
    fig, axes = plt.subplots(1, k, figsize=(4 * k, 3.3), squeeze=False)
    for j, r in enumerate(p.ranges):
        ax = axes[0, j]
        bins = np.geomspace(r.lo, r.hi, 21) if r.scale == "log" else np.linspace(r.lo, r.hi, 21)
        ax.hist(vals[:, j], bins=bins, weights=w, density=True, color="tab:blue", alpha=0.8)
        if r.scale == "log":
            ax.set_xscale("log")
        ax.set_xlim(r.lo, r.hi)
        ax.set_xlabel(r.label, fontsize=8)
        ax.set_ylabel("posterior density")
    fig.suptitle("ABC-SMC posterior marginals (prior: uniform%s over the axis)" %
                 (" in log" if any(r.scale == "log" for r in p.ranges) else ""), fontsize=10)
    fig.tight_layout()
    pc.atomic_savefig(fig, os.path.join(fd, "posterior_marginals.png"), dpi=130)
    plt.close(fig)
    if k >= 2:
        fig, axes = plt.subplots(k, k, figsize=(2.6 * k + 1, 2.6 * k + 1), squeeze=False)
        for a in range(k):
            for b in range(k):
                ax = axes[a, b]
                if a == b:
                    ax.hist(vals[:, a], bins=15, weights=w, color="tab:blue")
                elif a > b:
                    ax.scatter(vals[:, b], vals[:, a], s=8 + 200 * w / w.max() * 0.2, alpha=0.6)
                    if p.ranges[b].scale == "log":
                        ax.set_xscale("log")
                    if p.ranges[a].scale == "log":
                        ax.set_yscale("log")
                else:
                    ax.axis("off")
                if a == k - 1:
                    ax.set_xlabel(p.ranges[b].label, fontsize=7)
                if b == 0:
                    ax.set_ylabel(p.ranges[a].label, fontsize=7)
        fig.suptitle("Posterior, pairwise", fontsize=10)
        fig.tight_layout()
        pc.atomic_savefig(fig, os.path.join(fd, "posterior_pairs.png"), dpi=120)
        plt.close(fig)
    # posterior predictive: the accepted particles' own simulations
    cols = list(dict.fromkeys(t[1] for t in p.targets))
    fig, axes = plt.subplots(1, len(cols), figsize=(5 * len(cols), 3.6), squeeze=False)
    curves = []
    for x in vals:
        hit = sim.cache.get(value_key(x))
        if hit and hit[1] is not None:
            curves.append(pc.read_summary(os.path.join(hit[0], "summary.csv")))
        else:
            curves.append(None)
    for ci, col in enumerate(cols):
        ax = axes[0, ci]
        ok = [i for i, c in enumerate(curves) if c is not None]
        if ok:
            t = curves[ok[0]]["time_h"] / 24.0
            Yc = np.array([curves[i][col] for i in ok])
            ww = w[ok] / np.sum(w[ok])
            mean = ww @ Yc
            lo, hi = [], []
            for tj in range(Yc.shape[1]):
                o = np.argsort(Yc[:, tj])
                cw = np.cumsum(ww[o])
                lo.append(Yc[o[min(np.searchsorted(cw, p.quantiles[0]), len(o) - 1)], tj])
                hi.append(Yc[o[min(np.searchsorted(cw, p.quantiles[1]), len(o) - 1)], tj])
            ax.fill_between(t, lo, hi, color="tab:blue", alpha=0.25,
                            label="posterior %d–%d %%" % (round(100 * p.quantiles[0]), round(100 * p.quantiles[1])))
            ax.plot(t, mean, color="tab:blue", label="posterior mean")
        pts = [tg for tg in p.targets if tg[1] == col]
        ax.errorbar([tg[0] / 24 for tg in pts], [tg[2] for tg in pts], yerr=[tg[3] for tg in pts], fmt="o",
                    color="k", capsize=3, label="target ± sd")
        ax.set_xlabel("day")
        ax.set_ylabel(col, fontsize=8)
        ax.legend(fontsize=7)
    fig.suptitle("Posterior predictive check (last generation's particles)", fontsize=10)
    fig.tight_layout()
    pc.atomic_savefig(fig, os.path.join(fd, "posterior_predictive.png"), dpi=130)
    plt.close(fig)
