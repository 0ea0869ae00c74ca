//! [`Screener`]: a model, its backend, thresholds and reading options, ready to screen scans.

use std::borrow::Cow;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::Instant;

use armscan_core::{DicosImageRef, Scan, ScannerProfile, ThresholdOverrides, Thresholds};
use armscan_detect::{
    ActiveBackend, BackendChoice, BackendKind, Detector, DetectorBuilder, ModelManifest,
    UnknownSpacing,
};
use armscan_dicos::{Algorithm, Assessment, DicosError, TdrReport, ThreatObject};
use armscan_ingest::{
    display_rgb, load_input, load_pair_bytes, load_scan_bytes, DecodeLimits, IngestOptions,
    ScanInput, Windowing,
};
use armscan_report::{RunInfo, ScanRecord};
use image::RgbImage;
use rayon::prelude::*;

use crate::error::{error_chain_text, ScreenerError};

/// The default model, relative to the repository (or installation) root.
pub const DEFAULT_MODEL: &str = "models/armscan-threat-v12/armscan-threat-v12.manifest.json";

/// The default model's manifest: `$ARMSCAN_MODEL`, else [`DEFAULT_MODEL`] under the current
/// folder, under a folder above the running program, or in the repository this crate was built
/// from. The first of these that exists; the relative path when none does (loading then names it).
#[must_use]
pub fn default_model_path() -> PathBuf {
    if let Some(p) = std::env::var_os("ARMSCAN_MODEL").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    let local = PathBuf::from(DEFAULT_MODEL);
    if local.exists() {
        return local;
    }
    let beside_exe = std::env::current_exe().ok().and_then(|exe| {
        exe.ancestors()
            .skip(1)
            .take(4)
            .map(|a| a.join(DEFAULT_MODEL))
            .find(|c| c.exists())
    });
    let built_in = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(DEFAULT_MODEL);
    beside_exe
        .or_else(|| built_in.exists().then_some(built_in))
        .unwrap_or(local)
}

/// Options for a [`Screener`]; finish with [`ScreenerBuilder::commit`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ScreenerBuilder {
    /// The model's manifest or `.onnx`; `None`: [`default_model_path`].
    pub model: Option<PathBuf>,
    /// tract, ONNX Runtime, or ONNX Runtime when it can be found (`Auto`, the default).
    pub backend: BackendChoice,
    /// The `libonnxruntime` to load (else searched for; see `armscan_detect::backend`).
    pub ort_lib: Option<PathBuf>,
    /// Worker threads; `None`: one per core.
    pub threads: Option<usize>,
    /// Inference sessions in the pool; `None`: one per worker thread.
    pub sessions: Option<usize>,
    /// Threads inside each session.
    pub intra_threads: usize,
    /// Frames per inference call.
    pub batch_frames: usize,
    /// Replacements for the model's thresholds, each where set.
    pub thresholds: ThresholdOverrides,
    /// Screen the mirror view too, where the model's manifest names one (default true).
    pub mirror_view: bool,
    /// How 16-bit planes are brought to the detector's 8-bit grey.
    pub windowing: Windowing,
    /// Decode limits (bytes, pixels).
    pub limits: DecodeLimits,
    /// What is known of the scanner (its pixel spacing).
    pub profile: ScannerProfile,
    /// For scans whose spacing nothing states: estimate it from the content (the default),
    /// search scales, or take the model's assumption.
    pub unknown_spacing: UnknownSpacing,
}

impl Default for ScreenerBuilder {
    fn default() -> Self {
        Self {
            model: None,
            backend: BackendChoice::Auto,
            ort_lib: None,
            threads: None,
            sessions: None,
            intra_threads: 1,
            batch_frames: 1,
            thresholds: ThresholdOverrides::default(),
            mirror_view: true,
            windowing: Windowing::default(),
            limits: DecodeLimits::default(),
            profile: ScannerProfile::default(),
            unknown_spacing: UnknownSpacing::default(),
        }
    }
}

impl ScreenerBuilder {
    #[must_use]
    pub fn with_model(mut self, model: impl Into<PathBuf>) -> Self {
        self.model = Some(model.into());
        self
    }
    #[must_use]
    pub fn with_backend(mut self, backend: BackendChoice) -> Self {
        self.backend = backend;
        self
    }
    #[must_use]
    pub fn with_ort_lib(mut self, path: Option<PathBuf>) -> Self {
        self.ort_lib = path;
        self
    }
    #[must_use]
    pub fn with_threads(mut self, threads: Option<usize>) -> Self {
        self.threads = threads;
        self
    }
    #[must_use]
    pub fn with_sessions(mut self, sessions: Option<usize>) -> Self {
        self.sessions = sessions;
        self
    }
    #[must_use]
    pub fn with_intra_threads(mut self, threads: usize) -> Self {
        self.intra_threads = threads;
        self
    }
    #[must_use]
    pub fn with_batch_frames(mut self, frames: usize) -> Self {
        self.batch_frames = frames;
        self
    }
    #[must_use]
    pub fn with_thresholds(mut self, thresholds: ThresholdOverrides) -> Self {
        self.thresholds = thresholds;
        self
    }
    #[must_use]
    pub fn with_mirror_view(mut self, mirror_view: bool) -> Self {
        self.mirror_view = mirror_view;
        self
    }
    #[must_use]
    pub fn with_windowing(mut self, windowing: Windowing) -> Self {
        self.windowing = windowing;
        self
    }
    #[must_use]
    pub fn with_limits(mut self, limits: DecodeLimits) -> Self {
        self.limits = limits;
        self
    }
    #[must_use]
    pub fn with_profile(mut self, profile: ScannerProfile) -> Self {
        self.profile = profile;
        self
    }
    /// What to do with scans whose spacing nothing states ([`UnknownSpacing`]: estimate it from
    /// the content, the default; search scales; or the model's assumption).
    #[must_use]
    pub fn with_unknown_spacing(mut self, unknown_spacing: UnknownSpacing) -> Self {
        self.unknown_spacing = unknown_spacing;
        self
    }

    /// Checks the options, starts the worker threads, loads the model (its manifest read once:
    /// thresholds are the manifest's unless overridden) and starts the backend.
    ///
    /// # Errors
    /// [`ScreenerError::Option`] for an out-of-range option, [`ScreenerError::Model`] when the
    /// model or its backend cannot be started, [`ScreenerError::Threads`].
    pub fn commit(self) -> Result<Screener, ScreenerError> {
        let option = |option: &'static str, reason: &str| ScreenerError::Option {
            option,
            reason: reason.to_owned(),
        };
        if let Err((name, value)) = self.thresholds.check() {
            return Err(ScreenerError::Option {
                option: name,
                reason: format!("{value}: a score is between 0 and 1"),
            });
        }
        if self.threads == Some(0) {
            return Err(option("threads", "must be at least 1"));
        }
        for (name, value) in [
            ("sessions", self.sessions.unwrap_or(1)),
            ("intra_threads", self.intra_threads),
            ("batch_frames", self.batch_frames),
        ] {
            if value == 0 {
                return Err(option(name, "must be at least 1"));
            }
        }
        self.profile
            .check()
            .map_err(|reason| ScreenerError::Option {
                option: "profile",
                reason,
            })?;
        self.unknown_spacing
            .check()
            .map_err(|reason| option("unknown_spacing", &reason))?;
        let threads = self.threads.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
        });
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("armscan-{i}"))
            .build()
            .map_err(|source| ScreenerError::Threads { source })?;
        let model = self.model.unwrap_or_else(default_model_path);
        let detector = DetectorBuilder::new(&model)
            .with_backend(self.backend)
            .with_ort_lib(self.ort_lib)
            .with_sessions(self.sessions.unwrap_or(threads))
            .with_intra_threads(self.intra_threads)
            .with_batch_frames(self.batch_frames)
            .with_thresholds(self.thresholds)
            .with_mirror_view(self.mirror_view)
            .with_windowing(self.windowing)
            .with_unknown_spacing(self.unknown_spacing)
            .commit()
            .map_err(|source| ScreenerError::Model {
                path: model.clone(),
                source,
            })?;
        let ingest = IngestOptions::default()
            .with_limits(self.limits)
            .with_profile(self.profile);
        Ok(Screener {
            model_id: detector.model_id(),
            detector,
            ingest,
            pool,
            threads,
        })
    }
}

/// One scan to screen, with what is known of it beyond the screener's options.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ScreenRequest {
    pub input: ScanInput,
    /// The scan's pixel spacing when known for this scan alone; before the screener's profile.
    pub pixel_spacing_mm: Option<f32>,
    /// Also return the display image (for reports and consoles).
    pub display: bool,
}

impl ScreenRequest {
    #[must_use]
    pub fn new(input: ScanInput) -> Self {
        Self {
            input,
            pixel_spacing_mm: None,
            display: false,
        }
    }
    #[must_use]
    pub fn with_pixel_spacing_mm(mut self, spacing_mm: Option<f32>) -> Self {
        self.pixel_spacing_mm = spacing_mm;
        self
    }
    #[must_use]
    pub fn with_display(mut self, display: bool) -> Self {
        self.display = display;
        self
    }
}

/// A scan's content as bytes: one file, or the two files of a dual-energy pair.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScanBytes {
    /// One file (format found by content).
    One(Vec<u8>),
    /// A dual-energy pair: the high- and low-energy files.
    Pair { high: Vec<u8>, low: Vec<u8> },
}

impl ScanBytes {
    /// The number of bytes in all.
    #[must_use]
    pub fn len(&self) -> usize {
        match self {
            Self::One(b) => b.len(),
            Self::Pair { high, low } => high.len() + low.len(),
        }
    }

    /// Whether there are no bytes at all.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn as_ref(&self) -> BytesRef<'_> {
        match self {
            Self::One(b) => BytesRef::One(b),
            Self::Pair { high, low } => BytesRef::Pair(high, low),
        }
    }
}

/// [`ScanBytes`], borrowed.
#[derive(Clone, Copy, Debug)]
enum BytesRef<'a> {
    One(&'a [u8]),
    Pair(&'a [u8], &'a [u8]),
}

/// One scan given as bytes, with what is known of it: [`Screener::screen_uploads`].
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct UploadRequest {
    /// Names the scan in its record and in errors.
    pub name: String,
    pub bytes: ScanBytes,
    /// The scan's pixel spacing when known for this scan alone; before the screener's profile.
    pub pixel_spacing_mm: Option<f32>,
}

impl UploadRequest {
    #[must_use]
    pub fn new(name: impl Into<String>, bytes: ScanBytes) -> Self {
        Self {
            name: name.into(),
            bytes,
            pixel_spacing_mm: None,
        }
    }
    #[must_use]
    pub fn with_pixel_spacing_mm(mut self, spacing_mm: Option<f32>) -> Self {
        self.pixel_spacing_mm = spacing_mm;
        self
    }
}

/// What screening one scan gives: its record and, when asked for, its display image.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Screened {
    /// The `armscan.scan/2` record; status `error` with the fault when the scan failed.
    pub record: ScanRecord,
    /// The scan as an operator sees it (pseudo-colour for dual-energy), when requested and the
    /// scan was read.
    pub display: Option<RgbImage>,
    /// The DICOS images the scan was read from (empty for other formats, and when the scan could
    /// not be read): what its threat detection report references ([`Screener::tdr`]).
    pub dicos: Vec<DicosImageRef>,
}

/// A model ready to screen scans: the one front door of armscan.
///
/// Every `screen_*` method returns a record, never an error: a scan that cannot be read or
/// screened (and a panic while screening it) becomes a record with status `error` that names the
/// scan and the fault. A failed scan is never `clear`. The verdict (clear / review / alarm) is
/// decided here, by the thresholds in force ([`Screener::thresholds`]).
#[derive(Debug)]
pub struct Screener {
    detector: Detector,
    ingest: IngestOptions,
    pool: rayon::ThreadPool,
    threads: usize,
    model_id: String,
}

impl Screener {
    /// A builder with the defaults: the shipped default model, backend `Auto`, one thread per core.
    #[must_use]
    pub fn builder() -> ScreenerBuilder {
        ScreenerBuilder::default()
    }

    /// Screens one scan file (format found by content).
    #[must_use]
    pub fn screen_path(&self, path: impl AsRef<Path>) -> ScanRecord {
        self.screen(&ScreenRequest::new(ScanInput::File(
            path.as_ref().to_owned(),
        )))
        .record
    }

    /// Screens one scan file's bytes; `name` names it in the record and in errors.
    #[must_use]
    pub fn screen_bytes(&self, name: &str, bytes: &[u8]) -> ScanRecord {
        self.screen_upload(name, bytes).record
    }

    /// [`Screener::screen_bytes`], giving the whole [`Screened`] (with the DICOS images the
    /// scan was read from, for its threat detection report).
    #[must_use]
    pub fn screen_upload(&self, name: &str, bytes: &[u8]) -> Screened {
        self.screen_bytes_with(name, BytesRef::One(bytes), &self.ingest)
    }

    /// Screens several scans given as bytes (uploads, queue messages) in parallel on the
    /// screener's threads; results in request order. The same record as
    /// [`Screener::screen_upload`] / [`Screener::screen_pair_upload`] gives for each.
    #[must_use]
    pub fn screen_uploads(&self, uploads: &[UploadRequest]) -> Vec<Screened> {
        self.pool.install(|| {
            uploads
                .par_iter()
                .map(|u| {
                    let ingest = self
                        .ingest
                        .clone()
                        .with_given_spacing_mm(u.pixel_spacing_mm);
                    self.screen_bytes_with(&u.name, u.bytes.as_ref(), &ingest)
                })
                .collect()
        })
    }

    fn screen_bytes_with(
        &self,
        name: &str,
        bytes: BytesRef<'_>,
        ingest: &IngestOptions,
    ) -> Screened {
        self.guarded(
            name.to_owned(),
            || {
                match bytes {
                    BytesRef::One(bytes) => load_scan_bytes(name, bytes, ingest),
                    BytesRef::Pair(high, low) => load_pair_bytes(
                        &format!("{name}_high"),
                        high,
                        &format!("{name}_low"),
                        low,
                        ingest,
                    ),
                }
                .map(Cow::Owned)
                .map_err(|e| error_chain_text(&e))
            },
            false,
        )
    }

    /// Screens a dual-energy pair given as the bytes of its two files (an upload); `name` names
    /// the scan in the record, `NAME_high` and `NAME_low` the files in errors.
    #[must_use]
    pub fn screen_pair_bytes(&self, name: &str, high: &[u8], low: &[u8]) -> ScanRecord {
        self.screen_pair_upload(name, high, low).record
    }

    /// [`Screener::screen_pair_bytes`], giving the whole [`Screened`].
    #[must_use]
    pub fn screen_pair_upload(&self, name: &str, high: &[u8], low: &[u8]) -> Screened {
        self.screen_bytes_with(name, BytesRef::Pair(high, low), &self.ingest)
    }

    /// Screens a scan already in memory; the record names it by [`Scan::source`].
    #[must_use]
    pub fn screen_scan(&self, scan: &Scan) -> ScanRecord {
        // the profile's spacing for a scan that states none; no copy otherwise
        let scan = match (scan.pixel_spacing, self.ingest.spacing_for(None)) {
            (None, Some(profile)) => Cow::Owned(scan.clone().with_pixel_spacing(Some(profile))),
            _ => Cow::Borrowed(scan),
        };
        self.guarded(scan.source.clone(), || Ok(scan), false).record
    }

    /// Screens what one request names.
    #[must_use]
    pub fn screen(&self, request: &ScreenRequest) -> Screened {
        let ingest = self
            .ingest
            .clone()
            .with_given_spacing_mm(request.pixel_spacing_mm);
        self.guarded(
            request.input.name(),
            || {
                load_input(&request.input, &ingest)
                    .map(Cow::Owned)
                    .map_err(|e| error_chain_text(&e))
            },
            request.display,
        )
    }

    /// Screens several requests in parallel on the screener's threads; results in request order.
    #[must_use]
    pub fn screen_many(&self, requests: &[ScreenRequest]) -> Vec<Screened> {
        self.pool
            .install(|| requests.par_iter().map(|r| self.screen(r)).collect())
    }

    /// Screens any number of requests in ordered chunks (parallel inside a chunk of twice the
    /// thread count, so memory stays bounded whatever the count) and hands each result to
    /// `on_each` in request order. Stops at the first error `on_each` returns.
    ///
    /// # Errors
    /// The first error of `on_each`.
    pub fn screen_all<E>(
        &self,
        requests: &[ScreenRequest],
        mut on_each: impl FnMut(Screened) -> Result<(), E>,
    ) -> Result<(), E> {
        for chunk in requests.chunks(self.threads * 2) {
            for screened in self.screen_many(chunk) {
                on_each(screened)?;
            }
        }
        Ok(())
    }

    /// Reads (by `read`) and screens one scan, turning every failure, a panic
    /// included, into an error record.
    fn guarded<'s>(
        &self,
        name: String,
        read: impl FnOnce() -> Result<Cow<'s, Scan>, String>,
        want_display: bool,
    ) -> Screened {
        let started = Instant::now();
        let backend = self.backend_kind().as_str();
        let elapsed_ms = |t: Instant| t.elapsed().as_secs_f64() * 1e3;
        let mut dicos = Vec::new();
        // the images the scan was read from, kept when a later step fails
        let outcome = catch_unwind(AssertUnwindSafe(
            || -> Result<(ScanRecord, Option<RgbImage>), String> {
                let scan = read()?;
                dicos.clone_from(&scan.dicos);
                let found = self
                    .pool
                    .install(|| self.detector.detect_scan(&scan))
                    .map_err(|e| format!("{name}: {}", error_chain_text(&e)))?;
                let status = self.thresholds().verdict(&found.detections);
                let display = want_display.then(|| display_rgb(&scan, &self.detector.windowing()));
                let record = ScanRecord::screened(
                    name.clone(),
                    found.width,
                    found.height,
                    status,
                    found.detections,
                    backend,
                    self.model_id.as_str(),
                    elapsed_ms(started),
                )
                .with_spacing(found.spacing);
                Ok((record, display))
            },
        ));
        let message = match outcome {
            Ok(Ok((record, display))) => {
                return Screened {
                    record,
                    display,
                    dicos,
                }
            }
            Ok(Err(message)) => message,
            Err(panic) => {
                let what = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_else(|| "unknown panic".into());
                format!("{name}: internal error while screening: {what}")
            }
        };
        Screened {
            record: ScanRecord::failed(
                name,
                message,
                backend,
                self.model_id.as_str(),
                elapsed_ms(started),
            ),
            display: None,
            dicos,
        }
    }

    /// A DICOS threat detection report (TDR) of one screened scan, as the bytes of a `.dcs`
    /// file: each detection a potential threat object (box, category, score) referencing
    /// `screened.dicos`, the images it was read from (a scan not read from DICOS is referenced by
    /// a UID derived from its name). The alarm decision follows the record: alarm and review are
    /// `ALARM`, clear is `CLEAR`, and a scan that failed is `UNKNOWN` with the abort flag set,
    /// never `CLEAR`. Each object's assessment is the verdict its detection would make alone
    /// (alarm: `THREAT`, review: `UNKNOWN`). See `armscan_dicos::TdrReport` for the layout.
    ///
    /// # Errors
    /// [`DicosError::Encode`] when the report cannot be encoded.
    pub fn tdr(&self, screened: &Screened) -> Result<Vec<u8>, DicosError> {
        self.tdr_of(&screened.record, &screened.dicos)
    }

    /// [`Screener::tdr`] from a record and the images it references.
    ///
    /// # Errors
    /// [`DicosError::Encode`] when the report cannot be encoded.
    pub fn tdr_of(
        &self,
        record: &ScanRecord,
        images: &[DicosImageRef],
    ) -> Result<Vec<u8>, DicosError> {
        let thresholds = self.thresholds();
        let threats = record
            .detections
            .iter()
            .map(|d| ThreatObject {
                detection: d.clone(),
                assessment: Assessment::from_status(thresholds.verdict(std::slice::from_ref(d))),
            })
            .collect();
        let algorithm = Algorithm::new("armscan", env!("CARGO_PKG_VERSION"))
            .with_parameter("model", self.model_id.as_str())
            .with_parameter("backend", record.backend.as_str())
            .with_parameter("review_score", thresholds.review_score.to_string())
            .with_parameter("alarm_score", thresholds.alarm_score.to_string());
        let created_unix_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        TdrReport::new(record.scan.as_str(), record.status, algorithm)
            .with_images(images.to_vec())
            .with_threats(threats)
            .with_processing_ms(record.elapsed_ms)
            .with_created_unix_ms(created_unix_ms)
            .encode()
    }

    /// The thresholds in force: the model's, with the builder's overrides.
    #[must_use]
    pub fn thresholds(&self) -> Thresholds {
        self.detector.thresholds()
    }

    /// The model's id as records name it (`ID+single-view` when its mirror view is switched off).
    #[must_use]
    pub fn model_id(&self) -> &str {
        &self.model_id
    }

    /// How scan files are read (decode limits, the scanner profile): what a front end that reads
    /// a scan again (to show it) must use too.
    #[must_use]
    pub fn ingest_options(&self) -> &IngestOptions {
        &self.ingest
    }

    /// How a scan's planes are brought to grey (and to the standard image).
    #[must_use]
    pub fn windowing(&self) -> Windowing {
        self.detector.windowing()
    }

    /// The model's manifest.
    #[must_use]
    pub fn manifest(&self) -> &ModelManifest {
        self.detector.manifest()
    }

    /// The backend running the model.
    #[must_use]
    pub fn backend_kind(&self) -> BackendKind {
        self.detector.backend_kind()
    }

    /// The process's backend details (library, version, and a note when `Auto` chose tract).
    #[must_use]
    pub fn active_backend(&self) -> Option<&'static ActiveBackend> {
        self.detector.active_backend()
    }

    /// The worker threads.
    #[must_use]
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// The run header of a report written with this screener's results.
    #[must_use]
    pub fn run_info(&self, started_at: impl Into<String>) -> RunInfo {
        RunInfo {
            armscan_version: env!("CARGO_PKG_VERSION").to_owned(),
            model_id: self.model_id.clone(),
            model_sha256: self.manifest().spec.sha256.clone(),
            backend: self.backend_kind().as_str().to_owned(),
            thresholds: self.thresholds(),
            started_at: started_at.into(),
            classes: self.manifest().spec.classes.clone(),
        }
    }
}

/// The current time as `YYYY-MM-DDTHH:MM:SSZ` (UTC), without a date crate.
#[must_use]
pub fn now_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    utc_from_unix_seconds(secs)
}

/// A `YYYY-MM-DDTHH:MM:SSZ` time as Unix seconds (days-from-civil, Howard Hinnant's
/// algorithm); `None` for any other form or a time before 1970.
#[must_use]
pub fn unix_seconds_from_utc(utc: &str) -> Option<u64> {
    let b = utc.as_bytes();
    if b.len() != 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[19] != b'Z'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let s = utc.get(r)?;
        if s.bytes().all(|c| c.is_ascii_digit()) {
            s.parse().ok()
        } else {
            None
        }
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hh, mm, ss) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    u64::try_from(days * 86_400 + hh * 3600 + mm * 60 + ss).ok()
}

/// A Unix time as `YYYY-MM-DDTHH:MM:SSZ` (civil-from-days, Howard Hinnant's algorithm).
#[must_use]
pub fn utc_from_unix_seconds(secs: u64) -> String {
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}
