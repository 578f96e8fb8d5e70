"""Views: renderers that return data, strings and figures; they never print.

:mod:`~fitscope.views.data` builds what every view draws; :mod:`~fitscope.views.report` the
self-contained HTML report; :mod:`~fitscope.views.plots` PNGs (matplotlib);
:mod:`~fitscope.views.notebook` a live notebook plot.
"""

from __future__ import annotations

from fitscope.views.downsample import ema, minmax_indices

__all__ = ["ema", "minmax_indices"]
