#![no_main]
//! TIFF through armscan_ingest's decoder: inputs get the TIFF signature if they lack it.
#[allow(dead_code)]
mod body {
    include!("../bodies/decode.rs");
}
libfuzzer_sys::fuzz_target!(|data: &[u8]| body::run_as(body::Format::Tiff, data));
