"""fitscope: watch and understand loss and accuracy.

The public API is curated here; importing fitscope imports no optional dependency. The
metrics, their errors and the optimizers' update rules load with the package; the estimators
and trainers (scipy.optimize), the store and run tracking (SQLAlchemy) and the doctor load on
first use (PEP 562 module ``__getattr__``), so ``import fitscope; fitscope.metrics.accuracy``
pays for neither.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from fitscope import errors, metrics, optim
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

if TYPE_CHECKING:  # what the lazy names below resolve to, for type checkers and readers
    from fitscope import doctor as doctor  # a public subpackage, not in __all__ (as before)
    from fitscope import models, track, train
    from fitscope.diagnosis import diagnose
    from fitscope.doctor import Finding, explain
    from fitscope.models import LinearRegression, LogisticRegression, SoftmaxRegression
    from fitscope.stats.compare import compare
    from fitscope.track import History, PredictionSnapshot, Run, RunRecord, Store, init
    from fitscope.train import Splits, split

if TYPE_CHECKING:
    __version__: str

#: Public names loaded on first use: name -> the module that defines it (a module itself when
#: the name is the module's last part).
_LAZY: dict[str, str] = {
    "doctor": "fitscope.doctor",
    "models": "fitscope.models",
    "track": "fitscope.track",
    "train": "fitscope.train",
    "Finding": "fitscope.doctor",
    "diagnose": "fitscope.diagnosis",
    "explain": "fitscope.doctor",
    "LinearRegression": "fitscope.models",
    "LogisticRegression": "fitscope.models",
    "SoftmaxRegression": "fitscope.models",
    "History": "fitscope.track",
    "PredictionSnapshot": "fitscope.track",
    "Run": "fitscope.track",
    "RunRecord": "fitscope.track",
    "Store": "fitscope.track",
    "init": "fitscope.track",
    "Splits": "fitscope.train",
    "split": "fitscope.train",
    "compare": "fitscope.stats.compare",
}

if not TYPE_CHECKING:  # type checkers see the imports above, not an any-name __getattr__

    def __getattr__(name: str) -> Any:
        if name == "__version__":  # importlib.metadata alone costs a third of the import
            globals()[name] = _version()
            return globals()[name]
        where = _LAZY.get(name)
        if where is None:
            raise AttributeError(f"module 'fitscope' has no attribute {name!r}")
        module = import_module(where)
        value = module if where == f"fitscope.{name}" else getattr(module, name)
        globals()[name] = value  # later look-ups are plain attribute reads
        return value


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("fitscope")
    except PackageNotFoundError:  # pragma: no cover - a source tree without install
        return "0+unknown"


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY) | {"__version__"})


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
