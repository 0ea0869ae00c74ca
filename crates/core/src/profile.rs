//! What is known of the scanner a scan came from.

use serde::{Deserialize, Serialize};

/// The schema tag of a scanner profile file.
pub const SCANNER_PROFILE_SCHEMA: &str = "armscan.scanner/1";

/// Which plane of a two-plane (dual-energy) file holds the high-energy image.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DualOrder {
    /// The first page (or sample) is the high-energy image (armscan's convention).
    #[default]
    HighFirst,
    /// The first is the low-energy image.
    LowFirst,
}

/// What the stored sample values mean.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum StoredValues {
    /// Transmitted intensity: bright is empty, dark is dense (as most scanners store it).
    #[default]
    Transmission,
    /// Attenuation: bright is dense; the samples are inverted on reading.
    Attenuation,
}

/// A scanner's description: what a scan from it does not say of itself. Given for one scan, or
/// stated by the scan's file, a pixel spacing comes before the profile's; the model's assumption
/// comes after it. Read from a file (schema [`SCANNER_PROFILE_SCHEMA`]) by
/// `armscan_ingest::read_scanner_profile`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ScannerProfile {
    /// A name for records and logs, e.g. the scanner's make and model.
    #[serde(default)]
    pub name: Option<String>,
    /// The size of one pixel at the belt, in millimetres.
    #[serde(default)]
    pub pixel_spacing_mm: Option<f32>,
    /// Which plane of a dual-energy file is the high-energy one.
    #[serde(default)]
    pub dual_order: DualOrder,
    /// What the stored values mean.
    #[serde(default)]
    pub stored_values: StoredValues,
}

impl ScannerProfile {
    #[must_use]
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
    #[must_use]
    pub fn with_pixel_spacing_mm(mut self, spacing_mm: Option<f32>) -> Self {
        self.pixel_spacing_mm = spacing_mm;
        self
    }
    #[must_use]
    pub fn with_dual_order(mut self, order: DualOrder) -> Self {
        self.dual_order = order;
        self
    }
    #[must_use]
    pub fn with_stored_values(mut self, values: StoredValues) -> Self {
        self.stored_values = values;
        self
    }

    /// Checks the values a profile holds.
    ///
    /// # Errors
    /// A message naming the field at fault: a pixel spacing that is not a positive finite number
    /// (at most 10 mm), an empty name.
    pub fn check(&self) -> Result<(), String> {
        if let Some(v) = self.pixel_spacing_mm {
            if !(v.is_finite() && v > 0.0 && v <= 10.0) {
                return Err(format!(
                    "pixel_spacing_mm {v}: must be a positive number of millimetres, at most 10"
                ));
            }
        }
        if self.name.as_deref().is_some_and(|n| n.trim().is_empty()) {
            return Err("name: empty".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spacing_must_be_positive() {
        assert!(ScannerProfile::default().check().is_ok());
        assert!(ScannerProfile::default()
            .with_pixel_spacing_mm(Some(0.8))
            .check()
            .is_ok());
        for bad in [0.0, -1.0, f32::NAN, f32::INFINITY, 11.0] {
            let err = ScannerProfile::default()
                .with_pixel_spacing_mm(Some(bad))
                .check()
                .unwrap_err();
            assert!(err.contains("pixel_spacing_mm"), "{err}");
        }
        assert!(ScannerProfile::default().with_name(" ").check().is_err());
    }
}
