"""The current run: the run started last by ``fitscope.init`` and not finished yet, which the
module-level ``log`` / ``finish`` / ``config`` / ``summary`` act on (``habits.py``). A run
leaves it when it finishes, however it is finished (``run.finish()``, ``fitscope.finish()``).
"""

from __future__ import annotations

from typing import Any

__all__ = ["current", "forget", "start"]

_runs: list[Any] = []


def current() -> Any:
    """The run started last by :func:`fitscope.init` and not finished yet, else None."""
    return _runs[-1] if _runs else None


def start(run: Any) -> None:
    """Make ``run`` the current run."""
    _runs.append(run)


def forget(run: Any) -> None:
    """``run`` finished: it is no longer current (the run started before it is, again)."""
    if run in _runs:
        _runs.remove(run)
