"""Findings over real-valued predictions and MSE/MAE curves."""

from __future__ import annotations

import numpy as np
import pytest
from synth import overfit

import fitscope
from fitscope.metrics import mae, mse, r2


def test_a_few_huge_residuals_carry_the_squared_error() -> None:
    # The regression seeds' case: a small typical error, a huge MSE from 8 samples of 1,000.
    rng = np.random.default_rng(0)
    y = rng.normal(50.0, 10.0, 1000)
    pred = y + rng.normal(0.0, 1.0, 1000)
    bad = rng.choice(1000, 8, replace=False)
    pred[bad] += rng.choice([-1, 1], 8) * rng.uniform(80, 200, 8)
    ids = [f"r{i}" for i in range(1000)]
    (finding,) = fitscope.explain(y, pred, sample_ids=ids)
    ev = finding.evidence
    assert (finding.code, finding.severity) == ("large_residuals", "warning")
    assert sorted(ev["indices"]) == sorted(bad.tolist()) and ev["count"] == 8
    assert ev["ids"] == [ids[i] for i in ev["indices"]]
    assert ev["squared_error"] == sorted(ev["squared_error"], reverse=True)
    assert ev["residual"] == pytest.approx([pred[i] - y[i] for i in ev["indices"]])
    sq = (pred - y) ** 2
    assert ev["sse_share"] == pytest.approx(sq[bad].sum() / sq.sum()) and ev["sse_share"] > 0.9
    assert ev["mse"] == pytest.approx(mse(y, pred)) and ev["mae"] == pytest.approx(mae(y, pred))
    assert ev["mse_without"] == pytest.approx(np.delete(sq, bad).mean())
    assert ids[ev["indices"][0]] in finding.explanation


def test_healthy_regression_says_nothing() -> None:
    rng = np.random.default_rng(1)
    for seed in range(20):
        rng = np.random.default_rng(seed)
        y = rng.normal(0.0, 3.0, 500)
        assert fitscope.explain(y, y + rng.normal(0.0, 1.0, 500)) == []


def test_no_better_than_the_mean_is_worse_than_mean() -> None:
    rng = np.random.default_rng(2)
    y = rng.normal(0.0, 1.0, 300)
    pred = rng.normal(0.0, 1.0, 300)  # unrelated to y
    found = {f.code: f for f in fitscope.explain(y, pred, lang="es")}
    ev = found["worse_than_mean"].evidence
    assert found["worse_than_mean"].severity == "problem"
    assert ev["r2"] == pytest.approx(r2(y, pred)) and ev["r2"] <= 0
    assert ev["baseline_mse"] == pytest.approx(np.var(y))
    assert "media" in found["worse_than_mean"].title


def test_integer_targets_need_task_regression() -> None:
    y = np.arange(100) % 5
    pred = y.astype(float)
    pred[:3] = [90.0, -70.0, 60.0]  # outside [0, 1]: regression even without task=
    assert [f.code for f in fitscope.explain(y, pred)] == ["large_residuals"]
    labels = np.arange(100) % 2
    assert fitscope.explain(labels, labels, task="regression") == []
    with pytest.raises(ValueError, match="task must be one of"):
        fitscope.explain(labels, labels, task="ranking")


def test_curve_rules_read_mse_and_mae_curves() -> None:
    h = overfit(60, 20, seed=0)
    renamed = {"mse": h["loss"], "val_mse": h["val_loss"]}
    assert "overfitting" in [f.code for f in fitscope.diagnose(renamed)]
    mae_only = {"train_mae": h["loss"], "val_mae": h["val_loss"]}
    assert "overfitting" in [f.code for f in fitscope.diagnose(mae_only)]
