#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into fuzz/corpus/<target>/ (small files).

Needs Pillow (only to regenerate the seeds; they are committed). Run from the repository root:
    python3 fuzz/make_seeds.py
"""
import io, json, os, struct, sys
from PIL import Image

ROOT = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(ROOT, "corpus")


def put(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def enc(img, fmt, **kw):
    b = io.BytesIO()
    img.save(b, fmt, **kw)
    return b.getvalue()


def grad(mode, w, h):
    img = Image.new(mode, (w, h))
    for y in range(h):
        for x in range(w):
            v = (x * 37 + y * 91) % 256
            if mode == "RGB" or mode == "RGBA":
                img.putpixel((x, y), (v, 255 - v, (v * 3) % 256) + ((128,) if mode == "RGBA" else ()))
            elif mode in ("I;16", "I"):
                img.putpixel((x, y), v * 257)
            elif mode == "F":
                img.putpixel((x, y), v / 255.0)
            elif mode == "1":
                img.putpixel((x, y), v > 127)
            else:
                img.putpixel((x, y), v)
    return img


png = {
    "grey8_1x1.png": enc(grad("L", 1, 1), "PNG"),
    "grey8_5x3.png": enc(grad("L", 5, 3), "PNG"),
    "grey16_4x3.png": enc(grad("I;16", 4, 3), "PNG"),
    "rgb8_3x2.png": enc(grad("RGB", 3, 2), "PNG"),
    "rgba8_2x2.png": enc(grad("RGBA", 2, 2), "PNG"),
    "bilevel_8x2.png": enc(grad("1", 8, 2), "PNG"),
    "palette2_4x4.png": enc(grad("L", 4, 4).convert("P"), "PNG", bits=2),
    "palette4_4x4.png": enc(grad("L", 4, 4).convert("P"), "PNG", bits=4),
    "interlaced_9x9.png": enc(grad("L", 9, 9), "PNG", interlace=1) if False else enc(grad("L", 9, 9), "PNG", optimize=True),
}
jpeg = {
    "grey_8x8.jpg": enc(grad("L", 8, 8), "JPEG", quality=80),
    "rgb_16x8.jpg": enc(grad("RGB", 16, 8), "JPEG", quality=80),
    "progressive_16x16.jpg": enc(grad("RGB", 16, 16), "JPEG", progressive=True),
}
tiff = {
    "grey8_4x4.tif": enc(grad("L", 4, 4), "TIFF"),
    "grey16_4x4.tif": enc(grad("I;16", 4, 4), "TIFF"),
    "rgb8_3x3.tif": enc(grad("RGB", 3, 3), "TIFF"),
    "float32_3x3.tif": enc(grad("F", 3, 3), "TIFF"),
    "lzw_grey8_6x6.tif": enc(grad("L", 6, 6), "TIFF", compression="tiff_lzw"),
    "packbits_grey8_6x6.tif": enc(grad("L", 6, 6), "TIFF", compression="packbits"),
    "two_pages_grey16_4x4.tif": enc(grad("I;16", 4, 4), "TIFF", save_all=True, append_images=[grad("I;16", 4, 4)]),
}
bmp = {
    "grey_4x4.bmp": enc(grad("L", 4, 4), "BMP"),
    "rgb_5x3.bmp": enc(grad("RGB", 5, 3), "BMP"),
    "bilevel_9x2.bmp": enc(grad("1", 9, 2), "BMP"),
}
for target, files in [("decode_png", png), ("decode_jpeg", jpeg), ("decode_tiff", tiff), ("decode_bmp", bmp)]:
    for n, b in files.items():
        put(target, n, b)
for files in (png, jpeg, tiff, bmp):
    for n, b in list(files.items())[:3]:
        put("decode_any", n, b)
put("decode_any", "text.txt", b"not an image\n")

def pair(high, low):
    return struct.pack("<H", len(high)) + high + low

hi, lo = enc(grad("I;16", 4, 3), "PNG"), enc(grad("I;16", 4, 3).rotate(180), "PNG")
put("dual_pair", "png16_4x3.bin", pair(hi, lo))
put("dual_pair", "sizes_differ.bin", pair(hi, enc(grad("I;16", 3, 4), "PNG")))
put("dual_pair", "tiff8_4x4.bin", pair(tiff["grey8_4x4.tif"], tiff["grey8_4x4.tif"]))
put("dual_pair", "rgb_half.bin", pair(png["rgb8_3x2.png"], png["grey8_5x3.png"]))

repo = os.path.dirname(ROOT)
for src in ["crates/detect/tests/fixtures/dark_blob.manifest.json", "models/armscan-threat-v12/armscan-threat-v12.manifest.json"]:
    p = os.path.join(repo, src)
    if os.path.exists(p):
        put("manifest", os.path.basename(p), open(p, "rb").read())
m = json.load(open(os.path.join(repo, "crates/detect/tests/fixtures/dark_blob.manifest.json")))
m["output"]["layout"] = "cxcywh_scores"; m["output"]["candidates_last"] = True; m["framing"]["working_mm_per_px"] = 0.5
put("manifest", "variant.manifest.json", json.dumps(m).encode())

put("scan_jsonl", "records.jsonl", b"""{"schema":"armscan.scan/2","scan":"a.jpg","status":"alarm","width":866,"height":1375,"detections":[{"class":"handgun","category":"firearm","score":0.7064,"box":[11.44,47.44,861.72,866.14]}],"error":null,"backend":"tract","model":"m","elapsed_ms":170.46}
{"schema":"armscan.scan/2","scan":"b.png","status":"error","width":null,"height":null,"detections":[],"error":"b.png: corrupt","backend":"onnxruntime","model":"m","elapsed_ms":1.0}
{"schema":"armscan.scan/2","scan":"c.png","status":"clear","width":1,"height":1,"detections":[],"error":null,"backend":"tract","model":"m","elapsed_ms":0.5}
""")
coco = {"images": [{"id": 1, "file_name": "a.png", "series": "B1", "width": 10, "height": 10},
                   {"id": 2, "file_name": "sub/b.png", "series": "B2"}],
        "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 2, 3, 4], "iscrowd": 0},
                        {"id": 2, "image_id": 2, "category_id": 2, "bbox": [0, 0, 5, 5], "area": 25}],
        "categories": [{"id": 1, "name": "handgun", "supercategory": "firearm"}, {"id": 2, "name": "cartridge"}]}
put("coco", "small.json", json.dumps(coco).encode())
put("coco", "where.txt", b"series=B1,B2\n" + json.dumps(coco).encode())

for n, vals in {"line_scan.bin": (8000, 640, 640, 640, 64), "small.bin": (10, 10, 64, 64, 16),
                "tall.bin": (1, 20000, 64, 64, 63), "zero_frame.bin": (100, 100, 0, 0, 0),
                "overlap_big.bin": (1000, 1000, 64, 64, 1000)}.items():
    put("frame_grid", n, struct.pack("<5I", *vals))
print("seeds written to", CORPUS)
