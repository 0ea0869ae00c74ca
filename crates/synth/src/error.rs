//! The errors of armscan-synth.

use std::path::PathBuf;

/// Errors of the generator: options, TIP sources and the dataset writer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SynthError {
    #[error("invalid option: {0}")]
    InvalidOption(String),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Image {
        path: PathBuf,
        source: image::ImageError,
    },
    /// A trial that cannot be made (bad request, unknown source, no room for the threat).
    #[error("trial: {0}")]
    Trial(String),
    #[error("annotations: {0}")]
    Json(#[from] serde_json::Error),
}
