//! `armscan submit`: scans onto the NATS JetStream work queue, and with --wait their records
//! back, printed as `scan` prints them.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use armscan::ScanRecord;
use armscan_queue::{SubmitOptions, Submitter};

use crate::args::{QueueArgs, SubmitArgs};
use crate::scan_cmd::{check_spacing, collect_scans, text_line, Tally};
use crate::worker_cmd::stream_options;

/// A producer's connection from the queue flags.
pub(crate) fn connect(
    url: &str,
    queue: &QueueArgs,
    pixel_spacing_mm: Option<f32>,
) -> anyhow::Result<Submitter> {
    let options = SubmitOptions::new(url)
        .with_shared_dir(queue.shared_dir.clone())
        .with_pixel_spacing_mm(pixel_spacing_mm)
        .with_streams(stream_options(queue)?);
    Submitter::connect(options).with_context(|| format!("connecting to the work queue at {url}"))
}

pub fn run(args: &SubmitArgs) -> anyhow::Result<ExitCode> {
    check_spacing("--pixel-spacing-mm", args.pixel_spacing_mm)?;
    let inputs = collect_scans(&args.paths)?;
    let submitter = connect(&args.nats, &args.queue, args.pixel_spacing_mm)?;
    let mut tally = Tally::default();
    let mut waiting: HashMap<String, String> = HashMap::new();
    let stdout = std::io::stdout();
    let mut failed = 0usize;
    submitter.submit_all(&inputs, |input, outcome| match outcome {
        Ok(s) => {
            if !args.wait {
                let mut out = stdout.lock();
                let _ = writeln!(
                    out,
                    "queued {} {}{}",
                    s.id,
                    s.name,
                    if s.duplicate { " (duplicate)" } else { "" }
                );
            }
            waiting.insert(s.id, s.name);
        }
        Err(e) => {
            // not sent: said now, counted as a failed scan; the others go on
            failed += 1;
            let message = format!("not submitted: {}", armscan::error_chain_text(&e));
            eprintln!("armscan: {message}");
            if args.wait {
                let record = ScanRecord::failed(input.name(), message, "none", "none", 0.0);
                print_record(args.jsonl, &record, None);
                tally.add(&record);
            }
        }
    });
    if !args.wait {
        eprintln!(
            "armscan: {} scans queued, {failed} not submitted",
            waiting.len()
        );
        return Ok(if failed > 0 {
            ExitCode::from(2)
        } else {
            ExitCode::SUCCESS
        });
    }
    let ids: HashSet<String> = waiting.keys().cloned().collect();
    let missing = submitter
        .wait_results(
            &ids,
            args.timeout_s.map(Duration::from_secs),
            |_, record, line| {
                print_record(args.jsonl, record, Some(line));
                tally.add(record);
            },
        )
        .context("waiting for results")?;
    for id in &missing {
        let name = waiting.get(id).map_or(id.as_str(), String::as_str);
        let message = format!(
            "{name}: no result within {} s (scan id {id}; still queued, its result will be \
             stored in the results stream)",
            args.timeout_s.unwrap_or_default()
        );
        eprintln!("armscan: {message}");
        let record = ScanRecord::failed(name, message, "none", "none", 0.0);
        print_record(args.jsonl, &record, None);
        tally.add(&record);
    }
    Ok(tally.exit_code())
}

/// One record on stdout: the stored JSON line as it is, or text. A closed pipe is ignored.
fn print_record(jsonl: bool, record: &ScanRecord, stored_line: Option<&[u8]>) {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let _ = if jsonl {
        match stored_line {
            Some(line) => out.write_all(line).and_then(|()| out.write_all(b"\n")),
            None => armscan::write_jsonl(&mut out, record)
                .map_err(|e| std::io::Error::other(e.to_string())),
        }
    } else {
        writeln!(out, "{}", text_line(record))
    };
}
