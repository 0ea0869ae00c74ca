//! What is known of the scanner a scan came from.

use serde::{Deserialize, Serialize};

/// A scanner's description: what a scan from it does not say of itself. A scan's own metadata
/// and a value given for one scan come before it; the model's assumption comes after it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ScannerProfile {
    /// A name for records and logs, e.g. the scanner's make and model.
    pub name: Option<String>,
    /// The size of one pixel at the belt, in millimetres.
    pub pixel_spacing_mm: Option<f32>,
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

    /// Checks the values a profile holds.
    ///
    /// # Errors
    /// A message naming the field at fault: a pixel spacing that is not a positive finite number.
    pub fn check(&self) -> Result<(), String> {
        match self.pixel_spacing_mm {
            Some(v) if !(v.is_finite() && v > 0.0) => Err(format!(
                "pixel_spacing_mm {v}: must be a positive number of millimetres"
            )),
            _ => Ok(()),
        }
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
        for bad in [0.0, -1.0, f32::NAN, f32::INFINITY] {
            let err = ScannerProfile::default()
                .with_pixel_spacing_mm(Some(bad))
                .check()
                .unwrap_err();
            assert!(err.contains("pixel_spacing_mm"), "{err}");
        }
    }
}
