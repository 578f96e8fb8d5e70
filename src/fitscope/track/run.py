"""A run being recorded: ``log`` appends to a buffer, a background thread writes it out.

The training thread only validates and appends (a few microseconds); a daemon writer thread
swaps the buffer every ``flush_interval`` seconds and writes one chunk per series in one
transaction. If a write fails the points go back to the front of the buffer and are retried,
so nothing logged is dropped; the error is raised from the next flush() or finish().

Why one long file: ``Run`` is one object whose front end (``log`` on the training thread,
lock-free) and writer thread share the buffer, the counters and the in-flight count; the
invariants that keep threads from losing or repeating a point are read across both halves,
so they stay together (the writer's batch splitting is in _writer.py, the limits in
_limits.py, wandb's habits in habits.py).
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import numbers
import os
import sys
import threading
import time
import uuid
import warnings
import weakref
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from fitscope._names import SIZE_METRIC
from fitscope._validation import as_label_array, describe
from fitscope.errors import (
    FitscopeError,
    InvalidInputError,
    InvalidTypeError,
    PointsRefusedWarning,
    StoreError,
    StoreStalledWarning,
)
from fitscope.track import _current, _writer
from fitscope.track._config import Config, Summary, to_json_config
from fitscope.track._limits import (
    END_STATUSES,
    MAX_STEP,
    check_metric,
    check_name,
    check_split,
    check_step,
    check_value,
)
from fitscope.track.records import PredictionSnapshot, RunRecord
from fitscope.track.remote import RemoteStore, open_store
from fitscope.track.store import Chunk, Store

__all__ = ["Run", "init"]

#: Seconds between writes; everything logged more than this long before a crash is stored.
FLUSH_INTERVAL = 0.2
#: Entries the buffer holds before log() waits for the writer (back-pressure). A log() call
#: takes 4 + (number of keys) entries, so the default is ~350,000 calls of two metrics, about
#: 50 MB; the writer normally takes the buffer five times a second, long before this.
MAX_BUFFER = 2_000_000
#: The writer refreshes the run's heartbeat at least this often even when nothing is logged.
HEARTBEAT_INTERVAL = 5.0

T = TypeVar("T")

_STATUSES = END_STATUSES
_live_runs: weakref.WeakSet[Run] = weakref.WeakSet()
_uncaught = False


# The numpy scalar types logged most (the result of a numpy reduction): checked by identity,
# before the slower abstract-base-class test that covers every other number.
_NUMPY_NUMBERS = frozenset({np.float64, np.float32, np.float16, np.int64, np.int32})


# Value types log() buffers without converting: they are floats already. (Not int: a Python int
# beyond float64's range would fail in the writer instead of in log().)
_QUICK = frozenset({float, np.float64, np.float32})


def _to_float(key: str, value: object) -> float:
    """A logged value as a float: Python and numpy numbers, and 0-d arrays or tensors."""
    kind = type(value)
    if kind is float or kind in _NUMPY_NUMBERS:
        return float(value)  # type: ignore[arg-type]
    if kind is int:
        return check_value(value, key=key)  # an int beyond float64's range is refused here
    if isinstance(value, bool | np.bool_):
        raise InvalidTypeError(
            f"values[{key!r}] must be a number. Got the boolean {value!r} instead. "
            "Log float(value) if you mean 0 or 1."
        )
    if isinstance(value, numbers.Real):
        return check_value(value, key=key)
    if isinstance(value, str | bytes):
        raise InvalidTypeError(f"values[{key!r}] must be a number. Got {describe(value)} instead.")
    shape = getattr(value, "shape", None)
    if shape is not None and hasattr(value, "item"):
        if tuple(shape) != ():
            raise InvalidInputError(
                f"values[{key!r}] must be a scalar. Got an array of shape {tuple(shape)} "
                "instead. Reduce it first (e.g. .mean()) or log its elements under separate keys."
            )
        # A 0-d numpy array or framework tensor (moved to the host here); its item is checked
        # like any other value.
        item = value.item()
        if item is not value:  # guard against an .item() that returns the object itself
            return _to_float(key, item)
    raise InvalidTypeError(
        f"values[{key!r}] must be a number. Got {value!r} ({type(value).__name__}) instead."
    )


def _clean(values: object) -> dict[str, float]:
    """``values`` checked and converted: a mapping of non-empty string keys to float."""
    if not isinstance(values, Mapping):
        raise InvalidTypeError(
            f"values must be a dict of metric name to number. Got {describe(values)} instead."
        )
    clean: dict[str, float] = {}
    for key, value in values.items():
        if type(key) is not str or not key:
            raise InvalidInputError(
                f"values must have non-empty string keys. Got the key {key!r} instead."
            )
        clean[key] = float(value) if type(value) is float else _to_float(key, value)
    return clean


def _with_size(clean: Mapping[str, Any], n: object) -> dict[str, Any]:
    """``clean`` plus the sample count ``n`` under :data:`SIZE_METRIC`, checked at the call."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or int(n) < 1:
        raise InvalidInputError(
            f"n must be a positive integer (the number of samples the values were computed "
            f"on). Got {n!r} instead."
        )
    if SIZE_METRIC in clean:
        raise InvalidInputError(
            f"values must not hold the key {SIZE_METRIC!r} when n= is given: it is where n is "
            f"stored. Got both values[{SIZE_METRIC!r}]={clean[SIZE_METRIC]!r} and n={n!r} "
            "instead; drop one."
        )
    return {**clean, SIZE_METRIC: float(n)}


class Run:
    """One training run being recorded. Make one with :func:`fitscope.init`.

    Steps count from 0 per split: ``log(..., split="val")`` without ``step`` takes the step
    after the last one logged on "val". NaN and inf are stored as they are.
    """

    def __init__(
        self,
        store: Store | RemoteStore,
        *,
        project: str,
        name: str | None,
        config: Mapping[str, Any] | None,
        tags: Sequence[str] | None,
        flush_interval: float = FLUSH_INTERVAL,
        resume: RunRecord | None = None,
        max_buffer: int = MAX_BUFFER,
        run_id: str | None = None,
    ) -> None:
        check_name("project", project)
        if name is not None:
            check_name("name", name)
        if config is not None and not isinstance(config, Mapping):
            raise InvalidTypeError(
                f"config must be a dict. Got {config!r} ({type(config).__name__}) instead."
            )
        config = to_json_config(config or {})  # numbers stay numbers; the rest refused here
        tag_list = [tags] if isinstance(tags, str) else list(tags or [])
        for tag in tag_list:
            check_name("tags", tag)
        self.store = store
        self.id = run_id or uuid.uuid4().hex
        self.project = project
        self.start_time = time.time()
        self.name = name or time.strftime("run-%Y%m%d-%H%M%S", time.localtime(self.start_time))
        self.config = dict(config or {})
        self.tags = sorted(set(tag_list))
        self.status = "running"
        # Per split, the counter that hands out automatic steps (see log()).
        self._counters: dict[str, itertools.count[int]] = {}
        # log() without split=: one step counter for the whole call (wandb's habit), the
        # parsed keys of each key set seen, keys as written per series (kept for display,
        # written once), and what log(..., commit=False) has gathered for the next step.
        # Threads may share these: _parsed_lock guards the step choice (the run's counter
        # and the splits' counters it must not fall behind are read and moved together; a
        # lock-free next() raced with the splits' counters, which other calls move), the
        # first read of a key set and commit=False gathering. log(split=...) stays lock-free.
        self._step = 0
        self._parsed_lock = threading.Lock()
        self._routes: dict[tuple[str, ...], dict[str, list[tuple[str, str]]]] = {}
        self._raw_keys: dict[tuple[str, str], str] = {}
        self._new_keys: list[tuple[str, str, str]] = []
        self._pending: dict[str, Any] = {}
        self._plain: set[tuple[str, ...]] = set()
        # Logged points, flat: per log() call split, step, time, keys (a tuple, shared by the
        # calls of a split that log the same keys), then one value per key. Flat so that a
        # call adds no object the garbage collector tracks (a tuple or dict per call made the
        # cyclic GC cost more than the rest of log() together), and one list.extend per call
        # so that the writer's swap of the list never splits a call.
        self._points: list[Any] = []
        # Entries the writer has taken off the buffer and is writing: they count against
        # max_buffer too, else a stalled store lets the buffer refill while each failed batch
        # is put back, and memory grows by max_buffer per retry.
        self._inflight = 0
        self._keys: dict[str, tuple[str, ...]] = {}
        self._names: set[str] = set()  # metric names already checked against the limits
        self._snapshots: list[PredictionSnapshot] = []
        self._lock = threading.Lock()  # serialises writes (writer thread vs flush/finish)
        self._error: BaseException | None = None
        self._flush_interval = flush_interval
        if isinstance(max_buffer, bool) or not isinstance(max_buffer, int) or max_buffer < 1000:
            raise InvalidInputError(
                f"max_buffer must be an integer >= 1000. Got {max_buffer!r} instead."
            )
        self._max_buffer = max_buffer
        self._wake = threading.Event()  # wakes the writer early (a full buffer, finish)
        self._stalled: BaseException | None = None  # the transient error the writer waits out
        self._warned_full = False
        self._refused_pending: list[_writer.Refusal] = []
        self.refused = 0  # points the store refused (see fitscope.track._writer)
        if resume is None:
            store.create_run(
                self.id,
                project=project,
                name=self.name,
                config=self.config,
                tags=self.tags,
                start_time=self.start_time,
            )
        else:
            self._resume(resume)
        # A dict that saves its changes (run.config["lr"] = 0.1, run.config.lr = 0.1).
        self.config = Config(self.config, lambda c: store.set_config(self.id, c))
        self._stop = threading.Event()
        self._writer = threading.Thread(
            target=self._write_loop, name=f"fitscope-writer-{self.id[:8]}", daemon=True
        )
        self._writer.start()
        _live_runs.add(self)

    def _resume(self, record: RunRecord) -> None:
        """Continue ``record``: same id, name, project and start; config and tags merged; each
        split's steps go on after the last one stored."""
        self.id, self.project, self.name = record.id, record.project, record.name
        self.start_time = record.start_time
        self.config = {**record.config, **self.config}
        new_tags = sorted(set(self.tags) - set(record.tags))
        self.tags = sorted(set(record.tags) | set(self.tags))
        for split, metric in record.series():
            steps = record.history(metric, split).steps
            if steps.size:
                after = max(_peek(self._counters.get(split)), int(steps.max()) + 1)
                self._counters[split] = itertools.count(after)
        self._step = max((_peek(c) for c in self._counters.values()), default=0)
        self._raw_keys = dict(record.keys())
        self.store.reopen_run(self.id, config=self.config)
        if new_tags:
            self.store.tag_run(self.id, *new_tags)

    def update_config(self, values: Mapping[str, Any]) -> None:
        """Add or change config entries of a running run (hyperparameters known late)."""
        if not isinstance(values, Mapping):
            raise InvalidTypeError(f"values must be a dict. Got {describe(values)} instead.")
        self.config.update(to_json_config(values))  # a Config: saved

    # -- logging (training thread) ---------------------------------------------------------

    def log(
        self,
        values: Mapping[str, Any],
        *,
        step: int | None = None,
        split: str | None = None,
        commit: bool = True,
        n: int | None = None,
    ) -> None:
        """Record metric values for one step.

        Without ``split`` each key is read by :func:`fitscope._names.parse_key`
        (``"val/loss"``, ``"val_loss"``, ``"Loss/train"``, ``"acc"``... land in their split
        under fitscope's metric name; the key as written is kept for display), and all the
        call's values share one step: the run's step counter, which counts such calls like
        wandb's. With ``split`` the keys are taken literally and the split has its own
        counter. ``commit=False`` keeps the values for the next call's step. ``n``, when
        given, is the number of samples the values were computed on (stored as the series
        ``"n"`` of each split the call logs to; the doctor judges validation changes against
        the sampling noise of that many samples).

        >>> import tempfile, pathlib, fitscope
        >>> run = fitscope.init(store=pathlib.Path(tempfile.mkdtemp()) / "r.db")
        >>> run.log({"loss": 0.41, "val/loss": 0.52})            # train and val, step 0
        >>> run.log({"loss": 0.52, "accuracy": 0.81}, split="val", n=500)
        >>> run.finish()
        """
        if self.status != "running":
            raise InvalidInputError(
                f"run must be running to log. Got a run that is {self.status!r} instead. "
                "Start a new one with fitscope.init()."
            )
        if not commit or self._pending:
            if not commit and n is not None:
                raise InvalidInputError(
                    f"n must be given with the call that commits the step. Got n={n!r} with "
                    "commit=False instead; pass n= to the next call (commit=True)."
                )
            values = self._gather(values, commit)
            if not commit:
                return
        if split is None:
            self._log_parsed(values, step, n)
            return
        if len(self._points) + self._inflight >= self._max_buffer:
            self._wait_for_writer()
        # Quick path (the common case, a dict of str -> Python or numpy float): exact type
        # tests, values buffered as they are (the writer converts them all to float64 at
        # once). Anything else goes through the full checks.
        if type(values) is dict:
            for key, value in values.items():
                if type(value) not in _QUICK or type(key) is not str or not key:
                    clean = _clean(values)
                    break
            else:
                clean = values
        else:
            clean = _clean(values)
        if n is not None:
            clean = _with_size(clean, n)
        # Threads may share a run, without a lock (a lock cost more than the rest of this
        # path together): each step below is one C-level operation the GIL makes atomic.
        # The key tuple appended is a local (never re-read from self._keys, which another
        # thread may have changed meanwhile), the automatic step is next() on the split's
        # itertools.count (two threads never get the same one), and the append is one
        # list.extend (a call's parts never interleave with another's).
        keys = tuple(clean)
        cached = self._keys.get(split) if type(split) is str else None
        if keys != cached:
            for key in keys:
                if key not in self._names:
                    check_metric(key)
                    self._names.add(key)
            cached = keys
            if type(split) is str:
                self._keys[split] = keys
        counters = self._counters
        if type(split) is not str or split not in counters:
            check_split(split)
            counters.setdefault(split, itertools.count())
        if step is None:
            step = next(counters[split])
            if step > MAX_STEP:
                raise InvalidInputError(
                    f"step of split {split!r} must stay within 0..{MAX_STEP}. Got an automatic "
                    f"step of {step} (the step after the last one logged) instead. Pass "
                    "step= explicitly."
                )
        else:
            if type(step) is not int or step < 0 or step > MAX_STEP:
                step = check_step(step, key=f"{split}/{next(iter(clean), '')}")
            counters[split] = itertools.count(step + 1)
        self._points.extend((split, step, time.time(), cached, *clean.values()))

    def _gather(self, values: Mapping[str, Any], commit: bool) -> dict[str, Any]:
        """Values kept by commit=False calls merged with this call's (this call's win)."""
        clean = _clean(values)  # checked at the call that gave them, keys against the limits
        for key in clean:
            if key not in self._names:
                check_metric(key)
        with self._parsed_lock:  # threads: every value lands in one merge or stays pending
            self._pending.update(values)
            if not commit:
                return {}
            merged, self._pending = self._pending, {}
        return merged

    def _keep_key(self, split: str, metric: str, key: str) -> None:
        """Keep ``key`` as what (split, metric) is shown as (importers and hooks that read
        the key themselves and log with an explicit split). Written once, so it must fit
        the store like a metric name (track/_limits.py)."""
        if (split, metric) not in self._raw_keys:
            check_metric(key)
            self._raw_keys[(split, metric)] = key
            if key != metric:
                self._new_keys.append((split, metric, key))

    def _log_parsed(self, values: Mapping[str, Any], step: int | None, n: int | None) -> None:
        """log() without split=: each key to the split and metric its name says."""
        keys = tuple(values)
        route = self._routes.get(keys)
        if route is None:
            with self._parsed_lock:  # read once, its keys kept once, even from threads
                route = self._routes.get(keys) or self._route(values, keys)
        if step is None:
            # The run's counter, never behind a split's own (a split also logged with split=
            # or step=); taken under the lock, so two threads never get the same step.
            counters = self._counters
            with self._parsed_lock:
                step = self._step
                for split in route:
                    ahead = _peek(counters.get(split))
                    if ahead > step:
                        step = ahead
                self._step = step + 1
            if step > MAX_STEP:
                raise InvalidInputError(
                    f"step of the run's log() calls without split= must stay within "
                    f"0..{MAX_STEP}. Got an automatic step of {step} (the step after the last "
                    "one logged) instead. Pass step= explicitly."
                )
        else:
            if type(step) is not int or step < 0 or step > MAX_STEP:
                where = next(((s, p[0][1]) for s, p in route.items() if p), ("train", ""))
                step = check_step(step, key="/".join(where))
            with self._parsed_lock:
                self._step = step + 1
        if len(route) == 1 and keys in self._plain:
            # The common case ({"loss": ..., "accuracy": ...}): one split, keys already
            # metric names, checked and kept by _route, so the values go on as they are:
            # appended here as log(split=) would, without a second pass through its checks.
            (split,) = route
            quick = n is None and type(values) is dict
            if quick:
                for value in values.values():
                    if type(value) not in _QUICK:
                        quick = False
                        break
            if quick and len(self._points) + self._inflight < self._max_buffer:
                cached = self._keys.get(split)
                if cached != keys:  # one tuple shared by the calls that log the same keys
                    self._keys[split] = cached = keys
                self._counters[split] = itertools.count(step + 1)
                self._points.extend((split, step, time.time(), cached, *values.values()))
            else:
                self.log(values, step=step, split=split, n=n)
        else:
            for split, pairs in route.items():
                chosen = {metric: values[key] for key, metric in pairs}
                self.log(chosen, step=step, split=split, n=n)

    def _route(
        self, values: Mapping[str, Any], keys: tuple[str, ...]
    ) -> dict[str, list[tuple[str, str]]]:
        """Read a key set once (cached): split -> [(key, metric)]; keys as written kept.
        Each key, and the split and metric read from it, checked against the store's limits
        here, before anything is kept."""
        from fitscope._names import parse_key

        route: dict[str, list[tuple[str, str]]] = {}
        seen: dict[tuple[str, str], str] = {}
        for key in keys:
            if type(key) is not str or not key:
                _clean(values)  # raises the usual error for the key
            check_metric(key)
            name = parse_key(key)
            check_split(name.split)
            check_metric(name.metric)
            pair = (name.split, name.metric)
            if pair in seen:
                raise InvalidInputError(
                    f"values must name each series once. Got {seen[pair]!r} and {key!r}, "
                    f"which both mean {name.metric!r} of split {name.split!r}, instead. "
                    "Pass split= to keep the keys as written."
                )
            seen[pair] = key
            route.setdefault(name.split, []).append((key, name.metric))
        for split, pairs in route.items():
            for key, metric in pairs:
                self._keep_key(split, metric, key)
        if all(key == metric for pairs in route.values() for key, metric in pairs):
            self._plain.add(keys)
        self._routes[keys] = route
        return route

    def log_predictions(
        self,
        y_true: Any,
        y_pred: Any,
        *,
        split: str = "val",
        step: int | None = None,
        ids: Any = None,
    ) -> None:
        """Store per-sample labels and predictions of ``split`` at ``step`` (default: the
        split's last logged step), for per-sample loss, confident mistakes and confusion
        matrices later."""
        check_split(split)
        yt = np.array(as_label_array(y_true, "y_true"))  # class names kept as text
        yp = np.array(as_label_array(y_pred, "y_pred"))
        if yt.shape[0] != yp.shape[0]:
            raise InvalidInputError(
                "y_true and y_pred must have the same number of samples. "
                f"Got {yt.shape[0]} and {yp.shape[0]} instead."
            )
        id_arr = None
        if ids is not None:
            id_arr = np.asarray(ids)
            if id_arr.dtype.kind == "O":
                id_arr = id_arr.astype(str)
            if id_arr.shape != (yt.shape[0],):
                raise InvalidInputError(
                    f"ids must have one entry per sample ({yt.shape[0]}). "
                    f"Got shape {id_arr.shape} instead."
                )
        if step is None:
            step = max(_peek(self._counters.get(split)) - 1, 0)
        step = check_step(step)
        self._snapshots.append(PredictionSnapshot(split, int(step), time.time(), yt, yp, id_arr))

    # -- writing (writer thread, flush, finish) --------------------------------------------

    def _wait_for_writer(self) -> None:
        """Back-pressure: block until the writer has taken the buffer below ``max_buffer``
        entries (it writes at once when woken), saying so once per run."""
        if not self._warned_full:
            self._warned_full = True
            why = (
                f"the store cannot be written ({_detail(self._stalled)})"
                if self._stalled is not None
                else "the store writes more slowly than the run logs"
            )
            warnings.warn(
                f"run {self.name!r}: log() is waiting for the writer: {self._max_buffer:,} "
                f"buffered entries (max_buffer) because {why}. Nothing is dropped; log() "
                "continues as soon as the writer catches up. (Said once per run.)",
                StoreStalledWarning,
                stacklevel=3,
            )
        while len(self._points) + self._inflight >= self._max_buffer and not self._stop.is_set():
            self._wake.set()
            if not self._writer.is_alive():
                break
            time.sleep(0.002)

    def _write_loop(self) -> None:
        last_beat = 0.0
        while not self._stop.is_set():
            self._wake.wait(self._flush_interval)
            self._wake.clear()
            if self._stop.is_set():
                break
            now = time.time()
            if self._points or self._snapshots or now - last_beat >= HEARTBEAT_INTERVAL:
                try:
                    self._write(heartbeat=now)
                    last_beat = now
                except _writer.WriteStalled as stall:
                    self._error = stall.error
                    if self._stalled is None:
                        warnings.warn(
                            f"run {self.name!r}: cannot write to the store just now "
                            f"({_detail(stall.error)}). Logged points wait in memory and are "
                            f"written when the store accepts writes again; log() blocks at "
                            f"{self._max_buffer:,} buffered entries. (Said once per stall.)",
                            StoreStalledWarning,
                            stacklevel=1,
                        )
                    self._stalled = stall.error
                    # Back off a little while the store is down (not a tight retry loop).
                    self._stop.wait(min(1.0, 5 * self._flush_interval))
                except BaseException as error:  # kept and raised from flush()/finish()
                    self._error = error

    def _write(self, *, status: str | None = None, heartbeat: float | None = None) -> None:
        with self._lock:
            # Take what is buffered now off the front of the lists, which stay the same
            # objects. (Swapping in new lists loses points: log() may have looked up the old
            # list just before the swap and extend it just after.) Each slice copy and each
            # del is atomic under the GIL, and only this locked section removes items.
            points = _take(self._points)
            snaps = _take(self._snapshots)
            # Keys as written go with the batch (a server store carries them in its ingest
            # batch as a "keys" operation).
            keys = _take(self._new_keys)
            self._inflight = len(points)
            try:
                try:
                    chunks, bad = _chunks(points), list[_writer.Refusal]()
                except (ValueError, TypeError, OverflowError, IndexError):
                    # Something log() let through that numpy cannot convert: check point by
                    # point, so the rest is written and only those points are refused.
                    chunks, bad = _writer.chunks_checked(points)
                bad += _writer.write_batch(
                    self.store,
                    self.id,
                    chunks,
                    snaps,
                    heartbeat=heartbeat or time.time(),
                    status=status,
                    end_time=time.time() if status else None,
                    keys=keys,
                )
            except _writer.WriteStalled as stall:
                # Back to the front, in order, for the next try.
                if stall.chunks_left is None:
                    self._points[:0] = points
                else:
                    self._points[:0] = _flatten(stall.chunks_left)
                self._snapshots[:0] = stall.snaps_left
                self._new_keys[:0] = keys  # written with the batch or the last write only
                raise
            except BaseException:
                self._points[:0] = points
                self._snapshots[:0] = snaps
                self._new_keys[:0] = keys
                raise
            finally:
                # Written, or back in the buffer (where they count already).
                self._inflight = 0
            if self._stalled is not None:
                self._stalled = None
                warnings.warn(
                    f"run {self.name!r}: the store accepts writes again; every point logged "
                    "meanwhile is written.",
                    StoreStalledWarning,
                    stacklevel=1,
                )
            if bad:
                self._refuse(bad)
            self._error = None

    def _refuse(self, bad: list[_writer.Refusal]) -> None:
        self.refused += len(bad)
        first = bad[0]
        warnings.warn(
            f"run {self.name!r}: the store refused {len(bad)} logged point(s); the first is "
            f"{first.key!r} at step {first.step!r} ({first.reason}). Every other point was "
            "written; the run's record counts the refused ones.",
            PointsRefusedWarning,
            stacklevel=1,
        )
        self._refused_pending.extend(bad)
        try:
            _writer.record(self.store, self.id, self._refused_pending)
            self._refused_pending = []
        except FitscopeError:  # kept and recorded with the next refusal or at finish()
            pass

    def flush(self) -> None:
        """Write everything logged so far, now."""
        try:
            self._write()
        except _writer.WriteStalled as stall:
            raise _as_store_error(stall.error) from stall.error
        except FitscopeError:
            raise
        except Exception as error:
            raise _as_store_error(error) from error

    def finish(self, status: str = "finished") -> None:
        """Write everything and mark the run ``status`` ("finished", "failed" or "crashed").
        Calling it again does nothing. Raises only FitscopeError (StoreError when the store
        cannot be written; the points stay buffered and a later finish() writes them)."""
        if status not in _STATUSES:
            raise InvalidInputError(f"status must be one of {_STATUSES}. Got {status!r} instead.")
        if self.status != "running":
            return
        if self._pending:  # values of a commit=False call with no call after it
            self._log_parsed(self._gather({}, True), None, None)
        self._stop.set()
        self._wake.set()
        self._writer.join()
        self._finish_write(status)
        self.status = status
        _live_runs.discard(self)
        _current.forget(self)

    def _finish_write(self, status: str) -> None:
        try:
            self._write(status=status)
            if self._refused_pending:
                _writer.record(self.store, self.id, self._refused_pending)
                self._refused_pending = []
        except _writer.WriteStalled as stall:
            raise _as_store_error(stall.error) from stall.error
        except FitscopeError:
            raise
        except Exception as error:
            raise _as_store_error(error) from error

    @property
    def summary(self) -> dict[str, Any]:
        """Final and best value of every series logged so far, keyed ``"split/metric"``, and
        the values set on it (``run.summary["best"] = 0.9``: saved at once)."""
        self.flush()
        store = self.store  # a Store, or a RemoteStore (spooled; read back offline too)
        computed, own = store.summaries(self.id)  # one read of the run (an HTTP GET, remotely)
        return Summary(computed, own, lambda values: store.set_user_summary(self.id, values))

    def __enter__(self) -> Run:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.finish("failed" if exc_type is not None else "finished")

    def __repr__(self) -> str:
        return (
            f"Run(id={self.id!r}, project={self.project!r}, name={self.name!r}, "
            f"status={self.status!r})"
        )


def mark_epochs(run: Any) -> None:
    """Tag ``run`` :data:`~fitscope._names.EPOCH_TAG` when it is a fitscope Run: its steps are
    epochs (the built-in trainers and the framework hooks that log one step per epoch call
    this), so the doctor's findings say "epoch". Another logger is left alone."""
    from fitscope._names import EPOCH_TAG

    if isinstance(run, Run) and EPOCH_TAG not in run.tags:
        run.store.tag_run(run.id, EPOCH_TAG)
        run.tags = sorted({*run.tags, EPOCH_TAG})


def _peek(counter: itertools.count[int] | None) -> int:
    """The next step ``counter`` will hand out, without taking it (0 for no counter).
    itertools.count offers no peek; its repr is ``count(N)``, stable since Python 2."""
    return 0 if counter is None else int(repr(counter)[6:-1])


def _detail(error: BaseException | None) -> str:
    text = " ".join(str(error).split())
    return text if len(text) <= 300 else text[:300] + "..."


def _as_store_error(error: BaseException) -> StoreError:
    if isinstance(error, StoreError):
        return error
    return StoreError(
        f"store must accept the run's points. Writing them failed with "
        f"{type(error).__name__}: {_detail(error)}. The points stay buffered; call finish() "
        "again once the cause is fixed."
    )


def _flatten(chunks: list[Chunk]) -> list[Any]:
    """Chunks back into the flat buffer's form (one call per point), in order per series."""
    flat: list[Any] = []
    for split, metric, steps, values, times in chunks:
        keys = (metric,)
        for step, value, when in zip(steps.tolist(), values.tolist(), times.tolist(), strict=True):
            flat.extend((split, step, when, keys, value))
    return flat


def _take(buffer: list[T]) -> list[T]:
    """Remove and return the items in ``buffer`` now; items appended meanwhile stay."""
    n = len(buffer)
    taken = buffer[:n]
    del buffer[:n]
    return taken


def _chunks(points: list[Any]) -> list[Chunk]:
    """Turn the flat buffer of log calls into one (steps, values, times) chunk per
    (split, metric).

    One Python step per call finds where each call starts and groups calls by (split, keys);
    everything per point is then numpy fancy indexing on the buffer as an object array. A
    series whose calls fall in several groups (its split logged different key sets) is put
    back in call order.
    """
    groups: dict[tuple[str, tuple[str, ...]], list[int]] = {}
    i, n = 0, len(points)
    while i < n:
        key = (points[i], points[i + 3])
        members = groups.get(key)
        if members is None:
            groups[key] = [i]
        else:
            members.append(i)
        i += 4 + len(key[1])
    flat = np.empty(n, dtype=object)
    flat[:] = points
    parts: dict[tuple[str, str], list[tuple[NDArray[Any], ...]]] = {}
    for (split, keys), members in groups.items():
        starts = np.array(members, np.int64)
        steps = flat[starts + 1].astype(np.int64)
        times = flat[starts + 2].astype(np.float64)
        for j, metric in enumerate(keys):
            values = flat[starts + (4 + j)].astype(np.float64)
            parts.setdefault((split, metric), []).append((starts, steps, values, times))
    chunks: list[Chunk] = []
    for (split, metric), pieces in parts.items():
        if len(pieces) == 1:
            _, steps, values, times = pieces[0]
        else:
            by_call = np.argsort(np.concatenate([p[0] for p in pieces]), kind="stable")
            steps, values, times = (
                np.concatenate([p[k] for p in pieces])[by_call] for k in (1, 2, 3)
            )
        chunks.append((split, metric, steps, values, times))
    return chunks


def init(
    project: str = "default",
    name: str | None = None,
    config: Mapping[str, Any] | None = None,
    tags: Sequence[str] | None = None,
    store: Store | RemoteStore | str | os.PathLike[str] | None = None,
    resume: str | None = None,
    run_id: str | None = None,
    *,
    max_buffer: int = MAX_BUFFER,
    token: str | None = None,
    mode: str | None = None,
) -> Run:
    """Start recording a run into ``store`` (a :class:`Store`, a path or URL; default
    $FITSCOPE_STORE, else ``./.fitscope/fitscope.db``).

    ``store="http://host:port"`` logs to a fitscope server (``fitscope ui --token ...``) with
    ``token`` (default $FITSCOPE_TOKEN): batches go through a local spool
    ($FITSCOPE_SPOOL, else ``./.fitscope/spool``) and upload in the background, so training
    never waits on the network. ``mode="offline"`` only spools (upload later with
    ``fitscope sync``); ``mode="online"`` (the default) uploads as it goes.

    ``resume`` (a run id, id prefix or name) continues a run that is not running any more
    (finished, failed or crashed) instead of starting one: ``config`` and ``tags`` are merged
    into its own, and each split's steps go on after its last stored step.

    ``max_buffer`` bounds the points waiting for the writer (entries of the buffer, 4 + number
    of keys per log() call): past it, log() blocks until the writer catches up and warns once
    (:class:`~fitscope.errors.StoreStalledWarning`); nothing is dropped.

    >>> import tempfile, pathlib, fitscope
    >>> with fitscope.init(project="mnist", config={"lr": 0.1},
    ...                    store=pathlib.Path(tempfile.mkdtemp()) / "r.db") as run:
    ...     for epoch in range(3):
    ...         run.log({"loss": 1.0 / (epoch + 1)})
    >>> run.status
    'finished'
    """
    store = open_store(store, token=token, mode=mode)
    record = None
    if resume is not None:
        record = store.get_run(resume, predictions=False)
        if record.status == "running":
            raise InvalidInputError(
                f"resume must name a run that is not running. Got {resume!r}, which is running "
                "(its process is alive). Finish it there first, or start a new run."
            )
    _install_hook()
    return Run(
        store,
        project=project,
        name=name,
        config=config,
        tags=tags,
        resume=record,
        max_buffer=max_buffer,
        run_id=run_id,
    )


def _hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    global _uncaught
    _uncaught = True
    _previous_hook(exc_type, exc, tb)


_previous_hook = sys.excepthook


def _install_hook() -> None:
    """Notice uncaught exceptions (to mark open runs "failed"); done at the first init(), not
    at import, so importing fitscope changes nothing global."""
    global _previous_hook
    if sys.excepthook is not _hook:
        _previous_hook = sys.excepthook
        sys.excepthook = _hook


@atexit.register
def _finish_live_runs() -> None:
    """At interpreter exit, write what is buffered and close every run still open: "failed"
    when an uncaught exception ends the program, else "finished"."""
    for run in list(_live_runs):
        # The store may be gone at exit; there is nothing more to do then.
        with contextlib.suppress(FitscopeError):
            run.finish("failed" if _uncaught else "finished")
