#!/usr/bin/env bash
# The GPU path: train the wide network (model.NETS["wide"], about 2.2x the shipped parameters) from scratch on one
# GPU from a packed set, within a wall-time budget, and export ONNX and a manifest. CPU training (recipe.sh) stays
# the documented path for the shipped models; this is for a machine with a GPU that can fetch nothing.
#
#   Here (2 cores are enough):  bash models/training/gpu_train.sh pack PACK_DIR
#     packs the training sources of armscan-threat-v12's run into PACK_DIR (at most 60 MiB; WebP at 1 mm/px).
#   On the GPU machine:         bash models/training/gpu_train.sh train PACK_DIR OUT_DIR [MINUTES]
#     trains (default 8 minutes of wall time, all of the machine's cores making samples), exports
#     OUT_DIR/armscan-threat-gpu.onnx and its manifest, and writes train.log there. It needs python3 with torch,
#     numpy, pillow, onnx and onnxruntime (the GPU image has them) and nothing from the network.
#   Back here:                  the same evaluation as every model (models/training/evaluate.sh, or the
#     `armscan eval` commands of the model card), on OUT_DIR/armscan-threat-gpu.manifest.json.
#
# Environment: DATA (synthetic sets, default /work/data), GDXRAY_DEV (default ../shared/data/gdxray-dev),
# PYTHON (default python3).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY=${PYTHON:-python3}
cmd=${1:-}
case $cmd in
  pack)
    PACK=$(mkdir -p "$2" && cd "$2" && pwd)
    DATA=${DATA:-/work/data}
    G=$(cd "${GDXRAY_DEV:-$HERE/../../../shared/data/gdxray-dev}" && pwd)/annotations.json
    cd "$HERE"
    "$PY" pack.py --out "$PACK" --budget-mib 60 \
      --source "synth:$DATA/synth-train9/annotations.json@0.2" \
      --source "synth:$DATA/synth-train10/annotations.json@0.28" \
      --source "synth:$DATA/synth-long/annotations.json@0.08" \
      --source "gdxray:$G:B0046@0.2" --source "gdxray:$G:B0049@0.1" \
      --source "gdxray:$G:B0008,B0076,B0082@0.14"
    du -sh "$PACK"
    ;;
  train)
    PACK=$(cd "$2" && pwd)
    OUT=$(mkdir -p "$3" && cd "$3" && pwd)
    MINUTES=${4:-8}
    WORKERS=$(( $(nproc) > 2 ? $(nproc) - 1 : 1 ))
    cd "$HERE"
    "$PY" -c "import torch; assert torch.cuda.is_available(), 'no GPU'; print(torch.cuda.get_device_name(0))"
    "$PY" train.py --out "$OUT/run" --pack "$PACK" --net wide --device cuda --workers "$WORKERS" --batch 64 \
      --lr 2e-3 --warmup 200 --coarse-p 0.3 --wide-scale-p 0.5 --scanner-style-p 0.5 --threads 1 \
      --time-budget-min "$MINUTES" --ckpt-every 500 --seed 21
    cp "$OUT/run/train.log" "$OUT/train.log"
    "$PY" export.py --ckpt "$OUT/run/last.pt" --out "$OUT/armscan-threat-gpu.onnx" --id armscan-threat-gpu \
      --coarse-min-long-side 112 --damp-part-in-firearm 0.7
    rm -f "$OUT"/run/last.pt.tmp
    ;;
  *)
    echo "usage: gpu_train.sh pack PACK_DIR | gpu_train.sh train PACK_DIR OUT_DIR [MINUTES]" >&2
    exit 2
    ;;
esac
