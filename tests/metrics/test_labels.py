"""Labels of any kind and scikit-learn's options, differential against scikit-learn to 1e-9.

Hypothesis draws the data: class names as strings, negative and sparse integers, booleans;
weights (none, positive floats, floats with zeros); ties; absent classes through ``labels=``
(which also reorders them); every ``average`` and ``zero_division``.
"""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fitscope
from fitscope import InvalidInputError
from fitscope.metrics import (
    accuracy,
    average_precision,
    balanced_accuracy,
    confusion_matrix,
    f1,
    fbeta,
    log_loss,
    pr_auc,
    precision,
    recall,
    roc_auc,
    top_k_accuracy,
    zero_one_loss,
)

sklearn = pytest.importorskip("sklearn")
from sklearn import metrics as skm  # noqa: E402

pytestmark = [
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.UndefinedMetricWarning"),
    pytest.mark.filterwarnings("ignore:.*y_pred contains classes not in y_true:UserWarning"),
    pytest.mark.filterwarnings("ignore:.*pos_label.*ignored.*:UserWarning"),
    pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning"),
    pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning"),
]

RTOL = 1e-9
SETTINGS = settings(max_examples=40, deadline=None)
KINDS = ("str", "negative", "sparse", "bool")
ZERO_DIVISION = ("warn", 0, 1, math.nan)


def vocabulary(kind: str, k: int) -> np.ndarray:
    if kind == "str":
        return np.array(["ant", "bee", "cat", "dog", "emu", "fox"][:k])
    if kind == "negative":
        return np.array([-7, -1, 0, 3, 9, 12][:k])
    if kind == "sparse":
        return np.array([2, 10, 100, 1000, 5000, 70000][:k])
    return np.array([False, True][:k])


def draw(seed: int, n: int, kind: str, k: int, weights: str):
    rng = np.random.default_rng(seed)
    k = 2 if kind == "bool" else k
    vocab = vocabulary(kind, k)
    y = rng.integers(0, k, n)
    pred = np.where(rng.random(n) < 0.6, y, rng.integers(0, k, n))
    w = None
    if weights == "float":
        w = rng.uniform(0.1, 3.0, n)
    elif weights == "zeros":
        w = rng.uniform(0.1, 3.0, n)
        w[rng.random(n) < 0.3] = 0.0
        w[0] = 1.0
    return vocab, vocab[y], vocab[pred], w


def close(ours, theirs) -> None:
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=1e-12)


@SETTINGS
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 80),
    kind=st.sampled_from(KINDS),
    k=st.integers(2, 5),
    weights=st.sampled_from(("none", "float", "zeros")),
    average=st.sampled_from((None, "micro", "macro", "weighted")),
    zero_division=st.sampled_from(ZERO_DIVISION),
    beta=st.sampled_from((0.0, 0.5, 1.0, 2.0, math.inf)),
    fix_labels=st.booleans(),
)
def test_precision_recall_fbeta_match_sklearn_for_any_labels(
    seed, n, kind, k, weights, average, zero_division, beta, fix_labels
) -> None:
    vocab, y, pred, w = draw(seed, n, kind, k, weights)
    labels = None
    if fix_labels:
        # Every class, reversed, plus (when there is room) a class that never occurs.
        extra = {"str": ["zebra"], "negative": [-100], "sparse": [3], "bool": []}[kind]
        labels = [*vocab[::-1].tolist(), *extra]
    opts = {"average": average, "zero_division": zero_division, "labels": labels}
    sk = {"sample_weight": w, **opts}
    close(precision(y, pred, sample_weight=w, **opts), skm.precision_score(y, pred, **sk))
    close(recall(y, pred, sample_weight=w, **opts), skm.recall_score(y, pred, **sk))
    close(f1(y, pred, sample_weight=w, **opts), skm.f1_score(y, pred, **sk))
    close(
        fbeta(y, pred, beta=beta, sample_weight=w, **opts),
        skm.fbeta_score(y, pred, beta=beta, **sk),
    )


@SETTINGS
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 60),
    kind=st.sampled_from(("str", "negative", "sparse", "bool")),
    weights=st.sampled_from(("none", "float", "zeros")),
    zero_division=st.sampled_from(ZERO_DIVISION),
    which=st.integers(0, 1),
)
def test_binary_average_with_pos_label_matches_sklearn(
    seed, n, kind, weights, zero_division, which
) -> None:
    vocab, y, pred, w = draw(seed, n, kind, 2, weights)
    pos = vocab[which].item()
    sk = {"sample_weight": w, "pos_label": pos, "zero_division": zero_division}
    ours = {"sample_weight": w, "pos_label": pos, "zero_division": zero_division}
    close(precision(y, pred, **ours), skm.precision_score(y, pred, **sk))
    close(recall(y, pred, **ours), skm.recall_score(y, pred, **sk))
    close(f1(y, pred, **ours), skm.f1_score(y, pred, **sk))
    close(fbeta(y, pred, beta=2.0, **ours), skm.fbeta_score(y, pred, beta=2.0, **sk))


@SETTINGS
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 60),
    kind=st.sampled_from(KINDS),
    k=st.integers(2, 5),
    weights=st.sampled_from(("none", "float", "zeros")),
    normalize=st.sampled_from((None, "true", "pred", "all")),
)
def test_counts_and_accuracies_match_sklearn_for_any_labels(
    seed, n, kind, k, weights, normalize
) -> None:
    vocab, y, pred, w = draw(seed, n, kind, k, weights)
    for norm in (True, False):
        close(
            accuracy(y, pred, sample_weight=w, normalize=norm),
            skm.accuracy_score(y, pred, sample_weight=w, normalize=norm),
        )
        close(
            zero_one_loss(y, pred, sample_weight=w, normalize=norm),
            skm.zero_one_loss(y, pred, sample_weight=w, normalize=norm),
        )
    for adjusted in (False, True):
        with np.errstate(all="ignore"):
            theirs = skm.balanced_accuracy_score(y, pred, sample_weight=w, adjusted=adjusted)
        close(balanced_accuracy(y, pred, sample_weight=w, adjusted=adjusted), theirs)
    close(
        confusion_matrix(y, pred, sample_weight=w, normalize=normalize),
        skm.confusion_matrix(y, pred, sample_weight=w, normalize=normalize),
    )
    order = vocab[::-1]
    close(
        confusion_matrix(y, pred, sample_weight=w, labels=order, normalize=normalize),
        skm.confusion_matrix(y, pred, sample_weight=w, labels=order, normalize=normalize),
    )
    ev = fitscope.Evaluator(["confusion_matrix"]).update(y, pred)
    np.testing.assert_array_equal(ev.classes, np.unique(np.concatenate([y, pred])))


def _scores(rng: np.random.Generator, n: int, k: int, ties: bool) -> np.ndarray:
    p = rng.dirichlet(np.ones(k), n)
    if ties:
        p = np.round(p * 4) + 0.5  # a coarse grid: many ties
        p /= p.sum(axis=1, keepdims=True)
    return p


@SETTINGS
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(8, 120),
    kind=st.sampled_from(("str", "negative", "sparse")),
    k=st.integers(3, 5),
    weights=st.sampled_from(("none", "float")),
    ties=st.booleans(),
    average=st.sampled_from((None, "macro", "weighted")),
)
def test_score_metrics_map_columns_to_sorted_labels(
    seed, n, kind, k, weights, ties, average
) -> None:
    rng = np.random.default_rng(seed)
    vocab = vocabulary(kind, k)
    idx = rng.integers(0, k, n)
    idx[:k] = np.arange(k)
    y = vocab[idx]
    p = _scores(rng, n, k, ties)
    w = None if weights == "none" else rng.uniform(0.1, 3.0, n)
    close(log_loss(y, p, sample_weight=w), skm.log_loss(y, p, sample_weight=w))
    close(
        roc_auc(y, p, sample_weight=w, average=average),
        skm.roc_auc_score(y, p, sample_weight=w, average=average, multi_class="ovr"),
    )
    close(
        top_k_accuracy(y, p, sample_weight=w, k=2),
        skm.top_k_accuracy_score(y, p, sample_weight=w, k=2),
    )
    # labels= names the columns in any order (scikit-learn's log_loss sorts labels= and
    # warns): permuted columns with their labels give the same values.
    perm = rng.permutation(k)
    lab = vocab[perm]
    close(log_loss(y, p[:, perm], sample_weight=w, labels=lab), skm.log_loss(y, p, sample_weight=w))
    close(
        roc_auc(y, p[:, perm], sample_weight=w, average=average, labels=lab),
        roc_auc(y, p, sample_weight=w, average=average)
        if average is not None
        else roc_auc(y, p, sample_weight=w, average=None)[perm],
    )


@SETTINGS
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(2, 120),
    kind=st.sampled_from(("str", "negative", "sparse", "bool")),
    weights=st.sampled_from(("none", "float", "zeros")),
    ties=st.booleans(),
    which=st.integers(0, 1),
)
def test_binary_scores_of_the_positive_label_match_sklearn(
    seed, n, kind, weights, ties, which
) -> None:
    vocab, y, _, w = draw(seed, n, kind, 2, weights)
    rng = np.random.default_rng(seed + 1)
    y[0], y[1] = vocab[0], vocab[1]
    if w is not None:
        w[:2] = 1.0
    p = rng.random(n)
    if ties:
        p = np.round(p * 4) / 4
    pos = vocab[which].item()
    close(
        average_precision(y, p, sample_weight=w, pos_label=pos),
        skm.average_precision_score(y, p, sample_weight=w, pos_label=pos),
    )
    close(
        pr_auc(y, p, sample_weight=w, pos_label=pos),
        skm.average_precision_score(y, p, sample_weight=w, pos_label=pos),
    )
    # Without pos_label the positive class is the greater label, as in roc_auc_score/log_loss.
    close(roc_auc(y, p, sample_weight=w), skm.roc_auc_score(y, p, sample_weight=w))
    close(log_loss(y, p, sample_weight=w), skm.log_loss(y, p, sample_weight=w))
    y01 = (y == pos).astype(int)
    close(
        fitscope.metrics.brier_score(y, p, sample_weight=w, pos_label=pos),
        skm.brier_score_loss(y01, p, sample_weight=w),
    )


def test_a_later_batch_may_bring_new_labels_when_predictions_are_labels() -> None:
    y = np.array(["b", "a", "c", "d", "a", "e", "c"])
    p = np.array(["b", "b", "c", "a", "a", "e", "d"])
    metrics = ["accuracy", "f1(average=macro)", "f1(average=None)", "confusion_matrix"]
    whole = fitscope.evaluate(y, p, metrics=metrics)
    ev = fitscope.Evaluator(metrics)
    for a, b in ((0, 2), (2, 3), (3, 7)):
        ev.update(y[a:b], p[a:b])
    parts = [fitscope.Evaluator(metrics).update(y[a:b], p[a:b]) for a, b in ((3, 7), (0, 3))]
    merged = pickle.loads(pickle.dumps(parts[0])).merge(parts[1])
    for got in (ev.compute(), merged.compute()):
        for key in metrics:
            np.testing.assert_allclose(got[key], whole[key], rtol=1e-12)
    np.testing.assert_array_equal(ev.classes, ["a", "b", "c", "d", "e"])
    np.testing.assert_array_equal(merged.classes, ["a", "b", "c", "d", "e"])


def test_scores_fix_the_classes_with_the_first_batch() -> None:
    p = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6], [0.5, 0.4, 0.1]])
    ev = fitscope.Evaluator(["log_loss"]).update(["x", "y", "z"], p[:3])
    ev.update(["x"], p[3:])  # a subset is fine: the columns are known
    assert ev.compute()["log_loss"] == pytest.approx(skm.log_loss(["x", "y", "z", "x"], p))
    with pytest.raises(InvalidInputError, match="'w'"):
        ev.update(["w"], p[3:])
    with pytest.raises(InvalidInputError, match="3 distinct labels"):
        fitscope.Evaluator(["log_loss"]).update(["x", "y"], p[:2])
    # labels= allows batches that each hold only some classes.
    ev = fitscope.Evaluator(["log_loss"], labels=["x", "y", "z"]).update(["y"], p[1:2])
    assert ev.update(["x"], p[:1]).compute()["log_loss"] == pytest.approx(
        skm.log_loss(["y", "x"], p[[1, 0]], labels=["x", "y", "z"])
    )


def test_a_column_vector_is_a_1d_target() -> None:
    y = np.array([[0], [1], [1], [0]])
    p = np.array([0.2, 0.7, 0.4, 0.1])
    assert accuracy(y, p) == accuracy(y.ravel(), p)
    assert log_loss(y, p[:, None]) == pytest.approx(skm.log_loss(y.ravel(), p))
    assert f1(np.array([["a"], ["b"]]), ["a", "a"], pos_label="a") == pytest.approx(2 / 3)


def test_names_fitscope_prints_are_accepted_back() -> None:
    y, p = ["a", "b", "c", "a"], ["a", "c", "c", "a"]
    out = fitscope.evaluate(
        y,
        p,
        metrics=["f1(average=macro)", "fbeta(average=weighted, beta=2)", "recall(average=None)"],
    )
    assert out["f1(average=macro)"] == pytest.approx(skm.f1_score(y, p, average="macro"))
    assert out["fbeta(average=weighted, beta=2)"] == pytest.approx(
        skm.fbeta_score(y, p, average="weighted", beta=2)
    )
    close(out["recall(average=None)"], skm.recall_score(y, p, average=None))
    assert fitscope.metric("fbeta", average="weighted", beta=2).key == (
        "fbeta(average=weighted, beta=2)"
    )
    assert fitscope.metrics.describe("pr_auc").name == "average_precision"


def test_mixed_label_types_are_a_value_error() -> None:
    with pytest.raises(ValueError, match="same type"):
        accuracy(["a", "b"], [1, 0])
    with pytest.raises(ValueError, match="one type"):
        accuracy(np.array([1, "b"], dtype=object), np.array([1, 0]))
    ev = fitscope.Evaluator(["accuracy"]).update(["a"], ["a"])
    with pytest.raises(ValueError, match="one type across batches"):
        ev.update([1], [1])
        ev.compute()


@SETTINGS
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(2, 150),
    kind=st.sampled_from(("str", "negative", "bool")),
    weights=st.sampled_from(("none", "float", "zeros")),
    ties=st.booleans(),
    max_fpr=st.sampled_from((0.01, 0.1, 0.25, 0.5, 0.9, 1.0)),
)
def test_partial_roc_auc_matches_sklearn(seed, n, kind, weights, ties, max_fpr) -> None:
    vocab, y, _, w = draw(seed, n, kind, 2, weights)
    y[0], y[1] = vocab[0], vocab[1]
    if w is not None:
        w[:2] = 1.0
    rng = np.random.default_rng(seed + 2)
    p = rng.random(n)
    if ties:
        p = np.round(p * 5) / 5
    close(
        roc_auc(y, p, sample_weight=w, max_fpr=max_fpr),
        skm.roc_auc_score(y, p, sample_weight=w, max_fpr=max_fpr),
    )


@SETTINGS
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(6, 150),
    kind=st.sampled_from(("str", "sparse")),
    k=st.integers(3, 5),
    ties=st.booleans(),
    average=st.sampled_from(("macro", "weighted")),
)
def test_one_vs_one_roc_auc_matches_sklearn(seed, n, kind, k, ties, average) -> None:
    rng = np.random.default_rng(seed)
    vocab = vocabulary(kind, k)
    idx = rng.integers(0, k, n)
    idx[:k] = np.arange(k)
    y = vocab[idx]
    p = _scores(rng, n, k, ties)
    close(
        roc_auc(y, p, multi_class="ovo", average=average),
        skm.roc_auc_score(y, p, multi_class="ovo", average=average),
    )
