"""The doctor: what loss and accuracy curves (and predictions) mean, with the numbers as evidence.

:func:`diagnose` judges per-epoch curves held in memory (a dict of lists, a Keras History, a run
record) and, where the record holds them, prediction snapshots; :func:`explain` judges one set
of predictions. Both return :class:`Finding` objects worded in English, Russian, Spanish or
Italian. The doctor opens nothing: :func:`fitscope.diagnose` (``fitscope/diagnosis.py``, the
shell) also takes file paths, run ids and live runs, reads them and hands the values here.

>>> import fitscope
>>> epochs = range(1, 41)
>>> history = {
...     "loss": [0.7 * 0.93**e for e in epochs],
...     "val_loss": [0.3 + 0.4 * 0.9**e + 0.004 * max(0, e - 15) for e in epochs],
... }
>>> [f.code for f in fitscope.diagnose(history)]
['overfitting']
>>> fitscope.diagnose(history, lang="it")[0].title
"Overfitting dall'epoca 22"
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from fitscope import _validation as v
from fitscope._i18n import LANGUAGES, check_lang
from fitscope._names import SIZE_METRIC
from fitscope.doctor.curves import Curve, Reference, curve_drafts
from fitscope.doctor.finding import SEVERITIES, Draft, Finding
from fitscope.doctor.keys import LOSS, Key, direction, parse_key
from fitscope.doctor.predictions import Scored, persistent_drafts, prediction_drafts, score
from fitscope.doctor.regression import is_regression, regression_drafts, residuals
from fitscope.errors import InvalidInputError, InvalidTypeError

__all__ = ["LANGUAGES", "Finding", "diagnose", "explain", "judge"]

_SUFFIX_RANK = {"epoch": 0, "": 1, "step": 2}
_HELD_OUT = ("val", "test")


_TASKS = ("auto", "classification", "regression")


def explain(
    y_true: Any,
    y_pred: Any,
    *,
    lang: str = "en",
    sample_ids: Sequence[Any] | None = None,
    task: str = "auto",
) -> list[Finding]:
    """Findings about one set of predictions: labels ``y_true`` and ``y_pred`` as predicted
    labels, probabilities of class 1 (1-D) or class probabilities (2-D); or, for regression,
    real-valued targets and predictions. ``task="auto"`` takes 1-D predictions as regression
    when ``y_true`` holds a non-integer or ``y_pred`` a value outside [0, 1]; say
    ``task="regression"`` for integer targets. ``sample_ids`` name the samples in the evidence
    (default: their positions).

    >>> import fitscope
    >>> y = [0] * 90 + [1] * 10
    >>> [f.code for f in fitscope.explain(y, [0.1] * 100)]
    ['class_imbalance']
    >>> y = [float(i % 7) for i in range(100)]
    >>> pred = [t + 0.1 for t in y[:97]] + [60.0, -50.0, 80.0]
    >>> [f.code for f in fitscope.explain(y, pred)]
    ['large_residuals']
    """
    lang = check_lang(lang)
    v.check_choice(task, "task", _TASKS)
    if task == "regression" or (task == "auto" and is_regression(y_true, y_pred)):
        return _render(regression_drafts(residuals(y_true, y_pred, sample_ids)), lang)
    return _render(prediction_drafts(score(y_true, y_pred, sample_ids)), lang)


def diagnose(source: Any, *, lang: str = "en", n: Mapping[str, int] | None = None) -> list[Finding]:
    """Findings about a training run's curves, most severe first (an empty list: nothing to
    report).

    ``source`` is a value in memory: a dict of per-epoch lists (Keras' ``History.history``) or
    a DataFrame of them, an object with such a ``history`` dict (a Keras ``History``), or a run
    record (anything with ``series()``, ``history(metric, split)`` and ``predictions()``, such
    as :class:`fitscope.RunRecord`), whose prediction snapshots are judged too. The doctor opens
    nothing: :func:`fitscope.diagnose` also takes file paths, run ids and live runs, reads them
    and hands the values here.

    ``n`` gives the number of samples behind each split's numbers (``{"val": 2000}``; split
    names as in the keys: ``val``, ``validation``, ``test``, ``train``). With it, a rule that
    compares validation numbers raises a finding only beyond sampling noise (the band is in
    the evidence); a run's prediction snapshots give it too. Without it the finding says so.

    >>> import fitscope
    >>> rise = {"loss": [0.7 * 0.93**e for e in range(40)],
    ...         "val_loss": [0.3 + 0.4 * 0.9**e + 0.003 * max(0, e - 15) for e in range(40)]}
    >>> [f.code for f in fitscope.diagnose(rise, n={"val": 5000})]
    ['overfitting']
    >>> fitscope.diagnose(rise, n={"val": 50})  # a rise of 0.07 is within noise on 50 samples
    []
    """
    lang = check_lang(lang)
    curves, snapshots = _values(source)
    logged = record_sizes(source) if is_record(source) else {}
    return judge(curves, snapshots, lang=lang, n=logged | dict(_check_sizes(n)))


def judge(
    curves: list[Curve],
    snapshots: Sequence[Any] = (),
    *,
    lang: str = "en",
    n: Mapping[str, int] | None = None,
) -> list[Finding]:
    """Findings about ``curves`` and prediction ``snapshots`` (objects with ``split``, ``step``,
    ``y_true``, ``y_pred`` and ``ids``), most severe first; ``n`` as for :func:`diagnose`."""
    lang = check_lang(lang)
    sizes = _check_sizes(n)
    losses, accuracies = _pick(curves)
    if not losses:
        raise InvalidInputError(
            "source must hold at least one loss curve (a key such as 'loss', 'val_loss', "
            f"'train/loss'). Got keys {sorted(c.key for c in curves)} instead."
        )
    drafts: list[Draft] = []
    ref = Reference()
    if snapshots:
        pred_drafts, ref = _snapshot_drafts(list(snapshots))
        drafts.extend(pred_drafts)
    ref = replace(ref, n=ref.n | sizes)
    drafts = curve_drafts(losses, accuracies, ref) + drafts
    return _render(drafts, lang)


def _check_sizes(n: Any) -> dict[str, int]:
    if n is None:
        return {}
    if not isinstance(n, Mapping):
        raise InvalidTypeError(
            f"n must be a mapping of split name to sample count. Got {v.describe(n)} instead."
        )
    out = {}
    for split, count in n.items():
        if not isinstance(split, str) or isinstance(count, bool) or not isinstance(count, int):
            raise InvalidTypeError(
                f"n must map split names to integer counts. Got {split!r}: {count!r} instead."
            )
        if count < 1:
            raise InvalidInputError(f"n[{split!r}] must be at least 1. Got {count} instead.")
        out[parse_key(f"{split}_loss").split] = int(count)
    return out


def _render(drafts: list[Draft], lang: str) -> list[Finding]:
    rank = {s: i for i, s in enumerate(reversed(SEVERITIES))}
    ordered = sorted(drafts, key=lambda d: rank[d.severity])
    return [d.render(lang) for d in ordered]


# ----------------------------------------------------------------------------- sources
def _values(source: Any) -> tuple[list[Curve], list[Any]]:
    if is_record(source):
        return from_record(source)
    if isinstance(source, Mapping):
        return from_mapping(source, "source"), []
    if hasattr(source, "columns") and callable(getattr(source, "to_dict", None)):
        return from_mapping(source.to_dict("list"), "source"), []  # a pandas DataFrame
    history = getattr(source, "history", None)
    if isinstance(history, Mapping):
        return from_mapping(history, "source.history"), []
    raise InvalidTypeError(
        "source must be a dict of per-epoch lists, a Keras History or a run record. Got "
        f"{v.describe(source)} instead. fitscope.diagnose also reads file paths, run ids and "
        "live runs."
    )


def is_record(x: Any) -> bool:
    """Whether ``x`` reads like a run record: ``series()``, ``history()``, ``predictions()``."""
    return all(callable(getattr(x, name, None)) for name in ("series", "history", "predictions"))


def record_sizes(record: Any) -> dict[str, int]:
    """Each split's sample count as the run logged it (``run.log(..., n=N)``, the trainers):
    the last finite positive value of the split's ``n`` series."""
    out: dict[str, int] = {}
    for split, metric in record.series():
        if metric != SIZE_METRIC:
            continue
        values = np.asarray(record.history(metric, split).values, dtype=np.float64)
        good = values[np.isfinite(values) & (values >= 1)]
        if good.size:
            out[parse_key(f"{split}_loss").split] = int(good[-1])
    return out


def from_record(record: Any) -> tuple[list[Curve], list[Any]]:
    """The curves and prediction snapshots a run record holds."""
    curves = []
    for split, metric in record.series():
        if metric == SIZE_METRIC:
            continue  # a sample count, not a curve (see record_sizes)
        key = parse_key(f"{split}/{metric}")
        hib = direction(key.metric)
        if hib is None:
            continue
        h = record.history(metric, split)
        curves.append(
            _curve(key, np.asarray(h.steps, dtype=np.int64), np.asarray(h.values, float), hib)
        )
    return curves, list(record.predictions())


def from_mapping(data: Mapping[Any, Any], name: str) -> list[Curve]:
    """The curves of a dict of per-epoch lists (``name`` is how errors call it)."""
    curves = []
    for k, values in data.items():
        if not isinstance(k, str):
            continue
        key = parse_key(k)
        hib = direction(key.metric)
        if hib is None:
            continue
        if isinstance(values, str | bytes) or not isinstance(values, Sequence | np.ndarray):
            raise InvalidTypeError(
                f"{name}[{k!r}] must be a list of per-epoch values. Got "
                f"{v.describe(values)} instead."
            )
        arr = np.array([np.nan if x is None else x for x in values], dtype=np.float64)
        if arr.ndim != 1:
            raise InvalidInputError(
                f"{name}[{k!r}] must be a flat list of numbers. Got shape {arr.shape} instead."
            )
        curves.append(_curve(key, np.arange(1, arr.size + 1, dtype=np.int64), arr, hib))
    return curves


def _curve(key: Key, steps: Any, values: Any, hib: bool) -> Curve:
    return Curve(key.split, key.metric, key.key, steps, values, hib)


def _pick(curves: list[Curve]) -> tuple[dict[str, Curve], dict[str, Curve]]:
    """One loss and one accuracy curve per split; ``loss`` beats ``log_loss``/``mse`` and an
    ``_epoch`` series beats an unsuffixed one, which beats a ``_step`` one."""
    losses: dict[str, tuple[tuple[int, int, int], Curve]] = {}
    accs: dict[str, tuple[tuple[int, int, int], Curve]] = {}
    for c in curves:
        rank_suffix = _SUFFIX_RANK.get(parse_key(c.key).suffix, 1)
        if c.metric == "accuracy":
            target, kind_rank = accs, 0
        elif c.metric == LOSS:
            target, kind_rank = losses, 0
        elif c.metric in ("log_loss", "mse", "rmse", "mae"):
            target, kind_rank = losses, 1 + ("log_loss", "mse", "rmse", "mae").index(c.metric)
        else:
            continue
        if c.values.size == 0:
            continue
        rank = (kind_rank, rank_suffix, len(c.key))
        if c.split not in target or rank < target[c.split][0]:
            target[c.split] = (rank, c)
    return {s: c for s, (_, c) in losses.items()}, {s: c for s, (_, c) in accs.items()}


def _snapshot_drafts(snapshots: list[Any]) -> tuple[list[Draft], Reference]:
    by_split: dict[str, list[tuple[int, Scored]]] = {}
    if snapshots and all(is_regression(s.y_true, s.y_pred) for s in snapshots):
        rank = {"val": 2, "test": 1}
        last = max(
            snapshots, key=lambda s: (rank.get(parse_key(f"{s.split}_loss").split, 0), s.step)
        )
        split = parse_key(f"{last.split}_loss").split
        found = regression_drafts(residuals(last.y_true, last.y_pred, last.ids))
        ev = {"split": split, "epoch": int(last.step)}
        return [Draft(d.code, d.severity, ev | d.evidence, d.params) for d in found], Reference()
    for snap in snapshots:
        split = parse_key(f"{snap.split}_loss").split
        scored = score(snap.y_true, snap.y_pred, snap.ids)
        by_split.setdefault(split, []).append((int(snap.step), scored))
    ref = Reference(
        prior_log_loss={s: items[-1][1].prior_log_loss for s, items in by_split.items()},
        majority_accuracy={s: items[-1][1].majority for s, items in by_split.items()},
        n={s: int(items[-1][1].y.size) for s, items in by_split.items()},
    )
    split = next((s for s in (*_HELD_OUT, "train") if s in by_split), sorted(by_split)[0])
    items = sorted(by_split[split], key=lambda it: it[0])
    step, last = items[-1]
    # Issue 18: every held-out number in the evidence comes with n and its 95% interval.
    from fitscope.stats.closed_form import wilson_interval

    n = int(last.y.size)
    held_out = {"n": n, "accuracy_ci95": list(wilson_interval(round(last.accuracy * n), n))}
    drafts = [
        Draft(
            d.code, d.severity, {"split": split, "epoch": step, **held_out, **d.evidence}, d.params
        )
        for d in prediction_drafts(last)
    ]
    persistent = persistent_drafts(split, [st for st, _ in items], [sc for _, sc in items])
    drafts.extend(persistent)
    return drafts, ref
