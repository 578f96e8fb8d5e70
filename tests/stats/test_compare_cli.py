"""`fitscope compare --json` on runs whose difference is clearly real, clearly noise, and
borderline; the numbers checked against statsmodels / scikit-learn."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

import fitscope
from fitscope.cli import cli

sm_tables = pytest.importorskip("statsmodels.stats.contingency_tables")
KEYS = {"metric", "a", "b", "difference", "ci_low", "ci_high", "p_value", "test", "significant"}


def _probabilities(y: np.ndarray, noise: float, rng: np.random.Generator) -> np.ndarray:
    out: np.ndarray = 1 / (1 + np.exp(-(3 * (y - 0.5) + rng.normal(0, noise, y.size))))
    return out


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("compare") / "runs.db"
    store = fitscope.Store(path)
    rng = np.random.default_rng(0)
    n = 2000
    y = rng.integers(0, 2, n)
    ids = [f"s{i}" for i in range(n)]
    for name, noise in (("base", 2.0), ("strong", 0.8), ("twin", 2.0)):
        with fitscope.init(name=name, store=store, config={"noise": noise}) as run:
            run.log_predictions(y, _probabilities(y, noise, rng), split="val", ids=ids)
    # Borderline: hard labels, A right on 90.0%, B on 91.0%; 40 samples only A gets right,
    # 60 only B: McNemar's continuity-corrected chi-square gives p = 0.057.
    a_right = np.ones(n, bool)
    a_right[:200] = False
    b_right = a_right.copy()
    b_right[200:240] = False  # A only
    b_right[:60] = True  # B only
    for name, right in (("border_a", a_right), ("border_b", b_right)):
        with fitscope.init(name=name, store=store) as run:
            run.log_predictions(y, np.where(right, y, 1 - y), split="val")
    # Different samples: an unpaired comparison.
    y2 = rng.integers(0, 2, 1500)
    with fitscope.init(name="other_samples", store=store) as run:
        run.log_predictions(y2, _probabilities(y2, 0.8, rng), split="val")
    store.close()
    return path


def _json(store_path: Path, *args: str) -> Any:
    result = CliRunner().invoke(cli, ["compare", *args, "--json", "--store", str(store_path)])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _row(pair: dict[str, Any], metric: str) -> dict[str, Any]:
    row: dict[str, Any] = next(r for r in pair["metrics"] if r["metric"] == metric)
    return row


def test_a_clearly_real_difference(store_path: Path) -> None:
    pair = _json(store_path, "base", "strong")
    assert {"split", "paired", "n", "metrics"} <= set(pair)
    assert pair["split"] == "val" and pair["paired"] is True and pair["n"] == 2000
    assert [r["metric"] for r in pair["metrics"]] == [
        "accuracy", "log_loss", "f1", "roc_auc", "brier_score"
    ]  # fmt: skip
    for r in pair["metrics"]:
        assert set(r) >= KEYS
        assert r["significant"] is True and r["verdict"] == "b_better", r
        assert r["ci_low"] <= r["difference"] <= r["ci_high"]
        assert r["difference"] == pytest.approx(r["b"] - r["a"])
    assert _row(pair, "accuracy")["test"] == "McNemar chi-square (continuity-corrected)"
    assert _row(pair, "roc_auc")["test"] == "DeLong (paired)"
    assert _row(pair, "log_loss")["test"] == "paired bootstrap"


def test_clearly_noise(store_path: Path) -> None:
    pair = _json(store_path, "base", "twin", "--metric", "accuracy", "--metric", "log_loss")
    assert [r["metric"] for r in pair["metrics"]] == ["accuracy", "log_loss"]
    for r in pair["metrics"]:
        assert r["significant"] is False and r["verdict"] == "within_noise"
        assert r["ci_low"] < 0 < r["ci_high"] and r["p_value"] > 0.05


def test_borderline_is_called_noise_with_statsmodels_p_value(store_path: Path) -> None:
    pair = _json(store_path, "border_a", "border_b")
    acc = _row(pair, "accuracy")
    assert (acc["a"], acc["b"]) == pytest.approx((0.90, 0.91))
    assert acc["discordant"] == {"a_only": 40, "b_only": 60}
    ref = sm_tables.mcnemar([[1760, 40], [60, 140]], exact=False, correction=True)
    assert acc["p_value"] == pytest.approx(ref.pvalue, rel=1e-10)
    assert 0.05 < acc["p_value"] < 0.06
    assert acc["significant"] is False and acc["verdict"] == "within_noise"
    # Hard labels: the probability metrics are skipped with the reason, not invented.
    assert "probabilities" in _row(pair, "log_loss")["skipped"]


def test_several_runs_against_the_first_with_holm(store_path: Path) -> None:
    pairs = _json(store_path, "base", "strong", "twin", "--metric", "accuracy")
    assert [p["b_run"]["name"] for p in pairs] == ["strong", "twin"]
    assert all(p["correction"] == "Holm" for p in pairs)
    raw = sorted(_row(p, "accuracy")["p_value_unadjusted"] for p in pairs)
    adjusted = sorted(_row(p, "accuracy")["p_value"] for p in pairs)
    assert adjusted[0] == pytest.approx(min(1.0, 2 * raw[0]))


def test_unpaired_when_the_samples_differ(store_path: Path) -> None:
    pair = _json(store_path, "base", "other_samples", "--metric", "accuracy", "--metric", "roc_auc")
    assert pair["paired"] is False and pair["n"] == [2000, 1500]
    assert pair["pairing"].startswith("unpaired")
    assert _row(pair, "accuracy")["test"] == "two-proportion z-test (unpaired)"
    assert _row(pair, "roc_auc")["test"] == "DeLong (unpaired)"


def test_text_output_has_verdicts_in_russian(store_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["compare", "base", "strong", "--lang", "ru", "--store", str(store_path)]
    )
    assert result.exit_code == 0, result.output
    assert "B лучше" in result.output and "McNemar" in result.output
    assert "paired, n = 2000" in result.output


def test_errors_are_worded(store_path: Path) -> None:
    result = CliRunner().invoke(cli, ["compare", "base", "--store", str(store_path)])
    assert result.exit_code == 1
    assert "runs must name at least two runs. Got 1 instead." in result.output
    result = CliRunner().invoke(
        cli, ["compare", "base", "strong", "--split", "test", "--store", str(store_path)]
    )
    assert result.exit_code == 1 and "must have a prediction snapshot on split 'test'" in (
        result.output
    )
