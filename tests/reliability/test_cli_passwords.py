"""A password in --store never appears in any output: on success, on error, in the dashboard's
start-up line. Every command that takes --store is run against the real PostgreSQL server with
a password in the URL (the test server trusts local users, so the password is accepted and
ignored), and against a URL whose server is not there (the error path)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import fitscope

from .conftest import ENTRY, child_env

SECRET = "S3cretPassw0rd"


def with_password(url: str) -> str:
    scheme, rest = url.split("://", 1)
    user, at, host = rest.partition("@")
    assert at, url
    return f"{scheme}://{user}:{SECRET}@{host}"


def commands(run_id: str, folder: Path) -> dict[str, list[str]]:
    log = folder / "log.csv"
    log.write_text("epoch,loss,accuracy\n0,1.0,0.5\n1,0.5,0.7\n")
    return {
        "runs list": ["runs", "list"],
        "runs show": ["runs", "show", run_id],
        "runs tag": ["runs", "tag", run_id, "checked"],
        "runs export": ["runs", "export", run_id],
        "doctor": ["doctor", run_id],
        "report": ["report", run_id, "-o", str(folder / "r.html")],
        "plot": ["plot", run_id, "--png", str(folder / "png")],
        "import": ["import", str(log), "--format", "keras_csv"],
        "demo": ["demo", "--quick", "--out", str(folder / "demo")],
        "runs rm": ["runs", "rm", run_id, "--yes"],  # last: the others need the run
    }


def check(result: subprocess.CompletedProcess[str], what: str) -> None:
    output = result.stdout + result.stderr
    assert SECRET not in output, f"{what} printed the password:\n{output}"
    assert "Traceback" not in result.stderr, f"{what}:\n{result.stderr}"


def test_no_command_prints_the_password(
    postgres_store_url: str, tmp_path: Path, cli: Callable[..., Any]
) -> None:
    url = with_password(postgres_store_url)
    with fitscope.init(project="p", store=url) as run:
        run.log({"loss": 1.0, "accuracy": 0.5})
        run.log({"loss": 0.5, "accuracy": 0.7})
    for what, args in commands(run.id, tmp_path).items():
        result = cli(*args, "--store", url, cwd=tmp_path, timeout=300)
        check(result, what)
        assert result.returncode == 0, f"{what}: {result.stderr}"


def test_no_error_prints_the_password(tmp_path: Path, cli: Callable[..., Any]) -> None:
    # Nothing listens on port 9: every command fails to connect and says so.
    url = f"postgresql://someone:{SECRET}@127.0.0.1:9/runs"
    for what, args in commands("abc", tmp_path).items():
        result = cli(*args, "--store", url, cwd=tmp_path)
        check(result, what)
        assert result.returncode == 1, f"{what}: {result.stdout} {result.stderr}"
        assert result.stderr.startswith("Error: "), f"{what}: {result.stderr}"
        assert "someone:***@127.0.0.1:9" in result.stderr, f"{what}: {result.stderr}"


def test_the_dashboard_start_up_line_hides_the_password(
    postgres_store_url: str, tmp_path: Path
) -> None:
    url = with_password(postgres_store_url)
    fitscope.Store(url).close()
    child = subprocess.Popen(
        [sys.executable, "-c", ENTRY, "ui", "--store", url, "--port", "8791"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env=child_env(),
    )
    try:
        assert child.stderr is not None
        line = child.stderr.readline()
        deadline = time.time() + 30
        while "dashboard on" not in line and time.time() < deadline and line:
            line = child.stderr.readline()
    finally:
        child.send_signal(signal.SIGINT)
        try:
            out, err = child.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            child.kill()
            out, err = child.communicate()
    assert "dashboard on http://127.0.0.1:8791/" in line
    assert "***" in line
    assert SECRET not in line + out + err
