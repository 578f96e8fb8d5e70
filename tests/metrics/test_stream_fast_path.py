"""Evaluator.update's short path for 0/1 labels with float64 scores (the per-training-batch
case) gives exactly what the general path gives, and rejects what the general path rejects."""

from __future__ import annotations

import numpy as np
import pytest

import fitscope
from fitscope.errors import InvalidInputError

METRICS = ["accuracy", "log_loss", "f1", "precision", "recall", "confusion_matrix"]


def _batches(seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(seed)
    out = []
    for size in (1, 7, 1000, 333):
        y = rng.integers(0, 2, size)
        p = rng.random(size)
        p[: size // 3] = np.round(p[: size // 3])  # exact 0 and 1: the clipped log loss
        out.append((y, p))
    out.append((np.array([True, False, True]), np.array([0.5, 0.5, 1e-300])))
    out.append((np.array([1, 0], dtype=np.uint8), np.array([0.9, 0.1])))
    return out


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_short_path_equals_the_general_path_bit_for_bit(seed: int) -> None:
    fast, general = fitscope.Evaluator(METRICS), fitscope.Evaluator(METRICS)
    for y, p in _batches(seed):
        fast.update(y, p)
        general.update(y.tolist(), p.tolist())  # lists take the general path
    a, b = fast.compute(), general.compute()
    assert fast.n_samples == general.n_samples
    for key in METRICS:
        assert np.array_equal(np.asarray(a[key]), np.asarray(b[key])), key
    y = np.concatenate([y for y, _ in _batches(seed)]).astype(int)
    p = np.concatenate([p for _, p in _batches(seed)])
    one = fitscope.evaluate(y, p, metrics=METRICS)
    for key in METRICS:
        assert np.allclose(np.asarray(a[key]), np.asarray(one[key]), rtol=1e-12, atol=0), key


@pytest.mark.parametrize(
    ("y", "p", "match"),
    [
        ([0, 1, 2], [0.1, 0.2, 0.3], "y_true must hold two classes"),
        ([0, 1, -1], [0.1, 0.2, 0.3], "y_true"),
        ([0, 1, 1], [0.1, np.nan, 0.3], "y_pred must hold finite numbers"),
        ([0, 1, 1], [0.1, 1.5, 0.3], r"y_pred must hold probabilities in \[0, 1\]"),
        ([0, 1, 1], [-0.1, 0.5, 0.3], r"y_pred must hold probabilities in \[0, 1\]"),
        ([0, 1], [0.1, 0.2, 0.3], "same"),
    ],
)
def test_bad_batches_after_good_ones_raise_and_change_nothing(y, p, match) -> None:
    ev = fitscope.Evaluator(["accuracy", "log_loss", "f1"])
    ev.update(np.array([0, 1, 1, 0]), np.array([0.2, 0.8, 0.6, 0.4]))
    before = ev.compute()
    with pytest.raises(InvalidInputError, match=match):
        ev.update(np.array(y), np.array(p, dtype=np.float64))
    assert ev.compute() == before and ev.n_samples == 4
