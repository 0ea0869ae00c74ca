//! `armscan serve`: the operator console. The server, the queue and the decisions database live
//! in `armscan-serve`; screening is [`armscan::Screener`]'s, built from the same flags as
//! `scan`'s and `watch`'s.

use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use anyhow::{bail, Context};
use armscan_serve::{
    check_access, check_place, read_token_file, serve, Guards, ServeOptions, Source,
};

use crate::args::ServeArgs;
use crate::scan_cmd::{screener_options, start, with_read_options};

/// The decisions database's file name inside the output folder.
const DB_FILE: &str = "console.sqlite";

pub fn run(args: &ServeArgs) -> anyhow::Result<ExitCode> {
    // The access rule first: refusing an open port must not wait for a model to load.
    let token = args
        .token_file
        .as_deref()
        .map(read_token_file)
        .transpose()?;
    check_access(args.addr, token.as_deref())?;
    if let Some(site) = &args.site {
        check_place("--site", site)?;
    }
    if let Some(lane) = &args.lane {
        check_place("--lane", lane)?;
    }
    let watch = match (&args.watch, &args.scans) {
        (Some(in_dir), None) => {
            let Some(out) = &args.out else {
                bail!("--watch needs --out DIR (results, journal and the decisions database)");
            };
            Some((in_dir, out))
        }
        (None, Some(_)) => None,
        (None, None) if args.api_only => None,
        _ => bail!("give what to serve: --watch IN_DIR --out DIR, --scans DIR, or --api-only"),
    };
    let db_path = match (&args.db, &args.out) {
        (Some(db), _) => db.clone(),
        (None, Some(out)) => {
            std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
            out.join(DB_FILE)
        }
        // the API alone keeps no decisions
        (None, None) if args.api_only => std::path::PathBuf::from(":memory:"),
        (None, None) => bail!("--scans needs --db FILE or --out DIR for the decisions database"),
    };

    let builder = with_read_options(screener_options(&args.detector)?, &args.read)?;
    // Trainer mode's library, read once (courses draw trials from it at 1 mm/px by default).
    let mut library = armscan_serve::trainer::TrainerLibrary {
        sources: args.tip.load(1.0)?,
        replays: Vec::new(),
    };
    if let Some(sel) = args
        .tip
        .selection(args.replay.as_deref(), &args.replay_where)?
    {
        library.replays = armscan_synth::labelled_scans(&sel).with_context(|| {
            format!(
                "reading the labelled scans of {}",
                sel.annotations.display()
            )
        })?;
        eprintln!(
            "armscan: trainer library: {} labelled scans to replay",
            library.replays.len()
        );
    }
    let screener = start(builder, args.detector.backend)?;
    let source = match watch {
        Some((in_dir, out)) => {
            Source::Watch(args.timing.config(in_dir, out, screener.threads())?)
        }
        None if args.api_only => Source::ApiOnly,
        None => Source::Scans(args.scans.clone().unwrap_or_default()),
    };

    let options = ServeOptions::new(args.addr, db_path)
        .with_guards(
            Guards::default()
                .with_token(token)
                .with_max_scan_bytes(args.max_upload_bytes),
        )
        .with_trainers(Some(args.trainers.clone()))
        .with_site(args.site.clone())
        .with_lane(args.lane.clone())
        .with_trainer_library(library);
    let stop = Arc::new(AtomicBool::new(false));
    serve(screener, source, &options, stop, |bound| {
        let what = if args.api_only { "API" } else { "console" };
        eprintln!("armscan: {what} at http://{bound}/ (Ctrl-C stops it)");
    })
    .context("serving the console")?;
    eprintln!("armscan: console stopped");
    Ok(ExitCode::SUCCESS)
}
