"""The run a hook writes to: the caller's, or one the hook starts (and then also finishes)."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from fitscope._validation import describe
from fitscope.errors import InvalidTypeError
from fitscope.track.run import Run, init
from fitscope.track.store import Store


class RunHolder:
    """Holds a given run, or the arguments to start one on first use.

    A hook finishes only a run it started itself: a run the caller passed in stays open for
    more logging (a test evaluation, a second fit) and is the caller's to finish.
    """

    def __init__(
        self,
        run: Run | None,
        *,
        project: str,
        name: str | None,
        config: Mapping[str, Any] | None,
        tags: Sequence[str] | None,
        store: Store | str | os.PathLike[str] | None,
    ) -> None:
        if run is not None and not isinstance(run, Run):
            raise InvalidTypeError(
                f"run must be a fitscope Run (from fitscope.init()) or None. Got {describe(run)} "
                "instead."
            )
        self._run = run
        self.owned = False
        self._init_args: dict[str, Any] = {
            "project": project,
            "name": name,
            "config": dict(config or {}),
            "tags": tags,
            "store": store,
        }

    @property
    def started(self) -> bool:
        return self._run is not None

    def get(self, config: Mapping[str, Any] | None = None) -> Run:
        """The run, started now (with ``config`` added to the caller's) if there is none yet."""
        if self._run is None:
            args = dict(self._init_args)
            args["config"] = {**dict(config or {}), **args["config"]}
            self._run = init(**args)
            self.owned = True
        return self._run

    def resume(self) -> Run:
        """The run, resumed if this holder started it and it has since finished (Lightning's
        trainer.test after trainer.fit with the same logger)."""
        run = self.get()
        if self.owned and run.status != "running":
            self._run = run = init(resume=run.id, store=run.store)
        return run

    def renew(self) -> None:
        """Forget a run this holder started and finished, so the next use starts a new one
        (a callback reused for a second training)."""
        if self.owned and self._run is not None and self._run.status != "running":
            self._run, self.owned = None, False

    def close(self, status: str = "finished") -> None:
        """Finish the run if this holder started it; otherwise write out what is buffered."""
        if self._run is None:
            return
        if self.owned:
            self._run.finish(status)
        elif self._run.status == "running":
            self._run.flush()


def plain_config(params: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON-friendly part of a parameter dict (numbers, strings, bools, None)."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        if value is None or isinstance(value, bool | int | float | str):
            out[str(key)] = value
        elif hasattr(value, "item") and getattr(value, "shape", None) == ():
            out[str(key)] = value.item()
    return out
