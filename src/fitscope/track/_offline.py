"""A server store's run read back from the client's spool alone (offline mode, server away).

A run logged with ``mode="offline"`` (or while its server is down) exists only as batches in the
spool until ``fitscope sync``. :func:`read_spooled` replays those batches, in the order they
were written, the way the server's ingest applies them (``ingest.py``), so ``run.summary``,
``run.summary[...] = ...`` and a resume in the same spool work without the server. It answers
only for a run whose spool still holds its start (the ``create`` operation): a run begun
elsewhere, or whose earlier files were already uploaded and removed, is the server's to tell.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from fitscope.track import _spool
from fitscope.track._read import ordered
from fitscope.track._wire import snapshot, unpack
from fitscope.track.records import History, PredictionSnapshot, RunRecord

__all__ = ["read_spooled"]

Arrays = tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]


def _ops(directory: Path, run_id: str) -> list[dict[str, Any]]:
    """Every operation the spool holds for ``run_id``, oldest file first, in written order."""
    out: list[dict[str, Any]] = []
    for path in _spool.spool_files(directory):
        if not path.name.startswith(run_id + "."):
            continue
        try:
            frames = list(_spool.read_frames(path))
        except FileNotFoundError:  # uploaded and removed meanwhile
            continue
        for _, payload in frames:
            if payload.startswith(_spool.HEADER_START):
                continue
            batch = json.loads(payload)
            if batch.get("run_id") == run_id:
                out.extend(batch.get("ops") or ())
    return out


def read_spooled(directory: Path, run_id: str) -> tuple[RunRecord, dict[str, Any]] | None:
    """(the run, the values set on its summary) as its spool files hold them, or None when the
    spool does not hold the run's start."""
    run: dict[str, Any] | None = None
    chunks: dict[tuple[str, str], list[Arrays]] = {}
    keys: dict[tuple[str, str], str] = {}
    summary: dict[str, Any] = {}
    snapshots: list[PredictionSnapshot] = []
    for op in _ops(directory, run_id):
        kind = op.get("op")
        if kind == "create":
            run = {
                "project": op["project"],
                "name": op["name"],
                "config": dict(op.get("config") or {}),
                "tags": set(op.get("tags") or ()),
                "start_time": float(op["start_time"]),
                "status": "running",
                "end_time": None,
            }
        elif run is None:
            continue  # before its start: not this spool's run to tell
        elif kind in ("reopen", "config"):
            run["config"] = dict(op.get("config") or {})
            if kind == "reopen":
                run["status"], run["end_time"] = "running", None
        elif kind == "tags":
            run["tags"] |= set(op.get("tags") or ())
        elif kind == "points":
            arrays = tuple(
                unpack(op[part], dtype, part)
                for part, dtype in (("steps", "<i8"), ("values", "<f8"), ("times", "<f8"))
            )
            chunks.setdefault((op["split"], op["metric"]), []).append(arrays)  # type: ignore[arg-type]
        elif kind == "predictions":
            snapshots.append(snapshot(op))
        elif kind == "keys":
            for split, metric, key in op.get("keys") or ():
                keys.setdefault((split, metric), key)  # the first key of a series is kept
        elif kind == "summary":
            summary = dict(op.get("values") or {})
        elif kind == "state" and op.get("status") is not None:
            run["status"], run["end_time"] = op["status"], op.get("end_time")
    if run is None:
        return None
    histories: dict[tuple[str, str], History] = {
        (split, metric): ordered(
            metric,
            split,
            *(np.concatenate([c[i] for c in parts]) for i in range(3)),
        )
        for (split, metric), parts in chunks.items()
    }
    record = RunRecord(
        id=run_id,
        project=run["project"],
        name=run["name"],
        status=run["status"],
        config=run["config"],
        tags=sorted(run["tags"]),
        start_time=run["start_time"],
        end_time=run["end_time"],
        pairs=tuple(sorted(histories)),
        histories=histories,
        snapshots=tuple(sorted(snapshots, key=lambda p: (p.split, p.step))),  # as stores sort
        series_keys={pair: key for pair, key in keys.items() if pair in histories},
    )
    return record, summary
