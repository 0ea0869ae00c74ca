"""Reference COCO figures for the pycocotools cross-check (crates/report/tests/pycocotools_crosscheck.rs).

Usage: coco_reference.py GT.json DETECTIONS.json
Prints one JSON object: {"<category name>": {"ap50": float|null, "ap50_95": float|null}, ...}
with AP per category from COCOeval (iouType bbox, area 'all', maxDets 100), read from
eval['precision'] exactly as COCOeval.summarize does (mean of the entries > -1).
Exit status 3 when pycocotools cannot be imported.
"""
import contextlib
import io
import json
import sys

try:
    import numpy as np
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval
except ImportError as e:  # the Rust test decides whether this is a skip or a failure
    print(f"pycocotools unavailable: {e}", file=sys.stderr)
    sys.exit(3)


def main(gt_path, dt_path):
    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO(gt_path)
        dt = gt.loadRes(dt_path)
        ev = COCOeval(gt, dt, "bbox")
        ev.evaluate()
        ev.accumulate()
    prec = ev.eval["precision"]  # [T, R, K, A, M]
    area = ev.params.areaRngLbl.index("all")
    mdet = ev.params.maxDets.index(100)
    out = {}
    for k, cat_id in enumerate(ev.params.catIds):
        name = gt.loadCats([int(cat_id)])[0]["name"]
        p = prec[:, :, k, area, mdet]
        p50 = p[0][p[0] > -1]
        pall = p[p > -1]
        out[name] = {
            "ap50": float(np.mean(p50)) if p50.size else None,
            "ap50_95": float(np.mean(pall)) if pall.size else None,
        }
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
