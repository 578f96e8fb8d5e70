"""The one vocabulary for metric names that other tools write: which words name a split, which
names are fitscope metrics under another name, and which way is better for a name.

The doctor (reading any history), the integrations and importers (filing a framework's values),
and the tracking summary (best values) all read names through these tables, so the same key
means the same thing everywhere.
"""

from __future__ import annotations

from fitscope.errors import UnknownMetricError
from fitscope.metrics import describe

__all__ = ["LOSS", "METRIC_ALIASES", "SPLIT_WORDS", "canonical_metric", "direction"]

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
}

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

    >>> direction("loss"), direction("val_acc"), direction("acc"), direction("lr")
    (False, None, True, None)
    """
    name = canonical_metric(metric)
    if name == LOSS:
        return False
    try:
        return describe(name).higher_is_better
    except UnknownMetricError:
        return None


#: The series under which ``run.log(..., n=N)`` stores how many samples a split's values were
#: computed on. It travels with the points like any series; the curve views and the doctor's
#: curve rules leave it out, and the doctor reads its last value as the split's size.
SIZE_METRIC = "n"
