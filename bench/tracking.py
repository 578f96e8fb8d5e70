"""Benchmark: fitscope run tracking against MLflow and TensorBoard, in one run.

    .venv/bin/python bench/tracking.py [--calls N] [--series N] [--repeat R] [--quick]
                                       [--mlflow-calls N] [--postgres URL]
                                       [--out bench/results/tracking.json]

Measured (each in a fresh temporary folder):

* fitscope ``run.log({"loss": x, "accuracy": y})``: seconds per call on the training thread
  while the background writer runs (``--calls`` calls a round, median of ``--repeat`` rounds),
  and the sustained end-to-end rate: points logged / (logging time + finish()), i.e. until
  every point is committed to the SQLite file. An information row repeats this with numpy
  float32 values (the checked path).
* fitscope with ``--threads`` threads (default 8) logging into one run at once: wall time of
  all threads / all calls (the GIL runs one at a time, so this is the per-call cost including
  the lock log() takes), printed beside the single-thread cost; every point is checked stored
  with unique steps.
* MLflow ``MlflowClient.log_metric`` into its SQLite store (``sqlite:///mlflow.db``), one
  call per point, synchronous (the default): a small sample (``--mlflow-calls``, default
  300 points) because each call is a committed transaction of several milliseconds.
* TensorBoard ``torch.utils.tensorboard.SummaryWriter.add_scalar``: per call (it queues to a
  writer thread) and end-to-end including close() (everything on disk).
* Reading back one series of ``--series`` points (default 1,000,000): fitscope
  ``store.get_run(id).history("loss")`` from a freshly opened store; MLflow
  ``get_metric_history`` on a smaller series (10,000 points, written with log_batch, untimed)
  and TensorBoard's EventAccumulator on the add_scalar file, both reported per point and
  scaled to the series size (labelled as scaled: they are too slow to run at 1e6 here).

Targets (PASS/FAIL): log <= 5 us a call; >= 200,000 points/s sustained; >= 100x faster per
point than MLflow log_metric; faster than TensorBoard add_scalar; reading 1e6 points <= 0.5 s.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import logging
import os
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

import fitscope
from _common import ROOT, fmt_seconds, machine_info, print_machine, table, version, write_json


@contextlib.contextmanager
def scratch() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="fitscope-bench-") as folder:
        yield Path(folder)


def median(xs: list[float]) -> float:
    return statistics.median(xs)


# -- fitscope ------------------------------------------------------------------------------


def fitscope_log(
    calls: int, *, numpy_values: bool = False, url: str | None = None
) -> dict[str, float]:
    """One round: log ``calls`` steps of two metrics, then finish(); seconds of each part."""
    with scratch() as folder:
        store = fitscope.Store(url or folder / "runs.db")
        run = fitscope.init(project="bench", store=store)
        loss = np.linspace(2.0, 0.1, calls)
        acc = np.linspace(0.3, 0.99, calls)
        if numpy_values:
            xs: Any = loss.astype(np.float32)
            ys: Any = acc.astype(np.float32)
        else:
            xs, ys = loss.tolist(), acc.tolist()
        log = run.log
        gc.collect()
        t0 = time.perf_counter()
        for x, y in zip(xs, ys, strict=True):
            log({"loss": x, "accuracy": y})
        t1 = time.perf_counter()
        run.finish()
        t2 = time.perf_counter()
        n = len(store.get_run(run.id).history("loss"))
        assert n == calls, (n, calls)  # every point is in the store
        store.close()
    return {"log": t1 - t0, "finish": t2 - t1}


def fitscope_log_threads(calls: int, threads: int) -> float:
    """Wall seconds for ``threads`` threads to log ``calls`` steps each into one run (2 metrics,
    automatic steps); every point is checked to be stored with unique steps."""
    import threading

    with scratch() as folder:
        store = fitscope.Store(folder / "runs.db")
        run = fitscope.init(project="bench-threads", store=store)
        xs = np.linspace(2.0, 0.1, calls).tolist()
        barrier = threading.Barrier(threads + 1)

        def work() -> None:
            log = run.log
            barrier.wait()
            for x in xs:
                log({"loss": x, "accuracy": x})

        pool = [threading.Thread(target=work) for _ in range(threads)]
        for t in pool:
            t.start()
        gc.collect()
        barrier.wait()
        t0 = time.perf_counter()
        for t in pool:
            t.join()
        seconds = time.perf_counter() - t0
        run.finish()
        history = store.get_run(run.id).history("loss")
        assert len(history) == calls * threads  # every point is in the store
        assert np.unique(history.steps).size == calls * threads  # steps are unique
        store.close()
    return seconds


def fitscope_read(points: int, repeat: int, url: str | None = None) -> tuple[list[float], float]:
    """Read times of one ``points``-long series from a freshly opened store, and the write
    time of the series (logged through run.log, one metric a call)."""
    with scratch() as folder:
        target = url or str(folder / "runs.db")
        store = fitscope.Store(target)
        run = fitscope.init(project="bench-read", store=store)
        t0 = time.perf_counter()
        for v in np.linspace(1.0, 0.0, points).tolist():
            run.log({"loss": v})
        run.finish()
        write = time.perf_counter() - t0
        store.close()
        times = []
        for _ in range(repeat):
            fresh = fitscope.Store(target)
            gc.collect()
            t0 = time.perf_counter()
            history = fresh.get_run(run.id).history("loss")
            times.append(time.perf_counter() - t0)
            assert len(history) == points and history.steps[-1] == points - 1
            fresh.close()
    return times, write


# -- MLflow --------------------------------------------------------------------------------


def mlflow_client(folder: Path) -> tuple[Any, str]:
    from mlflow.tracking import MlflowClient

    logging.getLogger("mlflow").setLevel(logging.ERROR)
    logging.getLogger("alembic").setLevel(logging.ERROR)
    uri = f"sqlite:///{folder / 'mlflow.db'}"
    client = MlflowClient(tracking_uri=uri)
    experiment = client.create_experiment("bench", artifact_location=str(folder / "artifacts"))
    run = client.create_run(experiment)
    return client, run.info.run_id


def mlflow_log_metric(points: int) -> float:
    """Seconds per point of MlflowClient.log_metric (one call per point, two keys a step)."""
    with scratch() as folder:
        client, run_id = mlflow_client(folder)
        client.log_metric(run_id, "warmup", 0.0, step=0)
        t0 = time.perf_counter()
        for step in range(points // 2):
            client.log_metric(run_id, "loss", 1.0 / (step + 1), step=step)
            client.log_metric(run_id, "accuracy", 0.5, step=step)
        seconds = time.perf_counter() - t0
        assert len(client.get_metric_history(run_id, "loss")) == points // 2
    return seconds / (2 * (points // 2))


def mlflow_read(points: int) -> float:
    """Seconds per point of get_metric_history on a ``points``-long series."""
    from mlflow.entities import Metric

    with scratch() as folder:
        client, run_id = mlflow_client(folder)
        now = int(time.time() * 1000)
        for start in range(0, points, 1000):
            batch = [Metric("loss", 1.0 / (s + 1), now, s) for s in range(start, start + 1000)]
            client.log_batch(run_id, metrics=batch)
        t0 = time.perf_counter()
        history = client.get_metric_history(run_id, "loss")
        seconds = time.perf_counter() - t0
        assert len(history) == points
    return seconds / points


# -- TensorBoard ---------------------------------------------------------------------------


def tensorboard_add_scalar(calls: int) -> dict[str, float]:
    """One round of add_scalar for two tags a step, then close(); and reading it back."""
    from torch.utils.tensorboard import SummaryWriter

    with scratch() as folder:
        writer = SummaryWriter(log_dir=str(folder))
        loss = np.linspace(2.0, 0.1, calls).tolist()
        acc = np.linspace(0.3, 0.99, calls).tolist()
        add = writer.add_scalar
        gc.collect()
        t0 = time.perf_counter()
        for step, (x, y) in enumerate(zip(loss, acc, strict=True)):
            add("loss", x, step)
            add("accuracy", y, step)
        t1 = time.perf_counter()
        writer.close()
        t2 = time.perf_counter()
        from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

        t3 = time.perf_counter()
        acc_reader = EventAccumulator(str(folder), size_guidance={"scalars": 0})
        acc_reader.Reload()
        events = acc_reader.Scalars("loss")
        t4 = time.perf_counter()
        assert len(events) == calls
    return {"add": t1 - t0, "close": t2 - t1, "read": t4 - t3}


# -- the run -------------------------------------------------------------------------------


def status(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=200_000, help="log calls a round")
    parser.add_argument("--series", type=int, default=1_000_000, help="points read back")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--threads", type=int, default=8, help="threads sharing one run")
    parser.add_argument("--tb-calls", type=int, default=50_000, help="TensorBoard steps a round")
    parser.add_argument("--mlflow-calls", type=int, default=300, help="MLflow points logged")
    parser.add_argument("--mlflow-read", type=int, default=10_000, help="MLflow series read")
    parser.add_argument("--postgres", default=os.environ.get("FITSCOPE_BENCH_POSTGRES_URL"))
    parser.add_argument("--quick", action="store_true", help="small sizes, 3 rounds")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "tracking.json")
    args = parser.parse_args(argv)
    if args.quick:
        args.calls, args.series, args.repeat, args.tb_calls = 20_000, 100_000, 3, 10_000
        args.mlflow_calls, args.mlflow_read = 100, 2_000
    warnings.filterwarnings("ignore")

    info = machine_info()
    info["versions"].update({m: version(m) for m in ("mlflow", "tensorboard", "sqlalchemy")})
    print_machine(info)
    print(f"peers   : mlflow {version('mlflow')}, tensorboard {version('tensorboard')}")
    print(
        f"sizes   : {args.calls:,} log calls (2 metrics) x {args.repeat} rounds; "
        f"read {args.series:,} points; MLflow sample {args.mlflow_calls} points; "
        f"TensorBoard {args.tb_calls:,} steps a round\n"
    )

    # Warm-up (imports, first SQLite file) then interleaved rounds of fitscope and TensorBoard.
    fitscope_log(1000)
    tensorboard_add_scalar(1000)
    fs: list[dict[str, float]] = []
    fs_np: list[dict[str, float]] = []
    fs_threads: list[float] = []
    tb: list[dict[str, float]] = []
    for _ in range(args.repeat):
        fs.append(fitscope_log(args.calls))
        fs_np.append(fitscope_log(args.calls, numpy_values=True))
        fs_threads.append(fitscope_log_threads(args.calls // args.threads, args.threads))
        tb.append(tensorboard_add_scalar(args.tb_calls))
    points = 2 * args.calls
    log_call = median([r["log"] for r in fs]) / args.calls
    end_to_end = median([r["log"] + r["finish"] for r in fs])
    fs_point = end_to_end / points
    fs_thread_point = log_call / 2
    np_call = median([r["log"] for r in fs_np]) / args.calls
    thread_calls = (args.calls // args.threads) * args.threads
    threaded_call = median(fs_threads) / thread_calls
    tb_point = median([r["add"] for r in tb]) / (2 * args.tb_calls)
    tb_e2e_point = median([r["add"] + r["close"] for r in tb]) / (2 * args.tb_calls)
    tb_read_point = median([r["read"] for r in tb]) / args.tb_calls

    # MLflow is a peer, not a dependency: without it its rows say so and the rest still runs.
    have_mlflow = version("mlflow") is not None
    if have_mlflow:
        ml_point = median([mlflow_log_metric(args.mlflow_calls) for _ in range(3)])
        ml_read_point = mlflow_read(args.mlflow_read)
    else:
        print("MLflow is not installed: its rows are left out (pip install mlflow)\n")
        ml_point = ml_read_point = float("nan")

    read_times, read_write = fitscope_read(args.series, args.repeat)
    read = median(read_times)

    pg: dict[str, Any] | None = None
    if args.postgres:
        pg_rounds = [fitscope_log(args.calls, url=args.postgres) for _ in range(args.repeat)]
        pg_reads, _ = fitscope_read(args.series, args.repeat, url=args.postgres)
        pg = {
            "log_call_s": median([r["log"] for r in pg_rounds]) / args.calls,
            "points_per_s": points / median([r["log"] + r["finish"] for r in pg_rounds]),
            "read_s": median(pg_reads),
        }

    rows = [
        [
            "run.log, 2 metrics, training thread",
            fmt_seconds(log_call) + " a call",
            "<= 5 us",
            status(log_call <= 5e-6),
        ],
        ["run.log, numpy float32 values (info)", fmt_seconds(np_call) + " a call", "-", "-"],
        [
            f"run.log, {args.threads} threads sharing one run",
            fmt_seconds(threaded_call) + f" a call ({threaded_call / log_call:.2f}x one thread)",
            "-",
            "-",
        ],
        [
            "sustained, log + finish, points/s",
            f"{points / end_to_end:,.0f}",
            ">= 200,000",
            status(points / end_to_end >= 200_000),
        ],
        [
            f"read {args.series:,}-point series",
            fmt_seconds(read),
            "<= 0.5 s" if args.series >= 1_000_000 else "(quick size)",
            status(read <= 0.5 * args.series / 1e6),
        ],
    ]
    print(table(["fitscope", "measured", "target", ""], rows))
    print()
    peer_rows = [
        ["fitscope run.log (end to end, durable)", fmt_seconds(fs_point), "1", ""],
        ["fitscope run.log (training thread)", fmt_seconds(fs_thread_point), "", ""],
        [
            f"MLflow log_metric, SQLite ({args.mlflow_calls} points)",
            fmt_seconds(ml_point),
            f"{ml_point / fs_point:,.0f}x slower",
            status(ml_point / fs_point >= 100) + " (>=100x)",
        ],
        [
            f"TensorBoard add_scalar, queued ({2 * args.tb_calls:,} points)",
            fmt_seconds(tb_point),
            f"{tb_point / fs_thread_point:,.1f}x slower (vs thread)",
            status(tb_point > fs_thread_point),
        ],
        [
            "TensorBoard add_scalar + close()",
            fmt_seconds(tb_e2e_point),
            f"{tb_e2e_point / fs_point:,.1f}x slower (vs end to end)",
            status(tb_e2e_point > fs_point),
        ],
    ]
    print(table(["per logged point", "seconds", "ratio", ""], peer_rows))
    print()
    scaled = args.series
    read_rows = [
        [f"fitscope history(), {scaled:,} points", fmt_seconds(read), "1"],
        [
            f"MLflow get_metric_history ({args.mlflow_read:,} points, scaled)",
            fmt_seconds(ml_read_point * scaled),
            f"{ml_read_point * scaled / read:,.0f}x slower",
        ],
        [
            f"TensorBoard EventAccumulator ({args.tb_calls:,} points, scaled)",
            fmt_seconds(tb_read_point * scaled),
            f"{tb_read_point * scaled / read:,.0f}x slower",
        ],
    ]
    print(table([f"read back {scaled:,} points", "seconds", "ratio"], read_rows))
    if pg is not None:
        print(
            f"\nPostgreSQL (info): log {fmt_seconds(pg['log_call_s'])} a call, "
            f"{pg['points_per_s']:,.0f} points/s end to end, read {fmt_seconds(pg['read_s'])}"
        )
    print(f"\n(writing the {scaled:,}-point series through run.log took {read_write:.2f} s)")

    write_json(
        args.out,
        {
            "machine": info,
            "args": {
                k: (str(v) if isinstance(v, Path) else v)
                for k, v in vars(args).items()
                if k != "postgres"
            },
            "fitscope": {
                "log_call_s": log_call,
                "log_call_numpy_float32_s": np_call,
                "log_call_threads_s": threaded_call,
                "threads": args.threads,
                "point_end_to_end_s": fs_point,
                "points_per_s": points / end_to_end,
                "rounds": fs,
                "read_s": read,
                "read_times_s": read_times,
            },
            "mlflow": {"log_metric_point_s": ml_point, "read_point_s": ml_read_point},
            "tensorboard": {
                "add_scalar_point_s": tb_point,
                "add_scalar_close_point_s": tb_e2e_point,
                "read_point_s": tb_read_point,
                "rounds": tb,
            },
            "postgres": pg,
            "ratios": {
                "mlflow_over_fitscope": ml_point / fs_point,
                "tensorboard_over_fitscope_thread": tb_point / fs_thread_point,
                "tensorboard_end_to_end_over_fitscope": tb_e2e_point / fs_point,
            },
        },
    )
    print(f"wrote {args.out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
