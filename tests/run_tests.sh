#!/bin/sh
# run_tests.sh — the whole suite, run by `make test` from the repository root.
# Each entry is one test program; its own output says what it checked. The last line
# counts programs: "N passed, M failed".
set -u
export POCL_MEMORY_LIMIT="${POCL_MEMORY_LIMIT:-8}"
# `make test SANITIZER=address,undefined`: any memory error or undefined behaviour aborts
# the program that hit it (and fails its test). Leak checking is left to `make valgrind`:
# PoCL and Open MPI unload their plugins at exit, so LeakSanitizer cannot attribute (or
# suppress) their allocations.
if [ -n "${SANITIZER:-}" ]; then
    export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}"
    export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
    echo "sanitizers: $SANITIZER (ASAN_OPTIONS=$ASAN_OPTIONS)"
fi
PY=/usr/bin/python3
mkdir -p tests/out
passed=0
failed=0
failed_names=""

run() {
    name="$1"
    shift
    start=$(date +%s)
    echo "=== $name"
    if "$@"; then
        passed=$((passed + 1))
        echo "--- $name: ok ($(( $(date +%s) - start )) s)"
    else
        failed=$((failed + 1))
        failed_names="$failed_names $name"
        echo "--- $name: FAILED ($(( $(date +%s) - start )) s)"
    fi
}

for t in bin/test_*; do
    [ -x "$t" ] || continue
    run "$(basename "$t")" "$t"
done
run check_paraview_output "$PY" viz/headless.py pvpython tests/check_paraview.py tests/out/test_output_run \
    --agents 6 --fields TNF,IL10 --tissues nerve,drg --times 3 --agents-per-time 8,7,6
run check_schema "$PY" tests/check_schema.py
run test_docs sh tests/test_docs.sh
run test_cli sh tests/test_cli.sh
run test_mpi_sweep sh tests/test_mpi_sweep.sh
run test_analysis sh tests/test_analysis.sh
run test_mpi_decompose sh tests/test_mpi_decompose.sh
run test_trust sh tests/test_trust.sh
run test_viz sh tests/test_viz.sh
# the fast subset of `make validate`: nerve injury and sham, first 4 days, one seed
run validate_fast "$PY" tests/validate.py --fast --out tests/out/validate_fast

echo
[ -n "$failed_names" ] && echo "failed:$failed_names"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
