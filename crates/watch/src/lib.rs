//! `armscan watch`: the sorting-centre mode. Watches a folder the scanner writes into, screens
//! each complete scan exactly once, and keeps a durable SQLite journal so that a `kill -9`, a
//! crash or a power cut loses no scan and screens none twice.
//!
//! # When a file is taken
//!
//! See [`inbox`]: regular image files directly in `IN_DIR`; names starting with `.` or ending in
//! `.part`/`.tmp` are ignored (write there, then rename into place); a file is taken once its
//! size, modification time and inode stayed the same for the settle interval. `NAME_high.EXT` +
//! `NAME_low.EXT` are taken together as one dual-energy scan.
//!
//! # What is written
//!
//! In `OUT_DIR`: `results/<id>_<name>.json` (the scan's `armscan.scan/2` record, one line, written
//! atomically: temp file, fsync, rename, fsync of the folder), `results.jsonl` (the same line
//! appended, one per input scan, ever), `journal.sqlite` (+ its WAL) and `watch.lock`. Each
//! screened input is moved to `IN_DIR/.done/<id>_<name>` (same file system, so the move is one
//! rename). Failed scans (corrupt, unreadable, over the limits) get an `error` record and are
//! moved too: nothing given is silently dropped.
//!
//! # The journal and the recovery rules
//!
//! Each input scan is one row of [`Journal`], carried through `claimed` → `written` →
//! `appended` → `done`, each change a committed SQLite transaction (WAL, `synchronous=FULL`)
//! made only after the file effect it records was fsynced:
//!
//! 1. **claim**: the row is inserted with the file names and their fingerprints (size, mtime,
//!    inode). A name with an unfinished row is never claimed again (a partial unique index).
//! 2. **result**: the record is written to `results/<id>_<name>.json` atomically, then the row
//!    becomes `written`. After a crash a `claimed` row whose result file exists reuses it (the
//!    rename made it whole); one without it is screened again. Screening has no side effects,
//!    so doing it twice is harmless: only the lines count, and they are appended once.
//! 3. **append**: the journal's `jsonl_end` is the length of `results.jsonl` it vouches for.
//!    The lines of the `written` rows are written at `jsonl_end` (cutting off anything after
//!    it first), fsynced, and then the rows become `appended` with their offsets and
//!    `jsonl_end` moves past them, in one transaction. A crash before that commit leaves bytes
//!    past `jsonl_end`: they are cut at the next start and the same lines (read back from the
//!    result files) are appended again. A crash after it leaves nothing to redo. So each line
//!    is in `results.jsonl` exactly once. (A reader tailing the file may see such a cut-off
//!    line twice, identical; the journal's offsets are the truth.)
//! 4. **move**: each input file still carrying its claimed fingerprint is renamed into
//!    `IN_DIR/.done/`, both folders are fsynced, then the row becomes `done`. After a crash an
//!    `appended` row whose file is already in `.done/` is just marked done; a file replaced at
//!    the same name since the claim is left in place as a new scan.
//!
//! The same code ([`Watcher::step`]) runs the states for new scans and for rows a crash left,
//! so recovery is not a separate path. `OUT_DIR/watch.lock` (an OS file lock, released when the
//! process dies) keeps a second watcher out; the journal records the input folder it serves.
//! `results.jsonl` must not be edited or rotated while a watcher may run; a file shorter than
//! the journal says stops the watcher with [`WatchError::Inconsistent`].
//!
//! Screening itself is passed in (`FnMut(&[ScanInput]) -> Vec<ScanRecord>`, one record per
//! input, in order), so `armscan watch` uses exactly the pipeline of `armscan scan`.

pub mod inbox;
pub mod journal;

mod error;
mod fsio;
mod watcher;

pub use error::WatchError;
pub use inbox::{is_candidate_name, Inbox, ReadyScan};
pub use journal::{
    ClaimedFile, Fingerprint, Journal, JournalCounts, JournalEntry, ScanState,
    JOURNAL_SCHEMA_VERSION,
};
pub use watcher::{
    verify, OpenReport, RunSummary, Verification, WatchConfig, Watcher, DONE_DIR, JOURNAL_FILE,
    LOCK_FILE, RESULTS_DIR, RESULTS_JSONL,
};
