//! Golden-image regression for overlay drawing.
//!
//! Run with `ARMSCAN_REGENERATE_GOLDEN=1` to rewrite `tests/golden/overlay.png` after an intended
//! change of the drawing; look at the new file before committing it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use armscan_core::{BoxInImage, Category, Detection};
use armscan_report::draw_detections_mut;
use image::{Rgb, RgbImage};

fn golden_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/overlay.png")
}

fn det(class_name: &str, category: Category, score: f32, b: [f32; 4]) -> Detection {
    Detection {
        class_name: class_name.into(),
        category,
        score,
        box_in_image: BoxInImage::new(b[0], b[1], b[2], b[3]),
    }
}

/// A 200x120 blue-grey gradient with the three categories drawn on it, including a box whose
/// label must move below it (top edge) and one whose label must shift left (right edge).
fn render() -> RgbImage {
    let mut img = RgbImage::from_fn(200, 120, |x, y| {
        let v = u8::try_from(40 + x * 160 / 200).unwrap();
        let w = u8::try_from(40 + y * 120 / 120).unwrap();
        Rgb([v, w, 128])
    });
    let detections = [
        det(
            "handgun",
            Category::Firearm,
            0.87,
            [12.0, 30.0, 100.0, 100.0],
        ),
        det("slide", Category::Part, 0.55, [110.5, 2.0, 160.2, 40.7]),
        det(
            "cartridge",
            Category::Ammunition,
            0.42,
            [150.0, 70.0, 190.0, 110.0],
        ),
    ];
    draw_detections_mut(&mut img, &detections);
    img
}

#[test]
fn overlay_matches_golden() {
    let actual = render();
    let path = golden_path();
    if std::env::var_os("ARMSCAN_REGENERATE_GOLDEN").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        actual.save(&path).unwrap();
        eprintln!("rewrote {}", path.display());
        return;
    }
    let expected = image::open(&path)
        .unwrap_or_else(|e| {
            panic!(
                "cannot read {} ({e}); run with ARMSCAN_REGENERATE_GOLDEN=1",
                path.display()
            )
        })
        .to_rgb8();
    if expected != actual {
        let actual_path = std::env::temp_dir().join("armscan-report-overlay.actual.png");
        actual.save(&actual_path).unwrap();
        let differing = expected
            .pixels()
            .zip(actual.pixels())
            .filter(|(a, b)| a != b)
            .count();
        panic!(
            "overlay differs from {} ({}x{} vs {}x{}, {differing} pixels differ); \
             actual written to {}",
            path.display(),
            expected.width(),
            expected.height(),
            actual.width(),
            actual.height(),
            actual_path.display()
        );
    }
}
