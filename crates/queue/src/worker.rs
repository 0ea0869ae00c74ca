//! The worker: pulls scan messages, screens them through the facade, publishes each record to
//! the results stream and acknowledges the scan only once the server has stored its result.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use armscan::{ScanBytes, ScanRecord, Screener, UploadRequest};
use async_nats::jetstream::{self, message::AckKind};
use futures_util::StreamExt;

use crate::error::QueueError;
use crate::message::{
    content_sha256, Content, ScanMessage, HEADER_MSG_ID, HEADER_SCAN_ID, HEADER_SCAN_NAME,
    HEADER_STATUS, HEADER_WORKER,
};
use crate::streams::{
    connect, ensure_consumer, ensure_streams, result_subject, stored_result, StreamOptions,
    SCANS_STREAM,
};

/// How a worker runs.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct WorkerOptions {
    /// The NATS server, e.g. `nats://127.0.0.1:4222`.
    pub url: String,
    /// Names this worker in its connection and on each result (`Armscan-Worker`).
    pub name: String,
    /// Most scans taken and screened at once.
    pub batch: usize,
    /// How long a taken scan may go unacknowledged before the server gives it to another worker
    /// (a worker that died); the worker signals progress while it screens.
    pub ack_wait: Duration,
    /// Deliveries of one scan before a worker gives up on it and publishes an `error` record
    /// (a scan that kills every worker that takes it).
    pub max_deliver: i64,
    /// The storage that scans sent by reference live in, as this worker mounts it.
    pub shared_dir: Option<PathBuf>,
    /// The most bytes of a scan read from shared storage.
    pub max_shared_bytes: u64,
    /// How the streams are made when missing.
    pub streams: StreamOptions,
}

impl WorkerOptions {
    #[must_use]
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            name: format!("armscan-worker-{}", std::process::id()),
            batch: 4,
            ack_wait: Duration::from_secs(30),
            max_deliver: 10,
            shared_dir: None,
            max_shared_bytes: 1 << 30,
            streams: StreamOptions::default(),
        }
    }
    #[must_use]
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }
    #[must_use]
    pub fn with_batch(mut self, batch: usize) -> Self {
        self.batch = batch;
        self
    }
    #[must_use]
    pub fn with_ack_wait(mut self, ack_wait: Duration) -> Self {
        self.ack_wait = ack_wait;
        self
    }
    #[must_use]
    pub fn with_max_deliver(mut self, max_deliver: i64) -> Self {
        self.max_deliver = max_deliver;
        self
    }
    #[must_use]
    pub fn with_shared_dir(mut self, dir: Option<PathBuf>) -> Self {
        self.shared_dir = dir;
        self
    }
    #[must_use]
    pub fn with_max_shared_bytes(mut self, bytes: u64) -> Self {
        self.max_shared_bytes = bytes;
        self
    }
    #[must_use]
    pub fn with_streams(mut self, streams: StreamOptions) -> Self {
        self.streams = streams;
        self
    }

    fn check(&self) -> Result<(), QueueError> {
        if self.batch == 0 {
            return Err(QueueError::Options("batch: must be at least 1".into()));
        }
        if self.ack_wait < Duration::from_secs(1) {
            return Err(QueueError::Options("ack wait: must be at least 1 s".into()));
        }
        if self.max_deliver < 2 {
            return Err(QueueError::Options(
                "max deliver: must be at least 2".into(),
            ));
        }
        Ok(())
    }
}

/// What a worker did before it stopped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct WorkerSummary {
    /// Scans screened and their results stored.
    pub screened: u64,
    /// Scans whose result was already stored (a redelivery): acknowledged, not screened again.
    pub already_done: u64,
    /// Scans given up after `max_deliver` deliveries, or whose message was broken: an `error`
    /// record was stored for each.
    pub failed_messages: u64,
    /// Messages that are not armscan scans at all: terminated, no result.
    pub refused: u64,
}

/// Runs a worker until `stop` is set (SIGTERM, SIGINT): it then finishes the scans in hand,
/// stores their results, acknowledges them and returns. A lost connection is waited out (the
/// client reconnects; unacknowledged scans go to another worker after the ack wait).
///
/// # Errors
/// Bad options, no connection at start, or streams that cannot be made.
pub fn run_worker(
    screener: Arc<Screener>,
    options: &WorkerOptions,
    stop: &Arc<AtomicBool>,
) -> Result<WorkerSummary, QueueError> {
    options.check()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(QueueError::Runtime)?;
    runtime.block_on(work(screener, options.clone(), Arc::clone(stop)))
}

struct Ctx {
    screener: Arc<Screener>,
    options: WorkerOptions,
    js: jetstream::Context,
    results: jetstream::stream::Stream,
}

async fn work(
    screener: Arc<Screener>,
    options: WorkerOptions,
    stop: Arc<AtomicBool>,
) -> Result<WorkerSummary, QueueError> {
    let client = connect(&options.url, &options.name).await?;
    let js = jetstream::new(client.clone());
    let (scans, results) = ensure_streams(&js, &options.streams).await?;
    let consumer = ensure_consumer(&scans, options.ack_wait, options.max_deliver).await?;
    eprintln!(
        "armscan: worker {} pulling from {} on {}",
        options.name, SCANS_STREAM, options.url
    );
    let ctx = Ctx {
        screener,
        options,
        js,
        results,
    };
    let mut summary = WorkerSummary::default();
    let mut down_since: Option<std::time::Instant> = None;
    while !stop.load(Ordering::SeqCst) {
        let fetched = consumer
            .fetch()
            .max_messages(ctx.options.batch)
            .expires(Duration::from_millis(500))
            .messages()
            .await;
        let mut batch = match fetched {
            Ok(b) => b,
            Err(e) => {
                note_outage(&mut down_since, &e);
                tokio::time::sleep(Duration::from_millis(250)).await;
                continue;
            }
        };
        let mut messages = Vec::new();
        while let Some(m) = batch.next().await {
            match m {
                Ok(m) => messages.push(m),
                Err(e) => {
                    note_outage(&mut down_since, &e);
                    break;
                }
            }
        }
        if messages.is_empty() {
            continue;
        }
        if down_since.take().is_some() {
            eprintln!("armscan: worker {}: connected again", ctx.options.name);
        }
        handle_batch(&ctx, messages, &mut summary).await;
    }
    // what was published is flushed before the connection goes
    let _ = client.flush().await;
    Ok(summary)
}

fn note_outage(down_since: &mut Option<std::time::Instant>, e: &dyn std::fmt::Display) {
    if down_since.is_none() {
        eprintln!("armscan: worker: cannot fetch scans ({e}); retrying");
        *down_since = Some(std::time::Instant::now());
    }
}

/// A scan taken from the queue, and what to do with it.
enum Job {
    Screen(ScanMessage),
    /// An error record to store for this id (broken message, given up).
    Fail {
        id: String,
        name: String,
        why: String,
    },
}

async fn handle_batch(ctx: &Ctx, messages: Vec<jetstream::Message>, summary: &mut WorkerSummary) {
    let mut taken: Vec<jetstream::Message> = Vec::new();
    let mut jobs: Vec<Job> = Vec::new();
    for m in messages {
        let (seq, delivered) = m
            .info()
            .map(|i| (i.stream_sequence, i.delivered))
            .unwrap_or((0, 1));
        let what = format!("{SCANS_STREAM} #{seq}");
        let job = match ScanMessage::decode(m.headers.as_ref(), &m.payload, &what) {
            Ok(scan) => Job::Screen(scan),
            Err(QueueError::BadMessage { id, reason }) if crate::message::is_scan_id(&id) => {
                let name = m
                    .headers
                    .as_ref()
                    .and_then(|h| h.get(HEADER_SCAN_NAME))
                    .map_or_else(|| id.clone(), |v| v.as_str().to_owned());
                Job::Fail {
                    id,
                    name: name.clone(),
                    why: format!("{name}: a broken queue message: {reason}"),
                }
            }
            Err(e) => {
                eprintln!("armscan: worker: {e}; not an armscan scan, terminated");
                if let Err(e) = m.ack_with(AckKind::Term).await {
                    eprintln!("armscan: worker: terminating {what}: {e}");
                }
                summary.refused += 1;
                continue;
            }
        };
        let id = match &job {
            Job::Screen(s) => s.id.clone(),
            Job::Fail { id, .. } => id.clone(),
        };
        match stored_result(&ctx.results, &id).await {
            Ok(Some(_)) => {
                // a redelivery of a scan whose result is stored: done already
                if let Err(e) = m.double_ack().await {
                    eprintln!("armscan: worker: acknowledging {id}: {e}");
                }
                summary.already_done += 1;
                continue;
            }
            Ok(None) => {}
            Err(e) => {
                // cannot tell: leave it unacknowledged, it comes back after the ack wait
                eprintln!("armscan: worker: {}", armscan::error_chain_text(&e));
                continue;
            }
        }
        let job = match job {
            Job::Screen(scan) if delivered >= ctx.options.max_deliver => Job::Fail {
                id,
                why: format!(
                    "{}: not screened: delivered {delivered} times without a result \
                     (each worker that took it stopped before storing one)",
                    scan.name
                ),
                name: scan.name,
            },
            job => job,
        };
        taken.push(m);
        jobs.push(job);
    }
    if taken.is_empty() {
        return;
    }

    // keep the scans ours while they are read and screened
    let progress = taken.clone();
    let every = ctx.options.ack_wait / 3;
    let ticker = tokio::spawn(async move {
        loop {
            for m in &progress {
                let _ = m.ack_with(AckKind::Progress).await;
            }
            tokio::time::sleep(every).await;
        }
    });

    // which records will be the error records of given-up or broken messages
    let failed: Vec<bool> = jobs.iter().map(|j| matches!(j, Job::Fail { .. })).collect();
    let screener = Arc::clone(&ctx.screener);
    let shared_dir = ctx.options.shared_dir.clone();
    let max_shared = ctx.options.max_shared_bytes;
    let screened = tokio::task::spawn_blocking(move || {
        screen_jobs(&screener, jobs, shared_dir.as_deref(), max_shared)
    })
    .await;
    ticker.abort();
    let records = match screened {
        Ok(r) => r,
        Err(e) => {
            // a panic outside the screener's own guard: nothing acknowledged, all come back
            eprintln!("armscan: worker: screening a batch failed: {e}");
            return;
        }
    };

    let mut pending = Vec::with_capacity(records.len());
    for ((m, failed), (id, record)) in taken.into_iter().zip(failed).zip(records) {
        let mut headers = async_nats::HeaderMap::new();
        headers.insert(HEADER_MSG_ID, id.as_str());
        headers.insert(HEADER_SCAN_ID, id.as_str());
        headers.insert(HEADER_WORKER, ctx.options.name.as_str());
        headers.insert(HEADER_STATUS, record.status.as_str());
        let payload = match serde_json::to_vec(&record) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("armscan: worker: encoding the record of {id}: {e}");
                continue;
            }
        };
        match ctx
            .js
            .publish_with_headers(result_subject(&id), headers, payload.into())
            .await
        {
            Ok(ack) => pending.push((m, id, ack, failed)),
            Err(e) => eprintln!("armscan: worker: publishing the result of {id}: {e}"),
        }
    }
    for (m, id, ack, failed) in pending {
        match ack.await {
            Ok(_) => {
                // stored: now the scan may leave the queue
                match m.double_ack().await {
                    Ok(()) if failed => summary.failed_messages += 1,
                    Ok(()) => summary.screened += 1,
                    Err(e) => eprintln!("armscan: worker: acknowledging {id}: {e}"),
                }
            }
            Err(e) => eprintln!("armscan: worker: the result of {id} was not stored: {e}"),
        }
    }
}

/// Reads shared scans and screens the batch in parallel; one `(id, record)` per job, in order.
fn screen_jobs(
    screener: &Screener,
    jobs: Vec<Job>,
    shared_dir: Option<&Path>,
    max_shared_bytes: u64,
) -> Vec<(String, ScanRecord)> {
    let backend = screener.backend_kind().as_str();
    let fail = |name: &str, why: String| {
        ScanRecord::failed(name.to_owned(), why, backend, screener.model_id(), 0.0)
    };
    let mut out: Vec<(String, Option<ScanRecord>)> = Vec::with_capacity(jobs.len());
    let mut uploads = Vec::new();
    let mut slots = Vec::new();
    for job in jobs {
        match job {
            Job::Fail { id, name, why } => out.push((id, Some(fail(&name, why)))),
            Job::Screen(scan) => {
                let bytes = match scan.content {
                    Content::Inline(b) => Ok(b),
                    Content::Shared { path, low, sha256 } => {
                        read_shared(shared_dir, &path, low.as_deref(), &sha256, max_shared_bytes)
                    }
                };
                match bytes {
                    Ok(bytes) => {
                        slots.push(out.len());
                        out.push((scan.id, None));
                        uploads.push(
                            UploadRequest::new(scan.name, bytes)
                                .with_pixel_spacing_mm(scan.pixel_spacing_mm),
                        );
                    }
                    Err(why) => {
                        let why = format!("{}: {why}", scan.name);
                        out.push((scan.id, Some(fail(&scan.name, why))));
                    }
                }
            }
        }
    }
    for (slot, screened) in slots.into_iter().zip(screener.screen_uploads(&uploads)) {
        out[slot].1 = Some(screened.record);
    }
    out.into_iter()
        .filter_map(|(id, r)| r.map(|r| (id, r)))
        .collect()
}

fn read_shared(
    shared_dir: Option<&Path>,
    path: &Path,
    low: Option<&Path>,
    sha256: &str,
    max_bytes: u64,
) -> Result<ScanBytes, String> {
    let Some(root) = shared_dir else {
        return Err(format!(
            "sent by reference to shared storage ({}), but this worker has no --shared-dir",
            path.display()
        ));
    };
    let read = |rel: &Path| -> Result<Vec<u8>, String> {
        let full = root.join(rel);
        let len = std::fs::metadata(&full)
            .map_err(|e| format!("reading {}: {e}", full.display()))?
            .len();
        if len > max_bytes {
            return Err(format!(
                "{} is {len} bytes, over the limit of {max_bytes}",
                full.display()
            ));
        }
        std::fs::read(&full).map_err(|e| format!("reading {}: {e}", full.display()))
    };
    let bytes = match low {
        None => ScanBytes::One(read(path)?),
        Some(low) => ScanBytes::Pair {
            high: read(path)?,
            low: read(low)?,
        },
    };
    let got = content_sha256(&bytes);
    if got != sha256 {
        return Err(format!(
            "the shared file changed since it was submitted (SHA-256 {got}, submitted {sha256})"
        ));
    }
    Ok(bytes)
}
