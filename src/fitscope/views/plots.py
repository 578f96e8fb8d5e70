"""Loss and accuracy PNGs with matplotlib (Agg, no pyplot state): ``fitscope plot RUN --png``.

The plots draw the same data as the dashboard (:func:`fitscope.views.data.chart_specs`): every
split on one chart, the best point starred, the no-skill baseline dashed, NaN / inf points as
red crosses along the top.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from fitscope.errors import InvalidInputError
from fitscope.track.records import RunRecord
from fitscope.views.data import DEFAULT_MAX_POINTS, chart_specs

__all__ = ["PLOTTED", "draw_chart", "plot_run"]

#: The metrics written as PNGs, in this order.
PLOTTED = ("loss", "accuracy")
_COLORS = {"train": "#1f77b4", "val": "#ff7f0e", "test": "#2ca02c"}


def draw_chart(ax: Any, chart: dict[str, Any], *, x_label: str = "step") -> None:
    """Draw one chart spec (from :func:`chart_specs`) on a matplotlib Axes."""
    top = -np.inf
    for i, series in enumerate(chart["series"]):
        y = np.array([np.nan if v is None else v for v in series["y"]], dtype=np.float64)
        color = _COLORS.get(series["split"], f"C{i + 3}")
        marker = "o" if len(y) <= 30 else None
        label = series.get("label", series["split"])  # the key as written, else the split
        ax.plot(series["x"], y, label=label, color=color, marker=marker, ms=3)
        if np.isfinite(y).any():
            top = max(top, float(np.nanmax(y)))
    best = next(
        (s for s in chart["series"] if s["best"] and s["split"] == "val"),
        next((s for s in chart["series"] if s["best"]), None),
    )
    if best is not None:
        b = best["best"]
        ax.plot([b["x"]], [b["y"]], "*", color="#d62728", ms=14, mec="k",
                label=f"best {best.get('label', best['split'])} (step {b['step']})")  # fmt: skip
    if chart["baseline"] is not None:
        ax.axhline(chart["baseline"], color="#555", ls="--", lw=1.2, label="no-skill baseline")
    bad = [p["x"] for s in chart["series"] for p in s["nonfinite"]]
    if bad:
        ax.plot(bad, [top if np.isfinite(top) else 1.0] * len(bad), "x", color="#d62728",
                ms=9, label="NaN / inf")  # fmt: skip
    ax.set_title(chart["metric"])
    ax.set_xlabel(x_label)
    ax.set_ylabel(chart["metric"])
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)


def plot_run(
    record: RunRecord,
    directory: str | os.PathLike[str],
    *,
    max_points: int = DEFAULT_MAX_POINTS,
    dpi: int = 100,
) -> list[Path]:
    """Write ``loss.png`` and ``accuracy.png`` (those the run logged; a run with neither gets
    its first two other metrics, ``f1.png``...) into ``directory``.

    >>> import tempfile, pathlib, fitscope
    >>> store = fitscope.Store(pathlib.Path(tempfile.mkdtemp()) / "r.db")
    >>> with fitscope.init(store=store) as run:
    ...     run.log({"loss": 0.5, "accuracy": 0.8})
    >>> [p.name for p in plot_run(store.get_run(run.id), tempfile.mkdtemp())]
    ['loss.png', 'accuracy.png']
    """
    from fitscope._optional import require

    require("matplotlib", extra="plot")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    charts = {c["metric"]: c for c in chart_specs(record, max_points=max_points)}
    wanted = [m for m in PLOTTED if m in charts]
    if not wanted:  # degrade: a run of other names (log_loss, recon_loss) plots those
        wanted = sorted(m for m in charts if m != "epoch")[:2]
    if not wanted:
        raise InvalidInputError(
            "run must have logged at least one series to plot. Got a run with none instead."
        )
    out_dir = Path(directory)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for metric in wanted:
        fig = Figure(figsize=(8, 4.5), dpi=dpi, layout="tight")
        FigureCanvasAgg(fig)
        draw_chart(fig.add_subplot(), charts[metric])
        fig.suptitle(f"{record.name} · {record.project}", fontsize=9)
        path = out_dir / f"{metric}.png"
        fig.savefig(path)
        written.append(path)
    return written
