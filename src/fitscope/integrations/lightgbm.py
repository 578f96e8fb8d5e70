"""LightGBM: a callback that records every boosting round's eval metrics.

A sketch (needs your own data)::

    from fitscope.integrations.lightgbm import FitscopeCallback
    lightgbm.train(params, dtrain, valid_sets=[dtrain, dval], valid_names=["train", "val"],
                   callbacks=[FitscopeCallback(project="churn")])

Needs ``pip install "fitscope[lightgbm]"``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from fitscope._optional import require
from fitscope.integrations._boosting import check_splits, split_for
from fitscope.integrations._run import RunHolder, plain_config
from fitscope.integrations.naming import metric_name
from fitscope.track.run import Run, mark_epochs
from fitscope.track.store import Store

require("lightgbm", extra="lightgbm")

__all__ = ["FitscopeCallback"]


class FitscopeCallback:
    """A LightGBM callback: log each round's eval results per eval set, at step = the round.

    Eval sets become splits as in the XGBoost callback ("training" -> "train", a lone
    "valid_0" -> "val", ...; ``splits=`` overrides); metric names become fitscope's where they
    are the same quantity (binary_logloss, multi_logloss -> log_loss; binary_error,
    multi_error -> zero_one_loss; auc -> roc_auc; l2 -> mse; l1 -> mae).

    With ``run=None`` a run is started at the first round (config: LightGBM's params) and
    finished after the last round. When early stopping ends training sooner, LightGBM calls
    no callback at the end: call :meth:`finish` (or pass a run you finish yourself); if you
    do not, the next training with this callback finishes it and starts a new run
    (``continue_run=True``: the next training goes on in the same run).
    """

    #: Runs before LightGBM's own callbacks (early stopping is 30), so the round that
    #: triggers early stopping is still recorded.
    order = 15
    before_iteration = False

    def __init__(
        self,
        run: Run | None = None,
        *,
        continue_run: bool = False,
        splits: Mapping[str, str] | None = None,
        project: str = "default",
        name: str | None = None,
        config: Mapping[str, Any] | None = None,
        tags: Sequence[str] | None = None,
        store: Store | str | os.PathLike[str] | None = None,
    ) -> None:
        self._splits = check_splits(splits)
        self._continue = bool(continue_run)
        self._offset = 0  # continue_run: where the next training's rounds start
        self._next = 0
        self._holder = RunHolder(
            run, project=project, name=name, config=config, tags=tags, store=store
        )

    @property
    def run(self) -> Run | None:
        """The run being written (None before the first round when the callback makes one)."""
        return self._holder.get() if self._holder.started else None

    def __call__(self, env: Any) -> None:
        if env.iteration == env.begin_iteration:
            # A second training with the same callback gets its own run, also when early
            # stopping left the first one open (LightGBM calls no callback at the end);
            # continue_run=True keeps writing into the first one instead.
            if not self._continue:
                self._holder.close("finished")
                self._holder.renew()
                self._offset = 0
            else:
                self._offset = self._next
        run = self._holder.get({"library": "lightgbm", **plain_config(env.params or {})})
        mark_epochs(run)  # a boosting round is judged as an epoch (docs/doctor.md)
        by_split: dict[str, dict[str, float]] = {}
        names = list(dict.fromkeys(item[0] for item in env.evaluation_result_list))
        # Items are (data_name, metric, value, higher_is_better[, std with lightgbm.cv]).
        for item in env.evaluation_result_list:
            data_name, metric, value = item[0], item[1], item[2]
            if data_name == "cv_agg":  # lightgbm.cv: "valid metric" in the metric's name
                data_name, _, metric = metric.partition(" ")
            split = split_for(data_name, names, self._splits)
            by_split.setdefault(split, {})[metric_name(metric)] = value
        for split, values in by_split.items():
            run.log(values, step=self._offset + env.iteration - env.begin_iteration, split=split)
        self._next = self._offset + env.iteration - env.begin_iteration + 1
        if env.iteration + 1 >= env.end_iteration:
            self._holder.close("finished")

    def finish(self, status: str = "finished") -> None:
        """Finish the run this callback started (after early stopping); else flush."""
        self._holder.close(status)
