#![no_main]
//! The COCO annotations reader of `armscan eval`.
#[allow(dead_code)]
mod body {
    include!("../bodies/coco.rs");
}
libfuzzer_sys::fuzz_target!(|data: &[u8]| body::run(data));
