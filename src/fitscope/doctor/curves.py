"""Rules over per-epoch curves -> drafts of findings. Pure: arrays in, drafts out.

Every threshold is a named constant below and is documented in docs/doctor.md. All rules look
at smoothed curves (:func:`~fitscope.doctor.signals.smooth`) and compare changes with the
curve's own noise, so a noisy but healthy run raises nothing; histories shorter than
:data:`MIN_EPOCHS` are only checked for divergence.

Why one long file: each rule is a short function, but they share the smoothed curves, the
noise bands and the constants, and several rules defer to one another (divergence before
instability, learning-rate findings before not_converged).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from fitscope._i18n import Pct
from fitscope.doctor import signals as sg
from fitscope.doctor.finding import At, Draft

__all__ = ["Curve", "Reference", "curve_drafts"]

MIN_EPOCHS = 6  # fewer epochs: only divergence is judged
PATIENCE_SHARE = 0.1  # overfitting: the best epoch lies at least max(3, 10% of epochs) back
MIN_PATIENCE = 3
RISE_REL = 0.03  # ... and the smoothed loss rose by more than 3% of its best value
RISE_NOISE = 2.0  # ... and by more than 2 noise scales
TRAIN_FALL_REL = 0.02  # ... while the smoothed training loss fell by more than 2%
ACC_HOLD = 0.005  # disagreement: accuracy fell by at most max(0.5 point, 1 noise scale)
EXPLODE = 5.0  # divergence: loss above 5x its first value and 5x its best so far
RECOVER = 2.0  # ... unless it came back to within 2x its best before (then: instability)
UNSTABLE_JITTER = 0.2  # unstable: typical epoch-to-epoch jump above 20% of the level
UNSTABLE_RISES = 0.3  # ... and rises of more than 10% of the level in >= 30% of the epochs
UNSTABLE_MIN_EPOCHS = 12
NOT_CONVERGED_MIN_EPOCHS = 10
TREND_MIN_WINDOW = 8  # trends are fitted to the last quarter, at least 8 epochs
NOT_CONVERGED_T = 4.0  # not_converged: the slope of the last quarter is below -4 std errors
NOT_CONVERGED_REL = 0.01  # ... and it dropped by more than 1% of the level over that window
NOT_CONVERGED_ACC_T = 2.0  # ... and, where the split's accuracy is logged, it still rises (t > 2)
UNDERFIT_GAIN = 0.10  # underfitting: the loss never got 10% below the no-skill level
UNDERFIT_ACC = 0.05  # ... and accuracy within 5 points of chance (when chance is known)
PLATEAU_T = 2.0  # ... and the last quarter shows no significant fall (t > -2)
BAND_Z = 2.0  # sampling noise: a change must exceed 2 standard errors (a ~95% band)
LR_LOW_RATIO = 0.8  # lr too low: the last quarter falls at >= 80% of the first quarter's pace
LR_LOW_DROP = 0.25  # ... and the whole run took off less than 25% of the first value
LR_LOW_T = 4.0  # ... both quarters falling significantly (t < -4)
PLATEAU_FLAT = 0.02  # plateau: the smoothed training loss moves by < 2% of its level ...
PLATEAU_SHARE = 0.2  # ... for at least max(5, 20% of the epochs) ...
PLATEAU_FALL = 0.2  # ... and falls by more than 20% of that level afterwards
VAL_BETTER_SHARE = 0.6  # val_better_than_train: validation below training in >= 60% of epochs
VAL_BETTER_GAP = 0.05  # ... by a median of more than 5% of the training loss
GAP_START = 0.3  # gap_from_start: at the first epoch the validation loss is 30% above ...
GAP_KEEP = (0.5, 2.0)  # ... the training loss, and at the best validation epoch the gap is
#                        0.5x to 2x that (it stays; growth after that epoch is overfitting)
GAP_HOLD_SHARE = 0.9  # ... and it holds (at least half of it) in >= 90% of the epochs up to there
LR_HIGH_RISE = 0.1  # lr too high: the training loss rose 10% above its best (and 2 noise scales)
LR_HIGH_T = 5.0  # ... and the climb since the best is a significant trend (t > 5), not noise

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
    n: dict[str, int] = field(default_factory=dict)  # samples per split, where known


@dataclass(frozen=True)
class Band:
    """How far sampling noise alone moves a split's number: ``BAND_Z`` standard errors of a
    mean over ``n`` samples (None where ``n`` is unknown)."""

    n: int | None
    width: float | None
    basis: str | None  # "assumed_sd_equals_mean" (losses) or "binomial" (accuracy)

    def evidence(self) -> dict[str, Any]:
        return {"n": self.n, "noise_band": self.width, "band_basis": self.basis}

    def notes(self, split: str) -> tuple[tuple[str, ...], dict[str, Any]]:
        if self.n is None or self.width is None:
            return ("sampling_unknown",), {}
        return ("sampling_band",), {"n": self.n, "band": self.width}


def loss_band(ref: Reference, split: str, level: float) -> Band:
    """The band of a change of a mean loss over ``n`` samples, taking the per-sample sd of
    that change to be the mean loss itself (per-sample losses are skewed, roughly
    exponential). Not the sd of one snapshot's per-sample losses: a rise is measured on the
    same samples at two epochs, and a few mislabelled samples inflate that sd far beyond the
    epoch-to-epoch change (a stated assumption, documented in docs/doctor.md)."""
    n = ref.n.get(split)
    if not n:
        return Band(None, None, None)
    return Band(n, BAND_Z * abs(level) / math.sqrt(n), "assumed_sd_equals_mean")


def accuracy_band(ref: Reference, split: str, level: float) -> Band:
    """The binomial band of an accuracy over ``n`` samples."""
    n = ref.n.get(split)
    if not n:
        return Band(None, None, None)
    a = min(max(level, 0.0), 1.0)
    return Band(n, BAND_Z * math.sqrt(a * (1.0 - a) / n), "binomial")


def _epoch(c: Curve, i: int) -> At:
    """The position of point ``i`` (an epoch or a step: the run's Axis writes it)."""
    return At(int(c.steps[i]))


def _finite_prefix(c: Curve) -> Curve:
    """The curve up to its first NaN/inf; a curve that recovered keeps its finite points."""
    bad = sg.first_nonfinite(c.values)
    if bad is None:
        return c
    if np.isfinite(c.values[-1]):
        keep = np.isfinite(c.values)
        return Curve(c.split, c.metric, c.key, c.steps[keep], c.values[keep], c.higher_is_better)
    return Curve(c.split, c.metric, c.key, c.steps[:bad], c.values[:bad], c.higher_is_better)


def _at_step(c: Curve, smoothed: FloatArray, step: int) -> float:
    # The value at the last logged step <= step (curves of two splits need not share steps).
    i = int(np.searchsorted(c.steps, step, side="right")) - 1
    return float(smoothed[max(i, 0)])


def _bad_points(c: Curve) -> NDArray[np.bool_]:
    """Epochs whose loss is NaN/inf or (training loss only: a validation loss can grow large by
    overfitting alone) exploded to more than EXPLODE times both its first value and its best
    so far."""
    bad = ~np.isfinite(c.values)
    if c.split == "train" and c.values.size >= 2 and np.isfinite(c.values[0]) and c.values[0] > 0:
        with np.errstate(invalid="ignore"):
            best = np.fmin.accumulate(np.where(np.isfinite(c.values), c.values, np.nan))
            over = np.zeros(c.values.size, dtype=bool)
            over[1:] = (c.values[1:] > EXPLODE * c.values[0]) & (c.values[1:] > EXPLODE * best[:-1])
        bad |= over
    return bad


def _recovered(c: Curve, bad: NDArray[np.bool_]) -> bool:
    """The curve came back after its bad epochs: the last value is finite, not bad, and within
    RECOVER times the best value before the first bad epoch (any finite level when the very
    first epoch was bad)."""
    if bad[-1]:
        return False
    first = int(np.argmax(bad))
    before = c.values[:first][np.isfinite(c.values[:first])]
    if before.size == 0:
        return True
    return bool(c.values[-1] <= RECOVER * float(before.min()))


def _divergence(losses: list[Curve]) -> tuple[Draft | None, list[Draft]]:
    """Divergence: a loss that leaves (NaN/inf or an explosion) and does not come back, at the
    earliest such epoch over the splits. A loss that comes back is instability (the ``spike``
    variant of ``unstable``), one draft per curve."""
    found: tuple[int, Draft] | None = None
    spikes: list[Draft] = []
    for c in losses:
        bad = _bad_points(c)
        if not bad.any():
            continue
        idx = np.flatnonzero(bad)
        if _recovered(c, bad):
            i = int(idx[0])
            value = float(c.values[i])
            evidence = {
                "split": c.split,
                "key": c.key,
                "epoch": _epoch(c, i),
                "value": value if np.isfinite(value) else str(value),
                "epochs": [_epoch(c, int(j)) for j in idx],
                "last": float(c.values[-1]),
            }
            params = {
                "split": c.split,
                "epoch": _epoch(c, i),
                "value": value if np.isfinite(value) else str(value),
                "count": int(idx.size),
                "last": float(c.values[-1]),
            }
            spikes.append(Draft("unstable", "warning", evidence, params, "spike"))
            continue
        # The first bad epoch after the last time the curve was fine.
        fine = np.flatnonzero(~bad)
        after = idx[idx > fine[-1]] if fine.size and fine[-1] < idx[-1] else idx
        i = int(after[0]) if after.size else int(idx[0])
        step = _epoch(c, i)
        if np.isfinite(c.values[i]):
            ratio = float(c.values[i] / c.values[0])
            evidence = {
                "split": c.split,
                "key": c.key,
                "epoch": step,
                "value": float(c.values[i]),
                "first_value": float(c.values[0]),
                "ratio": ratio,
            }
            params = {
                "split": c.split,
                "epoch": step,
                "value": float(c.values[i]),
                "first": float(c.values[0]),
                "ratio": ratio,
            }
            draft = Draft("divergence", "problem", evidence, params, "explosion")
        else:
            text = str(c.values[i])
            evidence = {"split": c.split, "key": c.key, "epoch": step, "value": text}
            params = {"split": c.split, "epoch": step, "value": text}
            draft = Draft("divergence", "problem", evidence, params)
        if found is None or step < found[0]:
            found = (step, draft)
    return (None if found is None else found[1]), spikes


@dataclass(frozen=True)
class _Rise:
    best_index: int
    best_step: At
    best_smoothed: float
    last_level: float
    epochs_since: int


def _rise(c: Curve, ref: Reference | None = None) -> _Rise | None:
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
    band = loss_band(ref or Reference(), c.split, best).width or 0.0
    if rise <= max(RISE_REL * abs(best), RISE_NOISE * noise, band):
        return None
    # The onset is the best raw epoch near the smoothed minimum (smoothing blurs a sharp turn).
    half = min(max(3, n // 8), 9) // 2 + 1
    lo, hi = max(0, scan.best_index - half), min(n, scan.best_index + half + 1)
    window = c.values[lo:hi]
    i = lo + int(np.argmax(window) if c.higher_is_better else np.argmin(window))
    return _Rise(i, _epoch(c, i), best, last, n - 1 - i)


def _overfitting(val: Curve, train: Curve | None, rise: _Rise, ref: Reference) -> Draft | None:
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
    band = loss_band(ref, val.split, rise.best_smoothed)
    notes, extra = band.notes(val.split)
    params = {
        "split": val.split,
        "epoch": rise.best_step,
        "best": float(val.values[i]),
        "last": rise.last_level,
        "rise_pct": Pct(rise_pct),
        "train_then": then,
        "train_now": now,
    }
    return Draft("overfitting", "warning", evidence | band.evidence(), params | extra, notes=notes)


def _disagreement(val: Curve, acc: Curve | None, rise: _Rise, ref: Reference) -> Draft | None:
    if acc is None or acc.values.size < MIN_EPOCHS:
        return None
    sa = sg.smooth(acc.values)
    then, now = _at_step(acc, sa, rise.best_step), float(sa[-1])
    band = accuracy_band(ref, acc.split, then)
    # Accuracy "held" when it fell by less than its noise or the binomial band.
    tol = max(ACC_HOLD, sg.noise_scale(acc.values), band.width or 0.0)
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
        "accuracy_band": band.width,
    }
    lband = loss_band(ref, val.split, rise.best_smoothed)
    notes, extra = lband.notes(val.split)
    params = {
        "split": val.split,
        "epoch": rise.best_step,
        "loss_then": rise.best_smoothed,
        "loss_now": rise.last_level,
        "acc_then": Pct(then),
        "acc_now": Pct(now),
    }
    return Draft(
        "loss_accuracy_disagreement",
        "warning",
        evidence | lband.evidence(),
        params | extra,
        notes=notes,
    )


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
    params = {
        "split": c.split,
        "window": tail.size,
        "jitter": Pct(jit),
        "rises": Pct(rises),
        "start": _epoch(c, n // 2),
        "end": _epoch(c, n - 1),
    }
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


def _not_converged(c: Curve, ref: Reference, acc: Curve | None = None) -> Draft | None:
    if c.values.size < NOT_CONVERGED_MIN_EPOCHS:
        return None
    hit = _still_falling(c, NOT_CONVERGED_T)
    if hit is None:
        return None
    tr, drop = hit
    # The loss still falls but the accuracy has settled: the model only grows more confident
    # on samples it already gets right; more epochs would not change its answers.
    if (
        acc is not None
        and acc.values.size >= tr.window
        and acc.higher_is_better
        and sg.trend(acc.values, tr.window).t <= NOT_CONVERGED_ACC_T
    ):
        return None
    last = float(c.values[-1])
    band = loss_band(ref, c.split, last) if c.split != "train" else Band(None, None, None)
    if band.width is not None and drop <= band.width:
        return None
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
        "start": _epoch(c, c.values.size - tr.window),
        "end": _epoch(c, c.values.size - 1),
    }
    if c.split == "train":
        return Draft("not_converged", "info", evidence, params)
    notes, extra = band.notes(c.split)
    return Draft("not_converged", "info", evidence | band.evidence(), params | extra, notes=notes)


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


def _aligned(a: Curve, b: Curve) -> tuple[FloatArray, FloatArray, NDArray[np.int64]]:
    """The values of two curves at the epochs both logged."""
    common, ia, ib = np.intersect1d(a.steps, b.steps, return_indices=True)
    return a.values[ia], b.values[ib], common.astype(np.int64)


def _lr_too_high(train: Curve) -> Draft | None:
    """The training loss itself turned and rose (not the validation loss): the steps overshoot."""
    rise = _rise(train)
    if rise is None:
        return None
    since = train.values[rise.best_index :]
    climbed = rise.last_level - rise.best_smoothed > LR_HIGH_RISE * abs(rise.best_smoothed)
    if not climbed or sg.trend(since, since.size).t <= LR_HIGH_T:
        return None  # a climb, and a significant trend since the best (not a noisy floor)
    first = float(train.values[0])
    evidence = {
        "split": train.split,
        "key": train.key,
        "best_epoch": rise.best_step,
        "best": float(train.values[rise.best_index]),
        "level_last": rise.last_level,
        "rise": rise.last_level - float(train.values[rise.best_index]),
        "first_value": first,
    }
    params = {
        "split": train.split,
        "epoch": rise.best_step,
        "best": float(train.values[rise.best_index]),
        "last": rise.last_level,
    }
    return Draft("learning_rate_too_high", "warning", evidence, params)


def _lr_too_low(train: Curve) -> Draft | None:
    """A steady, nearly straight fall that took off little: the steps are too short."""
    n = train.values.size
    if n < NOT_CONVERGED_MIN_EPOCHS or train.higher_is_better:
        return None
    w = max(TREND_MIN_WINDOW // 2, n // 4)
    if 2 * w > n:
        return None
    head = sg.trend(train.values[:w], w)
    tail = sg.trend(train.values, w)
    first, last = float(train.values[0]), float(np.median(train.values[-3:]))
    if not (head.t < -LR_LOW_T and tail.t < -LR_LOW_T and first > 0):
        return None
    ratio = tail.slope / head.slope
    drop = (first - last) / first
    if ratio < LR_LOW_RATIO or drop >= LR_LOW_DROP:
        return None
    evidence = {
        "split": train.split,
        "key": train.key,
        "slope_first_quarter": head.slope,
        "slope_last_quarter": tail.slope,
        "pace_ratio": ratio,
        "drop_share": drop,
        "first": first,
        "last": last,
        "window": w,
    }
    params = {
        "split": train.split,
        "first": first,
        "last": last,
        "drop_pct": Pct(drop),
        "ratio": Pct(ratio),
    }
    return Draft("learning_rate_too_low", "info", evidence, params)


def _plateau(train: Curve) -> Draft | None:
    """The longest stretch where the smoothed training loss stood still, followed by a clear
    fall: the loss was stuck, then found its way (a slow start, a saddle, a schedule)."""
    n = train.values.size
    if n < 2 * MIN_EPOCHS or train.higher_is_better:
        return None
    sm = sg.smooth(train.values)
    need = max(5, math.ceil(PLATEAU_SHARE * n))
    best: tuple[int, int] | None = None
    for a in range(n - need):
        level = abs(float(sm[a]))
        if level == 0:
            continue
        span = np.maximum.accumulate(sm[a:]) - np.minimum.accumulate(sm[a:])
        flat = (
            int(np.argmax(span > PLATEAU_FLAT * level))
            if (span > PLATEAU_FLAT * level).any()
            else n - a
        )
        b = a + flat - 1  # last epoch of the flat stretch
        if flat >= need and b < n - 1:
            after = float(np.min(sm[b:]))
            if sm[b] - after > PLATEAU_FALL * level and (
                best is None or flat > best[1] - best[0] + 1
            ):
                best = (a, b)
    if best is None:
        return None
    a, b = best
    level = float(np.median(train.values[a : b + 1]))
    after = float(np.min(sm[b:]))
    evidence = {
        "split": train.split,
        "key": train.key,
        "first_epoch": _epoch(train, a),
        "last_epoch": _epoch(train, b),
        "level": level,
        "lowest_after": after,
    }
    params = {
        "split": train.split,
        "start": _epoch(train, a),
        "end": _epoch(train, b),
        "level": level,
        "after": after,
    }
    return Draft("plateau", "info", evidence, params)


def _val_better(val: Curve, train: Curve, ref: Reference) -> Draft | None:
    if val.higher_is_better or train.higher_is_better:
        return None
    tv, vv, steps = _aligned(train, val)
    if tv.size < MIN_EPOCHS or np.any(tv <= 0):
        return None
    below = float(np.mean(vv < tv))
    gap = float(np.median((tv - vv) / tv))
    band = loss_band(ref, val.split, float(np.median(vv)))
    if below < VAL_BETTER_SHARE or gap <= VAL_BETTER_GAP:
        return None
    if band.width is not None and float(np.median(tv - vv)) <= band.width:
        return None
    notes, extra = band.notes(val.split)
    evidence = {
        "split": val.split,
        "epochs_below_share": below,
        "median_gap_share": gap,
        "train_last": float(tv[-1]),
        "val_last": float(vv[-1]),
        "epochs": int(steps.size),
    } | band.evidence()
    params = {
        "split": val.split,
        "share": Pct(below),
        "gap": Pct(gap),
        "train": float(tv[-1]),
        "val": float(vv[-1]),
    }
    return Draft("val_better_than_train", "info", evidence, params | extra, notes=notes)


def _gap_from_start(val: Curve, train: Curve, ref: Reference) -> Draft | None:
    if val.higher_is_better or train.higher_is_better:
        return None
    tv, vv, steps = _aligned(train, val)
    if tv.size < MIN_EPOCHS:
        return None
    t0, v0 = float(tv[0]), float(vv[0])
    if t0 <= 0 or v0 - t0 <= GAP_START * t0:
        return None
    # The gap is judged up to the best epoch of the smoothed validation loss: a gap there from
    # the first epoch is the split drawn differently; what it grows by after that epoch is
    # overfitting, which its own rule reports (then both findings are said).
    # A validation loss that turns within the first MIN_EPOCHS epochs leaves too few epochs to
    # tell a gap of the splits from the overfitting that follows (40 training samples overfit
    # from the first epoch): then only overfitting is said.
    upto = int(np.argmin(sg.smooth(vv))) + 1
    if upto < MIN_EPOCHS:
        return None
    end = slice(max(0, upto - 3), upto)
    t1, v1 = float(np.median(tv[end])), float(np.median(vv[end]))
    if not GAP_KEEP[0] * (v0 - t0) <= v1 - t1 <= GAP_KEEP[1] * (v0 - t0):
        return None  # a gap that closes is catching up; one that grows early is overfitting
    if np.mean(vv[:upto] - tv[:upto] >= GAP_KEEP[0] * (v0 - t0)) < GAP_HOLD_SHARE:
        return None  # ... and it holds throughout, not only at both ends
    band = loss_band(ref, val.split, v0)
    if band.width is not None and v0 - t0 <= band.width:
        return None
    notes, extra = band.notes(val.split)
    evidence = {
        "split": val.split,
        "first_epoch": At(int(steps[0])),
        "train_start": t0,
        "val_start": v0,
        "train_end": t1,
        "val_end": v1,
        "judged_to_epoch": At(int(steps[upto - 1])),
        "gap_start": v0 - t0,
        "gap_end": v1 - t1,
    } | band.evidence()
    params = {
        "split": val.split,
        "train0": t0,
        "val0": v0,
        "train1": t1,
        "val1": v1,
        "gap_pct": Pct((v0 - t0) / t0),
        "best_epoch": At(int(steps[upto - 1])),
    }
    return Draft("gap_from_start", "warning", evidence, params | extra, notes=notes)


def curve_drafts(
    losses: dict[str, Curve], accuracies: dict[str, Curve], ref: Reference | None = None
) -> list[Draft]:
    """Judge the loss curves (split -> Curve) and accuracy curves (split -> Curve)."""
    ref = ref or Reference()
    ordered = [losses[s] for s in sorted(losses, key=_split_order)]
    out: list[Draft] = []
    div, spikes = _divergence(ordered)
    if div is not None:
        out.append(div)
    out.extend(spikes[:1])  # the first split's spike (training before validation)
    finite = {s: _finite_prefix(c) for s, c in losses.items()}
    accs = {s: _finite_prefix(c) for s, c in accuracies.items()}
    train = finite.get("train")
    held_out = [finite[s] for s in sorted(finite, key=_split_order) if s != "train"]
    val = held_out[0] if held_out else None
    rise = _rise(val, ref) if val is not None else None
    if val is not None and rise is not None:
        for d in (
            _overfitting(val, train, rise, ref),
            _disagreement(val, accs.get(val.split), rise, ref),
        ):
            if d is not None:
                out.append(d)
    if val is not None and train is not None:
        gap = _gap_from_start(val, train, ref)
        if gap is not None and any(d.code == "overfitting" for d in out):
            gap = replace(gap, variant="grows")  # the sentence says both: the gap, then the rise
        for d in (_val_better(val, train, ref), gap):
            if d is not None:
                out.append(d)
    if div is None:
        main = train if train is not None else val
        osc = _unstable(main) if main is not None and not spikes else None
        if osc is not None:
            out.append(osc)
        slow = None
        if train is not None and not spikes:
            # An oscillating loss already says "learning rate too high" in its own words.
            high = _lr_too_high(train) if osc is None else None
            slow = _lr_too_low(train)
            for d in (high, slow, _plateau(train)):
                if d is not None:
                    out.append(d)
        watched = val if val is not None else train
        if watched is not None and rise is None and slow is None:
            d = _not_converged(watched, ref, accs.get(watched.split))
            if d is not None:
                out.append(d)
        # An oscillating loss sits anywhere; its level says nothing about the model's capacity.
        d = (
            _underfitting([finite[s] for s in sorted(finite, key=_split_order)], accs, ref)
            if osc is None
            else None
        )
        if d is not None:
            out.append(d)
    return out


def _split_order(split: str) -> tuple[int, str]:
    return ({"train": 0, "val": 1, "test": 2}.get(split, 3), split)
