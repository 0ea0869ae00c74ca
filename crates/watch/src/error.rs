use std::path::PathBuf;

/// Why the watcher stopped. Every variant names what it was doing and the file concerned.
///
/// A scan that cannot be screened is *not* an error here: it gets an `error` record and the
/// watcher goes on. These are faults of the watcher's own files (journal, results, folders).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WatchError {
    /// A file or folder of the watcher could not be read, written, synced or renamed.
    #[error("{what} {}: {source}", path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    /// The SQLite journal failed.
    #[error("journal {}: {source}", path.display())]
    Journal {
        path: PathBuf,
        source: rusqlite::Error,
    },
    /// Another `armscan watch` holds the output folder.
    #[error("{} is locked: another armscan watch is running on this output folder", path.display())]
    Locked { path: PathBuf },
    /// The journal belongs to another input folder.
    #[error(
        "the journal in {} was made for input folder {journal}, not {given}; use another --out",
        out_dir.display()
    )]
    OtherInDir {
        out_dir: PathBuf,
        journal: String,
        given: String,
    },
    /// `results.jsonl` or a result file does not agree with the
    /// journal (edited or removed by hand).
    #[error("{}: does not agree with the journal: {reason}", path.display())]
    Inconsistent { path: PathBuf, reason: String },
    /// The screening function broke its contract (one record per input, in order).
    #[error("screening: {0}")]
    Screen(String),
}

impl WatchError {
    pub(crate) fn io(
        what: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| WatchError::Io { what, path, source }
    }
}
