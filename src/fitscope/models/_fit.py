"""Fitting shared by the three estimators: check the parameters and data, build the objective,
run a solver through the train loop, and return what the estimator stores."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from fitscope import _validation as v
from fitscope import optim
from fitscope.errors import InvalidInputError, InvalidTypeError
from fitscope.metrics import evaluate, metric
from fitscope.models._objectives import Model, Objective
from fitscope.train import loop
from fitscope.train.solvers import GradientStepper, NewtonStepper, run_lbfgs
from fitscope.train.splits import split_indices

FloatArray = NDArray[np.float64]
SOLVERS = ("gd", "sgd", "momentum", "adam", "newton", "lbfgs")
L1_SOLVERS = ("gd", "sgd")
MINIBATCH_SOLVERS = ("sgd", "momentum", "adam")
DEFAULT_PATIENCE = 10


@dataclass
class Data:
    X: FloatArray
    y: NDArray[Any]  # class indices 0..K-1 or float targets
    weight: FloatArray | None = None


@dataclass
class Fitted:
    params: FloatArray
    objective: Objective
    history: dict[str, list[float]]
    epochs: int
    reason: str
    best_epoch: int | None


def check_params(p: dict[str, Any]) -> dict[str, Any]:
    """Validated copies of the estimator's parameters (the estimator keeps them verbatim)."""
    out = dict(p)
    out["solver"] = v.check_name(p["solver"], "solver", SOLVERS)
    out["l2"] = v.check_nonnegative(p["l2"], "l2")
    out["l1"] = v.check_nonnegative(p["l1"], "l1")
    if out["l1"] > 0 and out["solver"] not in L1_SOLVERS:
        raise InvalidInputError(
            f"l1 must be 0 with solver={out['solver']!r}, which has no proximal step. Got "
            f"{p['l1']!r} instead; use solver='gd' or solver='sgd' for an l1 penalty."
        )
    out["learning_rate"] = v.check_positive(p["learning_rate"], "learning_rate")
    out["epochs"] = v.check_positive_int(p["epochs"], "epochs")
    out["tol"] = v.check_nonnegative(p["tol"], "tol")
    bs = p["batch_size"]
    if bs is not None:
        bs = v.check_positive_int(bs, "batch_size")
        if out["solver"] not in MINIBATCH_SOLVERS:
            raise InvalidInputError(
                f"batch_size must be None with solver={out['solver']!r}, which uses every "
                f"sample each epoch. Got {bs} instead; mini-batches need solver='sgd', "
                "'momentum' or 'adam'."
            )
    elif out["solver"] == "sgd":
        bs = 32
    out["batch_size"] = bs
    for name in ("fit_intercept", "verbose"):
        if not isinstance(p[name], bool | np.bool_):
            raise InvalidTypeError(f"{name} must be True or False. Got {v.describe(p[name])}.")
    es = p["early_stopping"]
    if es is None or es is False:
        out["early_stopping"] = 0
    elif es is True:
        out["early_stopping"] = DEFAULT_PATIENCE
    else:
        out["early_stopping"] = v.check_positive_int(es, "early_stopping")
    rs = p["random_state"]
    if not (rs is None or isinstance(rs, np.random.Generator)):
        v.check_positive_int(rs, "random_state", minimum=0)
    ms = p["metrics"]
    ms = [ms] if isinstance(ms, str) or callable(ms) else list(ms)
    out["metrics"] = [metric(m) for m in ms]
    return out


def features(X: Any, name: str, n_features: int | None = None) -> FloatArray:
    arr = v.as_features(X, name)
    if n_features is not None and arr.shape[1] != n_features:
        raise InvalidInputError(
            f"{name} must have {n_features} features, as in fit. Got {arr.shape[1]} "
            f"(shape {arr.shape}) instead."
        )
    return arr


def labels_1d(y: Any, name: str) -> NDArray[Any]:
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise InvalidInputError(f"{name} must be 1-D. Got an array of shape {arr.shape} instead.")
    if arr.dtype.kind == "f":
        v.check_finite(arr, name)
    elif arr.dtype.kind not in "biuOUS":
        raise InvalidTypeError(f"{name} must hold class labels. Got {v.describe(arr)} instead.")
    return arr


def encode(y: NDArray[Any], classes: NDArray[Any], name: str) -> NDArray[np.int64]:
    """Indices of ``y`` in ``classes``; a label fit never saw is an error."""
    idx = np.searchsorted(classes, y)
    idx = np.clip(idx, 0, classes.size - 1)
    bad = classes[idx] != y
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InvalidInputError(
            f"{name} must hold only the classes seen in fit ({classes.tolist()}). Got "
            f"{y[i]!r} at index {i} instead."
        )
    return idx.astype(np.int64)


def class_weights(
    class_weight: Any, classes: NDArray[Any], y: NDArray[np.int64]
) -> FloatArray | None:
    """Per-sample weights from ``class_weight`` (None, "balanced" or {label: weight})."""
    if class_weight is None:
        return None
    counts = np.bincount(y, minlength=classes.size).astype(np.float64)
    if isinstance(class_weight, str):
        v.check_choice(class_weight, "class_weight", ("balanced",))
        # scikit-learn's definition: n_samples / (n_classes * count of the class).
        per_class = y.size / (classes.size * counts)
    elif isinstance(class_weight, dict):
        per_class = np.ones(classes.size)
        for label, w in class_weight.items():
            pos = np.flatnonzero(classes == label)
            if pos.size == 0:
                raise InvalidInputError(
                    f"class_weight must only name classes in y ({classes.tolist()}). Got "
                    f"{label!r} instead."
                )
            per_class[pos[0]] = v.check_nonnegative(w, f"class_weight[{label!r}]")
    else:
        raise InvalidTypeError(
            "class_weight must be None, 'balanced' or a dict {label: weight}. Got "
            f"{v.describe(class_weight)} instead."
        )
    out: FloatArray = per_class[y]
    return out


def _rng(random_state: Any) -> np.random.Generator:
    if isinstance(random_state, np.random.Generator):
        return random_state
    return np.random.default_rng(random_state)


def holdout(
    X: FloatArray, data: Data, fraction: float, stratify: bool, random_state: Any
) -> tuple[Data, Data]:
    """Train and validation parts for ``validation_split``."""
    fraction = v.check_real(fraction, "validation_split", low=0.0, high=1.0)
    if fraction >= 1.0:
        raise InvalidInputError(f"validation_split must be in [0, 1). Got {fraction!r} instead.")
    labels = data.y if stratify else None
    tr, va, _ = split_indices(X.shape[0], labels, fraction, 0.0, _rng(random_state))
    if va.size == 0 or tr.size == 0:
        raise InvalidInputError(
            f"validation_split must leave samples on both sides. Got {fraction!r} of "
            f"{X.shape[0]} samples instead."
        )

    def part(idx: NDArray[np.int64]) -> Data:
        w = None if data.weight is None else data.weight[idx]
        return Data(X[idx], data.y[idx], w)

    return part(tr), part(va)


def fit(
    model: Model,
    p: dict[str, Any],
    train: Data,
    val: Data | None,
    *,
    n_classes: int,
    run: Any,
    loss_name: str,
) -> Fitted:
    """Run the chosen solver through the train loop; ``p`` from :func:`check_params`."""
    if run is not None and not isinstance(run, loop.Run):
        raise InvalidTypeError(
            f"run must have a log(values, step, split) method. Got {v.describe(run)} instead."
        )
    if p["early_stopping"] and val is None:
        raise InvalidInputError(
            f"early_stopping must be False without validation data. Got "
            f"{p['early_stopping']} instead; pass validation_data=(X_val, y_val) or "
            "validation_split=0.2."
        )
    obj = Objective(model, train.X, train.y, p["l2"], train.weight, p["fit_intercept"], n_classes)
    mask = obj.penalty_mask()
    l1 = p["l1"]
    specs = [s for s in p["metrics"] if s.key not in (loss_name, "loss")]
    measure_with = [metric(loss_name), *specs]

    def measure_split(z: FloatArray, y: NDArray[Any]) -> dict[str, float]:
        values = evaluate(y, obj.predict_from_raw(z), metrics=measure_with)
        out = {"loss": float(values.pop(loss_name))}
        out.update({key: _scalar(val_) for key, val_ in values.items()})
        return out

    def measure(snap: loop.Snapshot) -> loop.Logs:
        z = obj.raw(snap.params) if snap.raw is None else snap.raw
        train_logs = measure_split(z, train.y)
        penalty = l1 * float(np.abs(snap.params * mask).sum()) if l1 else 0.0
        smooth = obj.value_from_raw(snap.params, z) if snap.value is None else snap.value
        train_logs["objective"] = smooth + penalty
        logs = {"train": train_logs}
        if val is not None:
            logs["val"] = measure_split(obj.raw(snap.params, val.X), val.y)
        return logs

    separated: Callable[[loop.Snapshot], bool] | None = None
    if model != "linear" and p["l2"] == 0 and l1 == 0:
        active = np.ones(train.y.size, bool) if train.weight is None else train.weight > 0

        def separated(snap: loop.Snapshot) -> bool:
            z = obj.raw(snap.params) if snap.raw is None else snap.raw
            return _strictly_separated(z[active], train.y[active])

    lr = p["learning_rate"]
    hint = (
        f"Try a smaller learning_rate, e.g. {lr / 10:g}, or standardise X."
        if p["solver"] not in ("newton", "lbfgs")
        else "Standardise X, or add l2."
    )
    stopper = loop.EarlyStopping(p["early_stopping"]) if p["early_stopping"] else None
    observers: list[Any] = [] if stopper is None else [stopper]
    bar = None
    if p["verbose"]:
        # rich is imported only when a bar is asked for: it is slow to import.
        from fitscope.train.progress import ProgressBar

        bar = ProgressBar(p["epochs"], label=p["solver"])
    if bar is not None:
        observers.append(bar)
    end = loop.EpochEnd(measure, observers, run, separated, hint)
    if run is not None:
        from fitscope.track.run import mark_epochs

        mark_epochs(run)  # the trainer logs one step per epoch: findings say "epoch"
    end.sizes = {"train": int(train.y.size)} | ({} if val is None else {"val": int(val.y.size)})
    theta0 = obj.zeros()
    # Overflow on the way to a NaN loss is reported once, as TrainingDivergedError naming the
    # epoch, rather than as a stream of numpy RuntimeWarnings.
    with (
        bar if bar is not None else contextlib.nullcontext(),
        np.errstate(over="ignore", invalid="ignore"),
    ):
        result = _solve(p, obj, theta0, end, mask)
    params = result.params
    best = None
    if stopper is not None and stopper.best_params is not None:
        params, best = stopper.best_params, stopper.best_epoch
    return Fitted(params, obj, end.history, result.epochs, result.reason, best)


def _solve(
    p: dict[str, Any], obj: Objective, theta0: FloatArray, end: loop.EpochEnd, mask: FloatArray
) -> loop.LoopResult:
    solver, epochs, tol = p["solver"], p["epochs"], p["tol"]
    if solver == "lbfgs":
        return run_lbfgs(obj, theta0, epochs=epochs, tol=tol, end_epoch=end)
    step: Callable[[], loop.Snapshot]
    if solver == "newton":
        step = NewtonStepper(obj, theta0, tol=tol)
    else:
        lr = p["learning_rate"]
        rules = {"gd": optim.gd, "sgd": optim.gd, "momentum": optim.momentum, "adam": optim.adam}
        rule = rules[solver](lr)
        prox = None
        if p["l1"] > 0:
            rule = optim.chain(rule, optim.l1_prox(lr * p["l1"], mask))
            prox = (lr, p["l1"], mask)
        step = GradientStepper(
            obj,
            rule,
            theta0,
            batch_size=p["batch_size"],
            tol=tol,
            rng=_rng(p["random_state"]),
            prox=prox,
        )
    return loop.iterate(step, epochs=epochs, end_epoch=end)


def _strictly_separated(z: FloatArray, y: NDArray[np.int64]) -> bool:
    """Every sample on the right side with a positive margin: then ``t * theta`` for t > 1
    lowers every sample's loss, so the unpenalised loss has no minimum."""
    if y.size == 0:
        return False
    if z.ndim == 1:
        return bool(np.all(np.where(y == 1, z, -z) > 0))
    rows = np.arange(y.size)
    true = z[rows, y].copy()
    others = z.copy()
    others[rows, y] = -np.inf
    return bool(np.all(true > others.max(axis=1)))


def _scalar(x: Any) -> float:
    try:
        return float(x)
    except (TypeError, ValueError) as exc:
        raise InvalidTypeError(
            f"metrics must return numbers to be recorded per epoch. Got {v.describe(x)} instead."
        ) from exc
