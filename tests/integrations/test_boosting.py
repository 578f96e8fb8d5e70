import lightgbm
import numpy as np
import xgboost
from sklearn.datasets import make_classification

import fitscope
from fitscope.integrations.lightgbm import FitscopeCallback as LightGBMCallback
from fitscope.integrations.xgboost import FitscopeCallback as XGBoostCallback

X, Y = make_classification(300, n_features=6, random_state=0)


def test_xgboost_rounds_equal_evals_result(store):
    dtrain, dval = xgboost.DMatrix(X[:200], Y[:200]), xgboost.DMatrix(X[200:], Y[200:])
    result, callback = {}, XGBoostCallback(project="xgb", store=store)
    params = {"objective": "binary:logistic", "eval_metric": ["logloss", "error"], "nthread": 1}
    xgboost.train(
        params,
        dtrain,
        5,
        evals=[(dtrain, "train"), (dval, "val")],
        evals_result=result,
        callbacks=[callback],
        verbose_eval=False,
    )
    record = store.get_run(callback.run.id)
    assert record.status == "finished"
    for split in ("train", "val"):
        np.testing.assert_allclose(
            record.history("log_loss", split).values, result[split]["logloss"]
        )
        np.testing.assert_allclose(
            record.history("zero_one_loss", split).values, result[split]["error"]
        )
        assert record.history("log_loss", split).steps.tolist() == [0, 1, 2, 3, 4]


def test_xgboost_sklearn_api_with_the_training_set_named(store):
    callback = XGBoostCallback(store=store, splits={"validation_0": "train"})
    model = xgboost.XGBClassifier(
        n_estimators=4, eval_metric="logloss", callbacks=[callback], n_jobs=1
    )
    model.fit(X[:200], Y[:200], eval_set=[(X[:200], Y[:200]), (X[200:], Y[200:])], verbose=False)
    record = store.get_run(callback.run.id)
    assert set(record.series()) == {("train", "log_loss"), ("val", "log_loss")}
    expected = model.evals_result()["validation_1"]["logloss"]
    np.testing.assert_allclose(record.history("log_loss", "val").values, expected)


def test_lightgbm_rounds_equal_record_evaluation(store):
    train, val = lightgbm.Dataset(X[:200], Y[:200]), lightgbm.Dataset(X[200:], Y[200:])
    recorded, callback = {}, LightGBMCallback(store=store)
    params = {"objective": "binary", "metric": ["binary_logloss", "auc"], "verbose": -1}
    lightgbm.train(
        {**params, "num_threads": 1},
        train,
        5,
        valid_sets=[train, val],
        valid_names=["training", "valid_0"],
        callbacks=[callback, lightgbm.record_evaluation(recorded)],
    )
    record = store.get_run(callback.run.id)
    assert record.status == "finished" and record.config["objective"] == "binary"
    for name, split in (("training", "train"), ("valid_0", "val")):
        np.testing.assert_allclose(
            record.history("log_loss", split).values, recorded[name]["binary_logloss"]
        )
        np.testing.assert_allclose(record.history("roc_auc", split).values, recorded[name]["auc"])


def test_lightgbm_early_stopping_records_every_round_then_finish(store):
    train, val = lightgbm.Dataset(X[:200], Y[:200]), lightgbm.Dataset(X[200:], Y[200:])
    run = fitscope.init(store=store)
    booster = lightgbm.train(
        {"objective": "binary", "verbose": -1, "num_threads": 1, "learning_rate": 0.5},
        train,
        200,
        valid_sets=[val],
        callbacks=[LightGBMCallback(run), lightgbm.early_stopping(2, verbose=False)],
    )
    run.finish()
    stored = store.get_run(run.id).history("log_loss", "val")
    assert len(stored) == booster.best_iteration + 2  # the rounds up to the stop
