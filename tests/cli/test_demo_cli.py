"""``fitscope demo``: it runs, in every language, and prints the numbers the library computes."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import fitscope
from fitscope import demo
from fitscope.cli import cli
from fitscope.cli._demo_render import Narrator
from fitscope.cli._demo_text import LANGUAGES
from fitscope.cli.demo import PNG_NAME, render_worked_example


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The demo writes its run to ./.fitscope and its files to ./fitscope-demo by default.
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FITSCOPE_STORE", raising=False)


def _run(*args: str) -> Result:
    result = CliRunner().invoke(cli, ["demo", "--quick", *args])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def english(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("demo")
    return _run("--store", str(folder / "demo.db"), "--out", str(folder / "out")).output


def test_quick_prints_the_worked_example(english: str) -> None:
    for expected in ("2.6152", "0.8717", "33.3%", "66.7%", "-0.5643", "0.1771", "1.4941"):
        assert expected in english, expected
    assert "b1 = -0.5643, b2 = 0.1771, summed loss 1.4941" in english
    assert re.search(r"Accuracy there: 33\.3%\. Always predicting 0 scores 66\.7%", english)


def test_quick_prints_the_optimizers_as_computed(english: str) -> None:
    traces = demo.solver_traces(demo.worked_example(), quick=True)
    for trace in traces:
        # Every optimizer's last shown row: its last epoch (grouped by Babel: 1,000), loss and
        # accuracy.
        last = int(trace.epochs[-1])
        row = rf"│\s+{last:,} │\s+{trace.summed_loss[-1]:.4f} │\s+{100 * trace.accuracy[-1]:.1f}%"
        assert re.search(row, english), row


def test_test_accuracy_is_printed_once_and_as_computed(english: str, tmp_path: Path) -> None:
    run = demo.overfit_run(store=tmp_path / "again.db")
    assert english.count("Test set, scored once") == 1
    expected = f"accuracy {100 * run.test_accuracy:.1f}%, log loss {run.test_loss:.4f}"
    assert expected in " ".join(english.split())
    assert f"From epoch {run.best_epoch} on" in english


def test_the_run_goes_to_the_given_store(tmp_path: Path) -> None:
    store = tmp_path / "given.db"
    _run("--store", str(store))
    runs = fitscope.Store(store).runs(project="fitscope-demo")
    assert [r.name for r in runs] == ["digits-even-overfit"]
    assert runs[0].status == "finished"


def test_the_default_store_is_used_without_store(tmp_path: Path) -> None:
    _run()
    assert (tmp_path / ".fitscope" / "fitscope.db").exists()


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_each_language_narrates_with_its_numbers(lang: str, tmp_path: Path) -> None:
    output = _run("--lang", lang, "--store", str(tmp_path / "s.db")).output
    flat = " ".join(output.split())
    for expected in ("2,6152", "0,8717", "-0,5643", "0,1771", "1,4941"):
        assert expected in flat, expected
    nar = Narrator(lang)
    assert nar.t("part1") in output and nar.t("part3") in output
    assert Narrator("en").t("part1") not in output
    assert "2.6152" not in output


def test_the_png_of_the_surfaces_is_written(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    out = render_worked_example(Narrator("en"), quick=True, out_dir=tmp_path / "out")
    png = tmp_path / "out" / PNG_NAME
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 20_000
    assert any(str(png) in str(getattr(r, "plain", "")) for r in out)


def test_the_doctor_findings_are_printed(english: str) -> None:
    flat = " ".join(english.split())
    titles = [
        f.title
        for case in (demo.imbalance_case(), demo.confident_mistakes_case()[1])
        for f in fitscope.explain(case.y_true, case.y_pred, lang="en")
    ]
    assert titles  # the imbalanced case at least is at its baseline
    for title in titles:
        assert " ".join(title.split()) in flat
    assert "Overfitting" in flat  # diagnose() on the run of part 2


def test_the_printed_doctor_command_works(english: str) -> None:
    flat = " ".join(english.split())
    found = re.search(r"fitscope doctor (\w+) --store (\S+)", flat)
    assert found is not None
    result = CliRunner().invoke(cli, ["doctor", found[1], "--store", found[2]])
    assert result.exit_code == 0, result.output
    assert "Overfitting since epoch" in result.output


def test_ui_serves_the_demo_run_on_the_dashboard(tmp_path: Path) -> None:
    """`fitscope demo --quick --ui` ends by serving the dashboard, which lists the demo's run."""
    with socket.socket() as probe:  # a free port for this test
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    script = Path(sys.executable).parent / "fitscope"
    env = {**os.environ, "BROWSER": "true"}  # webbrowser runs `true URL`: no window opens
    args = [str(script), "demo", "--quick", "--ui", "--port", str(port), "--store", "s.db"]
    proc = subprocess.Popen(args, cwd=tmp_path, env=env, stdout=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 90
        runs = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/runs", timeout=2) as r:
                    runs = json.load(r)
                break
            except OSError:
                time.sleep(0.3)
        assert runs is not None, "the dashboard never answered"
        names = [run["name"] for run in (runs["runs"] if isinstance(runs, dict) else runs)]
        assert "digits-even-overfit" in names
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}/#/run/" in " ".join(out.split())


def test_installed_console_script_runs_the_demo(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "fitscope"
    found = str(script) if script.exists() else shutil.which("fitscope")
    if found is None:
        pytest.fail("the fitscope console script is not installed: pip install -e .")
    completed = subprocess.run(
        [found, "demo", "--quick", "--lang", "it"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
    )
    assert completed.returncode == 0, completed.stderr
    assert "2,6152" in completed.stdout
    assert "33,3%" in completed.stdout
    assert "Traceback" not in completed.stderr
    assert (tmp_path / ".fitscope" / "fitscope.db").exists()
