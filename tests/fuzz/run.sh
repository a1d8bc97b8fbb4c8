#!/bin/sh
# run.sh SECONDS — `make fuzz`: replay every crash found so far (tests/fuzz/crashes/,
# each fixed: they must now pass), then fuzz each harness for SECONDS from its corpus.
# A new crash is saved under build/fuzz/artifacts/ and fails the run: fix it, then copy
# the input into tests/fuzz/crashes/ so it stays fixed.
set -u
T="${1:-60}"
W=build/fuzz
mkdir -p "$W/corpus_scenario" "$W/corpus_sweep" "$W/artifacts"
fail=0
for f in tests/fuzz/crashes/scenario_* tests/fuzz/crashes/sweep_*; do
    [ -e "$f" ] || continue
    case "$(basename "$f")" in scenario_*) h=bin/fuzz_scenario ;; *) h=bin/fuzz_sweep ;; esac
    if "$h" "$f" > "$W/replay.log" 2>&1; then
        echo "fuzz: regression $f: ok"
    else
        echo "fuzz: regression $f: CRASHES again"; tail -20 "$W/replay.log"; fail=1
    fi
done
for h in scenario sweep; do
    echo "fuzz: $h for $T s"
    if ! bin/fuzz_$h "$W/corpus_$h" "tests/fuzz/corpus_$h" -max_total_time="$T" \
        -artifact_prefix="$W/artifacts/${h}_" -print_final_stats=1 -rss_limit_mb=2048 \
        > "$W/$h.log" 2>&1; then
        echo "fuzz: $h found a crash:"; grep -A12 "ERROR\|deadly\|SUMMARY" "$W/$h.log" | head -40
        ls "$W/artifacts"
        fail=1
    fi
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb|cov:" "$W/$h.log" | tail -3
done
[ $fail -eq 0 ] && echo "fuzz: no crash" || echo "fuzz: FAILED"
exit $fail
