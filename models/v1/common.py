"""Shared constants and helpers for the armscan firearm detector v1 (data split, image loading, runtime framing)."""
import json
import os

import numpy as np
from PIL import Image

DATA_DIR = os.environ.get("GDXRAY_DEV", "/work/shared/data/gdxray-dev")
INPUT = 320          # model input side
OVERLAP = 96         # runtime frame overlap along the long side
MAX_UPSCALE = 2.0    # runtime never upscales more than this
PAD = 255            # bright = empty

VAL_SERIES = {"B0079", "B0074", "B0048"}                      # never used for training, not even as backgrounds
TRAIN_SERIES = {"B0008", "B0046", "B0049", "B0076", "B0082"}


def load_coco():
    with open(os.path.join(DATA_DIR, "annotations.json")) as f:
        coco = json.load(f)
    anns = {}
    for a in coco["annotations"]:
        anns.setdefault(a["image_id"], []).append(a)
    return coco["images"], anns


def load_grey(file_name):
    """8-bit grey (the JPGs are R=G=B), bright = empty, dark = dense."""
    return np.asarray(Image.open(os.path.join(DATA_DIR, "images", file_name)).convert("L"))


def runtime_frames(grey):
    """Mirror of the Rust runtime framing rule.

    s = min(320 / min(W, H), 2.0); bilinear resize; if the long side exceeds 320 it is cut into 320x320 frames with
    96 px overlap (last frame aligned to the end); short images padded with 255 at right/bottom.
    Returns s and a list of (frame uint8 [320,320], x_offset, y_offset) with offsets in resized pixels.
    """
    h, w = grey.shape
    s = min(INPUT / min(w, h), MAX_UPSCALE)
    nw, nh = max(1, int(round(w * s))), max(1, int(round(h * s)))
    img = np.asarray(Image.fromarray(grey).resize((nw, nh), Image.BILINEAR))

    def starts(n):
        if n <= INPUT:
            return [0]
        out, step, p = [], INPUT - OVERLAP, 0
        while p + INPUT < n:
            out.append(p)
            p += step
        out.append(n - INPUT)
        return out

    frames = []
    for y0 in starts(nh):
        for x0 in starts(nw):
            crop = img[y0:y0 + INPUT, x0:x0 + INPUT]
            fr = np.full((INPUT, INPUT), PAD, np.uint8)
            fr[:crop.shape[0], :crop.shape[1]] = crop
            frames.append((fr, x0, y0))
    return s, frames
