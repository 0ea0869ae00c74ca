//! Writes a report for a few synthetic scans, to look at the page and the overlays:
//! `cargo run -p armscan-report --example demo_report -- /tmp/armscan-demo`.

use std::path::PathBuf;

use armscan_core::{BoxInImage, Category, ClassInfo, Detection, Status, Thresholds};
use armscan_report::{ReportOptions, ReportWriter, RunInfo, ScanRecord};
use image::{Rgb, RgbImage};

/// A bright parcel background with dark rectangles standing in for dense objects.
fn fake_scan(width: u32, height: u32, objects: &[[u32; 4]]) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        let mut v = 225u8.saturating_sub(u8::try_from((x / 7 + y / 11) % 20).unwrap_or(0));
        for o in objects {
            if x >= o[0] && x < o[2] && y >= o[1] && y < o[3] {
                v = 70;
            }
        }
        Rgb([v, v, v])
    })
}

fn det(class_name: &str, category: Category, score: f32, b: [u32; 4]) -> Detection {
    #[allow(clippy::cast_precision_loss)]
    let f = |v: u32| v as f32;
    Detection {
        class_name: class_name.into(),
        category,
        score,
        box_in_image: BoxInImage::new(f(b[0]), f(b[1]), f(b[2]), f(b[3])),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args_os()
        .nth(1)
        .map_or_else(|| PathBuf::from("target/armscan-demo"), PathBuf::from);
    let thresholds = Thresholds::new(0.25, 0.4, 0.6);
    let classes = vec![
        ClassInfo {
            name: "handgun".into(),
            category: Category::Firearm,
        },
        ClassInfo {
            name: "slide".into(),
            category: Category::Part,
        },
        ClassInfo {
            name: "barrel".into(),
            category: Category::Part,
        },
        ClassInfo {
            name: "cartridge".into(),
            category: Category::Ammunition,
        },
    ];
    let run = RunInfo::new(
        env!("CARGO_PKG_VERSION"),
        "armscan-yolo-demo",
        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "tract",
        thresholds,
        "2025-01-02T03:04:05Z",
        classes,
    );
    let mut writer = ReportWriter::create(&dir, run, ReportOptions::default())?;
    let (w, h) = (2688, 2208);

    let gun = [600, 500, 1500, 1150];
    let shells = [1800, 1400, 2100, 1650];
    let scan = fake_scan(w, h, &[gun, shells]);
    let dets = vec![
        det("handgun", Category::Firearm, 0.91, gun),
        det("cartridge", Category::Ammunition, 0.47, shells),
        det("slide", Category::Part, 0.31, [700, 500, 1400, 700]),
    ];
    let status = thresholds.verdict(&dets);
    writer.add(
        &ScanRecord::screened(
            "site3/2025-01-02/parcel <0001>.tif",
            w,
            h,
            status,
            dets,
            "tract",
            "armscan-yolo-demo",
            812.4,
        ),
        Some(&scan),
    )?;

    let barrel = [200, 1800, 1300, 1900];
    let scan = fake_scan(w, h, &[barrel]);
    let dets = vec![det("barrel", Category::Part, 0.52, barrel)];
    let status = thresholds.verdict(&dets);
    writer.add(
        &ScanRecord::screened(
            "site3/2025-01-02/parcel_0002.tif",
            w,
            h,
            status,
            dets,
            "tract",
            "armscan-yolo-demo",
            790.0,
        ),
        Some(&scan),
    )?;

    for i in 3..6 {
        let scan = fake_scan(w, h, &[[300 * i, 400, 300 * i + 500, 900]]);
        writer.add(
            &ScanRecord::screened(
                format!("site3/2025-01-02/parcel_000{i}.tif"),
                w,
                h,
                Status::Clear,
                vec![],
                "tract",
                "armscan-yolo-demo",
                650.5,
            ),
            Some(&scan),
        )?;
    }
    writer.add(
        &ScanRecord::failed(
            "site3/2025-01-02/parcel_0006 \"broken\".tif",
            "cannot decode TIFF: unexpected end of file after strip 3 of 9",
            "tract",
            "armscan-yolo-demo",
            3.2,
        ),
        None,
    )?;

    let summary = writer.finish()?;
    println!("{}", serde_json::to_string(&summary)?);
    println!("report in {}", dir.display());
    Ok(())
}
