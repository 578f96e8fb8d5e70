"""The code-point path of text label encoding (arrays over 4,096 labels) against np.unique:
exact on names that collide at the discriminating position, on labels the sample missed,
on non-ASCII names and on y_true and y_pred of different string widths."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import confusion_matrix as sk_confusion

import fitscope
from fitscope.metrics import _labels


def _check(*arrays: np.ndarray) -> None:
    classes, idx = _labels.factorize(*arrays)
    assert np.array_equal(classes, np.unique(np.concatenate(arrays)))
    for a, i in zip(arrays, idx, strict=True):
        assert np.array_equal(classes[i], a)


@pytest.mark.parametrize("seed", [0, 1])
def test_code_point_path_is_exact(seed: int) -> None:
    rng = np.random.default_rng(seed)
    names = np.array(["cat", "dog", "emu", "cow", "ćat", "猫", "dogs", "d0g"])
    y = names[rng.integers(0, 4, 20_000)]
    _check(y)
    p = y.copy()
    # Labels the strided sample misses, sharing code points with the classes it found.
    rare = rng.choice(p.size, 5, replace=False)
    p[rare] = names[4:][np.arange(5) % 4]
    _check(y, p)
    wide = np.concatenate([y[:10_000], np.array(["a-much-longer-name"])])
    _check(wide, y)  # y_pred narrower than y_true
    _check(y, wide)  # and wider


def test_evaluate_with_text_labels_equals_scikit_learn() -> None:
    rng = np.random.default_rng(3)
    names = np.array([f"class_{i}" for i in range(10)])
    yi = rng.integers(0, 10, 50_000)
    pi = np.where(rng.random(yi.size) < 0.7, yi, rng.integers(0, 10, yi.size))
    y, p = names[yi], names[pi]
    p[17] = "class_10"  # a class only y_pred has, after the strided sample
    ours = fitscope.evaluate(y, p, metrics=["confusion_matrix"])["confusion_matrix"]
    assert np.array_equal(ours, sk_confusion(y, p))
