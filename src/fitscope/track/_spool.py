"""The client's local spool: what a remote run logged, on disk until the server has it.

One append-only file per run and writing session (``<run_id>.<session>.fsp``) holds framed batches:
``[length u32][crc32 u32][JSON bytes]``. The first frame is a header naming the server and the
run. A batch is written (``os.write``, no user-space buffer) before the writer thread lets go of
it, so a ``kill -9`` of the client keeps everything the writer has handed over (it does every
0.2 s). A crash mid-frame leaves a torn tail that the length and CRC reveal; readers stop there.

``<file>.ack`` holds the byte offset up to which the server has confirmed every batch; it is
replaced atomically. While its writer lives the file is locked (``flock``), so another process
(``fitscope sync``, another client) uploads a spool file only once its writer is gone; the lock
goes with the process, ``kill -9`` included.

Hand-written rather than a library: the format is 30 lines and must stay append-only and
readable while it is being written, which SQLite (one writer lock) or a queue library would not
give for free.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import struct
import uuid
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["SpoolFile", "default_spool_dir", "read_frames", "spool_files"]

_FRAME = struct.Struct("<II")
#: How a header frame's JSON starts (batches start with '{"run_id"').
HEADER_START = b'{"kind":"header"'
SUFFIX = ".fsp"


def default_spool_dir() -> Path:
    """$FITSCOPE_SPOOL, else ``./.fitscope/spool`` (next to the default local store)."""
    env = os.environ.get("FITSCOPE_SPOOL")
    return Path(env).expanduser() if env else Path(".fitscope") / "spool"


def _frame(payload: bytes) -> bytes:
    return _FRAME.pack(len(payload), zlib.crc32(payload)) + payload


def read_frames(path: Path, offset: int = 0) -> Iterator[tuple[int, bytes]]:
    """``(end_offset, payload)`` of each whole frame after ``offset``; stops at a torn tail."""
    with open(path, "rb") as f:
        f.seek(offset)
        data = f.read()
    pos = 0
    while pos + _FRAME.size <= len(data):
        length, crc = _FRAME.unpack_from(data, pos)
        start, end = pos + _FRAME.size, pos + _FRAME.size + length
        if end > len(data) or zlib.crc32(data[start:end]) != crc:
            return  # torn or still being written
        yield offset + end, data[start:end]
        pos = end


def header(path: Path) -> dict[str, Any] | None:
    """The header frame of a spool file (None if it is unreadable)."""
    for _, payload in read_frames(path):
        try:
            head = json.loads(payload)
        except ValueError:
            return None
        return head if isinstance(head, dict) and head.get("kind") == "header" else None
    return None


def acked(path: Path) -> int:
    """Byte offset up to which the server confirmed the file (0 when nothing is)."""
    try:
        return int(path.with_suffix(".ack").read_text() or 0)
    except (OSError, ValueError):
        return 0


def set_acked(path: Path, offset: int) -> None:
    tmp = path.with_suffix(".ack.tmp")
    tmp.write_text(str(offset))
    os.replace(tmp, path.with_suffix(".ack"))


def remove(path: Path) -> None:
    for p in (path, path.with_suffix(".ack")):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()


def spool_files(directory: Path) -> list[Path]:
    """Every spool file in ``directory``, oldest first."""
    if not directory.is_dir():
        return []
    return sorted(directory.glob(f"*{SUFFIX}"), key=lambda p: p.stat().st_mtime)


@contextlib.contextmanager
def claimed(path: Path) -> Iterator[bool]:
    """Lock a spool file whose writer is gone; yields False when a live process holds it."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        yield False
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)  # releases the lock


class SpoolFile:
    """The file one run of this process appends its batches to (locked while open)."""

    def __init__(self, directory: Path, run_id: str, url: str) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        # A new session per file: batch ids ("<session>-<seq>") never repeat, even when a run
        # is resumed by the process that logged it.
        session = uuid.uuid4().hex[:16]
        self.path = directory / f"{run_id}.{session}{SUFFIX}"
        self.run_id = run_id
        self.session = session
        self.next_seq = 0
        self.closed = False  # the run's final state is in the file
        self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        head = {"kind": "header", "url": url, "run_id": run_id, "session": session}
        os.write(self._fd, _frame(json.dumps(head, separators=(",", ":")).encode()))

    def append(self, ops: list[dict[str, Any]], *, final: bool = False) -> None:
        batch = {
            "run_id": self.run_id,
            "batch_id": f"{self.session}-{self.next_seq}",
            "ops": ops,
        }
        payload = json.dumps(batch, separators=(",", ":")).encode()
        os.write(self._fd, _frame(payload))  # one write per frame: whole or torn, never mixed
        self.next_seq += 1
        if final:
            self.closed = True

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
