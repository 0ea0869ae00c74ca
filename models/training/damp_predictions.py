#!/usr/bin/env python3
"""Applies a part-in-firearm damping rule to an `armscan scan --jsonl` predictions file, offline.

The rule is the runtime's (`armscan_core::nested`, manifest `damping`): a part box lying at least
`--min-fraction-inside` of its area inside a firearm box is multiplied by `--factor`; with
`--outer-at-least-inner` (the runtime's rule) only when the firearm scores at least as high as the part,
else when the firearm scores at least `--outer-min-score`. Damped boxes below `--min-score` are dropped.
Used to choose the rule on the validation set before it went into the runtime:

    python3 models/training/damp_predictions.py PRED.jsonl OUT.jsonl --factor 0.7 --outer-at-least-inner
    armscan eval --predictions OUT.jsonl ANNOTATIONS.json
"""
import argparse
import json
import sys


def fraction_inside(p, f):
    ix = max(0.0, min(p[2], f[2]) - max(p[0], f[0]))
    iy = max(0.0, min(p[3], f[3]) - max(p[1], f[1]))
    area = (p[2] - p[0]) * (p[3] - p[1])
    return ix * iy / area if area > 0 else 0.0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("predictions")
    ap.add_argument("out")
    ap.add_argument("--min-fraction-inside", type=float, default=0.8)
    ap.add_argument("--factor", type=float, default=0.7, help="0 drops the part")
    ap.add_argument("--outer-at-least-inner", action="store_true")
    ap.add_argument("--outer-min-score", type=float, default=0.0)
    ap.add_argument("--min-score", type=float, default=0.05)
    a = ap.parse_args()
    changed = 0
    with open(a.predictions) as src, open(a.out, "w") as out:
        for line in src:
            r = json.loads(line)
            dets = r.get("detections") or []
            firearms = [(d["score"], d["box"]) for d in dets if d["category"] == "firearm" and d["score"] >= a.outer_min_score]
            for d in dets:
                if d["category"] != "part":
                    continue
                s = d["score"]
                if any(fraction_inside(d["box"], fb) >= a.min_fraction_inside and (fs >= s or not a.outer_at_least_inner)
                       for fs, fb in firearms):
                    d["score"] = round(s * a.factor, 4)
                    changed += 1
            if r.get("detections") is not None:
                r["detections"] = sorted((d for d in dets if d["score"] >= a.min_score), key=lambda d: -d["score"])
            out.write(json.dumps(r) + "\n")
    print(f"damped {changed} part boxes", file=sys.stderr)


if __name__ == "__main__":
    main()
