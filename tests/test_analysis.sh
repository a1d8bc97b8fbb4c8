#!/bin/sh
# test_analysis.sh — `painsim sensitivity`, `trial` and `calibrate` on tests/data/pain_small.json
# (the JAK scenario's first hours, 2-3 s a member on PoCL):
#   Morris on a metric with a known answer: the withdrawal threshold is
#   baseline_threshold_g * exp(-S) and S does not depend on the baseline, so with one seed
#   every elementary effect of the baseline over its range [2, 8] g is exactly
#   6 * exp(-S_min) = 6 * min_threshold / baseline; the two tissues' display origins change
#   nothing simulated, so their mu* and sigma are exactly 0;
#   a trial (under mpirun -np 2) whose drug arm has zero dose shows a difference interval
#   containing zero, and one whose arm quadruples the injury weight excludes it; an arm
#   adding a DRG macrophage depletion (its own scenario copy and sweep) lowers their peak;
#   calibration recovers a recruitment rate from data painsim made with it: the truth
#   lies in the 90 % posterior interval, the median within 25 %;
#   every command run again reruns no finished member; a sensitivity run stopped by
#   SIGINT continues with only the members left;
#   bad analysis files exit 2 naming the file and the JSON path, and make no folder.
set -u
OUT=tests/out/analysis
rm -rf "$OUT"
mkdir -p "$OUT"
. tests/mpi_env.sh
ROOT=$(pwd)
SCEN="$ROOT/tests/data/pain_small.json"
# ensure the project environment exists (make deps makes it; the test uses what painsim uses)
if [ ! -x .venv/bin/python3 ] && [ -z "${PAINSIM_PYTHON:-}" ]; then
    bad "no .venv (make deps makes it)"
    report test_analysis checks
    exit 1
fi
VPY=${PAINSIM_PYTHON:-.venv/bin/python3}

# ---- sensitivity: Morris with a known answer --------------------------------------------
cat > "$OUT/morris.json" <<EOF
{
  "name": "morris_known",
  "scenario": "$SCEN",
  "set": {"time.duration_h": 6},
  "seed": 3,
  "method": "morris",
  "morris": {"trajectories": 3, "levels": 4},
  "parameters": [
    {"key": "pain.baseline_threshold_g", "range": [2, 8]},
    {"key": "tissues.nerve.origin_um[0]", "range": [0, 500]},
    {"key": "tissues.drg.origin_um[1]", "range": [10, 1000], "scale": "log"}
  ],
  "metrics": ["min_threshold_g", {"column": "nerve.macrophage", "stat": "mean", "from_day": 0.1}]
}
EOF
# stopped by SIGINT after the first members, then continued
bin/painsim sensitivity "$OUT/morris.json" --out "$OUT/morris" > "$OUT/morris1.log" 2>&1 &
pid=$!
n=0
while [ "$n" -lt 3 ] && kill -0 "$pid" 2>/dev/null; do
    sleep 1
    n=$(grep -c " done on rank" "$OUT/morris1.log")
done
kill -INT "$pid" 2>/dev/null
wait "$pid"
rc1=$?
done1=$(grep -c " done on rank" "$OUT/morris1.log")
bin/painsim sensitivity "$OUT/morris.json" --out "$OUT/morris" > "$OUT/morris2.log" 2>&1
rc=$?
ran2=$(grep -c " done on rank" "$OUT/morris2.log")
total=12
if [ "$rc1" -eq 130 ] && [ "$rc" -eq 0 ] && [ $((done1 + ran2)) -eq "$total" ] && [ "$done1" -ge 1 ]; then
    ok "sensitivity stopped by SIGINT (exit 130 after $done1 members) continues with the other $ran2 of $total"
else
    bad "interrupt and continue: first exit $rc1 after $done1 members, second exit $rc ran $ran2 (of $total)"
    tail -5 "$OUT/morris1.log" "$OUT/morris2.log"
fi
if "$VPY" - "$OUT/morris" <<'EOF'
import csv, math, sys
out = sys.argv[1]
rows = list(csv.DictReader(open(out + "/sensitivity.csv")))
get = lambda m, p, i: float([r for r in rows if r["metric"] == m and r["parameter"] == p and r["index"] == i][0]["value"])
sw = list(csv.DictReader(open(out + "/sweep.csv")))
ratio = [float(r["min_threshold_g"]) / float(r["pain.baseline_threshold_g"]) for r in sw]
want = 6 * ratio[0]
got = get("min_threshold_g", "pain.baseline_threshold_g", "mu_star")
errs = []
# S is the same in every member (one seed; the baseline only scales the readout): the ratio is
# one number up to the CSV's printed digits (9 significant)
if max(ratio) - min(ratio) > 1e-7 * max(ratio):
    errs.append("threshold/baseline varies: %g .. %g" % (min(ratio), max(ratio)))
if abs(got - want) > 1e-6 * want:
    errs.append("mu* of the baseline %r, expected 6 exp(-S_min) = %r" % (got, want))
for p in ("tissues.nerve.origin_um[0]", "tissues.drg.origin_um[1]"):
    for m in ("min_threshold_g", "mean_nerve.macrophage_d0.1_0.25"):
        for i in ("mu_star", "sigma"):
            if get(m, p, i) != 0.0:
                errs.append("%s %s of %s = %r, expected 0" % (m, i, p, get(m, p, i)))
if get("mean_nerve.macrophage_d0.1_0.25", "pain.baseline_threshold_g", "mu_star") != 0.0:
    errs.append("the baseline threshold changed the macrophage count")
import h5py
with h5py.File(out + "/sensitivity.h5") as f:
    if f["design/unit"].shape != (12, 3):
        errs.append("design shape %s" % (f["design/unit"].shape,))
print("\n".join(errs) if errs else "mu* = %.6g = 6 exp(-S_min); display keys 0" % got)
sys.exit(1 if errs else 0)
EOF
then ok "Morris: the baseline's mu* is 6 exp(-S_min), the display origins' mu* and sigma are 0"
else bad "Morris indices"; fi
for f in morris_min_threshold_g.png tornado_min_threshold_g.png; do
    if [ -s "$OUT/morris/figures/$f" ]; then ok "figure $f"; else bad "figure $f missing"; fi
done
bin/painsim sensitivity "$OUT/morris.json" --out "$OUT/morris" > "$OUT/morris3.log" 2>&1
if [ $? -eq 0 ] && ! grep -q " starts on rank" "$OUT/morris3.log"; then ok "sensitivity again: no member rerun"
else bad "sensitivity again reran members"; fi

# ---- trial -----------------------------------------------------------------------------------
cat > "$OUT/trial.json" <<EOF
{
  "name": "trial_small",
  "scenario": "$SCEN",
  "set": {"time.duration_h": 6},
  "animals_per_arm": 3,
  "sexes": ["male"],
  "arms": [
    {"name": "vehicle", "set": {"drugs.baricitinib.doses[0].mg_per_kg": 0}},
    {"name": "zero_dose", "set": {"drugs.baricitinib.doses[0].mg_per_kg": 0}, "windows_day": [[0, 0.25]]},
    {"name": "injury_x4", "set": {"drugs.baricitinib.doses[0].mg_per_kg": 0, "pain.injury_weight": 0.2}},
    {"name": "drg_mac_depleted", "set": {"drugs.baricitinib.doses[0].mg_per_kg": 0},
     "perturbations": [{"kind": "depletion", "type": "macrophage", "tissue": "drg", "rate_per_h": 0.5}]}
  ],
  "variability": [{"key": "tissues.nerve.recruitment[1].rate_per_mm3_per_h", "distribution": "lognormal", "cv": 0.3}],
  "metrics": ["pain_auc_index_day", "min_threshold_g", "peak_macrophage"]
}
EOF
$MPIRUN -np 2 bin/painsim trial "$OUT/trial.json" --out "$OUT/trial" > "$OUT/trial.log" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && "$VPY" - "$OUT/trial" <<'EOF'
import csv, sys
out = sys.argv[1]
t = list(csv.DictReader(open(out + "/trial.csv")))
a = list(csv.DictReader(open(out + "/animals.csv")))
row = lambda arm, m: [r for r in t if r["arm"] == arm and r["metric"] == m and r["sex"] == "male"][0]
errs = []
if len(a) != 12 or len(set(r["seed"] for r in a)) != 12:
    errs.append("%d animals, %d seeds (want 12 distinct)" % (len(a), len(set(r["seed"] for r in a))))
f = [float(r["tissues.nerve.recruitment[1].rate_per_mm3_per_h"]) for r in a]
if len(set(f)) != 12:
    errs.append("the variability draws are not one per animal")
for m in ("pain_auc_index_day", "min_threshold_g"):
    z = row("zero_dose", m)
    if not float(z["difference_ci_low"]) <= 0 <= float(z["difference_ci_high"]):
        errs.append("zero dose %s interval [%s, %s] excludes 0" % (m, z["difference_ci_low"], z["difference_ci_high"]))
    s = row("injury_x4", m)
    if float(s["difference_ci_low"]) <= 0 <= float(s["difference_ci_high"]):
        errs.append("injury x4 %s interval [%s, %s] contains 0" % (m, s["difference_ci_low"], s["difference_ci_high"]))
s = row("injury_x4", "pain_auc_index_day")
if not float(s["difference"]) > 0 or not float(s["cohens_d"]) > 1:
    errs.append("injury x4 raised the pain AUC by %s (d %s)" % (s["difference"], s["cohens_d"]))
# the depletion arm (a perturbation added to its own scenario copy, its own sweep) has fewer
# macrophages at their peak than vehicle
dep = row("drg_mac_depleted", "peak_macrophage")
if not float(dep["difference_ci_high"]) < 0:
    errs.append("DRG macrophage depletion: peak macrophages difference %s [%s, %s]"
                % (dep["difference"], dep["difference_ci_low"], dep["difference_ci_high"]))
if not all(r["status"] == "completed" for r in a) or not any(r["dir"].startswith("arm_drg_mac_depleted/") for r in a):
    errs.append("the depletion arm's animals did not run in arm_drg_mac_depleted/")
ranks = set(r["rank"] for r in csv.DictReader(open(out + "/sweep.csv")))
if ranks != {"0", "1"}:
    errs.append("members ran on ranks %s, want 0 and 1" % sorted(ranks))
print("\n".join(errs) if errs else "zero dose contains 0, injury x4 excludes it (d = %s)" % s["cohens_d"])
sys.exit(1 if errs else 0)
EOF
then ok "trial under mpirun -np 2: zero-dose interval contains 0, the strong arm's excludes it, a depletion arm depletes"
else bad "trial (exit $rc)"; tail -5 "$OUT/trial.log"; fi
if [ -s "$OUT/trial/figures/trial.png" ] && [ -s "$OUT/trial/trial.h5" ]; then ok "trial figure and trial.h5"
else bad "trial figure or trial.h5 missing"; fi
bin/painsim trial "$OUT/trial.json" --out "$OUT/trial" > "$OUT/trial2.log" 2>&1
if [ $? -eq 0 ] && ! grep -q " starts on rank" "$OUT/trial2.log"; then ok "trial again: no member rerun"
else bad "trial again reran members"; fi

# ---- calibrate: recover a parameter from painsim's own data --------------------------------
bin/painsim run "$SCEN" --set time.duration_h=4 --set "tissues.nerve.recruitment[0].rate_per_mm3_per_h=2000" \
    --set seed=1 --out "$OUT/truth" --quiet
"$PY" - "$OUT/truth/summary.csv" "$OUT/targets.csv" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
with open(sys.argv[2], "w") as f:
    f.write("time_h,column,value,sd\n")
    for r in rows:
        if float(r["time_h"]) in (2.0, 4.0):
            v = float(r["nerve.neutrophil"])
            f.write("%s,nerve.neutrophil,%s,%s\n" % (r["time_h"], v, 0.1 * v + 1))
EOF
cat > "$OUT/calibrate.json" <<EOF
{
  "name": "recover",
  "scenario": "$SCEN",
  "set": {"time.duration_h": 4},
  "seed": 1,
  "parameters": [{"key": "tissues.nerve.recruitment[0].rate_per_mm3_per_h", "range": [1000, 4000], "scale": "log"}],
  "targets": "targets.csv",
  "population_size": 8,
  "generations": 2,
  "batch": 8
}
EOF
bin/painsim calibrate "$OUT/calibrate.json" --out "$OUT/cal" > "$OUT/cal.log" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && "$VPY" - "$OUT/cal" <<'EOF'
import csv, sys
r = list(csv.DictReader(open(sys.argv[1] + "/posterior_summary.csv")))[0]
lo, med, hi = float(r["q05"]), float(r["median"]), float(r["q95"])
print("truth 2000, posterior median %.0f, 90%% interval [%.0f, %.0f]" % (med, lo, hi))
sys.exit(0 if lo <= 2000 <= hi and abs(med - 2000) < 500 else 1)
EOF
then ok "calibration recovers the neutrophil recruitment rate (truth in the 90 % interval)"
else bad "calibration (exit $rc)"; tail -5 "$OUT/cal.log"; fi
for f in posterior_marginals.png posterior_predictive.png; do
    if [ -s "$OUT/cal/figures/$f" ]; then ok "figure $f"; else bad "figure $f missing"; fi
done
cp "$OUT/cal/posterior.csv" "$OUT/posterior1.csv"
bin/painsim calibrate "$OUT/calibrate.json" --out "$OUT/cal" > "$OUT/cal2.log" 2>&1
if [ $? -eq 0 ] && ! grep -q " starts on rank" "$OUT/cal2.log" && cmp -s "$OUT/posterior1.csv" "$OUT/cal/posterior.csv"
then ok "calibrate again: the same posterior, no member rerun"
else bad "calibrate again reran members or changed the posterior"; fi

# ---- painsim report on the three folders ---------------------------------------------------
for d in morris:Sensitivity trial:Trial cal:Posterior; do
    dir=${d%%:*}
    want=${d#*:}
    if bin/painsim report "$OUT/$dir" > /dev/null 2>&1 && grep -q "<h2 id=\"[a-z_]*\">$want" "$OUT/$dir/report.html" &&
        grep -q "data:image/png;base64" "$OUT/$dir/report.html"; then
        ok "painsim report $dir: its section ($want) and figures"
    else
        bad "painsim report $dir"
    fi
done

# ---- bad input: exit 2, the file and the JSON path, no folder ----------------------------
badcase() {   # name, expected text, JSON
    printf '%s\n' "$3" > "$OUT/bad_$1.json"
    cmd=$(printf '%s' "$3" | grep -q '"targets"' && echo calibrate || echo sensitivity)
    bin/painsim "$cmd" "$OUT/bad_$1.json" --out "$OUT/bad_$1" > "$OUT/bad_$1.log" 2>&1
    rc=$?
    if [ "$rc" -eq 2 ] && grep -qF "$2" "$OUT/bad_$1.log" && grep -qF "bad_$1.json" "$OUT/bad_$1.log" &&
        [ ! -e "$OUT/bad_$1" ]; then
        ok "bad input ($1): exit 2, '$2', no folder"
    else
        bad "bad input ($1): exit $rc, $(tail -1 "$OUT/bad_$1.log")"
    fi
}
P='"parameters": [{"key": "pain.baseline_threshold_g", "range": [2, 8]}, {"key": "pain.injury_weight", "range": [0.01, 0.1]}]'
badcase unknown_key 'metrcs: unknown key "metrcs" (did you mean "metrics"?)' \
    "{\"name\": \"b\", \"scenario\": \"$SCEN\", \"method\": \"morris\", $P, \"metrics\": [\"min_threshold_g\"], \"metrcs\": 1}"
badcase range 'parameters[1].range[1]: pain.baseline_threshold_g = 800 is not a value the scenario accepts' \
    "{\"name\": \"b\", \"scenario\": \"$SCEN\", \"method\": \"morris\", \"parameters\": [{\"key\": \"pain.injury_weight\", \"range\": [0.01, 0.1]}, {\"key\": \"pain.baseline_threshold_g\", \"range\": [2, 800]}], \"metrics\": [\"min_threshold_g\"]}"
badcase samples 'morris.trajectories: expected an integer >= 3' \
    "{\"name\": \"b\", \"scenario\": \"$SCEN\", \"method\": \"morris\", $P, \"metrics\": [\"min_threshold_g\"], \"morris\": {\"trajectories\": 1}}"
badcase sobol_n 'sobol.base_samples: expected a power of 2' \
    "{\"name\": \"b\", \"scenario\": \"$SCEN\", \"method\": \"sobol\", \"parameters\": [{\"key\": \"pain.baseline_threshold_g\", \"range\": [2, 8]}, {\"key\": \"pain.injury_weight\", \"range\": [0.01, 0.1]}], \"metrics\": [\"min_threshold_g\"], \"sobol\": {\"base_samples\": 20}}"
badcase metric_column 'the scenario writes no summary column "nerve.macrophages" (did you mean "nerve.macrophage"?)' \
    "{\"name\": \"b\", \"scenario\": \"$SCEN\", \"method\": \"morris\", $P, \"metrics\": [{\"column\": \"nerve.macrophages\"}]}"
printf 'time_h,column,value,sd\n2,nerve.neutrophils,10,1\n' > "$OUT/bad_targets.csv"
badcase target_column 'the scenario writes no summary column "nerve.neutrophils"' \
    "{\"name\": \"b\", \"scenario\": \"$SCEN\", $P, \"targets\": \"bad_targets.csv\"}"
# the error names the targets file (not the analysis file) for a bad row: check that separately
if grep -qF "bad_targets.csv:2: column:" "$OUT/bad_target_column.log"; then ok "a bad target row names the CSV and its line"
else bad "target row message: $(tail -1 "$OUT/bad_target_column.log")"; fi

report test_analysis checks
