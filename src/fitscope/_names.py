"""The one vocabulary for metric names that other tools write: which words name a split, which
names are fitscope metrics under another name, and which way is better for a name.

The doctor (reading any history), the integrations and importers (filing a framework's values),
and the tracking summary (best values) all read names through these tables, so the same key
means the same thing everywhere.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from fitscope.errors import UnknownMetricError
from fitscope.metrics import describe

__all__ = [
    "EPOCH_FORMAT_TAGS",
    "EPOCH_METRIC",
    "EPOCH_TAG",
    "LOSS",
    "METRIC_ALIASES",
    "SPLIT_WORDS",
    "Name",
    "canonical_metric",
    "direction",
    "is_held_out",
    "parse_key",
    "split_of",
]

#: Words that name a split, and the split fitscope files them under.
SPLIT_WORDS = {
    "train": "train",
    "training": "train",
    "val": "val",
    "valid": "val",
    "validation": "val",
    "eval": "val",
    "evaluation": "val",
    "dev": "val",
    "test": "test",
}

#: Other tools' names for metrics fitscope knows under another name (the same quantity).
METRIC_ALIASES = {
    # Keras, Lightning, torchmetrics
    "acc": "accuracy",
    "categorical_accuracy": "accuracy",
    "sparse_categorical_accuracy": "accuracy",
    "binary_accuracy": "accuracy",
    "balanced_acc": "balanced_accuracy",
    "crossentropy": "log_loss",
    "categorical_crossentropy": "log_loss",
    "sparse_categorical_crossentropy": "log_loss",
    "binary_crossentropy": "log_loss",
    "nll": "log_loss",
    "nll_loss": "log_loss",
    "f1_score": "f1",
    "mean_squared_error": "mse",
    "mean_absolute_error": "mae",
    # XGBoost and LightGBM
    "logloss": "log_loss",
    "mlogloss": "log_loss",
    "binary_logloss": "log_loss",
    "multi_logloss": "log_loss",
    "auc": "roc_auc",
    "error": "zero_one_loss",
    "merror": "zero_one_loss",
    "binary_error": "zero_one_loss",
    "multi_error": "zero_one_loss",
    "l2": "mse",
    "l1": "mae",
    # PyTorch scripts and tutorials
    "total_loss": "loss",
    "running_loss": "loss",
    "avg_loss": "loss",
    "mean_loss": "loss",
    "ce": "log_loss",
    "ce_loss": "log_loss",
    "xent": "log_loss",
    "cross_entropy": "log_loss",
    "cross_entropy_loss": "log_loss",
    "crossentropyloss": "log_loss",
    "nllloss": "log_loss",
    "bce": "log_loss",
    "bce_loss": "log_loss",
    "mse_loss": "mse",
    "mseloss": "mse",
    "l1_loss": "mae",
}

#: Words that say a value is per step or per epoch: Lightning's ``_step`` / ``_epoch``
#: suffixes, and Keras' TensorBoard prefixes ``epoch_`` / ``batch_``.
LEVEL_SUFFIXES = {"epoch": "epoch", "step": "step"}
LEVEL_PREFIXES = {"epoch": "epoch", "batch": "step"}

#: The model's training objective, whatever it is: minimised by definition, and the one name
#: that is not a registered metric.
LOSS = "loss"


def canonical_metric(name: str) -> str:
    """A metric's fitscope name: lower case, known aliases renamed.

    >>> canonical_metric("acc"), canonical_metric("logloss"), canonical_metric("Loss")
    ('accuracy', 'log_loss', 'loss')
    """
    lower = name.lower()
    return METRIC_ALIASES.get(lower, lower)


def direction(metric: str) -> bool | None:
    """True if higher is better, False if lower is, None when fitscope does not know the name
    (then no "best" value is reported and the doctor leaves the series alone).

    A name whose last word is "loss" (``recon_loss``, ``kl_loss``) is a loss: minimised.

    >>> direction("loss"), direction("val_acc"), direction("acc"), direction("lr")
    (False, None, True, None)
    >>> direction("recon_loss")
    False
    """
    name = canonical_metric(metric)
    if name == LOSS or name.endswith("_loss"):
        return False
    try:
        return describe(name).higher_is_better
    except UnknownMetricError:
        return None


def split_of(word: str) -> str | None:
    """The split a word names (``"validation"`` -> ``"val"``), or None.

    >>> split_of("valid"), split_of("validation_1"), split_of("weights")
    ('val', None, None)
    """
    return SPLIT_WORDS.get(word.strip().lower())


def is_held_out(split: str, splits: object) -> bool:
    """Whether the doctor treats ``split`` as held-out data: "val" and "test", and any split
    the vocabulary does not know ("holdout", "oof", "cv", "val_0", "validation_1") when the
    run also has a "train" split. Step-level splits ("train_step") never are.

    >>> is_held_out("holdout", ["train", "holdout"]), is_held_out("holdout", ["holdout"])
    (True, False)
    """
    if split in ("val", "test"):
        return True
    if split == "train" or split.endswith("_step"):
        return False
    return "train" in splits  # type: ignore[operator]


class Name(NamedTuple):
    """A key read into fitscope's terms: ``split`` ("train", "val", "test"; a step-level
    value's split ends in ``_step``), canonical ``metric``, ``level`` ("epoch", "step" or None:
    what the name itself says) and the ``key`` as written, kept for display."""

    split: str
    metric: str
    level: str | None
    key: str


# Separators between the words of a key: "/" (wandb, TensorBoard), "_", ".", "-", ":" and
# spaces (the PyTorch tutorial's "training loss").
_SEP = re.compile(r"[\s/_.:\-]+")


@lru_cache(maxsize=4096)
def parse_key(key: str, default_split: str = "train") -> Name:
    """Read a key another tool wrote into (split, metric), the one parser every entry uses.

    Rules, in order, over the key's words: a last word ``step`` / ``epoch`` (Lightning) or a
    first word ``epoch`` / ``batch`` (Keras' TensorBoard) sets the level; then a first word
    that names a split (``val_loss``, ``train/loss``, ``training loss``) or else a last one
    (``loss_val``, ``Loss/train``) gives the split; a key with neither is ``default_split``'s.
    The remaining words, joined by ``_`` and lower-cased, are the metric, with known aliases
    renamed (``acc`` -> ``accuracy``, ``total_loss`` -> ``loss``, ``xent`` -> ``log_loss``).
    A step-level value's split is ``<split>_step``: it is never mixed with per-epoch values.

    >>> parse_key("val/loss")
    Name(split='val', metric='loss', level=None, key='val/loss')
    >>> parse_key("train_loss_step").split, parse_key("Loss/train").split
    ('train_step', 'train')
    >>> parse_key("training loss").metric, parse_key("val_acc_epoch")[:3]
    ('loss', ('val', 'accuracy', 'epoch'))
    """
    words = [w for w in _SEP.split(key.strip().lower()) if w]
    level: str | None = None
    if len(words) > 1 and words[-1] in LEVEL_SUFFIXES:
        level = LEVEL_SUFFIXES[words.pop()]
    elif len(words) > 1 and words[0] in LEVEL_PREFIXES:
        level = LEVEL_PREFIXES[words.pop(0)]
    split = default_split
    if len(words) > 1 and words[0] in SPLIT_WORDS:
        split = SPLIT_WORDS[words.pop(0)]
    elif len(words) > 1 and words[-1] in SPLIT_WORDS:
        split = SPLIT_WORDS[words.pop()]
    metric = canonical_metric("_".join(words) or key.strip().lower())
    if level == "step" and not split.endswith("_step"):
        split = f"{split}_step"
    return Name(split, metric, level, key)


#: The series under which ``run.log(..., n=N)`` stores how many samples a split's values were
#: computed on. It travels with the points like any series; the curve views and the doctor's
#: curve rules leave it out, and the doctor reads its last value as the split's size.
SIZE_METRIC = "n"

#: The series in which a run keeps the epoch each step fell in (Hugging Face's ``epoch``, a
#: loop's ``run.log({"epoch": e, ...})``): the x-axis "epoch" of the charts, and the doctor's
#: map from a step to the framework's epoch.
EPOCH_METRIC = "epoch"

#: The tag of a run whose steps are epochs (numbered as its framework numbers them): the
#: built-in trainers, the Keras, Lightning, XGBoost, LightGBM and scikit-learn hooks and the
#: Keras / Lightning CSV importers set it; a user's own per-epoch loop may too
#: (``fitscope.init(tags=["steps=epochs"])``). Without it (and without an ``epoch`` series) the
#: doctor calls a run's steps steps. See docs/doctor.md, "Epochs or steps".
EPOCH_TAG = "steps=epochs"
#: Tags of runs imported before EPOCH_TAG existed whose steps are epochs (their format).
EPOCH_FORMAT_TAGS = ("keras_csv", "lightning_csv")
