"""Train an armscan-threat model (CPU or GPU; resumable). Run from this folder; models/armscan-threat-v12/recipe.sh
runs every stage of the shipped model.

Usage:
  python train.py --out runs/a --source synth:/work/data/synth-train/annotations.json --time-budget-min 55
  python train.py --out runs/b --init runs/a/last.pt \
      --source synth:/work/data/synth-train/annotations.json \
      --source gdxray:/work/shared/data/gdxray-dev/annotations.json:B0046,B0049,B0008,B0076,B0082 --time-budget-min 40
A source is KIND:PATH[:SERIES,...][@WEIGHT]; KIND is synth or gdxray; or --pack DIR, a packed set (pack.py), in
place of sources. On a GPU: --device cuda --workers N (samples made by N processes), --net wide (gpu_train.sh). Each batch draws sources by weight, then images
uniformly. With --time-budget-min the cosine learning rate runs on elapsed wall time and training stops when the
budget is spent; <out>/last.pt is written every --ckpt-every steps (model, optimiser, step, elapsed time, RNG state),
so --resume continues a run that was stopped or killed.
"""
import argparse
import json
import math
import os
import random
import sys
import time

import numpy as np
import torch

from data import load_set, make_sample, photometric, scanner_style
from model import Detector
from detnet import augment, freeze_bn, init_from_folded_onnx, train_step


def parse_source(text):
    weight = 1.0
    if "@" in text:
        text, w = text.rsplit("@", 1)
        weight = float(w)
    kind, rest = text.split(":", 1)
    series = None
    if rest.count(":") >= 1 and not os.path.exists(rest):
        rest, s = rest.rsplit(":", 1)
        series = set(s.split(","))
    return kind, rest, series, weight


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", action="append", default=[])
    ap.add_argument("--pack", default="", help="a packed set made by pack.py (its index.json), instead of --source")
    ap.add_argument("--net", default="base", choices=["base", "wide"], help="network size (model.NETS)")
    ap.add_argument("--device", default="cpu", help="cpu, cuda, or auto (cuda where there is one)")
    ap.add_argument("--workers", type=int, default=0,
                    help="processes making samples (0: the training process makes them itself)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--init", default="", help="start from these weights (fresh optimiser and schedule)")
    ap.add_argument("--init-onnx", default="", help="start from a shipped, BN-folded ONNX of this net (implies "
                    "--freeze-bn; fresh optimiser and schedule)")
    ap.add_argument("--freeze-bn", action="store_true", help="keep BatchNorm statistics fixed while training")
    ap.add_argument("--coarse-p", type=float, default=0.0,
                    help="share of samples cut at the coarse pass's scale (COARSE_FACTOR x the working spacing)")
    ap.add_argument("--wide-scale-p", type=float, default=0.0,
                    help="share of samples whose scale jitter spans x0.45..2.2 instead of x0.8..1.25 (data.scale_jitter)")
    ap.add_argument("--scanner-style-p", type=float, default=0.0,
                    help="share of samples given scanner-style randomisation (data.scanner_style)")
    ap.add_argument("--grow-from", type=int, default=1,
                    help="with --init-onnx of a model with fewer classes: the class whose heatmap channel the new "
                    "classes start from (1: part, for accessory)")
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--max-iters", type=int, default=0)
    ap.add_argument("--time-budget-min", type=float, default=60)
    ap.add_argument("--ckpt-every", type=int, default=50)
    ap.add_argument("--snapshot-every-min", type=float, default=0,
                    help="also copy the weights to <out>/snap_<minute>.pt every this many minutes of wall time "
                    "(from --snapshot-from-min on), for average.py")
    ap.add_argument("--snapshot-from-min", type=float, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--test-seeds", default="900,950,960",
                    help="seeds of synthetic test and validation sets (900: the test set; 950: the validation set "
                    "that runtime settings are chosen on; 960: the larger validation set made after v10), "
                    "comma-separated: a synth source made with one is refused")
    args = ap.parse_args()
    test_seeds = {int(x) for x in args.test_seeds.split(",") if x.strip()}
    torch.set_num_threads(args.threads)
    random.seed(args.seed); np.random.seed(args.seed); torch.manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)
    logf = open(os.path.join(args.out, "train.log"), "a")

    def log(msg):
        line = f"{time.strftime('%H:%M:%S')} {msg}"
        print(line, flush=True)
        logf.write(line + "\n"); logf.flush()

    sources = []
    parsed = {}  # one parse per annotations file, however many sources select from it
    if args.pack:
        from pack import load_pack
        for name, entries, weight in load_pack(args.pack):
            log(f"pack {args.pack} source {name}: {len(entries)} images, {sum(len(e['boxes']) for e in entries)} boxes, "
                f"weight {weight}")
            sources.append((entries, weight))
    elif not args.source:
        sys.exit("give --source (one or more) or --pack")
    for s in args.source:
        kind, path, series, weight = parse_source(s)
        if path not in parsed:
            with open(path) as f:
                parsed[path] = json.load(f)
        coco = parsed[path]
        if kind == "synth":
            seed = coco.get("info", {}).get("options", {}).get("seed")
            if seed in test_seeds:
                sys.exit(f"{path}: made with seed {seed}, a synthetic test set's seed (--test-seeds): not for training")
        entries = load_set(path, kind, series, coco=coco)
        log(f"source {kind} {path} series={sorted(series) if series else 'all'}: {len(entries)} images, "
            f"{sum(len(e['boxes']) for e in entries)} boxes, weight {weight}")
        sources.append((entries, weight))
    wsum = sum(w for _, w in sources)
    probs = [w / wsum for _, w in sources]

    device = torch.device("cuda" if args.device == "auto" and torch.cuda.is_available()
                          else ("cpu" if args.device == "auto" else args.device))
    net = Detector(args.net)
    opt = torch.optim.AdamW(net.parameters(), lr=args.lr, weight_decay=1e-4)
    budget_s = args.time_budget_min * 60
    rng = np.random.default_rng(args.seed)
    gstep, elapsed0 = 0, 0.0
    ck = os.path.join(args.out, "last.pt")
    if args.resume and os.path.exists(ck):
        st = torch.load(ck, weights_only=False)
        net.load_state_dict(st["model"]); opt.load_state_dict(st["opt"])
        gstep, elapsed0 = st["gstep"], st["elapsed"]
        rng.bit_generator.state = st["np_rng"]; torch.set_rng_state(st["torch_rng"])
        log(f"resumed from {ck} at step {gstep} ({elapsed0:.0f}s done)")
    elif args.init:
        net.load_state_dict(torch.load(args.init, map_location="cpu", weights_only=False)["model"])
        log(f"initialised from {args.init}")
    elif args.init_onnx:
        n = init_from_folded_onnx(net, args.init_onnx, grow_from=args.grow_from)
        log(f"initialised {n} convolutions from {args.init_onnx} (BatchNorm frozen)")
    net = net.to(device, memory_format=torch.channels_last)
    if args.resume or args.init:   # the optimiser's state follows its parameters to the device
        for state in opt.state.values():
            for k, v in state.items():
                if torch.is_tensor(v):
                    state[k] = v.to(device)
    if args.init_onnx:
        args.freeze_bn = True
    log(f"args {vars(args)}; params {sum(p.numel() for p in net.parameters())}")
    t0 = time.time() - elapsed0

    def lr_factor(step, elapsed):
        frac = elapsed / budget_s if budget_s else 0.0
        return min(1.0, (step + 1) / args.warmup) * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * min(1.0, frac))))

    def write(obj, path):
        """Writes a checkpoint whole or not at all (a killed run never leaves half a file)."""
        torch.save(obj, path + ".tmp")
        os.replace(path + ".tmp", path)

    def save():
        write({"model": net.state_dict(), "opt": opt.state_dict(), "gstep": gstep, "elapsed": time.time() - t0,
               "np_rng": rng.bit_generator.state, "torch_rng": torch.get_rng_state(), "args": vars(args)}, ck)

    def snapshot_due(elapsed_min):
        """The next snapshot minute reached and not yet written, or None."""
        if args.snapshot_every_min <= 0 or elapsed_min < args.snapshot_from_min:
            return None
        m = args.snapshot_from_min + args.snapshot_every_min * math.floor(
            (elapsed_min - args.snapshot_from_min) / args.snapshot_every_min)
        path = os.path.join(args.out, f"snap_{m:g}.pt")
        return None if os.path.exists(path) else path

    batches = iter(make_batches(sources, probs, args, rng))
    agg, k = np.zeros(3), 0
    net.train()
    if args.freeze_bn:
        freeze_bn(net)
    while True:
        f = lr_factor(gstep, time.time() - t0)
        for g in opt.param_groups:
            g["lr"] = args.lr * f
        x, bxs, lbs = next(batches)
        x = x.to(device, non_blocking=True).contiguous(memory_format=torch.channels_last)
        losses = train_step(net, opt, x, bxs, lbs)
        gstep += 1
        agg += losses; k += 1
        if gstep % 20 == 0:
            log(f"step {gstep} loss {agg[0] / k:.4f} hm {agg[1] / k:.4f} giou {agg[2] / k:.4f} lr {args.lr * f:.2e} "
                f"{time.time() - t0:.0f}s")
            agg, k = np.zeros(3), 0
        if gstep % args.ckpt_every == 0:
            save()
        snap = snapshot_due((time.time() - t0) / 60)
        if snap:
            write({"model": net.state_dict(), "gstep": gstep, "args": vars(args)}, snap)
            log(f"snapshot at step {gstep} -> {snap}")
        if (args.max_iters and gstep >= args.max_iters) or (budget_s and time.time() - t0 >= budget_s):
            save()
            log(f"stop at step {gstep} ({time.time() - t0:.0f}s) -> {ck}")
            break


def batch_of(sources, probs, args, rng):
    """One batch: frames [B,1,320,320] float32 and per-sample boxes and labels."""
    ims, bxs, lbs = [], [], []
    for _ in range(args.batch):
        entries, _ = sources[rng.choice(len(sources), p=probs)]
        e = entries[rng.integers(len(entries))]
        fr, b, l = make_sample(e, rng, coarse_p=args.coarse_p, wide_p=args.wide_scale_p)
        fr, b = augment(fr, b, rng)
        a = photometric(fr, rng)
        if args.scanner_style_p and rng.random() < args.scanner_style_p:
            a = scanner_style(a, rng)
        ims.append(a); bxs.append(b); lbs.append(l)
    return torch.from_numpy(np.stack(ims)[:, None]), bxs, lbs


class _Batches(torch.utils.data.IterableDataset):
    """Endless batches made in DataLoader worker processes, each with its own generator."""

    def __init__(self, sources, probs, args, seed):
        self.sources, self.probs, self.args, self.seed = sources, probs, args, seed

    def __iter__(self):
        info = torch.utils.data.get_worker_info()
        rng = np.random.default_rng([self.seed, info.id if info else 0])
        while True:
            yield batch_of(self.sources, self.probs, self.args, rng)


def _as_made(batch):
    """The loader's conversion: none (boxes and labels stay numpy arrays)."""
    return batch


def make_batches(sources, probs, args, rng):
    """Batches from this process (the CPU path: `rng` is the checkpointed generator, so --resume continues the
    same stream) or, with --workers, from worker processes (seeded from --seed and the step reached)."""
    if args.workers <= 0:
        while True:
            yield batch_of(sources, probs, args, rng)
    loader = torch.utils.data.DataLoader(_Batches(sources, probs, args, int(rng.integers(1 << 31))),
                                         batch_size=None, collate_fn=_as_made, num_workers=args.workers,
                                         pin_memory=True,
                                         prefetch_factor=4, persistent_workers=True)
    yield from loader


if __name__ == "__main__":
    main()
