"""A run once read is a value: it holds its data, works after its store is gone, and says how
to read a part it was read without instead of querying a store behind the caller's back."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import fitscope


def _logged(store: fitscope.Store) -> str:
    with fitscope.init(project="p", name="n", tags=["a", "b"], store=store) as run:
        for step in range(5):
            run.log({"loss": 1.0 / (step + 1), "accuracy": step / 5}, step=step)
            run.log({"loss": 1.2 / (step + 1)}, step=step, split="val")
        run.log_predictions([0, 1, 1], [0.2, 0.7, 0.4], split="val", step=4)
        return run.id


def test_a_record_outlives_its_store(store: fitscope.Store) -> None:
    run_id = _logged(store)
    record = store.get_run(run_id)
    store.close()
    if store.url.startswith("sqlite:///"):
        Path(store.url[len("sqlite:///") :]).unlink()
    assert record.tags == ["a", "b"]
    assert record.series() == [("train", "accuracy"), ("train", "loss"), ("val", "loss")]
    assert record.history("loss", "val").values.tolist() == [1.2 / (s + 1) for s in range(5)]
    assert record.summary["train/loss"]["best"] == pytest.approx(0.2)
    [snap] = record.predictions("val")
    assert snap.step == 4 and snap.y_true.tolist() == [0, 1, 1]
    assert record.history("loss", "test").steps.size == 0  # never logged: no points


def test_parts_asked_for_are_the_parts_held(store: fitscope.Store) -> None:
    run_id = _logged(store)
    listed = store.get_run(run_id, series=False, predictions=False)
    assert listed.series() == [("train", "accuracy"), ("train", "loss"), ("val", "loss")]
    with pytest.raises(fitscope.InvalidInputError, match=r"series=\[\('val', 'loss'\)\]"):
        listed.history("loss", "val")
    with pytest.raises(fitscope.InvalidInputError, match="predictions=True"):
        listed.predictions()
    some = store.get_run(run_id, series=[("val", "loss"), ("test", "accuracy")])
    assert np.array_equal(some.history("loss", "val").steps, np.arange(5))
    assert some.history("accuracy", "test").steps.size == 0
    with pytest.raises(fitscope.InvalidInputError, match="read without its points"):
        some.history("loss", "train")
    [row] = store.runs(project="p", series=[("val", "loss")], predictions=False)
    assert row.id == run_id and len(row.history("loss", "val")) == 5
