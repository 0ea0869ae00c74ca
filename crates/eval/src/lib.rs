//! `armscan eval`: how well a detector finds what a COCO data set says is there.
//!
//! - [`dataset`]: the data set (COCO `annotations.json` read by [`armscan_coco`], threat classes by
//!   armscan's taxonomy, the `--where` filter) and the rule pairing
//!   `armscan.scan/2` records with images; pure;
//! - [`metrics`]: COCO matching and AP (as pycocotools), image-level ROC, the
//!   confusion between categories; pure;
//! - [`evaluate`]: everything above for one data set and its predictions, as an [`EvalReport`]
//!   (`eval.json`, schema [`EVAL_SCHEMA`]; fields documented in `crates/eval/EVAL.md`); pure;
//! - [`plot`]: PR and ROC curves drawn on an image;
//! - [`write_eval`]: `eval.json`, the plots as PNG and a self-contained `eval.html` into a folder;
//!   [`summary_table`]: the short text summary;
//! - [`error`]: [`EvalError`] (the data set side); writing reports [`armscan_report::ReportError`].
//!
//! Built on `armscan-report` (HTML escaping, the report error type); nothing in the product
//! (ingest, detect, report, watch) depends on this crate.

pub mod dataset;
pub mod error;
pub mod metrics;
mod page;
pub mod plot;
mod report;
pub mod resample;

use std::fs;
use std::io::Cursor;
use std::path::{Path, PathBuf};

use armscan_core::Category;
use image::RgbImage;

pub use dataset::{
    match_records, normalise_path, threat_category, EvalDataset, EvalGt, EvalImage, EvalPred,
    RecordMatch, WhereClause,
};
pub use error::EvalError;
pub use report::{
    evaluate, CategoryValue, Confusion, DatasetSummary, Difficulty, DifficultyBin, EvalReport,
    EvalSettings, EvalSource, ImageLevel, LabelMetrics, PdAtFar, PrCurve, RocPointOut, SettingsOut,
    Summary, WhereClauseOut, EVAL_SCHEMA,
};

use armscan_report::ReportError;

/// File name of the JSON result inside the output folder.
pub const EVAL_JSON: &str = "eval.json";
/// File name of the HTML page inside the output folder.
pub const EVAL_HTML: &str = "eval.html";

fn category_colour(c: Option<Category>) -> image::Rgb<u8> {
    match c {
        Some(Category::Firearm) => plot::PALETTE[3],
        Some(Category::Part) => plot::PALETTE[4],
        Some(Category::Ammunition) => plot::PALETTE[1],
        Some(Category::Accessory) => plot::PALETTE[9],
        None => image::Rgb([30, 30, 30]),
    }
}

fn fmt_opt(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_owned(), |v| format!("{v:.3}"))
}

/// The plots of a report: `(file name, image)`: PR curves at IoU 0.5 per category (the Protocol's,
/// `accessory` when evaluated, and `any_threat`) and per fine class, and the image-level ROC.
#[must_use]
pub fn plots(report: &EvalReport) -> Vec<(String, RgbImage)> {
    let pr_series = |labels: &[&LabelMetrics], by_category: bool| -> Vec<plot::Series> {
        labels
            .iter()
            .filter(|m| m.gt_boxes > 0 && !m.pr50.recall.is_empty())
            .enumerate()
            .map(|(i, m)| plot::Series {
                label: format!("{} AP50 {}", m.name, fmt_opt(m.ap50)),
                colour: if by_category {
                    category_colour(m.category)
                } else {
                    plot::PALETTE[i % plot::PALETTE.len()]
                },
                points: m
                    .pr50
                    .recall
                    .iter()
                    .copied()
                    .zip(m.pr50.precision.iter().copied())
                    .collect(),
            })
            .collect()
    };
    let cats: Vec<&LabelMetrics> = report
        .categories
        .iter()
        .chain(std::iter::once(&report.any_threat))
        .collect();
    let classes: Vec<&LabelMetrics> = report.classes.iter().collect();
    let pr = |title: &str, series| plot::Plot {
        title: title.to_owned(),
        x_label: "recall".into(),
        y_label: "precision".into(),
        series,
        legend: plot::LegendAt::BottomLeft,
        diagonal: false,
    };
    let roc_series = report
        .image_level
        .iter()
        .filter(|l| l.positives > 0 && l.negatives > 0)
        .map(|l| plot::Series {
            label: format!(
                "{} AUC {} ({}+ / {}-)",
                l.scope,
                fmt_opt(l.auc),
                l.positives,
                l.negatives
            ),
            colour: category_colour(l.scope.parse().ok()),
            points: l.roc.iter().map(|p| (p.far, p.pd)).collect(),
        })
        .collect();
    let roc = plot::Plot {
        title: "Image-level ROC".into(),
        x_label: "false-alarm rate (negative images flagged)".into(),
        y_label: "probability of detection".into(),
        series: roc_series,
        legend: plot::LegendAt::BottomRight,
        diagonal: true,
    };
    vec![
        (
            "pr_categories.png".to_owned(),
            plot::draw(&pr("PR at IoU 0.5, categories", pr_series(&cats, true))),
        ),
        (
            "pr_classes.png".to_owned(),
            plot::draw(&pr(
                "PR at IoU 0.5, fine classes",
                pr_series(&classes, false),
            )),
        ),
        ("roc.png".to_owned(), plot::draw(&roc)),
    ]
}

/// PNG bytes of an image.
///
/// # Errors
/// [`ReportError::Encode`] naming `path`.
pub fn png_bytes(img: &RgbImage, path: &Path) -> Result<Vec<u8>, ReportError> {
    let mut buf = Cursor::new(Vec::new());
    img.write_to(&mut buf, image::ImageFormat::Png)
        .map_err(|source| ReportError::Encode {
            path: path.to_path_buf(),
            source,
        })?;
    Ok(buf.into_inner())
}

fn write_file(path: PathBuf, bytes: &[u8]) -> Result<(), ReportError> {
    let tmp = path.with_extension("tmp");
    fs::write(&tmp, bytes).map_err(|source| ReportError::Io {
        path: tmp.clone(),
        source,
    })?;
    fs::rename(&tmp, &path).map_err(|source| ReportError::Io { path, source })
}

/// Writes into `dir` (created if needed): the plots as PNG, `eval.json` and `eval.html` (plots
/// embedded as `data:` URIs, no external reference). Sets `report.plots` to the PNG names.
///
/// # Errors
/// [`ReportError`] naming the folder or file that failed.
pub fn write_eval(dir: &Path, report: &mut EvalReport) -> Result<(), ReportError> {
    fs::create_dir_all(dir).map_err(|source| ReportError::CreateDir {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut pngs = Vec::new();
    for (name, img) in plots(report) {
        let path = dir.join(&name);
        let bytes = png_bytes(&img, &path)?;
        write_file(path, &bytes)?;
        pngs.push((name, bytes));
    }
    report.plots = pngs.iter().map(|(n, _)| n.clone()).collect();
    let mut json = serde_json::to_string_pretty(report).map_err(|source| ReportError::Json {
        what: "the evaluation".into(),
        source,
    })?;
    json.push('\n');
    write_file(dir.join(EVAL_JSON), json.as_bytes())?;
    write_file(
        dir.join(EVAL_HTML),
        page::eval_html(report, &pngs).as_bytes(),
    )
}

/// A short text summary: AP per category and class, image-level PD at the false-alarm targets.
#[must_use]
pub fn summary_table(report: &EvalReport) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let d = &report.dataset;
    let _ = writeln!(
        s,
        "{} images ({} with threats, {} without), {} threat boxes",
        d.images, d.positive_images, d.negative_images, d.gt_boxes
    );
    if let Some(a) = report
        .categories
        .iter()
        .find(|m| m.category.is_some_and(|c| !c.is_protocol()))
    {
        let _ = writeln!(
            s,
            "{} {} boxes counted apart (not a Protocol category, not in any_threat)",
            a.gt_boxes, a.name
        );
    }
    let _ = writeln!(
        s,
        "{:<22} {:>6} {:>6} {:>7} {:>8} {:>7}",
        "label", "gt", "dets", "AP50", "AP50:95", "R@0.5"
    );
    let rows = report
        .categories
        .iter()
        .chain(std::iter::once(&report.any_threat));
    for (i, m) in rows.chain(report.classes.iter()).enumerate() {
        if i == report.categories.len() + 1 {
            let _ = writeln!(s, "{}", "-".repeat(60));
        }
        let _ = writeln!(
            s,
            "{:<22} {:>6} {:>6} {:>7} {:>8} {:>7}",
            m.name,
            m.gt_boxes,
            m.detections,
            fmt_opt(m.ap50),
            fmt_opt(m.ap50_95),
            fmt_opt(m.recall50)
        );
    }
    for l in &report.image_level {
        let pds: Vec<String> = l
            .pd_at_far
            .iter()
            .map(|p| format!("PD@FAR{}% {}", p.far_target * 100.0, fmt_opt(p.pd)))
            .collect();
        let _ = writeln!(
            s,
            "image level {:<12} {} ({}+ / {}-)  AUC {}",
            l.scope,
            pds.join("  "),
            l.positives,
            l.negatives,
            fmt_opt(l.auc)
        );
    }
    s
}
