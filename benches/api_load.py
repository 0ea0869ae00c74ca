"""Load on the integrators' HTTP API (issue #23), in ONE run, on loopback:

1. requests/s and p50/p95 latency of `POST /v1/scans` at 1, 4 and 16 concurrent clients, each request a
   1024x768 grey scan (`armscan synth`, seed 77, as benches/e2e.py), against `armscan serve --api-only`;
2. the API's scans/s at 4 clients against `armscan scan` on the same files with the same thread budget
   (target: the API adds at most 10 %, ratio >= 0.90);
3. the server's resident memory over many small requests (a 96x64 PNG), sampled every 500 requests
   (target: flat, the last sample within 10 % of the one after warm-up).

Usage (from the repository root, after `cargo build --release -p armscan-cli`):
  python3 benches/api_load.py [--n 200] [--threads 2] [--memory 5000]
Clients are Python threads with http.client (one connection each, keep-alive); ONNX Runtime is the
benches/python/.venv wheel's library, as benches/e2e.py uses.
"""
import argparse
import http.client
import io
import os
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402

ROOT = e2e.ROOT

free_port = e2e.free_port


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def start_server(armscan, common, port):
    proc = subprocess.Popen([armscan, "serve", "--api-only", "--addr", f"127.0.0.1:{port}"] + common,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/healthz")
            if c.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    sys.exit("the API did not start")


def load(port, bodies, clients, content_type="image/png"):
    """Sends every body once (a 429, or a connection the server closed after one, is retried
    after 50 ms), spread over `clients` threads; returns (wall_s, latencies_ms, retries)."""
    lat, lock, idx, retries = [], threading.Lock(), [0], [0]

    def worker():
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while True:
            with lock:
                if idx[0] >= len(bodies):
                    return
                body = bodies[idx[0]]
                idx[0] += 1
            t = time.perf_counter()
            while True:
                try:
                    c.request("POST", "/v1/scans", body=body, headers={"Content-Type": content_type})
                    r = c.getresponse()
                    r.read()
                    status = r.status
                except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
                    status = 429  # answered 429 before the body was read, then closed
                    c.close()
                    c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                if status == 200:
                    break
                if status != 429:
                    sys.exit(f"status {status}")
                with lock:
                    retries[0] += 1
                time.sleep(0.05)
            with lock:
                lat.append((time.perf_counter() - t) * 1e3)

    t0 = time.perf_counter()
    ts = [threading.Thread(target=worker) for _ in range(clients)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return time.perf_counter() - t0, lat, retries[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--memory", type=int, default=5000)
    ap.add_argument("--memory-only", action="store_true",
                    help="skip the throughput runs (1/4/16 clients, CLI): only the memory run")
    ap.add_argument("--model", default=os.path.join(ROOT, "models/armscan-threat-v12/armscan-threat-v12.manifest.json"))
    args = ap.parse_args()
    armscan = os.path.join(ROOT, "target", "release", "armscan")
    lib = e2e.ort_lib(e2e.ensure_venv())
    if args.memory_only:
        common = ["--model", args.model, "--backend", "onnxruntime", "--ort-lib", lib, "--threads",
                  str(args.threads), "--pixel-spacing-mm", "1.0"]
        memory_run(armscan, common, args.memory)
        return
    images = e2e.generate(armscan, args.n, 77, os.path.join(ROOT, "target", "bench-scans"))
    files = sorted(os.path.join(images, f) for f in os.listdir(images) if f.endswith("_grey.png"))[: args.n]
    bodies = [open(f, "rb").read() for f in files]
    common = ["--model", args.model, "--backend", "onnxruntime", "--ort-lib", lib, "--threads", str(args.threads),
              "--pixel-spacing-mm", "1.0"]
    print(f"API load: {len(bodies)} scans 1024x768, {args.threads} threads, ONNX Runtime, loopback")

    port = free_port()
    server = start_server(armscan, common, port)
    rates = {}
    try:
        load(port, bodies[:10], 2)  # warm-up
        for clients in (1, 4, 16):
            wall, lat, retries = load(port, bodies, clients)
            rates[clients] = len(bodies) / wall
            print(f"  {clients:2d} clients: {rates[clients]:6.2f} req/s  p50 {e2e.pct(lat, 50):7.1f} ms  "
                  f"p95 {e2e.pct(lat, 95):7.1f} ms  (429 answered and retried: {retries})")
    finally:
        server.terminate()
        server.wait()

    # The CLI on the same files, same threads.
    t = time.perf_counter()
    subprocess.run([armscan, "scan"] + files + ["--jsonl"] + common, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    n_all = len(files)
    cli_rate = n_all / (time.perf_counter() - t)
    ratio = rates[4] / cli_rate
    print(f"  armscan scan on the same {n_all} files: {cli_rate:.2f} scans/s (process start and model load "
          f"included); API at 4 clients / CLI = {ratio:.3f}; target >= 0.90: {'met' if ratio >= 0.90 else 'NOT met'}")

    if args.memory:
        memory_run(armscan, common, args.memory)


def memory_run(armscan, common, requests):
    """RSS of a server after every 500 of `requests` small scans at 4 clients."""
    small = tiny_png()
    port = free_port()
    server = start_server(armscan, common, port)
    samples = []
    try:
        for k in range(0, requests, 500):
            load(port, [small] * 500, 4)
            samples.append((k + 500, rss_mb(server.pid)))
    finally:
        server.terminate()
        server.wait()
    base = samples[1][1] if len(samples) > 1 else samples[0][1]
    last = samples[-1][1]
    print("  memory (RSS MB after N small requests): " + ", ".join(f"{n}: {m:.1f}" for n, m in samples))
    growth = (last - base) / base
    print(f"  growth after warm-up {100 * growth:+.1f} %; target within 10 %: "
          f"{'met' if abs(growth) <= 0.10 else 'NOT met'}")


def tiny_png():
    """A 96x64 8-bit grey PNG with a dark block, written with the standard library."""
    import struct
    import zlib
    w, h = 96, 64
    rows = b"".join(b"\x00" + bytes(40 if 20 <= x < 50 and 10 <= y < 40 else 240 for x in range(w)) for y in range(h))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


if __name__ == "__main__":
    main()
