//! The durable journal: one SQLite row per input scan, moved through its states in transactions.
//!
//! States, in order (see the crate docs for the recovery rules):
//!
//! | state      | what is durable when a row is in it                                               |
//! |------------|-----------------------------------------------------------------------------------|
//! | `claimed`  | the input (its file names and fingerprints) was taken; nothing else               |
//! | `written`  | its record is in `results/<id>_<name>.json` (written to a temp name, fsynced, renamed) |
//! | `appended` | its line is in `results.jsonl` at `line_offset`, and `meta.jsonl_end` counts it    |
//! | `done`     | its files were moved to `IN_DIR/.done/` (or had vanished or been replaced)        |
//!
//! `meta.jsonl_end` is the length of `results.jsonl` that the journal vouches for. Bytes past it
//! are the remains of an append that was cut short and are cut off before the next append.

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension};

use crate::error::WatchError;

/// Version of the journal's tables.
pub const JOURNAL_SCHEMA_VERSION: i64 = 1;

/// Where a scan is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScanState {
    Claimed,
    Written,
    Appended,
    Done,
}

impl ScanState {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            ScanState::Claimed => "claimed",
            ScanState::Written => "written",
            ScanState::Appended => "appended",
            ScanState::Done => "done",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        match text {
            "claimed" => Some(ScanState::Claimed),
            "written" => Some(ScanState::Written),
            "appended" => Some(ScanState::Appended),
            "done" => Some(ScanState::Done),
            _ => None,
        }
    }
}

/// Size, modification time and inode of a file when it was claimed: a file found with another
/// fingerprint at the same name is another scan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Fingerprint {
    pub size: u64,
    pub mtime_ns: i128,
    pub inode: u64,
}

impl Fingerprint {
    /// The fingerprint of `meta`.
    #[must_use]
    pub fn of(meta: &std::fs::Metadata) -> Self {
        let mtime_ns = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| i128::try_from(d.as_nanos()).unwrap_or(i128::MAX));
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(meta);
        #[cfg(not(unix))]
        let inode = 0;
        Self {
            size: meta.len(),
            mtime_ns,
            inode,
        }
    }

    fn to_text(self) -> String {
        format!("{}:{}:{}", self.size, self.mtime_ns, self.inode)
    }

    fn from_text(text: &str) -> Option<Self> {
        let mut it = text.split(':');
        let size = it.next()?.parse().ok()?;
        let mtime_ns = it.next()?.parse().ok()?;
        let inode = it.next()?.parse().ok()?;
        Some(Self {
            size,
            mtime_ns,
            inode,
        })
    }
}

/// One input file of a scan: its name in the input folder and its fingerprint when claimed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimedFile {
    pub name: String,
    pub fingerprint: Fingerprint,
}

/// One row of the journal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JournalEntry {
    pub id: i64,
    /// The scan's name relative to the input folder (`x.png`, or `x_{high,low}.png` for a pair).
    pub name: String,
    /// Its files (one, or high then low for a dual-energy pair).
    pub files: Vec<ClaimedFile>,
    pub state: ScanState,
    /// The record's status (`clear|alarm|review|error`), once written.
    pub status: Option<String>,
    /// Where its line starts in `results.jsonl`, once appended.
    pub line_offset: Option<u64>,
    /// The line's length in bytes, newline included, once appended.
    pub line_len: Option<u64>,
}

/// How many rows are in each state, and the length of `results.jsonl` the journal vouches for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct JournalCounts {
    pub claimed: u64,
    pub written: u64,
    pub appended: u64,
    pub done: u64,
    pub jsonl_end: u64,
}

impl JournalCounts {
    /// Rows not yet `done`.
    #[must_use]
    pub fn unfinished(&self) -> u64 {
        self.claimed + self.written + self.appended
    }
}

/// The SQLite journal (WAL mode, `synchronous=FULL`: a committed transaction survives a crash of
/// the process and of the machine).
#[derive(Debug)]
pub struct Journal {
    conn: Connection,
    path: PathBuf,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS scans (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL,
    files       TEXT NOT NULL,   -- JSON: [[file name, \"size:mtime_ns:inode\"], ...]
    state       TEXT NOT NULL CHECK (state IN ('claimed', 'written', 'appended', 'done')),
    status      TEXT,
    line_offset INTEGER,
    line_len    INTEGER,
    note        TEXT,
    claimed_ms  INTEGER NOT NULL,
    done_ms     INTEGER
);
-- One unfinished row per name: a name is only taken again once its previous scan is done.
CREATE UNIQUE INDEX IF NOT EXISTS scans_unfinished_name ON scans(name) WHERE state <> 'done';
CREATE INDEX IF NOT EXISTS scans_state ON scans(state);
";

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn files_to_json(files: &[ClaimedFile]) -> String {
    let list: Vec<serde_json::Value> = files
        .iter()
        .map(|f| serde_json::json!([f.name, f.fingerprint.to_text()]))
        .collect();
    serde_json::Value::Array(list).to_string()
}

fn files_from_json(text: &str) -> Option<Vec<ClaimedFile>> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    value
        .as_array()?
        .iter()
        .map(|pair| {
            let name = pair.get(0)?.as_str()?.to_owned();
            let fingerprint = Fingerprint::from_text(pair.get(1)?.as_str()?)?;
            Some(ClaimedFile { name, fingerprint })
        })
        .collect()
}

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

impl Journal {
    /// Opens (creating if needed) the journal at `path`.
    ///
    /// # Errors
    /// [`WatchError::Journal`] when SQLite cannot open or set it up.
    pub fn open(path: &Path) -> Result<Self, WatchError> {
        let err = |source| WatchError::Journal {
            path: path.to_owned(),
            source,
        };
        let conn = Connection::open(path).map_err(err)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(err)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(err)?;
        conn.execute_batch(SCHEMA).map_err(err)?;
        let journal = Self {
            conn,
            path: path.to_owned(),
        };
        match journal.meta("schema_version")? {
            None => journal.set_meta("schema_version", &JOURNAL_SCHEMA_VERSION.to_string())?,
            Some(v) if v == JOURNAL_SCHEMA_VERSION.to_string() => {}
            Some(v) => {
                return Err(WatchError::Inconsistent {
                    path: path.to_owned(),
                    reason: format!(
                        "journal schema version {v}, this armscan reads {JOURNAL_SCHEMA_VERSION}"
                    ),
                })
            }
        }
        Ok(journal)
    }

    /// Where the journal lives.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn err(&self) -> impl Fn(rusqlite::Error) -> WatchError + '_ {
        move |source| WatchError::Journal {
            path: self.path.clone(),
            source,
        }
    }

    /// A value of the `meta` table.
    ///
    /// # Errors
    /// [`WatchError::Journal`].
    pub fn meta(&self, key: &str) -> Result<Option<String>, WatchError> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key = ?1", params![key], |r| {
                r.get(0)
            })
            .optional()
            .map_err(self.err())
    }

    fn set_meta(&self, key: &str, value: &str) -> Result<(), WatchError> {
        self.conn
            .execute(
                "INSERT INTO meta(key, value) VALUES (?1, ?2) \
                 ON CONFLICT(key) DO UPDATE SET value = ?2",
                params![key, value],
            )
            .map(drop)
            .map_err(self.err())
    }

    /// Records the input folder the journal serves, or checks it is the one recorded.
    ///
    /// # Errors
    /// [`WatchError::OtherInDir`] when the journal was made for another folder.
    pub fn bind_in_dir(&self, in_dir: &Path, out_dir: &Path) -> Result<(), WatchError> {
        let given = in_dir.display().to_string();
        match self.meta("in_dir")? {
            None => self.set_meta("in_dir", &given),
            Some(journal) if journal == given => Ok(()),
            Some(journal) => Err(WatchError::OtherInDir {
                out_dir: out_dir.to_owned(),
                journal,
                given,
            }),
        }
    }

    /// The length of `results.jsonl` the journal vouches for.
    ///
    /// # Errors
    /// [`WatchError::Journal`], or [`WatchError::Inconsistent`] when
    /// the stored value is not a number.
    pub fn jsonl_end(&self) -> Result<u64, WatchError> {
        match self.meta("jsonl_end")? {
            None => Ok(0),
            Some(v) => v.parse().map_err(|_| WatchError::Inconsistent {
                path: self.path.clone(),
                reason: format!("meta jsonl_end is `{v}`, not a byte count"),
            }),
        }
    }

    /// Takes new inputs: one `claimed` row each, in one transaction. Returns their ids.
    ///
    /// # Errors
    /// [`WatchError::Journal`] (also when a name already has an unfinished row).
    pub fn claim(&mut self, scans: &[(String, Vec<ClaimedFile>)]) -> Result<Vec<i64>, WatchError> {
        let path = self.path.clone();
        let err = |source| WatchError::Journal {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(err)?;
        let mut ids = Vec::with_capacity(scans.len());
        for (name, files) in scans {
            tx.execute(
                "INSERT INTO scans(name, files, state, claimed_ms) VALUES (?1, ?2, 'claimed', ?3)",
                params![name, files_to_json(files), now_ms()],
            )
            .map_err(err)?;
            ids.push(tx.last_insert_rowid());
        }
        tx.commit().map_err(err)?;
        Ok(ids)
    }

    /// Rows not yet `done`, oldest first.
    ///
    /// # Errors
    /// [`WatchError::Journal`], or [`WatchError::Inconsistent`] for a row that cannot be read.
    pub fn unfinished(&self) -> Result<Vec<JournalEntry>, WatchError> {
        self.entries("WHERE state <> 'done'")
    }

    /// Every row, oldest first.
    ///
    /// # Errors
    /// As [`Journal::unfinished`].
    pub fn all(&self) -> Result<Vec<JournalEntry>, WatchError> {
        self.entries("")
    }

    fn entries(&self, filter: &str) -> Result<Vec<JournalEntry>, WatchError> {
        let sql = format!(
            "SELECT id, name, files, state, status, line_offset, line_len \
             FROM scans {filter} ORDER BY id"
        );
        let mut stmt = self.conn.prepare(&sql).map_err(self.err())?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<i64>>(5)?,
                    r.get::<_, Option<i64>>(6)?,
                ))
            })
            .map_err(self.err())?;
        let mut out = Vec::new();
        for row in rows {
            let (id, name, files, state, status, offset, len) = row.map_err(self.err())?;
            let bad = |what: &str| WatchError::Inconsistent {
                path: self.path.clone(),
                reason: format!("row {id}: {what}"),
            };
            let files = files_from_json(&files).ok_or_else(|| bad("unreadable file list"))?;
            let state = ScanState::parse(&state).ok_or_else(|| bad("unknown state"))?;
            let as_u64 = |v: Option<i64>| v.and_then(|v| u64::try_from(v).ok());
            out.push(JournalEntry {
                id,
                name,
                files,
                state,
                status,
                line_offset: as_u64(offset),
                line_len: as_u64(len),
            });
        }
        Ok(out)
    }

    /// Marks rows `written` with their record's status, in one transaction.
    ///
    /// # Errors
    /// [`WatchError::Journal`].
    pub fn mark_written(&mut self, rows: &[(i64, String)]) -> Result<(), WatchError> {
        let path = self.path.clone();
        let err = |source| WatchError::Journal {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(err)?;
        for (id, status) in rows {
            tx.execute(
                "UPDATE scans SET state = 'written', status = ?2 \
                 WHERE id = ?1 AND state = 'claimed'",
                params![id, status],
            )
            .map_err(err)?;
        }
        tx.commit().map_err(err)
    }

    /// Marks rows `appended` at their offsets and moves `jsonl_end` to `new_end`, in one
    /// transaction: the lines and the count that vouches for them become durable together.
    ///
    /// # Errors
    /// [`WatchError::Journal`].
    pub fn mark_appended(
        &mut self,
        rows: &[(i64, u64, u64)],
        new_end: u64,
    ) -> Result<(), WatchError> {
        let path = self.path.clone();
        let err = |source| WatchError::Journal {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(err)?;
        for &(id, offset, len) in rows {
            tx.execute(
                "UPDATE scans SET state = 'appended', line_offset = ?2, line_len = ?3 \
                 WHERE id = ?1 AND state = 'written'",
                params![id, to_i64(offset), to_i64(len)],
            )
            .map_err(err)?;
        }
        tx.execute(
            "INSERT INTO meta(key, value) VALUES ('jsonl_end', ?1) \
             ON CONFLICT(key) DO UPDATE SET value = ?1",
            params![new_end.to_string()],
        )
        .map_err(err)?;
        tx.commit().map_err(err)
    }

    /// Marks rows `done`, each with a note (where its files went, or why they were left).
    ///
    /// # Errors
    /// [`WatchError::Journal`].
    pub fn mark_done(&mut self, rows: &[(i64, String)]) -> Result<(), WatchError> {
        let path = self.path.clone();
        let err = |source| WatchError::Journal {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(err)?;
        for (id, note) in rows {
            tx.execute(
                "UPDATE scans SET state = 'done', note = ?2, done_ms = ?3 \
                 WHERE id = ?1 AND state = 'appended'",
                params![id, note, now_ms()],
            )
            .map_err(err)?;
        }
        tx.commit().map_err(err)
    }

    /// Rows per state and `jsonl_end`.
    ///
    /// # Errors
    /// [`WatchError::Journal`].
    pub fn counts(&self) -> Result<JournalCounts, WatchError> {
        let mut counts = JournalCounts {
            jsonl_end: self.jsonl_end()?,
            ..JournalCounts::default()
        };
        let mut stmt = self
            .conn
            .prepare("SELECT state, COUNT(*) FROM scans GROUP BY state")
            .map_err(self.err())?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
            .map_err(self.err())?;
        for row in rows {
            let (state, n) = row.map_err(self.err())?;
            let n = u64::try_from(n).unwrap_or(0);
            match ScanState::parse(&state) {
                Some(ScanState::Claimed) => counts.claimed = n,
                Some(ScanState::Written) => counts.written = n,
                Some(ScanState::Appended) => counts.appended = n,
                Some(ScanState::Done) => counts.done = n,
                None => {}
            }
        }
        Ok(counts)
    }

    /// Checkpoints the WAL into the database file and closes the connection.
    ///
    /// # Errors
    /// [`WatchError::Journal`].
    pub fn close(self) -> Result<(), WatchError> {
        let path = self.path.clone();
        let err = |source| WatchError::Journal {
            path: path.clone(),
            source,
        };
        self.conn
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
            .map_err(err)?;
        self.conn.close().map_err(|(_, source)| err(source))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn file(name: &str) -> ClaimedFile {
        ClaimedFile {
            name: name.into(),
            fingerprint: Fingerprint {
                size: 3,
                mtime_ns: -5,
                inode: 7,
            },
        }
    }

    #[test]
    fn rows_move_through_their_states() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Journal::open(&dir.path().join("j.sqlite")).unwrap();
        let ids = j
            .claim(&[
                ("a.png".into(), vec![file("a.png")]),
                ("b.png".into(), vec![file("b.png")]),
            ])
            .unwrap();
        assert!(
            j.claim(&[("a.png".into(), vec![file("a.png")])]).is_err(),
            "one unfinished row per name"
        );
        j.mark_written(&[(ids[0], "clear".into())]).unwrap();
        j.mark_appended(&[(ids[0], 0, 10)], 10).unwrap();
        j.mark_done(&[(ids[0], "moved".into())]).unwrap();
        let c = j.counts().unwrap();
        assert_eq!(
            (c.claimed, c.written, c.appended, c.done, c.jsonl_end),
            (1, 0, 0, 1, 10)
        );
        let left = j.unfinished().unwrap();
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].files, vec![file("b.png")]);
        // the name is free again once its scan is done
        j.claim(&[("a.png".into(), vec![file("a.png")])]).unwrap();
        j.close().unwrap();
        let j = Journal::open(&dir.path().join("j.sqlite")).unwrap();
        assert_eq!(j.counts().unwrap().claimed, 2);
    }
}
