//! The `--out DIR` report, end to end in a temporary directory.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;

use armscan_core::{BoxInImage, Category, ClassInfo, Detection, Status, Thresholds};
use armscan_report::{draw::FIREARM_COLOUR, ReportOptions, ReportWriter, RunInfo, ScanRecord};
use image::{Rgb, RgbImage};

const ALARM_SCAN: &str = "scans/alarm<1>.png";
const CLEAR_SCAN: &str = "scans/a,\"b\".png";
const ERROR_SCAN: &str = "scans/<x&y>.tif";

fn run_info() -> RunInfo {
    RunInfo::new(
        "0.1.0",
        "armscan-yolo-test",
        "ab12cd34",
        "tract",
        Thresholds::new(0.05, 0.3, 0.6),
        "2025-01-02T03:04:05Z",
        vec![
            ClassInfo {
                name: "handgun".into(),
                category: Category::Firearm,
            },
            ClassInfo {
                name: "cartridge".into(),
                category: Category::Ammunition,
            },
        ],
    )
}

/// A grey gradient, so that no pixel has a drawing colour by chance.
fn display(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        let v = u8::try_from(60 + (x + y) % 120).unwrap();
        Rgb([v, v, v])
    })
}

fn handgun(b: [f32; 4], score: f32) -> Detection {
    Detection {
        class_name: "handgun".into(),
        category: Category::Firearm,
        score,
        box_in_image: BoxInImage::new(b[0], b[1], b[2], b[3]),
    }
}

#[test]
fn writes_a_complete_report() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out").join("run1");
    let mut writer = ReportWriter::create(&dir, run_info(), ReportOptions::default()).unwrap();

    let alarm_display = display(400, 300);
    let alarm = ScanRecord::screened(
        ALARM_SCAN,
        400,
        300,
        Status::Alarm,
        vec![handgun([100.0, 80.0, 260.0, 200.0], 0.87)],
        "tract",
        "armscan-yolo-test",
        42.123,
    );
    let clear = ScanRecord::screened(
        CLEAR_SCAN,
        320,
        240,
        Status::Clear,
        vec![],
        "tract",
        "armscan-yolo-test",
        12.0,
    );
    let failed = ScanRecord::failed(
        ERROR_SCAN,
        "cannot decode: <truncated> & broken",
        "tract",
        "armscan-yolo-test",
        0.5,
    );

    writer.add(&alarm, Some(&alarm_display)).unwrap();
    writer.add(&clear, Some(&display(320, 240))).unwrap();
    writer.add(&failed, None).unwrap();
    let summary = writer.finish().unwrap();
    assert_eq!(
        (
            summary.scans,
            summary.alarm,
            summary.review,
            summary.clear,
            summary.error
        ),
        (3, 1, 0, 1, 1)
    );
    assert_eq!(
        (
            summary.detections.firearm,
            summary.detections.part,
            summary.detections.ammunition
        ),
        (1, 0, 0)
    );

    for name in ["report.json", "summary.csv", "index.html"] {
        assert!(dir.join(name).is_file(), "{name} missing");
    }

    // report.json
    let report: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["schema"], "armscan.report/1");
    assert_eq!(report["run"]["model_id"], "armscan-yolo-test");
    assert_eq!(
        report["run"]["thresholds"]["alarm_score"]
            .as_f64()
            .map(|v| (v * 100.0).round()),
        Some(60.0)
    );
    assert_eq!(report["run"]["classes"][0]["name"], "handgun");
    let s = &report["summary"];
    assert_eq!(
        (
            s["scans"].as_u64(),
            s["alarm"].as_u64(),
            s["clear"].as_u64(),
            s["error"].as_u64()
        ),
        (Some(3), Some(1), Some(1), Some(1))
    );
    assert_eq!(s["review"], 0);
    assert_eq!(s["detections"]["firearm"], 1);
    assert_eq!(s["detections"]["ammunition"], 0);
    assert_eq!(s["detections"]["accessory"], 0);
    let scans = report["scans"].as_array().unwrap();
    assert_eq!(scans.len(), 3);
    assert_eq!(scans[0]["scan"], ALARM_SCAN);
    assert_eq!(scans[0]["status"], "alarm");
    assert_eq!(scans[0]["overlay"], "overlays/scans_alarm_1__png.png");
    assert_eq!(scans[1]["overlay"], serde_json::Value::Null);
    assert_eq!(scans[2]["status"], "error");
    assert_eq!(scans[2]["width"], serde_json::Value::Null);
    // An entry is still a scan record.
    let back: ScanRecord = serde_json::from_value(scans[0].clone()).unwrap();
    assert_eq!(back.detections.len(), 1);

    // summary.csv
    let csv = fs::read_to_string(dir.join("summary.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 4, "{csv}");
    assert_eq!(
        lines[0],
        "scan,status,width,height,detections,firearm,part,ammunition,\
         accessory,max_score,top_class,elapsed_ms,error,overlay"
    );
    assert_eq!(
        lines[1],
        "scans/alarm<1>.png,alarm,400,300,1,1,0,0,0,0.87,handgun,42.12,,\
         overlays/scans_alarm_1__png.png"
    );
    assert_eq!(
        lines[2],
        r#""scans/a,""b"".png",clear,320,240,0,0,0,0,0,,,12,,"#
    );
    assert_eq!(
        lines[3],
        "scans/<x&y>.tif,error,,,0,0,0,0,0,,,0.5,cannot decode: <truncated> & broken,"
    );
    assert!(csv.ends_with("\r\n"));

    // index.html
    let html = fs::read_to_string(dir.join("index.html")).unwrap();
    for escaped in [
        "scans/alarm&lt;1&gt;.png",
        "scans/a,&quot;b&quot;.png",
        "scans/&lt;x&amp;y&gt;.tif",
        "cannot decode: &lt;truncated&gt; &amp; broken",
    ] {
        assert!(html.contains(escaped), "{escaped} missing");
    }
    for raw in [ALARM_SCAN, CLEAR_SCAN, ERROR_SCAN, "<truncated>"] {
        assert!(!html.contains(raw), "unescaped {raw}");
    }
    assert!(!html.contains("http://") && !html.contains("https://"));
    assert!(!html.contains("<script"));
    assert_eq!(html.matches("data:image/png;base64,").count(), 2);
    assert!(
        html.contains("ab12cd34") && html.contains("armscan-yolo-test") && html.contains("tract")
    );
    // Flagged and failed scans come before clear ones.
    let pos = |needle: &str| html.find(needle).unwrap();
    assert!(pos("alarm&lt;1&gt;") < pos("&lt;x&amp;y&gt;"));
    assert!(pos("&lt;x&amp;y&gt;") < pos("a,&quot;b&quot;"));

    // The overlay: only for the alarm; box border in the firearm colour, inside untouched.
    let overlays: Vec<_> = fs::read_dir(dir.join("overlays"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(overlays.len(), 1, "{overlays:?}");
    let overlay = image::open(dir.join("overlays/scans_alarm_1__png.png"))
        .unwrap()
        .to_rgb8();
    assert_eq!(overlay.dimensions(), (400, 300));
    for (x, y) in [
        (100, 140),
        (101, 140),
        (259, 140),
        (180, 80),
        (180, 199),
        (100, 80),
        (259, 199),
    ] {
        assert_eq!(
            *overlay.get_pixel(x, y),
            FIREARM_COLOUR,
            "border pixel ({x}, {y})"
        );
    }
    for (x, y) in [(180, 140), (120, 100), (240, 180)] {
        assert_eq!(
            overlay.get_pixel(x, y),
            alarm_display.get_pixel(x, y),
            "inside pixel ({x}, {y})"
        );
    }
    // Outside the box and its label, the scan is untouched.
    assert_eq!(overlay.get_pixel(50, 250), alarm_display.get_pixel(50, 250));
    // The label sits above the box, in the firearm colour, with text in it.
    let label_row: Vec<Rgb<u8>> = (100..200).map(|x| *overlay.get_pixel(x, 75)).collect();
    assert!(label_row.contains(&FIREARM_COLOUR) && label_row.contains(&Rgb([255, 255, 255])));
}

#[test]
fn review_without_image_and_name_collisions() {
    let tmp = tempfile::tempdir().unwrap();
    let options = ReportOptions::default()
        .with_thumbnail_px(64)
        .with_title("Night shift <3>");
    let mut writer = ReportWriter::create(tmp.path(), run_info(), options).unwrap();
    let img = display(200, 100);
    for scan in ["a/b.png", "a_b.png", "A/B.png"] {
        let r = ScanRecord::screened(
            scan,
            200,
            100,
            Status::Review,
            vec![handgun([10.0, 10.0, 50.0, 50.0], 0.4)],
            "tract",
            "m",
            1.0,
        );
        writer.add(&r, Some(&img)).unwrap();
    }
    let r = ScanRecord::screened(
        "no_image.png",
        10,
        10,
        Status::Review,
        vec![],
        "tract",
        "m",
        1.0,
    );
    writer.add(&r, None).unwrap();
    assert_eq!(writer.summary().review, 4);
    let summary = writer.finish().unwrap();
    assert_eq!(summary.scans_with.firearm, 3);
    let mut names: Vec<String> = fs::read_dir(tmp.path().join("overlays"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut expected = vec![
        "a_b_png.png".to_owned(),
        "a_b_png_2.png".to_owned(),
        "A_B_png_3.png".to_owned(),
    ];
    expected.sort();
    assert_eq!(names, expected);
    let html = fs::read_to_string(tmp.path().join("index.html")).unwrap();
    assert!(html.contains("Night shift &lt;3&gt;"));
}

#[test]
fn accessories_are_counted_apart_from_the_protocol_categories() {
    use armscan_report::CategoryCounts;
    let tmp = tempfile::tempdir().unwrap();
    let mut writer =
        ReportWriter::create(tmp.path(), run_info(), ReportOptions::default()).unwrap();
    let det = |class: &str, category, score| Detection {
        class_name: class.into(),
        category,
        score,
        box_in_image: BoxInImage::new(10.0, 10.0, 60.0, 40.0),
    };
    let r = ScanRecord::screened(
        "parcel.png",
        200,
        100,
        Status::Review,
        vec![
            det("magazine", Category::Accessory, 0.9),
            det("trigger_group", Category::Accessory, 0.7),
            det("silencer", Category::Part, 0.4),
        ],
        "tract",
        "m",
        1.0,
    );
    writer.add(&r, Some(&display(200, 100))).unwrap();
    let summary = writer.finish().unwrap();
    assert_eq!(
        summary.detections,
        CategoryCounts {
            firearm: 0,
            part: 1,
            ammunition: 0,
            accessory: 2
        }
    );
    assert_eq!(summary.detections.protocol(), 1);
    assert_eq!(summary.scans_with.accessory, 1);
    let report: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(tmp.path().join("report.json")).unwrap()).unwrap();
    assert_eq!(report["summary"]["detections"]["accessory"], 2);
    assert_eq!(report["summary"]["detections"]["part"], 1);
    assert_eq!(report["scans"][0]["detections"][0]["category"], "accessory");
    let csv = fs::read_to_string(tmp.path().join("summary.csv")).unwrap();
    assert_eq!(
        csv.lines().nth(1),
        Some("parcel.png,review,200,100,3,0,1,0,2,0.9,magazine,1,,overlays/parcel_png.png")
    );
    let html = fs::read_to_string(tmp.path().join("index.html")).unwrap();
    assert!(
        html.contains("<b>2</b>accessory detections in 1 scan"),
        "accessory count missing"
    );
    assert!(html.contains("not a Protocol category"));
    // a summary written before accessories existed reads back with 0
    let old: CategoryCounts =
        serde_json::from_str(r#"{"firearm":1,"part":2,"ammunition":3}"#).unwrap();
    assert_eq!((old.accessory, old.protocol()), (0, 6));
}
