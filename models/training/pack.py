"""Pack training sources into one small folder for the GPU entry point (gpu_train.sh): at most --budget-mib MiB,
so that it travels with the working tree to a GPU machine that can fetch nothing.

  python pack.py --out PACK_DIR --budget-mib 60 \
      --source synth:/work/data/synth-train10/annotations.json@0.5 \
      --source gdxray:../../../shared/data/gdxray-dev/annotations.json:B0046@0.3 ...

Sources are those of train.py (KIND:PATH[:SERIES,...][@WEIGHT]). Each image is resampled to --mm-per-px (1.0 by
default: the synthetic scenes' own spacing, finer than the working 1.5 mm/px, so scale jitter still has detail to
magnify) with its boxes, and stored as lossy WebP (quality --quality; the training adds noise and blur of its own).
Each source gets the share of the budget its weight asks for, filled with its images in a random order (seed
--seed), so a pack is a deterministic sample of the sources. PACK_DIR/index.json lists the images (file, boxes in
packed pixels, labels, spacing, kind, source) and the sources' names and weights; train.py --pack reads it.
"""
import argparse
import io
import json
import os

import numpy as np
from PIL import Image

from data import load_set
from train import parse_source


def load_pack(pack_dir):
    """[(source name, entries, weight)] of a pack, entries as data.load_set makes them."""
    with open(os.path.join(pack_dir, "index.json")) as f:
        index = json.load(f)
    out = []
    for i, src in enumerate(index["sources"]):
        entries = [{"path": os.path.join(pack_dir, im["file"]),
                    "boxes": np.array(im["boxes"], np.float32).reshape(-1, 4),
                    "labels": np.array(im["labels"], np.int64), "spacing": im["spacing"], "kind": im["kind"]}
                   for im in index["images"] if im["source"] == i]
        out.append((src["name"], entries, src["weight"]))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--source", action="append", required=True)
    ap.add_argument("--budget-mib", type=float, default=60.0)
    ap.add_argument("--mm-per-px", type=float, default=1.0)
    ap.add_argument("--quality", type=int, default=90)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    os.makedirs(os.path.join(args.out, "images"), exist_ok=True)
    rng = np.random.default_rng(args.seed)
    parsed = [parse_source(s) for s in args.source]
    wsum = sum(p[3] for p in parsed)
    budget = args.budget_mib * 1024 * 1024 - 256 * 1024   # room for index.json
    images, sources, used = [], [], 0
    for si, (kind, path, series, weight) in enumerate(parsed):
        name = f"{kind}:{os.path.basename(os.path.dirname(os.path.abspath(path)))}" + (
            f":{','.join(sorted(series))}" if series else "")
        sources.append({"name": name, "weight": weight})
        share = budget * weight / wsum
        entries = load_set(path, kind, series)
        spent, kept = 0, 0
        for i in rng.permutation(len(entries)):
            e = entries[i]
            if not e["spacing"]:
                continue
            img = Image.open(e["path"]).convert("L")
            s = e["spacing"] / args.mm_per_px
            size = (max(1, round(img.width * s)), max(1, round(img.height * s)))
            small = img.resize(size, Image.BOX if s < 1 else Image.BILINEAR)
            buf = io.BytesIO()
            small.save(buf, "WEBP", quality=args.quality, method=4)
            data = buf.getvalue()
            if spent + len(data) > share:
                break
            file = f"images/{si:02d}_{kept:05d}.webp"
            with open(os.path.join(args.out, file), "wb") as f:
                f.write(data)
            images.append({"file": file, "boxes": (e["boxes"] * s).round(2).tolist(), "labels": e["labels"].tolist(),
                           "spacing": args.mm_per_px, "kind": e["kind"], "source": si})
            spent += len(data)
            kept += 1
        used += spent
        print(f"{name}: {kept} of {len(entries)} images, {spent / 2**20:.1f} MiB")
    with open(os.path.join(args.out, "index.json"), "w") as f:
        json.dump({"schema": "armscan.training-pack/1", "mm_per_px": args.mm_per_px, "sources": sources,
                   "images": images}, f)
    print(f"{len(images)} images, {used / 2**20:.1f} MiB -> {args.out}")


if __name__ == "__main__":
    main()
