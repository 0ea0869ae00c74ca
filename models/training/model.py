"""The armscan-threat detector: the network of detnet.py with one class per Protocol category and one for
accessories."""
from detnet import GRID, REG_UNIT, STRIDE, DetectorExport, decode, fold_bn  # noqa: F401
from detnet import Detector as _Detector

# (class name, category): the three Protocol categories, then accessory (magazines, trigger groups), from v12 on
CLASSES = [("firearm", "firearm"), ("part", "part"), ("ammunition", "ammunition"), ("accessory", "accessory")]


# Network sizes: `base` is the shipped models' (0.71 M parameters, 0.36 GMAC a frame); `wide` the GPU entry
# point's (gpu_train.sh), about 2.2x the parameters.
NETS = {"base": {}, "wide": {"w": (24, 40, 80, 128, 192), "neck": 64}}


def Detector(net="base", **kw):
    return _Detector(num_classes=len(CLASSES), **NETS[net], **kw)
