"""Early stopping, divergence and separable data: trouble is named, not hidden."""

from __future__ import annotations

import io
import math

import numpy as np
import pytest
from rich.console import Console

from fitscope.errors import SeparableDataWarning, TrainingDivergedError
from fitscope.models import LinearRegression, LogisticRegression, SoftmaxRegression
from fitscope.train import EarlyStopping
from fitscope.train.progress import ProgressBar


def _noisy(seed: int = 0, n: int = 120, d: int = 30):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = (X[:, 0] + 2.0 * rng.normal(size=n) > 0).astype(int)
    return X, y


def test_early_stopping_stops_and_restores_the_best_weights() -> None:
    X, y = _noisy()
    Xv, yv = _noisy(seed=1)
    model = LogisticRegression(solver="gd", learning_rate=0.5, epochs=500, early_stopping=5)
    model.fit(X, y, validation_data=(Xv, yv))
    val = model.history_["val_loss"]
    assert model.stop_reason_.startswith("early_stopping")
    best = int(np.argmin(val)) + 1
    assert model.best_epoch_ == best
    assert len(val) == best + 5  # patience epochs without improvement, then stop
    # The weights are the best epoch's: their validation loss is the minimum recorded.
    p = model.predict_proba(Xv)[:, 1]
    from fitscope.metrics import log_loss

    assert log_loss(yv, p) == pytest.approx(min(val), rel=1e-12)


def test_early_stopping_observer_only_decides() -> None:
    es = EarlyStopping(patience=1)
    params = np.ones(2)
    assert not es.on_epoch_end(1, {"val_loss": 1.0}, params).stop
    params[:] = 5.0  # the caller's array changes; the observer kept its own copy
    assert es.on_epoch_end(2, {"val_loss": 2.0}, params).stop
    np.testing.assert_array_equal(es.best_params, [1.0, 1.0])


def test_divergence_names_the_epoch_and_suggests_a_smaller_learning_rate() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 3)) * 100
    y = X @ [1.0, 2.0, 3.0]
    with pytest.raises(TrainingDivergedError, match=r"at epoch \d+.*learning_rate, e\.g\. 0\.1"):
        LinearRegression(solver="gd", learning_rate=1.0, epochs=1000).fit(X, y)
    assert issubclass(TrainingDivergedError, ArithmeticError)


@pytest.mark.parametrize("solver", ["newton", "lbfgs", "gd", "adam"])
def test_separable_data_without_l2_warns_and_stops(solver: str) -> None:
    X = np.array([[-2.0, 1.0], [-1.0, 0.5], [1.0, -0.3], [2.0, 0.1]])
    y = [0, 0, 1, 1]
    with pytest.warns(SeparableDataWarning, match="linearly separable.*add l2"):
        model = LogisticRegression(solver=solver, epochs=10_000).fit(X, y)
    assert model.stop_reason_ == "separable"
    assert model.n_epochs_ < 50
    assert model.score(X, y) == 1.0
    # With l2 the optimum exists: no warning, and the solver converges.
    model = LogisticRegression(solver="newton", l2=1e-3).fit(X, y)
    assert model.stop_reason_ == "converged"


def test_separable_softmax_warns() -> None:
    X = np.array([[0.0], [1.0], [5.0], [6.0], [10.0], [11.0]])
    with pytest.warns(SeparableDataWarning):
        SoftmaxRegression(solver="lbfgs", epochs=1000).fit(X, [0, 0, 1, 1, 2, 2])


def test_l1_with_proximal_gd_zeroes_irrelevant_features() -> None:
    X, y = _noisy(n=400, d=10)
    model = LogisticRegression(solver="gd", l1=0.05, learning_rate=0.5, epochs=500).fit(X, y)
    assert model.coef_[0, 0] > 0.1
    assert np.sum(model.coef_[0, 1:] == 0.0) >= 7
    assert math.isfinite(model.history_["objective"][-1])


def test_class_weight_balanced_shifts_the_intercept() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 2))
    y = (X[:, 0] + rng.normal(size=300) > 1.5).astype(int)  # few positives
    plain = LogisticRegression(l2=0.01, solver="newton").fit(X, y)
    balanced = LogisticRegression(l2=0.01, solver="newton", class_weight="balanced").fit(X, y)
    assert balanced.intercept_[0] > plain.intercept_[0]
    assert balanced.predict(X).mean() > plain.predict(X).mean()


def test_progress_bar_shows_live_values() -> None:
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=False, width=120)
    with ProgressBar(3, console=console, label="gd") as bar:
        for epoch in (1, 2, 3):
            bar.on_epoch_end(epoch, {"loss": 0.5 / epoch, "accuracy": 0.9}, np.zeros(1))
    assert "loss 0.1667" in buf.getvalue() and "accuracy 0.9" in buf.getvalue()


def test_verbose_fit_runs(capsys: pytest.CaptureFixture[str]) -> None:
    X, y = _noisy()
    LogisticRegression(l2=0.1, solver="newton", verbose=True).fit(X, y)
    assert "newton" in capsys.readouterr().err
