#![no_main]
//! DICOS / DICOM through armscan_ingest's decoder (preamble and `DICM` prepended when missing):
//! armscan-dicos's DX reader on dicom-rs (data set parser, JPEG lossless and RLE decoders).
#[allow(dead_code)]
mod body {
    include!("../bodies/decode.rs");
}
libfuzzer_sys::fuzz_target!(|data: &[u8]| body::run_as(body::Format::Dicos, data));
