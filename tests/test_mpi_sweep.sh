#!/bin/sh
# test_mpi_sweep.sh — `painsim sweep` under mpirun with 1, 2 and 4 ranks (4 oversubscribed
# on 2 cores), on PoCL:
#   every member's output equals the single run its "command" column names;
#   the sweep table and every member's summary are the same with 1, 2 and 4 ranks;
#   re-running the command skips completed members and re-runs a removed one;
#   an invalid member and a member that fails while running are recorded, the others
#   complete, and the exit status is 9;
#   a bad sweep file exits 2 naming the file and the JSON path, and writes nothing;
#   the shipped example sweep expands to dose x start day x sex x replicates.
set -u
OUT=tests/out/mpi_sweep
rm -rf "$OUT"
mkdir -p "$OUT"
. tests/mpi_env.sh

# 2 doses x 2 seeds of the JAK scenario, 6 simulated hours each
cat > "$OUT/small.json" <<EOF
{
  "name": "small",
  "scenarios": ["$(pwd)/scenarios/jak_inhibition.json"],
  "parameters": [
    {"key": "drugs.baricitinib.doses[0].mg_per_kg", "values": [0, 0.3]},
    {"key": "drugs.baricitinib.doses[0].start_h", "values": [0]}
  ],
  "set": {"time.duration_h": 6, "time.output_interval_h": 1, "time.snapshot_interval_h": 3},
  "seeds": [1, 2]
}
EOF

for np in 1 2 4; do
    if $MPIRUN -np $np bin/painsim sweep "$OUT/small.json" --out "$OUT/np$np" > "$OUT/np$np.log" 2>&1; then
        ok "sweep with $np rank(s) completes (exit 0)"
    else
        bad "sweep with $np rank(s): exit $?: $(tail -5 "$OUT/np$np.log")"
    fi
done
grep -q "rank 1 (node-local 1)" "$OUT/np2.log" && ok "rank 1 binds a device by its node-local rank" \
    || bad "no node-local binding line in the 2-rank log"

# the member table: 4 completed rows with metrics, identical across rank counts
"$PY" - "$OUT" <<'EOF' && ok "sweep.csv: 4 completed members with metrics, equal for 1, 2 and 4 ranks" || bad "sweep.csv differs or is incomplete"
import csv, sys, math
out = sys.argv[1]
def table(np):
    rows = list(csv.DictReader(open(f"{out}/np{np}/sweep.csv")))
    for r in rows:
        r.pop("wall_s"); r.pop("rank")
        r["command"] = r["command"].replace(f"/np{np}/", "/")
    return rows
t1 = table(1)
assert len(t1) == 4, len(t1)
for r in t1:
    assert r["status"] == "completed", r
    for k in ("min_threshold_g", "min_threshold_day", "pain_auc_index_day", "final_pain_index",
              "peak_macrophage", "peak_macrophage_day"):
        assert r[k] != "" and math.isfinite(float(r[k])), (k, r[k])
    assert 0 < float(r["min_threshold_g"]) <= 4.0, r["min_threshold_g"]
assert [r["seed"] for r in t1] == ["1", "2", "1", "2"]
assert [r["drugs.baricitinib.doses[0].mg_per_kg"] for r in t1] == ["0", "0", "0.3", "0.3"]
for np in (2, 4):
    assert table(np) == t1, np
import h5py
with h5py.File(f"{out}/np1/sweep.h5", "r") as f:
    assert list(f["seed"][:]) == [1, 2, 1, 2]
    assert [s.decode() if isinstance(s, bytes) else s for s in f["status"][:]] == ["completed"] * 4
    assert abs(f["final_pain_index"][0] - float(t1[0]["final_pain_index"])) < 1e-8
EOF

same=1
for m in m0000 m0001 m0002 m0003; do
    for np in 2 4; do
        cmp -s "$OUT/np1/members/$m/summary.csv" "$OUT/np$np/members/$m/summary.csv" || same=0
        h5diff -q "$OUT/np1/members/$m/snapshots/snap_000036.h5" "$OUT/np$np/members/$m/snapshots/snap_000036.h5" || same=0
    done
done
[ $same -eq 1 ] && ok "every member's summary and last snapshot are identical with 1, 2 and 4 ranks" \
    || bad "member outputs differ between rank counts"

# member 3 equals its scenario run alone, with the command sweep.csv gives
cmd=$("$PY" -c "import csv,sys; print(list(csv.DictReader(open('$OUT/np2/sweep.csv')))[3]['command'])")
cmd=$(echo "$cmd" | sed "s#--out [^ ]*#--out $OUT/alone --quiet#")
if eval "bin/$cmd" && cmp -s "$OUT/alone/summary.csv" "$OUT/np2/members/m0003/summary.csv" &&
   h5diff -q "$OUT/alone/snapshots/snap_000036.h5" "$OUT/np2/members/m0003/snapshots/snap_000036.h5" &&
   cmp -s "$OUT/alone/scenario.resolved.json" "$OUT/np2/members/m0003/scenario.resolved.json"; then
    ok "member 3 equals the single run of its command (summary, snapshot, resolved scenario)"
else
    bad "member 3 differs from its single run ($cmd)"
fi

# resume: nothing to do; then one member removed is run again, alone
$MPIRUN -np 2 bin/painsim sweep "$OUT/small.json" --out "$OUT/np2" > "$OUT/resume1.log" 2>&1
rc=$?
grep -q "(0 to run, 4 already complete)" "$OUT/resume1.log" && [ $rc -eq 0 ] \
    && ok "re-running the command skips the 4 completed members" || bad "resume: exit $rc, $(head -3 "$OUT/resume1.log")"
cp "$OUT/np2/members/m0002/summary.csv" "$OUT/m2_before.csv"
rm "$OUT/np2/members/m0002/run.json"
$MPIRUN -np 2 bin/painsim sweep "$OUT/small.json" --out "$OUT/np2" > "$OUT/resume2.log" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -q "(1 to run, 3 already complete)" "$OUT/resume2.log" &&
   grep -q "member 2 of 4 starts" "$OUT/resume2.log" && cmp -s "$OUT/m2_before.csv" "$OUT/np2/members/m0002/summary.csv"; then
    ok "an unfinished member (no run.json) is run again, with the same result"
else
    bad "resume of one member: exit $rc, $(cat "$OUT/resume2.log" | head -5)"
fi

# failing members: one invalid value, one whose run folder cannot be created
cat > "$OUT/failing.json" <<EOF
{
  "name": "failing",
  "scenarios": ["$(pwd)/scenarios/jak_inhibition.json"],
  "parameters": [{"key": "time.dt_min", "values": [10, -1, 5]}],
  "set": {"time.duration_h": 2, "time.output_interval_h": 1, "time.snapshot_interval_h": 2, "drugs.baricitinib.doses[0].start_h": 0}
}
EOF
mkdir -p "$OUT/failing/members"
echo "not a folder" > "$OUT/failing/members/m0002"
$MPIRUN -np 2 bin/painsim sweep "$OUT/failing.json" --out "$OUT/failing" > "$OUT/failing.log" 2>&1
rc=$?
"$PY" - "$OUT/failing/sweep.csv" <<'EOF' && [ $rc -eq 9 ] && ok "failing members recorded with their errors, the other completes, exit 9" || bad "failing sweep: exit $rc, $(tail -3 "$OUT/failing.log")"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert [r["status"] for r in rows] == ["completed", "failed", "failed"], [r["status"] for r in rows]
assert "time.dt_min" in rows[1]["error"] and "-1" in rows[1]["error"], rows[1]["error"]
assert "m0002" in rows[2]["error"], rows[2]["error"]
assert rows[0]["final_pain_index"] != ""
EOF

# a bad sweep file: exit 2, file and JSON path named, nothing written
printf '{"name": "b", "scenarios": ["x.json"], "paramters": []}\n' > "$OUT/bad.json"
bin/painsim sweep "$OUT/bad.json" --out "$OUT/bad" > /dev/null 2> "$OUT/bad.err"
rc=$?
[ $rc -eq 2 ] && grep -qF "$OUT/bad.json: paramters: unknown key (did you mean \"parameters\"?)" "$OUT/bad.err" && [ ! -e "$OUT/bad" ] \
    && ok "unknown key in a sweep file: exit 2, file, path and suggestion, nothing written" \
    || bad "bad sweep file: exit $rc, $(cat "$OUT/bad.err")"
printf '{"name": "b", "scenarios": ["%s/scenarios/jak_inhibition.json"], "parameters": [{"key": "sex", "values": ["male"]}, {"key": "seed_x", "log": {"from": 0, "to": 1, "count": 2}}]}\n' "$(pwd)" > "$OUT/bad2.json"
bin/painsim sweep "$OUT/bad2.json" --out "$OUT/bad2" > /dev/null 2> "$OUT/bad2.err"
rc=$?
[ $rc -eq 2 ] && grep -qF "bad2.json: parameters[1].log.from: expected a number > 0 and <= 1e+300, got 0" "$OUT/bad2.err" && [ ! -e "$OUT/bad2" ] \
    && ok "a log range from 0: exit 2 naming parameters[1].log.from in the scenario loader's message form" || bad "bad log range: exit $rc, $(cat "$OUT/bad2.err")"

# the shipped example
n=$(bin/painsim sweep scenarios/sweeps/jak_dose_start_sex.json --dry-run | tail -1)
[ "$n" = "72 members" ] && ok "the example sweep has 4 doses x 3 start days x 2 sexes x 3 seeds = 72 members" \
    || bad "example sweep: $n"

report test_mpi_sweep checks
