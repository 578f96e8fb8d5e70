"""The worked example's numbers, computed by fitscope.metrics."""

from __future__ import annotations

import numpy as np
import pytest

from fitscope import metrics
from fitscope.demo import worked_example


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
