"""The hyperparameter view of many runs in Chromium: how long the parallel-coordinates plot
of --runs runs (5 config keys + best validation loss) takes to draw. Target (issue 18): under
1 s for 1,000 runs.

Cases, one run, median of --repeat:
- ``fitscope``: the page's plot (fsDrawParallel: 12 SVG line traces, one per colour bin),
  timed inside the page and from navigation to the plot on screen;
- peer ``parcoords``: plotly's own WebGL parallel-coordinates trace over the same runs and keys;
- peer ``one line per run``: one scatter trace per run, the way a hand-made plot does it.
The server's ``GET /api/hyperparams`` (reading every run's config and validation series) is
timed too.

    python bench/parallel_coords.py               # 1,000 runs
    python bench/parallel_coords.py --runs 200 --repeat 3
"""

from __future__ import annotations

import argparse
import socket
import statistics
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np

import fitscope
from fitscope.web import create_app

CHROMIUM = Path("/usr/bin/chromium")


def fill(path: Path, runs: int) -> None:
    rng = np.random.default_rng(0)
    store = fitscope.Store(path)
    for i in range(runs):
        config = {
            "lr": float(10 ** rng.uniform(-4, -1)),
            "batch": int(rng.choice([32, 64, 128])),
            "optimizer": str(rng.choice(["sgd", "adam", "rmsprop"])),
            "dropout": float(rng.uniform(0, 0.5)),
            "layers": int(rng.integers(1, 6)),
        }
        with fitscope.init(project="sweep", name=f"run{i}", config=config, store=store) as run:
            for e in range(5):
                run.log({"loss": 0.3 + rng.random() / (e + 1)}, step=e, split="val")
    store.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


PARCOORDS = """(hp) => {
  const keys = ["lr", "batch", "dropout", "layers"];
  const el = document.createElement("div"); document.body.appendChild(el);
  const t0 = performance.now();
  Plotly.newPlot(el, [{ type: "parcoords", dimensions: keys.map((k) => ({ label: k,
    values: hp.runs.map((r) => r.config[k]) })), line: { color: hp.runs.map((r) => r.value),
    colorscale: "Viridis", showscale: true } }], { height: 420 });
  return performance.now() - t0;
}"""

PEER = """(hp) => {
  const keys = ["lr", "batch", "dropout", "layers"];
  const el = document.createElement("div"); el.id = "peer"; document.body.appendChild(el);
  const cols = keys.map((k) => hp.runs.map((r) => r.config[k]));
  const norm = cols.map((c) => { const lo = Math.min(...c), hi = Math.max(...c);
    return c.map((v) => (v - lo) / (hi - lo || 1)); });
  const t0 = performance.now();
  const traces = hp.runs.map((r, i) => ({ type: "scatter", mode: "lines",
    x: keys.map((_, j) => j), y: norm.map((c) => c[i]), showlegend: false }));
  Plotly.newPlot(el, traces, { height: 420 });
  return performance.now() - t0;
}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    import uvicorn
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "runs.db"
        t = time.perf_counter()
        fill(path, args.runs)
        print(f"{args.runs} runs written in {time.perf_counter() - t:.1f} s (not counted)")
        store = fitscope.Store(path)
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(create_app(store), port=port, log_level="error"))
        threading.Thread(target=server.run, daemon=True).start()
        while not server.started:
            time.sleep(0.05)
        url = f"http://127.0.0.1:{port}/"
        api = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            urllib.request.urlopen(url + "api/hyperparams?metric=loss").read()
            api.append(time.perf_counter() - t)
        draw, shown, peer, parcoords = [], [], [], []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                        args=["--no-sandbox", "--disable-gpu"])  # fmt: skip
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url)  # warm the cache (plotly.js)
            page.wait_for_selector("tr.run-row")
            for _ in range(args.repeat):
                page.goto("about:blank")
                t = time.perf_counter()
                page.goto(url + "#/params")
                page.wait_for_selector("#parallel .main-svg")
                page.wait_for_function("document.getElementById('parallel').dataset.drawMs")
                shown.append(time.perf_counter() - t)
                draw.append(float(page.get_attribute("#parallel", "data-draw-ms") or "nan") / 1000)
                hp = page.evaluate("fetch('api/hyperparams?metric=loss').then(r => r.json())")
                peer.append(page.evaluate(PEER, hp) / 1000)
                parcoords.append(page.evaluate(PARCOORDS, hp) / 1000)
            browser.close()
        server.should_exit = True
        store.close()
    med = statistics.median
    print(f"GET /api/hyperparams ({args.runs} runs):          {med(api):6.3f} s")
    print(f"fitscope draw in the page (fsDrawParallel):   {med(draw):6.3f} s  "
          f"target < 1 s: {'PASS' if med(draw) < 1 else 'FAIL'}")  # fmt: skip
    print(f"navigation to the plot on screen (incl. API): {med(shown):6.3f} s")
    print(f"peer: one scatter line per run:               {med(peer):6.3f} s  "
          f"({med(peer) / med(draw):.1f}x fitscope's draw)")  # fmt: skip
    print(f"peer: plotly parcoords (WebGL, no GPU here):  {med(parcoords):6.3f} s  "
          f"({med(parcoords) / med(draw):.1f}x fitscope's draw)")  # fmt: skip


if __name__ == "__main__":
    main()
