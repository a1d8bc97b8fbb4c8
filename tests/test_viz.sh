#!/bin/sh
# test_viz.sh — the picture tools of viz/ end to end on small runs:
#   two seeds of a one-day, 5 %-scale nerve injury run and an 8-member sweep (2 baricitinib
#   doses x 2 start times x 2 sexes, 12 h each); `painsim plot` draws the time courses
#   (replicates as mean with a band, a drug window shaded) and the sweep curves;
#   `painsim render` draws ParaView frames in which the agents' legend colours appear,
#   a movie and a state that loads again in pvbatch; `painsim report` writes an HTML file
#   whose every src/href resolves; bad input gives a message naming the file, a non-zero
#   exit and no output. Images are checked by viz/check_images.py (pixel variance, colours).
set -u
OUT=tests/out/viz
rm -rf "$OUT"
mkdir -p "$OUT"
. tests/lib.sh
CHECK="$PY viz/check_images.py"
check() { name="$1"; shift; if "$@" > "$OUT/check.log" 2>&1; then ok "$name"; sed 's/^/      /' "$OUT/check.log"; else bad "$name"; cat "$OUT/check.log"; fi; }
# expect_fail NAME EXIT_CODE EXPECTED_SUBSTRING -- command...
expect_fail() {
    name="$1"; code="$2"; want="$3"; shift 4
    "$@" > "$OUT/stdout" 2> "$OUT/stderr"
    rc=$?
    if [ "$rc" -eq "$code" ] && grep -qF -- "$want" "$OUT/stderr"; then
        ok "$name (exit $rc)"
    else
        bad "$name: exit $rc (want $code with '$want'), stderr: $(cat "$OUT/stderr")"
    fi
}

# --- viz/headless.py: a private X server per command -----------------------------------
# the command's display opens (XOpenDisplay with its cookie), two at once get two displays,
# reopening it is never refused, exit statuses pass through, Xvfb is gone afterwards, a
# lost X server is rerun once
HL="$PY viz/headless.py"
OPEN_X='import ctypes, os, sys
x = ctypes.CDLL("libX11.so.6"); x.XOpenDisplay.restype = ctypes.c_void_p
x.XOpenDisplay.argtypes = [ctypes.c_char_p]
sys.exit(0 if x.XOpenDisplay(os.environ["DISPLAY"].encode()) else 1)'
# the pids of the Xvfb servers of the displays given (from /proc: no procps needed)
XVFB_PIDS='import os, sys
for p in filter(str.isdigit, os.listdir("/proc")):
    try:
        c = open("/proc/%s/cmdline" % p, "rb").read().split(b"\0")
    except OSError:
        continue
    if len(c) > 1 and os.path.basename(c[0]) == b"Xvfb" and c[1].decode() in sys.argv[1:]:
        print(p)'
$HL sh -c 'echo "$DISPLAY"; sleep 1; '"$PY"' -c "$1"' sh "$OPEN_X" > "$OUT/hl1" 2>&1 &
hl1=$!
$HL sh -c 'echo "$DISPLAY"; sleep 1; '"$PY"' -c "$1"' sh "$OPEN_X" > "$OUT/hl2" 2>&1
rc2=$?
wait $hl1
rc1=$?
d1=$(head -1 "$OUT/hl1")
d2=$(head -1 "$OUT/hl2")
if [ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] && [ -n "$d1" ] && [ "$d1" != "$d2" ]; then
    ok "headless: two commands at once each open their own display ($d1, $d2)"
else
    bad "headless: displays '$d1' (exit $rc1), '$d2' (exit $rc2): $(cat "$OUT/hl1" "$OUT/hl2")"
fi
if [ -n "$($PY -c "$XVFB_PIDS" "$d1" "$d2")" ]; then bad "headless: Xvfb still running after the command"; else ok "headless: Xvfb stopped after the command"; fi
# pvbatch opens the display, closes it and opens it again: an X server that resets when its
# last client leaves refuses some of those second connections (13 of 300 on a plain Xvfb)
CYCLE_X='import ctypes, os
x = ctypes.CDLL("libX11.so.6"); x.XOpenDisplay.restype = ctypes.c_void_p
x.XOpenDisplay.argtypes = [ctypes.c_char_p]; x.XCloseDisplay.argtypes = [ctypes.c_void_p]
fails = 0
for i in range(300):
    d = x.XOpenDisplay(os.environ["DISPLAY"].encode())
    if d:
        x.XCloseDisplay(d)
    else:
        fails += 1
print(fails)'
cycle_fails=$($HL "$PY" -c "$CYCLE_X" 2> "$OUT/hl_cycle")
if [ "$cycle_fails" = 0 ]; then
    ok "headless: 300 open-close cycles of the display, none refused (no server reset between clients)"
else
    bad "headless: ${cycle_fails:-?} of 300 display openings refused: $(cat "$OUT/hl_cycle")"
fi
$HL sh -c 'exit 7' 2> /dev/null
rc=$?
$HL sh -c 'kill -ABRT $$' 2> "$OUT/hl_abrt"
rc_abrt=$?
if [ $rc -eq 7 ] && [ $rc_abrt -eq 134 ] && ! grep -q "once more" "$OUT/hl_abrt"; then
    ok "headless: exit 7 passes through, a death by SIGABRT gives 134 and is not rerun while its X server is fine"
else
    bad "headless: exit $rc (want 7), abort exit $rc_abrt (want 134, not rerun): $(cat "$OUT/hl_abrt")"
fi
$HL sh -c 'echo run >> "$1"; kill $("$2" -c "$3" "$DISPLAY"); sleep 1; kill -ABRT $$' sh "$OUT/hl_runs" "$PY" "$XVFB_PIDS" 2> "$OUT/hl_lost"
rc=$?
if [ $rc -eq 134 ] && [ "$(wc -l < "$OUT/hl_runs")" -eq 2 ] && grep -q "no longer opens.*running it once more" "$OUT/hl_lost"; then
    ok "headless: a command whose X server was lost is reported and run once more"
else
    bad "headless: lost X server: exit $rc, runs $(wc -l < "$OUT/hl_runs"), stderr: $(cat "$OUT/hl_lost")"
fi

# --- small runs: two seeds (replicates), and a sweep with drug windows ------------------
SMALL="--set scale=0.05 --set time.duration_h=24 --set time.output_interval_h=2 --set time.snapshot_interval_h=8"
for s in 1 2; do
    # shellcheck disable=SC2086
    if bin/painsim run scenarios/nerve_injury.json --out "$OUT/ni_s$s" --seed $s --quiet $SMALL; then
        ok "small nerve injury run, seed $s"
    else
        bad "small nerve injury run, seed $s"
    fi
done
cat > "$OUT/sweep.json" <<EOF
{
  "name": "viz_test",
  "scenarios": ["$(pwd)/scenarios/jak_inhibition.json"],
  "parameters": [
    {"key": "drugs.baricitinib.doses[0].mg_per_kg", "values": [0, 0.3]},
    {"key": "drugs.baricitinib.doses[0].start_h", "values": [2, 6]},
    {"key": "sex", "values": ["male", "female"]}
  ],
  "combine": "grid",
  "set": {"scale": 0.02, "time.duration_h": 12, "time.output_interval_h": 1, "time.snapshot_interval_h": 12},
  "seeds": [1]
}
EOF
if bin/painsim sweep "$OUT/sweep.json" --out "$OUT/sweep" --quiet; then ok "8-member sweep"; else bad "8-member sweep"; fi

# --- time-course figures ------------------------------------------------------------------
start=$(date +%s)
if bin/painsim plot "$OUT/ni_s1" "$OUT/ni_s2" --out "$OUT/fig" > "$OUT/plot.log" 2>&1; then
    ok "painsim plot on two seeds ($(( $(date +%s) - start )) s)"
else
    bad "painsim plot on two seeds: $(cat "$OUT/plot.log")"
fi
for f in cells mediators pain; do
    check "$f.svg is an SVG drawing" $CHECK svg "$OUT/fig/$f.svg"
done
check "cells.png not blank, neutrophil and macrophage colours drawn" \
    $CHECK png "$OUT/fig/cells.png" --color e69e00 --color d62629
check "mediators.png not blank" $CHECK png "$OUT/fig/mediators.png"
grep -q "drawn as ni (mean ± SD of seeds 1, 2)" "$OUT/plot.log" && ok "the two seeds are drawn as one replicate group" \
    || bad "the two seeds are not grouped as replicates: $(cat "$OUT/plot.log")"
check "pain.png not blank, mean line drawn, no drug window (none given)" \
    $CHECK png "$OUT/fig/pain.png" --color 1f77b4 --absent 4c9be8@0.13:5000
# the band: two seeds of one day barely differ, so a replicate is made whose pain is
# seed 1's plus 0.3 (its threshold 0.7 x seed 1's; seed 99 in its resolved scenario), so the band
# does not depend on how painful the first day is: the SD band (alpha 0.2) must cover
# an area; seed 1 alone has no band (only antialiased line edges of that colour)
mkdir -p "$OUT/rep99"
cp "$OUT/ni_s1/run.json" "$OUT/rep99/"
$PY - "$OUT/ni_s1" "$OUT/rep99" <<'PYEOF'
import csv, json, sys
src, dst = sys.argv[1], sys.argv[2]
s = json.load(open(src + "/scenario.resolved.json"))
s["seed"] = 99
json.dump(s, open(dst + "/scenario.resolved.json", "w"), indent=1)
rows = list(csv.reader(open(src + "/summary.csv")))
i, j = rows[0].index("pain.index"), rows[0].index("pain.withdrawal_threshold_g")
for r in rows[1:]:
    r[i] = repr(min(1.0, float(r[i]) + 0.3))
    r[j] = repr(float(r[j]) * 0.7)
csv.writer(open(dst + "/summary.csv", "w", newline="")).writerows(rows)
PYEOF
bin/painsim plot "$OUT/ni_s1" "$OUT/rep99" --out "$OUT/fig_band" --formats png > "$OUT/plot.log" 2>&1
bin/painsim plot "$OUT/ni_s1" --out "$OUT/fig_one" --formats png >> "$OUT/plot.log" 2>&1
check "replicates differing in pain: the SD band covers an area" \
    $CHECK png "$OUT/fig_band/pain.png" --color 1f77b4@0.2:5000
check "one run: no band" $CHECK png "$OUT/fig_one/pain.png" --absent 1f77b4@0.2:5000
# the checker itself: a blank image and a missing colour fail
$PY -c "from PIL import Image; Image.new('RGB', (300, 200), 'white').save('$OUT/blank.png')"
if $CHECK png "$OUT/blank.png" > /dev/null 2>&1; then bad "check_images passes a blank image"; else ok "check_images fails a blank image"; fi
if $CHECK png "$OUT/fig/mediators.png" --color 4c9be8@0.13:5000 > /dev/null 2>&1; then
    bad "check_images finds a drug-window colour in a run without drugs"
else
    ok "check_images fails a colour that is not drawn"
fi
# a sweep member with baricitinib from hour 2: the drug window is shaded (alpha 0.13)
M=$(awk -F, 'NR > 1 && $4 == "0.3" && $5 == "2" && $6 == "male" { print $2 }' "$OUT/sweep/sweep.csv")
if [ -n "$M" ] && bin/painsim plot "$OUT/sweep/$M" --out "$OUT/fig_drug" --formats png > "$OUT/plot.log" 2>&1; then
    ok "painsim plot on the treated sweep member $M"
    check "pain.png of the treated member shades the drug window" \
        $CHECK png "$OUT/fig_drug/pain.png" --color 4c9be8@0.13:5000
else
    bad "painsim plot on a treated sweep member ($M): $(cat "$OUT/plot.log")"
fi

# --- sweep figures --------------------------------------------------------------------------
start=$(date +%s)
if bin/painsim plot "$OUT/sweep" --out "$OUT/fig_sweep" > "$OUT/plot.log" 2>&1; then
    ok "painsim plot on the sweep ($(( $(date +%s) - start )) s)"
else
    bad "painsim plot on the sweep: $(cat "$OUT/plot.log")"
fi
for f in sweep_dose sweep_start_day; do
    check "$f.png not blank, two curves (first two line colours)" \
        $CHECK png "$OUT/fig_sweep/$f.png" --color 1f77b4 --color d62728
    check "$f.svg is an SVG drawing" $CHECK svg "$OUT/fig_sweep/$f.svg"
done

# --- ParaView frames, movie, state ----------------------------------------------------------
start=$(date +%s)
if bin/painsim render "$OUT/ni_s1" --out "$OUT/pv" --size 800x450 --movie > "$OUT/render.log" 2>&1; then
    ok "painsim render ($(( $(date +%s) - start )) s)"
else
    bad "painsim render: $(cat "$OUT/render.log")"
fi
nsnap=$(ls "$OUT/ni_s1/snapshots" | grep -c '^snap_.*\.h5$')
nframe=$(ls "$OUT/pv" 2>/dev/null | grep -c '^frame_.*\.png$')
[ "$nframe" -eq "$nsnap" ] && [ "$nsnap" -ge 2 ] && ok "$nframe frames for $nsnap snapshots" \
    || bad "$nframe frames for $nsnap snapshots"
last_snap=$(ls "$OUT/ni_s1/snapshots" | grep '^snap_.*\.h5$' | tail -1)
last_frame=$(ls "$OUT/pv" | grep '^frame_.*\.png$' | tail -1)
check "last frame not blank; the legend colour of every type-state with >= 20 agents is drawn" \
    $CHECK frame "$OUT/pv/$last_frame" "$OUT/ni_s1/snapshots/$last_snap" "$OUT/pv/legend.json"
if [ -s "$OUT/pv/movie.ogv" ] || [ -s "$OUT/pv/movie.gif" ]; then ok "movie written ($(ls "$OUT/pv" | grep movie))"; else bad "no movie"; fi
for f in paraview_state.pvsm paraview_state.py; do
    [ -s "$OUT/pv/$f" ] && ok "$f written" || bad "$f missing"
done
[ -e "$OUT/pv.tmp" ] && bad "render left $OUT/pv.tmp" || ok "no temporary render folder left"
# a second scenario: in tests/data/tiny.json's scene Show() colours the tissue outlines by
# nothing, where ParaView 5.11's ColorBy(rep, None) failed ("invalid association 'NONE'")
if bin/painsim run tests/data/tiny.json --out "$OUT/tiny" --quiet \
        && bin/painsim render "$OUT/tiny" --out "$OUT/pv_tiny" --size 800x450 --times last > "$OUT/render_tiny.log" 2>&1; then
    check "painsim render on tests/data/tiny.json: frame not blank, legend colours drawn" \
        $CHECK frame "$OUT/pv_tiny/$(ls "$OUT/pv_tiny" | grep '^frame_' | tail -1)" \
        "$(ls "$OUT"/tiny/snapshots/snap_*.h5 | tail -1)" "$OUT/pv_tiny/legend.json"
else
    bad "painsim render on tests/data/tiny.json: $(tail -5 "$OUT/render_tiny.log")"
fi
# the state files load again: the .pvsm with LoadState, the Python state with its build()
cat > "$OUT/load_state.py" <<EOF
import sys
from paraview.simple import LoadState, GetActiveViewOrCreate, SaveScreenshot, GetSources
LoadState("$OUT/pv/paraview_state.pvsm")
names = sorted(k[0] for k in GetSources())
print("sources:", names)
assert "agent_spheres" in names and "snapshots.xmf" in names, names
SaveScreenshot("$OUT/state_pvsm.png", GetActiveViewOrCreate("RenderView"), ImageResolution=[640, 360])
EOF
# A clean-clone CI run saw `painsim render` abort with "bad X server connection.
# DISPLAY=:99" under `xvfb-run -a`, and an earlier one a pvbatch abort whose message was
# not kept: pvbatch reopens the display, and a plain Xvfb refuses connections while it
# resets after its last client left. viz/headless.py runs Xvfb with -noreset (checked
# above), on a random display with its own cookie, and reruns a command only when its X
# server was lost.
# Should pvbatch itself still die of a signal, it is run once more here and reported; a
# script that fails (Python error, failed assertion) fails at once.
pvbatch_once_more() {
    log="$1"
    shift
    "$PY" viz/headless.py pvbatch "$@" > "$log" 2>&1
    rc=$?
    if [ $rc -gt 128 ]; then
        echo "  note: pvbatch died of signal $((rc - 128)) ($(tail -1 "$log")); running it once more"
        cp "$log" "$log.first"
        "$PY" viz/headless.py pvbatch "$@" > "$log" 2>&1
        rc=$?
    fi
    return $rc
}
if pvbatch_once_more "$OUT/state.log" "$OUT/load_state.py"; then
    check "paraview_state.pvsm loads and renders a non-blank view" $CHECK png "$OUT/state_pvsm.png"
else
    bad "paraview_state.pvsm does not load: $(tail -5 "$OUT/state.log")"
fi
if pvbatch_once_more "$OUT/state.log" "$OUT/pv/paraview_state.py"; then
    ok "paraview_state.py runs in pvbatch"
else
    bad "paraview_state.py fails: $(tail -5 "$OUT/state.log")"
fi

# --- HTML report ------------------------------------------------------------------------------
printf '| check | expected | measured | pass |\n|---|---|---|---|\n| viz test check | x | y | yes |\n' > "$OUT/validation.md"
start=$(date +%s)
if bin/painsim report "$OUT/ni_s1" "$OUT/ni_s2" --paraview "$OUT/pv" --validation "$OUT/validation.md" \
        > "$OUT/report.log" 2>&1; then
    ok "painsim report ($(( $(date +%s) - start )) s)"
else
    bad "painsim report: $(cat "$OUT/report.log")"
fi
check "every src/href of report.html resolves; embedded images not blank" $CHECK html "$OUT/ni_s1/report.html"
grep -q "viz test check" "$OUT/ni_s1/report.html" && ok "report has the validation table" || bad "report lacks the validation table"
[ "$(grep -c '<img' "$OUT/ni_s1/report.html")" -eq 4 ] && ok "report has 3 figures and the ParaView frame" \
    || bad "report images: $(grep -c '<img' "$OUT/ni_s1/report.html") (want 4)"

# --- bad input: a message naming the file, non-zero exit, nothing written --------------------
mkdir -p "$OUT/empty"
expect_fail "plot: folder without a run" 3 "$OUT/empty/scenario.resolved.json: not found" -- \
    bin/painsim plot "$OUT/empty" --out "$OUT/fig_bad1"
mkdir -p "$OUT/cut"
cp "$OUT/ni_s1/scenario.resolved.json" "$OUT/ni_s1/run.json" "$OUT/cut/"
cut -d, -f1-3 "$OUT/ni_s1/summary.csv" > "$OUT/cut/summary.csv"
expect_fail "plot: summary without the count columns" 2 "$OUT/cut/summary.csv: lacks the count columns" -- \
    bin/painsim plot "$OUT/cut" --out "$OUT/fig_bad2"
expect_fail "report: summary without the count columns" 2 "lacks the count columns" -- \
    bin/painsim report "$OUT/cut"
expect_fail "plot: a CSV that is not a sweep.csv" 2 "$OUT/cut/summary.csv: no column 'member'" -- \
    bin/painsim plot "$OUT/cut/summary.csv" --out "$OUT/fig_bad3"
expect_fail "render: run without snapshots" 3 "$OUT/cut/snapshots.xmf: not found" -- \
    bin/painsim render "$OUT/cut" --out "$OUT/pv_bad"
expect_fail "render: unknown field" 2 "--field NOPE: not a mediator" -- \
    bin/painsim render "$OUT/ni_s1" --out "$OUT/pv_bad" --field NOPE
expect_fail "report: no run given" 2 "missing the run folder" -- bin/painsim report
expect_fail "render --out onto a folder that is not an earlier render" 3 "is not an earlier paraview_render output" -- \
    bin/painsim render "$OUT/ni_s1" --out "$OUT/ni_s2" --times last
[ -s "$OUT/ni_s2/summary.csv" ] && ok "that folder is untouched" || bad "render --out destroyed $OUT/ni_s2"
expect_fail "report --out not .html" 2 "expected a file name ending in .html" -- \
    bin/painsim report "$OUT/ni_s1" --out "$OUT/ni_s1/summary.csv"
for d in fig_bad1 fig_bad2 fig_bad3 pv_bad pv_bad.tmp cut/report.html; do
    if [ -e "$OUT/$d" ]; then
        bad "a failed command left $OUT/$d"
    else
        ok "nothing left at $d"
    fi
done
if find "$OUT" -name '*.tmp' | grep -q .; then bad "temporary files left: $(find "$OUT" -name '*.tmp')"; else ok "no .tmp files left"; fi

report test_viz
