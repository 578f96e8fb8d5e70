"""The doctor on comparisons: repeated looks at the test split, and a best run that is only
best by noise (issue 18)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import fitscope
from fitscope.cli.compare import runner_up_pair
from fitscope.doctor.comparison import comparison_findings, ranking


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> fitscope.Store:
    path: Path = tmp_path_factory.mktemp("doc") / "runs.db"
    s = fitscope.Store(path)
    rng = np.random.default_rng(11)
    n = 1500
    y = rng.integers(0, 2, n)
    # Four runs of the same model with different seeds, and one clearly better model.
    for name, noise in (("seed1", 1.6), ("seed2", 1.6), ("seed3", 1.6), ("seed4", 1.6),
                        ("better", 0.6)):  # fmt: skip
        with fitscope.init(name=name, store=s) as run:
            for split in ("val", "test"):
                p = 1 / (1 + np.exp(-(3 * (y - 0.5) + rng.normal(0, noise, n))))
                run.log_predictions(y, p, split=split, step=1)
    return s


def test_best_of_many_by_noise_is_called_out(store: fitscope.Store) -> None:
    pairs = fitscope.compare("seed1", "seed2", "seed3", "seed4", store=store, split="val")
    second = runner_up_pair(pairs, store, split="val")
    assert second is not None
    best = ranking(pairs, "accuracy")[0][0]
    assert second["b_run"]["name"] == best
    found = comparison_findings(pairs, runner_up=second)
    assert [f.code for f in found] == ["best_within_noise"]
    ev = found[0].evidence
    assert ev["best"] == best and ev["runs"] == 4 and ev["ci_low"] < 0 < ev["ci_high"]
    assert best in found[0].title or ev["runner_up"] in found[0].title
    for lang in ("ru", "es", "it"):
        text = comparison_findings(pairs, runner_up=second, lang=lang)[0].explanation
        assert best in text and text != found[0].explanation


def test_a_real_winner_is_not_called_noise(store: fitscope.Store) -> None:
    pairs = fitscope.compare("seed1", "seed2", "better", store=store, split="val")
    second = runner_up_pair(pairs, store, split="val")
    assert second is not None and second["b_run"]["name"] == "better"
    assert comparison_findings(pairs, runner_up=second) == []


def test_repeated_comparisons_on_the_test_split(store: fitscope.Store) -> None:
    pairs = fitscope.compare("seed1", "seed2", "better", store=store, split="test")
    found = comparison_findings(pairs, runner_up=runner_up_pair(pairs, store, split="test"))
    assert [f.code for f in found] == ["comparison_on_test"]
    assert found[0].evidence == {"runs": 3, "split": "test"}
    assert "--split val" in found[0].advice
    # Two runs compared once on test, at the end: nothing to say.
    assert comparison_findings(fitscope.compare("seed1", "better", store=store, split="test")) == []
