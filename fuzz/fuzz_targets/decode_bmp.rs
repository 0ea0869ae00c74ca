#![no_main]
//! BMP through armscan_ingest's decoder: inputs get the BMP signature if they lack it.
#[allow(dead_code)]
mod body {
    include!("../bodies/decode.rs");
}
libfuzzer_sys::fuzz_target!(|data: &[u8]| body::run_as(body::Format::Bmp, data));
