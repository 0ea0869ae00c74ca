"""Interpolate between a shipped (BN-folded) ONNX model and a run that was started from it: (1-a)*base + a*run.

Usage: python interpolate.py --base-onnx runs/v9/armscan-threat-v9.onnx --ckpt runs/m/last.pt --alpha 0.7 --out runs/m/i07.pt
The run must have been started with `train.py --init-onnx BASE` (BatchNorm frozen; a class the run added starts
from the base's `--grow-from` class on both sides), so base and run share one
parameterisation: the base is rebuilt from its folded graph exactly as train.py did, and average.py's mix_states
mixes every weight (BatchNorm statistics must be the same, refused otherwise). The output holds {"model": ...} as
export.py reads it.
"""
import argparse

import torch

from average import mix_states
from model import Detector
from detnet import init_from_folded_onnx


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base-onnx", required=True)
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--alpha", type=float, required=True, help="weight of the run (0: the base, 1: the run)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--grow-from", type=int, default=1,
                    help="where the run has more classes than the base: the base class whose channel the new ones "
                    "start from (as train.py --grow-from; 1: part, for accessory)")
    args = ap.parse_args()
    if not 0.0 <= args.alpha <= 1.0:
        ap.error("--alpha must be in [0, 1]")
    net = Detector()
    init_from_folded_onnx(net, args.base_onnx, grow_from=args.grow_from)
    base = net.state_dict()
    run = torch.load(args.ckpt, map_location="cpu", weights_only=False)["model"]
    mixed = mix_states([base, run], [args.base_onnx, args.ckpt], "interpolate.py", weights=[1.0 - args.alpha, args.alpha])
    torch.save({"model": mixed}, args.out)
    print(f"{args.out}: {1.0 - args.alpha:g} x {args.base_onnx} + {args.alpha:g} x {args.ckpt}")


if __name__ == "__main__":
    main()
