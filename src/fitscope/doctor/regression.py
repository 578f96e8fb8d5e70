"""Rules over one set of real-valued predictions -> drafts.

The regression analogue of the seeds' case: a low typical error but a huge mean squared error,
because a few residuals are enormous (``large_residuals``, naming every such sample); and an
error no better than predicting the mean (``worse_than_mean``, R² <= 0). Numbers come from
:mod:`fitscope.metrics` (mse, mae, r2); the robust scale is hand-written (a median and a MAD:
two lines of numpy). Thresholds are named constants, documented in docs/doctor.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from fitscope import _validation as v
from fitscope import metrics as m
from fitscope.doctor.finding import Draft
from fitscope.doctor.i18n import Pct
from fitscope.errors import InvalidInputError

__all__ = ["Residuals", "is_regression", "regression_drafts", "residuals"]

HUGE_RESIDUAL = 5.0  # large_residuals: |residual - median| above 5 robust standard deviations
HUGE_SSE_SHARE = 0.5  # ... and those samples carry at least half the squared error
HUGE_COUNT_SHARE = 0.1  # ... while being at most 10% of the samples ("a few")
MIN_SAMPLES = 10  # fewer samples: no robust scale worth the name
SHOWN = 5


@dataclass(frozen=True)
class Residuals:
    """What the regression rules need from one set of predictions."""

    y_true: NDArray[np.float64]
    y_pred: NDArray[np.float64]
    ids: list[Any]


def is_regression(y_true: Any, y_pred: Any) -> bool:
    """Real-valued predictions: 1-D, and either ``y_true`` holds a non-integer value or
    ``y_pred`` a value outside [0, 1] (so neither labels nor probabilities)."""
    yt = np.asarray(y_true)
    yp = np.asarray(y_pred)
    if yt.ndim != 1 or yp.ndim != 1 or yt.dtype.kind not in "fiu" or yp.dtype.kind not in "fiu":
        return False
    with np.errstate(invalid="ignore"):
        frac = yt.dtype.kind == "f" and bool(np.any(np.isfinite(yt) & (yt != np.round(yt))))
        outside = yp.dtype.kind == "f" and bool(np.any((yp < 0) | (yp > 1)))
    return frac or outside


def residuals(y_true: Any, y_pred: Any, sample_ids: Sequence[Any] | None = None) -> Residuals:
    """Validate one set of real-valued predictions."""
    yt = v.as_array(y_true, "y_true")
    yp = v.as_array(y_pred, "y_pred")
    v.check_ndim(yt, "y_true", (1,))
    v.check_ndim(yp, "y_pred", (1,))
    v.check_nonempty(yt, "y_true")
    n = v.check_consistent_length(y_true=yt, y_pred=yp)
    ids = list(range(n)) if sample_ids is None else list(sample_ids)
    if len(ids) != n:
        raise InvalidInputError(
            f"sample_ids must have the same length as y_true ({n}). Got length {len(ids)} instead."
        )
    t, p = np.asarray(yt, dtype=np.float64), np.asarray(yp, dtype=np.float64)
    for name, arr in (("y_true", t), ("y_pred", p)):
        bad = np.flatnonzero(~np.isfinite(arr))
        if bad.size:
            raise InvalidInputError(
                f"{name} must be finite. Got {arr[bad[0]]} at index {int(bad[0])} instead."
            )
    return Residuals(t, p, ids)


def regression_drafts(r: Residuals) -> list[Draft]:
    """Judge one set of real-valued predictions."""
    out: list[Draft] = []
    n = r.y_true.size
    resid = r.y_pred - r.y_true
    sq = resid**2
    mse, mae = float(m.mse(r.y_true, r.y_pred)), float(m.mae(r.y_true, r.y_pred))
    total = float(sq.sum())
    keep = np.ones(n, dtype=bool)  # the samples R² is judged on (all but huge residuals)
    if n >= MIN_SAMPLES and total > 0:
        med = float(np.median(resid))
        scale = 1.4826 * float(np.median(np.abs(resid - med)))
        huge = np.abs(resid - med) > HUGE_RESIDUAL * scale if scale > 0 else sq > 0
        count = int(huge.sum())
        share = float(sq[huge].sum() / total)
        if 0 < count <= HUGE_COUNT_SHARE * n and share >= HUGE_SSE_SHARE:
            order = np.flatnonzero(huge)
            order = order[np.argsort(-sq[order], kind="stable")]
            rest = sq[~huge]
            mse_rest = float(rest.mean()) if rest.size else 0.0
            evidence = {
                "count": count,
                "n": n,
                "sse_share": share,
                "mse": mse,
                "mse_without": mse_rest,
                "mae": mae,
                "median_abs_error": float(np.median(np.abs(resid))),
                "robust_scale": scale,
                "cutoff": HUGE_RESIDUAL * scale,
                "indices": [int(i) for i in order],
                "ids": [_plain(r.ids[i]) for i in order],
                "residual": [float(resid[i]) for i in order],
                "y_true": [float(r.y_true[i]) for i in order],
                "y_pred": [float(r.y_pred[i]) for i in order],
                "squared_error": [float(sq[i]) for i in order],
            }
            params = {
                "count": count,
                "n": n,
                "share": Pct(share),
                "mse": mse,
                "mse_rest": mse_rest,
                "median": float(np.median(np.abs(resid))),
                "worst": [(str(r.ids[i]), float(resid[i])) for i in order[:SHOWN]],
            }
            out.append(Draft("large_residuals", "warning", evidence, params))
            keep = ~huge
    # A negative R² that only the huge residuals cause is said by large_residuals alone.
    if n >= 2 and float(np.var(r.y_true)) > 0 and float(np.var(r.y_true[keep])) > 0:
        r2 = float(m.r2(r.y_true, r.y_pred))
        if r2 <= 0 and float(m.r2(r.y_true[keep], r.y_pred[keep])) <= 0:
            base = float(np.var(r.y_true))
            evidence = {"r2": r2, "mse": mse, "baseline_mse": base, "mae": mae, "n": n}
            params = {"r2": r2, "mse": mse, "baseline": base}
            out.append(Draft("worse_than_mean", "problem", evidence, params))
    return out


def _plain(x: Any) -> Any:
    return x.item() if isinstance(x, np.generic) else x
