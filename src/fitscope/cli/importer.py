"""``fitscope import PATH``: bring a TensorBoard, Keras, Lightning or Hugging Face log in."""

from __future__ import annotations

import click

from fitscope.cli._options import store_option

__all__ = ["import_command"]


@click.command(name="import")
@click.argument("path", type=click.Path(exists=True))
@click.option("--project", default="default", show_default=True, help="Project of the new run.")
@click.option("--name", default=None, help="Run name (default: the file's or folder's name).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["tensorboard", "keras_csv", "lightning_csv", "hf_trainer_state"]),
    default=None,
    help="Log format (default: recognised from the path).",
)
@store_option("store")
def import_command(
    path: str, project: str, name: str | None, fmt: str | None, store: str | None
) -> None:
    """Import the log at PATH as new runs (one per run it holds).

    PATH is a TensorBoard log folder (one run per run folder) or event file, a Keras
    CSVLogger file (any name: recognised by its header), a Lightning metrics.csv (or its
    version folder) or a Hugging Face trainer_state.json.
    """
    from fitscope.integrations.importers import import_runs

    for record in import_runs(path, project=project, name=name, format=fmt, store=store):
        series = record.series()
        points = sum(len(record.history(metric, split)) for split, metric in series)
        listed = ", ".join(f"{split}/{metric}" for split, metric in series)
        click.echo(
            f"Imported {record.config['format']} log {path} as run {record.id} ({record.name}) "
            f"in project {record.project}: {len(series)} series, {points} points ({listed})."
        )
