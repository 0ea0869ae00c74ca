//! The serve crate's one error type.

use std::path::PathBuf;

/// What can stop the console from starting or running. A scan that cannot be screened is a
/// record with status `error` in the queue, not an error here.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// Binding anything but loopback needs an access token.
    #[error(
        "{addr} is not a loopback address: serving beyond this machine needs an access token \
         (--token-file FILE); bind 127.0.0.1 to serve only this machine"
    )]
    TokenRequired { addr: std::net::SocketAddr },
    /// The access token is unusable (empty, too short, not printable).
    #[error("the access token {reason}")]
    BadToken { reason: String },
    /// The decisions database.
    #[error("the decisions database {path}: {source}")]
    Database {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    /// A file given as a console database (`armscan stats --db`) that is not one.
    #[error("{path} is not an armscan console database: {reason}")]
    NotConsoleDb { path: PathBuf, reason: String },
    /// A console setting out of its bounds (`--site`, `--lane`).
    #[error("{option}: {reason}")]
    BadSetting {
        option: &'static str,
        reason: String,
    },
    /// A file or socket.
    #[error("{what} {path}: {source}")]
    Io {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The watch folder.
    #[error("watching: {0}")]
    Watch(#[from] armscan_watch::WatchError),
}
