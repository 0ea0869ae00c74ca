//! The HTTP side: routes, the JSON API, the guards (access token, Host and Origin checks,
//! operator sessions), the security headers and the limits.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use armscan::ingest::{display_rgb, load_input, IngestOptions};
use armscan::Windowing;
use armscan_core::tools::{self, StripMaterial};
use armscan_core::Planes;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use crate::api_v1::ApiState;
use crate::db::{
    decisions_csv, report_csv, DecisionDb, DecisionKind, NewDecision, ShiftWindow, ThreatCategory,
};
use crate::page;
use crate::seizures::{seizures_csv, PeriodKind, SeizureQuery};
use crate::store::{ScanStore, StoredScan};
use crate::trainer::Trainer;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "armscan_session";
/// The access token cookie's name (set from `?token=` when a token is required).
pub const TOKEN_COOKIE: &str = "armscan_token";
/// The content security policy of every response: nothing from elsewhere, no inline script.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self' blob:; connect-src 'self'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";
/// The longest operator name, in characters.
pub const MAX_OPERATOR_CHARS: usize = 64;
/// The longest note, in characters.
pub const MAX_NOTE_CHARS: usize = 2000;
/// The image tools, by their API names, in the order they are applied.
pub const TOOLS: [&str; 7] = [
    "organic-strip",
    "inorganic-strip",
    "high",
    "low",
    "edges",
    "negative",
    "contrast",
];

/// The request guards: the access token and the request limits. One struct for the router
/// ([`AppState::with_guards`]) and for [`crate::serve`] ([`crate::ServeOptions::with_guards`]).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Guards {
    /// The access token every request must carry (header or cookie), when one is required.
    pub token: Option<String>,
    /// The most bytes a request body may have (413 beyond).
    pub max_body_bytes: usize,
    /// The longest a request may take (408 beyond).
    pub request_timeout: Duration,
    /// The most bytes a scan upload to `POST /v1/scans` may have (413 beyond).
    pub max_scan_bytes: usize,
}

impl Default for Guards {
    /// No token, 64 KiB bodies (64 MiB scan uploads), 30 s.
    fn default() -> Self {
        Self {
            token: None,
            max_body_bytes: 64 * 1024,
            request_timeout: Duration::from_secs(30),
            max_scan_bytes: 64 * 1024 * 1024,
        }
    }
}

impl Guards {
    #[must_use]
    pub fn with_token(mut self, token: Option<String>) -> Self {
        self.token = token;
        self
    }

    #[must_use]
    pub fn with_max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    #[must_use]
    pub fn with_request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    #[must_use]
    pub fn with_max_scan_bytes(mut self, bytes: usize) -> Self {
        self.max_scan_bytes = bytes;
        self
    }
}

/// What the router needs: the queue, the database and the guards' settings.
#[derive(Debug)]
#[non_exhaustive]
pub struct AppState {
    pub store: Arc<ScanStore>,
    pub db: Arc<DecisionDb>,
    /// The token and the request limits.
    pub guards: Guards,
    /// The `Host` values accepted (`None`: any, when a token guards the console).
    pub allowed_hosts: Option<Vec<String>>,
    /// How scans are read to render their images.
    pub ingest: IngestOptions,
    /// How planes become the standard image.
    pub windowing: Windowing,
    /// Trainer mode (`/trainer`), when on.
    pub trainer: Option<Arc<Trainer>>,
    /// The integrators' API (`/v1`), when on.
    pub api: Option<Arc<ApiState>>,
    /// The console's pages and its API (`false`: the `/v1` API alone, `--api-only`).
    pub console: bool,
    /// The site stored on every decision ([`crate::ServeOptions::site`]).
    pub site: Option<String>,
    /// The lane stored on every decision ([`crate::ServeOptions::lane`]).
    pub lane: Option<String>,
    cache: Mutex<Vec<(String, Arc<Rendered>)>>,
}

/// A scan's standard image and what kind of planes it came from.
#[derive(Debug)]
struct Rendered {
    rgb: Vec<u8>,
    width: u32,
    height: u32,
    /// Dual-energy or pseudo-colour: the stripping tools apply.
    colour: bool,
}

impl AppState {
    /// State with the default [`Guards`] and any `Host`.
    #[must_use]
    pub fn new(store: Arc<ScanStore>, db: Arc<DecisionDb>) -> Self {
        Self {
            store,
            db,
            guards: Guards::default(),
            allowed_hosts: None,
            ingest: IngestOptions::default(),
            windowing: Windowing::default(),
            trainer: None,
            api: None,
            console: true,
            site: None,
            lane: None,
            cache: Mutex::new(Vec::new()),
        }
    }

    #[must_use]
    pub fn with_guards(mut self, guards: Guards) -> Self {
        self.guards = guards;
        self
    }

    /// Accepts only these `Host` values (e.g. `127.0.0.1:8080`, `localhost:8080`), which keeps
    /// DNS-rebinding pages out of a console without a token.
    #[must_use]
    pub fn with_allowed_hosts(mut self, hosts: Option<Vec<String>>) -> Self {
        self.allowed_hosts = hosts;
        self
    }

    #[must_use]
    pub fn with_ingest(mut self, ingest: IngestOptions) -> Self {
        self.ingest = ingest;
        self
    }

    #[must_use]
    pub fn with_windowing(mut self, windowing: Windowing) -> Self {
        self.windowing = windowing;
        self
    }

    /// Turns the `/v1` API on.
    #[must_use]
    pub fn with_api(mut self, api: Arc<ApiState>) -> Self {
        self.api = Some(api);
        self
    }

    /// Serves the console (`true`, the default) or only the `/v1` API.
    #[must_use]
    pub fn with_console(mut self, console: bool) -> Self {
        self.console = console;
        self
    }

    /// The site stored on every decision.
    #[must_use]
    pub fn with_site(mut self, site: Option<String>) -> Self {
        self.site = site;
        self
    }

    /// The lane stored on every decision.
    #[must_use]
    pub fn with_lane(mut self, lane: Option<String>) -> Self {
        self.lane = lane;
        self
    }

    /// Turns trainer mode on.
    #[must_use]
    pub fn with_trainer(mut self, trainer: Arc<Trainer>) -> Self {
        self.trainer = Some(trainer);
        self
    }
}

/// The `Host` values of a loopback console on `port`.
#[must_use]
pub fn loopback_hosts(port: u16) -> Vec<String> {
    vec![
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
    ]
}

/// An API error: a status and a message, as `{"error": MESSAGE}`; never a stack trace.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }

    pub(crate) fn internal(e: impl std::fmt::Display) -> Self {
        // The detail goes to the log, not to the client.
        eprintln!("armscan serve: internal error: {e}");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(json!({ "error": self.message }))).into_response()
    }
}

/// The console's router with its guards and limits: the console's pages and API (bodies up to
/// [`Guards::max_body_bytes`]) and the `/v1` API (uploads up to [`Guards::max_scan_bytes`]),
/// each where it is on.
pub fn router(state: Arc<AppState>) -> Router {
    let max_body = state.guards.max_body_bytes;
    let max_scan = state.guards.max_scan_bytes;
    let timeout = state.guards.request_timeout;
    let mut app = Router::new();
    if state.console {
        app = app.merge(
            console_routes()
                .layer(DefaultBodyLimit::max(max_body))
                .layer(RequestBodyLimitLayer::new(max_body)),
        );
    }
    if state.api.is_some() {
        app = app.merge(
            crate::api_v1::routes()
                .layer(DefaultBodyLimit::max(max_scan))
                .layer(RequestBodyLimitLayer::new(max_scan)),
        );
    }
    app.fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, "no such page") })
        .layer(middleware::from_fn_with_state(Arc::clone(&state), guard))
        .layer(middleware::from_fn(security_headers))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .with_state(state)
}

fn console_routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/", get(page_queue))
        .route("/scan/{id}", get(page_scan))
        .route("/report", get(page_report))
        .route("/stats", get(page_stats))
        .route("/static/app.js", get(static_js))
        .route("/static/app.css", get(static_css))
        .route("/api/login", post(api_login))
        .route("/api/logout", post(api_logout))
        .route("/api/queue", get(api_queue))
        .route("/api/scans/{id}", get(api_scan))
        .route("/api/scans/{id}/image", get(api_image))
        .route("/api/scans/{id}/decisions", post(api_decide))
        .route("/api/decisions.csv", get(api_decisions_csv))
        .route("/api/report.json", get(api_report_json))
        .route("/api/report.csv", get(api_report_csv))
        .route("/api/stats", get(api_stats))
        .merge(crate::trainer::routes())
}

async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn same_secret(a: &str, b: &str) -> bool {
    // Constant time in the secret's content.
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Token, Host and Origin checks, in that order.
async fn guard(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("")
        .to_owned();
    if let Some(allowed) = &state.allowed_hosts {
        if !allowed.iter().any(|a| a.eq_ignore_ascii_case(&host)) {
            return ApiError::new(
                StatusCode::FORBIDDEN,
                "this console does not serve that host",
            )
            .into_response();
        }
    }
    if let Some(token) = &state.guards.token {
        let bearer = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        let given = bearer.or_else(|| cookie(headers, TOKEN_COOKIE));
        let from_query = request
            .uri()
            .query()
            .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("token=")));
        match (given, from_query) {
            (Some(g), _) if same_secret(g, token) => {}
            (_, Some(q)) if request.method() == Method::GET && same_secret(q, token) => {
                // A link with the token: keep it in a cookie and drop it from the address.
                let mut response = Redirect::to(request.uri().path()).into_response();
                if let Ok(v) = HeaderValue::from_str(&format!(
                    "{TOKEN_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/"
                )) {
                    response.headers_mut().insert(header::SET_COOKIE, v);
                }
                return response;
            }
            _ => {
                return ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "an access token is required (open the link with ?token=, or send \
                     Authorization: Bearer TOKEN)",
                )
                .into_response()
            }
        }
    }
    let changes_state = !matches!(*request.method(), Method::GET | Method::HEAD);
    if changes_state {
        let origin = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok());
        let expected = format!("http://{host}");
        // The console's own page always sends its Origin; a program calling `/v1` sends none
        // (and a browser on another site always sends its own, which is refused).
        let program = request.uri().path().starts_with("/v1/") && origin.is_none();
        let foreign = origin.is_none_or(|o| !o.eq_ignore_ascii_case(&expected));
        if (foreign && !program) || host.is_empty() {
            return ApiError::new(
                StatusCode::FORBIDDEN,
                "cross-origin request refused (Origin must be this console)",
            )
            .into_response();
        }
    }
    next.run(request).await
}

/// The logged-in operator of a request, if any.
pub(crate) fn operator(state: &AppState, headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    match cookie(headers, SESSION_COOKIE) {
        Some(t) => state.db.operator_of(t).map_err(ApiError::internal),
        None => Ok(None),
    }
}

pub(crate) fn require_operator(state: &AppState, headers: &HeaderMap) -> Result<String, ApiError> {
    operator(state, headers)?
        .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "log in first (POST /api/login)"))
}

/// 32 random bytes: std's `RandomState` (seeded from the OS) and `/dev/urandom` where it can
/// be read, through SHA-256. Session cookies, trainer tokens and seeds all come from here.
pub(crate) fn random_bytes() -> [u8; 32] {
    use sha2::{Digest, Sha256};
    use std::hash::{BuildHasher, Hasher};
    let mut h = Sha256::new();
    for _ in 0..4 {
        let mut s = std::collections::hash_map::RandomState::new().build_hasher();
        s.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        h.update(s.finish().to_le_bytes());
    }
    if let Ok(mut f) = std::fs::File::open("/dev/urandom") {
        let mut buf = [0u8; 32];
        if std::io::Read::read_exact(&mut f, &mut buf).is_ok() {
            h.update(buf);
        }
    }
    h.finalize().into()
}

fn new_session_token() -> String {
    random_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(body: &Bytes) -> Result<T, ApiError> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, format!("bad JSON body: {e}")))
}

#[derive(Deserialize)]
struct LoginBody {
    operator: String,
}

async fn api_login(State(state): State<Arc<AppState>>, body: Bytes) -> Result<Response, ApiError> {
    let LoginBody { operator } = parse_json(&body)?;
    let name = operator.trim().to_owned();
    if name.is_empty()
        || name.chars().count() > MAX_OPERATOR_CHARS
        || name.chars().any(char::is_control)
    {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("operator: a name of 1 to {MAX_OPERATOR_CHARS} printable characters"),
        ));
    }
    let token = new_session_token();
    let db = Arc::clone(&state.db);
    let (n, t) = (name.clone(), token.clone());
    tokio::task::spawn_blocking(move || db.login(&n, &t, &armscan::now_utc()))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    let mut response = Json(json!({ "operator": name })).into_response();
    let cookie = format!("{SESSION_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/");
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).map_err(ApiError::internal)?,
    );
    Ok(response)
}

async fn api_logout(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if let Some(t) = cookie(&headers, SESSION_COOKIE) {
        state.db.logout(t).map_err(ApiError::internal)?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("armscan_session=; Max-Age=0; Path=/"),
    );
    Ok(response)
}

#[derive(Deserialize, Default)]
struct QueueQuery {
    /// `clear|alarm|review|error`, or `flagged` (alarm and review).
    verdict: Option<String>,
    /// `undecided|decided`.
    state: Option<String>,
}

fn queue_item(s: &StoredScan, latest: Option<&crate::db::DecisionRow>) -> Value {
    json!({
        "id": s.id,
        "seq": s.seq,
        "name": s.record.scan,
        "status": s.status_word(),
        "categories": s.categories(),
        "top_score": s.top_score(),
        "error": s.record.error,
        "decision": latest.map(|d| json!({
            "decision": d.decision, "category": d.category, "operator": d.operator,
            "decided_utc": d.decided_utc,
        })),
    })
}

async fn api_queue(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(q): Query<QueueQuery>,
) -> Result<Json<Value>, ApiError> {
    require_operator(&state, &headers)?;
    let verdicts: Option<BTreeSet<&str>> = match q.verdict.as_deref() {
        None | Some("" | "all") => None,
        Some("flagged") => Some(["alarm", "review"].into()),
        Some(v @ ("clear" | "alarm" | "review" | "error")) => Some([v].into()),
        Some(_) => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "verdict: one of all, flagged, clear, alarm, review, error",
            ))
        }
    };
    let decided = match q.state.as_deref() {
        None | Some("" | "all") => None,
        Some("undecided") => Some(false),
        Some("decided") => Some(true),
        Some(_) => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "state: one of all, undecided, decided",
            ))
        }
    };
    let latest = state.db.latest().map_err(ApiError::internal)?;
    let scans: Vec<Value> = state
        .store
        .list()
        .iter()
        .filter(|s| {
            verdicts
                .as_ref()
                .is_none_or(|v| v.contains(s.status_word()))
        })
        .filter(|s| decided.is_none_or(|d| latest.contains_key(&s.id) == d))
        .map(|s| queue_item(s, latest.get(&s.id)))
        .collect();
    Ok(Json(json!({ "total": state.store.len(), "scans": scans })))
}

fn scan_or_404(state: &AppState, id: &str) -> Result<Arc<StoredScan>, ApiError> {
    state
        .store
        .get(id)
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "no scan with that id"))
}

async fn api_scan(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    require_operator(&state, &headers)?;
    let scan = scan_or_404(&state, &id)?;
    let decisions = state.db.of_scan(&id).map_err(ApiError::internal)?;
    let list = state.store.list();
    let pos = list.iter().position(|s| s.id == id);
    let next = pos.and_then(|p| list.get(p + 1)).map(|s| s.id.clone());
    let prev = pos
        .and_then(|p| p.checked_sub(1))
        .and_then(|p| list.get(p))
        .map(|s| s.id.clone());
    Ok(Json(json!({
        "id": scan.id,
        "seq": scan.seq,
        "sha256": scan.sha256,
        "record": scan.record,
        "top_score": scan.top_score(),
        "categories": scan.categories(),
        "decisions": decisions,
        "decision": decisions.last(),
        "has_image": scan.input.is_some() && scan.record.width.is_some(),
        "next": next,
        "prev": prev,
    })))
}

#[derive(Deserialize, Default)]
struct ImageQuery {
    /// Comma-separated tool names ([`TOOLS`]).
    tool: Option<String>,
    contrast: Option<f32>,
    gamma: Option<f32>,
}

fn render(state: &AppState, scan: &StoredScan) -> Result<Arc<Rendered>, ApiError> {
    {
        let cache = state
            .cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((_, r)) = cache.iter().find(|(id, _)| *id == scan.id) {
            return Ok(Arc::clone(r));
        }
    }
    let input = scan
        .input
        .as_ref()
        .filter(|_| scan.record.width.is_some())
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "this scan has no image"))?;
    let loaded = load_input(input, &state.ingest).map_err(|e| {
        eprintln!("armscan serve: reading scan {}: {e}", scan.id);
        ApiError::new(StatusCode::GONE, "the scan's files can no longer be read")
    })?;
    let colour = matches!(loaded.planes, Planes::Dual { .. } | Planes::PseudoColour(_));
    let rgb = display_rgb(&loaded, &state.windowing);
    let rendered = Arc::new(Rendered {
        width: rgb.width(),
        height: rgb.height(),
        rgb: rgb.into_raw(),
        colour,
    });
    let mut cache = state
        .cache
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    cache.push((scan.id.clone(), Arc::clone(&rendered)));
    if cache.len() > 4 {
        cache.remove(0);
    }
    Ok(rendered)
}

/// Applies the tools named in `names` (in [`TOOLS`] order) to an RGB image.
fn apply_tools(
    image: &Rendered,
    names: &[&str],
    contrast: f32,
    gamma: f32,
) -> Result<Vec<u8>, ApiError> {
    for n in names {
        if !TOOLS.contains(n) {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                format!("tool: unknown tool {n:?}; known: {}", TOOLS.join(", ")),
            ));
        }
        if n.ends_with("-strip") && !image.colour {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "tool: stripping needs a dual-energy or pseudo-colour scan",
            ));
        }
    }
    let mut rgb = image.rgb.clone();
    let (w, h) = (image.width as usize, image.height as usize);
    for tool in TOOLS.iter().filter(|t| names.contains(t)) {
        match *tool {
            "organic-strip" => tools::strip_mut(&mut rgb, StripMaterial::Organic),
            "inorganic-strip" => tools::strip_mut(&mut rgb, StripMaterial::Inorganic),
            "high" => tools::high_penetration_mut(&mut rgb),
            "low" => tools::low_penetration_mut(&mut rgb),
            "edges" => tools::edge_enhance_mut(&mut rgb, w, h),
            "negative" => tools::negative_mut(&mut rgb),
            _ => {}
        }
    }
    if (contrast - 1.0).abs() > f32::EPSILON || (gamma - 1.0).abs() > f32::EPSILON {
        tools::contrast_gamma_mut(&mut rgb, contrast, gamma);
    }
    Ok(rgb)
}

/// PNG for a local screen: fast compression (a tool image is shown once, over loopback or a
/// LAN; encoding time is the console's latency, bytes are cheap).
pub(crate) fn png_fast(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>, ApiError> {
    use image::codecs::png::{CompressionType, FilterType, PngEncoder};
    use image::ImageEncoder;
    let mut out = Vec::with_capacity(rgb.len() / 2);
    PngEncoder::new_with_quality(&mut out, CompressionType::Fast, FilterType::Adaptive)
        .write_image(rgb, width, height, image::ExtendedColorType::Rgb8)
        .map_err(ApiError::internal)?;
    Ok(out)
}

async fn api_image(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<ImageQuery>,
) -> Result<Response, ApiError> {
    require_operator(&state, &headers)?;
    let scan = scan_or_404(&state, &id)?;
    let contrast = q.contrast.unwrap_or(1.0);
    let gamma = q.gamma.unwrap_or(1.0);
    if !(0.1..=10.0).contains(&contrast) || !(0.1..=10.0).contains(&gamma) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "contrast and gamma: between 0.1 and 10",
        ));
    }
    let tool = q.tool.unwrap_or_default();
    let png = tokio::task::spawn_blocking(move || -> Result<Vec<u8>, ApiError> {
        let image = render(&state, &scan)?;
        let names: Vec<&str> = tool.split(',').filter(|t| !t.is_empty()).collect();
        let rgb = apply_tools(&image, &names, contrast, gamma)?;
        png_fast(&rgb, image.width, image.height)
    })
    .await
    .map_err(ApiError::internal)??;
    Ok(([(header::CONTENT_TYPE, "image/png")], png).into_response())
}

#[derive(Deserialize)]
struct DecisionBody {
    decision: String,
    category: Option<String>,
    note: Option<String>,
    #[serde(default)]
    tools: Vec<String>,
    display_to_decision_ms: Option<u64>,
    /// A known fine class of the threat's category.
    fine_class: Option<String>,
    /// Rounds seized, ammunition threats only: checked here to name the field in the error.
    rounds: Option<Value>,
}

/// The most rounds one decision may give.
pub const MAX_ROUNDS: u64 = 10_000_000;

/// Checks a decision's fine class against its category: a known fine class of the threat's
/// category (for `other`, none or an accessory such as `magazine`); other decisions have none.
fn check_fine_class(
    decision: DecisionKind,
    category: Option<ThreatCategory>,
    fine_class: Option<&str>,
) -> Result<Option<String>, String> {
    use armscan_core::taxonomy::known_category;
    use armscan_core::Category;
    let Some(fine) = fine_class.map(str::trim).filter(|f| !f.is_empty()) else {
        return Ok(None);
    };
    let Some(known) = known_category(fine) else {
        let names: Vec<&str> = armscan_core::taxonomy::KNOWN_FINE_CLASSES
            .iter()
            .map(|(n, _)| *n)
            .collect();
        return Err(format!(
            "fine_class: unknown fine class {fine:?}; known: {}",
            names.join(", ")
        ));
    };
    let matches = match category {
        _ if decision != DecisionKind::Threat => {
            return Err("fine_class: only a threat has a fine class".into())
        }
        Some(ThreatCategory::Firearm) => known == Category::Firearm,
        Some(ThreatCategory::Part) => known == Category::Part,
        Some(ThreatCategory::Ammunition) => known == Category::Ammunition,
        Some(ThreatCategory::Other) | None => known == Category::Accessory,
    };
    if !matches {
        let given = category.map_or("none", ThreatCategory::as_str);
        return Err(format!(
            "fine_class: {fine} is a fine class of {known}, not of category {given}"
        ));
    }
    Ok(Some(fine.to_owned()))
}

/// Checks a decision's rounds: a whole number from 0 to [`MAX_ROUNDS`], ammunition only.
fn check_rounds(
    decision: DecisionKind,
    category: Option<ThreatCategory>,
    rounds: Option<&Value>,
) -> Result<Option<u64>, String> {
    let Some(v) = rounds.filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    if decision != DecisionKind::Threat || category != Some(ThreatCategory::Ammunition) {
        return Err("rounds: only an ammunition threat has rounds".into());
    }
    match v.as_u64() {
        Some(n) if n <= MAX_ROUNDS => Ok(Some(n)),
        _ => Err(format!(
            "rounds: a whole number of rounds from 0 to {MAX_ROUNDS}, not {v}"
        )),
    }
}

async fn api_decide(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let operator = require_operator(&state, &headers)?;
    let scan = scan_or_404(&state, &id)?;
    let body: DecisionBody = parse_json(&body)?;
    let unprocessable = |m: &str| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, m);
    let decision = DecisionKind::parse(&body.decision)
        .ok_or_else(|| unprocessable("decision: one of clear, threat, search"))?;
    let category =
        match (decision, body.category.as_deref()) {
            (DecisionKind::Threat, Some(c)) => Some(ThreatCategory::parse(c).ok_or_else(|| {
                unprocessable("category: one of firearm, part, ammunition, other")
            })?),
            (DecisionKind::Threat, None) => {
                return Err(unprocessable(
                    "category: a threat needs one of firearm, part, ammunition, other",
                ))
            }
            (_, None | Some("")) => None,
            (_, Some(_)) => return Err(unprocessable("category: only a threat has a category")),
        };
    let fine_class = check_fine_class(decision, category, body.fine_class.as_deref())
        .map_err(|m| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, m))?;
    let rounds = check_rounds(decision, category, body.rounds.as_ref())
        .map_err(|m| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, m))?;
    let note = body
        .note
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty());
    if note
        .as_ref()
        .is_some_and(|n| n.chars().count() > MAX_NOTE_CHARS)
    {
        return Err(unprocessable("note: too long"));
    }
    let mut used: Vec<String> = Vec::new();
    for t in body.tools {
        let known = TOOLS.contains(&t.as_str()) || matches!(t.as_str(), "gamma" | "zoom" | "boxes");
        if !known {
            return Err(unprocessable("tools: an unknown tool"));
        }
        if !used.contains(&t) {
            used.push(t);
        }
    }
    let new = NewDecision {
        operator,
        scan_id: scan.id.clone(),
        scan_name: scan.record.scan.clone(),
        scan_sha256: scan.sha256.clone(),
        engine_status: scan.status_word().to_owned(),
        engine_top_score: scan.top_score(),
        decision,
        category,
        note,
        tools: used,
        display_to_decision_ms: body.display_to_decision_ms,
        fine_class,
        rounds,
        site: state.site.clone(),
        lane: state.lane.clone(),
    };
    let db = Arc::clone(&state.db);
    let row = tokio::task::spawn_blocking(move || db.record(&new, &armscan::now_utc()))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    Ok((StatusCode::CREATED, Json(row)).into_response())
}

async fn api_decisions_csv(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    require_operator(&state, &headers)?;
    let rows = state.db.all().map_err(ApiError::internal)?;
    Ok(csv_response(decisions_csv(&rows), "decisions.csv"))
}

/// The shift a report covers: `?hours=N` (the last N hours), or `?from=&to=` (UTC times or
/// days); nothing: every decision.
#[derive(Deserialize, Default)]
struct ReportQuery {
    from: Option<String>,
    to: Option<String>,
    hours: Option<u32>,
}

impl ReportQuery {
    fn window(&self) -> Result<ShiftWindow, ApiError> {
        let bad = |m: String| ApiError::new(StatusCode::BAD_REQUEST, m);
        match self.hours {
            Some(h) if self.from.is_some() || self.to.is_some() => {
                Err(bad(format!("hours: give hours={h} or from/to, not both")))
            }
            Some(h @ 1..=168) => {
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs());
                Ok(ShiftWindow::last_hours(h, now))
            }
            Some(_) => Err(bad("hours: between 1 and 168".into())),
            None => ShiftWindow::parse(self.from.as_deref(), self.to.as_deref()).map_err(bad),
        }
    }

    /// The same window as a query string for the export links.
    fn query_string(&self) -> String {
        let mut parts = Vec::new();
        if let Some(h) = self.hours {
            parts.push(format!("hours={h}"));
        }
        for (k, v) in [("from", &self.from), ("to", &self.to)] {
            if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                // the window was parsed, so the value is digits, '-', ':', 'T' and 'Z'
                parts.push(format!("{k}={v}"));
            }
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }
}

async fn api_report_json(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(q): Query<ReportQuery>,
) -> Result<Json<Value>, ApiError> {
    require_operator(&state, &headers)?;
    let report = state.db.report(&q.window()?).map_err(ApiError::internal)?;
    Ok(Json(json!({
        "schema": "armscan.shift/1",
        "generated_utc": armscan::now_utc(),
        "scans_queued": state.store.len(),
        "report": report,
    })))
}

async fn api_report_csv(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(q): Query<ReportQuery>,
) -> Result<Response, ApiError> {
    require_operator(&state, &headers)?;
    let report = state.db.report(&q.window()?).map_err(ApiError::internal)?;
    Ok(csv_response(report_csv(&report), "shift-report.csv"))
}

/// The seizure statistics' query: the window as the shift report's (`hours`, or `from`/`to`),
/// `period` (`day|week|month|quarter|year`, default `month`), `site`, `lane`, and for the API
/// `format` (`json`, the default, or `csv`).
#[derive(Deserialize, Default)]
struct StatsQuery {
    from: Option<String>,
    to: Option<String>,
    hours: Option<u32>,
    period: Option<String>,
    site: Option<String>,
    lane: Option<String>,
    format: Option<String>,
}

/// A query-string value, percent-encoded (all but `A-Z a-z 0-9 - . _ ~`).
fn url_encode(v: &str) -> String {
    v.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

impl StatsQuery {
    fn window_query(&self) -> ReportQuery {
        ReportQuery {
            from: self.from.clone(),
            to: self.to.clone(),
            hours: self.hours,
        }
    }

    fn query(&self) -> Result<SeizureQuery, ApiError> {
        let window = self.window_query().window()?;
        let period = match self.period.as_deref().map(str::trim) {
            None | Some("") => PeriodKind::default(),
            Some(p) => PeriodKind::parse(p).ok_or_else(|| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "period: one of day, week, month, quarter, year",
                )
            })?,
        };
        let name = |v: &Option<String>| v.as_deref().map(|v| v.trim().to_owned());
        Ok(SeizureQuery::default()
            .with_window(window)
            .with_period(period)
            .with_site(name(&self.site))
            .with_lane(name(&self.lane)))
    }

    /// The same statistics as a query string (`?...`), for the export links.
    fn query_string(&self, q: &SeizureQuery) -> String {
        let mut parts = Vec::new();
        let window = self.window_query().query_string();
        if let Some(w) = window.strip_prefix('?') {
            parts.push(w.to_owned());
        }
        parts.push(format!("period={}", q.period));
        if let Some(site) = &q.site {
            parts.push(format!("site={}", url_encode(site)));
        }
        if let Some(lane) = &q.lane {
            parts.push(format!("lane={}", url_encode(lane)));
        }
        format!("?{}", parts.join("&"))
    }
}

async fn api_stats(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(q): Query<StatsQuery>,
) -> Result<Response, ApiError> {
    require_operator(&state, &headers)?;
    let csv = match q.format.as_deref() {
        None | Some("" | "json") => false,
        Some("csv") => true,
        Some(_) => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "format: json or csv",
            ))
        }
    };
    let query = q.query()?;
    let stats = state
        .db
        .seizures(&query, &armscan::now_utc())
        .map_err(ApiError::internal)?;
    Ok(if csv {
        csv_response(seizures_csv(&stats), "seizures.csv")
    } else {
        Json(stats).into_response()
    })
}

pub(crate) fn csv_response(body: String, name: &'static str) -> Response {
    let disposition = format!("attachment; filename=\"{name}\"");
    let mut response = ([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], body).into_response();
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

async fn page_queue(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    match operator(&state, &headers) {
        Ok(Some(op)) => Html(page::queue(&op).into_string()).into_response(),
        Ok(None) => Html(page::login().into_string()).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn page_scan(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    match operator(&state, &headers) {
        Ok(Some(op)) => match state.store.get(&id) {
            Some(scan) => Html(page::scan(&op, &scan.id).into_string()).into_response(),
            None => ApiError::new(StatusCode::NOT_FOUND, "no scan with that id").into_response(),
        },
        Ok(None) => Redirect::to("/").into_response(),
        Err(e) => e.into_response(),
    }
}

async fn page_report(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(q): Query<ReportQuery>,
) -> Response {
    match operator(&state, &headers) {
        Ok(Some(op)) => {
            let window = match q.window() {
                Ok(w) => w,
                Err(e) => return e.into_response(),
            };
            match state.db.report(&window) {
                Ok(report) => Html(
                    page::report(&op, &report, state.store.len(), &q.query_string()).into_string(),
                )
                .into_response(),
                Err(e) => ApiError::internal(e).into_response(),
            }
        }
        Ok(None) => Redirect::to("/").into_response(),
        Err(e) => e.into_response(),
    }
}

async fn page_stats(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(q): Query<StatsQuery>,
) -> Response {
    match operator(&state, &headers) {
        Ok(Some(op)) => {
            let query = match q.query() {
                Ok(query) => query,
                Err(e) => return e.into_response(),
            };
            match state.db.seizures(&query, &armscan::now_utc()) {
                Ok(stats) => Html(page::stats(&op, &stats, &q.query_string(&query)).into_string())
                    .into_response(),
                Err(e) => ApiError::internal(e).into_response(),
            }
        }
        Ok(None) => Redirect::to("/").into_response(),
        Err(e) => e.into_response(),
    }
}

async fn static_js() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        Body::from(page::APP_JS),
    )
        .into_response()
}

async fn static_css() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        Body::from(page::APP_CSS),
    )
        .into_response()
}
