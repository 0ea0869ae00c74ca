//! `armscan watch`: the sorting-centre mode. The watch loop and the journal live in
//! `armscan-watch`; screening is [`armscan::Screener`]'s, built from the same flags as `scan`'s,
//! so both commands give the same record for the same file.

use std::io::Write;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use armscan::{write_jsonl, ScanInput, ScanRecord, ScreenRequest};
use armscan_queue::{publish_folder, PublishFolderOptions};
use armscan_report::TdrFolder;
use armscan_watch::Watcher;

use crate::args::WatchArgs;
use crate::scan_cmd::{screener_options, start, text_line, with_read_options, write_tdr};

/// Exit status when a second SIGINT/SIGTERM stops the watcher at once (the journal still makes
/// the next start finish what was in hand).
const FORCED_EXIT: i32 = 2;

/// A flag SIGINT and SIGTERM set: stop after the work in hand. A second signal, with the flag
/// already set, exits at once (status 2).
pub(crate) fn stop_on_signals() -> anyhow::Result<Arc<AtomicBool>> {
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        // The first signal sets `stop`; a second one, with `stop` already set, exits at once.
        signal_hook::flag::register_conditional_shutdown(signal, FORCED_EXIT, Arc::clone(&stop))
            .context("installing the signal handlers")?;
        signal_hook::flag::register(signal, Arc::clone(&stop))
            .context("installing the signal handlers")?;
    }
    Ok(stop)
}

pub fn run(args: &WatchArgs) -> anyhow::Result<ExitCode> {
    if let Some(url) = &args.publish {
        return run_publish(args, url);
    }
    let Some(out) = args.out.as_deref() else {
        anyhow::bail!("--out DIR is needed (or --publish URL)");
    };
    let builder = with_read_options(screener_options(&args.detector)?, &args.read)?;

    // Signals first: a SIGTERM during the model load must not kill the process half-way either.
    let stop = stop_on_signals()?;

    let screener = start(builder, args.detector.backend)?;

    let config = args.timing.config(&args.in_dir, out, screener.threads())?;
    let (mut watcher, opened) = Watcher::open(config).with_context(|| {
        format!(
            "starting to watch {} into {}",
            args.in_dir.display(),
            out.display()
        )
    })?;
    if opened.unfinished > 0 || opened.cut_bytes > 0 {
        eprintln!(
            "armscan: resuming after an interruption: {} scans to finish, \
             {} bytes of an unfinished append cut from results.jsonl",
            opened.unfinished, opened.cut_bytes
        );
    }
    eprintln!(
        "armscan: watching {} (settle {} ms); results in {}",
        args.in_dir.display(),
        args.timing.settle_ms,
        out.join(armscan_watch::RESULTS_JSONL).display()
    );

    let mut tdr = args
        .tdr
        .as_deref()
        .map(TdrFolder::create)
        .transpose()
        .context("creating the threat detection report folder")?;
    let mut screen = |inputs: &[ScanInput]| -> Vec<ScanRecord> {
        let requests: Vec<ScreenRequest> = inputs.iter().cloned().map(ScreenRequest::new).collect();
        screener
            .screen_many(&requests)
            .into_iter()
            .map(|screened| {
                // The record is the result; a report that cannot be written is said, and the
                // watch goes on (results.jsonl still has the scan).
                if let Some(folder) = tdr.as_mut() {
                    if let Err(e) = write_tdr(folder, &screener, &screened) {
                        eprintln!("armscan: {e:#}");
                    }
                }
                screened.record
            })
            .collect()
    };
    let jsonl = args.jsonl;
    let mut on_record = |record: &ScanRecord| {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        // stdout is a courtesy: results.jsonl is the record. A closed pipe does not stop the watch.
        let _ = if jsonl {
            write_jsonl(&mut out, record).map_err(|e| std::io::Error::other(e.to_string()))
        } else {
            writeln!(out, "{}", text_line(record))
        };
    };
    let outcome = watcher.run(&mut screen, &mut on_record, &stop);
    let closed = watcher.close();
    let summary = outcome.context("watching")?;
    closed.context("closing the journal")?;
    eprintln!(
        "armscan: stopped cleanly; {} scans screened in this run",
        summary.appended
    );
    Ok(ExitCode::SUCCESS)
}

/// `watch --publish URL`: the folder as a producer for the workers; no model is loaded.
fn run_publish(args: &WatchArgs, url: &str) -> anyhow::Result<ExitCode> {
    crate::scan_cmd::check_spacing("--pixel-spacing-mm", args.read.pixel_spacing_mm)?;
    args.timing.check()?;
    let stop = stop_on_signals()?;
    let submitter = crate::submit_cmd::connect(url, &args.queue, args.read.pixel_spacing_mm)?;
    let options = PublishFolderOptions::new(&args.in_dir)
        .with_settle(Duration::from_millis(args.timing.settle_ms))
        .with_poll(Duration::from_millis(args.timing.poll_ms))
        .with_pair_wait(Duration::from_millis(args.timing.pair_wait_ms));
    eprintln!(
        "armscan: watching {} (settle {} ms); publishing to {url}",
        args.in_dir.display(),
        args.timing.settle_ms
    );
    let summary = publish_folder(&submitter, &options, &stop, |name, outcome| match outcome {
        Ok(s) => println!(
            "queued {} {name}{}",
            s.id,
            if s.duplicate { " (duplicate)" } else { "" }
        ),
        Err(e) => eprintln!("armscan: {}", armscan::error_chain_text(e)),
    })
    .with_context(|| format!("watching {}", args.in_dir.display()))?;
    eprintln!(
        "armscan: stopped cleanly; {} scans published in this run",
        summary.published
    );
    Ok(ExitCode::SUCCESS)
}
