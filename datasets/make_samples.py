"""Builds datasets/samples/ from the GDXray dev set (run once; the outputs are committed).

Copies a few GDXray scans byte for byte and derives two more to exercise other input paths:
a 16-bit greyscale PNG and a dual-energy pair (NAME_high.png + NAME_low.png). The derived
dual-energy pair is NOT a real dual-energy measurement: it is made from one single-energy scan
with T_high = T**0.8 and T_low = T**1.25 (T = pixel/255), so that sqrt(T_high * T_low) is close
to the original; it only shows that armscan reads and screens pairs.

Usage: python datasets/make_samples.py ../shared/data/gdxray-dev
"""
import json
import shutil
import sys
from pathlib import Path

import numpy as np
from PIL import Image

COPIES = {
    # file: expected outcome (firearm samples must be flagged; the others must not alarm)
    "B0046_0160.jpg": "firearm",   # bag with two handguns (training series)
    "B0079_0020.jpg": "firearm",   # bag crop with a revolver (validation series)
    "B0046_0190.jpg": "no_firearm",  # bag with knives and shuriken, no gun
    "B0074_0001.jpg": "no_firearm",  # a key
    "B0082_0004.jpg": "no_firearm",  # bag crop, background only
}


def main(src: Path) -> None:
    out = Path(__file__).parent / "samples"
    out.mkdir(exist_ok=True)
    expected = {}
    for name, outcome in COPIES.items():
        shutil.copyfile(src / "images" / name, out / name)
        expected[name] = outcome

    # A 16-bit greyscale PNG (values scaled by 257, so 8-bit 255 -> 65535).
    grey = np.asarray(Image.open(src / "images" / "B0079_0025.jpg").convert("L"), dtype=np.uint16)
    Image.fromarray((grey * 257).astype(np.uint16)).save(out / "B0079_0025_16bit.png")
    expected["B0079_0025_16bit.png"] = "firearm"

    # A derived dual-energy pair, at the scan's own size (so at GDXray's pixel spacing, which the
    # shipped model assumes for scans that state none; a half-size pair would be half the real size).
    img = Image.open(src / "images" / "B0079_0017.jpg").convert("L")
    t = np.clip(np.asarray(img, dtype=np.float64) / 255.0, 1e-4, 1.0)
    for tag, power in (("high", 0.8), ("low", 1.25)):
        plane = np.round(np.clip(t ** power, 0, 1) * 65535).astype(np.uint16)
        Image.fromarray(plane).save(out / f"B0079_0017_{tag}.png")
    expected["B0079_0017_{high,low}.png"] = "firearm"

    (out / "expected.json").write_text(json.dumps(expected, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("../shared/data/gdxray-dev"))
