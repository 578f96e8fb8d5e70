"""``fitscope eval`` and evaluate_file with class names in the label column and metric options
from the command line (--average, --beta, --labels, --pos-label, names as fitscope prints them)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from fitscope.cli import cli
from fitscope.cli.eval import split_metrics
from fitscope.scale import evaluate_file

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
skm = pytest.importorskip("sklearn.metrics")

NAMES = np.array(["cat", "dog", "emu"])


def _data(n: int = 600, seed: int = 3) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    z = rng.normal(size=(n, 3))
    z[np.arange(n), y] += 1.5
    prob = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    yb = (rng.random(n) < 0.4).astype(int)
    pb = np.clip(0.3 + 0.4 * yb + rng.normal(size=n) * 0.2, 0, 1)
    return {
        "y": NAMES[y],
        "p0": prob[:, 0],
        "p1": prob[:, 1],
        "p2": prob[:, 2],
        "yb": np.array(["ham", "spam"])[yb],
        "pb": pb,
    }


@pytest.fixture(params=["csv", "parquet"])
def path(request, tmp_path: Path) -> Path:
    table = pa.table(_data())
    if request.param == "parquet":
        out = tmp_path / "preds.parquet"
        pq.write_table(table, out, row_group_size=100)
    else:
        out = tmp_path / "preds.csv"
        pa.csv.write_csv(table, out)
    return out


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["eval", *args])
    return result.exit_code, result.stdout + result.stderr


def test_text_labels_with_several_probability_columns(path: Path) -> None:
    d = _data()
    code, out = run(
        str(path), "--label", "y", "--pred", "p0", "p1", "p2", "--chunk-rows", "128",
        "--metrics", "accuracy,log_loss,f1,roc_auc", "--average", "macro", "--json",
    )  # fmt: skip
    assert code == 0, out
    got = json.loads(out)["metrics"]
    p = np.column_stack([d["p0"], d["p1"], d["p2"]])
    pred = NAMES[p.argmax(axis=1)]
    assert got["accuracy"] == pytest.approx(skm.accuracy_score(d["y"], pred), rel=1e-12)
    assert got["log_loss"] == pytest.approx(skm.log_loss(d["y"], p), rel=1e-9)
    assert got["f1(average=macro)"] == pytest.approx(
        skm.f1_score(d["y"], pred, average="macro"), rel=1e-12
    )
    assert got["roc_auc"] == pytest.approx(skm.roc_auc_score(d["y"], p, multi_class="ovr"))


def test_binary_text_labels_with_pos_label_and_beta(path: Path) -> None:
    d = _data()
    code, out = run(
        str(path), "--label", "yb", "--pred", "pb", "--pos-label", "spam", "--beta", "2",
        "--metrics", "f1,fbeta,pr_auc,precision(average=None)", "--json",
    )  # fmt: skip
    assert code == 0, out
    got = json.loads(out)["metrics"]
    pred = np.where(d["pb"] >= 0.5, "spam", "ham")
    assert got["f1"] == pytest.approx(skm.f1_score(d["yb"], pred, pos_label="spam"))
    assert got["fbeta(beta=2)"] == pytest.approx(
        skm.fbeta_score(d["yb"], pred, beta=2, pos_label="spam")
    )
    assert got["pr_auc"] == pytest.approx(
        skm.average_precision_score(d["yb"], d["pb"], pos_label="spam")
    )
    np.testing.assert_allclose(
        got["precision(average=None)"], skm.precision_score(d["yb"], pred, average=None)
    )


def test_labels_option_names_the_columns(path: Path) -> None:
    d = _data()
    # Columns p2, p0, p1 named emu, cat, dog: the same model, the same numbers.
    res = evaluate_file(
        path, label="y", pred=["p2", "p0", "p1"], labels=["emu", "cat", "dog"],
        metrics=["log_loss"],
    )  # fmt: skip
    p = np.column_stack([d["p0"], d["p1"], d["p2"]])
    assert res.metrics["log_loss"] == pytest.approx(skm.log_loss(d["y"], p), rel=1e-9)
    code, out = run(
        str(path), "--label", "y", "--pred", "p0", "p1", "p2", "--labels", "cat,dog",
        "--metrics", "log_loss",
    )  # fmt: skip
    assert code == 1
    assert "labels must name one class per column of y_pred (3)" in out


def test_metric_names_with_options_split_on_top_level_commas() -> None:
    assert split_metrics("f1(average=macro),fbeta(average=macro, beta=2), accuracy") == [
        "f1(average=macro)",
        "fbeta(average=macro, beta=2)",
        "accuracy",
    ]
