"""armscan: screen X-ray scans for firearms, their parts and ammunition.

    import armscan
    screener = armscan.Screener()                      # the shipped model, backend "auto"
    record = screener.screen("bag.png")                # the armscan.scan record, as a dict
    print(record["status"], [d["class"] for d in record["detections"]])

`screen` releases the GIL while it screens; records are the CLI's `--jsonl` lines.
"""
import json as _json

from ._armscan import SCAN_SCHEMA, ArmscanError, __version__
from ._armscan import Screener as _Screener

__all__ = ["Screener", "ArmscanError", "SCAN_SCHEMA", "__version__"]


class Screener(_Screener):
    """A screener: the model loaded once. See `screen`."""

    def screen(self, scan, name=None):
        """Screens a path (str or os.PathLike) or a file's bytes (named `name`); returns the
        record as a dict. An unreadable scan is a record with status "error"."""
        return _json.loads(self.screen_json(scan, name))

    def screen_pair(self, high, low):
        """Screens a dual-energy pair of files; returns the record as a dict."""
        return _json.loads(self.screen_pair_json(high, low))
