"""The ``fitscope`` command: thin commands over the library.

Every command is a click command on :data:`cli`, a :class:`FitscopeGroup`. The group turns any
:class:`~fitscope.errors.FitscopeError` raised while a command parses or runs into
``Error: <message>`` on stderr and exit code 1, with the message exactly as the library wrote it
and no traceback. When the error names the Python argument its fix is about (``store=``), a
line follows saying which option of this command line that is (``--store``). Any other
exception is a bug and keeps its traceback.
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
from fitscope.cli.sync import sync_command
from fitscope.cli.views import plot_command, report_command, ui_command
from fitscope.errors import FitscopeError

__all__ = ["FitscopeGroup", "cli", "click_error", "main", "translate_errors"]


@contextmanager
def translate_errors(command: click.Command | None = None) -> Iterator[None]:
    """Re-raise a FitscopeError as a ClickException carrying the same message.

    click prints a ClickException as ``Error: <message>`` on stderr and exits with code 1,
    which is the CLI's whole error contract; the message is passed through, never re-worded.
    When the error names its ``argument`` and ``command`` (or a command under it) has the
    option spelt like it (``drop_nan`` -> ``--drop-nan``), one line says so.
    """
    try:
        yield
    except FitscopeError as error:
        raise click_error(error, command) from error


def click_error(error: FitscopeError, command: click.Command | None) -> click.ClickException:
    """``error``'s message as is, plus the line naming the option for its argument."""
    message = str(error)
    option = _option_for(error.argument, command)
    if option is not None:
        message += f"\n(On the command line, {error.argument}= is the option {option}.)"
    return click.ClickException(message)


def _option_for(argument: str | None, command: click.Command | None) -> str | None:
    """The option that stands for the library's ``argument`` in ``command``'s tree, if any."""
    if argument is None or command is None:
        return None
    wanted = "--" + argument.replace("_", "-")
    commands = [command]
    while commands:
        cmd = commands.pop()
        if any(wanted in p.opts for p in cmd.params if isinstance(p, click.Option)):
            return wanted
        if isinstance(cmd, click.Group):
            commands.extend(cmd.commands.values())
    return None


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
        with translate_errors(self):
            return super().make_context(info_name, args, parent=parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        # Subcommands are parsed and run inside the group's invoke(), so this covers them all.
        try:
            return super().invoke(ctx)
        except FitscopeError as error:
            name = ctx.invoked_subcommand  # set by now: the options to look in are its own
            sub = self.get_command(ctx, name) if name else None
            raise click_error(error, sub or self) from error


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
cli.add_command(sync_command)
cli.add_command(compare_command)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the ``fitscope`` command (the console script's entry point); exits the process."""
    cli.main(args=argv, prog_name="fitscope")
