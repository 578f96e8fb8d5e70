"""Custom metrics: plain functions are computed over all the data seen, never averaged per batch;
small classes with their own mergeable state work too."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import fitscope
from fitscope import metric


def positives_found(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """A sum, which a per-batch average gets wrong."""
    return float(np.sum((y_true == 1) & (y_pred >= 0.5)))


def weighted_error(y_true, y_pred, sample_weight=None):
    return float(np.average(np.abs(y_true - y_pred), weights=sample_weight))


class MaxError:
    """A custom metric with its own mergeable state."""

    name = "max_error"
    higher_is_better = False

    def __init__(self) -> None:
        self.value = -np.inf

    def update(self, y_true, y_pred, sample_weight=None):
        self.value = max(self.value, float(np.max(np.abs(np.asarray(y_true) - y_pred))))

    def merge(self, other):
        out = MaxError()
        out.value = max(self.value, other.value)
        return out

    def compute(self):
        return self.value


def _batches(n: int, size: int):
    return [slice(i, i + size) for i in range(0, n, size)]


def test_plain_function_sees_all_data_not_a_mean_of_batches() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 1000)
    p = rng.random(1000)
    ev = fitscope.Evaluator(["f1", positives_found])
    per_batch = []
    for sl in _batches(1000, 64):
        ev.update(y[sl], p[sl])
        per_batch.append(positives_found(y[sl], p[sl]))
    result = ev.compute()
    assert result["positives_found"] == positives_found(y, p)
    # What Keras reports for a plain-function metric: the mean over batches, a different number.
    assert result["positives_found"] != pytest.approx(np.mean(per_batch))
    # A non-decomposable function (F1) over all data equals the built-in, not a batch mean.
    from sklearn.metrics import f1_score

    ev2 = fitscope.Evaluator([lambda yt, yp: f1_score(yt, yp >= 0.5)])
    for sl in _batches(1000, 64):
        ev2.update(y[sl], p[sl])
    assert ev2.compute()["<lambda>"] == pytest.approx(result["f1"], rel=1e-12)


def test_plain_function_survives_merge_and_receives_weights_when_it_takes_them() -> None:
    rng = np.random.default_rng(1)
    y, p, w = rng.random(300), rng.random(300), rng.random(300)
    a = fitscope.Evaluator([weighted_error]).update(y[:100], p[:100], w[:100])
    b = fitscope.Evaluator([weighted_error]).update(y[100:], p[100:], w[100:])
    assert a.merge(b).compute()["weighted_error"] == pytest.approx(weighted_error(y, p, w))
    with pytest.raises(fitscope.InvalidInputError, match="takes no sample_weight"):
        fitscope.Evaluator([positives_found]).update([0, 1], [0.2, 0.9], sample_weight=[1, 1])


def test_caller_may_reuse_its_arrays_between_batches() -> None:
    ev = fitscope.Evaluator([positives_found])
    y = np.array([1, 1])
    p = np.array([0.9, 0.9])
    ev.update(y, p)
    p[:] = 0.1  # a training loop overwriting its buffer
    ev.update(y, p)
    assert ev.compute()["positives_found"] == 2.0


def test_stateful_custom_metric_merges_pickles_and_is_not_mutated() -> None:
    proto = MaxError()
    ev = fitscope.Evaluator(["mae", proto])
    ev.update([0.0, 1.0], [0.5, 1.0])
    other = fitscope.Evaluator(["mae", proto]).update([3.0], [0.0])
    merged = ev.merge(other)
    assert merged.compute() == {"mae": pytest.approx(3.5 / 3), "max_error": 3.0}
    assert ev.compute()["max_error"] == 0.5
    assert proto.value == -np.inf  # the object handed in is a prototype, never updated
    assert pickle.loads(pickle.dumps(merged)).compute()["max_error"] == 3.0
    assert merged.higher_is_better == {"mae": False, "max_error": False}


def test_metric_naming_and_direction_for_custom_functions() -> None:
    spec = metric(positives_found, name="found", higher_is_better=True)
    result = fitscope.evaluate([1, 0], [0.9, 0.2], metrics=[spec, "accuracy"])
    assert result == {"found": 1.0, "accuracy": 1.0}
    ev = fitscope.Evaluator([spec, positives_found])
    # A plain function's direction is unknown unless declared: never guessed from its name.
    assert ev.higher_is_better == {"found": True, "positives_found": None}


def test_options_and_names_for_builtins() -> None:
    y = [0, 1, 2, 2, 1]
    p = np.array(
        [[0.7, 0.2, 0.1], [0.2, 0.5, 0.3], [0.1, 0.1, 0.8], [0.5, 0.1, 0.4], [0.3, 0.3, 0.4]]
    )
    out = fitscope.evaluate(
        y,
        p,
        metrics=[metric("f1", average="macro"), metric("f1", average="micro", name="f1_micro")],
    )
    assert list(out) == ["f1(average=macro)", "f1_micro"]
    assert out["f1_micro"] == pytest.approx(fitscope.metrics.accuracy(y, p))


def test_baselines_for_loss_and_accuracy() -> None:
    y = np.array([0, 0, 0, 1])
    ev = fitscope.Evaluator(["accuracy", "log_loss", "roc_auc", "brier_score", "mae"])
    ev.update(y, np.array([0.1, 0.2, 0.6, 0.7]))
    base = ev.baselines()
    assert base["accuracy"] == 0.75
    prior = 0.25
    assert base["log_loss"] == pytest.approx(
        -(prior * np.log(prior) + (1 - prior) * np.log(1 - prior))
    )
    assert base["brier_score"] == pytest.approx(prior * (1 - prior))
    assert base["roc_auc"] == 0.5
    assert base["mae"] is None
    # The prior log loss is exactly what predicting the class frequency scores.
    assert fitscope.metrics.log_loss(y, np.full(4, prior)) == pytest.approx(base["log_loss"])
    assert fitscope.metrics.baseline("accuracy", y) == 0.75
    assert fitscope.metrics.baseline("r2", [1.0, 2.0, 4.0]) == 0.0
    assert fitscope.metrics.baseline("mse", [1.0, 2.0, 3.0]) == pytest.approx(2 / 3)


def test_binned_ranking_is_within_its_stated_bound() -> None:
    rng = np.random.default_rng(2)
    y = rng.integers(0, 2, 50_000)
    p = 1 / (1 + np.exp(-(rng.normal(size=50_000) + y)))
    exact = fitscope.metrics.roc_auc(y, p)
    ev = fitscope.Evaluator(["roc_auc", "average_precision"], ranking="binned", ranking_bins=256)
    for sl in _batches(50_000, 4096):
        ev.update(y[sl], p[sl])
    got = ev.compute()
    bound = ev.error_bounds()["roc_auc"]
    assert 0 < bound < 0.01
    assert abs(got["roc_auc"] - exact) <= bound
    assert got["average_precision"] == pytest.approx(
        fitscope.metrics.average_precision(y, p), abs=0.01
    )
    # Fixed memory: the state is the same size after 1 batch and after 13.
    one = fitscope.Evaluator(["roc_auc"], ranking="binned", ranking_bins=256).update(y[:10], p[:10])
    assert len(pickle.dumps(one)) == pytest.approx(len(pickle.dumps(ev)), rel=0.2)


def test_logits_give_the_same_numbers_as_their_probabilities() -> None:
    rng = np.random.default_rng(3)
    z = rng.normal(size=500) * 3
    y = (rng.random(500) < 1 / (1 + np.exp(-z))).astype(int)
    p = 1 / (1 + np.exp(-z))
    names = ["log_loss", "accuracy", "roc_auc", "brier_score", "expected_calibration_error"]
    from_z = fitscope.evaluate(y, z, metrics=names, from_logits=True)
    from_p = fitscope.evaluate(y, p, metrics=names)
    for key in names:
        assert from_z[key] == pytest.approx(from_p[key], rel=1e-9), key
    # Stable where probabilities saturate: a logit of 800 is not log(0).
    assert fitscope.metrics.log_loss([0], [800.0], from_logits=True) == pytest.approx(800.0)
    assert fitscope.metrics.log_loss([1], [800.0], from_logits=True) == 0.0


def test_results_are_keyed_by_the_name_as_typed() -> None:
    out = fitscope.evaluate([0, 1], [0.2, 0.7], metrics=["cross_entropy", "accuracy"])
    assert out["cross_entropy"] == pytest.approx(fitscope.metrics.log_loss([0, 1], [0.2, 0.7]))
