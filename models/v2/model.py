"""armscan-threat-v2: the shared detector (../detnet.py) with one class per Protocol category."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from detnet import GRID, REG_UNIT, STRIDE, DetectorExport, decode, fold_bn  # noqa: E402,F401
from detnet import Detector as _Detector  # noqa: E402

CLASSES = [("firearm", "firearm"), ("part", "part"), ("ammunition", "ammunition")]   # (class name, Protocol category)


def Detector(**kw):
    return _Detector(num_classes=len(CLASSES), **kw)
