"""pv_scene.py — the ParaView scene of a painsim run, for pvbatch and the ParaView GUI.

build(run_dir, ...) opens RUN/snapshots.xmf with ParaView's built-in XDMF reader and
sets up, in the active view:
  - the agents of every tissue as spheres (diameter 2 x the type's radius_um) coloured by
    type and state with a categorical legend (colours from vizlib.type_state_colors, the
    same as the matplotlib figures: state 0 is the type's colour, later states darker);
  - one mediator field as a horizontal slice through the middle of the tissues or as a
    volume, on a log colour scale fixed over the whole run, with a colour bar in nM;
  - the outline of each tissue's grid with its name above it, the scenario name and the
    simulated day (updated by set_time()).
paraview_render.py drives it headless; the paraview_state.py it writes calls build() in
the GUI (View > Python Shell > Run Script, or `paraview --script=...`) to get the same view.
Only ParaView's own filters and a ProgrammableFilter (to merge the agent blocks into
one point set with a type-state code) are used, so nothing beyond ParaView 5.11 and h5py
is needed.
"""
import glob
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import h5py  # noqa: E402
import numpy as np  # noqa: E402
from paraview.simple import (  # noqa: E402
    CellDatatoPointData, ColorBy, GetActiveViewOrCreate, GetColorTransferFunction,
    GetOpacityTransferFunction, GetScalarBar, Glyph, ProgrammableFilter, Show, Slice, Text,
    XDMFReader)

import vizlib  # noqa: E402

AGENTS_SCRIPT = """
import numpy as np
from vtkmodules.vtkCommonDataModel import vtkPolyData, vtkCellArray, vtkCompositeDataSet
from vtkmodules.vtkCommonCore import vtkPoints
from vtkmodules.util.numpy_support import vtk_to_numpy, numpy_to_vtk
diam = np.array(%(diam)s, dtype=float)
inp = self.GetInputDataObject(0, 0)
pos, ts, dm = [], [], []
it = inp.NewIterator()
it.InitTraversal()
while not it.IsDoneWithTraversal():
    name = it.GetCurrentMetaData().Get(vtkCompositeDataSet.NAME()).split("[")[0]
    b = it.GetCurrentDataObject()
    if name.endswith("_agents") and b.GetNumberOfPoints() > 0:
        t = vtk_to_numpy(b.GetPointData().GetArray("type")).astype(np.int64)
        s = vtk_to_numpy(b.GetPointData().GetArray("state")).astype(np.int64)
        pos.append(vtk_to_numpy(b.GetPoints().GetData()).astype(np.float64))
        ts.append(t * 100 + s)
        dm.append(diam[np.clip(t, 0, len(diam) - 1)])
    it.GoToNextItem()
out = self.GetPolyDataOutput()
if pos:
    p = np.ascontiguousarray(np.vstack(pos))
    pts = vtkPoints()
    pts.SetData(numpy_to_vtk(p, deep=1))
    out.SetPoints(pts)
    code = numpy_to_vtk(np.concatenate(ts).astype(np.int32), deep=1)
    code.SetName("type_state")
    out.GetPointData().AddArray(code)
    d = numpy_to_vtk(np.concatenate(dm), deep=1)
    d.SetName("diameter_um")
    out.GetPointData().AddArray(d)
"""

FIELDS_SCRIPT = """
from vtkmodules.vtkCommonDataModel import vtkCompositeDataSet
inp = self.GetInputDataObject(0, 0)
out = self.GetOutputDataObject(0)
out.Initialize()
k = 0
it = inp.NewIterator()
it.InitTraversal()
while not it.IsDoneWithTraversal():
    name = it.GetCurrentMetaData().Get(vtkCompositeDataSet.NAME()).split("[")[0]
    if name.endswith("_fields"):
        b = it.GetCurrentDataObject().NewInstance()
        b.ShallowCopy(it.GetCurrentDataObject())
        out.SetBlock(k, b)
        out.GetMetaData(k).Set(vtkCompositeDataSet.NAME(), name)
        k += 1
    it.GoToNextItem()
"""


def snapshot_files(run_dir):
    return sorted(glob.glob(os.path.join(run_dir, "snapshots", "snap_*.h5")))


def field_range(run_dir, field):
    """(lo, hi) of a mediator over every snapshot and tissue (nM): hi the maximum, lo the
    smallest positive value above hi / 1e4 (a log scale of at most four decades); (0, 0)
    when the field is zero or absent everywhere."""
    hi, pos = 0.0, []
    for f in snapshot_files(run_dir):
        with h5py.File(f, "r") as h:
            for t in h["tissues"]:
                g = h["tissues"][t]["fields"]
                if field in g:
                    a = g[field][...]
                    if a.size:
                        hi = max(hi, float(a.max()))
                        p = a[a > 0]
                        if p.size:
                            pos.append(float(p.min()))
    if hi <= 0:
        return 0.0, 0.0
    lo = max(min(pos) if pos else hi / 1e4, hi / 1e4)
    return lo, hi


def present_codes(run_dir):
    """The type*100 + state codes present in any snapshot of the run."""
    codes = set()
    for f in snapshot_files(run_dir):
        with h5py.File(f, "r") as h:
            for t in h["tissues"]:
                a = h["tissues"][t]["agents"]
                if "type" in a and a["type"].shape[0]:
                    codes |= set((a["type"][...].astype(np.int64) * 100 + a["state"][...]).tolist())
    return codes


def mediators_of(scen):
    return [m["name"] for m in scen.get("mediators", [])]


def build(run_dir, field="TNF", mode="slice", width=1600, height=900, legend=True):
    """Builds the scene in the active view; returns a dict with the view, the reader's
    times (h) and a set_time(t) function that moves the view to time t (h) and updates
    the day label."""
    run_dir = os.path.abspath(run_dir)
    scen = vizlib.read_json(os.path.join(run_dir, "scenario.resolved.json"), "the resolved scenario")
    xmf = os.path.join(run_dir, "snapshots.xmf")
    if not os.path.isfile(xmf):
        raise vizlib.VizError(f"{xmf}: not found (expected the XDMF index of the run's snapshots)", 3)
    if field not in mediators_of(scen):
        raise vizlib.VizError(f"--field {field}: not a mediator of {os.path.join(run_dir, 'scenario.resolved.json')} "
                              f"(mediators: {', '.join(mediators_of(scen))})")
    if mode not in ("slice", "volume"):
        raise vizlib.VizError(f"--mode {mode}: expected slice or volume")

    font = max(8, int(round(height / 60.0)))  # legend text in points, scaled with the image
    view = GetActiveViewOrCreate("RenderView")
    view.ViewSize = [width, height]
    view.OrientationAxesVisibility = 0
    try:
        view.UseColorPaletteForBackground = 0
    except AttributeError:
        pass
    view.Background = [1.0, 1.0, 1.0]

    reader = XDMFReader(registrationName="snapshots.xmf", FileNames=[xmf])
    times = [float(t) for t in reader.TimestepValues] or [0.0]

    # --- field: slice or volume ----------------------------------------------------------
    fields = ProgrammableFilter(registrationName="tissue_fields", Input=reader)
    fields.OutputDataSetType = "Same as Input"
    fields.Script = FIELDS_SCRIPT
    outline = Show(fields, view)
    outline.SetRepresentationType("Outline")
    # the outline is one grey: undo any array colouring Show() chose. ColorBy(rep, None) on a
    # representation coloured by nothing fails in ParaView 5.11 (association None: "invalid
    # association string 'NONE'", seen on tests/data/tiny.json), so only when there is one
    if outline.ColorArrayName[1]:
        ColorBy(outline, None)
    outline.AmbientColor = outline.DiffuseColor = [0.2, 0.2, 0.2]
    outline.LineWidth = 2.0

    zmin = min(float(t["size_um"][2]) for t in scen["tissues"])
    if mode == "slice":
        sl = Slice(registrationName=f"{field}_slice", Input=fields)
        sl.SliceType = "Plane"
        sl.SliceType.Origin = [0.0, 0.0, zmin / 2.0]
        sl.SliceType.Normal = [0.0, 0.0, 1.0]
        fdisp = Show(sl, view)
        ColorBy(fdisp, ("CELLS", field))
        fdisp.Opacity = 0.85
    else:
        c2p = CellDatatoPointData(registrationName="to_points", Input=fields)
        fdisp = Show(c2p, view)
        fdisp.SetRepresentationType("Volume")
        ColorBy(fdisp, ("POINTS", field))
    lo, hi = field_range(run_dir, field)
    lut = GetColorTransferFunction(field)
    lut.AutomaticRescaleRangeMode = "Never"
    lut.ApplyPreset("GnBu", True)
    lut.InvertTransferFunction()  # the preset runs dark to light; light = low here
    if hi > 0 and hi / lo > 10.0:  # a log scale when the field spans a decade or more
        lut.RescaleTransferFunction(lo, hi)
        lut.UseLogScale = 1
    else:
        lut.RescaleTransferFunction(0.0 if hi <= 0 else lo, max(hi, 1e-12))
    fdisp.LookupTable = lut
    if mode == "volume" and hi > 0:
        GetOpacityTransferFunction(field).Points = [lo, 0.0, 0.5, 0.0, hi, 0.6, 0.5, 0.0]
    bar = GetScalarBar(lut, view)
    bar.Title = f"{field} (nM{', log' if lut.UseLogScale else ''})"
    bar.ComponentTitle = ""
    bar.TitleColor = bar.LabelColor = [0.0, 0.0, 0.0]
    bar.WindowLocation = "Any Location"
    bar.Orientation = "Vertical"
    bar.Position = [0.89, 0.06]
    bar.ScalarBarLength = 0.38
    bar.TitleFontSize = bar.LabelFontSize = font
    bar.RangeLabelFormat = "%-#.2g"
    bar.AddRangeLabels = 1
    bar.Visibility = 1
    fdisp.SetScalarBarVisibility(view, True)

    # --- agents: spheres by type and state ---------------------------------------------
    diam = [2.0 * float(c.get("radius_um", 5.0)) for c in scen["cell_types"]]
    agents = ProgrammableFilter(registrationName="agents", Input=reader)
    agents.OutputDataSetType = "vtkPolyData"
    agents.Script = AGENTS_SCRIPT % {"diam": repr(diam)}
    glyph = Glyph(registrationName="agent_spheres", Input=agents, GlyphType="Sphere")
    glyph.ScaleArray = ["POINTS", "diameter_um"]
    glyph.ScaleFactor = 1.0
    glyph.GlyphMode = "All Points"
    glyph.GlyphType.ThetaResolution = 10
    glyph.GlyphType.PhiResolution = 8
    gdisp = Show(glyph, view)
    ColorBy(gdisp, ("POINTS", "type_state"))
    gdisp.Specular = 0.0
    gdisp.Ambient = 0.25
    gdisp.Diffuse = 0.85
    clut = GetColorTransferFunction("type_state")
    clut.InterpretValuesAsCategories = 1
    present = present_codes(run_dir)
    entries = [e for e in vizlib.type_state_colors(scen) if e[0] in present] or vizlib.type_state_colors(scen)
    clut.Annotations = [x for code, label, _ in entries for x in (str(code), label)]
    clut.IndexedColors = [v for _, _, rgb in entries for v in rgb]
    gdisp.LookupTable = clut
    cbar = GetScalarBar(clut, view)
    cbar.Title = "cells"
    cbar.ComponentTitle = ""
    cbar.TitleColor = cbar.LabelColor = [0.0, 0.0, 0.0]
    cbar.WindowLocation = "Any Location"
    cbar.Position = [0.89, 0.50]
    cbar.ScalarBarLength = 0.45
    cbar.TitleFontSize = cbar.LabelFontSize = font
    cbar.Visibility = 1 if legend else 0
    gdisp.SetScalarBarVisibility(view, bool(legend))

    # --- labels -------------------------------------------------------------------------
    for t in scen["tissues"]:
        o = [float(v) for v in t.get("origin_um", [0, 0, 0])]
        s = [float(v) for v in t["size_um"]]
        txt = Text(registrationName=f"label_{t['name']}", Text=t["name"])
        td = Show(txt, view)
        td.TextPropMode = "Billboard 3D Text"
        td.BillboardPosition = [o[0] + s[0] / 2.0, o[1] + s[1] + 0.08 * s[1], o[2] + s[2]]
        td.Color = [0.0, 0.0, 0.0]
        td.FontSize = int(font * 1.4)
        td.Bold = 1
    title = Text(registrationName="title", Text=f"{scen.get('name', '')}: {field} {mode}, cells by type and state")
    tdisp = Show(title, view)
    tdisp.WindowLocation = "Upper Left Corner"
    tdisp.Color = [0.0, 0.0, 0.0]
    tdisp.FontSize = int(font * 1.2)
    day = Text(registrationName="day", Text="")
    ddisp = Show(day, view)
    ddisp.WindowLocation = "Lower Left Corner"
    ddisp.Color = [0.0, 0.0, 0.0]
    ddisp.FontSize = int(font * 1.7)
    ddisp.Bold = 1

    # --- camera: from the front, above, looking at every tissue -----------------------------
    lo_b = [min(float(t.get("origin_um", [0, 0, 0])[a]) for t in scen["tissues"]) for a in range(3)]
    hi_b = [max(float(t.get("origin_um", [0, 0, 0])[a]) + float(t["size_um"][a]) for t in scen["tissues"])
            for a in range(3)]
    c = [(a + b) / 2.0 for a, b in zip(lo_b, hi_b)]
    span = max(hi_b[0] - lo_b[0], hi_b[1] - lo_b[1])
    view.CameraFocalPoint = c
    view.CameraViewUp = [0.0, 0.45, 0.89]
    view.CameraPosition = [c[0], c[1] - 0.75 * span, c[2] + 1.35 * span]
    view.CameraViewAngle = 30.0
    view.ResetCamera(False)
    cam = view.GetActiveCamera()
    cam.Dolly(1.25)
    # leave room for the legends on the right
    cam.SetFocalPoint(c[0] + 0.14 * span, c[1], c[2])
    p = cam.GetPosition()
    cam.SetPosition(c[0] + 0.14 * span, p[1], p[2])

    def set_time(t):
        view.ViewTime = t
        day.Text = f"day {t / 24.0:.2f}  ({t:g} h)"

    set_time(times[-1])
    return {"view": view, "times": times, "set_time": set_time, "field_range": (lo, hi),
            "legend": entries, "scenario": scen}


def state_script(run_dir, field, mode, width, height):
    """Text of a Python script that rebuilds this scene in the ParaView GUI."""
    viz = os.path.dirname(os.path.abspath(__file__))
    return (
        "# ParaView Python state of a painsim run, written by viz/paraview_render.py.\n"
        "# In the ParaView GUI: View > Python Shell > Run Script (this file), or\n"
        "#   paraview --script=THIS_FILE\n"
        "# It rebuilds the same pipeline (agents as spheres by type and state, the field,\n"
        "# tissue labels, the day) on the last time; use the time controls to play it.\n"
        "import sys\n"
        f"sys.path.insert(0, {json.dumps(viz)})\n"
        "import pv_scene\n"
        "from paraview.simple import Render\n"
        f"scene = pv_scene.build({json.dumps(os.path.abspath(run_dir))}, field={json.dumps(field)}, "
        f"mode={json.dumps(mode)}, width={width}, height={height})\n"
        "Render(scene['view'])\n")


