"""The store: runs, their metric series and prediction snapshots, in SQLite or PostgreSQL.

SQLAlchemy Core speaks both dialects, so there is no hand-written SQL per database. SQLite runs
in WAL mode (readers never block the writer) with a busy timeout, and every write transaction is
retried with backoff when another process holds the lock, so several processes can log into one
file and none of them shows its user "database is locked".
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import socket
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import sqlalchemy as sa
from numpy.typing import NDArray
from sqlalchemy.engine import Connection, Engine

from fitscope.errors import (
    InvalidInputError,
    InvalidTypeError,
    RunNotFoundError,
    StoreError,
    StoreVersionError,
)
from fitscope.track import _schema as schema
from fitscope.track.records import History, PredictionSnapshot, RunRecord

__all__ = ["DEFAULT_PATH", "STALE_AFTER", "Store", "resolve_url"]

#: Where runs go when neither ``store=`` nor $FITSCOPE_STORE says otherwise: a folder next to
#: the code being run, like git's .git or MLflow's ./mlruns, so each project keeps its own runs.
DEFAULT_PATH = Path(".fitscope") / "fitscope.db"

#: A "running" run whose writer has given no sign of life for this long is shown as "crashed".
#: The writer beats every few seconds even when nothing is logged (see Run).
STALE_AFTER = 30.0

T = TypeVar("T")

Chunk = tuple[str, str, NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]


def resolve_url(url: str | os.PathLike[str] | None) -> str:
    """The SQLAlchemy URL for ``url``: a path, ``sqlite:///path``, or ``postgresql://...``.

    >>> resolve_url("postgresql://me@db.example:5432/runs")
    'postgresql+psycopg://me@db.example:5432/runs'
    >>> resolve_url("/tmp/runs.db")
    'sqlite:////tmp/runs.db'
    """
    if url is None:
        url = os.environ.get("FITSCOPE_STORE") or DEFAULT_PATH
    if isinstance(url, os.PathLike):
        url = os.fspath(url)
    if not isinstance(url, str) or not url.strip():
        raise InvalidTypeError(
            "store must be a path, a sqlite:/// URL or a postgresql:// URL. "
            f"Got {url!r} ({type(url).__name__}) instead."
        )
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if url.startswith(("postgresql+psycopg://", "sqlite:///")) or url == "sqlite://":
        return url
    if "://" in url or url.startswith(("sqlite:", "postgresql")):
        scheme = url.split(":", 1)[0]
        raise InvalidInputError(
            "store must be a path, a sqlite:/// URL or a postgresql:// URL. "
            f"Got {_redact(url)!r} (scheme {scheme!r}) instead. "
            "Use a file path for a local store, or postgresql://user@host:port/db."
        )
    return "sqlite:///" + str(Path(url).expanduser().resolve())


def _redact(url: str) -> str:
    """``url`` with any password replaced by ***, for messages."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return url


def _encode(arr: NDArray[Any]) -> bytes:
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=False)
    return buf.getvalue()


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


_HOST = socket.gethostname()


_MEMORY = ("sqlite://", "sqlite:///:memory:")


class _Again(Exception):
    """Raised inside a transaction to have :meth:`Store._retry` run it again."""


def _config_json(config: Mapping[str, Any]) -> str:
    """A run's config as stored: JSON, keys sorted (see track/_config.py)."""
    from fitscope.track._config import config_json

    return config_json(config)


_MISSING = object()


def _config_matches(config: Mapping[str, Any], wanted: Mapping[str, Any]) -> bool:
    """Whether ``config`` holds every (possibly dotted) key of ``wanted`` with an equal value."""
    for key, value in wanted.items():
        node: Any = config
        for part in str(key).split("."):
            node = node.get(part, _MISSING) if isinstance(node, Mapping) else _MISSING
        if node is _MISSING or node != value:
            return False
    return True


def _version(text: str, where: str) -> int:
    """The stored schema_version as an int, or a StoreError saying the store is damaged."""
    try:
        return int(text)
    except (TypeError, ValueError):
        raise StoreError(
            f"store must have an integer schema_version. Got {str(text)[:50]!r} in {where!r} "
            "instead: the store is damaged or was not written by fitscope."
        ) from None


def _is_lock_error(error: sa.exc.OperationalError) -> bool:
    text = str(error.orig).lower()
    # SQLite: "database is locked" / busy; PostgreSQL: a deadlock or serialization failure
    # between concurrent writers, both safe to run again.
    return any(w in text for w in ("locked", "busy", "deadlock", "could not serialize"))


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
    store there (what reading tools such as ``fitscope runs`` want).
    """

    def __init__(self, url: str | os.PathLike[str] | None = None, *, create: bool = True) -> None:
        self.url = resolve_url(url)
        if not create and self.url.startswith("sqlite:///") and self.url != "sqlite:///:memory:":
            path = Path(self.url[len("sqlite:///") :])
            if not path.exists():
                raise StoreError(
                    f"store must be an existing fitscope store. Got {str(path)!r}, which does "
                    "not exist. Pass --store PATH|URL or set FITSCOPE_STORE; runs are written "
                    f"to ./{DEFAULT_PATH.as_posix()} by default."
                )
        self.engine = self._connect(self.url)
        # An in-memory database is one connection shared by all threads: its transactions
        # must not interleave, so they take turns.
        self._turns: contextlib.AbstractContextManager[Any] = (
            threading.Lock() if self.url in _MEMORY else contextlib.nullcontext()
        )
        self._retry(self._init_schema)

    # -- opening ---------------------------------------------------------------------------

    @staticmethod
    def _connect(url: str) -> Engine:
        if url.startswith("postgresql+psycopg"):
            from fitscope._optional import require

            require("psycopg", extra="postgres")
            # connect_timeout: an unreachable host fails in seconds instead of hanging.
            return sa.create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 10})
        if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
            path = Path(url[len("sqlite:///") :])
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise StoreError(
                    f"store must be a writable location. Tried to create the folder "
                    f"{str(path.parent)!r} for {url!r} and got: {error.strerror}. "
                    "Pass a path whose parent folders are folders (or can be created)."
                ) from error
            if path.is_dir():
                raise StoreError(
                    f"store must be a SQLite file path. Got the folder {str(path)!r} instead. "
                    f"Pass a file inside it, e.g. {str(path / 'fitscope.db')!r}."
                )
        if url in _MEMORY:
            # In memory: one connection shared by every thread (the writer thread included),
            # or each thread would see its own empty database.
            engine = sa.create_engine(
                url, poolclass=sa.pool.StaticPool, connect_args={"check_same_thread": False}
            )
        else:
            engine = sa.create_engine(url, connect_args={"timeout": 30})

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            # The driver's own transaction handling starts a transaction only before
            # INSERT/UPDATE/DELETE, so DDL (creating tables, migrations) would run outside it.
            # Turn it off and emit BEGIN ourselves (SQLAlchemy's documented recipe).
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            # busy_timeout first: switching to WAL itself needs the lock.
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode: a commit survives the process being killed (the WAL is in
            # the OS page cache); only a power loss can drop the last commits.
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        @sa.event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            # IMMEDIATE takes the write lock at BEGIN (waiting for it under busy_timeout), for
            # transactions that read and then write: a deferred one would fail at once with
            # "database is locked" if another process committed in between.
            immediate = conn.get_execution_options().get("fitscope_immediate", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine

    def _init_schema(self) -> None:
        """Create the tables in a new store, check the version of an existing one and run the
        migrations from its version up to :data:`SCHEMA_VERSION`, in one transaction."""
        try:
            with (
                self.engine.connect().execution_options(fitscope_immediate=True) as conn,
                conn.begin(),
            ):
                version = None
                if sa.inspect(conn).has_table(schema.meta.name):
                    row = conn.execute(
                        sa.select(schema.meta.c.value).where(schema.meta.c.key == "schema_version")
                    ).first()
                    version = None if row is None else _version(row[0], self.safe_url)
                if version is not None and version > schema.SCHEMA_VERSION:
                    # Checked before anything is written: a newer store is left untouched.
                    raise StoreVersionError(
                        f"store must have schema version {schema.SCHEMA_VERSION} or older. Got "
                        f"version {version} in {self.safe_url!r} instead: it was written "
                        "by a newer fitscope. Upgrade fitscope (pip install -U fitscope) to "
                        "open it."
                    )
                if version is not None:
                    for v in range(version, schema.SCHEMA_VERSION):
                        schema.MIGRATIONS[v](conn)
                # New tables of the current schema (all of them in a new store).
                schema.metadata.create_all(conn, checkfirst=True)
                if version is None:
                    conn.execute(
                        schema.meta.insert().values(
                            key="schema_version", value=str(schema.SCHEMA_VERSION)
                        )
                    )
                elif version < schema.SCHEMA_VERSION:
                    conn.execute(
                        schema.meta.update()
                        .where(schema.meta.c.key == "schema_version")
                        .values(value=str(schema.SCHEMA_VERSION))
                    )
        except (sa.exc.IntegrityError, sa.exc.ProgrammingError, sa.exc.OperationalError) as error:
            # Another process created the tables or the version row at the same moment
            # (a unique violation, or "table ... already exists": SQLite runs DDL outside the
            # transaction): its schema is ours, so look again.
            if isinstance(error, sa.exc.IntegrityError) or "already exists" in str(error.orig):
                raise _Again from error
            raise

    def _retry(self, fn: Callable[[], T], *, attempts: int = 12) -> T:
        """Run ``fn`` (one transaction), retrying with jittered backoff while the database is
        locked by another process; any other database error becomes a StoreError that names
        the store and what the database said."""
        delay = 0.01
        for attempt in range(attempts):
            try:
                with self._turns:
                    return fn()
            except (sa.exc.OperationalError, _Again) as error:
                again = isinstance(error, _Again) or _is_lock_error(error)
                if attempt + 1 < attempts and again:
                    time.sleep(delay * (1 + random.random()))
                    delay = min(delay * 2, 1.0)
                    continue
                raise self._store_error(error) from error
            except sa.exc.DBAPIError as error:
                if isinstance(error, sa.exc.IntegrityError):
                    raise
                raise self._store_error(error) from error
        raise AssertionError("unreachable")  # pragma: no cover

    def _store_error(self, error: Exception) -> StoreError:
        cause = getattr(error, "orig", None) or error.__cause__ or error
        detail = " ".join(str(cause).split())
        if self.url.startswith("sqlite"):
            hint = "Check that the path is a fitscope store (a SQLite file) you can write to."
        else:
            hint = "Check that the server runs, the URL is right and the user may connect."
        return StoreError(
            f"store must be a database fitscope can open. Tried {self.safe_url!r} and got: "
            f"{detail}. {hint}"
        )

    def close(self) -> None:
        """Release the connections (the store can be opened again later)."""
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"Store({self.safe_url!r})"

    @property
    def safe_url(self) -> str:
        """The URL with any password shown as ``***``: for messages and logs."""
        return _redact(self.url)

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
        def tx() -> None:
            with self.engine.begin() as conn:
                conn.execute(
                    schema.runs.insert().values(
                        id=run_id,
                        project=project,
                        name=name,
                        status="running",
                        config=_config_json(config),
                        start_time=start_time,
                        heartbeat=start_time,
                        host=_HOST,
                        pid=os.getpid(),
                    )
                )
                if tags:
                    conn.execute(
                        schema.tags.insert(), [{"run_id": run_id, "tag": t} for t in set(tags)]
                    )

        self._retry(tx)

    def reopen_run(self, run_id: str, *, config: Mapping[str, Any]) -> None:
        """Mark a run running again in this process, with ``config`` (used by resume)."""

        def tx() -> None:
            with self.engine.begin() as conn:
                conn.execute(
                    schema.runs.update()
                    .where(schema.runs.c.id == run_id)
                    .values(
                        status="running",
                        end_time=None,
                        heartbeat=time.time(),
                        host=_HOST,
                        pid=os.getpid(),
                        config=_config_json(config),
                    )
                )

        self._retry(tx)

    def set_config(self, run_id: str, config: Mapping[str, Any]) -> None:
        """Replace a run's config (the Run merges updates before it calls this)."""

        def tx() -> None:
            with self.engine.begin() as conn:
                conn.execute(
                    schema.runs.update()
                    .where(schema.runs.c.id == run_id)
                    .values(config=_config_json(config))
                )

        self._retry(tx)

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
                "y_true": _encode(s.y_true),
                "y_pred": _encode(s.y_pred),
                "ids": None if s.ids is None else _encode(s.ids),
            }
            for s in snapshots
        ]
        values: dict[str, Any] = {}
        if heartbeat is not None:
            values["heartbeat"] = heartbeat
        if status is not None:
            values["status"] = status
            values["end_time"] = end_time

        def tx() -> None:
            with self.engine.begin() as conn:
                if point_rows:
                    conn.execute(schema.points.insert(), point_rows)
                if snap_rows:
                    conn.execute(schema.predictions.insert(), snap_rows)
                if values:
                    conn.execute(
                        schema.runs.update().where(schema.runs.c.id == run_id).values(**values)
                    )

        self._retry(tx)

    # -- reading ---------------------------------------------------------------------------

    def _record(self, row: Any, tag_list: list[str]) -> RunRecord:
        status = row.status
        if status == "running" and self._looks_dead(row):
            status = "crashed"
        run_id = row.id
        return RunRecord(
            id=run_id,
            project=row.project,
            name=row.name,
            status=status,
            config=json.loads(row.config),
            tags=sorted(tag_list),
            start_time=row.start_time,
            end_time=row.end_time,
            _series=lambda: self._series(run_id),
            _history=lambda metric, split: self._history(run_id, metric, split),
            _predictions=lambda split: self._predictions(run_id, split),
        )

    @staticmethod
    def _looks_dead(row: Any) -> bool:
        if row.host == _HOST and row.pid is not None and row.pid != os.getpid():
            return not _pid_alive(int(row.pid))
        return row.heartbeat is not None and time.time() - row.heartbeat > STALE_AFTER

    def _tags_of(self, conn: Connection, run_ids: list[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {r: [] for r in run_ids}
        if run_ids:
            q = sa.select(schema.tags.c.run_id, schema.tags.c.tag).where(
                schema.tags.c.run_id.in_(run_ids)
            )
            for run_id, tag in conn.execute(q):
                out[run_id].append(tag)
        return out

    def runs(
        self,
        project: str | None = None,
        tags: Iterable[str] | str | None = None,
        status: str | None = None,
        config: Mapping[str, Any] | None = None,
    ) -> list[RunRecord]:
        """Runs, newest first. ``tags`` keeps runs that carry every tag given; ``config`` keeps
        runs whose config has every key given with an equal value (a dotted key such as
        ``"optimizer.lr"`` looks inside nested dicts)."""
        query = sa.select(schema.runs).order_by(schema.runs.c.start_time.desc())
        if project is not None:
            query = query.where(schema.runs.c.project == project)
        wanted = [tags] if isinstance(tags, str) else list(tags or [])
        for tag in wanted:
            query = query.where(
                schema.runs.c.id.in_(
                    sa.select(schema.tags.c.run_id).where(schema.tags.c.tag == tag)
                )
            )

        def tx() -> list[RunRecord]:
            with self.engine.connect() as conn:
                rows = conn.execute(query).all()
                tag_map = self._tags_of(conn, [r.id for r in rows])
            return [self._record(r, tag_map[r.id]) for r in rows]

        records = self._retry(tx)
        if status is not None:
            records = [r for r in records if r.status == status]
        if config:
            # Filtered here rather than in SQL: config is a JSON text column, and SQLite's and
            # PostgreSQL's JSON operators differ; stores hold thousands of runs, not millions.
            records = [r for r in records if _config_matches(r.config, config)]
        return records

    def get_run(self, run_id: str) -> RunRecord:
        """The run with this id, a unique prefix of an id, or this name (newest if repeated)."""
        if not isinstance(run_id, str) or not run_id:
            raise InvalidTypeError(f"run_id must be a non-empty string. Got {run_id!r} instead.")
        c = schema.runs.c

        def tx() -> RunRecord:
            with self.engine.connect() as conn:
                rows = conn.execute(sa.select(schema.runs).where(c.id == run_id)).all()
                if not rows:
                    rows = conn.execute(
                        sa.select(schema.runs).where(c.id.startswith(run_id, autoescape=True))
                    ).all()
                if not rows or len(rows) > 1:
                    by_name = conn.execute(
                        sa.select(schema.runs).where(c.name == run_id).order_by(c.start_time.desc())
                    ).all()
                    if by_name:
                        rows = by_name[:1]
                if len(rows) != 1:
                    found = "several runs" if rows else "no run"
                    raise RunNotFoundError(
                        "run must be a run id, a unique id prefix or a run name in "
                        f"{self.safe_url!r}. "
                        f"Got {run_id!r}, which matches {found}. "
                        "List the runs with: fitscope runs list"
                    )
                tag_map = self._tags_of(conn, [rows[0].id])
            return self._record(rows[0], tag_map[rows[0].id])

        return self._retry(tx)

    def _series(self, run_id: str) -> list[tuple[str, str]]:
        p = schema.points.c
        query = (
            sa.select(p.split, p.metric)
            .where(p.run_id == run_id)
            .distinct()
            .order_by(p.split, p.metric)
        )

        def tx() -> list[tuple[str, str]]:
            with self.engine.connect() as conn:
                return [(s, m) for s, m in conn.execute(query)]

        return self._retry(tx)

    def _history(self, run_id: str, metric: str, split: str) -> History:
        p = schema.points.c
        query = (
            sa.select(p.step_blob, p.value_blob, p.time_blob)
            .where(p.run_id == run_id, p.split == split, p.metric == metric)
            .order_by(p.id)
        )

        def tx() -> list[Any]:
            with self.engine.connect() as conn:
                return list(conn.execute(query))

        rows = self._retry(tx)
        steps = np.frombuffer(b"".join(r[0] for r in rows), dtype="<i8").astype(np.int64)
        values = np.frombuffer(b"".join(r[1] for r in rows), dtype="<f8").astype(np.float64)
        times = np.frombuffer(b"".join(r[2] for r in rows), dtype="<f8").astype(np.float64)
        if steps.size > 1 and np.any(np.diff(steps) < 0):
            # Steps logged out of order (allowed): sort stably so a re-logged step keeps the
            # order in which it was written.
            order = np.argsort(steps, kind="stable")
            steps, values, times = steps[order], values[order], times[order]
        return History(metric, split, steps, values, times)

    def _predictions(self, run_id: str, split: str | None) -> list[PredictionSnapshot]:
        q = schema.predictions.c
        query = sa.select(q.split, q.step, q.time, q.y_true, q.y_pred, q.ids).where(
            q.run_id == run_id
        )
        if split is not None:
            query = query.where(q.split == split)
        query = query.order_by(q.split, q.step, q.id)

        def tx() -> list[Any]:
            with self.engine.connect() as conn:
                return list(conn.execute(query))

        return [
            PredictionSnapshot(
                split=r.split,
                step=int(r.step),
                time=float(r.time),
                y_true=_decode(r.y_true),
                y_pred=_decode(r.y_pred),
                ids=None if r.ids is None else _decode(r.ids),
            )
            for r in self._retry(tx)
        ]

    # -- managing --------------------------------------------------------------------------

    def delete_run(self, run_id: str) -> None:
        """Delete a run with everything it logged."""
        record = self.get_run(run_id)

        def tx() -> None:
            with self.engine.begin() as conn:
                for table in (schema.points, schema.predictions, schema.tags, schema.refused):
                    conn.execute(table.delete().where(table.c.run_id == record.id))
                conn.execute(schema.runs.delete().where(schema.runs.c.id == record.id))

        self._retry(tx)

    def rename_run(self, run_id: str, name: str) -> None:
        """Give a run a new name."""
        if not isinstance(name, str) or not name.strip():
            raise InvalidInputError(f"name must be a non-empty string. Got {name!r} instead.")
        record = self.get_run(run_id)

        def tx() -> None:
            with self.engine.begin() as conn:
                conn.execute(
                    schema.runs.update().where(schema.runs.c.id == record.id).values(name=name)
                )

        self._retry(tx)

    def tag_run(self, run_id: str, *tags: str) -> None:
        """Add tags to a run (tags it already has are kept once)."""
        for tag in tags:
            if not isinstance(tag, str) or not tag.strip():
                raise InvalidInputError(f"tags must be non-empty strings. Got {tag!r} instead.")
        record = self.get_run(run_id)
        new = sorted(set(tags) - set(record.tags))

        def tx() -> None:
            with self.engine.begin() as conn:
                if new:
                    conn.execute(
                        schema.tags.insert(), [{"run_id": record.id, "tag": t} for t in new]
                    )

        self._retry(tx)
