"""What reading a store gives back: values that hold their data, with no connection behind them.

A :class:`RunRecord` is read in a fixed number of statements and then never touches the store
again: it holds the run's metadata, the (split, metric) pairs it logged, and the series and
prediction snapshots it was read with (all of them unless the reader asked for fewer; see
:meth:`fitscope.Store.get_run`). Asking it for a part it was read without raises an error
that says how to read that part, rather than quietly querying a store.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from fitscope._names import direction
from fitscope.errors import InvalidInputError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["History", "PredictionSnapshot", "RunRecord", "summarize"]


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

    @classmethod
    def empty(cls, metric: str, split: str) -> History:
        """A series with no points."""
        return cls(
            metric,
            split,
            np.empty(0, dtype=np.int64),
            np.empty(0, dtype=np.float64),
            np.empty(0, dtype=np.float64),
        )


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
    """A run as the store held it when it was read: a value, with no store behind it.

    ``pairs`` lists every (split, metric) the run logged; ``histories`` holds the series data
    read with it (keyed by (split, metric); ``None`` when read without series data) and
    ``snapshots`` its prediction snapshots (``None`` when read without them).

    >>> import numpy as np
    >>> h = History("loss", "train", np.array([0, 1]), np.array([0.7, 0.4]), np.zeros(2))
    >>> record = RunRecord("r1", "demo", "first", "finished", {}, [], 0.0, 2.0,
    ...                    pairs=(("train", "loss"),), histories={("train", "loss"): h},
    ...                    snapshots=())
    >>> record.history("loss").values.tolist(), record.summary["train/loss"]["best"]
    ([0.7, 0.4], 0.4)
    """

    id: str
    project: str
    name: str
    status: str  # "running" | "finished" | "failed" | "crashed"
    config: dict[str, Any]
    tags: list[str]
    start_time: float
    end_time: float | None
    pairs: tuple[tuple[str, str], ...] = ()
    histories: Mapping[tuple[str, str], History] | None = field(
        default=None, repr=False, compare=False
    )
    snapshots: tuple[PredictionSnapshot, ...] | None = field(
        default=None, repr=False, compare=False
    )
    series_keys: Mapping[tuple[str, str], str] = field(
        default_factory=dict, repr=False, compare=False
    )
    #: Points the store refused to write (isolated by the writer; every other point was
    #: written). Their keys, steps and reasons: ``fitscope.track._writer.refused``.
    refused: int = 0

    @property
    def duration(self) -> float | None:
        """Seconds from start to end (None while running)."""
        return None if self.end_time is None else self.end_time - self.start_time

    def series(self) -> list[tuple[str, str]]:
        """The (split, metric) pairs this run logged, sorted."""
        return list(self.pairs)

    def history(self, metric: str, split: str = "train") -> History:
        """Every logged value of ``metric`` on ``split``, ordered by step (no points when the
        run never logged that series)."""
        key = (split, metric)
        if self.histories is not None and key in self.histories:
            return self.histories[key]
        if key not in self.pairs:
            return History.empty(metric, split)
        raise InvalidInputError(
            f"metric and split must name a series this record was read with. Got {metric!r} "
            f"on {split!r}, which run {self.id!r} logged but which was read without its "
            f"points. Read it with store.get_run({self.id!r}) (every series) or "
            f"store.get_run({self.id!r}, series=[({split!r}, {metric!r})])."
        )

    def keys(self) -> dict[tuple[str, str], str]:
        """The key as written (``"val/loss"``) of each series read from one, by (split, metric)."""
        return dict(self.series_keys)

    def key(self, metric: str, split: str = "train") -> str:
        """What to call a series when showing it: the key as written, else the metric."""
        return self.series_keys.get((split, metric), metric)

    def predictions(self, split: str | None = None) -> list[PredictionSnapshot]:
        """Prediction snapshots, sorted by (split, step); only ``split``'s when given."""
        if self.snapshots is None:
            raise InvalidInputError(
                "predictions must be read with the record. Got a record of run "
                f"{self.id!r} read without its prediction snapshots. Read it with "
                f"store.get_run({self.id!r}) or store.get_run({self.id!r}, predictions=True)."
            )
        return [s for s in self.snapshots if split is None or s.split == split]

    @property
    def summary(self) -> dict[str, dict[str, Any]]:
        """Final and best value of every series, keyed ``"split/metric"``."""
        return {
            f"{split}/{metric}": summarize(metric, self.history(metric, split))
            for split, metric in self.pairs
        }
