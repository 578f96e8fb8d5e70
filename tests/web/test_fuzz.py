"""Fuzz the API from its own OpenAPI description (schemathesis): no answer is a 5xx."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

import fitscope
from fitscope.web import create_app

from .conftest import fill_store

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.checks import not_a_server_error  # noqa: E402

_dir = Path(__import__("tempfile").mkdtemp(prefix="fitscope-fuzz-"))
fill_store(_dir / "runs.db")
_store = fitscope.Store(_dir / "runs.db")
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(_store))


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_never_answers_5xx(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=[not_a_server_error])


# The write side with a token, so the fuzzed bodies reach the checks behind it (without the
# token every write is a 401/403).
_ingest_store = fitscope.Store(_dir / "ingest.db")
ingest_schema = schemathesis.openapi.from_asgi(
    "/openapi.json", create_app(_ingest_store, token="fuzz")
).include(path_regex="^/api/ingest")


@ingest_schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_ingest_never_answers_5xx(case: schemathesis.Case) -> None:
    case.call_and_validate(headers={"X-Fitscope-Token": "fuzz"}, checks=[not_a_server_error])
