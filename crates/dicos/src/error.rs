//! The DICOS crate's error type.

use dicom_core::Tag;

/// The class of a DICOS fault, for the ingest error it becomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DicosFault {
    /// Not DICOM, or a DICOM file that cannot be parsed or decoded.
    Decode,
    /// A valid DICOM object armscan does not screen (a report, a CT volume, several frames).
    Unsupported,
    /// Over the decode limits.
    Limits,
    /// A report could not be encoded.
    Encode,
}

/// Why a DICOS file could not be read, or a report not written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DicosError {
    /// No `DICM` magic code after the 128-byte preamble.
    #[error("not a DICOM file (no DICM magic code at byte 128)")]
    NotDicom,
    /// The file meta group or the data set cannot be parsed.
    #[error("cannot parse the DICOM data set: {source}")]
    Parse {
        #[source]
        source: Box<dicom_object::ReadError>,
    },
    /// A required attribute is absent.
    #[error("{name} {tag} is missing")]
    Missing { name: &'static str, tag: Tag },
    /// An attribute holds a value that cannot be used.
    #[error("{name} {tag} is invalid: {reason}")]
    Invalid {
        name: &'static str,
        tag: Tag,
        reason: String,
    },
    /// A DICOM object that armscan does not screen.
    #[error("unsupported: {reason}")]
    Unsupported { reason: String },
    /// The image is larger than the decode limits allow; checked before the pixels are decoded.
    #[error("over the decode limits: {reason}")]
    Limits { reason: String },
    /// The pixel data cannot be decoded (corrupt, truncated, or a compression not built in).
    #[error("cannot decode the pixel data: {source}")]
    Pixels {
        #[source]
        source: Box<dicom_pixeldata::Error>,
    },
    /// A report could not be encoded.
    #[error("cannot encode the threat detection report: {reason}")]
    Encode { reason: String },
}

impl DicosError {
    /// The class of the fault.
    #[must_use]
    pub fn fault(&self) -> DicosFault {
        match self {
            DicosError::NotDicom
            | DicosError::Parse { .. }
            | DicosError::Missing { .. }
            | DicosError::Invalid { .. }
            | DicosError::Pixels { .. } => DicosFault::Decode,
            DicosError::Unsupported { .. } => DicosFault::Unsupported,
            DicosError::Limits { .. } => DicosFault::Limits,
            DicosError::Encode { .. } => DicosFault::Encode,
        }
    }
}
