#!/usr/bin/env bash
# armscan-threat-v5: armscan-threat-v4's training continued (first 40 minutes at 1.5e-4, then 110 minutes at 3e-4)
# with a third synthetic training set in which parts are also drawn from the parametric part families
# (`armscan synth --part-families`: receivers, bolts and barrels of random architecture and size). Every step, from
# the repository root, after `cargo build --release -p armscan-cli` and `pip install -r models/requirements.txt`
# (PyTorch, CPU is enough). MODEL_CARD_v5.md gives the figures.
#   bash models/v5/recipe.sh [V4_RUN_DIR] [RUN_E] [RUN_DIR]
# V4_RUN_DIR holds v4's final last.pt (models/v4/recipe.sh makes it; not committed). Without it, start step 2 from
# the shipped v4 ONNX instead (`--init-onnx ../armscan-threat-v4.onnx` in place of `--init ... --freeze-bn`; the same
# weights rebuilt from the folded graph, not the run the card reports).
set -euo pipefail
V4RUN=${1:-/work/runs/d}
RUNE=${2:-/work/runs/e}
RUN=${3:-/work/runs/f}
DATA=${DATA:-/work/data}
G=$(cd "${GDXRAY_DEV:-../shared/data/gdxray-dev}" && pwd)/annotations.json
A=./target/release/armscan
HELD_OUT=pistol_compact_9mm,revolver_4in_38,receiver_ar15_lower,bolt_rifle,ammunition_clip
# 1. data: v4's sets (models/v3/recipe.sh and models/v4/recipe.sh, step 1) and a third training set: seed 1300 (the
#    synthetic test set's is 900: never train on it), parts weighted up, the part families on, the same 5 shapes
#    held out
$A synth --n 3000 --seed 1300 --out "$DATA/synth-train3" --planes grey --clean-fraction 0.1 --max-threats 4 \
  --tip-threats "$G" --tip-threats-where series=B0049 --tip-bags "$G" --tip-bags-where series=B0046 \
  --real-threat-fraction 0.4 --real-bag-fraction 0.2 --mix firearm=0.25,part=0.45,ammunition=0.3 --part-families \
  --exclude-variants "$HELD_OUT"
cd models/v2
SRC_V4=(--source synth:"$DATA/synth-train/annotations.json@0.3" --source synth:"$DATA/synth-train2/annotations.json@0.25"
  --source synth:"$DATA/synth-long/annotations.json@0.12"
  --source gdxray:"$G:B0046@0.15" --source gdxray:"$G:B0049@0.1" --source gdxray:"$G:B0008,B0076,B0082@0.08")
# 2. v4's run continued 40 minutes at 1.5e-4 on v4's sources (run E of the fourth session's note)
python train.py --out "$RUNE" --init "$V4RUN/last.pt" --freeze-bn --lr 1.5e-4 --warmup 50 --time-budget-min 40 --seed 2 \
  --coarse-p 0.3 "${SRC_V4[@]}"
# 3. then 110 minutes at 3e-4 (cosine over wall time) with the third set beside the others
python train.py --out "$RUN" --init "$RUNE/last.pt" --freeze-bn --lr 3e-4 --warmup 50 --time-budget-min 110 --seed 3 \
  --coarse-p 0.3 \
  --source synth:"$DATA/synth-train/annotations.json@0.2" --source synth:"$DATA/synth-train2/annotations.json@0.18" \
  --source synth:"$DATA/synth-train3/annotations.json@0.22" \
  --source synth:"$DATA/synth-long/annotations.json@0.1" \
  --source gdxray:"$G:B0046@0.13" --source gdxray:"$G:B0049@0.09" --source gdxray:"$G:B0008,B0076,B0082@0.08"
# 4. export (checks ONNX Runtime against torch) with the same coarse pass as v3 and v4
python export.py --ckpt "$RUN/last.pt" --out ../armscan-threat-v5.onnx --id armscan-threat-v5 --coarse-min-long-side 112
cd ../..
# 5. figures
SYNTH_TEST="$DATA/synth-test" bash models/v2/evaluate.sh models/armscan-threat-v5.onnx models/v5/eval
