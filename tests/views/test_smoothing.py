"""Smoothing of a long series is computed on the data, not on the points kept for drawing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import fitscope
from fitscope.errors import InvalidInputError
from fitscope.views.data import series_data
from fitscope.views.downsample import SMOOTHING_STEPS, ema, minmax_indices, raw_weight, smoothed_at


def noisy_loss(n: int, seed: int = 0) -> np.ndarray:
    """A loss whose true mean is about 0.065, with rare huge batches the min/max buckets keep."""
    rng = np.random.default_rng(seed)
    y = rng.exponential(0.05, n)
    y[rng.random(n) < 0.002] += 7.5
    return y


def test_a_million_points_smoothed_equal_the_ema_of_the_raw_data_at_the_drawn_points() -> None:
    n = 1_000_000
    y = noisy_loss(n)
    idx = minmax_indices(y, 2000)
    for w in SMOOTHING_STEPS:
        drawn = smoothed_at(y, idx, w, 2000)
        np.testing.assert_allclose(drawn, ema(y, raw_weight(w, n, 2000))[idx], rtol=1e-12)
    # The line sits at the data's level: an EMA over the kept minima and maxima (what the page
    # used to draw) follows their midpoint, about 5x too high here.
    drawn = smoothed_at(y, idx, 0.9, 2000)
    wrong = ema(y[idx], 0.9)
    truth = float(y.mean())
    assert abs(float(np.median(drawn)) - truth) < 0.02
    assert float(np.median(wrong)) > 3 * truth


def test_the_weight_is_per_drawn_point() -> None:
    # 500 raw points per drawn point: 500 raw steps decay as one drawn step does.
    assert raw_weight(0.6, 1_000_000, 2000) ** 500 == pytest.approx(0.6)
    assert raw_weight(0.6, 1500, 2000) == 0.6  # not downsampled: TensorBoard's own weight
    with pytest.raises(InvalidInputError, match=r"weight must be a number in \[0, 1\)"):
        raw_weight(1.0, 10, 10)


def test_nonfinite_points_stay_and_do_not_poison_the_average() -> None:
    y = noisy_loss(50_000, seed=1)
    y[[10, 20_000]] = [np.nan, np.inf]
    idx = minmax_indices(y, 200)
    s = smoothed_at(y, idx, 0.8, 200)
    assert np.isnan(s[idx == 10]).all() and np.isinf(s[idx == 20_000]).all()
    assert np.isfinite(s[(idx != 10) & (idx != 20_000)]).all()


def test_series_data_from_a_real_store_carries_the_exact_smoothed_line(tmp_path: Path) -> None:
    n = 30_000
    y = noisy_loss(n, seed=2)
    store = fitscope.Store(tmp_path / "r.db")
    with fitscope.init(name="long", store=store) as run:
        for i, v in enumerate(y.tolist()):
            run.log({"loss": v}, step=i)
    data = series_data(store.get_run(run.id), "loss", "train", max_points=500, smoothing=(0.6,))
    idx = minmax_indices(y, 500)
    assert data["n_total"] == n and data["n_shown"] == idx.size
    np.testing.assert_allclose(data["smoothed"]["0.6"], ema(y, raw_weight(0.6, n, 500))[idx])
    assert series_data(store.get_run(run.id), "loss", "train")["smoothed"] == {}
    store.close()
