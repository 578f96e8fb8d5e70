"""The live loss / accuracy figure for Jupyter, by its first address.

The figure that draws points in place is :class:`~fitscope.views.live.LiveFigure`
(:mod:`fitscope.views.live`, with ``Points`` and the no-cloud mode-bar settings); what feeds it,
:class:`~fitscope.integrations.notebook.LivePlot` (an observer of a training),
:class:`~fitscope.integrations.notebook.LiveRun` and :func:`~fitscope.integrations.notebook.live`
(a run wrapped with a plot), lives in :mod:`fitscope.integrations.notebook`. Every one of these
names lived here first and is still importable from here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fitscope.views.live import NO_CLOUD_CONFIG as NO_CLOUD_CONFIG
from fitscope.views.live import NO_CLOUD_LAYOUT as NO_CLOUD_LAYOUT
from fitscope.views.live import LiveFigure, Points

if TYPE_CHECKING:
    from fitscope.integrations.notebook import LivePlot, LiveRun, live

__all__ = ["LiveFigure", "LivePlot", "LiveRun", "Points", "live"]

if not TYPE_CHECKING:  # type checkers see the imports at the top

    def __getattr__(name: str) -> Any:
        # Loaded on first use, as before: importing the figure does not import the training
        # loop (integrations.notebook's LivePlot is an observer of it).
        if name in ("LivePlot", "LiveRun", "live"):
            from fitscope.integrations import notebook

            return getattr(notebook, name)
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
