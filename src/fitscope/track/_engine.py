"""Opening a store's database: the URL a path or URL means, and the engine with its pragmas.

SQLite runs in WAL mode (readers never block the writer) with a busy timeout; every
transaction begins with an explicit BEGIN (IMMEDIATE for those that read then write), the
recipe SQLAlchemy documents for pysqlite. PostgreSQL needs none of this.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from fitscope.errors import InvalidInputError, InvalidTypeError, StoreError

__all__ = [
    "DEFAULT_PATH",
    "MEMORY",
    "cannot_write",
    "connect",
    "connect_read_only",
    "redact",
    "resolve_url",
]

#: Where runs go when neither ``store=`` nor $FITSCOPE_STORE says otherwise: a folder next to
#: the code being run, like git's .git or MLflow's ./mlruns, so each project keeps its own runs.
DEFAULT_PATH = Path(".fitscope") / "fitscope.db"

#: The URLs of an in-memory SQLite database.
MEMORY = ("sqlite://", "sqlite:///:memory:")


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
            f"Got {redact(url)!r} (scheme {scheme!r}) instead. "
            "Use a file path for a local store, or postgresql://user@host:port/db."
        )
    return "sqlite:///" + str(Path(url).expanduser().resolve())


def redact(url: str) -> str:
    """``url`` with any password replaced by ***, for messages."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return url


def check_exists(url: str) -> None:
    """Refuse a SQLite path that does not exist (for readers that must not create a store)."""
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        path = Path(url[len("sqlite:///") :])
        if not path.exists():
            raise StoreError(
                f"store must be an existing fitscope store. Got {str(path)!r}, which does "
                "not exist. Pass store=PATH|URL or set FITSCOPE_STORE; runs are written "
                f"to ./{DEFAULT_PATH.as_posix()} by default.",
                argument="store",
            )


def connect(url: str) -> Engine:
    """The engine for a resolved ``url`` (see :func:`resolve_url`)."""
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
    if url in MEMORY:
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


def cannot_write(error: BaseException, url: str) -> bool:
    """Whether opening ``url`` failed only because this process may not write there (another
    user's file, a read-only folder or mount, a PostgreSQL user without CREATE): then a reader
    can still open it read-only."""
    text = str(error).lower()
    if url.startswith("sqlite:///") and url not in MEMORY:
        return any(
            w in text
            for w in ("unable to open database file", "readonly", "read-only", "disk i/o error")
        )
    return "permission denied" in text or "read-only" in text


def connect_read_only(url: str) -> Engine:
    """An engine that only reads ``url``. SQLite: ``mode=ro``, and where even that cannot
    open the file (a WAL store on read-only media has no -shm file to map, and none can be
    made) ``immutable=1``, which reads without locks: right for a read-only mount, and for
    another user's store it shows what was committed when each statement ran."""
    if not url.startswith("sqlite:///") or url in MEMORY:
        return connect(url)
    from urllib.parse import quote

    path = quote(url[len("sqlite:///") :])
    last: Exception | None = None
    for query in ("mode=ro", "immutable=1"):
        engine = sa.create_engine(
            f"sqlite:///file:{path}?{query}&uri=true", connect_args={"timeout": 30}
        )

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        try:
            with engine.connect() as conn:
                conn.exec_driver_sql("SELECT count(*) FROM sqlite_master").all()
            return engine
        except sa.exc.DBAPIError as error:
            engine.dispose()
            last = error
    assert last is not None
    raise last
