#!/bin/sh
# test_cli.sh — end-to-end runs of bin/painsim on PoCL:
#   bad input exits 2 with a precise message and writes nothing; an existing run folder
#   is not overwritten without --force; an unwritable output path fails cleanly;
#   the same seed gives bit-identical datasets, another seed does not; the output has
#   every promised file and opens in ParaView with the expected agents, fields and times;
#   PAINSIM_KERNEL_PROFILE prints the time per kernel and changes no result.
set -u
OUT=tests/out/cli
rm -rf "$OUT"
mkdir -p "$OUT"
. tests/lib.sh

# expect_fail NAME EXIT_CODE EXPECTED_SUBSTRING -- painsim args...
expect_fail() {
    name="$1"; code="$2"; want="$3"; shift 4
    bin/painsim "$@" > "$OUT/stdout" 2> "$OUT/stderr"
    rc=$?
    if [ "$rc" -eq "$code" ] && grep -qF -- "$want" "$OUT/stderr"; then
        ok "$name (exit $rc)"
    else
        bad "$name: exit $rc (want $code), stderr: $(cat "$OUT/stderr")"
    fi
}

# --- bad input: message, exit 2, nothing written --------------------------------------
printf '{"name": "x",\n  "time": {"duration_h": 1,}\n}\n' > "$OUT/syntax.json"
expect_fail "syntax error names file:line:column" 2 "$OUT/syntax.json:2:" -- run "$OUT/syntax.json" --out "$OUT/r_syntax"
sed 's/"voxel_um": 20/"voxl_um": 20/' tests/data/tiny.json > "$OUT/typo.json"
expect_fail "unknown key suggests the right one" 2 'did you mean "voxel_um"' -- run "$OUT/typo.json" --out "$OUT/r_typo"
expect_fail "impossible value names the JSON path" 2 "time.dt_min" -- run tests/data/tiny.json --out "$OUT/r_dt" --set time.dt_min=-1
expect_fail "--set on an unknown key" 2 "tissues[0].voxl_um" -- run tests/data/tiny.json --out "$OUT/r_set" --set tissues.nerve.voxl_um=3
expect_fail "missing scenario file" 3 "$OUT/nope.json" -- run "$OUT/nope.json" --out "$OUT/r_nofile"
expect_fail "unknown option" 2 "unknown option '--frobnicate'" -- run tests/data/tiny.json --frobnicate
expect_fail "bad device index" 2 "device 99 does not exist" -- run tests/data/tiny.json --out "$OUT/r_dev" --device 99
for d in r_syntax r_typo r_dt r_set r_nofile r_dev; do
    if [ -e "$OUT/$d" ]; then bad "a failed run left $OUT/$d behind"; else ok "no output left by $d"; fi
done

# --- device problems: a kernel that does not build, a scenario larger than the device ---
rm -rf "$OUT/badkernels" && cp -r kernels "$OUT/badkernels"
echo "this is not OpenCL C;" >> "$OUT/badkernels/fields.cl"
PAINSIM_KERNELS="$OUT/badkernels" bin/painsim run tests/data/tiny.json --out "$OUT/r_kern" --quiet \
    > "$OUT/stdout" 2> "$OUT/stderr"
rc=$?
if [ "$rc" -eq 4 ] && grep -q "badkernels/fields.cl" "$OUT/stderr" && grep -q "options: " "$OUT/stderr" \
        && grep -q -- "--- build log ---" "$OUT/stderr" && grep -q "error" "$OUT/stderr"; then
    ok "kernel build failure names the file, the options and shows the build log (exit 4)"
else
    bad "kernel build failure: exit $rc, $(head -5 "$OUT/stderr")"
fi
# 66 M voxels x 3 fields need about 2.6 GiB (42 B per voxel); PoCL is told it has 1 GiB
POCL_MEMORY_LIMIT=1 bin/painsim run tests/data/tiny.json --out "$OUT/r_mem" --quiet \
    --set tissues.nerve.voxel_um=0.625 > "$OUT/stdout" 2> "$OUT/stderr"
rc=$?
if [ "$rc" -eq 5 ] && grep -q "MiB of device memory, device .* has" "$OUT/stderr"; then
    ok "scenario too large for the device is refused up front with both amounts (exit 5)"
else
    bad "memory refusal: exit $rc, $(cat "$OUT/stderr")"
fi
for d in r_kern r_mem; do
    if [ -e "$OUT/$d" ]; then bad "a failed run left $OUT/$d behind"; else ok "no output left by $d"; fi
done

# --- output folder safety ---------------------------------------------------------------
touch "$OUT/a_file"
expect_fail "output path under a regular file" 3 "$OUT/a_file/run" -- run tests/data/tiny.json --out "$OUT/a_file/run" --quiet

# --- a run, its files, determinism ------------------------------------------------------
if bin/painsim run tests/data/tiny.json --out "$OUT/a" --quiet; then ok "tiny scenario runs"; else bad "tiny scenario failed"; fi
for f in scenario.resolved.json run.json summary.csv summary.h5 snapshots.xmf snapshots/snap_000000.h5 snapshots/snap_000120.h5; do
    if [ -s "$OUT/a/$f" ]; then ok "run folder has $f"; else bad "run folder lacks $f"; fi
done
if ls "$OUT/a" "$OUT/a/snapshots" | grep -q '\.tmp$'; then bad "temporary files left"; else ok "no temporary files left"; fi
head -1 "$OUT/a/summary.csv" | grep -q '^time_h,nerve.neutrophil,' && ok "summary.csv header" || bad "summary.csv header: $(head -1 "$OUT/a/summary.csv")"
[ "$(wc -l < "$OUT/a/summary.csv")" -eq 10 ] && ok "summary.csv has 9 rows (0 to 4 h every 0.5 h)" || bad "summary.csv rows: $(wc -l < "$OUT/a/summary.csv")"

expect_fail "existing run folder is not overwritten" 3 "--force" -- run tests/data/tiny.json --out "$OUT/a" --quiet
bin/painsim run tests/data/tiny.json --out "$OUT/b" --quiet
bin/painsim run tests/data/tiny.json --out "$OUT/c" --quiet --seed 8
same=1
for f in "$OUT"/a/snapshots/*.h5; do
    h5diff "$f" "$OUT/b/snapshots/$(basename "$f")" > /dev/null 2>&1 || same=0
done
cmp -s "$OUT/a/summary.csv" "$OUT/b/summary.csv" || same=0
[ "$same" -eq 1 ] && ok "same seed: every snapshot dataset and summary.csv identical" || bad "same seed gave different output"
if h5diff "$OUT/a/snapshots/snap_000120.h5" "$OUT/c/snapshots/snap_000120.h5" > /dev/null 2>&1; then
    bad "another seed gave identical output"
else
    ok "another seed gives different output"
fi
if bin/painsim run tests/data/tiny.json --out "$OUT/a" --quiet --force; then ok "--force overwrites"; else bad "--force failed"; fi

# --- the kernel profile: on request only, and it changes no result -----------------------
PAINSIM_KERNEL_PROFILE=1 bin/painsim run tests/data/tiny.json --out "$OUT/p" --quiet 2> "$OUT/prof.err"
if grep -q '^kernel profile' "$OUT/prof.err" && grep -Eq '^  agents_move +[0-9]+ ' "$OUT/prof.err" \
        && grep -Eq '^  field_sweep_xy? +[0-9]+ ' "$OUT/prof.err"; then
    ok "PAINSIM_KERNEL_PROFILE=1 prints the time per kernel"
else
    bad "kernel profile missing: $(head -5 "$OUT/prof.err")"
fi
if grep -q 'kernel profile' "$OUT/prof.err" && ! bin/painsim run tests/data/tiny.json --out "$OUT/p0" --quiet 2>&1 | grep -q 'kernel profile'; then
    ok "no kernel profile without PAINSIM_KERNEL_PROFILE"
else
    bad "kernel profile printed unasked (or not at all)"
fi
cmp -s "$OUT/p/summary.csv" "$OUT/b/summary.csv" && ok "a profiled run gives the same summary.csv" || bad "profiling changed the results"

# --- the run folder's content, read back with h5py ----------------------------------------
"$PY" - "$OUT/a" <<'PYEOF' && ok "snapshot layout and summary read back with h5py" || bad "snapshot layout check"
import sys, h5py, numpy as np, csv, json
run = sys.argv[1]
with h5py.File(f"{run}/snapshots/snap_000120.h5", "r") as f:
    assert abs(f.attrs["time_h"] - 4.0) < 1e-9, f.attrs["time_h"]
    nerve = f["tissues/nerve"]
    assert nerve["fields/DAMP"].shape == (10, 10, 20), nerve["fields/DAMP"].shape
    assert nerve["fields/DAMP"].dtype == np.float32
    pos = nerve["agents/position"][...]
    ids = nerve["agents/id"][...]
    assert pos.shape[1] == 3 and len(ids) == pos.shape[0] > 0
    assert len(np.unique(ids)) == len(ids), "duplicate ids"
    assert (pos >= 0).all() and (pos[:, 0] <= 400).all(), "agents outside the nerve"
    drg = f["tissues/drg"]
    assert set(drg["fields"].keys()) == {"TNF", "IL10"}, list(drg["fields"].keys())
    dpos = drg["agents/position"][...]
    # the DRG is drawn beside the nerve: origin x = 400 + 100 um
    assert (dpos[:, 0] >= 500).all() and (dpos[:, 0] <= 700).all(), dpos[:, 0].min()
rows = list(csv.DictReader(open(f"{run}/summary.csv")))
assert float(rows[-1]["time_h"]) == 4.0
assert float(rows[0]["nerve.neutrophil"]) == 300
assert float(rows[-1]["nerve.neutrophil"]) < 300, "neutrophils should die"
assert float(rows[-1]["nerve.DAMP.max_nM"]) > 0
info = json.load(open(f"{run}/run.json"))
assert info["seed"] == 7 and info["steps"] == 120, info
PYEOF

# --- ParaView opens the run --------------------------------------------------------------
n_agents=$("$PY" -c "
import h5py,sys
f=h5py.File('$OUT/a/snapshots/snap_000120.h5','r')
print(sum(f['tissues'][t]['agents/id'].shape[0] for t in f['tissues']))")
if "$PY" viz/headless.py pvpython tests/check_paraview.py "$OUT/a" --agents "$n_agents" --fields DAMP,TNF,IL10 \
        --tissues nerve,drg --times 3 > "$OUT/pv.log" 2>&1; then
    ok "ParaView opens snapshots.xmf: 3 times, $n_agents agents, fields"
else
    bad "ParaView check: $(tail -5 "$OUT/pv.log")"
fi

# --- a tissue whose population dies out still opens (its agent block is left out) ------
if bin/painsim run tests/data/tiny.json --out "$OUT/z" --quiet --set tissues.drg.cells.0.count=0 \
        && "$PY" viz/headless.py pvpython tests/check_paraview.py "$OUT/z" --agents "$("$PY" -c "
import h5py
f=h5py.File('$OUT/z/snapshots/snap_000120.h5','r')
print(f['tissues/nerve/agents/id'].shape[0])")" --fields TNF,IL10 --tissues drg,nerve --times 3 > "$OUT/pvz.log" 2>&1; then
    ok "ParaView opens a run with an empty tissue"
else
    bad "empty tissue run: $(tail -5 "$OUT/pvz.log")"
fi

report test_cli
