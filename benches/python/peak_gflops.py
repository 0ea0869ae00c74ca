"""Peak float32 throughput of this machine through ONNX Runtime: a 2048x2048x2048 MatMul (17.2 GFLOP) with the given
intra-op threads, best of several runs. Prints GFLOP/s as JSON. The end-to-end bench divides the detector's achieved
GFLOP/s by this.

Usage: python peak_gflops.py [--threads 2] [--size 2048] [--repeat 5]
"""
import argparse
import json
import os
import time

import numpy as np
import onnxruntime as ort


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--size", type=int, default=2048)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    so = ort.SessionOptions()
    so.intra_op_num_threads = args.threads
    so.inter_op_num_threads = 1
    model = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "gemm.onnx")
    sess = ort.InferenceSession(model, so, providers=["CPUExecutionProvider"])
    n = args.size
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    sess.run(["Y"], {"A": a, "B": b})   # warm-up
    best = float("inf")
    for _ in range(args.repeat):
        t = time.perf_counter()
        sess.run(["Y"], {"A": a, "B": b})
        best = min(best, time.perf_counter() - t)
    gflop = 2.0 * n ** 3 / 1e9
    print(json.dumps({"probe": f"MatMul {n}x{n}x{n}", "gflop": round(gflop, 2), "best_s": round(best, 4),
                      "gflops_per_s": round(gflop / best, 1), "threads": args.threads}))


if __name__ == "__main__":
    main()
