"""Logs written by other tools, imported as their users leave them, and runs the doctor
cannot fully judge: every value kept, runs kept apart, and every view still works."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch
from click.testing import CliRunner
from torch.utils.tensorboard import SummaryWriter

import fitscope
from fitscope.cli import cli
from fitscope.integrations.importers import import_runs

from .conftest import every_view_works


def _curves(epochs: int = 30) -> tuple[list[float], list[float]]:
    train = [0.7 * math.exp(-e / 8) for e in range(epochs)]
    val = [0.35 + 0.35 * math.exp(-e / 4) + 0.01 * max(0, e - 12) for e in range(epochs)]
    return train, val


def test_the_pytorch_tutorial_loop_imported_from_tensorboard(tmp_path, db):
    """PyTorch's TensorBoard tutorial: add_scalar("training loss") every 100 batches, and
    add_scalars("Loss", {"train": ..., "val": ...}) per epoch."""
    torch.manual_seed(0)
    writer = SummaryWriter(tmp_path / "runs" / "fashion_mnist_experiment_1")
    train, val = _curves()
    for epoch, (t, v) in enumerate(zip(train, val, strict=True)):
        writer.add_scalar("training loss", t * 1.1, epoch * 1000)
        writer.add_scalars("Loss", {"train": t, "val": v}, epoch)
    writer.close()
    (record,) = import_runs(tmp_path / "runs", store=db)
    assert record.name == "fashion_mnist_experiment_1"
    assert set(record.series()) == {("train", "loss"), ("val", "loss")}
    # add_scalars' train folder and the "training loss" tag both mean train/loss: the later
    # value is kept at a repeated step, every step of each is there.
    np.testing.assert_allclose(record.history("loss", "val").values, val, rtol=1e-6)
    assert record.history("loss", "val").steps.tolist() == list(range(30))
    assert record.key("loss", "val") == "Loss_val"
    findings = every_view_works(db, record.id, tmp_path)
    assert findings[0]["code"] == "overfitting"


def test_a_tensorboard_folder_with_three_runs_gives_three_runs(tmp_path, db):
    logdir = tmp_path / "logs"
    expected = {}
    for i, name in enumerate(("lr_0.1", "lr_0.01", "nested/lr_0.001")):
        writer = SummaryWriter(logdir / name)
        values = [1.0 / (s + 1 + i) for s in range(5)]
        for step, value in enumerate(values):
            writer.add_scalar("Loss/train", value, step)
            writer.add_scalar("Accuracy/val", 1 - value, step)
        writer.close()
        expected[name] = values
    result = CliRunner().invoke(cli, ["import", str(logdir), "--store", str(db)])
    assert result.exit_code == 0, result.output
    records = {r.name: r for r in fitscope.Store(db).runs()}
    assert set(records) == set(expected)
    for name, values in expected.items():
        np.testing.assert_allclose(records[name].history("loss").values, values, rtol=1e-6)
        assert records[name].history("accuracy", "val").steps.tolist() == list(range(5))
    every_view_works(db, records["lr_0.1"].id, tmp_path)


def test_keras_training_log_written_with_append_is_read_alike_by_import_and_doctor(tmp_path, db):
    path = tmp_path / "training.log"
    train, val = _curves()
    lines = ["epoch,loss,val_loss"]
    for epoch, (t, v) in enumerate(zip(train, val, strict=True)):
        if epoch == 15:
            lines.append("epoch,loss,val_loss")  # CSVLogger(append=True) after a restart
        lines.append(f"{epoch},{t},{v}")
    path.write_text("\n".join(lines) + "\n")
    (record,) = import_runs(path, store=db)
    assert record.history("loss", "val").steps.tolist() == list(range(1, 31))
    from_file = fitscope.diagnose(path)
    from_run = fitscope.diagnose(record.id, store=db)
    assert [f.code for f in from_file] == [f.code for f in from_run] == ["overfitting"]
    assert from_file[0].evidence["onset_epoch"] == from_run[0].evidence["onset_epoch"]
    result = CliRunner().invoke(cli, ["doctor", str(path)])
    assert result.exit_code == 0, result.output
    every_view_works(db, record.id, tmp_path)


def test_a_hugging_face_trainer_state_keeps_steps_and_epochs(tmp_path, db):
    history = []
    train, val = _curves(12)
    for i, (t, v) in enumerate(zip(train, val, strict=True)):
        step = (i + 1) * 20
        history.append({"epoch": (i + 1) / 2, "loss": t, "learning_rate": 1e-4, "step": step})
        history.append({"epoch": (i + 1) / 2, "eval_loss": v, "eval_runtime": 0.1, "step": step})
    state = {"global_step": 240, "num_train_epochs": 6, "log_history": history}
    folder = tmp_path / "checkpoint-240"
    folder.mkdir()
    (folder / "trainer_state.json").write_text(json.dumps(state))
    (record,) = import_runs(folder, store=db)
    assert record.history("loss", "val").steps.tolist() == [20 * (i + 1) for i in range(12)]
    assert record.history("epoch").values.tolist() == [(i + 1) / 2 for i in range(12)]
    every_view_works(db, record.id, tmp_path)


@pytest.mark.parametrize(
    "keys",
    [("recon_loss", "kl_loss"), ("total_loss",), ("xent",), ("weird_metric",)],
)
def test_runs_with_names_the_doctor_may_not_know(db, tmp_path, keys):
    train, val = _curves()
    with fitscope.init(store=db) as run:
        for t, v in zip(train, val, strict=True):
            run.log({k: t for k in keys} | {f"val_{k}": v for k in keys})
    findings = every_view_works(db, run.id, tmp_path)
    codes = [f["code"] for f in findings]
    if keys == ("weird_metric",):
        assert codes == ["not_judged"]
        assert "weird_metric" in findings[0]["evidence"]["keys"]
    else:
        assert codes == ["overfitting"]


def test_regression_predictions_get_regression_treatment(db, tmp_path):
    from sklearn.datasets import make_regression
    from sklearn.linear_model import SGDRegressor

    from fitscope.integrations.sklearn import track

    X, y = make_regression(200, 5, noise=5.0, random_state=0)
    model = track(
        SGDRegressor(random_state=0), X[:150], y[:150], validation_data=(X[150:], y[150:]),
        metrics=("mse", "r2"), epochs=8, store=db,
    )  # fmt: skip
    (record,) = fitscope.Store(db).runs()
    findings = every_view_works(db, record.id, tmp_path)
    # Regression findings or none, never the class-label checks (which used to fail here).
    codes = {f["code"] for f in findings}
    assert codes <= {"large_residuals", "worse_than_mean", "not_converged", "underfitting"}
    assert not codes & {"confident_mistakes", "class_imbalance", "miscalibration"}
    assert model.predict(X[150:]).shape == (50,)
