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
from fitscope.models import LogisticRegression

__all__ = [
    "LossOptimum",
    "SolverTrace",
    "Surfaces",
    "WorkedExample",
    "loss_optimum",
    "solver_traces",
    "surfaces",
    "worked_example",
]

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


@dataclass(frozen=True, eq=False)
class SolverTrace:
    """One trainer minimising the worked example's loss, epoch by epoch.

    ``epochs[0] == 0`` is the starting point (all coefficients 0, so ``p = 0.5`` for everyone);
    the rest come from the trainer's ``history_``. The trainers minimise the mean loss; the
    summed loss is that mean times the three people.
    """

    solver: str
    learning_rate: float | None
    epochs: IntArray
    summed_loss: FloatArray
    accuracy: FloatArray
    coefficients: tuple[float, float]
    stop_reason: str

    def accuracy_changes(self) -> list[int]:
        """The epochs at which accuracy differs from the epoch before."""
        return [int(e) for e in self.epochs[1:][np.diff(self.accuracy) != 0]]

    def first_drop(self) -> int | None:
        """The first epoch after the first at which accuracy fell while the loss fell too."""
        for e in self.accuracy_changes():
            if (
                e >= 2
                and self.accuracy[e] < self.accuracy[e - 1]
                and self.summed_loss[e] < self.summed_loss[e - 1]
            ):
                return e
        return None


@dataclass(frozen=True, eq=False)
class LossOptimum:
    """The coefficients that minimise the summed log loss, and what they score."""

    coefficients: tuple[float, float]
    probabilities: FloatArray
    predicted_labels: IntArray
    log_losses: FloatArray
    summed_log_loss: float
    accuracy: float


#: (solver, learning rate, epochs, epochs with ``quick``). Gradient descent needs many epochs:
#: weight and height are large and nearly collinear, so the bowl is a long narrow valley and
#: the largest stable step is tiny (2 / 7,852 = 2.5e-4 for the mean loss).
SOLVERS: tuple[tuple[str, float | None, int, int], ...] = (
    ("gd", 2e-4, 20_000, 1_000),
    ("adam", 0.01, 2_000, 500),
    ("newton", None, 50, 50),
)


def _design(example: WorkedExample) -> FloatArray:
    return np.column_stack([example.weights_kg, example.heights_cm])


def solver_traces(example: WorkedExample, *, quick: bool = False) -> list[SolverTrace]:
    """Gradient descent, Adam and Newton's method, each run by :class:`LogisticRegression`
    (no intercept) on the three people from coefficients (0, 0).

    >>> traces = solver_traces(worked_example(), quick=True)
    >>> [t.solver for t in traces], round(float(traces[-1].summed_loss[-1]), 4)
    (['gd', 'adam', 'newton'], 1.4941)
    """
    X, y = _design(example), example.labels
    n = y.size
    start_p = np.full(n, 0.5)
    start_loss = float(metrics.log_loss(y, start_p, reduction="sum"))
    start_acc = float(metrics.accuracy(y, start_p))
    traces = []
    for solver, lr, epochs, quick_epochs in SOLVERS:
        model = LogisticRegression(
            fit_intercept=False,
            solver=solver,
            epochs=quick_epochs if quick else epochs,
            tol=1e-8,
            # Newton takes no step size; the trainer's default is never used for it.
            learning_rate=0.1 if lr is None else lr,
        ).fit(X, y)
        loss = np.asarray(model.history_["loss"], dtype=np.float64) * n
        acc = np.asarray(model.history_["accuracy"], dtype=np.float64)
        b1, b2 = (float(c) for c in model.coef_[0])
        traces.append(
            SolverTrace(
                solver=solver,
                learning_rate=lr,
                epochs=np.arange(loss.size + 1, dtype=np.int64),
                summed_loss=np.concatenate([[start_loss], loss]),
                accuracy=np.concatenate([[start_acc], acc]),
                coefficients=(b1, b2),
                stop_reason=model.stop_reason_,
            )
        )
    return traces


def loss_optimum(example: WorkedExample) -> LossOptimum:
    """The minimiser of the summed log loss, found by Newton's method to ``tol=1e-10``.

    >>> best = loss_optimum(worked_example())
    >>> [round(b, 4) for b in best.coefficients], round(best.summed_log_loss, 4)
    ([-0.5643, 0.1771], 1.4941)
    >>> round(best.accuracy, 3)
    0.333
    """
    model = LogisticRegression(fit_intercept=False, solver="newton", tol=1e-10, epochs=100)
    model.fit(_design(example), example.labels)
    b1, b2 = (float(c) for c in model.coef_[0])
    p = np.asarray(model.predict_proba(_design(example))[:, 1], dtype=np.float64)
    y = example.labels
    return LossOptimum(
        coefficients=(b1, b2),
        probabilities=p,
        predicted_labels=(p >= 0.5).astype(np.int64),
        log_losses=np.asarray(metrics.log_loss(y, p, reduction="none"), dtype=np.float64),
        summed_log_loss=float(metrics.log_loss(y, p, reduction="sum")),
        accuracy=float(metrics.accuracy(y, p)),
    )


@dataclass(frozen=True, eq=False)
class Surfaces:
    """Summed log loss and accuracy on a grid of coefficients: ``loss[i, j]`` is at
    ``(b1[j], b2[i])`` (rows are b2, as an image is drawn)."""

    b1: FloatArray
    b2: FloatArray
    loss: FloatArray
    accuracy: FloatArray


def surfaces(
    example: WorkedExample,
    *,
    b1_range: tuple[float, float] = (-1.2, 0.4),
    b2_range: tuple[float, float] = (-0.15, 0.4),
    size: tuple[int, int] = (161, 111),
) -> Surfaces:
    """Evaluate the summed log loss and the accuracy over a (b1, b2) grid.

    The loss is a smooth bowl; accuracy is a staircase of flat steps (here only 1/3 and 2/3:
    no line through the origin separates the three people) that changes only on the lines
    where a person's prediction flips, so its gradient is zero almost everywhere and gradient
    descent gets no signal from it.

    >>> s = surfaces(worked_example(), size=(41, 31))
    >>> sorted(set(np.round(s.accuracy * 3).astype(int).ravel().tolist()))
    [1, 2]
    """
    b1 = np.linspace(*b1_range, size[0])
    b2 = np.linspace(*b2_range, size[1])
    X, y = _design(example), example.labels
    # z[i, j, k]: person k's logit at (b1[j], b2[i]). log(1 + exp(-s z)) with s = +-1 is the
    # per-sample log loss, computed stably by logaddexp (the same quantity metrics.log_loss
    # returns; the tests check a few grid points against it).
    z = b1[None, :, None] * X[None, None, :, 0] + b2[:, None, None] * X[None, None, :, 1]
    sign = np.where(y == 1, 1.0, -1.0)
    loss = np.logaddexp(0.0, -sign * z).sum(axis=2)
    accuracy = ((z >= 0) == (y == 1)).mean(axis=2)
    return Surfaces(b1=b1, b2=b2, loss=loss, accuracy=accuracy)
