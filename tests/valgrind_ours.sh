#!/bin/sh
# valgrind_ours.sh LOG — prints the memcheck blocks of LOG that are painsim's own: an
# invalid access whose top frame is in a host/*.c file, or a definite leak whose
# allocation was called directly from a host/*.c function (see tests/valgrind.sh).
SRC=$(find host -name '*.c' | sed 's#.*/##; s#\.c$##' | tr '\n' '|' | sed 's/|$//')
awk -v src="$SRC" '
function ours(line) { return line ~ ("\\((" src ")\\.c:[0-9]+\\)") }
/Invalid (read|write)|definitely lost in/ { blk = 1; txt = ""; n = 0; hit = 0; leak = ($0 ~ /lost in/) }
blk && /(at|by) 0x/ {
    n++
    if (!leak && n == 1 && ours($0)) hit = 1
    if (leak && ours($0) && prev ~ /(malloc|calloc|realloc|strdup|strndup|memalign|aligned_alloc)/) hit = 1
    prev = $0
}
blk { txt = txt $0 "\n" }
blk && /^==[0-9]+== *$/ { if (hit) printf "%s", txt; blk = 0 }
' "$1"
