"""The split's size reaches the doctor wherever it is known: ``run.log(..., n=N)``, the built-in
trainers, ``diagnose(n=...)`` and ``fitscope doctor --n``. Real SQLite stores throughout."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from sklearn.datasets import load_digits

import fitscope
from fitscope.cli import cli
from fitscope.doctor import record_sizes
from fitscope.errors import InvalidInputError
from fitscope.views.data import metric_order

EPOCHS = range(40)
# A validation loss that turns and rises by ~0.07: real on 5,000 samples, noise on 50.
TRAIN = [0.7 * 0.93**e for e in EPOCHS]
VAL = [0.3 + 0.4 * 0.9**e + 0.003 * max(0, e - 15) for e in EPOCHS]


def _logged(store: fitscope.Store, n_val: int | None) -> str:
    with fitscope.init(project="sizes", store=store) as run:
        for e in EPOCHS:
            run.log({"loss": TRAIN[e]}, step=e + 1, n=8000)
            run.log({"loss": VAL[e]}, step=e + 1, split="val", n=n_val)
    return run.id


def test_run_log_n_reaches_the_doctor_through_the_store(tmp_path: Path) -> None:
    store = fitscope.Store(tmp_path / "runs.db")
    few, many, unknown = _logged(store, 50), _logged(store, 5000), _logged(store, None)
    store.close()
    store = fitscope.Store(tmp_path / "runs.db")  # read back from the file
    record = store.get_run(many)
    assert ("val", "n") in record.series()
    assert record.history("n", "val").values.tolist() == [5000.0] * 40
    assert record_sizes(record) == {"train": 8000, "val": 5000}
    # Charts never draw the sample count.
    assert metric_order(record) == ["loss"]
    found = fitscope.diagnose(record)
    assert [f.code for f in found] == ["overfitting"]
    assert found[0].evidence["n"] == 5000 and found[0].evidence["noise_band"] > 0
    assert fitscope.diagnose(store.get_run(few)) == []  # a 0.07 rise is noise on 50 samples
    quiet = fitscope.diagnose(store.get_run(unknown))
    assert [f.code for f in quiet] == ["overfitting"] and quiet[0].evidence["n"] is None
    # n= given to diagnose wins over the logged size.
    assert fitscope.diagnose(store.get_run(few), n={"val": 5000})[0].evidence["n"] == 5000
    # The run id through the shell (fitscope.diagnose opens the store) gives the same.
    by_id = fitscope.diagnose(few, store=store)
    assert by_id == []
    store.close()


def test_run_log_n_is_checked_at_the_call(tmp_path: Path) -> None:
    with fitscope.init(store=tmp_path / "runs.db") as run:
        for bad in (0, -3, 2.5, True, "500"):
            with pytest.raises(InvalidInputError, match=r"n must be a positive integer"):
                run.log({"loss": 0.5}, split="val", n=bad)  # type: ignore[arg-type]
        with pytest.raises(InvalidInputError, match=r"values must not hold the key 'n'"):
            run.log({"loss": 0.5, "n": 3.0}, split="val", n=500)
        run.log({"loss": 0.5}, split="val", n=np.int64(500))
    record = fitscope.Store(tmp_path / "runs.db").get_run(run.id)
    # Nothing refused was stored: one point of val/loss, one of val/n.
    assert record.history("loss", "val").values.tolist() == [0.5]
    assert record.history("n", "val").values.tolist() == [500.0]


def test_the_built_in_trainer_records_its_split_sizes(tmp_path: Path) -> None:
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    model = fitscope.SoftmaxRegression(solver="adam", learning_rate=0.05, epochs=12)
    with fitscope.init(store=tmp_path / "runs.db") as run:
        model.fit(X[:300], y[:300], validation_data=(X[1000:1450], y[1000:1450]), run=run)
    record = fitscope.Store(tmp_path / "runs.db").get_run(run.id)
    assert record_sizes(record) == {"train": 300, "val": 450}
    assert record.history("n", "val").steps.tolist() == list(range(1, 13))
    assert "n" not in metric_order(record)
    # validation_split: the sizes of the parts actually used.
    split_model = fitscope.SoftmaxRegression(solver="adam", epochs=3)
    with fitscope.init(store=tmp_path / "runs.db") as run2:
        split_model.fit(X[:400], y[:400], validation_split=0.25, run=run2)
    sizes = record_sizes(fitscope.Store(tmp_path / "runs.db").get_run(run2.id))
    assert sizes["train"] + sizes["val"] == 400 and sizes["val"] == 100


def test_a_run_without_n_in_its_log_still_gets_the_values() -> None:
    class Plain:  # the older protocol: log(values, step, split), no n
        def __init__(self) -> None:
            self.calls: list[tuple[str, dict[str, float]]] = []

        def log(self, values: dict[str, float], step: int, split: str) -> None:
            self.calls.append((split, values))

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    y = (X[:, 0] > 0).astype(int)
    plain = Plain()
    fitscope.LogisticRegression(solver="gd", epochs=3).fit(
        X[:40], y[:40], validation_data=(X[40:], y[40:]), run=plain
    )
    assert [s for s, _ in plain.calls] == ["train", "val"] * 3
    assert all("n" not in values for _, values in plain.calls)


def test_cli_n_for_files_and_runs(tmp_path: Path) -> None:
    path = tmp_path / "history.json"
    path.write_text(json.dumps({"loss": TRAIN, "val_loss": VAL}))

    def doctor(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(cli, ["doctor", *args])
        return result.exit_code, result.output

    code, out = doctor(str(path), "--json")
    assert code == 0 and json.loads(out)[0]["evidence"]["n"] is None
    code, out = doctor(str(path), "--json", "--n", "val=5000")
    assert code == 0 and json.loads(out)[0]["evidence"]["n"] == 5000
    code, out = doctor(str(path), "--json", "--n", "validation=50")
    assert code == 0 and json.loads(out) == []
    store = fitscope.Store(tmp_path / "runs.db")
    run_id = _logged(store, None)
    store.close()
    code, out = doctor(run_id, "--json", "--store", str(tmp_path / "runs.db"), "--n", "val=50")
    assert code == 0 and json.loads(out) == []
    for bad in ("val", "val=0", "val=abc", "=5"):
        code, out = doctor(str(path), "--n", bad)
        assert code == 1 and "--n must be SPLIT=N" in out, out
