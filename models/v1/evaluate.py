"""Validate armscan-firearm-v1 on the validation series, framing each scan exactly as the Rust runtime does.

Val series: B0079 (29 firearm images), B0074 (37 key images, negatives), B0048 (0010 as a negative; 0184-0190 are
firearm images without boxes -> image level only).

Usage: python evaluate.py --onnx ../armscan-firearm-v1.onnx --manifest ../armscan-firearm-v1.manifest.json \
                          --out val_results.json
       (or --ckpt runs/v1/last.pt to evaluate a torch checkpoint during training)
"""
import argparse
import json
import os
import time

import numpy as np

from common import VAL_SERIES, load_coco, load_grey, runtime_frames

HERE = os.path.dirname(os.path.abspath(__file__))


def make_runner(onnx_path=None, ckpt=None):
    if onnx_path:
        import onnxruntime as ort
        so = ort.SessionOptions()
        so.intra_op_num_threads = 2
        sess = ort.InferenceSession(onnx_path, so, providers=["CPUExecutionProvider"])
        return lambda x: sess.run(["detections"], {"images": x})[0]
    import torch
    from model import Detector, DetectorExport
    torch.set_num_threads(2)
    net = Detector()
    net.load_state_dict(torch.load(ckpt, map_location="cpu", weights_only=False)["model"])
    m = DetectorExport(net.eval()).eval()

    def run(x):
        with torch.no_grad():
            return m(torch.from_numpy(x)).numpy()
    return run


def iou_one_to_many(b, bs):
    x1 = np.maximum(b[0], bs[:, 0]); y1 = np.maximum(b[1], bs[:, 1])
    x2 = np.minimum(b[2], bs[:, 2]); y2 = np.minimum(b[3], bs[:, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    return inter / ((b[2] - b[0]) * (b[3] - b[1]) + (bs[:, 2] - bs[:, 0]) * (bs[:, 3] - bs[:, 1]) - inter + 1e-9)


def nms(dets, thr):
    dets = dets[np.argsort(-dets[:, 4])]
    keep = []
    while len(dets):
        keep.append(dets[0])
        if len(dets) == 1:
            break
        dets = dets[1:][iou_one_to_many(dets[0], dets[1:, :4]) < thr]
    return np.array(keep).reshape(-1, 5)


def detect(run, grey, min_score, nms_iou):
    """Runtime rule: frames -> model -> keep score >= min_score -> map back (/s, + offset) -> NMS across frames."""
    s, frames = runtime_frames(grey)
    x = np.stack([f for f, _, _ in frames])[:, None].astype(np.float32) / 255.0
    out = run(x)
    dets = []
    for (f, x0, y0), o in zip(frames, out):
        o = o[o[:, 4] >= min_score].copy()
        o[:, [0, 2]] = (o[:, [0, 2]] + x0) / s
        o[:, [1, 3]] = (o[:, [1, 3]] + y0) / s
        dets.append(o)
    dets = np.concatenate(dets)
    h, w = grey.shape
    dets[:, [0, 2]] = dets[:, [0, 2]].clip(0, w)
    dets[:, [1, 3]] = dets[:, [1, 3]].clip(0, h)
    return nms(dets, nms_iou), len(frames)


def ap50(results, n_gt, iou_thr=0.5):
    """COCO-style AP at one IoU: greedy matching by score, 101-point interpolated precision."""
    alld = [(d[4], i, d[:4]) for i, (dets, _) in enumerate(results) for d in dets]
    alld.sort(key=lambda t: -t[0])
    used = [np.zeros(len(g), bool) for _, g in results]
    tp = np.zeros(len(alld)); fp = np.zeros(len(alld))
    for k, (sc, i, b) in enumerate(alld):
        g = results[i][1]
        if len(g):
            ious = iou_one_to_many(b, g)
            ious[used[i]] = -1
            j = int(np.argmax(ious))
            if ious[j] >= iou_thr:
                used[i][j] = True
                tp[k] = 1
                continue
        fp[k] = 1
    if n_gt == 0:
        return float("nan")
    ctp, cfp = np.cumsum(tp), np.cumsum(fp)
    rec = ctp / n_gt
    prec = ctp / np.maximum(ctp + cfp, 1e-9)
    for k in range(len(prec) - 2, -1, -1):
        prec[k] = max(prec[k], prec[k + 1])
    ap = 0.0
    for r in np.linspace(0, 1, 101):
        idx = np.searchsorted(rec, r, side="left")
        ap += prec[idx] if idx < len(prec) else 0.0
    return ap / 101


def recall_at(results, thr, iou_thr=0.5):
    hit = tot = 0
    for dets, g in results:
        d = dets[dets[:, 4] >= thr]
        used = np.zeros(len(d), bool)
        for gb in g:
            tot += 1
            if len(d):
                ious = iou_one_to_many(gb, d[:, :4]); ious[used] = -1
                j = int(np.argmax(ious))
                if ious[j] >= iou_thr:
                    used[j] = True; hit += 1
    return hit / max(tot, 1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--onnx", default=None)
    ap.add_argument("--ckpt", default=None)
    ap.add_argument("--manifest", default=os.path.join(HERE, "..", "armscan-firearm-v1.manifest.json"))
    ap.add_argument("--out", default=None)
    ap.add_argument("--series", default=",".join(sorted(VAL_SERIES)),
                    help="series to evaluate (default: the validation series)")
    args = ap.parse_args()
    if not args.onnx and not args.ckpt:
        args.onnx = os.path.join(HERE, "..", "armscan-firearm-v1.onnx")
    th = {"min_score": 0.05, "alarm_score": 0.5, "review_score": 0.25, "nms_iou": 0.45}
    if os.path.exists(args.manifest):
        th.update(json.load(open(args.manifest))["thresholds"])
    run = make_runner(args.onnx, args.ckpt)
    series = set(args.series.split(","))
    images, anns = load_coco()
    t0 = time.time()
    box_res, box_res_loose, img_rows, nframes = [], [], [], 0
    for im in images:
        if im["series"] not in series:
            continue
        grey = load_grey(im["file_name"])
        dets, nf = detect(run, grey, th["min_score"], th["nms_iou"])
        nframes += nf
        maxs = float(dets[:, 4].max()) if len(dets) else 0.0
        img_rows.append({"image": im["file_name"], "label": im["label"], "firearm_boxes": im["firearm_boxes"],
                         "max_score": round(maxs, 4), "n_frames": nf})
        if im["firearm_boxes"] == "missing":
            continue  # image level only
        fire = [a for a in anns.get(im["id"], []) if a["category_id"] == 1]
        loose = np.array([[a["bbox"][0], a["bbox"][1], a["bbox"][0] + a["bbox"][2], a["bbox"][1] + a["bbox"][3]]
                          for a in fire], np.float32).reshape(-1, 4)
        tight = loose.copy()
        if im["series"] == "B0046":   # only B0046 has loose GDXray quads; tighten them as in prepare.py
            from prepare import tighten_box
            tight = np.array([tighten_box(grey, a)[0] for a in fire], np.float32).reshape(-1, 4)
        box_res.append((dets, tight))
        box_res_loose.append((dets, loose))
    n_gt = sum(len(g) for _, g in box_res)
    fire_imgs = [r for r in img_rows if r["label"] == "firearm"]
    neg_imgs = [r for r in img_rows if r["label"] != "firearm"]

    def rate(rows, thr):
        return (sum(r["max_score"] >= thr for r in rows) / len(rows)) if rows else float("nan")

    res = {
        "series": sorted(series),
        "runner": "onnxruntime " + os.path.basename(args.onnx) if args.onnx else "torch " + args.ckpt,
        "framing": "runtime rule: s=min(320/min(W,H),2), bilinear (PIL), 320 frames, 96 px overlap, pad 1.0",
        "thresholds": th,
        "n_images": len(img_rows), "n_frames": nframes,
        "box_level": {"n_images": len(box_res), "n_gt_firearm_boxes": n_gt,
                      "AP50": round(ap50(box_res, n_gt), 4),
                      "AP50_original_boxes": round(ap50(box_res_loose, n_gt), 4),
                      "AP30": round(ap50(box_res, n_gt, 0.3), 4),
                      "recall_at_0.5": round(recall_at(box_res, 0.5), 4),
                      "recall_at_review": round(recall_at(box_res, th["review_score"]), 4)},
        "image_level": {"n_firearm_images": len(fire_imgs), "n_non_firearm_images": len(neg_imgs),
                        "hit_rate_at_alarm": round(rate(fire_imgs, th["alarm_score"]), 4),
                        "false_alarm_rate_at_alarm": round(rate(neg_imgs, th["alarm_score"]), 4),
                        "hit_rate_at_review": round(rate(fire_imgs, th["review_score"]), 4),
                        "false_alarm_rate_at_review": round(rate(neg_imgs, th["review_score"]), 4)},
        "per_image": img_rows,
        "seconds": round(time.time() - t0, 1),
    }
    print(json.dumps({k: v for k, v in res.items() if k != "per_image"}, indent=1))
    if args.out:
        with open(args.out, "w") as f:
            json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
