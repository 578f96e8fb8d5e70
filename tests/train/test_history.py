"""history_: one value per epoch, each fitscope.evaluate on the whole split at that epoch."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.preprocessing import StandardScaler

import fitscope
from fitscope.models import LinearRegression, LogisticRegression, SoftmaxRegression


def _cancer():
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    return fitscope.split(X, y, val=0.25, test=0.0, random_state=1)


@pytest.mark.parametrize(
    ("solver", "kw"),
    [
        ("newton", {}),
        ("lbfgs", {}),
        ("gd", {"learning_rate": 0.5}),
        ("sgd", {"learning_rate": 0.1, "batch_size": 50, "random_state": 3}),
        ("momentum", {"learning_rate": 0.2}),
        ("adam", {"learning_rate": 0.05, "batch_size": 100, "random_state": 3}),
    ],
)
def test_history_values_equal_evaluate_at_each_epoch(solver: str, kw: dict) -> None:
    (X, y), (Xv, yv), _ = _cancer()
    params = dict(l2=0.01, solver=solver, metrics=("accuracy", "roc_auc"), tol=0.0, **kw)
    full = LogisticRegression(epochs=4, **params).fit(X, y, validation_data=(Xv, yv))
    keys = {"loss", "accuracy", "roc_auc", "objective", "val_loss", "val_accuracy", "val_roc_auc"}
    assert set(full.history_) == keys
    assert all(len(values) == 4 for values in full.history_.values())
    for epoch in (1, 2, 4):
        # Same seed, same trajectory: the model after `epoch` epochs is this shorter fit.
        model = LogisticRegression(epochs=epoch, **params).fit(X, y, validation_data=(Xv, yv))
        for split, (A, b) in {"": (X, y), "val_": (Xv, yv)}.items():
            expected = fitscope.evaluate(
                b, model.predict_proba(A)[:, 1], metrics=["log_loss", "accuracy", "roc_auc"]
            )
            got = full.history_
            assert got[split + "loss"][epoch - 1] == pytest.approx(expected["log_loss"], rel=1e-9)
            assert got[split + "accuracy"][epoch - 1] == expected["accuracy"]
            assert got[split + "roc_auc"][epoch - 1] == pytest.approx(expected["roc_auc"])
    # The loss keeps falling for a full-batch solver with a sensible step.
    if solver in ("newton", "lbfgs", "gd"):
        assert np.all(np.diff(full.history_["objective"]) < 0)


def test_objective_is_the_loss_plus_the_penalty() -> None:
    (X, y), _, _ = _cancer()
    model = LogisticRegression(l2=0.5, solver="gd", epochs=3).fit(X, y)
    penalty = 0.25 * float(np.sum(model.coef_**2))
    assert model.history_["objective"][-1] == pytest.approx(
        model.history_["loss"][-1] + penalty, rel=1e-9
    )


def test_custom_metric_functions_and_softmax_history() -> None:
    X, y = load_iris(return_X_y=True)

    def error_rate(y_true, y_pred):  # a plain function gets the probabilities
        return float(np.mean(np.argmax(y_pred, axis=1) != y_true))

    model = SoftmaxRegression(l2=0.1, solver="newton", metrics=("accuracy", error_rate))
    model.fit(X, y, validation_split=0.2)
    h = model.history_
    assert h["error_rate"][-1] == pytest.approx(1 - h["accuracy"][-1])
    assert len(h["val_loss"]) == model.n_epochs_ == len(h["loss"])


def test_linear_regression_records_mse_and_r2() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = X @ [1.0, -2.0, 0.5] + 0.1 * rng.normal(size=60)
    model = LinearRegression(solver="gd", learning_rate=0.1, epochs=5, tol=0.0).fit(X, y)
    assert set(model.history_) == {"loss", "r2", "objective"}
    assert model.history_["loss"][-1] == pytest.approx(fitscope.metrics.mse(y, model.predict(X)))
    assert model.history_["r2"][-1] == pytest.approx(model.score(X, y))


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[dict, int, str]] = []

    def log(self, values: dict, step: int, split: str) -> None:
        self.calls.append((values, step, split))


def test_run_receives_every_epoch_per_split() -> None:
    (X, y), (Xv, yv), _ = _cancer()
    run = Recorder()
    model = LogisticRegression(l2=0.01, solver="gd", epochs=3, tol=0.0)
    model.fit(X, y, validation_data=(Xv, yv), run=run)
    assert [(s, sp) for _, s, sp in run.calls] == [
        (1, "train"), (1, "val"), (2, "train"), (2, "val"),
        (3, "train"), (3, "val"),
    ]  # fmt: skip
    train_logs = [v for v, _, sp in run.calls if sp == "train"]
    assert [v["loss"] for v in train_logs] == model.history_["loss"]
    assert set(run.calls[1][0]) == {"loss", "accuracy"}
