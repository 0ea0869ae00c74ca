//! Trainer mode through its API in process: a trainer builds a course, a trainee works a
//! 20-trial session, and the stored scores match the answers given (recomputed here from the
//! database's truth and answers, independently of the scoring code); exams issue certificates
//! that cannot be edited; trainees never see answers early, nor each other's trials or scores.

use std::sync::Arc;

use super::common::{get, json_of, login, post, send, ORIGIN};
use armscan_serve::trainer::{Trainer, TrainerDb};
use armscan_serve::{router, AppState, DecisionDb, ScanStore};
use axum::http::StatusCode;
use axum::Router;
use serde_json::{json, Value};

struct Fixture {
    dir: tempfile::TempDir,
    app: Router,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("console.sqlite");
    let db = Arc::new(DecisionDb::open(&path).unwrap());
    let trainer = Trainer::new(TrainerDb::open(&path).unwrap(), Some(vec!["tess".into()]));
    let state = AppState::new(Arc::new(ScanStore::new()), db)
        .with_allowed_hosts(Some(armscan_serve::loopback_hosts(8080)))
        .with_trainer(Arc::new(trainer));
    Fixture {
        dir,
        app: router(Arc::new(state)),
    }
}

async fn call(f: &Fixture, s: &str, method: &str, uri: &str, body: Value) -> (StatusCode, Value) {
    let req = if method == "GET" {
        get(uri, Some(s))
    } else {
        post(uri, Some(s), Some(ORIGIN), &body.to_string())
    };
    let (status, _, bytes) = send(&f.app, req).await;
    let v = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, v)
}

async fn course(f: &Fixture, s: &str, body: Value) -> i64 {
    let (status, v) = call(f, s, "POST", "/api/trainer/courses", body).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    v["id"].as_i64().unwrap()
}

async fn session(f: &Fixture, s: &str, course: i64) -> String {
    let (status, v) = call(
        f,
        s,
        "POST",
        "/api/trainer/sessions",
        json!({ "course": course }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    v["session"].as_str().unwrap().to_owned()
}

/// The stored truth of a session's trials: (category, box) by index.
fn truth(f: &Fixture, session: &str) -> Vec<(Option<String>, Option<[f64; 4]>)> {
    let db = rusqlite::Connection::open(f.dir.path().join("console.sqlite")).unwrap();
    let mut st = db
        .prepare(
            "SELECT t.category, t.box FROM trainer_trials t JOIN trainer_sessions s
             ON s.id = t.session_id WHERE s.token = ?1 ORDER BY t.idx",
        )
        .unwrap();
    st.query_map([session], |r| {
        let b: Option<String> = r.get(1)?;
        Ok((r.get(0)?, b.map(|b| serde_json::from_str(&b).unwrap())))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_twenty_trial_session_is_scored_as_answered() {
    let f = fixture();
    let tess = login(&f.app, "tess").await;
    let tom = login(&f.app, "tom").await;
    let id = course(
        &f,
        &tess,
        json!({"name": "basics", "trials_per_session": 20, "threat_share": 0.5,
               "width": 512, "height": 384, "seed": 7}),
    )
    .await;
    // Only a named trainer builds courses.
    let (status, _) = call(
        &f,
        &tom,
        "POST",
        "/api/trainer/courses",
        json!({"name": "x"}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let s = session(&f, &tom, id).await;
    // Another trainee cannot drive tom's session.
    let (status, _) = call(
        &f,
        &tess,
        "POST",
        &format!("/api/trainer/sessions/{s}/next"),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let mut given = Vec::new(); // (answered threat, mark, category named)
    let mut hits = (0u32, 0u32, 0u32, 0u32); // hits, misses, false alarms, correct rejections
    for i in 0..20 {
        let (status, v) = call(
            &f,
            &tom,
            "POST",
            &format!("/api/trainer/sessions/{s}/next"),
            json!({}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{v}");
        let trial = &v["trial"];
        assert_eq!(trial["index"], i);
        // The trial as served says nothing of its content.
        let keys: Vec<&String> = trial.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["height", "index", "of", "token", "width"]);
        let token = trial["token"].as_str().unwrap().to_owned();
        // Asking again before answering gives the same trial (no skipping).
        let (_, again) = call(
            &f,
            &tom,
            "POST",
            &format!("/api/trainer/sessions/{s}/next"),
            json!({}),
        )
        .await;
        assert_eq!(again["trial"]["token"], token.as_str());
        let (status, _, png) = send(
            &f.app,
            get(&format!("/api/trainer/trials/{token}/image"), Some(&tom)),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(&png[1..4], b"PNG");
        let (status, _, _) = send(
            &f.app,
            get(&format!("/api/trainer/trials/{token}/image"), Some(&tess)),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "another trainee's trial");

        let t = truth(&f, &s);
        let (category, bx) = t[i].clone();
        // A scripted trainee: on every third trial it marks the threat's centre (when there is
        // one) and names a category; otherwise it says threat at a fixed point or no threat.
        let (answer, mark, named) = match (i % 3, bx) {
            (0, Some(b)) => (
                true,
                Some([((b[0] + b[2]) / 2.0) as f32, ((b[1] + b[3]) / 2.0) as f32]),
                Some(if i % 2 == 0 { "firearm" } else { "part" }),
            ),
            (1, _) => (true, Some([5.0f32, 5.0]), None),
            _ => (false, None, None),
        };
        let mut body = json!({ "answer": if answer { "threat" } else { "clear" }, "response_ms": 1000 + i * 10 });
        if let Some(m) = mark {
            body["mark"] = json!(m);
        }
        if let Some(c) = named {
            body["category"] = json!(c);
        }
        let (status, fb) = call(
            &f,
            &tom,
            "POST",
            &format!("/api/trainer/trials/{token}/answer"),
            body.clone(),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{fb}");
        // Feedback tells the truth only now.
        assert_eq!(fb["threat_category"].as_str(), category.as_deref());
        let on = |m: [f32; 2], b: [f64; 4]| {
            f64::from(m[0]) >= b[0] - 12.0
                && f64::from(m[0]) <= b[2] + 12.0
                && f64::from(m[1]) >= b[1] - 12.0
                && f64::from(m[1]) <= b[3] + 12.0
        };
        let expected = match (category.is_some(), answer) {
            (true, true) if mark.is_some_and(|m| on(m, bx.unwrap())) => {
                hits.0 += 1;
                "hit"
            }
            (true, _) => {
                hits.1 += 1;
                "miss"
            }
            (false, true) => {
                hits.2 += 1;
                "false_alarm"
            }
            (false, false) => {
                hits.3 += 1;
                "correct_rejection"
            }
        };
        assert_eq!(fb["outcome"], expected, "trial {i}: {fb}");
        given.push((answer, mark, named, category));
        // Answers are final.
        let (status, _) = call(
            &f,
            &tom,
            "POST",
            &format!("/api/trainer/trials/{token}/answer"),
            body,
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT);
    }
    let (_, v) = call(
        &f,
        &tom,
        "POST",
        &format!("/api/trainer/sessions/{s}/next"),
        json!({}),
    )
    .await;
    assert_eq!(v["done"], true);
    assert_eq!(hits.0 + hits.1, 10, "half the trials carried a threat");

    let (status, scores) = call(&f, &tom, "GET", "/api/trainer/scores", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(scores["schema"], "armscan.trainer-scores/1");
    let overall = &scores["trainees"][0]["sessions"][0]["overall"];
    let counts = &overall["counts"];
    assert_eq!(
        (
            counts["hits"].as_u64().unwrap(),
            counts["misses"].as_u64().unwrap(),
            counts["false_alarms"].as_u64().unwrap(),
            counts["correct_rejections"].as_u64().unwrap()
        ),
        (
            u64::from(hits.0),
            u64::from(hits.1),
            u64::from(hits.2),
            u64::from(hits.3)
        )
    );
    let h = f64::from(hits.0) / 10.0;
    let fa = f64::from(hits.2) / 10.0;
    assert!((overall["hit_rate"].as_f64().unwrap() - h).abs() < 1e-12);
    assert!((overall["false_alarm_rate"].as_f64().unwrap() - fa).abs() < 1e-12);
    let mean_ms: f64 = (0..20).map(|i| f64::from(1000 + i * 10)).sum::<f64>() / 20.0;
    assert!((overall["mean_response_ms"].as_f64().unwrap() - mean_ms).abs() < 1e-9);
    // Categories named on hits, right or wrong.
    let named_right = given
        .iter()
        .filter(|(a, m, n, c)| *a && m.is_some() && n.is_some() && c.as_deref() == *n)
        .count();
    assert!(overall["category_correct"].as_u64().unwrap() as usize <= named_right);
    // The CSV has the same counts.
    let (_, _, csv) = send(&f.app, get("/api/trainer/scores.csv", Some(&tom))).await;
    let csv = String::from_utf8(csv).unwrap();
    let all = csv.lines().find(|l| l.contains(",all,")).unwrap();
    assert!(
        all.contains(&format!(",20,{},{},{},{},", hits.0, hits.1, hits.2, hits.3)),
        "{all}"
    );
    // A trainee sees only their own scores; the trainer sees everyone's.
    let (status, _) = call(
        &f,
        &tom,
        "GET",
        "/api/trainer/scores?trainee=tess",
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, all_scores) = call(&f, &tess, "GET", "/api/trainer/scores", json!({})).await;
    assert_eq!(all_scores["trainees"][0]["trainee"], "tom");
    let (status, _, page) = send(&f.app, get("/trainer/report", Some(&tom))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(String::from_utf8(page).unwrap().contains("<svg"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exam_is_the_same_set_for_everyone_and_certified_once() {
    let f = fixture();
    let tess = login(&f.app, "tess").await;
    let id = course(
        &f,
        &tess,
        json!({"name": "exam A", "kind": "exam", "trials_per_session": 6, "threat_share": 0.5,
               "width": 400, "height": 300, "pass_mark_d_prime": 0.5, "set_version": "2026-1"}),
    )
    .await;
    let (status, v) = call(
        &f,
        &tess,
        "POST",
        "/api/trainer/courses",
        json!({"name": "exam B", "kind": "exam"}),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an exam needs a pass mark: {v}"
    );
    let mut boxes = Vec::new();
    for who in ["ana", "ben"] {
        let s_who = login(&f.app, who).await;
        let s = session(&f, &s_who, id).await;
        for _ in 0..6 {
            let (_, v) = call(
                &f,
                &s_who,
                "POST",
                &format!("/api/trainer/sessions/{s}/next"),
                json!({}),
            )
            .await;
            let token = v["trial"]["token"].as_str().unwrap().to_owned();
            let t = truth(&f, &s);
            let (cat, bx) = t.last().cloned().unwrap();
            // ana finds every threat; ben says no threat to everything
            let body = match (who, bx) {
                ("ana", Some(b)) => {
                    json!({"answer": "threat", "mark": [(b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0]})
                }
                _ => json!({"answer": "clear"}),
            };
            let (status, fb) = call(
                &f,
                &s_who,
                "POST",
                &format!("/api/trainer/trials/{token}/answer"),
                body,
            )
            .await;
            assert_eq!(status, StatusCode::OK);
            // No feedback in an exam.
            assert!(
                fb["outcome"].is_null()
                    && fb["threat_box"].is_null()
                    && fb["threat_category"].is_null(),
                "{fb}"
            );
            let _ = cat;
        }
        boxes.push(truth(&f, &s));
    }
    assert_eq!(boxes[0], boxes[1], "every trainee sits the same set");
    let (_, scores) = call(&f, &tess, "GET", "/api/trainer/scores", json!({})).await;
    let certs = scores["certificates"].as_array().unwrap();
    assert_eq!(certs.len(), 2);
    let by = |n: &str| certs.iter().find(|c| c["trainee"] == n).unwrap().clone();
    assert_eq!(by("ana")["passed"], true, "{certs:?}");
    assert_eq!(by("ben")["passed"], false);
    assert_eq!(by("ana")["set_version"], "2026-1");
    // A certificate cannot be edited, nor an answer.
    let db = rusqlite::Connection::open(f.dir.path().join("console.sqlite")).unwrap();
    assert!(db
        .execute("UPDATE trainer_certificates SET passed = 1", [])
        .is_err());
    assert!(db.execute("DELETE FROM trainer_certificates", []).is_err());
    assert!(db
        .execute("UPDATE trainer_answers SET outcome = 'hit'", [])
        .is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_trainer_requests_get_clear_errors() {
    let f = fixture();
    let tess = login(&f.app, "tess").await;
    let id = course(
        &f,
        &tess,
        json!({"name": "c", "trials_per_session": 2, "width": 300, "height": 300}),
    )
    .await;
    for (body, want) in [
        (json!({"name": "c"}), StatusCode::CONFLICT),
        (
            json!({"name": "d", "threat_share": 2.0}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"name": "d", "categories": ["handgun"]}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"name": "d", "kind": "quiz"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (json!({"name": "d", "surprise": 1}), StatusCode::BAD_REQUEST),
    ] {
        let (status, v) = call(&f, &tess, "POST", "/api/trainer/courses", body.clone()).await;
        assert_eq!(status, want, "{body}: {v}");
        assert!(v["error"].is_string(), "{v}");
    }
    let (status, _) = call(
        &f,
        &tess,
        "POST",
        "/api/trainer/sessions",
        json!({"course": 999}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let s = session(&f, &tess, id).await;
    let (_, v) = call(
        &f,
        &tess,
        "POST",
        &format!("/api/trainer/sessions/{s}/next"),
        json!({}),
    )
    .await;
    let token = v["trial"]["token"].as_str().unwrap().to_owned();
    let answer = format!("/api/trainer/trials/{token}/answer");
    for (body, want) in [
        (json!({"answer": "maybe"}), StatusCode::UNPROCESSABLE_ENTITY),
        (
            json!({"answer": "threat", "mark": [-5, 10]}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"answer": "threat", "mark": [5, 10], "category": "accessory"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"answer": "clear", "mark": [5, 10]}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let (status, v) = call(&f, &tess, "POST", &answer, body.clone()).await;
        assert_eq!(status, want, "{body}: {v}");
    }
    let (status, _) = call(
        &f,
        &tess,
        "POST",
        "/api/trainer/trials/nope/answer",
        json!({"answer": "clear"}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Without a session cookie: 401.
    let (status, _, _) = send(&f.app, get("/api/trainer/courses", None)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let _ = json_of(b"{}");
}

/// A tiny COCO library: a clean bag (500x440 px at 0.5 mm) and a firearm on an empty belt.
fn library(dir: &std::path::Path) -> armscan_serve::trainer::TrainerLibrary {
    use armscan_synth::{labelled_scans, CocoSelection, TipSources};
    let bag = image::GrayImage::from_fn(500, 440, |x, y| {
        let inside = (50..450).contains(&x) && (40..400).contains(&y);
        image::Luma([if inside {
            140 + ((x / 7 + y / 5) % 40) as u8
        } else {
            240
        }])
    });
    bag.save(dir.join("bag.png")).unwrap();
    let gun = image::GrayImage::from_fn(300, 200, |x, y| {
        let dark = (100..200).contains(&x) && (80..120).contains(&y);
        image::Luma([if dark { 40 } else { 240 }])
    });
    gun.save(dir.join("gun.png")).unwrap();
    let coco = json!({
        "images": [
            {"id": 1, "file_name": "bag.png", "width": 500, "height": 440, "series": "bags"},
            {"id": 2, "file_name": "gun.png", "width": 300, "height": 200, "series": "guns"}
        ],
        "categories": [{"id": 1, "name": "firearm", "supercategory": "threat"}],
        "annotations": [{"id": 1, "image_id": 2, "category_id": 1, "bbox": [100, 80, 100, 40],
                         "area": 4000, "iscrowd": 0}]
    });
    let path = dir.join("library.json");
    std::fs::write(&path, coco.to_string()).unwrap();
    let sel =
        |series: &str| CocoSelection::new(&path, 0.5).with_filter("series", vec![series.into()]);
    armscan_serve::trainer::TrainerLibrary {
        sources: TipSources::load(Some(&sel("guns")), Some(&sel("bags")), 1.0).unwrap(),
        replays: labelled_scans(&CocoSelection::new(&path, 0.5)).unwrap(),
    }
}

fn fixture_with_library() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let lib = library(dir.path());
    let path = dir.path().join("console.sqlite");
    let db = Arc::new(DecisionDb::open(&path).unwrap());
    let trainer = Trainer::new(TrainerDb::open(&path).unwrap(), None).with_library(Arc::new(lib));
    let state = AppState::new(Arc::new(ScanStore::new()), db)
        .with_allowed_hosts(Some(armscan_serve::loopback_hosts(8080)))
        .with_trainer(Arc::new(trainer));
    Fixture {
        dir,
        app: router(Arc::new(state)),
    }
}

/// Runs a whole session answering "clear"; returns each trial's (source, category, box, size).
async fn run_session(
    f: &Fixture,
    s: &str,
    course: i64,
) -> Vec<(String, Option<String>, Option<[f64; 4]>, (u64, u64))> {
    let token = session(f, s, course).await;
    let mut sizes = Vec::new();
    loop {
        let (_, v) = call(
            f,
            s,
            "POST",
            &format!("/api/trainer/sessions/{token}/next"),
            json!({}),
        )
        .await;
        if v["done"] == true {
            break;
        }
        let t = &v["trial"];
        sizes.push((t["width"].as_u64().unwrap(), t["height"].as_u64().unwrap()));
        let tt = t["token"].as_str().unwrap();
        let (status, _, png) = send(
            &f.app,
            get(&format!("/api/trainer/trials/{tt}/image"), Some(s)),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let img = image::load_from_memory(&png).unwrap();
        assert_eq!(
            (u64::from(img.width()), u64::from(img.height())),
            *sizes.last().unwrap()
        );
        let (status, _) = call(
            f,
            s,
            "POST",
            &format!("/api/trainer/trials/{tt}/answer"),
            json!({"answer": "clear"}),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
    }
    let db = rusqlite::Connection::open(f.dir.path().join("console.sqlite")).unwrap();
    let mut st = db
        .prepare(
            "SELECT t.source, t.category, t.box FROM trainer_trials t JOIN trainer_sessions s
             ON s.id = t.session_id WHERE s.token = ?1 ORDER BY t.idx",
        )
        .unwrap();
    let rows: Vec<(String, Option<String>, Option<String>)> = st
        .query_map([&token], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    rows.into_iter()
        .zip(sizes)
        .map(|((src, cat, b), size)| (src, cat, b.map(|b| serde_json::from_str(&b).unwrap()), size))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_course_draws_on_the_library() {
    let f = fixture_with_library();
    let tess = login(&f.app, "tess").await;
    // Every trial a replay: the gun scan on threat trials with its labelled box (300x200 fits
    // 512x384 as it is), the bag on clean ones.
    let replay = course(
        &f,
        &tess,
        json!({"name": "replay", "trials_per_session": 6, "threat_share": 0.5,
        "categories": ["firearm"], "width": 512, "height": 384, "replay_share": 1.0}),
    )
    .await;
    let trials = run_session(&f, &tess, replay).await;
    assert_eq!(trials.len(), 6);
    for (src, cat, bx, size) in &trials {
        assert_eq!(src, "replay");
        match cat.as_deref() {
            Some("firearm") => {
                assert_eq!(*bx, Some([100.0, 80.0, 200.0, 120.0]));
                assert_eq!(*size, (300, 200));
            }
            // 500x440 shrunk to fit 384 px high
            None => assert_eq!((bx.is_none(), *size), (true, (436, 384))),
            other => panic!("{other:?}"),
        }
    }
    // Replays do not move the staircase: still at the start after 3 missed firearms.
    let (_, scores) = call(&f, &tess, "GET", "/api/trainer/scores", json!({})).await;
    assert_eq!(
        scores["trainees"][0]["levels"]["firearm"],
        json!({"view": 0, "superposition": 0, "complexity": 0})
    );
    // Real crops on real bags: projected, on the bag's 250x220 px at 1 mm/px, the crop's box
    // (100x40 px at 0.5 mm: about 50x20 px, turned up to 10 degrees) inside the image.
    let real = course(
        &f,
        &tess,
        json!({"name": "real", "trials_per_session": 4, "threat_share": 1.0,
        "categories": ["firearm"], "width": 512, "height": 384, "real_threat_share": 1.0,
        "real_bag_share": 1.0}),
    )
    .await;
    for (src, cat, bx, size) in run_session(&f, &tess, real).await {
        assert_eq!(
            (src.as_str(), cat.as_deref(), size),
            ("projected", Some("firearm"), (250, 220))
        );
        let b = bx.unwrap();
        let (w, h) = (b[2] - b[0] + 1.0, b[3] - b[1] + 1.0);
        assert!(
            (45.0..=60.0).contains(&w) && (18.0..=32.0).contains(&h),
            "{b:?}"
        );
        assert!(
            b[0] >= 0.0 && b[2] < 250.0 && b[1] >= 0.0 && b[3] < 220.0,
            "{b:?}"
        );
    }
}
