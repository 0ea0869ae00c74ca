//! A scan and its planes.

use crate::spacing::PixelSpacing;
use serde::Serialize;

/// Errors building a plane from raw samples.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum PlaneError {
    #[error("plane has {got} samples, expected {width}x{height}x{channels} = {expected}")]
    SampleCount {
        width: u32,
        height: u32,
        channels: u32,
        got: usize,
        expected: usize,
    },
    #[error("plane is empty ({width}x{height})")]
    Empty { width: u32, height: u32 },
    #[error("bit depth {0} is not supported (1 to 16)")]
    BitDepth(u8),
}

fn check_len(width: u32, height: u32, channels: u32, got: usize) -> Result<(), PlaneError> {
    if width == 0 || height == 0 {
        return Err(PlaneError::Empty { width, height });
    }
    let expected = (width as usize) * (height as usize) * (channels as usize);
    if got != expected {
        return Err(PlaneError::SampleCount {
            width,
            height,
            channels,
            got,
            expected,
        });
    }
    Ok(())
}

/// One grey plane: row-major samples, `bit_depth` significant bits (8 for 8-bit images, up to 16).
/// In X-ray transmission images bright means little attenuation and dark means dense matter.
#[derive(Clone, PartialEq, Eq)]
pub struct Plane {
    width: u32,
    height: u32,
    bit_depth: u8,
    samples: Vec<u16>,
}

impl std::fmt::Debug for Plane {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Plane({}x{}, {} bit)",
            self.width, self.height, self.bit_depth
        )
    }
}

impl Plane {
    /// # Errors
    /// When the sample count does not match the size, the size is zero, or
    /// the bit depth is out of range.
    pub fn new(
        width: u32,
        height: u32,
        bit_depth: u8,
        samples: Vec<u16>,
    ) -> Result<Self, PlaneError> {
        if bit_depth == 0 || bit_depth > 16 {
            return Err(PlaneError::BitDepth(bit_depth));
        }
        check_len(width, height, 1, samples.len())?;
        Ok(Self {
            width,
            height,
            bit_depth,
            samples,
        })
    }

    #[must_use]
    pub fn width(&self) -> u32 {
        self.width
    }
    #[must_use]
    pub fn height(&self) -> u32 {
        self.height
    }
    #[must_use]
    pub fn bit_depth(&self) -> u8 {
        self.bit_depth
    }
    #[must_use]
    pub fn samples(&self) -> &[u16] {
        &self.samples
    }
    /// The largest value a sample can take at this bit depth.
    #[must_use]
    pub fn max_value(&self) -> u16 {
        if self.bit_depth >= 16 {
            u16::MAX
        } else {
            (1u16 << self.bit_depth) - 1
        }
    }
}

/// An 8-bit RGB plane (pseudo-colour as the scanner shows it, or grey stored as RGB).
#[derive(Clone, PartialEq, Eq)]
pub struct RgbPlane {
    width: u32,
    height: u32,
    rgb: Vec<u8>,
}

impl std::fmt::Debug for RgbPlane {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RgbPlane({}x{})", self.width, self.height)
    }
}

impl RgbPlane {
    /// # Errors
    /// When the byte count does not match `width * height * 3` or the size is zero.
    pub fn new(width: u32, height: u32, rgb: Vec<u8>) -> Result<Self, PlaneError> {
        check_len(width, height, 3, rgb.len())?;
        Ok(Self { width, height, rgb })
    }
    #[must_use]
    pub fn width(&self) -> u32 {
        self.width
    }
    #[must_use]
    pub fn height(&self) -> u32 {
        self.height
    }
    /// Interleaved RGB bytes, row-major.
    #[must_use]
    pub fn rgb(&self) -> &[u8] {
        &self.rgb
    }
}

/// The planes a scanner gives for one scan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Planes {
    /// Single-energy transmission image.
    Grey(Plane),
    /// Dual-energy: the high- and low-energy images of one scan, same size.
    Dual { high: Plane, low: Plane },
    /// A pseudo-colour rendering, the only thing some scanners export.
    PseudoColour(RgbPlane),
}

impl Planes {
    #[must_use]
    pub fn width(&self) -> u32 {
        match self {
            Planes::Grey(p) | Planes::Dual { high: p, .. } => p.width(),
            Planes::PseudoColour(p) => p.width(),
        }
    }
    #[must_use]
    pub fn height(&self) -> u32 {
        match self {
            Planes::Grey(p) | Planes::Dual { high: p, .. } => p.height(),
            Planes::PseudoColour(p) => p.height(),
        }
    }
    /// A short name of the kind of planes: `grey`, `dual` or `pseudo_colour`.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Planes::Grey(_) => "grey",
            Planes::Dual { .. } => "dual",
            Planes::PseudoColour(_) => "pseudo_colour",
        }
    }
}

/// One scan: where it came from, its planes, and its pixel spacing where known.
#[derive(Clone, Debug, PartialEq)]
pub struct Scan {
    /// The path or name the scan was given by.
    pub source: String,
    pub planes: Planes,
    /// Pixel spacing, where the file or the caller knows it, with its source.
    pub pixel_spacing: Option<PixelSpacing>,
    /// The DICOS (DICOM) images the scan was read from, in plane order (high, then low, for a
    /// dual-energy pair): what a Threat Detection Report about it references. Empty for other
    /// formats.
    pub dicos: Vec<DicosImageRef>,
}

/// The identity of one DICOS (DICOM) image a scan was read from: its SOP class and instance and
/// the study, series and frame of reference it belongs to. A Threat Detection Report written
/// about the scan references the image by these UIDs and joins its study.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct DicosImageRef {
    /// SOP Class UID (0008,0016), e.g. DICOS DX for processing `1.2.840.10008.5.1.4.1.1.501.2.2`.
    pub sop_class_uid: String,
    /// SOP Instance UID (0008,0018).
    pub sop_instance_uid: String,
    /// Study Instance UID (0020,000D): in DICOS, the scan of one object of inspection.
    pub study_instance_uid: Option<String>,
    /// Series Instance UID (0020,000E).
    pub series_instance_uid: Option<String>,
    /// Frame of Reference UID (0020,0052).
    pub frame_of_reference_uid: Option<String>,
    /// The object of inspection's id (DICOS reuses Patient ID (0010,0020) for it).
    pub ooi_id: Option<String>,
}

impl DicosImageRef {
    /// A reference by SOP class and instance alone.
    #[must_use]
    pub fn new(sop_class_uid: impl Into<String>, sop_instance_uid: impl Into<String>) -> Self {
        Self {
            sop_class_uid: sop_class_uid.into(),
            sop_instance_uid: sop_instance_uid.into(),
            ..Self::default()
        }
    }
    #[must_use]
    pub fn with_study_instance_uid(mut self, uid: Option<String>) -> Self {
        self.study_instance_uid = uid;
        self
    }
    #[must_use]
    pub fn with_series_instance_uid(mut self, uid: Option<String>) -> Self {
        self.series_instance_uid = uid;
        self
    }
    #[must_use]
    pub fn with_frame_of_reference_uid(mut self, uid: Option<String>) -> Self {
        self.frame_of_reference_uid = uid;
        self
    }
    #[must_use]
    pub fn with_ooi_id(mut self, ooi_id: Option<String>) -> Self {
        self.ooi_id = ooi_id;
        self
    }
}

impl Scan {
    #[must_use]
    pub fn new(source: impl Into<String>, planes: Planes) -> Self {
        Self {
            source: source.into(),
            planes,
            pixel_spacing: None,
            dicos: Vec::new(),
        }
    }
    /// Sets the DICOS images the scan was read from.
    #[must_use]
    pub fn with_dicos(mut self, images: Vec<DicosImageRef>) -> Self {
        self.dicos = images;
        self
    }
    /// Sets the pixel spacing (a spacing that is not positive and finite is no spacing).
    #[must_use]
    pub fn with_pixel_spacing(mut self, spacing: Option<PixelSpacing>) -> Self {
        self.pixel_spacing = spacing.and_then(|s| PixelSpacing::new(s.mm, s.source));
        self
    }
    /// The pixel spacing in millimetres, where known.
    #[must_use]
    pub fn pixel_spacing_mm(&self) -> Option<f32> {
        self.pixel_spacing.map(|s| s.mm)
    }
    #[must_use]
    pub fn width(&self) -> u32 {
        self.planes.width()
    }
    #[must_use]
    pub fn height(&self) -> u32 {
        self.planes.height()
    }
}

/// A summary of a scan for reports.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScanInfo {
    pub width: u32,
    pub height: u32,
    pub planes: &'static str,
    pub pixel_spacing_mm: Option<f32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plane_checks_its_size() {
        assert!(Plane::new(2, 2, 8, vec![0; 4]).is_ok());
        assert!(matches!(
            Plane::new(2, 2, 8, vec![0; 3]),
            Err(PlaneError::SampleCount { .. })
        ));
        assert!(matches!(
            Plane::new(0, 2, 8, vec![]),
            Err(PlaneError::Empty { .. })
        ));
        assert!(matches!(
            Plane::new(1, 1, 17, vec![0]),
            Err(PlaneError::BitDepth(17))
        ));
        assert_eq!(
            Plane::new(1, 1, 12, vec![0]).map(|p| p.max_value()),
            Ok(4095)
        );
    }

    #[test]
    fn spacing_must_be_positive() {
        let p = Plane::new(1, 1, 8, vec![0]).map(Planes::Grey);
        let bad = PixelSpacing {
            mm: -1.0,
            source: crate::SpacingSource::Given,
        };
        let s = p.map(|p| Scan::new("x", p).with_pixel_spacing(Some(bad)));
        assert_eq!(s.map(|s| s.pixel_spacing_mm()), Ok(None));
    }
}
