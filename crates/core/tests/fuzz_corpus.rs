//! Replays the fuzz corpora (fuzz/corpus/<target>/ and fuzz/artifacts/<target>/) through the same
//! target bodies cargo-fuzz runs (fuzz/bodies/), on stable: no input may panic. See FUZZING.md.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

mod frame_grid {
    include!("../../../fuzz/bodies/frame_grid.rs");
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
fn corpus_frame_grid_replays_without_panic() {
    replay("frame_grid", 1, frame_grid::run);
}
