//! Each recovery rule of the journal, by putting the output folder in the state a crash at that
//! point leaves and checking the next start finishes it with exactly one line per scan.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::Duration;

use armscan_core::Status;
use armscan_ingest::ScanInput;
use armscan_report::ScanRecord;
use armscan_watch::{
    verify, ClaimedFile, Fingerprint, Journal, WatchConfig, Watcher, JOURNAL_FILE, RESULTS_JSONL,
};

fn config(root: &Path) -> WatchConfig {
    WatchConfig::new(root.join("in"), root.join("out"))
        .with_settle(Duration::ZERO)
        .with_poll(Duration::from_millis(5))
}

/// A stand-in for the detector: clear for every input, counting calls.
fn fake_screen(calls: &mut usize) -> impl FnMut(&[ScanInput]) -> Vec<ScanRecord> + '_ {
    move |inputs| {
        *calls += inputs.len();
        inputs
            .iter()
            .map(|i| {
                ScanRecord::screened(
                    i.name(),
                    1,
                    1,
                    Status::Clear,
                    Vec::new(),
                    "tract",
                    "fake",
                    1.0,
                )
            })
            .collect()
    }
}

fn lines(root: &Path) -> Vec<String> {
    std::fs::read_to_string(root.join("out").join(RESULTS_JSONL))
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn claimed(root: &Path, name: &str) -> ClaimedFile {
    let meta = std::fs::metadata(root.join("in").join(name)).unwrap();
    ClaimedFile {
        name: name.into(),
        fingerprint: Fingerprint::of(&meta),
    }
}

#[test]
fn every_crash_point_is_finished_once() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("in")).unwrap();
    for n in ["a.png", "b.png", "c.png"] {
        std::fs::write(root.join("in").join(n), n).unwrap();
    }
    let mut calls = 0;
    {
        let (mut w, report) = Watcher::open(config(root)).unwrap();
        assert_eq!((report.unfinished, report.cut_bytes), (0, 0));
        assert!(
            Watcher::open(config(root)).is_err(),
            "the lock keeps a second watcher out"
        );
        let mut screen = fake_screen(&mut calls);
        assert_eq!(w.step(&mut screen, &mut |_| {}).unwrap(), 3);
        w.close().unwrap();
    }
    assert_eq!(calls, 3);
    assert_eq!(lines(root).len(), 3);

    // 1. Crash in the middle of an append: bytes past the journal's end are cut at the next start.
    let jsonl = root.join("out").join(RESULTS_JSONL);
    let mut text = std::fs::read(&jsonl).unwrap();
    text.extend_from_slice(b"{\"schema\":\"armscan.scan/2\",\"sc");
    std::fs::write(&jsonl, &text).unwrap();
    // 2. Crash right after a claim: the row is there, nothing else.
    std::fs::write(root.join("in/d.png"), b"d").unwrap();
    // 3. Crash after a move, before the row was marked done.
    std::fs::write(root.join("in/e.png"), b"e").unwrap();
    {
        let mut j = Journal::open(&root.join("out").join(JOURNAL_FILE)).unwrap();
        j.claim(&[("d.png".into(), vec![claimed(root, "d.png")])])
            .unwrap();
        let ids = j
            .claim(&[("e.png".into(), vec![claimed(root, "e.png")])])
            .unwrap();
        j.close().unwrap();
        // carry e.png to `appended` through a watcher that only finishes the claimed rows...
        let (w, report) = Watcher::open(config(root)).unwrap();
        assert_eq!(report.cut_bytes, 30, "the torn line is cut");
        assert_eq!(report.unfinished, 2);
        w.close().unwrap();
        // ...by hand instead: write e's result and line as a watcher would, then move the file.
        let mut j = Journal::open(&root.join("out").join(JOURNAL_FILE)).unwrap();
        let line = format!(
            "{}\n",
            serde_json::to_string(&ScanRecord::screened(
                root.join("in/e.png").display().to_string(),
                1,
                1,
                Status::Clear,
                Vec::new(),
                "tract",
                "fake",
                1.0
            ))
            .unwrap()
        );
        std::fs::write(
            root.join("out/results")
                .join(format!("{:08}_e.png.json", ids[0])),
            &line,
        )
        .unwrap();
        j.mark_written(&[(ids[0], "clear".into())]).unwrap();
        let end = j.jsonl_end().unwrap();
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&jsonl)
            .unwrap();
        std::io::Write::write_all(&mut f, line.as_bytes()).unwrap();
        j.mark_appended(&[(ids[0], end, line.len() as u64)], end + line.len() as u64)
            .unwrap();
        std::fs::rename(
            root.join("in/e.png"),
            root.join("in/.done").join(format!("{:08}_e.png", ids[0])),
        )
        .unwrap();
        j.close().unwrap();
    }
    {
        let mut calls = 0;
        let (mut w, _) = Watcher::open(config(root)).unwrap();
        let mut screen = fake_screen(&mut calls);
        let mut seen = Vec::new();
        w.step(&mut screen, &mut |r: &ScanRecord| seen.push(r.scan.clone()))
            .unwrap();
        w.step(&mut screen, &mut |r: &ScanRecord| seen.push(r.scan.clone()))
            .unwrap();
        assert_eq!(seen.len(), 1, "only d.png's line is new: {seen:?}");
        assert!(seen[0].ends_with("d.png"));
        w.close().unwrap();
        drop(screen);
        assert_eq!(calls, 1, "only d.png screened");
    }
    let all = lines(root);
    assert_eq!(all.len(), 5, "{all:#?}");
    for n in ["a.png", "b.png", "c.png", "d.png", "e.png"] {
        assert_eq!(
            all.iter().filter(|l| l.contains(&format!("{n}\""))).count(),
            1,
            "{n}"
        );
    }
    let counts = verify(&root.join("out")).unwrap();
    assert_eq!((counts.done, counts.unfinished()), (5, 0));
    assert_eq!(std::fs::read_dir(root.join("in/.done")).unwrap().count(), 5);

    // 4. A results.jsonl shorter than the journal says is refused, not silently rewritten.
    std::fs::write(&jsonl, b"").unwrap();
    let err = Watcher::open(config(root)).unwrap_err();
    assert!(
        err.to_string().contains("does not agree with the journal"),
        "{err}"
    );
}

#[test]
fn a_file_replaced_after_its_claim_is_screened_again_as_a_new_scan() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("in")).unwrap();
    std::fs::write(root.join("in/x.png"), b"first").unwrap();
    let (mut w, _) = Watcher::open(config(root)).unwrap();
    let in_dir = root.join("in");
    let mut calls = 0;
    // The "scanner" replaces x.png while it is being screened.
    let mut screen = |inputs: &[ScanInput]| {
        calls += 1;
        if calls == 1 {
            std::thread::sleep(Duration::from_millis(20));
            std::fs::write(in_dir.join(".x.png.part"), b"second, longer").unwrap();
            std::fs::rename(in_dir.join(".x.png.part"), in_dir.join("x.png")).unwrap();
        }
        inputs
            .iter()
            .map(|i| ScanRecord::failed(i.name(), "fake", "tract", "fake", 1.0))
            .collect()
    };
    w.step(&mut screen, &mut |_| {}).unwrap();
    assert!(
        root.join("in/x.png").exists(),
        "the new file is left in place"
    );
    w.step(&mut screen, &mut |_| {}).unwrap();
    w.close().unwrap();
    assert_eq!(calls, 2);
    assert_eq!(lines(root).len(), 2, "two scans at one name, two lines");
    assert!(!root.join("in/x.png").exists());
    assert_eq!(verify(&root.join("out")).unwrap().done, 2);
}
