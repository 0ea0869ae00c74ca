//! `armscan stats` on a database a real console made: `armscan serve --site --lane` over a
//! socket, decisions posted by an operator (a correction, threats with fine classes and
//! rounds, a hand search), then the statistics as text, JSON (checked against
//! `crates/serve/seizures.schema.json` with the Python `jsonschema_rs` of `./.venv`) and CSV,
//! and the errors: a missing or non-console database, a bad window, a bad site.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

use image::{GrayImage, Luma};
use serde_json::{json, Value};

use crate::common::*;

/// One HTTP/1.1 request; the status and the body.
fn http(addr: &str, method: &str, path: &str, session: Option<&str>, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let cookie = session
        .map(|s| format!("Cookie: armscan_session={s}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\n{cookie}\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let session_cookie = head
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: armscan_session="))
        .map(|c| c.split(';').next().unwrap().to_owned());
    (status, session_cookie.unwrap_or_else(|| body.to_owned()))
}

fn block_png(path: &Path, block: bool) {
    GrayImage::from_fn(64, 64, |x, y| {
        if block && (10..30).contains(&x) && (20..50).contains(&y) {
            Luma([0])
        } else {
            Luma([255])
        }
    })
    .save(path)
    .unwrap();
}

/// A console at site `north`, lane `belt 1`, and the decisions of the test; returns the
/// database's path.
fn console_database(dir: &Path) -> std::path::PathBuf {
    let scans = dir.join("scans");
    std::fs::create_dir(&scans).unwrap();
    for (name, block) in [("a", true), ("b", true), ("c", false), ("d", true)] {
        block_png(&scans.join(format!("{name}.png")), block);
    }
    let model = fixture_model();
    let (mut child, addr) = spawn_console(
        dir,
        &[
            "--scans".as_ref(),
            "scans".as_ref(),
            "--db".as_ref(),
            "console.sqlite".as_ref(),
            "--site".as_ref(),
            "north".as_ref(),
            "--lane".as_ref(),
            "belt 1".as_ref(),
            "--backend".as_ref(),
            "tract".as_ref(),
            "--model".as_ref(),
            model.as_os_str(),
        ],
    );
    let (status, session) = http(&addr, "POST", "/api/login", None, r#"{"operator":"ana"}"#);
    assert_eq!(status, 200, "{session}");
    let started = Instant::now();
    let ids: Vec<String> = loop {
        let (status, body) = http(&addr, "GET", "/api/queue", Some(&session), "");
        assert_eq!(status, 200, "{body}");
        let q: Value = serde_json::from_str(&body).unwrap();
        let scans = q["scans"].as_array().unwrap();
        if scans.len() == 4 {
            break scans
                .iter()
                .map(|s| s["id"].as_str().unwrap().to_owned())
                .collect();
        }
        assert!(started.elapsed().as_secs() < 60, "{q}");
        std::thread::sleep(Duration::from_millis(100));
    };
    let decide = |i: usize, body: Value| {
        let path = format!("/api/scans/{}/decisions", ids[i]);
        http(&addr, "POST", &path, Some(&session), &body.to_string())
    };
    let decisions = [
        (
            0,
            json!({"decision":"threat","category":"firearm","fine_class":"pistol"}),
        ),
        // the correction: ammunition, 30 rounds
        (
            0,
            json!({"decision":"threat","category":"ammunition","fine_class":"cartridge","rounds":30}),
        ),
        (
            1,
            json!({"decision":"threat","category":"ammunition","fine_class":"cartridge"}),
        ),
        (2, json!({"decision":"search"})),
        (
            3,
            json!({"decision":"threat","category":"part","fine_class":"slide"}),
        ),
    ];
    for (i, body) in decisions {
        let (status, answer) = decide(i, body.clone());
        assert_eq!(status, 201, "{body}: {answer}");
        let row: Value = serde_json::from_str(&answer).unwrap();
        assert_eq!(
            (&row["site"], &row["lane"]),
            (&json!("north"), &json!("belt 1"))
        );
    }
    let (status, answer) = decide(
        3,
        json!({"decision":"threat","category":"part","fine_class":"cartridge"}),
    );
    assert_eq!(status, 422, "{answer}");
    assert!(answer.contains("fine_class: cartridge is a fine class of ammunition"));
    child.kill().unwrap();
    child.wait().unwrap();
    dir.join("console.sqlite")
}

fn stats(dir: &Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["stats", "--db", "console.sqlite"];
    all.extend_from_slice(args);
    armscan(&all, dir)
}

fn stdout(out: &std::process::Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[test]
fn stats_of_a_consoles_decisions_as_text_json_and_csv() {
    let dir = tempfile::tempdir().unwrap();
    let db = console_database(dir.path());
    let before = std::fs::read(&db).unwrap();

    let json_text = stdout(&stats(dir.path(), &["--format", "json", "--period", "day"]));
    let s: Value = serde_json::from_str(&json_text).unwrap();
    assert_eq!(s["schema"], "armscan.seizures/1");
    assert_eq!(s["period"], "day");
    let t = &s["totals"];
    assert_eq!(
        (&t["decision_rows"], &t["scans_decided"]),
        (&json!(5), &json!(4))
    );
    assert_eq!(
        (&t["seizure_scans"], &t["search_scans"]),
        (&json!(3), &json!(1))
    );
    assert_eq!(t["firearm"]["scans"], 0, "the pistol was corrected");
    assert_eq!(
        (&t["ammunition"]["scans"], &t["part"]["scans"]),
        (&json!(2), &json!(1))
    );
    assert_eq!(t["ammunition_rounds"], 30);
    assert_eq!(t["ammunition_decisions_without_rounds"], 1);
    let rows = s["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{s}");
    assert_eq!(
        rows[0]["fine_class"], "slide",
        "report order: part before ammunition"
    );
    assert_eq!(
        (
            &rows[1]["scans"],
            &rows[1]["rounds"],
            &rows[1]["rounds_missing"]
        ),
        (&json!(2), &json!(30), &json!(1))
    );
    assert!(rows
        .iter()
        .all(|r| r["site"] == "north" && r["lane"] == "belt 1"));
    assert_eq!(rows[0]["period"].as_str().unwrap().len(), 10, "a day");
    validate_against_schema(dir.path(), &json_text);

    // CSV: the same figures, long format
    let csv = stdout(&stats(dir.path(), &["--format", "csv", "--period", "day"]));
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "period,period_start,site,lane,category,protocol,fine_class,measure,value"
    );
    let measures: Vec<String> = lines[1..]
        .iter()
        .map(|l| l.split(',').skip(4).collect::<Vec<_>>().join(","))
        .collect();
    assert_eq!(
        measures,
        [
            "part,true,slide,scans,1",
            "part,true,slide,items,1",
            "ammunition,true,cartridge,scans,2",
            "ammunition,true,cartridge,items,2",
            "ammunition,true,cartridge,rounds,30",
            "ammunition,true,cartridge,rounds_missing,1",
            ",false,,search_scans,1",
        ]
    );

    // text, to a file
    let out = stats(
        dir.path(),
        &["--site", "north", "--period", "year", "--out", "stats.txt"],
    );
    assert!(stdout(&out).is_empty());
    let text = std::fs::read_to_string(dir.path().join("stats.txt")).unwrap();
    assert!(text.contains("site: north · lane: all"), "{text}");
    assert!(
        text.contains("seizures: 3 · firearm 0 · part 1 · ammunition 2"),
        "{text}"
    );
    assert!(
        text.contains("ammunition rounds: 30 (decisions giving rounds: 1; giving none: 1)"),
        "{text}"
    );
    assert!(
        text.contains("referred to hand search (not seizures): 1"),
        "{text}"
    );
    let table_row = text
        .lines()
        .find(|l| l.contains("cartridge"))
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        table_row.ends_with("north belt 1 ammunition cartridge 2 2 30 1"),
        "{table_row}"
    );
    // another site: nothing; a window before the decisions: nothing
    let other = stdout(&stats(dir.path(), &["--site", "south", "--format", "json"]));
    assert_eq!(
        serde_json::from_str::<Value>(&other).unwrap()["totals"]["scans_decided"],
        0
    );
    let old = stdout(&stats(dir.path(), &["--to", "2001-01-01"]));
    assert!(old.contains("no seizures in this window"), "{old}");

    assert_eq!(
        std::fs::read(&db).unwrap(),
        before,
        "stats changed the database"
    );
}

#[test]
fn stats_refuses_what_is_not_a_console_database() {
    let dir = tempfile::tempdir().unwrap();
    let out = armscan(&["stats", "--db", "missing.sqlite"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("missing.sqlite is not an armscan console database: no such file"),
        "{err}"
    );
    assert!(
        !dir.path().join("missing.sqlite").exists(),
        "nothing created"
    );
    std::fs::write(dir.path().join("notes.txt"), "x".repeat(200)).unwrap();
    let out = armscan(&["stats", "--db", "notes.txt"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a SQLite database"));
    let out = armscan(
        &["stats", "--db", "notes.txt", "--from", "last week"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--from: a UTC time"));
    let out = armscan(
        &["stats", "--db", "notes.txt", "--period", "fortnight"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("fortnight"));
    // a bad --site stops the console before anything is loaded
    let out = armscan(
        &[
            "serve", "--scans", ".", "--db", "c.sqlite", "--site", " north",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--site: \" north\" starts or ends"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Checks `armscan stats --format json` against its JSON Schema with the Python
/// `jsonschema_rs` of `./.venv` (Schemathesis brings it): skipped with a message outside CI
/// when missing, a failure under CI.
fn validate_against_schema(dir: &Path, json_text: &str) {
    let python = repo().join(".venv/bin/python");
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
    let file = dir.join("seizures.json");
    std::fs::write(&file, json_text).unwrap();
    let out = std::process::Command::new(&python)
        .args([
            "-c",
            "import json, sys, jsonschema_rs\n\
             v = jsonschema_rs.validator_for(json.load(open(sys.argv[1])))\n\
             errors = [f'{e.instance_path}: {e.message}' for e in \
             v.iter_errors(json.load(open(sys.argv[2])))]\n\
             print('\\n'.join(errors)); sys.exit(1 if errors else 0)",
        ])
        .arg(repo().join("crates/serve/seizures.schema.json"))
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "armscan stats --format json does not follow its schema:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
