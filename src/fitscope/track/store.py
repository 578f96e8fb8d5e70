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

import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from fitscope.errors import InvalidInputError, InvalidTypeError, StoreError, StoreVersionError
from fitscope.track import _manage, _read, _write
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
        self._has_refused = True
        try:
            self._tx.run(lambda conn: schema.init_schema(conn, self.safe_url), immediate=True)
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
            names = self._tx.run(lambda conn: schema.check_schema(conn, self.safe_url), write=False)
            self._has_refused = schema.refused.name in names
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
    ) -> None:
        """Write points, snapshots and the run's liveness in one transaction."""
        _write.write(
            self._tx,
            run_id,
            chunks,
            snapshots,
            heartbeat=heartbeat,
            status=status,
            end_time=end_time,
        )

    # -- reading ---------------------------------------------------------------------------

    def runs(
        self,
        project: str | None = None,
        tags: Iterable[str] | str | None = None,
        status: str | None = None,
        config: Mapping[str, Any] | None = None,
        *,
        ids: Iterable[str] | None = None,
        series: SeriesWanted = True,
        predictions: bool = True,
    ) -> list[RunRecord]:
        """Runs, newest first. ``tags`` keeps runs that carry every tag given; ``config`` keeps
        runs whose config has every key given with an equal value (a dotted key such as
        ``"optimizer.lr"`` looks inside nested dicts); ``ids`` keeps the runs with those exact
        ids (no prefixes or names: :meth:`get_run` resolves those). ``series`` and
        ``predictions`` choose what each record holds (see the class); three statements
        whatever the number of runs.
        """
        query = sa.select(schema.runs).order_by(schema.runs.c.start_time.desc())
        if ids is not None:
            query = query.where(schema.runs.c.id.in_(sorted(set(ids))))
        if project is not None:
            query = query.where(schema.runs.c.project == project)
        wanted = [tags] if isinstance(tags, str) else list(tags or [])
        for tag in wanted:
            query = query.where(
                schema.runs.c.id.in_(
                    sa.select(schema.tags.c.run_id).where(schema.tags.c.tag == tag)
                )
            )
        records = self._tx.run(
            lambda conn: _read.read_runs(
                conn, query, series=series, predictions=predictions, refused=self._has_refused
            ),
            write=False,
        )
        if status is not None:
            records = [r for r in records if r.status == status]
        if config:
            # Filtered here rather than in SQL: config is a JSON text column, and SQLite's and
            # PostgreSQL's JSON operators differ; stores hold thousands of runs, not millions.
            records = [r for r in records if _read.config_matches(r.config, config)]
        return records

    def get_run(
        self, run_id: str, *, series: SeriesWanted = True, predictions: bool = True
    ) -> RunRecord:
        """The run with this id, a unique prefix of an id, or this name (newest if repeated),
        holding the parts asked for (see the class): three statements when given an id."""
        if not isinstance(run_id, str) or not run_id:
            raise InvalidTypeError(f"run_id must be a non-empty string. Got {run_id!r} instead.")
        return self._tx.run(
            lambda conn: _read.find_run(
                conn,
                run_id,
                self.safe_url,
                series=series,
                predictions=predictions,
                refused=self._has_refused,
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

    def _resolve(self, run_id: str) -> RunRecord:
        """The run ``run_id`` names, with no series data or snapshots (for managing it)."""
        return self.get_run(run_id, series=False, predictions=False)
