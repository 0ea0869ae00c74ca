// Body of the scan_jsonl fuzz target. Included by fuzz/fuzz_targets/scan_jsonl.rs and by
// crates/report/tests/fuzz_corpus.rs.

pub fn run(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for line in text.lines() {
        let Ok(record) = serde_json::from_str::<armscan_report::ScanRecord>(line) else { continue };
        // A record read back is written again as one line that parses.
        let mut out = Vec::new();
        if armscan_report::write_jsonl(&mut out, &record).is_ok() {
            let again = String::from_utf8(out).expect("JSON is UTF-8");
            assert_eq!(again.matches('\n').count(), 1, "one line: {again}");
            let _ = record.top_detection();
            let _ = record.is_flagged();
        }
    }
}
