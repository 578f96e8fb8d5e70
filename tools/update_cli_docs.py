"""Write each command's ``--help`` into its page under docs/cli/ (``make docs``).

A page keeps its own prose; only the block between ``<!-- help:start -->`` and
``<!-- help:end -->`` is generated, so the usage shown in the docs is the command's own. The test
tests/cli/test_cli_pages.py fails when a page is missing or its block is out of date.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click
from click.testing import CliRunner

from fitscope.cli import cli

PAGES = Path(__file__).resolve().parents[1] / "docs" / "cli"
BLOCK = re.compile(r"<!-- help:start -->\n.*?<!-- help:end -->", flags=re.S)


def help_text(path: list[str]) -> str:
    """``fitscope PATH --help`` as click formats it (80 columns at most)."""
    result = CliRunner().invoke(cli, [*path, "--help"], prog_name="fitscope", terminal_width=80)
    assert result.exit_code == 0, result.output
    return result.output.rstrip() + "\n"


def help_block(name: str) -> str:
    """The generated block of one command's page: its help, and each subcommand's."""
    command = cli.commands[name]
    parts = [help_text([name])]
    if isinstance(command, click.Group):
        parts += [help_text([name, sub]) for sub in command.commands]
    body = "\n".join(f"```text\n{p}```\n" for p in parts)
    return f"<!-- help:start -->\n{body}<!-- help:end -->"


def update(name: str) -> bool:
    """Refresh one page's block; True when the file changed."""
    page = PAGES / f"{name}.md"
    text = page.read_text(encoding="utf-8")
    if not BLOCK.search(text):
        raise SystemExit(f"{page} has no <!-- help:start --> ... <!-- help:end --> block")
    new = BLOCK.sub(lambda _: help_block(name), text)
    if new != text:
        page.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":
    changed = [n for n in sorted(cli.commands) if update(n)]
    print("updated: " + (", ".join(changed) or "nothing"), file=sys.stderr)
