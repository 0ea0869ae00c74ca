//! The evaluation as a whole, pure: [`evaluate`] turns a data set and predictions into an
//! [`EvalReport`], the content of `eval.json` (schema [`EVAL_SCHEMA`], documented field by
//! field in `crates/eval/EVAL.md`).
//!
//! **Accessories** (magazines, trigger groups: [`Category::Accessory`], not a Protocol category)
//! are scored as a category of their own when the ground truth or the predictions hold one, and
//! are in no Protocol total: `any_threat`, the data set's threat boxes and positive images, the
//! means of `summary`, and the totals of a difficulty bin count the Protocol categories only.

use std::collections::BTreeSet;

use armscan_core::taxonomy::{known_category, KNOWN_FINE_CLASSES};
use armscan_core::Category;
use serde::{Deserialize, Serialize};

use crate::dataset::{EvalDataset, EvalGt, EvalPred, WhereClause};
use crate::metrics::{
    coco_ap, confusion, image_roc, pd_at_far, ApResult, CatBox, CocoParams, DtRef, GtRef, RocPoint,
};

/// The schema tag of `eval.json`.
pub const EVAL_SCHEMA: &str = "armscan.eval/2";

/// Settings of an evaluation.
#[derive(Clone, Debug, PartialEq)]
pub struct EvalSettings {
    /// COCO parameters (IoU thresholds, recall points, max detections).
    pub params: CocoParams,
    /// Score at which a detection counts as found, for the confusion matrix and
    /// the recall of difficulty bins.
    pub score_threshold: f64,
    /// False-alarm rates at which the image-level probability of detection is read.
    pub far_targets: Vec<f64>,
}

impl Default for EvalSettings {
    fn default() -> Self {
        Self {
            params: CocoParams::default(),
            score_threshold: 0.5,
            far_targets: vec![0.01, 0.05],
        }
    }
}

/// Where the predictions came from, and the data set's paths: copied into `eval.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EvalSource {
    /// armscan's version.
    pub armscan_version: String,
    /// When the evaluation ran, `YYYY-MM-DDTHH:MM:SSZ`.
    pub created_at: String,
    /// The annotations file, as given.
    pub annotations: String,
    /// The folder `file_name` is relative to.
    pub images_dir: String,
    /// `--where` clauses.
    pub filter: Vec<WhereClauseOut>,
    /// `detector` (the model was run here) or `jsonl` (read from a file).
    pub predictions: String,
    /// The JSONL file, for `jsonl`.
    pub predictions_file: Option<String>,
    /// The model id (from the records or the detector).
    pub model: Option<String>,
    /// The backend (from the records or the detector).
    pub backend: Option<String>,
    /// The lowest score a detection could have been listed with, when known.
    pub min_score: Option<f64>,
    /// Records of the JSONL that matched no image (left out).
    pub unused_records: usize,
}

/// A `--where` clause as written in `eval.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhereClauseOut {
    pub key: String,
    pub values: Vec<String>,
}

impl From<&WhereClause> for WhereClauseOut {
    fn from(w: &WhereClause) -> Self {
        Self {
            key: w.key.clone(),
            values: w.values.clone(),
        }
    }
}

/// A precision-recall curve: interpolated precision at the 101 recall points.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PrCurve {
    pub iou: f64,
    pub recall: Vec<f64>,
    pub precision: Vec<f64>,
}

/// AP figures of one label (a fine class, a category, or any threat).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LabelMetrics {
    pub name: String,
    /// The category (`null` for `any_threat`).
    pub category: Option<Category>,
    /// GT boxes (not crowd).
    pub gt_boxes: usize,
    /// Images with at least one such GT box.
    pub gt_images: usize,
    /// Detections evaluated (at most `max_dets` per image).
    pub detections: usize,
    pub ap50: Option<f64>,
    pub ap75: Option<f64>,
    pub ap50_95: Option<f64>,
    /// AP at each IoU threshold of `settings.iou_thresholds`.
    pub ap_per_iou: Vec<Option<f64>>,
    /// Recall with every detection, at IoU 0.5.
    pub recall50: Option<f64>,
    /// The PR curve at IoU 0.5 (empty without GT).
    pub pr50: PrCurve,
    /// Which detections the GT boxes were matched with: `"class"` (detections of this label),
    /// `"category"` (every detection of the label's Protocol category: the categories, and fine
    /// classes when the predictions name categories only, where fine-class AP is not defined and
    /// only `recall50` is given) or `"any"` (`any_threat`).
    pub matched_by: String,
}

/// Image-level detection for one scope (any threat, or one category).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImageLevel {
    /// `any_threat` (the Protocol categories), `firearm`, `part`, `ammunition`, or `accessory`
    /// when the data set or the predictions hold one.
    pub scope: String,
    pub positives: usize,
    pub negatives: usize,
    pub auc: Option<f64>,
    pub pd_at_far: Vec<PdAtFar>,
    /// The ROC from the highest threshold (`threshold` `null`: nothing flagged) down.
    pub roc: Vec<RocPointOut>,
}

/// The probability of detection read at a false-alarm target.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PdAtFar {
    pub far_target: f64,
    pub pd: Option<f64>,
    /// The false-alarm rate actually reached at that point.
    pub far: Option<f64>,
    /// The image-score threshold of that point (`null`: flag nothing).
    pub threshold: Option<f64>,
}

/// One ROC point; `threshold` is `null` for the starting point (nothing flagged).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RocPointOut {
    pub threshold: Option<f64>,
    pub far: f64,
    pub pd: f64,
}

impl From<RocPoint> for RocPointOut {
    fn from(p: RocPoint) -> Self {
        Self {
            threshold: p.threshold.is_finite().then_some(p.threshold),
            far: p.far,
            pd: p.pd,
        }
    }
}

/// The confusion between categories.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Confusion {
    pub iou: f64,
    pub score_threshold: f64,
    /// GT categories (the evaluated ones: the Protocol's, and `accessory` when present) then
    /// `background`.
    pub rows: Vec<String>,
    /// Predicted categories (the same) then `missed`.
    pub cols: Vec<String>,
    pub counts: Vec<Vec<u64>>,
}

/// One bin of a difficulty tag.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DifficultyBin {
    pub label: String,
    /// `low <= value < high` (`high` `null`: no upper bound).
    pub low: f64,
    pub high: Option<f64>,
    pub gt_boxes: usize,
    /// Share of the bin's GT boxes (Protocol categories) found at IoU 0.5 by a detection of the
    /// same category scoring at least `score_threshold`.
    pub recall: Option<f64>,
    /// Category-level AP50 with GT outside the bin ignored, per category (`null`: no GT in bin).
    pub ap50: Vec<CategoryValue>,
}

/// A value for one category.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CategoryValue {
    pub category: Category,
    pub gt_boxes: usize,
    pub value: Option<f64>,
}

/// Results split by one difficulty tag.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Difficulty {
    pub tag: String,
    /// How the value is binned, in words.
    pub binning: String,
    pub score_threshold: f64,
    pub bins: Vec<DifficultyBin>,
    /// GT boxes without the tag (in no bin).
    pub untagged: usize,
}

/// The data set as evaluated.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DatasetSummary {
    pub images_in_file: usize,
    pub images: usize,
    pub positive_images: usize,
    pub negative_images: usize,
    pub gt_boxes: usize,
    pub crowd_boxes: usize,
    pub not_threat_annotations: usize,
    pub not_threat_classes: Vec<String>,
}

/// The evaluation parameters, as written.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SettingsOut {
    pub iou_thresholds: Vec<f64>,
    pub recall_points: usize,
    pub max_dets: usize,
    pub area: String,
    pub score_threshold: f64,
    pub far_targets: Vec<f64>,
}

/// Means over labels with GT.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// False when every prediction names a Protocol category rather than a fine class (a
    /// category-level model): fine classes other than the category names then have no AP, and
    /// `map50_classes` is over those that do (`null` if none).
    pub fine_classes_scored: bool,
    pub map50_classes: Option<f64>,
    pub map50_95_classes: Option<f64>,
    pub map50_categories: Option<f64>,
    pub map50_95_categories: Option<f64>,
}

/// `eval.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EvalReport {
    pub schema: String,
    pub source: EvalSource,
    pub settings: SettingsOut,
    pub dataset: DatasetSummary,
    pub summary: Summary,
    pub classes: Vec<LabelMetrics>,
    pub categories: Vec<LabelMetrics>,
    pub any_threat: LabelMetrics,
    pub image_level: Vec<ImageLevel>,
    pub confusion: Confusion,
    pub difficulty: Vec<Difficulty>,
    /// PNG files written beside `eval.json` (names relative to it).
    pub plots: Vec<String>,
}

/// How many images hold at least one non-crowd box of `gts`.
fn images_with_boxes(gts: &[&EvalGt]) -> usize {
    gts.iter()
        .filter(|g| !g.iscrowd)
        .map(|g| g.image)
        .collect::<BTreeSet<usize>>()
        .len()
}

fn label_metrics(
    name: &str,
    matched_by: &str,
    category: Option<Category>,
    image_count: usize,
    gts: &[&EvalGt],
    preds: &[&EvalPred],
    p: &CocoParams,
) -> (LabelMetrics, ApResult) {
    let g: Vec<GtRef> = gts
        .iter()
        .map(|g| GtRef {
            image: g.image,
            bbox: g.bbox,
            iscrowd: g.iscrowd,
            ignore: false,
        })
        .collect();
    let d: Vec<DtRef> = preds
        .iter()
        .map(|d| DtRef {
            image: d.image,
            bbox: d.bbox,
            score: d.score,
        })
        .collect();
    let r = coco_ap(image_count, &g, &d, p);
    let at = |iou: f64| {
        p.iou_thresholds
            .iter()
            .position(|t| (t - iou).abs() < 1e-9)
            .and_then(|i| r.ap_per_iou[i])
    };
    let m = LabelMetrics {
        name: name.to_owned(),
        category,
        gt_boxes: r.gt_count,
        gt_images: images_with_boxes(gts),
        detections: r.dt_count,
        ap50: at(0.5),
        ap75: at(0.75),
        ap50_95: r.ap_mean(),
        ap_per_iou: r.ap_per_iou.clone(),
        recall50: r.max_recall.first().copied().flatten(),
        pr50: PrCurve {
            iou: p.iou_thresholds.first().copied().unwrap_or(0.5),
            recall: if r.gt_count > 0 {
                p.recall_points.clone()
            } else {
                Vec::new()
            },
            precision: r.precision.first().cloned().unwrap_or_default(),
        },
        matched_by: matched_by.to_owned(),
    };
    (m, r)
}

/// The row of fine class `name` scored by its category's matching: `recall50` is the share of
/// its non-crowd GT boxes that a detection of the category matched at IoU 0.5 (any score); no AP.
fn recall_by_category(
    name: &str,
    category: Category,
    gts: &[&EvalGt],
    cat_results: &[(Category, Vec<&EvalGt>, ApResult)],
    p: &CocoParams,
) -> LabelMetrics {
    let mut found = 0usize;
    let mut total = 0usize;
    if let Some((_, cat_gts, r)) = cat_results.iter().find(|(c, _, _)| *c == category) {
        for (g, matched) in cat_gts.iter().zip(&r.gt_match_score_first_iou) {
            if g.class == name && !g.iscrowd {
                total += 1;
                found += usize::from(matched.is_some());
            }
        }
    }
    #[allow(clippy::cast_precision_loss)]
    LabelMetrics {
        name: name.to_owned(),
        category: Some(category),
        gt_boxes: total,
        gt_images: images_with_boxes(gts),
        detections: 0,
        ap50: None,
        ap75: None,
        ap50_95: None,
        ap_per_iou: vec![None; p.iou_thresholds.len()],
        recall50: (total > 0).then(|| found as f64 / total as f64),
        pr50: PrCurve {
            iou: p.iou_thresholds.first().copied().unwrap_or(0.5),
            recall: Vec::new(),
            precision: Vec::new(),
        },
        matched_by: "category".to_owned(),
    }
}

fn mean(values: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    let v: Vec<f64> = values.flatten().collect();
    #[allow(clippy::cast_precision_loss)]
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

/// Class order: by category (the Protocol's, then accessories), armscan's taxonomy order within
/// one, then other names alphabetically.
fn class_rank(name: &str) -> (usize, usize, String) {
    (
        known_category(name)
            .and_then(|c| Category::ALL.iter().position(|k| *k == c))
            .unwrap_or(usize::MAX),
        KNOWN_FINE_CLASSES
            .iter()
            .position(|(n, _)| *n == name)
            .unwrap_or(usize::MAX),
        name.to_owned(),
    )
}

/// How a difficulty tag's value is binned: `(tag, binning, [(label, low, high)])`, on the
/// value after [`difficulty_value`].
type Binning = (
    &'static str,
    &'static str,
    Vec<(&'static str, f64, Option<f64>)>,
);

fn binnings() -> Vec<Binning> {
    vec![
        (
            "occluded_fraction",
            "share of the footprint over dense clutter",
            vec![
                ("<0.1", 0.0, Some(0.1)),
                ("0.1-0.4", 0.1, Some(0.4)),
                (">=0.4", 0.4, None),
            ],
        ),
        (
            "clutter_density",
            "mean attenuation (1 - transmission) of the background in the box",
            vec![
                ("<0.1", 0.0, Some(0.1)),
                ("0.1-0.3", 0.1, Some(0.3)),
                (">=0.3", 0.3, None),
            ],
        ),
        (
            "pose_deg",
            "tilt from the nearest axis-aligned pose, min(p mod 90, 90 - p mod 90), degrees",
            vec![
                ("<15", 0.0, Some(15.0)),
                ("15-30", 15.0, Some(30.0)),
                (">=30", 30.0, None),
            ],
        ),
    ]
}

/// The value binned for a tag: `pose_deg` is folded to the tilt from the nearest axis.
fn difficulty_value(tag: &str, v: f64) -> f64 {
    if tag == "pose_deg" {
        let m = v.rem_euclid(90.0);
        m.min(90.0 - m)
    } else {
        v
    }
}

/// Evaluates `preds` against `ds`. Predictions whose `image` is out of range are left out.
#[must_use]
pub fn evaluate(
    ds: &EvalDataset,
    preds: &[EvalPred],
    settings: &EvalSettings,
    source: EvalSource,
) -> EvalReport {
    let p = &settings.params;
    let n = ds.images.len();
    let preds: Vec<&EvalPred> = preds.iter().filter(|d| d.image < n).collect();
    let gts: Vec<&EvalGt> = ds.gts.iter().collect();
    // The categories evaluated: the Protocol's three always, an accessory when there is one.
    let scored: Vec<Category> = Category::ALL
        .into_iter()
        .filter(|c| {
            c.is_protocol()
                || gts.iter().any(|g| g.category == *c)
                || preds.iter().any(|d| d.category == *c)
        })
        .collect();
    // What Protocol totals count.
    let protocol_gts: Vec<&EvalGt> = gts
        .iter()
        .copied()
        .filter(|g| g.category.is_protocol())
        .collect();
    let protocol_preds: Vec<&EvalPred> = preds
        .iter()
        .copied()
        .filter(|d| d.category.is_protocol())
        .collect();

    // Fine classes: those with GT, then those only predicted.
    let mut names: Vec<(String, Category)> = Vec::new();
    for (name, cat) in gts
        .iter()
        .map(|g| (&g.class, g.category))
        .chain(preds.iter().map(|d| (&d.class, d.category)))
    {
        if !names.iter().any(|(n2, _)| n2 == name) {
            names.push((name.clone(), cat));
        }
    }
    names.sort_by_key(|(nm, _)| (!gts.iter().any(|g| &g.class == nm), class_rank(nm)));
    let mut cat_results = Vec::new();
    let categories: Vec<LabelMetrics> = scored
        .iter()
        .map(|c| {
            let g: Vec<&EvalGt> = gts.iter().copied().filter(|g| g.category == *c).collect();
            let d: Vec<&EvalPred> = preds.iter().copied().filter(|d| d.category == *c).collect();
            let (m, r) = label_metrics(c.as_str(), "category", Some(*c), n, &g, &d, p);
            cat_results.push((*c, g, r));
            m
        })
        .collect();
    let any_threat = label_metrics(
        "any_threat",
        "any",
        None,
        n,
        &protocol_gts,
        &protocol_preds,
        p,
    )
    .0;

    // A category-level model names only categories: its fine classes get the recall their
    // category's detections reach (no AP: a detection cannot be a false positive of one fine
    // class and a hit of another).
    let fine_classes_scored =
        preds.is_empty() || preds.iter().any(|d| d.class != d.category.as_str());
    let classes: Vec<LabelMetrics> = names
        .iter()
        .map(|(nm, cat)| {
            let g: Vec<&EvalGt> = gts.iter().copied().filter(|g| &g.class == nm).collect();
            if !fine_classes_scored && nm != cat.as_str() && !g.is_empty() {
                return recall_by_category(nm, *cat, &g, &cat_results, p);
            }
            let d: Vec<&EvalPred> = preds.iter().copied().filter(|d| &d.class == nm).collect();
            label_metrics(nm, "class", Some(*cat), n, &g, &d, p).0
        })
        .collect();

    // Image level.
    let mut image_level = Vec::new();
    let scopes: Vec<(String, Option<Category>)> = std::iter::once(("any_threat".to_owned(), None))
        .chain(scored.iter().map(|c| (c.as_str().to_owned(), Some(*c))))
        .collect();
    for (scope, cat) in scopes {
        // `any_threat`: the Protocol categories
        let wanted = |c: Category| cat.map_or(c.is_protocol(), |k| k == c);
        let mut score = vec![0.0f64; n];
        for d in preds.iter().filter(|d| wanted(d.category)) {
            score[d.image] = score[d.image].max(d.score);
        }
        let mut positive = vec![false; n];
        for g in gts.iter().filter(|g| !g.iscrowd && wanted(g.category)) {
            positive[g.image] = true;
        }
        let roc = image_roc(&score, &positive);
        let pd_at = settings
            .far_targets
            .iter()
            .map(|&t| {
                let pt = pd_at_far(&roc, t);
                PdAtFar {
                    far_target: t,
                    pd: pt.map(|x| x.pd),
                    far: pt.map(|x| x.far),
                    threshold: pt.and_then(|x| x.threshold.is_finite().then_some(x.threshold)),
                }
            })
            .collect();
        image_level.push(ImageLevel {
            scope,
            positives: roc.positives,
            negatives: roc.negatives,
            auc: roc.auc,
            pd_at_far: pd_at,
            roc: roc.points.iter().copied().map(RocPointOut::from).collect(),
        });
    }

    // Confusion.
    let cat_index = |c: Category| scored.iter().position(|k| *k == c).unwrap_or(0);
    let g_boxes: Vec<CatBox> = gts
        .iter()
        .filter(|g| !g.iscrowd)
        .map(|g| CatBox {
            image: g.image,
            category: cat_index(g.category),
            bbox: g.bbox,
            score: 0.0,
        })
        .collect();
    let d_boxes: Vec<CatBox> = preds
        .iter()
        .map(|d| CatBox {
            image: d.image,
            category: cat_index(d.category),
            bbox: d.bbox,
            score: d.score,
        })
        .collect();
    let confusion = Confusion {
        iou: 0.5,
        score_threshold: settings.score_threshold,
        rows: scored
            .iter()
            .map(|c| c.as_str().to_owned())
            .chain(std::iter::once("background".to_owned()))
            .collect(),
        cols: scored
            .iter()
            .map(|c| c.as_str().to_owned())
            .chain(std::iter::once("missed".to_owned()))
            .collect(),
        counts: confusion(
            scored.len(),
            &g_boxes,
            &d_boxes,
            0.5,
            settings.score_threshold,
        ),
    };

    // Difficulty.
    let p50 = CocoParams {
        iou_thresholds: vec![0.5],
        ..p.clone()
    };
    let mut difficulty = Vec::new();
    for (tag, binning, bins) in binnings() {
        if !gts.iter().any(|g| g.tags.contains_key(tag)) {
            continue;
        }
        let value = |g: &EvalGt| g.tags.get(tag).map(|v| difficulty_value(tag, *v));
        // A value below the first bin's low edge goes to the first bin.
        let bin_of = |v: f64| {
            bins.iter()
                .position(|(_, lo, hi)| (v >= *lo || *lo <= 0.0) && hi.is_none_or(|h| v < h))
        };
        let untagged = protocol_gts
            .iter()
            .filter(|g| !g.iscrowd && value(g).is_none())
            .count();
        let mut out_bins = Vec::new();
        for (bi, (label, low, high)) in bins.iter().enumerate() {
            let inside = |g: &EvalGt| value(g).and_then(bin_of) == Some(bi);
            let mut found = 0usize;
            let mut total = 0usize;
            let mut ap50 = Vec::new();
            for &c in &scored {
                let g: Vec<GtRef> = gts
                    .iter()
                    .filter(|g| g.category == c)
                    .map(|g| GtRef {
                        image: g.image,
                        bbox: g.bbox,
                        iscrowd: g.iscrowd,
                        ignore: !inside(g),
                    })
                    .collect();
                let d: Vec<DtRef> = preds
                    .iter()
                    .filter(|d| d.category == c)
                    .map(|d| DtRef {
                        image: d.image,
                        bbox: d.bbox,
                        score: d.score,
                    })
                    .collect();
                let r = coco_ap(n, &g, &d, &p50);
                let in_bin_gt: Vec<usize> = g
                    .iter()
                    .enumerate()
                    .filter(|(_, x)| !x.ignore && !x.iscrowd)
                    .map(|(i, _)| i)
                    .collect();
                if c.is_protocol() {
                    total += in_bin_gt.len();
                    found += in_bin_gt
                        .iter()
                        .filter(|&&i| {
                            r.gt_match_score_first_iou[i]
                                .is_some_and(|s| s >= settings.score_threshold)
                        })
                        .count();
                }
                ap50.push(CategoryValue {
                    category: c,
                    gt_boxes: in_bin_gt.len(),
                    value: r.ap_first(),
                });
            }
            #[allow(clippy::cast_precision_loss)]
            out_bins.push(DifficultyBin {
                label: (*label).to_owned(),
                low: *low,
                high: *high,
                gt_boxes: total,
                recall: (total > 0).then(|| found as f64 / total as f64),
                ap50,
            });
        }
        difficulty.push(Difficulty {
            tag: tag.to_owned(),
            binning: binning.to_owned(),
            score_threshold: settings.score_threshold,
            bins: out_bins,
            untagged,
        });
    }

    let positive_images: BTreeSet<usize> = protocol_gts
        .iter()
        .filter(|g| !g.iscrowd)
        .map(|g| g.image)
        .collect();
    // Means over the Protocol's classes and categories with GT.
    let with_gt = |v: &[LabelMetrics], f: fn(&LabelMetrics) -> Option<f64>| {
        mean(
            v.iter()
                .filter(|m| m.gt_boxes > 0 && m.category.is_some_and(Category::is_protocol))
                .map(f),
        )
    };
    EvalReport {
        schema: EVAL_SCHEMA.to_owned(),
        source,
        settings: SettingsOut {
            iou_thresholds: p.iou_thresholds.clone(),
            recall_points: p.recall_points.len(),
            max_dets: p.max_dets,
            area: "all".to_owned(),
            score_threshold: settings.score_threshold,
            far_targets: settings.far_targets.clone(),
        },
        dataset: DatasetSummary {
            images_in_file: ds.images_in_file,
            images: n,
            positive_images: positive_images.len(),
            negative_images: n - positive_images.len(),
            gt_boxes: protocol_gts.iter().filter(|g| !g.iscrowd).count(),
            crowd_boxes: protocol_gts.iter().filter(|g| g.iscrowd).count(),
            not_threat_annotations: ds.not_threat_annotations,
            not_threat_classes: ds.not_threat_classes.clone(),
        },
        summary: Summary {
            fine_classes_scored,
            map50_classes: with_gt(&classes, |m| m.ap50),
            map50_95_classes: with_gt(&classes, |m| m.ap50_95),
            map50_categories: with_gt(&categories, |m| m.ap50),
            map50_95_categories: with_gt(&categories, |m| m.ap50_95),
        },
        classes,
        categories,
        any_threat,
        image_level,
        confusion,
        difficulty,
        plots: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::EvalImage;
    use std::collections::BTreeMap;

    fn ds() -> EvalDataset {
        let g = |image, class: &str, category, bbox, occ: f64| EvalGt {
            image,
            class: class.to_owned(),
            category,
            bbox,
            iscrowd: false,
            tags: [("occluded_fraction".to_owned(), occ)]
                .into_iter()
                .collect(),
        };
        EvalDataset {
            images: (0..4)
                .map(|i| EvalImage {
                    id: i,
                    file_name: format!("{i}.png"),
                    pixel_spacing_mm: None,
                })
                .collect(),
            gts: vec![
                g(0, "pistol", Category::Firearm, [0.0, 0.0, 10.0, 10.0], 0.0),
                g(
                    1,
                    "cartridge",
                    Category::Ammunition,
                    [0.0, 0.0, 10.0, 10.0],
                    0.5,
                ),
                g(2, "slide", Category::Part, [0.0, 0.0, 10.0, 10.0], 0.2),
            ],
            images_in_file: 4,
            not_threat_annotations: 0,
            not_threat_classes: vec![],
        }
    }

    fn source() -> EvalSource {
        EvalSource {
            armscan_version: "0".into(),
            created_at: "t".into(),
            annotations: "a.json".into(),
            images_dir: ".".into(),
            filter: vec![],
            predictions: "jsonl".into(),
            predictions_file: None,
            model: None,
            backend: None,
            min_score: None,
            unused_records: 0,
        }
    }

    #[test]
    fn perfect_predictions_score_one_everywhere() {
        let d = ds();
        let preds: Vec<EvalPred> = d
            .gts
            .iter()
            .map(|g| EvalPred {
                image: g.image,
                class: g.class.clone(),
                category: g.category,
                score: 0.9,
                bbox: g.bbox,
            })
            .collect();
        let r = evaluate(&d, &preds, &EvalSettings::default(), source());
        // Precision is tp / (tp + fp + eps), as pycocotools: one ulp below 1.
        let one = |v: Option<f64>| v.is_some_and(|v| (v - 1.0).abs() < 1e-9);
        assert!(one(r.summary.map50_classes), "{:?}", r.summary);
        assert!(one(r.summary.map50_95_categories));
        assert_eq!(r.image_level[0].pd_at_far[0].pd, Some(1.0));
        assert_eq!(r.image_level[0].auc, Some(1.0));
        assert_eq!(
            (r.dataset.positive_images, r.dataset.negative_images),
            (3, 1)
        );
        for (i, row) in r.confusion.counts.iter().enumerate() {
            for (j, v) in row.iter().enumerate() {
                assert_eq!(*v, u64::from(i == j && i < 3), "cell {i},{j}");
            }
        }
        let occ = &r.difficulty[0];
        assert_eq!(
            occ.bins.iter().map(|b| b.gt_boxes).collect::<Vec<_>>(),
            [1, 1, 1]
        );
        assert!(occ.bins.iter().all(|b| b.recall == Some(1.0)));
    }

    #[test]
    fn wrong_category_shows_in_confusion_and_ap() {
        let d = ds();
        // The pistol is called a slide (a part); the part is missed; the cartridge is found.
        let preds = vec![
            EvalPred {
                image: 0,
                class: "slide".into(),
                category: Category::Part,
                score: 0.8,
                bbox: [0.0, 0.0, 10.0, 10.0],
            },
            EvalPred {
                image: 1,
                class: "cartridge".into(),
                category: Category::Ammunition,
                score: 0.7,
                bbox: [0.0, 0.0, 10.0, 10.0],
            },
        ];
        let r = evaluate(&d, &preds, &EvalSettings::default(), source());
        assert_eq!(r.confusion.counts[0][1], 1);
        assert_eq!(r.confusion.counts[1][3], 1);
        assert_eq!(r.confusion.counts[2][2], 1);
        let firearm = &r.categories[0];
        assert_eq!(firearm.ap50, Some(0.0));
        // Image level, any threat: images 0 and 1 flagged, image 2 (positive) not: PD 2/3 at FAR 0.
        assert_eq!(r.image_level[0].pd_at_far[0].pd, Some(2.0 / 3.0));
        // Difficulty: the part (occluded 0.2, bin 1) is missed, the others found.
        let occ = &r.difficulty[0];
        assert_eq!(
            occ.bins.iter().map(|b| b.recall).collect::<Vec<_>>(),
            [Some(0.0), Some(0.0), Some(1.0)]
        );
    }

    #[test]
    fn category_level_predictions_give_fine_classes_recall_not_ap() {
        let mut d = ds();
        // A second part of another fine class, in image 3, which nothing finds.
        d.gts.push(EvalGt {
            image: 3,
            class: "barrel".into(),
            category: Category::Part,
            bbox: [20.0, 20.0, 10.0, 10.0],
            iscrowd: false,
            tags: BTreeMap::new(),
        });
        // A category-level model: the pistol found as "firearm", the slide as "part", the
        // cartridge missed, a false "part" on image 0.
        let pred = |image, category: Category, bbox| EvalPred {
            image,
            class: category.as_str().into(),
            category,
            score: 0.8,
            bbox,
        };
        let preds = vec![
            pred(0, Category::Firearm, [0.0, 0.0, 10.0, 10.0]),
            pred(2, Category::Part, [0.0, 0.0, 10.0, 10.0]),
            pred(0, Category::Part, [50.0, 50.0, 10.0, 10.0]),
        ];
        let r = evaluate(&d, &preds, &EvalSettings::default(), source());
        assert!(!r.summary.fine_classes_scored);
        let row = |name: &str| {
            r.classes
                .iter()
                .find(|m| m.name == name)
                .unwrap_or_else(|| panic!("no row {name}"))
        };
        for (name, recall) in [
            ("pistol", 1.0),
            ("slide", 1.0),
            ("barrel", 0.0),
            ("cartridge", 0.0),
        ] {
            let m = row(name);
            assert_eq!(
                (m.ap50, m.ap50_95, m.matched_by.as_str()),
                (None, None, "category"),
                "{name}"
            );
            assert_eq!(m.recall50, Some(recall), "{name}");
            assert_eq!(m.gt_boxes, 1, "{name}");
        }
        // The category names only predicted keep their rows (no GT, no AP); no fine mAP at all.
        assert_eq!(row("part").detections, 2);
        assert_eq!(r.summary.map50_classes, None);
        // The categories are scored as ever: part AP50 is below one (a
        // false part, and the barrel missed).
        let part = &r.categories[1];
        assert_eq!(part.matched_by, "category");
        assert!(
            part.ap50.is_some_and(|v| v > 0.0 && v < 1.0),
            "{:?}",
            part.ap50
        );
    }

    #[test]
    fn accessories_are_scored_apart_and_left_out_of_protocol_totals() {
        let mut d = ds();
        // image 3 holds only a magazine: not a Protocol threat
        d.gts.push(EvalGt {
            image: 3,
            class: "magazine".into(),
            category: Category::Accessory,
            bbox: [0.0, 0.0, 10.0, 10.0],
            iscrowd: false,
            tags: [("occluded_fraction".to_owned(), 0.0)]
                .into_iter()
                .collect(),
        });
        let perfect: Vec<EvalPred> = d
            .gts
            .iter()
            .filter(|g| g.category.is_protocol())
            .map(|g| EvalPred {
                image: g.image,
                class: g.class.clone(),
                category: g.category,
                score: 0.9,
                bbox: g.bbox,
            })
            .collect();
        // the magazine missed, and a false magazine on image 0
        let mut preds = perfect.clone();
        preds.push(EvalPred {
            image: 0,
            class: "magazine".into(),
            category: Category::Accessory,
            score: 0.95,
            bbox: [40.0, 40.0, 10.0, 10.0],
        });
        let r = evaluate(&d, &preds, &EvalSettings::default(), source());
        let names: Vec<&str> = r.categories.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["firearm", "part", "ammunition", "accessory"]);
        let accessory = &r.categories[3];
        assert_eq!(
            (accessory.category, accessory.gt_boxes, accessory.ap50),
            (Some(Category::Accessory), 1, Some(0.0))
        );
        // Protocol totals: the magazine is neither a threat box nor makes image 3 positive, and
        // neither it nor the false magazine touches any_threat or the means
        let one = |v: Option<f64>| v.is_some_and(|v| (v - 1.0).abs() < 1e-9);
        assert_eq!((r.dataset.gt_boxes, r.dataset.positive_images), (3, 3));
        assert_eq!(r.any_threat.gt_boxes, 3);
        assert!(one(r.any_threat.ap50) && one(r.any_threat.ap50_95));
        assert!(one(r.summary.map50_categories), "{:?}", r.summary);
        assert!(one(r.summary.map50_classes), "{:?}", r.summary);
        let scopes: Vec<&str> = r.image_level.iter().map(|l| l.scope.as_str()).collect();
        assert_eq!(
            scopes,
            ["any_threat", "firearm", "part", "ammunition", "accessory"]
        );
        assert_eq!(
            (r.image_level[0].positives, r.image_level[0].negatives),
            (3, 1)
        );
        assert_eq!(r.image_level[0].auc, Some(1.0));
        assert_eq!(
            (r.image_level[4].positives, r.image_level[4].negatives),
            (1, 3)
        );
        // the confusion has an accessory row and column: the missed magazine, the false one
        assert_eq!(r.confusion.rows.len(), 5);
        assert_eq!(r.confusion.cols[3], "accessory");
        assert_eq!(r.confusion.counts[3][4], 1, "magazine missed");
        assert_eq!(r.confusion.counts[4][3], 1, "false magazine");
        // difficulty: bin totals are Protocol boxes, AP50 per evaluated category
        let occ = &r.difficulty[0];
        assert_eq!(
            occ.bins.iter().map(|b| b.gt_boxes).collect::<Vec<_>>(),
            [1, 1, 1]
        );
        assert!(occ.bins.iter().all(|b| b.recall == Some(1.0)));
        assert_eq!(occ.bins[0].ap50.len(), 4);
        assert_eq!(occ.bins[0].ap50[3].gt_boxes, 1);
        // classes: the magazine after the Protocol classes
        let classes: Vec<&str> = r.classes.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(classes, ["pistol", "slide", "cartridge", "magazine"]);

        // without accessories anywhere, the three Protocol categories as before
        let r = evaluate(&ds(), &perfect, &EvalSettings::default(), source());
        assert_eq!(r.categories.len(), 3);
        assert_eq!(r.image_level.len(), 4);
        assert_eq!(r.confusion.rows.len(), 4);
        // an accessory only predicted is scored (no GT: no AP) and counted apart
        let mut only_pred = perfect;
        only_pred.push(EvalPred {
            image: 3,
            class: "trigger_group".into(),
            category: Category::Accessory,
            score: 0.9,
            bbox: [0.0, 0.0, 10.0, 10.0],
        });
        let r = evaluate(&ds(), &only_pred, &EvalSettings::default(), source());
        assert_eq!(r.categories.len(), 4);
        assert_eq!(
            (r.categories[3].detections, r.categories[3].ap50),
            (1, None)
        );
        assert_eq!(r.image_level[0].auc, Some(1.0), "not a false alarm");
    }

    #[test]
    fn fine_predictions_keep_class_ap() {
        let d = ds();
        let preds = vec![EvalPred {
            image: 0,
            class: "pistol".into(),
            category: Category::Firearm,
            score: 0.9,
            bbox: [0.0, 0.0, 10.0, 10.0],
        }];
        let r = evaluate(&d, &preds, &EvalSettings::default(), source());
        assert!(r.summary.fine_classes_scored);
        let Some(slide) = r.classes.iter().find(|m| m.name == "slide") else {
            panic!("no slide row")
        };
        assert_eq!(
            (slide.ap50, slide.matched_by.as_str()),
            (Some(0.0), "class")
        );
    }
}
