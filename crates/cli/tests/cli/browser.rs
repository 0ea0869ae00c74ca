//! The operator console in a real headless browser (Debian's Chromium, driven by Playwright's
//! Python client from `tests/browser/console.py`): a console serving the shipped samples on the
//! shipped model; a scripted operator opens an alarmed scan, turns tools on and decides by
//! keyboard; two operators then decide at once. The decisions are checked in SQLite, and the
//! screenshot of the scan view with its boxes is compared loosely with a golden one
//! (`ARMSCAN_REGENERATE_GOLDEN=1` rewrites it).
//!
//! Needs `/usr/bin/chromium` and Playwright in `./.venv` (`.ci/run` installs both); skipped
//! with a message outside CI when either is missing, a failure under CI.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};

use crate::common::*;

const CHROMIUM: &str = "/usr/bin/chromium";
/// The golden screenshot is kept at this width (and the shot's aspect ratio).
const GOLDEN_WIDTH: u32 = 320;
/// Mean absolute difference of the grey thumbnails, in grey levels, above which the scan view
/// is taken to have changed (fonts and anti-aliasing move a few levels; a missing image, lost
/// boxes or a broken layout move tens).
const MAX_MEAN_DIFF: f64 = 12.0;

fn python() -> PathBuf {
    repo().join(".venv/bin/python")
}

/// `None` when the browser test can run; else why not.
fn missing() -> Option<String> {
    if !Path::new(CHROMIUM).exists() {
        return Some(format!("{CHROMIUM} is missing (apt install chromium)"));
    }
    let ok = Command::new(python())
        .args(["-c", "import playwright.async_api"])
        .output()
        .is_ok_and(|o| o.status.success());
    (!ok).then(|| "Playwright is not in ./.venv (pip install -r requirements-test.txt)".into())
}

struct Console(Child);

impl Drop for Console {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_console(dir: &Path, extra: &[&str]) -> (Console, String) {
    let samples = repo().join("datasets/samples");
    let model = real_model();
    let mut args: Vec<&std::ffi::OsStr> = vec![
        "--scans".as_ref(),
        samples.as_os_str(),
        "--db".as_ref(),
        "console.sqlite".as_ref(),
        "--backend".as_ref(),
        "tract".as_ref(),
        "--threads".as_ref(),
        "2".as_ref(),
        "--model".as_ref(),
        model.as_os_str(),
    ];
    args.extend(extra.iter().map(|a| std::ffi::OsStr::new(*a)));
    let (child, addr) = spawn_console(dir, &args);
    (Console(child), addr)
}

/// A grey thumbnail `GOLDEN_WIDTH` wide.
fn thumbnail(path: &Path) -> image::GrayImage {
    let img = image::open(path).unwrap().to_luma8();
    let h = (u64::from(img.height()) * u64::from(GOLDEN_WIDTH) / u64::from(img.width())) as u32;
    image::imageops::resize(&img, GOLDEN_WIDTH, h, image::imageops::FilterType::Triangle)
}

fn mean_abs_diff(a: &image::GrayImage, b: &image::GrayImage) -> f64 {
    assert_eq!(a.dimensions(), b.dimensions(), "screenshot size changed");
    let sum: u64 = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(x, y)| u64::from(x.abs_diff(*y)))
        .sum();
    sum as f64 / a.as_raw().len() as f64
}

/// Whether the browser tests can run here; panics under CI when they cannot.
fn can_run() -> bool {
    match missing() {
        None => true,
        Some(why) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must have Chromium and Playwright (.ci/run installs them): {why}"
            );
            eprintln!("skipping the browser test: {why}");
            false
        }
    }
}

fn run_script(script: &str, args: &[String]) -> serde_json::Value {
    let out = Command::new(python())
        .arg(repo().join("crates/cli/tests/browser").join(script))
        .args(args)
        .args(["--chromium", CHROMIUM])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{script} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn an_operator_screens_the_samples_in_chromium() {
    if !can_run() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (console, addr) = start_console(dir.path(), &[]);
    let screenshot = dir.path().join("scan_view.png");
    let n_scans = collect_sample_scans();
    let run = run_script(
        "console.py",
        &[
            "--url".into(),
            format!("http://{addr}/"),
            "--expect".into(),
            n_scans.to_string(),
            "--screenshot".into(),
            screenshot.display().to_string(),
        ],
    );
    drop(console);

    // The negative tool inverted what the page showed.
    let (standard, negative) = (
        run["mean_standard"].as_f64().unwrap(),
        run["mean_negative"].as_f64().unwrap(),
    );
    assert!(
        (standard + negative - 255.0).abs() < 3.0,
        "negative mean {negative} is not 255 - {standard}"
    );
    // One box drawn per detection of the record, each labelled class · category · score.
    let boxes = run["boxes"].as_array().unwrap();
    assert_eq!(run["record_status"], "alarm", "{run}");
    assert!(!boxes.is_empty(), "{run}");
    assert_eq!(
        boxes.len() as u64,
        run["record_detections"].as_u64().unwrap(),
        "{run}"
    );
    for label in boxes {
        let parts: Vec<&str> = label.as_str().unwrap().split(" · ").collect();
        assert_eq!(parts.len(), 3, "{label}");
        assert!(
            parts[2]
                .parse::<f64>()
                .is_ok_and(|s| (0.0..=1.0).contains(&s)),
            "{label}"
        );
    }

    // Every decision is in the database with its operator, category and tools.
    let db = rusqlite::Connection::open(dir.path().join("console.sqlite")).unwrap();
    let mut stmt = db
        .prepare(
            "SELECT scan_id, operator, engine_status, decision, category, tools, \
             display_to_decision_ms FROM decisions ORDER BY id",
        )
        .unwrap();
    type Row = (
        String,
        String,
        String,
        String,
        Option<String>,
        String,
        Option<i64>,
    );
    let rows: Vec<Row> = stmt
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let alarmed = run["alarmed_id"].as_str().unwrap();
    let first = rows
        .iter()
        .find(|r| r.0 == alarmed)
        .expect("the threat decision");
    assert_eq!(
        (
            first.1.as_str(),
            first.2.as_str(),
            first.3.as_str(),
            first.4.as_deref()
        ),
        ("ana", "alarm", "threat", Some("firearm")),
        "{rows:?}"
    );
    for tool in ["negative", "edges", "contrast", "zoom"] {
        assert!(
            first.5.split(' ').any(|t| t == tool),
            "{tool} not in {}",
            first.5
        );
    }
    assert!(first.6.is_some_and(|ms| ms > 0));
    let decided = |ids: &serde_json::Value, operator: &str, decision: &str| {
        let ids = ids.as_array().unwrap();
        assert!(!ids.is_empty());
        for id in ids {
            let found = rows
                .iter()
                .filter(|r| r.0 == id.as_str().unwrap())
                .collect::<Vec<_>>();
            assert_eq!(found.len(), 1, "{id}: {rows:?}");
            assert_eq!(
                (found[0].1.as_str(), found[0].3.as_str()),
                (operator, decision)
            );
        }
        ids.len()
    };
    let n = 1
        + decided(&run["ana_cleared"], "ana", "clear")
        + decided(&run["ben_searched"], "ben", "search");
    assert_eq!(rows.len(), n, "rows lost or doubled: {rows:?}");

    // The scan view with its boxes, loosely against the golden screenshot.
    let golden_path = repo().join("crates/cli/tests/golden/console_scan_view.png");
    let shot = thumbnail(&screenshot);
    if std::env::var_os("ARMSCAN_REGENERATE_GOLDEN").is_some_and(|v| v == "1") {
        shot.save(&golden_path).unwrap();
    }
    let golden = image::open(&golden_path)
        .expect("golden screenshot (ARMSCAN_REGENERATE_GOLDEN=1 writes it)")
        .to_luma8();
    let diff = mean_abs_diff(&shot, &golden);
    eprintln!("scan view against the golden screenshot: {diff:.2} grey levels on average");
    assert!(
        diff <= MAX_MEAN_DIFF,
        "the scan view differs from the golden one by {diff:.1} grey levels on average \
         (limit {MAX_MEAN_DIFF}); look at {} (kept: {:?})",
        screenshot.display(),
        dir.keep()
    );
}

/// The shipped samples as `armscan serve --scans` queues them (a high/low pair is one scan).
fn collect_sample_scans() -> usize {
    let names: Vec<String> = std::fs::read_dir(repo().join("datasets/samples"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".json"))
        .collect();
    names.iter().filter(|n| !n.contains("_low.")).count()
}

/// A stored answer with its trial's truth: category, box, answer, mark x and y, category
/// named, outcome, trainee.
type StoredAnswer = (
    Option<String>,
    Option<String>,
    String,
    Option<f64>,
    Option<f64>,
    Option<String>,
    String,
    String,
);

/// A trainer builds a course in the page; a trainee works a 20-trial session by mouse and
/// keyboard; every answer is stored as given, and the stored scores are what the answers and
/// the stored truth make (counted here, apart from the scoring code).
#[test]
fn a_trainee_works_a_twenty_trial_session_in_chromium() {
    if !can_run() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (console, addr) = start_console(dir.path(), &["--trainer", "tess"]);
    let run = run_script("trainer.py", &["--url".into(), format!("http://{addr}/")]);
    drop(console);
    let answers = run["answers"].as_array().unwrap();
    assert_eq!(answers.len(), 20);
    assert!(run["report_charts"].as_u64().unwrap() >= 1, "{run}");

    let db = rusqlite::Connection::open(dir.path().join("console.sqlite")).unwrap();
    let mut counts = [0u32; 4]; // hits, misses, false alarms, correct rejections
    for a in answers {
        let token = a["token"].as_str().unwrap();
        let (category, bx, answer, mx, my, named, outcome, trainee): StoredAnswer = db
            .query_row(
                "SELECT t.category, t.box, a.answer, a.mark_x, a.mark_y, a.category, a.outcome,
                    s.trainee
                 FROM trainer_trials t JOIN trainer_answers a ON a.trial_id = t.id
                 JOIN trainer_sessions s ON s.id = t.session_id WHERE t.token = ?1",
                [token],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                        r.get(7)?,
                    ))
                },
            )
            .unwrap();
        assert_eq!(trainee, "tom");
        assert_eq!(answer, a["answer"].as_str().unwrap(), "{a}");
        assert_eq!(named.as_deref(), a["category"].as_str(), "{a}");
        match a["mark"].as_array() {
            Some(m) => {
                let (x, y) = (m[0].as_f64().unwrap(), m[1].as_f64().unwrap());
                assert!(
                    (mx.unwrap() - x).abs() < 2.0 && (my.unwrap() - y).abs() < 2.0,
                    "{a}"
                );
            }
            None => assert!(mx.is_none() && my.is_none()),
        }
        let bx: Option<[f64; 4]> = bx.map(|b| serde_json::from_str(&b).unwrap());
        let on = |b: [f64; 4]| {
            mx.zip(my).is_some_and(|(x, y)| {
                x >= b[0] - 12.0 && x <= b[2] + 12.0 && y >= b[1] - 12.0 && y <= b[3] + 12.0
            })
        };
        let expected = match (category.is_some(), answer == "threat") {
            (true, true) if bx.is_some_and(on) => 0,
            (true, _) => 1,
            (false, true) => 2,
            (false, false) => 3,
        };
        counts[expected] += 1;
        let word = ["hit", "miss", "false_alarm", "correct_rejection"][expected];
        assert_eq!(outcome, word, "{a}");
        // The page showed the outcome only after the answer.
        let shown = a["feedback"].as_str().unwrap();
        let said = ["HIT", "MISS", "FALSE ALARM", "CORRECT"][expected];
        assert!(shown.starts_with(said), "{shown} for {a}");
    }
    assert_eq!(counts[0] + counts[1], 10, "half the trials carry a threat");
    let stored: (u32, u32, u32, u32, u32) = db
        .query_row(
            "SELECT COUNT(*), SUM(outcome = 'hit'), SUM(outcome = 'miss'),
                SUM(outcome = 'false_alarm'), SUM(outcome = 'correct_rejection')
             FROM trainer_answers",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap();
    assert_eq!(stored, (20, counts[0], counts[1], counts[2], counts[3]));
    // The scores the trainee's report shows are those counts.
    let overall = &run["scores"]["trainees"][0]["sessions"][0]["overall"];
    let c = &overall["counts"];
    let got: Vec<u64> = ["hits", "misses", "false_alarms", "correct_rejections"]
        .iter()
        .map(|k| c[k].as_u64().unwrap())
        .collect();
    assert_eq!(got, counts.map(u64::from), "{overall}");
    let hit_rate = f64::from(counts[0]) / 10.0;
    assert!((overall["hit_rate"].as_f64().unwrap() - hit_rate).abs() < 1e-12);
}
