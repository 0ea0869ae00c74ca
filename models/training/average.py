"""Average the weights of several checkpoints of one run (stochastic weight averaging over a run's last stretch).

Usage: python average.py --out runs/j/avg.pt runs/j/snap_55.pt runs/j/snap_60.pt ... runs/j/last.pt
The checkpoints must come from one run trained with --freeze-bn: BatchNorm statistics are then the same in every
one, so the mean of the weights needs no recalibration (the script refuses checkpoints whose statistics differ).
The output holds {"model": ...} as export.py reads it.
"""
import argparse
import sys

import torch


def mix_states(states, names, tool, weights=None):
    """The weighted mean of model state dicts of one network (`weights` None: the plain mean). BatchNorm statistics
    are not mixed: they must be the same in every state (a run trained with --freeze-bn, or started from the base
    with --init-onnx), else the tool named `tool` exits naming the tensor."""
    keys = list(states[0])
    for name, st in zip(names[1:], states[1:]):
        if list(st) != keys:
            sys.exit(f"{tool}: {name} holds other tensors than {names[0]}")
    mixed = {}
    for k in keys:
        ts = [st[k] for st in states]
        if "running_" in k or "num_batches_tracked" in k:
            if any(not torch.equal(ts[0], t) for t in ts[1:]):
                sys.exit(f"{tool}: BatchNorm statistic {k} differs between {names[0]} and the others (train with "
                         f"--freeze-bn, or from the base with --init-onnx)")
            mixed[k] = ts[0].clone()
        elif weights is None:
            mixed[k] = torch.stack([t.float() for t in ts]).mean(0).to(ts[0].dtype)
        else:
            mixed[k] = sum(w * t.float() for w, t in zip(weights, ts)).to(ts[0].dtype)
    return mixed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("ckpts", nargs="+")
    args = ap.parse_args()
    if len(args.ckpts) < 2:
        sys.exit("average.py: give at least two checkpoints")
    states = [torch.load(p, map_location="cpu", weights_only=False)["model"] for p in args.ckpts]
    mean = mix_states(states, args.ckpts, "average.py")
    torch.save({"model": mean, "averaged": args.ckpts}, args.out)
    print(f"average of {len(states)} checkpoints -> {args.out}")


if __name__ == "__main__":
    main()
