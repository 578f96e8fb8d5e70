"""MLflow's tracking calls on fitscope runs, for scripts written for ``mlflow``.

>>> import tempfile, pathlib
>>> from fitscope import mlflow
>>> mlflow.set_tracking_uri(pathlib.Path(tempfile.mkdtemp()) / "runs.db")
>>> with mlflow.start_run(run_name="baseline") as run:
...     mlflow.log_params({"lr": 0.1, "epochs": 2})
...     for epoch in range(2):
...         mlflow.log_metric("train_loss", 0.5 / (epoch + 1), step=epoch)
...         mlflow.log_metrics({"val_loss": 0.6 / (epoch + 1)}, step=epoch)
...     mlflow.set_tag("model", "cnn")
>>> run.status
'finished'

Where MLflow's ideas land: an experiment (``set_experiment``) is a project; params are the
run's config; metric keys are read by the one parser (``val_loss`` -> split "val", metric
"loss"; the key is kept for display); ``set_tag(key, value)`` adds the tag ``key=value``
(fitscope tags are plain strings); ``end_run(status="FAILED")`` marks the run failed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from fitscope.errors import InvalidInputError
from fitscope.track import habits
from fitscope.track.run import Run

__all__ = [
    "active_run",
    "end_run",
    "log_metric",
    "log_metrics",
    "log_param",
    "log_params",
    "set_experiment",
    "set_tag",
    "set_tags",
    "set_tracking_uri",
    "start_run",
]

_state: dict[str, Any] = {"uri": None, "experiment": "default"}
_STATUS = {"FINISHED": "finished", "FAILED": "failed", "KILLED": "failed"}


def set_tracking_uri(uri: str | os.PathLike[str]) -> None:
    """The store runs go to (a path or URL, as ``store=`` of :func:`fitscope.init`)."""
    _state["uri"] = uri


def set_experiment(experiment_name: str) -> None:
    """The project of the runs started after this."""
    _state["experiment"] = experiment_name


def start_run(
    run_id: str | None = None,
    experiment_id: str | None = None,
    run_name: str | None = None,
    nested: bool = False,
    tags: Mapping[str, Any] | None = None,
    description: str | None = None,
) -> Run:
    """Start a run (or continue ``run_id``); it is the current run until :func:`end_run`.
    Usable as a context manager: the run ends "finished", or "failed" on an exception."""
    if habits.current() is not None and not nested:
        raise InvalidInputError(
            "start_run must not be called while a run is active. Got an active run "
            f"{habits.current().name!r} instead. Call end_run() first, or pass nested=True."
        )
    tag_list = [f"{k}={v}" for k, v in (tags or {}).items()]
    run: Run = habits.init(
        project=experiment_id or _state["experiment"],
        name=run_name,
        tags=tag_list,
        store=_state["uri"],
        resume=run_id,
        notes=description,
    )
    return run


def active_run() -> Run | None:
    """The current run, or None."""
    run = habits.current()
    return run if isinstance(run, Run) else None


def _run(what: str) -> Run:
    run = active_run()
    if run is None:  # MLflow starts a run on the first log call; so does fitscope
        run = start_run()
    return run


def log_metric(key: str, value: float, step: int | None = None, **_: Any) -> None:
    """Log one value (``key`` read by the one parser) at ``step``."""
    _run("log_metric").log({key: value}, step=step)


def log_metrics(metrics: Mapping[str, float], step: int | None = None, **_: Any) -> None:
    """Log several values at one ``step``."""
    _run("log_metrics").log(dict(metrics), step=step)


def log_param(key: str, value: Any) -> Any:
    """Set one config entry (saved at once)."""
    _run("log_param").config[key] = value
    return value


def log_params(params: Mapping[str, Any]) -> None:
    """Set config entries (saved at once)."""
    _run("log_params").config.update(dict(params))


def set_tag(key: str, value: Any) -> None:
    """Tag the run ``key=value``."""
    run = _run("set_tag")
    run.store.tag_run(run.id, f"{key}={value}")


def set_tags(tags: Mapping[str, Any]) -> None:
    """Tag the run ``key=value`` for each entry."""
    run = _run("set_tags")
    run.store.tag_run(run.id, *(f"{k}={v}" for k, v in tags.items()))


def end_run(status: str = "FINISHED") -> None:
    """End the current run: "FINISHED" -> finished, "FAILED" or "KILLED" -> failed."""
    if status not in _STATUS:
        raise InvalidInputError(f"status must be one of {tuple(_STATUS)}. Got {status!r} instead.")
    run = active_run()
    if run is not None:
        run.finish(_STATUS[status])
