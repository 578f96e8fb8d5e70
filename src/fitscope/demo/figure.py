"""The loss and accuracy surfaces as a matplotlib figure (needs ``fitscope[plot]``).

:func:`surfaces_figure` returns the figure; whoever calls it decides where to save it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fitscope._optional import require
from fitscope.demo._worked import Surfaces

__all__ = ["surfaces_figure"]


def surfaces_figure(
    surf: Surfaces,
    *,
    start: tuple[float, float],
    minimum: tuple[float, float],
    titles: tuple[str, str] = ("summed log loss", "accuracy"),
    labels: tuple[str, str] = ("start", "loss minimum"),
) -> Any:
    """Two panels side by side: the loss as filled contours (a smooth bowl) and the accuracy
    as flat coloured steps, with the starting point and the loss minimum marked on both.

    Returns a ``matplotlib.figure.Figure`` (built without pyplot, so no display is needed).

    >>> from fitscope.demo import surfaces, worked_example
    >>> fig = surfaces_figure(surfaces(worked_example(), size=(41, 31)),
    ...                       start=(0.1, -0.03), minimum=(-0.56, 0.18))
    >>> len(fig.axes) >= 2
    True
    """
    require("matplotlib", extra="plot")
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11, 4.6), layout="constrained")
    ax_loss, ax_acc = fig.subplots(1, 2, sharex=True, sharey=True)
    b1, b2 = np.meshgrid(surf.b1, surf.b2)
    # The loss spans orders of magnitude away from the minimum: contour its logarithm so the
    # bowl's floor is visible, and label the colour bar in loss units.
    levels = np.geomspace(surf.loss.min(), surf.loss.max(), 25)
    filled = ax_loss.contourf(b1, b2, surf.loss, levels=levels, cmap="viridis", norm="log")
    ax_loss.contour(b1, b2, surf.loss, levels=levels[::3], colors="white", linewidths=0.4)
    fig.colorbar(filled, ax=ax_loss, format="%.3g")
    values = np.unique(np.round(surf.accuracy * 3) / 3)
    bounds = np.concatenate([[values[0] - 1 / 6], values + 1 / 6])
    cmap = ListedColormap(["#d8d8d8", "#4c72b0", "#55a868", "#c44e52"][: values.size])
    mesh = ax_acc.pcolormesh(
        b1, b2, surf.accuracy, cmap=cmap, norm=BoundaryNorm(bounds, cmap.N), shading="nearest"
    )
    bar = fig.colorbar(mesh, ax=ax_acc, ticks=values)
    bar.ax.set_yticklabels([f"{v:.1%}" for v in values])
    for ax, title in zip((ax_loss, ax_acc), titles, strict=True):
        ax.plot(*start, marker="o", color="white", markeredgecolor="black", label=labels[0])
        ax.plot(
            *minimum,
            marker="*",
            markersize=13,
            color="gold",
            markeredgecolor="black",
            label=labels[1],
        )
        ax.set_title(title)
        ax.set_xlabel("b1")
    ax_loss.set_ylabel("b2")
    ax_loss.legend(loc="upper right", fontsize="small")
    return fig
