"""Which samples look mislabelled: confident learning with per-class thresholds, plus the
samples the model contradicts outright. Pure numpy.

Confident learning (Northcutt et al., "Confident Learning: Estimating Uncertainty in Dataset
Labels", JAIR 2021; the method of ``cleanlab.filter.find_label_issues``) judges each sample
against a *per-class* threshold instead of one global cutoff: ``t_j``, the mean probability the
model gives class ``j`` on the samples labelled ``j``. A sample labelled ``i`` counts towards
the confident joint ``C[i, j]`` when ``p_j >= t_j`` (the largest such ``j``); ``C``, rescaled so
each row sums to that label's count, estimates how many samples of label ``i`` really belong
to ``j``; that many samples of label ``i`` with the largest margin ``p_j - p_i`` are named
("prune by noise rate"). A class the model is unsure about (a low ``t_j``) is judged by its own
standard, which is what a global cutoff cannot do (on breast cancer with 20% flipped labels a
cutoff of 0.1 finds less than a third of the flips; the per-class thresholds find most).

To that set we add every sample the model contradicts outright (predicted wrong, true class
below :data:`OUTRIGHT_P`): the count estimate of confident learning is conservative when the
model is sure of itself, and those samples are the surest label errors there are. The measured
effect (bench/label_issues.py, against cleanlab on bundled data with planted flips) is in
docs/doctor.md. Only samples predicted wrong are named: a sample the model agrees with is not a
label issue whatever its margin.

Hand-written rather than calling cleanlab: the core needs numpy only, and the method is a few
array operations.

>>> import numpy as np
>>> y = np.array([0, 0, 0, 1, 1, 1])
>>> p = np.array([[.9, .1], [.8, .2], [.01, .99], [.2, .8], [.1, .9], [.3, .7]])
>>> np.flatnonzero(label_issues(y, p)).tolist()
[2]
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["OUTRIGHT_P", "class_thresholds", "label_issues"]

OUTRIGHT_P = 0.01  # predicted wrong with the true class below 0.01 (a loss above 4.6)


def _as_matrix(probs: NDArray[np.float64]) -> NDArray[np.float64]:
    p = np.asarray(probs, dtype=np.float64)
    if p.ndim == 1:  # the probability of class 1
        p = np.column_stack([1.0 - p, p])
    return p


def class_thresholds(labels: NDArray[np.int64], probs: NDArray[np.float64]) -> NDArray[np.float64]:
    """``t_j``: the mean probability of class ``j`` over the samples labelled ``j`` (NaN for a
    class with no sample, which then never counts as confident)."""
    p = _as_matrix(probs)
    k = p.shape[1]
    counts = np.bincount(labels, minlength=k)[:k]
    sums = np.bincount(labels, weights=p[np.arange(labels.size), labels], minlength=k)[:k]
    with np.errstate(invalid="ignore", divide="ignore"):
        out: NDArray[np.float64] = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    return out


def _round_keeping_sum(row: NDArray[np.float64]) -> NDArray[np.float64]:
    """Round to integers whose sum is the rounded sum of ``row`` (the largest remainders move),
    as confident learning's calibration does, so an estimate of 0.4 + 0.4 + 0.4 errors is one
    error, not none."""
    ints = np.round(row)
    target = round(float(row.sum()))
    diff = target - int(ints.sum())
    if diff:
        step = 1 if diff > 0 else -1
        order = np.argsort(row - ints)[::-step][: abs(diff)]
        ints[order] += step
    return ints


def label_issues(labels: NDArray[np.int64], probs: NDArray[np.float64]) -> NDArray[np.bool_]:
    """A mask of the samples that look mislabelled, given out-of-sample probabilities
    (``probs``: class probabilities, or the probability of class 1 for two classes)."""
    y = np.asarray(labels, dtype=np.int64)
    p = _as_matrix(probs)
    n, k = p.shape
    rows = np.arange(n)
    t = class_thresholds(y, p)
    # The confident joint: a sample counts for the class it is confidently in (with several,
    # the most probable one); the 1e-6 slack is confident learning's, for float ties.
    above = p >= np.where(np.isnan(t), np.inf, t) - 1e-6
    confident = above.sum(axis=1)
    guess = np.where(confident > 1, p.argmax(axis=1), above.argmax(axis=1))
    has = confident > 0
    joint = np.zeros((k, k))
    np.add.at(joint, (y[has], guess[has]), 1.0)
    np.fill_diagonal(joint, np.maximum(joint.diagonal(), 1.0))
    counts = np.bincount(y, minlength=k)[:k].astype(np.float64)
    # Calibrate: each row sums to the number of samples with that label, the whole to n.
    joint *= (counts / np.maximum(joint.sum(axis=1), 1e-12))[:, None]
    joint *= counts.sum() / max(float(joint.sum()), 1e-12)
    joint = np.apply_along_axis(_round_keeping_sum, 1, joint)
    pruned = np.zeros(n, dtype=bool)
    for a in range(k):
        members = np.flatnonzero(y == a)
        if members.size <= 1:
            continue
        for b in range(k):
            m = int(joint[a, b]) if a != b else 0
            if m > 0:
                margin = p[members, b] - p[members, a]
                pruned[members[np.argsort(-margin, kind="stable")[:m]]] = True
    given = p[rows, y]
    wrong = np.max(np.where(np.arange(k) == y[:, None], -np.inf, p), axis=1) > given + 1e-6
    out: NDArray[np.bool_] = wrong & (pruned | (given < OUTRIGHT_P))
    return out
