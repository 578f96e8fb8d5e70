"""``fitscope eval`` on real CSV files: metric names as fitscope prints them, given back in
--metrics, are the same metrics with the same options as in the Python API."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import fitscope
from fitscope.cli import cli

CLASSES = np.array(["cat", "dog", "emu"])


def _write_csv(path: Path, columns: dict[str, np.ndarray]) -> Path:
    names = list(columns)
    rows = zip(*(columns[c] for c in names), strict=True)
    path.write_text(
        ",".join(names) + "\n" + "".join(",".join(map(str, r)) + "\n" for r in rows),
        encoding="utf-8",
    )
    return path


def _multiclass(n: int = 200, seed: int = 1) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    prob = rng.dirichlet(np.ones(3), size=n)
    return {
        "y": CLASSES[rng.integers(0, 3, n)],
        "p_cat": prob[:, 0],
        "p_dog": prob[:, 1],
        "p_emu": prob[:, 2],
    }


def _multioutput(n: int = 150, seed: int = 2) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = rng.normal(size=(n, 2))
    q = t + rng.normal(size=(n, 2)) * np.array([0.3, 0.9])
    return {"t0": t[:, 0], "t1": t[:, 1], "q0": q[:, 0], "q1": q[:, 1]}


def _eval_json(*args: str) -> dict:
    result = CliRunner().invoke(cli, ["eval", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    "written", ["confusion_matrix(normalize=true)", 'confusion_matrix(normalize="true")']
)
def test_confusion_matrix_normalize_true_from_the_cli(tmp_path: Path, written: str) -> None:
    d = _multiclass()
    path = _write_csv(tmp_path / "mc.csv", d)
    got = _eval_json(str(path), "--label", "y", "--pred", "p_cat", "p_dog", "p_emu",
                     "--metrics", written)  # fmt: skip
    key = fitscope.metric("confusion_matrix", normalize="true").key
    prob = np.column_stack([d["p_cat"], d["p_dog"], d["p_emu"]])
    want = fitscope.evaluate(d["y"], prob, metrics=[key])[key]
    np.testing.assert_allclose(got["metrics"][key], want)
    np.testing.assert_allclose(np.sum(got["metrics"][key], axis=1), 1.0)


@pytest.mark.parametrize(
    "written",
    ["mse(multioutput=(0.2, 0.8))", "mse(multioutput=[0.2, 0.8])", "mse(multioutput=(0.2,0.8))"],
)
def test_multioutput_weights_from_the_cli(tmp_path: Path, written: str) -> None:
    d = _multioutput()
    path = _write_csv(tmp_path / "mo.csv", d)
    got = _eval_json(str(path), "--label", "t0", "t1", "--pred", "q0", "q1",
                     "--metrics", f"{written},mae")  # fmt: skip
    key = fitscope.metric("mse", multioutput=(0.2, 0.8)).key
    assert list(got["metrics"]) == [key, "mae"]
    t, q = np.column_stack([d["t0"], d["t1"]]), np.column_stack([d["q0"], d["q1"]])
    per = ((t - q) ** 2).mean(axis=0)
    assert got["metrics"][key] == pytest.approx(0.2 * per[0] + 0.8 * per[1])


def test_every_printed_classification_key_runs_in_the_cli(tmp_path: Path) -> None:
    # The keys fitscope prints for multiclass-valid options, all in one --metrics.
    specs = [
        fitscope.metric("precision", average=None, zero_division=float("nan")),
        fitscope.metric("fbeta", average="macro", beta=0.5),
        fitscope.metric("recall", average="weighted", zero_division=1),
        fitscope.metric("accuracy", normalize=False),
        fitscope.metric("balanced_accuracy", adjusted=True),
        fitscope.metric("roc_auc", multi_class="ovo", average="weighted"),
        fitscope.metric("log_loss", reduction="sum"),
        fitscope.metric("top_k_accuracy", k=1),
        fitscope.metric("expected_calibration_error", n_bins=5),
        fitscope.metric("confusion_matrix", normalize="pred"),
    ]
    d = _multiclass()
    path = _write_csv(tmp_path / "mc.csv", d)
    got = _eval_json(str(path), "--label", "y", "--pred", "p_cat", "p_dog", "p_emu",
                     "--metrics", ",".join(s.key for s in specs))  # fmt: skip
    prob = np.column_stack([d["p_cat"], d["p_dog"], d["p_emu"]])
    want = fitscope.evaluate(d["y"], prob, metrics=specs)
    assert list(got["metrics"]) == list(want)
    for key, value in want.items():
        np.testing.assert_allclose(
            np.asarray(got["metrics"][key], dtype=float), value, rtol=1e-12, err_msg=key
        )
