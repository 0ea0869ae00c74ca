//! The per-scan JSON contract, `armscan.scan/2`.
//!
//! One [`ScanRecord`] serialises to one JSON object, fields in this order:
//!
//! ```text
//! {"schema":"armscan.scan/2","scan":"<path as given>","status":"clear|alarm|review|error",
//!  "width":W,"height":H,"detections":[{"class":"handgun","category":"firearm","score":0.8731,
//!  "box":[x1,y1,x2,y2]}],"error":null,"backend":"tract|onnxruntime","model":"<id>","elapsed_ms":T,
//!  "pixel_spacing_mm":0.16,"spacing_source":"given|file|profile|estimate|model_assumption|search"}
//! ```
//!
//! - `width`/`height` are the scan's pixel size, `null` when the scan could not be decoded;
//! - `category` is `firearm`, `part` or `ammunition` (the Protocol's categories), or `accessory`
//!   (magazines, trigger groups: not a Protocol category, counted apart);
//! - `box` is in the scan's own pixels, origin top-left, rounded to 0.01 px;
//! - `score` is rounded to 4 decimals, `elapsed_ms` to 0.01 ms;
//! - `error` is `null` unless `status` is `error`; a failed scan is never `clear`;
//! - `pixel_spacing_mm` is the spacing the scan was screened at and `spacing_source` where it came
//!   from (given for the scan, stated by its file, the scanner profile, the model's assumption, or
//!   the rung of a scale search whose pass found the best detection);
//!   both `null` when none was known (the scan was then fitted to the model's input by its size)
//!   and for a scan that failed before it was read. Records written before these two fields
//!   existed read back with both `null`.
//!
//! Non-finite numbers (which a screened record should never hold) serialise as `null`.

use std::io::Write;

use armscan_core::{BoxInImage, Category, Detection, PixelSpacing, SpacingSource, Status};
use serde::{Deserialize, Serialize, Serializer};

use crate::error::ReportError;

/// The schema tag of a scan record.
pub const SCAN_SCHEMA: &str = "armscan.scan/2";

/// The schema tags a reader of records takes: this one and `armscan.scan/1` (the same fields
/// without `pixel_spacing_mm` and `spacing_source`, which read back as `null`).
pub const SCAN_SCHEMAS_READ: [&str; 2] = [SCAN_SCHEMA, "armscan.scan/1"];

/// The outcome of screening one scan, as written to JSON lines and reports.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScanRecord {
    /// Always [`SCAN_SCHEMA`] for records built here.
    pub schema: String,
    /// The scan's path or name, as the caller gave it.
    pub scan: String,
    /// The verdict.
    pub status: Status,
    /// The scan's width in pixels; `None` when it could not be decoded.
    pub width: Option<u32>,
    /// The scan's height in pixels; `None` when it could not be decoded.
    pub height: Option<u32>,
    /// Detections in the scan's pixels, as listed (best first, by the detector's convention).
    #[serde(serialize_with = "serialize_detections")]
    pub detections: Vec<Detection>,
    /// Why the scan could not be screened; `None` unless `status` is [`Status::Error`].
    pub error: Option<String>,
    /// The inference backend, e.g. `tract` or `onnxruntime`.
    pub backend: String,
    /// The model's id.
    pub model: String,
    /// Wall time spent on this scan (decode, inference, post-processing), in milliseconds.
    #[serde(serialize_with = "serialize_ms")]
    pub elapsed_ms: f64,
    /// The pixel spacing the scan was screened at, in millimetres, where one was known or assumed.
    #[serde(default)]
    pub pixel_spacing_mm: Option<f32>,
    /// Where [`ScanRecord::pixel_spacing_mm`] came from.
    #[serde(default)]
    pub spacing_source: Option<SpacingSource>,
}

impl ScanRecord {
    /// A scan that was decoded and screened. `status` is the verdict the caller decided
    /// (see [`armscan_core::Thresholds::verdict`]); `width`/`height` are the scan's pixel size.
    #[allow(clippy::too_many_arguments)] // the contract's fields, in the contract's order
    #[must_use]
    pub fn screened(
        scan: impl Into<String>,
        width: u32,
        height: u32,
        status: Status,
        detections: Vec<Detection>,
        backend: impl Into<String>,
        model: impl Into<String>,
        elapsed_ms: f64,
    ) -> Self {
        Self {
            schema: SCAN_SCHEMA.to_owned(),
            scan: scan.into(),
            status,
            width: Some(width),
            height: Some(height),
            detections,
            error: None,
            backend: backend.into(),
            model: model.into(),
            elapsed_ms,
            pixel_spacing_mm: None,
            spacing_source: None,
        }
    }

    /// A scan that could not be screened: status [`Status::Error`], no detections, no size.
    /// Use [`ScanRecord::with_size`] when the scan decoded but a later step failed.
    #[must_use]
    pub fn failed(
        scan: impl Into<String>,
        error_message: impl Into<String>,
        backend: impl Into<String>,
        model: impl Into<String>,
        elapsed_ms: f64,
    ) -> Self {
        Self {
            schema: SCAN_SCHEMA.to_owned(),
            scan: scan.into(),
            status: Status::Error,
            width: None,
            height: None,
            detections: Vec::new(),
            error: Some(error_message.into()),
            backend: backend.into(),
            model: model.into(),
            elapsed_ms,
            pixel_spacing_mm: None,
            spacing_source: None,
        }
    }

    /// Sets the pixel spacing the scan was screened at and its source.
    #[must_use]
    pub fn with_spacing(mut self, spacing: Option<PixelSpacing>) -> Self {
        self.pixel_spacing_mm = spacing.map(|s| s.mm);
        self.spacing_source = spacing.map(|s| s.source);
        self
    }

    /// Sets the scan's pixel size (for a failed scan that did decode).
    #[must_use]
    pub fn with_size(mut self, width: u32, height: u32) -> Self {
        self.width = Some(width);
        self.height = Some(height);
        self
    }

    /// True for `alarm` and `review`: an operator must look at the scan.
    #[must_use]
    pub fn is_flagged(&self) -> bool {
        matches!(self.status, Status::Alarm | Status::Review)
    }

    /// The best-scoring detection, if any.
    #[must_use]
    pub fn top_detection(&self) -> Option<&Detection> {
        self.detections
            .iter()
            .max_by(|a, b| a.score.total_cmp(&b.score))
    }

    /// The number of detections of `category`.
    #[must_use]
    pub fn count_of(&self, category: Category) -> usize {
        self.detections
            .iter()
            .filter(|d| d.category == category)
            .count()
    }
}

/// Rounds to `decimals` decimal places, in `f64` so that `0.87f32` prints as `0.87`.
pub(crate) fn round_to(value: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (value * scale).round() / scale
}

/// A detection as the contract writes it: the score rounded to 4 decimals.
#[derive(Serialize)]
struct DetectionOut<'a> {
    class: &'a str,
    category: Category,
    score: f64,
    #[serde(rename = "box")]
    box_in_image: &'a BoxInImage,
}

fn serialize_detections<S: Serializer>(
    detections: &[Detection],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(detections.iter().map(|d| DetectionOut {
        class: &d.class_name,
        category: d.category,
        score: round_to(f64::from(d.score), 4),
        box_in_image: &d.box_in_image,
    }))
}

fn serialize_ms<S: Serializer>(elapsed_ms: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64(round_to(*elapsed_ms, 2))
}

/// Writes `record` as one JSON line (object, then `\n`) and flushes, so a reader of a pipe sees
/// each scan as soon as it is screened.
///
/// # Errors
/// [`ReportError::Json`] if the record cannot be serialised, [`ReportError::Stream`] if the write
/// or the flush fails (e.g. a closed pipe).
pub fn write_jsonl<W: Write>(mut w: W, record: &ScanRecord) -> Result<(), ReportError> {
    let mut line = serde_json::to_string(record).map_err(|source| ReportError::Json {
        what: format!("scan record for {}", record.scan),
        source,
    })?;
    line.push('\n');
    w.write_all(line.as_bytes())
        .map_err(|source| ReportError::Stream { source })?;
    w.flush().map_err(|source| ReportError::Stream { source })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_prints_short_decimals() {
        assert_eq!(round_to(f64::from(0.87f32), 4).to_string(), "0.87");
        assert_eq!(round_to(123.456, 2).to_string(), "123.46");
        assert!(round_to(f64::NAN, 2).is_nan());
    }

    #[test]
    fn failed_scan_is_never_clear() {
        let r = ScanRecord::failed("x.png", "boom", "tract", "m", 1.0);
        assert_eq!(r.status, Status::Error);
        assert!(!r.is_flagged());
        assert!(r.detections.is_empty());
        assert_eq!(r.clone().with_size(3, 4).width, Some(3));
    }

    #[test]
    fn jsonl_is_one_line() {
        let r = ScanRecord::failed("a\nb.png", "line1\nline2", "tract", "m", 1.0);
        let mut out = Vec::new();
        assert!(write_jsonl(&mut out, &r).is_ok());
        let text = String::from_utf8_lossy(&out);
        assert_eq!(text.matches('\n').count(), 1);
        assert!(text.ends_with('\n'));
    }
}
