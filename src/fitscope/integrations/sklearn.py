"""scikit-learn: follow an estimator that learns in iterations, one log per iteration.

A sketch (needs your own data)::

    from sklearn.linear_model import SGDClassifier
    from fitscope.integrations.sklearn import track
    track(SGDClassifier(loss="log_loss"), X, y, validation_data=(X_val, y_val),
          epochs=20)

Needs scikit-learn (``pip install scikit-learn``).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from fitscope._optional import require
from fitscope._validation import check_positive_int, describe
from fitscope.errors import InvalidInputError, InvalidTypeError
from fitscope.integrations._run import RunHolder, plain_config
from fitscope.metrics.evaluator import evaluate
from fitscope.track.run import Run, mark_epochs
from fitscope.track.store import Store

sklearn_base = require("sklearn.base", extra="sklearn")
sklearn_exceptions = require("sklearn.exceptions", extra="sklearn")

__all__ = ["strategy", "track"]


def strategy(estimator: Any) -> str:
    """How :func:`track` follows ``estimator``: "staged" (``staged_predict_proba`` or
    ``staged_predict``: GradientBoosting, HistGradientBoosting, AdaBoost), "partial_fit"
    (SGDClassifier, MLPClassifier, Perceptron, naive Bayes), or "warm_start" (forests:
    one more tree an iteration; other models: one more ``max_iter`` round an iteration).

    >>> from sklearn.linear_model import SGDClassifier
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> strategy(SGDClassifier()), strategy(RandomForestClassifier())
    ('partial_fit', 'warm_start')
    """
    if hasattr(estimator, "staged_predict_proba") or hasattr(estimator, "staged_predict"):
        return "staged"
    if hasattr(estimator, "partial_fit"):
        return "partial_fit"
    if "warm_start" in estimator.get_params():
        return "warm_start"
    raise InvalidInputError(
        f"estimator must learn in iterations (staged_predict_proba, partial_fit or warm_start). "
        f"Got {type(estimator).__name__} instead, which learns in one call to fit."
    )


def _predict(estimator: Any) -> Any:
    if sklearn_base.is_classifier(estimator):
        if not hasattr(estimator, "predict_proba"):
            raise InvalidInputError(
                f"estimator must have predict_proba to be scored with probabilities. Got "
                f"{type(estimator).__name__} instead. For SGDClassifier use loss='log_loss'."
            )
        return estimator.predict_proba
    return estimator.predict


def _targets(estimator: Any, y: Any) -> Any:
    """Class labels as indices into ``classes_`` (as fitscope's metrics expect), or y as is."""
    y = np.asarray(y)
    if not sklearn_base.is_classifier(estimator):
        return y
    classes = estimator.classes_
    idx = np.searchsorted(classes, y)
    idx = np.clip(idx, 0, len(classes) - 1)
    if not np.array_equal(classes[idx], y):
        raise InvalidInputError(
            "validation_data must only hold classes seen in training. Got labels "
            f"{sorted(set(y.tolist()) - set(classes.tolist()))[:5]} that are not in "
            f"{classes.tolist()} instead."
        )
    return idx


def _iterations(
    estimator: Any, how: str, X: Any, y: Any, epochs: int | None, classes: Any
) -> Iterator[tuple[Any, Any]]:
    """Train ``estimator`` and yield, after every iteration, a function predicting with the
    model as it is then (the same function each time for staged models' stages)."""
    if how == "staged":
        if epochs is not None:
            raise InvalidInputError(
                f"epochs must be None for {type(estimator).__name__}, whose iterations are its "
                f"stages (set n_estimators or max_iter instead). Got {epochs} instead."
            )
        estimator.fit(X, y)
        staged = (
            estimator.staged_predict_proba
            if sklearn_base.is_classifier(estimator)
            else estimator.staged_predict
        )
        yield from ((staged, i) for i in range(_n_stages(estimator)))
        return
    if epochs is None:
        raise InvalidInputError(
            f"epochs must be an integer >= 1 for {type(estimator).__name__}, which learns by "
            f"{how}. Got None instead."
        )
    epochs = check_positive_int(epochs, "epochs")
    params = estimator.get_params()
    if how == "partial_fit":
        kwargs = {"classes": classes} if sklearn_base.is_classifier(estimator) else {}
        for i in range(epochs):
            estimator.partial_fit(X, y, **kwargs)
            yield _predict(estimator), i
        return
    # warm_start: grow the ensemble by one, or run one more max_iter round.
    if "n_estimators" in params:
        key, grow = "n_estimators", True
    elif type(estimator).__name__.startswith("HistGradientBoosting"):
        key, grow = "max_iter", True
    elif "max_iter" in params:
        key, grow = "max_iter", False
    else:
        raise InvalidInputError(
            f"estimator must have n_estimators or max_iter to be trained with warm_start. Got "
            f"{type(estimator).__name__} instead."
        )
    estimator.set_params(warm_start=True)
    for i in range(epochs):
        estimator.set_params(**{key: i + 1 if grow else 1})
        with warnings.catch_warnings():
            # One max_iter round per fit stops before convergence on purpose.
            warnings.simplefilter("ignore", sklearn_exceptions.ConvergenceWarning)
            estimator.fit(X, y)
        yield _predict(estimator), i


def _n_stages(estimator: Any) -> int:
    for attr in ("n_estimators_", "n_iter_"):
        if hasattr(estimator, attr):
            return int(getattr(estimator, attr))
    return len(estimator.estimators_)


def track(
    estimator: Any,
    X: Any,
    y: Any,
    *,
    validation_data: tuple[Any, Any] | None = None,
    run: Run | None = None,
    metrics: Sequence[Any] = ("log_loss", "accuracy"),
    epochs: int | None = None,
    project: str = "default",
    name: str | None = None,
    config: Mapping[str, Any] | None = None,
    tags: Sequence[str] | None = None,
    store: Store | str | os.PathLike[str] | None = None,
) -> Any:
    """Train ``estimator`` on ``X, y`` one iteration at a time and log ``metrics`` on the whole
    training set (split "train") and on ``validation_data`` (split "val") after every
    iteration, at step = the iteration (0 = after the first). Returns the fitted estimator.

    How it iterates is :func:`strategy`'s choice; ``epochs`` counts iterations for
    partial_fit and warm_start estimators and must be None for staged ones. The metrics are
    computed by :func:`fitscope.evaluate` over each whole split from ``predict_proba``
    (classifiers) or ``predict`` (regressors: pass e.g. ``metrics=("mse", "r2")``); the last
    iteration's validation predictions are stored for diagnosis.

    With ``run=None`` a run is started (config: the estimator's class and parameters) and
    finished ("failed" if training raises); a run passed in is left open.

    >>> import tempfile, pathlib
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import SGDClassifier
    >>> from fitscope.integrations.sklearn import track
    >>> X, y = make_classification(200, random_state=0)
    >>> model = track(SGDClassifier(loss="log_loss", random_state=0), X[:150], y[:150],
    ...               validation_data=(X[150:], y[150:]), epochs=5,
    ...               store=pathlib.Path(tempfile.mkdtemp()) / "r.db")
    >>> model.classes_.tolist()
    [0, 1]
    """
    if not hasattr(estimator, "get_params"):
        raise InvalidTypeError(
            f"estimator must be a scikit-learn estimator. Got {describe(estimator)} instead."
        )
    how = strategy(estimator)
    if validation_data is not None and (
        not isinstance(validation_data, tuple) or len(validation_data) != 2
    ):
        raise InvalidTypeError(
            "validation_data must be a tuple (X_val, y_val). Got "
            f"{describe(validation_data)} instead."
        )
    labels = [y] if validation_data is None else [y, validation_data[1]]
    classes = np.unique(np.concatenate([np.asarray(a).reshape(-1) for a in labels]))
    holder = RunHolder(run, project=project, name=name, config=config, tags=tags, store=store)
    params = plain_config(estimator.get_params(deep=False))
    active = holder.get({"estimator": type(estimator).__name__, "strategy": how, **params})
    mark_epochs(active)  # one step per epoch (partial_fit) or stage (staged predictions)
    splits = {"train": (X, y)}
    if validation_data is not None:
        splits["val"] = validation_data
    try:
        last_val = None
        staged_cache: dict[str, list[Any]] = {}
        for predict, i in _iterations(estimator, how, X, y, epochs, classes):
            for split, (xs, ys) in splits.items():
                if how == "staged":
                    if split not in staged_cache:
                        staged_cache[split] = list(predict(xs))
                    pred = staged_cache[split][i]
                else:
                    pred = predict(xs)
                target = _targets(estimator, ys)
                active.log(evaluate(target, pred, metrics=metrics), step=i, split=split)
                if split == "val":
                    last_val = (target, pred, i)
        if last_val is not None:
            active.log_predictions(last_val[0], last_val[1], split="val", step=last_val[2])
    except BaseException:
        holder.close("failed")
        raise
    holder.close("finished")
    return estimator
