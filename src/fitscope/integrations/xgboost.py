"""XGBoost: a training callback that records every boosting round's eval metrics.

A sketch (needs your own data)::

    from fitscope.integrations.xgboost import FitscopeCallback
    xgboost.train(params, dtrain, 100, evals=[(dtrain, "train"), (dval, "val")],
                  callbacks=[FitscopeCallback(project="churn")])

Needs ``pip install "fitscope[xgboost]"``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from fitscope._optional import require
from fitscope.integrations._boosting import check_splits, split_for
from fitscope.integrations._run import RunHolder
from fitscope.integrations.naming import metric_name
from fitscope.track.run import Run, mark_epochs
from fitscope.track.store import Store

xgboost = require("xgboost", extra="xgboost")

__all__ = ["FitscopeCallback"]


class FitscopeCallback(xgboost.callback.TrainingCallback):  # type: ignore[misc,name-defined]
    """Log each round's value of every eval metric of every eval set, at step = the round.

    Eval sets become splits by :func:`fitscope.integrations._boosting.split_for`: "train" /
    "dtrain" -> "train"; a lone other set ("val", "validation_0", ...) -> "val"; several
    automatic names keep theirs. With the scikit-learn API, where the training data passed in
    ``eval_set`` is named "validation_0", say so: ``splits={"validation_0": "train"}``.
    XGBoost's metric names become fitscope's where they are the same quantity: logloss and
    mlogloss -> log_loss, error and merror -> zero_one_loss, auc -> roc_auc; others keep
    their names.

    With ``xgboost.cv`` the callback records one run (not one per fold): its splits are
    xgboost.cv's "train" and "test" eval sets ("test" is the held-out fold), and each round's
    value is the mean over the folds, as in the DataFrame ``xgboost.cv`` returns.

    With ``run=None`` a run is started before training (config: the booster's parameters) and
    finished after it; a run passed in is left open.
    """

    def __init__(
        self,
        run: Run | None = None,
        *,
        splits: Mapping[str, str] | None = None,
        project: str = "default",
        name: str | None = None,
        config: Mapping[str, Any] | None = None,
        tags: Sequence[str] | None = None,
        store: Store | str | os.PathLike[str] | None = None,
    ) -> None:
        super().__init__()
        self._splits = check_splits(splits)
        self._holder = RunHolder(
            run, project=project, name=name, config=config, tags=tags, store=store
        )

    @property
    def run(self) -> Run | None:
        """The run being written (None before training starts when the callback makes one)."""
        return self._holder.get() if self._holder.started else None

    def before_training(self, model: Any) -> Any:
        self._holder.renew()  # a second training with the same callback gets its own run
        config: dict[str, Any] = {"library": "xgboost"}
        try:
            import json

            params = json.loads(model.save_config())["learner"]["gradient_booster"]
            config["booster"] = params.get("name")
        except (KeyError, ValueError, TypeError, AttributeError):
            # A config layout this version lacks, or xgboost.cv's packed boosters (one per
            # fold, no save_config): the run is then one run with the folds' mean per round.
            pass
        # A boosting round is judged as an epoch (one pass over the data, xgboost's `epoch`).
        mark_epochs(self._holder.get(config))
        return model

    def after_iteration(self, model: Any, epoch: int, evals_log: Mapping[str, Any]) -> bool:
        run = self._holder.get()
        names = list(evals_log)
        for data_name, metrics in evals_log.items():
            values = {}
            for metric, history in metrics.items():
                last = history[-1]
                # With cross-validation each entry is (mean, std); the mean is the value.
                values[metric_name(metric)] = last[0] if isinstance(last, tuple) else last
            run.log(values, step=epoch, split=split_for(data_name, names, self._splits))
        return False  # never stop training

    def after_training(self, model: Any) -> Any:
        self._holder.close("finished")
        return model
