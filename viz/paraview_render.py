"""paraview_render.py — PNG frames, an optional movie and a ParaView state of a run.

Usage (pvbatch needs a display; without one, viz/headless.py starts a private Xvfb;
`painsim render RUN ...` does this for you):
    python3 viz/headless.py pvbatch viz/paraview_render.py RUN [--out DIR] [--field TNF]
        [--mode slice|volume] [--times all|last|I,J,...] [--size 1600x900]
        [--movie] [--fps 4] [--no-legend]

Writes into DIR (default RUN/paraview), built in DIR.tmp and renamed when complete:
  frame_NNNN.png        one frame per chosen snapshot time (NNNN = time index): agents
                        as spheres coloured by type and state with a legend, the field
                        as a slice through the middle of the tissues (or a volume) with
                        a log colour bar fixed over the run, tissue outlines and names,
                        the simulated day
  movie.ogv             with --movie: the frames as an Ogg/Theora movie (ParaView's
                        built-in VTK writer); if this ParaView lacks it, movie.gif
                        (Pillow); if neither exists the frames stay and a message says so
  paraview_state.pvsm   ParaView state: File > Load State in the GUI (or
                        `paraview --state=DIR/paraview_state.pvsm`)
  paraview_state.py     the same scene as a Python script: View > Python Shell > Run
                        Script, or `paraview --script=DIR/paraview_state.py`
  legend.json           the legend: type-state code, label, RGB (0-1) of each entry
Prints the paths written. Exit status: 0, 2 bad input, 3 file error, 4 ParaView failed.
"""
import argparse
import json
import os
import re
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vizlib  # noqa: E402
from vizlib import VizError  # noqa: E402


def write_movie(frames, out_dir, fps):
    """Writes the frames as movie.ogv (VTK's Ogg/Theora writer) or movie.gif (Pillow).
    Returns (path or None, message)."""
    try:
        from vtkmodules.vtkIOImage import vtkPNGReader
        from vtkmodules.vtkIOOggTheora import vtkOggTheoraWriter
        path = os.path.join(out_dir, "movie.ogv")
        rd = vtkPNGReader()
        w = vtkOggTheoraWriter()
        w.SetFileName(path)
        w.SetRate(int(fps))
        w.SetQuality(2)
        rd.SetFileName(frames[0])
        rd.Update()
        w.SetInputConnection(rd.GetOutputPort())
        w.Start()
        for f in frames:
            rd.SetFileName(f)
            rd.Modified()
            rd.Update()
            w.Write()
        w.End()
        if os.path.isfile(path) and os.path.getsize(path) > 0:
            return path, "Ogg/Theora movie"
    except ImportError:
        pass
    try:
        from PIL import Image
        imgs = [Image.open(f).convert("RGB") for f in frames]
        path = os.path.join(out_dir, "movie.gif")
        imgs[0].save(path, save_all=True, append_images=imgs[1:], duration=int(1000 / fps), loop=0)
        return path, "animated GIF (this ParaView has no Ogg/Theora writer)"
    except ImportError:
        return None, ("no movie written: this ParaView has no Ogg/Theora writer and Pillow "
                      "(python3-pil) is not installed; the PNG frames are complete")


def choose_times(times, spec):
    if spec == "all":
        return list(range(len(times)))
    if spec == "last":
        return [len(times) - 1]
    out = []
    for part in spec.split(","):
        try:
            k = int(part)
        except ValueError:
            raise VizError(f"--times {spec}: expected all, last or comma-separated time indices")
        if k < 0:
            k += len(times)
        if not 0 <= k < len(times):
            raise VizError(f"--times {spec}: index {part} outside 0..{len(times) - 1} "
                           f"(the run has {len(times)} snapshot times)")
        out.append(k)
    return out


def main():
    ap = argparse.ArgumentParser(prog="paraview_render", description=__doc__.split("\n")[0])
    ap.add_argument("run", metavar="RUN")
    ap.add_argument("--out", default=None)
    ap.add_argument("--field", default="TNF")
    ap.add_argument("--mode", default="slice", choices=["slice", "volume"])
    ap.add_argument("--times", default="all")
    ap.add_argument("--size", default="1600x900")
    ap.add_argument("--movie", action="store_true")
    ap.add_argument("--fps", type=float, default=4.0)
    ap.add_argument("--no-legend", action="store_true")
    args = ap.parse_args()
    try:
        w, h = (int(v) for v in args.size.lower().split("x"))
        if not (64 <= w <= 8192 and 64 <= h <= 8192):
            raise ValueError
    except ValueError:
        raise VizError(f"--size {args.size}: expected WxH, each 64..8192 (e.g. 1600x900)")
    w, h = w - w % 2, h - h % 2  # Theora needs even sizes
    run = args.run.rstrip("/") or "/"
    if not os.path.isdir(run):
        raise VizError(f"{run}: not a run folder (expected a directory written by 'painsim run')", 3)
    if not os.path.isfile(os.path.join(run, "snapshots.xmf")):
        raise VizError(f"{os.path.join(run, 'snapshots.xmf')}: not found (expected the XDMF index "
                       f"written by 'painsim run'; a run folder without snapshots cannot be rendered)", 3)
    out = (args.out or os.path.join(run, "paraview")).rstrip("/")
    if os.path.exists(out):
        # replaced as a whole below: only when it holds nothing but an earlier render
        ours = re.compile(r"(frame_\d{4}\.png|movie\.(ogv|gif)|paraview_state\.(pvsm|py)|legend\.json)$")
        if not os.path.isdir(out) or any(not ours.match(f) for f in os.listdir(out)):
            raise VizError(f"{out}: exists and is not an earlier paraview_render output folder "
                           f"(expected only frame_NNNN.png, movie, paraview_state.*, legend.json); "
                           f"choose another --out", 3)
    tmp = out + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    vizlib.make_out_dir(tmp)
    try:
        import pv_scene
        from paraview.simple import SaveScreenshot, SaveState
        t0 = time.time()
        scene = pv_scene.build(run, field=args.field, mode=args.mode, width=w, height=h,
                               legend=not args.no_legend)
        times = scene["times"]
        frames = []
        for k in choose_times(times, args.times):
            scene["set_time"](times[k])
            f = os.path.join(tmp, f"frame_{k:04d}.png")
            SaveScreenshot(f, scene["view"], ImageResolution=[w, h], TransparentBackground=0)
            if not os.path.isfile(f):
                raise VizError(f"{f}: ParaView wrote no image", 4)
            frames.append(f)
        SaveState(os.path.join(tmp, "paraview_state.pvsm"))
        with open(os.path.join(tmp, "paraview_state.py"), "w") as fh:
            fh.write(pv_scene.state_script(run, args.field, args.mode, w, h))
        with open(os.path.join(tmp, "legend.json"), "w") as fh:
            json.dump({"field": args.field, "field_range_nM": scene["field_range"],
                       "times_h": [times[k] for k in choose_times(times, args.times)],
                       "entries": [{"code": c, "label": lab, "rgb": list(rgb)} for c, lab, rgb in scene["legend"]]},
                      fh, indent=1)
        msg = None
        if args.movie:
            if len(frames) < 2:
                msg = "no movie: only one frame chosen (--times)"
            else:
                _, msg = write_movie(frames, tmp, args.fps)
        # the .pvsm names the run by absolute path; it does not refer to the temporary folder
        if os.path.isdir(out):
            shutil.rmtree(out)
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    for name in sorted(os.listdir(out)):
        print(os.path.join(out, name))
    if msg:
        print(f"paraview_render: {msg}")
    print(f"paraview_render: {len(frames)} frames of {os.path.basename(os.path.abspath(run))} "
          f"({args.field} {args.mode}) in {time.time() - t0:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    vizlib.main_wrapper("paraview_render", main, pvbatch=True)
