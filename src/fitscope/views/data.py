"""What every view draws, as plain JSON-ready data: run rows, series, charts, baselines.

The web API, the HTML report and the PNG plots all call these functions, so the numbers on the
screen, in the report and in a PNG are the same. Nothing here prints, plots or opens a socket.
Non-finite values cannot travel in JSON: a series carries ``null`` in their place and lists
them separately under ``"nonfinite"`` so a view can mark them instead of hiding them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from fitscope._names import EPOCH_FORMAT_TAGS, EPOCH_TAG, SIZE_METRIC, direction
from fitscope.errors import FitscopeError, InvalidInputError
from fitscope.track.records import History, RunRecord, summarize
from fitscope.views.downsample import minmax_indices, smoothed_at

__all__ = [
    "DEFAULT_MAX_POINTS",
    "ROW_SERIES",
    "X_AXES",
    "baselines",
    "chart_specs",
    "compare",
    "finite_or_none",
    "jsonable",
    "metric_order",
    "run_detail",
    "run_row",
    "series_data",
]

#: Points per series sent to a chart: two per pixel column of a wide chart is enough.
DEFAULT_MAX_POINTS = 2000
X_AXES = ("step", "epoch", "time")
# Splits are canonical names (fitscope._names.SPLIT_WORDS): every entry files validation
# values under "val", so no view needs to know another spelling.
_SPLIT_ORDER = {"train": 0, "val": 1, "test": 2}
#: The series a runs-table row reads (:func:`run_row`): read only these for a list of runs.
ROW_SERIES = (("val", "loss"), ("val", "accuracy"), ("test", "accuracy"))


def finite_or_none(value: Any) -> float | None:
    """A float for JSON: None for NaN, inf or None."""
    if value is None:
        return None
    f = float(value)
    return f if math.isfinite(f) else None


def _val_split(record: RunRecord, metric: str, pairs: Sequence[tuple[str, str]]) -> str | None:
    return "val" if ("val", metric) in pairs else None


def _best(record: RunRecord, metric: str, split: str | None) -> float | None:
    if split is None:
        return None
    return finite_or_none(summarize(metric, record.history(metric, split))["best"])


def run_row(record: RunRecord) -> dict[str, Any]:
    """One line of the runs table: identity, status, timing, tags and the headline numbers.

    Reads only the series in :data:`ROW_SERIES` (a record read with ``series=ROW_SERIES`` will
    do) and no snapshots."""
    pairs = record.series()
    test_acc = (
        finite_or_none(summarize("accuracy", record.history("accuracy", "test"))["final"])
        if ("test", "accuracy") in pairs
        else None
    )
    return {
        "id": record.id,
        "project": record.project,
        "name": record.name,
        "status": record.status,
        "start_time": record.start_time,
        "end_time": record.end_time,
        "duration": record.duration,
        "tags": list(record.tags),
        "best_val_loss": _best(record, "loss", _val_split(record, "loss", pairs)),
        "best_val_accuracy": _best(record, "accuracy", _val_split(record, "accuracy", pairs)),
        "final_test_accuracy": test_acc,
    }


def metric_order(record: RunRecord) -> list[str]:
    """Metrics to chart: loss first, accuracy second, the rest by name (never "epoch", nor the
    sample counts ``run.log(..., n=)`` stores as ``"n"``)."""
    names = {m for _, m in record.series() if m not in ("epoch", SIZE_METRIC)}
    head = [m for m in ("loss", "accuracy") if m in names]
    return head + sorted(names - set(head))


def _splits_of(record: RunRecord, metric: str) -> list[str]:
    splits = {s for s, m in record.series() if m == metric}
    return sorted(splits, key=lambda s: (_SPLIT_ORDER.get(s, 9), s))


def _x_values(record: RunRecord, history: History, x: str) -> tuple[NDArray[np.float64], str]:
    """The x values of ``history`` and what they count ("step", "epoch" or "time")."""
    if x not in X_AXES:
        raise InvalidInputError(f"x must be one of {', '.join(X_AXES)}. Got {x!r} instead.")
    if x == "time":
        return history.times - record.start_time, "time"
    steps = history.steps.astype(np.float64)
    if x == "epoch":
        pairs = record.series()
        # A logged "epoch" series maps steps to epochs; without one, a step is an epoch where
        # the run says so (the built-in trainers and the hooks tag it steps=epochs), and a
        # step otherwise: the axis then says "step", as the doctor does (issue 15).
        source = next(
            (s for s in (history.split, "train") if (s, "epoch") in pairs),
            next((s for s, m in pairs if m == "epoch"), None),
        )
        if source is not None:
            epochs = record.history("epoch", source)
            if len(epochs):
                return np.interp(steps, epochs.steps.astype(np.float64), epochs.values), "epoch"
        tags = set(record.tags)
        if EPOCH_TAG in tags or tags & set(EPOCH_FORMAT_TAGS):
            return steps, "epoch"
    return steps, "step"


def series_data(
    record: RunRecord,
    metric: str,
    split: str,
    *,
    x: str = "step",
    max_points: int = DEFAULT_MAX_POINTS,
    smoothing: Sequence[float] = (),
) -> dict[str, Any]:
    """One series, downsampled with :func:`~fitscope.views.downsample.minmax_indices`.

    Returns ``{"metric", "split", "key", "label", "x", "x_unit", "y", "steps", "n_total",
    "n_shown", "nonfinite", "best", "higher_is_better", "smoothed"}``; ``key`` is the key as
    written (else the metric), ``label`` what a legend calls the series (the key as written, else
    the split); ``x_unit`` says whether x counts epochs or steps; ``y`` has None where the value
    is NaN or infinite and ``nonfinite`` lists those points as ``{"x", "step", "value": "nan" |
    "inf" | "-inf"}``. ``smoothed`` maps each weight of ``smoothing`` (as ``f"{w:g}"``) to the
    EMA of the whole series at the drawn points (:func:`~fitscope.views.downsample.smoothed_at`).
    """
    history = record.history(metric, split)
    xs, x_unit = _x_values(record, history, x)
    idx = minmax_indices(history.values, max_points)
    ys = history.values[idx]
    finite = np.isfinite(ys)
    summary = summarize(metric, history)
    best = None
    if summary["best_step"] is not None:
        i = int(np.searchsorted(history.steps, summary["best_step"]))
        best = {"x": float(xs[i]), "y": float(summary["best"]), "step": int(summary["best_step"])}
    nonfinite = [
        {"x": float(xs[j]), "step": int(history.steps[j]), "value": _label(history.values[j])}
        for j in idx[~finite]
    ]
    # The key as the user wrote it ("val/loss", "Loss/val"), for display: a legend names the
    # series by it, else (no key kept: explicit split=, runs logged before keys were kept) by
    # its split, which is all that tells the curves of one chart apart.
    written = (getattr(record, "series_keys", None) or {}).get((split, metric))
    return {
        "metric": metric,
        "split": split,
        "key": metric if written is None else written,
        "label": split if written is None else written,
        "x": xs[idx].tolist(),
        "x_unit": x_unit,
        "y": ys.tolist() if finite.all() else _nulls(ys, finite),
        "steps": history.steps[idx].tolist(),
        "n_total": len(history),
        "n_shown": int(idx.size),
        "nonfinite": nonfinite,
        "best": best,
        "higher_is_better": summary["higher_is_better"],
        "smoothed": {
            f"{w:g}": _as_json(smoothed_at(history.values, idx, w, max_points)) for w in smoothing
        },
    }


def _as_json(ys: NDArray[np.float64]) -> list[float | None]:
    finite = np.isfinite(ys)
    return ys.tolist() if finite.all() else _nulls(ys, finite)


def _nulls(ys: NDArray[np.float64], finite: NDArray[np.bool_]) -> list[float | None]:
    return [v if ok else None for v, ok in zip(ys.tolist(), finite.tolist(), strict=True)]


def _label(value: float) -> str:
    return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")


def _is_classification(y_true: NDArray[Any], y_pred: NDArray[Any]) -> bool:
    if y_pred.ndim == 2 or y_true.dtype.kind in "USb" or y_pred.dtype.kind in "US":
        return True  # class probabilities, or class names / booleans as labels
    if not np.issubdtype(y_true.dtype, np.number) or not np.all(np.isfinite(y_true)):
        return False
    labels_ok = bool(np.all(np.isin(y_true, (0, 1))))
    return labels_ok and bool(np.all((y_pred >= 0) & (y_pred <= 1)))


def baselines(record: RunRecord) -> dict[str, float]:
    """No-skill values of the run's metrics, from the labels of its prediction snapshots.

    The labels of the latest validation snapshot (else any snapshot) give the majority-class
    accuracy, the prior's log loss, and so on (:func:`fitscope.metrics.baseline`); ``loss`` is
    the log loss for classifiers and the MSE of predicting the mean for regression. A run with
    no snapshot has no baselines (the labels are unknown).
    """
    from fitscope.metrics import baseline

    snaps = record.predictions()
    if not snaps:
        return {}
    val = [s for s in snaps if s.split == "val"]
    snap = (val or snaps)[-1]
    classify = _is_classification(snap.y_true, snap.y_pred)
    out: dict[str, float] = {}
    for name in metric_order(record):
        target = ("log_loss" if classify else "mse") if name == "loss" else name
        try:
            value = baseline(target, snap.y_true)
        except (FitscopeError, ValueError, TypeError):
            continue  # not a registered metric, or one without a baseline for these labels
        if value is not None and math.isfinite(value):
            out[name] = float(value)
    return out


def chart_specs(
    record: RunRecord,
    *,
    x: str = "step",
    max_points: int = DEFAULT_MAX_POINTS,
    smoothing: Sequence[float] = (),
) -> list[dict[str, Any]]:
    """One chart per metric (loss, accuracy, then the rest), every split on the same chart;
    each series carries its EMA at the weights of ``smoothing`` (see :func:`series_data`)."""
    base = baselines(record)
    return [
        {
            "metric": metric,
            "higher_is_better": direction(metric),
            "baseline": base.get(metric),
            "series": [
                series_data(record, metric, split, x=x, max_points=max_points, smoothing=smoothing)
                for split in _splits_of(record, metric)
            ],
        }
        for metric in metric_order(record)
    ]


def run_detail(record: RunRecord) -> dict[str, Any]:
    """The run row plus config, the series it has, its summary and its prediction snapshots."""
    row = run_row(record)
    row["config"] = record.config
    row["series"] = [{"split": s, "metric": m} for s, m in record.series()]
    row["metrics"] = metric_order(record)
    row["summary"] = {
        key: {k: (finite_or_none(v) if isinstance(v, float) else v) for k, v in val.items()}
        for key, val in record.summary.items()
    }
    row["snapshots"] = [{"split": s.split, "step": s.step} for s in record.predictions()]
    row["baselines"] = baselines(record)
    return row


def compare(
    records: Sequence[RunRecord],
    metric: str,
    split: str,
    *,
    x: str = "step",
    max_points: int = DEFAULT_MAX_POINTS,
) -> list[dict[str, Any]]:
    """The same metric and split of several runs, one series each (runs lacking it skipped)."""
    out = []
    for record in records:
        if (split, metric) in record.series():
            data = series_data(record, metric, split, x=x, max_points=max_points)
            data["run_id"], data["run_name"] = record.id, record.name
            out.append(data)
    return out


def jsonable(value: Any) -> Any:
    """``value`` with NaN and inf as None and numpy scalars as Python numbers."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if hasattr(value, "tolist") and not isinstance(value, str):
        return jsonable(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
