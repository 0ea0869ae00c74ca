//! Trainer mode (`/trainer` on the console): courses of trials made on the spot by threat
//! projection into clean bags, a trainee's answers (threat or not, where, which category),
//! signal-detection scores per trainee, session and category, an adaptive staircase per trainee
//! and category, and exams with certificates. The scoring, the staircase and the trial plans are
//! `armscan-trainer`'s; the projection is `armscan-synth`'s; this module stores and serves.
//!
//! Trainees never see an answer before answering: a trial is served as an image and an opaque
//! token; its category and box are returned only in the reply to its answer (training), or not
//! at all until the session's end (exam).

pub mod db;

mod api;
mod page;

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};

use armscan_core::taxonomy::known_category;
use armscan_core::Category;
use armscan_synth::sources::{LabelledScan, TipSources};
use armscan_synth::trial::render_trial;
use armscan_trainer::plan::{
    exam_levels, plan_trial, CourseSpec, Library, PlannedTrial, TrialSource,
};
use armscan_trainer::staircase::{Levels, Staircase};
use armscan_trainer::stats::{classify, score, Outcome, Score, ScoredTrial};
use serde::Serialize;

pub use api::routes;
pub use db::{
    AnswerRow, AnsweredTrial, CertificateRow, CourseKind, CourseRow, NewCertificate, NewCourse,
    NewTrial, SessionRow, TrainerDb, TrialRow,
};

use crate::error::ServeError;

/// How far outside the threat's box (image pixels) a mark still counts as on the threat.
pub const MARK_MARGIN_PX: f32 = 12.0;
/// Trial images kept in memory (a trial evicted is made again from its plan).
const IMAGE_CACHE: usize = 64;

/// Trainer mode's state: its tables, who may build courses, the library of real material, the
/// recent trial images.
#[derive(Debug)]
pub struct Trainer {
    pub db: TrainerDb,
    /// Who may create courses and see every trainee's scores; `None`: every operator.
    pub trainers: Option<Vec<String>>,
    library: Arc<TrainerLibrary>,
    images: Mutex<VecDeque<(String, Arc<Vec<u8>>)>>,
    /// Trials made at once: one per core, so that ten trainees asking together are served in
    /// turn rather than all slowed to the last one's pace.
    pub(crate) render_slots: tokio::sync::Semaphore,
}

/// The real material courses may draw on, read once at start: real threat crops and clean bags
/// for projection (`armscan_synth::sources::TipSources`), and labelled real scans to replay.
#[derive(Debug, Default)]
pub struct TrainerLibrary {
    pub sources: TipSources,
    pub replays: Vec<LabelledScan>,
}

impl TrainerLibrary {
    /// What the planner needs to know of it.
    #[must_use]
    pub fn plan_library(&self) -> Library {
        Library {
            real_threats: self
                .sources
                .threats
                .iter()
                .filter_map(|t| known_category(t.fine_class))
                .collect(),
            real_bags: self.sources.bags.len(),
            replays: self
                .replays
                .iter()
                .map(|r| largest_threat(r).map(|(c, _)| c))
                .collect(),
        }
    }
}

/// A labelled scan's largest Protocol threat: its category and box (the one a mark must hit).
fn largest_threat(scan: &LabelledScan) -> Option<(Category, [f32; 4])> {
    scan.threats
        .iter()
        .filter_map(|(class, b)| {
            known_category(class)
                .filter(|c| c.is_protocol())
                .map(|c| (c, *b))
        })
        .max_by(|a, b| {
            let area = |b: &[f32; 4]| (b[2] - b[0]) * (b[3] - b[1]);
            area(&a.1).total_cmp(&area(&b.1))
        })
}

/// A trial as the trainee gets it: no category, no box.
#[derive(Clone, Debug, Serialize)]
pub struct ShownTrial {
    pub token: String,
    pub index: u32,
    pub of: u32,
    pub width: u32,
    pub height: u32,
}

/// The reply to an answer.
#[derive(Clone, Debug, Serialize)]
pub struct Feedback {
    /// `hit`, `miss`, `false_alarm`, `correct_rejection`; `None` in an exam.
    pub outcome: Option<Outcome>,
    /// The threat's category and box (training only; `None` for a clean bag or in an exam).
    pub threat_category: Option<String>,
    pub threat_box: Option<[f32; 4]>,
    /// Trials left in the session.
    pub remaining: u32,
    /// The certificate, when this answer finished an exam.
    pub certificate: Option<CertificateRow>,
}

/// A session's scores: overall and per category (each category's threat trials with all the
/// session's clean trials, since a clean bag has no category).
#[derive(Clone, Debug, Serialize)]
pub struct SessionScore {
    pub session_id: i64,
    pub course: String,
    pub kind: CourseKind,
    pub started_utc: String,
    pub overall: Score,
    pub by_category: BTreeMap<String, Score>,
}

/// A trainee's scores over their sessions, and where their staircases stand.
#[derive(Clone, Debug, Serialize)]
pub struct TraineeScores {
    pub trainee: String,
    pub sessions: Vec<SessionScore>,
    /// The next training trial's levels per category.
    pub levels: BTreeMap<String, Levels>,
}

/// An error of trainer mode: what the client did wrong, or the database.
#[derive(Debug)]
pub enum TrainerError {
    NotFound(&'static str),
    Forbidden(&'static str),
    Invalid(String),
    Conflict(&'static str),
    Server(String),
}

impl From<ServeError> for TrainerError {
    fn from(e: ServeError) -> Self {
        TrainerError::Server(e.to_string())
    }
}

fn outcome_word(o: Outcome) -> &'static str {
    match o {
        Outcome::Hit => "hit",
        Outcome::Miss => "miss",
        Outcome::FalseAlarm => "false_alarm",
        Outcome::CorrectRejection => "correct_rejection",
    }
}

fn parse_outcome(word: &str) -> Option<Outcome> {
    match word {
        "hit" => Some(Outcome::Hit),
        "miss" => Some(Outcome::Miss),
        "false_alarm" => Some(Outcome::FalseAlarm),
        "correct_rejection" => Some(Outcome::CorrectRejection),
        _ => None,
    }
}

/// A random 64-bit seed ([`crate::app::random_bytes`]).
pub(crate) fn random_u64() -> u64 {
    let b = crate::app::random_bytes();
    u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
}

/// A random 128-bit token, as 32 hex digits.
fn token() -> String {
    crate::app::random_bytes()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The seed of an exam's fixed set: the course's seed and its set version.
fn exam_seed(spec: &CourseSpec, set_version: &str) -> u64 {
    set_version.bytes().fold(spec.seed ^ 0xE8A3_5E70, |h, b| {
        h.rotate_left(5).wrapping_mul(0x0100_0000_01B3) ^ u64::from(b)
    })
}

impl Trainer {
    /// Trainer mode on the console's database at `db`.
    #[must_use]
    pub fn new(db: TrainerDb, trainers: Option<Vec<String>>) -> Self {
        Self {
            db,
            trainers,
            library: Arc::new(TrainerLibrary::default()),
            images: Mutex::new(VecDeque::new()),
            render_slots: tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get),
            ),
        }
    }

    /// Gives courses a library of real material.
    #[must_use]
    pub fn with_library(mut self, library: Arc<TrainerLibrary>) -> Self {
        self.library = library;
        self
    }

    /// The library's size: real threat crops, real bags, labelled scans.
    #[must_use]
    pub fn library_size(&self) -> (usize, usize, usize) {
        (
            self.library.sources.threats.len(),
            self.library.sources.bags.len(),
            self.library.replays.len(),
        )
    }

    /// Whether `operator` may build courses and see every trainee.
    #[must_use]
    pub fn is_trainer(&self, operator: &str) -> bool {
        self.trainers
            .as_ref()
            .is_none_or(|t| t.iter().any(|n| n == operator))
    }

    fn course_spec(course: &CourseRow) -> Result<CourseSpec, TrainerError> {
        serde_json::from_str(&course.spec_json)
            .map_err(|e| TrainerError::Server(format!("course {}: {e}", course.name)))
    }

    /// Creates a course (trainers only).
    ///
    /// # Errors
    /// Not a trainer, a bad spec, a name taken, the database.
    pub fn create_course(
        &self,
        operator: &str,
        name: &str,
        kind: CourseKind,
        spec: &CourseSpec,
        pass_mark_d_prime: Option<f64>,
        set_version: Option<String>,
    ) -> Result<CourseRow, TrainerError> {
        if !self.is_trainer(operator) {
            return Err(TrainerError::Forbidden("only a trainer builds courses"));
        }
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 80 || name.chars().any(char::is_control) {
            return Err(TrainerError::Invalid(
                "name: 1 to 80 printable characters".into(),
            ));
        }
        spec.validate().map_err(TrainerError::Invalid)?;
        let (pass_mark, set_version) = match kind {
            CourseKind::Exam => {
                let mark = pass_mark_d_prime.ok_or_else(|| {
                    TrainerError::Invalid("pass_mark_d_prime: an exam needs a pass mark".into())
                })?;
                if !(0.0..=5.0).contains(&mark) {
                    return Err(TrainerError::Invalid("pass_mark_d_prime: 0 to 5".into()));
                }
                (Some(mark), Some(set_version.unwrap_or_else(|| "1".into())))
            }
            CourseKind::Training => (None, None),
        };
        let new = NewCourse {
            name: name.to_owned(),
            kind,
            spec_json: serde_json::to_string(spec)
                .map_err(|e| TrainerError::Server(e.to_string()))?,
            pass_mark_d_prime: pass_mark,
            set_version,
            created_by: operator.to_owned(),
        };
        self.db
            .create_course(&new, &armscan::now_utc())?
            .ok_or(TrainerError::Conflict("a course of that name exists"))
    }

    /// Starts a session of `trainee` on course `course_id`.
    ///
    /// # Errors
    /// An unknown course; the database.
    pub fn start(&self, trainee: &str, course_id: i64) -> Result<SessionRow, TrainerError> {
        let course = self
            .db
            .course(course_id)?
            .ok_or(TrainerError::NotFound("no such course"))?;
        let seed = match course.kind {
            // every trainee sits the same exam
            CourseKind::Exam => exam_seed(
                &Self::course_spec(&course)?,
                course.set_version.as_deref().unwrap_or("1"),
            ),
            CourseKind::Training => random_u64(),
        };
        Ok(self
            .db
            .start_session(course.id, trainee, seed, &token(), &armscan::now_utc())?)
    }

    /// The session `token` of `trainee`, with its course.
    fn own_session(
        &self,
        trainee: &str,
        token: &str,
    ) -> Result<(SessionRow, CourseRow), TrainerError> {
        let session = self
            .db
            .session(token)?
            .filter(|s| s.trainee == trainee)
            .ok_or(TrainerError::NotFound("no such session"))?;
        let course = self
            .db
            .course(session.course_id)?
            .ok_or(TrainerError::NotFound("no such course"))?;
        Ok((session, course))
    }

    /// The staircase of each Protocol category for `trainee`, by category name: each replayed
    /// over the trainee's answered training threat trials of that category (projected, not
    /// replays), in answer order, in one pass over the answers. Their levels are the next
    /// training trial's.
    ///
    /// # Errors
    /// The database.
    pub fn staircases(
        &self,
        trainee: &str,
    ) -> Result<BTreeMap<&'static str, Staircase>, TrainerError> {
        let mut stairs: BTreeMap<&'static str, Staircase> = Category::PROTOCOL
            .iter()
            .map(|c| (c.as_str(), Staircase::new(Levels::default())))
            .collect();
        for t in self.db.answered(Some(trainee))? {
            if t.kind != CourseKind::Training || t.replay {
                continue;
            }
            if let Some(stair) = t.category.as_deref().and_then(|c| stairs.get_mut(c)) {
                stair.record(t.answer.outcome == "hit");
            }
        }
        Ok(stairs)
    }

    fn plan(
        &self,
        session: &SessionRow,
        course: &CourseRow,
        index: u32,
    ) -> Result<PlannedTrial, TrainerError> {
        let spec = Self::course_spec(course)?;
        let library = self.library.plan_library();
        Ok(match course.kind {
            CourseKind::Exam => {
                let set = session.seed;
                plan_trial(&spec, &library, session.seed, index, |_| {
                    exam_levels(set, index)
                })
            }
            CourseKind::Training => {
                let stairs = self.staircases(&session.trainee)?;
                plan_trial(&spec, &library, session.seed, index, |c| {
                    stairs
                        .get(c.as_str())
                        .map(Staircase::levels)
                        .unwrap_or_default()
                })
            }
        })
    }

    fn render_png(
        &self,
        planned: &PlannedTrial,
        spec: &CourseSpec,
    ) -> Result<RenderedTrial, TrainerError> {
        let TrialPixels {
            rgb,
            width: w,
            height: h,
            box_in_image: bx,
        } = match &planned.source {
            TrialSource::Projected(request) => {
                let trial = render_trial(request, &self.library.sources)
                    .map_err(|e| TrainerError::Server(e.to_string()))?;
                let bx = trial.threat.as_ref().map(|a| {
                    let [x0, y0, x1, y1] = a.extent;
                    [x0 as f32, y0 as f32, x1 as f32, y1 as f32]
                });
                TrialPixels {
                    rgb: trial.colour,
                    width: trial.width,
                    height: trial.height,
                    box_in_image: bx,
                }
            }
            TrialSource::Replay(i) => {
                let scan = self
                    .library
                    .replays
                    .get(*i)
                    .ok_or(TrainerError::NotFound("no such labelled scan"))?;
                render_replay(scan, spec.width, spec.height)?
            }
        };
        let (w, h) = (u32::try_from(w).unwrap_or(0), u32::try_from(h).unwrap_or(0));
        let png = crate::app::png_fast(&rgb, w, h).map_err(|e| TrainerError::Server(e.message))?;
        Ok(RenderedTrial {
            png,
            box_in_image: bx,
            width: w,
            height: h,
        })
    }

    fn cache(&self, token: &str, png: Vec<u8>) -> Arc<Vec<u8>> {
        let png = Arc::new(png);
        let mut images = self
            .images
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        images.push_back((token.to_owned(), Arc::clone(&png)));
        while images.len() > IMAGE_CACHE {
            images.pop_front();
        }
        png
    }

    /// The session's current trial: the unanswered one if there is one, else a new one made
    /// now (planned, projected, recorded as shown); `None` when the session is complete.
    ///
    /// # Errors
    /// Not the trainee's session; the projection; the database.
    pub fn next(&self, trainee: &str, token: &str) -> Result<Option<ShownTrial>, TrainerError> {
        let (session, course) = self.own_session(trainee, token)?;
        let spec = Self::course_spec(&course)?;
        let trials = self.db.trials(session.id)?;
        let shown = |t: &TrialRow| ShownTrial {
            token: t.token.clone(),
            index: t.index,
            of: spec.trials_per_session,
            width: t.width,
            height: t.height,
        };
        if let Some(open) = trials.iter().find(|t| t.answer.is_none()) {
            return Ok(Some(shown(open)));
        }
        let index = u32::try_from(trials.len()).unwrap_or(u32::MAX);
        if index >= spec.trials_per_session {
            return Ok(None);
        }
        let planned = self.plan(&session, &course, index)?;
        let RenderedTrial {
            png,
            box_in_image: bx,
            width: w,
            height: h,
        } = self.render_png(&planned, &spec)?;
        let new = NewTrial {
            token: token_for_trial(),
            session_id: session.id,
            index,
            replay: planned.is_replay(),
            category: planned.category.map(|c| c.as_str().to_owned()),
            levels_json: serde_json::to_string(&planned.levels).unwrap_or_default(),
            box_in_image: bx,
            width: w,
            height: h,
        };
        if !self.db.add_trial(&new, &armscan::now_utc())? {
            // another request made this index first: show that one
            return self.next(trainee, token);
        }
        self.cache(&new.token, png);
        Ok(Some(ShownTrial {
            token: new.token,
            index,
            of: spec.trials_per_session,
            width: w,
            height: h,
        }))
    }

    /// A trial's image (PNG) for its own trainee; made again from its plan when it is no
    /// longer in memory.
    ///
    /// # Errors
    /// Not the trainee's trial; the projection; the database.
    pub fn image(&self, trainee: &str, trial_token: &str) -> Result<Arc<Vec<u8>>, TrainerError> {
        {
            let images = self
                .images
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some((_, png)) = images.iter().find(|(t, _)| t == trial_token) {
                // the owner check still applies below for a cache hit
                let png = Arc::clone(png);
                drop(images);
                self.owned_trial(trainee, trial_token)?;
                return Ok(png);
            }
        }
        let (trial, session, course) = self.owned_trial(trainee, trial_token)?;
        let levels: Levels = serde_json::from_str(&trial.levels_json).unwrap_or_default();
        let spec = Self::course_spec(&course)?;
        let planned = plan_trial(
            &spec,
            &self.library.plan_library(),
            session.seed,
            trial.index,
            |_| levels,
        );
        let rendered = self.render_png(&planned, &spec)?;
        Ok(self.cache(trial_token, rendered.png))
    }

    fn owned_trial(
        &self,
        trainee: &str,
        trial_token: &str,
    ) -> Result<(TrialRow, SessionRow, CourseRow), TrainerError> {
        let trial = self
            .db
            .trial(trial_token)?
            .ok_or(TrainerError::NotFound("no such trial"))?;
        let sessions = self.db.sessions(Some(trainee))?;
        let session = sessions
            .into_iter()
            .find(|s| s.id == trial.session_id)
            .ok_or(TrainerError::NotFound("no such trial"))?;
        let course = self
            .db
            .course(session.course_id)?
            .ok_or(TrainerError::NotFound("no such course"))?;
        Ok((trial, session, course))
    }

    /// Records `trainee`'s answer to a trial and replies with feedback (training) or a receipt
    /// (exam); the last answer of an exam issues its certificate.
    ///
    /// # Errors
    /// Not the trainee's trial, already answered, a bad answer; the database.
    pub fn answer(
        &self,
        trainee: &str,
        trial_token: &str,
        answered_threat: bool,
        mark: Option<[f32; 2]>,
        category: Option<Category>,
        client_response_ms: Option<u64>,
    ) -> Result<Feedback, TrainerError> {
        let (trial, session, course) = self.owned_trial(trainee, trial_token)?;
        if trial.answer.is_some() {
            return Err(TrainerError::Conflict("this trial was answered already"));
        }
        if let Some([x, y]) = mark {
            let inside = x.is_finite()
                && y.is_finite()
                && (0.0..=trial.width as f32).contains(&x)
                && (0.0..=trial.height as f32).contains(&y);
            if !inside {
                return Err(TrainerError::Invalid(
                    "mark: a point inside the image".into(),
                ));
            }
        }
        if category.is_some_and(|c| !c.is_protocol()) {
            return Err(TrainerError::Invalid(
                "category: one of firearm, part, ammunition".into(),
            ));
        }
        let outcome = classify(
            trial.category.is_some(),
            answered_threat,
            mark,
            trial.box_in_image,
            MARK_MARGIN_PX,
        );
        // The page's own display-to-answer time, bounded by the server's view of it.
        let server_ms = elapsed_ms_since(&trial.shown_utc);
        let response_ms = match (client_response_ms, server_ms) {
            (Some(c), Some(s)) => c.min(s + 2000),
            (Some(c), None) => c,
            (None, Some(s)) => s,
            (None, None) => 0,
        };
        let row = AnswerRow {
            answered_utc: armscan::now_utc(),
            answer: if answered_threat { "threat" } else { "clear" }.into(),
            mark,
            category: category.map(|c| c.as_str().to_owned()),
            response_ms,
            outcome: outcome_word(outcome).into(),
        };
        if !self.db.answer(trial.id, &row)? {
            return Err(TrainerError::Conflict("this trial was answered already"));
        }
        let spec = Self::course_spec(&course)?;
        let answered = self
            .db
            .trials(session.id)?
            .iter()
            .filter(|t| t.answer.is_some())
            .count();
        let remaining = spec
            .trials_per_session
            .saturating_sub(u32::try_from(answered).unwrap_or(u32::MAX));
        let mut certificate = None;
        if course.kind == CourseKind::Exam && remaining == 0 {
            let s = self.session_score(&session, &course)?;
            let mark = course.pass_mark_d_prime.unwrap_or(f64::INFINITY);
            let new = NewCertificate {
                session_id: session.id,
                trainee: trainee.to_owned(),
                course: course.name.clone(),
                set_version: course.set_version.clone().unwrap_or_else(|| "1".into()),
                trials: s.overall.trials,
                hit_rate: s.overall.hit_rate,
                false_alarm_rate: s.overall.false_alarm_rate,
                d_prime: s.overall.d_prime,
                pass_mark_d_prime: mark,
                passed: s.overall.d_prime.is_some_and(|d| d >= mark),
            };
            certificate = self.db.issue_certificate(&new, &armscan::now_utc())?;
        }
        let training = course.kind == CourseKind::Training;
        Ok(Feedback {
            outcome: training.then_some(outcome),
            threat_category: trial.category.clone().filter(|_| training),
            threat_box: trial.box_in_image.filter(|_| training),
            remaining,
            certificate,
        })
    }

    fn session_score(
        &self,
        session: &SessionRow,
        course: &CourseRow,
    ) -> Result<SessionScore, TrainerError> {
        let trials = self.db.trials(session.id)?;
        Ok(score_session(session, course, &trials))
    }

    /// Scores of one trainee, or of every trainee (`None`), session by session.
    ///
    /// # Errors
    /// The database.
    pub fn scores(&self, trainee: Option<&str>) -> Result<Vec<TraineeScores>, TrainerError> {
        let courses: BTreeMap<i64, CourseRow> =
            self.db.courses()?.into_iter().map(|c| (c.id, c)).collect();
        let mut by_trainee: BTreeMap<String, Vec<SessionScore>> = BTreeMap::new();
        for s in self.db.sessions(trainee)? {
            let Some(course) = courses.get(&s.course_id) else {
                continue;
            };
            let trials = self.db.trials(s.id)?;
            if trials.iter().all(|t| t.answer.is_none()) {
                continue;
            }
            by_trainee
                .entry(s.trainee.clone())
                .or_default()
                .push(score_session(&s, course, &trials));
        }
        let mut out = Vec::new();
        for (name, sessions) in by_trainee {
            let levels = self
                .staircases(&name)?
                .into_iter()
                .map(|(c, stair)| (c.to_owned(), stair.levels()))
                .collect();
            out.push(TraineeScores {
                trainee: name,
                sessions,
                levels,
            });
        }
        Ok(out)
    }
}

/// A labelled scan as the console shows it (pseudo-colour or grey, as `armscan scan` reads it),
/// shrunk to fit `max_w` x `max_h`, with its largest threat's box scaled alike.
fn render_replay(scan: &LabelledScan, max_w: u32, max_h: u32) -> Result<TrialPixels, TrainerError> {
    use armscan::ingest::{display_rgb, load_input, IngestOptions};
    let input = armscan::ScanInput::File(scan.path.clone());
    let loaded = load_input(&input, &IngestOptions::default())
        .map_err(|e| TrainerError::Server(format!("labelled scan {}: {e}", scan.path.display())))?;
    let rgb = display_rgb(&loaded, &armscan::Windowing::default());
    let (w, h) = rgb.dimensions();
    let k = (max_w as f32 / w as f32)
        .min(max_h as f32 / h as f32)
        .min(1.0);
    let (nw, nh) = (
        ((w as f32 * k).round() as u32).max(1),
        ((h as f32 * k).round() as u32).max(1),
    );
    let rgb = if (nw, nh) == (w, h) {
        rgb
    } else {
        image::imageops::resize(&rgb, nw, nh, image::imageops::FilterType::Triangle)
    };
    let bx = largest_threat(scan).map(|(_, b)| [b[0] * k, b[1] * k, b[2] * k, b[3] * k]);
    Ok(TrialPixels {
        rgb: rgb.into_raw(),
        width: nw as usize,
        height: nh as usize,
        box_in_image: bx,
    })
}

/// A trial's packed RGB, its size and the threat's box, before PNG.
struct TrialPixels {
    rgb: Vec<u8>,
    width: usize,
    height: usize,
    box_in_image: Option<[f32; 4]>,
}

/// A trial made: its PNG, the threat's box and the image size.
struct RenderedTrial {
    png: Vec<u8>,
    box_in_image: Option<[f32; 4]>,
    width: u32,
    height: u32,
}

fn token_for_trial() -> String {
    token()
}

/// Milliseconds from a stored `YYYY-MM-DDTHH:MM:SSZ` to now (second resolution).
fn elapsed_ms_since(utc: &str) -> Option<u64> {
    let shown = armscan::unix_seconds_from_utc(utc)?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs();
    Some(now.saturating_sub(shown).saturating_mul(1000) + 999)
}

/// Scores one session: overall, and per category over that category's threat trials and every
/// clean trial.
#[must_use]
pub fn score_session(
    session: &SessionRow,
    course: &CourseRow,
    trials: &[TrialRow],
) -> SessionScore {
    let scored = |t: &TrialRow| -> Option<ScoredTrial> {
        let a = t.answer.as_ref()?;
        let outcome = parse_outcome(&a.outcome)?;
        Some(ScoredTrial {
            outcome,
            response_ms: a.response_ms,
            category_correct: a
                .category
                .as_ref()
                .map(|named| Some(named) == t.category.as_ref()),
        })
    };
    let all: Vec<ScoredTrial> = trials.iter().filter_map(scored).collect();
    let mut by_category = BTreeMap::new();
    for c in Category::PROTOCOL {
        let these: Vec<ScoredTrial> = trials
            .iter()
            .filter(|t| t.category.is_none() || t.category.as_deref() == Some(c.as_str()))
            .filter_map(scored)
            .collect();
        if these
            .iter()
            .any(|s| matches!(s.outcome, Outcome::Hit | Outcome::Miss))
        {
            by_category.insert(c.as_str().to_owned(), score(&these));
        }
    }
    SessionScore {
        session_id: session.id,
        course: course.name.clone(),
        kind: course.kind,
        started_utc: session.started_utc.clone(),
        overall: score(&all),
        by_category,
    }
}
