//! `armscan scan`.

use std::io::{IsTerminal, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context};
use armscan_core::{Category, Status, Thresholds};
use armscan_detect::{BackendChoice, Detector, DetectorBuilder};
use armscan_ingest::{collect_inputs, display_rgb, load_input, DecodeLimits, IngestOptions, ScanInput, Windowing};
use armscan_report::{write_jsonl, ReportOptions, ReportWriter, RunInfo, ScanRecord};
use rayon::prelude::*;

use crate::args::{BackendArg, ModelArgs, ReadArgs, ScanArgs};

/// The model used when none is named.
const DEFAULT_MODEL: &str = "models/armscan-threat-v11.manifest.json";

fn parse_window(text: &str) -> anyhow::Result<Windowing> {
    match text {
        "full" => Ok(Windowing::Full),
        "auto" => Ok(Windowing::Percentile { low_pct: 0.5, high_pct: 99.5 }),
        other => {
            let (lo, hi) = other.split_once(':').with_context(|| format!("--window `{other}`: expected full, auto or LOW:HIGH"))?;
            let low: u16 = lo.trim().parse().with_context(|| format!("--window low value `{lo}`"))?;
            let high: u16 = hi.trim().parse().with_context(|| format!("--window high value `{hi}`"))?;
            if high <= low {
                bail!("--window {low}:{high}: HIGH must be above LOW");
            }
            Ok(Windowing::Range { low, high })
        }
    }
}

pub(crate) fn check_score(name: &str, v: Option<f32>) -> anyhow::Result<()> {
    if let Some(v) = v {
        if !(0.0..=1.0).contains(&v) {
            bail!("--{name} {v}: a score is between 0 and 1");
        }
    }
    Ok(())
}

/// Finds the default model: $ARMSCAN_MODEL, ./models/..., or models/ of the repository the
/// binary was built in.
fn default_model() -> PathBuf {
    if let Some(p) = std::env::var_os("ARMSCAN_MODEL").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    let local = PathBuf::from(DEFAULT_MODEL);
    if local.exists() {
        return local;
    }
    if let Ok(exe) = std::env::current_exe() {
        for ancestor in exe.ancestors().skip(1).take(4) {
            let candidate = ancestor.join(DEFAULT_MODEL);
            if candidate.exists() {
                return candidate;
            }
        }
    }
    local
}

/// Reading options from the flags `scan` and `watch` share: windowing and decode limits.
pub(crate) fn ingest_options(read: &ReadArgs) -> anyhow::Result<IngestOptions> {
    let ReadArgs { window, max_megapixels, max_file_mib, pixel_spacing_mm } = read;
    let (max_megapixels, max_file_mib, pixel_spacing_mm) = (*max_megapixels, *max_file_mib, *pixel_spacing_mm);
    if max_megapixels.is_nan() || max_megapixels <= 0.0 {
        bail!("--max-megapixels must be positive");
    }
    let windowing = parse_window(window)?;
    let limits = DecodeLimits::default().with_max_pixels((max_megapixels * 1e6) as u64).with_max_file_bytes(max_file_mib.saturating_mul(1024 * 1024));
    Ok(IngestOptions::default().with_limits(limits).with_windowing(windowing).with_pixel_spacing_mm(pixel_spacing_mm))
}

/// The outcome of one input: its record, and a display image when a report wants one.
pub(crate) struct Screened {
    pub(crate) record: ScanRecord,
    pub(crate) display: Option<image::RgbImage>,
}

pub(crate) fn screen_one(input: &ScanInput, detector: &Detector, ingest: &IngestOptions, want_display: bool) -> Screened {
    let started = Instant::now();
    let name = input.name();
    let backend = detector.backend_kind().as_str();
    let model_id = detector.model_id();
    let model = model_id.as_str();
    let elapsed_ms = |t: Instant| t.elapsed().as_secs_f64() * 1e3;
    let outcome = catch_unwind(AssertUnwindSafe(|| -> Result<Screened, String> {
        let scan = load_input(input, ingest).map_err(|e| e.to_string())?;
        let found = detector.detect_scan(&scan, &ingest.windowing).map_err(|e| format!("{name}: {e}"))?;
        let status = detector.thresholds().verdict(&found.detections);
        let display = want_display.then(|| display_rgb(&scan, &ingest.windowing));
        let record =
            ScanRecord::screened(name.clone(), found.width, found.height, status, found.detections, backend.to_owned(), model.to_owned(), elapsed_ms(started));
        Ok(Screened { record, display })
    }));
    match outcome {
        Ok(Ok(s)) => s,
        Ok(Err(message)) => Screened { record: ScanRecord::failed(name, message, backend.to_owned(), model.to_owned(), elapsed_ms(started)), display: None },
        Err(panic) => {
            let what = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_else(|| "unknown panic".into());
            let message = format!("{name}: internal error while screening: {what}");
            Screened { record: ScanRecord::failed(name, message, backend.to_owned(), model.to_owned(), elapsed_ms(started)), display: None }
        }
    }
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
                    let name = if d.class_name == d.category.as_str() { d.class_name.clone() } else { format!("{} ({})", d.class_name, d.category) };
                    format!("{name} {:.2} [{:.0},{:.0},{:.0},{:.0}]", d.score, b.x1, b.y1, b.x2, b.y2)
                })
                .collect();
            let more = record.detections.len().saturating_sub(3);
            let more = if more > 0 { format!(" +{more} more") } else { String::new() };
            format!("{status:<6} {}  {}{more}", record.scan, dets.join("; "))
        }
        (None, None) => format!("{status:<6} {}", record.scan),
    }
}

/// Starts the global worker pool: `threads`, or one per core. Returns the count.
pub(crate) fn init_threads(threads: Option<usize>) -> anyhow::Result<usize> {
    let threads = threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)).max(1);
    rayon::ThreadPoolBuilder::new().num_threads(threads).build_global().context("starting the worker threads")?;
    Ok(threads)
}

/// Loads the model (thresholds: the model's, overridden by the flags), starts the backend and
/// says on stderr which one `auto` chose.
pub(crate) fn build_detector(args: &ModelArgs, threads: usize) -> anyhow::Result<Detector> {
    check_score("min-score", args.min_score)?;
    check_score("alarm-score", args.alarm_score)?;
    check_score("review-score", args.review_score)?;
    let model = args.model.clone().unwrap_or_else(default_model);
    let backend = match args.backend {
        BackendArg::Auto => BackendChoice::Auto,
        BackendArg::Tract => BackendChoice::Tract,
        BackendArg::Onnxruntime => BackendChoice::OnnxRuntime,
    };
    if args.intra_threads == 0 || args.batch_frames == 0 || args.sessions == Some(0) {
        bail!("--sessions, --intra-threads and --batch-frames must be at least 1");
    }
    let mut builder = DetectorBuilder::new(&model)
        .with_backend(backend)
        .with_ort_lib(args.ort_lib.clone())
        .with_sessions(args.sessions.unwrap_or(threads))
        .with_intra_threads(args.intra_threads)
        .with_batch_frames(args.batch_frames)
        .with_mirror_view(!args.single_view);
    let manifest = armscan_detect::ModelManifest::load(&builder.manifest_path).with_context(|| format!("loading model {}", model.display()))?;
    let defaults = manifest.thresholds();
    let thresholds = Thresholds::new(
        args.min_score.unwrap_or(defaults.min_score),
        args.review_score.unwrap_or(defaults.review_score),
        args.alarm_score.unwrap_or(defaults.alarm_score),
    );
    builder = builder.with_thresholds(thresholds);
    let detector = builder.commit().with_context(|| format!("starting model {}", model.display()))?;
    if let Some(active) = detector.active_backend() {
        if matches!(args.backend, BackendArg::Auto) {
            match (&active.library, &active.note) {
                (Some(lib), _) => eprintln!("armscan: backend onnxruntime {} ({})", active.version.as_deref().unwrap_or("?"), lib.display()),
                (None, Some(note)) => eprintln!("armscan: {note}"),
                (None, None) => eprintln!("armscan: backend {}", active.kind.as_str()),
            }
        }
    }
    Ok(detector)
}

pub fn run(args: &ScanArgs) -> anyhow::Result<ExitCode> {
    let ingest = ingest_options(&args.read)?;
    let threads = init_threads(args.detector.threads)?;
    let detector = build_detector(&args.detector, threads)?;

    let inputs = collect_inputs(&args.paths);
    if inputs.is_empty() {
        bail!("no scans found in {}", args.paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "));
    }

    let mut report = match &args.out {
        Some(dir) => {
            let run = RunInfo {
                armscan_version: env!("CARGO_PKG_VERSION").to_owned(),
                model_id: detector.model_id(),
                model_sha256: detector.manifest().spec.sha256.clone(),
                backend: detector.backend_kind().as_str().to_owned(),
                thresholds: detector.thresholds(),
                started_at: now_utc(),
                classes: detector.manifest().spec.classes.clone(),
            };
            Some(ReportWriter::create(dir, run, ReportOptions::default()).with_context(|| format!("creating report folder {}", dir.display()))?)
        }
        None => None,
    };

    let show_progress = !args.jsonl && !args.no_progress && std::io::stderr().is_terminal();
    let progress = crate::progress::bar(inputs.len(), "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} scans  {msg}", show_progress);

    let stdout = std::io::stdout();
    let mut counts = [0usize; 4]; // clear, alarm, review, error
    let mut per_category = [0usize; 3];
    // Screen in ordered chunks: parallel inside a chunk, records written in input order, and
    // memory bounded by the chunk whatever the number of scans.
    let chunk = threads * 2;
    for group in inputs.chunks(chunk) {
        let results: Vec<Screened> = group.par_iter().map(|input| screen_one(input, &detector, &ingest, report.is_some())).collect();
        for s in results {
            let r = &s.record;
            match r.status {
                Status::Clear => counts[0] += 1,
                Status::Alarm => counts[1] += 1,
                Status::Review => counts[2] += 1,
                Status::Error => counts[3] += 1,
            }
            for d in &r.detections {
                let i = Category::ALL.iter().position(|c| *c == d.category).unwrap_or(0);
                per_category[i] += 1;
            }
            {
                let mut out = stdout.lock();
                if args.jsonl {
                    write_jsonl(&mut out, r).context("writing to stdout")?;
                } else {
                    progress.suspend(|| writeln!(out, "{}", text_line(r))).context("writing to stdout")?;
                }
            }
            if let Some(w) = report.as_mut() {
                w.add(r, s.display.as_ref()).with_context(|| format!("writing the report for {}", r.scan))?;
            }
            progress.inc(1);
            progress.set_message(format!("{} alarm, {} review, {} error", counts[1], counts[2], counts[3]));
        }
    }
    progress.finish_and_clear();
    if let Some(w) = report {
        let dir = args.out.clone().unwrap_or_default();
        w.finish().with_context(|| format!("finishing the report in {}", dir.display()))?;
        eprintln!("armscan: report written to {}", dir.join("index.html").display());
    }
    eprintln!(
        "armscan: {} scans: {} alarm, {} review, {} clear, {} error; detections: {} firearm, {} part, {} ammunition",
        inputs.len(),
        counts[1],
        counts[2],
        counts[0],
        counts[3],
        per_category[0],
        per_category[1],
        per_category[2]
    );
    Ok(if counts[3] > 0 {
        ExitCode::from(2)
    } else if counts[1] + counts[2] > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The current time as `YYYY-MM-DDTHH:MM:SSZ` (UTC), without a date crate.
pub(crate) fn now_utc() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}
