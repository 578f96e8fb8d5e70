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
    arr = classes.take(codes)
    _remember(arr, classes, codes)
    return arr
