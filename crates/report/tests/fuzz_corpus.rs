//! Replays the fuzz corpora (fuzz/corpus/<target>/ and fuzz/artifacts/<target>/) through the same
//! target bodies cargo-fuzz runs (fuzz/bodies/), on stable: no input may panic. See FUZZING.md.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod scan_jsonl {
    include!("../../../fuzz/bodies/scan_jsonl.rs");
}

mod replay_support {
    include!("../../../fuzz/bodies/replay.rs");
}
use replay_support::replay;

#[test]
fn corpus_scan_jsonl_replays_without_panic() {
    replay("scan_jsonl", 1, scan_jsonl::run);
}
