//! The console's SQLite database: operators, their sessions, and the decisions, append-only.
//!
//! `decisions` refuses `UPDATE` and `DELETE` (triggers): a correction is a new row for the same
//! scan, and the latest row per scan is its decision state. Every row keeps the operator, the
//! UTC time, the scan's id, name and sha256, the engine's verdict and top score, the decision
//! and its category, the note, the tools used and the time from display to decision; for a
//! seizure, the fine class and (ammunition) the rounds; and the site and lane of the console.
//!
//! Databases made before a column existed open: [`DecisionDb::open`] adds the missing columns
//! ([`ADDED_COLUMNS`]) and old rows keep `NULL` there.

use std::collections::BTreeMap;
use std::path::Path;

use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::ServeError;
use crate::sqlite::Sqlite;

const SCHEMA: &str = "
PRAGMA journal_mode = WAL;
PRAGMA synchronous = FULL;
PRAGMA foreign_keys = ON;
CREATE TABLE IF NOT EXISTS operators (
    name TEXT PRIMARY KEY,
    first_login_utc TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    token_sha256 TEXT PRIMARY KEY,
    operator TEXT NOT NULL REFERENCES operators(name),
    created_utc TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    decided_utc TEXT NOT NULL,
    operator TEXT NOT NULL REFERENCES operators(name),
    scan_id TEXT NOT NULL,
    scan_name TEXT NOT NULL,
    scan_sha256 TEXT,
    engine_status TEXT NOT NULL,
    engine_top_score REAL,
    decision TEXT NOT NULL CHECK (decision IN ('clear', 'threat', 'search')),
    category TEXT CHECK (category IN ('firearm', 'part', 'ammunition', 'other')),
    note TEXT,
    tools TEXT NOT NULL,
    display_to_decision_ms INTEGER,
    fine_class TEXT,
    rounds INTEGER CHECK (rounds IS NULL OR rounds >= 0),
    site TEXT,
    lane TEXT
);
CREATE INDEX IF NOT EXISTS decisions_by_scan ON decisions(scan_id, id);
CREATE TRIGGER IF NOT EXISTS decisions_no_update BEFORE UPDATE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only: record a correction as a new row'); END;
CREATE TRIGGER IF NOT EXISTS decisions_no_delete BEFORE DELETE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
";

/// Columns of `decisions` added after its first release, with their definitions: added by
/// `ALTER TABLE` to a database that lacks them (the same definitions as in the `CREATE TABLE`).
pub const ADDED_COLUMNS: [(&str, &str); 4] = [
    ("fine_class", "TEXT"),
    ("rounds", "INTEGER CHECK (rounds IS NULL OR rounds >= 0)"),
    ("site", "TEXT"),
    ("lane", "TEXT"),
];

/// The operator's call on a scan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DecisionKind {
    /// Nothing to stop: the parcel goes on.
    Clear,
    /// A threat seen on the image (with its category).
    Threat,
    /// Not decidable on the image: the parcel goes to a hand search.
    Search,
}

impl DecisionKind {
    /// Parses the API's word.
    #[must_use]
    pub fn parse(word: &str) -> Option<Self> {
        match word {
            "clear" => Some(Self::Clear),
            "threat" => Some(Self::Threat),
            "search" => Some(Self::Search),
            _ => None,
        }
    }

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Clear => "clear",
            Self::Threat => "threat",
            Self::Search => "search",
        }
    }
}

/// The category of a threat decision: the Protocol's three, or something else.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ThreatCategory {
    Firearm,
    Part,
    Ammunition,
    Other,
}

impl ThreatCategory {
    /// Parses the API's word.
    #[must_use]
    pub fn parse(word: &str) -> Option<Self> {
        match word {
            "firearm" => Some(Self::Firearm),
            "part" => Some(Self::Part),
            "ammunition" => Some(Self::Ammunition),
            "other" => Some(Self::Other),
            _ => None,
        }
    }

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Firearm => "firearm",
            Self::Part => "part",
            Self::Ammunition => "ammunition",
            Self::Other => "other",
        }
    }
}

/// A decision to record.
#[derive(Clone, Debug)]
pub struct NewDecision {
    pub operator: String,
    pub scan_id: String,
    pub scan_name: String,
    pub scan_sha256: Option<String>,
    /// The engine's verdict word (`clear|alarm|review|error`).
    pub engine_status: String,
    pub engine_top_score: Option<f32>,
    pub decision: DecisionKind,
    /// Set for [`DecisionKind::Threat`] only.
    pub category: Option<ThreatCategory>,
    pub note: Option<String>,
    /// The image tools the operator had used on this scan, in order of first use.
    pub tools: Vec<String>,
    /// Time from the scan's display to the decision, as the page measured it.
    pub display_to_decision_ms: Option<u64>,
    /// The fine class seized (a known fine class of the decision's category), threats only.
    pub fine_class: Option<String>,
    /// Rounds of ammunition seized, for an ammunition threat, when the operator gave them.
    pub rounds: Option<u64>,
    /// Where the parcel was scanned: the console's site (`armscan serve --site`).
    pub site: Option<String>,
    /// The console's lane within the site (`armscan serve --lane`).
    pub lane: Option<String>,
}

/// A recorded decision, one row of `decisions`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DecisionRow {
    pub id: i64,
    pub decided_utc: String,
    pub operator: String,
    pub scan_id: String,
    pub scan_name: String,
    pub scan_sha256: Option<String>,
    pub engine_status: String,
    pub engine_top_score: Option<f64>,
    pub decision: String,
    pub category: Option<String>,
    pub note: Option<String>,
    pub tools: String,
    pub display_to_decision_ms: Option<i64>,
    pub fine_class: Option<String>,
    pub rounds: Option<i64>,
    pub site: Option<String>,
    pub lane: Option<String>,
}

/// The decisions a shift report covers: `decided_utc` in `[from_utc, to_utc)`, either end
/// open. Times are `YYYY-MM-DDTHH:MM:SSZ`, the form decisions are stored in, so they compare
/// as text.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ShiftWindow {
    pub from_utc: Option<String>,
    pub to_utc: Option<String>,
}

impl ShiftWindow {
    /// Every decision.
    #[must_use]
    pub fn all() -> Self {
        Self::default()
    }

    /// The `hours` before `now_unix_s` (a shift that is running).
    #[must_use]
    pub fn last_hours(hours: u32, now_unix_s: u64) -> Self {
        Self {
            from_utc: Some(armscan::utc_from_unix_seconds(
                now_unix_s.saturating_sub(u64::from(hours) * 3600),
            )),
            to_utc: None,
        }
    }

    /// A window from its two ends, each `YYYY-MM-DDTHH:MM:SSZ` or a day `YYYY-MM-DD` (its
    /// midnight, UTC); empty ends are open.
    ///
    /// # Errors
    /// A message naming the end that is neither form, or `from` not before `to`.
    pub fn parse(from: Option<&str>, to: Option<&str>) -> Result<Self, String> {
        let end = |name: &str, v: Option<&str>| -> Result<Option<String>, String> {
            match v.map(str::trim).filter(|v| !v.is_empty()) {
                None => Ok(None),
                Some(v) => normalise_utc(v).map(Some).ok_or_else(|| {
                    format!(
                        "{name}: a UTC time YYYY-MM-DDTHH:MM:SSZ or a day YYYY-MM-DD, not {v:?}"
                    )
                }),
            }
        };
        let window = Self {
            from_utc: end("from", from)?,
            to_utc: end("to", to)?,
        };
        if let (Some(f), Some(t)) = (&window.from_utc, &window.to_utc) {
            if f >= t {
                return Err("from: must be before to".into());
            }
        }
        Ok(window)
    }

    /// Whether a stored `decided_utc` falls inside.
    #[must_use]
    pub fn contains(&self, decided_utc: &str) -> bool {
        self.from_utc.as_deref().is_none_or(|f| decided_utc >= f)
            && self.to_utc.as_deref().is_none_or(|t| decided_utc < t)
    }
}

/// `YYYY-MM-DD` → `YYYY-MM-DDT00:00:00Z`; `YYYY-MM-DDTHH:MM:SSZ` as it is; anything else `None`.
fn normalise_utc(v: &str) -> Option<String> {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let b = v.as_bytes();
    let date_ok = v.len() >= 10
        && digits(&v[0..4])
        && b[4] == b'-'
        && digits(&v[5..7])
        && b[7] == b'-'
        && digits(&v[8..10])
        && (1..=12).contains(&v[5..7].parse::<u32>().ok()?)
        && (1..=31).contains(&v[8..10].parse::<u32>().ok()?);
    if !date_ok {
        return None;
    }
    match v.len() {
        10 => Some(format!("{v}T00:00:00Z")),
        20 if b[10] == b'T'
            && digits(&v[11..13])
            && b[13] == b':'
            && digits(&v[14..16])
            && b[16] == b':'
            && digits(&v[17..19])
            && b[19] == b'Z'
            && v[11..13].parse::<u32>().ok()? < 24
            && v[14..16].parse::<u32>().ok()? < 60
            && v[17..19].parse::<u32>().ok()? < 60 =>
        {
            Some(v.to_owned())
        }
        _ => None,
    }
}

/// A shift report over the latest decision of each scan within a [`ShiftWindow`].
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ShiftReport {
    /// The decisions counted.
    pub window: ShiftWindow,
    /// Decision rows, corrections included.
    pub rows: u64,
    /// Scans with a decision.
    pub scans_decided: u64,
    /// Corrections: rows after a scan's first.
    pub corrections: u64,
    /// Latest decisions by kind (`clear`, `threat`, `search`).
    pub by_decision: BTreeMap<String, u64>,
    /// Latest threat decisions by category.
    pub by_category: BTreeMap<String, u64>,
    /// Latest decisions by operator.
    pub by_operator: BTreeMap<String, u64>,
    /// Scans the engine screened (not `error`) that have a decision.
    pub compared: u64,
    /// Of those, the ones where operator and engine agree: engine `clear` and operator `clear`,
    /// or engine `alarm`/`review` and operator `threat`/`search`.
    pub agreed: u64,
    /// `agreed / compared`, `None` when nothing was compared.
    pub agreement: Option<f64>,
    /// Engine flagged (alarm/review), operator cleared.
    pub engine_flagged_operator_cleared: u64,
    /// Engine clear, operator flagged (threat/search).
    pub engine_clear_operator_flagged: u64,
    /// Mean time from display to decision, in milliseconds.
    pub mean_display_to_decision_ms: Option<f64>,
}

/// The database, one connection behind a mutex (decisions are small, rare writes).
#[derive(Debug)]
pub struct DecisionDb {
    db: Sqlite,
    /// Of [`ADDED_COLUMNS`], those a database opened read-only lacks (read as `NULL`).
    missing: Vec<&'static str>,
}

/// The column names of `decisions` (empty when there is no such table).
fn decision_columns(c: &rusqlite::Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = c.prepare("SELECT name FROM pragma_table_info('decisions')")?;
    let names = stmt.query_map([], |r| r.get(0))?;
    names.collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

impl DecisionDb {
    /// Opens (creating) the database and its tables.
    ///
    /// # Errors
    /// [`ServeError::Database`].
    pub fn open(path: &Path) -> Result<Self, ServeError> {
        let db = Sqlite::open(path, SCHEMA)?;
        db.with(|c| {
            let have = decision_columns(c)?;
            for (name, definition) in ADDED_COLUMNS {
                if !have.iter().any(|h| h == name) {
                    c.execute_batch(&format!(
                        "ALTER TABLE decisions ADD COLUMN {name} {definition}"
                    ))?;
                }
            }
            Ok(())
        })?;
        Ok(Self {
            db,
            missing: Vec::new(),
        })
    }

    /// Opens an existing console database to read it (`armscan stats`): nothing is created or
    /// changed; columns an old database lacks read as `NULL`.
    ///
    /// # Errors
    /// [`ServeError::NotConsoleDb`] when the file is missing, not SQLite, or has no
    /// `decisions` table; [`ServeError::Database`].
    pub fn open_read_only(path: &Path) -> Result<Self, ServeError> {
        let not = |reason: &str| ServeError::NotConsoleDb {
            path: path.to_owned(),
            reason: reason.to_owned(),
        };
        if !path.is_file() {
            return Err(not("no such file"));
        }
        let db = Sqlite::open_read_only(path)?;
        let have = db.with(|c| decision_columns(c)).map_err(|e| match e {
            ServeError::Database {
                source: rusqlite::Error::SqliteFailure(f, _),
                ..
            } if f.code == rusqlite::ErrorCode::NotADatabase => not("not a SQLite database"),
            e => e,
        })?;
        if have.is_empty() {
            return Err(not("it has no decisions table"));
        }
        let missing = ADDED_COLUMNS
            .iter()
            .map(|(name, _)| *name)
            .filter(|name| !have.iter().any(|h| h == name))
            .collect();
        Ok(Self { db, missing })
    }

    /// Where the database lives.
    #[must_use]
    pub fn path(&self) -> &Path {
        self.db.path()
    }

    /// Records a login: the operator (kept by name) and a new session for `token`.
    ///
    /// # Errors
    /// [`ServeError::Database`].
    pub fn login(&self, operator: &str, token: &str, now_utc: &str) -> Result<(), ServeError> {
        self.db.with(|c| {
            let tx = c.transaction()?;
            tx.execute(
                "INSERT OR IGNORE INTO operators (name, first_login_utc) VALUES (?1, ?2)",
                params![operator, now_utc],
            )?;
            tx.execute(
                "INSERT INTO sessions (token_sha256, operator, created_utc) VALUES (?1, ?2, ?3)",
                params![token_hash(token), operator, now_utc],
            )?;
            tx.commit()
        })
    }

    /// Ends a session.
    ///
    /// # Errors
    /// [`ServeError::Database`].
    pub fn logout(&self, token: &str) -> Result<(), ServeError> {
        self.db.with(|c| {
            c.execute(
                "DELETE FROM sessions WHERE token_sha256 = ?1",
                params![token_hash(token)],
            )
            .map(|_| ())
        })
    }

    /// The operator of a session token, if it is one.
    ///
    /// # Errors
    /// [`ServeError::Database`].
    pub fn operator_of(&self, token: &str) -> Result<Option<String>, ServeError> {
        self.db.with(|c| {
            c.query_row(
                "SELECT operator FROM sessions WHERE token_sha256 = ?1",
                params![token_hash(token)],
                |r| r.get(0),
            )
            .optional()
        })
    }

    /// Appends a decision and returns its row.
    ///
    /// # Errors
    /// [`ServeError::Database`].
    pub fn record(&self, d: &NewDecision, now_utc: &str) -> Result<DecisionRow, ServeError> {
        let id = self.db.with(|c| {
            c.execute(
                "INSERT INTO decisions (decided_utc, operator, scan_id, scan_name, scan_sha256,
                    engine_status, engine_top_score, decision, category, note, tools,
                    display_to_decision_ms, fine_class, rounds, site, lane)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
                params![
                    now_utc,
                    d.operator,
                    d.scan_id,
                    d.scan_name,
                    d.scan_sha256,
                    d.engine_status,
                    d.engine_top_score.map(f64::from),
                    d.decision.as_str(),
                    d.category.map(ThreatCategory::as_str),
                    d.note,
                    d.tools.join(" "),
                    d.display_to_decision_ms
                        .map(|ms| i64::try_from(ms).unwrap_or(i64::MAX)),
                    d.fine_class,
                    d.rounds.map(|n| i64::try_from(n).unwrap_or(i64::MAX)),
                    d.site,
                    d.lane,
                ],
            )?;
            Ok(c.last_insert_rowid())
        })?;
        Ok(self
            .rows("WHERE id = ?1", params![id])?
            .into_iter()
            .next()
            .unwrap_or_else(|| DecisionRow {
                id,
                decided_utc: now_utc.to_owned(),
                operator: d.operator.clone(),
                scan_id: d.scan_id.clone(),
                scan_name: d.scan_name.clone(),
                scan_sha256: d.scan_sha256.clone(),
                engine_status: d.engine_status.clone(),
                engine_top_score: d.engine_top_score.map(f64::from),
                decision: d.decision.as_str().to_owned(),
                category: d.category.map(|c| c.as_str().to_owned()),
                note: d.note.clone(),
                tools: d.tools.join(" "),
                display_to_decision_ms: None,
                fine_class: d.fine_class.clone(),
                rounds: d.rounds.map(|n| i64::try_from(n).unwrap_or(i64::MAX)),
                site: d.site.clone(),
                lane: d.lane.clone(),
            }))
    }

    fn rows(
        &self,
        filter: &str,
        args: impl rusqlite::Params,
    ) -> Result<Vec<DecisionRow>, ServeError> {
        // an old database read without changing it: its missing columns read as NULL
        let added: Vec<String> = ADDED_COLUMNS
            .iter()
            .map(|(name, _)| {
                if self.missing.contains(name) {
                    format!("NULL AS {name}")
                } else {
                    (*name).to_owned()
                }
            })
            .collect();
        let sql = format!(
            "SELECT id, decided_utc, operator, scan_id, scan_name, scan_sha256, engine_status,
                engine_top_score, decision, category, note, tools, display_to_decision_ms, {}
             FROM decisions {filter} ORDER BY id",
            added.join(", ")
        );
        self.db.with(|c| {
            let mut stmt = c.prepare(&sql)?;
            let rows = stmt.query_map(args, |r| {
                Ok(DecisionRow {
                    id: r.get(0)?,
                    decided_utc: r.get(1)?,
                    operator: r.get(2)?,
                    scan_id: r.get(3)?,
                    scan_name: r.get(4)?,
                    scan_sha256: r.get(5)?,
                    engine_status: r.get(6)?,
                    engine_top_score: r.get(7)?,
                    decision: r.get(8)?,
                    category: r.get(9)?,
                    note: r.get(10)?,
                    tools: r.get(11)?,
                    display_to_decision_ms: r.get(12)?,
                    fine_class: r.get(13)?,
                    rounds: r.get(14)?,
                    site: r.get(15)?,
                    lane: r.get(16)?,
                })
            })?;
            rows.collect()
        })
    }

    /// Every decision, oldest first.
    ///
    /// # Errors
    /// [`ServeError::Database`].
    pub fn all(&self) -> Result<Vec<DecisionRow>, ServeError> {
        self.rows("", [])
    }

    /// The decisions of one scan, oldest first (the last is its state).
    ///
    /// # Errors
    /// [`ServeError::Database`].
    pub fn of_scan(&self, scan_id: &str) -> Result<Vec<DecisionRow>, ServeError> {
        self.rows("WHERE scan_id = ?1", params![scan_id])
    }

    /// The latest decision of each scan, by scan id.
    ///
    /// # Errors
    /// [`ServeError::Database`].
    pub fn latest(&self) -> Result<BTreeMap<String, DecisionRow>, ServeError> {
        Ok(self
            .rows(
                "WHERE id IN (SELECT MAX(id) FROM decisions GROUP BY scan_id)",
                [],
            )?
            .into_iter()
            .map(|r| (r.scan_id.clone(), r))
            .collect())
    }

    /// The shift report over the decisions made within `window` (a correction made after the
    /// window does not change it).
    ///
    /// # Errors
    /// [`ServeError::Database`].
    pub fn report(&self, window: &ShiftWindow) -> Result<ShiftReport, ServeError> {
        let rows: Vec<DecisionRow> = self
            .all()?
            .into_iter()
            .filter(|r| window.contains(&r.decided_utc))
            .collect();
        Ok(ShiftReport {
            window: window.clone(),
            ..shift_report(&rows)
        })
    }
}

impl DecisionDb {
    /// The seizure statistics (`armscan.seizures/1`) of the decisions made within the query's
    /// window: see [`crate::seizures`].
    ///
    /// # Errors
    /// [`ServeError::Database`].
    pub fn seizures(
        &self,
        query: &crate::seizures::SeizureQuery,
        generated_utc: &str,
    ) -> Result<crate::seizures::SeizureStats, ServeError> {
        Ok(crate::seizures::seizure_stats(
            &self.all()?,
            query,
            generated_utc,
        ))
    }
}

/// The shift report of a list of decision rows (oldest first).
#[must_use]
pub fn shift_report(all: &[DecisionRow]) -> ShiftReport {
    let mut latest: BTreeMap<&str, &DecisionRow> = BTreeMap::new();
    for row in all {
        latest.insert(&row.scan_id, row);
    }
    let mut report = ShiftReport {
        rows: all.len() as u64,
        scans_decided: latest.len() as u64,
        corrections: (all.len() - latest.len()) as u64,
        ..ShiftReport::default()
    };
    let (mut ms_sum, mut ms_n) = (0.0, 0u64);
    for row in latest.values() {
        *report.by_decision.entry(row.decision.clone()).or_default() += 1;
        *report.by_operator.entry(row.operator.clone()).or_default() += 1;
        if let Some(cat) = &row.category {
            *report.by_category.entry(cat.clone()).or_default() += 1;
        }
        if let Some(ms) = row.display_to_decision_ms {
            ms_sum += ms as f64;
            ms_n += 1;
        }
        let engine_flagged = match row.engine_status.as_str() {
            "alarm" | "review" => true,
            "clear" => false,
            _ => continue,
        };
        let operator_flagged = row.decision != "clear";
        report.compared += 1;
        if engine_flagged == operator_flagged {
            report.agreed += 1;
        } else if engine_flagged {
            report.engine_flagged_operator_cleared += 1;
        } else {
            report.engine_clear_operator_flagged += 1;
        }
    }
    if report.compared > 0 {
        report.agreement = Some(report.agreed as f64 / report.compared as f64);
    }
    if ms_n > 0 {
        report.mean_display_to_decision_ms = Some(ms_sum / ms_n as f64);
    }
    report
}

/// One CSV field: quoted when it holds a comma, quote or line break; a leading `=`, `+`, `-`
/// or `@` is prefixed with `'` so a spreadsheet does not run it as a formula.
pub(crate) fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// The decisions as CSV, one row per decision (corrections included), header first.
#[must_use]
pub fn decisions_csv(rows: &[DecisionRow]) -> String {
    let mut out = String::from(
        "id,decided_utc,operator,scan_id,scan_name,scan_sha256,engine_status,engine_top_score,\
         decision,category,note,tools,display_to_decision_ms,fine_class,rounds,site,lane\n",
    );
    for r in rows {
        let fields = [
            r.id.to_string(),
            r.decided_utc.clone(),
            r.operator.clone(),
            r.scan_id.clone(),
            r.scan_name.clone(),
            r.scan_sha256.clone().unwrap_or_default(),
            r.engine_status.clone(),
            r.engine_top_score
                .map(|s| format!("{s:.4}"))
                .unwrap_or_default(),
            r.decision.clone(),
            r.category.clone().unwrap_or_default(),
            r.note.clone().unwrap_or_default(),
            r.tools.clone(),
            r.display_to_decision_ms
                .map(|m| m.to_string())
                .unwrap_or_default(),
            r.fine_class.clone().unwrap_or_default(),
            r.rounds.map(|n| n.to_string()).unwrap_or_default(),
            r.site.clone().unwrap_or_default(),
            r.lane.clone().unwrap_or_default(),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

/// The shift report's counts as CSV (`section,key,count`).
#[must_use]
pub fn report_csv(report: &ShiftReport) -> String {
    let mut out = String::from("section,key,value\n");
    let mut push = |section: &str, key: &str, value: String| {
        out.push_str(&format!(
            "{},{},{}\n",
            csv_field(section),
            csv_field(key),
            value
        ));
    };
    push(
        "window",
        "from_utc",
        report.window.from_utc.clone().unwrap_or_default(),
    );
    push(
        "window",
        "to_utc",
        report.window.to_utc.clone().unwrap_or_default(),
    );
    push("total", "rows", report.rows.to_string());
    push("total", "scans_decided", report.scans_decided.to_string());
    push("total", "corrections", report.corrections.to_string());
    for (k, v) in &report.by_decision {
        push("decision", k, v.to_string());
    }
    for (k, v) in &report.by_category {
        push("category", k, v.to_string());
    }
    for (k, v) in &report.by_operator {
        push("operator", k, v.to_string());
    }
    push("engine", "compared", report.compared.to_string());
    push("engine", "agreed", report.agreed.to_string());
    push(
        "engine",
        "agreement",
        report
            .agreement
            .map(|a| format!("{a:.4}"))
            .unwrap_or_default(),
    );
    push(
        "engine",
        "engine_flagged_operator_cleared",
        report.engine_flagged_operator_cleared.to_string(),
    );
    push(
        "engine",
        "engine_clear_operator_flagged",
        report.engine_clear_operator_flagged.to_string(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decision(scan: &str, engine: &str, kind: DecisionKind) -> NewDecision {
        NewDecision {
            operator: "ana".into(),
            scan_id: scan.into(),
            scan_name: format!("{scan}.png"),
            scan_sha256: None,
            engine_status: engine.into(),
            engine_top_score: Some(0.9),
            decision: kind,
            category: (kind == DecisionKind::Threat).then_some(ThreatCategory::Firearm),
            note: None,
            tools: vec!["negative".into()],
            display_to_decision_ms: Some(1000),
            fine_class: None,
            rounds: None,
            site: None,
            lane: None,
        }
    }

    #[test]
    fn decisions_are_append_only_and_the_latest_counts() {
        let dir = tempfile::tempdir().unwrap();
        let db = DecisionDb::open(&dir.path().join("c.sqlite")).unwrap();
        db.login("ana", "tok", "2026-01-01T00:00:00Z").unwrap();
        assert_eq!(db.operator_of("tok").unwrap().as_deref(), Some("ana"));
        assert_eq!(db.operator_of("other").unwrap(), None);
        db.record(&decision("a", "alarm", DecisionKind::Clear), "t1")
            .unwrap();
        db.record(&decision("a", "alarm", DecisionKind::Threat), "t2")
            .unwrap();
        db.record(&decision("b", "clear", DecisionKind::Clear), "t3")
            .unwrap();
        let conn = rusqlite::Connection::open(db.path()).unwrap();
        assert!(conn
            .execute("UPDATE decisions SET decision = 'clear'", [])
            .is_err());
        assert!(conn.execute("DELETE FROM decisions", []).is_err());
        let r = db.report(&ShiftWindow::all()).unwrap();
        assert_eq!((r.rows, r.scans_decided, r.corrections), (3, 2, 1));
        assert_eq!(r.by_decision.get("threat"), Some(&1));
        assert_eq!(r.by_category.get("firearm"), Some(&1));
        assert_eq!((r.compared, r.agreed), (2, 2));
        assert_eq!(db.latest().unwrap()["a"].decision, "threat");
        let csv = decisions_csv(&db.all().unwrap());
        assert_eq!(csv.lines().count(), 4);
        assert!(csv.lines().nth(1).unwrap().contains(",ana,a,a.png,"));
    }

    #[test]
    fn a_window_counts_only_its_decisions() {
        let dir = tempfile::tempdir().unwrap();
        let db = DecisionDb::open(&dir.path().join("c.sqlite")).unwrap();
        let t = |h: u32| format!("2026-03-01T{h:02}:00:00Z");
        db.login("ana", "tok", &t(1)).unwrap();
        db.record(&decision("a", "alarm", DecisionKind::Threat), &t(5))
            .unwrap();
        db.record(&decision("b", "clear", DecisionKind::Clear), &t(7))
            .unwrap();
        // b corrected in the next shift: the first shift still counts b's first decision
        db.record(&decision("b", "clear", DecisionKind::Search), &t(15))
            .unwrap();
        let first = ShiftWindow::parse(Some("2026-03-01T04:00:00Z"), Some(&t(12))).unwrap();
        let r = db.report(&first).unwrap();
        assert_eq!((r.rows, r.scans_decided, r.corrections), (2, 2, 0));
        assert_eq!(r.by_decision.get("clear"), Some(&1));
        let second = ShiftWindow::parse(Some(&t(12)), None).unwrap();
        let r = db.report(&second).unwrap();
        assert_eq!((r.rows, r.scans_decided), (1, 1));
        assert_eq!(r.by_decision.get("search"), Some(&1));
        assert!(report_csv(&r).contains("window,from_utc,2026-03-01T12:00:00Z\n"));
        let day = ShiftWindow::parse(Some("2026-03-01"), Some("2026-03-02")).unwrap();
        assert_eq!(db.report(&day).unwrap().rows, 3);
        // 2026-03-01T12:00:00Z is 1772366400 s; 3 h before is 09:00
        assert_eq!(
            ShiftWindow::last_hours(3, 1_772_366_400)
                .from_utc
                .as_deref(),
            Some("2026-03-01T09:00:00Z")
        );
        for bad in [
            "yesterday",
            "2026-13-01",
            "2026-03-01T25:00:00Z",
            "2026-03-01 05:00",
        ] {
            assert!(ShiftWindow::parse(Some(bad), None)
                .unwrap_err()
                .starts_with("from:"));
        }
        assert!(ShiftWindow::parse(Some(&t(9)), Some(&t(8))).is_err());
    }

    /// `decisions` as the first console made it, before fine class, rounds, site and lane.
    const OLD_SCHEMA: &str = "
        CREATE TABLE operators (name TEXT PRIMARY KEY, first_login_utc TEXT NOT NULL);
        CREATE TABLE decisions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            decided_utc TEXT NOT NULL,
            operator TEXT NOT NULL REFERENCES operators(name),
            scan_id TEXT NOT NULL, scan_name TEXT NOT NULL, scan_sha256 TEXT,
            engine_status TEXT NOT NULL, engine_top_score REAL,
            decision TEXT NOT NULL CHECK (decision IN ('clear', 'threat', 'search')),
            category TEXT CHECK (category IN ('firearm', 'part', 'ammunition', 'other')),
            note TEXT, tools TEXT NOT NULL, display_to_decision_ms INTEGER
        );
        INSERT INTO operators VALUES ('ana', '2025-01-01T00:00:00Z');
        INSERT INTO decisions (decided_utc, operator, scan_id, scan_name, engine_status,
            decision, category, tools)
        VALUES ('2025-01-02T00:00:00Z', 'ana', 'a', 'a.png', 'alarm', 'threat', 'ammunition', ''),
               ('2025-01-02T00:01:00Z', 'ana', 'b', 'b.png', 'clear', 'clear', NULL, '');
    ";

    #[test]
    fn an_old_database_opens_and_keeps_its_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite");
        rusqlite::Connection::open(&path)
            .unwrap()
            .execute_batch(OLD_SCHEMA)
            .unwrap();
        // read-only: nothing changed, the new columns read as NULL
        let ro = DecisionDb::open_read_only(&path).unwrap();
        let rows = ro.all().unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].rounds, rows[0].site.as_deref()), (None, None));
        let stats = ro
            .seizures(&crate::seizures::SeizureQuery::default(), "now")
            .unwrap();
        assert_eq!(stats.totals.ammunition_decisions_without_rounds, 1);
        drop(ro);
        let conn = rusqlite::Connection::open(&path).unwrap();
        assert_eq!(
            decision_columns(&conn).unwrap().len(),
            13,
            "read-only added nothing"
        );
        drop(conn);
        // opened by the console: the columns are added, the rows kept
        let db = DecisionDb::open(&path).unwrap();
        assert_eq!(db.all().unwrap()[..], rows[..]);
        let mut d = decision("c", "alarm", DecisionKind::Threat);
        d.category = Some(ThreatCategory::Ammunition);
        d.fine_class = Some("cartridge".into());
        d.rounds = Some(50);
        d.site = Some("north".into());
        d.lane = Some("belt 2".into());
        let row = db.record(&d, "2025-01-03T00:00:00Z").unwrap();
        assert_eq!(row.rounds, Some(50));
        assert_eq!(
            (row.site.as_deref(), row.lane.as_deref()),
            (Some("north"), Some("belt 2"))
        );
        assert_eq!(db.all().unwrap().len(), 3);
        // the same columns as a new database's, and the rounds check holds on the old one
        let fresh = DecisionDb::open(&dir.path().join("new.sqlite")).unwrap();
        let columns = |p: &Path| decision_columns(&rusqlite::Connection::open(p).unwrap()).unwrap();
        assert_eq!(columns(&path), columns(fresh.path()));
        let conn = rusqlite::Connection::open(&path).unwrap();
        assert!(conn
            .execute(
                "INSERT INTO decisions (decided_utc, operator, scan_id, scan_name, engine_status,
                 decision, tools, rounds) VALUES ('t', 'ana', 'x', 'x', 'clear', 'clear', '', -1)",
                [],
            )
            .is_err());
        // opening again adds nothing twice
        drop(db);
        DecisionDb::open(&path).unwrap();
    }

    #[test]
    fn read_only_refuses_what_is_not_a_console_database() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.sqlite");
        let err = DecisionDb::open_read_only(&missing)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("not an armscan console database: no such file"),
            "{err}"
        );
        assert!(!missing.exists(), "nothing created");
        let text = dir.path().join("notes.txt");
        std::fs::write(
            &text,
            "just some text, long enough to be no SQLite header at all....",
        )
        .unwrap();
        let err = DecisionDb::open_read_only(&text).unwrap_err().to_string();
        assert!(err.contains("not a SQLite database"), "{err}");
        let other = dir.path().join("other.sqlite");
        rusqlite::Connection::open(&other)
            .unwrap()
            .execute_batch("CREATE TABLE t (x)")
            .unwrap();
        let err = DecisionDb::open_read_only(&other).unwrap_err().to_string();
        assert!(err.contains("no decisions table"), "{err}");
    }

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=1+1"), "'=1+1");
        assert_eq!(csv_field("plain"), "plain");
    }
}
