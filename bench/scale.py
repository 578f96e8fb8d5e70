"""Benchmark: evaluating a large Parquet file of binary predictions, side by side in one run.

    .venv/bin/python bench/scale.py [--large] [--rows N] [--repeat N] [--sklearn]
                                    [--data DIR] [--out bench/results/scale.json]

Data: ``--rows`` rows (default 1e7; ``--large``: 1e8) of y (int64 0/1) and p (float64
probability of class 1), written once to DIR (default bench/results/data/, ignored by git) as
Parquet with snappy compression and row groups of 1Mi rows, and reused by later runs.

One run measures, on that file, metrics accuracy + log_loss:

* pyarrow read: ``pq.read_table(columns=["y", "p"])`` (all of pyarrow's threads), the rate any
  reader of these columns is bounded by;
* pyarrow stream: ``ParquetFile.iter_batches`` with the settings fitscope reads with;
* fitscope stream: ``fitscope.scale.evaluate_file`` in this process (bounded memory), and the
  same with one thread (no pyarrow threads, no read-ahead), which is what one Dask worker runs;
* Dask, 1 and 2 workers: ``evaluate_dask`` on a LocalCluster of single-threaded worker
  processes (cluster start-up not timed; the cluster is started before and reused);
* in memory, for reference, on arrays loaded before timing: ``fitscope.evaluate`` and
  scikit-learn (accuracy_score on p >= 0.5, plus log_loss); scikit-learn runs up to 3e7 rows
  unless ``--sklearn`` (it holds several copies of the data).

Cases run interleaved, ``--repeat`` rounds after a warm-up (default 3; 1 with --large), median
reported. Correctness guard: every result equals fitscope.evaluate on the loaded arrays (rel
1e-12) and scikit-learn (rel 1e-9). Targets (PASS/FAIL): fitscope stream >= 0.5x pyarrow read;
Dask 2 workers >= 1.6x Dask 1 worker. The CPU seconds the Dask workers used are printed too: when
2 workers use about the CPU time 1 worker uses, the work splits without duplication and the wall
time ratio is limited by free cores. The machine's other load (cores busy with other
processes during the run) is printed, because on a shared machine it decides the ratios.
"""

from __future__ import annotations

import argparse
import logging
import math
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

import fitscope
from _common import (
    ROOT,
    Run,
    cpu_snapshot,
    fmt_rate,
    fmt_seconds,
    fmt_size,
    load_average,
    machine_info,
    measure,
    other_load,
    print_machine,
    table,
    write_json,
)

METRICS = ("accuracy", "log_loss")
BLOCK = 1_000_000


def make_file(path: Path, rows: int, seed: int) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    tmp = path.with_suffix(".tmp")
    schema = pa.schema([("y", pa.int64()), ("p", pa.float64())])
    with pq.ParquetWriter(tmp, schema, compression="snappy") as writer:
        for start in range(0, rows, BLOCK):
            n = min(BLOCK, rows - start)
            y = (rng.random(n) < 0.3).astype(np.int64)
            p = np.clip(rng.beta(2, 5, n) + 0.35 * y, 0.0, 1.0)
            writer.write_table(pa.table({"y": y, "p": p}, schema=schema), row_group_size=1 << 20)
    tmp.rename(path)


def check(name: str, got: dict[str, float], want: dict[str, float], rel: float) -> None:
    for key, value in want.items():
        if not math.isclose(got[key], value, rel_tol=rel, abs_tol=0.0):
            raise AssertionError(f"{name}: {key} = {got[key]!r}, expected {value!r}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--large", action="store_true", help="1e8 rows instead of 1e7")
    ap.add_argument("--rows", type=float, default=None)
    ap.add_argument("--repeat", type=int, default=None)
    ap.add_argument("--sklearn", action="store_true", help="scikit-learn at any size")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--data", type=Path, default=ROOT / "bench" / "results" / "data")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "scale.json")
    args = ap.parse_args()

    import distributed
    import pyarrow.parquet as pq

    from fitscope.scale import evaluate_dask, evaluate_file
    from fitscope.scale._sources import CHUNK_ROWS, PARQUET_BUFFER_BYTES, plan
    from fitscope.scale._stream import Columns, Options, evaluate_pieces

    logging.getLogger("distributed").setLevel(logging.WARNING)
    rows = int(args.rows) if args.rows else (100_000_000 if args.large else 10_000_000)
    repeat = args.repeat or (1 if rows >= 50_000_000 else 3)
    info = machine_info()
    print_machine(info)
    path = args.data / f"binary_{fmt_size(rows)}_seed{args.seed}.parquet"
    args.data.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        t0 = time.perf_counter()
        make_file(path, rows, args.seed)
        print(f"wrote {path} in {time.perf_counter() - t0:.1f} s")
    size_mb = path.stat().st_size / 2**20
    print(f"data    : {path} ({fmt_size(rows)} rows, {size_mb:,.0f} MiB on disk)")

    whole = pq.read_table(path, columns=["y", "p"])
    y, p = whole.column("y").to_numpy(), whole.column("p").to_numpy()
    del whole
    reference = fitscope.evaluate(y, p, metrics=METRICS)
    run_sklearn = args.sklearn or rows <= 30_000_000
    if run_sklearn:
        from sklearn.metrics import accuracy_score, log_loss

        sk = {"accuracy": accuracy_score(y, p >= 0.5), "log_loss": log_loss(y, p)}
        check("scikit-learn", reference, sk, 1e-9)

    clusters = {
        k: distributed.LocalCluster(
            n_workers=k, threads_per_worker=1, processes=True, dashboard_address=":0"
        )
        for k in (1, 2)
    }
    clients = {k: distributed.Client(c) for k, c in clusters.items()}

    def stream() -> Run:
        return Run(evaluate_file(path, label="y", pred="p", metrics=METRICS).metrics)

    def stream_one_thread() -> Run:
        # What one Dask worker runs: no pyarrow threads, no read-ahead thread.
        opts = Options(metrics=METRICS, use_threads=False, prefetch=0)
        partial = evaluate_pieces(plan([path]), Columns.make("y", "p", None, None), opts)
        return Run(partial.states[None].compute())

    worker_cpu: dict[int, list[float]] = {1: [], 2: []}

    def dask(k: int) -> Callable[[], Run]:
        def case() -> Run:
            before = sum(clients[k].run(time.process_time).values())
            res = evaluate_dask(path, label="y", pred="p", metrics=METRICS, scheduler=clients[k])
            worker_cpu[k].append(sum(clients[k].run(time.process_time).values()) - before)
            return Run(res.metrics)

        return case

    def read() -> Run:
        return Run({"rows": pq.read_table(path, columns=["y", "p"]).num_rows})

    def iterate() -> Run:
        f = pq.ParquetFile(path, pre_buffer=False, buffer_size=PARQUET_BUFFER_BYTES)
        n = sum(b.num_rows for b in f.iter_batches(batch_size=CHUNK_ROWS, columns=["y", "p"]))
        return Run({"rows": n})

    def in_memory() -> Run:
        return Run(fitscope.evaluate(y, p, metrics=METRICS))

    cases: dict[str, Callable[[], Run]] = {
        "pyarrow read_table": read,
        "pyarrow iter_batches": iterate,
        "fitscope stream": stream,
        "fitscope stream, 1 thread": stream_one_thread,
        "fitscope Dask, 1 worker": dask(1),
        "fitscope Dask, 2 workers": dask(2),
        "fitscope.evaluate (in memory)": in_memory,
    }
    if run_sklearn:

        def sklearn_case() -> Run:
            from sklearn.metrics import accuracy_score, log_loss

            return Run({"accuracy": accuracy_score(y, p >= 0.5), "log_loss": log_loss(y, p)})

        cases["scikit-learn (in memory)"] = sklearn_case

    started = time.perf_counter()
    before = cpu_snapshot()
    timings = measure(cases, repeat)
    after = cpu_snapshot()
    for clients_k in clients.values():
        clients_k.close()
    for cluster in clusters.values():
        cluster.close()
    busy = other_load(before, after)

    for name, t in timings.items():
        if "rows" in t.values:
            assert t.values["rows"] == rows, name
        elif name.startswith("fitscope"):
            check(name, t.values, reference, 1e-12)

    def rate(name: str) -> float:
        return rows / timings[name].median

    ratios = {
        "stream / pyarrow read_table": rate("fitscope stream") / rate("pyarrow read_table"),
        "stream / pyarrow iter_batches": rate("fitscope stream") / rate("pyarrow iter_batches"),
        "Dask 2 workers / 1 worker": rate("fitscope Dask, 2 workers")
        / rate("fitscope Dask, 1 worker"),
        "Dask 1 worker / stream 1 thread": rate("fitscope Dask, 1 worker")
        / rate("fitscope stream, 1 thread"),
    }
    if run_sklearn:
        ratios["stream / scikit-learn in memory"] = rate("fitscope stream") / rate(
            "scikit-learn (in memory)"
        )
    targets = {
        "stream / pyarrow read_table": 0.5,
        "Dask 2 workers / 1 worker": 1.6,
    }
    print()
    print(
        table(
            ["case", "median", "rows/s", "CPU s (this process)"],
            [
                [name, fmt_seconds(t.median), fmt_rate(rows, t.median), f"{t.cpu_median:.2f}"]
                for name, t in timings.items()
            ],
            title=f"{fmt_size(rows)} binary predictions, metrics {', '.join(METRICS)}, "
            f"median of {repeat}",
        )
    )
    print()
    verdicts = {}
    lines = []
    for key, value in ratios.items():
        target = targets.get(key)
        verdict = "" if target is None else ("PASS" if value >= target else "FAIL")
        verdicts[key] = verdict or None
        lines.append([key, f"{value:.2f}x", "" if target is None else f">= {target}x", verdict])
    print(table(["ratio", "measured", "target", ""], lines))
    print()
    cpu = {k: statistics.median(v[1:] or v) for k, v in worker_cpu.items()}
    print(
        "Dask worker CPU seconds per run (all workers, median): "
        f"1 worker {cpu[1]:.2f} s, 2 workers {cpu[2]:.2f} s; wall: "
        f"{timings['fitscope Dask, 1 worker'].median:.2f} s, "
        f"{timings['fitscope Dask, 2 workers'].median:.2f} s"
    )
    busy_text = "unknown" if busy is None else f"{busy:.2f}"
    print(
        f"other load: {busy_text} cores busy with other processes on average during the run "
        f"(of {info['cpu_count']}); load average at the end {load_average()}"
    )
    write_json(
        args.out,
        {
            "machine": info,
            "rows": rows,
            "file": str(path),
            "file_mib": size_mb,
            "metrics": list(METRICS),
            "repeat": repeat,
            "timings": {name: t.as_json(rows) for name, t in timings.items()},
            "ratios": ratios,
            "targets": targets,
            "verdicts": verdicts,
            "other_load_cores": busy,
            "dask_worker_cpu_s": cpu,
            "elapsed_s": time.perf_counter() - started,
            "load_average_end": load_average(),
        },
    )
    print(f"wrote {args.out}")


if __name__ == "__main__":
    sys.exit(main())
