//! armscan on NATS JetStream: stateless workers fed by a work queue, producers that submit
//! scans, and a results stream with exactly one `armscan.scan/2` record per scan.
//!
//! # The flow
//!
//! 1. A producer (`armscan submit`, `armscan watch --publish`, or [`Submitter`]) publishes each
//!    scan to `armscan.scans` (stream [`SCANS_STREAM`], work-queue retention, file storage) as a
//!    [`ScanMessage`]: headers naming it and its content, the bytes as the payload or, for a scan
//!    over the server's `max_payload`, a reference into shared storage (see [`message`] for the
//!    layout and why). `Nats-Msg-Id` is the scan id, so the server stores a resubmitted scan once
//!    inside its duplicate window. A producer counts a scan as handed over once the server's
//!    publish acknowledgement says it is stored.
//! 2. Workers ([`run_worker`], `armscan worker`) share one durable pull consumer
//!    ([`WORKERS_CONSUMER`], explicit acks). Each fetches up to `batch` scans, screens them through
//!    [`armscan::Screener`] (the same records as `armscan scan` gives the same bytes), publishes
//!    each record to `armscan.results.<scan id>` (stream [`RESULTS_STREAM`], one message per
//!    subject, `Nats-Msg-Id` = scan id) and acknowledges the scan only after the server
//!    acknowledged the stored result (a double acknowledgement: the server confirms the ack).
//! 3. A scan is redelivered when its worker died or lost its connection before acknowledging.
//!    The worker that gets it again first looks up `armscan.results.<scan id>`: a stored result
//!    means the scan is acknowledged without screening it again; otherwise it is screened, and
//!    the results stream still keeps one message per scan (one per subject, and the duplicate
//!    window drops a second publish). So every scan given yields exactly one result.
//! 4. A scan delivered `max_deliver` times without a result (it kills each worker that takes
//!    it) gets an `error` record instead of another try; a broken message with a scan id gets
//!    an `error` record; a message with no scan id is not an armscan scan and is terminated.
//!    A failed scan is never reported `clear`.
//! 5. SIGTERM/SIGINT: the worker fetches nothing more, finishes the scans in hand, stores and
//!    acknowledges them, and exits 0.

pub mod message;
pub mod streams;

mod error;
mod publish;
mod submit;
mod worker;

pub use error::QueueError;
pub use message::{scan_id, Content, ScanMessage};
pub use publish::{publish_folder, PublishFolderOptions, PublishSummary};
pub use streams::{
    result_subject, StreamOptions, RESULTS_STREAM, RESULTS_SUBJECTS, SCANS_STREAM, SCANS_SUBJECT,
    WORKERS_CONSUMER,
};
pub use submit::{SubmitOptions, Submitted, Submitter};
pub use worker::{run_worker, WorkerOptions, WorkerSummary};
