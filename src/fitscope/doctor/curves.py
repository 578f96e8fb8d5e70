"""Rules over per-epoch curves -> drafts of findings. Pure: arrays in, drafts out.

Every threshold is a named constant below and is documented in docs/doctor.md. All rules look
at smoothed curves (:func:`~fitscope.doctor.signals.smooth`) and compare changes with the
curve's own noise, so a noisy but healthy run raises nothing; histories shorter than
:data:`MIN_EPOCHS` are only checked for divergence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from fitscope._i18n import Pct
from fitscope.doctor import signals as sg
from fitscope.doctor.finding import Draft

__all__ = ["Curve", "Reference", "curve_drafts"]

MIN_EPOCHS = 6  # fewer epochs: only divergence is judged
PATIENCE_SHARE = 0.1  # overfitting: the best epoch lies at least max(3, 10% of epochs) back
MIN_PATIENCE = 3
RISE_REL = 0.03  # ... and the smoothed loss rose by more than 3% of its best value
RISE_NOISE = 2.0  # ... and by more than 2 noise scales
TRAIN_FALL_REL = 0.02  # ... while the smoothed training loss fell by more than 2%
ACC_HOLD = 0.005  # disagreement: accuracy fell by at most max(0.5 point, 1 noise scale)
EXPLODE = 5.0  # divergence: loss above 5x its first value and 5x its best so far
UNSTABLE_JITTER = 0.2  # unstable: typical epoch-to-epoch jump above 20% of the level
UNSTABLE_RISES = 0.3  # ... and rises of more than 10% of the level in >= 30% of the epochs
UNSTABLE_MIN_EPOCHS = 12
NOT_CONVERGED_MIN_EPOCHS = 10
TREND_MIN_WINDOW = 8  # trends are fitted to the last quarter, at least 8 epochs
NOT_CONVERGED_T = 4.0  # not_converged: the slope of the last quarter is below -4 std errors
NOT_CONVERGED_REL = 0.01  # ... and it dropped by more than 1% of the level over that window
UNDERFIT_GAIN = 0.10  # underfitting: the loss never got 10% below the no-skill level
UNDERFIT_ACC = 0.05  # ... and accuracy within 5 points of chance (when chance is known)
PLATEAU_T = 2.0  # ... and the last quarter shows no significant fall (t > -2)

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Curve:
    """One series: ``steps`` (epochs as logged) and their ``values``."""

    split: str
    metric: str
    key: str
    steps: NDArray[np.int64]
    values: FloatArray
    higher_is_better: bool


@dataclass(frozen=True)
class Reference:
    """No-skill levels known from the labels (from prediction snapshots), per split."""

    prior_log_loss: dict[str, float] = field(default_factory=dict)
    majority_accuracy: dict[str, float] = field(default_factory=dict)


def _epoch(c: Curve, i: int) -> int:
    return int(c.steps[i])


def _finite_prefix(c: Curve) -> Curve:
    bad = sg.first_nonfinite(c.values)
    if bad is None:
        return c
    return Curve(c.split, c.metric, c.key, c.steps[:bad], c.values[:bad], c.higher_is_better)


def _at_step(c: Curve, smoothed: FloatArray, step: int) -> float:
    # The value at the last logged step <= step (curves of two splits need not share steps).
    i = int(np.searchsorted(c.steps, step, side="right")) - 1
    return float(smoothed[max(i, 0)])


def _divergence(losses: list[Curve]) -> Draft | None:
    found: tuple[int, Draft] | None = None
    for c in losses:
        bad = sg.first_nonfinite(c.values)
        draft = None
        if bad is not None:
            draft = Draft(
                "divergence",
                "problem",
                {
                    "split": c.split,
                    "key": c.key,
                    "epoch": _epoch(c, bad),
                    "value": str(c.values[bad]),
                },
                {"split": c.split, "epoch": _epoch(c, bad), "value": str(c.values[bad])},
            )
        elif c.split == "train" and c.values.size >= 2 and c.values[0] > 0:
            # Only the training loss: a validation loss can grow large by overfitting alone.
            best = np.minimum.accumulate(c.values)
            over = np.zeros(c.values.size, dtype=bool)
            over[1:] = (c.values[1:] > EXPLODE * c.values[0]) & (c.values[1:] > EXPLODE * best[:-1])
            if over.any():
                bad = int(np.argmax(over))
                ratio = float(c.values[bad] / c.values[0])
                evidence = {
                    "split": c.split,
                    "key": c.key,
                    "epoch": _epoch(c, bad),
                    "value": float(c.values[bad]),
                    "first_value": float(c.values[0]),
                    "ratio": ratio,
                }
                params = {
                    "split": c.split,
                    "epoch": _epoch(c, bad),
                    "value": float(c.values[bad]),
                    "first": float(c.values[0]),
                    "ratio": ratio,
                }
                draft = Draft("divergence", "problem", evidence, params, "explosion")
        if draft is not None and bad is not None:
            step = _epoch(c, bad)
            if found is None or step < found[0]:
                found = (step, draft)
    return None if found is None else found[1]


@dataclass(frozen=True)
class _Rise:
    best_index: int
    best_step: int
    best_smoothed: float
    last_level: float
    epochs_since: int


def _rise(c: Curve) -> _Rise | None:
    """The smoothed loss has turned: its best lies ``patience`` epochs back and it has risen by
    more than both RISE_REL of the best and RISE_NOISE noise scales since."""
    n = c.values.size
    if n < MIN_EPOCHS:
        return None
    s = sg.smooth(c.values)
    noise = sg.noise_scale(c.values)
    patience = max(MIN_PATIENCE, math.ceil(PATIENCE_SHARE * n))
    scan = sg.patience_scan(s, patience=patience, higher_is_better=c.higher_is_better)
    if scan.best_index < 0 or scan.wait < patience:
        return None
    # The level at the end: the median of the last ``patience`` raw values (the smoothed
    # curve's last point averages almost nothing, so it is as noisy as the raw one).
    best, last = float(s[scan.best_index]), float(np.median(c.values[-patience:]))
    rise = (best - last) if c.higher_is_better else (last - best)
    if rise <= max(RISE_REL * abs(best), RISE_NOISE * noise):
        return None
    # The onset is the best raw epoch near the smoothed minimum (smoothing blurs a sharp turn).
    half = min(max(3, n // 8), 9) // 2 + 1
    lo, hi = max(0, scan.best_index - half), min(n, scan.best_index + half + 1)
    window = c.values[lo:hi]
    i = lo + int(np.argmax(window) if c.higher_is_better else np.argmin(window))
    return _Rise(i, _epoch(c, i), best, last, n - 1 - i)


def _overfitting(val: Curve, train: Curve | None, rise: _Rise) -> Draft | None:
    if train is None or train.values.size < MIN_EPOCHS:
        return None
    st = sg.smooth(train.values)
    noise_t = sg.noise_scale(train.values)
    then, now = _at_step(train, st, rise.best_step), float(st[-1])
    if not now < then - max(TRAIN_FALL_REL * abs(then), RISE_NOISE * noise_t):
        return None
    i = rise.best_index
    best_raw = float(val.values[i])
    rise_pct = (rise.last_level - best_raw) / abs(best_raw) if best_raw else math.inf
    evidence = {
        "split": val.split,
        "onset_epoch": rise.best_step,
        "best_val_loss": float(val.values[i]),
        "last_val_loss": float(val.values[-1]),
        "smoothed_best": rise.best_smoothed,
        "level_last": rise.last_level,
        "rise": rise.last_level - best_raw,
        "rise_share": rise_pct,
        "epochs_since": rise.epochs_since,
        "train_loss_at_onset": then,
        "train_loss_last": now,
    }
    params = {
        "split": val.split,
        "epoch": rise.best_step,
        "best": float(val.values[i]),
        "last": rise.last_level,
        "rise_pct": Pct(rise_pct),
        "train_then": then,
        "train_now": now,
    }
    return Draft("overfitting", "warning", evidence, params)


def _disagreement(val: Curve, acc: Curve | None, rise: _Rise) -> Draft | None:
    if acc is None or acc.values.size < MIN_EPOCHS:
        return None
    sa = sg.smooth(acc.values)
    tol = max(ACC_HOLD, sg.noise_scale(acc.values))
    then, now = _at_step(acc, sa, rise.best_step), float(sa[-1])
    held = now >= then - tol if acc.higher_is_better else now <= then + tol
    if not held:
        return None
    evidence = {
        "split": val.split,
        "onset_epoch": rise.best_step,
        "loss_key": val.key,
        "accuracy_key": acc.key,
        "loss_trend": [rise.best_smoothed, rise.last_level],
        "accuracy_trend": [then, now],
    }
    params = {
        "split": val.split,
        "epoch": rise.best_step,
        "loss_then": rise.best_smoothed,
        "loss_now": rise.last_level,
        "acc_then": Pct(then),
        "acc_now": Pct(now),
    }
    return Draft("loss_accuracy_disagreement", "warning", evidence, params)


def _unstable(c: Curve) -> Draft | None:
    n = c.values.size
    if n < UNSTABLE_MIN_EPOCHS:
        return None
    tail = c.values[n // 2 :]
    jit = sg.jitter(tail)
    level = float(np.median(np.abs(tail)))
    rises = float(np.mean(np.diff(tail) > 0.1 * level)) if level > 0 else 0.0
    if jit <= UNSTABLE_JITTER or rises < UNSTABLE_RISES:
        return None
    evidence = {
        "split": c.split,
        "key": c.key,
        "first_epoch": _epoch(c, n // 2),
        "last_epoch": _epoch(c, n - 1),
        "jitter": jit,
        "rise_share": rises,
    }
    params = {"split": c.split, "window": tail.size, "jitter": Pct(jit), "rises": Pct(rises)}
    return Draft("unstable", "warning", evidence, params)


def _still_falling(c: Curve, t_max: float) -> tuple[sg.Trend, float] | None:
    n = c.values.size
    w = min(n, max(TREND_MIN_WINDOW, n // 4))
    tr = sg.trend(c.values, w)
    drop = -tr.slope * (w - 1)
    level = abs(float(np.median(c.values[-w:])))
    if c.higher_is_better:
        drop = -drop
    if tr.t * (-1 if c.higher_is_better else 1) < -t_max and drop > NOT_CONVERGED_REL * level:
        return tr, drop
    return None


def _not_converged(c: Curve) -> Draft | None:
    if c.values.size < NOT_CONVERGED_MIN_EPOCHS:
        return None
    hit = _still_falling(c, NOT_CONVERGED_T)
    if hit is None:
        return None
    tr, drop = hit
    last = float(c.values[-1])
    share = drop / (last + drop) if last + drop > 0 else 0.0
    evidence = {
        "split": c.split,
        "key": c.key,
        "window": tr.window,
        "slope_per_epoch": tr.slope,
        "t": tr.t,
        "drop": drop,
        "last": last,
    }
    params = {
        "split": c.split,
        "drop": drop,
        "drop_pct": Pct(share),
        "window": tr.window,
        "last": last,
    }
    return Draft("not_converged", "info", evidence, params)


def _underfitting(losses: list[Curve], accs: dict[str, Curve], ref: Reference) -> Draft | None:
    judged: list[tuple[Curve, float, str, float]] = []
    for c in losses:
        if c.values.size < MIN_EPOCHS or _still_falling(c, PLATEAU_T) is not None:
            return None
        s = sg.smooth(c.values)
        if c.split in ref.prior_log_loss and c.metric in ("loss", "log_loss"):
            reference, kind = ref.prior_log_loss[c.split], "prior_log_loss"
        else:
            reference, kind = float(s[0]), "first_epoch"
        if reference <= 0:
            return None
        gain = (reference - float(np.min(s))) / reference  # its best, not only its last
        if gain >= UNDERFIT_GAIN:
            return None
        acc = accs.get(c.split)
        if acc is not None and acc.values.size:
            sa = sg.smooth(acc.values)
            chance = ref.majority_accuracy.get(c.split, float(sa[0]))
            if float(sa[-1]) > chance + UNDERFIT_ACC:
                return None
        judged.append((c, reference, kind, gain))
    if not judged:
        return None
    # Report against the labels' prior where known, else the held-out split.
    c, reference, kind, gain = min(
        judged, key=lambda j: (j[2] != "prior_log_loss", j[0].split == "train")
    )
    last = float(c.values[-1])
    evidence: dict[str, Any] = {
        "splits": [j[0].split for j in judged],
        "split": c.split,
        "last": last,
        "reference": reference,
        "reference_kind": kind,
        "gain_share": gain,
    }
    params: dict[str, Any] = {
        "split": c.split,
        "last": last,
        "gain_pct": Pct(max(gain, 0.0)),
        "reference": reference,
        "reference_kind": kind,
    }
    acc = accs.get(c.split)
    if acc is not None and acc.values.size and c.split in ref.majority_accuracy:
        chance = ref.majority_accuracy[c.split]
        evidence |= {"accuracy": float(acc.values[-1]), "chance": chance}
        params |= {"accuracy": Pct(float(acc.values[-1])), "chance": Pct(chance)}
        return Draft("underfitting", "warning", evidence, params, "accuracy")
    return Draft("underfitting", "warning", evidence, params)


def curve_drafts(
    losses: dict[str, Curve], accuracies: dict[str, Curve], ref: Reference | None = None
) -> list[Draft]:
    """Judge the loss curves (split -> Curve) and accuracy curves (split -> Curve)."""
    ref = ref or Reference()
    ordered = [losses[s] for s in sorted(losses, key=_split_order)]
    out: list[Draft] = []
    div = _divergence(ordered)
    if div is not None:
        out.append(div)
    finite = {s: _finite_prefix(c) for s, c in losses.items()}
    accs = {s: _finite_prefix(c) for s, c in accuracies.items()}
    train = finite.get("train")
    held_out = [finite[s] for s in sorted(finite, key=_split_order) if s != "train"]
    val = held_out[0] if held_out else None
    rise = _rise(val) if val is not None else None
    if val is not None and rise is not None:
        for d in (_overfitting(val, train, rise), _disagreement(val, accs.get(val.split), rise)):
            if d is not None:
                out.append(d)
    if div is None:
        main = train if train is not None else val
        if main is not None:
            d = _unstable(main)
            if d is not None:
                out.append(d)
        watched = val if val is not None else train
        if watched is not None and rise is None:
            d = _not_converged(watched)
            if d is not None:
                out.append(d)
        d = _underfitting([finite[s] for s in sorted(finite, key=_split_order)], accs, ref)
        if d is not None:
            out.append(d)
    return out


def _split_order(split: str) -> tuple[int, str]:
    return ({"train": 0, "val": 1, "test": 2}.get(split, 3), split)
