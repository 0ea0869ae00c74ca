//! `armscan serve`: the operator console. A local web page to screen the queue — the next
//! scan's image, the engine's boxes, the image tools of an X-ray console
//! ([`armscan_core::tools`], computed here and served as PNG), and three keys: clear, threat,
//! hand search — with every decision appended to SQLite ([`db`]) with who and when, and where
//! (site, lane). The seizure statistics by Protocol category ([`seizures`], `/stats`,
//! `armscan stats`) are counted from those decisions.
//!
//! A front end: scans are screened only through [`armscan::Screener`] (a folder once, or a
//! watch folder through `armscan-watch`, exactly as `armscan watch`); the standard image is
//! [`armscan::ingest::display_rgb`]'s.
//!
//! # Security
//!
//! Loopback by default; any other address needs an access token ([`check_access`]). Without a
//! token only loopback `Host` values are served (DNS rebinding). Every state-changing request
//! must carry an `Origin` naming this console. Every response has a content security policy
//! allowing only this origin's script, style and images. Bodies are limited
//! ([`Guards::max_body_bytes`], 413) and requests timed out (408). Scan ids are opaque
//! (a hash), looked up in memory: no path from a request reaches the file system. Errors are
//! `{"error": MESSAGE}` without internals.

pub mod api_v1;
pub mod db;
pub mod seizures;
pub mod store;
pub mod trainer;

mod app;
mod error;
mod page;
mod run;
mod sqlite;

pub use app::{
    loopback_hosts, router, ApiError, AppState, Guards, CONTENT_SECURITY_POLICY, SESSION_COOKIE,
    TOKEN_COOKIE, TOOLS,
};
pub use db::{
    DecisionDb, DecisionKind, DecisionRow, NewDecision, ShiftReport, ShiftWindow, ThreatCategory,
};
pub use error::ServeError;
pub use run::{
    check_access, check_place, read_token_file, serve, ServeOptions, Source, MAX_PLACE_CHARS,
    MIN_TOKEN_CHARS,
};
pub use seizures::{
    seizure_stats, seizures_csv, PeriodKind, SeizureQuery, SeizureStats, SEIZURES_SCHEMA,
};
pub use store::{ScanStore, StoredScan};
