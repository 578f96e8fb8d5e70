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
