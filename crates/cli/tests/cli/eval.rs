//! `armscan eval` end to end: on a small synthetic set with the fixture model, and from JSONL
//! predictions (perfect ones, and ones that leave an image out).

use std::path::Path;

use crate::common::*;
use serde_json::{json, Value};

/// A synthetic set of 8 scenes in `dir/set`; returns its annotations.
fn synth_set(dir: &Path) -> Value {
    let out = armscan(
        &[
            "synth",
            "--n",
            "8",
            "--seed",
            "3",
            "--out",
            "set",
            "--threads",
            "2",
        ],
        dir,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "synth: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(&std::fs::read_to_string(dir.join("set/annotations.json")).unwrap())
        .unwrap()
}

fn eval_json(dir: &Path) -> Value {
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("eval.json")).unwrap()).unwrap();
    assert_eq!(v["schema"], "armscan.eval/2");
    v
}

/// One armscan.scan/2 line for `scan` with the given detections.
fn record(scan: &str, detections: Vec<Value>, status: &str, error: Option<&str>) -> String {
    json!({
        "schema": "armscan.scan/2",
        "scan": scan,
        "status": status,
        "width": 1000,
        "height": 800,
        "detections": detections,
        "error": error,
        "backend": "tract",
        "model": "test",
        "elapsed_ms": 1.0
    })
    .to_string()
}

/// Detections equal to the ground truth of each image, keyed by file_name.
fn perfect_lines(coco: &Value, prefix: &str) -> Vec<(String, String)> {
    let cats: std::collections::HashMap<u64, (&str, &str)> = coco["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_u64().unwrap(),
                (
                    c["name"].as_str().unwrap(),
                    c["supercategory"].as_str().unwrap(),
                ),
            )
        })
        .collect();
    coco["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|im| {
            let dets: Vec<Value> = coco["annotations"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|a| a["image_id"] == im["id"])
                .map(|a| {
                    let b: Vec<f64> = a["bbox"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|v| v.as_f64().unwrap())
                        .collect();
                    let (name, cat) = cats[&a["category_id"].as_u64().unwrap()];
                    json!({
                        "class": name,
                        "category": cat,
                        "score": 0.9,
                        "box": [b[0], b[1], b[0] + b[2], b[1] + b[3]]
                    })
                })
                .collect();
            let f = im["file_name"].as_str().unwrap().to_owned();
            let status = if dets.is_empty() { "clear" } else { "alarm" };
            (
                f.clone(),
                record(&format!("{prefix}{f}"), dets, status, None),
            )
        })
        .collect()
}

#[test]
fn eval_runs_the_model_and_writes_every_output() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    synth_set(d);
    let m = fixture_model();
    let out = armscan(
        &[
            "eval",
            "set/annotations.json",
            "--model",
            m.to_str().unwrap(),
            "--backend",
            "tract",
            "--out",
            "ev",
            "--threads",
            "2",
        ],
        d,
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("AP50") && stdout.contains("any_threat") && stdout.contains("PD@FAR1%"),
        "summary table: {stdout}"
    );

    let ev = d.join("ev");
    let v = eval_json(&ev);
    for key in [
        "source",
        "settings",
        "dataset",
        "summary",
        "classes",
        "categories",
        "any_threat",
        "image_level",
        "confusion",
        "difficulty",
        "plots",
    ] {
        assert!(v.get(key).is_some(), "eval.json has no `{key}`");
    }
    assert_eq!(v["dataset"]["images"], 8);
    assert_eq!(v["source"]["predictions"], "detector");
    assert_eq!(v["source"]["model"], "fixture-dark-blob");
    assert_eq!(
        v["settings"]["iou_thresholds"].as_array().unwrap().len(),
        10
    );
    let cats: Vec<&str> = v["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(cats, ["firearm", "part", "ammunition"]);
    for c in v["categories"].as_array().unwrap() {
        for k in ["ap50", "ap50_95", "gt_boxes", "pr50"] {
            assert!(c.get(k).is_some(), "category {} has no {k}", c["name"]);
        }
        if let Some(ap) = c["ap50"].as_f64() {
            assert!((0.0..=1.0).contains(&ap));
        }
    }
    let scopes: Vec<&str> = v["image_level"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["scope"].as_str().unwrap())
        .collect();
    assert_eq!(scopes, ["any_threat", "firearm", "part", "ammunition"]);
    let any = &v["image_level"][0];
    assert_eq!(any["pd_at_far"].as_array().unwrap().len(), 2);
    let roc = any["roc"].as_array().unwrap();
    assert_eq!(
        (roc[0]["far"].as_f64(), roc[0]["pd"].as_f64()),
        (Some(0.0), Some(0.0))
    );
    let counts = v["confusion"]["counts"].as_array().unwrap();
    assert_eq!(counts.len(), 4);
    assert!(counts.iter().all(|r| r.as_array().unwrap().len() == 4));
    // The synthetic set tags every annotation with its difficulty.
    let tags: Vec<&str> = v["difficulty"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["tag"].as_str().unwrap())
        .collect();
    assert_eq!(tags, ["occluded_fraction", "clutter_density", "pose_deg"]);
    let binned: u64 = v["difficulty"][0]["bins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["gt_boxes"].as_u64().unwrap())
        .sum();
    assert_eq!(
        binned,
        v["dataset"]["gt_boxes"].as_u64().unwrap(),
        "every box falls in one occlusion bin"
    );

    let plots: Vec<&str> = v["plots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(plots.len() >= 2);
    for p in &plots {
        let img = image::open(ev.join(p)).unwrap_or_else(|e| panic!("{p} does not decode: {e}"));
        assert!(img.width() >= 400 && img.height() >= 300);
    }
    let html = std::fs::read_to_string(ev.join("eval.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_eq!(html.matches("data:image/png;base64,").count(), plots.len());
    for external in ["http://", "https://", "src=\"/", "<script", "<link", "url("] {
        assert!(
            !html.contains(external),
            "eval.html refers outside itself: {external}"
        );
    }
    // The model's predictions are kept, one record per image, and give the same figures again.
    let lines = std::fs::read_to_string(ev.join("predictions.jsonl")).unwrap();
    assert_eq!(lines.lines().count(), 8);
    let out = armscan(
        &[
            "eval",
            "set/annotations.json",
            "--predictions",
            "ev/predictions.jsonl",
            "--out",
            "ev2",
        ],
        d,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v2 = eval_json(&d.join("ev2"));
    assert_eq!(v2["categories"], v["categories"]);
    assert_eq!(v2["image_level"], v["image_level"]);
}

#[test]
fn perfect_predictions_score_one_and_where_filters_images() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let coco = synth_set(d);
    // Absolute paths: pairing by the `/file_name` suffix.
    let prefix = format!("{}/", d.join("set").display());
    let lines: Vec<String> = perfect_lines(&coco, &prefix)
        .into_iter()
        .map(|(_, l)| l)
        .collect();
    std::fs::write(d.join("perfect.jsonl"), lines.join("\n") + "\n").unwrap();
    let out = armscan(
        &[
            "eval",
            "set/annotations.json",
            "--predictions",
            "perfect.jsonl",
            "--out",
            "ev",
        ],
        d,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = eval_json(&d.join("ev"));
    let near_one = |x: &Value| x.as_f64().is_some_and(|x| (x - 1.0).abs() < 1e-6);
    let with_gt: Vec<&Value> = v["classes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["gt_boxes"].as_u64().unwrap() > 0)
        .collect();
    assert!(with_gt.len() >= 3, "the set has several classes");
    for c in with_gt.iter().copied().chain(
        v["categories"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["gt_boxes"].as_u64().unwrap() > 0),
    ) {
        assert!(
            near_one(&c["ap50"]) && near_one(&c["ap50_95"]),
            "{} AP50 {} AP50:95 {}",
            c["name"],
            c["ap50"],
            c["ap50_95"]
        );
    }
    let counts = v["confusion"]["counts"].as_array().unwrap();
    for (i, row) in counts.iter().enumerate() {
        for (j, n) in row.as_array().unwrap().iter().enumerate() {
            if i != j {
                assert_eq!(n.as_u64(), Some(0), "off-diagonal confusion [{i}][{j}]");
            }
        }
    }
    let any = &v["image_level"][0];
    if any["negatives"].as_u64().unwrap() > 0 {
        assert!(near_one(&any["auc"]), "{any}");
        assert!(near_one(&any["pd_at_far"][0]["pd"]));
    }

    // --where keeps three images (ids are numbers; compared as text).
    let out = armscan(
        &[
            "eval",
            "set/annotations.json",
            "--predictions",
            "perfect.jsonl",
            "--where",
            "id=1,2,5",
            "--out",
            "ev3",
        ],
        d,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = eval_json(&d.join("ev3"));
    assert_eq!(v["dataset"]["images"], 3);
    assert_eq!(v["source"]["unused_records"], 5);
    assert_eq!(v["source"]["filter"][0]["key"], "id");
}

#[test]
fn missing_or_failed_images_are_errors_never_negatives() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let coco = synth_set(d);
    let lines = perfect_lines(&coco, "set/");
    let (dropped, _) = lines[3].clone();
    let kept: Vec<String> = lines
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 3)
        .map(|(_, (_, l))| l.clone())
        .collect();
    std::fs::write(d.join("partial.jsonl"), kept.join("\n")).unwrap();
    let out = armscan(
        &[
            "eval",
            "set/annotations.json",
            "--predictions",
            "partial.jsonl",
            "--out",
            "ev",
        ],
        d,
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("no record for image {dropped}")),
        "names the image: {stderr}"
    );
    assert!(
        !d.join("ev/eval.json").exists(),
        "no result from an incomplete evaluation"
    );

    // A record saying the scan failed is not a negative either.
    let mut with_error: Vec<String> = lines.iter().map(|(_, l)| l.clone()).collect();
    with_error[5] = record(
        &format!("set/{}", lines[5].0),
        vec![],
        "error",
        Some("decode failed: truncated"),
    );
    std::fs::write(d.join("failed.jsonl"), with_error.join("\n")).unwrap();
    let out = armscan(
        &[
            "eval",
            "set/annotations.json",
            "--predictions",
            "failed.jsonl",
        ],
        d,
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&lines[5].0) && stderr.contains("truncated"),
        "{stderr}"
    );

    // Not JSONL, and an unknown --where key.
    std::fs::write(d.join("bad.jsonl"), "not json\n").unwrap();
    let out = armscan(
        &["eval", "set/annotations.json", "--predictions", "bad.jsonl"],
        d,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 1"));
    let out = armscan(
        &[
            "eval",
            "set/annotations.json",
            "--predictions",
            "failed.jsonl",
            "--where",
            "series=B0079",
        ],
        d,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--where"));
}

#[test]
fn the_cross_scanner_suite_evaluates_each_resampled_copy_on_the_original_pixels() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    // one white 400 x 300 scan with a dark block, boxed as a firearm, stored at 0.2 mm
    let block = [100u32, 80, 260, 200];
    let img = image::GrayImage::from_fn(400, 300, |x, y| {
        let inside = x >= block[0] && x < block[2] && y >= block[1] && y < block[3];
        image::Luma([if inside { 0 } else { 255 }])
    });
    img.save(d.join("bag.png")).unwrap();
    let coco = json!({
        "images": [{"id": 1, "file_name": "bag.png", "width": 400, "height": 300}],
        "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "iscrowd": 0,
            "bbox": [100, 80, 160, 120], "area": 19200}],
        "categories": [{"id": 1, "name": "firearm"}]
    });
    std::fs::write(d.join("set.json"), coco.to_string()).unwrap();
    let m = fixture_model();
    let run = |extra: &[&str]| {
        let mut args = vec![
            "eval",
            "set.json",
            "--model",
            m.to_str().unwrap(),
            "--backend",
            "tract",
            "--threads",
            "2",
        ];
        args.extend_from_slice(extra);
        armscan(&args, d)
    };
    let out = run(&[
        "--native-mm",
        "0.2",
        "--resample-mm",
        "0.2,0.4",
        "--out",
        "suite",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("spacing withheld"), "{stdout}");
    for (mm, factor) in [("0.2", "1.000"), ("0.4", "0.500")] {
        let row = stdout
            .lines()
            .find(|l| l.split_whitespace().next() == Some(mm))
            .unwrap_or_else(|| panic!("no row for {mm}: {stdout}"));
        let cells: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(cells[1], factor, "{row}");
        assert_eq!(
            cells[2], "1.000",
            "the block is found on the original pixels: {row}"
        );
        let ev = eval_json(&d.join(format!("suite/at-{mm}mm")));
        assert_eq!(ev["dataset"]["images"], 1, "{ev}");
        // the record's boxes are in the original scan's pixels
        let line =
            std::fs::read_to_string(d.join(format!("suite/at-{mm}mm/predictions.jsonl"))).unwrap();
        let r: Value = serde_json::from_str(line.trim()).unwrap();
        assert_eq!(
            (r["width"].clone(), r["height"].clone()),
            (json!(400), json!(300))
        );
        let b: Vec<f64> = r["detections"][0]["box"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        assert!(
            iou(&b, &[100.0, 80.0, 260.0, 200.0]) > 0.9,
            "{b:?} at {mm} mm"
        );
        assert_eq!(
            r["spacing_source"], "estimate",
            "the spacing was withheld, so the detector estimated it: {r}"
        );
    }
    // the flags are checked
    let out = run(&["--resample-mm", "0.4"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--native-mm"));
    let out = run(&["--native-mm", "0.2", "--resample-mm", "0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("positive"));
}
