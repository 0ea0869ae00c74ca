#![no_main]
//! The model manifest parser and checks (armscan.model/1).
#[allow(dead_code)]
mod body {
    include!("../bodies/manifest.rs");
}
libfuzzer_sys::fuzz_target!(|data: &[u8]| body::run(data));
