"""Each view names the extra to install when its optional dependency is missing."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import fitscope
from fitscope.errors import MissingDependencyError


def _record(tmp_path: Path) -> Any:
    store = fitscope.Store(tmp_path / "r.db")
    with fitscope.init(store=store) as run:
        run.log({"loss": 0.5, "accuracy": 0.8})
    return store.get_run(run.id)


def _web(tmp_path: Path) -> Any:
    from fitscope.web import create_app

    return create_app(fitscope.Store(tmp_path / "w.db"))


def _report(tmp_path: Path) -> Any:
    from fitscope.views.report import render_report

    return render_report(_record(tmp_path))


def _plot(tmp_path: Path) -> Any:
    from fitscope.views.plots import plot_run

    return plot_run(_record(tmp_path), tmp_path)


def _notebook(tmp_path: Path) -> Any:
    from fitscope.views.notebook import LivePlot

    return LivePlot(backend="matplotlib")


@pytest.mark.parametrize(
    ("module", "extra", "make"),
    [
        ("fastapi", "web", _web),
        ("plotly", "web", _report),
        ("matplotlib", "plot", _plot),
        ("matplotlib", "notebook", _notebook),
    ],
)
def test_missing_dependency_names_the_extra(
    module: str,
    extra: str,
    make: Callable[[Path], Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # import of it now raises ImportError
    with pytest.raises(MissingDependencyError, match=rf'pip install "fitscope\[{extra}\]"'):
        make(tmp_path)
