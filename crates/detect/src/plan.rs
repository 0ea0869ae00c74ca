//! The preprocessing plan of one frame: how image pixels became model pixels, and back.

use armscan_core::{BoxInImage, BoxInModel, FrameRect};
use serde::Serialize;

use crate::manifest::{Fit, FramingSpec};

/// The scale that brings a whole scan to the model's working scale.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct WorkingScale {
    /// Size of the scan in its own pixels.
    pub image_width: u32,
    pub image_height: u32,
    /// Size of the scan at working scale (rounded), in working pixels.
    pub working_width: u32,
    pub working_height: u32,
}

impl WorkingScale {
    /// The working scale for a scan of `width` x `height`, for a model input of
    /// `input_width` x `input_height`, by the manifest's framing rule.
    #[must_use]
    pub fn for_scan(
        width: u32,
        height: u32,
        pixel_spacing_mm: Option<f32>,
        input_width: u32,
        input_height: u32,
        framing: &FramingSpec,
    ) -> Self {
        let (w, h) = (width.max(1), height.max(1));
        let spacing = pixel_spacing_mm.or(framing.assumed_mm_per_px);
        let scale = match (framing.working_mm_per_px, spacing) {
            (Some(target), Some(spacing)) => f64::from(spacing) / f64::from(target),
            _ if framing.fit == Fit::Native => 1.0,
            _ => {
                let short_side = f64::from(w.min(h));
                let target = f64::from(if w <= h { input_width } else { input_height });
                target / short_side
            }
        };
        let scale = scale.min(f64::from(framing.max_upscale));
        let scaled = |v: u32| -> u32 { ((f64::from(v) * scale).round() as u32).max(1) };
        Self {
            image_width: w,
            image_height: h,
            working_width: scaled(w),
            working_height: scaled(h),
        }
    }

    /// The same scan at `factor` times coarser (the coarse pass), at least one pixel a side.
    #[must_use]
    pub fn coarser(&self, factor: f32) -> Self {
        let scaled = |v: u32| -> u32 { ((f64::from(v) / f64::from(factor)).round() as u32).max(1) };
        Self {
            working_width: scaled(self.working_width),
            working_height: scaled(self.working_height),
            ..*self
        }
    }

    /// Working pixels per image pixel along x.
    #[must_use]
    pub fn sx(&self) -> f32 {
        self.working_width as f32 / self.image_width as f32
    }

    /// Working pixels per image pixel along y.
    #[must_use]
    pub fn sy(&self) -> f32 {
        self.working_height as f32 / self.image_height as f32
    }
}

/// How one frame's model input was made from the scan, so that it can be undone exactly.
///
/// Model pixel `(u, v)` of this frame is working pixel `(u + frame.x, v + frame.y)`, which is
/// image pixel `((u + frame.x) / sx, (v + frame.y) / sy)`. Model pixels beyond the frame's
/// width or height are padding.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct PreprocessPlan {
    pub scale: WorkingScale,
    pub frame: FrameRect,
    pub input_width: u32,
    pub input_height: u32,
}

impl PreprocessPlan {
    /// Maps a box from image pixels into this frame's model pixels (not clipped).
    #[must_use]
    pub fn model_from_image(&self, b: &BoxInImage) -> BoxInModel {
        let (sx, sy) = (self.scale.sx(), self.scale.sy());
        let (fx, fy) = (self.frame.x as f32, self.frame.y as f32);
        BoxInModel::new(
            b.x1 * sx - fx,
            b.y1 * sy - fy,
            b.x2 * sx - fx,
            b.y2 * sy - fy,
        )
    }

    /// Maps a box from this frame's model pixels back to image pixels (not clipped).
    #[must_use]
    pub fn image_from_model(&self, b: &BoxInModel) -> BoxInImage {
        let (sx, sy) = (self.scale.sx(), self.scale.sy());
        let (fx, fy) = (self.frame.x as f32, self.frame.y as f32);
        BoxInImage::new(
            (b.x1 + fx) / sx,
            (b.y1 + fy) / sy,
            (b.x2 + fx) / sx,
            (b.y2 + fy) / sy,
        )
    }

    /// The part of the model input that holds the scan (the rest is padding), in model pixels.
    #[must_use]
    pub fn valid_region(&self) -> BoxInModel {
        BoxInModel::new(0.0, 0.0, self.frame.width as f32, self.frame.height as f32)
    }

    /// Which sides of a model-space box lie on a cut shared with a neighbouring frame
    /// (within `tolerance_px` model pixels): left, top, right, bottom.
    #[must_use]
    pub fn truncated_sides(&self, b: &BoxInModel, tolerance_px: f32) -> [bool; 4] {
        let v = self.valid_region();
        let c = self.frame.cut_edges;
        [
            c[0] && b.x1 <= v.x1 + tolerance_px,
            c[1] && b.y1 <= v.y1 + tolerance_px,
            c[2] && b.x2 >= v.x2 - tolerance_px,
            c[3] && b.y2 >= v.y2 - tolerance_px,
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use armscan_core::FrameGrid;
    use proptest::prelude::*;

    fn framing(fit: &str) -> FramingSpec {
        let fit = Fit::try_from(fit.to_owned()).expect("a known fit");
        FramingSpec {
            fit,
            max_upscale: 2.0,
            overlap_px: 96,
            working_mm_per_px: None,
            assumed_mm_per_px: None,
            coarse_pass: None,
        }
    }

    #[test]
    fn short_side_fit_scales_the_short_side_to_the_input() {
        let s = WorkingScale::for_scan(2688, 2208, None, 320, 320, &framing("short_side"));
        assert_eq!((s.working_width, s.working_height), (390, 320));
        let s = WorkingScale::for_scan(100, 50, None, 320, 320, &framing("short_side"));
        assert_eq!(
            (s.working_width, s.working_height),
            (200, 100),
            "upscale capped at 2x"
        );
    }

    #[test]
    fn spacing_overrides_fit_when_both_known() {
        let mut f = framing("short_side");
        f.working_mm_per_px = Some(2.0);
        let s = WorkingScale::for_scan(1000, 800, Some(1.0), 320, 320, &f);
        assert_eq!((s.working_width, s.working_height), (500, 400));
        let s = WorkingScale::for_scan(1000, 800, None, 320, 320, &f);
        assert_eq!(s.working_height, 320);
        // a scan without a spacing takes the assumed one; a stated spacing still wins
        f.assumed_mm_per_px = Some(0.5);
        let s = WorkingScale::for_scan(1000, 800, None, 320, 320, &f);
        assert_eq!((s.working_width, s.working_height), (250, 200));
        let s = WorkingScale::for_scan(1000, 800, Some(1.0), 320, 320, &f);
        assert_eq!((s.working_width, s.working_height), (500, 400));
    }

    proptest! {
        #[test]
        fn image_from_model_undoes_model_from_image(
            w in 1u32..4000, h in 1u32..4000,
            x in 0.0f32..1.0, y in 0.0f32..1.0, bw in 0.0f32..1.0, bh in 0.0f32..1.0,
            native in proptest::bool::ANY,
        ) {
            let f = framing(if native { "native" } else { "short_side" });
            let scale = WorkingScale::for_scan(w, h, None, 320, 320, &f);
            let grid =
                FrameGrid::new(scale.working_width, scale.working_height, 320, 320, f.overlap_px);
            let b = BoxInImage::new(
                x * w as f32,
                y * h as f32,
                (x + bw * (1.0 - x)) * w as f32,
                (y + bh * (1.0 - y)) * h as f32,
            );
            for frame in grid.frames {
                let plan = PreprocessPlan { scale, frame, input_width: 320, input_height: 320 };
                let back = plan.image_from_model(&plan.model_from_image(&b));
                let tol = 1e-3 * (w.max(h) as f32);
                prop_assert!((back.x1 - b.x1).abs() < tol && (back.y1 - b.y1).abs() < tol);
                prop_assert!((back.x2 - b.x2).abs() < tol && (back.y2 - b.y2).abs() < tol);
            }
        }
    }

    #[test]
    fn coarser_scale_divides_the_working_size() {
        let mut f = framing("short_side");
        f.working_mm_per_px = Some(1.5);
        let fine = WorkingScale::for_scan(1000, 800, Some(1.0), 320, 320, &f);
        assert_eq!((fine.working_width, fine.working_height), (667, 533));
        let coarse = fine.coarser(2.0);
        assert_eq!((coarse.working_width, coarse.working_height), (334, 267));
        assert_eq!((coarse.image_width, coarse.image_height), (1000, 800));
        assert!((coarse.sx() - 0.334).abs() < 1e-6);
        assert_eq!(
            WorkingScale::for_scan(3, 3, None, 320, 320, &framing("native"))
                .coarser(8.0)
                .working_width,
            1
        );
    }

    #[test]
    fn truncation_only_on_cut_edges() {
        let scale = WorkingScale::for_scan(320, 1000, None, 320, 320, &framing("short_side"));
        let grid = FrameGrid::new(scale.working_width, scale.working_height, 320, 320, 96);
        let first = PreprocessPlan {
            scale,
            frame: grid.frames[0],
            input_width: 320,
            input_height: 320,
        };
        let b = BoxInModel::new(0.0, 200.0, 50.0, 320.0);
        // Left is an image border, not a cut; bottom is a cut.
        assert_eq!(first.truncated_sides(&b, 2.0), [false, false, false, true]);
    }
}
