//! `armscan watch --publish`: the watch folder as a producer. Each complete scan (the same
//! rules as `armscan watch`: [`armscan_watch::Inbox`]) is submitted, and once the server has
//! stored it the files are moved to `IN_DIR/.done/`. A crash between the two submits the scan
//! again at the next start; its id is the same, so the server's duplicate window (or the stored
//! result) keeps it to one result.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use armscan::ScanInput;
use armscan_watch::{Inbox, WatchError, DONE_DIR};

use crate::error::QueueError;
use crate::submit::{Submitted, Submitter};

/// How the folder is watched.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct PublishFolderOptions {
    pub in_dir: PathBuf,
    /// A file is taken once unchanged this long.
    pub settle: Duration,
    /// How often the folder is listed.
    pub poll: Duration,
    /// How long half of a dual-energy pair waits for its partner.
    pub pair_wait: Duration,
}

impl PublishFolderOptions {
    #[must_use]
    pub fn new(in_dir: impl Into<PathBuf>) -> Self {
        Self {
            in_dir: in_dir.into(),
            settle: Duration::from_millis(500),
            poll: Duration::from_millis(200),
            pair_wait: Duration::from_secs(5),
        }
    }
    #[must_use]
    pub fn with_settle(mut self, d: Duration) -> Self {
        self.settle = d;
        self
    }
    #[must_use]
    pub fn with_poll(mut self, d: Duration) -> Self {
        self.poll = d;
        self
    }
    #[must_use]
    pub fn with_pair_wait(mut self, d: Duration) -> Self {
        self.pair_wait = d;
        self
    }
}

/// What a publishing watch did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PublishSummary {
    /// Scans stored on the work queue and moved to `.done/`.
    pub published: u64,
    /// Scans that could not be published (left in place, tried again at the next poll).
    pub failed: u64,
    /// Scans whose files cannot travel (unreadable, too large without shared storage): an
    /// `error` record was stored for each and the files moved to `.done/`.
    pub refused: u64,
}

/// Watches `options.in_dir` until `stop` is set, publishing each complete scan through
/// `submitter`; `on_each` hears every outcome.
///
/// # Errors
/// The folder cannot be listed or `.done/` cannot be made.
pub fn publish_folder(
    submitter: &Submitter,
    options: &PublishFolderOptions,
    stop: &AtomicBool,
    mut on_each: impl FnMut(&str, &Result<Submitted, QueueError>),
) -> Result<PublishSummary, QueueError> {
    let done = options.in_dir.join(DONE_DIR);
    std::fs::create_dir_all(&done).map_err(|e| {
        QueueError::Watch(WatchError::Io {
            what: "making the .done folder",
            path: done.clone(),
            source: e,
        })
    })?;
    let mut inbox = Inbox::new(options.settle, options.pair_wait);
    let mut summary = PublishSummary::default();
    let none = HashSet::new();
    while !stop.load(Ordering::SeqCst) {
        let ready = inbox.poll(&options.in_dir, &none, Instant::now())?;
        if ready.is_empty() {
            std::thread::sleep(options.poll);
            continue;
        }
        for scan in ready {
            let paths: Vec<PathBuf> = scan
                .files
                .iter()
                .map(|f| options.in_dir.join(&f.name))
                .collect();
            let input = match paths.as_slice() {
                [one] => ScanInput::File(one.clone()),
                [high, low] => ScanInput::DualPair {
                    high: high.clone(),
                    low: low.clone(),
                },
                _ => continue,
            };
            let (outcome, done_as) = match submitter.message_for(&input, &scan.name) {
                Ok(m) => {
                    let sent = submitter.submit_message(&m);
                    let id = sent.as_ref().ok().map(|s| s.id.clone());
                    (sent, id)
                }
                // the files cannot travel (unreadable, too large with no shared folder): that is
                // said where results are read, as the scan's `error` record, never dropped
                Err(e) => {
                    let why = format!("not submitted: {}", armscan::error_chain_text(&e));
                    match submitter.store_failure(&scan.name, &why) {
                        Ok(id) => (Err(e), Some(id)),
                        // the server cannot take it either: tried again later
                        Err(store) => (Err(store), None),
                    }
                }
            };
            if let Some(id) = &done_as {
                for (path, file) in paths.iter().zip(&scan.files) {
                    let to = done.join(format!("{id}_{}", file.name));
                    if let Err(e) = std::fs::rename(path, &to) {
                        eprintln!(
                            "armscan: moving {} to {}: {e}",
                            path.display(),
                            to.display()
                        );
                    }
                }
            }
            match (&outcome, &done_as) {
                (Ok(_), _) => summary.published += 1,
                (Err(_), Some(_)) => summary.refused += 1,
                (Err(_), None) => {
                    summary.failed += 1;
                    // listed again at the next poll: tried again once it settles
                    inbox.forget(scan.files.iter().map(|f| f.name.clone()));
                }
            }
            on_each(&scan.name, &outcome);
        }
    }
    Ok(summary)
}
