"""``fitscope eval``: metrics over CSV/Parquet prediction files of any size (see docs/scale.md).

A thin command over :func:`fitscope.scale.evaluate_file` and
:func:`fitscope.scale.evaluate_dask`: it parses options, shows a progress bar with rows per
second on stderr, and prints a table (or JSON) of what the library returns.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click
import numpy as np
from rich import box
from rich.console import Console
from rich.progress import BarColumn, Progress, ProgressColumn, Task, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from fitscope.scale._sources import CHUNK_ROWS

__all__ = ["eval_command", "result_tables"]

LOCAL = "local"


class _RowRate(ProgressColumn):
    """Rows read so far and rows per second."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        rate = "" if speed is None else f"  {speed:,.0f} rows/s"
        return Text(f"{int(task.completed):,} rows{rate}")


def _is_path(token: str) -> bool:
    return os.path.exists(token)


class _EvalCommand(click.Command):
    """Reads ``--pred a b c`` (and ``--label a b c``: multilabel) as three columns and a bare
    ``--dask`` as "start a local cluster".

    click options take one value each, so the words after ``--pred`` or ``--label`` (up to the
    next option or the next existing file or folder) are rewritten into repeated options first.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        out: list[str] = []
        i = 0
        while i < len(args):
            token = args[i]
            if token == "--":
                out.extend(args[i:])
                break
            if token in ("--pred", "--label"):
                i += 1
                taken = 0
                while i < len(args) and not args[i].startswith("-"):
                    if taken and _is_path(args[i]):
                        break
                    out.extend([token, args[i]])
                    taken += 1
                    i += 1
                if not taken:
                    out.append(token)  # click reports the missing value
                continue
            if token == "--dask":
                nxt = args[i + 1] if i + 1 < len(args) else None
                if nxt is None or nxt.startswith("-") or _is_path(nxt):
                    out.append(f"--dask={LOCAL}")
                    i += 1
                    continue
            out.append(token)
            i += 1
        return super().parse_args(ctx, out)


def split_metrics(text: str) -> list[str]:
    """Comma-separated metric names; commas inside parentheses, brackets or quotes belong to a
    name's options ("f1(average=macro),fbeta(average=macro, beta=2)" is two metrics). The
    names are then read by the one parser, :func:`fitscope.metrics.evaluator.parse_key`."""
    from fitscope.metrics.evaluator import split_names

    return split_names(text)


# Losses whose average= runs over the label columns of multilabel targets only.
_LABEL_AVERAGED = ("log_loss", "cross_entropy", "brier_score")


def _with_options(
    names: list[str], average: str | None, beta: float | None, multilabel: bool = False
) -> list[str]:
    """--average / --beta applied to the metrics named without options that take them (the
    losses' average only for multilabel targets, and never "binary": they have none)."""
    from fitscope.metrics._registry import lookup, show_option

    out = []
    for name in names:
        if "(" in name or (average is None and beta is None):
            out.append(name)
            continue
        defaults = lookup(name).defaults
        opts = []
        per_label = name in _LABEL_AVERAGED
        if (
            average is not None
            and "average" in defaults
            and (not per_label or (multilabel and average != "binary"))
        ):
            opts.append(f"average={'None' if average == 'none' else average}")
        if beta is not None and "beta" in defaults:
            # --beta 2 keys the result "fbeta(beta=2)", as typed; 0.1 stays 0.1 (not 6 digits).
            opts.append(f"beta={show_option(int(beta) if beta.is_integer() else beta)}")
        out.append(f"{name}({', '.join(opts)})" if opts else name)
    return out


def _label(text: str) -> Any:
    """A class label typed on the command line: a number when it reads as one."""
    from fitscope.metrics._registry import as_number

    number = as_number(text.strip())
    return text.strip() if number is None else number


@contextmanager
def _progress(total: int | None) -> Iterator[Callable[[int], None] | None]:
    # Only on a terminal: redirected stderr (logs, CI) gets no bar and no stray newlines.
    console = Console(stderr=True)
    if not console.is_terminal:
        yield None
        return
    columns = [TextColumn("evaluating"), BarColumn(), _RowRate(), TimeElapsedColumn()]
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("rows", total=total)
        yield lambda n: bar.advance(task, n)


def _fmt(value: Any, names: tuple[Any, ...] | None = None) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    if names is not None and getattr(value, "shape", None) == (len(names),):
        # Per-label (multilabel) or per-class results, by label name.
        return "  ".join(f"{n}={_fmt(float(x))}" for n, x in zip(names, value, strict=True))
    if hasattr(value, "tolist"):
        return str(value.tolist())
    return str(value)


def _cell(value: Any, names: tuple[Any, ...] | None) -> str | Table:
    """A result's cell: a confusion matrix (square, one row and column per class) as a table
    whose rows (true class) and columns (predicted class) are named by label."""
    n = None if names is None else len(names)
    if n is None or getattr(value, "shape", None) != (n, n) or value.ndim != 2:
        return _fmt(value, names)
    assert names is not None
    grid = Table(box=box.SIMPLE_HEAD, padding=(0, 1), show_edge=False, pad_edge=False)
    grid.add_column("true \\ pred", no_wrap=True)
    for name in names:
        grid.add_column(str(name), justify="right", no_wrap=True)
    for name, row in zip(names, value, strict=True):
        cells = (f"{x:.6g}" if isinstance(x, float | np.floating) else str(x) for x in row)
        grid.add_row(str(name), *cells)
    return grid


def result_tables(result: Any) -> list[Table]:
    """Rich tables for a :class:`fitscope.scale.FileEvaluation`: overall, then segments.
    Per-class (per-label) results and confusion matrices are named by label: the result's
    ``names`` (a segment's own classes in its row)."""
    better = {True: "higher", False: "lower", None: ""}
    names = getattr(result, "names", None)
    overall = Table(box=box.SIMPLE_HEAD, title=f"{result.n_rows:,} rows", title_justify="left")
    overall.add_column("metric", no_wrap=True)
    overall.add_column("value", justify="right")
    overall.add_column("better")
    for key, value in result.metrics.items():
        overall.add_row(key, _cell(value, names), better[result.higher_is_better[key]])
    tables = [overall]
    if result.by is not None:
        seg = Table(
            box=box.SIMPLE_HEAD,
            title=f"by {result.by} (weakest first)",
            title_justify="left",
        )
        seg.add_column(result.by, no_wrap=True)
        seg.add_column("rows", justify="right")
        for key in result.metrics:
            seg.add_column(key, justify="right")
        for s in result.segments:
            own = s.classes if getattr(s, "classes", None) is not None else names
            seg.add_row(
                str(s.value),
                f"{s.n_rows:,}",
                *(_cell(s.metrics[k], own) for k in result.metrics),
            )
        tables.append(seg)
    return tables


@click.command(name="eval", cls=_EvalCommand)
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option(
    "--label",
    required=True,
    multiple=True,
    metavar="COL [COL ...]",
    help="Column of true labels (or targets); several columns, or a pattern such as "
    "'y_true.*': multilabel 0/1 indicators, one column per label.",
)
@click.option(
    "--pred",
    required=True,
    multiple=True,
    metavar="COL [COL ...]",
    help="Probability (or logit) column of class 1, or a column of predicted labels (text or "
    "integers); several columns: one per class, in order (multilabel: one per label column, "
    "or a pattern such as 'y_pred.*' paired by label).",
)
@click.option("--weight", metavar="COL", help="Column of sample weights.")
@click.option("--by", metavar="COL", help="Metrics per value of this column, weakest first.")
@click.option(
    "--metrics",
    default="accuracy,log_loss",
    show_default=True,
    help="Comma-separated metric names (see `fitscope metrics`).",
)
@click.option(
    "--average",
    type=click.Choice(["binary", "micro", "macro", "weighted", "samples", "none"]),
    help="Averaging for the metrics that take one (precision, recall, f1, fbeta, roc_auc, "
    "average_precision; multilabel log_loss, brier_score) and are named without options; "
    "none: one value per class (label); samples: per row (multilabel).",
)
@click.option("--beta", type=float, help="beta of fbeta (also: --metrics 'fbeta(beta=2)').")
@click.option(
    "--labels",
    "class_labels",
    metavar="A,B,...",
    help="The classes and their order (columns of --pred map to them); text or numbers. "
    "Multilabel: the labels to score, by name or column index.",
)
@click.option("--pos-label", metavar="LABEL", help="The positive class (binary metrics).")
@click.option(
    "--threshold",
    type=float,
    default=0.5,
    show_default=True,
    help="Predict class 1 when its probability is at least this (binary).",
)
@click.option("--logits", is_flag=True, help="The prediction columns hold raw scores (logits).")
@click.option("--drop-nan", is_flag=True, help="Skip rows with NaN or missing values.")
@click.option(
    "--ranking",
    type=click.Choice(["exact", "binned"]),
    default="exact",
    show_default=True,
    help="roc_auc / average_precision: exact (keeps every score) or binned (fixed memory).",
)
@click.option(
    "--chunk-rows", type=int, default=CHUNK_ROWS, show_default=True, help="Rows per chunk read."
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option(
    "--dask",
    metavar="[ADDRESS]",
    default=None,
    help="Run on a Dask cluster: a scheduler address, or alone to start a local one.",
)
@click.option("--workers", type=int, default=2, show_default=True, help="Local cluster workers.")
def eval_command(
    paths: tuple[str, ...],
    label: tuple[str, ...],
    pred: tuple[str, ...],
    weight: str | None,
    by: str | None,
    metrics: str,
    average: str | None,
    beta: float | None,
    class_labels: str | None,
    pos_label: str | None,
    threshold: float,
    logits: bool,
    drop_nan: bool,
    ranking: str,
    chunk_rows: int,
    as_json: bool,
    dask: str | None,
    workers: int,
) -> None:
    """Evaluate predictions in CSV or Parquet files (or folders of them), in bounded memory.

    Example: fitscope eval preds.parquet --label y --pred p --metrics accuracy,log_loss,roc_auc

    Multilabel: fitscope eval preds.csv --label 'y_true.*' --pred 'y_pred.*' --average macro

    The label column may hold class names. Metric options go in the name, as fitscope prints
    them ("f1(average=macro)"), or through --average / --beta for every metric that takes them.
    """
    from fitscope.scale import evaluate_dask, evaluate_file
    from fitscope.scale._sources import plan, resolve_paths

    columns = [c.strip() for p in pred for c in p.split(",") if c.strip()]
    label_columns = [c.strip() for x in label for c in x.split(",") if c.strip()]
    multilabel = len(label_columns) > 1 or any("*" in c for c in label_columns)
    names = _with_options(split_metrics(metrics), average, beta, multilabel)
    kwargs: dict[str, Any] = {
        "label": label_columns[0] if len(label_columns) == 1 else label_columns,
        "pred": columns,
        "weight": weight,
        "by": by,
        "metrics": names,
        "threshold": threshold,
        "from_logits": logits,
        "drop_nan": drop_nan,
        "ranking": ranking,
        "chunk_rows": chunk_rows,
        "labels": None if class_labels is None else [_label(t) for t in class_labels.split(",")],
        "pos_label": None if pos_label is None else _label(pos_label),
    }
    pieces = plan(resolve_paths(list(paths)))
    sizes = [p.n_rows for p in pieces]
    total = None if any(s is None for s in sizes) else sum(s or 0 for s in sizes)
    with _progress(total) as progress:
        if dask is None:
            result = evaluate_file(list(paths), progress=progress, **kwargs)
        else:
            scheduler = None if dask == LOCAL else dask
            result = evaluate_dask(
                list(paths), scheduler=scheduler, n_workers=workers, progress=progress, **kwargs
            )
    if as_json:
        click.echo(
            json.dumps(result.to_dict(), indent=2, default=str)
        )  # segment values such as dates
        return
    console = Console(highlight=False)
    for table in result_tables(result):
        console.print(table)
    for s in result.segments:
        for key, why in s.undefined.items():
            console.print(f"{result.by}={s.value}: {key} is nan: {why}", soft_wrap=True)
    if result.n_dropped:
        console.print(f"dropped {result.n_dropped:,} row(s) with NaN or missing values")
