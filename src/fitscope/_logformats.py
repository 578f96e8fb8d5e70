"""Readers of log files other tools write, shared by ``fitscope import`` and ``fitscope
doctor FILE`` so that one file is read one way (no store, no framework needed).

>>> import pathlib, tempfile
>>> log = pathlib.Path(tempfile.mkdtemp()) / "training.log"
>>> _ = log.write_text("epoch,loss,val_loss\\n0,0.9,1.0\\nepoch,loss,val_loss\\n1,0.7,0.8\\n")
>>> list(read_keras_csv(log))
[('loss', 0, 0.9), ('val_loss', 0, 1.0), ('loss', 1, 0.7), ('val_loss', 1, 0.8)]
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from fitscope.errors import InvalidInputError

#: The largest step the stores hold (fitscope.track._limits.MAX_STEP; not imported from there,
#: which would load the whole store for ``fitscope doctor FILE``).
MAX_STEP = 2**63 - 1

__all__ = ["csv_header", "csv_rows", "number", "read_keras_csv", "whole_step"]


def csv_header(path: Path) -> list[str]:
    """The first row of a comma, semicolon or tab separated file ([] when it is not one)."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            sample = f.read(4096)
    except (OSError, UnicodeDecodeError):
        return []
    first = sample.splitlines()[0] if sample else ""
    delimiter = max(",;\t", key=first.count)
    return [c.strip() for c in next(csv.reader([first], delimiter=delimiter), [])]


def number(text: str | None, where: str = "value") -> float | None:
    """A cell as a float (NaN and inf kept: a NaN loss is evidence of divergence); None for
    an empty cell; else InvalidInputError naming ``where``."""
    if text is None or text.strip() == "":
        return None
    try:
        return float(text.strip())
    except ValueError:
        raise InvalidInputError(
            f"{where} must be a number. Got {text.strip()!r} instead."
        ) from None


def whole_step(raw: object, where: str) -> int:
    """A logged step as an int: whole numbers only (1 and 1.0 alike), within the store's
    range. Fractional steps are refused rather than rounded, so two rows never merge."""
    if isinstance(raw, str):
        raw = number(raw, where)
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise InvalidInputError(f"{where} must be a whole number. Got {raw!r} instead.")
    if isinstance(raw, float) and not raw.is_integer():
        raise InvalidInputError(
            f"{where} must be a whole number (fitscope steps are integers). Got {raw!r} "
            "instead. Scale the steps to integers first (e.g. multiply by 10)."
        )
    if not 0 <= raw <= MAX_STEP:
        raise InvalidInputError(
            f"{where} must be a step from 0 to {MAX_STEP}. Got {raw!r} instead."
        )
    return int(raw)


def csv_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row as a dict) of a comma, semicolon or tab separated log, checked:
    UTF-8 (a BOM is allowed), each column named once, every row as wide as the header. A
    header repeated further down (a CSVLogger appending to its file) is skipped."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            sample = f.read(4096)
            f.seek(0)
            first = sample.splitlines()[0] if sample else ""
            reader = csv.reader(f, delimiter=max(",;\t", key=first.count))
            header = next(reader, None)
            if header is None:
                raise InvalidInputError(f"{path} must have a header row. Got an empty file.")
            header = [name.strip() for name in header]
            seen: dict[str, int] = {}
            for i, name in enumerate(header, 1):
                if name in seen:
                    raise InvalidInputError(
                        f"{path} header must name each column once. Got {name!r} twice "
                        f"(columns {seen[name]} and {i}) instead."
                    )
                seen[name] = i
            for row in reader:
                if not row or [c.strip() for c in row] == header:
                    continue
                if len(row) != len(header):
                    raise InvalidInputError(
                        f"{path} line {reader.line_num} must have {len(header)} fields like the "
                        f"header. Got {len(row)} instead."
                    )
                yield reader.line_num, dict(zip(header, row, strict=True))
    except UnicodeDecodeError as error:
        raise InvalidInputError(
            f"{path} must be UTF-8 text. Got a byte that is not at byte offset {error.start} "
            "instead."
        ) from None
    except csv.Error as error:
        raise InvalidInputError(f"{path} must be a readable CSV file. Got: {error}.") from None


def read_keras_csv(path: Path) -> Iterator[tuple[str, int, float]]:
    """(key, epoch, value) of a Keras ``CSVLogger`` file, epochs as the file numbers them
    (from 0). A header repeated by ``append=True`` (a resumed training) is skipped, and so
    are empty cells; NaN is kept; a cell that is no number, or a fractional epoch, is an
    InvalidInputError naming the file, line and column."""
    for line, row in csv_rows(path):
        if row.get("epoch") in (None, ""):
            continue
        epoch = whole_step(row["epoch"], f"{path} line {line} column 'epoch'")
        for key, text in row.items():
            if key == "epoch":
                continue
            value = number(text, f"{path} line {line} column {key!r}")
            if value is not None:
                yield key, epoch, value
