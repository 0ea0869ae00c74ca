//! Trainer mode's routes: pages and the JSON API the trainer page uses.

use std::sync::Arc;

use armscan_core::Category;
use armscan_trainer::plan::CourseSpec;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{page, CourseKind, TraineeScores, Trainer, TrainerError};
use crate::app::{csv_response, operator, parse_json, require_operator, ApiError, AppState};

impl From<TrainerError> for ApiError {
    fn from(e: TrainerError) -> Self {
        match e {
            TrainerError::NotFound(m) => ApiError::new(StatusCode::NOT_FOUND, m),
            TrainerError::Forbidden(m) => ApiError::new(StatusCode::FORBIDDEN, m),
            TrainerError::Invalid(m) => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, m),
            TrainerError::Conflict(m) => ApiError::new(StatusCode::CONFLICT, m),
            TrainerError::Server(m) => ApiError::internal(m),
        }
    }
}

/// Trainer mode's routes, merged into the console's router (same guards and limits).
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/trainer", get(page_hub))
        .route("/trainer/session/{token}", get(page_session))
        .route("/trainer/report", get(page_report))
        .route(
            "/api/trainer/courses",
            get(list_courses).post(create_course),
        )
        .route("/api/trainer/sessions", post(start_session))
        .route("/api/trainer/sessions/{token}/next", post(next_trial))
        .route("/api/trainer/trials/{token}/image", get(trial_image))
        .route("/api/trainer/trials/{token}/answer", post(answer))
        .route("/api/trainer/scores", get(scores_json))
        .route("/api/trainer/scores.csv", get(scores_csv))
}

fn trainer(state: &AppState) -> Result<Arc<Trainer>, ApiError> {
    state
        .trainer
        .clone()
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "trainer mode is off"))
}

/// Runs database and projection work off the async threads.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, TrainerError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::from)
}

fn course_json(c: &super::CourseRow) -> Value {
    let spec: Option<CourseSpec> = serde_json::from_str(&c.spec_json).ok();
    json!({
        "id": c.id,
        "name": c.name,
        "kind": c.kind,
        "pass_mark_d_prime": c.pass_mark_d_prime,
        "set_version": c.set_version,
        "created_by": c.created_by,
        "created_utc": c.created_utc,
        "trials_per_session": spec.as_ref().map(|s| s.trials_per_session),
        "threat_share": spec.as_ref().map(|s| s.threat_share),
        "categories": spec.as_ref().map(|s| s.categories.iter().map(|c| c.as_str()).collect::<Vec<_>>()),
        "width": spec.as_ref().map(|s| s.width),
        "height": spec.as_ref().map(|s| s.height),
        "replay_share": spec.as_ref().map(|s| s.replay_share),
        "real_threat_share": spec.as_ref().map(|s| s.real_threat_share),
        "real_bag_share": spec.as_ref().map(|s| s.real_bag_share),
    })
}

async fn list_courses(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    require_operator(&state, &headers)?;
    let t = trainer(&state)?;
    let courses = blocking(move || Ok(t.db.courses()?)).await?;
    Ok(Json(json!({
        "courses": courses.iter().map(course_json).collect::<Vec<_>>()
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CourseBody {
    name: String,
    kind: Option<String>,
    threat_share: Option<f32>,
    trials_per_session: Option<u32>,
    categories: Option<Vec<String>>,
    width: Option<u32>,
    height: Option<u32>,
    seed: Option<u64>,
    pass_mark_d_prime: Option<f64>,
    set_version: Option<String>,
    replay_share: Option<f32>,
    real_threat_share: Option<f32>,
    real_bag_share: Option<f32>,
}

async fn create_course(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let op = require_operator(&state, &headers)?;
    let t = trainer(&state)?;
    let b: CourseBody = parse_json(&body)?;
    let bad = |m: &str| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, m);
    let kind = match b.kind.as_deref() {
        None => CourseKind::Training,
        Some(k) => CourseKind::parse(k).ok_or_else(|| bad("kind: training or exam"))?,
    };
    let mut spec = CourseSpec::default();
    if let Some(v) = b.threat_share {
        spec = spec.with_threat_share(v);
    }
    if let Some(v) = b.trials_per_session {
        spec = spec.with_trials_per_session(v);
    }
    if let Some(list) = b.categories {
        let cats: Result<Vec<Category>, _> = list.iter().map(|c| c.parse::<Category>()).collect();
        spec =
            spec.with_categories(cats.map_err(|_| bad("categories: firearm, part, ammunition"))?);
    }
    if b.width.is_some() || b.height.is_some() {
        let (w, h) = (
            b.width.unwrap_or(spec.width),
            b.height.unwrap_or(spec.height),
        );
        spec = spec.with_size(w, h);
    }
    spec = spec.with_seed(b.seed.unwrap_or_else(super::random_u64));
    spec = spec.with_real_shares(
        b.replay_share.unwrap_or(0.0),
        b.real_threat_share.unwrap_or(0.0),
        b.real_bag_share.unwrap_or(0.0),
    );
    if b.set_version
        .as_deref()
        .is_some_and(|v| v.is_empty() || v.len() > 40 || v.chars().any(char::is_control))
    {
        return Err(bad("set_version: 1 to 40 printable characters"));
    }
    let (name, mark, version) = (b.name, b.pass_mark_d_prime, b.set_version);
    let course = blocking(move || t.create_course(&op, &name, kind, &spec, mark, version)).await?;
    Ok((StatusCode::CREATED, Json(course_json(&course))).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionBody {
    course: i64,
}

async fn start_session(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let op = require_operator(&state, &headers)?;
    let t = trainer(&state)?;
    let b: SessionBody = parse_json(&body)?;
    let session = blocking(move || t.start(&op, b.course)).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "session": session.token,
            "url": format!("/trainer/session/{}", session.token),
        })),
    )
        .into_response())
}

async fn next_trial(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let op = require_operator(&state, &headers)?;
    let t = trainer(&state)?;
    let _slot = t.render_slots.acquire().await.map_err(ApiError::internal)?;
    let worker = Arc::clone(&t);
    let next = blocking(move || worker.next(&op, &token)).await?;
    Ok(Json(json!({ "done": next.is_none(), "trial": next })))
}

async fn trial_image(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response, ApiError> {
    let op = require_operator(&state, &headers)?;
    let t = trainer(&state)?;
    let _slot = t.render_slots.acquire().await.map_err(ApiError::internal)?;
    let worker = Arc::clone(&t);
    let png = blocking(move || worker.image(&op, &token)).await?;
    Ok(([(header::CONTENT_TYPE, "image/png")], png.as_ref().clone()).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AnswerBody {
    answer: String,
    mark: Option<[f32; 2]>,
    category: Option<String>,
    response_ms: Option<u64>,
}

async fn answer(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(token): Path<String>,
    body: Bytes,
) -> Result<Json<super::Feedback>, ApiError> {
    let op = require_operator(&state, &headers)?;
    let t = trainer(&state)?;
    let b: AnswerBody = parse_json(&body)?;
    let bad = |m: &str| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, m);
    let threat = match b.answer.as_str() {
        "threat" => true,
        "clear" => false,
        _ => return Err(bad("answer: threat or clear")),
    };
    let category = match b.category.as_deref() {
        None | Some("") => None,
        Some(c) => Some(
            c.parse::<Category>()
                .map_err(|_| bad("category: firearm, part, ammunition"))?,
        ),
    };
    if !threat && (b.mark.is_some() || category.is_some()) {
        return Err(bad("mark and category go with a threat answer"));
    }
    let feedback =
        blocking(move || t.answer(&op, &token, threat, b.mark, category, b.response_ms)).await?;
    Ok(Json(feedback))
}

#[derive(Deserialize, Default)]
struct ScoresQuery {
    trainee: Option<String>,
}

/// Whose scores a request may see: a trainer anyone's (all by default), a trainee their own.
fn scope(t: &Trainer, op: &str, q: &ScoresQuery) -> Result<Option<String>, ApiError> {
    match (&q.trainee, t.is_trainer(op)) {
        (Some(name), true) => Ok(Some(name.clone())),
        (None, true) => Ok(None),
        (Some(name), false) if name != op => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "a trainee sees only their own scores",
        )),
        (_, false) => Ok(Some(op.to_owned())),
    }
}

async fn scores_json(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(q): Query<ScoresQuery>,
) -> Result<Json<Value>, ApiError> {
    let op = require_operator(&state, &headers)?;
    let t = trainer(&state)?;
    let who = scope(&t, &op, &q)?;
    let (scores, certificates) = blocking(move || {
        Ok((
            t.scores(who.as_deref())?,
            t.db.certificates(who.as_deref())?,
        ))
    })
    .await?;
    Ok(Json(json!({
        "schema": "armscan.trainer-scores/1",
        "generated_utc": armscan::now_utc(),
        "trainees": scores,
        "certificates": certificates,
    })))
}

fn opt(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.4}")).unwrap_or_default()
}

/// The scores as long-format CSV: one row per trainee, session and category (`all` first).
#[must_use]
pub fn scores_csv_text(scores: &[TraineeScores]) -> String {
    let mut out = String::from(
        "trainee,session_id,course,kind,started_utc,category,trials,hits,misses,false_alarms,\
         correct_rejections,hit_rate,false_alarm_rate,d_prime,criterion_c,mean_response_ms,\
         category_named,category_correct\n",
    );
    for t in scores {
        for s in &t.sessions {
            let rows = std::iter::once(("all", &s.overall))
                .chain(s.by_category.iter().map(|(k, v)| (k.as_str(), v)));
            for (cat, sc) in rows {
                let c = sc.counts;
                out.push_str(&format!(
                    "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
                    crate::db::csv_field(&t.trainee),
                    s.session_id,
                    crate::db::csv_field(&s.course),
                    s.kind.as_str(),
                    s.started_utc,
                    cat,
                    sc.trials,
                    c.hits,
                    c.misses,
                    c.false_alarms,
                    c.correct_rejections,
                    opt(sc.hit_rate),
                    opt(sc.false_alarm_rate),
                    opt(sc.d_prime),
                    opt(sc.criterion_c),
                    sc.mean_response_ms
                        .map(|m| format!("{m:.0}"))
                        .unwrap_or_default(),
                    sc.category_named,
                    sc.category_correct,
                ));
            }
        }
    }
    out
}

async fn scores_csv(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(q): Query<ScoresQuery>,
) -> Result<Response, ApiError> {
    let op = require_operator(&state, &headers)?;
    let t = trainer(&state)?;
    let who = scope(&t, &op, &q)?;
    let scores = blocking(move || t.scores(who.as_deref())).await?;
    Ok(csv_response(scores_csv_text(&scores), "trainer-scores.csv"))
}

/// A page's operator and trainer mode; without a session, the login page.
fn page_context(state: &AppState, headers: &HeaderMap) -> Result<(String, Arc<Trainer>), Response> {
    let op = match operator(state, headers) {
        Ok(Some(op)) => op,
        Ok(None) => return Err(Redirect::to("/").into_response()),
        Err(e) => return Err(e.into_response()),
    };
    let t = trainer(state).map_err(IntoResponse::into_response)?;
    Ok((op, t))
}

async fn page_hub(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let (op, t) = match page_context(&state, &headers) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let is_trainer = t.is_trainer(&op);
    Html(page::hub(&op, is_trainer, t.library_size()).into_string()).into_response()
}

async fn page_session(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Response {
    let (op, t) = match page_context(&state, &headers) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let (o, tok) = (op.clone(), token.clone());
    let found = blocking(move || {
        let s = t.db.session(&tok)?.filter(|s| s.trainee == o);
        let kind = match &s {
            Some(s) => t.db.course(s.course_id)?.map(|c| (c.name, c.kind)),
            None => None,
        };
        Ok(kind)
    })
    .await;
    match found {
        Ok(Some((course, kind))) => {
            Html(page::session(&op, &token, &course, kind).into_string()).into_response()
        }
        Ok(None) => ApiError::new(StatusCode::NOT_FOUND, "no such session").into_response(),
        Err(e) => e.into_response(),
    }
}

async fn page_report(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(q): Query<ScoresQuery>,
) -> Response {
    let (op, t) = match page_context(&state, &headers) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let who = match scope(&t, &op, &q) {
        Ok(w) => w,
        Err(e) => return e.into_response(),
    };
    let data = blocking(move || {
        Ok((
            t.scores(who.as_deref())?,
            t.db.certificates(who.as_deref())?,
        ))
    })
    .await;
    match data {
        Ok((scores, certificates)) => {
            Html(page::report(&op, &scores, &certificates).into_string()).into_response()
        }
        Err(e) => e.into_response(),
    }
}
