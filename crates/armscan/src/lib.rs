//! armscan: screen X-ray scans of parcels and bags for firearms, their parts and components, and
//! ammunition, the three things the UN Firearms Protocol (art. 3) names.
//!
//! This crate is the front door: a [`Screener`] (built with [`Screener::builder`], finished with
//! [`ScreenerBuilder::commit`]) reads a scan, runs the model and decides the verdict, and gives
//! back the `armscan.scan/2` record ([`ScanRecord`]) whatever happens: a scan that cannot be read
//! or screened gets a record with status `error` that names it and the fault, never `clear`.
//!
//! ```
//! use armscan::{write_jsonl, BackendChoice, Screener, Status};
//!
//! let screener = Screener::builder().with_backend(BackendChoice::Tract).commit()?;
//! let record = screener.screen_path("../../datasets/samples/B0046_0160.jpg");
//! assert_eq!(record.status, Status::Alarm);
//! write_jsonl(std::io::stdout(), &record)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The crates under it, re-exported as modules for what goes beyond the screener:
//!
//! | module | crate | job |
//! |---|---|---|
//! | [`core`] | `armscan-core` | types, geometry, taxonomy, verdict thresholds (no I/O) |
//! | [`ingest`] | `armscan-ingest` | scan formats, dual-energy pairs, decode limits, windowing, folder walking |
//! | [`dicos`] | `armscan-dicos` | DICOS: DX images in, threat detection reports (TDR) out |
//! | [`report`] | `armscan-report` | the record contract, JSON lines, report folders (HTML, CSV, overlays) |
//!
//! The detector crate (`armscan-detect`) is reached through the screener; only its backend
//! choice, its error and the model manifest are re-exported here.

mod error;
mod screener;

pub use armscan_core as core;
pub use armscan_dicos as dicos;
pub use armscan_ingest as ingest;
pub use armscan_report as report;

pub use armscan_core::{
    BoxInImage, Category, ContentPrior, Detection, DicosImageRef, PixelSpacing, Scan,
    ScannerProfile, SpacingSource, Status, ThresholdOverrides, Thresholds,
};
pub use armscan_detect::{
    ActiveBackend, BackendChoice, BackendKind, DetectError, ModelManifest, ScaleSearch,
    UnknownSpacing,
};
pub use armscan_ingest::{collect_inputs, DecodeLimits, IngestError, ScanInput, Windowing};
pub use armscan_report::{write_jsonl, ReportWriter, ScanRecord, SCAN_SCHEMA};
pub use error::{error_chain_text, ScreenerError};
pub use screener::{
    default_model_path, now_utc, unix_seconds_from_utc, utc_from_unix_seconds, ScanBytes,
    ScreenRequest, Screened, Screener, ScreenerBuilder, UploadRequest, DEFAULT_MODEL,
};
