"""Epochs are epochs, steps are steps (issue 15): the doctor's findings speak in the unit of
the run's x-axis. A plain run.log loop logs steps; Hugging Face keeps steps and its own epoch
beside them; Keras, Lightning and the built-in trainers log epochs."""

from __future__ import annotations

import json
import math
import string

import numpy as np
import pytest
import torch
from click.testing import CliRunner

import fitscope
from fitscope._i18n import LANGUAGES, read_catalog
from fitscope._names import EPOCH_TAG
from fitscope.cli import cli
from fitscope.doctor.finding import At, Axis, Draft
from fitscope.doctor.messages import MESSAGES, STEP_MESSAGES, STEP_WORDS, WITH_EPOCH, WORDS
from fitscope.integrations.importers import import_runs
from fitscope.views.data import series_data
from fitscope.views.findings import findings_for


def _json_findings(run_id: str, db) -> list[dict]:
    result = CliRunner().invoke(cli, ["doctor", run_id, "--store", str(db), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    return data["findings"] if isinstance(data, dict) else data


def test_a_pytorch_loop_logging_every_step_is_judged_in_steps(db):
    """The loop most PyTorch users write: one run.log per optimizer step, no epoch logged."""
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 20)).astype(np.float32)
    y = ((X @ rng.normal(size=20) + 2.0 * rng.normal(size=300)) > 0).astype(np.int64)
    xt, yt = torch.tensor(X[:60]), torch.tensor(y[:60])
    xv, yv = torch.tensor(X[60:]), torch.tensor(y[60:])
    model = torch.nn.Sequential(torch.nn.Linear(20, 128), torch.nn.ReLU(), torch.nn.Linear(128, 2))
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    loss_fn = torch.nn.CrossEntropyLoss()
    with fitscope.init(store=db) as run:
        for _ in range(60):
            model.train()
            opt.zero_grad()
            loss = loss_fn(model(xt), yt)
            loss.backward()
            opt.step()
            model.eval()
            with torch.no_grad():
                val = loss_fn(model(xv), yv)
            run.log({"train/loss": loss.item(), "val/loss": val.item()})
    record = fitscope.Store(db).get_run(run.id)
    assert EPOCH_TAG not in record.tags
    english = {f.code: f for f in fitscope.diagnose(run.id, store=db)}
    over = english["overfitting"]
    onset = over.evidence["onset_epoch"]
    assert over.evidence["unit"] == "step"
    steps = record.history("loss", "val").steps.tolist()
    assert steps == list(range(60))  # one automatic step per call
    assert record.history("loss", "val").values[onset] == over.evidence["best_val_loss"]
    assert over.title == f"Overfitting since step {onset}"
    assert f"lowest at step {onset} " in over.explanation
    assert "epoch" not in " ".join([over.title, over.explanation, over.advice]).lower()
    russian = {f.code: f for f in fitscope.diagnose(run.id, store=db, lang="ru")}["overfitting"]
    assert russian.title == f"Переобучение с шага {onset}"
    assert "эпох" not in russian.explanation + russian.advice
    (as_json,) = [f for f in _json_findings(run.id, db) if f["code"] == "overfitting"]
    assert as_json["evidence"]["unit"] == "step" and as_json["evidence"]["onset_epoch"] == onset
    # The report and the dashboard show the same Finding; a chart asked for x=epoch still
    # counts steps, and its axis says so.
    assert findings_for(record, "es")[0]["title"] == f"Sobreajuste desde el paso {onset}"
    assert series_data(record, "loss", "val", x="epoch")["x_unit"] == "step"


def _hf_state(epochs: int = 20, steps_per_epoch: int = 20, logging_steps: int = 5) -> dict:
    """A trainer_state.json as transformers' Trainer writes it (eval_strategy="epoch",
    logging_steps=5): training entries carry loss, grad_norm, learning_rate and the fractional
    epoch; each epoch's evaluation entry carries eval_* and epoch N.0; the last entry is the
    run's summary."""
    history: list[dict] = []
    total = epochs * steps_per_epoch
    for step in range(logging_steps, total + 1, logging_steps):
        e = step / steps_per_epoch
        history.append(
            {
                "epoch": e,
                "grad_norm": 1.5 * math.exp(-e / 10),
                "learning_rate": 5e-5 * (1 - step / total),
                "loss": 0.7 * math.exp(-e / 6) + 0.02,
                "step": step,
            }
        )
        if step % steps_per_epoch == 0:
            k = step // steps_per_epoch
            history.append(
                {
                    "epoch": float(k),
                    "eval_loss": 0.35 + 0.35 * math.exp(-k / 3) + 0.012 * max(0, k - 8) ** 1.2,
                    "eval_runtime": 0.41,
                    "eval_samples_per_second": 487.8,
                    "eval_steps_per_second": 61.0,
                    "step": step,
                }
            )
    history.append(
        {
            "epoch": float(epochs),
            "step": total,
            "total_flos": 1.2e13,
            "train_loss": 0.21,
            "train_runtime": 42.0,
            "train_samples_per_second": 76.2,
            "train_steps_per_second": 9.5,
        }
    )
    return {
        "best_metric": None,
        "best_model_checkpoint": None,
        "epoch": float(epochs),
        "eval_steps": 500,
        "global_step": total,
        "is_hyper_param_search": False,
        "is_local_process_zero": True,
        "is_world_process_zero": True,
        "log_history": history,
        "logging_steps": logging_steps,
        "max_steps": total,
        "num_input_tokens_seen": 0,
        "num_train_epochs": epochs,
        "save_steps": 500,
        "total_flos": 1.2e13,
        "train_batch_size": 8,
        "trial_name": None,
        "trial_params": None,
    }


def test_a_hugging_face_trainer_state_names_the_step_and_its_epoch(tmp_path, db):
    folder = tmp_path / "checkpoint-400"
    folder.mkdir()
    (folder / "trainer_state.json").write_text(json.dumps(_hf_state(), indent=2))
    (record,) = import_runs(folder, store=db)
    assert EPOCH_TAG not in record.tags  # steps are HF's optimizer steps
    found = {f.code: f for f in fitscope.diagnose(record.id, store=db)}
    over = found["overfitting"]
    step = over.evidence["onset_epoch"]
    epoch = over.evidence["epoch_at_step"][str(step)]
    assert over.evidence["unit"] == "step"
    epochs = series_data(record, "loss", "val", x="epoch")
    assert epochs["x_unit"] == "epoch" and epochs["x"][:2] == [1.0, 2.0]  # HF's own epochs
    assert step % 20 == 0 and epoch == step // 20  # evaluations are at each epoch's end
    assert 7 <= epoch <= 10  # the validation loss turns after epoch 8
    assert over.title == f"Overfitting since step {step} (epoch {epoch})"
    spanish = fitscope.diagnose(record.id, store=db, lang="es")[0]
    assert spanish.code == "overfitting"
    assert spanish.title == f"Sobreajuste desde el paso {step} (época {epoch})"
    (as_json,) = [f for f in _json_findings(record.id, db) if f["code"] == "overfitting"]
    assert as_json["evidence"]["epoch_at_step"] == {str(step): epoch}


def test_a_loop_that_logs_its_epoch_is_judged_in_its_epochs(db):
    """run.log({"epoch": e, ...}) once per epoch: the epochs the loop numbered, not steps."""
    train = [0.7 * math.exp(-e / 8) for e in range(30)]
    val = [0.35 + 0.35 * math.exp(-e / 4) + 0.01 * max(0, e - 12) for e in range(30)]
    with fitscope.init(store=db) as run:
        for e, (t, v) in enumerate(zip(train, val, strict=True)):
            run.log({"epoch": e + 101, "train/loss": t, "val/loss": v})  # steps 0..29
    over = fitscope.diagnose(run.id, store=db)[0]
    assert over.code == "overfitting" and over.evidence["unit"] == "epoch"
    epoch = over.evidence["onset_epoch"]
    assert 110 <= epoch <= 116 and over.evidence["step_of_epoch"] == {str(epoch): epoch - 101}
    assert over.title == f"Overfitting since epoch {epoch}"


def test_the_built_in_trainer_logs_epochs(db):
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    order = np.random.default_rng(0).permutation(y.size)
    tr, va = order[:40], order[1000:1500]
    model = fitscope.SoftmaxRegression(epochs=150, solver="adam", learning_rate=0.05, l2=1e-8)
    with fitscope.init(store=db) as run:
        model.fit(X[tr] / 16, y[tr], validation_data=(X[va] / 16, y[va]), run=run)
    record = fitscope.Store(db).get_run(run.id)
    assert EPOCH_TAG in record.tags
    assert series_data(record, "loss", "val", x="epoch")["x_unit"] == "epoch"
    from_run = {f.code: f for f in fitscope.diagnose(run.id, store=db)}["overfitting"]
    from_history = {f.code: f for f in fitscope.diagnose(model.history_)}["overfitting"]
    onset = from_run.evidence["onset_epoch"]
    assert from_run.evidence["unit"] == "epoch" and onset == from_history.evidence["onset_epoch"]
    assert from_run.title == from_history.title == f"Overfitting since epoch {onset}"


def test_a_keras_fit_speaks_in_keras_epochs(db):
    keras = pytest.importorskip("keras")
    from fitscope.integrations.keras import FitscopeCallback as KerasCallback

    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 20)).astype("float32")
    y = (x[:, 0] + rng.normal(size=200) > 0).astype("int64")
    model = keras.Sequential(
        [keras.Input((20,)), keras.layers.Dense(128, activation="relu"),
         keras.layers.Dense(2, activation="softmax")]
    )  # fmt: skip
    model.compile(keras.optimizers.Adam(0.01), "sparse_categorical_crossentropy")
    callback = KerasCallback(store=db)
    history = model.fit(
        x[:60], y[:60], validation_data=(x[60:], y[60:]), epochs=40, verbose=0,
        callbacks=[callback],
    )  # fmt: skip
    record = fitscope.Store(db).get_run(callback.run.id)
    assert EPOCH_TAG in record.tags
    from_run = fitscope.diagnose(record, lang="it")
    assert [f.evidence for f in from_run] == [
        f.evidence for f in fitscope.diagnose(history.history)
    ]
    over = from_run[0]
    onset = over.evidence["onset_epoch"]
    assert over.evidence["unit"] == "epoch" and onset >= 1  # "Epoch 1/40" is epoch 1
    assert over.title == f"Overfitting dall'epoca {onset}"


# ----------------------------------------------------------------------------- catalogs
def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_message_that_speaks_of_epochs_has_a_step_variant() -> None:
    for key, texts in MESSAGES.items():
        if any("epoch" in t.lower() for t in texts):
            assert key in STEP_MESSAGES, key
            assert not any("epoch" in t.lower() for t in STEP_MESSAGES[key]), key
    for word, text in WORDS.items():
        if "epoch" in text:
            assert STEP_WORDS[word] in WORDS and "epoch" not in WORDS[STEP_WORDS[word]]


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_every_step_variant_is_in_the_catalog(lang: str) -> None:
    catalog = {e.msgid: e.msgstr for e in read_catalog(lang)}
    wanted = [t for texts in STEP_MESSAGES.values() for t in texts]
    wanted += [WITH_EPOCH] + [WORDS[w] for w in STEP_WORDS.values()]
    for msgid in wanted:
        assert catalog.get(msgid), (lang, msgid)
        assert catalog[msgid] != msgid and _fields(catalog[msgid]) == _fields(msgid), (lang, msgid)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("key", sorted(STEP_MESSAGES))
def test_every_step_variant_renders(key: str, lang: str) -> None:
    code, _, variant = key.partition(".")
    params = {name: 0.5 for t in MESSAGES[key] for name in _fields(t)}
    for name in ("epoch", "start", "end", "best_epoch"):
        params[name] = At(120)
    params |= {"split": "val", "epochs": [At(100), At(120)]}
    axis = Axis("step", (0, 200), (0.0, 10.0))
    finding = Draft(code, "warning", {"epoch": At(120)}, params, variant, axis=axis).render(lang)
    for text in (finding.title, finding.explanation, finding.advice):
        assert "{" not in text and text.strip()
    title = STEP_MESSAGES[key].title
    if "{step}" in title or "{start}" in title:
        assert "120" in finding.title and "6)" in finding.title  # step 120, its epoch 6
    assert finding.evidence == {"epoch": 120, "unit": "step", "epoch_at_step": {"120": 6}}
