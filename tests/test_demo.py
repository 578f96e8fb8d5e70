"""What ``fitscope demo`` computes: the worked example, the optimizers, the surfaces, the
tracked run that overfits and the cases where accuracy misleads."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import fitscope
from fitscope import metrics
from fitscope.demo import (
    OverfitRun,
    confident_mistakes_case,
    imbalance_case,
    load_digits,
    loss_optimum,
    overfit_run,
    solver_traces,
    surfaces,
    worked_example,
)


def test_worked_example_numbers() -> None:
    example = worked_example()
    np.testing.assert_allclose(example.probabilities, [0.549834, 0.7109495, 0.5621765], rtol=1e-6)
    np.testing.assert_array_equal(example.predicted_labels, [1, 1, 1])
    np.testing.assert_allclose(example.log_losses, [0.79813887, 1.24115387, 0.57593942], rtol=1e-6)
    assert example.summed_log_loss == pytest.approx(2.615232164, rel=1e-9)
    assert example.mean_log_loss == pytest.approx(0.871744055, rel=1e-9)
    assert example.summed_log_loss == pytest.approx(example.log_losses.sum(), rel=1e-12)
    assert example.accuracy == pytest.approx(1 / 3)
    assert example.majority_label == 0
    assert example.baseline_accuracy == pytest.approx(2 / 3)


def test_worked_example_loss_and_accuracy_disagree() -> None:
    example = worked_example()
    # The point of the demo: the model loses to a constant guess on accuracy.
    assert example.accuracy < example.baseline_accuracy


def test_baseline_matches_the_library_definition() -> None:
    example = worked_example()
    assert example.baseline_accuracy == metrics.baseline("accuracy", example.labels)


# The optimizers, the optimum and the surfaces.


def test_every_optimizer_lowers_the_loss_and_newton_reaches_the_optimum() -> None:
    example = worked_example()
    best = loss_optimum(example)
    traces = solver_traces(example, quick=True)
    assert [t.solver for t in traces] == ["gd", "adam", "newton"]
    for trace in traces:
        assert trace.epochs[0] == 0 and trace.summed_loss[0] == pytest.approx(3 * np.log(2))
        assert trace.summed_loss[-1] < trace.summed_loss[0]
        assert trace.summed_loss[-1] >= best.summed_log_loss - 1e-9
    newton = traces[-1]
    assert newton.stop_reason == "converged"
    assert np.all(np.diff(newton.summed_loss[1:]) <= 1e-12)
    np.testing.assert_allclose(newton.coefficients, best.coefficients, atol=1e-6)


def test_the_loss_optimum_is_less_accurate_than_a_constant_guess() -> None:
    example = worked_example()
    best = loss_optimum(example)
    assert [round(b, 4) for b in best.coefficients] == [-0.5643, 0.1771]
    assert round(best.summed_log_loss, 4) == 1.4941
    # A stationary point: the gradient of the summed loss vanishes there.
    X = np.column_stack([example.weights_kg, example.heights_cm])
    np.testing.assert_allclose(X.T @ (best.probabilities - example.labels), 0, atol=1e-5)
    assert best.accuracy == pytest.approx(1 / 3)
    assert best.accuracy < example.baseline_accuracy
    assert best.summed_log_loss == pytest.approx(
        metrics.log_loss(example.labels, best.probabilities, reduction="sum")
    )


def test_some_optimizer_lowers_the_loss_while_accuracy_drops() -> None:
    traces = solver_traces(worked_example(), quick=True)
    assert any(t.first_drop() is not None for t in traces)
    for trace in traces:
        e = trace.first_drop()
        if e is not None:
            assert trace.accuracy[e] < trace.accuracy[e - 1]
            assert trace.summed_loss[e] < trace.summed_loss[e - 1]


def test_the_surfaces_are_the_library_metrics_on_a_grid() -> None:
    example = worked_example()
    s = surfaces(example, size=(21, 17))
    X = np.column_stack([example.weights_kg, example.heights_cm])
    for i, j in [(0, 0), (8, 10), (16, 20), (5, 3)]:
        z = X @ np.array([s.b1[j], s.b2[i]])
        # From the logits: far from the optimum the probabilities round to 0 or 1.
        assert s.loss[i, j] == pytest.approx(
            metrics.log_loss(example.labels, z, from_logits=True, reduction="sum"), rel=1e-9
        )
        assert s.accuracy[i, j] == pytest.approx(np.mean((z >= 0) == (example.labels == 1)))
    # Flat steps: only two accuracy values; a smooth loss that never dips below the optimum.
    assert set(np.round(s.accuracy * 3).astype(int).ravel().tolist()) == {1, 2}
    assert s.loss.min() >= loss_optimum(example).summed_log_loss - 1e-9


def test_the_figure_of_the_surfaces_saves_as_png(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    from fitscope.demo.figure import surfaces_figure

    fig = surfaces_figure(
        surfaces(worked_example(), size=(31, 21)), start=(0.1, -0.03), minimum=(-0.5643, 0.1771)
    )
    fig.savefig(tmp_path / "s.png")
    assert (tmp_path / "s.png").read_bytes()[:4] == b"\x89PNG"


# The tracked run that overfits.


@pytest.fixture(scope="module")
def overfit(tmp_path_factory: pytest.TempPathFactory) -> tuple[OverfitRun, Path]:
    db = tmp_path_factory.mktemp("overfit") / "demo.db"
    return overfit_run(store=db), db


def test_the_run_overfits(overfit: tuple[OverfitRun, Path]) -> None:
    run, _ = overfit
    h = {k: np.asarray(v) for k, v in run.history.items()}
    best = run.val_loss_minimum_epoch
    assert best == run.best_epoch < run.epochs_run  # the minimum is before the last epoch
    assert run.stop_reason.startswith("early_stopping")
    # After the best epoch the training loss keeps falling while the validation loss rises.
    assert h["loss"][-1] < h["loss"][best - 1]
    assert h["val_loss"][-1] > h["val_loss"][best - 1]
    assert 0.5 < run.test_accuracy <= 1 and np.isfinite(run.test_loss)


def test_the_stored_curves_are_the_history(overfit: tuple[OverfitRun, Path]) -> None:
    run, db = overfit
    record = fitscope.Store(db).get_run(run.run_id)
    splits = {split for split, _ in record.series()}
    val_split = "val" if "val" in splits else "validation"
    for key, values in run.history.items():
        split, name = (val_split, key[4:]) if key.startswith("val_") else ("train", key)
        stored = record.history(name, split=split)
        np.testing.assert_array_equal(stored.values, values)
        np.testing.assert_array_equal(stored.steps, np.arange(1, run.epochs_run + 1))
    test_points = record.history("accuracy", split="test")
    assert test_points.values.tolist() == [run.test_accuracy]  # scored once
    assert {p.split for p in record.predictions()} == {val_split, "test"}


# Where accuracy hides a problem.


def test_imbalanced_accuracy_only_matches_the_baseline() -> None:
    case = imbalance_case()
    assert 0.05 < case.positive_rate < 0.15
    assert case.accuracy == case.baseline_accuracy
    assert case.balanced_accuracy == pytest.approx(0.5)
    assert case.log_loss == pytest.approx(case.prior_log_loss, rel=0.01)


def test_a_few_confident_mistakes_make_a_large_loss_behind_a_high_accuracy() -> None:
    clean, noisy = confident_mistakes_case()
    assert noisy.accuracy > 0.9 and clean.accuracy - noisy.accuracy < 0.05
    assert noisy.log_loss > 3 * clean.log_loss
    losses = np.sort(metrics.log_loss(noisy.y_true, noisy.y_pred, reduction="none"))[::-1]
    k = int(np.ceil(0.01 * losses.size))
    assert noisy.n_worst == k
    assert noisy.worst_share == pytest.approx(losses[:k].sum() / losses.sum())
    assert noisy.worst_share > 0.3


def test_the_bundled_digits_are_the_uci_set() -> None:
    X, digit = load_digits()
    assert X.shape == (1797, 64) and X.min() >= 0 and X.max() == 1
    assert np.bincount(digit).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
