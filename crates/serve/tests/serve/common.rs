//! Helpers of the serve crate's in-process tests: requests with a session cookie and an
//! `Origin`, sending through `oneshot`, logging in.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use tower::ServiceExt;

pub const HOST: &str = "127.0.0.1:8080";
pub const ORIGIN: &str = "http://127.0.0.1:8080";

pub fn get(uri: &str, session: Option<&str>) -> Request<Body> {
    let mut b = Request::get(uri).header(header::HOST, HOST);
    if let Some(s) = session {
        b = b.header(header::COOKIE, format!("armscan_session={s}"));
    }
    b.body(Body::empty()).unwrap()
}

pub fn post(uri: &str, session: Option<&str>, origin: Option<&str>, body: &str) -> Request<Body> {
    let mut b = Request::post(uri)
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(s) = session {
        b = b.header(header::COOKIE, format!("armscan_session={s}"));
    }
    if let Some(o) = origin {
        b = b.header(header::ORIGIN, o);
    }
    b.body(Body::from(body.to_owned())).unwrap()
}

pub async fn send(
    app: &Router,
    req: Request<Body>,
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let response = app.clone().oneshot(req).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap()
        .to_vec();
    (status, headers, body)
}

pub async fn login(app: &Router, name: &str) -> String {
    let (status, headers, _) = send(
        app,
        post(
            "/api/login",
            None,
            Some(ORIGIN),
            &json!({ "operator": name }).to_string(),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let cookie = headers
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    cookie
        .split(';')
        .next()
        .unwrap()
        .strip_prefix("armscan_session=")
        .unwrap()
        .to_owned()
}

pub fn json_of(body: &[u8]) -> Value {
    serde_json::from_slice(body).unwrap()
}

/// The tiny fixture detector (finds dark blobs) of armscan-detect's tests.
pub fn fixture_model() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../detect/tests/fixtures/dark_blob.manifest.json")
}
