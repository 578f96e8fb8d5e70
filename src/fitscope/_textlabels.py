"""Text labels held as Python objects (lists, object arrays, pandas columns), read once.

NumPy turns a list or object array of strings into a fixed-width unicode array by visiting
every object twice (its length, then its characters: 100-250 ms per 1e6 labels, measured
loaded), and encoding that array visits it again. Here the objects are hashed once instead
(``pandas.factorize`` for arrays and pandas columns where pandas is already imported; else
dict lookups in C against the classes of a strided sample, and a ``set`` of every label only
when the sample missed one), which finds the distinct labels and each label's index. The unicode
array is then rebuilt from the few classes (one ``take``) and remembered with its classes and
indices, so the label encoding (``fitscope.metrics._labels``) reads those instead of the
strings. Anything else (numbers, mixed types, None or NaN among the strings, 2-D input, short
input) gets None and takes the general path, which raises the errors.

A pandas column backed by pyarrow (pandas' default "str" dtype) and the text columns
``fitscope eval`` reads are read from Arrow's UTF-8 buffers instead (``from_arrow``): one
byte per label names a candidate class, and the label is compared with it exactly, with
no Python string made and no hash.

The remembered arrays are read-only (the indices must keep describing them) and are found by
identity, for as long as they live.
"""

from __future__ import annotations

import functools
import operator
import sys
import weakref
from typing import Any

import numpy as np
from numpy.typing import NDArray

IntArray = NDArray[np.int64]

# Shorter inputs take the general path: there the fixed costs of this one are not repaid.
MIN_SIZE = 4096

_known: dict[int, tuple[weakref.ref[NDArray[Any]], NDArray[Any], IntArray]] = {}


def _forget(key: int, ref: weakref.ref[NDArray[Any]]) -> None:
    entry = _known.get(key)
    if entry is not None and entry[0] is ref:
        del _known[key]


def _remember(arr: NDArray[Any], classes: NDArray[Any], codes: IntArray) -> None:
    arr.flags.writeable = False
    codes.flags.writeable = False
    key = id(arr)
    ref = weakref.ref(arr, functools.partial(_forget, key))
    _known[key] = (ref, classes, codes)


def known(arr: NDArray[Any]) -> tuple[NDArray[Any], IntArray] | None:
    """(sorted classes, index of each label) of an array made by ``from_objects``."""
    entry = _known.get(id(arr))
    if entry is None or entry[0]() is not arr:
        return None
    return entry[1], entry[2]


def from_objects(x: Any) -> NDArray[Any] | None:
    """``x`` as a unicode array, its encoding remembered; None where this does not apply."""
    pd = sys.modules.get("pandas")
    if pd is not None and isinstance(x, pd.Series | pd.Index | pd.Categorical):
        return _from_pandas(pd, x)
    if isinstance(x, list):
        if len(x) < MIN_SIZE or not isinstance(x[0], str):
            return None
    elif isinstance(x, np.ndarray):
        if x.dtype.kind != "O" or x.ndim != 1 or x.size < MIN_SIZE or not isinstance(x[0], str):
            return None
    else:
        return None
    if pd is not None and isinstance(x, np.ndarray):
        codes, uniques = pd.factorize(x)
        return _finish(list(uniques), np.asarray(codes, dtype=np.int64))
    items = x.tolist() if isinstance(x, np.ndarray) else x  # a list iterates 3x faster
    try:
        # The classes of a strided sample first: when they are all the classes (the common
        # case), the lookups of every label find them all and no set of every label is built.
        distinct = list(set(items[:: max(1, len(items) // 1024)]))
        if all(isinstance(u, str) for u in distinct):
            try:
                return _finish(distinct, _lookup(items, distinct))
            except KeyError:  # a label the sample missed
                pass
        distinct = list(set(items))
    except TypeError:  # unhashable items: not labels
        return None
    if not all(isinstance(u, str) for u in distinct):
        return None
    return _finish(distinct, _lookup(items, distinct))


def _lookup(items: list[Any], distinct: list[Any]) -> IntArray:
    """Each item's index in ``distinct``, by dict lookups in C (operator.itemgetter). With
    fewer than 55,296 classes each index travels as one character of a string that NumPy
    reads as a buffer: 1.5x faster than building an array from a million Python ints."""
    k = len(distinct)
    if k >= 0xD800:  # the surrogates have no UTF-16 code unit of their own
        index = {u: i for i, u in enumerate(distinct)}
        return np.array(operator.itemgetter(*items)(index), dtype=np.int64)
    chars = {u: chr(i) for i, u in enumerate(distinct)}
    text = "".join(operator.itemgetter(*items)(chars))
    if k <= 256:
        return np.frombuffer(text.encode("latin-1"), dtype=np.uint8).astype(np.int64)
    return np.frombuffer(text.encode("utf-16-le"), dtype=np.uint16).astype(np.int64)


def _from_pandas(pd: Any, x: Any) -> NDArray[Any] | None:
    if x.ndim != 1 or len(x) < MIN_SIZE:
        return None
    if isinstance(x.dtype, pd.CategoricalDtype):
        cat = x if isinstance(x, pd.Categorical) else x.array  # the codes, no copy
        codes = np.asarray(cat.codes).astype(np.int64)
        if codes.min() < 0:  # missing values
            return None
        used = np.flatnonzero(np.bincount(codes, minlength=len(cat.categories)))
        if used.size < len(cat.categories):
            # Only the categories present are classes, as when the values are read one by one.
            remap = np.full(len(cat.categories), -1, dtype=np.int64)
            remap[used] = np.arange(used.size)
            codes = remap.take(codes)
        return _finish(list(cat.categories[used]), codes)
    if x.dtype.kind != "O" and not isinstance(x.dtype, pd.StringDtype):
        return None
    if getattr(x.dtype, "storage", None) == "pyarrow" and "pyarrow" in sys.modules:
        # The public Arrow interchange of a pyarrow-backed column: its arrays, no copy.
        fast = from_arrow(x.array.__arrow_array__())
        if fast is not None:
            return fast
    codes, uniques = pd.factorize(x)
    return _finish(list(uniques), np.asarray(codes, dtype=np.int64))


def _finish(uniques: list[Any], codes: IntArray) -> NDArray[Any] | None:
    """The unicode array of ``uniques[codes]`` with its classes sorted; None when a label is
    missing (-1: None or NaN), not a string, or ends with NUL (which a unicode array drops)."""
    if not uniques or not all(isinstance(u, str) and not u.endswith("\0") for u in uniques):
        return None
    if codes.size and codes.min() < 0:
        return None
    names = np.array(uniques, dtype=str)
    order = np.argsort(names, kind="stable")
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size)
    classes = names[order]
    if np.any(order != np.arange(order.size)):
        codes = rank.take(codes)
    # Rows of code points taken whole (uint32 rows, then viewed as text): 1.7x faster than a
    # take of the unicode items themselves (measured: 4.0 against 7.0 ms per 1e6, 7 chars).
    width = max(1, classes.dtype.itemsize // 4)
    rows = np.ascontiguousarray(classes).view(np.uint32).reshape(classes.size, width)
    arr = rows.take(codes, axis=0).view(classes.dtype).reshape(codes.size)
    _remember(arr, classes, codes)
    return arr


# Rows per step of the exact check of Arrow text: its temporaries stay in the core's cache.
_ARROW_STEP = 1 << 16


def from_arrow(column: Any) -> NDArray[Any] | None:
    """A pyarrow string or large_string Array or ChunkedArray as a unicode array, its encoding
    remembered; None where this does not apply (other types, nulls, short input, names that
    no byte position tells apart, or a label the strided sample missed: the caller's general
    path handles those).

    Arrow keeps the labels as UTF-8 bytes in one buffer and where each starts in another, so
    no Python string is made: the classes of a strided sample give one byte position where
    they all differ (a label shorter than it reads as 256), that byte names each label's
    candidate class through a table, and the label is then checked exactly against the
    candidate (length and every byte).
    """
    pa = sys.modules.get("pyarrow")
    if pa is None:
        return None
    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    n = len(column)
    if n < MIN_SIZE or not (
        pa.types.is_string(column.type) or pa.types.is_large_string(column.type)
    ):
        return None
    if column.null_count:
        return None
    sample = column.take(pa.array(np.arange(0, n, max(1, n // 1024)))).to_pylist()
    names = sorted(set(sample))
    if not names or any(u.endswith("\0") for u in names):
        return None
    encoded = [u.encode("utf-8") for u in names]
    found = _telling_byte(encoded)
    if found is None:
        return None
    pos, table = found
    k, width = len(encoded), max(1, max(len(b) for b in encoded))
    lens = np.array([len(b) for b in encoded], dtype=np.int64)
    padded = np.zeros((k, width), dtype=np.uint8)
    for i, b in enumerate(encoded):
        padded[i, : len(b)] = np.frombuffer(b, dtype=np.uint8)
    filled = np.arange(width) < lens[:, None]
    offset_type = np.int64 if pa.types.is_large_string(column.type) else np.int32
    parts: list[IntArray] = []
    for chunk in chunks:
        if len(chunk) == 0:
            continue
        buffers = chunk.buffers()
        offsets = np.frombuffer(buffers[1], dtype=offset_type)[
            chunk.offset : chunk.offset + len(chunk) + 1
        ]
        data = (
            np.zeros(1, dtype=np.uint8)
            if buffers[2] is None or buffers[2].size == 0
            else np.frombuffer(buffers[2], dtype=np.uint8)
        )
        codes = _match_chunk(offsets, data, pos, table, padded, lens, filled)
        if codes is None:
            return None
        parts.append(codes)
    codes = parts[0] if len(parts) == 1 else np.concatenate(parts)
    # names are sorted by code point (UTF-8 bytes sort the same way): _finish keeps the order.
    return _finish(names, codes)


def _telling_byte(encoded: list[bytes]) -> tuple[int, IntArray] | None:
    """A byte position whose byte (256 past a name's end) differs between all the names, and
    the table from that byte to the name's index. Position -1: no byte tells them apart but
    their lengths do ("a", "ab", ...); the table maps lengths. A key no name has maps to name
    0, whose own key is another one: a label with that key fails the exact check, which
    compares that byte (or the length) too."""
    k = len(encoded)
    width = max(len(b) for b in encoded)
    for pos in range(width + 1):
        keys = [b[pos] if pos < len(b) else 256 for b in encoded]
        if len(set(keys)) == k:
            table = np.zeros(257, dtype=np.int64)
            table[keys] = np.arange(k)
            return pos, table
    lengths = [len(b) for b in encoded]
    if len(set(lengths)) == k:
        table = np.zeros(width + 2, dtype=np.int64)  # the last entry: longer than any name
        table[lengths] = np.arange(k)
        return -1, table
    return None


def _match_chunk(
    offsets: NDArray[Any],  # int32 (string) or int64 (large_string), as Arrow holds them
    data: NDArray[np.uint8],
    pos: int,
    table: IntArray,
    padded: NDArray[np.uint8],
    lens: IntArray,
    filled: NDArray[np.bool_],
) -> IntArray | None:
    """Each label's class index, or None when one is not exactly a class."""
    n = offsets.size - 1
    width = padded.shape[1]
    if pos >= 0 and (lens == width).all() and (np.diff(offsets) == width).all():
        return _match_equal(data[int(offsets[0]) :], n, pos, table, padded)
    offsets = offsets.astype(np.int64)
    out = np.empty(n, dtype=np.int64)
    last = data.size - 1
    for s in range(0, n, _ARROW_STEP):
        e = min(s + _ARROW_STEP, n)
        starts = offsets[s:e]
        length = offsets[s + 1 : e + 1] - starts
        if pos < 0:
            cand = table.take(np.minimum(length, table.size - 1))
        else:
            key = data.take(np.minimum(starts + pos, last)).astype(np.int64)
            key[length <= pos] = 256
            cand = table.take(key)
        if not np.array_equal(lens.take(cand), length):
            return None
        want = padded.take(cand, axis=0)[filled.take(cand, axis=0)]
        if not np.array_equal(want, data[offsets[s] : offsets[e]]):
            return None
        out[s:e] = cand
    return out


def _match_equal(
    data: NDArray[np.uint8], n: int, pos: int, table: IntArray, padded: NDArray[np.uint8]
) -> IntArray | None:
    """``_match_chunk`` when every label and every class is ``width`` bytes long (``data``
    starts at the first label): the labels are rows of ``data``, read as (unaligned) uint64
    words at a stride of ``width`` bytes and compared with the candidate's words."""
    width = padded.shape[1]
    words = -(-width // 8)
    cls = np.zeros((padded.shape[0], words * 8), dtype=np.uint8)
    cls[:, :width] = padded
    cls_words = cls.view(np.uint64)
    cand = table.take(data[: n * width].reshape(n, width)[:, pos])
    for q in range(words):
        # Rows whose word q lies inside the buffer are read in place; the last few (whose
        # word would run past its end) from a zero-padded copy.
        safe = min(n, max(0, (data.size - 8 * q - 8) // width + 1))
        got = np.ndarray((safe,), dtype=np.uint64, buffer=data, offset=8 * q, strides=(width,))
        if safe < n:
            rest = np.zeros((n - safe) * width + 8, dtype=np.uint8)
            rest[: (n - safe) * width] = data[safe * width : n * width]
            more = np.ndarray((n - safe,), np.uint64, buffer=rest, offset=8 * q, strides=(width,))
            got = np.concatenate([got, more])
        tail = width - 8 * q
        if tail < 8:  # little-endian: the bytes past the label are the high ones
            got = got & np.uint64((1 << (8 * tail)) - 1)
        if not np.array_equal(got, cls_words[:, q].take(cand)):
            return None
    return cand
