#!/usr/bin/env bash
# armscan-threat-v9: armscan-threat-v8's training (models/v8/recipe.sh) continued 100 minutes at 3e-4 with two more
# synthetic training sets (run K's eighth, and a ninth, part-heavy with more light frames), exported with the
# part-in-firearm damping rule. Every step, from the repository root, after `cargo build --release -p armscan-cli`
# and `pip install -r models/requirements.txt` (PyTorch, CPU is enough). MODEL_CARD_v9.md gives the figures.
#   bash models/v9/recipe.sh [V8_RUN_DIR] [RUN_DIR]
# V8_RUN_DIR holds v8's final last.pt (models/v8/recipe.sh makes it; not committed). Without it, start from the
# shipped v8 ONNX instead (`--init-onnx ../armscan-threat-v8.onnx` in place of `--init ... --freeze-bn`; the same
# weights rebuilt from the folded graph, not the run the card reports).
set -euo pipefail
V8RUN=${1:-/work/runs/j}
RUN=${2:-/work/runs/l}
DATA=${DATA:-/work/data}
G=$(cd "${GDXRAY_DEV:-../shared/data/gdxray-dev}" && pwd)/annotations.json
A=./target/release/armscan
HELD_OUT=pistol_compact_9mm,revolver_4in_38,receiver_ar15_lower,bolt_rifle,ammunition_clip
TIP=(--tip-threats "$G" --tip-threats-where series=B0049 --tip-bags "$G" --tip-bags-where series=B0046
  --real-threat-fraction 0.3 --real-bag-fraction 0.25)
# 1. data: v8's sets (models/v3 to v8 recipes, step 1) and two more (the test set's seed is 900 and the validation
#    set's 950: never train on them)
$A synth --n 3000 --seed 1800 --out "$DATA/synth-train8" --planes grey --clean-fraction 0.1 --max-threats 4 \
  --clutter 0.75 "${TIP[@]}" --mix firearm=0.25,part=0.45,ammunition=0.3 --part-families --light-frame-fraction 0.3 \
  --exclude-variants "$HELD_OUT"
$A synth --n 3000 --seed 1900 --out "$DATA/synth-train9" --planes grey --clean-fraction 0.1 --max-threats 4 \
  --clutter 0.75 "${TIP[@]}" --mix firearm=0.25,part=0.5,ammunition=0.25 --part-families --light-frame-fraction 0.35 \
  --exclude-variants "$HELD_OUT"
cd models/v2
# 2. v8's run continued: fresh AdamW, lr 3e-4 on a cosine over 100 minutes of wall time (snapshots for the record)
python train.py --out "$RUN" --init "$V8RUN/last.pt" --freeze-bn --lr 3e-4 --warmup 50 --time-budget-min 100 --seed 9 \
  --coarse-p 0.3 --snapshot-from-min 70 --snapshot-every-min 10 \
  --source synth:"$DATA/synth-train/annotations.json@0.03" --source synth:"$DATA/synth-train2/annotations.json@0.03" \
  --source synth:"$DATA/synth-train3/annotations.json@0.05" --source synth:"$DATA/synth-train4/annotations.json@0.07" \
  --source synth:"$DATA/synth-train5/annotations.json@0.1" --source synth:"$DATA/synth-train6/annotations.json@0.12" \
  --source synth:"$DATA/synth-train7/annotations.json@0.14" --source synth:"$DATA/synth-train8/annotations.json@0.14" \
  --source synth:"$DATA/synth-train9/annotations.json@0.18" \
  --source synth:"$DATA/synth-long/annotations.json@0.05" \
  --source gdxray:"$G:B0046@0.1" --source gdxray:"$G:B0049@0.06" --source gdxray:"$G:B0008,B0076,B0082@0.05"
# 3. export (checks ONNX Runtime against torch): the same coarse pass as v3 to v8, and the damping rule
#    (MODEL_CARD_v8.md, "Damping"; chosen on the validation set)
python export.py --ckpt "$RUN/last.pt" --out ../armscan-threat-v9.onnx --id armscan-threat-v9 --coarse-min-long-side 112 \
  --damp-part-in-firearm 0.7
cd ../..
# 4. figures: the validation set first (the only set anything was chosen on), then the card's
./target/release/armscan eval --model models/armscan-threat-v9.onnx --backend onnxruntime --no-progress \
  "$DATA/synth-val/annotations.json" --out models/v9/eval/synth-val
SYNTH_TEST="$DATA/synth-test" bash models/v2/evaluate.sh models/armscan-threat-v9.onnx models/v9/eval
