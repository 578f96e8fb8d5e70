"""The worked example: the loss optimum is not the accuracy optimum."""

from __future__ import annotations

import numpy as np
import pytest

import fitscope
from fitscope.models import LogisticRegression

X = np.array([[50.0, 160.0], [60.0, 170.0], [55.0, 175.0]])
Y = np.array([0, 0, 1])


@pytest.mark.parametrize("solver", ["newton", "lbfgs"])
def test_newton_and_lbfgs_reach_the_published_optimum(solver: str) -> None:
    model = LogisticRegression(fit_intercept=False, solver=solver, tol=1e-9, epochs=200)
    model.fit(X, Y)
    assert model.stop_reason_ == "converged"
    np.testing.assert_allclose(model.coef_, [[-0.5643, 0.1771]], atol=5e-5)
    assert model.intercept_.tolist() == [0.0]
    p = model.predict_proba(X)[:, 1]
    summed = fitscope.metrics.log_loss(Y, p, reduction="sum")
    assert round(summed, 4) == 1.4941
    assert round(fitscope.metrics.log_loss(Y, p), 4) == 0.4980
    assert model.history_["loss"][-1] == pytest.approx(summed / 3, rel=1e-12)
    # The fitted model gets one person in three right ...
    assert model.score(X, Y) == pytest.approx(1 / 3)
    assert model.history_["accuracy"][-1] == pytest.approx(1 / 3)
    # ... fewer than always predicting the majority class, 0.
    ev = fitscope.Evaluator(["accuracy"]).update(Y, p)
    assert ev.baselines()["accuracy"] == pytest.approx(2 / 3)
    assert model.predict(X).tolist() == [1, 0, 0]
