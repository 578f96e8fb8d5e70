"""The live notebook plot: displayed once, then updated in place, from the three sources."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import fitscope
from fitscope.errors import InvalidInputError
from fitscope.integrations.notebook import LivePlot, live


class Frontend:
    """What a notebook front end receives: display() calls and handle updates, in order."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []

    def display(self, obj: Any, display_id: bool) -> Any:
        assert display_id is True
        self.events.append(("display", obj))
        frontend = self

        class Handle:
            def update(self, new: Any) -> None:
                frontend.events.append(("update", new))

        return Handle()


@pytest.mark.parametrize("backend", ["matplotlib", "plotly"])
def test_trainer_feeds_the_plot_through_run(backend: str) -> None:
    if backend == "plotly":
        pytest.importorskip("anywidget")
    front = Frontend()
    plot = LivePlot(backend=backend, display=front.display)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(150, 3))
    y = (X[:, 0] > 0).astype(int)
    model = fitscope.LogisticRegression(solver="gd", epochs=6)
    model.fit(X[:100], y[:100], validation_data=(X[100:], y[100:]), run=plot)
    plot.close()
    kinds = [k for k, _ in front.events]
    # One display, then only in-place updates: nothing is cleared or displayed again (the
    # widget's traces change in place; the image goes through the display handle).
    assert kinds[0] == "display" and "display" not in kinds[1:] and plot.renders >= 6
    if backend == "matplotlib":
        assert kinds.count("update") == plot.renders - 1
    assert plot.points["train"]["loss"][1] == pytest.approx(model.history_["loss"])
    assert plot.points["val"]["accuracy"][1] == pytest.approx(model.history_["val_accuracy"])
    if backend == "plotly":
        widget = front.events[0][1]
        assert widget is plot.figure  # the same widget, mutated in place
        assert {t.name for t in widget.data} == {"train", "val"}
        assert max(len(t.x) for t in widget.data) == 6
    else:
        assert front.events[-1][1].data[:4] == b"\x89PNG"


def test_observer_hook_and_every() -> None:
    front = Frontend()
    plot = LivePlot(backend="matplotlib", every=5, display=front.display)
    for epoch in range(1, 11):
        plot.on_epoch_end(epoch, {"loss": 1 / epoch, "val_loss": 1.2 / epoch}, None)
    assert len(front.events) == 2  # epochs 5 and 10
    assert plot.points["val"]["loss"][0] == list(range(1, 11))


def test_live_wraps_run_log(tmp_path: Path) -> None:
    front = Frontend()
    store = fitscope.Store(tmp_path / "r.db")
    with live(
        fitscope.init(name="nb", store=store), backend="matplotlib", display=front.display
    ) as run:
        print("other output")  # a notebook's other output: never cleared by the plot
        for e in range(4):
            run.log({"loss": 1.0 / (e + 1)})
            run.log({"loss": 1.1 / (e + 1)}, split="val")
        run_id = run.id
    record = store.get_run(run_id)
    assert record.history("loss").values.tolist() == pytest.approx([1, 1 / 2, 1 / 3, 1 / 4])
    assert run.plot.points["val"]["loss"][0] == [0, 1, 2, 3]
    assert [k for k, _ in front.events].count("display") == 1
    store.close()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"every": 0}, "every must be an integer >= 1"),
        ({"metrics": "loss"}, "metrics must be a non-empty list"),
        ({"backend": "bokeh"}, "backend must be 'plotly', 'matplotlib' or None"),
    ],
)
def test_bad_options(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        LivePlot(**kwargs)


def test_the_renderer_and_the_observer_live_apart_and_the_old_path_works() -> None:
    """views.notebook draws; integrations.notebook observes training and wraps runs. Users'
    `from fitscope.views.notebook import LivePlot, live` keeps working."""
    import subprocess
    import sys

    from fitscope.integrations import notebook as feeding
    from fitscope.views import live as live_figure
    from fitscope.views import notebook as drawing
    from fitscope.views.notebook import LivePlot as OldLivePlot
    from fitscope.views.notebook import live as old_live

    assert (OldLivePlot, old_live) == (feeding.LivePlot, feeding.live)
    assert drawing.LiveFigure is feeding.LiveFigure is live_figure.LiveFigure
    assert (drawing.Points, drawing.NO_CLOUD_CONFIG, drawing.NO_CLOUD_LAYOUT) == (
        live_figure.Points,
        live_figure.NO_CLOUD_CONFIG,
        live_figure.NO_CLOUD_LAYOUT,
    )
    src = str(Path(fitscope.__file__).resolve().parents[1])
    probe = (
        "import sys, fitscope.views.live, fitscope.views.notebook\n"
        "print('fitscope.train' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": src, "PATH": ""},
    )
    assert out.stdout.strip() == "False"  # the renderer does not import the training loop
