"""The dashboard's JSON API through FastAPI's TestClient, over a real SQLite store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

import fitscope
from fitscope.web import create_app

from .conftest import XSS_NAME


@pytest.fixture(scope="module")
def client(filled_store: tuple[Path, dict[str, str]]) -> Any:
    store = fitscope.Store(filled_store[0])
    yield TestClient(create_app(store))
    store.close()


@pytest.fixture(scope="module")
def ids(filled_store: tuple[Path, dict[str, str]]) -> dict[str, str]:
    return filled_store[1]


def test_runs_list_has_headline_numbers(client: Any, ids: dict[str, str]) -> None:
    runs = {r["name"]: r for r in client.get("/api/runs").json()["runs"]}
    assert set(runs) == {"overfit", "logreg", XSS_NAME}
    row = runs["overfit"]
    assert row["project"] == "demo" and row["status"] == "finished" and row["tags"] == ["mlp"]
    assert row["duration"] >= 0 and row["start_time"] > 0
    assert row["final_test_accuracy"] == pytest.approx(0.88)
    val_loss = [0.7 * np.exp(-e / 6) + 0.12 + 0.01 * max(0, e - 12) ** 1.5 for e in range(25)]
    assert row["best_val_loss"] == pytest.approx(min(val_loss))
    assert row["best_val_accuracy"] == pytest.approx(1 - min(val_loss) / 1.4)
    # The built-in trainer logs "validation": it counts as the validation split too.
    assert runs["logreg"]["best_val_loss"] is not None
    assert runs["logreg"]["final_test_accuracy"] is None


def test_runs_filters(client: Any) -> None:
    assert [r["name"] for r in client.get("/api/runs?project=demo").json()["runs"]] == ["overfit"]
    assert [r["name"] for r in client.get("/api/runs?tag=builtin").json()["runs"]] == ["logreg"]
    assert client.get("/api/runs?status=running").json()["runs"] == []


def test_run_detail_and_charts(client: Any, ids: dict[str, str]) -> None:
    detail = client.get(f"/api/runs/{ids['overfit']}").json()
    assert detail["config"] == {"lr": 0.1, "layers": [64, 32]}
    assert detail["metrics"] == ["loss", "accuracy"]
    assert [s["step"] for s in detail["snapshots"]] == [4, 12, 24]
    # Baselines from the snapshot labels: majority-class accuracy and the prior's log loss.
    assert detail["baselines"]["accuracy"] == pytest.approx(1 - 57 / 200, abs=0.1)
    charts = client.get(f"/api/runs/{ids['overfit']}/charts").json()
    assert [c["metric"] for c in charts["charts"]] == ["loss", "accuracy"]
    loss = charts["charts"][0]
    assert [s["split"] for s in loss["series"]] == ["train", "val", "test"]
    val = loss["series"][1]
    assert val["best"]["step"] == int(np.argmin(val["y"]))
    assert loss["baseline"] == detail["baselines"]["loss"]
    assert a_prefix_works(client, ids["overfit"])


def a_prefix_works(client: Any, run_id: str) -> bool:
    return bool(client.get(f"/api/runs/{run_id[:8]}").json()["id"] == run_id)


def test_x_axes(client: Any, ids: dict[str, str]) -> None:
    base = f"/api/runs/{ids['overfit']}/series?metric=loss&split=val"
    steps = client.get(base + "&x=step").json()
    epochs = client.get(base + "&x=epoch").json()
    times = client.get(base + "&x=time").json()
    assert steps["x"] == list(range(25))
    assert epochs["x"] == list(range(25))  # the logged "epoch" series maps steps to epochs
    assert all(t >= 0 for t in times["x"]) and times["x"] == sorted(times["x"])
    bad = client.get(base + "&x=minutes")
    assert bad.status_code == 422 and bad.json()["error"]["type"] == "InvalidInputError"


def test_series_downsampled_server_side_keeps_spike_and_nan(tmp_path: Path) -> None:
    store = fitscope.Store(tmp_path / "big.db")
    n = 50_000
    y = np.sin(np.linspace(0, 30, n))
    y[31_337] = 40.0
    y[777] = np.nan
    with fitscope.init(name="big", store=store) as run:
        for i, v in enumerate(y):
            run.log({"loss": v}, step=i)
    client = TestClient(create_app(store))
    out = client.get(f"/api/runs/{run.id}/series?metric=loss&max_points=500").json()
    assert out["n_total"] == n and out["n_shown"] <= 501
    assert 40.0 in out["y"] and out["x"][out["y"].index(40.0)] == 31_337
    assert out["nonfinite"] == [{"x": 777.0, "step": 777, "value": "nan"}]
    assert out["y"][out["steps"].index(777)] is None
    assert client.get(f"/api/runs/{run.id}/series?metric=loss&max_points=3").status_code == 422
    missing = client.get(f"/api/runs/{run.id}/series?metric=accuracy")
    assert missing.status_code == 422
    assert "This run has: train/loss" in missing.json()["error"]["message"]
    store.close()


def test_predictions_panel(client: Any, ids: dict[str, str]) -> None:
    base = f"/api/runs/{ids['overfit']}/predictions"
    latest = client.get(base).json()
    assert latest["step"] == 24 and latest["task"] == "classification"
    early = client.get(base + "?split=val&step=4&top=5").json()
    assert early["step"] == 4 and len(early["worst"]) == 5
    losses = [w["loss"] for w in early["worst"]]
    assert losses == sorted(losses, reverse=True)
    assert early["worst"][0]["share"] == pytest.approx(losses[0] / early["total_loss"])
    assert early["worst"][0]["id"].startswith("s")
    assert np.sum(early["confusion"]["matrix"]) == 200
    assert sum(c for cls in early["histograms"]["classes"] for c in cls["counts"]) == 200
    assert sum(early["reliability"]["weight"]) == 200
    assert client.get(base + "?step=5").status_code == 422
    assert client.get(f"/api/runs/{ids['logreg']}/predictions").status_code == 422


def test_compare_and_findings(client: Any, ids: dict[str, str]) -> None:
    out = client.get(f"/api/compare?ids={ids['overfit']},{ids['xss']}&metric=loss&split=val")
    names = [s["run_name"] for s in out.json()["series"]]
    assert names == ["overfit", XSS_NAME]
    assert client.get("/api/compare?ids=,").status_code == 422
    found = client.get(f"/api/runs/{ids['overfit']}/findings").json()["findings"]
    by_code = {f["code"]: f for f in found}
    assert by_code["overfitting"]["severity"] == "warning"
    assert by_code["overfitting"]["title"] and by_code["overfitting"]["advice"]
    assert set(by_code["overfitting"]) == {
        "code", "severity", "title", "explanation", "evidence", "advice", "evidence_shown"
    }  # fmt: skip
    # evidence_shown: the same keys as evidence, as text for the panel.
    shown = by_code["overfitting"]["evidence_shown"]
    assert [k for k, _ in shown] == list(by_code["overfitting"]["evidence"])
    ru = client.get(f"/api/runs/{ids['overfit']}/findings?lang=ru").json()["findings"]
    assert [f["code"] for f in ru] == [f["code"] for f in found]
    assert ru[0]["title"] != found[0]["title"]
    assert client.get(f"/api/runs/{ids['overfit']}/findings?lang=xx").status_code == 422


def test_errors_keep_the_library_message(client: Any) -> None:
    resp = client.get("/api/runs/no-such-run")
    assert resp.status_code == 404
    err = resp.json()["error"]
    assert err["type"] == "RunNotFoundError" and "no-such-run" in err["message"]


@pytest.mark.parametrize(
    "path",
    [
        "/static/../app.py",
        "/static/..%2fapp.py",
        "/static/%2e%2e/%2e%2e/track/store.py",
        "/static/..%5c..%5capp.py",
        "/static//etc/passwd",
        "/static/%2Fetc%2Fpasswd",
        "/static/index.html%00.js",
        "/static/__init__.py",
        "/../../../etc/passwd",
    ],
)
def test_no_file_outside_the_static_folder(client: Any, path: str) -> None:
    resp = client.get(path)
    assert resp.status_code == 404
    assert "import" not in resp.text and "root:" not in resp.text


def test_static_page_and_offline_plotly(client: Any) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "static/app.js" in page.text
    js = client.get("/static/plotly.min.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert len(js.content) > 1_000_000
    assert client.get("/static/charts.js").status_code == 200
    spec = client.get("/openapi.json").json()
    assert {"/api/runs", "/api/runs/{run_id}/series", "/api/compare"} <= set(spec["paths"])


def test_token_guards_every_api_request(filled_store: tuple[Path, dict[str, str]]) -> None:
    store = fitscope.Store(filled_store[0])
    client = TestClient(create_app(store, token="s3cret"))
    denied = client.get("/api/runs")
    assert denied.status_code == 401
    assert denied.json()["error"]["message"].startswith("token must be sent as the X-Fitscope")
    assert client.get("/api/runs", headers={"X-Fitscope-Token": "wrong"}).status_code == 401
    assert client.get("/api/runs", headers={"X-Fitscope-Token": "s3cret"}).status_code == 200
    assert client.get("/api/runs?token=s3cret").status_code == 200
    run_id = filled_store[1]["overfit"]
    assert client.get(f"/api/runs/{run_id}/charts").status_code == 401
    assert client.get("/").status_code == 200  # the page holds no data
    assert client.delete(f"/api/runs/{run_id}").status_code == 401
    assert store.get_run(run_id).id == run_id
    store.close()


def test_delete_run(tmp_path: Path) -> None:
    store = fitscope.Store(tmp_path / "d.db")
    with fitscope.init(name="gone", store=store) as run:
        run.log({"loss": 1.0})
    client = TestClient(create_app(store, token="t"))
    assert client.delete(f"/api/runs/{run.id}?token=t").status_code == 204
    assert client.get("/api/runs?token=t").json()["runs"] == []
    assert client.delete(f"/api/runs/{run.id}?token=t").status_code == 404
    store.close()


def test_two_apps_do_not_share_state(tmp_path: Path) -> None:
    a, b = fitscope.Store(tmp_path / "a.db"), fitscope.Store(tmp_path / "b.db")
    with fitscope.init(name="only-in-a", store=a) as run:
        run.log({"loss": 1.0})
    assert len(TestClient(create_app(a)).get("/api/runs").json()["runs"]) == 1
    assert TestClient(create_app(b)).get("/api/runs").json()["runs"] == []
    a.close()
    b.close()


def test_allowed_hosts_stop_dns_rebinding(filled_store: tuple[Path, dict[str, str]]) -> None:
    from fitscope.web.server import allowed_hosts

    store = fitscope.Store(filled_store[0])
    app = create_app(store, allowed_hosts=allowed_hosts("127.0.0.1"))
    client = TestClient(app, base_url="http://127.0.0.1:8765")
    assert client.get("/api/runs").status_code == 200
    assert client.get("/api/runs", headers={"Host": "localhost:8765"}).status_code == 200
    assert client.get("/api/runs", headers={"Host": "evil.example:8765"}).status_code == 400
    assert client.get("/docs").status_code == 404  # the CDN-loading docs page is off
    # Bound to IPv6 loopback: the bracketed literal passes, a rebinding name does not.
    v6 = TestClient(create_app(store, allowed_hosts=allowed_hosts("::1")))
    assert v6.get("/api/runs", headers={"Host": "[::1]:8765"}).status_code == 200
    assert v6.get("/api/runs", headers={"Host": "localhost:8765"}).status_code == 200
    assert v6.get("/api/runs", headers={"Host": "evil.example:8765"}).status_code == 400
    assert v6.get("/api/runs", headers={"Host": "[::2]:8765"}).status_code == 400
    store.close()
