// Shared by the stable corpus-replay tests (crates/*/tests/fuzz_corpus.rs), which `include!` it:
// every file of fuzz/corpus/<target>/ and fuzz/artifacts/<target>/ through a target body, no panic.

use std::path::{Path, PathBuf};

pub fn inputs(target: &str) -> Vec<PathBuf> {
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

pub fn replay(target: &str, min_files: usize, run: impl Fn(&[u8]) + std::panic::RefUnwindSafe) {
    let files = inputs(target);
    assert!(
        files.len() >= min_files,
        "{target}: {} corpus files, expected at least {min_files}",
        files.len()
    );
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
