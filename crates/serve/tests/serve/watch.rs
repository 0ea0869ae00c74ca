//! The console with a watch folder, over a real socket: scans dropped into the folder join the
//! queue live (failed ones as failed), their images are served from `.done/`, and a restart
//! brings the queue and the decisions back.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use armscan::{BackendChoice, Screener};
use armscan_serve::{serve, ServeOptions, Source};
use armscan_watch::WatchConfig;
use image::{GrayImage, Luma};
use serde_json::Value;

use super::common::fixture_model;

fn http(addr: SocketAddr, request: &str) -> (u16, String) {
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

fn body(response: &str) -> &str {
    response.split("\r\n\r\n").nth(1).unwrap_or("")
}

struct Console {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<()>,
    session: String,
}

fn start(in_dir: &Path, out_dir: &Path) -> Console {
    let screener = Screener::builder()
        .with_model(fixture_model())
        .with_backend(BackendChoice::Tract)
        .with_threads(Some(1))
        .commit()
        .unwrap();
    let config = WatchConfig::new(in_dir, out_dir)
        .with_settle(Duration::from_millis(100))
        .with_poll(Duration::from_millis(50));
    let options = ServeOptions::new(
        "127.0.0.1:0".parse().unwrap(),
        out_dir.join("console.sqlite"),
    );
    let stop = Arc::new(AtomicBool::new(false));
    let (tx, rx) = mpsc::channel();
    let thread_stop = Arc::clone(&stop);
    let thread = std::thread::spawn(move || {
        serve(
            screener,
            Source::Watch(config),
            &options,
            thread_stop,
            |a| {
                tx.send(a).unwrap();
            },
        )
        .unwrap();
    });
    let addr = rx.recv_timeout(Duration::from_secs(30)).unwrap();
    let login = r#"{"operator":"ana"}"#;
    let (status, response) = http(
        addr,
        &format!(
            "POST /api/login HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n\
             {login}",
            login.len()
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
    Console {
        addr,
        stop,
        thread,
        session,
    }
}

impl Console {
    fn get(&self, path: &str) -> (u16, String) {
        http(
            self.addr,
            &format!(
                "GET {path} HTTP/1.1\r\nHost: {}\r\nCookie: armscan_session={}\r\n\
                 Connection: close\r\n\r\n",
                self.addr, self.session
            ),
        )
    }

    fn queue_until(&self, n: usize) -> Value {
        let started = Instant::now();
        loop {
            let (status, response) = self.get("/api/queue");
            assert_eq!(status, 200);
            let q: Value = serde_json::from_str(body(&response)).unwrap();
            if q["scans"].as_array().unwrap().len() >= n || started.elapsed().as_secs() > 60 {
                return q;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn stop(self) {
        self.stop.store(true, Ordering::SeqCst);
        self.thread.join().unwrap();
    }
}

#[test]
fn watched_scans_join_the_queue_live_and_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (in_dir, out_dir) = (dir.path().join("in"), dir.path().join("out"));
    std::fs::create_dir_all(&in_dir).unwrap();
    std::fs::create_dir_all(&out_dir).unwrap();
    let console = start(&in_dir, &out_dir);
    assert_eq!(console.queue_until(0)["scans"].as_array().unwrap().len(), 0);

    let img = GrayImage::from_fn(64, 64, |x, y| {
        if (10..30).contains(&x) && (20..50).contains(&y) {
            Luma([0])
        } else {
            Luma([255])
        }
    });
    img.save_with_format(in_dir.join("a_block.png.part"), image::ImageFormat::Png)
        .unwrap();
    std::fs::rename(in_dir.join("a_block.png.part"), in_dir.join("a_block.png")).unwrap();
    std::fs::write(in_dir.join("b_broken.png"), b"not an image").unwrap();
    let q = console.queue_until(2);
    let scans = q["scans"].as_array().unwrap();
    assert_eq!(scans.len(), 2, "{q}");
    let by_status = |s: &str| scans.iter().find(|x| x["status"] == s).unwrap();
    let alarm = by_status("alarm");
    let failed = by_status("error");
    assert!(failed["error"].as_str().unwrap().contains("b_broken.png"));
    let id = alarm["id"].as_str().unwrap().to_owned();
    // The input was moved to .done/; its image is still served.
    assert!(!in_dir.join("a_block.png").exists());
    let (status, response) = console.get(&format!("/api/scans/{id}/image?tool=negative"));
    assert_eq!(status, 200);
    assert!(response.contains("content-type: image/png"));
    let decision = r#"{"decision":"search"}"#;
    let (status, _) = http(
        console.addr,
        &format!(
            "POST /api/scans/{id}/decisions HTTP/1.1\r\nHost: {a}\r\nOrigin: http://{a}\r\n\
             Cookie: armscan_session={s}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{decision}",
            decision.len(),
            a = console.addr,
            s = console.session
        ),
    );
    assert_eq!(status, 201);
    console.stop();

    // A restart: the journal brings the queue back under the same ids, the database the decision.
    let console = start(&in_dir, &out_dir);
    let q = console.queue_until(2);
    let scans = q["scans"].as_array().unwrap();
    assert_eq!(scans.len(), 2, "{q}");
    let again = scans.iter().find(|x| x["id"] == id.as_str()).unwrap();
    assert_eq!(again["decision"]["decision"], "search");
    assert_eq!(again["decision"]["operator"], "ana");
    console.stop();
}
