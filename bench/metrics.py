"""Benchmark: fitscope.evaluate against scikit-learn, torchmetrics and a bare-numpy floor.

    .venv/bin/python bench/metrics.py [--sizes 1e5,1e6,1e7] [--repeat N] [--quick]
                                      [--out bench/results/metrics.json] [--profile]

One run measures, on the same data:

* binary (y int64 0/1, ~30% positives; y_pred float64 probabilities, ROC-AUC ~0.8), nine metrics:
  fitscope.evaluate (one call); scikit-learn (the sum of the nine equivalent calls, thresholding
  included); torchmetrics' functional API (default and validate_args=False) plus torch BCE and
  a torch Brier score, on tensors from torch.from_numpy (conversion not timed); and the bare-numpy
  floor (no validation, the same numbers);
* multiclass (1e6 x 10 softmax probabilities): seven metrics, fitscope vs scikit-learn vs floor;
* class names (--text, default 1e6): the binary case with labels "neg"/"pos", and predicted
  class names over --classes classes (six label metrics), against scikit-learn on the same
  names, the floor, and fitscope on integer labels (info: names should cost <= 2x integers);
* class names by input kind (--kinds, default 1e6): the two class-name cases with the labels
  in a list, an object array, a unicode array and (with pandas) str and category Series,
  against integer labels in the same container (target: names <= 2x ints, CPU time), the
  int64 array, scikit-learn on the same container (--kinds-sklearn-runs runs) and the floor;
* multilabel (--multilabel, default 1e6 x --labels 20): subset accuracy, Hamming loss and F1
  micro / macro / samples, against scikit-learn, torchmetrics' multilabel functions (no
  "samples" average there) and the floor;
* streaming (--stream, default batch 1000): one Evaluator.update of accuracy + log loss + F1,
  beside torchmetrics' BinaryAccuracy + BinaryF1Score updates and a bare-numpy update of the
  same states; target fitscope / floor <= 25/16 (25 us where the floor takes 16 us);
* the peak extra memory of fitscope.evaluate (tracemalloc) over the inputs' nbytes.

Every library runs with its default threading. Besides wall time (perf_counter, the basis of
every ratio) the tables show process CPU time: CPU above wall means a library used several
threads, wall well above CPU means the process waited for a core (another job was running).
One information-only row repeats fitscope.evaluate with BLAS (np.dot) limited to one thread.

Correctness guard: fitscope and the floor must equal scikit-learn (rtol 1e-9, confusion matrices
exactly) at every size, or the script stops with an AssertionError. Targets (PASS/FAIL): at
n >= 1e6 scikit-learn / fitscope >= 10x; fitscope / floor <= 1.5x; peak memory <= 2x inputs.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import fitscope
from _common import (
    ROOT,
    Run,
    Timing,
    _call,
    cpu_snapshot,
    fmt_rate,
    fmt_seconds,
    fmt_size,
    load_average,
    machine_info,
    measure,
    other_load,
    parse_sizes,
    peak_memory,
    print_machine,
    table,
    write_json,
)

BINARY_METRICS = [
    "log_loss",
    "accuracy",
    "precision",
    "recall",
    "f1",
    "confusion_matrix",
    "brier_score",
    "roc_auc",
    "average_precision",
]
F1_MACRO = fitscope.metric("f1", average="macro")
MULTICLASS_METRICS: list[Any] = [
    "log_loss",
    "accuracy",
    F1_MACRO,
    "confusion_matrix",
    "brier_score",
    "top_k_accuracy",  # k=2, as scikit-learn's default
    "roc_auc",  # one-vs-rest, macro
]
THRESHOLD = 0.5
RTOL = 1e-9  # fitscope and the floor against scikit-learn
TORCH_NOTE_RTOL = 1e-5  # torchmetrics works partly in float32: differences are only reported

TARGET_SPEEDUP = 10.0  # scikit-learn / fitscope, at n >= 1e6
TARGET_FLOOR = 1.5  # fitscope / numpy floor
TARGET_MEMORY = 2.0  # peak extra bytes / input bytes
SPEEDUP_FROM = 1_000_000
CONTENTION = 1.3  # wall / cpu time of single-threaded work above this: something else was running
OTHER_LOAD = 0.25  # cores kept busy by other processes during a section: warn above this

FITSCOPE = "fitscope.evaluate"
FLOOR = "numpy floor"
SKLEARN = "scikit-learn"
TM_DEFAULT = "torchmetrics (default)"
TM_FAST = "torchmetrics (validate_args=False)"
FITSCOPE_BLAS1 = "fitscope.evaluate, BLAS 1 thread (info)"


# ---------------------------------------------------------------------------- data
def binary_data(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """y ~ Bernoulli(0.3); p = sigmoid(score) with score ~ N(1.19 y, 1), so ROC-AUC ~ 0.80."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.3).astype(np.int64)
    score = rng.standard_normal(n) + 1.19 * y
    p = 1.0 / (1.0 + np.exp(-(score - 1.0)))
    return y, p


def multiclass_data(n: int, k: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """y uniform over k classes; probabilities are a softmax of N(0, 1) logits, +1.5 on the
    true class."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n, dtype=np.int64)
    z = rng.standard_normal((n, k))
    z[np.arange(n), y] += 1.5
    z -= z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return y, z


# ---------------------------------------------------------------------------- the numpy floor
# Straightforward numpy, no validation: one partition of the scores into positives and negatives
# (np.compress), one np.sort of each, counts with np.count_nonzero, ROC-AUC and average precision
# read off the two sorted arrays with np.searchsorted (ties handled exactly, as scikit-learn).


def _auc_ap_sorted(pos: np.ndarray, neg: np.ndarray, with_ap: bool) -> tuple[float, float]:
    """Exact tie-corrected ROC-AUC (and average precision) from sorted positive/negative scores."""
    n_pos, n_neg = pos.size, neg.size
    below = np.searchsorted(neg, pos, side="left")  # negatives strictly below each positive
    # Negatives level with a positive count half; look them up only where a tie exists.
    at = np.minimum(below, n_neg - 1)
    tie = neg[at] == pos
    ties = 0
    if tie.any():
        ties = int((np.searchsorted(neg, pos[tie], side="right") - below[tie]).sum())
    auc = (2.0 * float(below.sum()) + ties) / (2.0 * n_pos * n_neg)
    if not with_ap:
        return auc, float("nan")
    # Positives level with each other share one threshold: the first index of each run.
    first = np.arange(n_pos)
    new = np.ones(n_pos, dtype=bool)
    np.not_equal(pos[1:], pos[:-1], out=new[1:])
    if not new.all():
        first = np.maximum.accumulate(np.where(new, first, 0))
    tp = n_pos - first  # positives scored >= this positive
    fp = n_neg - below  # negatives scored >= this positive
    ap = float(np.mean(tp / (tp + fp)))
    return auc, ap


def floor_binary(y: np.ndarray, p: np.ndarray) -> Run:
    n = y.size
    yb = y == 1
    pos, neg = np.compress(yb, p), np.compress(~yb, p)
    pos.sort()  # in place: compress already made the copies
    neg.sort()
    n_pos, n_neg = pos.size, neg.size
    tp = np.count_nonzero(pos >= THRESHOLD)
    fp = np.count_nonzero(neg >= THRESHOLD)
    fn, tn = n_pos - tp, n_neg - fp
    eps = float(np.finfo(p.dtype).eps)
    log_loss = -(
        np.log(np.clip(pos, eps, 1.0 - eps)).sum()
        + np.log(1.0 - np.clip(neg, eps, 1.0 - eps)).sum()
    )
    d = pos - 1.0
    # einsum, not np.dot: OpenBLAS threads dot products over 10k elements, and a BLAS thread
    # that waits for a busy core can stall the call for milliseconds (see fitscope_blas1_case).
    brier = np.einsum("i,i->", d, d) + np.einsum("i,i->", neg, neg)
    auc, ap = _auc_ap_sorted(pos, neg, with_ap=True)
    return Run(
        {
            "log_loss": float(log_loss) / n,
            "accuracy": (tp + tn) / n,
            "precision": tp / (tp + fp) if tp + fp else 0.0,
            "recall": tp / n_pos if n_pos else 0.0,
            "f1": 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0,
            "confusion_matrix": np.array([[tn, fp], [fn, tp]]),
            "brier_score": float(brier) / n,
            "roc_auc": auc,
            "average_precision": ap,
        }
    )


def floor_multiclass(y: np.ndarray, p: np.ndarray) -> Run:
    n, k = p.shape
    p_true = p[np.arange(n), y]
    eps = float(np.finfo(p.dtype).eps)
    log_loss = -np.log(np.clip(p_true, eps, 1.0 - eps)).mean()
    pred = p.argmax(axis=1)
    cm = np.bincount(y * k + pred, minlength=k * k).reshape(k, k)
    tp = np.diag(cm)
    fp, fn = cm.sum(axis=0) - tp, cm.sum(axis=1) - tp
    denom = 2 * tp + fp + fn
    f1 = np.divide(2 * tp, denom, out=np.zeros(k), where=denom > 0).mean()
    # sum_k (onehot_k - p_k)^2 = sum_k p_k^2 - 2 p_true + 1
    brier = (np.einsum("ij,ij->", p, p) - 2.0 * p_true.sum() + n) / n
    # One transposed copy makes every per-class pass below contiguous (3-4x faster than
    # working on strided columns).
    pt = np.ascontiguousarray(p.T)
    above = (pt > p_true).sum(axis=0, dtype=np.int32)  # classes scored above the true one
    top2 = np.count_nonzero(above < 2) / n
    aucs = []
    for c in range(k):
        is_c = y == c
        pos, neg = np.compress(is_c, pt[c]), np.compress(~is_c, pt[c])
        pos.sort()
        neg.sort()
        aucs.append(_auc_ap_sorted(pos, neg, with_ap=False)[0])
    return Run(
        {
            "log_loss": float(log_loss),
            "accuracy": float(tp.sum()) / n,
            "f1_macro": float(f1),
            "confusion_matrix": cm,
            "brier_score": float(brier),
            "top_k_accuracy": top2,
            "roc_auc": float(np.mean(aucs)),
        }
    )


# ---------------------------------------------------------------------------- peers
def _parts(calls: list[tuple[str, Callable[[], Any]]]) -> Run:
    """Run each call, timing it; values are converted after the clock stops."""
    values: dict[str, Any] = {}
    parts: dict[str, float] = {}
    for name, fn in calls:
        t0 = time.perf_counter()
        out = fn()
        parts[name] = time.perf_counter() - t0
        if name != "labels":
            values[name] = out
    return Run(values, parts)


def sklearn_binary(y: np.ndarray, p: np.ndarray) -> Run:
    from sklearn import metrics as m

    box: dict[str, np.ndarray] = {}

    def threshold() -> None:
        box["labels"] = (p >= THRESHOLD).astype(np.int64)

    def lab() -> np.ndarray:
        return box["labels"]

    run = _parts(
        [
            ("labels", threshold),  # p >= 0.5, shared by the label metrics
            ("log_loss", lambda: m.log_loss(y, p)),
            ("accuracy", lambda: m.accuracy_score(y, lab())),
            ("precision", lambda: m.precision_score(y, lab(), zero_division=0)),
            ("recall", lambda: m.recall_score(y, lab(), zero_division=0)),
            ("f1", lambda: m.f1_score(y, lab(), zero_division=0)),
            ("confusion_matrix", lambda: m.confusion_matrix(y, lab())),
            ("brier_score", lambda: m.brier_score_loss(y, p)),
            ("roc_auc", lambda: m.roc_auc_score(y, p)),
            ("average_precision", lambda: m.average_precision_score(y, p)),
        ]
    )
    run.values = {
        k: (np.asarray(v) if k == "confusion_matrix" else float(v)) for k, v in run.values.items()
    }
    return run


def sklearn_multiclass(y: np.ndarray, p: np.ndarray) -> Run:
    from sklearn import metrics as m

    box: dict[str, np.ndarray] = {}

    def argmax() -> None:
        box["labels"] = p.argmax(axis=1)

    def lab() -> np.ndarray:
        return box["labels"]

    run = _parts(
        [
            ("labels", argmax),  # argmax, shared by the label metrics
            ("log_loss", lambda: m.log_loss(y, p)),
            ("accuracy", lambda: m.accuracy_score(y, lab())),
            ("f1_macro", lambda: m.f1_score(y, lab(), average="macro", zero_division=0)),
            ("confusion_matrix", lambda: m.confusion_matrix(y, lab())),
            ("brier_score", lambda: m.brier_score_loss(y, p)),
            ("top_k_accuracy", lambda: m.top_k_accuracy_score(y, p, k=2)),
            ("roc_auc", lambda: m.roc_auc_score(y, p, multi_class="ovr")),
        ]
    )
    run.values = {
        k: (np.asarray(v) if k == "confusion_matrix" else float(v)) for k, v in run.values.items()
    }
    return run


def torch_cases(y: np.ndarray, p: np.ndarray) -> dict[str, Callable[[], Run]]:
    """torchmetrics' functional API (default, and validate_args=False), torch BCE and Brier."""
    try:
        import torch
        import torchmetrics.functional.classification as tm
    except ImportError as exc:
        print(f"note: torchmetrics not measured ({exc}); pip install -e '.[bench]' to add it")
        return {}
    yt, pt = torch.from_numpy(y), torch.from_numpy(p)

    def case(validate: bool) -> Callable[[], Run]:
        kw = {"validate_args": validate}

        def run() -> Run:
            r = _parts(
                [
                    (
                        "log_loss",
                        lambda: torch.nn.functional.binary_cross_entropy(pt, yt.to(pt.dtype)),
                    ),
                    ("accuracy", lambda: tm.binary_accuracy(pt, yt, THRESHOLD, **kw)),
                    ("precision", lambda: tm.binary_precision(pt, yt, THRESHOLD, **kw)),
                    ("recall", lambda: tm.binary_recall(pt, yt, THRESHOLD, **kw)),
                    ("f1", lambda: tm.binary_f1_score(pt, yt, THRESHOLD, **kw)),
                    (
                        "confusion_matrix",
                        lambda: tm.binary_confusion_matrix(pt, yt, THRESHOLD, **kw),
                    ),
                    ("brier_score", lambda: torch.mean((pt - yt) ** 2)),
                    ("roc_auc", lambda: tm.binary_auroc(pt, yt, **kw)),
                    ("average_precision", lambda: tm.binary_average_precision(pt, yt, **kw)),
                ]
            )
            r.values = {
                k: (v.numpy() if k == "confusion_matrix" else float(v)) for k, v in r.values.items()
            }
            return r

        return run

    return {TM_DEFAULT: case(True), TM_FAST: case(False)}


def fitscope_case(y: np.ndarray, p: np.ndarray, metrics: list[Any]) -> Callable[[], Run]:
    def run() -> Run:
        out = fitscope.evaluate(y, p, metrics=metrics, threshold=THRESHOLD)
        return Run({("f1_macro" if k == F1_MACRO.key else k): v for k, v in out.items()})

    return run


def fitscope_blas1_case(
    y: np.ndarray, p: np.ndarray, metrics: list[Any]
) -> Callable[[], Run] | None:
    """fitscope.evaluate with BLAS (numpy's np.dot, OpenBLAS) limited to one thread for the call:
    information only, to show what BLAS threading costs fitscope on this machine; the targets
    use the default threading."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return None
    controller = ThreadpoolController()

    def run() -> Run:
        with controller.limit(limits=1, user_api="blas"):
            t0 = time.perf_counter()
            out = fitscope.evaluate(y, p, metrics=metrics, threshold=THRESHOLD)
            seconds = time.perf_counter() - t0
        return Run(
            {("f1_macro" if k == F1_MACRO.key else k): v for k, v in out.items()},
            {"evaluate": seconds},
        )

    return run


# ---------------------------------------------------------------------------- checks
def rel_diffs(got: dict[str, Any], ref: dict[str, Any]) -> dict[str, float]:
    """|got - ref| / |ref| per metric; confusion matrices must match exactly (0 or inf)."""
    out: dict[str, float] = {}
    for key, want in ref.items():
        have = got.get(key)
        if have is None:
            out[key] = float("inf")
        elif isinstance(want, np.ndarray) and want.ndim > 0:
            have = np.asarray(have)
            same = have.shape == want.shape and np.array_equal(have, want)
            out[key] = 0.0 if same else float("inf")
        else:
            w, h = float(want), float(have)
            out[key] = abs(h - w) / abs(w) if w else abs(h - w)
    return out


def guard(name: str, label: str, got: dict[str, Any], ref: dict[str, Any]) -> dict[str, float]:
    diffs = rel_diffs(got, ref)
    bad = {k: d for k, d in diffs.items() if not d <= RTOL}
    if bad:
        lines = [
            f"  {k}: {name} {got.get(k)!r} vs scikit-learn {ref[k]!r} (rel diff {bad[k]:.3g})"
            for k in bad
        ]
        raise AssertionError(
            f"{name} disagrees with scikit-learn on {label} (rtol {RTOL}):\n" + "\n".join(lines)
        )
    return diffs


# ---------------------------------------------------------------------------- reporting
def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def report(
    label: str,
    n: int,
    repeat: int,
    timings: dict[str, Timing],
    diffs: dict[str, dict[str, float]],
    mem: dict[str, float],
    targets: list[dict[str, Any]],
    busy: float | None,
) -> dict[str, Any]:
    fs = timings[FITSCOPE].median
    rows = []
    for name, t in timings.items():
        d = diffs.get(name)
        rows.append(
            [
                name + (f" (sum of {len(t.parts)} calls)" if len(t.parts) > 1 else ""),
                fmt_seconds(t.median),
                fmt_seconds(t.best),
                fmt_seconds(t.cpu_median),
                fmt_rate(n, t.median),
                f"{t.median / fs:.2f}x",
                "-" if d is None else f"{max(d.values()):.1e}",
            ]
        )
    print()
    print(
        table(
            [
                "implementation",
                "median",
                "min",
                "cpu (median)",
                "samples/s",
                "time / fitscope",
                "max rel diff",
            ],
            rows,
            title=f"== {label} (median of {repeat}, after a warm-up; other processes kept "
            f"{'?' if busy is None else f'{busy:.2f}'} cores busy meanwhile) ==",
        )
    )
    peers = [t for t in timings.values() if len(t.parts) > 1]
    if peers:
        calls = list(dict.fromkeys(k for t in peers for k in t.parts))
        meds = [t.part_medians() for t in peers]
        print()
        print(
            table(
                ["call", *[t.name for t in peers]],
                [[c, *[fmt_seconds(m.get(c)) for m in meds]] for c in calls],
                title="per call (median):",
            )
        )

    print()
    ratios: dict[str, float] = {}
    fs_best = timings[FITSCOPE].best
    if SKLEARN in timings:
        ratios["sklearn_over_fitscope"] = r = timings[SKLEARN].median / fs
        best = f"(best-of: {timings[SKLEARN].best / fs_best:.2f}x)"
        if n >= SPEEDUP_FROM:
            ok = r >= TARGET_SPEEDUP
            targets.append(_target(label, "sklearn / fitscope", r, f">= {TARGET_SPEEDUP:g}x", ok))
            print(
                f"speed-up  scikit-learn / fitscope = {r:6.2f}x  (target >= 10x)   {verdict(ok)}"
                f"  {best}"
            )
        else:
            print(f"speed-up  scikit-learn / fitscope = {r:6.2f}x  (target from 1e6)  {best}")
    if FLOOR in timings:
        ratios["fitscope_over_floor"] = r = fs / timings[FLOOR].median
        ok = r <= TARGET_FLOOR
        targets.append(_target(label, "fitscope / floor", r, f"<= {TARGET_FLOOR:g}x", ok))
        print(
            f"overhead  fitscope / numpy floor  = {r:6.2f}x  (target <= 1.5x)  {verdict(ok)}"
            f"  (best-of: {fs_best / timings[FLOOR].best:.2f}x)"
        )
    if FITSCOPE_BLAS1 in timings:
        ratios["fitscope_blas1_over_floor"] = r = (
            timings[FITSCOPE_BLAS1].median / timings[FLOOR].median
        )
        print(f"info      fitscope with BLAS limited to 1 thread / numpy floor = {r:.2f}x")
    for name, key in ((TM_DEFAULT, "tm_default"), (TM_FAST, "tm_no_validation")):
        if name in timings:
            ratios[f"{key}_over_fitscope"] = r = timings[name].median / fs
            print(f"info      {name} / fitscope = {r:.2f}x")
    if mem:
        r = mem[FITSCOPE]
        ok = r <= TARGET_MEMORY
        targets.append(_target(label, "peak memory / input bytes", r, "<= 2x", ok))
        others = ", ".join(f"{k} {val:.2f}x" for k, val in mem.items() if k != FITSCOPE)
        print(
            f"memory    fitscope peak extra = {r:.2f}x input bytes (target <= 2x)  {verdict(ok)}"
            + (f"   [{others}]" if others else "")
        )
    if busy is not None and busy > OTHER_LOAD:
        print(
            f"warning   other processes kept {busy:.2f} cores busy during these timings: "
            "expect them inflated, multi-threaded code (BLAS, torch) most"
        )
    for name in (FITSCOPE, FLOOR):
        t = timings.get(name)
        if t is not None and t.median > CONTENTION * t.cpu_median:
            print(
                f"warning   {name}: wall {fmt_seconds(t.median)} > cpu {fmt_seconds(t.cpu_median)}"
                ": the process waited for a core (machine busy); these timings are inflated"
            )
    for name, d in diffs.items():
        worst = max(d.values())
        if name.startswith("torchmetrics") and worst > TORCH_NOTE_RTOL:
            k = max(d, key=lambda x: d[x])
            print(f"note      {name} differs from scikit-learn on {k} by {worst:.1e} (relative)")
    return {
        "n": n,
        "repeat": repeat,
        "implementations": {name: t.as_json(n) for name, t in timings.items()},
        "ratios": ratios,
        "peak_memory_over_input": mem,
        "rel_diff_vs_sklearn": diffs,
        "other_processes_cores_busy": busy,
        "values": {name: t.values for name, t in timings.items()},
    }


def _target(label: str, what: str, value: float, target: str, ok: bool) -> dict[str, Any]:
    return {"case": label, "what": what, "value": value, "target": target, "pass": ok}


def profile_text(fn: Callable[[], Any], calls: int, top: int = 18) -> str:
    prof = cProfile.Profile()
    fn()
    prof.enable()
    for _ in range(calls):
        fn()
    prof.disable()
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf)
    stats.strip_dirs().sort_stats("tottime").print_stats(top)
    return buf.getvalue()


def run_profiles(seed: int) -> dict[str, str]:
    """cProfile of fitscope.evaluate on the binary 1e6 data: default threading, then BLAS
    limited to one thread."""
    y, p = binary_data(1_000_000, seed)

    def call() -> Any:
        return fitscope.evaluate(y, p, metrics=BINARY_METRICS)

    out = {"profile_binary_1e6": profile_text(call, calls=5)}
    print("\n== cProfile of fitscope.evaluate, binary 1e6, 5 calls (by tottime) ==")
    print(out["profile_binary_1e6"].strip())
    blas1 = fitscope_blas1_case(y, p, BINARY_METRICS)
    if blas1 is not None:
        out["profile_binary_1e6_blas1"] = profile_text(blas1, calls=5)
        print("\n== the same with BLAS limited to 1 thread (threadpoolctl) ==")
        print(out["profile_binary_1e6_blas1"].strip())
    return out


# ---------------------------------------------------------------------------- main
def run_binary(n: int, repeat: int, seed: int, targets: list[dict[str, Any]]) -> dict[str, Any]:
    y, p = binary_data(n, seed)
    cases: dict[str, Callable[[], Run]] = {
        FITSCOPE: fitscope_case(y, p, BINARY_METRICS),
        FLOOR: lambda: floor_binary(y, p),
        SKLEARN: lambda: sklearn_binary(y, p),
    }
    cases.update(torch_cases(y, p))
    blas1 = fitscope_blas1_case(y, p, BINARY_METRICS)
    if blas1 is not None:
        cases[FITSCOPE_BLAS1] = blas1
    # Correctness first, so a wrong result fails before minutes of timing; these first calls
    # are the warm-up calls of their cases.
    warmed = {name: cases[name]() for name in (SKLEARN, FITSCOPE, FLOOR)}
    ref = warmed[SKLEARN].values
    guard(FITSCOPE, f"binary n={n}", warmed[FITSCOPE].values, ref)
    guard(FLOOR, f"binary n={n}", warmed[FLOOR].values, ref)

    before = cpu_snapshot()
    timings = measure(cases, repeat, warmed)
    busy = other_load(before, cpu_snapshot())
    diffs = {name: rel_diffs(t.values, ref) for name, t in timings.items() if name != SKLEARN}
    inputs = y.nbytes + p.nbytes
    mem = {
        FITSCOPE: peak_memory(cases[FITSCOPE]) / inputs,
        FLOOR: peak_memory(cases[FLOOR]) / inputs,
    }
    out = report(f"binary, n = {fmt_size(n)}", n, repeat, timings, diffs, mem, targets, busy)
    out["positives"] = float(y.mean())
    return out


def run_multiclass(
    n: int, k: int, repeat: int, seed: int, targets: list[dict[str, Any]]
) -> dict[str, Any]:
    y, p = multiclass_data(n, k, seed)
    cases: dict[str, Callable[[], Run]] = {
        FITSCOPE: fitscope_case(y, p, MULTICLASS_METRICS),
        FLOOR: lambda: floor_multiclass(y, p),
        SKLEARN: lambda: sklearn_multiclass(y, p),
    }
    blas1 = fitscope_blas1_case(y, p, MULTICLASS_METRICS)
    if blas1 is not None:
        cases[FITSCOPE_BLAS1] = blas1
    label = f"multiclass, n = {fmt_size(n)} x {k} classes"
    warmed = {name: cases[name]() for name in (SKLEARN, FITSCOPE, FLOOR)}
    ref = warmed[SKLEARN].values
    guard(FITSCOPE, label, warmed[FITSCOPE].values, ref)
    guard(FLOOR, label, warmed[FLOOR].values, ref)

    before = cpu_snapshot()
    timings = measure(cases, repeat, warmed)
    busy = other_load(before, cpu_snapshot())
    diffs = {name: rel_diffs(t.values, ref) for name, t in timings.items() if name != SKLEARN}
    inputs = y.nbytes + p.nbytes
    mem = {
        FITSCOPE: peak_memory(cases[FITSCOPE]) / inputs,
        FLOOR: peak_memory(cases[FLOOR]) / inputs,
    }
    out = report(label, n, repeat, timings, diffs, mem, targets, busy)
    out["classes"] = k
    return out


# ---------------------------------------------------------------------------- class names
NAMES = np.array([f"class_{i}" for i in range(100)])
TEXT_LABEL_METRICS: list[Any] = [
    "accuracy",
    F1_MACRO,
    fitscope.metric("precision", average="macro"),
    fitscope.metric("recall", average="macro"),
    "balanced_accuracy",
    "confusion_matrix",
]
FITSCOPE_INT = "fitscope.evaluate, integer labels (info)"


def _key(k: str) -> str:
    return {F1_MACRO.key: "f1_macro", "precision(average=macro)": "precision_macro"}.get(
        k, {"recall(average=macro)": "recall_macro"}.get(k, k)
    )


def sklearn_text_binary(y: np.ndarray, p: np.ndarray) -> Run:
    """scikit-learn on class names: the nine binary metrics, positive class "pos"."""
    from sklearn import metrics as m

    box: dict[str, np.ndarray] = {}

    def threshold() -> None:
        box["labels"] = np.where(p >= THRESHOLD, "pos", "neg")

    def lab() -> np.ndarray:
        return box["labels"]

    kw = {"pos_label": "pos"}
    run = _parts(
        [
            ("labels", threshold),
            ("log_loss", lambda: m.log_loss(y, p)),
            ("accuracy", lambda: m.accuracy_score(y, lab())),
            ("precision", lambda: m.precision_score(y, lab(), zero_division=0, **kw)),
            ("recall", lambda: m.recall_score(y, lab(), zero_division=0, **kw)),
            ("f1", lambda: m.f1_score(y, lab(), zero_division=0, **kw)),
            ("confusion_matrix", lambda: m.confusion_matrix(y, lab())),
            ("brier_score", lambda: m.brier_score_loss(y, p, **kw)),
            ("roc_auc", lambda: m.roc_auc_score(y, p)),
            ("average_precision", lambda: m.average_precision_score(y, p, **kw)),
        ]
    )
    run.values = {
        k: (np.asarray(v) if k == "confusion_matrix" else float(v)) for k, v in run.values.items()
    }
    return run


def floor_text_binary(y: np.ndarray, p: np.ndarray) -> Run:
    # The positive class is known: one equality pass encodes the names.
    return floor_binary(y == "pos", p)


def _encode_floor(y: np.ndarray, pred: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """A straightforward bare-numpy encoding of few distinct names: np.unique of a strided
    sample, then searchsorted (np.unique of everything is ~8x slower). fitscope's own encoding
    (docs/metrics.md, "How text is encoded") avoids comparing strings and is faster."""
    classes = np.union1d(np.unique(y[::1000]), np.unique(pred[::1000]))
    return np.searchsorted(classes, y), np.searchsorted(classes, pred), classes.size


def floor_text_labels(y: np.ndarray, pred: np.ndarray) -> Run:
    yi, pi, k = _encode_floor(y, pred)
    cm = np.bincount(yi * k + pi, minlength=k * k).reshape(k, k)
    tp = np.diag(cm).astype(np.float64)
    col, row = cm.sum(axis=0), cm.sum(axis=1)
    prec = np.divide(tp, col, out=np.zeros(k), where=col > 0)
    rec = np.divide(tp, row, out=np.zeros(k), where=row > 0)
    denom = col + row
    f1 = np.divide(2 * tp, denom, out=np.zeros(k), where=denom > 0)
    return Run(
        {
            "accuracy": float(tp.sum()) / y.size,
            "f1_macro": float(f1.mean()),
            "precision_macro": float(prec.mean()),
            "recall_macro": float(rec.mean()),
            "balanced_accuracy": float(rec[row > 0].mean()),
            "confusion_matrix": cm,
        }
    )


def sklearn_text_labels(y: np.ndarray, pred: np.ndarray) -> Run:
    from sklearn import metrics as m

    kw = {"average": "macro", "zero_division": 0}
    run = _parts(
        [
            ("accuracy", lambda: m.accuracy_score(y, pred)),
            ("f1_macro", lambda: m.f1_score(y, pred, **kw)),
            ("precision_macro", lambda: m.precision_score(y, pred, **kw)),
            ("recall_macro", lambda: m.recall_score(y, pred, **kw)),
            ("balanced_accuracy", lambda: m.balanced_accuracy_score(y, pred)),
            ("confusion_matrix", lambda: m.confusion_matrix(y, pred)),
        ]
    )
    run.values = {
        k: (np.asarray(v) if k == "confusion_matrix" else float(v)) for k, v in run.values.items()
    }
    return run


def _run_cases(
    label: str,
    n: int,
    repeat: int,
    cases: dict[str, Callable[[], Run]],
    inputs: int,
    targets: list[dict[str, Any]],
) -> dict[str, Any]:
    warmed = {name: cases[name]() for name in (SKLEARN, FITSCOPE, FLOOR)}
    ref = warmed[SKLEARN].values
    guard(FITSCOPE, label, warmed[FITSCOPE].values, ref)
    guard(FLOOR, label, warmed[FLOOR].values, ref)
    before = cpu_snapshot()
    timings = measure(cases, repeat, warmed)
    busy = other_load(before, cpu_snapshot())
    diffs = {
        name: rel_diffs(t.values, ref)
        for name, t in timings.items()
        if name not in (SKLEARN, FITSCOPE_INT)
    }
    mem = {
        FITSCOPE: peak_memory(cases[FITSCOPE]) / inputs,
        FLOOR: peak_memory(cases[FLOOR]) / inputs,
    }
    out = report(label, n, repeat, timings, diffs, mem, targets, busy)
    if FITSCOPE_INT in timings:
        r = timings[FITSCOPE].median / timings[FITSCOPE_INT].median
        out["ratios"]["text_over_integer_labels"] = r
        print(f"info      class names / integer labels (fitscope) = {r:.2f}x  (aim <= 2x)")
    return out


def run_text_binary(
    n: int, repeat: int, seed: int, targets: list[dict[str, Any]]
) -> dict[str, Any]:
    """The binary case with class names "neg"/"pos" instead of 0/1."""
    y01, p = binary_data(n, seed)
    y = np.array(["neg", "pos"])[y01]

    def ours() -> Run:
        out = fitscope.evaluate(y, p, metrics=BINARY_METRICS, threshold=THRESHOLD, pos_label="pos")
        return Run(out)

    cases: dict[str, Callable[[], Run]] = {
        FITSCOPE: ours,
        FLOOR: lambda: floor_text_binary(y, p),
        SKLEARN: lambda: sklearn_text_binary(y, p),
        FITSCOPE_INT: fitscope_case(y01, p, BINARY_METRICS),
    }
    label = f"binary, class names, n = {fmt_size(n)}"
    return _run_cases(label, n, repeat, cases, y.nbytes + p.nbytes, targets)


def run_text_labels(
    n: int, k: int, repeat: int, seed: int, targets: list[dict[str, Any]]
) -> dict[str, Any]:
    """Predicted class names (argmax of the multiclass data), k classes."""
    yi, p = multiclass_data(n, k, seed)
    predi = p.argmax(axis=1)
    del p
    y, pred = NAMES[yi], NAMES[predi]

    def ours() -> Run:
        out = fitscope.evaluate(y, pred, metrics=TEXT_LABEL_METRICS)
        return Run({_key(key): v for key, v in out.items()})

    def ours_int() -> Run:
        out = fitscope.evaluate(yi, predi, metrics=TEXT_LABEL_METRICS)
        return Run({_key(key): v for key, v in out.items()})

    cases: dict[str, Callable[[], Run]] = {
        FITSCOPE: ours,
        FLOOR: lambda: floor_text_labels(y, pred),
        SKLEARN: lambda: sklearn_text_labels(y, pred),
        FITSCOPE_INT: ours_int,
    }
    label = f"class names predicted, n = {fmt_size(n)}, {k} classes"
    return _run_cases(label, n, repeat, cases, y.nbytes + pred.nbytes, targets)


# ---------------------------------------------------------------------------- input kinds
TARGET_TEXT_OVER_INT = 2.0  # class names / integer labels of the same input kind, CPU time


def _input_kinds(with_pandas: bool) -> list[str]:
    kinds = ["list", "object array", "unicode array"]
    return kinds + (["Series (str)", "Series (category)"] if with_pandas else [])


def _as_kind(a: np.ndarray, kind: str) -> Any:
    """The labels ``a`` (an int64 or unicode array) in the container a user would pass."""
    if kind == "list":
        return a.tolist()
    if kind == "object array":
        return a.astype(object)
    if kind == "unicode array":
        return a
    import pandas as pd

    if kind == "Series (str)":
        return pd.Series(a.tolist()) if a.dtype.kind == "U" else pd.Series(a)
    return pd.Series(a.tolist() if a.dtype.kind == "U" else a, dtype="category")


def _unicode(x: Any) -> np.ndarray:
    """The straightforward NumPy conversion of text labels in any container (the floor's)."""
    arr = np.asarray(x)
    return arr if arr.dtype.kind == "U" else arr.astype(str)


def _cpu_median(t: Timing) -> float:
    return float(np.median(t.cpu_times))


def run_text_kinds(
    n: int, k: int, repeat: int, sk_runs: int, seed: int, targets: list[dict[str, Any]]
) -> dict[str, Any]:
    """Class names in each container users pass (list, object array, unicode array, pandas
    Series of str and category dtype) against integer labels in the same container, the
    int64 array, scikit-learn on the same container and the numpy floor; binary (1-D scores,
    labels "neg"/"pos") and ``k`` predicted classes. fitscope's cases are timed interleaved
    (``repeat`` rounds); scikit-learn, slow on text, ``sk_runs`` times per kind. torchmetrics
    takes tensors of numbers only: it has no row here (its integer rows are in the binary
    table above)."""
    try:
        import pandas  # noqa: F401

        with_pandas = True
    except ImportError:
        with_pandas = False
    y01, scores = binary_data(n, seed)
    yi, probs = multiclass_data(n, k, seed)
    predi = probs.argmax(axis=1)
    del probs
    pair = np.array(["neg", "pos"])
    cases_data = {
        "binary": (pair[y01], y01, scores),
        f"{k} classes": (NAMES[yi], yi, NAMES[predi], predi),
    }
    label_metrics = TEXT_LABEL_METRICS
    rows, out = [], {}
    for case, data in cases_data.items():
        for kind in _input_kinds(with_pandas):
            if case == "binary":
                yt, yint, p = data
                text_y, int_y = _as_kind(yt, kind), _as_kind(yint, kind)

                def ours(y: Any = text_y, p: np.ndarray = p) -> Run:
                    return Run(
                        fitscope.evaluate(
                            y, p, metrics=BINARY_METRICS, threshold=THRESHOLD, pos_label="pos"
                        )
                    )

                def ints(y: Any = int_y, p: np.ndarray = p) -> Run:
                    return Run(fitscope.evaluate(y, p, metrics=BINARY_METRICS, threshold=THRESHOLD))

                def ndarray(y: np.ndarray = yint, p: np.ndarray = p) -> Run:
                    return Run(fitscope.evaluate(y, p, metrics=BINARY_METRICS, threshold=THRESHOLD))

                def floor(y: Any = text_y, p: np.ndarray = p) -> Run:
                    return floor_binary(_unicode(y) == "pos", p)

                def sk(y: Any = text_y, p: np.ndarray = p) -> Run:
                    return sklearn_text_binary(y, p)

            else:
                yt, yint, pt, pint = data
                text_y, text_p = _as_kind(yt, kind), _as_kind(pt, kind)
                int_y, int_p = _as_kind(yint, kind), _as_kind(pint, kind)

                def _named(out: dict[str, Any]) -> Run:
                    return Run({_key(key): v for key, v in out.items()})

                def ours(y: Any = text_y, p: Any = text_p) -> Run:
                    return _named(fitscope.evaluate(y, p, metrics=label_metrics))

                def ints(y: Any = int_y, p: Any = int_p) -> Run:
                    return _named(fitscope.evaluate(y, p, metrics=label_metrics))

                def ndarray(y: np.ndarray = yint, p: np.ndarray = pint) -> Run:
                    return _named(fitscope.evaluate(y, p, metrics=label_metrics))

                def floor(y: Any = text_y, p: Any = text_p) -> Run:
                    return floor_text_labels(_unicode(y), _unicode(p))

                def sk(y: Any = text_y, p: Any = text_p) -> Run:
                    return sklearn_text_labels(y, p)

            names = {
                "text": ours,
                "ints": ints,
                "int64 array": ndarray,
                FLOOR: floor,
            }
            timings = measure(names, repeat)
            sk_times = []
            ref = timings["int64 array"].values  # without scikit-learn (--kinds-sklearn-runs 0)
            for _ in range(sk_runs):
                run, seconds, _cpu = _call(sk)
                sk_times.append(seconds)
                ref = run.values
            label = f"{case}, {kind}, n = {fmt_size(n)}"
            for name in ("text", "ints", FLOOR):
                guard(name, label, timings[name].values, ref)
            t_text, t_int, t_nd = timings["text"], timings["ints"], timings["int64 array"]
            r_cpu = _cpu_median(t_text) / _cpu_median(t_int)
            r_wall = t_text.median / t_int.median
            sk_med = float(np.median(sk_times)) if sk_times else float("nan")
            r = {
                "text_over_int_cpu": r_cpu,
                "text_over_int_wall": r_wall,
                "text_over_int64_array_cpu": _cpu_median(t_text) / _cpu_median(t_nd),
                "sklearn_over_text": sk_med / t_text.median,
                "text_over_floor": t_text.median / timings[FLOOR].median,
            }
            ok = r_cpu <= TARGET_TEXT_OVER_INT
            targets.append(
                _target(
                    label,
                    "class names / integer labels (same kind, CPU)",
                    r_cpu,
                    f"<= {TARGET_TEXT_OVER_INT:g}x",
                    ok,
                )
            )
            rows.append(
                [
                    case,
                    kind,
                    f"{fmt_seconds(t_text.median)} ({fmt_seconds(_cpu_median(t_text))})",
                    f"{fmt_seconds(t_int.median)} ({fmt_seconds(_cpu_median(t_int))})",
                    f"{r_cpu:.2f}x ({r_wall:.2f}x)",
                    f"{r['text_over_int64_array_cpu']:.2f}x",
                    fmt_seconds(sk_med) if sk_times else "-",
                    f"{r['sklearn_over_text']:.1f}x" if sk_times else "-",
                    fmt_seconds(timings[FLOOR].median),
                    f"{r['text_over_floor']:.2f}x",
                ]
            )
            out[f"{case} / {kind}"] = {
                "implementations": {name: t.as_json(n) for name, t in timings.items()},
                "sklearn_times_s": sk_times,
                "ratios": r,
            }
    print()
    print(
        table(
            [
                "case",
                "input",
                "fitscope, names: wall (cpu)",
                "fitscope, ints of the same kind",
                "names / ints: cpu (wall)",
                "names / int64 array, cpu",
                "scikit-learn (names)",
                "sklearn / fitscope",
                "numpy floor",
                "fitscope / floor",
            ],
            rows,
            title=f"== class names by input kind, n = {fmt_size(n)} (medians of {repeat} "
            f"interleaved rounds; scikit-learn {sk_runs} run(s); load average "
            f"{load_average()}) ==",
        )
    )
    print(
        "torchmetrics: takes tensors of numbers only, no class names (no row). 'ints of the "
        "same kind': a list of ints for a list, an object array of ints for an object array, "
        "an int64 Series (or category of ints) for a Series."
    )
    return out


# ---------------------------------------------------------------------------- streaming
STREAM_TARGET_US = 25.0  # per update, on the machine where today's 57 us and the floor's 16 were
STREAM_FLOOR_US = 16.0


def run_streaming(batch: int, repeat: int, targets: list[dict[str, Any]]) -> dict[str, Any]:
    """The per-batch cost of Evaluator.update(accuracy, log_loss, f1) on `batch` samples,
    beside torchmetrics' modular metrics (BinaryAccuracy + BinaryF1Score updates) and a
    bare-numpy update of the same states (confusion counts, log-loss sum)."""
    import timeit

    y, p = binary_data(batch, 7)
    ev = fitscope.Evaluator(["accuracy", "log_loss", "f1"])
    state = {"tp": 0, "fp": 0, "fn": 0, "n": 0, "ll": 0.0}
    eps = float(np.finfo(np.float64).eps)

    def floor() -> None:
        yb = y == 1
        pos, neg = np.compress(yb, p), np.compress(~yb, p)
        tp = int(np.count_nonzero(pos >= THRESHOLD))
        fp = int(np.count_nonzero(neg >= THRESHOLD))
        state["tp"] += tp
        state["fp"] += fp
        state["fn"] += pos.size - tp
        state["n"] += y.size
        state["ll"] -= float(
            np.log(np.clip(pos, eps, 1 - eps)).sum() + np.log1p(-np.clip(neg, eps, 1 - eps)).sum()
        )

    cases: dict[str, Callable[[], Any]] = {
        "fitscope Evaluator.update (accuracy, log_loss, f1)": lambda: ev.update(y, p),
        "numpy floor (same states)": floor,
    }
    try:
        import torch
        from torchmetrics.classification import BinaryAccuracy, BinaryF1Score

        yt, pt = torch.from_numpy(y), torch.from_numpy(p)
        acc, f1m = BinaryAccuracy(), BinaryF1Score()

        def tm() -> None:
            acc.update(pt, yt)
            f1m.update(pt, yt)

        cases["torchmetrics update (accuracy, f1 only)"] = tm
    except ImportError as exc:
        print(f"note: torchmetrics not measured ({exc})")
    per_call: dict[str, float] = {}
    for fn in cases.values():
        fn()  # warm-up
    calls = 2000
    for name, fn in cases.items():
        # Process CPU time: the machine is shared, and wall time counts other jobs' turns.
        times = timeit.repeat(fn, number=calls, repeat=max(repeat, 5), timer=time.process_time)
        per_call[name] = sorted(times)[len(times) // 2] / calls * 1e6
    ours = per_call["fitscope Evaluator.update (accuracy, log_loss, f1)"]
    fl = per_call["numpy floor (same states)"]
    print()
    print(
        table(
            ["update of one batch", "CPU us per update (median)", "/ fitscope"],
            [[k, f"{v:.1f}", f"{v / ours:.2f}x"] for k, v in per_call.items()],
            title=f"== streaming: one update of {batch} samples ==",
        )
    )
    r = ours / fl
    limit = STREAM_TARGET_US / STREAM_FLOOR_US
    ok = r <= limit
    label = f"streaming update, batch {batch}"
    targets.append(_target(label, "fitscope / floor (per update)", r, f"<= {limit:.2f}x", ok))
    print(
        f"overhead  fitscope / numpy floor = {r:.2f}x  (target <= {limit:.2f}x: 25 us where the "
        f"floor takes 16 us)  {verdict(ok)};  fitscope {ours:.1f} us per update"
    )
    return {"batch": batch, "us_per_update": per_call, "fitscope_over_floor": r}


# ---------------------------------------------------------------------------- multilabel
ML_METRICS: list[Any] = [
    "accuracy",
    "hamming_loss",
    fitscope.metric("f1", average="micro"),
    fitscope.metric("f1", average="macro"),
    fitscope.metric("f1", average="samples"),
]
ML_KEYS = {
    "f1(average=micro)": "f1_micro",
    "f1(average=macro)": "f1_macro",
    "f1(average=samples)": "f1_samples",
}


def multilabel_data(n: int, n_labels: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """y: each label true with probability 0.2 (bool); p: per-label probabilities, informative."""
    rng = np.random.default_rng(seed)
    y = rng.random((n, n_labels)) < 0.2
    p = np.clip(0.35 * y + rng.random((n, n_labels)) * 0.65, 0.0, 1.0)
    return y, p


def floor_multilabel(y: np.ndarray, p: np.ndarray) -> Run:
    n, n_labels = y.shape
    pred = p >= THRESHOLD
    hit = y & pred
    ones = np.ones(n_labels, dtype=np.uint8)
    tp_i = (hit.view(np.uint8) @ ones).astype(np.int64)
    pred_i = (pred.view(np.uint8) @ ones).astype(np.int64)
    true_i = (y.view(np.uint8) @ ones).astype(np.int64)
    tp, pred_l, true_l = hit.sum(axis=0), pred.sum(axis=0), y.sum(axis=0)
    den_l = pred_l + true_l
    den_i = pred_i + true_i
    return Run(
        {
            "accuracy": float(np.count_nonzero((tp_i == pred_i) & (tp_i == true_i))) / n,
            "hamming_loss": float((den_i - 2 * tp_i).sum()) / (n * n_labels),
            "f1_micro": float(2 * tp.sum() / den_l.sum()),
            "f1_macro": float(
                np.divide(2 * tp, den_l, out=np.zeros(n_labels), where=den_l > 0).mean()
            ),
            "f1_samples": float(
                np.divide(2 * tp_i, den_i, out=np.zeros(n), where=den_i > 0).mean()
            ),
        }
    )


def sklearn_multilabel(y: np.ndarray, p: np.ndarray) -> Run:
    from sklearn import metrics as m

    box: dict[str, np.ndarray] = {}

    def threshold() -> None:
        box["labels"] = p >= THRESHOLD

    def lab() -> np.ndarray:
        return box["labels"]

    return _parts(
        [
            ("labels", threshold),
            ("accuracy", lambda: float(m.accuracy_score(y, lab()))),
            ("hamming_loss", lambda: float(m.hamming_loss(y, lab()))),
            ("f1_micro", lambda: float(m.f1_score(y, lab(), average="micro", zero_division=0))),
            ("f1_macro", lambda: float(m.f1_score(y, lab(), average="macro", zero_division=0))),
            (
                "f1_samples",
                lambda: float(m.f1_score(y, lab(), average="samples", zero_division=0)),
            ),
        ]
    )


def torch_multilabel(y: np.ndarray, p: np.ndarray) -> dict[str, Callable[[], Run]]:
    """torchmetrics' functional multilabel metrics (no "samples" average there)."""
    try:
        import torch
        import torchmetrics.functional.classification as tm
    except ImportError as exc:
        print(f"note: torchmetrics not measured ({exc})")
        return {}
    yt, pt = torch.from_numpy(y.astype(np.int64)), torch.from_numpy(p)
    n_labels = y.shape[1]

    def case(validate: bool) -> Callable[[], Run]:
        kw = {"num_labels": n_labels, "threshold": THRESHOLD, "validate_args": validate}

        def run() -> Run:
            r = _parts(
                [
                    (
                        "accuracy",
                        lambda: tm.multilabel_exact_match(
                            pt, yt, n_labels, THRESHOLD, validate_args=validate
                        ),
                    ),
                    ("hamming_loss", lambda: tm.multilabel_hamming_distance(pt, yt, **kw)),
                    ("f1_micro", lambda: tm.multilabel_f1_score(pt, yt, average="micro", **kw)),
                    ("f1_macro", lambda: tm.multilabel_f1_score(pt, yt, average="macro", **kw)),
                ]
            )
            r.values = {k: float(v) for k, v in r.values.items()}
            return r

        return run

    return {TM_DEFAULT: case(True), TM_FAST: case(False)}


def run_multilabel(
    n: int, n_labels: int, repeat: int, seed: int, targets: list[dict[str, Any]]
) -> dict[str, Any]:
    y, p = multilabel_data(n, n_labels, seed)

    def ours() -> Run:
        out = fitscope.evaluate(y, p, metrics=ML_METRICS, threshold=THRESHOLD)
        return Run({ML_KEYS.get(k, k): v for k, v in out.items()})

    cases: dict[str, Callable[[], Run]] = {
        FITSCOPE: ours,
        FLOOR: lambda: floor_multilabel(y, p),
        SKLEARN: lambda: sklearn_multilabel(y, p),
    }
    cases.update(torch_multilabel(y, p))
    label = f"multilabel, n = {fmt_size(n)} x {n_labels} labels"
    return _run_cases(label, n, repeat, cases, y.nbytes + p.nbytes, targets)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1e5,1e6,1e7", help="binary sample counts, comma-separated")
    ap.add_argument(
        "--repeat",
        type=int,
        default=None,
        help="timed runs per case after the warm-up (default 5, and 3 at n >= 1e7)",
    )
    ap.add_argument("--multiclass", default="1e6", help="multiclass sample count (0 to skip)")
    ap.add_argument("--classes", type=int, default=10)
    ap.add_argument(
        "--text", default="1e6", help="class-name cases' sample count (binary and --classes)"
    )
    ap.add_argument(
        "--kinds",
        default="1e6",
        help="class names per input kind (list, object array, unicode array, pandas): sample "
        "count, 0 to skip",
    )
    ap.add_argument(
        "--kinds-sklearn-runs",
        type=int,
        default=1,
        help="scikit-learn runs per input kind (0: none; results are then checked against "
        "fitscope on the int64 labels)",
    )
    ap.add_argument("--multilabel", default="1e6", help="multilabel sample count (0 to skip)")
    ap.add_argument("--labels", type=int, default=20, help="multilabel label columns")
    ap.add_argument(
        "--stream", type=int, default=1000, help="streaming update batch size (0 to skip)"
    )
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "metrics.json")
    ap.add_argument("--quick", action="store_true", help="smoke run: 1e5 only, repeat 3")
    ap.add_argument(
        "--profile", action="store_true", help="also cProfile fitscope.evaluate at 1e6 (binary)"
    )
    args = ap.parse_args(argv)

    sizes = parse_sizes(args.sizes)
    n_multi = int(float(args.multiclass))
    n_text = int(float(args.text))
    n_ml = int(float(args.multilabel))
    if args.quick:
        sizes, n_multi, n_text, n_ml = [100_000], 100_000, 100_000, 100_000
        args.repeat = args.repeat or 3

    def repeat_for(n: int) -> int:
        if args.repeat is not None:
            return int(args.repeat)
        return 3 if n >= 10_000_000 else 5

    info = machine_info()
    print_machine(info)
    try:
        import torch

        info["torch_threads"] = torch.get_num_threads()
        print(f"torch   : {torch.get_num_threads()} intra-op threads (default, not changed)")
    except ImportError:
        info["torch_threads"] = None
    print(
        "numpy's ufuncs, sort and searchsorted run on one thread; np.dot goes to OpenBLAS "
        "(threads above); no library's threading is changed, except in the 'BLAS 1 thread' rows."
    )

    started = time.perf_counter()
    targets: list[dict[str, Any]] = []
    results: dict[str, Any] = {
        "machine": info,
        "args": {k: str(v) for k, v in vars(args).items()},
        "binary_metrics": BINARY_METRICS,
        "multiclass_metrics": [m if isinstance(m, str) else m.key for m in MULTICLASS_METRICS],
        "binary": [],
        "multiclass": None,
        "targets": targets,
    }
    for n in sizes:
        results["binary"].append(run_binary(n, repeat_for(n), args.seed, targets))
    if n_multi > 0:
        results["multiclass"] = run_multiclass(
            n_multi, args.classes, repeat_for(n_multi), args.seed, targets
        )
    if n_text > 0:
        results["text_binary"] = run_text_binary(n_text, repeat_for(n_text), args.seed, targets)
        results["text_labels"] = run_text_labels(
            n_text, args.classes, repeat_for(n_text), args.seed, targets
        )
    n_kinds = 100_000 if args.quick else int(float(args.kinds))
    if n_kinds > 0:
        results["text_kinds"] = run_text_kinds(
            n_kinds, args.classes, repeat_for(n_kinds), args.kinds_sklearn_runs, args.seed, targets
        )
    if n_ml > 0:
        results["multilabel"] = run_multilabel(
            n_ml, args.labels, repeat_for(n_ml), args.seed, targets
        )
    if args.stream > 0:
        results["streaming"] = run_streaming(args.stream, repeat_for(args.stream), targets)
    if args.profile:
        results.update(run_profiles(args.seed))

    results["elapsed_s"] = time.perf_counter() - started
    results["load_average_end"] = load_average()
    write_json(args.out, results)
    print()
    print(
        table(
            ["case", "target", "value", "required", "result"],
            [
                [t["case"], t["what"], f"{t['value']:.2f}x", t["target"], verdict(t["pass"])]
                for t in targets
            ],
            title="== targets ==",
        )
    )
    failed = [t for t in targets if not t["pass"]]
    print(
        f"\n{len(targets) - len(failed)}/{len(targets)} targets pass; "
        f"total {results['elapsed_s']:.0f} s; load average at the end "
        f"{results['load_average_end']}; results written to {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
