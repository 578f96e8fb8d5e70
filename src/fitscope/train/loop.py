"""The one loop that iterates, and what happens at the end of every epoch.

A solver advances the parameters one epoch at a time and hands back a :class:`Snapshot`; the
:class:`EpochEnd` hook measures the model on every split, appends to the history, checks for
divergence and separability, logs to a run and asks each observer for a :class:`Decision`.
Observers decide (stop or go on); they never touch the model. L-BFGS is driven by scipy, which
calls the same hook from its per-iteration callback, so every solver shares one epoch-end path.
"""

from __future__ import annotations

import inspect
import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from fitscope.doctor.signals import PatienceState, patience_step
from fitscope.errors import InvalidInputError, SeparableDataWarning, TrainingDivergedError

__all__ = [
    "Decision",
    "EarlyStopping",
    "EpochEnd",
    "LoopResult",
    "Observer",
    "Run",
    "Snapshot",
    "iterate",
]

FloatArray = NDArray[np.float64]
Logs = dict[str, dict[str, float]]  # split name -> metric name -> value


@runtime_checkable
class Run(Protocol):
    """Anything that records metrics: ``log(values, step=epoch, split="train" | "val")``, as
    ``fitscope.init()``'s run does.

    ``values`` maps metric names (unprefixed: ``"loss"``, ``"accuracy"``, ...) to floats. A run
    whose ``log`` also takes ``n=`` (``fitscope.init()``'s does) is told how many samples each
    split's values were computed on.
    """

    def log(self, values: dict[str, float], step: int, split: str) -> Any: ...


class Snapshot(NamedTuple):
    """The state at the end of one epoch, as a solver reports it."""

    params: FloatArray
    raw: FloatArray | None = None  # training decision values at ``params``, if computed anyway
    converged: bool = False  # the solver's own stopping test (gradient within tol) held
    value: float | None = None  # the objective at ``params`` (without l1), if computed anyway


@dataclass(frozen=True)
class Decision:
    """What an observer wants: go on, or stop with a reason."""

    stop: bool = False
    reason: str = ""


class Observer(Protocol):
    def on_epoch_end(
        self, epoch: int, logs: Mapping[str, float], params: FloatArray
    ) -> Decision: ...


@dataclass
class EarlyStopping:
    """Stop when ``monitor`` has not improved (by more than ``min_delta``) for ``patience``
    epochs in a row (the doctor's :func:`~fitscope.doctor.signals.patience_step` decides).
    Keeps its own copy of the best parameters (``best_params``) so the caller can restore
    them; it never changes the model.

    >>> import numpy as np
    >>> es = EarlyStopping(patience=2)
    >>> [es.on_epoch_end(e, {"val_loss": x}, np.zeros(1)).stop
    ...  for e, x in enumerate([3.0, 2.0, 2.5, 2.1], start=1)]
    [False, False, False, True]
    >>> es.best_epoch
    2
    """

    patience: int
    monitor: str = "val_loss"
    min_delta: float = 0.0
    best: float = math.inf
    best_epoch: int = 0
    best_params: FloatArray | None = None
    _wait: int = 0

    def on_epoch_end(self, epoch: int, logs: Mapping[str, float], params: FloatArray) -> Decision:
        state = patience_step(
            PatienceState(self.best, self.best_epoch, self._wait),
            logs[self.monitor],
            epoch,
            min_delta=self.min_delta,
        )
        self.best, self.best_epoch, self._wait = state
        if state.wait == 0:
            self.best_params = params.copy()
            return Decision()
        if self._wait >= self.patience:
            return Decision(
                True,
                f"early_stopping: {self.monitor} did not improve for {self.patience} epochs "
                f"(best {self.best:.6g} at epoch {self.best_epoch})",
            )
        return Decision()


@dataclass
class EpochEnd:
    """The end-of-epoch hook shared by every solver.

    ``measure(snapshot)`` returns ``{split: {name: value}}`` with a ``"train"`` entry holding at
    least ``"loss"`` and ``"objective"``. History keys are the train names as they are and the
    other splits' names prefixed ``"val_"`` (Keras' convention). ``separated(snapshot)`` says
    whether the current weights classify every training sample strictly correctly; with no
    regularisation that proves no minimum exists (scaling the weights up lowers the loss).
    """

    measure: Callable[[Snapshot], Logs]
    observers: Sequence[Observer] = ()
    run: Run | None = None
    separated: Callable[[Snapshot], bool] | None = None
    divergence_hint: str = "Try a smaller learning_rate."
    history: dict[str, list[float]] = field(default_factory=dict)
    last: Snapshot | None = None
    #: Samples per split (``{"train": 800, "val": 200}``), passed to ``run.log(..., n=)``.
    sizes: Mapping[str, int] = field(default_factory=dict)

    def __call__(self, epoch: int, snap: Snapshot) -> Decision:
        logs = self.measure(snap)
        self.last = snap
        for name in ("objective", "loss"):
            value = logs["train"][name]
            if not math.isfinite(value):
                raise TrainingDivergedError(
                    f"The training {name} must stay finite. Got {value} at epoch {epoch} "
                    f"instead: training diverged. {self.divergence_hint}"
                )
        flat: dict[str, float] = {}
        for split, values in logs.items():
            prefix = "" if split == "train" else "val_"
            for name, value in values.items():
                flat[prefix + name] = value
        for name, value in flat.items():
            self.history.setdefault(name, []).append(value)
        if self.run is not None:
            takes_n = _takes_n(self.run)
            for split, values in logs.items():
                if takes_n and split in self.sizes:
                    self.run.log(dict(values), step=epoch, split=split, n=self.sizes[split])  # type: ignore[call-arg]
                else:
                    self.run.log(dict(values), step=epoch, split=split)
        decisions = [o.on_epoch_end(epoch, flat, snap.params) for o in self.observers]
        if self.separated is not None and self.separated(snap):
            warnings.warn(
                f"The training data are linearly separable (every sample is classified "
                f"correctly at epoch {epoch}) and l2 is 0, so the loss has no minimum: the "
                "weights would grow without bound. Training stopped here; add l2 (e.g. "
                "l2=1e-4) for a unique, finite solution.",
                SeparableDataWarning,
                stacklevel=4,
            )
            return Decision(True, "separable")
        for d in decisions:
            if d.stop:
                return d
        if snap.converged:
            return Decision(True, "converged")
        return Decision()


def _takes_n(run: Run) -> bool:
    """Whether ``run.log`` accepts ``n=`` (a user's own run may follow the older protocol)."""
    try:
        params = inspect.signature(run.log).parameters
    except (TypeError, ValueError):  # a builtin or C-implemented log without a signature
        return False
    return "n" in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


class LoopResult(NamedTuple):
    params: FloatArray
    epochs: int  # epochs run
    reason: str  # "converged", "max_epochs", "separable", "early_stopping: ..."


def iterate(
    step: Callable[[], Snapshot], *, epochs: int, end_epoch: Callable[[int, Snapshot], Decision]
) -> LoopResult:
    """Run ``step`` (one epoch) until ``end_epoch`` says stop or ``epochs`` are done."""
    snap: Snapshot | None = None
    for epoch in range(1, epochs + 1):
        snap = step()
        decision = end_epoch(epoch, snap)
        if decision.stop:
            return LoopResult(snap.params, epoch, decision.reason)
    if snap is None:
        raise InvalidInputError(f"epochs must be an integer >= 1. Got {epochs} instead.")
    return LoopResult(snap.params, epochs, "max_epochs")
