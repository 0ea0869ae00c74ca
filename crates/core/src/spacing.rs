//! Pixel spacing: the size of one pixel at the belt, and where that figure came from.

use serde::{Deserialize, Serialize};

/// Where a scan's pixel spacing came from, most trusted first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SpacingSource {
    /// Given for this one scan by the caller (a request, a data set's image entry).
    Given,
    /// Read from the scan file itself (PNG `pHYs`, TIFF resolution tags).
    File,
    /// The scanner's profile (or `--pixel-spacing-mm`), for scans that do not say.
    Profile,
    /// Estimated from the scan's content ([`estimate_from_content`]): the extent of what lies on
    /// the belt, taken to be a parcel of typical size.
    Estimate,
    /// The model's assumption for scans nothing is known of (`framing.assumed_mm_per_px`).
    ModelAssumption,
    /// Nothing was known: the scan was screened at several spacings, and this one's pass found
    /// the best detection.
    Search,
}

impl SpacingSource {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            SpacingSource::Given => "given",
            SpacingSource::File => "file",
            SpacingSource::Profile => "profile",
            SpacingSource::Estimate => "estimate",
            SpacingSource::ModelAssumption => "model_assumption",
            SpacingSource::Search => "search",
        }
    }
}

impl std::fmt::Display for SpacingSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A pixel spacing in millimetres and its source.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PixelSpacing {
    pub mm: f32,
    pub source: SpacingSource,
}

impl PixelSpacing {
    /// A spacing from `source`; `None` unless `mm` is a positive finite number.
    #[must_use]
    pub fn new(mm: f32, source: SpacingSource) -> Option<Self> {
        (mm.is_finite() && mm > 0.0).then_some(Self { mm, source })
    }
}

/// What [`estimate_from_content`] takes a scan's content to be: the long side of what lies on the
/// belt (the parcel, the bag, the tray with its contents), in millimetres, and the spacings it may
/// conclude.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct ContentPrior {
    /// The long side of the content in millimetres. The default, 300 mm, is the median over
    /// the bags of GDXray series B0046 (the dev set's training bags, measured by this estimator
    /// at the dev set's 0.16 mm/px; 10th to 90th percentile 268 to 348 mm).
    pub content_long_side_mm: f32,
    /// The finest and coarsest spacing the estimate may give, in millimetres a pixel (the range
    /// real scanners use).
    pub spacing_range_mm: (f32, f32),
}

impl Default for ContentPrior {
    fn default() -> Self {
        Self {
            content_long_side_mm: 300.0,
            spacing_range_mm: (0.1, 2.5),
        }
    }
}

impl ContentPrior {
    #[must_use]
    pub fn with_content_long_side_mm(mut self, mm: f32) -> Self {
        self.content_long_side_mm = mm;
        self
    }
    #[must_use]
    pub fn with_spacing_range_mm(mut self, finest: f32, coarsest: f32) -> Self {
        self.spacing_range_mm = (finest, coarsest);
        self
    }

    /// Checks the values.
    ///
    /// # Errors
    /// A message naming the faulty value.
    pub fn check(&self) -> Result<(), String> {
        let l = self.content_long_side_mm;
        if !(l.is_finite() && l > 0.0) {
            return Err(format!(
                "content long side {l} mm: must be a positive number"
            ));
        }
        let (lo, hi) = self.spacing_range_mm;
        if !(lo.is_finite() && hi.is_finite() && lo > 0.0 && lo <= hi) {
            return Err(format!(
                "spacing range {lo}..{hi} mm: must be positive and ordered"
            ));
        }
        Ok(())
    }
}

/// A spacing estimated from a scan's content, and what it was measured on.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct ContentEstimate {
    /// The estimated spacing, within the prior's range.
    pub spacing: PixelSpacing,
    /// The extent of the content found, in image pixels (width, height).
    pub content_extent_px: (f32, f32),
}

/// The long side of the work image the estimator measures on, in pixels.
const ESTIMATE_WORK_PX: u32 = 256;

/// Estimates the pixel spacing of an 8-bit detector grey image (bright = empty) from its content:
/// the extent of what is denser than the empty belt (pixels darker than 0.85 of the belt's
/// brightness, the 99th percentile; 1 % of that mass trimmed on each side, so specks and a stray
/// edge do not count), whose long side is taken to be [`ContentPrior::content_long_side_mm`].
/// Measured on a copy reduced to about 256 pixels (box filter), so it costs well under a
/// millisecond per megapixel of copy.
///
/// Returns `None` when the image is empty (nothing denser than the belt) or `grey` does not hold
/// `width * height` samples. An estimate, not a measurement: a scan holding one small item on an
/// empty belt reads as a magnified parcel, a crate as a shrunk one; the record says
/// [`SpacingSource::Estimate`].
#[must_use]
pub fn estimate_from_content(
    grey: &[u8],
    width: u32,
    height: u32,
    prior: &ContentPrior,
) -> Option<ContentEstimate> {
    let (w, h) = (width as usize, height as usize);
    if w == 0 || h == 0 || grey.len() != w * h {
        return None;
    }
    // box-reduce so that the long side is about ESTIMATE_WORK_PX
    let step = (width.max(height).div_ceil(ESTIMATE_WORK_PX)).max(1) as usize;
    let (sw, sh) = (w.div_ceil(step), h.div_ceil(step));
    let mut small = vec![0f32; sw * sh];
    let mut counts = vec![0u32; sw * sh];
    for (y, row) in grey.chunks_exact(w).enumerate() {
        let sy = y / step;
        for (x, &v) in row.iter().enumerate() {
            let i = sy * sw + x / step;
            small[i] += f32::from(v);
            counts[i] += 1;
        }
    }
    for (v, &n) in small.iter_mut().zip(&counts) {
        *v /= n.max(1) as f32;
    }
    let mut sorted = small.clone();
    sorted.sort_by(f32::total_cmp);
    let belt = sorted[((sorted.len() - 1) as f32 * 0.99).round() as usize];
    let threshold = belt * 0.85;
    let mut cols = vec![0u32; sw];
    let mut rows = vec![0u32; sh];
    let mut mass = 0u32;
    for (y, row) in small.chunks_exact(sw).enumerate() {
        for (x, &v) in row.iter().enumerate() {
            if v < threshold {
                cols[x] += 1;
                rows[y] += 1;
                mass += 1;
            }
        }
    }
    if mass < 20 {
        return None;
    }
    // the extent holding the middle 98 % of the content's mass, in work pixels
    let span = |hist: &[u32]| -> f32 {
        let (lo_mass, hi_mass) = (mass as f32 * 0.01, mass as f32 * 0.99);
        let mut acc = 0f32;
        let (mut first, mut last) = (None, hist.len() - 1);
        for (i, &c) in hist.iter().enumerate() {
            acc += c as f32;
            if first.is_none() && acc > lo_mass {
                first = Some(i);
            }
            if acc >= hi_mass {
                last = i;
                break;
            }
        }
        let first = first.unwrap_or(0).min(last);
        (last + 1 - first) as f32
    };
    let extent = (
        (span(&cols) * step as f32).min(width as f32),
        (span(&rows) * step as f32).min(height as f32),
    );
    let long_px = extent.0.max(extent.1).max(1.0);
    let (lo, hi) = prior.spacing_range_mm;
    let mm = (prior.content_long_side_mm / long_px).clamp(lo, hi);
    Some(ContentEstimate {
        spacing: PixelSpacing::new(mm, SpacingSource::Estimate)?,
        content_extent_px: extent,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `w` x `h` belt (230) with a dark rectangle (60) at `x0, y0` of `rw` x `rh` pixels.
    fn scene(w: u32, h: u32, x0: u32, y0: u32, rw: u32, rh: u32) -> Vec<u8> {
        (0..h)
            .flat_map(|y| {
                (0..w).map(move |x| {
                    if (x0..x0 + rw).contains(&x) && (y0..y0 + rh).contains(&y) {
                        60
                    } else {
                        230
                    }
                })
            })
            .collect()
    }

    #[test]
    fn content_estimate_reads_the_parcel_extent() {
        let prior = ContentPrior::default();
        // a 600 x 400 px parcel on a 1000 x 800 belt: 300 mm / 600 px = 0.5 mm/px
        let e = estimate_from_content(&scene(1000, 800, 200, 150, 600, 400), 1000, 800, &prior)
            .unwrap();
        assert_eq!(e.spacing.source, SpacingSource::Estimate);
        assert!((e.spacing.mm - 0.5).abs() < 0.03, "{e:?}");
        assert!((e.content_extent_px.0 - 600.0).abs() < 20.0, "{e:?}");
        assert!((e.content_extent_px.1 - 400.0).abs() < 20.0, "{e:?}");
        // the same scene resampled 4x finer: the estimate follows (0.125 mm/px)
        let fine =
            estimate_from_content(&scene(4000, 3200, 800, 600, 2400, 1600), 4000, 3200, &prior)
                .unwrap();
        assert!(
            (fine.spacing.mm * 4.0 - e.spacing.mm).abs() < 0.03,
            "{fine:?} {e:?}"
        );
        // a stray speck far out does not stretch the extent
        let mut specked = scene(1000, 800, 200, 150, 600, 400);
        specked[5 * 1000 + 5] = 0;
        let s = estimate_from_content(&specked, 1000, 800, &prior).unwrap();
        assert!((s.spacing.mm - e.spacing.mm).abs() < 0.02, "{s:?}");
    }

    #[test]
    fn content_estimate_stays_in_range_and_refuses_empty_images() {
        let prior = ContentPrior::default();
        assert!(estimate_from_content(&vec![230; 100 * 80], 100, 80, &prior).is_none());
        assert!(estimate_from_content(&[1, 2, 3], 100, 80, &prior).is_none());
        // 20 px of content would be 15 mm/px: clamped to the coarsest, 2.5
        let tiny =
            estimate_from_content(&scene(200, 200, 90, 90, 20, 20), 200, 200, &prior).unwrap();
        assert!((tiny.spacing.mm - 2.5).abs() < 1e-6, "{tiny:?}");
        assert!(ContentPrior::default().check().is_ok());
        assert!(ContentPrior::default()
            .with_content_long_side_mm(-1.0)
            .check()
            .is_err());
        assert!(ContentPrior::default()
            .with_spacing_range_mm(2.0, 1.0)
            .check()
            .is_err());
    }

    #[test]
    fn only_positive_spacings_are_kept() {
        assert_eq!(
            PixelSpacing::new(0.8, SpacingSource::File).map(|s| s.mm),
            Some(0.8)
        );
        for bad in [0.0, -0.1, f32::NAN, f32::INFINITY] {
            assert!(PixelSpacing::new(bad, SpacingSource::Given).is_none());
        }
        assert_eq!(
            SpacingSource::ModelAssumption.to_string(),
            "model_assumption"
        );
    }
}
