#!/usr/bin/env bash
# The evaluation runs behind a model card's figures, from the repository root after
# `cargo build --release -p armscan-cli`:
#   bash models/training/evaluate.sh MODEL(.onnx or .manifest.json) OUT_DIR
# needs the synthetic test set (seed 900, never trained on; all 28 variants, so the 5 held-out shapes too):
#   armscan synth --n 400 --seed 900 --out /work/data/synth-test --planes grey,colour --clean-fraction 0.2 --max-threats 4
# and the GDXray dev set in ../shared/data/gdxray-dev (validation series B0079, B0074, B0048 only).
set -euo pipefail
MODEL=${1:-models/armscan-threat-v11/armscan-threat-v11.manifest.json}
OUT=${2:-out/eval}
G=${GDXRAY_DEV:-../shared/data/gdxray-dev}/annotations.json
SYN=${SYNTH_TEST:-/work/data/synth-test}/annotations.json
A="./target/release/armscan eval --model $MODEL --backend onnxruntime --no-progress"
$A "$SYN" --out "$OUT/synth-test"
# GDXray validation series at the manifest's assumed spacing (0.16 mm/px, the flat panel's pitch), by the dev set's
# rule for box-level validation (its README: drop the firearm images without boxes, B0048_0184-0190, "do not treat
# them as background"): 67 images, 29 boxes
$A "$G" --where series=B0079,B0074,B0048 --where firearm_boxes=complete,not_applicable --out "$OUT/gdxray-val-boxed"
# all three series with those 7 revolver images kept as if they were background (stricter than the rule; the figure
# the cards of v2 to v4 gave as their headline)
$A "$G" --where series=B0079,B0074,B0048 --out "$OUT/gdxray-val"
# image level without B0048 (its revolver images 0184-0190 have no boxes, so they would count as negatives)
$A "$G" --where series=B0079,B0074 --out "$OUT/gdxray-val-b0079-b0074"
