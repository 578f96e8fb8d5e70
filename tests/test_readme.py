"""The README's code runs and says what it shows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import fitscope

README = Path(__file__).resolve().parents[1] / "README.md"


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_readme_has_a_python_example() -> None:
    assert _python_blocks()


def test_readme_examples_run_and_merge_like_one_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the tracking example writes runs.db into the folder it runs in
    namespace: dict[str, object] = {}
    for block in _python_blocks():
        exec(compile(block, str(README), "exec"), namespace)
    a, b = namespace["a"], namespace["b"]
    assert isinstance(a, fitscope.Evaluator) and isinstance(b, fitscope.Evaluator)
    y_true, y_pred = namespace["y_true"], namespace["y_pred"]
    one_pass = fitscope.Evaluator(["accuracy", "f1"]).update(y_true, y_pred).compute()
    assert a.merge(b).compute() == pytest.approx(one_pass)
    assert one_pass == pytest.approx({"accuracy": 0.5, "f1": 0.5})
    assert fitscope.metrics.log_loss(y_true, y_pred) == pytest.approx(0.5108256, rel=1e-6)
    # The tracking example read back what it logged.
    assert namespace["run"].status == "finished"  # type: ignore[attr-defined]
    record = fitscope.Store(tmp_path / "runs.db").get_run(namespace["run"].id)  # type: ignore[attr-defined]
    assert record.history("loss", split="val").values.tolist() == pytest.approx(
        [1.1, 0.55, 1.1 / 3]
    )
