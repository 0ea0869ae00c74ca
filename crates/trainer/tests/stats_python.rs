//! The signal-detection statistics against an independent computation in Python's standard
//! library (`statistics.NormalDist`), with the 1/(2N) correction written again in Python.
//!
//! Uses `<repo>/.venv/bin/python` if it exists, else `python3`. Without Python the tests are
//! skipped, except where the environment variable `CI` is set: there they fail.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use armscan_trainer::stats::{inverse_normal_cdf, normal_cdf, SdtCounts};
use serde_json::{json, Value};

/// Reads `{"p": [...], "x": [...], "counts": [[h, m, fa, cr], ...]}` from stdin; prints
/// `{"quantiles": [...], "cdf": [...], "sdt": [[d', c], ...]}`.
const SCRIPT: &str = r#"
import json, sys
from statistics import NormalDist

request = json.load(sys.stdin)
normal = NormalDist()

def corrected(count, trials):
    # Macmillan & Kaplan (1985): a rate of 0 becomes 0.5/N, a rate of 1 becomes (N - 0.5)/N.
    if count == 0:
        return 0.5 / trials
    if count == trials:
        return (trials - 0.5) / trials
    return count / trials

sdt = []
for hits, misses, false_alarms, correct_rejections in request["counts"]:
    h = corrected(hits, hits + misses)
    f = corrected(false_alarms, false_alarms + correct_rejections)
    z_h, z_f = normal.inv_cdf(h), normal.inv_cdf(f)
    sdt.append([z_h - z_f, -(z_h + z_f) / 2])

json.dump({
    "quantiles": [normal.inv_cdf(p) for p in request["p"]],
    "cdf": [normal.cdf(x) for x in request["x"]],
    "sdt": sdt,
}, sys.stdout)
"#;

/// The Python interpreter to use, or `None` (after deciding whether that is a failure).
fn python() -> Option<PathBuf> {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let venv = repo.join(".venv/bin/python");
    let candidates = [venv, PathBuf::from("python3")];
    for candidate in candidates {
        let works = Command::new(&candidate)
            .args(["-c", "import statistics, json"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success());
        if works {
            return Some(candidate);
        }
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must have python3 (or <repo>/.venv/bin/python) for the stats comparison"
    );
    eprintln!("skipping: no python3 found (neither <repo>/.venv/bin/python nor python3)");
    None
}

/// Runs the script on `request`; returns its answer.
fn run_python(python: &PathBuf, request: &Value) -> Value {
    let mut child = Command::new(python)
        .args(["-c", SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start python");
    child
        .stdin
        .take()
        .expect("python's stdin")
        .write_all(request.to_string().as_bytes())
        .expect("write to python");
    let output = child.wait_with_output().expect("wait for python");
    assert!(
        output.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("python's JSON")
}

/// ~200 probabilities over (1e-12, 1 − 1e-12): log-spaced in both tails, even in the middle,
/// and the named points.
fn probabilities() -> Vec<f64> {
    let mut p = vec![
        1e-12, 1e-10, 1e-6, 0.001, 0.025, 0.5, 0.9, 0.975, 0.999, 0.999999,
    ];
    // The tails: 10^-12 to 10^-1.5 in steps of 10^0.25, and their complements.
    for i in 0..=42 {
        let tail = 10_f64.powf(-12.0 + 0.25 * f64::from(i));
        p.push(tail);
        p.push(1.0 - tail);
    }
    // The middle, avoiding exact repeats of the points above.
    for i in 0..100 {
        p.push(0.03 + 0.94 * (f64::from(i) + 0.37) / 100.0);
    }
    p.push(1.0 - 1e-12);
    p
}

/// Normal deviates from −8 to 8 for the distribution function.
fn deviates() -> Vec<f64> {
    (0..=160).map(|i| -8.0 + 0.1 * f64::from(i)).collect()
}

/// ~30 count sets, from a fixed linear congruential sequence, plus the edge cases: no hits, all
/// hits, no false alarms, all false alarms, one trial of a kind.
fn count_sets() -> Vec<[u32; 4]> {
    let mut sets = vec![
        [10, 0, 0, 10],
        [0, 10, 10, 0],
        [0, 10, 0, 10],
        [10, 0, 10, 0],
        [1, 0, 0, 1],
        [0, 1, 1, 0],
        [20, 0, 3, 17],
        [7, 13, 0, 40],
        [1, 0, 1, 99],
        [50, 50, 50, 50],
    ];
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = |bound: u64| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        u32::try_from((state >> 33) % bound).unwrap()
    };
    while sets.len() < 32 {
        let signal = 1 + next(60);
        let noise = 1 + next(60);
        let hits = next(u64::from(signal) + 1);
        let false_alarms = next(u64::from(noise) + 1);
        sets.push([hits, signal - hits, false_alarms, noise - false_alarms]);
    }
    assert!(sets.iter().any(|s| s[0] == 0) && sets.iter().any(|s| s[1] == 0));
    sets
}

fn as_f64s(value: &Value) -> Vec<f64> {
    value
        .as_array()
        .expect("an array")
        .iter()
        .map(|v| v.as_f64().expect("a number"))
        .collect()
}

#[test]
fn quantiles_match_python() {
    let Some(python) = python() else { return };
    let p = probabilities();
    assert!(p.len() >= 190, "{}", p.len());
    let answer = run_python(&python, &json!({"p": p, "x": [], "counts": []}));
    let expected = as_f64s(&answer["quantiles"]);
    assert_eq!(expected.len(), p.len());
    let mut worst: f64 = 0.0;
    for (&p, &expected) in p.iter().zip(&expected) {
        let ours = inverse_normal_cdf(p).expect("p in (0, 1)");
        let error = (ours - expected).abs();
        // Absolute 1e-9, or relative 1e-9 where the quantile is large (the tails).
        let tolerance = 1e-9 * expected.abs().max(1.0);
        assert!(
            error <= tolerance,
            "p = {p:e}: ours {ours}, python {expected}"
        );
        worst = worst.max(error / expected.abs().max(1.0));
    }
    eprintln!("largest relative difference from python: {worst:e}");
}

#[test]
fn normal_cdf_matches_python() {
    let Some(python) = python() else { return };
    let x = deviates();
    let answer = run_python(&python, &json!({"p": [], "x": x, "counts": []}));
    let expected = as_f64s(&answer["cdf"]);
    assert_eq!(expected.len(), x.len());
    for (&x, &expected) in x.iter().zip(&expected) {
        let ours = normal_cdf(x);
        // Python computes (1 + erf(x/√2)) / 2, whose absolute error is about 1e-16 everywhere
        // but which loses relative accuracy in the lower tail: compare absolutely.
        assert!(
            (ours - expected).abs() <= 1e-15,
            "x = {x}: ours {ours:e}, python {expected:e}"
        );
    }
}

#[test]
fn d_prime_and_criterion_match_python() {
    let Some(python) = python() else { return };
    let sets = count_sets();
    let answer = run_python(&python, &json!({"p": [], "x": [], "counts": sets}));
    let expected = answer["sdt"].as_array().expect("sdt array");
    assert_eq!(expected.len(), sets.len());
    for (set, expected) in sets.iter().zip(expected) {
        let [hits, misses, false_alarms, correct_rejections] = *set;
        let counts = SdtCounts {
            hits,
            misses,
            false_alarms,
            correct_rejections,
        };
        let expected = as_f64s(expected);
        let d_prime = counts.d_prime().expect("both kinds of trial");
        let criterion = counts.criterion_c().expect("both kinds of trial");
        assert!(
            (d_prime - expected[0]).abs() <= 1e-9,
            "{set:?}: d' ours {d_prime}, python {}",
            expected[0]
        );
        assert!(
            (criterion - expected[1]).abs() <= 1e-9,
            "{set:?}: c ours {criterion}, python {}",
            expected[1]
        );
    }
}
