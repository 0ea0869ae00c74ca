//! Scans whose pixel spacing nothing states: estimate it from the content, search scales, or
//! take the model's assumption ([`UnknownSpacing`]).
//!
//! Searching scales:
//! A detector is trained at one working spacing; a scan whose spacing is unknown is screened at
//! each candidate spacing of a ladder over the range real scanners use (about 0.1 to 2.5 mm a
//! pixel), keeping only the candidates at which the scan's long side would measure a plausible
//! scene (by default 15 cm, a loose part alone, to 2 m, a crate): the scene's size bounds the
//! cost. The detections of all candidates are merged by class-aware NMS.

use armscan_core::ContentPrior;

/// What a detector does with a scan whose spacing nothing states (not the caller, the file or a
/// scanner profile).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum UnknownSpacing {
    /// Estimate it from the scan's content ([`armscan_core::estimate_from_content`]): one pass at
    /// the estimate, the cost of a known spacing; records say `estimate`. Where the scan is empty,
    /// the model's assumption. The default.
    Estimate(ContentPrior),
    /// Screen the scan at each spacing of a [`ScaleSearch`] and merge; records say `search`.
    Search(ScaleSearch),
    /// The manifest's `framing.assumed_mm_per_px` (or, without one, the input fit by size);
    /// records say `model_assumption`.
    ModelAssumption,
}

impl Default for UnknownSpacing {
    fn default() -> Self {
        UnknownSpacing::Estimate(ContentPrior::default())
    }
}

impl UnknownSpacing {
    /// Checks the values.
    ///
    /// # Errors
    /// A message naming the faulty value.
    pub fn check(&self) -> Result<(), String> {
        match self {
            UnknownSpacing::Estimate(prior) => {
                prior.check().map_err(|e| format!("spacing estimate: {e}"))
            }
            UnknownSpacing::Search(search) => {
                search.check().map_err(|e| format!("scale search: {e}"))
            }
            UnknownSpacing::ModelAssumption => Ok(()),
        }
    }
}

/// The search: candidate spacings, the plausible scene, and the merge.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ScaleSearch {
    /// Candidate spacings in millimetres a pixel, ascending.
    pub spacings_mm: Vec<f32>,
    /// The shortest and longest plausible long side of a scan, in millimetres.
    pub scene_long_side_mm: (f32, f32),
    /// Same-class detections of different candidates overlapping by at least this IoU are one.
    pub nms_iou: f32,
}

impl Default for ScaleSearch {
    /// A ladder of ratio about 1.6 from 0.1 to 2.5 mm, scenes of 15 cm to 2 m, IoU 0.5.
    fn default() -> Self {
        Self {
            spacings_mm: vec![0.1, 0.16, 0.25, 0.4, 0.63, 1.0, 1.6, 2.5],
            scene_long_side_mm: (150.0, 2000.0),
            nms_iou: 0.5,
        }
    }
}

impl ScaleSearch {
    #[must_use]
    pub fn with_spacings_mm(mut self, spacings_mm: Vec<f32>) -> Self {
        self.spacings_mm = spacings_mm;
        self
    }
    #[must_use]
    pub fn with_scene_long_side_mm(mut self, shortest: f32, longest: f32) -> Self {
        self.scene_long_side_mm = (shortest, longest);
        self
    }
    #[must_use]
    pub fn with_nms_iou(mut self, iou: f32) -> Self {
        self.nms_iou = iou;
        self
    }

    /// Checks the values.
    ///
    /// # Errors
    /// A message naming the faulty value.
    pub fn check(&self) -> Result<(), String> {
        if self.spacings_mm.is_empty() {
            return Err("no candidate spacing".into());
        }
        if let Some(bad) = self
            .spacings_mm
            .iter()
            .find(|s| !(s.is_finite() && **s > 0.0))
        {
            return Err(format!(
                "spacing {bad}: must be a positive number of millimetres"
            ));
        }
        let (lo, hi) = self.scene_long_side_mm;
        if !(lo.is_finite() && hi.is_finite() && lo > 0.0 && lo <= hi) {
            return Err(format!(
                "scene long side {lo}..{hi} mm: must be positive and ordered"
            ));
        }
        if !(0.0..=1.0).contains(&self.nms_iou) {
            return Err(format!("nms_iou {}: must be in [0, 1]", self.nms_iou));
        }
        Ok(())
    }

    /// The candidate spacings for a scan of `width` x `height` pixels: those at which its long
    /// side measures a plausible scene; when none does, the one that comes nearest.
    #[must_use]
    pub fn spacings_for(&self, width: u32, height: u32) -> Vec<f32> {
        let long_px = width.max(height).max(1) as f32;
        let (lo, hi) = self.scene_long_side_mm;
        let fits: Vec<f32> = self
            .spacings_mm
            .iter()
            .copied()
            .filter(|s| (lo..=hi).contains(&(long_px * s)))
            .collect();
        if !fits.is_empty() {
            return fits;
        }
        // the candidate whose scene is nearest the plausible range (in ratio)
        let miss = |s: f32| {
            let mm = long_px * s;
            if mm < lo {
                lo / mm
            } else {
                mm / hi
            }
        };
        self.spacings_mm
            .iter()
            .copied()
            .min_by(|a, b| miss(*a).total_cmp(&miss(*b)))
            .into_iter()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_are_those_of_a_plausible_scene() {
        let search = ScaleSearch::default();
        // 1024 px: 0.16 mm -> 16 cm ... 1.6 mm -> 1.6 m; 2.5 mm -> 2.6 m is too long
        assert_eq!(
            search.spacings_for(1024, 768),
            vec![0.16, 0.25, 0.4, 0.63, 1.0, 1.6]
        );
        // a GDXray bag, 2688 px: 0.1 mm is 27 cm, 0.63 mm 1.7 m
        assert_eq!(
            search.spacings_for(2688, 2208),
            vec![0.1, 0.16, 0.25, 0.4, 0.63]
        );
        // a 40-pixel crop: nothing plausible, the nearest (2.5 mm, 10 cm) is tried
        assert_eq!(search.spacings_for(40, 30), vec![2.5]);
        // a huge scan: the finest
        assert_eq!(search.spacings_for(100_000, 10), vec![0.1]);
    }

    #[test]
    fn bad_searches_are_refused_by_name() {
        assert!(ScaleSearch::default().check().is_ok());
        let err = ScaleSearch::default()
            .with_spacings_mm(vec![])
            .check()
            .unwrap_err();
        assert!(err.contains("no candidate"), "{err}");
        let err = ScaleSearch::default()
            .with_spacings_mm(vec![0.5, -1.0])
            .check()
            .unwrap_err();
        assert!(err.contains("-1"), "{err}");
        let err = ScaleSearch::default()
            .with_scene_long_side_mm(2.0, 1.0)
            .check()
            .unwrap_err();
        assert!(err.contains("scene"), "{err}");
        assert!(ScaleSearch::default().with_nms_iou(1.5).check().is_err());
    }
}
