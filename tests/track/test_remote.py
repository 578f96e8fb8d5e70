"""Remote logging end to end: a real ``fitscope ui --token`` server (uvicorn) on 127.0.0.1 in
its own process, over a real SQLite file or the real PostgreSQL server, and real client
processes; the server is killed with SIGKILL and restarted under them."""

from __future__ import annotations

import gzip
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import fitscope
from fitscope.errors import InvalidInputError, StoreError
from fitscope.track.remote import RemoteStore, pack, sync

pytest.importorskip("uvicorn")

CHILD = Path(__file__).with_name("_remote_child.py")
SRC = str(Path(fitscope.__file__).resolve().parents[1])
TOKEN = "s3cret-token"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _env(spool: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=SRC, FITSCOPE_SPOOL=str(spool), **extra)
    env.pop("FITSCOPE_STORE", None)
    return env


class Server:
    """``fitscope ui`` in a child process; start() again after kill() reuses the port."""

    def __init__(self, store_url: str, token: str | None = TOKEN) -> None:
        self.store_url, self.token = store_url, token
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Server:
        args = ["ui", "--store", self.store_url, "--port", str(self.port)]
        if self.token:
            args += ["--token", self.token]
        code = "import sys; from fitscope.cli import main; sys.argv[0] = 'fitscope'; main()"
        self.proc = subprocess.Popen(
            [sys.executable, "-c", code, *args],
            env=dict(os.environ, PYTHONPATH=SRC),
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/", timeout=2).close()
                return self
            except OSError:
                assert self.proc.poll() is None, "the server exited at start"
                time.sleep(0.1)
        raise AssertionError("the server did not start within 60 s")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)


@pytest.fixture
def server(store_url: str) -> Iterator[Server]:
    srv = Server(store_url).start()
    yield srv
    srv.kill()


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(url + "/api/ingest", data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _batch(run_id: str, batch_id: str, ops: list[dict[str, Any]]) -> dict[str, Any]:
    return {"run_id": run_id, "batch_id": batch_id, "ops": ops}


def _create(name: str = "r") -> dict[str, Any]:
    return {"op": "create", "project": "p", "name": name, "start_time": time.time()}


def _points(steps: list[int], values: list[float], split: str = "train") -> dict[str, Any]:
    n = len(steps)
    return {
        "op": "points",
        "split": split,
        "metric": "loss",
        "steps": pack(np.array(steps), "<i8"),
        "values": pack(np.array(values), "<f8"),
        "times": pack(np.full(n, time.time()), "<f8"),
    }


# -- the token --------------------------------------------------------------------------------


def test_writes_need_the_token_even_on_loopback(tmp_path: Path) -> None:
    body = json.dumps({"batches": [_batch("a" * 32, "s-0", [_create()])]}).encode()
    json_header = {"Content-Type": "application/json"}
    no_token = Server(str(tmp_path / "open.db"), token=None).start()
    try:
        status, answer = _post(no_token.url, body, json_header)
        assert status == 403
        assert "token must be set on the server" in answer["error"]["message"]
    finally:
        no_token.kill()
    srv = Server(str(tmp_path / "locked.db")).start()
    try:
        assert _post(srv.url, body, json_header)[0] == 401
        assert _post(srv.url, body, {**json_header, "X-Fitscope-Token": "wrong"})[0] == 401
        status, answer = _post(srv.url, body, {**json_header, "X-Fitscope-Token": TOKEN})
        assert status == 200 and answer["results"][0]["status"] == "stored"
    finally:
        srv.kill()
    assert [r.name for r in fitscope.Store(tmp_path / "open.db").runs()] == []


# -- one client: the whole API ----------------------------------------------------------------


def test_one_client_same_api_as_local(server: Server, tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    remote = RemoteStore(server.url, token=TOKEN, spool=spool)
    run = fitscope.init(project="p", name="remote", config={"lr": 0.1}, tags=["a"], store=remote)
    for step in range(300):
        run.log({"loss": 1.0 / (step + 1), "accuracy": step / 300}, step=step)
        run.log({"loss": float("nan") if step == 7 else 2.0 / (step + 1)}, split="val")
    run.log_predictions([0, 1, 1], [0.2, 0.9, 0.4], split="val", ids=["a", "b", "c"])
    run.update_config({"batch": 32})
    summary = run.summary  # read back from the server
    assert summary["train/loss"]["points"] == 300 and summary["val/loss"]["best_step"] == 299
    run.finish()

    store = fitscope.Store(server.store_url)
    rec = store.get_run(run.id)
    assert (rec.name, rec.project, rec.status, rec.tags) == ("remote", "p", "finished", ["a"])
    assert rec.config == {"lr": 0.1, "batch": 32}
    val = rec.history("loss", "val")
    assert val.steps.tolist() == list(range(300)) and np.isnan(val.values[7])
    assert rec.history("accuracy").values.tolist() == [s / 300 for s in range(300)]
    (snap,) = rec.predictions("val")
    assert snap.y_pred.tolist() == [0.2, 0.9, 0.4] and snap.ids.tolist() == ["a", "b", "c"]
    assert list(spool.glob("*.fsp")) == []  # everything confirmed: the spool is empty

    # resume continues the same run over the network
    again = fitscope.init(store=remote, resume=run.id, tags=["b"])
    again.log({"loss": 0.001})
    again.finish()
    rec = store.get_run(run.id)
    assert rec.history("loss").steps[-1] == 300 and rec.tags == ["a", "b"]
    store.close()
    remote.close()


def test_init_reads_url_and_token_from_the_environment(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FITSCOPE_STORE", server.url)
    monkeypatch.setenv("FITSCOPE_TOKEN", TOKEN)
    monkeypatch.setenv("FITSCOPE_SPOOL", str(tmp_path / "spool"))
    with fitscope.init(project="env") as run:
        run.log({"loss": 1.0})
    assert fitscope.Store(server.store_url).get_run(run.id).status == "finished"
    with pytest.raises(InvalidInputError, match="mode must be one of"):
        fitscope.init(mode="sometimes")


# -- validation on the server -----------------------------------------------------------------


def test_a_bad_batch_is_refused_and_the_good_ones_land(server: Server) -> None:
    good, other = "g" * 32, "h" * 32
    batches = [
        _batch(good, "s-0", [_create("good"), _points([0, 1], [0.5, 0.4])]),
        _batch(other, "s-0", [_create("bad"), _points([0, -3], [0.5, 0.4])]),  # step < 0
        _batch(other, "s-1", [_points([0], [0.5], split=" ")]),  # blank split, no run
        # what run.log() refuses at the call, the server refuses too (track/_limits.py)
        _batch(other, "s-2", [{**_points([0], [0.5]), "metric": "m" * 300}]),
        _batch(other, "s-3", [_points([0], [0.5], split="va\x00l")]),
    ]
    headers = {"Content-Type": "application/json", "X-Fitscope-Token": TOKEN}
    status, answer = _post(server.url, json.dumps({"batches": batches}).encode(), headers)
    assert status == 422
    results = {(r["run_id"][0], r["batch_id"]): r for r in answer["results"]}
    assert results["g", "s-0"]["status"] == "stored"
    assert "step must be an integer from 0 to" in results["h", "s-0"]["error"]["message"]
    assert "split must be a non-empty string" in results["h", "s-1"]["error"]["message"]
    assert "at most 255 characters" in results["h", "s-2"]["error"]["message"]
    assert "free of NUL characters" in results["h", "s-3"]["error"]["message"]
    store = fitscope.Store(server.store_url)
    assert [r.name for r in store.runs()] == ["good"]  # the refused batch left nothing
    assert store.get_run(good).history("loss").values.tolist() == [0.5, 0.4]
    # the same good batch again is a duplicate, stored once
    status, answer = _post(server.url, json.dumps({"batches": batches[:1]}).encode(), headers)
    assert (status, answer["results"][0]["status"]) == (200, "duplicate")
    assert len(store.get_run(good).history("loss")) == 2
    store.close()


def test_request_size_is_limited(server: Server) -> None:
    headers = {"Content-Type": "application/json", "X-Fitscope-Token": TOKEN}
    # A body announced as 17 MiB is refused from its headers, before it is sent.
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(
            b"POST /api/ingest HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json"
            b"\r\nX-Fitscope-Token: "
            + TOKEN.encode()
            + b"\r\nContent-Length: "
            + str(17 * 1024 * 1024).encode()
            + b"\r\n\r\n"
        )
        answer_bytes = b""
        while b"}}" not in answer_bytes and (chunk := sock.recv(65536)):
            answer_bytes += chunk
    assert answer_bytes.startswith(b"HTTP/1.1 413") and b"body must be at most" in answer_bytes
    bomb = gzip.compress(b" " * (80 * 1024 * 1024))  # 80 MiB of blanks in ~80 KB
    status, answer = _post(server.url, bomb, {**headers, "Content-Encoding": "gzip"})
    assert status == 413 and "inflate" in answer["error"]["message"]
    status, _ = _post(server.url, b"not gzip", {**headers, "Content-Encoding": "gzip"})
    assert status == 400


# -- many clients, the server killed under them, the spool and sync ---------------------------


def _clients(n: int, url: str, spool: Path, tmp_path: Path, steps: int) -> list[Any]:
    procs = []
    for i in range(n):
        side = tmp_path / f"side{i}.txt"
        proc = subprocess.Popen(
            [sys.executable, str(CHILD), "steps", url, str(side), str(steps)],
            env=_env(spool, FITSCOPE_TOKEN=TOKEN),
        )
        procs.append((proc, side))
    return procs


def _check_runs(store_url: str, ids: list[str], steps: int) -> None:
    store = fitscope.Store(store_url)
    for run_id in ids:
        rec = store.get_run(run_id)
        assert rec.status == "finished"
        for split, metric in (("train", "loss"), ("train", "accuracy"), ("val", "loss")):
            h = rec.history(metric, split)
            # every point once: no loss, no duplicate
            assert h.steps.tolist() == list(range(steps)), (run_id, split, metric)
    store.close()


def test_eight_clients_and_a_server_killed_and_restarted(server: Server, tmp_path: Path) -> None:
    spool, steps = tmp_path / "spool", 3000
    procs = _clients(8, server.url, spool, tmp_path, steps)
    time.sleep(2.0)
    server.kill()  # SIGKILL mid-run: the clients keep logging into their spools
    time.sleep(2.0)
    server.start()  # same port, same store
    for proc, _ in procs:
        assert proc.wait(180) == 0
    ids = [side.read_text().split()[0] for _, side in procs]
    assert all(side.read_text().split()[-1] == "done" for _, side in procs)
    # A client whose finish() came while the server was down left its tail in the spool;
    # fitscope sync uploads it, and a second sync finds nothing new.
    first = subprocess.run(
        [sys.executable, "-c", "from fitscope.cli import main; main()", "sync", "--spool",
         str(spool)], env=_env(spool, FITSCOPE_TOKEN=TOKEN), capture_output=True, text=True,
        check=True,
    )  # fmt: skip
    assert "Uploaded" in first.stdout
    assert sync(server.url, token=TOKEN, spool=spool)["batches"] == 0
    _check_runs(server.store_url, ids, steps)
    assert list(spool.glob("*.fsp")) == []


def test_offline_mode_spools_and_sync_is_idempotent(server: Server, tmp_path: Path) -> None:
    spool, steps = tmp_path / "spool", 500
    side = tmp_path / "side.txt"
    subprocess.run(
        [sys.executable, str(CHILD), "offline", server.url, str(side), str(steps)],
        env=_env(spool, FITSCOPE_TOKEN=TOKEN),
        check=True,
    )
    run_id = side.read_text().split()[0]
    store = fitscope.Store(server.store_url)
    assert store.runs() == []  # nothing sent while offline
    (path,) = spool.glob("*.fsp")
    copy = path.read_bytes()
    with pytest.raises(StoreError, match="token"):
        sync(spool=spool, token="wrong")
    assert sync(spool=spool, token=TOKEN)["batches"] > 0
    # the same file synced again (restored from a backup, say) stores nothing twice
    path.write_bytes(copy)
    assert sync(spool=spool, token=TOKEN) == {"files": 1, "batches": 0, "left": 0}
    store.close()
    _check_runs(server.store_url, [run_id], steps)


def test_kill_9_of_a_client_loses_nothing_logged_a_second_before(
    server: Server, tmp_path: Path
) -> None:
    spool, side = tmp_path / "spool", tmp_path / "side.txt"
    server.kill()  # the server is away: everything goes through the spool
    child = subprocess.Popen(
        [sys.executable, str(CHILD), "loop", server.url, str(side)],
        env=_env(spool, FITSCOPE_TOKEN=TOKEN),
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (
            not side.exists() or len(side.read_text().splitlines()) < 2000
        ):
            time.sleep(0.2)
        time.sleep(1.5)
        killed_at = time.time()
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait()
    lines = side.read_text().splitlines()
    run_id = lines[0]
    must_have = [int(s) for s, t in (ln.split() for ln in lines[1:]) if float(t) < killed_at - 1]
    server.start()
    sync(spool=spool, token=TOKEN)
    store = fitscope.Store(server.store_url)
    stored = set(store.get_run(run_id).history("loss").steps.tolist())
    missing = [s for s in must_have if s not in stored]
    assert not missing, f"{len(missing)} points logged >1 s before the kill are missing"
    store.close()
