"""fitscope.integrations.torch.sync merges Evaluator states across real gloo processes."""

from __future__ import annotations

import json
import pathlib
import socket
import subprocess
import sys

import pytest

import fitscope

from ._ddp_sync import data


def _free_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return str(s.getsockname()[1])


def test_two_gloo_ranks_get_the_metrics_over_all_the_data(tmp_path: pathlib.Path) -> None:
    script = pathlib.Path(__file__).with_name("_ddp_sync.py")
    done = subprocess.run(
        [sys.executable, str(script), str(tmp_path), _free_port()],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    y, logits = data()
    whole = fitscope.evaluate(
        y,
        logits,
        metrics=["accuracy", "log_loss", "balanced_accuracy", "roc_auc"],
        from_logits=True,
    )
    results = [json.loads((tmp_path / f"rank{r}.json").read_text()) for r in (0, 1)]
    assert [r["local_n"] for r in results] == [51, 50]
    for r in results:
        assert r["merged"] == pytest.approx(dict(whole), rel=1e-12)


def test_without_a_process_group_sync_returns_the_evaluator() -> None:
    from fitscope.integrations.torch import sync

    ev = fitscope.Evaluator(["accuracy"]).update([0, 1], [0, 1])
    assert sync(ev) is ev
    with pytest.raises(TypeError, match=r"evaluator must be a fitscope\.Evaluator"):
        sync({"accuracy": 1.0})  # type: ignore[arg-type]
