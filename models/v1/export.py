"""Export a checkpoint to ONNX (opset 17, BN folded, dynamic batch) and check it against torch with onnxruntime.

Usage: python export.py --ckpt runs/v1/last.pt --out ../armscan-firearm-v1.onnx --manifest ../armscan-firearm-v1.manifest.json
The manifest's alarm threshold is a fixed 0.5 (not tuned on validation data).
"""
import hashlib
import json
import argparse
import collections
import os

import numpy as np
import torch

from model import Detector, DetectorExport
from detnet import count_macs, load_and_export  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", default=os.path.join(HERE, "runs", "v1", "last.pt"))
    ap.add_argument("--out", default=os.path.join(HERE, "..", "armscan-firearm-v1.onnx"))
    ap.add_argument("--manifest", default=os.path.join(HERE, "..", "armscan-firearm-v1.manifest.json"))
    args = ap.parse_args()
    net, exp, st = load_and_export(Detector(), args.ckpt, args.out)
    ref = DetectorExport(net).eval()
    x = torch.rand(3, 1, 320, 320)
    with torch.no_grad():
        a, b = ref(x), exp(x)
    print(f"BN fold max abs diff {float((a - b).abs().max()):.2e}")
    import onnx
    import onnxruntime as ort
    m = onnx.load(args.out)
    onnx.checker.check_model(m)
    ops = collections.Counter(n.op_type for n in m.graph.node)
    print("opset", [o.version for o in m.opset_import], "ops", dict(ops))
    sess = ort.InferenceSession(args.out, providers=["CPUExecutionProvider"])
    # Check inputs: real training frames (in-distribution) plus a synthetic frame, batch 1 and 3.
    # Tolerance 1e-4: absolute on scores, and on box coordinates normalised by the frame size (|d| / 320), since
    # the coordinates are pixel values up to a few hundred where float32 rounding alone is ~3e-5 px.
    cache = os.path.join(HERE, "runs", "cache", "train2.npz")
    real = np.load(cache)["images"][:4].astype(np.float32)[:, None] / 255.0 if os.path.exists(cache) else None
    worst_s, worst_b, worst_abs = 0.0, 0.0, 0.0
    for n in (1, 3):
        xi = torch.rand(n, 1, 320, 320) * 0.3 + 0.7
        xi[:, :, 200:] = 1.0
        if real is not None:
            xi[:min(n, len(real))] = torch.from_numpy(real[:n])
        with torch.no_grad():
            t = exp(xi).numpy()
        o = sess.run(["detections"], {"images": xi.numpy()})[0]
        assert o.shape == (n, 1600, 5), o.shape
        d = np.abs(o - t)
        worst_s = max(worst_s, float(d[..., 4].max()))
        worst_b = max(worst_b, float(d[..., :4].max() / 320.0))
        worst_abs = max(worst_abs, float(d.max()))
    print(f"onnxruntime vs torch: score max abs diff {worst_s:.2e}, box max abs diff / 320 {worst_b:.2e}, "
          f"max abs diff (px) {worst_abs:.2e}")
    assert worst_s < 1e-4 and worst_b < 1e-4, "ONNX does not match torch within 1e-4"
    params = sum(p.numel() for p in net.parameters())
    macs = count_macs(exp.net)
    print(f"params {params}  MACs/frame {macs / 1e9:.3f} G (FLOPs ~{2 * macs / 1e9:.3f} G)  "
          f"size {os.path.getsize(args.out) / 1e6:.2f} MB  epoch {st.get('epoch')}")
    if args.manifest:
        write_manifest(args.out, args.manifest)


def write_manifest(onnx_path, path):
    sha = hashlib.sha256(open(onnx_path, "rb").read()).hexdigest()
    man = {
        "schema": "armscan.model/1",
        "id": "armscan-firearm-v1",
        "file": os.path.basename(onnx_path),
        "sha256": sha,
        "input": {"name": "images", "width": 320, "height": 320, "channels": 1, "layout": "NCHW",
                  "scale": 0.00392156862745098, "mean": [0.0], "std": [1.0], "pad_value": 1.0,
                  "polarity": "dark_is_dense"},
        "framing": {"fit": "short_side", "max_upscale": 2.0, "overlap_px": 96},
        "output": {"name": "detections", "layout": "xyxy_scores", "box_space": "model_input_px", "scores": "probability"},
        "classes": [{"name": "handgun", "category": "firearm"}],
        "thresholds": {"min_score": 0.05, "alarm_score": 0.5, "review_score": 0.25, "nms_iou": 0.45},
    }
    with open(path, "w") as f:
        json.dump(man, f, indent=2)
        f.write("\n")
    print(f"manifest -> {path} (sha256 {sha})")


if __name__ == "__main__":
    main()
