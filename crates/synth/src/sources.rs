//! Real TIP sources: threat crops scanned on an empty belt, and clean real bags to project into.
//!
//! Both come from a COCO data set (for example `../shared/data/gdxray-dev/annotations.json`),
//! read by [`armscan_coco`] and selected by image fields (`series=B0049`, a [`WhereClause`]). A
//! **threat source** is every annotation whose
//! category name is a known fine class (`armscan_core::taxonomy`), cut out with a margin of
//! empty belt round its box and normalised to transmission by [`crate::tip::crop_from_image`].
//! A **bag source** is every selected image without any threat annotation; it is read as a
//! transmission image `T = I / I_open` (the open-beam level taken as the 99.5th percentile).
//!
//! Real scans here are single-energy, so they are made dual-energy with an assumed material
//! ratio `μ_low/μ_high` ([`crate::tip::dual_from_single`]): steel (6.1) for threat crops, a mixed
//! organic-inorganic 2.0 for bags. The pseudo-colour of such a composite is therefore only as
//! right as that assumption; its grey (single-energy) view is exact.

use std::path::{Path, PathBuf};

use armscan_coco::{image_path, CocoFile, CocoImage, WhereClause};
use armscan_core::taxonomy::known_category;

use crate::error::SynthError;
use crate::physics::DualT;
use crate::tip::{crop_from_image, dual_from_single};

/// Dual-energy ratio assumed for real (single-energy) threat crops: steel at 60/150 keV.
pub const THREAT_RATIO: f32 = 6.1;
/// Dual-energy ratio assumed for real (single-energy) bags: a mix of organics and metal.
pub const BAG_RATIO: f32 = 2.0;
/// Smallest side of a real bag, mm: smaller images are close-ups of single objects.
pub const MIN_BAG_MM: f32 = 200.0;
/// Empty belt kept round a threat's box when it is cut out, pixels of the source scan.
pub const CROP_MARGIN_PX: u32 = 24;

/// Which images of a COCO data set to use, and at what pixel spacing they were scanned.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct CocoSelection {
    /// The COCO `annotations.json`.
    pub annotations: PathBuf,
    /// Folder that `file_name` is relative to (default: the folder of `annotations`, or its
    /// `images/` subfolder where the file is there; see [`armscan_coco::image_path`]).
    pub images_dir: Option<PathBuf>,
    /// Image fields that must match ([`WhereClause::keeps`]: strings as they are, numbers and
    /// booleans as JSON writes them).
    pub filter: Vec<WhereClause>,
    /// Millimetres per pixel of these scans.
    pub pixel_spacing_mm: f32,
}

impl CocoSelection {
    #[must_use]
    pub fn new(annotations: impl Into<PathBuf>, pixel_spacing_mm: f32) -> Self {
        Self {
            annotations: annotations.into(),
            images_dir: None,
            filter: Vec::new(),
            pixel_spacing_mm,
        }
    }
    #[must_use]
    pub fn with_images_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.images_dir = Some(dir.into());
        self
    }
    /// Adds a condition `field ∈ values`.
    #[must_use]
    pub fn with_filter(mut self, field: impl Into<String>, values: Vec<String>) -> Self {
        self.filter.push(WhereClause::new(field, values));
        self
    }

    /// Parses `FIELD=V1,V2` into a condition ([`WhereClause::parse`]).
    ///
    /// # Errors
    /// [`SynthError::InvalidOption`] when there is no `=` or no value.
    pub fn parse_filter(text: &str) -> Result<(String, Vec<String>), SynthError> {
        let w = WhereClause::parse(text).map_err(|_| {
            SynthError::InvalidOption(format!("selection `{text}` (expected FIELD=V1,V2)"))
        })?;
        Ok((w.key, w.values))
    }

    /// True when the image (a COCO `images` entry) passes every condition.
    #[must_use]
    pub fn matches(&self, image: &CocoImage) -> bool {
        self.filter.iter().all(|w| w.keeps(image))
    }
}

/// One selected image: its path and its threat boxes `(fine class, [x, y, w, h])`.
struct Selected {
    path: PathBuf,
    threats: Vec<(&'static str, [f32; 4])>,
    /// Annotations of classes that are not threats (knives, razor blades, ...).
    others: usize,
}

fn read_selection(sel: &CocoSelection) -> Result<Vec<Selected>, SynthError> {
    let path = &sel.annotations;
    let text = std::fs::read_to_string(path).map_err(|source| SynthError::Io {
        path: path.clone(),
        source,
    })?;
    let not_coco = |e: String| {
        SynthError::InvalidOption(format!("{}: not a COCO data set: {e}", path.display()))
    };
    let coco = CocoFile::from_json(&text).map_err(|e| not_coco(e.to_string()))?;
    let dir = sel.images_dir.clone().unwrap_or_else(|| {
        path.parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    });
    // A threat is a category named exactly as one of armscan's known fine classes.
    let class_of = |id: &serde_json::Value| -> Option<&'static str> {
        let name = &coco.category(id)?.name;
        armscan_core::taxonomy::KNOWN_FINE_CLASSES
            .iter()
            .find(|(n, _)| n == name)
            .map(|(n, _)| *n)
            .filter(|n| known_category(n).is_some())
    };
    let mut out = Vec::new();
    for image in coco.images.iter().filter(|im| sel.matches(im)) {
        let (Some(id), Some(file)) = (
            image.get("id"),
            image.get("file_name").and_then(serde_json::Value::as_str),
        ) else {
            return Err(SynthError::InvalidOption(format!(
                "{}: an image without `id` or `file_name`",
                path.display()
            )));
        };
        let mut threats = Vec::new();
        let mut others = 0;
        for a in coco.annotations_of(id) {
            let &[x, y, w, h] = a.bbox.as_slice() else {
                return Err(not_coco(format!("bbox {:?} is not [x, y, w, h]", a.bbox)));
            };
            match class_of(&a.category_id) {
                Some(c) => threats.push((c, [x as f32, y as f32, w as f32, h as f32])),
                None => others += 1,
            }
        }
        out.push(Selected {
            path: image_path(&dir, file),
            threats,
            others,
        });
    }
    if out.is_empty() {
        let filter: Vec<(&String, &Vec<String>)> =
            sel.filter.iter().map(|w| (&w.key, &w.values)).collect();
        return Err(SynthError::InvalidOption(format!(
            "{}: no image matches the selection {filter:?}",
            path.display()
        )));
    }
    Ok(out)
}

/// A labelled real scan to replay as it is (trainer mode): its file, and its threat boxes by
/// fine class, `[x_min, y_min, x_max, y_max]` in the image's pixels. Scans with annotations of
/// classes that are not threats (knives, razor blades) are left out: they are neither clean nor
/// a Protocol threat.
#[derive(Clone, Debug, PartialEq)]
pub struct LabelledScan {
    pub path: PathBuf,
    pub threats: Vec<(&'static str, [f32; 4])>,
}

/// The selected images of a COCO data set as labelled scans (threat boxes of armscan's known
/// fine classes; images with other annotations left out).
///
/// # Errors
/// The file cannot be read, is not COCO, or no image matches the selection.
pub fn labelled_scans(sel: &CocoSelection) -> Result<Vec<LabelledScan>, SynthError> {
    Ok(read_selection(sel)?
        .into_iter()
        .filter(|s| s.others == 0)
        .map(|s| LabelledScan {
            path: s.path,
            threats: s
                .threats
                .into_iter()
                .map(|(c, [x, y, w, h])| (c, [x, y, x + w, y + h]))
                .collect(),
        })
        .collect())
}

/// A real threat crop, as transmissions at its source's pixel spacing.
#[derive(Clone, Debug)]
pub struct RealThreat {
    /// `file name#index` of the annotation it came from.
    pub source: String,
    pub fine_class: &'static str,
    pub crop: DualT,
    /// Millimetres per pixel of `crop`.
    pub pixel_spacing_mm: f32,
}

/// A clean real bag, read when a scene uses it.
#[derive(Clone, Debug)]
pub struct RealBag {
    pub path: PathBuf,
    pub pixel_spacing_mm: f32,
}

/// Real sources for threat image projection. [`TipSources::default`] has none:
/// every scene is fully synthetic.
#[derive(Clone, Debug, Default)]
pub struct TipSources {
    pub threats: Vec<RealThreat>,
    pub bags: Vec<RealBag>,
}

impl TipSources {
    /// Reads the threat crops of `threats` (every threat annotation of the selected images) and
    /// lists the clean bags of `bags` (selected images without any annotation). Crops are kept
    /// at no finer than `max_spacing_mm` per pixel (pass the scenes' spacing) to bound memory.
    ///
    /// # Errors
    /// A file that cannot be read, a selection with no images, or no usable crop or bag.
    pub fn load(
        threats: Option<&CocoSelection>,
        bags: Option<&CocoSelection>,
        max_spacing_mm: f32,
    ) -> Result<Self, SynthError> {
        let mut out = Self::default();
        if let Some(sel) = threats {
            for s in read_selection(sel)? {
                for (k, (class, [x, y, w, h])) in s.threats.iter().enumerate() {
                    let m = CROP_MARGIN_PX as f32;
                    let rect = [
                        (x - m).max(0.0) as u32,
                        (y - m).max(0.0) as u32,
                        (w + 2.0 * m).ceil() as u32,
                        (h + 2.0 * m).ceil() as u32,
                    ];
                    let scale = (sel.pixel_spacing_mm / max_spacing_mm).min(1.0);
                    let crop = crop_from_image(&s.path, rect, scale, THREAT_RATIO)?;
                    out.threats.push(RealThreat {
                        source: format!(
                            "{}#{k}",
                            s.path
                                .file_name()
                                .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
                        ),
                        fine_class: class,
                        crop,
                        pixel_spacing_mm: sel.pixel_spacing_mm / scale,
                    });
                }
            }
            if out.threats.is_empty() {
                return Err(SynthError::InvalidOption(format!(
                    "{}: the selection has no threat annotations",
                    sel.annotations.display()
                )));
            }
        }
        if let Some(sel) = bags {
            for s in read_selection(sel)?
                .into_iter()
                .filter(|s| s.threats.is_empty() && s.others == 0)
            {
                let (w, h) =
                    image::image_dimensions(&s.path).map_err(|source| SynthError::Image {
                        path: s.path.clone(),
                        source,
                    })?;
                // single-object close-ups are no bags: at least MIN_BAG_MM on each side
                if (w.min(h) as f32) * sel.pixel_spacing_mm >= MIN_BAG_MM {
                    out.bags.push(RealBag {
                        path: s.path,
                        pixel_spacing_mm: sel.pixel_spacing_mm,
                    });
                }
            }
            if out.bags.is_empty() {
                return Err(SynthError::InvalidOption(format!(
                    "{}: the selection has no image without annotations \
                     of at least {MIN_BAG_MM} mm a side",
                    sel.annotations.display()
                )));
            }
        }
        Ok(out)
    }
}

/// Reads a real bag as dual-energy transmissions resampled to `mm_per_px`: `T = I / I_open`,
/// `I_open` the 99.5th percentile, values within 3 % of the open beam set to 1.
///
/// # Errors
/// The file cannot be read or decoded.
pub fn read_bag(bag: &RealBag, mm_per_px: f32) -> Result<DualT, SynthError> {
    let img = image::open(&bag.path)
        .map_err(|source| SynthError::Image {
            path: bag.path.clone(),
            source,
        })?
        .into_luma16();
    let scale = bag.pixel_spacing_mm / mm_per_px;
    let img = if (scale - 1.0).abs() > 1e-3 {
        let (w, h) = img.dimensions();
        let (nw, nh) = (
            ((w as f32) * scale).round().max(1.0) as u32,
            ((h as f32) * scale).round().max(1.0) as u32,
        );
        image::imageops::resize(&img, nw, nh, image::imageops::FilterType::Triangle)
    } else {
        img
    };
    let (w, h) = img.dimensions();
    let mut hist = vec![0u32; 65536];
    for v in img.as_raw() {
        hist[usize::from(*v)] += 1;
    }
    let target = (f64::from(w * h) * 0.995) as u64;
    let mut acc = 0u64;
    let mut level = 65535usize;
    for (v, n) in hist.iter().enumerate() {
        acc += u64::from(*n);
        if acc >= target {
            level = v.max(1);
            break;
        }
    }
    let t: Vec<f32> = img
        .as_raw()
        .iter()
        .map(|v| {
            let t = (f32::from(*v) / level as f32).clamp(0.0, 1.0);
            if t > 0.97 {
                1.0
            } else {
                t
            }
        })
        .collect();
    Ok(dual_from_single(&t, w as usize, h as usize, BAG_RATIO))
}

/// `t` rotated by `angle` (radians, about its centre) and optionally mirrored (before the
/// rotation), on a canvas large enough to hold it, bilinear, open beam outside.
#[must_use]
pub fn rotate(t: &DualT, angle: f32, mirror: bool) -> DualT {
    let (w, h) = (t.width as f32, t.height as f32);
    let (s, c) = angle.sin_cos();
    let nw = (w * c.abs() + h * s.abs()).ceil().max(1.0) as usize;
    let nh = (w * s.abs() + h * c.abs()).ceil().max(1.0) as usize;
    let mut out = DualT::empty(nw, nh);
    let (cx, cy, ncx, ncy) = (w / 2.0, h / 2.0, nw as f32 / 2.0, nh as f32 / 2.0);
    let sample = |plane: &[f32], x: f32, y: f32| -> f32 {
        let (x0, y0) = (x.floor(), y.floor());
        let (fx, fy) = (x - x0, y - y0);
        let at = |xx: f32, yy: f32| -> f32 {
            if xx < 0.0 || yy < 0.0 || xx >= w || yy >= h {
                1.0
            } else {
                plane[yy as usize * t.width + xx as usize]
            }
        };
        let top = at(x0, y0) * (1.0 - fx) + at(x0 + 1.0, y0) * fx;
        let bottom = at(x0, y0 + 1.0) * (1.0 - fx) + at(x0 + 1.0, y0 + 1.0) * fx;
        top * (1.0 - fy) + bottom * fy
    };
    for y in 0..nh {
        for x in 0..nw {
            let (dx, dy) = (x as f32 + 0.5 - ncx, y as f32 + 0.5 - ncy);
            // inverse rotation, then the mirror
            let mut u = c * dx + s * dy;
            let v = -s * dx + c * dy;
            if mirror {
                u = -u;
            }
            let (sx, sy) = (u + cx - 0.5, v + cy - 0.5);
            let i = y * nw + x;
            out.high[i] = sample(&t.high, sx, sy);
            out.low[i] = sample(&t.low, sx, sy);
        }
    }
    out
}

/// `t` resampled by `scale` (bilinear; `scale` < 1 shrinks).
#[must_use]
pub fn rescale(t: &DualT, scale: f32) -> DualT {
    if (scale - 1.0).abs() < 1e-3 || !(scale.is_finite() && scale > 0.0) {
        return t.clone();
    }
    let (nw, nh) = (
        ((t.width as f32) * scale).round().max(1.0) as u32,
        ((t.height as f32) * scale).round().max(1.0) as u32,
    );
    let plane = |p: &[f32]| -> Vec<f32> {
        let img = image::ImageBuffer::<image::Luma<f32>, Vec<f32>>::from_raw(
            t.width as u32,
            t.height as u32,
            p.to_vec(),
        );
        img.map_or_else(
            || vec![1.0; (nw * nh) as usize],
            |img| {
                image::imageops::resize(&img, nw, nh, image::imageops::FilterType::Triangle)
                    .into_raw()
            },
        )
    };
    DualT {
        width: nw as usize,
        height: nh as usize,
        high: plane(&t.high),
        low: plane(&t.low),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_by_a_quarter_turn_swaps_sides_and_keeps_mass() {
        let mut t = DualT::empty(20, 6);
        for y in 1..5 {
            for x in 2..18 {
                t.high[y * 20 + x] = 0.2;
                t.low[y * 20 + x] = 0.1;
            }
        }
        let r = rotate(&t, std::f32::consts::FRAC_PI_2, false);
        assert!(
            (r.width as i64 - 6).abs() <= 1 && (r.height as i64 - 20).abs() <= 1,
            "{}x{}",
            r.width,
            r.height
        );
        let mass = |d: &DualT| d.high.iter().map(|v| 1.0 - v).sum::<f32>();
        assert!(
            (mass(&r) / mass(&t) - 1.0).abs() < 0.05,
            "{} vs {}",
            mass(&r),
            mass(&t)
        );
        let m = rotate(&t, 0.0, true);
        assert_eq!((m.width, m.height), (20, 6));
        // mirrored: the object spans x 2..18, symmetric, so the mirror keeps it
        assert!((mass(&m) - mass(&t)).abs() < 1e-3);
    }

    #[test]
    fn filters_parse_and_match() {
        assert_eq!(
            CocoSelection::parse_filter("series=B0049,B0046").ok(),
            Some((
                "series".to_owned(),
                vec!["B0049".to_owned(), "B0046".to_owned()]
            ))
        );
        assert!(CocoSelection::parse_filter("series").is_err());
        assert!(CocoSelection::parse_filter("series=").is_err());
        let sel = CocoSelection::new("x.json", 0.16).with_filter("series", vec!["B0049".into()]);
        let im: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(r#"{"series": "B0049", "id": 3}"#).unwrap_or_default();
        assert!(sel.matches(&im));
        let other: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(r#"{"series": "B0046"}"#).unwrap_or_default();
        assert!(!sel.matches(&other));
        let num = CocoSelection::new("x.json", 0.16).with_filter("id", vec!["3".into()]);
        assert!(num.matches(&im));
    }

    #[test]
    fn sources_load_from_a_coco_file_with_crops_and_clean_bags() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        // a gun-like dark bar on an empty belt, and a 'bag' with grey clutter and no annotation
        let mut gun = image::GrayImage::from_pixel(120, 80, image::Luma([230]));
        for y in 30..45 {
            for x in 30..90 {
                gun.put_pixel(x, y, image::Luma([40]));
            }
        }
        gun.save(dir.path().join("gun.png"))
            .unwrap_or_else(|e| panic!("{e}"));
        let mut bag = image::GrayImage::from_pixel(100, 100, image::Luma([250]));
        for y in 20..80 {
            for x in 20..80 {
                bag.put_pixel(x, y, image::Luma([125]));
            }
        }
        bag.save(dir.path().join("bag.png"))
            .unwrap_or_else(|e| panic!("{e}"));
        let coco = concat!(
            r#"{"images": [{"id": 1, "file_name": "gun.png", "series": "G"}, "#,
            r#"{"id": 2, "file_name": "bag.png", "series": "B"}],
            "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [30, 30, 60, 15]}],
            "categories": [{"id": 1, "name": "firearm", "supercategory": "threat"}]}"#
        );
        let ann = dir.path().join("annotations.json");
        std::fs::write(&ann, coco).unwrap_or_else(|e| panic!("{e}"));
        let t = CocoSelection::new(&ann, 0.5).with_filter("series", vec!["G".into()]);
        let b = CocoSelection::new(&ann, 2.0).with_filter("series", vec!["B".into()]);
        let src = TipSources::load(Some(&t), Some(&b), 1.0).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(src.threats.len(), 1);
        assert_eq!(src.threats[0].fine_class, "firearm");
        // crop halved to 1 mm/px: the 60x15 bar becomes about 30x8 dark pixels
        let crop = &src.threats[0].crop;
        let dark = crop.grey().iter().filter(|g| **g < 0.5).count();
        assert!((200..=300).contains(&dark), "{dark}");
        assert_eq!(src.bags.len(), 1);
        let bag_t = read_bag(&src.bags[0], 4.0).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((bag_t.width, bag_t.height), (50, 50));
        let g = bag_t.grey();
        assert!((g[0] - 1.0).abs() < 1e-3);
        assert!((g[25 * 50 + 25] - 0.5).abs() < 0.02, "{}", g[25 * 50 + 25]);
        // the same bag scanned at 0.5 mm/px is 50 mm a side: a close-up, not a bag
        let small = CocoSelection::new(&ann, 0.5).with_filter("series", vec!["B".into()]);
        assert!(TipSources::load(None, Some(&small), 1.0).is_err());
        // a selection that matches nothing, or has no threats, is an error naming the file
        let none = CocoSelection::new(&ann, 0.5).with_filter("series", vec!["Z".into()]);
        let err = TipSources::load(Some(&none), None, 1.0)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("annotations.json") && err.contains("no image"),
            "{err}"
        );
        assert!(TipSources::load(Some(&b), None, 1.0).is_err());
    }
}
