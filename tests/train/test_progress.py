"""The verbose=1 progress bar says its numbers are end-of-epoch values on the whole split."""

from __future__ import annotations

import numpy as np
import pytest

import fitscope


def test_verbose_bar_labels_end_of_epoch_values(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "300")  # rich truncates the line to the terminal's width
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 3))
    y = (X[:, 0] > 0).astype(int)
    model = fitscope.LogisticRegression(solver="gd", epochs=4, verbose=True)
    model.fit(X[:80], y[:80], validation_data=(X[80:], y[80:]))
    err = capsys.readouterr().err
    final = model.history_
    assert "end of epoch 4 (whole split): train loss" in err
    assert f"| val loss {final['val_loss'][-1]:.4g}" in err
    assert f"train loss {final['loss'][-1]:.4g}" in err
