"""Min/max downsampling keeps every bucket's extremes and every non-finite point; EMA matches
TensorBoard's debiased formula."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from fitscope.errors import InvalidInputError
from fitscope.views import ema, minmax_indices

values = arrays(
    np.float64,
    st.integers(0, 400),
    elements=st.one_of(
        st.floats(-1e6, 1e6),
        st.sampled_from([np.nan, np.inf, -np.inf]),
    ),
)


@settings(max_examples=150, deadline=None)
@given(values, st.integers(4, 60))
def test_minmax_keeps_extremes_and_nonfinite(y: np.ndarray, max_points: int) -> None:
    idx = minmax_indices(y, max_points)
    n = y.size
    assert np.all(np.diff(idx) > 0)  # sorted, no repeats: the line keeps the original order
    if n <= max_points:
        assert idx.tolist() == list(range(n))
        return
    kept = set(idx.tolist())
    assert {0, n - 1} <= kept
    assert set(np.flatnonzero(~np.isfinite(y)).tolist()) <= kept
    assert len(idx) <= max_points + int(np.sum(~np.isfinite(y)))
    finite = np.isfinite(y)
    if finite.any():
        # The global extremes are always in some bucket (or are the end points).
        assert y[idx][np.isfinite(y[idx])].max() == y[finite].max()
        assert y[idx][np.isfinite(y[idx])].min() == y[finite].min()
    # Every bucket's own min and max survive.
    n_buckets = (max_points - 2) // 2
    size = -(-(n - 2) // n_buckets)
    edges = [min(1 + i * size, n - 1) for i in range(n_buckets + 1)]
    for a, b in itertools.pairwise(edges):
        seg = y[a:b]
        ok = np.isfinite(seg)
        if b > a and ok.any():
            kept_seg = [y[i] for i in kept if a <= i < b and np.isfinite(y[i])]
            assert max(kept_seg) == seg[ok].max() and min(kept_seg) == seg[ok].min()


def test_minmax_on_a_million_points_keeps_a_single_spike() -> None:
    y = np.sin(np.linspace(0, 20, 1_000_000))
    y[654_321] = 50.0
    y[123_456] = np.nan
    idx = minmax_indices(y, 2000)
    assert 654_321 in idx and 123_456 in idx
    assert len(idx) <= 2001


@pytest.mark.parametrize("bad", [3, 0, -1, 2.5, True])
def test_minmax_rejects_bad_max_points(bad: object) -> None:
    with pytest.raises(InvalidInputError, match="max_points must be an integer >= 4"):
        minmax_indices(np.zeros(10), bad)  # type: ignore[arg-type]


def test_minmax_rejects_2d() -> None:
    with pytest.raises(InvalidInputError, match="values must be 1-D"):
        minmax_indices(np.zeros((3, 3)), 10)


def _tensorboard_ema(y: list[float], w: float) -> list[float]:
    """TensorBoard's smoothing loop, transcribed (tensorboard/components/vz_line_chart2)."""
    last, n, out = 0.0, 0, []
    for v in y:
        if not np.isfinite(v):
            out.append(v)
            continue
        last = last * w + (1 - w) * v
        n += 1
        out.append(last / (1 - w**n) if w < 1 else v)
    return out


@settings(max_examples=100, deadline=None)
@given(values, st.floats(0.0, 0.99))
def test_ema_matches_tensorboard(y: np.ndarray, w: float) -> None:
    got = ema(y, w)
    want = np.array(_tensorboard_ema(y.tolist(), w))
    scale = 1 + float(np.max(np.abs(y[np.isfinite(y)]), initial=0.0))
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9 * scale)


def test_ema_constant_series_is_unchanged_from_the_first_point() -> None:
    np.testing.assert_allclose(ema(np.full(50, 3.0), 0.95), 3.0)


@pytest.mark.parametrize("w", [1.0, -0.1, "0.5"])
def test_ema_rejects_bad_weight(w: object) -> None:
    with pytest.raises(InvalidInputError, match=r"weight must be a number in \[0, 1\)"):
        ema([1.0], w)  # type: ignore[arg-type]
