//! `armscan watch`: exactly-once results across `kill -9` and restarts, clean shutdown on SIGTERM,
//! the pick-up convention. Uses the fast fixture model on the tract backend.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;
use image::{GrayImage, Luma};

/// A 64x64 PNG: white, with a dark block (an alarm for the fixture model) when `block`.
pub(super) fn png_bytes(block: bool, shade: u8) -> Vec<u8> {
    let img = GrayImage::from_fn(64, 64, |x, y| {
        if block && (10..30).contains(&x) && (20..50).contains(&y) {
            Luma([0])
        } else {
            Luma([255 - shade])
        }
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// xorshift64*, seeded from the clock unless ARMSCAN_TEST_SEED is set (printed for replays).
pub(super) struct Rng(u64);
impl Rng {
    pub(super) fn new() -> Self {
        let seed = std::env::var("ARMSCAN_TEST_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos() as u64
                    | 1
            });
        eprintln!("cli_watch: seed {seed} (set ARMSCAN_TEST_SEED to replay)");
        Self(seed)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub(super) fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo)
    }
}

fn spawn_watch(in_dir: &Path, out_dir: &Path, log: &Path, extra: &[&str]) -> Child {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .unwrap();
    let model = fixture_model();
    Command::new(env!("CARGO_BIN_EXE_armscan"))
        .arg("watch")
        .arg(in_dir)
        .arg("--out")
        .arg(out_dir)
        .args([
            "--model",
            model.to_str().unwrap(),
            "--backend",
            "tract",
            "--threads",
            "2",
        ])
        .args(extra)
        .env_remove("ARMSCAN_MODEL")
        .env_remove("ORT_DYLIB_PATH")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::from(log))
        .spawn()
        .expect("armscan watch starts")
}

pub(super) fn sigterm(child: &Child) {
    let ok = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill -TERM");
}

pub(super) fn wait_exit(child: &mut Child, within: Duration) -> std::process::ExitStatus {
    let until = Instant::now() + within;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > until {
            let _ = child.kill();
            panic!("armscan watch did not exit within {within:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn jsonl_lines(out_dir: &Path) -> Vec<serde_json::Value> {
    match std::fs::read_to_string(out_dir.join("results.jsonl")) {
        Ok(text) => text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
            .collect(),
        Err(_) => Vec::new(),
    }
}

pub(super) fn wait_for(what: &str, within: Duration, mut cond: impl FnMut() -> bool, log: &Path) {
    let until = Instant::now() + within;
    while !cond() {
        assert!(
            Instant::now() < until,
            "timed out waiting for {what}; log:\n{}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// How many watchers have logged their start-up line (printed once the signal handlers are in).
fn watch_starts(log: &Path) -> usize {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .matches("armscan: watching")
        .count()
}

/// [`spawn_watch`], then waits for the new watcher's start-up line: a SIGTERM that reaches a
/// process still starting, before its handlers are in, ends it by the default action instead of
/// a clean exit.
fn spawn_watch_started(in_dir: &Path, out_dir: &Path, log: &Path, extra: &[&str]) -> Child {
    let before = watch_starts(log);
    let child = spawn_watch(in_dir, out_dir, log, extra);
    wait_for(
        "the watcher to start",
        Duration::from_secs(60),
        || watch_starts(log) > before,
        log,
    );
    child
}

fn count_done(in_dir: &Path) -> usize {
    std::fs::read_dir(in_dir.join(".done"))
        .map(|rd| rd.count())
        .unwrap_or(0)
}

#[test]
fn kill_9_at_random_moments_loses_no_scan_and_repeats_none() {
    const N: usize = 500;
    let dir = tempfile::tempdir().unwrap();
    let (in_dir, out_dir, log) = (
        dir.path().join("in"),
        dir.path().join("out"),
        dir.path().join("watch.log"),
    );
    std::fs::create_dir_all(&in_dir).unwrap();
    let variants: Vec<Vec<u8>> = (0..6).map(|i| png_bytes(i % 3 == 0, i as u8)).collect();
    let mut rng = Rng::new();
    let writer_seed = rng.next();

    // The scanner: writes each scan under a temporary name, then renames it into place.
    let writer_dir = in_dir.clone();
    let writer = std::thread::spawn(move || {
        let mut rng = Rng(writer_seed | 1);
        for i in 0..N {
            let name = format!("scan_{i:04}.png");
            let tmp = if i % 2 == 0 {
                writer_dir.join(format!("{name}.part"))
            } else {
                writer_dir.join(format!(".{name}"))
            };
            std::fs::write(&tmp, &variants[i % 6]).unwrap();
            std::fs::rename(&tmp, writer_dir.join(&name)).unwrap();
            if rng.range(0, 10) == 0 {
                std::thread::sleep(Duration::from_millis(rng.range(20, 120)));
            } else {
                std::thread::sleep(Duration::from_millis(rng.range(0, 8)));
            }
        }
    });

    let started = Instant::now();
    let args = ["--settle-ms", "100", "--poll-ms", "20", "--batch", "8"];
    let mut kills = 0;
    let mut lines_at_kill = Vec::new();
    while kills < 7 {
        let mut child = spawn_watch(&in_dir, &out_dir, &log, &args);
        std::thread::sleep(Duration::from_millis(rng.range(150, 900)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        kills += 1;
        lines_at_kill.push(jsonl_lines(&out_dir).len());
    }
    writer.join().unwrap();
    eprintln!(
        "cli_watch: {kills} kills, lines at each kill {lines_at_kill:?}, {:?} so far",
        started.elapsed()
    );

    // The last run goes until every scan is through, then stops on
    // SIGTERM (it may find nothing left
    // to do, so it is signalled only once started).
    let mut child = spawn_watch_started(&in_dir, &out_dir, &log, &args);
    wait_for(
        "every scan to be screened and moved",
        Duration::from_secs(120),
        || count_done(&in_dir) >= N,
        &log,
    );
    sigterm(&child);
    let status = wait_exit(&mut child, Duration::from_secs(30));
    let log_text = std::fs::read_to_string(&log).unwrap();
    assert_eq!(
        status.code(),
        Some(0),
        "clean exit on SIGTERM; log:\n{log_text}"
    );
    assert!(!log_text.contains("panicked"), "{log_text}");
    eprintln!(
        "cli_watch: done in {:?}; {} restarts found work a kill had left unfinished",
        started.elapsed(),
        log_text.matches("resuming after an interruption").count()
    );

    let lines = jsonl_lines(&out_dir);
    let mut per_scan: BTreeMap<String, usize> = BTreeMap::new();
    for r in &lines {
        let status = check_contract(r);
        let scan = r["scan"].as_str().unwrap().to_owned();
        let i: usize = scan.rsplit("scan_").next().unwrap()[..4].parse().unwrap();
        let expected = if i.is_multiple_of(3) {
            "alarm"
        } else {
            "clear"
        };
        assert_eq!(status, expected, "{scan}: {r}");
        *per_scan.entry(scan).or_default() += 1;
    }
    let twice: Vec<_> = per_scan.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "scans with more than one line: {twice:?}");
    let expected: HashSet<String> = (0..N)
        .map(|i| {
            in_dir
                .join(format!("scan_{i:04}.png"))
                .display()
                .to_string()
        })
        .collect();
    let got: HashSet<String> = per_scan.keys().cloned().collect();
    let missing: Vec<_> = expected.difference(&got).collect();
    assert!(missing.is_empty(), "scans without a line: {missing:?}");
    assert_eq!(lines.len(), N);

    // every input moved, nothing left behind but the scanner's own temp names (none here)
    let left: Vec<_> = std::fs::read_dir(&in_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n != ".done")
        .collect();
    assert!(left.is_empty(), "left in the input folder: {left:?}");
    assert_eq!(count_done(&in_dir), N);
    assert_eq!(
        std::fs::read_dir(out_dir.join("results"))
            .unwrap()
            .filter(|e| !e
                .as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with('.'))
            .count(),
        N
    );
    let counts = armscan_watch::verify(&out_dir).unwrap();
    assert_eq!(
        (counts.done, counts.unfinished()),
        (N as u64, 0),
        "{counts:?}"
    );
}

#[test]
fn sigterm_stops_cleanly_and_only_complete_files_are_taken() {
    let dir = tempfile::tempdir().unwrap();
    let (in_dir, out_dir, log) = (
        dir.path().join("in"),
        dir.path().join("out"),
        dir.path().join("watch.log"),
    );
    std::fs::create_dir_all(&in_dir).unwrap();
    let gun = png_bytes(true, 0);
    std::fs::write(in_dir.join("a_gun.png"), &gun).unwrap();
    std::fs::write(in_dir.join("b_clear.png"), png_bytes(false, 0)).unwrap();
    std::fs::write(in_dir.join("c_empty.png"), b"").unwrap();
    std::fs::write(in_dir.join("p_high.png"), png_bytes(false, 3)).unwrap();
    std::fs::write(in_dir.join("p_low.png"), png_bytes(false, 9)).unwrap();
    // never taken: hidden, partial, not an image
    std::fs::write(in_dir.join(".hidden.png"), &gun).unwrap();
    std::fs::write(in_dir.join("d_writing.png.part"), &gun).unwrap();
    std::fs::write(in_dir.join("notes.txt"), b"x").unwrap();
    // written in place in two goes, less than the settle interval apart: taken whole, once
    std::fs::write(in_dir.join("e_slow.png"), &gun[..gun.len() / 2]).unwrap();

    let tdr_dir = dir.path().join("tdr");
    let tdr_arg = tdr_dir.to_str().unwrap();
    let args = ["--settle-ms", "1200", "--poll-ms", "50", "--tdr", tdr_arg];
    let mut child = spawn_watch(&in_dir, &out_dir, &log, &args);
    std::thread::sleep(Duration::from_millis(400));
    std::fs::write(in_dir.join("e_slow.png"), &gun).unwrap();

    wait_for(
        "5 results",
        Duration::from_secs(60),
        || jsonl_lines(&out_dir).len() >= 5,
        &log,
    );
    // A second watcher on the same output folder is refused while the first runs.
    let mut second = spawn_watch(&in_dir, &out_dir, &dir.path().join("second.log"), &args);
    let status = wait_exit(&mut second, Duration::from_secs(30));
    assert_eq!(status.code(), Some(2));
    assert!(std::fs::read_to_string(dir.path().join("second.log"))
        .unwrap()
        .contains("locked"));

    sigterm(&child);
    let status = wait_exit(&mut child, Duration::from_secs(30));
    let log_text = std::fs::read_to_string(&log).unwrap();
    assert_eq!(status.code(), Some(0), "{log_text}");
    assert!(log_text.contains("stopped cleanly"), "{log_text}");

    let lines = jsonl_lines(&out_dir);
    let by_name: BTreeMap<String, &serde_json::Value> = lines
        .iter()
        .map(|r| {
            (
                Path::new(r["scan"].as_str().unwrap())
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                r,
            )
        })
        .collect();
    assert_eq!(by_name.len(), 5, "{lines:?}");
    assert_eq!(check_contract(by_name["a_gun.png"]), "alarm");
    assert_eq!(check_contract(by_name["b_clear.png"]), "clear");
    assert_eq!(check_contract(by_name["c_empty.png"]), "error");
    assert!(by_name["c_empty.png"]["error"]
        .as_str()
        .unwrap()
        .contains("c_empty.png"));
    assert_eq!(
        check_contract(by_name["p_{high,low}.png"]),
        "clear",
        "a dual-energy pair is one scan"
    );
    assert_eq!(
        check_contract(by_name["e_slow.png"]),
        "alarm",
        "taken only once complete"
    );
    for kept in [".hidden.png", "d_writing.png.part", "notes.txt"] {
        assert!(in_dir.join(kept).exists(), "{kept} was taken");
    }
    assert_eq!(
        count_done(&in_dir),
        6,
        "five scans, six files (the pair) moved"
    );
    let counts = armscan_watch::verify(&out_dir).unwrap();
    assert_eq!(
        (counts.done, counts.unfinished()),
        (5, 0),
        "journal consistent after SIGTERM: {counts:?}"
    );
    // --tdr: one DICOS threat detection report per scan, its alarm decision the record's
    // (the reports' content is checked against the DICOS toolkit in cli/dicos.rs)
    let reports: BTreeMap<String, Vec<u8>> = std::fs::read_dir(&tdr_dir)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect();
    assert_eq!(reports.len(), 5, "{:?}", reports.keys());
    for (scan, decision) in [
        ("a_gun_png", "ALARM"),
        ("b_clear_png", "CLEAR"),
        ("c_empty_png", "UNKNOWN"),
        ("p__high_low__png", "CLEAR"),
        ("e_slow_png", "ALARM"),
    ] {
        let (name, bytes) = reports
            .iter()
            .find(|(name, _)| name.ends_with(&format!("{scan}.tdr.dcs")))
            .unwrap_or_else(|| panic!("no report for {scan}: {:?}", reports.keys()));
        assert_eq!(&bytes[128..132], b"DICM", "{name}");
        let has = |text: &str| bytes.windows(text.len()).any(|w| w == text.as_bytes());
        assert!(has(decision), "{name} does not say {decision}");
        for other in ["ALARM", "CLEAR"].into_iter().filter(|d| *d != decision) {
            assert!(!has(other), "{name} says {other}");
        }
        assert_eq!(has("ABORT"), decision == "UNKNOWN", "{name}");
    }

    // A restart finds nothing new to do: nothing is screened twice.
    let mut child = spawn_watch_started(
        &in_dir,
        &out_dir,
        &log,
        &["--settle-ms", "100", "--poll-ms", "20"],
    );
    std::thread::sleep(Duration::from_millis(800));
    sigterm(&child);
    assert_eq!(
        wait_exit(&mut child, Duration::from_secs(30)).code(),
        Some(0)
    );
    assert_eq!(jsonl_lines(&out_dir).len(), 5);

    // Another input folder with the same journal is refused.
    let other: PathBuf = dir.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    let mut child = spawn_watch(&other, &out_dir, &log, &args);
    assert_eq!(
        wait_exit(&mut child, Duration::from_secs(30)).code(),
        Some(2)
    );
    assert!(std::fs::read_to_string(&log)
        .unwrap()
        .contains("was made for input folder"));
}
