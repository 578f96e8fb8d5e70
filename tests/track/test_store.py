"""Store behaviour on a real SQLite file and the real PostgreSQL server: values, ordering,
filters, crash detection, schema versions, and errors for broken stores."""

from __future__ import annotations

import math
import os
import socket
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa

import fitscope
from fitscope.errors import (
    InvalidInputError,
    InvalidTypeError,
    RunNotFoundError,
    StoreError,
    StoreVersionError,
)
from fitscope.track import _schema as schema
from fitscope.track.run import Run
from fitscope.track.store import STALE_AFTER


def test_nan_and_inf_are_stored(store: fitscope.Store) -> None:
    with fitscope.init(store=store) as run:
        run.log({"loss": math.nan})
        run.log({"loss": math.inf})
        run.log({"loss": -math.inf})
        run.log({"loss": np.float32("nan")})
    values = store.get_run(run.id).history("loss").values
    assert np.isnan(values[0]) and values[1] == math.inf and values[2] == -math.inf
    assert np.isnan(values[3])
    summary = store.get_run(run.id).summary["train/loss"]
    assert np.isnan(summary["final"])
    assert summary["best"] == -math.inf  # NaN never counts as best, -inf is a real value


def test_series_written_over_many_flushes_and_key_sets(store: fitscope.Store) -> None:
    run = fitscope.init(store=store)
    for step in range(30):
        values = {"loss": float(step)}
        if step % 3 == 0:
            values["accuracy"] = step / 100  # a second key set on the same split
        run.log(values)
        if step % 7 == 0:
            run.flush()
    run.log({"loss": -1.0}, step=5)  # an earlier step logged again, later
    run.finish()
    record = store.get_run(run.id)
    loss = record.history("loss")
    assert loss.steps.tolist() == [*range(6), 5, *range(6, 30)]
    assert loss.values.tolist() == [*map(float, range(6)), -1.0, *map(float, range(6, 30))]
    assert np.all(np.diff(loss.times) >= -1.0)
    assert record.history("accuracy").steps.tolist() == list(range(0, 30, 3))
    assert len(record.history("nothing")) == 0


def test_log_from_a_busy_loop_while_the_writer_runs(store: fitscope.Store) -> None:
    # The writer takes the buffer every millisecond while this thread logs as fast as it can:
    # every call must be written exactly once.
    run = Run(store, project="p", name=None, config=None, tags=None, flush_interval=0.001)
    for step in range(20_000):
        run.log({"loss": float(step), "accuracy": 0.5})
    run.finish()
    history = store.get_run(run.id).history("loss")
    assert history.steps.tolist() == list(range(20_000))


def test_runs_filters(store: fitscope.Store) -> None:
    a = fitscope.init(project="p1", tags=["x", "y"], store=store)
    a.finish()
    b = fitscope.init(project="p1", tags=["y"], store=store)
    b.finish("failed")
    c = fitscope.init(project="p2", store=store)
    assert [r.id for r in store.runs()] == [c.id, b.id, a.id]  # newest first
    assert {r.id for r in store.runs(project="p1")} == {a.id, b.id}
    assert [r.id for r in store.runs(tags=["x", "y"])] == [a.id]
    assert [r.id for r in store.runs(tags="y", status="failed")] == [b.id]
    assert [r.id for r in store.runs(status="running")] == [c.id]
    c.finish()


def test_runs_filter_by_config(store: fitscope.Store) -> None:
    a = fitscope.init(config={"lr": 0.1, "optimizer": {"name": "adam"}}, store=store)
    a.finish()
    b = fitscope.init(config={"lr": 0.01, "optimizer": {"name": "adam"}}, store=store)
    b.finish()
    assert [r.id for r in store.runs(config={"lr": 0.1})] == [a.id]
    assert {r.id for r in store.runs(config={"optimizer.name": "adam"})} == {a.id, b.id}
    assert [r.id for r in store.runs(config={"optimizer.name": "adam", "lr": 0.01})] == [b.id]
    assert store.runs(config={"lr": 1.0}) == []
    assert store.runs(config={"optimizer.name.x": "adam"}) == []


def _set_liveness(store: fitscope.Store, run_id: str, **values: object) -> None:
    with store.engine.begin() as conn:
        conn.execute(schema.runs.update().where(schema.runs.c.id == run_id).values(**values))


def test_stale_heartbeat_on_another_host_is_crashed(store: fitscope.Store) -> None:
    run = fitscope.init(store=store)
    run.log({"loss": 1.0})
    run.flush()
    # As if a process on another machine had written the run and then gone quiet.
    _set_liveness(store, run.id, host="another-host", pid=1, heartbeat=time.time() - 10)
    assert store.get_run(run.id).status == "running"  # quiet for less than STALE_AFTER
    _set_liveness(store, run.id, heartbeat=time.time() - STALE_AFTER - 1)
    assert store.get_run(run.id).status == "crashed"
    assert [r.id for r in store.runs(status="crashed")] == [run.id]
    run.finish()
    assert store.get_run(run.id).status == "finished"


def test_dead_process_on_this_host_is_crashed(store: fitscope.Store) -> None:
    run = fitscope.init(store=store)
    # A pid that belonged to a process which has exited: a child we started and reaped.
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child leaves at once
        os._exit(0)
    os.waitpid(pid, 0)
    _set_liveness(store, run.id, host=socket.gethostname(), pid=pid, heartbeat=time.time())
    assert store.get_run(run.id).status == "crashed"
    run.finish()


def test_heartbeat_refreshes_while_idle(
    store: fitscope.Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    import fitscope.track.run as run_module

    monkeypatch.setattr(run_module, "HEARTBEAT_INTERVAL", 0.05)
    run = Run(store, project="p", name=None, config=None, tags=None, flush_interval=0.01)
    _set_liveness(store, run.id, heartbeat=0.0)
    deadline = time.time() + 10
    while time.time() < deadline:
        with store.engine.connect() as conn:
            beat = conn.execute(
                sa.select(schema.runs.c.heartbeat).where(schema.runs.c.id == run.id)
            ).scalar_one()
        if beat > 0:
            break
        time.sleep(0.02)
    assert beat > time.time() - 10
    run.finish()


# -- schema versions -----------------------------------------------------------------------


def _stored_version(store: fitscope.Store) -> int:
    with store.engine.connect() as conn:
        value = conn.execute(
            sa.select(schema.meta.c.value).where(schema.meta.c.key == "schema_version")
        ).scalar_one()
    return int(value)


def test_newer_schema_is_refused_and_left_untouched(store_url: str) -> None:
    store = fitscope.Store(store_url)
    assert _stored_version(store) == schema.SCHEMA_VERSION
    with store.engine.begin() as conn:
        conn.execute(schema.meta.update().values(value=str(schema.SCHEMA_VERSION + 1)))
    with pytest.raises(StoreVersionError) as info:
        fitscope.Store(store_url)
    message = str(info.value)
    assert f"schema version {schema.SCHEMA_VERSION} or older" in message
    assert f"Got version {schema.SCHEMA_VERSION + 1}" in message
    assert "pip install -U fitscope" in message
    assert _stored_version(store) == schema.SCHEMA_VERSION + 1
    store.close()


def test_migrations_run_from_the_stored_version(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = fitscope.Store(store_url)
    run = fitscope.init(store=old)
    run.log({"loss": 0.5})
    run.finish()
    old.close()
    ran: list[int] = []

    def add_note_column(conn: sa.Connection) -> None:
        ran.append(1)
        conn.execute(sa.text("ALTER TABLE fitscope_runs ADD COLUMN note VARCHAR(50)"))
        conn.execute(sa.text("UPDATE fitscope_runs SET note = 'migrated'"))

    # A fitscope one version newer, whose migration 1 -> 2 adds a column.
    monkeypatch.setattr(schema, "SCHEMA_VERSION", schema.SCHEMA_VERSION + 1)
    monkeypatch.setitem(schema.MIGRATIONS, schema.SCHEMA_VERSION - 1, add_note_column)
    new = fitscope.Store(store_url)
    assert ran == [1]
    assert _stored_version(new) == schema.SCHEMA_VERSION
    with new.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT note FROM fitscope_runs")).scalar_one() == "migrated"
    assert new.get_run(run.id).history("loss").values.tolist() == [0.5]  # data kept
    fitscope.Store(store_url).close()  # opening again runs nothing
    assert ran == [1]
    new.close()


def test_failed_migration_leaves_the_store_as_it_was(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fitscope.Store(store_url).close()

    def half_done(conn: sa.Connection) -> None:
        conn.execute(sa.text("ALTER TABLE fitscope_runs ADD COLUMN note VARCHAR(50)"))
        raise RuntimeError("migration bug")

    monkeypatch.setattr(schema, "SCHEMA_VERSION", schema.SCHEMA_VERSION + 1)
    monkeypatch.setitem(schema.MIGRATIONS, schema.SCHEMA_VERSION - 1, half_done)
    with pytest.raises(RuntimeError, match="migration bug"):
        fitscope.Store(store_url)
    monkeypatch.undo()
    store = fitscope.Store(store_url)  # the old version opens it as before
    assert _stored_version(store) == schema.SCHEMA_VERSION
    columns = {c["name"] for c in sa.inspect(store.engine).get_columns("fitscope_runs")}
    assert "note" not in columns  # the DDL was rolled back with the rest
    store.close()


# -- bad input and broken stores -----------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"step": -1}, "step of 'train/loss' must be an integer from 0 to"),
        ({"step": 1.5}, "step of 'train/loss' must be an integer from 0 to"),
        ({"split": ""}, "split must be a non-empty string"),
        ({"split": 3}, "split must be a string. Got 3"),
    ],
)
def test_bad_step_and_split(store: fitscope.Store, kwargs: dict[str, object], needle: str) -> None:
    run = fitscope.init(store=store)
    with pytest.raises(InvalidInputError, match=needle):
        run.log({"loss": 1.0}, **kwargs)  # type: ignore[arg-type]
    run.finish()
    with pytest.raises(InvalidInputError, match="run must be running to log"):
        run.log({"loss": 1.0})


def test_bad_values_container_and_predictions(store: fitscope.Store) -> None:
    run = fitscope.init(store=store)
    with pytest.raises(InvalidTypeError, match="values must be a dict"):
        run.log([("loss", 1.0)])  # type: ignore[arg-type]
    with pytest.raises(InvalidTypeError, match=r"values\['loss'\] must be a number"):
        run.log({"loss": None})
    with pytest.raises(InvalidInputError, match="same number of samples"):
        run.log_predictions([0, 1, 1], [0.2, 0.8])
    with pytest.raises(InvalidInputError, match="ids must have one entry per sample"):
        run.log_predictions([0, 1], [0.2, 0.8], ids=["a"])
    run.log({"loss": 1.0})  # the run is still fine after refused calls
    run.finish()
    assert store.get_run(run.id).history("loss").values.tolist() == [1.0]


def test_store_path_under_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="Tried to create the folder") as info:
        fitscope.Store(blocker / "sub" / "runs.db")
    assert str(blocker) in str(info.value)


def test_store_path_that_is_not_a_database(tmp_path: Path) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_bytes(b"this is not a database, it is a text file of some length" * 20)
    with pytest.raises(StoreError, match=r"Tried 'sqlite:///.*notes\.txt'.*not a database"):
        fitscope.Store(junk)


def test_store_path_that_is_a_folder(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="Got the folder"):
        fitscope.Store(tmp_path)


@pytest.mark.parametrize(
    ("url", "error", "needle"),
    [
        ("mysql://u:secret@h/db", InvalidInputError, "scheme 'mysql'"),
        ("sqlite:runs.db", InvalidInputError, "scheme 'sqlite'"),
        ("", InvalidTypeError, "store must be a path"),
        (3, InvalidTypeError, "store must be a path"),
    ],
)
def test_bad_store_urls(url: object, error: type[Exception], needle: str) -> None:
    with pytest.raises(error, match=needle) as info:
        fitscope.Store(url)  # type: ignore[arg-type]
    assert "secret" not in str(info.value)


def test_unreachable_postgres_says_what_was_tried() -> None:
    # A port nothing listens on: find one by binding and releasing it.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"postgresql://fitscope:hunter2@127.0.0.1:{port}/nowhere"
    with pytest.raises(StoreError) as info:
        fitscope.Store(url)
    message = str(info.value)
    assert f"127.0.0.1:{port}/nowhere" in message
    assert "hunter2" not in message  # the password is never printed
    assert "Check that the server runs" in message


def test_env_var_picks_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FITSCOPE_STORE", str(tmp_path / "env.db"))
    run = fitscope.init()
    run.finish()
    assert fitscope.Store(tmp_path / "env.db").get_run(run.id).status == "finished"
    monkeypatch.delenv("FITSCOPE_STORE")
    monkeypatch.chdir(tmp_path)
    assert fitscope.Store().url == f"sqlite:///{tmp_path / '.fitscope' / 'fitscope.db'}"


def test_threads_share_one_store(store: fitscope.Store) -> None:
    runs = [fitscope.init(project="threads", store=store) for _ in range(3)]

    def work(run: Run) -> None:
        for step in range(2000):
            run.log({"loss": float(step)})
            if step % 100 == 0:
                run.flush()
        run.finish()

    threads = [threading.Thread(target=work, args=(r,)) for r in runs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for run in runs:
        assert len(store.get_run(run.id).history("loss")) == 2000


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_in_memory_store(url: str) -> None:
    store = fitscope.Store(url)
    with fitscope.init(store=store) as run:
        for step in range(50):
            run.log({"loss": float(step)})
            if step == 10:
                run.flush()  # from this thread; the rest from the writer thread or finish()
    assert store.get_run(run.id).history("loss").steps.tolist() == list(range(50))


def test_password_never_shown(postgres_store_url: str) -> None:
    # The test server trusts local connections, so a password in the URL is accepted and
    # ignored: enough to check that nothing prints it.
    url = postgres_store_url.replace("://postgres@", "://postgres:hunter2@")
    assert "hunter2" in url
    store = fitscope.Store(url)
    assert "hunter2" not in repr(store) and "hunter2" not in store.safe_url
    assert "***" in store.safe_url
    with pytest.raises(RunNotFoundError) as info:
        store.get_run("nope")
    assert "hunter2" not in str(info.value)
    store.close()


def test_resume_continues_steps_and_merges_config(store: fitscope.Store) -> None:
    with fitscope.init(name="long", config={"lr": 0.1}, tags=["a"], store=store) as first:
        for _ in range(3):
            first.log({"loss": 1.0})
        first.log({"loss": 2.0}, split="val")
    with fitscope.init(resume="long", config={"phase": 2}, tags=["b"], store=store) as again:
        assert again.id == first.id
        again.log({"loss": 0.5})
        again.log({"loss": 1.5}, split="val")
        again.update_config({"lr": 0.01})
    record = store.get_run(first.id)
    assert record.status == "finished"
    assert record.history("loss").steps.tolist() == [0, 1, 2, 3]
    assert record.history("loss", split="val").steps.tolist() == [0, 1]
    assert record.config == {"lr": 0.01, "phase": 2}
    assert record.tags == ["a", "b"]
    assert len(store.runs()) == 1


def test_resume_refuses_a_running_run(store: fitscope.Store) -> None:
    run = fitscope.init(name="live", store=store)
    with pytest.raises(InvalidInputError, match="resume must name a run that is not running"):
        fitscope.init(resume="live", store=store)
    run.finish()


def test_a_name_wins_over_another_runs_id_prefix(store: fitscope.Store) -> None:
    """A run named like the first letters of another run's id is found by its name."""
    with fitscope.init(name="other", store=store) as other:
        other.log({"loss": 1.0})
    prefix = other.id[:2]
    with fitscope.init(name=prefix, store=store) as named:
        named.log({"loss": 2.0})
    assert store.get_run(prefix).id == named.id
    assert store.get_run(other.id[:8]).id == other.id  # a longer prefix still finds the other
