"""The ``fitscope`` command: help on every command and the error contract (the demo's own
tests are in test_demo_cli.py)."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

import fitscope
import fitscope.metrics
from fitscope.cli import FitscopeGroup, cli, main
from fitscope.errors import FitscopeError, InvalidInputError

MESSAGE = "y_pred must be probabilities in [0, 1]. Got 1.5 at index 3 instead."


def _all_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command path under ``group``, nested groups included."""
    paths: list[tuple[str, ...]] = []
    for name, command in group.commands.items():
        paths.append((*prefix, name))
        if isinstance(command, click.Group):
            paths.extend(_all_commands(command, (*prefix, name)))
    return paths


def test_group_help() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    for name in cli.commands:
        assert name in result.output


def test_expected_commands_are_registered() -> None:
    assert {"demo", "metrics"} <= set(cli.commands)


@pytest.mark.parametrize("path", _all_commands(cli), ids=" ".join)
def test_every_command_has_help(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    # A command without a docstring gets an empty help text.
    command = cli
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    assert command.get_short_help_str()


def test_version() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert version("fitscope") in result.output


def test_demo_rejects_an_unknown_language() -> None:
    result = CliRunner().invoke(cli, ["demo", "--lang", "xx"])
    assert result.exit_code == 2
    assert "xx" in result.stderr


def test_metrics_lists_every_registered_metric() -> None:
    result = CliRunner().invoke(cli, ["metrics"])
    assert result.exit_code == 0, result.output
    for name in ("accuracy", "log_loss", "f1", "roc_auc"):
        assert name in result.output


# The error contract: a FitscopeError becomes "Error: <message>" on stderr and exit code 1.


def _assert_clean_error(result: Result, message: str) -> None:
    assert result.exit_code == 1
    assert result.stderr == f"Error: {message}\n"
    assert result.stdout == ""
    assert "Traceback" not in result.output


def test_fitscope_error_in_a_command_is_reported_cleanly() -> None:
    @click.group(cls=FitscopeGroup)
    def group() -> None:
        pass

    @group.command()
    def broken() -> None:
        raise InvalidInputError(MESSAGE)

    _assert_clean_error(CliRunner().invoke(group, ["broken"]), MESSAGE)


def test_fitscope_error_in_a_nested_group_and_option_callback() -> None:
    def reject(ctx: click.Context, param: click.Parameter, value: str) -> str:
        raise FitscopeError(f"--level must be low or high. Got {value!r} instead.")

    @click.group(cls=FitscopeGroup)
    def group() -> None:
        pass

    @group.group(cls=FitscopeGroup)
    def sub() -> None:
        pass

    @sub.command()
    @click.option("--level", callback=reject)
    def run(level: str) -> None:
        pass

    result = CliRunner().invoke(group, ["sub", "run", "--level", "mid"])
    _assert_clean_error(result, "--level must be low or high. Got 'mid' instead.")


def test_other_exceptions_are_not_swallowed() -> None:
    @click.group(cls=FitscopeGroup)
    def group() -> None:
        pass

    @group.command()
    def buggy() -> None:
        raise RuntimeError("a bug")

    result = CliRunner().invoke(group, ["buggy"])
    assert isinstance(result.exception, RuntimeError)


def test_real_command_reports_library_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> object:
        raise InvalidInputError(MESSAGE)

    monkeypatch.setattr(fitscope.metrics, "available", fail)
    _assert_clean_error(CliRunner().invoke(cli, ["metrics"]), MESSAGE)


def test_main_runs_the_group(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["metrics"])
    assert exit_info.value.code == 0
    assert "log_loss" in capsys.readouterr().out


def test_an_argument_error_keeps_its_words_and_names_the_option(tmp_path: Path) -> None:
    """The library says store=; the command line adds that it is --store, re-wording nothing."""
    missing = tmp_path / "missing.db"
    with pytest.raises(fitscope.StoreError) as info:
        fitscope.Store(missing, create=False)
    assert "Pass store=PATH|URL" in str(info.value) and "--store" not in str(info.value)
    result = CliRunner().invoke(cli, ["runs", "list", "--store", str(missing)])
    assert result.exit_code == 1
    assert f"Error: {info.value}\n" in result.output
    assert "(On the command line, store= is the option --store.)" in result.output


def test_an_argument_without_such_an_option_gets_no_extra_line() -> None:
    @click.group(cls=FitscopeGroup)
    def group() -> None:
        pass

    @group.command()
    @click.option("--level")
    def run(level: str) -> None:
        raise InvalidInputError(MESSAGE, argument="y_pred")

    result = CliRunner().invoke(group, ["run"])
    _assert_clean_error(result, MESSAGE)
    assert "On the command line" not in result.output


def test_the_lazy_table_holds_every_command_s_own_help() -> None:
    """`fitscope --help` is written from COMMANDS without importing the commands: the help it
    shows must be what each command would show itself, at any width."""
    from fitscope.cli import COMMANDS

    assert set(COMMANDS) == set(cli.commands)
    for name, entry in COMMANDS.items():
        stand_in = click.Command(name, help=entry.help)
        for limit in (45, 66, 200):
            assert stand_in.get_short_help_str(limit) == cli.commands[name].get_short_help_str(
                limit
            ), name


def test_group_help_does_not_import_the_commands() -> None:
    """A fresh `fitscope --help` imports neither a command's module nor the store (SQLAlchemy),
    rich or scipy; numpy comes with `import fitscope` itself (the metrics) and is allowed."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from fitscope.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('sqlalchemy', 'rich', 'scipy', 'fitscope.track', 'fitscope.cli.runs')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy or m in heavy))\n"
    )
    src = str(Path(fitscope.__file__).resolve().parents[1])
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": src, "PATH": ""},
        check=True,
    )
    assert "runs" in result.stdout  # the listing was printed
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_runs_help_does_not_import_the_store() -> None:
    """`fitscope runs --help` loads the runs commands but not SQLAlchemy or rich."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from fitscope.cli import main\n"
        "try:\n"
        "    main(['runs', 'list', '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'rich')))\n"
    )
    src = str(Path(fitscope.__file__).resolve().parents[1])
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": src, "PATH": ""},
        check=True,
    )
    assert "--sort" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "[]"
