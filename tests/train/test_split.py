"""fitscope.split: three parts, stratified, reproducible."""

from __future__ import annotations

import numpy as np
import pytest

import fitscope
from fitscope.errors import InvalidInputError


def test_parts_partition_the_data_and_keep_class_shares() -> None:
    X = np.arange(200).reshape(100, 2)
    y = np.array([0] * 70 + [1] * 30)
    parts = fitscope.split(X, y, val=0.2, test=0.1, random_state=0)
    assert isinstance(parts, fitscope.Splits)
    sizes = [len(p.y) for p in parts]
    assert sizes == [70, 20, 10]
    rows = np.concatenate([p.X[:, 0] // 2 for p in parts])
    assert sorted(rows.tolist()) == list(range(100))
    assert parts.val.y.mean() == pytest.approx(0.3) and parts.test.y.mean() == pytest.approx(0.3)
    for p in parts:  # X and y stay aligned
        np.testing.assert_array_equal(y[p.X[:, 0] // 2], p.y)
    again = fitscope.split(X, y, val=0.2, test=0.1, random_state=0)
    np.testing.assert_array_equal(again.train.X, parts.train.X)


def test_unstratified_and_regression_targets() -> None:
    y = np.linspace(0, 1, 50)
    tr, va, te = fitscope.split(np.zeros((50, 1)), y, stratify=False, random_state=1)
    assert (len(tr.y), len(va.y), len(te.y)) == (30, 10, 10)
    with pytest.raises(InvalidInputError, match="stratify=False"):
        fitscope.split(np.zeros((50, 1)), y)


def test_bad_shares_and_lengths() -> None:
    with pytest.raises(InvalidInputError, match="val \\+ test must leave at least one"):
        fitscope.split(np.zeros((10, 1)), np.zeros(10), val=0.5, test=0.5)
    with pytest.raises(InvalidInputError, match="test must be in"):
        fitscope.split(np.zeros((10, 1)), np.zeros(10), test=1.5)
    with pytest.raises(InvalidInputError, match="y must have the same length as X"):
        fitscope.split(np.zeros((10, 1)), np.zeros(9))
