"""Bad input gets a typed error that names the argument."""

from __future__ import annotations

import numpy as np
import pytest

import fitscope
from fitscope.errors import InvalidInputError, InvalidTypeError, NotFittedError
from fitscope.models import LinearRegression, LogisticRegression, SoftmaxRegression

X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0], [3.0, 1.0]])
Y = np.array([0, 1, 0, 1])


def test_nan_and_inf_in_X_name_the_index() -> None:
    bad = X.copy()
    bad[2, 1] = np.nan
    with pytest.raises(
        InvalidInputError, match=r"X must hold finite numbers. Got nan at index \(2, 1\)"
    ):
        LogisticRegression().fit(bad, Y)
    bad[2, 1] = np.inf
    with pytest.raises(InvalidInputError, match=r"X must hold finite numbers. Got inf"):
        SoftmaxRegression().fit(bad, Y)


def test_non_numeric_X() -> None:
    with pytest.raises(InvalidTypeError, match="X must be an array of numbers"):
        LogisticRegression().fit([["a", "b"], ["c", "d"]], [0, 1])


def test_length_mismatch() -> None:
    with pytest.raises(
        InvalidInputError, match=r"y must have the same length as X \(4\). Got length 3"
    ):
        LogisticRegression().fit(X, Y[:3])


def test_single_class() -> None:
    with pytest.raises(InvalidInputError, match=r"y must hold at least two classes. Got only"):
        LogisticRegression().fit(X, np.zeros(4, int))


def test_three_classes_point_to_softmax() -> None:
    with pytest.raises(InvalidInputError, match="use SoftmaxRegression"):
        LogisticRegression().fit(X, [0, 1, 2, 1])


def test_unknown_solver_suggests_the_closest() -> None:
    with pytest.raises(InvalidInputError, match=r"solver must be one of .*Did you mean 'newton'"):
        LogisticRegression(solver="newtn").fit(X, Y)
    with pytest.raises(fitscope.FitscopeError, match=r"Got 'bfgs'.*'lbfgs'"):
        LinearRegression(solver="bfgs").fit(X, [1.0, 2.0, 3.0, 4.0])


@pytest.mark.parametrize(
    ("params", "pattern"),
    [
        ({"l2": -1.0}, "l2 must be a number >= 0. Got -1.0"),
        ({"l1": -0.1}, "l1 must be a number >= 0"),
        ({"learning_rate": -0.1}, "learning_rate must be a number > 0. Got -0.1"),
        ({"learning_rate": 0}, "learning_rate must be a number > 0"),
        ({"epochs": 0}, "epochs must be an integer >= 1"),
        ({"tol": float("nan")}, "tol must be a number >= 0"),
        ({"l1": 0.1, "solver": "newton"}, "l1 must be 0 with solver='newton'"),
        ({"batch_size": 8, "solver": "gd"}, "batch_size must be None with solver='gd'"),
        ({"class_weight": "balance"}, "class_weight must be one of 'balanced'"),
        ({"class_weight": {7: 2.0}}, "class_weight must only name classes in y"),
        ({"metrics": ("acuracy",)}, "Did you mean 'accuracy'"),
        ({"early_stopping": 3}, "early_stopping must be False without validation data"),
    ],
)
def test_bad_parameters(params: dict, pattern: str) -> None:
    with pytest.raises(InvalidInputError, match=pattern):
        LogisticRegression(**params).fit(X, Y)


def test_wrong_types_are_type_errors() -> None:
    with pytest.raises(InvalidTypeError, match="l2 must be a number"):
        LogisticRegression(l2="0.1").fit(X, Y)
    with pytest.raises(InvalidTypeError, match="run must have a log"):
        LogisticRegression(l2=0.1).fit(X, Y, run=object())


def test_predict_before_fit_and_wrong_width() -> None:
    with pytest.raises(NotFittedError, match="must be fitted"):
        LogisticRegression().predict(X)
    model = LogisticRegression(l2=0.1).fit(X, Y)
    with pytest.raises(InvalidInputError, match=r"X must have 2 features, as in fit. Got 3"):
        model.predict(np.ones((2, 3)))


def test_validation_labels_must_be_known() -> None:
    with pytest.raises(InvalidInputError, match=r"validation_data\[1\] must hold only the classes"):
        LogisticRegression(l2=0.1).fit(X, Y, validation_data=(X, [0, 1, 5, 1]))
    with pytest.raises(InvalidInputError, match="validation_split must be 0 when"):
        LogisticRegression(l2=0.1).fit(X, Y, validation_data=(X, Y), validation_split=0.5)
