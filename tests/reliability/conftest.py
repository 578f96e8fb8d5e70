"""The reliability suite runs against the same real stores as tests/track: a SQLite file and,
where FITSCOPE_TEST_POSTGRES_URL names one, the real PostgreSQL server (a fresh schema a test).
The fixtures are the ones tests/track/conftest.py defines, loaded from that file so there is
one definition."""

from __future__ import annotations

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "_track_conftest", Path(__file__).parents[1] / "track" / "conftest.py"
)
assert _spec is not None and _spec.loader is not None
_track = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_track)

postgres_store_url = _track.postgres_store_url
store_url = _track.store_url
store = _track.store
postgres_url = _track.postgres_url
