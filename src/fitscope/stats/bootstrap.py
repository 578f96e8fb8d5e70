"""Seeded, vectorised percentile bootstrap over per-sample sufficient statistics.

A metric is given as per-sample statistics ``stats`` (an ``(n, k)`` array whose column sums
are sufficient: correct counts, summed log losses, confusion cells...) and ``compute``, which
maps summed statistics ``(..., k)`` to the metric. A resample is then a vector of counts over
the samples, and every resample's sums are one matrix product ``counts @ stats``: no Python
loop over resamples and no copy of the data per resample.

Beyond :data:`MAX_GROUPS` samples the counts are drawn over random groups of samples instead
(the samples are shuffled with the seed and dealt into ``MAX_GROUPS`` groups of equal size,
whose statistics are summed first). Resampling random groups keeps the mean and the variance
of every sum (each group is an i.i.d. draw of ``n / G`` samples), which is what the percentile
interval of a smooth metric depends on (the "bootstrap of random shards" of Chamandy et al.,
2012); with at most ``MAX_GROUPS`` samples it is the ordinary bootstrap, sample by sample.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from fitscope.errors import InvalidInputError
from fitscope.metrics._kernels import one_blas_thread

__all__ = [
    "DEFAULT_RESAMPLES",
    "MAX_GROUPS",
    "Resampler",
    "bootstrap_interval",
    "paired_bootstrap",
    "unpaired_bootstrap",
]

#: Resamples by default; why 1,000: docs/compare.md, "How many resamples".
DEFAULT_RESAMPLES = 1000
#: Above this many samples, random groups of samples are resampled (see the module docstring).
MAX_GROUPS = 10_000

Compute = Callable[[NDArray[np.float64]], NDArray[np.float64]]


def _check_resamples(n_resamples: int) -> None:
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, int) or n_resamples < 100:
        raise InvalidInputError(
            f"n_resamples must be an integer >= 100. Got {n_resamples!r} instead."
        )


class Resampler:
    """The bootstrap counts of ``n`` samples: ``n_resamples`` rows, drawn from ``seed``.

    One resampler shared by two models' statistics makes a *paired* bootstrap: both are
    resampled with the same samples.

    >>> r = Resampler(5, n_resamples=200, seed=0)
    >>> r.counts.shape, bool((r.counts.sum(axis=1) == 5).all())
    ((200, 5), True)
    """

    def __init__(
        self, n: int, *, n_resamples: int = DEFAULT_RESAMPLES, seed: int = 0,
        max_groups: int = MAX_GROUPS,
    ) -> None:  # fmt: skip
        _check_resamples(n_resamples)
        if n < 1:
            raise InvalidInputError(f"n must be at least 1 sample. Got {n} instead.")
        rng = np.random.default_rng(seed)
        self.n = n
        self.n_resamples = n_resamples
        self.seed = seed
        groups = min(n, max_groups)
        self.groups = groups
        if groups < n:
            # Deal the shuffled samples into `groups` groups of (almost) equal size.
            self._group_of: NDArray[np.int64] | None = rng.permutation(n) % groups
        else:
            self._group_of = None
        # int32 draws and offsets: half the memory traffic of int64 (n_resamples * groups is
        # far below 2**31 at the defaults; int64 beyond that).
        small = n_resamples * groups < 2**31
        draws = rng.integers(
            0, groups, size=(n_resamples, groups), dtype=np.int32 if small else np.int64
        )
        draws += np.arange(0, n_resamples * groups, groups, dtype=draws.dtype)[:, None]
        flat = draws.ravel()
        self.counts = (
            np.bincount(flat, minlength=n_resamples * groups)
            .reshape(n_resamples, groups)
            .astype(np.float64)
        )

    def grouped(self, stats: ArrayLike) -> NDArray[np.float64]:
        """``stats`` (n, k) summed within each group: (groups, k)."""
        s = np.asarray(stats, dtype=np.float64)
        if s.ndim == 1:
            s = s[:, None]
        if s.shape[0] != self.n:
            raise InvalidInputError(
                f"stats must have one row per sample ({self.n}). Got {s.shape[0]} instead."
            )
        if self._group_of is None:
            return s
        return np.column_stack(
            [np.bincount(self._group_of, weights=s[:, j], minlength=self.groups)
             for j in range(s.shape[1])]
        )  # fmt: skip

    def sums(self, stats: ArrayLike) -> NDArray[np.float64]:
        """Every resample's column sums of ``stats``: (n_resamples, k), one matrix product."""
        grouped = self.grouped(stats)
        # One BLAS thread: this thin product (1,000 x 20,000 by k) is memory-bound, and a second
        # OpenBLAS thread waiting for a busy core cost more than it saved (bench/compare.py at
        # load 7 on 2 cores: 3.24 s wall / 1.11 s CPU with two threads, 2.11 s / 0.88 s with one).
        with one_blas_thread():
            out: NDArray[np.float64] = self.counts @ grouped
        return out


def _percentile(values: NDArray[np.float64], confidence: float) -> tuple[float, float]:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return (float("nan"), float("nan"))
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(finite, [tail, 1.0 - tail])
    return (float(low), float(high))


def _value(compute: Compute, stats: NDArray[np.float64]) -> float:
    return float(np.asarray(compute(np.asarray(stats, dtype=np.float64).sum(axis=0)[None, :]))[0])


def bootstrap_interval(
    stats: ArrayLike,
    compute: Compute,
    *,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
    confidence: float = 0.95,
    resampler: Resampler | None = None,
) -> dict[str, Any]:
    """Percentile bootstrap interval of the metric ``compute(stats.sum(axis=0))``.

    >>> import numpy as np
    >>> loss = np.random.default_rng(0).exponential(0.3, 2000)
    >>> r = bootstrap_interval(loss, lambda s: s[..., 0] / 2000, seed=1)
    >>> r["ci_low"] < r["value"] < r["ci_high"], r["method"]
    (True, 'percentile bootstrap, 1000 resamples, seed 1')
    """
    s = np.asarray(stats, dtype=np.float64)
    s = s[:, None] if s.ndim == 1 else s
    r = resampler or Resampler(s.shape[0], n_resamples=n_resamples, seed=seed)
    dist = np.asarray(compute(r.sums(s)), dtype=np.float64)
    low, high = _percentile(dist, confidence)
    return {
        "value": _value(compute, s), "ci_low": low, "ci_high": high, "n": int(s.shape[0]),
        "method": f"percentile bootstrap, {r.n_resamples} resamples, seed {r.seed}",
    }  # fmt: skip


def _p_value(diffs: NDArray[np.float64]) -> float:
    # Two-sided bootstrap p-value: twice the smaller share of resampled differences on either
    # side of 0, with the +1 correction so it is never 0 from a finite number of resamples.
    d = diffs[np.isfinite(diffs)]
    if d.size == 0:
        return float("nan")
    below = (np.count_nonzero(d <= 0) + 1) / (d.size + 1)
    above = (np.count_nonzero(d >= 0) + 1) / (d.size + 1)
    return float(min(1.0, 2 * min(below, above)))


def paired_bootstrap(
    stats_a: ArrayLike,
    stats_b: ArrayLike,
    compute: Compute,
    *,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
    confidence: float = 0.95,
    resampler: Resampler | None = None,
) -> dict[str, Any]:
    """Paired bootstrap of ``metric(B) - metric(A)`` on the same samples (same resamples).

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> a = rng.exponential(0.3, 3000); b = a * 0.8
    >>> r = paired_bootstrap(a, b, lambda s: s[..., 0] / 3000)
    >>> r["difference"] < 0, r["ci_high"] < 0, r["p_value"] < 0.01
    (True, True, True)
    """
    sa, sb = np.asarray(stats_a, dtype=np.float64), np.asarray(stats_b, dtype=np.float64)
    sa, sb = (sa[:, None] if sa.ndim == 1 else sa), (sb[:, None] if sb.ndim == 1 else sb)
    if sa.shape != sb.shape:
        raise InvalidInputError(
            f"stats_b must have the shape of stats_a. Got {sb.shape} and {sa.shape} instead."
        )
    r = resampler or Resampler(sa.shape[0], n_resamples=n_resamples, seed=seed)
    k = sa.shape[1]
    both = r.sums(np.hstack([sa, sb]))
    diffs = np.asarray(compute(both[:, k:]), dtype=np.float64) - np.asarray(
        compute(both[:, :k]), dtype=np.float64
    )
    a, b = _value(compute, sa), _value(compute, sb)
    low, high = _percentile(diffs, confidence)
    return {"a": a, "b": b, "difference": b - a, "ci_low": low, "ci_high": high,
            "p_value": _p_value(diffs)}  # fmt: skip


def unpaired_bootstrap(
    stats_a: ArrayLike,
    stats_b: ArrayLike,
    compute: Compute,
    *,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
    confidence: float = 0.95,
) -> dict[str, Any]:
    """Bootstrap of ``metric(B) - metric(A)`` on different samples: independent resamples
    (seeds ``seed`` and ``seed + 1``)."""
    sa, sb = np.asarray(stats_a, dtype=np.float64), np.asarray(stats_b, dtype=np.float64)
    sa, sb = (sa[:, None] if sa.ndim == 1 else sa), (sb[:, None] if sb.ndim == 1 else sb)
    ra = Resampler(sa.shape[0], n_resamples=n_resamples, seed=seed)
    rb = Resampler(sb.shape[0], n_resamples=n_resamples, seed=seed + 1)
    diffs = np.asarray(compute(rb.sums(sb)), dtype=np.float64) - np.asarray(
        compute(ra.sums(sa)), dtype=np.float64
    )
    a, b = _value(compute, sa), _value(compute, sb)
    low, high = _percentile(diffs, confidence)
    return {"a": a, "b": b, "difference": b - a, "ci_low": low, "ci_high": high,
            "p_value": _p_value(diffs)}  # fmt: skip
