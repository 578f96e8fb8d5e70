"""Multilabel targets (2-D 0/1 y_true), differential against scikit-learn to 1e-9: weights with
zeros, empty rows and empty columns (labels never true, never predicted), ties, every average
and zero_division, and the streaming merge law."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fitscope
from fitscope import InvalidInputError
from fitscope.metrics import (
    accuracy,
    average_precision,
    f1,
    fbeta,
    hamming_loss,
    precision,
    recall,
    roc_auc,
    zero_one_loss,
)

skm = pytest.importorskip("sklearn.metrics")

pytestmark = [
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.UndefinedMetricWarning"),
    pytest.mark.filterwarnings("ignore:No positive class found:UserWarning"),
]
SETTINGS = settings(max_examples=50, deadline=None)


def draw(seed: int, n: int, n_labels: int, weights: str, ties: bool):
    rng = np.random.default_rng(seed)
    y = (rng.random((n, n_labels)) < 0.35).astype(np.int64)
    p = np.clip(0.4 * y + rng.random((n, n_labels)) * 0.6, 0, 1)
    if ties:
        p = np.round(p * 4) / 4
    y[0] = 0  # an empty row
    y[:, -1] = 0  # a label that is never true
    p[:, -1] = np.minimum(p[:, -1], 0.3)  # ...nor predicted
    w = None
    if weights == "float":
        w = rng.uniform(0.1, 3.0, n)
    elif weights == "zeros":
        w = rng.uniform(0.1, 3.0, n)
        w[rng.random(n) < 0.3] = 0.0
        w[0] = 1.0
    return y, p, w


@SETTINGS
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 60),
    n_labels=st.integers(2, 6),
    weights=st.sampled_from(("none", "float", "zeros")),
    average=st.sampled_from(("micro", "macro", "weighted", "samples", None)),
    zero_division=st.sampled_from(("warn", 0, 1, math.nan)),
    beta=st.sampled_from((0.0, 0.5, 2.0, math.inf)),
    ties=st.booleans(),
)
def test_label_metrics_match_sklearn(
    seed, n, n_labels, weights, average, zero_division, beta, ties
) -> None:
    y, p, w = draw(seed, n, n_labels, weights, ties)
    pred = (p >= 0.5).astype(np.int64)
    opts = {"average": average, "zero_division": zero_division, "sample_weight": w}
    for ours, theirs in (
        (precision, skm.precision_score),
        (recall, skm.recall_score),
        (f1, skm.f1_score),
    ):
        np.testing.assert_allclose(ours(y, p, **opts), theirs(y, pred, **opts), rtol=1e-9)
    np.testing.assert_allclose(
        fbeta(y, pred, beta=beta, **opts), skm.fbeta_score(y, pred, beta=beta, **opts), rtol=1e-9
    )
    for norm in (True, False):
        np.testing.assert_allclose(
            accuracy(y, p, normalize=norm, sample_weight=w),
            skm.accuracy_score(y, pred, normalize=norm, sample_weight=w),
            rtol=1e-9,
        )
        np.testing.assert_allclose(
            zero_one_loss(y, pred, normalize=norm, sample_weight=w),
            skm.zero_one_loss(y, pred, normalize=norm, sample_weight=w),
            rtol=1e-9,
            atol=1e-12,  # ~0 when all is right: scikit-learn's sum(w) - sum(w) leaves 1e-15
        )
    np.testing.assert_allclose(
        hamming_loss(y, p, sample_weight=w), skm.hamming_loss(y, pred, sample_weight=w), rtol=1e-9
    )


@SETTINGS
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(4, 80),
    n_labels=st.integers(2, 6),
    weights=st.sampled_from(("none", "float")),
    average=st.sampled_from(("micro", "macro", "weighted", None)),
    ties=st.booleans(),
)
def test_ranking_metrics_match_sklearn(seed, n, n_labels, weights, average, ties) -> None:
    y, p, w = draw(seed, n, n_labels, weights, ties)
    np.testing.assert_allclose(
        average_precision(y, p, average=average, sample_weight=w),
        skm.average_precision_score(y, p, average=average, sample_weight=w),
        rtol=1e-9,
    )
    y = y[:, :-1].copy()  # ROC-AUC needs both classes in every column
    p = p[:, :-1]
    y[0], y[1] = 0, 1
    np.testing.assert_allclose(
        roc_auc(y, p, average=average, sample_weight=w),
        skm.roc_auc_score(y, p, average=average, sample_weight=w),
        rtol=1e-9,
    )


def test_streaming_multilabel_equals_one_pass() -> None:
    y, p, w = draw(3, 500, 5, "float", False)
    metrics = ["accuracy", "hamming_loss", "f1(average=samples)", "recall(average=None)"]
    whole = fitscope.evaluate(y, p, metrics=metrics, sample_weight=w)
    ev = fitscope.Evaluator(metrics)
    for a in range(0, 500, 77):
        ev.update(y[a : a + 77], p[a : a + 77], w[a : a + 77])
    for key in metrics:
        np.testing.assert_allclose(ev.compute()[key], whole[key], rtol=1e-12)


def test_from_logits_thresholds_at_the_logit_of_threshold() -> None:
    y = np.array([[1, 0], [0, 1]])
    z = np.array([[2.0, -1.0], [0.1, 3.0]])
    assert accuracy(y, z, from_logits=True) == 0.5
    assert accuracy(y, z, from_logits=True, threshold=0.6) == 1.0


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: f1([[0, 1], [1, 0]], [[0, 1, 0], [1, 0, 0]]), ["y_pred", "shape", "(2, 2)"]),
        (lambda: f1([[0, 2], [1, 0]], [[0, 1], [1, 0]]), ["y_true", "0/1", "2", "(0, 1)"]),
        (lambda: f1([[0, 1], [1, 0]], [[0, 1], [1, 0]]), ["average", "'samples'", "'binary'"]),
        (
            lambda: fitscope.evaluate(
                [[0, 1], [1, 0]], [[0.2, 0.8], [0.6, 0.4]], metrics="expected_calibration_error"
            ),
            ["y_true", "expected_calibration_error", "not supported"],
        ),
        (
            lambda: roc_auc([[0, 1], [0, 0]], [[0.2, 0.8], [0.6, 0.4]]),
            ["both 0 and 1", "column 0"],
        ),
        (
            lambda: fitscope.metrics.confusion_matrix([[0, 1], [1, 0]], [[0, 1], [1, 0]]),
            ["confusion_matrix", "multilabel"],
        ),
        (lambda: f1([0, 1], [0, 1], average="samples"), ["'samples'", "multilabel"]),
    ],
)
def test_multilabel_errors_name_the_argument(call, words) -> None:
    with pytest.raises(InvalidInputError) as info:
        call()
    for word in words:
        assert word in str(info.value), f"{word!r} not in {info.value}"


def test_a_batch_of_another_kind_is_an_error() -> None:
    ev = fitscope.Evaluator(["accuracy"]).update([[0, 1]], [[0, 1]])
    with pytest.raises(InvalidInputError, match="one kind of target"):
        ev.update([0, 1], [0, 1])
    with pytest.raises(InvalidInputError, match="2 label columns"):
        ev.update([[0, 1, 1]], [[0, 1, 1]])


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    n=st.integers(1, 60),
    n_labels=st.integers(1, 6),
    weights=st.booleans(),
    logits=st.booleans(),
    cut=st.integers(1, 59),
)
def test_log_loss_and_brier_per_label_match_sklearn(seed, n, n_labels, weights, logits, cut):
    """Multilabel log loss and Brier score: scikit-learn's binary log_loss and
    brier_score_loss per label column, averaged over the labels (empty columns, exact 0/1
    probabilities and logits included); streaming in two batches and merging gives the same."""
    from sklearn.metrics import brier_score_loss as sk_brier
    from sklearn.metrics import log_loss as sk_log_loss

    rng = np.random.default_rng(seed)
    y = (rng.random((n, n_labels)) < 0.4).astype(int)
    z = rng.normal(0, 3, (n, n_labels))
    p = 1 / (1 + np.exp(-z))
    p[: n // 4] = np.round(p[: n // 4])
    w = rng.random(n) + 0.01 if weights else None
    scores = z if logits else p
    probs = 1 / (1 + np.exp(-z)) if logits else p
    ll = np.mean(
        [sk_log_loss(y[:, j], probs[:, j], labels=[0, 1], sample_weight=w) for j in range(n_labels)]
    )
    br = np.mean(
        [sk_brier(y[:, j], probs[:, j], pos_label=1, sample_weight=w) for j in range(n_labels)]
    )
    metrics = ["log_loss", "brier_score"]
    one = fitscope.evaluate(y, scores, metrics=metrics, sample_weight=w, from_logits=logits)
    assert one["log_loss"] == pytest.approx(ll, rel=1e-9, abs=1e-12)
    assert one["brier_score"] == pytest.approx(br, rel=1e-9, abs=1e-12)
    c = min(cut, n - 1) if n > 1 else 1
    a = fitscope.Evaluator(metrics, from_logits=logits)
    b = fitscope.Evaluator(metrics, from_logits=logits)
    a.update(y[:c], scores[:c], None if w is None else w[:c])
    if c < n:
        b.update(y[c:], scores[c:], None if w is None else w[c:])
    merged = a.merge(b).compute()
    for key in metrics:
        assert merged[key] == pytest.approx(one[key], rel=1e-12, abs=1e-15)
