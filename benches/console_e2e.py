"""What the operator console costs the watcher (issue #21): `armscan watch` alone against
`armscan serve --watch` with an operator's page on it, in ONE run, same scans, same model, same
thread budget, ONNX Runtime.

Both take the same N grey 1024x768 scans, copied into an empty watch folder at once; the rate is
measured from results.jsonl's growth (scans/s between the 10th and the last result, so the model
load is left out). During the console's runs a client does what the page does: the queue every
2 s (the page's poll) and, as an operator looking at scans, one image every second (the standard
image, then with a tool). Runs alternate (watch, serve, watch, serve, ...) and the ratio of the
medians is printed against the target (the console adds at most 10 %: ratio >= 0.90).

Usage (from the repository root, after `cargo build --release -p armscan-cli`):
  python3 benches/console_e2e.py [--n 200] [--rounds 2] [--threads 2]
         [--model models/armscan-threat-v12/armscan-threat-v12.manifest.json]
The scans are made by `armscan synth` (seed 77) into target/bench-scans, as benches/e2e.py does.
"""
import argparse
import http.cookiejar
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402  (ensure_venv, ort_lib, generate)

ROOT = e2e.ROOT

free_port = e2e.free_port


def results(out_dir):
    path = os.path.join(out_dir, "results.jsonl")
    if not os.path.exists(path):
        return 0
    with open(path, "rb") as f:
        return f.read().count(b"\n")


def wait_rate(proc, out_dir, n, timeout_s=900):
    """Seconds at which results.jsonl reached 10 and n lines; returns scans/s between them."""
    t10 = None
    start = time.perf_counter()
    while True:
        k = results(out_dir)
        now = time.perf_counter()
        if t10 is None and k >= 10:
            t10, k10 = now, k
        if k >= n:
            return (k - k10) / (now - t10)
        if proc.poll() is not None:
            sys.exit(f"armscan exited early ({proc.returncode}); {k} of {n} results")
        if now - start > timeout_s:
            sys.exit(f"timed out with {k} of {n} results")
        time.sleep(0.02)


def stop(proc):
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


def operator_client(base, stop_event, counters):
    """The page's load: the queue every 2 s, one image a second (standard, then negative)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    host = base.split("//")[1].rstrip("/")
    login = urllib.request.Request(base + "api/login", data=b'{"operator":"bench"}', method="POST",
                                   headers={"Content-Type": "application/json", "Origin": f"http://{host}"})
    for _ in range(200):
        try:
            opener.open(login, timeout=5).read()
            break
        except OSError:
            time.sleep(0.05)
    seen, last_queue, tool = [], 0.0, ""
    while not stop_event.is_set():
        now = time.monotonic()
        if now - last_queue >= 2.0:
            q = json.loads(opener.open(base + "api/queue?state=all", timeout=10).read())
            seen = [s["id"] for s in q["scans"] if s["status"] != "error"]
            counters["queue"] += 1
            last_queue = now
        if seen:
            sid = seen[counters["images"] % len(seen)]
            opener.open(f"{base}api/scans/{sid}/image?tool={tool}", timeout=30).read()
            counters["images"] += 1
            tool = "" if tool else "negative"
        stop_event.wait(1.0)


def run_once(armscan, kind, scans, n, common):
    work = tempfile.mkdtemp(prefix="armscan-console-bench-")
    in_dir, out_dir = os.path.join(work, "in"), os.path.join(work, "out")
    os.makedirs(in_dir)
    timing = ["--settle-ms", "100", "--poll-ms", "50"]
    if kind == "watch":
        cmd = [armscan, "watch", in_dir, "--out", out_dir] + timing + common
    else:
        port = free_port()
        cmd = [armscan, "serve", "--watch", in_dir, "--out", out_dir, "--addr", f"127.0.0.1:{port}"] + timing + common
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stop_event, counters, client = threading.Event(), {"queue": 0, "images": 0}, None
    if kind == "serve":
        client = threading.Thread(target=operator_client, args=(f"http://127.0.0.1:{port}/", stop_event, counters),
                                  daemon=True)
        client.start()
    time.sleep(1.0)  # the model loads; the files arrive at once
    for name in scans:
        shutil.copy(name, in_dir)
    rate = wait_rate(proc, out_dir, n)
    stop_event.set()
    if client:
        client.join(timeout=30)
    stop(proc)
    shutil.rmtree(work, ignore_errors=True)
    return rate, counters


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--model", default=os.path.join(ROOT, "models/armscan-threat-v12/armscan-threat-v12.manifest.json"))
    ap.add_argument("--pixel-spacing-mm", default="1.0")
    args = ap.parse_args()
    armscan = os.path.join(ROOT, "target", "release", "armscan")
    if not os.path.exists(armscan):
        sys.exit("build first: cargo build --release -p armscan-cli")
    lib = e2e.ort_lib(e2e.ensure_venv())
    images = e2e.generate(armscan, args.n, 77, os.path.join(ROOT, "target", "bench-scans"))
    scans = sorted(os.path.join(images, f) for f in os.listdir(images) if f.endswith("_grey.png"))[: args.n]
    common = ["--model", args.model, "--backend", "onnxruntime", "--ort-lib", lib, "--threads", str(args.threads),
              "--pixel-spacing-mm", args.pixel_spacing_mm]
    rates = {"watch": [], "serve": []}
    print(f"console e2e: {len(scans)} scans 1024x768, {args.threads} threads, ONNX Runtime, {args.rounds} rounds")
    for r in range(args.rounds):
        for kind in ("watch", "serve"):
            rate, counters = run_once(armscan, kind, scans, len(scans), common)
            rates[kind].append(rate)
            extra = f" (client: {counters['queue']} queue polls, {counters['images']} images)" if kind == "serve" else ""
            print(f"  round {r + 1} {kind:<5} {rate:6.2f} scans/s{extra}")
    w, s = statistics.median(rates["watch"]), statistics.median(rates["serve"])
    ratio = s / w
    print(f"watch alone {w:.2f} scans/s, serve --watch with an operator {s:.2f} scans/s: ratio {ratio:.3f} "
          f"(console cost {100 * (1 - ratio):.1f} %); target ratio >= 0.90: {'met' if ratio >= 0.90 else 'NOT met'}")


if __name__ == "__main__":
    main()
