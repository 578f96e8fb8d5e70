"""Import logs written by other tools as fitscope runs.

Formats, recognised from the path:

- a folder with TensorBoard event files (``*tfevents*``, in it or below): one run per run
  folder (``tensorboard --logdir`` layout: ``logs/exp1``, ``logs/exp2``), named by its path
  under the folder given; scalars become series; a subfolder named like a split (``train/``,
  ``validation/`` as Keras writes them) gives the split, and so does an ``add_scalars``
  folder (``Loss_train/``, ``Loss_val/`` holding the tag ``Loss``); else the tag does
  (``train/loss``, ``Loss/train``, ``val_loss``, ``training loss``); Keras's ``epoch_``
  prefix is dropped and its ``batch_`` prefix goes to the split "train_step";
- a Keras ``CSVLogger`` file, recognised by its content whatever its name (``training.log``):
  a header with an ``epoch`` column and no ``step`` column; stored at step = epoch + 1, the
  epoch as Keras prints it;
- a Lightning ``CSVLogger`` ``metrics.csv`` (``step`` and usually ``epoch`` columns, empty
  cells where a row has no value), or its version folder (``hparams.yaml`` becomes the
  config);
- a Hugging Face ``trainer_state.json`` (or a folder holding exactly one).

A sketch (needs your own data)::

    from fitscope.integrations.importers import import_logs
    record = import_logs("lightning_logs/version_0", project="mnist")

Values are logged at the steps the tool recorded; their times are the time of the import.

Why one long file: each format's reader lives in _logformats.py; what stays here is the one
import transaction every format shares (detect, check every series and key before a run
exists, create the runs, delete them all if anything fails), which must stay one piece.
"""

from __future__ import annotations

import contextlib
import json
import os
import struct
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from fitscope._logformats import csv_header, read_keras_csv
from fitscope._logformats import csv_rows as _csv_rows
from fitscope._logformats import number as _number
from fitscope._logformats import whole_step as _step
from fitscope._names import EPOCH_TAG
from fitscope._optional import require
from fitscope.errors import FitscopeError, InvalidInputError
from fitscope.integrations.naming import lightning_place, parse_key, split_of
from fitscope.track._limits import check_metric, check_point
from fitscope.track.records import RunRecord
from fitscope.track.run import init
from fitscope.track.store import Store

__all__ = ["FORMATS", "detect_format", "import_logs", "import_runs", "read_logs"]

FORMATS = ("tensorboard", "keras_csv", "lightning_csv", "hf_trainer_state")

#: One point: (split, step, metric, value, key as written).
Point = tuple[str, int, str, float, str]
#: The series of one run: (split, metric) -> (key as written, {step: value}).
Series = dict[tuple[str, str], tuple[str, dict[int, float]]]

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
                f.read(4096)
        except UnicodeDecodeError as error:
            raise InvalidInputError(
                f"path must be a UTF-8 CSV log. Got {str(p)!r}, which cannot be read as one "
                f"({error}), instead."
            ) from None
    header = csv_header(p)  # by content: Keras' CSVLogger is often "training.log"
    if "step" in header:
        return "lightning_csv"
    if "epoch" in header:
        return "keras_csv"
    raise InvalidInputError(
        f"path must be a TensorBoard event file or folder, a Keras or Lightning CSV log, or a "
        f"trainer_state.json. Got {str(p)!r} instead."
    )


# -- readers: each yields (split, step, metric, value) ---------------------------------------


def _read_keras_csv(path: Path) -> Iterator[Point]:
    for key, epoch, value in read_keras_csv(path):  # the reader `fitscope doctor` uses
        parsed = parse_key(key)
        yield parsed.split, epoch + 1, parsed.metric, value, key


def _read_lightning_csv(path: Path) -> Iterator[Point]:
    """Lightning's CSVLogger writes one row per log call. Which rows were written at an
    epoch's end (where a plain "train_loss" logged with on_epoch=True belongs to the epoch,
    as FitscopeLogger files it) is read from the rows themselves: a row holding an ``_epoch``
    key or a validation/test key, or one that repeats an earlier row's step (the epoch-end
    call reuses the last training step; step rows each move it on)."""
    seen: set[int] = set()
    for line, row in _csv_rows(path):
        if "step" not in row:
            raise InvalidInputError(f"{path} must have a 'step' column. Got {list(row)} instead.")
        step = _step(row["step"], f"{path} line {line} column 'step'")
        epoch_text = row.get("epoch") or ""
        epoch = _step(epoch_text, f"{path} line {line} column 'epoch'") if epoch_text else None
        cells = {}
        for key, text in row.items():
            value = (
                None if key in _LIGHTNING else _number(text, f"{path} line {line} column {key!r}")
            )
            if value is not None:
                cells[key] = value
        names = [parse_key(k) for k in cells]
        epoch_level = epoch is not None and (
            step in seen
            or any(n.level == "epoch" or (n.level is None and n.split != "train") for n in names)
        )
        seen.add(step)
        for key, value in cells.items():
            # The same rule as FitscopeLogger; with no epoch column, the row's step.
            split, metric, at = lightning_place(
                key, epoch=epoch, step=step, epoch_level=True if epoch_level else None
            )
            yield split, step if at is None else at, metric, value, key


_LIGHTNING = ("step", "epoch")


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
            parsed = parse_key(key)
            yield parsed.split, step, parsed.metric, float(value), key
        epoch = entry.get("epoch")
        if isinstance(epoch, int | float) and not summary:
            # Steps are the x-axis (optimizer steps); the epoch each step fell in is kept
            # beside them, so both are there.
            split = "val" if any(k.startswith("eval_") for k in entry) else "train"
            yield split, step, "epoch", float(epoch), "epoch"


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


def _scalars(file: Path) -> list[tuple[str, int, float]]:
    """(tag, step, value) of every scalar in one event file."""
    from tensorboard.util import tensor_util

    out = []
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
            out.append((value.tag, int(event.step), number))
    return out


def _tensorboard_runs(path: Path) -> dict[str, list[Point]]:
    """The points of every run under a TensorBoard log folder, by run name.

    A folder of event files is a run, unless it names a split (Keras' ``train/`` and
    ``validation/``) or is an ``add_scalars`` folder (``Loss_train/`` holding the tag
    ``Loss``, as PyTorch's SummaryWriter writes it): those belong to the run above them.
    """
    require("tensorboard", extra="tensorboard")
    root = path if path.is_dir() else path.parent
    files = _tfevents(path) if path.is_dir() else [path]
    runs: dict[str, list[Point]] = {}
    for file in files:
        parts = list(file.parent.relative_to(root).parts)
        folder = parts[-1] if parts else ""
        scalars = _scalars(file)
        folder_split = split_of(folder) if folder else None
        suffix = None
        tags = {tag for tag, _, _ in scalars}
        if folder_split is None and folder and tags:
            for tag in tags:
                prefix = tag.replace("/", "_") + "_"
                if not folder.startswith(prefix) or len(folder) == len(prefix):
                    break
            else:
                suffix = folder[len(prefix) :]
        if folder_split is not None or suffix is not None:
            parts = parts[:-1]
        name = "/".join(parts) or root.name
        points = runs.setdefault(name, [])
        for tag, step, value in scalars:
            if suffix is not None:  # add_scalars: the folder's last word is the split
                split = split_of(suffix) or suffix
                points.append((split, step, parse_key(tag).metric, value, folder))
                continue
            parsed = parse_key(tag, folder_split or "train")
            points.append((parsed.split, step, parsed.metric, value, tag))
    return runs


_READERS = {
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


def _read_runs(p: Path, fmt: str) -> dict[str, Series]:
    """The series of every run in the log at ``p``, by run name; where a step repeats (a
    restarted run, a validation run twice in one epoch) the last value is kept."""
    if fmt not in FORMATS:
        raise InvalidInputError(f"format must be one of {FORMATS}. Got {fmt!r} instead.")
    if fmt == "tensorboard":
        points = _tensorboard_runs(p)
    else:
        points = {p.stem if p.is_file() else p.name: list(_READERS[fmt](_source_file(p, fmt)))}
    runs: dict[str, Series] = {}
    for name, run_points in points.items():
        series: Series = {}
        for split, step, metric, value, key in run_points:
            series.setdefault((split, metric), (key, {}))[1][step] = value
        runs[name] = series
    return runs


def read_logs(
    path: str | os.PathLike[str], *, format: str | None = None
) -> dict[tuple[str, str], dict[int, float]]:
    """The series in the log at ``path`` (one run): ``{(split, metric): {step: value}}``, the
    last value kept where a step repeats (a restarted run).

    >>> import pathlib, tempfile
    >>> log = pathlib.Path(tempfile.mkdtemp()) / "training.log"
    >>> _ = log.write_text("epoch,accuracy,loss,val_accuracy,val_loss\\n0,0.5,0.9,0.4,1.0\\n")
    >>> read_logs(log)[("val", "loss")]
    {1: 1.0}
    """
    p = Path(path)
    runs = _read_runs(p, detect_format(p) if format is None else format)
    if len(runs) > 1:
        raise InvalidInputError(
            f"path must hold one run for read_logs. Got {str(p)!r}, which holds {len(runs)} "
            f"({', '.join(sorted(runs))}), instead. Read one folder, or use import_runs."
        )
    (series,) = runs.values()
    return {pair: points for pair, (_, points) in series.items()}


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


def _steps_are_epochs(fmt: str, series: Series) -> bool:
    """Whether the run's steps are epochs (tagged EPOCH_TAG, so the doctor says "epoch"): a
    Keras CSVLogger file (epoch + 1), a Lightning metrics.csv (epoch-level values at
    Lightning's epoch), or TensorBoard events whose every loss outside a step-level split
    was written under Keras' ``epoch_`` prefix. A Hugging Face trainer_state.json keeps steps
    and its ``epoch`` series, from which the doctor reads each step's epoch."""
    if fmt in ("keras_csv", "lightning_csv"):
        return True
    if fmt != "tensorboard":
        return False
    losses = [
        key
        for (split, metric), (key, _) in series.items()
        if metric == "loss" and not split.endswith("_step")
    ]
    return bool(losses) and all(parse_key(key).level == "epoch" for key in losses)


def _points_by_step(series: Series) -> Iterable[tuple[str, int, dict[str, float]]]:
    grouped: dict[tuple[str, int], dict[str, float]] = {}
    for (split, metric), (_, points) in series.items():
        for step, value in points.items():
            grouped.setdefault((split, step), {})[metric] = value
    for (split, step), values in sorted(grouped.items()):
        yield split, step, values


def import_runs(
    path: str | os.PathLike[str],
    *,
    project: str = "default",
    name: str | None = None,
    format: str | None = None,
    store: Store | str | os.PathLike[str] | None = None,
) -> list[RunRecord]:
    """Read the log at ``path`` into new, finished runs tagged "imported", one per run it
    holds (a TensorBoard folder of several run folders gives several), and return them.

    A run's name is ``name``, else its folder's path under ``path`` (TensorBoard), else the
    file's or folder's name (``version_0``, ``training``); with ``name`` and several runs,
    each is ``name/<folder>``. Its config holds where it came from and the format (and
    Lightning's ``hparams.yaml`` or the Trainer's settings when there are some). Keys are
    kept as written for display.
    """
    p = Path(path)
    fmt = detect_format(p) if format is None else format
    runs = _read_runs(p, fmt)
    if not any(runs.values()):
        raise InvalidInputError(
            f"path must hold at least one logged number. Got {str(p)!r}, which holds none, instead."
        )
    # Every series checked before any run exists: a log the store cannot hold starts no run.
    for series in runs.values():
        for (split, metric), (key, points) in series.items():
            try:
                check_metric(key)
                for step in points:
                    check_point(split, metric, step, 0.0)
                    break  # names are per series; steps were checked where they were read
            except InvalidInputError as error:
                raise InvalidInputError(f"{p}: {error}") from None
    records: list[RunRecord] = []
    made: list[Any] = []
    try:
        for run_name, series in sorted(runs.items()):
            if not series:
                continue
            if name is not None:
                run_name = name if len(runs) == 1 else f"{name}/{run_name}"
            tags = ["imported", fmt] + ([EPOCH_TAG] if _steps_are_epochs(fmt, series) else [])
            run = init(
                project=project,
                name=run_name,
                config=_config_of(p, fmt),
                tags=tags,
                store=store,
            )
            made.append(run)
            with run:
                for (split, metric), (key, _) in series.items():
                    run._keep_key(split, metric, key)
                for split, step, values in _points_by_step(series):
                    run.log(values, step=step, split=split)
            records.append(run.store.get_run(run.id, predictions=False))
    except BaseException:
        # A failed import leaves no run behind (the store may be the reason it failed).
        for run in made:
            if isinstance(run.store, Store):  # a remote store keeps it (no delete over HTTP)
                with contextlib.suppress(FitscopeError):
                    run.store.delete_run(run.id)
        raise
    return records


def import_logs(
    path: str | os.PathLike[str],
    *,
    project: str = "default",
    name: str | None = None,
    format: str | None = None,
    store: Store | str | os.PathLike[str] | None = None,
) -> RunRecord:
    """Read the log of one run at ``path`` into a new, finished run tagged "imported" and
    return it (see :func:`import_runs` for a folder of several runs, which this refuses).

    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "log.csv").write_text("epoch,loss,val_loss\\n0,0.9,1.0\\n1,0.7,0.8\\n")
    >>> record = import_logs(folder / "log.csv", store=folder / "runs.db")
    >>> record.history("loss", "val").values.tolist()
    [1.0, 0.8]
    """
    p = Path(path)
    fmt = detect_format(p) if format is None else format
    if fmt == "tensorboard" and len(_tensorboard_runs(p)) > 1:
        raise InvalidInputError(
            f"path must hold one run for import_logs. Got {str(p)!r}, which holds several "
            "TensorBoard runs, instead. Use import_runs (or fitscope import) to import each."
        )
    return import_runs(p, project=project, name=name, format=fmt, store=store)[0]
