//! Replays the `coco` fuzz corpus (fuzz/corpus/coco/ and fuzz/artifacts/coco/) through the same
//! target body cargo-fuzz runs (fuzz/bodies/coco.rs), on stable: no
//! input may panic. See FUZZING.md.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod coco {
    include!("../../../fuzz/bodies/coco.rs");
}

mod replay_support {
    include!("../../../fuzz/bodies/replay.rs");
}
use replay_support::replay;

#[test]
fn corpus_coco_replays_without_panic() {
    replay("coco", 1, coco::run);
}
