//! The watch loop: take settled inputs, screen them, and carry each through the journal's states.

use std::collections::HashSet;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use armscan_ingest::ScanInput;
use armscan_report::{write_jsonl, ScanRecord};

use crate::error::WatchError;
use crate::fsio::{append_at, sync_dir, write_atomic};
use crate::inbox::Inbox;
use crate::journal::{Fingerprint, Journal, JournalCounts, JournalEntry, ScanState};

/// File name of the JSON lines of all results, in the output folder.
pub const RESULTS_JSONL: &str = "results.jsonl";
/// Folder of per-scan result files, in the output folder.
pub const RESULTS_DIR: &str = "results";
/// File name of the SQLite journal, in the output folder.
pub const JOURNAL_FILE: &str = "journal.sqlite";
/// File name of the lock that keeps a second watcher off the output folder.
pub const LOCK_FILE: &str = "watch.lock";
/// Folder, inside the input folder, that screened inputs are moved into.
pub const DONE_DIR: &str = ".done";

/// How to watch.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct WatchConfig {
    /// The folder the scanner writes into. Record names are this path joined with the file name.
    pub in_dir: PathBuf,
    /// Where `results.jsonl`, `results/`, the journal and the lock live.
    pub out_dir: PathBuf,
    /// How long a file's size, modification time and inode must stay the same before it is taken.
    pub settle: Duration,
    /// How often the input folder is listed when there is nothing to do.
    pub poll: Duration,
    /// How long a settled half of a dual-energy pair waits for its partner before going alone.
    pub pair_wait: Duration,
    /// Most scans taken (and screened together) at once.
    pub batch: usize,
}

impl WatchConfig {
    /// Defaults: settle 500 ms, poll 200 ms, pair wait 5 s, batch 4.
    #[must_use]
    pub fn new(in_dir: impl Into<PathBuf>, out_dir: impl Into<PathBuf>) -> Self {
        Self {
            in_dir: in_dir.into(),
            out_dir: out_dir.into(),
            settle: Duration::from_millis(500),
            poll: Duration::from_millis(200),
            pair_wait: Duration::from_secs(5),
            batch: 4,
        }
    }
    #[must_use]
    pub fn with_settle(mut self, settle: Duration) -> Self {
        self.settle = settle;
        self
    }
    #[must_use]
    pub fn with_poll(mut self, poll: Duration) -> Self {
        self.poll = poll;
        self
    }
    #[must_use]
    pub fn with_pair_wait(mut self, pair_wait: Duration) -> Self {
        self.pair_wait = pair_wait;
        self
    }
    #[must_use]
    pub fn with_batch(mut self, batch: usize) -> Self {
        self.batch = batch.max(1);
        self
    }
}

/// What [`Watcher::open`] found and repaired.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OpenReport {
    /// Journal rows not yet done (scans interrupted by a crash; finished by the first step).
    pub unfinished: u64,
    /// Bytes of an interrupted append cut from the end of `results.jsonl`.
    pub cut_bytes: u64,
}

/// What [`Watcher::run`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RunSummary {
    /// Scans whose line was appended to `results.jsonl` during this run.
    pub appended: u64,
}

/// The result of [`verify`]: the journal's counts after the check.
pub type Verification = JournalCounts;

/// A watcher holding the output folder's lock and journal.
#[derive(Debug)]
pub struct Watcher {
    config: WatchConfig,
    journal: Journal,
    inbox: Inbox,
    results_dir: PathBuf,
    jsonl: PathBuf,
    done_dir: PathBuf,
    _lock: File,
}

fn lock_out_dir(out_dir: &Path) -> Result<File, WatchError> {
    let path = out_dir.join(LOCK_FILE);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(WatchError::io("creating the lock file", &path))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(WatchError::Locked { path }),
        Err(std::fs::TryLockError::Error(source)) => Err(WatchError::Io {
            what: "locking",
            path,
            source,
        }),
    }
}

/// Reads a result file: exactly one `armscan.scan/2` JSON line. `None` when it is missing or not
/// such a line (then the scan is screened again).
fn read_result(path: &Path) -> Option<(Vec<u8>, ScanRecord)> {
    let bytes = std::fs::read(path).ok()?;
    let text = std::str::from_utf8(&bytes).ok()?;
    let body = text.strip_suffix('\n')?;
    if body.contains('\n') {
        return None;
    }
    let record: ScanRecord = serde_json::from_str(body).ok()?;
    Some((bytes, record))
}

impl Watcher {
    /// Creates the output folder and `IN_DIR/.done`, takes the lock, opens the journal (checking
    /// it serves `in_dir`), and cuts the remains of an interrupted append from `results.jsonl`.
    ///
    /// # Errors
    /// [`WatchError::Locked`] when another watcher holds the folder; [`WatchError::OtherInDir`];
    /// [`WatchError::Inconsistent`] when `results.jsonl` is shorter than the journal says;
    /// I/O and journal errors.
    pub fn open(config: WatchConfig) -> Result<(Self, OpenReport), WatchError> {
        let meta = std::fs::metadata(&config.in_dir)
            .map_err(WatchError::io("reading input folder", &config.in_dir))?;
        if !meta.is_dir() {
            return Err(WatchError::Io {
                what: "input folder",
                path: config.in_dir.clone(),
                source: std::io::Error::other("not a folder"),
            });
        }
        let out = &config.out_dir;
        let results_dir = out.join(RESULTS_DIR);
        std::fs::create_dir_all(&results_dir).map_err(WatchError::io("creating", &results_dir))?;
        let done_dir = config.in_dir.join(DONE_DIR);
        std::fs::create_dir_all(&done_dir).map_err(WatchError::io("creating", &done_dir))?;
        let lock = lock_out_dir(out)?;
        let journal = Journal::open(&out.join(JOURNAL_FILE))?;
        let canonical = std::fs::canonicalize(&config.in_dir)
            .map_err(WatchError::io("resolving", &config.in_dir))?;
        journal.bind_in_dir(&canonical, out)?;

        let jsonl = out.join(RESULTS_JSONL);
        let end = journal.jsonl_end()?;
        let len = match std::fs::metadata(&jsonl) {
            Ok(m) => m.len(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => 0,
            Err(e) => {
                return Err(WatchError::Io {
                    what: "reading",
                    path: jsonl,
                    source: e,
                })
            }
        };
        let mut report = OpenReport {
            unfinished: journal.counts()?.unfinished(),
            cut_bytes: 0,
        };
        if len < end {
            return Err(WatchError::Inconsistent {
                path: jsonl,
                reason: format!(
                    "{len} bytes, but the journal has {end} bytes of lines in it \
                     (truncated or replaced?)"
                ),
            });
        }
        if len > end {
            let f = std::fs::OpenOptions::new()
                .write(true)
                .open(&jsonl)
                .map_err(WatchError::io("opening", &jsonl))?;
            f.set_len(end)
                .map_err(WatchError::io("cutting an unfinished append from", &jsonl))?;
            f.sync_all().map_err(WatchError::io("syncing", &jsonl))?;
            report.cut_bytes = len - end;
        }
        let inbox = Inbox::new(config.settle, config.pair_wait);
        Ok((
            Self {
                config,
                journal,
                inbox,
                results_dir,
                jsonl,
                done_dir,
                _lock: lock,
            },
            report,
        ))
    }

    /// The journal.
    #[must_use]
    pub fn journal(&self) -> &Journal {
        &self.journal
    }

    /// The configuration.
    #[must_use]
    pub fn config(&self) -> &WatchConfig {
        &self.config
    }

    fn result_path(&self, entry: &JournalEntry) -> PathBuf {
        let first = entry.files.first().map_or("scan", |f| f.name.as_str());
        self.results_dir
            .join(format!("{:08}_{first}.json", entry.id))
    }

    fn input_of(&self, entry: &JournalEntry) -> ScanInput {
        let dir = &self.config.in_dir;
        match entry.files.as_slice() {
            [high, low] => ScanInput::DualPair {
                high: dir.join(&high.name),
                low: dir.join(&low.name),
            },
            [one, ..] => ScanInput::File(dir.join(&one.name)),
            [] => ScanInput::Broken {
                path: dir.join(&entry.name),
                reason: "journal row lists no file".into(),
            },
        }
    }

    /// Carries every unfinished row to `done`: screen those without a result file and write it
    /// (`claimed` → `written`), append the lines of `written` rows (→ `appended`), move the inputs
    /// of `appended` rows (→ `done`). The same code finishes a batch in normal running and after a
    /// crash. Returns how many lines were appended.
    fn finish<S, R>(&mut self, screen: &mut S, on_record: &mut R) -> Result<u64, WatchError>
    where
        S: FnMut(&[ScanInput]) -> Vec<ScanRecord>,
        R: FnMut(&ScanRecord),
    {
        let rows = self.journal.unfinished()?;
        if rows.is_empty() {
            return Ok(0);
        }
        // 1. Results. A result file, once renamed into place, is final: it is reused, so the
        //    line appended is the same however often this step is repeated.
        let mut to_screen: Vec<&JournalEntry> = Vec::new();
        let mut written: Vec<(i64, String)> = Vec::new();
        for row in rows
            .iter()
            .filter(|r| matches!(r.state, ScanState::Claimed | ScanState::Written))
        {
            match read_result(&self.result_path(row)) {
                Some((_, record)) if row.state == ScanState::Claimed => {
                    written.push((row.id, record.status.as_str().to_owned()))
                }
                Some(_) => {}
                None => to_screen.push(row),
            }
        }
        if !to_screen.is_empty() {
            let inputs: Vec<ScanInput> = to_screen.iter().map(|r| self.input_of(r)).collect();
            let records = screen(&inputs);
            if records.len() != inputs.len() {
                return Err(WatchError::Screen(format!(
                    "{} records for {} inputs",
                    records.len(),
                    inputs.len()
                )));
            }
            for (row, record) in to_screen.iter().zip(&records) {
                let mut line = Vec::new();
                write_jsonl(&mut line, record).map_err(|e| WatchError::Screen(e.to_string()))?;
                write_atomic(&self.result_path(row), &line)?;
                if row.state == ScanState::Claimed {
                    written.push((row.id, record.status.as_str().to_owned()));
                }
            }
            sync_dir(&self.results_dir)?;
        }
        self.journal.mark_written(&written)?;

        // 2. Lines. Written at the end the journal vouches for (anything after it is cut), fsynced,
        //    then rows and the new end are committed in one transaction.
        let rows = self.journal.unfinished()?;
        let mut bytes = Vec::new();
        let mut marks = Vec::new();
        let mut records = Vec::new();
        let end = self.journal.jsonl_end()?;
        let mut offset = end;
        for row in rows.iter().filter(|r| r.state == ScanState::Written) {
            let path = self.result_path(row);
            let (line, record) = read_result(&path).ok_or_else(|| WatchError::Inconsistent {
                path: path.clone(),
                reason: "result file missing or not one JSON line".into(),
            })?;
            marks.push((row.id, offset, line.len() as u64));
            offset += line.len() as u64;
            bytes.extend_from_slice(&line);
            records.push(record);
        }
        if !marks.is_empty() {
            let new_end = append_at(&self.jsonl, end, &bytes)?;
            self.journal.mark_appended(&marks, new_end)?;
            for r in &records {
                on_record(r);
            }
        }

        // 3. Inputs. Moved to IN_DIR/.done/<id>_<name> when they are still the files claimed.
        let rows = self.journal.unfinished()?;
        let mut done = Vec::new();
        for row in rows.iter().filter(|r| r.state == ScanState::Appended) {
            let mut notes = Vec::new();
            for f in &row.files {
                let src = self.config.in_dir.join(&f.name);
                let dest = self.done_dir.join(format!("{:08}_{}", row.id, f.name));
                let note = match std::fs::metadata(&src) {
                    Ok(m) if Fingerprint::of(&m) == f.fingerprint => {
                        std::fs::rename(&src, &dest)
                            .map_err(WatchError::io("moving the screened input", &src))?;
                        format!(
                            "moved {} to {DONE_DIR}/{}",
                            f.name,
                            dest.file_name()
                                .map(|n| n.to_string_lossy())
                                .unwrap_or_default()
                        )
                    }
                    Ok(_) => {
                        self.inbox.forget([&f.name]);
                        format!(
                            "{} was replaced after it was claimed; \
                             the new file is left to be screened",
                            f.name
                        )
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        if dest.exists() {
                            format!("moved {} to {DONE_DIR}/ (before a restart)", f.name)
                        } else {
                            format!("{} had vanished", f.name)
                        }
                    }
                    Err(e) => {
                        return Err(WatchError::Io {
                            what: "reading",
                            path: src,
                            source: e,
                        })
                    }
                };
                notes.push(note);
            }
            done.push((row.id, notes.join("; ")));
        }
        if !done.is_empty() {
            sync_dir(&self.config.in_dir)?;
            sync_dir(&self.done_dir)?;
            self.journal.mark_done(&done)?;
        }
        Ok(marks.len() as u64)
    }

    /// One round: finish what a crash left, take the scans that are complete now (at most
    /// `batch`), and carry them through. Returns how many lines were appended.
    ///
    /// # Errors
    /// Faults of the watcher's own files ([`WatchError`]); a scan that cannot be screened is a
    /// record with status `error`, not an error here.
    pub fn step<S, R>(&mut self, screen: &mut S, on_record: &mut R) -> Result<u64, WatchError>
    where
        S: FnMut(&[ScanInput]) -> Vec<ScanRecord>,
        R: FnMut(&ScanRecord),
    {
        let mut appended = self.finish(screen, on_record)?;
        let busy: HashSet<String> = self
            .journal
            .unfinished()?
            .into_iter()
            .flat_map(|r| r.files.into_iter().map(|f| f.name))
            .collect();
        let mut ready = self
            .inbox
            .poll(&self.config.in_dir, &busy, Instant::now())?;
        ready.truncate(self.config.batch);
        if !ready.is_empty() {
            let claims: Vec<_> = ready.into_iter().map(|r| (r.name, r.files)).collect();
            self.journal.claim(&claims)?;
            self.inbox.forget(
                claims
                    .iter()
                    .flat_map(|(_, files)| files.iter().map(|f| f.name.clone())),
            );
            appended += self.finish(screen, on_record)?;
        }
        Ok(appended)
    }

    /// Steps until `stop` is set, sleeping `poll` when idle. A scan being screened when `stop` is
    /// set is finished (result, line, move) before this returns.
    ///
    /// # Errors
    /// As [`Watcher::step`].
    pub fn run<S, R>(
        &mut self,
        screen: &mut S,
        on_record: &mut R,
        stop: &AtomicBool,
    ) -> Result<RunSummary, WatchError>
    where
        S: FnMut(&[ScanInput]) -> Vec<ScanRecord>,
        R: FnMut(&ScanRecord),
    {
        let mut summary = RunSummary::default();
        while !stop.load(Ordering::SeqCst) {
            let n = self.step(screen, on_record)?;
            summary.appended += n;
            if n == 0 {
                let until = Instant::now() + self.config.poll;
                while !stop.load(Ordering::SeqCst) && Instant::now() < until {
                    std::thread::sleep(self.config.poll.min(Duration::from_millis(20)));
                }
            }
        }
        Ok(summary)
    }

    /// Closes the journal (checkpointing its WAL) and releases the lock.
    ///
    /// # Errors
    /// [`WatchError::Journal`].
    pub fn close(self) -> Result<(), WatchError> {
        self.journal.close()
    }
}

/// Checks an output folder while no watcher runs: every line the journal vouches for is in
/// `results.jsonl` at its offset and equals the scan's result file, lines are not shared, and the
/// file is exactly as long as the journal says. Returns the journal's counts.
///
/// # Errors
/// [`WatchError::Locked`] while a watcher runs; [`WatchError::Inconsistent`]
/// naming the first disagreement.
pub fn verify(out_dir: &Path) -> Result<Verification, WatchError> {
    let _lock = lock_out_dir(out_dir)?;
    let journal = Journal::open(&out_dir.join(JOURNAL_FILE))?;
    let counts = journal.counts()?;
    let jsonl = out_dir.join(RESULTS_JSONL);
    let bytes = match std::fs::read(&jsonl) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => {
            return Err(WatchError::Io {
                what: "reading",
                path: jsonl,
                source: e,
            })
        }
    };
    let bad = |reason: String| WatchError::Inconsistent {
        path: jsonl.clone(),
        reason,
    };
    if bytes.len() as u64 != counts.jsonl_end {
        return Err(bad(format!(
            "{} bytes, the journal says {}",
            bytes.len(),
            counts.jsonl_end
        )));
    }
    let mut rows = Vec::new();
    for row in journal.all()? {
        if !matches!(row.state, ScanState::Appended | ScanState::Done) {
            continue;
        }
        let (Some(offset), Some(len)) = (row.line_offset, row.line_len) else {
            return Err(bad(format!(
                "row {} ({}) is {} without a line offset",
                row.id,
                row.name,
                row.state.as_str()
            )));
        };
        rows.push((offset, len, row));
    }
    // Lines follow one another without gaps or overlaps, in the order they were appended.
    rows.sort_by_key(|(offset, _, _)| *offset);
    let mut next = 0u64;
    for (offset, len, row) in rows {
        if offset != next {
            return Err(bad(format!(
                "row {} ({}) starts at {offset}, expected {next}",
                row.id, row.name
            )));
        }
        next = offset + len;
        let line = usize::try_from(offset)
            .ok()
            .zip(usize::try_from(next).ok())
            .and_then(|(a, b)| bytes.get(a..b))
            .ok_or_else(|| bad(format!("row {} ({}): line past the end", row.id, row.name)))?;
        let first = row.files.first().map_or("scan", |f| f.name.as_str());
        let result = out_dir
            .join(RESULTS_DIR)
            .join(format!("{:08}_{first}.json", row.id));
        let expected = std::fs::read(&result).map_err(WatchError::io("reading", &result))?;
        if expected != line {
            return Err(bad(format!(
                "row {} ({}): line differs from {}",
                row.id,
                row.name,
                result.display()
            )));
        }
    }
    if next != counts.jsonl_end {
        return Err(bad(format!(
            "lines end at {next}, the journal says {}",
            counts.jsonl_end
        )));
    }
    journal.close()?;
    Ok(counts)
}
