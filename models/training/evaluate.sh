#!/usr/bin/env bash
# The evaluation runs behind a model card's figures, from the repository root after
# `cargo build --release -p armscan-cli`:
#   bash models/training/evaluate.sh MODEL(.onnx or .manifest.json) OUT_DIR
# needs the synthetic test set (seed 900, never trained on; all 28 variants, so the 5 held-out shapes too) in
# armscan's palette and in the two palettes no model was trained or chosen on (the same scenes repainted):
#   armscan synth --n 400 --seed 900 --out $DATA/synth-test --planes grey,colour --clean-fraction 0.2 --max-threats 4
#   (the same with --palette amber --out $DATA/synth-test-amber, and --palette deep --out $DATA/synth-test-deep)
# and the GDXray dev set in ../shared/data/gdxray-dev (validation series B0079, B0074, B0048 only). DATA defaults to
# /work/data. The colour rows read DIR/annotations-colour.json: annotations.json with each `_grey.png` file name
# made `_colour.png` (written here when missing).
set -euo pipefail
MODEL=${1:-models/armscan-threat-v12/armscan-threat-v12.manifest.json}
OUT=${2:-out/eval}
DATA=${DATA:-/work/data}
PY=${PYTHON:-python3}
G=${GDXRAY_DEV:-../shared/data/gdxray-dev}/annotations.json
SYN=${SYNTH_TEST:-$DATA/synth-test}
A="./target/release/armscan eval --model $MODEL --backend onnxruntime --no-progress"
VAL=(--where series=B0079,B0074,B0048 --where firearm_boxes=complete,not_applicable)

# synthetic test set, grey, spacing known (each image's pixel_spacing_mm)
$A "$SYN/annotations.json" --out "$OUT/synth-test"
# the same scenes as pseudo-colour (screened by their luma), in armscan's palette and two unseen ones
for set in "$SYN" "$SYN-amber" "$SYN-deep"; do
  [ -f "$set/annotations-colour.json" ] || "$PY" - "$set" <<'PY'
import json, sys
d = sys.argv[1]
c = json.load(open(d + "/annotations.json"))
for im in c["images"]:
    im["file_name"] = im["file_name"].replace("_grey.png", "_colour.png")
json.dump(c, open(d + "/annotations-colour.json", "w"))
PY
  $A "$set/annotations-colour.json" --out "$OUT/$(basename "$set")-colour"
done
# the synthetic test set resampled to 0.5, 1 and 2 mm/px with the spacing withheld (estimated from the content)
$A "$SYN/annotations.json" --native-mm 1.0 --resample-mm 0.5,1.0,2.0 --out "$OUT/synth-test-suite"

# GDXray validation series by the dev set's rule for box-level validation (its README: drop the firearm images
# without boxes, B0048_0184-0190, "do not treat them as background"): 67 images, 29 boxes.
# Cross-scanner suite: resampled to 0.16, 0.4, 0.8 and 1.5 mm/px, spacing withheld: estimated (the default), then
# searched
$A "$G" "${VAL[@]}" --native-mm 0.16 --resample-mm 0.16,0.4,0.8,1.5 --out "$OUT/gdxray-suite-estimate"
$A "$G" "${VAL[@]}" --native-mm 0.16 --resample-mm 0.16,0.4,0.8,1.5 --unknown-spacing search \
  --out "$OUT/gdxray-suite-search"
# at the manifest's assumed spacing (0.16 mm/px, the flat panel's pitch): the rows of the cards before v12
$A "$G" "${VAL[@]}" --unknown-spacing assume --out "$OUT/gdxray-val-boxed"
# all three series with those 7 revolver images kept as if they were background (stricter than the rule)
$A "$G" --where series=B0079,B0074,B0048 --unknown-spacing assume --out "$OUT/gdxray-val"
# image level without B0048 (its revolver images 0184-0190 have no boxes, so they would count as negatives)
$A "$G" --where series=B0079,B0074 --unknown-spacing assume --out "$OUT/gdxray-val-b0079-b0074"
