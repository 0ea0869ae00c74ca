//! The HTTP API for integrators (`/v1`): screen an uploaded scan and get its `armscan.scan`
//! record, the model's description, health, and the OpenAPI 3.1 document generated from this
//! code (utoipa). Served by `armscan serve` beside the console, or alone (`--api-only`).
//!
//! Limits, each with its status code: the access token off loopback (401, the console's guard),
//! a body over [`crate::Guards::max_scan_bytes`] (413), a content type that is no image nor a
//! multipart high/low pair (415), more requests than [`ApiState::max_in_flight`] at once (429,
//! `Retry-After`), a server shutting down (503), a request over the time limit (408). Errors are
//! `{"error": MESSAGE}`; a scan that cannot be read is 422 with its `error` record.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use armscan::{ScanRecord, Screener};
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequest, Multipart, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

use crate::app::{ApiError, AppState};

/// The image types `POST /v1/scans` takes as a raw body.
pub const IMAGE_TYPES: [&str; 7] = [
    "image/png",
    "image/jpeg",
    "image/tiff",
    "image/bmp",
    "image/x-ms-bmp",
    "application/dicom",
    "application/octet-stream",
];
/// The media type of a DICOS file (a threat detection report, answered for `format=tdr`).
pub const DICOM_TYPE: &str = "application/dicom";
/// The longest scan name, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// What the API needs beside the console's state: the screener and its admission limit.
#[derive(Debug)]
pub struct ApiState {
    pub screener: Arc<Screener>,
    /// Requests screened or waiting at once; more get 429.
    pub max_in_flight: usize,
    slots: tokio::sync::Semaphore,
    /// Set when the server is stopping: new scans get 503.
    pub stopping: Arc<AtomicBool>,
}

impl ApiState {
    /// The API over `screener`, admitting `max_in_flight` requests at once.
    #[must_use]
    pub fn new(screener: Arc<Screener>, max_in_flight: usize, stopping: Arc<AtomicBool>) -> Self {
        Self {
            screener,
            max_in_flight,
            slots: tokio::sync::Semaphore::new(max_in_flight),
            stopping,
        }
    }
}

/// An error: what went wrong, for people.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: String,
}

/// Health: `ok`, or `stopping` (with 503).
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    pub status: String,
    pub model_id: String,
}

/// An `armscan.scan` record (schema, scan, status, detections with box, class, category and
/// score, model, backend, timing): the same record `armscan scan --jsonl` prints; its fields
/// are documented in the README ("The record").
#[derive(Debug, ToSchema)]
#[schema(value_type = Object)]
#[allow(dead_code)]
pub struct ScanRecordDoc(Value);

/// A scan file's bytes.
#[derive(Debug, ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)]
pub struct ScanBytes(Vec<u8>);

/// A dual-energy pair: the two files as the parts `high` and `low`, and no other part.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct PairUpload {
    #[schema(value_type = String, format = Binary)]
    high: Vec<u8>,
    #[schema(value_type = String, format = Binary)]
    low: Vec<u8>,
}

/// `POST /v1/scans` query. A parameter it does not name is refused (a JSON 400), so a misspelt
/// one is never silently ignored.
#[derive(Debug, Deserialize, Default, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ScanQuery {
    /// The name the record gives the scan (default `upload`): printable, at most 200 characters.
    #[param(min_length = 1, max_length = 200, pattern = "^[^\\x00-\\x1f\\x7f]+$")]
    name: Option<String>,
    /// What a screened scan answers: its record (`json`, the default) or its DICOS threat
    /// detection report (`tdr`, `application/dicom`). A scan that cannot be read answers its
    /// error record (422) either way. Read as text and checked by the handler, so that a bad
    /// value gets a JSON error like every other.
    #[param(value_type = Option<ScanFormat>)]
    format: Option<String>,
}

/// What `POST /v1/scans` answers for a screened scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum ScanFormat {
    /// The `armscan.scan/2` record.
    Json,
    /// The DICOS threat detection report (`application/dicom`).
    Tdr,
}

impl ScanFormat {
    fn parse(value: Option<&str>) -> Result<Self, ApiError> {
        match value {
            None | Some("json") => Ok(ScanFormat::Json),
            Some("tdr") => Ok(ScanFormat::Tdr),
            Some(other) => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                format!("format {other:?}: `json` or `tdr`"),
            )),
        }
    }
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "armscan",
        description = "Screen X-ray scans for firearms, their parts and ammunition. A bearer \
            token is required when the server listens beyond loopback.",
        license(name = "MIT OR Apache-2.0")
    ),
    paths(post_scan, get_model, healthz),
    components(schemas(ErrorBody, Health, ScanRecordDoc, ScanBytes, PairUpload, ScanFormat)),
    modifiers(&BearerAuth),
    security((), ("bearer" = []))
)]
struct ApiDoc;

/// The OpenAPI 3.1 document of the API.
#[must_use]
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    doc
}

/// The API's routes (the caller adds the body limit and the guards).
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/v1/scans", post(post_scan))
        .route("/v1/model", get(get_model))
        .route("/healthz", get(healthz))
        .route("/openapi.json", get(openapi_json))
}

fn api(state: &AppState) -> Result<&Arc<ApiState>, ApiError> {
    state
        .api
        .as_ref()
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "the API is off"))
}

fn with_retry_after(e: ApiError) -> Response {
    let mut r = e.into_response();
    r.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    r
}

/// Screen one scan.
///
/// The body is a scan file (PNG, JPEG, TIFF, BMP, DICOS/DICOM DX; 8- or 16-bit grey,
/// pseudo-colour, or a two-plane TIFF), or a `multipart/form-data` body with the two files of a
/// dual-energy pair as the parts `high` and `low`. The reply is the scan's record, whatever its
/// verdict, or with `format=tdr` its DICOS threat detection report.
#[utoipa::path(
    post,
    path = "/v1/scans",
    params(ScanQuery),
    request_body(content(
        (ScanBytes = "image/png"),
        (ScanBytes = "image/jpeg"),
        (ScanBytes = "image/tiff"),
        (ScanBytes = "image/bmp"),
        (ScanBytes = "application/dicom"),
        (ScanBytes = "application/octet-stream"),
        (PairUpload = "multipart/form-data")
    )),
    responses(
        (status = 200, description = "The scan's record (verdict clear, alarm or review), or with format=tdr its DICOS threat detection report", content(
            (ScanRecordDoc = "application/json"),
            (ScanBytes = "application/dicom")
        )),
        (status = 400, description = "A malformed request (query, multipart)", body = ErrorBody),
        (status = 401, description = "An access token is required", body = ErrorBody),
        (status = 403, description = "A foreign Host or Origin", body = ErrorBody),
        (status = 408, description = "Over the time limit", body = ErrorBody),
        (status = 413, description = "Body over the size limit", body = ErrorBody),
        (status = 415, description = "Not an image nor a multipart pair", body = ErrorBody),
        (status = 422, description = "The scan cannot be read: its error record", body = ScanRecordDoc),
        (status = 429, description = "Too many scans in flight; retry after a second", body = ErrorBody),
        (status = 503, description = "The server is stopping", body = ErrorBody)
    )
)]
async fn post_scan(
    State(state): State<Arc<AppState>>,
    query: Result<Query<ScanQuery>, QueryRejection>,
    request: Request,
) -> Response {
    // a query that does not parse (a repeated or unknown-typed field) is a JSON 400 as well
    let q = match query {
        Ok(Query(q)) => q,
        Err(e) => return ApiError::new(StatusCode::BAD_REQUEST, e.body_text()).into_response(),
    };
    let format = match ScanFormat::parse(q.format.as_deref()) {
        Ok(format) => format,
        Err(e) => return e.into_response(),
    };
    match screen_request(&state, q, format, request).await {
        Ok((record, _)) if record.error.is_some() => {
            (StatusCode::UNPROCESSABLE_ENTITY, Json(record)).into_response()
        }
        Ok((record, _)) if format == ScanFormat::Json => {
            (StatusCode::OK, Json(record)).into_response()
        }
        Ok((_, Some(tdr))) => (
            [(header::CONTENT_TYPE, HeaderValue::from_static(DICOM_TYPE))],
            tdr,
        )
            .into_response(),
        Ok((record, None)) => ApiError::internal(format!(
            "no threat detection report was made for {}",
            record.scan
        ))
        .into_response(),
        Err(e)
            if matches!(
                e.status,
                StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
            ) =>
        {
            with_retry_after(e)
        }
        Err(e) => e.into_response(),
    }
}

enum Upload {
    One(Bytes),
    Pair(Bytes, Bytes),
}

async fn read_upload(headers: &HeaderMap, request: Request) -> Result<Upload, ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_owned();
    let too_big = |e: &dyn std::fmt::Display| {
        let text = e.to_string();
        if text.contains("length limit") || text.contains("too large") {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "the body is over the size limit",
            )
        } else {
            ApiError::new(StatusCode::BAD_REQUEST, format!("reading the body: {text}"))
        }
    };
    if essence == "multipart/form-data" {
        let mut form = Multipart::from_request(request, &())
            .await
            .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, format!("multipart: {e}")))?;
        let (mut high, mut low) = (None, None);
        while let Some(field) = form.next_field().await.map_err(|e| too_big(&e))? {
            let name = field.name().unwrap_or("").to_owned();
            let bytes = field.bytes().await.map_err(|e| too_big(&e))?;
            match name.as_str() {
                "high" if high.is_none() => high = Some(bytes),
                "low" if low.is_none() => low = Some(bytes),
                _ => {
                    return Err(ApiError::new(
                        StatusCode::BAD_REQUEST,
                        "multipart: exactly the parts `high` and `low`, once each",
                    ))
                }
            }
        }
        return match (high, low) {
            (Some(h), Some(l)) => Ok(Upload::Pair(h, l)),
            _ => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "multipart: both parts `high` and `low` are needed",
            )),
        };
    }
    if !IMAGE_TYPES.contains(&essence.as_str()) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "Content-Type {:?}: send a scan as {}, or a high/low pair as multipart/form-data",
                essence,
                IMAGE_TYPES.join(", ")
            ),
        ));
    }
    let bytes = Bytes::from_request(request, &())
        .await
        .map_err(|e| too_big(&e))?;
    Ok(Upload::One(bytes))
}

/// Screens the upload; gives its record and, for `format=tdr` and a screened scan, its threat
/// detection report.
async fn screen_request(
    state: &AppState,
    q: ScanQuery,
    format: ScanFormat,
    request: Request,
) -> Result<(ScanRecord, Option<Vec<u8>>), ApiError> {
    let api = Arc::clone(api(state)?);
    if api.stopping.load(Ordering::SeqCst) {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "the server is stopping",
        ));
    }
    let name = q.name.unwrap_or_else(|| "upload".into());
    if name.is_empty()
        || name.chars().count() > MAX_NAME_CHARS
        || name.chars().any(char::is_control)
    {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("name: 1 to {MAX_NAME_CHARS} printable characters"),
        ));
    }
    // Admission first: a full server answers 429 without reading the body.
    let _slot = api.slots.try_acquire().map_err(|_| {
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "{} scans are in flight, the most this server takes at once; retry",
                api.max_in_flight
            ),
        )
    })?;
    let headers = request.headers().clone();
    let upload = read_upload(&headers, request).await?;
    let screener = Arc::clone(&api.screener);
    let want_tdr = format == ScanFormat::Tdr;
    let (screened, tdr) = tokio::task::spawn_blocking(move || {
        let screened = match upload {
            Upload::One(bytes) => screener.screen_upload(&name, &bytes),
            Upload::Pair(high, low) => screener.screen_pair_upload(&name, &high, &low),
        };
        let tdr = (want_tdr && screened.record.error.is_none()).then(|| screener.tdr(&screened));
        (screened, tdr)
    })
    .await
    .map_err(ApiError::internal)?;
    let tdr = tdr.transpose().map_err(ApiError::internal)?;
    Ok((screened.record, tdr))
}

/// The model and how the server screens.
#[utoipa::path(
    get,
    path = "/v1/model",
    responses(
        (status = 200, description = "Model id, backend, classes, thresholds, versions", body = Object),
        (status = 401, description = "An access token is required", body = ErrorBody)
    )
)]
async fn get_model(State(state): State<Arc<AppState>>) -> Result<Json<Value>, ApiError> {
    let api = api(&state)?;
    let s = &api.screener;
    let info = serde_json::to_value(s.run_info(armscan::now_utc())).map_err(ApiError::internal)?;
    Ok(Json(json!({
        "run": info,
        "model_id": s.model_id(),
        "backend": s.backend_kind().as_str(),
        "threads": s.threads(),
        "max_in_flight": api.max_in_flight,
        "record_schema": armscan::SCAN_SCHEMA,
    })))
}

/// Liveness and readiness.
#[utoipa::path(
    get,
    path = "/healthz",
    responses(
        (status = 200, description = "Ready", body = Health),
        (status = 503, description = "Stopping", body = Health)
    )
)]
async fn healthz(State(state): State<Arc<AppState>>) -> Result<Response, ApiError> {
    let api = api(&state)?;
    let stopping = api.stopping.load(Ordering::SeqCst);
    let body = Health {
        status: if stopping { "stopping" } else { "ok" }.into(),
        model_id: api.screener.model_id().to_owned(),
    };
    let status = if stopping {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    };
    Ok((status, Json(body)).into_response())
}

async fn openapi_json() -> Response {
    match openapi().to_json() {
        Ok(text) => ([(header::CONTENT_TYPE, "application/json")], text).into_response(),
        Err(e) => ApiError::internal(e).into_response(),
    }
}
