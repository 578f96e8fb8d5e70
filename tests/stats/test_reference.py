"""fitscope.stats against statsmodels, scipy and scikit-learn, and against the definitions."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import stats as st

from fitscope import metrics as fm
from fitscope.errors import InvalidInputError
from fitscope.stats import (
    MAX_GROUPS,
    Resampler,
    bootstrap_interval,
    delong,
    delong_paired,
    holm,
    mcnemar,
    newcombe_interval,
    paired_bootstrap,
    two_proportion_test,
    wilson_interval,
)
from fitscope.stats.metrics import decompose, prepare

sm_prop = pytest.importorskip("statsmodels.stats.proportion")
sm_tables = pytest.importorskip("statsmodels.stats.contingency_tables")
sm_multi = pytest.importorskip("statsmodels.stats.multitest")
sklearn_metrics = pytest.importorskip("sklearn.metrics")


@pytest.mark.parametrize(("k", "n"), [(0, 10), (1, 10), (9, 10), (10, 10), (1800, 2000), (3, 7)])
def test_wilson_equals_statsmodels(k: int, n: int) -> None:
    ref = sm_prop.proportion_confint(k, n, alpha=0.05, method="wilson")
    np.testing.assert_allclose(wilson_interval(k, n), ref, atol=1e-12)


@pytest.mark.parametrize(("ka", "na", "kb", "nb"), [(1800, 2000, 1812, 2000), (5, 20, 15, 30)])
def test_newcombe_and_z_test_equal_statsmodels(ka: int, na: int, kb: int, nb: int) -> None:
    ref = sm_prop.confint_proportions_2indep(kb, nb, ka, na, method="newcomb", compare="diff")
    np.testing.assert_allclose(newcombe_interval(ka, na, kb, nb), ref, atol=1e-12)
    _, p = sm_prop.proportions_ztest([kb, ka], [nb, na])
    assert two_proportion_test(ka, na, kb, nb) == pytest.approx(p, rel=1e-12)


@pytest.mark.parametrize(("b", "c"), [(0, 3), (3, 9), (12, 12), (24, 0), (30, 50), (200, 260)])
def test_mcnemar_equals_statsmodels(b: int, c: int) -> None:
    a_right = np.array([True] * b + [False] * c + [True] * 40 + [False] * 7)
    b_right = np.array([False] * b + [True] * c + [True] * 40 + [False] * 7)
    out = mcnemar(a_right, b_right)
    exact = b + c < 25
    ref = sm_tables.mcnemar([[40, b], [c, 7]], exact=exact, correction=True)
    assert (out["b"], out["c"]) == (b, c)
    assert out["p_value"] == pytest.approx(ref.pvalue, rel=1e-10)
    assert out["test"].startswith("McNemar exact" if exact else "McNemar chi-square")


def test_holm_equals_statsmodels() -> None:
    p = np.random.default_rng(0).uniform(0, 0.2, 9)
    _, ref, _, _ = sm_multi.multipletests(p, method="holm")
    np.testing.assert_allclose(holm(p), ref, rtol=1e-12)


def _delong_by_definition(y: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """DeLong's structural components from the O(m n) definition (psi = 1, 1/2 on ties)."""
    pos, neg = s[:, y == 1], s[:, y == 0]
    psi = (pos[:, :, None] > neg[:, None, :]) + 0.5 * (pos[:, :, None] == neg[:, None, :])
    return psi.mean(axis=2), psi.mean(axis=1)


def test_delong_equals_sklearn_auc_and_the_definitions_variance() -> None:
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 300)
    sa = np.round(y + rng.normal(0, 1.2, 300), 1)  # rounded: ties on purpose
    sb = y + rng.normal(0, 0.8, 300)
    r = delong(y, sa)
    assert r["auc"] == pytest.approx(sklearn_metrics.roc_auc_score(y, sa), rel=1e-12)
    v10, v01 = _delong_by_definition(y, np.vstack([sa, sb]))
    m, n = v10.shape[1], v01.shape[1]
    cov = np.cov(v10) / m + np.cov(v01) / n
    assert r["variance"] == pytest.approx(cov[0, 0], rel=1e-10)
    d = delong_paired(y, sa, sb)
    var = cov[0, 0] + cov[1, 1] - 2 * cov[0, 1]
    assert d["difference"] == pytest.approx(
        sklearn_metrics.roc_auc_score(y, sb) - sklearn_metrics.roc_auc_score(y, sa)
    )
    assert d["p_value"] == pytest.approx(2 * st.norm.sf(abs(d["difference"]) / np.sqrt(var)))
    with pytest.raises(InvalidInputError, match="both classes"):
        delong(np.ones(5, int), np.arange(5.0))


def test_bootstrap_interval_agrees_with_scipy_bootstrap() -> None:
    x = np.random.default_rng(4).exponential(0.3, 3000)
    ours = bootstrap_interval(x, lambda s: s[..., 0] / 3000)
    ref = st.bootstrap((x,), np.mean, n_resamples=5000, method="percentile", random_state=1)
    width = ref.confidence_interval.high - ref.confidence_interval.low
    assert ours["ci_low"] == pytest.approx(ref.confidence_interval.low, abs=0.06 * width)
    assert ours["ci_high"] == pytest.approx(ref.confidence_interval.high, abs=0.06 * width)
    # Seeded: the same seed gives the same interval; another seed a different one.
    again = bootstrap_interval(x, lambda s: s[..., 0] / 3000)
    assert again == ours
    assert bootstrap_interval(x, lambda s: s[..., 0] / 3000, seed=9)["ci_low"] != ours["ci_low"]


def test_grouped_bootstrap_keeps_the_spread_of_a_mean() -> None:
    n = 20 * MAX_GROUPS
    x = np.random.default_rng(5).exponential(1.0, n)
    r = Resampler(n, n_resamples=1000, seed=0)
    assert r.groups == MAX_GROUPS and (r.counts.sum(axis=1) == MAX_GROUPS).all()
    means = r.sums(np.column_stack([x, np.ones(n)]))
    means = means[:, 0] / means[:, 1]
    assert means.std() == pytest.approx(x.std() / np.sqrt(n), rel=0.1)
    assert means.mean() == pytest.approx(x.mean(), abs=x.std() / np.sqrt(n))


def test_paired_bootstrap_is_paired() -> None:
    # B = A + a tiny constant: unpaired intervals would span 0, paired ones cannot.
    rng = np.random.default_rng(6)
    a = rng.exponential(1.0, 2000)
    out = paired_bootstrap(a, a + 0.01, lambda s: s[..., 0] / 2000)
    assert out["difference"] == pytest.approx(0.01)
    assert out["ci_low"] == pytest.approx(0.01) and out["ci_high"] == pytest.approx(0.01)
    assert out["p_value"] == pytest.approx(2 / 1001)


CASES = {
    "binary probabilities": lambda rng: (rng.integers(0, 2, 500), rng.random(500)),
    "three classes": lambda rng: (rng.integers(0, 3, 500), rng.dirichlet([1, 1, 1], 500)),
    "binary labels": lambda rng: (rng.integers(0, 2, 500), rng.integers(0, 2, 500)),
}


@pytest.mark.parametrize(("case", "metric"), list(itertools.product(CASES, ["accuracy", "f1",
                         "log_loss", "brier_score"])))  # fmt: skip
def test_decomposed_metrics_equal_fitscope_metrics(case: str, metric: str) -> None:
    y, p = CASES[case](np.random.default_rng(7))
    d = decompose(prepare(y, p), metric)
    if isinstance(d, str):
        assert case == "binary labels" and metric in ("log_loss", "brier_score")
        return
    value = float(d.compute(d.stats.sum(axis=0)[None, :])[0])
    options = {"average": "macro"} if metric == "f1" and case == "three classes" else {}
    assert value == pytest.approx(getattr(fm, metric)(y, p, **options), rel=1e-10)


@pytest.mark.parametrize("metric", ["mse", "mae", "r2"])
def test_decomposed_regression_metrics_equal_fitscope_metrics(metric: str) -> None:
    rng = np.random.default_rng(8)
    y = rng.normal(size=400)
    p = y + rng.normal(0, 0.5, 400)
    d = decompose(prepare(y, p), metric)
    assert not isinstance(d, str)
    value = float(d.compute(d.stats.sum(axis=0)[None, :])[0])
    assert value == pytest.approx(getattr(fm, metric)(y, p), rel=1e-10)


@pytest.mark.parametrize(("n", "m"), [(10, 4), (2000, 700), (5, 1), (7, 6)])
def test_one_sort_midranks_equal_scipy_rankdata_with_ties(n: int, m: int) -> None:
    from scipy.stats import rankdata

    from fitscope.stats.closed_form import _three_midranks

    z = np.round(np.random.default_rng(n).random((2, n)) * 5) / 5  # many ties
    tx, ty, tz = _three_midranks(z, m)
    np.testing.assert_array_equal(tz, rankdata(z, axis=1))
    np.testing.assert_array_equal(tx, rankdata(z[:, :m], axis=1))
    np.testing.assert_array_equal(ty, rankdata(z[:, m:], axis=1))
