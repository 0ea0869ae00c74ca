//! armscan's COCO AP against pycocotools 2.0.11 on the same ground truth and detections.
//!
//! A deterministic random data set (several classes and images, boxes jittered so that IoUs
//! spread over 0.5..0.95, duplicates, wrong classes, false positives, misses, crowd regions,
//! tied scores) is written as COCO files; `coco_reference.py` runs pycocotools on them through
//! `./.venv/bin/python`; every class's AP50 and AP50:95 must agree within 0.005.
//! Without Python or pycocotools the test fails under `CI` (`.ci/run` installs them from
//! `requirements-ort.txt`) and is skipped elsewhere.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::Command;

use armscan_eval::dataset::threat_category;
use armscan_eval::{evaluate, EvalDataset, EvalPred, EvalSettings, EvalSource};
use serde_json::{json, Value};

/// xorshift64*: a small deterministic generator.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const CLASSES: [&str; 5] = ["pistol", "revolver", "slide", "cartridge", "magazine"];

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// `(gt json, detections json)` for a seed.
fn make_set(seed: u64) -> (Value, Value) {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut images = Vec::new();
    let mut anns = Vec::new();
    let mut dets = Vec::new();
    let n_images = 40;
    for img in 0..n_images {
        // Ids not in order of the list, and not contiguous.
        let image_id = 1000 - 7 * img as i64;
        images.push(json!({
            "id": image_id,
            "file_name": format!("im{img}.png"),
            "width": 800,
            "height": 600
        }));
        let n_gt = rng.below(5); // 0..4, so some images are negatives
        for _ in 0..n_gt {
            let cat = rng.below(CLASSES.len());
            let (w, h) = (
                rng.range(20.0, 200.0).round(),
                rng.range(20.0, 200.0).round(),
            );
            let (x, y) = (rng.range(0.0, 600.0).round(), rng.range(0.0, 400.0).round());
            let crowd = rng.unit() < 0.04;
            anns.push(json!({
                "id": anns.len() + 1,
                "image_id": image_id,
                "category_id": cat + 1,
                "bbox": [x, y, w, h],
                "area": w * h,
                "iscrowd": u8::from(crowd)
            }));
            let r = rng.unit();
            if r < 0.8 {
                // A detection of the right class, jittered: IoU roughly 0.45..1.
                let j = rng.range(0.0, 0.22);
                let jx = |rng: &mut Rng, s: f64| rng.range(-j, j) * s;
                let (dx1, dy1, dx2, dy2) = (
                    jx(&mut rng, w),
                    jx(&mut rng, h),
                    jx(&mut rng, w),
                    jx(&mut rng, h),
                );
                let b = [
                    round2(x + dx1),
                    round2(y + dy1),
                    round2(w + dx2 - dx1).max(1.0),
                    round2(h + dy2 - dy1).max(1.0),
                ];
                // Scores on a 0.05 grid: many ties.
                let score = (rng.range(0.05, 1.0) * 20.0).round() / 20.0;
                dets.push((image_id, cat, b, score));
                if rng.unit() < 0.15 {
                    // A duplicate, lower.
                    dets.push((
                        image_id,
                        cat,
                        [round2(b[0] + 3.0), b[1], b[2], b[3]],
                        round2(score * 0.7),
                    ));
                }
            } else if r < 0.9 {
                // Right place, wrong class.
                let other = (cat + 1 + rng.below(CLASSES.len() - 1)) % CLASSES.len();
                dets.push((image_id, other, [x, y, w, h], round2(rng.range(0.05, 1.0))));
            } // else: missed
        }
        for _ in 0..rng.below(3) {
            // False positives anywhere.
            let b = [
                round2(rng.range(0.0, 700.0)),
                round2(rng.range(0.0, 500.0)),
                round2(rng.range(10.0, 100.0)),
                round2(rng.range(10.0, 100.0)),
            ];
            dets.push((
                image_id,
                rng.below(CLASSES.len()),
                b,
                round2(rng.range(0.01, 0.9)),
            ));
        }
    }
    let categories: Vec<Value> = CLASSES
        .iter()
        .enumerate()
        .map(|(i, c)| {
            json!({
                "id": i + 1,
                "name": c,
                "supercategory": threat_category(c, None).unwrap().as_str()
            })
        })
        .collect();
    let gt = json!({"images": images, "annotations": anns, "categories": categories});
    let dt: Vec<Value> = dets
        .iter()
        .map(|(im, c, b, s)| json!({"image_id": im, "category_id": c + 1, "bbox": b, "score": s}))
        .collect();
    (gt, Value::Array(dt))
}

fn python() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/python")
}

fn skip_or_fail(why: &str) {
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must have Python with pycocotools (.ci/run installs requirements-ort.txt): {why}"
    );
    eprintln!("skipping the pycocotools cross-check: {why}");
}

/// armscan's per-class figures for the set: `name -> (ap50, ap50_95)`.
fn armscan_figures(gt: &Value, dt: &Value) -> Vec<(String, Option<f64>, Option<f64>)> {
    let ds = EvalDataset::from_coco_json(&gt.to_string(), &[]).unwrap();
    let index: std::collections::HashMap<i64, usize> = ds
        .images
        .iter()
        .enumerate()
        .map(|(i, im)| (im.id, i))
        .collect();
    let preds: Vec<EvalPred> = dt
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let name = CLASSES[d["category_id"].as_u64().unwrap() as usize - 1];
            let b: Vec<f64> = d["bbox"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect();
            EvalPred {
                image: index[&d["image_id"].as_i64().unwrap()],
                class: name.to_owned(),
                category: threat_category(name, None).unwrap(),
                score: d["score"].as_f64().unwrap(),
                bbox: [b[0], b[1], b[2], b[3]],
            }
        })
        .collect();
    let source = EvalSource {
        armscan_version: String::new(),
        created_at: String::new(),
        annotations: String::new(),
        images_dir: String::new(),
        filter: vec![],
        predictions: "jsonl".into(),
        predictions_file: None,
        model: None,
        backend: None,
        min_score: None,
        unused_records: 0,
    };
    let r = evaluate(&ds, &preds, &EvalSettings::default(), source);
    r.classes
        .iter()
        .map(|m| (m.name.clone(), m.ap50, m.ap50_95))
        .collect()
}

#[test]
fn ap_agrees_with_pycocotools() {
    let py = python();
    if !py.exists() {
        skip_or_fail(&format!("{} not found", py.display()));
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/coco_reference.py");
    let mut worst: f64 = 0.0;
    let mut compared = 0;
    for seed in [1u64, 2, 3] {
        let (gt, dt) = make_set(seed);
        let (gp, dp) = (
            dir.path().join(format!("gt{seed}.json")),
            dir.path().join(format!("dt{seed}.json")),
        );
        std::fs::write(&gp, gt.to_string()).unwrap();
        std::fs::write(&dp, dt.to_string()).unwrap();
        let out = Command::new(&py)
            .arg(&script)
            .arg(&gp)
            .arg(&dp)
            .output()
            .unwrap();
        if out.status.code() == Some(3) {
            skip_or_fail(&String::from_utf8_lossy(&out.stderr));
            return;
        }
        assert!(
            out.status.success(),
            "coco_reference.py failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let reference: Value = serde_json::from_slice(&out.stdout).unwrap();
        let ours = armscan_figures(&gt, &dt);
        for class in CLASSES {
            let theirs = &reference[class];
            let (_, ap50, ap) = ours
                .iter()
                .find(|(n, _, _)| n == class)
                .unwrap_or_else(|| panic!("no figures for {class}"));
            for (what, mine, coco) in [
                ("AP50", ap50, &theirs["ap50"]),
                ("AP50:95", ap, &theirs["ap50_95"]),
            ] {
                let coco = coco
                    .as_f64()
                    .unwrap_or_else(|| panic!("seed {seed} {class}: pycocotools has no {what}"));
                let mine =
                    mine.unwrap_or_else(|| panic!("seed {seed} {class}: armscan has no {what}"));
                let diff = (mine - coco).abs();
                eprintln!(
                    "seed {seed} {class:<10} {what:<8} armscan {mine:.6} \
                     pycocotools {coco:.6} diff {diff:.2e}"
                );
                assert!(
                    diff <= 0.005,
                    "seed {seed} {class} {what}: armscan {mine} vs pycocotools {coco}"
                );
                worst = worst.max(diff);
                compared += 1;
            }
        }
    }
    // The set must be one where AP is neither trivial nor degenerate.
    assert_eq!(compared, 30);
    eprintln!("max |armscan - pycocotools| over {compared} figures: {worst:.2e}");
}

#[test]
fn the_random_set_is_not_trivial() {
    // Guards the cross-check's power: IoUs spread over the thresholds,
    // so AP50:95 is well below AP50.
    let (gt, dt) = make_set(1);
    let ours = armscan_figures(&gt, &dt);
    for (name, ap50, ap) in ours {
        let (ap50, ap) = (ap50.unwrap(), ap.unwrap());
        assert!(ap50 > 0.3 && ap50 < 0.99, "{name} AP50 {ap50}");
        assert!(ap < ap50 - 0.1, "{name} AP50:95 {ap} vs AP50 {ap50}");
    }
}
