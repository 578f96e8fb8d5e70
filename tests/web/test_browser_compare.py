"""The compare page and the hyperparameter view in Chromium (Playwright), and the offline
compare HTML: significance table, config diff, several metrics at once, parallel coordinates."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

import fitscope
from fitscope.cli import cli

from .conftest import ARTIFACTS, CHROMIUM, NO_BROWSER, shot
from .test_browser import _serving

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_BROWSER)


def fill_compare_store(path: Path) -> dict[str, str]:
    """Three runs over the same 2,000 validation samples: a baseline, a clearly better tuned
    run, and a rerun of the baseline with another seed (a difference that is noise)."""
    store = fitscope.Store(path)
    rng = np.random.default_rng(0)
    n = 2000
    y = rng.integers(0, 2, n)
    ids: dict[str, str] = {}
    runs = (("baseline", 1.0, 0.1, "sgd", 1), ("tuned", 0.5, 0.03, "adam", 2),
            ("rerun", 1.0, 0.1, "sgd", 3))  # fmt: skip
    for name, noise, lr, opt, seed in runs:
        config = {"lr": lr, "optimizer": opt, "epochs": 30, "seed": seed}
        with fitscope.init(project="cmp", name=name, store=store, config=config) as run:
            for e in range(30):
                tl = 0.7 * np.exp(-e / (6 * noise)) + 0.1 * noise + 0.01 * rng.standard_normal()
                vl = tl + 0.08 + 0.003 * max(0, e - 15) * noise
                run.log({"loss": tl, "accuracy": 1 - tl / 1.6}, step=e)
                run.log({"loss": vl, "accuracy": 1 - vl / 1.6}, step=e, split="val")
            p = 1 / (1 + np.exp(-(3 * (y - 0.5) + rng.normal(0, noise * 2, n))))
            run.log_predictions(y, p, split="val", step=29, ids=[f"s{i}" for i in range(n)])
            run.log({"loss": vl + 0.01, "accuracy": 1 - vl / 1.6}, step=29, split="test")
            ids[name] = run.id
    store.close()
    return ids


@pytest.fixture(scope="module")
def cmp_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    path = tmp_path_factory.mktemp("cmp") / "runs.db"
    ids = fill_compare_store(path)
    with _serving(path) as url:
        yield {"url": url, "ids": ids, "path": path}


def _verdicts(page: Any, block: int) -> dict[str, str]:
    rows = page.locator("table.significance").nth(block).locator("tr[data-metric]")
    out: dict[str, str] = {}
    for i in range(rows.count()):
        row = rows.nth(i)
        out[row.get_attribute("data-metric")] = row.get_attribute("data-verdict")
    return out


def test_compare_page_significance_config_diff_and_all_metrics(
    cmp_server: dict[str, Any], page: Any
) -> None:
    ids = cmp_server["ids"]
    page.goto(
        cmp_server["url"]
        + "#/compare?ids="
        + ",".join(ids[n] for n in ("baseline", "tuned", "rerun"))
    )
    page.wait_for_selector("#significance[data-ready='1'] table.significance")
    tuned, rerun = _verdicts(page, 0), _verdicts(page, 1)
    assert set(tuned) == {"accuracy", "log_loss", "f1", "roc_auc", "brier_score"}
    assert set(tuned.values()) == {"b_better"}
    assert set(rerun.values()) == {"within_noise"}
    text = page.locator("#significance").inner_text()
    assert "McNemar" in text and "DeLong (paired)" in text and "correction: Holm" in text
    # Config: only the keys that differ (epochs is equal), then all of them.
    keys = page.locator("#config-diff tr[data-key]").evaluate_all(
        "rs => rs.map(r => r.dataset.key)"
    )
    assert keys == ["lr", "optimizer", "seed"]
    assert "1 equal key(s) hidden" in page.locator("#config-diff").inner_text()
    page.check("#config-all")
    page.wait_for_function("document.querySelectorAll('#config-diff tr[data-key]').length === 4")
    # Loss and accuracy at once, every split of every run on each.
    page.wait_for_selector("#compare-chart-1 .main-svg")
    metrics = page.locator("#compare-charts .chart").evaluate_all(
        "cs => cs.map(c => c.dataset.metric)"
    )
    assert metrics[:2] == ["loss", "accuracy"]
    splits = page.evaluate(
        "document.getElementById('compare-chart-0').data.filter(t => t.meta.role === 'run')"
        ".map(t => t.meta.split)"
    )
    assert sorted(set(splits)) == ["test", "train", "val"] and len(splits) == 9
    page.select_option("#compare-split", "test")  # no test snapshots: says why
    page.wait_for_selector("#significance-reason")
    page.select_option("#compare-split", "val")
    page.wait_for_selector("table.significance")
    page.wait_for_timeout(300)
    shot(page, "compare-page.png")
    assert page.errors == [] and page.outside == []


def test_hyperparameter_view_columns_filter_sort_and_parallel_coordinates(
    cmp_server: dict[str, Any], page: Any
) -> None:
    page.goto(cmp_server["url"] + "#/params")
    page.wait_for_selector("#parallel .main-svg")
    headers = page.locator("#params-table th[data-key]").evaluate_all(
        "hs => hs.map(h => h.dataset.key)"
    )
    assert headers == ["name", "epochs", "lr", "optimizer", "seed", "value"]
    # Sorted by best validation loss, lowest first: the tuned run leads.
    names = page.locator("tr.param-row td:first-child").all_text_contents()
    assert names[0] == "tuned" and len(names) == 3
    plot = page.evaluate(
        "(() => { const el = document.getElementById('parallel'); return {axes: "
        "JSON.parse(el.dataset.axes), runs: Number(el.dataset.runs), lines: el.data.filter("
        "t => t.meta.role === 'parallel').map(t => t.x.filter(v => v === null).length)}; })()"
    )
    assert plot["axes"] == ["epochs", "lr", "optimizer", "seed", "best val loss"]
    assert plot["runs"] == 3 and sum(plot["lines"]) == 3  # one polyline per run
    assert "No-skill baseline of loss: 0.69" in page.locator("#params-baseline").inner_text()
    # Filter on a config key, sort on another, drop a key from the plot.
    page.fill("input.param-filter[data-key='optimizer']", "sgd")
    page.locator("input.param-filter[data-key='optimizer']").dispatch_event("change")
    page.wait_for_function("document.querySelectorAll('tr.param-row').length === 2")
    page.fill("input.param-filter[data-key='optimizer']", "")
    page.locator("input.param-filter[data-key='optimizer']").dispatch_event("change")
    page.fill("input.param-filter[data-key='lr']", "<0.05")
    page.locator("input.param-filter[data-key='lr']").dispatch_event("change")
    page.wait_for_function("document.querySelectorAll('tr.param-row').length === 1")
    page.locator("input.param-filter[data-key='lr']").fill("")
    page.locator("input.param-filter[data-key='lr']").dispatch_event("change")
    page.click("#params-table th[data-key='seed']")
    seeds = page.locator("tr.param-row td:nth-child(5)").all_text_contents()
    assert seeds == ["1", "2", "3"]
    page.uncheck("input.param-key[data-key='seed']")
    page.wait_for_function(
        "JSON.parse(document.getElementById('parallel').dataset.axes).length === 4"
    )
    page.select_option("#params-metric", "accuracy")
    page.wait_for_function(
        "JSON.parse(document.getElementById('parallel').dataset.axes).at(-1) === "
        "'best val accuracy'"
    )
    shot(page, "hyperparameters.png")
    assert page.errors == [] and page.outside == []


def test_offline_compare_html(cmp_server: dict[str, Any], page: Any, tmp_path: Path) -> None:
    out = tmp_path / "compare.html"
    result = CliRunner().invoke(
        cli, ["compare", "baseline", "tuned", "rerun", "--html", str(out),
              "--store", str(cmp_server["path"])],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(out.as_uri())
    page.wait_for_selector("#parallel .main-svg")
    page.wait_for_selector("#compare-chart-1 .main-svg")
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
    assert set(_verdicts(page, 0).values()) == {"b_better"}
    assert page.locator("#config-diff tr[data-key]").count() == 3
    assert page.get_attribute("#parallel", "data-runs") == "3"
    titles = page.evaluate(
        "[...document.querySelectorAll('.modebar-btn')].map(b => b.getAttribute('data-title'))"
    )
    assert titles and not [t for t in titles if "Share" in t]
    assert page.errors == []
    ARTIFACTS.mkdir(exist_ok=True)


def test_run_page_shows_held_out_intervals_with_n(cmp_server: dict[str, Any], page: Any) -> None:
    page.goto(cmp_server["url"] + "#/run/" + cmp_server["ids"]["tuned"])
    page.wait_for_selector("#intervals table.intervals")
    rows = page.locator("#intervals tr[data-metric]")
    assert rows.count() == 5
    text = page.locator("#intervals").inner_text()
    assert "n = 2000" in text and "Wilson score" in text and "DeLong" in text
    assert page.errors == []
