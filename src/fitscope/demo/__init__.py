"""What ``fitscope demo`` computes: the loss-versus-accuracy story, without printing.

- :mod:`._worked`: three people and a logistic model; gradient descent, Adam and Newton on
  their loss; the loss and accuracy surfaces over the two coefficients.
- :mod:`._overfit`: a tracked run on the bundled digits that overfits, with early stopping.
- :mod:`._pitfalls`: an imbalanced task where accuracy only matches the baseline, and a few
  confident mistakes behind a high accuracy and a large loss.

The command ``fitscope demo`` (:mod:`fitscope.cli.demo`) renders these results.
"""

from __future__ import annotations

from fitscope.demo._digits import load_digits
from fitscope.demo._overfit import OverfitRun, overfit_run
from fitscope.demo._pitfalls import Case, confident_mistakes_case, imbalance_case, summarise
from fitscope.demo._worked import (
    LossOptimum,
    SolverTrace,
    Surfaces,
    WorkedExample,
    loss_optimum,
    solver_traces,
    surfaces,
    worked_example,
)

__all__ = [
    "Case",
    "LossOptimum",
    "OverfitRun",
    "SolverTrace",
    "Surfaces",
    "WorkedExample",
    "confident_mistakes_case",
    "imbalance_case",
    "load_digits",
    "loss_optimum",
    "overfit_run",
    "solver_traces",
    "summarise",
    "surfaces",
    "worked_example",
]
