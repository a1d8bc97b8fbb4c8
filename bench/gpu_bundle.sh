#!/bin/sh
# gpu_bundle.sh — packs what building and running painsim needs, for a GPU machine that
# has a C compiler and an NVIDIA (or AMD) driver but no package registry (bench/README.md,
# "On a GPU"). Run it here, on the Debian 12 machine where `make` works; it writes
# build/gpu-bundle/ (about 40 MB; carry it with the tree) holding, under usr/ with
# Debian's own paths:
#   - the headers the build includes (HDF5 with MPI, Open MPI, cJSON, OpenCL, Random123),
#   - every shared library bin/painsim loads except glibc's, plus the link-time names
#     (libhdf5.so, libmpi.so, libcjson.so, libOpenCL.so) the Makefile links against,
#   - Open MPI's daemon (orted, which MPI_Init starts even for one process), mpirun, and
#     Open MPI's and PMIx's plugins and data files, so MPI works when OPAL_PREFIX points
#     at the bundle,
# and ref/: a short PoCL run (tests/data/tiny.json, 2 h) for bench/gpu.sh to compare the
# GPU's run with. bench/gpu.sh uses the bundle only where pkg-config does not find the
# packages. Debian 12's glibc is 2.36: the GPU machine needs that or newer.
set -eu
cd "$(dirname "$0")/.."
B=build/gpu-bundle
make --no-print-directory all >/dev/null
rm -rf "$B.tmp"
mkdir -p "$B.tmp/usr/lib/x86_64-linux-gnu" "$B.tmp/usr/include"

copy() {    # copy PATH into the bundle at the same path, keeping symlinks
    for p in "$@"; do
        [ -e "$p" ] || { echo "gpu_bundle: $p is missing (run make deps)" >&2; exit 1; }
        mkdir -p "$B.tmp$(dirname "$p")"
        cp -a "$p" "$B.tmp$(dirname "$p")/"
    done
}

# headers (pkg-config's include folders and the two plain ones)
copy /usr/include/hdf5/openmpi /usr/lib/x86_64-linux-gnu/openmpi/include /usr/include/cjson \
     /usr/include/CL /usr/include/Random123
# headers that the HDF5 and MPI headers include from /usr/include itself
for h in /usr/include/H5*.h /usr/include/hdf5*.h; do [ -e "$h" ] && copy "$h"; done 2>/dev/null || true

# shared libraries: everything ldd resolves except the C library's own
libs=$(ldd bin/painsim | awk '$3 ~ /^\// {print $3}' |
       grep -v -E '/(libc|libm|libpthread|libdl|librt|ld-linux[^/]*|libresolv)\.so')
for l in $libs; do
    case "$l" in /lib/*) l="/usr$l" ;; esac      # merged /usr: one copy under usr/
    real=$(readlink -f "$l")
    copy "$real"
    ln -sf "$(basename "$real")" "$B.tmp/usr/lib/x86_64-linux-gnu/$(basename "$l")" 2>/dev/null || true
    [ "$(dirname "$l")" = "$(dirname "$real")" ] || { mkdir -p "$B.tmp$(dirname "$l")"; cp -a "$l" "$B.tmp$(dirname "$l")/"; }
done
# link-time names the Makefile's -l flags need, in their -L folders: every link of the
# chain (libhdf5.so -> ../../libhdf5_openmpi.so -> libhdf5_openmpi.so.103 -> the file)
copy_chain() {
    p="$1"
    while [ -L "$p" ]; do
        copy "$p"
        t=$(readlink "$p")
        case "$t" in /*) p="$t" ;; *) p="$(dirname "$p")/$t" ;; esac
    done
    copy "$(readlink -f "$p")"
}
for l in /usr/lib/x86_64-linux-gnu/hdf5/openmpi/libhdf5.so /usr/lib/x86_64-linux-gnu/openmpi/lib/libmpi.so \
         /usr/lib/x86_64-linux-gnu/libcjson.so /usr/lib/x86_64-linux-gnu/libOpenCL.so; do
    copy_chain "$l"
done

# Open MPI 4 starts its daemon (orted) even for a single process (singleton MPI_Init),
# from $OPAL_PREFIX/bin; orterun is mpirun. Their libraries are painsim's plus libudev.
copy /usr/bin/orted /usr/bin/orterun
for l in $(ldd /usr/bin/orted /usr/bin/orterun | awk '$3 ~ /^\// {print $3}' | sort -u |
           grep -v -E '/(libc|libm|libpthread|libdl|librt|ld-linux[^/]*|libresolv)\.so'); do
    case "$l" in /lib/*) l="/usr$l" ;; esac
    [ -e "$B.tmp$(readlink -f "$l")" ] || copy "$(readlink -f "$l")"
    [ -e "$B.tmp$l" ] || ln -sf "$(basename "$(readlink -f "$l")")" "$B.tmp$l"
done
ln -sf orterun "$B.tmp/usr/bin/mpirun"
# Open MPI (and the PMIx it uses) load components at run time and read help/param files
copy /usr/lib/x86_64-linux-gnu/openmpi/lib/openmpi3 /usr/share/openmpi /etc/openmpi
for d in /usr/lib/x86_64-linux-gnu/pmix2 /usr/share/pmix /usr/lib/x86_64-linux-gnu/hwloc; do
    [ -e "$d" ] && copy "$d"
done

# the PoCL reference for gpu.sh's check
bin/painsim run tests/data/tiny.json --set time.duration_h=2 --quiet --force --out "$B.tmp/ref/tiny"
cp bin/painsim "$B.tmp/ref/painsim.pocl"   # the build that made the reference (for the record)

rm -rf "$B"
mv "$B.tmp" "$B"
echo "gpu_bundle: wrote $B ($(du -sh "$B" | cut -f1)); on the GPU machine run: sh bench/gpu.sh"
