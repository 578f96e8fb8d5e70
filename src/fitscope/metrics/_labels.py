"""Class labels of any kind (strings, negative or sparse integers, booleans) as indices 0..K-1.

Encoding happens once per batch, vectorised. Integer labels already in 0..K-1 (and 0/1 for 1-D
scores) take the identity path: no sort and no copy, so the common case costs what it did.
Every other label set is encoded against ``classes``, an array of the label values in index
order: the sorted labels seen (as scikit-learn), ``labels=`` as given, or for 1-D scores the
pair ``[negative, positive]``.

The rules (docs/metrics.md, "Class labels"):
- ``labels=`` fixes the set and order; a label outside it is an error (scikit-learn's
  confusion_matrix silently drops such samples; dropping data silently is not ours to do).
- Predicted labels: the classes are the sorted union of the labels seen in y_true and y_pred;
  batches that bring new labels merge exactly (counts are re-indexed onto the union).
- 2-D scores: column j is the j-th sorted label (or ``labels[j]``); the first batch must show
  all K labels unless ``labels=`` is given, and later batches may not bring new ones.
- 1-D scores: the positive class is ``pos_label``, else ``labels[1]``, else the greater of the
  two labels (1 for 0/1 and -1/+1, True for booleans), as scikit-learn's roc_auc and log_loss.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from fitscope import _validation as v
from fitscope._textlabels import CodedText, Labels, plain
from fitscope.errors import InvalidInputError

IntArray = NDArray[np.int64]


def kind(arr: Labels) -> str:
    """'str' for text labels, 'num' for numbers and booleans."""
    return "str" if arr.dtype.kind in "US" else "num"


def show(values: Any, limit: int = 8) -> str:
    items = list(values.tolist() if hasattr(values, "tolist") else values)
    text = ", ".join(repr(x) for x in items[:limit])
    return f"[{text}{', ...' if len(items) > limit else ''}]"


def check_same_kind(a: Labels, name_a: str, b: Labels, name_b: str) -> None:
    if kind(a) != kind(b):
        raise InvalidInputError(
            f"{name_b} must hold labels of the same type as {name_a} (strings with strings, "
            f"numbers with numbers). Got {kind(b)} labels in {name_b} and {kind(a)} labels in "
            f"{name_a} instead."
        )


def as_classes(labels: Any, name: str = "labels") -> NDArray[Any]:
    """Validate ``labels=``: a non-empty 1-D sequence of distinct labels of one type."""
    arr = v.as_label_array(labels, name)
    v.check_ndim(arr, name, (1,))
    if arr.size == 0:
        raise InvalidInputError(f"{name} must name at least one class. Got an empty list instead.")
    if np.unique(arr).size != arr.size:
        u, counts = np.unique(arr, return_counts=True)
        raise InvalidInputError(
            f"{name} must hold distinct labels. Got {u[counts > 1][0].item()!r} more than once "
            "instead."
        )
    return arr


def identity_ok(arr: Labels) -> bool:
    """Labels that already are indices: non-negative integers (or booleans, integral floats)."""
    if arr.dtype.kind == "b":
        return True
    if isinstance(arr, np.ndarray) and arr.dtype.kind in "iu":
        return arr.size == 0 or arr.min() >= 0
    return False


def lookup(values: Labels, classes: NDArray[Any], name: str, source: str) -> IntArray:
    """Index of each value in ``classes``; an error names the first value not there."""
    if kind(values) != kind(classes):
        raise InvalidInputError(
            f"{name} must hold labels of the same type as {source} (strings with strings, "
            f"numbers with numbers). Got {kind(values)} labels instead of {kind(classes)} ones."
        )
    if isinstance(values, CodedText):  # text read once: place its few classes, not every label
        table, lost = _find(values.classes, classes)
        if not lost.any():
            out: IntArray = table.take(values.codes)
            return out
        values = values.array()  # for the error's position and value
    idx, miss = _find(values, classes)
    if miss.any():
        i = int(np.flatnonzero(miss)[0])
        raise InvalidInputError(
            f"{name} must hold labels among {source} {show(classes)}. Got {values[i].item()!r} at "
            f"index {i} instead. Pass labels=[...] with every class the data can hold."
        )
    return idx


def _find(values: NDArray[Any], classes: NDArray[Any]) -> tuple[IntArray, NDArray[np.bool_]]:
    """Index of each value in ``classes`` (in any order), and where a value is not there."""
    sorter = np.argsort(classes, kind="stable")
    pos = np.searchsorted(classes, values, sorter=sorter)
    np.minimum(pos, classes.size - 1, out=pos)
    idx = sorter[pos]
    return idx.astype(np.int64, copy=False), np.asarray(classes[idx] != values)


def _onto(own: NDArray[Any], codes: IntArray, classes: NDArray[Any]) -> IntArray:
    """Indices into ``own`` (sorted, every one in the sorted ``classes``) as indices into
    ``classes``."""
    if own.size == classes.size:
        return codes
    out: IntArray = _onto_classes(own, classes).take(codes)
    return out


def _index_in(
    classes: NDArray[Any], values: NDArray[Any]
) -> tuple[IntArray, NDArray[np.bool_] | None]:
    idx = np.searchsorted(classes, values)
    np.minimum(idx, classes.size - 1, out=idx)
    miss = classes[idx] != values
    return idx.astype(np.int64, copy=False), (miss if miss.any() else None)


# Bytes of a fixed-width text array per step of _TextIndex: every pass after the first over a
# step reads it from the core's cache (measured fastest among 32 KiB-64 MiB: 512 KiB-1 MiB).
_STEP_BYTES = 1 << 19


class _TextIndex:
    """Indices of fixed-width text labels in ``classes`` without comparing strings.

    Hand-written because every library route is slower here (np.unique and searchsorted compare
    strings: 40-80 ms per 1e6; pandas.factorize hashes Python objects: 125 ms, measured loaded).
    A string of a fixed-width unicode array is ``width`` uint32 code points: the low bits of
    one position's code point, distinct between the classes, name the candidate class through
    a small table, and the candidate is verified exactly against the whole string (uint64 or
    uint32 words of the same bytes), so a value that is no class is never given an index. The
    work goes in steps of ``_STEP_BYTES``: the first pass over a step brings it into the cache
    and the others read it from there.
    """

    def __init__(self, classes: NDArray[Any], values: NDArray[Any], at: int, bits: int) -> None:
        k, width = classes.size, values.dtype.itemsize // 4
        cls = np.ascontiguousarray(classes.astype(values.dtype))
        self.at, self.bits, self.mask = at, bits, np.uint32((1 << bits) - 1)
        self.codes = values.view(np.uint32).reshape(-1, width)
        self.keys = (cls.view(np.uint32).reshape(k, width)[:, at] & self.mask).astype(np.int64)
        self.table = np.zeros(1 << bits, dtype=np.int64)
        self.table[self.keys] = np.arange(k)
        word = np.uint64 if values.dtype.itemsize % 8 == 0 else np.uint32
        self.words = values.view(word).reshape(values.size, -1)
        cwords = cls.view(word).reshape(k, -1)
        # The string expected for each key; a key no class has expects class 0, whose own key
        # is another one, so no value with that key can match it.
        self.by_key = cwords.take(self.table, axis=0)
        self.step = max(1024, _STEP_BYTES // values.dtype.itemsize)

    @staticmethod
    def make(classes: NDArray[Any], values: NDArray[Any]) -> _TextIndex | None:
        """None where the method does not apply (other dtypes, or no position tells the
        classes apart)."""
        k = classes.size
        if (
            values.dtype.kind != "U"
            or classes.dtype.kind != "U"
            or classes.dtype.itemsize > values.dtype.itemsize
            or not values.flags.c_contiguous
            or values.ndim != 1
            or k == 0
        ):
            return None
        width = values.dtype.itemsize // 4
        ccodes = np.ascontiguousarray(classes.astype(values.dtype)).view(np.uint32)
        ccodes = ccodes.reshape(k, width)
        for j in range(width):
            col = ccodes[:, j]
            if np.unique(col).size < k:
                continue
            for bits in range(max(1, (k - 1).bit_length()), 17):
                if np.unique(col & ((1 << bits) - 1)).size == k:
                    return _TextIndex(classes, values, j, bits)
        return None

    def keys_of(self, s: int, e: int) -> NDArray[np.uint32] | None:
        """The key of each of values[s:e] when every one is a class (None otherwise)."""
        key: NDArray[np.uint32] = self.codes[s:e, self.at] & self.mask
        return key if (self.words[s:e] == self.by_key.take(key, axis=0)).all() else None

    def chunk(self, s: int, e: int) -> tuple[IntArray, NDArray[np.bool_] | None]:
        """Indices of values[s:e] and where they are no class (None: all are classes)."""
        key = self.codes[s:e, self.at] & self.mask
        same = self.words[s:e] == self.by_key.take(key, axis=0)
        cand: IntArray = self.table.take(key)
        if same.all():
            return cand, None
        return cand, ~same.all(axis=1)

    def all(self) -> tuple[IntArray, NDArray[np.bool_] | None]:
        n = self.words.shape[0]
        parts: list[IntArray] = []
        miss: NDArray[np.bool_] | None = None
        for s in range(0, n, self.step):
            cand, m = self.chunk(s, min(s + self.step, n))
            if m is not None:
                if miss is None:
                    miss = np.zeros(n, dtype=bool)
                miss[s : s + m.size] = m
            parts.append(cand)
        return (parts[0] if len(parts) == 1 else np.concatenate(parts)), miss


def _index_text(
    classes: NDArray[Any], values: NDArray[Any]
) -> tuple[IntArray, NDArray[np.bool_] | None] | None:
    """``_index_in`` by ``_TextIndex``: None where it does not apply."""
    index = _TextIndex.make(classes, values)
    return None if index is None else index.all()


def count_pairs(y: Labels, p: Labels) -> tuple[IntArray, NDArray[Any]] | None:
    """Predicted text labels straight to counts: (K x K confusion counts, classes), or None
    where this does not apply (not text, short, no telling position, or a label the strided
    samples missed: ``encode_predicted`` handles those).

    The classes are the sorted union of strided samples of y and p; both arrays are indexed
    step by step and each step's pairs are counted while the step is in the cache, so the
    labels are read once and no index array of the whole batch is written (measured: 10
    classes of text at 1e6 cost 1.5-2x integer labels, against 2.8x when indexed first).
    """
    if y.dtype.kind != "U" or p.dtype.kind != "U" or y.size <= 4096 or y.size != p.size:
        return None
    if isinstance(y, CodedText) and isinstance(p, CodedText):
        return _count_coded(y, p)
    y, p = plain(y), plain(p)
    step = max(1, y.size // 1024)
    classes = np.union1d(np.unique(y[::step]), np.unique(p[::step]))
    iy, ip = _TextIndex.make(classes, y), _TextIndex.make(classes, p)
    if iy is None or ip is None:
        return None
    n, rows = y.size, min(iy.step, ip.step)
    # Pairs of keys are counted (their table has at most 4,096 cells): no key becomes a class
    # index until the counts are read off for the classes' keys at the end.
    if iy.bits + ip.bits > 12:
        return None
    shift = np.uint32(ip.bits)
    counts = np.zeros(1 << (iy.bits + ip.bits), dtype=np.int64)
    for s in range(0, n, rows):
        e = min(s + rows, n)
        ky, kp = iy.keys_of(s, e), ip.keys_of(s, e)
        if ky is None or kp is None:
            return None
        ky <<= shift
        ky |= kp
        counts += np.bincount(ky, minlength=counts.size)
    by_key = counts.reshape(1 << iy.bits, 1 << ip.bits)
    return by_key[np.ix_(iy.keys, ip.keys)], classes


# Rows per step of _count_coded: its index temporaries stay in the core's cache.
_PAIR_STEP = 1 << 16


def _count_coded(y: CodedText, p: CodedText) -> tuple[IntArray, NDArray[Any]]:
    """``count_pairs`` of two columns read once: the pairs of their own codes are counted in
    steps (no 8 MB index array of the whole batch is written, the codes stay as narrow as the
    reader made them) and the counts are then placed on the union of their classes."""
    classes = _union_of(y, p)
    ky, kp = y.classes.size, p.classes.size
    n = y.size
    counts = np.zeros(ky * kp, dtype=np.int64)
    pair = np.empty(min(n, _PAIR_STEP), dtype=np.intp)
    for s in range(0, n, _PAIR_STEP):
        e = min(s + _PAIR_STEP, n)
        at = pair[: e - s]
        np.copyto(at, y.codes[s:e], casting="unsafe")  # widened first: y * kp outgrows a byte
        at *= kp
        at += p.codes[s:e]
        counts += np.bincount(at, minlength=ky * kp)
    k = classes.size
    out = np.zeros((k, k), dtype=np.int64)
    out[np.ix_(_onto_classes(y.classes, classes), _onto_classes(p.classes, classes))] = (
        counts.reshape(ky, kp)
    )
    return out, classes


def _union_of(*coded: CodedText) -> NDArray[Any]:
    """The sorted union of the classes of columns read once (no union when they agree)."""
    classes = coded[0].classes
    for c in coded[1:]:
        if not np.array_equal(c.classes, classes):
            classes = np.union1d(classes, c.classes)
    return classes


def _onto_classes(own: NDArray[Any], classes: NDArray[Any]) -> IntArray:
    """Where each of ``own`` (sorted, every one in the sorted ``classes``) is in ``classes``."""
    out: IntArray = np.searchsorted(classes, own).astype(np.int64)
    return out


def _index_any(
    classes: NDArray[Any], values: NDArray[Any]
) -> tuple[IntArray, NDArray[np.bool_] | None]:
    fast = _index_text(classes, values) if values.size > 4096 else None
    return fast if fast is not None else _index_in(classes, values)


def factorize(*given: Labels) -> tuple[NDArray[Any], list[IntArray]]:
    """The sorted distinct values of ``arrays`` and each array's indices into them.

    Written here because np.unique sorts every sample (1.1 s for 1e6 short strings, measured
    loaded) and pandas.factorize hashes Python objects (0.84 s) while a label column has few
    distinct values: the classes of a strided sample, then one ``searchsorted`` of everything
    (0.13 s), and a second round only for values the sample missed.
    """
    coded = [a for a in given if isinstance(a, CodedText)]
    if len(coded) == len(given):  # text read once: encoded already
        classes = _union_of(*coded)
        return classes, [_onto(c.classes, c.indices(), classes) for c in coded]
    arrays = [plain(a) for a in given]
    total = sum(a.size for a in arrays)
    if total <= 4096:
        classes, inv = np.unique(np.concatenate(arrays), return_inverse=True)
        inv = inv.reshape(-1).astype(np.int64, copy=False)
        out, start = [], 0
        for a in arrays:
            out.append(inv[start : start + a.size])
            start += a.size
        return classes, out
    first = arrays[0]
    classes = np.unique(first[:: max(1, first.size // 1024)])
    for _ in range(2):
        found = [_index_any(classes, a) for a in arrays]
        missing = [a[m] for a, (_, m) in zip(arrays, found, strict=True) if m is not None]
        if not missing:
            return classes, [i for i, _ in found]
        classes = np.union1d(classes, np.unique(np.concatenate(missing)))
    return classes, [_index_any(classes, a)[0] for a in arrays]


def encode_predicted(
    y: Labels, p: Labels, labels: NDArray[Any] | None
) -> tuple[IntArray, IntArray, NDArray[Any] | None]:
    """Label predictions: (y indices, prediction indices, classes or None for identity)."""
    check_same_kind(y, "y_true", p, "y_pred")
    if labels is not None:
        return (
            lookup(y, labels, "y_true", "labels="),
            lookup(p, labels, "y_pred", "labels="),
            labels,
        )
    if identity_ok(y) and identity_ok(p):
        y, p = plain(y), plain(p)
        return y.astype(np.int64, copy=False), p.astype(np.int64, copy=False), None
    classes, (yi, pi) = factorize(y, p)
    return yi, pi, classes


def encode_binary(
    y: Labels, labels: NDArray[Any] | None, pos_label: Any, known: NDArray[Any] | None
) -> tuple[IntArray, NDArray[Any] | None]:
    """1-D scores: (0/1 with 1 = positive, classes [negative, positive] or None for 0/1)."""
    if known is not None:
        return _in_pair(y, known, "the two classes seen so far"), known
    if labels is not None:
        if labels.size != 2:
            raise InvalidInputError(
                "labels must name exactly two classes when y_pred is 1-D (the score of the "
                f"positive class). Got {labels.size} labels {show(labels)} instead."
            )
        pair = labels
        if pos_label is not None:
            if pos_label not in labels.tolist():
                raise InvalidInputError(
                    f"pos_label must be one of labels {show(labels)}. Got {pos_label!r} instead."
                )
            other = labels[labels != pos_label][0]
            pair = np.array([other, pos_label], dtype=labels.dtype)
        return _in_pair(y, pair, "labels="), pair
    if (
        pos_label is None
        and isinstance(y, np.ndarray)
        and y.dtype.kind in "biu"
        and (y.size == 0 or (y.min() >= 0 and y.max() <= 1))
    ):
        return y.astype(np.int64, copy=False), None
    u, inv = _two_values(y)
    if u.size > 2:
        raise InvalidInputError(
            "y_true must hold two classes when y_pred is 1-D (the score of the positive class). "
            f"Got {u.size} classes {show(u)} instead. For multiclass data pass y_pred as a 2-D "
            "array of class probabilities."
        )
    if pos_label is not None:
        if kind(np.asarray([pos_label])) != kind(u):
            raise InvalidInputError(
                f"pos_label must be a label of y_true {show(u)}. Got {pos_label!r} instead."
            )
        others = u[u != pos_label]
        if others.size == u.size and u.size == 2:
            raise InvalidInputError(
                f"pos_label must be one of the labels in y_true {show(u)}. Got {pos_label!r} "
                "instead."
            )
        if others.size == 1:
            pair = np.array([others[0], pos_label], dtype=np.result_type(u, np.asarray(pos_label)))
        elif pos_label in (0, 1) and kind(u) == "num":
            pair = np.array([1 - int(pos_label), int(pos_label)])
        else:
            raise InvalidInputError(
                f"y_true must show both classes in the first batch to name the negative class "
                f"(only {show(u)} seen, pos_label={pos_label!r}). Pass labels=[negative, "
                "positive]."
            )
        return _via(inv, u, pair), pair
    if u.size == 2:
        return inv, u
    if kind(u) == "num" and u[0] == -1:
        pair = np.array([-1, 1], dtype=u.dtype)
        return _via(inv, u, pair), pair
    raise InvalidInputError(
        f"pos_label must be given when y_true holds the one label {u[0].item()!r} and y_pred is "
        "1-D (which class do the scores belong to?). Got None instead. Pass pos_label=... or "
        "labels=[negative, positive]."
    )


def _in_pair(y: Labels, pair: NDArray[Any], source: str) -> IntArray:
    """0/1 for y in [negative, positive]: two equality passes instead of a search (the
    common case of 1-D scores; a label outside the pair falls to lookup's error)."""
    if kind(y) != kind(pair) or isinstance(y, CodedText):
        return lookup(y, pair, "y_true", source)
    positive: NDArray[np.bool_] = np.asarray(y == pair[1])
    if not np.all(positive | (y == pair[0])):
        return lookup(y, pair, "y_true", source)
    out: IntArray = positive.astype(np.int64)
    return out


def _two_values(y: Labels) -> tuple[NDArray[Any], IntArray]:
    """The sorted distinct values of y and y's index into them, by equality passes when there
    are at most two (binary labels); factorize otherwise."""
    if isinstance(y, CodedText):
        return y.classes, y.indices()
    if y.size == 0:
        return y[:0], np.zeros(0, dtype=np.int64)
    if y.dtype.kind == "U" and y.size > 4096:
        # Text: one indexing pass (_TextIndex) costs less than two string comparisons.
        classes, (inv,) = factorize(y)
        return classes, inv
    differs = y != y[0]
    if not differs.any():
        return y[:1].copy(), np.zeros(y.size, dtype=np.int64)
    second = y[int(np.argmax(differs))]
    if np.any(differs & (y != second)):
        classes, (inv,) = factorize(y)
        return classes, inv
    if second > y[0]:
        return np.array([y[0], second], dtype=y.dtype), differs.astype(np.int64)
    return np.array([second, y[0]], dtype=y.dtype), (~differs).astype(np.int64)


def _via(inv: IntArray, u: NDArray[Any], pair: NDArray[Any]) -> IntArray:
    # Indices into u (every u is in pair) turned into indices into pair, through a table.
    table = np.array([int(np.flatnonzero(pair == x)[0]) for x in u.tolist()], dtype=np.int64)
    out: IntArray = table[inv]
    return out


def encode_columns(
    y: Labels, n_cols: int, labels: NDArray[Any] | None, known: NDArray[Any] | None
) -> tuple[IntArray, NDArray[Any] | None]:
    """2-D scores with ``n_cols`` columns: (column index of each sample's class, classes)."""
    if labels is not None:
        if labels.size != n_cols:
            raise InvalidInputError(
                f"labels must name one class per column of y_pred ({n_cols}). Got "
                f"{labels.size} labels {show(labels)} instead."
            )
        return lookup(y, labels, "y_true", "labels="), labels
    if known is not None:
        return lookup(y, known, "y_true", "the classes of the first batch"), known
    if (
        isinstance(y, np.ndarray)
        and y.dtype.kind in "biu"
        and (y.size == 0 or (y.min() >= 0 and y.max() < n_cols))
    ):
        return y.astype(np.int64, copy=False), None
    classes, (inv,) = factorize(y)
    if classes.size != n_cols:
        raise InvalidInputError(
            f"y_true must hold {n_cols} distinct labels, one per column of y_pred (columns map "
            f"to the sorted labels). Got {classes.size} labels {show(classes)} instead. Pass "
            "labels=[...] to name the columns."
        )
    return inv, classes


def union(
    a: NDArray[Any] | None,
    a_seen: NDArray[Any],
    a_fixed: bool,
    b: NDArray[Any] | None,
    b_seen: NDArray[Any],
    b_fixed: bool,
) -> tuple[NDArray[Any] | None, IntArray | None, IntArray | None]:
    """The class set of two states and where each one's classes go in it.

    Returns (classes, map_a, map_b); classes None means both stay identity-indexed. Classes a
    non-fixed side never saw are dropped; a seen class outside a fixed set is an error.
    """
    if a is None and b is None:
        return None, None, None
    ca = np.arange(a_seen.size) if a is None else a
    cb = np.arange(b_seen.size) if b is None else b
    if ca.size and cb.size and kind(ca) != kind(cb):
        raise InvalidInputError(
            "y_true must hold labels of one type across batches (strings with strings, numbers "
            f"with numbers). Got {show(cb)} after {show(ca)} instead."
        )
    if a_fixed and b_fixed and not (ca.size == cb.size and bool(np.all(ca == cb))):
        raise InvalidInputError(
            f"y_true must keep one set of classes across batches. Got {show(cb)} after "
            f"{show(ca)} instead. Pass labels=[...] to fix the classes."
        )
    if a_fixed or b_fixed:
        target = ca if a_fixed else cb
    else:
        target = np.union1d(
            ca[a_seen > 0] if a is None else ca, cb[b_seen > 0] if b is None else cb
        )
    return target, _place(ca, a_seen, target), _place(cb, b_seen, target)


def _place(cls: NDArray[Any], seen: NDArray[Any], target: NDArray[Any]) -> IntArray:
    """Index of each class of ``cls`` in ``target``; -1 for unseen classes not in target."""
    sorter = np.argsort(target, kind="stable")
    pos = np.minimum(np.searchsorted(target, cls, sorter=sorter), target.size - 1)
    idx = sorter[pos].astype(np.int64)
    miss = target[idx] != cls
    if miss.any():
        lost = miss & (seen[: cls.size] > 0) if seen.size >= cls.size else miss
        if lost.any():
            raise InvalidInputError(
                f"y_true must hold labels among {show(target)} (the classes fixed by labels= or "
                "by the first batch of scores). Got "
                f"{cls[np.flatnonzero(lost)[0]].item()!r} instead. Pass labels=[...] with every "
                "class the data can hold."
            )
        idx[miss] = -1
    return idx


def scatter(a: NDArray[Any], where: IntArray, size: int) -> NDArray[Any]:
    """Move a per-class vector or square matrix onto ``size`` classes (``-1``: dropped)."""
    keep = where >= 0
    src = np.flatnonzero(keep)
    dst = where[keep]
    if a.ndim == 1:
        out = np.zeros(size, dtype=a.dtype)
        out[dst] = a[src]
        return out
    out = np.zeros((size, size), dtype=a.dtype)
    if a.size:
        out[np.ix_(dst, dst)] = a[np.ix_(src, src)]
    return out
