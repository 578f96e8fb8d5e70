"""Key names in the common styles (the one parser, fitscope._names.parse_key), and metric
directions from the metrics engine."""

from __future__ import annotations

import numpy as np
import pytest

import fitscope
from fitscope._names import direction, is_held_out, parse_key


@pytest.mark.parametrize(
    ("key", "split", "metric"),
    [
        ("loss", "train", "loss"),
        ("val_loss", "val", "loss"),
        ("accuracy", "train", "accuracy"),
        ("val_accuracy", "val", "accuracy"),
        ("train_loss", "train", "loss"),
        ("val_acc", "val", "accuracy"),
        ("val_acc_epoch", "val", "accuracy"),
        ("train_loss_step", "train_step", "loss"),
        ("loss_val", "val", "loss"),
        ("Loss_train", "train", "loss"),
        ("Loss/train", "train", "loss"),
        ("val/loss", "val", "loss"),
        ("train_loss_epoch", "train", "loss"),
        ("training loss", "train", "loss"),
        ("total_loss", "train", "loss"),
        ("acc", "train", "accuracy"),
        ("nll", "train", "log_loss"),
        ("ce", "train", "log_loss"),
        ("xent", "train", "log_loss"),
        ("valid/xent", "val", "log_loss"),
        ("batch_loss", "train_step", "loss"),
        ("train/loss", "train", "loss"),
        ("eval_loss", "val", "loss"),
        ("validation/accuracy", "val", "accuracy"),
        ("test_acc", "test", "accuracy"),
        ("epoch_loss", "train", "loss"),
        ("loss/val", "val", "loss"),
        ("val_sparse_categorical_accuracy", "val", "accuracy"),
        ("val_binary_crossentropy", "val", "log_loss"),
        ("Val-AUC", "val", "roc_auc"),
    ],
)
def test_keys_in_the_common_styles(key: str, split: str, metric: str) -> None:
    parsed = parse_key(key)
    assert (parsed.split, parsed.metric) == (split, metric)


def test_directions_come_from_the_metrics_engine() -> None:
    assert direction("loss") is False
    for name in ("accuracy", "log_loss", "roc_auc", "mse", "f1"):
        assert direction(name) is fitscope.metrics.describe(name).higher_is_better
    assert direction("learning_rate") is None  # not a metric: not diagnosed
    assert direction("recon_loss") is False and direction("kl_loss") is False


def test_unknown_splits_are_held_out_only_beside_a_training_split() -> None:
    for split in ("holdout", "oof", "cv", "val_0", "validation_0", "valid_1"):
        assert is_held_out(split, {"train", split})
        assert not is_held_out(split, {split})
    assert not is_held_out("train_step", {"train", "train_step"})
    assert is_held_out("val", {"val"})


def lightning_style(n: int = 40) -> dict[str, list[float]]:
    e = np.arange(1, n + 1)
    val = 0.35 + 0.35 * np.exp(-e / 4) + 0.01 * np.maximum(0, e - 15)
    return {
        "train_loss_step": list(0.7 * np.exp(-e / 10) + 0.05),  # ignored: _epoch wins
        "train_loss_epoch": list(0.7 * np.exp(-e / 10)),
        "val_loss": list(val),
        "val_acc": list(0.9 - 0.3 * np.exp(-e / 4)),
        "lr-Adam": [0.001] * n,
    }


def test_lightning_keys_are_diagnosed_like_keras_keys() -> None:
    found = {f.code: f for f in fitscope.diagnose(lightning_style())}
    assert set(found) == {"overfitting", "loss_accuracy_disagreement"}
    assert found["loss_accuracy_disagreement"].evidence["accuracy_key"] == "val_acc"


def test_a_keras_history_object_and_prefixed_keys() -> None:
    class KerasHistory:  # what keras.callbacks.History exposes: a dict in .history
        def __init__(self, history: dict[str, list[float]]) -> None:
            self.history = history

    h = lightning_style()
    renamed = {
        "train/loss": h["train_loss_epoch"],
        "eval/loss": h["val_loss"],
        "eval/accuracy": h["val_acc"],
    }
    assert [f.code for f in fitscope.diagnose(KerasHistory(renamed))] == [
        "overfitting",
        "loss_accuracy_disagreement",
    ]


def test_no_loss_curve_is_said_not_raised() -> None:
    (finding,) = fitscope.diagnose({"accuracy": [0.5, 0.6], "lr": [0.1, 0.1]})
    assert (finding.code, finding.severity) == ("not_judged", "info")
    assert finding.evidence["keys"] == "accuracy, lr"
    assert fitscope.diagnose({"accuracy": [0.5]}, lang="ru")[0].title == "Кривые не оценены"


def test_unknown_loss_names_get_the_generic_curve_rules() -> None:
    h = lightning_style()
    vae = {"recon_loss": h["train_loss_epoch"], "val_recon_loss": h["val_loss"]}
    assert [f.code for f in fitscope.diagnose(vae)] == ["overfitting"]
    with pytest.raises(TypeError, match="source must be a dict of per-epoch lists"):
        fitscope.diagnose(42)
    with pytest.raises(TypeError, match=r"source\['loss'\] must be a list"):
        fitscope.diagnose({"loss": 0.5})


def test_a_dataframe_of_epochs() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(lightning_style())
    assert [f.code for f in fitscope.diagnose(frame)] == [
        "overfitting",
        "loss_accuracy_disagreement",
    ]
