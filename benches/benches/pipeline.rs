//! Criterion benchmarks of the pipeline's stages on the shipped samples:
//! decode, detector grey + resize to working scale, merge of frame detections, and detection
//! with the small fixture model on tract (the stages around inference, not the model).
//!
//! Run: `cargo bench -p armscan-benches`

use std::path::PathBuf;

use armscan_core::{merge_frame_detections, BoxInImage, Category, Detection, FrameDetection};
use armscan_detect::{BackendChoice, DetectorBuilder};
use armscan_ingest::{detector_grey, load_scan, IngestOptions, Windowing};
use criterion::{criterion_group, criterion_main, Criterion};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn bench_decode(c: &mut Criterion) {
    let opts = IngestOptions::default();
    for name in ["B0046_0160.jpg", "B0079_0025_16bit.png"] {
        let path = repo().join("datasets/samples").join(name);
        c.bench_function(&format!("decode/{name}"), |b| {
            b.iter(|| load_scan(&path, &opts).map(|s| s.width()))
        });
    }
}

fn bench_preprocess(c: &mut Criterion) {
    let path = repo().join("datasets/samples/B0046_0160.jpg");
    let Ok(scan) = load_scan(&path, &IngestOptions::default()) else {
        return;
    };
    c.bench_function("preprocess/detector_grey 2688x2208", |b| {
        b.iter(|| detector_grey(&scan, &Windowing::Full).width())
    });
    let grey = detector_grey(&scan, &Windowing::Full);
    c.bench_function(
        "preprocess/resize 2688x2208 -> 390x320 (image, Triangle)",
        |b| b.iter(|| armscan_detect::resize::resize_grey_reference(&grey, 390, 320).width()),
    );
    c.bench_function(
        "preprocess/resize 2688x2208 -> 390x320 (fast_image_resize, as used)",
        |b| b.iter(|| armscan_detect::resize::resize_grey(&grey, 390, 320).width()),
    );
}

fn bench_decode_output(c: &mut Criterion) {
    // one frame's raw output of a three-class model: 1600 candidates, scores spread so that a
    // few hundred pass the listing score, as on a cluttered frame
    let spec: armscan_detect::manifest::OutputSpec = match serde_json::from_str(concat!(
        r#"{"name": "detections", "layout": "xyxy_scores", "#,
        r#""box_space": "model_input_px", "scores": "probability"}"#
    )) {
        Ok(s) => s,
        Err(_) => return,
    };
    let rows = ndarray::Array2::from_shape_fn((1600, 7), |(k, j)| match j {
        0 | 1 => (k % 40) as f32 * 8.0,
        2 | 3 => (k % 40) as f32 * 8.0 + 40.0,
        _ => ((k * 7 + j * 13) % 100) as f32 / 100.0 * 0.2,
    });
    c.bench_function("postprocess/decode 1600x7 output", |b| {
        b.iter(|| {
            armscan_detect::output::decode_frame(&spec, rows.view(), 3, 0.05).map(|v| v.len())
        })
    });
}

fn bench_merge(c: &mut Criterion) {
    // 600 candidate boxes from 3 frames, as a dense scan gives at a low listing score.
    let mut seed = 12345u64;
    let mut next = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 33) as f32) / (u32::MAX >> 1) as f32
    };
    let parts: Vec<FrameDetection> = (0..600)
        .map(|_| {
            let (x, y, w, h) = (
                next() * 2400.0,
                next() * 2000.0,
                50.0 + next() * 400.0,
                50.0 + next() * 400.0,
            );
            FrameDetection {
                detection: Detection {
                    class_name: "handgun".into(),
                    category: Category::Firearm,
                    score: next(),
                    box_in_image: BoxInImage::from_xywh(x, y, w, h),
                },
                truncated: [next() < 0.1, false, next() < 0.1, false],
            }
        })
        .collect();
    c.bench_function("postprocess/merge 600 boxes", |b| {
        b.iter(|| merge_frame_detections(parts.clone(), 0.45).len())
    });
}

fn bench_detect_fixture(c: &mut Criterion) {
    let manifest = repo().join("crates/detect/tests/fixtures/dark_blob.manifest.json");
    let Ok(detector) = DetectorBuilder::new(manifest)
        .with_backend(BackendChoice::Tract)
        .commit()
    else {
        return;
    };
    let Ok(scan) = load_scan(
        &repo().join("datasets/samples/B0079_0020.jpg"),
        &IngestOptions::default(),
    ) else {
        return;
    };
    c.bench_function("detect/fixture model, B0079_0020 (tract)", |b| {
        b.iter(|| detector.detect_scan(&scan).map(|d| d.detections.len()))
    });
}

criterion_group!(
    benches,
    bench_decode_output,
    bench_decode,
    bench_preprocess,
    bench_merge,
    bench_detect_fixture
);
criterion_main!(benches);
