"""``split``: train, validation and test parts, stratified by class by default."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from fitscope import _validation as v
from fitscope.errors import InvalidInputError

__all__ = ["Part", "Splits", "split", "split_indices"]

IntArray = NDArray[np.int64]


class Part(NamedTuple):
    """One part of the data: unpacks as ``X, y = part``."""

    X: NDArray[Any]
    y: NDArray[Any]


class Splits(NamedTuple):
    """The three parts: unpacks as ``train, val, test = fitscope.split(X, y)``."""

    train: Part
    val: Part
    test: Part


def _apportion(counts: IntArray, total: int) -> IntArray:
    """Split ``total`` across classes in proportion to ``counts`` (largest remainders), so the
    parts' class shares match the data's as closely as whole samples allow."""
    if total == 0 or counts.sum() == 0:
        return np.zeros_like(counts)
    quota = total * counts / counts.sum()
    out = np.floor(quota).astype(np.int64)
    rest = total - int(out.sum())
    # Ties go to the class with more samples first, then to the lower index (stable sort).
    order = np.lexsort((-counts, -(quota - out)))
    out[order[:rest]] += 1
    capped: IntArray = np.minimum(out, counts)
    return capped


def split_indices(
    n: int, labels: IntArray | None, val: float, test: float, rng: np.random.Generator
) -> tuple[IntArray, IntArray, IntArray]:
    """Shuffled (train, val, test) row indices; stratified when ``labels`` is given."""
    n_test, n_val = round(test * n), round(val * n)
    if labels is None:
        perm = rng.permutation(n)
        return perm[n_test + n_val :], perm[n_test : n_test + n_val], perm[:n_test]
    counts = np.bincount(labels)
    k_test = _apportion(counts, n_test)
    k_val = _apportion(counts - k_test, n_val)
    parts: tuple[list[IntArray], list[IntArray], list[IntArray]] = ([], [], [])
    for c in range(counts.size):
        idx = rng.permutation(np.flatnonzero(labels == c))
        a, b = int(k_test[c]), int(k_test[c] + k_val[c])
        parts[2].append(idx[:a])
        parts[1].append(idx[a:b])
        parts[0].append(idx[b:])
    tr, va, te = (rng.permutation(np.concatenate(p)).astype(np.int64) for p in parts)
    return tr, va, te


def split(
    X: Any,
    y: Any,
    *,
    val: float = 0.2,
    test: float = 0.2,
    stratify: bool = True,
    random_state: int | np.random.Generator | None = None,
) -> Splits:
    """Split ``X, y`` into train, validation and test parts (shuffled).

    ``val`` and ``test`` are shares of the samples (rounded to whole samples); the rest is for
    training. With ``stratify`` each class keeps its share in every part (as closely as whole
    samples allow); it needs class labels, so pass ``stratify=False`` for a regression target.
    The test part is for the final report only: choose everything on the validation part.

    >>> import numpy as np, fitscope
    >>> X, y = np.arange(20.0).reshape(10, 2), np.array([0] * 5 + [1] * 5)
    >>> (X_tr, y_tr), (X_val, y_val), (X_te, y_te) = fitscope.split(X, y, random_state=0)
    >>> len(y_tr), len(y_val), len(y_te), int(y_te.sum())
    (6, 2, 2, 1)
    """
    Xa = np.asarray(X)
    ya = np.asarray(y)
    if Xa.ndim == 0:
        raise InvalidInputError(f"X must be an array of samples. Got {v.describe(X)} instead.")
    v.check_ndim(ya, "y", (1,))
    n = v.check_consistent_length(X=Xa, y=ya)
    v.check_nonempty(ya, "y")
    val_f = v.check_real(val, "val", low=0.0, high=1.0)
    test_f = v.check_real(test, "test", low=0.0, high=1.0)
    n_train = n - round(val_f * n) - round(test_f * n)
    if n_train < 1:
        raise InvalidInputError(
            f"val + test must leave at least one training sample. Got val={val!r} and "
            f"test={test!r} for {n} samples instead."
        )
    labels = None
    if stratify:
        if ya.dtype.kind == "f":
            v.check_finite(ya, "y")
            if np.any(ya != np.floor(ya)):
                raise InvalidInputError(
                    "y must hold class labels when stratify=True. Got non-integral values "
                    "instead; pass stratify=False for a regression target."
                )
        labels = np.unique(ya, return_inverse=True)[1].astype(np.int64).ravel()
    rng = (
        random_state
        if isinstance(random_state, np.random.Generator)
        else np.random.default_rng(random_state)
    )
    tr, va, te = split_indices(n, labels, val_f, test_f, rng)
    return Splits(Part(Xa[tr], ya[tr]), Part(Xa[va], ya[va]), Part(Xa[te], ya[te]))
