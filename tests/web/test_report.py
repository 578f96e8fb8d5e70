"""The self-contained HTML report, the PNG plots and the findings panel."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

import fitscope
from fitscope.cli import cli
from fitscope.errors import InvalidInputError
from fitscope.views.plots import plot_run
from fitscope.views.report import render_report

from .conftest import CHROMIUM, NO_BROWSER, XSS_NAME, log_curves, shot

ATTR = re.compile(r"""\b(?:src|href|action|poster|data)\s*=\s*["']?([^"'\s>]+)""", re.I)


@pytest.fixture(scope="module")
def store(filled_store: tuple[Path, dict[str, str]]) -> Any:
    s = fitscope.Store(filled_store[0])
    yield s
    s.close()


def test_report_is_self_contained(store: Any, filled_store: tuple[Path, dict[str, str]]) -> None:
    page = render_report(store.get_run(filled_store[1]["overfit"]))
    # Outside plotly.js's own code (which names URLs in strings it never loads here), no
    # attribute points anywhere: every script and style is inline.
    body = page.split("</head>", 1)[1]
    head_tags = re.findall(r"<(?:link|script|img|iframe)[^>]*>", page)
    assert all(not ATTR.search(tag) for tag in head_tags), head_tags
    assert not re.search(r"""(?:src|href)\s*=\s*["']?https?://""", body)
    assert "fs-data" in page and len(page) > 4_000_000


def test_report_escapes_hostile_strings(
    store: Any, filled_store: tuple[Path, dict[str, str]]
) -> None:
    page = render_report(store.get_run(filled_store[1]["xss"]))
    assert XSS_NAME not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # the title and heading
    assert "\\u003cscript\\u003ealert(1)" in page  # the JSON block
    assert "<img src=x" not in page


@pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_BROWSER)
@pytest.mark.parametrize("role", ["overfit", "xss"])
def test_report_opens_offline_in_a_browser(
    role: str, store: Any, filled_store: tuple[Path, dict[str, str]], page: Any, tmp_path: Path
) -> None:
    path = tmp_path / "report.html"
    path.write_text(render_report(store.get_run(filled_store[1][role])), encoding="utf-8")
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    page.wait_for_selector("#chart-1 .main-svg")
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
    assert page.evaluate("document.getElementById('chart-0').data.length") >= 3
    if role == "overfit":
        page.wait_for_selector("#fs-confusion .main-svg")
        page.check("#smooth")
        roles = page.evaluate("document.getElementById('chart-0').data.map(t => t.meta.role)")
        assert roles.count("smoothed") == 3
        shot(page, "report.png")
    else:
        assert page.locator("#run-name").inner_text() == XSS_NAME
    assert page.errors == [] and page.dialogs == []


FINDINGS = [
    {
        "code": "overfitting",
        "severity": "warning",
        "title": "Validation loss turns up after step 15",
        "explanation": "Train loss keeps falling while validation loss rose 40% from its best.",
        "evidence": {"best_step": 15},
        "advice": "Stop at the best epoch (early_stopping=True) or add l2.",
    },
    {
        "code": "confident_mistakes",
        "severity": "critical",
        "title": "<img src=x onerror=alert(5)>",
        "explanation": "<script>alert(6)</script> 3 samples hold 20% of the loss.",
        "evidence": {},
        "advice": "",
    },
]


@pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_BROWSER)
def test_findings_panel_renders_badges_and_escapes(page: Any) -> None:
    from fitscope.views.findings import finding_dict

    charts_js = (Path(fitscope.__file__).parent / "views" / "static" / "charts.js").read_text(
        encoding="utf-8"
    )
    page.set_content("<div id='f'></div>")
    page.add_script_tag(content=charts_js)
    page.evaluate(
        "(f) => fsRenderFindings(document.getElementById('f'), f)",
        [finding_dict(f) for f in FINDINGS],
    )
    boxes = page.locator("#f .finding")
    assert boxes.count() == 2
    assert boxes.nth(0).locator(".badge").inner_text().lower() == "warning"
    assert "sev-warning" in (boxes.nth(0).get_attribute("class") or "")
    assert "Advice: Stop at the best epoch" in boxes.nth(0).inner_text()
    assert boxes.nth(1).locator(".finding-title").inner_text() == FINDINGS[1]["title"]
    assert page.locator("#f img, #f script").count() == 0
    assert boxes.nth(1).locator(".finding-advice").count() == 0
    page.wait_for_timeout(200)
    assert page.dialogs == [] and page.errors == []


def test_pngs(store: Any, filled_store: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    written = plot_run(store.get_run(filled_store[1]["overfit"]), tmp_path / "png")
    assert [p.name for p in written] == ["loss.png", "accuracy.png"]
    for p in written:
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and p.stat().st_size > 10_000


def test_png_needs_loss_or_accuracy(tmp_path: Path) -> None:
    s = fitscope.Store(tmp_path / "r.db")
    with fitscope.init(name="f1-only", store=s) as run:
        run.log({"f1": 0.5})
    with pytest.raises(InvalidInputError, match="run must have logged loss or accuracy"):
        plot_run(s.get_run(run.id), tmp_path)
    s.close()


def test_cli_report_and_plot(filled_store: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    db = str(filled_store[0])
    out = tmp_path / "r.html"
    result = CliRunner().invoke(cli, ["report", "overfit", "--store", db, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("<!doctype html>")
    result = CliRunner().invoke(cli, ["plot", "logreg", "--store", db, "--png", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "loss.png").exists() and (tmp_path / "accuracy.png").exists()
    result = CliRunner().invoke(cli, ["report", "nope", "--store", db])
    assert result.exit_code == 1 and "Error: run must be" in result.output


def _mislabelled_run(path: Path) -> str:
    """A run whose validation snapshot has 30 of 1,000 samples confidently wrong."""
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 1000)
    p = np.where(y == 1, 0.95, 0.05)
    wrong = rng.choice(1000, 30, replace=False)
    p[wrong] = np.where(y[wrong] == 1, 1e-6, 1 - 1e-6)
    with fitscope.init(store=path) as run:
        log_curves(run, 20)
        run.log_predictions(y, p, split="val", step=19)
    return run.id


@pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_BROWSER)
def test_long_evidence_lists_show_the_first_few_in_the_views(page: Any, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from fitscope.web import create_app

    store = fitscope.Store(tmp_path / "runs.db")
    run_id = _mislabelled_run(tmp_path / "runs.db")
    record = store.get_run(run_id)
    # The API keeps every sample in `evidence` and cuts only `evidence_shown`.
    found = TestClient(create_app(store)).get(f"/api/runs/{run_id}/findings?lang=es").json()
    mistakes = next(f for f in found["findings"] if f["code"] == "confident_mistakes")
    assert len(mistakes["evidence"]["indices"]) == 30
    shown = dict(mistakes["evidence_shown"])
    assert shown["indices"].endswith(" y 25 más") and shown["indices"].count(",") == 4
    assert shown["count"] == "30"
    # The report shows the cut list; the dashboard draws it with the same charts.js.
    path = tmp_path / "report.html"
    path.write_text(render_report(record), encoding="utf-8")
    page.goto(path.as_uri())
    box = page.locator("#findings .finding", has_text="confident_mistakes")
    box.locator("details.finding-evidence summary").click()
    text = box.locator("details.finding-evidence").inner_text()
    assert "and 25 more" in text and "indices" in text
    ids = [str(i) for i in mistakes["evidence"]["indices"]]
    assert ", ".join(ids[:5]) in text and ids[5] not in text.split("indices", 1)[1].split("\n")[1]
    store.close()


def test_terminal_cuts_long_lists_and_json_keeps_them(tmp_path: Path) -> None:
    rng = np.random.default_rng(4)
    y = rng.integers(0, 2, 1000)
    p = np.where(y == 1, 0.95, 0.05)
    wrong = rng.choice(1000, 40, replace=False)
    p[wrong] = np.where(y[wrong] == 1, 1e-6, 1 - 1e-6)
    csv = tmp_path / "preds.csv"
    csv.write_text(
        "y_true,y_pred\n" + "".join(f"{a},{float(b)!r}\n" for a, b in zip(y, p, strict=True))
    )
    runner = CliRunner()
    out = runner.invoke(cli, ["doctor", str(csv), "--lang", "ru"], terminal_width=200).output
    assert "Данные:" in out and "indices:" in out
    line = next(ln for ln in out.splitlines() if "indices:" in ln)
    assert "и ещё 35" in line and line.count(",") == 4
    as_json = runner.invoke(cli, ["doctor", str(csv), "--json"]).output
    mistakes = next(f for f in json.loads(as_json) if f["code"] == "confident_mistakes")
    assert sorted(mistakes["evidence"]["indices"]) == sorted(wrong.tolist())
