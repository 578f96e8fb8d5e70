"""``fitscope runs``: list, show, delete, tag and export the runs in a store.

Every command takes ``--store`` (a path or URL); without it the store is $FITSCOPE_STORE, else
``./.fitscope/fitscope.db``, the same rule as :func:`fitscope.init`.

Why one long file: one short click command per verb (list, show, rm, tag, untag, export), each
with its own options and help; they share the store opening, the run lookup and the tables.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import json
import math
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

from fitscope.cli._options import store_option
from fitscope.errors import InvalidInputError

if TYPE_CHECKING:
    from rich.console import Console

    from fitscope.track import RunRecord, Store

# rich and the store (SQLAlchemy) are imported inside the commands that use them, so
# `fitscope runs --help` and the other commands' start-up do not pay for them.

__all__ = ["export_rows", "runs_command"]


_STATUS_STYLE = {"running": "cyan", "finished": "green", "failed": "red", "crashed": "magenta"}
# Shown first in `show`, in this order; other metrics follow alphabetically.
_FIRST = ("loss", "accuracy")


def _open(store_url: str | None) -> Store:
    # Reading commands never create a store: a wrong --store should say so, not show an
    # empty one.
    from fitscope.track import Store

    return Store(store_url, create=False)


def _console() -> Console:
    from rich.console import Console

    return Console(highlight=False)


def _when(t: float | None, *, seconds: bool = True, short: bool = False) -> str:
    if t is None:
        return "-"
    day = "%m-%d" if short else "%Y-%m-%d"
    return dt.datetime.fromtimestamp(t).strftime(f"{day} %H:%M" + (":%S" if seconds else ""))


def _duration(record: RunRecord) -> str:
    return _seconds(record.duration)


def _seconds(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"


def _status(status: str) -> str:
    return f"[{_STATUS_STYLE.get(status, 'white')}]{status}[/]"


def _number(value: Any, *, digits: int = 6) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:.{digits}g}"


@click.group(name="runs")
def runs_command() -> None:
    """List, show, delete, tag and export tracked runs."""


def _config_item(item: str) -> tuple[str, Any]:
    key, sep, raw = item.partition("=")
    if not sep or not key:
        raise InvalidInputError(f"--config must be KEY=VALUE. Got {item!r} instead.")
    try:
        return key, json.loads(raw)
    except json.JSONDecodeError:
        return key, raw


@runs_command.command(name="list")
@store_option()
@click.option("--project", default=None, help="Only runs of this project.")
@click.option("--tag", "tags", multiple=True, help="Only runs with this tag (repeatable: all).")
@click.option(
    "--status",
    type=click.Choice(["running", "finished", "failed", "crashed"]),
    default=None,
    help="Only runs with this status.",
)
@click.option(
    "--config",
    "config_items",
    multiple=True,
    metavar="KEY=VALUE",
    help="Only runs whose config has KEY (dotted for nested) equal to VALUE, read as JSON when "
    "it parses (lr=0.1, layers=[64,32]), else as a string (repeatable: all).",
)
@click.option(
    "--metric",
    "metric_filters",
    multiple=True,
    metavar="FIELD<OP>NUMBER",
    help="Only runs whose summary passes this filter, e.g. 'best:val/loss<0.5' (repeatable).",
)
@click.option("--search", default=None, help="Only runs whose name contains this text.")
@click.option(
    "--sort",
    default="-start_time",
    show_default=True,
    help="Field to sort by, '-' in front for descending: start_time, duration, name, "
    "status, config.KEY, best:SPLIT/METRIC, last:SPLIT/METRIC.",
)
@click.option(
    "--limit", type=click.IntRange(1, 10_000), default=50, show_default=True,
    help="Runs to show.",
)  # fmt: skip
@click.option("--all", "show_all", is_flag=True, help="Show every matching run (no limit).")
@click.option(
    "--columns",
    "columns_wanted",
    default="",
    metavar="KEY,KEY",
    help="Config keys to show as columns (dotted for nested, comma-separated), e.g. "
    "--columns lr,optimizer.name; 'config' shows every key any run has.",
)
def list_command(
    store_url: str | None,
    project: str | None,
    tags: tuple[str, ...],
    status: str | None,
    config_items: tuple[str, ...],
    metric_filters: tuple[str, ...],
    search: str | None,
    sort: str,
    limit: int,
    show_all: bool,
    columns_wanted: str,
) -> None:
    """List the runs in the store: the latest 50 by default, with each run's best validation
    loss and accuracy (read from the run summaries, so a store of any size lists at once)."""
    from rich import box
    from rich.table import Table

    store = _open(store_url)
    config = dict(_config_item(item) for item in config_items)
    page = store.run_page(
        project=project,
        tags=list(tags),
        status=status,
        config=config,
        metrics=metric_filters,
        search=search,
        sort=sort,
        limit=None if show_all else limit,
    )
    console = _console()
    if not page.rows:
        console.print(f"No runs in {store.safe_url}" + (" match." if page.total else "."))
        return
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True)
    # Names, projects and tags wrap in a narrow terminal; the short fixed-width columns never
    # do, so an id stays copyable and a status readable. Project and tags only take room
    # when the page has more than one project / any tag; the duration is in `runs show`
    # (an 80-column terminal is the aim).
    with_project = len({row["project"] for row in page.rows}) > 1
    with_tags = any(row["tags"] for row in page.rows)
    columns = ["id", "name"] + (["project"] if with_project else [])
    columns += ["status", "started", "val loss", "val acc"]
    columns += ["tags"] if with_tags else []
    for column in columns:
        fixed = column not in ("name", "project", "tags")
        table.add_column(
            column,
            no_wrap=fixed,
            overflow="ellipsis" if fixed else "fold",
            min_width={"name": 8, "project": 7, "tags": 5}.get(column),
        )
    from fitscope.views.hyperparams import flatten_config

    flat = [flatten_config(row["config"]) for row in page.rows]
    keys = [k.strip() for k in columns_wanted.split(",") if k.strip()]
    if keys == ["config"]:
        keys = sorted(set().union(*flat))
    for key in keys:
        table.add_column(key, overflow="fold", style="cyan")
    for row, config in zip(page.rows, flat, strict=True):
        cells = [row["id"][:8], row["name"]] + ([row["project"]] if with_project else [])
        cells += [
            _status(row["status"]),
            _when(row["start_time"], seconds=False, short=True),
            _number(row["best_val_loss"], digits=4),
            _number(row["best_val_accuracy"], digits=4),
        ]
        cells += [", ".join(row["tags"])] if with_tags else []
        cells += [json.dumps(config[k]) if k in config else "-" for k in keys]
        table.add_row(*cells)
    console.print(table)
    if page.next_offset is not None:
        console.print(
            f"{len(page.rows)} of {page.total} runs shown (--all for every one, --limit N "
            "for more)."
        )


@runs_command.command(name="show")
@click.argument("run")
@store_option()
def show_command(run: str, store_url: str | None) -> None:
    """Show one RUN (an id, a unique id prefix or a name): status, duration, config, tags,
    and the final and best value of every metric on every split."""
    from rich import box
    from rich.table import Table

    # Snapshots too: the held-out numbers get their 95% interval and n from them.
    record = _open(store_url).get_run(run)
    console = _console()
    console.print(f"[bold]{record.name}[/]  {record.id}")
    facts = Table.grid(padding=(0, 2))
    facts.add_row("project", record.project)
    facts.add_row("status", _status(record.status))
    facts.add_row("started", _when(record.start_time))
    facts.add_row("ended", _when(record.end_time))
    facts.add_row("duration", _duration(record))
    facts.add_row("tags", ", ".join(record.tags) or "-")
    if record.refused:
        facts.add_row("refused", f"[red]{record.refused} point(s) the store would not hold[/]")
    console.print(facts)
    if record.config:
        console.print("\n[bold]config[/]")
        config = Table.grid(padding=(0, 2))
        for key, value in sorted(record.config.items()):
            config.add_row(str(key), json.dumps(value, default=repr))
        console.print(config)
    summary = record.summary
    if not summary:
        console.print("\nNo metrics logged.")
        return
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for column in ("split", "metric", "final", "at step", "best", "at step", "points"):
        table.add_column(column, no_wrap=True, justify="right" if column != "split" else "left")
    table.columns[1].justify = "left"

    def order(key: str) -> tuple[str, int, str]:
        split, metric = key.split("/", 1)
        rank = _FIRST.index(metric) if metric in _FIRST else len(_FIRST)
        return (split, rank, metric)

    for key in sorted(summary, key=order):
        split, metric = key.split("/", 1)
        s = summary[key]
        table.add_row(
            split,
            metric,
            _number(s["final"]),
            _number(s["final_step"]),
            _number(s["best"]),
            _number(s["best_step"]),
            str(s["points"]),
        )
    console.print()
    console.print(table)
    _print_intervals(console, record)


def _print_intervals(console: Console, record: RunRecord) -> None:
    """Held-out numbers with their 95% interval and n, from the latest snapshots (issue 18)."""
    from rich import box
    from rich.table import Table

    from fitscope.stats.held_out import held_out_intervals

    rows = held_out_intervals(record)
    if not rows:
        console.print(
            "\nHeld-out numbers have no interval: the run logged no prediction snapshot of a "
            "held-out split, so n is unknown (run.log_predictions(y_true, y_pred, split='val'))."
        )
        return
    table = Table(
        title="held-out, latest snapshots (95% intervals)",
        box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False,
    )  # fmt: skip
    for column in ("split", "step", "metric", "value", "95% interval", "n", "method"):
        right = column in ("step", "value", "n")
        table.add_column(column, justify="right" if right else "left", no_wrap=column != "method")

    def short(value: Any) -> str:
        return "-" if value is None else f"{value:.4g}"

    for r in rows:
        interval = f"[{short(r['ci_low'])}, {short(r['ci_high'])}]"
        table.add_row(r["split"], str(r["step"]), r["metric"], short(r["value"]), interval,
                      f"{r['n']:,}", r["method"])  # fmt: skip
    console.print()
    console.print(table)


@runs_command.command(name="rm")
@click.argument("run")
@store_option()
@click.option("--yes", "-y", is_flag=True, help="Delete without asking.")
def rm_command(run: str, store_url: str | None, yes: bool) -> None:
    """Delete RUN and everything it logged."""
    store = _open(store_url)
    record = store.get_run(run, series=False, predictions=False)
    if not yes:
        click.confirm(
            f"Delete run {record.name!r} ({record.id[:8]}, {record.status}) from {store.safe_url}?",
            abort=True,
        )
    store.delete_run(record.id)
    click.echo(f"Deleted run {record.name!r} ({record.id}).")


@runs_command.command(name="tag")
@click.argument("run")
@click.argument("tags", nargs=-1, required=True)
@store_option()
def tag_command(run: str, tags: tuple[str, ...], store_url: str | None) -> None:
    """Add TAGS to RUN."""
    store = _open(store_url)
    record = store.get_run(run, series=False, predictions=False)
    store.tag_run(record.id, *tags)
    tagged = store.get_run(record.id, series=False, predictions=False)
    click.echo(f"Tagged run {record.name!r}: {', '.join(tagged.tags)}")


@runs_command.command(name="untag")
@click.argument("run")
@click.argument("tags", nargs=-1, required=True)
@store_option()
def untag_command(run: str, tags: tuple[str, ...], store_url: str | None) -> None:
    """Remove TAGS from RUN."""
    store = _open(store_url)
    record = store.get_run(run)
    store.untag_run(record.id, *tags)
    left = store.get_run(record.id).tags
    click.echo(f"Untagged run {record.name!r}: {', '.join(left) if left else 'no tags left'}")


def export_rows(record: RunRecord) -> Iterator[tuple[str, str, int, float, float]]:
    """Every logged point of ``record`` as (split, metric, step, value, time), series by
    series in (split, metric) order, each ordered by step."""
    for split, metric in record.series():
        history = record.history(metric, split)
        yield from zip(
            [split] * len(history),
            [metric] * len(history),
            history.steps.tolist(),
            history.values.tolist(),
            history.times.tolist(),
            strict=True,
        )


def _json_number(value: float) -> float | str:
    # Strict JSON has no NaN or infinity: they are written as the strings JavaScript's
    # Number() and Python's float() both read back.
    if math.isfinite(value):
        return value
    return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")


def _write_export(record: RunRecord, fmt: str, out: IO[str]) -> int:
    count = 0
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["split", "metric", "step", "value", "time"])
        for row in export_rows(record):
            writer.writerow(row)
            count += 1
        return count
    points = []
    for split, metric, step, value, time in export_rows(record):
        points.append(
            {
                "split": split,
                "metric": metric,
                "step": step,
                "value": _json_number(value),
                "time": time,
            }
        )
    document = {
        "id": record.id,
        "name": record.name,
        "project": record.project,
        "status": record.status,
        "config": record.config,
        "tags": record.tags,
        "start_time": record.start_time,
        "end_time": record.end_time,
        "points": points,
    }
    json.dump(_strict(document), out, allow_nan=False)
    out.write("\n")
    return len(points)


def _write_atomically(path: Path, write: Callable[[IO[str]], int]) -> int:
    """Run ``write`` on a temporary file beside ``path`` and rename it over ``path`` when it
    succeeds: readers never see a half-written export, and a failure leaves no file."""
    folder = path.resolve().parent
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.chmod(temp, 0o666 & ~umask)  # what open() would have made, not mkstemp's 0600
        with os.fdopen(handle, "w", newline="", encoding="utf-8") as out:
            count = write(out)
        os.replace(temp, path)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        if isinstance(error, OSError):
            raise InvalidInputError(
                f"--output must be a file that can be written. Writing {str(path)!r} failed: "
                f"{error.strerror or error}. Nothing was written; an existing file is unchanged."
            ) from error
        raise
    return count


def _strict(value: Any) -> Any:
    """``value`` with every non-finite float (in the config too) as its string form, so the
    document is strict JSON; anything else JSON cannot hold (a config stored by an older
    fitscope) as its repr."""
    if isinstance(value, float):
        return _json_number(value)
    if isinstance(value, dict):
        return {str(k): _strict(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_strict(v) for v in value]
    if value is None or isinstance(value, str | int | bool):
        return value
    return repr(value)


@runs_command.command(name="export")
@click.argument("run")
@store_option()
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Write to this file instead of stdout.",
)
def export_command(run: str, store_url: str | None, fmt: str, output: str | None) -> None:
    """Export every point RUN logged, long format: split, metric, step, value, time (unix
    seconds). JSON also carries the run's name, status, config and tags; NaN and infinity
    are written as the strings "NaN", "Infinity", "-Infinity"."""
    record = _open(store_url).get_run(run)
    if output is None:
        _write_export(record, fmt, sys.stdout)
        return
    count = _write_atomically(Path(output), lambda out: _write_export(record, fmt, out))
    click.echo(f"Wrote {count} points of run {record.name!r} to {output}.", err=True)
