"""Pure signals over one curve (a 1-D array of per-epoch values): numpy only, no I/O.

The rules in :mod:`fitscope.doctor.curves` and the trainers' early stopping are built on these,
so "did it improve?" means the same thing everywhere.

>>> import numpy as np
>>> scan = patience_scan(np.array([3.0, 2.0, 2.5, 2.1]), patience=2)
>>> scan.best_index, scan.stop_index
(1, 3)
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray

__all__ = [
    "PatienceScan",
    "PatienceState",
    "Trend",
    "first_nonfinite",
    "improved",
    "jitter",
    "noise_scale",
    "patience_scan",
    "patience_step",
    "smooth",
    "trend",
]

FloatArray = NDArray[np.float64]


def improved(
    value: float, best: float, *, min_delta: float = 0.0, higher_is_better: bool = False
) -> bool:
    """Whether ``value`` beats ``best`` by more than ``min_delta`` in the metric's direction.

    >>> improved(0.4, 0.5), improved(0.5, 0.5), improved(0.9, 0.8, higher_is_better=True)
    (True, False, True)
    """
    if higher_is_better:
        return value > best + min_delta
    return value < best - min_delta


class PatienceState(NamedTuple):
    """The running best of a curve and how many steps have passed without beating it."""

    best: float
    best_index: int
    wait: int


def patience_step(
    state: PatienceState | None,
    value: float,
    index: int,
    *,
    min_delta: float = 0.0,
    higher_is_better: bool = False,
) -> PatienceState:
    """Advance the running best by one value (``state`` None starts a new scan).

    A NaN never improves (comparisons with NaN are false), so it counts as a step of waiting.

    >>> s = patience_step(None, 2.0, 1)
    >>> s = patience_step(s, 2.5, 2)
    >>> s
    PatienceState(best=2.0, best_index=1, wait=1)
    """
    if state is None:
        start = -np.inf if higher_is_better else np.inf
        state = PatienceState(float(start), -1, 0)
    if improved(value, state.best, min_delta=min_delta, higher_is_better=higher_is_better):
        return PatienceState(float(value), index, 0)
    return PatienceState(state.best, state.best_index, state.wait + 1)


class PatienceScan(NamedTuple):
    """``best_index``: where the best value was reached (-1 if none was finite);
    ``stop_index``: the first index at which ``patience`` values in a row failed to improve
    (None if that never happened); ``wait``: values since the best at the end of the curve."""

    best: float
    best_index: int
    stop_index: int | None
    wait: int


def patience_scan(
    values: FloatArray,
    *,
    patience: int,
    min_delta: float = 0.0,
    higher_is_better: bool = False,
) -> PatienceScan:
    """Run :func:`patience_step` over a whole curve, as early stopping would have."""
    state: PatienceState | None = None
    stop: int | None = None
    for i, value in enumerate(np.asarray(values, dtype=np.float64)):
        state = patience_step(
            state, float(value), i, min_delta=min_delta, higher_is_better=higher_is_better
        )
        if stop is None and state.wait >= patience:
            stop = i
    if state is None:
        return PatienceScan(float("nan"), -1, None, 0)
    return PatienceScan(state.best, state.best_index, stop, state.wait)


def smooth(values: FloatArray, window: int | None = None) -> FloatArray:
    """A running median (robust to single spikes) followed by a running mean, both centred,
    with windows that shrink at the ends so the first and last epochs keep their own level.

    The default window is ``n // 8`` clipped to 3..9 epochs: wide enough to average noise,
    narrow enough to keep a turn in the curve within a few epochs of where it happened.

    >>> smooth(np.array([1.0, 1.0, 9.0, 1.0, 1.0])).tolist()
    [1.0, 1.0, 1.0, 1.0, 1.0]
    """
    x = np.asarray(values, dtype=np.float64)
    n = x.size
    if n < 3:
        return x.copy()
    w = window if window is not None else min(max(3, n // 8), 9)
    half = max(1, w // 2)
    med = np.empty(n)
    full = 2 * half + 1
    if n >= full:  # interior: every full window at once
        med[half : n - half] = np.median(sliding_window_view(x, full), axis=1)
    for i in [*range(min(half, n)), *range(max(half, n - half), n)]:  # the shrinking ends
        med[i] = np.median(x[max(0, i - half) : i + half + 1])
    # Shrinking centred mean: the window at index i is symmetric and clipped by both ends.
    csum = np.concatenate([[0.0], np.cumsum(med)])
    i = np.arange(n)
    h = np.minimum(half, np.minimum(i, n - 1 - i))
    out: FloatArray = (csum[i + h + 1] - csum[i - h]) / (2 * h + 1)
    return out


def noise_scale(values: FloatArray) -> float:
    """A robust standard deviation of the epoch-to-epoch noise: 1.4826 * MAD of the first
    differences, divided by sqrt(2) (a difference carries the noise of two epochs). Working on
    differences keeps a smooth trend out of it, and the MAD keeps single spikes out."""
    d = np.diff(np.asarray(values, dtype=np.float64))
    if d.size < 2:
        return 0.0
    return float(1.4826 * np.median(np.abs(d - np.median(d))) / np.sqrt(2.0))


class Trend(NamedTuple):
    """A least-squares line through the last ``window`` values: ``slope`` per step, its
    standard error ``stderr`` and ``t`` = slope / stderr (0 when the line fits exactly)."""

    slope: float
    stderr: float
    t: float
    window: int


def trend(values: FloatArray, window: int) -> Trend:
    """Fit a line to the last ``window`` values.

    >>> round(trend(np.array([5.0, 4.0, 3.0, 2.0]), 4).slope, 6)
    -1.0
    """
    y = np.asarray(values, dtype=np.float64)[-window:]
    m = y.size
    if m < 3:
        return Trend(0.0, float("inf"), 0.0, m)
    x = np.arange(m, dtype=np.float64)
    x -= x.mean()
    sxx = float(x @ x)
    slope = float(x @ (y - y.mean()) / sxx)
    resid = y - y.mean() - slope * x
    stderr = float(np.sqrt(resid @ resid / (m - 2) / sxx))
    t = slope / stderr if stderr > 0 else (0.0 if slope == 0 else float(np.sign(slope)) * np.inf)
    return Trend(slope, stderr, float(t), m)


def jitter(values: FloatArray) -> float:
    """The typical epoch-to-epoch change relative to the level: 1.4826 * MAD of the first
    differences, divided by the median absolute value (0 for fewer than 3 values)."""
    x = np.asarray(values, dtype=np.float64)
    if x.size < 3:
        return 0.0
    d = np.diff(x)
    level = float(np.median(np.abs(x)))
    if level == 0:
        return 0.0
    return float(1.4826 * np.median(np.abs(d - np.median(d))) / level)


def first_nonfinite(values: FloatArray) -> int | None:
    """Index of the first NaN or infinite value, or None."""
    bad = np.flatnonzero(~np.isfinite(np.asarray(values, dtype=np.float64)))
    return int(bad[0]) if bad.size else None
