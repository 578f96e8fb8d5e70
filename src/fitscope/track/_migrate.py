"""Opening a store for writing: its schema brought up to date in one transaction.

A new store gets every table; an existing one has its version checked (a newer store is left
untouched), runs the migrations from its version up to the current one, gets the tables added
since, and has its run summaries backfilled (``_rollup.backfill``, once) before the version is
stamped. The tables and the migrations themselves are ``_schema.py``'s.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from fitscope.errors import StoreVersionError
from fitscope.track import _schema as schema
from fitscope.track._rollup import backfill
from fitscope.track._tx import Again

__all__ = ["init_schema"]


def init_schema(conn: Connection, safe_url: str) -> None:
    """Create the tables in a new store, check the version of an existing one and run the
    migrations from its version up to :data:`~fitscope.track._schema.SCHEMA_VERSION` (call it
    in one transaction)."""
    try:
        version = None
        if sa.inspect(conn).has_table(schema.meta.name):
            row = conn.execute(
                sa.select(schema.meta.c.value).where(schema.meta.c.key == "schema_version")
            ).first()
            version = None if row is None else schema.stored_version(row[0], safe_url)
        if version is not None and version > schema.SCHEMA_VERSION:
            # Checked before anything is written: a newer store is left untouched.
            raise StoreVersionError(
                f"store must have schema version {schema.SCHEMA_VERSION} or older. Got "
                f"version {version} in {safe_url!r} instead: it was written "
                "by a newer fitscope. Upgrade fitscope (pip install -U fitscope) to open it."
            )
        if version is not None:
            for v in range(version, schema.SCHEMA_VERSION):
                schema.MIGRATIONS[v](conn)
        # New tables of the current schema (all of them in a new store).
        schema.metadata.create_all(conn, checkfirst=True)
        backfill(conn)  # run summaries of a store older than their tables
        if version is None:
            conn.execute(
                schema.meta.insert().values(key="schema_version", value=str(schema.SCHEMA_VERSION))
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
            raise Again from error
        raise
