"""The habits of wandb users on fitscope runs: ``init`` with wandb's common arguments, the
module-level ``log`` / ``finish`` / ``config`` / ``summary`` bound to the current run, and
``run.config`` / ``run.summary`` objects that save what is set on them.

A wandb script needs only its import line changed::

    import fitscope as wandb
    wandb.init(project="mnist", config={"lr": 0.1}, notes="baseline", group="cnn")
    wandb.config.batch_size = 64
    for epoch in range(3):
        wandb.log({"train/loss": 0.5, "val/loss": 0.6})
    wandb.summary["best_val_loss"] = 0.55
    wandb.finish()

Where wandb's arguments land: ``notes``, ``group`` and ``job_type`` in the config under
``fitscope.notes``, ``fitscope.group``, ``fitscope.job_type``; ``id`` is the run's id;
``resume`` ("allow", "must", "never", True, or a run id or name as in :func:`fitscope.init`);
``mode="disabled"`` gives a run that records nothing; ``mode="offline"`` and ``"online"``
record into the store (a local store is always "offline": nothing leaves the machine).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from fitscope.errors import InvalidInputError, InvalidTypeError, RunNotFoundError
from fitscope.track._config import Config, Summary
from fitscope.track._current import current, forget, start
from fitscope.track.remote import open_store
from fitscope.track.run import init as track_init

__all__ = ["Config", "Summary", "current", "finish", "init", "log"]

_MODES = ("online", "offline", "disabled", "shared")
_RESUME = ("allow", "must", "never", "auto")


class DisabledRun:
    """What ``init(mode="disabled")`` returns: every call is accepted and nothing recorded."""

    id = "disabled"
    name = "disabled"
    project = "disabled"
    status = "running"

    def __init__(self, config: Mapping[str, Any] | None) -> None:
        self.config = Config(dict(config or {}), lambda _: None)
        self.summary = Summary({}, {}, lambda _: None)
        self.tags: list[str] = []

    def log(self, values: Mapping[str, Any], **_: Any) -> None:
        """Accepted and dropped (the run is disabled)."""

    def log_predictions(self, *_: Any, **__: Any) -> None:
        """Accepted and dropped (the run is disabled)."""

    def flush(self) -> None:
        """Nothing to write."""

    def finish(self, status: str = "finished", **_: Any) -> None:
        self.status = status
        forget(self)

    def __enter__(self) -> DisabledRun:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.finish()


def _check_choice(name: str, value: Any, allowed: Sequence[Any]) -> None:
    if value not in allowed:
        raise InvalidInputError(f"{name} must be one of {tuple(allowed)}. Got {value!r} instead.")


def init(
    project: str | None = None,
    name: str | None = None,
    config: Mapping[str, Any] | None = None,
    tags: Sequence[str] | None = None,
    store: Any = None,
    resume: str | bool | None = None,
    *,
    notes: str | None = None,
    group: str | None = None,
    job_type: str | None = None,
    id: str | None = None,
    mode: str | None = None,
    dir: str | os.PathLike[str] | None = None,
    reinit: bool | None = None,
    entity: str | None = None,
    token: str | None = None,
    max_buffer: int | None = None,
) -> Any:
    """Start recording a run (see :func:`fitscope.track.run.init`), with wandb's arguments.

    ``notes``, ``group`` and ``job_type`` are kept in the config (``fitscope.notes``, ...);
    ``id`` names the run (resumed when it exists and ``resume`` is "allow", "must", True or
    "auto"; "must" requires it to exist; "never" refuses an existing one); ``mode`` is
    "online" / "offline" (both record into the store, which is local unless it is a
    PostgreSQL URL) or "disabled" (nothing is recorded); ``dir`` is a folder for the default
    store; ``entity`` is kept in the config; ``max_buffer`` is as in run.init (back-pressure).
    The run becomes the current run of the module-
    level :func:`log`, :func:`finish`, ``fitscope.config`` and ``fitscope.summary``.

    >>> import tempfile, pathlib, fitscope
    >>> run = fitscope.init(project="p", notes="first try", mode="offline",
    ...                     store=pathlib.Path(tempfile.mkdtemp()) / "r.db")
    >>> fitscope.log({"loss": 0.5, "val/loss": 0.6})
    >>> run.config.lr = 0.1
    >>> fitscope.finish()
    >>> run.store.get_run(run.id).config
    {'fitscope.notes': 'first try', 'lr': 0.1}
    """
    if mode is not None:
        _check_choice("mode", mode, _MODES)
    if mode == "disabled":
        run: Any = DisabledRun(config)
        start(run)
        return run
    extra = {"notes": notes, "group": group, "job_type": job_type, "entity": entity}
    for key, value in extra.items():
        if value is not None and not isinstance(value, str):
            raise InvalidTypeError(f"{key} must be a string. Got {value!r} instead.")
    extras = {f"fitscope.{k}": v for k, v in extra.items() if v}
    # The config as given when nothing is added (Run checks it and names the key path of a
    # bad value; a copy would shift the path of a circular reference by one level).
    merged = {**dict(config or {}), **extras} if extras else config
    if store is None and dir is not None:
        store = os.path.join(os.fspath(dir), "fitscope.db")
    if reinit is False and current() is not None:
        return current()
    resume_id: str | None = None
    if isinstance(resume, str) and resume not in _RESUME:
        resume_id = resume  # fitscope's own: a run id or name to continue
    elif resume is not None and resume is not False:
        _check_choice("resume", resume, (*_RESUME, True))
    if id is not None:
        if not isinstance(id, str) or not id or len(id) > 32:
            raise InvalidInputError(
                f"id must be a non-empty string of at most 32 characters. Got {id!r} instead."
            )
        # The store the run will log into (a server's too: its run is looked up there, or
        # in the spool offline), opened once here and handed on.
        store = open_store(store, token=token, mode=mode if mode in ("online", "offline") else None)
        exists = True
        try:
            found = store.get_run(id)
            exists = found.id == id
        except RunNotFoundError:
            exists = False
        if exists and resume == "never":
            raise InvalidInputError(
                f"id must name a new run with resume='never'. Got {id!r}, which exists instead."
            )
        if not exists and resume == "must":
            raise InvalidInputError(
                f"id must name an existing run with resume='must'. Got {id!r}, which does not "
                "exist, instead."
            )
        if exists and resume in (True, "allow", "must", "auto"):
            resume_id = id
        elif exists:
            raise InvalidInputError(
                f"id must name a new run. Got {id!r}, which exists, instead. Pass "
                "resume='allow' to continue it."
            )
    kwargs: dict[str, Any] = {"config": merged, "tags": tags, "store": store, "token": token}
    if max_buffer is not None:
        kwargs["max_buffer"] = max_buffer  # entries buffered before log() waits (run.init)
    if mode in ("online", "offline"):
        kwargs["mode"] = mode  # a server store: "offline" only spools (issue 19's spool)
    if project is not None:
        kwargs["project"] = project
    run = track_init(name=name, resume=resume_id, run_id=None if resume_id else id, **kwargs)
    start(run)
    return run


def _the_run(what: str) -> Any:
    run = current()
    if run is None:
        raise InvalidInputError(
            f"fitscope.{what} needs a current run. Got none instead: call fitscope.init() first."
        )
    return run


def log(
    data: Mapping[str, Any], step: int | None = None, commit: bool | None = None, **kw: Any
) -> None:
    """Log ``data`` to the current run (keys read as in ``run.log`` without ``split``)."""
    if kw:
        raise InvalidInputError(f"log takes data, step and commit. Got also {sorted(kw)} instead.")
    _the_run("log").log(data, step=step, commit=commit is not False)


def finish(exit_code: int | None = None, quiet: bool | None = None) -> None:
    """Finish the current run ("failed" when ``exit_code`` is not 0)."""
    run = current()
    if run is None:
        return
    run.finish("failed" if exit_code else "finished")
    forget(run)


def module_attribute(name: str) -> Any:
    """``fitscope.config`` / ``fitscope.summary`` / ``fitscope.run``: the current run's."""
    if name == "run":
        return current()
    return getattr(_the_run(name), name)
