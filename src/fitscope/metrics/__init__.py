"""Losses and metrics: exact (equal to scikit-learn), fast, streaming and mergeable.

Functional forms take ``(y_true, y_pred, *, sample_weight=None, ...)``; :func:`evaluate`
computes many at once, and :class:`Evaluator` does the same over batches. The names below are
also the strings accepted in ``metrics=[...]``.
"""

from __future__ import annotations

from dataclasses import dataclass

from fitscope.metrics._registry import REGISTRY, lookup
from fitscope.metrics.evaluator import Evaluator, MetricSpec, StatefulMetric, evaluate, metric
from fitscope.metrics.functional import (
    ReliabilityCurve,
    accuracy,
    average_precision,
    balanced_accuracy,
    baseline,
    brier_score,
    confusion_matrix,
    cross_entropy,
    expected_calibration_error,
    f1,
    fbeta,
    hamming_loss,
    hinge,
    huber,
    log_loss,
    mae,
    mse,
    pr_auc,
    precision,
    r2,
    recall,
    reliability_curve,
    rmse,
    roc_auc,
    rss,
    top_k_accuracy,
    zero_one_loss,
)

__all__ = [
    "Evaluator",
    "MetricDescription",
    "MetricSpec",
    "ReliabilityCurve",
    "StatefulMetric",
    "accuracy",
    "available",
    "average_precision",
    "balanced_accuracy",
    "baseline",
    "brier_score",
    "confusion_matrix",
    "cross_entropy",
    "describe",
    "evaluate",
    "expected_calibration_error",
    "f1",
    "fbeta",
    "hamming_loss",
    "hinge",
    "huber",
    "log_loss",
    "mae",
    "metric",
    "mse",
    "pr_auc",
    "precision",
    "r2",
    "recall",
    "reliability_curve",
    "rmse",
    "roc_auc",
    "rss",
    "top_k_accuracy",
    "zero_one_loss",
]


@dataclass(frozen=True)
class MetricDescription:
    """Public facts about a built-in metric."""

    name: str
    task: str  # "classification" | "regression" | "hinge"
    higher_is_better: bool | None  # None: not a score (the confusion matrix)
    description: str
    options: dict[str, object]
    baseline: str | None  # what the no-skill baseline predicts, if one is defined


def describe(name: str) -> MetricDescription:
    """Facts about one built-in metric (aliases such as ``cross_entropy`` resolve).

    >>> from fitscope.metrics import describe
    >>> describe("log_loss").higher_is_better
    False
    """
    info = lookup(name)
    return MetricDescription(
        info.name,
        info.family,
        info.higher_is_better,
        info.description,
        dict(info.defaults),
        info.baseline_description,
    )


def available() -> list[MetricDescription]:
    """Every built-in metric, in registration order (aliases not repeated)."""
    return [describe(n) for n in REGISTRY]
