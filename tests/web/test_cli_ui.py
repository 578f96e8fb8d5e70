"""``fitscope ui``: binds loopback by default, refuses the network without a token, serves."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from fitscope.cli import cli
from fitscope.web.server import check_bind, is_loopback


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.5", "example.org", "::"])
def test_non_loopback_host_needs_a_token(host: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["ui", "--store", str(tmp_path / "r.db"), "--host", host])
    assert result.exit_code == 1
    assert "host must be a loopback address" in result.output
    # The library's hint names its argument; the command line adds its option.
    assert "Pass token=SECRET" in result.output
    assert "(On the command line, token= is the option --token.)" in result.output
    check_bind(host, "secret")  # with a token it is allowed


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost", "127.0.0.2"])
def test_loopback_hosts(host: str) -> None:
    assert is_loopback(host)
    check_bind(host, None)


def test_ui_serves_the_store(filled_store: tuple[Path, dict[str, str]]) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    args = ["ui", "--store", str(filled_store[0]), "--port", str(port), "--token", "tok"]
    code = "import sys; from fitscope.cli import main; main(sys.argv[1:])"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        url = f"http://127.0.0.1:{port}/api/runs?token=tok"
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2) as resp:
                    runs = json.load(resp)["runs"]
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.2)
        assert {r["name"] for r in runs} >= {"overfit", "logreg"}
        with pytest.raises(urllib.error.HTTPError) as denied:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/runs", timeout=2)
        assert denied.value.code == 401
    finally:
        proc.terminate()
        proc.wait(10)
