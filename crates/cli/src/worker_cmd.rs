//! `armscan worker`: screening on NATS JetStream. The loop lives in `armscan-queue`; screening is
//! [`armscan::Screener`]'s, built from the same flags as `scan`'s, so a worker gives the record
//! `scan` gives for the same bytes.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use armscan_queue::{run_worker, StreamOptions, WorkerOptions};

use crate::args::{QueueArgs, WorkerArgs};
use crate::scan_cmd::{screener_options, start, with_read_options};
use crate::watch_cmd::stop_on_signals;

/// The streams' options from the queue flags.
pub(crate) fn stream_options(args: &QueueArgs) -> anyhow::Result<StreamOptions> {
    if args.duplicate_window_s == 0 {
        anyhow::bail!("--duplicate-window-s must be at least 1");
    }
    Ok(
        StreamOptions::default()
            .with_duplicate_window(Duration::from_secs(args.duplicate_window_s)),
    )
}

pub fn run(args: &WorkerArgs) -> anyhow::Result<ExitCode> {
    let builder = with_read_options(screener_options(&args.detector)?, &args.read)?;
    let streams = stream_options(&args.queue)?;
    // Signals first: a SIGTERM during the model load stops the worker before it takes anything.
    let stop = stop_on_signals()?;
    let screener = Arc::new(start(builder, args.detector.backend)?);
    let mut options = WorkerOptions::new(&args.nats)
        .with_batch(args.batch.unwrap_or(screener.threads() * 2))
        .with_ack_wait(Duration::from_secs(args.ack_wait_s))
        .with_max_deliver(args.max_deliver)
        .with_shared_dir(args.queue.shared_dir.clone())
        .with_max_shared_bytes(args.read.max_file_mib.saturating_mul(1 << 20))
        .with_streams(streams);
    let name = args.name.clone().unwrap_or_else(|| {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .map(|h| h.trim().to_owned())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "armscan-worker".into());
        format!("{host}-{}", std::process::id())
    });
    options = options.with_name(name);
    let summary = run_worker(screener, &options, &stop)
        .with_context(|| format!("running a worker on {}", args.nats))?;
    eprintln!(
        "armscan: worker stopped cleanly; {} scans screened, {} redelivered scans already done, \
         {} given up or broken, {} foreign messages refused",
        summary.screened, summary.already_done, summary.failed_messages, summary.refused
    );
    Ok(ExitCode::SUCCESS)
}
