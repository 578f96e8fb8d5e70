"""What reading a store gives back: plain snapshots, with no connection behind them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["History", "PredictionSnapshot", "RunRecord"]


@dataclass(frozen=True)
class History:
    """One metric of one split over time: three aligned arrays, ordered by step."""

    metric: str
    split: str
    steps: NDArray[np.int64]
    values: NDArray[np.float64]
    times: NDArray[np.float64]

    def __len__(self) -> int:
        return int(self.steps.shape[0])

    def to_pandas(self) -> pd.DataFrame:
        """The series as a DataFrame with columns step, value, time (needs pandas)."""
        from fitscope._optional import require

        pandas = require("pandas", extra="pandas")
        return pandas.DataFrame({"step": self.steps, "value": self.values, "time": self.times})


@dataclass(frozen=True)
class PredictionSnapshot:
    """Per-sample labels and predictions of one split at one step."""

    split: str
    step: int
    time: float
    y_true: NDArray[Any]
    y_pred: NDArray[Any]
    ids: NDArray[Any] | None = None


@dataclass(frozen=True)
class RunRecord:
    """A run as the store holds it. Series and snapshots are read on demand."""

    id: str
    project: str
    name: str
    status: str  # "running" | "finished" | "failed" | "crashed"
    config: dict[str, Any]
    tags: list[str]
    start_time: float
    end_time: float | None
    _series: Callable[[], list[tuple[str, str]]] = field(repr=False, compare=False)
    _history: Callable[[str, str], History] = field(repr=False, compare=False)
    _predictions: Callable[[str | None], list[PredictionSnapshot]] = field(
        repr=False, compare=False
    )
    _keys: Callable[[], dict[tuple[str, str], str]] = field(default=dict, repr=False, compare=False)

    @property
    def duration(self) -> float | None:
        """Seconds from start to end (None while running)."""
        return None if self.end_time is None else self.end_time - self.start_time

    def series(self) -> list[tuple[str, str]]:
        """The (split, metric) pairs this run logged, sorted."""
        return self._series()

    def history(self, metric: str, split: str = "train") -> History:
        """Every logged value of ``metric`` on ``split``, ordered by step."""
        return self._history(metric, split)

    def keys(self) -> dict[tuple[str, str], str]:
        """The key as written (``"val/loss"``) of each series read from one, by (split, metric)."""
        return self._keys()

    def key(self, metric: str, split: str = "train") -> str:
        """What to call a series when showing it: the key as written, else the metric."""
        return self._keys().get((split, metric), metric)

    def predictions(self, split: str | None = None) -> list[PredictionSnapshot]:
        """Prediction snapshots, sorted by (split, step); only ``split``'s when given."""
        return self._predictions(split)

    @property
    def summary(self) -> dict[str, dict[str, Any]]:
        """Final and best value of every series, keyed ``"split/metric"``."""
        from fitscope.track._summary import summarize

        return {
            f"{split}/{metric}": summarize(metric, self.history(metric, split))
            for split, metric in self.series()
        }
