//! The two streams and the workers' consumer, created on first use by whoever comes first.

use std::time::Duration;

use async_nats::jetstream::{self, consumer, stream};

use crate::error::QueueError;

/// The work queue: each scan message is kept until one worker acknowledges it.
pub const SCANS_STREAM: &str = "ARMSCAN_SCANS";
/// The subject scans are published on.
pub const SCANS_SUBJECT: &str = "armscan.scans";
/// The results: one `armscan.scan/2` record per scan id, on `armscan.results.<scan id>`.
pub const RESULTS_STREAM: &str = "ARMSCAN_RESULTS";
/// The subjects of [`RESULTS_STREAM`].
pub const RESULTS_SUBJECTS: &str = "armscan.results.*";
/// The workers' shared durable pull consumer on [`SCANS_STREAM`].
pub const WORKERS_CONSUMER: &str = "armscan-workers";

/// The subject of a scan's result.
#[must_use]
pub fn result_subject(scan_id: &str) -> String {
    format!("armscan.results.{scan_id}")
}

/// How the streams are made when they do not exist yet (an existing stream is used as it is).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct StreamOptions {
    /// JetStream drops a message whose `Nats-Msg-Id` it stored this recently.
    pub duplicate_window: Duration,
    /// How long results are kept (and so how long a resubmitted scan gets its stored result).
    pub results_max_age: Duration,
    /// Replicas of each stream (1 on a single server; 3 in a cluster).
    pub replicas: usize,
}

impl Default for StreamOptions {
    fn default() -> Self {
        Self {
            duplicate_window: Duration::from_secs(10 * 60),
            results_max_age: Duration::from_secs(7 * 24 * 3600),
            replicas: 1,
        }
    }
}

impl StreamOptions {
    #[must_use]
    pub fn with_duplicate_window(mut self, window: Duration) -> Self {
        self.duplicate_window = window;
        self
    }
    #[must_use]
    pub fn with_results_max_age(mut self, age: Duration) -> Self {
        self.results_max_age = age;
        self
    }
    #[must_use]
    pub fn with_replicas(mut self, replicas: usize) -> Self {
        self.replicas = replicas;
        self
    }
}

/// Connects, naming the connection (the server's monitoring shows it).
///
/// # Errors
/// [`QueueError::Connect`].
pub async fn connect(url: &str, connection_name: &str) -> Result<async_nats::Client, QueueError> {
    async_nats::ConnectOptions::new()
        .name(connection_name)
        .connection_timeout(Duration::from_secs(5))
        .connect(url)
        .await
        .map_err(|source| QueueError::Connect {
            url: url.to_owned(),
            source,
        })
}

/// The scans and results streams, created if missing.
///
/// # Errors
/// [`QueueError::JetStream`] naming the stream.
pub async fn ensure_streams(
    js: &jetstream::Context,
    options: &StreamOptions,
) -> Result<(stream::Stream, stream::Stream), QueueError> {
    let scans = js
        .get_or_create_stream(stream::Config {
            name: SCANS_STREAM.into(),
            subjects: vec![SCANS_SUBJECT.into()],
            retention: stream::RetentionPolicy::WorkQueue,
            storage: stream::StorageType::File,
            duplicate_window: options.duplicate_window,
            num_replicas: options.replicas,
            description: Some("armscan: scans waiting for a worker".into()),
            ..Default::default()
        })
        .await
        .map_err(QueueError::js(format!(
            "creating the stream {SCANS_STREAM}"
        )))?;
    let results = js
        .get_or_create_stream(stream::Config {
            name: RESULTS_STREAM.into(),
            subjects: vec![RESULTS_SUBJECTS.into()],
            retention: stream::RetentionPolicy::Limits,
            storage: stream::StorageType::File,
            duplicate_window: options.duplicate_window,
            max_messages_per_subject: 1,
            max_age: options.results_max_age,
            num_replicas: options.replicas,
            description: Some("armscan: one armscan.scan/2 record per scan id".into()),
            ..Default::default()
        })
        .await
        .map_err(QueueError::js(format!(
            "creating the stream {RESULTS_STREAM}"
        )))?;
    Ok((scans, results))
}

/// The workers' durable pull consumer, created if missing.
///
/// # Errors
/// [`QueueError::JetStream`].
pub async fn ensure_consumer(
    scans: &stream::Stream,
    ack_wait: Duration,
    max_deliver: i64,
) -> Result<consumer::Consumer<consumer::pull::Config>, QueueError> {
    scans
        .get_or_create_consumer(
            WORKERS_CONSUMER,
            consumer::pull::Config {
                durable_name: Some(WORKERS_CONSUMER.into()),
                ack_policy: consumer::AckPolicy::Explicit,
                ack_wait,
                max_deliver,
                description: Some("armscan workers".into()),
                ..Default::default()
            },
        )
        .await
        .map_err(QueueError::js(format!(
            "creating the consumer {WORKERS_CONSUMER} on {SCANS_STREAM}"
        )))
}

/// Whether the results stream already holds a result for `scan_id` (then the scan is not
/// screened again).
///
/// # Errors
/// [`QueueError::JetStream`] when the server cannot say.
pub async fn stored_result(
    results: &stream::Stream,
    scan_id: &str,
) -> Result<Option<async_nats::jetstream::message::StreamMessage>, QueueError> {
    match results
        .get_last_raw_message_by_subject(&result_subject(scan_id))
        .await
    {
        Ok(m) => Ok(Some(m)),
        Err(e) if e.kind() == stream::LastRawMessageErrorKind::NoMessageFound => Ok(None),
        Err(e) => Err(QueueError::js(format!(
            "looking up the result of {scan_id}"
        ))(e)),
    }
}
