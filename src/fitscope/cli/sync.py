"""``fitscope sync``: upload what remote runs left in the local spool."""

from __future__ import annotations

import os
from pathlib import Path

import click

__all__ = ["sync_command"]


@click.command(name="sync")
@click.option(
    "--store",
    "store_url",
    default=None,
    metavar="URL",
    help="Server to upload to, http://HOST:PORT (default: the server each spooled run was "
    "logged to).",
)
@click.option("--token", default=None, help="The server's token (default: $FITSCOPE_TOKEN).")
@click.option(
    "--spool",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Spool folder (default: $FITSCOPE_SPOOL, else ./.fitscope/spool).",
)
def sync_command(store_url: str | None, token: str | None, spool: Path | None) -> None:
    """Upload the runs waiting in the spool (logged offline, or while the server was away).

    Safe to run any number of times: the server stores each batch once. Runs whose process is
    still alive are left to it (it uploads them itself).
    """
    from fitscope.track.remote import default_spool_dir, is_remote, sync

    if store_url is None and is_remote(os.environ.get("FITSCOPE_STORE")):
        store_url = os.environ["FITSCOPE_STORE"]
    folder = spool or default_spool_dir()
    done = sync(store_url, token=token, spool=folder)
    click.echo(
        f"Uploaded {done['batches']} new batch(es) from {done['files']} spool file(s) in "
        f"{folder}; {done['left']} left (still being written, or for another server)."
    )
