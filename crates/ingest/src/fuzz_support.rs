//! Byte-level entry points for the fuzz targets (`fuzz/`) and for the stable tests that replay
//! their corpora (`tests/fuzz_corpus.rs`): both call exactly these, so a crash found by the
//! fuzzer is a failing `cargo test` once its input is saved in `fuzz/corpus/` or `fuzz/artifacts/`.
//!
//! The functions never panic on any input (that is what is fuzzed); they return the same errors
//! as [`crate::load_scan`] and [`crate::load_dual_pair`].

use armscan_core::Scan;

use crate::{detector_grey, display_rgb, DecodeLimits, IngestError, IngestOptions, Windowing};

/// Limits for fuzzing: the default side limit, but 4 MP and 8 MiB, so that an input declaring a
/// large image is refused (the limit path is fuzzed too) instead of making each run slow.
#[must_use]
pub fn fuzz_limits() -> DecodeLimits {
    DecodeLimits::default()
        .with_max_pixels(4_000_000)
        .with_max_file_bytes(8 * 1024 * 1024)
}

/// Decodes one scan file's bytes (any supported format, found by content), as [`crate::load_scan`].
///
/// # Errors
/// [`IngestError`] naming `<bytes>`.
pub fn decode_scan_bytes(bytes: &[u8], options: &IngestOptions) -> Result<Scan, IngestError> {
    crate::decode::load_scan_bytes("<bytes>", bytes, options)
}

/// Decodes a dual-energy pair given as the bytes of its two files, as [`crate::load_dual_pair`].
///
/// # Errors
/// [`IngestError`] naming `<high>` or `<low>`.
pub fn decode_pair_bytes(
    high: &[u8],
    low: &[u8],
    options: &IngestOptions,
) -> Result<Scan, IngestError> {
    crate::decode::load_pair_bytes("<high>", high, "<low>", low, options)
}

/// Runs what follows decoding in `armscan scan`: the detector's grey view under each windowing
/// and the display image. Returns their sizes, which must be the scan's.
#[must_use]
pub fn views(scan: &Scan) -> Vec<(u32, u32)> {
    let mut sizes = Vec::new();
    for w in [
        Windowing::Full,
        Windowing::Percentile {
            low_pct: 0.5,
            high_pct: 99.5,
        },
        Windowing::Range { low: 10, high: 20 },
    ] {
        let g = detector_grey(scan, &w);
        sizes.push(g.dimensions());
    }
    sizes.push(display_rgb(scan, &Windowing::Full).dimensions());
    sizes
}

/// One fuzz run over a scan file's bytes: decode with [`fuzz_limits`], and when it decodes, check
/// the size is within the limits and build the views.
pub fn fuzz_decode(bytes: &[u8]) {
    let options = IngestOptions::default().with_limits(fuzz_limits());
    if let Ok(scan) = decode_scan_bytes(bytes, &options) {
        let (w, h) = (scan.width(), scan.height());
        assert!(
            w > 0 && h > 0 && u64::from(w) * u64::from(h) <= fuzz_limits().max_pixels,
            "{w}x{h} passed the limits"
        );
        for size in views(&scan) {
            assert_eq!(size, (w, h), "a view has another size than the scan");
        }
    }
}

/// One fuzz run over a dual-energy pair: the input is split in two at a position given by its
/// first two bytes (little-endian, modulo the length).
pub fn fuzz_pair(data: &[u8]) {
    let (high, low) = split_pair(data);
    let options = IngestOptions::default().with_limits(fuzz_limits());
    if let Ok(scan) = decode_pair_bytes(high, low, &options) {
        let (w, h) = (scan.width(), scan.height());
        for size in views(&scan) {
            assert_eq!(size, (w, h), "a view has another size than the scan");
        }
    }
}

/// Splits a fuzz input into the two files of a pair (see [`fuzz_pair`]).
#[must_use]
pub fn split_pair(data: &[u8]) -> (&[u8], &[u8]) {
    match data {
        [a, b, rest @ ..] if !rest.is_empty() => {
            let at = usize::from(u16::from_le_bytes([*a, *b])) % (rest.len() + 1);
            rest.split_at(at)
        }
        _ => (data, &[]),
    }
}

/// Joins two files into one fuzz input for [`fuzz_pair`] (used to make seed corpora).
#[must_use]
pub fn join_pair(high: &[u8], low: &[u8]) -> Vec<u8> {
    let at = u16::try_from(high.len()).unwrap_or(u16::MAX);
    let mut out = at.to_le_bytes().to_vec();
    out.extend_from_slice(high);
    out.extend_from_slice(low);
    out
}
