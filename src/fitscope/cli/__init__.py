"""The ``fitscope`` command: thin commands over the library.

Every command is a click command on :data:`cli`, a :class:`FitscopeGroup`. The commands load
lazily (click's lazy-group pattern): :data:`COMMANDS` names each command's module and one-line
help, ``fitscope --help`` is written from that table, and a command's module (with rich,
SQLAlchemy, scipy...) is imported only when that command runs or shows its own help, so a fresh
``fitscope runs list`` pays only for what listing needs. tests/cli/test_cli.py checks that the
table's help is the command's own. The group turns any
:class:`~fitscope.errors.FitscopeError` raised while a command parses or runs into
``Error: <message>`` on stderr and exit code 1, with the message exactly as the library wrote it
and no traceback. When the error names the Python argument its fix is about (``store=``), a
line follows saying which option of this command line that is (``--store``). Any other
exception is a bug and keeps its traceback.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping, Sequence
from contextlib import contextmanager
from importlib import import_module
from typing import Any, NamedTuple

import click

from fitscope.errors import FitscopeError

__all__ = ["COMMANDS", "FitscopeGroup", "LazyCommand", "cli", "click_error", "main"]
__all__ += ["translate_errors"]


class LazyCommand(NamedTuple):
    """Where a command lives (``module:attribute``) and its help's first paragraph."""

    target: str
    help: str


#: Every command of ``fitscope``: name -> where it is defined and the first paragraph of its
#: help (what ``fitscope --help`` shows without importing it; a test keeps it equal to the
#: command's docstring).
COMMANDS: dict[str, LazyCommand] = {
    "compare": LazyCommand(
        "fitscope.cli.compare:compare_command",
        "Compare RUNS (ids, id prefixes or names) against the first, on their latest prediction "
        "snapshots of --split: both values, B - A with its 95% interval, a p-value with the test "
        "named, and a verdict. Paired tests when both runs scored the same samples.",
    ),
    "demo": LazyCommand(
        "fitscope.cli.demo:demo_command",
        "Show why loss and accuracy disagree, from three people to a real run.",
    ),
    "doctor": LazyCommand(
        "fitscope.cli.doctor:doctor_command",
        "Explain a run's loss and accuracy curves, or a set of predictions.",
    ),
    "eval": LazyCommand(
        "fitscope.cli.eval:eval_command",
        "Evaluate predictions in CSV or Parquet files (or folders of them), in bounded memory.",
    ),
    "import": LazyCommand(
        "fitscope.cli.importer:import_command",
        "Import the log at PATH as new runs (one per run it holds).",
    ),
    "metrics": LazyCommand("fitscope.cli.metrics:metrics_command", "List the registered metrics."),
    "plot": LazyCommand(
        "fitscope.cli.views:plot_command",
        "Write RUN's loss and accuracy curves as PNG files (matplotlib).",
    ),
    "report": LazyCommand(
        "fitscope.cli.views:report_command",
        "Write one self-contained HTML report of RUN (id, id prefix or name); opens offline.",
    ),
    "runs": LazyCommand(
        "fitscope.cli.runs:runs_command", "List, show, delete, tag and export tracked runs."
    ),
    "sync": LazyCommand(
        "fitscope.cli.sync:sync_command",
        "Upload the runs waiting in the spool (logged offline, or while the server was away).",
    ),
    "ui": LazyCommand(
        "fitscope.cli.views:ui_command",
        "Serve the web dashboard (runs, curves, predictions, compare).",
    ),
}


class _Commands(MutableMapping[str, click.Command]):
    """A group's commands, the lazy ones imported on first lookup.

    click's lazy-group recipe overrides ``get_command``/``list_commands``; keeping the mapping
    itself lazy too means code that reads ``group.commands`` (the docs tool, the tests,
    ``add_command`` from elsewhere) sees every command without importing the others first.
    """

    def __init__(self, lazy: dict[str, LazyCommand]) -> None:
        self._lazy = dict(lazy)
        self._loaded: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._loaded:
            if name not in self._lazy:
                raise KeyError(name)
            module, _, attribute = self._lazy[name].target.partition(":")
            command = getattr(import_module(module), attribute)
            if not isinstance(command, click.Command):  # a wrong table entry is a bug
                raise TypeError(f"{self._lazy[name].target} is not a click command")
            self._loaded[name] = command
        return self._loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._loaded[name] = command
        self._lazy.pop(name, None)

    def __delitem__(self, name: str) -> None:
        if name not in self:
            raise KeyError(name)
        self._loaded.pop(name, None)
        self._lazy.pop(name, None)

    def __contains__(self, name: object) -> bool:
        return name in self._loaded or name in self._lazy

    def __iter__(self) -> Iterator[str]:
        return iter(sorted({*self._loaded, *self._lazy}))

    def __len__(self) -> int:
        return len({*self._loaded, *self._lazy})

    def short_help_command(self, name: str) -> click.Command:
        """The command when loaded, else a stand-in carrying only its help (for the listing)."""
        if name in self._loaded:
            return self._loaded[name]
        return click.Command(name, help=self._lazy[name].help)


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
    """A click group whose commands (and subgroups) report FitscopeError cleanly.

    ``lazy_commands`` (name -> :class:`LazyCommand`) are imported only when looked up; the
    group's own help lists them from their table entries without importing them.
    """

    def __init__(
        self,
        *args: Any,
        lazy_commands: dict[str, LazyCommand] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        commands = _Commands(lazy_commands or {})
        for name, command in self.commands.items():
            commands[name] = command
        self.commands = commands

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # click's own, but reading the help of a command not loaded yet from its table entry.
        commands = self.commands
        if not isinstance(commands, _Commands):
            return super().format_commands(ctx, formatter)
        shown = [(n, commands.short_help_command(n)) for n in self.list_commands(ctx)]
        shown = [(n, c) for n, c in shown if not c.hidden]
        if shown:
            limit = formatter.width - 6 - max(len(n) for n, _ in shown)
            with formatter.section("Commands"):
                formatter.write_dl([(n, c.get_short_help_str(limit)) for n, c in shown])
        return None

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


@click.group(
    cls=FitscopeGroup,
    lazy_commands=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(package_name="fitscope", prog_name="fitscope")
def cli() -> None:
    """fitscope: watch and understand loss and accuracy."""


def main(argv: Sequence[str] | None = None) -> None:
    """Run the ``fitscope`` command (the console script's entry point); exits the process."""
    cli.main(args=argv, prog_name="fitscope")
