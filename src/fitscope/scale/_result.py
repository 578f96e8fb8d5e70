"""The outcome of evaluating files: overall metrics, and per-segment metrics weakest first."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from fitscope.errors import FitscopeError, InvalidInputError
from fitscope.metrics.evaluator import Evaluator
from fitscope.scale._stream import Columns, Options, Partial


@dataclass(frozen=True)
class Segment:
    """Metrics over the rows whose ``by`` column holds ``value``. A metric undefined on the
    segment (ROC-AUC where the segment holds one class only) is nan, and ``undefined`` maps
    its name to the reason."""

    value: Any
    n_rows: int
    metrics: dict[str, Any]
    undefined: dict[str, str] = field(default_factory=dict)
    classes: tuple[Any, ...] | None = None


@dataclass(frozen=True)
class FileEvaluation:
    """What :func:`fitscope.scale.evaluate_file` and :func:`~fitscope.scale.evaluate_dask`
    return.

    ``metrics`` covers every row evaluated; ``segments`` (with ``by``) lists one
    :class:`Segment` per value of the ``by`` column, the weakest first by the first metric;
    ``n_dropped`` counts rows skipped for NaN or missing values (``drop_nan=True``);
    ``evaluator`` is the merged :class:`~fitscope.Evaluator`, ready to merge with more data;
    ``label_names`` (multilabel) names the entries of per-label results, in order;
    ``classes`` (class labels) names the entries of per-class results and the confusion
    matrix's rows and columns, in order: :attr:`fitscope.Evaluator.classes`. A segment's
    ``classes`` are its own (the classes it holds, unless ``labels=`` fixes them).
    """

    metrics: dict[str, Any]
    n_rows: int
    n_dropped: int
    by: str | None
    segments: tuple[Segment, ...]
    higher_is_better: dict[str, bool | None]
    evaluator: Evaluator
    label_names: tuple[str, ...] | None = None
    classes: tuple[Any, ...] | None = None

    @property
    def names(self) -> tuple[Any, ...] | None:
        """What names the entries of per-label (multilabel, multioutput) or per-class results:
        ``label_names`` or ``classes``; JSON ``"labels"``."""
        return self.label_names if self.label_names is not None else self.classes

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (arrays become lists, nan becomes None)."""
        out: dict[str, Any] = {
            "rows": self.n_rows,
            "dropped": self.n_dropped,
            "metrics": _plain(self.metrics),
            "higher_is_better": dict(self.higher_is_better),
        }
        if self.names is not None:
            out["labels"] = list(self.names)
        if self.by is not None:
            out["by"] = self.by
            out["segments"] = [
                {
                    "value": s.value,
                    "rows": s.n_rows,
                    "metrics": _plain(s.metrics),
                    **({"labels": list(s.classes)} if s.classes is not None else {}),
                    **({"undefined": dict(s.undefined)} if s.undefined else {}),
                }
                for s in self.segments
            ]
        return out


def _plain(metrics: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in metrics.items():
        if isinstance(value, np.ndarray):
            out[key] = value.tolist()
        elif isinstance(value, float) and math.isnan(value):
            out[key] = None
        else:
            out[key] = value
    return out


def _classes(ev: Evaluator, cols: Columns) -> tuple[Any, ...] | None:
    # Class-label data only: multilabel results are named by their columns (label_names).
    classes = None if cols.multilabel else ev.classes
    return None if classes is None else tuple(classes.tolist())


def _segment(by: str, value: Any, ev: Evaluator, cols: Columns) -> Segment:
    """A segment's metrics; a metric undefined on the segment alone becomes nan with its reason
    rather than failing the whole evaluation (small segments often hold one class)."""
    classes = _classes(ev, cols)
    try:
        return Segment(value, ev.n_samples, ev.compute(), classes=classes)
    except FitscopeError as error:
        if any(spec.info is None for spec in ev.specs):
            raise type(error)(f"{error} (in the segment {by}={value!r})") from error
    metrics: dict[str, Any] = {}
    undefined: dict[str, str] = {}
    for spec in ev.specs:
        assert spec.info is not None
        # Built-in metrics compute from the Evaluator's shared state, one at a time here.
        state = ev._state_for(spec.info)
        try:
            metrics[spec.key] = (
                math.nan if state is None else spec.info.compute(state, spec.options)
            )
        except FitscopeError as error:
            metrics[spec.key] = math.nan
            undefined[spec.key] = str(error)
    return Segment(value, ev.n_samples, metrics, undefined, classes)


def _weakest_first(segments: list[Segment], key: str, higher: bool | None) -> list[Segment]:
    if higher is None:
        return segments

    def rank(s: Segment) -> tuple[int, float]:
        value = s.metrics.get(key)
        if not isinstance(value, float) or math.isnan(value):
            return (1, 0.0)  # no value: after every segment that has one
        return (0, value if higher else -value)

    return sorted(segments, key=rank)


def finalize(partial: Partial, cols: Columns, opts: Options) -> FileEvaluation:
    """Raise for NaN rows (unless dropped) or no rows; otherwise compute every metric."""
    used = ", ".join(repr(c) for c in [*cols.numeric, *([cols.by] if cols.by else [])])
    if partial.n_nan and not opts.drop_nan:
        assert partial.first_nan is not None
        source, row = partial.first_nan
        raise InvalidInputError(
            f"rows must hold a number in every column used ({used}). Got {partial.n_nan} "
            f"row(s) with NaN or a missing value instead, the first at row {row} of {source} "
            "(data rows counted from 1). Pass drop_nan=True to skip them.",
            argument="drop_nan",
        )
    if not partial.states:
        what = "every row had NaN or a missing value" if partial.n_rows else "there were no rows"
        raise InvalidInputError(
            f"the data must hold at least one row to evaluate. Got none instead: {what}."
        )
    keys = list(partial.states)
    overall = partial.states[keys[0]]
    for key in keys[1:]:
        overall = overall.merge(partial.states[key])
    hib = overall.higher_is_better
    segments: list[Segment] = []
    if cols.by is not None:
        segments = [_segment(cols.by, k, ev, cols) for k, ev in partial.states.items()]
        first = overall.specs[0].key
        segments = _weakest_first(segments, first, hib[first])
    return FileEvaluation(
        metrics=overall.compute(),
        n_rows=overall.n_samples,
        n_dropped=partial.n_nan,
        by=cols.by,
        segments=tuple(segments),
        higher_is_better=hib,
        evaluator=overall,
        label_names=(
            None
            if cols.names is None
            else tuple(cols.names[i] for i in (opts.labels or range(len(cols.names))))
        ),
        classes=_classes(overall, cols),
    )
