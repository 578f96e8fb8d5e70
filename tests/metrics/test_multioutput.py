"""Multioutput regression (2-D targets), differential against scikit-learn to 1e-9: weights
with zeros, constant outputs, large offsets, every ``multioutput``."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fitscope
from fitscope import InvalidInputError
from fitscope.metrics import mae, mse, r2, rmse

skm = pytest.importorskip("sklearn.metrics")


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(2, 80),
    k=st.integers(1, 4),
    weights=st.sampled_from(("none", "float", "zeros")),
    constant=st.booleans(),
    multioutput=st.sampled_from(("uniform_average", "raw_values", "weights")),
)
def test_multioutput_matches_sklearn(seed, n, k, weights, constant, multioutput) -> None:
    rng = np.random.default_rng(seed)
    y = rng.normal(size=(n, k)) * rng.uniform(0.1, 10, k) + rng.uniform(-1e3, 1e3, k)
    p = y + rng.normal(size=(n, k))
    if constant:
        y[:, 0] = 0.0  # 0: its weighted mean is exact in scikit-learn too (docs: r2)
        p[:, 0] = 0.0 if seed % 2 else p[:, 0]
    w = None if weights == "none" else rng.uniform(0.1, 3.0, n)
    if weights == "zeros":
        w[rng.random(n) < 0.3] = 0.0
        w[:2] = 1.0
    weighted_outputs = multioutput == "weights" and k > 1  # scikit-learn: not for one output
    mo = rng.uniform(0.1, 1.0, k).tolist() if weighted_outputs else "uniform_average"
    if multioutput != "weights":
        mo = multioutput
    for ours, theirs in (
        (mse, skm.mean_squared_error),
        (mae, skm.mean_absolute_error),
        (rmse, skm.root_mean_squared_error),
        (r2, skm.r2_score),
    ):
        np.testing.assert_allclose(
            ours(y, p, sample_weight=w, multioutput=mo),
            theirs(y, p, sample_weight=w, multioutput=mo),
            rtol=1e-9,
            atol=1e-12,
        )
    np.testing.assert_allclose(
        r2(y, p, sample_weight=w, multioutput="variance_weighted"),
        skm.r2_score(y, p, sample_weight=w, multioutput="variance_weighted"),
        rtol=1e-9,
        atol=1e-12,
    )


def test_streaming_multioutput_equals_one_pass() -> None:
    rng = np.random.default_rng(0)
    y = rng.normal(size=(400, 3)) + np.array([0.0, 1e8, 5.0])
    p = y + rng.normal(size=(400, 3)) * 0.3
    metrics = ["r2", fitscope.metric("mse", multioutput="raw_values")]
    whole = fitscope.evaluate(y, p, metrics=metrics)
    ev = fitscope.Evaluator(metrics)
    for a in range(0, 400, 33):
        ev.update(y[a : a + 33], p[a : a + 33])
    for key, value in whole.items():
        np.testing.assert_allclose(ev.compute()[key], value, rtol=1e-12)


def test_multioutput_errors() -> None:
    with pytest.raises(InvalidInputError, match=r"shape of y_true \(2, 2\)"):
        mse([[1, 2], [3, 4]], [[1, 2, 3], [3, 4, 5]])
    with pytest.raises(InvalidInputError, match="one weight per output"):
        mse([[1, 2], [3, 4]], [[1, 2], [3, 5]], multioutput=[1, 2, 3])
    with pytest.raises(InvalidInputError, match="multioutput"):
        mse([[1, 2], [3, 4]], [[1, 2], [3, 5]], multioutput="variance_weighted")
    ev = fitscope.Evaluator(["mse"]).update([[1.0, 2.0]], [[1.0, 2.0]])
    with pytest.raises(InvalidInputError, match="2 output"):
        ev.update([1.0], [1.0])
