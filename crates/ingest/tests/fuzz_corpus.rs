//! Replays the fuzz corpora (fuzz/corpus/<target>/ and fuzz/artifacts/<target>/) through the same
//! target bodies cargo-fuzz runs (fuzz/bodies/), on stable: no input may panic. See FUZZING.md.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod decode {
    include!("../../../fuzz/bodies/decode.rs");
}

mod replay_support {
    include!("../../../fuzz/bodies/replay.rs");
}
use replay_support::replay;

#[test]
fn corpus_decode_png_replays_without_panic() {
    replay("decode_png", 1, |d| decode::run_as(decode::Format::Png, d));
}

#[test]
fn corpus_decode_jpeg_replays_without_panic() {
    replay("decode_jpeg", 1, |d| {
        decode::run_as(decode::Format::Jpeg, d)
    });
}

#[test]
fn corpus_decode_tiff_replays_without_panic() {
    replay("decode_tiff", 1, |d| {
        decode::run_as(decode::Format::Tiff, d)
    });
}

#[test]
fn corpus_decode_bmp_replays_without_panic() {
    replay("decode_bmp", 1, |d| decode::run_as(decode::Format::Bmp, d));
}

#[test]
fn corpus_decode_dicos_replays_without_panic() {
    replay("decode_dicos", 1, |d| {
        decode::run_as(decode::Format::Dicos, d)
    });
}

#[test]
fn corpus_decode_any_replays_without_panic() {
    replay("decode_any", 1, decode::run_any);
}

#[test]
fn corpus_dual_pair_replays_without_panic() {
    replay("dual_pair", 1, decode::run_pair);
}
