"""Read what ``fitscope doctor PATH`` accepts: a Keras History JSON, a CSV of per-epoch values
(Keras CSVLogger style) or a CSV of predictions (``y_true`` and ``y_pred`` or per-class
probability columns)."""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from fitscope._logformats import read_keras_csv
from fitscope.errors import InvalidInputError

__all__ = ["PredictionsFile", "load"]

_ID_COLUMNS = ("id", "ids", "sample_id", "index")
SUFFIXES = (".json", ".csv", ".tsv", ".log", ".txt")


@dataclass(frozen=True)
class PredictionsFile:
    y_true: NDArray[Any]
    y_pred: NDArray[Any]
    ids: list[str] | None


def load(path: str | Path) -> dict[str, list[float]] | PredictionsFile:
    """Per-epoch curves (key -> values) or a set of predictions, by the file's content."""
    p = Path(path)
    if not p.is_file():
        raise InvalidInputError(f"path must be an existing file. Got {str(path)!r} instead.")
    if p.suffix.lower() == ".json":
        return _json(p)
    if p.suffix.lower() in SUFFIXES:
        return _csv(p)
    raise InvalidInputError(
        f"path must end in .json (a Keras History) or .csv (per-epoch values or predictions). "
        f"Got {p.name!r} instead."
    )


def _json(p: Path) -> dict[str, list[float]]:
    try:
        with p.open(encoding="utf-8-sig") as f:
            data = json.load(f)
    except json.JSONDecodeError as error:
        raise InvalidInputError(
            f"{p} must be valid JSON. Got {error.msg.lower()} at line {error.lineno} column "
            f"{error.colno} instead."
        ) from None
    except UnicodeDecodeError as error:
        raise InvalidInputError(
            f"{p} must be UTF-8 text. Got a byte that is not at byte offset {error.start} instead."
        ) from None
    if isinstance(data, dict) and isinstance(data.get("history"), dict):
        data = data["history"]  # {"history": {...}, "params": ...} as some scripts save it
    if not isinstance(data, dict) or not all(isinstance(x, list) for x in data.values()):
        raise InvalidInputError(
            f"{p.name} must hold a JSON object of per-epoch lists, as Keras' History.history "
            f'(e.g. {{"loss": [0.7, 0.5], "val_loss": [0.72, 0.6]}}). Got '
            f"{type(data).__name__} instead."
        )
    return {
        str(k): [_num(x, f"{p} {k!r}[{i}]") for i, x in enumerate(vals)] for k, vals in data.items()
    }


def _num(x: Any, where: str = "every value") -> float:
    if x is None or x == "":
        return math.nan
    try:
        return float(x)
    except (TypeError, ValueError):
        raise InvalidInputError(f"{where} must be a number. Got {x!r} instead.") from None


def _rows(p: Path) -> list[dict[str, str]]:
    """The rows of a CSV file, checked: UTF-8 (a BOM is allowed), each column named once,
    every row as wide as the header (the error names the line)."""
    try:
        with p.open(encoding="utf-8-sig", newline="") as f:
            sample = f.read(4096)
            f.seek(0)
            try:
                dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
            except csv.Error:  # one column, or rows too ragged to guess from: plain commas
                dialect = csv.excel
            reader = csv.reader(f, dialect=dialect)
            header = [c.strip() for c in next(reader, [])]
            for i, name in enumerate(header):
                if name in header[:i]:
                    raise InvalidInputError(
                        f"{p} header must name each column once. Got {name!r} twice (columns "
                        f"{header.index(name) + 1} and {i + 1}) instead."
                    )
            rows = []
            for row in reader:
                if not row:
                    continue
                if len(row) != len(header):
                    raise InvalidInputError(
                        f"{p} line {reader.line_num} must have {len(header)} fields like the "
                        f"header. Got {len(row)} instead."
                    )
                rows.append(dict(zip(header, row, strict=True)))
            return rows
    except UnicodeDecodeError as error:
        raise InvalidInputError(
            f"{p} must be UTF-8 text. Got a byte that is not at byte offset {error.start} instead."
        ) from None
    except csv.Error as error:
        raise InvalidInputError(f"{p} must be a readable CSV file. Got: {error}.") from None


def _csv(p: Path) -> dict[str, list[float]] | PredictionsFile:
    rows = _rows(p)
    if not rows:
        raise InvalidInputError(f"{p.name} must hold a header and at least one row. Got none.")
    columns = [c.strip() for c in rows[0] if c is not None]
    table = {c: [r.get(c) for r in rows] for c in columns}
    lower = {c.lower(): c for c in columns}
    if "y_true" in lower:
        return _predictions(table, lower)
    if "epoch" in columns:
        # A Keras CSVLogger file: the reader `fitscope import` uses (a header repeated by
        # append=True is skipped; errors name the file, line and column); where an epoch
        # repeats, its last row wins.
        by_key: dict[str, dict[int, float]] = {}
        for key, epoch, value in read_keras_csv(p):
            by_key.setdefault(key, {})[epoch] = value
        epochs = sorted({e for values in by_key.values() for e in values})
        return {k: [values.get(e, math.nan) for e in epochs] for k, values in by_key.items()}
    curves = {
        c: [_num(x, f"{p} line {i + 2} column {c!r}") for i, x in enumerate(vals)]
        for c, vals in table.items()
        if c.lower() != "epoch"
    }
    return curves


def _is_num(x: Any) -> bool:
    if x is None or x == "":
        return True
    try:
        float(x)
    except (TypeError, ValueError):
        return False
    return True


def _predictions(table: dict[str, list[Any]], lower: dict[str, str]) -> PredictionsFile:
    raw_true = table[lower["y_true"]]
    id_col = next((lower[c] for c in _ID_COLUMNS if c in lower), None)
    ids = [str(x) for x in table[id_col]] if id_col else None
    cols = [c for c in table if c != lower["y_true"] and c != id_col]
    if not all(_is_num(x) for x in raw_true):
        return _text_predictions(raw_true, table, lower, cols, ids)
    y_true = np.array([_num(x) for x in raw_true])
    if np.any(y_true != np.round(y_true)):
        if "y_pred" in lower or len(cols) == 1:  # real-valued targets: a regression
            pred = np.array([_num(x) for x in table[lower.get("y_pred", cols[0])]])
            return PredictionsFile(y_true, pred, ids)
        raise InvalidInputError("y_true must hold integer class labels. Got fractions instead.")
    if "y_pred" in lower or len(cols) == 1:  # labels, or the probability of class 1
        vals = np.array([_num(x) for x in table[lower.get("y_pred", cols[0] if cols else "")]])
        y_pred: NDArray[Any] = vals.astype(np.int64) if np.all(vals == np.round(vals)) else vals
    elif cols:
        y_pred = np.array([[_num(x) for x in table[c]] for c in cols]).T
    else:
        raise InvalidInputError(
            "a predictions file must have a y_pred column or one probability column per "
            f"class. Got columns {list(table)} instead."
        )
    return PredictionsFile(y_true.astype(np.int64), y_pred, ids)


def _text_predictions(
    raw_true: list[Any],
    table: dict[str, list[Any]],
    lower: dict[str, str],
    cols: list[str],
    ids: list[str] | None,
) -> PredictionsFile:
    """A text label column: class names. ``y_pred`` holds predicted names (or the score of the
    greater name, for two classes); probability columns named by the classes are matched by
    name, other probability columns map to the sorted names in file order (as the metrics)."""
    y_true = np.array([str(x).strip() for x in raw_true])
    if "y_pred" in lower or len(cols) == 1:
        raw = table[lower.get("y_pred", cols[0] if cols else "")]
        if all(_is_num(x) for x in raw):
            return PredictionsFile(y_true, np.array([_num(x) for x in raw]), ids)
        return PredictionsFile(y_true, np.array([str(x).strip() for x in raw]), ids)
    if not cols:
        raise InvalidInputError(
            "a predictions file must have a y_pred column or one probability column per "
            f"class. Got columns {list(table)} instead."
        )
    names = set(y_true.tolist())
    if names <= set(cols):
        cols = sorted(cols)  # columns named by class: put them in the sorted labels' order
    y_pred = np.array([[_num(x) for x in table[c]] for c in cols]).T
    return PredictionsFile(y_true, y_pred, ids)
