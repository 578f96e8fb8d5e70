"""Keras 3: a callback that records each epoch's logs, and optionally batches and predictions.

A sketch (needs your own data)::

    from fitscope.integrations.keras import FitscopeCallback
    model.fit(x, y, validation_split=0.2, epochs=5,
              callbacks=[FitscopeCallback(project="mnist")])

Needs ``pip install "fitscope[keras]"`` (Keras 3 with the torch backend). When KERAS_BACKEND is
unset and the backend ``~/.keras/keras.json`` names (by default TensorFlow) is not installed,
this module sets KERAS_BACKEND=torch before Keras is first imported, since Keras would
otherwise fail to import.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from fitscope._optional import require
from fitscope._validation import check_positive_int, describe
from fitscope.errors import InvalidTypeError
from fitscope.integrations._run import RunHolder, plain_config
from fitscope.integrations.naming import parse_key
from fitscope.track.run import Run, mark_epochs
from fitscope.track.store import Store


def _configured_backend() -> str:
    """The backend Keras would load: ~/.keras/keras.json's, else its default, TensorFlow."""
    try:
        with open(os.path.expanduser("~/.keras/keras.json")) as f:
            return str(json.load(f).get("backend", "tensorflow"))
    except (OSError, ValueError):
        return "tensorflow"


if (
    "keras" not in sys.modules
    and "KERAS_BACKEND" not in os.environ
    and importlib.util.find_spec(_configured_backend()) is None
    and importlib.util.find_spec("torch") is not None
):
    os.environ["KERAS_BACKEND"] = "torch"

keras = require("keras", extra="keras")

__all__ = ["BATCH_SPLIT", "FitscopeCallback"]

#: The split batch-level values are filed under.
BATCH_SPLIT = "train_step"


def _labels(y: Any) -> Any:
    """One-hot (or probability) targets as class indices; labels as they are."""
    arr = np.asarray(y)
    if arr.ndim == 2 and arr.shape[1] > 1:
        return arr.argmax(axis=1)
    return arr.reshape(-1) if arr.ndim == 2 else arr


class FitscopeCallback(keras.callbacks.Callback):  # type: ignore[misc,name-defined]
    """Record a Keras training into a fitscope run.

    Each epoch's logs are logged at step = the epoch as Keras prints it ("Epoch 1/5" is step
    1, the same numbering as the doctor uses for a History): each key is read by
    :func:`fitscope._names.parse_key` (``val_loss`` -> "val"/loss, ``acc`` -> accuracy) and
    kept as written for display. ``model.evaluate(x, y, callbacks=[cb])`` logs its results to
    the split "test" at the epoch the model has reached (0 before any training). With
    ``log_every_n_batches=n`` every n-th batch's logs also go to the split ``"train_step"`` at
    step = the batch's index counted over the whole training; these are what Keras reports,
    the running mean over the epoch so far.

    ``validation_predictions=(x_val, y_val)`` stores the model's predictions on that data at the
    end of training, for per-sample diagnosis. Keras 3 does not show callbacks the
    ``validation_data`` given to ``fit``, so the data must be passed here.

    With ``run=None`` the callback starts a run when training starts (``project``, ``name``,
    ``config``, ``tags`` and ``store`` go to :func:`fitscope.init`; the config also gets the
    epochs, steps per epoch, optimizer and learning rate) and finishes it when training ends.
    A run passed in is left open.
    """

    def __init__(
        self,
        run: Run | None = None,
        log_every_n_batches: int | None = None,
        validation_predictions: bool | tuple[Any, Any] = False,
        *,
        project: str = "default",
        name: str | None = None,
        config: Mapping[str, Any] | None = None,
        tags: Sequence[str] | None = None,
        store: Store | str | os.PathLike[str] | None = None,
    ) -> None:
        super().__init__()
        self._holder = RunHolder(
            run, project=project, name=name, config=config, tags=tags, store=store
        )
        self.log_every_n_batches = (
            None
            if log_every_n_batches is None
            else check_positive_int(log_every_n_batches, "log_every_n_batches")
        )
        if validation_predictions is False:
            self._val_data: tuple[Any, Any] | None = None
        elif isinstance(validation_predictions, tuple) and len(validation_predictions) == 2:
            self._val_data = validation_predictions
        else:
            raise InvalidTypeError(
                "validation_predictions must be False or a tuple (x_val, y_val). Got "
                f"{describe(validation_predictions)} instead. Keras 3 does not pass fit()'s "
                "validation_data to callbacks, so give the data here."
            )
        self._batches = 0
        self._last_epoch = 0
        self._in_fit = False

    @property
    def run(self) -> Run | None:
        """The run being written (None until training starts when the callback makes one)."""
        return self._holder.get() if self._holder.started else None

    def _config(self) -> dict[str, Any]:
        params = dict(self.params or {})
        config: dict[str, Any] = {"epochs": params.get("epochs"), "steps": params.get("steps")}
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is not None:
            config["optimizer"] = type(optimizer).__name__
            rate = getattr(optimizer, "learning_rate", None)
            try:
                config["learning_rate"] = float(np.asarray(keras.ops.convert_to_numpy(rate)))
            except (TypeError, ValueError):  # a schedule object, not a number
                config["learning_rate"] = str(rate)
        return plain_config(config)

    def on_train_begin(self, logs: Mapping[str, Any] | None = None) -> None:
        self._holder.renew()  # a second fit() with the same callback gets a run of its own
        mark_epochs(self._holder.get(self._config()))  # steps are Keras' epochs
        self._batches = 0
        self._last_epoch = 0
        self._in_fit = True

    def on_train_batch_end(self, batch: int, logs: Mapping[str, Any] | None = None) -> None:
        self._batches += 1
        n = self.log_every_n_batches
        if n is not None and logs and self._batches % n == 0:
            values = {parse_key(k).metric: v for k, v in logs.items()}
            self._holder.get().log(values, step=self._batches - 1, split=BATCH_SPLIT)

    def on_epoch_end(self, epoch: int, logs: Mapping[str, Any] | None = None) -> None:
        self._last_epoch = epoch + 1
        if logs:
            self._holder.get().log(dict(logs), step=epoch + 1)

    def on_test_end(self, logs: Mapping[str, Any] | None = None) -> None:
        """``model.evaluate(callbacks=[cb])``: its results go to the split "test". (Keras also
        calls this for fit's own validation, which on_epoch_end already logs as val_...)"""
        if self._in_fit or not logs:
            return
        run = self._holder.resume()
        values = {f"test_{parse_key(k).metric}": v for k, v in logs.items()}
        run.log(values, step=self._last_epoch)
        if self._holder.owned:
            self._holder.close("finished")

    def on_train_end(self, logs: Mapping[str, Any] | None = None) -> None:
        run = self._holder.get()
        if self._val_data is not None:
            x_val, y_val = self._val_data
            pred = np.asarray(self.model.predict(x_val, verbose=0))
            if pred.ndim == 2 and pred.shape[1] == 1:
                pred = pred[:, 0]  # a sigmoid output: the probability of class 1
            run.log_predictions(_labels(y_val), pred, split="val", step=self._last_epoch)
        self._in_fit = False
        self._holder.close("finished")
