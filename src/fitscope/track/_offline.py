"""A server store's run read back from the client's spool alone (offline mode, server away).

A run logged with ``mode="offline"`` (or while its server is down) exists only as batches in the
spool until ``fitscope sync``. :func:`read_spooled` hands those batches, in the order they were
written, to the server's own ingest (:func:`fitscope.track.ingest.apply_batch`) into a store in
memory, and reads the run back with that store's own read: the offline view is what the server
will store and answer, by construction, with no second reading of the operations to drift from
it. So ``run.summary``, ``run.summary[...] = ...`` and a resume in the same spool work without
the server.

It answers only for a run whose spool still holds its start (the ``create`` operation): a run
begun elsewhere, or whose earlier files were already uploaded and removed, is the server's to
tell. As on the server:

- a batch the ingest refuses (a :class:`~fitscope.errors.FitscopeError`: an operation that
  fails its check, a batch of the run before its start) is set aside whole and the others still
  apply; the server answers such a batch "refused", and the client notes it in ``<file>.refused``
  and uploads the rest;
- a batch the spool holds twice (the same batch id, e.g. written again after a retry) applies
  once, as the ingest stores a batch id once;
- a run left "running" whose last heartbeat is older than ``STALE_AFTER`` reads as "crashed".

The batches go to the ingest joined into one batch (one transaction); only when that one is
refused are they split in halves, and so on down to the batch refused, so the result is the
same as applying them one at a time. A batch id met again is skipped here (the joined batch
records only its first id, so the ingest's own check by id would not see the repeat).

The cost is one SQLite database in memory per read (its tables made, the batches applied, the
run read): about 40 ms for a run of 10,000 points written in 1 to 50 batches, most of it making
the tables, and about 1 s in 10,000 batches of one point each (``bench/offline_read.py``).
Reads happen on ``run.summary`` and on resume, never per ``log()`` call.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fitscope.errors import FitscopeError, RunNotFoundError
from fitscope.track import _spool
from fitscope.track._engine import MEMORY
from fitscope.track.ingest import apply_batch, check_envelope
from fitscope.track.records import RunRecord
from fitscope.track.store import Store

__all__ = ["read_spooled"]


def _batches(directory: Path, run_id: str) -> Iterator[dict[str, Any]]:
    """Every batch the spool holds for ``run_id``, oldest file first, in written order."""
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
            try:
                batch = json.loads(payload)
            except ValueError:  # not a batch the server could read either
                continue
            if not isinstance(batch, dict) or batch.get("run_id") != run_id:
                continue
            try:
                check_envelope(batch)  # joined with others below, only its ops would be checked
            except FitscopeError:
                continue  # refused whole by the server too
            yield batch


def _apply(store: Store, batches: list[dict[str, Any]]) -> None:
    """``batches`` applied in turn, each refused batch set aside: all of them as one batch
    first (one transaction), and only when that is refused, each half the same way."""
    if not batches:
        return
    ops = [op for batch in batches for op in (batch.get("ops") or ())]
    joined = {"run_id": batches[0]["run_id"], "batch_id": batches[0].get("batch_id"), "ops": ops}
    try:
        apply_batch(store, joined if len(batches) > 1 else batches[0])
    except FitscopeError:
        if len(batches) == 1:
            return  # refused whole, as the server refuses it (see the module)
        half = len(batches) // 2
        _apply(store, batches[:half])
        _apply(store, batches[half:])


def read_spooled(directory: Path, run_id: str) -> tuple[RunRecord, dict[str, Any]] | None:
    """(the run, the values set on its summary) as the server will hold them once it has this
    spool's batches, or None when the spool does not hold the run's start."""
    seen: set[Any] = set()
    batches = []
    for batch in _batches(directory, run_id):
        if batch.get("batch_id") not in seen:  # the same batch again: applied once
            seen.add(batch.get("batch_id"))
            batches.append(batch)
    store = Store(MEMORY[0])
    try:
        _apply(store, batches)
        try:
            record = store.get_run(run_id)
        except RunNotFoundError:
            return None  # no create applied: not this spool's run to tell
        return record, store.user_summary(run_id)
    finally:
        store.close()
