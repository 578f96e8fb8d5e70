"""What listing runs reads instead of series: per-series summaries and flattened configs,
kept up to date in the transactions that write points and configs.

``update_series`` merges a batch of points into each series' row (count, last value at the
highest step, best value by the metric's direction with its step: the same answers as
``records.summarize`` over the whole series, with NaN never best and the earliest step
winning a tie). ``set_config`` rewrites a run's flattened config. ``backfill`` fills both for a
store written before these tables existed; it runs once, when such a store is opened.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import sqlalchemy as sa
from numpy.typing import NDArray
from sqlalchemy.engine import Connection

from fitscope._names import direction
from fitscope.track import _schema as schema

__all__ = ["backfill", "flatten", "set_config", "update_series"]

#: The meta key that says the summary tables are filled for every run.
DONE_KEY = "rollup_version"

Part = tuple[str, str, NDArray[np.int64], NDArray[np.float64]]


def flatten(config: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"optimizer": {"lr": 0.1}}`` -> ``{"optimizer.lr": 0.1}`` (lists stay whole).

    >>> flatten({"lr": 0.1, "opt": {"name": "adam", "betas": [0.9, 0.99]}})
    {'lr': 0.1, 'opt.name': 'adam', 'opt.betas': [0.9, 0.99]}
    """
    out: dict[str, Any] = {}
    for key, value in config.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            out.update(flatten(value, name + "."))
        else:
            out[name] = value
    return out


def config_value(value: Any) -> tuple[float | None, str | None]:
    """(value_num, value_text) as stored: numbers (not booleans) as numbers, else JSON text."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            f = float(value)
        except OverflowError:  # an int beyond float64: kept as its digits
            return None, str(value)
        return (f, None) if math.isfinite(f) else (None, json.dumps(f))
    if isinstance(value, str):
        return None, value
    return None, json.dumps(value, default=repr, sort_keys=True)


def set_config(conn: Connection, run_id: str, config: Mapping[str, Any]) -> None:
    table = schema.run_config
    conn.execute(table.delete().where(table.c.run_id == run_id))
    rows = []
    for key, value in flatten(json.loads(json.dumps(dict(config), default=repr))).items():
        num, text = config_value(value)
        rows.append({"run_id": run_id, "key": key[:255], "value_num": num, "value_text": text})
    if rows:
        # A key cut at 255 characters could repeat: keep the first.
        unique = {r["key"]: r for r in reversed(rows)}
        conn.execute(table.insert(), list(unique.values()))


def _fold(
    metric: str, steps: NDArray[np.int64], values: NDArray[np.float64]
) -> dict[str, Any] | None:
    if not steps.size:
        return None
    top = int(steps.max())
    last = float(values[np.flatnonzero(steps == top)[-1]])
    out: dict[str, Any] = {"count": int(steps.size), "last": last, "last_step": top}
    out["best"] = out["best_step"] = None
    better = direction(metric)
    finite = ~np.isnan(values)
    if better is not None and finite.any():
        v, s = values[finite], steps[finite]
        best = float(v.max() if better else v.min())
        out["best"], out["best_step"] = best, int(s[v == best].min())
    return out


def _merge(metric: str, old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    out = dict(old)
    out["count"] = old["count"] + new["count"]
    if old["last_step"] is None or new["last_step"] >= old["last_step"]:
        out["last"], out["last_step"] = new["last"], new["last_step"]
    if new["best"] is not None:
        better = direction(metric)
        ob, nb = old["best"], new["best"]
        wins = (
            ob is None
            or (nb > ob if better else nb < ob)
            or (nb == ob and new["best_step"] < old["best_step"])
        )
        if wins:
            out["best"], out["best_step"] = nb, new["best_step"]
    return out


def _nan_none(x: float | None) -> float | None:
    return None if x is None or math.isnan(x) else x


def update_series(conn: Connection, run_id: str, parts: Iterable[Part]) -> None:
    """Merge points just written into their series' summary rows (same transaction)."""
    grouped: dict[tuple[str, str], list[tuple[NDArray[np.int64], NDArray[np.float64]]]] = {}
    for split, metric, steps, values in parts:
        grouped.setdefault((split, metric), []).append((steps, values))
    if not grouped:
        return
    t = schema.series_summary
    cols = ("count", "last", "last_step", "best", "best_step")
    have = {
        (r.split, r.metric): {c: getattr(r, c) for c in cols}
        for r in conn.execute(sa.select(t).where(t.c.run_id == run_id))
    }
    inserts = []
    for (split, metric), pieces in grouped.items():
        steps = np.concatenate([p[0] for p in pieces]).astype(np.int64, copy=False)
        values = np.concatenate([p[1] for p in pieces]).astype(np.float64, copy=False)
        new = _fold(metric, steps, values)
        if new is None:
            continue
        old = have.get((split, metric))
        if old is None:
            new["last"] = _nan_none(new["last"])
            inserts.append({"run_id": run_id, "split": split, "metric": metric, **new})
            continue
        merged = _merge(metric, old, new)
        merged["last"] = _nan_none(merged["last"])
        conn.execute(
            t.update()
            .where(t.c.run_id == run_id, t.c.split == split, t.c.metric == metric)
            .values(**merged)
        )
    if inserts:
        conn.execute(t.insert(), inserts)


def backfill(conn: Connection) -> None:
    """Fill the summary tables for every run of a store written before they existed (once)."""
    done = conn.execute(sa.select(schema.meta.c.value).where(schema.meta.c.key == DONE_KEY)).first()
    if done is not None:
        return
    # An index added to an existing table: create_all only makes indexes with new tables.
    for index in schema.runs.indexes:
        index.create(conn, checkfirst=True)
    have = {r for (r,) in conn.execute(sa.select(schema.series_summary.c.run_id).distinct())}
    for run_id, config in conn.execute(sa.select(schema.runs.c.id, schema.runs.c.config)).all():
        if run_id in have:
            continue
        set_config(conn, run_id, json.loads(config))
        p = schema.points.c
        rows = conn.execute(
            sa.select(p.split, p.metric, p.step_blob, p.value_blob)
            .where(p.run_id == run_id)
            .order_by(p.id)
        ).all()
        update_series(
            conn,
            run_id,
            [
                (
                    r.split,
                    r.metric,
                    np.frombuffer(r.step_blob, "<i8"),
                    np.frombuffer(r.value_blob, "<f8"),
                )
                for r in rows
            ],
        )
    conn.execute(schema.meta.insert().values(key=DONE_KEY, value="1"))
