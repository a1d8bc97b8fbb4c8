#!/bin/sh
# gpu.sh — build painsim on a GPU machine, check it against PoCL, run the bench and the
# scale run (bench/README.md, "On a GPU"). One script, so that a short lease on a GPU
# machine is spent measuring.
#
#   sh bench/gpu.sh [--quick] [--scale-hours H] [--scale-limit-s S]
#
# Where pkg-config finds HDF5 (openmpi flavour), Open MPI, cJSON and OpenCL and
# /usr/include/Random123 exists, the system's packages are used. Otherwise (a machine
# with no package registry) build/gpu-bundle/ must be there: make it on Debian 12 with
# `sh bench/gpu_bundle.sh` and carry it with the tree.
#
# Steps: 1. build (WERROR=0: another compiler may warn differently); 2. find the GPU's
# OpenCL driver, writing an ICD file (e.g. nvidia.icd naming libnvidia-opencl.so.1) into
# a private vendors folder when /etc/OpenCL/vendors has none for it; 3. the kernel unit
# tests (test_fields, test_agents, test_signal, test_contacts, test_neurons compare every
# kernel with the C reference) on the GPU; 4. tiny.json for 2 h on the GPU against the PoCL
# run in build/gpu-bundle/ref (or made here when PoCL is present): every mediator column
# within 1e-3 relative, every count within 5 % or 3 cells (float rounding differs between
# devices, so a rare random event may go the other way); 5. `bin/bench` (all
# configurations; --quick: two); 6. the scale run, scenarios/scale/nerve_injury_1M.json,
# for H simulated hours (default the whole 672 h) or until S seconds (default 420),
# with checkpoints, reporting simulated hours per wall hour.
# Testing aids (for running it on a machine without a GPU): GPU_SH_FORCE_BUNDLE=1 uses
# build/gpu-bundle even where the packages are installed; GPU_SH_ALLOW_CPU=1 goes on with
# the first device when there is no GPU.
# Everything is written under $OUT (default bench/out/gpu): build.log, devices.txt,
# unit.log, check.txt, RESULTS-gpu.md, scale.log, scale/.
set -u
cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT="${OUT:-$ROOT/bench/out/gpu}"
mkdir -p "$OUT"
QUICK=""
SCALE_H=672
SCALE_LIMIT=420
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) QUICK="--quick" ;;
        --scale-hours) SCALE_H="$2"; shift ;;
        --scale-limit-s) SCALE_LIMIT="$2"; shift ;;
        *) echo "gpu.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
    shift
done
say() { echo "gpu.sh: $*" | tee -a "$OUT/summary.txt"; }
: > "$OUT/summary.txt"
fail=0

# ---- 1. build -----------------------------------------------------------------------
B="$ROOT/build/gpu-bundle"
MAKEVARS=""
if [ -z "${GPU_SH_FORCE_BUNDLE:-}" ] && pkg-config --exists hdf5-openmpi ompi-c libcjson OpenCL 2>/dev/null &&
   [ -e /usr/include/Random123/philox.h ]; then
    say "dependencies: the system's packages"
elif [ -d "$B/usr" ]; then
    say "dependencies: build/gpu-bundle (no system packages found)"
    L="$B/usr/lib/x86_64-linux-gnu"
    PKG_CFLAGS="-I$B/usr/include/hdf5/openmpi -I$L/openmpi/include -I$L/openmpi/include/openmpi -I$B/usr/include/cjson -I$B/usr/include"
    PKG_LIBS="-L$L/hdf5/openmpi -lhdf5 -L$L/openmpi/lib -lmpi -L$L -lcjson -lOpenCL -Wl,-rpath-link,$L -Wl,-rpath-link,$L/openmpi/lib -Wl,-rpath-link,$L/hdf5/openmpi"
    export LD_LIBRARY_PATH="$L:$L/openmpi/lib:$L/hdf5/openmpi${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    export OPAL_PREFIX="$B/usr"                       # Open MPI's orted, plugins and help files
    export PATH="$B/usr/bin:$PATH"
    export PMIX_INSTALL_PREFIX="$L/pmix2"
    export PAINSIM_RANDOM123_INCLUDE="$B/usr/include"
    MAKEVARS="yes"
else
    say "FAILED: no HDF5/Open MPI/cJSON/OpenCL packages and no build/gpu-bundle (run bench/gpu_bundle.sh on Debian 12 and carry build/gpu-bundle)"
    exit 1
fi
if [ -n "$MAKEVARS" ]; then
    make -j"$(nproc)" WERROR=0 PKG_CFLAGS="$PKG_CFLAGS" PKG_LIBS="$PKG_LIBS" all bin/bench > "$OUT/build.log" 2>&1
else
    make -j"$(nproc)" WERROR=0 all bin/bench > "$OUT/build.log" 2>&1
fi
if [ $? -ne 0 ]; then
    tail -20 "$OUT/build.log"
    say "FAILED: build (see build.log)"
    exit 1
fi
say "build: ok ($(cc --version | head -1))"

# ---- 2. the GPU's OpenCL driver ------------------------------------------------------
find_lib() {    # the first path of a shared library the dynamic loader or the usual folders know
    p=$(ldconfig -p 2>/dev/null | awk -v n="$1" '$1 == n {print $NF; exit}')
    if [ -z "$p" ]; then
        for d in /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/lib /usr/local/nvidia/lib64 /usr/local/cuda/lib64 /opt/rocm/lib; do
            [ -e "$d/$1" ] && { p="$d/$1"; break; }
        done
    fi
    echo "$p"
}
have_vendor() { ls /etc/OpenCL/vendors/ 2>/dev/null | grep -qi "$1"; }
VEND="$OUT/vendors"
mkdir -p "$VEND"
for f in /etc/OpenCL/vendors/*.icd; do [ -e "$f" ] && cp "$f" "$VEND/"; done
nv=$(find_lib libnvidia-opencl.so.1)
if [ -n "$nv" ] && ! have_vendor nvidia; then
    echo "$nv" > "$VEND/nvidia.icd"
    say "wrote an ICD file for NVIDIA's OpenCL driver: $nv"
fi
amd=$(find_lib libamdocl64.so)
if [ -n "$amd" ] && ! have_vendor amd; then
    echo "$amd" > "$VEND/amdocl64.icd"
    say "wrote an ICD file for AMD's OpenCL driver: $amd"
fi
export OCL_ICD_VENDORS="$VEND"
bin/painsim devices > "$OUT/devices.txt" 2>&1
cat "$OUT/devices.txt"
if ! grep -qi "gpu" "$OUT/devices.txt" && [ -n "${GPU_SH_ALLOW_CPU:-}" ]; then
    say "no OpenCL GPU device; GPU_SH_ALLOW_CPU is set: going on with the default device"
elif ! grep -qi "gpu" "$OUT/devices.txt"; then
    say "FAILED: no OpenCL GPU device (nvidia-smi says: $(nvidia-smi -L 2>&1 | head -1))"
    exit 1
fi
# the default choice is the first GPU: every step below runs there
unset PAINSIM_DEVICE

# ---- 3. kernels against the C reference, on the GPU ---------------------------------
: > "$OUT/unit.log"
for t in test_fields test_agents test_signal test_contacts test_neurons; do
    if bin/$t >> "$OUT/unit.log" 2>&1; then say "unit: $t ok"; else say "unit: $t FAILED (unit.log)"; fail=1; fi
done

# ---- 4. a short scenario, GPU against PoCL -------------------------------------------
REF="$B/ref/tiny"
if [ ! -f "$REF/summary.csv" ]; then
    REF="$OUT/ref_pocl"
    OCL_ICD_VENDORS=/etc/OpenCL/vendors bin/painsim run tests/data/tiny.json --set time.duration_h=2 \
        --quiet --force --out "$REF" --device 0 > /dev/null 2>&1 || REF=""
fi
bin/painsim run tests/data/tiny.json --set time.duration_h=2 --quiet --force --out "$OUT/tiny_gpu" > "$OUT/tiny.log" 2>&1 ||
    { say "FAILED: tiny.json on the GPU (tiny.log)"; fail=1; }
if [ -n "$REF" ] && [ -f "$OUT/tiny_gpu/summary.csv" ]; then
    if awk -F, -v out="$OUT/check.txt" '
        NR == FNR { if (FNR == 1) for (i = 1; i <= NF; i++) name[i] = $i; else ref[FNR, 1] = $0; nref = FNR; next }
        FNR == 1 { next }
        {
            n = split(ref[FNR, 1], r, ",")
            for (i = 2; i <= NF; i++) {
                a = r[i] + 0; b = $i + 0; d = a - b; if (d < 0) d = -d
                m = (a < 0 ? -a : a); mb = (b < 0 ? -b : b); if (mb > m) m = mb
                if (name[i] ~ /_nM$/ || name[i] ~ /mean$/ || name[i] ~ /^pain\./ || name[i] ~ /fraction/)
                    ok = d <= 1e-3 * m + 1e-9
                else
                    ok = d <= 3 || d <= 0.05 * m
                rel = m > 0 ? d / m : 0
                if (rel > worst) { worst = rel; wcol = name[i]; wrow = $1 }
                if (!ok) { bad++; printf "differs: t = %s h, %s: PoCL %s, GPU %s\n", $1, name[i], r[i], $i > out }
            }
            rows++
        }
        END {
            printf "compared %d rows x %d columns; largest relative difference %.3g (%s at t = %s h); %d outside tolerance\n",
                   rows, NF - 1, worst, wcol, wrow, bad + 0 >> out
            exit bad > 0
        }' "$REF/summary.csv" "$OUT/tiny_gpu/summary.csv"; then
        say "check against PoCL: ok ($(tail -1 "$OUT/check.txt"))"
    else
        say "check against PoCL: FAILED ($(tail -1 "$OUT/check.txt"); check.txt)"
        fail=1
    fi
else
    say "check against PoCL: no PoCL reference (run bench/gpu_bundle.sh here first)"
    fail=1
fi

# ---- 5. the bench ----------------------------------------------------------------------
if bin/bench $QUICK --out "$OUT/RESULTS-gpu.md" > "$OUT/bench.log" 2>&1; then
    say "bench: ok ($OUT/RESULTS-gpu.md)"
else
    say "bench: some configurations failed (RESULTS-gpu.md)"
    fail=1
fi

# ---- 6. the scale run ------------------------------------------------------------------
timeout -s TERM "$SCALE_LIMIT" bin/painsim run scenarios/scale/nerve_injury_1M.json \
    --set time.duration_h="$SCALE_H" --checkpoint-every 24 --force --out "$OUT/scale" > "$OUT/scale.log" 2>&1
rc=$?
tail -2 "$OUT/scale.log"
if [ $rc -eq 0 ]; then
    say "scale run: completed $(grep -o 'done: .*' "$OUT/scale.log")"
else
    say "scale run: stopped after ${SCALE_LIMIT} s (exit $rc): $(grep -o 't = [^,]*, [^,]*, [^,]*, [0-9]* agents' "$OUT/scale.log" | tail -1); continue with: bin/painsim resume $OUT/scale"
fi

say "done (exit $fail); figures in $OUT"
exit $fail
