"""Final and best values of a tracked series, and which way is better for it."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from fitscope.errors import UnknownMetricError
from fitscope.metrics import describe

if TYPE_CHECKING:  # pragma: no cover
    from fitscope.track.records import History

# Names that every framework logs but that are not metric names in fitscope's registry. "loss"
# is whatever the optimizer minimises, so lower is better by definition, not by guessing.
_ALIASES = {"loss": False, "acc": True}


def higher_is_better(metric: str) -> bool | None:
    """The direction of a logged metric name: registry first, then the few framework aliases;
    None when unknown (then no "best" value is reported)."""
    if metric in _ALIASES:
        return _ALIASES[metric]
    try:
        return describe(metric).higher_is_better
    except UnknownMetricError:
        return None


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
