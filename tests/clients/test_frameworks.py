"""Real framework runs as their users write them: what is stored equals the framework's own
numbers, and every view works on the run."""

from __future__ import annotations

import keras
import lightgbm
import lightning.pytorch as pl
import numpy as np
import pytest
import torch
import xgboost
from sklearn.datasets import make_classification

import fitscope
from fitscope.integrations.keras import FitscopeCallback as KerasCallback
from fitscope.integrations.lightgbm import FitscopeCallback as LightGBMCallback
from fitscope.integrations.lightning import FitscopeLogger
from fitscope.integrations.xgboost import FitscopeCallback as XGBoostCallback

from .conftest import every_view_works

X, Y = make_classification(300, n_features=6, random_state=0)


def _loader(n: int = 64, seed: int = 0) -> torch.utils.data.DataLoader:
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 4, generator=g)
    y = (x[:, 0] > 0).long()
    return torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=16)


class FourWays(pl.LightningModule):
    """Logs one metric in each on_step / on_epoch combination, and one in on_train_epoch_end."""

    def __init__(self) -> None:
        super().__init__()
        self.net = torch.nn.Linear(4, 2)
        self.seen: dict[str, list[float]] = {"ee": [], "end": []}

    def training_step(self, batch, _):
        x, y = batch
        loss = torch.nn.functional.cross_entropy(self.net(x), y)
        self.log("train_loss", loss, on_step=False, on_epoch=True)  # epoch only
        self.log("s_only", loss, on_step=True, on_epoch=False)
        self.log("both", loss, on_step=True, on_epoch=True)
        return loss

    def on_train_epoch_end(self) -> None:
        value = float(self.trainer.callback_metrics["train_loss"])
        self.seen["ee"].append(value)
        self.log("end_metric", value * 2)

    def validation_step(self, batch, _):
        x, y = batch
        self.log("val_loss", torch.nn.functional.cross_entropy(self.net(x), y))

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.3)


def test_lightning_on_step_on_epoch_in_all_four_ways(db, tmp_path):
    torch.manual_seed(0)
    logger = FitscopeLogger(store=db)
    trainer = pl.Trainer(
        max_epochs=3,
        logger=logger,
        log_every_n_steps=1,
        enable_progress_bar=False,
        enable_model_summary=False,
        enable_checkpointing=False,
        num_sanity_val_steps=0,
    )
    module = FourWays()
    trainer.fit(module, _loader(), _loader(seed=1))
    trainer.validate(module, _loader(seed=1), verbose=False)
    record = fitscope.Store(db).get_run(logger.version)
    series = set(record.series())
    assert {("train", "loss"), ("train", "both"), ("train", "end_metric")} <= series
    assert {("train_step", "s_only"), ("train_step", "both"), ("val", "loss")} <= series
    assert record.history("loss", "train").steps.tolist() == [0, 1, 2]  # epochs
    np.testing.assert_allclose(record.history("loss", "train").values, module.seen["ee"], rtol=1e-6)
    np.testing.assert_allclose(
        record.history("end_metric", "train").values, 2 * np.array(module.seen["ee"]), rtol=1e-6
    )
    # trainer.validate() after fit evaluates the last epoch's model: no second point.
    assert record.history("loss", "val").steps.tolist() == [0, 1, 2]
    assert len(record.history("s_only", "train_step")) == 12  # 4 batches x 3 epochs
    findings = every_view_works(db, record.id, tmp_path)
    assert all(f["code"] != "not_judged" for f in findings)


def test_lightning_logger_and_csv_import_file_the_same_points(db, tmp_path):
    """val_check_interval=0.5 validates twice an epoch: the epoch's last validation is its
    value, from the live logger and from importing Lightning's own CSVLogger file alike."""
    from fitscope.integrations.importers import import_runs

    torch.manual_seed(0)
    logger = FitscopeLogger(store=db)
    csv_logger = pl.loggers.CSVLogger(tmp_path / "csv")
    trainer = pl.Trainer(
        max_epochs=3,
        logger=[logger, csv_logger],
        log_every_n_steps=1,
        val_check_interval=0.5,
        enable_progress_bar=False,
        enable_model_summary=False,
        enable_checkpointing=False,
        num_sanity_val_steps=0,
    )
    trainer.fit(FourWays(), _loader(), _loader(seed=1))
    live = fitscope.Store(db).get_run(logger.version)
    (imported,) = import_runs(csv_logger.log_dir, store=db)
    assert live.history("loss", "val").steps.tolist() == [0, 1, 2]
    assert set(live.series()) == set(imported.series())
    for split, metric in live.series():
        a, b = live.history(metric, split), imported.history(metric, split)
        assert a.steps.tolist() == b.steps.tolist(), (split, metric)
        np.testing.assert_allclose(a.values, b.values, rtol=1e-6)


def test_keras_fit_then_evaluate_logs_the_test_split(db, tmp_path):
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(220, 20)).astype("float32")
    y = (x[:, 0] > 0).astype("int64")
    flip = rng.random(220) < 0.25
    y[flip] = 1 - y[flip]  # noisy labels and 60 training samples: it overfits
    model = keras.Sequential(
        [keras.Input((20,)), keras.layers.Dense(128, activation="relu"),
         keras.layers.Dense(2, activation="softmax")]
    )  # fmt: skip
    model.compile(
        keras.optimizers.Adam(0.01), "sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    callback = KerasCallback(store=db)
    history = model.fit(
        x[:60], y[:60], validation_data=(x[60:], y[60:]), epochs=40, verbose=0,
        callbacks=[callback],
    )  # fmt: skip
    loss, accuracy = model.evaluate(x[60:], y[60:], verbose=0, callbacks=[callback])
    record = fitscope.Store(db).get_run(callback.run.id)
    assert record.history("loss", "val").steps.tolist() == list(range(1, 41))
    np.testing.assert_allclose(record.history("loss", "val").values, history.history["val_loss"])
    test = record.history("loss", "test")
    assert test.steps.tolist() == [40] and test.values[0] == pytest.approx(loss)
    assert record.history("accuracy", "test").values[0] == pytest.approx(accuracy)
    # The doctor numbers epochs the same way from the History and from the run (Keras'
    # "Epoch 1/40" numbering), so "keep the weights of epoch N" names one checkpoint.
    from_history = fitscope.diagnose(history.history)
    from_run = fitscope.diagnose(record)
    assert from_history[0].code == "overfitting"
    assert [(f.code, f.evidence) for f in from_history] == [(f.code, f.evidence) for f in from_run]
    every_view_works(db, record.id, tmp_path)


def test_xgboost_cv_with_the_callback_is_one_run_of_fold_means(db, tmp_path):
    callback = XGBoostCallback(store=db)
    params = {"objective": "binary:logistic", "eval_metric": "logloss", "nthread": 1}
    result = xgboost.cv(params, xgboost.DMatrix(X, Y), 6, nfold=3, callbacks=[callback], seed=0)
    record = fitscope.Store(db).get_run(callback.run.id)
    assert record.status == "finished"
    np.testing.assert_allclose(
        record.history("log_loss", "train").values, result["train-logloss-mean"], rtol=1e-6
    )
    np.testing.assert_allclose(
        record.history("log_loss", "test").values, result["test-logloss-mean"], rtol=1e-6
    )
    every_view_works(db, record.id, tmp_path)


def test_a_lightgbm_callback_reused_after_early_stopping_starts_a_new_run(db, tmp_path):
    callback = LightGBMCallback(store=db)
    params = {"objective": "binary", "verbose": -1, "num_threads": 1, "learning_rate": 0.5}
    train, val = lightgbm.Dataset(X[:200], Y[:200]), lightgbm.Dataset(X[200:], Y[200:])
    runs = []
    for _ in range(2):
        recorded: dict = {}
        booster = lightgbm.train(
            params, train, 100, valid_sets=[train, val], valid_names=["train", "val"],
            callbacks=[callback, lightgbm.early_stopping(3, verbose=False),
                       lightgbm.record_evaluation(recorded)],
        )  # fmt: skip
        assert booster.best_iteration < 100  # early stopping ended it
        runs.append((callback.run.id, recorded))
    callback.finish()
    store = fitscope.Store(db)
    assert runs[0][0] != runs[1][0]
    for run_id, recorded in runs:
        record = store.get_run(run_id)
        assert record.status == "finished"
        history = record.history("log_loss", "val")
        assert history.steps.tolist() == list(range(len(recorded["val"]["binary_logloss"])))
        np.testing.assert_allclose(history.values, recorded["val"]["binary_logloss"])
    every_view_works(db, runs[1][0], tmp_path)


def test_xgboost_sklearn_api_without_splits_is_said_not_judged(db, tmp_path):
    """XGBClassifier names its eval sets validation_0 (here the training data) and
    validation_1: without splits= neither is known as training data, and the doctor says so
    instead of failing."""
    callback = XGBoostCallback(store=db)
    model = xgboost.XGBClassifier(n_estimators=8, n_jobs=1, callbacks=[callback])
    model.fit(X[:200], Y[:200], eval_set=[(X[:200], Y[:200]), (X[200:], Y[200:])], verbose=False)
    record = fitscope.Store(db).get_run(callback.run.id)
    assert {s for s, _ in record.series()} == {"validation_0", "validation_1"}
    np.testing.assert_allclose(
        record.history("log_loss", "validation_1").values,
        model.evals_result()["validation_1"]["logloss"],
        rtol=1e-6,
    )
    findings = every_view_works(db, record.id, tmp_path)
    assert [f["code"] for f in findings] == ["not_judged"]
