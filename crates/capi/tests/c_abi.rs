//! The C ABI from C: the checked-in header is what cbindgen makes of the source now, and the C
//! example, compiled with the system's `cc` against `libarmscan_c.so`, screens the shipped
//! samples to the same records as the CLI (its golden file) and as the facade's `--jsonl`
//! lines, byte for byte with the timing left out; misuse gets a code and a message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use armscan::{BackendChoice, ScanInput, ScreenRequest, Screener};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_header_is_what_cbindgen_makes_now() {
    let config = cbindgen::Config::from_file(crate_dir().join("cbindgen.toml")).unwrap();
    let mut generated = Vec::new();
    cbindgen::Builder::new()
        .with_config(config)
        .with_src(crate_dir().join("src/lib.rs"))
        .generate()
        .expect("cbindgen reads src/lib.rs")
        .write(&mut generated);
    let path = crate_dir().join("include/armscan.h");
    if std::env::var_os("ARMSCAN_REGENERATE_GOLDEN").is_some_and(|v| v == "1") {
        std::fs::write(&path, &generated).unwrap();
    }
    let checked_in = std::fs::read(&path).unwrap();
    assert!(
        checked_in == generated,
        "include/armscan.h is stale: ARMSCAN_REGENERATE_GOLDEN=1 cargo test -p armscan-capi"
    );
    let text = String::from_utf8(generated).unwrap();
    for f in [
        "armscan_screener_open",
        "armscan_screen_file",
        "armscan_screen_buffer",
        "armscan_screen_pair",
        "armscan_string_free",
        "armscan_screener_close",
        "armscan_last_error",
        "ARMSCAN_OK",
    ] {
        assert!(text.contains(f), "{f} missing from the header");
    }
}

/// `"elapsed_ms":N,` taken out of a record line.
fn timeless(line: &str) -> String {
    let Some(start) = line.find("\"elapsed_ms\":") else {
        return line.to_owned();
    };
    let end = line[start..]
        .find(',')
        .map_or(line.len(), |e| start + e + 1);
    format!("{}{}", &line[..start], &line[end..])
}

#[test]
fn the_c_example_screens_the_samples_as_the_cli() {
    // `cargo test` leaves the cdylib beside the test binary (target/release/deps); `cargo build`
    // also copies it to target/release.
    let deps = std::env::current_exe()
        .unwrap()
        .parent()
        .unwrap()
        .to_owned();
    let lib_dir = [deps.clone(), deps.parent().unwrap().to_owned()]
        .into_iter()
        .find(|d| d.join("libarmscan_c.so").exists())
        .unwrap_or_else(|| panic!("no libarmscan_c.so in {} or its parent", deps.display()));
    let out_dir = tempfile_dir();
    let exe = out_dir.join("screen");
    let cc = Command::new("cc")
        .arg(crate_dir().join("examples/screen.c"))
        .arg("-I")
        .arg(crate_dir().join("include"))
        .arg("-L")
        .arg(&lib_dir)
        .arg("-larmscan_c")
        .arg(format!("-Wl,-rpath,{}", lib_dir.display()))
        .args(["-Wall", "-Werror", "-o"])
        .arg(&exe)
        .output()
        .expect("a C compiler (cc)");
    assert!(
        cc.status.success(),
        "{}",
        String::from_utf8_lossy(&cc.stderr)
    );

    let model = repo().join("models/armscan-threat-v12/armscan-threat-v12.manifest.json");
    let files = [
        "datasets/samples/B0046_0160.jpg",
        "datasets/samples/B0046_0190.jpg",
        "datasets/samples/B0074_0001.jpg",
        "datasets/samples/B0079_0017_high.png=datasets/samples/B0079_0017_low.png",
        "datasets/samples/B0079_0020.jpg",
        "datasets/samples/B0079_0025_16bit.png",
        "datasets/samples/B0082_0004.jpg",
        "datasets/samples/missing.png",
    ];
    let run = Command::new(&exe)
        .args(["--backend", "tract", "--model"])
        .arg(&model)
        .args(files)
        .current_dir(repo())
        .env_remove("ARMSCAN_MODEL")
        .output()
        .unwrap();
    let stdout = String::from_utf8(run.stdout).unwrap();
    assert!(
        run.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), files.len(), "{stdout}");

    // The CLI's golden records (tract, the same model and samples).
    let golden: Vec<serde_json::Value> =
        std::fs::read_to_string(repo().join("crates/cli/tests/golden/samples_tract.jsonl"))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
    for line in &lines[..7] {
        let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
        v.as_object_mut().unwrap().remove("elapsed_ms");
        assert!(golden.contains(&v), "not the CLI's record: {line}");
    }
    // A missing file is an error record, never a clear one.
    let missing: serde_json::Value = serde_json::from_str(lines[7]).unwrap();
    assert_eq!(missing["status"], "error");

    // From memory (armscan_screen_buffer): the same records.
    let from_memory = Command::new(&exe)
        .args(["--backend", "tract", "--buffer", "yes", "--model"])
        .arg(&model)
        .args(&files[..3])
        .current_dir(repo())
        .output()
        .unwrap();
    assert!(from_memory.status.success());
    let memory_lines = String::from_utf8(from_memory.stdout).unwrap();
    for (a, b) in memory_lines.lines().zip(&lines[..3]) {
        assert_eq!(timeless(a), timeless(b));
    }

    // Byte for byte the facade's --jsonl line (which the CLI prints), timing aside.
    let screener = Screener::builder()
        .with_model(&model)
        .with_backend(BackendChoice::Tract)
        .commit()
        .unwrap();
    std::env::set_current_dir(repo()).unwrap();
    for (file, line) in files.iter().zip(&lines) {
        let input = match file.split_once('=') {
            Some((h, l)) => ScanInput::DualPair {
                high: h.into(),
                low: l.into(),
            },
            None => ScanInput::File(file.into()),
        };
        let mut want = Vec::new();
        armscan::write_jsonl(
            &mut want,
            &screener.screen(&ScreenRequest::new(input)).record,
        )
        .unwrap();
        let want = String::from_utf8(want).unwrap();
        assert_eq!(timeless(line), timeless(want.trim_end()), "{file}");
    }
}

fn tempfile_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("armscan-capi-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
