"""Options that several commands share, written once so they read the same everywhere."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from fitscope._i18n import LANGUAGES

__all__ = ["lang_option", "store_option"]

F = TypeVar("F", bound=Callable[..., Any])

STORE_HELP = (
    "Where runs are kept: a SQLite path, sqlite:///... or postgresql://... "
    "(default: $FITSCOPE_STORE, else ./.fitscope/fitscope.db)."
)


def store_option(dest: str = "store_url", *, help: str = STORE_HELP) -> Callable[[F], F]:
    """``--store PATH|URL``, passed to the command as ``dest``."""
    return click.option("--store", dest, default=None, metavar="PATH|URL", help=help)


def lang_option(help: str) -> Callable[[F], F]:
    """``--lang en|ru|es|it`` (default en)."""
    return click.option(
        "--lang", type=click.Choice(LANGUAGES), default="en", show_default=True, help=help
    )
