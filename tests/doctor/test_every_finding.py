"""Every finding the doctor knows is reachable by code, with all its evidence in
``fitscope doctor --json``, in all four languages."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from synth import exploding, flat, oscillating, overfit, still_falling

from fitscope.cli import cli
from fitscope.doctor.messages import MESSAGES

E = np.arange(1, 41)


def _curves(code: str) -> dict[str, list[float]]:
    if code in ("overfitting", "loss_accuracy_disagreement"):
        return overfit(60, 20, seed=0)
    if code == "underfitting":
        return flat(40, 0)
    if code == "unstable":
        return oscillating(40, 0)
    if code == "divergence":
        return exploding(30, 12, 0)
    if code == "not_converged":
        return still_falling(40, 0)
    if code == "learning_rate_too_high":
        return {"loss": list(0.3 + 0.4 * np.exp(-(E - 1) / 4) + 0.01 * np.maximum(0, E - 15))}
    if code == "learning_rate_too_low":
        return {"loss": list(0.69 - 0.003 * E)}
    if code == "plateau":
        return {"loss": list(np.where(E <= 15, 0.69, 0.2 + 0.49 * np.exp(-(E - 15) / 4)))}
    train = 0.25 + 0.45 * np.exp(-(E - 1) / 5)
    if code == "val_better_than_train":
        return {"loss": list(train), "val_loss": list(0.8 * train)}
    assert code == "gap_from_start"
    return {"loss": list(train), "val_loss": list(train + 0.3)}


def _predictions(code: str) -> tuple[list[str], list[list[Any]]]:
    rng = np.random.default_rng(0)
    if code in ("large_residuals", "worse_than_mean"):
        y = rng.normal(10.0, 2.0, 300)
        pred = y + rng.normal(0, 0.1, 300)
        if code == "large_residuals":
            pred[:5] += 100.0
        else:
            pred = rng.normal(10.0, 2.0, 300)
        return ["id", "y_true", "y_pred"], [[f"s{i}", y[i], pred[i]] for i in range(300)]
    y = rng.integers(0, 2, 400)
    if code == "class_imbalance":
        y = (rng.uniform(size=400) < 0.1).astype(int)
        p = np.full(400, 0.1)
    elif code == "miscalibration":
        conf = rng.uniform(0.6, 1.0, 400)
        right = rng.uniform(size=400) < 0.75
        p = np.where(right == (y == 1), conf, 1 - conf)
    elif code == "widespread_errors":
        p = np.clip(
            np.where(y == 1, rng.uniform(0, 0.7, 400), rng.uniform(0.3, 1, 400)), 0.01, 0.99
        )
    else:
        assert code == "confident_mistakes"
        p = np.where(y == 1, 0.95, 0.05)
        p[:12] = np.where(y[:12] == 1, 1e-4, 1 - 1e-4)
    return ["id", "y_true", "p_1"], [[f"s{i}", y[i], p[i]] for i in range(400)]


CURVE_CODES = [
    "overfitting", "loss_accuracy_disagreement", "underfitting", "unstable", "divergence",
    "not_converged", "learning_rate_too_high", "learning_rate_too_low", "plateau",
    "val_better_than_train", "gap_from_start",
]  # fmt: skip
PREDICTION_CODES = [
    "confident_mistakes", "widespread_errors", "class_imbalance", "miscalibration",
    "large_residuals", "worse_than_mean",
]  # fmt: skip


def test_every_code_has_a_case_here() -> None:
    codes = {key.split(".")[0] for key in MESSAGES}
    # persistent_mistakes needs a stored run's snapshots (tests/doctor/test_real_runs.py); the
    # comparison findings come from comparing runs, not from diagnose/explain (their own tests).
    elsewhere = {"persistent_mistakes", "comparison_on_test", "best_within_noise"}
    assert codes - elsewhere == set(CURVE_CODES) | set(PREDICTION_CODES)


@pytest.mark.parametrize("lang", ["en", "ru", "es", "it"])
@pytest.mark.parametrize("code", CURVE_CODES + PREDICTION_CODES)
def test_each_finding_comes_out_of_the_cli_with_its_evidence(
    tmp_path: Path, code: str, lang: str
) -> None:
    if code in CURVE_CODES:
        path = tmp_path / "history.json"
        path.write_text(json.dumps(_curves(code)))
    else:
        path = tmp_path / "predictions.csv"
        header, rows = _predictions(code)
        with path.open("w", newline="") as f:
            csv.writer(f).writerows([header, *rows])
    result = CliRunner().invoke(cli, ["doctor", str(path), "--json", "--lang", lang])
    assert result.exit_code == 0, result.output
    found = {f["code"]: f for f in json.loads(result.output)}
    assert code in found, list(found)
    f = found[code]
    assert f["title"] and f["explanation"] and f["advice"] and f["evidence"]
    assert "{" not in f["title"] + f["explanation"] + f["advice"]  # every placeholder filled
    for value in f["evidence"].values():  # plain JSON numbers, never NaN
        assert not (isinstance(value, float) and math.isnan(value))
    if code in ("confident_mistakes", "large_residuals"):
        ev = f["evidence"]
        assert len(ev["ids"]) == len(ev["indices"]) == ev["count"]  # every sample, not ten
