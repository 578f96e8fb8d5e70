"""Elementwise kernels shared by the functional metrics and the streaming states.

Each kernel works on a slice and returns per-sample values or partial sums; the states add the
sums up (float64), and the functional ``reduction="none"`` paths return the per-sample values.
Long inputs are processed in chunks of ``CHUNK`` elements: with no large temporaries the pass
stays in cache, which measured 2-3x faster than whole-array calls (shared/PEERS.md).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

CHUNK = 1 << 15


def chunks(n: int, size: int = CHUNK) -> range:
    return range(0, n, size)


def dot(a: NDArray[Any], b: NDArray[Any]) -> float:
    """Inner product on one thread. np.dot hands long vectors to a multi-threaded BLAS, whose
    threads spin-wait when the other core is busy: measured 264 ms instead of 0.09 ms for the
    Brier sum at 1e6 under load (bench/metrics.py)."""
    return float(np.einsum("i,i->", a, b))


def clip_eps(dtype: np.dtype[Any]) -> float:
    """scikit-learn clips probabilities to [eps, 1 - eps] with eps of the input's float type."""
    return _eps(dtype.char if dtype.kind == "f" else "d")


@functools.lru_cache(maxsize=8)
def _eps(char: str) -> float:
    # np.finfo costs ~8 us a call: a seventh of a mini-batch update.
    return float(np.finfo(np.dtype(char)).eps)


def nll_binary(scores: FloatArray, positive: bool, *, from_logits: bool, eps: float) -> FloatArray:
    """Per-sample negative log-likelihood of samples that are all positive (or all negative).

    Probabilities are clipped like scikit-learn; logits use log(1 + exp(-/+z)) through
    ``np.logaddexp``, which neither overflows nor loses precision for large |z|.
    """
    if from_logits:
        return np.logaddexp(0.0, -scores if positive else scores)
    q = scores if positive else 1.0 - scores
    return -np.log(np.clip(q, eps, 1.0 - eps))


def sum_nll_binary(
    scores: FloatArray,
    weights: FloatArray | None,
    positive: bool,
    *,
    from_logits: bool,
    eps: float,
    clip_needed: bool,
) -> float:
    """Weighted sum of ``nll_binary`` over ``scores``, in chunks."""
    total = 0.0
    buf = np.empty(min(CHUNK, scores.size))
    for i in chunks(scores.size):
        s = scores[i : i + CHUNK]
        out = buf[: s.size]
        if from_logits:
            np.logaddexp(0.0, -s if positive else s, out=out)
            total += float(out.sum()) if weights is None else dot(out, weights[i : i + CHUNK])
            continue
        if positive and not clip_needed:
            np.log(s, out=out)  # no copy first: log writes the buffer (a mini-batch's cost)
        else:
            if positive:
                np.copyto(out, s)
            else:
                np.subtract(1.0, s, out=out)
            if clip_needed:
                np.clip(out, eps, 1.0 - eps, out=out)
            np.log(out, out=out)
        # -log summed as -(sum of log): the same terms, one pass fewer.
        total -= float(out.sum()) if weights is None else dot(out, weights[i : i + CHUNK])
    return total


def sum_sq_binary(probs: FloatArray, weights: FloatArray | None, positive: bool) -> float:
    """Weighted sum of (y - p)^2 for samples that all have label y."""
    total = 0.0
    for i in chunks(probs.size):
        d = probs[i : i + CHUNK] - 1.0 if positive else probs[i : i + CHUNK]
        total += dot(d, d) if weights is None else dot(d * d, weights[i : i + CHUNK])
    return total


# Products smaller than this many elements of X run through einsum: threadpoolctl's switch of
# the BLAS thread count costs ~7 us, more than the whole product of a small mini-batch.
_BLAS_MIN_SIZE = 1 << 16
_blas: Any = None


def one_blas_thread() -> Any:
    """A context manager that runs numpy's BLAS on one thread (threadpoolctl, made once).

    A memory-bound product gains nothing from a second BLAS thread and loses 5-10x when that
    thread has to wait for a busy core (measured 1e5 x 50: 2 ms here, 12-16 ms through BLAS
    under load); one-thread BLAS is still 1.5-2x faster than einsum's loop (measured 1e5 x 50:
    X @ v 1.9 ms vs 3.8 ms, X.T @ g 1.7 ms vs 2.9 ms). The limit is process-wide while it holds.
    """
    global _blas
    if _blas is None:
        from threadpoolctl import ThreadpoolController

        _blas = ThreadpoolController().select(user_api="blas")
    return _blas.limit(limits=1)


def matvec(X: NDArray[Any], v: NDArray[Any]) -> FloatArray:
    """``X @ v`` on one thread (see :func:`one_blas_thread`)."""
    if X.size < _BLAS_MIN_SIZE:
        small: FloatArray = np.einsum("ij,j->i", X, v)
        return small
    with one_blas_thread():
        out: FloatArray = X @ v
    return out


def rmatvec(X: NDArray[Any], g: NDArray[Any]) -> FloatArray:
    """``X.T @ g`` on one thread (see :func:`one_blas_thread`)."""
    if X.size < _BLAS_MIN_SIZE:
        small: FloatArray = np.einsum("ij,i->j", X, g)
        return small
    with one_blas_thread():
        out: FloatArray = X.T @ g
    return out


def sigmoid(z: FloatArray) -> FloatArray:
    # scipy's expit is one ufunc pass that takes the overflow-free branch per element
    # (1 / (1 + e^-z) for z >= 0, e^z / (1 + e^z) below): 6x faster than masked indexing.
    # Imported here: scipy.special costs more than all of `import fitscope` otherwise does.
    import scipy.special

    out: FloatArray = scipy.special.expit(np.asarray(z, dtype=np.float64))
    return out


def log_softmax(z: NDArray[np.floating]) -> FloatArray:
    z = z.astype(np.float64, copy=False)
    m = z.max(axis=1, keepdims=True)
    shifted = z - m
    lse = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    out: FloatArray = shifted - lse
    return out


def nll_multiclass(
    probs: NDArray[np.floating], y: NDArray[np.int64], *, from_logits: bool, eps: float
) -> FloatArray:
    """Per-sample -log p[y] for a 2-D matrix of probabilities (or logits)."""
    rows = np.arange(y.size)
    if from_logits:
        out: FloatArray = -log_softmax(probs)[rows, y]
        return out
    p_true = probs[rows, y].astype(np.float64)
    return -np.log(np.clip(p_true, eps, 1.0 - eps))


def sum_sq_multiclass(
    probs: NDArray[np.floating], y: NDArray[np.int64], weights: FloatArray | None
) -> float:
    """Weighted sum over samples of sum_k (onehot_k - p_k)^2, computed directly (no expansion,
    which would cancel catastrophically for near-perfect predictions)."""
    n, k = probs.shape
    step = max(1, CHUNK // max(k, 1))
    total = 0.0
    for i in range(0, n, step):
        d = probs[i : i + step].astype(np.float64, copy=True)
        d[np.arange(d.shape[0]), y[i : i + step]] -= 1.0
        per_row = np.einsum("ij,ij->i", d, d)
        total += float(per_row.sum()) if weights is None else dot(per_row, weights[i : i + step])
    return total


def true_class_rank(cols: FloatArray, y: NDArray[np.int64]) -> NDArray[np.int64]:
    """How many classes rank above the true one, given scores as (K, n) columns, with
    scikit-learn's tie order for top-k (a stable ascending sort read backwards: among equal
    scores the higher class index ranks first)."""
    k, n = cols.shape
    t = cols[y, np.arange(n)]
    out: NDArray[np.int64] = np.count_nonzero(cols > t, axis=0).astype(np.int64)
    # Ties with the true score are rare with real-valued scores: resolve only those rows.
    level = np.count_nonzero(cols == t, axis=0) > 1
    if level.any():
        rows = np.flatnonzero(level)
        sub = cols[:, rows] == t[rows]
        out[rows] += np.count_nonzero(sub & (np.arange(k)[:, None] > y[rows]), axis=0)
    return out
