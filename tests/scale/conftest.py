"""Seeded prediction data written as real CSV and Parquet files, and the one-shot reference."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
pcsv = pytest.importorskip("pyarrow.csv")

# Metrics whose value is a ratio of counts: equal to the last bit. The rest are float sums.
EXACT = {"accuracy", "f1", "precision", "recall", "balanced_accuracy", "roc_auc"}


def make_table(n: int = 1000, *, seed: int = 0, classes: int = 2) -> Any:
    """Labels, probabilities (1 column binary, ``classes`` columns otherwise), logits, weights
    and a segment column with segments of different quality."""
    rng = np.random.default_rng(seed)
    seg = rng.choice(np.array(["north", "south", "east", "west"]), size=n)
    y = rng.integers(0, classes, n)
    cols: dict[str, Any] = {"y": y, "seg": seg, "w": rng.random(n) * 3}
    noise = {"north": 0.1, "south": 0.4, "east": 0.8, "west": 1.5}
    scale = np.array([noise[s] for s in seg])
    if classes == 2:
        logit = (2 * y - 1) * 1.5 + rng.normal(size=n) * scale * 3
        cols["logit"] = logit
        cols["p"] = 1 / (1 + np.exp(-logit))
    else:
        z = rng.normal(size=(n, classes)) * scale[:, None] * 3
        z[np.arange(n), y] += 2
        prob = np.exp(z - z.max(axis=1, keepdims=True))
        prob /= prob.sum(axis=1, keepdims=True)
        for c in range(classes):
            cols[f"p{c}"] = prob[:, c]
    return pa.table(cols)


def write(table: Any, path: Path, *, row_group: int = 128) -> Path:
    if path.suffix == ".csv":
        pcsv.write_csv(table, path)
    else:
        pq.write_table(table, path, row_group_size=row_group)
    return path


def assert_same(got: dict[str, Any], want: dict[str, Any], *, weighted: bool = False) -> None:
    """Counts exact; sums (and, with weights, weighted counts) to 1e-12 relative."""
    assert list(got) == list(want)
    for key, value in want.items():
        name = key.split("(")[0]
        if isinstance(value, np.ndarray):
            np.testing.assert_allclose(got[key], value, rtol=1e-12)
        elif name in EXACT and not weighted:
            assert got[key] == value, key
        elif math.isnan(value):
            assert math.isnan(got[key]), key
        else:
            assert got[key] == pytest.approx(value, rel=1e-12, abs=0), key


@pytest.fixture
def table_factory() -> Callable[..., Any]:
    return make_table


@pytest.fixture
def writer() -> Callable[..., Path]:
    return write


@pytest.fixture
def same() -> Callable[..., None]:
    return assert_same
