"""Objectives of the linear models: value, gradient and Hessian as plain functions of the
parameters.

Every objective is the (weighted) mean per-sample loss plus ``(l2 / 2) * ||w||²``, intercepts
not penalised::

    logistic  mean log(1 + exp(-s_i z_i))         z = X w + b, s_i = ±1
    softmax   mean -log softmax(z_i)[y_i]          z = X Wᵀ + b, one row of W per class
    linear    mean (y_i - z_i)²                    z = X w + b

The data terms are fitscope.metrics' own kernels (``log_loss`` from logits, ``mse``), so the
objective's loss equals what :func:`fitscope.metrics.log_loss` reports for the same model.

Parameters are one flat float64 vector ``theta`` laid out as ``(n_outputs, n_features + 1)``
row by row when there is an intercept (``[w_k..., b_k]`` for each output k), else
``(n_outputs, n_features)``; n_outputs is 1 for logistic and linear, K for softmax.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import scipy.linalg.blas
import scipy.special
from numpy.typing import NDArray

from fitscope.errors import InvalidInputError
from fitscope.metrics import _kernels as k

__all__ = ["Objective", "gradient", "hessian", "objective"]

FloatArray = NDArray[np.float64]
Model = Literal["logistic", "softmax", "linear"]

# Elements per chunk of the weighted Gram matrix (16 MB of float64): keeps the temporary small
# (a 1e6 x 50 X needs no copy of itself) while each chunk is one large BLAS call. Few chunks
# matter on a busy machine: every multi-threaded BLAS call synchronises its threads, and with
# 8192-row chunks a 1e5 x 50 Gram took 2x longer under load (bench/train.py).
GRAM_ELEMENTS = 1 << 21
# The largest K * (n_features + 1) for which a Newton step builds the full Hessian (200 MB).
MAX_HESSIAN_SIZE = 5000


def _gram(X: FloatArray, d: FloatArray, intercept: bool) -> FloatArray:
    """``Σ_i d_i x̃_i x̃_iᵀ`` with ``x̃ = [x, 1]`` when ``intercept``, for weights ``d >= 0``.

    Each chunk is scaled by ``sqrt(d)`` and handed to BLAS ``syrk``, which fills one triangle:
    half the flops of a general product, and on a busy machine it measured 15x faster than
    numpy's ``xᵀ (d x)`` (211 ms vs 3.2 s for 1e5 x 50, median of 12 interleaved rounds).
    """
    n, p = X.shape
    q = p + int(intercept)
    rows = max(1, GRAM_ELEMENTS // q)
    c = np.zeros((q, q), order="F")
    buf = np.empty((min(rows, n), q))
    for i in range(0, n, rows):
        xc = X[i : i + rows]
        b = buf[: xc.shape[0]]
        s = np.sqrt(d[i : i + rows])
        np.multiply(xc, s[:, None], out=b[:, :p])
        if intercept:
            b[:, p] = s
        # b is C-ordered (m, q), so b.T is an F-ordered (q, m) matrix A with A Aᵀ = bᵀ b.
        c = scipy.linalg.blas.dsyrk(1.0, b.T, beta=1.0, c=c, trans=0, lower=0, overwrite_c=1)
    upper = np.triu(c)
    out: FloatArray = upper + np.triu(c, 1).T
    return out


@dataclass(frozen=True, eq=False)
class Objective:
    """One model's objective over fixed data: ``value``, ``value_and_grad``, ``hessian``.

    ``y`` holds 0/1 labels (logistic), class indices 0..K-1 (softmax) or real targets (linear).

    >>> import numpy as np
    >>> obj = Objective("logistic", np.array([[1.0], [-1.0]]), np.array([1, 0]), l2=0.5)
    >>> round(obj.value(np.zeros(2)), 6)  # log 2: every probability is 0.5
    0.693147
    """

    model: Model
    X: FloatArray
    y: NDArray[Any]
    l2: float = 0.0
    sample_weight: FloatArray | None = None
    fit_intercept: bool = True
    n_classes: int = 0  # softmax: the number of classes K (0: y.max() + 1)
    _w: FloatArray = field(init=False, repr=False)
    _k: int = field(init=False, repr=False)
    _sign: FloatArray = field(init=False, repr=False)  # logistic: +1 for y=1, -1 for y=0

    def __post_init__(self) -> None:
        n = self.X.shape[0]
        sw = np.ones(n) if self.sample_weight is None else self.sample_weight
        total = float(sw.sum())
        if not total > 0.0:
            raise InvalidInputError(f"sample_weight must have a positive sum. Got {total} instead.")
        # Normalised once: the data term is a weighted mean, Σ w_i l_i with Σ w_i = 1.
        object.__setattr__(self, "_w", sw / total)
        kk = 1
        if self.model == "softmax":
            kk = self.n_classes or int(self.y.max()) + 1
        object.__setattr__(self, "_k", kk)
        sign = np.where(self.y == 1, 1.0, -1.0) if self.model == "logistic" else np.empty(0)
        object.__setattr__(self, "_sign", sign)

    # ---------------------------------------------------------------- layout
    @property
    def n_outputs(self) -> int:
        return self._k

    @property
    def shape(self) -> tuple[int, int]:
        return self._k, self.X.shape[1] + int(self.fit_intercept)

    @property
    def size(self) -> int:
        a, b = self.shape
        return a * b

    def zeros(self) -> FloatArray:
        return np.zeros(self.size)

    def penalty_mask(self) -> FloatArray:
        """1 for coefficients, 0 for intercepts (which are not penalised)."""
        mask = np.ones(self.shape)
        if self.fit_intercept:
            mask[:, -1] = 0.0
        return mask.ravel()

    def split(self, theta: FloatArray) -> tuple[FloatArray, FloatArray]:
        """``(coef (K, d), intercept (K,))`` views of ``theta``."""
        m = theta.reshape(self.shape)
        d = self.X.shape[1]
        b = m[:, d] if self.fit_intercept else np.zeros(self._k)
        return m[:, :d], b

    # ---------------------------------------------------------------- values
    def raw(self, theta: FloatArray, X: FloatArray | None = None) -> FloatArray:
        """Decision values: ``(n,)`` for logistic/linear, ``(n, K)`` for softmax."""
        X = self.X if X is None else X
        coef, b = self.split(theta)
        if self.model == "softmax":
            out: FloatArray = X @ coef.T + b
            return out
        z: FloatArray = k.matvec(X, coef[0])
        z += b[0]
        return z

    def predict_from_raw(self, z: FloatArray) -> FloatArray:
        """Probabilities (of class 1 for logistic, of every class for softmax) or predictions."""
        if self.model == "logistic":
            return k.sigmoid(z)
        if self.model == "softmax":
            out: FloatArray = np.exp(k.log_softmax(z))
            return out
        return z

    def loss_from_raw(self, z: FloatArray) -> float:
        """The data term: weighted mean log loss (from logits) or mean squared error."""
        if self.model == "logistic":
            # log(1 + exp(-z)) for y = 1, log(1 + exp(z)) for y = 0, i.e. -log sigmoid(±z):
            # scipy's log_expit is that in one overflow-free ufunc pass.
            per = scipy.special.log_expit(z * self._sign)
            np.negative(per, out=per)
        elif self.model == "softmax":
            per = -k.log_softmax(z)[np.arange(z.shape[0]), self.y]
        else:
            r = self.y - z
            per = r * r
        return k.dot(per, self._w)

    def penalty(self, theta: FloatArray) -> float:
        coef, _ = self.split(theta)
        return 0.5 * self.l2 * float(np.vdot(coef, coef))

    def value(self, theta: FloatArray) -> float:
        return self.loss_from_raw(self.raw(theta)) + self.penalty(theta)

    def value_from_raw(self, theta: FloatArray, z: FloatArray) -> float:
        return self.loss_from_raw(z) + self.penalty(theta)

    # ---------------------------------------------------------------- derivatives
    def _dz(self, z: FloatArray, rows: slice = slice(None)) -> FloatArray:
        """d(data term)/dz, per sample (already weighted); ``z`` holds the samples ``rows``."""
        if self.model == "logistic":
            out: FloatArray = (k.sigmoid(z) - self.y[rows]) * self._w[rows]
        elif self.model == "softmax":
            out = np.exp(k.log_softmax(z))
            out[np.arange(z.shape[0]), self.y] -= 1.0
            out *= self._w[:, None]
        else:
            out = 2.0 * (z - self.y[rows]) * self._w[rows]
        return out

    def grad_from_raw(self, theta: FloatArray, z: FloatArray) -> FloatArray:
        g = self._dz(z)
        d = self.X.shape[1]
        grad = np.empty(self.shape)
        if self.model == "softmax":
            grad[:, :d] = g.T @ self.X
            if self.fit_intercept:
                grad[:, d] = g.sum(axis=0)
        else:
            grad[0, :d] = k.rmatvec(self.X, g)
            if self.fit_intercept:
                grad[0, d] = g.sum()
        grad[:, :d] += self.l2 * theta.reshape(self.shape)[:, :d]
        return grad.ravel()

    def value_grad_raw(self, theta: FloatArray) -> tuple[float, FloatArray, FloatArray]:
        """Objective, gradient and decision values with one read of X.

        ``X @ w`` and ``Xᵀ r`` are memory-bound, so for the logistic and linear models each
        block of about 1 MB of rows is read once for both (on one BLAS thread, see
        :func:`fitscope.metrics._kernels.one_blas_thread`): measured at 1e6 x 50, 51 ms against
        78 ms for the two products one after the other and 58 ms for them on two BLAS threads.
        Softmax keeps the two whole-matrix products.
        """
        if self.model == "softmax":
            z = self.raw(theta)
            return self.value_from_raw(theta, z), self.grad_from_raw(theta, z), z
        coef, b = self.split(theta)
        n, d = self.X.shape
        block = max(1, (1 << 20) // (8 * max(d, 1)))
        z = np.empty(n)
        gx = np.zeros(d)
        g0 = 0.0
        with k.one_blas_thread():
            for start in range(0, n, block):
                rows = slice(start, start + block)
                xb = self.X[rows]
                zb = np.dot(xb, coef[0], out=z[rows])
                zb += b[0]
                dzb = self._dz(zb, rows)
                gx += xb.T @ dzb
                g0 += float(dzb.sum())
        grad = np.zeros(self.shape)
        grad[0, :d] = gx + self.l2 * coef[0]
        if self.fit_intercept:
            grad[0, d] = g0
        return self.value_from_raw(theta, z), grad.ravel(), z

    def value_and_grad(self, theta: FloatArray) -> tuple[float, FloatArray]:
        z = self.raw(theta)
        return self.value_from_raw(theta, z), self.grad_from_raw(theta, z)

    def hessian(self, theta: FloatArray, z: FloatArray | None = None) -> FloatArray:
        """The full Hessian, ``(size, size)``, in ``theta``'s layout."""
        if self.size > MAX_HESSIAN_SIZE:
            raise InvalidInputError(
                f"n_classes * (n_features + 1) must be at most {MAX_HESSIAN_SIZE} for a full "
                f"Newton Hessian. Got {self.size} instead; use solver='lbfgs'."
            )
        z = self.raw(theta) if z is None else z
        fi = self.fit_intercept
        q = self.shape[1]
        if self.model == "logistic":
            p = k.sigmoid(z)
            h = _gram(self.X, self._w * p * (1.0 - p), fi)
        elif self.model == "linear":
            h = _gram(self.X, 2.0 * self._w, fi)
        else:
            # d²(-log softmax_y)/dz² = diag(p) - p pᵀ, so block (a, b) is
            # Σ_i w_i p_ia (δ_ab - p_ib) x̃_i x̃_iᵀ.
            prob = np.exp(k.log_softmax(z))
            kk = self._k
            h = np.empty((kk * q, kk * q))
            for a in range(kk):
                for b in range(a, kk):
                    # Off the diagonal the weights -w p_a p_b are <= 0: build with their
                    # negation (>= 0, as _gram needs) and flip the sign.
                    if a == b:
                        blk = _gram(self.X, self._w * prob[:, a] * (1.0 - prob[:, a]), fi)
                    else:
                        blk = -_gram(self.X, self._w * prob[:, a] * prob[:, b], fi)
                    h[a * q : (a + 1) * q, b * q : (b + 1) * q] = blk
                    h[b * q : (b + 1) * q, a * q : (a + 1) * q] = blk.T
        h[np.diag_indices_from(h)] += self.l2 * self.penalty_mask()
        return h

    def batch(self, idx: NDArray[np.int64]) -> Objective:
        """The same objective over the rows ``idx`` (a mini-batch)."""
        sw = None if self.sample_weight is None else self.sample_weight[idx]
        return Objective(
            self.model, self.X[idx], self.y[idx], self.l2, sw, self.fit_intercept, self._k
        )


def _objective(model: Model, X: Any, y: Any, **kw: Any) -> Objective:
    Xa = np.asarray(X, dtype=np.float64)
    ya = np.asarray(y, dtype=np.float64 if model == "linear" else np.int64)
    sw = kw.pop("sample_weight", None)
    swa = None if sw is None else np.asarray(sw, dtype=np.float64)
    return Objective(model, Xa, ya, sample_weight=swa, **kw)


def objective(
    model: Model,
    theta: Any,
    X: Any,
    y: Any,
    *,
    l2: float = 0.0,
    sample_weight: Any = None,
    fit_intercept: bool = True,
) -> float:
    """Mean loss + ``(l2/2) ||w||²`` of ``model`` at ``theta`` (layout: module docstring).

    >>> objective("linear", [2.0, 0.0], [[1.0], [2.0]], [2.0, 4.0])  # a perfect fit
    0.0
    """
    obj = _objective(model, X, y, l2=l2, sample_weight=sample_weight, fit_intercept=fit_intercept)
    return obj.value(np.asarray(theta, dtype=np.float64))


def gradient(
    model: Model,
    theta: Any,
    X: Any,
    y: Any,
    *,
    l2: float = 0.0,
    sample_weight: Any = None,
    fit_intercept: bool = True,
) -> FloatArray:
    """The gradient of :func:`objective` with respect to ``theta``."""
    obj = _objective(model, X, y, l2=l2, sample_weight=sample_weight, fit_intercept=fit_intercept)
    return obj.value_and_grad(np.asarray(theta, dtype=np.float64))[1]


def hessian(
    model: Model,
    theta: Any,
    X: Any,
    y: Any,
    *,
    l2: float = 0.0,
    sample_weight: Any = None,
    fit_intercept: bool = True,
) -> FloatArray:
    """The Hessian of :func:`objective` with respect to ``theta``."""
    obj = _objective(model, X, y, l2=l2, sample_weight=sample_weight, fit_intercept=fit_intercept)
    return obj.hessian(np.asarray(theta, dtype=np.float64))
