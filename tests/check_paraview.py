"""check_paraview.py — open a run's snapshots.xmf in ParaView and check what a user sees.

Usage (pvpython needs a display; viz/headless.py starts a private Xvfb):
    /usr/bin/python3 viz/headless.py pvpython tests/check_paraview.py RUN_DIR --agents N --fields A,B \
        --tissues T1,T2 --times K [--agents-per-time N0,N1,...] [--last-only]

  RUN_DIR            a painsim run folder (snapshots.xmf, snapshots/snap_*.h5)
  --agents N         total agent points over all tissues at the last time
  --fields A,B       fields that must be cell data of a tissue's mesh block (each on at
                     least one tissue: a tissue need not carry every mediator)
  --tissues T1,T2    tissues that must each have a "<T>_fields" mesh block at every time
  --times K          number of time steps ParaView sees
  --agents-per-time  total agent points at each time, in time order
  --last-only        compare with the HDF5 files at the last time only (big runs)

The file is opened with ParaView's legacy XDMF 2 reader (XDMFReader, "Xdmf Reader" in
the GUI), built in: no plugin. At each time (or the last one) the blocks ParaView shows
are compared with the snapshot file the XDMF points to, read with h5py:
  - "<T>_fields": vtkImageData whose bounds are the tissue's origin_um .. origin_um +
    size_um (catches an x/z swap in the XDMF geometry), whose cell arrays are exactly
    the datasets under /tissues/T/fields, with identical float32 values;
  - "<T>_agents": present exactly when the file has agents in T, with as many points,
    the positions of the file, point arrays id (equal to the uint64 ids), type, state
    and every per-agent variable, every point inside the tissue's box;
and the times are the files' time_h. Prints what it found; the last line is
"check_paraview: N passed, M failed"; exits non-zero when anything failed.
"""
import argparse
import os
import re
import sys
import traceback

import h5py
import numpy as np
from paraview import servermanager as sm
from paraview.simple import UpdatePipeline, XDMFReader
from vtkmodules.util.numpy_support import vtk_to_numpy

ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
ap.add_argument("run")
ap.add_argument("--agents", type=int, required=True)
ap.add_argument("--fields", required=True)
ap.add_argument("--tissues", required=True)
ap.add_argument("--times", type=int, required=True)
ap.add_argument("--agents-per-time", default=None)
ap.add_argument("--last-only", action="store_true")
args = ap.parse_args()
fields = [f for f in args.fields.split(",") if f]
tissues = [t for t in args.tissues.split(",") if t]

passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
        print("  ok:", what)
    else:
        failed += 1
        print("  FAIL:", what)
    return cond


def blocks_at(reader, t):
    """{grid name: dataset} of the reader's output at time t (the reader appends
    "[k]" to a name seen before in the file; that suffix is dropped)."""
    UpdatePipeline(time=t, proxy=reader)
    data = sm.Fetch(reader)
    out = {}
    it = data.NewIterator()
    it.InitTraversal()
    while not it.IsDoneWithTraversal():
        name = it.GetCurrentMetaData().Get(data.NAME()).split("[")[0]
        out[name] = it.GetCurrentDataObject()
        it.GoToNextItem()
    return out


def arrays(attrs):
    return {attrs.GetArrayName(i): attrs.GetArray(i) for i in range(attrs.GetNumberOfArrays())}


def check_time(k, t, blocks, snap, want_agents):
    """Compares the blocks of time index k with the snapshot file snap."""
    print(f"  t = {t} h: " + ", ".join(f"{n} ({b.GetClassName()}, {b.GetNumberOfPoints()} points, "
                                        f"{b.GetNumberOfCells()} cells)" for n, b in blocks.items()))
    total = sum(b.GetNumberOfPoints() for n, b in blocks.items() if n.endswith("_agents"))
    if want_agents is not None:
        check(total == want_agents, f"t = {t} h: {total} agents (want {want_agents})")
    if snap is None:
        return
    with h5py.File(snap, "r") as f:
        check(abs(float(f.attrs["time_h"]) - t) <= 1e-6 * max(1.0, abs(t)),
              f"t = {t} h is the time_h of {os.path.basename(snap)} ({float(f.attrs['time_h'])})")
        h5_tissues = sorted(f["tissues"].keys())
        for name in tissues:
            check(name in h5_tissues, f"t = {t} h: {os.path.basename(snap)} has tissue {name}")
        for name in h5_tissues:
            g = f["tissues"][name]
            fb = blocks.get(name + "_fields")
            if not check(fb is not None, f"t = {t} h: tissue {name} has a field block"):
                continue
            origin = np.asarray(g.attrs["origin_um"], dtype=float)
            size = np.asarray(g.attrs["size_um"], dtype=float)
            want = [v for a in range(3) for v in (origin[a], origin[a] + size[a])]
            got = list(fb.GetBounds())
            check(np.allclose(got, want, rtol=1e-6, atol=1e-6),
                  f"{name} field block bounds {got} = origin .. origin + size {want}")
            cd = arrays(fb.GetCellData())
            h5_fields = sorted(g["fields"].keys())
            check(sorted(cd) == h5_fields, f"{name} cell data {sorted(cd)} = the file's fields {h5_fields}")
            for fname in h5_fields:
                if fname not in cd:
                    continue
                ref = g["fields"][fname][...]
                val = vtk_to_numpy(cd[fname])
                check(val.dtype == np.float32 and val.size == ref.size and
                      np.array_equal(val, ref.reshape(-1)),
                      f"{name}/{fname}: {val.size} cells, float32 values identical to the file "
                      f"(range {val.min() if val.size else '-'} .. {val.max() if val.size else '-'})")
            ag = g["agents"]
            n = ag["id"].shape[0]
            ab = blocks.get(name + "_agents")
            if n == 0:
                check(ab is None, f"{name} has no agents and no agent block")
                continue
            if not check(ab is not None, f"{name} has {n} agents and an agent block"):
                continue
            check(ab.GetNumberOfPoints() == n, f"{name} agent block has {ab.GetNumberOfPoints()} points (file {n})")
            pts = vtk_to_numpy(ab.GetPoints().GetData())
            check(np.array_equal(pts, ag["position"][...]), f"{name} agent points = the file's positions")
            lo, hi = origin, origin + size
            check(bool(((pts >= lo - 1e-3) & (pts <= hi + 1e-3)).all()), f"{name} agents inside the tissue box")
            pd = arrays(ab.GetPointData())
            want_arrays = sorted(k for k in ag.keys() if k != "position")
            check(sorted(pd) == want_arrays, f"{name} point data {sorted(pd)} = {want_arrays}")
            if "id" in pd:
                ids = vtk_to_numpy(pd["id"])
                check(ids.dtype.itemsize == 8 and np.array_equal(ids.astype(np.uint64), ag["id"][...]),
                      f"{name} ids: {ids.dtype}, identical to the uint64 ids of the file "
                      f"(max {int(ag['id'][...].max())})")
            for v in ("type", "state"):
                if v in pd:
                    check(np.array_equal(vtk_to_numpy(pd[v]), ag[v][...]), f"{name} {v} = the file's")


try:
    xmf = os.path.join(args.run, "snapshots.xmf")
    check(os.path.isfile(xmf), f"{xmf} exists")
    # the snapshot files the index points to, in order of appearance (= time order)
    text = open(xmf).read()
    snaps = []
    for m in re.finditer(r"(snapshots/snap_\d+\.h5):", text):
        if m.group(1) not in snaps:
            snaps.append(m.group(1))
    snaps = [os.path.join(args.run, s) for s in snaps]
    check(all(os.path.isfile(s) for s in snaps), f"the {len(snaps)} snapshot files of the index exist")

    reader = XDMFReader(FileNames=[xmf])
    print(f"  reader: {reader.GetXMLLabel()} ({reader.GetXMLName()})")
    times = list(reader.TimestepValues) if reader.TimestepValues else []
    check(len(times) == args.times, f"{len(times)} time steps (want {args.times}): {times}")
    check(len(snaps) == len(times), f"{len(snaps)} snapshot files for {len(times)} times")
    per_time = ([int(v) for v in args.agents_per_time.split(",")] if args.agents_per_time else None)
    if per_time is not None:
        check(len(per_time) == len(times), f"--agents-per-time gives {len(per_time)} counts")

    seen_fields = set()
    for k, t in enumerate(times):
        last = k == len(times) - 1
        if args.last_only and not last:
            continue
        blocks = blocks_at(reader, t)
        want = args.agents if last else (per_time[k] if per_time and k < len(per_time) else None)
        if last and per_time and len(per_time) == len(times) and per_time[-1] != args.agents:
            check(False, f"--agents {args.agents} and the last --agents-per-time {per_time[-1]} differ")
        check_time(k, t, blocks, snaps[k] if k < len(snaps) else None, want)
        for name in tissues:
            check(name + "_fields" in blocks, f"t = {t} h: block {name}_fields")
            if name + "_fields" in blocks:
                seen_fields |= set(arrays(blocks[name + "_fields"].GetCellData()))
    for fname in fields:
        check(fname in seen_fields, f"field {fname} is cell data of a tissue block")
except Exception:  # a crash in the reader or here is a failure, not a silent pass
    traceback.print_exc()
    check(False, "no exception")

print(f"check_paraview: {passed} passed, {failed} failed")
sys.exit(0 if failed == 0 and passed > 0 else 1)
