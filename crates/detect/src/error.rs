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
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The model file does not match its manifest (hash, inputs, outputs).
    #[error("{}: model does not match its manifest: {reason}", path.display())]
    Model { path: PathBuf, reason: String },
    /// The inference backend could not be loaded or failed.
    #[error("backend: {0}")]
    Backend(String),
    /// ONNX Runtime (or tract through `ort`) failed at a step; `source` is its own error, boxed
    /// so that no `ort` type is part of this crate's API.
    #[error("backend: {what}: {source}")]
    Ort {
        what: &'static str,
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The model's output could not be decoded as the manifest says.
    #[error("model output: {0}")]
    Output(String),
}

impl DetectError {
    /// A closure turning ort's error at step `what` into [`DetectError::Ort`], source kept (an
    /// error that carries its session builder gives the builder up).
    pub(crate) fn ort<E: Into<ort::Error>>(what: &'static str) -> impl FnOnce(E) -> Self {
        move |e| DetectError::Ort {
            what,
            source: Box::new(Into::<ort::Error>::into(e)),
        }
    }
}
