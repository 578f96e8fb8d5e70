import json

import keras
import lightning.pytorch as pl
import numpy as np
import pytest
import torch
from click.testing import CliRunner
from tensorboard.plugins.scalar import summary_v2
from torch.utils.tensorboard import SummaryWriter

import fitscope
from fitscope.cli import cli
from fitscope.errors import InvalidInputError
from fitscope.integrations.importers import detect_format, import_logs

from .test_lightning import Classifier, _loader


def test_tensorboard_folder_in_keras_layout(tmp_path, store):
    """Keras writes train/ and validation/ folders with epoch_* tags as v2 tensor summaries,
    and batch_* tags for batch-level values; PyTorch users write tags like "Loss/train"."""
    logdir = tmp_path / "logs"
    for folder, losses in (("train", [0.9, 0.7, 0.6]), ("validation", [1.0, 0.8, 0.75])):
        writer = SummaryWriter(logdir / folder)
        for epoch, loss in enumerate(losses):
            # tensorboard's own v2 scalar summary, as tf.summary.scalar writes it.
            writer.file_writer.add_summary(summary_v2.scalar_pb("epoch_loss", loss), epoch)
            writer.add_scalar("epoch_accuracy", 0.5 + epoch / 10, epoch)  # v1 simple_value
        if folder == "train":
            writer.add_scalar("batch_loss", 1.2, 3)
        writer.close()
    record = import_logs(logdir, project="tb", store=store)
    assert record.status == "finished" and "imported" in record.tags
    assert record.config["format"] == "tensorboard"
    np.testing.assert_allclose(record.history("loss", "val").values, [1.0, 0.8, 0.75], rtol=1e-6)
    np.testing.assert_allclose(record.history("loss", "train").values, [0.9, 0.7, 0.6], rtol=1e-6)
    np.testing.assert_allclose(record.history("accuracy", "val").values, [0.5, 0.6, 0.7], rtol=1e-6)
    assert record.history("loss", "train_step").steps.tolist() == [3]


def test_tensorboard_tags_that_name_the_split(tmp_path, store):
    writer = SummaryWriter(tmp_path / "runs" / "exp1")
    for step in range(4):
        writer.add_scalar("Loss/train", 1.0 / (step + 1), step)
        writer.add_scalar("Loss/validation", 1.5 / (step + 1), step)
        writer.add_scalar("val_acc", step / 4, step)
    writer.close()
    record = import_logs(tmp_path / "runs", store=store)
    assert set(record.series()) == {("train", "loss"), ("val", "loss"), ("val", "accuracy")}
    np.testing.assert_allclose(record.history("loss", "val").values, [1.5, 0.75, 0.5, 0.375])


def test_keras_csv_logger_file(tmp_path, store):
    keras.utils.set_random_seed(0)
    x = np.random.default_rng(0).normal(size=(64, 3)).astype("float32")
    y = (x[:, 0] > 0).astype("int64")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    path = tmp_path / "training.csv"
    history = model.fit(
        x,
        y,
        validation_split=0.25,
        epochs=3,
        verbose=0,
        callbacks=[keras.callbacks.CSVLogger(str(path))],
    )
    assert detect_format(path) == "keras_csv"
    record = import_logs(path, store=store)
    for key, values in history.history.items():
        split, metric = ("val", key[4:]) if key.startswith("val_") else ("train", key)
        np.testing.assert_allclose(record.history(metric, split).values, values, rtol=1e-6)


def test_lightning_csv_logger_folder(tmp_path, store):
    torch.manual_seed(0)
    logger = pl.loggers.CSVLogger(tmp_path, name="lightning_logs")
    trainer = pl.Trainer(
        max_epochs=2,
        logger=logger,
        log_every_n_steps=2,
        enable_progress_bar=False,
        enable_model_summary=False,
        enable_checkpointing=False,
        num_sanity_val_steps=0,
    )
    trainer.fit(Classifier(lr=0.3), _loader(), _loader())
    folder = tmp_path / "lightning_logs" / "version_0"
    assert detect_format(folder) == "lightning_csv"
    record = import_logs(folder, project="pl", store=store)
    assert record.name == "version_0" and record.config["lr"] == 0.3
    assert set(record.series()) == {
        ("train", "loss"),
        ("train_step", "loss"),
        ("val", "loss"),
        ("val", "accuracy"),
    }
    assert record.history("loss", "val").steps.tolist() == [0, 1]
    last = trainer.logged_metrics
    assert record.history("loss", "val").values[-1] == pytest.approx(float(last["val_loss"]))
    assert record.history("loss", "train").values[-1] == pytest.approx(
        float(last["train_loss_epoch"])
    )


def test_hugging_face_trainer_state(tmp_path, store):
    # The layout transformers.TrainerState.save_to_json writes (transformers itself is too
    # heavy to install for a test): logging entries, evaluation entries, a closing summary.
    state = {
        "best_metric": None,
        "best_model_checkpoint": None,
        "epoch": 2.0,
        "eval_steps": 10,
        "global_step": 20,
        "is_hyper_param_search": False,
        "is_local_process_zero": True,
        "is_world_process_zero": True,
        "log_history": [
            {"epoch": 0.5, "grad_norm": 3.1, "learning_rate": 4e-05, "loss": 0.69, "step": 5},
            {"epoch": 1.0, "grad_norm": 2.5, "learning_rate": 3e-05, "loss": 0.55, "step": 10},
            {
                "epoch": 1.0,
                "eval_accuracy": 0.71,
                "eval_loss": 0.58,
                "eval_runtime": 0.4,
                "eval_samples_per_second": 250.0,
                "eval_steps_per_second": 32.0,
                "step": 10,
            },
            {"epoch": 2.0, "grad_norm": 2.0, "learning_rate": 1e-05, "loss": 0.41, "step": 20},
            {
                "epoch": 2.0,
                "eval_accuracy": 0.78,
                "eval_loss": 0.49,
                "eval_runtime": 0.4,
                "eval_samples_per_second": 250.0,
                "eval_steps_per_second": 32.0,
                "step": 20,
            },
            {
                "epoch": 2.0,
                "step": 20,
                "total_flos": 1.2e12,
                "train_loss": 0.55,
                "train_runtime": 9.1,
                "train_samples_per_second": 44.0,
                "train_steps_per_second": 2.2,
            },
        ],
        "logging_steps": 5,
        "max_steps": 20,
        "num_input_tokens_seen": 0,
        "num_train_epochs": 2,
        "save_steps": 500,
        "stateful_callbacks": {},
        "total_flos": 1.2e12,
        "train_batch_size": 8,
        "trial_name": None,
        "trial_params": None,
    }
    path = tmp_path / "checkpoint-20" / "trainer_state.json"
    path.parent.mkdir()
    path.write_text(json.dumps(state, indent=2))
    record = import_logs(path.parent, store=store)
    assert record.config["num_train_epochs"] == 2
    assert set(record.series()) == {
        ("train", "loss"),
        ("train", "grad_norm"),
        ("train", "learning_rate"),
        ("train", "epoch"),
        ("val", "loss"),
        ("val", "accuracy"),
        ("val", "epoch"),
    }
    # Steps are optimizer steps; the epoch of each step is kept beside them.
    assert record.history("epoch").steps.tolist() == [5, 10, 20]
    assert record.history("epoch").values.tolist() == [0.5, 1.0, 2.0]
    assert record.key("loss", "val") == "eval_loss"
    assert record.history("loss").values.tolist() == [0.69, 0.55, 0.41]
    assert record.history("loss", "val").steps.tolist() == [10, 20]
    assert record.history("accuracy", "val").values.tolist() == [0.71, 0.78]


def test_cli_import(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("epoch,loss,val_loss\n0,0.9,1.0\n1,0.7,0.8\n")
    db = tmp_path / "runs.db"
    result = CliRunner().invoke(cli, ["import", str(path), "--project", "p", "--store", str(db)])
    assert result.exit_code == 0, result.output
    assert "2 series, 4 points" in result.output
    (record,) = fitscope.Store(db).runs(project="p")
    assert record.history("loss", "val").values.tolist() == [1.0, 0.8]
    empty = tmp_path / "empty"
    empty.mkdir()
    result = CliRunner().invoke(cli, ["import", str(empty), "--store", str(db)])
    assert result.exit_code == 1 and "holds none of them" in result.output


def test_unknown_files_are_refused(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    with pytest.raises(InvalidInputError, match="path must be a TensorBoard event file"):
        detect_format(path)


def test_an_event_file_still_being_written_keeps_its_complete_records(tmp_path):
    writer = SummaryWriter(tmp_path / "run")
    for step in range(5):
        writer.add_scalar("loss", float(step), step)
    writer.close()
    (file,) = (tmp_path / "run").iterdir()
    file.write_bytes(file.read_bytes()[:-7])  # the last record cut short
    from fitscope.integrations.importers import read_logs

    assert read_logs(tmp_path / "run")[("train", "loss")] == {0: 0.0, 1: 1.0, 2: 2.0, 3: 3.0}
