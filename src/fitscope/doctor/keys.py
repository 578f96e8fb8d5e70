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

from fitscope._names import LOSS, METRIC_ALIASES, SPLIT_WORDS, direction

__all__ = ["LOSS", "Key", "direction", "parse_key"]

_SUFFIXES = ("epoch", "step")


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
    if tokens and tokens[0] in SPLIT_WORDS and len(tokens) > 1:
        split = SPLIT_WORDS[tokens.pop(0)]
    elif tokens and tokens[-1] in SPLIT_WORDS and len(tokens) > 1:  # "loss_val", "accuracy/train"
        split = SPLIT_WORDS[tokens.pop()]
    name = "_".join(tokens)
    return Key(split or "train", METRIC_ALIASES.get(name, name), suffix, key)
