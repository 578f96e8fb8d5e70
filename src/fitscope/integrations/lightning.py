"""Lightning: a logger that writes a Trainer's metrics and hyperparameters to fitscope.

A sketch (needs your own data)::

    from fitscope.integrations.lightning import FitscopeLogger
    trainer = lightning.pytorch.Trainer(logger=FitscopeLogger(project="mnist"))

Needs ``pip install "fitscope[lightning]"``.
"""

from __future__ import annotations

import os
import sys
import time
from argparse import Namespace
from collections.abc import Callable, Mapping, Sequence
from types import FrameType
from typing import Any, cast

from fitscope._optional import require
from fitscope.errors import InvalidInputError
from fitscope.integrations._run import RunHolder, plain_config
from fitscope.integrations.naming import lightning_place
from fitscope.track.run import Run, mark_epochs
from fitscope.track.store import Store

require("lightning", extra="lightning")

from lightning.fabric.utilities.logger import (  # noqa: E402
    _convert_params,
    _flatten_dict,
)
from lightning.pytorch.loggers.logger import Logger  # noqa: E402
from lightning.pytorch.utilities import rank_zero_only  # noqa: E402

__all__ = ["FitscopeLogger"]


class _LazyRun:
    """Starts the run at the first attribute asked of it, and answers from the run."""

    def __init__(self, start: Callable[[], Run]) -> None:
        self._start = start

    def __getattr__(self, name: str) -> Any:
        return getattr(self._start(), name)


_STATUS = {"success": "finished", "finished": "finished"}

# Lightning tells a logger neither whether a call carries step-level or epoch-level values
# (a metric logged with on_step=False, on_epoch=True arrives as plain "train_loss", as does
# one with on_step=True, on_epoch=False) nor which evaluation sent it; the LoggerConnector
# method that called log_metrics is the one place that knows, so it is read off the stack.
_EPOCH_CALLERS = {"update_train_epoch_metrics", "log_eval_end_metrics"}
_STEP_CALLERS = {"update_train_step_metrics", "update_eval_step_metrics"}


def _epoch_level() -> bool | None:
    """True when Lightning is logging epoch-end values, False for step values, None when the
    caller is not Lightning's LoggerConnector (then the names decide)."""
    frame: FrameType | None = sys._getframe(1)
    for _ in range(10):
        if frame is None:
            break
        name = frame.f_code.co_name
        if name in _EPOCH_CALLERS:
            return True
        if name in _STEP_CALLERS:
            return False
        frame = frame.f_back
    return None


class FitscopeLogger(Logger):
    """A Lightning logger that records into a fitscope run.

    Metric names are read with :func:`fitscope.integrations.naming.parse_name`:

    - ``val_loss``, ``val_acc``, ``test_acc``, ``val/loss``, ``train_loss_epoch``: epoch-level
      values, logged to "val", "test" or "train" at step = the epoch;
    - ``train_loss_step``, and names without a split or suffix (``train_loss``, ``loss``,
      ``train/loss``, what ``self.log`` in ``training_step`` sends by default): step-level
      values, logged to "train_step" at Lightning's global step;
    - ``epoch`` is the x-axis, never a metric.

    To get per-epoch training values, log them with ``on_epoch=True``. Hyperparameters
    (``save_hyperparameters()``) become the run's config: the run is started at the first
    call that needs it, so they are in the config from the start.

    With ``run=None`` the logger starts the run and finishes it in ``finalize`` ("finished"
    on success, "failed" when training raised). A run passed in is only flushed there, so one
    run can hold ``trainer.fit`` and then ``trainer.test``.
    """

    def __init__(
        self,
        run: Run | None = None,
        *,
        project: str = "default",
        name: str | None = None,
        config: Mapping[str, Any] | None = None,
        tags: Sequence[str] | None = None,
        store: Store | str | os.PathLike[str] | None = None,
    ) -> None:
        super().__init__()
        self._project = project
        # Lightning asks for name and version (checkpoint folders) before training starts;
        # the run name is fixed here so the answer never changes.
        self._run_name = name or time.strftime("run-%Y%m%d-%H%M%S")
        self._holder = RunHolder(
            run, project=project, name=self._run_name, config=config, tags=tags, store=store
        )
        self._hparams: dict[str, Any] = {}
        # Epoch-level evaluation values wait until their epoch is over: with
        # val_check_interval < 1 the last validation of an epoch is the epoch's value (as in
        # a CSV import of the same training), and trainer.validate() after fit adds no second
        # point at an epoch already written.
        self._pending: dict[str, tuple[int | None, dict[str, float]]] = {}
        self._written: set[tuple[str, int | None]] = set()
        # The last epoch a fit wrote: trainer.validate() / test() after fit report the epoch
        # after it (Lightning's current_epoch has moved on), but evaluate that epoch's model.
        self._last_epoch: int | None = None
        self._finalized = False

    @property
    def name(self) -> str:
        """The project (Lightning's "experiment name")."""
        return self._project

    @property
    def version(self) -> str:
        """The run's name."""
        return self._start().name if self._holder.started else self._run_name

    @property
    def experiment(self) -> Run:
        """The fitscope :class:`~fitscope.track.run.Run` being written.

        Lightning touches ``experiment`` before it sends the hyperparameters; until the run is
        needed this is a stand-in that starts the run on first use, so the hyperparameters
        still reach the config."""
        if self._holder.started:
            return self._start()
        return cast(Run, _LazyRun(self._start))

    def _start(self) -> Run:
        run = self._holder.get(self._hparams)
        mark_epochs(run)  # the judged series are epoch-level, at Lightning's epoch
        return run

    @rank_zero_only
    def log_hyperparams(
        self, params: dict[str, Any] | Namespace, *args: Any, **kwargs: Any
    ) -> None:
        """Hyperparameters (flattened: ``{"optim": {"lr": 0.1}}`` -> ``"optim/lr"``) become the
        run's config."""
        flat = plain_config(_flatten_dict(_convert_params(params)))
        if not self._holder.started:
            self._hparams.update(flat)
            return
        run = self._start()
        differ = {k: v for k, v in flat.items() if k not in run.config or run.config[k] != v}
        if differ:
            run.update_config(differ)

    @rank_zero_only
    def log_metrics(self, metrics: Mapping[str, float], step: int | None = None) -> None:
        """File each value under its split and level (see the class docstring)."""
        # A run this logger started was finished by the last trainer call's finalize; a later
        # call (trainer.test after trainer.fit) resumes the same run rather than starting one.
        run = self._holder.resume() if self._holder.started else self._start()
        if run.status != "running":
            raise InvalidInputError(
                f"FitscopeLogger's run must be running to log. Got a run that is {run.status!r} "
                "instead: the run passed to FitscopeLogger was finished by its owner."
            )
        epoch = metrics.get("epoch")
        level = _epoch_level()
        groups: dict[tuple[str, int | None], dict[str, float]] = {}
        for key, value in metrics.items():
            if key not in ("epoch", "step"):
                split, metric, at = lightning_place(
                    key, epoch=None if epoch is None else int(epoch), step=step, epoch_level=level
                )
                groups.setdefault((split, at), {})[metric] = value
                run._keep_key(split, metric, key)
        for (split, at), values in groups.items():
            if split == "train" and at is not None and not self._finalized:
                self._last_epoch = max(at, self._last_epoch or 0)
            if (
                self._finalized
                and self._last_epoch is not None
                and at is not None
                and split != "train"
                and not split.endswith("_step")
                and at > self._last_epoch
            ):
                at = self._last_epoch
            if split in ("train",) or split.endswith("_step") or at is None:
                if split == "train":
                    self._write_pending(run)
                run.log(values, step=at, split=split)
                continue
            held = self._pending.get(split)
            if held is not None and held[0] != at:
                self._write_pending(run, split)
            if (split, at) in self._written:
                continue  # trainer.validate() after fit: that epoch's point is there already
            self._pending[split] = (at, {**self._pending.get(split, (at, {}))[1], **values})

    def _write_pending(self, run: Run, only: str | None = None) -> None:
        for split in [only] if only else list(self._pending):
            at, values = self._pending.pop(split)
            if (split, at) not in self._written:
                self._written.add((split, at))
                run.log(values, step=at, split=split)

    def save(self) -> None:
        """Nothing to do: Lightning calls this after every log_metrics, and the run's writer
        thread already stores what was logged within its flush interval (0.2 s)."""

    @rank_zero_only
    def finalize(self, status: str) -> None:
        """Lightning's "success" finishes the run as "finished", anything else as "failed"."""
        if self._holder.started:
            if self._pending:
                self._write_pending(self._holder.resume())
            self._holder.close(_STATUS.get(status, "failed"))
            self._finalized = True
