"""The server side of remote logging: one client batch into a :class:`Store`, checked and
stored in one transaction, at most once.

A batch is what a client's writer thread handed over in one flush (see ``remote.py``): a run id,
a batch id and a list of operations (create, reopen, config, tags, points, predictions, keys,
summary, state).
Every operation is checked with the same functions ``Run.log`` and ``Run.log_predictions`` use,
before anything is written; a batch that fails a check is refused whole, with the library's
error, and other batches of the same request still land. The batch id is recorded in the same
transaction as the rows, so a batch sent again (a retry after a lost answer, ``fitscope sync``
run twice) changes nothing.
"""

from __future__ import annotations

import base64
import math
import re
import time
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from fitscope.errors import InvalidInputError, RunNotFoundError, StoreError
from fitscope.track import _rollup
from fitscope.track import _schema as schema
from fitscope.track._config import to_json_summary
from fitscope.track._limits import (
    END_STATUSES,
    check_metric,
    check_name,
    check_split,
    check_step,
)
from fitscope.track._wire import pack_npy, unpack, unpack_npy
from fitscope.track._write import _insert_keys, _replace_summary, config_json, encode
from fitscope.track.store import Store

__all__ = ["apply_batch", "check_envelope", "export_run"]

_ID = re.compile(r"^[0-9A-Za-z_-]{1,32}$")
_BATCH = re.compile(r"^[0-9A-Za-z_-]{1,64}$")


def _time(value: Any, what: str, *, optional: bool = False) -> float | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidInputError(f"{what} must be a finite number of seconds. Got {value!r}.")
    return float(value)


def _mapping(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidInputError(f"{what} must be a dict. Got {type(value).__name__} instead.")
    return value


def _config(value: Any) -> str:
    return config_json(_mapping(value, "config"))


def _tags(value: Any) -> list[str]:
    if not isinstance(value, list):
        raise InvalidInputError(f"tags must be a list of strings. Got {value!r} instead.")
    return sorted({check_name("tags", t) for t in value})


def _checked(run_id: str, ops: list[Any]) -> list[tuple[str, Any]]:
    """Each operation checked and turned into what the transaction writes."""
    out: list[tuple[str, Any]] = []
    for op in ops:
        if not isinstance(op, Mapping):
            raise InvalidInputError(f"ops must be a list of objects. Got {op!r} in it.")
        kind = op.get("op")
        if kind == "create":
            out.append(
                (
                    "create",
                    {
                        "id": run_id,
                        "project": check_name("project", op.get("project")),
                        "name": check_name("name", op.get("name")),
                        "status": "running",
                        "config": _config(op.get("config", {})),
                        "start_time": _time(op.get("start_time"), "start_time"),
                        "heartbeat": _time(op.get("start_time"), "start_time"),
                        "host": str(op.get("host") or "")[:255] or None,
                        "pid": _pid(op.get("pid")),
                        "tags": _tags(op.get("tags", [])),
                        "config_dict": op.get("config", {}),
                    },
                )
            )
        elif kind == "reopen":
            out.append(
                (
                    "reopen",
                    {
                        "status": "running",
                        "end_time": None,
                        "config": _config(op.get("config", {})),
                        "host": str(op.get("host") or "")[:255] or None,
                        "pid": _pid(op.get("pid")),
                    },
                )
            )
            out.append(("rollup_config", op.get("config", {})))
        elif kind == "config":
            out.append(("update", {"config": _config(op.get("config"))}))
            out.append(("rollup_config", op.get("config")))
        elif kind == "tags":
            out.append(("tags", _tags(op.get("tags"))))
        elif kind == "points":
            # The rules of run.log() (track/_limits.py): what one store holds, both hold.
            split = check_split(op.get("split"))
            metric = check_metric(op.get("metric"))
            steps = unpack(op.get("steps"), "<i8", "steps")
            values = unpack(op.get("values"), "<f8", "values")
            times = unpack(op.get("times"), "<f8", "times")
            if not (steps.shape == values.shape == times.shape) or not steps.size:
                raise InvalidInputError(
                    "steps, values and times must hold the same number (> 0) of points. Got "
                    f"{steps.size}, {values.size} and {times.size} instead."
                )
            if int(steps.min()) < 0:
                check_step(int(steps.min()))  # raises with log()'s wording
            out.append(
                (
                    "points",
                    {
                        "run_id": run_id,
                        "split": split,
                        "metric": metric,
                        "n": int(steps.size),
                        "step_blob": steps.tobytes(),
                        "value_blob": values.tobytes(),
                        "time_blob": times.tobytes(),
                        "arrays": (split, metric, steps, values),
                    },
                )
            )
        elif kind == "predictions":
            split = check_split(op.get("split"))
            step = check_step(op.get("step"))
            y_true = unpack_npy(op.get("y_true"), "y_true")
            y_pred = unpack_npy(op.get("y_pred"), "y_pred")
            ids = None if op.get("ids") is None else unpack_npy(op.get("ids"), "ids")
            if y_true.shape[0] != y_pred.shape[0] or (
                ids is not None and ids.shape != (y_true.shape[0],)
            ):
                raise InvalidInputError(
                    "y_true, y_pred and ids must have one row per sample. Got "
                    f"{y_true.shape}, {y_pred.shape} and {None if ids is None else ids.shape}."
                )
            out.append(
                (
                    "predictions",
                    {
                        "run_id": run_id,
                        "split": split,
                        "step": step,
                        "time": _time(op.get("time"), "time"),
                        "y_true": encode(y_true),
                        "y_pred": encode(y_pred),
                        "ids": None if ids is None else encode(ids),
                    },
                )
            )
        elif kind == "keys":
            # Keys as written (run.log without split=), under the same limits as log().
            listed = op.get("keys")
            if not isinstance(listed, list) or not all(
                isinstance(k, list | tuple) and len(k) == 3 for k in listed
            ):
                raise InvalidInputError(
                    f"keys must be a list of [split, metric, key]. Got {listed!r} instead."
                )
            out.append(
                (
                    "keys",
                    [(check_split(s), check_metric(m), check_metric(k)) for s, m, k in listed],
                )
            )
        elif kind == "summary":
            # The values a user set on the run's summary, whole (replaces the last ones), under
            # the rules run.summary[...] = ... applies at the call.
            summary = to_json_summary(_mapping(op.get("values"), "summary"))
            out.append(("summary", config_json(summary)))
        elif kind == "state":
            state: dict[str, Any] = {}
            beat = _time(op.get("heartbeat"), "heartbeat", optional=True)
            if beat is not None:
                state["heartbeat"] = beat
            status = op.get("status")
            if status is not None:
                if status not in END_STATUSES:
                    raise InvalidInputError(
                        f"status must be one of {END_STATUSES}. Got {status!r} instead."
                    )
                state["status"] = status
                state["end_time"] = _time(op.get("end_time"), "end_time", optional=True)
            if state:
                out.append(("update", state))
        else:
            raise InvalidInputError(
                "op must be one of create, reopen, config, tags, points, predictions, keys, "
                f"summary, state. Got {kind!r} instead."
            )
    return out


def _pid(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**31:
        return value
    return None


def check_envelope(batch: Mapping[str, Any]) -> tuple[str, str, list[Any]]:
    """(run id, batch id, operations) of a batch whose envelope is well formed; an
    InvalidInputError (the batch is refused whole) otherwise."""
    run_id, batch_id = batch.get("run_id"), batch.get("batch_id")
    if not isinstance(run_id, str) or not _ID.match(run_id):
        raise InvalidInputError(f"run_id must be 1 to 32 letters or digits. Got {run_id!r}.")
    if not isinstance(batch_id, str) or not _BATCH.match(batch_id):
        raise InvalidInputError(f"batch_id must be 1 to 64 letters or digits. Got {batch_id!r}.")
    ops = batch.get("ops")
    if not isinstance(ops, list):
        raise InvalidInputError(f"ops must be a list. Got {type(ops).__name__} instead.")
    return run_id, batch_id, ops


def apply_batch(store: Store, batch: Mapping[str, Any]) -> str:
    """Store one client batch; returns "stored", or "duplicate" when it was stored before.

    Raises InvalidInputError (refused: nothing of it is written) or RunNotFoundError (its run
    was never created on this server).
    """
    run_id, batch_id, ops = check_envelope(batch)
    work = _checked(run_id, ops)
    r, ing = schema.runs, schema.ingested

    def tx(conn: Connection) -> str:
        seen = conn.execute(
            sa.select(ing.c.batch_id).where(ing.c.run_id == run_id, ing.c.batch_id == batch_id)
        ).first()
        if seen is not None:
            return "duplicate"
        exists = conn.execute(sa.select(r.c.id).where(r.c.id == run_id)).first()
        # The run row's changes and the points are written once, at the end: no other operation
        # reads the run row or the points, so the result is that of writing each in turn, in
        # a few statements however many operations the batch holds (a spool replayed whole).
        changes: dict[str, Any] = {}
        rows: list[dict[str, Any]] = []
        parts: list[Any] = []
        for kind, item in work:
            if kind == "create":
                if exists is not None:
                    raise InvalidInputError(
                        f"run_id must be new for a create. Got {run_id!r}, which this "
                        "server already holds."
                    )
                row = {k: v for k, v in item.items() if k not in ("tags", "config_dict")}
                conn.execute(r.insert().values(**row))
                if item["tags"]:
                    conn.execute(
                        schema.tags.insert(),
                        [{"run_id": run_id, "tag": t} for t in item["tags"]],
                    )
                _rollup.set_config(conn, run_id, item["config_dict"])
                exists = True  # type: ignore[assignment]
                continue
            if exists is None:
                raise RunNotFoundError(
                    f"run_id must name a run this server holds. Got {run_id!r}: its "
                    "create batch has not arrived (send the spool file in order)."
                )
            if kind in ("reopen", "update"):
                changes.update(item)  # a later value of a column wins, as in turn
            elif kind == "tags":
                have = {
                    t
                    for (t,) in conn.execute(
                        sa.select(schema.tags.c.tag).where(schema.tags.c.run_id == run_id)
                    )
                }
                new = [t for t in item if t not in have]
                if new:
                    conn.execute(schema.tags.insert(), [{"run_id": run_id, "tag": t} for t in new])
            elif kind == "rollup_config":
                _rollup.set_config(conn, run_id, item)
            elif kind == "points":
                rows.append({k: v for k, v in item.items() if k != "arrays"})
                parts.append(item["arrays"])
            elif kind == "predictions":
                conn.execute(schema.predictions.insert(), [item])
            elif kind == "keys":
                _insert_keys(conn, run_id, item)
            elif kind == "summary":
                _replace_summary(conn, run_id, item)
        if changes:
            conn.execute(r.update().where(r.c.id == run_id).values(**changes))
        if rows:
            conn.execute(schema.points.insert(), rows)  # in order: the ids keep written order
            _rollup.update_series(conn, run_id, parts)
        conn.execute(ing.insert().values(run_id=run_id, batch_id=batch_id, time=time.time()))
        return "stored"

    try:
        return store._tx.run(tx, immediate=True)
    except sa.exc.IntegrityError as error:
        # The same batch committed by a concurrent request (its id row now exists), or a row
        # the database refuses.
        if _already(store, run_id, batch_id):
            return "duplicate"
        raise InvalidInputError(
            f"batch must fit the store. The database refused it: {_detail(error)}"
        ) from error
    except StoreError as error:
        if isinstance(error.__cause__, sa.exc.DataError | sa.exc.ProgrammingError):
            raise InvalidInputError(
                f"batch must fit the store. The database refused it: {_detail(error.__cause__)}"
            ) from error
        raise


def _detail(error: BaseException) -> str:
    return " ".join(str(getattr(error, "orig", error)).split())[:300]


def _already(store: Store, run_id: str, batch_id: str) -> bool:
    ing = schema.ingested
    with store.engine.connect() as conn:
        return (
            conn.execute(
                sa.select(ing.c.batch_id).where(ing.c.run_id == run_id, ing.c.batch_id == batch_id)
            ).first()
            is not None
        )


def export_run(store: Store, run_id: str, *, predictions: bool = False) -> dict[str, Any]:
    """Everything a client needs to resume a run or read its summary: the run's fields, every
    series exactly (base64 little-endian arrays), the keys as written (``keys``: a list of
    ``[split, metric, key]``) and the values set on its summary (``summary``).

    With ``predictions``, also its prediction snapshots (``predictions``: split, step, time and
    .npy arrays in base64), which resume and ``run.summary`` do without.

    ``keys``, ``summary`` and ``predictions`` came with issue 15: a client that predates them
    ignores them, and a client reads an answer without them (an older server) as none.
    """
    record = store.get_run(run_id, predictions=predictions)
    series = []
    for split, metric in record.series():
        h = record.history(metric, split)
        series.append(
            {
                "split": split,
                "metric": metric,
                "steps": base64.b64encode(h.steps.astype("<i8").tobytes()).decode(),
                "values": base64.b64encode(h.values.astype("<f8").tobytes()).decode(),
                "times": base64.b64encode(h.times.astype("<f8").tobytes()).decode(),
            }
        )
    return {
        "id": record.id,
        "project": record.project,
        "name": record.name,
        "status": record.status,
        "config": record.config,
        "tags": record.tags,
        "start_time": record.start_time,
        "end_time": record.end_time,
        "series": series,
        "keys": [[split, metric, key] for (split, metric), key in sorted(record.keys().items())],
        "summary": store.user_summary(record.id),
        "predictions": [
            {
                "split": p.split,
                "step": p.step,
                "time": p.time,
                "y_true": pack_npy(p.y_true),
                "y_pred": pack_npy(p.y_pred),
                "ids": None if p.ids is None else pack_npy(p.ids),
            }
            for p in (record.predictions() if predictions else ())
        ],
    }
