"""Uncertainty on every held-out number: runs show, the API, the report data, the doctor."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import fitscope
from fitscope.cli import cli
from fitscope.stats.held_out import held_out_intervals
from fitscope.views.report import report_data

sm_prop = pytest.importorskip("statsmodels.stats.proportion")
sklearn_metrics = pytest.importorskip("sklearn.metrics")


@pytest.fixture(scope="module")
def store_and_id(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    path = tmp_path_factory.mktemp("held") / "runs.db"
    rng = np.random.default_rng(2)
    y = rng.integers(0, 2, 800)
    with fitscope.init(name="held", store=path) as run:
        for e in range(3):
            run.log({"loss": 1.0 / (e + 1)}, step=e)
            run.log({"loss": 1.2 / (e + 1)}, step=e, split="val")
        for split, noise in (("val", 1.5), ("test", 1.5), ("train", 0.5)):
            p = 1 / (1 + np.exp(-(3 * (y - 0.5) + rng.normal(0, noise, 800))))
            run.log_predictions(y, p, split=split, step=2)
    return path, run.id


def test_every_held_out_metric_has_an_interval_and_n(store_and_id: tuple[Path, str]) -> None:
    path, run_id = store_and_id
    store = fitscope.Store(path)
    record = store.get_run(run_id)
    rows = held_out_intervals(record)
    assert {r["split"] for r in rows} == {"val", "test"}  # train is not held out
    val = {r["metric"]: r for r in rows if r["split"] == "val"}
    assert set(val) == {"accuracy", "log_loss", "f1", "roc_auc", "brier_score"}
    snap = record.predictions("val")[-1]
    k = int(((snap.y_pred >= 0.5).astype(int) == snap.y_true).sum())
    assert val["accuracy"]["n"] == 800 and val["accuracy"]["value"] == k / 800
    np.testing.assert_allclose(
        [val["accuracy"]["ci_low"], val["accuracy"]["ci_high"]],
        sm_prop.proportion_confint(k, 800, method="wilson"),
    )
    assert val["roc_auc"]["value"] == pytest.approx(
        sklearn_metrics.roc_auc_score(snap.y_true, snap.y_pred)
    )
    for r in rows:
        assert r["ci_low"] <= r["value"] <= r["ci_high"] and r["n"] == 800 and r["method"]
    assert report_data(record)["intervals"] == rows
    store.close()


def test_runs_show_prints_intervals_and_n(store_and_id: tuple[Path, str]) -> None:
    path, run_id = store_and_id
    result = CliRunner().invoke(cli, ["runs", "show", run_id, "--store", str(path)])
    assert result.exit_code == 0, result.output
    assert "95% intervals" in result.output and "Wilson score" in result.output
    assert "800" in result.output and "DeLong" in result.output


def test_runs_show_without_snapshots_says_n_is_unknown(tmp_path: Path) -> None:
    with fitscope.init(name="bare", store=tmp_path / "r.db") as run:
        run.log({"accuracy": 0.9}, step=0, split="val")
    result = CliRunner().invoke(cli, ["runs", "show", "bare", "--store", str(tmp_path / "r.db")])
    assert result.exit_code == 0 and "n is unknown" in result.output


def test_api_and_doctor_evidence_carry_n_and_interval(store_and_id: tuple[Path, str]) -> None:
    from fastapi.testclient import TestClient

    from fitscope.web import create_app

    path, run_id = store_and_id
    store = fitscope.Store(path)
    body = TestClient(create_app(store)).get(f"/api/runs/{run_id}/intervals").json()
    assert {r["metric"] for r in body["intervals"]} >= {"accuracy", "roc_auc"}
    store.close()


def test_doctor_evidence_carries_n_and_the_accuracy_interval(tmp_path: Path) -> None:
    # 90% of one class and a model that always says it: the class-imbalance finding.
    y = np.zeros(1000, dtype=np.int64)
    y[:100] = 1
    with fitscope.init(name="majority", store=tmp_path / "r.db") as run:
        for e in range(3):
            run.log({"loss": 0.4 - 0.01 * e}, step=e)
            run.log({"loss": 0.4 - 0.01 * e}, step=e, split="val")
        run.log_predictions(y, np.full(1000, 0.1), split="val", step=2)
    store = fitscope.Store(tmp_path / "r.db")
    findings = fitscope.diagnose(store.get_run(run.id))
    imbalance = next(f for f in findings if f.code == "class_imbalance")
    assert imbalance.evidence["n"] == 1000
    np.testing.assert_allclose(
        imbalance.evidence["accuracy_ci95"], sm_prop.proportion_confint(900, 1000, method="wilson")
    )
    store.close()


def test_runs_list_columns(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    for lr, opt in ((0.1, "sgd"), (0.01, "adam")):
        with fitscope.init(name=f"r{lr}", store=path, config={"lr": lr, "opt": {"name": opt}}):
            pass
    result = CliRunner().invoke(
        cli, ["runs", "list", "--columns", "lr,opt.name,nope", "--store", str(path)],
        env={"COLUMNS": "200"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    head = result.output.splitlines()[0]
    assert "lr" in head and "opt.name" in head and "nope" in head
    assert '"adam"' in result.output and "0.01" in result.output
    every = CliRunner().invoke(
        cli, ["runs", "list", "--columns", "config", "--store", str(path)], env={"COLUMNS": "200"}
    )
    assert "opt.name" in every.output.splitlines()[0]
