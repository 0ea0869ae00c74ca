//! CLI behaviour on the fast fixture model: exit codes, bad input, reports, help.

use crate::common::*;
use image::{GrayImage, Luma};

fn write_block_png(path: &std::path::Path, block: bool) {
    let img = GrayImage::from_fn(64, 64, |x, y| {
        if block && (10..30).contains(&x) && (20..50).contains(&y) {
            Luma([0])
        } else {
            Luma([255])
        }
    });
    img.save(path).unwrap();
}

#[test]
fn all_clear_exits_0_and_alarm_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    write_block_png(&dir.path().join("a_empty.png"), false);
    let model = fixture_model();
    let m = model.to_str().unwrap();
    let out = armscan(
        &[
            "scan",
            "a_empty.png",
            "--model",
            m,
            "--backend",
            "tract",
            "--jsonl",
        ],
        dir.path(),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let recs = records(&out);
    assert_eq!(recs.len(), 1);
    assert_eq!(check_contract(&recs[0]), "clear");
    assert_eq!(recs[0]["scan"], "a_empty.png", "scan is the path as given");

    write_block_png(&dir.path().join("b_gun.png"), true);
    let out = armscan(
        &["scan", ".", "--model", m, "--backend", "tract", "--jsonl"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    let recs = records(&out);
    let statuses: Vec<String> = recs.iter().map(check_contract).collect();
    assert_eq!(statuses, ["clear", "alarm"], "folder walked in name order");
    assert_eq!(boxes(&recs[1])[0].2, vec![10.0, 20.0, 30.0, 50.0]);
}

#[test]
fn alarm_score_flag_changes_the_verdict() {
    let dir = tempfile::tempdir().unwrap();
    write_block_png(&dir.path().join("gun.png"), true);
    let m = fixture_model();
    let out = armscan(
        &[
            "scan",
            "gun.png",
            "--model",
            m.to_str().unwrap(),
            "--backend",
            "tract",
            "--jsonl",
            "--alarm-score",
            "0.95",
        ],
        dir.path(),
    );
    // The fixture scores 0.9: below the alarm score, above the review score.
    assert_eq!(check_contract(&records(&out)[0]), "review");
    assert_eq!(out.status.code(), Some(1));
    let out = armscan(
        &[
            "scan",
            "gun.png",
            "--model",
            m.to_str().unwrap(),
            "--backend",
            "tract",
            "--jsonl",
            "--min-score",
            "0.95",
            "--alarm-score",
            "0.99",
            "--review-score",
            "0.98",
        ],
        dir.path(),
    );
    let r = &records(&out)[0];
    assert_eq!(check_contract(r), "clear");
    assert!(
        r["detections"].as_array().unwrap().is_empty(),
        "min-score hides the 0.9 detection"
    );
}

#[test]
fn bad_files_give_error_records_and_the_batch_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("01_empty.png"), b"").unwrap();
    let good = std::fs::read(repo().join("datasets/samples/B0074_0001.jpg")).unwrap();
    std::fs::write(d.join("02_truncated.jpg"), &good[..good.len() / 3]).unwrap();
    std::fs::write(d.join("03_text.jpg"), b"this is not an image, just text\n").unwrap();
    std::fs::write(d.join("04_bomb.png"), png_declaring(100_000, 100_000)).unwrap();
    let mut flipped = good.clone();
    for i in (200..flipped.len()).step_by(97) {
        flipped[i] ^= 0xFF;
    }
    std::fs::write(d.join("05_bitflipped.jpg"), &flipped).unwrap();
    write_block_png(&d.join("06_good.png"), true);
    std::fs::write(d.join("07_garbage.bmp"), b"BM\x00\x00garbage").unwrap();
    std::fs::write(d.join("notes.txt"), b"not picked up when walking").unwrap();
    let m = fixture_model();
    let out = armscan(
        &[
            "scan",
            ".",
            "missing_file.png",
            "--model",
            m.to_str().unwrap(),
            "--backend",
            "tract",
            "--jsonl",
        ],
        d,
    );
    assert_eq!(out.status.code(), Some(2), "any failed scan exits 2");
    let recs = records(&out);
    let by_name = |n: &str| {
        recs.iter()
            .find(|r| r["scan"].as_str().unwrap().ends_with(n))
            .unwrap_or_else(|| panic!("no record for {n}"))
    };
    assert_eq!(
        recs.len(),
        8,
        "one record per image file plus the missing path"
    );
    for (name, fault) in [
        ("01_empty.png", "empty"),
        ("02_truncated.jpg", ""),
        ("03_text.jpg", "not a recognised image format"),
        ("04_bomb.png", "limit"),
        ("07_garbage.bmp", ""),
        ("missing_file.png", "No such file"),
    ] {
        let r = by_name(name);
        assert_eq!(check_contract(r), "error", "{name}: {r}");
        let e = r["error"].as_str().unwrap();
        assert!(e.contains(name), "error names the file: {e}");
        assert!(e.contains(fault), "{name}: `{e}` should mention `{fault}`");
    }
    // A bit-flipped JPEG may still decode (JPEG is forgiving); either way it is never silently
    // clear without pixels.
    let flipped_status = check_contract(by_name("05_bitflipped.jpg"));
    assert!(["error", "clear", "alarm", "review"].contains(&flipped_status.as_str()));
    assert_eq!(
        check_contract(by_name("06_good.png")),
        "alarm",
        "the batch went on after the bad files"
    );
}

#[test]
fn out_dir_gets_report_csv_html_and_overlays() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_block_png(&d.join("clear.png"), false);
    write_block_png(&d.join("gun.png"), true);
    std::fs::write(d.join("broken.png"), b"\x89PNG\r\n\x1a\nbroken").unwrap();
    let m = fixture_model();
    let out = armscan(
        &[
            "scan",
            "clear.png",
            "gun.png",
            "broken.png",
            "--model",
            m.to_str().unwrap(),
            "--backend",
            "tract",
            "--out",
            "rep",
        ],
        d,
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("ALARM") && text.contains("CLEAR") && text.contains("ERROR"),
        "{text}"
    );
    let rep = d.join("rep");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(rep.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["schema"], "armscan.report/1");
    let csv = std::fs::read_to_string(rep.join("summary.csv")).unwrap();
    assert_eq!(csv.lines().count(), 4, "{csv}");
    let html = std::fs::read_to_string(rep.join("index.html")).unwrap();
    assert!(html.contains("gun.png") && html.contains("broken.png"));
    let overlays: Vec<_> = std::fs::read_dir(rep.join("overlays")).unwrap().collect();
    assert_eq!(overlays.len(), 1, "one overlay, for the flagged scan");
}

#[test]
fn help_reads_well_and_bad_flags_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = armscan(&["scan", "--help"], dir.path());
    let help = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "--jsonl",
        "--out",
        "--backend",
        "--ort-lib",
        "--min-score",
        "--alarm-score",
        "--threads",
        "Exit status",
    ] {
        assert!(help.contains(needle), "help lacks {needle}:\n{help}");
    }
    let out = armscan(&["scan", "x.png", "--min-score", "1.5"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("between 0 and 1"));
    let out = armscan(
        &["scan", "x.png", "--model", "nowhere.manifest.json"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nowhere.manifest.json"));
    let out = armscan(
        &[
            "scan",
            "x.png",
            "--backend",
            "onnxruntime",
            "--ort-lib",
            "/nonexistent/libonnxruntime.so",
            "--model",
            fixture_model().to_str().unwrap(),
        ],
        dir.path(),
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "a missing library is an error, not a panic"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("/nonexistent/libonnxruntime.so") && !err.contains("panicked"),
        "{err}"
    );
    // A file that is not a shared library at all.
    let fake = dir.path().join("libonnxruntime.so.1.31.1");
    std::fs::write(&fake, b"not an ELF file").unwrap();
    let out = armscan(
        &[
            "scan",
            "x.png",
            "--backend",
            "auto",
            "--ort-lib",
            fake.to_str().unwrap(),
            "--model",
            fixture_model().to_str().unwrap(),
        ],
        dir.path(),
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "a broken library named explicitly is an error, even with auto"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot load") && !err.contains("panicked"),
        "{err}"
    );
}

#[test]
fn synth_labels_magazines_as_accessories_and_silencers_as_parts() {
    let dir = tempfile::tempdir().unwrap();
    let o = armscan(
        &[
            "synth",
            "--n",
            "10",
            "--seed",
            "2",
            "--out",
            "p",
            "--width",
            "320",
            "--height",
            "256",
            "--pixel-spacing-mm",
            "2.5",
            "--clean-fraction",
            "0",
            "--mix",
            "part=1",
            "--silencer-fraction",
            "0.5",
            "--planes",
            "grey",
        ],
        dir.path(),
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let coco: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("p/annotations.json")).unwrap(),
    )
    .unwrap();
    let sup: std::collections::HashMap<u64, (String, String)> = coco["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_u64().unwrap(),
                (
                    c["name"].as_str().unwrap().to_owned(),
                    c["supercategory"].as_str().unwrap().to_owned(),
                ),
            )
        })
        .collect();
    let of = |name: &str| sup.values().find(|(n, _)| n == name).unwrap().1.clone();
    assert_eq!(of("magazine"), "accessory");
    assert_eq!(of("trigger_group"), "accessory");
    assert_eq!(of("silencer"), "part");
    assert_eq!(of("slide"), "part");
    let anns = coco["annotations"].as_array().unwrap();
    assert!(!anns.is_empty());
    assert!(
        anns.iter()
            .any(|a| sup[&a["category_id"].as_u64().unwrap()].0 == "silencer"),
        "--silencer-fraction 0.5 draws silencers"
    );
    for a in anns {
        let (name, s) = &sup[&a["category_id"].as_u64().unwrap()];
        let want = if ["magazine", "trigger_group"].contains(&name.as_str()) {
            "accessory"
        } else {
            "part"
        };
        assert_eq!(s, want, "{a}");
    }
    // --mix takes the Protocol categories; accessories come with the part share
    let o = armscan(
        &["synth", "--n", "1", "--out", "q", "--mix", "accessory=1"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("part share"));
}

#[test]
fn synth_writes_a_deterministic_labelled_dataset() {
    let dir = tempfile::tempdir().unwrap();
    for out in ["a", "b"] {
        let o = armscan(
            &[
                "synth",
                "--n",
                "3",
                "--seed",
                "5",
                "--out",
                out,
                "--width",
                "320",
                "--height",
                "256",
                "--clean-fraction",
                "0",
            ],
            dir.path(),
        );
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let coco: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("a/annotations.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(coco["images"].as_array().unwrap().len(), 3);
    assert!(
        !coco["annotations"].as_array().unwrap().is_empty(),
        "threats in every scene when clean fraction is 0"
    );
    for c in coco["categories"].as_array().unwrap() {
        assert!(["firearm", "part", "ammunition", "accessory"]
            .contains(&c["supercategory"].as_str().unwrap()));
    }
    assert_eq!(
        std::fs::read(dir.path().join("a/annotations.json")).unwrap(),
        std::fs::read(dir.path().join("b/annotations.json")).unwrap(),
        "same seed, same bytes"
    );
    let o = armscan(
        &["synth", "--n", "1", "--out", "c", "--width", "10"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2), "bad options are an error");
}

#[test]
fn synth_takes_tip_sources_mix_and_planes_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    // a real-style threat scan: a dark bar on an empty belt, with a COCO file naming it
    let mut gun = image::GrayImage::from_pixel(200, 120, image::Luma([235]));
    for y in 40..80 {
        for x in 30..170 {
            gun.put_pixel(x, y, image::Luma([25]));
        }
    }
    gun.save(dir.path().join("gun.png")).unwrap();
    let coco = r#"{"images": [{"id": 1, "file_name": "gun.png", "series": "T1"}],
        "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [30, 40, 140, 40]}],
        "categories": [{"id": 1, "name": "firearm", "supercategory": "threat"}]}"#;
    std::fs::write(dir.path().join("real.json"), coco).unwrap();
    let args = [
        "synth",
        "--n",
        "4",
        "--seed",
        "2",
        "--out",
        "t",
        "--width",
        "320",
        "--height",
        "256",
        "--clean-fraction",
        "0",
        "--mix",
        "firearm=1",
        "--tip-threats",
        "real.json",
        "--tip-threats-where",
        "series=T1",
        "--tip-spacing-mm",
        "0.5",
        "--real-threat-fraction",
        "1",
        "--planes",
        "grey",
    ];
    let o = armscan(&args, dir.path());
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("1 real threat crops"));
    let out: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("t/annotations.json")).unwrap(),
    )
    .unwrap();
    let anns = out["annotations"].as_array().unwrap();
    assert!(!anns.is_empty());
    assert!(
        anns.iter()
            .all(|a| a["variant"].as_str().unwrap().starts_with("real:gun.png")),
        "{anns:?}"
    );
    assert!(dir.path().join("t/images/000000_grey.png").exists());
    assert!(!dir.path().join("t/images/000000_high.png").exists());
    // bad values are errors that name the option, before anything is written
    for (flag, value) in [
        ("--mix", "knife=1"),
        ("--planes", "infrared"),
        ("--tip-threats-where", "series"),
        ("--exclude-variants", "no_such_gun"),
    ] {
        let mut bad: Vec<&str> = vec![
            "synth",
            "--n",
            "1",
            "--out",
            "bad",
            "--tip-threats",
            "real.json",
            flag,
            value,
        ];
        if flag == "--tip-threats-where" {
            bad.truncate(5);
            bad.extend(["--tip-threats", "real.json", flag, value]);
        }
        let o = armscan(&bad, dir.path());
        assert_eq!(o.status.code(), Some(2), "{flag} {value}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!err.contains("panicked") && !err.is_empty(), "{err}");
    }
    let o = armscan(
        &[
            "synth",
            "--n",
            "1",
            "--out",
            "m",
            "--tip-threats",
            "missing.json",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("missing.json"));
}

#[test]
fn synth_draws_part_families_only_with_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let family_names: Vec<&str> = armscan_synth::threats::PART_FAMILIES
        .iter()
        .map(|(v, _)| *v)
        .collect();
    let families = family_names.as_slice();
    let variants = |out: &str, extra: &[&str]| -> Vec<String> {
        let mut args = vec![
            "synth",
            "--n",
            "6",
            "--seed",
            "4",
            "--out",
            out,
            "--width",
            "480",
            "--height",
            "384",
            "--clean-fraction",
            "0",
            "--max-threats",
            "4",
            "--mix",
            "part=1",
            "--planes",
            "grey",
        ];
        args.extend_from_slice(extra);
        let o = armscan(&args, dir.path());
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let coco: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.path().join(out).join("annotations.json")).unwrap(),
        )
        .unwrap();
        coco["annotations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["variant"].as_str().unwrap().to_owned())
            .collect()
    };
    let plain = variants("plain", &[]);
    assert!(!plain.is_empty());
    assert!(
        plain.iter().all(|v| !families.contains(&v.as_str())),
        "{plain:?}"
    );
    // every fixed part shape (and accessory, drawn in the part share) excluded: only the
    // families are left to draw
    let fixed: Vec<&str> = armscan_synth::threats::VARIANTS
        .iter()
        .filter(|(_, fine)| {
            use armscan_core::taxonomy::Category;
            matches!(
                armscan_core::taxonomy::known_category(fine),
                Some(Category::Part | Category::Accessory)
            )
        })
        .map(|(v, _)| *v)
        .collect();
    assert!(fixed.len() >= 10, "{fixed:?}");
    let fixed = fixed.join(",");
    let fam = variants("fam", &["--part-families", "--exclude-variants", &fixed]);
    assert!(!fam.is_empty());
    assert!(
        fam.iter().all(|v| families.contains(&v.as_str())),
        "{fam:?}"
    );
    let plain_info = std::fs::read_to_string(dir.path().join("plain/annotations.json")).unwrap();
    assert!(
        !plain_info.contains("part_families"),
        "the option is not written when off"
    );
}

#[test]
fn tuning_flags_change_speed_not_results() {
    // a long scan that the fixture model cuts into several frames, with blocks in different frames
    let dir = tempfile::tempdir().unwrap();
    let img = GrayImage::from_fn(64, 400, |x, y| {
        let block = (10..30).contains(&x)
            && ((20..50).contains(&y) || (150..175).contains(&y) || (330..360).contains(&y));
        if block {
            Luma([0])
        } else {
            Luma([255])
        }
    });
    img.save(dir.path().join("long.png")).unwrap();
    let model = fixture_model();
    let m = model.to_str().unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec![
            "scan",
            "long.png",
            "--model",
            m,
            "--backend",
            "tract",
            "--jsonl",
        ];
        args.extend_from_slice(extra);
        let out = armscan(&args, dir.path());
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        boxes(&records(&out)[0])
    };
    let reference = run(&[]);
    assert_eq!(reference.len(), 3, "{reference:?}");
    for extra in [
        &["--batch-frames", "4"][..],
        &["--sessions", "1", "--intra-threads", "2"],
        &["--threads", "1", "--batch-frames", "7"],
    ] {
        assert_eq!(run(extra), reference, "{extra:?}");
    }
    for bad in ["--batch-frames", "--intra-threads", "--sessions"] {
        let out = armscan(
            &[
                "scan",
                "long.png",
                "--model",
                m,
                "--backend",
                "tract",
                bad,
                "0",
            ],
            dir.path(),
        );
        assert_eq!(out.status.code(), Some(2), "{bad} 0");
        assert!(String::from_utf8_lossy(&out.stderr).contains("at least 1"));
    }
}

#[test]
fn text_output_names_the_category_only_where_the_class_does_not() {
    let dir = tempfile::tempdir().unwrap();
    write_block_png(&dir.path().join("gun.png"), true);
    let model = fixture_model();
    let out = armscan(
        &[
            "scan",
            "gun.png",
            "--model",
            model.to_str().unwrap(),
            "--backend",
            "tract",
        ],
        dir.path(),
    );
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        text.contains("gun.png  handgun (firearm) 0.90 [10,20,30,50]"),
        "{text}"
    );
    // A model whose class is its category: the name once.
    let manifest = std::fs::read_to_string(&model)
        .unwrap()
        .replace("\"name\": \"handgun\"", "\"name\": \"firearm\"");
    assert!(
        manifest.contains("\"name\": \"firearm\""),
        "fixture class renamed"
    );
    std::fs::write(dir.path().join("dark_blob.manifest.json"), manifest).unwrap();
    std::fs::copy(
        model.with_file_name("dark_blob.onnx"),
        dir.path().join("dark_blob.onnx"),
    )
    .unwrap();
    let out = armscan(
        &[
            "scan",
            "gun.png",
            "--model",
            "dark_blob.manifest.json",
            "--backend",
            "tract",
        ],
        dir.path(),
    );
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        text.contains("gun.png  firearm 0.90 [10,20,30,50]"),
        "{text}"
    );
}

#[test]
fn unknown_spacing_is_estimated_by_default_and_each_way_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    write_block_png(&dir.path().join("gun.png"), true);
    let model = fixture_model();
    let m = model.to_str().unwrap();
    let scan = |extra: &[&str]| {
        let mut args = vec![
            "scan",
            "gun.png",
            "--model",
            m,
            "--backend",
            "tract",
            "--jsonl",
        ];
        args.extend_from_slice(extra);
        armscan(&args, dir.path())
    };
    // the 20 x 30 px block taken as a 300 mm parcel: 10 mm/px, clamped to the coarsest, 2.5
    let out = scan(&[]);
    let r = &records(&out)[0];
    assert_eq!(r["spacing_source"], "estimate", "{r}");
    assert_eq!(r["pixel_spacing_mm"], 2.5, "{r}");
    // a parcel of 60 mm: 60 / 30 px = 2 mm/px
    let out = scan(&["--content-long-side-mm", "60"]);
    let r = &records(&out)[0];
    assert_eq!(r["spacing_source"], "estimate", "{r}");
    let mm = r["pixel_spacing_mm"].as_f64().unwrap();
    assert!((mm - 2.0).abs() < 0.15, "{r}");
    // the fixture model assumes no spacing: `assume` screens by the input fit and says none
    let out = scan(&["--unknown-spacing", "assume"]);
    let r = &records(&out)[0];
    assert_eq!(r["spacing_source"], serde_json::Value::Null, "{r}");
    let out = scan(&["--unknown-spacing", "search"]);
    assert_eq!(records(&out)[0]["spacing_source"], "search");
    // a spacing the caller gives wins over any of them
    let out = scan(&["--pixel-spacing-mm", "0.5"]);
    assert_eq!(records(&out)[0]["spacing_source"], "profile");
    // bad values are named by their flag
    let out = scan(&["--content-long-side-mm=-3"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--content-long-side-mm"));
    let out = scan(&["--unknown-spacing", "guess"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--unknown-spacing"));
}
