//! `armscan scan`: screen files and folders through [`armscan::Screener`], print a line (or a
//! JSON record) per scan, and optionally write a report folder.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context};
use armscan::ingest::read_scanner_profile;
use armscan::{
    collect_inputs, now_utc, write_jsonl, BackendChoice, Category, ContentPrior, DecodeLimits,
    ReportWriter, ScaleSearch, ScanInput, ScanRecord, ScannerProfile, ScreenRequest, Screened,
    Screener, ScreenerBuilder, ScreenerError, Status, ThresholdOverrides, UnknownSpacing,
};
use armscan_report::{ReportOptions, TdrFolder};

use crate::args::{BackendArg, ModelArgs, ReadArgs, ScanArgs, UnknownSpacingArg};

/// `--pixel-spacing-mm` and the like: a positive number of millimetres.
pub(crate) fn check_spacing(flag: &str, mm: Option<f32>) -> anyhow::Result<()> {
    match mm {
        Some(mm) if !(mm.is_finite() && mm > 0.0) => {
            bail!("{flag} {mm}: must be a positive number of millimetres")
        }
        _ => Ok(()),
    }
}

/// The screener's options from the model flags (`scan`, `eval`, `watch`); the screener checks
/// them when it starts ([`start`] names a bad one by its flag).
pub(crate) fn screener_options(args: &ModelArgs) -> anyhow::Result<ScreenerBuilder> {
    check_spacing("--content-long-side-mm", args.content_long_side_mm)?;
    let backend = match args.backend {
        BackendArg::Auto => BackendChoice::Auto,
        BackendArg::Tract => BackendChoice::Tract,
        BackendArg::Onnxruntime => BackendChoice::OnnxRuntime,
    };
    let mut builder = Screener::builder()
        .with_backend(backend)
        .with_ort_lib(args.ort_lib.clone())
        .with_threads(args.threads)
        .with_sessions(args.sessions)
        .with_intra_threads(args.intra_threads)
        .with_batch_frames(args.batch_frames)
        .with_mirror_view(!args.single_view)
        .with_unknown_spacing(unknown_spacing(args))
        .with_thresholds(
            ThresholdOverrides::default()
                .with_min_score(args.min_score)
                .with_review_score(args.review_score)
                .with_alarm_score(args.alarm_score),
        );
    if let Some(model) = &args.model {
        builder = builder.with_model(model);
    }
    Ok(builder)
}

/// `--unknown-spacing` and `--content-long-side-mm` as the library's [`UnknownSpacing`].
pub(crate) fn unknown_spacing(args: &ModelArgs) -> UnknownSpacing {
    match args.unknown_spacing {
        UnknownSpacingArg::Estimate => {
            let prior = ContentPrior::default();
            UnknownSpacing::Estimate(match args.content_long_side_mm {
                Some(mm) => prior.with_content_long_side_mm(mm),
                None => prior,
            })
        }
        UnknownSpacingArg::Search => UnknownSpacing::Search(ScaleSearch::default()),
        UnknownSpacingArg::Assume => UnknownSpacing::ModelAssumption,
    }
}

/// Adds the reading flags (`scan`, `watch`): windowing, decode limits, the scans' pixel spacing.
pub(crate) fn with_read_options(
    builder: ScreenerBuilder,
    read: &ReadArgs,
) -> anyhow::Result<ScreenerBuilder> {
    let ReadArgs {
        window,
        max_megapixels,
        max_file_mib,
        pixel_spacing_mm,
        scanner,
    } = read;
    if max_megapixels.is_nan() || *max_megapixels <= 0.0 {
        bail!("--max-megapixels must be positive");
    }
    check_spacing("--pixel-spacing-mm", *pixel_spacing_mm)?;
    let mut profile = match scanner {
        Some(path) => read_scanner_profile(path)?,
        None => ScannerProfile::default(),
    };
    if pixel_spacing_mm.is_some() {
        profile = profile.with_pixel_spacing_mm(*pixel_spacing_mm);
    }
    let limits = DecodeLimits::default()
        .with_max_pixels((max_megapixels * 1e6) as u64)
        .with_max_file_bytes(max_file_mib.saturating_mul(1024 * 1024));
    Ok(builder
        .with_windowing(*window)
        .with_limits(limits)
        .with_profile(profile))
}

/// Starts the screener and says on stderr which backend `auto` chose.
pub(crate) fn start(builder: ScreenerBuilder, backend: BackendArg) -> anyhow::Result<Screener> {
    let screener = builder.commit().map_err(|e| match e {
        // the builder's options are the model flags, `_` for `-`
        ScreenerError::Option { option, reason } if option != "profile" => {
            anyhow!("--{} {reason}", option.replace('_', "-"))
        }
        other => other.into(),
    })?;
    if let (Some(active), BackendArg::Auto) = (screener.active_backend(), backend) {
        match (&active.library, &active.note) {
            (Some(lib), _) => eprintln!(
                "armscan: backend onnxruntime {} ({})",
                active.version.as_deref().unwrap_or("?"),
                lib.display()
            ),
            (None, Some(note)) => eprintln!("armscan: {note}"),
            (None, None) => eprintln!("armscan: backend {}", active.kind.as_str()),
        }
    }
    Ok(screener)
}

pub(crate) fn text_line(record: &ScanRecord) -> String {
    let status = record.status.as_str().to_uppercase();
    match (&record.error, record.detections.first()) {
        (Some(e), _) => format!("{status:<6} {}  {e}", record.scan),
        (None, Some(_)) => {
            let dets: Vec<String> = record
                .detections
                .iter()
                .take(3)
                .map(|d| {
                    let b = d.box_in_image;
                    // The category in brackets only where the fine class does not already say it.
                    let name = if d.class_name == d.category.as_str() {
                        d.class_name.clone()
                    } else {
                        format!("{} ({})", d.class_name, d.category)
                    };
                    format!(
                        "{name} {:.2} [{:.0},{:.0},{:.0},{:.0}]",
                        d.score, b.x1, b.y1, b.x2, b.y2
                    )
                })
                .collect();
            let more = record.detections.len().saturating_sub(3);
            let more = if more > 0 {
                format!(" +{more} more")
            } else {
                String::new()
            };
            format!("{status:<6} {}  {}{more}", record.scan, dets.join("; "))
        }
        (None, None) => format!("{status:<6} {}", record.scan),
    }
}

/// Counts of a run by verdict and by category (`Category::ALL`: the Protocol's three, then
/// accessories), for the closing line and the exit code.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    clear: usize,
    alarm: usize,
    review: usize,
    error: usize,
    per_category: [usize; Category::ALL.len()],
}

impl Tally {
    pub(crate) fn add(&mut self, record: &ScanRecord) {
        match record.status {
            Status::Clear => self.clear += 1,
            Status::Alarm => self.alarm += 1,
            Status::Review => self.review += 1,
            Status::Error => self.error += 1,
        }
        for d in &record.detections {
            if let Some(i) = Category::ALL.iter().position(|c| *c == d.category) {
                self.per_category[i] += 1;
            }
        }
    }

    pub(crate) fn exit_code(&self) -> ExitCode {
        if self.error > 0 {
            ExitCode::from(2)
        } else if self.alarm + self.review > 0 {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        }
    }
}

/// Writes the DICOS threat detection report of one screened scan into `folder`.
pub(crate) fn write_tdr(
    folder: &mut TdrFolder,
    screener: &Screener,
    screened: &Screened,
) -> anyhow::Result<()> {
    let scan = &screened.record.scan;
    let bytes = screener
        .tdr(screened)
        .with_context(|| format!("encoding the threat detection report of {scan}"))?;
    folder
        .write(scan, &bytes)
        .with_context(|| format!("writing the threat detection report of {scan}"))?;
    Ok(())
}

/// The scans in files and folders (`scan`, `submit`): at least one, else an error naming them.
pub(crate) fn collect_scans(paths: &[std::path::PathBuf]) -> anyhow::Result<Vec<ScanInput>> {
    let inputs = collect_inputs(paths);
    if inputs.is_empty() {
        bail!(
            "no scans found in {}",
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(inputs)
}

pub fn run(args: &ScanArgs) -> anyhow::Result<ExitCode> {
    let builder = with_read_options(screener_options(&args.detector)?, &args.read)?;
    let screener = start(builder, args.detector.backend)?;

    let inputs = collect_scans(&args.paths)?;
    let mut report = match &args.out {
        Some(dir) => Some(
            ReportWriter::create(dir, screener.run_info(now_utc()), ReportOptions::default())
                .with_context(|| format!("creating report folder {}", dir.display()))?,
        ),
        None => None,
    };
    let mut tdr = args.tdr.as_deref().map(TdrFolder::create).transpose()?;
    let requests: Vec<ScreenRequest> = inputs
        .into_iter()
        .map(|input| ScreenRequest::new(input).with_display(report.is_some()))
        .collect();

    let show_progress = !args.jsonl && !args.no_progress && std::io::stderr().is_terminal();
    let progress = crate::progress::bar(
        requests.len(),
        "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} scans  {msg}",
        show_progress,
    );
    let stdout = std::io::stdout();
    let mut tally = Tally::default();
    screener.screen_all(&requests, |screened: Screened| -> anyhow::Result<()> {
        if let Some(folder) = tdr.as_mut() {
            write_tdr(folder, &screener, &screened)?;
        }
        let Screened {
            record, display, ..
        } = screened;
        tally.add(&record);
        {
            let mut out = stdout.lock();
            if args.jsonl {
                write_jsonl(&mut out, &record).context("writing to stdout")?;
            } else {
                progress
                    .suspend(|| writeln!(out, "{}", text_line(&record)))
                    .context("writing to stdout")?;
            }
        }
        if let Some(w) = report.as_mut() {
            w.add(&record, display.as_ref())
                .with_context(|| format!("writing the report for {}", record.scan))?;
        }
        progress.inc(1);
        progress.set_message(format!(
            "{} alarm, {} review, {} error",
            tally.alarm, tally.review, tally.error
        ));
        Ok(())
    })?;
    progress.finish_and_clear();
    if let (Some(w), Some(dir)) = (report, &args.out) {
        w.finish()
            .with_context(|| format!("finishing the report in {}", dir.display()))?;
        eprintln!(
            "armscan: report written to {}",
            dir.join("index.html").display()
        );
    }
    // The Protocol categories, then accessories (magazines, trigger groups) apart, when any.
    let [firearm, part, ammunition, accessory] = tally.per_category;
    let accessories = if accessory > 0 {
        format!("; {accessory} accessory (not a Protocol category)")
    } else {
        String::new()
    };
    eprintln!(
        "armscan: {} scans: {} alarm, {} review, {} clear, {} error; \
         detections: {firearm} firearm, {part} part, {ammunition} ammunition{accessories}",
        requests.len(),
        tally.alarm,
        tally.review,
        tally.clear,
        tally.error,
    );
    Ok(tally.exit_code())
}
