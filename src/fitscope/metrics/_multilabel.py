"""Multilabel classification: 2-D 0/1 targets, one column per label, with 0/1 predictions or
per-label probabilities (logits with ``from_logits``).

Sufficient statistics, all sums (so merge is addition and any batching equals one pass):
per-label weighted tp / fp / fn (precision, recall, F-beta over labels: micro, macro,
weighted); the weight of rows predicted exactly (subset accuracy) and of wrong cells (Hamming
loss); and, for ``average="samples"``, the weight and count of samples per combination
(tp_i, fp_i, fn_i). A sample's precision, recall and F-beta depend on nothing else, so any
``beta`` and ``zero_division`` is computed from those combinations after the fact. Scores for
ROC-AUC and average precision are kept per label by the classification state's rank stores.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from fitscope.errors import InvalidInputError

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def check_indicator(y: NDArray[Any], name: str) -> NDArray[np.bool_]:
    """A 2-D 0/1 (or bool) matrix as bool; anything else names the first bad cell."""
    if y.dtype.kind == "b":
        return y
    if y.dtype.kind not in "biuf":
        raise InvalidInputError(
            f"{name} must hold 0/1 indicators when 2-D (multilabel: one column per label). "
            f"Got values of type {y.dtype} instead."
        )
    bad = (y != 0) & (y != 1)
    if bad.any():
        i, j = (int(x) for x in np.argwhere(bad)[0])
        raise InvalidInputError(
            f"{name} must hold 0/1 indicators when 2-D (multilabel: one column per label). Got "
            f"{y[i, j]!r} at index ({i}, {j}) instead. For multiclass probabilities pass a 1-D "
            "y_true of class labels."
        )
    out: NDArray[np.bool_] = y.astype(bool)
    return out


def _row_counts(a: NDArray[np.bool_]) -> IntArray:
    """True cells per row. A uint8 matrix-vector product is 2x faster than count_nonzero along
    rows (measured at 1e6 x 20); it cannot overflow below 256 columns."""
    u8 = a.view(np.uint8)
    if a.shape[1] < 256:
        out: IntArray = (u8 @ np.ones(a.shape[1], dtype=np.uint8)).astype(np.int64)
        return out
    wide: IntArray = np.einsum("ij->i", u8, dtype=np.int64)
    return wide


@dataclass
class Multilabel:
    n_labels: int
    weight: float = 0.0  # total sample weight
    count: int = 0
    tp: FloatArray = field(default_factory=lambda: np.zeros(0))
    fp: FloatArray = field(default_factory=lambda: np.zeros(0))
    fn: FloatArray = field(default_factory=lambda: np.zeros(0))
    exact: float = 0.0  # weight of rows predicted exactly
    wrong_cells: float = 0.0  # weighted count of wrong cells
    # Per (tp_i, fp_i, fn_i) combination, coded tp * (L+1)^2 + fp * (L+1) + fn: weight, count.
    codes: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    code_weight: FloatArray = field(default_factory=lambda: np.zeros(0))
    code_count: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @staticmethod
    def of(y: NDArray[np.bool_], pred: NDArray[np.bool_], w: FloatArray | None) -> Multilabel:
        n, n_labels = y.shape
        hit = y & pred
        tp_i = _row_counts(hit)
        fp_i = _row_counts(pred) - tp_i
        fn_i = _row_counts(y) - tp_i
        wrong = fp_i + fn_i
        base = n_labels + 1
        code = (tp_i * base + fp_i) * base + fn_i
        if base**3 <= 1 << 22:
            # Few labels: count the combinations directly (np.unique would sort 1e6 codes:
            # 130 ms against 2 ms for a bincount, measured at 1e6 x 20).
            present = np.bincount(code, minlength=base**3)
            codes = np.flatnonzero(present)
            cw = (
                present[codes]
                if w is None
                else np.bincount(code, weights=w, minlength=base**3)[codes]
            )
            cc = present[codes]
        else:
            codes, inv = np.unique(code, return_inverse=True)
            inv = inv.reshape(-1)
            cc = np.bincount(inv, minlength=codes.size)
            cw = cc if w is None else np.bincount(inv, weights=w, minlength=codes.size)
        if w is None:
            tp = hit.sum(axis=0).astype(np.float64)
            fp = pred.sum(axis=0) - tp
            fn = y.sum(axis=0) - tp
            weight, exact, wrong_cells = (
                float(n),
                float(np.count_nonzero(wrong == 0)),
                float(wrong.sum()),
            )
        else:
            # einsum casts the bools in buffered chunks: no float copy of the whole matrix.
            tp = np.einsum("i,ij->j", w, hit)
            fp = np.einsum("i,ij->j", w, pred & ~y)
            fn = np.einsum("i,ij->j", w, y & ~pred)
            weight = float(w.sum())
            exact = float(w[wrong == 0].sum())
            wrong_cells = float(np.dot(w, wrong))
        return Multilabel(
            n_labels=n_labels,
            weight=weight,
            count=n,
            tp=np.asarray(tp, dtype=np.float64),
            fp=np.asarray(fp, dtype=np.float64),
            fn=np.asarray(fn, dtype=np.float64),
            exact=exact,
            wrong_cells=wrong_cells,
            codes=codes.astype(np.int64),
            code_weight=np.asarray(cw, dtype=np.float64),
            code_count=np.asarray(cc, dtype=np.int64),
        )

    def merge(self, other: Multilabel) -> Multilabel:
        if other.n_labels != self.n_labels:
            raise InvalidInputError(
                f"y_true must keep {self.n_labels} label columns across batches. Got "
                f"{other.n_labels} instead."
            )
        codes, inv = np.unique(np.concatenate([self.codes, other.codes]), return_inverse=True)
        inv = inv.reshape(-1)
        return Multilabel(
            self.n_labels,
            self.weight + other.weight,
            self.count + other.count,
            self.tp + other.tp,
            self.fp + other.fp,
            self.fn + other.fn,
            self.exact + other.exact,
            self.wrong_cells + other.wrong_cells,
            codes,
            np.bincount(
                inv,
                weights=np.concatenate([self.code_weight, other.code_weight]),
                minlength=codes.size,
            ).astype(np.float64),
            np.bincount(
                inv,
                weights=np.concatenate([self.code_count, other.code_count]),
                minlength=codes.size,
            ).astype(np.int64),
        )

    def per_sample_counts(self) -> tuple[FloatArray, FloatArray, FloatArray]:
        base = self.n_labels + 1
        tp, rest = np.divmod(self.codes, base * base)
        fp, fn = np.divmod(rest, base)
        return tp.astype(np.float64), fp.astype(np.float64), fn.astype(np.float64)
