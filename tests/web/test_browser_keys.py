"""Issue 15 on the page: a legend names a curve by the key the user wrote ("val/loss",
"Loss/val"), else by its split (``log(..., split=)``, runs logged before keys were kept).

The dashboard and the self-contained report in Playwright driving Debian's Chromium (as
tests/web/test_browser.py does); the PNG plots with matplotlib.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import fitscope
from fitscope.views.plots import draw_chart
from fitscope.views.report import render_report

from .test_browser import _serving

pytest.importorskip("uvicorn")

HOSTILE_KEY = "<b>val</b>/loss"  # a key is user text: shown as typed, never as markup


def _fill(path: Path) -> dict[str, str]:
    ids: dict[str, str] = {}
    store = fitscope.Store(path)
    with fitscope.init(project="keys", name="wandb-style", store=store) as run:
        for epoch in range(12):  # wandb's habit: the split is in the key
            run.log({"train/loss": 1.0 / (epoch + 1), "Loss/val": 1.2 / (epoch + 1)})
            run.log({"val_accuracy": epoch / 12})
        ids["keys"] = run.id
    with fitscope.init(project="keys", name="explicit-split", store=store) as run:
        for epoch in range(12):  # keys taken literally: no key as written is kept
            run.log({"loss": 1.0 / (epoch + 1)}, step=epoch)
            run.log({"loss": 1.2 / (epoch + 1)}, step=epoch, split="val")
        ids["split"] = run.id
    with fitscope.init(project="keys", name="hostile", store=store) as run:
        run.log({HOSTILE_KEY: 0.5, "train/loss": 0.4})
        run.log({HOSTILE_KEY: 0.3, "train/loss": 0.2})
        ids["hostile"] = run.id
    store.close()
    return ids


@pytest.fixture(scope="module")
def keyed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    path = tmp_path_factory.mktemp("keys") / "runs.db"
    served: dict[str, Any] = {"ids": _fill(path), "path": path}
    with _serving(path) as served["url"]:
        yield served


def _legend(page: Any, chart: str) -> list[str]:
    page.wait_for_selector(f"#{chart} .legendtext")
    texts: list[str] = page.locator(f"#{chart} .legendtext").all_text_contents()
    return texts


def _hover_names(page: Any, chart: str) -> list[str]:
    names: list[str] = page.evaluate(
        "(c) => document.getElementById(c).data.filter(t => t.meta.role === 'raw')"
        ".map(t => t.name)",
        chart,
    )
    return names


def test_dashboard_legend_shows_the_keys_as_written(keyed: dict[str, Any], page: Any) -> None:
    page.goto(keyed["url"] + "#/run/" + keyed["ids"]["keys"])
    page.wait_for_selector("#chart-0 .main-svg")
    assert page.locator("#chart-0 .gtitle").text_content() == "loss"
    legend = _legend(page, "chart-0")
    assert "train/loss" in legend and "Loss/val" in legend
    assert "best Loss/val (step 22)" in legend
    assert sorted(_hover_names(page, "chart-0")) == ["Loss/val", "train/loss"]
    assert "val_accuracy" in _legend(page, "chart-1")
    # Smoothing on: the raw curve keeps the key, "(raw)" added; the smoothed one is the key.
    page.check("#smooth")
    page.wait_for_function(
        "document.getElementById('chart-0').data.some(t => t.meta.role === 'smoothed')"
    )
    names = page.evaluate("document.getElementById('chart-0').data.map(t => t.name)")
    assert {"train/loss (raw)", "train/loss", "Loss/val (raw)", "Loss/val"} <= set(names)
    assert page.errors == [] and page.outside == []


def test_dashboard_legend_falls_back_to_the_split(keyed: dict[str, Any], page: Any) -> None:
    page.goto(keyed["url"] + "#/run/" + keyed["ids"]["split"])
    page.wait_for_selector("#chart-0 .main-svg")
    legend = _legend(page, "chart-0")
    assert "train" in legend and "val" in legend
    assert not [t for t in legend if "/" in t and not t.startswith("best")], legend
    assert page.errors == [] and page.outside == []


def test_a_key_is_shown_as_typed_never_as_markup(keyed: dict[str, Any], page: Any) -> None:
    page.goto(keyed["url"] + "#/run/" + keyed["ids"]["hostile"])
    page.wait_for_selector("#chart-0 .main-svg")
    # read as metric "<b>val<_b>_loss" of train: a chart of its own, after loss's
    page.wait_for_selector("#chart-1 .main-svg")
    assert _legend(page, "chart-1")[0] == HOSTILE_KEY
    assert page.locator("#charts b").count() == 0
    assert page.errors == [] and page.outside == []


def test_report_legend_shows_the_keys_as_written(
    keyed: dict[str, Any], page: Any, tmp_path: Path
) -> None:
    store = fitscope.Store(keyed["path"])
    for role, expected in (("keys", {"train/loss", "Loss/val"}), ("split", {"train", "val"})):
        path = tmp_path / f"{role}.html"
        path.write_text(render_report(store.get_run(keyed["ids"][role])), encoding="utf-8")
        page.goto(path.as_uri())
        page.wait_for_selector("#chart-0 .main-svg")
        assert expected <= set(_legend(page, "chart-0")), role
    store.close()
    assert page.errors == []


def test_png_legend_shows_the_keys_as_written(keyed: dict[str, Any]) -> None:
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure

    from fitscope.views.data import chart_specs

    store = fitscope.Store(keyed["path"])
    for role, expected in (("keys", ["train/loss", "Loss/val"]), ("split", ["train", "val"])):
        (chart,) = [
            c for c in chart_specs(store.get_run(keyed["ids"][role])) if c["metric"] == "loss"
        ]
        ax = Figure().subplots()
        draw_chart(ax, chart)
        labels = ax.get_legend_handles_labels()[1]
        assert sorted(labels[:2]) == sorted(expected), (role, labels)
        assert labels[2].startswith(f"best {expected[1]} (step")
    store.close()
