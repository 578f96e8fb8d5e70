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


def _per_label(fn, y, probs, w, **kw):
    return np.array([fn(y[:, j], probs[:, j], sample_weight=w, **kw) for j in range(y.shape[1])])


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    n=st.integers(1, 50),
    n_labels=st.integers(1, 6),
    weights=st.sampled_from(("none", "float", "zeros")),
    logits=st.booleans(),
    average=st.sampled_from(("macro", "micro", "samples", "weighted", None)),
)
def test_log_loss_and_brier_averages_match_sklearn_per_column(
    seed, n, n_labels, weights, logits, average
):
    """average=None is scikit-learn's binary log_loss / brier_score_loss of each label column;
    "weighted" weighs them by label support, as scikit-learn's _average_binary_score; "macro",
    "micro" and "samples" are one number. Empty rows and never-true columns included."""
    from sklearn.metrics import brier_score_loss as sk_brier
    from sklearn.metrics import log_loss as sk_log_loss

    y, _, w = draw(seed, n, n_labels + 1, weights, False)
    rng = np.random.default_rng(seed)
    z = rng.normal(0, 3, y.shape)
    probs = 1 / (1 + np.exp(-z))
    scores = z if logits else probs
    ll = _per_label(sk_log_loss, y, probs, w, labels=[0, 1])
    br = _per_label(sk_brier, y, probs, w, pos_label=1)
    support = y.T @ (np.ones(len(y)) if w is None else w)
    if average is None:
        want_ll, want_br = ll, br
    elif average == "weighted":
        if support.sum() == 0:
            want_ll = want_br = math.nan
        else:
            want_ll, want_br = np.average(ll, weights=support), np.average(br, weights=support)
    else:
        want_ll, want_br = ll.mean(), br.mean()
    specs = [
        fitscope.metric("log_loss", average=average, name="ll"),
        fitscope.metric("brier_score", average=average, name="br"),
    ]
    got = fitscope.evaluate(y, scores, metrics=specs, sample_weight=w, from_logits=logits)
    np.testing.assert_allclose(got["ll"], want_ll, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(got["br"], want_br, rtol=1e-9, atol=1e-12)
    if average is None:
        summed = fitscope.evaluate(
            y,
            scores,
            metrics=[fitscope.metric("log_loss", average=None, reduction="sum")],
            sample_weight=w,
            from_logits=logits,
        )
        total = len(y) if w is None else w.sum()
        np.testing.assert_allclose(next(iter(summed.values())), ll * total, rtol=1e-9, atol=1e-12)
        cells = fitscope.metrics.log_loss(
            y, scores, sample_weight=w, from_logits=logits, reduction="none"
        )
        assert cells.shape == y.shape
        np.testing.assert_allclose(cells.sum(axis=0), ll * total, rtol=1e-9, atol=1e-12)


@SETTINGS
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 40),
    n_labels=st.integers(2, 7),
    weights=st.sampled_from(("none", "float", "zeros")),
    ties=st.booleans(),
)
def test_samples_average_of_ranking_metrics_matches_sklearn(seed, n, n_labels, weights, ties):
    """average="samples" of ROC-AUC and average precision: each row's binary score over its
    labels, weighted by sample weight (rows without positives: AP 0); split in two, merged."""
    y, p, w = draw(seed, n, n_labels, weights, ties)
    metrics = [
        fitscope.metric("average_precision", average="samples", name="ap"),
        fitscope.metric("roc_auc", average="samples", name="auc"),
    ]
    if w is not None and w.sum() == 0:
        return
    ap = skm.average_precision_score(y, p, average="samples", sample_weight=w)
    c = n // 2

    def fed(ms):
        one = fitscope.Evaluator(ms).update(y, p, w)
        b = fitscope.Evaluator(ms).update(y[c:], p[c:], None if w is None else w[c:])
        if not c:
            return one, b
        a = fitscope.Evaluator(ms).update(y[:c], p[:c], None if w is None else w[:c])
        return one, a.merge(b)

    for ev in fed(metrics[:1]):
        np.testing.assert_allclose(ev.compute()["ap"], ap, rtol=1e-9, atol=1e-12)
    # A row of one class has no ROC-AUC (scikit-learn: nan; here an error, as for a label
    # column of one class), unless its weight is 0: it then drops out, as in scikit-learn.
    defined = (y.any(axis=1) & ~y.all(axis=1)) | (np.zeros(n, bool) if w is None else w == 0)
    for ev in fed(metrics):
        if defined.all():
            auc = skm.roc_auc_score(y, p, average="samples", sample_weight=w)
            np.testing.assert_allclose(ev.compute()["auc"], auc, rtol=1e-9, atol=1e-12)
        else:
            with pytest.raises(InvalidInputError, match="every row"):
                ev.compute()


@SETTINGS
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 50),
    n_labels=st.integers(2, 6),
    weights=st.sampled_from(("none", "float", "zeros")),
    average=st.sampled_from(("micro", "macro", "weighted", "samples", None)),
    data=st.data(),
)
def test_labels_selects_label_columns_as_sklearn(seed, n, n_labels, weights, average, data):
    """labels= with multilabel targets: label column indices, in that order (a subset or
    all), as scikit-learn's precision_recall_fscore_support; per-label results follow it."""
    y, p, w = draw(seed, n, n_labels, weights, False)
    pred = (p >= 0.5).astype(np.int64)
    labels = data.draw(
        st.lists(st.integers(0, n_labels - 1), min_size=1, max_size=n_labels, unique=True)
    )
    for ours, theirs in ((precision, skm.precision_score), (f1, skm.f1_score)):
        np.testing.assert_allclose(
            ours(y, p, average=average, labels=labels, sample_weight=w),
            theirs(y, pred, average=average, labels=labels, sample_weight=w),
            rtol=1e-9,
        )
    ev = fitscope.Evaluator(["recall(average=None)", "hamming_loss"], labels=labels)
    ev.update(y, p, w)
    assert ev.classes.tolist() == labels
    np.testing.assert_allclose(
        ev.compute()["hamming_loss"],
        skm.hamming_loss(y[:, labels], pred[:, labels], sample_weight=w)
        if w is None or w.sum() > 0
        else math.nan,
        rtol=1e-9,
    )


def test_labels_out_of_range_and_wrong_widths_are_typed_errors() -> None:
    y = np.array([[0, 1, 1], [1, 0, 0]])
    with pytest.raises(InvalidInputError, match=r"labels must be label column indices in \[0, 3\)"):
        f1(y, y, average="macro", labels=[0, 3])
    with pytest.raises(InvalidInputError, match="Got 'a'"):
        fitscope.evaluate(y, y, metrics=["accuracy"], labels=["a"])
    ev = fitscope.Evaluator(["f1(average=macro)"], labels=[2, 0]).update(y, y)
    with pytest.raises(InvalidInputError, match=r"keep 3 label columns across batches\. Got 2"):
        ev.update(y[:, :2], y[:, :2])
    with pytest.raises(InvalidInputError, match=r"y_pred must have the shape of y_true \(2, 3\)"):
        ev.update(y, y[:, :2])
    with pytest.raises(InvalidInputError, match="'macro' \\(the default\\) for class labels"):
        fitscope.metrics.log_loss([0, 1], [0.2, 0.7], average=None)
    with pytest.raises(InvalidInputError, match="'samples' averages over the rows"):
        roc_auc([0, 1, 2], np.eye(3), average="samples")
    with pytest.raises(InvalidInputError, match="reduction='sum'"):
        fitscope.metric("log_loss", average="weighted", reduction="sum")


def test_multilabel_baselines_predict_each_labels_prevalence() -> None:
    """The no-skill predictor gives every row each label's (weighted) prevalence: its log loss
    and Brier score per label are scikit-learn's for that constant; ranking metrics score
    constant scores: ROC-AUC 0.5, average precision the prevalence (per row for "samples");
    Hamming loss each label's minority share."""
    from sklearn.metrics import brier_score_loss as sk_brier
    from sklearn.metrics import log_loss as sk_log_loss

    rng = np.random.default_rng(7)
    y = (rng.random((300, 4)) < [0.1, 0.4, 0.7, 0.0]).astype(int)
    w = rng.random(300) + 0.1
    pi = (w @ y) / w.sum()
    const = np.tile(pi, (300, 1))
    ll = [sk_log_loss(y[:, j], const[:, j], labels=[0, 1], sample_weight=w) for j in range(4)]
    br = [sk_brier(y[:, j], const[:, j], pos_label=1, sample_weight=w) for j in range(4)]
    base = fitscope.metrics.baseline
    # (scikit-learn clips the constant 0 of the never-true label: 2e-16 where the entropy is 0)
    np.testing.assert_allclose(
        base("log_loss", y, sample_weight=w, average=None), ll, rtol=1e-9, atol=1e-12
    )
    np.testing.assert_allclose(base("log_loss", y, sample_weight=w), np.mean(ll), rtol=1e-9)
    np.testing.assert_allclose(base("brier_score", y, sample_weight=w, average=None), br, rtol=1e-9)
    ap = skm.average_precision_score(y[:, :3], const[:, :3], average=None, sample_weight=w)
    np.testing.assert_allclose(
        base("average_precision", y, sample_weight=w, average=None)[:3], ap, rtol=1e-9
    )
    # Ranking metrics: constant scores (all tied), whatever the average.
    tied = np.full(y.shape, 0.5)
    samples = skm.average_precision_score(y, tied, average="samples", sample_weight=w)
    np.testing.assert_allclose(
        base("average_precision", y, sample_weight=w, average="samples"), samples, rtol=1e-9
    )
    assert base("roc_auc", y) == 0.5
    np.testing.assert_allclose(
        base("hamming_loss", y, sample_weight=w), np.minimum(pi, 1 - pi).mean()
    )
    assert base("accuracy", y) is None  # subset accuracy's would need whole rows: not kept
    ev = fitscope.Evaluator(["log_loss", "f1(average=macro)"]).update(y, rng.random((300, 4)), w)
    assert ev.baselines()["f1(average=macro)"] is None
    np.testing.assert_allclose(ev.baselines()["log_loss"], np.mean(ll), rtol=1e-9)


@pytest.mark.parametrize(
    ("y", "p", "words"),
    [
        ([[0, 1], [1]], [[0, 1], [1, 0]], ["y_true", "rows of one length", "2 values in row 0"]),
        ([[0, 1], [1, 0]], [[0, 1], [1, 0, 1]], ["y_pred", "3 in row 1"]),
    ],
)
def test_ragged_rows_are_named(y, p, words) -> None:
    with pytest.raises(InvalidInputError) as info:
        f1(y, p, average="macro")
    for word in words:
        assert word in str(info.value)


@pytest.mark.parametrize("zero_division", ["warn", 0, 1, math.nan])
def test_samples_average_where_only_zero_weight_rows_have_a_value(zero_division) -> None:
    """scikit-learn weighs each row's counts by its weight: a row of weight 0 scores
    zero_division, so with the only defined row at weight 0 the average is zero_division
    (a case Hypothesis found against scikit-learn 1.9)."""
    y = np.array([[0, 0, 0], [1, 0, 0]])
    pred = np.array([[0, 1, 0], [1, 0, 0]])
    w = np.array([1.0, 0.0])
    for ours, theirs in ((recall, skm.recall_score), (precision, skm.precision_score)):
        np.testing.assert_allclose(
            ours(y, pred, average="samples", zero_division=zero_division, sample_weight=w),
            theirs(y, pred, average="samples", zero_division=zero_division, sample_weight=w),
        )
