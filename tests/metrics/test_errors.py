"""Bad input gets a typed error that names the argument, what was expected and what was given,
with the first offending index where there is one. Never a silent wrong number."""

from __future__ import annotations

import numpy as np
import pytest

import fitscope
from fitscope import FitscopeError, InvalidInputError, InvalidTypeError, UnknownMetricError
from fitscope.metrics import (
    accuracy,
    f1,
    log_loss,
    mse,
    roc_auc,
    top_k_accuracy,
)

P3 = np.array([[0.2, 0.3, 0.5], [0.1, 0.1, 0.8], [0.6, 0.2, 0.2]])


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (
            lambda: log_loss([0, 1, 1], [0.2, 0.4]),
            InvalidInputError,
            ["y_pred", "same length", "(3)", "length 2"],
        ),
        (
            lambda: log_loss([0, 1, 1], [0.2, np.nan, 0.4]),
            InvalidInputError,
            ["y_pred", "finite", "nan", "index 1"],
        ),
        (
            lambda: mse([0.0, 1.0], [np.inf, 1.0]),
            InvalidInputError,
            ["y_pred", "finite", "index 0"],
        ),
        (
            lambda: log_loss([0, 1, 1], [0.2, 1.4, 0.4]),
            InvalidInputError,
            ["y_pred", "probabilities in [0, 1]", "1.4", "index 1", "from_logits=True"],
        ),
        (
            lambda: log_loss([0, 1, 2], P3 * 1.1),
            InvalidInputError,
            ["y_pred", "rows that sum to 1", "Row 0", "1.1"],
        ),
        (
            lambda: log_loss([0, 2, 1], [0.2, 0.6, 0.4]),
            InvalidInputError,
            ["y_true", "two classes when y_pred is 1-D", "3 classes", "[0, 1, 2]", "2-D"],
        ),
        (lambda: accuracy([], []), InvalidInputError, ["y_true", "at least one sample", "empty"]),
        (
            lambda: log_loss([0, 1], [0.2, 0.6], sample_weight=[1.0, -2.0]),
            InvalidInputError,
            ["sample_weight", "non-negative", "-2.0", "index 1"],
        ),
        (
            lambda: log_loss([0, 1], [0.2, 0.6], sample_weight=[1.0]),
            InvalidInputError,
            ["sample_weight", "same length", "length 1"],
        ),
        (
            lambda: roc_auc([0, 0, 0], [0.2, 0.6, 0.1]),
            InvalidInputError,
            ["y_true", "both classes", "roc_auc", "only class 0"],
        ),
        (lambda: roc_auc([0, 1, 1], P3), InvalidInputError, ["y_true", "every class", "class 2"]),
        (
            lambda: accuracy([[0, 1]], [0.3]),  # 2-D y_true is multilabel: y_pred must match
            InvalidInputError,
            ["y_pred", "shape of y_true (1, 2)", "Got shape (1,)"],
        ),
        (
            lambda: accuracy([0, 1], np.zeros((2, 2, 2))),
            InvalidInputError,
            ["y_pred", "1-D or 2-D", "(2, 2, 2)"],
        ),
        (
            lambda: log_loss(["a", "b"], [[1.0, 0.0, 0.0]] * 2),
            InvalidInputError,
            ["y_true", "3 distinct labels", "one per column", "labels=[...]"],
        ),
        (
            lambda: accuracy([0, 1, 3, 4], np.vstack([P3, P3[:1]])),
            InvalidInputError,
            ["y_true", "3 distinct labels", "Got 4 labels [0, 1, 3, 4]"],
        ),
        (
            lambda: accuracy([0, 1, 5], P3, labels=[0, 1, 2]),
            InvalidInputError,
            ["y_true", "labels among labels=", "[0, 1, 2]", "5", "index 2"],
        ),
        (
            lambda: accuracy(["a", "b"], ["a", "c"], labels=["a", "b"]),
            InvalidInputError,
            ["y_pred", "labels among labels=", "'c'", "index 1"],
        ),
        (
            lambda: f1(["a", "b"], ["a", "b"]),
            InvalidInputError,
            ["pos_label", "['a', 'b']", "Got 1 (the default)", "average='binary'"],
        ),
        (
            lambda: roc_auc(["a", "a"], [0.3, 0.6]),
            InvalidInputError,
            ["pos_label must be given", "'a'", "labels=[negative, positive]"],
        ),
        (
            lambda: roc_auc(["a", "b"], [0.3, 0.6], pos_label="c"),
            InvalidInputError,
            ["pos_label", "['a', 'b']", "'c'"],
        ),
        (
            lambda: accuracy(np.array(["a", 1], dtype=object), ["a", "a"]),
            InvalidInputError,
            ["y_true", "one type", "'a' at index 0", "1 at index 1"],
        ),
        (lambda: accuracy([0, 0.5], [0, 1]), InvalidInputError, ["y_true", "class labels", "0.5"]),
        (
            lambda: accuracy(["a", "b"], [0, 1]),
            InvalidInputError,
            ["y_pred", "same type as y_true", "num", "str"],
        ),
        (lambda: accuracy("01", [0, 1]), InvalidTypeError, ["y_true", "array of labels", "string"]),
        (
            lambda: accuracy(3, [0, 1]),
            InvalidInputError,
            ["y_true", "one value per sample", "scalar"],
        ),
        (
            lambda: f1([0, 1, 2], [0, 1, 2]),
            InvalidInputError,
            ["average", "'micro', 'macro', 'weighted' or None", "'binary'", "3 classes"],
        ),
        (
            lambda: f1([0, 1], [0, 1], average="mean"),
            InvalidInputError,
            ["f1(average=...)", "'macro'", "'mean'"],
        ),
        (
            lambda: f1([0, 1], [0, 1], average="macr"),
            InvalidInputError,
            ["f1(average=...)", "'macr'", "Did you mean 'macro'?"],
        ),
        (
            lambda: log_loss([0, 1], [0.1, 0.2], reduction="summ"),
            InvalidInputError,
            ["reduction", "'summ'", "Did you mean 'sum'?"],
        ),
        (
            lambda: log_loss([0, 1], [0.1, 0.2], reduction="avg"),
            InvalidInputError,
            ["reduction", "'mean', 'sum', 'none'", "'avg'"],
        ),
        (lambda: top_k_accuracy([0, 1, 2], P3, k=0), InvalidInputError, ["k=...", ">= 1", "0"]),
        (
            lambda: accuracy([0, 1], [0.1, 0.9], threshold=1.5),
            InvalidInputError,
            ["threshold", "[0.0, 1.0]", "1.5"],
        ),
        (
            lambda: log_loss([0, 1], [3, 0]),
            InvalidInputError,
            ["y_pred", "probabilities (or 0/1 labels)", "label 3", "2-D"],
        ),
        (
            lambda: fitscope.evaluate([0, 1], [0.2, 0.8], metrics=["acuracy"]),
            UnknownMetricError,
            ["metrics", "'acuracy'", "Did you mean 'accuracy'?"],
        ),
        (
            lambda: fitscope.evaluate([0, 1], [0.2, 0.8], metrics=[]),
            InvalidInputError,
            ["metrics", "at least one"],
        ),
        (
            lambda: fitscope.evaluate([0, 1], [0.2, 0.8], metrics=["f1", "f1"]),
            InvalidInputError,
            ["distinct names", "'f1' twice", "name=..."],
        ),
        (
            lambda: fitscope.metric("f1", averge="macro"),
            InvalidInputError,
            ["f1 options", "average", "'averge'", "Did you mean 'average'?"],
        ),
        (
            lambda: fitscope.evaluate([0, 1], [0.2, 0.8], metrics=[42]),
            InvalidTypeError,
            ["metrics entries", "42"],
        ),
        (
            lambda: fitscope.Evaluator(ranking="approx"),
            InvalidInputError,
            ["ranking", "'exact', 'binned'", "'approx'"],
        ),
    ],
)
def test_bad_input_gets_a_typed_error_that_names_the_argument(call, error, words) -> None:
    with pytest.raises(error) as info:
        call()
    assert isinstance(info.value, FitscopeError)
    message = str(info.value)
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"


def test_errors_are_also_the_builtins_callers_catch() -> None:
    assert issubclass(InvalidInputError, ValueError)
    assert issubclass(InvalidTypeError, TypeError)
    assert issubclass(UnknownMetricError, LookupError)
    assert issubclass(fitscope.MissingDependencyError, ImportError)


def test_a_rejected_batch_leaves_the_evaluator_unchanged() -> None:
    ev = fitscope.Evaluator(["accuracy", "log_loss", "roc_auc", "mse"])
    ev.update([0, 1, 1], [0.2, 0.7, 0.9])
    before = ev.compute()
    with pytest.raises(InvalidInputError):
        # Fine for the classification state, rejected by the regression state afterwards.
        ev.update([0, 1], [0.2, np.inf])
    with pytest.raises(InvalidInputError):
        ev.update([0, 1], [0.2, 0.5], sample_weight=[1, -1])
    assert ev.n_samples == 3
    assert ev.compute() == before


def test_mixing_score_layouts_across_batches_is_an_error() -> None:
    ev = fitscope.Evaluator(["log_loss"])
    ev.update([0, 1], [0.2, 0.7])
    with pytest.raises(InvalidInputError, match="one layout across batches") as info:
        ev.update([0, 1, 2], P3)
    assert "2-D scores of 3 classes after 1-D scores of class 1" in str(info.value)


def test_merging_evaluators_of_different_metrics_is_an_error() -> None:
    a = fitscope.Evaluator(["accuracy"]).update([0, 1], [0.2, 0.7])
    b = fitscope.Evaluator(["f1"]).update([0, 1], [0.2, 0.7])
    with pytest.raises(InvalidInputError, match="same metrics"):
        a.merge(b)
    with pytest.raises(InvalidTypeError, match="other must be an Evaluator"):
        a.merge("b")  # type: ignore[arg-type]
