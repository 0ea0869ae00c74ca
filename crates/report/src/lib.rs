//! Reports for armscan.
//!
//! - [`record`]: the versioned per-scan JSON contract ([`ScanRecord`], schema [`SCAN_SCHEMA`]) and
//!   [`write_jsonl`], one JSON object per line;
//! - [`draw`]: boxes and `class score` labels drawn on a scan
//!   ([`draw_detections_mut`]), coloured by
//!   category (the Protocol's three, and accessories);
//! - [`writer`]: the `--out DIR` report ([`ReportWriter`]): overlay
//!   PNGs of flagged scans, written as
//!   scans come, and at the end `report.json`, `summary.csv` and one self-contained `index.html`;
//! - [`tdr_folder`]: the `--tdr DIR` folder of DICOS threat detection reports ([`TdrFolder`]:
//!   one `.tdr.dcs` file per scan, never over another; the reports are encoded by `armscan-dicos`);
//! - [`html`]: the HTML helpers ([`html::escape`]);
//! - [`error`]: the error type, [`ReportError`].
//!
//! Evaluation (`armscan eval`: COCO AP, ROC, `eval.json`, `eval.html`) is the `armscan-eval` crate,
//! which builds on this one.
//!
//! Nothing here decides a verdict: records carry the [`armscan_core::Status`] the caller decided.

pub mod draw;
pub mod error;
pub mod html;
pub mod record;
mod table;
pub mod tdr_folder;
pub mod writer;

pub use draw::{category_colour, draw_detections_mut, draw_detections_styled_mut, DrawStyle};
pub use error::ReportError;
pub use record::{write_jsonl, ScanRecord, SCAN_SCHEMA, SCAN_SCHEMAS_READ};
pub use tdr_folder::{TdrFolder, TDR_SUFFIX};
pub use writer::{
    CategoryCounts, ReportOptions, ReportSummary, ReportWriter, RunInfo, INDEX_HTML, OVERLAYS_DIR,
    REPORT_JSON, REPORT_SCHEMA, SUMMARY_CSV,
};
