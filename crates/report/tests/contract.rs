//! The `armscan.scan/2` JSON contract, byte for byte.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use armscan_core::{BoxInImage, Category, Detection, PixelSpacing, SpacingSource, Status};
use armscan_report::{write_jsonl, ScanRecord, SCAN_SCHEMA};

fn screened() -> ScanRecord {
    ScanRecord::screened(
        "scans/parcel 01.png",
        2688,
        2208,
        Status::Alarm,
        vec![
            Detection {
                class_name: "handgun".into(),
                category: Category::Firearm,
                score: 0.873_14,
                box_in_image: BoxInImage::new(100.5, 200.25, 900.0, 700.123),
            },
            Detection {
                class_name: "cartridge".into(),
                category: Category::Ammunition,
                score: 0.3,
                box_in_image: BoxInImage::new(10.0, 20.0, 30.0, 40.0),
            },
        ],
        "tract",
        "armscan-yolo-v1",
        123.456,
    )
    .with_spacing(PixelSpacing::new(0.8, SpacingSource::File))
}

const SCREENED_JSON: &str = concat!(
    r#"{"schema":"armscan.scan/2","scan":"scans/parcel 01.png","status":"alarm","#,
    r#""width":2688,"height":2208,"#,
    r#""detections":[{"class":"handgun","category":"firearm","score":0.8731,"#,
    r#""box":[100.5,200.25,900.0,700.12]},"#,
    r#"{"class":"cartridge","category":"ammunition","score":0.3,"box":[10.0,20.0,30.0,40.0]}],"#,
    r#""error":null,"backend":"tract","model":"armscan-yolo-v1","elapsed_ms":123.46,"#,
    r#""pixel_spacing_mm":0.8,"spacing_source":"file"}"#
);

const FAILED_JSON: &str = concat!(
    r#"{"schema":"armscan.scan/2","scan":"in/bad \"x\".tif","status":"error","#,
    r#""width":null,"height":null,"#,
    r#""detections":[],"error":"cannot decode: truncated TIFF","#,
    r#""backend":"onnxruntime","model":"m1","elapsed_ms":1.5,"#,
    r#""pixel_spacing_mm":null,"spacing_source":null}"#
);

fn failed() -> ScanRecord {
    ScanRecord::failed(
        "in/bad \"x\".tif",
        "cannot decode: truncated TIFF",
        "onnxruntime",
        "m1",
        1.5,
    )
}

#[test]
fn screened_record_is_the_contract() {
    assert_eq!(serde_json::to_string(&screened()).unwrap(), SCREENED_JSON);
}

#[test]
fn failed_record_is_the_contract() {
    let r = failed();
    assert_eq!(r.status, Status::Error);
    assert_eq!(r.schema, SCAN_SCHEMA);
    assert_eq!(serde_json::to_string(&r).unwrap(), FAILED_JSON);
}

#[test]
fn write_jsonl_writes_the_line() {
    let mut out = Vec::new();
    write_jsonl(&mut out, &screened()).unwrap();
    write_jsonl(&mut out, &failed()).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        format!("{SCREENED_JSON}\n{FAILED_JSON}\n")
    );
}

#[test]
fn records_written_before_the_spacing_fields_read_back() {
    let old = concat!(
        r#"{"schema":"armscan.scan/1","scan":"a.png","status":"clear","width":4,"height":4,"#,
        r#""detections":[],"error":null,"backend":"tract","model":"m1","elapsed_ms":1.0}"#
    );
    let back: ScanRecord = serde_json::from_str(old).unwrap();
    assert_eq!((back.pixel_spacing_mm, back.spacing_source), (None, None));
    assert!(armscan_report::SCAN_SCHEMAS_READ.contains(&back.schema.as_str()));
    let back: ScanRecord = serde_json::from_str(SCREENED_JSON).unwrap();
    assert_eq!(back.pixel_spacing_mm, Some(0.8));
    assert_eq!(back.spacing_source, Some(SpacingSource::File));
}

#[test]
fn records_round_trip() {
    for (record, text) in [(screened(), SCREENED_JSON), (failed(), FAILED_JSON)] {
        let back: ScanRecord = serde_json::from_str(text).unwrap();
        assert_eq!(back.scan, record.scan);
        assert_eq!(back.status, record.status);
        assert_eq!((back.width, back.height), (record.width, record.height));
        assert_eq!(back.error, record.error);
        assert_eq!(back.detections.len(), record.detections.len());
        for (b, r) in back.detections.iter().zip(&record.detections) {
            assert_eq!((&b.class_name, b.category), (&r.class_name, r.category));
            assert!((b.score - r.score).abs() < 1e-4);
        }
        // Serialising what was read gives the same text: rounding is idempotent.
        assert_eq!(serde_json::to_string(&back).unwrap(), text);
    }
}

#[test]
fn status_and_category_serialise_lowercase() {
    for (status, text) in [
        (Status::Clear, "clear"),
        (Status::Review, "review"),
        (Status::Alarm, "alarm"),
    ] {
        let mut r = screened();
        r.status = status;
        let v: serde_json::Value = serde_json::to_value(&r).unwrap();
        assert_eq!(v["status"], text);
    }
}

#[test]
fn an_accessory_detection_names_its_category() {
    let mut r = screened();
    r.detections[1] = Detection {
        class_name: "magazine".into(),
        category: Category::Accessory,
        score: 0.5,
        box_in_image: BoxInImage::new(1.0, 2.0, 3.0, 4.0),
    };
    let text = serde_json::to_string(&r).unwrap();
    assert!(
        text.contains(r#"{"class":"magazine","category":"accessory","score":0.5,"#),
        "{text}"
    );
    let back: ScanRecord = serde_json::from_str(&text).unwrap();
    assert_eq!(back.detections[1].category, Category::Accessory);
}
