//! The integrators' doors, over real processes: the HTTP API fuzzed from its own OpenAPI
//! document (`integrators/api.rs`), and DICOS in and out against an independent toolkit
//! (`integrators/dicos.rs`). One test binary (one link) for both.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

mod integrators {
    pub mod api;
    pub mod dicos;
}
