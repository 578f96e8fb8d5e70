"""The worked example behind ``fitscope demo``: why loss and accuracy disagree.

Three people, a logistic model with fixed coefficients and no intercept, and the numbers that
follow from it: per-sample log loss, its sum and mean, accuracy, and the accuracy of always
predicting the majority class. Everything is computed with :mod:`fitscope.metrics`; this module
only computes and never prints (the CLI does).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from fitscope import metrics

__all__ = ["WorkedExample", "worked_example"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class WorkedExample:
    """The inputs, the model's outputs and the metrics of the worked example."""

    names: tuple[str, ...]
    weights_kg: FloatArray
    heights_cm: FloatArray
    labels: IntArray
    coefficients: tuple[float, float]
    probabilities: FloatArray
    predicted_labels: IntArray
    log_losses: FloatArray
    summed_log_loss: float
    mean_log_loss: float
    accuracy: float
    majority_label: int
    baseline_accuracy: float


def worked_example() -> WorkedExample:
    """Compute the classic "loss vs accuracy" example.

    The model is ``p = 1 / (1 + exp(-(b1 * weight + b2 * height)))`` with ``b1 = 0.1`` and
    ``b2 = -0.03``; a person is predicted as label 1 when ``p >= 0.5``.

    Examples
    --------
    >>> example = worked_example()
    >>> round(example.summed_log_loss, 4), round(example.mean_log_loss, 4)
    (2.6152, 0.8717)
    >>> round(example.accuracy, 3), round(example.baseline_accuracy, 3)
    (0.333, 0.667)
    """
    names = ("A", "B", "C")
    weights = np.array([50.0, 60.0, 55.0])
    heights = np.array([160.0, 170.0, 175.0])
    labels = np.array([0, 0, 1], dtype=np.int64)
    b1, b2 = 0.1, -0.03

    probabilities = 1.0 / (1.0 + np.exp(-(b1 * weights + b2 * heights)))
    predicted = (probabilities >= 0.5).astype(np.int64)

    # The baseline ignores the inputs: it gives every person the most frequent label, expressed
    # as a certain probability so that fitscope's accuracy thresholds it like any other.
    majority = int(np.argmax(np.bincount(labels)))
    baseline = np.full(labels.shape, float(majority))

    return WorkedExample(
        names=names,
        weights_kg=weights,
        heights_cm=heights,
        labels=labels,
        coefficients=(b1, b2),
        probabilities=probabilities,
        predicted_labels=predicted,
        log_losses=np.asarray(
            metrics.log_loss(labels, probabilities, reduction="none"), dtype=np.float64
        ),
        summed_log_loss=float(metrics.log_loss(labels, probabilities, reduction="sum")),
        mean_log_loss=float(metrics.log_loss(labels, probabilities)),
        accuracy=float(metrics.accuracy(labels, probabilities)),
        majority_label=majority,
        baseline_accuracy=float(metrics.accuracy(labels, baseline)),
    )
