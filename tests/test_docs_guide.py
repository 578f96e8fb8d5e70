"""docs/loss-and-accuracy.md shows real output: its snippets run and print what it says, and
its pasted tables are what ``fitscope demo`` prints today."""

from __future__ import annotations

import contextlib
import doctest
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from fitscope.cli import cli

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "loss-and-accuracy.md"
TABLE_CHARS = "┃│┏┡└├┗"


def _blocks(lang: str = "") -> list[str]:
    """The fenced blocks whose info string is ``lang``, in order."""
    blocks: list[tuple[str, list[str]]] = []
    current: list[str] | None = None
    for line in GUIDE.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            if current is None:
                current = []
                blocks.append((line[3:].strip(), current))
            else:
                current = None
        elif current is not None:
            current.append(line)
    return ["\n".join(body) + "\n" for info, body in blocks if info == lang]


def test_the_interactive_snippet_gives_the_shown_results() -> None:
    snippet = next(b for b in _blocks("python") if ">>>" in b)
    test = doctest.DocTestParser().get_doctest(snippet, {}, "guide", str(GUIDE), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    assert runner.summarize(verbose=False).failed == 0


def test_the_calibration_snippet_prints_the_shown_output() -> None:
    code = next(b for b in _blocks("python") if "expected_calibration_error" in b)
    shown = next(b for b in _blocks() if "'expected_calibration_error'" in b)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, str(GUIDE), "exec"), {})
    assert out.getvalue() == shown


@pytest.fixture(scope="module")
def quick_text(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("guide")
    args = ["demo", "--quick", "--store", str(folder / "s.db"), "--out", str(folder)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def quick_output(quick_text: str) -> set[str]:
    return {line.rstrip() for line in quick_text.splitlines()}


@pytest.mark.parametrize(
    "marker",
    [
        "Predictions at b1",
        "At the minimum of the loss",
        "┃ epoch ┃ train loss",
        "is it a 9?",
        "(darker",
    ],
)
def test_pasted_tables_are_the_demo_output(marker: str, quick_output: set[str]) -> None:
    block = next(b for b in _blocks() if marker in b)
    lines = [
        ln.rstrip()
        for ln in block.splitlines()
        if ln[:1] in TABLE_CHARS or "│" in ln or ln.startswith(("Summed", "Mean", "Accuracy"))
    ]
    assert lines
    for line in lines:
        assert line in quick_output, line


@pytest.mark.parametrize("subject", ["the run of part 2", "3 or 8?"])
def test_pasted_findings_are_the_demo_output(subject: str, quick_text: str) -> None:
    block = next(b for b in _blocks() if f"The doctor's findings: {subject}" in b)
    assert " ".join(block.split()) in " ".join(quick_text.split())
