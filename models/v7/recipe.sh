#!/usr/bin/env bash
# armscan-threat-v7: armscan-threat-v6's training (models/v6/recipe.sh) continued 105 minutes at 3e-4 with two more
# synthetic training sets, the second with light frames and receivers (aluminium and polymer, `--light-frame-fraction`).
# Every step, from the repository root, after `cargo build --release -p armscan-cli` and
# `pip install -r models/requirements.txt` (PyTorch, CPU is enough). MODEL_CARD_v7.md gives the figures.
#   bash models/v7/recipe.sh [V6_RUN_DIR] [RUN_DIR]
# V6_RUN_DIR holds v6's final last.pt (models/v6/recipe.sh makes it; not committed). Without it, start from the
# shipped v6 ONNX instead (`--init-onnx ../armscan-threat-v6.onnx` in place of `--init ... --freeze-bn`; the same
# weights rebuilt from the folded graph, not the run the card reports).
set -euo pipefail
V6RUN=${1:-/work/runs/g}
RUN=${2:-/work/runs/i}
DATA=${DATA:-/work/data}
G=$(cd "${GDXRAY_DEV:-../shared/data/gdxray-dev}" && pwd)/annotations.json
A=./target/release/armscan
HELD_OUT=pistol_compact_9mm,revolver_4in_38,receiver_ar15_lower,bolt_rifle,ammunition_clip
TIP=(--tip-threats "$G" --tip-threats-where series=B0049 --tip-bags "$G" --tip-bags-where series=B0046
  --real-threat-fraction 0.3 --real-bag-fraction 0.25)
# 1. data: v6's sets (models/v3 to v6 recipes, step 1) and two more (seeds 1500 and 1600; the test set's seed is 900
#    and the validation set's 950: never train on them); set 6 replaces 30 % of its parts by light frames
$A synth --n 3000 --seed 1500 --out "$DATA/synth-train5" --planes grey --clean-fraction 0.1 --max-threats 4 \
  --clutter 0.75 "${TIP[@]}" --mix firearm=0.25,part=0.5,ammunition=0.25 --part-families --exclude-variants "$HELD_OUT"
$A synth --n 3000 --seed 1600 --out "$DATA/synth-train6" --planes grey --clean-fraction 0.1 --max-threats 4 \
  --clutter 0.75 "${TIP[@]}" --mix firearm=0.2,part=0.55,ammunition=0.25 --part-families --light-frame-fraction 0.3 \
  --exclude-variants "$HELD_OUT"
cd models/v2
# 2. v6's run continued: fresh AdamW, lr 3e-4 on a cosine over 105 minutes of wall time
python train.py --out "$RUN" --init "$V6RUN/last.pt" --freeze-bn --lr 3e-4 --warmup 50 --time-budget-min 105 --seed 6 \
  --coarse-p 0.3 \
  --source synth:"$DATA/synth-train/annotations.json@0.07" --source synth:"$DATA/synth-train2/annotations.json@0.07" \
  --source synth:"$DATA/synth-train3/annotations.json@0.1" --source synth:"$DATA/synth-train4/annotations.json@0.14" \
  --source synth:"$DATA/synth-train5/annotations.json@0.16" --source synth:"$DATA/synth-train6/annotations.json@0.2" \
  --source synth:"$DATA/synth-long/annotations.json@0.05" \
  --source gdxray:"$G:B0046@0.1" --source gdxray:"$G:B0049@0.06" --source gdxray:"$G:B0008,B0076,B0082@0.05"
# 3. export (checks ONNX Runtime against torch) with the same coarse pass as v3 to v6
python export.py --ckpt "$RUN/last.pt" --out ../armscan-threat-v7.onnx --id armscan-threat-v7 --coarse-min-long-side 112
cd ../..
# 4. figures: the validation set first (the only set anything was chosen on), then the card's
./target/release/armscan eval --model models/armscan-threat-v7.onnx --backend onnxruntime --no-progress \
  "$DATA/synth-val/annotations.json" --out models/v7/eval/synth-val
SYNTH_TEST="$DATA/synth-test" bash models/v2/evaluate.sh models/armscan-threat-v7.onnx models/v7/eval
