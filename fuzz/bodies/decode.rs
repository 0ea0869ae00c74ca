// Body of the decode_* and dual_pair fuzz targets. Included (`include!`) by fuzz/fuzz_targets/
// and by crates/ingest/tests/fuzz_corpus.rs, so the stable replay runs exactly this code.

/// The formats with a target of their own.
#[derive(Clone, Copy, Debug)]
pub enum Format {
    Png,
    Jpeg,
    Tiff,
    Bmp,
    /// DICOS / DICOM: the signature `DICM` stands at byte 128, after the preamble.
    Dicos,
}

impl Format {
    pub fn signature(self) -> &'static [u8] {
        match self {
            Format::Png => b"\x89PNG\r\n\x1a\n",
            Format::Jpeg => b"\xFF\xD8\xFF",
            Format::Tiff => b"II*\x00",
            Format::Bmp => b"BM",
            Format::Dicos => b"DICM",
        }
    }
}

/// Decodes `data` as `format`, putting the format's signature in front when it is missing, so
/// the fuzzer spends its time inside that format's decoder.
pub fn run_as(format: Format, data: &[u8]) {
    let sig = format.signature();
    if matches!(format, Format::Dicos) {
        if data.get(128..132) == Some(sig) {
            armscan_ingest::fuzz_support::fuzz_decode(data);
        } else {
            let mut with_preamble = vec![0u8; 128];
            with_preamble.extend_from_slice(sig);
            with_preamble.extend_from_slice(data);
            armscan_ingest::fuzz_support::fuzz_decode(&with_preamble);
        }
        return;
    }
    let big_endian_tiff = matches!(format, Format::Tiff) && data.starts_with(b"MM\x00*");
    if data.starts_with(sig) || big_endian_tiff {
        armscan_ingest::fuzz_support::fuzz_decode(data);
    } else {
        let mut with_sig = sig.to_vec();
        with_sig.extend_from_slice(data);
        armscan_ingest::fuzz_support::fuzz_decode(&with_sig);
    }
}

/// Decodes `data` as a scan file, whatever it holds.
pub fn run_any(data: &[u8]) {
    armscan_ingest::fuzz_support::fuzz_decode(data);
}

/// Decodes `data` as a dual-energy pair (see `armscan_ingest::fuzz_support::split_pair`).
pub fn run_pair(data: &[u8]) {
    armscan_ingest::fuzz_support::fuzz_pair(data);
}
