"""Findings over one set of predictions: the three classic cases and the two that fool people."""

from __future__ import annotations

import numpy as np
import pytest

import fitscope
from fitscope.doctor import predictions as rules
from fitscope.metrics import balanced_accuracy, baseline, log_loss


@pytest.fixture
def labels() -> np.ndarray:
    return np.random.default_rng(0).integers(0, 2, 500)


def confident_right(y: np.ndarray, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.where(y == 1, rng.uniform(0.85, 0.99, y.size), rng.uniform(0.01, 0.15, y.size))


def test_high_accuracy_and_low_loss_is_healthy(labels: np.ndarray) -> None:
    assert fitscope.explain(labels, confident_right(labels)) == []
    p2 = np.column_stack([1 - confident_right(labels), confident_right(labels)])
    assert fitscope.explain(labels, p2 / p2.sum(axis=1, keepdims=True)) == []


def test_a_few_confident_mistakes_carry_the_loss(labels: np.ndarray) -> None:
    p = confident_right(labels)
    bad = np.random.default_rng(2).choice(labels.size, 25, replace=False)
    p[bad] = np.where(labels[bad] == 1, 0.001, 0.999)
    ids = [f"s{i}" for i in range(labels.size)]
    (finding,) = fitscope.explain(labels, p, sample_ids=ids)
    ev = finding.evidence
    assert finding.code == "confident_mistakes" and finding.severity == "warning"
    assert ev["count"] == 25 and ev["accuracy"] == pytest.approx(0.95)
    # Every one of them is named, not only the first few.
    assert sorted(ev["ids"]) == sorted(ids[i] for i in bad) and len(ev["indices"]) == 25
    assert ev["p_true"] == pytest.approx([0.001] * 25)
    assert ev["predicted"] == [1 - labels[i] for i in ev["indices"]]
    assert ev["sample_loss"] == sorted(ev["sample_loss"], reverse=True)
    per_sample = log_loss(labels, p, reduction="none")
    assert ev["loss_share"] == pytest.approx(per_sample[bad].sum() / per_sample.sum())
    assert ev["log_loss"] == pytest.approx(log_loss(labels, p))
    assert ids[ev["indices"][0]] in finding.explanation


def test_low_accuracy_and_large_loss_is_widespread_errors(labels: np.ndarray) -> None:
    rng = np.random.default_rng(3)
    p = np.where(labels == 1, rng.uniform(0.0, 0.7, labels.size), rng.uniform(0.3, 1.0, 500))
    p = np.clip(p, 0.01, 0.99)
    found = {f.code: f for f in fitscope.explain(labels, p)}
    assert "widespread_errors" in found and found["widespread_errors"].severity == "problem"
    ev = found["widespread_errors"].evidence
    assert ev["log_loss"] >= ev["prior_log_loss"] == pytest.approx(baseline("log_loss", labels))
    assert ev["error_share"] >= rules.WIDESPREAD_ERROR


def test_accuracy_at_the_majority_baseline_is_class_imbalance() -> None:
    rng = np.random.default_rng(4)
    y = (rng.uniform(size=1000) < 0.1).astype(int)
    p = np.clip(0.1 + 0.02 * rng.standard_normal(1000), 0.01, 0.99)
    (finding,) = fitscope.explain(y, p)
    ev = finding.evidence
    assert finding.code == "class_imbalance"
    assert ev["majority_baseline"] == pytest.approx(1 - y.mean())
    assert ev["balanced_accuracy"] == pytest.approx(balanced_accuracy(y, (p >= 0.5).astype(int)))
    assert ev["prior_log_loss"] == pytest.approx(baseline("log_loss", y))
    # The same with hard labels: no loss, but the baseline still applies.
    assert [f.code for f in fitscope.explain(y, np.zeros(1000, dtype=int))] == ["class_imbalance"]


def test_overconfident_probabilities_are_miscalibrated(labels: np.ndarray) -> None:
    rng = np.random.default_rng(5)
    conf = rng.uniform(0.6, 1.0, labels.size)
    right = rng.uniform(size=labels.size) < 0.75  # 75% right whatever the model says
    p = np.where(right == (labels == 1), conf, 1 - conf)
    found = {f.code: f for f in fitscope.explain(labels, p)}
    ev = found["miscalibration"].evidence
    assert ev["ece"] > rules.ECE_MAX and ev["mean_confidence"] > ev["accuracy"]
    assert len(ev["bin_edges"]) == rules.ECE_BINS + 1 and sum(ev["bin_weight"]) == 500
    assert "overconfident" in found["miscalibration"].explanation


def test_small_samples_are_not_judged_for_calibration() -> None:
    y = [0, 1] * 20
    p = [0.4, 0.6] * 20  # right every time, but only 60% sure
    assert "miscalibration" not in [f.code for f in fitscope.explain(y, p)]


def test_multiclass_confident_mistakes_in_russian() -> None:
    rng = np.random.default_rng(6)
    y = rng.integers(0, 3, 300)
    p = np.full((300, 3), 0.02)
    p[np.arange(300), y] = 0.96
    p[:30] = [0.99, 0.005, 0.005]
    p[:30][y[:30] == 0] = [0.005, 0.99, 0.005]  # 10% wrong, each at p(true) = 0.005
    (finding,) = fitscope.explain(y, p, lang="ru")
    assert finding.code == "confident_mistakes"
    assert "Точность равна 90\u00a0%" in finding.explanation and "0,005" in finding.explanation
    assert finding.evidence["count"] == 30


def test_the_seeds_case_a_few_huge_errors_behind_a_great_accuracy() -> None:
    # 15 of 1,000 samples confidently wrong (p(true) ~ 1e-7) carry ~97% of the loss at 98.5%
    # accuracy: the mean loss is far below half the no-skill loss, and it must still be named.
    rng = np.random.default_rng(11)
    y = rng.integers(0, 2, 1000)
    p = np.where(y == 1, rng.uniform(0.995, 0.9999, 1000), rng.uniform(0.0001, 0.005, 1000))
    bad = rng.choice(1000, 15, replace=False)
    p[bad] = np.where(y[bad] == 1, 1e-7, 1 - 1e-7)
    (finding,) = fitscope.explain(y, p)
    ev = finding.evidence
    assert finding.code == "confident_mistakes" and finding.severity == "warning"
    assert ev["accuracy"] == pytest.approx(0.985) and ev["count"] == 15
    assert sorted(ev["indices"]) == sorted(bad.tolist())
    assert ev["loss_share"] > 0.95 and ev["log_loss"] < 0.5 * baseline("log_loss", y)


def test_digits_with_flipped_labels_names_the_flips() -> None:
    # The issue's reproduction: 5% of digits' labels flipped, out-of-fold probabilities of a
    # logistic regression. Today's doctor said nothing.
    datasets = pytest.importorskip("sklearn.datasets")
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    x, y = datasets.load_digits(return_X_y=True)
    rng = np.random.default_rng(0)
    flipped = rng.choice(y.size, round(0.05 * y.size), replace=False)
    noisy = y.copy()
    noisy[flipped] = (y[flipped] + rng.integers(1, 10, flipped.size)) % 10
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=300))
    p = cross_val_predict(model, x, noisy, cv=3, method="predict_proba")
    found = {f.code: f for f in fitscope.explain(noisy, p)}
    ev = found["confident_mistakes"].evidence
    named = set(ev["indices"])
    assert len(named) == ev["count"] == len(ev["ids"]) == len(ev["p_true"])
    recall = len(named & set(flipped.tolist())) / flipped.size
    precision = len(named & set(flipped.tolist())) / len(named)
    assert recall > 0.6 and precision > 0.4, (recall, precision)


def test_label_issues_use_per_class_thresholds() -> None:
    from fitscope.doctor.labels import class_thresholds, label_issues

    # Class 1 is hard: its own samples get only ~0.6. A sample labelled 0 that the model puts
    # at 0.65 for class 1 is as sure as the model ever is about class 1, so it is named; a
    # global cutoff (p(true) < 0.1) would miss it.
    y = np.array([0] * 50 + [1] * 50)
    p1 = np.concatenate([np.full(50, 0.05), np.full(50, 0.6)])
    p1[0] = 0.65
    t = class_thresholds(y, p1)
    assert t == pytest.approx([(0.95 * 49 + 0.35) / 50, (0.6 * 50) / 50])
    assert np.flatnonzero(label_issues(y, p1)).tolist() == [0]


def test_bad_inputs_are_named() -> None:
    with pytest.raises(ValueError, match="y_pred must have the same length as y_true"):
        fitscope.explain([0, 1], [0.5])
    with pytest.raises(ValueError, match=r"sample_ids must have the same length as y_true \(2\)"):
        fitscope.explain([0, 1], [0.2, 0.7], sample_ids=["a"])
    with pytest.raises(ValueError, match="lang must be one of"):
        fitscope.explain([0, 1], [0.2, 0.7], lang="fr")


def test_a_calibrated_model_on_few_samples_is_not_miscalibrated() -> None:
    # 100 samples whose outcomes are drawn from the model's own confidences: perfectly
    # calibrated, yet its ECE over 10 bins is often above 0.1 by chance alone. The band (the
    # 95th percentile of such ECEs) keeps the rule quiet but for ~5%; a real one stays found.
    quiet, over = 0, 0
    for seed in range(100):
        rng = np.random.default_rng(seed)
        conf = rng.uniform(0.5, 1.0, 100)
        right = rng.uniform(size=100) < conf
        y = rng.integers(0, 2, 100)
        p = np.where(right == (y == 1), conf, 1 - conf)
        ece = fitscope.metrics.expected_calibration_error(y, p, n_bins=rules.ECE_BINS)
        over += ece > rules.ECE_MAX
        quiet += "miscalibration" not in [f.code for f in fitscope.explain(y, p)]
    # Without the band 9 of these 100 calibrated models would be called miscalibrated; with
    # it about 5% (the band is a 95th percentile) are.
    assert over >= 5 and 100 - quiet <= 6 and 100 - quiet < over
    # Underconfident: right 99% of the time at 80% confidence, on 178 samples (wine's size).
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 178)
    right = rng.uniform(size=178) < 0.99
    p = np.where(right == (y == 1), 0.8, 0.2)
    found = {f.code: f for f in fitscope.explain(y, p)}
    ev = found["miscalibration"].evidence
    assert ev["ece"] > ev["ece_band"] > 0 and ev["n"] == 178
    assert ev["ece_band_basis"] == "simulated_calibrated_labels"
    assert "underconfident" in found["miscalibration"].explanation
