"""Prepare training data for armscan-firearm-v1.

1. Tighten the loose B0046 boxes (hull of a rotated GDXray rectangle) to the extent of the gun's dark pixels.
2. Build a pool of TRAIN-series source images (downscaled), threat sources (B0049) and backgrounds.
3. Generate a cache of 320x320 training samples: real B0046 crops (tight boxes, optionally with an extra projected
   threat), threat-image-projection (TIP) composites on firearm-free backgrounds (multiplicative in transmission),
   B0049 guns padded into larger flat canvases, and hard negatives (knives, shuriken, bag parts).

Usage: python prepare.py --n 6000 --seed 0 --out runs/cache/train.npz [--checks]
"""
import argparse
import io
import json
import os
import random
import time
from multiprocessing import Pool

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from common import INPUT, TRAIN_SERIES, VAL_SERIES, load_coco, load_grey
from clutter import add_clutter

CLUTTER = False          # --clutter (cache v3, run v1b): procedural hard-negative clutter, see clutter.py

HERE = os.path.dirname(os.path.abspath(__file__))
POOL_MAX_SIDE = 900      # source images are kept at most this large (B0046: 2688 -> 900, factor 0.335)
TIGHT_FRAC = 0.2        # dark threshold between the polygon's 1st and 75th percentile
TIGHT_BLOCK = 0.5       # 8x8 block counts as dark when this fraction of its pixels is dark


# ----------------------------------------------------------------------------------------------------------------
# 1. B0046 box tightening
# ----------------------------------------------------------------------------------------------------------------
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


def montage(items, path, cols=4, tile=320):
    """items: list of (grey, [(box, colour), ...]). Draws boxes and writes a PNG montage."""
    rows = (len(items) + cols - 1) // cols
    canvas = Image.new("RGB", (cols * tile, rows * tile), (40, 40, 40))
    for k, (grey, boxes) in enumerate(items):
        s = tile / max(grey.shape)
        im = Image.fromarray(grey).resize((max(1, int(grey.shape[1] * s)), max(1, int(grey.shape[0] * s))),
                                          Image.BILINEAR).convert("RGB")
        d = ImageDraw.Draw(im)
        for box, col in boxes:
            d.rectangle([box[0] * s, box[1] * s, box[2] * s, box[3] * s], outline=col, width=2)
        canvas.paste(im, ((k % cols) * tile, (k // cols) * tile))
    canvas.save(path)


# ----------------------------------------------------------------------------------------------------------------
# 2. source pool
# ----------------------------------------------------------------------------------------------------------------
def build_pool(checks=False, log=print):
    images, anns = load_coco()
    pool = {"b0046_gun": [], "threat": [], "bg": [], "neg": []}
    tight_log = []
    check_items = []
    for im in images:
        ser = im["series"]
        if ser in VAL_SERIES:
            continue
        assert ser in TRAIN_SERIES, ser
        if im["firearm_boxes"] == "missing":
            continue
        grey = load_grey(im["file_name"])
        fire = [a for a in anns.get(im["id"], []) if a["category_id"] == 1]
        boxes = []
        for a in fire:
            x, y, w, h = a["bbox"]
            if ser == "B0046":
                tb, ok = tighten_box(grey, a)
                tight_log.append({"image": im["file_name"], "ann_id": a["id"], "loose": [x, y, x + w, y + h],
                                  "tight": [float(v) for v in tb], "tightened": ok,
                                  "area_ratio": float((tb[2] - tb[0]) * (tb[3] - tb[1]) / (w * h))})
                boxes.append(tb)
                if checks:
                    check_items.append((grey, [((x, y, x + w, y + h), (255, 60, 60)), (tb, (60, 255, 60))]))
            else:
                boxes.append((x, y, x + w, y + h))
        f = min(1.0, POOL_MAX_SIDE / max(grey.shape))
        small = np.asarray(Image.fromarray(grey).resize((int(round(grey.shape[1] * f)), int(round(grey.shape[0] * f))),
                                                        Image.BILINEAR))
        entry = {"img": small, "boxes": np.array(boxes, np.float32).reshape(-1, 4) * f, "f": f,
                 "orig_short": min(grey.shape), "name": im["file_name"]}
        if ser == "B0049":
            pool["threat"].append(entry)
        elif ser == "B0046" and im["label"] == "firearm":
            pool["b0046_gun"].append(entry)
        else:  # firearm-free: B0008, B0076, B0082, B0046 'other'
            pool["bg"].append(entry)
            pool["neg"].append(entry)
    if checks:
        os.makedirs(os.path.join(HERE, "checks"), exist_ok=True)
        for k in range(0, min(len(check_items), 48), 12):
            montage(check_items[k:k + 12], os.path.join(HERE, "checks", f"b0046_tighten_{k // 12}.png"))
        with open(os.path.join(HERE, "checks", "b0046_tightening.json"), "w") as fh:
            json.dump(tight_log, fh, indent=1)
        r = [t["area_ratio"] for t in tight_log]
        log(f"tightened {sum(t['tightened'] for t in tight_log)}/{len(tight_log)} B0046 boxes, "
            f"area ratio median {np.median(r):.2f} min {np.min(r):.2f} max {np.max(r):.2f}")
    log({k: len(v) for k, v in pool.items()})
    return pool


# ----------------------------------------------------------------------------------------------------------------
# 3. sample generation
# ----------------------------------------------------------------------------------------------------------------
def _resize(a, s):
    h, w = a.shape
    return np.asarray(Image.fromarray(a).resize((max(1, int(round(w * s))), max(1, int(round(h * s)))), Image.BILINEAR))


def _crop_scene(img, boxes, s, rng, focus=None, allow_tile=None):
    """Scale img by s, take a 320x320 crop. When too small: reflect-tiled (only firearm-free scenes, so no unlabelled
    mirrored gun can appear) or padded bright as the runtime does. Returns scene uint8 and boxes."""
    if allow_tile is None:
        allow_tile = len(boxes) == 0
    a = _resize(img, s)
    b = boxes * s
    h, w = a.shape
    if h < INPUT or w < INPUT:
        py, px = max(0, INPUT - h), max(0, INPUT - w)
        if allow_tile and rng.random() < 0.5:   # tile (reflect) the firearm-free background
            a = np.pad(a, ((0, py), (0, px)), mode="reflect" if (py < h and px < w) else "wrap")
        else:                    # pad bright, as the runtime does
            a = np.pad(a, ((0, py), (0, px)), constant_values=255)
        h, w = a.shape
    if focus is not None and len(b):
        bx = b[rng.integers(len(b))]
        cx = rng.uniform(bx[2] - INPUT, bx[0]) if bx[2] - bx[0] < INPUT else rng.uniform(bx[0] - 40, bx[2] - INPUT + 40)
        cy = rng.uniform(bx[3] - INPUT, bx[1]) if bx[3] - bx[1] < INPUT else rng.uniform(bx[1] - 40, bx[3] - INPUT + 40)
        x0, y0 = int(np.clip(cx, 0, w - INPUT)), int(np.clip(cy, 0, h - INPUT))
    else:
        x0, y0 = int(rng.integers(0, w - INPUT + 1)), int(rng.integers(0, h - INPUT + 1))
    scene = a[y0:y0 + INPUT, x0:x0 + INPUT].copy()
    out = []
    for bb in b:
        c = np.array([bb[0] - x0, bb[1] - y0, bb[2] - x0, bb[3] - y0])
        area = (c[2] - c[0]) * (c[3] - c[1])
        cc = np.clip(c, 0, INPUT)
        vis = max(0, cc[2] - cc[0]) * max(0, cc[3] - cc[1])
        if area > 0 and vis / area >= 0.4 and min(cc[2] - cc[0], cc[3] - cc[1]) >= 8:
            out.append(cc)
    return scene, out


def _threat_transmission(entry, long_side, rng):
    """B0049 gun -> transmission image T in [0,1] (uint8*255), rotated/flipped/scaled so the gun's long side ~ long_side."""
    img = entry["img"].astype(np.float32)
    h, w = img.shape
    border = np.concatenate([img[:4].ravel(), img[-4:].ravel(), img[:, :4].ravel(), img[:, -4:].ravel()])
    bgl = np.median(border)
    t = np.clip(img / max(bgl, 1.0) / 0.97, 0, 1)
    bx = entry["boxes"][0]
    m = 6
    x0, y0 = int(max(0, bx[0] - m)), int(max(0, bx[1] - m))
    x1, y1 = int(min(w, bx[2] + m)), int(min(h, bx[3] + m))
    t = t[y0:y1, x0:x1]
    gun_long = max(bx[2] - bx[0], bx[3] - bx[1])
    im = Image.fromarray((t * 255).astype(np.uint8))
    if rng.random() < 0.5:
        im = im.transpose(Image.FLIP_LEFT_RIGHT)
    if rng.random() < 0.5:
        im = im.transpose(Image.FLIP_TOP_BOTTOM)
    s = long_side / gun_long * rng.uniform(0.9, 1.1)
    im = im.resize((max(2, int(im.width * s)), max(2, int(im.height * s))), Image.BILINEAR)
    im = im.rotate(rng.uniform(0, 360), resample=Image.BILINEAR, expand=True, fillcolor=255)
    return np.asarray(im).astype(np.float32) / 255.0


def _iou(a, b):
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter + 1e-9)


def _project(scene, boxes, pool, rng, n_threats):
    """Multiply n projected threats into the scene's transmission. I_out = I_bg * T (never alpha-blend)."""
    out = scene.astype(np.float32)
    boxes = list(boxes)
    for _ in range(n_threats):
        long_side = float(np.exp(rng.uniform(np.log(25), np.log(300))))
        t = _threat_transmission(pool["threat"][rng.integers(len(pool["threat"]))], long_side, rng)
        th, tw = t.shape
        if th > INPUT or tw > INPUT:
            continue
        for _try in range(12):
            px, py = int(rng.integers(0, INPUT - tw + 1)), int(rng.integers(0, INPUT - th + 1))
            ys, xs = np.nonzero(t < 0.9)
            if len(ys) == 0:
                break
            nb = (px + xs.min(), py + ys.min(), px + xs.max() + 1, py + ys.max() + 1)
            if all(_iou(nb, b) < 0.05 for b in boxes):
                out[py:py + th, px:px + tw] *= t
                boxes.append(np.array(nb, np.float32))
                break
    return np.clip(out, 0, 255).astype(np.uint8), boxes


def _photometric(a, rng):
    x = a.astype(np.float32) / 255.0
    x = x ** rng.uniform(0.7, 1.4)                              # gamma
    x = 1.0 - (1.0 - x) * rng.uniform(0.75, 1.25)               # contrast around the bright background
    x = x * rng.uniform(0.9, 1.05)                              # exposure
    x = np.clip(x * 255.0 + rng.normal(0, rng.uniform(0, 6), x.shape), 0, 255).astype(np.uint8)
    im = Image.fromarray(x)
    if rng.random() < 0.3:
        im = im.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.3)))
    if rng.random() < 0.5:
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=int(rng.integers(35, 95)))
        im = Image.open(buf).convert("L")
    return np.asarray(im)


def runtime_scale(entry):
    """Scale from pool pixels to runtime-model pixels for this image (runtime fits the short side to 320)."""
    s_orig = min(INPUT / entry["orig_short"], 2.0)
    return s_orig / entry["f"]


def _n_clutter(rng, p, lo=1, hi=5):
    """number of clutter objects to add (0 with probability 1 - p); only when --clutter is on."""
    if not CLUTTER or rng.random() >= p:
        return 0
    return int(rng.integers(lo, hi + 1))


def make_sample(pool, rng):
    if CLUTTER:
        return make_sample_v3(pool, rng)
    r = rng.random()
    if r < 0.12:      # E: B0049 crop at runtime framing: the gun is larger than the frame and cut by it
        e = pool["threat"][rng.integers(len(pool["threat"]))]
        s = runtime_scale(e) * float(np.exp(rng.uniform(np.log(0.6), np.log(1.4))))
        scene, boxes = _crop_scene(e["img"], e["boxes"], s, rng, focus=True)
        kind = 4
    elif r < 0.37:    # A: real B0046 bag with tightened boxes (+ sometimes an extra projected threat)
        e = pool["b0046_gun"][rng.integers(len(pool["b0046_gun"]))]
        s = runtime_scale(e) * float(np.exp(rng.uniform(np.log(0.6), np.log(4.0))))
        scene, boxes = _crop_scene(e["img"], e["boxes"], s, rng, focus=rng.random() < 0.8)
        if rng.random() < 0.35:
            scene, boxes = _project(scene, boxes, pool, rng, 1)
        kind = 0
    elif r < 0.70:    # B: TIP composite on a firearm-free background, 0-2 threats
        e = pool["bg"][rng.integers(len(pool["bg"]))]
        s = runtime_scale(e) * float(np.exp(rng.uniform(np.log(0.7), np.log(2.5))))
        scene, _ = _crop_scene(e["img"], np.zeros((0, 4), np.float32), s, rng)
        n = int(rng.choice([0, 1, 2], p=[0.15, 0.55, 0.30]))
        scene, boxes = _project(scene, [], pool, rng, n)
        kind = 1
    elif r < 0.78:    # C: B0049 gun on a flat, larger canvas (gun does not fill the frame)
        level = rng.uniform(190, 250)
        scene = np.clip(np.full((INPUT, INPUT), level) + rng.normal(0, 2, (INPUT, INPUT)), 0, 255).astype(np.uint8)
        scene, boxes = _project(scene, [], pool, rng, int(rng.choice([1, 2], p=[0.8, 0.2])))
        kind = 2
    else:             # D: hard negative (knives, shuriken, bag parts), runtime-like scale
        e = pool["neg"][rng.integers(len(pool["neg"]))]
        s = runtime_scale(e) * float(np.exp(rng.uniform(np.log(0.6), np.log(3.0))))
        scene, boxes = _crop_scene(e["img"], np.zeros((0, 4), np.float32), s, rng)
        kind = 3
    scene = _photometric(scene, rng)
    return scene, np.array(boxes, np.float32).reshape(-1, 4), kind


def make_sample_v3(pool, rng):
    """cache v3 (--clutter): the cache-v2 mix with procedural clutter multiplied into most scenes, plus a new
    type F: clutter-only composites (no firearm box). Clutter never gets a box and may overlap the guns."""
    r = rng.random()
    if r < 0.10:      # E: B0049 crop at runtime framing
        e = pool["threat"][rng.integers(len(pool["threat"]))]
        s = runtime_scale(e) * float(np.exp(rng.uniform(np.log(0.6), np.log(1.4))))
        scene, boxes = _crop_scene(e["img"], e["boxes"], s, rng, focus=True)
        scene = add_clutter(scene, rng, _n_clutter(rng, 0.3, 1, 2))
        kind = 4
    elif r < 0.31:    # A: real B0046 bag with tightened boxes (+ sometimes an extra projected threat)
        e = pool["b0046_gun"][rng.integers(len(pool["b0046_gun"]))]
        s = runtime_scale(e) * float(np.exp(rng.uniform(np.log(0.6), np.log(4.0))))
        scene, boxes = _crop_scene(e["img"], e["boxes"], s, rng, focus=rng.random() < 0.8)
        if rng.random() < 0.35:
            scene, boxes = _project(scene, boxes, pool, rng, 1)
        scene = add_clutter(scene, rng, _n_clutter(rng, 0.35, 1, 3))
        kind = 0
    elif r < 0.58:    # B: TIP composite on a firearm-free background, 0-2 threats, clutter in most scenes
        e = pool["bg"][rng.integers(len(pool["bg"]))]
        s = runtime_scale(e) * float(np.exp(rng.uniform(np.log(0.7), np.log(2.5))))
        scene, _ = _crop_scene(e["img"], np.zeros((0, 4), np.float32), s, rng)
        n = int(rng.choice([0, 1, 2], p=[0.15, 0.55, 0.30]))
        if rng.random() < 0.5:   # clutter under the threats (threat placement ignores clutter: overlaps happen)
            scene = add_clutter(scene, rng, _n_clutter(rng, 0.7, 1, 5))
            scene, boxes = _project(scene, [], pool, rng, n)
        else:
            scene, boxes = _project(scene, [], pool, rng, n)
            scene = add_clutter(scene, rng, _n_clutter(rng, 0.7, 1, 5))
        kind = 1
    elif r < 0.65:    # C: B0049 gun on a flat, larger canvas
        level = rng.uniform(190, 250)
        scene = np.clip(np.full((INPUT, INPUT), level) + rng.normal(0, 2, (INPUT, INPUT)), 0, 255).astype(np.uint8)
        scene, boxes = _project(scene, [], pool, rng, int(rng.choice([1, 2], p=[0.8, 0.2])))
        scene = add_clutter(scene, rng, _n_clutter(rng, 0.6, 1, 4))
        kind = 2
    elif r < 0.82:    # D: hard negative (knives, shuriken, bag parts), sometimes with clutter
        e = pool["neg"][rng.integers(len(pool["neg"]))]
        s = runtime_scale(e) * float(np.exp(rng.uniform(np.log(0.6), np.log(3.0))))
        scene, boxes = _crop_scene(e["img"], np.zeros((0, 4), np.float32), s, rng)
        scene = add_clutter(scene, rng, _n_clutter(rng, 0.5, 1, 4))
        kind = 3
    else:             # F: clutter-only negatives on a firearm-free background or a flat canvas, 1-8 objects
        if rng.random() < 0.6:
            e = pool["bg"][rng.integers(len(pool["bg"]))]
            s = runtime_scale(e) * float(np.exp(rng.uniform(np.log(0.7), np.log(2.5))))
            scene, _ = _crop_scene(e["img"], np.zeros((0, 4), np.float32), s, rng)
        else:
            level = rng.uniform(190, 250)
            scene = np.clip(np.full((INPUT, INPUT), level) + rng.normal(0, 2, (INPUT, INPUT)), 0, 255).astype(np.uint8)
        scene = add_clutter(scene, rng, int(rng.integers(1, 9)))
        boxes = []
        kind = 5
    scene = _photometric(scene, rng)
    return scene, np.array(boxes, np.float32).reshape(-1, 4), kind


_POOL = None


def _worker(args):
    seed, n = args
    global _POOL
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        out.append(make_sample(_POOL, rng))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=6000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", default=os.path.join(HERE, "runs", "cache", "train.npz"))
    ap.add_argument("--checks", action="store_true", help="write tightening montages and sample montages")
    ap.add_argument("--clutter", action="store_true", help="cache v3: procedural hard-negative clutter (clutter.py)")
    ap.add_argument("--clutter-montage", default="clutter_samples.png",
                    help="with --clutter --checks: montage of clutter composites written to checks/")
    args = ap.parse_args()
    global CLUTTER
    CLUTTER = args.clutter
    random.seed(args.seed)
    np.random.seed(args.seed)
    t0 = time.time()
    global _POOL
    _POOL = build_pool(checks=args.checks and not args.clutter)   # v3 does not rewrite the tightening checks
    print(f"pool built in {time.time() - t0:.1f}s", flush=True)
    chunks = [(args.seed * 1000 + k, args.n // 20 + (1 if k < args.n % 20 else 0)) for k in range(20)]
    with Pool(args.workers) as p:   # fork: workers inherit _POOL
        res = [s for part in p.map(_worker, chunks) for s in part]
    imgs = np.stack([r[0] for r in res])
    nbox = np.array([len(r[1]) for r in res], np.int32)
    boxes = np.concatenate([r[1] for r in res]) if nbox.sum() else np.zeros((0, 4), np.float32)
    kinds = np.array([r[2] for r in res], np.int8)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    np.savez(args.out, images=imgs, nbox=nbox, boxes=boxes, kinds=kinds)
    print(f"{len(imgs)} samples, {int(nbox.sum())} boxes, kinds {np.bincount(kinds, minlength=6).tolist()}, "
          f"{(nbox == 0).mean():.2f} empty, {time.time() - t0:.1f}s -> {args.out}", flush=True)
    if args.checks and args.clutter:   # only a small montage of clutter composites (checks/ must stay small)
        off = np.concatenate([[0], np.cumsum(nbox)])
        sel = [i for i in range(len(imgs)) if kinds[i] in (1, 5)][:12]
        items = [(imgs[i], [(b, (60, 255, 60)) for b in boxes[off[i]:off[i + 1]]]) for i in sel]
        montage(items, os.path.join(HERE, "checks", args.clutter_montage), cols=4, tile=256)
    elif args.checks:
        items, off = [], np.concatenate([[0], np.cumsum(nbox)])
        for i in range(16):
            items.append((imgs[i], [(b, (60, 255, 60)) for b in boxes[off[i]:off[i + 1]]]))
        montage(items, os.path.join(HERE, "checks", "train_samples.png"))


if __name__ == "__main__":
    main()
