"""The one way the store runs a transaction: retried while another process holds the lock.

Every read and write of :class:`~fitscope.track.store.Store` goes through
:meth:`Transactions.run`, so the retry policy and the wording of database errors live here
once.
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from fitscope.errors import StoreError
from fitscope.track._engine import MEMORY, redact

__all__ = ["Again", "Transactions"]

T = TypeVar("T")


class Again(Exception):
    """Raised inside a transaction to have it run again (another process raced us)."""


def _is_lock_error(error: sa.exc.OperationalError) -> bool:
    text = str(error.orig).lower()
    # SQLite: "database is locked" / busy; PostgreSQL: a deadlock or serialization failure
    # between concurrent writers, both safe to run again.
    return any(w in text for w in ("locked", "busy", "deadlock", "could not serialize"))


class Transactions:
    """Runs functions of a connection as transactions on ``engine``, with retries."""

    def __init__(self, engine: Engine, url: str) -> None:
        self.engine = engine
        self.url = url
        # An in-memory database is one connection shared by all threads: its transactions
        # must not interleave, so they take turns.
        self._turns: contextlib.AbstractContextManager[Any] = (
            threading.Lock() if url in MEMORY else contextlib.nullcontext()
        )

    def run(
        self,
        fn: Callable[[Connection], T],
        *,
        write: bool = True,
        immediate: bool = False,
        attempts: int = 12,
    ) -> T:
        """``fn(conn)`` in one transaction (committed when ``write``), run again with jittered
        backoff while the database is locked by another process or ``fn`` raises
        :class:`Again`; any other database error becomes a StoreError that names the store
        and what the database said. ``immediate`` takes SQLite's write lock at BEGIN."""
        delay = 0.01
        for attempt in range(attempts):
            try:
                with self._turns, self.engine.connect() as conn:
                    if immediate:
                        conn = conn.execution_options(fitscope_immediate=True)
                    if not write:
                        return fn(conn)  # one implicit transaction, rolled back at close
                    with conn.begin():
                        return fn(conn)
            except (sa.exc.OperationalError, Again) as error:
                again = isinstance(error, Again) or _is_lock_error(error)
                if attempt + 1 < attempts and again:
                    time.sleep(delay * (1 + random.random()))
                    delay = min(delay * 2, 1.0)
                    continue
                raise self.error(error) from error
            except sa.exc.DBAPIError as error:
                if isinstance(error, sa.exc.IntegrityError):
                    raise
                raise self.error(error) from error
        raise AssertionError("unreachable")  # pragma: no cover

    def error(self, error: Exception) -> StoreError:
        """The StoreError a user sees for a database error."""
        cause = getattr(error, "orig", None) or error.__cause__ or error
        detail = " ".join(str(cause).split())
        if self.url.startswith("sqlite"):
            hint = "Check that the path is a fitscope store (a SQLite file) you can write to."
        else:
            hint = "Check that the server runs, the URL is right and the user may connect."
        return StoreError(
            f"store must be a database fitscope can open. Tried {redact(self.url)!r} and got: "
            f"{detail}. {hint}"
        )
