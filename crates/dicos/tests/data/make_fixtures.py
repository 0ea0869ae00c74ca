"""Makes the DICOS fixtures of armscan-dicos's tests (run with the project's .venv, which has
pydicos and pydicom: `.venv/bin/python crates/dicos/tests/data/make_fixtures.py`).

- toolkit_dx_64x48.dcs: written by the Stratovan DICOS toolkit (pydicos), JPEG lossless, 16 bit:
  sample (row r, column c) = 1000 * r + 7 * c, KVP 160.
- native_mono1_12bit.dcs: written by pydicom, Explicit VR Little Endian, MONOCHROME1, 12 of 16
  bits stored (the 4 bits above hold 0xA, as an overlay would), stored value (r, c) =
  (37 * r + 11 * c) % 4096, Pixel Spacing 0.5, Image Type HIGH_ENERGY, KVP 140.
"""

import pathlib

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian
import pydicos
import pyDICOS as P

HERE = pathlib.Path(__file__).parent

rows, cols = 48, 64
r, c = np.mgrid[0:rows, 0:cols]

dx = pydicos.DXLoader()
dx.Initialize(P.OBJECT_OF_INSPECTION_TYPE.enumTypeBaggage, P.DX.PRESENTATION_INTENT_TYPE.enumProcessing)
image = dx.GetXRayData()
image.Allocate(P.Volume.IMAGE_DATA_TYPE.enumUnsigned16Bit, cols, rows)
np.array(image.GetUnsigned16(), copy=False)[:] = (1000 * r + 7 * c).astype(np.uint16)
dx.SetKVP(160.0)
dx.SetXRayTubeCurrent(1.0)
dx.write(str(HERE / "toolkit_dx_64x48.dcs"))

meta = FileMetaDataset()
meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.501.2.2"
meta.MediaStorageSOPInstanceUID = "2.25.1234567890"
meta.TransferSyntaxUID = ExplicitVRLittleEndian
ds = Dataset()
ds.file_meta = meta
ds.SOPClassUID = meta.MediaStorageSOPClassUID
ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
ds.StudyInstanceUID = "2.25.42"
ds.SeriesInstanceUID = "2.25.43"
ds.PatientID = "BAG-0001"
ds.Modality = "DX"
ds.ImageType = ["ORIGINAL", "HIGH_ENERGY"]
ds.KVP = 140
ds.Rows, ds.Columns = rows, cols
ds.SamplesPerPixel = 1
ds.PhotometricInterpretation = "MONOCHROME1"
ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
ds.PixelSpacing = [0.5, 0.5]
stored = ((37 * r + 11 * c) % 4096).astype(np.uint16) | 0xA000
ds.PixelData = stored.astype("<u2").tobytes()
ds.save_as(HERE / "native_mono1_12bit.dcs", enforce_file_format=True)
