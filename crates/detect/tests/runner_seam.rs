//! The backend seam: a [`FrameRunner`] other than ort's, plugged in with `Detector::from_runner`,
//! gets the model inputs the manifest describes and its outputs are decoded and mapped back.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use armscan_detect::{BackendKind, DetectError, Detector, FrameRunner, ModelManifest};
use image::{GrayImage, Luma};
use ndarray::{Array3, ArrayView4};

/// Answers every frame with one box, `[8, 8, 40, 24]` in model pixels, scoring 0.8 for class 0,
/// and counts the frames it saw.
#[derive(Debug, Default)]
struct FixedRunner {
    frames: AtomicUsize,
}

impl FrameRunner for FixedRunner {
    fn run_batch(&self, input: ArrayView4<'_, f32>) -> Result<Array3<f32>, DetectError> {
        let n = input.shape()[0];
        assert_eq!(
            &input.shape()[1..],
            &[1, 64, 64],
            "the manifest's input size and channels"
        );
        // white in, dark_is_dense at scale 1/255: empty pixels are 1.0
        assert!(
            input.iter().all(|v| (*v - 1.0).abs() < 1e-6),
            "a white scan gives 1.0 everywhere"
        );
        self.frames.fetch_add(n, Ordering::SeqCst);
        let mut out = Array3::<f32>::zeros((n, 1, 5));
        for b in 0..n {
            for (i, v) in [8.0, 8.0, 40.0, 24.0, 0.8].into_iter().enumerate() {
                out[[b, 0, i]] = v;
            }
        }
        Ok(out)
    }

    fn backend(&self) -> BackendKind {
        BackendKind::Tract
    }
}

#[test]
fn a_runner_of_ones_own_is_driven_like_ort() {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dark_blob.manifest.json");
    let manifest = ModelManifest::load(&path).unwrap();
    let detector = Detector::from_runner(manifest, Box::new(FixedRunner::default()));
    // 128 x 64 at scale 1: the short side fits the input, the long side needs frames
    let found = detector
        .detect_grey(&GrayImage::from_pixel(128, 64, Luma([255])), None)
        .unwrap();
    assert!(found.frames >= 2, "{} frames", found.frames);
    assert!(!found.detections.is_empty());
    let top = &found.detections[0];
    assert_eq!(top.class_name, "handgun");
    assert!((top.score - 0.8).abs() < 1e-6);
    // the first frame's box, mapped back at scale 1 with no offset
    assert!(
        found
            .detections
            .iter()
            .any(|d| d.box_in_image.to_array() == [8.0, 8.0, 40.0, 24.0]),
        "{:?}",
        found.detections
    );
    assert_eq!(detector.model_id(), "fixture-dark-blob");
    assert_eq!(detector.backend_kind(), BackendKind::Tract);
}
