#!/usr/bin/env bash
# armscan-threat-v11: armscan-threat-v10's network (the same ONNX file, no training) screened as the scan and its
# left-right mirror, the two views' detections fused by the manifest's `mirror_view` rule (crates/core/src/views.rs).
# The rule was chosen on synth-val2 (models/v11/choice-rule.txt). From the repository root, after
# `cargo build --release -p armscan-cli`, with the data sets of models/v10/recipe.sh (steps 1 and 5).
#   bash models/v11/recipe.sh
set -euo pipefail
DATA=${DATA:-/work/data}
# 1. the manifest: v10's, with a new id and the mirror-view rule
python3 - <<'PY'
import json
m = json.load(open("models/armscan-threat-v10.manifest.json"))
out = {}
for k, v in m.items():
    out[k] = v
    if k == "damping":
        out["mirror_view"] = {"fuse_iou": 0.5, "unseen_factor": 0.7}
out["id"] = "armscan-threat-v11"
out["notes"] = ("armscan-threat-v10 weights (same ONNX file) screened as the scan and its left-right mirror, "
                "fused by mirror_view; models/MODEL_CARD_v11.md")
open("models/armscan-threat-v11.manifest.json", "w").write(json.dumps(out, indent=2) + "\n")
PY
# 2. figures: the validation set the rule was chosen on, then the card's (test set, GDXray dev validation series)
./target/release/armscan eval --model models/armscan-threat-v11.manifest.json --backend onnxruntime --no-progress \
  "$DATA/synth-val2/annotations.json" --out out/v11-synth-val2
SYNTH_TEST="$DATA/synth-test" bash models/v2/evaluate.sh models/armscan-threat-v11.manifest.json models/v11/eval
# 3. one view only: `armscan eval --single-view ...` gives v10's figures (models/v10/eval)
