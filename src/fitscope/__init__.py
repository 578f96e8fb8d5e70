"""fitscope: watch and understand loss and accuracy.

The public API is curated here; importing fitscope imports no optional dependency.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from fitscope import errors, metrics, models, optim, track, train
from fitscope.diagnosis import diagnose
from fitscope.doctor import Finding, explain
from fitscope.errors import (
    FitscopeError,
    InvalidInputError,
    InvalidTypeError,
    MissingDependencyError,
    NotFittedError,
    RunNotFoundError,
    SeparableDataWarning,
    StoreError,
    TrainingDivergedError,
    UnknownMetricError,
)
from fitscope.metrics import Evaluator, evaluate, metric
from fitscope.models import LinearRegression, LogisticRegression, SoftmaxRegression
from fitscope.stats.compare import compare
from fitscope.track import History, PredictionSnapshot, Run, RunRecord, Store, init
from fitscope.train._split import Splits, split

try:
    __version__ = version("fitscope")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"

__all__ = [
    "Evaluator",
    "Finding",
    "FitscopeError",
    "History",
    "InvalidInputError",
    "InvalidTypeError",
    "LinearRegression",
    "LogisticRegression",
    "MissingDependencyError",
    "NotFittedError",
    "PredictionSnapshot",
    "Run",
    "RunNotFoundError",
    "RunRecord",
    "SeparableDataWarning",
    "SoftmaxRegression",
    "Splits",
    "Store",
    "StoreError",
    "TrainingDivergedError",
    "UnknownMetricError",
    "__version__",
    "compare",
    "diagnose",
    "errors",
    "evaluate",
    "explain",
    "init",
    "metric",
    "metrics",
    "models",
    "optim",
    "split",
    "track",
    "train",
]
