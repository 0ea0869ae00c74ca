"""Recall by threat shape (COCO `variant`, as `armscan synth` writes it) from `armscan eval`'s predictions.jsonl.

A ground-truth box is found when a detection of its Protocol category scores at least --score and overlaps it by IoU
at least --iou (each detection finds at most one box, best IoU first). Prints one row per variant, held-out variants
marked with --held-out.

Usage: python3 models/training/recall_by_variant.py ANNOTATIONS PREDICTIONS_JSONL [--score 0.5] [--iou 0.5] [--held-out A,B]
"""
import argparse
import collections
import json
import os


def iou(a, b):
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("annotations")
    ap.add_argument("predictions")
    ap.add_argument("--score", type=float, default=0.5)
    ap.add_argument("--iou", type=float, default=0.5)
    ap.add_argument("--held-out", default="")
    args = ap.parse_args()
    coco = json.load(open(args.annotations))
    supercat = {c["id"]: c["supercategory"] for c in coco["categories"]}
    by_name = {im["file_name"]: im["id"] for im in coco["images"]}
    dets = collections.defaultdict(list)
    for line in open(args.predictions):
        r = json.loads(line)
        key = next((f for f in by_name if r["scan"] == f or r["scan"].endswith("/" + f)), None)
        if key is None:
            raise SystemExit(f"{r['scan']}: no image of {args.annotations}")
        dets[by_name[key]] += [d for d in r["detections"] if d["score"] >= args.score]
    gts = collections.defaultdict(list)
    for a in coco["annotations"]:
        x, y, w, h = a["bbox"]
        gts[a["image_id"]].append((a.get("variant", "?"), supercat[a["category_id"]], [x, y, x + w, y + h]))
    found, total = collections.Counter(), collections.Counter()
    for image_id, boxes in gts.items():
        free = list(dets[image_id])
        pairs = sorted(((iou(g[2], d["box"]), gi, di) for gi, g in enumerate(boxes) for di, d in enumerate(free)
                        if d["category"] == g[1]), reverse=True)
        used_g, used_d = set(), set()
        for v, gi, di in pairs:
            if v < args.iou:
                break
            if gi in used_g or di in used_d:
                continue
            used_g.add(gi); used_d.add(di)
        for gi, g in enumerate(boxes):
            total[(g[1], g[0])] += 1
            found[(g[1], g[0])] += gi in used_g
    held = set(filter(None, args.held_out.split(",")))
    print(f"recall at score >= {args.score}, IoU >= {args.iou} ({os.path.basename(args.predictions)})")
    for (cat, variant) in sorted(total):
        n, k = total[(cat, variant)], found[(cat, variant)]
        mark = "  (held out)" if variant in held else ""
        print(f"{cat:<11} {variant:<24} {k:>4}/{n:<4} {k / n:.2f}{mark}")


if __name__ == "__main__":
    main()
