"""Training samples for the armscan-threat models: 320x320 frames cut from COCO data sets at the runtime's working scale.

Sources (each a COCO annotations.json):
- `armscan synth` output: grey planes with `pixel_spacing_mm`; frames at the manifest's working scale
  (WORKING_MM_PER_PX), jittered x0.8..1.25, exactly what the runtime does with a known pixel spacing;
- GDXray dev (kind `gdxray`): read at GDXRAY_MM_PER_PX (0.16, the flat panel's pitch; GDXray states no spacing) and
  framed at the same working scale, jittered the same way; B0046 boxes tightened to the dark pixels inside the GDXray polygon (`gdxray_boxes.tighten_box`),
  since the upstream boxes are loose; only the series given (training series, never B0079/B0074/B0048).

Class index by Protocol category: 0 firearm, 1 part, 2 ammunition (fine class -> category through the COCO
`supercategory` of armscan synth, or `firearm` for GDXray's `firearm`). Annotations of other classes (knives, razor
blades) are not threats: the frames that hold them are negatives there.
"""
import json
import os

import numpy as np
from PIL import Image

INPUT = 320
MAX_UPSCALE = 2.0
PAD = 255
WORKING_MM_PER_PX = 1.5
# GDXray states no pixel spacing; its baggage images come from a Canon CXDI-50G flat panel with a 160 um pitch, so
# they are read at 0.16 mm/px (the same assumption as `armscan synth --tip-spacing-mm` and the manifest's
# `assumed_mm_per_px`).
GDXRAY_MM_PER_PX = 0.16
# The runtime's coarse pass (manifest `framing.coarse_pass.factor`): scans framed again at this many times the working
# spacing, so that objects longer than a frame (rifles, shotguns) are seen whole.
COARSE_FACTOR = 2.0
# Model classes: the three Protocol categories, then `accessory` (magazines, trigger groups: not Protocol parts,
# armscan_core::Category::Accessory), which models from armscan-threat-v12 on detect as their own class.
CATEGORIES = ["firearm", "part", "ammunition", "accessory"]
FINE_TO_CATEGORY = {
    "firearm": "firearm", "handgun": "firearm", "pistol": "firearm", "revolver": "firearm", "rifle": "firearm",
    "shotgun": "firearm", "submachine_gun": "firearm", "barrel": "part", "slide": "part", "frame_receiver": "part",
    "bolt": "part", "cylinder": "part", "silencer": "part", "trigger_group": "accessory", "magazine": "accessory",
    "cartridge": "ammunition",
    "shotgun_shell": "ammunition", "ammunition_box": "ammunition", "ammunition_clip": "ammunition",
    "ammunition_belt": "ammunition",
}


def load_set(path, kind, series=None, images_dir=None, coco=None):
    """Returns a list of entries {path, boxes [K,4] xyxy source px, labels [K], spacing (mm/px or None)}.

    `coco` is the already parsed annotations of `path`, where the caller has read them (else they are read here)."""
    if coco is None:
        with open(path) as f:
            coco = json.load(f)
    root = images_dir or os.path.dirname(os.path.abspath(path))
    cats = {c["id"]: c["name"] for c in coco["categories"]}
    anns = {}
    for a in coco["annotations"]:
        anns.setdefault(a["image_id"], []).append(a)
    tighten = None
    if kind == "gdxray":
        from gdxray_boxes import tighten_box  # B0046 box tightening (read only for GDXray sources)
        tighten = tighten_box
    out = []
    for im in coco["images"]:
        if series and im.get("series") not in series:
            continue
        p = os.path.join(root, im["file_name"])
        if not os.path.exists(p) and os.path.exists(os.path.join(root, "images", im["file_name"])):
            p = os.path.join(root, "images", im["file_name"])
        boxes, labels = [], []
        grey = None
        for a in anns.get(im["id"], []):
            cat = FINE_TO_CATEGORY.get(cats.get(a["category_id"], ""))
            if cat is None:
                continue
            x, y, w, h = a["bbox"]
            b = [x, y, x + w, y + h]
            if tighten is not None and im.get("series") == "B0046":
                if grey is None:
                    grey = np.asarray(Image.open(p).convert("L"))
                tb, ok = tighten(grey, a)
                if ok:
                    b = [float(v) for v in tb]
            boxes.append(b)
            labels.append(CATEGORIES.index(cat))
        out.append({"path": p, "boxes": np.array(boxes, np.float32).reshape(-1, 4),
                    "labels": np.array(labels, np.int64),
                    "spacing": GDXRAY_MM_PER_PX if kind == "gdxray" else im.get("pixel_spacing_mm"), "kind": kind})
    return out


def base_scale(entry, w, h):
    """The runtime's scale for this image: working mm/px when the spacing is known, else short side -> 320."""
    if entry["spacing"]:
        return entry["spacing"] / WORKING_MM_PER_PX
    return min(INPUT / min(w, h), MAX_UPSCALE)


def scale_jitter(rng, wide_p=0.0, wide=(0.45, 2.2)):
    """The factor on the runtime's scale: x0.8..1.25 (log-uniform), or with probability `wide_p` anywhere in `wide`.
    Wide jitter trains for scans whose spacing is only estimated (from the content, or a rung of the scale search):
    the same object is seen at up to about twice or half its size at the working scale, and things that are not
    threats are seen magnified or shrunk (hard negatives at wrong scales)."""
    lo, hi = wide if wide_p and rng.random() < wide_p else (0.8, 1.25)
    return float(np.exp(rng.uniform(np.log(lo), np.log(hi))))


def make_sample(entry, rng, focus_p=0.75, coarse_p=0.0, wide_p=0.0):
    """One 320x320 uint8 frame and its boxes [K,4] (frame px) and labels [K]. A synthetic scene is cut with
    probability `coarse_p` at the coarse pass's scale (1 / COARSE_FACTOR of the working scale): the runtime runs that
    pass only on scans larger than one fine frame, which GDXray's bags are not. `wide_p`: see `scale_jitter`."""
    img = Image.open(entry["path"]).convert("L")
    w, h = img.size
    s = base_scale(entry, w, h) * scale_jitter(rng, wide_p)
    if coarse_p and entry["kind"] == "synth" and rng.random() < coarse_p:
        s /= COARSE_FACTOR
    nw, nh = max(1, int(round(w * s))), max(1, int(round(h * s)))
    img = np.asarray(img.resize((nw, nh), Image.BILINEAR))
    boxes = entry["boxes"] * s
    labels = entry["labels"]
    # window: around a random threat, or anywhere
    if len(boxes) and rng.random() < focus_p:
        b = boxes[rng.integers(len(boxes))]
        cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
        x0 = int(cx - INPUT / 2 + rng.uniform(-0.35, 0.35) * INPUT)
        y0 = int(cy - INPUT / 2 + rng.uniform(-0.35, 0.35) * INPUT)
    else:
        x0 = int(rng.integers(min(0, nw - INPUT), max(1, nw - INPUT + 1)))
        y0 = int(rng.integers(min(0, nh - INPUT), max(1, nh - INPUT + 1)))
    x0 = int(np.clip(x0, min(0, nw - INPUT), max(0, nw - INPUT)))
    y0 = int(np.clip(y0, min(0, nh - INPUT), max(0, nh - INPUT)))
    frame = np.full((INPUT, INPUT), PAD, np.uint8)
    sx0, sy0 = max(0, x0), max(0, y0)
    crop = img[sy0:min(nh, y0 + INPUT), sx0:min(nw, x0 + INPUT)]
    frame[sy0 - y0:sy0 - y0 + crop.shape[0], sx0 - x0:sx0 - x0 + crop.shape[1]] = crop
    keep_b, keep_l = [], []
    for b, l in zip(boxes, labels):
        bb = b - [x0, y0, x0, y0]
        cb = np.clip(bb, 0, INPUT)
        area = (bb[2] - bb[0]) * (bb[3] - bb[1])
        vis = (cb[2] - cb[0]) * (cb[3] - cb[1])
        if area > 0 and vis / area >= 0.45 and cb[2] - cb[0] >= 3 and cb[3] - cb[1] >= 3:
            keep_b.append(cb)
            keep_l.append(l)
    return frame, np.array(keep_b, np.float32).reshape(-1, 4), np.array(keep_l, np.int64)


def photometric(frame, rng):
    """Density jitter (gamma on transmission), a little contrast and noise; keeps the empty belt white."""
    a = frame.astype(np.float32) / 255.0
    a = np.power(np.clip(a, 1e-3, 1.0), rng.uniform(0.75, 1.35))
    if rng.random() < 0.5:
        a = a + rng.normal(0, rng.uniform(0.0, 0.02), a.shape).astype(np.float32)
    return np.clip(a, 0, 1)


def _blur(a, sigma):
    """Separable Gaussian blur of a float frame (edge samples repeated)."""
    r = max(1, int(3 * sigma + 0.5))
    x = np.arange(-r, r + 1, dtype=np.float32)
    k = np.exp(-0.5 * (x / sigma) ** 2)
    k /= k.sum()
    p = np.pad(a, r, mode="edge")
    p = sum(k[i] * p[:, i:i + a.shape[1]] for i in range(2 * r + 1))
    return sum(k[i] * p[i:i + a.shape[0], :] for i in range(2 * r + 1))


def scanner_style(a, rng):
    """Scanner-style randomisation of a transmission frame in [0, 1] (1 = empty belt), each step with its own
    probability, so that no one scanner's look is learnt:
    - native resolution coarser than the working scale: down-sampled by 1.3-3x and back up (a 2.5 mm/px scanner
      upscaled to 1.5 mm/px);
    - detector blur (Gaussian, sigma 0.3-1.2 px) or the edge enhancement consoles apply (unsharp mask, 0.3-1.5);
    - detector response and display curve: logarithmic display (log(1 + c t) / log(1 + c)) or the luma of a
      pseudo-colour palette (hues darken mid and dense tones by material: t * (w + (1 - w) t^p));
    - signal-dependent (quantum) noise.
    The empty belt stays white and nothing moves, so boxes stay exact."""
    n = a.shape[0]
    if rng.random() < 0.35:
        f = rng.uniform(1.3, 3.0)
        m = max(8, int(round(n / f)))
        small = Image.fromarray(a).resize((m, m), Image.BOX)
        a = np.asarray(small.resize((n, n), Image.BILINEAR), dtype=np.float32)
    u = rng.random()
    if u < 0.25:
        a = _blur(a, rng.uniform(0.3, 1.2))
    elif u < 0.5:
        a = a + rng.uniform(0.3, 1.5) * (a - _blur(a, rng.uniform(0.8, 2.0)))
    u = rng.random()
    if u < 0.2:
        c = rng.uniform(2.0, 30.0)
        a = np.log1p(c * np.clip(a, 0, 1)) / np.log1p(c)
    elif u < 0.45:
        w, p = rng.uniform(0.3, 0.8), rng.uniform(0.5, 2.0)
        t = np.clip(a, 0, 1)
        a = t * (w + (1 - w) * t ** p)
    if rng.random() < 0.4:
        s = rng.uniform(0.005, 0.04)
        a = a + rng.normal(0, 1, a.shape).astype(np.float32) * s * np.sqrt(np.clip(a, 0, 1))
    return np.clip(a, 0, 1).astype(np.float32)
