"""The stores every store test runs against (tests/track, tests/reliability, the SQL counts of
tests/web, ...): a real SQLite file and, where the environment names one, the real PostgreSQL
server (FITSCOPE_TEST_POSTGRES_URL), each test in a fresh schema. A test folder that needs
another ``store`` defines its own, which pytest prefers."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

import fitscope

POSTGRES_ENV = "FITSCOPE_TEST_POSTGRES_URL"


def postgres_url() -> str:
    """The test server's URL, or skip the test with the reason."""
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(
            f"{POSTGRES_ENV} is not set: no PostgreSQL server to test against "
            "(.ci/run sets it to postgresql://postgres@127.0.0.1:5432/test)."
        )
    return url


@pytest.fixture
def postgres_store_url() -> Iterator[str]:
    """A URL whose connections live in a fresh schema of the test database, dropped after the
    test: tests are isolated from each other and from anything else on the server."""
    import sqlalchemy as sa

    from fitscope.track.store import resolve_url

    base = resolve_url(postgres_url())
    name = f"fitscope_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{name}"'))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options={quote(f'-csearch_path={name}')}"
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A store URL of each kind: a SQLite file path, a PostgreSQL schema."""
    if request.param == "sqlite":
        return str(tmp_path / "runs.db")
    return str(request.getfixturevalue("postgres_store_url"))


@pytest.fixture
def store(store_url: str) -> Iterator[fitscope.Store]:
    opened = fitscope.Store(store_url)
    yield opened
    opened.close()
