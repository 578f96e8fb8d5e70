"""Part 3 of the demo: when a good-looking accuracy hides a problem.

- Imbalance: "is this digit a 9?" has about 10% positives. A model that sees only how much ink
  an image has learns nothing useful and predicts "not a 9" for everyone: its accuracy only
  matches the majority baseline, and its balanced accuracy is 0.5.
- Confident mistakes: a model trained long on "3 or 8?" is right and very sure almost
  everywhere. With 3% of the evaluation labels wrong (labelling errors, the usual cause) the
  accuracy stays high while the log loss grows many times over, and the worst 1% of the
  samples carry most of it.

Each case is summarised by :func:`summarise` with the same numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from fitscope import metrics
from fitscope.demo._digits import load_digits
from fitscope.errors import InvalidInputError
from fitscope.metrics import evaluate
from fitscope.models import LogisticRegression
from fitscope.train.splits import split

__all__ = ["Case", "confident_mistakes_case", "imbalance_case", "summarise"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class Case:
    """One set of predictions and the numbers that tell whether accuracy can be trusted."""

    key: str
    y_true: IntArray
    y_pred: FloatArray  # probability of class 1
    positive_rate: float
    accuracy: float
    baseline_accuracy: float
    balanced_accuracy: float
    log_loss: float
    prior_log_loss: float
    worst_share: float  # share of the summed loss carried by the worst 1% of samples
    n_worst: int
    details: dict[str, float] = field(default_factory=dict)


def summarise(key: str, y_true: IntArray, y_pred: FloatArray, **details: float) -> Case:
    """The numbers shown for a case, all from :mod:`fitscope.metrics`.

    >>> case = summarise("toy", np.array([0, 0, 0, 1]), np.array([0.1, 0.2, 0.99, 0.8]))
    >>> case.accuracy, case.baseline_accuracy, round(case.worst_share, 2)
    (0.75, 0.75, 0.89)
    """
    values = evaluate(y_true, y_pred, metrics=["accuracy", "balanced_accuracy", "log_loss"])
    losses = np.asarray(metrics.log_loss(y_true, y_pred, reduction="none"), dtype=np.float64)
    n_worst = max(1, math.ceil(0.01 * y_true.size))
    worst = np.sort(losses)[::-1][:n_worst].sum()
    baseline_acc = metrics.baseline("accuracy", y_true)
    prior = metrics.baseline("log_loss", y_true)
    if baseline_acc is None or prior is None:  # defined for any labels; kept for mypy
        raise InvalidInputError(f"y_true must hold class labels. Got {y_true!r} instead.")
    return Case(
        key=key,
        y_true=y_true,
        y_pred=y_pred,
        positive_rate=float(np.mean(y_true == 1)),
        accuracy=float(values["accuracy"]),
        baseline_accuracy=float(baseline_acc),
        balanced_accuracy=float(values["balanced_accuracy"]),
        log_loss=float(values["log_loss"]),
        prior_log_loss=float(prior),
        worst_share=float(worst / losses.sum()),
        n_worst=n_worst,
        details=dict(details),
    )


def imbalance_case(*, random_state: int = 0) -> Case:
    """ "Is it a 9?" from the amount of ink alone: accuracy equals the majority baseline.

    >>> case = imbalance_case()
    >>> case.accuracy == case.baseline_accuracy, case.balanced_accuracy
    (True, 0.5)
    """
    X, digit = load_digits()
    ink = X.mean(axis=1, keepdims=True)
    y = (digit == 9).astype(np.int64)
    (X_tr, y_tr), _, (X_te, y_te) = split(ink, y, random_state=random_state)
    model = LogisticRegression(solver="newton", l2=1e-4).fit(X_tr, y_tr)
    return summarise("imbalanced", y_te, model.predict_proba(X_te)[:, 1])


def confident_mistakes_case(
    *, random_state: int = 0, flip_share: float = 0.03
) -> tuple[Case, Case]:
    """A confident "3 or 8?" model scored on clean labels and on labels with ``flip_share``
    of them wrong: ``(clean, with_mistakes)``.

    >>> clean, noisy = confident_mistakes_case()
    >>> noisy.accuracy > 0.9, noisy.log_loss > 3 * clean.log_loss
    (True, True)
    """
    X, digit = load_digits()
    keep = (digit == 3) | (digit == 8)
    y = (digit[keep] == 8).astype(np.int64)
    (X_tr, y_tr), _, (X_te, y_te) = split(X[keep], y, val=0.1, test=0.5, random_state=random_state)
    # Long training with no real penalty on separable data: the weights grow and the model
    # becomes very sure, as over-trained models are.
    model = LogisticRegression(solver="adam", learning_rate=0.2, epochs=1000, l2=1e-8)
    p = model.fit(X_tr, y_tr).predict_proba(X_te)[:, 1]
    rng = np.random.default_rng(random_state)
    n_flip = max(1, round(flip_share * y_te.size))
    flipped = rng.choice(y_te.size, size=n_flip, replace=False)
    y_noisy = y_te.copy()
    y_noisy[flipped] = 1 - y_noisy[flipped]
    clean = summarise("clean", y_te, p)
    noisy = summarise("confident_mistakes", y_noisy, p, n_flipped=float(n_flip))
    return clean, noisy
