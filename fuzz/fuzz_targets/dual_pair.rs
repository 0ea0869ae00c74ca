#![no_main]
//! A dual-energy pair: the input split into a high and a low file.
#[allow(dead_code)]
mod body {
    include!("../bodies/decode.rs");
}
libfuzzer_sys::fuzz_target!(|data: &[u8]| body::run_pair(data));
