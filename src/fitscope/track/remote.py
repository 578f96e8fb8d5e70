"""Logging to a fitscope server over HTTP, offline first.

:class:`RemoteStore` stands where a :class:`~fitscope.track.Store` stands behind a
:class:`~fitscope.track.Run`: the same ``log()`` front end and the same writer thread, which
hands a batch over every 0.2 s. Here a batch is appended to a local spool file (see
``_spool.py``) and the call returns; an uploader thread sends the spooled batches to the server
(gzip, keep-alive, retries with backoff) and moves the file's acknowledged offset on. So the
training thread never waits on the network, a server that is down only delays the upload, and a
``kill -9`` of the client loses nothing the writer had handed over.

Every batch carries an id (``<session>-<seq>``); the server records the ids it stored in the
same transaction as the points, so sending a batch twice stores it once (``fitscope sync`` may
run any number of times).

The client uses the standard library's ``http.client`` (a persistent connection) rather than
httpx or requests: a training node then needs nothing beyond fitscope's core dependencies.

Why one long file: the client's store face, its uploader thread and the spool hand-over share
one lock and one lifecycle (open, upload, finish, close), which is easier to check in one place.
"""

from __future__ import annotations

import base64
import http.client
import json
import logging
import os
import socket
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import numpy as np

from fitscope.errors import InvalidInputError, RunNotFoundError, StoreError
from fitscope.track import _spool
from fitscope.track._config import to_json_config, to_json_summary
from fitscope.track._offline import read_spooled
from fitscope.track._wire import MAX_ARRAY_BYTES as MAX_ARRAY_BYTES
from fitscope.track._wire import pack, pack_npy, snapshot
from fitscope.track._wire import unpack as unpack
from fitscope.track._wire import unpack_npy as unpack_npy  # (the wire form lived here first)
from fitscope.track.records import History, PredictionSnapshot, RunRecord
from fitscope.track.store import Chunk, Store

__all__ = [
    "MAX_REQUEST_BYTES",
    "RemoteStore",
    "default_spool_dir",
    "is_remote",
    "open_store",
    "sync",
]

default_spool_dir = _spool.default_spool_dir

log = logging.getLogger("fitscope.remote")

#: Uncompressed JSON sent in one request at most (the server refuses more than
#: ``fitscope.web.ingest.MAX_BODY_BYTES``).
MAX_REQUEST_BYTES = 8 * 1024 * 1024
#: How long finish() waits for the server to confirm a run's last batches before it leaves
#: them in the spool (it stops waiting at once when the server cannot be reached).
FINISH_WAIT = 30.0
_HOST = socket.gethostname()


def is_remote(url: object) -> bool:
    """Whether ``url`` names a fitscope server (http:// or https://)."""
    return isinstance(url, str) and url.startswith(("http://", "https://"))


def _config(config: Mapping[str, Any]) -> dict[str, Any]:
    # As the local store keeps it, refused at the call as the local store refuses it (a value
    # JSON cannot hold raises, naming its key path; it used to travel as its repr).
    return to_json_config(config)


def _finite(x: float | None) -> float | None:
    return None if x is None or not np.isfinite(x) else float(x)


# -- the client -------------------------------------------------------------------------------


class RemoteStore:
    """A fitscope server as the store behind runs, with a local spool in front of it.

    ``url``: ``http://host:port`` of ``fitscope ui --token ...``. ``token``: the server's token
    (default $FITSCOPE_TOKEN). ``spool``: the folder for not-yet-uploaded batches (default
    $FITSCOPE_SPOOL, else ``./.fitscope/spool``). ``offline=True`` only spools: nothing is sent
    until ``fitscope sync``.
    """

    def __init__(
        self,
        url: str,
        *,
        token: str | None = None,
        spool: str | os.PathLike[str] | None = None,
        offline: bool = False,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InvalidInputError(
                f"store must be http://HOST:PORT for a fitscope server. Got {url!r} instead."
            )
        self.url = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
        self.token = token if token is not None else os.environ.get("FITSCOPE_TOKEN")
        if self.token is not None and not self.token.strip():
            raise InvalidInputError("token must be a non-empty string. Got an empty one instead.")
        self.spool_dir = Path(spool) if spool is not None else _spool.default_spool_dir()
        self.offline = offline
        self._files: dict[str, _spool.SpoolFile] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._changed = threading.Condition()
        self._failures = 0  # consecutive failed attempts (0: the last one reached the server)
        self.last_error: str | None = None
        self._uploader: threading.Thread | None = None
        self._conn = _Connection(self.url, self.token)
        if not offline:
            self._uploader = threading.Thread(
                target=self._upload_loop, name="fitscope-uploader", daemon=True
            )
            self._uploader.start()

    @property
    def safe_url(self) -> str:
        return self.url

    def __repr__(self) -> str:
        return f"RemoteStore({self.url!r})"

    # -- what Run calls --------------------------------------------------------------------

    def _append(self, run_id: str, ops: list[dict[str, Any]], *, final: bool = False) -> None:
        with self._lock:
            spool = self._files.get(run_id)
            if spool is None:
                try:
                    spool = _spool.SpoolFile(self.spool_dir, run_id, self.url)
                except OSError as error:
                    raise StoreError(
                        f"spool must be a writable folder. Tried {str(self.spool_dir)!r} and "
                        f"got: {error.strerror}. Set FITSCOPE_SPOOL to a folder you can write."
                    ) from error
                self._files[run_id] = spool
            spool.append(ops, final=final)
        self._wake.set()

    def create_run(
        self,
        run_id: str,
        *,
        project: str,
        name: str,
        config: dict[str, Any],
        tags: Sequence[str],
        start_time: float,
    ) -> None:
        op = {
            "op": "create",
            "project": project,
            "name": name,
            "config": _config(config),
            "tags": sorted(set(tags)),
            "start_time": start_time,
            "host": _HOST,
            "pid": os.getpid(),
        }
        self._append(run_id, [op])

    def reopen_run(self, run_id: str, *, config: Mapping[str, Any]) -> None:
        op = {"op": "reopen", "config": _config(config), "host": _HOST, "pid": os.getpid()}
        self._append(run_id, [op, {"op": "state", "heartbeat": time.time()}])

    def set_config(self, run_id: str, config: Mapping[str, Any]) -> None:
        self._append(run_id, [{"op": "config", "config": _config(config)}])

    def tag_run(self, run_id: str, *tags: str) -> None:
        self._append(run_id, [{"op": "tags", "tags": sorted(set(tags))}])

    def set_user_summary(self, run_id: str, values: Mapping[str, Any]) -> None:
        """Replace the values a user set on a run's summary (checked here as a local store
        checks them; spooled, in a batch of its own, like every other change)."""
        self._append(run_id, [{"op": "summary", "values": to_json_summary(values)}])

    def user_summary(self, run_id: str) -> dict[str, Any]:
        """The values a user set on a run's summary ({} when none), as :meth:`get_run` reads
        the run."""
        return self._fetch(run_id)[1]

    def summaries(self, run_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """(the summary computed from the run's series, the values a user set on it), from one
        read of the run."""
        record, own = self._fetch(run_id)
        return record.summary, own

    def write(
        self,
        run_id: str,
        chunks: Iterable[Chunk],
        snapshots: Iterable[PredictionSnapshot] = (),
        *,
        heartbeat: float | None = None,
        status: str | None = None,
        end_time: float | None = None,
        keys: Sequence[tuple[str, str, str]] = (),
    ) -> None:
        """Spool one batch (points, snapshots, keys as written ``(split, metric, key)``,
        liveness); with ``status``, the run's last one, after which this waits (bounded) for
        the server to confirm the run."""
        ops: list[dict[str, Any]] = [
            {
                "op": "points",
                "split": split,
                "metric": metric,
                "steps": pack(steps, "<i8", compress=True),
                "values": pack(values, "<f8"),
                "times": pack(times, "<f8", compress=True),
            }
            for split, metric, steps, values, times in chunks
        ]
        ops += [
            {
                "op": "predictions",
                "split": s.split,
                "step": int(s.step),
                "time": s.time,
                "y_true": pack_npy(s.y_true),
                "y_pred": pack_npy(s.y_pred),
                "ids": None if s.ids is None else pack_npy(s.ids),
            }
            for s in snapshots
        ]
        if keys:
            # In a batch of their own, before the points they name: a server that cannot read
            # them (older than keys) sets that batch aside and still stores the points.
            self._append(run_id, [{"op": "keys", "keys": [list(k) for k in keys]}])
        state: dict[str, Any] = {"op": "state", "heartbeat": _finite(heartbeat)}
        if status is not None:
            state["status"], state["end_time"] = status, _finite(end_time)
        ops.append(state)
        self._append(run_id, ops, final=status is not None)
        if status is not None and not self.offline:
            self.wait_uploaded(FINISH_WAIT)

    def get_run(self, run_id: str, *, series: Any = True, predictions: bool = True) -> RunRecord:
        """The run as the server holds it (after waiting, bounded, for this client's uploads):
        every series (``series`` is accepted for the Store's signature), its keys as written,
        and its prediction snapshots unless ``predictions=False``.

        Offline (``offline=True``), or while the server cannot be reached, a run this spool
        holds from its start is read back from the spool instead (see ``_offline.py``)."""
        return self._fetch(run_id, predictions=predictions)[0]

    def _fetch(self, run_id: str, *, predictions: bool = False) -> tuple[RunRecord, dict[str, Any]]:
        """(the run, the values set on its summary), from the server or, failing that, the
        spool."""
        if self.offline:
            spooled = self._spooled(run_id)
            if spooled is not None:
                return spooled
        else:
            self.wait_uploaded(FINISH_WAIT)
        path = f"/api/ingest/runs/{quote(run_id, safe='')}"
        status, body = self._conn.request(
            "GET", path + ("?predictions=true" if predictions else "")
        )
        if status == 404:
            raise RunNotFoundError(_message(body))
        if status != 200:
            spooled = None if self.offline else self._spooled(run_id)
            if spooled is not None and (status == 0 or status >= 500):
                return spooled  # the server is away: what this client logged, from its spool
            raise StoreError(
                f"store must be a reachable fitscope server. Tried {self.url!r} and got "
                f"{_message(body) if status else body.decode(errors='replace')}."
            )
        payload = json.loads(body)
        return _record(payload), dict(payload.get("summary") or {})

    def _spooled(self, run_id: str) -> tuple[RunRecord, dict[str, Any]] | None:
        """The run and its summary values as this spool holds them (None: not from its start)."""
        with self._lock:  # the spool files as this process last appended to them
            return read_spooled(self.spool_dir, run_id)

    def close(self) -> None:
        """Stop uploading (what is left stays in the spool for ``fitscope sync``)."""
        with self._lock:
            for spool in self._files.values():
                spool.close()
        self._conn.close()

    # -- uploading -------------------------------------------------------------------------

    def pending(self) -> int:
        """Spool files of this client not yet fully confirmed by the server."""
        with self._lock:
            files = list(self._files.values())
        return sum(1 for f in files if f.path.exists() and _spool.acked(f.path) < _size(f.path))

    def wait_uploaded(self, timeout: float) -> bool:
        """Wait until the server holds everything spooled so far; give up after ``timeout``
        seconds or as soon as the server cannot be reached. Returns whether it all arrived."""
        deadline = time.monotonic() + timeout
        self._wake.set()
        with self._changed:
            failures = self._failures
            while self.pending():
                left = deadline - time.monotonic()
                if left <= 0 or self._failures > failures:
                    break
                self._changed.wait(min(left, 0.05))
        left_over = self.pending()
        if left_over:
            log.warning(
                "fitscope: %s could not be reached (%s); %d run file(s) wait in %s and upload "
                "when the server is back (while this process lives) or with: fitscope sync",
                self.url,
                self.last_error,
                left_over,
                self.spool_dir,
            )
        return not left_over

    def _upload_loop(self) -> None:
        delay = 0.0
        last_scan = 0.0
        while True:
            self._wake.wait(delay if delay else 1.0)
            self._wake.clear()
            with self._lock:
                own = list(self._files.values())
            paths: list[tuple[Path, _spool.SpoolFile | None]] = [(f.path, f) for f in own]
            if time.monotonic() - last_scan > 10:  # files left by clients that died
                last_scan = time.monotonic()
                known = {f.path for f in own}
                paths += [(p, None) for p in _spool.spool_files(self.spool_dir) if p not in known]
            ok = True
            for path, spool in paths:
                try:
                    if spool is not None:
                        self._upload_file(path, own=spool)
                    else:
                        with _spool.claimed(path) as mine:
                            if mine and _header_url(path) == self.url:
                                self._upload_file(path, own=None)
                except _Unreachable as error:
                    self.last_error = str(error)
                    ok = False
                    break
            with self._changed:
                self._failures = 0 if ok else self._failures + 1
                self._changed.notify_all()
            # Backoff while the server is away: 0.25 s doubling to 10 s.
            delay = 0.0 if ok else min(10.0, 0.25 * 2 ** min(self._failures, 6))

    def _upload_file(self, path: Path, *, own: _spool.SpoolFile | None) -> None:
        upload_file(self._conn, path)
        if own is not None:
            done = own.closed and _spool.acked(path) >= path.stat().st_size
            if done:
                with self._lock:
                    own.close()
                    self._files.pop(own.run_id, None)
                _spool.remove(path)
        elif path.exists() and _spool.acked(path) >= path.stat().st_size:
            _spool.remove(path)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _header_url(path: Path) -> str | None:
    head = _spool.header(path)
    return None if head is None else head.get("url")


class _Unreachable(Exception):
    """The server did not answer (or answered 5xx): try again later."""


class _Connection:
    """One keep-alive HTTP connection to the server (re-opened after an error)."""

    def __init__(self, url: str, token: str | None) -> None:
        parts = urlsplit(url)
        self.https = parts.scheme == "https"
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port
        self.prefix = parts.path.rstrip("/")
        self.token = token
        self._conn: http.client.HTTPConnection | None = None
        self._lock = threading.Lock()

    def request(
        self, method: str, path: str, body: bytes | None = None, *, gzipped: bool = False
    ) -> tuple[int, bytes]:
        """(status, body); status 0 when the server could not be reached."""
        headers = {"Accept": "application/json"}
        if self.token:
            headers["X-Fitscope-Token"] = self.token
        if body is not None:
            headers["Content-Type"] = "application/json"
            if gzipped:
                headers["Content-Encoding"] = "gzip"
        with self._lock:
            for attempt in range(2):  # a kept-alive connection the server closed: reconnect once
                if self._conn is None:
                    cls = http.client.HTTPSConnection if self.https else http.client.HTTPConnection
                    self._conn = cls(self.host, self.port, timeout=60)
                try:
                    self._conn.request(method, self.prefix + path, body=body, headers=headers)
                    response = self._conn.getresponse()
                    return response.status, response.read()
                except (OSError, http.client.HTTPException) as error:
                    self._conn.close()
                    self._conn = None
                    if attempt:
                        return 0, f"{type(error).__name__}: {error}".encode()
        return 0, b"unreachable"  # pragma: no cover

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


def _message(body: bytes) -> str:
    try:
        return str(json.loads(body)["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return body.decode(errors="replace")[:500]


def upload_file(conn: _Connection, path: Path) -> int:
    """Send the unconfirmed batches of one spool file, in requests of at most
    :data:`MAX_REQUEST_BYTES`; returns how many the server stored (duplicates not counted).

    A batch the server refuses (a 4xx naming it) is kept next to the file, in
    ``<file>.refused``, with the reason, and the upload goes on. Raises _Unreachable when the
    server is down, answers 5xx, or refuses the token.
    """
    offset = _spool.acked(path)
    stored = 0
    frames = list(_spool.read_frames(path, offset))
    i = 0
    while i < len(frames):
        group: list[bytes] = []
        size = 0
        end = offset
        while i < len(frames) and (not group or size + len(frames[i][1]) < MAX_REQUEST_BYTES):
            end, payload = frames[i]
            i += 1
            if payload.startswith(_spool.HEADER_START):
                continue
            group.append(payload)
            size += len(payload) + 1
        if group:
            results = _send(conn, group)
            refused = [r for r in results if r.get("status") == "refused"]
            stored += sum(1 for r in results if r.get("status") == "stored")
            if refused:
                by_id = {json.loads(g)["batch_id"]: g for g in group}
                with open(path.with_suffix(".refused"), "a") as f:
                    for r in refused:
                        batch = by_id.get(r.get("batch_id"), b"{}").decode()
                        f.write(json.dumps({"error": r.get("error"), "batch": batch}) + "\n")
                        log.warning("fitscope: the server refused a batch: %s", r.get("error"))
        offset = end
        _spool.set_acked(path, offset)
    return stored


def _send(conn: _Connection, group: list[bytes]) -> list[dict[str, Any]]:
    """POST spooled batches; the server's result for each (stored, duplicate or refused)."""
    # Not gzipped again: the bulky parts (steps, times) are compressed inside.
    body = b'{"batches":[' + b",".join(group) + b"]}"
    status, answer = conn.request("POST", "/api/ingest", body)
    if status == 0 or status >= 500:
        raise _Unreachable(_message(answer) if status else answer.decode())
    if status in (401, 403):
        raise _Unreachable(_message(answer))
    if status not in (200, 422):
        raise _Unreachable(f"HTTP {status}: {_message(answer)}")
    try:
        parsed = json.loads(answer)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        parsed = {}
    if status == 422 and not isinstance(parsed.get("results"), list):
        # The request failed the server's schema as a whole (e.g. an operation a server
        # older than this client does not know): each batch alone, so that only the batches
        # it cannot read are set aside and the others land.
        if len(group) > 1:
            return [result for one in group for result in _send(conn, [one])]
        batch_id = json.loads(group[0]).get("batch_id")
        error = {"type": "InvalidInputError", "message": _message(answer)}
        return [{"batch_id": batch_id, "status": "refused", "error": error}]
    results: list[dict[str, Any]] = parsed.get("results", [])
    return results


def sync(
    store: str | None = None,
    *,
    token: str | None = None,
    spool: str | os.PathLike[str] | None = None,
) -> dict[str, int]:
    """Upload every spool file whose writer is gone (to ``store``, else the server each file
    names). Idempotent: batches the server already holds are not stored twice.

    Returns ``{"files", "batches", "left"}``: files looked at, batches stored, files left.
    """
    directory = Path(spool) if spool is not None else _spool.default_spool_dir()
    token = token if token is not None else os.environ.get("FITSCOPE_TOKEN")
    files = stored = left = 0
    conns: dict[str, _Connection] = {}
    try:
        for path in _spool.spool_files(directory):
            with _spool.claimed(path) as mine:
                if not mine:
                    left += 1  # a live client is writing it and uploads it itself
                    continue
                url = store or _header_url(path)
                if not url or not is_remote(url):
                    left += 1
                    continue
                files += 1
                conn = conns.setdefault(url, _Connection(url.rstrip("/"), token))
                try:
                    stored += upload_file(conn, path)
                except _Unreachable as error:
                    raise StoreError(
                        f"store must be a reachable fitscope server. Tried {url!r} and got: "
                        f"{error}. Start it with: fitscope ui --token TOKEN (the spool is kept)."
                    ) from error
                if _spool.acked(path) >= path.stat().st_size:
                    _spool.remove(path)
                else:  # pragma: no cover - a torn tail after a crash stays for inspection
                    left += 1
    finally:
        for conn in conns.values():
            conn.close()
    return {"files": files, "batches": stored, "left": left}


def _record(payload: dict[str, Any]) -> RunRecord:
    """A RunRecord from the server's exact export of a run."""
    histories = {
        (s["split"], s["metric"]): History(
            s["metric"],
            s["split"],
            np.frombuffer(base64.b64decode(s["steps"]), "<i8").astype(np.int64),
            np.frombuffer(base64.b64decode(s["values"]), "<f8").astype(np.float64),
            np.frombuffer(base64.b64decode(s["times"]), "<f8").astype(np.float64),
        )
        for s in payload["series"]
    }
    # "keys" came with issue 15: an older server's answer has none.
    keys = {(s, m): k for s, m, k in payload.get("keys") or ()}
    return RunRecord(
        id=payload["id"],
        project=payload["project"],
        name=payload["name"],
        status=payload["status"],
        config=payload["config"],
        tags=payload["tags"],
        start_time=payload["start_time"],
        end_time=payload["end_time"],
        pairs=tuple(sorted(histories)),
        histories=histories,
        # Sent back when asked for (get_run's default); resume and run.summary go without.
        snapshots=tuple(snapshot(p) for p in payload.get("predictions") or ()),
        series_keys=keys,
    )


_MODES = ("online", "offline")
_CLIENTS: dict[tuple[str, str | None, str, str | None], RemoteStore] = {}
_CLIENTS_LOCK = threading.Lock()


def open_store(
    store: Store | RemoteStore | str | os.PathLike[str] | None,
    *,
    token: str | None = None,
    mode: str | None = None,
) -> Store | RemoteStore:
    """The store ``init`` logs into: a Store or RemoteStore as given, a server for an http(s)
    URL (also from $FITSCOPE_STORE), else a local SQLite file or PostgreSQL database."""
    if mode is not None and mode not in _MODES:
        raise InvalidInputError(f"mode must be one of {_MODES}. Got {mode!r} instead.")
    if isinstance(store, Store | RemoteStore):
        return store
    url = store if store is not None else os.environ.get("FITSCOPE_STORE")
    if is_remote(url):
        token = token if token is not None else os.environ.get("FITSCOPE_TOKEN")
        key = (str(url).rstrip("/"), token, str(_spool.default_spool_dir().resolve()), mode)
        # One client (one uploader thread, one connection) per server and spool in a process,
        # however many runs it starts (a sweep of 1,000 runs must not make 1,000 threads).
        with _CLIENTS_LOCK:
            client = _CLIENTS.get(key)
            if client is None:
                client = _CLIENTS[key] = RemoteStore(
                    str(url), token=token, offline=mode == "offline"
                )
        return client
    if token is not None:
        raise InvalidInputError(
            "token must go with a server URL (store='http://HOST:PORT'). Got a token for the "
            f"local store {str(url or 'default')!r} instead."
        )
    return Store(store)
