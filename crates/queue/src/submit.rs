//! The producer side: scans onto the work queue, and their results back.

use std::collections::{HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use armscan::{ScanBytes, ScanInput, ScanRecord};
use async_nats::jetstream::{self, consumer, context::PublishAckFuture};
use futures_util::StreamExt;

use crate::error::QueueError;
use crate::message::{
    checked_relative, content_sha256, scan_id, Content, ScanMessage, HEADER_MSG_ID, HEADER_SCAN_ID,
    HEADER_STATUS,
};
use crate::streams::{
    connect, ensure_streams, result_subject, stored_result, StreamOptions, RESULTS_SUBJECTS,
    SCANS_SUBJECT,
};

/// Room kept in a message for its headers when deciding whether a scan fits inline.
const HEADER_ROOM_BYTES: usize = 4096;
/// Publishes in flight before the oldest acknowledgement is awaited.
const IN_FLIGHT: usize = 64;

/// How a producer connects and sends.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SubmitOptions {
    /// The NATS server, e.g. `nats://127.0.0.1:4222`.
    pub url: String,
    /// Names the connection.
    pub name: String,
    /// Shared storage every worker mounts: a scan too large for a message is sent as a path
    /// relative to it (the scan must lie inside it).
    pub shared_dir: Option<PathBuf>,
    /// The pixel spacing of every scan submitted, as `scan --pixel-spacing-mm`.
    pub pixel_spacing_mm: Option<f32>,
    /// The most bytes a scan may have at all.
    pub max_scan_bytes: u64,
    /// How the streams are made when missing.
    pub streams: StreamOptions,
}

impl SubmitOptions {
    #[must_use]
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            name: format!("armscan-submit-{}", std::process::id()),
            shared_dir: None,
            pixel_spacing_mm: None,
            max_scan_bytes: 1 << 30,
            streams: StreamOptions::default(),
        }
    }
    #[must_use]
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }
    #[must_use]
    pub fn with_shared_dir(mut self, dir: Option<PathBuf>) -> Self {
        self.shared_dir = dir;
        self
    }
    #[must_use]
    pub fn with_pixel_spacing_mm(mut self, mm: Option<f32>) -> Self {
        self.pixel_spacing_mm = mm;
        self
    }
    #[must_use]
    pub fn with_max_scan_bytes(mut self, bytes: u64) -> Self {
        self.max_scan_bytes = bytes;
        self
    }
    #[must_use]
    pub fn with_streams(mut self, streams: StreamOptions) -> Self {
        self.streams = streams;
        self
    }
}

/// A publish under way: what was sent and the server's acknowledgement to come.
type Sent = Result<(Submitted, PublishAckFuture), QueueError>;

/// A scan the server has stored on the work queue.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Submitted {
    pub id: String,
    pub name: String,
    /// The server had it already (same name and bytes inside the duplicate window).
    pub duplicate: bool,
    /// Sent by reference to shared storage, not inline.
    pub shared: bool,
}

/// A connection that submits scans and waits for their results. Blocking: it runs its own
/// single-threaded runtime.
#[derive(Debug)]
pub struct Submitter {
    runtime: tokio::runtime::Runtime,
    client: async_nats::Client,
    js: jetstream::Context,
    results: jetstream::stream::Stream,
    options: SubmitOptions,
}

impl Submitter {
    /// Connects and makes the streams when missing.
    ///
    /// # Errors
    /// No connection, or streams that cannot be made.
    pub fn connect(options: SubmitOptions) -> Result<Self, QueueError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(QueueError::Runtime)?;
        let (client, js, results) = runtime.block_on(async {
            let client = connect(&options.url, &options.name).await?;
            let js = jetstream::new(client.clone());
            let (_, results) = ensure_streams(&js, &options.streams).await?;
            Ok::<_, QueueError>((client, js, results))
        })?;
        Ok(Self {
            runtime,
            client,
            js,
            results,
            options,
        })
    }

    /// The largest scan sent inline: the server's `max_payload` less room for headers.
    #[must_use]
    pub fn max_inline_bytes(&self) -> usize {
        self.client
            .server_info()
            .max_payload
            .saturating_sub(HEADER_ROOM_BYTES)
    }

    /// The message for one input: read whole, inline when it fits, else a reference into the
    /// shared folder.
    ///
    /// # Errors
    /// An unreadable or broken input, one over the size limit, or one too large for a message
    /// with no shared folder (or outside it).
    pub fn message_for(&self, input: &ScanInput, name: &str) -> Result<ScanMessage, QueueError> {
        let read = |p: &Path| -> Result<Vec<u8>, QueueError> {
            let len = std::fs::metadata(p)
                .map_err(|source| QueueError::Read {
                    path: p.to_owned(),
                    source,
                })?
                .len();
            if len > self.options.max_scan_bytes {
                return Err(QueueError::TooLarge {
                    name: p.display().to_string(),
                    reason: format!(
                        "{len} bytes, over the limit of {}",
                        self.options.max_scan_bytes
                    ),
                });
            }
            std::fs::read(p).map_err(|source| QueueError::Read {
                path: p.to_owned(),
                source,
            })
        };
        let (bytes, files): (ScanBytes, Vec<&Path>) = match input {
            ScanInput::File(p) => (ScanBytes::One(read(p)?), vec![p]),
            ScanInput::DualPair { high, low } => (
                ScanBytes::Pair {
                    high: read(high)?,
                    low: read(low)?,
                },
                vec![high, low],
            ),
            ScanInput::Broken { path, reason } => {
                return Err(QueueError::Read {
                    path: path.clone(),
                    source: std::io::Error::other(reason.clone()),
                })
            }
        };
        let message = if bytes.len() <= self.max_inline_bytes() {
            ScanMessage::inline(name, bytes)
        } else {
            let Some(root) = &self.options.shared_dir else {
                return Err(QueueError::TooLarge {
                    name: name.to_owned(),
                    reason: format!(
                        "{} bytes, over the {} a message may carry on this server \
                         (max_payload less headers); give a shared folder the workers mount \
                         (--shared-dir)",
                        bytes.len(),
                        self.max_inline_bytes()
                    ),
                });
            };
            let relative = |p: &Path| -> Result<PathBuf, QueueError> {
                let outside = |why: String| QueueError::TooLarge {
                    name: name.to_owned(),
                    reason: why,
                };
                let abs_root = std::fs::canonicalize(root)
                    .map_err(|e| outside(format!("the shared folder {}: {e}", root.display())))?;
                let abs = std::fs::canonicalize(p)
                    .map_err(|e| outside(format!("{}: {e}", p.display())))?;
                let rel = abs.strip_prefix(&abs_root).map_err(|_| {
                    outside(format!(
                        "too large for a message, and {} is not inside the shared folder {}",
                        p.display(),
                        root.display()
                    ))
                })?;
                checked_relative(rel).map_err(outside)
            };
            let sha256 = content_sha256(&bytes);
            ScanMessage {
                id: scan_id(name, &bytes),
                name: name.to_owned(),
                content: Content::Shared {
                    path: relative(files[0])?,
                    low: files.get(1).map(|p| relative(p)).transpose()?,
                    sha256,
                },
                pixel_spacing_mm: None,
            }
        };
        Ok(message.with_pixel_spacing_mm(self.options.pixel_spacing_mm))
    }

    /// Submits each input (named by [`ScanInput::name`]), keeping up to 64 publishes in flight,
    /// and hands each outcome to `on_each` in input order once the server has stored it or the
    /// input failed. A failed input does not stop the others.
    pub fn submit_all(
        &self,
        inputs: &[ScanInput],
        mut on_each: impl FnMut(&ScanInput, Result<Submitted, QueueError>),
    ) {
        self.runtime.block_on(async {
            let mut in_flight: VecDeque<(usize, Sent)> = VecDeque::new();
            for (i, input) in inputs.iter().enumerate() {
                let sent =
                    async { self.publish(&self.message_for(input, &input.name())?).await }.await;
                in_flight.push_back((i, sent));
                while in_flight.len() >= IN_FLIGHT {
                    if let Some((i, sent)) = in_flight.pop_front() {
                        on_each(&inputs[i], settle(sent).await);
                    }
                }
            }
            while let Some((i, sent)) = in_flight.pop_front() {
                on_each(&inputs[i], settle(sent).await);
            }
        });
    }

    /// Submits one message and waits until the server has stored it.
    ///
    /// # Errors
    /// The publish failed or was not acknowledged.
    pub fn submit_message(&self, message: &ScanMessage) -> Result<Submitted, QueueError> {
        self.runtime
            .block_on(async { settle(self.publish(message).await).await })
    }

    /// Stores an `error` record for a scan that cannot be sent (backend and model `none`), under
    /// the id of its name alone ([`scan_id`] of the name and no bytes), so whoever reads the
    /// results hears of it; returns that id.
    ///
    /// # Errors
    /// The server did not store it.
    pub fn store_failure(&self, name: &str, why: &str) -> Result<String, QueueError> {
        let id = scan_id(name, &ScanBytes::One(Vec::new()));
        let record = ScanRecord::failed(name, why, "none", "none", 0.0);
        let payload = serde_json::to_vec(&record).map_err(|e| QueueError::BadMessage {
            id: id.clone(),
            reason: format!("encoding its record: {e}"),
        })?;
        let mut headers = async_nats::HeaderMap::new();
        headers.insert(HEADER_MSG_ID, id.as_str());
        headers.insert(HEADER_SCAN_ID, id.as_str());
        headers.insert(HEADER_STATUS, record.status.as_str());
        self.runtime.block_on(async {
            self.js
                .publish_with_headers(result_subject(&id), headers, payload.into())
                .await
                .map_err(QueueError::js(format!("{name}: storing its error record")))?
                .await
                .map_err(QueueError::js(format!("{name}: storing its error record")))?;
            Ok(id)
        })
    }

    /// Publishes a scan: what was sent, and the server's acknowledgement to come ([`settle`]).
    async fn publish(&self, m: &ScanMessage) -> Sent {
        let (headers, payload) = m.encode();
        let ack = self
            .js
            .publish_with_headers(SCANS_SUBJECT, headers, payload)
            .await
            .map_err(QueueError::js(format!("{}: publishing the scan", m.name)))?;
        let submitted = Submitted {
            id: m.id.clone(),
            name: m.name.clone(),
            duplicate: false,
            shared: matches!(m.content, Content::Shared { .. }),
        };
        Ok((submitted, ack))
    }

    /// Waits for the results of `ids`, handing each record (and its exact JSON line) to
    /// `on_result` as it arrives, at most once per id. Results stored before the call are found
    /// too. Returns the ids still without a result when `timeout` ran out (empty: all came).
    ///
    /// # Errors
    /// The results cannot be read from the server.
    pub fn wait_results(
        &self,
        ids: &HashSet<String>,
        timeout: Option<Duration>,
        mut on_result: impl FnMut(&str, &ScanRecord, &[u8]),
    ) -> Result<Vec<String>, QueueError> {
        let deadline = timeout.map(|t| Instant::now() + t);
        self.runtime.block_on(async {
            let mut missing: HashSet<String> = ids.clone();
            // subscribe first, then look up what is stored: nothing falls between the two
            let consumer = self
                .results
                .create_consumer(consumer::pull::OrderedConfig {
                    filter_subject: RESULTS_SUBJECTS.into(),
                    deliver_policy: consumer::DeliverPolicy::New,
                    ..Default::default()
                })
                .await
                .map_err(QueueError::js("following the results stream"))?;
            let mut messages = consumer
                .messages()
                .await
                .map_err(QueueError::js("following the results stream"))?;
            let mut sorted: Vec<&String> = ids.iter().collect();
            sorted.sort();
            for id in sorted {
                if let Some(m) = stored_result(&self.results, id).await? {
                    take(&mut missing, id, &m.payload, &mut on_result);
                }
            }
            while !missing.is_empty() {
                let next = match deadline {
                    None => messages.next().await,
                    Some(d) => {
                        let left = d.saturating_duration_since(Instant::now());
                        match tokio::time::timeout(left, messages.next()).await {
                            Ok(n) => n,
                            Err(_) => break,
                        }
                    }
                };
                let Some(next) = next else { break };
                let m = match next {
                    Ok(m) => m,
                    // the ordered consumer recreates itself after an outage; go on
                    Err(e) => {
                        eprintln!("armscan: following results: {e}");
                        tokio::time::sleep(Duration::from_millis(200)).await;
                        continue;
                    }
                };
                let id = m.subject.rsplit('.').next().unwrap_or_default().to_owned();
                take(&mut missing, &id, &m.payload, &mut on_result);
            }
            let mut left: Vec<String> = missing.into_iter().collect();
            left.sort();
            Ok(left)
        })
    }
}

fn take(
    missing: &mut HashSet<String>,
    id: &str,
    payload: &[u8],
    on_result: &mut impl FnMut(&str, &ScanRecord, &[u8]),
) {
    if !missing.contains(id) {
        return;
    }
    match serde_json::from_slice::<ScanRecord>(payload) {
        Ok(record) => {
            missing.remove(id);
            on_result(id, &record, payload);
        }
        Err(e) => eprintln!("armscan: the result of {id} is not an armscan.scan/2 record: {e}"),
    }
}

async fn settle(sent: Sent) -> Result<Submitted, QueueError> {
    let (mut submitted, ack) = sent?;
    let ack = ack.await.map_err(QueueError::js(format!(
        "{}: the server did not store the scan",
        submitted.name
    )))?;
    submitted.duplicate = ack.duplicate;
    Ok(submitted)
}
