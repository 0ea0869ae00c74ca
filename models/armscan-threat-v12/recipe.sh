#!/usr/bin/env bash
# armscan-threat-v12 from armscan-threat-v11 (whose own recipe, models/armscan-threat-v11/recipe.sh, makes it from
# nothing): the training sets of run N, run N, the mix with v11, the export, and the evaluation runs behind
# MODEL_CARD.md's figures.
#
#   bash models/armscan-threat-v12/recipe.sh [WORK_DIR]            (default /work/runs/armscan-threat-v12)
#   STAGES="n figures" bash models/armscan-threat-v12/recipe.sh WORK_DIR   (some stages only)
#
# From the repository root, after `cargo build --release -p armscan-cli` and
# `pip install -r models/training/requirements.txt` (PyTorch; CPU: run N trained 100 minutes on 2 cores).
# Environment: DATA (synthetic sets, default /work/data), GDXRAY_DEV (default ../shared/data/gdxray-dev), PYTHON.
# The learning rate follows wall time (`--time-budget-min`), so a rerun gives weights like the shipped ones, not the
# same bytes; the data sets are deterministic.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
WORK=${1:-/work/runs/armscan-threat-v12}
mkdir -p "$WORK" && WORK=$(cd "$WORK" && pwd)
DATA=${DATA:-/work/data}
mkdir -p "$DATA" && DATA=$(cd "$DATA" && pwd)
G=$(cd "${GDXRAY_DEV:-../shared/data/gdxray-dev}" && pwd)/annotations.json
PY=${PYTHON:-python3}
A=${ARMSCAN:-$ROOT/target/release/armscan}
TRAINING=$ROOT/models/training
HELD_OUT=pistol_compact_9mm,revolver_4in_38,receiver_ar15_lower,bolt_rifle,ammunition_clip
TIP=(--tip-threats "$G" --tip-threats-where series=B0049 --tip-bags "$G" --tip-bags-where series=B0046)
C=(--planes grey --clean-fraction 0.1 --max-threats 4 --clutter 0.75 "${TIP[@]}" --real-threat-fraction 0.3
  --real-bag-fraction 0.25 --part-families --exclude-variants "$HELD_OUT")
synth() {   # synth N SEED NAME OPTION...: one synthetic set, skipped if it is already there
  local n=$1 seed=$2 name=$3
  shift 3
  [ -f "$DATA/$name/annotations.json" ] && return
  "$A" synth --n "$n" --seed "$seed" --out "$DATA/$name" "$@"
}

stage_data() {
  # v11's training sets 9 and 10 and its long-gun set (the same options, so the same bytes), and the evaluation
  # sets: the test set (seed 900) in three palettes, the validation set (seed 950) the choice was made on
  synth 3000 1900 synth-train9 "${C[@]}" --mix firearm=0.25,part=0.5,ammunition=0.25 --light-frame-fraction 0.35
  synth 3000 2000 synth-train10 "${C[@]}" --mix firearm=0.3,part=0.45,ammunition=0.25 --light-frame-fraction 0.35
  synth 700 300 synth-long --planes grey --width 1400 --height 1000 --clean-fraction 0.05 --max-threats 3 \
    --mix firearm=0.7,part=0.15,ammunition=0.15 \
    --exclude-variants pistol_polymer_9mm,pistol_compact_9mm,pistol_steel_45acp,pistol_alloy_9mm,pistol_pocket_22,revolver_snub_38,revolver_4in_38,revolver_6in_38,receiver_ar15_lower,bolt_rifle,ammunition_clip
  synth 400 900 synth-test --planes grey,colour --clean-fraction 0.2 --max-threats 4
  synth 400 900 synth-test-amber --planes grey,colour --clean-fraction 0.2 --max-threats 4 --palette amber
  synth 400 900 synth-test-deep --planes grey,colour --clean-fraction 0.2 --max-threats 4 --palette deep
  synth 400 950 synth-val --planes grey,colour --clean-fraction 0.2 --max-threats 4
}

stage_n() {
  # run N: from v11's folded ONNX (BatchNorm frozen), a fourth class (accessory) grown from the part class, half
  # the samples with wide scale jitter and half with scanner-style randomisation
  (cd "$TRAINING" && "$PY" train.py --out "$WORK/n" --init-onnx "$ROOT/models/armscan-threat-v11/armscan-threat-v11.onnx" \
    --warmup 50 --coarse-p 0.3 --lr 3e-4 --wide-scale-p 0.5 --scanner-style-p 0.5 --time-budget-min 100 --seed 12 \
    --snapshot-from-min 60 --snapshot-every-min 20 \
    --source "synth:$DATA/synth-train9/annotations.json@0.2" --source "synth:$DATA/synth-train10/annotations.json@0.28" \
    --source "synth:$DATA/synth-long/annotations.json@0.08" --source "gdxray:$G:B0046@0.2" \
    --source "gdxray:$G:B0049@0.1" --source "gdxray:$G:B0008,B0076,B0082@0.14")
  # v12 is the even mix of v11 and run N's final state (the first candidate that passed the rule in MODEL_CARD.md,
  # "How v12 was chosen"); the accessory channel of v11's side is grown from its part channel
  (cd "$TRAINING" && "$PY" interpolate.py --base-onnx "$ROOT/models/armscan-threat-v11/armscan-threat-v11.onnx" \
    --ckpt "$WORK/n/last.pt" --alpha 0.5 --out "$WORK/n/interp_0.5.pt")
  mkdir -p "$WORK/v12"
  (cd "$TRAINING" && "$PY" export.py --ckpt "${CKPT:-$WORK/n/interp_0.5.pt}" --out "$WORK/v12/armscan-threat-v12.onnx" \
    --id armscan-threat-v12 --coarse-min-long-side 112 --damp-part-in-firearm 0.7)
  # v11's mirror-view rule, and the notes
  "$PY" - "$WORK/v12/armscan-threat-v12.manifest.json" <<'PY'
import json
import sys

p = sys.argv[1]
m = json.load(open(p))
m["mirror_view"] = {"fuse_iou": 0.5, "unseen_factor": 0.7}
m["notes"] = ("armscan-threat-v11 trained on for any scanner (wide scale jitter, scanner-style randomisation) with "
              "a fourth class, accessory; models/armscan-threat-v12/MODEL_CARD.md")
open(p, "w").write(json.dumps(m, indent=2) + "\n")
PY
}

stage_figures() {
  local man=$WORK/v12/armscan-threat-v12.manifest.json
  "$A" eval --model "$man" --backend onnxruntime --no-progress "$DATA/synth-val/annotations.json" \
    --out "$WORK/eval/v12-synth-val"
  DATA="$DATA" bash "$TRAINING/evaluate.sh" "$man" "$WORK/eval/v12"
  DATA="$DATA" bash "$TRAINING/evaluate.sh" "$ROOT/models/armscan-threat-v11/armscan-threat-v11.manifest.json" \
    "$WORK/eval/v11"
}

for stage in ${STAGES:-data n figures}; do
  echo "== stage $stage" >&2
  "stage_$stage"
done
