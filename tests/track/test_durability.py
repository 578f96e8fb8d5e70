"""Durability and concurrency with real processes: kill -9 mid-training, exit without
finish(), an uncaught exception, four processes writing to one store at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa

import fitscope

CHILD = Path(__file__).with_name("_child.py")


def spawn(mode: str, url: str, side: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(CHILD), mode, url, str(side)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def side_lines(side: Path) -> list[str]:
    return side.read_text().splitlines() if side.exists() else []


def test_kill_9_keeps_everything_logged_a_second_before(store_url: str, tmp_path: Path) -> None:
    side = tmp_path / "side.txt"
    child = spawn("loop", store_url, side)
    try:
        deadline = time.time() + 60
        # Log for a while: at least 2 s of points after the first one.
        while time.time() < deadline:
            lines = side_lines(side)
            if len(lines) > 2 and float(lines[-1].split()[1]) - float(lines[1].split()[1]) > 2.0:
                break
            assert child.poll() is None, child.communicate()
            time.sleep(0.05)
        killed_at = time.time()
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait()
    assert child.returncode == -signal.SIGKILL
    run_id, *logged = side_lines(side)
    steps_times = [line.split() for line in logged if len(line.split()) == 2]
    must_have = [int(s) for s, t in steps_times if float(t) < killed_at - 1.0]
    assert len(must_have) > 100  # the child really logged for a while

    store = fitscope.Store(store_url)  # opens cleanly after the kill
    if store.url.startswith("sqlite"):
        with store.engine.connect() as conn:
            assert conn.execute(sa.text("PRAGMA integrity_check")).scalar() == "ok"
    record = store.get_run(run_id)
    assert record.status == "crashed"
    assert record.end_time is None
    history = record.history("loss")
    stored = set(history.steps.tolist())
    missing = sorted(set(must_have) - stored)
    assert not missing, f"{len(missing)} points logged >1 s before the kill are missing"
    np.testing.assert_allclose(history.values, 1.0 / (history.steps + 1))
    assert len(record.history("accuracy")) == len(history)
    store.close()


@pytest.mark.parametrize(("mode", "status"), [("exit", "finished"), ("raise", "failed")])
def test_interpreter_exit_flushes_and_sets_status(
    store_url: str, tmp_path: Path, mode: str, status: str
) -> None:
    side = tmp_path / "side.txt"
    child = spawn(mode, store_url, side)
    _, err = child.communicate(timeout=60)
    assert (child.returncode != 0) == (mode == "raise"), err
    if mode == "raise":
        assert "training blew up" in err  # the user still sees their traceback
    run_id = side_lines(side)[0]
    store = fitscope.Store(store_url)
    record = store.get_run(run_id)
    assert record.status == status
    assert record.end_time is not None
    assert record.history("loss").values.tolist() == [float(s) for s in range(500)]
    assert record.history("accuracy").steps.tolist() == list(range(500))
    store.close()


def test_four_processes_log_into_one_store(store_url: str, tmp_path: Path) -> None:
    # All four open a store that does not exist yet at the same moment (racing to create the
    # tables), then commit a transaction every few milliseconds each.
    children = [spawn("concurrent", store_url, tmp_path / f"side{i}.txt") for i in range(4)]
    results = [child.communicate(timeout=120) for child in children]
    for child, (_, err) in zip(children, results, strict=True):
        assert "locked" not in err.lower()
        assert child.returncode == 0, err
    store = fitscope.Store(store_url)
    runs = store.runs(project="conc")
    assert len(runs) == 4
    assert {r.id for r in runs} == {side_lines(tmp_path / f"side{i}.txt")[0] for i in range(4)}
    for record in runs:
        assert record.status == "finished"
        history = record.history("loss")
        assert history.steps.tolist() == list(range(2000))
        assert history.values.tolist() == [float(s) for s in range(2000)]
    store.close()
