"""Training: the one loop that iterates, the solvers it drives and the observers it asks.

See :mod:`fitscope.train.loop` for the epoch-end path every solver shares and
:mod:`fitscope.train.solvers` for the solvers.
"""

from __future__ import annotations

from fitscope.train.loop import (
    Decision,
    EarlyStopping,
    EpochEnd,
    LoopResult,
    Observer,
    Run,
    Snapshot,
    iterate,
)
from fitscope.train.solvers import GradientStepper, NewtonStepper, run_lbfgs

__all__ = [
    "Decision",
    "EarlyStopping",
    "EpochEnd",
    "GradientStepper",
    "LoopResult",
    "NewtonStepper",
    "Observer",
    "Run",
    "Snapshot",
    "iterate",
    "run_lbfgs",
]
