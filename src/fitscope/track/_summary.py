"""Final and best values of a tracked series, and which way is better for it."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from fitscope._names import direction

if TYPE_CHECKING:  # pragma: no cover
    from fitscope.track.records import History


def summarize(metric: str, history: History) -> dict[str, Any]:
    """``{"final", "final_step", "points", "best", "best_step", "higher_is_better"}`` of one
    series.

    NaN values never count as best (a diverged epoch is not the best one).
    """
    better = direction(metric)
    out: dict[str, Any] = {
        "final": float(history.values[-1]) if len(history) else math.nan,
        "final_step": int(history.steps[-1]) if len(history) else None,
        "points": len(history),
        "best": None,
        "best_step": None,
        "higher_is_better": better,
    }
    if better is None or not len(history):
        return out
    values = history.values
    finite = ~np.isnan(values)
    if not finite.any():
        return out
    masked = np.where(finite, values, -np.inf if better else np.inf)
    i = int(np.argmax(masked) if better else np.argmin(masked))
    out["best"] = float(values[i])
    out["best_step"] = int(history.steps[i])
    return out
