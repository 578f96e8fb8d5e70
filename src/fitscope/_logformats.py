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
import math
from collections.abc import Iterator
from pathlib import Path

__all__ = ["csv_header", "read_keras_csv"]


def csv_header(path: Path) -> list[str]:
    """The first row of a comma, semicolon or tab separated file ([] when it is not one)."""
    try:
        with path.open(encoding="utf-8", newline="") as f:
            sample = f.read(4096)
    except (OSError, UnicodeDecodeError):
        return []
    first = sample.splitlines()[0] if sample else ""
    delimiter = max(",;\t", key=first.count)
    return [c.strip() for c in next(csv.reader([first], delimiter=delimiter), [])]


def _number(text: str | None) -> float | None:
    if text is None or text.strip() == "":
        return None
    value = float(text)
    return None if math.isnan(value) else value


def read_keras_csv(path: Path) -> Iterator[tuple[str, int, float]]:
    """(key, epoch, value) of a Keras ``CSVLogger`` file, epochs as the file numbers them
    (from 0). A header repeated by ``append=True`` (a resumed training) is skipped, and so
    are empty cells."""
    with path.open(encoding="utf-8", newline="") as f:
        sample = f.read(4096)
        f.seek(0)
        delimiter = max(",;\t", key=sample.splitlines()[0].count) if sample else ","
        for row in csv.DictReader(f, delimiter=delimiter):
            epoch_text = row.get("epoch")
            if epoch_text in (None, "", "epoch"):  # a header repeated by append=True
                continue
            epoch = int(float(epoch_text))
            for key, text in row.items():
                if key is None or key == "epoch":
                    continue
                value = _number(text)
                if value is not None:
                    yield key.strip(), epoch, value
