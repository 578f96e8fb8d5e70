"""Ranking kernels: exact ROC-AUC and average precision from sorted scores, and a binned variant.

Written by hand because no library computes both from one shared sort: scikit-learn argsorts
once per metric (argsort of float64 is ~5x slower than sort). Here the positives' and the
negatives' scores are each sorted once (a plain ``np.sort`` when there are no weights), and both
metrics are read off the two sorted arrays with ``searchsorted`` on the distinct positive scores.

Ties follow scikit-learn exactly: a positive and a negative with equal scores count half a
correctly ordered pair (ROC-AUC), and all samples with equal scores enter the precision-recall
curve at one threshold (average precision).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class SortedScores:
    """Scores of one class's positives or negatives, sorted ascending, with weights in the same
    order (None when every weight is 1)."""

    scores: FloatArray
    weights: FloatArray | None

    @staticmethod
    def build(
        scores: FloatArray, weights: FloatArray | None, *, owned: bool = False
    ) -> SortedScores:
        """Sort; ``owned=True`` allows sorting ``scores`` in place (no copy) when unweighted."""
        if weights is None:
            if owned:
                scores.sort()
                return SortedScores(scores, None)
            return SortedScores(np.sort(scores), None)
        order = np.argsort(scores, kind="stable")
        return SortedScores(scores[order], weights[order])

    @property
    def total(self) -> float:
        return float(self.scores.size) if self.weights is None else float(self.weights.sum())


@dataclass(frozen=True)
class RankSummary:
    """Everything ROC-AUC and average precision need, from one pass over the sorted scores.

    Per distinct positive score u (ascending): the positives' weight at u (``count``), at or
    above u (``tp``), and the negatives' weight below u (``below``) and at u (``tied``).
    """

    count: NDArray[np.float64 | np.int64]
    tp: NDArray[np.float64 | np.int64]
    below: NDArray[np.float64 | np.int64]
    tied: NDArray[np.float64 | np.int64]
    p_total: float
    n_total: float

    @staticmethod
    def build(pos: SortedScores, neg: SortedScores) -> RankSummary:
        # Memory matters here (one entry per distinct positive score): integer counts stay
        # int64 when unweighted, and buffers are reused in place, so the peak stays under
        # 2x the input arrays at 1e7 samples (bench/metrics.py measures it).
        s = pos.scores
        new_value = np.empty(s.size, dtype=bool)
        new_value[:1] = True
        np.not_equal(s[1:], s[:-1], out=new_value[1:])
        starts = np.flatnonzero(new_value)
        del new_value
        values = s[starts]
        lo = np.searchsorted(neg.scores, values, side="left")
        # The right-side search is only needed where a negative ties a positive value
        # (continuous scores have none): find those first, search only them.
        ns = neg.scores
        tie = np.flatnonzero(ns[np.minimum(lo, ns.size - 1)] == values) if ns.size else lo[:0]
        hi = lo.copy()
        hi[tie] = np.searchsorted(ns, values[tie], side="right")
        del values
        tp: NDArray[np.float64 | np.int64]
        count: NDArray[np.float64 | np.int64]
        if pos.weights is None:
            count = np.empty_like(starts)
            np.subtract(starts[1:], starts[:-1], out=count[:-1])
            count[-1:] = s.size - starts[-1:]
            tp = np.subtract(s.size, starts, out=starts)
        else:
            count = np.add.reduceat(pos.weights, starts) if s.size else np.zeros(0)
            tp = np.cumsum(count[::-1])[::-1]
        below: NDArray[np.float64 | np.int64]
        if neg.weights is None:
            below = lo
            tied = np.subtract(hi, lo, out=hi)
        else:
            cum = np.concatenate(([0.0], np.cumsum(neg.weights)))
            below = cum[lo]
            tied = cum[hi] - below
        return RankSummary(count, tp, below, tied, pos.total, neg.total)


def roc_auc_sorted(r: RankSummary) -> float:
    """Exact (tie-corrected) ROC-AUC; nan if a class has no weight."""
    if r.p_total <= 0 or r.n_total <= 0:
        return float("nan")
    # Each positive beats the negatives below it and ties half of those level with it.
    wins = float(np.dot(r.count, r.below)) + 0.5 * float(np.dot(r.count, r.tied))
    return wins / (r.p_total * r.n_total)


def average_precision_sorted(r: RankSummary) -> float:
    """Average precision, step-wise as scikit-learn: sum over thresholds of dRecall x precision.
    No positives: 0.0, as scikit-learn (recall is 0/0 there; it warns and returns 0)."""
    if r.p_total <= 0:
        return 0.0
    # precision at each distinct positive score u: tp / (tp + negatives at or above u)
    denom = r.tp + (r.n_total - r.below)
    precision = np.divide(r.tp, denom, out=np.zeros(r.tp.shape), where=denom > 0)
    return float(np.dot(r.count, precision) / r.p_total)


def roc_auc_binned(hpos: FloatArray, hneg: FloatArray) -> tuple[float, float]:
    """ROC-AUC from per-bin weights, treating a bin as one tied score; returns (auc, bound).

    The bound is exact for the data seen: only pairs inside one bin can be mis-ordered, and
    each such pair is counted as half, so |auc - exact| <= 0.5 * sum_b P_b N_b / (P N).
    """
    p_total, n_total = float(hpos.sum()), float(hneg.sum())
    if p_total <= 0 or n_total <= 0:
        return float("nan"), float("nan")
    below = np.concatenate(([0.0], np.cumsum(hneg)[:-1]))
    auc = float(np.dot(hpos, below + 0.5 * hneg) / (p_total * n_total))
    bound = float(0.5 * np.dot(hpos, hneg) / (p_total * n_total))
    return auc, bound


def average_precision_binned(hpos: FloatArray, hneg: FloatArray) -> float:
    """Average precision with the bin edges as the only thresholds (0.0 with no positives)."""
    p_total = float(hpos.sum())
    if p_total <= 0:
        return 0.0
    tp = np.cumsum(hpos[::-1])[::-1]
    fp = np.cumsum(hneg[::-1])[::-1]
    denom = tp + fp
    precision = np.divide(tp, denom, out=np.zeros_like(tp), where=denom > 0)
    return float(np.dot(hpos, precision) / p_total)


def roc_points(pos: SortedScores, neg: SortedScores) -> tuple[FloatArray, FloatArray]:
    """The ROC curve (fpr, tpr), starting at (0, 0), one point per distinct score from the
    highest down: what scikit-learn's roc_curve gives, without dropping collinear points
    (they change neither the area nor an interpolation along the curve)."""
    values = np.unique(np.concatenate([pos.scores, neg.scores]))[::-1]

    def at_or_above(side: SortedScores) -> FloatArray:
        below = np.searchsorted(side.scores, values, side="left")
        if side.weights is None:
            return (side.scores.size - below).astype(np.float64)
        cum = np.concatenate(([0.0], np.cumsum(side.weights)))
        out: FloatArray = cum[-1] - cum[below]
        return out

    tps, fps = at_or_above(pos), at_or_above(neg)
    tpr = np.concatenate(([0.0], tps / tps[-1])) if tps.size and tps[-1] > 0 else np.zeros(1)
    fpr = np.concatenate(([0.0], fps / fps[-1])) if fps.size and fps[-1] > 0 else np.zeros(1)
    return fpr, tpr


def roc_points_binned(hpos: FloatArray, hneg: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The ROC curve with the bin edges as the only thresholds."""
    tps = np.cumsum(hpos[::-1])
    fps = np.cumsum(hneg[::-1])
    return (
        np.concatenate(([0.0], fps / fps[-1])),
        np.concatenate(([0.0], tps / tps[-1])),
    )


def partial_auc(fpr: FloatArray, tpr: FloatArray, max_fpr: float) -> float:
    """McClish-corrected partial ROC-AUC over fpr in [0, max_fpr], as scikit-learn: the area
    up to max_fpr (tpr linearly interpolated there), rescaled so that chance gives 0.5 and a
    perfect ranking 1."""
    stop = int(np.searchsorted(fpr, max_fpr, "right"))
    x_interp = [fpr[stop - 1], fpr[stop]]
    y_interp = [tpr[stop - 1], tpr[stop]]
    tpr = np.append(tpr[:stop], np.interp(max_fpr, x_interp, y_interp))
    fpr = np.append(fpr[:stop], max_fpr)
    area = float(np.trapezoid(tpr, fpr))
    min_area = 0.5 * max_fpr**2
    return 0.5 * (1 + (area - min_area) / (max_fpr - min_area))
