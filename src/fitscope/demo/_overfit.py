"""Part 2 of the demo: a tracked run on real data that overfits, stopped early.

The task is "is this handwritten digit even?" on the bundled digits. The model is a logistic
regression on the 64 raw pixels trained on only 120 images with (almost) no penalty: 65
parameters for 120 samples is capacity enough to memorise the training set, so the training
loss keeps falling while the validation loss turns up. Early stopping watches the validation
loss and restores the best epoch's weights; the test part is scored once, at the end.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from fitscope import metrics
from fitscope.demo._digits import load_digits
from fitscope.models import LogisticRegression
from fitscope.track import Store, init
from fitscope.train.splits import split

__all__ = ["OverfitRun", "overfit_run"]

FloatArray = npt.NDArray[np.float64]

#: The run's settings, stored as its config. l2 is tiny rather than 0: with no penalty the
#: trainer stops as soon as the training set is separated (the loss then has no minimum).
CONFIG: dict[str, Any] = {
    "task": "digit is even",
    "features": "64 raw pixels",
    "n_train": 120,
    "solver": "adam",
    "learning_rate": 0.1,
    "epochs": 400,
    "l2": 1e-8,
    # Patient on purpose, so that the rise of the validation loss is plain to see.
    "early_stopping": 100,
}


@dataclass(frozen=True, eq=False)
class OverfitRun:
    """What the tracked run recorded, and the one test score at the end."""

    run_id: str
    run_name: str
    store_url: str
    n_train: int
    n_val: int
    n_test: int
    n_features: int
    history: dict[str, list[float]]
    epochs_run: int
    best_epoch: int
    stop_reason: str
    test_accuracy: float
    test_loss: float

    @property
    def val_loss_minimum_epoch(self) -> int:
        """The epoch (1-based) with the lowest validation loss."""
        return int(np.argmin(self.history["val_loss"])) + 1

    def selected_epochs(self) -> list[int]:
        """A few epochs that tell the story: early ones, the best, and the last."""
        last, best = self.epochs_run, self.best_epoch
        picks = {1, 10, best // 2, best, (best + last) // 2, last}
        return sorted(e for e in picks if 1 <= e <= last)


def overfit_run(
    *,
    store: Store | str | os.PathLike[str] | None = None,
    quick: bool = False,
    random_state: int = 0,
) -> OverfitRun:
    """Train, track and score the overfitting model; returns what was recorded.

    Each epoch's train and validation loss and accuracy go to the run (``fit(..., run=run)``);
    after training the run also gets the validation and test predictions and one "test" point.
    ``quick`` changes nothing here (the run takes a fraction of a second), it exists so that
    every part of the demo takes the same options.

    >>> import pathlib, tempfile
    >>> result = overfit_run(store=pathlib.Path(tempfile.mkdtemp()) / "demo.db")
    >>> result.best_epoch < result.epochs_run
    True
    """
    del quick
    X, digit = load_digits()
    y = (digit % 2 == 0).astype(np.int64)
    (X_tr, y_tr), (X_val, y_val), (X_te, y_te) = split(
        X, y, val=0.25, test=0.25, random_state=random_state
    )
    n_train = int(CONFIG["n_train"])
    # The parts are shuffled (and stratified), so the first rows are a random subset.
    X_tr, y_tr = X_tr[:n_train], y_tr[:n_train]
    model = LogisticRegression(
        solver=CONFIG["solver"],
        learning_rate=CONFIG["learning_rate"],
        epochs=CONFIG["epochs"],
        l2=CONFIG["l2"],
        early_stopping=CONFIG["early_stopping"],
        random_state=random_state,
    )
    own_store = not isinstance(store, Store)
    db = Store(store) if not isinstance(store, Store) else store
    try:
        with init(
            project="fitscope-demo",
            name="digits-even-overfit",
            config=dict(CONFIG, random_state=random_state),
            tags=["demo"],
            store=db,
        ) as run:
            model.fit(X_tr, y_tr, validation_data=(X_val, y_val), run=run)
            best = int(model.best_epoch_ or model.n_epochs_)
            p_val = model.predict_proba(X_val)[:, 1]
            p_test = model.predict_proba(X_te)[:, 1]
            test_loss = float(metrics.log_loss(y_te, p_test))
            test_accuracy = float(metrics.accuracy(y_te, p_test))
            # The validation curves are stored under the split name the trainer logs them
            # with ("val" by the tracking contract; older trainers wrote "validation").
            run.flush()
            listed = db.get_run(run.id, series=False, predictions=False)
            logged = {split for split, _ in listed.series()}
            val_split = "validation" if "validation" in logged else "val"
            run.log_predictions(y_val, p_val, split=val_split, step=best)
            run.log_predictions(y_te, p_test, split="test", step=best)
            run.log({"loss": test_loss, "accuracy": test_accuracy}, step=best, split="test")
        return OverfitRun(
            run_id=run.id,
            run_name=run.name,
            store_url=db.url,
            n_train=int(y_tr.size),
            n_val=int(y_val.size),
            n_test=int(y_te.size),
            n_features=int(X.shape[1]),
            history={k: list(v) for k, v in model.history_.items()},
            epochs_run=int(model.n_epochs_),
            best_epoch=best,
            stop_reason=str(model.stop_reason_),
            test_accuracy=test_accuracy,
            test_loss=test_loss,
        )
    finally:
        if own_store:
            db.close()
