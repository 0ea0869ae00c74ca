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
        // The working scale of the fine and the coarse pass stays bounded by
        // max_upscale, whatever the spacings.
        let (i, f) = (&m.spec.input, &m.spec.framing);
        for (w, h, spacing) in [
            (2688u32, 2208u32, None),
            (1, 1, Some(0.16f32)),
            (4000, 300, Some(5.0)),
            (64, 64, Some(1e-6)),
        ] {
            let fine = armscan_detect::WorkingScale::for_scan(w, h, spacing, i.width, i.height, f);
            let limit = |v: u32| (f64::from(v) * f64::from(f.max_upscale)).ceil() as u32 + 1;
            assert!(fine.working_width >= 1 && fine.working_height >= 1, "empty working image");
            assert!(
                fine.working_width <= limit(w) && fine.working_height <= limit(h),
                "working image {fine:?} beyond max_upscale"
            );
            if let Some(c) = f.coarse_pass {
                let coarse = fine.coarser(c.factor);
                assert!(
                    coarse.working_width >= 1 && coarse.working_width <= fine.working_width,
                    "coarse {coarse:?}"
                );
                assert!(
                    coarse.working_height >= 1 && coarse.working_height <= fine.working_height,
                    "coarse {coarse:?}"
                );
            }
        }
    }
}
