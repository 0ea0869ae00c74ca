//! Replays the fuzz corpora (fuzz/corpus/<target>/ and fuzz/artifacts/<target>/) through the same
//! target bodies cargo-fuzz runs (fuzz/bodies/), on stable: no input may panic. See FUZZING.md.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod frame_grid {
    include!("../../../fuzz/bodies/frame_grid.rs");
}

mod replay_support {
    include!("../../../fuzz/bodies/replay.rs");
}
use replay_support::replay;

#[test]
fn corpus_frame_grid_replays_without_panic() {
    replay("frame_grid", 1, frame_grid::run);
}
