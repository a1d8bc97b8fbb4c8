#!/bin/sh
# test_mpi_decompose.sh — `painsim run --decompose` under mpirun with 1, 2 and 4 ranks
# (4 oversubscribed on 2 cores), on PoCL, against the single-rank run of the same scenario:
#   tests/data/tiny.json (two tissues, cells crossing slab borders every step, divisions
#     and deaths) with 1, 2 and 4 ranks;
#   the JAK scenario for 12 h (nociceptor neurons across three tissues, contacts,
#     recruitment from the blood, a drug) with 2 ranks;
#   tests/data/decomp_corner.json with 4 ranks, where the upper three ranks own no agent;
# each time every snapshot field and every agent (sorted by id) must be bitwise equal and
# the summary's counts equal, its float columns within 1e-5 relative (compare_runs.py);
# the 4-rank snapshot, written collectively into one file, opens in ParaView as one
# dataset; too few planes for the ranks, and several ranks without --decompose, exit 2.
set -u
OUT=tests/out/mpi_decompose
rm -rf "$OUT"
mkdir -p "$OUT"
. tests/mpi_env.sh

JAK="scenarios/jak_inhibition.json --set time.duration_h=12 --set time.output_interval_h=3 \
     --set time.snapshot_interval_h=6 --set drugs.baricitinib.doses[0].start_h=0"

# single-rank references
bin/painsim run tests/data/tiny.json --out "$OUT/tiny_1" --quiet || bad "single-rank tiny run"
bin/painsim run $JAK --out "$OUT/jak_1" --quiet || bad "single-rank JAK run"
bin/painsim run tests/data/decomp_corner.json --out "$OUT/corner_1" --quiet || bad "single-rank corner run"

# compare NAME REF RUN: compare_runs.py must pass
compare() {
    if "$PY" tests/compare_runs.py "$2" "$3" > "$OUT/$1.cmp" 2>&1; then
        ok "$1: $(tr '\n' ' ' < "$OUT/$1.cmp")"
    else
        bad "$1: $(cat "$OUT/$1.cmp")"
    fi
}

for np in 1 2 4; do
    if $MPIRUN -np $np bin/painsim run tests/data/tiny.json --out "$OUT/tiny_d$np" --decompose --quiet \
        > "$OUT/tiny_d$np.log" 2>&1; then
        compare "tiny, $np rank(s) vs 1" "$OUT/tiny_1" "$OUT/tiny_d$np"
    else
        bad "tiny with $np rank(s): $(tail -5 "$OUT/tiny_d$np.log")"
    fi
done

if $MPIRUN -np 2 bin/painsim run $JAK --out "$OUT/jak_d2" --decompose --quiet > "$OUT/jak_d2.log" 2>&1; then
    compare "JAK 12 h (neurons, contacts, recruitment, drug), 2 ranks vs 1" "$OUT/jak_1" "$OUT/jak_d2"
else
    bad "JAK with 2 ranks: $(tail -5 "$OUT/jak_d2.log")"
fi

if $MPIRUN -np 4 bin/painsim run tests/data/decomp_corner.json --out "$OUT/corner_d4" --decompose --quiet \
    > "$OUT/corner_d4.log" 2>&1; then
    compare "corner, 4 ranks vs 1" "$OUT/corner_1" "$OUT/corner_d4"
    # rank 1 owns planes 5-9 (100-200 um): no agent may be above 100 um at any snapshot
    "$PY" - "$OUT/corner_d4" <<'EOF' && ok "ranks 1-3 owned no agent at any snapshot (every agent below z = 100 um) and the fields reach their slabs" || bad "corner: agents reached the upper slabs, the test does not test empty ranks"
import glob, sys, h5py
for p in sorted(glob.glob(sys.argv[1] + "/snapshots/*.h5")):
    with h5py.File(p, "r") as f:
        z = f["tissues/skin/agents/position"][:, 2]
        assert len(z) > 0 and z.max() < 100.0, (p, z.max())
        tnf = f["tissues/skin/fields/TNF"][...]
        if f.attrs["time_h"] > 0:
            assert tnf[15:].min() > 0, p
EOF
else
    bad "corner with 4 ranks: $(tail -5 "$OUT/corner_d4.log")"
fi

if "$PY" viz/headless.py pvpython tests/check_paraview.py "$OUT/tiny_d4" --agents 855 --fields DAMP,TNF,IL10 \
    --tissues nerve,drg --times 3 --agents-per-time 650,694,855 > "$OUT/paraview.log" 2>&1; then
    ok "the 4-rank snapshots (one file each, written collectively) open in ParaView: $(tail -1 "$OUT/paraview.log")"
else
    bad "ParaView on the 4-rank run: $(grep -i fail "$OUT/paraview.log" | head -5)"
fi

$MPIRUN -np 4 bin/painsim run tests/data/tiny.json --out "$OUT/few" --decompose --set tissues.drg.voxel_um=100 \
    > /dev/null 2> "$OUT/few.err"
rc=$?
grep -q "tissues\[1\] (drg) has 2 planes along z, too few to split over 4 ranks" "$OUT/few.err" && [ $rc -ne 0 ] && [ ! -e "$OUT/few" ] \
    && ok "too few planes for 4 ranks: refused naming the tissue, nothing written" || bad "too few planes: exit $rc, $(head -3 "$OUT/few.err")"

$MPIRUN -np 2 bin/painsim run tests/data/tiny.json --out "$OUT/nodecomp" > /dev/null 2> "$OUT/nodecomp.err"
rc=$?
grep -q "give --decompose" "$OUT/nodecomp.err" && [ $rc -ne 0 ] && [ ! -e "$OUT/nodecomp" ] \
    && ok "2 ranks without --decompose: refused, nothing written" || bad "no --decompose: exit $rc, $(head -3 "$OUT/nodecomp.err")"

report test_mpi_decompose checks
