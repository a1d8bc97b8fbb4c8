# lib.sh — sourced by the test scripts (run from the repository root, `. tests/lib.sh`):
# the check counters and how a script reports its checks.
#   ok TEXT              a check passed: prints "  ok: TEXT"
#   bad TEXT             a check failed: prints "  FAIL: TEXT"
#   report NAME [WORD]   the closing line "NAME: N passed, M failed" ("NAME: N WORD passed,
#                        M failed", e.g. WORD = checks), which tests/run_tests.sh and CI
#                        read; returns non-zero when a check failed, so it ends the script.
PY=/usr/bin/python3
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "  ok: $1"; }
bad() { fail=$((fail + 1)); echo "  FAIL: $1"; }
report() { echo "$1: $pass ${2:+$2 }passed, $fail failed"; [ "$fail" -eq 0 ]; }
