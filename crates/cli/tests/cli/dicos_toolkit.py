"""The independent side of armscan's DICOS tests: the Stratovan DICOS toolkit (the `pydicos`
package) writes DX images and reads threat detection reports; pydicom reads what the toolkit's
Python API does not expose.

    dicos_toolkit.py make-dx RAW WIDTH HEIGHT OUT [--kvp KV] [--energy high|low] [--spacing MM]
        RAW: little-endian u16 samples, row-major. The toolkit writes the DX (JPEG lossless, its
        default); pydicom then gives it its own SOP Instance UID (the toolkit seeds its UIDs
        from the clock in seconds: two files written in one second share them) and adds
        --energy and --spacing (Image Type value 2, Imager Pixel Spacing), which the toolkit's
        DX API cannot set. Pixel data stay the toolkit's.
    dicos_toolkit.py read-dx DX OUT_RAW
        The pixels as the toolkit reads them, to OUT_RAW (u16 LE); prints the DX's identity.
    dicos_toolkit.py read-tdr TDR...
        Prints one JSON object per report, as the toolkit (and pydicom) read it.
"""

import json
import sys
import warnings

import numpy as np
import pydicom
import pydicos
import pyDICOS as P

warnings.simplefilter("ignore")  # pydicom warns of the toolkit's own non-conforming UIDs


def make_dx(raw, width, height, out, kvp=160.0, energy=None, spacing=None):
    samples = np.fromfile(raw, dtype="<u2").reshape(height, width)
    dx = pydicos.DXLoader()
    dx.Initialize(
        P.OBJECT_OF_INSPECTION_TYPE.enumTypeBaggage,
        P.DX.PRESENTATION_INTENT_TYPE.enumProcessing,
    )
    image = dx.GetXRayData()
    image.Allocate(P.Volume.IMAGE_DATA_TYPE.enumUnsigned16Bit, width, height)
    view = np.array(image.GetUnsigned16(), copy=False)
    assert view.shape == (height, width), view.shape
    view[:] = samples
    dx.SetKVP(float(kvp))
    dx.SetXRayTubeCurrent(1.0)
    dx.write(out)
    ds = pydicom.dcmread(out)
    ds.SOPInstanceUID = pydicom.uid.generate_uid()
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    if energy:
        ds.ImageType = ["ORIGINAL", f"{energy.upper()}_ENERGY"]
    if spacing:
        ds.ImagerPixelSpacing = [spacing, spacing]
    ds.save_as(out, enforce_file_format=True)
    check = pydicos.DXLoader(out).get_data()
    assert (check == samples).all(), "the toolkit does not read back what it wrote"


def read_dx(path, out_raw):
    dx = pydicos.DXLoader(path)
    data = np.ascontiguousarray(dx.get_data(), dtype="<u2")
    data.tofile(out_raw)
    ds = pydicom.dcmread(path)
    print(json.dumps({
        "rows": int(data.shape[0]),
        "columns": int(data.shape[1]),
        "sop_class_uid": str(ds.SOPClassUID),
        "sop_instance_uid": str(ds.SOPInstanceUID),
        "study_instance_uid": str(ds.StudyInstanceUID),
    }))


def flag_name(flag):
    return {
        P.ASSESSMENT_FLAG.enumThreat: "THREAT",
        P.ASSESSMENT_FLAG.enumHighThreat: "HIGH_THREAT",
        P.ASSESSMENT_FLAG.enumNoThreat: "NO_THREAT",
        P.ASSESSMENT_FLAG.enumUnknown: "UNKNOWN",
    }.get(flag, str(flag))


def read_tdr(path):
    tdr = pydicos.TDRLoader(path)  # raises when the toolkit refuses the file
    data = tdr.get_data()
    decision = {
        P.ALARM_DECISION.enumAlarm: "ALARM",
        P.ALARM_DECISION.enumClear: "CLEAR",
        P.ALARM_DECISION.enumUnknownAlarmDecision: "UNKNOWN",
    }[data["AlarmDecision"]]
    ptos = []
    for pto in data["PTOs"]:
        base, extent, bitmap = P.Point3Dfloat(), P.Point3Dfloat(), P.Bitmap()
        # the toolkit's own Point3D (x, y, z): pydicos's dict labels them the other way round
        tdr.GetThreatRegionOfInterest(pto["ID"], base, extent, bitmap, 0)
        a = pto["Assessment"]
        ptos.append({
            "id": int(pto["ID"]),
            "base": [base.x, base.y, base.z],
            "extent": [extent.x, extent.y, extent.z],
            "flag": flag_name(a["flag"]),
            "prohibited_item": a["category"] == P.THREAT_CATEGORY.enumProhibitedItem,
            "description": a["description"],
            "probability": a["probability"],
        })
    # What the toolkit's Python API leaves out, from pydicom: the references and the abort flag.
    ds = pydicom.dcmread(path)
    referenced = [str(i.ReferencedSOPInstanceUID) for i in ds.get((0x0008, 0x1110)).value]
    pto_referenced = [
        [
            str(r.ReferencedSOPInstanceUID)
            for rep in item[(0x4010, 0x1037)].value
            for r in rep[(0x0008, 0x114A)].value
        ]
        for item in ds[(0x4010, 0x1011)].value
    ]
    print(json.dumps({
        "path": path,
        "alarm_decision": decision,
        "abort_flag": str(ds[(0x4010, 0x1024)].value),
        "tdr_type_machine": data["TDRType"] == P.TDR_TYPE.enumMachine,
        "algorithm": data["ATR"],
        "study_instance_uid": str(ds.StudyInstanceUID),
        "ooi_id": data["OOIID"],
        "referenced": referenced,
        "pto_referenced": pto_referenced,
        "ptos": ptos,
    }))


def main(argv):
    command, rest = argv[1], argv[2:]
    if command == "make-dx":
        raw, width, height, out = rest[0], int(rest[1]), int(rest[2]), rest[3]
        options = dict(zip(rest[4::2], rest[5::2]))
        make_dx(
            raw, width, height, out,
            kvp=float(options.get("--kvp", 160.0)),
            energy=options.get("--energy"),
            spacing=float(options["--spacing"]) if "--spacing" in options else None,
        )
    elif command == "read-dx":
        read_dx(rest[0], rest[1])
    elif command == "read-tdr":
        for path in rest:
            read_tdr(path)
    else:
        sys.exit(f"unknown command {command}")


if __name__ == "__main__":
    main(sys.argv)
