"""``fitscope metrics``: the registered metrics, whether higher is better, what each measures."""

from __future__ import annotations

import click
from rich import box
from rich.console import Console
from rich.table import Table

from fitscope import metrics

__all__ = ["metrics_command", "metrics_table"]


def metrics_table() -> Table:
    """Return a table of every metric in :func:`fitscope.metrics.available`."""
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("name", no_wrap=True)
    table.add_column("better", no_wrap=True)
    table.add_column("description")
    for info in metrics.available():
        better = {True: "higher", False: "lower", None: "n/a"}[info.higher_is_better]
        table.add_row(info.name, better, info.description)
    return table


@click.command(name="metrics")
def metrics_command() -> None:
    """List the registered metrics.

    Each metric's name (as accepted by fitscope.evaluate and fitscope.Evaluator), whether a
    higher value is better, and a one-line description.
    """
    Console(highlight=False).print(metrics_table())
