"""Text labels held as Python objects (lists, object arrays, pandas columns) or in Arrow, read
once into a ``CodedText``: the few distinct names and each label's index among them.

NumPy turns a list or object array of strings into a fixed-width unicode array by visiting
every object twice (its length, then its characters: 100-250 ms per 1e6 labels, measured
loaded), and encoding that array visits it again. Here the objects are hashed once instead
(``pandas.factorize`` for arrays and pandas columns where pandas is already imported; else
dict lookups in C against the classes of a strided sample, and a ``set`` of every label only
when the sample missed one), which finds the distinct labels and each label's index. The label
encoding (``fitscope.metrics._labels``) works on those indices; the unicode array of every
label is built only for a reader that needs the strings themselves (``CodedText.array``).
Anything else (numbers, mixed types, None or NaN among the strings, 2-D input, short input)
gets None and takes the general path, which raises the errors.

A pandas column backed by pyarrow (pandas' default "str" dtype) and the text columns
``fitscope eval`` reads are read from Arrow's UTF-8 buffers instead (``from_arrow``): one
byte per label names a candidate class, and the label is compared with it exactly, with
no Python string made and no hash.
"""

from __future__ import annotations

import operator
import sys
from typing import Any

import numpy as np
from numpy.typing import NDArray

IntArray = NDArray[np.int64]

# Shorter inputs take the general path: there the fixed costs of this one are not repaid.
MIN_SIZE = 4096


class CodedText:
    """A 1-D column of text labels as ``classes`` (distinct, sorted by code point, a unicode
    array, each one occurring) and ``codes`` (each label's index into them), both read-only.
    ``codes`` is the narrowest unsigned type that holds the indices where the reader made it
    so (uint8 for up to 256 classes: 1 MB per 1e6 labels to write instead of 8), so arithmetic
    on it must widen first; ``indices()`` gives them as int64.

    It answers what the label checks ask of an array (``shape``, ``ndim``, ``size``,
    ``dtype``, ``len``, indexing by position, slice, mask or indices) from those two, and
    ``np.asarray`` (or ``array()``) gives the unicode array of every label, built once on
    first use: the metrics never need it, since a label's class is its code.
    """

    __slots__ = ("_array", "classes", "codes")
    ndim = 1

    def __init__(self, classes: NDArray[Any], codes: NDArray[Any]) -> None:
        classes.flags.writeable = False
        codes.flags.writeable = False
        self.classes = classes
        self.codes = codes
        self._array: NDArray[Any] | None = None

    @property
    def shape(self) -> tuple[int]:
        return (self.codes.size,)

    @property
    def size(self) -> int:
        return int(self.codes.size)

    @property
    def dtype(self) -> np.dtype[Any]:
        return self.classes.dtype

    def __len__(self) -> int:
        return int(self.codes.size)

    def indices(self) -> IntArray:
        """Each label's index into ``classes``, as int64."""
        out: IntArray = self.codes.astype(np.int64, copy=False)
        return out

    def __getitem__(self, rows: Any) -> Any:
        picked = self.codes[rows]
        if picked.ndim == 0:  # one position: the label itself, as an array would give it
            return self.classes[picked]
        k = self.classes.size
        used = np.flatnonzero(np.bincount(picked, minlength=k))
        if used.size == k:
            return CodedText(self.classes, picked)
        # Only the classes the rows hold stay classes, as when those rows are read anew.
        remap = np.zeros(k, dtype=np.int64)
        remap[used] = np.arange(used.size)
        return CodedText(self.classes[used], remap.take(picked))

    def array(self) -> NDArray[Any]:
        """The unicode array of every label (read-only; built on the first call)."""
        if self._array is None:
            # Rows of code points taken whole (uint32 rows, then viewed as text): 1.7x faster
            # than a take of the unicode items themselves (4.0 against 7.0 ms per 1e6, 7 chars).
            classes = self.classes
            width = max(1, classes.dtype.itemsize // 4)
            rows = np.ascontiguousarray(classes).view(np.uint32).reshape(classes.size, width)
            arr = rows.take(self.codes, axis=0).view(classes.dtype).reshape(self.codes.size)
            arr.flags.writeable = False
            self._array = arr
        return self._array

    def __array__(self, dtype: Any = None, copy: Any = None) -> NDArray[Any]:
        arr = self.array()
        if dtype is not None and np.dtype(dtype) != arr.dtype:
            if copy is False:  # numpy 2's protocol: no copy asked, one needed
                raise ValueError(f"CodedText of {arr.dtype} cannot become {dtype} without a copy")
            return arr.astype(dtype)
        return arr.copy() if copy else arr

    def __repr__(self) -> str:
        return f"CodedText({self.size} labels, classes={self.classes.tolist()!r})"


Labels = NDArray[Any] | CodedText


def plain(x: Labels) -> NDArray[Any]:
    """``x`` as an array: the unicode array of a ``CodedText``, any array as it is."""
    return x.array() if isinstance(x, CodedText) else x


def from_objects(x: Any) -> CodedText | None:
    """``x`` read once as ``CodedText``; None where this does not apply."""
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


def _lookup(items: list[Any], distinct: list[Any]) -> NDArray[Any]:
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
        return np.frombuffer(text.encode("latin-1"), dtype=np.uint8)
    return np.frombuffer(text.encode("utf-16-le"), dtype=np.uint16)


def _from_pandas(pd: Any, x: Any) -> CodedText | None:
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


def _finish(uniques: list[Any], codes: NDArray[Any]) -> CodedText | None:
    """``uniques[codes]`` with its classes sorted; None when a label is missing (-1: None or
    NaN), not a string, or ends with NUL (which a unicode array drops)."""
    if not uniques or not all(isinstance(u, str) and not u.endswith("\0") for u in uniques):
        return None
    if codes.size and codes.min() < 0:
        return None
    names = np.array(uniques, dtype=str)
    order = np.argsort(names, kind="stable")
    if np.any(order != np.arange(order.size)):
        rank = np.empty(order.size, dtype=np.int64)
        rank[order] = np.arange(order.size)
        codes = rank.take(codes)
    return CodedText(names[order], codes)


# Rows per step of the exact check of Arrow text: its temporaries stay in the core's cache.
_ARROW_STEP = 1 << 16


def from_arrow(column: Any) -> CodedText | None:
    """A pyarrow string or large_string Array or ChunkedArray read once as ``CodedText``;
    None where this does not apply (other types, nulls, short input, names that no byte
    position tells apart, or a label the strided sample missed: the caller's general path
    handles those).

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
    parts: list[NDArray[Any]] = []
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
) -> NDArray[Any] | None:
    """Each label's class index, or None when one is not exactly a class."""
    n = offsets.size - 1
    width = padded.shape[1]
    if pos >= 0 and (lens == width).all() and int(offsets[-1]) - int(offsets[0]) == n * width:
        # Every class is ``width`` bytes and so are the labels together: each label must be
        # too (checked step by step in _match_equal), or it is no class.
        return _match_equal(offsets, data[int(offsets[0]) :], pos, table, padded)
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
    offsets: NDArray[Any],
    data: NDArray[np.uint8],
    pos: int,
    table: IntArray,
    padded: NDArray[np.uint8],
) -> NDArray[Any] | None:
    """``_match_chunk`` when every class is ``width`` bytes long and the labels together are
    ``n * width`` (``data`` starts at the first label): each label must start ``width`` bytes
    after the one before, and is then row r of ``data``, read as (unaligned) uint64 words at
    a stride of ``width`` bytes and compared with the words its telling byte expects.

    The work goes in steps of ``_EQUAL_STEP`` rows whose temporaries stay in the core's cache,
    every array of the column is written once (the codes) and the telling bytes are turned into
    indices per step: numpy's ``take`` converts small-integer indices to intp, which for the
    whole column is an 8 MB array per 1e6 labels. (Measured on 1e6 labels of 7 bytes, quiet
    machine: 7.4 ms per column before these steps, see the bench in docs/metrics.md.)"""
    n = offsets.size - 1
    width = padded.shape[1]
    words = -(-width // 8)
    k = padded.shape[0]
    cls = np.zeros((k, words * 8), dtype=np.uint8)
    cls[:, :width] = padded
    # Word q of the class each telling byte names: one row per word, one entry per byte value.
    # A byte no class has names class 0, whose own byte differs, so such a label fails.
    by_key = np.ascontiguousarray(cls.view(np.uint64).take(table[:256], axis=0).T)
    # little-endian: the bytes of a last word past the label are its high ones
    masks = [np.uint64((1 << (8 * min(8, width - 8 * q))) - 1) for q in range(words)]
    # The codes in the narrowest type (a take writes the type of its table).
    table = table.astype(np.uint8 if k <= 256 else np.uint16)
    codes = np.empty(n, dtype=table.dtype)
    # Rows whose every word lies inside the buffer are read in place; the last few (whose
    # words would run past its end) from a zero-padded copy.
    safe = min(n, max(0, (data.size - 8 * words) // width + 1))
    tail = np.zeros((n - safe) * width + 8 * words, dtype=np.uint8)
    tail[: (n - safe) * width] = data[safe * width : n * width]
    step = _EQUAL_STEP
    index = np.empty(min(n, step), dtype=np.intp)
    got = np.empty(min(n, step), dtype=np.uint64)
    want = np.empty_like(got)
    gaps = np.empty(min(n, step), dtype=offsets.dtype)
    differ = np.empty(min(n, step), dtype=bool)
    for buf, first, last in ((data, 0, safe), (tail, safe, n)):
        for s in range(first, last, step):
            e = min(s + step, last)
            m = e - s
            np.subtract(offsets[s + 1 : e + 1], offsets[s:e], out=gaps[:m])
            if (gaps[:m] != width).any():
                return None  # a label of another length: no class
            r = s - first  # the row in buf
            keys = np.ndarray((m,), np.uint8, buffer=buf, offset=r * width + pos, strides=(width,))
            idx = index[:m]
            np.copyto(idx, keys, casting="unsafe")
            # mode="clip": every index is a byte, inside both tables; the default mode buffers
            # the output of a take with out= (numpy's docs), which doubles its cost here.
            table.take(idx, out=codes[s:e], mode="clip")
            for q, mask in enumerate(masks):
                row = np.ndarray((m,), np.uint64, buffer=buf, offset=r * width + 8 * q,
                                 strides=(width,))  # fmt: skip
                np.bitwise_and(row, mask, out=got[:m])
                by_key[q].take(idx, out=want[:m], mode="clip")
                np.not_equal(got[:m], want[:m], out=differ[:m])
                if differ[:m].any():
                    return None
    return codes


_EQUAL_STEP = 1 << 14
