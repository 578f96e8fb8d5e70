"""How fast a 1,000,000-point series reaches the screen: store read, min/max downsampling,
the API over real HTTP, and (when /usr/bin/chromium exists) the browser's first draw.

The peer is the same series sent whole (no downsampling), measured in the same run.

    .venv/bin/python bench/dashboard.py            # 1e6 points
    .venv/bin/python bench/dashboard.py --points 100000 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np

import fitscope
from fitscope.views.downsample import minmax_indices


def timed(fn: Any, repeat: int) -> tuple[float, Any]:
    fn()  # warm-up
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--max-points", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    n = args.points
    tmp = Path(tempfile.mkdtemp(prefix="fitscope-bench-"))
    store = fitscope.Store(tmp / "big.db")
    rng = np.random.default_rng(0)
    y = np.exp(-np.arange(n) / (n / 5)) + 0.05 * rng.standard_normal(n)
    y[n // 3] = 25.0  # one spike that must survive
    t = time.perf_counter()
    with fitscope.init(name="big", store=store) as run:
        for i, v in enumerate(y.tolist()):
            run.log({"loss": v}, step=i)
    print(f"setup: logged {n:,} points in {time.perf_counter() - t:.1f} s (not part of the timing)")
    # A record holds its data once read, so the read is the get_run call (3 SQL statements).
    read_s, hist = timed(lambda: store.get_run(run.id).history("loss"), args.repeat)
    ds_s, idx = timed(lambda: minmax_indices(hist.values, args.max_points), args.repeat)
    assert n // 3 in idx

    import uvicorn

    from fitscope.web import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(store), host="127.0.0.1", port=port, log_level="warning")
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"

    def get(path: str) -> bytes:
        with urllib.request.urlopen(base + path, timeout=60) as resp:
            body: bytes = resp.read()
            return body

    q = f"/api/runs/{run.id}/series?metric=loss&max_points={args.max_points}"
    api_s, body = timed(lambda: get(q), args.repeat)
    charts_s, _ = timed(lambda: get(f"/api/runs/{run.id}/charts"), args.repeat)
    shown = json.loads(body)
    assert 25.0 in shown["y"]

    def whole() -> bytes:  # the peer: every point, as a JSON body (what no downsampling sends)
        h = store.get_run(run.id).history("loss")  # read too, like /series
        return json.dumps({"x": h.steps.tolist(), "y": h.values.tolist()}).encode()

    whole_s, whole_body = timed(whole, max(1, args.repeat // 2))

    print(f"\n{n:,} points, max_points={args.max_points}, median of {args.repeat}")
    rows = [
        ("store read (History of all points)", read_s, ""),
        ("min/max downsampling", ds_s, f"{len(idx):,} points kept"),
        ("GET /series over HTTP (read + downsample + JSON)", api_s, f"{len(body):,} bytes"),
        ("GET /charts over HTTP (the run page's request)", charts_s, ""),
        ("peer: whole series as JSON, no downsampling", whole_s, f"{len(whole_body):,} bytes"),
    ]
    for name, sec, note in rows:
        print(f"  {name:<52} {sec * 1000:9.1f} ms  {note}")
    print(f"  ratio whole/downsampled response time: {whole_s / api_s:.1f}x, "
          f"bytes {len(whole_body) / len(body):.0f}x")  # fmt: skip

    chromium = Path("/usr/bin/chromium")
    if chromium.exists():
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=str(chromium), headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                      "--disable-component-update", "--disable-sync", "--no-first-run"],
            )  # fmt: skip
            page = browser.new_page()
            page.goto(base + "/")  # warm the cache (plotly.js)
            page.wait_for_selector("tr.run-row")
            times = []
            for _ in range(max(3, args.repeat // 2)):
                page.goto("about:blank")
                t = time.perf_counter()
                page.goto(f"{base}/#/run/{run.id}")
                page.wait_for_selector("#chart-0 .main-svg .scatterlayer path")
                times.append(time.perf_counter() - t)
            browser.close()
        ms = statistics.median(times) * 1000
        print(f"  {'browser: page load to loss chart drawn':<52} {ms:9.1f} ms")
    else:
        print("  browser: skipped (/usr/bin/chromium missing)")
    server.should_exit = True
    store.close()


if __name__ == "__main__":
    main()
