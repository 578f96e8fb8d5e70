"""Closed-form intervals and tests: Wilson, Newcombe, McNemar, two proportions, DeLong, Holm."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats as _st

from fitscope.errors import InvalidInputError

__all__ = [
    "EXACT_BELOW",
    "delong",
    "delong_paired",
    "delong_unpaired",
    "holm",
    "mcnemar",
    "newcombe_interval",
    "two_proportion_test",
    "wilson_interval",
]

#: McNemar is exact (binomial) when fewer than this many samples are discordant.
EXACT_BELOW = 25


def _z(confidence: float) -> float:
    if not (isinstance(confidence, float | int) and 0.0 < confidence < 1.0):
        raise InvalidInputError(f"confidence must be in (0, 1). Got {confidence!r} instead.")
    return float(_st.norm.ppf(0.5 + confidence / 2.0))


def wilson_interval(successes: int, n: int, *, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a proportion ``successes / n``.

    Unlike the normal ("Wald") interval it stays inside [0, 1] and keeps its coverage near 0
    and 1 and for small ``n``. ``n == 0`` gives ``(nan, nan)``.

    >>> [round(v, 4) for v in wilson_interval(1800, 2000)]
    [0.8861, 0.9124]
    >>> wilson_interval(0, 10)[0]
    0.0
    """
    if n < 0 or successes < 0 or successes > n:
        raise InvalidInputError(
            f"successes must be between 0 and n. Got successes={successes}, n={n} instead."
        )
    if n == 0:
        return (math.nan, math.nan)
    z = _z(confidence)
    p = successes / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def newcombe_interval(
    k_a: int, n_a: int, k_b: int, n_b: int, *, confidence: float = 0.95
) -> tuple[float, float]:
    """Newcombe's hybrid score interval of ``k_b / n_b - k_a / n_a`` (independent samples),
    built from the two Wilson intervals (Newcombe 1998, method 10).

    >>> [round(v, 4) for v in newcombe_interval(1800, 2000, 1812, 2000)]
    [-0.0124, 0.0244]
    """
    pa, pb = k_a / n_a, k_b / n_b
    la, ua = wilson_interval(k_a, n_a, confidence=confidence)
    lb, ub = wilson_interval(k_b, n_b, confidence=confidence)
    d = pb - pa
    low = d - math.sqrt((pb - lb) ** 2 + (ua - pa) ** 2)
    high = d + math.sqrt((ub - pb) ** 2 + (pa - la) ** 2)
    return (low, high)


def two_proportion_test(k_a: int, n_a: int, k_b: int, n_b: int) -> float:
    """Two-sided p-value of the pooled two-proportion z-test (independent samples).

    >>> round(two_proportion_test(1800, 2000, 1812, 2000), 4)
    0.5215
    """
    p = (k_a + k_b) / (n_a + n_b)
    se = math.sqrt(p * (1 - p) * (1 / n_a + 1 / n_b))
    if se == 0:
        return 1.0
    z = (k_b / n_b - k_a / n_a) / se
    return float(2 * _st.norm.sf(abs(z)))


def mcnemar(correct_a: ArrayLike, correct_b: ArrayLike) -> dict[str, Any]:
    """McNemar's test of paired accuracy from per-sample correctness of A and B.

    Only discordant samples count: ``b`` (A right, B wrong) and ``c`` (A wrong, B right).
    Fewer than 25 of them: the exact binomial test (``b ~ Binomial(b + c, 1/2)``); otherwise
    the chi-square statistic with continuity correction ``(|b - c| - 1)^2 / (b + c)``.

    >>> r = mcnemar([1, 1, 0, 1, 0, 1], [1, 0, 1, 1, 1, 1])
    >>> r["b"], r["c"], r["test"], round(r["p_value"], 3)
    (1, 2, 'McNemar exact (binomial)', 1.0)
    """
    a = np.asarray(correct_a, dtype=bool)
    b_ = np.asarray(correct_b, dtype=bool)
    if a.shape != b_.shape:
        raise InvalidInputError(
            f"correct_b must have the shape of correct_a. Got {b_.shape} and {a.shape} instead."
        )
    b = int(np.count_nonzero(a & ~b_))
    c = int(np.count_nonzero(~a & b_))
    if b + c == 0:
        return {
            "b": 0,
            "c": 0,
            "statistic": 0.0,
            "p_value": 1.0,
            "test": "McNemar exact (binomial)",
        }
    if b + c < EXACT_BELOW:
        p = float(_st.binomtest(b, b + c, 0.5).pvalue)
        return {"b": b, "c": c, "statistic": float(min(b, c)), "p_value": min(1.0, p),
                "test": "McNemar exact (binomial)"}  # fmt: skip
    stat = (abs(b - c) - 1.0) ** 2 / (b + c)
    return {"b": b, "c": c, "statistic": stat, "p_value": float(_st.chi2.sf(stat, 1)),
            "test": "McNemar chi-square (continuity-corrected)"}  # fmt: skip


def _three_midranks(
    z: NDArray[np.float64], m: int
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Midranks of each row's first ``m`` values among themselves, of the rest among
    themselves, and of all together, from ONE sort per row. Hand-written because three
    ``scipy.stats.rankdata`` calls sort three times (stable mergesort): 2.1 of 3.4 s of a paired
    comparison at n = 1e6. Ties get the mean of their positions in each ranking; the result
    equals rankdata's (tests/stats check DeLong against references)."""
    rows, total = z.shape
    tx = np.empty((rows, m))
    ty = np.empty((rows, total - m))
    tz = np.empty((rows, total))
    for r in range(rows):
        order = np.argsort(z[r])
        v = z[r][order]
        new = np.empty(total, dtype=bool)
        new[0] = True
        np.not_equal(v[1:], v[:-1], out=new[1:])
        starts = np.flatnonzero(new)
        ends = np.append(starts[1:], total)
        group = np.cumsum(new) - 1
        is_x = order < m
        cx = np.concatenate([[0], np.cumsum(is_x)])
        x_before, x_in = cx[starts], cx[ends] - cx[starts]
        y_before, y_in = starts - x_before, (ends - starts) - x_in
        tz[r, order] = ((starts + ends + 1) / 2.0)[group]
        gx, gy = group[is_x], group[~is_x]
        tx[r, order[is_x]] = (x_before + (x_in + 1) / 2.0)[gx]
        ty[r, order[~is_x] - m] = (y_before + (y_in + 1) / 2.0)[gy]
    return tx, ty, tz


def _delong_components(
    y_true: NDArray[Any], scores: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    # Sun & Xu (2014) fast DeLong: midranks give the structural components in O(n log n).
    pos = y_true == 1
    m, n = int(pos.sum()), int((~pos).sum())
    if m == 0 or n == 0:
        raise InvalidInputError(
            f"y_true must hold both classes 0 and 1 for an AUC. Got {m} positives and {n} "
            "negatives instead."
        )
    x, y = scores[:, pos], scores[:, ~pos]
    tx, ty, tz = _three_midranks(np.concatenate([x, y], axis=1), m)
    auc = (tz[:, :m].sum(axis=1) / m - (m + 1) / 2.0) / n
    v01 = (tz[:, :m] - tx) / n  # per positive: share of negatives ranked below it
    v10 = 1.0 - (tz[:, m:] - ty) / m  # per negative: share of positives ranked above it
    return auc, v01, v10


def _binary_labels(y_true: ArrayLike) -> NDArray[np.int64]:
    y = np.asarray(y_true)
    if y.ndim != 1 or not ((y == 0) | (y == 1)).all():
        raise InvalidInputError(
            "y_true must be 1-D labels 0 and 1 for an AUC. Got other labels instead."
        )
    return y.astype(np.int64)


def delong(y_true: ArrayLike, scores: ArrayLike, *, confidence: float = 0.95) -> dict[str, float]:
    """Binary ROC AUC with DeLong's variance and a normal interval (clipped to [0, 1]).

    >>> r = delong([0, 0, 1, 1, 0, 1], [0.1, 0.4, 0.35, 0.8, 0.2, 0.9])
    >>> round(r["auc"], 4), r["ci_low"] <= r["auc"] <= r["ci_high"]
    (0.8889, True)
    """
    y = _binary_labels(y_true)
    s = np.asarray(scores, dtype=np.float64)[None, :]
    auc, v01, v10 = _delong_components(y, s)
    var = float(np.var(v01[0], ddof=1) / v01.shape[1] + np.var(v10[0], ddof=1) / v10.shape[1])
    half = _z(confidence) * math.sqrt(max(var, 0.0))
    a = float(auc[0])
    return {"auc": a, "variance": var, "ci_low": max(0.0, a - half), "ci_high": min(1.0, a + half)}


def delong_paired(
    y_true: ArrayLike, scores_a: ArrayLike, scores_b: ArrayLike, *, confidence: float = 0.95
) -> dict[str, float]:
    """DeLong's test of two correlated AUCs (both models scored the same samples).

    Returns the two AUCs, the difference (B - A), its normal interval and the two-sided
    p-value of ``z = difference / sd``.
    """
    y = _binary_labels(y_true)
    s = np.vstack([np.asarray(scores_a, dtype=np.float64), np.asarray(scores_b, dtype=np.float64)])
    auc, v01, v10 = _delong_components(y, s)
    cov = np.cov(v01) / v01.shape[1] + np.cov(v10) / v10.shape[1]
    var = float(cov[0, 0] + cov[1, 1] - 2 * cov[0, 1])
    return _normal_difference(float(auc[0]), float(auc[1]), var, confidence)


def delong_unpaired(
    y_a: ArrayLike, scores_a: ArrayLike, y_b: ArrayLike, scores_b: ArrayLike,
    *, confidence: float = 0.95,
) -> dict[str, float]:  # fmt: skip
    """Two AUCs on different samples: independent DeLong variances add."""
    ra, rb = delong(y_a, scores_a), delong(y_b, scores_b)
    return _normal_difference(ra["auc"], rb["auc"], ra["variance"] + rb["variance"], confidence)


def _normal_difference(a: float, b: float, var: float, confidence: float) -> dict[str, float]:
    d = b - a
    sd = math.sqrt(max(var, 0.0))
    half = _z(confidence) * sd
    p = 1.0 if sd == 0 else float(2 * _st.norm.sf(abs(d) / sd))
    return {"a": a, "b": b, "difference": d, "ci_low": d - half, "ci_high": d + half, "p_value": p}


def holm(p_values: ArrayLike) -> NDArray[np.float64]:
    """Holm's step-down adjusted p-values (family-wise error rate, any dependence).

    >>> holm([0.01, 0.04, 0.03]).round(3).tolist()
    [0.03, 0.06, 0.06]
    """
    p = np.asarray(p_values, dtype=np.float64)
    m = p.size
    order = np.argsort(p, kind="stable")
    stepped = np.maximum.accumulate((m - np.arange(m)) * p[order])
    out = np.empty(m)
    out[order] = np.minimum(stepped, 1.0)
    return out
