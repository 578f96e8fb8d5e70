"""The predictions panel of one snapshot: worst samples, confusion, calibration, scores.

Per-sample loss is the log loss of the true class (probabilities clipped to [1e-15, 1 - 1e-15]
like scikit-learn) for classifiers and the squared error for regression, so "share of the total
loss" adds up to the run's loss times the sample count.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from fitscope.track.records import PredictionSnapshot
from fitscope.views.data import _is_classification, finite_or_none

__all__ = ["predictions_panel"]

_EPS = 1e-15


def _probabilities(y_pred: NDArray[Any]) -> NDArray[np.float64]:
    p = np.asarray(y_pred, dtype=np.float64)
    return p if p.ndim == 2 else np.column_stack([1.0 - p, p])


def _encoded(
    y_true: NDArray[Any], y_pred: NDArray[Any]
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[Any] | None]:
    """(class index per sample, probabilities, the class labels or None for 0..K-1).

    Labels of any kind are encoded as the metrics encode them: probability columns map to the
    sorted labels, 1-D scores belong to the greater label; hard predicted labels (names, say)
    become one-hot rows over the sorted union of labels.
    """
    from fitscope.metrics import _labels

    if y_pred.ndim == 1 and (y_pred.dtype.kind in "USb" or y_true.dtype.kind in "USb"):
        if y_pred.dtype.kind in "fiu" and y_true.dtype.kind in "USb":
            y, pair = _labels.encode_binary(y_true, None, None, None)
            return y, _probabilities(y_pred), pair
        y, pred, classes = _labels.encode_predicted(y_true, y_pred, None)
        k = int(max(y.max(initial=0), pred.max(initial=0))) + 1 if classes is None else classes.size
        onehot = np.zeros((pred.size, max(k, 2)))
        onehot[np.arange(pred.size), pred] = 1.0
        return y, onehot, classes
    probs = _probabilities(y_pred)
    y, classes = _labels.encode_columns(y_true, probs.shape[1], None, None)
    return y, probs, classes


def _histogram(values: NDArray[np.float64], edges: NDArray[np.float64]) -> list[int]:
    counts, _ = np.histogram(values[np.isfinite(values)], bins=edges)
    return [int(c) for c in counts]


def predictions_panel(
    snapshot: PredictionSnapshot, *, top: int = 20, n_bins: int = 10
) -> dict[str, Any]:
    """Everything the panel draws for one snapshot, as JSON-ready data.

    ``worst``: the ``top`` samples with the largest loss, each with its share of the total
    loss; ``confusion`` (true classes in rows), ``reliability`` (top-label confidence per bin)
    and ``histograms`` (per true class, the histogram of the score given to that class; for a
    binary model, of the positive-class score) for classifiers; a residual histogram for
    regression.

    >>> import numpy as np
    >>> from fitscope.track.records import PredictionSnapshot
    >>> snap = PredictionSnapshot("val", 3, 0.0, np.array([0, 1, 1]), np.array([0.2, 0.9, 0.1]))
    >>> panel = predictions_panel(snap, top=1)
    >>> panel["worst"][0]["index"], round(panel["worst"][0]["share"], 3)
    (2, 0.875)
    """
    y_true = np.asarray(snapshot.y_true)
    y_pred = np.asarray(snapshot.y_pred)
    ids = None if snapshot.ids is None else np.asarray(snapshot.ids)
    out: dict[str, Any] = {"split": snapshot.split, "step": snapshot.step, "n": int(y_true.size)}
    if _is_classification(y_true, y_pred):
        from fitscope.metrics import confusion_matrix, reliability_curve

        labels, probs, names = _encoded(y_true, y_pred)
        p_true = np.clip(probs[np.arange(labels.size), labels], _EPS, 1 - _EPS)
        loss = -np.log(p_true)
        predicted = probs.argmax(axis=1)
        shown_pred = predicted if names is None else names[predicted]
        curve = reliability_curve(labels, probs, n_bins=n_bins)
        edges = np.linspace(0.0, 1.0, n_bins + 1)
        classes = list(range(probs.shape[1]))
        binary = probs.shape[1] == 2
        # Axes and histograms are named by the user's labels (class names stay names).
        shown = classes if names is None else [x.item() for x in names]
        out["task"] = "classification"
        out["confusion"] = {
            "labels": shown,
            "matrix": confusion_matrix(labels, predicted, labels=classes).tolist(),
        }
        out["reliability"] = {
            "edges": curve.edges.tolist(),
            "confidence": [finite_or_none(v) for v in curve.confidence],
            "accuracy": [finite_or_none(v) for v in curve.accuracy],
            "weight": curve.weight.tolist(),
            "ece": finite_or_none(curve.ece),
        }
        out["histograms"] = {
            "edges": edges.tolist(),
            "score_of": "positive class" if binary else "own class",
            "classes": [
                {
                    "label": shown[c],
                    "counts": _histogram(probs[labels == c, 1 if binary else c], edges),
                }
                for c in classes
            ],
        }
        confidence = probs.max(axis=1)
    else:
        values = y_pred.astype(np.float64).ravel()
        residual = values - y_true.astype(np.float64)
        loss = residual**2
        shown_pred = values
        finite = residual[np.isfinite(residual)]
        span = float(np.max(np.abs(finite))) if finite.size else 1.0
        edges = np.linspace(-span, span, 2 * n_bins + 1) if span > 0 else np.linspace(-1, 1, 3)
        out["task"] = "regression"
        out["residuals"] = {"edges": edges.tolist(), "counts": _histogram(residual, edges)}
        confidence = None
    total = float(np.sum(loss))
    order = np.argsort(-loss, kind="stable")[:top]
    out["total_loss"] = finite_or_none(total)
    out["mean_loss"] = finite_or_none(total / loss.size) if loss.size else None
    out["worst"] = [
        {
            "index": int(i),
            "id": None if ids is None else ids[i].item(),
            "y_true": y_true[i].item(),
            "y_pred": shown_pred[i].item(),
            "confidence": None if confidence is None else finite_or_none(confidence[i]),
            "loss": finite_or_none(loss[i]),
            "share": finite_or_none(loss[i] / total) if total > 0 else None,
        }
        for i in order
    ]
    return out
