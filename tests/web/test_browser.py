"""The dashboard in a real browser: Playwright driving Debian's Chromium (/usr/bin/chromium).

Install the browser once with ``apt-get update && apt-get install -y chromium``; these tests
skip with that message when it is missing. Screenshots go to tests/artifacts/ (gitignored).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import fitscope
from fitscope.web import create_app
from fitscope.web.server import allowed_hosts

from .conftest import (
    CHROMIUM,
    HOSTILE_METRIC,
    HOSTILE_SPLIT,
    NO_BROWSER,
    XSS_NAME,
    fill_store,
    log_curves,
    shot,
)

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=NO_BROWSER,
)
uvicorn = pytest.importorskip("uvicorn")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def _serving(path: Path, token: str | None = None) -> Iterator[str]:
    """uvicorn in a thread on a free 127.0.0.1 port, over the store at ``path``."""
    store = fitscope.Store(path)
    port = _free_port()
    app = create_app(store, token=token, allowed_hosts=allowed_hosts("127.0.0.1"))
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        srv.should_exit = True
        thread.join(5)
        store.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    path = tmp_path_factory.mktemp("browser") / "runs.db"
    ids = fill_store(path)
    with _serving(path) as url:
        yield {"url": url, "ids": ids, "path": path}


def _traces(page: Any, index: int) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = page.evaluate(
        "(i) => document.getElementById('chart-' + i).data.map("
        "t => ({name: t.name, role: t.meta.role, n: t.x.length, opacity: t.opacity}))",
        index,
    )
    return data


def test_runs_page_lists_runs_and_searches(server: dict[str, Any], page: Any) -> None:
    page.goto(server["url"])
    page.wait_for_selector("tr.run-row")
    assert page.locator("tr.run-row").count() == 3
    shot(page, "runs.png")
    # search, filter and sort are answered by the server (GET /api/runs), a page at a time
    page.fill("#search", "logreg")
    page.wait_for_function("document.querySelectorAll('tr.run-row').length === 1")
    page.fill("#search", "")
    page.wait_for_function("document.querySelectorAll('tr.run-row').length === 3")
    page.select_option("#project-filter", "demo")
    page.wait_for_function("document.querySelectorAll('tr.run-row').length === 1")
    page.select_option("#project-filter", "")
    page.wait_for_function("document.querySelectorAll('tr.run-row').length === 3")
    page.click("th[data-key=name]")
    page.wait_for_selector("th.sorted-asc[data-key=name]")
    names = page.locator("tr.run-row a.run-link").all_text_contents()
    assert names == sorted(names)
    assert page.locator("#page-info").inner_text() == "1–3 of 3 runs"
    assert page.errors == [] and page.dialogs == [] and page.outside == []


def test_run_page_draws_charts_smoothing_and_predictions(server: dict[str, Any], page: Any) -> None:
    page.goto(server["url"])
    page.click("text=overfit")
    page.wait_for_selector("#chart-1 .main-svg")
    loss, acc = _traces(page, 0), _traces(page, 1)
    # train, val, test + the best-val marker + the no-skill baseline (labels are known).
    assert [t["role"] for t in loss] == ["raw", "raw", "raw", "best", "baseline"]
    assert [t["name"] for t in loss[:3]] == ["train", "val", "test"]
    assert loss[0]["n"] == 25 and loss[2]["n"] == 1
    assert [t["role"] for t in acc] == ["raw", "raw", "raw", "best", "baseline"]
    page.check("#smooth")
    smoothed = _traces(page, 0)
    roles = [t["role"] for t in smoothed]
    assert roles[:6] == ["raw", "smoothed"] * 3
    assert all(t["opacity"] == 0.25 for t in smoothed if t["role"] == "raw")
    page.check("#log-scale")
    assert page.evaluate("document.getElementById('chart-0').layout.yaxis.type") == "log"
    page.uncheck("#log-scale")
    page.select_option("#x-axis", "time")
    page.wait_for_function(
        "document.getElementById('chart-0')?.layout?.xaxis?.title?.text === 'wall time (s)'"
    )
    page.select_option("#x-axis", "step")
    page.wait_for_function(
        "document.getElementById('chart-0')?.layout?.xaxis?.title?.text === 'step'"
    )
    page.wait_for_selector("#fs-confusion .main-svg")
    slider = page.locator("#snapshot-slider")
    slider.fill("0")
    page.wait_for_function(
        "document.getElementById('snapshot-label').textContent.includes('step 4')"
    )
    page.wait_for_selector("#findings .finding.sev-warning")
    assert "Overfitting since epoch" in page.locator("#findings").inner_text()
    page.wait_for_timeout(300)
    shot(page, "run.png")
    assert page.errors == [] and page.dialogs == [] and page.outside == []


def test_live_run_updates_within_two_seconds(server: dict[str, Any], page: Any) -> None:
    run = fitscope.init(project="live", name="live-run", store=server["path"])
    try:
        log_curves(run, 3)
        run.flush()
        page.goto(server["url"] + "#/run/" + run.id)
        page.wait_for_function("document.getElementById('chart-0')?.data?.[0]?.x.length === 3")
        run.log({"loss": 0.2, "accuracy": 0.9}, step=3)
        run.flush()
        start = time.monotonic()
        page.wait_for_function(
            "document.getElementById('chart-0').data[0].x.length === 4", timeout=2000
        )
        assert time.monotonic() - start < 2.0
    finally:
        run.finish()
    assert page.errors == [] and page.dialogs == []


def test_hostile_names_are_shown_not_executed(server: dict[str, Any], page: Any) -> None:
    page.goto(server["url"])
    page.wait_for_selector("tr.run-row")
    assert XSS_NAME in page.locator("table.runs").inner_text()
    page.goto(server["url"] + "#/run/" + server["ids"]["xss"])
    page.wait_for_selector("#chart-0 .main-svg")
    assert page.locator("#run-name").inner_text() == XSS_NAME
    assert "<img src=x onerror=alert(3)>" in page.locator("#config").inner_text()
    # Metric and split names reach plotly entity-escaped: shown as typed, never as markup.
    page.wait_for_selector("#chart-2 .main-svg")
    assert page.locator("#chart-2 .gtitle").text_content() == HOSTILE_METRIC
    assert HOSTILE_SPLIT in page.locator("#chart-2 .legendtext").all_text_contents()
    assert page.locator("#charts a, #charts img").count() == 0
    assert page.locator("script:not([src])").count() == 0
    page.wait_for_timeout(300)
    assert page.dialogs == [] and page.errors == []


def test_compare_view_overlays_runs(server: dict[str, Any], page: Any) -> None:
    page.goto(server["url"])
    page.wait_for_selector("tr.run-row")
    for name in ("overfit", XSS_NAME):
        page.locator("tr.run-row", has_text=name).locator("input.pick").check()
    page.click("#compare-btn")
    page.wait_for_selector("#compare-chart-0 .main-svg")
    names = page.locator("#compare-chart-0 .legendtext").all_text_contents()
    assert "overfit · val" in names and f"{XSS_NAME} · val" in names
    page.select_option("#compare-x", "epoch")
    page.wait_for_function(
        "document.getElementById('compare-chart-0').layout.xaxis.title.text === 'epoch'"
    )
    # The XSS run has no snapshots: the significance table says why instead of breaking.
    page.wait_for_selector("#significance-reason")
    assert "prediction snapshot" in page.locator("#significance-reason").inner_text()
    shot(page, "compare.png")
    assert page.errors == [] and page.dialogs == []


def test_builtin_trainer_run_and_nan_points(server: dict[str, Any], page: Any) -> None:
    with fitscope.init(project="nan", name="diverged", store=server["path"]) as run:
        for e, v in enumerate([1.0, 0.8, float("nan"), 0.6, float("inf")]):
            run.log({"loss": v}, step=e)
    page.goto(server["url"] + "#/run/" + run.id)
    page.wait_for_selector("#chart-0 .main-svg")
    roles = [t["role"] for t in _traces(page, 0)]
    assert roles == ["raw", "best", "nonfinite"]
    assert np.isclose(page.evaluate("document.getElementById('chart-0').data[2].x.length"), 2)
    assert page.errors == []


def test_token_travels_from_the_url_and_guards_delete(tmp_path: Path, page: Any) -> None:
    path = tmp_path / "tok.db"
    fill_store(path)
    with _serving(path, token="s3cret") as url:
        page.goto(url)  # no token: the API refuses and the page says so
        page.wait_for_selector("#error:not([hidden])")
        assert "Got no token instead" in page.locator("#error").inner_text()
        page.errors.clear()  # the 401 answers are logged as console errors by the browser
        page.goto(url + "?token=s3cret")
        page.wait_for_selector("tr.run-row")
        assert page.locator("tr.run-row").count() == 3
        page.click("text=logreg")
        page.wait_for_selector("#chart-0 .main-svg")
        page.accept_dialogs = True
        page.click("#delete-run")
        page.wait_for_function("document.querySelectorAll('tr.run-row').length === 2")
        assert "logreg" not in page.locator("table.runs").inner_text()
        assert page.dialogs == ["Delete this run and everything it logged?"]
        assert page.errors == []
