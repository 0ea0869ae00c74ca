use std::path::PathBuf;

/// Errors of the detection stage, classified by fault.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DetectError {
    /// A manifest or option is wrong.
    #[error("{}: invalid model manifest: {reason}", path.display())]
    Config { path: PathBuf, reason: String },
    /// A file could not be read.
    #[error("{}: cannot read: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    /// The model file does not match its manifest (hash, inputs, outputs).
    #[error("{}: model does not match its manifest: {reason}", path.display())]
    Model { path: PathBuf, reason: String },
    /// The inference backend could not be loaded or failed.
    #[error("backend: {0}")]
    Backend(String),
    /// The model's output could not be decoded as the manifest says.
    #[error("model output: {0}")]
    Output(String),
}

impl DetectError {
    /// A backend error from anything displayable (ort's errors carry their builder, so they are
    /// turned into text here).
    pub(crate) fn backend(e: impl std::fmt::Display) -> Self {
        DetectError::Backend(e.to_string())
    }
}
