"""Compare runs on their held-out prediction snapshots: values, difference, interval, test.

``compare(a, b, *more, split="val")`` takes :class:`~fitscope.track.records.RunRecord` values
(or run ids with ``store=``) and returns one dict per pair (every run against the first):

``{"split", "paired", "n", "metrics": [{"metric", "a", "b", "difference", "ci_low",
"ci_high", "p_value", "test", "significant", "verdict", "verdict_text", ...}], "a_run",
"b_run", "pairing", "correction"}``

Paired when both runs scored the same samples (the same ids, or the same length and labels):
McNemar for accuracy, DeLong for ROC AUC, a paired bootstrap for the rest. Otherwise unpaired:
Newcombe's interval and the two-proportion z-test for accuracy, DeLong's independent variances
for AUC, independent bootstraps for the rest; ``pairing`` says why. With several runs the
p-values of each metric are adjusted with Holm's method (``correction``). The choices and
their reasons: docs/compare.md.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from fitscope._names import direction
from fitscope.errors import InvalidInputError
from fitscope.stats.bootstrap import (
    DEFAULT_RESAMPLES,
    Resampler,
    paired_bootstrap,
    unpaired_bootstrap,
)
from fitscope.stats.closed_form import (
    delong_paired,
    delong_unpaired,
    holm,
    mcnemar,
    newcombe_interval,
    two_proportion_test,
)
from fitscope.stats.metrics import CLASSIFICATION, REGRESSION, Prepared, decompose, prepare
from fitscope.track.records import PredictionSnapshot, RunRecord

__all__ = ["compare", "compare_snapshots", "latest_snapshot", "verdict"]

_VAL = ("val", "validation")


def latest_snapshot(record: RunRecord, split: str) -> PredictionSnapshot | None:
    """The run's latest prediction snapshot of ``split`` ("val" and "validation" are one)."""
    names = _VAL if split in _VAL else (split,)
    snaps = [s for s in record.predictions() if s.split in names]
    return max(snaps, key=lambda s: s.step) if snaps else None


def _align(ia: np.ndarray, ib: np.ndarray) -> np.ndarray | None:
    """Indices into ``ib`` that put it in ``ia``'s order, when both hold the same unique ids."""
    if ia.shape != ib.shape:
        return None
    if np.array_equal(ia, ib):  # the common case: the same ids in the same order
        return np.arange(ia.size)
    if ia.dtype.kind != ib.dtype.kind:  # e.g. int ids against str ids: compare as text
        ia, ib = ia.astype(str), ib.astype(str)
    oa, ob = np.argsort(ia, kind="stable"), np.argsort(ib, kind="stable")
    sa, sb = ia[oa], ib[ob]
    if not np.array_equal(sa, sb) or (sa.size > 1 and bool(np.any(sa[1:] == sa[:-1]))):
        return None
    idx = np.empty(ia.size, dtype=np.int64)
    idx[oa] = ob  # the sample at a's position oa[k] is b's ob[k]
    return idx


def _pairing(a: PredictionSnapshot, b: PredictionSnapshot) -> tuple[np.ndarray | None, str]:
    """Indices into b that align it with a (None: unpaired), and the reason in words."""
    if a.ids is not None and b.ids is not None:
        idx = _align(np.asarray(a.ids), np.asarray(b.ids))
        if idx is not None and np.array_equal(np.asarray(a.y_true), np.asarray(b.y_true)[idx]):
            return idx, "paired by sample id"
        return None, "unpaired: the snapshots hold different sample ids"
    ya, yb = np.asarray(a.y_true), np.asarray(b.y_true)
    if ya.shape == yb.shape and np.array_equal(ya, yb):
        return np.arange(ya.size), "paired by position (same length and labels)"
    return None, "unpaired: the snapshots differ in length or labels"


def verdict(metric: str, difference: float, significant: bool) -> str:
    """``"b_better"``, ``"a_better"``, ``"within_noise"`` or ``"unknown"`` (no direction)."""
    if not significant or not math.isfinite(difference):
        return "within_noise" if math.isfinite(difference) else "unknown"
    higher = direction("log_loss" if metric == "loss" else metric)
    if higher is None:
        return "unknown"
    return "b_better" if (difference > 0) == higher else "a_better"


def _accuracy_row(
    pa: Prepared, pb: Prepared, paired: bool, resampler: Resampler | None
) -> dict[str, Any]:
    ca = (pa.y_true == pa.predicted).astype(np.float64)
    cb = (pb.y_true == pb.predicted).astype(np.float64)
    if paired:
        boot = paired_bootstrap(ca, cb, lambda s: s[..., 0] / len(ca), resampler=resampler)
        test = mcnemar(ca > 0, cb > 0)
        return {"a": boot["a"], "b": boot["b"], "difference": boot["difference"],
                "ci_low": boot["ci_low"], "ci_high": boot["ci_high"],
                "p_value": test["p_value"], "test": test["test"],
                "interval": "paired percentile bootstrap",
                "discordant": {"a_only": test["b"], "b_only": test["c"]}}  # fmt: skip
    ka, kb, na, nb = int(ca.sum()), int(cb.sum()), ca.size, cb.size
    low, high = newcombe_interval(ka, na, kb, nb)
    return {"a": ka / na, "b": kb / nb, "difference": kb / nb - ka / na, "ci_low": low,
            "ci_high": high, "p_value": two_proportion_test(ka, na, kb, nb),
            "test": "two-proportion z-test (unpaired)",
            "interval": "Newcombe hybrid score (Wilson)"}  # fmt: skip


def _auc_row(pa: Prepared, pb: Prepared, paired: bool) -> dict[str, Any] | str:
    if pa.probs is None or pb.probs is None or pa.n_classes != 2 or pb.n_classes != 2:
        return "roc_auc is compared for two classes with probability scores"
    if paired:
        out = delong_paired(pa.y_true, pa.probs[:, 1], pb.probs[:, 1])
        return {**out, "test": "DeLong (paired)", "interval": "DeLong normal"}
    out = delong_unpaired(pa.y_true, pa.probs[:, 1], pb.y_true, pb.probs[:, 1])
    return {**out, "test": "DeLong (unpaired)", "interval": "DeLong normal"}


def compare_snapshots(
    a: PredictionSnapshot,
    b: PredictionSnapshot,
    *,
    metrics: Sequence[str] | None = None,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
    confidence: float = 0.95,
) -> dict[str, Any]:
    """Compare two snapshots metric by metric (see the module docstring for the shape)."""
    idx, pairing = _pairing(a, b)
    paired = idx is not None
    yb, pb_pred = (b.y_true, b.y_pred) if idx is None else (
        np.asarray(b.y_true)[idx], np.asarray(b.y_pred)[idx])  # fmt: skip
    pa, pb = prepare(a.y_true, a.y_pred), prepare(yb, pb_pred)
    if pa.task != pb.task:
        raise InvalidInputError(
            f"the runs must solve the same task. Got {pa.task} and {pb.task} instead."
        )
    wanted = (
        list(metrics)
        if metrics
        else list(CLASSIFICATION if pa.task == "classification" else REGRESSION)
    )
    resampler = Resampler(len(pa.y_true), n_resamples=n_resamples, seed=seed) if paired else None
    rows: list[dict[str, Any]] = []
    for name in wanted:
        row: dict[str, Any] | str
        if name == "accuracy" and pa.task == "classification":
            row = _accuracy_row(pa, pb, paired, resampler)
        elif name == "roc_auc" and pa.task == "classification":
            row = _auc_row(pa, pb, paired)
        else:
            da, db = decompose(pa, name), decompose(pb, name)
            if isinstance(da, str) or isinstance(db, str):
                row = da if isinstance(da, str) else str(db)
            elif paired:
                boot = paired_bootstrap(da.stats, db.stats, da.compute, resampler=resampler)
                row = {**boot, "test": "paired bootstrap",
                       "interval": "paired percentile bootstrap"}  # fmt: skip
            else:
                row = {**unpaired_bootstrap(da.stats, db.stats, da.compute,
                                            n_resamples=n_resamples, seed=seed),
                       "test": "bootstrap (unpaired)",
                       "interval": "percentile bootstrap (independent)"}  # fmt: skip
        if isinstance(row, str):
            rows.append({"metric": name, "a": None, "b": None, "difference": None,
                         "ci_low": None, "ci_high": None, "p_value": None, "test": None,
                         "significant": False, "skipped": row})  # fmt: skip
            continue
        rows.append({"metric": name, **{k: _num(v) for k, v in row.items()}})
    alpha = 1.0 - confidence
    for r in rows:
        if r["p_value"] is not None:
            r["significant"] = bool(r["p_value"] < alpha)
    return {
        "split": a.split, "paired": paired,
        "n": len(pa.y_true) if paired else [len(a.y_true), len(b.y_true)],
        "pairing": pairing, "metrics": rows,
        "method": f"{n_resamples} bootstrap resamples, seed {seed}, {confidence:.0%} intervals",
    }  # fmt: skip


def _num(value: Any) -> Any:
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(float(value)) else None
    return value


def compare(
    *runs: RunRecord | str,
    split: str = "val",
    metrics: Sequence[str] | None = None,
    store: Any = None,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
    confidence: float = 0.95,
    lang: str = "en",
) -> list[dict[str, Any]]:
    """Compare every run with the first, on the latest prediction snapshot of ``split``.

    Returns one dict per pair (first vs second, first vs third, ...). With three or more runs
    each metric's p-values are adjusted with Holm's method (``"correction": "Holm"``) and
    ``significant`` uses the adjusted value.

    >>> import tempfile, pathlib, numpy as np, fitscope
    >>> store = fitscope.Store(pathlib.Path(tempfile.mkdtemp()) / "r.db")
    >>> rng = np.random.default_rng(0); y = rng.integers(0, 2, 2000)
    >>> for name, noise in (("noisy", 1.5), ("sharp", 0.5)):  # names no run id can start with
    ...     with fitscope.init(name=name, store=store) as run:
    ...         p = 1 / (1 + np.exp(-(4 * (y - 0.5) + rng.normal(0, noise * 2, 2000))))
    ...         run.log_predictions(y, p, split="val")
    >>> [pair] = fitscope.compare("noisy", "sharp", store=store)
    >>> pair["paired"], pair["metrics"][0]["metric"], pair["metrics"][0]["verdict"]
    (True, 'accuracy', 'b_better')
    """
    from fitscope.doctor.i18n import check_lang, translator
    from fitscope.doctor.messages import LABELS

    check_lang(lang)
    if len(runs) < 2:
        raise InvalidInputError(f"runs must name at least two runs. Got {len(runs)} instead.")
    records: list[RunRecord] = []
    for run in runs:
        if isinstance(run, str):
            if store is None:
                raise InvalidInputError(
                    f"store must be given to look up run {run!r}. Got store=None instead."
                )
            records.append(store.get_run(run))
        else:
            records.append(run)
    snaps = []
    for record in records:
        snap = latest_snapshot(record, split)
        if snap is None:
            raise InvalidInputError(
                f"run {record.name!r} must have a prediction snapshot on split {split!r}. Got "
                f"none instead. Log one with run.log_predictions(y_true, y_pred, split={split!r})."
            )
        snaps.append(snap)
    pairs = []
    for record, snap in zip(records[1:], snaps[1:], strict=True):
        out = compare_snapshots(snaps[0], snap, metrics=metrics, n_resamples=n_resamples,
                                seed=seed, confidence=confidence)  # fmt: skip
        out["split"] = split
        out["a_run"] = {"id": records[0].id, "name": records[0].name}
        out["b_run"] = {"id": record.id, "name": record.name}
        out["correction"] = "none" if len(records) == 2 else "Holm"
        pairs.append(out)
    if len(pairs) > 1:  # Holm within each metric, over the pairs
        for j in range(len(pairs[0]["metrics"])):
            col = [p["metrics"][j] for p in pairs]
            have = [r for r in col if r["p_value"] is not None]
            if have:
                adjusted = holm([r["p_value"] for r in have])
                for r, q in zip(have, adjusted.tolist(), strict=True):
                    r["p_value_unadjusted"], r["p_value"] = r["p_value"], q
                    r["significant"] = bool(q < 1.0 - confidence)
    tr = translator(lang).gettext
    for p in pairs:
        for r in p["metrics"]:
            diff = r["difference"]
            code = verdict(r["metric"], math.nan if diff is None else diff, r["significant"])
            r["verdict"], r["verdict_text"] = code, tr(LABELS[f"verdict.{code}"])
    return pairs
