"""Average the weights of several checkpoints of one run (stochastic weight averaging over a run's last stretch).

Usage: python average.py --out runs/j/avg.pt runs/j/snap_55.pt runs/j/snap_60.pt ... runs/j/last.pt
The checkpoints must come from one run trained with --freeze-bn: BatchNorm statistics are then the same in every
one, so the mean of the weights needs no recalibration (the script refuses checkpoints whose statistics differ).
The output holds {"model": ...} as export.py reads it.
"""
import argparse
import sys

import torch


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("ckpts", nargs="+")
    args = ap.parse_args()
    if len(args.ckpts) < 2:
        sys.exit("average.py: give at least two checkpoints")
    states = [torch.load(p, map_location="cpu", weights_only=False)["model"] for p in args.ckpts]
    keys = list(states[0])
    for p, st in zip(args.ckpts[1:], states[1:]):
        if list(st) != keys:
            sys.exit(f"average.py: {p} holds other tensors than {args.ckpts[0]}")
    mean = {}
    for k in keys:
        ts = [st[k] for st in states]
        if "running_" in k or "num_batches_tracked" in k:
            if any(not torch.equal(ts[0], t) for t in ts[1:]):
                sys.exit(f"average.py: BatchNorm statistic {k} differs between checkpoints (train with --freeze-bn)")
            mean[k] = ts[0].clone()
        else:
            mean[k] = torch.stack([t.float() for t in ts]).mean(0).to(ts[0].dtype)
    torch.save({"model": mean, "averaged": args.ckpts}, args.out)
    print(f"average of {len(states)} checkpoints -> {args.out}")


if __name__ == "__main__":
    main()
