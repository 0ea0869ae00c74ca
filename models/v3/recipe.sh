#!/usr/bin/env bash
# armscan-threat-v3: armscan-threat-v2 trained further, at two scales (the working scale and the coarse pass's), with
# a set of long-gun scenes added. Every step, from the repository root, after `cargo build --release -p armscan-cli`
# and `pip install -r models/requirements.txt` (PyTorch, CPU is enough). MODEL_CARD_v3.md gives the figures.
#   bash models/v3/recipe.sh [RUN_DIR]
set -euo pipefail
RUN=${1:-/work/runs/c}
DATA=${DATA:-/work/data}
G=$(cd "${GDXRAY_DEV:-../shared/data/gdxray-dev}" && pwd)/annotations.json
A=./target/release/armscan
# 1. data: the v2 training set (seed 100, 5 shapes held out), a long-gun set (seed 300: handguns and the held-out
#    shapes excluded, so rifles, the shotgun and the SMG are most firearms), the test set (seed 900, all shapes)
$A synth --n 3000 --seed 100 --out "$DATA/synth-train" --planes grey --clean-fraction 0.15 --max-threats 4 \
  --tip-threats "$G" --tip-threats-where series=B0049 --tip-bags "$G" --tip-bags-where series=B0046 \
  --real-threat-fraction 0.5 --real-bag-fraction 0.2 \
  --exclude-variants pistol_compact_9mm,revolver_4in_38,receiver_ar15_lower,bolt_rifle,ammunition_clip
$A synth --n 700 --seed 300 --out "$DATA/synth-long" --planes grey --width 1400 --height 1000 \
  --clean-fraction 0.05 --max-threats 3 --mix firearm=0.7,part=0.15,ammunition=0.15 \
  --exclude-variants pistol_polymer_9mm,pistol_compact_9mm,pistol_steel_45acp,pistol_alloy_9mm,pistol_pocket_22,revolver_snub_38,revolver_4in_38,revolver_6in_38,receiver_ar15_lower,bolt_rifle,ammunition_clip
$A synth --n 400 --seed 900 --out "$DATA/synth-test" --planes grey,colour --clean-fraction 0.2 --max-threats 4
# 2. training: from the shipped v2 ONNX (its checkpoint is not kept; BatchNorm folded, so frozen), 30 % of the
#    synthetic samples at the coarse pass's scale (1/2), learning rate 6e-4 on a cosine over 65 minutes of wall time
cd models/v2
python train.py --out "$RUN" --init-onnx ../armscan-threat-v2.onnx --lr 6e-4 --warmup 50 --time-budget-min 65 \
  --coarse-p 0.3 \
  --source synth:"$DATA/synth-train/annotations.json@0.4" --source synth:"$DATA/synth-long/annotations.json@0.15" \
  --source gdxray:"$G:B0046@0.2" --source gdxray:"$G:B0049@0.15" --source gdxray:"$G:B0008,B0076,B0082@0.1"
# 3. export (checks ONNX Runtime against torch) with the coarse pass in the manifest
python export.py --ckpt "$RUN/last.pt" --out ../armscan-threat-v3.onnx --id armscan-threat-v3 --coarse-min-long-side 112
cd ../..
# 4. figures
SYNTH_TEST="$DATA/synth-test" bash models/v2/evaluate.sh models/armscan-threat-v3.onnx models/v3/eval
