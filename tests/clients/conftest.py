"""What every real-client test checks after recording a run: the doctor, the report, the
plot and every dashboard endpoint work on it (a real SQLite store, the real CLI and app)."""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import pathlib
from typing import Any

import pytest
from click.testing import CliRunner

import fitscope
from fitscope.cli import cli


@pytest.fixture
def db(tmp_path: pathlib.Path) -> pathlib.Path:
    return tmp_path / "runs.db"


def every_view_works(db: pathlib.Path, run_id: str, tmp_path: pathlib.Path) -> list[Any]:
    """Run doctor (JSON), report, plot and every dashboard endpoint on the run; return the
    doctor's findings as dicts."""
    import json

    from fastapi.testclient import TestClient

    from fitscope.web.app import create_app

    runner = CliRunner()
    doctor = runner.invoke(cli, ["doctor", run_id, "--store", str(db), "--json"])
    assert doctor.exit_code == 0, doctor.output
    for lang in ("ru", "es", "it"):
        assert (
            runner.invoke(cli, ["doctor", run_id, "--store", str(db), "--lang", lang]).exit_code
            == 0
        )
    report = runner.invoke(
        cli, ["report", run_id, "--store", str(db), "-o", str(tmp_path / "r.html")]
    )
    assert report.exit_code == 0, report.output
    assert (tmp_path / "r.html").stat().st_size > 0
    plot = runner.invoke(cli, ["plot", run_id, "--store", str(db), "--png", str(tmp_path / "png")])
    assert plot.exit_code == 0, plot.output
    store = fitscope.Store(db)
    client = TestClient(create_app(store))
    assert client.get("/api/runs").status_code == 200
    detail = client.get(f"/api/runs/{run_id}")
    assert detail.status_code == 200, detail.text
    for x in ("step", "epoch", "time"):
        assert client.get(f"/api/runs/{run_id}/charts", params={"x": x}).status_code == 200
    record = store.get_run(run_id)
    for split, metric in record.series():
        answer = client.get(f"/api/runs/{run_id}/series", params={"metric": metric, "split": split})
        assert answer.status_code == 200, answer.text
    for snap in record.predictions():
        answer = client.get(f"/api/runs/{run_id}/predictions", params={"split": snap.split})
        assert answer.status_code == 200, answer.text
    findings = client.get(f"/api/runs/{run_id}/findings")
    assert findings.status_code == 200, findings.text
    found = list(json.loads(doctor.output))
    # What was stored and what the doctor said, for the record (shown with pytest -s).
    print(f"\n[{record.name}] stored:", sorted(record.series()))
    print(f"[{record.name}] doctor:", [(f["code"], f["evidence"].get("split")) for f in found])
    store.close()
    return found
