"""What both stores can hold, and the checks that keep out everything else.

One set of limits for SQLite and PostgreSQL: the narrower of the two (PostgreSQL's column
widths, SQLite's int64 step blob, UTF-8 text both can encode). ``Run.log`` checks every point
against them at the call, so nothing it accepts can fail to write later; a server that ingests
points (or an importer) calls :func:`check_point` on each one for the same answer.

>>> check_point("train", "loss", 3, 0.25)
('train', 'loss', 3, 0.25)
>>> check_point("train", "loss", 2**63, 0.25)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
fitscope.errors.InvalidInputError: step of 'train/loss' must be an integer from 0 to ...
"""

from __future__ import annotations

import numbers

from fitscope.errors import InvalidInputError, InvalidTypeError

__all__ = [
    "END_STATUSES",
    "MAX_METRIC_LENGTH",
    "MAX_SPLIT_LENGTH",
    "MAX_STEP",
    "check_metric",
    "check_name",
    "check_point",
    "check_split",
    "check_step",
    "check_value",
    "name_problem",
]

#: Steps are stored as little-endian int64: 0 .. 2**63 - 1.
MAX_STEP = 2**63 - 1
#: Characters in a split name (``fitscope_points.split`` is VARCHAR(64) on PostgreSQL).
MAX_SPLIT_LENGTH = 64
#: Characters in a metric name (``fitscope_points.metric`` is VARCHAR(255) on PostgreSQL).
MAX_METRIC_LENGTH = 255
#: The statuses a run can end with (``Run.finish``, a server's ``state`` operation).
END_STATUSES = ("finished", "failed", "crashed")


def name_problem(name: object, limit: int) -> str | None:
    """Why ``name`` cannot be stored as a name of at most ``limit`` characters, or None."""
    if type(name) is not str:
        return f"a string. Got {name!r} ({type(name).__name__})"
    if not name.strip():
        return f"a non-empty string. Got {name!r}"
    if len(name) > limit:
        return f"at most {limit} characters long. Got {len(name)} characters ({name[:20]!r}...)"
    if "\x00" in name:
        # PostgreSQL text cannot hold NUL at all.
        return f"free of NUL characters. Got {name!r} (NUL at index {name.index(chr(0))})"
    try:
        name.encode("utf-8")
    except UnicodeEncodeError as error:
        # A lone surrogate (e.g. from a badly decoded byte string) has no UTF-8 form.
        return (
            f"valid Unicode text. Got {name!r}, whose character {name[error.start]!r} at index "
            f"{error.start} is a lone surrogate"
        )
    return None


def check_name(kind: str, value: object) -> str:
    """A project, run name or tag that both stores can hold (255 characters, no NUL, valid
    Unicode), else InvalidInputError naming ``kind``."""
    problem = name_problem(value, MAX_METRIC_LENGTH)
    if problem is not None:
        raise InvalidInputError(f"{kind} must be {problem} instead.")
    return value  # type: ignore[return-value]


def check_split(split: object) -> str:
    """``split`` if it can be stored as a split name, else InvalidInputError."""
    problem = name_problem(split, MAX_SPLIT_LENGTH)
    if problem is not None:
        raise InvalidInputError(f"split must be {problem} instead.")
    return split  # type: ignore[return-value]


def check_metric(metric: object, *, where: str = "values") -> str:
    """``metric`` if it can be stored as a metric name, else InvalidInputError naming it."""
    problem = name_problem(metric, MAX_METRIC_LENGTH)
    if problem is not None:
        raise InvalidInputError(f"{where} key {metric!r} must be {problem} instead.")
    return metric  # type: ignore[return-value]


def check_step(step: object, *, key: str = "") -> int:
    """``step`` as an int in 0 .. :data:`MAX_STEP`, else a typed error (naming ``key``)."""
    label = f"step of {key!r}" if key else "step"
    if isinstance(step, bool) or not isinstance(step, numbers.Integral):
        if isinstance(step, float) and step.is_integer():
            hint = f" Pass int(step) ({int(step)})." if 0 <= step <= MAX_STEP else ""
        else:
            hint = ""
        raise InvalidInputError(
            f"{label} must be an integer from 0 to {MAX_STEP}. Got {step!r} "
            f"({type(step).__name__}) instead.{hint}"
        )
    value = int(step)
    if not 0 <= value <= MAX_STEP:
        raise InvalidInputError(
            f"{label} must be an integer from 0 to {MAX_STEP}. Got {value} instead."
        )
    return value


def check_value(value: object, *, key: str = "value") -> float:
    """``value`` as a float64 (NaN and inf are kept: they are evidence), else a typed error."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidTypeError(f"values[{key!r}] must be a number. Got {value!r} instead.")
    try:
        return float(value)
    except OverflowError:
        raise InvalidInputError(
            f"values[{key!r}] must fit in a 64-bit float (|x| < 1.8e308). Got an integer of "
            f"{int(value).bit_length()} bits instead."  # type: ignore[call-overload]
        ) from None


def check_point(
    split: object, metric: object, step: object, value: object
) -> tuple[str, str, int, float]:
    """One point checked against what every store can hold: (split, metric, step, value).

    Raises InvalidInputError / InvalidTypeError naming the key; NaN and inf are valid values.

    >>> check_point("val", "accuracy", 0, float("nan"))
    ('val', 'accuracy', 0, nan)
    """
    split = check_split(split)
    metric = check_metric(metric)
    key = f"{split}/{metric}"
    number = check_value(value, key=key)
    return split, metric, check_step(step, key=key), number
