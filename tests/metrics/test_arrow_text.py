"""Text labels read from Arrow's UTF-8 buffers (``_textlabels.from_arrow``: pandas str Series
backed by pyarrow, pyarrow arrays) against the factorize route and scikit-learn: sliced and
chunked arrays, large_string, non-ASCII names, names of different lengths and names that are
prefixes of each other, a label the strided sample missed, and nulls."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as m

import fitscope
from fitscope import _textlabels
from fitscope import _validation as v

N = _textlabels.MIN_SIZE + 1000


def _arrow(values: list[str], typ: pa.DataType, chunks: int, cut: int) -> pa.ChunkedArray:
    """``values`` as ``chunks`` chunks of type ``typ``, each a slice (offset ``cut``) of a
    longer array, so that no chunk starts at its buffers' first byte."""
    bounds = np.linspace(0, len(values), chunks + 1).astype(int)
    parts = []
    for a, b in itertools.pairwise(bounds):
        padded = ["pad-before"] * cut + values[a:b] + ["pad-after"]
        parts.append(pa.array(padded, type=typ).slice(cut, b - a))
    return pa.chunked_array(parts, type=typ)


def _expect(got: object, values: list[str]) -> None:
    """``got`` is the labels ``values`` read once: names sorted, each label's index, and the
    unicode array of every label (np.asarray) equal to NumPy's conversion."""
    assert isinstance(got, _textlabels.CodedText)
    want = np.array(values)
    assert got.shape == want.shape and got.dtype == want.dtype
    assert np.array_equal(got.classes, np.unique(want))
    assert np.array_equal(got.classes[got.codes], want)
    arr = np.asarray(got)
    assert arr.dtype.kind == "U" and np.array_equal(arr, want)
    assert not arr.flags.writeable and not got.codes.flags.writeable


NAME_SETS = {
    "equal width 7": [f"class_{i}" for i in range(10)],
    "equal width 3": ["neg", "pos"],
    "equal width 8": ["abcdefgh", "abcdefgi", "zbcdefgj"],
    "equal width 17": ["x" * 16 + c for c in "abc"],
    "prefixes": ["a", "ab", "abc", ""],
    "non-ASCII": ["cat", "ćat", "猫", "dogs", "d0g", "a b"],
    "one class": ["only"],
    "same first bytes": ["ća", "ćb", "猫a"],  # the telling byte is a continuation byte
}


@pytest.mark.parametrize("names", list(NAME_SETS), ids=list(NAME_SETS))
@pytest.mark.parametrize("typ", [pa.string(), pa.large_string()], ids=["string", "large"])
@pytest.mark.parametrize("chunks,cut", [(1, 0), (1, 5), (3, 2), (7, 11)])
def test_from_arrow_is_exact(names: str, typ: pa.DataType, chunks: int, cut: int) -> None:
    rng = np.random.default_rng(len(names) + chunks + cut)
    pool = np.array(NAME_SETS[names], dtype=object)
    values = pool[rng.integers(0, pool.size, N)].tolist()
    column = _arrow(values, typ, chunks, cut)
    _expect(_textlabels.from_arrow(column), values)
    if chunks == 1:
        _expect(_textlabels.from_arrow(column.chunk(0)), values)  # an Array, not chunked


@pytest.mark.parametrize("names", list(NAME_SETS), ids=list(NAME_SETS))
def test_labels_the_sample_missed_fall_back_and_stay_exact(names: str) -> None:
    rng = np.random.default_rng(7)
    pool = NAME_SETS[names]
    base = [pool[i] for i in rng.integers(0, len(pool), N)]
    first = pool[0]
    # Same length and same telling byte as a class, a prefix, an extension, a new length.
    nul = "\0" * len(first.encode())  # NUL bytes, as the padding of a shorter class
    for odd in (first[:-1] + "\x7f" if first else "z", first + "x", first[:-1], "new-one", nul):
        if odd in pool:
            continue
        values = list(base)
        values[N // 2 + 1] = odd  # between the strided sample's rows
        column = _arrow(values, pa.string(), 3, 1)
        assert _textlabels.from_arrow(column) is None, odd
        # The pandas column falls back to pandas.factorize: still exact.
        series = pd.Series(pd.arrays.ArrowStringArray(column))
        if odd == nul:  # a unicode array drops trailing NULs: the general path, as before
            assert np.array_equal(v.as_label_array(series, "y_true"), np.array(values))
        else:
            _expect(v.read_labels(series, "y_true"), values)


def test_nulls_take_the_general_path() -> None:
    base = ["dog", "cat"] * (N // 2)
    column = pa.chunked_array([pa.array(base), pa.array(["dog", None])])
    assert _textlabels.from_arrow(column) is None
    for dtype in ("str", "string"):
        odd = rf"Got 'dog' at index 0 and (nan|<NA>) at index {len(base)} instead"
        with pytest.raises(ValueError, match=odd):
            v.as_label_array(pd.Series([*base, None], dtype=dtype), "y_true")


def test_short_and_other_types_are_not_read_here() -> None:
    assert _textlabels.from_arrow(pa.array(["a", "b"] * 100)) is None  # under MIN_SIZE
    assert _textlabels.from_arrow(pa.array(list(range(N)))) is None
    assert _textlabels.from_arrow(pa.array(["a", "b"] * N, type=pa.string_view())) is None
    nul = _textlabels.from_arrow(pa.array(["a\0", "b"] * N))  # a unicode array drops the NUL
    assert nul is None
    # No byte position tells the names apart: the factorize route, exact.
    values = ["ab", "ba", "aa", "bb"] * (N // 4)
    assert _textlabels.from_arrow(pa.array(values)) is None
    _expect(v.read_labels(pd.Series(values), "y_true"), values)


@pytest.mark.parametrize("dtype", ["str", "string[pyarrow]", "string[python]"])
def test_string_series_equal_scikit_learn(dtype: str) -> None:
    rng = np.random.default_rng(8)
    names = np.array(["dog", "cat", "ćat", "猫", "d0g", "", "a b", "dogs"])
    yi = rng.integers(0, 6, 20_000)
    pi = np.where(rng.random(yi.size) < 0.6, yi, rng.integers(0, 8, yi.size))
    y, p = names[yi], names[pi]
    ys, ps = pd.Series(y.tolist(), dtype=dtype), pd.Series(p.tolist(), dtype=dtype)
    out = fitscope.evaluate(ys, ps, metrics=["confusion_matrix", "accuracy"])
    assert np.array_equal(out["confusion_matrix"], m.confusion_matrix(y, p))
    assert out["accuracy"] == m.accuracy_score(y, p)
    yb = np.where(yi % 2 == 0, "dog", "cat")
    s = rng.random(yi.size)
    ours = fitscope.evaluate(pd.Series(yb.tolist(), dtype=dtype), s, metrics=["roc_auc"])
    assert ours["roc_auc"] == pytest.approx(m.roc_auc_score(yb == "dog", s), rel=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    names=st.lists(
        st.text(min_size=0, max_size=10).filter(lambda s: not s.endswith("\0")),
        min_size=1,
        max_size=12,
        unique=True,
    ),
    seed=st.integers(0, 2**32 - 1),
    chunks=st.integers(1, 4),
    cut=st.integers(0, 3),
    large=st.booleans(),
    extra=st.booleans(),
)
def test_any_arrow_text_equals_the_factorize_route(
    names: list[str], seed: int, chunks: int, cut: int, large: bool, extra: bool
) -> None:
    rng = np.random.default_rng(seed)
    values = [names[i] for i in rng.integers(0, len(names), N)]
    if extra:  # a label that may be no class, where the strided sample cannot see it
        values[int(rng.integers(1, N // 1024))] = names[0] + "!"
    column = _arrow(values, pa.large_string() if large else pa.string(), chunks, cut)
    got = _textlabels.from_arrow(column)
    if got is not None:
        _expect(got, values)
    series = pd.Series(pd.arrays.ArrowStringArray(column.cast(pa.large_string())))
    _expect(v.read_labels(series, "y_true"), values)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_evaluate_file_with_text_labels_equals_scikit_learn(
    fmt: str, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    from fitscope.scale import evaluate_file

    rng = np.random.default_rng(9)
    n = 60_000
    yb = (rng.random(n) < 0.4).astype(int)
    score = np.round(np.clip(0.3 + 0.4 * yb + rng.normal(size=n) * 0.2, 0, 1), 3)
    y = np.array(["ham", "spám"])[yb]
    path = tmp_path / f"preds.{fmt}"
    table = pa.table({"y": y, "p": score})
    if fmt == "parquet":
        pq.write_table(table, path, row_group_size=15_000)
    else:
        pcsv.write_csv(table, path)
    read = []  # what the Arrow route gave for each batch (None: the general path)
    real = _textlabels.from_arrow
    monkeypatch.setattr(_textlabels, "from_arrow", lambda c: read.append(real(c)) or read[-1])
    got = evaluate_file(
        path, label="y", pred="p", chunk_rows=16_384, pos_label="spám",
        metrics=["accuracy", "f1", "roc_auc"],
    ).metrics  # fmt: skip
    pred = np.where(score >= 0.5, "spám", "ham")
    assert got["accuracy"] == pytest.approx(m.accuracy_score(y, pred), rel=1e-12)
    assert got["f1"] == pytest.approx(m.f1_score(y, pred, pos_label="spám"), rel=1e-12)
    assert got["roc_auc"] == pytest.approx(m.roc_auc_score(yb, score), rel=1e-12)
    assert any(r is not None for r in read)  # the Arrow route was taken
