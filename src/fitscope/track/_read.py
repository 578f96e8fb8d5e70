"""Reading runs back as values: a fixed number of statements however many series a run has.

One statement reads the runs with their tags (an outer join), one the points of every series
asked for (or only the list of series), one the prediction snapshots: a run page costs three
statements, a page of runs three, whatever they hold. Blobs are decoded here, so a
:class:`~fitscope.track.records.RunRecord` holds arrays, not bytes.
"""

from __future__ import annotations

import io
import json
import os
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
import sqlalchemy as sa
from numpy.typing import NDArray
from sqlalchemy.engine import Connection

from fitscope.errors import RunNotFoundError
from fitscope.track import _schema as schema
from fitscope.track._write import HOST
from fitscope.track.records import History, PredictionSnapshot, RunRecord

__all__ = ["STALE_AFTER", "SeriesWanted", "config_matches", "find_run", "read_runs"]

#: A "running" run whose writer has given no sign of life for this long is shown as "crashed".
#: The writer beats every few seconds even when nothing is logged (see Run).
STALE_AFTER = 30.0

#: Which series data to read: True (all), False (only the list of pairs), or the pairs wanted.
SeriesWanted = bool | Iterable[tuple[str, str]]

_MISSING = object()


def _decode(blob: bytes) -> NDArray[Any]:
    return np.load(io.BytesIO(blob), allow_pickle=False)  # type: ignore[no-any-return]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - exists, owned by someone else
        return True
    return True


def looks_dead(row: Any) -> bool:
    if row.host == HOST and row.pid is not None and row.pid != os.getpid():
        return not _pid_alive(int(row.pid))
    return row.heartbeat is not None and time.time() - row.heartbeat > STALE_AFTER


def config_matches(config: Mapping[str, Any], wanted: Mapping[str, Any]) -> bool:
    """Whether ``config`` holds every (possibly dotted) key of ``wanted`` with an equal value."""
    for key, value in wanted.items():
        node: Any = config
        for part in str(key).split("."):
            node = node.get(part, _MISSING) if isinstance(node, Mapping) else _MISSING
        if node is _MISSING or node != value:
            return False
    return True


_ALL_TAGS = schema.tags.alias("fitscope_all_tags")  # an alias: tag filters use the table itself


def _runs_with_tags(
    conn: Connection, query: sa.Select[Any], *, refused: bool = True
) -> dict[str, tuple[Any, list[str]]]:
    """The runs of ``query`` (a select of the runs table), in its order, each with its tags
    and its count of refused points (0 for a read-only older store without that table)."""
    # The count rides along as a correlated subquery (no extra statement).
    count: Any = (
        sa.select(sa.func.count())
        .where(schema.refused.c.run_id == schema.runs.c.id)
        .scalar_subquery()
        if refused
        else sa.literal(0)
    )
    joined = query.outerjoin(_ALL_TAGS, _ALL_TAGS.c.run_id == schema.runs.c.id).add_columns(
        _ALL_TAGS.c.tag.label("fitscope_tag"), count.label("fitscope_refused")
    )
    out: dict[str, tuple[Any, list[str]]] = {}
    for row in conn.execute(joined):
        entry = out.setdefault(row.id, (row, []))
        if row.fitscope_tag is not None:
            entry[1].append(row.fitscope_tag)
    return out


def _join(rows: list[Any], metric: str, split: str) -> History:
    steps = np.frombuffer(b"".join(r.step_blob for r in rows), dtype="<i8").astype(np.int64)
    values = np.frombuffer(b"".join(r.value_blob for r in rows), dtype="<f8").astype(np.float64)
    times = np.frombuffer(b"".join(r.time_blob for r in rows), dtype="<f8").astype(np.float64)
    return ordered(metric, split, steps, values, times)


def ordered(
    metric: str,
    split: str,
    steps: NDArray[np.int64],
    values: NDArray[np.float64],
    times: NDArray[np.float64],
) -> History:
    """A series from its points in the order they were written, ordered by step."""
    if steps.size > 1 and np.any(np.diff(steps) < 0):
        # Steps logged out of order (allowed): sort stably so a re-logged step keeps the
        # order in which it was written.
        order = np.argsort(steps, kind="stable")
        steps, values, times = steps[order], values[order], times[order]
    return History(metric, split, steps, values, times)


def read_runs(
    conn: Connection,
    query: sa.Select[Any],
    *,
    series: SeriesWanted = True,
    predictions: bool = True,
    refused: bool = True,
) -> list[RunRecord]:
    """The runs ``query`` selects (a select of the runs table), as values holding the parts
    asked for: at most 3 statements (runs + tags, series, snapshots) whatever they hold."""
    found = _runs_with_tags(conn, query, refused=refused)
    if not found:
        return []
    ids = list(found)
    # One run: compare its id; several: select their ids with the same query (no long IN lists).
    in_runs: Callable[[sa.ColumnElement[str]], sa.ColumnElement[bool]] = (
        (lambda col: col == ids[0])
        if len(ids) == 1
        else (lambda col: col.in_(query.with_only_columns(schema.runs.c.id).order_by(None)))
    )
    p = schema.points.c
    k = schema.series_keys.c
    pairs: dict[str, set[tuple[str, str]]] = {i: set() for i in ids}
    shown: dict[str, dict[tuple[str, str], str]] = {i: {} for i in ids}
    chunks: dict[tuple[str, str, str], list[Any]] = {}
    points = sa.select(p.run_id, p.split, p.metric, p.step_blob, p.value_blob, p.time_blob)
    # The keys as written come with the list of series (an outer join), not in a statement
    # of their own.
    keyed = sa.and_(k.run_id == p.run_id, k.split == p.split, k.metric == p.metric)
    if series is True:
        query_all = points.add_columns(k.key).outerjoin(schema.series_keys, keyed)
        for row in conn.execute(query_all.where(in_runs(p.run_id)).order_by(p.id)):
            pairs[row.run_id].add((row.split, row.metric))
            if row.key is not None:
                shown[row.run_id][(row.split, row.metric)] = row.key
            chunks.setdefault((row.run_id, row.split, row.metric), []).append(row)
    else:
        listed = (
            sa.select(p.run_id, p.split, p.metric, k.key)
            .outerjoin(schema.series_keys, keyed)
            .where(in_runs(p.run_id))
            .distinct()
        )
        for run_id, split, metric, key in conn.execute(listed):
            pairs[run_id].add((split, metric))
            if key is not None:
                shown[run_id][(split, metric)] = key
        wanted = [] if series is False else sorted(set(series))
        if wanted:
            match = sa.or_(*[sa.and_(p.split == s, p.metric == m) for s, m in wanted])
            for row in conn.execute(points.where(in_runs(p.run_id), match).order_by(p.id)):
                chunks.setdefault((row.run_id, row.split, row.metric), []).append(row)
    held: dict[str, dict[tuple[str, str], History] | None] = {
        i: None if series is False else {} for i in ids
    }
    for (run_id, split, metric), rows in chunks.items():
        histories = held[run_id]
        assert histories is not None
        histories[(split, metric)] = _join(rows, metric, split)
    if series is not True and series is not False:
        for run_id in ids:  # a wanted series the run never logged holds no points
            histories = held[run_id]
            assert histories is not None
            for s, m in wanted:
                histories.setdefault((s, m), History.empty(m, s))
    snaps: dict[str, list[PredictionSnapshot]] | None = None
    if predictions:
        snaps = {i: [] for i in ids}
        q = schema.predictions.c
        query_p = (
            sa.select(q.run_id, q.split, q.step, q.time, q.y_true, q.y_pred, q.ids)
            .where(in_runs(q.run_id))
            .order_by(q.split, q.step, q.id)
        )
        for r in conn.execute(query_p):
            snaps[r.run_id].append(
                PredictionSnapshot(
                    split=r.split,
                    step=int(r.step),
                    time=float(r.time),
                    y_true=_decode(r.y_true),
                    y_pred=_decode(r.y_pred),
                    ids=None if r.ids is None else _decode(r.ids),
                )
            )
    records = []
    for run_id, (row, tags) in found.items():
        status = row.status
        if status == "running" and looks_dead(row):
            status = "crashed"
        records.append(
            RunRecord(
                id=run_id,
                project=row.project,
                name=row.name,
                status=status,
                config=json.loads(row.config),
                tags=sorted(tags),
                start_time=row.start_time,
                end_time=row.end_time,
                pairs=tuple(sorted(pairs[run_id])),
                histories=held[run_id],
                snapshots=None if snaps is None else tuple(snaps[run_id]),
                series_keys=shown[run_id],
                refused=int(row.fitscope_refused or 0),
            )
        )
    return records


def find_run(conn: Connection, run_id: str, safe_url: str, **parts: Any) -> RunRecord:
    """The one run that ``run_id`` names, holding ``parts`` (see :func:`read_runs`): an id
    (read in at most 3 statements), else a name (the newest run of that name), else a unique id
    prefix. A name comes before a prefix: a run named "a" must not become, one time in sixteen,
    another run whose id happens to start with "a"."""
    c = schema.runs.c
    found = read_runs(conn, sa.select(schema.runs).where(c.id == run_id), **parts)
    if found:
        return found[0]
    ids = conn.execute(
        sa.select(c.id).where(c.name == run_id).order_by(c.start_time.desc()).limit(1)
    ).all()
    if not ids:
        ids = conn.execute(sa.select(c.id).where(c.id.startswith(run_id, autoescape=True))).all()
    if len(ids) != 1:
        found_text = "several runs" if ids else "no run"
        raise RunNotFoundError(
            f"run must be a run id, a unique id prefix or a run name in {safe_url!r}. "
            f"Got {run_id!r}, which matches {found_text}. List the runs with: fitscope runs list"
        )
    return read_runs(conn, sa.select(schema.runs).where(c.id == ids[0][0]), **parts)[0]
