//! Helpers shared by the CLI tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

pub fn fixture_model() -> PathBuf {
    repo().join("crates/detect/tests/fixtures/dark_blob.manifest.json")
}

pub fn real_model() -> PathBuf {
    repo().join("models/armscan-threat-v12/armscan-threat-v12.manifest.json")
}

pub fn armscan(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_armscan"))
        .args(args)
        .current_dir(cwd)
        .env_remove("ARMSCAN_MODEL")
        .env_remove("ORT_DYLIB_PATH")
        .output()
        .expect("armscan runs")
}

pub fn records(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| {
            // The contract fixes the field order; serde_json's Value
            // would sort keys, so check the text.
            let order = [
                "schema",
                "scan",
                "status",
                "width",
                "height",
                "detections",
                "error",
                "backend",
                "model",
                "elapsed_ms",
                "pixel_spacing_mm",
                "spacing_source",
            ];
            let positions: Vec<usize> = order
                .iter()
                .map(|k| {
                    l.find(&format!("\"{k}\":"))
                        .unwrap_or_else(|| panic!("no {k} in {l}"))
                })
                .collect();
            assert!(
                positions.windows(2).all(|w| w[0] < w[1]),
                "field order of {l}"
            );
            serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}"))
        })
        .collect()
}

/// A JSON array of numbers.
pub fn floats(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|x| x.as_f64().unwrap_or_else(|| panic!("not a number: {x}")))
        .collect()
}

/// Checks one record against the armscan.scan/2 contract; returns its status.
pub fn check_contract(r: &serde_json::Value) -> String {
    assert_eq!(
        r.as_object().unwrap().len(),
        12,
        "exactly the contract's fields: {r}"
    );
    let source = &r["spacing_source"];
    assert!(
        source.is_null()
            || [
                "given",
                "file",
                "profile",
                "estimate",
                "model_assumption",
                "search"
            ]
            .contains(&source.as_str().unwrap()),
        "spacing_source: {r}"
    );
    assert_eq!(
        source.is_null(),
        r["pixel_spacing_mm"].is_null(),
        "a spacing comes with its source: {r}"
    );
    assert_eq!(r["schema"], "armscan.scan/2");
    let status = r["status"].as_str().unwrap().to_owned();
    assert!(["clear", "alarm", "review", "error"].contains(&status.as_str()));
    // `none`: a scan that never reached a model (`armscan submit` could not send it)
    let backends: &[&str] = if status == "error" {
        &["tract", "onnxruntime", "none"]
    } else {
        &["tract", "onnxruntime"]
    };
    assert!(backends.contains(&r["backend"].as_str().unwrap()));
    assert!(r["elapsed_ms"].as_f64().unwrap() >= 0.0);
    if status == "error" {
        assert!(r["error"].as_str().is_some_and(|e| !e.is_empty()));
        assert!(r["detections"].as_array().unwrap().is_empty());
    } else {
        assert!(r["error"].is_null());
        let (w, h) = (r["width"].as_f64().unwrap(), r["height"].as_f64().unwrap());
        for d in r["detections"].as_array().unwrap() {
            assert!(["firearm", "part", "ammunition", "accessory"]
                .contains(&d["category"].as_str().unwrap()));
            let s = d["score"].as_f64().unwrap();
            assert!((0.0..=1.0).contains(&s));
            let b = floats(&d["box"]);
            assert!(
                b[0] <= b[2]
                    && b[1] <= b[3]
                    && b[0] >= 0.0
                    && b[1] >= 0.0
                    && b[2] <= w
                    && b[3] <= h,
                "box {b:?} in {w}x{h}"
            );
        }
    }
    status
}

pub fn iou(a: &[f64], b: &[f64]) -> f64 {
    let ix = (a[2].min(b[2]) - a[0].max(b[0])).max(0.0);
    let iy = (a[3].min(b[3]) - a[1].max(b[1])).max(0.0);
    let inter = ix * iy;
    let union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
    if union <= 0.0 {
        0.0
    } else {
        inter / union
    }
}

pub fn boxes(r: &serde_json::Value) -> Vec<(String, f64, Vec<f64>)> {
    r["detections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["class"].as_str().unwrap().to_owned(),
                d["score"].as_f64().unwrap(),
                d["box"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_f64().unwrap())
                    .collect(),
            )
        })
        .collect()
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A PNG of `w` x `h` at bit depth `depth` and colour type `colour`, with `idat` as its one
/// IDAT chunk (a zlib stream of the filtered scanlines, or anything, for hostile files).
pub fn png_with_idat(w: u32, h: u32, depth: u8, colour: u8, idat: &[u8]) -> Vec<u8> {
    let mut out = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    let mut chunk = |kind: &[u8], data: &[u8]| {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        out.extend_from_slice(&body);
        out.extend_from_slice(&crc32(&body).to_be_bytes());
    };
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[depth, colour, 0, 0, 0]);
    chunk(b"IHDR", &ihdr);
    chunk(b"IDAT", idat);
    chunk(b"IEND", &[]);
    out
}

/// A tiny PNG whose header declares `w` x `h` 8-bit grey pixels (a decompression bomb when large).
pub fn png_declaring(w: u32, h: u32) -> Vec<u8> {
    png_with_idat(
        w,
        h,
        8,
        0,
        &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    )
}

/// Starts `armscan serve ARGS` in `cwd` on `127.0.0.1:0` and returns it with the address it
/// announced; its stderr is drained on a thread so it never blocks.
pub fn spawn_console(cwd: &Path, args: &[&std::ffi::OsStr]) -> (std::process::Child, String) {
    use std::io::BufRead;
    let mut child = Command::new(env!("CARGO_BIN_EXE_armscan"))
        .arg("serve")
        .args(args)
        .args(["--addr", "127.0.0.1:0"])
        .current_dir(cwd)
        .env_remove("ARMSCAN_MODEL")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    let mut addr = String::new();
    while stderr.read_line(&mut line).unwrap() > 0 {
        if let Some(rest) = line.split(" at http://").nth(1) {
            addr = rest.split('/').next().unwrap().to_owned();
            break;
        }
        line.clear();
    }
    assert!(!addr.is_empty(), "no address announced: {line}");
    std::thread::spawn(move || {
        let mut sink = String::new();
        while stderr.read_line(&mut sink).is_ok_and(|n| n > 0) {
            sink.clear();
        }
    });
    (child, addr)
}
