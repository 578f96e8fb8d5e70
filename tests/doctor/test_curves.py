"""Curve findings on synthetic, seeded, noisy curves whose truth is known by construction."""

from __future__ import annotations

import math

import numpy as np
import pytest
from synth import exploding, flat, healthy, oscillating, overfit, overfit_val, still_falling

import fitscope
from fitscope.doctor import signals as sg
from fitscope.train import EarlyStopping

SEEDS = range(20)


def codes(source: object) -> list[str]:
    return [f.code for f in fitscope.diagnose(source)]


@pytest.mark.parametrize("n", [20, 30, 50, 100, 200])
@pytest.mark.parametrize("noise", [0.01, 0.03])
def test_healthy_noisy_curves_raise_nothing(n: int, noise: float) -> None:
    for seed in SEEDS:
        assert codes(healthy(n, seed, noise)) == [], (n, noise, seed)


def test_very_noisy_healthy_curves_rarely_raise_anything() -> None:
    # 6% epoch-to-epoch noise on short runs: a few seeds genuinely look like a late rise.
    runs = [healthy(n, seed, 0.06) for n in (10, 15, 20, 30) for seed in range(25)]
    alarms = sum(bool(codes(r)) for r in runs)
    assert alarms <= 0.05 * len(runs)


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_short_histories_raise_nothing_even_when_the_curves_move(n: int) -> None:
    rising = {
        "loss": list(np.linspace(0.7, 0.2, n)),
        "val_loss": list(np.linspace(0.5, 0.9, n)),
        "val_accuracy": list(np.linspace(0.6, 0.7, n)),
    }
    assert codes(rising) == []
    for seed in SEEDS:
        assert codes(overfit(n, 1, seed)) == []


@pytest.mark.parametrize(("n", "onset"), [(20, 8), (30, 10), (60, 20), (100, 40)])
def test_overfitting_is_found_with_its_onset(n: int, onset: int) -> None:
    noise = 0.03
    clean = overfit_val(n, onset)
    # Before the onset the clean curve is already flat within the noise: any epoch from where
    # it comes within two noise scales of its minimum is a right answer, and so is a lag of 2.
    flat_from = 1 + int(np.argmax(clean - clean.min() <= 2 * noise * clean.min()))
    for seed in SEEDS:
        found = {f.code: f for f in fitscope.diagnose(overfit(n, onset, seed, noise))}
        assert set(found) == {"overfitting", "loss_accuracy_disagreement"}, seed
        ev = found["overfitting"].evidence
        assert flat_from <= ev["onset_epoch"] <= onset + 2, (seed, flat_from, ev)
        assert ev["train_loss_last"] < ev["train_loss_at_onset"]
        assert ev["rise"] > 0 and ev["epochs_since"] == n - ev["onset_epoch"]


def test_disagreement_without_overfitting_when_training_loss_is_flat() -> None:
    n = 40
    e = np.arange(1, n + 1)
    h = {
        "loss": [0.3] * n,
        "val_loss": list(0.5 - 0.2 * (1 - np.exp(-e / 3)) + 0.006 * np.maximum(0, e - 15)),
        "val_accuracy": list(0.8 + 0.001 * e),
    }
    found = fitscope.diagnose(h)
    assert [f.code for f in found] == ["loss_accuracy_disagreement"]
    ev = found[0].evidence
    assert ev["loss_trend"][1] > ev["loss_trend"][0]
    assert ev["accuracy_trend"][1] >= ev["accuracy_trend"][0]


def test_rising_validation_loss_with_falling_accuracy_is_overfitting_only() -> None:
    h = overfit(60, 20, seed=0)
    h["val_accuracy"] = list(np.linspace(0.6, 0.9, 20)) + list(np.linspace(0.9, 0.7, 40))
    assert codes(h) == ["overfitting"]


def test_still_falling_is_not_converged() -> None:
    for seed in SEEDS:
        found = fitscope.diagnose(still_falling(40, seed))
        assert [f.code for f in found] == ["not_converged"]
        assert found[0].evidence["split"] == "val" and found[0].evidence["slope_per_epoch"] < 0


def test_a_model_that_learns_nothing_is_underfitting() -> None:
    hits = [codes(flat(30, seed)) for seed in SEEDS]
    assert sum(h == ["underfitting"] for h in hits) >= 18
    assert all(h in ([], ["underfitting"]) for h in hits)


def test_oscillating_loss_is_unstable() -> None:
    for seed in SEEDS:
        found = fitscope.diagnose(oscillating(40, seed))
        assert "unstable" in [f.code for f in found]


def test_nan_loss_is_divergence_at_its_epoch() -> None:
    h = {"loss": [0.7, 0.5, 0.4, math.nan, math.nan], "val_loss": [0.7, 0.6, 0.5, 0.6, math.inf]}
    found = fitscope.diagnose(h)
    assert [f.code for f in found] == ["divergence"]
    assert found[0].severity == "problem"
    assert found[0].evidence == {
        "split": "train",
        "key": "loss",
        "epoch": 4,
        "value": "nan",
        "unit": "epoch",  # the evidence says what its positions count (issue 15)
    }
    assert "learning rate" in found[0].advice


def test_exploding_loss_is_divergence_at_its_epoch() -> None:
    for seed in SEEDS:
        found = fitscope.diagnose(exploding(30, 12, seed))
        assert [f.code for f in found] == ["divergence"]
        assert found[0].evidence["epoch"] == 12 and found[0].evidence["ratio"] > 5


def test_severity_orders_the_findings() -> None:
    h = overfit(60, 20, seed=0)
    h["loss"][-1] = math.nan
    found = fitscope.diagnose(h)
    # The run overfitted before it diverged: both are said, the problem first.
    assert [(f.code, f.severity) for f in found] == [
        ("divergence", "problem"),
        ("overfitting", "warning"),
        ("loss_accuracy_disagreement", "warning"),
    ]


def test_patience_scan_agrees_with_early_stopping_on_random_curves() -> None:
    rng = np.random.default_rng(0)
    for _ in range(200):
        values = rng.normal(size=int(rng.integers(1, 30))).cumsum()
        patience = int(rng.integers(1, 6))
        es = EarlyStopping(patience=patience)
        stop = None
        for epoch, x in enumerate(values, start=1):
            if es.on_epoch_end(epoch, {"val_loss": float(x)}, np.zeros(1)).stop:
                stop = epoch
                break
        scan = sg.patience_scan(values, patience=patience)
        assert (None if scan.stop_index is None else scan.stop_index + 1) == stop
        seen = sg.patience_scan(values[:stop], patience=patience)  # what early stopping saw
        assert (es.best_epoch, es.best) == (seen.best_index + 1, seen.best)


def test_signals_on_known_curves() -> None:
    line = np.arange(10, dtype=float)
    assert sg.trend(line, 5).slope == pytest.approx(1.0)
    assert sg.noise_scale(line) == 0.0
    assert sg.first_nonfinite(np.array([1.0, np.inf])) == 1
    assert sg.jitter(np.array([1.0, 2.0, 1.0, 2.0, 1.0])) > 0.5
    assert sg.patience_scan(np.array([]), patience=2).best_index == -1


def test_an_isolated_nan_the_curve_recovers_from_is_instability_not_divergence() -> None:
    for seed in SEEDS:
        h = healthy(40, seed, 0.01)
        h["loss"][14] = math.nan
        found = {f.code: f for f in fitscope.diagnose(h)}
        assert "divergence" not in found
        spike = found["unstable"]
        assert spike.evidence["epoch"] == 15 and spike.evidence["epochs"] == [15]
        assert spike.evidence["value"] == "nan" and "15" in spike.title


def test_a_spike_that_comes_back_is_instability_with_its_epoch() -> None:
    h = healthy(40, 0, 0.01)
    h["loss"][20] = 50 * h["loss"][0]
    (finding,) = fitscope.diagnose(h)
    assert (finding.code, finding.severity) == ("unstable", "warning")
    assert finding.evidence["epoch"] == 21 and finding.evidence["last"] == h["loss"][-1]


def test_a_loss_that_leaves_and_stays_away_is_divergence() -> None:
    h = healthy(40, 0, 0.01)
    h["loss"][10] = math.nan  # a blip it recovers from ...
    for i in range(30, 40):
        h["loss"][i] = math.inf  # ... then it leaves for good
    found = fitscope.diagnose(h)
    div = next(f for f in found if f.code == "divergence")
    assert div.evidence["epoch"] == 31


def test_a_rise_within_sampling_noise_is_not_overfitting() -> None:
    # The same curves: a real rise on 5,000 validation samples, noise on 20.
    h = overfit(60, 20, seed=0, slope=0.003)
    plain = {f.code: f for f in fitscope.diagnose(h)}
    assert plain["overfitting"].evidence["n"] is None
    assert "not known" in plain["overfitting"].explanation
    big = {f.code: f for f in fitscope.diagnose(h, n={"validation": 5000})}
    ev = big["overfitting"].evidence
    assert ev["n"] == 5000 and ev["band_basis"] == "assumed_sd_equals_mean"
    assert ev["noise_band"] == pytest.approx(2 * ev["smoothed_best"] / math.sqrt(5000))
    assert ev["rise"] > ev["noise_band"] and "5,000" in big["overfitting"].explanation
    assert "overfitting" not in [f.code for f in fitscope.diagnose(h, n={"val": 20})]


def test_sample_sizes_are_validated() -> None:
    h = overfit(30, 10, seed=0)
    with pytest.raises(TypeError, match="n must be a mapping"):
        fitscope.diagnose(h, n=500)
    with pytest.raises(ValueError, match=r"n\['val'\] must be at least 1. Got 0 instead."):
        fitscope.diagnose(h, n={"val": 0})


def _noisy(x: np.ndarray, seed: int, rel: float = 0.01) -> list[float]:
    return list(x * (1 + rel * np.random.default_rng(seed).standard_normal(x.size)))


E40 = np.arange(1, 41)


def test_a_training_loss_that_climbs_back_is_learning_rate_too_high() -> None:
    for seed in SEEDS:
        train = 0.3 + 0.4 * np.exp(-(E40 - 1) / 4) + 0.01 * np.maximum(0, E40 - 15)
        found = {f.code: f for f in fitscope.diagnose({"loss": _noisy(train, seed)})}
        ev = found["learning_rate_too_high"].evidence
        assert abs(ev["best_epoch"] - 15) <= 3 and ev["level_last"] > 1.1 * ev["best"]


def test_a_slow_straight_fall_is_learning_rate_too_low() -> None:
    for seed in SEEDS:
        h = {"loss": _noisy(0.69 - 0.003 * E40, seed, 0.002)}
        codes = [f.code for f in fitscope.diagnose(h)]
        assert codes == ["learning_rate_too_low"], codes  # said instead of not_converged


def test_a_stall_then_a_fall_is_a_plateau() -> None:
    for seed in SEEDS:
        train = np.where(E40 <= 15, 0.69, 0.2 + 0.49 * np.exp(-(E40 - 15) / 4))
        found = {f.code: f for f in fitscope.diagnose({"loss": _noisy(train, seed, 0.003)})}
        ev = found["plateau"].evidence
        assert ev["first_epoch"] <= 3 and 12 <= ev["last_epoch"] <= 17, ev


def test_validation_below_training_throughout_is_said() -> None:
    for seed in SEEDS:
        train = 0.25 + 0.45 * np.exp(-(E40 - 1) / 5)
        h = {"loss": _noisy(train, seed), "val_loss": _noisy(0.8 * train, seed + 100)}
        found = {f.code: f for f in fitscope.diagnose(h)}
        ev = found["val_better_than_train"].evidence
        assert ev["epochs_below_share"] >= 0.9 and ev["median_gap_share"] == pytest.approx(
            0.2, abs=0.03
        )
        # On 30 validation samples a 20% gap is within sampling noise.
        assert "val_better_than_train" not in [f.code for f in fitscope.diagnose(h, n={"val": 30})]


def test_a_gap_from_the_first_epoch_is_a_split_problem() -> None:
    for seed in SEEDS:
        train = 0.2 + 0.4 * np.exp(-(E40 - 1) / 5)
        h = {"loss": _noisy(train, seed), "val_loss": _noisy(train + 0.3, seed + 100)}
        found = {f.code: f for f in fitscope.diagnose(h)}
        ev = found["gap_from_start"].evidence
        assert ev["gap_start"] == pytest.approx(0.3, abs=0.05)
        assert "overfitting" not in found


def test_healthy_runs_raise_none_of_the_new_findings() -> None:
    new = {"learning_rate_too_high", "learning_rate_too_low", "plateau"}
    new |= {"val_better_than_train", "gap_from_start"}
    for seed in SEEDS:
        for n in (10, 20, 50, 200):
            assert not new & {f.code for f in fitscope.diagnose(healthy(n, seed, 0.03))}


def test_a_gap_from_the_first_epoch_that_later_grows_is_both_shift_and_overfitting() -> None:
    # The splits differ from epoch 1 (a constant 0.3 gap while both fall); from epoch 20 the
    # validation loss turns and climbs: the start gap is the split, the growth is overfitting.
    for seed in SEEDS:
        train = 0.1 + 0.5 * np.exp(-(E40 - 1) / 12)  # still falling when validation turns
        val = train + 0.3 + 0.015 * np.maximum(0, E40 - 20)
        h = {"loss": _noisy(train, seed), "val_loss": _noisy(val, seed + 100)}
        found = {f.code: f for f in fitscope.diagnose(h)}
        assert {"overfitting", "gap_from_start"} <= set(found), (seed, list(found))
        ev = found["gap_from_start"].evidence
        assert 17 <= ev["judged_to_epoch"] <= 23 and ev["gap_start"] == pytest.approx(0.3, abs=0.05)
        assert "grew after that epoch" in found["gap_from_start"].explanation
        assert any("cresciuto" in f.explanation for f in fitscope.diagnose(h, lang="it"))


def test_a_gap_when_validation_turns_in_the_first_epochs_is_only_overfitting() -> None:
    # 40 training samples: the training loss collapses at once, validation is best at epoch 3
    # (the corpus' fitscope run: 0.97 -> 0.04 in 5 epochs, validation 1.46 -> 0.90 -> 1.41).
    for seed in SEEDS:
        train = 0.97 * np.exp(-(E40 - 1) / 1.2)
        val = 0.9 + 0.55 * np.exp(-(E40 - 1) / 0.8) + 0.02 * np.maximum(0, E40 - 3)
        found = codes({"loss": _noisy(train, seed), "val_loss": _noisy(val, seed + 100)})
        assert "overfitting" in found and "gap_from_start" not in found, (seed, found)


def test_still_falling_loss_with_settled_accuracy_is_not_not_converged() -> None:
    quiet = 0
    for seed in SEEDS:
        h = still_falling(40, seed)
        rng = np.random.default_rng(seed)
        flat_acc = 0.98 + 0.002 * rng.standard_normal(40)  # only confidence sharpens
        quiet += codes(h | {"val_accuracy": list(flat_acc)}) == []
        rising = np.linspace(0.90, 0.97, 40) + 0.002 * rng.standard_normal(40)
        assert codes(h | {"val_accuracy": list(rising)}) == ["not_converged"]
    # Pure noise shows a rising trend (t > 2 over the last 10 epochs) about 4% of the time.
    assert quiet >= 18


def test_validation_below_training_in_most_epochs_is_said() -> None:
    # Dropout in Keras: validation below the (dropout-noisy) training loss for the first two
    # thirds, then level with it.
    for seed in SEEDS:
        train = 0.1 + 2.0 * np.exp(-(E40 - 1) / 4)
        val = np.where(E40 <= 26, 0.8 * train, 1.02 * train)
        found = codes({"loss": _noisy(train, seed), "val_loss": _noisy(val, seed + 100)})
        assert found == ["val_better_than_train"], (seed, found)


def test_an_oscillating_loss_is_not_also_underfitting() -> None:
    # A learning rate far too high: the loss jumps around the no-skill level.
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        loss = 2.3 * (1 + 0.6 * np.sign(np.sin(np.arange(40) * 2.1)) * rng.uniform(0.5, 1, 40))
        found = codes({"loss": list(loss), "val_loss": list(loss * 1.05)})
        assert "unstable" in found and "underfitting" not in found, (seed, found)
