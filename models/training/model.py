"""The armscan-threat detector: the network of detnet.py with one class per Protocol category."""
from detnet import GRID, REG_UNIT, STRIDE, DetectorExport, decode, fold_bn  # noqa: F401
from detnet import Detector as _Detector

CLASSES = [("firearm", "firearm"), ("part", "part"), ("ammunition", "ammunition")]   # (class name, Protocol category)


def Detector(**kw):
    return _Detector(num_classes=len(CLASSES), **kw)
