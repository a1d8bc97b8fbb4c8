#!/bin/sh
# valgrind.sh — `make valgrind`: painsim's host code under valgrind's memcheck.
#   1. bin/test_scenario and bin/test_output (loader, --set, resolved JSON, output files;
#      no OpenCL): no error and no leak of any kind;
#   2. bin/painsim run on tiny.json for 0.2 simulated hours: no invalid read or write,
#      and no "definitely lost" block allocated by painsim's own code (host/). The
#      OpenCL runtime and Open MPI keep allocations until exit and use uninitialised
#      padding in their own buffers, so only painsim's frames are judged.
set -u
OUT=tests/out/valgrind
rm -rf "$OUT"
mkdir -p "$OUT"
VG="valgrind --error-exitcode=9 --leak-check=full --show-leak-kinds=all --num-callers=30"
. tests/lib.sh

for t in test_scenario test_output; do
    if $VG --errors-for-leak-kinds=all bin/$t > "$OUT/$t.log" 2>&1; then
        ok "$t: $(grep -o 'ERROR SUMMARY: [0-9]* errors' "$OUT/$t.log"), $(grep -o 'All heap blocks were freed' "$OUT/$t.log" || grep -o 'definitely lost: [0-9,]* bytes' "$OUT/$t.log")"
    else
        bad "$t under valgrind: $(grep -E 'ERROR SUMMARY|lost:' "$OUT/$t.log")"
    fi
done

valgrind --leak-check=full --show-leak-kinds=definite --num-callers=40 \
    bin/painsim run tests/data/tiny.json --set time.duration_h=0.2 --out "$OUT/run" --quiet \
    > "$OUT/run.log" 2>&1
rc=$?
# memcheck blocks (from "Invalid ..." or "... definitely lost in ..." to a blank line):
# painsim's when its top frame is in painsim's sources (an invalid access), or when one of
# painsim's functions called the allocator directly (a leak); an allocation inside a
# library called from painsim (MPI_Init, clBuildProgram) is the library's
sh tests/valgrind_ours.sh "$OUT/run.log" > "$OUT/ours.log"
if [ $rc -eq 0 ] && [ ! -s "$OUT/ours.log" ]; then
    ok "painsim run (0.2 h of tiny.json): no invalid access or definite leak in host/ code ($(grep -o 'definitely lost: [0-9,]* bytes in [0-9,]* blocks' "$OUT/run.log") in all, none from painsim)"
else
    bad "painsim under valgrind: exit $rc; $(head -40 "$OUT/ours.log")"
fi
report valgrind
