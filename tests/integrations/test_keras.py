import keras
import numpy as np
import pytest

import fitscope
from fitscope.errors import InvalidTypeError
from fitscope.integrations.keras import FitscopeCallback


def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(160, 4)).astype("float32")
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype("int64")
    return x[:120], y[:120], x[120:], y[120:]


def _model():
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(2)]
    )
    model.compile(
        keras.optimizers.Adam(0.05),
        keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model


def test_epoch_logs_equal_keras_history(store):
    x, y, xv, yv = _data()
    callback = FitscopeCallback(
        log_every_n_batches=2, validation_predictions=(xv, yv), project="k", store=store
    )
    history = _model().fit(
        x, y, validation_data=(xv, yv), epochs=3, batch_size=32, verbose=0, callbacks=[callback]
    )
    record = store.get_run(callback.run.id)
    assert record.status == "finished"
    assert record.config["epochs"] == 3 and record.config["optimizer"] == "Adam"
    for key, values in history.history.items():
        split, metric = ("val", key[4:]) if key.startswith("val_") else ("train", key)
        stored = record.history(metric, split)
        assert stored.steps.tolist() == [1, 2, 3]  # Keras' "Epoch 1/3", ...
        assert record.key(metric, split) == key
        np.testing.assert_allclose(stored.values, values, rtol=1e-6)
    # 4 batches an epoch (120 / 32), every 2nd logged: global batches 1, 3, ..., 11.
    assert record.history("loss", "train_step").steps.tolist() == [1, 3, 5, 7, 9, 11]
    (snapshot,) = record.predictions("val")
    assert snapshot.step == 3 and snapshot.y_pred.shape == (40, 2)
    assert snapshot.y_true.tolist() == yv.tolist()


def test_a_given_run_stays_open(store):
    x, y, _, _ = _data()
    run = fitscope.init(store=store)
    _model().fit(x, y, epochs=2, verbose=0, callbacks=[FitscopeCallback(run)])
    run.log({"accuracy": 0.5}, split="test")
    run.finish()
    record = store.get_run(run.id)
    assert ("test", "accuracy") in record.series() and len(record.history("loss")) == 2


def test_a_reused_callback_starts_a_run_per_fit(store):
    x, y, _, _ = _data()
    callback, model = FitscopeCallback(store=store), _model()
    model.fit(x, y, epochs=1, verbose=0, callbacks=[callback])
    first = callback.run.id
    model.fit(x, y, epochs=2, verbose=0, callbacks=[callback])
    assert callback.run.id != first
    assert [len(r.history("loss")) for r in store.runs()] == [2, 1]  # newest first
    assert {r.status for r in store.runs()} == {"finished"}


def test_validation_predictions_must_be_data():
    with pytest.raises(InvalidTypeError, match=r"validation_predictions must be False or a tuple"):
        FitscopeCallback(validation_predictions=True)
