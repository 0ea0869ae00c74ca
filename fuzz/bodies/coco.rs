// Body of the coco fuzz target. Included by fuzz/fuzz_targets/coco.rs and by
// crates/eval/tests/fuzz_corpus.rs.

pub fn run(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    // A first line that is a --where clause (KEY=V1,V2) filters the COCO text that follows it.
    let (filters, coco) = match text.split_once('\n') {
        Some((first, rest)) => match armscan_eval::WhereClause::parse(first) {
            Ok(w) => (vec![w], rest),
            Err(_) => (Vec::new(), &text[..]),
        },
        None => (Vec::new(), &text[..]),
    };
    if let Ok(ds) = armscan_eval::EvalDataset::from_coco_json(coco, &filters) {
        let names: Vec<String> = ds
            .images
            .iter()
            .map(|i| format!("imgs/{}", i.file_name))
            .collect();
        let scans: Vec<&str> = names.iter().map(String::as_str).collect();
        let _ = armscan_eval::match_records(&ds.images, "imgs", &scans);
    }
}
