#!/usr/bin/python3
"""check_images.py — checks on the pictures the viz tools make (used by tests/test_viz.sh).

    check_images.py png FILE [--min-std S] [--color HEX[@ALPHA] ...] [--absent HEX[@ALPHA] ...]
        FILE is a PNG that is not blank: standard deviation of its pixel values (0-255,
        over all RGB channels) >= S (default 10); every --color appears in at least 20
        pixels (within 6 of RGB 0-255 in each channel), HEX drawn over white with
        opacity ALPHA (default 1), as matplotlib draws a band or a shaded window; every
        --absent colour in fewer than 20 (a control: what must not be drawn is not).
        A colour written HEX[@ALPHA]:N uses N pixels instead of 20 (an area such as a
        shaded window needs far more pixels than the antialiased edges of lines have).
    check_images.py svg FILE
        FILE is a well-formed SVG document with drawing elements.
    check_images.py frame PNG SNAPSHOT LEGEND [--min-agents N] [--scene-frac F]
        A ParaView frame: not blank, and for every type-state code with >= N agents
        (default 20) in the snapshot HDF5 file, the legend colour (LEGEND = legend.json of
        paraview_render.py) appears in >= 10 pixels (Euclidean RGB distance <= 12) of the
        left fraction F (default 0.72) of the frame, where the scene is drawn (the
        legends are on the right), and at least 3 such codes are checked.
    check_images.py html FILE
        Every src= and href= of the HTML file resolves: a data: URI decodes (a PNG one
        to a non-blank image), a #anchor names an id of the document, anything else is
        a file that exists relative to the HTML file. At least one image.
Prints what it measured; exits 1 when a check fails.
"""
import base64
import io
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

import numpy as np
from PIL import Image


def load_rgb(src):
    im = Image.open(src)
    return np.asarray(im.convert("RGB")).astype(np.int32)


def fail(msg):
    print(f"  FAIL: {msg}")
    return 1


def want_rgb(c):
    c = c.partition(":")[0]
    hexa, _, alpha = c.partition("@")
    rgb = np.array([int(hexa.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4)], dtype=float)
    a = float(alpha) if alpha else 1.0
    return a * rgb + (1 - a) * 255.0


def check_png(path, min_std, colors, absent=()):
    if not os.path.isfile(path):
        return fail(f"{path}: missing")
    im = load_rgb(path)
    std = float(im.std())
    bad = 0
    print(f"  {path}: {im.shape[1]}x{im.shape[0]}, pixel std {std:.1f}, {os.path.getsize(path)} bytes")
    if std < min_std:
        bad += fail(f"{path}: pixel std {std:.1f} < {min_std} (blank)")
    for c in list(colors) + list(absent):
        want = want_rgb(c)
        limit = int(c.partition(":")[2] or 20)
        n = int((np.abs(im - want).max(axis=-1) <= 6).sum())
        must = c in colors
        print(f"    colour {c} (RGB {np.round(want).astype(int).tolist()}): {n} pixels"
              f"{f' (want >= {limit})' if must else f' (must be under {limit})'}")
        if must and n < limit:
            bad += fail(f"{path}: colour {c} in {n} pixels (< {limit})")
        if not must and n >= limit:
            bad += fail(f"{path}: colour {c}, which must be absent, in {n} pixels (>= {limit})")
    return bad


def check_svg(path):
    if not os.path.isfile(path):
        return fail(f"{path}: missing")
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        return fail(f"{path}: not well-formed XML: {e}")
    n = sum(1 for el in root.iter() if el.tag.split("}")[-1] in ("path", "use", "rect", "line", "polyline", "image"))
    print(f"  {path}: <{root.tag.split('}')[-1]}>, {n} drawing elements, {os.path.getsize(path)} bytes")
    if root.tag.split("}")[-1] != "svg" or n < 10:
        return fail(f"{path}: not an SVG drawing (root {root.tag}, {n} elements)")
    return 0


def check_frame(png, snap, legend, min_agents, frac):
    import h5py
    bad = check_png(png, 10.0, [])
    im = load_rgb(png)
    scene = im[:, : int(im.shape[1] * frac)]
    counts = {}
    with h5py.File(snap, "r") as f:
        for t in f["tissues"]:
            a = f["tissues"][t]["agents"]
            if "type" in a and a["type"].shape[0]:
                for code in (a["type"][...].astype(np.int64) * 100 + a["state"][...]).tolist():
                    counts[code] = counts.get(code, 0) + 1
    with open(legend) as fh:
        entries = json.load(fh)["entries"]
    checked = 0
    for e in entries:
        n_agents = counts.get(e["code"], 0)
        rgb = np.array(e["rgb"]) * 255.0
        n_pix = int((np.sqrt(((scene - rgb) ** 2).sum(axis=-1)) <= 12).sum())
        print(f"    {e['label']:<30} {n_agents:5d} agents, {n_pix:6d} pixels of its colour")
        if n_agents >= min_agents:
            checked += 1
            if n_pix < 10:
                bad += fail(f"{png}: {e['label']} has {n_agents} agents but its colour is in {n_pix} pixels")
    if checked < 3:
        bad += fail(f"{png}: only {checked} type-state codes with >= {min_agents} agents to check")
    return bad


def check_html(path):
    if not os.path.isfile(path):
        return fail(f"{path}: missing")
    text = open(path, encoding="utf-8").read()
    ids = set(re.findall(r'\bid="([^"]+)"', text))
    refs = re.findall(r'\b(src|href)="([^"]*)"', text)
    bad = imgs = 0
    base = os.path.dirname(os.path.abspath(path))
    for attr, ref in refs:
        if ref.startswith("data:"):
            m = re.match(r"data:([^;,]+);base64,(.*)", ref, re.S)
            if not m:
                bad += fail(f"{path}: {attr} data URI without base64 payload")
                continue
            raw = base64.b64decode(m.group(2), validate=True)
            if m.group(1) == "image/png":
                im = load_rgb(io.BytesIO(raw))
                imgs += 1
                print(f"    embedded PNG {im.shape[1]}x{im.shape[0]}, pixel std {im.std():.1f}")
                if im.std() < 10:
                    bad += fail(f"{path}: an embedded image is blank")
        elif ref.startswith("#"):
            if ref[1:] not in ids:
                bad += fail(f"{path}: {attr}={ref} names no id of the document")
        elif re.match(r"[a-z]+://", ref):
            bad += fail(f"{path}: {attr}={ref} points outside the report")
        else:
            target = os.path.join(base, ref)
            if not os.path.exists(target):
                bad += fail(f"{path}: {attr}={ref} does not resolve ({target} missing)")
            else:
                print(f"    link {ref}: exists")
    print(f"  {path}: {len(refs)} src/href, {imgs} embedded images, {os.path.getsize(path)} bytes")
    if imgs == 0:
        bad += fail(f"{path}: no image")
    return bad


def main(argv):
    if len(argv) < 3:
        print(__doc__)
        return 2
    kind, path, rest = argv[1], argv[2], argv[3:]
    opts, pos = {}, []
    i = 0
    colors, absent = [], []
    while i < len(rest):
        if rest[i] in ("--color", "--absent"):
            (colors if rest[i] == "--color" else absent).append(rest[i + 1])
            i += 2
        elif rest[i].startswith("--"):
            opts[rest[i]] = rest[i + 1]
            i += 2
        else:
            pos.append(rest[i])
            i += 1
    if kind == "png":
        bad = check_png(path, float(opts.get("--min-std", 10)), colors, absent)
    elif kind == "svg":
        bad = check_svg(path)
    elif kind == "frame":
        bad = check_frame(path, pos[0], pos[1], int(opts.get("--min-agents", 20)),
                          float(opts.get("--scene-frac", 0.72)))
    elif kind == "html":
        bad = check_html(path)
    else:
        print(f"check_images: unknown check '{kind}'")
        return 2
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
