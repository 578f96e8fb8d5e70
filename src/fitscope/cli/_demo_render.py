"""Rich renderables for each part of ``fitscope demo``; nothing here prints.

:class:`Narrator` holds one language's catalog and formats numbers by its rules, so every
function below takes the computed results and a narrator and returns renderables.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from rich.console import Group, RenderableType
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from fitscope import _i18n
from fitscope.cli._demo_text import TEXT
from fitscope.demo import Case, LossOptimum, OverfitRun, SolverTrace, Surfaces, WorkedExample
from fitscope.track._engine import redact

__all__ = [
    "Narrator",
    "part1",
    "part2",
    "part3",
    "surfaces_heatmap",
]

#: Loss shades from the lowest fifth of the grid (darkest) to the highest.
LOSS_SHADES = "█▓▒░ "
ACCURACY_CHARS = ("·", "█")  # the lower and the higher accuracy step


@dataclass(frozen=True)
class Narrator:
    """One language: its sentences (from the gettext catalogs) and its way of writing numbers
    (Babel's, as everywhere in fitscope).

    >>> Narrator("ru").num(-0.56431), Narrator("en").pct(1 / 3), Narrator("it").pct(2 / 3)
    ('-0,5643', '33.3%', '66,7%')
    >>> Narrator("es").t("done", seconds="1,5"), Narrator("en").whole(20000)
    ('Hecho en 1,5 s.', '20,000')
    """

    lang: str = "en"

    def t(self, key: str, **values: Any) -> str:
        """The sentence ``key`` in this language; int values are written with its grouping,
        every other number must come formatted (num, pct, g)."""
        text = _i18n.translator(self.lang).gettext(TEXT[key])
        return text.format(**{k: self._int_or_str(v) for k, v in values.items()})

    def _int_or_str(self, value: Any) -> Any:
        if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
            return self.whole(int(value))
        return value

    def whole(self, n: int) -> str:
        return _i18n.integer(n, self.lang)

    def num(self, x: float, digits: int = 4) -> str:
        return _i18n.fixed(x, self.lang, digits)

    def pct(self, x: float) -> str:
        return _i18n.percent(x, self.lang)

    def g(self, x: float) -> str:
        return _i18n.short(x, self.lang)


def _title(text: str) -> Rule:
    return Rule(Text(text, style="bold"), align="left")


def part1(
    example: WorkedExample,
    traces: Sequence[SolverTrace],
    optimum: LossOptimum,
    heatmap: RenderableType,
    nar: Narrator,
) -> list[RenderableType]:
    """The worked example: the table at the given coefficients, the optimizers, the optimum."""
    b1, b2 = example.coefficients
    table = Table(title=nar.t("at_params", b1=nar.g(b1), b2=nar.g(b2)))
    table.add_column(nar.t("person"))
    for key in ("weight", "height", "label", "probability", "predicted", "loss"):
        table.add_column(nar.t(key), justify="right")
    for i, name in enumerate(example.names):
        table.add_row(
            name,
            nar.g(example.weights_kg[i]),
            nar.g(example.heights_cm[i]),
            str(example.labels[i]),
            nar.num(example.probabilities[i]),
            str(example.predicted_labels[i]),
            nar.num(example.log_losses[i]),
        )
    summary = Table.grid(padding=(0, 1))
    summary.add_row(nar.t("summed_loss"), nar.num(example.summed_log_loss))
    summary.add_row(nar.t("mean_loss"), nar.num(example.mean_log_loss))
    summary.add_row(nar.t("accuracy_line"), nar.pct(example.accuracy))
    summary.add_row(
        nar.t("baseline_line", label=example.majority_label), nar.pct(example.baseline_accuracy)
    )
    out: list[RenderableType] = [
        _title(nar.t("part1")),
        Text(nar.t("intro")),
        table,
        summary,
        Text(nar.t("loss_defined"), style="dim"),
        Text(""),
        *_training(traces, nar),
        Text(""),
        _optimum_table(example, optimum, nar),
        Text(
            nar.t(
                "optimum_line",
                b1=nar.num(optimum.coefficients[0]),
                b2=nar.num(optimum.coefficients[1]),
                loss=nar.num(optimum.summed_log_loss),
            ),
            style="bold",
        ),
        Text(
            nar.t(
                "optimum_accuracy",
                accuracy=nar.pct(optimum.accuracy),
                baseline=nar.pct(example.baseline_accuracy),
            ),
            style="bold",
        ),
        Text(nar.t("lesson")),
        Text(""),
        heatmap,
    ]
    return out


def _solver_name(trace: SolverTrace, nar: Narrator) -> str:
    lr = "" if trace.learning_rate is None else nar.g(trace.learning_rate)
    return nar.t(f"solver_{trace.solver}", lr=lr)


def _shown_epochs(trace: SolverTrace) -> list[int]:
    last = int(trace.epochs[-1])
    drop = trace.first_drop()
    picks = {0, 1, 10, 100, 1000, 10_000, last, *([] if drop is None else [drop])}
    return sorted(e for e in picks if e <= last)


def _training(traces: Sequence[SolverTrace], nar: Narrator) -> list[RenderableType]:
    table = Table(title=nar.t("training_title"))
    table.add_column(nar.t("solver"))
    for key in ("epoch", "summed_loss_col", "accuracy"):
        table.add_column(nar.t(key), justify="right")
    notes: list[RenderableType] = []
    for trace in traces:
        name = _solver_name(trace, nar)
        for k, epoch in enumerate(_shown_epochs(trace)):
            table.add_row(
                name if k == 0 else "",
                nar.whole(epoch),
                nar.num(trace.summed_loss[epoch]),
                nar.pct(trace.accuracy[epoch]),
            )
        table.add_section()
        drop = trace.first_drop()
        if drop is not None:
            before, after = trace.accuracy[drop - 1], trace.accuracy[drop]
            notes.append(
                Text(
                    nar.t(
                        "flip_note",
                        solver=name,
                        epoch=drop,
                        before=nar.pct(before),
                        after=nar.pct(after),
                    )
                )
            )
    newton = next(t for t in traces if t.solver == "newton")
    notes.append(Text(nar.t("gd_slow", epochs=int(newton.epochs[-1])), style="dim"))
    return [table, *notes]


def _optimum_table(example: WorkedExample, optimum: LossOptimum, nar: Narrator) -> Table:
    table = Table(title=nar.t("optimum_title"))
    table.add_column(nar.t("person"))
    for key in ("label", "probability", "predicted", "loss"):
        table.add_column(nar.t(key), justify="right")
    for i, name in enumerate(example.names):
        table.add_row(
            name,
            str(example.labels[i]),
            nar.num(optimum.probabilities[i]),
            str(optimum.predicted_labels[i]),
            nar.num(optimum.log_losses[i]),
        )
    return table


def _nearest(axis: np.ndarray[Any, Any], value: float) -> int:
    return int(np.argmin(np.abs(axis - value)))


def surfaces_heatmap(
    surf: Surfaces, start: tuple[float, float], minimum: tuple[float, float], nar: Narrator
) -> RenderableType:
    """The two surfaces as text, side by side: loss in five shades, accuracy in two marks."""
    edges = np.quantile(surf.loss, [0.2, 0.4, 0.6, 0.8])
    loss_idx = np.searchsorted(edges, surf.loss)
    acc_values = np.unique(np.round(surf.accuracy * 3) / 3)
    marks = {(_nearest(surf.b2, start[1]), _nearest(surf.b1, start[0])): "o"}
    marks[(_nearest(surf.b2, minimum[1]), _nearest(surf.b1, minimum[0]))] = "*"

    def panel(cell: Any, title: str) -> Text:
        width = surf.b1.size
        lines = [title]
        for i in range(surf.b2.size - 1, -1, -1):  # highest b2 on top
            label = nar.num(surf.b2[i], 2) if i in (0, surf.b2.size - 1) else ""
            row = "".join(marks.get((i, j), cell(i, j)) for j in range(width))
            lines.append(f"{label:>6} │{row}")
        lines.append(" " * 7 + "└" + "─" * width)
        lo, hi = nar.num(surf.b1[0], 2), nar.num(surf.b1[-1], 2)
        lines.append(" " * 8 + lo + " " * max(1, width - len(lo) - len(hi) - 3) + hi + " b1")
        return Text("\n".join(lines))

    def acc_cell(i: int, j: int) -> str:
        high = surf.accuracy[i, j] >= acc_values[-1] - 1e-9 and acc_values.size > 1
        return ACCURACY_CHARS[1] if high else ACCURACY_CHARS[0]

    grid = Table.grid(padding=(0, 2))
    grid.add_row(
        panel(lambda i, j: LOSS_SHADES[loss_idx[i, j]], nar.t("loss_panel")),
        panel(acc_cell, nar.t("accuracy_panel")),
    )
    bounds = [nar.num(surf.loss.min(), 2), *(nar.num(e, 2) for e in edges)]
    levels = ", ".join(f"'{LOSS_SHADES[k]}' >= {bounds[k]}" for k in range(len(LOSS_SHADES)))
    legend = nar.t(
        "surfaces_legend",
        b1=nar.g(start[0]),
        b2=nar.g(start[1]),
        levels=levels,
        low_char=ACCURACY_CHARS[0],
        low=nar.pct(acc_values[0]),
        high_char=ACCURACY_CHARS[1],
        high=nar.pct(acc_values[-1]),
    )
    return Group(
        Text(nar.t("surfaces_title"), style="bold"),
        grid,
        Text(legend, style="dim"),
        Text(nar.t("surfaces_lesson")),
    )


def part2(run: OverfitRun, patience: int, nar: Narrator) -> list[RenderableType]:
    """The tracked run: a few epochs, where validation loss turned up, the one test score."""
    h = run.history
    table = Table()
    table.add_column(nar.t("epoch"), justify="right")
    for key in ("train_loss", "train_accuracy", "val_loss", "val_accuracy"):
        table.add_column(nar.t(key), justify="right")
    table.add_column("")
    for epoch in run.selected_epochs():
        i = epoch - 1
        table.add_row(
            nar.whole(epoch),
            nar.num(h["loss"][i]),
            nar.pct(h["accuracy"][i]),
            nar.num(h["val_loss"][i]),
            nar.pct(h["val_accuracy"][i]),
            nar.t("best_marker") if epoch == run.best_epoch else "",
            style="bold" if epoch == run.best_epoch else None,
        )
    best, last = run.best_epoch - 1, run.epochs_run - 1
    stopped = run.stop_reason.startswith("early_stopping")
    return [
        _title(nar.t("part2")),
        Text(
            nar.t(
                "run_intro",
                n_train=run.n_train,
                n_val=run.n_val,
                n_test=run.n_test,
                n_features=run.n_features,
            )
        ),
        table,
        Text(
            nar.t(
                "overfit_summary",
                best=run.best_epoch,
                train_best=nar.num(h["loss"][best]),
                train_last=nar.num(h["loss"][last]),
                val_best=nar.num(h["val_loss"][best]),
                val_last=nar.num(h["val_loss"][last]),
            )
        ),
        Text(
            nar.t("early_stop", patience=patience, last=run.epochs_run, best=run.best_epoch)
            if stopped
            else nar.t("no_early_stop", last=run.epochs_run, best=run.best_epoch)
        ),
        Text(
            nar.t(
                "test_line",
                best=run.best_epoch,
                accuracy=nar.pct(run.test_accuracy),
                loss=nar.num(run.test_loss),
            ),
            style="bold",
        ),
        Text(nar.t("test_why"), style="dim"),
        Text(
            nar.t("run_stored", run=run.run_id[:8], name=run.run_name, store=redact(run.store_url))
        ),
    ]


def case_label(case: Case, nar: Narrator) -> str:
    return nar.t(f"case_{case.key}", n=int(case.details.get("n_flipped", 0)))


def part3(imbalanced: Case, clean: Case, noisy: Case, nar: Narrator) -> list[RenderableType]:
    """The cases where accuracy alone misleads, side by side with a healthy one."""
    cases = (imbalanced, clean, noisy)
    table = Table()
    table.add_column("")
    for case in cases:
        table.add_column(case_label(case, nar), justify="right")
    rows: tuple[tuple[str, Any], ...] = (
        ("positives", lambda c: nar.pct(c.positive_rate)),
        ("accuracy", lambda c: nar.pct(c.accuracy)),
        ("baseline_col", lambda c: nar.pct(c.baseline_accuracy)),
        ("balanced_accuracy", lambda c: nar.pct(c.balanced_accuracy)),
        ("loss", lambda c: nar.num(c.log_loss)),
        ("prior_loss", lambda c: nar.num(c.prior_log_loss)),
        ("worst_share", lambda c: nar.pct(c.worst_share)),
    )
    for key, cell in rows:
        table.add_row(nar.t(key), *(cell(c) for c in cases))
    return [
        _title(nar.t("part3")),
        table,
        Text(
            nar.t(
                "imbalanced_lesson",
                positives=nar.pct(imbalanced.positive_rate),
                accuracy=nar.pct(imbalanced.accuracy),
                balanced=nar.pct(imbalanced.balanced_accuracy),
                loss=nar.num(imbalanced.log_loss),
                prior=nar.num(imbalanced.prior_log_loss),
            )
        ),
        Text(
            nar.t(
                "confident_lesson",
                clean_accuracy=nar.pct(clean.accuracy),
                clean_loss=nar.num(clean.log_loss),
                n=int(noisy.details["n_flipped"]),
                total=noisy.y_true.size,
                accuracy=nar.pct(noisy.accuracy),
                loss=nar.num(noisy.log_loss),
                n_worst=noisy.n_worst,
                share=nar.pct(noisy.worst_share),
            )
        ),
        Text(nar.t("three_cases"), style="dim"),
    ]
