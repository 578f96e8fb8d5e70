"""fit(run=...) writes every epoch's values to a real tracked run (a SQLite file)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import StandardScaler

import fitscope
from fitscope.errors import TrainingDivergedError


def _cancer():
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    return fitscope.split(X, y, val=0.25, test=0.0, random_state=1)


def test_every_epoch_of_train_and_val_reads_back_from_the_store(tmp_path: Path) -> None:
    (X, y), (Xv, yv), _ = _cancer()
    model = fitscope.LogisticRegression(
        solver="gd", learning_rate=0.5, epochs=400, metrics=("accuracy", "roc_auc"),
        early_stopping=3, tol=0.0,
    )  # fmt: skip
    with fitscope.init(
        project="trainers", config=model.get_params(), store=tmp_path / "s.db"
    ) as run:
        model.fit(X, y, validation_data=(Xv, yv), run=run)
    record = fitscope.Store(tmp_path / "s.db").get_run(run.id)  # read back from the file
    assert record.status == "finished"
    assert set(record.series()) == {
        ("train", "loss"), ("train", "accuracy"), ("train", "roc_auc"), ("train", "objective"),
        ("val", "loss"), ("val", "accuracy"), ("val", "roc_auc"),
        ("train", "n"), ("val", "n"),  # the samples behind each split's values
    }  # fmt: skip
    assert set(record.history("n", "val").values.tolist()) == {float(yv.size)}
    assert set(record.history("n", "train").values.tolist()) == {float(y.size)}
    epochs = np.arange(1, model.n_epochs_ + 1)
    for split, prefix in (("train", ""), ("val", "val_")):
        for name in ("loss", "accuracy", "roc_auc"):
            series = record.history(name, split=split)
            assert series.steps.tolist() == epochs.tolist()  # step = epochs done
            assert series.values.tolist() == model.history_[prefix + name]
    # The store's "best" validation loss is the epoch early stopping restored.
    assert model.stop_reason_.startswith("early_stopping")
    best = record.summary["val/loss"]
    assert best["best_step"] == model.best_epoch_
    assert best["best"] == min(model.history_["val_loss"])
    assert record.summary["val/accuracy"]["higher_is_better"] is True


def test_a_diverged_fit_keeps_the_epochs_before_it_and_fails_the_run(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 3)) * 100
    y = X @ [1.0, 2.0, 3.0]
    store = fitscope.Store(tmp_path / "s.db")
    model = fitscope.LinearRegression(solver="gd", learning_rate=1.0, epochs=1000)
    with (
        pytest.raises(TrainingDivergedError, match=r"at epoch (\d+)") as info,
        fitscope.init(store=store) as run,
    ):
        model.fit(X, y, run=run)
    diverged_at = int(str(info.value).split("at epoch ")[1].split()[0])
    record = store.get_run(run.id)
    assert record.status == "failed"
    loss = record.history("loss")
    # Every finite epoch is stored; the one that diverged is reported, not logged.
    assert loss.steps.tolist() == list(range(1, diverged_at))
    assert np.all(np.isfinite(loss.values))
