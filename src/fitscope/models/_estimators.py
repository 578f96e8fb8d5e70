"""``LogisticRegression``, ``SoftmaxRegression`` and ``LinearRegression``: thin facades over the
objectives and the train loop that follow scikit-learn's estimator protocol by hand (parameters
stored verbatim by ``__init__``, ``get_params``/``set_params``, fitted attributes ending in
``_``), so ``clone``, ``Pipeline``, ``cross_val_score`` and ``GridSearchCV`` work with them
without scikit-learn being a dependency."""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from fitscope import _validation as v
from fitscope.errors import InvalidInputError, NotFittedError
from fitscope.metrics import r2 as r2_score
from fitscope.models import _fit
from fitscope.models._objectives import Model

__all__ = ["LinearRegression", "LogisticRegression", "SoftmaxRegression"]

FloatArray = NDArray[np.float64]
ValidationData = tuple[Any, Any] | None


class _Estimator:
    """The estimator protocol, shared by the three models (which never inherit each other)."""

    _model: ClassVar[Model]
    _estimator_type: ClassVar[str]  # read by scikit-learn before 1.6
    coef_: FloatArray
    intercept_: Any  # (K,) array for the classifiers, a float for LinearRegression

    @classmethod
    def _param_names(cls) -> list[str]:
        sig = inspect.signature(cls.__init__)
        return sorted(n for n in sig.parameters if n != "self")

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor's parameters, as given."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params: Any) -> Any:
        """Set parameters by name; returns self. An unknown name is an error."""
        names = self._param_names()
        for key, value in params.items():
            if key not in names:
                close = difflib.get_close_matches(key, names, n=1, cutoff=0.5)
                hint = f" Did you mean {close[0]!r}?" if close else ""
                raise InvalidInputError(
                    f"set_params keys must be parameters of {type(self).__name__} "
                    f"({', '.join(names)}). Got {key!r} instead.{hint}"
                )
            setattr(self, key, value)
        return self

    def __repr__(self) -> str:
        sig = inspect.signature(type(self).__init__)
        changed = [
            f"{n}={getattr(self, n)!r}"
            for n, prm in sig.parameters.items()
            if n != "self" and getattr(self, n) is not prm.default
        ]
        return f"{type(self).__name__}({', '.join(changed)})"

    def __sklearn_tags__(self) -> Any:
        # Called only by scikit-learn, so importing it here adds no dependency.
        from sklearn.utils import ClassifierTags, InputTags, RegressorTags, Tags, TargetTags

        classifier = self._estimator_type == "classifier"
        return Tags(
            estimator_type=self._estimator_type,
            target_tags=TargetTags(required=True),
            classifier_tags=ClassifierTags(multi_class=self._model == "softmax")
            if classifier
            else None,
            regressor_tags=None if classifier else RegressorTags(),
            input_tags=InputTags(),
        )

    def _check_fitted(self) -> None:
        if not hasattr(self, "coef_"):
            raise NotFittedError(
                f"This {type(self).__name__} must be fitted before it predicts. Call fit(X, y) "
                "first."
            )

    def _store(self, fitted: _fit.Fitted, n_features: int) -> None:
        obj = fitted.objective
        coef, intercept = obj.split(fitted.params)
        self.n_features_in_ = n_features
        self.history_ = fitted.history
        self.n_epochs_ = fitted.epochs
        self.n_iter_ = np.array([fitted.epochs])
        self.stop_reason_ = fitted.reason
        self.converged_ = fitted.reason == "converged"
        self.best_epoch_ = fitted.best_epoch
        self._set_coef(coef.copy(), intercept.copy())

    def _set_coef(self, coef: FloatArray, intercept: FloatArray) -> None:
        self.coef_ = coef
        self.intercept_ = intercept


_DOC_PARAMS = """
    Parameters (checked in ``fit``, stored as given): ``fit_intercept``; ``l2`` and ``l1`` in
    the objective mean loss + (l2/2)||w||² + l1 ||w||₁ (intercepts not penalised; l1 needs
    solver "gd" or "sgd"); ``solver`` one of "gd", "sgd", "momentum", "adam", "newton",
    "lbfgs"; ``learning_rate`` (first-order solvers); ``epochs`` (passes over the data, or
    iterations for full-batch solvers); ``batch_size`` (sgd: default 32; momentum/adam: default
    the whole set); ``tol`` (stop when the largest gradient entry is at most tol);
    ``metrics`` (names or functions recorded per epoch besides the loss); ``early_stopping``
    (False, True = patience 10, or a patience: stop when val_loss has not improved for that
    many epochs and keep the best epoch's weights); ``random_state``; ``verbose`` (a progress
    bar on standard error). See docs/trainers.md.
"""


class _Classifier(_Estimator):
    """What the two classifiers share: their parameters (one ``__init__``, which scikit-learn
    reads through ``get_params``), fitting on class labels, and predicting. They differ only
    in ``_model``; neither inherits the other."""

    _estimator_type = "classifier"

    def __init__(
        self,
        *,
        fit_intercept: bool = True,
        l2: float = 0.0,
        l1: float = 0.0,
        solver: str = "lbfgs",
        learning_rate: float = 0.1,
        epochs: int = 100,
        batch_size: int | None = None,
        tol: float = 1e-6,
        class_weight: Any = None,
        metrics: Sequence[Any] = ("accuracy",),
        early_stopping: bool | int = False,
        random_state: int | np.random.Generator | None = None,
        verbose: bool = False,
    ) -> None:
        self.fit_intercept = fit_intercept
        self.l2 = l2
        self.l1 = l1
        self.solver = solver
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.batch_size = batch_size
        self.tol = tol
        self.class_weight = class_weight
        self.metrics = metrics
        self.early_stopping = early_stopping
        self.random_state = random_state
        self.verbose = verbose

    def fit(
        self,
        X: Any,
        y: Any,
        *,
        sample_weight: Any = None,
        validation_data: ValidationData = None,
        validation_split: float = 0.0,
        run: Any = None,
    ) -> Any:
        """Fit on ``X, y``; returns self. ``history_`` holds per-epoch values, each measured on
        the whole split at the end of the epoch (never a running average over batches)."""
        p = _fit.check_params(self.get_params())
        Xa = _fit.features(X, "X")
        ya = _fit.labels_1d(y, "y")
        n = v.check_consistent_length(X=Xa, y=ya)
        classes, enc = np.unique(ya, return_inverse=True)
        enc = enc.astype(np.int64).ravel()
        if classes.size < 2:
            raise InvalidInputError(
                f"y must hold at least two classes. Got only the class {classes[0]!r} instead."
            )
        if self._model == "logistic" and classes.size > 2:
            raise InvalidInputError(
                f"y must hold two classes for LogisticRegression. Got {classes.size} classes "
                "instead; use SoftmaxRegression for more."
            )
        sw = v.as_sample_weight(sample_weight, n)
        cw = _fit.class_weights(self.class_weight, classes, enc)
        weight = cw if sw is None else (sw if cw is None else sw * cw)
        train = _fit.Data(Xa, enc, weight)
        val = None
        if validation_data is not None:
            if validation_split:
                raise InvalidInputError(
                    "validation_split must be 0 when validation_data is given. Got "
                    f"{validation_split!r} instead."
                )
            Xv, yv = _unpack_validation(validation_data)
            Xv = _fit.features(Xv, "validation_data[0]", Xa.shape[1])
            yv = _fit.labels_1d(yv, "validation_data[1]")
            v.check_consistent_length(**{"validation_data[0]": Xv, "validation_data[1]": yv})
            val = _fit.Data(Xv, _fit.encode(yv, classes, "validation_data[1]"))
        elif validation_split:
            train, val = _fit.holdout(Xa, train, validation_split, True, p["random_state"])
        self.classes_ = classes
        fitted = _fit.fit(
            self._model, p, train, val, n_classes=classes.size, run=run, loss_name="log_loss"
        )
        self._store(fitted, Xa.shape[1])
        return self

    def decision_function(self, X: Any) -> FloatArray:
        """Raw scores: ``(n,)`` for two classes (class 1's logit), else ``(n, K)``."""
        self._check_fitted()
        Xa = _fit.features(X, "X", self.n_features_in_)
        z: FloatArray = Xa @ self.coef_.T + self.intercept_
        return z[:, 0] if self._model == "logistic" else z

    def predict_proba(self, X: Any) -> FloatArray:
        """Class probabilities, ``(n, n_classes)`` in the order of ``classes_``."""
        z = self.decision_function(X)
        if self._model == "logistic":
            from fitscope.metrics._kernels import sigmoid

            p = sigmoid(z)
            return np.column_stack([1.0 - p, p])
        from fitscope.metrics._kernels import log_softmax

        out: FloatArray = np.exp(log_softmax(z))
        return out

    def predict(self, X: Any) -> NDArray[Any]:
        """The likelier class (for two classes: class 1 when its probability is >= 0.5, the
        rule fitscope's accuracy applies to probabilities)."""
        proba = self.predict_proba(X)
        idx = (proba[:, 1] >= 0.5).astype(np.int64) if self._model == "logistic" else None
        if idx is None:
            idx = proba.argmax(axis=1)
        out: NDArray[Any] = self.classes_[idx]
        return out

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Accuracy of ``predict(X)`` against ``y``."""
        pred = self.predict(X)
        ya = _fit.labels_1d(y, "y")
        v.check_consistent_length(X=pred, y=ya)
        w = v.as_sample_weight(sample_weight, ya.size)
        return float(np.average(pred == ya, weights=w))


class LogisticRegression(_Classifier):
    """Binary logistic regression: mean log loss + (l2/2)||w||², by any of six solvers.

    >>> import numpy as np
    >>> from fitscope.models import LogisticRegression
    >>> X = np.array([[50, 160], [60, 170], [55, 175]])
    >>> model = LogisticRegression(fit_intercept=False, solver="newton").fit(X, [0, 0, 1])
    >>> model.coef_.round(4)
    array([[-0.5643,  0.1771]])
    >>> round(model.history_["loss"][-1], 4), model.history_["accuracy"][-1]
    (0.498, 0.3333333333333333)
    """

    __doc__ = (__doc__ or "") + _DOC_PARAMS
    _model = "logistic"


class SoftmaxRegression(_Classifier):
    """Multinomial (softmax) regression over K >= 2 classes; ``coef_`` is ``(K, n_features)``.

    >>> import numpy as np
    >>> from fitscope.models import SoftmaxRegression
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0], [4.0], [5.0]])
    >>> model = SoftmaxRegression(l2=0.01, solver="newton").fit(X, [0, 0, 1, 1, 2, 2])
    >>> model.coef_.shape, model.predict([[0.2], [4.8]]).tolist()
    ((3, 1), [0, 2])
    """

    __doc__ = (__doc__ or "") + _DOC_PARAMS
    _model = "softmax"


class LinearRegression(_Estimator):
    """Least squares: mean squared error + (l2/2)||w||² (Ridge's alpha is n * l2 / 2).

    ``history_`` records "loss" (the mse) and ``metrics`` (default r2) per epoch.

    >>> import numpy as np
    >>> from fitscope.models import LinearRegression
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> model = LinearRegression(solver="newton").fit(X, [1.0, 3.0, 5.0, 7.0])
    >>> model.coef_.round(6), round(model.intercept_, 6), model.stop_reason_
    (array([2.]), 1.0, 'converged')
    """

    __doc__ = (__doc__ or "") + _DOC_PARAMS
    _model = "linear"
    _estimator_type = "regressor"

    def __init__(
        self,
        *,
        fit_intercept: bool = True,
        l2: float = 0.0,
        l1: float = 0.0,
        solver: str = "lbfgs",
        learning_rate: float = 0.1,
        epochs: int = 100,
        batch_size: int | None = None,
        tol: float = 1e-6,
        metrics: Sequence[Any] = ("r2",),
        early_stopping: bool | int = False,
        random_state: int | np.random.Generator | None = None,
        verbose: bool = False,
    ) -> None:
        self.fit_intercept = fit_intercept
        self.l2 = l2
        self.l1 = l1
        self.solver = solver
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.batch_size = batch_size
        self.tol = tol
        self.metrics = metrics
        self.early_stopping = early_stopping
        self.random_state = random_state
        self.verbose = verbose

    def fit(
        self,
        X: Any,
        y: Any,
        *,
        sample_weight: Any = None,
        validation_data: ValidationData = None,
        validation_split: float = 0.0,
        run: Any = None,
    ) -> LinearRegression:
        """Fit on ``X, y``; returns self (``history_`` as for the classifiers)."""
        p = _fit.check_params(self.get_params())
        Xa = _fit.features(X, "X")
        ya = _targets(y, "y")
        n = v.check_consistent_length(X=Xa, y=ya)
        train = _fit.Data(Xa, ya, v.as_sample_weight(sample_weight, n))
        val = None
        if validation_data is not None:
            if validation_split:
                raise InvalidInputError(
                    "validation_split must be 0 when validation_data is given. Got "
                    f"{validation_split!r} instead."
                )
            Xv, yv = _unpack_validation(validation_data)
            Xv = _fit.features(Xv, "validation_data[0]", Xa.shape[1])
            yv = _targets(yv, "validation_data[1]")
            v.check_consistent_length(**{"validation_data[0]": Xv, "validation_data[1]": yv})
            val = _fit.Data(Xv, yv)
        elif validation_split:
            train, val = _fit.holdout(Xa, train, validation_split, False, p["random_state"])
        fitted = _fit.fit("linear", p, train, val, n_classes=1, run=run, loss_name="mse")
        self._store(fitted, Xa.shape[1])
        return self

    def _set_coef(self, coef: FloatArray, intercept: FloatArray) -> None:
        # scikit-learn's layout for one target: coef_ (n_features,), intercept_ a float.
        self.coef_ = coef[0]
        self.intercept_ = float(intercept[0])

    def predict(self, X: Any) -> FloatArray:
        self._check_fitted()
        Xa = _fit.features(X, "X", self.n_features_in_)
        out: FloatArray = Xa @ self.coef_ + self.intercept_
        return out

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """R² of ``predict(X)`` against ``y`` (fitscope.metrics.r2)."""
        return float(r2_score(_targets(y, "y"), self.predict(X), sample_weight=sample_weight))


def _targets(y: Any, name: str) -> FloatArray:
    arr = v.as_array(y, name)
    v.check_ndim(arr, name, (1,))
    out = arr.astype(np.float64, copy=False)
    v.check_finite(out, name)
    return out


def _unpack_validation(data: Any) -> tuple[Any, Any]:
    if not isinstance(data, tuple | list) or len(data) != 2:
        raise InvalidInputError(
            f"validation_data must be a pair (X_val, y_val). Got {v.describe(data)} instead."
        )
    return data[0], data[1]
