"""Serving the dashboard with uvicorn, and the rule for which address it may bind."""

from __future__ import annotations

import ipaddress

from fitscope.errors import InvalidInputError
from fitscope.track.store import Store

__all__ = ["allowed_hosts", "check_bind", "is_loopback", "serve"]


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine.

    >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("0.0.0.0")
    (True, True, False)
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


def check_bind(host: str, token: str | None) -> None:
    """Refuse a non-loopback address without a token: the API would be open to the network."""
    if token is not None and not token.strip():
        raise InvalidInputError("token must be a non-empty string. Got an empty one instead.")
    if not is_loopback(host) and token is None:
        raise InvalidInputError(
            f"host must be a loopback address (127.0.0.1, ::1, localhost) unless a token is "
            f"given. Got {host!r} instead. Pass token=SECRET, and open the page with "
            "?token=SECRET.",
            argument="token",
        )


def serve(
    store: Store, *, host: str = "127.0.0.1", port: int = 8765, token: str | None = None
) -> None:
    """Run the dashboard until interrupted (blocks)."""
    check_bind(host, token)
    from fitscope._optional import require

    uvicorn = require("uvicorn", extra="web")
    from fitscope.web import create_app

    app = create_app(store, token=token, allowed_hosts=allowed_hosts(host))
    uvicorn.run(app, host=host, port=port, log_level="warning")


def allowed_hosts(host: str) -> list[str] | None:
    """Host headers a dashboard bound to ``host`` accepts: on a loopback address (IPv4 or
    IPv6) only the loopback names (a DNS-rebinding page arrives with its own name); elsewhere
    any (the token guards). An IPv6 literal comes in the Host header in brackets.

    >>> allowed_hosts("127.0.0.1"), allowed_hosts("0.0.0.0")
    (['127.0.0.1', '[::1]', 'localhost'], None)
    >>> allowed_hosts("::1")
    ['127.0.0.1', '[::1]', 'localhost']
    """
    if not is_loopback(host):
        return None
    shown = f"[{host}]" if ":" in host else host
    return sorted({"127.0.0.1", "localhost", "[::1]", shown})
