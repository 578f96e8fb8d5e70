"""Rules over one set of predictions (and over a series of prediction snapshots) -> drafts.

Every number comes from :mod:`fitscope.metrics`: per-sample log loss, accuracy, balanced
accuracy, the no-skill baselines and the reliability curve. Thresholds are named constants,
documented in docs/doctor.md.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from fitscope import _validation as v
from fitscope import metrics as m
from fitscope._i18n import Pct
from fitscope.doctor.finding import At, Draft, Severity
from fitscope.doctor.labels import OUTRIGHT_P, class_thresholds, label_issues
from fitscope.errors import InvalidInputError
from fitscope.metrics import _labels

__all__ = ["Scored", "persistent_drafts", "prediction_drafts", "score"]

CONFIDENT_P = 0.1  # persistent_mistakes: wrong with the true class below 0.1 in each snapshot
ISSUE_LOSS_SHARE = 0.1  # confident_mistakes: the named samples carry >= 10% of the summed loss
ISSUE_LOSS_PROBLEM = 0.5  # ... a warning from 50% (they carry more than all the rest), else info
ISSUE_COUNT_SHARE = 0.5  # ... while being at most half the samples (else: widespread errors)
WIDESPREAD_ERROR = 0.25  # widespread_errors: >= 25% wrong and loss >= the prior log loss
IMBALANCE_MARGIN = 0.02  # class_imbalance: accuracy <= majority baseline + 2 points
IMBALANCE_EXCESS = 0.1  # ... and the majority class exceeds the uniform share by 10 points
ECE_MAX = 0.1  # miscalibration: expected calibration error above 0.1 (10 bins)
ECE_MIN_SAMPLES = 100  # ... on at least 100 samples (with fewer the ECE is mostly noise)
ECE_BINS = 10
ECE_DRAWS = 200  # ... and above the 95th percentile of the ECE a calibrated model gets on as
ECE_QUANTILE = 0.95  # many samples (labels drawn from its own confidences, 200 seeded draws)
SHOWN = 5  # samples named in the sentence; the evidence lists every one


@dataclass(frozen=True)
class Scored:
    """What the rules need from one set of predictions."""

    y: NDArray[np.int64]
    n_classes: int
    accuracy: float
    majority: float
    balanced: float
    prior_log_loss: float
    loss: NDArray[np.float64] | None  # per-sample log loss (None for hard labels)
    p_true: NDArray[np.float64] | None  # probability given to the true class
    predicted: NDArray[np.int64]
    probs: Any  # y_pred as given (probabilities) or None
    ids: list[Any]
    has_ids: bool
    classes: NDArray[Any] | None = None  # label of each index 0..K-1; None: the labels are 0..K-1

    def name(self, i: int) -> Any:
        """Class index ``i`` as the user's label (a string, a negative integer, ...)."""
        return int(i) if self.classes is None else _plain(self.classes[int(i)])


def _encode(yt: NDArray[Any], yp: NDArray[Any]) -> tuple[Any, Any, NDArray[Any] | None]:
    """(y indices, predicted indices or None, classes or None) for labels of any kind.

    Labels that already are 0..K-1 keep the old path (so the class count is max + 1, as
    before); any other labels (strings, negative or sparse integers) are encoded as the
    metrics encode them: predicted labels over the sorted union, 2-D probabilities' columns over
    the sorted labels, 1-D scores with the greater label as the positive class.
    """
    text = yt.dtype.kind == "U" or yp.dtype.kind == "U"
    hard = yp.ndim == 1 and yp.dtype.kind in "biuU"
    if not text and (yt.dtype.kind == "b" or (yt.dtype.kind in "iuf" and _nonneg_int(yt))):
        y = v.as_labels(yt, "y_true")
        return y, (v.as_labels(yp, "y_pred") if hard else None), None
    if hard:
        y, predicted, classes = _labels.encode_predicted(yt, yp, None)
        return y, predicted, classes
    if yp.dtype.kind == "U":
        raise InvalidInputError(
            f"y_pred must be predicted labels (1-D) or probabilities (numbers). Got text of shape "
            f"{yp.shape} instead."
        )
    if yp.ndim == 2:
        y, classes = _labels.encode_columns(yt, yp.shape[1], None, None)
    else:
        y, classes = _labels.encode_binary(yt, None, None, None)
    return y, None, classes


def _nonneg_int(a: NDArray[Any]) -> bool:
    with np.errstate(invalid="ignore"):
        return bool(a.size == 0 or (np.all(np.isfinite(a)) and a.min() >= 0))


def score(y_true: Any, y_pred: Any, sample_ids: Sequence[Any] | None = None) -> Scored:
    """Validate and score one set of predictions (labels or probabilities)."""
    yt = v.as_label_array(y_true, "y_true")
    yp = v.as_label_array(y_pred, "y_pred")
    v.check_ndim(yt, "y_true", (1,))
    v.check_ndim(yp, "y_pred", (1, 2))
    v.check_nonempty(yt, "y_true")
    n = v.check_consistent_length(y_true=yt, y_pred=yp)
    y, encoded, classes = _encode(yt, yp)
    if sample_ids is None:
        ids: list[Any] = list(range(n))
    else:
        ids = list(sample_ids)
        if len(ids) != n:
            raise InvalidInputError(
                f"sample_ids must have the same length as y_true ({n}). Got length {len(ids)} "
                "instead."
            )
    if encoded is not None:
        predicted = encoded
        loss = p_true = None
        probs = None
    else:
        loss = np.asarray(m.log_loss(y, yp, reduction="none"), dtype=np.float64)
        p = np.asarray(yp, dtype=np.float64)
        if p.ndim == 2:
            p_true = p[np.arange(n), y]
            predicted = np.argmax(p, axis=1).astype(np.int64)
        else:
            p_true = np.where(y == 1, p, 1.0 - p)
            predicted = (p >= 0.5).astype(np.int64)
        probs = yp
    n_classes = max(
        int(y.max()) + 1, int(predicted.max()) + 1, 2, yp.shape[1] if yp.ndim == 2 else 2
    )
    majority = m.baseline("accuracy", y)
    prior = m.baseline("log_loss", y)
    return Scored(
        y=y,
        n_classes=n_classes,
        accuracy=float(np.mean(predicted == y)),
        majority=float(majority if majority is not None else np.nan),
        balanced=m.balanced_accuracy(y, predicted),
        prior_log_loss=float(prior if prior is not None else np.nan),
        loss=loss,
        p_true=p_true,
        predicted=predicted,
        probs=probs,
        ids=ids,
        has_ids=sample_ids is not None,
        classes=classes,
    )


def _confident_wrong(s: Scored) -> NDArray[np.bool_]:
    assert s.p_true is not None
    out: NDArray[np.bool_] = (s.predicted != s.y) & (s.p_true < CONFIDENT_P)
    return out


def _worst(s: Scored, mask: NDArray[np.bool_]) -> NDArray[np.int64]:
    assert s.loss is not None
    idx = np.flatnonzero(mask)
    return idx[np.argsort(-s.loss[idx], kind="stable")].astype(np.int64)


def prediction_drafts(s: Scored) -> list[Draft]:
    """Judge one set of predictions."""
    out: list[Draft] = []
    n = s.y.size
    wrong = int(np.sum(s.predicted != s.y))
    if s.loss is not None and s.p_true is not None:
        mean_loss = float(s.loss.mean())
        total = float(s.loss.sum())
        issues = label_issues(s.y, s.probs)
        count = int(issues.sum())
        share = float(s.loss[issues].sum() / total) if total > 0 else 0.0
        if (
            count > 0
            and share >= ISSUE_LOSS_SHARE
            and count <= ISSUE_COUNT_SHARE * n
            and s.accuracy > s.majority
        ):
            out.append(_confident_mistakes(s, issues, share))
        elif wrong >= WIDESPREAD_ERROR * n and mean_loss >= s.prior_log_loss:
            evidence: dict[str, Any] = {
                "accuracy": s.accuracy,
                "error_share": wrong / n,
                "log_loss": mean_loss,
                "prior_log_loss": s.prior_log_loss,
                "wrong": wrong,
                "n": n,
                "confident_loss_share": share,
            }
            params: dict[str, Any] = {
                "accuracy": Pct(s.accuracy),
                "loss": mean_loss,
                "prior": s.prior_log_loss,
                "wrong": wrong,
                "n": n,
            }
            out.append(Draft("widespread_errors", "problem", evidence, params))
    if (
        s.accuracy <= s.majority + IMBALANCE_MARGIN
        and s.majority >= 1.0 / s.n_classes + IMBALANCE_EXCESS
    ):
        shares = np.bincount(s.y, minlength=s.n_classes) / n
        evidence = {
            "accuracy": s.accuracy,
            "majority_baseline": s.majority,
            "balanced_accuracy": s.balanced,
            "prior_log_loss": s.prior_log_loss,
            "class_shares": [float(x) for x in shares],
        }
        if s.classes is not None:
            evidence["classes"] = [_plain(c) for c in s.classes]
        params = {
            "accuracy": Pct(s.accuracy),
            "baseline": Pct(s.majority),
            "balanced": Pct(s.balanced),
            "prior": s.prior_log_loss,
        }
        out.append(Draft("class_imbalance", "warning", evidence, params))
    if s.probs is not None and n >= ECE_MIN_SAMPLES:
        curve = m.reliability_curve(s.y, s.probs, n_bins=ECE_BINS)
        band = ece_band(s.probs) if curve.ece > ECE_MAX else math.inf
        if curve.ece > max(ECE_MAX, band):
            w = curve.weight
            filled = w > 0
            conf = float(np.dot(curve.confidence[filled], w[filled]) / w[filled].sum())
            acc = float(np.dot(curve.accuracy[filled], w[filled]) / w[filled].sum())
            evidence = {
                "ece": curve.ece,
                "mean_confidence": conf,
                "accuracy": acc,
                "bin_edges": [float(x) for x in curve.edges],
                "bin_weight": [float(x) for x in w],
                "bin_confidence": [_plain(x) for x in curve.confidence],
                "bin_accuracy": [_plain(x) for x in curve.accuracy],
                "ece_band": band,
                "ece_band_basis": "simulated_calibrated_labels",
                "n": n,
            }
            params = {
                "ece": curve.ece,
                "confidence": Pct(conf),
                "observed": Pct(acc),
                "direction": "overconfident" if conf > acc else "underconfident",
            }
            out.append(Draft("miscalibration", "warning", evidence, params))
    return out


def ece_band(probs: Any) -> float:
    """The 95th percentile of the ECE a perfectly calibrated model would show on these samples:
    each sample is right with probability equal to its top-label confidence, drawn
    ``ECE_DRAWS`` times (seeded, so the answer is reproducible). On few samples the ECE of a
    calibrated model is far from 0 (most bins hold a handful of samples); an ECE below this
    is sampling noise. Simulated, not a closed form: the ECE's sampling law has none."""
    p = np.asarray(probs, dtype=np.float64)
    conf = np.maximum(p, 1.0 - p) if p.ndim == 1 else p.max(axis=1)
    bins = np.minimum((conf * ECE_BINS).astype(np.int64), ECE_BINS - 1)
    conf_sum = np.bincount(bins, weights=conf, minlength=ECE_BINS)
    rng = np.random.default_rng(0)
    draws = np.empty(ECE_DRAWS)
    for k in range(ECE_DRAWS):
        right = rng.random(conf.size) < conf
        hits = np.bincount(bins, weights=right.astype(np.float64), minlength=ECE_BINS)
        draws[k] = np.abs(hits - conf_sum).sum() / conf.size
    return float(np.quantile(draws, ECE_QUANTILE))


def _confident_mistakes(s: Scored, issues: NDArray[np.bool_], share: float) -> Draft:
    """Every sample named by :func:`~fitscope.doctor.labels.label_issues`, worst first."""
    assert s.loss is not None and s.p_true is not None
    order = _worst(s, issues)
    count = int(order.size)
    rest = s.loss[~issues]
    rest_loss = float(rest.mean()) if rest.size else 0.0
    flagged_loss = float(s.loss[issues].mean())
    evidence = {
        "accuracy": s.accuracy,
        "log_loss": float(s.loss.mean()),
        "count": count,
        "count_share": count / s.y.size,
        "loss_share": share,
        "flagged_mean_loss": flagged_loss,
        "rest_log_loss": rest_loss,
        "class_thresholds": [_plain(float(x)) for x in class_thresholds(s.y, _matrix(s))],
        "outright_cutoff": OUTRIGHT_P,
        "indices": [int(i) for i in order],
        "ids": [_plain(s.ids[i]) for i in order],
        "p_true": [float(s.p_true[i]) for i in order],
        "predicted": [s.name(s.predicted[i]) for i in order],
        "sample_loss": [float(s.loss[i]) for i in order],
    }
    params = {
        "accuracy": Pct(s.accuracy),
        "loss": float(s.loss.mean()),
        "count": count,
        "share": Pct(share),
        "flagged": flagged_loss,
        "rest": rest_loss,
        "worst": [(str(s.ids[i]), float(s.p_true[i])) for i in order[:SHOWN]],
    }
    severity: Severity = "warning" if share >= ISSUE_LOSS_PROBLEM else "info"
    return Draft("confident_mistakes", severity, evidence, params)


def _matrix(s: Scored) -> NDArray[np.float64]:
    p = np.asarray(s.probs, dtype=np.float64)
    return np.column_stack([1.0 - p, p]) if p.ndim == 1 else p


def persistent_drafts(split: str, steps: Sequence[int], scored: Sequence[Scored]) -> list[Draft]:
    """Samples confidently wrong in every one of the last (up to 3) snapshots of one split.

    Samples are matched by id where every snapshot has ids, else by position where the
    snapshots have the same length; otherwise nothing is claimed.
    """
    last = [s for s in scored if s.p_true is not None][-3:]
    steps = list(steps)[-len(last) :]
    if len(last) < 2:
        return []
    keys = [[_plain(i) for i in s.ids] for s in last]
    if len({len(k) for k in keys}) != 1 and not all(s.has_ids for s in last):
        return []
    common: set[Any] | None = None
    for s, k in zip(last, keys, strict=True):
        wrong = {k[i] for i in np.flatnonzero(_confident_wrong(s))}
        common = wrong if common is None else common & wrong
    if not common:
        return []
    final, kf = last[-1], keys[-1]
    assert final.loss is not None and final.p_true is not None
    pos = {key: i for i, key in enumerate(kf)}
    ranked = sorted(common, key=lambda key: -float(final.loss[pos[key]]))  # type: ignore[index]
    evidence = {
        "split": split,
        "epochs": [At(int(x)) for x in steps],
        "count": len(common),
        "ids": ranked,
        "indices": [pos[key] for key in ranked],
        "p_true_last": [float(final.p_true[pos[key]]) for key in ranked],
    }
    params = {
        "split": split,
        "count": len(common),
        "snapshots": len(last),
        "epochs": [At(int(x)) for x in steps],
        "worst": [(str(key), float(final.p_true[pos[key]])) for key in ranked[:SHOWN]],
    }
    return [Draft("persistent_mistakes", "warning", evidence, params)]


def _plain(x: Any) -> Any:
    """numpy scalars -> Python values; NaN -> None (JSON has no NaN)."""
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, float) and x != x:
        return None
    return x
