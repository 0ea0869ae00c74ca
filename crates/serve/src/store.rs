//! The queue: screened scans in arrival order, each under an opaque id.
//!
//! An id is 16 hex digits of a sha256 over the arrival number, the scan's name and its bytes'
//! sha256: it says nothing of where the file lives, and a request's id is only ever looked up
//! here, so no path from a request reaches the file system.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, RwLock};

use armscan::{ScanInput, ScanRecord, Status};
use sha2::{Digest, Sha256};

/// One scan of the queue.
#[derive(Clone, Debug)]
pub struct StoredScan {
    /// The opaque id used by the page and the API.
    pub id: String,
    /// Arrival number, from 1.
    pub seq: u64,
    /// The engine's record.
    pub record: ScanRecord,
    /// The sha256 of the scan's bytes (a pair: of the high file's then the low file's), where
    /// the files could be read.
    pub sha256: Option<String>,
    /// Where the scan's files are now, to render its image; `None` when there is nothing to read.
    pub input: Option<ScanInput>,
}

impl StoredScan {
    /// The best detection's score.
    #[must_use]
    pub fn top_score(&self) -> Option<f32> {
        self.record
            .detections
            .iter()
            .map(|d| d.score)
            .fold(None, |best, s| Some(best.map_or(s, |b: f32| b.max(s))))
    }

    /// The categories detected, each once, in the order first seen.
    #[must_use]
    pub fn categories(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for d in &self.record.detections {
            let word = serde_json::to_value(d.category)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            if !out.contains(&word) {
                out.push(word);
            }
        }
        out
    }

    /// The verdict word (`clear|alarm|review|error`).
    #[must_use]
    pub fn status_word(&self) -> &'static str {
        match self.record.status {
            Status::Clear => "clear",
            Status::Alarm => "alarm",
            Status::Review => "review",
            Status::Error => "error",
        }
    }
}

#[derive(Debug, Default)]
struct Inner {
    scans: Vec<Arc<StoredScan>>,
    by_id: HashMap<String, usize>,
}

/// The queue, shared between the screening thread and the web handlers.
#[derive(Debug, Default)]
pub struct ScanStore {
    inner: RwLock<Inner>,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The sha256 of a scan's files, `None` when one cannot be read.
#[must_use]
pub fn input_sha256(input: &ScanInput) -> Option<String> {
    let files: Vec<&Path> = match input {
        ScanInput::File(p) => vec![p.as_path()],
        ScanInput::DualPair { high, low } => vec![high.as_path(), low.as_path()],
        _ => return None,
    };
    let mut hasher = Sha256::new();
    for f in files {
        hasher.update(std::fs::read(f).ok()?);
    }
    Some(hex(&hasher.finalize()))
}

impl ScanStore {
    /// An empty queue.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a scan with the given arrival number (the caller's order: a folder's walk, or the
    /// watch journal's row id) and returns its id. A scan already queued under the same
    /// number and name is not added twice.
    pub fn push(
        &self,
        seq: u64,
        record: ScanRecord,
        sha256: Option<String>,
        input: Option<ScanInput>,
    ) -> String {
        let mut h = Sha256::new();
        h.update(seq.to_le_bytes());
        h.update(record.scan.as_bytes());
        h.update([0]);
        h.update(sha256.as_deref().unwrap_or("").as_bytes());
        let id = hex(&h.finalize()[..8]);
        let mut inner = self
            .inner
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if inner.by_id.contains_key(&id) {
            return id;
        }
        let index = inner.scans.len();
        inner.scans.push(Arc::new(StoredScan {
            id: id.clone(),
            seq,
            record,
            sha256,
            input,
        }));
        inner.by_id.insert(id.clone(), index);
        id
    }

    /// A scan by id.
    #[must_use]
    pub fn get(&self, id: &str) -> Option<Arc<StoredScan>> {
        let inner = self
            .inner
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        inner.by_id.get(id).map(|&i| Arc::clone(&inner.scans[i]))
    }

    /// Every scan, in arrival order.
    #[must_use]
    pub fn list(&self) -> Vec<Arc<StoredScan>> {
        self.inner
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .scans
            .clone()
    }

    /// How many scans are queued.
    #[must_use]
    pub fn len(&self) -> usize {
        self.inner
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .scans
            .len()
    }

    /// Whether the queue is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
