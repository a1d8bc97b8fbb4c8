#!/bin/sh
# deps.sh — installs the Debian packages painsim needs to build, run and test.
# Idempotent: when everything is present it only checks (well under a second).
set -eu

PKGS="make gcc pkg-config
ocl-icd-opencl-dev opencl-headers ocl-icd-libopencl1 pocl-opencl-icd clinfo
libhdf5-openmpi-dev hdf5-tools
libcjson-dev
libopenmpi-dev openmpi-bin
librandom123-dev
python3-h5py python3-numpy python3-scipy python3-matplotlib python3-jsonschema python3-paraview python3-venv xvfb xauth
clang libclang-rt-14-dev valgrind"

missing=""
for p in $PKGS; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$status" in
        *"install ok installed"*) ;;
        *) missing="$missing $p" ;;
    esac
done

# The project's Python environment for analysis/ (and viz/): .venv next to bin/, made
# by Debian's python3 with Debian's site packages visible, then the pinned packages of
# analysis/requirements.txt. A stamp holds the requirements' checksum, so a changed list
# reinstalls and an unchanged one costs nothing.
venv() {
    root=$(cd "$(dirname "$0")/.." && pwd)
    req="$root/analysis/requirements.txt"
    stamp="$root/.venv/.requirements.sha256"
    want=$(sha256sum "$req" | cut -d' ' -f1)
    if [ -x "$root/.venv/bin/python3" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        return 0
    fi
    echo "deps: Python environment $root/.venv from analysis/requirements.txt"
    /usr/bin/python3 -m venv --system-site-packages "$root/.venv"
    "$root/.venv/bin/python3" -m pip install --quiet --disable-pip-version-check -r "$req"
    "$root/.venv/bin/python3" -c "import SALib, pyabc, pandas, h5py, matplotlib" || {
        echo "deps: the Python environment does not import SALib, pyabc, pandas, h5py, matplotlib" >&2
        exit 1
    }
    echo "$want" > "$stamp"
}

if [ -z "$missing" ]; then
    echo "deps: all packages present"
    venv
    exit 0
fi

echo "deps: missing Debian packages:$missing"
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO="sudo"
    else
        echo "deps: not running as root; install them with:" >&2
        echo "    sudo apt-get update && sudo apt-get install -y$missing" >&2
        exit 1
    fi
else
    SUDO=""
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
echo "deps: installed$missing"
venv
