"""How long `fitscope compare` takes: two runs with 1e6-sample validation snapshots, the five
default classification metrics (accuracy, log_loss, f1, roc_auc, brier_score), 1,000 paired
bootstrap resamples. Target (issue 18): under 5 s on the project's 2-core machines.

Cases, in one run, median of --repeat:
- ``fitscope.compare``: read both snapshots from a real SQLite store, pair them by id, all five
  metrics (McNemar + DeLong + three paired bootstraps sharing one set of resamples).
- ``stats only``: the same on snapshots already in memory.
- peer ``index bootstrap``: the textbook loop, one ``rng.integers(0, n, n)`` index array per
  resample, each metric recomputed from the resampled arrays (log loss, brier, accuracy, f1
  in numpy). It is run with --peer-resamples resamples and scaled to 1,000 (printed as such).

    python bench/compare.py                      # n = 1e6, 1,000 resamples
    python bench/compare.py --n 100000 --repeat 3
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

import fitscope
from fitscope.stats.compare import compare_snapshots, latest_snapshot

CPU: list[float] = []


def timed(fn: Any, repeat: int) -> tuple[float, Any]:
    """Median wall seconds of ``repeat`` calls after a warm-up; the median process CPU
    seconds go to CPU (on a shared, loaded machine the wall time waits for a core)."""
    out = fn()  # warm-up
    times, cpu = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    CPU.append(statistics.median(cpu))
    return statistics.median(times), out


def index_bootstrap(y: np.ndarray, pa: np.ndarray, pb: np.ndarray, resamples: int) -> None:
    rng = np.random.default_rng(0)
    n = y.size
    for _ in range(resamples):
        i = rng.integers(0, n, n)
        yy, a, b = y[i], pa[i], pb[i]
        for p in (a, b):
            pt = np.clip(np.where(yy == 1, p, 1 - p), 1e-15, 1 - 1e-15)
            _ = -np.log(pt).mean(), ((p - yy) ** 2).mean()
            pred = p >= 0.5
            _ = (pred == yy).mean()
            tp = np.count_nonzero(pred & (yy == 1))
            _ = (
                2
                * tp
                / (
                    2 * tp
                    + np.count_nonzero(pred & (yy == 0))
                    + np.count_nonzero(~pred & (yy == 1))
                )
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--peer-resamples", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    n = args.n
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, n)
    pa = 1 / (1 + np.exp(-(3 * (y - 0.5) + rng.normal(0, 2.0, n))))
    pb = 1 / (1 + np.exp(-(3 * (y - 0.5) + rng.normal(0, 1.9, n))))
    ids = np.arange(n)
    with tempfile.TemporaryDirectory() as tmp:
        store = fitscope.Store(Path(tmp) / "runs.db")
        t = time.perf_counter()
        for name, p in (("a", pa), ("b", pb)):
            with fitscope.init(name=name, store=store) as run:
                run.log_predictions(y, p, split="val", ids=ids)
        write = time.perf_counter() - t
        full, pairs = timed(
            lambda: fitscope.compare("a", "b", store=store, n_resamples=args.resamples),
            args.repeat,
        )
        sa = latest_snapshot(store.get_run("a"), "val")
        sb = latest_snapshot(store.get_run("b"), "val")
        assert sa is not None and sb is not None
        stats_only, _ = timed(
            lambda: compare_snapshots(sa, sb, n_resamples=args.resamples), args.repeat
        )
        store.close()
    t = time.perf_counter()
    index_bootstrap(y, pa, pb, args.peer_resamples)
    peer = (time.perf_counter() - t) * args.resamples / args.peer_resamples
    pair = pairs[0]
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, {platform.python_version()}")
    print(f"n = {n:,} samples a run, {args.resamples:,} resamples, paired={pair['paired']}")
    print(f"(writing the two snapshots to the store: {write:.2f} s, not counted)")
    for r in pair["metrics"]:
        print(f"  {r['metric']:<12} {r['difference']:+.5f} [{r['ci_low']:+.5f}, "
              f"{r['ci_high']:+.5f}] p={r['p_value']:.4f} {r['test']}")  # fmt: skip
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average (1 min) at the end: {load:.1f} on {os.cpu_count()} CPUs")
    print(f"fitscope.compare (store read + 5 metrics): {full:6.2f} s wall, {CPU[0]:5.2f} s CPU  "
          f"target < 5 s: {'PASS' if full < 5 else 'FAIL'}")  # fmt: skip
    print(
        f"stats only (snapshots in memory):         {stats_only:6.2f} s wall, {CPU[1]:5.2f} s CPU"
    )
    print(f"peer: index bootstrap, 4 metrics, scaled: {peer:6.2f} s  "
          f"({peer / stats_only:.0f}x the stats-only time)")  # fmt: skip


if __name__ == "__main__":
    main()
