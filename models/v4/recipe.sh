#!/usr/bin/env bash
# armscan-threat-v4: armscan-threat-v3's training run continued at a lower learning rate, with a second synthetic
# training set (another seed, more parts). Every step, from the repository root, after
# `cargo build --release -p armscan-cli` and `pip install -r models/requirements.txt` (PyTorch, CPU is enough).
# MODEL_CARD_v4.md gives the figures.
#   bash models/v4/recipe.sh [V3_RUN_DIR] [RUN_DIR]
# V3_RUN_DIR holds v3's final last.pt (models/v3/recipe.sh makes it; it is not committed). Without it, start from the
# shipped v3 ONNX instead: `--init-onnx ../armscan-threat-v3.onnx` in place of `--init ... --freeze-bn` (the same
# weights, rebuilt from the folded graph; not the run the card reports).
set -euo pipefail
V3RUN=${1:-/work/runs/c}
RUN=${2:-/work/runs/d}
DATA=${DATA:-/work/data}
G=$(cd "${GDXRAY_DEV:-../shared/data/gdxray-dev}" && pwd)/annotations.json
A=./target/release/armscan
HELD_OUT=pistol_compact_9mm,revolver_4in_38,receiver_ar15_lower,bolt_rifle,ammunition_clip
# 1. data: v3's three sets (models/v3/recipe.sh step 1) and a second training set: seed 500, parts weighted up
#    (mix 0.3 / 0.4 / 0.3), the same 5 shapes held out
$A synth --n 3000 --seed 500 --out "$DATA/synth-train2" --planes grey --clean-fraction 0.1 --max-threats 4 \
  --tip-threats "$G" --tip-threats-where series=B0049 --tip-bags "$G" --tip-bags-where series=B0046 \
  --real-threat-fraction 0.4 --real-bag-fraction 0.2 --mix firearm=0.3,part=0.4,ammunition=0.3 \
  --exclude-variants "$HELD_OUT"
# 2. training: from v3's final training state (BatchNorm frozen at the identity, as in v3), fresh optimiser,
#    learning rate 3e-4 (half of v3's) on a cosine over 105 minutes of wall time, 30 % coarse-scale samples
cd models/v2
python train.py --out "$RUN" --init "$V3RUN/last.pt" --freeze-bn --lr 3e-4 --warmup 50 --time-budget-min 105 --seed 1 \
  --coarse-p 0.3 \
  --source synth:"$DATA/synth-train/annotations.json@0.3" --source synth:"$DATA/synth-train2/annotations.json@0.25" \
  --source synth:"$DATA/synth-long/annotations.json@0.12" \
  --source gdxray:"$G:B0046@0.15" --source gdxray:"$G:B0049@0.1" --source gdxray:"$G:B0008,B0076,B0082@0.08"
# 3. export (checks ONNX Runtime against torch) with v3's coarse pass in the manifest
python export.py --ckpt "$RUN/last.pt" --out ../armscan-threat-v4.onnx --id armscan-threat-v4 --coarse-min-long-side 112
cd ../..
# 4. figures
SYNTH_TEST="$DATA/synth-test" bash models/v2/evaluate.sh models/armscan-threat-v4.onnx models/v4/eval
