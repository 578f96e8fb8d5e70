"""The live loss / accuracy figure for Jupyter: drawn once, then updated in place.

Two backends, one behaviour: the plot is displayed once and then only its data change, so the
figure is never rebuilt and the cell's other output (prints, tables) is never cleared.

- ``"plotly"`` (default when plotly and anywidget are installed): a plotly ``FigureWidget``;
  an update assigns the traces' ``x`` / ``y`` in one ``batch_update`` and the browser redraws
  only those traces (about 1.5 ms of Python per update).
- ``"matplotlib"``: one Figure (Agg, no pyplot) with one Axes per metric; an update moves the
  lines' data (``set_data``), rescales and replaces the image through an IPython display handle
  (``handle.update``), about 0.1 s per update on a small machine instead of ~0.5 s for a
  cleared-and-replotted pyplot figure.

This module only draws the points it is given (:class:`LiveFigure`) and imports nothing that
feeds it: the :class:`~fitscope.integrations.notebook.LivePlot` that observes a training and
:func:`~fitscope.integrations.notebook.live` that wraps a run live in
:mod:`fitscope.integrations.notebook`, which imports this module. :mod:`fitscope.views.notebook`,
where all of them lived first, hands every one of these names on.
"""

from __future__ import annotations

import importlib.util
import io
from collections.abc import Callable, Sequence
from typing import Any

from fitscope.errors import InvalidInputError

__all__ = ["NO_CLOUD_CONFIG", "NO_CLOUD_LAYOUT", "LiveFigure", "Points"]

_COLORS = {"train": "#1f77b4", "val": "#ff7f0e", "test": "#2ca02c"}
Points = dict[str, dict[str, tuple[list[float], list[float]]]]  # split -> metric -> (x, y)


#: plotly.js 3 offers "Share chart..." (an upload to a cloud service) by default: removed from
#: the widget's mode bar by layout and by config, so nothing leaves the machine.
NO_CLOUD_LAYOUT = {"modebar": {"remove": ["sendChartToCloud", "sendDataToCloud"]}}
NO_CLOUD_CONFIG = {"displaylogo": False, "showSendToCloud": False, "showEditInChartStudio": False}


def _smooth(ys: list[float], weight: float) -> list[float]:
    # The notebook keeps every point, so the EMA is over the whole series (never a sample).
    from fitscope.views.downsample import ema

    out: list[float] = ema(ys, weight).tolist()
    return out


class _PlotlyBackend:
    def __init__(self, metrics: list[str], width: float, height: float, smoothing: float) -> None:
        from plotly.graph_objects import FigureWidget
        from plotly.subplots import make_subplots

        base = make_subplots(rows=1, cols=len(metrics), subplot_titles=metrics)
        base.update_layout(
            width=int(width * 80), height=int(height * 80), margin={"t": 40}, **NO_CLOUD_LAYOUT
        )
        self.figure = FigureWidget(base)
        self.figure._config = dict(NO_CLOUD_CONFIG)
        self.metrics = metrics
        self.smoothing = smoothing
        self.traces: dict[tuple[str, str], int] = {}
        self.smoothed: dict[tuple[str, str], int] = {}

    def show(self, display: Callable[..., Any], points: Points) -> Any:
        self.update(points)
        return display(self.figure, display_id=True)

    def update(self, points: Points) -> None:
        with self.figure.batch_update():
            for split, series in points.items():
                for name, (xs, ys) in series.items():
                    key = (split, name)
                    if key not in self.traces:
                        col = self.metrics.index(name) + 1
                        smooth = self.smoothing > 0
                        self.figure.add_scatter(
                            x=[], y=[], name=split + (" (raw)" if smooth else ""),
                            legendgroup=split, mode="lines", opacity=0.25 if smooth else 1.0,
                            line={"color": _COLORS.get(split)},
                            showlegend=col == 1 and not smooth, row=1, col=col,
                        )  # fmt: skip
                        self.traces[key] = len(self.figure.data) - 1
                        if smooth:  # the raw curve stays visible beneath the smoothed one
                            self.figure.add_scatter(
                                x=[], y=[], name=split, legendgroup=split, mode="lines",
                                line={"color": _COLORS.get(split)}, showlegend=col == 1,
                                row=1, col=col,
                            )  # fmt: skip
                            self.smoothed[key] = len(self.figure.data) - 1
                    trace = self.figure.data[self.traces[key]]
                    trace.x, trace.y = list(xs), list(ys)
                    if key in self.smoothed:
                        line = self.figure.data[self.smoothed[key]]
                        line.x, line.y = list(xs), _smooth(ys, self.smoothing)


class _MatplotlibBackend:
    def __init__(self, metrics: list[str], width: float, height: float, smoothing: float) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.figure = Figure(figsize=(width, height), dpi=80)
        FigureCanvasAgg(self.figure)
        axes = self.figure.subplots(1, len(metrics), squeeze=False)[0]
        self.axes = dict(zip(metrics, axes, strict=True))
        for name, ax in self.axes.items():
            ax.set_title(name)
            ax.set_xlabel("step")
            ax.grid(alpha=0.3)
        self.lines: dict[tuple[str, str], Any] = {}
        self.smoothed: dict[tuple[str, str], Any] = {}
        self.smoothing = smoothing
        self.handle: Any = None

    def _image(self, points: Points) -> Any:
        from IPython.display import Image

        for split, series in points.items():
            for name, (xs, ys) in series.items():
                line = self.lines.get((split, name))
                if line is None:
                    ax = self.axes[name]
                    smooth = self.smoothing > 0
                    (line,) = ax.plot(
                        [], [], label=None if smooth else split, color=_COLORS.get(split),
                        alpha=0.25 if smooth else 1.0,
                    )  # fmt: skip
                    self.lines[(split, name)] = line
                    if smooth:
                        (self.smoothed[(split, name)],) = ax.plot(
                            [], [], label=split, color=_COLORS.get(split)
                        )
                    ax.legend(fontsize=8)
                line.set_data(xs, ys)
                if (split, name) in self.smoothed:
                    self.smoothed[(split, name)].set_data(xs, _smooth(ys, self.smoothing))
        for ax in self.axes.values():
            ax.relim()
            ax.autoscale_view()
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png")
        return Image(data=buffer.getvalue(), format="png")  # type: ignore[no-untyped-call]

    def show(self, display: Callable[..., Any], points: Points) -> Any:
        self.handle = display(self._image(points), display_id=True)
        return self.handle

    def update(self, points: Points) -> None:
        image = self._image(points)
        if self.handle is not None:
            self.handle.update(image)


def _default_backend() -> str:
    ok = all(importlib.util.find_spec(m) is not None for m in ("plotly", "anywidget"))
    return "plotly" if ok else "matplotlib"


class LiveFigure:
    """One figure of ``metrics`` (a panel each, a line per split) that redraws in place.

    ``backend`` is ``"plotly"``, ``"matplotlib"`` or ``None`` (plotly when installed with
    anywidget). ``smoothing`` (0 to 0.99, default 0: off) adds TensorBoard's debiased EMA of the
    whole series over each raw curve, which stays visible beneath at opacity 0.25.
    ``display`` defaults to ``IPython.display.display``; anything with its
    signature works (``display(obj, display_id=True)``, returning a handle with ``update``).

    >>> fig = LiveFigure(["loss"], backend="matplotlib", display=lambda obj, display_id: None)
    >>> fig.draw({"train": {"loss": ([0, 1], [1.0, 0.5])}})
    >>> fig.renders
    1
    """

    def __init__(
        self,
        metrics: Sequence[str] = ("loss", "accuracy"),
        *,
        backend: str | None = None,
        width: float = 10.0,
        height: float = 3.6,
        display: Callable[..., Any] | None = None,
        smoothing: float = 0.0,
    ) -> None:
        if isinstance(metrics, str) or not metrics:
            raise InvalidInputError(
                f"metrics must be a non-empty list of metric names. Got {metrics!r} instead."
            )
        if isinstance(smoothing, bool) or not (
            isinstance(smoothing, int | float) and 0.0 <= smoothing < 1.0
        ):
            raise InvalidInputError(
                f"smoothing must be a number in [0, 1). Got {smoothing!r} instead."
            )
        backend = _default_backend() if backend is None else backend
        from fitscope._optional import require

        if backend == "plotly":
            require("plotly", extra="notebook")
            require("anywidget", extra="notebook")
            self._backend: Any = _PlotlyBackend(list(metrics), width, height, float(smoothing))
        elif backend == "matplotlib":
            require("matplotlib", extra="notebook")
            require("IPython", extra="notebook")
            self._backend = _MatplotlibBackend(list(metrics), width, height, float(smoothing))
        else:
            raise InvalidInputError(
                f"backend must be 'plotly', 'matplotlib' or None. Got {backend!r} instead."
            )
        self.backend = backend
        self.metrics = list(metrics)
        self.renders = 0
        self._display = display
        self._shown = False

    @property
    def figure(self) -> Any:
        """The live figure (a plotly FigureWidget or a matplotlib Figure)."""
        return self._backend.figure

    def draw(self, points: Points) -> None:
        """Show ``points``: the first call displays the figure, later calls update it."""
        if not self._shown:
            show = self._display
            if show is None:
                from IPython.display import display as show
            self._backend.show(show, points)
            self._shown = True
        else:
            self._backend.update(points)
        self.renders += 1
