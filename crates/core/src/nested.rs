//! Damping of detections that a containing detection of another category explains.
//!
//! A whole firearm contains its parts: its slide, magazine, cylinder and barrel are parts in their
//! own right, and a detector trained to find loose parts also fires on them. Where a part box lies
//! inside a firearm box that scores at least as high, the firearm explains it: the part's score
//! is lowered (not removed, as a loose part may lie on a firearm in the bag). The rules come from
//! the model manifest, as data; none is applied unless the manifest names it.

use serde::{Deserialize, Serialize};

use crate::nms::by_score_desc;
use crate::taxonomy::Category;
use crate::verdict::Detection;

/// One damping rule: a detection of category `inner` lying at least `min_fraction_inside` of its
/// area inside a detection of category `outer` that scores at least as high has its score
/// multiplied by `factor`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NestedDamping {
    /// The category of the damped detection, e.g. `part`.
    pub inner: Category,
    /// The category of the detection that explains it, e.g. `firearm`.
    pub outer: Category,
    /// The least share of the inner box's area inside the outer box, in `(0, 1]`.
    pub min_fraction_inside: f32,
    /// The multiplier of the inner detection's score, in `[0, 1]`.
    pub factor: f32,
}

impl NestedDamping {
    /// A rule; [`NestedDamping::check`] says whether its numbers are in range.
    #[must_use]
    pub fn new(inner: Category, outer: Category, min_fraction_inside: f32, factor: f32) -> Self {
        Self {
            inner,
            outer,
            min_fraction_inside,
            factor,
        }
    }

    /// Why the rule cannot be applied, if it cannot.
    ///
    /// # Errors
    /// A sentence naming the faulty field.
    pub fn check(&self) -> Result<(), String> {
        if self.inner == self.outer {
            return Err(format!("inner and outer are both `{}`", self.inner));
        }
        if !(self.min_fraction_inside > 0.0 && self.min_fraction_inside <= 1.0) {
            return Err(format!(
                "min_fraction_inside = {} (above 0, at most 1)",
                self.min_fraction_inside
            ));
        }
        if !(0.0..=1.0).contains(&self.factor) {
            return Err(format!("factor = {} (0 to 1)", self.factor));
        }
        Ok(())
    }

    /// Whether `outer` explains `inner` under this rule (scores as they were before any damping).
    fn explains(&self, inner: &Detection, outer: &Detection) -> bool {
        inner.category == self.inner
            && outer.category == self.outer
            && outer.score >= inner.score
            && inner.box_in_image.fraction_inside(&outer.box_in_image) >= self.min_fraction_inside
    }
}

/// Applies `rules` to one scan's detections in place: every detection explained by another
/// under a rule has its score multiplied by that rule's factor (once per rule that holds; the
/// tests use the scores as they were before any damping, so the order of detections does not
/// matter). Detections then below `min_score` are dropped, and the rest sorted by score, best
/// first. An explaining detection scores at least as high as the one it damps, so the scan's top
/// score, and with it the verdict, never changes.
pub fn damp_nested_mut(detections: &mut Vec<Detection>, rules: &[NestedDamping], min_score: f32) {
    if rules.is_empty() {
        return;
    }
    let factors: Vec<f32> = detections
        .iter()
        .enumerate()
        .map(|(i, inner)| {
            rules
                .iter()
                .filter(|rule| {
                    detections
                        .iter()
                        .enumerate()
                        .any(|(j, outer)| j != i && rule.explains(inner, outer))
                })
                .map(|rule| rule.factor)
                .product()
        })
        .collect();
    for (d, factor) in detections.iter_mut().zip(factors) {
        d.score *= factor;
    }
    detections.retain(|d| d.score >= min_score);
    detections.sort_by(by_score_desc);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::BoxInImage;
    use crate::verdict::Thresholds;

    fn det(category: Category, score: f32, b: [f32; 4]) -> Detection {
        Detection {
            class_name: category.as_str().into(),
            category,
            score,
            box_in_image: BoxInImage::new(b[0], b[1], b[2], b[3]),
        }
    }

    fn part_in_firearm() -> NestedDamping {
        NestedDamping::new(Category::Part, Category::Firearm, 0.8, 0.7)
    }

    #[test]
    fn a_part_inside_a_stronger_firearm_is_damped() {
        let mut d = vec![
            det(Category::Part, 0.6, [20.0, 20.0, 40.0, 40.0]),
            det(Category::Firearm, 0.9, [0.0, 0.0, 100.0, 60.0]),
        ];
        damp_nested_mut(&mut d, &[part_in_firearm()], 0.05);
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].category, Category::Firearm);
        assert!(
            (d[0].score - 0.9).abs() < 1e-6,
            "the firearm keeps its score"
        );
        assert!(
            (d[1].score - 0.42).abs() < 1e-6,
            "part score {}",
            d[1].score
        );
    }

    #[test]
    fn a_part_stronger_than_the_firearm_or_mostly_outside_it_keeps_its_score() {
        let firearm = det(Category::Firearm, 0.5, [0.0, 0.0, 100.0, 60.0]);
        let stronger = det(Category::Part, 0.8, [20.0, 20.0, 40.0, 40.0]);
        // 70 % of this part lies inside the firearm's box: under the rule's 0.8.
        let straddling = det(Category::Part, 0.3, [86.0, 20.0, 106.0, 40.0]);
        let mut d = vec![firearm, stronger.clone(), straddling.clone()];
        damp_nested_mut(&mut d, &[part_in_firearm()], 0.05);
        assert_eq!(
            d.iter().map(|d| d.score).collect::<Vec<_>>(),
            vec![0.8, 0.5, 0.3]
        );
    }

    #[test]
    fn only_the_named_categories_are_touched() {
        // ammunition inside a firearm, and a part inside a stronger part: no rule names them
        let mut d = vec![
            det(Category::Firearm, 0.9, [0.0, 0.0, 100.0, 60.0]),
            det(Category::Ammunition, 0.6, [10.0, 10.0, 20.0, 20.0]),
            det(Category::Part, 0.95, [0.0, 0.0, 200.0, 200.0]),
            det(Category::Part, 0.4, [150.0, 150.0, 170.0, 170.0]),
        ];
        let before = d.clone();
        damp_nested_mut(&mut d, &[part_in_firearm()], 0.05);
        let mut want = before;
        want.sort_by(by_score_desc);
        assert_eq!(d, want);
    }

    #[test]
    fn damped_detections_below_min_score_are_dropped() {
        let mut d = vec![
            det(Category::Firearm, 0.9, [0.0, 0.0, 100.0, 60.0]),
            det(Category::Part, 0.06, [20.0, 20.0, 40.0, 40.0]),
        ];
        damp_nested_mut(&mut d, &[part_in_firearm()], 0.05);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].category, Category::Firearm);
    }

    #[test]
    fn the_order_of_detections_does_not_matter_and_damping_does_not_chain() {
        // A firearm inside a stronger part and a part inside that firearm: with a second rule
        // damping firearms inside parts, each rule tests the undamped scores.
        let rules = [
            part_in_firearm(),
            NestedDamping::new(Category::Firearm, Category::Part, 0.8, 0.5),
        ];
        let a = vec![
            det(Category::Part, 0.95, [0.0, 0.0, 300.0, 300.0]),
            det(Category::Firearm, 0.9, [0.0, 0.0, 100.0, 60.0]),
            det(Category::Part, 0.6, [20.0, 20.0, 40.0, 40.0]),
        ];
        let mut b = a.clone();
        b.reverse();
        let mut a = a;
        damp_nested_mut(&mut a, &rules, 0.05);
        damp_nested_mut(&mut b, &rules, 0.05);
        assert_eq!(a, b);
        let scores: Vec<f32> = a.iter().map(|d| d.score).collect();
        // the large part is inside nothing; the firearm is halved; the small part is inside both
        // the firearm (0.9 >= 0.6, rule 1) and the large part (a part: no rule), so 0.6 * 0.7
        assert!(
            (scores[0] - 0.95).abs() < 1e-6
                && (scores[1] - 0.45).abs() < 1e-6
                && (scores[2] - 0.42).abs() < 1e-6,
            "{scores:?}"
        );
    }

    #[test]
    fn the_verdict_never_changes() {
        let t = Thresholds::new(0.05, 0.25, 0.5);
        for (firearm_score, part_score) in
            [(0.3, 0.3), (0.5, 0.5), (0.55, 0.52), (0.2, 0.9), (0.9, 0.1)]
        {
            let mut d = vec![
                det(Category::Firearm, firearm_score, [0.0, 0.0, 100.0, 60.0]),
                det(Category::Part, part_score, [20.0, 20.0, 40.0, 40.0]),
            ];
            let before = t.verdict(&d);
            damp_nested_mut(&mut d, &[part_in_firearm()], t.min_score);
            assert_eq!(
                t.verdict(&d),
                before,
                "firearm {firearm_score}, part {part_score}"
            );
        }
    }

    #[test]
    fn rules_out_of_range_are_refused() {
        assert!(part_in_firearm().check().is_ok());
        assert!(NestedDamping::new(Category::Part, Category::Part, 0.8, 0.7)
            .check()
            .is_err());
        assert!(
            NestedDamping::new(Category::Part, Category::Firearm, 0.0, 0.7)
                .check()
                .is_err()
        );
        assert!(
            NestedDamping::new(Category::Part, Category::Firearm, 0.8, 1.5)
                .check()
                .is_err()
        );
        assert!(
            NestedDamping::new(Category::Part, Category::Firearm, f32::NAN, 0.7)
                .check()
                .is_err()
        );
    }
}
