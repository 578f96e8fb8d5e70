"""The web dashboard: ``create_app(store)`` (needs ``pip install "fitscope[web]"``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from fastapi import FastAPI

    from fitscope.track.store import Store

__all__ = ["create_app"]


def create_app(
    store: Store, *, token: str | None = None, allowed_hosts: Sequence[str] | None = None
) -> FastAPI:
    """The dashboard app over ``store`` (see :func:`fitscope.web.app.create_app`)."""
    from fitscope._optional import require

    require("fastapi", extra="web")
    from fitscope.web.app import create_app as make

    app: Any = make(store, token=token, allowed_hosts=allowed_hosts)
    return app  # type: ignore[no-any-return]
