"""Every command has a page under docs/cli/, and the usage it shows is the command's own."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from fitscope.cli import cli

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("update_cli_docs", ROOT / "tools/update_cli_docs.py")
assert _spec is not None and _spec.loader is not None
update_cli_docs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(update_cli_docs)


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_a_page_with_its_current_help(name: str) -> None:
    page = ROOT / "docs" / "cli" / f"{name}.md"
    assert page.exists(), f"docs/cli/{name}.md is missing: every command gets a page"
    text = page.read_text(encoding="utf-8")
    assert update_cli_docs.help_block(name) in text, (
        f"docs/cli/{name}.md shows an old --help: run `make docs`"
    )


def test_the_index_links_every_page() -> None:
    index = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for name in cli.commands:
        assert f"(cli/{name}.md)" in index
