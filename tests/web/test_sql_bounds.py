"""How many SQL statements each dashboard endpoint costs, pinned: a run page reads its run in at
most 3 statements however many series it has, and the runs list costs the same for 3 runs as for
30. Counted with SQLAlchemy's ``before_cursor_execute`` event over a real SQLite file and, where
FITSCOPE_TEST_POSTGRES_URL names one, the real PostgreSQL server."""

from __future__ import annotations

from typing import Any

import numpy as np
from fastapi.testclient import TestClient

import fitscope
from fitscope.web import create_app

from .conftest import fill_store, log_curves
from .sqlcount import count_statements

#: The most statements one run's data may cost (runs + tags, points, snapshots).
RUN_BOUND = 3
WIDE_SERIES = 40


def _wide_run(store: fitscope.Store) -> str:
    """A run with WIDE_SERIES series besides loss and accuracy, and a prediction snapshot."""
    rng = np.random.default_rng(5)
    with fitscope.init(project="wide", name="wide", store=store) as run:
        log_curves(run, 20)
        for step in range(20):
            run.log({f"m{i}": float(rng.random()) for i in range(WIDE_SERIES)}, step=step)
        y = (rng.random(50) < 0.5).astype(np.int64)
        run.log_predictions(y, rng.random(50), split="val", step=19)
        return run.id


def _count(client: TestClient, store: fitscope.Store, url: str) -> Any:
    with count_statements(store.engine) as seen:
        response = client.get(url)
    assert response.status_code == 200, response.text
    return seen


def test_a_run_costs_at_most_three_statements(store_url: str) -> None:
    ids = fill_store(store_url)  # type: ignore[arg-type]
    store = fitscope.Store(store_url)
    wide = _wide_run(store)
    client = TestClient(create_app(store))
    try:
        for run_id in (*ids.values(), wide):
            for url in (
                f"/api/runs/{run_id}",
                f"/api/runs/{run_id}/charts",
                f"/api/runs/{run_id}/charts?x=epoch",
                f"/api/runs/{run_id}/findings",
                f"/api/runs/{run_id}/series?metric=loss&split=train",
            ):
                seen = _count(client, store, url)
                assert 0 < len(seen) <= RUN_BOUND, f"{url}: {len(seen)} statements\n{seen}"
        seen = _count(client, store, f"/api/runs/{ids['overfit']}/predictions")
        assert len(seen) <= RUN_BOUND, str(seen)
        every = ",".join([*ids.values(), wide])
        seen = _count(client, store, f"/api/compare?ids={every}&metric=loss&split=val")
        assert len(seen) <= RUN_BOUND, f"compare of 4 runs: {len(seen)} statements\n{seen}"
        traces = client.get(f"/api/compare?ids={every}&metric=loss&split=val").json()["series"]
        # every run logged val/loss (the built-in trainer too): one trace each, in the order asked
        assert [t["run_id"] for t in traces] == [*ids.values(), wide]
        # The wide run's page really holds its 40 extra series: the bound is not an empty page.
        page = client.get(f"/api/runs/{wide}").json()
        # log_curves logs 5 series (train loss, accuracy, epoch; val loss, accuracy).
        assert len(page["series"]) == len(page["summary"]) == 5 + WIDE_SERIES
    finally:
        store.close()


def test_the_runs_list_costs_the_same_for_any_number_of_runs(store_url: str) -> None:
    fill_store(store_url)  # type: ignore[arg-type]
    store = fitscope.Store(store_url)
    client = TestClient(create_app(store))
    try:
        few = _count(client, store, "/api/runs")
        for i in range(27):
            with fitscope.init(project="more", name=f"r{i}", tags=["t"], store=store) as run:
                log_curves(run, 3, seed=i)
        many = _count(client, store, "/api/runs")
        rows = client.get("/api/runs").json()["runs"]
        assert len(rows) == 30 and all(r["best_val_loss"] is not None for r in rows)
        assert len(many) == len(few) <= RUN_BOUND, f"3 runs: {few}\n30 runs: {many}"
        assert len(_count(client, store, "/api/runs?tag=t")) <= RUN_BOUND
    finally:
        store.close()
