//! `armscan eval`: read a COCO data set, get predictions (run the model, or read a JSONL of
//! `armscan.scan/2` records), compute the metrics (`armscan_eval`), write the results.

use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use armscan::ingest::{load_scan, IngestOptions};
use armscan::{error_chain_text, now_utc, ScanInput, ScreenRequest, Status};
use armscan_eval::resample::{box_in_original, resample_scan};
use armscan_eval::{
    evaluate, match_records, summary_table, write_eval, EvalDataset, EvalPred, EvalReport,
    EvalSettings, EvalSource, WhereClause, WhereClauseOut, EVAL_HTML,
};
use armscan_report::{write_jsonl, ScanRecord, SCAN_SCHEMA, SCAN_SCHEMAS_READ};

use crate::args::EvalArgs;
use crate::scan_cmd::{check_spacing, screener_options, start};

/// File name of the predictions written when the model ran.
const PREDICTIONS_JSONL: &str = "predictions.jsonl";

/// Predictions for the data set's images, one record per image (in image
/// order), and where they came from.
struct Predictions {
    records: Vec<ScanRecord>,
    unused_records: usize,
    min_score: Option<f64>,
}

fn preds_from_records(records: &[ScanRecord]) -> Vec<EvalPred> {
    records
        .iter()
        .enumerate()
        .flat_map(|(image, r)| {
            r.detections.iter().map(move |d| {
                // Rounded as the JSONL contract writes them, so that evaluating the model here and
                // evaluating its predictions.jsonl give the same figures.
                let round = |v: f32, scale: f64| (f64::from(v) * scale).round() / scale;
                let b = d.box_in_image;
                EvalPred::from_xyxy(
                    image,
                    d.class_name.clone(),
                    d.category,
                    round(d.score, 1e4),
                    [b.x1, b.y1, b.x2, b.y2].map(|v| round(v, 100.0)),
                )
            })
        })
        .collect()
}

/// Names every record of `records` with status `error`; an unscreened image is never a negative.
fn refuse_failed(records: &[ScanRecord], file_names: &[&str]) -> anyhow::Result<()> {
    let failed: Vec<String> = records
        .iter()
        .zip(file_names)
        .filter(|(r, _)| r.status == Status::Error)
        .map(|(r, f)| format!("{f}: {}", r.error.as_deref().unwrap_or("error")))
        .collect();
    if !failed.is_empty() {
        let shown: Vec<&str> = failed.iter().take(20).map(String::as_str).collect();
        let more = if failed.len() > 20 {
            format!("\n  ... and {} more", failed.len() - 20)
        } else {
            String::new()
        };
        bail!(
            "{} image(s) could not be screened, so they cannot be evaluated:\n  {}{more}",
            failed.len(),
            shown.join("\n  ")
        );
    }
    Ok(())
}

fn read_jsonl(path: &Path, ds: &EvalDataset, images_dir: &str) -> anyhow::Result<Predictions> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading predictions {}", path.display()))?;
    let mut all = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let r: ScanRecord = serde_json::from_str(line).with_context(|| {
            format!(
                "{} line {}: not an {SCAN_SCHEMA} record",
                path.display(),
                i + 1
            )
        })?;
        if !SCAN_SCHEMAS_READ.contains(&r.schema.as_str()) {
            bail!(
                "{} line {}: schema `{}`, expected {SCAN_SCHEMA}",
                path.display(),
                i + 1,
                r.schema
            );
        }
        all.push(r);
    }
    let scans: Vec<&str> = all.iter().map(|r| r.scan.as_str()).collect();
    let m = match_records(&ds.images, images_dir, &scans)
        .with_context(|| format!("pairing {} with the data set's images", path.display()))?;
    let records: Vec<ScanRecord> = m.per_image.iter().map(|&i| all[i].clone()).collect();
    Ok(Predictions {
        records,
        unused_records: m.unused_records.len(),
        min_score: None,
    })
}

fn run_detector(
    args: &EvalArgs,
    ds: &EvalDataset,
    images_dir: &Path,
) -> anyhow::Result<Predictions> {
    check_spacing("--pixel-spacing-mm", args.pixel_spacing_mm)?;
    let screener = start(screener_options(&args.detector)?, args.detector.backend)?;
    // each image at its own pixel spacing when the data set gives one
    // (`--pixel-spacing-mm` overrides)
    let requests: Vec<ScreenRequest> = ds
        .images
        .iter()
        .map(|im| {
            ScreenRequest::new(ScanInput::File(images_dir.join(&im.file_name)))
                .with_pixel_spacing_mm(args.pixel_spacing_mm.or(im.pixel_spacing_mm))
        })
        .collect();
    let progress = crate::progress::bar(
        requests.len(),
        "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} images",
        !args.no_progress && std::io::stderr().is_terminal(),
    );
    let mut records = Vec::with_capacity(requests.len());
    screener.screen_all(
        &requests,
        |screened| -> Result<(), std::convert::Infallible> {
            records.push(screened.record);
            progress.inc(1);
            Ok(())
        },
    )?;
    progress.finish_and_clear();
    Ok(Predictions {
        records,
        unused_records: 0,
        min_score: Some((f64::from(screener.thresholds().min_score) * 1e4).round() / 1e4),
    })
}

fn distinct(values: impl Iterator<Item = String>) -> Option<String> {
    let mut v: Vec<String> = values.collect();
    v.sort();
    v.dedup();
    (!v.is_empty()).then(|| v.join(","))
}

pub fn run(args: &EvalArgs) -> anyhow::Result<ExitCode> {
    if !(0.0..=1.0).contains(&args.score_threshold) {
        bail!(
            "--score-threshold {}: a score is between 0 and 1",
            args.score_threshold
        );
    }
    let filters: Vec<WhereClause> = args
        .filters
        .iter()
        .map(|w| WhereClause::parse(w))
        .collect::<Result<_, _>>()?;
    let text = std::fs::read_to_string(&args.annotations)
        .with_context(|| format!("reading annotations {}", args.annotations.display()))?;
    let ds = EvalDataset::from_coco_json(&text, &filters)
        .with_context(|| format!("annotations {}", args.annotations.display()))?;
    let images_dir: PathBuf = match &args.images {
        Some(d) => d.clone(),
        None => {
            // the folder of the annotations, or its `images/` subfolder when the images are there
            // (a common COCO layout, e.g. GDXray dev)
            let dir = args
                .annotations
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default();
            let base = if dir.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                dir.clone()
            };
            let in_sub =
                |im: &armscan_eval::EvalImage| base.join("images").join(&im.file_name).is_file();
            match ds.images.first() {
                Some(im) if !base.join(&im.file_name).is_file() && in_sub(im) => dir.join("images"),
                _ => dir,
            }
        }
    };
    let images_dir_text = images_dir.display().to_string();
    let images_dir = if images_dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        images_dir
    };
    eprintln!(
        "armscan: evaluating {} images ({} threat boxes) of {}",
        ds.images.len(),
        ds.gts.len(),
        args.annotations.display()
    );

    if !args.resample_mm.is_empty() {
        return run_suite(args, &ds, &images_dir, &filters);
    }
    let preds = match &args.predictions {
        Some(p) => read_jsonl(p, &ds, &images_dir_text)?,
        None => run_detector(args, &ds, &images_dir)?,
    };
    let report = finish(
        args,
        &ds,
        &images_dir,
        &filters,
        &preds,
        args.out.as_deref(),
    )?;
    print!("{}", summary_table(&report));
    std::io::stdout().flush().context("writing to stdout")?;
    Ok(ExitCode::SUCCESS)
}

/// Keeps the predictions (when the model ran), refuses failed images, evaluates, and writes the
/// evaluation into `out`.
fn finish(
    args: &EvalArgs,
    ds: &EvalDataset,
    images_dir: &Path,
    filters: &[WhereClause],
    preds: &Predictions,
    out: Option<&Path>,
) -> anyhow::Result<EvalReport> {
    if preds.unused_records > 0 {
        eprintln!(
            "armscan: {} prediction record(s) match no evaluated image; left out",
            preds.unused_records
        );
    }
    if let (Some(dir), None) = (out, &args.predictions) {
        // Keep what the model said, so the evaluation can be repeated with --predictions.
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let path = dir.join(PREDICTIONS_JSONL);
        let mut w = BufWriter::new(
            File::create(&path).with_context(|| format!("creating {}", path.display()))?,
        );
        for r in &preds.records {
            write_jsonl(&mut w, r).with_context(|| format!("writing {}", path.display()))?;
        }
        w.flush()
            .with_context(|| format!("writing {}", path.display()))?;
    }
    let file_names: Vec<&str> = ds.images.iter().map(|im| im.file_name.as_str()).collect();
    refuse_failed(&preds.records, &file_names)?;

    let source = EvalSource {
        armscan_version: env!("CARGO_PKG_VERSION").to_owned(),
        created_at: now_utc(),
        annotations: args.annotations.display().to_string(),
        images_dir: images_dir.display().to_string(),
        filter: filters.iter().map(WhereClauseOut::from).collect(),
        predictions: if args.predictions.is_some() {
            "jsonl"
        } else {
            "detector"
        }
        .to_owned(),
        predictions_file: args.predictions.as_ref().map(|p| p.display().to_string()),
        model: distinct(preds.records.iter().map(|r| r.model.clone())),
        backend: distinct(preds.records.iter().map(|r| r.backend.clone())),
        min_score: preds.min_score,
        unused_records: preds.unused_records,
    };
    let settings = EvalSettings {
        score_threshold: f64::from(args.score_threshold),
        ..EvalSettings::default()
    };
    let mut report = evaluate(ds, &preds_from_records(&preds.records), &settings, source);
    if let Some(dir) = out {
        write_eval(dir, &mut report)
            .with_context(|| format!("writing the evaluation into {}", dir.display()))?;
        eprintln!(
            "armscan: evaluation written to {}",
            dir.join(EVAL_HTML).display()
        );
    }
    Ok(report)
}

/// The cross-scanner suite: every image resampled from `--native-mm` to each spacing of
/// `--resample-mm` and screened with the spacing withheld (as a scan from an unknown scanner);
/// detections mapped back onto the original pixels and evaluated there, one evaluation per
/// spacing (in `OUT/at-MMmm/`), and a table of the rows.
fn run_suite(
    args: &EvalArgs,
    ds: &EvalDataset,
    images_dir: &Path,
    filters: &[WhereClause],
) -> anyhow::Result<ExitCode> {
    let Some(native_mm) = args.native_mm else {
        bail!("--resample-mm needs --native-mm, the spacing the data set's images were stored at");
    };
    for &mm in std::iter::once(&native_mm).chain(&args.resample_mm) {
        check_spacing("--native-mm / --resample-mm", Some(mm))?;
    }
    if args.predictions.is_some() {
        bail!("--resample-mm runs the model; it cannot read --predictions");
    }
    let screener = start(screener_options(&args.detector)?, args.detector.backend)?;
    let mut rows = Vec::new();
    for &target_mm in &args.resample_mm {
        let factor = native_mm / target_mm;
        let mut records = Vec::with_capacity(ds.images.len());
        for im in &ds.images {
            let path = images_dir.join(&im.file_name);
            let record = match load_scan(&path, &IngestOptions::default()) {
                Ok(scan) => {
                    let copy = resample_scan(&scan, factor);
                    let mut r = screener.screen_scan(&copy);
                    for d in &mut r.detections {
                        d.box_in_image = box_in_original(d.box_in_image, factor);
                    }
                    r.width = Some(scan.width());
                    r.height = Some(scan.height());
                    r
                }
                Err(e) => ScanRecord::failed(
                    path.display().to_string(),
                    error_chain_text(&e),
                    screener.backend_kind().as_str(),
                    screener.model_id(),
                    0.0,
                ),
            };
            records.push(record);
        }
        let preds = Predictions {
            records,
            unused_records: 0,
            min_score: Some((f64::from(screener.thresholds().min_score) * 1e4).round() / 1e4),
        };
        let out = args
            .out
            .as_ref()
            .map(|d| d.join(format!("at-{target_mm}mm")));
        let report = finish(args, ds, images_dir, filters, &preds, out.as_deref())?;
        rows.push((target_mm, factor, report, preds.records));
    }
    println!(
        "cross-scanner suite: {} images stored at {native_mm} mm, spacing withheld",
        ds.images.len()
    );
    println!(
        "{:>8} {:>7} {:>13} {:>13} {:>10} {:>16}",
        "mm/px", "factor", "firearm AP50", "threat AP50", "Pd@5%FAR", "alarm+review"
    );
    for (mm, factor, report, records) in &rows {
        let ap = |m: Option<&armscan_eval::LabelMetrics>| {
            m.and_then(|m| m.ap50)
                .map_or("-".to_owned(), |v| format!("{v:.3}"))
        };
        let firearm = report
            .categories
            .iter()
            .find(|c| c.category == Some(armscan::Category::Firearm));
        let pd = report
            .image_level
            .iter()
            .find(|l| l.scope == "any_threat")
            .and_then(|l| {
                l.pd_at_far
                    .iter()
                    .find(|p| (p.far_target - 0.05).abs() < 1e-9)
            })
            .and_then(|p| p.pd)
            .map_or("-".to_owned(), |v| format!("{v:.3}"));
        let flagged = records.iter().filter(|r| r.is_flagged()).count();
        println!(
            "{mm:>8} {factor:>7.3} {:>13} {:>13} {pd:>10} {:>16}",
            ap(firearm),
            ap(Some(&report.any_threat)),
            format!("{flagged}/{}", records.len()),
        );
    }
    std::io::stdout().flush().context("writing to stdout")?;
    Ok(ExitCode::SUCCESS)
}
