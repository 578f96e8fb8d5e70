"""95% intervals on a run's held-out numbers, from its latest prediction snapshots.

For each held-out split (every split but ``train``) with a snapshot: accuracy with Wilson's
interval, ROC AUC with DeLong's, the other metrics (log loss, F1, Brier; MSE, MAE, R^2) with a
seeded percentile bootstrap. ``n`` is always given: an interval means nothing without it.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from fitscope.stats.bootstrap import DEFAULT_RESAMPLES, Resampler, bootstrap_interval
from fitscope.stats.closed_form import delong, wilson_interval
from fitscope.stats.metrics import CLASSIFICATION, REGRESSION, decompose, prepare
from fitscope.track.records import PredictionSnapshot, RunRecord

__all__ = ["held_out_intervals", "snapshot_intervals"]


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def snapshot_intervals(
    snapshot: PredictionSnapshot,
    *,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
    confidence: float = 0.95,
) -> list[dict[str, Any]]:
    """One row per metric: ``{"split", "step", "metric", "value", "ci_low", "ci_high", "n",
    "method"}`` (a metric that cannot be computed from this snapshot is left out).

    >>> import numpy as np
    >>> from fitscope.track.records import PredictionSnapshot
    >>> y = np.array([0, 1] * 500); p = np.where(y == 1, 0.8, 0.3)
    >>> rows = snapshot_intervals(PredictionSnapshot("val", 9, 0.0, y, p))
    >>> acc = rows[0]
    >>> acc["metric"], acc["value"], acc["n"], acc["method"]
    ('accuracy', 1.0, 1000, 'Wilson score')
    """
    p = prepare(snapshot.y_true, snapshot.y_pred)
    n = len(p.y_true)
    names = CLASSIFICATION if p.task == "classification" else REGRESSION
    resampler = Resampler(n, n_resamples=n_resamples, seed=seed) if n else None
    rows: list[dict[str, Any]] = []
    for name in names:
        row: dict[str, Any] | None = None
        if name == "accuracy" and p.task == "classification":
            k = int(np.count_nonzero(p.y_true == p.predicted))
            low, high = wilson_interval(k, n, confidence=confidence)
            row = {"value": k / n if n else math.nan, "ci_low": low, "ci_high": high,
                   "method": "Wilson score"}  # fmt: skip
        elif name == "roc_auc":
            if p.probs is not None and p.n_classes == 2 and 0 < p.y_true.sum() < n:
                r = delong(p.y_true, p.probs[:, 1], confidence=confidence)
                row = {"value": r["auc"], "ci_low": r["ci_low"], "ci_high": r["ci_high"],
                       "method": "DeLong"}  # fmt: skip
        else:
            d = decompose(p, name)
            if not isinstance(d, str) and resampler is not None:
                r = bootstrap_interval(d.stats, d.compute, resampler=resampler,
                                       confidence=confidence)  # fmt: skip
                method = f"bootstrap ({n_resamples}, seed {seed})"
                row = {"value": r["value"], "ci_low": r["ci_low"], "ci_high": r["ci_high"],
                       "method": method}  # fmt: skip
        if row is not None:
            rows.append({"split": snapshot.split, "step": snapshot.step, "metric": name,
                         "n": n, **{k: _clean(v) for k, v in row.items()}})  # fmt: skip
    return rows


def held_out_intervals(record: RunRecord, **options: Any) -> list[dict[str, Any]]:
    """:func:`snapshot_intervals` of the latest snapshot of every split but ``train``."""
    latest: dict[str, PredictionSnapshot] = {}
    for snap in record.predictions():
        if snap.split != "train" and (
            snap.split not in latest or snap.step >= latest[snap.split].step
        ):
            latest[snap.split] = snap
    order = {"val": 0, "validation": 0, "test": 1}
    out: list[dict[str, Any]] = []
    for split in sorted(latest, key=lambda s: (order.get(s, 2), s)):
        out.extend(snapshot_intervals(latest[split], **options))
    return out
