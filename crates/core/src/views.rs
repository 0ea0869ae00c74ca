//! Two views of one scan: the scan and its left-right mirror, and how their detections are fused.
//!
//! A parcel scanned the other way round is as likely a scan as the one on the belt, so the
//! detector's answer on the mirror is a second opinion on the same objects. The runtime screens
//! both views, maps the mirror's boxes back ([`mirror_detections_mut`]) and fuses the two lists
//! ([`fuse_views`]): a same-class pair overlapping by IoU at least [`ViewFusion::fuse_iou`] becomes
//! one detection, its box the score-weighted mean of the two and its score their mean; a detection
//! that only one view has keeps its score times [`ViewFusion::unseen_factor`]. The rule comes
//! from the model manifest, as data; no second view is screened unless the manifest names one.

use serde::{Deserialize, Serialize};

use crate::geometry::BoxInImage;
use crate::nms::by_score_desc;
use crate::verdict::Detection;

/// How the detections of a scan and of its mirror are fused into one list.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ViewFusion {
    /// The least IoU, in `(0, 1]`, at which a same-class detection of each view are one object.
    pub fuse_iou: f32,
    /// The multiplier, in `[0, 1]`, of the score of a detection seen in one view only.
    pub unseen_factor: f32,
}

impl ViewFusion {
    /// A rule; [`ViewFusion::check`] says whether its numbers are in range.
    #[must_use]
    pub fn new(fuse_iou: f32, unseen_factor: f32) -> Self {
        Self {
            fuse_iou,
            unseen_factor,
        }
    }

    /// Why the rule cannot be applied, if it cannot.
    ///
    /// # Errors
    /// A sentence naming the faulty field.
    pub fn check(&self) -> Result<(), String> {
        if !(self.fuse_iou > 0.0 && self.fuse_iou <= 1.0) {
            return Err(format!("fuse_iou = {} (above 0, at most 1)", self.fuse_iou));
        }
        if !(0.0..=1.0).contains(&self.unseen_factor) {
            return Err(format!("unseen_factor = {} (0 to 1)", self.unseen_factor));
        }
        Ok(())
    }
}

/// The box that `b`, a box in an image `width` pixels wide mirrored left to right, covers in the
/// image itself (pixel column `i` of the mirror is column `width - 1 - i`).
#[must_use]
pub fn mirror_box(b: &BoxInImage, width: f32) -> BoxInImage {
    BoxInImage::new(width - b.x2, b.y1, width - b.x1, b.y2)
}

/// Maps detections made on the left-right mirror of an image `width`
/// pixels wide back onto the image.
pub fn mirror_detections_mut(detections: &mut [Detection], width: f32) {
    for d in detections {
        d.box_in_image = mirror_box(&d.box_in_image, width);
    }
}

/// Fuses the detections of two views of one scan (boxes in the same image space) by `rule`.
///
/// Greedy, best score first over both lists: each detection not yet used takes the unused
/// same-class detection of the other view with the highest IoU, if that IoU is at least
/// `rule.fuse_iou`. A pair becomes one detection (box: score-weighted mean of the two; score:
/// the mean of the two); a detection left alone keeps `score * rule.unseen_factor`. Detections
/// then below `min_score` are dropped and the rest sorted best first. Symmetric in the two views
/// up to the order of ties.
#[must_use]
pub fn fuse_views(
    first: Vec<Detection>,
    second: Vec<Detection>,
    rule: &ViewFusion,
    min_score: f32,
) -> Vec<Detection> {
    let views = [first, second];
    let mut used = [vec![false; views[0].len()], vec![false; views[1].len()]];
    let mut order: Vec<(usize, usize)> = (0..2)
        .flat_map(|v| (0..views[v].len()).map(move |i| (v, i)))
        .collect();
    order.sort_by(|&(va, ia), &(vb, ib)| by_score_desc(&views[va][ia], &views[vb][ib]));
    let mut fused = Vec::with_capacity(order.len());
    for (v, i) in order {
        if used[v][i] {
            continue;
        }
        used[v][i] = true;
        let d = &views[v][i];
        let other = 1 - v;
        let mut best: Option<(usize, f32)> = None;
        for (j, e) in views[other].iter().enumerate() {
            if used[other][j] || e.class_name != d.class_name {
                continue;
            }
            let iou = d.box_in_image.iou(&e.box_in_image);
            // the closest match; among equally close ones, the best-scoring
            if iou >= rule.fuse_iou
                && best
                    .is_none_or(|(k, b)| iou > b || (iou == b && e.score > views[other][k].score))
            {
                best = Some((j, iou));
            }
        }
        let detection = match best {
            None => Detection {
                score: d.score * rule.unseen_factor,
                ..d.clone()
            },
            Some((j, _)) => {
                used[other][j] = true;
                let e = &views[other][j];
                let (wd, we) = (d.score, e.score);
                let total = wd + we;
                let mean = |p: f32, q: f32| {
                    if total > 0.0 {
                        (wd * p + we * q) / total
                    } else {
                        (p + q) / 2.0
                    }
                };
                let (a, b) = (&d.box_in_image, &e.box_in_image);
                Detection {
                    score: (wd + we) / 2.0,
                    box_in_image: BoxInImage::new(
                        mean(a.x1, b.x1),
                        mean(a.y1, b.y1),
                        mean(a.x2, b.x2),
                        mean(a.y2, b.y2),
                    ),
                    ..d.clone()
                }
            }
        };
        if detection.score >= min_score {
            fused.push(detection);
        }
    }
    fused.sort_by(by_score_desc);
    fused
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::taxonomy::Category;
    use proptest::prelude::*;

    fn det(category: Category, score: f32, b: [f32; 4]) -> Detection {
        Detection {
            class_name: category.as_str().into(),
            category,
            score,
            box_in_image: BoxInImage::new(b[0], b[1], b[2], b[3]),
        }
    }

    const RULE: ViewFusion = ViewFusion {
        fuse_iou: 0.5,
        unseen_factor: 0.7,
    };

    #[test]
    fn a_pair_becomes_one_detection_with_the_mean_score_and_a_weighted_box() {
        let a = vec![det(Category::Firearm, 0.9, [10.0, 10.0, 110.0, 60.0])];
        let b = vec![det(Category::Firearm, 0.3, [14.0, 10.0, 114.0, 64.0])];
        let f = fuse_views(a, b, &RULE, 0.05);
        assert_eq!(f.len(), 1);
        assert!((f[0].score - 0.6).abs() < 1e-6);
        // weights 0.9 and 0.3: three quarters of the way to the first view's box
        assert!(
            (f[0].box_in_image.x1 - 11.0).abs() < 1e-4,
            "{:?}",
            f[0].box_in_image
        );
        assert!(
            (f[0].box_in_image.y2 - 61.0).abs() < 1e-4,
            "{:?}",
            f[0].box_in_image
        );
    }

    #[test]
    fn a_detection_seen_once_is_lowered_and_other_classes_never_pair() {
        let a = vec![
            det(Category::Firearm, 0.8, [0.0, 0.0, 100.0, 100.0]),
            det(Category::Ammunition, 0.5, [300.0, 300.0, 320.0, 340.0]),
        ];
        let b = vec![det(Category::Part, 0.6, [0.0, 0.0, 100.0, 100.0])];
        let f = fuse_views(a, b, &RULE, 0.05);
        let scores: Vec<(Category, f32)> = f.iter().map(|d| (d.category, d.score)).collect();
        assert_eq!(f.len(), 3, "{scores:?}");
        assert!(
            (f[0].score - 0.56).abs() < 1e-6 && f[0].category == Category::Firearm,
            "{scores:?}"
        );
        assert!(
            (f[1].score - 0.42).abs() < 1e-6 && f[1].category == Category::Part,
            "{scores:?}"
        );
        assert!(
            (f[2].score - 0.35).abs() < 1e-6 && f[2].category == Category::Ammunition,
            "{scores:?}"
        );
    }

    #[test]
    fn boxes_overlapping_less_than_the_rule_stay_apart_and_low_scores_drop() {
        let a = vec![det(Category::Part, 0.5, [0.0, 0.0, 100.0, 100.0])];
        let b = vec![det(Category::Part, 0.06, [60.0, 0.0, 160.0, 100.0])];
        let f = fuse_views(a, b, &RULE, 0.05);
        // IoU 0.25 < 0.5: both alone; 0.06 x 0.7 = 0.042 falls under the listing score
        assert_eq!(f.len(), 1);
        assert!((f[0].score - 0.35).abs() < 1e-6);
    }

    #[test]
    fn each_detection_pairs_at_most_once_with_its_best_match() {
        let a = vec![det(Category::Firearm, 0.9, [0.0, 0.0, 100.0, 100.0])];
        let b = vec![
            det(Category::Firearm, 0.8, [20.0, 0.0, 120.0, 100.0]),
            det(Category::Firearm, 0.7, [2.0, 0.0, 102.0, 100.0]),
        ];
        let f = fuse_views(a, b, &RULE, 0.05);
        assert_eq!(f.len(), 2);
        // the best-overlapping box (IoU 0.96), not the best-scoring one (IoU 0.67), is the pair
        assert!((f[0].score - 0.8).abs() < 1e-6);
        assert!((f[1].score - 0.8 * 0.7).abs() < 1e-6);
        assert!((f[1].box_in_image.x1 - 20.0).abs() < 1e-6);
    }

    #[test]
    fn mirroring_twice_gives_the_box_back_and_maps_the_left_edge_to_the_right() {
        let b = BoxInImage::new(0.0, 5.0, 30.0, 25.0);
        let m = mirror_box(&b, 200.0);
        assert_eq!(m.to_array(), [170.0, 5.0, 200.0, 25.0]);
        assert_eq!(mirror_box(&m, 200.0).to_array(), b.to_array());
    }

    #[test]
    fn bad_rules_are_named() {
        assert!(ViewFusion::new(0.0, 0.7)
            .check()
            .is_err_and(|e| e.contains("fuse_iou")));
        assert!(ViewFusion::new(0.5, 1.5)
            .check()
            .is_err_and(|e| e.contains("unseen_factor")));
        assert!(RULE.check().is_ok());
    }

    fn detections() -> impl Strategy<Value = Vec<Detection>> {
        prop::collection::vec(
            (
                0usize..3,
                0.05f32..1.0,
                0.0f32..200.0,
                0.0f32..200.0,
                1.0f32..80.0,
                1.0f32..80.0,
            ),
            0..8,
        )
        .prop_map(|v| {
            v.into_iter()
                .map(|(c, s, x, y, w, h)| {
                    det(
                        [Category::Firearm, Category::Part, Category::Ammunition][c],
                        s,
                        [x, y, x + w, y + h],
                    )
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn fusing_a_view_with_itself_keeps_it_and_nothing_is_invented(
            a in detections(),
            b in detections(),
        ) {
            // a list fused with itself: every detection pairs with its own copy, unchanged
            let mut same = fuse_views(a.clone(), a.clone(), &RULE, 0.0);
            let mut expected = a.clone();
            expected.sort_by(by_score_desc);
            same.sort_by(by_score_desc);
            prop_assert_eq!(same.len(), expected.len());
            for (s, e) in same.iter().zip(&expected) {
                prop_assert!((s.score - e.score).abs() < 1e-6);
            }
            // two lists: between max(|a|,|b|) and |a|+|b| detections, no score above the best input
            let f = fuse_views(a.clone(), b.clone(), &RULE, 0.0);
            prop_assert!(f.len() >= a.len().max(b.len()) && f.len() <= a.len() + b.len());
            let top = a.iter().chain(&b).map(|d| d.score).fold(0.0f32, f32::max);
            prop_assert!(f.iter().all(|d| d.score <= top + 1e-6));
        }
    }
}
