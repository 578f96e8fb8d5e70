"""The store: runs, their metric series and prediction snapshots, in SQLite or PostgreSQL.

:class:`Store` is the face; each concern lives in its own module of this package:
``_engine`` (URLs, the engine and SQLite's pragmas), ``_schema`` (tables, version, migrations),
``_tx`` (the one retried transaction), ``_write`` (what a Run writes), ``_read`` (reading runs
back as values) and ``_manage`` (deleting, renaming, tagging). SQLAlchemy Core speaks both
dialects, so there is no hand-written SQL per database; every transaction is retried with
backoff while another process holds the lock, so several processes can log into one file and
none of them shows its user "database is locked".
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from fitscope.errors import InvalidInputError, InvalidTypeError, StoreError, StoreVersionError
from fitscope.track import _listing, _manage, _migrate, _read, _write
from fitscope.track import _schema as schema
from fitscope.track._engine import (
    DEFAULT_PATH,
    cannot_write,
    check_exists,
    connect,
    connect_read_only,
    redact,
    resolve_url,
)
from fitscope.track._read import STALE_AFTER, SeriesWanted
from fitscope.track._tx import Transactions
from fitscope.track._write import Chunk
from fitscope.track.records import PredictionSnapshot, RunRecord

__all__ = ["DEFAULT_PATH", "STALE_AFTER", "Chunk", "Store", "resolve_url"]

_STATUSES = ("running", "finished", "failed", "crashed")
_VAL_SPLITS = ("val", "validation")


def _headline(summary: Mapping[str, Mapping[str, Any]], metric: str, field: str) -> Any:
    """``field`` of ``metric`` on the validation split ("val", else "validation")."""
    for split in _VAL_SPLITS:
        if f"{split}/{metric}" in summary:
            return summary[f"{split}/{metric}"][field]
    return None


class Store:
    """Runs and their curves in a SQLite file (the default) or a PostgreSQL database.

    >>> import tempfile, pathlib, fitscope
    >>> store = fitscope.Store(pathlib.Path(tempfile.mkdtemp()) / "runs.db")
    >>> with fitscope.init(project="demo", store=store) as run:
    ...     run.log({"loss": 0.7, "accuracy": 0.5})
    ...     run.log({"loss": 0.4, "accuracy": 0.8})
    >>> record = store.runs(project="demo")[0]
    >>> record.status, record.history("loss").values.tolist()
    ('finished', [0.7, 0.4])

    ``create=False`` refuses a SQLite path that does not exist yet instead of creating an empty
    store there (what reading tools such as ``fitscope runs`` want); such a store that this
    process may not write (another user's file, a read-only folder or mount) is opened
    read-only (``read_only`` is then True) instead of refused.

    Reading gives values (:class:`~fitscope.track.RunRecord`) that hold their data: by default
    every series and every prediction snapshot, in three SQL statements. ``series=False`` reads
    only the list of series, ``series=[("val", "loss")]`` only those series' points, and
    ``predictions=False`` no snapshots; a record asked for a part it was read without says so.
    """

    def __init__(self, url: str | os.PathLike[str] | None = None, *, create: bool = True) -> None:
        self.url = resolve_url(url)
        if not create:
            check_exists(self.url)
        self.engine = connect(self.url)
        self._tx = Transactions(self.engine, self.url)
        #: True when the store could only be opened for reading (see ``create``).
        self.read_only = False
        try:
            self._tx.run(lambda conn: _migrate.init_schema(conn, self.safe_url), immediate=True)
        except StoreError as error:
            if create or isinstance(error, StoreVersionError) or not cannot_write(error, self.url):
                raise
            # A reader that may not write here (another user's file, a read-only mount):
            # open it read-only rather than refuse to show it.
            self.engine.dispose()
            try:
                self.engine = connect_read_only(self.url)
            except sa.exc.DBAPIError as again:
                raise self._tx.error(again) from again
            self._tx = Transactions(self.engine, self.url)
            self._tx.run(lambda conn: schema.check_schema(conn, self.safe_url), write=False)
            self.read_only = True

    def close(self) -> None:
        """Release the connections (the store can be opened again later)."""
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"Store({self.safe_url!r})"

    @property
    def safe_url(self) -> str:
        """The URL with any password shown as ``***``: for messages and logs."""
        return redact(self.url)

    # -- writing (used by Run) -------------------------------------------------------------

    def create_run(
        self,
        run_id: str,
        *,
        project: str,
        name: str,
        config: dict[str, Any],
        tags: Sequence[str],
        start_time: float,
    ) -> None:
        """Record a new running run."""
        _write.create_run(
            self._tx,
            run_id,
            project=project,
            name=name,
            config=config,
            tags=tags,
            start_time=start_time,
        )

    def reopen_run(self, run_id: str, *, config: Mapping[str, Any]) -> None:
        """Mark a run running again in this process, with ``config`` (used by resume)."""
        _write.reopen_run(self._tx, run_id, config=config)

    def set_config(self, run_id: str, config: Mapping[str, Any]) -> None:
        """Replace a run's config (the Run merges updates before it calls this)."""
        _write.set_config(self._tx, run_id, config)

    def write(
        self,
        run_id: str,
        chunks: Iterable[Chunk],
        snapshots: Iterable[PredictionSnapshot] = (),
        *,
        heartbeat: float | None = None,
        status: str | None = None,
        end_time: float | None = None,
        keys: Sequence[tuple[str, str, str]] = (),
    ) -> None:
        """Write points, snapshots, keys as written ``(split, metric, key)`` and the run's
        liveness in one transaction."""
        _write.write(
            self._tx,
            run_id,
            chunks,
            snapshots,
            heartbeat=heartbeat,
            status=status,
            end_time=end_time,
            keys=keys,
        )

    def set_user_summary(self, run_id: str, values: Mapping[str, Any]) -> None:
        """Replace the values a user set on a run's summary."""
        _write.set_user_summary(self._tx, run_id, values)

    def user_summary(self, run_id: str) -> dict[str, Any]:
        """The values a user set on a run's summary ({} when none)."""
        return _write.user_summary(self._tx, run_id)

    def summaries(self, run_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """(the summary computed from the run's series, the values a user set on it)."""
        return self.get_run(run_id, predictions=False).summary, self.user_summary(run_id)

    # -- reading ---------------------------------------------------------------------------

    def runs(
        self,
        project: str | None = None,
        tags: Iterable[str] | str | None = None,
        status: str | None = None,
        config: Mapping[str, Any] | None = None,
        *,
        ids: Iterable[str] | None = None,
        metrics: Iterable[str] | str = (),
        search: str | None = None,
        sort: str = "-start_time",
        limit: int | None = None,
        offset: int = 0,
        series: SeriesWanted = True,
        predictions: bool = True,
    ) -> list[RunRecord]:
        """Runs, newest first (or by ``sort``), all of them unless ``limit`` is given.

        ``tags`` keeps runs that carry every tag given; ``config`` keeps runs whose config has
        every key given with an equal value (a dotted key such as ``"optimizer.lr"`` looks
        inside nested dicts); ``ids`` keeps the runs with those exact ids (no prefixes or
        names: :meth:`get_run` resolves those); ``metrics`` keeps runs whose summary passes
        every filter such as ``"best:val/loss<0.5"``; ``search`` keeps runs whose name
        contains the text (any case). ``sort`` is a field as listed in :meth:`run_page`.
        Filtering, sorting and paging happen in the database. ``series`` and ``predictions``
        choose what each record holds (see the class); a few statements whatever the number
        of runs.
        """
        query, _ = _listing.select_runs(
            **self._filters(project, tags, status, config, metrics, search),
            ids=ids,
            sort=sort,
            limit=limit,
            offset=offset,
        )
        if limit is None and not offset:
            return self._tx.run(
                lambda conn: _read.read_runs(conn, query, series=series, predictions=predictions),
                write=False,
            )

        def body(conn: Connection) -> list[RunRecord]:
            # A page: its ids first (read_runs selects its parts by a subquery of the query,
            # which must not carry LIMIT without its ORDER BY), then the runs, in page order.
            page_ids = [i for (i,) in conn.execute(query.with_only_columns(schema.runs.c.id))]
            if not page_ids:
                return []
            found = _read.read_runs(
                conn,
                sa.select(schema.runs).where(schema.runs.c.id.in_(page_ids)),
                series=series,
                predictions=predictions,
            )
            by_id = {r.id: r for r in found}
            return [by_id[i] for i in page_ids if i in by_id]

        return self._tx.run(body, write=False)

    def run_page(
        self,
        project: str | None = None,
        tags: Iterable[str] | str | None = None,
        status: str | None = None,
        config: Mapping[str, Any] | None = None,
        *,
        metrics: Iterable[str] | str = (),
        search: str | None = None,
        sort: str = "-start_time",
        limit: int | None = _listing.DEFAULT_LIMIT,
        offset: int = 0,
    ) -> _listing.RunPage:
        """One page of the runs table, read from the run summaries kept at write time (no
        series is read): each row has the run's fields, tags, config, the summary of every
        series (count, last, best and their steps) and the headline numbers; ``total`` says
        how many runs match.

        Filters as in :meth:`runs`. ``sort``: ``start_time``, ``end_time``, ``duration``,
        ``name``, ``project``, ``status``, ``best_val_loss``, ``best_val_accuracy``,
        ``final_test_accuracy``, ``config.KEY``, or ``best:SPLIT/METRIC``,
        ``last:SPLIT/METRIC``, ``count:SPLIT/METRIC``; ``-`` in front for descending; runs
        without the field come last.

        >>> import tempfile, pathlib, fitscope
        >>> store = fitscope.Store(pathlib.Path(tempfile.mkdtemp()) / "runs.db")
        >>> for lr in (0.1, 0.01, 0.001):
        ...     with fitscope.init(config={"lr": lr}, store=store) as run:
        ...         run.log({"loss": lr * 10}, split="val")
        >>> page = store.run_page(sort="best:val/loss", limit=2)
        >>> [row["config"]["lr"] for row in page.rows], page.total, page.next_offset
        ([0.001, 0.01], 3, 2)
        """
        filters = self._filters(project, tags, status, config, metrics, search)

        rows, tag_map, total, sums = self._tx.run(
            lambda conn: _listing.query_page(
                conn, **filters, sort=sort, limit=limit, offset=offset
            ),
            write=False,
        )
        out = []
        for r in rows:
            summary = sums[r.id]
            out.append(
                {
                    "id": r.id,
                    "project": r.project,
                    "name": r.name,
                    "status": "crashed"
                    if r.status == "running" and _read.looks_dead(r)
                    else r.status,
                    "start_time": r.start_time,
                    "end_time": r.end_time,
                    "duration": None if r.end_time is None else r.end_time - r.start_time,
                    "tags": sorted(tag_map[r.id]),
                    "config": json.loads(r.config),
                    "best_val_loss": _headline(summary, "loss", "best"),
                    "best_val_accuracy": _headline(summary, "accuracy", "best"),
                    "final_test_accuracy": (summary.get("test/accuracy") or {}).get("last"),
                    "summary": summary,
                }
            )
        return _listing.RunPage(rows=out, total=total, offset=offset, limit=limit or len(out))

    def projects(self) -> list[str]:
        """The project names in the store, sorted."""
        r = schema.runs.c
        query = sa.select(r.project).distinct().order_by(r.project)
        return self._tx.run(lambda conn: [p for (p,) in conn.execute(query)], write=False)

    @staticmethod
    def _filters(
        project: str | None,
        tags: Iterable[str] | str | None,
        status: str | None,
        config: Mapping[str, Any] | None,
        metrics: Iterable[str] | str,
        search: str | None,
    ) -> dict[str, Any]:
        if status is not None and status not in _STATUSES:
            raise InvalidInputError(f"status must be one of {_STATUSES}. Got {status!r} instead.")
        return {
            "project": project,
            "tags": [tags] if isinstance(tags, str) else list(tags or []),
            "status": status,
            "config": config,
            "metrics": [
                _listing.parse_filter(m)
                for m in ([metrics] if isinstance(metrics, str) else metrics)
            ],
            "search": search,
        }

    def get_run(
        self, run_id: str, *, series: SeriesWanted = True, predictions: bool = True
    ) -> RunRecord:
        """The run with this id, a unique prefix of an id, or this name (newest if repeated),
        holding the parts asked for (see the class): three statements when given an id."""
        if not isinstance(run_id, str) or not run_id:
            raise InvalidTypeError(f"run_id must be a non-empty string. Got {run_id!r} instead.")
        return self._tx.run(
            lambda conn: _read.find_run(
                conn, run_id, self.safe_url, series=series, predictions=predictions
            ),
            write=False,
        )

    # -- managing --------------------------------------------------------------------------

    def delete_run(self, run_id: str) -> None:
        """Delete a run with everything it logged."""
        _manage.delete_run(self._tx, self._resolve(run_id).id)

    def rename_run(self, run_id: str, name: str) -> None:
        """Give a run a new name."""
        if not isinstance(name, str) or not name.strip():
            raise InvalidInputError(f"name must be a non-empty string. Got {name!r} instead.")
        _manage.rename_run(self._tx, self._resolve(run_id).id, name)

    def tag_run(self, run_id: str, *tags: str) -> None:
        """Add tags to a run (tags it already has are kept once)."""
        for tag in tags:
            if not isinstance(tag, str) or not tag.strip():
                raise InvalidInputError(f"tags must be non-empty strings. Got {tag!r} instead.")
        record = self._resolve(run_id)
        _manage.add_tags(self._tx, record.id, sorted(set(tags) - set(record.tags)))

    def untag_run(self, run_id: str, *tags: str) -> None:
        """Remove tags from a run (a tag it does not carry is an error: likely a typo)."""
        record = self._resolve(run_id)
        missing = [t for t in tags if t not in record.tags]
        if missing:
            raise InvalidInputError(
                f"tags must be tags the run carries ({record.tags}). Got {missing} instead."
            )
        _manage.remove_tags(self._tx, record.id, tags)

    def _resolve(self, run_id: str) -> RunRecord:
        """The run ``run_id`` names, with no series data or snapshots (for managing it)."""
        return self.get_run(run_id, series=False, predictions=False)
