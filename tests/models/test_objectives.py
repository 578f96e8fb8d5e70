"""Objectives: gradients and Hessians against central differences; losses against fitscope's
metrics."""

from __future__ import annotations

import numpy as np
import pytest

import fitscope
from fitscope.models import Objective, gradient, hessian, objective


def _data(model: str, seed: int = 0, n: int = 40, d: int = 3):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    if model == "logistic":
        y = rng.integers(0, 2, n)
    elif model == "softmax":
        y = rng.integers(0, 3, n)
    else:
        y = rng.normal(size=n)
    return X, y, rng.uniform(0.5, 2.0, n)


def _central_grad(f, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    g = np.empty_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = h
        g[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


CASES = [
    (m, fi, w, l2)
    for m in ("logistic", "softmax", "linear")
    for fi in (True, False)
    for w in (False, True)
    for l2 in (0.0, 0.3)
]


@pytest.mark.parametrize(("model", "fit_intercept", "weighted", "l2"), CASES)
def test_gradient_and_hessian_match_central_differences(
    model: str, fit_intercept: bool, weighted: bool, l2: float
) -> None:
    X, y, w = _data(model)
    obj = Objective(model, X, y, l2=l2, sample_weight=w if weighted else None,
                    fit_intercept=fit_intercept)  # fmt: skip
    theta = np.random.default_rng(1).normal(size=obj.size) * 0.5
    f0, g = obj.value_and_grad(theta)
    assert f0 == pytest.approx(obj.value(theta), rel=1e-15)
    np.testing.assert_allclose(g, _central_grad(obj.value, theta), rtol=1e-6, atol=1e-8)
    num_h = np.array(
        [_central_grad(lambda t, i=i: obj.value_and_grad(t)[1][i], theta) for i in range(obj.size)]
    )
    h = obj.hessian(theta)
    np.testing.assert_allclose(h, h.T, atol=1e-14)
    np.testing.assert_allclose(h, num_h, rtol=1e-5, atol=1e-7)


def test_scipy_check_grad_agrees() -> None:
    from scipy.optimize import check_grad

    X, y, _ = _data("softmax", seed=3)
    obj = Objective("softmax", X, y, l2=0.1)
    theta = np.random.default_rng(2).normal(size=obj.size)
    err = check_grad(obj.value, lambda t: obj.value_and_grad(t)[1], theta)
    assert err < 1e-5 * np.linalg.norm(obj.value_and_grad(theta)[1])


@pytest.mark.parametrize("weighted", [False, True])
def test_logistic_loss_equals_fitscope_log_loss(weighted: bool) -> None:
    X, y, w = _data("logistic", seed=4)
    sw = w if weighted else None
    theta = np.array([0.3, -1.0, 2.0, 0.1])
    obj = Objective("logistic", X, y, sample_weight=sw)
    z = obj.raw(theta)
    expected = fitscope.metrics.log_loss(y, obj.predict_from_raw(z), sample_weight=sw)
    assert obj.value(theta) == pytest.approx(expected, rel=1e-13)
    assert obj.value(theta) == pytest.approx(
        fitscope.metrics.log_loss(y, z, from_logits=True, sample_weight=sw), rel=1e-14
    )


@pytest.mark.parametrize("weighted", [False, True])
def test_softmax_loss_equals_fitscope_log_loss(weighted: bool) -> None:
    X, y, w = _data("softmax", seed=5)
    sw = w if weighted else None
    obj = Objective("softmax", X, y, sample_weight=sw)
    theta = np.random.default_rng(6).normal(size=obj.size)
    proba = obj.predict_from_raw(obj.raw(theta))
    expected = fitscope.metrics.log_loss(y, proba, sample_weight=sw)
    assert obj.value(theta) == pytest.approx(expected, rel=1e-13)


@pytest.mark.parametrize("weighted", [False, True])
def test_linear_loss_equals_fitscope_mse(weighted: bool) -> None:
    X, y, w = _data("linear", seed=7)
    sw = w if weighted else None
    obj = Objective("linear", X, y, sample_weight=sw)
    theta = np.array([0.5, -0.2, 1.0, 0.3])
    expected = fitscope.metrics.mse(y, obj.raw(theta), sample_weight=sw)
    assert obj.value(theta) == pytest.approx(expected, rel=1e-14)


def test_penalty_is_half_l2_times_squared_norm_without_intercept() -> None:
    X, y, _ = _data("logistic", seed=8)
    theta = np.array([1.0, 2.0, -2.0, 100.0])  # the intercept (100) is not penalised
    base = objective("logistic", theta, X, y)
    assert objective("logistic", theta, X, y, l2=0.5) == pytest.approx(base + 0.25 * 9.0)
    g0 = gradient("logistic", theta, X, y)
    g1 = gradient("logistic", theta, X, y, l2=0.5)
    np.testing.assert_allclose(g1 - g0, [0.5, 1.0, -1.0, 0.0], atol=1e-15)
    h = hessian("logistic", theta, X, y, l2=0.5) - hessian("logistic", theta, X, y)
    np.testing.assert_allclose(np.diag(h), [0.5, 0.5, 0.5, 0.0], atol=1e-15)


def test_gram_in_chunks_equals_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    from fitscope.models import _objectives

    X, y, w = _data("logistic", seed=9, n=50)
    obj = Objective("logistic", X, y, sample_weight=w)
    theta = np.full(obj.size, 0.1)
    whole = obj.hessian(theta)
    monkeypatch.setattr(_objectives, "GRAM_ELEMENTS", 7 * X.shape[1])  # 7-row chunks
    np.testing.assert_allclose(obj.hessian(theta), whole, rtol=1e-13)


@pytest.mark.parametrize(("model", "fit_intercept", "weighted", "l2"), CASES)
def test_one_pass_value_grad_raw_equals_the_separate_products(
    model: str, fit_intercept: bool, weighted: bool, l2: float
) -> None:
    # 6,000 rows of 50 features span three ~1 MB blocks, the last one partial.
    X, y, w = _data(model, n=6000, d=50)
    obj = Objective(model, X, y, l2=l2, sample_weight=w if weighted else None,
                    fit_intercept=fit_intercept)  # fmt: skip
    theta = np.random.default_rng(2).normal(size=obj.size) * 0.1
    f, g, z = obj.value_grad_raw(theta)
    np.testing.assert_allclose(z, obj.raw(theta), rtol=1e-13, atol=1e-13)
    assert f == pytest.approx(obj.value(theta), rel=1e-13)
    np.testing.assert_allclose(g, obj.grad_from_raw(theta, obj.raw(theta)), rtol=1e-11, atol=1e-13)
