"""Real runs of the built-in trainers on bundled scikit-learn datasets, and real SQLite stores."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_digits

import fitscope
from fitscope.errors import RunNotFoundError


@pytest.fixture(scope="module")
def digits() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    X, y = load_digits(return_X_y=True)
    order = np.random.default_rng(0).permutation(y.size)
    return X / 16.0, y, order


def test_digits_with_forty_training_samples_overfit_where_early_stopping_stops(digits) -> None:
    X, y, order = digits
    tr, va = order[:40], order[1000:1500]
    kw = {"solver": "adam", "learning_rate": 0.05, "l2": 1e-8}
    model = fitscope.SoftmaxRegression(epochs=300, **kw)
    model.fit(X[tr], y[tr], validation_data=(X[va], y[va]))
    found = {f.code: f for f in fitscope.diagnose(model.history_)}
    assert set(found) == {"overfitting", "loss_accuracy_disagreement"}
    onset = found["overfitting"].evidence["onset_epoch"]
    val = np.array(model.history_["val_loss"])
    assert onset == int(np.argmin(val)) + 1  # the best validation epoch of this run
    assert found["overfitting"].evidence["best_val_loss"] == pytest.approx(val.min())
    # The trainer's early stopping shares the patience signal and keeps the same epoch.
    stopped = fitscope.SoftmaxRegression(epochs=300, early_stopping=20, **kw)
    stopped.fit(X[tr], y[tr], validation_data=(X[va], y[va]))
    assert stopped.best_epoch_ == onset


def test_a_weak_model_on_imbalanced_data_sits_at_the_majority_baseline(digits) -> None:
    X, y, order = digits
    target = (y == 0).astype(int)  # one digit against the nine others: 10% positives
    tr, va = order[:1000], order[1000:]
    blurred = X[:, [0, 7, 56, 63]]  # the four corner pixels: almost always blank
    model = fitscope.LogisticRegression(l2=1e-2, solver="lbfgs").fit(blurred[tr], target[tr])
    (finding,) = fitscope.explain(target[va], model.predict_proba(blurred[va])[:, 1])
    assert finding.code == "class_imbalance"
    assert finding.evidence["majority_baseline"] == pytest.approx(1 - target[va].mean())
    assert finding.evidence["balanced_accuracy"] == pytest.approx(0.5, abs=0.02)


def test_a_healthy_regularised_run_raises_nothing() -> None:
    X, y = load_breast_cancer(return_X_y=True)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    order = np.random.default_rng(1).permutation(y.size)
    tr, va = order[:400], order[400:]
    model = fitscope.LogisticRegression(solver="gd", learning_rate=0.5, l2=1e-2, epochs=200)
    model.fit(X[tr], y[tr], validation_data=(X[va], y[va]))
    assert fitscope.diagnose(model.history_) == []
    assert fitscope.explain(y[va], model.predict_proba(X[va])[:, 1]) == []


def _noisy_labels_run(digits, db: Path) -> tuple[str, set[str]]:
    """A run whose validation set has 30 wrong labels, with prediction snapshots."""
    X, y, order = digits
    rng = np.random.default_rng(0)
    tr, va = order[:300], order[1000:1400]
    yv = y[va].copy()
    flip = rng.choice(va.size, 30, replace=False)
    yv[flip] = (yv[flip] + 1 + rng.integers(0, 9, 30)) % 10
    ids = [f"d{i}" for i in va]
    kw = {"solver": "adam", "learning_rate": 0.05, "l2": 1e-4}
    with fitscope.init(project="doctor", name="digits-noisy", store=db) as run:
        fitscope.SoftmaxRegression(epochs=150, **kw).fit(
            X[tr], y[tr], validation_data=(X[va], yv), run=run
        )
        for epochs in (50, 100, 150):  # full-batch adam is deterministic: the same trajectory
            model = fitscope.SoftmaxRegression(epochs=epochs, **kw).fit(X[tr], y[tr])
            run.log_predictions(yv, model.predict_proba(X[va]), split="val", step=epochs, ids=ids)
    return run.id, {ids[i] for i in flip}


def test_a_stored_run_with_snapshots_names_the_mislabelled_samples(digits, tmp_path) -> None:
    db = tmp_path / "runs.db"
    run_id, flipped = _noisy_labels_run(digits, db)
    store = fitscope.Store(db)
    try:
        by_record = fitscope.diagnose(store.get_run(run_id), lang="es")
        by_id = fitscope.diagnose(run_id[:8], store=store)
    finally:
        store.close()
    by_name = fitscope.diagnose("digits-noisy", store=str(db))
    codes = [f.code for f in by_id]
    assert codes == [f.code for f in by_record] == [f.code for f in by_name]
    assert {"overfitting", "persistent_mistakes"} <= set(codes)
    persistent = next(f for f in by_id if f.code == "persistent_mistakes")
    assert persistent.evidence["epochs"] == [50, 100, 150]
    listed = set(persistent.evidence["ids"])
    assert len(listed & flipped) >= 0.8 * len(listed)
    spanish = next(f for f in by_record if f.code == "persistent_mistakes")
    assert (
        spanish.title
        == "Las mismas muestras siguen equivocadas con seguridad a lo largo de las épocas"
    )
    assert spanish.evidence == persistent.evidence


def test_an_underfitting_stored_run_is_judged_against_the_prior(tmp_path) -> None:
    _, y = load_breast_cancer(return_X_y=True)
    noise = np.random.default_rng(2).normal(size=(y.size, 3))  # features that say nothing
    order = np.random.default_rng(3).permutation(y.size)
    tr, va = order[:400], order[400:]
    with fitscope.init(name="blind", store=tmp_path / "runs.db") as run:
        model = fitscope.LogisticRegression(solver="gd", learning_rate=0.1, epochs=60)
        model.fit(noise[tr], y[tr], validation_data=(noise[va], y[va]), run=run)
        run.log_predictions(y[va], model.predict_proba(noise[va])[:, 1], split="val")
        live = [f.code for f in fitscope.diagnose(run)]  # a run still being recorded
    found = {f.code: f for f in fitscope.diagnose("blind", store=tmp_path / "runs.db")}
    assert live == list(found)
    assert "underfitting" in found
    ev = found["underfitting"].evidence
    assert ev["reference_kind"] == "prior_log_loss" and ev["gain_share"] < 0.1
    assert ev["chance"] == pytest.approx(max(y[va].mean(), 1 - y[va].mean()))


def test_an_unknown_run_is_a_lookup_error(tmp_path) -> None:
    fitscope.Store(tmp_path / "runs.db").close()
    with pytest.raises(RunNotFoundError):
        fitscope.diagnose("nope", store=tmp_path / "runs.db")
