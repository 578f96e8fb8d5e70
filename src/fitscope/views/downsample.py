"""Downsampling that never hides a spike, and EMA smoothing as TensorBoard draws it.

Pure numpy: both functions take arrays and return arrays; nothing here prints or plots.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from fitscope.errors import InvalidInputError

__all__ = ["ema", "minmax_indices"]


def minmax_indices(values: ArrayLike, max_points: int) -> NDArray[np.int64]:
    """Indices to keep so that a line through them keeps every bucket's extremes.

    The series is cut into ``(max_points - 2) // 2`` equal buckets of consecutive points; each
    bucket keeps the index of its minimum and of its maximum (in their original order), the
    first and last points are always kept, and so is every NaN or infinite point, so a spike or
    a diverged step is never hidden. With at most ``max_points`` points every index is kept.
    The result is sorted and has at most ``max_points`` indices plus the non-finite ones.

    >>> import numpy as np
    >>> y = np.zeros(1000); y[500] = 9.0; y[700] = np.nan
    >>> idx = minmax_indices(y, 20)
    >>> 500 in idx, 700 in idx, int(idx[0]), int(idx[-1]), len(idx) <= 21
    (True, True, 0, 999, True)
    """
    y = np.asarray(values, dtype=np.float64)
    if y.ndim != 1:
        raise InvalidInputError(f"values must be 1-D. Got shape {y.shape} instead.")
    if isinstance(max_points, bool) or not isinstance(max_points, int | np.integer):
        raise InvalidInputError(f"max_points must be an integer >= 4. Got {max_points!r} instead.")
    if max_points < 4:
        raise InvalidInputError(f"max_points must be an integer >= 4. Got {max_points} instead.")
    n = y.shape[0]
    if n <= max_points:
        return np.arange(n, dtype=np.int64)
    n_buckets = (int(max_points) - 2) // 2
    finite = np.isfinite(y)
    # Non-finite points are kept separately; inside the buckets they must not win min or max.
    lo_fill = np.where(finite, y, np.inf)
    hi_fill = np.where(finite, y, -np.inf)
    edges = np.linspace(1, n - 1, n_buckets + 1).astype(np.int64)
    starts, stops = edges[:-1], edges[1:]
    keep = stops > starts
    starts, stops = starts[keep], stops[keep]
    # reduceat gives each bucket's extreme (its last segment runs to the end of the array it is
    # given, so the array is cut at the last bucket's end); the kept index is the first one in
    # the bucket holding that extreme.
    end = int(stops[-1])
    mins = np.minimum.reduceat(lo_fill[:end], starts)
    maxs = np.maximum.reduceat(hi_fill[:end], starts)
    bucket_of = np.repeat(np.arange(starts.size), stops - starts)
    pos = np.arange(starts[0], stops[-1])
    is_min = lo_fill[pos] == mins[bucket_of]
    is_max = hi_fill[pos] == maxs[bucket_of]
    first_min = _first_per_bucket(pos, bucket_of, is_min, starts.size)
    first_max = _first_per_bucket(pos, bucket_of, is_max, starts.size)
    chosen = np.concatenate(
        ([0, n - 1], first_min[first_min >= 0], first_max[first_max >= 0], np.flatnonzero(~finite))
    )
    return np.unique(chosen).astype(np.int64)


def _first_per_bucket(
    pos: NDArray[np.int64], bucket_of: NDArray[np.int64], hit: NDArray[np.bool_], n: int
) -> NDArray[np.int64]:
    out = np.full(n, -1, dtype=np.int64)
    hits = pos[hit]
    buckets = bucket_of[hit]
    # Assigning in reverse leaves the first hit of each bucket in place.
    out[buckets[::-1]] = hits[::-1]
    return out


def ema(values: ArrayLike, weight: float) -> NDArray[np.float64]:
    """Exponential moving average with TensorBoard's debiasing.

    ``s_t = weight * s_{t-1} + (1 - weight) * y_t`` from ``s_{-1} = 0``, divided by
    ``1 - weight ** (t + 1)`` (the same correction as Adam's), so the first points are not
    dragged toward zero. Non-finite points are passed through as they are and skipped by the
    average (TensorBoard does the same), so smoothing never hides a NaN either.

    >>> ema([1.0, 1.0, 1.0], 0.9).tolist()
    [1.0, 1.0, 1.0]
    >>> ema([0.0, 1.0], 0.5).round(4).tolist()
    [0.0, 0.6667]
    """
    if not (isinstance(weight, int | float) and 0.0 <= weight < 1.0):
        raise InvalidInputError(f"weight must be a number in [0, 1). Got {weight!r} instead.")
    y = np.asarray(values, dtype=np.float64)
    out = y.copy()
    finite = np.isfinite(y)
    kept = y[finite]
    if kept.size:
        from scipy.signal import lfilter

        raw = lfilter([1.0 - weight], [1.0, -weight], kept)
        debias = 1.0 - weight ** np.arange(1, kept.size + 1, dtype=np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            out[finite] = np.where(debias > 0, raw / np.where(debias > 0, debias, 1.0), kept)
    return out
