"""Run summaries kept at write time and paged listing, on a real SQLite file and the real
PostgreSQL server: the summary equals the one computed from the whole series, old stores are
backfilled on open, and pages are sorted, filtered and counted in the database."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from fastapi.testclient import TestClient

import fitscope
from fitscope.cli import cli
from fitscope.errors import InvalidInputError
from fitscope.track import _schema as schema
from fitscope.track.run import Run
from fitscope.web import create_app


def _check_summary(store: fitscope.Store, run_id: str) -> None:
    """The kept summary of every series equals summarize() over the series read back."""
    record = store.get_run(run_id)
    (row,) = [r for r in store.run_page(limit=1000).rows if r["id"] == run_id]
    expected = record.summary
    assert set(row["summary"]) == set(expected)
    for key, want in expected.items():
        got = row["summary"][key]
        assert got["count"] == want["points"], key
        assert got["last_step"] == want["final_step"], key
        if math.isnan(want["final"]):
            assert got["last"] is None, key
        else:
            assert got["last"] == want["final"], key
        assert (got["best"], got["best_step"]) == (want["best"], want["best_step"]), key


def test_summary_kept_at_write_time_equals_the_series(store: fitscope.Store) -> None:
    rng = np.random.default_rng(0)
    run = Run(store, project="p", name="s", config=None, tags=None, flush_interval=0.001)
    for _flush in range(6):  # several flushes: the summary is merged batch after batch
        for _ in range(40):
            step = int(rng.integers(0, 60))  # out of order, repeated steps
            loss = float(rng.choice([np.nan, np.inf, rng.random()], p=[0.1, 0.05, 0.85]))
            run.log({"loss": loss, "accuracy": float(rng.random()), "lr": 0.1}, step=step)
            run.log({"loss": float(rng.random())}, split="val")
        run.flush()
    run.log({"loss": math.nan}, split="test")  # a series of NaN only
    run.finish()
    _check_summary(store, run.id)


def test_old_store_is_backfilled_on_open(store_url: str) -> None:
    store = fitscope.Store(store_url)
    with fitscope.init(config={"opt": {"lr": 0.1}}, store=store) as run:
        for step in range(50):
            run.log({"loss": 1 / (step + 1), "accuracy": step / 50})
            run.log({"loss": 2 / (step + 1)}, split="val")
    # Make it look like a store written before the summary tables existed.
    with store.engine.begin() as conn:
        conn.execute(schema.series_summary.delete())
        conn.execute(schema.run_config.delete())
        conn.execute(schema.meta.delete().where(schema.meta.c.key == "rollup_version"))
    store.close()
    reopened = fitscope.Store(store_url)
    _check_summary(reopened, run.id)
    assert [r.id for r in reopened.runs(config={"opt.lr": 0.1})] == [run.id]
    reopened.close()


@pytest.fixture
def many(store: fitscope.Store) -> dict[str, dict[str, object]]:
    """24 finished runs in two projects, one failed, with lr, tags and val curves."""
    made: dict[str, dict[str, object]] = {}
    for i in range(24):
        lr = round(0.001 * (i + 1), 4)
        with fitscope.init(
            project="a" if i % 2 else "b",
            name=f"run-{i:02d}" + ("-wide" if i % 3 == 0 else ""),
            config={"lr": lr, "opt": {"name": "adam" if i % 4 else "sgd"}},
            tags=["even"] if i % 2 == 0 else [],
            store=store,
        ) as run:
            run.log({"loss": 1.0 - lr * 10, "accuracy": lr * 10}, split="val")
            run.log({"loss": 0.5}, split="train")
        made[run.id] = {"lr": lr, "i": i}
    failed = fitscope.init(project="a", name="broken", store=store)
    failed.finish("failed")
    return made


def test_pages_sorted_and_counted_in_the_database(
    store: fitscope.Store, many: dict[str, dict[str, object]]
) -> None:
    seen: list[str] = []
    offset: int | None = 0
    while offset is not None:
        page = store.run_page(sort="best:val/loss", limit=10, offset=offset)
        assert page.total == 25
        seen += [row["id"] for row in page.rows]
        offset = page.next_offset
    assert len(seen) == len(set(seen)) == 25  # pages never overlap nor skip
    losses = [r["best_val_loss"] for r in store.run_page(sort="best:val/loss", limit=100).rows]
    assert losses[:24] == sorted(losses[:24]) and losses[24] is None  # no val loss: last
    by_lr = store.run_page(sort="-config.lr", limit=3).rows
    assert [r["config"]["lr"] for r in by_lr] == [0.024, 0.023, 0.022]
    newest = store.run_page(limit=2).rows
    assert newest[0]["name"] == "broken"  # default: newest first
    assert [r["name"] for r in store.run_page(sort="name", limit=2).rows] == [
        "broken",
        "run-00-wide",
    ]


def test_filters_and_search(store: fitscope.Store, many: dict[str, dict[str, object]]) -> None:
    def names(**kw: object) -> set[str]:
        return {r["name"] for r in store.run_page(limit=None, **kw).rows}  # type: ignore[arg-type]

    assert names(status="failed") == {"broken"}
    assert len(names(project="a")) == 13 and len(names(tags=["even"])) == 12
    assert names(config={"lr": 0.005}) == {"run-04"}
    assert len(names(config={"opt.name": "sgd"})) == 6
    assert names(metrics=["best:val/accuracy>=0.229"]) == {"run-22", "run-23"}
    assert names(metrics=["best:val/loss<0.8", "count:val/loss=1"], project="b") == {
        "run-20",
        "run-22",
    }
    assert names(search="WIDE") == {f"run-{i:02d}-wide" for i in range(0, 24, 3)}
    assert names(search="%") == set()  # a LIKE wildcard is matched as text
    with pytest.raises(InvalidInputError, match="sort must be a field"):
        store.run_page(sort="loss")
    with pytest.raises(InvalidInputError, match="metric filter must be FIELD OP NUMBER"):
        store.run_page(metrics=["best:val/loss<<1"])
    with pytest.raises(InvalidInputError, match="limit must be an integer"):
        store.run_page(limit=0)


def test_api_pages(store: fitscope.Store, many: dict[str, dict[str, object]]) -> None:
    client = TestClient(create_app(store))
    first = client.get("/api/runs").json()
    assert first["total"] == 25 and len(first["runs"]) == 25 and first["limit"] == 50
    page = client.get(
        "/api/runs",
        params={"sort": "-best:val/accuracy", "limit": 5, "offset": 5, "project": "b"},
    ).json()
    assert page["total"] == 12 and page["next_offset"] == 10
    accs = [r["best_val_accuracy"] for r in page["runs"]]
    assert accs == sorted(accs, reverse=True) and len(accs) == 5
    found = client.get("/api/runs", params={"q": "wide", "config": "opt.name=sgd"}).json()
    assert {r["name"] for r in found["runs"]} == {"run-00-wide", "run-12-wide"}
    bad = client.get("/api/runs", params={"sort": "nope"})
    assert bad.status_code == 422 and "sort must be a field" in bad.json()["error"]["message"]
    assert client.get("/api/runs", params={"limit": 5000}).status_code == 422


def test_runs_list_pages_with_metric_columns(
    store_url: str, store: fitscope.Store, many: dict[str, dict[str, object]]
) -> None:
    def run(*args: str) -> str:
        out = CliRunner().invoke(cli, ["runs", "list", "--store", store_url, *args])
        assert out.exit_code == 0, out.output
        return out.output

    few = run("--limit", "3", "--sort", "best:val/loss")
    assert "val loss" in few and "val acc" in few and "3 of 25 runs shown" in few
    assert "run-23" in few and "0.76" in few  # best val loss 1 - 0.024 * 10
    every = run("--all")
    assert all(f"run-{i:02d}" in every for i in range(24)) and "runs shown" not in every
    assert "run-04" in run("--metric", "best:val/accuracy<0.06", "--search", "run-0")


def test_store_with_a_thousand_runs_lists_a_page_without_reading_series(
    store: fitscope.Store,
) -> None:
    # Bulk-inserted runs (as bench/store_scale.py makes them): a page holds 50, total counts.
    now = 1.7e9
    with store.engine.begin() as conn:
        conn.execute(
            schema.runs.insert(),
            [
                {
                    "id": f"{i:032x}",
                    "project": "bulk",
                    "name": f"bulk-{i}",
                    "status": "finished",
                    "config": "{}",
                    "start_time": now + i,
                    "end_time": now + i + 10,
                }
                for i in range(1000)
            ],
        )
        conn.execute(
            schema.series_summary.insert(),
            [
                {"run_id": f"{i:032x}", "split": "val", "metric": "loss", "count": 1,
                 "last": 1 / (i + 1), "last_step": 0, "best": 1 / (i + 1), "best_step": 0}
                for i in range(1000)
            ],
        )  # fmt: skip
        assert conn.execute(sa.select(sa.func.count()).select_from(schema.points)).scalar() == 0
    page = store.run_page(project="bulk", sort="best:val/loss")
    assert page.total == 1000 and len(page.rows) == 50
    assert page.rows[0]["name"] == "bulk-999"
