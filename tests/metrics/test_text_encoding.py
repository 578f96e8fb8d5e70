"""The code-point path of text label encoding (arrays over 4,096 labels) against np.unique:
exact on names that collide at the discriminating position, on labels the sample missed,
on non-ASCII names and on y_true and y_pred of different string widths."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import confusion_matrix as sk_confusion

import fitscope
from fitscope.metrics import _labels


def _check(*arrays: np.ndarray) -> None:
    classes, idx = _labels.factorize(*arrays)
    assert np.array_equal(classes, np.unique(np.concatenate(arrays)))
    for a, i in zip(arrays, idx, strict=True):
        assert np.array_equal(classes[i], a)


@pytest.mark.parametrize("seed", [0, 1])
def test_code_point_path_is_exact(seed: int) -> None:
    rng = np.random.default_rng(seed)
    names = np.array(["cat", "dog", "emu", "cow", "ćat", "猫", "dogs", "d0g"])
    y = names[rng.integers(0, 4, 20_000)]
    _check(y)
    p = y.copy()
    # Labels the strided sample misses, sharing code points with the classes it found.
    rare = rng.choice(p.size, 5, replace=False)
    p[rare] = names[4:][np.arange(5) % 4]
    _check(y, p)
    wide = np.concatenate([y[:10_000], np.array(["a-much-longer-name"])])
    _check(wide, y)  # y_pred narrower than y_true
    _check(y, wide)  # and wider


def test_evaluate_with_text_labels_equals_scikit_learn() -> None:
    rng = np.random.default_rng(3)
    names = np.array([f"class_{i}" for i in range(10)])
    yi = rng.integers(0, 10, 50_000)
    pi = np.where(rng.random(yi.size) < 0.7, yi, rng.integers(0, 10, yi.size))
    y, p = names[yi], names[pi]
    p[17] = "class_10"  # a class only y_pred has, after the strided sample
    ours = fitscope.evaluate(y, p, metrics=["confusion_matrix"])["confusion_matrix"]
    assert np.array_equal(ours, sk_confusion(y, p))


# ---------------------------------------------------------------- labels held as Python objects
# Lists, object arrays and pandas columns of strings of MIN_SIZE labels or more are hashed once
# (fitscope._textlabels) and the encoding is remembered beside the unicode array built from it.

NAMES = np.array(["dog", "cat", "ćat", "猫", "d0g", "", "a b", "dogs"])


def _kinds(values: np.ndarray) -> dict[str, object]:
    import pandas as pd

    items = values.tolist()
    return {
        "list": items,
        "object array": np.array(items, dtype=object),
        "Series (default str)": pd.Series(items),
        "Series (object)": pd.Series(items, dtype=object),
        "Series (category)": pd.Series(items, dtype="category"),
        # Unused categories are no classes; categories out of order are sorted.
        "Categorical": pd.Categorical(items, categories=["zz", *sorted(set(items))[::-1]]),
        "Index": pd.Index(items),
    }


@pytest.mark.parametrize("pandas_loaded", [True, False])
def test_objects_read_once_equal_numpy_conversion(
    pandas_loaded: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    from fitscope import _textlabels
    from fitscope import _validation as v

    rng = np.random.default_rng(4)
    values = NAMES[rng.integers(0, NAMES.size - 1, _textlabels.MIN_SIZE + 7)]
    values[13] = NAMES[-1]  # a label the strided sample misses
    kinds = _kinds(values)
    if not pandas_loaded:  # the set-and-dict route, taken where pandas was never imported
        monkeypatch.delitem(sys.modules, "pandas")
        kinds = {k: x for k, x in kinds.items() if k in ("list", "object array")}
    for name, x in kinds.items():
        coded = v.read_labels(x, "y_true")
        assert isinstance(coded, _textlabels.CodedText), name
        assert np.array_equal(coded.classes, np.unique(values)), name
        assert np.array_equal(coded.classes[coded.codes], values), name
        arr = v.as_label_array(x, "y_true")  # the strings, for readers that need them
        assert arr.dtype == values.dtype and np.array_equal(arr, values), name
        assert not arr.flags.writeable and not coded.codes.flags.writeable, name


def test_objects_that_are_not_all_strings_take_the_general_path() -> None:
    import pandas as pd

    from fitscope import _textlabels
    from fitscope import _validation as v

    base = NAMES[np.arange(_textlabels.MIN_SIZE) % 4].tolist()
    for odd in (3, None, float("nan"), True):
        items = [*base, odd]
        for x in (np.array(items, dtype=object), pd.Series(items, dtype=object)):
            with pytest.raises(ValueError, match="y_pred must hold labels of one type") as e:
                v.as_label_array(x, "y_pred")
            assert f"at index {len(base)}" in str(e.value)
    # A list goes through np.asarray as before (and as scikit-learn): numbers become text.
    arr = v.read_labels([*base, 3], "y_pred")
    assert not isinstance(arr, _textlabels.CodedText) and arr[-1] == "3"
    # Missing values in a pandas column: the general path's error too.
    with pytest.raises(ValueError, match="one type"):
        v.as_label_array(pd.Series([*base, None], dtype="category"), "y_true")
    # A trailing NUL, which a unicode array drops: the general path, as before.
    arr = v.read_labels([*base, "dog\0"], "y_true")
    assert not isinstance(arr, _textlabels.CodedText) and arr[-1] == "dog"


@pytest.mark.parametrize(
    "kind", ["list", "object array", "Series (default str)", "Series (category)", "unicode"]
)
def test_evaluate_on_each_input_kind_equals_scikit_learn(kind: str) -> None:
    from sklearn import metrics as m

    rng = np.random.default_rng(5)
    n = 12_000
    yi = rng.integers(0, 6, n)
    pi = np.where(rng.random(n) < 0.6, yi, rng.integers(0, 7, n))  # "a b" only in y_pred
    y, p = NAMES[yi], NAMES[pi]
    wrap = (lambda a: a) if kind == "unicode" else (lambda a: _kinds(a)[kind])
    out = fitscope.evaluate(
        wrap(y), wrap(p), metrics=["confusion_matrix", fitscope.metric("f1", average="macro")]
    )
    assert np.array_equal(out["confusion_matrix"], m.confusion_matrix(y, p))
    assert out["f1(average=macro)"] == pytest.approx(m.f1_score(y, p, average="macro"), rel=1e-12)
    # labels= in another order, and sample weights (the paths that index every label)
    order = ["猫", *sorted(set(NAMES[:7].tolist()) - {"猫"})]
    w = rng.random(n)
    cm = fitscope.evaluate(
        wrap(y), wrap(p), metrics=["confusion_matrix"], labels=order, sample_weight=w
    )["confusion_matrix"]
    np.testing.assert_allclose(cm, m.confusion_matrix(y, p, labels=order, sample_weight=w))
    # 1-D scores with a named positive class, and 2-D scores per sorted class
    yb = np.where(yi % 2 == 0, "dog", "cat")
    s = rng.random(n)
    ours = fitscope.evaluate(wrap(yb), s, metrics=["roc_auc", "f1"], pos_label="dog")
    assert ours["roc_auc"] == pytest.approx(m.roc_auc_score(yb == "dog", s), rel=1e-12)
    assert ours["f1"] == pytest.approx(
        m.f1_score(yb, np.where(s >= 0.5, "dog", "cat"), pos_label="dog"), rel=1e-12
    )
    probs = rng.dirichlet(np.ones(6), n)
    assert fitscope.evaluate(wrap(y), probs, metrics=["log_loss"])["log_loss"] == pytest.approx(
        m.log_loss(y, probs), rel=1e-12
    )
    first = int(np.flatnonzero(p == "a b")[0])  # the first label outside labels=
    with pytest.raises(ValueError, match=f"'a b' at index {first} instead"):
        fitscope.evaluate(wrap(p), probs, metrics=["log_loss"], labels=sorted(set(y.tolist())))


def test_label_sets_without_a_telling_position_and_low_bit_collisions() -> None:
    rng = np.random.default_rng(6)
    for names in (
        np.array(["ab", "ba", "aa", "bb"]),  # no position tells the four apart: searchsorted
        np.array(["a", "q", "A", "Q"]),  # equal low 4 bits: a wider table key
        np.array(["x" * 30 + c for c in "abc"]),  # long names, uint32 words (odd width)
        np.array([chr(0x4E00 + i) for i in range(300)]),  # too many keys to count pairs of
    ):
        y = names[rng.integers(0, names.size, 9000)]
        p = names[rng.integers(0, names.size, 9000)]
        p[-1] = names[0][:-1] + "z"  # a label no sample saw, sharing every other code point
        _check(y, p)
        cm = fitscope.evaluate(y, p, metrics=["confusion_matrix"])["confusion_matrix"]
        assert np.array_equal(cm, sk_confusion(y, p))


@settings(max_examples=25, deadline=None)
@given(
    names=st.lists(
        st.text(min_size=1, max_size=6).filter(lambda s: not s.endswith("\0")),
        min_size=1,
        max_size=12,
        unique=True,
    ),
    seed=st.integers(0, 2**32 - 1),
    as_list=st.booleans(),
)
def test_any_text_labels_equal_scikit_learn(names: list[str], seed: int, as_list: bool) -> None:
    from sklearn import metrics as m

    rng = np.random.default_rng(seed)
    arr = np.array(names)
    y = arr[rng.integers(0, arr.size, 5000)]
    p = arr[rng.integers(0, arr.size, 5000)]
    args = (y.tolist(), p.tolist()) if as_list else (y, p)
    out = fitscope.evaluate(*args, metrics=["confusion_matrix", "accuracy"])
    assert np.array_equal(out["confusion_matrix"], m.confusion_matrix(y, p))
    assert out["accuracy"] == m.accuracy_score(y, p)


def test_coded_text_answers_as_its_strings_would() -> None:
    """CodedText (names and indices) behaves as the unicode array of its labels wherever the
    label checks read it: shape, length, positions, masks, indices, np.asarray; a selection
    keeps only the classes its rows hold, as reading those rows anew would."""
    from fitscope import _textlabels
    from fitscope import _validation as v

    values = np.array(NAMES[np.arange(_textlabels.MIN_SIZE + 3) % 3].tolist())  # U3, as read
    coded = v.read_labels(values.tolist(), "y_true")
    assert isinstance(coded, _textlabels.CodedText)
    assert coded.shape == values.shape and len(coded) == values.size and coded.ndim == 1
    assert coded.dtype == values.dtype and coded[4] == values[4]
    assert np.array_equal(np.asarray(coded), values)
    assert np.asarray(coded, dtype=object).tolist() == values.tolist()
    mask = values != NAMES[1]
    picked = coded[mask]
    assert np.array_equal(picked.classes, np.unique(values[mask]))  # NAMES[1] is gone
    assert np.array_equal(np.asarray(picked), values[mask])
    rows = np.array([5, 2, 8])
    assert np.array_equal(np.asarray(coded[rows]), values[rows])
    assert np.array_equal(np.asarray(coded[10:20]), values[10:20])
    assert v.describe(coded) == f"an array of shape {values.shape} and dtype {values.dtype}"
    # Read as numbers, it is the same error an array of the strings gets.
    with pytest.raises(TypeError, match="y_pred must be an array of numbers"):
        v.as_array(coded, "y_pred")


def test_metrics_of_a_coded_selection_equal_scikit_learn() -> None:
    """A CodedText selection (fitscope eval's rows of one group) scores as its own labels:
    a class the rows do not hold is no class of theirs (macro averages as scikit-learn's)."""
    from sklearn import metrics as skm

    import fitscope
    from fitscope import _textlabels
    from fitscope import _validation as v

    rng = np.random.default_rng(3)
    n = _textlabels.MIN_SIZE + 500
    y = NAMES[rng.integers(0, 4, n)]
    p = NAMES[rng.integers(0, 4, n)]
    cy, cp = v.read_labels(y.tolist(), "y_true"), v.read_labels(p.tolist(), "y_pred")
    keep = (y != NAMES[3]) & (p != NAMES[3])
    got = fitscope.evaluate(cy[keep], cp[keep], metrics=["accuracy", "f1(average=macro)"])
    assert got["accuracy"] == pytest.approx(skm.accuracy_score(y[keep], p[keep]), rel=1e-12)
    want = skm.f1_score(y[keep], p[keep], average="macro")
    assert got["f1(average=macro)"] == pytest.approx(want, rel=1e-12)


def test_custom_metrics_get_the_strings_of_text_read_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With a custom function beside the built-in metrics, a list of names is read once (not
    once for the state and again for the function), and the function gets the strings."""
    from sklearn.metrics import f1_score

    from fitscope import _textlabels

    rng = np.random.default_rng(5)
    n = _textlabels.MIN_SIZE + 10
    y = NAMES[rng.integers(0, 3, n)].tolist()
    p = NAMES[rng.integers(0, 3, n)].tolist()
    reads = []
    real = _textlabels.from_objects
    monkeypatch.setattr(_textlabels, "from_objects", lambda x: reads.append(1) or real(x))
    seen = {}

    def share_of_cats(y_true: np.ndarray, y_pred: np.ndarray) -> float:
        seen["y"], seen["p"] = y_true, y_pred
        return float(np.mean(y_pred == "cat"))

    got = fitscope.evaluate(y, p, metrics=["accuracy", "f1(average=macro)", share_of_cats])
    assert len(reads) == 2  # y_true and y_pred, once each
    assert seen["y"].tolist() == y and seen["p"].tolist() == p
    assert got["share_of_cats"] == pytest.approx(np.mean(np.array(p) == "cat"))
    assert got["f1(average=macro)"] == pytest.approx(f1_score(y, p, average="macro"), rel=1e-12)


@pytest.mark.parametrize("n_classes", [3, 17, 300])
@pytest.mark.parametrize("container", ["list", "arrow"])
def test_confusion_of_names_read_once_equals_scikit_learn(n_classes: int, container: str) -> None:
    """Pairs of narrow codes (uint8 up to 256 classes, uint16 beyond) are counted without
    overflow, and y_true and y_pred with different class sets land on their union."""
    pd = pytest.importorskip("pandas")
    from fitscope import _textlabels
    from fitscope import _validation as v

    rng = np.random.default_rng(n_classes)
    names = np.array([f"c{i:03d}" for i in range(n_classes + 2)])
    n = _textlabels.MIN_SIZE * 3
    y = names[rng.integers(0, n_classes, n)]  # never the last two names
    p = names[rng.integers(2, n_classes + 2, n)]  # never the first two
    y[:n_classes], p[-n_classes:] = names[:n_classes], names[2 : n_classes + 2]  # all occur

    def read(x: np.ndarray) -> object:
        return x.tolist() if container == "list" else pd.Series(x.tolist(), dtype="str")

    cy, cp = v.read_labels(read(y), "y_true"), v.read_labels(read(p), "y_pred")
    if container == "list" or n_classes < 257:
        assert isinstance(cy, _textlabels.CodedText) and isinstance(cp, _textlabels.CodedText)
    labels = np.unique(np.concatenate([y, p]))
    got = fitscope.evaluate(read(y), read(p), metrics=["confusion_matrix", "accuracy"])
    assert np.array_equal(got["confusion_matrix"], sk_confusion(y, p, labels=labels))
    assert got["accuracy"] == pytest.approx(np.mean(y == p), rel=1e-12)
