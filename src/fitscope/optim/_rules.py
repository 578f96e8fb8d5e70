"""The update rules: plain gradient descent, heavy-ball momentum, Adam, scaling, an L1 proximal
step, and their composition."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple, Protocol

import numpy as np
from numpy.typing import NDArray

from fitscope import _validation as v
from fitscope.errors import InvalidInputError

FloatArray = NDArray[np.float64]


class UpdateFn(Protocol):
    def __call__(
        self, grads: FloatArray, state: Any, params: FloatArray | None = None
    ) -> tuple[FloatArray, Any]: ...


class Rule(NamedTuple):
    """An update rule: ``init(params) -> state``, ``update(grads, state, params)``."""

    init: Callable[[FloatArray], Any]
    update: UpdateFn


class MomentumState(NamedTuple):
    velocity: FloatArray


class AdamState(NamedTuple):
    step: int  # steps taken so far; the bias correction needs it
    mu: FloatArray  # first-moment estimate
    nu: FloatArray  # second-moment estimate


def _empty(params: FloatArray) -> tuple[()]:
    return ()


def apply_updates(params: FloatArray, updates: FloatArray) -> FloatArray:
    """``params + updates`` as a new array."""
    out: FloatArray = params + updates
    return out


def scale(factor: float) -> Rule:
    """Multiply the incoming updates by ``factor``."""

    def update(
        grads: FloatArray, state: Any, params: FloatArray | None = None
    ) -> tuple[FloatArray, Any]:
        return factor * grads, state

    return Rule(_empty, update)


def gd(learning_rate: float) -> Rule:
    """Plain gradient descent: ``updates = -learning_rate * grads``.

    >>> import numpy as np
    >>> rule = gd(0.5)
    >>> rule.update(np.array([2.0, -4.0]), rule.init(np.zeros(2)))[0]
    array([-1.,  2.])
    """
    lr = v.check_positive(learning_rate, "learning_rate")
    return scale(-lr)


def momentum(learning_rate: float, beta: float = 0.9, *, nesterov: bool = False) -> Rule:
    """Heavy-ball momentum: ``v = beta * v + g``; ``updates = -lr * v`` (with ``nesterov``,
    ``updates = -lr * (beta * v + g)``, the look-ahead form optax and PyTorch use)."""
    lr = v.check_positive(learning_rate, "learning_rate")
    b = v.check_real(beta, "beta", low=0.0, high=1.0)

    def init(params: FloatArray) -> MomentumState:
        return MomentumState(np.zeros_like(params, dtype=np.float64))

    def update(
        grads: FloatArray, state: Any, params: FloatArray | None = None
    ) -> tuple[FloatArray, Any]:
        vel = b * state.velocity + grads
        step = b * vel + grads if nesterov else vel
        return -lr * step, MomentumState(vel)

    return Rule(init, update)


def adam(learning_rate: float, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8) -> Rule:
    """Adam (Kingma & Ba 2015, Algorithm 1), with bias-corrected moments:
    ``m = b1 m + (1-b1) g``, ``s = b2 s + (1-b2) g²``, ``m̂ = m / (1-b1^t)``,
    ``ŝ = s / (1-b2^t)``, ``updates = -lr m̂ / (sqrt(ŝ) + eps)``."""
    lr = v.check_positive(learning_rate, "learning_rate")
    beta1 = v.check_real(b1, "b1", low=0.0, high=1.0, strict=False)
    beta2 = v.check_real(b2, "b2", low=0.0, high=1.0, strict=False)
    if beta1 >= 1.0 or beta2 >= 1.0:
        raise InvalidInputError(f"b1 and b2 must be < 1. Got b1={b1!r}, b2={b2!r} instead.")
    epsilon = v.check_positive(eps, "eps")

    def init(params: FloatArray) -> AdamState:
        zeros = np.zeros_like(params, dtype=np.float64)
        return AdamState(0, zeros, zeros.copy())

    def update(
        grads: FloatArray, state: Any, params: FloatArray | None = None
    ) -> tuple[FloatArray, Any]:
        t = state.step + 1
        mu = beta1 * state.mu + (1.0 - beta1) * grads
        nu = beta2 * state.nu + (1.0 - beta2) * grads * grads
        mu_hat = mu / (1.0 - beta1**t)
        nu_hat = nu / (1.0 - beta2**t)
        return -lr * mu_hat / (np.sqrt(nu_hat) + epsilon), AdamState(t, mu, nu)

    return Rule(init, update)


def l1_prox(threshold: float, mask: FloatArray | None = None) -> Rule:
    """The proximal step of ``threshold * ||params * mask||_1`` after the incoming updates:
    soft-thresholding of ``params + updates``, returned as an update. Put it last in a
    :func:`chain`; ``threshold`` is ``learning_rate * l1`` for a proximal-gradient step.
    ``mask`` (1 where penalised, 0 elsewhere) keeps intercepts out of the penalty."""
    thr = v.check_nonnegative(threshold, "threshold")

    def update(
        grads: FloatArray, state: Any, params: FloatArray | None = None
    ) -> tuple[FloatArray, Any]:
        if params is None:
            raise InvalidInputError(
                "params must be given to l1_prox's update (the proximal step needs them). "
                "Got None instead."
            )
        target = params + grads
        t = thr if mask is None else thr * mask
        shrunk = np.sign(target) * np.maximum(np.abs(target) - t, 0.0)
        return shrunk - params, state

    return Rule(_empty, update)


def chain(*rules: Rule) -> Rule:
    """Apply ``rules`` in order, each to the previous one's updates.

    >>> import numpy as np
    >>> rule = chain(gd(1.0), scale(0.5))
    >>> rule.update(np.array([2.0]), rule.init(np.zeros(1)))[0]
    array([-1.])
    """

    def init(params: FloatArray) -> tuple[Any, ...]:
        return tuple(r.init(params) for r in rules)

    def update(
        grads: FloatArray, state: Any, params: FloatArray | None = None
    ) -> tuple[FloatArray, Any]:
        new_states = []
        for r, s in zip(rules, state, strict=True):
            grads, s = r.update(grads, s, params)
            new_states.append(s)
        return grads, tuple(new_states)

    return Rule(init, update)
