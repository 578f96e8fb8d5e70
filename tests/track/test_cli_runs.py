"""``fitscope runs`` against real stores (SQLite file, PostgreSQL): list, show, rm, tag,
export, and the errors for a missing store or run."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import fitscope
from fitscope.cli import cli


def invoke(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(cli, ["runs", *args], input=stdin, catch_exceptions=False)


@pytest.fixture
def two_runs(store_url: str) -> tuple[str, str]:
    store = fitscope.Store(store_url)
    with fitscope.init(
        project="mnist", name="baseline", config={"lr": 0.1}, tags=["cpu"], store=store
    ) as a:
        for epoch in range(4):
            a.log({"loss": 1.0 / (epoch + 1), "accuracy": 0.6 + 0.1 * epoch})
            a.log({"loss": 1.5 / (epoch + 1), "accuracy": 0.55 + 0.1 * epoch}, split="val")
        a.log({"loss": math.inf}, split="val")
    b = fitscope.init(project="cifar", name="wide", store=store)
    b.log({"loss": 2.0})
    b.finish("failed")
    store.close()
    return a.id, b.id


def test_list_and_filters(store_url: str, two_runs: tuple[str, str]) -> None:
    a, _ = two_runs
    out = invoke("list", "--store", store_url)
    assert out.exit_code == 0, out.output
    assert "baseline" in out.output and "wide" in out.output
    assert a[:8] in out.output and "finished" in out.output and "failed" in out.output
    only = invoke("list", "--store", store_url, "--project", "cifar")
    assert "wide" in only.output and "baseline" not in only.output
    tagged = invoke("list", "--store", store_url, "--tag", "cpu")
    assert "baseline" in tagged.output and "wide" not in tagged.output
    failed = invoke("list", "--store", store_url, "--status", "failed")
    assert "wide" in failed.output and "baseline" not in failed.output
    none = invoke("list", "--store", store_url, "--project", "nothing")
    assert "No runs" in none.output
    by_config = invoke("list", "--store", store_url, "--config", "lr=0.1")
    assert "baseline" in by_config.output and "wide" not in by_config.output
    other = invoke("list", "--store", store_url, "--config", "lr=0.2")
    assert "No runs" in other.output
    bad = CliRunner().invoke(cli, ["runs", "list", "--store", store_url, "--config", "lr"])
    assert bad.exit_code == 1 and "--config must be KEY=VALUE. Got 'lr' instead." in bad.output


def test_show_prints_final_and_best_per_split(store_url: str, two_runs: tuple[str, str]) -> None:
    out = invoke("show", "baseline", "--store", store_url)
    assert out.exit_code == 0, out.output
    text = out.output
    for needle in ("mnist", "finished", "cpu", "lr", "0.1", "duration"):
        assert needle in text
    rows = {
        tuple(line.split()[:2]): line.split()[2:]
        for line in text.splitlines()
        if line.split()[:1] in (["train"], ["val"])
    }
    # final, at step, best, at step, points
    assert rows[("train", "loss")] == ["0.25", "3", "0.25", "3", "4"]
    assert rows[("train", "accuracy")] == ["0.9", "3", "0.9", "3", "4"]
    assert rows[("val", "loss")] == ["inf", "4", "0.375", "3", "5"]
    assert rows[("val", "accuracy")] == ["0.85", "3", "0.85", "3", "4"]


def test_tag_then_filter(store_url: str, two_runs: tuple[str, str]) -> None:
    _, b = two_runs
    out = invoke("tag", b[:10], "retry", "gpu", "--store", store_url)
    assert out.exit_code == 0 and "gpu, retry" in out.output
    assert fitscope.Store(store_url).get_run(b).tags == ["gpu", "retry"]


def test_rm_asks_unless_yes(store_url: str, two_runs: tuple[str, str]) -> None:
    a, _ = two_runs
    refused = invoke("rm", "wide", "--store", store_url, stdin="n\n")
    assert refused.exit_code == 1 and "Delete run 'wide'" in refused.output
    assert len(fitscope.Store(store_url).runs()) == 2
    confirmed = invoke("rm", "wide", "--store", store_url, stdin="y\n")
    assert confirmed.exit_code == 0
    assert [r.id for r in fitscope.Store(store_url).runs()] == [a]
    forced = invoke("rm", a, "--yes", "--store", store_url)
    assert forced.exit_code == 0 and fitscope.Store(store_url).runs() == []


def test_export_csv_and_json(store_url: str, two_runs: tuple[str, str], tmp_path: Path) -> None:
    a, _ = two_runs
    out = invoke("export", "baseline", "--store", store_url)
    assert out.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.output)))
    assert len(rows) == 4 + 4 + 4 + 5
    assert list(rows[0]) == ["split", "metric", "step", "value", "time"]
    val_loss = [r for r in rows if (r["split"], r["metric"]) == ("val", "loss")]
    assert [float(r["value"]) for r in val_loss] == [1.5, 0.75, 0.5, 0.375, math.inf]
    assert [int(r["step"]) for r in val_loss] == [0, 1, 2, 3, 4]

    target = tmp_path / "run.json"
    written = invoke("export", a, "--format", "json", "-o", str(target), "--store", store_url)
    assert written.exit_code == 0 and "Wrote 17 points" in written.output
    document = json.loads(target.read_text())  # strict JSON: inf is a string
    assert document["config"] == {"lr": 0.1} and document["status"] == "finished"
    values = [
        p["value"] for p in document["points"] if p["metric"] == "loss" and p["split"] == "val"
    ]
    assert values == [1.5, 0.75, 0.5, 0.375, "Infinity"]
    assert float(values[-1]) == math.inf


def test_errors_exit_1_with_the_message(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.db"
    for args in (["list"], ["show", "x"], ["rm", "x", "--yes"], ["tag", "x", "t"], ["export", "x"]):
        out = CliRunner().invoke(cli, ["runs", *args, "--store", str(missing)])
        assert out.exit_code == 1, (args, out.output)
        assert "store must be an existing fitscope store" in out.output
    assert not missing.exists()  # reading never creates a store
    store_path = tmp_path / "runs.db"
    fitscope.Store(store_path).close()
    out = CliRunner().invoke(cli, ["runs", "show", "nope", "--store", str(store_path)])
    assert out.exit_code == 1 and "Got 'nope', which matches no run" in out.output


def test_store_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "env.db"
    fitscope.init(name="from-env", store=path).finish()
    monkeypatch.setenv("FITSCOPE_STORE", str(path))
    out = CliRunner().invoke(cli, ["runs", "list"])
    assert out.exit_code == 0 and "from-env" in out.output
