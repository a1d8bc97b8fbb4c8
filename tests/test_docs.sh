#!/bin/sh
# test_docs.sh — the generated documentation is what the key tables say: `make docs`
# (bin/docs_gen) run into a scratch folder must reproduce the committed
# scenarios/schema.json and scenarios/README.md byte for byte; then one table row is
# checked against the loader's default (persistence_min 5 min) and a stale marker is
# refused.
set -u
OUT=tests/out/docs
rm -rf "$OUT"
mkdir -p "$OUT"
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok: $1"; }
bad() { fail=$((fail + 1)); echo "FAIL: $1"; }

if bin/docs_gen "$OUT/schema.json" scenarios/README.md "$OUT/README.md" 2> "$OUT/gen.log"; then
    ok "docs_gen ran ($(cat "$OUT/gen.log"))"
else
    bad "docs_gen failed: $(cat "$OUT/gen.log")"
fi
if cmp -s "$OUT/schema.json" scenarios/schema.json; then ok "scenarios/schema.json is what make docs writes"
else bad "scenarios/schema.json differs from the key tables: run make docs and commit ($(diff "$OUT/schema.json" scenarios/schema.json | head -5))"; fi
if cmp -s "$OUT/README.md" scenarios/README.md; then ok "scenarios/README.md's key tables are what make docs writes"
else bad "scenarios/README.md differs from the key tables: run make docs and commit ($(diff "$OUT/README.md" scenarios/README.md | head -5))"; fi

# the table row and the loader agree on a default
row=$(grep -F '| `persistence_min` |' scenarios/README.md)
case "$row" in
    *'| min | `5` | (0, 10000] |'*) ok "persistence_min row: $row" ;;
    *) bad "persistence_min row is not min / 5 / (0, 10000]: $row" ;;
esac
printf '{"name": "d", "time": {"duration_h": 1}, "mediators": [{"name": "TNF", "D_um2_per_s": 1}],
 "cell_types": [{"name": "m"}], "tissues": [{"name": "t", "size_um": [10, 10, 10], "voxel_um": 10}]}' > "$OUT/one_type.json"
res=$(bin/test_scenario --resolve "$OUT/one_type.json" 2>&1 | grep -m1 persistence_min)
case "$res" in
    *'	5,'*|*' 5,'*) ok "loader default persistence_min: $res" ;;
    *) bad "loader default persistence_min is not 5: $res" ;;
esac

# an unknown section id in a marker is an error, and nothing is written
printf 'x\n<!-- BEGIN GENERATED keys no_such_section -->\n<!-- END GENERATED -->\n' > "$OUT/stale.md"
if bin/docs_gen "$OUT/s2.json" "$OUT/stale.md" "$OUT/stale_out.md" 2> "$OUT/stale.log"; then
    bad "a marker naming an unknown section was accepted"
elif [ -e "$OUT/stale_out.md" ]; then
    bad "docs_gen left an output file after refusing a marker"
else
    ok "unknown section refused: $(cat "$OUT/stale.log")"
fi

echo "test_docs: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
