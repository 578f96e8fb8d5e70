"""Class names (text labels) wherever a user meets them: the doctor, prediction snapshots,
``fitscope doctor`` on runs and CSV files, the dashboard's predictions panel and the report.

Real data: iris with its target names, a real scikit-learn model and a real SQLite store.
"""

from __future__ import annotations

import csv
import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

import fitscope
from fitscope.cli import cli
from fitscope.views.report import report_data
from fitscope.web import create_app


@pytest.fixture(scope="module")
def iris() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Names with 12 flipped labels, the model's probabilities (columns: sorted names) and
    the same labels as integers 0..2 (the sorted names' indices)."""
    data = load_iris()
    names = np.asarray(data.target_names)[data.target]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = LogisticRegression(max_iter=200).fit(data.data, names)
    assert list(model.classes_) == sorted(set(names))
    noisy = names.copy()
    flip = np.random.default_rng(0).choice(names.size, 12, replace=False)
    noisy[flip] = np.roll(noisy[flip], 1)
    classes = np.asarray(model.classes_)
    as_int = np.searchsorted(classes, noisy)
    return noisy, model.predict_proba(data.data), as_int, classes


def _same(a: list[Any], b: list[Any]) -> None:
    assert [f.code for f in a] == [f.code for f in b]
    assert [f.title for f in a] == [f.title for f in b]


def test_explain_takes_names_as_it_takes_indices(iris) -> None:
    names, proba, as_int, classes = iris
    by_name = fitscope.explain(names, proba)
    by_index = fitscope.explain(as_int, proba)
    _same(by_name, by_index)
    assert "confident_mistakes" in [f.code for f in by_name]
    mistakes = next(f for f in by_name if f.code == "confident_mistakes")
    indexed = next(f for f in by_index if f.code == "confident_mistakes")
    # The evidence names predicted classes by label, in the same order as the indices.
    assert mistakes.evidence["predicted"] == [classes[i] for i in indexed.evidence["predicted"]]
    assert mistakes.evidence["indices"] == indexed.evidence["indices"]
    # Hard predicted names (lists of str, as users pass them) equal the integer path too.
    predicted = classes[proba.argmax(axis=1)]
    _same(
        fitscope.explain(list(names), list(predicted)),
        fitscope.explain(as_int, proba.argmax(axis=1)),
    )


def test_binary_names_and_imbalance_name_the_classes() -> None:
    y = np.where(np.arange(200) < 180, "ham", "spam")
    found = fitscope.explain(y, np.full(200, 0.05))  # the score of "spam", the greater name
    imbalance = next(f for f in found if f.code == "class_imbalance")
    assert imbalance.evidence["classes"] == ["ham", "spam"]
    assert imbalance.evidence["class_shares"] == [0.9, 0.1]
    as_int = fitscope.explain((y == "spam").astype(int), np.full(200, 0.05))
    _same(found, as_int)


def test_text_probabilities_and_mixed_labels_are_typed_errors(iris) -> None:
    names, proba, _, _ = iris
    with pytest.raises(fitscope.errors.InvalidInputError, match="y_pred must"):
        fitscope.explain(names, np.array([["a", "b", "c"]] * names.size))
    with pytest.raises(fitscope.errors.InvalidInputError, match="one type"):
        fitscope.explain(np.array(["cat", 1, "dog"], dtype=object), [0.1, 0.2, 0.3])
    with pytest.raises(fitscope.errors.InvalidInputError, match="y_true must hold 3"):
        fitscope.explain(np.array(["setosa"] * 50), proba[:50])  # one name, three columns


@pytest.fixture(scope="module")
def named_run(iris, tmp_path_factory) -> tuple[Path, str]:
    names, proba, _, _ = iris
    db = tmp_path_factory.mktemp("names") / "runs.db"
    ids = [f"flower{i}" for i in range(names.size)]
    with fitscope.init(project="names", name="iris-names", store=db) as run:
        for step in (1, 2, 3):
            run.log({"loss": 1.0 / step, "accuracy": 0.8 + step / 100}, split="train", step=step)
            run.log({"loss": 1.1 / step, "accuracy": 0.8 + step / 100}, split="val", step=step)
            run.log_predictions(names, proba, split="val", step=step, ids=ids)
    return db, run.id


def test_snapshots_keep_names_and_the_doctor_reads_them(named_run, iris) -> None:
    db, run_id = named_run
    names, proba, as_int, _ = iris
    store = fitscope.Store(db)
    try:
        record = store.get_run(run_id)
        snap = record.predictions("val")[-1]
        assert snap.y_true.dtype.kind == "U" and snap.y_true.tolist() == names.tolist()
        found = fitscope.diagnose(record)
    finally:
        store.close()
    codes = [f.code for f in found]
    assert "confident_mistakes" in codes and "persistent_mistakes" in codes
    direct = {f.code for f in fitscope.explain(as_int, proba)}
    assert direct <= set(codes)


def test_cli_doctor_on_a_run_with_names(named_run) -> None:
    db, _ = named_run
    result = CliRunner().invoke(cli, ["doctor", "iris-names", "--store", str(db), "--json"])
    assert result.exit_code == 0, result.output
    codes = [f["code"] for f in json.loads(result.output)]
    assert "confident_mistakes" in codes


def _write(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def _doctor_json(path: Path) -> list[dict[str, Any]]:
    result = CliRunner().invoke(cli, ["doctor", str(path), "--json"])
    assert result.exit_code == 0, result.output
    return list(json.loads(result.output))


def test_cli_doctor_on_a_csv_with_a_text_label_column(iris, tmp_path: Path) -> None:
    names, proba, as_int, classes = iris
    expected = [f.code for f in fitscope.explain(as_int, proba)]
    # Probability columns named by class, in an order that is not the sorted one.
    named = tmp_path / "named.csv"
    order = [2, 0, 1]
    _write(
        named,
        ["id", "y_true", *(classes[j] for j in order)],
        [[i, names[i], *(proba[i, j] for j in order)] for i in range(names.size)],
    )
    found = _doctor_json(named)
    assert [f["code"] for f in found] == expected
    mistakes = next(f for f in found if f["code"] == "confident_mistakes")
    assert set(mistakes["evidence"]["predicted"]) <= set(classes.tolist())
    # Predicted names in a y_pred column.
    hard = tmp_path / "hard.csv"
    predicted = classes[proba.argmax(axis=1)]
    _write(hard, ["y_true", "y_pred"], [[t, p] for t, p in zip(names, predicted, strict=True)])
    assert [f["code"] for f in _doctor_json(hard)] == [
        f.code for f in fitscope.explain(as_int, proba.argmax(axis=1))
    ]


def test_dashboard_panel_and_report_name_the_axes(named_run, iris) -> None:
    db, run_id = named_run
    _, proba, as_int, classes = iris
    store = fitscope.Store(db)
    try:
        panel = TestClient(create_app(store)).get(f"/api/runs/{run_id}/predictions").json()
        report = report_data(store.get_run(run_id))
    finally:
        store.close()
    assert panel["task"] == "classification"
    assert panel["confusion"]["labels"] == classes.tolist()
    expected = fitscope.metrics.confusion_matrix(as_int, proba.argmax(axis=1), labels=[0, 1, 2])
    assert panel["confusion"]["matrix"] == expected.tolist()
    assert [c["label"] for c in panel["histograms"]["classes"]] == classes.tolist()
    worst = panel["worst"][0]
    assert worst["y_true"] in classes.tolist() and worst["y_pred"] in classes.tolist()
    assert worst["y_true"] != worst["y_pred"]
    last = report["panels"][-1]
    assert last["confusion"]["labels"] == classes.tolist()
    assert last["confusion"]["matrix"] == expected.tolist()
