"""Reference tests: fitscope's metrics against scikit-learn on seeded random inputs.

Every comparison is to 1e-9 relative. Inputs cover sample weights (none, random positive floats,
floats with some zeros, integers), ties (scores on a grid of tenths or quarters), heavy imbalance
(one positive among hundreds), multiclass (K = 3..6), tiny (n = 1..5) and large (n = 200_000)
inputs, and the label dtypes int8, int32, int64, bool and integral floats.

Where scikit-learn has no counterpart the reference is written here: torch for the Huber loss, a
brute-force loop over bins for the expected calibration error, and plain numpy for weighted sums.
An ``atol`` appears only where the value can legitimately be ~0 (and a comment says why); a looser
``rtol`` only where scikit-learn's own result loses precision (and a comment says how much).
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import scipy.special
from hypothesis import example, given, settings
from hypothesis import strategies as st

from fitscope.metrics import (
    accuracy,
    average_precision,
    balanced_accuracy,
    baseline,
    brier_score,
    confusion_matrix,
    cross_entropy,
    evaluate,
    expected_calibration_error,
    f1,
    hinge,
    huber,
    log_loss,
    mae,
    mse,
    precision,
    r2,
    recall,
    reliability_curve,
    rmse,
    roc_auc,
    rss,
    top_k_accuracy,
    zero_one_loss,
)

sklearn = pytest.importorskip("sklearn")

# The reference semantics pinned here (zero_division, "labels present in y_true or y_pred", the
# float dtype's eps for clipping log loss, multiclass Brier without the 1/2, top-k tie order) hold
# for this range; pyproject.toml pins the same one. Outside it, re-check them and move the pin.
SKLEARN_RANGE = ((1, 5), (1, 10))
_SKLEARN_VERSION = tuple(int(part) for part in re.findall(r"\d+", sklearn.__version__)[:2])
if not SKLEARN_RANGE[0] <= _SKLEARN_VERSION < SKLEARN_RANGE[1]:
    raise RuntimeError(
        f"tests/metrics/test_reference.py needs scikit-learn >= 1.5, < 1.10 as its reference. "
        f"Got {sklearn.__version__} instead."
    )

from sklearn import metrics as skm  # noqa: E402
from sklearn.preprocessing import label_binarize  # noqa: E402

RTOL = 1e-9
# For values that can legitimately be ~0 (R^2 of an uninformative fit, the ECE of a calibrated
# model): there a relative tolerance means nothing, and 1e-12 is far above rounding (~1e-16).
ATOL_NEAR_ZERO = 1e-12

pytestmark = [
    # scikit-learn warns where it then applies zero_division=0 or drops a class, which is exactly
    # the behaviour compared here; the warnings carry no information for these tests.
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.UndefinedMetricWarning"),
    pytest.mark.filterwarnings("ignore:.*y_pred contains classes not in y_true:UserWarning"),
    pytest.mark.filterwarnings("ignore:A single label was found in 'y_true' and 'y_pred'"),
    pytest.mark.filterwarnings("ignore:'k' .* greater than or equal to 'n_classes':UserWarning"),
    pytest.mark.filterwarnings("ignore:.*R\\^2 score is not well-defined.*"),
]

SEEDS = st.integers(0, 2**32 - 1)
# Tiny inputs, a middle range, and long enough for one positive among a few hundred.
SIZES = st.one_of(st.integers(1, 5), st.integers(6, 60), st.integers(150, 400))
WEIGHT_KINDS = ("none", "float", "zeros", "int")
BINARY_DTYPES = ("int64", "int8", "int32", "bool", "float64", "float32")
MULTICLASS_DTYPES = ("int64", "int8", "int32", "float64", "float32")
BALANCES = ("balanced", "rare_pos", "rare_neg", "one_pos")
SCORE_KINDS = ("continuous", "tenths", "quarters", "informative")

HYPOTHESIS = settings(max_examples=60, deadline=None)
QUICK = settings(max_examples=30, deadline=None)


def assert_close(
    what: str, ours: object, theirs: object, *, rtol: float = RTOL, atol: float = 0.0
) -> None:
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol, err_msg=what)


# ---------------------------------------------------------------- input generators
def make_weights(
    rng: np.random.Generator, n: int, kind: str, groups: np.ndarray | None = None
) -> np.ndarray | None:
    """Sample weights of one kind; every group (class) present keeps some positive weight, so
    each metric stays defined (scikit-learn raises where the total weight is 0)."""
    if kind == "none":
        return None
    if kind == "int":
        w = rng.integers(0, 5, n)
    else:
        w = rng.uniform(0.05, 3.0, n)
        if kind == "zeros":
            w[rng.random(n) < 0.3] = 0.0
    keys = np.zeros(n, dtype=np.int64) if groups is None else groups
    for g in np.unique(keys):
        members = np.flatnonzero(keys == g)
        if not w[members].any():
            w[members[rng.integers(members.size)]] = 2
    return w


def binary_labels(rng: np.random.Generator, n: int, balance: str, *, both: bool) -> np.ndarray:
    if balance == "balanced":
        y = rng.integers(0, 2, n)
    elif balance == "rare_pos":  # ~1% positives
        y = (rng.random(n) < 0.01).astype(np.int64)
    elif balance == "rare_neg":  # ~99% positives
        y = (rng.random(n) >= 0.01).astype(np.int64)
    else:  # exactly one positive
        y = np.zeros(n, dtype=np.int64)
        y[rng.integers(n)] = 1
    if both and n >= 2 and y.min() == y.max():
        y[rng.integers(n)] = 1 - y[0]
    return y


def binary_scores(rng: np.random.Generator, y: np.ndarray, kind: str) -> np.ndarray:
    n = y.size
    if kind == "continuous":
        return rng.random(n)
    if kind == "tenths":  # frequent ties, and the exact values 0, 0.5 and 1
        return rng.integers(0, 11, n) / 10
    if kind == "quarters":
        return rng.integers(0, 5, n) / 4
    # Informative but imperfect, on a grid of hundredths.
    return np.round(np.clip(0.35 * y + 0.65 * rng.random(n), 0.0, 1.0), 2)


def with_dtype(y: np.ndarray, dtype: str) -> np.ndarray:
    return y.astype(dtype)


def multiclass_labels(rng: np.random.Generator, n: int, k: int, *, every_class: bool) -> np.ndarray:
    # Skewed class frequencies: half the time linearly (the last class ~3%), half the time
    # geometrically (the last class 0.1% for K = 6: heavy imbalance).
    prior = np.linspace(1.0, 0.1, k) if rng.random() < 0.5 else 0.25 ** np.arange(k)
    y = rng.choice(k, size=n, p=prior / prior.sum())
    if every_class:
        y[rng.permutation(n)[:k]] = np.arange(k)
    return y


def multiclass_probs(rng: np.random.Generator, y: np.ndarray, k: int, tied: bool) -> np.ndarray:
    n = y.size
    if tied:
        # Small integer counts normalised per row: many exact ties within and across rows.
        raw = rng.integers(0, 4, (n, k)).astype(np.float64)
        raw[np.arange(n), y] += rng.integers(0, 2, n)
        raw[raw.sum(axis=1) == 0, 0] = 1.0
        return raw / raw.sum(axis=1, keepdims=True)
    alpha = np.ones((n, k))
    alpha[np.arange(n), y] += 1.5
    return np.vstack([rng.dirichlet(a) for a in alpha])


# ---------------------------------------------------------------- binary probabilities
@HYPOTHESIS
@given(
    seed=SEEDS,
    n=SIZES,
    balance=st.sampled_from(BALANCES),
    score_kind=st.sampled_from(SCORE_KINDS),
    dtype=st.sampled_from(BINARY_DTYPES),
)
@pytest.mark.parametrize("weights", WEIGHT_KINDS)
def test_binary_scores_vs_sklearn(
    weights: str, seed: int, n: int, balance: str, score_kind: str, dtype: str
) -> None:
    rng = np.random.default_rng(seed)
    y = binary_labels(rng, n, balance, both=False)
    p = binary_scores(rng, y, score_kind)
    w = make_weights(rng, n, weights, y)
    yt = with_dtype(y, dtype)

    # labels=[0, 1]: scikit-learn needs them for 1-D scores when y_true holds one class only.
    assert_close(
        "log_loss",
        log_loss(yt, p, sample_weight=w),
        skm.log_loss(y, p, sample_weight=w, labels=[0, 1]),
    )
    total = skm.log_loss(y, p, sample_weight=w, labels=[0, 1], normalize=False)
    assert_close("log_loss(sum)", log_loss(yt, p, sample_weight=w, reduction="sum"), total)
    assert_close("cross_entropy", cross_entropy(yt, p, sample_weight=w), total / _wsum(w, n))
    per = log_loss(yt, p, sample_weight=w, reduction="none")
    assert per.shape == (n,)
    assert_close("log_loss(none).sum()", per.sum(), total)
    # Brier score: scikit-learn infers the positive class from y_true, so name it.
    assert_close(
        "brier_score",
        brier_score(yt, p, sample_weight=w),
        skm.brier_score_loss(y, p, sample_weight=w, pos_label=1),
    )
    for k in (1, 2):
        assert_close(
            f"top_k_accuracy(k={k})",
            top_k_accuracy(yt, p, sample_weight=w, k=k),
            skm.top_k_accuracy_score(y, p, k=k, sample_weight=w, labels=[0, 1]),
        )
    if y.min() != y.max():
        assert_close(
            "roc_auc", roc_auc(yt, p, sample_weight=w), skm.roc_auc_score(y, p, sample_weight=w)
        )
    if y.max() == 1:
        assert_close(
            "average_precision",
            average_precision(yt, p, sample_weight=w),
            skm.average_precision_score(y, p, sample_weight=w),
        )


def _wsum(w: np.ndarray | None, n: int) -> float:
    return float(n) if w is None else float(np.sum(w, dtype=np.float64))


def _binary_thresholded_checks(
    yt: np.ndarray,
    y: np.ndarray,
    p: np.ndarray,
    labels: np.ndarray,
    w: np.ndarray | None,
    threshold: float,
    from_logits: bool,
) -> None:
    kw = {"sample_weight": w, "threshold": threshold, "from_logits": from_logits}
    assert_close("accuracy", accuracy(yt, p, **kw), skm.accuracy_score(y, labels, sample_weight=w))
    # A perfect classifier's loss is 0, and 1 - accuracy is only exact to ~1e-16 absolute when
    # float weights are summed in another order than scikit-learn's: see ATOL_NEAR_ZERO.
    # (Thresholded metrics of logits are checked here too, not in test_binary_from_logits.)
    assert_close(
        "zero_one_loss",
        zero_one_loss(yt, p, **kw),
        skm.zero_one_loss(y, labels, sample_weight=w),
        atol=ATOL_NEAR_ZERO,
    )
    assert_close(
        "balanced_accuracy",
        balanced_accuracy(yt, p, **kw),
        skm.balanced_accuracy_score(y, labels, sample_weight=w),
    )
    assert_close(
        "confusion_matrix",
        confusion_matrix(yt, p, **kw),
        skm.confusion_matrix(y, labels, sample_weight=w),
    )
    for ours_fn, theirs_fn in (
        (precision, skm.precision_score),
        (recall, skm.recall_score),
        (f1, skm.f1_score),
    ):
        for average in ("binary", "micro", "macro", "weighted"):
            assert_close(
                f"{ours_fn.__name__}(average={average})",
                ours_fn(yt, p, average=average, **kw),
                theirs_fn(y, labels, average=average, sample_weight=w, zero_division=0),
            )


# Regression guard: weighted binary confusion counts were once derived by subtraction, leaving
# ~1e-17 where a count must be exactly 0 (a never-predicted class then had precision 1.0).


@HYPOTHESIS
@given(
    seed=SEEDS,
    n=SIZES,
    balance=st.sampled_from(BALANCES),
    score_kind=st.sampled_from((*SCORE_KINDS, "one_sided", "logits")),
    dtype=st.sampled_from(BINARY_DTYPES),
    threshold=st.sampled_from((0.5, 0.5, 0.3, 0.75, 0.0, 1.0)),
)
# A classifier that predicts one class only, with float weights: the case that exposed the bug.
@example(seed=6, n=4, balance="balanced", score_kind="one_sided", dtype="int64", threshold=0.5)
@pytest.mark.parametrize(
    "weights",
    [
        "none",
        "int",
        "float",
        "zeros",
    ],
)
def test_binary_thresholded_vs_sklearn(
    weights: str, seed: int, n: int, balance: str, score_kind: str, dtype: str, threshold: float
) -> None:
    rng = np.random.default_rng(seed)
    y = binary_labels(rng, n, balance, both=False)
    if score_kind == "one_sided":  # every sample predicted positive
        p = threshold + (1.0 - threshold) * rng.random(n)
    elif score_kind == "logits":  # on a grid of halves, 0 (probability 0.5) included
        p = np.round(rng.normal(0.0, 2.0, n) * 2) / 2
    else:
        p = binary_scores(rng, y, score_kind)
    # The threshold is a probability, also for logits.
    probs = scipy.special.expit(p) if score_kind == "logits" else p
    labels = (probs >= threshold).astype(np.int64)
    w = make_weights(rng, n, weights, y)
    _binary_thresholded_checks(
        with_dtype(y, dtype), y, p, labels, w, threshold, from_logits=score_kind == "logits"
    )


def test_precision_macro_float_weights_class_never_predicted() -> None:
    # Minimal reproducer: class 0 is never predicted, so its precision is 0 / 0 -> 0.
    y, p, w = np.array([0, 1]), np.array([0.6, 0.7]), np.array([0.1, 0.2])
    theirs = skm.precision_score(y, [1, 1], sample_weight=w, average="macro", zero_division=0)
    assert theirs == pytest.approx(1 / 3)
    assert_close("precision(macro)", precision(y, p, sample_weight=w, average="macro"), theirs)


def test_confusion_matrix_float_weights_no_spurious_counts() -> None:
    y, p, w = np.array([0, 1]), np.array([0.6, 0.7]), np.array([0.1, 0.2])
    ours = confusion_matrix(y, p, sample_weight=w)
    np.testing.assert_array_equal(ours, skm.confusion_matrix(y, [1, 1], sample_weight=w))


# ---------------------------------------------------------------- predicted labels
@HYPOTHESIS
@given(
    seed=SEEDS,
    n=SIZES,
    k=st.integers(2, 6),
    dtype=st.sampled_from(MULTICLASS_DTYPES),
    pred_dtype=st.sampled_from(("int64", "int8", "int32")),
    agreement=st.sampled_from((0.0, 0.5, 0.9)),
)
@pytest.mark.parametrize("weights", WEIGHT_KINDS)
def test_label_predictions_vs_sklearn(
    weights: str, seed: int, n: int, k: int, dtype: str, pred_dtype: str, agreement: float
) -> None:
    rng = np.random.default_rng(seed)
    y = multiclass_labels(rng, n, k, every_class=False)
    pred = np.where(rng.random(n) < agreement, y, rng.integers(0, k, n))
    w = make_weights(rng, n, weights, y)
    yt, pt = with_dtype(y, dtype), with_dtype(pred, pred_dtype)
    if k == 2 and rng.random() < 0.5:  # bool labels on both sides
        yt, pt = y.astype(bool), pred.astype(bool)

    assert_close(
        "accuracy", accuracy(yt, pt, sample_weight=w), skm.accuracy_score(y, pred, sample_weight=w)
    )
    assert_close(
        "zero_one_loss",
        zero_one_loss(yt, pt, sample_weight=w),
        skm.zero_one_loss(y, pred, sample_weight=w),
    )
    assert_close(
        "balanced_accuracy",
        balanced_accuracy(yt, pt, sample_weight=w),
        skm.balanced_accuracy_score(y, pred, sample_weight=w),
    )
    ours_cm = confusion_matrix(yt, pt, sample_weight=w)
    theirs_cm = skm.confusion_matrix(y, pred, sample_weight=w)
    assert ours_cm.shape == theirs_cm.shape
    # Label predictions are counted with bincount: exact, so equal to the last bit.
    np.testing.assert_array_equal(ours_cm, theirs_cm)
    averages = ["micro", "macro", "weighted"]
    if max(y.max(), pred.max()) <= 1:
        averages.append("binary")
    for ours_fn, theirs_fn in (
        (precision, skm.precision_score),
        (recall, skm.recall_score),
        (f1, skm.f1_score),
    ):
        for average in averages:
            assert_close(
                f"{ours_fn.__name__}(average={average})",
                ours_fn(yt, pt, sample_weight=w, average=average),
                theirs_fn(y, pred, average=average, sample_weight=w, zero_division=0),
            )


# ---------------------------------------------------------------- multiclass probabilities
@HYPOTHESIS
@given(
    seed=SEEDS,
    n=SIZES,
    k=st.integers(3, 6),
    tied=st.booleans(),
    dtype=st.sampled_from(MULTICLASS_DTYPES),
)
@pytest.mark.parametrize("weights", WEIGHT_KINDS)
def test_multiclass_probabilities_vs_sklearn(
    weights: str, seed: int, n: int, k: int, tied: bool, dtype: str
) -> None:
    rng = np.random.default_rng(seed)
    y = multiclass_labels(rng, n, k, every_class=False)
    P = multiclass_probs(rng, y, k, tied)
    w = make_weights(rng, n, weights, y)
    yt = with_dtype(y, dtype)
    classes = list(range(k))  # scikit-learn needs them when y_true lacks a class

    assert_close(
        "log_loss",
        log_loss(yt, P, sample_weight=w),
        skm.log_loss(y, P, sample_weight=w, labels=classes),
    )
    total = skm.log_loss(y, P, sample_weight=w, labels=classes, normalize=False)
    assert_close("log_loss(sum)", log_loss(yt, P, sample_weight=w, reduction="sum"), total)
    assert_close(
        "log_loss(none).sum()", log_loss(yt, P, sample_weight=w, reduction="none").sum(), total
    )
    assert_close(
        "brier_score",
        brier_score(yt, P, sample_weight=w),
        skm.brier_score_loss(y, P, sample_weight=w, labels=classes),
    )
    pred = P.argmax(axis=1)
    assert_close(
        "accuracy", accuracy(yt, P, sample_weight=w), skm.accuracy_score(y, pred, sample_weight=w)
    )
    np.testing.assert_allclose(
        confusion_matrix(yt, P, sample_weight=w),
        skm.confusion_matrix(y, pred, sample_weight=w),
        rtol=RTOL,
    )
    assert_close(
        "f1(macro)",
        f1(yt, P, sample_weight=w, average="macro"),
        skm.f1_score(y, pred, sample_weight=w, average="macro", zero_division=0),
    )
    for kk in range(1, k + 1):
        assert_close(
            f"top_k_accuracy(k={kk})",
            top_k_accuracy(yt, P, sample_weight=w, k=kk),
            skm.top_k_accuracy_score(y, P, k=kk, sample_weight=w, labels=classes),
        )


@HYPOTHESIS
@given(
    seed=SEEDS,
    n=st.one_of(st.integers(6, 60), st.integers(150, 400)),
    k=st.integers(3, 6),
    tied=st.booleans(),
)
@pytest.mark.parametrize("weights", WEIGHT_KINDS)
def test_multiclass_ranking_vs_sklearn(weights: str, seed: int, n: int, k: int, tied: bool) -> None:
    # fitscope requires every class in y_true for one-vs-rest ranking metrics.
    rng = np.random.default_rng(seed)
    y = multiclass_labels(rng, n, k, every_class=True)
    P = multiclass_probs(rng, y, k, tied)
    w = make_weights(rng, n, weights, y)
    onehot = label_binarize(y, classes=list(range(k)))
    for average in ("macro", "weighted", "micro"):
        assert_close(
            f"roc_auc(average={average})",
            roc_auc(y, P, sample_weight=w, average=average),
            skm.roc_auc_score(y, P, sample_weight=w, multi_class="ovr", average=average),
        )
        assert_close(
            f"average_precision(average={average})",
            average_precision(y, P, sample_weight=w, average=average),
            skm.average_precision_score(onehot, P, sample_weight=w, average=average),
        )


# ---------------------------------------------------------------- hinge
@HYPOTHESIS
@given(seed=SEEDS, n=st.integers(2, 80), signed=st.booleans(), tied=st.booleans())
@pytest.mark.parametrize("weights", WEIGHT_KINDS)
def test_binary_hinge_vs_sklearn(weights: str, seed: int, n: int, signed: bool, tied: bool) -> None:
    rng = np.random.default_rng(seed)
    y = binary_labels(rng, n, "balanced", both=True)  # scikit-learn needs both classes
    d = rng.normal(0.0, 1.5, n)
    if tied:  # margins of exactly 1 sit on the hinge
        d = np.round(d * 2) / 2
    w = make_weights(rng, n, weights, y)
    labels = 2 * y - 1 if signed else y
    assert_close(
        "hinge", hinge(labels, d, sample_weight=w), skm.hinge_loss(labels, d, sample_weight=w)
    )


@HYPOTHESIS
@given(seed=SEEDS, n=SIZES, k=st.integers(3, 6), tied=st.booleans())
@pytest.mark.parametrize("weights", WEIGHT_KINDS)
def test_multiclass_hinge_vs_sklearn(weights: str, seed: int, n: int, k: int, tied: bool) -> None:
    rng = np.random.default_rng(seed)
    y = multiclass_labels(rng, n, k, every_class=False)
    D = rng.normal(0.0, 1.5, (n, k))
    if tied:
        D = np.round(D * 2) / 2
    w = make_weights(rng, n, weights, y)
    assert_close(
        "hinge",
        hinge(y, D, sample_weight=w),
        skm.hinge_loss(y, D, labels=list(range(k)), sample_weight=w),
    )


# ---------------------------------------------------------------- regression
@HYPOTHESIS
@given(
    seed=SEEDS,
    n=SIZES,
    offset=st.sampled_from((0.0, 1e6, -3e3)),
    tied=st.booleans(),
    skill=st.sampled_from((0.0, 0.9, 1.0)),
)
@pytest.mark.parametrize("weights", WEIGHT_KINDS)
def test_regression_vs_sklearn(
    weights: str, seed: int, n: int, offset: float, tied: bool, skill: float
) -> None:
    rng = np.random.default_rng(seed)
    y = offset + rng.normal(0.0, 2.0, n)
    noise = rng.normal(0.0, 1.0, n)
    if tied:  # a grid of halves: equal values, exactly-zero errors
        y, noise = np.round(y * 2) / 2, np.round(noise * 2) / 2
    pred = y + (1.0 - skill) * noise + (skill < 1.0) * 0.1 * rng.normal(0.0, 1.0, n)
    w = make_weights(rng, n, weights)

    assert_close(
        "mse", mse(y, pred, sample_weight=w), skm.mean_squared_error(y, pred, sample_weight=w)
    )
    assert_close(
        "rmse",
        rmse(y, pred, sample_weight=w),
        skm.root_mean_squared_error(y, pred, sample_weight=w),
    )
    assert_close(
        "mae", mae(y, pred, sample_weight=w), skm.mean_absolute_error(y, pred, sample_weight=w)
    )
    ww = np.ones(n) if w is None else w.astype(np.float64)
    sq = (y - pred) ** 2
    assert_close("rss", rss(y, pred, sample_weight=w), np.sum(ww * sq))
    assert_close(
        "rss = mse * W", rss(y, pred, sample_weight=w), mse(y, pred, sample_weight=w) * ww.sum()
    )
    # A constant y_true makes R^2 0 / 0, where both libraries may divide by rounding noise: see
    # test_r2_constant_y_true_with_inexact_mean. Everywhere else they must agree.
    if n >= 2 and np.ptp(y[ww > 0]) > 0:
        # R^2 of a prediction with no skill is ~0 by construction; see ATOL_NEAR_ZERO.
        assert_close(
            "r2",
            r2(y, pred, sample_weight=w),
            skm.r2_score(y, pred, sample_weight=w),
            atol=ATOL_NEAR_ZERO,
        )
    for delta in (0.25, 1.0, 3.0):
        e = np.abs(pred - y)
        per = np.where(e <= delta, 0.5 * e**2, delta * (e - 0.5 * delta))
        assert_close(
            f"huber(delta={delta})",
            huber(y, pred, sample_weight=w, delta=delta),
            np.sum(ww * per) / ww.sum(),
        )


@QUICK
@given(seed=SEEDS, n=SIZES, delta=st.sampled_from((0.1, 0.5, 1.0, 2.5)), tied=st.booleans())
def test_huber_vs_torch(seed: int, n: int, delta: float, tied: bool) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    y = rng.normal(0.0, 2.0, n)
    pred = y + rng.normal(0.0, 1.5, n)
    if tied:  # errors of exactly +-delta sit on the switch between the two branches
        pred = y + delta * rng.integers(-3, 4, n)
    theirs = torch.nn.functional.huber_loss(
        torch.from_numpy(pred), torch.from_numpy(y), reduction="mean", delta=delta
    ).item()
    assert_close("huber", huber(y, pred, delta=delta), theirs)


def test_r2_constant_y_true_as_sklearn() -> None:
    # A zero denominator: scikit-learn gives 1.0 for a perfect fit and 0.0 otherwise.
    y = np.full(4, 2.5)
    assert r2(y, y) == skm.r2_score(y, y) == 1.0
    assert r2(y, y + 1) == skm.r2_score(y, y + 1) == 0.0


# scikit-learn 1.9 gives ~-5e33 here (0.1 * 3 / 3 != 0.1 leaves a ~1e-34 total sum of squares);
# fitscope keeps the range of y_true in its state and returns the documented special case.
@pytest.mark.parametrize("sample_weight", [None, [0.1, 0.2, 0.3]])
def test_r2_constant_y_true_with_inexact_mean(sample_weight: list[float] | None) -> None:
    y = np.full(3, 0.1)
    assert r2(y, y + 1.0, sample_weight=sample_weight) == 0.0
    assert r2(y, y, sample_weight=sample_weight) == 1.0


# ---------------------------------------------------------------- logits
@HYPOTHESIS
@given(seed=SEEDS, n=SIZES, scale=st.sampled_from((0.5, 2.0, 5.0, 19.0)))
@pytest.mark.parametrize("weights", WEIGHT_KINDS)
def test_binary_from_logits(weights: str, seed: int, n: int, scale: float) -> None:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    z = np.clip(rng.normal(0.0, scale, n), -19.9, 19.9)
    w = make_weights(rng, n, weights, y)
    p = scipy.special.expit(z)
    ours = log_loss(y, z, sample_weight=w, from_logits=True)
    # scikit-learn works from p = expit(z), which near 1 has only ~1.1e-16 absolute precision:
    # -log(p) (y = 1) and -log(1 - p) (y = 0) then carry an error of up to 1.1e-16 / expit(-|z|)
    # relative to the loss, i.e. < 1e-13 for |z| <= 5 (so 1e-9 holds) but up to 5.4e-8 for
    # |z| < 20. fitscope's log-sigmoid is exact there, as the second reference below shows.
    rtol = RTOL if np.abs(z).max() <= 5 else 1e-7
    theirs = skm.log_loss(y, p, sample_weight=w, labels=[0, 1])
    assert_close("log_loss(from_logits)", ours, theirs, rtol=rtol)
    # An accurate reference (log-sigmoid without cancellation) holds to 1e-9 everywhere.
    per = -np.where(y == 1, scipy.special.log_expit(z), scipy.special.log_expit(-z))
    ww = np.ones(n) if w is None else w
    assert_close("log_loss(from_logits) vs log_expit", ours, np.dot(per, ww) / ww.sum())
    assert_close(
        "log_loss(from_logits, none)",
        log_loss(y, z, sample_weight=w, from_logits=True, reduction="none"),
        per * ww,
    )
    # A confident correct prediction has a Brier score of ~(1 - expit(19.9))^2 ~ 5e-18, known to
    # both sides only to ~1e-16 * 2e-9 absolute (the rounding of p near 1): see ATOL_NEAR_ZERO.
    assert_close(
        "brier_score(from_logits)",
        brier_score(y, z, sample_weight=w, from_logits=True),
        skm.brier_score_loss(y, p, sample_weight=w, pos_label=1),
        atol=ATOL_NEAR_ZERO,
    )
    if y.min() != y.max():
        assert_close(
            "roc_auc(from_logits)",
            roc_auc(y, z, sample_weight=w, from_logits=True),
            skm.roc_auc_score(y, p, sample_weight=w),
        )


@HYPOTHESIS
@given(seed=SEEDS, n=SIZES, k=st.integers(3, 6), scale=st.sampled_from((0.5, 2.0, 5.0)))
@pytest.mark.parametrize("weights", WEIGHT_KINDS)
def test_multiclass_from_logits(weights: str, seed: int, n: int, k: int, scale: float) -> None:
    rng = np.random.default_rng(seed)
    y = multiclass_labels(rng, n, k, every_class=False)
    # |Z| <= 5: every softmax probability is >= e^-10 / 6 (no clipping in scikit-learn), and a
    # confident correct prediction still has a loss >= ~e^-10, far above the ~1e-16 absolute
    # precision of log(sum(exp(.))) near 1 that both scikit-learn's input and fitscope share.
    Z = np.clip(rng.normal(0.0, scale, (n, k)), -5.0, 5.0)
    w = make_weights(rng, n, weights, y)
    P = scipy.special.softmax(Z, axis=1)
    classes = list(range(k))
    ours = log_loss(y, Z, sample_weight=w, from_logits=True)
    assert_close("log_loss(from_logits)", ours, skm.log_loss(y, P, sample_weight=w, labels=classes))
    # An accurate reference, with no cancellation near a loss of 0:
    # -log softmax(Z)[y] = (max - z_y) + log1p(sum over j != argmax of exp(z_j - max)).
    rows = np.arange(n)
    top = Z.max(axis=1)
    rest = np.exp(Z - top[:, None])
    rest[rows, Z.argmax(axis=1)] = 0.0
    per = (top - Z[rows, y]) + np.log1p(rest.sum(axis=1))
    ww = np.ones(n) if w is None else w
    assert_close("log_loss(from_logits) vs log1p", ours, np.dot(per, ww) / ww.sum())
    assert_close(
        "brier_score(from_logits)",
        brier_score(y, Z, sample_weight=w, from_logits=True),
        skm.brier_score_loss(y, P, sample_weight=w, labels=classes),
    )
    for kk in range(1, k + 1):
        assert_close(
            f"top_k_accuracy(k={kk}, from_logits)",
            top_k_accuracy(y, Z, sample_weight=w, k=kk, from_logits=True),
            skm.top_k_accuracy_score(y, P, k=kk, sample_weight=w, labels=classes),
        )


# ---------------------------------------------------------------- float32 probabilities
@QUICK
@given(seed=SEEDS, n=SIZES, k=st.sampled_from((1, 3, 5)))
def test_float32_probabilities_clip_with_float32_eps(seed: int, n: int, k: int) -> None:
    rng = np.random.default_rng(seed)
    if k == 1:
        y = rng.integers(0, 2, n)
        p = rng.integers(0, 11, n) / 10  # includes exact 0 and 1: the clip decides the loss
        p32 = p.astype(np.float32)
        q = np.where(y == 1, p32.astype(np.float64), 1.0 - p32.astype(np.float64))
        classes = [0, 1]
    else:
        y = multiclass_labels(rng, n, k, every_class=False)
        p32 = multiclass_probs(rng, y, k, tied=True).astype(np.float32)
        p32[0] = 0.0
        p32[0, (y[0] + 1) % k] = 1.0  # a confident mistake: log(0) without the clip
        q = p32[np.arange(n), y].astype(np.float64)
        classes = list(range(k))
    eps32 = float(np.finfo(np.float32).eps)
    ours = log_loss(y, p32)
    # Exact reference: float64 arithmetic on the float32 values, clipped with float32's eps.
    assert_close("log_loss(float32)", ours, np.mean(-np.log(np.clip(q, eps32, 1 - eps32))))
    # scikit-learn computes in float32 itself (1 - p, the log, the mean), so it agrees only to
    # float32 precision: ~6e-8 relative per operation, 1e-6 with room to spare.
    assert_close(
        "log_loss(float32) vs sklearn", ours, skm.log_loss(y, p32, labels=classes), rtol=1e-6
    )


def test_float32_clip_value() -> None:
    # A certain mistake costs -log(eps) of the input's float type, as in scikit-learn.
    for dtype in (np.float32, np.float64):
        p = np.array([0.0, 1.0], dtype=dtype)
        expected = -math.log(float(np.finfo(dtype).eps))
        assert_close(f"clip {dtype.__name__}", log_loss([1, 0], p), expected, rtol=1e-7)
        assert_close(
            f"clip {dtype.__name__} vs sklearn",
            log_loss([1, 0], p),
            skm.log_loss([1, 0], p),
            rtol=1e-6,
        )


# ---------------------------------------------------------------- calibration
def ece_brute_force(
    y: np.ndarray, p: np.ndarray, w: np.ndarray | None, n_bins: int
) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """Top-label ECE by a loop over bins [i/B, (i+1)/B), the last one closed."""
    if p.ndim == 1:
        conf = np.maximum(p, 1.0 - p)
        correct = (p >= 0.5).astype(np.int64) == y
    else:
        conf = p.max(axis=1)
        correct = p.argmax(axis=1) == y
    ww = np.ones(y.size) if w is None else w.astype(np.float64)
    weight, mean_conf, acc = np.zeros(n_bins), np.full(n_bins, np.nan), np.full(n_bins, np.nan)
    ece = 0.0
    for i in range(n_bins):
        lo, hi = i / n_bins, (i + 1) / n_bins
        inside = (conf >= lo) & ((conf < hi) if i < n_bins - 1 else (conf <= hi))
        wb = ww[inside].sum()
        weight[i] = wb
        if wb > 0:
            mean_conf[i] = np.sum(ww[inside] * conf[inside]) / wb
            acc[i] = np.sum(ww[inside] * correct[inside]) / wb
            ece += wb / ww.sum() * abs(acc[i] - mean_conf[i])
    return ece, weight, mean_conf, acc


@HYPOTHESIS
@given(
    seed=SEEDS,
    n=SIZES,
    k=st.sampled_from((1, 3, 4, 6)),
    n_bins=st.sampled_from((1, 2, 4, 5, 10, 15, 20)),
    tied=st.booleans(),
)
@pytest.mark.parametrize("weights", WEIGHT_KINDS)
def test_ece_vs_brute_force(
    weights: str, seed: int, n: int, k: int, n_bins: int, tied: bool
) -> None:
    rng = np.random.default_rng(seed)
    if k == 1:
        y = rng.integers(0, 2, n)
        p = binary_scores(rng, y, "tenths" if tied else "continuous")
    else:
        y = multiclass_labels(rng, n, k, every_class=False)
        p = multiclass_probs(rng, y, k, tied)
    w = make_weights(rng, n, weights, y)
    ece, weight, conf, acc = ece_brute_force(y, p, w, n_bins)
    # A perfectly calibrated bin set gives an ECE of exactly 0 up to rounding: see ATOL_NEAR_ZERO.
    assert_close(
        "expected_calibration_error",
        expected_calibration_error(y, p, sample_weight=w, n_bins=n_bins),
        ece,
        atol=ATOL_NEAR_ZERO,
    )
    curve = reliability_curve(y, p, sample_weight=w, n_bins=n_bins)
    assert_close("reliability_curve.weight", curve.weight, weight)
    assert_close("reliability_curve.confidence", curve.confidence, conf)
    assert_close("reliability_curve.accuracy", curve.accuracy, acc, atol=ATOL_NEAR_ZERO)
    assert_close("reliability_curve.ece", curve.ece, ece, atol=ATOL_NEAR_ZERO)


# ---------------------------------------------------------------- baselines
@QUICK
@given(seed=SEEDS, n=st.integers(2, 300), balance=st.sampled_from(BALANCES))
@pytest.mark.parametrize("weights", WEIGHT_KINDS)
def test_baselines_are_sklearn_scores_of_no_skill_predictions(
    weights: str, seed: int, n: int, balance: str
) -> None:
    rng = np.random.default_rng(seed)
    y = binary_labels(rng, n, balance, both=True)
    w = make_weights(rng, n, weights, y)
    ww = np.ones(n) if w is None else w.astype(np.float64)
    prior = np.sum(ww * y) / ww.sum()
    const = np.full(n, prior)
    majority = np.full(n, int(prior > 0.5))
    assert_close(
        "baseline(accuracy)",
        baseline("accuracy", y, sample_weight=w),
        skm.accuracy_score(y, majority, sample_weight=w),
    )
    assert_close(
        "baseline(log_loss)",
        baseline("log_loss", y, sample_weight=w),
        skm.log_loss(y, const, sample_weight=w),
    )
    assert_close(
        "baseline(brier_score)",
        baseline("brier_score", y, sample_weight=w),
        skm.brier_score_loss(y, const, sample_weight=w, pos_label=1),
    )
    assert_close(
        "baseline(roc_auc)",
        baseline("roc_auc", y, sample_weight=w),
        skm.roc_auc_score(y, const, sample_weight=w),
    )
    assert_close(
        "baseline(average_precision)",
        baseline("average_precision", y, sample_weight=w),
        skm.average_precision_score(y, const, sample_weight=w),
    )
    yr = y + rng.normal(0.0, 1.0, n)
    mean = np.full(n, np.sum(ww * yr) / ww.sum())
    assert_close(
        "baseline(mse)",
        baseline("mse", yr, sample_weight=w),
        skm.mean_squared_error(yr, mean, sample_weight=w),
    )


# ---------------------------------------------------------------- worked example, evaluate
def test_worked_example() -> None:
    weight = np.array([50.0, 60.0, 55.0])
    height = np.array([160.0, 170.0, 175.0])
    y = np.array([0, 0, 1])
    p = 1.0 / (1.0 + np.exp(-(0.1 * weight - 0.03 * height)))
    assert round(log_loss(y, p, reduction="sum"), 4) == 2.6152
    assert round(log_loss(y, p), 4) == 0.8717
    assert accuracy(y, p) == pytest.approx(1 / 3, rel=1e-15)
    per = log_loss(y, p, reduction="none")
    assert_close("per-sample sum", per.sum(), log_loss(y, p, reduction="sum"))
    assert_close("vs sklearn", log_loss(y, p), skm.log_loss(y, p))
    assert_close(
        "sum vs sklearn", log_loss(y, p, reduction="sum"), skm.log_loss(y, p, normalize=False)
    )
    assert_close("accuracy vs sklearn", accuracy(y, p), skm.accuracy_score(y, p >= 0.5))


BINARY_METRICS = {
    "accuracy": lambda y, p, w: skm.accuracy_score(y, p >= 0.5, sample_weight=w),
    "zero_one_loss": lambda y, p, w: skm.zero_one_loss(y, p >= 0.5, sample_weight=w),
    "balanced_accuracy": lambda y, p, w: skm.balanced_accuracy_score(y, p >= 0.5, sample_weight=w),
    "precision": lambda y, p, w: skm.precision_score(y, p >= 0.5, sample_weight=w, zero_division=0),
    "recall": lambda y, p, w: skm.recall_score(y, p >= 0.5, sample_weight=w, zero_division=0),
    "f1": lambda y, p, w: skm.f1_score(y, p >= 0.5, sample_weight=w, zero_division=0),
    "confusion_matrix": lambda y, p, w: skm.confusion_matrix(y, p >= 0.5, sample_weight=w),
    "log_loss": lambda y, p, w: skm.log_loss(y, p, sample_weight=w),
    "brier_score": lambda y, p, w: skm.brier_score_loss(y, p, sample_weight=w),
    "roc_auc": lambda y, p, w: skm.roc_auc_score(y, p, sample_weight=w),
    "average_precision": lambda y, p, w: skm.average_precision_score(y, p, sample_weight=w),
    "top_k_accuracy": lambda y, p, w: skm.top_k_accuracy_score(y, p, k=2, sample_weight=w),
}


@pytest.mark.parametrize("weights", WEIGHT_KINDS)
def test_evaluate_matches_functional_and_sklearn(weights: str) -> None:
    rng = np.random.default_rng(20240611)
    y = binary_labels(rng, 500, "balanced", both=True)
    p = binary_scores(rng, y, "informative")
    w = make_weights(rng, 500, weights, y)
    functional = {
        "accuracy": accuracy,
        "zero_one_loss": zero_one_loss,
        "balanced_accuracy": balanced_accuracy,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "confusion_matrix": confusion_matrix,
        "log_loss": log_loss,
        "brier_score": brier_score,
        "roc_auc": roc_auc,
        "average_precision": average_precision,
        "top_k_accuracy": top_k_accuracy,
    }
    ece_name = "expected_calibration_error"
    got = evaluate(y, p, metrics=[*BINARY_METRICS, ece_name], sample_weight=w)
    assert set(got) == {*BINARY_METRICS, ece_name}
    for name, theirs in BINARY_METRICS.items():
        one = functional[name](y, p, sample_weight=w)
        # One code path: evaluate() and the function agree to the last bit.
        np.testing.assert_array_equal(got[name], one, err_msg=name)
        assert_close(name, got[name], theirs(y, p, w))
    assert got[ece_name] == expected_calibration_error(y, p, sample_weight=w)
    assert_close(ece_name, got[ece_name], ece_brute_force(y, p, w, 15)[0])


# ---------------------------------------------------------------- large inputs
LARGE = 200_000


def test_large_binary() -> None:
    rng = np.random.default_rng(7)
    y = binary_labels(rng, LARGE, "rare_pos", both=True)  # ~2,000 positives among 200,000
    p = binary_scores(rng, y, "informative")  # hundredths: ~2,000 samples per tied score
    w = rng.uniform(0.05, 3.0, LARGE)
    w[rng.random(LARGE) < 0.1] = 0.0
    for ww in (None, w):
        assert_close(
            "log_loss", log_loss(y, p, sample_weight=ww), skm.log_loss(y, p, sample_weight=ww)
        )
        assert_close(
            "brier_score",
            brier_score(y, p, sample_weight=ww),
            skm.brier_score_loss(y, p, sample_weight=ww),
        )
        assert_close(
            "roc_auc", roc_auc(y, p, sample_weight=ww), skm.roc_auc_score(y, p, sample_weight=ww)
        )
        assert_close(
            "average_precision",
            average_precision(y, p, sample_weight=ww),
            skm.average_precision_score(y, p, sample_weight=ww),
        )
        labels = (p >= 0.5).astype(int)
        assert_close(
            "accuracy",
            accuracy(y, p, sample_weight=ww),
            skm.accuracy_score(y, labels, sample_weight=ww),
        )
        for average in ("binary", "macro", "weighted"):
            assert_close(
                f"f1({average})",
                f1(y, p, sample_weight=ww, average=average),
                skm.f1_score(y, labels, sample_weight=ww, average=average, zero_division=0),
            )


def test_large_multiclass() -> None:
    rng = np.random.default_rng(8)
    k = 5
    y = multiclass_labels(rng, LARGE, k, every_class=True)
    P = multiclass_probs(rng, y, k, tied=True)
    w = rng.integers(0, 4, LARGE)
    onehot = label_binarize(y, classes=list(range(k)))
    for ww in (None, w):
        assert_close(
            "log_loss", log_loss(y, P, sample_weight=ww), skm.log_loss(y, P, sample_weight=ww)
        )
        assert_close(
            "brier_score",
            brier_score(y, P, sample_weight=ww),
            skm.brier_score_loss(y, P, sample_weight=ww),
        )
        assert_close(
            "top_k_accuracy",
            top_k_accuracy(y, P, sample_weight=ww, k=2),
            skm.top_k_accuracy_score(y, P, k=2, sample_weight=ww),
        )
        for average in ("macro", "weighted"):
            assert_close(
                f"roc_auc({average})",
                roc_auc(y, P, sample_weight=ww, average=average),
                skm.roc_auc_score(y, P, sample_weight=ww, multi_class="ovr", average=average),
            )
            assert_close(
                f"average_precision({average})",
                average_precision(y, P, sample_weight=ww, average=average),
                skm.average_precision_score(onehot, P, sample_weight=ww, average=average),
            )


def test_large_regression_with_offset() -> None:
    rng = np.random.default_rng(9)
    y = 1e6 + rng.normal(0.0, 1.0, LARGE)
    pred = y + rng.normal(0.0, 0.3, LARGE)
    w = rng.uniform(0.05, 3.0, LARGE)
    for ww in (None, w):
        assert_close(
            "mse", mse(y, pred, sample_weight=ww), skm.mean_squared_error(y, pred, sample_weight=ww)
        )
        assert_close(
            "mae",
            mae(y, pred, sample_weight=ww),
            skm.mean_absolute_error(y, pred, sample_weight=ww),
        )
        r2_ours = r2(y, pred, sample_weight=ww)
        assert 0.9 < r2_ours < 0.92  # a naive E[y^2] - E[y]^2 would be all cancellation here
        assert_close("r2", r2_ours, skm.r2_score(y, pred, sample_weight=ww))
