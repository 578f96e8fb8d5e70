"""The hyperparameter view and the compare page's data: flat config keys, config diffs, the
best validation metric of each run, every run's charts side by side.

Pure: takes :class:`~fitscope.track.records.RunRecord` values, returns JSON-ready data.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

from fitscope._names import direction
from fitscope.track.records import RunRecord, summarize
from fitscope.views.data import baselines, chart_specs, finite_or_none

__all__ = [
    "compare_charts",
    "config_diff",
    "first_baseline",
    "flatten_config",
    "hyperparameter_rows",
]


def flatten_config(config: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested config as dotted keys; lists and other values are kept as scalars or JSON text.

    >>> flatten_config({"lr": 0.1, "opt": {"name": "adam", "beta": [0.9, 0.99]}})
    {'lr': 0.1, 'opt.name': 'adam', 'opt.beta': '[0.9, 0.99]'}
    """
    out: dict[str, Any] = {}
    for key, value in config.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flatten_config(value, name + "."))
        elif value is None or isinstance(value, bool | int | float | str):
            out[name] = value
        else:
            out[name] = json.dumps(value, default=str)
    return out


def config_diff(records: Sequence[RunRecord], *, only_different: bool = True) -> dict[str, Any]:
    """Config keys of several runs, only the keys whose values differ by default.

    Returns ``{"keys": [...], "runs": [{"id", "name", "values": {key: value | None}}],
    "hidden": number of equal keys left out}``; a key a run lacks is None (shown as "-").
    """
    flat = [flatten_config(r.config) for r in records]
    keys = sorted(set().union(*flat)) if flat else []
    shown = [k for k in keys if not only_different or len({json.dumps(f.get(k)) for f in flat}) > 1]
    return {
        "keys": shown,
        "hidden": len(keys) - len(shown),
        "runs": [
            {"id": r.id, "name": r.name, "values": {k: f.get(k) for k in shown}}
            for r, f in zip(records, flat, strict=True)
        ],
    }


def _best_val(record: RunRecord, metric: str) -> float | None:
    # Splits are canonical (every entry files validation values under "val").
    if ("val", metric) in record.series():
        return finite_or_none(summarize(metric, record.history(metric, "val"))["best"])
    return None


def first_baseline(records: Sequence[RunRecord], metric: str) -> float | None:
    """The no-skill value of ``metric`` from the labels of the first run with a snapshot
    (records read with their snapshots)."""
    for r in records:
        if r.predictions():
            b = baselines(r).get(metric)
            return b if b is not None and math.isfinite(b) else None
    return None


def hyperparameter_rows(
    records: Sequence[RunRecord], metric: str = "loss", *, baseline: float | None = None
) -> dict[str, Any]:
    """Every run's flat config and best validation ``metric``, for the hyperparameter view.

    Returns ``{"metric", "higher_is_better", "keys", "baseline", "runs": [{"id", "name",
    "status", "config": {...}, "value"}]}``; ``baseline`` (the no-skill value of ``metric``,
    see :func:`first_baseline`) is passed through.
    """
    runs = []
    keys: set[str] = set()
    for r in records:
        flat = flatten_config(r.config)
        keys.update(flat)
        runs.append({"id": r.id, "name": r.name, "status": r.status, "config": flat,
                     "value": _best_val(r, metric)})  # fmt: skip
    return {"metric": metric, "higher_is_better": direction(metric), "keys": sorted(keys),
            "baseline": baseline, "runs": runs}  # fmt: skip


def compare_charts(
    records: Sequence[RunRecord], *, x: str = "step", max_points: int = 1000
) -> list[dict[str, Any]]:
    """One chart per metric, holding every split of every run (``run_id``, ``run_name`` on
    each series): loss and accuracy first, train / validation / test together."""
    by_metric: dict[str, dict[str, Any]] = {}
    for r in records:
        for chart in chart_specs(r, x=x, max_points=max_points):
            entry = by_metric.setdefault(
                chart["metric"],
                {"metric": chart["metric"], "higher_is_better": chart["higher_is_better"],
                 "baseline": chart["baseline"], "series": []},
            )  # fmt: skip
            for s in chart["series"]:
                entry["series"].append({**s, "run_id": r.id, "run_name": r.name})
    head = [m for m in ("loss", "accuracy") if m in by_metric]
    return [by_metric[m] for m in head + sorted(set(by_metric) - set(head))]
