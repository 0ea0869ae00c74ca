//! The detector: a model, its manifest and a runner; frames of a scan in parallel.

use std::borrow::Cow;
use std::path::PathBuf;
use std::time::Instant;

use armscan_core::{
    damp_nested_mut, estimate_from_content, fuse_views, join_coarse_detections,
    merge_frame_detections, merge_frame_pieces, mirror_detections_mut, Detection, FrameDetection,
    FrameGrid, PixelSpacing, Scan, SpacingSource, ThresholdOverrides, Thresholds, ViewFusion,
};
use armscan_ingest::{detector_grey, Windowing};
use image::GrayImage;
use ndarray::Array4;
use rayon::prelude::*;

use crate::backend::{self, ActiveBackend, BackendChoice, BackendKind};
use crate::error::DetectError;
use crate::manifest::{ModelManifest, Polarity};
use crate::output::decode_frame;
use crate::plan::{PreprocessPlan, WorkingScale};
use crate::runner::{FrameRunner, OrtRunner};
use crate::search::{ScaleSearch, UnknownSpacing};

/// Model-space tolerance, in pixels, for a box side to count as lying on a frame cut.
const CUT_TOLERANCE_PX: f32 = 2.0;

/// Options for building a [`Detector`]; finish with [`DetectorBuilder::commit`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct DetectorBuilder {
    /// The model's manifest, or its `.onnx` (the manifest beside it is read).
    pub model_path: PathBuf,
    pub backend: BackendChoice,
    pub ort_lib: Option<PathBuf>,
    /// Sessions in the pool; default: the number of cores.
    pub sessions: Option<usize>,
    /// Threads inside each session; default 1 (parallelism comes from frames).
    pub intra_threads: usize,
    /// Frames per inference call.
    pub batch_frames: usize,
    /// Overrides of the manifest's thresholds, field by field.
    pub thresholds: ThresholdOverrides,
    /// Whether to screen the mirror view too, where the manifest has a `mirror_view` rule;
    /// default true (false: one view: half the inference, about 1.3x the scans/s on
    /// benches/e2e.py, less accurate).
    pub mirror_view: bool,
    /// How a scan's planes are brought to the model's 8-bit grey
    /// ([`armscan_ingest::detector_grey`]).
    pub windowing: Windowing,
    /// For scans whose spacing nothing states: estimate it (the default), search scales, or take
    /// the manifest's assumption.
    pub unknown_spacing: UnknownSpacing,
}

impl DetectorBuilder {
    /// A builder for the model described by `model_path` (its manifest, or the `.onnx` beside it).
    #[must_use]
    pub fn new(model_path: impl Into<PathBuf>) -> Self {
        Self {
            model_path: model_path.into(),
            backend: BackendChoice::Auto,
            ort_lib: None,
            sessions: None,
            intra_threads: 1,
            batch_frames: 1,
            thresholds: ThresholdOverrides::default(),
            mirror_view: true,
            windowing: Windowing::default(),
            unknown_spacing: UnknownSpacing::default(),
        }
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
    pub fn with_sessions(mut self, sessions: usize) -> Self {
        self.sessions = Some(sessions.max(1));
        self
    }
    #[must_use]
    pub fn with_intra_threads(mut self, threads: usize) -> Self {
        self.intra_threads = threads.max(1);
        self
    }
    #[must_use]
    pub fn with_batch_frames(mut self, frames: usize) -> Self {
        self.batch_frames = frames.max(1);
        self
    }
    /// Overrides the manifest's thresholds where `thresholds` sets a value.
    #[must_use]
    pub fn with_thresholds(mut self, thresholds: ThresholdOverrides) -> Self {
        self.thresholds = thresholds;
        self
    }
    /// `false`: screen one view even where the manifest names a mirror view.
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
    /// What to do with scans whose spacing nothing states ([`UnknownSpacing`]; default: estimate
    /// it from the content).
    #[must_use]
    pub fn with_unknown_spacing(mut self, unknown_spacing: UnknownSpacing) -> Self {
        self.unknown_spacing = unknown_spacing;
        self
    }

    /// Loads the manifest, checks the model's hash, starts the backend and builds the sessions.
    ///
    /// # Errors
    /// Any [`DetectError`]: a bad manifest, a missing or altered model, an unusable backend.
    pub fn commit(self) -> Result<Detector, DetectError> {
        self.unknown_spacing
            .check()
            .map_err(|reason| DetectError::Config {
                path: self.model_path.clone(),
                reason,
            })?;
        let manifest = ModelManifest::load(&self.model_path)?;
        let bytes = manifest.read_model_bytes()?;
        let active = backend::init(self.backend, self.ort_lib.as_deref())?;
        let sessions = self.sessions.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
        });
        let runner = OrtRunner::commit_from_memory(
            active,
            &bytes,
            &manifest.spec.input.name,
            &manifest.spec.output.name,
            sessions,
            self.intra_threads,
        )?;
        let thresholds = self.thresholds.applied_to(manifest.thresholds());
        let mirror_view = if self.mirror_view {
            manifest.spec.mirror_view
        } else {
            None
        };
        Ok(Detector {
            manifest,
            runner: Box::new(runner),
            backend: Some(active),
            thresholds,
            batch_frames: self.batch_frames,
            mirror_view,
            windowing: self.windowing,
            unknown_spacing: self.unknown_spacing,
        })
    }
}

/// The frames of one pass over a scan, and the smallest candidate it keeps.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct FramePass {
    /// One plan per frame, all at one working scale.
    pub plans: Vec<PreprocessPlan>,
    /// Candidates whose longer side (model pixels, inside the frame) is shorter are dropped: 0
    /// for the fine pass, the manifest's `coarse_pass.min_long_side_model_px` for the coarse one.
    pub min_long_side_model_px: f32,
}

/// The detections of one scan.
#[derive(Clone, Debug, PartialEq)]
pub struct ScanDetections {
    /// Detections at or above the listing score, merged across frames, best first.
    pub detections: Vec<Detection>,
    pub width: u32,
    pub height: u32,
    /// Frames the scan was cut into (all passes).
    pub frames: usize,
    /// Time spent, in milliseconds, from the detector grey image to merged detections.
    pub detect_ms: f64,
    /// Views screened: 1, or 2 with the mirror view.
    pub views: usize,
    /// The pixel spacing the scan was screened at and where it came from; `None` when none was
    /// known or assumed (the scan was fitted to the input by its size).
    pub spacing: Option<PixelSpacing>,
}

/// A model ready to screen scans.
#[derive(Debug)]
pub struct Detector {
    manifest: ModelManifest,
    runner: Box<dyn FrameRunner>,
    backend: Option<&'static ActiveBackend>,
    thresholds: Thresholds,
    batch_frames: usize,
    mirror_view: Option<ViewFusion>,
    windowing: Windowing,
    unknown_spacing: UnknownSpacing,
}

impl Detector {
    /// A detector over any [`FrameRunner`] (for other backends and tests).
    #[must_use]
    pub fn from_runner(manifest: ModelManifest, runner: Box<dyn FrameRunner>) -> Self {
        let thresholds = manifest.thresholds();
        let mirror_view = manifest.spec.mirror_view;
        Self {
            manifest,
            runner,
            backend: None,
            thresholds,
            batch_frames: 1,
            mirror_view,
            windowing: Windowing::default(),
            unknown_spacing: UnknownSpacing::default(),
        }
    }

    /// What this detector does with scans of unknown spacing.
    #[must_use]
    pub fn unknown_spacing(&self) -> &UnknownSpacing {
        &self.unknown_spacing
    }

    /// Sets what this detector does with scans of unknown spacing (for detectors made with
    /// [`Detector::from_runner`]).
    #[must_use]
    pub fn with_unknown_spacing(mut self, unknown_spacing: UnknownSpacing) -> Self {
        self.unknown_spacing = unknown_spacing;
        self
    }

    /// The model's id as records name it: the manifest's `id`, followed by `+single-view` when
    /// the manifest names a mirror view that this detector does not screen.
    #[must_use]
    pub fn model_id(&self) -> String {
        let id = &self.manifest.spec.id;
        if self.manifest.spec.mirror_view.is_some() && self.mirror_view.is_none() {
            format!("{id}+single-view")
        } else {
            id.clone()
        }
    }

    /// How this detector brings a scan's planes to its 8-bit grey.
    #[must_use]
    pub fn windowing(&self) -> Windowing {
        self.windowing
    }

    #[must_use]
    pub fn manifest(&self) -> &ModelManifest {
        &self.manifest
    }

    /// The thresholds in force (the manifest's, unless overridden).
    #[must_use]
    pub fn thresholds(&self) -> Thresholds {
        self.thresholds
    }

    /// The backend running the model.
    #[must_use]
    pub fn backend_kind(&self) -> BackendKind {
        self.runner.backend()
    }

    /// The process's backend details (library, version, note), when built by [`DetectorBuilder`].
    #[must_use]
    pub fn active_backend(&self) -> Option<&'static ActiveBackend> {
        self.backend
    }

    /// Screens one scan: its detector grey image under this detector's windowing, then
    /// [`Detector::detect_grey`].
    ///
    /// # Errors
    /// As [`Detector::detect_grey`].
    pub fn detect_scan(&self, scan: &Scan) -> Result<ScanDetections, DetectError> {
        let grey = detector_grey(scan, &self.windowing);
        let mut found = self.detect_grey(&grey, scan.pixel_spacing_mm())?;
        if let Some(known) = scan.pixel_spacing {
            found.spacing = Some(known);
        }
        Ok(found)
    }

    /// The passes over a scan of this size: the fine pass at the working scale, then, when the
    /// manifest asks for one and the fine pass needs more than one frame, the coarse pass.
    #[must_use]
    pub fn passes_for(
        &self,
        width: u32,
        height: u32,
        pixel_spacing_mm: Option<f32>,
    ) -> Vec<FramePass> {
        let input = &self.manifest.spec.input;
        let framing = &self.manifest.spec.framing;
        let pass = |scale: WorkingScale, min_long_side_model_px: f32| {
            let grid = FrameGrid::new(
                scale.working_width,
                scale.working_height,
                input.width,
                input.height,
                framing.overlap_px,
            );
            let plans = grid
                .frames
                .into_iter()
                .map(|frame| PreprocessPlan {
                    scale,
                    frame,
                    input_width: input.width,
                    input_height: input.height,
                })
                .collect();
            FramePass {
                plans,
                min_long_side_model_px,
            }
        };
        let fine_scale = WorkingScale::for_scan(
            width,
            height,
            pixel_spacing_mm,
            input.width,
            input.height,
            framing,
        );
        let fine = pass(fine_scale, 0.0);
        let coarse = match framing.coarse_pass {
            Some(c) if fine.plans.len() > 1 => {
                Some(pass(fine_scale.coarser(c.factor), c.min_long_side_model_px))
            }
            _ => None,
        };
        std::iter::once(fine).chain(coarse).collect()
    }

    /// Screens one 8-bit detector grey image (bright = empty): scale to working size, cut into
    /// frames (and, with a coarse pass, again at the coarse scale), run all frames in parallel
    /// batches, map boxes back, merge across frames, join the passes, then apply the manifest's
    /// damping rules ([`armscan_core::nested`]). With a mirror view (the manifest's
    /// `mirror_view`, unless the builder switched it off), the same again on the image mirrored
    /// left to right, in parallel, and the two views fused ([`armscan_core::views`]).
    ///
    /// # Errors
    /// [`DetectError::Backend`] or [`DetectError::Output`] from the model.
    pub fn detect_grey(
        &self,
        grey: &GrayImage,
        pixel_spacing_mm: Option<f32>,
    ) -> Result<ScanDetections, DetectError> {
        let started = Instant::now();
        let (width, height) = grey.dimensions();
        let views = if self.mirror_view.is_some() { 2 } else { 1 };
        let assumed = || {
            self.manifest
                .spec
                .framing
                .assumed_mm_per_px
                .and_then(|mm| PixelSpacing::new(mm, SpacingSource::ModelAssumption))
        };
        // the scan screened at one spacing (the search runs its own passes)
        let at = |spacing: Option<PixelSpacing>| {
            self.detect_views(grey, spacing.map(|s| s.mm))
                .map(|(detections, frames)| (detections, frames, spacing))
        };
        let (detections, frames, spacing) = match (pixel_spacing_mm, &self.unknown_spacing) {
            (Some(mm), _) => at(PixelSpacing::new(mm, SpacingSource::Given))?,
            (None, UnknownSpacing::Search(search)) => self.detect_searching(grey, search)?,
            (None, UnknownSpacing::Estimate(prior)) => {
                at(estimate_from_content(grey.as_raw(), width, height, prior)
                    .map(|e| e.spacing)
                    .or_else(assumed))?
            }
            (None, UnknownSpacing::ModelAssumption) => at(assumed())?,
        };
        Ok(ScanDetections {
            detections,
            width,
            height,
            frames,
            detect_ms: started.elapsed().as_secs_f64() * 1e3,
            views,
            spacing,
        })
    }

    /// The scan at one spacing: its view, and with a mirror view its mirror, fused. Returns the
    /// detections and the frames run.
    fn detect_views(
        &self,
        grey: &GrayImage,
        pixel_spacing_mm: Option<f32>,
    ) -> Result<(Vec<Detection>, usize), DetectError> {
        let Some(rule) = &self.mirror_view else {
            return self.detect_view(grey, pixel_spacing_mm);
        };
        let width = grey.width() as f32;
        let (seen, mirrored) = rayon::join(
            || self.detect_view(grey, pixel_spacing_mm),
            || {
                let mirror = image::imageops::flip_horizontal(grey);
                self.detect_view(&mirror, pixel_spacing_mm)
                    .map(|(mut d, frames)| {
                        mirror_detections_mut(&mut d, width);
                        (d, frames)
                    })
            },
        );
        let ((seen, frames_seen), (mirrored, frames_mirrored)) = (seen?, mirrored?);
        Ok((
            fuse_views(seen, mirrored, rule, self.thresholds.min_score),
            frames_seen + frames_mirrored,
        ))
    }

    /// A scan of unknown spacing screened at each spacing the search allows for its size, in
    /// parallel; the detections of all spacings merged by class-aware NMS. The spacing reported
    /// is the one whose pass found the best detection.
    fn detect_searching(
        &self,
        grey: &GrayImage,
        search: &ScaleSearch,
    ) -> Result<(Vec<Detection>, usize, Option<PixelSpacing>), DetectError> {
        let spacings = search.spacings_for(grey.width(), grey.height());
        let runs: Vec<(f32, Vec<Detection>, usize)> = spacings
            .par_iter()
            .map(|&mm| {
                self.detect_views(grey, Some(mm))
                    .map(|(d, frames)| (mm, d, frames))
            })
            .collect::<Result<_, _>>()?;
        let frames = runs.iter().map(|r| r.2).sum();
        let mut tagged: Vec<(Detection, f32)> = runs
            .into_iter()
            .flat_map(|(mm, d, _)| d.into_iter().map(move |d| (d, mm)))
            .collect();
        tagged.sort_by(|a, b| b.0.score.total_cmp(&a.0.score));
        let mut kept: Vec<(Detection, f32)> = Vec::with_capacity(tagged.len());
        for (d, mm) in tagged {
            let overlaps = kept.iter().any(|(k, _)| {
                k.class_name == d.class_name
                    && k.box_in_image.iou(&d.box_in_image) >= search.nms_iou
            });
            if !overlaps {
                kept.push((d, mm));
            }
        }
        let spacing = kept
            .first()
            .and_then(|(_, mm)| PixelSpacing::new(*mm, SpacingSource::Search));
        Ok((kept.into_iter().map(|(d, _)| d).collect(), frames, spacing))
    }

    /// One view of a scan: its detections, damped, and the frames it took (all passes).
    fn detect_view(
        &self,
        grey: &GrayImage,
        pixel_spacing_mm: Option<f32>,
    ) -> Result<(Vec<Detection>, usize), DetectError> {
        let (width, height) = grey.dimensions();
        let passes = self.passes_for(width, height, pixel_spacing_mm);
        let mut working = Vec::with_capacity(passes.len());
        for pass in &passes {
            let Some(first) = pass.plans.first() else {
                return Err(DetectError::Output("no frames for an empty image".into()));
            };
            let scale = first.scale;
            working.push(
                if (scale.working_width, scale.working_height) == (width, height) {
                    Cow::Borrowed(grey)
                } else {
                    Cow::Owned(crate::resize::resize_grey(
                        grey,
                        scale.working_width,
                        scale.working_height,
                    ))
                },
            );
        }

        let spec = &self.manifest.spec;
        let min_score = self.thresholds.min_score;
        let batches: Vec<(usize, &[PreprocessPlan])> = passes
            .iter()
            .enumerate()
            .flat_map(|(i, pass)| {
                pass.plans
                    .chunks(self.batch_frames)
                    .map(move |batch| (i, batch))
            })
            .collect();
        let parts: Vec<(usize, Vec<FrameDetection>)> = batches
            .par_iter()
            .map(
                |&(pass_index, batch)| -> Result<(usize, Vec<FrameDetection>), DetectError> {
                    let input = self.frame_tensor(&working[pass_index], batch);
                    let output = self.runner.run_batch(input.view())?;
                    if output.shape()[0] != batch.len() {
                        return Err(DetectError::Output(format!(
                            "batch of {} frames gave {} outputs",
                            batch.len(),
                            output.shape()[0]
                        )));
                    }
                    let min_long_side = passes[pass_index].min_long_side_model_px;
                    let mut found = Vec::new();
                    for (i, plan) in batch.iter().enumerate() {
                        let rows = output.index_axis(ndarray::Axis(0), i);
                        for c in decode_frame(
                            &spec.output,
                            rows,
                            self.manifest.taxonomy.len(),
                            min_score,
                        )? {
                            let Some(class) = self.manifest.taxonomy.get(c.class_index) else {
                                continue;
                            };
                            let Some(in_frame) = c.box_in_model.intersection(&plan.valid_region())
                            else {
                                continue;
                            };
                            if in_frame.width().max(in_frame.height()) < min_long_side {
                                continue;
                            }
                            let truncated = plan.truncated_sides(&in_frame, CUT_TOLERANCE_PX);
                            let box_in_image = plan
                                .image_from_model(&in_frame)
                                .clipped(width as f32, height as f32);
                            if box_in_image.area() <= 0.0 {
                                continue;
                            }
                            found.push(FrameDetection {
                                detection: Detection {
                                    class_name: class.name.clone(),
                                    category: class.category,
                                    score: c.score,
                                    box_in_image,
                                },
                                truncated,
                            });
                        }
                    }
                    Ok((pass_index, found))
                },
            )
            .collect::<Result<_, _>>()?;
        let mut per_pass: Vec<Vec<FrameDetection>> = vec![Vec::new(); passes.len()];
        for (pass_index, found) in parts {
            per_pass[pass_index].extend(found);
        }
        let iou = spec.thresholds.nms_iou;
        let mut per_pass = per_pass.into_iter();
        let fine = merge_frame_pieces(per_pass.next().unwrap_or_default(), iou);
        let mut detections = match per_pass.next() {
            Some(coarse) => {
                // The fine frames' least overlap, in image pixels.
                let overlap_in_image = passes[0].plans.first().map_or(0.0, |p| {
                    spec.framing.overlap_px as f32
                        / p.scale.sx().max(p.scale.sy()).max(f32::MIN_POSITIVE)
                });
                join_coarse_detections(
                    fine,
                    merge_frame_detections(coarse, iou),
                    iou,
                    overlap_in_image,
                )
            }
            None => fine.into_iter().map(|f| f.detection).collect(),
        };
        damp_nested_mut(&mut detections, &spec.damping, min_score);
        Ok((detections, passes.iter().map(|p| p.plans.len()).sum()))
    }

    /// Fills the model input for a batch of frames of the working-scale image.
    fn frame_tensor(&self, working: &GrayImage, batch: &[PreprocessPlan]) -> Array4<f32> {
        let input = &self.manifest.spec.input;
        let (iw, ih, ch) = (
            input.width as usize,
            input.height as usize,
            input.channels as usize,
        );
        let inverted = input.polarity == Polarity::BrightIsDense;
        let mut tensor = Array4::<f32>::zeros((batch.len(), ch, ih, iw));
        // One lookup table per channel from 8-bit value to normalised input.
        let luts: Vec<[f32; 256]> = (0..ch)
            .map(|c| {
                let mut lut = [0.0f32; 256];
                for (v, slot) in lut.iter_mut().enumerate() {
                    let raw = if inverted { 255 - v } else { v } as f32;
                    *slot = (raw * input.scale - input.mean[c]) / input.std[c];
                }
                lut
            })
            .collect();
        let (ww, _) = working.dimensions();
        let pixels = working.as_raw();
        for (b, plan) in batch.iter().enumerate() {
            for (c, lut) in luts.iter().enumerate() {
                let pad = (input.pad_value - input.mean[c]) / input.std[c];
                let mut plane = tensor.slice_mut(ndarray::s![b, c, .., ..]);
                plane.fill(pad);
                let (fx, fy) = (plan.frame.x as usize, plan.frame.y as usize);
                for y in 0..plan.frame.height as usize {
                    let row_start = (fy + y) * ww as usize + fx;
                    let src = &pixels[row_start..row_start + plan.frame.width as usize];
                    let mut dst = plane.row_mut(y);
                    for (slot, &v) in dst.iter_mut().zip(src) {
                        *slot = lut[usize::from(v)];
                    }
                }
            }
        }
        tensor
    }
}
