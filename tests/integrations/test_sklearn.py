import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.ensemble import (
    GradientBoostingClassifier,
    HistGradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.linear_model import SGDClassifier
from sklearn.metrics import accuracy_score, log_loss
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier

import fitscope
from fitscope.errors import InvalidInputError
from fitscope.integrations.sklearn import strategy, track

X, Y = make_classification(240, n_features=6, n_informative=4, n_classes=3, random_state=0)
X_TR, Y_TR, X_VA, Y_VA = X[:180], Y[:180], X[180:], Y[180:]


def _check(record, split, probas, y):
    """Stored values equal scikit-learn's metrics over the whole split at every iteration."""
    np.testing.assert_allclose(
        record.history("log_loss", split).values, [log_loss(y, p) for p in probas], rtol=1e-9
    )
    np.testing.assert_allclose(
        record.history("accuracy", split).values,
        [accuracy_score(y, p.argmax(1)) for p in probas],
    )


@pytest.mark.parametrize(
    "estimator",
    [
        SGDClassifier(loss="log_loss", random_state=0),
        MLPClassifier((8,), random_state=0, learning_rate_init=0.01),
    ],
)
def test_partial_fit_estimators_are_followed_epoch_by_epoch(store, estimator):
    track(estimator, X_TR, Y_TR, validation_data=(X_VA, Y_VA), epochs=4, store=store)
    record = store.runs()[0]
    assert record.status == "finished" and record.config["strategy"] == "partial_fit"
    # The same training by hand, one partial_fit an epoch.
    twin, train_p, val_p = clone(estimator), [], []
    for _ in range(4):
        twin.partial_fit(X_TR, Y_TR, classes=np.unique(Y))
        train_p.append(twin.predict_proba(X_TR))
        val_p.append(twin.predict_proba(X_VA))
    _check(record, "train", train_p, Y_TR)
    _check(record, "val", val_p, Y_VA)
    (snapshot,) = record.predictions("val")
    assert snapshot.step == 3


@pytest.mark.parametrize(
    "estimator",
    [
        GradientBoostingClassifier(n_estimators=6, random_state=0),
        HistGradientBoostingClassifier(max_iter=6, random_state=0),
    ],
)
def test_boosting_stages_are_followed(store, estimator):
    fitted = track(estimator, X_TR, Y_TR, validation_data=(X_VA, Y_VA), store=store)
    record = store.runs()[0]
    assert record.config["strategy"] == "staged"
    assert record.history("log_loss", "val").steps.tolist() == list(range(6))
    _check(record, "val", list(fitted.staged_predict_proba(X_VA)), Y_VA)
    _check(record, "train", list(fitted.staged_predict_proba(X_TR)), Y_TR)


def test_warm_start_grows_a_forest_one_tree_an_iteration(store):
    forest = track(RandomForestClassifier(random_state=0), X_TR, Y_TR, epochs=3, store=store)
    assert len(forest.estimators_) == 3
    record = store.runs()[0]
    assert record.config["strategy"] == "warm_start"
    assert record.history("accuracy").values[-1] == accuracy_score(Y_TR, forest.predict(X_TR))


def test_a_given_run_is_left_open(store):
    run = fitscope.init(store=store)
    track(SGDClassifier(loss="log_loss"), X_TR, Y_TR, epochs=2, run=run)
    assert run.status == "running"
    run.finish()


def test_bad_uses_are_explained(store):
    with pytest.raises(InvalidInputError, match="epochs must be an integer >= 1"):
        track(SGDClassifier(loss="log_loss"), X_TR, Y_TR, store=store)
    with pytest.raises(InvalidInputError, match="epochs must be None"):
        track(GradientBoostingClassifier(n_estimators=2), X_TR, Y_TR, epochs=3, store=store)
    with pytest.raises(InvalidInputError, match="must have predict_proba"):
        track(SGDClassifier(), X_TR, Y_TR, epochs=1, store=store)
    assert store.runs()[0].status == "failed"
    with pytest.raises(InvalidInputError, match="must learn in iterations"):
        strategy(KNeighborsClassifier())


def test_regressors_are_scored_from_predict(store):
    from sklearn.datasets import make_regression
    from sklearn.linear_model import SGDRegressor
    from sklearn.metrics import mean_squared_error

    x, y = make_regression(120, n_features=4, noise=1.0, random_state=0)
    model = track(SGDRegressor(random_state=0), x, y, epochs=3, metrics=("mse", "r2"), store=store)
    record = store.runs()[0]
    assert record.history("mse").values[-1] == pytest.approx(
        mean_squared_error(y, model.predict(x))
    )
