"""The streaming core: record batches in, one :class:`~fitscope.Evaluator` per segment out.

Everything here works one record batch at a time, so memory is bounded by the batch size, and
a piece of work leaves a :class:`Partial` that merges with others in the order the rows come
(the merge law of the Evaluator makes any grouping of pieces give the same state).
"""

from __future__ import annotations

import dataclasses
import math
import queue
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from fitscope import _textlabels
from fitscope import _validation as v
from fitscope._textlabels import CodedText, Labels, plain
from fitscope.errors import FitscopeError, InvalidInputError, InvalidTypeError
from fitscope.metrics._registry import as_number
from fitscope.metrics.evaluator import Evaluator
from fitscope.scale._sources import CHUNK_ROWS, Piece, read_piece, require


@dataclass(frozen=True)
class Columns:
    """The columns an evaluation reads, by role. One label column holds class labels; several
    (or a pattern such as ``y_true.*``) hold multilabel 0/1 indicators, one per label, paired
    with as many prediction columns; ``names`` are then the labels' names."""

    label: tuple[str, ...]
    pred: tuple[str, ...]
    weight: str | None = None
    by: str | None = None
    multilabel: bool = False
    names: tuple[str, ...] | None = None

    @classmethod
    def make(cls, label: Any, pred: Any, weight: Any, by: Any) -> Columns:
        preds = (pred,) if isinstance(pred, str) else pred
        if not isinstance(preds, Sequence) or not preds:
            raise InvalidInputError(
                f"pred must name one column or several. Got {v.describe(pred)} instead."
            )
        labels = (label,) if isinstance(label, str) else label
        if not isinstance(labels, Sequence) or not labels:
            raise InvalidTypeError(
                f"label must name a column (or several: multilabel). Got {v.describe(label)} "
                "instead."
            )
        for name, value in (
            ("weight", weight),
            ("by", by),
            *(("label", x) for x in labels),
            *(("pred", p) for p in preds),
        ):
            if value is not None and not isinstance(value, str):
                raise InvalidTypeError(
                    f"{name} must be a column name (a string). Got {v.describe(value)} instead."
                )
        for name, given in (("label", labels), ("pred", preds)):
            if len(set(given)) != len(given):
                raise InvalidInputError(
                    f"{name} must name distinct columns. Got {list(given)} instead."
                )
        multilabel = len(labels) > 1 or any("*" in x for x in labels)
        return cls(tuple(labels), tuple(preds), weight, by, multilabel)

    @property
    def patterns(self) -> bool:
        return any("*" in c for c in (*self.label, *self.pred))

    def resolve(self, header: Sequence[str]) -> Columns:
        """Patterns (``y_true.*``) expanded against the columns of the data, in their order;
        multilabel label and prediction columns paired: by what ``*`` stands for when both are
        patterns, else in order. Checks that the pairs add up."""
        labels, keys = _expand(self.label, header, "label")
        if not self.multilabel:
            return dataclasses.replace(self, pred=_expand(self.pred, header, "pred")[0])
        if all("*" in c for c in (*self.label, *self.pred)):
            preds, pred_keys = _expand(self.pred, header, "pred")
            by_key = dict(zip(pred_keys, preds, strict=True))
            missing = [k for k in keys if k not in by_key]
            extra = [k for k in pred_keys if k not in set(keys)]
            if missing or extra:
                which, what = ("label", missing[0]) if missing else ("pred", extra[0])
                raise InvalidInputError(
                    f"pred must name one column per label column ({', '.join(self.label)} "
                    f"~ {', '.join(self.pred)}). Got {'no prediction' if missing else 'no label'}"
                    f" column for the {which} {what!r} instead."
                )
            pred = tuple(by_key[k] for k in keys)
        else:
            pred = _expand(self.pred, header, "pred")[0]
            keys = labels
        if len(pred) != len(labels):
            raise InvalidInputError(
                f"pred must name one column per label column for multilabel targets "
                f"({len(labels)} label columns: {', '.join(labels)}). Got {len(pred)} "
                f"prediction columns instead: {', '.join(pred)}."
            )
        return dataclasses.replace(self, label=labels, pred=pred, names=keys)

    def label_indices(self, labels: Sequence[Any]) -> tuple[int, ...]:
        """Multilabel ``labels=`` given by name (or index) as label column indices."""
        assert self.names is not None
        out = []
        for x in labels:
            if isinstance(x, str):
                if x not in self.names:
                    raise InvalidInputError(
                        f"labels must name labels of the data ({', '.join(self.names)}). Got "
                        f"{x!r} instead."
                    )
                out.append(self.names.index(x))
            else:
                out.append(x)
        return tuple(out)

    @property
    def numeric(self) -> list[str]:
        """Columns that must hold numbers: label, predictions, weight."""
        return list(
            dict.fromkeys([*self.label, *self.pred, *([self.weight] if self.weight else [])])
        )

    @property
    def other(self) -> list[str]:
        return [self.by] if self.by and self.by not in self.numeric else []

    @property
    def roles(self) -> dict[str, str]:
        out = {p: "pred" for p in self.pred}
        out.update({x: "label" for x in self.label})
        if self.weight:
            out[self.weight] = "weight"
        if self.by:
            out.setdefault(self.by, "by")
        return out


def _expand(
    given: Sequence[str], header: Sequence[str], role: str
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Column names with ``*`` patterns expanded over ``header`` (in its order), and for each
    column what the ``*`` stood for (the column itself where no pattern)."""
    names: list[str] = []
    keys: list[str] = []
    for item in given:
        if "*" not in item:
            names.append(item)
            keys.append(item)
            continue
        head, _, tail = item.partition("*")
        rx = re.compile(f"{re.escape(head)}(.*){re.escape(tail)}".replace(r"\*", ".*"))
        found = [(c, m.group(1)) for c in header if (m := rx.fullmatch(c))]
        if not found:
            raise InvalidInputError(
                f"{role} must match at least one column. Got the pattern {item!r}, which matches "
                f"none of: {', '.join(header)}."
            )
        names.extend(c for c, _ in found)
        keys.extend(k for _, k in found)
    return tuple(dict.fromkeys(names)), tuple(dict.fromkeys(keys))


@dataclass(frozen=True)
class Options:
    """How rows become metric values (the Evaluator's options plus NaN handling)."""

    metrics: tuple[Any, ...] = ("accuracy", "log_loss")
    threshold: float = 0.5
    from_logits: bool = False
    ranking: str = "exact"
    drop_nan: bool = False
    chunk_rows: int = CHUNK_ROWS
    use_threads: bool = True  # pyarrow's own decoding threads
    prefetch: int = 2  # batches read ahead by a background thread (0: none)
    labels: tuple[Any, ...] | None = None  # the Evaluator's labels= and pos_label=
    pos_label: Any = None

    def evaluator(self) -> Evaluator:
        return Evaluator(
            self.metrics,
            threshold=self.threshold,
            from_logits=self.from_logits,
            ranking=self.ranking,
            labels=self.labels,
            pos_label=self.pos_label,
        )


@dataclass
class Partial:
    """What a piece of the data leaves behind; ``a.merge(b)`` is ``a``'s rows followed by
    ``b``'s. Rows with NaN are counted (and the first one located) rather than raised at once,
    so that the error can say how many there are."""

    states: dict[Any, Evaluator] = field(default_factory=dict)  # segment value -> Evaluator
    n_rows: int = 0  # rows read
    n_nan: int = 0  # rows with NaN or a missing value in a column used
    first_nan: tuple[str, int] | None = None  # (source, 1-based row number)

    def merge(self, other: Partial) -> Partial:
        states = dict(self.states)
        for key, ev in other.states.items():
            states[key] = states[key].merge(ev) if key in states else ev
        return Partial(
            states,
            self.n_rows + other.n_rows,
            self.n_nan + other.n_nan,
            self.first_nan or other.first_nan,
        )


def merge_partials(a: Partial, b: Partial) -> Partial:
    return a.merge(b)


def _numeric(column: Any, pa: Any, pc: Any) -> Labels:
    """A numeric arrow column as numpy, missing values as NaN (no copy for float64/int64);
    a text column (class names) read once as CodedText (names and indices), or where that
    does not apply as a string array, missing values as empty strings (the caller marks
    those rows)."""
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        # Missing values as "" (the caller marks their rows), then read from Arrow's UTF-8
        # buffers (no Python strings); None (short batches, a label the sample missed): the
        # conversion below.
        text = pc.fill_null(column, "") if column.null_count else column
        fast = _textlabels.from_arrow(text)
        if fast is not None:
            return fast
        return np.asarray(text.to_numpy(zero_copy_only=False)).astype(str)
    if column.null_count:
        column = pc.fill_null(column.cast(pa.float64()), math.nan)
    return np.asarray(column.to_numpy(zero_copy_only=False))


def _nan_rows(x: Labels, bad: NDArray[np.bool_] | None) -> NDArray[np.bool_] | None:
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        return bad
    # One fast reduction first; the elementwise mask only when a NaN (or inf - inf) shows up.
    if not math.isnan(float(np.add.reduce(x, axis=None))):
        return bad
    nan: NDArray[np.bool_] = np.isnan(x)
    if not nan.any():
        return bad
    return nan if bad is None else bad | nan


def consume(
    partial: Partial,
    batch: Any,
    source: str,
    first_row: int,
    cols: Columns,
    opts: Options,
) -> None:
    """Add one record batch (rows ``first_row + 1 ...`` of ``source``) to ``partial``."""
    pa, pc = require("pyarrow"), require("pyarrow.compute")
    n = batch.num_rows
    partial.n_rows += n
    if n == 0:
        return
    arrays = {name: _numeric(batch.column(name), pa, pc) for name in cols.numeric}
    if len(cols.pred) == 1 and arrays[cols.pred[0]].dtype.kind == "U":
        # Before any row is dropped, so the line it names is the file's.
        _check_predicted_labels(arrays[cols.pred[0]], cols.pred[0], source, first_row)
    bad: NDArray[np.bool_] | None = None
    for x in arrays.values():
        bad = _nan_rows(x, bad)
    # Text labels (true or predicted) mark their missing values; integer predicted labels read
    # with a missing value came as floats (NaN marks the row) and go back to integers below.
    for name in (*cols.label, *cols.pred):
        label_column = batch.column(name)
        if label_column.null_count and arrays[name].dtype.kind == "U":
            missing_label = np.asarray(label_column.is_null().to_numpy(zero_copy_only=False))
            bad = missing_label if bad is None else bad | missing_label
    keys = batch.column(cols.by) if cols.by else None
    if keys is not None and keys.null_count:
        missing = np.asarray(keys.is_null().to_numpy(zero_copy_only=False))
        bad = missing if bad is None else bad | missing
    keep: NDArray[np.bool_] | None = None
    if bad is not None:
        n_bad = int(np.count_nonzero(bad))
        if partial.first_nan is None:
            partial.first_nan = (source, first_row + int(np.argmax(bad)) + 1)
        partial.n_nan += n_bad
        if not opts.drop_nan:
            return  # the run will fail with the count; only counting from here on
        keep = ~bad
        arrays = {k: x[keep] for k, x in arrays.items()}
        if keys is not None:
            keys = keys.filter(pa.array(keep))
        if n_bad == n:
            return
    if len(cols.pred) == 1 and pa.types.is_integer(batch.column(cols.pred[0]).type):
        arrays[cols.pred[0]] = plain(arrays[cols.pred[0]]).astype(np.int64, copy=False)
    # Multilabel: an (n, labels) indicator matrix (bool when every column is boolean).
    y = (
        np.column_stack([plain(arrays[c]) for c in cols.label])
        if cols.multilabel
        else arrays[cols.label[0]]
    )
    p = (
        arrays[cols.pred[0]]
        if len(cols.pred) == 1
        else np.column_stack([plain(arrays[c]) for c in cols.pred]).astype(np.float64, copy=False)
    )
    w = arrays[cols.weight] if cols.weight else None
    where = f" (in rows {first_row + 1}-{first_row + n} of {source})"
    if keys is None:
        _update(partial, None, opts, y, p, w, where)
        return
    encoded = keys.dictionary_encode()
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    values = encoded.dictionary.to_pylist()
    codes = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.intp)
    if len(values) == 1:
        _update(partial, values[0], opts, y, p, w, where)
        return
    # Group rows by segment with one stable sort of the codes: O(n log n) whatever the
    # number of segments, instead of one mask pass per segment.
    order = np.argsort(codes, kind="stable")
    bounds = np.concatenate(([0], np.cumsum(np.bincount(codes, minlength=len(values)))))
    for i, value in enumerate(values):
        idx = order[bounds[i] : bounds[i + 1]]
        if idx.size:
            _update(partial, value, opts, y[idx], p[idx], None if w is None else w[idx], where)


def _check_predicted_labels(x: Labels, name: str, source: str, first_row: int) -> None:
    """A lone text prediction column holds predicted labels; one that also holds numbers is a
    score column with stray text (or numbers stored as text): named with the first odd value
    and its line (its row, outside CSV), not read as labels."""
    values = (x.classes if isinstance(x, CodedText) else np.unique(x)).tolist()
    numbers = [t for t in values if as_number(t) is not None]
    if not numbers:
        return
    text = [t for t in values if as_number(t) is None and t != ""]
    odd = text[0] if text else numbers[0]  # stray text among scores, else numbers as text
    rows = x.codes == values.index(odd) if isinstance(x, CodedText) else np.asarray(x) == odd
    row = first_row + int(np.argmax(rows)) + 1  # 1-based data row
    at = f"line {row + 1}" if ".csv" in source.lower() else f"row {row}"  # CSV: the header
    got = f"the value {odd!r} at {at}" + (
        f" among numbers such as {numbers[0]!r}" if text else " (a number stored as text)"
    )
    raise InvalidTypeError(
        f"column {name!r} must hold only numbers (scores) or only text (predicted labels). Got "
        f"{got} in {source} instead (a column of mixed types); fix or remove the rows that hold "
        "text, or store the numbers as numbers."
    )


def _update(
    partial: Partial,
    key: Any,
    opts: Options,
    y: Labels,
    p: Labels,
    w: Labels | None,
    where: str,
) -> None:
    ev = partial.states.get(key)
    if ev is None:
        ev = partial.states[key] = opts.evaluator()
    try:
        ev.update(y, p, w)
    except FitscopeError as error:
        # Same type and message, plus where in the files it happened.
        raise type(error)(f"{error}{where}") from error


def _read_all(pieces: Iterable[Piece], cols: Columns, opts: Options) -> Iterator[Any]:
    for piece in pieces:
        for batch, row in read_piece(
            piece, cols.numeric, cols.other, opts.chunk_rows, cols.roles, opts.use_threads
        ):
            yield batch, piece.path, row


_DONE = object()


def prefetch(items: Iterator[Any], depth: int) -> Iterator[Any]:
    """``items``, produced by a background thread up to ``depth`` ahead of the consumer.

    Reading (pyarrow decodes without the GIL) then overlaps the metric arithmetic (numpy
    releases it too); at most ``depth + 2`` batches exist at once, so memory stays bounded.
    An exception in the reader is re-raised here; stopping early stops the reader.
    """
    if depth <= 0:
        yield from items
        return
    buffer: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                buffer.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put((item, None)):
                    return
        except BaseException as error:  # handed to the consumer, which re-raises it
            put((_DONE, error))
            return
        put((_DONE, None))

    thread = threading.Thread(target=produce, name="fitscope-reader", daemon=True)
    thread.start()
    try:
        while True:
            item, error = buffer.get()
            if item is _DONE:
                if error is not None:
                    raise error
                return
            yield item
    finally:
        stop.set()
        thread.join()


def resolve_columns(
    cols: Columns, opts: Options, header: Callable[[], Sequence[str]]
) -> tuple[Columns, Options]:
    """Columns with patterns expanded over ``header()`` (the data's columns, read only when
    needed), and the options with multilabel ``labels`` given by name as column indices."""
    if not (cols.patterns or cols.multilabel):
        return cols, opts
    cols = cols.resolve(header())
    if cols.multilabel and opts.labels is not None:
        opts = dataclasses.replace(opts, labels=cols.label_indices(opts.labels))
    return cols, opts


def evaluate_pieces(
    pieces: Iterable[Piece],
    cols: Columns,
    opts: Options,
    progress: Callable[[int], None] | None = None,
) -> Partial:
    """Stream every piece, in order, into one :class:`Partial`."""
    partial = Partial()
    for batch, source, row in prefetch(_read_all(pieces, cols, opts), opts.prefetch):
        consume(partial, batch, source, row, cols, opts)
        if progress is not None:
            progress(batch.num_rows)
    return partial


def make_options(
    metrics: Iterable[Any],
    threshold: float,
    from_logits: bool,
    ranking: str,
    drop_nan: bool,
    chunk_rows: int,
    labels: Sequence[Any] | None = None,
    pos_label: Any = None,
) -> Options:
    """The validated options of one evaluation (metrics, threshold, logits, ranking, NaN
    policy, chunk size, the classes and the positive class), shared by evaluate_file and
    evaluate_dask."""
    if not isinstance(drop_nan, bool):
        raise InvalidTypeError(f"drop_nan must be True or False. Got {v.describe(drop_nan)}.")
    metrics = (metrics,) if isinstance(metrics, str) else tuple(metrics)
    opts = Options(
        metrics,
        threshold,
        from_logits,
        ranking,
        drop_nan,
        v.check_positive_int(chunk_rows, "chunk_rows"),
        labels=None if labels is None else tuple(labels),
        pos_label=pos_label,
    )
    opts.evaluator()  # validates metrics, threshold, from_logits and ranking up front
    return opts
