#![no_main]
//! Any bytes through armscan_ingest's decoder (format found by content, as for a scan file).
#[allow(dead_code)]
mod body {
    include!("../bodies/decode.rs");
}
libfuzzer_sys::fuzz_target!(|data: &[u8]| body::run_any(data));
