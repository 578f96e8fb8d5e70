"""Benchmark: listing runs in a store of thousands of runs (SQLite and PostgreSQL).

    .venv/bin/python bench/store_scale.py [--sizes 1000,10000] [--postgres URL]
                                          [--pg-sizes 10000,100000] [--repeat 5] [--quick]
                                          [--no-browser] [--out bench/results/store_scale.json]
                                          [--mlflow-python /tmp/mlflow-venv/bin/python]

Each store is seeded in bulk (rows inserted directly, as many runs would have written them):
per run 2 splits x 2 metrics (loss, accuracy) with ``--points`` points each, their kept
summaries, a flattened config (lr, batch, optimizer.name) and a tag. A PostgreSQL store lives in
a fresh schema of the given database, dropped at the end. Measured at every size (median of
``--repeat``), over HTTP against a real uvicorn server on 127.0.0.1:

* the first page of ``GET /api/runs`` (50 runs, newest first, with the number of runs);
* a filtered and sorted page: ``sort=best:val/loss``, one project, a metric filter and a name
  search; and a page sorted by a config value (``sort=-config.lr``);
* ``fitscope runs list`` as a user runs it (a new process: interpreter start included);
* the runs page drawn in Debian's Chromium (navigation until the table's rows are in the DOM).

The slope is the growth of each time per 1,000 more runs between the smallest and the largest
store. Targets (PASS/FAIL) at 10,000 runs and more: first page < 0.3 s, filtered/sorted page
< 0.5 s, runs list < 1 s, runs page drawn < 1 s.

MLflow's ``search_runs`` on the same number of runs (SQLite sizes) with ``--mlflow-python``:
mlflow (>= 2.10) cannot be installed next to this environment's pins (pip: ResolutionImpossible),
so it lives in a virtualenv of its own and bench/_mlflow_peer.py runs there in a subprocess
(it seeds an MLflow SQLite store of the same shape in bulk and times ``search_runs``: first page,
filtered + sorted, sorted by a param; in process, no HTTP). To reproduce::

    python3 -m venv /tmp/mlflow-venv && /tmp/mlflow-venv/bin/pip install 'mlflow>=2.10'
    .venv/bin/python bench/store_scale.py --no-browser --mlflow-python /tmp/mlflow-venv/bin/python

The ratio printed is MLflow's time over fitscope's; fitscope's figure is the HTTP request (the
server's work and the JSON included), MLflow's the bare Python call, which favours MLflow.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np
import sqlalchemy as sa

import fitscope
from _common import ROOT, machine_info, print_machine, table, write_json
from fitscope.track import _schema as schema
from fitscope.track.store import resolve_url

SRC = str(Path(fitscope.__file__).resolve().parents[1])
FILTERED = "/api/runs?" + "&".join(
    [
        "sort=best%3Aval%2Floss",
        "project=p3",
        "metric=" + quote("best:val/accuracy>0.5"),
        "q=1",
    ]
)
TARGETS: dict[str, float | None] = {
    "first": 0.3,
    "filtered": 0.5,
    "config_sort": 0.5,
    "cli_in_process": 1.0,
    "cli": 1.0,
    "cli_import": None,
    "cli_cpu": 1.0,  # the same target read as CPU time: a loaded machine stretches wall time
    "browser": 1.0,
}


def seed(url: str, n: int, points: int) -> None:
    """``n`` runs written in bulk, in batches of 2,000 runs a transaction."""
    store = fitscope.Store(url)
    rng = np.random.default_rng(n)
    steps = np.arange(points, dtype="<i8").tobytes()
    times = (1.7e9 + np.arange(points, dtype="<f8")).tobytes()
    t0 = 1.7e9
    for start in range(0, n, 2000):
        runs, tags, configs, sums, pts = [], [], [], [], []
        for i in range(start, min(n, start + 2000)):
            rid = uuid.UUID(int=i + 1).hex
            lr = float(10 ** rng.uniform(-4, -1))
            runs.append(
                {
                    "id": rid,
                    "project": f"p{i % 10}",
                    "name": f"run-{i}",
                    "status": "finished" if i % 7 else "failed",
                    "config": json.dumps({"lr": lr, "batch": 32, "optimizer": {"name": "adam"}}),
                    "start_time": t0 + i,
                    "end_time": t0 + i + 60,
                    "heartbeat": t0 + i + 60,
                    "host": "bench",
                    "pid": 1,
                }
            )
            tags.append({"run_id": rid, "tag": "even" if i % 2 == 0 else "odd"})
            configs += [
                {"run_id": rid, "key": "lr", "value_num": lr, "value_text": None},
                {"run_id": rid, "key": "batch", "value_num": 32.0, "value_text": None},
                {"run_id": rid, "key": "optimizer.name", "value_num": None, "value_text": "adam"},
            ]
            for split in ("train", "val"):
                loss = np.sort(rng.random(points))[::-1].copy()
                acc = np.sort(rng.random(points))
                for metric, values in (("loss", loss), ("accuracy", acc)):
                    best = float(values.min() if metric == "loss" else values.max())
                    sums.append(
                        {"run_id": rid, "split": split, "metric": metric, "count": points,
                         "last": float(values[-1]), "last_step": points - 1, "best": best,
                         "best_step": int(np.flatnonzero(values == best)[0])}
                    )  # fmt: skip
                    pts.append(
                        {"run_id": rid, "split": split, "metric": metric, "n": points,
                         "step_blob": steps, "value_blob": values.astype("<f8").tobytes(),
                         "time_blob": times}
                    )  # fmt: skip
        with store.engine.begin() as conn:
            conn.execute(schema.runs.insert(), runs)
            conn.execute(schema.tags.insert(), tags)
            conn.execute(schema.run_config.insert(), configs)
            conn.execute(schema.series_summary.insert(), sums)
            conn.execute(schema.points.insert(), pts)
    if url.startswith("postgresql"):
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("ANALYZE"))
    store.close()


class Server:
    """The dashboard app in uvicorn on a thread, and one keep-alive connection to it."""

    def __init__(self, url: str) -> None:
        import socket

        import uvicorn

        from fitscope.web import create_app

        self.store = fitscope.Store(url)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        config = uvicorn.Config(
            create_app(self.store), host="127.0.0.1", port=self.port, log_level="warning"
        )
        self.srv = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.srv.run, daemon=True)
        self.thread.start()
        while not self.srv.started:
            time.sleep(0.05)
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)

    def get(self, path: str) -> tuple[float, dict[str, Any]]:
        t = time.perf_counter()
        self.conn.request("GET", path)
        response = self.conn.getresponse()
        body = json.loads(response.read())
        elapsed = time.perf_counter() - t
        assert response.status == 200, body
        return elapsed, body

    def close(self) -> None:
        self.conn.close()
        self.srv.should_exit = True
        self.thread.join(10)
        self.store.close()


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cli_list(url: str) -> tuple[float, float]:
    """``fitscope runs list`` in a new process: (wall seconds, CPU seconds of the process).

    The CPU time is the fair figure on a loaded machine, where wall time waits for a core."""
    code = "import sys; from fitscope.cli import main; sys.argv[0] = 'fitscope'; main()"
    cpu = _children_cpu()
    t = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", code, "runs", "list", "--store", url],
        env=dict(os.environ, PYTHONPATH=SRC, COLUMNS="120"),
        capture_output=True,
        text=True,
        check=True,
    )
    elapsed = time.perf_counter() - t
    assert "runs shown" in out.stdout, out.stdout[-500:]
    return elapsed, _children_cpu() - cpu


def cli_in_process(url: str) -> float:
    """``runs list`` in this process: open the store, read the page, draw the table."""
    from click.testing import CliRunner

    from fitscope.cli import cli

    t = time.perf_counter()
    out = CliRunner().invoke(cli, ["runs", "list", "--store", url])
    elapsed = time.perf_counter() - t
    assert out.exit_code == 0 and "runs shown" in out.output, out.output[-500:]
    return elapsed


def import_only() -> float:
    """A new interpreter importing fitscope's command line and doing nothing: the part of
    ``fitscope runs list`` that does not depend on the store."""
    t = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", "import fitscope.cli"], env=dict(os.environ, PYTHONPATH=SRC),
        check=True,
    )  # fmt: skip
    return time.perf_counter() - t


def measure(url: str, n: int, repeat: int, browser: Any) -> dict[str, Any]:
    server = Server(url)
    try:
        server.get("/api/runs")  # warm-up: the first request imports and compiles
        firsts, filtered, by_config = [], [], []
        body: dict[str, Any] = {}
        for _ in range(repeat):
            t, body = server.get("/api/runs")
            firsts.append(t)
            filtered.append(server.get(FILTERED)[0])
            by_config.append(server.get("/api/runs?sort=-config.lr")[0])
        assert body["total"] == n and len(body["runs"]) == 50
        clis_both = [cli_list(url) for _ in range(max(1, repeat // 2))]
        clis = [wall for wall, _ in clis_both]
        imports = [import_only() for _ in range(max(1, repeat // 2))]
        in_process = [cli_in_process(url) for _ in range(repeat)]
        draws: list[float] = []
        if browser is not None:
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{server.port}/")  # warm-up (plotly, fonts)
            page.wait_for_selector("tr.run-row")
            for _ in range(repeat):
                t = time.perf_counter()
                page.goto(f"http://127.0.0.1:{server.port}/?r={time.time()}")
                page.wait_for_selector("tr.run-row")
                draws.append(time.perf_counter() - t)
            assert page.locator("tr.run-row").count() == 50
            page.close()
    finally:
        server.close()
    med = statistics.median
    return {
        "runs": n,
        "first": med(firsts),
        "filtered": med(filtered),
        "config_sort": med(by_config),
        "cli": med(clis),
        "cli_cpu": med([cpu for _, cpu in clis_both]),
        "cli_import": med(imports),
        "cli_in_process": med(in_process),
        "browser": med(draws) if draws else None,
    }


def launch_browser() -> tuple[Any, Any] | None:
    if not Path("/usr/bin/chromium").exists():
        print("browser : /usr/bin/chromium missing, the runs page is not timed")
        return None
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    b = pw.chromium.launch(
        executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox", "--disable-gpu"]
    )
    return pw, b


def pg_schema(base: str) -> tuple[str, Any]:
    """A fresh schema in the PostgreSQL database ``base``: (its URL, a function dropping it)."""
    raw = resolve_url(base)
    name = f"fitscope_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(raw, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{name}"'))
    sep = "&" if "?" in base else "?"

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()

    return f"{base}{sep}options={quote(f'-csearch_path={name}')}", drop


def report(label: str, results: list[dict[str, Any]]) -> None:
    def fmt(x: float | None) -> str:
        return "-" if x is None else f"{x * 1000:,.0f} ms"

    rows = []
    keys = [("first", "GET /api/runs, first page"), ("filtered", "filtered + sorted page"),
            ("config_sort", "sorted by config.lr"),
            ("cli_in_process", "runs list, in process"), ("cli", "fitscope runs list (process)"),
            ("cli_cpu", "  its CPU time (user + sys)"),
            ("cli_import", "  of which: python -c 'import fitscope.cli'"),
            ("browser", "runs page drawn, Chromium")]  # fmt: skip
    big = [r for r in results if r["runs"] >= 10_000]
    for key, name in keys:
        cells = [fmt(r[key]) for r in results]
        lo, hi = results[0], results[-1]
        slope = (
            "-"
            if lo[key] is None or hi[key] is None or hi["runs"] == lo["runs"]
            else f"{(hi[key] - lo[key]) / (hi['runs'] - lo['runs']) * 1e6:+.1f} ms"
        )
        verdict, target = "-", TARGETS[key]
        if target is not None and big and all(r[key] is not None for r in big):
            verdict = "PASS" if all(r[key] < target for r in big) else "FAIL"
        limit = "-" if target is None else f"< {target * 1000:,.0f} ms"
        rows.append([name, *cells, slope, limit, verdict])
    headers = ["case", *[f"{r['runs']:,} runs" for r in results], "per 1k runs", "target", ""]
    print(table(headers, rows, title=f"\n{label}"))


def mlflow_peer(python: str, n: int, points: int, repeat: int, folder: Path) -> dict[str, Any]:
    """bench/_mlflow_peer.py run by MLflow's interpreter: its JSON line."""
    peer = Path(__file__).resolve().parent / "_mlflow_peer.py"
    out = subprocess.run(
        [python, str(peer), str(n), str(points), str(repeat), str(folder)],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def report_mlflow(ours: list[dict[str, Any]], theirs: list[dict[str, Any]]) -> None:
    rows = []
    names = [("first", "first page (50, newest first)"),
             ("filtered", "filtered + sorted page"),
             ("config_sort", "sorted by lr (config / param)")]  # fmt: skip
    for a, b in zip(ours, theirs, strict=True):
        for key, name in names:
            rows.append(
                [f"{a['runs']:,}", name, f"{a[key] * 1000:,.1f} ms", f"{b[key] * 1000:,.1f} ms",
                 f"{b[key] / a[key]:.2f}x"]
            )  # fmt: skip
    version = theirs[0]["mlflow"] if theirs else "?"
    headers = ["runs", "case", "fitscope GET /api/runs", f"MLflow {version} search_runs", "ratio"]
    title = "\nSQLite: fitscope against MLflow (ratio: MLflow / fitscope)"
    print(table(headers, rows, title=title))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="SQLite store sizes (runs)")
    parser.add_argument("--postgres", default=os.environ.get("FITSCOPE_BENCH_POSTGRES_URL"))
    parser.add_argument("--pg-sizes", default="10000,100000", help="PostgreSQL store sizes")
    parser.add_argument("--points", type=int, default=20, help="points per series")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--quick", action="store_true", help="1,000 and 3,000 runs, 3 rounds")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "store_scale.json")
    parser.add_argument(
        "--mlflow-python",
        default=None,
        metavar="PATH",
        help="an interpreter with mlflow installed: time its search_runs on the SQLite sizes",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.pg_sizes, args.repeat = "1000,3000", "1000,3000", 3
    info = machine_info()
    print_machine(info)
    browser = None if args.no_browser else launch_browser()
    tmp = Path(tempfile.mkdtemp(prefix="fitscope-bench-scale-"))
    out: dict[str, Any] = {"machine": info}
    try:
        results = []
        for n in [int(x) for x in args.sizes.split(",")]:
            url = str(tmp / f"runs-{n}.db")
            t = time.perf_counter()
            seed(url, n, args.points)
            print(f"seeded  : SQLite, {n:,} runs in {time.perf_counter() - t:.1f} s")
            results.append(measure(url, n, args.repeat, browser and browser[1]))
        report("SQLite", results)
        out["sqlite"] = results
        if args.mlflow_python:
            theirs = []
            for r in results:
                peer = mlflow_peer(args.mlflow_python, r["runs"], args.points, args.repeat, tmp)
                print(f"seeded  : MLflow SQLite, {r['runs']:,} runs in {peer['seeded_s']:.1f} s")
                theirs.append(peer)
            report_mlflow(results, theirs)
            out["mlflow"] = theirs
        if args.postgres:
            pg = []
            for n in [int(x) for x in args.pg_sizes.split(",")]:
                url, drop = pg_schema(args.postgres)
                try:
                    t = time.perf_counter()
                    seed(url, n, args.points)
                    print(f"seeded  : PostgreSQL, {n:,} runs in {time.perf_counter() - t:.1f} s")
                    pg.append(measure(url, n, args.repeat, browser and browser[1]))
                finally:
                    drop()
            report("PostgreSQL", pg)
            out["postgresql"] = pg
    finally:
        if browser is not None:
            browser[1].close()
            browser[0].stop()
    write_json(args.out, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
