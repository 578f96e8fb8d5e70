"""Recognise metric keys in the common styles and find each metric's direction.

Keras writes ``loss``, ``accuracy``, ``val_loss``, ``val_accuracy``; Lightning
``train_loss``, ``val_loss``, ``val_acc``, often with ``_epoch`` / ``_step`` suffixes; loggers
use ``train/loss`` or ``eval_loss``. Every key becomes a :class:`Key` (split, metric). The
direction comes from :func:`fitscope.metrics.describe`; ``loss`` (a model's training objective,
whatever it is) is the one name that is not a registered metric, and it is minimised by
definition.

>>> parse_key("val_acc_epoch")
Key(split='val', metric='accuracy', suffix='epoch', key='val_acc_epoch')
>>> parse_key("train/loss").split, parse_key("eval_loss").split, parse_key("loss").split
('train', 'val', 'train')
"""

from __future__ import annotations

import re
from typing import NamedTuple

from fitscope.errors import UnknownMetricError
from fitscope.metrics import describe

__all__ = ["Key", "direction", "parse_key"]

_SPLITS = {
    "train": "train",
    "training": "train",
    "val": "val",
    "valid": "val",
    "validation": "val",
    "eval": "val",
    "dev": "val",
    "test": "test",
}
_SUFFIXES = ("epoch", "step")
_ALIASES = {
    "acc": "accuracy",
    "categorical_accuracy": "accuracy",
    "sparse_categorical_accuracy": "accuracy",
    "binary_accuracy": "accuracy",
    "crossentropy": "log_loss",
    "categorical_crossentropy": "log_loss",
    "sparse_categorical_crossentropy": "log_loss",
    "binary_crossentropy": "log_loss",
    "nll": "log_loss",
    "nll_loss": "log_loss",
    "auc": "roc_auc",
    "f1_score": "f1",
    "mean_squared_error": "mse",
    "mean_absolute_error": "mae",
    "balanced_acc": "balanced_accuracy",
}
LOSS = "loss"


class Key(NamedTuple):
    """A recognised key: ``split`` ("train", "val", "test"), canonical ``metric`` name,
    Lightning-style ``suffix`` ("epoch", "step" or "") and the ``key`` as written."""

    split: str
    metric: str
    suffix: str
    key: str


def parse_key(key: str) -> Key:
    """Split a key into split, metric and suffix (an unprefixed key is a training value)."""
    tokens = [t for t in re.split(r"[_/.:\-\s]+", key.strip().lower()) if t]
    suffix = ""
    split = ""
    if tokens and tokens[-1] in _SUFFIXES and len(tokens) > 1:
        suffix = tokens.pop()
    if tokens and tokens[0] == "epoch" and len(tokens) > 1:  # TensorBoard's "epoch_loss"
        tokens.pop(0)
    if tokens and tokens[0] in _SPLITS and len(tokens) > 1:
        split = _SPLITS[tokens.pop(0)]
    elif tokens and tokens[-1] in _SPLITS and len(tokens) > 1:  # "loss_val", "accuracy/train"
        split = _SPLITS[tokens.pop()]
    name = "_".join(tokens)
    return Key(split or "train", _ALIASES.get(name, name), suffix, key)


def direction(metric: str) -> bool | None:
    """True if higher is better, False if lower is, None if fitscope does not know the metric
    (such a series is not diagnosed)."""
    if metric == LOSS:
        return False
    try:
        return describe(metric).higher_is_better
    except UnknownMetricError:
        return None
