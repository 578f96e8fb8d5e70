"""``evaluate`` (many metrics, one pass) and ``Evaluator`` (the same, streaming and mergeable).

``evaluate(y, p, metrics=m)`` is literally ``Evaluator(m).update(y, p).compute()``: the one-shot
and the streaming forms share every line of metric code.

Law (tested for every registered metric): for any split of the data into batches,
``merge`` of the per-batch evaluators, in any order and grouping, computes what one evaluator
fed everything computes, and ``merge`` leaves both inputs unchanged.

Why one long file: ``Evaluator`` (update, merge, compute, pickling) and its dispatch, including
the per-batch short path, are one object whose invariants are checked together.
"""

from __future__ import annotations

import copy
import difflib
import functools
import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from fitscope import _validation as v
from fitscope.errors import InvalidInputError, InvalidTypeError
from fitscope.metrics import _labels as _lab
from fitscope.metrics._classification import ClassificationConfig, ClassificationState
from fitscope.metrics._ranking import roc_auc_binned
from fitscope.metrics._registry import MetricInfo, class_labels, lookup, read_text, show_option
from fitscope.metrics._regression import HingeState, RegressionConfig, RegressionState

__all__ = ["Evaluator", "MetricSpec", "StatefulMetric", "evaluate", "metric"]


@runtime_checkable
class StatefulMetric(Protocol):
    """A custom metric with its own mergeable state (see docs/metrics.md)."""

    def update(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Any: ...

    def merge(self, other: Any) -> Any: ...

    def compute(self) -> Any: ...


@dataclass(frozen=True)
class MetricSpec:
    """One requested metric: a built-in with options, a plain function, or a stateful object."""

    key: str
    info: MetricInfo | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    function: Callable[..., Any] | None = None
    stateful: StatefulMetric | None = None
    higher_is_better: bool | None = None
    takes_weight: bool = False


def _takes_weight(fn: Callable[..., Any]) -> bool:
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return "sample_weight" in params or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()
    )


def metric(
    what: str | MetricSpec | Callable[..., Any] | StatefulMetric,
    /,
    *,
    name: str | None = None,
    higher_is_better: bool | None = None,
    **options: Any,
) -> MetricSpec:
    """A metric with options or a name of its own, for ``metrics=[...]``.

    >>> from fitscope import metric
    >>> metric("f1", average="macro").key
    'f1(average=macro)'
    >>> metric("f1", average="macro", name="f1_macro").key
    'f1_macro'
    """
    if isinstance(what, MetricSpec):
        return what
    if isinstance(what, str):
        if not options and name is None and higher_is_better is None:
            return _default_spec(what)  # the common case, resolved once per name
        return _builtin_spec(what, name, higher_is_better, options)
    if options:
        raise InvalidInputError(
            f"options must be empty for a custom metric. Got {sorted(options)} instead; bind "
            "them with functools.partial."
        )
    if isinstance(what, StatefulMetric) and not inspect.isroutine(what):
        key = name or getattr(what, "name", None) or type(what).__name__
        hib = (
            higher_is_better
            if higher_is_better is not None
            else getattr(what, "higher_is_better", None)
        )
        return MetricSpec(str(key), stateful=what, higher_is_better=hib)
    if callable(what):
        key = name or getattr(what, "__name__", None) or type(what).__name__
        return MetricSpec(
            str(key),
            function=what,
            higher_is_better=higher_is_better,
            takes_weight=_takes_weight(what),
        )
    raise InvalidTypeError(
        "metrics entries must be metric names, functions f(y_true, y_pred) or objects with "
        f"update/merge/compute. Got {v.describe(what)} instead."
    )


def _builtin_spec(
    what: str, name: str | None, higher_is_better: bool | None, options: dict[str, Any]
) -> MetricSpec:
    info = lookup(what)
    unknown = sorted(set(options) - set(info.defaults))
    if unknown:
        allowed = ", ".join(info.defaults) or "none"
        close = difflib.get_close_matches(unknown[0], list(info.defaults), n=1, cutoff=0.5)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise InvalidInputError(
            f"{what} options must be among: {allowed}. Got {unknown[0]!r} instead.{hint}"
        )
    opts = {**info.defaults, **{k: _plain_option(x) for k, x in options.items()}}
    info.check_options(info.name, opts)
    changed = {k: opts[k] for k in opts if opts[k] != info.defaults[k]}
    # Results are keyed by the name as typed: metrics=["cross_entropy"] gives "cross_entropy".
    # Values print so that parse_key reads them back (tested for every option of every metric).
    shown = ", ".join(f"{k}={show_option(val)}" for k, val in changed.items())
    key = name or (what if not changed else f"{what}({shown})")
    if higher_is_better is not None:
        raise InvalidInputError(
            f"higher_is_better must be left unset for the built-in metric {info.name!r} "
            f"(it is {info.higher_is_better}). Got {higher_is_better} instead."
        )
    return MetricSpec(key, info=info, options=opts, higher_is_better=info.higher_is_better)


@functools.lru_cache(maxsize=256)
def _default_spec(name: str) -> MetricSpec:
    # Specs are immutable, so a bare name is resolved once (~5 us per metric per call saved).
    # Unknown names raise, and lru_cache does not cache exceptions.
    if "(" in name:
        base, options = parse_key(name)
        return _builtin_spec(base, None, None, options)
    return _builtin_spec(name, None, None, {})


def split_names(text: str, *, quotes: bool = True) -> list[str]:
    """Comma-separated parts of ``text``; commas inside parentheses, brackets or quotes belong
    to a part ("f1(average=macro),mse(multioutput=(0.2, 0.8))" is two metrics). A quote left
    open (an apostrophe in a name) quotes nothing: the parts are split as if it were a letter.

    >>> split_names("f1(average=macro), mse(multioutput=[0.2, 0.8])")
    ['f1(average=macro)', 'mse(multioutput=[0.2, 0.8])']
    """
    out: list[str] = []
    current: list[str] = []
    depth = 0
    quote = ""
    for ch in text:
        if quote:
            quote = "" if ch == quote else quote
        elif quotes and ch in "'\"":
            quote = ch
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == "," and depth == 0:
            out.append("".join(current).strip())
            current = []
            continue
        current.append(ch)
    if quote:
        return split_names(text, quotes=False)
    out.append("".join(current).strip())
    return [m for m in out if m]


def parse_key(name: str) -> tuple[str, dict[str, Any]]:
    """A metric written as fitscope prints it, ``"f1(average=macro)"``, as (name, options):
    the one parser of metric names with options (``evaluate``, ``Evaluator``, ``fitscope eval
    --metrics``). Each value is read by what its option accepts (see the registry's
    ``readers``): ``"confusion_matrix(normalize=true)"`` keeps the text ``'true'``,
    ``"accuracy(normalize=false)"`` is False, ``"mse(multioutput=(0.2, 0.8))"`` a tuple.

    >>> parse_key("fbeta(average=macro, beta=2)")
    ('fbeta', {'average': 'macro', 'beta': 2})
    >>> parse_key("confusion_matrix(normalize=true)"), parse_key("mse(multioutput=[1, 2])")
    (('confusion_matrix', {'normalize': 'true'}), ('mse', {'multioutput': (1, 2)}))
    """
    base, _, rest = name.partition("(")
    rest = rest.strip()
    if not rest.endswith(")"):
        raise InvalidInputError(
            f"metrics must be names such as 'f1' or 'f1(average=macro)'. Got {name!r} instead."
        )
    base = base.strip()
    readers = lookup(base).readers
    options: dict[str, Any] = {}
    for part in split_names(rest[:-1]):
        key, eq, value = part.partition("=")
        key = key.strip()
        if not eq or not key:
            raise InvalidInputError(
                f"metrics options must be written key=value, as in 'f1(average=macro)'. Got "
                f"{part!r} in {name!r} instead."
            )
        # An option the metric does not take: read as text; _builtin_spec names the options.
        options[key] = readers.get(key, read_text)(value)
    return base, options


def _plain_option(value: Any) -> Any:
    """Options as plain Python values (sequences as tuples, numpy scalars as Python's), so a
    spec's options equal those read back from its key."""
    if isinstance(value, list | tuple):
        return tuple(_plain_option(x) for x in value)
    if isinstance(value, np.ndarray) and value.ndim == 1:  # weights as an array, as sklearn
        return tuple(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    return value


def _resolve(metrics: Iterable[Any]) -> tuple[MetricSpec, ...]:
    if isinstance(metrics, str | MetricSpec) or callable(metrics):
        metrics = [metrics]
    specs = tuple(metric(m) for m in metrics)
    if not specs:
        raise InvalidInputError("metrics must name at least one metric. Got an empty list instead.")
    keys = [s.key for s in specs]
    dup = next((k for k in keys if keys.count(k) > 1), None)
    if dup is not None:
        raise InvalidInputError(
            f"metrics must have distinct names. Got {dup!r} twice; give one a name with "
            "fitscope.metric(..., name=...)."
        )
    return specs


@dataclass
class _Buffer:
    """Every sample seen, for plain-function metrics: they are computed over all the data,
    never averaged per batch."""

    y_true: list[NDArray[Any]] = field(default_factory=list)
    y_pred: list[NDArray[Any]] = field(default_factory=list)
    weight: list[NDArray[np.float64] | None] = field(default_factory=list)

    def concat(self) -> tuple[NDArray[Any], NDArray[Any], NDArray[np.float64] | None]:
        y, p = np.concatenate(self.y_true), np.concatenate(self.y_pred)
        if all(w is None for w in self.weight):
            return y, p, None
        w = np.concatenate(
            [
                np.ones(len(a)) if b is None else b
                for a, b in zip(self.y_true, self.weight, strict=True)
            ]
        )
        return y, p, w


class Evaluator:
    """Streaming, mergeable evaluation of many metrics at once.

    >>> import fitscope
    >>> ev = fitscope.Evaluator(["accuracy", "log_loss"])
    >>> ev.update([0, 1], [0.2, 0.9]).update([1, 0], [0.4, 0.1])  # doctest: +ELLIPSIS
    <fitscope.Evaluator ...>
    >>> {k: round(val, 4) for k, val in ev.compute().items()}
    {'accuracy': 0.75, 'log_loss': 0.3375}

    Parameters: ``threshold`` turns a 1-D probability into a label (``p >= threshold``);
    ``from_logits`` says ``y_pred`` holds raw scores (never guessed from the values);
    ``ranking`` is ``"exact"`` (keeps every score; memory grows with the data) or ``"binned"``
    (``ranking_bins`` equal-width bins over the probability; fixed memory, and
    :meth:`error_bounds` states the largest possible ROC-AUC error for the data seen).
    """

    def __init__(
        self,
        metrics: Iterable[Any] = ("accuracy", "log_loss"),
        *,
        threshold: float = 0.5,
        from_logits: bool = False,
        ranking: str = "exact",
        ranking_bins: int = 4096,
        labels: Sequence[Any] | None = None,
        pos_label: Any = None,
    ) -> None:
        self.specs = _resolve(metrics)
        self.threshold = v.check_real(threshold, "threshold", low=0.0, high=1.0)
        from_logits = v.check_bool(from_logits, "from_logits")
        self.from_logits = from_logits
        fixed = None if labels is None else tuple(_lab.as_classes(labels).tolist())
        if pos_label is not None and not isinstance(
            pos_label, str | int | float | bool | np.generic
        ):
            raise InvalidTypeError(
                f"pos_label must be a class label (a number or a string). Got "
                f"{v.describe(pos_label)} instead."
            )
        if isinstance(pos_label, np.generic):
            pos_label = pos_label.item()
        if fixed is not None and pos_label is not None and pos_label not in fixed:
            raise InvalidInputError(
                f"pos_label must be one of labels {_lab.show(fixed)}. Got {pos_label!r} instead."
            )
        self.labels, self.pos_label = fixed, pos_label
        v.check_choice(ranking, "ranking", ("exact", "binned"))
        bins = v.check_positive_int(ranking_bins, "ranking_bins", minimum=2)
        builtin = [s for s in self.specs if s.info is not None]
        cls_specs = [s for s in builtin if s.info and s.info.family == "classification"]
        needs = set().union(*(s.info.needs for s in cls_specs if s.info)) if cls_specs else set()
        self._cls_config = (
            ClassificationConfig(
                threshold=self.threshold,
                from_logits=from_logits,
                confusion="confusion" in needs,
                log_loss="log_loss" in needs,
                brier="brier" in needs,
                ranking=ranking if "ranking" in needs else None,
                ranking_bins=bins,
                ece_bins=tuple(
                    sorted({int(s.options["n_bins"]) for s in cls_specs if "n_bins" in s.options})
                ),
                top_k=tuple(sorted({int(s.options["k"]) for s in cls_specs if "k" in s.options})),
                labels=fixed,
                pos_label=pos_label,
                ovo=any(s.options.get("multi_class") == "ovo" for s in cls_specs),
                samples_ranking=tuple(
                    sorted(
                        {
                            s.info.name
                            for s in cls_specs
                            if s.info
                            and "ranking" in s.info.needs
                            and s.options.get("average") == "samples"
                        }
                    )
                ),
            )
            if cls_specs
            else None
        )
        reg = [s for s in builtin if s.info and s.info.family == "regression"]
        self._reg_config = (
            RegressionConfig(
                huber_deltas=tuple(
                    sorted({float(s.options["delta"]) for s in reg if "delta" in s.options})
                )
            )
            if reg
            else None
        )
        self._has_hinge = any(s.info and s.info.family == "hinge" for s in builtin)
        self._has_functions = any(s.function is not None for s in self.specs)
        cfg = self._cls_config
        # The dispatch decision for the short binary path, made once (Evaluator.update runs on
        # every training batch): built-in classification metrics that read only the confusion
        # counts and the log loss.
        self._fast_binary = bool(
            cfg is not None
            and self._reg_config is None
            and not self._has_hinge
            and not self._has_functions
            and not any(s.stateful is not None for s in self.specs)
            and not cfg.from_logits
            and cfg.labels is None
            and cfg.pos_label is None
            and not cfg.brier
            and not cfg.ece_bins
            and not cfg.top_k
            and cfg.ranking is None
            and not cfg.ovo
        )
        self._pristine = {
            s.key: copy.deepcopy(s.stateful) for s in self.specs if s.stateful is not None
        }
        self.reset()

    # ------------------------------------------------------------ state
    def reset(self) -> None:
        """Forget every sample seen."""
        self.n_samples = 0
        self._cls: ClassificationState | None = None
        self._reg: RegressionState | None = None
        self._hinge: HingeState | None = None
        self._buffer = _Buffer()
        self._custom = {key: copy.deepcopy(obj) for key, obj in self._pristine.items()}

    def update(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Evaluator:
        """Add one batch. Validates the whole batch before anything is added, so a rejected
        batch leaves the evaluator as it was. Returns self, so calls chain."""
        cls0 = self._cls
        if (
            sample_weight is None
            and cls0 is not None
            and getattr(self, "_fast_binary", False)  # absent in pickles of older versions
            and cls0.add_binary_fast(y_true, y_pred)
        ):
            self.n_samples += int(y_pred.shape[0])
            return self
        if sample_weight is not None:
            for s in self.specs:
                if s.function is not None and not s.takes_weight:
                    raise InvalidInputError(
                        f"sample_weight must be None for the metric {s.key!r}: its function takes "
                        "no sample_weight argument. Add one, or drop the weights."
                    )
        cls = reg = hinge = None
        if (
            self._cls_config is not None
            and (self._custom or self._has_functions)
            and self._reg_config is None
            and not self._has_hinge
        ):
            # Read the labels once for the state and the custom metrics (text is read once
            # into names and indices; the custom metrics get its strings from that).
            y_true, y_pred = v.read_labels(y_true, "y_true"), v.read_labels(y_pred, "y_pred")
        if self._cls_config is not None:
            cls = ClassificationState(self._cls_config)
            cls.update(y_true, y_pred, sample_weight, self._cls)
        if self._reg_config is not None:
            reg = RegressionState(self._reg_config)
            reg.update(y_true, y_pred, sample_weight)
        if self._has_hinge:
            hinge = HingeState()
            hinge.update(y_true, y_pred, sample_weight)
        state = cls or reg or hinge
        if state is not None and not self._custom and not self._has_functions:
            # Built-in metrics only (the common streaming case): the states validated it all.
            n = state.n
        else:
            if cls is not None:
                y_arr = v.as_label_array(y_true, "y_true")
                p_arr = v.as_label_array(y_pred, "y_pred")
            else:
                y_arr, p_arr = v.as_array(y_true, "y_true"), v.as_array(y_pred, "y_pred")
            n = v.check_consistent_length(y_true=y_arr, y_pred=p_arr)
            v.check_nonempty(y_arr, "y_true")
            w = v.as_sample_weight(sample_weight, n)
            # Custom stateful metrics validate as they update; they go before the built-in
            # states are committed, so an exception there leaves the built-in ones as they were.
            for obj in self._custom.values():
                obj.update(y_arr, p_arr, sample_weight=w)
        # Everything is valid: commit. The evaluator owns its state (merge hands out copies),
        # so the batch is added in place where that is plain addition.
        self._cls = cls if self._cls is None or cls is None else self._cls.absorb(cls)
        self._reg = reg if self._reg is None or reg is None else self._reg.merge(reg)
        self._hinge = hinge if self._hinge is None or hinge is None else self._hinge.merge(hinge)
        if self._has_functions:
            # Copies: a training loop may reuse its arrays for the next batch.
            self._buffer.y_true.append(np.array(y_arr, copy=True))
            self._buffer.y_pred.append(np.array(p_arr, copy=True))
            self._buffer.weight.append(None if w is None else w.copy())
        self.n_samples += n
        return self

    def merge(self, other: Evaluator) -> Evaluator:
        """A new evaluator holding both inputs' data; neither input changes."""
        if not isinstance(other, Evaluator):
            raise InvalidTypeError(f"other must be an Evaluator. Got {v.describe(other)} instead.")
        if [s.key for s in other.specs] != [
            s.key for s in self.specs
        ] or other._cls_config != self._cls_config:
            raise InvalidInputError(
                "other must be an Evaluator of the same metrics and options. Got metrics "
                f"{[s.key for s in other.specs]} instead of {[s.key for s in self.specs]}."
            )
        out = copy.copy(self)
        out._cls = _merge_opt(self._cls, other._cls)
        out._reg = _merge_opt(self._reg, other._reg)
        out._hinge = _merge_opt(self._hinge, other._hinge)
        out._buffer = _Buffer(
            self._buffer.y_true + other._buffer.y_true,
            self._buffer.y_pred + other._buffer.y_pred,
            self._buffer.weight + other._buffer.weight,
        )
        out._custom = {k: self._custom[k].merge(other._custom[k]) for k in self._custom}
        out.n_samples = self.n_samples + other.n_samples
        return out

    # ------------------------------------------------------------ results
    def compute(self) -> dict[str, Any]:
        """Every metric over all the data seen; nan for each metric when nothing was seen."""
        out: dict[str, Any] = {}
        data = self._buffer.concat() if self._has_functions and self.n_samples else None
        for s in self.specs:
            if s.info is not None:
                state = self._state_for(s.info)
                out[s.key] = float("nan") if state is None else s.info.compute(state, s.options)
            elif s.function is not None:
                if data is None:
                    out[s.key] = float("nan")
                    continue
                y, p, w = data
                res = s.function(y, p, sample_weight=w) if w is not None else s.function(y, p)
                out[s.key] = _as_result(res)
            else:
                out[s.key] = (
                    _as_result(self._custom[s.key].compute()) if self.n_samples else float("nan")
                )
        return out

    def baselines(self) -> dict[str, Any]:
        """Each metric's no-skill value for the data seen (None where none is defined; for
        multilabel targets with ``average=None``, one value per label)."""
        out: dict[str, Any] = {}
        for s in self.specs:
            state = self._state_for(s.info) if s.info is not None else None
            if s.info is None or s.info.baseline is None or state is None or not state.n:
                out[s.key] = None
            else:
                out[s.key] = s.info.baseline(state, s.options)
        return out

    @property
    def classes(self) -> NDArray[Any] | None:
        """The class labels in the order of per-class results (``average=None``) and of the
        confusion matrix's rows and columns; None before any classification data.

        >>> import fitscope
        >>> ev = fitscope.Evaluator(["confusion_matrix"]).update(["dog", "cat"], ["cat", "cat"])
        >>> ev.classes.tolist()
        ['cat', 'dog']
        """
        if self._cls is None or self._cls.n == 0:
            return None
        return class_labels(self._cls)

    @property
    def higher_is_better(self) -> dict[str, bool | None]:
        return {s.key: s.higher_is_better for s in self.specs}

    def error_bounds(self) -> dict[str, float]:
        """With ``ranking="binned"``: the largest possible |binned - exact| ROC-AUC for the data
        seen (0.5 * sum over bins of positives x negatives in the bin / (P N)); binary only."""
        out: dict[str, float] = {}
        cls = self._cls
        for s in self.specs:
            if (
                s.info is not None
                and s.info.name == "roc_auc"
                and cls is not None
                and cls.config.ranking == "binned"
                and cls.mode == "binary"
            ):
                r = cls.rank[0]
                assert r.hpos is not None and r.hneg is not None
                out[s.key] = roc_auc_binned(r.hpos, r.hneg)[1]
        return out

    def _state_for(self, info: MetricInfo) -> Any:
        return {"classification": self._cls, "regression": self._reg, "hinge": self._hinge}[
            info.family
        ]

    def __repr__(self) -> str:
        return (
            f"<fitscope.Evaluator metrics={[s.key for s in self.specs]} n_samples={self.n_samples}>"
        )


def _merge_opt(a: Any, b: Any) -> Any:
    # Never hand out an input's own state: Evaluator.update adds into its state in place.
    if a is None:
        return None if b is None else _copied(b)
    if b is None:
        return _copied(a)
    return a.merge(b)


def _copied(state: Any) -> Any:
    if isinstance(state, ClassificationState):
        return state.merge(ClassificationState(state.config))
    return copy.deepcopy(state)


def _as_result(res: Any) -> Any:
    if isinstance(res, np.ndarray) and res.ndim > 0:
        return res
    try:
        return float(res)
    except (TypeError, ValueError):
        return res


def evaluate(
    y_true: Any,
    y_pred: Any,
    *,
    metrics: Sequence[Any] | str = ("accuracy", "log_loss"),
    sample_weight: Any = None,
    threshold: float = 0.5,
    from_logits: bool = False,
    labels: Sequence[Any] | None = None,
    pos_label: Any = None,
) -> dict[str, Any]:
    """Many metrics in one pass over the data, sharing the work between them.

    Class labels may be any values (strings, negative integers, booleans); ``labels`` fixes
    the classes and their order, ``pos_label`` names the positive class (docs/metrics.md).

    >>> import fitscope
    >>> fitscope.evaluate([0, 0, 1], [0.3, 0.6, 0.8], metrics=["accuracy", "roc_auc"])
    {'accuracy': 0.6666666666666666, 'roc_auc': 1.0}
    """
    ev = Evaluator(
        metrics, threshold=threshold, from_logits=from_logits, labels=labels, pos_label=pos_label
    )
    return ev.update(y_true, y_pred, sample_weight).compute()
