//! The console's HTTP API in process (tower's `oneshot`): guards, error cases and their status
//! codes, the image tools, the queue, decisions and their CSV, and concurrent deciders.

use std::path::Path;
use std::sync::Arc;

use armscan::{BoxInImage, Category, Detection, ScanInput, ScanRecord, Status};
use armscan_serve::{router, AppState, DecisionDb, Guards, ScanStore, CONTENT_SECURITY_POLICY};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use serde_json::json;

use super::common::{get, json_of, login, post, send, HOST, ORIGIN};

struct Fixture {
    _dir: tempfile::TempDir,
    app: Router,
    db: Arc<DecisionDb>,
    alarm_id: String,
    clear_id: String,
    failed_id: String,
}

fn grey_png(path: &Path) {
    // 4x2 grey: 0, 50, 100, 150 / 200, 250, 255, 10
    let img = image::GrayImage::from_raw(4, 2, vec![0, 50, 100, 150, 200, 250, 255, 10]).unwrap();
    img.save(path).unwrap();
}

fn fixture(token: Option<&str>) -> Fixture {
    fixture_guarded(
        Guards::default()
            .with_token(token.map(str::to_owned))
            .with_max_body_bytes(4096),
    )
}

fn fixture_guarded(guards: Guards) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("bag.png");
    grey_png(&png);
    let store = Arc::new(ScanStore::new());
    let det = Detection {
        class_name: "handgun".into(),
        category: Category::Firearm,
        score: 0.93,
        box_in_image: BoxInImage::new(0.0, 0.0, 2.0, 2.0),
    };
    let alarm = ScanRecord::screened("bag.png", 4, 2, Status::Alarm, vec![det], "tract", "m", 1.0);
    let alarm_id = store.push(
        1,
        alarm,
        Some("ab".repeat(32)),
        Some(ScanInput::File(png.clone())),
    );
    let clear = ScanRecord::screened("ok.png", 4, 2, Status::Clear, vec![], "tract", "m", 1.0);
    let clear_id = store.push(2, clear, None, Some(ScanInput::File(png)));
    let failed = ScanRecord::failed("broken.png", "broken.png: not an image", "tract", "m", 0.0);
    let failed_id = store.push(3, failed, None, None);
    let db = Arc::new(DecisionDb::open(&dir.path().join("console.sqlite")).unwrap());
    let state = AppState::new(store, Arc::clone(&db))
        .with_guards(guards)
        .with_allowed_hosts(Some(armscan_serve::loopback_hosts(8080)));
    Fixture {
        _dir: dir,
        app: router(Arc::new(state)),
        db,
        alarm_id,
        clear_id,
        failed_id,
    }
}

#[tokio::test]
async fn state_changing_requests_need_this_origin() {
    let f = fixture(None);
    let body = r#"{"operator":"ana"}"#;
    for origin in [
        None,
        Some("http://evil.example"),
        Some("http://127.0.0.1:9999"),
    ] {
        let (status, headers, body) = send(&f.app, post("/api/login", None, origin, body)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{origin:?}");
        assert!(json_of(&body)["error"].as_str().unwrap().contains("Origin"));
        assert_eq!(
            headers.get(header::CONTENT_SECURITY_POLICY).unwrap(),
            CONTENT_SECURITY_POLICY
        );
    }
    let session = login(&f.app, "ana").await;
    let decision = r#"{"decision":"clear"}"#;
    let uri = format!("/api/scans/{}/decisions", f.clear_id);
    let (status, _, _) = send(
        &f.app,
        post(&uri, Some(&session), Some("http://evil.example"), decision),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(f.db.all().unwrap().is_empty(), "nothing recorded");
}

#[tokio::test]
async fn a_foreign_host_is_refused() {
    let f = fixture(None);
    let req = Request::get("/")
        .header(header::HOST, "rebind.example:8080")
        .body(Body::empty())
        .unwrap();
    let (status, _, _) = send(&f.app, req).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_token_is_required_when_set() {
    let token = "0123456789abcdef0123";
    let f = fixture(Some(token));
    let (status, _, body) = send(&f.app, get("/api/queue", None)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(json_of(&body)["error"].as_str().unwrap().contains("token"));
    let wrong = Request::get("/")
        .header(header::HOST, HOST)
        .header(header::AUTHORIZATION, "Bearer 0123456789abcdef0124")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&f.app, wrong).await.0, StatusCode::UNAUTHORIZED);
    let right = Request::get("/")
        .header(header::HOST, HOST)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let (status, _, body) = send(&f.app, right).await;
    assert_eq!(status, StatusCode::OK);
    assert!(String::from_utf8(body).unwrap().contains("Operator name"));
    // A link with ?token= sets the cookie and drops the token from the address.
    let link = get(&format!("/?token={token}"), None);
    let (status, headers, _) = send(&f.app, link).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers.get(header::LOCATION).unwrap(), "/");
    let cookie = headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    assert!(cookie.starts_with(&format!("armscan_token={token};")));
    let with_cookie = Request::get("/")
        .header(header::HOST, HOST)
        .header(header::COOKIE, format!("armscan_token={token}"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&f.app, with_cookie).await.0, StatusCode::OK);
}

#[tokio::test]
async fn api_error_cases() {
    let f = fixture(None);
    // Not logged in.
    assert_eq!(
        send(&f.app, get("/api/queue", None)).await.0,
        StatusCode::UNAUTHORIZED
    );
    let s = login(&f.app, "ana").await;
    let session = Some(s.as_str());
    // Unknown ids, including path-like ones.
    for id in ["nope", "..%2F..%2Fetc%2Fpasswd", "0000000000000000"] {
        let (status, _, body) = send(&f.app, get(&format!("/api/scans/{id}"), session)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{id}");
        assert_eq!(json_of(&body)["error"], "no scan with that id");
        let uri = format!("/api/scans/{id}/image?tool=negative");
        assert_eq!(
            send(&f.app, get(&uri, session)).await.0,
            StatusCode::NOT_FOUND
        );
        let uri = format!("/api/scans/{id}/decisions");
        let req = post(&uri, session, Some(ORIGIN), r#"{"decision":"clear"}"#);
        assert_eq!(send(&f.app, req).await.0, StatusCode::NOT_FOUND);
    }
    let uri = format!("/api/scans/{}/decisions", f.alarm_id);
    let cases = [
        (r#"{"decision":"maybe"}"#, StatusCode::UNPROCESSABLE_ENTITY),
        (r#"{"decision":"threat"}"#, StatusCode::UNPROCESSABLE_ENTITY),
        (
            r#"{"decision":"threat","category":"knife"}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            r#"{"decision":"clear","category":"firearm"}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            r#"{"decision":"clear","tools":["rm -rf"]}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (r#"{"decision":"#, StatusCode::BAD_REQUEST),
        (r#"{"category":"part"}"#, StatusCode::BAD_REQUEST),
    ];
    for (body, want) in cases {
        let (status, _, text) = send(&f.app, post(&uri, session, Some(ORIGIN), body)).await;
        assert_eq!(status, want, "{body}");
        let err = json_of(&text)["error"].as_str().unwrap().to_owned();
        assert!(!err.is_empty() && !err.contains("panicked"), "{err}");
    }
    // Oversized body.
    let note = "x".repeat(10_000);
    let body = json!({ "decision": "clear", "note": note }).to_string();
    let (status, _, _) = send(&f.app, post(&uri, session, Some(ORIGIN), &body)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    // A bad login name.
    let req = post("/api/login", None, Some(ORIGIN), r#"{"operator":"  "}"#);
    assert_eq!(send(&f.app, req).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    // Bad filters and tools.
    let req = get("/api/queue?verdict=maybe", session);
    assert_eq!(send(&f.app, req).await.0, StatusCode::BAD_REQUEST);
    let uri = format!("/api/scans/{}/image?tool=xray-vision", f.alarm_id);
    assert_eq!(
        send(&f.app, get(&uri, session)).await.0,
        StatusCode::BAD_REQUEST
    );
    let uri = format!("/api/scans/{}/image?tool=organic-strip", f.alarm_id);
    let (status, _, body) = send(&f.app, get(&uri, session)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "stripping a grey scan");
    assert!(json_of(&body)["error"]
        .as_str()
        .unwrap()
        .contains("dual-energy"));
    let uri = format!("/api/scans/{}/image?gamma=0", f.alarm_id);
    assert_eq!(
        send(&f.app, get(&uri, session)).await.0,
        StatusCode::BAD_REQUEST
    );
    // A failed scan has no image; an unknown route is a JSON 404.
    let uri = format!("/api/scans/{}/image", f.failed_id);
    assert_eq!(
        send(&f.app, get(&uri, session)).await.0,
        StatusCode::NOT_FOUND
    );
    let (status, _, body) = send(&f.app, get("/etc/passwd", session)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(json_of(&body)["error"], "no such page");
    assert!(
        f.db.all().unwrap().is_empty(),
        "no error case recorded a decision"
    );
}

#[tokio::test]
async fn images_with_tools_are_png() {
    let f = fixture(None);
    let s = login(&f.app, "ana").await;
    let grey = |bytes: &[u8]| -> Vec<u8> {
        let img = image::load_from_memory(bytes).unwrap().to_rgb8();
        assert_eq!(img.dimensions(), (4, 2));
        img.pixels().map(|p| p[0]).collect()
    };
    let base = format!("/api/scans/{}/image", f.alarm_id);
    let (status, headers, body) = send(&f.app, get(&base, Some(&s))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers.get(header::CONTENT_TYPE).unwrap(), "image/png");
    assert_eq!(grey(&body), vec![0, 50, 100, 150, 200, 250, 255, 10]);
    let (_, _, body) = send(&f.app, get(&format!("{base}?tool=negative"), Some(&s))).await;
    assert_eq!(grey(&body), vec![255, 205, 155, 105, 55, 5, 0, 245]);
    let (_, _, body) = send(&f.app, get(&format!("{base}?tool=high"), Some(&s))).await;
    assert_eq!(grey(&body), vec![0, 100, 201, 255, 255, 255, 255, 20]);
    // Tools apply in a fixed order: high penetration, then the negative.
    let (_, _, body) = send(&f.app, get(&format!("{base}?tool=negative,high"), Some(&s))).await;
    assert_eq!(grey(&body), vec![255, 155, 54, 0, 0, 0, 0, 235]);
}

#[tokio::test]
async fn queue_decisions_and_csv() {
    let f = fixture(None);
    let s = login(&f.app, "ana").await;
    let (status, _, body) = send(&f.app, get("/api/queue", Some(&s))).await;
    assert_eq!(status, StatusCode::OK);
    let q = json_of(&body);
    let scans = q["scans"].as_array().unwrap();
    assert_eq!(scans.len(), 3);
    assert_eq!(scans[0]["status"], "alarm");
    assert_eq!(scans[0]["categories"], json!(["firearm"]));
    assert!((scans[0]["top_score"].as_f64().unwrap() - 0.93).abs() < 1e-6);
    assert_eq!(scans[2]["status"], "error", "a failed scan is never clear");
    assert_eq!(scans[2]["error"], "broken.png: not an image");
    assert!(!scans[2]["id"].as_str().unwrap().contains('/'));

    let uri = format!("/api/scans/{}/decisions", f.alarm_id);
    let body = r#"{"decision":"threat","category":"firearm","note":"=HYPERLINK(1)","tools":["negative","high"],"display_to_decision_ms":4200}"#;
    let (status, _, row) = send(&f.app, post(&uri, Some(&s), Some(ORIGIN), body)).await;
    assert_eq!(status, StatusCode::CREATED);
    let row = json_of(&row);
    assert_eq!(row["operator"], "ana");
    assert_eq!(row["engine_status"], "alarm");
    assert_eq!(row["scan_sha256"], "ab".repeat(32));
    // A correction is a new row.
    let (status, _, _) = send(
        &f.app,
        post(&uri, Some(&s), Some(ORIGIN), r#"{"decision":"search"}"#),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, _, body) = send(&f.app, get(&format!("/api/scans/{}", f.alarm_id), Some(&s))).await;
    let scan = json_of(&body);
    assert_eq!(scan["decisions"].as_array().unwrap().len(), 2);
    assert_eq!(scan["decision"]["decision"], "search");
    assert_eq!(scan["record"]["schema"], "armscan.scan/2");
    assert_eq!(scan["next"], f.clear_id);

    let (_, _, body) = send(&f.app, get("/api/queue?state=undecided", Some(&s))).await;
    let ids: Vec<String> = json_of(&body)["scans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, vec![f.clear_id.clone(), f.failed_id.clone()]);
    let (_, _, body) = send(
        &f.app,
        get("/api/queue?verdict=flagged&state=decided", Some(&s)),
    )
    .await;
    assert_eq!(json_of(&body)["scans"].as_array().unwrap().len(), 1);

    let (status, headers, body) = send(&f.app, get("/api/decisions.csv", Some(&s))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers
        .get(header::CONTENT_TYPE)
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let csv = String::from_utf8(body).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[1].contains(",ana,") && lines[1].contains(",threat,firearm,'=HYPERLINK(1),"));
    assert!(lines[1].contains(",negative high,4200"));
    let (_, _, body) = send(&f.app, get("/api/report.json", Some(&s))).await;
    let report = json_of(&body);
    assert_eq!(report["report"]["rows"], 2);
    assert_eq!(report["report"]["by_decision"]["search"], 1);
    assert_eq!(report["report"]["agreed"], 1);
    let (status, _, body) = send(&f.app, get("/report", Some(&s))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(String::from_utf8(body).unwrap().contains("Shift report"));
    // A shift window: the last 8 hours hold both rows; a window that ended in 2001 none.
    let (_, _, body) = send(&f.app, get("/api/report.json?hours=8", Some(&s))).await;
    let report = json_of(&body);
    assert_eq!(report["report"]["rows"], 2);
    assert!(report["report"]["window"]["from_utc"]
        .as_str()
        .unwrap()
        .ends_with('Z'));
    let (_, _, body) = send(&f.app, get("/api/report.csv?to=2001-01-01", Some(&s))).await;
    let csv = String::from_utf8(body).unwrap();
    assert!(
        csv.contains("window,to_utc,2001-01-01T00:00:00Z\n"),
        "{csv}"
    );
    assert!(csv.contains("total,rows,0\n"), "{csv}");
    let (status, _, body) = send(
        &f.app,
        get("/report?from=2026-01-01&to=2099-01-01", Some(&s)),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(String::from_utf8(body)
        .unwrap()
        .contains("/api/report.csv?from=2026-01-01&amp;to=2099-01-01"));
    for bad in [
        "hours=0",
        "hours=8&from=2026-01-01",
        "from=monday",
        "from=2026-02-01&to=2026-01-01",
    ] {
        let (status, _, body) =
            send(&f.app, get(&format!("/api/report.json?{bad}"), Some(&s))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(json_of(&body)["error"].is_string());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_clients_deciding_at_once_lose_nothing() {
    let f = fixture(None);
    let a = login(&f.app, "ana").await;
    let b = login(&f.app, "ben").await;
    let per_client = 40;
    let mut tasks = Vec::new();
    for (session, kind) in [(a, "clear"), (b, "search")] {
        let app = f.app.clone();
        let ids = [f.alarm_id.clone(), f.clear_id.clone()];
        tasks.push(tokio::spawn(async move {
            for i in 0..per_client {
                let uri = format!("/api/scans/{}/decisions", ids[i % 2]);
                let body = format!(r#"{{"decision":"{kind}","note":"n{i}"}}"#);
                let (status, _, _) =
                    send(&app, post(&uri, Some(&session), Some(ORIGIN), &body)).await;
                assert_eq!(status, StatusCode::CREATED);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let rows = f.db.all().unwrap();
    assert_eq!(rows.len(), 2 * per_client);
    for (op, kind) in [("ana", "clear"), ("ben", "search")] {
        let mine: Vec<_> = rows.iter().filter(|r| r.operator == op).collect();
        assert_eq!(mine.len(), per_client);
        assert!(mine.iter().all(|r| r.decision == kind));
        let notes: std::collections::BTreeSet<_> = mine.iter().map(|r| r.note.clone()).collect();
        assert_eq!(notes.len(), per_client, "every decision of {op} kept");
    }
}

#[tokio::test]
async fn stripping_a_pseudo_colour_scan() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("colour.png");
    // Orange (organic), blue (metal), grey.
    let px = vec![200, 110, 0, 25, 75, 240, 90, 90, 90];
    image::RgbImage::from_raw(3, 1, px)
        .unwrap()
        .save(&png)
        .unwrap();
    let store = Arc::new(ScanStore::new());
    let record = ScanRecord::screened("colour.png", 3, 1, Status::Clear, vec![], "tract", "m", 1.0);
    let id = store.push(1, record, None, Some(ScanInput::File(png)));
    let db = Arc::new(DecisionDb::open(&dir.path().join("c.sqlite")).unwrap());
    let state =
        AppState::new(store, db).with_allowed_hosts(Some(armscan_serve::loopback_hosts(8080)));
    let app = router(Arc::new(state));
    let s = login(&app, "ana").await;
    let rgb = |bytes: &[u8]| image::load_from_memory(bytes).unwrap().to_rgb8().into_raw();
    let uri = format!("/api/scans/{id}/image?tool=organic-strip");
    let (status, _, body) = send(&app, get(&uri, Some(&s))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(rgb(&body), vec![255, 255, 255, 25, 75, 240, 90, 90, 90]);
    let uri = format!("/api/scans/{id}/image?tool=inorganic-strip");
    let (_, _, body) = send(&app, get(&uri, Some(&s))).await;
    assert_eq!(rgb(&body), vec![200, 110, 0, 255, 255, 255, 90, 90, 90]);
}

/// A client that sends its headers and then stalls mid-body is answered 408 once the request
/// time limit passes, over a real socket (the connection is not held open for ever).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_request_times_out_with_408() {
    use std::io::{Read, Write};
    let f = fixture_guarded(
        Guards::default().with_request_timeout(std::time::Duration::from_millis(300)),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = f.app.clone();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let (text, waited) = tokio::task::spawn_blocking(move || {
        let mut socket = std::net::TcpStream::connect(addr).unwrap();
        socket
            .set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .unwrap();
        let started = std::time::Instant::now();
        let head = format!(
            "POST /api/login HTTP/1.1\r\nHost: {HOST}\r\nOrigin: {ORIGIN}\r\n\
             Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"operator\""
        );
        socket.write_all(head.as_bytes()).unwrap();
        let mut response = vec![0u8; 4096];
        let n = socket.read(&mut response).unwrap_or(0);
        (
            String::from_utf8_lossy(&response[..n]).into_owned(),
            started.elapsed(),
        )
    })
    .await
    .unwrap();
    assert!(
        text.starts_with("HTTP/1.1 408"),
        "expected 408, got {text:?}"
    );
    assert!(
        waited >= std::time::Duration::from_millis(250),
        "answered before the limit: {waited:?}"
    );
    // Nothing was recorded for the stalled login.
    assert_eq!(f.db.all().unwrap().len(), 0);
}
