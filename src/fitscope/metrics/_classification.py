"""Mergeable sufficient statistics for classification metrics.

One state serves every classification metric an evaluation asks for, so the work is shared:
one set of confusion counts for accuracy/precision/recall/f1/balanced accuracy, one partition of
the scores into positives and negatives for log loss, Brier score and the ranking metrics.

Inputs (see docs/metrics.md, "How y_pred is read"):
- 2-D ``y_pred`` (n, K): class probabilities (logits with ``from_logits``);
- 1-D floating ``y_pred``: the probability (logit) of class 1;
- 1-D integer or bool ``y_pred``: predicted class labels. Metrics that need scores accept labels
  only when they are 0/1, read as probabilities 0 and 1 (as scikit-learn does).

Merge law: every field is a sum (counts, weighted sums, bin totals) or a multiset of scores, so
``a.merge(b)`` equals the state of the concatenated data, whatever the batching and order.

Why one long file: every classification metric reads the same state (confusion counts and the
partitioned scores), and its update, merge and label encoding must change together.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from fitscope import _validation as v
from fitscope._textlabels import plain
from fitscope.errors import InvalidInputError
from fitscope.metrics import _kernels as k
from fitscope.metrics import _labels as _lab
from fitscope.metrics import _multilabel as _ml
from fitscope.metrics._multilabel import Multilabel
from fitscope.metrics._ranking import RankSummary, SortedScores

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class ClassificationConfig:
    """What the requested metrics need; two states merge only under the same config."""

    threshold: float = 0.5
    from_logits: bool = False
    confusion: bool = False
    log_loss: bool = False
    brier: bool = False
    ranking: str | None = None  # None | "exact" | "binned"
    ranking_bins: int = 4096
    ece_bins: tuple[int, ...] = ()
    top_k: tuple[int, ...] = ()
    labels: tuple[Any, ...] | None = None  # labels=: the classes and their order, fixed
    pos_label: Any = None  # the positive class (None: 1, or the greater of two labels)
    ovo: bool = False  # keep 2-D scores grouped by true class (one-vs-one ROC-AUC)
    # Ranking metrics asked for with average="samples" (multilabel: one score per row).
    samples_ranking: tuple[str, ...] = ()

    @property
    def needs_scores(self) -> bool:
        return bool(self.log_loss or self.brier or self.ranking or self.ece_bins or self.top_k)


def grow(a: NDArray[Any], size: int) -> NDArray[Any]:
    """Zero-pad a per-class vector (or square matrix) to ``size`` classes. (np.pad costs ~20 us
    a call, a third of a small evaluate(); this is a plain allocate-and-copy.)"""
    if a.shape[0] >= size:
        return a
    out = np.zeros((size,) * a.ndim, dtype=a.dtype)
    out[tuple(slice(0, m) for m in a.shape)] = a
    return out


@dataclass
class _RankStore:
    """Scores of the positives and negatives of one class: exact (chunks, sorted on demand) or
    binned (weight per bin)."""

    pos: list[tuple[FloatArray, FloatArray | None]] = field(default_factory=list)
    neg: list[tuple[FloatArray, FloatArray | None]] = field(default_factory=list)
    hpos: FloatArray | None = None
    hneg: FloatArray | None = None

    def add(
        self,
        pos: FloatArray,
        wpos: FloatArray | None,
        neg: FloatArray,
        wneg: FloatArray | None,
        binned: int | None,
    ) -> None:
        self._sorted = self._summary = None
        if binned is None:
            self.pos.append((pos, wpos))
            self.neg.append((neg, wneg))
            return
        self.hpos = _histogram(pos, wpos, binned, self.hpos)
        self.hneg = _histogram(neg, wneg, binned, self.hneg)

    def merge(self, other: _RankStore) -> _RankStore:
        hpos = (
            other.hpos
            if self.hpos is None
            else (self.hpos if other.hpos is None else self.hpos + other.hpos)
        )
        hneg = (
            other.hneg
            if self.hneg is None
            else (self.hneg if other.hneg is None else self.hneg + other.hneg)
        )
        return _RankStore(self.pos + other.pos, self.neg + other.neg, hpos, hneg)

    _sorted: tuple[SortedScores, SortedScores] | None = field(default=None, repr=False)
    _summary: RankSummary | None = field(default=None, repr=False)

    @staticmethod
    def _sort(parts: list[tuple[FloatArray, FloatArray | None]]) -> SortedScores:
        if not parts:
            return SortedScores(np.empty(0), None)
        if all(w is None for _, w in parts):
            # Chunks are the state's own copies (boolean-indexed), and unweighted scores are a
            # multiset, so sorting in place is safe even when a merged state shares the chunk.
            scores = parts[0][0] if len(parts) == 1 else np.concatenate([p for p, _ in parts])
            return SortedScores.build(scores, None, owned=True)
        scores = np.concatenate([p for p, _ in parts])
        weights = np.concatenate([np.ones(p.size) if w is None else w for p, w in parts])
        return SortedScores.build(scores, weights)

    def sorted_pair(self) -> tuple[SortedScores, SortedScores]:
        if self._sorted is None:
            pos, neg = self._sort(self.pos), self._sort(self.neg)
            # Keep the sorted form: a later compute() (or merge) does not sort again.
            self.pos = [(pos.scores, pos.weights)]
            self.neg = [(neg.scores, neg.weights)]
            self._sorted = (pos, neg)
        return self._sorted

    def summary(self) -> RankSummary:
        if self._summary is None:
            self._summary = RankSummary.build(*self.sorted_pair())
        return self._summary


def _layout(s: ClassificationState) -> str:
    if s.mode == "binary":
        return "1-D scores of class 1"
    return f"2-D scores of {len(s.rank)} classes"


def _histogram(
    scores: FloatArray, w: FloatArray | None, bins: int, into: FloatArray | None
) -> FloatArray:
    idx = np.minimum((scores * bins).astype(np.int64), bins - 1)
    h = np.bincount(idx, weights=w, minlength=bins).astype(np.float64)
    return h if into is None else into + h


def _private(cols: FloatArray, source: NDArray[Any]) -> FloatArray:
    """``cols``, or a copy of it where it may share memory with ``source`` (the batch as given).

    The ranking update partitions its column-major scores in place and keeps views of them, so
    they must be the state's own memory. ``np.ascontiguousarray(x.T)`` copies for a C-ordered
    ``x``, but returns ``x``'s own memory for a Fortran-ordered one (``np.asfortranarray``, a
    column-permuted view, a pandas DataFrame's values) and for a single row: writing there
    changed the caller's array (or raised on a read-only one), and a state kept views of a
    buffer a training loop then overwrote. The test is on memory bounds (O(1)), so the usual
    C-ordered batch, already copied, pays nothing."""
    return cols.copy() if np.may_share_memory(cols, source) else cols


def _frozen(a: NDArray[Any]) -> NDArray[Any]:
    a.flags.writeable = False
    return a


# Shared empty defaults: a state is made per batch, and states never write into these arrays
# (every update replaces them), so four np.zeros per batch are saved.
_NO_WEIGHT: FloatArray = _frozen(np.zeros(0))
_NO_CONFUSION: FloatArray = _frozen(np.zeros((0, 0)))
_NO_COUNT: IntArray = _frozen(np.zeros(0, dtype=np.int64))


@dataclass
class ClassificationState:
    config: ClassificationConfig
    n: int = 0
    n_classes: int = 0
    class_weight: FloatArray = field(default_factory=lambda: _NO_WEIGHT)  # by true class
    confusion: FloatArray = field(default_factory=lambda: _NO_CONFUSION)  # rows true, cols pred
    seen_true: IntArray = field(default_factory=lambda: _NO_COUNT)
    seen_pred: IntArray = field(default_factory=lambda: _NO_COUNT)
    weighted: bool = False  # any sample_weight seen (confusion counts are then floats)
    mode: str | None = None  # score layout: "binary" (1-D) | "multiclass" (2-D)
    log_loss_sum: float = 0.0
    brier_sum: float = 0.0
    top_k_hits: dict[int, float] = field(default_factory=dict)
    ece: dict[int, FloatArray] = field(
        default_factory=dict
    )  # n_bins -> (3, n_bins): w, conf, correct
    rank: list[_RankStore] = field(default_factory=list)  # binary: [class 1]; multiclass: per class
    # Label values in index order (None: the labels are the indices 0..K-1 themselves), and
    # whether that set is fixed (labels=, the columns of 2-D scores, the pair of 1-D scores).
    classes: NDArray[Any] | None = None
    fixed: bool = False
    # One-vs-one: per true class, chunks of (K, n_j) scores (column-major) and their weights.
    by_class: list[list[tuple[FloatArray, FloatArray | None]]] = field(default_factory=list)
    ml: Multilabel | None = None  # multilabel targets (mode "multilabel")

    # ---------------------------------------------------------------- update
    def update(
        self,
        y_true: Any,
        y_pred: Any,
        sample_weight: Any = None,
        prior: ClassificationState | None = None,
    ) -> None:
        """Add one batch; ``prior`` (the state so far) fixes how labels map to score columns."""
        cfg = self.config
        # Text labels come read once (CodedText: names and indices), which the label encoding
        # works on; numbers and booleans as arrays.
        y_arr = v.read_labels(y_true, "y_true")
        p_arr = v.read_labels(y_pred, "y_pred")
        v.check_ndim(y_arr, "y_true", (1, 2))
        v.check_ndim(p_arr, "y_pred", (1, 2))
        n = v.check_consistent_length(y_true=y_arr, y_pred=p_arr)
        v.check_nonempty(y_arr, "y_true")
        w = v.as_sample_weight(sample_weight, n)
        if y_arr.ndim == 2 or (prior is not None and prior.ml is not None):
            self._update_multilabel(plain(y_arr), plain(p_arr), w, prior)
            return
        if isinstance(y_arr, np.ndarray) and y_arr.dtype.kind == "f":
            y_arr = v.as_labels(y_arr, "y_true", allow_negative=True)
        self.weighted = self.weighted or w is not None
        fixed_labels = None if cfg.labels is None else np.asarray(cfg.labels)
        if fixed_labels is not None:
            self.classes, self.fixed = fixed_labels, True

        if p_arr.ndim == 1 and p_arr.dtype.kind != "f" and not cfg.from_logits:
            if not cfg.needs_scores:
                counted = (
                    _lab.count_pairs(y_arr, p_arr) if w is None and fixed_labels is None else None
                )
                if counted is not None:
                    conf, self.classes = counted
                    self._add_confusion(conf)
                    self.n += n
                    return
                y, pred, classes = _lab.encode_predicted(y_arr, p_arr, fixed_labels)
                if classes is not None:
                    self.classes = classes
                self._add_labels(y, pred, w, None if classes is None else classes.size)
                self.n += n
                return
            p_arr = plain(p_arr)  # scores from here on: text is the error below
            if p_arr.dtype.kind == "U" or (p_arr.size and (p_arr.min() < 0 or p_arr.max() > 1)):
                bad = (
                    p_arr[0]
                    if p_arr.dtype.kind == "U"
                    else p_arr[np.flatnonzero((p_arr < 0) | (p_arr > 1))[0]]
                )
                raise InvalidInputError(
                    "y_pred must hold probabilities (or 0/1 labels) for the metrics asked for "
                    "(log loss, Brier score, ranking and calibration metrics need scores). Got "
                    f"the class label {bad.item()!r} instead. Pass class probabilities as a 2-D "
                    "array."
                )
            p_arr = p_arr.astype(np.float64)
        elif p_arr.dtype.kind == "U":
            raise InvalidInputError(
                "y_pred must hold scores (numbers) when 2-D or with from_logits=True. Got "
                f"{v.describe(p_arr)} instead."
            )
        p_arr = plain(p_arr)

        known = prior.classes if prior is not None and prior.fixed else None
        if p_arr.ndim == 1:
            y, classes = _lab.encode_binary(y_arr, fixed_labels, cfg.pos_label, known)
            self._set_mode("binary", 2)
            if classes is not None:
                self.classes, self.fixed = classes, True
            self._update_binary(y, p_arr, w)
        else:
            if p_arr.shape[1] < 2:
                raise InvalidInputError(
                    "y_pred must have at least 2 columns when 2-D (one per class). Got shape "
                    f"{p_arr.shape} instead. Pass the probability of class 1 as a 1-D array."
                )
            kk = p_arr.shape[1]
            if known is None and fixed_labels is None and prior is not None and prior.mode:
                # The first batch read the labels as column indices: so do the rest.
                y = v.as_labels(plain(y_arr), "y_true")
                classes = None
            else:
                y, classes = _lab.encode_columns(y_arr, kk, fixed_labels, known)
            if classes is not None:
                self.classes, self.fixed = classes, True
            self._set_mode("multiclass", kk)
            self._update_multiclass(y, p_arr, w)
        self.n += n

    def add_binary_fast(self, y: Any, p: Any) -> bool:
        """Add one unweighted batch of 0/1 labels and float64 scores of class 1 in place, when
        the batch and this state allow the short path; False (nothing added) otherwise.

        For ``Evaluator.update`` on every training batch: the general path's validation and
        dispatch cost twice the arithmetic at 1,000 samples (bench/metrics.py --stream), so this
        makes the same checks with fewer numpy calls (one unsigned max for the 0/1 labels, one
        min and max of the scores, which NaN fails too) and the same arithmetic as
        ``_update_binary`` (bit-identical sums: one chunk, the same ufuncs). Any batch it does
        not take, including every bad one, goes the general path, which raises the typed error.
        The caller has checked the configuration (no weights, labels=, pos_label, logits,
        Brier, calibration, top-k or ranking metrics).
        """
        if not (
            type(y) is np.ndarray
            and type(p) is np.ndarray
            and y.ndim == 1
            and p.ndim == 1
            and p.dtype == np.float64
            and y.shape[0] == p.shape[0]
            and 0 < p.shape[0] <= k.CHUNK
            and self.n_classes == 2
            and self.classes is None
            and self.ml is None
            and (self.mode == "binary" or not self.config.needs_scores)
        ):
            return False
        kind = y.dtype.kind
        if kind == "b":
            yb = y
        elif kind in "iu":
            # One reduction checks 0 <= y <= 1: negative values read as huge unsigned ones.
            if int(np.maximum.reduce(y.view(f"u{y.dtype.itemsize}"))) > 1:
                return False
            yb = y.astype(bool)
        else:
            return False
        lo = float(np.minimum.reduce(p))
        hi = float(np.maximum.reduce(p))
        if not (lo >= 0.0 and hi <= 1.0):  # NaN fails both
            return False
        n = p.shape[0]
        pos, neg = p.compress(yb), p.compress(~yb)
        n_pos = pos.shape[0]
        cfg = self.config
        if cfg.confusion:
            tp_c = int(np.count_nonzero(pos >= cfg.threshold))
            fp_c = int(np.count_nonzero(neg >= cfg.threshold))
            self.confusion = self.confusion + np.array(
                [[n - n_pos - fp_c, fp_c], [n_pos - tp_c, tp_c]], dtype=np.float64
            )
            self.seen_pred = self.seen_pred + np.array(
                [n - tp_c - fp_c, tp_c + fp_c], dtype=np.int64
            )
        self.class_weight = self.class_weight + np.array([float(n - n_pos), float(n_pos)])
        self.seen_true = self.seen_true + np.array([n - n_pos, n_pos], dtype=np.int64)
        if cfg.log_loss:
            eps = k.clip_eps(p.dtype)
            if lo < eps or hi > 1.0 - eps:
                lp = np.log(np.clip(pos, eps, 1.0 - eps))
                ln = np.subtract(1.0, neg)
                np.clip(ln, eps, 1.0 - eps, out=ln)
            else:
                lp = np.log(pos)
                ln = np.subtract(1.0, neg)
            np.log(ln, out=ln)
            self.log_loss_sum += (0.0 - float(np.add.reduce(lp))) + (0.0 - float(np.add.reduce(ln)))
        self.n += n
        return True

    def _update_multilabel(
        self,
        y_arr: NDArray[Any],
        p_arr: NDArray[Any],
        w: FloatArray | None,
        prior: ClassificationState | None,
    ) -> None:
        cfg = self.config
        if (prior is not None and prior.n and prior.ml is None) or y_arr.ndim != 2:
            raise InvalidInputError(
                "y_true must keep one kind of target across batches: 2-D 0/1 indicators "
                f"(multilabel) or 1-D class labels. Got shape {y_arr.shape} after "
                f"{'multilabel' if y_arr.ndim == 1 else 'class-label'} batches instead."
            )
        unsupported = [
            name
            for name, used in (
                ("expected_calibration_error", cfg.ece_bins),
                ("top_k_accuracy", cfg.top_k),
                ("roc_auc(multi_class='ovo')", cfg.ovo),
            )
            if used
        ]
        if unsupported:
            raise InvalidInputError(
                "y_true must be 1-D class labels for "
                f"{', '.join(unsupported)} (multilabel targets are not supported there yet). "
                f"Got 2-D indicators of shape {y_arr.shape} instead."
            )
        if p_arr.shape != y_arr.shape:
            raise InvalidInputError(
                f"y_pred must have the shape of y_true {y_arr.shape} (one column per label) for "
                f"multilabel targets. Got shape {p_arr.shape} instead."
            )
        width = y_arr.shape[1]
        if prior is not None and prior.ml is not None and prior.ml.width != width:
            raise InvalidInputError(
                f"y_true must keep {prior.ml.width} label columns across batches. Got "
                f"{width} instead."
            )
        if cfg.labels is not None:
            # labels= selects label columns by index, in its order, as scikit-learn's
            # precision_recall_fscore_support does for multilabel targets.
            picked = _ml.label_columns(cfg.labels, width)
            y_arr, p_arr = y_arr[:, picked], p_arr[:, picked]
        yb = _ml.check_indicator(y_arr, "y_true")
        n, n_labels = yb.shape
        scores: NDArray[Any] | None = None
        if p_arr.dtype.kind == "f" or cfg.from_logits:
            if cfg.from_logits:
                v.check_finite(p_arr, "y_pred")
                cut = cfg.threshold
                z = (
                    math.log(cut / (1 - cut))
                    if 0 < cut < 1
                    else (-math.inf if cut <= 0 else math.inf)
                )
                pred = p_arr >= z
            else:
                v.check_probabilities(p_arr, "y_pred")
                pred = p_arr >= cfg.threshold
            scores = p_arr.astype(np.float64, copy=False)
        else:
            pred = _ml.check_indicator(p_arr, "y_pred")
            if cfg.ranking:
                scores = pred.astype(np.float64)  # 0/1 labels read as probabilities 0 and 1
        self.mode = "multilabel"
        self.weighted = self.weighted or w is not None
        self.ml = Multilabel.of(yb, pred, w)
        self.n_classes = n_labels
        ml = self.ml
        ml.width = width
        if w is None:
            # The multilabel counts already hold these (unweighted): no second pass.
            self.seen_true = (ml.tp + ml.fn).astype(np.int64)
            self.seen_pred = (ml.tp + ml.fp).astype(np.int64)
            self.class_weight = ml.tp + ml.fn
        else:
            self.seen_true = yb.sum(axis=0).astype(np.int64)
            self.seen_pred = pred.sum(axis=0).astype(np.int64)
            self.class_weight = ml.tp + ml.fn
        if cfg.log_loss or cfg.brier:
            # Per label, scikit-learn's binary log_loss / brier_score_loss of that column, as
            # weighted sums over its cells; every average is read from these (docs/metrics.md,
            # "Multilabel targets").
            prob = (
                k.sigmoid(scores)
                if cfg.from_logits and scores is not None
                else (pred.astype(np.float64) if scores is None else scores)
            )
            if cfg.log_loss:
                nll = _ml.cell_nll(yb, p_arr, cfg.from_logits)
                ml.loss = nll.sum(axis=0) if w is None else w @ nll
                self.log_loss_sum += float(ml.loss.sum())
            if cfg.brier:
                sq = (prob - yb) ** 2
                ml.sq = sq.sum(axis=0) if w is None else w @ sq
                self.brier_sum += float(ml.sq.sum())
        if cfg.samples_ranking:
            assert scores is not None
            # Exact whatever ``ranking`` is: a row's scores are at hand, and few.
            auc, ap = _ml.row_ranking(yb, scores)
            # As scikit-learn's "samples" average: a row of zero weight scores 0 at weight 0,
            # so only rows of nonzero weight can leave the average undefined.
            bad = np.isnan(auc) if w is None else np.isnan(auc) & (w != 0)
            auc = np.where(np.isnan(auc), 0.0, auc)
            ml.row_auc_undefined = int(np.count_nonzero(bad))
            ml.row_auc = float(auc.sum() if w is None else np.dot(w, auc))
            ml.row_ap = float(ap.sum() if w is None else np.dot(w, ap))
        if cfg.ranking:
            assert scores is not None
            bins = cfg.ranking_bins if cfg.ranking == "binned" else None
            cols = np.ascontiguousarray(scores.T, dtype=np.float64)
            # Partitioned in place below: the sigmoid's output, or memory not the caller's.
            binned_logits = bins is not None and cfg.from_logits
            cols = k.sigmoid(cols) if binned_logits else _private(cols, p_arr)
            truth = np.ascontiguousarray(yb.T)
            self.rank = [_RankStore() for _ in range(n_labels)]
            for c in range(n_labels):
                is_c = truth[c]
                not_c = ~is_c
                # Partitioned in place inside the private copy, as for multiclass scores: the
                # stored scores cost no memory beyond that one copy.
                col = cols[c]
                pos, neg = np.compress(is_c, col), np.compress(not_c, col)
                col[: pos.size], col[pos.size :] = pos, neg
                n_c = pos.size
                del pos, neg
                self.rank[c].add(
                    col[:n_c],
                    None if w is None else np.compress(is_c, w),
                    col[n_c:],
                    None if w is None else np.compress(not_c, w),
                    bins,
                )
        self.n += n

    def _set_mode(self, mode: str, n_cols: int) -> None:
        if not self.config.needs_scores:
            return
        if self.mode is None:
            self.mode = mode
            self.rank = [_RankStore() for _ in range(1 if mode == "binary" else n_cols)]
            return
        n_store = 1 if mode == "binary" else n_cols
        if self.mode != mode or len(self.rank) != n_store:
            raise InvalidInputError(
                f"y_pred must keep one layout across batches. Got a {mode} batch with {n_cols} "
                f"classes after {self.mode} batches with {max(len(self.rank), 2)} classes."
            )

    def _add_counts(
        self,
        n_classes: int,
        conf: FloatArray | None,
        cls_w: FloatArray,
        seen_true: IntArray,
        seen_pred: IntArray | None,
    ) -> None:
        if self.n_classes == 0:
            # A fresh batch state (every update): take the arrays as they are.
            self.n_classes = n_classes
            self.class_weight, self.seen_true = cls_w, seen_true
            if conf is not None and seen_pred is not None:
                self.confusion, self.seen_pred = conf, seen_pred
            return
        size = max(self.n_classes, n_classes)
        self.n_classes = size
        self.class_weight = grow(self.class_weight, size) + grow(cls_w, size)
        self.seen_true = grow(self.seen_true, size) + grow(seen_true, size)
        if conf is not None and seen_pred is not None:
            self.confusion = grow(self.confusion, size) + grow(conf, size)
            self.seen_pred = grow(self.seen_pred, size) + grow(seen_pred, size)

    def _add_labels(
        self, y: IntArray, labels: IntArray, w: FloatArray | None, size: int | None = None
    ) -> None:
        kk = int(max(y.max(), labels.max())) + 1 if size is None else size
        conf = np.bincount(y * kk + labels, weights=w, minlength=kk * kk).reshape(kk, kk)
        self._add_counts(
            kk,
            conf.astype(np.float64),
            conf.sum(axis=1).astype(np.float64),
            np.bincount(y, minlength=kk),
            np.bincount(labels, minlength=kk),
        )

    def _add_confusion(self, conf: IntArray) -> None:
        """``_add_labels`` for unweighted counts already made (``_labels.count_pairs``): the
        same arrays, the per-class counts read off the matrix's rows and columns."""
        rows = conf.sum(axis=1)
        self._add_counts(
            conf.shape[0], conf.astype(np.float64), rows.astype(np.float64), rows, conf.sum(axis=0)
        )

    def _update_binary(self, y: IntArray, p: NDArray[Any], w: FloatArray | None) -> None:
        cfg = self.config
        # y is 0/1 already: _labels.encode_binary checked or encoded it.
        eps = k.clip_eps(p.dtype)
        if cfg.from_logits:
            lo, hi = v.check_finite(p, "y_pred")
        else:
            lo, hi = v.check_probabilities(p, "y_pred")
        p = p.astype(np.float64, copy=False)
        yb = y.astype(bool)
        nb = np.logical_not(yb)
        n = y.size
        cut = cfg.threshold
        if cfg.from_logits:
            cut = (
                math.log(cut / (1.0 - cut))
                if 0.0 < cut < 1.0
                else (-math.inf if cut <= 0 else math.inf)
            )
        # Split by label once; every metric below reads the two parts. np.compress is ~5x
        # faster than boolean-mask indexing for the same result (bench/metrics.py).
        pos, neg = np.compress(yb, p), np.compress(nb, p)
        wpos = wneg = None
        if w is not None:
            wpos, wneg = np.compress(yb, w), np.compress(nb, w)
        n_pos = pos.size
        # Weighted totals are summed directly, never as differences: a difference leaves a
        # ~1e-17 residue where a count must be exactly 0 (precision of an unpredicted class).
        w_pos = float(n_pos) if wpos is None else float(wpos.sum())
        w_neg = float(n - n_pos) if wneg is None else float(wneg.sum())

        conf = None
        seen_pred = None
        if cfg.confusion:
            hit_p, hit_n = pos >= cut, neg >= cut
            tp_c, fp_c = int(np.count_nonzero(hit_p)), int(np.count_nonzero(hit_n))
            if wpos is None or wneg is None:
                conf = np.array([[n - n_pos - fp_c, fp_c], [n_pos - tp_c, tp_c]], dtype=np.float64)
            else:
                conf = np.array(
                    [
                        [wneg[~hit_n].sum(), wneg[hit_n].sum()],
                        [wpos[~hit_p].sum(), wpos[hit_p].sum()],
                    ]
                )
            n_pos_pred = tp_c + fp_c
            seen_pred = np.array([n - n_pos_pred, n_pos_pred], dtype=np.int64)
        self._add_counts(
            2,
            conf,
            np.array([w_neg, w_pos]),
            np.array([n - n_pos, n_pos], dtype=np.int64),
            seen_pred,
        )
        if not cfg.needs_scores:
            return

        if cfg.log_loss:
            clip_needed = lo < eps or hi > 1.0 - eps
            self.log_loss_sum += k.sum_nll_binary(
                pos, wpos, True, from_logits=cfg.from_logits, eps=eps, clip_needed=clip_needed
            ) + k.sum_nll_binary(
                neg, wneg, False, from_logits=cfg.from_logits, eps=eps, clip_needed=clip_needed
            )
        prob_pos = k.sigmoid(pos) if cfg.from_logits else pos
        prob_neg = k.sigmoid(neg) if cfg.from_logits else neg
        if cfg.brier:
            self.brier_sum += 2.0 * (
                k.sum_sq_binary(prob_pos, wpos, True) + k.sum_sq_binary(prob_neg, wneg, False)
            )
        if cfg.ece_bins:
            # Top-label calibration: the predicted class is the likelier one (p >= 0.5).
            for probs, weights, label in ((prob_pos, wpos, 1), (prob_neg, wneg, 0)):
                top = np.maximum(probs, 1.0 - probs)
                correct = (probs >= 0.5) == bool(label)
                self._add_ece(top, correct, weights)
        if cfg.top_k:
            # Two classes: the true class is in the top 1 when it is predicted, always in the top 2.
            for kk in cfg.top_k:
                if kk >= 2:
                    hits = w_pos + w_neg
                else:
                    # As scikit-learn reads a 1-D score: class 1 is predicted when p > 0.5.
                    # Logits compare with 0 directly: sigmoid(1e-17) rounds to exactly 0.5,
                    # which would count a positive logit as a miss.
                    if cfg.from_logits:
                        hit_p, hit_n = pos > 0.0, neg <= 0.0
                    else:
                        hit_p, hit_n = prob_pos > 0.5, prob_neg <= 0.5
                    hits = float(np.count_nonzero(hit_p) if wpos is None else wpos[hit_p].sum())
                    hits += float(np.count_nonzero(hit_n) if wneg is None else wneg[hit_n].sum())
                self.top_k_hits[kk] = self.top_k_hits.get(kk, 0.0) + hits
        if cfg.ranking:
            bins = cfg.ranking_bins if cfg.ranking == "binned" else None
            rp = prob_pos if bins is not None else pos
            rn = prob_neg if bins is not None else neg
            self.rank[0].add(rp, wpos, rn, wneg, bins)

    def _add_ece(self, conf: FloatArray, correct: NDArray[np.bool_], w: FloatArray | None) -> None:
        for bins in self.config.ece_bins:
            idx = np.minimum((conf * bins).astype(np.int64), bins - 1)
            ww = np.ones(conf.size) if w is None else w
            acc = np.stack(
                [
                    np.bincount(idx, weights=ww, minlength=bins),
                    np.bincount(idx, weights=ww * conf, minlength=bins),
                    np.bincount(idx, weights=ww * correct, minlength=bins),
                ]
            ).astype(np.float64)
            self.ece[bins] = acc if bins not in self.ece else self.ece[bins] + acc

    def _update_multiclass(self, y: IntArray, p: NDArray[Any], w: FloatArray | None) -> None:
        cfg = self.config
        n, kk = p.shape
        if y.size and y.max() >= kk:
            bad = int(np.flatnonzero(y >= kk)[0])
            raise InvalidInputError(
                f"y_true must hold class labels 0..{kk - 1} (y_pred has {kk} columns). Got "
                f"{y[bad]} at index {bad} instead."
            )
        eps = k.clip_eps(p.dtype)
        if cfg.from_logits:
            v.check_finite(p, "y_pred")
            logits = p.astype(np.float64, copy=False)
            probs = (
                np.exp(k.log_softmax(logits))
                if (cfg.brier or cfg.ranking or cfg.ece_bins)
                else logits
            )
        else:
            v.check_probabilities(p, "y_pred")
            v.check_rows_sum_to_one(p, "y_pred")
            probs = p
        pred = p.argmax(axis=1)
        cls_w = np.bincount(y, weights=w, minlength=kk).astype(np.float64)
        conf = None
        seen_pred = None
        if cfg.confusion:
            conf = (
                np.bincount(y * kk + pred, weights=w, minlength=kk * kk)
                .reshape(kk, kk)
                .astype(np.float64)
            )
            seen_pred = np.bincount(pred, minlength=kk)
        self._add_counts(kk, conf, cls_w, np.bincount(y, minlength=kk), seen_pred)
        if cfg.log_loss:
            nll = k.nll_multiclass(p, y, from_logits=cfg.from_logits, eps=eps)
            self.log_loss_sum += float(nll.sum()) if w is None else k.dot(nll, w)
        if cfg.brier:
            self.brier_sum += k.sum_sq_multiclass(probs, y, w)
        if cfg.ece_bins:
            top = probs[np.arange(n), pred].astype(np.float64)
            self._add_ece(top, pred == y, w)
        # Column-major copy, shared by top-k and ranking: per-class work then reads contiguous
        # memory instead of re-reading the whole matrix with a stride.
        cols = (
            np.ascontiguousarray(probs.T, dtype=np.float64)
            if (cfg.top_k or cfg.ranking or cfg.ovo)
            else None
        )
        if cfg.top_k:
            assert cols is not None
            rank = k.true_class_rank(cols, y)
            for kk_ in cfg.top_k:
                hit = rank < kk_
                h = float(np.count_nonzero(hit)) if w is None else float(w[hit].sum())
                self.top_k_hits[kk_] = self.top_k_hits.get(kk_, 0.0) + h
        if cfg.ovo:
            assert cols is not None
            if not self.by_class:
                self.by_class = [[] for _ in range(kk)]
            for c in range(kk):
                is_c = y == c
                if is_c.any():
                    self.by_class[c].append(
                        (
                            np.compress(is_c, cols, axis=1),
                            None if w is None else np.compress(is_c, w),
                        )
                    )
        if cfg.ranking:
            bins = cfg.ranking_bins if cfg.ranking == "binned" else None
            assert cols is not None
            # Written into below: top-k and one-vs-one only read it (ovo keeps copies).
            cols = _private(cols, p)
            for c in range(kk):
                is_c = y == c
                not_c = np.logical_not(is_c)
                # Partition each column in place inside the private copy and keep views of it:
                # the stored scores then cost no memory beyond that one copy (peak memory
                # 2.2x -> under 2x the input at 1e6 x 10, bench/metrics.py).
                col = cols[c]
                pos, neg = np.compress(is_c, col), np.compress(not_c, col)
                col[: pos.size], col[pos.size :] = pos, neg
                del pos, neg
                n_c = int(np.count_nonzero(is_c))
                self.rank[c].add(
                    col[:n_c],
                    None if w is None else np.compress(is_c, w),
                    col[n_c:],
                    None if w is None else np.compress(not_c, w),
                    bins,
                )

    # ---------------------------------------------------------------- merge
    def absorb(self, other: ClassificationState) -> ClassificationState:
        """Add a batch state into this one in place, when that is plain addition (the same
        classes and layout, no score chunks); otherwise ``merge``. For ``Evaluator.update``
        only, on a state it owns: skipping the new object and the padding of ``merge`` halves
        the per-batch overhead."""
        if (
            self.classes is not None
            or other.classes is not None
            or self.n_classes != other.n_classes
            or self.mode != other.mode
            or self.config.ranking
            or self.config.ovo
            or self.config.ece_bins
            or self.ml is not None
            or other.ml is not None
        ):
            return self.merge(other)
        self.n += other.n
        self.weighted = self.weighted or other.weighted
        self.class_weight = self.class_weight + other.class_weight
        self.seen_true = self.seen_true + other.seen_true
        if self.config.confusion:
            self.confusion = self.confusion + other.confusion
            self.seen_pred = self.seen_pred + other.seen_pred
        self.log_loss_sum += other.log_loss_sum
        self.brier_sum += other.brier_sum
        for key, hits in other.top_k_hits.items():
            self.top_k_hits[key] = self.top_k_hits.get(key, 0.0) + hits
        return self

    def merge(self, other: ClassificationState) -> ClassificationState:
        """A new state for the union of both inputs; neither input changes."""
        if other.config != self.config:
            raise InvalidInputError(
                "other must be a state built for the same metrics and options. Got a different "
                "configuration instead."
            )
        if (
            self.mode
            and other.mode
            and (self.mode != other.mode or len(self.rank) != len(other.rank))
        ):
            raise InvalidInputError(
                f"y_pred must keep one layout across batches and merged evaluators. Got "
                f"{_layout(other)} after {_layout(self)}."
            )
        if self.n and other.n and (self.ml is None) != (other.ml is None):
            raise InvalidInputError(
                "y_true must be of one kind across merged evaluators: 2-D 0/1 indicators "
                "(multilabel) or 1-D class labels. Got both instead."
            )
        out = ClassificationState(self.config)
        out.n = self.n + other.n
        out.weighted = self.weighted or other.weighted
        if self.ml is not None and other.ml is not None:
            out.ml = self.ml.merge(other.ml)
        else:
            out.ml = self.ml or other.ml
        a, b = self, other
        if self.classes is not None or other.classes is not None:
            a, b = self._remapped(other)
            out.classes, out.fixed = a.classes, a.fixed or b.fixed
        size = max(a.n_classes, b.n_classes)
        out.n_classes = size
        out.class_weight = grow(a.class_weight, size) + grow(b.class_weight, size)
        out.seen_true = grow(a.seen_true, size) + grow(b.seen_true, size)
        if self.config.confusion:
            out.confusion = grow(a.confusion, size) + grow(b.confusion, size)
            out.seen_pred = grow(a.seen_pred, size) + grow(b.seen_pred, size)
        out.mode = self.mode or other.mode
        out.log_loss_sum = self.log_loss_sum + other.log_loss_sum
        out.brier_sum = self.brier_sum + other.brier_sum
        for key in set(self.top_k_hits) | set(other.top_k_hits):
            out.top_k_hits[key] = self.top_k_hits.get(key, 0.0) + other.top_k_hits.get(key, 0.0)
        for key in set(self.ece) | set(other.ece):
            parts = [s.ece[key] for s in (self, other) if key in s.ece]
            out.ece[key] = parts[0] + parts[1] if len(parts) == 2 else parts[0].copy()
        if self.by_class or other.by_class:
            a_groups = self.by_class or [[] for _ in other.by_class]
            b_groups = other.by_class or [[] for _ in self.by_class]
            out.by_class = [x + y for x, y in zip(a_groups, b_groups, strict=True)]
        if not self.rank:
            out.rank = [r.merge(_RankStore()) for r in other.rank]
        elif not other.rank:
            out.rank = [r.merge(_RankStore()) for r in self.rank]
        else:
            out.rank = [a.merge(b) for a, b in zip(self.rank, other.rank, strict=True)]
        return out

    def _seen(self) -> IntArray:
        seen = self.seen_true
        if self.config.confusion:
            seen = grow(seen, self.seen_pred.size) + grow(self.seen_pred, seen.size)
        return seen

    def _remapped(
        self, other: ClassificationState
    ) -> tuple[ClassificationState, ClassificationState]:
        """Both states' per-class counts re-indexed onto one class set (see _labels.union)."""
        classes, ma, mb = _lab.union(
            self.classes, self._seen(), self.fixed, other.classes, other._seen(), other.fixed
        )
        assert classes is not None and ma is not None and mb is not None
        return self._moved(classes, ma), other._moved(classes, mb)

    def _moved(self, classes: NDArray[Any], where: IntArray) -> ClassificationState:
        if (
            self.classes is not None
            and where.size == classes.size
            and bool(np.all(where == np.arange(where.size)))
        ):
            return self
        out = copy.copy(self)
        size = classes.size
        where = where[: self.n_classes] if self.classes is None else where
        out.classes, out.n_classes = classes, size
        out.class_weight = _lab.scatter(grow(self.class_weight, where.size), where, size)
        out.seen_true = _lab.scatter(grow(self.seen_true, where.size), where, size)
        if self.config.confusion:
            out.confusion = _lab.scatter(grow(self.confusion, where.size), where, size)
            out.seen_pred = _lab.scatter(grow(self.seen_pred, where.size), where, size)
        return out

    @property
    def total_weight(self) -> float:
        return float(self.class_weight.sum())
