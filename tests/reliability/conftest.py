"""The reliability suite runs against the same real stores as tests/track: a SQLite file and,
where FITSCOPE_TEST_POSTGRES_URL names one, the real PostgreSQL server (a fresh schema a test).
The store fixtures come from tests/conftest.py, one definition for every suite."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import fitscope

# -- the real command, in a child process ----------------------------------------------------

ENTRY = "import sys; from fitscope.cli import main; main(sys.argv[1:])"
# The child imports the fitscope this test imports (a relative PYTHONPATH would not survive
# the child's own working folder).
SRC = str(Path(fitscope.__file__).resolve().parents[1])


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([SRC, *filter(None, [env.get("PYTHONPATH")])])
    return env


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 120, **kw: Any) -> Any:
    """``fitscope ARGS...`` in a child process: (returncode, stdout, stderr) as a user sees."""
    return subprocess.run(
        [sys.executable, "-c", ENTRY, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        env=child_env(),
        **kw,
    )


@pytest.fixture
def cli() -> Callable[..., Any]:
    return run_cli


# -- a small disk ------------------------------------------------------------------------------


@contextlib.contextmanager
def mounted_tmpfs(where: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` at ``where`` (a disk that fills up), or skip saying why."""
    if shutil.which("mount") is None:
        pytest.skip("no mount command: the full-disk cases need mount -t tmpfs")
    where.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(
            f"cannot mount a tmpfs here ({done.stderr.strip() or done.returncode}): the "
            "full-disk cases need root or a machine that allows mount -t tmpfs"
        )
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """An 8 MB tmpfs folder."""
    with mounted_tmpfs(tmp_path / "small", "8m") as disk:
        yield disk


def fill(folder: Path) -> Path:
    """Fill the disk of ``folder`` with one file (returned: delete it to free the space)."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    try:
        for size in (1 << 20, 1 << 12, 1):  # big writes, then the last few blocks
            with contextlib.suppress(OSError):
                while True:
                    os.write(fd, b"\0" * size)
    finally:
        os.close(fd)
    return filler


@pytest.fixture
def fill_disk() -> Callable[[Path], Path]:
    return fill
