//! Trainer mode's tables, in the console's SQLite database beside the decisions: courses,
//! training and exam sessions, the trials shown, the trainees' answers and the exam
//! certificates.
//!
//! Trials, answers and certificates refuse `UPDATE` and `DELETE` (triggers): a trial is
//! recorded when it is shown, an answer once (a second answer to the same trial is refused by
//! its primary key), and a certificate can never be edited. The staircase keeps no state of its
//! own: it is the trainee's threat-trial outcomes replayed in order, so it can always be
//! recomputed from the answers.

use std::path::Path;

use rusqlite::{params, OptionalExtension, Row};
use serde::Serialize;

use crate::error::ServeError;
use crate::sqlite::Sqlite;

const SCHEMA: &str = "
PRAGMA journal_mode = WAL;
PRAGMA synchronous = FULL;
PRAGMA foreign_keys = ON;
CREATE TABLE IF NOT EXISTS trainer_courses (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('training', 'exam')),
    spec TEXT NOT NULL,
    pass_mark_d_prime REAL,
    set_version TEXT,
    created_utc TEXT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS trainer_sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    token TEXT NOT NULL UNIQUE,
    course_id INTEGER NOT NULL REFERENCES trainer_courses(id),
    trainee TEXT NOT NULL,
    seed INTEGER NOT NULL,
    started_utc TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS trainer_trials (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    token TEXT NOT NULL UNIQUE,
    session_id INTEGER NOT NULL REFERENCES trainer_sessions(id),
    idx INTEGER NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('projected', 'replay')),
    category TEXT CHECK (category IN ('firearm', 'part', 'ammunition')),
    levels TEXT NOT NULL,
    box TEXT,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    shown_utc TEXT NOT NULL,
    UNIQUE (session_id, idx)
);
CREATE TABLE IF NOT EXISTS trainer_answers (
    trial_id INTEGER PRIMARY KEY REFERENCES trainer_trials(id),
    answered_utc TEXT NOT NULL,
    answer TEXT NOT NULL CHECK (answer IN ('threat', 'clear')),
    mark_x REAL,
    mark_y REAL,
    category TEXT CHECK (category IN ('firearm', 'part', 'ammunition')),
    response_ms INTEGER NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('hit', 'miss', 'false_alarm', 'correct_rejection'))
);
CREATE TABLE IF NOT EXISTS trainer_certificates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id INTEGER NOT NULL UNIQUE REFERENCES trainer_sessions(id),
    trainee TEXT NOT NULL,
    course TEXT NOT NULL,
    set_version TEXT NOT NULL,
    issued_utc TEXT NOT NULL,
    trials INTEGER NOT NULL,
    hit_rate REAL,
    false_alarm_rate REAL,
    d_prime REAL,
    pass_mark_d_prime REAL NOT NULL,
    passed INTEGER NOT NULL
);
CREATE TRIGGER IF NOT EXISTS trainer_trials_no_update BEFORE UPDATE ON trainer_trials
BEGIN SELECT RAISE(ABORT, 'trials are recorded once'); END;
CREATE TRIGGER IF NOT EXISTS trainer_trials_no_delete BEFORE DELETE ON trainer_trials
BEGIN SELECT RAISE(ABORT, 'trials are recorded once'); END;
CREATE TRIGGER IF NOT EXISTS trainer_answers_no_update BEFORE UPDATE ON trainer_answers
BEGIN SELECT RAISE(ABORT, 'answers are final'); END;
CREATE TRIGGER IF NOT EXISTS trainer_answers_no_delete BEFORE DELETE ON trainer_answers
BEGIN SELECT RAISE(ABORT, 'answers are final'); END;
CREATE TRIGGER IF NOT EXISTS trainer_certificates_no_update BEFORE UPDATE ON trainer_certificates
BEGIN SELECT RAISE(ABORT, 'certificates cannot be edited'); END;
CREATE TRIGGER IF NOT EXISTS trainer_certificates_no_delete BEFORE DELETE ON trainer_certificates
BEGIN SELECT RAISE(ABORT, 'certificates cannot be edited'); END;
";

/// Training (adaptive) or exam (a fixed set, a pass mark, a certificate).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CourseKind {
    Training,
    Exam,
}

impl CourseKind {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            CourseKind::Training => "training",
            CourseKind::Exam => "exam",
        }
    }

    #[must_use]
    pub fn parse(word: &str) -> Option<Self> {
        match word {
            "training" => Some(CourseKind::Training),
            "exam" => Some(CourseKind::Exam),
            _ => None,
        }
    }
}

/// A course row. `spec` is the [`armscan_trainer::plan::CourseSpec`] as JSON.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CourseRow {
    pub id: i64,
    pub name: String,
    pub kind: CourseKind,
    #[serde(skip)]
    pub spec_json: String,
    pub pass_mark_d_prime: Option<f64>,
    pub set_version: Option<String>,
    pub created_utc: String,
    pub created_by: String,
}

/// A training or exam session of one trainee.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SessionRow {
    pub id: i64,
    pub token: String,
    pub course_id: i64,
    pub trainee: String,
    #[serde(skip)]
    pub seed: u64,
    pub started_utc: String,
}

/// A trial as shown, with its answer once given.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TrialRow {
    pub id: i64,
    pub token: String,
    pub session_id: i64,
    pub index: u32,
    /// The threat's category; `None` for a clean trial.
    pub category: Option<String>,
    /// The difficulty levels, as JSON.
    pub levels_json: String,
    /// The threat's box `[x_min, y_min, x_max, y_max]`, image pixels.
    pub box_in_image: Option<[f32; 4]>,
    pub width: u32,
    pub height: u32,
    pub shown_utc: String,
    /// A labelled real scan replayed (not a projection; it does not move the staircase).
    pub replay: bool,
    pub answer: Option<AnswerRow>,
}

/// A trainee's answer to a trial.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AnswerRow {
    pub answered_utc: String,
    /// `threat` or `clear`.
    pub answer: String,
    /// Where the trainee marked the threat, image pixels.
    pub mark: Option<[f32; 2]>,
    pub category: Option<String>,
    pub response_ms: u64,
    /// `hit`, `miss`, `false_alarm` or `correct_rejection`.
    pub outcome: String,
}

/// One answered trial with what scoring needs, for reports.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AnsweredTrial {
    pub trainee: String,
    pub course: String,
    pub kind: CourseKind,
    pub session_id: i64,
    pub session_started_utc: String,
    pub index: u32,
    pub category: Option<String>,
    pub levels_json: String,
    pub replay: bool,
    pub answer: AnswerRow,
}

/// A certificate of an exam session; never edited.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CertificateRow {
    pub id: i64,
    pub session_id: i64,
    pub trainee: String,
    pub course: String,
    pub set_version: String,
    pub issued_utc: String,
    pub trials: u32,
    pub hit_rate: Option<f64>,
    pub false_alarm_rate: Option<f64>,
    pub d_prime: Option<f64>,
    pub pass_mark_d_prime: f64,
    pub passed: bool,
}

/// Trainer mode's database handle (its own connection to the console's database file).
#[derive(Debug)]
pub struct TrainerDb {
    db: Sqlite,
}

fn json_box(text: Option<String>) -> Option<[f32; 4]> {
    text.and_then(|t| serde_json::from_str(&t).ok())
}

const TRIAL_COLUMNS: &str = "t.id, t.token, t.session_id, t.idx, t.category, t.levels, t.box, \
     t.width, t.height, t.shown_utc, t.source, a.answered_utc, a.answer, a.mark_x, a.mark_y, \
     a.category, a.response_ms, a.outcome";

fn answer_at(r: &Row<'_>, at: usize) -> rusqlite::Result<Option<AnswerRow>> {
    let answered: Option<String> = r.get(at)?;
    let Some(answered_utc) = answered else {
        return Ok(None);
    };
    let (mx, my): (Option<f64>, Option<f64>) = (r.get(at + 2)?, r.get(at + 3)?);
    Ok(Some(AnswerRow {
        answered_utc,
        answer: r.get(at + 1)?,
        mark: mx.zip(my).map(|(x, y)| [x as f32, y as f32]),
        category: r.get(at + 4)?,
        response_ms: u64::try_from(r.get::<_, i64>(at + 5)?).unwrap_or(0),
        outcome: r.get(at + 6)?,
    }))
}

fn trial_row(r: &Row<'_>) -> rusqlite::Result<TrialRow> {
    Ok(TrialRow {
        id: r.get(0)?,
        token: r.get(1)?,
        session_id: r.get(2)?,
        index: r.get(3)?,
        category: r.get(4)?,
        levels_json: r.get(5)?,
        box_in_image: json_box(r.get(6)?),
        width: r.get(7)?,
        height: r.get(8)?,
        shown_utc: r.get(9)?,
        replay: r.get::<_, String>(10)? == "replay",
        answer: answer_at(r, 11)?,
    })
}

fn course_row(r: &Row<'_>) -> rusqlite::Result<CourseRow> {
    let kind: String = r.get(2)?;
    Ok(CourseRow {
        id: r.get(0)?,
        name: r.get(1)?,
        kind: CourseKind::parse(&kind).unwrap_or(CourseKind::Training),
        spec_json: r.get(3)?,
        pass_mark_d_prime: r.get(4)?,
        set_version: r.get(5)?,
        created_utc: r.get(6)?,
        created_by: r.get(7)?,
    })
}

fn session_row(r: &Row<'_>) -> rusqlite::Result<SessionRow> {
    Ok(SessionRow {
        id: r.get(0)?,
        token: r.get(1)?,
        course_id: r.get(2)?,
        trainee: r.get(3)?,
        seed: u64::from_ne_bytes(r.get::<_, i64>(4)?.to_ne_bytes()),
        started_utc: r.get(5)?,
    })
}

fn certificate_row(r: &Row<'_>) -> rusqlite::Result<CertificateRow> {
    Ok(CertificateRow {
        id: r.get(0)?,
        session_id: r.get(1)?,
        trainee: r.get(2)?,
        course: r.get(3)?,
        set_version: r.get(4)?,
        issued_utc: r.get(5)?,
        trials: r.get(6)?,
        hit_rate: r.get(7)?,
        false_alarm_rate: r.get(8)?,
        d_prime: r.get(9)?,
        pass_mark_d_prime: r.get(10)?,
        passed: r.get::<_, i64>(11)? != 0,
    })
}

/// A new course.
#[derive(Clone, Debug)]
pub struct NewCourse {
    pub name: String,
    pub kind: CourseKind,
    pub spec_json: String,
    pub pass_mark_d_prime: Option<f64>,
    pub set_version: Option<String>,
    pub created_by: String,
}

/// A trial being shown.
#[derive(Clone, Debug)]
pub struct NewTrial {
    pub token: String,
    pub session_id: i64,
    pub index: u32,
    pub replay: bool,
    pub category: Option<String>,
    pub levels_json: String,
    pub box_in_image: Option<[f32; 4]>,
    pub width: u32,
    pub height: u32,
}

/// A certificate to issue.
#[derive(Clone, Debug)]
pub struct NewCertificate {
    pub session_id: i64,
    pub trainee: String,
    pub course: String,
    pub set_version: String,
    pub trials: u32,
    pub hit_rate: Option<f64>,
    pub false_alarm_rate: Option<f64>,
    pub d_prime: Option<f64>,
    pub pass_mark_d_prime: f64,
    pub passed: bool,
}

impl TrainerDb {
    /// Opens (creating) trainer mode's tables in the database at `path`.
    ///
    /// # Errors
    /// [`ServeError::Database`].
    pub fn open(path: &Path) -> Result<Self, ServeError> {
        Ok(Self {
            db: Sqlite::open(path, SCHEMA)?,
        })
    }

    /// Adds a course; `None` when the name is taken.
    ///
    /// # Errors
    /// [`ServeError::Database`].
    pub fn create_course(
        &self,
        c: &NewCourse,
        now_utc: &str,
    ) -> Result<Option<CourseRow>, ServeError> {
        let id = self.db.with(|conn| {
            let n = conn.execute(
                "INSERT OR IGNORE INTO trainer_courses
                    (name, kind, spec, pass_mark_d_prime, set_version, created_utc, created_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    c.name,
                    c.kind.as_str(),
                    c.spec_json,
                    c.pass_mark_d_prime,
                    c.set_version,
                    now_utc,
                    c.created_by
                ],
            )?;
            Ok((n == 1).then(|| conn.last_insert_rowid()))
        })?;
        match id {
            Some(id) => self.course(id),
            None => Ok(None),
        }
    }

    /// Every course, oldest first.
    ///
    /// # Errors
    /// [`ServeError::Database`].
    pub fn courses(&self) -> Result<Vec<CourseRow>, ServeError> {
        self.db.with(|c| {
            let mut st = c.prepare(
                "SELECT id, name, kind, spec, pass_mark_d_prime, set_version, created_utc,
                    created_by FROM trainer_courses ORDER BY id",
            )?;
            let rows = st.query_map([], course_row)?;
            rows.collect()
        })
    }

    /// One course.
    ///
    /// # Errors
    /// [`ServeError::Database`].
    pub fn course(&self, id: i64) -> Result<Option<CourseRow>, ServeError> {
        self.db.with(|c| {
            c.query_row(
                "SELECT id, name, kind, spec, pass_mark_d_prime, set_version, created_utc,
                    created_by FROM trainer_courses WHERE id = ?1",
                params![id],
                course_row,
            )
            .optional()
        })
    }

    /// Starts a session of `trainee` on a course.
    ///
    /// # Errors
    /// [`ServeError::Database`].
    pub fn start_session(
        &self,
        course_id: i64,
        trainee: &str,
        seed: u64,
        token: &str,
        now_utc: &str,
    ) -> Result<SessionRow, ServeError> {
        let id = self.db.with(|c| {
            c.execute(
                "INSERT INTO trainer_sessions (token, course_id, trainee, seed, started_utc)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    token,
                    course_id,
                    trainee,
                    i64::from_ne_bytes(seed.to_ne_bytes()),
                    now_utc
                ],
            )?;
            Ok(c.last_insert_rowid())
        })?;
        Ok(SessionRow {
            id,
            token: token.to_owned(),
            course_id,
            trainee: trainee.to_owned(),
            seed,
            started_utc: now_utc.to_owned(),
        })
    }

    /// A session by its token.
    ///
    /// # Errors
    /// [`ServeError::Database`].
    pub fn session(&self, token: &str) -> Result<Option<SessionRow>, ServeError> {
        self.db.with(|c| {
            c.query_row(
                "SELECT id, token, course_id, trainee, seed, started_utc FROM trainer_sessions
                 WHERE token = ?1",
                params![token],
                session_row,
            )
            .optional()
        })
    }

    /// The sessions of a trainee (every trainee's with `None`), oldest first.
    ///
    /// # Errors
    /// [`ServeError::Database`].
    pub fn sessions(&self, trainee: Option<&str>) -> Result<Vec<SessionRow>, ServeError> {
        self.db.with(|c| {
            let mut st = c.prepare(
                "SELECT id, token, course_id, trainee, seed, started_utc FROM trainer_sessions
                 WHERE ?1 IS NULL OR trainee = ?1 ORDER BY id",
            )?;
            let rows = st.query_map(params![trainee], session_row)?;
            rows.collect()
        })
    }

    /// The trials of a session with their answers, in order.
    ///
    /// # Errors
    /// [`ServeError::Database`].
    pub fn trials(&self, session_id: i64) -> Result<Vec<TrialRow>, ServeError> {
        self.db.with(|c| {
            let mut st = c.prepare(&format!(
                "SELECT {TRIAL_COLUMNS} FROM trainer_trials t
                 LEFT JOIN trainer_answers a ON a.trial_id = t.id
                 WHERE t.session_id = ?1 ORDER BY t.idx"
            ))?;
            let rows = st.query_map(params![session_id], trial_row)?;
            rows.collect()
        })
    }

    /// A trial by its token, with its answer.
    ///
    /// # Errors
    /// [`ServeError::Database`].
    pub fn trial(&self, token: &str) -> Result<Option<TrialRow>, ServeError> {
        self.db.with(|c| {
            c.query_row(
                &format!(
                    "SELECT {TRIAL_COLUMNS} FROM trainer_trials t
                     LEFT JOIN trainer_answers a ON a.trial_id = t.id WHERE t.token = ?1"
                ),
                params![token],
                trial_row,
            )
            .optional()
        })
    }

    /// Records a trial as shown; `false` when the session already has a trial at that index
    /// (a second tab asked at the same moment: the first one stands).
    ///
    /// # Errors
    /// [`ServeError::Database`].
    pub fn add_trial(&self, t: &NewTrial, now_utc: &str) -> Result<bool, ServeError> {
        let box_json = t
            .box_in_image
            .map(|b| serde_json::to_string(&b).unwrap_or_default());
        self.db.with(|c| {
            let n = c.execute(
                "INSERT OR IGNORE INTO trainer_trials
                    (token, session_id, idx, category, levels, box, width, height, shown_utc,
                     source)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    t.token,
                    t.session_id,
                    t.index,
                    t.category,
                    t.levels_json,
                    box_json,
                    t.width,
                    t.height,
                    now_utc,
                    if t.replay { "replay" } else { "projected" }
                ],
            )?;
            Ok(n == 1)
        })
    }

    /// Records an answer; `false` when the trial was already answered (answers are final).
    ///
    /// # Errors
    /// [`ServeError::Database`].
    pub fn answer(&self, trial_id: i64, a: &AnswerRow) -> Result<bool, ServeError> {
        self.db.with(|c| {
            let n = c.execute(
                "INSERT OR IGNORE INTO trainer_answers
                    (trial_id, answered_utc, answer, mark_x, mark_y, category, response_ms, outcome)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    trial_id,
                    a.answered_utc,
                    a.answer,
                    a.mark.map(|m| f64::from(m[0])),
                    a.mark.map(|m| f64::from(m[1])),
                    a.category,
                    i64::try_from(a.response_ms).unwrap_or(i64::MAX),
                    a.outcome
                ],
            )?;
            Ok(n == 1)
        })
    }

    /// Every answered trial (of one trainee with `Some`), in answer order.
    ///
    /// # Errors
    /// [`ServeError::Database`].
    pub fn answered(&self, trainee: Option<&str>) -> Result<Vec<AnsweredTrial>, ServeError> {
        self.db.with(|c| {
            let mut st = c.prepare(
                "SELECT s.trainee, co.name, co.kind, s.id, s.started_utc, t.idx, t.category,
                    t.levels, t.source, a.answered_utc, a.answer, a.mark_x, a.mark_y, a.category,
                    a.response_ms, a.outcome
                 FROM trainer_answers a
                 JOIN trainer_trials t ON t.id = a.trial_id
                 JOIN trainer_sessions s ON s.id = t.session_id
                 JOIN trainer_courses co ON co.id = s.course_id
                 WHERE ?1 IS NULL OR s.trainee = ?1
                 ORDER BY a.answered_utc, a.trial_id",
            )?;
            let rows = st.query_map(params![trainee], |r| {
                let kind: String = r.get(2)?;
                Ok(AnsweredTrial {
                    trainee: r.get(0)?,
                    course: r.get(1)?,
                    kind: CourseKind::parse(&kind).unwrap_or(CourseKind::Training),
                    session_id: r.get(3)?,
                    session_started_utc: r.get(4)?,
                    index: r.get(5)?,
                    category: r.get(6)?,
                    levels_json: r.get(7)?,
                    replay: r.get::<_, String>(8)? == "replay",
                    answer: answer_at(r, 9)?.unwrap_or_else(|| AnswerRow {
                        answered_utc: String::new(),
                        answer: String::new(),
                        mark: None,
                        category: None,
                        response_ms: 0,
                        outcome: String::new(),
                    }),
                })
            })?;
            rows.collect()
        })
    }

    /// Issues a certificate; `None` when the session already has one.
    ///
    /// # Errors
    /// [`ServeError::Database`].
    pub fn issue_certificate(
        &self,
        c: &NewCertificate,
        now_utc: &str,
    ) -> Result<Option<CertificateRow>, ServeError> {
        let inserted = self.db.with(|conn| {
            let n = conn.execute(
                "INSERT OR IGNORE INTO trainer_certificates
                    (session_id, trainee, course, set_version, issued_utc, trials, hit_rate,
                     false_alarm_rate, d_prime, pass_mark_d_prime, passed)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    c.session_id,
                    c.trainee,
                    c.course,
                    c.set_version,
                    now_utc,
                    c.trials,
                    c.hit_rate,
                    c.false_alarm_rate,
                    c.d_prime,
                    c.pass_mark_d_prime,
                    i64::from(c.passed)
                ],
            )?;
            Ok(n == 1)
        })?;
        if !inserted {
            return Ok(None);
        }
        Ok(self
            .certificates(Some(&c.trainee))?
            .into_iter()
            .find(|r| r.session_id == c.session_id))
    }

    /// The certificates (of one trainee with `Some`), oldest first.
    ///
    /// # Errors
    /// [`ServeError::Database`].
    pub fn certificates(&self, trainee: Option<&str>) -> Result<Vec<CertificateRow>, ServeError> {
        self.db.with(|c| {
            let mut st = c.prepare(
                "SELECT id, session_id, trainee, course, set_version, issued_utc, trials, hit_rate,
                    false_alarm_rate, d_prime, pass_mark_d_prime, passed
                 FROM trainer_certificates WHERE ?1 IS NULL OR trainee = ?1 ORDER BY id",
            )?;
            let rows = st.query_map(params![trainee], certificate_row)?;
            rows.collect()
        })
    }
}
