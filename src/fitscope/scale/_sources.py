"""Where the rows come from: paths resolved to files, files split into pieces, pieces read in
record batches of bounded size (pyarrow's streaming readers, never a whole file at once)."""

from __future__ import annotations

import functools
import importlib
import os
import re
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
#: CSV block size in bytes (pyarrow parses one block at a time).
CSV_BLOCK_BYTES = 16 << 20


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
        check_numeric(schema, numeric, piece.path, _label_of(roles))
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
        with pcsv.open_csv(piece.path, read_options=pcsv.ReadOptions(block_size=1 << 16)) as head:
            header = list(head.schema.names)
            head_types = {f.name: f.type for f in head.schema}
        check_columns(wanted, header, piece.path, roles)
        types = {c: pa.float64() for c in numeric}
        # A label column whose first block reads as text holds class names: keep it text.
        types.update({c: pa.string() for c in _label_of(roles) if is_text(head_types.get(c))})
        types.update({c: pa.string() for c in other if c not in types})
        # open_csv converts the first block already, so it sits inside the try as well.
        reader = pcsv.open_csv(
            piece.path,
            read_options=pcsv.ReadOptions(block_size=CSV_BLOCK_BYTES, use_threads=use_threads),
            convert_options=pcsv.ConvertOptions(include_columns=wanted, column_types=types),
        )
        with reader:
            for batch in _batches(reader):
                for start in range(0, batch.num_rows, chunk_rows):
                    part = batch.slice(start, chunk_rows)
                    yield part, row
                    row += part.num_rows
    except pa.ArrowInvalid as error:
        raise _csv_type_error(error, header, piece.path) from error


def _label_of(roles: dict[str, str]) -> list[str]:
    return [c for c, role in roles.items() if role == "label"]


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
        return InvalidInputError(f"{path} must be a readable CSV file. Got: {text}")
    name = header[int(col.group(1))] if int(col.group(1)) < len(header) else col.group(1)
    got = f"the value {value.group(1)!r}" if value else text
    return InvalidTypeError(
        f"column {name!r} must hold only numbers. Got {got} in {path} instead (a column of "
        "mixed types); fix or remove the rows that hold text."
    )
