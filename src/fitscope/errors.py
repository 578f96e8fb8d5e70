"""The exceptions fitscope raises.

Every error is a :class:`FitscopeError` and also the builtin a caller would catch anyway, so
``except ValueError`` keeps working for code that does not know fitscope.

Messages follow one pattern: ``"<argument> must be <constraint>. Got <actual> instead."``,
followed, where a likely fix exists, by one sentence that says what to do.
"""

from __future__ import annotations

__all__ = [
    "FitscopeError",
    "InvalidInputError",
    "InvalidTypeError",
    "MissingDependencyError",
    "NotFittedError",
    "PointsRefusedWarning",
    "RunNotFoundError",
    "SeparableDataWarning",
    "StoreError",
    "StoreStalledWarning",
    "StoreVersionError",
    "TrainingDivergedError",
    "UnknownMetricError",
]


class FitscopeError(Exception):
    """Base class of every error fitscope raises on purpose.

    ``argument`` names the Python argument whose fix the message gives ("Pass store=..."),
    when there is one. The library speaks of arguments only; the command line keeps the
    message as written and adds which of its options that argument is (docs/cli.md).

    >>> error = FitscopeError("store must be ... Pass store=PATH.", argument="store")
    >>> str(error), error.argument
    ('store must be ... Pass store=PATH.', 'store')
    """

    def __init__(self, *args: object, argument: str | None = None) -> None:
        super().__init__(*args)
        self.argument = argument


class InvalidInputError(FitscopeError, ValueError):
    """An argument has the right type but a value fitscope cannot use."""


class InvalidTypeError(FitscopeError, TypeError):
    """An argument has a type fitscope cannot use."""


class UnknownMetricError(InvalidInputError, LookupError):
    """A metric name that is not registered (the message suggests the closest one)."""


class MissingDependencyError(FitscopeError, ImportError):
    """An optional dependency is not installed; the message names the extra to install."""


class TrainingDivergedError(FitscopeError, ArithmeticError):
    """Training produced a NaN or infinite loss; the message names the epoch and a fix."""


class SeparableDataWarning(UserWarning):
    """The training data are linearly separable and unregularised, so the loss has no minimum:
    training stopped at the epoch that proved it (the message says to add ``l2``)."""


class PointsRefusedWarning(UserWarning):
    """The store refused some logged points (the message names the first key and step); every
    other point was written, and the run's record counts the refused ones."""


class StoreStalledWarning(UserWarning):
    """The store could not be written for a while (full disk, server gone): logged points wait
    in memory and arrive when it can be written again; ``log()`` blocks once the buffer is
    full."""


class NotFittedError(FitscopeError, ValueError, AttributeError):
    """A model was asked to predict before ``fit`` (scikit-learn's NotFittedError is also a
    ValueError and an AttributeError)."""


class RunNotFoundError(FitscopeError, LookupError):
    """No run in the store has that id, id prefix or name."""


class StoreError(FitscopeError, OSError):
    """A store could not be opened, read or written; the message says what was tried."""


class StoreVersionError(StoreError):
    """The store was written by a newer fitscope whose schema this version cannot read."""
