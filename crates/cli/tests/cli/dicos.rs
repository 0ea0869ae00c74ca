//! DICOS in and out, against an independent implementation: the Stratovan DICOS toolkit (the
//! `pydicos` package) and pydicom, driven by `cli/dicos_toolkit.py`.
//!
//! - In: the toolkit writes DX files (JPEG lossless) of the shipped samples' pixels; armscan
//!   reads the same pixels as the toolkit does, with the UIDs and the spacing the files state,
//!   and screens each to the record of the same pixels given as a 16-bit PNG (the dual-energy
//!   pair too, its energies checked against its names).
//! - Out: `armscan scan --tdr DIR` writes one threat detection report per scan, DICOS or not,
//!   failed or not; the toolkit reads every one, and each says what the record says: the alarm
//!   decision, one threat object per detection with its box, category, score and assessment,
//!   and the image(s) it references.
//!
//! Needs pydicos and pydicom in `./.venv` (`.ci/run` installs `requirements-test.txt`): skipped
//! with a message outside CI when missing, a failure under CI.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use armscan::core::Planes;
use armscan::ingest::{load_scan, IngestOptions};
use serde_json::Value;

use crate::common::*;

/// The spacing given to one DX file (Imager Pixel Spacing) and to its PNG twin (pHYs).
const SPACING_MM: f32 = 0.16;

fn python() -> PathBuf {
    repo().join(".venv/bin/python")
}

/// `None` when the toolkit can run; else why not.
fn toolkit_missing() -> Option<String> {
    let ok = Command::new(python())
        .args(["-c", "import pydicos, pydicom"])
        .output()
        .is_ok_and(|o| o.status.success());
    (!ok)
        .then(|| "pydicos/pydicom are not in ./.venv (pip install -r requirements-test.txt)".into())
}

fn skip_without_toolkit() -> bool {
    let Some(why) = toolkit_missing() else {
        return false;
    };
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must have the DICOS toolkit: {why}"
    );
    eprintln!("skipping the DICOS tests: {why}");
    true
}

fn toolkit(args: &[&OsStr]) -> String {
    let out = Command::new(python())
        .arg(repo().join("crates/cli/tests/cli/dicos_toolkit.py"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "dicos_toolkit.py {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A sample's grey samples at 16 bits (8-bit samples scaled by 257), width, height.
fn grey16(sample: &str) -> (u32, u32, Vec<u16>) {
    let scan = load_scan(
        &repo().join("datasets/samples").join(sample),
        &IngestOptions::default(),
    )
    .unwrap();
    let Planes::Grey(plane) = scan.planes else {
        panic!("{sample} is not one grey plane")
    };
    let scale = if plane.bit_depth() <= 8 { 257 } else { 1 };
    let samples = plane.samples().iter().map(|v| v * scale).collect();
    (plane.width(), plane.height(), samples)
}

fn write_raw(path: &Path, samples: &[u16]) {
    let bytes: Vec<u8> = samples.iter().flat_map(|v| v.to_le_bytes()).collect();
    std::fs::write(path, bytes).unwrap();
}

/// A 16-bit grey PNG, with pHYs when a spacing is given.
fn write_png16(path: &Path, (w, h, samples): &(u32, u32, Vec<u16>), spacing_mm: Option<f32>) {
    let img = image::ImageBuffer::<image::Luma<u16>, Vec<u16>>::from_raw(*w, *h, samples.clone())
        .unwrap();
    if spacing_mm.is_none() {
        img.save(path).unwrap();
        return;
    }
    // image cannot write pHYs: encode with png directly
    let file = std::fs::File::create(path).unwrap();
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), *w, *h);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Sixteen);
    let ppm = (1000.0 / spacing_mm.unwrap()).round() as u32;
    encoder.set_pixel_dims(Some(png::PixelDimensions {
        xppu: ppm,
        yppu: ppm,
        unit: png::Unit::Meter,
    }));
    let mut writer = encoder.write_header().unwrap();
    let bytes: Vec<u8> = img.as_raw().iter().flat_map(|v| v.to_be_bytes()).collect();
    writer.write_image_data(&bytes).unwrap();
    writer.finish().unwrap();
}

/// The toolkit writes `dir/NAME.dcs` from `pixels`; `extra`: `--kvp`, `--energy`, `--spacing`.
fn make_dx(dir: &Path, name: &str, pixels: &(u32, u32, Vec<u16>), extra: &[&str]) -> PathBuf {
    let raw = dir.join(format!("{name}.raw"));
    write_raw(&raw, &pixels.2);
    let out = dir.join(format!("{name}.dcs"));
    let (w, h) = (pixels.0.to_string(), pixels.1.to_string());
    let mut args: Vec<&OsStr> = vec![
        "make-dx".as_ref(),
        raw.as_os_str(),
        w.as_ref(),
        h.as_ref(),
        out.as_os_str(),
    ];
    args.extend(extra.iter().map(OsStr::new));
    toolkit(&args);
    std::fs::remove_file(raw).unwrap();
    out
}

/// The DX's pixels and identity as the toolkit reads them.
fn toolkit_dx(path: &Path) -> (Vec<u16>, Value) {
    let raw = path.with_extension("toolkit.raw");
    let identity: Value = serde_json::from_str(&toolkit(&[
        "read-dx".as_ref(),
        path.as_os_str(),
        raw.as_os_str(),
    ]))
    .unwrap();
    let bytes = std::fs::read(&raw).unwrap();
    std::fs::remove_file(raw).unwrap();
    let pixels = bytes
        .chunks_exact(2)
        .map(|b| u16::from_le_bytes([b[0], b[1]]))
        .collect();
    (pixels, identity)
}

fn scan_jsonl(paths: &[&Path], extra: &[&str], cwd: &Path) -> Vec<Value> {
    let model = real_model();
    let mut args: Vec<&str> = vec![
        "scan",
        "--jsonl",
        "--backend",
        "tract",
        "--threads",
        "2",
        "--model",
        model.to_str().unwrap(),
    ];
    args.extend(extra);
    args.extend(paths.iter().map(|p| p.to_str().unwrap()));
    let out = armscan(&args, cwd);
    let records = records(&out);
    assert_eq!(
        records.len(),
        paths.len(),
        "one record per input: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    records
}

/// A record without what names or times it.
fn content(record: &Value) -> Value {
    let mut r = record.clone();
    let o = r.as_object_mut().unwrap();
    o.remove("scan");
    o.remove("elapsed_ms");
    r
}

/// The shipped samples as toolkit DX files, and the same pixels as 16-bit PNGs (with the same
/// spacing where one is given): (dx, png) per scan; the pair's files (high, low) as DX, and the
/// folders that hold the pair alone (pairs are found by walking a folder).
struct Corpus {
    singles: Vec<(PathBuf, PathBuf)>,
    pair_dx: (PathBuf, PathBuf),
    pair_dx_dir: PathBuf,
    pair_png_dir: PathBuf,
}

fn corpus(dir: &Path) -> Corpus {
    let dx_dir = dir.join("dx");
    let png_dir = dir.join("png");
    std::fs::create_dir_all(&dx_dir).unwrap();
    std::fs::create_dir_all(&png_dir).unwrap();
    let spacing = SPACING_MM.to_string();
    let mut singles = Vec::new();
    for (sample, name, spaced) in [
        ("B0046_0160.jpg", "B0046_0160", true),
        ("B0046_0190.jpg", "B0046_0190", false),
        ("B0079_0025_16bit.png", "B0079_0025", false),
    ] {
        let pixels = grey16(sample);
        let extra: Vec<&str> = if spaced {
            vec!["--spacing", &spacing]
        } else {
            vec![]
        };
        let dx = make_dx(&dx_dir, name, &pixels, &extra);
        let png = png_dir.join(format!("{name}.png"));
        write_png16(&png, &pixels, spaced.then_some(SPACING_MM));
        singles.push((dx, png));
    }
    let pair_dx_dir = dir.join("dx_pair");
    let pair_png_dir = dir.join("png_pair");
    std::fs::create_dir_all(&pair_dx_dir).unwrap();
    std::fs::create_dir_all(&pair_png_dir).unwrap();
    let high = grey16("B0079_0017_high.png");
    let low = grey16("B0079_0017_low.png");
    let pair_dx = (
        make_dx(
            &pair_dx_dir,
            "B0079_0017_high",
            &high,
            &["--kvp", "160", "--energy", "high"],
        ),
        make_dx(
            &pair_dx_dir,
            "B0079_0017_low",
            &low,
            &["--kvp", "80", "--energy", "low"],
        ),
    );
    for energy in ["high", "low"] {
        let name = format!("B0079_0017_{energy}.png");
        std::fs::copy(
            repo().join("datasets/samples").join(&name),
            pair_png_dir.join(&name),
        )
        .unwrap();
    }
    Corpus {
        singles,
        pair_dx,
        pair_dx_dir,
        pair_png_dir,
    }
}

#[test]
fn toolkit_dx_files_are_read_and_screened_as_their_pixels() {
    if skip_without_toolkit() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let c = corpus(dir.path());

    // The same pixels and identity as the toolkit reads, and the spacing the file states.
    for (i, (dx, _)) in c.singles.iter().enumerate() {
        let (pixels, identity) = toolkit_dx(dx);
        let scan = load_scan(dx, &IngestOptions::default()).unwrap();
        let Planes::Grey(plane) = &scan.planes else {
            panic!("{} is not one grey plane", dx.display())
        };
        assert_eq!(plane.samples(), pixels.as_slice(), "{}", dx.display());
        assert_eq!(plane.bit_depth(), 16);
        assert_eq!(
            (plane.height(), plane.width()),
            (
                identity["rows"].as_u64().unwrap() as u32,
                identity["columns"].as_u64().unwrap() as u32
            )
        );
        assert_eq!(scan.dicos.len(), 1);
        let r = &scan.dicos[0];
        assert_eq!(
            r.sop_instance_uid,
            identity["sop_instance_uid"].as_str().unwrap()
        );
        assert_eq!(r.sop_class_uid, identity["sop_class_uid"].as_str().unwrap());
        assert_eq!(
            r.study_instance_uid.as_deref(),
            identity["study_instance_uid"].as_str()
        );
        let spacing = scan.pixel_spacing_mm();
        if i == 0 {
            assert_eq!(spacing, Some(SPACING_MM));
        } else {
            assert_eq!(spacing, None);
        }
    }

    // Screened to the record of the same pixels as PNG (the pair as the shipped pair).
    let mut dx_paths: Vec<&Path> = c.singles.iter().map(|(d, _)| d.as_path()).collect();
    let mut png_paths: Vec<&Path> = c.singles.iter().map(|(_, p)| p.as_path()).collect();
    dx_paths.push(&c.pair_dx_dir);
    png_paths.push(&c.pair_png_dir);
    let dx_records = scan_jsonl(&dx_paths, &[], dir.path());
    let png_records = scan_jsonl(&png_paths, &[], dir.path());
    let mut statuses = Vec::new();
    for (dx, png) in dx_records.iter().zip(&png_records) {
        check_contract(dx);
        assert_eq!(
            content(dx),
            content(png),
            "{} vs {}",
            dx["scan"],
            png["scan"]
        );
        statuses.push(dx["status"].as_str().unwrap().to_owned());
    }
    // the pair was read as a pair, and the corpus has an alarm and a scan without one
    assert!(dx_records[3]["scan"]
        .as_str()
        .unwrap()
        .contains("_{high,low}"));
    assert!(statuses.iter().any(|s| s == "alarm"), "{statuses:?}");
    assert!(statuses.iter().any(|s| s != "alarm"), "{statuses:?}");
}

#[test]
fn a_dicos_pair_must_agree_with_its_names() {
    if skip_without_toolkit() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let pixels = grey16("B0079_0017_high.png");
    let low_pixels = grey16("B0079_0017_low.png");
    // KVPs the wrong way round
    let swapped = dir.path().join("kvp");
    std::fs::create_dir_all(&swapped).unwrap();
    let high = make_dx(&swapped, "bag_high", &pixels, &["--kvp", "80"]);
    make_dx(&swapped, "bag_low", &low_pixels, &["--kvp", "160"]);
    // energies stated the wrong way round
    let stated = dir.path().join("energy");
    std::fs::create_dir_all(&stated).unwrap();
    make_dx(&stated, "bag_high", &pixels, &["--energy", "low"]);
    make_dx(&stated, "bag_low", &low_pixels, &["--energy", "high"]);
    let records = scan_jsonl(&[&swapped, &stated], &[], dir.path());
    for (r, says) in records
        .iter()
        .zip(["KVP (80 kV) is not above", "states LOW_ENERGY"])
    {
        assert_eq!(r["status"], "error", "{r}");
        let error = r["error"].as_str().unwrap();
        assert!(error.contains(says), "{error}");
        assert!(error.contains("bag_high.dcs"), "{error}");
    }
    assert!(high.exists());
}

#[test]
fn armscan_tdrs_are_read_by_the_toolkit_and_say_what_the_records_say() {
    if skip_without_toolkit() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let c = corpus(dir.path());
    // A DICOS file cut short, and a scan not read from DICOS.
    let cut = dir.path().join("dx/cut.dcs");
    let whole = std::fs::read(&c.singles[0].0).unwrap();
    std::fs::write(&cut, &whole[..whole.len() / 2]).unwrap();
    let jpeg = repo().join("datasets/samples/B0046_0160.jpg");
    let mut inputs: Vec<&Path> = c.singles.iter().map(|(d, _)| d.as_path()).collect();
    inputs.extend([c.pair_dx_dir.as_path(), cut.as_path(), jpeg.as_path()]);
    let tdr_dir = dir.path().join("tdr");
    let records = scan_jsonl(&inputs, &["--tdr", tdr_dir.to_str().unwrap()], dir.path());

    let mut files: Vec<PathBuf> = std::fs::read_dir(&tdr_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), records.len(), "one report per scan: {files:?}");
    assert!(files
        .iter()
        .all(|f| f.to_str().unwrap().ends_with(".tdr.dcs")));
    let mut args: Vec<&OsStr> = vec!["read-tdr".as_ref()];
    args.extend(files.iter().map(|f| f.as_os_str()));
    let reports: Vec<Value> = toolkit(&args)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(reports.len(), files.len());

    // The images each input's report must reference: the DX's own UIDs (the pair: high, low).
    let uid = |p: &Path| {
        toolkit_dx(p).1["sop_instance_uid"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let mut expected_refs: Vec<Vec<String>> = c.singles.iter().map(|(d, _)| vec![uid(d)]).collect();
    expected_refs.push(vec![uid(&c.pair_dx.0), uid(&c.pair_dx.1)]);

    let mut seen = std::collections::HashSet::new();
    for (i, record) in records.iter().enumerate() {
        let scan = record["scan"].as_str().unwrap();
        let report = match expected_refs.get(i) {
            Some(refs) => reports
                .iter()
                .find(|t| {
                    t["referenced"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|v| v.as_str().unwrap())
                        .eq(refs.iter().map(String::as_str))
                })
                .unwrap_or_else(|| panic!("no report references {refs:?} ({scan})")),
            // not read from DICOS (or not read at all): found by its object-of-inspection id
            None => reports
                .iter()
                .find(|t| t["ooi_id"] == scan)
                .unwrap_or_else(|| panic!("no report for {scan}")),
        };
        assert!(seen.insert(report["path"].as_str().unwrap().to_owned()));
        check_report(record, report);
        if let Some(refs) = expected_refs.get(i) {
            for pto in report["pto_referenced"].as_array().unwrap() {
                assert!(pto
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap())
                    .eq(refs.iter().map(String::as_str)));
            }
        }
    }
    // the corpus covers the three decisions
    let decisions: std::collections::HashSet<&str> = reports
        .iter()
        .map(|r| r["alarm_decision"].as_str().unwrap())
        .collect();
    for d in ["ALARM", "CLEAR", "UNKNOWN"] {
        assert!(decisions.contains(d), "no {d} report among {decisions:?}");
    }
}

/// One report against its record.
fn check_report(record: &Value, report: &Value) {
    let scan = record["scan"].as_str().unwrap();
    let status = record["status"].as_str().unwrap();
    let (decision, abort) = match status {
        "alarm" | "review" => ("ALARM", "SUCCESS"),
        "clear" => ("CLEAR", "SUCCESS"),
        _ => ("UNKNOWN", "ABORT"),
    };
    assert_eq!(report["alarm_decision"], decision, "{scan}");
    assert_eq!(report["abort_flag"], abort, "{scan}");
    assert_eq!(report["tdr_type_machine"], true);
    let algorithm = &report["algorithm"];
    assert_eq!(algorithm["manufacturer"], "armscan");
    assert_eq!(algorithm["parameters"]["model"], record["model"]);
    let alarm_score: f64 = algorithm["parameters"]["alarm_score"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let review_score: f64 = algorithm["parameters"]["review_score"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();

    let detections = record["detections"].as_array().unwrap();
    let ptos = report["ptos"].as_array().unwrap();
    assert_eq!(ptos.len(), detections.len(), "{scan}");
    for (n, (d, pto)) in detections.iter().zip(ptos).enumerate() {
        assert_eq!(pto["id"], n + 1);
        let b = floats(&d["box"]);
        let base = floats(&pto["base"]);
        let extent = floats(&pto["extent"]);
        let near = |a: f64, b: f64| (a - b).abs() <= 0.02;
        assert!(
            near(base[0], b[0]) && near(base[1], b[1]) && base[2] == 0.0,
            "{scan}: {base:?} vs {b:?}"
        );
        assert!(
            near(extent[0], b[2] - b[0]) && near(extent[1], b[3] - b[1]) && extent[2] == 1.0,
            "{scan}: {extent:?} vs {b:?}"
        );
        let score = d["score"].as_f64().unwrap();
        assert!((pto["probability"].as_f64().unwrap() - score).abs() <= 1e-4);
        assert_eq!(pto["prohibited_item"], true);
        assert_eq!(
            pto["description"],
            format!(
                "{}: {}",
                d["category"].as_str().unwrap(),
                d["class"].as_str().unwrap()
            )
        );
        // the verdict the detection would make alone (an accessory alarms no scan: review)
        let protocol = d["category"] != "accessory";
        let flag = match (protocol, score >= alarm_score, score >= review_score) {
            (true, true, _) => "THREAT",
            (true, false, true) | (false, true, _) => "UNKNOWN",
            _ => "NO_THREAT",
        };
        assert_eq!(pto["flag"], flag, "{scan}: detection {n}");
    }
}
