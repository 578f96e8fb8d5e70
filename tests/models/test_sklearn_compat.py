"""The estimators work with scikit-learn's tools, without inheriting from scikit-learn."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.datasets import load_breast_cancer, load_iris, make_regression
from sklearn.linear_model import LinearRegression as SkLinearRegression
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.model_selection import GridSearchCV, PredefinedSplit, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import fitscope
from fitscope.models import LinearRegression, LogisticRegression, SoftmaxRegression


@pytest.mark.parametrize("cls", [LogisticRegression, SoftmaxRegression])
def test_clone_copies_parameters_verbatim(cls: type) -> None:
    est = cls(l2=0.1, solver="newton", metrics=("accuracy", "f1"), class_weight="balanced")
    copy = clone(est)
    assert copy is not est and type(copy) is cls
    assert copy.get_params() == est.get_params()
    assert copy.get_params()["class_weight"] == "balanced"
    assert not hasattr(copy, "coef_")
    assert is_classifier(est) and is_regressor(LinearRegression())
    assert repr(est).startswith(f"{cls.__name__}(") and "l2=0.1" in repr(est)


def test_the_classifiers_share_parameters_without_inheriting_each_other() -> None:
    assert LogisticRegression().get_params() == SoftmaxRegression().get_params()
    assert not issubclass(LogisticRegression, SoftmaxRegression)
    assert not issubclass(SoftmaxRegression, LogisticRegression)


def test_set_params_rejects_unknown_names_with_a_suggestion() -> None:
    with pytest.raises(fitscope.InvalidInputError, match="Did you mean 'l2'"):
        LogisticRegression().set_params(l3=1.0)
    assert LogisticRegression().set_params(l2=2.0).l2 == 2.0


def test_pipeline_and_cross_val_score() -> None:
    X, y = load_breast_cancer(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), LogisticRegression(l2=1e-2, solver="newton"))
    scores = cross_val_score(pipe, X, y, cv=3)
    assert scores.shape == (3,) and scores.min() > 0.93
    # String labels work like in scikit-learn; classes_ keeps them.
    names = np.array(["benign", "malignant"])[y]
    pipe.fit(X, names)
    assert pipe.classes_.tolist() == ["benign", "malignant"]
    assert set(pipe.predict(X[:5])) <= {"benign", "malignant"}


def test_gridsearch_on_validation_then_test_once() -> None:
    X, y = load_iris(return_X_y=True)
    (X_tr, y_tr), (X_val, y_val), (X_te, y_te) = fitscope.split(X, y, random_state=0)
    X_fit = np.concatenate([X_tr, X_val])
    y_fit = np.concatenate([y_tr, y_val])
    # -1: always in the training fold; 0: the one validation fold.
    fold = PredefinedSplit(np.r_[np.full(len(y_tr), -1), np.zeros(len(y_val))])
    search = GridSearchCV(
        SoftmaxRegression(solver="newton"), {"l2": [1e-3, 1e-1, 10.0]}, cv=fold, refit=True
    )
    search.fit(X_fit, y_fit)
    assert search.best_params_["l2"] in (1e-3, 1e-1)
    assert search.best_estimator_.score(X_te, y_te) > 0.85


def test_layout_matches_sklearn() -> None:
    X, y = load_iris(return_X_y=True)
    Xs = StandardScaler().fit_transform(X)
    soft = SoftmaxRegression(l2=1.0 / len(y), solver="newton", tol=1e-10).fit(Xs, y)
    sk = SkLogisticRegression(C=1.0, tol=1e-12, max_iter=10000).fit(Xs, y)
    assert soft.coef_.shape == (3, 4) and soft.intercept_.shape == (3,)
    np.testing.assert_allclose(soft.predict_proba(Xs), sk.predict_proba(Xs), atol=1e-6)
    binary = LogisticRegression(l2=0.1).fit(Xs, y == 2)
    assert binary.coef_.shape == (1, 4) and binary.intercept_.shape == (1,)
    assert binary.predict_proba(Xs).shape == (150, 2)
    assert binary.n_features_in_ == 4


def test_linear_regression_matches_sklearn() -> None:
    X, y = make_regression(n_samples=80, n_features=5, noise=3.0, random_state=0)
    sk = SkLinearRegression().fit(X, y)
    for solver in ("newton", "lbfgs"):
        ours = LinearRegression(solver=solver, tol=1e-9, epochs=500).fit(X, y)
        assert ours.coef_.shape == (5,) and isinstance(ours.intercept_, float)
        np.testing.assert_allclose(ours.coef_, sk.coef_, rtol=1e-7)
        assert ours.intercept_ == pytest.approx(sk.intercept_, abs=1e-6)
        assert ours.score(X, y) == pytest.approx(sk.score(X, y), rel=1e-10)
    scores = cross_val_score(LinearRegression(solver="newton"), X, y, cv=4)
    assert scores.min() > 0.9


def test_fitted_estimator_pickles() -> None:
    X, y = load_iris(return_X_y=True)
    est = SoftmaxRegression(l2=0.1, solver="newton").fit(X, y)
    again = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(again.predict(X), est.predict(X))
