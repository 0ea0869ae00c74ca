//! Seizure statistics (`armscan.seizures/1`) against decisions made through the console's API:
//! two operators on two lanes of one site, corrections, threats with categories, fine classes
//! and rounds, hand searches, clears and a scan the engine alarmed that nobody decided. The
//! export's counts are checked exactly, the CSV against the JSON, and the JSON against its JSON
//! Schema (`crates/serve/seizures.schema.json`, with the Python `jsonschema_rs` of `./.venv`
//! when there: skipped with a message outside CI, a failure under CI).

use std::collections::BTreeMap;
use std::sync::Arc;

use armscan::{BoxInImage, Category, Detection, ScanRecord, Status};
use armscan_serve::{router, AppState, DecisionDb, ScanStore};
use axum::http::StatusCode;
use axum::Router;
use serde_json::{json, Value};

use super::common::{get, json_of, login, post, send, ORIGIN};

struct Lanes {
    _dir: tempfile::TempDir,
    belt1: Router,
    belt2: Router,
    db: Arc<DecisionDb>,
    ids: Vec<String>,
}

/// Eleven alarmed scans, one store and one database, served by two consoles of site `north`:
/// lanes `belt 1` and `belt 2`.
fn lanes() -> Lanes {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(ScanStore::new());
    let ids = (0..11)
        .map(|i| {
            let det = Detection {
                class_name: "handgun".into(),
                category: Category::Firearm,
                score: 0.9,
                box_in_image: BoxInImage::new(0.0, 0.0, 2.0, 2.0),
            };
            let record = ScanRecord::screened(
                format!("parcel_{i:02}.png"),
                4,
                2,
                Status::Alarm,
                vec![det],
                "tract",
                "m",
                1.0,
            );
            store.push(i + 1, record, None, None)
        })
        .collect();
    let db = Arc::new(DecisionDb::open(&dir.path().join("console.sqlite")).unwrap());
    let app = |lane: &str| {
        router(Arc::new(
            AppState::new(Arc::clone(&store), Arc::clone(&db))
                .with_allowed_hosts(Some(armscan_serve::loopback_hosts(8080)))
                .with_site(Some("north".into()))
                .with_lane(Some(lane.into())),
        ))
    };
    Lanes {
        belt1: app("belt 1"),
        belt2: app("belt 2"),
        _dir: dir,
        db,
        ids,
    }
}

async fn decide(app: &Router, session: &str, id: &str, body: Value) -> (StatusCode, Value) {
    let uri = format!("/api/scans/{id}/decisions");
    let (status, _, text) = send(
        app,
        post(&uri, Some(session), Some(ORIGIN), &body.to_string()),
    )
    .await;
    (status, json_of(&text))
}

async fn decided(app: &Router, session: &str, id: &str, body: Value) -> Value {
    let (status, row) = decide(app, session, id, body.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{body} → {row}");
    row
}

/// The decisions of the test, made through the API; returns the two sessions.
async fn make_decisions(l: &Lanes) -> (String, String) {
    let ana = login(&l.belt1, "ana").await;
    let ben = login(&l.belt2, "ben").await;
    let id = |i: usize| l.ids[i].as_str();
    let threat = |category: &str, fine: Option<&str>, rounds: Option<i64>| {
        let mut b = json!({ "decision": "threat", "category": category });
        if let Some(f) = fine {
            b["fine_class"] = json!(f);
        }
        if let Some(r) = rounds {
            b["rounds"] = json!(r);
        }
        b
    };
    // lane belt 1
    decided(
        &l.belt1,
        &ana,
        id(0),
        threat("firearm", Some("pistol"), None),
    )
    .await;
    // ben corrects it on belt 1: a part, a barrel
    decided(&l.belt1, &ben, id(0), threat("part", Some("barrel"), None)).await;
    let row = decided(
        &l.belt1,
        &ana,
        id(1),
        threat("ammunition", Some("cartridge"), Some(50)),
    )
    .await;
    assert_eq!(
        (
            &row["fine_class"],
            &row["rounds"],
            &row["site"],
            &row["lane"]
        ),
        (
            &json!("cartridge"),
            &json!(50),
            &json!("north"),
            &json!("belt 1")
        )
    );
    decided(
        &l.belt1,
        &ben,
        id(2),
        threat("ammunition", Some("cartridge"), Some(25)),
    )
    .await;
    decided(
        &l.belt1,
        &ana,
        id(3),
        threat("ammunition", Some("shotgun_shell"), None),
    )
    .await;
    decided(&l.belt1, &ana, id(4), json!({ "decision": "search" })).await;
    decided(
        &l.belt1,
        &ana,
        id(5),
        threat("firearm", Some("revolver"), None),
    )
    .await;
    decided(&l.belt1, &ana, id(5), json!({ "decision": "clear" })).await;
    // lane belt 2
    decided(&l.belt2, &ben, id(6), threat("firearm", None, None)).await;
    decided(
        &l.belt2,
        &ben,
        id(7),
        threat("other", Some("magazine"), None),
    )
    .await;
    decided(&l.belt2, &ben, id(8), json!({ "decision": "clear" })).await;
    decided(&l.belt2, &ben, id(9), json!({ "decision": "search" })).await;
    decided(
        &l.belt2,
        &ana,
        id(9),
        threat("ammunition", Some("ammunition_box"), Some(0)),
    )
    .await;
    // scan 10: alarmed by the engine, never decided
    (ana, ben)
}

async fn stats(app: &Router, session: &str, query: &str) -> (StatusCode, Vec<u8>) {
    let (status, _, body) = send(app, get(&format!("/api/stats{query}"), Some(session))).await;
    (status, body)
}

/// `(site, lane, category, fine_class)`, each `""` for none.
type Cell = (String, String, String, String);

/// `Cell` → `(scans, rounds, rounds_missing)`, summed over periods.
fn by_cell(s: &Value) -> BTreeMap<Cell, (u64, Value, Value)> {
    let mut out = BTreeMap::new();
    for r in s["rows"].as_array().unwrap() {
        let text = |k: &str| r[k].as_str().unwrap_or("").to_owned();
        let key = (
            text("site"),
            text("lane"),
            text("category"),
            text("fine_class"),
        );
        let e = out.entry(key).or_insert((0, Value::Null, Value::Null));
        e.0 += r["scans"].as_u64().unwrap();
        assert_eq!(r["items"], r["scans"], "one item per decision: {r}");
        let add = |a: &Value, b: &Value| match (a.as_u64(), b.as_u64()) {
            (_, None) => b.clone(),
            (None, Some(y)) => json!(y),
            (Some(x), Some(y)) => json!(x + y),
        };
        e.1 = add(&e.1, &r["rounds"]);
        e.2 = add(&e.2, &r["rounds_missing"]);
    }
    out
}

/// The sums of a long-format CSV's `value` by `(category, measure)`.
fn csv_sums(csv: &str) -> BTreeMap<(String, String), u64> {
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("period,period_start,site,lane,category,protocol,fine_class,measure,value")
    );
    let mut sums = BTreeMap::new();
    for line in lines {
        // no field of this test holds a comma or a quote
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(f.len(), 9, "{line}");
        *sums.entry((f[4].to_owned(), f[7].to_owned())).or_default() +=
            f[8].parse::<u64>().unwrap();
    }
    sums
}

#[tokio::test]
async fn statistics_count_the_operators_decisions_exactly() {
    let l = lanes();
    let (ana, _ben) = make_decisions(&l).await;
    let (status, body) = stats(&l.belt1, &ana, "?period=week").await;
    assert_eq!(status, StatusCode::OK);
    let s = json_of(&body);
    assert_eq!(s["schema"], "armscan.seizures/1");
    assert_eq!(s["period"], "week");
    assert_eq!(s["window"], json!({ "from_utc": null, "to_utc": null }));
    let t = &s["totals"];
    let n = |k: &str| t[k].as_u64().unwrap();
    // 13 rows for 10 scans (3 corrections); scan 10, alarmed but undecided, is not counted
    assert_eq!((n("decision_rows"), n("scans_decided")), (13, 10));
    assert_eq!(
        (n("clear_scans"), n("search_scans"), n("seizure_scans")),
        (2, 1, 7)
    );
    assert_eq!((n("protocol_scans"), n("protocol_items")), (6, 6));
    let cat = |c: &str| t[c]["scans"].as_u64().unwrap();
    assert_eq!(
        (cat("firearm"), cat("part"), cat("ammunition"), cat("other")),
        (1, 1, 4, 1)
    );
    assert_eq!(n("ammunition_rounds"), 75);
    assert_eq!(
        (
            n("ammunition_decisions_with_rounds"),
            n("ammunition_decisions_without_rounds")
        ),
        (3, 1)
    );
    let cells = by_cell(&s);
    let cell = |lane: &str, c: &str, f: &str| {
        cells
            .get(&("north".into(), lane.into(), c.into(), f.into()))
            .cloned()
    };
    assert_eq!(cells.len(), 6, "{:#?}", cells.keys().collect::<Vec<_>>());
    assert_eq!(
        cell("belt 1", "part", "barrel"),
        Some((1, Value::Null, Value::Null))
    );
    assert_eq!(cell("belt 1", "firearm", "pistol"), None, "corrected");
    assert_eq!(cell("belt 1", "firearm", "revolver"), None, "cleared");
    assert_eq!(
        cell("belt 1", "ammunition", "cartridge"),
        Some((2, json!(75), json!(0)))
    );
    assert_eq!(
        cell("belt 1", "ammunition", "shotgun_shell"),
        Some((1, json!(0), json!(1)))
    );
    assert_eq!(
        cell("belt 2", "firearm", ""),
        Some((1, Value::Null, Value::Null))
    );
    assert_eq!(
        cell("belt 2", "other", "magazine"),
        Some((1, Value::Null, Value::Null))
    );
    assert_eq!(
        cell("belt 2", "ammunition", "ammunition_box"),
        Some((1, json!(0), json!(0)))
    );
    for r in s["rows"].as_array().unwrap() {
        assert_eq!(r["protocol"], json!(r["category"] != "other"), "{r}");
        let p = r["period"].as_str().unwrap();
        assert!(p.len() == 8 && &p[4..6] == "-W", "{p}");
    }
    let searches = s["searches"].as_array().unwrap();
    let search_sum: u64 = searches.iter().map(|r| r["scans"].as_u64().unwrap()).sum();
    assert_eq!(search_sum, 1);
    assert_eq!(searches[0]["lane"], "belt 1");

    // The CSV's rows sum to the JSON's totals.
    let (status, body) = stats(&l.belt1, &ana, "?period=week&format=csv").await;
    assert_eq!(status, StatusCode::OK);
    let csv = String::from_utf8(body).unwrap();
    let sums = csv_sums(&csv);
    let sum = |c: &str, m: &str| sums.get(&(c.into(), m.into())).copied().unwrap_or(0);
    let all_scans: u64 = ["firearm", "part", "ammunition", "other"]
        .iter()
        .map(|c| sum(c, "scans"))
        .sum();
    assert_eq!(all_scans, n("seizure_scans"));
    for c in ["firearm", "part", "ammunition", "other"] {
        assert_eq!(sum(c, "scans"), cat(c), "{c}");
        assert_eq!(sum(c, "items"), t[c]["items"].as_u64().unwrap(), "{c}");
    }
    assert_eq!(sum("ammunition", "rounds"), n("ammunition_rounds"));
    assert_eq!(
        sum("ammunition", "rounds_missing"),
        n("ammunition_decisions_without_rounds")
    );
    assert_eq!(sum("", "search_scans"), n("search_scans"));
    assert_eq!(sum("firearm", "rounds"), 0, "rounds are ammunition's only");

    // One lane; one site that is not there; a window that ended in 2001.
    let (_, body) = stats(&l.belt1, &ana, "?lane=belt%202&site=north").await;
    let belt2 = json_of(&body);
    assert_eq!(
        belt2["filters"],
        json!({ "site": "north", "lane": "belt 2" })
    );
    assert_eq!(belt2["totals"]["seizure_scans"], 3);
    assert_eq!(belt2["totals"]["ammunition_rounds"], 0);
    assert_eq!(
        belt2["totals"]["search_scans"], 0,
        "scan 9's search was corrected"
    );
    let (_, body) = stats(&l.belt1, &ana, "?site=south").await;
    assert_eq!(json_of(&body)["totals"]["scans_decided"], 0);
    let (_, body) = stats(&l.belt1, &ana, "?to=2001-01-01").await;
    let old = json_of(&body);
    assert_eq!(old["totals"]["decision_rows"], 0);
    assert_eq!(old["window"]["to_utc"], "2001-01-01T00:00:00Z");
    assert_eq!(old["period"], "month", "the default period");

    validate_against_schema(&[s, belt2, old]);
}

/// Validates exports against `crates/serve/seizures.schema.json` with the Python
/// `jsonschema_rs` of `./.venv` (Schemathesis brings it).
fn validate_against_schema(exports: &[Value]) {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let python = repo.join(".venv/bin/python");
    let has = std::process::Command::new(&python)
        .args(["-c", "import jsonschema_rs"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have jsonschema_rs in ./.venv (.ci/run installs requirements-test.txt)"
        );
        eprintln!("skipping the JSON Schema check: no jsonschema_rs in ./.venv");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("exports.json");
    std::fs::write(&file, serde_json::to_vec(exports).unwrap()).unwrap();
    let schema = repo.join("crates/serve/seizures.schema.json");
    let out = std::process::Command::new(&python)
        .args([
            "-c",
            "import json, sys, jsonschema_rs\n\
             v = jsonschema_rs.validator_for(json.load(open(sys.argv[1])))\n\
             errors = [f'{i}: {e.instance_path}: {e.message}' for i, x in \
             enumerate(json.load(open(sys.argv[2]))) for e in v.iter_errors(x)]\n\
             print('\\n'.join(errors)); sys.exit(1 if errors else 0)",
        ])
        .arg(&schema)
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the export does not follow its schema:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn bad_fine_classes_and_rounds_are_refused_naming_the_field() {
    let l = lanes();
    let ana = login(&l.belt1, "ana").await;
    let id = l.ids[0].as_str();
    let cases = [
        (
            json!({"decision":"threat","category":"firearm","fine_class":"knife"}),
            "fine_class: unknown fine class",
        ),
        (
            json!({"decision":"threat","category":"ammunition","fine_class":"pistol"}),
            "fine_class: pistol is a fine class of firearm, not of category ammunition",
        ),
        (
            json!({"decision":"threat","category":"other","fine_class":"handgun"}),
            "fine_class: handgun is a fine class of firearm",
        ),
        (
            json!({"decision":"clear","fine_class":"pistol"}),
            "fine_class: only a threat",
        ),
        (
            json!({"decision":"threat","category":"firearm","rounds":5}),
            "rounds: only an ammunition threat",
        ),
        (
            json!({"decision":"search","rounds":5}),
            "rounds: only an ammunition threat",
        ),
        (
            json!({"decision":"threat","category":"ammunition","rounds":-1}),
            "rounds: a whole number",
        ),
        (
            json!({"decision":"threat","category":"ammunition","rounds":2.5}),
            "rounds: a whole number",
        ),
        (
            json!({"decision":"threat","category":"ammunition","rounds":"ten"}),
            "rounds: a whole number",
        ),
        (
            json!({"decision":"threat","category":"ammunition","rounds":20_000_000}),
            "rounds: a whole number",
        ),
    ];
    for (body, want) in cases {
        let (status, answer) = decide(&l.belt1, &ana, id, body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let err = answer["error"].as_str().unwrap();
        assert!(err.starts_with(want), "{body}: {err}");
    }
    assert!(
        l.db.all().unwrap().is_empty(),
        "no refused decision recorded"
    );
    // accepted: an accessory under other, other without a fine class, rounds null or 0
    for body in [
        json!({"decision":"threat","category":"other","fine_class":"trigger_group"}),
        json!({"decision":"threat","category":"other"}),
        json!({"decision":"threat","category":"ammunition","rounds":null,"fine_class":""}),
        json!({"decision":"threat","category":"ammunition","rounds":0}),
    ] {
        decided(&l.belt1, &ana, id, body).await;
    }
    let rows = l.db.all().unwrap();
    assert_eq!(rows[0].fine_class.as_deref(), Some("trigger_group"));
    assert_eq!(
        (rows[2].fine_class.as_deref(), rows[2].rounds),
        (None, None)
    );
    assert_eq!(rows[3].rounds, Some(0));
    assert!(rows.iter().all(|r| r.site.as_deref() == Some("north")));
}

#[tokio::test]
async fn the_stats_page_and_routes_answer_and_refuse() {
    let l = lanes();
    let (ana, _) = make_decisions(&l).await;
    // the same guard as the other console routes
    assert_eq!(
        send(&l.belt1, get("/api/stats", None)).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, headers, _) = send(&l.belt1, get("/stats", None)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers.get("location").unwrap(), "/");
    for (query, field) in [
        ("?period=fortnight", "period:"),
        ("?format=xml", "format:"),
        ("?from=yesterday", "from:"),
        ("?hours=0", "hours:"),
    ] {
        let (status, body) = stats(&l.belt1, &ana, query).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        let err = json_of(&body)["error"].as_str().unwrap().to_owned();
        assert!(err.starts_with(field), "{query}: {err}");
    }
    let (status, headers, body) = send(
        &l.belt1,
        get("/stats?period=quarter&lane=belt+1", Some(&ana)),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let page = String::from_utf8(body).unwrap();
    assert!(page.contains("Seizures by Protocol category"), "{page}");
    assert!(
        page.contains(r#"<option value="quarter" selected>"#),
        "{page}"
    );
    assert!(
        page.contains("/api/stats?period=quarter&amp;lane=belt%201&amp;format=csv"),
        "{page}"
    );
    assert!(page.contains("<td>shotgun_shell</td>"), "{page}");
    assert!(
        !page.contains("<td>magazine</td>"),
        "belt 2's seizure shown: {page}"
    );
    // the nav links the page; the scan view has the fine class and rounds fields
    let (_, _, body) = send(&l.belt1, get(&format!("/scan/{}", l.ids[0]), Some(&ana))).await;
    let scan = String::from_utf8(body).unwrap();
    assert!(scan.contains(r#"href="/stats""#));
    assert!(scan.contains(r#"id="fine-class""#) && scan.contains(r#"id="rounds""#));
    assert!(scan.contains(r#"<option value="cartridge" data-category="ammunition">"#));
}
