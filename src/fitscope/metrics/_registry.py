"""The registry of built-in metrics: what each needs, how it is computed from the shared states,
whether higher is better, and its no-skill baseline.

A new metric is one ``_register`` call; the contract and reference test suites iterate over
this registry, so they cover it without further work.

Why one long file: it is a table, one ``_register`` entry per metric (name, states, compute,
direction, baseline); splitting it by family would scatter the one list the test suites read.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from fitscope import _validation as v
from fitscope.errors import InvalidInputError
from fitscope.metrics import _labels as _lab
from fitscope.metrics._classification import ClassificationState, _RankStore, grow
from fitscope.metrics._ranking import (
    RankSummary,
    SortedScores,
    average_precision_binned,
    average_precision_sorted,
    partial_auc,
    roc_auc_binned,
    roc_auc_sorted,
    roc_points,
    roc_points_binned,
)
from fitscope.metrics._regression import RegressionState

NAN = float("nan")
Value = float | NDArray[Any]


@dataclass(frozen=True)
class MetricInfo:
    """Static facts about one built-in metric."""

    name: str
    family: str  # "classification" | "regression" | "hinge"
    higher_is_better: bool | None  # None only for non-scalar results (confusion matrix)
    description: str
    needs: frozenset[str] = frozenset()
    defaults: Mapping[str, Any] = field(default_factory=dict)
    baseline_description: str | None = None
    compute: Callable[[Any, Mapping[str, Any]], Value] = field(repr=False, default=lambda s, o: NAN)
    # The no-skill value; a per-label array for multilabel targets with average=None, and
    # None where none is defined for the data seen.
    baseline: Callable[[Any, Mapping[str, Any]], Value | None] | None = field(
        repr=False, default=None
    )
    check_options: Callable[[str, Mapping[str, Any]], None] = field(
        repr=False, default=lambda n, o: None
    )
    # How each option's value is read from a name written as text ("f1(average=macro)"): by
    # what the option accepts, so "normalize=true" is the text 'true' for confusion_matrix and
    # True for accuracy, and "multioutput=(0.2, 0.8)" is a tuple of weights.
    readers: Mapping[str, Callable[[str], Any]] = field(repr=False, default_factory=dict)

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        # Pickle by name: the entry holds functions, and the receiving side has the registry.
        return (lookup, (self.name,))


REGISTRY: dict[str, MetricInfo] = {}
ALIASES: dict[str, str] = {"cross_entropy": "log_loss", "pr_auc": "average_precision"}


def _register(info: MetricInfo) -> None:
    REGISTRY[info.name] = info


def lookup(name: str) -> MetricInfo:
    real = ALIASES.get(name, name)
    if real not in REGISTRY:
        raise v.unknown_name_error("metrics", name, list(REGISTRY) + list(ALIASES))
    return REGISTRY[real]


# ------------------------------------------------------------------ option values as text
# A metric written as fitscope prints it, "fbeta(average=None, beta=2)", holds its options as
# text. Each option reads its text by what it accepts; show_option prints a value so that the
# option's reader gives it back (the round trip is tested for every option of every metric).
def _unquoted(text: str) -> tuple[str, bool]:
    t = text.strip()
    if len(t) >= 2 and t[0] == t[-1] and t[0] in "'\"":
        return t[1:-1], True
    return t, False


def as_number(t: str) -> int | float | None:
    """``t`` as an int when written as one, else as a float (nan, inf), else None."""
    cast: type[int] | type[float]
    for cast in (int, float):
        try:
            return cast(t)
        except ValueError:
            pass
    return None


def read_text(text: str) -> Any:
    """A choice ("macro", "true", "warn"): kept as text; an unquoted none/None is None."""
    t, quoted = _unquoted(text)
    return None if not quoted and t.lower() == "none" else t


def read_bool(text: str) -> Any:
    """True/False (any case); other text is left for the option's check to report."""
    t, _ = _unquoted(text)
    return {"true": True, "false": False}.get(t.lower(), t)


def read_number(text: str) -> Any:
    """An int when written as one, else a float (nan, inf); none/None is None; anything else
    stays text for the option's check to report."""
    t, quoted = _unquoted(text)
    if not quoted and t.lower() == "none":
        return None
    n = as_number(t)
    return t if n is None else n


def read_text_or_number(text: str) -> Any:
    """zero_division: a number (0, 1, nan) or a choice ("warn")."""
    t, quoted = _unquoted(text)
    n = None if quoted else as_number(t)
    return read_text(text) if n is None else n


def read_text_or_numbers(text: str) -> Any:
    """multioutput: a choice, or weights written as a sequence: (0.2, 0.8) or [0.2, 0.8]."""
    t, quoted = _unquoted(text)
    if not quoted and len(t) >= 2 and (t[0], t[-1]) in (("(", ")"), ("[", "]")):
        parts = [p.strip() for p in t[1:-1].split(",")]
        return tuple(read_number(p) for p in parts if p)
    return read_text(text)


def show_option(value: Any) -> str:
    """An option's value as a metric's key prints it: text as is, numbers as Python writes them
    (0.1, 2, nan, inf), a sequence as (a, b); the option's reader reads it back."""
    if isinstance(value, tuple | list):
        return f"({', '.join(show_option(x) for x in value)})"
    if isinstance(value, float):
        return repr(value)
    return str(value)


#: The reader of each option by name; an option that shares a name with another of another
#: type is read as its metric's registration says (confusion_matrix's normalize is text).
OPTION_READERS: dict[str, Callable[[str], Any]] = {
    "average": read_text,
    "zero_division": read_text_or_number,
    "beta": read_number,
    "normalize": read_bool,
    "adjusted": read_bool,
    "reduction": read_text,
    "multi_class": read_text,
    "max_fpr": read_number,
    "k": read_number,
    "n_bins": read_number,
    "multioutput": read_text_or_numbers,
    "delta": read_number,
}


# ------------------------------------------------------------------ helpers on the states
def _prior(s: ClassificationState) -> NDArray[np.float64]:
    w = s.class_weight
    total = w.sum()
    return w / total if total > 0 else w


def _present(s: ClassificationState) -> NDArray[np.bool_]:
    # scikit-learn averages over the labels present in y_true or y_pred, or over labels=.
    if s.config.labels is not None:
        return np.ones(s.n_classes, dtype=bool)
    seen: NDArray[np.bool_] = (grow(s.seen_true, s.n_classes) + grow(s.seen_pred, s.n_classes)) > 0
    return seen


def class_labels(s: ClassificationState) -> NDArray[Any]:
    """The label of each entry of a per-class result (and each confusion-matrix axis);
    multilabel: the label column indices (those of ``labels=``, in its order)."""
    if s.ml is not None:
        return np.arange(s.ml.n_labels) if s.config.labels is None else np.asarray(s.config.labels)
    names = np.arange(s.n_classes) if s.classes is None else s.classes
    return names[_present(s)] if s.config.confusion else names


def _zd(o: Mapping[str, Any]) -> float:
    z = o.get("zero_division", "warn")
    return 0.0 if isinstance(z, str) else float(z)


def _div(num: NDArray[np.float64], den: NDArray[np.float64], zero: float) -> NDArray[np.float64]:
    # Where the denominator is 0: zero_division (0 for "warn"), as scikit-learn.
    out = np.full(num.shape, zero, dtype=np.float64)
    np.divide(num, den, out=out, where=den > 0)
    return out


def _nanaverage(a: NDArray[np.float64], weights: NDArray[np.float64] | None) -> float:
    # scikit-learn's _nanaverage: nan entries (zero_division=nan) are left out; all-zero
    # weights fall back to the plain mean.
    keep = ~np.isnan(a)
    if not keep.any():
        return NAN
    if weights is not None and float(weights[keep].sum()) > 0:
        return float(np.dot(a[keep], weights[keep]) / weights[keep].sum())
    return float(a[keep].mean())


def _binary_counts(s: ClassificationState, c: NDArray[np.float64]) -> tuple[float, float, float]:
    keep = (grow(s.seen_true, s.n_classes) + grow(s.seen_pred, s.n_classes)) > 0
    names = np.arange(s.n_classes) if s.classes is None else s.classes
    present = names[keep]
    if present.size > 2:
        raise InvalidInputError(
            f"average must be 'micro', 'macro', 'weighted' or None for multiclass data "
            f"({present.size} classes seen: {_lab.show(present)}). Got 'binary' instead."
        )
    pos = 1 if s.config.pos_label is None else s.config.pos_label
    same = _lab.kind(np.asarray([pos])) == _lab.kind(names)
    where = np.flatnonzero(names == pos) if same else np.zeros(0, dtype=np.int64)
    if where.size == 0 or not keep[where[0]]:
        if present.size >= 2:
            raise InvalidInputError(
                f"pos_label must be one of the labels {_lab.show(present)} for average='binary'. "
                f"Got {pos!r}{' (the default)' if s.config.pos_label is None else ''} instead. "
                "Pass pos_label=... or choose another average."
            )
        return 0.0, 0.0, 0.0
    i = int(where[0])
    tp = float(c[i, i])
    return tp, float(c[:, i].sum()) - tp, float(c[i, :].sum()) - tp


def _prf(s: ClassificationState, o: Mapping[str, Any], which: str) -> Value:
    if s.n == 0:
        return NAN
    if s.ml is not None:
        return _ml_prf(s, o, which)
    c = s.confusion
    average = o["average"]
    if average == "samples":
        raise InvalidInputError(
            "average must be 'binary', 'micro', 'macro', 'weighted' or None for 1-D class labels "
            "('samples' averages over the rows of multilabel targets). Got 'samples' instead."
        )
    zero = _zd(o)
    if average == "binary":
        tp, fp, fn = _binary_counts(s, c)
        tp_a, fp_a, fn_a = np.array([tp]), np.array([fp]), np.array([fn])
    else:
        keep = _present(s)
        c = c[np.ix_(keep, keep)]
        tp_a = np.diag(c).astype(np.float64)
        fp_a = c.sum(axis=0) - tp_a
        fn_a = c.sum(axis=1) - tp_a
        if average == "micro":
            tp_a, fp_a, fn_a = (
                np.array([tp_a.sum()]),
                np.array([fp_a.sum()]),
                np.array([fn_a.sum()]),
            )
    per = _prf_values(tp_a, fp_a, fn_a, which, float(o.get("beta", 1.0)), zero)
    if average is None:
        return per
    return _nanaverage(per, tp_a + fn_a if average == "weighted" else None)


def _prf_values(
    tp: NDArray[np.float64],
    fp: NDArray[np.float64],
    fn: NDArray[np.float64],
    which: str,
    beta: float,
    zero: float,
) -> NDArray[np.float64]:
    if which == "precision" or (which == "fbeta" and beta == 0):
        return _div(tp, tp + fp, zero)
    if which == "recall" or (which == "fbeta" and math.isinf(beta)):
        return _div(tp, tp + fn, zero)
    b2 = beta * beta
    return _div((1 + b2) * tp, (1 + b2) * tp + b2 * fn + fp, zero)


def _ml_prf(s: ClassificationState, o: Mapping[str, Any], which: str) -> Value:
    """Multilabel precision / recall / F-beta, as scikit-learn's multilabel-indicator case."""
    ml = s.ml
    assert ml is not None
    average, zero, beta = o["average"], _zd(o), float(o.get("beta", 1.0))
    if average == "binary":
        raise InvalidInputError(
            "average must be 'micro', 'macro', 'weighted', 'samples' or None for multilabel "
            f"targets ({ml.n_labels} label columns). Got 'binary' instead."
        )
    if average == "samples":
        tp, fp, fn = ml.per_sample_counts()
        per = _prf_values(tp, fp, fn, which, beta, zero)
        # Each combination stands for its samples: their weights (counts when unweighted).
        # scikit-learn weighs each row's counts by its weight, so a row of weight 0 scores
        # zero_division; its fallback to the plain mean, when no row of nonzero weight has a
        # value, then gives zero_division (nan: the rows left are all nan).
        if s.weighted:
            keep = ~np.isnan(per) & (ml.code_weight > 0)
            if not keep.any():
                return zero
            weights = ml.code_weight
        else:
            keep = ~np.isnan(per)
            if not keep.any():
                return NAN
            weights = ml.code_count.astype(np.float64)
        return float(np.dot(per[keep], weights[keep]) / weights[keep].sum())
    tp, fp, fn = ml.tp, ml.fp, ml.fn
    if average == "micro":
        tp, fp, fn = np.array([tp.sum()]), np.array([fp.sum()]), np.array([fn.sum()])
    per = _prf_values(tp, fp, fn, which, beta, zero)
    if average is None:
        return per
    return _nanaverage(per, tp + fn if average == "weighted" else None)


def _check_prf(allowed: tuple[Any, ...]) -> Callable[[str, Mapping[str, Any]], None]:
    def check(name: str, o: Mapping[str, Any]) -> None:
        _check_avg(name, o["average"], allowed)
        z = o["zero_division"]
        ok = (isinstance(z, str) and z == "warn") or (
            isinstance(z, int | float | np.integer | np.floating)
            and not isinstance(z, bool)
            and (z in (0, 1) or math.isnan(z))
        )
        if not ok:
            raise InvalidInputError(
                f"{name}(zero_division=...) must be 'warn', 0, 1 or nan. Got {z!r} instead."
            )
        if "beta" in o:
            b = o["beta"]
            if not (isinstance(b, int | float | np.integer | np.floating) and b >= 0):
                raise InvalidInputError(
                    f"{name}(beta=...) must be a number >= 0 (inf: recall). Got {b!r} instead."
                )

    return check


def _check_avg(name: str, average: Any, allowed: tuple[Any, ...]) -> None:
    # average=None is accepted as the value None and as the text "none"/"None" (CLI, key parse).
    if average is None:
        if None not in allowed:
            raise InvalidInputError(
                f"{name}(average=...) must be one of {', '.join(map(repr, allowed))}. Got None "
                "instead."
            )
        return
    v.check_choice(average, f"{name}(average=...)", tuple(a for a in allowed if a is not None))


def _check_average(allowed: tuple[Any, ...]) -> Callable[[str, Mapping[str, Any]], None]:
    def check(name: str, o: Mapping[str, Any]) -> None:
        _check_avg(name, o["average"], allowed)

    return check


def _ranking(s: ClassificationState, o: Mapping[str, Any], metric: str) -> Value:
    if s.n == 0:
        return NAN
    binned = s.config.ranking == "binned"
    auc = metric == "roc_auc"

    def score(r: _RankStore) -> float:
        if binned:
            assert r.hpos is not None and r.hneg is not None
            if auc:
                return roc_auc_binned(r.hpos, r.hneg)[0]
            return average_precision_binned(r.hpos, r.hneg)
        summary = r.summary()
        return roc_auc_sorted(summary) if auc else average_precision_sorted(summary)

    max_fpr = o.get("max_fpr")
    if s.mode == "binary":
        if metric == "roc_auc" and (s.seen_true.size < 2 or s.seen_true.min() == 0):
            raise InvalidInputError(
                f"y_true must contain both classes for roc_auc. Got only class "
                f"{int(np.argmax(s.seen_true))} ({s.n} samples) instead; ROC-AUC is undefined."
            )
        if auc and max_fpr is not None and max_fpr != 1:
            r = s.rank[0]
            if binned:
                assert r.hpos is not None and r.hneg is not None
                return partial_auc(*roc_points_binned(r.hpos, r.hneg), float(max_fpr))
            return partial_auc(*roc_points(*r.sorted_pair()), float(max_fpr))
        return score(s.rank[0])
    if auc and max_fpr is not None and max_fpr != 1:
        raise InvalidInputError(
            "roc_auc(max_fpr=...) must be None for multiclass scores (partial AUC is defined for "
            f"binary data, as in scikit-learn). Got max_fpr={max_fpr} with {len(s.rank)} "
            "columns instead."
        )
    if auc and o.get("multi_class") == "ovo":
        return _ovo(s, o)
    n_cols = len(s.rank)
    if o["average"] == "samples":
        return _samples_ranking(s, metric)
    seen = grow(s.seen_true, n_cols)[:n_cols]
    if s.ml is not None and auc:
        # Each label column is a binary problem: it needs positives and negatives.
        lacking = np.flatnonzero((seen == 0) | (seen == s.n))
        if lacking.size:
            raise InvalidInputError(
                f"y_true must hold both 0 and 1 in every label column for roc_auc. Got only "
                f"{'0' if seen[lacking[0]] == 0 else '1'} in column {int(lacking[0])} instead "
                f"({lacking.size} column(s)); ROC-AUC is undefined there."
            )
    if (seen == 0).any() and s.config.labels is None and s.ml is None:
        missing = [int(i) for i in np.flatnonzero(seen == 0)]
        names = class_labels(s) if s.classes is not None else np.arange(n_cols)
        raise InvalidInputError(
            f"y_true must contain every class {_lab.show(names)} for one-vs-rest {metric}. Got "
            f"no sample of class {names[missing[0]].item()!r} instead ({len(missing)} class(es) "
            "missing). Pass labels=[...] to score the classes present (an absent class is nan)."
        )
    if o["average"] == "micro":
        # Micro: every (sample, class) cell is one binary decision; pool the partitions.
        pooled = _RankStore()
        for r in s.rank:
            pooled = pooled.merge(r)
        return score(pooled)
    per = np.array([score(r) if seen[i] or s.ml is not None else NAN for i, r in enumerate(s.rank)])
    if o["average"] is None:
        return per
    if o["average"] == "weighted":
        # As scikit-learn: a class of zero total weight scores 0 at weight 0 (it drops out);
        # all weights zero gives 0.
        w = grow(s.class_weight, n_cols)[:n_cols]
        if math.isclose(float(w.sum()), 0.0, abs_tol=1e-8):
            return 0.0
        per[w == 0] = 0.0
        return float(np.dot(per, w) / w.sum())
    return float(per.mean())


def _samples_ranking(s: ClassificationState, metric: str) -> float:
    """average="samples": each row's score over its labels, averaged with the sample weights
    (the state keeps the weighted sums; see _multilabel.row_ranking)."""
    ml = s.ml
    if ml is None:
        raise InvalidInputError(
            f"{metric}(average=...) must be 'macro', 'weighted', 'micro' or None for class "
            "labels ('samples' averages over the rows of multilabel targets). Got 'samples' "
            "instead."
        )
    if metric == "roc_auc" and ml.row_auc_undefined:
        raise InvalidInputError(
            "y_true must hold both 0 and 1 in every row for roc_auc(average='samples'). Got "
            f"{ml.row_auc_undefined} row(s) of one class only instead; ROC-AUC is undefined "
            "there. Give those rows zero weight, or average over labels."
        )
    total = ml.weight
    value = ml.row_auc if metric == "roc_auc" else ml.row_ap
    return value / total if total > 0 else NAN


def _ovo(s: ClassificationState, o: Mapping[str, Any]) -> float:
    """One-vs-one ROC-AUC (Hand & Till), as scikit-learn's multi_class="ovo": for each pair of
    classes present in y_true, the mean of AUC(a vs b on column a) and AUC(b vs a on column b);
    "macro" averages the pairs, "weighted" weights each by its share of the samples (of the
    weight, when weighted: scikit-learn does not take weights for ovo)."""
    groups: list[tuple[NDArray[Any], NDArray[Any] | None] | None] = []
    for chunks in s.by_class:
        if not chunks:
            groups.append(None)
            continue
        scores = np.concatenate([c for c, _ in chunks], axis=1)
        weights = (
            None
            if all(w is None for _, w in chunks)
            else np.concatenate([np.ones(c.shape[1]) if w is None else w for c, w in chunks])
        )
        groups.append((scores, weights))
    present = [j for j, g in enumerate(groups) if g is not None]
    total = s.total_weight
    pair_scores, prevalence = [], []
    for i, a in enumerate(present):
        for b in present[i + 1 :]:
            ga, gb = groups[a], groups[b]
            assert ga is not None and gb is not None
            a_vs_b = RankSummary.build(
                SortedScores.build(ga[0][a], ga[1]), SortedScores.build(gb[0][a], gb[1])
            )
            b_vs_a = RankSummary.build(
                SortedScores.build(gb[0][b], gb[1]), SortedScores.build(ga[0][b], ga[1])
            )
            pair_scores.append(0.5 * (roc_auc_sorted(a_vs_b) + roc_auc_sorted(b_vs_a)))
            prevalence.append((a_vs_b.p_total + a_vs_b.n_total) / total)
    if not pair_scores:
        return NAN
    if o["average"] == "weighted":
        return float(np.average(pair_scores, weights=prevalence))
    return float(np.mean(pair_scores))


def _check_roc(name: str, o: Mapping[str, Any]) -> None:
    _check_avg(name, o["average"], _RANK_AVERAGES)
    v.check_choice(o["multi_class"], f"{name}(multi_class=...)", ("ovr", "ovo"))
    if o["multi_class"] == "ovo" and o["average"] not in ("macro", "weighted"):
        raise InvalidInputError(
            f"{name}(average=...) must be 'macro' or 'weighted' with multi_class='ovo'. Got "
            f"{o['average']!r} instead."
        )
    m = o["max_fpr"]
    if m is not None:
        if isinstance(m, bool) or not isinstance(m, int | float | np.integer | np.floating):
            raise InvalidInputError(f"{name}(max_fpr=...) must be a number in (0, 1]. Got {m!r}.")
        if not 0 < m <= 1:
            raise InvalidInputError(f"{name}(max_fpr=...) must be in (0, 1]. Got {m!r} instead.")


def _cls(
    name: str,
    hib: bool | None,
    desc: str,
    needs: set[str],
    compute: Callable[[Any, Mapping[str, Any]], Value],
    baseline: Callable[[Any, Mapping[str, Any]], Value | None] | None = None,
    baseline_description: str | None = None,
    defaults: Mapping[str, Any] | None = None,
    check: Callable[[str, Mapping[str, Any]], None] | None = None,
    family: str = "classification",
    multilabel_baseline: Callable[[ClassificationState, Mapping[str, Any]], Value] | None = None,
    readers: Mapping[str, Callable[[str], Any]] | None = None,
) -> None:
    if baseline is not None and family == "classification":
        # Multilabel states take multilabel_baseline, or have none.
        baseline = _by_kind(baseline, multilabel_baseline)
    _register(
        MetricInfo(
            name=name,
            family=family,
            higher_is_better=hib,
            description=desc,
            needs=frozenset(needs),
            defaults=dict(defaults or {}),
            baseline_description=baseline_description,
            compute=compute,
            baseline=baseline,
            check_options=check or (lambda n, o: None),
            readers={k: (readers or {}).get(k) or OPTION_READERS[k] for k in defaults or {}},
        )
    )


def _by_kind(
    other: Callable[[Any, Mapping[str, Any]], Value | None],
    ml: Callable[[ClassificationState, Mapping[str, Any]], Value] | None,
) -> Callable[[Any, Mapping[str, Any]], Value | None]:
    def baseline(s: Any, o: Mapping[str, Any]) -> Value | None:
        if getattr(s, "ml", None) is None:
            return other(s, o)
        return None if ml is None else ml(s, o)

    return baseline


def _prevalence(s: ClassificationState) -> NDArray[np.float64]:
    """Multilabel: each label's weighted share of positive rows (the no-skill predictor)."""
    assert s.ml is not None
    return _ml_mean(s, s.ml.tp + s.ml.fn)


def _ml_entropy(s: ClassificationState, o: Mapping[str, Any]) -> Value:
    # Predicting each label's prevalence pi: the binary entropy of pi, per label.
    assert s.ml is not None
    pi = _prevalence(s)
    with np.errstate(divide="ignore", invalid="ignore"):
        h = 0.0 - (
            np.where(pi > 0, pi * np.log(pi), 0.0) + np.where(pi < 1, (1 - pi) * np.log1p(-pi), 0.0)
        )
    if o.get("reduction") == "sum":
        sums = h * s.ml.weight
        return sums if o.get("average") is None else float(sums.sum())
    return _label_average(s, "log_loss", h, o)


def _ml_brier_base(s: ClassificationState, o: Mapping[str, Any]) -> Value:
    pi = _prevalence(s)
    return _label_average(s, "brier_score", pi * (1 - pi), o)


def _ml_hamming_base(s: ClassificationState, o: Mapping[str, Any]) -> Value:
    # Predicting each label's majority value: that label's minority share of cells is wrong.
    pi = _prevalence(s)
    return float(np.minimum(pi, 1 - pi).mean())


def _ml_ap_base(s: ClassificationState, o: Mapping[str, Any]) -> Value:
    # Constant scores: each label's average precision is its prevalence; "micro" and
    # "samples" pool the cells (a row's AP is its share of positive labels).
    assert s.ml is not None
    pi, support = _prevalence(s), s.ml.tp + s.ml.fn
    average = o["average"]
    if average is None:
        return pi
    if average == "weighted":
        total = float(support.sum())
        return float(np.dot(pi, support) / total) if total > 0 else 0.0
    return float(pi.mean())  # macro; micro and samples: total positives / all cells, the same


def _ml_auc_base(s: ClassificationState, o: Mapping[str, Any]) -> Value:
    assert s.ml is not None
    return np.full(s.ml.n_labels, 0.5) if o["average"] is None else 0.5


def _mean_of(
    total: Callable[[ClassificationState], float],
) -> Callable[[Any, Mapping[str, Any]], float]:
    return lambda s, o: total(s) / s.total_weight if s.n and s.total_weight > 0 else NAN


def _accuracy(s: ClassificationState, o: Mapping[str, Any]) -> float:
    if not s.n:
        return NAN
    # Multilabel: subset accuracy (a row counts when every label is right), as scikit-learn.
    hits = float(np.trace(s.confusion)) if s.ml is None else s.ml.exact
    if not o.get("normalize", True):
        return hits
    total = s.total_weight if s.ml is None else s.ml.weight
    return hits / total if total > 0 else NAN


def _zero_one(s: ClassificationState, o: Mapping[str, Any]) -> float:
    if not s.n:
        return NAN
    if not o.get("normalize", True):
        if s.ml is not None:
            return (s.ml.weight if s.weighted else float(s.n)) - s.ml.exact
        total = s.total_weight if s.weighted else float(s.n)
        return total - float(np.trace(s.confusion))
    return 1.0 - _accuracy(s, o)


def _hamming(s: ClassificationState, o: Mapping[str, Any]) -> float:
    if not s.n:
        return NAN
    if s.ml is not None:
        cells = s.ml.weight * s.ml.n_labels
        return s.ml.wrong_cells / cells if cells > 0 else NAN
    return 1.0 - _accuracy(s, o)


def _not_multilabel(s: ClassificationState, name: str) -> None:
    if s.ml is not None:
        raise InvalidInputError(
            f"y_true must be 1-D class labels for {name} (scikit-learn does not define it for "
            f"multilabel targets either). Got 2-D indicators with {s.ml.n_labels} label columns "
            "instead."
        )


def _check_normalize(name: str, o: Mapping[str, Any]) -> None:
    v.check_bool(o["normalize"], f"{name}(normalize=...)")


def _balanced(s: ClassificationState, o: Mapping[str, Any]) -> float:
    if s.n == 0:
        return NAN
    _not_multilabel(s, "balanced_accuracy")
    rows = s.confusion.sum(axis=1)
    keep = rows > 0
    if not keep.any():
        return NAN
    score = float(np.mean(np.diag(s.confusion)[keep] / rows[keep]))
    if o.get("adjusted"):
        chance = 1.0 / int(keep.sum())
        # One class: 0 / 0 as in scikit-learn (nan, or +-inf), without numpy's warning.
        with np.errstate(divide="ignore", invalid="ignore"):
            score = float(np.float64(score - chance) / np.float64(1.0 - chance))
    return score


def _check_adjusted(name: str, o: Mapping[str, Any]) -> None:
    v.check_bool(o["adjusted"], f"{name}(adjusted=...)")


def _confusion(s: ClassificationState, o: Mapping[str, Any]) -> NDArray[Any]:
    _not_multilabel(s, "confusion_matrix")
    keep = _present(s)
    c = s.confusion[np.ix_(keep, keep)]
    how = o.get("normalize")
    if how is None:
        return c if s.weighted else c.astype(np.int64)
    # As scikit-learn: divide by the row (true), column (pred) or grand total; 0 where empty.
    with np.errstate(divide="ignore", invalid="ignore"):
        if how == "true":
            out = c / c.sum(axis=1, keepdims=True)
        elif how == "pred":
            out = c / c.sum(axis=0, keepdims=True)
        else:
            out = c / c.sum()
    normalized: NDArray[Any] = np.nan_to_num(out)
    return normalized


def _check_cm(name: str, o: Mapping[str, Any]) -> None:
    if o["normalize"] is not None:
        v.check_choice(o["normalize"], f"{name}(normalize=...)", ("true", "pred", "all"))


def _label_average(s: ClassificationState, name: str, per: Value, o: Mapping[str, Any]) -> Value:
    """Per-label values of a multilabel loss, averaged as ``average`` says. Every label column
    carries the same row weights, so "macro", "micro" and "samples" are one number (the mean
    over labels of each label's loss is the sum over all cells / (total weight x labels), and
    also the weighted mean over rows of each row's mean loss); "weighted" weighs each label by
    its support (weight of its positives), as scikit-learn's ranking averages do."""
    average = o.get("average", "macro")
    if s.ml is None:
        if average != "macro":
            raise InvalidInputError(
                f"{name}(average=...) must be 'macro' (the default) for class labels: the other "
                f"averages are over the label columns of multilabel targets. Got {average!r} "
                "instead."
            )
        return per
    assert isinstance(per, np.ndarray)
    if average is None:
        return per
    if average == "weighted":
        support = s.ml.tp + s.ml.fn
        total = float(support.sum())
        return float(np.dot(per, support) / total) if total > 0 else NAN
    return float(per.mean()) if per.size else NAN


def _ml_mean(s: ClassificationState, sums: NDArray[np.float64]) -> NDArray[np.float64]:
    assert s.ml is not None
    w = s.ml.weight
    return sums / w if w > 0 else np.full(sums.shape, NAN)


def _log_loss(s: ClassificationState, o: Mapping[str, Any]) -> Value:
    if s.n == 0:
        return NAN
    if s.ml is not None:  # multilabel: each label's binary log loss (docs/metrics.md)
        if o["reduction"] == "sum":
            return s.ml.loss.copy() if o.get("average") is None else s.log_loss_sum
        return _label_average(s, "log_loss", _ml_mean(s, s.ml.loss), o)
    if o["reduction"] == "sum":
        return _label_average(s, "log_loss", s.log_loss_sum, o)
    mean = s.log_loss_sum / s.total_weight if s.total_weight > 0 else NAN
    return _label_average(s, "log_loss", mean, o)


def _check_reduction(name: str, o: Mapping[str, Any]) -> None:
    v.check_choice(o["reduction"], f"{name}(reduction=...)", ("mean", "sum"))
    _check_avg(name, o["average"], _LOSS_AVERAGES)
    if o["reduction"] == "sum" and o["average"] == "weighted":
        raise InvalidInputError(
            f"{name}(average=...) must not be 'weighted' with reduction='sum' (a sum has no "
            "weighted average over labels). Got average='weighted' instead; use "
            "reduction='mean', or average=None for the sum per label."
        )


def _check_loss_average(name: str, o: Mapping[str, Any]) -> None:
    _check_avg(name, o["average"], _LOSS_AVERAGES)


def _brier(s: ClassificationState, o: Mapping[str, Any]) -> Value:
    if s.n == 0:
        return NAN
    if s.ml is not None:  # multilabel: each label's binary Brier score (docs/metrics.md)
        return _label_average(s, "brier_score", _ml_mean(s, s.ml.sq), o)
    if s.total_weight <= 0:
        return _label_average(s, "brier_score", NAN, o)
    half = 0.5 if s.mode == "binary" or len(s.rank) <= 2 else 1.0
    return _label_average(s, "brier_score", half * s.brier_sum / s.total_weight, o)


def _brier_base(s: ClassificationState, o: Mapping[str, Any]) -> float:
    pi = _prior(s)
    half = 0.5 if s.mode == "binary" or len(s.rank) <= 2 else 1.0
    # E[sum_k (y_k - pi_k)^2] when y ~ pi is sum_k pi_k (1 - pi_k).
    return float(half * np.sum(pi * (1 - pi)))


def _entropy(s: ClassificationState, o: Mapping[str, Any]) -> float:
    pi = _prior(s)
    pi = pi[pi > 0]
    h = float(-np.sum(pi * np.log(pi)))
    return h * s.total_weight if o.get("reduction") == "sum" else h


def _top_k(s: ClassificationState, o: Mapping[str, Any]) -> float:
    return s.top_k_hits.get(o["k"], 0.0) / s.total_weight if s.n and s.total_weight > 0 else NAN


def _top_k_base(s: ClassificationState, o: Mapping[str, Any]) -> float:
    return float(np.sort(_prior(s))[::-1][: o["k"]].sum())


def _ece(s: ClassificationState, o: Mapping[str, Any]) -> float:
    bins = s.ece.get(o["n_bins"])
    if s.n == 0 or bins is None or bins[0].sum() <= 0:
        return NAN
    return float(np.abs(bins[2] - bins[1]).sum() / bins[0].sum())


def _check_k(name: str, o: Mapping[str, Any]) -> None:
    v.check_positive_int(o["k"], f"{name}(k=...)")


def _check_bins(name: str, o: Mapping[str, Any]) -> None:
    v.check_positive_int(o["n_bins"], f"{name}(n_bins=...)")


_PRF_AVERAGES = ("binary", "micro", "macro", "weighted", "samples", None)
_RANK_AVERAGES = ("macro", "weighted", "micro", "samples", None)
_LOSS_AVERAGES = _RANK_AVERAGES

_cls(
    "accuracy",
    True,
    "share of correct predictions (1-D probabilities thresholded at >= threshold)",
    {"confusion"},
    _accuracy,
    lambda s, o: float(_prior(s).max()) * (1.0 if o["normalize"] else s.total_weight),
    "always predicting the majority class",
    defaults={"normalize": True},
    check=_check_normalize,
)
_cls(
    "zero_one_loss",
    False,
    "share of wrong predictions (1 - accuracy)",
    {"confusion"},
    _zero_one,
    lambda s, o: (1.0 - float(_prior(s).max())) * (1.0 if o["normalize"] else s.total_weight),
    "always predicting the majority class",
    defaults={"normalize": True},
    check=_check_normalize,
)
_cls(
    "hamming_loss",
    False,
    "share of wrong labels (multilabel: wrong cells over all cells; else 1 - accuracy)",
    {"confusion"},
    _hamming,
    lambda s, o: 1.0 - float(_prior(s).max()),
    "always predicting the majority class (multilabel: each label's majority value)",
    multilabel_baseline=_ml_hamming_base,
)
_cls(
    "balanced_accuracy",
    True,
    "mean recall over the classes in y_true",
    {"confusion"},
    _balanced,
    lambda s, o: 0.0 if o["adjusted"] else 1.0 / max(int((s.class_weight > 0).sum()), 1),
    "always predicting one class",
    defaults={"adjusted": False},
    check=_check_adjusted,
)
for _which, _desc in (
    ("precision", "share of predicted positives that are positive"),
    ("recall", "share of positives that are found"),
    ("f1", "harmonic mean of precision and recall"),
    ("fbeta", "weighted harmonic mean of precision and recall (recall beta times as important)"),
):
    _cls(
        _which,
        True,
        _desc,
        {"confusion"},
        (lambda w: lambda s, o: _prf(s, o, w))(_which),
        defaults={"average": "binary", "zero_division": "warn"}
        | ({"beta": 1.0} if _which == "fbeta" else {}),
        check=_check_prf(_PRF_AVERAGES),
    )
_cls(
    "confusion_matrix",
    None,
    "counts by true class (rows) and predicted class (columns)",
    {"confusion"},
    _confusion,
    defaults={"normalize": None},
    check=_check_cm,
    readers={"normalize": read_text},
)
_cls(
    "log_loss",
    False,
    "mean negative log-likelihood of the true class (cross-entropy)",
    {"log_loss"},
    _log_loss,
    _entropy,
    "predicting the class frequencies of y_true (multilabel: each label's prevalence)",
    defaults={"reduction": "mean", "average": "macro"},
    check=_check_reduction,
    multilabel_baseline=_ml_entropy,
)
_cls(
    "brier_score",
    False,
    "mean squared error of the predicted probabilities",
    {"brier"},
    _brier,
    _brier_base,
    "predicting the class frequencies of y_true (multilabel: each label's prevalence)",
    defaults={"average": "macro"},
    check=_check_loss_average,
    multilabel_baseline=_ml_brier_base,
)
_cls(
    "roc_auc",
    True,
    "probability that a positive is ranked above a negative (one-vs-rest)",
    {"ranking"},
    lambda s, o: _ranking(s, o, "roc_auc"),
    lambda s, o: 0.5,
    "random scores",
    defaults={"average": "macro", "multi_class": "ovr", "max_fpr": None},
    check=_check_roc,
    multilabel_baseline=_ml_auc_base,
)
_cls(
    "average_precision",
    True,
    "area under the precision-recall curve (step-wise)",
    {"ranking"},
    lambda s, o: _ranking(s, o, "average_precision"),
    lambda s, o: (
        float(_prior(s)[1])
        if s.mode == "binary" and _prior(s).size > 1
        else float(np.mean(_prior(s)))
    ),
    "random scores (the positive rate)",
    defaults={"average": "macro"},
    check=_check_average(_RANK_AVERAGES),
    multilabel_baseline=_ml_ap_base,
)
_cls(
    "top_k_accuracy",
    True,
    "share of samples whose true class is among the k highest scores",
    {"top_k"},
    _top_k,
    _top_k_base,
    "always predicting the k most frequent classes",
    defaults={"k": 2},
    check=_check_k,
)
_cls(
    "expected_calibration_error",
    False,
    "weighted mean |accuracy - confidence| over equal-width confidence bins (top label)",
    {"ece"},
    _ece,
    defaults={"n_bins": 15},
    check=_check_bins,
)


# ------------------------------------------------------------------ regression
def _mo(
    per: NDArray[np.float64],
    s: RegressionState,
    o: Mapping[str, Any],
    variance: NDArray[np.float64] | None = None,
) -> Value:
    """Per-output values combined as scikit-learn's ``multioutput``: "uniform_average" (the
    default), "raw_values" (the array), "variance_weighted" (r2 only) or weights per output."""
    how = o.get("multioutput", "uniform_average")
    if isinstance(how, str):
        if how == "raw_values":
            return per
        if how == "variance_weighted" and variance is not None and float(variance.sum()) > 0:
            return float(np.average(per, weights=variance))
        return float(per.mean()) if s.multioutput else float(per[0])
    weights = np.asarray(how, dtype=np.float64)
    if weights.shape != per.shape:
        raise InvalidInputError(
            f"multioutput must be 'raw_values', 'uniform_average' or one weight per output "
            f"({per.size}). Got {len(weights)} weights instead."
        )
    return float(np.average(per, weights=weights))


def _check_multioutput(allowed: tuple[str, ...]) -> Callable[[str, Mapping[str, Any]], None]:
    def check(name: str, o: Mapping[str, Any]) -> None:
        how = o["multioutput"]
        if isinstance(how, str):
            v.check_choice(how, f"{name}(multioutput=...)", allowed)
            return
        ok = isinstance(how, tuple | list) and all(
            isinstance(x, int | float | np.integer | np.floating)
            and not isinstance(x, bool)
            and x >= 0
            for x in how
        )
        if not ok or not how:
            raise InvalidInputError(
                f"{name}(multioutput=...) must be one of {', '.join(map(repr, allowed))} or a "
                f"list of non-negative weights, one per output. Got {how!r} instead."
            )
        if "delta" in o:
            _check_delta(name, o)

    return check


def _reg(
    value: Callable[[RegressionState], NDArray[np.float64]],
) -> Callable[[Any, Mapping[str, Any]], Value]:
    return lambda s, o: _mo(value(s), s, o) if s.n and s.weight > 0 else NAN


def _r2(s: RegressionState, o: Mapping[str, Any]) -> Value:
    # No weight at all (every sample weight zero): RSS and the total sum of squares are both
    # means of nothing, so R^2 is nan like every weighted mean (docs/metrics.md); read as a
    # constant target it would score a perfect 1.0.
    if s.n < 2 or s.weight <= 0:
        return NAN
    # Per output, scikit-learn's force_finite: a constant output scores 1.0 when predicted
    # exactly, else 0.0 (its mean may be inexact in floating point, hence the range test).
    constant = (s.y_m2 == 0) | (s.y_min == s.y_max)
    with np.errstate(divide="ignore", invalid="ignore"):
        per = np.where(constant, np.where(s.sse == 0, 1.0, 0.0), 1.0 - s.sse / s.y_m2)
    return _mo(per, s, o, np.where(constant, 0.0, s.y_m2))


def _var(s: RegressionState) -> NDArray[np.float64]:
    return s.y_m2 / s.weight if s.weight > 0 else np.full(s.y_m2.shape, NAN)


def _check_delta(name: str, o: Mapping[str, Any]) -> None:
    v.check_real(o["delta"], f"{name}(delta=...)", low=0.0, high=math.inf, strict=True)


def _check_huber(name: str, o: Mapping[str, Any]) -> None:
    _check_delta(name, o)
    _check_multioutput(_MO)(name, o)


_MO = ("uniform_average", "raw_values")
_MO_DEFAULT = {"multioutput": "uniform_average"}


def _regression(
    name: str,
    description: str,
    compute: Callable[[Any, Mapping[str, Any]], Value],
    baseline: Callable[[Any, Mapping[str, Any]], Any] | None = None,
    *,
    hib: bool = False,
    needs: set[str] | None = None,
    defaults: Mapping[str, Any] | None = None,
    check: Callable[[str, Mapping[str, Any]], None] | None = None,
) -> None:
    def base(s: Any, o: Mapping[str, Any]) -> float | None:
        assert baseline is not None
        value = baseline(s, o)
        return value if isinstance(value, float) else float(np.mean(value))

    _cls(
        name,
        hib,
        description,
        needs or set(),
        compute,
        None if baseline is None else base,
        None if baseline is None else "predicting the mean of y_true",
        defaults={**_MO_DEFAULT, **(defaults or {})},
        check=check or _check_multioutput(_MO),
        family="regression",
    )


_regression("mse", "mean squared error", _reg(lambda s: s.sse / s.weight), lambda s, o: _var(s))
_regression(
    "rmse",
    "root mean squared error",
    _reg(lambda s: np.sqrt(s.sse / s.weight)),
    lambda s, o: np.sqrt(_var(s)),
)
_regression("mae", "mean absolute error", _reg(lambda s: s.sae / s.weight))
_regression(
    "rss",
    "residual sum of squares (weighted sum of squared errors)",
    lambda s, o: _mo(s.sse, s, o) if s.n else NAN,
    lambda s, o: s.y_m2,
)
_regression(
    "huber",
    "mean Huber loss: 0.5 e^2 for |e| <= delta, delta (|e| - delta/2) beyond",
    lambda s, o: (
        _mo(s.huber[float(o["delta"])] / s.weight, s, o)
        if s.n and s.weight > 0 and float(o["delta"]) in s.huber
        else NAN
    ),
    needs={"huber"},
    defaults={"delta": 1.0},
    check=_check_huber,
)
_regression(
    "r2",
    "coefficient of determination: 1 - RSS / total sum of squares",
    _r2,
    lambda s, o: 0.0 if s.weight > 0 else NAN,
    hib=True,
    check=_check_multioutput(("uniform_average", "raw_values", "variance_weighted")),
)
_cls(
    "hinge",
    False,
    "mean hinge loss max(0, 1 - margin) of decision values",
    set(),
    lambda s, o: s.loss / s.weight if s.n and s.weight > 0 else NAN,
    lambda s, o: 1.0,
    "a decision value of 0 for every sample",
    family="hinge",
)
