//! The errors of armscan-report.

use std::io;
use std::path::PathBuf;

/// Errors writing reports, classified by what failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// The report directory (or its `overlays/` folder) could not be created.
    #[error("cannot create report directory {}: {source}", path.display())]
    CreateDir { path: PathBuf, source: io::Error },
    /// A report file could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    /// An image (overlay or thumbnail) could not be encoded as PNG. `path` is the file it was meant
    /// for; for a thumbnail, which lives only inside `index.html`, the scan's path.
    #[error("cannot encode PNG for {}: {source}", path.display())]
    Encode {
        path: PathBuf,
        source: image::ImageError,
    },
    /// A value could not be serialised as JSON.
    #[error("cannot serialise {what} as JSON: {source}")]
    Json {
        what: String,
        source: serde_json::Error,
    },
    /// A JSON line could not be written to its stream (stdout, a pipe, a file the caller opened).
    #[error("cannot write a JSON line: {source}")]
    Stream { source: io::Error },
}
