"""Training: the one loop that iterates, the solvers it drives and the observers it asks, and
:func:`split` (train, validation and test parts; also ``fitscope.split``).

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
from fitscope.train.splits import Part, Splits, split

__all__ = [
    "Decision",
    "EarlyStopping",
    "EpochEnd",
    "GradientStepper",
    "LoopResult",
    "NewtonStepper",
    "Observer",
    "Part",
    "Run",
    "Snapshot",
    "Splits",
    "iterate",
    "run_lbfgs",
    "split",
]
