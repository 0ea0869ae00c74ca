//! The data set side of an evaluation, pure (no I/O): a COCO `annotations.json` (read by
//! [`armscan_coco`]) reduced to images and threat boxes, kept by `--where KEY=V1,V2` clauses
//! ([`WhereClause`]), and the rule that pairs `armscan.scan/2` records with COCO images.
//!
//! **Classes.** A COCO category is a threat when its `name` is one of armscan's known fine
//! classes ([`armscan_core::taxonomy::KNOWN_FINE_CLASSES`]: `firearm`, `handgun`, `pistol`, ...,
//! compared case-insensitively, spaces and `-` read as `_`); else when its `supercategory` names
//! a Protocol category (`firearm`, `part`, `ammunition`). Annotations of other categories (a knife,
//! a `threat` supercategory with an unknown name) are left out, and are counted; an image with no
//! threat annotation is a negative.
//!
//! **Pairing records with images** ([`match_records`]). Paths are compared as text after
//! normalising ([`normalise_path`]: `\` read as `/`, `./` and empty components dropped). A record's
//! `scan` matches an
//! image when it equals the image's `file_name`, or `IMAGES_DIR/file_name`, or ends with
//! `/file_name` (whole path components). An exact match wins over suffix matches. Every image
//! must match exactly one record; an image matching none or several, or a record matching two
//! images, is an error naming them. Records matching no image are counted and left out.

use std::collections::{BTreeMap, HashMap};

pub use armscan_coco::{normalise_path, WhereClause};
use armscan_coco::{CocoCategory, CocoFile};
use armscan_core::taxonomy::known_category;
use armscan_core::Category;
use serde_json::Value;

use crate::error::EvalError;

/// The per-annotation difficulty tags read from annotations (written by `armscan synth`).
pub const DIFFICULTY_TAGS: [&str; 3] = ["occluded_fraction", "clutter_density", "pose_deg"];

/// One image of the data set.
#[derive(Clone, Debug, PartialEq)]
pub struct EvalImage {
    /// The COCO image id.
    pub id: i64,
    /// `file_name` as written in the COCO file (relative to the images folder).
    pub file_name: String,
    /// The image's `pixel_spacing_mm` field (mm per pixel), when the data set gives one
    /// (`armscan synth` does); the detector then frames the scan at its working scale.
    pub pixel_spacing_mm: Option<f32>,
}

/// One ground-truth threat box.
#[derive(Clone, Debug, PartialEq)]
pub struct EvalGt {
    /// Index into [`EvalDataset::images`].
    pub image: usize,
    /// The COCO category name (the fine class).
    pub class: String,
    /// Its Protocol category.
    pub category: Category,
    /// `[x, y, w, h]` in pixels, as in COCO.
    pub bbox: [f64; 4],
    /// COCO `iscrowd`.
    pub iscrowd: bool,
    /// Difficulty tags present on the annotation (see [`DIFFICULTY_TAGS`]).
    pub tags: BTreeMap<String, f64>,
}

/// One predicted box, paired with an image.
#[derive(Clone, Debug, PartialEq)]
pub struct EvalPred {
    /// Index into [`EvalDataset::images`].
    pub image: usize,
    /// The fine class predicted.
    pub class: String,
    /// Its Protocol category.
    pub category: Category,
    pub score: f64,
    /// `[x, y, w, h]` in pixels.
    pub bbox: [f64; 4],
}

impl EvalPred {
    /// A prediction from a detection's `[x1, y1, x2, y2]` box.
    #[must_use]
    pub fn from_xyxy(
        image: usize,
        class: impl Into<String>,
        category: Category,
        score: f64,
        b: [f64; 4],
    ) -> Self {
        Self {
            image,
            class: class.into(),
            category,
            score,
            bbox: [b[0], b[1], b[2] - b[0], b[3] - b[1]],
        }
    }
}

/// A COCO data set reduced to what an evaluation needs.
#[derive(Clone, Debug, PartialEq)]
pub struct EvalDataset {
    /// Images kept (after `--where`), sorted by id.
    pub images: Vec<EvalImage>,
    /// Threat boxes of those images, in the file's order.
    pub gts: Vec<EvalGt>,
    /// Images in the file before filtering.
    pub images_in_file: usize,
    /// Annotations of kept images left out because their category is not a threat.
    pub not_threat_annotations: usize,
    /// Names of the categories that are not threats.
    pub not_threat_classes: Vec<String>,
}

/// The Protocol category of a COCO category, by its name, else its supercategory.
#[must_use]
pub fn threat_category(name: &str, supercategory: Option<&str>) -> Option<Category> {
    let norm = |s: &str| s.trim().to_ascii_lowercase().replace([' ', '-'], "_");
    known_category(&norm(name))
        .or_else(|| supercategory.and_then(|s| norm(s).parse::<Category>().ok()))
}

fn truthy(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|x| x != 0.0),
        _ => false,
    }
}

impl EvalDataset {
    /// Parses a COCO `annotations.json` and keeps the images every clause of `filter` keeps.
    ///
    /// # Errors
    /// [`EvalError::Coco`] for malformed JSON, an image without an integer `id` or a string
    /// `file_name`, a duplicate image id, an annotation naming an unknown image or category, or a
    /// box that is not four finite numbers with non-negative width and height;
    /// [`EvalError::NoImages`] when no image is left.
    pub fn from_coco_json(text: &str, filter: &[WhereClause]) -> Result<Self, EvalError> {
        let not_coco = |e: &dyn std::fmt::Display| {
            EvalError::Coco(format!("not a COCO annotations file: {e}"))
        };
        let coco = CocoFile::from_json(text).map_err(|e| not_coco(&e))?;
        // What eval requires beyond the reader: `categories`, integer ids, string supercategories.
        let Some(coco_categories) = coco.categories.as_deref() else {
            return Err(not_coco(&"missing field `categories`"));
        };
        let int = |v: &Value, what: &str| {
            v.as_i64()
                .ok_or_else(|| not_coco(&format!("{what} {v} is not an integer")))
        };
        let categories_in_file = coco_categories
            .iter()
            .map(|c: &CocoCategory| {
                let supercategory = match &c.supercategory {
                    None | Some(Value::Null) => None,
                    Some(Value::String(s)) => Some(s.as_str()),
                    Some(other) => {
                        return Err(not_coco(&format!(
                            "category supercategory {other} is not a string"
                        )))
                    }
                };
                Ok((int(&c.id, "category id")?, c.name.as_str(), supercategory))
            })
            .collect::<Result<Vec<_>, EvalError>>()?;
        let annotation_ids = coco
            .annotations
            .iter()
            .map(|a| {
                Ok((
                    int(&a.image_id, "annotation image_id")?,
                    int(&a.category_id, "annotation category_id")?,
                ))
            })
            .collect::<Result<Vec<_>, EvalError>>()?;
        let images_in_file = coco.images.len();
        let mut images = Vec::new();
        let mut seen = HashMap::new();
        for (i, im) in coco.images.iter().enumerate() {
            let id = im
                .get("id")
                .and_then(Value::as_i64)
                .ok_or_else(|| EvalError::Coco(format!("image #{i} has no integer `id`")))?;
            let file_name = im.get("file_name").and_then(Value::as_str).ok_or_else(|| {
                EvalError::Coco(format!("image id {id} has no string `file_name`"))
            })?;
            if seen.insert(id, ()).is_some() {
                return Err(EvalError::Coco(format!("image id {id} is listed twice")));
            }
            if filter.iter().all(|w| w.keeps(im)) {
                let pixel_spacing_mm = im
                    .get("pixel_spacing_mm")
                    .and_then(serde_json::Value::as_f64)
                    .map(|v| v as f32)
                    .filter(|v| v.is_finite() && *v > 0.0);
                images.push(EvalImage {
                    id,
                    file_name: file_name.to_owned(),
                    pixel_spacing_mm,
                });
            }
        }
        if images.is_empty() {
            return Err(EvalError::NoImages(if filter.is_empty() {
                "the COCO file lists no images".to_owned()
            } else {
                format!("no image of {images_in_file} matches the --where filter")
            }));
        }
        images.sort_by_key(|im| im.id);
        let index: HashMap<i64, usize> = images
            .iter()
            .enumerate()
            .map(|(i, im)| (im.id, i))
            .collect();
        let categories: HashMap<i64, (&str, Option<Category>)> = categories_in_file
            .iter()
            .map(|&(id, name, supercategory)| (id, (name, threat_category(name, supercategory))))
            .collect();
        let mut not_threat_classes: Vec<String> = categories_in_file
            .iter()
            .filter(|&&(_, name, supercategory)| threat_category(name, supercategory).is_none())
            .map(|&(_, name, _)| name.to_owned())
            .collect();
        not_threat_classes.sort();
        let mut gts = Vec::new();
        let mut not_threat_annotations = 0;
        for (i, (a, &(image_id, category_id))) in
            coco.annotations.iter().zip(&annotation_ids).enumerate()
        {
            let name = || {
                a.id.as_ref()
                    .map_or_else(|| format!("#{i}"), |id| format!("id {id}"))
            };
            if !seen.contains_key(&image_id) {
                return Err(EvalError::Coco(format!(
                    "annotation {} names image id {}, which is not in `images`",
                    name(),
                    image_id
                )));
            }
            let Some(&(class, category)) = categories.get(&category_id) else {
                return Err(EvalError::Coco(format!(
                    "annotation {} names category id {}, which is not in `categories`",
                    name(),
                    category_id
                )));
            };
            let Some(&image) = index.get(&image_id) else {
                continue;
            };
            let Some(category) = category else {
                not_threat_annotations += 1;
                continue;
            };
            let bbox: [f64; 4] = match a.bbox.as_slice() {
                &[x, y, w, h]
                    if [x, y, w, h].iter().all(|v| v.is_finite()) && w >= 0.0 && h >= 0.0 =>
                {
                    [x, y, w, h]
                }
                other => {
                    return Err(EvalError::Coco(format!(
                        "annotation {}: bbox {other:?} is not [x, y, w, h] with w, h >= 0",
                        name()
                    )))
                }
            };
            let tags = DIFFICULTY_TAGS
                .iter()
                .filter_map(|t| {
                    a.extra
                        .get(*t)
                        .and_then(Value::as_f64)
                        .filter(|v| v.is_finite())
                        .map(|v| ((*t).to_owned(), v))
                })
                .collect();
            gts.push(EvalGt {
                image,
                class: class.to_owned(),
                category,
                bbox,
                iscrowd: truthy(a.iscrowd.as_ref()),
                tags,
            });
        }
        Ok(Self {
            images,
            gts,
            images_in_file,
            not_threat_annotations,
            not_threat_classes,
        })
    }
}

/// How records pair with images (see the module docs for the rule).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordMatch {
    /// For each image, the index of its record.
    pub per_image: Vec<usize>,
    /// Records that match no image.
    pub unused_records: Vec<usize>,
}

/// Pairs records (their `scan` fields) with `images`. `images_dir` is the folder `file_name` is
/// relative to, as the user wrote it (it may be empty).
///
/// # Errors
/// [`EvalError::Unmatched`] naming every image with no record, every image with several, and
/// every record claimed by two images.
pub fn match_records(
    images: &[EvalImage],
    images_dir: &str,
    scans: &[&str],
) -> Result<RecordMatch, EvalError> {
    let norm: Vec<String> = scans.iter().map(|s| normalise_path(s)).collect();
    let mut by_base: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, s) in norm.iter().enumerate() {
        by_base
            .entry(s.rsplit('/').next().unwrap_or(s))
            .or_default()
            .push(i);
    }
    let dir = normalise_path(images_dir);
    let mut per_image = Vec::with_capacity(images.len());
    let mut problems = Vec::new();
    let mut owner: Vec<Option<usize>> = vec![None; scans.len()];
    for (ii, im) in images.iter().enumerate() {
        let f = normalise_path(&im.file_name);
        let joined = if dir.is_empty() {
            f.clone()
        } else {
            normalise_path(&format!("{dir}/{f}"))
        };
        let suffix = format!("/{f}");
        let base = f.rsplit('/').next().unwrap_or(&f);
        let candidates = by_base.get(base).map_or(&[][..], Vec::as_slice);
        let exact: Vec<usize> = candidates
            .iter()
            .copied()
            .filter(|&r| norm[r] == f || norm[r] == joined)
            .collect();
        let chosen: Vec<usize> = if exact.is_empty() {
            candidates
                .iter()
                .copied()
                .filter(|&r| norm[r].ends_with(&suffix))
                .collect()
        } else {
            exact
        };
        match chosen.as_slice() {
            [] => {
                problems.push(format!(
                    "no record for image {} (id {})",
                    im.file_name, im.id
                ));
                per_image.push(usize::MAX);
            }
            [r] => {
                if let Some(other) = owner[*r] {
                    problems.push(format!(
                        "record {} matches two images, {} and {}",
                        scans[*r], images[other].file_name, im.file_name
                    ));
                }
                owner[*r] = Some(ii);
                per_image.push(*r);
            }
            many => {
                let names: Vec<&str> = many.iter().map(|&r| scans[r]).collect();
                problems.push(format!(
                    "image {} (id {}) matches {} records: {}",
                    im.file_name,
                    im.id,
                    many.len(),
                    names.join(", ")
                ));
                per_image.push(usize::MAX);
            }
        }
    }
    if !problems.is_empty() {
        return Err(EvalError::Unmatched {
            count: problems.len(),
            details: problems,
        });
    }
    let unused_records = (0..scans.len()).filter(|&r| owner[r].is_none()).collect();
    Ok(RecordMatch {
        per_image,
        unused_records,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const COCO: &str = concat!(
        r#"{"images":[{"id":3,"file_name":"b.png","series":"B0079"},"#,
        r#"{"id":1,"file_name":"sub/a.png","series":"B0001"},
        {"id":2,"file_name":"c.png","series":7}],
      "annotations":[{"id":1,"image_id":1,"category_id":1,"bbox":[1,2,3,4],"iscrowd":0,"#,
        r#""occluded_fraction":0.2},
        {"id":2,"image_id":3,"category_id":2,"bbox":[1,2,3,4]},"#,
        r#"{"id":3,"image_id":3,"category_id":3,"bbox":[0,0,1,1],"iscrowd":1}],
      "categories":[{"id":1,"name":"firearm","supercategory":"threat"},"#,
        r#"{"id":2,"name":"knife","supercategory":"threat"},
        {"id":3,"name":"Zip Gun","supercategory":"firearm"}]}"#
    );

    #[test]
    fn threat_classes_by_name_then_supercategory() {
        assert_eq!(
            threat_category("firearm", Some("threat")),
            Some(Category::Firearm)
        );
        assert_eq!(
            threat_category("Shotgun Shell", None),
            Some(Category::Ammunition)
        );
        assert_eq!(
            threat_category("zip_gun", Some("firearm")),
            Some(Category::Firearm)
        );
        assert_eq!(threat_category("knife", Some("threat")), None);
    }

    #[test]
    fn parses_and_filters() {
        let ds = EvalDataset::from_coco_json(COCO, &[]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            ds.images.iter().map(|i| i.id).collect::<Vec<_>>(),
            [1, 2, 3],
            "sorted by id"
        );
        assert_eq!(ds.gts.len(), 2);
        assert_eq!(ds.not_threat_annotations, 1);
        assert_eq!(ds.gts[0].tags.get("occluded_fraction"), Some(&0.2));
        assert!(ds.gts[1].iscrowd);
        let w = [WhereClause::parse("series=B0079, 7").unwrap_or_else(|e| panic!("{e}"))];
        let ds = EvalDataset::from_coco_json(COCO, &w).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ds.images.iter().map(|i| i.id).collect::<Vec<_>>(), [2, 3]);
        assert_eq!(ds.gts.len(), 1);
        let none = [WhereClause::parse("series=X").unwrap_or_else(|e| panic!("{e}"))];
        assert!(matches!(
            EvalDataset::from_coco_json(COCO, &none),
            Err(EvalError::NoImages(_))
        ));
        assert!(WhereClause::parse("series").is_err());
        assert!(WhereClause::parse("=a").is_err());
    }

    #[test]
    fn bad_coco_is_an_error() {
        let bad = COCO.replace(
            "\"image_id\":3,\"category_id\":2",
            "\"image_id\":9,\"category_id\":2",
        );
        assert!(matches!(
            EvalDataset::from_coco_json(&bad, &[]),
            Err(EvalError::Coco(m)) if m.contains("image id 9")
        ));
        let bad = COCO.replace("[1,2,3,4],\"iscrowd\":0", "[1,2,-3,4],\"iscrowd\":0");
        assert!(EvalDataset::from_coco_json(&bad, &[]).is_err());
        assert!(EvalDataset::from_coco_json("{}", &[]).is_err());
    }

    #[test]
    fn records_match_by_path_rule() {
        let ims = |names: &[&str]| {
            names
                .iter()
                .enumerate()
                .map(|(i, n)| EvalImage {
                    id: i as i64,
                    file_name: (*n).to_owned(),
                    pixel_spacing_mm: None,
                })
                .collect::<Vec<_>>()
        };
        let images = ims(&["images/a.png", "images/b.png"]);
        let scans = [
            "/data/set/images/b.png",
            "out\\set\\images\\a.png",
            "other.png",
        ];
        let m = match_records(&images, "set", &scans).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(m.per_image, [1, 0]);
        assert_eq!(m.unused_records, [2]);
        // Exact (IMAGES_DIR/file_name) wins over a suffix match.
        let scans = [
            "x/set/images/a.png",
            "./set/images/a.png",
            "set/images/b.png",
        ];
        assert_eq!(
            match_records(&images, "set", &scans)
                .map(|m| m.per_image)
                .ok(),
            Some(vec![1, 2])
        );
        // Missing and ambiguous images are named.
        let scans = ["x/images/a.png", "y/images/a.png"];
        match match_records(&images, "", &scans) {
            Err(EvalError::Unmatched { count, details }) => {
                assert_eq!(count, 2);
                assert!(details
                    .iter()
                    .any(|d| d.contains("no record for image images/b.png")));
                assert!(details.iter().any(|d| d.contains("matches 2 records")));
            }
            other => panic!("{other:?}"),
        }
        // A suffix must be whole components.
        assert!(match_records(&ims(&["a.png"]), "", &["xa.png"]).is_err());
    }
}
