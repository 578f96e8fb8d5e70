"""The tracking API on a real SQLite file and the real PostgreSQL server (the ``store`` fixture
in conftest.py): what is logged is what is read back."""

from __future__ import annotations

import math

import numpy as np
import pytest

import fitscope
from fitscope.errors import InvalidInputError, InvalidTypeError, RunNotFoundError


def test_logged_points_read_back_per_split(store: fitscope.Store) -> None:
    with fitscope.init(project="p", config={"lr": 0.1}, tags=["a", "b"], store=store) as run:
        for epoch in range(5):
            run.log({"loss": 1.0 / (epoch + 1), "accuracy": 0.5 + 0.1 * epoch})
            run.log({"loss": 1.2 / (epoch + 1)}, split="val")
        run.log({"loss": math.nan}, split="val")
    record = store.get_run(run.id)
    assert record.status == "finished"
    assert record.config == {"lr": 0.1}
    assert record.tags == ["a", "b"]
    assert record.series() == [("train", "accuracy"), ("train", "loss"), ("val", "loss")]
    train = record.history("loss")
    assert train.steps.tolist() == [0, 1, 2, 3, 4]
    assert train.values.tolist() == [1.0, 0.5, 1.0 / 3, 0.25, 0.2]
    val = record.history("loss", split="val")
    assert np.isnan(val.values[-1]) and len(val) == 6
    summary = record.summary
    assert summary["val/loss"]["best"] == pytest.approx(0.24)
    assert summary["val/loss"]["best_step"] == 4
    assert summary["train/accuracy"]["best"] == pytest.approx(0.9)


def test_explicit_steps_and_numpy_values(store: fitscope.Store) -> None:
    run = fitscope.init(store=store)
    run.log({"loss": np.float32(0.5)}, step=10)
    run.log({"loss": np.array(0.25)})  # 0-d array; next step is 11
    run.finish()
    history = store.get_run(run.id).history("loss")
    assert history.steps.tolist() == [10, 11]
    assert history.values.tolist() == [0.5, 0.25]


def test_predictions_snapshot_round_trip(store: fitscope.Store) -> None:
    run = fitscope.init(store=store)
    run.log({"loss": 0.3}, split="val")
    probs = np.array([[0.7, 0.3], [0.1, 0.9]])
    run.log_predictions([0, 1], probs, ids=["a", "b"])
    run.finish()
    (snap,) = store.get_run(run.id).predictions("val")
    assert snap.step == 0
    np.testing.assert_array_equal(snap.y_pred, probs)
    assert snap.ids is not None and snap.ids.tolist() == ["a", "b"]


def test_failed_run_on_exception(store: fitscope.Store) -> None:
    with pytest.raises(RuntimeError), fitscope.init(store=store) as run:
        run.log({"loss": 1.0})
        raise RuntimeError("boom")
    record = store.get_run(run.id)
    assert record.status == "failed"
    assert record.history("loss").values.tolist() == [1.0]


@pytest.mark.parametrize(
    ("values", "error", "needle"),
    [
        ({"loss": "x"}, InvalidTypeError, "values['loss'] must be a number"),
        ({"loss": [1.0, 2.0]}, InvalidTypeError, "values['loss'] must be a number"),
        ({"loss": np.ones(3)}, InvalidInputError, "values['loss'] must be a scalar"),
        ({"": 1.0}, InvalidInputError, "non-empty string keys"),
        ({3: 1.0}, InvalidInputError, "non-empty string keys"),
        ({"ok": True}, InvalidTypeError, "boolean"),
    ],
)
def test_bad_values_name_the_key(
    store: fitscope.Store, values: dict[object, object], error: type[Exception], needle: str
) -> None:
    run = fitscope.init(store=store)
    with pytest.raises(error, match=needle.replace("[", r"\[").replace("]", r"\]")):
        run.log(values)  # type: ignore[arg-type]
    run.finish()


def test_lookup_by_prefix_and_name(store: fitscope.Store) -> None:
    run = fitscope.init(name="baseline", store=store)
    run.finish()
    assert store.get_run(run.id[:8]).id == run.id
    assert store.get_run("baseline").id == run.id
    with pytest.raises(RunNotFoundError, match="'nope'"):
        store.get_run("nope")


def test_rename_tag_delete(store: fitscope.Store) -> None:
    run = fitscope.init(store=store)
    run.finish()
    store.rename_run(run.id, "renamed")
    store.tag_run(run.id, "best", "best")
    assert store.get_run(run.id).name == "renamed"
    assert [r.id for r in store.runs(tags=["best"])] == [run.id]
    store.delete_run(run.id)
    assert store.runs() == []
