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

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from fitscope import _validation as v
from fitscope._i18n import LANGUAGES, check_lang
from fitscope._names import (
    EPOCH_FORMAT_TAGS,
    EPOCH_METRIC,
    EPOCH_TAG,
    LOSS,
    SIZE_METRIC,
    direction,
    is_held_out,
    parse_key,
    split_of,
)
from fitscope.doctor.curves import Curve, Reference, curve_drafts
from fitscope.doctor.finding import SEVERITIES, At, Axis, Draft, Finding
from fitscope.doctor.predictions import Scored, persistent_drafts, prediction_drafts, score
from fitscope.doctor.regression import is_regression, regression_drafts, residuals
from fitscope.errors import InvalidInputError, InvalidTypeError

__all__ = ["LANGUAGES", "Axis", "Finding", "diagnose", "explain", "judge", "record_axis"]

_LEVEL_RANK = {"epoch": 0, None: 1, "step": 2}
_HELD_OUT = ("val", "test")
#: Loss curves by preference: the objective itself, then the losses fitscope computes, then
#: any other minimised name ending in "loss" (a VAE's recon_loss, kl_loss).
_LOSS_RANK = {LOSS: 0, "log_loss": 1, "mse": 2, "rmse": 3, "mae": 4}


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
    axis = record_axis(source, curves) if is_record(source) else None
    return judge(curves, snapshots, lang=lang, n=logged | dict(_check_sizes(n)), axis=axis)


def judge(
    curves: list[Curve],
    snapshots: Sequence[Any] = (),
    *,
    lang: str = "en",
    n: Mapping[str, int] | None = None,
    axis: Axis | None = None,
) -> list[Finding]:
    """Findings about ``curves`` and prediction ``snapshots`` (objects with ``split``, ``step``,
    ``y_true``, ``y_pred`` and ``ids``), most severe first; ``n`` as for :func:`diagnose`.
    ``axis`` says what the steps count (:func:`record_axis`; default: epochs, as a History's
    lists do); the findings speak in that unit.

    Parts that cannot be judged are said, not raised: no loss curve (only unknown names, or
    accuracy alone) or predictions that are neither labels nor probabilities each give an
    info finding ``not_judged`` that says why, and the rest is still judged."""
    lang = check_lang(lang)
    sizes = _check_sizes(n)
    drafts: list[Draft] = []
    ref = Reference()
    if snapshots:
        pred_drafts, ref = _snapshot_drafts(list(snapshots))
        drafts.extend(pred_drafts)
    losses, accuracies = _pick(curves)
    if losses:
        ref = replace(ref, n=ref.n | sizes)
        drafts = curve_drafts(losses, accuracies, ref) + drafts
    elif not drafts or curves:
        keys = ", ".join(sorted(c.key for c in curves)) or "-"
        evidence = {"part": "curves", "keys": keys}
        drafts.insert(0, Draft("not_judged", "info", evidence, {"keys": keys}, "curves"))
    if axis is not None:
        drafts = [d if d.code == "not_judged" else replace(d, axis=axis) for d in drafts]
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
        out[split_of(split) or split] = int(count)
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


def record_axis(record: Any, curves: Sequence[Curve]) -> Axis:
    """What the steps of ``record``'s curves count (docs/doctor.md, "Epochs or steps").

    - The run is tagged :data:`~fitscope._names.EPOCH_TAG` (the built-in trainers, the
      framework hooks whose steps are epochs, the Keras and Lightning CSV importers): epochs,
      as stored.
    - Else it logged an ``epoch`` series (Hugging Face's trainer_state.json, a loop's
      ``run.log({"epoch": e, ...})``): that series maps each step to the framework's epoch.
      When every judged point has an epoch of its own (a whole number logged at that very
      step, one step per epoch) the findings speak in those epochs; otherwise in steps, each
      with its epoch beside it ("step 180 (epoch 9)").
    - Else steps (a plain ``run.log`` loop, TensorBoard's global steps).
    """
    tags = set(getattr(record, "tags", None) or ())
    if EPOCH_TAG in tags or tags & set(EPOCH_FORMAT_TAGS):
        return Axis("epoch")
    logged: dict[int, float] = {}
    for c in curves:
        if c.metric == EPOCH_METRIC:
            for step, value in zip(c.steps.tolist(), c.values.tolist(), strict=True):
                if np.isfinite(value):
                    logged[int(step)] = float(value)
    if not logged:
        return Axis("step")
    steps = sorted(logged)
    losses, accuracies = _pick(list(curves))
    judged = sorted({int(s) for c in (*losses.values(), *accuracies.values()) for s in c.steps})
    epochs = [logged[s] for s in judged if s in logged]
    own = (
        0 < len(epochs) == len(judged)
        and all(e.is_integer() for e in epochs)
        and all(a < b for a, b in itertools.pairwise(epochs))
    )
    return Axis("epoch" if own else "step", tuple(steps), tuple(logged[s] for s in steps))


def from_record(record: Any) -> tuple[list[Curve], list[Any]]:
    """The record's series as stored, (split, metric) already read at the edge; the key as
    written (where the record keeps one) is what findings show."""
    shown = record.keys() if callable(getattr(record, "keys", None)) else {}
    curves = []
    for split, metric in record.series():
        if metric == SIZE_METRIC:
            continue  # a sample count, not a curve (see record_sizes)
        h = record.history(metric, split)
        key = shown.get((split, metric), metric if split == "train" else f"{split}/{metric}")
        steps, values = np.asarray(h.steps, dtype=np.int64), np.asarray(h.values, float)
        curves.append(Curve(split, metric, key, steps, values, bool(direction(metric))))
    return curves, list(record.predictions())


def from_mapping(data: Mapping[Any, Any], name: str) -> list[Curve]:
    """Per-epoch lists by key, each key read by the one parser; where two keys name the same
    series (``train_loss_epoch`` and ``train_loss``) the epoch-level one is kept."""
    chosen: dict[tuple[str, str], tuple[int, Curve]] = {}
    for k, values in data.items():
        if not isinstance(k, str):
            continue
        key = parse_key(k)
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
        steps = np.arange(1, arr.size + 1, dtype=np.int64)
        curve = Curve(key.split, key.metric, key.key, steps, arr, bool(direction(key.metric)))
        rank = _LEVEL_RANK.get(key.level, 1)
        pair = (key.split, key.metric)
        if pair not in chosen or rank < chosen[pair][0]:
            chosen[pair] = (rank, curve)
    return [c for _, c in chosen.values()]


def _pick(curves: list[Curve]) -> tuple[dict[str, Curve], dict[str, Curve]]:
    """One loss and one accuracy curve per judged split: "train", and the held-out splits
    (:func:`fitscope._names.is_held_out`: "val", "test", and any split the vocabulary does
    not know when the run has a "train" split). ``loss`` beats ``log_loss``/``mse``, which
    beat other minimised names ending in "loss"; step-level splits are never judged."""
    splits = {c.split for c in curves}
    losses: dict[str, tuple[tuple[int, str], Curve]] = {}
    accs: dict[str, tuple[tuple[int, str], Curve]] = {}
    for c in curves:
        if c.values.size == 0 or not (c.split == "train" or is_held_out(c.split, splits)):
            continue
        if c.metric == "accuracy":
            target, kind_rank = accs, 0
        elif c.metric in _LOSS_RANK:
            target, kind_rank = losses, _LOSS_RANK[c.metric]
        elif c.metric.endswith("loss") and direction(c.metric) is False:
            target, kind_rank = losses, len(_LOSS_RANK)
        else:
            continue
        rank = (kind_rank, c.metric)
        if c.split not in target or rank < target[c.split][0]:
            target[c.split] = (rank, c)
    return {s: c for s, (_, c) in losses.items()}, {s: c for s, (_, c) in accs.items()}


def _snapshot_drafts(snapshots: list[Any]) -> tuple[list[Draft], Reference]:
    by_split: dict[str, list[tuple[int, Scored]]] = {}
    skipped: list[Draft] = []
    if snapshots and all(is_regression(s.y_true, s.y_pred) for s in snapshots):
        rank = {"val": 2, "test": 1}
        last = max(snapshots, key=lambda s: (rank.get(s.split, 0), s.step))
        found = regression_drafts(residuals(last.y_true, last.y_pred, last.ids))
        ev = {"split": last.split, "epoch": At(int(last.step))}
        return [Draft(d.code, d.severity, ev | d.evidence, d.params) for d in found], Reference()
    for snap in snapshots:
        try:
            scored = score(snap.y_true, snap.y_pred, snap.ids)
        except InvalidInputError as error:
            evidence = {"part": "predictions", "split": snap.split, "reason": str(error)}
            skipped.append(
                Draft(
                    "not_judged",
                    "info",
                    evidence,
                    {"split": snap.split, "reason": str(error)},
                    "predictions",
                )
            )
            continue
        by_split.setdefault(snap.split, []).append((int(snap.step), scored))
    if not by_split:
        return skipped, Reference()
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
            d.code,
            d.severity,
            {"split": split, "epoch": At(step), **held_out, **d.evidence},
            d.params,
        )
        for d in prediction_drafts(last)
    ]
    persistent = persistent_drafts(split, [st for st, _ in items], [sc for _, sc in items])
    drafts.extend(persistent)
    return drafts + skipped, ref
