//! The queue's errors.

use std::path::PathBuf;

/// What can go wrong talking to NATS or handling a queue message.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum QueueError {
    /// The server could not be reached or refused the connection.
    #[error("connecting to NATS at {url}")]
    Connect {
        url: String,
        #[source]
        source: async_nats::ConnectError,
    },
    /// A JetStream request (stream, consumer, publish, fetch, acknowledgement) failed.
    #[error("{what}")]
    JetStream {
        what: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
    /// A scan to submit could not be read.
    #[error("reading {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A scan is too large for a message and no shared storage was given, or lies outside it.
    #[error("{name}: {reason}")]
    TooLarge { name: String, reason: String },
    /// A queue message that is not an armscan scan message, or a broken one.
    #[error("message {id}: {reason}")]
    BadMessage { id: String, reason: String },
    /// An option out of its range.
    #[error("{0}")]
    Options(String),
    /// The async runtime could not start.
    #[error("starting the async runtime")]
    Runtime(#[source] std::io::Error),
    /// The watch folder for `watch --publish` failed.
    #[error(transparent)]
    Watch(#[from] armscan_watch::WatchError),
}

impl QueueError {
    pub(crate) fn js<E>(what: impl Into<String>) -> impl FnOnce(E) -> Self
    where
        E: std::error::Error + Send + Sync + 'static,
    {
        let what = what.into();
        move |e| Self::JetStream {
            what,
            source: Box::new(e),
        }
    }
}
