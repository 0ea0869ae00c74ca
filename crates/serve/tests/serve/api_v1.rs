//! The integrators' API (`/v1`) in process with a real screener (the fixture model on tract):
//! a scan and a dual-energy pair screened to the same record the facade gives, the OpenAPI
//! document, and every limit's status code (401, 403, 413, 415, 422, 429, 503).

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use super::common::{fixture_model, get, json_of, send, HOST, ORIGIN};
use armscan::{BackendChoice, Screener};
use armscan_serve::api_v1::ApiState;
use armscan_serve::{router, AppState, DecisionDb, Guards, ScanStore};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use serde_json::Value;

fn screener() -> Arc<Screener> {
    Arc::new(
        Screener::builder()
            .with_model(fixture_model())
            .with_backend(BackendChoice::Tract)
            .with_threads(Some(1))
            .commit()
            .unwrap(),
    )
}

struct Api {
    _dir: tempfile::TempDir,
    app: Router,
    screener: Arc<Screener>,
}

fn app(guards: Guards, max_in_flight: usize, stopping: bool) -> Api {
    let dir = tempfile::tempdir().unwrap();
    let db = Arc::new(DecisionDb::open(&dir.path().join("c.sqlite")).unwrap());
    let screener = screener();
    let api = ApiState::new(
        Arc::clone(&screener),
        max_in_flight,
        Arc::new(AtomicBool::new(stopping)),
    );
    let state = AppState::new(Arc::new(ScanStore::new()), db)
        .with_guards(guards)
        .with_allowed_hosts(Some(armscan_serve::loopback_hosts(8080)))
        .with_api(Arc::new(api))
        .with_console(false);
    Api {
        _dir: dir,
        app: router(Arc::new(state)),
        screener,
    }
}

/// A 64x48 grey PNG with a dark block (what the fixture model finds).
fn png_bytes(dark: u8) -> Vec<u8> {
    let img = image::GrayImage::from_fn(64, 48, |x, y| {
        image::Luma([if (10..30).contains(&x) && (12..36).contains(&y) {
            dark
        } else {
            250
        }])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn upload(uri: &str, content_type: &str, body: Vec<u8>) -> Request<Body> {
    Request::post(uri)
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .unwrap()
}

fn multipart(parts: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "armscanBOUNDARY42";
    let mut body = Vec::new();
    for (name, bytes) in parts {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; \
                 filename=\"{name}.png\"\r\nContent-Type: image/png\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// The record without its timing, for comparing with the facade's.
fn timeless(mut v: Value) -> Value {
    v.as_object_mut().unwrap().remove("elapsed_ms");
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scan_and_a_pair_get_the_facades_record() {
    let a = app(Guards::default(), 4, false);
    let png = png_bytes(0);
    let (status, _, body) = send(
        &a.app,
        upload("/v1/scans?name=bag%201.png", "image/png", png.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let got = json_of(&body);
    assert_eq!(got["schema"], armscan::SCAN_SCHEMA);
    assert_eq!(got["scan"], "bag 1.png");
    let direct = serde_json::to_value(a.screener.screen_bytes("bag 1.png", &png)).unwrap();
    assert_eq!(
        timeless(got),
        timeless(direct),
        "the API's record is the facade's"
    );

    // A high/low pair as multipart.
    let (ct, body) = multipart(&[("high", &png_bytes(40)), ("low", &png_bytes(10))]);
    let (status, _, body) = send(&a.app, upload("/v1/scans?name=pair", &ct, body)).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    assert_eq!(json_of(&body)["scan"], "pair");
    // Missing or extra parts.
    for parts in [
        vec![("high", png.as_slice())],
        vec![("high", &png[..]), ("low", &png[..]), ("x", &png[..])],
    ] {
        let (ct, body) = multipart(&parts);
        let (status, _, _) = send(&a.app, upload("/v1/scans", &ct, body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }
    // A file that is no image: 422 with its error record, never a clear one.
    let (status, _, body) = send(
        &a.app,
        upload("/v1/scans", "image/png", b"not a png".to_vec()),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let rec = json_of(&body);
    assert_eq!(rec["status"], "error");
    assert!(rec["error"].as_str().unwrap().contains("upload"), "{rec}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn format_tdr_answers_the_dicos_threat_detection_report() {
    let a = app(Guards::default(), 4, false);
    let has = |bytes: &[u8], text: &str| bytes.windows(text.len()).any(|w| w == text.as_bytes());
    // a PNG the fixture model alarms on: a report with its threat object
    let png = png_bytes(0);
    let (status, headers, body) = send(
        &a.app,
        upload(
            "/v1/scans?name=bag.png&format=tdr",
            "image/png",
            png.clone(),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    assert_eq!(headers[header::CONTENT_TYPE], "application/dicom");
    assert_eq!(&body[128..132], b"DICM");
    let direct = a.screener.screen_upload("bag.png", &png);
    assert_eq!(direct.record.status, armscan::Status::Alarm);
    assert!(
        has(&body, "ALARM") && has(&body, "firearm"),
        "an alarm with its object"
    );
    // a DICOS upload: its report references the uploaded image by its own UID
    let dcs = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../dicos/tests/data/native_mono1_12bit.dcs"),
    )
    .unwrap();
    let (status, _, body) = send(
        &a.app,
        upload("/v1/scans?name=bag.dcs", "application/dicom", dcs.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let record = json_of(&body);
    assert_eq!(
        (record["width"].as_u64(), record["height"].as_u64()),
        (Some(64), Some(48))
    );
    let (status, _, body) = send(
        &a.app,
        upload(
            "/v1/scans?name=bag.dcs&format=tdr",
            "application/dicom",
            dcs,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        has(&body, "2.25.1234567890"),
        "references the uploaded image"
    );
    assert!(
        has(&body, "BAG-0001"),
        "keeps its object of inspection's id"
    );
    // a scan that cannot be read: its error record, as for format=json
    let (status, headers, body) = send(
        &a.app,
        upload(
            "/v1/scans?format=tdr",
            "application/dicom",
            b"DICM?".to_vec(),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(headers[header::CONTENT_TYPE], "application/json");
    assert_eq!(json_of(&body)["status"], "error");
    // an unknown format is a bad request
    let (status, _, _) = send(
        &a.app,
        upload("/v1/scans?format=xml", "image/png", png.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // and so is a parameter the API does not name (a misspelt one is not ignored), as JSON
    let (status, headers, body) =
        send(&a.app, upload("/v1/scans?fromat=tdr", "image/png", png)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(headers[header::CONTENT_TYPE], "application/json");
    assert!(
        json_of(&body)["error"].as_str().unwrap().contains("fromat"),
        "{}",
        String::from_utf8_lossy(&body)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn model_health_and_the_openapi_document() {
    let a = app(Guards::default(), 4, false);
    let (status, _, body) = send(&a.app, get("/v1/model", None)).await;
    assert_eq!(status, StatusCode::OK);
    let m = json_of(&body);
    assert_eq!(m["model_id"], a.screener.model_id());
    assert_eq!(m["backend"], "tract");
    let (status, _, body) = send(&a.app, get("/healthz", None)).await;
    assert_eq!(
        (status, json_of(&body)["status"].clone()),
        (StatusCode::OK, Value::from("ok"))
    );
    let (status, headers, body) = send(&a.app, get("/openapi.json", None)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "application/json");
    let doc = json_of(&body);
    assert_eq!(doc["openapi"], "3.1.0");
    let scans = &doc["paths"]["/v1/scans"]["post"];
    for code in ["200", "401", "413", "415", "422", "429", "503"] {
        assert!(scans["responses"][code].is_object(), "no {code} in {scans}");
    }
    let content = scans["requestBody"]["content"].as_object().unwrap();
    for ct in armscan_serve::api_v1::IMAGE_TYPES
        .iter()
        .filter(|t| **t != "image/x-ms-bmp")
    {
        assert!(content.contains_key(*ct), "{ct}");
    }
    assert!(content.contains_key("multipart/form-data"));
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    // The console is off: its pages are not served.
    let (status, _, _) = send(&a.app, get("/", None)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_limit_has_its_status_code() {
    let png = png_bytes(0);
    // 415: not an image.
    let a = app(Guards::default().with_max_scan_bytes(2000), 4, false);
    let (status, _, body) =
        send(&a.app, upload("/v1/scans", "text/plain", b"hello".to_vec())).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(json_of(&body)["error"]
        .as_str()
        .unwrap()
        .contains("text/plain"));
    // 413: over the upload limit.
    let (status, _, _) = send(&a.app, upload("/v1/scans", "image/png", vec![0u8; 5000])).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    // 400: a bad name.
    let (status, _, _) = send(&a.app, upload("/v1/scans?name=", "image/png", png.clone())).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // 403: a browser on another site (a program sends no Origin and is served).
    let mut req = upload("/v1/scans", "image/png", png.clone());
    req.headers_mut()
        .insert(header::ORIGIN, "http://evil.example".parse().unwrap());
    assert_eq!(send(&a.app, req).await.0, StatusCode::FORBIDDEN);
    let mut req = upload("/v1/scans", "image/png", png.clone());
    req.headers_mut()
        .insert(header::ORIGIN, ORIGIN.parse().unwrap());
    assert_eq!(send(&a.app, req).await.0, StatusCode::OK);
    // 429: no room in flight (Retry-After).
    let full = app(Guards::default(), 0, false);
    let (status, headers, _) = send(&full.app, upload("/v1/scans", "image/png", png.clone())).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(headers[header::RETRY_AFTER], "1");
    // 503: stopping.
    let stopping = app(Guards::default(), 4, true);
    let (status, _, _) = send(&stopping.app, upload("/v1/scans", "image/png", png.clone())).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        send(&stopping.app, get("/healthz", None)).await.0,
        StatusCode::SERVICE_UNAVAILABLE
    );
    // 401: a token is set and not given; given as a bearer it passes.
    let token = "0123456789abcdef0123";
    let guarded = app(Guards::default().with_token(Some(token.into())), 4, false);
    let (status, _, _) = send(&guarded.app, upload("/v1/scans", "image/png", png.clone())).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let mut req = upload("/v1/scans", "image/png", png);
    req.headers_mut().insert(
        header::AUTHORIZATION,
        format!("Bearer {token}").parse().unwrap(),
    );
    assert_eq!(send(&guarded.app, req).await.0, StatusCode::OK);
}
