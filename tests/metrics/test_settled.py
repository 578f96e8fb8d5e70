"""Where fitscope and scikit-learn disagreed (issue 16), settled: each case either matches
scikit-learn now, or is fitscope's documented choice (docs/metrics.md, "Where fitscope differs
from scikit-learn")."""

from __future__ import annotations

import numpy as np
import pytest

import fitscope
from fitscope import InvalidInputError
from fitscope.metrics import (
    accuracy,
    average_precision,
    confusion_matrix,
    log_loss,
    precision,
    r2,
    roc_auc,
    top_k_accuracy,
)
from fitscope.metrics._registry import REGISTRY

skm = pytest.importorskip("sklearn.metrics")

pytestmark = [
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.UndefinedMetricWarning"),
    pytest.mark.filterwarnings("ignore:No positive class found:UserWarning"),
]


def test_average_precision_without_positives_is_zero_as_sklearn() -> None:
    y, p = [0, 0, 0], [0.1, 0.5, 0.3]
    assert average_precision(y, p) == skm.average_precision_score(y, p) == 0.0
    binned = fitscope.Evaluator(["average_precision"], ranking="binned").update(y, p)
    assert binned.compute()["average_precision"] == 0.0


def test_weighted_one_vs_rest_drops_a_class_of_zero_weight_as_sklearn() -> None:
    rng = np.random.default_rng(0)
    y = np.tile([0, 1, 2], 20)
    p = rng.dirichlet(np.ones(3), 60)
    w = rng.random(60) + 0.1
    w[y == 1] = 0.0
    for average in ("weighted", "macro"):
        ours = roc_auc(y, p, sample_weight=w, average=average)
        theirs = skm.roc_auc_score(y, p, sample_weight=w, average=average, multi_class="ovr")
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    np.testing.assert_allclose(
        average_precision(y, p, sample_weight=w, average="weighted"),
        skm.average_precision_score(np.eye(3)[y], p, sample_weight=w, average="weighted"),
        rtol=1e-12,
    )


def test_top_k_with_a_tiny_positive_logit_counts_it_as_accuracy_does() -> None:
    y, z = np.array([1, 0]), np.array([1e-17, -1e-17])
    assert top_k_accuracy(y, z, k=1, from_logits=True) == 1.0
    assert accuracy(y, z, from_logits=True) == 1.0


def test_streaming_r2_of_large_targets_equals_one_pass() -> None:
    rng = np.random.default_rng(1)
    y = 1e8 + rng.normal(size=2000)
    p = y + rng.normal(size=2000) * 0.5
    one = r2(y, p)
    ev = fitscope.Evaluator(["r2"])
    for a in range(0, 2000, 37):
        ev.update(y[a : a + 37], p[a : a + 37])
    assert ev.compute()["r2"] == pytest.approx(one, rel=1e-13)
    halves = [
        fitscope.Evaluator(["r2"]).update(y[s], p[s]) for s in (slice(1000, None), slice(0, 1000))
    ]
    assert halves[0].merge(halves[1]).compute()["r2"] == pytest.approx(one, rel=1e-13)
    assert one == pytest.approx(skm.r2_score(y, p), rel=1e-9)


def test_row_sums_are_checked_to_sqrt_eps_of_the_dtype_as_sklearn() -> None:
    p16 = np.array([[0.5, 0.4], [0.3, 0.7]], dtype=np.float16)  # row 0 sums to 0.9
    with pytest.raises(InvalidInputError, match=r"Row 0 sums to 0\.8999"):
        log_loss([0, 1], p16)
    # The same tolerance as scikit-learn, which warns there; fitscope raises (never a warning
    # followed by a number computed from something that is not a probability).
    with pytest.warns(UserWarning, match="do not sum to one"):
        skm.log_loss([0, 1], p16)
    ok = np.array([[0.5, 0.5 + 1e-9], [0.3, 0.7]])  # inside sqrt(eps) of float64
    assert log_loss([0, 1], ok) == pytest.approx(skm.log_loss([0, 1], ok), rel=1e-9)


def test_numpy_booleans_are_booleans() -> None:
    assert accuracy([0, 1], [0.2, 0.9], from_logits=np.False_) == 1.0
    assert accuracy([0, 1, 1], [0, 1, 0], normalize=np.False_) == 2.0


def test_all_zero_weights_give_nan_where_sklearn_raises() -> None:
    # fitscope's choice: a batch may carry zero weight (masked padding in a training loop), so
    # the weighted mean of nothing is nan and counts are zero rather than an error.
    y, p, w = [0, 1, 1], [0, 1, 0], [0.0, 0.0, 0.0]
    assert np.isnan(accuracy(y, p, sample_weight=w))
    np.testing.assert_array_equal(confusion_matrix(y, p, sample_weight=w), np.zeros((2, 2)))
    assert precision(y, p, sample_weight=w) == 0.0  # zero_division, as scikit-learn's 0/0
    with pytest.raises(ValueError, match="non-zero"):
        skm.accuracy_score(y, p, sample_weight=w)


REGRESSION = sorted(n for n, info in REGISTRY.items() if info.family == "regression")


@pytest.mark.parametrize("name", REGRESSION)
@pytest.mark.parametrize("outputs", [1, 2])
def test_all_zero_weights_give_the_documented_regression_values(name, outputs) -> None:
    # The rule (docs/metrics.md): nan for means -- r2, a ratio of two weighted means, included,
    # which once scored a perfect 1.0 (read as a constant target) -- and zero for sums (rss).
    rng = np.random.default_rng(0)
    y = rng.normal(size=(6, outputs)) if outputs == 2 else rng.normal(size=6)
    p = y + rng.normal(size=y.shape)
    z = np.zeros(6)
    spec = fitscope.metric(name)
    raw = fitscope.metric(name, multioutput="raw_values")

    def documented(value: object) -> None:
        if name == "rss":
            np.testing.assert_array_equal(value, 0.0)
        else:
            assert np.all(np.isnan(value)), (name, value)

    documented(getattr(fitscope.metrics, name)(y, p, sample_weight=z))
    documented(getattr(fitscope.metrics, name)(y, p, sample_weight=z, multioutput="raw_values"))
    for got in fitscope.evaluate(y, p, metrics=[spec, raw], sample_weight=z).values():
        documented(got)
    a = fitscope.Evaluator([spec]).update(y[:3], p[:3], z[:3])
    b = fitscope.Evaluator([spec]).update(y[3:], p[3:], z[3:])
    documented(a.update(y[3:], p[3:], z[3:]).compute()[spec.key])
    documented(b.merge(fitscope.Evaluator([spec]).update(y[:3], p[:3], z[:3])).compute()[spec.key])
    # A zero-weight batch adds nothing: with weighted data after it, the data's value.
    weighted = fitscope.Evaluator([spec]).update(y, p, z).update(y, p, np.ones(6))
    np.testing.assert_allclose(
        weighted.compute()[spec.key], fitscope.evaluate(y, p, metrics=[spec])[spec.key]
    )


def test_r2_of_all_zero_weights_is_nan_where_sklearn_raises() -> None:
    y, p, z = [0.0, 1.0, 0.0, 1.0], [0.2, 0.8, 0.6, 0.4], [0.0, 0.0, 0.0, 0.0]
    assert np.isnan(r2(y, p, sample_weight=z))
    assert np.isnan(fitscope.metrics.baseline("r2", y, sample_weight=z))
    assert np.isnan(fitscope.metrics.baseline("mse", y, sample_weight=z))
    with pytest.raises(ValueError, match="non-zero"):
        skm.r2_score(y, p, sample_weight=z)
    # One sample of nonzero weight is a constant target, as scikit-learn reads it.
    assert r2(y, p, sample_weight=[0.0, 0.0, 0.0, 1.0]) == skm.r2_score(
        y, p, sample_weight=[0.0, 0.0, 0.0, 1.0]
    )
