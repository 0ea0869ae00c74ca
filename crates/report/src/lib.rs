//! Reports for armscan.
//!
//! - [`record`]: the versioned per-scan JSON contract ([`ScanRecord`], schema [`SCAN_SCHEMA`]) and
//!   [`write_jsonl`], one JSON object per line;
//! - [`draw`]: boxes and `class score` labels drawn on a scan ([`draw_detections_mut`]), coloured by
//!   Protocol category;
//! - [`writer`]: the `--out DIR` report ([`ReportWriter`]): overlay PNGs of flagged scans, written as
//!   scans come, and at the end `report.json`, `summary.csv` and one self-contained `index.html`;
//! - [`eval`]: `armscan eval`: COCO data sets, COCO AP (as pycocotools), image-level ROC, the
//!   confusion between categories, results by difficulty; `eval.json`, `eval.html`, PR/ROC PNGs.
//!
//! Nothing here decides a verdict: records carry the [`armscan_core::Status`] the caller decided.

pub mod draw;
pub mod eval;
mod html;
pub mod record;
mod table;
pub mod writer;

use std::io;
use std::path::PathBuf;

pub use draw::{category_colour, draw_detections_mut, draw_detections_styled_mut, DrawStyle};
pub use record::{write_jsonl, ScanRecord, SCAN_SCHEMA};
pub use writer::{CategoryCounts, ReportOptions, ReportSummary, ReportWriter, RunInfo, INDEX_HTML, OVERLAYS_DIR, REPORT_JSON, REPORT_SCHEMA, SUMMARY_CSV};

/// Errors writing reports, classified by what failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// The report directory (or its `overlays/` folder) could not be created.
    #[error("cannot create report directory {}: {source}", path.display())]
    CreateDir { path: PathBuf, source: io::Error },
    /// A report file could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    /// An image (overlay or thumbnail) could not be encoded as PNG. `path` is the file it was meant
    /// for; for a thumbnail, which lives only inside `index.html`, the scan's path.
    #[error("cannot encode PNG for {}: {source}", path.display())]
    Encode { path: PathBuf, source: image::ImageError },
    /// A value could not be serialised as JSON.
    #[error("cannot serialise {what} as JSON: {source}")]
    Json { what: String, source: serde_json::Error },
    /// A JSON line could not be written to its stream (stdout, a pipe, a file the caller opened).
    #[error("cannot write a JSON line: {source}")]
    Stream { source: io::Error },
}
