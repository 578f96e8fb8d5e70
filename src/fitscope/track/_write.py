"""Writing runs: creating one, reopening it, its config, and its points and snapshots.

:class:`~fitscope.track.run.Run` is the only caller; each function is one transaction.
"""

from __future__ import annotations

import io
import json
import os
import socket
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import sqlalchemy as sa
from numpy.typing import NDArray
from sqlalchemy.engine import Connection

from fitscope.track import _rollup
from fitscope.track import _schema as schema
from fitscope.track._tx import Transactions
from fitscope.track.records import PredictionSnapshot

__all__ = ["HOST", "Chunk", "create_run", "reopen_run", "set_config", "write"]

#: A batch of consecutive points of one series: (split, metric, steps, values, times).
Chunk = tuple[str, str, NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]

HOST = socket.gethostname()


def encode(arr: NDArray[Any]) -> bytes:
    """An array as .npy bytes (no pickles: the store never holds code)."""
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=False)
    return buf.getvalue()


def config_json(config: Mapping[str, Any]) -> str:
    """A run's config as stored: JSON, keys sorted; numpy numbers as numbers, and anything
    JSON cannot hold refused naming its key path (see track/_config.py)."""
    from fitscope.track._config import config_json as to_json

    return to_json(config)


def create_run(
    tx: Transactions,
    run_id: str,
    *,
    project: str,
    name: str,
    config: dict[str, Any],
    tags: Sequence[str],
    start_time: float,
) -> None:
    def body(conn: Connection) -> None:
        conn.execute(
            schema.runs.insert().values(
                id=run_id,
                project=project,
                name=name,
                status="running",
                config=config_json(config),
                start_time=start_time,
                heartbeat=start_time,
                host=HOST,
                pid=os.getpid(),
            )
        )
        if tags:
            conn.execute(schema.tags.insert(), [{"run_id": run_id, "tag": t} for t in set(tags)])
        _rollup.set_config(conn, run_id, config)

    tx.run(body)


def reopen_run(tx: Transactions, run_id: str, *, config: Mapping[str, Any]) -> None:
    def body(conn: Connection) -> None:
        conn.execute(
            schema.runs.update()
            .where(schema.runs.c.id == run_id)
            .values(
                status="running",
                end_time=None,
                heartbeat=time.time(),
                host=HOST,
                pid=os.getpid(),
                config=config_json(config),
            )
        )
        _rollup.set_config(conn, run_id, config)

    tx.run(body)


def set_config(tx: Transactions, run_id: str, config: Mapping[str, Any]) -> None:
    def body(conn: Connection) -> None:
        conn.execute(
            schema.runs.update()
            .where(schema.runs.c.id == run_id)
            .values(config=config_json(config))
        )
        _rollup.set_config(conn, run_id, config)

    tx.run(body)


def write(
    tx: Transactions,
    run_id: str,
    chunks: Iterable[Chunk],
    snapshots: Iterable[PredictionSnapshot] = (),
    *,
    heartbeat: float | None = None,
    status: str | None = None,
    end_time: float | None = None,
    keys: Sequence[tuple[str, str, str]] = (),
) -> None:
    chunks = list(chunks)
    point_rows = [
        {
            "run_id": run_id,
            "split": split,
            "metric": metric,
            "n": int(steps.shape[0]),
            "step_blob": steps.astype("<i8").tobytes(),
            "value_blob": values.astype("<f8").tobytes(),
            "time_blob": times.astype("<f8").tobytes(),
        }
        for split, metric, steps, values, times in chunks
    ]
    snap_rows = [
        {
            "run_id": run_id,
            "split": s.split,
            "step": s.step,
            "time": s.time,
            "y_true": encode(s.y_true),
            "y_pred": encode(s.y_pred),
            "ids": None if s.ids is None else encode(s.ids),
        }
        for s in snapshots
    ]
    values: dict[str, Any] = {}
    if heartbeat is not None:
        values["heartbeat"] = heartbeat
    if status is not None:
        values["status"] = status
        values["end_time"] = end_time

    def body(conn: Connection) -> None:
        if point_rows:
            conn.execute(schema.points.insert(), point_rows)
            # The run's series summaries, in the same transaction (listing reads only them).
            _rollup.update_series(conn, run_id, [c[:4] for c in chunks])
        if snap_rows:
            conn.execute(schema.predictions.insert(), snap_rows)
        if keys:
            _insert_keys(conn, run_id, keys)
        if values:
            conn.execute(schema.runs.update().where(schema.runs.c.id == run_id).values(**values))

    tx.run(body)


def _insert_keys(conn: Connection, run_id: str, keys: Sequence[tuple[str, str, str]]) -> None:
    """Keys as written (split, metric, key), the first one of a series kept."""
    k = schema.series_keys.c
    have = {(s, m) for s, m in conn.execute(sa.select(k.split, k.metric).where(k.run_id == run_id))}
    rows = []
    for split, metric, key in keys:
        if (split, metric) not in have:
            have.add((split, metric))
            rows.append({"run_id": run_id, "split": split, "metric": metric, "key": key})
    if rows:
        conn.execute(schema.series_keys.insert(), rows)


def set_user_summary(tx: Transactions, run_id: str, values: Mapping[str, Any]) -> None:
    """Replace the values a user set on a run's summary (``run.summary["best"] = 0.9``)."""
    from fitscope.track._config import to_json_summary

    text = config_json(to_json_summary(values))
    tx.run(lambda conn: _replace_summary(conn, run_id, text))


def _replace_summary(conn: Connection, run_id: str, text: str) -> None:
    """The run's summary values replaced by ``text`` (a JSON object), in ``conn``'s
    transaction (a local write and a server's ingest share it)."""
    table = schema.run_summary
    conn.execute(table.delete().where(table.c.run_id == run_id))
    conn.execute(table.insert().values(run_id=run_id, values=text))


def user_summary(tx: Transactions, run_id: str) -> dict[str, Any]:
    """The values a user set on a run's summary ({} when none)."""
    table = schema.run_summary

    def body(conn: Connection) -> Any:
        return conn.execute(sa.select(table.c["values"]).where(table.c.run_id == run_id)).scalar()

    text = tx.run(body, write=False)
    return {} if text is None else dict(json.loads(text))
