"""``fitscope doctor`` over the files it reads, a stored run, JSON output and errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from synth import overfit

import fitscope
from fitscope.cli import cli


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["doctor", *args])
    return result.exit_code, result.output


@pytest.fixture
def history() -> dict[str, list[float]]:
    return overfit(40, 15, seed=0)


def test_a_keras_history_json(tmp_path: Path, history) -> None:
    path = tmp_path / "history.json"
    path.write_text(json.dumps(history))
    code, out = run(str(path), "--json")
    assert code == 0
    found = json.loads(out)
    assert [f["code"] for f in found] == ["overfitting", "loss_accuracy_disagreement"]
    assert (
        found[0]["evidence"]["onset_epoch"] == fitscope.diagnose(history)[0].evidence["onset_epoch"]
    )
    # Some scripts save {"history": ..., "params": ...}: the same findings.
    path.write_text(json.dumps({"history": history, "params": {"epochs": 40}}))
    assert json.loads(run(str(path), "--json")[1]) == found


def test_a_csvlogger_file_counts_epochs_from_one(tmp_path: Path, history) -> None:
    path = tmp_path / "training.log.csv"
    keys = ["loss", "accuracy", "val_loss", "val_accuracy"]
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["epoch", *keys])
        for epoch in range(40):  # Keras' CSVLogger writes epoch 0 for "Epoch 1/40"
            w.writerow([epoch, *(history[k][epoch] for k in keys)])
    code, out = run(str(path), "--json", "--lang", "es")
    assert code == 0
    found = json.loads(out)
    expected = fitscope.diagnose(history, lang="es")
    assert [f["title"] for f in found] == [f.title for f in expected]
    assert found[0]["evidence"]["onset_epoch"] == expected[0].evidence["onset_epoch"]


def test_a_predictions_file_with_labels_and_probabilities(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 300)
    p = np.full((300, 3), 0.02)
    p[np.arange(300), y] = 0.96
    p[:30] = [0.005, 0.005, 0.99]
    p[:30][y[:30] == 2] = [0.99, 0.005, 0.005]
    path = tmp_path / "preds.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "y_true", "p_0", "p_1", "p_2"])
        for i in range(300):
            w.writerow([f"img{i}", y[i], *p[i]])
    code, out = run(str(path), "--json")
    assert code == 0
    (finding,) = json.loads(out)
    assert finding["code"] == "confident_mistakes"
    assert set(finding["evidence"]["ids"]) <= {f"img{i}" for i in range(30)}
    # Hard labels in a y_pred column: the majority baseline still applies.
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["y_true", "y_pred"])
        for i in range(200):
            w.writerow([int(i < 20), 0])
    assert [f["code"] for f in json.loads(run(str(path), "--json")[1])] == ["class_imbalance"]
    # One probability column (of class 1), whatever its name.
    path.write_text(
        "y_true,p_cat\n" + "".join(f"{i % 2},{0.9 if i % 2 else 0.1}\n" for i in range(50))
    )
    assert run(str(path), "--json") == (0, "[]\n")
    path.write_text("y_true,id\n1,a\n")
    code, out = run(str(path))
    assert code == 1 and "must have a y_pred column" in out


def test_a_stored_run_by_name_in_rich_text(tmp_path: Path, history) -> None:
    db = tmp_path / "runs.db"
    with fitscope.init(name="overfit-demo", store=db) as r:
        for epoch in range(40):
            # The loop logs its epoch: the doctor speaks in epochs (a run.log loop that logs
            # no epoch is judged in steps, issue 15).
            r.log({"loss": history["loss"][epoch], "epoch": epoch + 1}, step=epoch + 1)
            r.log(
                {"loss": history["val_loss"][epoch], "accuracy": history["val_accuracy"][epoch]},
                step=epoch + 1,
                split="val",
            )
    code, out = run("overfit-demo", "--store", str(db), "--lang", "ru")
    assert code == 0
    assert "Переобучение с эпохи" in out and "overfitting" in out and "Что попробовать" in out


def test_a_healthy_history_says_so(tmp_path: Path) -> None:
    path = tmp_path / "h.json"
    path.write_text(json.dumps({"loss": [0.7, 0.5, 0.45], "val_loss": [0.7, 0.55, 0.5]}))
    assert run(str(path), "--lang", "it") == (0, "Nessun problema trovato.\n")
    assert run(str(path), "--json") == (0, "[]\n")


def test_errors_exit_1_with_the_message(tmp_path: Path) -> None:
    code, out = run("missing.json")
    assert code == 1 and "looks like a path but is not a file" in out
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]")
    code, out = run(str(bad))
    assert code == 1 and "must hold a JSON object of per-epoch lists" in out
    fitscope.Store(tmp_path / "runs.db").close()  # an existing, empty store
    code, out = run("nope", "--store", str(tmp_path / "runs.db"))
    assert code == 1 and "matches no run" in out
    code, out = run(str(bad), "--lang", "de")
    assert code == 2 and "'de' is not one of" in out


def test_help() -> None:
    code, out = run("--help")
    assert code == 0 and "Keras History" in out and "--lang" in out and "--store" in out


@pytest.mark.parametrize("command", [["doctor", "some-run"], ["report", "some-run"]])
def test_reading_commands_never_create_a_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FITSCOPE_STORE", raising=False)
    result = CliRunner().invoke(cli, command)
    assert result.exit_code == 1
    assert "store must be an existing fitscope store" in result.output
    assert not (tmp_path / ".fitscope").exists()
