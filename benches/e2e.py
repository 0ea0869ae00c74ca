"""End-to-end throughput benchmark (issue #5): `armscan scan` against the reference Python pipeline, in ONE run.

Both get the same model, the same scans, the same thread budget and ONNX Runtime. Prints scans/s for each, their ratio,
p50 and p95 latency per scan, peak memory (max RSS of the process, by /usr/bin/time), and the share of wall time spent
outside inference where it can be measured.

Usage (from the repository root, after `cargo build --release -p armscan-cli`):
  python3 benches/e2e.py [--scans DIR | --n 300] [--model models/armscan-threat-v12/armscan-threat-v12.manifest.json] [--threads 2]
                         [--pixel-spacing-mm MM] [--repeat 1] [--spacing-unknown]
Without --scans it generates N grey 1024x768 parcel scans with `armscan synth` (seed 77) into target/bench-scans.
It creates benches/python/.venv (pip install -r benches/python/requirements.txt) when that is missing; ONNX Runtime for
armscan is the same wheel's libonnxruntime.so.
"""
import argparse
import glob
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(ROOT, "benches", "python", ".venv")


def free_port():
    """A free TCP port on loopback (for the servers the benches start)."""
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def ensure_venv():
    py = os.path.join(VENV, "bin", "python")
    if not os.path.exists(py):
        sh([sys.executable, "-m", "venv", VENV])
        sh([py, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r",
            os.path.join(ROOT, "benches", "python", "requirements.txt")])
    return py


def ort_lib(py):
    out = subprocess.run([py, "-c", "import onnxruntime, os; print(os.path.dirname(onnxruntime.__file__))"],
                         check=True, capture_output=True, text=True).stdout.strip()
    libs = sorted(glob.glob(os.path.join(out, "capi", "libonnxruntime.so*")))
    if not libs:
        sys.exit(f"no libonnxruntime.so under {out}/capi")
    return libs[0]


def timed(cmd, stdout_path):
    """Runs cmd under /usr/bin/time; returns (wall_s, max_rss_mb, stderr)."""
    with open(stdout_path, "w") as out:
        t = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-f", "MAXRSS_KB %M"] + cmd, stdout=out, stderr=subprocess.PIPE, text=True)
        wall = time.perf_counter() - t
    rss = [l for l in p.stderr.splitlines() if l.startswith("MAXRSS_KB")]
    if p.returncode not in (0, 1):   # armscan exits 1 when something alarms
        sys.exit(f"{cmd[0]} failed ({p.returncode}):\n{p.stderr[-2000:]}")
    return wall, (int(rss[-1].split()[1]) / 1024.0 if rss else float("nan")), p.stderr


def generate(armscan, n, seed, out):
    if len(glob.glob(os.path.join(out, "images", "*_grey.png"))) != n:
        sh([armscan, "synth", "--n", str(n), "--seed", str(seed), "--width", "1024", "--height", "768",
            "--planes", "grey", "--out", out], stderr=subprocess.DEVNULL)
    return os.path.join(out, "images")


def pct(values, q):
    v = sorted(values)
    return v[min(len(v) - 1, max(0, int(round(q / 100.0 * (len(v) - 1)))))] if v else float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scans", default="")
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--model", default=os.path.join(ROOT, "models", "armscan-threat-v12", "armscan-threat-v12.manifest.json"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--pixel-spacing-mm", type=float, default=None)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--gflop-per-frame", type=float, default=0.719,
                    help="the model's FLOPs per 320x320 frame (export.py prints it; 0.719 for v1 and v2)")
    ap.add_argument("--tract-scaling", type=int, default=0, metavar="N",
                    help="also time armscan with tract on the first N scans at 1 and at --threads threads")
    ap.add_argument("--spacing-unknown", action="store_true",
                    help="also time armscan with the spacing withheld: --unknown-spacing estimate (the default), then "
                         "search (two views, then one), as ratios to this run's spacing-known armscan rate")
    ap.add_argument("--memory", type=int, default=0, metavar="N",
                    help="also run armscan on N generated scans (seed 78) and print its peak RSS")
    args = ap.parse_args()
    armscan = os.path.join(ROOT, "target", "release", "armscan")
    if not os.path.exists(armscan):
        sys.exit("build first: cargo build --release -p armscan-cli")
    scans = args.scans
    if not scans:
        scans = generate(armscan, args.n, 77, os.path.join(ROOT, "target", "bench-scans"))
    py = ensure_venv()
    lib = ort_lib(py)
    n_files = sum(1 for f in os.listdir(scans) if os.path.splitext(f)[1].lower() in {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp"})
    spacing = ["--pixel-spacing-mm", str(args.pixel_spacing_mm)] if args.pixel_spacing_mm else []
    rows = []
    for rep in range(args.repeat):
        # armscan
        out = os.path.join(ROOT, "target", "bench-armscan.jsonl")
        wall, rss, _ = timed([armscan, "scan", scans, "--model", args.model, "--backend", "onnxruntime", "--ort-lib", lib,
                              "--threads", str(args.threads), "--jsonl"] + spacing, out)
        recs = [json.loads(l) for l in open(out) if l.strip()]
        errors = [r for r in recs if r.get("status") == "error"]
        if errors:
            sys.exit(f"armscan reported {len(errors)} errors, e.g. {errors[0]}")
        lat = [r["elapsed_ms"] for r in recs]
        rows.append(("armscan (Rust, onnxruntime)", len(recs), wall, lat, rss))
        # python reference
        out_py = os.path.join(ROOT, "target", "bench-python.json")
        wall_p, rss_p, _ = timed([py, os.path.join(ROOT, "benches", "python", "reference_pipeline.py"), scans,
                                  "--model", args.model, "--threads", str(args.threads)]
                                 + (["--pixel-spacing-mm", str(args.pixel_spacing_mm)] if args.pixel_spacing_mm else []),
                                 out_py)
        res = json.loads(open(out_py).read().strip().splitlines()[-1])
        rows.append(("python (Pillow, numpy, onnxruntime)", res["scans"], wall_p, None, rss_p, res))
    print(f"# end-to-end, {n_files} scans from {scans}, model {os.path.relpath(args.model, ROOT)}, "
          f"{args.threads} threads, ONNX Runtime {os.path.basename(lib)}")
    print(f"{'pipeline':38} {'scans':>6} {'wall s':>8} {'scans/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'peak MB':>8}")
    rust_rates, py_rates = [], []
    for row in rows:
        name, n, wall, lat, rss = row[:5]
        if lat is None:
            res = row[5]
            p50, p95 = res["p50_ms"], res["p95_ms"]
            py_rates.append(n / wall)
        else:
            p50, p95 = pct(lat, 50), pct(lat, 95)
            rust_rates.append(n / wall)
        print(f"{name:38} {n:6d} {wall:8.2f} {n / wall:8.2f} {p50:8.1f} {p95:8.1f} {rss:8.1f}")
    ratio = statistics.median(rust_rates) / statistics.median(py_rates)
    print(f"ratio armscan / python (scans per second, median of {args.repeat}): {ratio:.2f}x")
    res = rows[-1][5]
    frames_per_scan = res["frames"] / max(1, res["scans"])
    print(f"python pre+post-processing share of its wall time: {100 * res['share_pre_post']:.0f}% "
          f"({frames_per_scan:.2f} frames per scan)")
    peak = json.loads(subprocess.run([py, os.path.join(ROOT, "benches", "python", "peak_gflops.py"), "--threads",
                                      str(args.threads)], check=True, capture_output=True, text=True).stdout)
    achieved = statistics.median(rust_rates) * frames_per_scan * args.gflop_per_frame
    print(f"compute: {args.gflop_per_frame} GFLOP per frame; armscan achieves {achieved:.1f} GFLOP/s end to end; "
          f"peak through ONNX Runtime ({peak['probe']}, {args.threads} threads) {peak['gflops_per_s']} GFLOP/s; "
          f"fraction {achieved / peak['gflops_per_s']:.2f}")
    if args.spacing_unknown:
        base = statistics.median(rust_rates)
        for label, extra in [("estimate, two views", ["--unknown-spacing", "estimate"]),
                             ("search, two views", ["--unknown-spacing", "search"]),
                             ("search, one view", ["--unknown-spacing", "search", "--single-view"])]:
            out = os.path.join(ROOT, "target", "bench-search.jsonl")
            w, r, _ = timed([armscan, "scan", scans, "--model", args.model, "--backend", "onnxruntime", "--ort-lib",
                             lib, "--threads", str(args.threads), "--jsonl"] + extra, out)
            recs = [json.loads(l) for l in open(out) if l.strip()]
            rate = len(recs) / w
            print(f"spacing unknown, {label}: {rate:.2f} scans/s ({rate / base:.2f}x the "
                  f"spacing-known armscan rate above), peak {r:.0f} MB")
    if args.tract_scaling:
        sub = os.path.join(ROOT, "target", "bench-scans-tract")
        os.makedirs(sub, exist_ok=True)
        for f in sorted(os.listdir(scans))[:args.tract_scaling]:
            dst = os.path.join(sub, f)
            if not os.path.exists(dst):
                os.symlink(os.path.join(os.path.abspath(scans), f), dst)
        rates = {}
        for t in (1, args.threads):
            w, r, _ = timed([armscan, "scan", sub, "--model", args.model, "--backend", "tract", "--threads", str(t),
                             "--jsonl"] + spacing, os.path.join(ROOT, "target", f"bench-tract-{t}.jsonl"))
            rates[t] = args.tract_scaling / w
            print(f"tract, {t} thread(s): {args.tract_scaling} scans in {w:.2f} s = {rates[t]:.2f} scans/s, peak {r:.0f} MB")
        print(f"tract scaling {args.threads} threads / 1 thread: {rates[args.threads] / rates[1]:.2f}x")
    if args.memory:
        big = generate(armscan, args.memory, 78, os.path.join(ROOT, "target", f"bench-scans-{args.memory}"))
        w, r, _ = timed([armscan, "scan", big, "--model", args.model, "--backend", "onnxruntime", "--ort-lib", lib,
                         "--threads", str(args.threads), "--jsonl"] + spacing,
                        os.path.join(ROOT, "target", "bench-memory.jsonl"))
        print(f"memory: armscan on {args.memory} scans: peak {r:.0f} MB ({rows[0][4]:.0f} MB on {rows[0][1]}), "
              f"{args.memory / w:.2f} scans/s")
    print("(wall = the whole process: start, model load, every scan; Python p50/p95 = decode to boxes per scan, "
          "armscan p50/p95 = its per-scan elapsed_ms, decode to verdict, with two scans in flight)")


if __name__ == "__main__":
    main()
