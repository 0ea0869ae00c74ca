#!/usr/bin/env bash
# armscan-threat-v6: armscan-threat-v5's training (models/v5/recipe.sh) continued 105 minutes at 3e-4 with a fourth
# synthetic training set (parts weighted up, more clutter). Every step, from the repository root, after
# `cargo build --release -p armscan-cli` and `pip install -r models/requirements.txt` (PyTorch, CPU is enough).
# MODEL_CARD_v6.md gives the figures.
#   bash models/v6/recipe.sh [V5_RUN_DIR] [RUN_DIR]
# V5_RUN_DIR holds v5's final last.pt (models/v5/recipe.sh makes it; not committed). Without it, start from the
# shipped v5 ONNX instead (`--init-onnx ../armscan-threat-v5.onnx` in place of `--init ... --freeze-bn`; the same
# weights rebuilt from the folded graph, not the run the card reports).
set -euo pipefail
V5RUN=${1:-/work/runs/f}
RUN=${2:-/work/runs/g}
DATA=${DATA:-/work/data}
G=$(cd "${GDXRAY_DEV:-../shared/data/gdxray-dev}" && pwd)/annotations.json
A=./target/release/armscan
HELD_OUT=pistol_compact_9mm,revolver_4in_38,receiver_ar15_lower,bolt_rifle,ammunition_clip
# 1. data: v5's sets (models/v3, v4 and v5 recipes, step 1), a fourth training set (seed 1400; the test set's seed
#    is 900 and the validation set's 950: never train on them), and the validation set the runtime's merge rules
#    were checked on (seed 950, made like the test set)
$A synth --n 3000 --seed 1400 --out "$DATA/synth-train4" --planes grey --clean-fraction 0.1 --max-threats 4 \
  --clutter 0.75 --tip-threats "$G" --tip-threats-where series=B0049 --tip-bags "$G" --tip-bags-where series=B0046 \
  --real-threat-fraction 0.3 --real-bag-fraction 0.25 --mix firearm=0.2,part=0.5,ammunition=0.3 --part-families \
  --exclude-variants "$HELD_OUT"
$A synth --n 400 --seed 950 --out "$DATA/synth-val" --planes grey --clean-fraction 0.2 --max-threats 4
cd models/v2
# 2. v5's run continued: fresh AdamW, lr 3e-4 on a cosine over 105 minutes of wall time
python train.py --out "$RUN" --init "$V5RUN/last.pt" --freeze-bn --lr 3e-4 --warmup 50 --time-budget-min 105 --seed 4 \
  --coarse-p 0.3 \
  --source synth:"$DATA/synth-train/annotations.json@0.15" --source synth:"$DATA/synth-train2/annotations.json@0.13" \
  --source synth:"$DATA/synth-train3/annotations.json@0.2" --source synth:"$DATA/synth-train4/annotations.json@0.2" \
  --source synth:"$DATA/synth-long/annotations.json@0.08" \
  --source gdxray:"$G:B0046@0.11" --source gdxray:"$G:B0049@0.07" --source gdxray:"$G:B0008,B0076,B0082@0.06"
# 3. export (checks ONNX Runtime against torch) with the same coarse pass as v3 to v5
python export.py --ckpt "$RUN/last.pt" --out ../armscan-threat-v6.onnx --id armscan-threat-v6 --coarse-min-long-side 112
cd ../..
# 4. figures: the validation set first (the only set anything was chosen on), then the card's
./target/release/armscan eval --model models/armscan-threat-v6.onnx --backend onnxruntime --no-progress \
  "$DATA/synth-val/annotations.json" --out models/v6/eval/synth-val
SYNTH_TEST="$DATA/synth-test" bash models/v2/evaluate.sh models/armscan-threat-v6.onnx models/v6/eval
