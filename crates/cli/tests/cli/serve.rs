//! `armscan serve`: the access rule at the command line, and a console serving a screened
//! folder on the fast fixture model, spoken to over a real socket.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::common::*;
use image::{GrayImage, Luma};

#[test]
fn a_public_address_without_a_token_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = armscan(&["serve", "--addr", "0.0.0.0:0"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("0.0.0.0:0 is not a loopback address") && stderr.contains("--token-file"),
        "{stderr}"
    );
    // A token too short is refused too, before anything is loaded.
    std::fs::write(dir.path().join("token.txt"), "short\n").unwrap();
    let out = armscan(
        &["serve", "--addr", "0.0.0.0:0", "--token-file", "token.txt"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("shorter than 16"));
    // Nothing to serve.
    let out = armscan(&["serve"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--scans DIR"));
}

fn http(addr: &str, request: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).unwrap();
    // Lossy: an image's bytes are not text, its headers are.
    let response = String::from_utf8_lossy(&bytes).into_owned();
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, response)
}

#[test]
fn serves_a_screened_folder_and_records_a_decision() {
    let dir = tempfile::tempdir().unwrap();
    let scans = dir.path().join("scans");
    std::fs::create_dir(&scans).unwrap();
    let img = GrayImage::from_fn(64, 64, |x, y| {
        if (10..30).contains(&x) && (20..50).contains(&y) {
            Luma([0])
        } else {
            Luma([255])
        }
    });
    img.save(scans.join("a_block.png")).unwrap();
    std::fs::write(scans.join("b_broken.png"), b"not an image").unwrap();
    let model = fixture_model();
    let (mut child, addr) = spawn_console(
        dir.path(),
        &[
            "--scans".as_ref(),
            "scans".as_ref(),
            "--db".as_ref(),
            "console.sqlite".as_ref(),
            "--backend".as_ref(),
            "tract".as_ref(),
            "--model".as_ref(),
            model.as_os_str(),
        ],
    );
    let login_body = r#"{"operator":"ana"}"#;
    let (status, response) = http(
        &addr,
        &format!(
            "POST /api/login HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n\
             {login_body}",
            login_body.len()
        ),
    );
    assert_eq!(status, 200, "{response}");
    let session = response
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: armscan_session="))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    // Both scans arrive in the queue; the broken one as failed, never clear.
    let started = Instant::now();
    let queue = loop {
        let (status, response) = http(
            &addr,
            &format!(
                "GET /api/queue HTTP/1.1\r\nHost: {addr}\r\nCookie: armscan_session={session}\r\n\
                 Connection: close\r\n\r\n"
            ),
        );
        assert_eq!(status, 200, "{response}");
        let body = response.split("\r\n\r\n").nth(1).unwrap().to_owned();
        let q: serde_json::Value = serde_json::from_str(&body).unwrap();
        if q["scans"].as_array().unwrap().len() == 2 || started.elapsed().as_secs() > 60 {
            break q;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let scans = queue["scans"].as_array().unwrap();
    assert_eq!(scans.len(), 2, "{queue}");
    assert_eq!(scans[0]["status"], "alarm", "{queue}");
    assert_eq!(scans[1]["status"], "error", "{queue}");
    let id = scans[0]["id"].as_str().unwrap();
    let body = r#"{"decision":"threat","category":"firearm"}"#;
    let (status, response) = http(
        &addr,
        &format!(
            "POST /api/scans/{id}/decisions HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\n\
             Cookie: armscan_session={session}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    );
    assert_eq!(status, 201, "{response}");
    let (status, response) = http(
        &addr,
        &format!(
            "GET /api/scans/{id}/image?tool=negative,edges HTTP/1.1\r\nHost: {addr}\r\n\
             Cookie: armscan_session={session}\r\nConnection: close\r\n\r\n"
        ),
    );
    assert_eq!(status, 200);
    assert!(response.contains("content-type: image/png"));
    // The decision is in the database, with its operator.
    let (status, response) = http(
        &addr,
        &format!(
            "GET /api/decisions.csv HTTP/1.1\r\nHost: {addr}\r\n\
             Cookie: armscan_session={session}\r\nConnection: close\r\n\r\n"
        ),
    );
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(status, 200);
    let csv = response.split("\r\n\r\n").nth(1).unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows.len(), 2, "{csv}");
    assert!(
        rows[1].contains(&format!(",ana,{id},")) && rows[1].contains(",alarm,"),
        "{csv}"
    );
    assert!(rows[1].contains(",threat,firearm,"), "{csv}");
}
