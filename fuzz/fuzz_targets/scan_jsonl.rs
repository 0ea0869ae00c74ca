#![no_main]
//! JSON lines of armscan.scan/2 records (as `armscan eval --predictions` reads them).
#[allow(dead_code)]
mod body {
    include!("../bodies/scan_jsonl.rs");
}
libfuzzer_sys::fuzz_target!(|data: &[u8]| body::run(data));
