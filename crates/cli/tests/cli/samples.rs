//! The main job on the shipped samples with the shipped model: one valid record per sample,
//! firearm samples flagged, a golden file of the results, and the two backends in agreement.
//!
//! Regenerate the golden file after a deliberate model change with
//! `ARMSCAN_REGENERATE_GOLDEN=1 cargo test -p armscan-cli --test cli`.

use std::collections::BTreeMap;

use crate::common::*;

fn scan_samples(backend: &str, extra: &[&str]) -> (Vec<serde_json::Value>, Option<i32>, String) {
    let model = real_model();
    let mut args = vec![
        "scan",
        "datasets/samples",
        "--jsonl",
        "--backend",
        backend,
        "--model",
        model.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let out = armscan(&args, &repo());
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (records(&out), out.status.code(), stderr)
}

fn expected() -> BTreeMap<String, String> {
    serde_json::from_str(
        &std::fs::read_to_string(repo().join("datasets/samples/expected.json")).unwrap(),
    )
    .unwrap()
}

fn file_name(r: &serde_json::Value) -> String {
    r["scan"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned()
}

#[test]
fn samples_give_one_valid_record_each_and_firearms_are_flagged() {
    let (recs, code, stderr) = scan_samples("tract", &[]);
    let expected = expected();
    assert_eq!(
        recs.len(),
        expected.len(),
        "one record per sample\n{stderr}"
    );
    for r in &recs {
        let status = check_contract(r);
        let name = file_name(r);
        let want = expected
            .get(&name)
            .unwrap_or_else(|| panic!("{name} not in expected.json"));
        match want.as_str() {
            "firearm" => {
                assert_eq!(status, "alarm", "{name} holds a firearm: {r}");
                // a firearm box of the firearm category scores at the alarm level
                assert!(
                    boxes(r).iter().any(|(c, s, _)| c == "firearm" && *s >= 0.5),
                    "{name}: {r}"
                );
                assert_eq!(
                    r["detections"][0]["category"], "firearm",
                    "{name}: the top detection is a firearm"
                );
            }
            _ => assert_ne!(status, "alarm", "{name} holds no firearm: {r}"),
        }
    }
    assert_eq!(code, Some(1), "a sample alarms, so the exit code is 1");
    // The pair and the 16-bit file were read as such.
    assert!(recs.iter().any(|r| r["scan"]
        .as_str()
        .unwrap()
        .ends_with("B0079_0017_{high,low}.png")));
}

#[test]
fn single_view_is_named_in_records_and_differs_from_the_two_views() {
    let (two, _, stderr) = scan_samples("tract", &[]);
    let (one, code, stderr_one) = scan_samples("tract", &["--single-view"]);
    assert_eq!(one.len(), two.len(), "{stderr}\n{stderr_one}");
    assert_eq!(
        code,
        Some(1),
        "a firearm sample still alarms with one view\n{stderr_one}"
    );
    let id = two[0]["model"].as_str().unwrap().to_owned();
    assert!(!id.contains("+single-view"), "{id}");
    for r in &one {
        check_contract(r);
        assert_eq!(
            r["model"].as_str().unwrap(),
            format!("{id}+single-view"),
            "{r}"
        );
    }
    // the default model fuses two views: its scores are not the one view's
    let scores = |recs: &[serde_json::Value]| -> Vec<(String, Vec<f64>)> {
        let mut v: Vec<(String, Vec<f64>)> = recs
            .iter()
            .map(|r| (file_name(r), boxes(r).iter().map(|(_, s, _)| *s).collect()))
            .collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    };
    assert_ne!(scores(&one), scores(&two), "--single-view changed nothing");
}

#[test]
fn samples_match_the_golden_file() {
    let (recs, _, stderr) = scan_samples("tract", &[]);
    let golden_path = repo().join("crates/cli/tests/golden/samples_tract.jsonl");
    let strip = |r: &serde_json::Value| {
        let mut r = r.clone();
        r.as_object_mut().unwrap().remove("elapsed_ms");
        r
    };
    if std::env::var_os("ARMSCAN_REGENERATE_GOLDEN").is_some() {
        let text: String = recs.iter().map(|r| format!("{}\n", strip(r))).collect();
        std::fs::create_dir_all(golden_path.parent().unwrap()).unwrap();
        std::fs::write(&golden_path, text).unwrap();
        return;
    }
    let golden: Vec<serde_json::Value> = std::fs::read_to_string(&golden_path)
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e}; regenerate with ARMSCAN_REGENERATE_GOLDEN=1",
                golden_path.display()
            )
        })
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(recs.len(), golden.len(), "{stderr}");
    for (got, want) in recs.iter().zip(&golden) {
        assert_eq!(got["scan"], want["scan"]);
        assert_eq!(got["status"], want["status"], "{}", got["scan"]);
        for field in ["pixel_spacing_mm", "spacing_source"] {
            assert_eq!(got[field], want[field], "{field} of {}", got["scan"]);
        }
        assert_eq!(
            (got["width"].clone(), got["height"].clone()),
            (want["width"].clone(), want["height"].clone())
        );
        assert_same_detections(
            &boxes(got),
            &boxes(want),
            0.99,
            0.005,
            &got["scan"].to_string(),
        );
    }
}

/// Every detection scoring 0.2 or more on one side has a partner on the other side of the same
/// class with IoU >= `min_iou` and score within `score_tol`.
fn assert_same_detections(
    a: &[(String, f64, Vec<f64>)],
    b: &[(String, f64, Vec<f64>)],
    min_iou: f64,
    score_tol: f64,
    what: &str,
) {
    for (x, y, side) in [(a, b, "first"), (b, a, "second")] {
        for (class, score, bx) in x.iter().filter(|d| d.1 >= 0.2) {
            let partner = y.iter().any(|(c2, s2, b2)| {
                c2 == class && iou(bx, b2) >= min_iou && (score - s2).abs() <= score_tol
            });
            assert!(
                partner,
                "{what}: detection {class} {score:.4} {bx:?} of the {side} run \
                 has no partner in {y:?}"
            );
        }
    }
}

#[test]
fn tract_and_onnxruntime_agree() {
    let (tract, _, _) = scan_samples("tract", &[]);
    let (ort, code, stderr) = scan_samples("onnxruntime", &[]);
    if code == Some(2) && stderr.contains("ONNX Runtime library not found") {
        // CI installs the wheel (see .ci/run); a developer machine may not have it.
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have ONNX Runtime: {stderr}"
        );
        eprintln!("skipping backend agreement: {stderr}");
        return;
    }
    assert_eq!(ort.len(), tract.len(), "{stderr}");
    for (o, t) in ort.iter().zip(&tract) {
        assert_eq!(o["backend"], "onnxruntime");
        assert_eq!(t["backend"], "tract");
        assert_eq!(o["scan"], t["scan"]);
        assert_eq!(o["status"], t["status"], "{}", o["scan"]);
        assert_same_detections(&boxes(o), &boxes(t), 0.95, 0.02, &o["scan"].to_string());
    }
}

#[test]
fn a_scanner_profile_sets_the_spacing_and_bad_ones_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let profile = tmp.path().join("belt.json");
    std::fs::write(
        &profile,
        r#"{"schema": "armscan.scanner/1", "name": "belt", "pixel_spacing_mm": 0.32}"#,
    )
    .unwrap();
    let (recs, _, stderr) = scan_samples(
        "tract",
        &["--scanner", profile.to_str().unwrap(), "--single-view"],
    );
    assert_eq!(recs.len(), 7, "{stderr}");
    for r in &recs {
        check_contract(r);
        assert_eq!(r["spacing_source"], "profile", "{r}");
        assert!(
            (r["pixel_spacing_mm"].as_f64().unwrap() - 0.32).abs() < 1e-6,
            "{r}"
        );
    }
    // --pixel-spacing-mm overrides the profile's spacing
    let (recs, _, _) = scan_samples(
        "tract",
        &[
            "--scanner",
            profile.to_str().unwrap(),
            "--pixel-spacing-mm",
            "0.16",
            "--single-view",
        ],
    );
    assert!(recs
        .iter()
        .all(|r| (r["pixel_spacing_mm"].as_f64().unwrap() - 0.16).abs() < 1e-6));

    std::fs::write(
        &profile,
        r#"{"schema": "armscan.scanner/1", "pixel_spacing": 0.32}"#,
    )
    .unwrap();
    let out = armscan(
        &[
            "scan",
            "datasets/samples",
            "--scanner",
            profile.to_str().unwrap(),
        ],
        &repo(),
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("belt.json") && stderr.contains("unknown field `pixel_spacing`"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty(), "nothing screened with a bad profile");
}
