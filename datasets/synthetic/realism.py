"""Compares synthetic single-energy (grey) scans with real GDXray dev scans by simple image statistics.

Statistics per image (8-bit grey, bright = empty): mean and std of intensity, share of dark pixels (< 64),
share of near-empty pixels (> 230), mean Sobel gradient magnitude (edge strength), variance of the Laplacian
(fine detail), mean local standard deviation in 7x7 windows (texture). The mean intensity histograms (32 bins)
of two sets are compared by histogram intersection (1 = identical) and Bhattacharyya distance (0 = identical).
For scale, the same comparison is made between two real GDXray series (B0046 bags vs B0008 single objects).

Usage: python realism.py SYNTH_DIR GDXRAY_DIR [--out realism.json]
  SYNTH_DIR: output of `armscan synth` (reads images/*_grey.png)
  GDXRAY_DIR: ../shared/data/gdxray-dev (reads images/*.jpg)
"""
import argparse
import json
from pathlib import Path

import numpy as np
from PIL import Image


def box_mean(a, k):
    pad = k // 2
    p = np.pad(a, pad, mode="reflect")
    c = p.cumsum(0).cumsum(1)
    c = np.pad(c, ((1, 0), (1, 0)))
    s = c[k:, k:] - c[:-k, k:] - c[k:, :-k] + c[:-k, :-k]
    return s / (k * k)


def stats(path, max_side=800):
    im = Image.open(path).convert("L")
    scale = max_side / max(im.size)
    if scale < 1:
        im = im.resize((max(1, round(im.width * scale)), max(1, round(im.height * scale))), Image.BILINEAR)
    a = np.asarray(im, dtype=np.float64)
    gx = np.zeros_like(a)
    gy = np.zeros_like(a)
    gx[1:-1, 1:-1] = (a[:-2, 2:] + 2 * a[1:-1, 2:] + a[2:, 2:]) - (a[:-2, :-2] + 2 * a[1:-1, :-2] + a[2:, :-2])
    gy[1:-1, 1:-1] = (a[2:, :-2] + 2 * a[2:, 1:-1] + a[2:, 2:]) - (a[:-2, :-2] + 2 * a[:-2, 1:-1] + a[:-2, 2:])
    lap = a[:-2, 1:-1] + a[2:, 1:-1] + a[1:-1, :-2] + a[1:-1, 2:] - 4 * a[1:-1, 1:-1]
    m = box_mean(a, 7)
    local_std = np.sqrt(np.maximum(box_mean(a * a, 7) - m * m, 0))
    hist = np.histogram(a, bins=32, range=(0, 256))[0].astype(np.float64)
    return {
        "mean": a.mean(), "std": a.std(), "dark_share": (a < 64).mean(), "empty_share": (a > 230).mean(),
        "edge_mean": np.hypot(gx, gy).mean(), "laplacian_var": lap.var(), "texture_local_std": local_std.mean(),
        "hist": hist / hist.sum(),
    }


def summarise(rows):
    keys = [k for k in rows[0] if k != "hist"]
    out = {k: {"mean": float(np.mean([r[k] for r in rows])), "sd": float(np.std([r[k] for r in rows]))} for k in keys}
    return out, np.mean([r["hist"] for r in rows], axis=0)


def compare(h1, h2):
    return {"histogram_intersection": float(np.minimum(h1, h2).sum()),
            "bhattacharyya_distance": float(-np.log(max(np.sqrt(h1 * h2).sum(), 1e-12)))}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("synth_dir")
    ap.add_argument("gdxray_dir")
    ap.add_argument("--out", default="realism.json")
    ap.add_argument("--per-set", type=int, default=60)
    args = ap.parse_args()
    synth = sorted(Path(args.synth_dir, "images").glob("*_grey.png"))[: args.per_set]
    real = sorted(Path(args.gdxray_dir, "images").glob("*.jpg"))
    bags = [p for p in real if p.name.startswith("B0046")][: args.per_set]
    objects = [p for p in real if p.name.startswith("B0008")][: args.per_set]
    sets = {"synthetic": synth, "gdxray_B0046_bags": bags, "gdxray_B0008_objects": objects}
    summaries, hists = {}, {}
    for name, files in sets.items():
        summaries[name], hists[name] = summarise([stats(p) for p in files])
        summaries[name]["images"] = len(files)
    result = {
        "statistics": summaries,
        "synthetic_vs_B0046": compare(hists["synthetic"], hists["gdxray_B0046_bags"]),
        "synthetic_vs_B0008": compare(hists["synthetic"], hists["gdxray_B0008_objects"]),
        "B0046_vs_B0008 (real vs real, for scale)": compare(hists["gdxray_B0046_bags"], hists["gdxray_B0008_objects"]),
    }
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
