"""Where the rows come from: paths resolved to files, files split into pieces, pieces read in
record batches of bounded size (pyarrow's streaming readers, never a whole file at once)."""

from __future__ import annotations

import contextlib
import functools
import importlib
import os
import re
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fitscope import _validation as v
from fitscope.errors import InvalidInputError, InvalidTypeError, MissingDependencyError

CSV_SUFFIXES = (".csv", ".csv.gz", ".csv.bz2", ".tsv")
PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")
#: Rows per record batch: 64Ki rows keep a float64 column (512 KiB) and the metric kernels'
#: temporaries in the CPU's L2 cache; per-batch overhead (~60 us) stays under 10% (docs/scale.md).
CHUNK_ROWS = 1 << 16
#: Parquet read buffer in bytes (pages are read through it rather than whole column chunks).
PARQUET_BUFFER_BYTES = 1 << 20
#: CSV block size in bytes (pyarrow parses one block at a time, several at once with threads).
#: 256 KiB keeps the CSV peak at the Parquet peak for the same rows (16 MiB blocks took 2-7x
#: more on 2-16 cores: every thread holds a block and its conversions); a header wider than
#: this gets a block of twice its size.
CSV_BLOCK_BYTES = 1 << 18


@functools.cache
def require(module: str) -> Any:
    """Import an optional dependency of the ``scale`` extra, or say how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise MissingDependencyError(
            f"{module} must be installed to evaluate files. Got ImportError ({error}) instead. "
            'Install it with: pip install "fitscope[scale]"'
        ) from error


def file_format(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith(CSV_SUFFIXES):
        return "csv"
    if name.endswith(PARQUET_SUFFIXES):
        return "parquet"
    return None


def resolve_paths(paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]]) -> list[Path]:
    """Files named, and every CSV/Parquet file under folders named (sorted, recursive)."""
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    if not isinstance(paths, Sequence) or not paths:
        raise InvalidInputError(
            f"paths must name at least one file or folder. Got {v.describe(paths)} instead."
        )
    files: list[Path] = []
    for raw in paths:
        if not isinstance(raw, str | os.PathLike):
            raise InvalidTypeError(
                f"paths must be file or folder paths. Got {v.describe(raw)} instead."
            )
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and file_format(p))
            if not found:
                raise InvalidInputError(
                    f"paths must lead to CSV or Parquet files. Got the folder {str(path)!r}, "
                    f"which holds none (looked for {', '.join(CSV_SUFFIXES + PARQUET_SUFFIXES)})."
                )
            files.extend(found)
        elif path.is_file():
            if file_format(path) is None:
                raise InvalidInputError(
                    f"paths must be CSV or Parquet files. Got {str(path)!r} instead; name it "
                    f"with one of {', '.join(CSV_SUFFIXES + PARQUET_SUFFIXES)}."
                )
            files.append(path)
        else:
            raise InvalidInputError(
                f"paths must be existing files or folders. Got {str(path)!r}, which does not exist."
            )
    return files


@dataclass(frozen=True)
class Piece:
    """A unit of work: a whole file, or some row groups of a Parquet file."""

    path: str
    format: str
    row_groups: tuple[int, ...] | None = None  # None: every row group
    first_row: int = 0  # row number of the piece's first row within its file (0-based)
    n_rows: int | None = None  # known for Parquet


def plan(files: Sequence[Path], *, rows_per_piece: int | None = None) -> list[Piece]:
    """Split files into pieces; Parquet files by row groups (about ``rows_per_piece`` rows a
    piece) when given, for parallel work; CSV files stay whole (they cannot be split safely)."""
    pieces: list[Piece] = []
    for path in files:
        fmt = file_format(path)
        assert fmt is not None
        if fmt == "csv":
            pieces.append(Piece(str(path), fmt))
            continue
        pq = require("pyarrow.parquet")
        with unreadable(str(path), "Parquet"):
            meta = pq.ParquetFile(path).metadata
        if rows_per_piece is None:
            pieces.append(Piece(str(path), fmt, None, 0, meta.num_rows))
            continue
        groups: list[int] = []
        start = rows = 0
        offset = 0
        for g in range(meta.num_row_groups):
            n = meta.row_group(g).num_rows
            if not groups:
                start = offset
            groups.append(g)
            rows += n
            offset += n
            if rows >= rows_per_piece:
                pieces.append(Piece(str(path), fmt, tuple(groups), start, rows))
                groups, rows = [], 0
        if groups or not pieces or pieces[-1].path != str(path):
            pieces.append(Piece(str(path), fmt, tuple(groups), start, rows))
    return pieces


def check_columns(
    names: Sequence[str], existing: Sequence[str], where: str, roles: dict[str, str]
) -> None:
    """Each requested column exists; the error names the option and lists the columns."""
    for col in names:
        if col not in existing:
            raise InvalidInputError(
                f"{roles.get(col, 'columns')} must name a column of {where}. Got {col!r}, which "
                f"is not there; the columns are: {', '.join(existing)}."
            )


_CSV_COLUMN = re.compile(r"CSV column #(\d+)")
_CSV_VALUE = re.compile(r"invalid value '(.*)'")


def check_numeric(
    schema: Any, numeric: Sequence[str], where: str, text_ok: Sequence[str] = ()
) -> None:
    """Label, prediction and weight columns have a numeric (or bool) arrow type; the columns
    in ``text_ok`` (the label: class names) may also hold text."""
    pa = require("pyarrow")
    for col in numeric:
        typ = schema.field(col).type
        if col in text_ok and is_text(typ):
            continue
        if not (pa.types.is_integer(typ) or pa.types.is_floating(typ) or pa.types.is_boolean(typ)):
            raise InvalidTypeError(
                f"column {col!r} must hold numbers. Got type {typ} in {where} instead (a column "
                "of mixed or non-numeric types); convert it to numbers first."
            )


def is_text(typ: Any) -> bool:
    pa = require("pyarrow")
    return bool(pa.types.is_string(typ) or pa.types.is_large_string(typ))


def read_piece(
    piece: Piece,
    numeric: Sequence[str],
    other: Sequence[str],
    chunk_rows: int,
    roles: dict[str, str],
    use_threads: bool = True,
) -> Iterator[tuple[Any, int]]:
    """Record batches of ``piece`` holding the requested columns, with each batch's first row
    number within the file (0-based). Numeric columns must have numeric types; ``other``
    columns (segment keys) may hold anything."""
    with unreadable(piece.path, "Parquet" if piece.format == "parquet" else "CSV"):
        yield from _read_piece(piece, numeric, other, chunk_rows, roles, use_threads)


@contextlib.contextmanager
def unreadable(path: str, kind: str) -> Iterator[None]:
    """A file pyarrow cannot read (corrupt, truncated, a broken gzip or bz2 stream) as one
    InvalidInputError naming the file, instead of pyarrow's OSError or ArrowInvalid."""
    pa = require("pyarrow")
    try:
        yield
    except (OSError, pa.ArrowException, EOFError, zlib.error) as error:
        detail = " ".join(str(error).split())
        raise InvalidInputError(
            f"{path} must be a readable {kind} file. Got {type(error).__name__}: {detail} "
            "(a corrupt or truncated file?) instead."
        ) from None


def csv_header(path: str) -> tuple[list[str], int]:
    """The header of a CSV file (plain, .gz or .bz2; a UTF-8 BOM allowed) and its size in
    bytes, read with Python's csv module so that a header of any width is read whole."""
    import bz2
    import csv
    import gzip

    opener: Any = open
    if path.lower().endswith(".gz"):
        opener = gzip.open
    elif path.lower().endswith(".bz2"):
        opener = bz2.open
    delimiter = "\t" if path.lower().endswith(".tsv") else ","
    try:
        with opener(path, "rt", encoding="utf-8-sig", newline="") as f:
            line = f.readline()
    except UnicodeDecodeError as error:
        raise InvalidInputError(
            f"{path} must be UTF-8 text. Got a byte that is not in its header at byte offset "
            f"{error.start} instead."
        ) from None
    header = next(csv.reader([line], delimiter=delimiter), [])
    return header, len(line.encode("utf-8"))


def header_of(piece: Piece) -> list[str]:
    """The column names of a piece's file (Parquet schema or CSV header)."""
    if piece.format == "parquet":
        pq = require("pyarrow.parquet")
        with unreadable(piece.path, "Parquet"):
            return list(pq.ParquetFile(piece.path).schema_arrow.names)
    return csv_header(piece.path)[0]


def _read_piece(
    piece: Piece,
    numeric: Sequence[str],
    other: Sequence[str],
    chunk_rows: int,
    roles: dict[str, str],
    use_threads: bool,
) -> Iterator[tuple[Any, int]]:
    pa = require("pyarrow")
    wanted = list(dict.fromkeys([*numeric, *other]))
    row = piece.first_row
    if piece.format == "parquet":
        pq = require("pyarrow.parquet")
        # pre_buffer=False: with pyarrow's default (True) the reader keeps every column chunk
        # it has fetched until the file is closed, so memory grows with the file.
        pf = pq.ParquetFile(piece.path, pre_buffer=False, buffer_size=PARQUET_BUFFER_BYTES)
        schema = pf.schema_arrow
        check_columns(wanted, schema.names, piece.path, roles)
        check_numeric(schema, numeric, piece.path, text_columns(roles))
        batches = pf.iter_batches(
            batch_size=chunk_rows,
            row_groups=piece.row_groups,
            columns=wanted,
            use_threads=use_threads,
        )
        for batch in batches:
            yield batch, row
            row += batch.num_rows
        return
    pcsv = require("pyarrow.csv")
    header: list[str] = []
    try:
        # The header by Python's csv module (any width); the first block's inferred types
        # by pyarrow, in a block wide enough for that header.
        header, header_bytes = csv_header(piece.path)
        first_block = pcsv.ReadOptions(block_size=max(1 << 16, 2 * header_bytes))
        with pcsv.open_csv(piece.path, read_options=first_block) as head:
            head_types = {f.name: f.type for f in head.schema}
        check_columns(wanted, header, piece.path, roles)
        for col in wanted:
            if header.count(col) > 1:
                first = header.index(col)
                raise InvalidInputError(
                    f"{piece.path} header must name column {col!r} once. Got it twice (columns "
                    f"{first + 1} and {header.index(col, first + 1) + 1}) instead; rename one."
                )
        block = max(CSV_BLOCK_BYTES, 2 * header_bytes)
        types = {c: pa.float64() for c in numeric}
        # A label column (or a lone prediction column: predicted labels) whose first block
        # reads as text holds class names: keep it text; true/false columns (multilabel
        # indicators) stay boolean; a lone prediction column of integers stays integer, as
        # in Parquet: predicted labels, as the Python API reads 1-D integer y_pred.
        text_ok = text_columns(roles)
        types.update({c: pa.string() for c in text_ok if is_text(head_types.get(c))})
        types.update(
            {
                c: pa.int64()
                for c in text_ok
                if roles.get(c) == "pred" and pa.types.is_integer(head_types.get(c, pa.null()))
            }
        )
        types.update(
            {c: pa.bool_() for c in numeric if pa.types.is_boolean(head_types.get(c, pa.null()))}
        )
        types.update({c: pa.string() for c in other if c not in types})
        # open_csv converts the first block already, so it sits inside the try as well.
        reader = pcsv.open_csv(
            piece.path,
            read_options=pcsv.ReadOptions(block_size=block, use_threads=use_threads),
            # strings_can_be_null: an empty cell (or a null spelling) of a text column is a
            # missing value, as in a numeric one (docs/scale.md), not a class named "".
            convert_options=pcsv.ConvertOptions(
                include_columns=wanted, column_types=types, strings_can_be_null=True
            ),
        )
        with reader:
            for batch in _batches(reader):
                for start in range(0, batch.num_rows, chunk_rows):
                    part = batch.slice(start, chunk_rows)
                    yield part, row
                    row += part.num_rows
    except pa.ArrowInvalid as error:
        raise _csv_type_error(error, header, piece.path) from error


def text_columns(roles: dict[str, str]) -> list[str]:
    """The columns that may hold class labels as text: the label columns, and the prediction
    column when there is one only (predicted labels; several hold one score per class)."""
    preds = [c for c, role in roles.items() if role == "pred"]
    return [c for c, role in roles.items() if role == "label"] + (preds if len(preds) == 1 else [])


def _batches(reader: Any) -> Iterator[Any]:
    while True:
        try:
            yield reader.read_next_batch()
        except StopIteration:
            return


def _csv_type_error(error: Exception, header: Sequence[str], path: str) -> Exception:
    text = str(error)
    col = _CSV_COLUMN.search(text)
    value = _CSV_VALUE.search(text)
    if col is None or not header:
        line = _first_bad_line(path, len(header), None)
        where = f" (line {line})" if line else ""
        detail = " ".join(text.split())
        return InvalidInputError(f"{path}{where} must be a readable CSV file. Got: {detail}")
    index = int(col.group(1))
    name = header[index] if index < len(header) else col.group(1)
    got = f"the value {value.group(1)!r}" if value else text
    line = _first_bad_line(path, len(header), index)
    at = f" at line {line}" if line else ""
    return InvalidTypeError(
        f"column {name!r} must hold only numbers. Got {got}{at} in {path} instead (a column of "
        "mixed types); fix or remove the rows that hold text."
    )


def _first_bad_line(path: str, width: int, column: int | None) -> int | None:
    """The line of the first row that is not ``width`` fields wide (``column`` None) or whose
    ``column`` is not a number: pyarrow's parse errors carry no line number, so on an error
    only, the file is read once more with Python's csv module to find it."""
    import bz2
    import csv
    import gzip

    opener: Any = open
    if path.lower().endswith(".gz"):
        opener = gzip.open
    elif path.lower().endswith(".bz2"):
        opener = bz2.open
    delimiter = "\t" if path.lower().endswith(".tsv") else ","
    try:
        with opener(path, "rt", encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f, delimiter=delimiter)
            next(reader, None)
            for row in reader:
                if column is None:
                    if row and len(row) != width:
                        return reader.line_num
                    continue
                if column < len(row) and row[column].strip():
                    try:
                        float(row[column])
                    except ValueError:
                        return reader.line_num
    except (OSError, EOFError, UnicodeDecodeError, csv.Error, zlib.error):
        return None
    return None
