//! `armscan serve --api-only` over a real socket: fuzzed from its own OpenAPI document by
//! Schemathesis (every check but "positive data acceptance": a schema-valid body of random
//! bytes is rightly refused as no image, 422), with an access token; no 500, no crash, every
//! status code and content type as documented. The limits' codes are tested in process
//! (`crates/serve/tests/serve/api_v1.rs`).
//!
//! Needs Schemathesis in `./.venv` (`.ci/run` installs `requirements-test.txt`): skipped with a
//! message outside CI when missing, a failure under CI.

use std::process::Command;

use crate::common::*;

const TOKEN: &str = "0123456789abcdef0123456789";

#[test]
fn the_api_survives_fuzzing_from_its_openapi_document() {
    let schemathesis = repo().join(".venv/bin/schemathesis");
    if !schemathesis.exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have Schemathesis (.ci/run installs requirements-test.txt)"
        );
        eprintln!("skipping the API fuzzing: no {}", schemathesis.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("token.txt"), format!("{TOKEN}\n")).unwrap();
    let model = fixture_model();
    let (mut child, addr) = spawn_console(
        dir.path(),
        &[
            "--api-only".as_ref(),
            "--token-file".as_ref(),
            "token.txt".as_ref(),
            "--backend".as_ref(),
            "tract".as_ref(),
            "--model".as_ref(),
            model.as_os_str(),
        ],
    );
    let run = Command::new(&schemathesis)
        .arg("run")
        .arg(format!("http://{addr}/openapi.json"))
        .args(["-H", &format!("Authorization: Bearer {TOKEN}")])
        .args([
            "--checks",
            "all",
            "--exclude-checks",
            "positive_data_acceptance",
        ])
        .args(["--max-examples", "100", "--seed", "42"])
        // examples kept from earlier runs would change what this run tries
        .args(["--generation-database", "none"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let still_up = child.try_wait().unwrap().is_none();
    child.kill().unwrap();
    child.wait().unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "schemathesis found failures:\n{stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(stdout.contains("3 selected"), "{stdout}");
    assert!(still_up, "the server died under fuzzing");
}
