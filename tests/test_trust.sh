#!/bin/sh
# test_trust.sh — faults injected into real runs on PoCL, and what must survive them:
#   kill -9 during a run with --checkpoint-every, `painsim resume`: the output equals an
#     uninterrupted run bit for bit (summary.csv, snapshots.xmf, every snapshot); the same
#     for a run decomposed over 2 ranks (per-rank checkpoints, compare_runs.py);
#   SIGTERM: the step finishes, a checkpoint is written, exit 130 with the resume command;
#     resume gives the same bits;
#   SIGTERM to a sweep under mpirun with 2 ranks: running the command again continues the
#     interrupted members from their checkpoints; a member equals its single run;
#   a full disk (a small tmpfs): exit 3 naming the file and "No space left", snapshots
#     already written stay readable, no temporary file is left;
#   numerical guards: a region source that overflows (NaN), and NaNs planted in a
#     checkpoint's field and in an agent's variable: exit 6 naming step, tissue, field or
#     agent and the likely cause;
#   resume without a checkpoint, or of another scenario's checkpoint: a clear refusal.
set -u
OUT=tests/out/trust
rm -rf "$OUT"
mkdir -p "$OUT"
. tests/mpi_env.sh

JAK="scenarios/jak_inhibition.json --set time.duration_h=24 --set time.snapshot_interval_h=12 \
     --set drugs.baricitinib.doses[0].start_h=0"

# same_run A B: summary.csv, snapshots.xmf and every snapshot identical
same_run() {
    cmp -s "$1/summary.csv" "$2/summary.csv" || return 1
    cmp -s "$1/snapshots.xmf" "$2/snapshots.xmf" || return 1
    for f in "$1"/snapshots/*.h5; do
        h5diff -q "$f" "$2/snapshots/$(basename "$f")" > /dev/null 2>&1 || return 1
    done
    [ "$(ls "$1/snapshots" | wc -l)" -eq "$(ls "$2/snapshots" | wc -l)" ]
}

# wait_for FILE SECONDS
wait_for() {
    i=0
    while [ ! -e "$1" ] && [ $i -lt $(( $2 * 10 )) ]; do sleep 0.1; i=$((i + 1)); done
    [ -e "$1" ]
}

bin/painsim run $JAK --out "$OUT/ref" --quiet || bad "reference run"

# --- kill -9, resume -------------------------------------------------------------------
bin/painsim run $JAK --out "$OUT/kill9" --checkpoint-every 4 --quiet &
pid=$!
wait_for "$OUT/kill9/checkpoint_b.h5" 60
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
ls "$OUT/kill9"/*.tmp > /dev/null 2>&1 && bad "a temporary file was left by kill -9 (harmless, but a checkpoint was being written)"
if bin/painsim resume "$OUT/kill9" --quiet 2> "$OUT/kill9.err" && same_run "$OUT/ref" "$OUT/kill9"; then
    ok "kill -9 after the second checkpoint, resume: identical to the uninterrupted run"
else
    bad "kill -9 / resume: $(cat "$OUT/kill9.err")"
fi

# --- kill -9 of a decomposed run on 2 ranks, resume on 2 ranks ----------------------------
$MPIRUN -np 2 bin/painsim run $JAK --out "$OUT/dkill" --decompose --checkpoint-every 4 --quiet > /dev/null 2>&1 &
pid=$!
wait_for "$OUT/dkill/checkpoint_b.rank1.h5" 90
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
if $MPIRUN -np 2 bin/painsim resume "$OUT/dkill" --decompose --quiet > "$OUT/dkill.log" 2>&1 &&
   "$PY" tests/compare_runs.py "$OUT/ref" "$OUT/dkill" > "$OUT/dkill.cmp" 2>&1; then
    ok "kill -9 of a 2-rank decomposed run, resume on 2 ranks: $(head -1 "$OUT/dkill.cmp")"
else
    bad "decomposed kill -9 / resume: $(tail -3 "$OUT/dkill.log") $(cat "$OUT/dkill.cmp" 2>/dev/null)"
fi

# --- SIGTERM ------------------------------------------------------------------------------
# 96 h, not the 24 h of $JAK: the signal must find the run still stepping, and 24 h now
# take about 2 s after the first snapshot, close to the second the test waits
TERM_RUN="scenarios/jak_inhibition.json --set time.duration_h=96 --set time.snapshot_interval_h=48 \
     --set drugs.baricitinib.doses[0].start_h=0"
bin/painsim run $TERM_RUN --out "$OUT/ref96" --quiet || bad "reference run, 96 h"
bin/painsim run $TERM_RUN --out "$OUT/term" --quiet 2> "$OUT/term.err" &
pid=$!
wait_for "$OUT/term/snapshots/snap_000000.h5" 60
sleep 1
kill -TERM $pid
wait $pid
rc=$?
if [ $rc -eq 130 ] && grep -q "stopped by a signal after step .*painsim resume $OUT/term" "$OUT/term.err"; then
    ok "SIGTERM: exit 130, checkpoint written, message gives the resume command"
else
    bad "SIGTERM: exit $rc, $(cat "$OUT/term.err")"
fi
if bin/painsim resume "$OUT/term" --quiet && same_run "$OUT/ref96" "$OUT/term"; then
    ok "resume after SIGTERM: identical to the uninterrupted run"
else
    bad "resume after SIGTERM differs"
fi

# --- a sweep stopped by SIGTERM, continued member by member ---------------------------------
cat > "$OUT/sweep.json" <<EOF
{
  "name": "trust",
  "scenarios": ["$(pwd)/scenarios/jak_inhibition.json"],
  "parameters": [{"key": "drugs.baricitinib.doses[0].mg_per_kg", "values": [50, 0.3]}],
  "set": {"time.duration_h": 24, "time.snapshot_interval_h": 12, "drugs.baricitinib.doses[0].start_h": 0}
}
EOF
$MPIRUN -np 2 bin/painsim sweep "$OUT/sweep.json" --out "$OUT/sweep" --checkpoint-every 2 > "$OUT/sweep1.log" 2>&1 &
pid=$!
wait_for "$OUT/sweep/members/m0000/checkpoint_b.h5" 90
kill -TERM $pid
wait $pid
rc=$?
$MPIRUN -np 2 bin/painsim sweep "$OUT/sweep.json" --out "$OUT/sweep" --checkpoint-every 2 > "$OUT/sweep2.log" 2>&1
rc2=$?
if [ $rc -ne 0 ] && [ $rc2 -eq 0 ] && grep -q "continues from its checkpoint" "$OUT/sweep2.log" &&
   same_run "$OUT/ref" "$OUT/sweep/members/m0000"; then
    ok "sweep stopped by SIGTERM (exit $rc), run again: members continue from their checkpoints; member 0 equals its single run"
else
    bad "sweep resume: first exit $rc, second $rc2; $(tail -3 "$OUT/sweep2.log")"
fi

# --- a full disk ----------------------------------------------------------------------------
# A small tmpfs (the tests run as root, as in CI): snapshots of tiny.json are ~80-90 kB and
# its checkpoint ~85 kB. 200 kB hold the first snapshot, the summary and the first
# checkpoint, not the second snapshot; 60 kB not even the first snapshot.
# full_disk NAME KB -- painsim args: runs painsim with --out on a fresh tmpfs of KB kB
full_disk() {
    name="$1"; kb="$2"; shift 3
    mkdir -p "$OUT/$name"
    if ! mount -t tmpfs -o size=${kb}k tmpfs "$OUT/$name" 2> "$OUT/$name.mount"; then
        bad "$name: cannot mount a tmpfs to fill ($(cat "$OUT/$name.mount")): this check needs root"
        return 1
    fi
    bin/painsim "$@" --out "$OUT/$name/run" 2> "$OUT/$name.err"
    rc=$?
    ls -R "$OUT/$name" > "$OUT/$name.files"
    h5dump -H "$OUT/$name/run/snapshots/snap_000000.h5" > /dev/null 2>&1
    snap_ok=$?
    umount "$OUT/$name"
    return 0
}
if full_disk full 200 -- run tests/data/tiny.json --checkpoint-every 1 --quiet; then
    if [ $rc -eq 3 ] && grep -q "\.h5: cannot write: No space left on device" "$OUT/full.err" &&
       [ $snap_ok -eq 0 ] && ! grep -q "\.tmp" "$OUT/full.files"; then
        ok "disk full during a run with checkpoints: exit 3 naming the file ($(grep -o '[a-z_0-9]*\.h5: cannot' "$OUT/full.err")), the first snapshot readable, no temporary file left"
    else
        bad "full disk: exit $rc, $(cat "$OUT/full.err"), snapshot readable: $snap_ok, files: $(tr '\n' ' ' < "$OUT/full.files")"
    fi
fi
if full_disk full2 60 -- run tests/data/tiny.json --quiet; then
    if [ $rc -eq 3 ] && grep -q "snap_000000.h5: cannot write" "$OUT/full2.err" && ! grep -q "\.tmp" "$OUT/full2.files"; then
        ok "disk full at the first snapshot: exit 3 naming it, no temporary file left"
    else
        bad "full disk (snapshot): exit $rc, $(cat "$OUT/full2.err"), files: $(tr '\n' ' ' < "$OUT/full2.files")"
    fi
fi

# --- numerical guards ----------------------------------------------------------------------
bin/painsim run tests/data/tiny.json --out "$OUT/nan" --quiet \
    --set 'tissues.nerve.regions.lesion.sources_nM_per_min.DAMP=1e38' 2> "$OUT/nan.err"
rc=$?
grep -q "step 15 (t = 0.50 h): tissue nerve, field DAMP is NaN .*likely a secretion rate or a region source" "$OUT/nan.err" && [ $rc -eq 6 ] \
    && ok "an overflowing source: exit 6, step, tissue, field, voxel and likely cause named" \
    || bad "overflowing source: exit $rc, $(cat "$OUT/nan.err")"

bin/painsim run tests/data/tiny.json --out "$OUT/plant" --checkpoint-every 1 --quiet --set time.duration_h=2
"$PY" - "$OUT/plant" <<'EOF'
import sys, h5py, numpy as np
import glob
for name in glob.glob(f"{sys.argv[1]}/checkpoint_*.h5"):
    with h5py.File(name, "r+") as f:
        f["tissue_0/conc"][7] = np.nan
EOF
bin/painsim resume "$OUT/plant" --quiet 2> "$OUT/plant.err"
rc=$?
grep -q "tissue nerve, field DAMP is NaN" "$OUT/plant.err" && [ $rc -eq 6 ] \
    && ok "a NaN planted in a checkpoint: exit 6 at the next output, field named" || bad "planted NaN: exit $rc, $(cat "$OUT/plant.err")"

bin/painsim run tests/data/tiny.json --out "$OUT/plant2" --checkpoint-every 1 --quiet --set time.duration_h=2
"$PY" - "$OUT/plant2" <<'EOF'
import sys, glob, h5py, numpy as np
for name in glob.glob(f"{sys.argv[1]}/checkpoint_*.h5"):
    with h5py.File(name, "r+") as f:
        n = len(f["tissue_1/id"])
        f["tissue_1/vars"][n] = np.nan       # pSTAT3 of the first DRG agent
EOF
bin/painsim resume "$OUT/plant2" --quiet 2> "$OUT/plant2.err"
rc=$?
grep -q "tissue drg, agent .* has a non-finite variable.*pstat3 nan" "$OUT/plant2.err" && [ $rc -eq 6 ] \
    && ok "a NaN planted in an agent's pSTAT3: exit 6, tissue, agent and variable named" || bad "planted agent NaN: exit $rc, $(cat "$OUT/plant2.err")"

# --- resume refusals -------------------------------------------------------------------------
bin/painsim resume "$OUT/ref" 2> "$OUT/nock.err"
rc=$?
grep -q "no checkpoint (checkpoint_a.h5 / checkpoint_b.h5) to resume from" "$OUT/nock.err" && [ $rc -eq 3 ] \
    && ok "resume of a run without checkpoints: exit 3, says why" || bad "resume without checkpoint: exit $rc, $(cat "$OUT/nock.err")"
cp "$OUT/term/scenario.resolved.json" "$OUT/term/scenario.keep"
sed -i 's/"duration_h":\t96/"duration_h":\t102/' "$OUT/term/scenario.resolved.json"
bin/painsim resume "$OUT/term" 2> "$OUT/other.err"
rc=$?
grep -q "belong to another scenario" "$OUT/other.err" && [ $rc -eq 3 ] \
    && ok "resume with an edited scenario: exit 3, the checkpoints belong to another scenario" \
    || bad "edited scenario: exit $rc, $(cat "$OUT/other.err")"

report test_trust checks
