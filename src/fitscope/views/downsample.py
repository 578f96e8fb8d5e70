"""Downsampling that never hides a spike, and EMA smoothing as TensorBoard draws it.

Pure numpy: both functions take arrays and return arrays; nothing here prints or plots.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from fitscope.errors import InvalidInputError

__all__ = ["SMOOTHING_STEPS", "ema", "minmax_indices", "raw_weight", "smoothed_at"]

#: The smoothing weights the dashboard and the report offer (their sliders step through these).
SMOOTHING_STEPS = (0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.97, 0.99)


def minmax_indices(values: ArrayLike, max_points: int) -> NDArray[np.int64]:
    """Indices to keep so that a line through them keeps every bucket's extremes.

    The points between the first and the last are cut into ``k = (max_points - 2) // 2``
    buckets of ``ceil((n - 2) / k)`` consecutive points (the last bucket may be shorter); each
    bucket keeps the index of its minimum and of its maximum (the first one on ties, in their
    original order), the first and last points are always kept, and so is every NaN or
    infinite point, so a spike or a diverged step is never hidden. With at most ``max_points``
    points every index is kept.
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
    size = -(-(n - 2) // n_buckets)  # ceil: every bucket has `size` points but the last
    finite = np.isfinite(y)
    # Non-finite points are kept separately; inside the buckets they must not win min or max.
    # Padding the interior to a whole number of rows lets one argmin / argmax per row do it.
    interior = y[1 : n - 1]
    pad = n_buckets * size - interior.size
    lo = np.concatenate((np.where(np.isfinite(interior), interior, np.inf), np.full(pad, np.inf)))
    hi = np.concatenate((np.where(np.isfinite(interior), interior, -np.inf), np.full(pad, -np.inf)))
    lo, hi = lo.reshape(n_buckets, size), hi.reshape(n_buckets, size)
    rows = np.arange(n_buckets)
    i_min, i_max = lo.argmin(axis=1), hi.argmax(axis=1)
    # A row with no finite value (all NaN / inf, or only padding) keeps nothing of its own.
    ok_min, ok_max = np.isfinite(lo[rows, i_min]), np.isfinite(hi[rows, i_max])
    chosen = np.concatenate(
        (
            [0, n - 1],
            1 + rows[ok_min] * size + i_min[ok_min],
            1 + rows[ok_max] * size + i_max[ok_max],
            np.flatnonzero(~finite),
        )
    )
    return np.unique(chosen).astype(np.int64)


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


def raw_weight(weight: float, n_total: int, max_points: int) -> float:
    """The per-point EMA weight that smooths a series of ``n_total`` points drawn with
    ``max_points`` as ``weight`` smooths the drawn points.

    ``weight`` is read per drawn point (as TensorBoard smooths the points it draws); each raw
    point then gets ``weight ** (max_points / n_total)`` so the window covers the same share of
    the x-axis while every raw point counts. A series that is not downsampled keeps ``weight``.

    >>> raw_weight(0.6, 100, 2000)
    0.6
    >>> round(raw_weight(0.6, 1_000_000, 2000) ** 500, 6)
    0.6
    """
    if not (isinstance(weight, int | float) and 0.0 <= weight < 1.0):
        raise InvalidInputError(f"weight must be a number in [0, 1). Got {weight!r} instead.")
    stride = max(1.0, n_total / max(int(max_points), 1))
    return float(weight ** (1.0 / stride))


def smoothed_at(
    values: ArrayLike, indices: ArrayLike, weight: float, max_points: int
) -> NDArray[np.float64]:
    """The EMA of the whole series at ``indices`` (the drawn points), never of the drawn points.

    The average runs over every raw value with :func:`raw_weight`, then only the drawn
    indices are kept, so a min/max-downsampled line is smoothed as the data are, not as its
    extremes are (an EMA over the kept minima and maxima follows their midpoint instead).

    >>> import numpy as np
    >>> y = np.tile([0.0, 1.0], 50_000)            # mean 0.5, extremes 0 and 1
    >>> idx = minmax_indices(y, 200)
    >>> s = smoothed_at(y, idx, 0.9, 200)
    >>> bool(np.all(np.abs(s[10:] - 0.5) < 0.01))
    True
    """
    y = np.asarray(values, dtype=np.float64)
    return ema(y, raw_weight(weight, y.shape[0], max_points))[np.asarray(indices, dtype=np.int64)]
