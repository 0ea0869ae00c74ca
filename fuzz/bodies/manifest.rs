// Body of the manifest fuzz target. Included by fuzz/fuzz_targets/manifest.rs and by
// crates/detect/tests/fuzz_corpus.rs.

pub fn run(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let path = std::path::Path::new("/models/fuzz.manifest.json");
    if let Ok(m) = armscan_detect::ModelManifest::from_json(text, path) {
        // What the detector derives from a manifest it accepted must not panic either.
        let t = m.thresholds();
        assert!((0.0..=1.0).contains(&t.min_score), "thresholds checked");
        assert!(
            m.model_path.starts_with("/models"),
            "model file stays beside the manifest: {}",
            m.model_path.display()
        );
        let _ = m.taxonomy.classes().len();
        let _ = serde_json::to_string(&m.spec);
    }
}
