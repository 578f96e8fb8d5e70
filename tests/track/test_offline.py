"""The offline view of a run (``_offline.read_spooled``) is the server's ingest replayed: batches
refused, repeated or before the run's start come out as the server stores them."""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

import fitscope
from fitscope.errors import FitscopeError
from fitscope.track import _spool
from fitscope.track._offline import read_spooled
from fitscope.track._wire import pack
from fitscope.track.ingest import apply_batch

RUN = "r" * 32


def _points(split: str, steps: list[int], values: list[float]) -> dict[str, Any]:
    arrays = {
        "steps": (steps, "<i8"),
        "values": (values, "<f8"),
        "times": ([1e3] * len(steps), "<f8"),
    }
    packed = {part: pack(np.asarray(a), dtype) for part, (a, dtype) in arrays.items()}
    return {"op": "points", "split": split, "metric": "loss", **packed}


def _write(directory: Path, batches: list[tuple[str, list[dict[str, Any]]]]) -> None:
    """A spool file holding ``batches`` (batch id, ops) as written, repeats included."""
    directory.mkdir(parents=True, exist_ok=True)
    head = {"kind": "header", "url": "http://x", "run_id": RUN, "session": "s"}
    frames = [json.dumps(head).encode()] + [
        json.dumps({"run_id": RUN, "batch_id": bid, "ops": ops}).encode() for bid, ops in batches
    ]
    path = directory / f"{RUN}.s{_spool.SUFFIX}"
    path.write_bytes(b"".join(_spool._frame(f) for f in frames))


def _served(tmp_path: Path, batches: list[tuple[str, list[dict[str, Any]]]]) -> fitscope.Store:
    """What a server stores: each batch applied on its own, a refused one set aside."""
    store = fitscope.Store(tmp_path / "server.db")
    for bid, ops in batches:
        with contextlib.suppress(FitscopeError):
            apply_batch(store, {"run_id": RUN, "batch_id": bid, "ops": ops})
    return store


def test_refused_repeated_and_early_batches_read_as_the_server_stores_them(
    tmp_path: Path,
) -> None:
    create = {"op": "create", "project": "p", "name": "n", "start_time": time.time()}
    batches = [
        ("s-0", [_points("train", [0], [9.0])]),  # before the run's start: refused
        ("s-1", [create, {"op": "tags", "tags": ["a"]}]),
        ("s-2", [_points("train", [0, 1], [1.0, 0.5]), {"op": "summary", "values": {"k": 1}}]),
        ("s-3", [_points("train", [2], [0.4]), _points("val", [-1], [0.1])]),  # refused whole
        ("bad id!", [_points("train", [3], [0.2])]),  # its envelope refused, even joined
        ("s-2", [_points("train", [0, 1], [1.0, 0.5])]),  # the same batch id again: once
        ("s-4", [{"op": "tags", "tags": ["b"]}, {"op": "keys", "keys": [["val", "loss", "x"]]}]),
        ("s-5", [{"op": "create", "project": "p", "name": "again", "start_time": 1.0}]),
        ("s-6", [_points("val", [0], [0.3]), {"op": "state", "status": "finished"}]),
        ("s-7", [{"op": "state", "status": "paused"}]),  # refused: not a status
    ]
    _write(tmp_path / "spool", batches)
    spooled = read_spooled(tmp_path / "spool", RUN)
    assert spooled is not None
    record, summary = spooled
    server = _served(tmp_path, batches)
    want = server.get_run(RUN)
    assert record.history("loss", "train").steps.tolist() == [0, 1]  # s-0, s-3 and the repeat out
    assert (record.tags, record.status, record.name) == (["a", "b"], "finished", "n")
    assert record.keys() == want.keys() == {("val", "loss"): "x"}
    for field in ("project", "name", "status", "config", "tags", "start_time", "end_time"):
        assert getattr(record, field) == getattr(want, field), field
    assert record.series() == want.series()
    for split, metric in want.series():
        a, b = record.history(metric, split), want.history(metric, split)
        assert (a.steps.tolist(), a.values.tolist()) == (b.steps.tolist(), b.values.tolist())
    assert summary == server.user_summary(RUN) == {"k": 1}
    server.close()


def test_a_spool_without_the_run_start_answers_none(tmp_path: Path) -> None:
    _write(tmp_path / "spool", [("s-0", [_points("train", [0], [1.0])])])
    assert read_spooled(tmp_path / "spool", RUN) is None
    assert read_spooled(tmp_path / "empty", RUN) is None


def test_a_batch_whose_envelope_the_server_refuses_stays_out_when_joined(tmp_path: Path) -> None:
    """Joined with good batches into one transaction, a batch with a malformed id would be
    checked only for its operations: it is set aside first, as the server refuses it."""
    create = {"op": "create", "project": "p", "name": "n", "start_time": time.time()}
    batches = [
        ("s-1", [create]),
        ("s-2", [_points("train", [0, 1], [1.0, 0.5])]),
        ("bad id!", [_points("train", [2], [0.2])]),
    ]
    _write(tmp_path / "spool", batches)
    spooled = read_spooled(tmp_path / "spool", RUN)
    assert spooled is not None
    server = _served(tmp_path, batches)
    assert spooled[0].history("loss", "train").steps.tolist() == [0, 1]
    assert server.get_run(RUN).history("loss", "train").steps.tolist() == [0, 1]
    server.close()
