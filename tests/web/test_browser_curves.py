"""Issue 18 in the browser: smoothing computed on the data, and no chart offers to upload.

Playwright driving Debian's Chromium, as tests/web/test_browser.py does.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import fitscope
from fitscope.views.downsample import ema, minmax_indices, smoothed_at
from fitscope.views.notebook import NO_CLOUD_CONFIG, LivePlot
from fitscope.views.report import plotly_js_path, render_report

from .conftest import CHROMIUM, NO_BROWSER, fill_store
from .test_browser import _serving

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_BROWSER)
N_LONG = 30_000


def long_loss(n: int) -> np.ndarray:
    """A loss whose true mean is about 0.065, with rare huge batches that min/max keeps."""
    rng = np.random.default_rng(5)
    y = rng.exponential(0.05, n)
    y[rng.random(n) < 0.002] += 7.5
    return y


@pytest.fixture(scope="module")
def long_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    path = tmp_path_factory.mktemp("curves") / "runs.db"
    ids = fill_store(path)
    y = long_loss(N_LONG)
    with fitscope.init(project="long", name="long-run", store=path) as run:
        for i, v in enumerate(y.tolist()):
            run.log({"loss": v}, step=i)
    ids["long"] = run.id
    with _serving(path) as url:
        yield {"url": url, "ids": ids, "path": path, "y": y}


def modebar_titles(page: Any) -> list[str]:
    titles: list[str] = page.evaluate(
        "[...document.querySelectorAll('.modebar-btn')].map(b => b.getAttribute('data-title'))"
    )
    return titles


def assert_no_cloud(page: Any) -> None:
    """The mode bar is there (the check is not vacuous) and has no cloud button in it."""
    titles = modebar_titles(page)
    assert "Download plot as a PNG" in titles
    assert not [t for t in titles if "share" in t.lower() or "cloud" in t.lower()], titles
    assert page.locator("[data-title^='Share']").count() == 0
    assert "Share chart" not in page.evaluate("document.body.innerHTML")


def test_dashboard_smooths_the_whole_series_and_keeps_raw_beneath(
    long_server: dict[str, Any], page: Any
) -> None:
    page.goto(long_server["url"] + "#/run/" + long_server["ids"]["long"])
    page.wait_for_selector("#chart-0 .main-svg")
    page.check("#smooth")
    page.wait_for_function(
        "document.getElementById('chart-0').data.some(t => t.meta.role === 'smoothed')"
    )
    traces = page.evaluate(
        "document.getElementById('chart-0').data.map(t => ({role: t.meta.role, x: t.x, "
        "y: t.y, opacity: t.opacity}))"
    )
    raw = next(t for t in traces if t["role"] == "raw")
    smooth = next(t for t in traces if t["role"] == "smoothed")
    y = long_server["y"]
    idx = minmax_indices(y, 2000)
    assert raw["opacity"] == 0.25 and len(raw["x"]) == idx.size  # the raw curve stays beneath
    np.testing.assert_allclose(raw["x"], idx)
    np.testing.assert_allclose(smooth["y"], smoothed_at(y, idx, 0.6, 2000), rtol=1e-12)
    # Moving the slider asks the server for that weight's line (0.9 is step 5); every redraw
    # until it arrives keeps a smoothed line (the previous weight's): no flicker.
    page.evaluate(
        "() => { window.fsDraws = []; document.getElementById('chart-0').on('plotly_afterplot', "
        "() => { const t = document.getElementById('chart-0').data.find("
        "t => t.meta.role === 'smoothed'); "
        "window.fsDraws.push(t ? t.meta.weight || 'no weight' : 'none'); }); }"
    )
    page.locator("#smooth-weight").fill("5")
    page.wait_for_function("document.getElementById('smooth-weight-value').textContent === '0.9'")
    expected = smoothed_at(y, idx, 0.9, 2000)
    page.wait_for_function(
        "(v) => { const t = document.getElementById('chart-0').data.find("
        "t => t.meta.role === 'smoothed'); return !!t && Math.abs(t.y[100] - v) < 1e-9; }",
        arg=float(expected[100]),
    )
    draws = page.evaluate("window.fsDraws")
    assert draws and "none" not in draws and draws[-1] == 0.9, draws
    assert set(draws) <= {0.6, 0.9}
    assert abs(float(np.median(expected)) - float(y.mean())) < 0.02
    assert_no_cloud(page)
    assert page.errors == [] and page.outside == []


def test_report_carries_every_slider_step_smoothed_on_the_data(
    long_server: dict[str, Any], page: Any, tmp_path: Path
) -> None:
    store = fitscope.Store(long_server["path"])
    path = tmp_path / "report.html"
    path.write_text(render_report(store.get_run(long_server["ids"]["long"])), encoding="utf-8")
    store.close()
    page.goto(path.as_uri())
    page.wait_for_selector("#chart-0 .main-svg")
    page.check("#smooth")
    smooth = page.evaluate(
        "document.getElementById('chart-0').data.find(t => t.meta.role === 'smoothed').y"
    )
    y = long_server["y"]
    np.testing.assert_allclose(smooth, smoothed_at(y, minmax_indices(y, 2000), 0.6, 2000))
    assert_no_cloud(page)
    assert page.errors == []


def test_no_page_offers_to_share_a_chart(long_server: dict[str, Any], page: Any) -> None:
    url, ids = long_server["url"], long_server["ids"]
    page.goto(url + "#/run/" + ids["overfit"])
    page.wait_for_selector("#fs-confusion .main-svg")
    page.wait_for_selector("#chart-1 .main-svg")
    assert_no_cloud(page)
    page.goto(url + "#/compare?ids=" + ids["overfit"] + "," + ids["logreg"])
    page.wait_for_selector("#compare-chart-1 .main-svg")
    assert_no_cloud(page)
    assert page.errors == [] and page.outside == []


def test_notebook_figure_offers_no_cloud_button(page: Any) -> None:
    pytest.importorskip("anywidget")
    plot = LivePlot(backend="plotly", display=lambda obj, display_id: None, smoothing=0.6)
    for step in range(20):
        plot.log({"loss": 1 / (step + 1), "accuracy": step / 20}, step=step)
    plot.close()
    fig = plot.figure.to_plotly_json()
    raw, smooth = fig["data"][0], fig["data"][1]
    assert raw["opacity"] == 0.25 and raw["name"] == "train (raw)" and smooth["name"] == "train"
    np.testing.assert_allclose(smooth["y"], ema(raw["y"], 0.6))  # over every point it holds
    # Draw the widget's own figure with its own config in the bundled plotly.js.
    page.set_content("<div id='nb'></div>")
    page.add_script_tag(path=str(plotly_js_path()))
    page.evaluate(
        "([fig, cfg]) => Plotly.newPlot('nb', fig.data, fig.layout, cfg)",
        [fig, plot.figure._config],
    )
    assert plot.figure._config == NO_CLOUD_CONFIG
    assert_no_cloud(page)
