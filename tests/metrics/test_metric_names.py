"""Metric names round-trip: every key fitscope prints, given back as a string (to ``metric``,
``evaluate``, ``Evaluator`` or ``fitscope eval --metrics``), is the same metric with the same
options. Driven by the registry: a new metric or option without sample values fails here."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import fitscope
from fitscope.cli.eval import split_metrics
from fitscope.errors import FitscopeError, InvalidInputError
from fitscope.metrics._registry import REGISTRY
from fitscope.metrics.evaluator import Evaluator, MetricSpec, parse_key

INF, NAN = float("inf"), float("nan")

# Candidate values per option name (a superset: each metric keeps those its check accepts).
CANDIDATES: dict[str, tuple[Any, ...]] = {
    "average": ("binary", "micro", "macro", "weighted", "samples", None),
    "zero_division": ("warn", 0, 1, NAN, 0.0, 1.0, np.float64(NAN)),
    "beta": (0, 0.5, 1, 1.0, 2, 2.0, INF, 1e-3, 0.1 + 0.2, np.float64(3.0)),
    "normalize": (True, False, None, "true", "pred", "all"),
    "adjusted": (True, False),
    "reduction": ("mean", "sum"),
    "multi_class": ("ovr", "ovo"),
    "max_fpr": (None, 0.5, 1, 1.0, 0.01, 0.1 + 0.2),
    "k": (1, 2, 5, np.int64(3)),
    "n_bins": (1, 10, 15),
    "multioutput": (
        "uniform_average",
        "raw_values",
        "variance_weighted",
        (0.2, 0.8),
        [0.2, 0.8],
        (1,),
        (1, 2, 3),
        (0, 1.5),
        [np.float64(0.25), np.float64(0.75)],
    ),
    "delta": (0.5, 1.0, 1, 2, 1e-8, 1.35),
}


def _accepted(name: str, option: str) -> list[Any]:
    out = []
    for value in CANDIDATES[option]:
        try:
            fitscope.metric(name, **{option: value})
        except FitscopeError:
            continue
        out.append(value)
    return out


GRID = [
    (name, option, value)
    for name, info in REGISTRY.items()
    for option in info.defaults
    for value in _accepted(name, option)
]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, tuple | list) and isinstance(b, tuple | list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    if isinstance(a, bool) or isinstance(b, bool) or isinstance(a, str) or isinstance(b, str):
        return type(a) is type(b) and a == b
    return bool(a == b)  # numbers by value: beta=1 is the default beta=1.0


def _check_round_trip(spec: MetricSpec) -> None:
    back = fitscope.metric(spec.key)  # the key as a string, as evaluate/Evaluator read it
    assert back.key == spec.key
    assert back.info is spec.info
    assert back.options.keys() == spec.options.keys()
    for k in spec.options:
        assert _same(back.options[k], spec.options[k]), (spec.key, k)
    ev = Evaluator([spec.key])
    assert ev.specs[0].key == spec.key
    assert all(_same(ev.specs[0].options[k], spec.options[k]) for k in spec.options)


def test_every_option_of_every_metric_has_sample_values() -> None:
    for name, info in REGISTRY.items():
        for option, default in info.defaults.items():
            assert option in CANDIDATES, f"{name}({option}=...) needs sample values here"
            others = [x for x in _accepted(name, option) if not _same(x, default)]
            assert others, f"{name}({option}=...) accepts none of {CANDIDATES[option]}"


@pytest.mark.parametrize(("name", "option", "value"), GRID, ids=str)
def test_printed_key_reads_back_as_the_same_metric(name: str, option: str, value: Any) -> None:
    _check_round_trip(fitscope.metric(name, **{option: value}))


@st.composite
def _options(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    name = draw(st.sampled_from(sorted(n for n, i in REGISTRY.items() if i.defaults)))
    opts = {}
    for option in REGISTRY[name].defaults:
        if draw(st.booleans()):
            opts[option] = draw(st.sampled_from(_accepted(name, option)))
    return name, opts


@settings(max_examples=300, deadline=None)
@given(_options())
def test_keys_with_several_options_read_back(drawn: tuple[str, dict[str, Any]]) -> None:
    name, opts = drawn
    try:
        spec = fitscope.metric(name, **opts)
    except InvalidInputError:
        assume(False)  # a combination the metric refuses (ovo with average=None)
        raise
    _check_round_trip(spec)


def test_the_cli_splits_every_printed_key_whole() -> None:
    keys = [fitscope.metric(n, **{o: x}).key for n, o, x in GRID]
    assert split_metrics(",".join(keys)) == keys
    assert split_metrics(", ".join(keys)) == keys


def test_values_are_typed_by_what_the_option_accepts() -> None:
    # The same word is text for one option and a bool for another.
    assert parse_key("confusion_matrix(normalize=true)") == (
        "confusion_matrix",
        {"normalize": "true"},
    )
    assert parse_key("accuracy(normalize=false)") == ("accuracy", {"normalize": False})
    assert parse_key('confusion_matrix(normalize="pred")')[1] == {"normalize": "pred"}
    assert parse_key("mse(multioutput=(0.2, 0.8))")[1] == {"multioutput": (0.2, 0.8)}
    assert parse_key("mse(multioutput=[0.2, 0.8])")[1] == {"multioutput": (0.2, 0.8)}
    assert parse_key("f1(average=None, zero_division=1)")[1] == {
        "average": None,
        "zero_division": 1,
    }
    assert parse_key("f1(average='None')")[1] == {"average": "None"}  # quoted: text
    assert math.isnan(parse_key("f1(zero_division=nan)")[1]["zero_division"])
    assert parse_key("fbeta(beta=inf)")[1] == {"beta": INF}
    assert parse_key("roc_auc(max_fpr=None)")[1] == {"max_fpr": None}


def test_the_audits_keys_evaluate() -> None:
    k = fitscope.metric("confusion_matrix", normalize="true").key
    assert k == "confusion_matrix(normalize=true)"
    got = fitscope.evaluate([0, 1, 1], [0, 1, 0], metrics=[k])[k]
    np.testing.assert_allclose(got, [[1.0, 0.0], [0.5, 0.5]])
    k = fitscope.metric("mse", multioutput=(0.2, 0.8)).key
    assert k == "mse(multioutput=(0.2, 0.8))"
    y, p = [[0.0, 1.0], [1.0, 2.0]], [[0.0, 1.5], [1.0, 2.0]]
    assert fitscope.evaluate(y, p, metrics=[k]) == {k: pytest.approx(0.8 * 0.125)}
    # A list prints as the tuple it is read back as: one metric, one key.
    assert fitscope.metric("mse", multioutput=[0.2, 0.8]).key == k
    assert fitscope.evaluate(y, p, metrics=["mse(multioutput=[0.2, 0.8])"]) == {
        k: pytest.approx(0.1)
    }


def test_printed_keys_with_labels_and_pos_label() -> None:
    rng = np.random.default_rng(3)
    classes = np.array(["cat", "dog", "emu"])
    y, p = classes[rng.integers(0, 3, 60)], classes[rng.integers(0, 3, 60)]
    specs = [
        fitscope.metric("precision", average=None, zero_division=NAN),
        fitscope.metric("fbeta", average="weighted", beta=0.5),
        fitscope.metric("confusion_matrix", normalize="all"),
    ]
    labels = ["emu", "cat", "dog", "zebra"]
    by_spec = fitscope.evaluate(y, p, metrics=specs, labels=labels)
    by_key = fitscope.evaluate(y, p, metrics=[s.key for s in specs], labels=labels)
    assert by_key.keys() == by_spec.keys()
    for key in by_spec:
        np.testing.assert_array_equal(by_key[key], by_spec[key])
    # pos_label as text and as an integer, with options read from text.
    yb, pb = np.where(y == "cat", "spam", "ham"), np.where(p == "cat", "spam", "ham")
    for ys, ps, pos in ((yb, pb, "ham"), ((y == "cat") * 7, (p == "cat") * 7, 7)):
        spec = fitscope.metric("recall", zero_division=1)
        assert fitscope.evaluate(ys, ps, metrics=[spec.key], pos_label=pos) == (
            fitscope.evaluate(ys, ps, metrics=[spec], pos_label=pos)
        )


def test_multioutput_weights_as_an_array_are_the_tuple_they_print_as() -> None:
    """scikit-learn takes any array-like of weights; a 1-D array is the tuple of its values."""
    from sklearn.metrics import mean_squared_error

    y, p = np.array([[0.5, 1.0], [-1.0, 1.0], [7.0, -6.0]]), np.array([[0, 2.0], [-1, 2], [8, -5]])
    spec = fitscope.metric("mse", multioutput=np.array([0.2, 0.8]))
    assert spec.key == fitscope.metric("mse", multioutput=(0.2, 0.8)).key
    got = fitscope.evaluate(y, p, metrics=[spec])[spec.key]
    assert got == pytest.approx(mean_squared_error(y, p, multioutput=[0.2, 0.8]), rel=1e-12)


def test_an_open_quote_does_not_swallow_the_names_after_it() -> None:
    from fitscope.metrics.evaluator import split_names

    assert split_names("f1(average=it's), mse") == ["f1(average=it's)", "mse"]
    assert split_names("f1(labels=('a,b', 'c')), mse") == ["f1(labels=('a,b', 'c'))", "mse"]
