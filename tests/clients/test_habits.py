"""wandb and MLflow users' scripts, unchanged but for the import line, record real runs."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from click.testing import CliRunner

import fitscope
from fitscope.cli import cli
from fitscope.errors import InvalidInputError

from .conftest import every_view_works

WANDB_SCRIPT = """
import math
import fitscope as wandb

run = wandb.init(project="habits", name="wandb-style", config={"lr": 0.01},
                 tags=["baseline"], notes="first try", group="cnn", job_type="train",
                 mode="offline", store=STORE)
wandb.config.batch_size = 32
wandb.config["epochs"] = 30
wandb.config.update({"optimizer": "sgd"})
for epoch in range(30):
    train = 0.7 * math.exp(-epoch / 8)
    val = 0.35 + 0.35 * math.exp(-epoch / 4) + 0.01 * max(0, epoch - 12)
    wandb.log({"train/loss": train}, commit=False)
    wandb.log({"val/loss": val, "val/acc": 0.9 - 0.3 * math.exp(-epoch / 4)})
wandb.summary["best_val_loss"] = 0.4
run.summary["note"] = "kept"
wandb.finish()
print(run.id)
"""


def test_a_wandb_script_with_only_its_import_changed(db, tmp_path):
    script = WANDB_SCRIPT.replace("STORE", repr(str(db)))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    run_id = done.stdout.strip()
    store = fitscope.Store(db)
    record = store.get_run(run_id)
    assert record.status == "finished" and record.tags == ["baseline"]
    assert record.config == {
        "lr": 0.01,
        "batch_size": 32,
        "epochs": 30,
        "optimizer": "sgd",
        "fitscope.notes": "first try",
        "fitscope.group": "cnn",
        "fitscope.job_type": "train",
    }
    assert set(record.series()) == {("train", "loss"), ("val", "loss"), ("val", "accuracy")}
    # commit=False: the train value joins the next call's step, so the steps agree.
    train, val = record.history("loss", "train"), record.history("loss", "val")
    assert train.steps.tolist() == val.steps.tolist() == list(range(30))
    np.testing.assert_allclose(train.values, [0.7 * np.exp(-e / 8) for e in range(30)])
    assert record.key("accuracy", "val") == "val/acc"
    assert store.user_summary(run_id) == {"best_val_loss": 0.4, "note": "kept"}
    findings = every_view_works(db, run_id, tmp_path)
    assert findings[0]["code"] == "overfitting"
    assert findings[0]["evidence"]["split"] == "val"


def test_an_mlflow_style_script(db, tmp_path):
    from fitscope import mlflow

    mlflow.set_tracking_uri(db)
    mlflow.set_experiment("habits")
    with mlflow.start_run(run_name="mlflow-style", tags={"team": "vision"}) as run:
        mlflow.log_param("lr", 0.01)
        mlflow.log_params({"epochs": 20, "model": "mlp"})
        for epoch in range(20):
            mlflow.log_metric("train_loss", 1.0 / (epoch + 1), step=epoch)
            mlflow.log_metrics(
                {"val_loss": 1.2 / (epoch + 1), "val_accuracy": epoch / 20}, step=epoch
            )
        mlflow.set_tag("stage", "dev")
    record = fitscope.Store(db).get_run(run.id)
    assert record.project == "habits" and record.name == "mlflow-style"
    assert record.status == "finished" and mlflow.active_run() is None
    assert record.config == {"lr": 0.01, "epochs": 20, "model": "mlp"}
    assert record.tags == ["stage=dev", "team=vision"]
    assert set(record.series()) == {("train", "loss"), ("val", "loss"), ("val", "accuracy")}
    assert record.history("loss", "val").values.tolist() == [1.2 / (e + 1) for e in range(20)]
    assert record.key("loss", "train") == "train_loss"
    findings = every_view_works(db, run.id, tmp_path)
    assert "overfitting" not in [f["code"] for f in findings]


def test_end_run_failed_and_a_second_start_run_is_refused(db):
    from fitscope import mlflow

    mlflow.set_tracking_uri(db)
    run = mlflow.start_run()
    with pytest.raises(InvalidInputError, match="start_run must not be called while a run"):
        mlflow.start_run()
    mlflow.end_run("FAILED")
    assert fitscope.Store(db).get_run(run.id).status == "failed"


def test_disabled_mode_records_nothing(db):
    run = fitscope.init(mode="disabled", store=db, config={"a": 1})
    fitscope.log({"loss": 1.0})
    fitscope.config.b = 2
    assert dict(run.config) == {"a": 1, "b": 2}
    fitscope.finish()
    assert not db.exists()


def test_id_and_resume_as_in_wandb(db):
    run = fitscope.init(id="abc123", store=db)
    fitscope.log({"loss": 1.0})
    fitscope.finish()
    with pytest.raises(InvalidInputError, match="resume='allow'"):
        fitscope.init(id="abc123", store=db)
    again = fitscope.init(id="abc123", resume="allow", store=db)
    assert again.id == run.id == "abc123"
    fitscope.log({"loss": 0.5})
    fitscope.finish()
    assert fitscope.Store(db).get_run("abc123").history("loss").steps.tolist() == [0, 1]
    with pytest.raises(InvalidInputError, match="resume='must'"):
        fitscope.init(id="nope", resume="must", store=db)
    with pytest.raises(InvalidInputError, match="mode must be one of"):
        fitscope.init(mode="cloud", store=db)


def test_tags_can_be_removed(db):
    with fitscope.init(store=db, tags=["a", "b", "c"]) as run:
        run.log({"loss": 1.0})
    store = fitscope.Store(db)
    store.untag_run(run.id, "a")
    assert store.get_run(run.id).tags == ["b", "c"]
    result = CliRunner().invoke(cli, ["runs", "untag", run.id[:8], "b", "--store", str(db)])
    assert result.exit_code == 0, result.output
    assert store.get_run(run.id).tags == ["c"]
    with pytest.raises(InvalidInputError, match="tags must be tags the run carries"):
        store.untag_run(run.id, "zzz")


def test_config_changes_on_a_run_are_saved(db):
    run = fitscope.init(store=db)
    run.config["lr"] = 0.1
    run.config.momentum = 0.9
    del run.config["lr"]
    run.finish()
    assert fitscope.Store(db).get_run(run.id).config == {"momentum": 0.9}
