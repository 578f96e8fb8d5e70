"""The ``fitscope`` command: thin commands over the library.

Every command is a click command on :data:`cli`, a :class:`FitscopeGroup`. The group turns any
:class:`~fitscope.errors.FitscopeError` raised while a command parses or runs into
``Error: <message>`` on stderr and exit code 1, with the message exactly as the library wrote it
and no traceback. Any other exception is a bug and keeps its traceback.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import click

from fitscope.cli.compare import compare_command
from fitscope.cli.demo import demo_command
from fitscope.cli.doctor import doctor_command
from fitscope.cli.eval import eval_command
from fitscope.cli.importer import import_command
from fitscope.cli.metrics import metrics_command
from fitscope.cli.runs import runs_command
from fitscope.cli.views import plot_command, report_command, ui_command
from fitscope.errors import FitscopeError

__all__ = ["FitscopeGroup", "cli", "main", "translate_errors"]


@contextmanager
def translate_errors() -> Iterator[None]:
    """Re-raise a FitscopeError as a ClickException carrying the same message.

    click prints a ClickException as ``Error: <message>`` on stderr and exits with code 1,
    which is the CLI's whole error contract; the message is passed through, never re-worded.
    """
    try:
        yield
    except FitscopeError as error:
        raise click.ClickException(str(error)) from error


class FitscopeGroup(click.Group):
    """A click group whose commands (and subgroups) report FitscopeError cleanly."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        # Option callbacks of the group itself run here, before invoke().
        with translate_errors():
            return super().make_context(info_name, args, parent=parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        # Subcommands are parsed and run inside the group's invoke(), so this covers them all.
        with translate_errors():
            return super().invoke(ctx)


@click.group(cls=FitscopeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="fitscope", prog_name="fitscope")
def cli() -> None:
    """fitscope: watch and understand loss and accuracy."""


cli.add_command(demo_command)
cli.add_command(metrics_command)
cli.add_command(runs_command)
cli.add_command(doctor_command)
cli.add_command(eval_command)
cli.add_command(ui_command)
cli.add_command(report_command)
cli.add_command(plot_command)
cli.add_command(import_command)
cli.add_command(compare_command)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the ``fitscope`` command (the console script's entry point); exits the process."""
    cli.main(args=argv, prog_name="fitscope")
