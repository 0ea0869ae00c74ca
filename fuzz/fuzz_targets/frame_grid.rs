#![no_main]
//! The frame tiler, armscan_core::FrameGrid, and its invariants.
#[allow(dead_code)]
mod body {
    include!("../bodies/frame_grid.rs");
}
libfuzzer_sys::fuzz_target!(|data: &[u8]| body::run(data));
