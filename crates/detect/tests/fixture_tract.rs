//! The whole detection path (scale, frames, tensors, tract, decode, map back, merge) on the
//! generated `dark_blob` fixture, whose answer is known exactly: the box round the dark pixels;
//! and the backend seam (`Detector::from_runner` with a `FrameRunner` of one's own).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use armscan_core::Status;
use armscan_detect::{
    BackendChoice, BackendKind, DetectError, Detector, DetectorBuilder, FrameRunner, ModelManifest,
};
use image::{GrayImage, Luma};
use ndarray::{Array3, ArrayView4};

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dark_blob.manifest.json")
}

fn detector() -> Detector {
    DetectorBuilder::new(fixture())
        .with_backend(BackendChoice::Tract)
        .with_sessions(2)
        .commit()
        .expect("fixture model loads on tract")
}

/// A white image with one black rectangle `[x1, y1, x2)` x `[y1, y2)`.
fn image_with_block(w: u32, h: u32, b: [u32; 4]) -> GrayImage {
    GrayImage::from_fn(w, h, |x, y| {
        if x >= b[0] && x < b[2] && y >= b[1] && y < b[3] {
            Luma([0])
        } else {
            Luma([255])
        }
    })
}

#[test]
fn empty_image_is_clear() {
    let d = detector();
    let found = d
        .detect_grey(&GrayImage::from_pixel(64, 64, Luma([255])), None)
        .unwrap();
    assert!(found.detections.is_empty());
    assert_eq!(d.thresholds().verdict(&found.detections), Status::Clear);
}

#[test]
fn block_in_one_frame_maps_back_exactly() {
    let d = detector();
    let found = d
        .detect_grey(&image_with_block(64, 64, [10, 20, 30, 50]), None)
        .unwrap();
    assert_eq!(found.frames, 1);
    assert_eq!(found.detections.len(), 1);
    assert_eq!(
        found.detections[0].box_in_image.to_array(),
        [10.0, 20.0, 30.0, 50.0]
    );
    assert!((found.detections[0].score - 0.9).abs() < 1e-6);
    assert_eq!(d.thresholds().verdict(&found.detections), Status::Alarm);
}

#[test]
fn object_cut_by_frame_borders_gives_one_box() {
    // 64 x 400: short side fits the 64-px input at scale 1, so the long side is cut into
    // overlapping frames. The block spans rows 100..250, across several frame borders.
    let d = detector();
    let found = d
        .detect_grey(&image_with_block(64, 400, [12, 100, 40, 250]), None)
        .unwrap();
    assert!(
        found.frames >= 7,
        "expected several frames, got {}",
        found.frames
    );
    assert_eq!(found.detections.len(), 1, "{:?}", found.detections);
    assert_eq!(
        found.detections[0].box_in_image.to_array(),
        [12.0, 100.0, 40.0, 250.0]
    );
}

#[test]
fn two_objects_in_different_frames_stay_two() {
    let d = detector();
    let mut img = image_with_block(64, 400, [5, 10, 20, 30]);
    for y in 300..340 {
        for x in 40..60 {
            img.put_pixel(x, y, Luma([0]));
        }
    }
    let found = d.detect_grey(&img, None).unwrap();
    let mut boxes: Vec<[f32; 4]> = found
        .detections
        .iter()
        .map(|d| d.box_in_image.to_array())
        .collect();
    boxes.sort_by(|a, b| a[1].total_cmp(&b[1]));
    assert_eq!(
        boxes,
        vec![[5.0, 10.0, 20.0, 30.0], [40.0, 300.0, 60.0, 340.0]]
    );
}

#[test]
fn downscaled_scan_maps_boxes_back_to_scan_pixels() {
    // 640 x 320: scale 0.2 to a 128 x 64 working image, 3 frames along x.
    let d = detector();
    let found = d
        .detect_grey(&image_with_block(640, 320, [100, 50, 300, 200]), None)
        .unwrap();
    assert_eq!(found.detections.len(), 1, "{:?}", found.detections);
    let b = found.detections[0].box_in_image;
    let expected = [100.0, 50.0, 300.0, 200.0];
    for (got, want) in b.to_array().iter().zip(expected) {
        // One working pixel is 5 scan pixels; the triangle filter may add one more at an edge.
        assert!((got - want).abs() <= 10.0, "box {b:?} vs {expected:?}");
    }
}

#[test]
fn altered_model_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    std::fs::copy(
        src.join("dark_blob.manifest.json"),
        dir.path().join("m.manifest.json"),
    )
    .unwrap();
    let mut bytes = std::fs::read(src.join("dark_blob.onnx")).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x01;
    std::fs::write(dir.path().join("dark_blob.onnx"), bytes).unwrap();
    let manifest = ModelManifest::load(&dir.path().join("m.manifest.json")).unwrap();
    let err = manifest.read_model_bytes().unwrap_err().to_string();
    assert!(err.contains("sha256"), "{err}");
}

#[test]
fn bad_manifest_names_the_field() {
    let text = std::fs::read_to_string(fixture())
        .unwrap()
        .replace("\"xyxy_scores\"", "\"yolo_magic\"");
    let err = ModelManifest::from_json(&text, &fixture())
        .unwrap_err()
        .to_string();
    assert!(err.contains("output.layout"), "{err}");
}

#[test]
fn assumed_spacing_needs_a_working_spacing_and_must_be_positive() {
    let text = std::fs::read_to_string(fixture()).unwrap();
    let with =
        |framing: &str| text.replace("\"overlap_px\"", &format!("{framing}, \"overlap_px\""));
    let err = ModelManifest::from_json(&with("\"assumed_mm_per_px\": 0.16"), &fixture())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("assumed_mm_per_px needs framing.working_mm_per_px"),
        "{err}"
    );
    let err = ModelManifest::from_json(
        &with("\"working_mm_per_px\": 1.5, \"assumed_mm_per_px\": -1"),
        &fixture(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("assumed_mm_per_px must be positive"), "{err}");
    assert!(ModelManifest::from_json(
        &with("\"working_mm_per_px\": 1.5, \"assumed_mm_per_px\": 0.16"),
        &fixture()
    )
    .is_ok());
}

/// The fixture with `framing_extra` spliced into its framing, written beside a copy of its model.
fn detector_with_framing(dir: &std::path::Path, framing_extra: &str) -> Detector {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let text = std::fs::read_to_string(fixture()).unwrap().replace(
        "\"overlap_px\"",
        &format!("{framing_extra}, \"overlap_px\""),
    );
    std::fs::write(dir.join("dark_blob.manifest.json"), text).unwrap();
    std::fs::copy(src.join("dark_blob.onnx"), dir.join("dark_blob.onnx")).unwrap();
    DetectorBuilder::new(dir.join("dark_blob.manifest.json"))
        .with_backend(BackendChoice::Tract)
        .with_sessions(2)
        .commit()
        .unwrap()
}

#[test]
fn coarse_pass_adds_its_frames_only_when_the_fine_pass_needs_several() {
    let dir = tempfile::tempdir().unwrap();
    let d = detector_with_framing(
        dir.path(),
        "\"coarse_pass\": {\"factor\": 4.0, \"min_long_side_model_px\": 8.0}",
    );
    // One fine frame: the scan is seen whole, no coarse pass.
    let passes = d.passes_for(64, 64, None);
    assert_eq!(passes.len(), 1);
    let found = d
        .detect_grey(&image_with_block(64, 64, [10, 20, 30, 50]), None)
        .unwrap();
    assert_eq!(found.frames, 1);
    assert_eq!(
        found.detections[0].box_in_image.to_array(),
        [10.0, 20.0, 30.0, 50.0]
    );
    // 64 x 400: fine frames along the long side, then the coarse pass at a
    // quarter of the scale (16 x 100).
    let passes = d.passes_for(64, 400, None);
    assert_eq!(passes.len(), 2);
    assert_eq!(passes[0].min_long_side_model_px, 0.0);
    assert_eq!(passes[1].min_long_side_model_px, 8.0);
    let coarse_scale = passes[1].plans[0].scale;
    assert_eq!(
        (coarse_scale.working_width, coarse_scale.working_height),
        (16, 100)
    );
    assert_eq!(passes[1].plans.len(), 2);
    let found = d
        .detect_grey(&image_with_block(64, 400, [12, 100, 40, 250]), None)
        .unwrap();
    assert_eq!(found.frames, passes[0].plans.len() + passes[1].plans.len());
    // Both passes see the block whole; the fine box (exact) is the one kept.
    assert_eq!(found.detections.len(), 1, "{:?}", found.detections);
    assert_eq!(
        found.detections[0].box_in_image.to_array(),
        [12.0, 100.0, 40.0, 250.0]
    );
}

/// Two blocks side by side along the long side, offset across it: the fine frames see pieces that
/// do not line up
/// (the fixture boxes all dark pixels of a frame), the coarse frame sees both whole in one hull.
fn staggered_blocks() -> GrayImage {
    let mut img = image_with_block(64, 400, [5, 100, 20, 170]);
    for y in 160..250 {
        for x in 40..60 {
            img.put_pixel(x, y, Luma([0]));
        }
    }
    img
}

#[test]
fn coarse_pass_replaces_unjoined_fine_pieces_with_the_whole_object() {
    let dir = tempfile::tempdir().unwrap();
    let without = detector_with_framing(
        dir.path(),
        "\"coarse_pass\": {\"factor\": 4.0, \"min_long_side_model_px\": 1000.0}",
    );
    let pieces = without
        .detect_grey(&staggered_blocks(), None)
        .unwrap()
        .detections;
    assert!(
        pieces.len() >= 2,
        "the fine pass alone should leave pieces: {pieces:?}"
    );
    drop(without);
    let dir = tempfile::tempdir().unwrap();
    let d = detector_with_framing(
        dir.path(),
        "\"coarse_pass\": {\"factor\": 4.0, \"min_long_side_model_px\": 30.0}",
    );
    let found = d.detect_grey(&staggered_blocks(), None).unwrap().detections;
    assert_eq!(found.len(), 1, "{found:?}");
    let b = found[0].box_in_image.to_array();
    for (got, want) in b.iter().zip([5.0, 100.0, 60.0, 250.0]) {
        // one coarse pixel is 4 scan pixels; the area filter may darken one more at an edge
        assert!((got - want).abs() <= 8.0, "box {b:?}");
    }
}

#[test]
fn bad_coarse_pass_names_the_field() {
    let text = std::fs::read_to_string(fixture()).unwrap();
    let with = |c: &str| {
        text.replace(
            "\"overlap_px\"",
            &format!("\"coarse_pass\": {c}, \"overlap_px\""),
        )
    };
    for bad in [
        "{\"factor\": 1.0, \"min_long_side_model_px\": 8}",
        "{\"factor\": 40, \"min_long_side_model_px\": 8}",
    ] {
        let err = ModelManifest::from_json(&with(bad), &fixture())
            .unwrap_err()
            .to_string();
        assert!(err.contains("framing.coarse_pass.factor"), "{err}");
    }
    let err = ModelManifest::from_json(
        &with("{\"factor\": 2, \"min_long_side_model_px\": -1}"),
        &fixture(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("min_long_side_model_px"), "{err}");
    let err = ModelManifest::from_json(&with("{\"factor\": 2}"), &fixture())
        .unwrap_err()
        .to_string();
    assert!(err.contains("min_long_side_model_px"), "{err}");
    assert!(ModelManifest::from_json(
        &with("{\"factor\": 2, \"min_long_side_model_px\": 112}"),
        &fixture()
    )
    .is_ok());
}

#[test]
fn damping_rules_are_read_from_the_manifest_and_checked() {
    let text = std::fs::read_to_string(fixture()).unwrap();
    let with =
        |rules: &str| text.replace("\"notes\"", &format!("\"damping\": [{rules}], \"notes\""));
    let rule = "{\"inner\": \"part\", \"outer\": \"firearm\", \
                \"min_fraction_inside\": 0.8, \"factor\": 0.7}";
    let m = ModelManifest::from_json(&with(rule), &fixture()).unwrap();
    assert_eq!(
        m.spec.damping,
        vec![armscan_core::NestedDamping::new(
            armscan_core::Category::Part,
            armscan_core::Category::Firearm,
            0.8,
            0.7
        )]
    );
    assert!(
        ModelManifest::from_json(&text, &fixture())
            .unwrap()
            .spec
            .damping
            .is_empty(),
        "no rules unless named"
    );
    let err = ModelManifest::from_json(&with(&rule.replace("0.7}", "1.7}")), &fixture())
        .unwrap_err()
        .to_string();
    assert!(err.contains("damping[0]: factor = 1.7"), "{err}");
    let err = ModelManifest::from_json(&with(&rule.replace("\"firearm\"", "\"part\"")), &fixture())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("damping[0]: inner and outer are both `part`"),
        "{err}"
    );
    let err =
        ModelManifest::from_json(&with(&rule.replace("\"firearm\"", "\"knife\"")), &fixture())
            .unwrap_err()
            .to_string();
    assert!(err.contains("knife"), "{err}");
}

/// The fixture with a `mirror_view` rule, written beside a copy of its model.
fn mirror_manifest(dir: &std::path::Path, rule: &str) -> PathBuf {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let text = std::fs::read_to_string(fixture())
        .unwrap()
        .replace("\"notes\"", &format!("\"mirror_view\": {rule}, \"notes\""));
    std::fs::write(dir.join("dark_blob.manifest.json"), text).unwrap();
    std::fs::copy(src.join("dark_blob.onnx"), dir.join("dark_blob.onnx")).unwrap();
    dir.join("dark_blob.manifest.json")
}

#[test]
fn the_mirror_view_maps_back_onto_the_scan_and_fuses_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = mirror_manifest(dir.path(), "{\"fuse_iou\": 0.5, \"unseen_factor\": 0.7}");
    let two = DetectorBuilder::new(&manifest)
        .with_backend(BackendChoice::Tract)
        .with_sessions(2)
        .commit()
        .unwrap();
    assert_eq!(two.model_id(), "fixture-dark-blob");
    // a block well off the centre line: a mirror box not mapped back would lie at x 39..59,
    // pair with nothing and leave two boxes at 0.9 x 0.7
    let img = image_with_block(64, 64, [5, 20, 25, 50]);
    let found = two.detect_grey(&img, None).unwrap();
    assert_eq!(found.views, 2);
    assert_eq!(found.frames, 2);
    assert_eq!(found.detections.len(), 1, "{:?}", found.detections);
    let b = found.detections[0].box_in_image.to_array();
    for (got, want) in b.iter().zip([5.0, 20.0, 25.0, 50.0]) {
        assert!((got - want).abs() < 1e-3, "{b:?}");
    }
    assert!((found.detections[0].score - 0.9).abs() < 1e-6);
    // switched off: one view, and records say so
    let one = DetectorBuilder::new(&manifest)
        .with_backend(BackendChoice::Tract)
        .with_sessions(2)
        .with_mirror_view(false)
        .commit()
        .unwrap();
    assert_eq!(one.model_id(), "fixture-dark-blob+single-view");
    let single = one.detect_grey(&img, None).unwrap();
    assert_eq!((single.views, single.frames), (1, 1));
    assert_eq!(single.detections.len(), 1);
    // without a rule in the manifest: one view, and the plain id
    assert_eq!(detector().detect_grey(&img, None).unwrap().views, 1);
    assert_eq!(detector().model_id(), "fixture-dark-blob");
}

#[test]
fn mirror_view_rules_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let err = ModelManifest::load(&mirror_manifest(
        dir.path(),
        "{\"fuse_iou\": 0, \"unseen_factor\": 0.7}",
    ))
    .unwrap_err()
    .to_string();
    assert!(err.contains("mirror_view: fuse_iou = 0"), "{err}");
    let err = ModelManifest::load(&mirror_manifest(
        dir.path(),
        "{\"fuse_iou\": 0.5, \"unseen_factor\": 2}",
    ))
    .unwrap_err()
    .to_string();
    assert!(err.contains("mirror_view: unseen_factor = 2"), "{err}");
    let err = ModelManifest::load(&mirror_manifest(dir.path(), "{\"fuse_iou\": 0.5}"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("unseen_factor"), "{err}");
}

// The backend seam: a `FrameRunner` other than ort's, plugged in with `Detector::from_runner`,
// gets the model inputs the manifest describes and its outputs are decoded and mapped back.

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
