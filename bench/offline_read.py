"""Benchmark: reading a run back from its spool alone (offline mode: ``run.summary``, resume).

    .venv/bin/python bench/offline_read.py [--points N] [--batches B ...] [--repeat R]

An offline client (``RemoteStore(..., offline=True)``) spools a run of ``--points`` points of
one series, written in each of ``--batches`` batches (a writer flush is one batch, every
0.2 s while the run logs: 50 batches is 10 s of training), plus a summary and a prediction
snapshot; then :func:`fitscope.track._offline.read_spooled` (an in-memory store, every batch
applied through the server's ingest, the run read back) is timed, median of ``--repeat``.

Target (PASS/FAIL): under 0.5 s per read for 10,000 points in 50 batches.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from fitscope.track._offline import read_spooled
from fitscope.track.remote import RemoteStore

TARGET = 0.5


def _spool(directory: Path, points: int, batches: int) -> str:
    store = RemoteStore("http://127.0.0.1:9", token="t", spool=directory, offline=True)
    run_id = "b" * 32
    start = time.time()
    store.create_run(
        run_id, project="p", name="n", config={"lr": 0.1}, tags=["t"], start_time=start
    )
    for part in np.array_split(np.arange(points, dtype=np.int64), batches):
        values = 1.0 / (part + 1.0)
        times = start + part * 0.01
        store.write(run_id, [("train", "loss", part, values, times)], heartbeat=time.time())
    store.set_user_summary(run_id, {"best": 0.9})
    store.write(run_id, [], status="finished", end_time=time.time(), heartbeat=time.time())
    store.close()
    return run_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--points", type=int, default=10_000)
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 50, 1000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    failed = False
    for batches in args.batches:
        with tempfile.TemporaryDirectory() as tmp:
            run_id = _spool(Path(tmp), args.points, batches)
            read = read_spooled(Path(tmp), run_id)  # warm-up (and a check)
            assert read is not None and read[0].history("loss", "train").steps.size == args.points
            seconds = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                read_spooled(Path(tmp), run_id)
                seconds.append(time.perf_counter() - t0)
        median = statistics.median(seconds)
        verdict = ""
        if batches <= 50 and args.points <= 10_000:
            verdict = "PASS" if median < TARGET else "FAIL"
            failed |= median >= TARGET
        print(f"{args.points} points in {batches:>5} batches: {median * 1000:8.1f} ms {verdict}")
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
