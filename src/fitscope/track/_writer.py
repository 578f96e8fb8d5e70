"""The writer's second line of defence: a batch the store refuses never blocks the run.

``Run.log`` checks every point against :mod:`fitscope.track._limits`, so the store should
accept everything. If it still refuses a batch (a check missed something, a server with
stricter settings), :func:`write_batch` splits the batch until the refused points are isolated,
writes every other point, and records the refused ones in ``fitscope_refused``. A *transient*
failure (full disk, lost connection, lock held too long) is different: nothing is refused, the
unwritten points go back to the buffer and are written when the store can be written again.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from fitscope.track import _schema as schema
from fitscope.track._limits import MAX_METRIC_LENGTH, MAX_SPLIT_LENGTH, check_point, name_problem
from fitscope.track.records import PredictionSnapshot
from fitscope.track.store import Chunk, Store

__all__ = ["Refusal", "WriteStalled", "chunks_checked", "is_transient", "refused", "write_batch"]


@dataclass(frozen=True)
class Refusal:
    """One point the store would not hold, and why."""

    split: object
    metric: object
    step: object
    value: object
    reason: str

    @property
    def key(self) -> str:
        return f"{_printable(self.split)}/{_printable(self.metric)}"


class WriteStalled(Exception):
    """The store cannot be written just now (``error``); ``chunks_left`` and ``snaps_left``
    were not written (None: nothing of the batch was)."""

    def __init__(
        self,
        error: BaseException,
        chunks_left: list[Chunk] | None,
        snaps_left: list[PredictionSnapshot],
    ) -> None:
        super().__init__(str(error))
        self.error = error
        self.chunks_left = chunks_left
        self.snaps_left = snaps_left


def _printable(name: object) -> str:
    """A name as text any store can hold: lone surrogates and NUL escaped, cut at 200."""
    text = name if isinstance(name, str) else repr(name)
    text = text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")
    return text if len(text) <= 200 else text[:200] + "..."


def is_transient(error: BaseException) -> bool:
    """Whether ``error`` says the store cannot be written *now* (disk, connection, lock) rather
    than that it refuses these values: then retrying later writes them."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, sa.exc.OperationalError | sa.exc.InterfaceError):
            return True
        if isinstance(seen, sa.exc.DBAPIError):
            return False  # DataError, IntegrityError, ...: the values are refused
        # A driver error reached us unwrapped (psycopg / sqlite3 OperationalError).
        if type(seen).__name__ in ("OperationalError", "InterfaceError"):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def chunks_checked(points: list[Any]) -> tuple[list[Chunk], list[Refusal]]:
    """The slow, point-by-point form of ``run._chunks``, for a buffer the fast form could not
    convert: every point checked against the limits; the ones that fail are refused."""
    series: dict[tuple[str, str], tuple[list[int], list[float], list[float]]] = {}
    bad: list[Refusal] = []
    i, n = 0, len(points)
    while i < n:
        split, step, when, keys = points[i : i + 4]
        for j, metric in enumerate(keys):
            value = points[i + 4 + j]
            try:
                s, m, st, v = check_point(split, metric, step, value)
            except (ValueError, TypeError) as error:
                bad.append(Refusal(split, metric, step, value, str(error)))
                continue
            steps, values, times = series.setdefault((s, m), ([], [], []))
            steps.append(st)
            values.append(v)
            times.append(float(when))
        i += 4 + len(keys)
    chunks: list[Chunk] = [
        (s, m, np.array(st, np.int64), np.array(v, np.float64), np.array(t, np.float64))
        for (s, m), (st, v, t) in series.items()
    ]
    return chunks, bad


def _name_refusal(chunk: Chunk) -> list[Refusal] | None:
    split, metric, steps, values, _ = chunk
    problem = name_problem(split, MAX_SPLIT_LENGTH) or name_problem(metric, MAX_METRIC_LENGTH)
    if problem is None:
        return None
    reason = f"name must be {problem} instead"
    return [
        Refusal(split, metric, int(s), float(v), reason)
        for s, v in zip(steps.tolist(), values.tolist(), strict=True)
    ]


def write_batch(
    store: Any,
    run_id: str,
    chunks: list[Chunk],
    snapshots: Sequence[PredictionSnapshot],
    *,
    heartbeat: float,
    status: str | None,
    end_time: float | None,
) -> list[Refusal]:
    """Write ``chunks`` and ``snapshots`` with the run's liveness; return the refused points.

    One transaction when the store takes the batch (the usual case). When it refuses it, each
    chunk is written alone and a refused chunk is halved until single points are left: every
    point the store can hold is written. Raises WriteStalled on a transient failure.
    """
    try:
        store.write(
            run_id, chunks, snapshots, heartbeat=heartbeat, status=status, end_time=end_time
        )
        return []
    except Exception as error:
        if is_transient(error):
            raise WriteStalled(error, None, list(snapshots)) from error
    bad: list[Refusal] = []
    pending = list(reversed(chunks))  # a stack: pop() takes them in order
    while pending:
        chunk = pending.pop()
        named = _name_refusal(chunk)
        if named is not None:
            bad.extend(named)
            continue
        try:
            store.write(run_id, [chunk])
        except Exception as error:
            if is_transient(error):
                raise WriteStalled(error, [chunk, *reversed(pending)], list(snapshots)) from error
            split, metric, steps, values, times = chunk
            if steps.shape[0] == 1:
                bad.append(Refusal(split, metric, int(steps[0]), float(values[0]), _why(error)))
                continue
            half = steps.shape[0] // 2
            pending.append((split, metric, steps[half:], values[half:], times[half:]))
            pending.append((split, metric, steps[:half], values[:half], times[:half]))
    snaps = list(snapshots)
    while snaps:
        snap = snaps[0]
        try:
            store.write(run_id, [], [snap])
        except Exception as error:
            if is_transient(error):
                raise WriteStalled(error, [], snaps) from error
            bad.append(Refusal(snap.split, "<predictions>", snap.step, None, _why(error)))
        snaps.pop(0)
    try:
        store.write(run_id, [], [], heartbeat=heartbeat, status=status, end_time=end_time)
    except Exception as error:
        raise WriteStalled(error, [], []) from error
    return bad


def _why(error: BaseException) -> str:
    cause = getattr(error, "orig", None) or error.__cause__ or error
    return " ".join(f"{type(cause).__name__}: {cause}".split())[:500]


def record(store: Any, run_id: str, refusals: Sequence[Refusal]) -> None:
    """Add ``refusals`` to the run's ``fitscope_refused`` rows (a local store; a remote one
    gets only the warning for now)."""
    if not isinstance(store, Store):
        return
    now = time.time()
    rows = [
        {
            "run_id": run_id,
            "key": r.key,
            "step": _printable(r.step),
            "value": r.value if isinstance(r.value, float) else None,
            "reason": _printable(r.reason)[:2000],
            "time": now,
        }
        for r in refusals
    ]

    def body(conn: Connection) -> None:
        conn.execute(schema.refused.insert(), rows)

    store._tx.run(body)


def refused(store: Store, run_id: str) -> list[dict[str, Any]]:
    """The points ``store`` refused for run ``run_id``: key, step, value, reason, time."""
    r = schema.refused.c
    query = (
        sa.select(r.key, r.step, r.value, r.reason, r.time).where(r.run_id == run_id).order_by(r.id)
    )

    return store._tx.run(
        lambda conn: [dict(row._mapping) for row in conn.execute(query)], write=False
    )
