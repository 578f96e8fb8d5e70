"""``fitscope demo``: the loss-versus-accuracy story, end to end, in four parts.

The numbers come from :mod:`fitscope.demo` (pure computation); the renderables from
:mod:`fitscope.cli._demo_render`; this module runs the parts, writes the files and prints.
"""

from __future__ import annotations

import threading
import time
import webbrowser
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
from rich.console import Console, RenderableType
from rich.text import Text

from fitscope import demo
from fitscope.cli._demo_render import (
    Narrator,
    case_label,
    part1,
    part2,
    part3,
    surfaces_heatmap,
)
from fitscope.cli._demo_text import LANGUAGES
from fitscope.cli._options import lang_option, store_option
from fitscope.cli.doctor import render as render_findings
from fitscope.demo._overfit import CONFIG
from fitscope.diagnosis import diagnose
from fitscope.doctor import explain
from fitscope.errors import MissingDependencyError
from fitscope.track import Store

__all__ = ["LANGUAGES", "demo_command", "render_worked_example"]

PNG_NAME = "loss_accuracy_surfaces.png"
REPORT_NAME = "report.html"
#: The dashboard port of `fitscope demo --ui` (the same default as `fitscope ui`).
UI_PORT = 8765
#: The text heatmap's size in characters (columns = b1, rows = b2): two fit in 80 columns.
HEATMAP_SIZE = (30, 13)


def render_worked_example(
    nar: Narrator, *, quick: bool, out_dir: Path | None
) -> list[RenderableType]:
    """Part 1 as renderables; writes the surfaces' PNG into ``out_dir`` unless it is None."""
    example = demo.worked_example()
    traces = demo.solver_traces(example, quick=quick)
    optimum = demo.loss_optimum(example)
    start = example.coefficients
    heatmap = surfaces_heatmap(
        demo.surfaces(example, size=HEATMAP_SIZE), start, optimum.coefficients, nar
    )
    out = part1(example, traces, optimum, heatmap, nar)
    if out_dir is None:
        out.append(Text(nar.t("png_skipped_quick"), style="dim"))
        return out
    try:
        from fitscope.demo.figure import surfaces_figure

        fig = surfaces_figure(
            demo.surfaces(example),
            start=start,
            minimum=optimum.coefficients,
            titles=(nar.t("loss_panel"), nar.t("accuracy_panel")),
        )
    except MissingDependencyError:
        out.append(Text(nar.t("png_missing"), style="dim"))
        return out
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / PNG_NAME
    fig.savefig(path, dpi=110)
    out.append(Text(nar.t("png_written", path=str(path))))
    return out


def _doctor_findings(
    nar: Narrator, *, run: demo.OverfitRun, cases: Sequence[demo.Case]
) -> list[RenderableType]:
    """The doctor's findings on the run (read back from the store) and on each case."""
    out: list[RenderableType] = []
    subjects: list[tuple[str, list[Any]]] = [
        (nar.t("subject_run"), diagnose(run.run_id, lang=nar.lang, store=run.store_url))
    ]
    for case in cases:
        findings = explain(case.y_true, case.y_pred, lang=nar.lang)
        subjects.append((case_label(case, nar), findings))
    for subject, findings in subjects:
        out.append(Text(nar.t("findings_title", subject=subject), style="bold underline"))
        # The same panels as `fitscope doctor`, translated severity labels included.
        # The tour narrates the findings; their evidence is one `fitscope doctor` away.
        out.extend(render_findings(findings, nar.lang, evidence=False))
    return out


def _report(nar: Narrator, run: demo.OverfitRun, out_dir: Path) -> list[RenderableType]:
    """Part 4: write the run's HTML report (in the narration's language) and say how to open
    the dashboard. The report needs the `web` extra (plotly.js is inlined from it)."""
    out: list[RenderableType] = [Text(""), Text(nar.t("part4"), style="bold")]
    try:
        from fitscope.views.report import write_report

        out_dir.mkdir(parents=True, exist_ok=True)
        store = Store(run.store_url)
        path = write_report(store.get_run(run.run_id), out_dir / REPORT_NAME, lang=nar.lang)
        out.append(Text(nar.t("report_written", path=str(path))))
    except MissingDependencyError:
        out.append(Text(nar.t("report_missing", store=_shown(run.store_url), run=run.run_id)))
    out.append(Text(nar.t("doctor_hint", run=run.run_id[:8], store=_shown(run.store_url))))
    out.append(Text(nar.t("runs_hint", store=_shown(run.store_url))))
    out.append(Text(nar.t("dashboard_hint", store=_shown(run.store_url))))
    return out


@click.command(name="demo")
@lang_option("Language of the narration: English, Russian, Spanish or Italian.")
@click.option("--ui", "open_ui", is_flag=True, help="Open the dashboard on the run at the end.")
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=UI_PORT,
    show_default=True,
    help="Port of the dashboard that --ui starts on 127.0.0.1.",
)
@click.option(
    "--quick",
    is_flag=True,
    help="CI-sized: fewer epochs for the slow optimizers, and no PNG (a few seconds).",
)
@store_option("store")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("fitscope-demo"),
    show_default=True,
    help="Folder for the picture of the surfaces and the HTML report.",
)
def demo_command(
    lang: str, open_ui: bool, port: int, quick: bool, store: str | None, out_dir: Path
) -> None:
    """Show why loss and accuracy disagree, from three people to a real run.

    \b
    1. Three people and a logistic model: the loss and the accuracy at fixed coefficients;
       gradient descent, Adam and Newton minimising the loss; the loss-optimal model scores
       33.3% while always predicting 0 scores 66.7%; the loss and accuracy surfaces.
    2. A tracked run on handwritten digits that overfits, stopped early; the test set scored
       once at the end.
    3. An imbalanced task where accuracy only matches the baseline, and a few confident
       mistakes behind a high accuracy and a large loss.
    4. The HTML report of the run and how to open the dashboard.
    """
    started = time.perf_counter()
    nar = Narrator(lang)
    console = Console(highlight=False)

    def show(renderables: Sequence[RenderableType]) -> None:
        for renderable in renderables:
            console.print(renderable)

    show(render_worked_example(nar, quick=quick, out_dir=None if quick else out_dir))
    console.print()
    run = demo.overfit_run(store=store, quick=quick)
    show(part2(run, int(CONFIG["early_stopping"]), nar))
    console.print()
    imbalanced = demo.imbalance_case()
    clean, noisy = demo.confident_mistakes_case()
    show(part3(imbalanced, clean, noisy, nar))
    show(_doctor_findings(nar, run=run, cases=(imbalanced, noisy)))
    show(_report(nar, run, out_dir))
    console.print(Text(nar.t("done", seconds=nar.num(time.perf_counter() - started, 1))))
    if open_ui:
        _open_ui(nar, console, run, port)


def _open_ui(nar: Narrator, console: Console, run: demo.OverfitRun, port: int) -> None:
    """Serve the dashboard on 127.0.0.1 and open the run's page in the default browser."""
    from fitscope.web.server import serve

    url = f"http://127.0.0.1:{port}/#/run/{run.run_id}"
    console.print(Text(nar.t("opening_ui") + " " + url))
    threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    serve(Store(run.store_url), port=port)


def _shown(url: str) -> str:
    """A store URL as printed: any password as ***."""
    from fitscope.track._engine import redact

    return redact(url)
