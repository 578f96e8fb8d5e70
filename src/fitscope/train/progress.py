"""A rich progress bar with the live loss and accuracy: an observer at the terminal's edge."""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from fitscope.train.loop import Decision

__all__ = ["ProgressBar", "describe_logs"]


class ProgressBar:
    """An observer that shows epochs done and the latest values; it never stops training.

    The numbers are end-of-epoch values, each measured on the whole split after the epoch's
    last update (the trainers never report a running mean over batches), and the bar says so:
    ``end of epoch 3 (whole split): train loss 0.41 accuracy 0.87 | val loss 0.52 ...``.

    Use as a context manager so the bar is closed whatever happens. ``console`` defaults to
    standard error, leaving standard output to the program.
    """

    def __init__(self, epochs: int, *, console: Console | None = None, label: str = "fit") -> None:
        self.epochs = epochs
        self.console = console if console is not None else Console(stderr=True)
        self.label = label
        self._progress: Progress | None = None
        self._task: Any = None

    def __enter__(self) -> ProgressBar:
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[values]}"),
            console=self.console,
        )
        self._progress.start()
        self._task = self._progress.add_task(self.label, total=self.epochs, values="")
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()

    def on_epoch_end(self, epoch: int, logs: Mapping[str, float], params: Any) -> Decision:
        if self._progress is not None:
            self._progress.update(self._task, completed=epoch, values=describe_logs(epoch, logs))
        return Decision()


def describe_logs(epoch: int, logs: Mapping[str, float]) -> str:
    """The bar's text for one epoch: train and validation values, labelled end-of-epoch.

    >>> describe_logs(3, {"loss": 0.41, "accuracy": 0.87, "objective": 0.4, "val_loss": 0.52})
    'end of epoch 3 (whole split): train loss 0.41 accuracy 0.87 | val loss 0.52'
    """
    shown = {k: v for k, v in logs.items() if k != "objective"}
    train = [f"{k} {v:.4g}" for k, v in shown.items() if not k.startswith("val_")]
    val = [f"{k[4:]} {v:.4g}" for k, v in shown.items() if k.startswith("val_")]
    text = f"end of epoch {epoch} (whole split): train " + " ".join(train)
    return text + (" | val " + " ".join(val) if val else "")
