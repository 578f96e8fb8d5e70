"""Functional metrics: ``f(y_true, y_pred, *, sample_weight=None, ...) -> float``.

Each is a thin call into :func:`fitscope.evaluate`, so a function and the streaming
:class:`fitscope.Evaluator` can never disagree. Argument order is (y_true, y_pred); every option
is keyword-only.

Why one long file: one short public function per metric, each a docstring with a runnable
example over the same one-line call; the length is the docstrings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from fitscope import _validation as v
from fitscope.metrics import _kernels as k
from fitscope.metrics import _labels as _lab
from fitscope.metrics import _multilabel as _ml
from fitscope.metrics._registry import lookup
from fitscope.metrics.evaluator import Evaluator, metric

FloatArray = NDArray[np.float64]


def _one(
    name: str,
    y_true: Any,
    y_pred: Any,
    sample_weight: Any,
    *,
    threshold: float = 0.5,
    from_logits: bool = False,
    labels: Any = None,
    pos_label: Any = None,
    **options: Any,
) -> Any:
    spec = metric(name, **options)
    ev = Evaluator(
        [spec], threshold=threshold, from_logits=from_logits, labels=labels, pos_label=pos_label
    )
    out = ev.update(y_true, y_pred, sample_weight).compute()[spec.key]
    return out if isinstance(out, np.ndarray) else float(out)


# ---------------------------------------------------------------- losses
def log_loss(
    y_true: Any,
    y_pred: Any,
    *,
    sample_weight: Any = None,
    from_logits: bool = False,
    reduction: str = "mean",
    labels: Any = None,
    pos_label: Any = None,
    average: str | None = "macro",
) -> Any:
    """Log loss (cross-entropy): the negative log-likelihood of the true class.

    ``y_pred`` is the probability of class 1 (1-D) or a matrix of class probabilities (2-D);
    with ``from_logits=True`` raw scores, through a numerically stable log-sigmoid/log-softmax.
    ``reduction``: ``"mean"`` (weighted by sample_weight, as scikit-learn), ``"sum"`` (the
    summed per-sample errors) or ``"none"`` (the per-sample losses times their weights;
    multilabel: one per cell, shape (n, labels)). Multilabel targets (2-D 0/1 ``y_true``):
    each label's binary log loss, combined by ``average`` ("macro", "micro" and "samples"
    agree; "weighted" by label support; None: one per label); ``labels`` selects label
    columns (docs/metrics.md, "Multilabel targets").

    >>> from fitscope.metrics import log_loss
    >>> round(log_loss([0, 1], [0.1, 0.8]), 6)
    0.164252
    >>> log_loss([0, 1], [0.1, 0.8], reduction="none").round(6)
    array([0.105361, 0.223144])
    """
    v.check_choice(reduction, "reduction", ("mean", "sum", "none"))
    if reduction != "none":
        return _float(
            _one(
                "log_loss",
                y_true,
                y_pred,
                sample_weight,
                from_logits=from_logits,
                labels=labels,
                pos_label=pos_label,
                reduction=reduction,
                average=average,
            )
        )
    return _per_sample_log_loss(y_true, y_pred, sample_weight, from_logits, labels, pos_label)


def _per_sample_log_loss(
    y_true: Any, y_pred: Any, sample_weight: Any, from_logits: bool, labels: Any, pos_label: Any
) -> FloatArray:
    # Validate exactly as the aggregate path does (same states, same messages)...
    ev = Evaluator(["log_loss"], from_logits=from_logits, labels=labels, pos_label=pos_label)
    ev.update(y_true, y_pred, sample_weight)
    # ...then apply the same kernels per sample, to the labels encoded the same way.
    state = ev._cls
    assert state is not None
    y_raw = v.as_label_array(y_true, "y_true")
    if state.ml is not None:
        # Multilabel: one loss per cell (n, labels), times the row's weight.
        p2 = v.as_label_array(y_pred, "y_pred")
        if labels is not None:
            picked = _ml.label_columns(tuple(labels), y_raw.shape[1])
            y_raw, p2 = y_raw[:, picked], p2[:, picked]
        cells = _ml.cell_nll(_ml.check_indicator(y_raw, "y_true"), p2, from_logits)
        w2 = v.as_sample_weight(sample_weight, y_raw.shape[0])
        return cells if w2 is None else cells * w2[:, None]
    y = (
        v.as_labels(y_raw, "y_true")
        if state.classes is None
        else _lab.lookup(y_raw, state.classes, "y_true", "the classes")
    )
    p = v.as_label_array(y_pred, "y_pred")
    eps = k.clip_eps(p.dtype)
    if p.ndim == 2:
        out = k.nll_multiclass(p, y, from_logits=from_logits, eps=eps)
    else:
        p = p.astype(np.float64, copy=False)
        yb = y.astype(bool)
        out = np.empty(y.size)
        out[yb] = k.nll_binary(p[yb], True, from_logits=from_logits, eps=eps)
        out[~yb] = k.nll_binary(p[~yb], False, from_logits=from_logits, eps=eps)
    w = v.as_sample_weight(sample_weight, y.size)
    return out if w is None else out * w


cross_entropy = log_loss


def _float(value: Any) -> Any:
    # Scalars as float; per-label arrays (multilabel average=None) as they are.
    return value if isinstance(value, np.ndarray) else float(value)


def _mo_option(multioutput: Any) -> Any:
    # Weights per output as a tuple: options are compared and printed, never arrays.
    if isinstance(multioutput, str):
        return multioutput
    return tuple(float(x) for x in np.asarray(multioutput, dtype=np.float64).ravel())


def mse(
    y_true: Any, y_pred: Any, *, sample_weight: Any = None, multioutput: Any = "uniform_average"
) -> Any:
    """Mean squared error. A 2-D target (n, k) has k outputs: ``multioutput`` is
    "uniform_average" (the default), "raw_values" (one per output) or weights per output, as
    scikit-learn.

    >>> from fitscope.metrics import mse
    >>> mse([[0.5, 1.0], [-1.0, 1.0]], [[0.0, 2.0], [-1.0, 2.0]], multioutput="raw_values")
    array([0.125, 1.   ])
    """
    return _one("mse", y_true, y_pred, sample_weight, multioutput=_mo_option(multioutput))


def rmse(
    y_true: Any, y_pred: Any, *, sample_weight: Any = None, multioutput: Any = "uniform_average"
) -> Any:
    """Root mean squared error (per output, then averaged); ``multioutput`` as :func:`mse`."""
    return _one("rmse", y_true, y_pred, sample_weight, multioutput=_mo_option(multioutput))


def mae(
    y_true: Any, y_pred: Any, *, sample_weight: Any = None, multioutput: Any = "uniform_average"
) -> Any:
    """Mean absolute error; ``multioutput`` as :func:`mse`."""
    return _one("mae", y_true, y_pred, sample_weight, multioutput=_mo_option(multioutput))


def rss(
    y_true: Any, y_pred: Any, *, sample_weight: Any = None, multioutput: Any = "uniform_average"
) -> Any:
    """Residual sum of squares: the (weighted) sum of squared errors (per output, averaged as
    ``multioutput`` says).

    >>> from fitscope.metrics import rss
    >>> rss([1.0, 2.0, 3.0], [1.5, 2.0, 2.0])
    1.25
    """
    return _one("rss", y_true, y_pred, sample_weight, multioutput=_mo_option(multioutput))


def huber(
    y_true: Any,
    y_pred: Any,
    *,
    sample_weight: Any = None,
    delta: float = 1.0,
    multioutput: Any = "uniform_average",
) -> Any:
    """Mean Huber loss: 0.5 e^2 where |e| <= delta, delta * (|e| - delta / 2) beyond."""
    return _one(
        "huber", y_true, y_pred, sample_weight, delta=delta, multioutput=_mo_option(multioutput)
    )


def hinge(y_true: Any, y_pred: Any, *, sample_weight: Any = None) -> float:
    """Mean hinge loss of decision values (binary: labels 0/1 or -1/+1 and 1-D scores;
    multiclass: labels and a 2-D score matrix, Crammer-Singer margin), as scikit-learn."""
    return float(_one("hinge", y_true, y_pred, sample_weight))


def brier_score(
    y_true: Any,
    y_pred: Any,
    *,
    sample_weight: Any = None,
    from_logits: bool = False,
    labels: Any = None,
    pos_label: Any = None,
    average: str | None = "macro",
) -> Any:
    """Brier score: mean squared error of the predicted probabilities (binary: (p - y)^2 with
    y = 1 for ``pos_label``; three or more classes: the sum over classes, as scikit-learn).
    Multilabel targets: each label's binary Brier score, combined by ``average`` as
    :func:`log_loss`.

    >>> from fitscope.metrics import brier_score
    >>> brier_score([[1, 0], [0, 1]], [[0.8, 0.4], [0.1, 0.5]], average=None).round(6)
    array([0.025, 0.205])
    """
    return _float(
        _one(
            "brier_score",
            y_true,
            y_pred,
            sample_weight,
            from_logits=from_logits,
            labels=labels,
            pos_label=pos_label,
            average=average,
        )
    )


def r2(
    y_true: Any, y_pred: Any, *, sample_weight: Any = None, multioutput: Any = "uniform_average"
) -> Any:
    """Coefficient of determination R^2 (1.0 for a perfect fit, 0.0 for predicting the mean).
    ``multioutput`` as :func:`mse`, plus "variance_weighted" (outputs weighted by the
    variance of y_true), as scikit-learn."""
    return _one("r2", y_true, y_pred, sample_weight, multioutput=_mo_option(multioutput))


# ---------------------------------------------------------------- classification
# Options shared by the label metrics: labels= (the classes and their order), pos_label= (the
# positive class of average="binary" and of 1-D scores), threshold= and from_logits= (scores).


def accuracy(
    y_true: Any,
    y_pred: Any,
    *,
    sample_weight: Any = None,
    normalize: bool = True,
    threshold: float = 0.5,
    from_logits: bool = False,
    labels: Any = None,
    pos_label: Any = None,
) -> float:
    """Share of correct predictions (``normalize=False``: their count, or total weight).

    ``y_pred`` may be labels of any kind, 1-D probabilities of the positive class (thresholded
    with ``>= threshold``) or 2-D class probabilities (argmax).

    >>> from fitscope.metrics import accuracy
    >>> accuracy([0, 1, 1], [0.2, 0.7, 0.4])
    0.6666666666666666
    >>> accuracy(["cat", "dog", "dog"], ["cat", "dog", "cat"], normalize=False)
    2.0
    """
    out: float = _one(
        "accuracy",
        y_true,
        y_pred,
        sample_weight,
        threshold=threshold,
        from_logits=from_logits,
        labels=labels,
        pos_label=pos_label,
        normalize=normalize,
    )
    return out


def zero_one_loss(
    y_true: Any,
    y_pred: Any,
    *,
    sample_weight: Any = None,
    normalize: bool = True,
    threshold: float = 0.5,
    from_logits: bool = False,
    labels: Any = None,
    pos_label: Any = None,
) -> float:
    """Share of wrong predictions: 1 - accuracy (``normalize=False``: their count or weight).

    >>> from fitscope.metrics import zero_one_loss
    >>> zero_one_loss([1, 2, 3], [1, 2, 0], normalize=False)
    1.0
    """
    out: float = _one(
        "zero_one_loss",
        y_true,
        y_pred,
        sample_weight,
        threshold=threshold,
        from_logits=from_logits,
        labels=labels,
        pos_label=pos_label,
        normalize=normalize,
    )
    return out


def hamming_loss(
    y_true: Any,
    y_pred: Any,
    *,
    sample_weight: Any = None,
    threshold: float = 0.5,
    from_logits: bool = False,
) -> float:
    """Share of wrong labels: for multilabel targets (2-D 0/1) the wrong cells over all cells;
    for class labels 1 - accuracy, as scikit-learn.

    >>> from fitscope.metrics import hamming_loss
    >>> hamming_loss([[1, 0, 1], [0, 1, 0]], [[1, 0, 0], [0, 1, 0]])
    0.16666666666666666
    """
    out: float = _one(
        "hamming_loss", y_true, y_pred, sample_weight, threshold=threshold, from_logits=from_logits
    )
    return out


def balanced_accuracy(
    y_true: Any,
    y_pred: Any,
    *,
    sample_weight: Any = None,
    adjusted: bool = False,
    threshold: float = 0.5,
    from_logits: bool = False,
    labels: Any = None,
    pos_label: Any = None,
) -> float:
    """Mean of the per-class recalls over the classes present in y_true; ``adjusted=True``
    rescales it so that chance scores 0 and perfect 1, as scikit-learn.

    >>> from fitscope.metrics import balanced_accuracy
    >>> balanced_accuracy(["a", "a", "b", "b"], ["a", "b", "b", "b"], adjusted=True)
    0.5
    """
    out: float = _one(
        "balanced_accuracy",
        y_true,
        y_pred,
        sample_weight,
        threshold=threshold,
        from_logits=from_logits,
        labels=labels,
        pos_label=pos_label,
        adjusted=adjusted,
    )
    return out


def _prf(
    name: str,
    y_true: Any,
    y_pred: Any,
    sample_weight: Any,
    average: str | None,
    zero_division: Any,
    threshold: float,
    from_logits: bool,
    labels: Any,
    pos_label: Any,
    **extra: Any,
) -> Any:
    return _one(
        name,
        y_true,
        y_pred,
        sample_weight,
        threshold=threshold,
        from_logits=from_logits,
        labels=labels,
        pos_label=pos_label,
        average=average,
        zero_division=zero_division,
        **extra,
    )


def precision(
    y_true: Any,
    y_pred: Any,
    *,
    sample_weight: Any = None,
    average: str | None = "binary",
    zero_division: Any = "warn",
    labels: Any = None,
    pos_label: Any = None,
    threshold: float = 0.5,
    from_logits: bool = False,
) -> Any:
    """Precision tp / (tp + fp), with scikit-learn's options: ``average`` "binary" (the class
    ``pos_label``, default 1), "micro", "macro", "weighted" or None (one value per class, in
    the order of ``labels`` or of the sorted labels); ``zero_division`` ("warn" = 0, 0, 1 or
    nan) where a denominator is 0.

    >>> from fitscope.metrics import precision
    >>> precision(["cat", "dog", "dog"], ["cat", "cat", "dog"], average=None)
    array([0.5, 1. ])
    """
    return _prf(
        "precision",
        y_true,
        y_pred,
        sample_weight,
        average,
        zero_division,
        threshold,
        from_logits,
        labels,
        pos_label,
    )


def recall(
    y_true: Any,
    y_pred: Any,
    *,
    sample_weight: Any = None,
    average: str | None = "binary",
    zero_division: Any = "warn",
    labels: Any = None,
    pos_label: Any = None,
    threshold: float = 0.5,
    from_logits: bool = False,
) -> Any:
    """Recall tp / (tp + fn); options as :func:`precision`.

    >>> from fitscope.metrics import recall
    >>> recall([-1, 1, 1], [-1, 1, -1])
    0.5
    """
    return _prf(
        "recall",
        y_true,
        y_pred,
        sample_weight,
        average,
        zero_division,
        threshold,
        from_logits,
        labels,
        pos_label,
    )


def f1(
    y_true: Any,
    y_pred: Any,
    *,
    sample_weight: Any = None,
    average: str | None = "binary",
    zero_division: Any = "warn",
    labels: Any = None,
    pos_label: Any = None,
    threshold: float = 0.5,
    from_logits: bool = False,
) -> Any:
    """F1 = 2 tp / (2 tp + fp + fn); options as :func:`precision`.

    >>> from fitscope.metrics import f1
    >>> f1([0, 1, 1, 0], [0, 1, 0, 0])
    0.6666666666666666
    >>> f1(["no", "yes", "yes"], ["no", "yes", "no"], pos_label="yes")
    0.6666666666666666
    """
    return _prf(
        "f1",
        y_true,
        y_pred,
        sample_weight,
        average,
        zero_division,
        threshold,
        from_logits,
        labels,
        pos_label,
    )


def fbeta(
    y_true: Any,
    y_pred: Any,
    *,
    beta: float,
    sample_weight: Any = None,
    average: str | None = "binary",
    zero_division: Any = "warn",
    labels: Any = None,
    pos_label: Any = None,
    threshold: float = 0.5,
    from_logits: bool = False,
) -> Any:
    """F-beta = (1 + b^2) tp / ((1 + b^2) tp + b^2 fn + fp): recall counts ``beta`` times as
    much as precision (beta=0: precision, beta=inf: recall). In ``metrics=[...]`` it is
    ``metric("fbeta", beta=2)`` or the string ``"fbeta(beta=2)"``. Options as :func:`precision`.

    >>> from fitscope.metrics import fbeta
    >>> round(fbeta([0, 1, 1, 0], [0, 1, 0, 0], beta=2), 6)
    0.555556
    """
    return _prf(
        "fbeta",
        y_true,
        y_pred,
        sample_weight,
        average,
        zero_division,
        threshold,
        from_logits,
        labels,
        pos_label,
        beta=beta,
    )


def confusion_matrix(
    y_true: Any,
    y_pred: Any,
    *,
    sample_weight: Any = None,
    labels: Any = None,
    normalize: str | None = None,
    pos_label: Any = None,
    threshold: float = 0.5,
    from_logits: bool = False,
) -> NDArray[Any]:
    """Counts with true classes in rows and predicted classes in columns, over the classes
    present in y_true or y_pred (sorted, as scikit-learn) or over ``labels`` in that order;
    float when weighted, else int64. ``normalize``: "true" (rows sum to 1), "pred" (columns)
    or "all". ``Evaluator.classes`` names the rows.

    >>> from fitscope.metrics import confusion_matrix
    >>> confusion_matrix([0, 1, 1], [0, 1, 0])
    array([[1, 0],
           [1, 1]])
    >>> confusion_matrix(["cat", "dog"], ["dog", "dog"], labels=["dog", "cat", "emu"])
    array([[1, 0, 0],
           [1, 0, 0],
           [0, 0, 0]])
    """
    out: NDArray[Any] = _one(
        "confusion_matrix",
        y_true,
        y_pred,
        sample_weight,
        threshold=threshold,
        from_logits=from_logits,
        labels=labels,
        pos_label=pos_label,
        normalize=normalize,
    )
    return out


def roc_auc(
    y_true: Any,
    y_pred: Any,
    *,
    sample_weight: Any = None,
    average: str | None = "macro",
    multi_class: str = "ovr",
    max_fpr: float | None = None,
    labels: Any = None,
    pos_label: Any = None,
    from_logits: bool = False,
) -> Any:
    """Exact ROC-AUC (ties count half). Binary: 1-D scores of the positive class
    (``pos_label``, else the greater label), and ``max_fpr`` for the McClish-corrected partial
    AUC over fpr <= max_fpr (as scikit-learn). Multiclass: 2-D probabilities whose columns are
    the sorted labels (or ``labels``); ``multi_class="ovr"`` (one-vs-rest, ``average``
    "macro", "weighted" by class weight, "micro" or None for one value per class) or "ovo"
    (one-vs-one, Hand & Till: "macro" or "weighted" by pair prevalence).

    >>> from fitscope.metrics import roc_auc
    >>> roc_auc(["ham", "spam", "spam"], [0.2, 0.9, 0.4])
    1.0
    >>> round(roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], max_fpr=0.5), 6)
    0.666667
    """
    return _one(
        "roc_auc",
        y_true,
        y_pred,
        sample_weight,
        from_logits=from_logits,
        labels=labels,
        pos_label=pos_label,
        average=average,
        multi_class=multi_class,
        max_fpr=max_fpr,
    )


def average_precision(
    y_true: Any,
    y_pred: Any,
    *,
    sample_weight: Any = None,
    average: str | None = "macro",
    labels: Any = None,
    pos_label: Any = None,
    from_logits: bool = False,
) -> Any:
    """Average precision: sum over thresholds of (recall step) x precision, as scikit-learn
    (0.0 when there is no positive). Also known as PR-AUC: ``metrics=["pr_auc"]`` is this
    metric. Options as :func:`roc_auc`."""
    return _one(
        "average_precision",
        y_true,
        y_pred,
        sample_weight,
        from_logits=from_logits,
        labels=labels,
        pos_label=pos_label,
        average=average,
    )


pr_auc = average_precision


def top_k_accuracy(
    y_true: Any,
    y_pred: Any,
    *,
    sample_weight: Any = None,
    k: int = 2,
    labels: Any = None,
    from_logits: bool = False,
) -> float:
    """Share of samples whose true class is among the ``k`` highest scores (ties broken as
    scikit-learn: the higher class index first). Columns are the sorted labels or ``labels``."""
    return float(
        _one(
            "top_k_accuracy",
            y_true,
            y_pred,
            sample_weight,
            from_logits=from_logits,
            labels=labels,
            k=k,
        )
    )


def expected_calibration_error(
    y_true: Any,
    y_pred: Any,
    *,
    sample_weight: Any = None,
    n_bins: int = 15,
    from_logits: bool = False,
) -> float:
    """Expected calibration error: sum over ``n_bins`` equal-width bins of the top-label
    confidence of (bin weight share) x |accuracy - mean confidence|. The data behind it is
    :func:`reliability_curve`."""
    return float(
        _one(
            "expected_calibration_error",
            y_true,
            y_pred,
            sample_weight,
            from_logits=from_logits,
            n_bins=n_bins,
        )
    )


@dataclass(frozen=True)
class ReliabilityCurve:
    """Per bin of top-label confidence: edges (n_bins + 1), weight, mean confidence, accuracy
    (nan for empty bins). ``ece`` is what :func:`expected_calibration_error` returns."""

    edges: FloatArray
    weight: FloatArray
    confidence: FloatArray
    accuracy: FloatArray
    ece: float


def reliability_curve(
    y_true: Any,
    y_pred: Any,
    *,
    sample_weight: Any = None,
    n_bins: int = 15,
    from_logits: bool = False,
) -> ReliabilityCurve:
    """The reliability diagram's data: what the ECE is computed from.

    >>> from fitscope.metrics import reliability_curve
    >>> c = reliability_curve([0, 1, 1, 1], [0.1, 0.9, 0.8, 0.3], n_bins=2)
    >>> c.confidence.round(6).tolist(), c.accuracy.tolist(), round(c.ece, 6)  # bin 0 is empty
    ([nan, 0.825], [nan, 0.75], 0.075)
    """
    spec = metric("expected_calibration_error", n_bins=n_bins)
    ev = Evaluator([spec], from_logits=from_logits)
    ev.update(y_true, y_pred, sample_weight)
    state = ev._cls
    assert state is not None
    bins = state.ece[n_bins]
    w = bins[0]
    with np.errstate(invalid="ignore", divide="ignore"):
        conf = np.where(w > 0, bins[1] / w, np.nan)
        acc = np.where(w > 0, bins[2] / w, np.nan)
    return ReliabilityCurve(
        edges=np.linspace(0.0, 1.0, n_bins + 1),
        weight=w,
        confidence=conf,
        accuracy=acc,
        ece=float(ev.compute()[spec.key]),
    )


def baseline(name: str, y_true: Any, *, sample_weight: Any = None, **options: Any) -> Any:
    """The no-skill value of metric ``name`` on ``y_true`` (None where none is defined), e.g.
    the majority-class accuracy or the log loss of predicting the class frequencies. For
    multilabel targets (2-D 0/1) the no-skill predictor gives every row each label's
    prevalence; with ``average=None`` the result is one value per label.

    >>> from fitscope.metrics import baseline
    >>> baseline("accuracy", [0, 0, 1])
    0.6666666666666666
    >>> round(baseline("log_loss", ["cat", "dog", "dog", "emu"]), 6)
    1.039721
    >>> baseline("brier_score", [[1, 0], [0, 0], [1, 1], [1, 0]], average=None).tolist()
    [0.1875, 0.1875]
    """
    info = lookup(name)
    y = v.as_label_array(y_true, "y_true") if info.family == "classification" else None
    if y is None:
        y = v.as_array(y_true, "y_true")
    ev_options: dict[str, Any] = {}
    if info.family == "classification" and y.ndim == 2:
        pred: Any = y  # multilabel: the state needs predictions of the same shape
    elif info.family == "classification":
        if _lab.identity_ok(y) or (y.dtype.kind == "f" and y.ndim == 1):
            labels = v.as_labels(y, "y_true")
        else:
            # Class names: the one-hot columns are the sorted labels.
            classes, (labels,) = _lab.factorize(y)
            ev_options["labels"] = classes.tolist()
            if classes.size == 2:
                ev_options["pos_label"] = classes[1].item()
        n_classes = int(labels.max()) + 1 if labels.size else 2
        probs = np.zeros((labels.size, max(n_classes, 2)))
        probs[np.arange(labels.size), labels] = 1.0
        pred = probs if n_classes > 2 else probs[:, 1]
    elif info.family == "hinge":
        pred = np.zeros(y.shape[0])
    else:
        pred = y
    ev = Evaluator([metric(name, **options)], **ev_options)
    ev.update(y, pred, sample_weight)
    return next(iter(ev.baselines().values()))
