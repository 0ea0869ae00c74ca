//! The `--out DIR` report.
//!
//! [`ReportWriter`] streams: for each scan it keeps the [`ScanRecord`] and a small PNG thumbnail
//! (boxes drawn, no labels), never the full image. A flagged scan (alarm or review) that comes
//! with a display image gets its overlay written at once to `DIR/overlays/<name>.png`, the
//! display image with boxes and `class score` labels. [`ReportWriter::finish`] then writes:
//!
//! - `DIR/report.json`: `{"schema":"armscan.report/1","run":{..},"summary":{..},"scans":[..]}`.
//!   Each entry of `scans` is the scan's `armscan.scan/2` record with one more field at the end,
//!   `"overlay"`: the overlay's path relative to `DIR` (`"overlays/x.png"`) or `null`. An entry
//!   therefore still parses as a [`ScanRecord`] (unknown fields are ignored). Scans are in the
//!   order they were added.
//! - `DIR/summary.csv`: one row per scan, in the order added (see the header in the file).
//! - `DIR/index.html`: one self-contained page (inline CSS, thumbnails as `data:` URIs, no script):
//!   run info, counts, then a card per scan, alarms first, then reviews, failures, clear scans.
//!
//! Each of the three files is written to a temporary name and renamed into place, so a reader never
//! sees half a file.

use std::collections::HashSet;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use armscan_core::{BoxInImage, Category, ClassInfo, Detection, Status, Thresholds};
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::{ExtendedColorType, ImageEncoder, RgbImage};
use serde::{Deserialize, Serialize};

use crate::draw::{draw_detections_mut, draw_detections_styled_mut, DrawStyle};
use crate::error::ReportError;
use crate::record::ScanRecord;

/// The schema tag of `report.json`.
pub const REPORT_SCHEMA: &str = "armscan.report/1";
/// File name of the JSON report inside the report directory.
pub const REPORT_JSON: &str = "report.json";
/// File name of the CSV summary inside the report directory.
pub const SUMMARY_CSV: &str = "summary.csv";
/// File name of the HTML page inside the report directory.
pub const INDEX_HTML: &str = "index.html";
/// Folder of overlay PNGs inside the report directory.
pub const OVERLAYS_DIR: &str = "overlays";

/// Longest length of the name part of an overlay file, in characters.
const MAX_NAME_CHARS: usize = 80;

/// What was run: written at the top of `report.json` and `index.html`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunInfo {
    /// armscan's version, e.g. `env!("CARGO_PKG_VERSION")` of the CLI.
    pub armscan_version: String,
    /// The model's id.
    pub model_id: String,
    /// SHA-256 of the model file, lowercase hex.
    pub model_sha256: String,
    /// The inference backend, e.g. `tract` or `onnxruntime`.
    pub backend: String,
    /// Score thresholds: `{"min_score":..,"review_score":..,"alarm_score":..}`.
    pub thresholds: Thresholds,
    /// When the run started, as the caller formats it (RFC 3339 recommended).
    pub started_at: String,
    /// The model's classes and their categories.
    pub classes: Vec<ClassInfo>,
}

impl RunInfo {
    #[must_use]
    pub fn new(
        armscan_version: impl Into<String>,
        model_id: impl Into<String>,
        model_sha256: impl Into<String>,
        backend: impl Into<String>,
        thresholds: Thresholds,
        started_at: impl Into<String>,
        classes: Vec<ClassInfo>,
    ) -> Self {
        Self {
            armscan_version: armscan_version.into(),
            model_id: model_id.into(),
            model_sha256: model_sha256.into(),
            backend: backend.into(),
            thresholds,
            started_at: started_at.into(),
            classes,
        }
    }
}

/// Options of a [`ReportWriter`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReportOptions {
    /// Longest side of the thumbnails in `index.html`, in pixels (default 192). Images smaller
    /// than this are not enlarged.
    pub thumbnail_px: u32,
    /// Whether to write overlay PNGs of flagged scans (default true).
    pub write_overlays: bool,
    /// Title of `index.html` (default `armscan report`).
    pub title: String,
}

impl Default for ReportOptions {
    fn default() -> Self {
        Self {
            thumbnail_px: 192,
            write_overlays: true,
            title: "armscan report".to_owned(),
        }
    }
}

impl ReportOptions {
    /// Sets the thumbnails' longest side (at least 16 px).
    #[must_use]
    pub fn with_thumbnail_px(mut self, thumbnail_px: u32) -> Self {
        self.thumbnail_px = thumbnail_px.max(16);
        self
    }

    #[must_use]
    pub fn with_write_overlays(mut self, write_overlays: bool) -> Self {
        self.write_overlays = write_overlays;
        self
    }

    #[must_use]
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = title.into();
        self
    }
}

/// A count per category: the three Protocol categories, then `accessory` (magazines, trigger
/// groups), which is counted apart and is in no Protocol total ([`CategoryCounts::protocol`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryCounts {
    pub firearm: usize,
    pub part: usize,
    pub ammunition: usize,
    /// Not a Protocol category. Reports written before it existed read back with 0.
    #[serde(default)]
    pub accessory: usize,
}

impl CategoryCounts {
    #[must_use]
    pub fn get(&self, category: Category) -> usize {
        match category {
            Category::Firearm => self.firearm,
            Category::Part => self.part,
            Category::Ammunition => self.ammunition,
            Category::Accessory => self.accessory,
        }
    }

    /// The sum over the Protocol categories (firearm, part, ammunition): accessories left out.
    #[must_use]
    pub fn protocol(&self) -> usize {
        Category::PROTOCOL.iter().map(|c| self.get(*c)).sum()
    }

    fn add(&mut self, category: Category, n: usize) {
        match category {
            Category::Firearm => self.firearm += n,
            Category::Part => self.part += n,
            Category::Ammunition => self.ammunition += n,
            Category::Accessory => self.accessory += n,
        }
    }
}

/// Counts over a run: the `summary` object of `report.json`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportSummary {
    /// Scans added.
    pub scans: usize,
    pub clear: usize,
    pub alarm: usize,
    pub review: usize,
    pub error: usize,
    /// Detections listed, per category (accessories apart).
    pub detections: CategoryCounts,
    /// Scans with at least one detection of the category.
    pub scans_with: CategoryCounts,
}

impl ReportSummary {
    /// Scans with this status.
    #[must_use]
    pub fn count(&self, status: Status) -> usize {
        match status {
            Status::Clear => self.clear,
            Status::Alarm => self.alarm,
            Status::Review => self.review,
            Status::Error => self.error,
        }
    }

    fn add(&mut self, record: &ScanRecord) {
        self.scans += 1;
        match record.status {
            Status::Clear => self.clear += 1,
            Status::Alarm => self.alarm += 1,
            Status::Review => self.review += 1,
            Status::Error => self.error += 1,
        }
        for category in Category::ALL {
            let n = record.count_of(category);
            self.detections.add(category, n);
            self.scans_with.add(category, usize::from(n > 0));
        }
    }
}

/// What the writer keeps per scan.
pub(crate) struct Entry {
    pub(crate) record: ScanRecord,
    /// PNG bytes of the thumbnail, when a display image was given.
    pub(crate) thumbnail_png: Option<Vec<u8>>,
    /// Overlay path relative to the report directory, with `/` separators.
    pub(crate) overlay: Option<String>,
}

/// Streams scans into a report directory; see the [module docs](self).
pub struct ReportWriter {
    dir: PathBuf,
    run: RunInfo,
    options: ReportOptions,
    entries: Vec<Entry>,
    /// Overlay names taken so far, lowercased (case-insensitive file systems).
    overlay_names: HashSet<String>,
    summary: ReportSummary,
}

impl fmt::Debug for ReportWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReportWriter")
            .field("dir", &self.dir)
            .field("options", &self.options)
            .field("summary", &self.summary)
            .finish_non_exhaustive()
    }
}

/// `report.json`'s entry for a scan: the record, flattened, then the overlay.
#[derive(Serialize)]
struct ReportScan<'a> {
    #[serde(flatten)]
    record: &'a ScanRecord,
    overlay: Option<&'a str>,
}

#[derive(Serialize)]
struct ReportJson<'a> {
    schema: &'static str,
    run: &'a RunInfo,
    summary: &'a ReportSummary,
    scans: Vec<ReportScan<'a>>,
}

impl ReportWriter {
    /// Creates `dir` (and its parents) if needed. Files already there with the report's names are
    /// replaced when [`finish`](Self::finish) runs.
    ///
    /// # Errors
    /// [`ReportError::CreateDir`] when the directory cannot be created.
    pub fn create(dir: &Path, run: RunInfo, options: ReportOptions) -> Result<Self, ReportError> {
        fs::create_dir_all(dir).map_err(|source| ReportError::CreateDir {
            path: dir.to_path_buf(),
            source,
        })?;
        Ok(Self {
            dir: dir.to_path_buf(),
            run,
            options,
            entries: Vec::new(),
            overlay_names: HashSet::new(),
            summary: ReportSummary::default(),
        })
    }

    /// The report directory.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Counts so far.
    #[must_use]
    pub fn summary(&self) -> &ReportSummary {
        &self.summary
    }

    /// Adds one scan. `display` is the scan rendered for a human at the scan's own pixel size
    /// (the record's boxes are in those pixels). Should its size differ from the record's
    /// `width`/`height`, boxes are scaled to it. Without `display` the scan
    /// has no thumbnail and no overlay.
    ///
    /// For a flagged scan (alarm or review) with a display image, the overlay PNG is written now.
    ///
    /// # Errors
    /// [`ReportError::CreateDir`] / [`ReportError::Io`] when the overlay cannot be written,
    /// [`ReportError::Encode`] when a PNG cannot be encoded. The scan is not added then.
    pub fn add(
        &mut self,
        record: &ScanRecord,
        display: Option<&RgbImage>,
    ) -> Result<(), ReportError> {
        let mut thumbnail_png = None;
        let mut overlay = None;
        if let Some(display) = display.filter(|d| d.width() > 0 && d.height() > 0) {
            // Overlays and thumbnails show what needs a look (at or above the review score);
            // the records keep every listed detection.
            let review_score = self.run.thresholds.review_score;
            let detections: Vec<Detection> =
                boxes_for_display(record, display.width(), display.height())
                    .into_iter()
                    .filter(|d| d.score >= review_score)
                    .collect();
            if record.is_flagged() && self.options.write_overlays {
                overlay = Some(self.write_overlay(&record.scan, display, &detections)?);
            }
            let thumb = thumbnail(display, &detections, self.options.thumbnail_px);
            let png = encode_png(&thumb, CompressionType::Best).map_err(|source| {
                ReportError::Encode {
                    path: PathBuf::from(&record.scan),
                    source,
                }
            })?;
            thumbnail_png = Some(png);
        }
        self.summary.add(record);
        self.entries.push(Entry {
            record: record.clone(),
            thumbnail_png,
            overlay,
        });
        Ok(())
    }

    /// Writes `report.json`, `summary.csv` and `index.html`, and returns the counts.
    ///
    /// # Errors
    /// [`ReportError::Json`] or [`ReportError::Io`] naming the file that failed.
    pub fn finish(self) -> Result<ReportSummary, ReportError> {
        let report = ReportJson {
            schema: REPORT_SCHEMA,
            run: &self.run,
            summary: &self.summary,
            scans: self
                .entries
                .iter()
                .map(|e| ReportScan {
                    record: &e.record,
                    overlay: e.overlay.as_deref(),
                })
                .collect(),
        };
        let mut json = serde_json::to_vec_pretty(&report).map_err(|source| ReportError::Json {
            what: REPORT_JSON.to_owned(),
            source,
        })?;
        json.push(b'\n');
        write_atomically(&self.dir.join(REPORT_JSON), &json)?;
        write_atomically(
            &self.dir.join(SUMMARY_CSV),
            crate::table::summary_csv(&self.entries).as_bytes(),
        )?;
        let page =
            crate::html::index_html(&self.options.title, &self.run, &self.summary, &self.entries);
        write_atomically(&self.dir.join(INDEX_HTML), page.as_bytes())?;
        Ok(self.summary)
    }

    fn write_overlay(
        &mut self,
        scan: &str,
        display: &RgbImage,
        detections: &[Detection],
    ) -> Result<String, ReportError> {
        let overlays_dir = self.dir.join(OVERLAYS_DIR);
        fs::create_dir_all(&overlays_dir).map_err(|source| ReportError::CreateDir {
            path: overlays_dir.clone(),
            source,
        })?;
        let name = unique_name(&safe_stem(scan), &mut self.overlay_names);
        let file_name = format!("{name}.png");
        let path = overlays_dir.join(&file_name);
        let mut img = display.clone();
        draw_detections_mut(&mut img, detections);
        let png =
            encode_png(&img, CompressionType::Fast).map_err(|source| ReportError::Encode {
                path: path.clone(),
                source,
            })?;
        fs::write(&path, png).map_err(|source| ReportError::Io { path, source })?;
        Ok(format!("{OVERLAYS_DIR}/{file_name}"))
    }
}

/// The record's detections in the display image's pixels.
fn boxes_for_display(record: &ScanRecord, display_w: u32, display_h: u32) -> Vec<Detection> {
    match (record.width, record.height) {
        (Some(w), Some(h)) if w > 0 && h > 0 && (w, h) != (display_w, display_h) => {
            #[allow(clippy::cast_precision_loss)]
            let (sx, sy) = (display_w as f32 / w as f32, display_h as f32 / h as f32);
            scale_detections(&record.detections, sx, sy)
        }
        _ => record.detections.clone(),
    }
}

fn scale_detections(detections: &[Detection], sx: f32, sy: f32) -> Vec<Detection> {
    detections
        .iter()
        .map(|d| {
            let b = d.box_in_image;
            Detection {
                box_in_image: BoxInImage::new(b.x1 * sx, b.y1 * sy, b.x2 * sx, b.y2 * sy),
                ..d.clone()
            }
        })
        .collect()
}

/// The display image shrunk so its longest side is at most `longest_px`, boxes drawn (no labels).
#[allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]
fn thumbnail(display: &RgbImage, detections: &[Detection], longest_px: u32) -> RgbImage {
    let (w, h) = display.dimensions();
    let longest = w.max(h);
    let mut thumb = if longest <= longest_px {
        display.clone()
    } else {
        let scale = f64::from(longest_px) / f64::from(longest);
        let tw = ((f64::from(w) * scale).round() as u32).max(1);
        let th = ((f64::from(h) * scale).round() as u32).max(1);
        image::imageops::thumbnail(display, tw, th)
    };
    let (sx, sy) = (
        thumb.width() as f32 / w as f32,
        thumb.height() as f32 / h as f32,
    );
    let style = DrawStyle::for_size(thumb.width(), thumb.height()).with_labels(false);
    draw_detections_styled_mut(&mut thumb, &scale_detections(detections, sx, sy), &style);
    thumb
}

/// PNG bytes of `img`. Overlays (large, written once) use fast compression; thumbnails (small,
/// inlined into `index.html`) the best.
fn encode_png(img: &RgbImage, compression: CompressionType) -> Result<Vec<u8>, image::ImageError> {
    let mut png = Vec::new();
    PngEncoder::new_with_quality(&mut png, compression, FilterType::Adaptive).write_image(
        img.as_raw(),
        img.width(),
        img.height(),
        ExtendedColorType::Rgb8,
    )?;
    Ok(png)
}

/// Writes `path.tmp`, then renames it to `path`.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    let mut tmp_name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    tmp_name.push(".tmp");
    let tmp = path.with_file_name(tmp_name);
    fs::write(&tmp, bytes).map_err(|source| ReportError::Io {
        path: tmp.clone(),
        source,
    })?;
    fs::rename(&tmp, path).map_err(|source| ReportError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// A file-name stem from a scan path: ASCII letters and digits kept, everything else `_`, leading
/// and trailing `_` dropped, the last [`MAX_NAME_CHARS`] kept (the end of a path tells scans
/// apart); `scan` when nothing is left.
pub(crate) fn safe_stem(scan: &str) -> String {
    let mapped: Vec<char> = scan
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let tail: String = mapped[mapped.len().saturating_sub(MAX_NAME_CHARS)..]
        .iter()
        .collect();
    let trimmed = tail.trim_matches('_');
    if trimmed.is_empty() {
        "scan".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// `stem`, or `stem_2`, `stem_3`, ... when taken (compared case-insensitively); records the result.
pub(crate) fn unique_name(stem: &str, taken: &mut HashSet<String>) -> String {
    let mut name = stem.to_owned();
    let mut counter = 1u64;
    while taken.contains(&name.to_ascii_lowercase()) {
        counter += 1;
        name = format!("{stem}_{counter}");
    }
    taken.insert(name.to_ascii_lowercase());
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_names_are_safe_and_unique() {
        assert_eq!(
            safe_stem("/data/in/a b,c\"d<e>.png"),
            "data_in_a_b_c_d_e__png"
        );
        assert_eq!(safe_stem("///"), "scan");
        assert_eq!(safe_stem("dossier/colis-é.tif"), "dossier_colis___tif");
        let long = format!("{}end.png", "x/".repeat(100));
        let s = safe_stem(&long);
        assert!(s.len() <= MAX_NAME_CHARS && s.ends_with("end_png"));
        let mut taken = HashSet::new();
        assert_eq!(unique_name("a_png", &mut taken), "a_png");
        assert_eq!(unique_name("A_png", &mut taken), "A_png_2");
        assert_eq!(unique_name("a_png", &mut taken), "a_png_3");
    }

    #[test]
    fn thumbnail_keeps_aspect_and_never_enlarges() {
        let big = RgbImage::new(2688, 2208);
        let t = thumbnail(&big, &[], 192);
        assert_eq!(t.dimensions(), (192, 158));
        let small = RgbImage::new(50, 20);
        assert_eq!(thumbnail(&small, &[], 192).dimensions(), (50, 20));
    }

    #[test]
    fn boxes_follow_a_display_of_another_size() {
        let d = Detection {
            class_name: "slide".into(),
            category: Category::Part,
            score: 0.5,
            box_in_image: BoxInImage::new(10.0, 20.0, 30.0, 40.0),
        };
        let r = ScanRecord::screened("s", 100, 200, Status::Review, vec![d], "tract", "m", 1.0);
        let scaled = boxes_for_display(&r, 50, 100);
        assert_eq!(scaled[0].box_in_image.to_array(), [5.0, 10.0, 15.0, 20.0]);
        assert_eq!(
            boxes_for_display(&r, 100, 200)[0].box_in_image.to_array(),
            [10.0, 20.0, 30.0, 40.0]
        );
    }
}
