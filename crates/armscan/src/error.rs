//! The facade's error type.

use std::path::PathBuf;

use armscan_detect::DetectError;

/// Why a [`crate::Screener`] could not be built. Screening itself never fails: a scan that
/// cannot be screened gets a record with status `error` (see [`crate::Screener::screen_path`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScreenerError {
    /// An option is out of range; `option` names it as the builder's setter does.
    #[error("{option}: {reason}")]
    Option {
        option: &'static str,
        reason: String,
    },
    /// The model could not be loaded or its backend started.
    #[error("starting model {}: {source}", path.display())]
    Model {
        path: PathBuf,
        #[source]
        source: DetectError,
    },
    /// The worker threads could not be started.
    #[error("starting the worker threads: {source}")]
    Threads {
        #[source]
        source: rayon::ThreadPoolBuildError,
    },
}

/// An error's message followed by those of its sources, each once: a source whose text the
/// message already holds is not repeated.
#[must_use]
pub fn error_chain_text(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut next = error.source();
    while let Some(cause) = next {
        let part = cause.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        next = cause.source();
    }
    text
}
