"""Counting the SQL statements a piece of code sends to a store's engine.

SQLAlchemy's ``before_cursor_execute`` event fires once per statement sent to the driver
(an ``executemany`` counts once), so the count is what the database sees, not what the code
believes it asks for.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa


class Statements:
    """The statements seen so far: ``len()`` and the texts (for a failing test's message)."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def __len__(self) -> int:
        return len(self.texts)

    def __str__(self) -> str:
        return "\n".join(f"{i + 1}. {' '.join(t.split())[:160]}" for i, t in enumerate(self.texts))


@contextmanager
def count_statements(engine: sa.engine.Engine) -> Iterator[Statements]:
    """Within the block, every statement ``engine`` executes is recorded (BEGIN/COMMIT
    emitted by the driver itself are not statements and are not counted)."""
    seen = Statements()

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        text = statement.strip().upper()
        if text.startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            return  # transaction control, emitted by our "begin" hook
        seen.texts.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
