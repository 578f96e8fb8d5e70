"""A store this process may not write is still listed, shown, exported and reported: reading
commands open it read-only. Tested on a read-only mount (root cannot write one either) and, where
this machine lets an unprivileged user run this Python, as another user."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import fitscope

from .conftest import ENTRY, child_env, mounted_tmpfs

READERS = [
    ["runs", "list"],
    ["runs", "show", "r1"],
    ["runs", "export", "r1", "--format", "json"],
    ["doctor", "r1"],
]


def make_store(folder: Path) -> Path:
    path = folder / "runs.db"
    store = fitscope.Store(path)
    with fitscope.init(store=store, name="r1", config={"lr": 0.1}) as run:
        for i in range(50):
            run.log({"loss": 1.0 / (i + 1), "accuracy": i / 50})
    store.close()  # no file left open (a busy mount cannot be made read-only)
    return path


def check_readers(
    run: Callable[..., Any], store: Path, cwd: Path, extra: dict[str, Any] | None = None
) -> None:
    for args in READERS:
        result = run(*args, "--store", str(store), cwd=cwd, **(extra or {}))
        assert result.returncode == 0, (args, result.stderr)
        assert "Traceback" not in result.stderr
    exported = run("runs", "export", "r1", "--format", "json", "--store", str(store), cwd=cwd)
    assert len(json.loads(exported.stdout)["points"]) == 100
    # Writing commands say clearly that they cannot write, in one Error: line.
    tagged = run("runs", "tag", "r1", "x", "--store", str(store), cwd=cwd, **(extra or {}))
    assert tagged.returncode == 1
    assert tagged.stderr.startswith("Error: ") and "readonly" in tagged.stderr
    assert "Traceback" not in tagged.stderr


def test_reading_a_store_on_a_read_only_mount(tmp_path: Path, cli: Callable[..., Any]) -> None:
    with mounted_tmpfs(tmp_path / "ro", "16m") as disk:
        store = make_store(disk)
        done = subprocess.run(["mount", "-o", "remount,ro", str(disk)], capture_output=True)
        if done.returncode != 0:
            pytest.skip(f"cannot remount read-only here: {done.stderr.decode().strip()}")
        opened = fitscope.Store(store, create=False)
        assert opened.read_only
        record = opened.get_run("r1")
        assert len(record.history("loss")) == 50 and record.refused == 0
        opened.close()
        with pytest.raises(fitscope.errors.StoreError):
            fitscope.Store(store)  # a writer is refused, as before
        check_readers(cli, store, tmp_path)
        (tmp_path / "report.html").unlink(missing_ok=True)
        report = cli("report", "r1", "--store", str(store), "-o", "report.html", cwd=tmp_path)
        assert report.returncode == 0, report.stderr
        assert (tmp_path / "report.html").stat().st_size > 1000


def test_reading_another_users_store(tmp_path: Path, cli: Callable[..., Any]) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to run a command as another user")
    nobody = 65534
    try:
        probe = subprocess.run(
            [sys.executable, "-c", "import fitscope"],
            user=nobody,
            group=nobody,
            extra_groups=[],
            capture_output=True,
            env=child_env(),
            cwd="/",
        )
        why = probe.stderr.decode().strip()[-200:] if probe.returncode else ""
    except OSError as error:
        why = str(error)
    if why:
        pytest.skip(f"the unprivileged user cannot run this Python here ({why})")
    folder = Path(tempfile.mkdtemp(dir="/tmp"))
    os.chmod(folder, 0o755)
    store = make_store(folder)
    os.chmod(store, 0o644)  # readable by everyone, writable by its owner only

    def as_nobody(*args: str, cwd: Path, **_: Any) -> Any:
        return subprocess.run(
            [sys.executable, "-c", ENTRY, *args],
            user=nobody,
            group=nobody,
            extra_groups=[],
            capture_output=True,
            text=True,
            env=child_env(),
            cwd="/tmp",
        )

    check_readers(as_nobody, store, folder)
