"""Export a checkpoint to ONNX (opset 17, BN folded, dynamic batch), check it against torch with onnxruntime, and
write the manifest next to it.

Usage: python export.py --ckpt runs/b/last.pt --out runs/v2/armscan-threat-v2.onnx [--id armscan-threat-v2]
       [--coarse-min-long-side 112] [--damp-part-in-firearm 0.7]
"""
import argparse
import collections
import hashlib
import json
import os

import numpy as np
import torch

from data import COARSE_FACTOR, GDXRAY_MM_PER_PX, WORKING_MM_PER_PX
from model import CLASSES, Detector, DetectorExport
from detnet import count_macs, load_and_export


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--id", default="armscan-threat-v2")
    ap.add_argument("--coarse-min-long-side", type=float, default=0.0,
                    help="write a coarse pass (factor COARSE_FACTOR) keeping candidates whose long side is at least "
                         "this many model px; 0: no coarse pass")
    ap.add_argument("--damp-part-in-firearm", type=float, default=0.0, metavar="FACTOR",
                    help="write a damping rule: a part box lying >= 0.8 of its area inside a firearm box scoring at "
                         "least as high has its score multiplied by FACTOR (armscan_core::nested); 0: no rule")
    args = ap.parse_args()
    if not 0.0 <= args.damp_part_in_firearm <= 1.0:
        ap.error("--damp-part-in-firearm must be in [0, 1]")
    size = torch.load(args.ckpt, map_location="cpu", weights_only=False).get("args", {}).get("net", "base")
    net, exp, st = load_and_export(Detector(size), args.ckpt, args.out)
    ref = DetectorExport(net).eval()
    import onnx
    import onnxruntime as ort
    m = onnx.load(args.out)
    onnx.checker.check_model(m)
    print("ops", dict(collections.Counter(n.op_type for n in m.graph.node)))
    sess = ort.InferenceSession(args.out, providers=["CPUExecutionProvider"])
    worst_s, worst_b = 0.0, 0.0
    for n in (1, 3):
        x = torch.rand(n, 1, 320, 320) * 0.3 + 0.7
        x[:, :, 200:] = 1.0
        x[:, :, 50:90, 60:200] = 0.05
        with torch.no_grad():
            t = ref(x).numpy()
        o = sess.run(["detections"], {"images": x.numpy()})[0]
        assert o.shape == (n, 1600, 4 + len(CLASSES)), o.shape
        d = np.abs(o - t)
        worst_s = max(worst_s, float(d[..., 4:].max()))
        worst_b = max(worst_b, float(d[..., :4].max() / 320.0))
    print(f"onnxruntime (BN folded) vs torch: score max abs diff {worst_s:.2e}, box max abs diff / 320 {worst_b:.2e}")
    assert worst_s < 1e-4 and worst_b < 1e-4, "ONNX does not match torch within 1e-4"
    params = sum(p.numel() for p in net.parameters())
    macs = count_macs(exp.net)
    print(f"params {params}  MACs/frame {macs / 1e9:.3f} G (FLOPs ~{2 * macs / 1e9:.3f} G)  "
          f"size {os.path.getsize(args.out) / 1e6:.2f} MB  step {st.get('gstep')}")
    sha = hashlib.sha256(open(args.out, "rb").read()).hexdigest()
    man = {
        "schema": "armscan.model/1",
        "id": args.id,
        "file": os.path.basename(args.out),
        "sha256": sha,
        "input": {"name": "images", "width": 320, "height": 320, "channels": 1, "layout": "NCHW",
                  "scale": 0.00392156862745098, "mean": [0.0], "std": [1.0], "pad_value": 1.0,
                  "polarity": "dark_is_dense"},
        "framing": {"fit": "short_side", "max_upscale": 2.0, "overlap_px": 96, "working_mm_per_px": WORKING_MM_PER_PX,
                    "assumed_mm_per_px": GDXRAY_MM_PER_PX},
        "output": {"name": "detections", "layout": "xyxy_scores", "box_space": "model_input_px", "scores": "probability"},
        "classes": [{"name": n, "category": c} for n, c in CLASSES],
        "thresholds": {"min_score": 0.05, "alarm_score": 0.5, "review_score": 0.25, "nms_iou": 0.45},
    }
    if args.coarse_min_long_side > 0:
        man["framing"]["coarse_pass"] = {"factor": COARSE_FACTOR, "min_long_side_model_px": args.coarse_min_long_side}
    if args.damp_part_in_firearm > 0:
        # parts (and accessories, for models with that class) lying inside a whole firearm: its slide, magazine
        man["damping"] = [{"inner": inner, "outer": "firearm", "min_fraction_inside": 0.8,
                           "factor": args.damp_part_in_firearm}
                          for inner in ("part", "accessory") if inner in (n for n, _ in CLASSES)]
    path = os.path.splitext(args.out)[0] + ".manifest.json"
    with open(path, "w") as f:
        json.dump(man, f, indent=2)
        f.write("\n")
    print(f"manifest -> {path} (sha256 {sha})")


if __name__ == "__main__":
    main()
