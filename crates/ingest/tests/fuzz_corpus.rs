//! Replays the fuzz corpora (fuzz/corpus/<target>/ and fuzz/artifacts/<target>/) through the same
//! target bodies cargo-fuzz runs (fuzz/bodies/), on stable: no input may panic. See FUZZING.md.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

mod decode {
    include!("../../../fuzz/bodies/decode.rs");
}

fn inputs(target: &str) -> Vec<PathBuf> {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut files = Vec::new();
    for dir in ["corpus", "artifacts"] {
        if let Ok(rd) = std::fs::read_dir(fuzz.join(dir).join(target)) {
            files.extend(rd.map(|e| e.unwrap().path()).filter(|p| p.is_file()));
        }
    }
    files.sort();
    files
}

fn replay(target: &str, min_files: usize, run: impl Fn(&[u8]) + std::panic::RefUnwindSafe) {
    let files = inputs(target);
    assert!(files.len() >= min_files, "{target}: {} corpus files, expected at least {min_files}", files.len());
    let mut failed = Vec::new();
    for f in &files {
        let data = std::fs::read(f).unwrap();
        if std::panic::catch_unwind(|| run(&data)).is_err() {
            failed.push(f.display().to_string());
        }
    }
    assert!(failed.is_empty(), "{target}: inputs that panic: {failed:#?}");
    eprintln!("{target}: {} inputs replayed", files.len());
}

#[test]
fn corpus_decode_png_replays_without_panic() {
    replay("decode_png", 1, |d| decode::run_as(decode::Format::Png, d));
}

#[test]
fn corpus_decode_jpeg_replays_without_panic() {
    replay("decode_jpeg", 1, |d| decode::run_as(decode::Format::Jpeg, d));
}

#[test]
fn corpus_decode_tiff_replays_without_panic() {
    replay("decode_tiff", 1, |d| decode::run_as(decode::Format::Tiff, d));
}

#[test]
fn corpus_decode_bmp_replays_without_panic() {
    replay("decode_bmp", 1, |d| decode::run_as(decode::Format::Bmp, d));
}

#[test]
fn corpus_decode_any_replays_without_panic() {
    replay("decode_any", 1, decode::run_any);
}

#[test]
fn corpus_dual_pair_replays_without_panic() {
    replay("dual_pair", 1, decode::run_pair);
}
