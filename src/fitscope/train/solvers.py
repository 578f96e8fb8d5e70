"""The solvers, each advancing the parameters one epoch per call.

- ``gd``, ``sgd``, ``momentum``, ``adam``: :mod:`fitscope.optim` rules over (mini-)batch
  gradients; ``l1`` by a proximal soft-threshold step (``gd`` and ``sgd`` only).
- ``newton``: a damped Newton (IRLS) step solved by Cholesky, then a backtracking (Armijo) line
  search along it.
- ``lbfgs``: scipy's L-BFGS-B, which calls the epoch-end hook from its callback.

An epoch is one pass over the training data for the mini-batch solvers and one iteration for
the full-batch ones.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import numpy as np
import scipy.linalg
from numpy.typing import NDArray

from fitscope import optim
from fitscope.train.loop import Decision, LoopResult, Snapshot

__all__ = ["GradientStepper", "NewtonStepper", "SmoothObjective", "run_lbfgs"]

FloatArray = NDArray[np.float64]


class SmoothObjective(Protocol):
    """What a solver needs of an objective (see fitscope.models.Objective)."""

    @property
    def X(self) -> FloatArray: ...

    @property
    def size(self) -> int: ...

    def raw(self, theta: FloatArray, X: FloatArray | None = None) -> FloatArray: ...

    def value_from_raw(self, theta: FloatArray, z: FloatArray) -> float: ...

    def grad_from_raw(self, theta: FloatArray, z: FloatArray) -> FloatArray: ...

    def value_grad_raw(self, theta: FloatArray) -> tuple[float, FloatArray, FloatArray]: ...

    def hessian(self, theta: FloatArray, z: FloatArray | None = None) -> FloatArray: ...

    def batch(self, idx: NDArray[np.int64]) -> Any: ...


def _soft_threshold(x: FloatArray, t: FloatArray) -> FloatArray:
    out: FloatArray = np.sign(x) * np.maximum(np.abs(x) - t, 0.0)
    return out


class GradientStepper:
    """First-order solvers over an optim rule. ``batch_size=None`` means full batch."""

    def __init__(
        self,
        obj: SmoothObjective,
        rule: optim.Rule,
        theta0: FloatArray,
        *,
        batch_size: int | None,
        tol: float,
        rng: np.random.Generator,
        prox: tuple[float, float, FloatArray] | None = None,  # (learning_rate, l1, mask)
    ) -> None:
        self.obj, self.rule, self.tol, self.rng, self.prox = obj, rule, tol, rng, prox
        self.theta = theta0.copy()
        self.state = rule.init(self.theta)
        n = obj.X.shape[0]
        self.batch_size = n if batch_size is None else min(batch_size, n)
        # Full batch: the gradient at the end of one step is the next step's gradient.
        self._z = obj.raw(self.theta)
        self._g = obj.grad_from_raw(self.theta, self._z)

    def _stationarity(self) -> float:
        """max |gradient mapping|: the gradient itself without l1, else
        ``(θ - prox(θ - lr g)) / lr``, which is 0 exactly at an l1-penalised optimum."""
        if self.prox is None:
            return float(np.max(np.abs(self._g)))
        lr, l1, mask = self.prox
        moved = self.theta - _soft_threshold(self.theta - lr * self._g, lr * l1 * mask)
        return float(np.max(np.abs(moved))) / lr

    def __call__(self) -> Snapshot:
        n = self.obj.X.shape[0]
        if self.batch_size >= n:
            updates, self.state = self.rule.update(self._g, self.state, self.theta)
            self.theta = optim.apply_updates(self.theta, updates)
        else:
            order = self.rng.permutation(n)
            for i in range(0, n, self.batch_size):
                part = self.obj.batch(order[i : i + self.batch_size])
                zb = part.raw(self.theta)
                g = part.grad_from_raw(self.theta, zb)
                updates, self.state = self.rule.update(g, self.state, self.theta)
                self.theta = optim.apply_updates(self.theta, updates)
        self._z = self.obj.raw(self.theta)
        self._g = self.obj.grad_from_raw(self.theta, self._z)
        return Snapshot(self.theta.copy(), self._z, self._stationarity() <= self.tol)


class NewtonStepper:
    """Damped Newton with a backtracking line search.

    The step solves ``(H + λ I) s = -g`` by Cholesky. λ is a tiny floor (1e-12 of the largest
    diagonal entry: the softmax Hessian is singular along "add c to every intercept", and the
    floor keeps the factorisation well defined while g has no component there); when the
    factorisation still fails the matrix is numerically indefinite or singular, and λ grows
    tenfold until it succeeds (Levenberg). The Armijo line search halves the step until the
    objective decreases enough, so every epoch lowers the objective.

    The decision values ``z = X θ`` are linear in θ, so the line search moves ``z`` along
    ``X s`` without touching X again: an epoch costs one Gram pass, ``X s`` and ``Xᵀ r``.
    """

    def __init__(self, obj: SmoothObjective, theta0: FloatArray, *, tol: float) -> None:
        self.obj, self.tol = obj, tol
        self.theta = theta0.copy()
        self._z = obj.raw(self.theta)
        self._f = obj.value_from_raw(self.theta, self._z)
        self._g = obj.grad_from_raw(self.theta, self._z)
        self.damping = 0.0

    def _direction(self, h: FloatArray) -> FloatArray:
        scale = float(np.max(np.diag(h))) if h.size else 1.0
        lam = max(self.damping, 1e-12) * max(scale, np.finfo(float).tiny)
        eye = np.eye(h.shape[0])
        for _ in range(40):
            try:
                c = scipy.linalg.cho_factor(h + lam * eye, lower=True, check_finite=False)
                break
            except np.linalg.LinAlgError:
                lam *= 10.0
        else:  # pragma: no cover - needs a Hessian with non-finite entries
            return -self._g
        self.damping = lam / max(scale, np.finfo(float).tiny)
        out: FloatArray = -scipy.linalg.cho_solve(c, self._g, check_finite=False)
        return out

    def __call__(self) -> Snapshot:
        if float(np.max(np.abs(self._g))) <= self.tol:
            return Snapshot(self.theta.copy(), self._z, True, self._f)
        s = self._direction(self.obj.hessian(self.theta, self._z))
        # raw() adds the intercept of s too, so this is exactly the change of z along s.
        dz = self.obj.raw(s)
        slope = float(np.dot(self._g, s))
        if -slope <= 4 * np.finfo(float).eps * max(1.0, abs(self._f)):
            # The predicted decrease (twice the Newton decrement) is below float64's resolution
            # of f: no step can make measurable progress, so a tighter tol cannot be met.
            return Snapshot(self.theta.copy(), self._z, True, self._f)
        t, accepted = 1.0, False
        for _ in range(60):
            theta_t = self.theta + t * s
            z_t = self._z + t * dz
            f_t = self.obj.value_from_raw(theta_t, z_t)
            if f_t <= self._f + 1e-4 * t * slope and f_t < self._f:
                accepted = True
                break
            t *= 0.5
        # Relax the damping after a full step; keep it after a shortened one.
        self.damping = self.damping * 0.1 if t == 1.0 else self.damping
        if not accepted:
            # No decrease along a descent direction: the objective is flat to rounding
            # error here, which is as converged as float64 allows.
            return Snapshot(self.theta.copy(), self._z, True, self._f)
        self.theta, self._z, self._f = theta_t, z_t, f_t
        self._g = self.obj.grad_from_raw(self.theta, self._z)
        converged = float(np.max(np.abs(self._g))) <= self.tol
        return Snapshot(self.theta.copy(), self._z, converged, self._f)


def run_lbfgs(
    obj: SmoothObjective,
    theta0: FloatArray,
    *,
    epochs: int,
    tol: float,
    end_epoch: Callable[[int, Snapshot], Decision],
) -> LoopResult:
    """scipy's L-BFGS-B; each of its iterations is an epoch ending in ``end_epoch``.

    ``tol`` is its ``gtol`` (largest gradient entry); ``ftol`` is set near machine precision so
    that the gradient test, not a stalled relative decrease, ends a run.
    """
    import scipy.optimize  # lazy: L-BFGS is one solver of several; `import fitscope` skips it

    cache: dict[str, Any] = {}

    def fun(theta: FloatArray) -> tuple[float, FloatArray]:
        f, g, z = obj.value_grad_raw(theta)
        cache["theta"], cache["z"], cache["f"] = theta.copy(), z, f
        return f, g

    count = 0
    last = Decision()

    def callback(intermediate_result: scipy.optimize.OptimizeResult) -> None:
        nonlocal count, last
        count += 1
        x = np.asarray(intermediate_result.x, dtype=np.float64).copy()
        # scipy's last evaluation is almost always at the accepted point: reuse its z.
        prev = cache.get("theta")
        same = prev is not None and np.array_equal(prev, x)
        snap = Snapshot(x, cache["z"], False, cache["f"]) if same else Snapshot(x)
        last = end_epoch(count, snap)
        if last.stop:
            raise StopIteration

    res = scipy.optimize.minimize(
        fun,
        theta0,
        jac=True,
        method="L-BFGS-B",
        callback=callback,
        options={"maxiter": epochs, "gtol": tol, "ftol": 1e3 * np.finfo(float).eps},
    )
    x = np.asarray(res.x, dtype=np.float64)
    if last.stop:
        return LoopResult(x, count, last.reason)
    if count == 0:  # already optimal at theta0: still record one epoch
        count = 1
        last = end_epoch(1, Snapshot(x.copy(), None, True))
    # status 0: gtol met; 1: maxiter; 2: the line search could not decrease the objective any
    # more (float64's limit near an optimum, given the tiny ftol).
    reason = {0: "converged", 1: "max_epochs"}.get(int(res.status), f"stalled: {res.message}")
    return LoopResult(x, count, reason)
