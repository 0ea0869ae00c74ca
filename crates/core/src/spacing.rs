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

#[cfg(test)]
mod tests {
    use super::*;

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
