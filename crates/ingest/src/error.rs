use std::path::PathBuf;

/// The class of an ingest fault, for reports and exit codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum IngestFault {
    Io,
    Decode,
    Unsupported,
    Limits,
    Pair,
    Profile,
}

/// Why a scan could not be read. Every variant names the file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IngestError {
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: corrupt or truncated image: {reason}", path.display())]
    Decode { path: PathBuf, reason: String },
    /// The image decoder failed; its error is kept.
    #[error("{}: corrupt or truncated image: {source}", path.display())]
    Image {
        path: PathBuf,
        source: image::ImageError,
    },
    /// The decoded samples do not make a plane; the plane's error is kept.
    #[error("{}: corrupt or truncated image: {source}", path.display())]
    Plane {
        path: PathBuf,
        source: armscan_core::PlaneError,
    },
    #[error("{}: unsupported: {reason}", path.display())]
    Unsupported { path: PathBuf, reason: String },
    #[error("{}: over the decode limits: {reason}", path.display())]
    Limits { path: PathBuf, reason: String },
    #[error("{}: dual-energy pair: {reason}", path.display())]
    Pair { path: PathBuf, reason: String },
    /// A DICOS (DICOM) file that cannot be read as a scan; the DICOS reader's error is kept.
    #[error("{}: DICOS: {source}", path.display())]
    Dicos {
        path: PathBuf,
        source: armscan_dicos::DicosError,
    },
    /// A scanner profile file is wrong.
    #[error("{}: scanner profile: {reason}", path.display())]
    Profile { path: PathBuf, reason: String },
}

impl IngestError {
    /// The class of the fault.
    #[must_use]
    pub fn fault(&self) -> IngestFault {
        match self {
            IngestError::Io { .. } => IngestFault::Io,
            IngestError::Decode { .. } | IngestError::Image { .. } | IngestError::Plane { .. } => {
                IngestFault::Decode
            }
            IngestError::Unsupported { .. } => IngestFault::Unsupported,
            IngestError::Limits { .. } => IngestFault::Limits,
            IngestError::Pair { .. } => IngestFault::Pair,
            IngestError::Profile { .. } => IngestFault::Profile,
            IngestError::Dicos { source, .. } => match source.fault() {
                armscan_dicos::DicosFault::Unsupported => IngestFault::Unsupported,
                armscan_dicos::DicosFault::Limits => IngestFault::Limits,
                _ => IngestFault::Decode,
            },
        }
    }

    /// The file the fault is about.
    #[must_use]
    pub fn path(&self) -> &std::path::Path {
        match self {
            IngestError::Io { path, .. }
            | IngestError::Decode { path, .. }
            | IngestError::Image { path, .. }
            | IngestError::Plane { path, .. }
            | IngestError::Unsupported { path, .. }
            | IngestError::Limits { path, .. }
            | IngestError::Pair { path, .. }
            | IngestError::Profile { path, .. }
            | IngestError::Dicos { path, .. } => path,
        }
    }
}
