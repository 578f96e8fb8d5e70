"""Final and best values of a tracked series, and which way is better for it."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from fitscope._names import direction

if TYPE_CHECKING:  # pragma: no cover
    from fitscope.track.records import History


def higher_is_better(metric: str) -> bool | None:
    """The direction of a logged metric name (see :func:`fitscope._names.direction`); None
    when unknown, and then no "best" value is reported."""
    return direction(metric)


def summarize(metric: str, history: History) -> dict[str, Any]:
    """``{"final", "final_step", "points", "best", "best_step", "higher_is_better"}`` of one
    series.

    NaN values never count as best (a diverged epoch is not the best one).
    """
    direction = higher_is_better(metric)
    out: dict[str, Any] = {
        "final": float(history.values[-1]) if len(history) else math.nan,
        "final_step": int(history.steps[-1]) if len(history) else None,
        "points": len(history),
        "best": None,
        "best_step": None,
        "higher_is_better": direction,
    }
    if direction is None or not len(history):
        return out
    values = history.values
    finite = ~np.isnan(values)
    if not finite.any():
        return out
    masked = np.where(finite, values, -np.inf if direction else np.inf)
    i = int(np.argmax(masked) if direction else np.argmin(masked))
    out["best"] = float(values[i])
    out["best_step"] = int(history.steps[i])
    return out
