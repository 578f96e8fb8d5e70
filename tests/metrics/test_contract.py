"""The metric contract, checked for every registered metric (a new metric is a registry entry;
this suite then covers it): batch-split invariance of merge in any order and grouping, inputs
unchanged, pickling, empty -> nan, weight scaling, unit weights, metadata."""

from __future__ import annotations

import itertools
import pickle
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import fitscope
from fitscope import metric
from fitscope.metrics import available
from fitscope.metrics._registry import REGISTRY

Data = tuple[np.ndarray, np.ndarray]


def _binary(rng: np.random.Generator, n: int) -> Data:
    y = (rng.random(n) < 0.35).astype(np.int64)
    y[:2] = [0, 1]
    p = np.clip(np.round(rng.random(n) * 0.6 + 0.3 * y, 2), 0, 1)  # rounded: many ties
    return y, p


def _multiclass(rng: np.random.Generator, n: int, k: int = 4) -> Data:
    y = rng.integers(0, k, n)
    y[:k] = np.arange(k)
    logits = rng.normal(size=(n, k))
    logits[np.arange(n), y] += 1.0
    p = np.exp(logits)
    return y, p / p.sum(axis=1, keepdims=True)


def _regression(rng: np.random.Generator, n: int) -> Data:
    y = rng.normal(size=n) * 3 + 50
    return y, y + rng.normal(size=n)


NAMES = np.array(["ant", "bee", "cat", "dog"])


def _text_labels(rng: np.random.Generator, n: int) -> Data:
    # Class names as strings, predicted as names (70% right).
    y = rng.integers(0, 4, n)
    y[:4] = np.arange(4)
    pred = np.where(rng.random(n) < 0.7, y, rng.integers(0, 4, n))
    return NAMES[y], NAMES[pred]


def _negative_labels(rng: np.random.Generator, n: int) -> Data:
    values = np.array([-2, 0, 5])
    y = rng.integers(0, 3, n)
    pred = np.where(rng.random(n) < 0.6, y, rng.integers(0, 3, n))
    return values[y], values[pred]


def _text_binary(rng: np.random.Generator, n: int) -> Data:
    y, p = _binary(rng, n)
    return np.array(["ham", "spam"])[y], p


def _text_multiclass(rng: np.random.Generator, n: int) -> Data:
    y, p = _multiclass(rng, n, k=3)
    return NAMES[y], p


def _multilabel(rng: np.random.Generator, n: int, k: int = 4) -> Data:
    # 0/1 indicators (an empty row and a full row at the start of every part the tests cut)
    # with per-label probabilities.
    y = (rng.random((n, k)) < 0.4).astype(np.int64)
    for i in (0, 120, 150):
        if i + 1 < n:
            y[i], y[i + 1] = 0, 1
    p = np.clip(np.round(0.45 * y + rng.random((n, k)) * 0.55, 2), 0, 1)
    return y, p


def _multilabel_labels(rng: np.random.Generator, n: int) -> Data:
    y, p = _multilabel(rng, n)
    return y, (p >= 0.5).astype(np.int64)


def _multilabel_rows(rng: np.random.Generator, n: int) -> Data:
    # Every row holds both a 0 and a 1 (ROC-AUC with average="samples" is defined per row).
    y, p = _multilabel(rng, n, k=5)
    y[:, 0], y[:, 1] = 1, 0
    return y, p


def _multioutput(rng: np.random.Generator, n: int) -> Data:
    y = rng.normal(size=(n, 3)) * [1.0, 10.0, 0.5] + [0.0, 1e6, -3.0]
    return y, y + rng.normal(size=(n, 3))


def _hinge(rng: np.random.Generator, n: int) -> Data:
    y = rng.integers(0, 2, n)
    return y, rng.normal(size=n) + (2 * y - 1) * 0.5


# Every registered metric, with the data (and options) it is checked on.
CASES: dict[str, tuple[Callable[[np.random.Generator, int], Data], dict[str, Any]]] = {
    "accuracy": (_binary, {}),
    "zero_one_loss": (_multiclass, {}),
    "hamming_loss": (_multilabel, {}),
    "balanced_accuracy": (_multiclass, {}),
    "precision": (_binary, {}),
    "recall": (_multiclass, {"average": "macro"}),
    "f1": (_multiclass, {"average": "weighted"}),
    "fbeta": (_multiclass, {"average": "macro", "beta": 2.0}),
    "confusion_matrix": (_multiclass, {}),
    "log_loss": (_multiclass, {}),
    "brier_score": (_binary, {}),
    "roc_auc": (_binary, {}),
    "average_precision": (_multiclass, {"average": "micro"}),
    "top_k_accuracy": (_multiclass, {"k": 2}),
    "expected_calibration_error": (_multiclass, {"n_bins": 10}),
    "mse": (_regression, {}),
    "rmse": (_regression, {}),
    "mae": (_regression, {}),
    "rss": (_regression, {}),
    "huber": (_regression, {"delta": 0.5}),
    "r2": (_regression, {}),
    "hinge": (_hinge, {}),
}
# Extra variants that exercise other code paths of the same metrics.
VARIANTS = [
    ("roc_auc", _multiclass, {"average": "weighted"}),
    ("log_loss", _binary, {"reduction": "sum"}),
    ("f1", _binary, {"average": "binary"}),
    ("expected_calibration_error", _binary, {}),
    ("brier_score", _multiclass, {}),
    ("top_k_accuracy", _binary, {"k": 1}),
    ("average_precision", _binary, {}),
    # Labels of any kind; "labels" and "pos_label" go to the Evaluator (see _split_opts).
    ("f1", _text_labels, {"average": None}),
    ("fbeta", _text_labels, {"average": "micro", "beta": 0.5, "zero_division": 1}),
    ("confusion_matrix", _text_labels, {"normalize": "true"}),
    ("balanced_accuracy", _negative_labels, {"adjusted": True}),
    ("accuracy", _negative_labels, {"normalize": False}),
    ("precision", _text_labels, {"average": None, "labels": ("dog", "cat", "bee", "ant")}),
    ("recall", _negative_labels, {"average": "macro", "labels": (5, 0, -2, 7)}),
    ("roc_auc", _text_binary, {"labels": ("ham", "spam")}),
    ("log_loss", _text_multiclass, {"labels": ("ant", "bee", "cat")}),
    ("roc_auc", _text_multiclass, {"average": None, "labels": ("ant", "bee", "cat")}),
    ("average_precision", _text_binary, {"labels": ("ham", "spam"), "pos_label": "ham"}),
    ("zero_one_loss", _text_labels, {"normalize": False}),
    ("roc_auc", _multiclass, {"multi_class": "ovo"}),
    (
        "roc_auc",
        _text_multiclass,
        {"average": "weighted", "multi_class": "ovo", "labels": ("ant", "bee", "cat")},
    ),
    ("roc_auc", _binary, {"max_fpr": 0.3}),
    # Multilabel targets.
    ("accuracy", _multilabel, {}),
    ("f1", _multilabel, {"average": "samples"}),
    ("fbeta", _multilabel_labels, {"average": None, "beta": 2.0}),
    ("precision", _multilabel_labels, {"average": "micro", "zero_division": 1}),
    ("recall", _multilabel, {"average": "weighted"}),
    ("zero_one_loss", _multilabel_labels, {"normalize": False}),
    ("hamming_loss", _multiclass, {}),
    ("roc_auc", _multilabel, {"average": "weighted"}),
    ("average_precision", _multilabel, {"average": "micro"}),
    ("average_precision", _multilabel_labels, {"average": None}),
    ("average_precision", _multilabel, {"average": "samples"}),
    ("roc_auc", _multilabel_rows, {"average": "samples"}),
    ("log_loss", _multilabel, {}),
    ("log_loss", _multilabel, {"average": None}),
    ("log_loss", _multilabel_labels, {"average": "weighted"}),
    ("log_loss", _multilabel, {"reduction": "sum", "average": None}),
    ("brier_score", _multilabel, {"average": None}),
    ("brier_score", _multilabel_labels, {"average": "weighted"}),
    # labels= selects label columns (by index, in its order) for multilabel targets.
    ("f1", _multilabel, {"average": "macro", "labels": (3, 0)}),
    ("precision", _multilabel_labels, {"average": "samples", "labels": (1, 2)}),
    ("log_loss", _multilabel, {"average": None, "labels": (2, 1)}),
    ("hamming_loss", _multilabel, {"labels": (1, 3)}),
    ("roc_auc", _multilabel, {"average": None, "labels": (0, 2)}),
    # Multioutput regression.
    ("mse", _multioutput, {"multioutput": "raw_values"}),
    ("r2", _multioutput, {}),
    ("r2", _multioutput, {"multioutput": "variance_weighted"}),
    ("mae", _multioutput, {"multioutput": (0.2, 0.3, 0.5)}),
    ("rmse", _multioutput, {}),
    ("huber", _multioutput, {"delta": 0.5, "multioutput": "raw_values"}),
    ("rss", _multioutput, {}),
]
ALL = [(name, gen, opts) for name, (gen, opts) in CASES.items()] + VARIANTS
IDS = [f"{n}-{g.__name__.strip('_')}-{'-'.join(map(str, o.values()))}" for n, g, o in ALL]
EV_KEYS = ("labels", "pos_label")


def _split_opts(opts: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(metric options, Evaluator options)."""
    return (
        {k: v for k, v in opts.items() if k not in EV_KEYS},
        {k: v for k, v in opts.items() if k in EV_KEYS},
    )


def test_every_registered_metric_has_a_case() -> None:
    assert set(REGISTRY) == set(CASES)


def _assert_same(a: dict[str, Any], b: dict[str, Any], rtol: float = 1e-10) -> None:
    assert a.keys() == b.keys()
    for key in a:
        np.testing.assert_allclose(a[key], b[key], rtol=rtol, atol=1e-12, err_msg=key)


def _split(rng: np.random.Generator, n: int, parts: int) -> list[slice]:
    cuts = np.sort(rng.choice(np.arange(1, n), size=parts - 1, replace=False))
    bounds = [0, *cuts.tolist(), n]
    return [slice(a, b) for a, b in itertools.pairwise(bounds)]


@pytest.mark.parametrize(("name", "gen", "opts"), ALL, ids=IDS)
@pytest.mark.parametrize("weighted", [False, True])
def test_any_split_merged_in_any_order_equals_one_pass(name, gen, opts, weighted, seed=0) -> None:
    rng = np.random.default_rng(abs(hash((name, weighted))) % 2**32)
    y, p = gen(rng, 400)
    w = rng.random(400) * 2 if weighted else None
    mopts, ev_opts = _split_opts(opts)
    spec = metric(name, **mopts)
    whole = fitscope.evaluate(y, p, metrics=[spec], sample_weight=w, **ev_opts)
    for trial in range(3):
        slices = _split(rng, 400, parts=2 + trial * 3)
        evs = []
        for sl in slices:
            ev = fitscope.Evaluator([spec], **ev_opts)
            ev.update(y[sl], p[sl], None if w is None else w[sl])
            evs.append(ev)
        order = rng.permutation(len(evs))
        # Left fold in a random order...
        acc = evs[order[0]]
        for i in order[1:]:
            acc = acc.merge(evs[i])
        _assert_same(acc.compute(), whole)
        # ...and a balanced tree, the grouping a distributed reduce uses.
        level = [evs[i] for i in order]
        while len(level) > 1:
            level = [
                level[i].merge(level[i + 1]) if i + 1 < len(level) else level[i]
                for i in range(0, len(level), 2)
            ]
        _assert_same(level[0].compute(), whole)
        # Feeding the batches to one evaluator gives the same again.
        one = fitscope.Evaluator([spec], **ev_opts)
        for sl in slices:
            one.update(y[sl], p[sl], None if w is None else w[sl])
        _assert_same(one.compute(), whole)


@pytest.mark.parametrize(("name", "gen", "opts"), ALL, ids=IDS)
def test_merge_and_update_leave_inputs_unchanged(name, gen, opts) -> None:
    rng = np.random.default_rng(1)
    y, p = gen(rng, 200)
    w = rng.random(200)
    y0, p0, w0 = y.copy(), p.copy(), w.copy()
    mopts, ev_opts = _split_opts(opts)
    spec = metric(name, **mopts)
    a = fitscope.Evaluator([spec], **ev_opts).update(y[:120], p[:120], w[:120])
    b = fitscope.Evaluator([spec], **ev_opts).update(y[120:], p[120:], w[120:])
    ra, rb = a.compute(), b.compute()
    merged = a.merge(b)
    merged.compute()
    _assert_same(a.compute(), ra)
    _assert_same(b.compute(), rb)
    np.testing.assert_array_equal(y, y0)
    np.testing.assert_array_equal(p, p0)
    np.testing.assert_array_equal(w, w0)
    assert merged.n_samples == 200 and a.n_samples == 120 and b.n_samples == 80


@pytest.mark.parametrize(("name", "gen", "opts"), ALL, ids=IDS)
def test_pickles_mid_stream(name, gen, opts) -> None:
    rng = np.random.default_rng(2)
    y, p = gen(rng, 300)
    mopts, ev_opts = _split_opts(opts)
    spec = metric(name, **mopts)
    ev = fitscope.Evaluator([spec], **ev_opts).update(y[:150], p[:150])
    clone = pickle.loads(pickle.dumps(ev))
    _assert_same(clone.compute(), ev.compute())
    clone.update(y[150:], p[150:])
    _assert_same(clone.compute(), fitscope.evaluate(y, p, metrics=[spec], **ev_opts))


@pytest.mark.parametrize(("name", "gen", "opts"), ALL, ids=IDS)
def test_empty_computes_to_nan_and_reset_empties(name, gen, opts) -> None:
    mopts, ev_opts = _split_opts(opts)
    spec = metric(name, **mopts)
    ev = fitscope.Evaluator([spec], **ev_opts)
    assert np.isnan(ev.compute()[spec.key])
    y, p = gen(np.random.default_rng(3), 50)
    ev.update(y, p)
    ev.reset()
    assert ev.n_samples == 0
    assert np.isnan(ev.compute()[spec.key])


@pytest.mark.parametrize(("name", "gen", "opts"), ALL, ids=IDS)
def test_unit_weights_equal_no_weights_and_scaling_weights(name, gen, opts) -> None:
    rng = np.random.default_rng(4)
    y, p = gen(rng, 300)
    mopts, ev_opts = _split_opts(opts)
    spec = metric(name, **mopts)
    plain = fitscope.evaluate(y, p, metrics=[spec], **ev_opts)
    _assert_same(
        fitscope.evaluate(y, p, metrics=[spec], sample_weight=np.ones(300), **ev_opts), plain
    )
    w = rng.random(300) + 0.1
    base = fitscope.evaluate(y, p, metrics=[spec], sample_weight=w, **ev_opts)[spec.key]
    scaled = fitscope.evaluate(y, p, metrics=[spec], sample_weight=w * 7.0, **ev_opts)[spec.key]
    # Sums (rss, summed log loss, confusion counts) scale with the weights; means do not.
    extensive = (
        (name in ("rss", "confusion_matrix") and not opts.get("normalize"))
        or opts.get("reduction") == "sum"
        or opts.get("normalize") is False
    )
    np.testing.assert_allclose(scaled, base * 7.0 if extensive else base, rtol=1e-10)


@pytest.mark.parametrize(("name", "gen", "opts"), ALL, ids=IDS)
def test_integer_weights_equal_repeating_samples(name, gen, opts) -> None:
    rng = np.random.default_rng(5)
    y, p = gen(rng, 120)
    reps = rng.integers(1, 4, 120)
    mopts, ev_opts = _split_opts(opts)
    spec = metric(name, **mopts)
    weighted = fitscope.evaluate(y, p, metrics=[spec], sample_weight=reps.astype(float), **ev_opts)
    repeated = fitscope.evaluate(
        np.repeat(y, reps, axis=0), np.repeat(p, reps, axis=0), metrics=[spec], **ev_opts
    )
    _assert_same(weighted, repeated, rtol=1e-9)


def test_metadata_is_declared_for_every_metric() -> None:
    for d in available():
        # Every scalar metric declares a direction; only the confusion matrix has none.
        assert isinstance(d.higher_is_better, bool) or d.name == "confusion_matrix", d.name
        assert d.description, d.name
        assert d.task in {"classification", "regression", "hinge"}
    losses = {"log_loss", "mse", "rmse", "mae", "rss", "huber", "hinge", "brier_score"}
    assert all(not fitscope.metrics.describe(n).higher_is_better for n in losses)
    assert fitscope.metrics.describe("cross_entropy").name == "log_loss"


def test_low_precision_and_narrow_label_dtypes_count_correctly() -> None:
    # int8 labels must not overflow counts (torcheval's confusion matrix does); bool works too.
    y = np.tile(np.array([0, 1, 1], dtype=np.int8), 200)
    p = np.tile(np.array([0, 1, 0], dtype=np.int8), 200)
    cm = fitscope.metrics.confusion_matrix(y, p)
    np.testing.assert_array_equal(cm, [[200, 0], [200, 200]])
    assert cm.dtype == np.int64
    assert fitscope.metrics.accuracy(y.astype(bool), p.astype(bool)) == pytest.approx(2 / 3)
    probs = np.tile(np.array([0.2, 0.9, 0.4], dtype=np.float32), 200)
    assert fitscope.metrics.accuracy(y, probs) == pytest.approx(2 / 3)


@pytest.mark.parametrize(("name", "gen", "opts"), ALL, ids=IDS)
def test_baselines_of_merged_parts_equal_one_pass(name, gen, opts) -> None:
    """The no-skill baselines come from the same mergeable state: any split, merged, gives the
    one-pass baselines (per-label arrays for multilabel average=None)."""
    rng = np.random.default_rng(6)
    y, p = gen(rng, 300)
    w = rng.random(300) + 0.1
    mopts, ev_opts = _split_opts(opts)
    spec = metric(name, **mopts)
    whole = fitscope.Evaluator([spec], **ev_opts).update(y, p, w).baselines()
    parts = [
        fitscope.Evaluator([spec], **ev_opts).update(y[s], p[s], w[s]) for s in _split(rng, 300, 4)
    ]
    merged = parts[0]
    for ev in parts[1:]:
        merged = merged.merge(ev)
    got = merged.baselines()
    if whole[spec.key] is None:
        assert got[spec.key] is None
    else:
        np.testing.assert_allclose(got[spec.key], whole[spec.key], rtol=1e-10, atol=1e-12)


# ------------------------------------------------------------ the caller's arrays stay theirs
# A state sorts and partitions scores in place and keeps them between batches: that memory must
# be its own. Layouts where a transpose or dtype cast returns the caller's memory (Fortran order,
# column views, a single row) once made ROC-AUC / average precision sort the caller's array,
# raise on a read-only one, and stream wrong values from a reused batch buffer.


def _fortran(a: np.ndarray) -> np.ndarray:
    return np.asfortranarray(a) if a.ndim == 2 else a.copy()


def _permuted_view(a: np.ndarray) -> np.ndarray:
    # The values of ``a``, read through a column permutation (as P[:, perm] of a table whose
    # columns are in another order).
    if a.ndim != 2:
        return a.copy()
    perm = np.roll(np.arange(a.shape[1]), 1)
    base = np.empty_like(a)
    base[:, perm] = a
    return base[:, perm]


def _strided_view(a: np.ndarray) -> np.ndarray:
    # A view with negative or non-unit strides: reversed columns of a Fortran-ordered copy.
    if a.ndim != 2:
        return np.repeat(a, 2, axis=0)[::2]
    return np.asfortranarray(a[:, ::-1])[:, ::-1]


def _read_only(a: np.ndarray) -> np.ndarray:
    out = a.copy(order="K")  # keeps Fortran order
    out.flags.writeable = False
    return out


LAYOUTS: dict[str, Callable[[np.ndarray], Any]] = {
    "F": _fortran,
    "permuted": _permuted_view,
    "strided": _strided_view,
    "read-only": _read_only,
    "read-only-F": lambda a: _read_only(_fortran(a)),
}


def _pandas(a: np.ndarray) -> Any:
    pd = pytest.importorskip("pandas")
    return pd.DataFrame(a) if a.ndim == 2 else pd.Series(a)


def _values(x: Any) -> np.ndarray:
    return x.to_numpy() if hasattr(x, "to_numpy") else x


def _rows(x: Any, sl: slice) -> Any:
    return x.iloc[sl] if hasattr(x, "iloc") else x[sl]


def _functional(name: str, opts: dict[str, Any]) -> tuple[Callable[..., Any], dict[str, Any]]:
    import inspect

    fn = getattr(fitscope.metrics, name)
    params = inspect.signature(fn).parameters
    return fn, {k: v for k, v in opts.items() if k in params}


def _every_path(name: str, opts: dict[str, Any], y: Any, p: Any, w: Any) -> list[Any]:
    """The metric through the function, evaluate() and a two-batch Evaluator (computed twice:
    compute sorts the kept scores)."""
    mopts, ev_opts = _split_opts(opts)
    spec = metric(name, **mopts)
    fn, fn_opts = _functional(name, opts)
    out = [fn(y, p, sample_weight=w, **fn_opts)]
    out.append(fitscope.evaluate(y, p, metrics=[spec], sample_weight=w, **ev_opts)[spec.key])
    ev = fitscope.Evaluator([spec], **ev_opts)
    half = slice(0, 70), slice(70, None)
    for sl in half:
        ev.update(_rows(y, sl), _rows(p, sl), None if w is None else _rows(w, sl))
    out += [ev.compute()[spec.key], ev.compute()[spec.key]]
    return out


@pytest.mark.parametrize(("name", "gen", "opts"), ALL, ids=IDS)
@pytest.mark.parametrize("layout", [*LAYOUTS, "pandas"])
def test_inputs_of_any_layout_are_left_unchanged_and_read_alike(name, gen, opts, layout) -> None:
    rng = np.random.default_rng(7)
    y, p = gen(rng, 120)
    w = rng.random(120) + 0.1
    make = _pandas if layout == "pandas" else LAYOUTS[layout]
    for weights in (None, w):
        want = _every_path(name, opts, y, p, weights)
        args = [make(a) for a in (y, p)] + ([] if weights is None else [make(weights)])
        before = [_values(a).copy() for a in args]
        writeable = [_values(a).flags.writeable for a in args]
        got = _every_path(name, opts, *args[:2], None if weights is None else args[2])
        for a, b, flag in zip(args, before, writeable, strict=True):
            np.testing.assert_array_equal(_values(a), b)
            assert _values(a).flags.writeable == flag
        for g, x in zip(got, want, strict=True):
            np.testing.assert_allclose(g, x, rtol=1e-10, atol=1e-12, err_msg=f"{name} {layout}")


@pytest.mark.parametrize(("name", "gen", "opts"), ALL, ids=IDS)
@pytest.mark.parametrize("order", ["C", "F"])
def test_a_reused_batch_buffer_streams_the_one_pass_result(name, gen, opts, order) -> None:
    # A training loop fills one buffer per batch: what the evaluator keeps must not be it.
    rng = np.random.default_rng(8)
    y, p = gen(rng, 160)
    w = rng.random(160) + 0.1
    mopts, ev_opts = _split_opts(opts)
    spec = metric(name, **mopts)
    for weights in (None, w):
        whole = fitscope.evaluate(y, p, metrics=[spec], sample_weight=weights, **ev_opts)
        bufs = [np.empty_like(a[:40], order=order) for a in (y, p, w)]  # type: ignore[call-overload]
        ev = fitscope.Evaluator([spec], **ev_opts)
        for start in range(0, 160, 40):
            for buf, a in zip(bufs, (y, p, w), strict=True):
                buf[...] = a[start : start + 40]
            ev.update(bufs[0], bufs[1], None if weights is None else bufs[2])
        _assert_same(ev.compute(), whole)


def test_reused_buffers_of_one_row_and_fortran_order_stream_scikit_learn_s_ranking() -> None:
    # The cases that aliased: a Fortran-ordered buffer, and a single row, whose transpose is
    # contiguous in any order (so the C-ordered buffer of a batch of one aliased too).
    import sklearn.metrics as skm

    rng = np.random.default_rng(9)
    y, p = _multiclass(rng, 48, k=3)
    ym, pm = _multilabel(rng, 48)
    specs = [metric("roc_auc"), metric("average_precision")]
    ml_specs = [*specs, metric("average_precision", average="samples")]
    onehot = np.eye(3)[y]
    want = [skm.roc_auc_score(y, p, multi_class="ovr"), skm.average_precision_score(onehot, p)]
    want_ml = [
        skm.roc_auc_score(ym, pm),
        skm.average_precision_score(ym, pm),
        skm.average_precision_score(ym, pm, average="samples"),
    ]
    for order in ("C", "F"):
        for size in (1, 8):
            for (yy, pp), sp, ref in (((y, p), specs, want), ((ym, pm), ml_specs, want_ml)):
                ybuf = np.empty_like(yy[:size], order=order)  # type: ignore[call-overload]
                pbuf = np.empty_like(pp[:size], order=order)  # type: ignore[call-overload]
                ev = fitscope.Evaluator(sp)
                for start in range(0, 48, size):
                    ybuf[...], pbuf[...] = yy[start : start + size], pp[start : start + size]
                    ev.update(ybuf, pbuf)
                got = ev.compute()
                for spec, value in zip(sp, ref, strict=True):
                    assert got[spec.key] == pytest.approx(value, rel=1e-12), (order, size, spec)
