//! The COCO `annotations.json` of a synthetic dataset: one image per scene (`file_name` is the
//! grey plane; the other planes, pixel spacing, container and clutter as extra fields), one
//! annotation per threat with its difficulty tags, one category per fine class with its category
//! as `supercategory`: `firearm`, `part` or `ammunition` (the Protocol's), or `accessory`
//! (magazines, trigger groups: not Protocol parts).

use std::fs;
use std::io::Write;
use std::path::Path;

use armscan_core::taxonomy::KNOWN_FINE_CLASSES;
use serde::Serialize;

use super::{io_err, Written};
use crate::error::SynthError;
use crate::options::{Plane, SynthOptions};

#[derive(Serialize)]
struct CocoImage {
    id: usize,
    file_name: String,
    width: usize,
    height: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    high: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    low: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    colour: Option<String>,
    pixel_spacing_mm: f32,
    container: &'static str,
    clutter: Vec<String>,
}

#[derive(Serialize)]
struct CocoAnnotation {
    id: usize,
    image_id: usize,
    category_id: usize,
    bbox: [f32; 4],
    area: u32,
    iscrowd: u8,
    variant: String,
    occluded_fraction: f32,
    clutter_density: f32,
    pose_deg: f32,
    mirrored: bool,
    scale: f32,
}

#[derive(Serialize)]
struct CocoCategory {
    id: usize,
    name: &'static str,
    supercategory: &'static str,
}

#[derive(Serialize)]
struct CocoInfo<'a> {
    description: &'static str,
    version: &'static str,
    options: &'a SynthOptions,
}

#[derive(Serialize)]
struct Coco<'a> {
    info: CocoInfo<'a>,
    images: Vec<CocoImage>,
    annotations: Vec<CocoAnnotation>,
    categories: Vec<CocoCategory>,
}

/// COCO category id of a fine class: 1 + its index in `KNOWN_FINE_CLASSES` (YOLO uses the index).
#[must_use]
pub fn class_index(fine_class: &str) -> Option<usize> {
    KNOWN_FINE_CLASSES
        .iter()
        .position(|(n, _)| *n == fine_class)
}

/// Writes `annotations.json` for the scenes `written` (in index order) to `path`.
pub(super) fn write_annotations(
    path: &Path,
    opts: &SynthOptions,
    written: &[Written],
) -> Result<(), SynthError> {
    let mut images = Vec::with_capacity(written.len());
    let mut annotations = Vec::new();
    for (i, wr) in written.iter().enumerate() {
        let stem = format!("{i:06}");
        images.push(CocoImage {
            id: i,
            file_name: format!("images/{stem}_grey.png"),
            width: wr.width,
            height: wr.height,
            high: opts
                .planes
                .contains(&Plane::High)
                .then(|| format!("images/{stem}_high.png")),
            low: opts
                .planes
                .contains(&Plane::Low)
                .then(|| format!("images/{stem}_low.png")),
            colour: opts
                .planes
                .contains(&Plane::Colour)
                .then(|| format!("images/{stem}_colour.png")),
            pixel_spacing_mm: opts.pixel_spacing_mm,
            container: wr.container,
            clutter: wr.clutter.clone(),
        });
        for a in &wr.threats {
            let [x0, y0, x1, y1] = a.extent;
            annotations.push(CocoAnnotation {
                id: annotations.len() + 1,
                image_id: i,
                category_id: class_index(a.fine_class).map_or(0, |c| c + 1),
                bbox: [
                    x0 as f32,
                    y0 as f32,
                    (x1 - x0 + 1) as f32,
                    (y1 - y0 + 1) as f32,
                ],
                area: a.area,
                iscrowd: 0,
                variant: a.variant.clone(),
                occluded_fraction: round4(a.occluded_fraction),
                clutter_density: round4(a.clutter_density),
                pose_deg: round4(a.pose_deg),
                mirrored: a.mirrored,
                scale: round4(a.scale),
            });
        }
    }
    let categories = KNOWN_FINE_CLASSES
        .iter()
        .enumerate()
        .map(|(i, (name, cat))| CocoCategory {
            id: i + 1,
            name,
            supercategory: cat.as_str(),
        })
        .collect();
    let coco = Coco {
        info: CocoInfo {
            description: "armscan synthetic dual-energy X-ray scans (armscan-synth)",
            version: env!("CARGO_PKG_VERSION"),
            options: opts,
        },
        images,
        annotations,
        categories,
    };
    let mut f = fs::File::create(path).map_err(io_err(path))?;
    serde_json::to_writer(&mut f, &coco)?;
    f.write_all(b"\n").map_err(io_err(path))
}

fn round4(v: f32) -> f32 {
    (v * 10_000.0).round() / 10_000.0
}
