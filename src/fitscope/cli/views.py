"""``fitscope ui``, ``fitscope report`` and ``fitscope plot``: see a run."""

from __future__ import annotations

from pathlib import Path

import click

from fitscope.cli._options import lang_option, store_option

__all__ = ["plot_command", "report_command", "ui_command"]


@click.command(name="ui")
@store_option()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--token",
    default=None,
    help="Secret every API request must carry (required off loopback, and to accept runs "
    "from fitscope.init(store='http://HOST:PORT', token=...)).",
)
def ui_command(store_url: str | None, host: str, port: int, token: str | None) -> None:
    """Serve the web dashboard (runs, curves, predictions, compare).

    Binds 127.0.0.1 by default. Another address needs --token; open the page as
    http://HOST:PORT/?token=TOKEN. With --token the server also accepts runs logged on other
    machines (fitscope.init(store="http://HOST:PORT", token=TOKEN)); without one it refuses
    them, even on loopback.
    """
    from fitscope.web.server import check_bind, serve

    check_bind(host, token)
    from fitscope.track.store import Store

    store = Store(store_url)
    shown = f"http://{host}:{port}/" + (f"?token={token}" if token else "")
    click.echo(
        f"fitscope dashboard on {shown} (store {store.safe_url}); Ctrl+C stops it.", err=True
    )
    try:
        serve(store, host=host, port=port, token=token)
    finally:
        store.close()


@click.command(name="report")
@click.argument("run")
@store_option()
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="HTML file to write (default: <first 8 characters of the run id>.html).",
)  # fmt: skip
@lang_option("Language of the doctor's findings.")
def report_command(run: str, store_url: str | None, output: Path | None, lang: str) -> None:
    """Write one self-contained HTML report of RUN (id, id prefix or name); opens offline."""
    from fitscope.track.store import Store
    from fitscope.views.report import write_report

    store = Store(store_url, create=False)  # reading never creates a store
    try:
        record = store.get_run(run)
        path = write_report(record, output or Path(f"{record.id[:8]}.html"), lang=lang)
    finally:
        store.close()
    click.echo(str(path))


@click.command(name="plot")
@click.argument("run")
@store_option()
@click.option(
    "--png", "directory", required=True, type=click.Path(file_okay=False, path_type=Path),
    help="Folder for loss.png and accuracy.png.",
)  # fmt: skip
def plot_command(run: str, store_url: str | None, directory: Path) -> None:
    """Write RUN's loss and accuracy curves as PNG files (matplotlib)."""
    from fitscope.track.store import Store
    from fitscope.views.plots import plot_run

    store = Store(store_url, create=False)  # reading never creates a store
    try:
        written = plot_run(store.get_run(run), directory)
    finally:
        store.close()
    for path in written:
        click.echo(str(path))
