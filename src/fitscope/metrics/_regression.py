"""Mergeable sufficient statistics for regression metrics and the hinge loss.

Regression keeps weighted sums of squared, absolute and Huber errors, and the weighted
(count, mean, M2) of y_true merged with Chan et al.'s pairwise formula, so R^2's denominator never
comes from E[y^2] - E[y]^2 (which cancels catastrophically when the mean is large). The mean is
kept relative to a shift (the first target seen): for targets like 1e8 +- 1 the difference of two
batch means then loses nothing, where unshifted means of ~1e8 left the merge 5e-9 off the
one-pass R^2.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from fitscope import _validation as v
from fitscope.errors import InvalidInputError
from fitscope.metrics._kernels import dot

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class RegressionConfig:
    huber_deltas: tuple[float, ...] = ()


@dataclass
class RegressionState:
    """Per output (one for a 1-D target, k for an (n, k) target): weighted sums of squared,
    absolute and Huber errors, and the shifted (weight, mean, M2) of y_true. Arrays of shape
    (k,); a 1-D target runs exactly the single-output arithmetic."""

    config: RegressionConfig
    n: int = 0
    weight: float = 0.0
    sse: FloatArray = field(default_factory=lambda: np.zeros(0))
    sae: FloatArray = field(default_factory=lambda: np.zeros(0))
    huber: dict[float, FloatArray] = field(default_factory=dict)
    y_mean: FloatArray = field(default_factory=lambda: np.zeros(0))  # relative to y_shift
    y_m2: FloatArray = field(default_factory=lambda: np.zeros(0))
    # Range of y_true: a constant y_true must give R^2's exact special case even when its
    # mean is inexact in floating point (0.1 * 3 / 3 != 0.1 leaves M2 ~ 1e-34, not 0).
    y_min: FloatArray = field(default_factory=lambda: np.zeros(0))
    y_max: FloatArray = field(default_factory=lambda: np.zeros(0))
    y_shift: FloatArray | None = None
    n_outputs: int = 0
    multioutput: bool = False  # the target was 2-D (results per output)

    def update(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        y = v.as_array(y_true, "y_true")
        p = v.as_array(y_pred, "y_pred")
        v.check_ndim(y, "y_true", (1, 2))
        v.check_ndim(p, "y_pred", (1, 2))
        n = v.check_consistent_length(y_true=y, y_pred=p)
        if y.ndim == 2 and y.shape[1] == 1 and p.ndim == 1:
            y = y[:, 0]  # a column vector is a 1-D target, as scikit-learn
        if p.ndim == 2 and p.shape[1] == 1 and y.ndim == 1:
            p = p[:, 0]
        if y.shape != p.shape:
            raise InvalidInputError(
                f"y_pred must have the shape of y_true {y.shape} (one column per output). Got "
                f"shape {p.shape} instead."
            )
        v.check_nonempty(y, "y_true")
        w = v.as_sample_weight(sample_weight, n)
        k = 1 if y.ndim == 1 else y.shape[1]
        if self.n_outputs and (k != self.n_outputs or (y.ndim == 2) != self.multioutput):
            raise InvalidInputError(
                f"y_true must keep {self.n_outputs} output(s) across batches. Got shape "
                f"{y.shape} instead."
            )
        v.check_finite(y, "y_true")
        v.check_finite(p, "y_pred")
        columns = [(y, p)] if y.ndim == 1 else [(y[:, j], p[:, j]) for j in range(k)]
        stats = [
            self._column(yc, pc, w, None if self.y_shift is None else float(self.y_shift[j]))
            for j, (yc, pc) in enumerate(columns)
        ]
        wsum = float(n) if w is None else float(w.sum())
        sse, sae, mean, m2, lo, hi, shift = (
            np.array([st[i] for st in stats], dtype=np.float64) for i in range(7)
        )
        for delta in self.config.huber_deltas:
            h = np.array([st[7][delta] for st in stats])
            self.huber[delta] = self.huber.get(delta, np.zeros(k)) + h
        if not self.n_outputs:
            self.y_min, self.y_max = lo, hi
        else:
            self.y_min, self.y_max = np.minimum(self.y_min, lo), np.maximum(self.y_max, hi)
        self.y_shift = shift
        self.n_outputs, self.multioutput = k, y.ndim == 2
        self._combine(n, wsum, sse, sae, mean, m2)

    def _column(
        self, y: NDArray[Any], p: NDArray[Any], w: FloatArray | None, shift: float | None
    ) -> tuple[Any, ...]:
        y = y.astype(np.float64, copy=False)
        err = p.astype(np.float64) - y
        abs_err = np.abs(err)
        shift = float(y[0]) if shift is None else shift
        ys = y - shift
        if w is None:
            sse, sae = dot(err, err), float(abs_err.sum())
            mean = float(ys.mean())
            m2 = dot(ys - mean, ys - mean)
        else:
            wsum = float(w.sum())
            sse, sae = dot(err * err, w), dot(abs_err, w)
            mean = dot(w, ys) / wsum if wsum > 0 else 0.0
            m2 = dot(w, (ys - mean) ** 2)
        huber = {}
        for delta in self.config.huber_deltas:
            quad = np.minimum(abs_err, delta)
            # 0.5 e^2 inside [-delta, delta], delta * (|e| - delta / 2) outside: one expression.
            per = quad * (abs_err - 0.5 * quad)
            huber[delta] = float(per.sum()) if w is None else dot(per, w)
        return sse, sae, mean, m2, float(y.min()), float(y.max()), shift, huber

    def _combine(
        self,
        n: int,
        wsum: float,
        sse: FloatArray,
        sae: FloatArray,
        mean: FloatArray,
        m2: FloatArray,
    ) -> None:
        total = self.weight + wsum
        if self.y_mean.size == 0:
            self.y_mean, self.y_m2 = np.zeros(mean.size), np.zeros(mean.size)
            self.sse, self.sae = np.zeros(mean.size), np.zeros(mean.size)
        if total > 0:
            delta = mean - self.y_mean
            self.y_m2 = self.y_m2 + m2 + delta * delta * self.weight * wsum / total
            self.y_mean = self.y_mean + delta * wsum / total
        self.n += n
        self.weight = total
        self.sse = self.sse + sse
        self.sae = self.sae + sae

    def merge(self, other: RegressionState) -> RegressionState:
        if other.config != self.config:
            raise InvalidInputError(
                "other must be a state built for the same metrics and options. Got a different "
                "configuration instead."
            )
        if not other.n_outputs:
            return copy.deepcopy(self)
        if not self.n_outputs:
            return copy.deepcopy(other)
        if other.n_outputs != self.n_outputs or other.multioutput != self.multioutput:
            raise InvalidInputError(
                f"y_true must keep {self.n_outputs} output(s) across merged evaluators. Got "
                f"{other.n_outputs} instead."
            )
        out = RegressionState(
            self.config,
            self.n,
            self.weight,
            self.sse.copy(),
            self.sae.copy(),
            dict(self.huber),
            self.y_mean.copy(),
            self.y_m2.copy(),
            np.minimum(self.y_min, other.y_min),
            np.maximum(self.y_max, other.y_max),
            self.y_shift,
            self.n_outputs,
            self.multioutput,
        )
        # other's means, moved to this state's shift (exact when the shifts are within a factor
        # of 2 of each other, as targets of one scale are: Sterbenz).
        moved = other.y_mean
        if other.y_shift is not None and out.y_shift is not None:
            moved = moved + (other.y_shift - out.y_shift)
        out._combine(other.n, other.weight, other.sse, other.sae, moved, other.y_m2)
        for d, h in other.huber.items():
            out.huber[d] = out.huber.get(d, np.zeros(self.n_outputs)) + h
        return out


@dataclass
class HingeState:
    """Average hinge loss over decision values, as scikit-learn's ``hinge_loss``: binary labels
    0/1 (or -1/+1) with 1-D decision values, or class labels with a 2-D decision matrix
    (Crammer-Singer margin: true-class score minus the best other score)."""

    n: int = 0
    weight: float = 0.0
    loss: float = 0.0

    def update(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        y = v.as_array(y_true, "y_true")
        d = v.as_array(y_pred, "y_pred")
        v.check_ndim(y, "y_true", (1,))
        v.check_ndim(d, "y_pred", (1, 2))
        n = v.check_consistent_length(y_true=y, y_pred=d)
        v.check_nonempty(y, "y_true")
        w = v.as_sample_weight(sample_weight, n)
        v.check_finite(d, "y_pred")
        d = d.astype(np.float64, copy=False)
        if d.ndim == 1:
            lo, _ = v.check_finite(y, "y_true")
            ok = np.isin(y, (-1, 1)) if lo < 0 else np.isin(y, (0, 1))
            if not ok.all():
                bad = int(np.flatnonzero(~ok)[0])
                raise InvalidInputError(
                    "y_true must hold binary labels 0/1 or -1/+1 for a 1-D decision function. "
                    f"Got {y[bad]} at index {bad} instead."
                )
            sign = np.where(y > 0, 1.0, -1.0)
            margin = sign * d
        else:
            labels = v.as_labels(y, "y_true")
            if labels.max() >= d.shape[1]:
                raise InvalidInputError(
                    f"y_true must hold class labels 0..{d.shape[1] - 1} (y_pred has "
                    f"{d.shape[1]} columns). Got {labels.max()} instead."
                )
            rows = np.arange(n)
            true_score = d[rows, labels]
            other = d.copy()
            other[rows, labels] = -np.inf
            margin = true_score - other.max(axis=1)
        per = np.maximum(0.0, 1.0 - margin)
        self.n += n
        self.weight += float(n) if w is None else float(w.sum())
        self.loss += float(per.sum()) if w is None else dot(per, w)

    def merge(self, other: HingeState) -> HingeState:
        return HingeState(self.n + other.n, self.weight + other.weight, self.loss + other.loss)
