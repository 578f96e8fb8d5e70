"""Each update rule against a step computed by hand."""

from __future__ import annotations

import numpy as np
import pytest

from fitscope import optim
from fitscope.errors import InvalidInputError


def test_gd_step_is_minus_learning_rate_times_gradient() -> None:
    rule = optim.gd(0.1)
    params = np.array([1.0, 2.0])
    updates, state = rule.update(np.array([3.0, -4.0]), rule.init(params), params)
    np.testing.assert_allclose(updates, [-0.3, 0.4])
    assert state == ()


def test_momentum_accumulates_velocity() -> None:
    rule = optim.momentum(0.5, beta=0.9)
    p = np.zeros(1)
    s = rule.init(p)
    u1, s = rule.update(np.array([1.0]), s, p)
    u2, s = rule.update(np.array([2.0]), s, p)
    # v1 = 1, v2 = 0.9 * 1 + 2 = 2.9; updates = -0.5 v.
    np.testing.assert_allclose([u1[0], u2[0]], [-0.5, -1.45])
    np.testing.assert_allclose(s.velocity, [2.9])


def test_nesterov_looks_ahead() -> None:
    rule = optim.momentum(1.0, beta=0.5, nesterov=True)
    p = np.zeros(1)
    u, _ = rule.update(np.array([2.0]), rule.init(p), p)
    # v = 2; step = 0.5 * 2 + 2 = 3.
    np.testing.assert_allclose(u, [-3.0])


def _adam_by_hand(grads: list[np.ndarray], lr: float, b1: float, b2: float, eps: float) -> list:
    """Kingma & Ba (2015), Algorithm 1, written out literally."""
    m = np.zeros_like(grads[0])
    v = np.zeros_like(grads[0])
    out = []
    for t, g in enumerate(grads, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        m_hat = m / (1 - b1**t)
        v_hat = v / (1 - b2**t)
        out.append(-lr * m_hat / (np.sqrt(v_hat) + eps))
    return out


def test_adam_matches_kingma_and_ba_with_bias_correction() -> None:
    rng = np.random.default_rng(0)
    grads = [rng.normal(size=3) for _ in range(5)]
    rule = optim.adam(0.01, b1=0.8, b2=0.99, eps=1e-6)
    p = np.zeros(3)
    s = rule.init(p)
    for g, expected in zip(grads, _adam_by_hand(grads, 0.01, 0.8, 0.99, 1e-6), strict=True):
        u, s = rule.update(g, s, p)
        np.testing.assert_allclose(u, expected, rtol=1e-14)
    assert s.step == 5


def test_adam_first_step_is_learning_rate_times_sign() -> None:
    # With bias correction, m̂ = g and v̂ = g² at t = 1, so the step is -lr g / (|g| + eps).
    rule = optim.adam(0.1)
    p = np.zeros(2)
    u, _ = rule.update(np.array([4.0, -0.5]), rule.init(p), p)
    np.testing.assert_allclose(u, [-0.1, 0.1], rtol=1e-7)


def test_l1_prox_soft_thresholds_and_respects_the_mask() -> None:
    rule = optim.chain(optim.gd(1.0), optim.l1_prox(0.5, mask=np.array([1.0, 1.0, 0.0])))
    p = np.array([1.0, 0.2, 0.2])
    u, _ = rule.update(np.zeros(3), rule.init(p), p)
    np.testing.assert_allclose(p + u, [0.5, 0.0, 0.2])


def test_chain_applies_rules_in_order_and_keeps_inputs() -> None:
    rule = optim.chain(optim.momentum(1.0, beta=0.5), optim.scale(2.0))
    p, g = np.ones(2), np.array([1.0, -1.0])
    s0 = rule.init(p)
    u, _ = rule.update(g, s0, p)
    np.testing.assert_allclose(u, [-2.0, 2.0])
    np.testing.assert_allclose(s0[0].velocity, [0.0, 0.0])  # the old state is untouched
    np.testing.assert_allclose(g, [1.0, -1.0])
    np.testing.assert_allclose(optim.apply_updates(p, u), [-1.0, 3.0])


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan")])
def test_learning_rate_must_be_positive(bad: float) -> None:
    with pytest.raises(InvalidInputError, match="learning_rate must be a number > 0"):
        optim.adam(bad)
