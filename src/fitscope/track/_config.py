"""A run's config as JSON values: numbers stay numbers, and what JSON cannot hold is refused.

Configs come from argparse namespaces, numpy reductions and framework objects. Stored with
``repr`` as a fallback, ``np.int64(32)`` became the string ``'np.int64(32)'`` and a config filter
``batch=32`` missed it. :func:`to_json_config` converts what has one obvious JSON form and
refuses the rest with the key path, at the call (``init``/``update_config``), never at a write.

:class:`Config` and :class:`Summary` are what ``run.config`` and ``run.summary`` are: dicts that
save what is set on them, checked by the functions here first.
"""

from __future__ import annotations

import enum
import json
import os
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from fitscope._validation import describe
from fitscope.errors import InvalidTypeError

__all__ = ["Config", "Summary", "config_json", "to_json_config", "to_json_summary"]


def _path(parts: list[str]) -> str:
    return "config" + "".join(f"[{p!r}]" if isinstance(p, str) else f"[{p}]" for p in parts)


def _convert(value: Any, parts: list[Any], active: set[int]) -> Any:
    if value is None or type(value) in (str, bool, int, float):
        return value
    if isinstance(value, np.generic):  # numpy scalars: their Python number / bool / str
        return _convert(value.item(), parts, active)
    if isinstance(value, enum.Enum):
        return _convert(value.value, parts, active)
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    # Subclasses of the JSON types (a str subclass, an int-like flag): their plain value.
    for plain in (bool, int, float, str):
        if isinstance(value, plain):
            return plain(value)
    container = isinstance(value, Mapping | list | tuple | np.ndarray)
    if container:
        if id(value) in active:
            raise InvalidTypeError(
                f"{_path(parts)} must be a JSON value. Got a container that holds itself "
                "(a circular reference) instead."
            )
        active.add(id(value))
    try:
        if isinstance(value, Mapping):
            out: dict[str, Any] = {}
            for key, item in value.items():
                if isinstance(key, np.generic):
                    key = key.item()
                if isinstance(key, bool) or not isinstance(key, str | int):
                    raise InvalidTypeError(
                        f"{_path(parts)} keys must be strings (or integers, stored as strings "
                        f"as JSON does). Got the key {key!r} ({type(key).__name__}) instead."
                    )
                out[str(key)] = _convert(item, [*parts, key], active)
            return out
        if isinstance(value, list | tuple):
            return [_convert(item, [*parts, i], active) for i, item in enumerate(value)]
        if isinstance(value, np.ndarray):
            return _convert(value.tolist(), parts, active)
    finally:
        if container:
            active.discard(id(value))
    shape = getattr(value, "shape", None)
    if shape is not None and hasattr(value, "tolist"):  # a framework tensor
        return _convert(value.tolist(), parts, active)
    hint = " Store str(value) if its text is what you want to keep."
    if isinstance(value, set | frozenset):
        hint = " Store sorted(value) (a list) instead."
    raise InvalidTypeError(
        f"{_path(parts)} must be a JSON value (a number, string, bool, None, list or dict). "
        f"Got {describe(value)} instead.{hint}"
    )


def to_json_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """``config`` with every value in its JSON form: numpy scalars become Python numbers,
    arrays and tuples become lists, paths become strings, enums their value. Anything else
    raises InvalidTypeError naming the key path. NaN and infinities are kept.

    >>> import numpy as np
    >>> to_json_config({"batch": np.int64(32), "lr": np.float32(0.5), "shape": (3, 4)})
    {'batch': 32, 'lr': 0.5, 'shape': [3, 4]}
    >>> to_json_config({"opt": {"fn": object}})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    fitscope.errors.InvalidTypeError: config['opt']['fn'] must be a JSON value ...
    """
    if not isinstance(config, Mapping):
        raise InvalidTypeError(f"config must be a dict. Got {describe(config)} instead.")
    result = _convert(config, [], set())
    assert isinstance(result, dict)
    return result


def config_json(config: Mapping[str, Any]) -> str:
    """A run's config as stored: JSON text (NaN and infinities as JSON's extension tokens,
    which Python reads back), keys sorted."""
    return json.dumps(to_json_config(config), sort_keys=True)


def to_json_summary(values: Mapping[str, Any]) -> dict[str, Any]:
    """Values set on a run's summary (``run.summary["best"] = 0.9``) as every store keeps
    them: each key a name that fits the store like a metric name (track/_limits.py), each
    value a JSON value as in a config. Checked at the call, by a server store's client and by
    the server alike.

    >>> to_json_summary({"best": np.float32(0.5)})
    {'best': 0.5}
    """
    from fitscope.track._limits import check_metric

    if not isinstance(values, Mapping):
        raise InvalidTypeError(f"summary must be a dict. Got {describe(values)} instead.")
    for key in values:
        check_metric(key, where="summary")
    try:
        return to_json_config(values)
    except InvalidTypeError as error:
        raise InvalidTypeError(str(error).replace("config", "summary", 1)) from None


class Config(dict[str, Any]):
    """A run's config: a dict whose keys are also attributes (``config.lr``); every change
    is saved to the store at once."""

    def __init__(self, data: Mapping[str, Any], save: Callable[[dict[str, Any]], None]) -> None:
        super().__init__(data)
        object.__setattr__(self, "_save", save)

    def _saved(self) -> None:
        self._save(dict(self))

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, value)
        self._saved()

    def __delitem__(self, key: str) -> None:
        super().__delitem__(key)
        self._saved()

    def update(self, *args: Any, **kwargs: Any) -> None:
        super().update(*args, **kwargs)
        self._saved()

    def setdefaults(self, values: Mapping[str, Any]) -> None:
        """Add the entries of ``values`` whose keys are not set yet (wandb's setdefaults)."""
        missing = {k: v for k, v in values.items() if k not in self}
        if missing:
            self.update(missing)

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(
                f"config has no entry {name!r}. Set it first: config.{name} = ..."
            ) from None

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value

    def __delattr__(self, name: str) -> None:
        del self[name]


class Summary(dict[str, Any]):
    """A run's summary: what the store computes (``"val/loss"`` -> final and best value of
    each series) plus the values set on it (``summary["best"] = 0.9``), which are saved."""

    def __init__(self, computed: Mapping[str, Any], own: Mapping[str, Any],
                 save: Callable[[dict[str, Any]], None]) -> None:  # fmt: skip
        super().__init__({**computed, **own})
        object.__setattr__(self, "_own", dict(own))
        object.__setattr__(self, "_save", save)

    def __setitem__(self, key: str, value: Any) -> None:
        # Checked at the call, against what the stores hold (track/_limits.py for the key,
        # a JSON value as a config takes), and saved before it is kept: a value the store
        # refuses is not shown as set.
        value = to_json_summary({key: value})[key]
        self._save({**self._own, key: value})
        self._own[key] = value
        super().__setitem__(key, value)

    def update(self, *args: Any, **kwargs: Any) -> None:
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"summary has no entry {name!r}.") from None

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value
