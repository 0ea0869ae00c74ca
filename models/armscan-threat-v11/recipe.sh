#!/usr/bin/env bash
# armscan-threat-v11 from nothing: every training run of its lineage (v2 -> v3 -> ... -> v10, each continuing the
# one before), the v11 manifest over v10's network, and the evaluation runs behind MODEL_CARD.md's figures.
#
#   bash models/armscan-threat-v11/recipe.sh [WORK_DIR]        (default /work/runs/armscan-threat-v11)
#   STAGES="v10 v11 figures" bash models/armscan-threat-v11/recipe.sh WORK_DIR   (some stages only; a stage needs
#                                                                                   the run directories of the one before)
#
# From the repository root (or anywhere: the script finds it), after `cargo build --release -p armscan-cli` and
# `pip install -r models/training/requirements.txt` (PyTorch; CPU is enough: the shipped lineage trained 898
# CPU-minutes on 2 cores). Environment: DATA (synthetic sets, default /work/data), GDXRAY_DEV (default
# ../shared/data/gdxray-dev), PYTHON (default python3).
#
# Outputs, all under WORK_DIR: run directories a, b, c, d, e, f, g, i, j, l, m (checkpoints, train.log), exported
# models vN/armscan-threat-vN.{onnx,manifest.json}, v11/ (the shipped layout: armscan-threat-v11.onnx and its
# manifest) and eval/ (armscan eval outputs; models/armscan-threat-v11/eval/ keeps their eval.json). Nothing in the
# repository is overwritten: compare WORK_DIR/v11 with models/armscan-threat-v11, or copy it there.
#
# The learning rate follows wall time (`--time-budget-min`), so a rerun gives weights like the shipped ones, not the
# same bytes; the data sets are deterministic (same seed, same bytes, on any machine). Run letters follow the card.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
WORK=${1:-/work/runs/armscan-threat-v11}
mkdir -p "$WORK" && WORK=$(cd "$WORK" && pwd)
DATA=${DATA:-/work/data}
mkdir -p "$DATA" && DATA=$(cd "$DATA" && pwd)
G=$(cd "${GDXRAY_DEV:-../shared/data/gdxray-dev}" && pwd)/annotations.json
PY=${PYTHON:-python3}
A=${ARMSCAN:-$ROOT/target/release/armscan}
TRAINING=$ROOT/models/training
NEG=B0008,B0076,B0082   # GDXray knife and bag-crop series: negatives

# --- shared pieces -----------------------------------------------------------------------------------------------
# The five shapes held out of every training set (the synthetic test set has them, so they measure generalisation)
HELD_OUT=pistol_compact_9mm,revolver_4in_38,receiver_ar15_lower,bolt_rifle,ammunition_clip
# Threat image projection: real GDXray B0049 handguns into scenes, real clean B0046 bags as backgrounds
TIP=(--tip-threats "$G" --tip-threats-where series=B0049 --tip-bags "$G" --tip-bags-where series=B0046)
# Options of training sets 4 to 10
C=(--planes grey --clean-fraction 0.1 --max-threats 4 --clutter 0.75 "${TIP[@]}" --real-threat-fraction 0.3
  --real-bag-fraction 0.25 --part-families --exclude-variants "$HELD_OUT")
# A continued run: BatchNorm frozen (as since v3), 50 warm-up steps, 30 % of synthetic samples at the coarse scale
CONT=(--freeze-bn --warmup 50 --coarse-p 0.3)

synth() {   # synth N SEED NAME OPTION...: one synthetic set, skipped if it is already there
  local n=$1 seed=$2 name=$3
  shift 3
  [ -f "$DATA/$name/annotations.json" ] && return
  "$A" synth --n "$n" --seed "$seed" --out "$DATA/$name" "$@"
}
sources() {   # sources NAME@WEIGHT ...: SRC=(--source ...); names starting B0 are GDXray dev series
  SRC=()
  local s
  for s in "$@"; do
    case $s in
      B0*) SRC+=(--source "gdxray:$G:$s") ;;
      *) SRC+=(--source "synth:$DATA/${s%@*}/annotations.json@${s#*@}") ;;
    esac
  done
}
train() { (cd "$TRAINING" && "$PY" train.py "$@"); }
export_model() {   # export_model CHECKPOINT VERSION EXPORT_OPTION...: WORK/vN/armscan-threat-vN.onnx + manifest
  local ckpt=$1 v=$2
  shift 2
  mkdir -p "$WORK/$v"
  (cd "$TRAINING" && "$PY" export.py --ckpt "$ckpt" --out "$WORK/$v/armscan-threat-$v.onnx" --id "armscan-threat-$v" "$@")
}
evaluate() {   # evaluate MODEL SET OUT_NAME: armscan eval on a synthetic set
  "$A" eval --model "$1" --backend onnxruntime --no-progress "$DATA/$2/annotations.json" --out "$WORK/eval/$3"
}
onnx() { echo "$WORK/$1/armscan-threat-$1.onnx"; }
# The export options of v3 to v7 (coarse pass for long objects) and of v8 to v10 (plus the part-in-firearm damping)
COARSE=(--coarse-min-long-side 112)
DAMPED=(--coarse-min-long-side 112 --damp-part-in-firearm 0.7)

# --- data --------------------------------------------------------------------------------------------------------
stage_data() {
  # training set 1 (v2 on), the long-gun set (v3 on: handguns and the held-out shapes excluded), test set (seed 900)
  synth 3000 100 synth-train --planes grey --clean-fraction 0.15 --max-threats 4 "${TIP[@]}" \
    --real-threat-fraction 0.5 --real-bag-fraction 0.2 --exclude-variants "$HELD_OUT"
  synth 700 300 synth-long --planes grey --width 1400 --height 1000 --clean-fraction 0.05 --max-threats 3 \
    --mix firearm=0.7,part=0.15,ammunition=0.15 \
    --exclude-variants pistol_polymer_9mm,pistol_compact_9mm,pistol_steel_45acp,pistol_alloy_9mm,pistol_pocket_22,revolver_snub_38,revolver_4in_38,revolver_6in_38,receiver_ar15_lower,bolt_rifle,ammunition_clip
  synth 400 900 synth-test --planes grey,colour --clean-fraction 0.2 --max-threats 4
  # training sets 2 (v4, parts weighted up) and 3 (v5, parametric part families)
  synth 3000 500 synth-train2 --planes grey --clean-fraction 0.1 --max-threats 4 "${TIP[@]}" \
    --real-threat-fraction 0.4 --real-bag-fraction 0.2 --mix firearm=0.3,part=0.4,ammunition=0.3 \
    --exclude-variants "$HELD_OUT"
  synth 3000 1300 synth-train3 --planes grey --clean-fraction 0.1 --max-threats 4 "${TIP[@]}" \
    --real-threat-fraction 0.4 --real-bag-fraction 0.2 --mix firearm=0.25,part=0.45,ammunition=0.3 --part-families \
    --exclude-variants "$HELD_OUT"
  # training sets 4 to 10 (v6 to v10; from set 6 on, light frames and receivers)
  synth 3000 1400 synth-train4 "${C[@]}" --mix firearm=0.2,part=0.5,ammunition=0.3
  synth 3000 1500 synth-train5 "${C[@]}" --mix firearm=0.25,part=0.5,ammunition=0.25
  synth 3000 1600 synth-train6 "${C[@]}" --mix firearm=0.2,part=0.55,ammunition=0.25 --light-frame-fraction 0.3
  synth 3000 1700 synth-train7 "${C[@]}" --mix firearm=0.3,part=0.45,ammunition=0.25 --light-frame-fraction 0.3
  synth 3000 1800 synth-train8 "${C[@]}" --mix firearm=0.25,part=0.45,ammunition=0.3 --light-frame-fraction 0.3
  synth 3000 1900 synth-train9 "${C[@]}" --mix firearm=0.25,part=0.5,ammunition=0.25 --light-frame-fraction 0.35
  synth 3000 2000 synth-train10 "${C[@]}" --mix firearm=0.3,part=0.45,ammunition=0.25 --light-frame-fraction 0.35
  # validation sets: seed 950 (the choices of v6 to v10) and seed 960 (v11's mirror-view rule). train.py refuses
  # sources made with 900, 950 or 960.
  synth 400 950 synth-val --planes grey --clean-fraction 0.2 --max-threats 4
  synth 1200 960 synth-val2 --planes grey --clean-fraction 0.2 --max-threats 4
}

# --- the lineage -------------------------------------------------------------------------------------------------
stage_v2() {
  # run a: from scratch on set 1 only (lr 2e-3, 50 min); run b: a's state with the GDXray training series
  sources synth-train@1
  train --out "$WORK/a" "${SRC[@]}" --time-budget-min 50
  sources synth-train@0.5 B0046@0.25 B0049@0.15 "$NEG@0.1"
  train --out "$WORK/b" --init "$WORK/a/last.pt" --lr 1e-3 --warmup 50 --time-budget-min 50 "${SRC[@]}"
  export_model "$WORK/b/last.pt" v2
}
stage_v3() {
  # run c: from v2's folded ONNX (the shipped v3 was made so: v2's checkpoint was not kept), at two scales
  sources synth-train@0.4 synth-long@0.15 B0046@0.2 B0049@0.15 "$NEG@0.1"
  train --out "$WORK/c" --init-onnx "$(onnx v2)" --lr 6e-4 --warmup 50 --time-budget-min 65 --coarse-p 0.3 "${SRC[@]}"
  export_model "$WORK/c/last.pt" v3 "${COARSE[@]}"
}
stage_v4() {
  sources synth-train@0.3 synth-train2@0.25 synth-long@0.12 B0046@0.15 B0049@0.1 "$NEG@0.08"
  train --out "$WORK/d" --init "$WORK/c/last.pt" "${CONT[@]}" --lr 3e-4 --time-budget-min 105 --seed 1 "${SRC[@]}"
  export_model "$WORK/d/last.pt" v4 "${COARSE[@]}"
}
stage_v5() {
  # run e: v4's sources, 40 min at 1.5e-4; run f: 110 min at 3e-4 with set 3
  sources synth-train@0.3 synth-train2@0.25 synth-long@0.12 B0046@0.15 B0049@0.1 "$NEG@0.08"
  train --out "$WORK/e" --init "$WORK/d/last.pt" "${CONT[@]}" --lr 1.5e-4 --time-budget-min 40 --seed 2 "${SRC[@]}"
  sources synth-train@0.2 synth-train2@0.18 synth-train3@0.22 synth-long@0.1 B0046@0.13 B0049@0.09 "$NEG@0.08"
  train --out "$WORK/f" --init "$WORK/e/last.pt" "${CONT[@]}" --lr 3e-4 --time-budget-min 110 --seed 3 "${SRC[@]}"
  export_model "$WORK/f/last.pt" v5 "${COARSE[@]}"
}
stage_v6() {
  sources synth-train@0.15 synth-train2@0.13 synth-train3@0.2 synth-train4@0.2 synth-long@0.08 B0046@0.11 \
    B0049@0.07 "$NEG@0.06"
  train --out "$WORK/g" --init "$WORK/f/last.pt" "${CONT[@]}" --lr 3e-4 --time-budget-min 105 --seed 4 "${SRC[@]}"
  export_model "$WORK/g/last.pt" v6 "${COARSE[@]}"
  evaluate "$(onnx v6)" synth-val v6-synth-val   # v6 replaced v5 on this set
}
stage_v7() {
  sources synth-train@0.07 synth-train2@0.07 synth-train3@0.1 synth-train4@0.14 synth-train5@0.16 synth-train6@0.2 \
    synth-long@0.05 B0046@0.1 B0049@0.06 "$NEG@0.05"
  train --out "$WORK/i" --init "$WORK/g/last.pt" "${CONT[@]}" --lr 3e-4 --time-budget-min 105 --seed 6 "${SRC[@]}"
  export_model "$WORK/i/last.pt" v7 "${COARSE[@]}"
  evaluate "$(onnx v7)" synth-val v7-synth-val
}
stage_v8() {
  # run j, with snapshots; the candidates were the final state and the mean of the snapshots and the final state:
  # the final state was chosen (MODEL_CARD.md, "How each step was chosen"); CKPT=$WORK/j/avg.pt exports the mean
  sources synth-train@0.05 synth-train2@0.05 synth-train3@0.08 synth-train4@0.1 synth-train5@0.14 \
    synth-train6@0.17 synth-train7@0.2 synth-long@0.05 B0046@0.1 B0049@0.06 "$NEG@0.05"
  train --out "$WORK/j" --init "$WORK/i/last.pt" "${CONT[@]}" --lr 2.5e-4 --time-budget-min 88 --seed 7 \
    --snapshot-from-min 55 --snapshot-every-min 5 "${SRC[@]}"
  (cd "$TRAINING" && "$PY" average.py --out "$WORK/j/avg.pt" "$WORK"/j/snap_{55,60,65,70,75,80,85}.pt "$WORK/j/last.pt")
  export_model "${CKPT:-$WORK/j/last.pt}" v8 "${DAMPED[@]}"
  evaluate "$(onnx v8)" synth-val v8-synth-val
}
stage_v9() {
  sources synth-train@0.03 synth-train2@0.03 synth-train3@0.05 synth-train4@0.07 synth-train5@0.1 \
    synth-train6@0.12 synth-train7@0.14 synth-train8@0.14 synth-train9@0.18 synth-long@0.05 B0046@0.1 B0049@0.06 \
    "$NEG@0.05"
  train --out "$WORK/l" --init "$WORK/j/last.pt" "${CONT[@]}" --lr 3e-4 --time-budget-min 100 --seed 9 \
    --snapshot-from-min 70 --snapshot-every-min 10 "${SRC[@]}"
  export_model "$WORK/l/last.pt" v9 "${DAMPED[@]}"
  evaluate "$(onnx v9)" synth-val v9-synth-val
}
stage_v10() {
  # run m: from v9's folded ONNX, sets 6 to 10; then 0.3 x v9 + 0.7 x m (the weight chosen on synth-val)
  sources synth-train6@0.08 synth-train7@0.12 synth-train8@0.15 synth-train9@0.18 synth-train10@0.22 \
    synth-long@0.05 B0046@0.1 B0049@0.06 "$NEG@0.05"
  train --out "$WORK/m" --init-onnx "$(onnx v9)" --warmup 50 --coarse-p 0.3 --lr 3e-4 --time-budget-min 80 --seed 10 \
    --snapshot-from-min 60 --snapshot-every-min 10 "${SRC[@]}"
  (cd "$TRAINING" && "$PY" interpolate.py --base-onnx "$(onnx v9)" --ckpt "$WORK/m/last.pt" --alpha 0.7 \
    --out "$WORK/m/interp_0.7.pt")
  export_model "$WORK/m/interp_0.7.pt" v10 "${DAMPED[@]}"
  evaluate "$(onnx v10)" synth-val v10-synth-val
  evaluate "$(onnx v10)" synth-val2 v10-synth-val2   # v11's baseline (one view)
}

# --- v11: v10's network, two views -------------------------------------------------------------------------------
stage_v11() {
  # the same ONNX bytes under the new name, and v10's manifest with the mirror-view rule (chosen on synth-val2)
  mkdir -p "$WORK/v11"
  cp "$(onnx v10)" "$WORK/v11/armscan-threat-v11.onnx"
  "$PY" - "$WORK/v10/armscan-threat-v10.manifest.json" "$WORK/v11/armscan-threat-v11.manifest.json" <<'PY'
import json
import sys

m = json.load(open(sys.argv[1]))
out = {}
for k, v in m.items():
    out[k] = v
    if k == "damping":
        out["mirror_view"] = {"fuse_iou": 0.5, "unseen_factor": 0.7}
out["id"] = "armscan-threat-v11"
out["file"] = "armscan-threat-v11.onnx"
out["notes"] = ("armscan-threat-v10 weights (same ONNX bytes) screened as the scan and its left-right mirror, "
                "fused by mirror_view; models/armscan-threat-v11/MODEL_CARD.md")
open(sys.argv[2], "w").write(json.dumps(out, indent=2) + "\n")
PY
}
stage_figures() {
  # the set the rule was chosen on, then the card's: synthetic test set and the GDXray dev validation series
  # (`--single-view` on any of these gives v10's one-view figures)
  local man=$WORK/v11/armscan-threat-v11.manifest.json
  evaluate "$man" synth-val2 v11-synth-val2
  SYNTH_TEST="$DATA/synth-test" bash "$TRAINING/evaluate.sh" "$man" "$WORK/eval/v11"
  "$PY" "$TRAINING/recall_by_variant.py" "$DATA/synth-test/annotations.json" \
    "$WORK/eval/v11/synth-test/predictions.jsonl" --held-out "$HELD_OUT"
}

for stage in ${STAGES:-data v2 v3 v4 v5 v6 v7 v8 v9 v10 v11 figures}; do
  echo "== stage $stage" >&2
  "stage_$stage"
done
