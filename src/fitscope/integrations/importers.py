"""Import logs written by other tools as fitscope runs.

Formats, recognised from the path:

- a folder with TensorBoard event files (``*tfevents*``, in it or below): scalars become
  series; a subfolder named like a split (``train/``, ``validation/`` as Keras writes them)
  gives the split, else the tag does (``train/loss``, ``Loss/train``, ``val_loss``); Keras's
  ``epoch_`` prefix is dropped and its ``batch_`` prefix goes to the split "train_step";
- a Keras ``CSVLogger`` file (a CSV with an ``epoch`` column and no ``step`` column);
- a Lightning ``CSVLogger`` ``metrics.csv`` (``step`` and usually ``epoch`` columns, empty
  cells where a row has no value), or its version folder (``hparams.yaml`` becomes the
  config);
- a Hugging Face ``trainer_state.json`` (or a folder holding exactly one).

A sketch (needs your own data)::

    from fitscope.integrations.importers import import_logs
    record = import_logs("lightning_logs/version_0", project="mnist")

Values are logged at the steps the tool recorded; their times are the time of the import.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import struct
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from fitscope._optional import require
from fitscope.errors import FitscopeError, InvalidInputError
from fitscope.integrations.naming import lightning_place, parse_name, split_of
from fitscope.track._limits import MAX_STEP, check_point
from fitscope.track.records import RunRecord
from fitscope.track.run import init
from fitscope.track.store import Store

__all__ = ["FORMATS", "detect_format", "import_logs", "read_logs"]

FORMATS = ("tensorboard", "keras_csv", "lightning_csv", "hf_trainer_state")

#: One point: (split, step, metric, value).
Point = tuple[str, int, str, float]

#: Hugging Face log keys that describe the run's speed or bookkeeping, not the model.
_HF_SKIP_SUFFIXES = ("_runtime", "_samples_per_second", "_steps_per_second")
_HF_SKIP = {"epoch", "step", "total_flos"}


def _tfevents(path: Path) -> list[Path]:
    return sorted(p for p in path.rglob("*") if p.is_file() and "tfevents" in p.name)


def detect_format(path: str | os.PathLike[str]) -> str:
    """Which of :data:`FORMATS` the file or folder at ``path`` holds."""
    p = Path(path)
    if not p.exists():
        raise InvalidInputError(f"path must be an existing file or folder. Got {str(p)!r} instead.")
    if p.is_dir():
        if _tfevents(p):
            return "tensorboard"
        if (p / "metrics.csv").is_file():
            return "lightning_csv"
        if (p / "trainer_state.json").is_file():
            return "hf_trainer_state"
        raise InvalidInputError(
            f"path must be a folder with TensorBoard event files, a Lightning metrics.csv or a "
            f"trainer_state.json. Got the folder {str(p)!r}, which holds none of them, instead."
        )
    if "tfevents" in p.name:
        return "tensorboard"
    if p.suffix == ".json":
        return "hf_trainer_state"
    if p.suffix == ".csv":
        try:
            with p.open(encoding="utf-8-sig", newline="") as f:
                header = [name.strip() for name in next(csv.reader(f), [])]
        except (UnicodeDecodeError, csv.Error) as error:
            raise InvalidInputError(
                f"path must be a UTF-8 CSV log. Got {str(p)!r}, which cannot be read as one "
                f"({error}), instead."
            ) from None
        if "step" in header:
            return "lightning_csv"
        if "epoch" in header:
            return "keras_csv"
    raise InvalidInputError(
        f"path must be a TensorBoard event file or folder, a Keras or Lightning CSV log, or a "
        f"trainer_state.json. Got {str(p)!r} instead."
    )


# -- readers: each yields (split, step, metric, value) ---------------------------------------


def _number(text: str, where: str = "value") -> float | None:
    """A cell as a float (NaN and inf kept: a NaN loss is evidence of divergence); None for
    an empty cell."""
    text = text.strip()
    if text == "":
        return None
    try:
        return float(text)
    except ValueError:
        raise InvalidInputError(f"{where} must be a number. Got {text!r} instead.") from None


def _step(raw: object, where: str) -> int:
    """A logged step as an int: whole numbers only (1 and 1.0 alike), within the store's
    range. Fractional steps are refused rather than rounded, so two rows never merge."""
    if isinstance(raw, str):
        raw = _number(raw, where)
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


def _csv_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row as a dict) of a CSV log, checked: UTF-8 (a BOM is allowed), each
    column named once, every row as wide as the header. A header repeated further down (a
    CSVLogger appending to its file) is skipped."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f)
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
                if not row or row == header:
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


def _read_keras_csv(path: Path) -> Iterator[Point]:
    for line, row in _csv_rows(path):
        if row.get("epoch") in (None, ""):
            continue
        epoch = _step(row["epoch"], f"{path} line {line} column 'epoch'")
        for key, text in row.items():
            value = None if key == "epoch" else _number(text, f"{path} line {line} column {key!r}")
            if value is not None:
                parsed = parse_name(key)
                yield parsed.split, epoch, parsed.metric, value


def _read_lightning_csv(path: Path) -> Iterator[Point]:
    for line, row in _csv_rows(path):
        if "step" not in row:
            raise InvalidInputError(f"{path} must have a 'step' column. Got {list(row)} instead.")
        step = _step(row["step"], f"{path} line {line} column 'step'")
        epoch_text = row.get("epoch") or ""
        epoch = _step(epoch_text, f"{path} line {line} column 'epoch'") if epoch_text else None
        for key, text in row.items():
            where = f"{path} line {line} column {key!r}"
            value = None if key in ("step", "epoch") else _number(text, where)
            if value is None:
                continue
            # The same rule as FitscopeLogger; with no epoch column, the row's step.
            split, metric, at = lightning_place(key, epoch=epoch, step=step)
            yield split, step if at is None else at, metric, value


def _load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as error:
        raise InvalidInputError(
            f"{path} must be valid JSON. Got {error.msg.lower()} at line {error.lineno} column "
            f"{error.colno} instead."
        ) from None
    except UnicodeDecodeError as error:
        raise InvalidInputError(
            f"{path} must be UTF-8 text. Got a byte that is not at byte offset {error.start} "
            "instead."
        ) from None


def _read_trainer_state(path: Path) -> Iterator[Point]:
    state = _load_json(path)
    history = state.get("log_history") if isinstance(state, dict) else None
    if not isinstance(history, list):
        raise InvalidInputError(
            f"path must be a Hugging Face trainer_state.json with a log_history list. Got "
            f"{str(path)!r}, which has none, instead."
        )
    for i, entry in enumerate(history):
        if not isinstance(entry, dict):
            raise InvalidInputError(
                f"{path} log_history[{i}] must be an object of logged values. Got "
                f"{entry!r} instead."
            )
        step = _step(entry.get("step", 0), f"{path} log_history[{i}].step")
        summary = "train_runtime" in entry  # the run's closing averages, not a step's values
        for key, value in entry.items():
            if key in _HF_SKIP or key.endswith(_HF_SKIP_SUFFIXES) or summary:
                continue
            if not isinstance(value, int | float) or isinstance(value, bool):
                continue
            parsed = parse_name(key)
            yield parsed.split, step, parsed.metric, float(value)


def _events(file: Path) -> Iterator[Any]:
    """The Event records of one event file (TFRecord framing: a little-endian uint64
    length, its CRC, the data, the data's CRC). CRCs are not checked: in pure Python that
    costs about 7x the whole read (tensorboard's own reader without TensorFlow does it). A
    record cut short at the end (a run still writing) is left out."""
    from google.protobuf.message import DecodeError  # type: ignore[import-untyped]
    from tensorboard.compat.proto import event_pb2

    data = file.read_bytes()
    pos = 0
    while pos + 12 <= len(data):
        (length,) = struct.unpack_from("<Q", data, pos)
        end = pos + 12 + length + 4
        if end > len(data):
            break
        try:
            event = event_pb2.Event.FromString(data[pos + 12 : pos + 12 + length])
        except DecodeError:
            raise InvalidInputError(
                f"{file} must be a TensorBoard event file. Got a corrupt record at byte offset "
                f"{pos} instead (its data cannot be decoded as an Event)."
            ) from None
        yield event
        pos = end


def _read_tensorboard(path: Path) -> Iterator[Point]:
    require("tensorboard", extra="tensorboard")
    from tensorboard.util import tensor_util

    root = path if path.is_dir() else path.parent
    files = _tfevents(path) if path.is_dir() else [path]
    for file in files:
        folder_split = None
        for part in file.parent.relative_to(root).parts:
            folder_split = split_of(part) or folder_split
        for event in _events(file):
            if not event.HasField("summary"):
                continue
            for value in event.summary.value:
                if value.HasField("simple_value"):
                    number = float(value.simple_value)
                elif value.HasField("tensor") and (
                    value.metadata.plugin_data.plugin_name in ("scalars", "")
                ):
                    array = tensor_util.make_ndarray(value.tensor)
                    if array.size != 1 or array.dtype.kind not in "biuf":
                        continue
                    number = float(array.reshape(-1)[0])
                else:
                    continue
                yield _tb_point(value.tag, folder_split, int(event.step), number)


def _tb_point(tag: str, folder_split: str | None, step: int, value: float) -> Point:
    level = None
    for prefix, lvl in (("epoch_", "epoch"), ("batch_", "step")):
        if tag.startswith(prefix) and folder_split is not None:
            tag, level = tag[len(prefix) :], lvl
            break
    parsed = parse_name(tag, default_split=folder_split or "train")
    split = parsed.split
    if level == "step" and not split.endswith("_step"):
        split = f"{split}_step"
    return split, step, parsed.metric, value


_READERS = {
    "tensorboard": _read_tensorboard,
    "keras_csv": _read_keras_csv,
    "lightning_csv": _read_lightning_csv,
    "hf_trainer_state": _read_trainer_state,
}


def _source_file(path: Path, fmt: str) -> Path:
    if path.is_dir() and fmt == "lightning_csv":
        return path / "metrics.csv"
    if path.is_dir() and fmt == "hf_trainer_state":
        return path / "trainer_state.json"
    return path


def read_logs(
    path: str | os.PathLike[str], *, format: str | None = None
) -> dict[tuple[str, str], dict[int, float]]:
    """The series in the log at ``path``: ``{(split, metric): {step: value}}``, the last value
    kept where a step repeats (a restarted run).

    >>> import pathlib, tempfile
    >>> log = pathlib.Path(tempfile.mkdtemp()) / "training.log"
    >>> _ = log.write_text("epoch,accuracy,loss,val_accuracy,val_loss\\n0,0.5,0.9,0.4,1.0\\n")
    >>> read_logs(log, format="keras_csv")[("val", "loss")]
    {0: 1.0}
    """
    p = Path(path)
    fmt = detect_format(p) if format is None else format
    if fmt not in _READERS:
        raise InvalidInputError(f"format must be one of {FORMATS}. Got {fmt!r} instead.")
    series: dict[tuple[str, str], dict[int, float]] = {}
    for split, step, metric, value in _READERS[fmt](_source_file(p, fmt)):
        series.setdefault((split, metric), {})[step] = value
    return series


def _config_of(path: Path, fmt: str) -> dict[str, Any]:
    config: dict[str, Any] = {"imported_from": str(path.resolve()), "format": fmt}
    source = _source_file(path, fmt)
    if fmt == "lightning_csv" and (source.parent / "hparams.yaml").is_file():
        yaml = require("yaml", extra="lightning")
        loaded = yaml.safe_load((source.parent / "hparams.yaml").read_text()) or {}
        if isinstance(loaded, Mapping):
            config.update({str(k): v for k, v in loaded.items() if _plain(v)})
    if fmt == "hf_trainer_state":
        state = _load_json(source)
        config.update({k: v for k, v in state.items() if k != "log_history" and _plain(v)})
    return config


def _plain(value: Any) -> bool:
    return value is None or isinstance(value, bool | int | float | str)


def _points_by_step(
    series: Mapping[tuple[str, str], Mapping[int, float]],
) -> Iterable[tuple[str, int, dict[str, float]]]:
    grouped: dict[tuple[str, int], dict[str, float]] = {}
    for (split, metric), points in series.items():
        for step, value in points.items():
            grouped.setdefault((split, step), {})[metric] = value
    for (split, step), values in sorted(grouped.items()):
        yield split, step, values


def import_logs(
    path: str | os.PathLike[str],
    *,
    project: str = "default",
    name: str | None = None,
    format: str | None = None,
    store: Store | str | os.PathLike[str] | None = None,
) -> RunRecord:
    """Read the log at ``path`` into a new, finished run tagged "imported" and return it.

    The run's name defaults to the file's or folder's name (``version_0``, ``training``); its
    config holds where it came from and the format (and Lightning's ``hparams.yaml`` or the
    Trainer's settings when there are some).

    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "log.csv").write_text("epoch,loss,val_loss\\n0,0.9,1.0\\n1,0.7,0.8\\n")
    >>> record = import_logs(folder / "log.csv", store=folder / "runs.db")
    >>> record.history("loss", "val").values.tolist()
    [1.0, 0.8]
    """
    p = Path(path)
    fmt = detect_format(p) if format is None else format
    series = read_logs(p, format=fmt)
    if not series:
        raise InvalidInputError(
            f"path must hold at least one logged number. Got {str(p)!r}, which holds none, instead."
        )
    # Every point checked before the run exists: a log the store cannot hold starts no run.
    for (split, metric), points in series.items():
        for step in points:
            try:
                check_point(split, metric, step, 0.0)
            except InvalidInputError as error:
                raise InvalidInputError(f"{p}: {error}") from None
            break  # names are per series; steps were checked where they were read
    run = init(
        project=project,
        name=name or (p.stem if p.is_file() else p.name),
        config=_config_of(p, fmt),
        tags=["imported", fmt],
        store=store,
    )
    try:
        with run:
            for split, step, values in _points_by_step(series):
                run.log(values, step=step, split=split)
    except BaseException:
        # A failed import leaves no run behind (the store may be the reason it failed).
        if isinstance(run.store, Store):  # a remote store keeps it (no delete over HTTP yet)
            with contextlib.suppress(FitscopeError):
                run.store.delete_run(run.id)
        raise
    return run.store.get_run(run.id, predictions=False)
