"""run.log without split= reads each key with the one parser; the key as written is kept."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest

import fitscope
from fitscope.errors import InvalidInputError


@pytest.fixture
def store(tmp_path: pathlib.Path) -> fitscope.Store:
    return fitscope.Store(tmp_path / "runs.db")


@pytest.mark.parametrize(
    ("key", "split", "metric"),
    [
        ("train/loss", "train", "loss"),
        ("val/loss", "val", "loss"),
        ("val_loss", "val", "loss"),
        ("loss_val", "val", "loss"),
        ("Loss/train", "train", "loss"),
        ("Loss_train", "train", "loss"),
        ("train_loss_epoch", "train", "loss"),
        ("train_loss_step", "train_step", "loss"),
        ("acc", "train", "accuracy"),
        ("val_acc", "val", "accuracy"),
        ("training loss", "train", "loss"),
        ("total_loss", "train", "loss"),
        ("nll", "train", "log_loss"),
        ("ce", "train", "log_loss"),
        ("xent", "train", "log_loss"),
        ("eval/accuracy", "val", "accuracy"),
        ("validation/loss", "val", "loss"),
        ("test/loss", "test", "loss"),
    ],
)
def test_keys_land_in_their_split_and_keep_their_name(store, key, split, metric):
    run = fitscope.init(store=store)
    run.log({key: 0.5})
    run.log({key: 0.25})
    run.finish()
    record = store.get_run(run.id)
    assert record.series() == [(split, metric)]
    history = record.history(metric, split)
    assert history.steps.tolist() == [0, 1] and history.values.tolist() == [0.5, 0.25]
    assert record.key(metric, split) == key


def test_one_call_is_one_step_across_splits_as_in_wandb(store):
    run = fitscope.init(store=store)
    for step in range(3):
        run.log({"train/loss": 1.0 / (step + 1)})
    run.log({"train/loss": 0.2, "val/loss": 0.3})
    run.finish()
    record = store.get_run(run.id)
    assert record.history("loss", "train").steps.tolist() == [0, 1, 2, 3]
    assert record.history("loss", "val").steps.tolist() == [3]


def test_an_explicit_split_takes_the_key_literally(store):
    run = fitscope.init(store=store)
    run.log({"val/loss": 0.5}, split="train")
    run.finish()
    assert store.get_run(run.id).series() == [("train", "val/loss")]


def test_two_keys_for_one_series_are_refused_at_the_call(store):
    run = fitscope.init(store=store)
    with pytest.raises(InvalidInputError, match=r"values must name each series once.*split="):
        run.log({"loss": 0.5, "train/loss": 0.4})
    run.finish()


def test_the_doctor_reads_a_wandb_style_run(store):
    e = np.arange(1, 41)
    run = fitscope.init(store=store)
    for t, v in zip(
        0.7 * np.exp(-e / 10),
        0.35 + 0.35 * np.exp(-e / 4) + 0.01 * np.maximum(0, e - 15),
        strict=True,
    ):
        run.log({"train/loss": t, "val/loss": v})
    run.finish()
    (finding,) = fitscope.diagnose(store.get_run(run.id))
    assert finding.code == "overfitting" and finding.evidence["split"] == "val"


@pytest.mark.parametrize("split", ["holdout", "oof", "cv", "val_0", "validation_0", "valid_1"])
def test_unknown_held_out_splits_are_judged_beside_train(store, split):
    e = np.arange(1, 41)
    run = fitscope.init(store=store)
    for t, v in zip(
        0.7 * np.exp(-e / 10),
        0.35 + 0.35 * np.exp(-e / 4) + 0.01 * np.maximum(0, e - 15),
        strict=True,
    ):
        run.log({"loss": t}, split="train")
        run.log({"loss": v}, split=split)
    run.finish()
    (finding,) = fitscope.diagnose(store.get_run(run.id))
    assert finding.code == "overfitting" and finding.evidence["split"] == split


def test_mixing_calls_with_and_without_split_never_repeats_a_step(store):
    run = fitscope.init(store=store)
    run.log({"loss": 1.0})
    run.log({"loss": 0.9}, split="train")
    run.log({"loss": 0.8})
    run.finish()
    assert store.get_run(run.id).history("loss").steps.tolist() == [0, 1, 2]
