"""The wire form of arrays and prediction snapshots, shared by the client (``remote.py``: what
it spools and uploads), the server's ingest (``ingest.py``) and the offline read of a spool
(``_offline.py``): 1-d numbers as base64 of little-endian bytes, per-sample arrays as base64
``.npy`` without pickled objects.
"""

from __future__ import annotations

import base64
import binascii
import io
import zlib
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from fitscope.errors import InvalidInputError
from fitscope.track.records import PredictionSnapshot

__all__ = ["MAX_ARRAY_BYTES", "pack", "pack_npy", "snapshot", "unpack", "unpack_npy"]


def pack(arr: NDArray[Any], dtype: str, *, compress: bool = False) -> str:
    """A 1-d array as base64 of its little-endian bytes (NaN and inf travel as they are);
    ``compress``: zlib-compressed first, marked by a ``z:`` prefix (outside base64's alphabet).

    Steps and times are compressed (they shrink 5x to 50x at ~70 MB/s); values are not:
    training noise in float64 barely compresses, and zlib spent more CPU on it than the bytes
    it saved (measured: gzip of whole requests capped one client at ~120,000 points/s).
    """
    raw = np.ascontiguousarray(arr, dtype=dtype).tobytes()
    if compress:
        return "z:" + base64.b64encode(zlib.compress(raw, 1)).decode()
    return base64.b64encode(raw).decode()


#: Bytes one compressed array may inflate to at most (a zlib bomb stops here).
MAX_ARRAY_BYTES = 64 * 1024 * 1024


def unpack(text: Any, dtype: str, what: str) -> NDArray[Any]:
    """An array sent by :func:`pack`: base64, zlib-compressed first when marked ``z:``
    (the server's ingest and the offline read of a spool); InvalidInputError naming ``what``
    for anything else."""
    compressed = isinstance(text, str) and text.startswith("z:")
    try:
        raw = base64.b64decode(text[2:] if compressed else text, validate=True)
        if compressed:
            inflater = zlib.decompressobj()
            raw = inflater.decompress(raw, MAX_ARRAY_BYTES)
            if inflater.unconsumed_tail or not inflater.eof:
                raise ValueError("truncated, or inflates past the limit")
    except (binascii.Error, TypeError, ValueError, zlib.error) as error:
        raise InvalidInputError(
            f"{what} must be base64 text, or z: and base64 of zlib data, of at most "
            f"{MAX_ARRAY_BYTES} bytes. Got {str(text)[:40]!r} ({error}) instead."
        ) from error
    if len(raw) % 8:
        raise InvalidInputError(
            f"{what} must hold 8-byte numbers. Got {len(raw)} bytes instead (not a multiple of 8)."
        )
    return np.frombuffer(raw, dtype)


def pack_npy(arr: NDArray[Any]) -> str:
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=False)
    return base64.b64encode(buf.getvalue()).decode()


def unpack_npy(text: Any, what: str) -> NDArray[Any]:
    """An array sent by :func:`pack_npy` (no pickled objects), else InvalidInputError."""
    try:
        raw = base64.b64decode(text, validate=True)
        arr = np.load(io.BytesIO(raw), allow_pickle=False)
    except Exception as error:  # any malformed .npy (numpy raises several kinds)
        raise InvalidInputError(
            f"{what} must be a base64 .npy array without objects. Got {str(text)[:40]!r} "
            f"({type(error).__name__}) instead."
        ) from error
    if not isinstance(arr, np.ndarray) or arr.ndim == 0:
        raise InvalidInputError(f"{what} must be an array with one row per sample.")
    return arr


def snapshot(op: Mapping[str, Any]) -> PredictionSnapshot:
    """A prediction snapshot from its wire form (a spooled operation, an export's entry)."""
    ids = op.get("ids")
    return PredictionSnapshot(
        split=op["split"],
        step=int(op["step"]),
        time=float(op["time"]),
        y_true=unpack_npy(op["y_true"], "y_true"),
        y_pred=unpack_npy(op["y_pred"], "y_pred"),
        ids=None if ids is None else unpack_npy(ids, "ids"),
    )
