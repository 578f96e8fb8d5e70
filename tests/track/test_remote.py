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
from fitscope.errors import InvalidInputError, InvalidTypeError, StoreError
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


def test_keys_as_written_reach_the_server(server: Server, tmp_path: Path) -> None:
    # log() without split= keeps "val/loss" as written; a server store carries it in the
    # ingest batch (a "keys" operation) under log()'s limits.
    remote = RemoteStore(server.url, token=TOKEN, spool=tmp_path / "spool")
    run = fitscope.init(project="p", name="keys", store=remote)
    for step in range(5):
        run.log({"Loss/train": 1.0 / (step + 1), "val_accuracy": step / 5})
    run.finish()
    store = fitscope.Store(server.store_url)
    rec = store.get_run(run.id)
    assert rec.keys() == {("train", "loss"): "Loss/train", ("val", "accuracy"): "val_accuracy"}
    assert rec.history("loss").steps.tolist() == list(range(5))
    bad = _batch(run.id, "k-1", [{"op": "keys", "keys": [["val", "loss", "x" * 256]]}])
    status, answer = _post(
        server.url,
        json.dumps({"batches": [bad]}).encode(),
        {"Content-Type": "application/json", "X-Fitscope-Token": TOKEN},
    )
    assert "at most 255" in json.dumps(answer), (status, answer)
    assert store.get_run(run.id).keys()[("train", "loss")] == "Loss/train"
    store.close()
    remote.close()


# -- a wandb-style script reads back as from a local store (issue 15) -------------------------

WANDB_SCRIPT = """
import sys
import fitscope as wandb

store, token, mode = sys.argv[1], sys.argv[2] or None, sys.argv[3] or None
run = wandb.init(project="habits", name="wandb-style", config={"lr": 0.01, "layers": [64, 32]},
                 tags=["baseline"], notes="first try", group="cnn", store=store, token=token,
                 mode=mode)
wandb.config.lr = 0.005                     # changed after init
wandb.config.update({"optimizer": "sgd"})
for epoch in range(40):
    wandb.log({"train/loss": 1.0 / (epoch + 1), "Loss/val": 1.2 / (epoch + 1) + epoch * 1e-3})
    wandb.log({"val_accuracy": epoch / 40, "lr": 0.005})
run.log_predictions([0, 1, 1], [0.2, 0.9, 0.4], split="val", ids=["a", "b", "c"])
wandb.summary["best"] = 0.9
run.summary["note"] = "kept"
run.summary["best"] = 0.95                  # set twice: the last value is kept
computed = wandb.summary["val/loss"]["best_step"]   # read back (from the spool when offline)
wandb.finish()
print(run.id, computed)
"""


def _script(store: str, token: str = "", mode: str = "", spool: Path | None = None) -> list[str]:
    env = _env(spool or Path("unused"))
    done = subprocess.run(
        [sys.executable, "-c", WANDB_SCRIPT, store, token, mode],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def _same_run(a: Any, b: Any) -> None:
    """Two records of the same script's run hold the same data (ids and times aside)."""
    assert (a.project, a.name, a.status, a.tags) == (b.project, b.name, b.status, b.tags)
    assert a.config == b.config
    assert a.series() == b.series()
    assert a.keys() == b.keys()
    for split, metric in a.series():
        ha, hb = a.history(metric, split), b.history(metric, split)
        assert ha.steps.tolist() == hb.steps.tolist(), (split, metric)
        assert ha.values.tolist() == hb.values.tolist(), (split, metric)
    assert a.summary == b.summary
    (pa,), (pb,) = a.predictions(), b.predictions()
    assert (pa.split, pa.step) == (pb.split, pb.step) == ("val", 79)
    for part in ("y_true", "y_pred", "ids"):
        assert getattr(pa, part).tolist() == getattr(pb, part).tolist(), part


def _local_twin(tmp_path: Path) -> tuple[Any, dict[str, Any], str]:
    """The script's run in a local SQLite file: its record, summary values and the best step
    the script read from run.summary."""
    local_db = tmp_path / "local.db"
    local_id, computed = _script(str(local_db))
    local = fitscope.Store(local_db)
    twin = local.get_run(local_id), local.user_summary(local_id), computed
    local.close()
    return twin


def test_a_wandb_script_logged_to_a_server_reads_back_as_a_local_one(
    server: Server, tmp_path: Path
) -> None:
    local, local_summary, local_computed = _local_twin(tmp_path)
    assert local_computed == "68"  # Loss/val is lowest at epoch 34, logged at step 68
    assert local.keys() == {
        ("train", "loss"): "train/loss",
        ("val", "loss"): "Loss/val",
        ("val", "accuracy"): "val_accuracy",
    }
    assert local.config == {
        "lr": 0.005,
        "layers": [64, 32],
        "optimizer": "sgd",
        "fitscope.notes": "first try",
        "fitscope.group": "cnn",
    }
    assert local_summary == {"best": 0.95, "note": "kept"}

    spool = tmp_path / "spool"
    remote_id, computed = _script(server.url, TOKEN, spool=spool)
    assert computed == local_computed  # run.summary read back from the server during the run
    # read back through the server, as a client (resume, run.summary) reads it ...
    client = RemoteStore(server.url, token=TOKEN, spool=tmp_path / "reader")
    _same_run(client.get_run(remote_id), local)
    assert client.user_summary(remote_id) == local_summary
    client.close()
    # ... and from the server's own store (SQLite file or PostgreSQL schema)
    store = fitscope.Store(server.store_url)
    _same_run(store.get_run(remote_id), local)
    assert store.user_summary(remote_id) == local_summary
    store.close()
    assert list(spool.glob("*.fsp")) == []


def test_a_wandb_script_logged_offline_then_synced_once(server: Server, tmp_path: Path) -> None:
    local, local_summary, local_computed = _local_twin(tmp_path)
    spool = tmp_path / "spool"
    remote_id, computed = _script(server.url, TOKEN, "offline", spool=spool)
    assert computed == local_computed  # run.summary read back from the spool: nothing was sent
    store = fitscope.Store(server.store_url)
    assert store.runs() == []
    # Offline, the spool alone answers for the run as the server will.
    offline = RemoteStore(server.url, token=TOKEN, spool=spool, offline=True)
    _same_run(offline.get_run(remote_id), local)
    assert offline.user_summary(remote_id) == local_summary
    offline.close()

    def cli_sync() -> str:
        done = subprocess.run(
            [sys.executable, "-c", "from fitscope.cli import main; main()", "sync"],
            env=_env(spool, FITSCOPE_TOKEN=TOKEN),
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout

    assert "Uploaded" in cli_sync()
    assert list(spool.glob("*.fsp")) == []
    _same_run(store.get_run(remote_id), local)
    assert store.user_summary(remote_id) == local_summary
    # The same spool file synced again (restored from a backup) stores nothing twice.
    assert sync(server.url, token=TOKEN, spool=spool)["batches"] == 0
    store.close()


def test_summary_and_config_are_checked_at_the_call_and_on_the_server(
    server: Server, tmp_path: Path
) -> None:
    remote = RemoteStore(server.url, token=TOKEN, spool=tmp_path / "spool")
    run = fitscope.init(project="p", name="checks", store=remote)
    with pytest.raises(InvalidInputError, match=r"summary key 'x{20}.*at most 255 characters"):
        run.summary["x" * 300] = 1.0
    with pytest.raises(InvalidTypeError, match=r"summary\['fn'\] must be a JSON value"):
        run.summary["fn"] = object()
    with pytest.raises(InvalidTypeError, match=r"config\['fn'\] must be a JSON value"):
        run.config["fn"] = object()  # refused at the call, as a local store refuses it
    run.summary["ok"] = 1
    run.finish()
    assert remote.user_summary(run.id) == {"ok": 1}

    headers = {"Content-Type": "application/json", "X-Fitscope-Token": TOKEN}
    long_key = _batch(run.id, "x-0", [{"op": "summary", "values": {"k" * 300: 1}}])
    nul_key = _batch(run.id, "x-1", [{"op": "summary", "values": {"a\x00b": 1}}])
    good = _batch(run.id, "x-2", [{"op": "summary", "values": {"ok": 2, "nested": {"a": [1]}}}])
    body = json.dumps({"batches": [long_key, nul_key, good]}).encode()
    status, answer = _post(server.url, body, headers)
    assert status == 422
    results = [r["status"] for r in answer["results"]]
    assert results == ["refused", "refused", "stored"]
    assert "at most 255 characters" in answer["results"][0]["error"]["message"]
    assert "free of NUL characters" in answer["results"][1]["error"]["message"]
    assert remote.user_summary(run.id) == {"ok": 2, "nested": {"a": [1]}}
    remote.close()


def test_clients_and_servers_of_different_ages(server: Server, tmp_path: Path) -> None:
    # An older client: batches without keys or summary still land, read back without keys.
    old = "o" * 32
    headers = {"Content-Type": "application/json", "X-Fitscope-Token": TOKEN}
    body = json.dumps({"batches": [_batch(old, "s-0", [_create("old"), _points([0], [1.0])])]})
    assert _post(server.url, body.encode(), headers)[0] == 200
    client = RemoteStore(server.url, token=TOKEN, spool=tmp_path / "spool")
    record = client.get_run(old)
    assert record.keys() == {} and record.history("loss").values.tolist() == [1.0]
    assert client.user_summary(old) == {}
    # An older server's export (no "keys", no "summary") reads as none of either.
    from fitscope.track.remote import _record

    payload = {
        "id": old, "project": "p", "name": "old", "status": "finished", "config": {},
        "tags": [], "start_time": 0.0, "end_time": 1.0, "series": [],
    }  # fmt: skip
    assert _record(payload).keys() == {}
    # A server that cannot read one operation (here: one no server knows, as an older server
    # does not know "summary") refuses the request as a whole; the client sends the batches
    # one by one, so only that batch is set aside and the points around it land.
    run = fitscope.init(project="p", name="newer", store=client)
    run.log({"val/loss": 0.5})
    run.flush()
    client._append(run.id, [{"op": "from-the-future", "x": 1}])
    run.log({"val/loss": 0.25})
    run.finish()
    rec = fitscope.Store(server.store_url).get_run(run.id)
    assert rec.history("loss", "val").values.tolist() == [0.5, 0.25]
    assert rec.key("loss", "val") == "val/loss" and rec.status == "finished"
    (refused,) = (tmp_path / "spool").glob("*.refused")
    assert "from-the-future" in refused.read_text()
    client.close()


def test_wandb_init_with_an_id_finds_the_run_on_the_server(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FITSCOPE_SPOOL", str(tmp_path / "spool"))
    run = fitscope.init(project="p", id="job-42", store=server.url, token=TOKEN)
    fitscope.log({"val/loss": 0.5})
    fitscope.finish()
    with pytest.raises(InvalidInputError, match="resume='allow'"):
        fitscope.init(id="job-42", store=server.url, token=TOKEN)
    again = fitscope.init(id="job-42", resume="allow", store=server.url, token=TOKEN)
    fitscope.log({"val/loss": 0.25})
    fitscope.finish()
    assert again.id == run.id == "job-42"
    rec = fitscope.Store(server.store_url).get_run("job-42")
    assert rec.history("loss", "val").steps.tolist() == [0, 1]
    assert rec.keys() == {("val", "loss"): "val/loss"}


# -- the offline view is the server's ingest, replayed (read_spooled) ---------------------------

OFFLINE_SCRIPT = """
import sys
import fitscope as wandb

store, token = sys.argv[1], sys.argv[2]
run = wandb.init(project="habits", name="offline", config={"lr": 0.01}, tags=["baseline"],
                 store=store, token=token, mode="offline")
wandb.config.lr = 0.005                                  # a config op
for epoch in range(30):
    wandb.log({"train/loss": 1.0 / (epoch + 1), "Loss/val": 1.5 / (epoch + 2)})   # keys
    run.log({"accuracy": epoch / 30, "f1": epoch / 40}, split="test")           # split=
run.log_predictions([0, 1, 1], [0.2, 0.9, 0.4], split="val", ids=["a", "b", "c"])
wandb.summary["best"] = 0.9
wandb.finish()
# resumed offline (read back from the spool): a reopen, a tags op, more points, a summary
again = wandb.init(id=run.id, resume="allow", tags=["resumed"], config={"stage": 2},
                   store=store, token=token, mode="offline")
wandb.log({"train/loss": 0.01})
wandb.summary["note"] = "resumed"
wandb.finish()
print(run.id)
"""


def _same_record(a: Any, b: Any) -> None:
    """Every field of two records of one run, times and prediction snapshots included."""
    fields = ("id", "project", "name", "status", "config", "tags", "start_time", "end_time")
    assert [getattr(a, f) for f in fields] == [getattr(b, f) for f in fields]
    assert (a.series(), a.keys(), a.refused) == (b.series(), b.keys(), b.refused)
    for split, metric in a.series():
        ha, hb = a.history(metric, split), b.history(metric, split)
        for part in ("steps", "values", "times"):
            assert getattr(ha, part).tolist() == getattr(hb, part).tolist(), (split, metric)
    assert a.summary == b.summary
    assert len(a.predictions()) == len(b.predictions()) == 1
    for pa, pb in zip(a.predictions(), b.predictions(), strict=True):
        assert (pa.split, pa.step, pa.time) == (pb.split, pb.step, pb.time)
        for part in ("y_true", "y_pred", "ids"):
            assert getattr(pa, part).tolist() == getattr(pb, part).tolist(), part


def test_read_spooled_is_what_the_server_stores_after_sync(server: Server, tmp_path: Path) -> None:
    from fitscope.track._offline import read_spooled

    spool = tmp_path / "spool"
    done = subprocess.run(
        [sys.executable, "-c", OFFLINE_SCRIPT, server.url, TOKEN],
        env=_env(spool),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    run_id = done.stdout.split()[0]
    assert list(spool.glob("*.fsp"))  # nothing sent yet
    spooled = read_spooled(spool, run_id)
    assert spooled is not None
    offline, offline_summary = spooled
    assert offline.tags == ["baseline", "resumed"]
    assert offline.config == {"lr": 0.005, "stage": 2}
    assert offline.keys()[("val", "loss")] == "Loss/val"
    assert offline.history("loss", "train").steps.tolist() == list(range(31))
    assert offline.history("f1", "test").steps.size == 30
    assert offline_summary == {"best": 0.9, "note": "resumed"}

    subprocess.run(
        [sys.executable, "-c", "from fitscope.cli import main; main()", "sync"],
        env=_env(spool, FITSCOPE_TOKEN=TOKEN),
        capture_output=True,
        check=True,
    )
    assert list(spool.glob("*.fsp")) == []
    store = fitscope.Store(server.store_url)
    _same_record(offline, store.get_run(run_id))
    assert offline_summary == store.user_summary(run_id)
    store.close()
