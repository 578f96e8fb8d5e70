"""Managing runs: deleting, renaming and tagging (each one transaction, by exact run id)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.engine import Connection

from fitscope.track import _schema as schema
from fitscope.track._tx import Transactions

__all__ = ["add_tags", "delete_run", "rename_run"]


def delete_run(tx: Transactions, run_id: str) -> None:
    def body(conn: Connection) -> None:
        for table in (
            schema.points,
            schema.predictions,
            schema.tags,
            schema.series_summary,
            schema.run_config,
            schema.refused,
        ):
            conn.execute(table.delete().where(table.c.run_id == run_id))
        conn.execute(schema.runs.delete().where(schema.runs.c.id == run_id))

    tx.run(body)


def rename_run(tx: Transactions, run_id: str, name: str) -> None:
    def body(conn: Connection) -> None:
        conn.execute(schema.runs.update().where(schema.runs.c.id == run_id).values(name=name))

    tx.run(body)


def add_tags(tx: Transactions, run_id: str, tags: Iterable[str]) -> None:
    rows = [{"run_id": run_id, "tag": t} for t in tags]

    def body(conn: Connection) -> None:
        if rows:
            conn.execute(schema.tags.insert(), rows)

    tx.run(body)
