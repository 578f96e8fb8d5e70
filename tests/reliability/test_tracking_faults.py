"""What was logged is there afterwards: poison values, threads sharing a run, a store that
refuses a batch, a full disk. Every case runs on a real SQLite file and on the real PostgreSQL
server (the full disk on SQLite in a tmpfs, where this machine may mount one)."""

from __future__ import annotations

import threading
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

import fitscope
from fitscope.errors import (
    FitscopeError,
    InvalidInputError,
    PointsRefusedWarning,
    StoreStalledWarning,
)
from fitscope.track import _writer
from fitscope.track._limits import MAX_STEP, check_point

GOOD = 10_000


def stored(store: fitscope.Store, run_id: str) -> int:
    record = store.get_run(run_id)
    return sum(len(record.history(metric, split)) for split, metric in record.series())


POISON: dict[str, tuple[Callable[[fitscope.Run], None], str]] = {
    "step 2**63": (lambda r: r.log({"loss": 1.0}, step=2**63), "step of 'train/loss'"),
    "step 10**30": (lambda r: r.log({"loss": 1.0}, step=10**30), "step of 'train/loss'"),
    "step uint64 max": (
        lambda r: r.log({"loss": 1.0}, step=np.uint64(2**64 - 1)),
        "step of 'train/loss'",
    ),
    "automatic step after 2**63-1": (
        lambda r: (r.log({"loss": 1.0}, step=MAX_STEP), r.log({"loss": 1.0})),
        "automatic step",
    ),
    "lone surrogate in a metric": (lambda r: r.log({"lo\ud800ss": 1.0}), "lone surrogate"),
    "lone surrogate in a split": (
        lambda r: r.log({"loss": 1.0}, split="v\ud800al"),
        "lone surrogate",
    ),
    "metric name of 256 characters": (lambda r: r.log({"m" * 256: 1.0}), "at most 255"),
    "split name of 65 characters": (
        lambda r: r.log({"loss": 1.0}, split="s" * 65),
        "at most 64",
    ),
    "NUL in a metric": (lambda r: r.log({"lo\x00ss": 1.0}), "NUL"),
    "NUL in a split": (lambda r: r.log({"loss": 1.0}, split="v\x00"), "NUL"),
    "int beyond float64": (lambda r: r.log({"loss": 10**400}), "64-bit float"),
}


@pytest.mark.parametrize("case", list(POISON))
def test_poison_value_is_refused_at_the_call_and_the_run_goes_on(
    store: fitscope.Store, case: str
) -> None:
    poison, needle = POISON[case]
    run = fitscope.init(store=store)
    with pytest.raises(InvalidInputError, match=needle):
        poison(run)
    for i in range(GOOD):
        run.log({"good": float(i)}, step=i, split="after")
    run.finish()
    record = store.get_run(run.id)
    assert record.status == "finished"
    assert len(record.history("good", "after")) == GOOD
    # Nothing of the refused call was kept (the max-step case keeps its one valid point).
    expected = GOOD + (1 if case == "automatic step after 2**63-1" else 0)
    assert stored(store, run.id) == expected
    assert _writer.refused(store, run.id) == []


def test_limits_are_exactly_what_the_stores_hold(store: fitscope.Store) -> None:
    # The largest accepted values round-trip through the store unchanged.
    run = fitscope.init(store=store)
    split, metric = "s" * 64, "é" * 255  # characters, not bytes
    run.log({metric: float("nan")}, step=MAX_STEP, split=split)
    run.log({metric: float("inf")}, step=0, split=split)
    run.finish()
    history = store.get_run(run.id).history(metric, split)
    assert history.steps.tolist() == [0, MAX_STEP]
    assert np.isinf(history.values[0]) and np.isnan(history.values[1])
    assert check_point(split, metric, MAX_STEP, 1) == (split, metric, MAX_STEP, 1.0)


def test_eight_threads_share_a_run(store: fitscope.Store) -> None:
    run = fitscope.init(store=store)
    calls = 5_000
    barrier = threading.Barrier(8)

    def work(k: int) -> None:
        barrier.wait()
        # Key sets of different lengths per thread, into one split: interleaved appends of
        # different shapes are what corrupted the buffer before log() took a lock.
        keys = [f"t{k}_{j}" for j in range(1 + k % 3)]
        for i in range(calls):
            run.log({"shared": float(k), **dict.fromkeys(keys, float(i))})

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    run.finish()
    record = store.get_run(run.id)
    assert record.status == "finished"
    shared = record.history("shared")
    assert len(shared) == 8 * calls
    assert np.unique(shared.steps).size == 8 * calls  # automatic steps are unique
    logged = sum(8 * calls if k < 0 else calls * (1 + k % 3) for k in [-1, *range(8)])
    assert stored(store, run.id) == logged
    # Every thread's own keys hold exactly its calls, at steps it was given.
    for k in range(8):
        history = record.history(f"t{k}_0")
        assert len(history) == calls
        assert set(history.steps.tolist()) <= set(shared.steps[shared.values == k].tolist())


def test_a_point_the_store_refuses_is_isolated_and_the_rest_written(tmp_path: Path) -> None:
    # A store with a stricter rule than fitscope knows of (a real SQLite trigger): the writer
    # must split the batch, write every other point, and record the refused one.
    store = fitscope.Store(tmp_path / "runs.db")
    with store.engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TRIGGER refuse_poison BEFORE INSERT ON fitscope_points "
            "WHEN NEW.metric = 'poison' BEGIN SELECT RAISE(ABORT, 'poison refused'); END"
        )
    run = fitscope.init(store=store)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for i in range(GOOD):
            run.log({"loss": float(i), "accuracy": 0.5}, step=i)
            if i == 5000:
                run.log({"poison": 1.0}, step=i)
        run.finish()
    record = store.get_run(run.id)
    assert record.status == "finished"
    assert stored(store, run.id) == 2 * GOOD
    refused = _writer.refused(store, run.id)
    assert [(r["key"], r["step"]) for r in refused] == [("train/poison", "5000")]
    assert run.refused == 1
    assert record.refused == 1  # the run's record says so
    messages = [str(w.message) for w in caught if w.category is PointsRefusedWarning]
    assert len(messages) == 1 and "'train/poison' at step 5000" in messages[0]


def test_a_value_that_slipped_past_log_is_refused_alone(store: fitscope.Store) -> None:
    # The second line of defence: a point in the buffer that numpy cannot convert (put there
    # directly, as a log() bug would) is refused; the points around it are written.
    run = fitscope.init(store=store)
    for i in range(GOOD):
        run.log({"loss": float(i)}, step=i)
        if i == 10:
            run._points.extend(("train", 2**70, time.time(), ("loss",), 1.0))
    with pytest.warns(PointsRefusedWarning, match="'train/loss' at step 1180591620717411303424"):
        run.finish()
    assert store.get_run(run.id).status == "finished"
    assert stored(store, run.id) == GOOD
    assert len(_writer.refused(store, run.id)) == 1


def test_finish_raises_only_fitscope_errors(tmp_path: Path) -> None:
    store = fitscope.Store(tmp_path / "runs.db")
    run = fitscope.init(store=store)
    run.log({"loss": 1.0})
    with store.engine.begin() as conn:  # the store now refuses every change to the run
        conn.exec_driver_sql(
            "CREATE TRIGGER frozen BEFORE UPDATE ON fitscope_runs "
            "BEGIN SELECT RAISE(ABORT, 'frozen'); END"
        )
    with pytest.raises(FitscopeError, match="frozen"):
        run.finish()


# -- a full disk -----------------------------------------------------------------------------


def test_full_disk_warns_once_blocks_and_loses_nothing(
    small_disk: Path, fill_disk: Callable[[Path], Path]
) -> None:
    disk = small_disk
    store = fitscope.Store(disk / "runs.db")
    run = fitscope.init(store=store, max_buffer=50_000)
    run.log({"loss": 0.0}, step=0)
    run.flush()
    filler = fill_disk(disk)
    logged = [1]

    def train() -> None:
        for i in range(1, 60_001):
            run.log({"loss": float(i), "accuracy": 0.5}, step=i)
            logged[0] += 1

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        trainer = threading.Thread(target=train)
        trainer.start()
        deadline = time.time() + 30
        while run._stalled is None and time.time() < deadline:
            time.sleep(0.05)
        assert run._stalled is not None, "the writer never hit the full disk"
        time.sleep(1.0)
        # Back-pressure: the trainer is blocked at max_buffer, nothing is dropped.
        assert trainer.is_alive()
        # Waiting: at most max_buffer entries (+ one call): the batch the writer holds while
        # it tries counts against the bound, and is put back at the front when it fails.
        for _ in range(20):  # however many failed retries
            assert len(run._points) + run._inflight <= 50_000 + 6
            time.sleep(0.05)
        assert logged[0] < 60_001
        filler.unlink()  # space returns
        trainer.join(60)
        assert not trainer.is_alive()
        run.finish()
    texts = [str(w.message) for w in caught if w.category is StoreStalledWarning]
    assert sum("cannot write to the store just now" in t for t in texts) == 1
    assert any("full" in t for t in texts)  # says why: "database or disk is full"
    assert sum("log() is waiting for the writer" in t for t in texts) == 1
    assert store.get_run(run.id).status == "finished"
    assert logged[0] == 60_001
    assert stored(store, run.id) == 1 + 2 * 60_000
    store.close()


@pytest.mark.parametrize(
    ("field", "value", "needle"),
    [
        ("project", "p" * 256, "at most 255 characters"),
        ("name", "run\x00", "NUL"),
        ("tags", ["\ud800"], "lone surrogate"),
    ],
)
def test_run_names_the_stores_cannot_hold_are_refused_at_init(
    store: fitscope.Store, field: str, value: object, needle: str
) -> None:
    # Refused by init with its argument named, before the store sees them (PostgreSQL's
    # varchar(255) and text columns would refuse them later, with a database error).
    with pytest.raises(InvalidInputError, match=f"{field} must be .*{needle}"):
        fitscope.init(store=store, **{field: value})  # type: ignore[arg-type]
    assert store.runs() == []
    longest = fitscope.init(store=store, project="p" * 255, name="é" * 255, tags=["t" * 255])
    longest.finish()
    assert store.get_run(longest.id).project == "p" * 255


def test_eight_threads_log_wandb_style_keys_without_split(store: fitscope.Store) -> None:
    # log() without split= reads each key ("val/loss", "val_accuracy", "Loss/train") and
    # gives the call one step of the run's counter: from eight threads, every call still gets
    # its own step, every point is stored, and each key as written is kept once.
    run = fitscope.init(store=store)
    calls = 2_000
    barrier = threading.Barrier(8)

    def work(k: int) -> None:
        barrier.wait()
        for i in range(calls):
            run.log(
                {
                    "Loss/train": float(k),
                    "val/loss": float(i),
                    "val_accuracy": float(k),
                    f"worker{k}_seen": float(i),
                }
            )

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    run.finish()
    record = store.get_run(run.id)
    assert record.status == "finished"
    train, val = record.history("loss", "train"), record.history("loss", "val")
    assert len(train) == len(val) == 8 * calls
    assert np.unique(train.steps).size == 8 * calls  # one step per call, never shared
    assert train.steps.tolist() == val.steps.tolist()  # a call's values share its step
    assert stored(store, run.id) == 8 * calls * 3 + 8 * calls
    for k in range(8):
        assert len(record.history(f"worker{k}_seen")) == calls
    # A thread's values all sit at the steps its calls were given.
    accuracy = record.history("accuracy", "val")
    for k in range(8):
        mine = set(train.steps[train.values == k].tolist())
        assert mine == set(accuracy.steps[accuracy.values == k].tolist())
        assert len(mine) == calls
    keys = record.keys()
    assert keys[("train", "loss")] == "Loss/train"
    assert keys[("val", "loss")] == "val/loss"
    assert keys[("val", "accuracy")] == "val_accuracy"
    assert _writer.refused(store, run.id) == []
