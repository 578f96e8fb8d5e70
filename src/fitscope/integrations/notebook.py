"""A live notebook plot fed by training: the observer and the run wrapper.

Three ways to feed it: the built-in trainers (``model.fit(X, y, run=LivePlot())``: anything
with ``log`` is a run; or as an observer, ``on_epoch_end``), ``run.log`` through
``run = live(fitscope.init(...))``, and any integration that calls ``run.log(values, step=,
split=)`` when handed that wrapped run. The drawing itself is
:class:`fitscope.views.live.LiveFigure` (a renderer, which imports nothing of this module); these
names are also importable from :mod:`fitscope.views.notebook`, where they lived first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from fitscope.errors import InvalidInputError
from fitscope.train.loop import Decision
from fitscope.views.live import LiveFigure, Points

__all__ = ["LivePlot", "LiveRun", "live"]


class LivePlot:
    """A live plot of ``metrics`` per split, redrawn every ``every`` steps of the train split.

    ``backend``, ``smoothing`` and ``display`` are those of the figure it draws,
    :class:`fitscope.views.live.LiveFigure`.

    >>> plot = LivePlot(backend="matplotlib", display=lambda obj, display_id: None)
    >>> for epoch in range(3):
    ...     plot.log({"loss": 1 / (epoch + 1), "accuracy": 0.5 + epoch / 10}, step=epoch)
    >>> plot.points["train"]["loss"]
    ([0, 1, 2], [1.0, 0.5, 0.3333333333333333])
    >>> plot.renders
    3
    """

    def __init__(
        self,
        metrics: Sequence[str] = ("loss", "accuracy"),
        *,
        every: int = 1,
        backend: str | None = None,
        width: float = 10.0,
        height: float = 3.6,
        display: Callable[..., Any] | None = None,
        smoothing: float = 0.0,
    ) -> None:
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise InvalidInputError(f"every must be an integer >= 1. Got {every!r} instead.")
        self._figure = LiveFigure(
            metrics,
            backend=backend,
            width=width,
            height=height,
            display=display,
            smoothing=smoothing,
        )
        self.backend = self._figure.backend
        self.metrics = self._figure.metrics
        self.every = every
        self.points: Points = {}
        self._pending = False

    @property
    def figure(self) -> Any:
        """The live figure (a plotly FigureWidget or a matplotlib Figure)."""
        return self._figure.figure

    @property
    def renders(self) -> int:
        """How many times the plot was drawn."""
        return self._figure.renders

    def log(self, values: Mapping[str, Any], step: int, split: str = "train") -> None:
        """Add one step of ``split``; redraw when a train step is a multiple of ``every``
        (the other splits' points show with the next train redraw, or at :meth:`close`)."""
        split = "val" if split == "validation" else split
        for name, value in values.items():
            if name in self.metrics:
                xs, ys = self.points.setdefault(split, {}).setdefault(name, ([], []))
                xs.append(int(step))
                ys.append(float(value))
        self._pending = True
        if split == "train" and int(step) % self.every == 0:
            self.draw()

    def on_epoch_end(self, epoch: int, logs: Mapping[str, float], params: Any) -> Decision:
        """The trainers' observer hook: Keras-style keys (``loss``, ``val_loss``, ...)."""
        val = {k[4:]: v for k, v in logs.items() if k.startswith("val_")}
        if val:
            self.log(val, epoch, "val")
        self.log({k: v for k, v in logs.items() if not k.startswith("val_")}, epoch, "train")
        return Decision()

    def draw(self) -> None:
        """Show the plot: the first call displays it, later calls update it in place."""
        self._figure.draw(self.points)
        self._pending = False

    def close(self) -> None:
        """Draw whatever arrived since the last redraw (call at the end of training)."""
        if self._pending:
            self.draw()


class LiveRun:
    """A run whose ``log`` also feeds a :class:`LivePlot`; everything else is the run's."""

    def __init__(self, run: Any, plot: LivePlot) -> None:
        self.run = run
        self.plot = plot
        self._next: dict[str, int] = {}

    def log(self, values: Mapping[str, Any], step: int | None = None, split: str = "train") -> Any:
        result = self.run.log(values, step=step, split=split)
        shown = self._next.get(split, 0) if step is None else int(step)
        self._next[split] = shown + 1
        self.plot.log(values, shown, split)
        return result

    def finish(self, *args: Any, **kwargs: Any) -> Any:
        self.plot.close()
        return self.run.finish(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.run, name)

    def __enter__(self) -> LiveRun:
        return self

    def __exit__(self, *exc: Any) -> Any:
        self.plot.close()
        return self.run.__exit__(*exc)


def live(run: Any, plot: LivePlot | None = None, **options: Any) -> LiveRun:
    """``run`` with a live plot attached: ``run = live(fitscope.init(...))``."""
    return LiveRun(run, plot if plot is not None else LivePlot(**options))
