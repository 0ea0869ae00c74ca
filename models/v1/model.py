"""Small anchor-free (CenterNet/FCOS-style) single-class detector, stride 8 output (40x40 = 1600 candidates).

Backbone to stride 32 for a large receptive field (guns up to the whole 320 frame), light FPN merge with
ConvTranspose (no Resize op), heads: centre heatmap logit + (l, t, r, b) distances in log space (units of 16 px).
`DetectorExport` wraps the net with the in-graph decode -> detections [N, 1600, 5] = x1, y1, x2, y2, score.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from detnet import GRID, REG_UNIT, STRIDE, Detector, DetectorExport, decode, fold_bn  # noqa: E402,F401  (one class: v1)
