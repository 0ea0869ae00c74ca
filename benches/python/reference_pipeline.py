"""Reference Python pipeline: what a team would write around onnxruntime instead of armscan.

Same model, same manifest-driven preprocessing (grey, framing at the manifest's working scale or short side -> input,
bilinear resize, frames with overlap, padding, the coarse pass when the manifest has one), batched inference of a scan's frames, decoding of the
`xyxy_scores` output, per-class NMS (numpy), boxes mapped back to image pixels. Pillow decodes, numpy does the rest.

Usage: python reference_pipeline.py SCANS_DIR --model models/armscan-threat-v12/armscan-threat-v12.manifest.json [--threads 2] [--limit N]
       [--pixel-spacing-mm MM] [--jsonl OUT.jsonl]
Prints scans/s, p50/p95 latency per scan (decode to boxes) and peak RSS, as one JSON line on stdout (and a table on
stderr); runs on any folder of PNG/JPEG/TIFF/BMP scans.
"""
import argparse
import json
import os
import resource
import sys
import time

import numpy as np
import onnxruntime as ort
from PIL import Image

EXTS = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp"}


def load_manifest(model):
    """The manifest (given, or beside the .onnx) and the path of its model file."""
    path = model if model.endswith(".manifest.json") else os.path.splitext(model)[0] + ".manifest.json"
    with open(path) as f:
        man = json.load(f)
    return man, os.path.join(os.path.dirname(path), man["file"])


def frame_starts(n, side, overlap):
    if n <= side:
        return [0]
    out, step, p = [], side - overlap, 0
    while p + side < n:
        out.append(p)
        p += step
    out.append(n - side)
    return out


def frames_at(grey, man, s):
    inp, fr = man["input"], man["framing"]
    side_w, side_h = inp["width"], inp["height"]
    h, w = grey.shape
    nw, nh = max(1, int(round(w * s))), max(1, int(round(h * s)))
    img = np.asarray(Image.fromarray(grey).resize((nw, nh), Image.BILINEAR), np.float32)
    img = (img * inp["scale"] - inp["mean"][0]) / inp["std"][0]
    frames, offsets, valid = [], [], []
    for y0 in frame_starts(nh, side_h, fr["overlap_px"]):
        for x0 in frame_starts(nw, side_w, fr["overlap_px"]):
            f = np.full((side_h, side_w), inp["pad_value"], np.float32)
            crop = img[y0:y0 + side_h, x0:x0 + side_w]
            f[:crop.shape[0], :crop.shape[1]] = crop
            frames.append(f)
            offsets.append((x0, y0))
            valid.append((crop.shape[1], crop.shape[0]))
    return frames, offsets, valid


def preprocess(grey, man, spacing_mm):
    """Frames of the fine pass and, when the manifest has a coarse pass and the fine pass needs more than one frame,
    of the coarse pass: (frames [F,1,H,W], offsets, valid (width, height) of image in each frame, working scale
    per frame, minimum long side per frame)."""
    inp, fr = man["input"], man["framing"]
    h, w = grey.shape
    mmpp = fr.get("working_mm_per_px")
    spacing_mm = spacing_mm or fr.get("assumed_mm_per_px")
    if mmpp and spacing_mm:
        s = spacing_mm / mmpp
    else:
        s = min(inp["width"], inp["height"]) / min(w, h)
    s = min(s, fr.get("max_upscale", 2.0))
    frames, offsets, valid = frames_at(grey, man, s)
    scales, min_long = [s] * len(frames), [0.0] * len(frames)
    coarse = fr.get("coarse_pass")
    if coarse and len(frames) > 1:
        cf, co, cv = frames_at(grey, man, s / coarse["factor"])
        frames += cf; offsets += co; valid += cv
        scales += [s / coarse["factor"]] * len(cf); min_long += [coarse["min_long_side_model_px"]] * len(cf)
    return (np.stack(frames)[:, None], offsets, np.array(valid, np.float32), np.array(scales, np.float32),
            np.array(min_long, np.float32))


def nms(boxes, scores, iou):
    order = np.argsort(-scores)
    keep = []
    while order.size:
        i = order[0]
        keep.append(i)
        if order.size == 1:
            break
        r = order[1:]
        xx1 = np.maximum(boxes[i, 0], boxes[r, 0]); yy1 = np.maximum(boxes[i, 1], boxes[r, 1])
        xx2 = np.minimum(boxes[i, 2], boxes[r, 2]); yy2 = np.minimum(boxes[i, 3], boxes[r, 3])
        inter = np.clip(xx2 - xx1, 0, None) * np.clip(yy2 - yy1, 0, None)
        a = (boxes[i, 2] - boxes[i, 0]) * (boxes[i, 3] - boxes[i, 1])
        b = (boxes[r, 2] - boxes[r, 0]) * (boxes[r, 3] - boxes[r, 1])
        order = r[inter / np.maximum(a + b - inter, 1e-9) <= iou]
    return keep


def postprocess(out, offsets, valid, s, min_long, man):
    """Vectorised: candidates above min_score from every frame, clipped to the frame's image region (and, from the
    coarse pass, long enough once clipped, as armscan tests it), mapped to image px, then per-class NMS."""
    classes = man["classes"]
    th = man["thresholds"]
    off = np.array([[x0, y0, x0, y0] for x0, y0 in offsets], np.float32)[:, None, :]    # [F,1,4]
    lim = np.concatenate([valid, valid], axis=1)[:, None, :]                               # [F,1,4]
    in_frame = np.clip(out[:, :, :4], 0.0, lim)                                            # [F,K,4]
    bw, bh = in_frame[:, :, 2] - in_frame[:, :, 0], in_frame[:, :, 3] - in_frame[:, :, 1]
    boxes_all = (in_frame + off) / s[:, None, None]                                        # [F,K,4]
    long_enough = (bw > 0) & (bh > 0) & (np.maximum(bw, bh) >= min_long[:, None])
    result = []
    for c in range(len(classes)):
        sc = out[:, :, 4 + c]
        m = (sc >= th["min_score"]) & long_enough
        if not m.any():
            continue
        boxes, scores = boxes_all[m], sc[m]
        for i in nms(boxes, scores, th["nms_iou"]):
            result.append({"class": classes[c]["name"], "score": round(float(scores[i]), 4),
                           "box": [round(float(v), 1) for v in boxes[i]]})
    return result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("scans")
    ap.add_argument("--model", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--pixel-spacing-mm", type=float, default=None)
    ap.add_argument("--jsonl", default="")
    args = ap.parse_args()
    man, onnx_path = load_manifest(args.model)
    so = ort.SessionOptions()
    so.intra_op_num_threads = args.threads
    so.inter_op_num_threads = 1
    sess = ort.InferenceSession(onnx_path, so, providers=["CPUExecutionProvider"])
    files = []
    for root, _, names in os.walk(args.scans):
        files.extend(os.path.join(root, n) for n in names if os.path.splitext(n)[1].lower() in EXTS)
    files.sort()
    if args.limit:
        files = files[:args.limit]
    out_f = open(args.jsonl, "w") if args.jsonl else None
    lat, frames_total, t_pre, t_inf, t_post = [], 0, 0.0, 0.0, 0.0
    t0 = time.perf_counter()
    for path in files:
        a = time.perf_counter()
        grey = np.asarray(Image.open(path).convert("L"))
        # the scan, and its left-right mirror when the manifest names a mirror view (the same inference
        # work as armscan; the two views' boxes are listed together, not fused)
        views = [grey, np.ascontiguousarray(grey[:, ::-1])] if man.get("mirror_view") else [grey]
        dets, n_frames = [], 0
        t_pre += time.perf_counter() - a  # decode
        for v, view in enumerate(views):
            b0 = time.perf_counter()
            x, offsets, valid, s, min_long = preprocess(view, man, args.pixel_spacing_mm)
            b1 = time.perf_counter()
            out = sess.run([man["output"]["name"]], {man["input"]["name"]: x})[0]
            c1 = time.perf_counter()
            found = postprocess(out, offsets, valid, s, min_long, man)
            if v == 1:
                w = grey.shape[1]
                for det in found:
                    x1, y1, x2, y2 = det["box"]
                    det["box"] = [w - x2, y1, w - x1, y2]
            dets.extend(found)
            t_pre += b1 - b0; t_inf += c1 - b1; t_post += time.perf_counter() - c1; n_frames += len(offsets)
        d = time.perf_counter()
        lat.append((d - a) * 1000.0)
        frames_total += n_frames
        if out_f:
            out_f.write(json.dumps({"scan": path, "detections": dets}) + "\n")
    wall = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    lat = np.array(lat) if lat else np.zeros(1)
    res = {"pipeline": "python-onnxruntime", "scans": len(files), "frames": frames_total, "wall_s": round(wall, 3),
           "scans_per_s": round(len(files) / wall, 2) if wall > 0 else 0.0,
           "p50_ms": round(float(np.percentile(lat, 50)), 1), "p95_ms": round(float(np.percentile(lat, 95)), 1),
           "peak_rss_mb": round(peak_mb, 1), "threads": args.threads,
           "share_pre_post": round((t_pre + t_post) / max(wall, 1e-9), 3)}
    print(json.dumps(res))
    print(f"python reference: {res['scans']} scans in {res['wall_s']} s = {res['scans_per_s']} scans/s, "
          f"p50 {res['p50_ms']} ms, p95 {res['p95_ms']} ms, peak RSS {res['peak_rss_mb']} MB, "
          f"pre+post {100 * res['share_pre_post']:.0f}% of wall", file=sys.stderr)


if __name__ == "__main__":
    main()
