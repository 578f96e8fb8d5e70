"""The runs page over a store of 120 runs in Debian's Chromium: one page of 50 at a time, with
the sort, filter and search answered by the server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import fitscope
from fitscope.track import _schema as schema

from .conftest import CHROMIUM, NO_BROWSER, shot
from .test_browser import _serving

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_BROWSER)


def _bulk_store(path: Path, n: int) -> None:
    """``n`` finished runs with a val loss each, inserted in bulk (as bench/store_scale.py)."""
    store = fitscope.Store(path)
    with store.engine.begin() as conn:
        conn.execute(
            schema.runs.insert(),
            [
                {"id": f"{i:032x}", "project": "big" if i % 2 else "small", "name": f"run-{i:03d}",
                 "status": "finished", "config": "{}", "start_time": 1.7e9 + i,
                 "end_time": 1.7e9 + i + 60}
                for i in range(n)
            ],
        )  # fmt: skip
        conn.execute(
            schema.series_summary.insert(),
            [
                {"run_id": f"{i:032x}", "split": "val", "metric": "loss", "count": 10,
                 "last": 1 + i / n, "last_step": 9, "best": 1 + i / n, "best_step": 9}
                for i in range(n)
            ],
        )  # fmt: skip
    store.close()


def test_runs_page_pages_sorts_and_searches_on_the_server(tmp_path: Path, page: Any) -> None:
    _bulk_store(tmp_path / "runs.db", 120)
    with _serving(tmp_path / "runs.db") as url:
        page.goto(url)
        page.wait_for_selector("tr.run-row")
        rows = page.locator("tr.run-row a.run-link")
        assert rows.count() == 50 and rows.first.inner_text() == "run-119"  # newest first
        assert page.locator("#page-info").inner_text() == "1–50 of 120 runs"
        assert page.locator("#prev-page").is_disabled()
        page.click("#next-page")
        page.wait_for_function("document.getElementById('page-info').textContent.startsWith('51')")
        assert rows.first.inner_text() == "run-069"
        page.click("#next-page")
        page.wait_for_function("document.getElementById('page-info').textContent.startsWith('101')")
        assert rows.count() == 20 and page.locator("#next-page").is_disabled()
        shot(page, "runs-paged.png")
        # sorting by a summary column starts again at the first page, in the database's order
        page.click("th[data-key=best_val_loss]")
        page.wait_for_selector("th.sorted-asc[data-key=best_val_loss]")
        page.wait_for_function("document.getElementById('page-info').textContent.startsWith('1–')")
        assert rows.first.inner_text() == "run-000"
        page.select_option("#project-filter", "big")
        page.wait_for_function(
            "document.getElementById('page-info').textContent.endsWith('60 runs')"
        )
        page.fill("#search", "run-11")
        page.wait_for_function(
            "document.getElementById('page-info').textContent === '1–5 of 5 runs'"
        )
        assert rows.all_text_contents() == ["run-111", "run-113", "run-115", "run-117", "run-119"]
        assert page.errors == [] and page.outside == []


def _config_store(path: Path, n: int) -> dict[str, dict[str, Any]]:
    """``n`` runs logged through the public API with differing configs (a nested key among
    them); returns each run's config by name."""
    store = fitscope.Store(path)
    configs: dict[str, dict[str, Any]] = {}
    for i in range(n):
        config = {
            "lr": round(0.001 + ((i * 37) % n) / 1000, 6),  # a permutation: no two runs equal
            "depth": i % 3,
            "optimizer": {"name": "sgd" if i % 2 else "adam"},
        }
        with fitscope.init(project="p", name=f"cfg-{i:02d}", config=config, store=store) as run:
            run.log({"loss": 1.0 + i / n}, step=0, split="val")
        configs[f"cfg-{i:02d}"] = config
    store.close()
    return configs


def test_runs_table_shows_sorts_and_filters_config_columns(tmp_path: Path, page: Any) -> None:
    configs = _config_store(tmp_path / "runs.db", 60)
    by_lr = sorted(configs, key=lambda name: configs[name]["lr"])
    with _serving(tmp_path / "runs.db") as url:
        page.goto(url)
        page.wait_for_selector("tr.run-row")
        rows = page.locator("tr.run-row a.run-link")
        assert page.locator("th.config-col").count() == 0  # none chosen yet
        page.click("#column-chooser summary")
        page.check("input.config-key[data-key=lr]")
        page.check("input.config-key[data-key='optimizer.name']")
        page.wait_for_selector("th.config-col[data-key='config.lr']")
        assert page.locator("th.config-col").all_text_contents() == ["lr", "optimizer.name"]
        # the cells hold each run's own values
        for row in page.locator("tr.run-row").all()[:10]:
            name = row.locator("a.run-link").inner_text()
            lr = row.locator("td.config-cell[data-key=lr]").inner_text()
            opt = row.locator("td.config-cell[data-key='optimizer.name']").inner_text()
            assert float(lr) == pytest.approx(configs[name]["lr"], rel=1e-3)
            assert opt == configs[name]["optimizer"]["name"]
        # sorting by a config column is the server's: page 1 and page 2 continue one order
        page.click("th[data-key='config.lr']")
        page.wait_for_selector("th.sorted-asc[data-key='config.lr']")
        page.wait_for_function(
            f"document.querySelector('tr.run-row a').textContent === '{by_lr[0]}'"
        )
        assert rows.all_text_contents() == by_lr[:50]
        page.click("#next-page")
        page.wait_for_function(
            "document.getElementById('page-info').textContent === '51–60 of 60 runs'"
        )
        assert rows.all_text_contents() == by_lr[50:]
        page.click("#prev-page")
        page.wait_for_function(
            "document.getElementById('page-info').textContent.startsWith('1–50')"
        )
        page.click("th[data-key='config.lr']")
        page.wait_for_selector("th.sorted-desc[data-key='config.lr']")
        page.wait_for_function(
            f"document.querySelector('tr.run-row a').textContent === '{by_lr[-1]}'"
        )
        assert rows.all_text_contents() == by_lr[::-1][:50]
        # filtering on config keys (nested one dotted) is the server's too, sort kept
        page.fill("#config-filter", "optimizer.name=sgd depth=1")
        want = [
            n
            for n in by_lr[::-1]
            if configs[n]["optimizer"]["name"] == "sgd" and configs[n]["depth"] == 1
        ]
        page.wait_for_function(
            "document.getElementById('page-info').textContent === "
            f"'1–{len(want)} of {len(want)} runs'"
        )
        assert rows.all_text_contents() == want and page.locator("#next-page").is_disabled()
        assert set(
            page.locator("td.config-cell[data-key='optimizer.name']").all_text_contents()
        ) == {"sgd"}
        # the chosen columns outlive a reload (localStorage); the two views link to each other
        page.reload()
        page.wait_for_selector("th.config-col[data-key='config.optimizer.name']")
        page.click("#to-params")
        page.wait_for_selector("#parallel")
        page.click("#to-runs")
        page.wait_for_selector("th.config-col[data-key='config.lr']")
        assert page.errors == [] and page.outside == []
