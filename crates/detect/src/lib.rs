//! ONNX detection for armscan, run through `ort`.
//!
//! - [`backend`]: the inference backend, chosen once per process: the pure-Rust tract backend
//!   (no set-up), or ONNX Runtime loaded at run time from a `libonnxruntime.so`;
//! - [`manifest`]: the model manifest beside each `.onnx` (input, framing, output layout, classes,
//!   thresholds, sha256), so no model literal lives in code;
//! - [`plan`]: the preprocessing plan of one frame, which records scale and offset so that
//!   boxes map back exactly ([`PreprocessPlan::image_from_model`]);
//! - [`output`]: decoding the model's output tensor as the manifest describes it;
//! - [`runner`]: the [`FrameRunner`] trait and its ort implementation, a pool of sessions;
//! - [`search`]: the scale search for scans whose spacing is unknown ([`ScaleSearch`]);
//! - [`detector`]: [`Detector`], which runs the frames of a scan (and of
//!   its mirror, where the manifest
//!   names a mirror view) in parallel, merges them and fuses the views.

pub mod backend;
pub mod detector;
mod error;
pub mod manifest;
pub mod output;
pub mod plan;
pub mod resize;
pub mod runner;
pub mod search;

pub use backend::{ActiveBackend, BackendChoice, BackendKind};
pub use detector::{Detector, DetectorBuilder, FramePass, ScanDetections};
pub use error::DetectError;
pub use manifest::{manifest_path_for, ModelManifest};
pub use plan::{PreprocessPlan, WorkingScale};
pub use runner::{FrameRunner, OrtRunner};
pub use search::{ScaleSearch, UnknownSpacing};
