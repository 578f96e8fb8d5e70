"""Linear models: objectives as plain functions, and scikit-learn-compatible estimators.

:func:`objective`, :func:`gradient` and :func:`hessian` give mean loss + (l2/2)||w||² of the
logistic, softmax and linear models; :class:`LogisticRegression`, :class:`SoftmaxRegression`
and :class:`LinearRegression` fit them with gd, sgd, momentum, adam, newton or lbfgs and record
loss and metrics per epoch. See docs/trainers.md.
"""

from __future__ import annotations

from fitscope.models._estimators import LinearRegression, LogisticRegression, SoftmaxRegression
from fitscope.models._objectives import Objective, gradient, hessian, objective

__all__ = [
    "LinearRegression",
    "LogisticRegression",
    "Objective",
    "SoftmaxRegression",
    "gradient",
    "hessian",
    "objective",
]
