"""Modules that once imported each other (a circle, closed by an import inside a function) now
depend one way: the lower module imports nothing of the upper one, not even lazily."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import fitscope

SRC = Path(fitscope.__file__).resolve().parent


def _imported(module: str) -> set[str]:
    """Every fitscope module ``module`` names in an import, at any depth of its code."""
    path = SRC.joinpath(*module.split(".")[1:])
    path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            out |= {f"{node.module}.{alias.name}" for alias in node.names}
    return out


#: (lower, upper): the upper module may import the lower one, never the reverse.
ONE_WAY = [
    ("fitscope.track._listing", "fitscope.track.store"),
    ("fitscope.track._offline", "fitscope.track.remote"),
    ("fitscope.track.ingest", "fitscope.track.run"),  # _offline replays through the ingest
    ("fitscope.track._wire", "fitscope.track.remote"),
    ("fitscope.track._schema", "fitscope.track._rollup"),
    ("fitscope.track._schema", "fitscope.track._migrate"),
    ("fitscope.track.run", "fitscope.track.habits"),
    ("fitscope.track._config", "fitscope.track.habits"),
    ("fitscope.track._current", "fitscope.track.habits"),
    ("fitscope.views.live", "fitscope.integrations.notebook"),
    ("fitscope.integrations.notebook", "fitscope.views.notebook"),
]


@pytest.mark.parametrize(("lower", "upper"), ONE_WAY)
def test_the_lower_module_does_not_import_the_upper_one(lower: str, upper: str) -> None:
    assert upper not in _imported(lower)


def test_the_records_import_nothing_of_the_store() -> None:
    """records.py (with summarize, the final/best of a series) is a pure value module."""
    assert not {m for m in _imported("fitscope.track.records") if m.startswith("fitscope.track")}


def test_the_wire_form_keeps_its_old_address() -> None:
    from fitscope.track import _wire, remote

    names = ("MAX_ARRAY_BYTES", "pack", "pack_npy", "snapshot", "unpack", "unpack_npy")
    assert all(getattr(remote, n) is getattr(_wire, n) for n in names)


def test_the_run_values_keep_their_old_address(tmp_path: Path) -> None:
    """Config and Summary (now in _config) and current (now in _current) are still habits'."""
    from fitscope.track import _config, _current, habits

    assert (habits.Config, habits.Summary) == (_config.Config, _config.Summary)
    before = habits.current()  # a run an earlier test left unfinished, or None
    run = habits.init(project="layers", store=str(tmp_path / "runs.db"))
    assert habits.current() is _current.current() is run
    run.finish()  # Run.finish takes it off the current run, as fitscope.finish() does
    assert habits.current() is before
