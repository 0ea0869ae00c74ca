"""Tighter boxes for GDXray B0046 firearms (written for armscan-firearm-v1; used by data.py for every later model).

A GDXray B0046 box is the axis-aligned hull of a loose, rotated rectangle round the gun. `tighten_box` keeps the
dark, dense pixels inside the GDXray polygon and returns the extent of the largest dark blob, so training boxes fit
the gun as the synthetic boxes do.
"""
import numpy as np
from PIL import Image, ImageDraw

TIGHT_FRAC = 0.2        # dark threshold between the polygon's 1st and 75th percentile
TIGHT_BLOCK = 0.5       # 8x8 block counts as dark when this fraction of its pixels is dark


def _largest_component(mask):
    """Largest 8-connected component of a small boolean grid (plain BFS; grids here are ~100x100)."""
    h, w = mask.shape
    seen = np.zeros_like(mask, bool)
    best = None
    best_n = 0
    for y0, x0 in zip(*np.nonzero(mask)):
        if seen[y0, x0]:
            continue
        stack = [(y0, x0)]
        seen[y0, x0] = True
        comp = []
        while stack:
            y, x = stack.pop()
            comp.append((y, x))
            for dy in (-1, 0, 1):
                for dx in (-1, 0, 1):
                    yy, xx = y + dy, x + dx
                    if 0 <= yy < h and 0 <= xx < w and mask[yy, xx] and not seen[yy, xx]:
                        seen[yy, xx] = True
                        stack.append((yy, xx))
        if len(comp) > best_n:
            best_n, best = len(comp), comp
    out = np.zeros_like(mask, bool)
    if best:
        ys, xs = zip(*best)
        out[list(ys), list(xs)] = True
    return out


def tighten_box(grey, ann):
    """Return (tight_xyxy, ok). Dark, dense pixels inside the GDXray polygon; extent of the largest dark blob."""
    x, y, w, h = ann["bbox"]
    x0, y0 = int(np.floor(x)), int(np.floor(y))
    x1, y1 = int(np.ceil(x + w)), int(np.ceil(y + h))
    crop = grey[y0:y1, x0:x1].astype(np.float32)
    poly = np.array(ann["segmentation"][0], np.float32).reshape(-1, 2) - [x0, y0]
    m = Image.new("L", (crop.shape[1], crop.shape[0]), 0)
    ImageDraw.Draw(m).polygon([tuple(p) for p in poly], fill=1)
    inside = np.asarray(m).astype(bool)
    vals = crop[inside]
    p_dark, p_bright = np.percentile(vals, 1), np.percentile(vals, 75)
    thr = p_dark + TIGHT_FRAC * (p_bright - p_dark)
    dark = inside & (crop < thr)
    # coarse grid (8x8 blocks), keep the largest connected dark blob, then the full-res extent of its dark pixels
    b = 8
    hh, ww = dark.shape[0] // b * b, dark.shape[1] // b * b
    blocks = dark[:hh, :ww].reshape(hh // b, b, ww // b, b).mean(axis=(1, 3)) > TIGHT_BLOCK
    blob = _largest_component(blocks)
    orig = (x, y, x + w, y + h)
    if blob.sum() == 0:
        return orig, False
    blob_full = np.zeros_like(dark)
    blob_full[:hh, :ww] = np.repeat(np.repeat(blob, b, 0), b, 1)
    # dilate the blob support by one block so thin parts (barrel) at the edge are kept
    by, bx = np.nonzero(blob)
    yb0, yb1 = max(0, (by.min() - 1) * b), min(dark.shape[0], (by.max() + 2) * b)
    xb0, xb1 = max(0, (bx.min() - 1) * b), min(dark.shape[1], (bx.max() + 2) * b)
    sub = dark[yb0:yb1, xb0:xb1]
    rows = np.nonzero(sub.sum(1) >= 3)[0]
    cols = np.nonzero(sub.sum(0) >= 3)[0]
    if len(rows) == 0 or len(cols) == 0:
        return orig, False
    tb = (x0 + xb0 + cols[0], y0 + yb0 + rows[0], x0 + xb0 + cols[-1] + 1, y0 + yb0 + rows[-1] + 1)
    area_new = (tb[2] - tb[0]) * (tb[3] - tb[1])
    ok = area_new >= 0.15 * w * h
    return (tb if ok else orig), bool(ok)
