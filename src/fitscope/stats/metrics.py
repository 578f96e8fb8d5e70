"""Held-out metrics as per-sample sufficient statistics, so they can be resampled.

:func:`decompose` turns one model's labels and predictions into, per metric, an ``(n, k)``
array of per-sample statistics whose column sums determine the metric, and a ``compute`` that
maps summed statistics to the metric. The last column is always 1 (the sample count), so a
resample with repeated samples divides by the right ``n``. Values equal fitscope.metrics'
(tested), which equal scikit-learn's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from fitscope.errors import InvalidInputError

__all__ = ["CLASSIFICATION", "REGRESSION", "Decomposed", "Prepared", "decompose", "prepare"]

#: Metrics compared by default, per task (``roc_auc`` only for two classes with scores).
CLASSIFICATION = ("accuracy", "log_loss", "f1", "roc_auc", "brier_score")
REGRESSION = ("mse", "mae", "r2")
_EPS = 1e-15


@dataclass(frozen=True)
class Prepared:
    """One snapshot read once: the task, integer labels, class probabilities when known, and
    the predicted label (1-D probabilities are thresholded at 0.5, 2-D take the argmax)."""

    task: str  # "classification" | "regression"
    y_true: NDArray[Any]
    probs: NDArray[np.float64] | None
    predicted: NDArray[Any]
    n_classes: int


@dataclass(frozen=True)
class Decomposed:
    stats: NDArray[np.float64]
    compute: Callable[[NDArray[np.float64]], NDArray[np.float64]]


def _names_as_indices(yt: NDArray[Any], yp: NDArray[Any]) -> tuple[NDArray[Any], NDArray[Any]]:
    """Class names as the metrics encode them (columns: the sorted names; 1-D scores: the
    greater name's), so every interval below reads integer labels."""
    from fitscope.metrics import _labels

    if yp.ndim == 2:
        return _labels.encode_columns(yt.astype(str), yp.shape[1], None, None)[0], yp
    if yp.dtype.kind in "US" or yt.dtype.kind not in "US":
        y, pred, _ = _labels.encode_predicted(yt.astype(str), yp.astype(str), None)
        return y, pred
    return _labels.encode_binary(yt.astype(str), None, None, None)[0], yp


def prepare(y_true: Any, y_pred: Any) -> Prepared:
    """Read labels and predictions: classification when the labels are integers and the
    predictions 2-D probabilities, 1-D probabilities of class 1 or integer labels."""
    yt, yp = np.asarray(y_true), np.asarray(y_pred)
    if yt.ndim != 1 or yp.shape[0] != yt.shape[0]:
        raise InvalidInputError(
            f"y_pred must have one row per label ({yt.shape[0]}). Got shape {yp.shape} instead."
        )
    if yt.dtype.kind in "US" or yp.dtype.kind in "US":
        yt, yp = _names_as_indices(yt, yp)
    integer_labels = np.issubdtype(yt.dtype, np.integer) or (
        np.issubdtype(yt.dtype, np.floating) and bool(np.all(yt == np.round(yt)))
    )
    if yp.ndim == 2 and integer_labels:
        probs = yp.astype(np.float64)
        labels = yt.astype(np.int64)
        return Prepared("classification", labels, probs, probs.argmax(axis=1), probs.shape[1])
    binary = integer_labels and bool(((yt == 0) | (yt == 1)).all())
    if yp.ndim == 1 and binary and np.all((yp >= 0) & (yp <= 1)):
        p = yp.astype(np.float64)
        is_labels = bool(((p == 0.0) | (p == 1.0)).all())
        scores = None if is_labels else np.column_stack([1.0 - p, p])
        predicted = (p >= 0.5).astype(np.int64)
        return Prepared("classification", yt.astype(np.int64), scores, predicted, 2)
    if yp.ndim == 1 and integer_labels and np.issubdtype(yp.dtype, np.integer):
        labels = yt.astype(np.int64)
        k = int(max(labels.max(initial=0), yp.max(initial=0))) + 1
        return Prepared("classification", labels, None, yp.astype(np.int64), k)
    return Prepared("regression", yt.astype(np.float64), None, yp.astype(np.float64), 0)


def _ones(n: int) -> NDArray[np.float64]:
    return np.ones((n, 1))


def _mean(per_sample: NDArray[np.float64]) -> Decomposed:
    return Decomposed(
        np.column_stack([per_sample, np.ones(per_sample.shape[0])]),
        lambda s: s[..., 0] / s[..., -1],
    )


def _f1(p: Prepared) -> Decomposed:
    n = p.y_true.shape[0]
    if p.n_classes <= 2:  # binary F1 of class 1, fitscope's and scikit-learn's default
        tp = (p.y_true == 1) & (p.predicted == 1)
        fp = (p.y_true != 1) & (p.predicted == 1)
        fn = (p.y_true == 1) & (p.predicted != 1)
        stats = np.column_stack([tp, fp, fn, np.ones(n)]).astype(np.float64)

        def binary(s: NDArray[np.float64]) -> NDArray[np.float64]:
            den = 2 * s[..., 0] + s[..., 1] + s[..., 2]
            with np.errstate(invalid="ignore", divide="ignore"):
                return np.where(den > 0, 2 * s[..., 0] / np.where(den > 0, den, 1), 0.0)

        return Decomposed(stats, binary)
    classes = np.unique(np.concatenate([p.y_true, p.predicted]))
    true_1h = p.y_true[:, None] == classes[None, :]
    pred_1h = p.predicted[:, None] == classes[None, :]
    stats = np.hstack([true_1h & pred_1h, ~true_1h & pred_1h, true_1h & ~pred_1h, _ones(n) > 0])
    c = classes.size

    def macro(s: NDArray[np.float64]) -> NDArray[np.float64]:
        tp, fp, fn = s[..., :c], s[..., c : 2 * c], s[..., 2 * c : 3 * c]
        den = 2 * tp + fp + fn
        with np.errstate(invalid="ignore", divide="ignore"):
            per = np.where(den > 0, 2 * tp / np.where(den > 0, den, 1), 0.0)
        out: NDArray[np.float64] = per.mean(axis=-1)
        return out

    return Decomposed(stats.astype(np.float64), macro)


def _r2(p: Prepared) -> Decomposed:
    y, e = p.y_true, p.y_true - p.predicted
    stats = np.column_stack([e * e, y, y * y, np.ones(y.shape[0])])

    def r2(s: NDArray[np.float64]) -> NDArray[np.float64]:
        total = s[..., 2] - s[..., 1] ** 2 / s[..., 3]
        with np.errstate(invalid="ignore", divide="ignore"):
            return 1.0 - s[..., 0] / total

    return Decomposed(stats, r2)


def decompose(p: Prepared, metric: str) -> Decomposed | str:
    """Per-sample statistics of ``metric``, or the reason it cannot be computed here."""
    if p.task == "classification":
        if metric == "accuracy":
            return _mean((p.y_true == p.predicted).astype(np.float64))
        if metric == "f1":
            return _f1(p)
        if p.probs is None:
            return f"{metric} needs probabilities; the snapshot holds labels"
        idx = np.arange(p.y_true.shape[0])
        if metric in ("log_loss", "loss"):
            return _mean(-np.log(np.clip(p.probs[idx, p.y_true], _EPS, 1 - _EPS)))
        if metric == "brier_score":
            if p.n_classes == 2:
                return _mean((p.probs[:, 1] - p.y_true) ** 2)
            onehot = np.zeros_like(p.probs)
            onehot[idx, p.y_true] = 1.0
            return _mean(((p.probs - onehot) ** 2).sum(axis=1))
        if metric == "roc_auc":
            return "roc_auc uses DeLong's variance, not a bootstrap"
        return f"{metric} is not one of {', '.join(CLASSIFICATION)}"
    e = p.y_true - p.predicted
    if metric in ("mse", "loss"):
        return _mean(e * e)
    if metric == "mae":
        return _mean(np.abs(e))
    if metric == "r2":
        return _r2(p)
    return f"{metric} is not one of {', '.join(REGRESSION)}"
